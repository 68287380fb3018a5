//! Coaching flags (docs/kpis.md, "Coaching"): each rep's metrics against the team's
//! distribution; a rep whose value sits on the wrong side of the team's 25th percentile (75th
//! for metrics where lower is better, such as cycle length) is flagged, with the value and the
//! benchmark.

use super::metrics::Metric;
use super::report::{kpi_report, ReportRequest};
use crate::error::{Error, Problems, Result};
use crate::model::{Opportunity, Pipeline};
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub(crate) fn five() -> u64 {
    5
}
pub(crate) fn quartile() -> f64 {
    25.0
}

/// `{"metrics": ["win_rate", "avg_cycle_days"], "min_closed_deals": 5, "percentile": 25,
/// "as_of"?, "pipeline"?}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CoachingRequest {
    pub metrics: Vec<String>,
    /// A rep is benchmarked with at least this many closed deals.
    #[serde(default = "five")]
    pub min_closed_deals: u64,
    /// The benchmark percentile for metrics where higher is better (0 < p < 50); `100 - p`
    /// for the others.
    #[serde(default = "quartile")]
    pub percentile: f64,
    #[serde(default)]
    pub as_of: Option<DateTime<Utc>>,
    #[serde(default)]
    pub pipeline: Option<Pipeline>,
}

/// The team's distribution of one metric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Benchmark {
    pub metric: String,
    /// Whether higher values are better.
    pub higher_is_better: bool,
    /// Reps benchmarked (enough closed deals, a value).
    pub reps: u64,
    /// The percentile flags are measured against; null with no rep.
    pub benchmark: Option<f64>,
    pub median: Option<f64>,
}

/// A rep on the wrong side of a benchmark.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CoachingFlag {
    pub rep_id: String,
    pub metric: String,
    pub value: f64,
    pub benchmark: f64,
    pub team_median: f64,
    /// `below` (the value is under the benchmark) or `above`.
    pub direction: String,
}

/// Benchmarks per metric (in the order asked) and flags (by metric, then rep id).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Coaching {
    pub benchmarks: Vec<Benchmark>,
    pub flags: Vec<CoachingFlag>,
}

/// The metrics coaching can compare reps on, and whether higher is better.
fn direction(m: Metric) -> Option<bool> {
    match m {
        Metric::WinRate
        | Metric::WinRateValue
        | Metric::WonCount
        | Metric::WonAmount
        | Metric::AvgDealSize
        | Metric::MedianDealSize
        | Metric::PipelineCreated
        | Metric::OpenPipeline
        | Metric::WeightedPipeline
        | Metric::SalesVelocity => Some(true),
        Metric::AvgCycleDays | Metric::MedianCycleDays | Metric::LostCount => Some(false),
        _ => None,
    }
}

/// The `p`th percentile of sorted values by linear interpolation between closest ranks
/// (`h = (n - 1) p / 100`), as numpy's default.
pub fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let h = (n - 1) as f64 * p / 100.0;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(n - 1);
    Some(sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo]))
}

/// Computes coaching flags per rep (`owner_id`). Errors: metrics coaching cannot compare, a
/// percentile outside (0, 50) (`invalid_config`); the report's own errors.
pub fn coaching_flags(
    opportunities: &[Opportunity],
    request: &CoachingRequest,
) -> Result<Coaching> {
    let mut config = Problems::new();
    let mut metrics = Vec::new();
    if request.metrics.is_empty() {
        config.push("metrics", "empty", "name at least one metric");
    }
    for (i, name) in request.metrics.iter().enumerate() {
        match Metric::from_name(name).and_then(|m| direction(m).map(|d| (m, d))) {
            Some((m, _)) if metrics.iter().any(|(x, _)| *x == m) => config.push(
                format!("metrics[{i}]"),
                "duplicate_name",
                format!("`{name}` is asked for twice"),
            ),
            Some(pair) => metrics.push(pair),
            None => config.push(
                format!("metrics[{i}]"),
                "unknown_metric",
                format!("`{name}` is not a metric reps can be compared on (docs/kpis.md)"),
            ),
        }
    }
    let p = request.percentile;
    if !(p > 0.0 && p < 50.0) {
        config.push(
            "percentile",
            "invalid_value",
            "the percentile must be in (0, 50)",
        );
    }
    config.into_result(Error::InvalidConfig)?;

    let mut names: Vec<String> = metrics.iter().map(|(m, _)| m.name().to_string()).collect();
    for extra in ["won_count", "lost_count"] {
        if !names.iter().any(|n| n == extra) {
            names.push(extra.to_string());
        }
    }
    let table = kpi_report(
        opportunities,
        &ReportRequest {
            metrics: names,
            group_by: vec!["owner_id".into()],
            calendar: None,
            as_of: request.as_of,
            pipeline: request.pipeline.clone(),
            quotas: None,
            leads: None,
            sla_minutes: None,
        },
    )?;
    // Rep rows: every row but the totals (the last) and the deals without an owner.
    let groups = &table.rows[..table.rows.len().saturating_sub(1)];
    let reps: Vec<(&str, &serde_json::Map<String, Value>)> = groups
        .iter()
        .filter_map(|r| r["owner_id"].as_str().map(|id| (id, r)))
        .filter(|(_, r)| {
            let closed =
                r["won_count"].as_u64().unwrap_or(0) + r["lost_count"].as_u64().unwrap_or(0);
            closed >= request.min_closed_deals
        })
        .collect();

    let mut benchmarks = Vec::new();
    let mut flags = Vec::new();
    for (m, higher_is_better) in metrics {
        let name = m.name();
        let values: Vec<(&str, f64)> = reps
            .iter()
            .filter_map(|(id, r)| r[name].as_f64().map(|v| (*id, v)))
            .collect();
        let mut sorted: Vec<f64> = values.iter().map(|(_, v)| *v).collect();
        sorted.sort_by(f64::total_cmp);
        let at = if higher_is_better { p } else { 100.0 - p };
        let benchmark = percentile(&sorted, at);
        let median = percentile(&sorted, 50.0);
        if let (Some(b), Some(med)) = (benchmark, median) {
            for (id, v) in &values {
                let flagged = if higher_is_better { *v < b } else { *v > b };
                if flagged {
                    flags.push(CoachingFlag {
                        rep_id: id.to_string(),
                        metric: name.to_string(),
                        value: *v,
                        benchmark: b,
                        team_median: med,
                        direction: if higher_is_better { "below" } else { "above" }.into(),
                    });
                }
            }
        }
        benchmarks.push(Benchmark {
            metric: name.to_string(),
            higher_is_better,
            reps: values.len() as u64,
            benchmark,
            median,
        });
    }
    Ok(Coaching { benchmarks, flags })
}

/// [`coaching_flags`] from JSON: `opportunities` a list, `request` a [`CoachingRequest`].
pub fn coaching_flags_json(opportunities: &Value, request: &Value) -> Result<Value> {
    let mut problems = Vec::new();
    let opportunities = crate::model::read::collect(
        crate::model::read::list::<Opportunity>(opportunities, "opportunities"),
        &mut problems,
    );
    let request =
        crate::model::read::collect(crate::api::parse::<CoachingRequest>(request), &mut problems);
    let (Some(opportunities), Some(request)) = (opportunities, request) else {
        return Err(Error::Parse(problems));
    };
    Ok(serde_json::to_value(coaching_flags(&opportunities, &request)?).expect("flags serialise"))
}
