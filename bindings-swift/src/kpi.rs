//! KPIs (`revcore::kpi`, docs/kpis.md): reports grouped by fields and periods, the stage
//! funnel and coaching flags. Documents cross as JSON text.

use crate::{read_json, read_optional_json, RevcoreError};

/// Computes a report: `request_json` is `{"metrics": [...], "group_by"?, "calendar"?,
/// "as_of"?, "pipeline"?, "quotas"?}`; the table as JSON text (`{"columns", "rows"}`).
#[uniffi::export]
pub fn kpi_report(
    opportunities_json: String,
    request_json: String,
) -> Result<String, RevcoreError> {
    let opportunities = read_json(&opportunities_json, "opportunities")?;
    let request = read_json(&request_json, "")?;
    Ok(revcore::kpi::kpi_report_json(&opportunities, &request)?.to_string())
}

/// The stage funnel from stage histories: `options_json` is `{"as_of"?, "pipeline"?}` or None;
/// the funnel as JSON text.
#[uniffi::export(default(options_json = None))]
pub fn funnel(
    opportunities_json: String,
    options_json: Option<String>,
) -> Result<String, RevcoreError> {
    let opportunities = read_json(&opportunities_json, "opportunities")?;
    let options =
        read_optional_json(options_json.as_deref(), "")?.unwrap_or(serde_json::Value::Null);
    Ok(revcore::kpi::funnel_json(&opportunities, &options)?.to_string())
}

/// Coaching flags: `request_json` is `{"metrics": [...], "min_closed_deals"?, "percentile"?,
/// "as_of"?, "pipeline"?}`; the benchmarks and flags as JSON text.
#[uniffi::export]
pub fn coaching_flags(
    opportunities_json: String,
    request_json: String,
) -> Result<String, RevcoreError> {
    let opportunities = read_json(&opportunities_json, "opportunities")?;
    let request = read_json(&request_json, "")?;
    Ok(revcore::kpi::coaching_flags_json(&opportunities, &request)?.to_string())
}
