//! `PredictiveModel` and `thresholdForCapacity` (core `scoring::predictive`, contract in
//! docs/predictive.md): train, score, explain, evaluate and save predictive models.
//!
//! Convert, call, convert, as everywhere. Rows are a list of row objects or an object of
//! columns. A list of rows is read only at the keys the model reads (its features, and the
//! label for `train` and `evaluate`): whatever a row's other properties hold is never looked
//! at, as the core ignores them. An object of columns is read whole (the core checks every column's
//! length). `predictBatchAsync` reads its argument on the JS thread and scores on the libuv
//! pool, like `Scorer.scoreBatchAsync`; a bad argument rejects the promise.

use crate::convert::{arg, optional_arg, string_from_js, try_from_js, try_records_from_js, Json};
use crate::error::OrThrow;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use revcore::scoring::predictive as core;
use serde_json::Value;
use std::sync::Arc;

/// The algorithm argument: absent, `undefined` or `null` is `"logistic"`; otherwise a string.
fn algorithm_arg(env: &Env, value: Option<Unknown<'_>>) -> Result<String> {
    match value {
        Some(v) if !matches!(v.get_type()?, ValueType::Undefined | ValueType::Null) => {
            string_from_js(env, v, "algorithm")
        }
        _ => Ok(core::Algorithm::Logistic.as_str().to_string()),
    }
}

/// Rows as the core reads them, or why they could not be read: a JS array is read element by
/// element at `keys` only (sorted); anything else (an object of columns) is read whole.
fn rows_from_js(env: &Env, rows: Unknown<'_>, keys: &[String]) -> Result<revcore::Result<Value>> {
    let is_array = rows.get_type()? == ValueType::Object && {
        // SAFETY: `rows` is an object.
        unsafe { rows.cast::<Object>() }?.is_array()?
    };
    if is_array {
        try_records_from_js(env, rows, "rows", keys)
    } else {
        try_from_js(env, rows, "rows")
    }
}

/// The sorted, distinct keys a model reads from a row, plus `extra` (a label).
fn keys_of(model: &core::PredictiveModel, extra: Option<&str>) -> Vec<String> {
    let mut keys: Vec<String> = model.features().into_iter().map(|f| f.name).collect();
    keys.extend(extra.map(str::to_string));
    keys.sort();
    keys.dedup();
    keys
}

/// The sorted, distinct keys a training request reads from a row: the names of the features
/// as given (whatever the core later says of them) and the label.
fn requested_keys(features: &Value, label: &str) -> Vec<String> {
    let mut keys: Vec<String> = features
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f.get("name").and_then(Value::as_str).map(str::to_string))
        .collect();
    keys.push(label.to_string());
    keys.sort();
    keys.dedup();
    keys
}

/// A trained predictive model (logistic regression or naive Bayes). Immutable: share it
/// freely. Made by `PredictiveModel.train`, `PredictiveModel.fromJson` or
/// `PredictiveModel.trainOpportunities`; saved with `toJson()`, which loads back to a model
/// giving the same probabilities bit for bit, in every host.
#[napi]
pub struct PredictiveModel {
    inner: Arc<core::PredictiveModel>,
    /// The feature names, sorted: the keys read from each row.
    keys: Arc<Vec<String>>,
}

impl PredictiveModel {
    fn wrap(model: core::PredictiveModel) -> PredictiveModel {
        let keys = keys_of(&model, None);
        PredictiveModel {
            inner: Arc::new(model),
            keys: Arc::new(keys),
        }
    }
}

#[napi]
impl PredictiveModel {
    /// Trains a model on `rows` (a list of row objects, or an object of columns) to predict
    /// the boolean column `label` from `features`. `algorithm` is `'logistic'` (the default)
    /// or `'naive_bayes'`; `options` as in docs/predictive.md. Throws a `ParseError`,
    /// `ConfigError` or `ValidationError` listing every problem with its path
    /// (`features[1].kind`, `options.lambda`, `rows[3].visits`).
    #[napi(
        factory,
        catch_unwind,
        ts_args_type = "rows: PredictiveRows, label: string, features: FeatureSpec[], algorithm?: PredictiveAlgorithm | null, options?: TrainOptions | null"
    )]
    pub fn train(
        env: Env,
        rows: Unknown,
        label: Unknown,
        features: Unknown,
        algorithm: Option<Unknown>,
        options: Option<Unknown>,
    ) -> Result<Self> {
        let label = string_from_js(&env, label, "label")?;
        let features = arg(&env, features, "features")?;
        let algorithm = algorithm_arg(&env, algorithm)?;
        let options = optional_arg(&env, options, "options")?;
        // The request is checked before any row is read (docs/predictive.md, "Errors").
        core::TrainRequest::check(&features, &label, &algorithm, &options).or_throw(&env)?;
        let rows = rows_from_js(&env, rows, &requested_keys(&features, &label))?.or_throw(&env)?;
        core::train_json(&rows, &label, &features, &algorithm, &options)
            .map(PredictiveModel::wrap)
            .or_throw(&env)
    }

    /// Loads a model file (the text `toJson()` writes, from any host). Throws a `ParseError`
    /// (malformed JSON, a wrong shape, with its path) or a `ConfigError` (values that cannot
    /// make a model, `unsupported_version`).
    #[napi(
        factory,
        js_name = "fromJson",
        catch_unwind,
        ts_args_type = "text: string"
    )]
    pub fn from_json(env: Env, text: Unknown) -> Result<Self> {
        let text = string_from_js(&env, text, "")?;
        core::PredictiveModel::from_json(&text)
            .map(PredictiveModel::wrap)
            .or_throw(&env)
    }

    /// Trains a deal-winning model (`subject: 'opportunity'`) on the closed deals among
    /// `opportunities`, with the standard opportunity features; `context` holds `as_of` and
    /// optionally `pipeline`, `accounts` and `engagement` (docs/predictive.md, "Opportunity
    /// win probability").
    #[napi(
        factory,
        catch_unwind,
        ts_args_type = "opportunities: Opportunity[], context: OpportunityContext, algorithm?: PredictiveAlgorithm | null, options?: TrainOptions | null"
    )]
    pub fn train_opportunities(
        env: Env,
        opportunities: Unknown,
        context: Unknown,
        algorithm: Option<Unknown>,
        options: Option<Unknown>,
    ) -> Result<Self> {
        let opportunities = arg(&env, opportunities, "opportunities")?;
        let context = arg(&env, context, "context")?;
        let algorithm = algorithm_arg(&env, algorithm)?;
        let options = optional_arg(&env, options, "options")?;
        core::train_opportunities_json(&opportunities, &context, &algorithm, &options)
            .map(PredictiveModel::wrap)
            .or_throw(&env)
    }

    /// The model file as compact JSON text (docs/predictive.md, "Model file").
    #[napi(js_name = "toJson", catch_unwind)]
    pub fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// The model file as an object (what `JSON.stringify(model)` writes).
    #[napi(
        js_name = "toJSON",
        catch_unwind,
        ts_return_type = "PredictiveModelFile"
    )]
    pub fn to_json_value(&self) -> Json {
        Json(self.inner.to_value())
    }

    /// The label the model predicts.
    #[napi(getter, catch_unwind)]
    pub fn label(&self) -> String {
        self.inner.label().to_string()
    }

    /// `'logistic'` or `'naive_bayes'`.
    #[napi(getter, catch_unwind, ts_return_type = "PredictiveAlgorithm")]
    pub fn algorithm(&self) -> String {
        self.inner.algorithm().as_str().to_string()
    }

    /// Scores one row and explains it: `{probability, log_odds, base, factors}`. Only the
    /// model's features are read from the row; an absent one is missing. Problems are at
    /// `row.<feature>`.
    #[napi(
        catch_unwind,
        ts_args_type = "row: Record<string, unknown>",
        ts_return_type = "Prediction"
    )]
    pub fn predict(&self, env: Env, row: Unknown) -> Result<Json> {
        let row = crate::convert::try_record_from_js(&env, row, "row", &self.keys)?;
        row.and_then(|row| self.inner.predict_json(&row))
            .map(Json)
            .or_throw(&env)
    }

    /// The probability of every row (a list of row objects, or an object of columns), in
    /// order: the same numbers `predict` gives each row. Problems are at `rows[i].<feature>`.
    #[napi(
        catch_unwind,
        ts_args_type = "rows: PredictiveRows",
        ts_return_type = "number[]"
    )]
    pub fn predict_batch(&self, env: Env, rows: Unknown) -> Result<Vec<f64>> {
        let mut task = PredictBatch::read(&env, self, rows)?;
        task.run().or_throw(&env)
    }

    /// `predictBatch` off the main thread (reading the rows stays on it). A bad argument
    /// rejects the promise.
    #[napi(
        catch_unwind,
        ts_args_type = "rows: PredictiveRows",
        ts_return_type = "Promise<number[]>"
    )]
    pub fn predict_batch_async(&self, env: Env, rows: Unknown) -> Result<AsyncTask<PredictBatch>> {
        Ok(AsyncTask::new(PredictBatch::read(&env, self, rows)?))
    }

    /// Scores labelled rows and measures the scores: `{rows, positives, auc, log_loss, brier,
    /// lift, calibration}`. Problems are at `rows[i].<feature>` and `rows[i].<label>`.
    #[napi(
        catch_unwind,
        ts_args_type = "rows: PredictiveRows, label: string",
        ts_return_type = "Evaluation"
    )]
    pub fn evaluate(&self, env: Env, rows: Unknown, label: Unknown) -> Result<Json> {
        let label = string_from_js(&env, label, "label")?;
        let keys = keys_of(&self.inner, Some(&label));
        rows_from_js(&env, rows, &keys)?
            .and_then(|rows| self.inner.evaluate_json(&rows, &label))
            .map(Json)
            .or_throw(&env)
    }

    /// Scores deals with a model trained by `trainOpportunities`: one
    /// `{opportunity_id, open, probability, log_odds, base, factors}` per deal, in order.
    #[napi(
        catch_unwind,
        ts_args_type = "opportunities: Opportunity[], context: OpportunityContext",
        ts_return_type = "OpportunityPrediction[]"
    )]
    pub fn predict_opportunities(
        &self,
        env: Env,
        opportunities: Unknown,
        context: Unknown,
    ) -> Result<Json> {
        let opportunities = arg(&env, opportunities, "opportunities")?;
        let context = arg(&env, context, "context")?;
        self.inner
            .predict_opportunities_json(&opportunities, &context)
            .map(Json)
            .or_throw(&env)
    }
}

/// The work of `predictBatch` and `predictBatchAsync`: the model, and the rows read on the JS
/// thread (or why they could not be).
pub struct PredictBatch {
    model: Arc<core::PredictiveModel>,
    rows: revcore::Result<Value>,
}

impl PredictBatch {
    fn read(env: &Env, model: &PredictiveModel, rows: Unknown<'_>) -> Result<PredictBatch> {
        Ok(PredictBatch {
            model: Arc::clone(&model.inner),
            rows: rows_from_js(env, rows, &model.keys)?,
        })
    }

    /// Scores: no JS runs here.
    fn run(&mut self) -> revcore::Result<Vec<f64>> {
        let rows = self.rows.as_ref().map_err(Clone::clone)?;
        self.model.predict_batch_json(rows)
    }
}

impl Task for PredictBatch {
    type Output = revcore::Result<Vec<f64>>;
    type JsValue = Vec<f64>;

    /// On the libuv pool, where no JS runs: the core call, panics caught.
    fn compute(&mut self) -> Result<Self::Output> {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.run()))
            .map_err(panic_to_error)
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<Vec<f64>> {
        output.or_throw(&env)
    }
}

/// Suggests the score at or above which leads go to a team that can work
/// `capacity_per_week` leads a week: `{scores, capacity_per_week, inflow_per_week}` (or
/// `timestamps`, one per score, instead of `inflow_per_week`) answers `{threshold, selected,
/// share, inflow_per_week, selected_per_week, capacity_per_week}` (docs/predictive.md).
#[napi(
    catch_unwind,
    ts_args_type = "input: CapacityInput",
    ts_return_type = "CapacityThreshold"
)]
pub fn threshold_for_capacity(env: Env, input: Unknown) -> Result<Json> {
    let input = arg(&env, input, "")?;
    core::threshold_for_capacity_json(&input)
        .map(Json)
        .or_throw(&env)
}
