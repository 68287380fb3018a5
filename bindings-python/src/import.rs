//! `revcore.read_opportunities_csv`, `read_leads_csv`, `read_accounts_csv` and the `Records`
//! collection they return (docs/import.md). Convert, call the core with the GIL released,
//! convert back. `Records` keeps the records on the Rust side: a later engine (a KPI report)
//! takes them as they are, and only what Python asks for is converted to dicts.

use crate::convert::{from_py, put_optional, to_py};
use crate::error::enter_core;
use pyo3::exceptions::PyIndexError;
use pyo3::prelude::*;
use pyo3::types::PyList;
use revcore::import::Imported;
use serde_json::{Map, Value};
use std::path::PathBuf;
use std::sync::Arc;

/// The records of one CSV import and the problems of its bad rows.
#[pyclass(module = "revcore._native", frozen, sequence)]
pub struct Records {
    imported: Arc<Imported>,
}

impl Records {
    /// What was read, for other engines of this crate.
    pub fn imported(&self) -> &Arc<Imported> {
        &self.imported
    }
}

#[pymethods]
impl Records {
    fn __len__(&self) -> usize {
        self.imported.records.len()
    }

    /// `"opportunities"`, `"leads"` or `"accounts"`.
    #[getter]
    fn kind(&self) -> &'static str {
        self.imported.records.kind().name()
    }

    /// One dict per problem of a bad row: `{line, column, field, code, message}`.
    #[getter]
    fn errors<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.imported.errors)
    }

    fn __getitem__<'py>(&self, py: Python<'py>, index: isize) -> PyResult<Bound<'py, PyAny>> {
        let len = self.imported.records.len() as isize;
        let i = if index < 0 { index + len } else { index };
        match (i >= 0)
            .then(|| self.imported.records.get_json(i as usize))
            .flatten()
        {
            Some(record) => to_py(py, &record),
            None => Err(PyIndexError::new_err(format!(
                "index {index} is out of range for {len} records"
            ))),
        }
    }

    fn __iter__(&self) -> RecordsIter {
        RecordsIter {
            imported: Arc::clone(&self.imported),
            next: 0,
        }
    }

    /// Every record as a dict, in file order.
    fn to_dicts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        for i in 0..self.imported.records.len() {
            if let Some(record) = self.imported.records.get_json(i) {
                list.append(to_py(py, &record)?)?;
            }
        }
        Ok(list)
    }

    /// A pandas DataFrame of the records, nested values flattened by `pandas.json_normalize`
    /// (`amount.amount`, `amount.currency`, `attributes.Pipeline`). Needs pandas.
    fn to_pandas<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let pandas = py.import("pandas")?;
        pandas.call_method1("json_normalize", (self.to_dicts(py)?,))
    }

    fn __repr__(&self) -> String {
        format!(
            "<revcore.Records {} {} records, {} errors>",
            self.imported.records.len(),
            self.imported.records.kind().name(),
            self.imported.errors.len()
        )
    }
}

/// Iterates a `Records` as dicts.
#[pyclass(module = "revcore._native")]
pub struct RecordsIter {
    imported: Arc<Imported>,
    next: usize,
}

#[pymethods]
impl RecordsIter {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__<'py>(&mut self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        match self.imported.records.get_json(self.next) {
            Some(record) => {
                self.next += 1;
                to_py(py, &record).map(Some)
            }
            None => Ok(None),
        }
    }
}

/// Reads one kind: arguments to the core's wire forms, the read with the GIL released.
#[allow(clippy::too_many_arguments)]
fn read(
    py: Python<'_>,
    kind: &'static str,
    path: PathBuf,
    mapping: &Bound<'_, PyAny>,
    pipeline: Option<&Bound<'_, PyAny>>,
    date_order: Option<&Bound<'_, PyAny>>,
    strict: bool,
    currency: Option<&Bound<'_, PyAny>>,
    fields: Option<&Bound<'_, PyAny>>,
) -> PyResult<Records> {
    let mapping = from_py(mapping, "mapping")?;
    let pipeline = pipeline
        .filter(|p| !p.is_none())
        .map(|p| from_py(p, "pipeline"))
        .transpose()?;
    let mut options = Map::new();
    options.insert("strict".into(), Value::Bool(strict));
    put_optional(&mut options, "date_order", date_order, "options.")?;
    put_optional(&mut options, "currency", currency, "options.")?;
    put_optional(&mut options, "fields", fields, "options.")?;
    let options = Value::Object(options);
    let imported = enter_core(py, || {
        revcore::import::read_csv_path_json(
            kind,
            &path,
            &mapping,
            pipeline.as_ref(),
            Some(&options),
        )
    })?;
    Ok(Records {
        imported: Arc::new(imported),
    })
}

/// Opportunities from a CSV export (docs/import.md).
#[pyfunction]
#[pyo3(signature = (path, mapping, pipeline=None, *, date_order=None, strict=false, currency=None, fields=None))]
#[allow(clippy::too_many_arguments)]
pub fn read_opportunities_csv(
    py: Python<'_>,
    path: PathBuf,
    mapping: &Bound<'_, PyAny>,
    pipeline: Option<&Bound<'_, PyAny>>,
    date_order: Option<&Bound<'_, PyAny>>,
    strict: bool,
    currency: Option<&Bound<'_, PyAny>>,
    fields: Option<&Bound<'_, PyAny>>,
) -> PyResult<Records> {
    read(
        py,
        "opportunities",
        path,
        mapping,
        pipeline,
        date_order,
        strict,
        currency,
        fields,
    )
}

/// Leads from a CSV export (docs/import.md); `pipeline` is accepted for symmetry and unused.
#[pyfunction]
#[pyo3(signature = (path, mapping, pipeline=None, *, date_order=None, strict=false, currency=None, fields=None))]
#[allow(clippy::too_many_arguments)]
pub fn read_leads_csv(
    py: Python<'_>,
    path: PathBuf,
    mapping: &Bound<'_, PyAny>,
    pipeline: Option<&Bound<'_, PyAny>>,
    date_order: Option<&Bound<'_, PyAny>>,
    strict: bool,
    currency: Option<&Bound<'_, PyAny>>,
    fields: Option<&Bound<'_, PyAny>>,
) -> PyResult<Records> {
    read(
        py, "leads", path, mapping, pipeline, date_order, strict, currency, fields,
    )
}

/// Accounts from a CSV export (docs/import.md); `pipeline` is accepted for symmetry and unused.
#[pyfunction]
#[pyo3(signature = (path, mapping, pipeline=None, *, date_order=None, strict=false, currency=None, fields=None))]
#[allow(clippy::too_many_arguments)]
pub fn read_accounts_csv(
    py: Python<'_>,
    path: PathBuf,
    mapping: &Bound<'_, PyAny>,
    pipeline: Option<&Bound<'_, PyAny>>,
    date_order: Option<&Bound<'_, PyAny>>,
    strict: bool,
    currency: Option<&Bound<'_, PyAny>>,
    fields: Option<&Bound<'_, PyAny>>,
) -> PyResult<Records> {
    read(
        py, "accounts", path, mapping, pipeline, date_order, strict, currency, fields,
    )
}
