//! `revcore.Condition`: the core's condition language, parsed once and evaluated against dicts.

use crate::convert::{from_py, record_from_py, to_py};
use crate::error::enter_core;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyTuple};
use serde_json::Value;
use std::hash::{DefaultHasher, Hash, Hasher};

/// A parsed, validated condition; immutable, hashable, equal by canonical form.
#[pyclass(module = "revcore", frozen)]
pub struct Condition {
    inner: revcore::Condition,
}

impl Condition {
    /// The canonical JSON form (also how a Condition inside another argument converts).
    pub fn to_json(&self) -> Value {
        self.inner.to_json()
    }
}

#[pymethods]
impl Condition {
    /// Parses a condition spec; raises `ConfigError` listing every problem with its path.
    #[new]
    fn new(py: Python<'_>, spec: &Bound<'_, PyAny>) -> PyResult<Self> {
        let spec = from_py(spec, "")?;
        let inner = enter_core(py, || revcore::Condition::parse(&spec))?;
        Ok(Condition { inner })
    }

    /// Whether `record` (a dict; datetimes, dates and Decimals allowed) satisfies the condition.
    fn matches(&self, py: Python<'_>, record: &Bound<'_, PyAny>) -> PyResult<bool> {
        let record = record_from_py(record, "")?;
        enter_core(py, || Ok(self.inner.matches(&record)))
    }

    /// Why `record` matches or not: `{"matched": bool, "node": {...}}` mirroring the condition.
    fn explain<'py>(
        &self,
        py: Python<'py>,
        record: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let record = record_from_py(record, "")?;
        let explanation = enter_core(py, || Ok(self.inner.explain(&record)))?;
        to_py(py, &explanation)
    }

    /// The canonical spec: what `Condition(...)` accepts, `Condition(c.to_dict()) == c`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.to_json())
    }

    /// The field paths the condition reads, sorted and deduplicated.
    #[getter]
    fn fields(&self) -> Vec<String> {
        self.inner.fields()
    }

    fn __repr__(&self) -> String {
        format!("Condition({})", self.to_json())
    }

    /// Equal to another Condition with the same canonical form; NotImplemented for anything else.
    fn __eq__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> Py<PyAny> {
        match other.cast::<Condition>() {
            Ok(other) => {
                let equal = self.to_json() == other.get().to_json();
                PyBool::new(py, equal).to_owned().into_any().unbind()
            }
            Err(_) => py.NotImplemented(),
        }
    }

    fn __hash__(&self) -> u64 {
        let mut hasher = DefaultHasher::new();
        self.to_json().to_string().hash(&mut hasher);
        hasher.finish()
    }

    /// Pickles as its canonical spec.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let py = slf.py();
        let spec = to_py(py, &slf.get().to_json())?;
        PyTuple::new(
            py,
            [
                slf.get_type().into_any(),
                PyTuple::new(py, [spec])?.into_any(),
            ],
        )
    }
}
