//! `revcore.sample.generate`: the core's seeded sample data, as dicts of lists.

use crate::convert::{from_py, to_py};
use crate::error::enter_core;
use pyo3::prelude::*;

/// `options` is `{"seed": 7, "leads": 100, ...}` (built by `revcore.sample.generate`); unknown
/// size names are the core's `ParseError`.
#[pyfunction]
pub fn sample_generate<'py>(
    py: Python<'py>,
    options: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let options = from_py(options, "")?;
    let world = enter_core(py, || revcore::sample::generate_json(&options))?;
    to_py(py, &world)
}
