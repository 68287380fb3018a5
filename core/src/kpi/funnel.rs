//! The stage funnel (docs/kpis.md, "Funnel"): from stage histories, how many deals entered
//! each stage, how many moved on to a later one, and how long they stayed. Also the per-group
//! `stage_conversion` and `time_in_stage` metrics of reports.

use super::deals::{DealRef, Opportunities};
use crate::model::{Opportunity, Pipeline, StageKind};
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

const DAY_MS: f64 = 86_400_000.0;

/// One stage of the funnel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FunnelStage {
    /// The stage's pipeline key.
    pub stage: String,
    /// Deals that were ever in the stage (once each, however often they came back).
    pub entered: u64,
    /// Of those, deals that left it (for another stage, or closed).
    pub exited: u64,
    /// Of those, deals that reached a later stage of the pipeline (or won).
    pub advanced: u64,
    /// Deals in the stage at the end (today, or `as_of`).
    pub current: u64,
    /// `advanced / exited`; null when nobody left.
    pub conversion: Option<f64>,
    /// Completed stays (a stay ends with the next change): their count, mean and median in days.
    pub stays: u64,
    pub avg_days: Option<f64>,
    pub median_days: Option<f64>,
}

/// Per stage (by pipeline position): the deals that entered, exited, advanced, are still in it,
/// and the completed stays in milliseconds.
#[derive(Debug, Clone, Default)]
pub struct StageTally {
    entered: u64,
    exited: u64,
    advanced: u64,
    current: u64,
    stays_ms: Vec<i64>,
}

/// Funnel tallies of a set of deals, indexed by pipeline position.
#[derive(Debug, Clone)]
pub struct FunnelTally {
    stages: Vec<StageTally>,
}

impl FunnelTally {
    pub fn new(pipeline: &Pipeline) -> Self {
        FunnelTally {
            stages: vec![StageTally::default(); pipeline.stages.len()],
        }
    }

    /// Adds one deal's path: its stage history up to `until` (or its current stage alone when
    /// it has no history). Labels the pipeline does not know are skipped (reports check them
    /// first).
    pub fn add(&mut self, o: &DealRef<'_>, pipeline: &Pipeline, until: Option<DateTime<Utc>>) {
        let history = o.stage_history();
        let mut path: Vec<(usize, DateTime<Utc>)> = history
            .iter()
            .filter(|c| until.is_none_or(|t| c.at <= t))
            .filter_map(|c| pipeline.stage_index(&c.stage).map(|i| (i, c.at)))
            .collect();
        if history.is_empty() && until.is_none_or(|t| o.created_at() <= t) {
            if let Some(i) = pipeline.stage_index(o.stage_label()) {
                path.push((i, o.created_at()));
            }
        }
        // A repeated label (the same stage twice in a row) is one stay.
        path.dedup_by_key(|(i, _)| *i);
        let Some(&(last, _)) = path.last() else {
            return;
        };
        let mut seen = vec![false; self.stages.len()];
        let mut left = vec![false; self.stages.len()];
        let mut went_further = vec![false; self.stages.len()];
        for (k, &(i, at)) in path.iter().enumerate() {
            seen[i] = true;
            if let Some(&(next, next_at)) = path.get(k + 1) {
                left[i] = true;
                self.stages[i]
                    .stays_ms
                    .push((next_at - at).num_milliseconds());
                // Every stage visited before `next` that `next` lies beyond has advanced.
                let next_won = pipeline.stages[next].kind == StageKind::Won;
                for &(j, _) in &path[..=k] {
                    let later = next > j && pipeline.stages[next].kind != StageKind::Lost;
                    if later || next_won {
                        went_further[j] = true;
                    }
                }
            }
        }
        for i in 0..self.stages.len() {
            let s = &mut self.stages[i];
            s.entered += u64::from(seen[i]);
            s.exited += u64::from(left[i]);
            s.advanced += u64::from(went_further[i]);
        }
        self.stages[last].current += 1;
    }

    /// The funnel's rows, for the open stages and the won stage, in pipeline order.
    pub fn rows(&self, pipeline: &Pipeline) -> Vec<FunnelStage> {
        pipeline
            .stages
            .iter()
            .zip(&self.stages)
            .filter(|(stage, _)| stage.kind != StageKind::Lost)
            .map(|(stage, t)| {
                let mut days: Vec<i64> = t.stays_ms.clone();
                days.sort_unstable();
                let n = days.len();
                let sum: i128 = days.iter().map(|&d| i128::from(d)).sum();
                FunnelStage {
                    stage: stage.key.clone(),
                    entered: t.entered,
                    exited: t.exited,
                    advanced: t.advanced,
                    current: t.current,
                    conversion: (t.exited > 0).then(|| t.advanced as f64 / t.exited as f64),
                    stays: n as u64,
                    avg_days: (n > 0).then(|| sum as f64 / n as f64 / DAY_MS),
                    median_days: (n > 0).then(|| {
                        if n % 2 == 1 {
                            days[n / 2] as f64 / DAY_MS
                        } else {
                            (i128::from(days[n / 2 - 1]) + i128::from(days[n / 2])) as f64
                                / 2.0
                                / DAY_MS
                        }
                    }),
                }
            })
            .collect()
    }

    /// `{stage: conversion}` over the open stages, in pipeline order.
    pub fn conversion_by_stage(&self, pipeline: &Pipeline) -> Value {
        self.by_open_stage(pipeline, |r| r.conversion)
    }

    /// `{stage: mean days}` over the open stages, in pipeline order.
    pub fn days_by_stage(&self, pipeline: &Pipeline) -> Value {
        self.by_open_stage(pipeline, |r| r.avg_days)
    }

    fn by_open_stage(&self, pipeline: &Pipeline, pick: fn(&FunnelStage) -> Option<f64>) -> Value {
        let mut map = Map::new();
        for row in self.rows(pipeline) {
            let open = pipeline
                .stages
                .iter()
                .find(|s| s.key == row.stage)
                .is_some_and(|s| s.kind == StageKind::Open);
            if open {
                map.insert(row.stage.clone(), serde_json::json!(pick(&row)));
            }
        }
        Value::Object(map)
    }
}

/// What `funnel` reads besides the deals: `{"as_of"?, "pipeline"?}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FunnelOptions {
    #[serde(default)]
    pub as_of: Option<DateTime<Utc>>,
    #[serde(default)]
    pub pipeline: Option<Pipeline>,
}

/// The funnel of a set of deals: one row per open stage and the won stage, in pipeline order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Funnel {
    /// Deals counted (those that existed at `as_of`).
    pub deals: u64,
    pub stages: Vec<FunnelStage>,
}

/// Computes the stage funnel (docs/kpis.md, "Funnel"). Errors: stages the pipeline does not
/// know (`validation`, `unknown_stage`).
pub fn funnel(opportunities: &[Opportunity], options: &FunnelOptions) -> crate::Result<Funnel> {
    let pipeline = Pipeline::given_or_default(options.pipeline.as_ref());
    let pipeline = &*pipeline;
    let mut problems = crate::error::Problems::new();
    let list = super::deals::deals(
        Opportunities::Records(opportunities),
        pipeline,
        options.as_of,
        &mut problems,
    );
    problems.into_result(crate::Error::Validation)?;
    let mut tally = FunnelTally::new(pipeline);
    for d in &list {
        tally.add(&d.opportunity, pipeline, options.as_of);
    }
    Ok(Funnel {
        deals: list.len() as u64,
        stages: tally.rows(pipeline),
    })
}

/// [`funnel`] from JSON: `opportunities` a list, `options` a [`FunnelOptions`] object or null.
pub fn funnel_json(opportunities: &Value, options: &Value) -> crate::Result<Value> {
    let mut problems = Vec::new();
    let opportunities = crate::model::read::collect(
        crate::model::read::list::<Opportunity>(opportunities, "opportunities"),
        &mut problems,
    );
    let options = if options.is_null() {
        Some(FunnelOptions::default())
    } else {
        crate::model::read::collect(crate::api::parse::<FunnelOptions>(options), &mut problems)
    };
    let (Some(opportunities), Some(options)) = (opportunities, options) else {
        return Err(crate::Error::Parse(problems));
    };
    Ok(serde_json::to_value(funnel(&opportunities, &options)?).expect("funnels serialise"))
}
