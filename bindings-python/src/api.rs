//! The JSON-level entry points of `revcore::api`: validate, normalize, schema, kinds, the
//! default pipeline and stage lookup. Convert, call, convert; nothing else.

use crate::convert::{from_py, string_from_py, to_py};
use crate::error::enter_core;
use pyo3::prelude::*;
use serde_json::Value;

/// `pipeline` reads under the `pipeline` path, as the core reports its problems.
fn pipeline_from_py(pipeline: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Value>> {
    pipeline
        .filter(|p| !p.is_none())
        .map(|p| from_py(p, "pipeline"))
        .transpose()
}

/// Checks a document of a kind; raises `ValidationError` / `ParseError` listing every
/// problem, or `NotFoundError` for an unknown kind.
#[pyfunction]
#[pyo3(signature = (kind, obj, pipeline=None))]
pub fn validate(
    py: Python<'_>,
    kind: &Bound<'_, PyAny>,
    obj: &Bound<'_, PyAny>,
    pipeline: Option<&Bound<'_, PyAny>>,
) -> PyResult<()> {
    let kind = string_from_py(kind, "kind")?;
    let value = from_py(obj, "")?;
    let pipeline = pipeline_from_py(pipeline)?;
    enter_core(py, || revcore::validate(&kind, &value, pipeline.as_ref()))
}

/// The canonical wire form of a document of a kind (defaults filled in, unknown record keys
/// moved into `attributes`); raises like `validate`.
#[pyfunction]
#[pyo3(signature = (kind, obj, pipeline=None))]
pub fn normalize<'py>(
    py: Python<'py>,
    kind: &Bound<'py, PyAny>,
    obj: &Bound<'py, PyAny>,
    pipeline: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let kind = string_from_py(kind, "kind")?;
    let value = from_py(obj, "")?;
    let pipeline = pipeline_from_py(pipeline)?;
    let normal = enter_core(py, || revcore::normalize(&kind, &value, pipeline.as_ref()))?;
    to_py(py, &normal)
}

/// The JSON Schema of a kind.
#[pyfunction]
pub fn schema<'py>(py: Python<'py>, kind: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let kind = string_from_py(kind, "kind")?;
    let schema = enter_core(py, || revcore::schema(&kind))?;
    to_py(py, &schema)
}

/// Every kind `validate`, `normalize` and `schema` accept, by wire name.
#[pyfunction]
pub fn kinds() -> Vec<&'static str> {
    revcore::Kind::ALL.iter().map(|k| k.name()).collect()
}

/// The default pipeline in wire form.
#[pyfunction]
pub fn default_pipeline(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    let pipeline = enter_core(py, || Ok(revcore::default_pipeline()))?;
    to_py(py, &pipeline)
}

/// The stage a label names (key, name or alias) in `pipeline` (the default one when None),
/// or None.
#[pyfunction]
#[pyo3(signature = (label, pipeline=None))]
pub fn classify_stage<'py>(
    py: Python<'py>,
    label: &Bound<'py, PyAny>,
    pipeline: Option<&Bound<'py, PyAny>>,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    let label = string_from_py(label, "label")?;
    let pipeline = pipeline_from_py(pipeline)?;
    let stage = enter_core(py, || revcore::classify_stage(&label, pipeline.as_ref()))?;
    stage.map(|s| to_py(py, &s)).transpose()
}
