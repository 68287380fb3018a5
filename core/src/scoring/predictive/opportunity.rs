//! Opportunity win probability: opportunities (with their pipeline, accounts and engagement
//! counts) turned into rows with the standard deal features, so the predictive machinery
//! trains on closed deals (won vs lost) and scores open ones. The model kind is
//! `subject: "opportunity"`.
//!
//! A closed deal is described as it stood at its last open stage (so the outcome never leaks
//! into the features); an open deal as it stands at `as_of`. Nothing here reads the clock.

use super::data::Rows;
use super::model::{train, Prediction, PredictiveModel, Subject};
use super::spec::{Algorithm, FeatureKind, FeatureSpec, TrainOptions};
use crate::error::{Error, Problems, Result};
use crate::model::{Account, Opportunity, Pipeline, StageKind};
use chrono::{DateTime, NaiveTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashMap};

/// The label column of opportunity rows: true for won, false for lost.
pub const OPPORTUNITY_LABEL: &str = "won";

/// What opportunities are read against: `{"pipeline": {...}, "accounts": [...],
/// "engagement": {"O-1": 12}, "as_of": "2026-06-30T00:00:00Z"}`; only `as_of` is required
/// (the pipeline defaults to the default pipeline). Unknown keys are an error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OpportunityContext {
    #[serde(default = "Pipeline::default_pipeline")]
    pub pipeline: Pipeline,
    /// Accounts, for the deals' industry (`account.industry`).
    #[serde(default)]
    pub accounts: Vec<Account>,
    /// Engagement count per opportunity id (emails, meetings, content views: the caller's
    /// choice). When given, a deal it does not list has 0; when absent the feature is missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engagement: Option<BTreeMap<String, f64>>,
    /// "Now" for open deals: their days in stage count up to it.
    pub as_of: DateTime<Utc>,
}

impl OpportunityContext {
    /// A context with the default pipeline, no accounts and no engagement counts.
    pub fn new(as_of: DateTime<Utc>) -> OpportunityContext {
        OpportunityContext {
            pipeline: Pipeline::default_pipeline(),
            accounts: Vec::new(),
            engagement: None,
            as_of,
        }
    }
}

/// The standard features: `stage` (categorical), `days_in_stage` (numeric, log), `amount`
/// (numeric, log), `source` (categorical), `industry` (categorical), `engagement` (numeric,
/// log).
pub fn opportunity_features() -> Vec<FeatureSpec> {
    vec![
        FeatureSpec::new("stage", FeatureKind::Categorical),
        FeatureSpec::log("days_in_stage"),
        FeatureSpec::log("amount"),
        FeatureSpec::new("source", FeatureKind::Categorical),
        FeatureSpec::new("industry", FeatureKind::Categorical),
        FeatureSpec::log("engagement"),
    ]
}

/// Opportunities as rows: closed deals (with `won`) for training, open deals for scoring.
/// Each row also carries the deal's `id`, which no feature reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OpportunityRows {
    pub closed: Vec<Value>,
    pub open: Vec<Value>,
}

const DAY_MS: f64 = 86_400_000.0;

fn days(from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
    ((to - from).num_milliseconds() as f64 / DAY_MS).max(0.0)
}

/// One deal's row and whether it is closed; problems at `opportunities[i]...`.
fn row_of(
    i: usize,
    o: &Opportunity,
    ctx: &OpportunityContext,
    industries: &HashMap<&str, &str>,
    out: &mut Problems,
) -> Option<(Value, bool)> {
    let pipeline = &ctx.pipeline;
    let Some(current) = pipeline.stage(&o.stage) else {
        out.push(
            format!("opportunities[{i}].stage"),
            "unknown_stage",
            format!("stage `{}` is not in the pipeline", o.stage),
        );
        return None;
    };
    let kind_of = |label: &str| pipeline.stage(label).map(|s| s.kind);
    let (stage, entered, until, won) = match current.kind {
        StageKind::Open => {
            let entered = o
                .stage_history
                .iter()
                .rev()
                .find(|c| pipeline.stage(&c.stage).map(|s| &s.key) == Some(&current.key))
                .map_or(o.created_at, |c| c.at);
            (
                Some(current.key.clone()),
                Some(entered),
                Some(ctx.as_of),
                None,
            )
        }
        closed => {
            // The last open stage the deal was in, and when it closed.
            let last_open = o
                .stage_history
                .iter()
                .enumerate()
                .rev()
                .find(|(_, c)| kind_of(&c.stage) == Some(StageKind::Open));
            let (stage, entered, after) = match last_open {
                Some((j, c)) => (
                    pipeline.stage(&c.stage).map(|s| s.key.clone()),
                    Some(c.at),
                    j + 1,
                ),
                None => (None, None, o.stage_history.len()),
            };
            let closed_at = o.closed_at.or_else(|| {
                o.stage_history[after..]
                    .iter()
                    .find(|c| matches!(kind_of(&c.stage), Some(StageKind::Won | StageKind::Lost)))
                    .map(|c| c.at)
                    .or_else(|| o.close_date.map(|d| d.and_time(NaiveTime::MIN).and_utc()))
            });
            (stage, entered, closed_at, Some(closed == StageKind::Won))
        }
    };
    let amount = o.amount.as_ref().map(|m| m.amount_f64());
    if let Some(a) = amount {
        if a < 0.0 {
            out.push(
                format!("opportunities[{i}].amount"),
                "invalid_value",
                "a negative amount cannot be a feature (amount is read as ln(1 + x))",
            );
        }
    }
    let engagement = match &ctx.engagement {
        None => None,
        Some(map) => {
            let e = map.get(o.id.as_str()).copied().unwrap_or(0.0);
            if !(e.is_finite() && e >= 0.0) {
                out.push(
                    format!("context.engagement.{}", o.id),
                    "invalid_value",
                    "an engagement count must be a finite number >= 0",
                );
            }
            Some(e)
        }
    };
    let industry = o
        .account_id
        .as_ref()
        .and_then(|a| industries.get(a.as_str()).copied())
        .map(str::to_string)
        .or_else(|| {
            o.attributes
                .get("industry")
                .and_then(Value::as_str)
                .map(str::to_string)
        });
    let days_in_stage = match (entered, until) {
        (Some(a), Some(b)) => Some(days(a, b)),
        _ => None,
    };
    let mut row = Map::new();
    row.insert("id".into(), json!(o.id.as_str()));
    row.insert("stage".into(), json!(stage));
    row.insert("days_in_stage".into(), json!(days_in_stage));
    row.insert("amount".into(), json!(amount));
    row.insert("source".into(), json!(o.source));
    row.insert("industry".into(), json!(industry));
    row.insert("engagement".into(), json!(engagement));
    if let Some(w) = won {
        row.insert(OPPORTUNITY_LABEL.into(), json!(w));
    }
    Some((Value::Object(row), won.is_some()))
}

/// Turns opportunities into rows with the standard features (docs/predictive.md,
/// "Opportunity win probability"). Errors (`validation`, every problem): a stage not in the
/// pipeline (`opportunities[i].stage`, `unknown_stage`), a negative amount, a negative or
/// non-finite engagement count.
pub fn opportunity_rows(
    opportunities: &[Opportunity],
    ctx: &OpportunityContext,
) -> Result<OpportunityRows> {
    let industries: HashMap<&str, &str> = ctx
        .accounts
        .iter()
        .filter_map(|a| a.industry.as_deref().map(|ind| (a.id.as_str(), ind)))
        .collect();
    let mut out = Problems::new();
    let mut rows = OpportunityRows {
        closed: Vec::new(),
        open: Vec::new(),
    };
    for (i, o) in opportunities.iter().enumerate() {
        if let Some((row, closed)) = row_of(i, o, ctx, &industries, &mut out) {
            if closed {
                rows.closed.push(row);
            } else {
                rows.open.push(row);
            }
        }
    }
    out.into_result(Error::Validation)?;
    Ok(rows)
}

/// One opportunity's score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OpportunityPrediction {
    pub opportunity_id: String,
    /// Whether the deal is still open (closed deals are scored as they stood at their last
    /// open stage).
    pub open: bool,
    #[serde(flatten)]
    pub prediction: Prediction,
}

impl PredictiveModel {
    /// Trains a win-probability model on the closed opportunities (won = true, lost = false;
    /// open deals are left out) with those of [`opportunity_features`] that at least one closed
    /// deal has a value for. No closed deal is a
    /// `validation` error at `opportunities` (`empty`); closed deals all won or all lost are
    /// one at `opportunities` (`invalid_value`).
    pub fn train_opportunities(
        opportunities: &[Opportunity],
        ctx: &OpportunityContext,
        algorithm: Algorithm,
        options: &TrainOptions,
    ) -> Result<PredictiveModel> {
        let rows = opportunity_rows(opportunities, ctx)?;
        if rows.closed.is_empty() {
            return Err(Error::Validation(vec![crate::Problem::new(
                "opportunities",
                "empty",
                "no closed (won or lost) opportunity to train on",
            )]));
        }
        // A standard feature no closed deal has (engagement without counts, industry without
        // accounts) is left out rather than refused.
        let features: Vec<FeatureSpec> = opportunity_features()
            .into_iter()
            .filter(|f| rows.closed.iter().any(|r| !r[&f.name].is_null()))
            .collect();
        train(
            Rows::Json(&rows.closed),
            OPPORTUNITY_LABEL,
            &features,
            algorithm,
            options,
            Subject::Opportunity,
        )
        .map_err(|e| match e {
            Error::Validation(mut ps) => {
                for p in &mut ps {
                    if p.path == "label" {
                        p.path = "opportunities".into();
                        p.message =
                            "the closed opportunities are all won or all lost: a model needs both"
                                .into();
                    }
                }
                Error::Validation(ps)
            }
            other => other,
        })
    }

    /// Scores every opportunity given, in order, with its factors. The model must be an
    /// opportunity model (`invalid_config` at `model`, `wrong_subject`, otherwise).
    pub fn predict_opportunities(
        &self,
        opportunities: &[Opportunity],
        ctx: &OpportunityContext,
    ) -> Result<Vec<OpportunityPrediction>> {
        if self.subject != Subject::Opportunity {
            return Err(Error::invalid_config(
                "model",
                "wrong_subject",
                "this model was not trained on opportunities (subject `rows`)",
            ));
        }
        let industries: HashMap<&str, &str> = ctx
            .accounts
            .iter()
            .filter_map(|a| a.industry.as_deref().map(|ind| (a.id.as_str(), ind)))
            .collect();
        let mut out = Problems::new();
        let mut rows = Vec::with_capacity(opportunities.len());
        for (i, o) in opportunities.iter().enumerate() {
            if let Some((row, closed)) = row_of(i, o, ctx, &industries, &mut out) {
                rows.push((o.id.as_str().to_string(), row, !closed));
            }
        }
        out.into_result(Error::Validation)?;
        rows.into_iter()
            .enumerate()
            .map(|(i, (id, row, open))| {
                let prediction = self
                    .explain(Rows::Json(std::slice::from_ref(&row)), 0, "row")
                    .map_err(|e| relabel(e, i))?;
                Ok(OpportunityPrediction {
                    opportunity_id: id,
                    open,
                    prediction,
                })
            })
            .collect()
    }
}

/// Moves a problem found in a derived row to the opportunity it came from.
fn relabel(e: Error, i: usize) -> Error {
    let prefix = format!("opportunities[{i}]");
    let fix = |mut ps: Vec<crate::Problem>| {
        for p in &mut ps {
            if let Some(rest) = p.path.strip_prefix("row") {
                p.path = format!("{prefix}{rest}");
            }
        }
        ps
    };
    match e {
        Error::Validation(ps) => Error::Validation(fix(ps)),
        Error::Parse(ps) => Error::Parse(fix(ps)),
        other => other,
    }
}
