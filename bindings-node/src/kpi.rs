//! `kpiReport`, `funnel` and `coachingFlags` (core `kpi`, contract in docs/kpis.md): sales
//! metrics over opportunities, grouped by fields and periods. Convert, call, convert.

use crate::convert::{arg, optional_arg, Json};
use crate::error::OrThrow;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use revcore::import::RecordKind;
use serde_json::{Map, Value};

/// Computes `metrics` over `opportunities` (objects, or the `ImportedRecords` of
/// `readOpportunitiesCsv`, read in place); `options` holds `group_by`, `calendar`, `as_of` (a
/// Date or an RFC 3339 string), `pipeline` and `quotas`. The table as `{columns, rows}`: one
/// row, or one per group then a totals row whose group keys are null.
#[napi(
    catch_unwind,
    ts_args_type = "opportunities: Opportunity[] | ImportedRecords, metrics: KpiMetric[], options?: KpiOptions | null",
    ts_return_type = "KpiTable"
)]
pub fn kpi_report(
    env: Env,
    opportunities: Unknown,
    metrics: Unknown,
    options: Option<Unknown>,
) -> Result<Json> {
    let imported = crate::import::imported_of(
        &env,
        opportunities,
        RecordKind::Opportunities,
        "opportunities",
    )?;
    let table = imported.as_ref().and_then(|i| i.records.opportunities());
    let opportunities = match table {
        Some(_) => Value::Null,
        None => arg(&env, opportunities, "opportunities")?,
    };
    let request = with_metrics(&env, metrics, options)?;
    match table {
        Some(table) => revcore::kpi::kpi_report_request_json(table, &request),
        None => revcore::kpi::kpi_report_json(&opportunities, &request),
    }
    .map(Json)
    .or_throw(&env)
}

/// The options object (absent: `{}`) with `metrics` put in; `metrics` among the options is a
/// `conflict` error (it is an argument of its own).
fn with_metrics(env: &Env, metrics: Unknown, options: Option<Unknown>) -> Result<Value> {
    let metrics = arg(env, metrics, "metrics")?;
    let mut request = options_object(env, options)?;
    if request.contains_key("metrics") {
        return Err(revcore::Error::parse(
            "options.metrics",
            "conflict",
            "metrics are the second argument, not an option",
        ))
        .or_throw(env);
    }
    request.insert("metrics".into(), metrics);
    Ok(Value::Object(request))
}

/// An optional options object: absent, `undefined` or `null` is `{}`.
fn options_object(env: &Env, options: Option<Unknown>) -> Result<Map<String, Value>> {
    match optional_arg(env, options, "options")? {
        Value::Null => Ok(Map::new()),
        Value::Object(map) => Ok(map),
        _ => Err(revcore::Error::parse(
            "options",
            "invalid_type",
            "options must be an object",
        ))
        .or_throw(env),
    }
}

/// The stage funnel from stage histories; `options` holds `as_of` and `pipeline`.
#[napi(
    catch_unwind,
    ts_args_type = "opportunities: Opportunity[], options?: { as_of?: string | Date; pipeline?: Pipeline } | null",
    ts_return_type = "Funnel"
)]
pub fn funnel(env: Env, opportunities: Unknown, options: Option<Unknown>) -> Result<Json> {
    let opportunities = arg(&env, opportunities, "opportunities")?;
    let options = Value::Object(options_object(&env, options)?);
    revcore::kpi::funnel_json(&opportunities, &options)
        .map(Json)
        .or_throw(&env)
}

/// Reps on the wrong side of the team's benchmark for each metric; `options` holds
/// `min_closed_deals`, `percentile`, `as_of` and `pipeline`.
#[napi(
    catch_unwind,
    ts_args_type = "opportunities: Opportunity[], metrics: KpiMetric[], options?: { min_closed_deals?: number; percentile?: number; as_of?: string | Date; pipeline?: Pipeline } | null",
    ts_return_type = "Coaching"
)]
pub fn coaching_flags(
    env: Env,
    opportunities: Unknown,
    metrics: Unknown,
    options: Option<Unknown>,
) -> Result<Json> {
    let opportunities = arg(&env, opportunities, "opportunities")?;
    let request = with_metrics(&env, metrics, options)?;
    revcore::kpi::coaching_flags_json(&opportunities, &request)
        .map(Json)
        .or_throw(&env)
}
