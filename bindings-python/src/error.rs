//! `revcore::Error` -> a `revcore.errors` exception, and the one place that calls into the core
//! with the GIL released.
//!
//! The exception classes are plain Python (`python/revcore/errors.py`) so that they can extend
//! `ValueError` and `LookupError` under abi3; this file only picks the class by the core's code
//! and hands it the core's message, `code` and `errors` (every problem as `{path, code,
//! message}`), so callers branch on data, not text.

use crate::convert::to_py;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyModule};
use revcore::Error as CoreError;

/// The `revcore.errors` class raised for each core error.
fn class_name(err: &CoreError) -> &'static str {
    match err {
        CoreError::Parse(_) => "ParseError",
        CoreError::Validation(_) => "ValidationError",
        CoreError::InvalidConfig(_) => "ConfigError",
        CoreError::NotFound(_) => "NotFoundError",
        CoreError::Conflict(_) => "ConflictError",
    }
}

static ERRORS_MODULE: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

/// The Python exception for a core error, ready to return as `Err(..)`.
pub fn to_py_err(py: Python<'_>, err: &CoreError) -> PyErr {
    // Only when `revcore.errors` itself cannot be imported or built does this fail; that
    // failure is then what is raised.
    build(py, err).unwrap_or_else(|e| e)
}

fn build(py: Python<'_>, err: &CoreError) -> PyResult<PyErr> {
    let module = ERRORS_MODULE.get_or_try_init(py, || -> PyResult<_> {
        Ok(py.import("revcore.errors")?.unbind())
    })?;
    let class = module.bind(py).getattr(class_name(err))?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("code", err.code())?;
    kwargs.set_item("errors", to_py(py, err.problems())?)?;
    let exception = class.call((err.to_string(),), Some(&kwargs))?;
    Ok(PyErr::from_value(exception))
}

/// Runs core work with the GIL released (STYLE.md: polars' `enter_polars`) and raises its
/// error as the matching exception. Every entry point calls the core through here, after its
/// arguments are converted and before its result is: the closure sees only Rust values.
pub fn enter_core<T, F>(py: Python<'_>, work: F) -> PyResult<T>
where
    F: FnOnce() -> revcore::Result<T> + Send,
    T: Send,
{
    py.detach(work).map_err(|e| to_py_err(py, &e))
}
