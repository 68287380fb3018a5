//! `revcore.readiness`: rep readiness and onboarding ramp (docs/content.md, "Readiness").
//! Convert, call the core with the GIL released, convert back.

use crate::convert::{instant_from_py, list_from_py, put_optional, to_py};
use crate::error::enter_core;
use pyo3::prelude::*;
use serde_json::{Map, Value};

/// Each rep's readiness score, missing items and ramp as of `as_of` (an aware datetime or an
/// RFC 3339 str); `{"as_of", "reps": [...], "unmatched": {...}}`.
#[pyfunction]
#[pyo3(signature = (programs, reps, completions, opportunities=None, *, as_of, ramp_quota_share=None, pipeline=None, coaching=None))]
#[allow(clippy::too_many_arguments)]
pub fn readiness<'py>(
    py: Python<'py>,
    programs: &Bound<'py, PyAny>,
    reps: &Bound<'py, PyAny>,
    completions: &Bound<'py, PyAny>,
    opportunities: Option<&Bound<'py, PyAny>>,
    as_of: &Bound<'py, PyAny>,
    ramp_quota_share: Option<&Bound<'py, PyAny>>,
    pipeline: Option<&Bound<'py, PyAny>>,
    coaching: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let programs = list_from_py(programs, "programs")?;
    let reps = list_from_py(reps, "reps")?;
    let completions = list_from_py(completions, "completions")?;
    let opportunities = match opportunities.filter(|o| !o.is_none()) {
        Some(o) => list_from_py(o, "opportunities")?,
        None => Value::Array(Vec::new()),
    };
    let mut options = Map::new();
    options.insert(
        "as_of".into(),
        Value::String(instant_from_py(as_of, "options.as_of")?),
    );
    put_optional(
        &mut options,
        "ramp_quota_share",
        ramp_quota_share,
        "options.",
    )?;
    put_optional(&mut options, "pipeline", pipeline, "options.")?;
    put_optional(&mut options, "coaching", coaching, "options.")?;
    let options = Value::Object(options);
    let report = enter_core(py, || {
        revcore::content::readiness_json(&programs, &reps, &completions, &opportunities, &options)
    })?;
    to_py(py, &report)
}
