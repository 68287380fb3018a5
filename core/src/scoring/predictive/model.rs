//! A trained predictive model: how each feature reads a cell (its preprocessing statistics)
//! and what each reading adds to the log-odds, for both algorithms; training from rows, and
//! prediction, explanation and evaluation of rows.
//!
//! Prediction is one path for every entry point (one row, a batch, a table, a model fresh from
//! training or loaded from JSON): `log_odds = base + c_1 + ... + c_k`, summed in feature order,
//! then the logistic function. So the same model and row give the same bits everywhere.

use super::data::{
    cell_path, choose_levels, read_column, read_flag, read_labels, read_level, read_number, Cell,
    CellError, CellProblems, Coded, Fnv, RawColumn, Rows, Table, MISSING,
};
use super::logistic::{self, Design};
use super::metrics::{self, Evaluation};
use super::naive_bayes as nb;
use super::num::sigmoid;
use super::spec::{check_features, Algorithm, ClassWeight, FeatureKind, FeatureSpec, TrainOptions};
use crate::error::{Error, Problems, Result};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;

/// What the rows of a model are: any rows (`rows`), or opportunities turned into rows by
/// [`super::opportunity_rows`] (`opportunity`, the win-probability model kind).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    #[default]
    Rows,
    Opportunity,
}

/// How training went. `iterations` .. `last_step` are the logistic solver's: Newton steps
/// taken, whether the stopping rule was met, the penalised loss, the largest gradient entry
/// and the largest entry of the last Newton step computed (at the returned coefficients).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TrainingReport {
    pub rows: u64,
    pub positives: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iterations: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub converged: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loss: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_gradient: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_step: Option<f64>,
}

/// How a feature turns a cell into a contribution.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Encoding {
    /// Numeric, logistic: `coefficient * (t - mean) / std` (0 when `std` is 0), `t` the value
    /// (after `ln(1 + x)`), or `median` when missing.
    Linear {
        median: f64,
        mean: f64,
        std: f64,
        coefficient: f64,
    },
    /// Numeric, naive Bayes: one weight per bin, then one for missing.
    Binned { edges: Vec<f64>, weights: Vec<f64> },
    /// Categorical: one weight per level, then "other", then "missing".
    Levels {
        levels: Vec<String>,
        index: HashMap<String, usize, Fnv>,
        weights: Vec<f64>,
    },
    /// Boolean: weights of true, false, missing.
    Flag { weights: [f64; 3] },
}

/// One feature of a trained model.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Feature {
    pub name: String,
    pub kind: FeatureKind,
    pub log: bool,
    pub enc: Encoding,
    /// Naive Bayes: `[positives, negatives]` per slot, in the order of the weights.
    pub counts: Option<Vec<[u64; 2]>>,
}

pub(crate) fn level_index(levels: &[String]) -> HashMap<String, usize, Fnv> {
    levels
        .iter()
        .enumerate()
        .map(|(i, l)| (l.clone(), i))
        .collect()
}

fn standardise(t: f64, mean: f64, std: f64) -> f64 {
    if std > 0.0 {
        (t - mean) / std
    } else {
        0.0
    }
}

impl Feature {
    /// The contribution of one cell and the bucket it was read into.
    pub(crate) fn contribution(&self, cell: Cell<'_>) -> Result<(f64, &'static str), CellError> {
        Ok(match &self.enc {
            Encoding::Linear {
                median,
                mean,
                std,
                coefficient,
            } => {
                let t = read_number(cell, self.log)?;
                let (t, bucket) = if t.is_nan() {
                    (*median, "missing")
                } else {
                    (t, "value")
                };
                (coefficient * standardise(t, *mean, *std), bucket)
            }
            Encoding::Binned { edges, weights } => {
                let t = read_number(cell, self.log)?;
                if t.is_nan() {
                    (weights[edges.len() + 1], "missing")
                } else {
                    (weights[nb::bin_of(edges, t)], "value")
                }
            }
            Encoding::Levels {
                levels,
                index,
                weights,
            } => match read_level(cell)? {
                None => (weights[levels.len() + 1], "missing"),
                Some(level) => match index.get(level.as_ref()) {
                    Some(&j) => (weights[j], "level"),
                    None => (weights[levels.len()], "other"),
                },
            },
            Encoding::Flag { weights } => match read_flag(cell)? {
                Some(true) => (weights[0], "true"),
                Some(false) => (weights[1], "false"),
                None => (weights[2], "missing"),
            },
        })
    }

    pub(crate) fn spec(&self) -> FeatureSpec {
        FeatureSpec {
            name: self.name.clone(),
            kind: self.kind,
            log: self.log,
        }
    }
}

/// A trained model: train it with [`PredictiveModel::train`] (or the JSON and table entry
/// points), score rows, explain, evaluate, save with [`PredictiveModel::to_json`] and load
/// with [`PredictiveModel::from_json`]. Immutable, `Send + Sync`.
#[derive(Debug, Clone, PartialEq)]
pub struct PredictiveModel {
    pub(crate) label: String,
    pub(crate) subject: Subject,
    pub(crate) algorithm: Algorithm,
    pub(crate) options: TrainOptions,
    pub(crate) training: TrainingReport,
    /// The intercept (logistic) or the prior log-odds (naive Bayes).
    pub(crate) base: f64,
    /// Naive Bayes: `[positives, negatives]` of the training rows.
    pub(crate) prior: Option<[u64; 2]>,
    pub(crate) features: Vec<Feature>,
}

/// One feature's part in a prediction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Factor {
    pub feature: String,
    /// The value as seen in the row (`null` when missing).
    pub value: Value,
    /// How it was read: `value` or `missing` (numeric), `level`, `other` or `missing`
    /// (categorical), `true`, `false` or `missing` (boolean).
    pub bucket: String,
    /// Its signed contribution to the log-odds.
    pub contribution: f64,
}

/// A scored row: `probability = 1 / (1 + e^-log_odds)`, `log_odds = base + sum of the
/// factors' contributions`; factors largest absolute contribution first (ties: feature order).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Prediction {
    pub probability: f64,
    pub log_odds: f64,
    pub base: f64,
    pub factors: Vec<Factor>,
}

impl PredictiveModel {
    /// Trains a model on JSON rows (objects). `label` names a boolean column; see
    /// docs/predictive.md for the features, the algorithms, the options and the errors.
    pub fn train(
        rows: &[Value],
        label: &str,
        features: &[FeatureSpec],
        algorithm: Algorithm,
        options: &TrainOptions,
    ) -> Result<PredictiveModel> {
        train(
            Rows::Json(rows),
            label,
            features,
            algorithm,
            options,
            Subject::Rows,
        )
    }

    /// Trains a model on a columnar [`Table`]; the same model as from the same rows as JSON.
    pub fn train_table(
        table: &Table,
        label: &str,
        features: &[FeatureSpec],
        algorithm: Algorithm,
        options: &TrainOptions,
    ) -> Result<PredictiveModel> {
        train(
            Rows::Table(table),
            label,
            features,
            algorithm,
            options,
            Subject::Rows,
        )
    }

    pub fn label(&self) -> &str {
        &self.label
    }

    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    pub fn subject(&self) -> Subject {
        self.subject
    }

    /// The features as they were asked for.
    pub fn features(&self) -> Vec<FeatureSpec> {
        self.features.iter().map(Feature::spec).collect()
    }

    /// The options trained with, defaults filled in.
    pub fn options(&self) -> &TrainOptions {
        &self.options
    }

    pub fn training(&self) -> &TrainingReport {
        &self.training
    }

    /// The intercept (logistic) or prior log-odds (naive Bayes).
    pub fn base(&self) -> f64 {
        self.base
    }

    /// Scores one row (an object) and explains it. Problems are at `row.<feature>`.
    pub fn predict(&self, row: &Value) -> Result<Prediction> {
        if !row.is_object() {
            return Err(Error::parse(
                "row",
                "invalid_type",
                "a row must be an object",
            ));
        }
        self.explain(Rows::Json(std::slice::from_ref(row)), 0, "row")
    }

    /// Scores and explains row `i` of a table. Problems are at `rows[i].<feature>`.
    pub fn predict_table_row(&self, table: &Table, i: usize) -> Result<Prediction> {
        if i >= table.len() {
            return Err(Error::parse(
                format!("rows[{i}]"),
                "out_of_range",
                format!("the table has {} rows", table.len()),
            ));
        }
        self.explain(Rows::Table(table), i, "rows")
    }

    /// The probability of every row, in order. Problems are at `rows[i].<feature>`.
    pub fn predict_batch(&self, rows: &[Value]) -> Result<Vec<f64>> {
        Ok(self
            .log_odds(Rows::Json(rows), "rows")?
            .into_iter()
            .map(sigmoid)
            .collect())
    }

    /// The probability of every row of a table, in order.
    pub fn predict_table(&self, table: &Table) -> Result<Vec<f64>> {
        Ok(self
            .log_odds(Rows::Table(table), "rows")?
            .into_iter()
            .map(sigmoid)
            .collect())
    }

    /// Scores labelled rows and measures the scores (AUC, log-loss, Brier, lift, calibration).
    pub fn evaluate(&self, rows: &[Value], label: &str) -> Result<Evaluation> {
        self.evaluate_rows(Rows::Json(rows), label)
    }

    /// [`PredictiveModel::evaluate`] on a table.
    pub fn evaluate_table(&self, table: &Table, label: &str) -> Result<Evaluation> {
        self.evaluate_rows(Rows::Table(table), label)
    }

    fn evaluate_rows(&self, rows: Rows<'_>, label: &str) -> Result<Evaluation> {
        rows.check_shape("rows")?;
        if rows.len() == 0 {
            return Err(Error::Validation(vec![crate::Problem::new(
                "rows",
                "empty",
                "there are no rows to evaluate",
            )]));
        }
        let mut out = CellProblems::default();
        let labels = read_labels(rows, "rows", label, &mut out);
        let scores = self.log_odds_into(rows, "rows", &mut out);
        out.into_result("rows")?;
        let probabilities: Vec<f64> = scores.into_iter().map(sigmoid).collect();
        metrics::evaluate(&probabilities, &labels)
    }

    /// The log-odds of every row, summed feature by feature (the same order as one row).
    pub(crate) fn log_odds(&self, rows: Rows<'_>, arg: &str) -> Result<Vec<f64>> {
        rows.check_shape(arg)?;
        let mut out = CellProblems::default();
        let scores = self.log_odds_into(rows, arg, &mut out);
        out.into_result(arg)?;
        Ok(scores)
    }

    fn log_odds_into(&self, rows: Rows<'_>, arg: &str, out: &mut CellProblems) -> Vec<f64> {
        let mut scores = vec![self.base; rows.len()];
        for f in &self.features {
            rows.each_cell(&f.name, |i, cell| match f.contribution(cell) {
                Ok((c, _)) => scores[i] += c,
                Err(e) => out.push(cell_path(arg, i, &f.name), e),
            });
        }
        scores
    }

    pub(crate) fn explain(&self, rows: Rows<'_>, i: usize, arg: &str) -> Result<Prediction> {
        let mut out = CellProblems::default();
        let mut log_odds = self.base;
        let mut factors = Vec::with_capacity(self.features.len());
        for f in &self.features {
            let cell = rows.cell(i, &f.name);
            match f.contribution(cell) {
                Ok((c, bucket)) => {
                    log_odds += c;
                    factors.push(Factor {
                        feature: f.name.clone(),
                        // What reads as missing (`""` in a categorical or boolean feature too)
                        // is shown as `null`.
                        value: if bucket == "missing" {
                            Value::Null
                        } else {
                            cell.to_value()
                        },
                        bucket: bucket.to_string(),
                        contribution: c,
                    });
                }
                Err(e) => out.push(cell_path(arg, i, &f.name), e),
            }
        }
        out.into_result(arg)?;
        factors.sort_by(|a, b| b.contribution.abs().total_cmp(&a.contribution.abs()));
        Ok(Prediction {
            probability: sigmoid(log_odds),
            log_odds,
            base: self.base,
            factors,
        })
    }
}

/// The one training path behind every entry point.
pub(crate) fn train(
    rows: Rows<'_>,
    label: &str,
    specs: &[FeatureSpec],
    algorithm: Algorithm,
    options: &TrainOptions,
    subject: Subject,
) -> Result<PredictiveModel> {
    let mut config = Problems::new();
    check_features(specs, label, &mut config);
    let opts = options.resolve(algorithm, &mut config);
    config.into_result(Error::InvalidConfig)?;
    rows.check_shape("rows")?;
    let n = rows.len();
    if n == 0 {
        return Err(Error::Validation(vec![crate::Problem::new(
            "rows",
            "empty",
            "there are no rows to train on",
        )]));
    }
    let mut out = CellProblems::default();
    let labels = read_labels(rows, "rows", label, &mut out);
    let columns: Vec<RawColumn> = specs
        .iter()
        .map(|s| read_column(rows, "rows", s, &mut out))
        .collect();
    out.into_result("rows")?;
    let empty: Vec<crate::Problem> = specs
        .iter()
        .zip(&columns)
        .enumerate()
        .filter(|(_, (_, c))| c.all_missing())
        .map(|(i, (s, _))| {
            crate::Problem::new(
                format!("features[{i}].name"),
                "all_missing",
                format!(
                    "no row has a value for `{}`: check the name (a feature must be seen in training)",
                    s.name
                ),
            )
        })
        .collect();
    if !empty.is_empty() {
        return Err(Error::Validation(empty));
    }
    let positives = labels.iter().filter(|&&y| y).count();
    if positives == 0 || positives == n {
        return Err(Error::Validation(vec![crate::Problem::new(
            "label",
            "invalid_value",
            format!(
                "the label `{label}` has one class only (every row is {}): a model needs both",
                positives == n
            ),
        )]));
    }
    let mut model = PredictiveModel {
        label: label.to_string(),
        subject,
        algorithm,
        options: opts.recorded(algorithm),
        training: TrainingReport {
            rows: n as u64,
            positives: positives as u64,
            iterations: None,
            converged: None,
            loss: None,
            max_gradient: None,
            last_step: None,
        },
        base: 0.0,
        prior: None,
        features: Vec::new(),
    };
    let max_levels = opts.max_levels as usize;
    match algorithm {
        Algorithm::Logistic => {
            let weights = class_weights(&opts.class_weight, n, positives);
            let w: Vec<f64> = labels
                .iter()
                .map(|&y| if y { weights[0] } else { weights[1] })
                .collect();
            let (design, layout) = encode_logistic(
                specs,
                &columns,
                labels.clone(),
                w,
                opts.min_level_count,
                max_levels,
            );
            let fit = logistic::fit(&design, opts.lambda, opts.max_iter, opts.tol)?;
            model.base = fit.beta[0];
            model.features = layout.into_features(&fit.beta, design.d);
            model.training.iterations = Some(fit.iterations);
            model.training.converged = Some(fit.converged);
            model.training.loss = Some(fit.loss);
            model.training.max_gradient = Some(fit.max_gradient);
            model.training.last_step = Some(fit.last_step);
        }
        Algorithm::NaiveBayes => {
            let prior = [positives as u64, (n - positives) as u64];
            model.prior = Some(prior);
            model.base = nb::base(prior);
            model.features = specs
                .iter()
                .zip(&columns)
                .map(|(spec, column)| {
                    train_bayes_feature(spec, column, &labels, prior, &opts, max_levels)
                })
                .collect();
        }
    }
    Ok(model)
}

/// Row weights of the two classes `[positive, negative]`.
fn class_weights(cw: &Option<ClassWeight>, n: usize, positives: usize) -> [f64; 2] {
    match cw {
        None => [1.0, 1.0],
        Some(ClassWeight::Named(_)) => [
            n as f64 / (2.0 * positives as f64),
            n as f64 / (2.0 * (n - positives) as f64),
        ],
        Some(ClassWeight::Explicit { positive, negative }) => [*positive, *negative],
    }
}

/// The slot of every row of a categorical column: level index, `L` for other, `L + 1` for
/// missing; and the levels kept.
fn level_slots(coded: &Coded, min_count: u64, max_levels: usize) -> (Vec<String>, Vec<u32>) {
    let levels = choose_levels(coded, min_count, max_levels);
    let index = level_index(&levels);
    let l = levels.len() as u32;
    let by_code: Vec<u32> = coded
        .dict
        .iter()
        .map(|s| index.get(s).map_or(l, |&j| j as u32))
        .collect();
    let slots = coded
        .codes
        .iter()
        .map(|&c| {
            if c == MISSING {
                l + 1
            } else {
                by_code[c as usize]
            }
        })
        .collect();
    (levels, slots)
}

/// The median of the non-missing values (mean of the two middle ones when even); 0 when
/// every value is missing.
fn median(values: &[f64]) -> f64 {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
    let m = v.len();
    if m == 0 {
        return 0.0;
    }
    // Selection, not a sort: the same value, in linear time.
    let (left, mid, _) = v.select_nth_unstable_by(m / 2, f64::total_cmp);
    let mid = *mid;
    if m % 2 == 1 {
        mid
    } else {
        let below = left.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (below + mid) / 2.0
    }
}

/// Where each feature's coefficients sit in the design.
enum Slot {
    Numeric {
        col: usize,
        median: f64,
        mean: f64,
        std: f64,
    },
    Boolean {
        offset: usize,
    },
    Categorical {
        offset: usize,
        levels: Vec<String>,
    },
}

struct Layout {
    specs: Vec<FeatureSpec>,
    slots: Vec<Slot>,
}

impl Layout {
    fn into_features(self, beta: &[f64], d: usize) -> Vec<Feature> {
        self.specs
            .into_iter()
            .zip(self.slots)
            .map(|(spec, slot)| {
                let enc = match slot {
                    Slot::Numeric {
                        col,
                        median,
                        mean,
                        std,
                    } => Encoding::Linear {
                        median,
                        mean,
                        std,
                        coefficient: beta[col],
                    },
                    Slot::Boolean { offset } => Encoding::Flag {
                        weights: [beta[d + offset], 0.0, beta[d + offset + 1]],
                    },
                    Slot::Categorical { offset, levels } => {
                        let k = levels.len() + 2;
                        Encoding::Levels {
                            index: level_index(&levels),
                            levels,
                            weights: beta[d + offset..d + offset + k].to_vec(),
                        }
                    }
                };
                Feature {
                    name: spec.name,
                    kind: spec.kind,
                    log: spec.log,
                    enc,
                    counts: None,
                }
            })
            .collect()
    }
}

/// Builds the logistic design: intercept and the standardised value of every numeric feature
/// as dense columns; then, as sparse 0/1 columns, two per boolean feature (true, missing; false
/// is the reference) and the one-hot columns of every categorical feature (levels, other,
/// missing), in feature order.
fn encode_logistic(
    specs: &[FeatureSpec],
    columns: &[RawColumn],
    y: Vec<bool>,
    w: Vec<f64>,
    min_count: u64,
    max_levels: usize,
) -> (Design, Layout) {
    let n = y.len();
    let d = 1 + columns
        .iter()
        .filter(|c| matches!(c, RawColumn::Numeric(_)))
        .count();
    let m = columns.len() + 1 - d;
    let mut dense = vec![0.0; n * d];
    for i in 0..n {
        dense[i * d] = 1.0;
    }
    let mut sparse = vec![logistic::NONE; n * m];
    let mut slots = Vec::with_capacity(specs.len());
    let (mut col, mut entry, mut q) = (1, 0, 0);
    for column in columns {
        match column {
            RawColumn::Numeric(values) => {
                let med = median(values);
                let filled: Vec<f64> = values
                    .iter()
                    .map(|&x| if x.is_nan() { med } else { x })
                    .collect();
                let mut sum = 0.0;
                for x in &filled {
                    sum += x;
                }
                let mean = sum / n as f64;
                let mut ss = 0.0;
                for x in &filled {
                    ss += (x - mean) * (x - mean);
                }
                let std = (ss / n as f64).sqrt();
                for (i, x) in filled.iter().enumerate() {
                    dense[i * d + col] = standardise(*x, mean, std);
                }
                slots.push(Slot::Numeric {
                    col,
                    median: med,
                    mean,
                    std,
                });
                col += 1;
            }
            RawColumn::Boolean(values) => {
                for (i, &b) in values.iter().enumerate() {
                    sparse[i * m + entry] = match b {
                        1 => q as u32,
                        2 => (q + 1) as u32,
                        _ => logistic::NONE,
                    };
                }
                slots.push(Slot::Boolean { offset: q });
                q += 2;
                entry += 1;
            }
            RawColumn::Categorical(coded) => {
                let (levels, row_slots) = level_slots(coded, min_count, max_levels);
                for (i, s) in row_slots.iter().enumerate() {
                    sparse[i * m + entry] = (q + *s as usize) as u32;
                }
                let k = levels.len() + 2;
                slots.push(Slot::Categorical { offset: q, levels });
                q += k;
                entry += 1;
            }
        }
    }
    let design = Design {
        n,
        d,
        dense,
        m,
        sparse,
        q,
        y,
        w,
    };
    let layout = Layout {
        specs: specs.to_vec(),
        slots,
    };
    (design, layout)
}

fn train_bayes_feature(
    spec: &FeatureSpec,
    column: &RawColumn,
    labels: &[bool],
    prior: [u64; 2],
    opts: &super::spec::Resolved,
    max_levels: usize,
) -> Feature {
    let (enc, counts) = match column {
        RawColumn::Numeric(values) => {
            let edges = nb::quantile_edges(values, opts.bins);
            let k = edges.len() + 2;
            let slots: Vec<u32> = values
                .iter()
                .map(|&x| {
                    if x.is_nan() {
                        (k - 1) as u32
                    } else {
                        nb::bin_of(&edges, x) as u32
                    }
                })
                .collect();
            let counts = nb::count(&slots, labels, k);
            let weights = nb::weights(&counts, prior, opts.alpha);
            (Encoding::Binned { edges, weights }, counts)
        }
        RawColumn::Categorical(coded) => {
            let (levels, slots) = level_slots(coded, opts.min_level_count, max_levels);
            let counts = nb::count(&slots, labels, levels.len() + 2);
            let weights = nb::weights(&counts, prior, opts.alpha);
            let enc = Encoding::Levels {
                index: level_index(&levels),
                levels,
                weights,
            };
            (enc, counts)
        }
        RawColumn::Boolean(values) => {
            // Stored 0 false, 1 true, 2 missing; slots are true, false, missing.
            let slots: Vec<u32> = values
                .iter()
                .map(|&b| match b {
                    1 => 0,
                    0 => 1,
                    _ => 2,
                })
                .collect();
            let counts = nb::count(&slots, labels, 3);
            let w = nb::weights(&counts, prior, opts.alpha);
            (
                Encoding::Flag {
                    weights: [w[0], w[1], w[2]],
                },
                counts,
            )
        }
    };
    Feature {
        name: spec.name.clone(),
        kind: spec.kind,
        log: spec.log,
        enc,
        counts: Some(counts),
    }
}
