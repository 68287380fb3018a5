//! The model file: a trained [`PredictiveModel`] as a versioned JSON document and back.
//!
//! Floats are written in their shortest round-trip form and read back exactly (serde_json's
//! `float_roundtrip`), naive Bayes keeps counts rather than logarithms, and loading recomputes
//! everything derived through the same functions training used: a loaded model gives the same
//! probabilities as the trained one, bit for bit. A file of the wrong shape is a `parse` error
//! at its path; one whose values cannot make a model is an `invalid_config` error.

use super::model::{level_index, Encoding, Feature, PredictiveModel, Subject, TrainingReport};
use super::naive_bayes as nb;
use super::spec::{check_features, Algorithm, FeatureKind, TrainOptions};
use crate::error::{Error, Problems, Result};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The `kind` of every model file.
pub const MODEL_KIND: &str = "predictive_model";
/// The model file version this code writes and reads.
pub const MODEL_VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelWire<F> {
    kind: String,
    version: u32,
    algorithm: Algorithm,
    #[serde(default)]
    subject: Subject,
    label: String,
    #[serde(default)]
    options: TrainOptions,
    training: TrainingReport,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    intercept: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    prior: Option<[u64; 2]>,
    features: Vec<F>,
}

fn no(b: &bool) -> bool {
    !*b
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct LinearWire {
    name: String,
    kind: FeatureKind,
    #[serde(default, skip_serializing_if = "no")]
    log: bool,
    median: f64,
    mean: f64,
    std: f64,
    coefficient: f64,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct LevelsWire {
    name: String,
    kind: FeatureKind,
    levels: Vec<String>,
    coefficients: Vec<f64>,
    other: f64,
    missing: f64,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FlagWire {
    name: String,
    kind: FeatureKind,
    #[serde(rename = "true")]
    yes: f64,
    missing: f64,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BinnedCountsWire {
    name: String,
    kind: FeatureKind,
    #[serde(default, skip_serializing_if = "no")]
    log: bool,
    edges: Vec<f64>,
    counts: Vec<[u64; 2]>,
    missing: [u64; 2],
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct LevelsCountsWire {
    name: String,
    kind: FeatureKind,
    levels: Vec<String>,
    counts: Vec<[u64; 2]>,
    other: [u64; 2],
    missing: [u64; 2],
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FlagCountsWire {
    name: String,
    kind: FeatureKind,
    #[serde(rename = "true")]
    yes: [u64; 2],
    #[serde(rename = "false")]
    no: [u64; 2],
    missing: [u64; 2],
}

#[derive(Serialize)]
#[serde(untagged)]
enum FeatureOut {
    Linear(LinearWire),
    Levels(LevelsWire),
    Flag(FlagWire),
    BinnedCounts(BinnedCountsWire),
    LevelsCounts(LevelsCountsWire),
    FlagCounts(FlagCountsWire),
}

fn feature_out(f: &Feature) -> FeatureOut {
    let name = f.name.clone();
    let kind = f.kind;
    let counts = f.counts.as_deref().unwrap_or(&[]);
    let pair = |i: usize| counts.get(i).copied().unwrap_or([0, 0]);
    match (&f.enc, f.counts.is_some()) {
        (
            Encoding::Linear {
                median,
                mean,
                std,
                coefficient,
            },
            _,
        ) => FeatureOut::Linear(LinearWire {
            name,
            kind,
            log: f.log,
            median: *median,
            mean: *mean,
            std: *std,
            coefficient: *coefficient,
        }),
        (
            Encoding::Levels {
                levels, weights, ..
            },
            false,
        ) => FeatureOut::Levels(LevelsWire {
            name,
            kind,
            levels: levels.clone(),
            coefficients: weights[..levels.len()].to_vec(),
            other: weights[levels.len()],
            missing: weights[levels.len() + 1],
        }),
        (Encoding::Flag { weights }, false) => FeatureOut::Flag(FlagWire {
            name,
            kind,
            yes: weights[0],
            missing: weights[2],
        }),
        (Encoding::Binned { edges, .. }, _) => FeatureOut::BinnedCounts(BinnedCountsWire {
            name,
            kind,
            log: f.log,
            edges: edges.clone(),
            counts: counts[..edges.len() + 1].to_vec(),
            missing: pair(edges.len() + 1),
        }),
        (Encoding::Levels { levels, .. }, true) => FeatureOut::LevelsCounts(LevelsCountsWire {
            name,
            kind,
            levels: levels.clone(),
            counts: counts[..levels.len()].to_vec(),
            other: pair(levels.len()),
            missing: pair(levels.len() + 1),
        }),
        (Encoding::Flag { .. }, true) => FeatureOut::FlagCounts(FlagCountsWire {
            name,
            kind,
            yes: pair(0),
            no: pair(1),
            missing: pair(2),
        }),
    }
}

fn wire(model: &PredictiveModel) -> ModelWire<FeatureOut> {
    let logistic = model.algorithm == Algorithm::Logistic;
    ModelWire {
        kind: MODEL_KIND.to_string(),
        version: MODEL_VERSION,
        algorithm: model.algorithm,
        subject: model.subject,
        label: model.label.clone(),
        options: model.options.clone(),
        training: model.training.clone(),
        intercept: logistic.then_some(model.base),
        prior: model.prior,
        features: model.features.iter().map(feature_out).collect(),
    }
}

impl PredictiveModel {
    /// The model file as compact JSON text (docs/predictive.md, "Model file").
    pub fn to_json(&self) -> String {
        serde_json::to_string(&wire(self)).expect("a model always serialises")
    }

    /// The model file as a JSON value.
    pub fn to_value(&self) -> Value {
        serde_json::to_value(wire(self)).expect("a model always serialises")
    }

    /// Loads a model file from JSON text: `parse` errors for malformed JSON (with its line and
    /// column) or a wrong shape (with the path), `invalid_config` for values that cannot make a
    /// model (`unsupported_version`, lengths that disagree, ...).
    pub fn from_json(text: &str) -> Result<PredictiveModel> {
        let value: Value = serde_json::from_str(text)
            .map_err(|e| Error::parse("", "invalid_json", format!("not valid JSON: {e}")))?;
        PredictiveModel::from_value(&value)
    }

    /// Loads a model file already read as a JSON value.
    pub fn from_value(value: &Value) -> Result<PredictiveModel> {
        let obj = value.as_object().ok_or_else(|| {
            Error::parse("", "invalid_type", "a model file must be a JSON object")
        })?;
        match obj.get("kind").and_then(Value::as_str) {
            Some(MODEL_KIND) | None => {}
            Some(other) => {
                return Err(Error::parse(
                    "kind",
                    "invalid_value",
                    format!("this is a `{other}` document, not a `{MODEL_KIND}`"),
                ))
            }
        }
        if let Some(v) = obj.get("version").and_then(Value::as_u64) {
            if v != u64::from(MODEL_VERSION) {
                return Err(Error::invalid_config(
                    "version",
                    "unsupported_version",
                    format!("model file version {v}; this revcore reads version {MODEL_VERSION}"),
                ));
            }
        }
        let w: ModelWire<Value> = crate::api::parse(value)?;
        let mut parse_problems = Vec::new();
        let mut out = Problems::new();
        let mut features = Vec::with_capacity(w.features.len());
        let logistic = w.algorithm == Algorithm::Logistic;
        let resolved = w.options.resolve(w.algorithm, &mut out);
        let prior = match (w.prior, logistic) {
            (Some(p), false) => {
                if p[0] == 0 || p[1] == 0 {
                    out.push(
                        "prior",
                        "invalid_value",
                        "the prior needs at least one positive and one negative",
                    );
                }
                p
            }
            (None, false) => {
                parse_problems.push(crate::Problem::new(
                    "prior",
                    "missing_field",
                    "a naive_bayes model needs `prior`",
                ));
                [1, 1]
            }
            (Some(_), true) => {
                out.push("prior", "not_applicable", "`prior` is for naive_bayes");
                [1, 1]
            }
            (None, true) => [1, 1],
        };
        let base = match (w.intercept, logistic) {
            (Some(b), true) => b,
            (None, true) => {
                parse_problems.push(crate::Problem::new(
                    "intercept",
                    "missing_field",
                    "a logistic model needs `intercept`",
                ));
                0.0
            }
            (Some(_), false) => {
                out.push("intercept", "not_applicable", "`intercept` is for logistic");
                0.0
            }
            (None, false) => nb::base(prior),
        };
        for (i, fv) in w.features.iter().enumerate() {
            let path = format!("features[{i}]");
            match read_feature(fv, logistic, prior, resolved.alpha, &path, &mut out) {
                Ok(f) => features.push(f),
                Err(e) => parse_problems.extend(e.problems().iter().cloned()),
            }
        }
        if !parse_problems.is_empty() {
            return Err(Error::Parse(parse_problems));
        }
        let specs: Vec<_> = features.iter().map(Feature::spec).collect();
        check_features(&specs, &w.label, &mut out);
        out.into_result(Error::InvalidConfig)?;
        Ok(PredictiveModel {
            label: w.label,
            subject: w.subject,
            algorithm: w.algorithm,
            options: w.options,
            training: w.training,
            base,
            prior: (!logistic).then_some(prior),
            features,
        })
    }
}

fn parse_at<T: DeserializeOwned>(v: &Value, path: &str) -> Result<T> {
    crate::api::parse::<T>(v).map_err(|e| e.under(path))
}

fn check_levels(
    levels: &[String],
    n_values: usize,
    values_key: &str,
    path: &str,
    out: &mut Problems,
) {
    let mut seen = std::collections::BTreeSet::new();
    for (j, l) in levels.iter().enumerate() {
        if l.is_empty() {
            out.push(
                format!("{path}.levels[{j}]"),
                "invalid_value",
                "a level cannot be empty (the empty string reads as missing)",
            );
        } else if !seen.insert(l.as_str()) {
            out.push(
                format!("{path}.levels[{j}]"),
                "duplicate_level",
                format!("level `{l}` is listed twice"),
            );
        }
    }
    if n_values != levels.len() {
        out.push(
            format!("{path}.{values_key}"),
            "invalid_length",
            format!("{n_values} entries for {} levels", levels.len()),
        );
    }
}

fn read_feature(
    v: &Value,
    logistic: bool,
    prior: [u64; 2],
    alpha: f64,
    path: &str,
    out: &mut Problems,
) -> Result<Feature> {
    let kind: FeatureKind = match v.get("kind") {
        Some(k) => parse_at(k, &format!("{path}.kind"))?,
        None => {
            return Err(Error::parse(
                format!("{path}.kind"),
                "missing_field",
                "missing field `kind`",
            ))
        }
    };
    let feature = |name: String, log: bool, enc: Encoding, counts: Option<Vec<[u64; 2]>>| Feature {
        name,
        kind,
        log,
        enc,
        counts,
    };
    Ok(match (kind, logistic) {
        (FeatureKind::Numeric, true) => {
            let w: LinearWire = parse_at(v, path)?;
            if w.std < 0.0 {
                out.push(
                    format!("{path}.std"),
                    "invalid_value",
                    "a standard deviation cannot be negative",
                );
            }
            let enc = Encoding::Linear {
                median: w.median,
                mean: w.mean,
                std: w.std,
                coefficient: w.coefficient,
            };
            feature(w.name, w.log, enc, None)
        }
        (FeatureKind::Categorical, true) => {
            let w: LevelsWire = parse_at(v, path)?;
            check_levels(&w.levels, w.coefficients.len(), "coefficients", path, out);
            let mut weights = w.coefficients;
            weights.resize(w.levels.len(), 0.0);
            weights.push(w.other);
            weights.push(w.missing);
            let enc = Encoding::Levels {
                index: level_index(&w.levels),
                levels: w.levels,
                weights,
            };
            feature(w.name, false, enc, None)
        }
        (FeatureKind::Boolean, true) => {
            let w: FlagWire = parse_at(v, path)?;
            let enc = Encoding::Flag {
                weights: [w.yes, 0.0, w.missing],
            };
            feature(w.name, false, enc, None)
        }
        (FeatureKind::Numeric, false) => {
            let w: BinnedCountsWire = parse_at(v, path)?;
            if w.edges.windows(2).any(|e| e[0] >= e[1]) {
                out.push(
                    format!("{path}.edges"),
                    "invalid_value",
                    "bin edges must be strictly increasing",
                );
            }
            if w.counts.len() != w.edges.len() + 1 {
                out.push(
                    format!("{path}.counts"),
                    "invalid_length",
                    format!(
                        "{} bins of counts for {} edges (want {})",
                        w.counts.len(),
                        w.edges.len(),
                        w.edges.len() + 1
                    ),
                );
            }
            let mut counts = w.counts;
            counts.resize(w.edges.len() + 1, [0, 0]);
            counts.push(w.missing);
            let weights = nb::weights(&counts, prior, alpha);
            let enc = Encoding::Binned {
                edges: w.edges,
                weights,
            };
            feature(w.name, w.log, enc, Some(counts))
        }
        (FeatureKind::Categorical, false) => {
            let w: LevelsCountsWire = parse_at(v, path)?;
            check_levels(&w.levels, w.counts.len(), "counts", path, out);
            let mut counts = w.counts;
            counts.resize(w.levels.len(), [0, 0]);
            counts.push(w.other);
            counts.push(w.missing);
            let weights = nb::weights(&counts, prior, alpha);
            let enc = Encoding::Levels {
                index: level_index(&w.levels),
                levels: w.levels,
                weights,
            };
            feature(w.name, false, enc, Some(counts))
        }
        (FeatureKind::Boolean, false) => {
            let w: FlagCountsWire = parse_at(v, path)?;
            let counts = vec![w.yes, w.no, w.missing];
            let ws = nb::weights(&counts, prior, alpha);
            let enc = Encoding::Flag {
                weights: [ws[0], ws[1], ws[2]],
            };
            feature(w.name, false, enc, Some(counts))
        }
    })
}
