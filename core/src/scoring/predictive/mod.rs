//! Predictive models: train a lead-scoring (or deal-winning) model from rows with feature
//! specs, score and explain rows, evaluate, choose a threshold for a team's capacity, and save
//! the model as a portable JSON file that gives the same probabilities in every host. The
//! contract is docs/predictive.md.
//!
//! Two algorithms: L2-regularised logistic regression (Newton / IRLS with an exact Cholesky
//! solve, run to a stated stopping rule) and a naive Bayes frequency-table model in the manner
//! of Odoo's predictive lead scoring. Rows come as JSON objects or as a columnar [`Table`]
//! (named columns, what a pandas DataFrame hands over); both are read by the same rules.
//!
//! What this module must never do: read a clock or a global random source, iterate a hash map
//! where order could leak into a result, call libm (`exp`/`ln` are the portable ones of
//! `num`), drop a row silently, or panic on any input. The same rows give the same model file,
//! bit for bit.
//!
//! Bindings call the JSON-level entry points ([`train_json`], [`PredictiveModel::predict_json`],
//! [`PredictiveModel::predict_batch_json`], [`PredictiveModel::evaluate_json`],
//! [`PredictiveModel::to_json`], [`PredictiveModel::from_json`],
//! [`threshold_for_capacity_json`], the opportunity functions) or, for DataFrames,
//! [`PredictiveModel::train_table`] with a [`Table`].

mod data;
mod logistic;
mod metrics;
mod model;
mod naive_bayes;
mod num;
mod opportunity;
mod spec;
pub mod synthetic;
mod wire;

pub use data::{Column, Table, MAX_PROBLEMS};
pub use metrics::{
    auc, evaluate, threshold_for_capacity, CalibrationBin, CapacityThreshold, Evaluation, Inflow,
    LiftRow, CLIP,
};
pub use model::{Factor, Prediction, PredictiveModel, Subject, TrainingReport};
pub use opportunity::{
    opportunity_features, opportunity_rows, OpportunityContext, OpportunityPrediction,
    OpportunityRows, OPPORTUNITY_LABEL,
};
pub use spec::{
    features_from_json, Algorithm, ClassWeight, FeatureKind, FeatureSpec, TrainOptions,
    TrainRequest, DEFAULT_ALPHA, DEFAULT_BINS, DEFAULT_LAMBDA, DEFAULT_MAX_ITER,
    DEFAULT_MAX_LEVELS, DEFAULT_MIN_LEVEL_COUNT, DEFAULT_TOL, MAX_FEATURES,
};
pub use wire::{MODEL_KIND, MODEL_VERSION};

use crate::error::{Error, Result};
use crate::model::Opportunity;
use chrono::{DateTime, Utc};
use data::Rows;
use serde_json::Value;

/// Rows as JSON: a list of objects, or an object of columns `{"name": [v0, v1, ...]}`.
enum JsonRows<'a> {
    List(&'a [Value]),
    Columns(Table),
}

impl JsonRows<'_> {
    fn read(rows: &Value) -> Result<JsonRows<'_>> {
        match rows {
            Value::Array(list) => Ok(JsonRows::List(list)),
            Value::Object(_) => Table::from_json(rows)
                .map(JsonRows::Columns)
                .map_err(|e| e.under("rows")),
            _ => Err(Error::parse(
                "rows",
                "invalid_type",
                "rows must be a list of objects or an object of columns",
            )),
        }
    }

    fn rows(&self) -> Rows<'_> {
        match self {
            JsonRows::List(list) => Rows::Json(list),
            JsonRows::Columns(t) => Rows::Table(t),
        }
    }
}

/// Trains a model from JSON: `rows` (a list of objects or an object of columns), `label` (the
/// boolean column), `features` (`[{"name", "kind", "log"?}]`), `algorithm` (`logistic` |
/// `naive_bayes`) and `options` (an object or null). The one entry point of every binding.
pub fn train_json(
    rows: &Value,
    label: &str,
    features: &Value,
    algorithm: &str,
    options: &Value,
) -> Result<PredictiveModel> {
    let request = TrainRequest::check(features, label, algorithm, options)?;
    let rows = JsonRows::read(rows)?;
    model::train(
        rows.rows(),
        label,
        &request.features,
        request.algorithm,
        &request.options,
        Subject::Rows,
    )
}

impl PredictiveModel {
    /// [`PredictiveModel::predict`] with a JSON answer:
    /// `{"probability", "log_odds", "base", "factors": [{"feature", "value", "bucket", "contribution"}]}`.
    pub fn predict_json(&self, row: &Value) -> Result<Value> {
        Ok(serde_json::to_value(self.predict(row)?).expect("predictions serialise"))
    }

    /// The probabilities of JSON rows (a list of objects or an object of columns), in order.
    pub fn predict_batch_json(&self, rows: &Value) -> Result<Vec<f64>> {
        let rows = JsonRows::read(rows)?;
        Ok(self
            .log_odds(rows.rows(), "rows")?
            .into_iter()
            .map(num::sigmoid)
            .collect())
    }

    /// [`PredictiveModel::evaluate`] of JSON rows with a JSON answer (see [`Evaluation`]).
    pub fn evaluate_json(&self, rows: &Value, label: &str) -> Result<Value> {
        let rows = JsonRows::read(rows)?;
        let report = match rows {
            JsonRows::List(list) => self.evaluate(list, label)?,
            JsonRows::Columns(t) => self.evaluate_table(&t, label)?,
        };
        Ok(serde_json::to_value(report).expect("evaluations serialise"))
    }

    /// Scores opportunities from JSON (`opportunities`: a list; `context`: see
    /// [`OpportunityContext`]): a list of `{"opportunity_id", "open", "probability", ...}`.
    pub fn predict_opportunities_json(
        &self,
        opportunities: &Value,
        context: &Value,
    ) -> Result<Value> {
        let opportunities = read_opportunities(opportunities)?;
        let ctx = read_context(context)?;
        let scored = self.predict_opportunities(&opportunities, &ctx)?;
        Ok(serde_json::to_value(scored).expect("predictions serialise"))
    }
}

fn read_opportunities(value: &Value) -> Result<Vec<Opportunity>> {
    if !value.is_array() {
        return Err(Error::parse(
            "opportunities",
            "invalid_type",
            "opportunities must be a list",
        ));
    }
    crate::api::parse::<Vec<Opportunity>>(value).map_err(|e| e.under("opportunities"))
}

fn read_context(value: &Value) -> Result<OpportunityContext> {
    if !value.is_object() {
        return Err(Error::parse(
            "context",
            "invalid_type",
            "the context must be an object with at least `as_of`",
        ));
    }
    crate::api::parse::<OpportunityContext>(value).map_err(|e| e.under("context"))
}

/// [`opportunity_rows`] from JSON: `{"closed": [rows with "won"], "open": [rows]}`.
pub fn opportunity_rows_json(opportunities: &Value, context: &Value) -> Result<Value> {
    let opportunities = read_opportunities(opportunities)?;
    let ctx = read_context(context)?;
    let rows = opportunity_rows(&opportunities, &ctx)?;
    Ok(serde_json::to_value(rows).expect("rows serialise"))
}

/// [`PredictiveModel::train_opportunities`] from JSON.
pub fn train_opportunities_json(
    opportunities: &Value,
    context: &Value,
    algorithm: &str,
    options: &Value,
) -> Result<PredictiveModel> {
    let options = TrainOptions::from_json(options)?;
    let mut config = crate::error::Problems::new();
    let algorithm = spec::check_algorithm(algorithm, &options, &mut config);
    config.into_result(Error::InvalidConfig)?;
    let algorithm = algorithm?;
    let opportunities = read_opportunities(opportunities)?;
    let ctx = read_context(context)?;
    PredictiveModel::train_opportunities(&opportunities, &ctx, algorithm, &options)
}

/// The input of [`threshold_for_capacity_json`].
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct CapacityInput {
    scores: Vec<f64>,
    capacity_per_week: f64,
    #[serde(default)]
    inflow_per_week: Option<f64>,
    #[serde(default)]
    timestamps: Option<Vec<DateTime<Utc>>>,
}

/// [`threshold_for_capacity`] from JSON: `{"scores": [...], "capacity_per_week": 50,
/// "inflow_per_week": 400}` or with `"timestamps": [...]` (one per score) instead of
/// `inflow_per_week`. Answers [`CapacityThreshold`] as JSON.
pub fn threshold_for_capacity_json(input: &Value) -> Result<Value> {
    let input: CapacityInput = crate::api::parse(input)?;
    let inflow = match (input.inflow_per_week, input.timestamps) {
        (Some(r), None) => Inflow::PerWeek(r),
        (None, Some(ts)) => Inflow::Timestamps(ts),
        (Some(_), Some(_)) => {
            return Err(Error::parse(
                "timestamps",
                "conflict",
                "give either `inflow_per_week` or `timestamps`, not both",
            ))
        }
        (None, None) => {
            return Err(metrics::capacity_problem(
                "inflow_per_week",
                "give `inflow_per_week` or `timestamps` (one per score)",
            ))
        }
    };
    let answer = threshold_for_capacity(&input.scores, &inflow, input.capacity_per_week)?;
    Ok(serde_json::to_value(answer).expect("thresholds serialise"))
}
