//! What a caller asks for when training: the features and their kinds, the algorithm and its
//! options; read from JSON with every problem named by its path, then checked as a whole.
//!
//! This module only describes and checks requests; it never looks at training rows.

use crate::error::{Error, Problems, Result};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeSet;

/// How a column is read and encoded (docs/predictive.md, "Features").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FeatureKind {
    /// A number: median imputation, optional `ln(1 + x)`, standardisation.
    Numeric,
    /// A label: one-hot, rare levels folded into "other", missing as its own level.
    Categorical,
    /// True or false, missing as its own indicator.
    Boolean,
}

impl FeatureKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            FeatureKind::Numeric => "numeric",
            FeatureKind::Categorical => "categorical",
            FeatureKind::Boolean => "boolean",
        }
    }
}

/// One feature to train on: `{"name": "TotalVisits", "kind": "numeric", "log": true}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FeatureSpec {
    /// The column (row key) the feature reads.
    pub name: String,
    pub kind: FeatureKind,
    /// Numeric only: read `ln(1 + x)` instead of `x` (values must be >= 0).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub log: bool,
}

impl FeatureSpec {
    pub fn new(name: impl Into<String>, kind: FeatureKind) -> FeatureSpec {
        FeatureSpec {
            name: name.into(),
            kind,
            log: false,
        }
    }

    /// A numeric feature read through `ln(1 + x)`.
    pub fn log(name: impl Into<String>) -> FeatureSpec {
        FeatureSpec {
            log: true,
            ..FeatureSpec::new(name, FeatureKind::Numeric)
        }
    }
}

/// The learning algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Algorithm {
    /// L2-regularised logistic regression, fitted by Newton's method (IRLS).
    Logistic,
    /// A frequency-table model in the manner of Odoo's predictive lead scoring.
    NaiveBayes,
}

impl Algorithm {
    pub fn as_str(&self) -> &'static str {
        match self {
            Algorithm::Logistic => "logistic",
            Algorithm::NaiveBayes => "naive_bayes",
        }
    }

    /// The algorithm a name gives: `"logistic"` or `"naive_bayes"`; anything else is an
    /// `invalid_config` error at `algorithm` (`unknown_algorithm`).
    pub fn from_name(name: &str) -> Result<Algorithm> {
        match name {
            "logistic" => Ok(Algorithm::Logistic),
            "naive_bayes" => Ok(Algorithm::NaiveBayes),
            other => Err(Error::invalid_config(
                "algorithm",
                "unknown_algorithm",
                format!("unknown algorithm `{other}`: expected `logistic` or `naive_bayes`"),
            )),
        }
    }
}

/// Class weights of the logistic loss: `"balanced"` (each class weighs `n / (2 n_class)`, as
/// scikit-learn's `class_weight="balanced"`) or explicit `{"true": 3.0, "false": 1.0}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum ClassWeight {
    /// Only `"balanced"` is known.
    Named(String),
    Explicit {
        #[serde(rename = "true")]
        positive: f64,
        #[serde(rename = "false")]
        negative: f64,
    },
}

/// Training options; every key is optional and unknown keys are an error. A key that does not
/// apply to the algorithm (`alpha` for `logistic`, `lambda` for `naive_bayes`) is an error too.
/// The model keeps the options it was trained with, defaults filled in.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TrainOptions {
    /// Logistic: the L2 penalty `lambda / 2 * |beta|^2` on the summed log-loss (default 1.0,
    /// which is scikit-learn's `C = 1 / lambda` = 1.0). Must be > 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lambda: Option<f64>,
    /// Logistic: class weights (default none: every row weighs 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class_weight: Option<ClassWeight>,
    /// Logistic: most Newton steps (default 100, at least 1, at most 10,000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_iter: Option<u32>,
    /// Logistic: stop when the largest Newton step is at most this (default 1e-10, > 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tol: Option<f64>,
    /// Naive Bayes: additive smoothing (default 1.0, > 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alpha: Option<f64>,
    /// Naive Bayes: quantile bins of numeric features (default 10, 1..=1000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bins: Option<u32>,
    /// Categorical levels seen fewer times than this in training fold into "other" (default 10,
    /// at least 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_level_count: Option<u64>,
    /// The most levels a categorical feature keeps, most frequent first (ties: by name); the
    /// rest fold into "other" (default 100, 1..=10,000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_levels: Option<u32>,
}

pub const DEFAULT_LAMBDA: f64 = 1.0;
pub const DEFAULT_MAX_ITER: u32 = 100;
pub const DEFAULT_TOL: f64 = 1e-10;
pub const DEFAULT_ALPHA: f64 = 1.0;
pub const DEFAULT_BINS: u32 = 10;
pub const DEFAULT_MIN_LEVEL_COUNT: u64 = 10;
pub const DEFAULT_MAX_LEVELS: u32 = 100;
/// The most features a model may have.
pub const MAX_FEATURES: usize = 1000;

/// Options after checking, defaults filled in.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Resolved {
    pub lambda: f64,
    pub class_weight: Option<ClassWeight>,
    pub max_iter: u32,
    pub tol: f64,
    pub alpha: f64,
    pub bins: u32,
    pub min_level_count: u64,
    pub max_levels: u32,
}

impl TrainOptions {
    /// Reads options from JSON: `null` means all defaults.
    pub fn from_json(value: &Value) -> Result<TrainOptions> {
        if value.is_null() {
            return Ok(TrainOptions::default());
        }
        if !value.is_object() {
            return Err(Error::parse(
                "options",
                "invalid_type",
                "options must be an object",
            ));
        }
        crate::api::parse::<TrainOptions>(value).map_err(|e| e.under("options"))
    }

    /// Checks every option against the algorithm and fills in defaults; every problem is an
    /// `invalid_config` problem under `options`.
    pub(crate) fn resolve(&self, algorithm: Algorithm, out: &mut Problems) -> Resolved {
        let logistic = algorithm == Algorithm::Logistic;
        let not_for = |out: &mut Problems, key: &str, given: bool, applies: bool| {
            if given && !applies {
                out.push(
                    format!("options.{key}"),
                    "not_applicable",
                    format!("`{key}` does not apply to `{}`", algorithm.as_str()),
                );
            }
        };
        not_for(out, "lambda", self.lambda.is_some(), logistic);
        not_for(out, "class_weight", self.class_weight.is_some(), logistic);
        not_for(out, "max_iter", self.max_iter.is_some(), logistic);
        not_for(out, "tol", self.tol.is_some(), logistic);
        not_for(out, "alpha", self.alpha.is_some(), !logistic);
        not_for(out, "bins", self.bins.is_some(), !logistic);

        let positive = |out: &mut Problems, key: &str, v: Option<f64>, default: f64| match v {
            Some(x) if !(x.is_finite() && x > 0.0) => {
                out.push(
                    format!("options.{key}"),
                    "invalid_value",
                    format!("`{key}` must be a finite number above 0, not {x}"),
                );
                default
            }
            Some(x) => x,
            None => default,
        };
        let lambda = positive(out, "lambda", self.lambda, DEFAULT_LAMBDA);
        let tol = positive(out, "tol", self.tol, DEFAULT_TOL);
        let alpha = positive(out, "alpha", self.alpha, DEFAULT_ALPHA);
        let within =
            |out: &mut Problems, key: &str, v: Option<u64>, lo: u64, hi: u64, d: u64| match v {
                Some(x) if x < lo || x > hi => {
                    out.push(
                        format!("options.{key}"),
                        "invalid_value",
                        format!("`{key}` must be within {lo}..={hi}, not {x}"),
                    );
                    d
                }
                Some(x) => x,
                None => d,
            };
        let max_iter = within(
            out,
            "max_iter",
            self.max_iter.map(u64::from),
            1,
            10_000,
            DEFAULT_MAX_ITER.into(),
        ) as u32;
        let bins = within(
            out,
            "bins",
            self.bins.map(u64::from),
            1,
            1000,
            DEFAULT_BINS.into(),
        ) as u32;
        let min_level_count = within(
            out,
            "min_level_count",
            self.min_level_count,
            1,
            u64::MAX,
            DEFAULT_MIN_LEVEL_COUNT,
        );
        let max_levels = within(
            out,
            "max_levels",
            self.max_levels.map(u64::from),
            1,
            10_000,
            DEFAULT_MAX_LEVELS.into(),
        ) as u32;
        match &self.class_weight {
            Some(ClassWeight::Named(name)) if name != "balanced" => out.push(
                "options.class_weight",
                "invalid_value",
                format!("unknown class weight `{name}`: expected `balanced` or {{\"true\": w, \"false\": w}}"),
            ),
            Some(ClassWeight::Explicit { positive, negative }) => {
                for (key, w) in [("true", positive), ("false", negative)] {
                    if !(w.is_finite() && *w > 0.0) {
                        out.push(
                            format!("options.class_weight.{key}"),
                            "invalid_value",
                            format!("a class weight must be a finite number above 0, not {w}"),
                        );
                    }
                }
            }
            _ => {}
        }
        Resolved {
            lambda,
            class_weight: self.class_weight.clone(),
            max_iter,
            tol,
            alpha,
            bins,
            min_level_count,
            max_levels,
        }
    }
}

impl Resolved {
    /// The options as the model file records them: those of the algorithm, defaults filled in.
    pub(crate) fn recorded(&self, algorithm: Algorithm) -> TrainOptions {
        let common = TrainOptions {
            min_level_count: Some(self.min_level_count),
            max_levels: Some(self.max_levels),
            ..TrainOptions::default()
        };
        match algorithm {
            Algorithm::Logistic => TrainOptions {
                lambda: Some(self.lambda),
                class_weight: self.class_weight.clone(),
                max_iter: Some(self.max_iter),
                tol: Some(self.tol),
                ..common
            },
            Algorithm::NaiveBayes => TrainOptions {
                alpha: Some(self.alpha),
                bins: Some(self.bins),
                ..common
            },
        }
    }
}

/// Reads a feature list from JSON, every element's problems under `features[i]`.
pub fn features_from_json(value: &Value) -> Result<Vec<FeatureSpec>> {
    let items = value
        .as_array()
        .ok_or_else(|| Error::parse("features", "invalid_type", "features must be a list"))?;
    let mut out = Vec::with_capacity(items.len());
    let mut problems = Vec::new();
    for (i, item) in items.iter().enumerate() {
        match crate::api::parse::<FeatureSpec>(item) {
            Ok(f) => out.push(f),
            Err(e) => problems.extend(e.under(&format!("features[{i}]")).problems().to_vec()),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(Error::Parse(problems))
    }
}

/// Checks the features against each other and the label: not empty, names non-empty and
/// unique, none named as the label, `log` only on numeric features.
pub(crate) fn check_features(features: &[FeatureSpec], label: &str, out: &mut Problems) {
    if label.is_empty() {
        out.push("label", "invalid_value", "the label must name a column");
    }
    if features.is_empty() {
        out.push("features", "empty", "a model needs at least one feature");
    }
    if features.len() > MAX_FEATURES {
        out.push(
            "features",
            "too_many",
            format!("at most {MAX_FEATURES} features, not {}", features.len()),
        );
    }
    let mut seen = BTreeSet::new();
    for (i, f) in features.iter().enumerate() {
        let path = format!("features[{i}]");
        if f.name.is_empty() {
            out.push(
                format!("{path}.name"),
                "invalid_value",
                "a feature needs a name",
            );
        } else if !seen.insert(f.name.as_str()) {
            out.push(
                format!("{path}.name"),
                "duplicate_name",
                format!("feature `{}` is listed twice", f.name),
            );
        }
        if !label.is_empty() && f.name == label {
            out.push(
                format!("{path}.name"),
                "label_is_feature",
                format!("`{}` is the label; it cannot also be a feature", f.name),
            );
        }
        if f.log && f.kind != FeatureKind::Numeric {
            out.push(
                format!("{path}.log"),
                "invalid_value",
                "`log` applies to numeric features only",
            );
        }
    }
}

/// A training request whose every part was checked (docs/predictive.md, "Errors"): the features,
/// the algorithm and the options, read from their JSON forms.
#[derive(Debug, Clone)]
pub struct TrainRequest {
    pub features: Vec<FeatureSpec>,
    pub algorithm: Algorithm,
    pub options: TrainOptions,
}

impl TrainRequest {
    /// Checks a request before any row is read. First the shapes: every problem in `features`
    /// and `options` together (a `parse` error). Then the request as a whole: the label and the
    /// features against each other, the algorithm, the options against that algorithm (one
    /// `invalid_config` error listing them all, in that order).
    pub fn check(
        features: &Value,
        label: &str,
        algorithm: &str,
        options: &Value,
    ) -> Result<TrainRequest> {
        let features = features_from_json(features);
        let options = TrainOptions::from_json(options);
        let (features, options) = match (features, options) {
            (Ok(f), Ok(o)) => (f, o),
            (f, o) => {
                let mut shape = Vec::new();
                for e in [f.err(), o.err()].into_iter().flatten() {
                    shape.extend(e.problems().to_vec());
                }
                return Err(Error::Parse(shape));
            }
        };
        let mut config = Problems::new();
        check_features(&features, label, &mut config);
        let algorithm = check_algorithm(algorithm, &options, &mut config);
        config.into_result(Error::InvalidConfig)?;
        Ok(TrainRequest {
            features,
            algorithm: algorithm?,
            options,
        })
    }
}

/// The algorithm a name gives, its problem (an unknown name) or the options' problems against
/// it pushed to `out`. With an unknown algorithm the options cannot be checked: only the name is
/// reported.
pub(crate) fn check_algorithm(
    name: &str,
    options: &TrainOptions,
    out: &mut Problems,
) -> Result<Algorithm> {
    let algorithm = Algorithm::from_name(name);
    match &algorithm {
        Ok(a) => {
            options.resolve(*a, out);
        }
        Err(e) => out.extend(e.problems().to_vec()),
    }
    algorithm
}
