//! What a KPI needs to know about one deal, as it stood at an instant (docs/kpis.md, "Deals as
//! of a date"): open, won or lost; its stage; the day it closed; its amount in minor units.
//! Stage histories are replayed here, once per deal, so every metric reads the same facts.

use crate::error::Problems;
use crate::model::{Currency, ForecastCategory, Opportunity, Pipeline, Stage, StageKind};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::HashMap;

/// Stage lookups by label, each label folded and searched once: a million deals carry a
/// handful of distinct labels.
struct Stages<'a> {
    pipeline: &'a Pipeline,
    known: HashMap<&'a str, Option<&'a Stage>>,
}

impl<'a> Stages<'a> {
    fn get(&mut self, label: &'a str) -> Option<&'a Stage> {
        let pipeline = self.pipeline;
        *self
            .known
            .entry(label)
            .or_insert_with(|| pipeline.stage(label))
    }
}

/// Where a deal stood.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Open,
    Won,
    Lost,
}

/// One deal's facts as of the report's instant.
#[derive(Debug, Clone)]
pub struct Deal<'a> {
    /// Its index in the input (problems name `opportunities[i]`).
    pub index: usize,
    pub opportunity: &'a Opportunity,
    pub status: Status,
    /// The stage it was in; `None` when it cannot be known (a deal closed after `as_of` with no
    /// stage history).
    pub stage: Option<&'a Stage>,
    /// Closed deals: the day it closed; open deals: the expected close date, if any.
    pub close_day: Option<NaiveDate>,
    pub created_day: NaiveDate,
    /// The amount in minor units, if any, and its currency.
    pub amount: Option<(i64, Currency)>,
    pub forecast: Option<ForecastCategory>,
}

fn is_closed(kind: StageKind) -> bool {
    matches!(kind, StageKind::Won | StageKind::Lost)
}

fn status_of(kind: StageKind) -> Status {
    match kind {
        StageKind::Open => Status::Open,
        StageKind::Won => Status::Won,
        StageKind::Lost => Status::Lost,
    }
}

/// The day a deal in a closed stage closed, from what it carries: `close_date`, else the day of
/// `closed_at`, else the day of its last change into a won or lost stage.
fn recorded_close_day<'a>(o: &'a Opportunity, stages: &mut Stages<'a>) -> Option<NaiveDate> {
    o.close_date
        .or_else(|| o.closed_at.map(|t| t.date_naive()))
        .or_else(|| {
            o.stage_history
                .iter()
                .rev()
                .find(|c| stages.get(&c.stage).is_some_and(|s| is_closed(s.kind)))
                .map(|c| c.at.date_naive())
        })
}

/// The facts of every deal that existed at `as_of` (all of them without one), in input
/// order. Stages the pipeline does not know, in `stage` or in `stage_history`, are problems
/// (`unknown_stage`).
pub fn deals<'a>(
    opportunities: &'a [Opportunity],
    pipeline: &'a Pipeline,
    as_of: Option<DateTime<Utc>>,
    out: &mut Problems,
) -> Vec<Deal<'a>> {
    let mut list = Vec::with_capacity(opportunities.len());
    let mut stages = Stages {
        pipeline,
        known: HashMap::new(),
    };
    for (i, o) in opportunities.iter().enumerate() {
        let Some(current) = stages.get(&o.stage) else {
            out.push(
                format!("opportunities[{i}].stage"),
                "unknown_stage",
                format!("stage `{}` is not in the pipeline", o.stage),
            );
            continue;
        };
        let mut history_ok = true;
        for (j, c) in o.stage_history.iter().enumerate() {
            if stages.get(&c.stage).is_none() {
                out.push(
                    format!("opportunities[{i}].stage_history[{j}].stage"),
                    "unknown_stage",
                    format!("stage `{}` is not in the pipeline", c.stage),
                );
                history_ok = false;
            }
        }
        if !history_ok {
            continue;
        }
        let (status, stage, close_day) = match as_of {
            None => {
                let status = status_of(current.kind);
                let close_day = if status == Status::Open {
                    o.close_date
                } else {
                    recorded_close_day(o, &mut stages)
                };
                (status, Some(current), close_day)
            }
            Some(t) => {
                if o.created_at > t {
                    continue;
                }
                match at_instant(o, &mut stages, current, t) {
                    Some(facts) => facts,
                    None => continue,
                }
            }
        };
        // A forecast category set on the deal is today's; as of a past stage, the stage's.
        let forecast = match o.forecast_category {
            Some(f) if stage.is_some_and(|s| std::ptr::eq(s, current)) => Some(f),
            _ => stage.map(|s| s.forecast_category),
        };
        list.push(Deal {
            index: i,
            opportunity: o,
            status,
            stage,
            close_day,
            created_day: o.created_at.date_naive(),
            amount: o.amount.as_ref().map(|m| (m.minor_units(), m.currency())),
            forecast,
        });
    }
    list
}

type Facts<'a> = (Status, Option<&'a Stage>, Option<NaiveDate>);

/// Where a deal created at or before `t` stood at `t`.
fn at_instant<'a>(
    o: &'a Opportunity,
    stages: &mut Stages<'a>,
    current: &'a Stage,
    t: DateTime<Utc>,
) -> Option<Facts<'a>> {
    let day = t.date_naive();
    if o.stage_history.is_empty() {
        // Only today's stage is known: closed by then if it closed on or before that day,
        // otherwise open in a stage nobody recorded (an open deal: its stage).
        if is_closed(current.kind) {
            return Some(match recorded_close_day(o, stages) {
                Some(closed) if closed <= day => {
                    (status_of(current.kind), Some(current), Some(closed))
                }
                _ => (Status::Open, None, o.close_date),
            });
        }
        return Some((Status::Open, Some(current), o.close_date));
    }
    // The last change at or before t; before the first change, the first stage (a history
    // starts with the stage the deal was created in).
    let change = o
        .stage_history
        .iter()
        .rev()
        .find(|c| c.at <= t)
        .or(o.stage_history.first())?;
    let stage = stages.get(&change.stage)?;
    let status = status_of(stage.kind);
    let close_day = match status {
        Status::Open => o.close_date,
        _ if std::ptr::eq(stage, current) => recorded_close_day(o, stages)
            .filter(|d| *d <= day)
            .or(Some(change.at.date_naive().min(day))),
        _ => Some(change.at.date_naive().min(day)),
    };
    Some((status, Some(stage), close_day))
}
