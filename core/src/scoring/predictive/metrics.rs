//! How good scores are, and what they mean for a team: exact AUC (ties count one half), log
//! loss, Brier score, lift by decile, a calibration table, and the score threshold that sends
//! a team as many leads per week as it can work.
//!
//! Definitions are in docs/predictive.md ("Evaluation"); every sum runs in row order and every
//! tie is broken by row order, so the same scores give the same report everywhere.

use super::num::ln;
use crate::error::{Error, Problem, Problems, Result};
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One decile of rows ranked by score, highest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LiftRow {
    /// 1 (highest scores) to 10.
    pub decile: u32,
    pub count: u64,
    pub positives: u64,
    /// `positives / count`; null when the decile is empty.
    pub rate: Option<f64>,
    /// `rate / overall rate`; null when the decile is empty.
    pub lift: Option<f64>,
}

/// Rows whose predicted probability falls in `[lower, upper)` (the last bin includes 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CalibrationBin {
    pub lower: f64,
    pub upper: f64,
    pub count: u64,
    /// Mean predicted probability; null when empty.
    pub mean_predicted: Option<f64>,
    /// Share of positives; null when empty.
    pub observed_rate: Option<f64>,
}

/// The measures of a model on labelled rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Evaluation {
    pub rows: u64,
    pub positives: u64,
    /// Area under the ROC curve; null when the rows hold one class only.
    pub auc: Option<f64>,
    pub log_loss: f64,
    pub brier: f64,
    /// Ten rows, decile 1 first.
    pub lift: Vec<LiftRow>,
    /// Ten bins of width 0.1.
    pub calibration: Vec<CalibrationBin>,
}

/// Probabilities are clipped to `[CLIP, 1 - CLIP]` in the log loss.
pub const CLIP: f64 = 1e-15;

/// The AUC of `scores` against `labels`: the probability that a random positive scores above
/// a random negative, ties counting one half (the Mann-Whitney statistic with mid-ranks),
/// computed exactly in integers. `None` when there is only one class or a score is NaN.
pub fn auc(scores: &[f64], labels: &[bool]) -> Option<f64> {
    let n = scores.len().min(labels.len());
    if scores[..n].iter().any(|s| s.is_nan()) {
        return None;
    }
    let pos = labels[..n].iter().filter(|&&y| y).count() as u128;
    let neg = n as u128 - pos;
    if pos == 0 || neg == 0 {
        return None;
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    // Twice the rank sum of the positives: a tie group at 1-based ranks a+1..=b has mid-rank
    // (a + 1 + b) / 2.
    let mut twice_rank_sum: u128 = 0;
    let mut start = 0;
    while start < n {
        let mut end = start + 1;
        while end < n && scores[order[end]] == scores[order[start]] {
            end += 1;
        }
        let in_group = order[start..end].iter().filter(|&&i| labels[i]).count() as u128;
        twice_rank_sum += in_group * (start as u128 + 1 + end as u128);
        start = end;
    }
    let numerator = twice_rank_sum - pos * (pos + 1);
    Some(numerator as f64 / (2 * pos * neg) as f64)
}

/// Measures probabilities against labels (same length, probabilities within 0..=1, at least
/// one row): a `validation` error at `probabilities[i]` / `labels` otherwise.
pub fn evaluate(probabilities: &[f64], labels: &[bool]) -> Result<Evaluation> {
    let n = probabilities.len();
    let mut out = Problems::new();
    if labels.len() != n {
        out.push(
            "labels",
            "invalid_length",
            format!("{} labels for {n} probabilities", labels.len()),
        );
    }
    if n == 0 {
        out.push("probabilities", "empty", "there is nothing to evaluate");
    }
    for (i, p) in probabilities.iter().enumerate() {
        if !(0.0..=1.0).contains(p) && out.len() < super::data::MAX_PROBLEMS {
            out.push(
                format!("probabilities[{i}]"),
                "invalid_value",
                format!("{p} is not a probability"),
            );
        }
    }
    out.into_result(Error::Validation)?;
    let positives = labels.iter().filter(|&&y| y).count();
    let (mut log_loss, mut brier) = (0.0, 0.0);
    for (&p, &y) in probabilities.iter().zip(labels) {
        let clipped = p.clamp(CLIP, 1.0 - CLIP);
        log_loss -= if y { ln(clipped) } else { ln(1.0 - clipped) };
        let e = p - if y { 1.0 } else { 0.0 };
        brier += e * e;
    }
    Ok(Evaluation {
        rows: n as u64,
        positives: positives as u64,
        auc: auc(probabilities, labels),
        log_loss: log_loss / n as f64,
        brier: brier / n as f64,
        lift: lift(probabilities, labels, positives),
        calibration: calibration(probabilities, labels),
    })
}

/// Rows ranked by probability, highest first (ties: row order); row at 0-based rank r is in
/// decile `floor(10 r / n) + 1`.
fn lift(probabilities: &[f64], labels: &[bool], positives: usize) -> Vec<LiftRow> {
    let n = probabilities.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| probabilities[b].total_cmp(&probabilities[a]));
    let mut count = [0u64; 10];
    let mut pos = [0u64; 10];
    for (r, &i) in order.iter().enumerate() {
        let decile = r * 10 / n;
        count[decile] += 1;
        pos[decile] += u64::from(labels[i]);
    }
    let overall = positives as f64 / n as f64;
    (0..10)
        .map(|k| {
            let rate = (count[k] > 0).then(|| pos[k] as f64 / count[k] as f64);
            LiftRow {
                decile: k as u32 + 1,
                count: count[k],
                positives: pos[k],
                rate,
                lift: rate.and_then(|r| (overall > 0.0).then(|| r / overall)),
            }
        })
        .collect()
}

/// Ten bins of predicted probability: bin `min(floor(10 p), 9)`.
fn calibration(probabilities: &[f64], labels: &[bool]) -> Vec<CalibrationBin> {
    let mut count = [0u64; 10];
    let mut pos = [0u64; 10];
    let mut sum = [0.0f64; 10];
    for (&p, &y) in probabilities.iter().zip(labels) {
        let k = ((p * 10.0).floor() as usize).min(9);
        count[k] += 1;
        pos[k] += u64::from(y);
        sum[k] += p;
    }
    (0..10)
        .map(|k| CalibrationBin {
            lower: k as f64 / 10.0,
            upper: (k + 1) as f64 / 10.0,
            count: count[k],
            mean_predicted: (count[k] > 0).then(|| sum[k] / count[k] as f64),
            observed_rate: (count[k] > 0).then(|| pos[k] as f64 / count[k] as f64),
        })
        .collect()
}

/// How fast scored leads arrive, for [`threshold_for_capacity`].
#[derive(Debug, Clone, PartialEq)]
pub enum Inflow {
    /// Leads per week, like the scored ones (> 0).
    PerWeek(f64),
    /// The arrival instant of each scored lead (same order and length as the scores): the
    /// inflow is `n / weeks`, `weeks` the time from the first to the last arrival (> 0).
    Timestamps(Vec<DateTime<Utc>>),
}

/// The suggested threshold: pass a lead to the team when its score is `>= threshold`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CapacityThreshold {
    /// The lowest score that still passes; null when not even the best lead fits (the
    /// capacity is below one lead of the sample).
    pub threshold: Option<f64>,
    /// Sample leads at or above the threshold.
    pub selected: u64,
    /// `selected / n`.
    pub share: f64,
    pub inflow_per_week: f64,
    /// `share * inflow_per_week`: expected leads per week at the threshold (<= capacity).
    pub selected_per_week: f64,
    pub capacity_per_week: f64,
}

/// The score threshold that sends a team at most `capacity_per_week` leads per week.
///
/// `scores` are the scores of a representative sample of leads (e.g. last quarter's, scored by
/// the model), `inflow` how fast such leads arrive. The team can take a share
/// `s = capacity / inflow` of them, i.e. `k = floor(s n)` of the sample (all when `s >= 1`).
/// The threshold is the lowest sample score `t` with `#{score >= t} <= k`: leads tied at the
/// boundary are all in or all out, never over capacity.
pub fn threshold_for_capacity(
    scores: &[f64],
    inflow: &Inflow,
    capacity_per_week: f64,
) -> Result<CapacityThreshold> {
    let n = scores.len();
    let mut out = Problems::new();
    if n == 0 {
        out.push("scores", "empty", "no scores to choose a threshold from");
    }
    for (i, s) in scores.iter().enumerate() {
        if !s.is_finite() && out.len() < super::data::MAX_PROBLEMS {
            out.push(
                format!("scores[{i}]"),
                "not_finite",
                format!("{s} is not a finite score"),
            );
        }
    }
    if !(capacity_per_week.is_finite() && capacity_per_week > 0.0) {
        out.push(
            "capacity_per_week",
            "invalid_value",
            "the capacity must be a finite number of leads above 0",
        );
    }
    let inflow_per_week = match inflow {
        Inflow::PerWeek(r) => {
            if !(r.is_finite() && *r > 0.0) {
                out.push(
                    "inflow_per_week",
                    "invalid_value",
                    "the inflow must be a finite number of leads per week above 0",
                );
            }
            *r
        }
        Inflow::Timestamps(ts) => {
            if ts.len() != n {
                out.push(
                    "timestamps",
                    "invalid_length",
                    format!("{} timestamps for {n} scores", ts.len()),
                );
            }
            let first = ts.iter().min();
            let last = ts.iter().max();
            let weeks = match (first, last) {
                (Some(a), Some(b)) => (*b - *a).num_milliseconds() as f64 / (7.0 * 86_400_000.0),
                _ => 0.0,
            };
            if weeks <= 0.0 {
                out.push(
                    "timestamps",
                    "invalid_value",
                    "the timestamps must span some time to measure an inflow",
                );
            }
            n as f64 / weeks
        }
    };
    out.into_result(Error::Validation)?;
    let mut sorted = scores.to_vec();
    sorted.sort_by(|a, b| b.total_cmp(a));
    let share_allowed = capacity_per_week / inflow_per_week;
    let k = if share_allowed >= 1.0 {
        n
    } else {
        ((share_allowed * n as f64).floor() as usize).min(n)
    };
    let threshold = if k == n {
        Some(sorted[n - 1])
    } else {
        // Everything tied with the first excluded score stays out.
        let v = sorted[k];
        let first_v = sorted.partition_point(|s| *s > v);
        (first_v > 0).then(|| sorted[first_v - 1])
    };
    let selected = threshold.map_or(0, |t| sorted.partition_point(|s| *s >= t));
    let share = selected as f64 / n as f64;
    Ok(CapacityThreshold {
        threshold,
        selected: selected as u64,
        share,
        inflow_per_week,
        selected_per_week: share * inflow_per_week,
        capacity_per_week,
    })
}

/// A problem about a missing or unknown input of the JSON capacity helper.
pub(crate) fn capacity_problem(path: &str, message: &str) -> Error {
    Error::Parse(vec![Problem::new(path, "missing_field", message)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_counts_ties_as_half() {
        assert_eq!(auc(&[0.1, 0.9], &[false, true]), Some(1.0));
        assert_eq!(auc(&[0.9, 0.1], &[false, true]), Some(0.0));
        assert_eq!(auc(&[0.5, 0.5], &[false, true]), Some(0.5));
        assert_eq!(auc(&[0.5, 0.5], &[true, true]), None);
    }
}
