//! KPIs (docs/kpis.md): `revcore.kpi_report`'s native half (wrapped in a `revcore.Table` by
//! revcore/table.py), `revcore.funnel` and `revcore.coaching_flags`. Convert, call the core
//! with the GIL released, convert back.

use crate::convert::{instant_from_py, list_from_py, put_optional, to_py};
use crate::error::enter_core;
use crate::import::Records;
use pyo3::prelude::*;
use revcore::import::{Imported, RecordKind};
use serde_json::{Map, Value};
use std::sync::Arc;

/// The report as `{"columns": [...], "rows": [...]}`.
#[pyfunction]
#[pyo3(signature = (opportunities, metrics, group_by=None, calendar=None, as_of=None, *, pipeline=None, quotas=None, leads=None, sla_minutes=None))]
#[allow(clippy::too_many_arguments)]
pub fn kpi_report<'py>(
    py: Python<'py>,
    opportunities: &Bound<'py, PyAny>,
    metrics: &Bound<'py, PyAny>,
    group_by: Option<&Bound<'py, PyAny>>,
    calendar: Option<&Bound<'py, PyAny>>,
    as_of: Option<&Bound<'py, PyAny>>,
    pipeline: Option<&Bound<'py, PyAny>>,
    quotas: Option<&Bound<'py, PyAny>>,
    leads: Option<&Bound<'py, PyAny>>,
    sla_minutes: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    // Records read by `read_opportunities_csv` stay on the Rust side: no dicts either way.
    let imported = imported_of(opportunities, RecordKind::Opportunities, "opportunities")?;
    let opportunities = match imported {
        Some(_) => Value::Null,
        None => list_from_py(opportunities, "opportunities")?,
    };
    let mut request = Map::new();
    request.insert("metrics".into(), list_from_py(metrics, "metrics")?);
    if let Some(g) = group_by.filter(|g| !g.is_none()) {
        request.insert("group_by".into(), list_from_py(g, "group_by")?);
    }
    put(&mut request, "calendar", calendar)?;
    put(&mut request, "as_of", as_of)?;
    put(&mut request, "pipeline", pipeline)?;
    if let Some(q) = quotas.filter(|q| !q.is_none()) {
        request.insert("quotas".into(), list_from_py(q, "quotas")?);
    }
    if let Some(l) = leads.filter(|l| !l.is_none()) {
        let list = match imported_of(l, RecordKind::Leads, "leads")? {
            Some(records) => serde_json::to_value(records.records.leads().unwrap_or_default())
                .expect("leads serialise"),
            None => list_from_py(l, "leads")?,
        };
        request.insert("leads".into(), list);
    }
    put(&mut request, "sla_minutes", sla_minutes)?;
    let request = Value::Object(request);
    let table = enter_core(py, || match &imported {
        Some(records) => revcore::kpi::kpi_report_request_json(
            records
                .records
                .opportunities()
                .unwrap_or(&revcore::import::OpportunityTable::default()),
            &request,
        ),
        None => revcore::kpi::kpi_report_json(&opportunities, &request),
    })?;
    to_py(py, &table)
}

/// The records behind `obj` when it is a `revcore.Records` of `kind`; `None` for any other
/// object (read as a list); a `parse` error at `at` for records of another kind.
fn imported_of(
    obj: &Bound<'_, PyAny>,
    kind: RecordKind,
    at: &str,
) -> PyResult<Option<Arc<Imported>>> {
    let Ok(records) = obj.cast::<Records>() else {
        return Ok(None);
    };
    let imported = records.borrow().imported().clone();
    imported
        .records
        .expect_kind(kind, at)
        .map_err(|e| crate::error::to_py_err(obj.py(), &e))?;
    Ok(Some(imported))
}

/// Puts an optional keyword argument into a request object: `as_of` as an instant, the others
/// as they are (problems at the argument's name).
fn put<'py>(
    request: &mut Map<String, Value>,
    key: &str,
    value: Option<&Bound<'py, PyAny>>,
) -> PyResult<()> {
    match value.filter(|x| !x.is_none()) {
        Some(v) if key == "as_of" => {
            request.insert(key.into(), Value::String(instant_from_py(v, key)?));
            Ok(())
        }
        _ => put_optional(request, key, value, ""),
    }
}

/// The stage funnel: `{"deals", "stages": [{"stage", "entered", "exited", "advanced",
/// "current", "conversion", "stays", "avg_days", "median_days"}]}`.
#[pyfunction]
#[pyo3(signature = (opportunities, as_of=None, *, pipeline=None))]
pub fn funnel<'py>(
    py: Python<'py>,
    opportunities: &Bound<'py, PyAny>,
    as_of: Option<&Bound<'py, PyAny>>,
    pipeline: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let opportunities = list_from_py(opportunities, "opportunities")?;
    let mut options = Map::new();
    put(&mut options, "as_of", as_of)?;
    put(&mut options, "pipeline", pipeline)?;
    let options = Value::Object(options);
    let result = enter_core(py, || revcore::kpi::funnel_json(&opportunities, &options))?;
    to_py(py, &result)
}

/// Coaching flags per rep: `{"benchmarks": [...], "flags": [...]}`.
#[pyfunction]
#[pyo3(signature = (opportunities, metrics, *, min_closed_deals=None, percentile=None, as_of=None, pipeline=None))]
pub fn coaching_flags<'py>(
    py: Python<'py>,
    opportunities: &Bound<'py, PyAny>,
    metrics: &Bound<'py, PyAny>,
    min_closed_deals: Option<&Bound<'py, PyAny>>,
    percentile: Option<&Bound<'py, PyAny>>,
    as_of: Option<&Bound<'py, PyAny>>,
    pipeline: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let opportunities = list_from_py(opportunities, "opportunities")?;
    let mut request = Map::new();
    request.insert("metrics".into(), list_from_py(metrics, "metrics")?);
    put(&mut request, "min_closed_deals", min_closed_deals)?;
    put(&mut request, "percentile", percentile)?;
    put(&mut request, "as_of", as_of)?;
    put(&mut request, "pipeline", pipeline)?;
    let request = Value::Object(request);
    let result = enter_core(py, || {
        revcore::kpi::coaching_flags_json(&opportunities, &request)
    })?;
    to_py(py, &result)
}
