//! Predictive models (`revcore::scoring::predictive`, docs/predictive.md): a `PredictiveModel`
//! object trained from rows, or loaded from a model file, and `threshold_for_capacity`.
//! Documents cross as JSON text; malformed text is a `parse` error under the argument's name
//! (`rows`, `features`, `options`, `row`, `opportunities`, `context`; the capacity input is the document itself, ""). Rows are a JSON
//! list of row objects or a JSON object of columns.

use crate::{read_json, read_optional_json, RevcoreError};
use revcore::scoring::predictive as core;
use serde_json::Value;
use std::sync::Arc;

/// A trained predictive model (logistic regression or naive Bayes). Immutable: shared freely
/// between threads. `to_json()` writes the model file, which `from_json` loads back (in any
/// host) to a model giving the same probabilities bit for bit.
#[derive(uniffi::Object)]
pub struct PredictiveModel {
    inner: core::PredictiveModel,
}

impl std::fmt::Debug for PredictiveModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PredictiveModel")
            .field("label", &self.inner.label())
            .field("algorithm", &self.inner.algorithm())
            .finish_non_exhaustive()
    }
}

fn wrap(inner: core::PredictiveModel) -> Arc<PredictiveModel> {
    Arc::new(PredictiveModel { inner })
}

#[uniffi::export]
impl PredictiveModel {
    /// Trains a model on `rows_json` (a JSON list of row objects or object of columns) to
    /// predict the boolean column `label` from `features_json` (`[{"name", "kind", "log"?}]`)
    /// with `algorithm` (`logistic` or `naive_bayes`) and `options_json` (an object, or None
    /// for the defaults). Throws with every problem and its path (`features[1].kind`,
    /// `options.lambda`, `rows[3].visits`).
    #[uniffi::constructor(default(options_json = None))]
    pub fn train(
        rows_json: String,
        label: String,
        features_json: String,
        algorithm: String,
        options_json: Option<String>,
    ) -> Result<Arc<Self>, RevcoreError> {
        let rows = read_json(&rows_json, "rows")?;
        let features = read_json(&features_json, "features")?;
        let options = read_optional_json(options_json.as_deref(), "options")?;
        let model = core::train_json(
            &rows,
            &label,
            &features,
            &algorithm,
            options.as_ref().unwrap_or(&Value::Null),
        )?;
        Ok(wrap(model))
    }

    /// Loads a model file (the text `to_json()` writes, from any host): `Parse` for malformed
    /// JSON or a wrong shape (with its path), `InvalidConfig` for values that cannot make a
    /// model (`unsupported_version`, lengths that disagree).
    #[uniffi::constructor]
    pub fn from_json(text: String) -> Result<Arc<Self>, RevcoreError> {
        Ok(wrap(core::PredictiveModel::from_json(&text)?))
    }

    /// Trains a deal-winning model (`subject: "opportunity"`) on the closed deals of
    /// `opportunities_json`, with the standard opportunity features; `context_json` holds
    /// `as_of` and optionally `pipeline`, `accounts`, `engagement`.
    #[uniffi::constructor(default(options_json = None))]
    pub fn train_opportunities(
        opportunities_json: String,
        context_json: String,
        algorithm: String,
        options_json: Option<String>,
    ) -> Result<Arc<Self>, RevcoreError> {
        let opportunities = read_json(&opportunities_json, "opportunities")?;
        let context = read_json(&context_json, "context")?;
        let options = read_optional_json(options_json.as_deref(), "options")?;
        let model = core::train_opportunities_json(
            &opportunities,
            &context,
            &algorithm,
            options.as_ref().unwrap_or(&Value::Null),
        )?;
        Ok(wrap(model))
    }

    /// The model file as compact JSON text (docs/predictive.md, "Model file").
    pub fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// The label the model predicts.
    pub fn label(&self) -> String {
        self.inner.label().to_string()
    }

    /// `logistic` or `naive_bayes`.
    pub fn algorithm(&self) -> String {
        self.inner.algorithm().as_str().to_string()
    }

    /// Scores one row (a JSON object) and explains it, as JSON text:
    /// `{"probability", "log_odds", "base", "factors"}`. Problems are at `row.<feature>`.
    pub fn predict(&self, row_json: String) -> Result<String, RevcoreError> {
        let row = read_json(&row_json, "row")?;
        Ok(self.inner.predict_json(&row)?.to_string())
    }

    /// The probability of every row (a JSON list of row objects or object of columns), in
    /// order: the same numbers `predict` gives each row. Problems are at `rows[i].<feature>`.
    pub fn predict_batch(&self, rows_json: String) -> Result<Vec<f64>, RevcoreError> {
        let rows = read_json(&rows_json, "rows")?;
        Ok(self.inner.predict_batch_json(&rows)?)
    }

    /// Scores labelled rows and measures the scores, as JSON text: `{"rows", "positives",
    /// "auc", "log_loss", "brier", "lift", "calibration"}`.
    pub fn evaluate(&self, rows_json: String, label: String) -> Result<String, RevcoreError> {
        let rows = read_json(&rows_json, "rows")?;
        Ok(self.inner.evaluate_json(&rows, &label)?.to_string())
    }

    /// Scores deals with a model trained by `train_opportunities`, as a JSON list of
    /// `{"opportunity_id", "open", "probability", "log_odds", "base", "factors"}`, in order.
    pub fn predict_opportunities(
        &self,
        opportunities_json: String,
        context_json: String,
    ) -> Result<String, RevcoreError> {
        let opportunities = read_json(&opportunities_json, "opportunities")?;
        let context = read_json(&context_json, "context")?;
        Ok(self
            .inner
            .predict_opportunities_json(&opportunities, &context)?
            .to_string())
    }
}

/// The score at or above which leads go to a team of a given weekly capacity:
/// `{"scores", "capacity_per_week", "inflow_per_week"}` (or `"timestamps"` instead of
/// `inflow_per_week`) answers `{"threshold", "selected", "share", "inflow_per_week",
/// "selected_per_week", "capacity_per_week"}` as JSON text.
#[uniffi::export]
pub fn threshold_for_capacity(input_json: String) -> Result<String, RevcoreError> {
    let input = read_json(&input_json, "")?;
    Ok(core::threshold_for_capacity_json(&input)?.to_string())
}
