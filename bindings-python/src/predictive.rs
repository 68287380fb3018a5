//! `revcore.PredictiveModel` and `revcore.threshold_for_capacity`: predictive models
//! (docs/predictive.md). Convert, call with the GIL released, convert back; every rule is the
//! core's.
//!
//! Rows come as a list (or iterable) of dicts, a dict of columns, or a pandas DataFrame
//! (detected by its type's module, pandas is never imported here). Lists of dicts and
//! DataFrames are handed over as the core's columnar [`Table`], built from the columns the
//! model reads only (features and label; other keys are ignored, as the core ignores them):
//! a column of numbers (int, float, NumPy numbers; None and NaN missing) is a
//! `Column::Number`, so NaN is missing and an infinity reaches the core, which refuses it as
//! `not_finite` at `rows[i].<feature>`; booleans a `Column::Bool`, strs a `Column::Text`,
//! anything else (mixed) a `Column::Values` of JSON values. A list holding something other
//! than dicts, and a dict of columns, go the JSON way so that the core reports them.

use crate::convert::{from_py, instant_from_py, list_from_py, string_from_py, to_py};
use crate::error::{enter_core, to_py_err};
use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple, PyType,
};
use revcore::scoring::predictive::{self as core, Column, Table};
use revcore::{Error as CoreError, Problem};
use serde_json::{Map, Number, Value};

/// Rows ready for the core: a table, or JSON for the core to read (and refuse) itself.
enum Rows {
    Table(Table),
    Json(Value),
}

/// Whether `obj` is a pandas DataFrame (or a subclass of one), without importing pandas.
fn is_dataframe(obj: &Bound<'_, PyAny>) -> PyResult<bool> {
    if !(obj.hasattr("columns")? && obj.hasattr("dtypes")?) {
        return Ok(false);
    }
    for class in obj.get_type().getattr("__mro__")?.try_iter()? {
        let class = class?;
        let module: String = class.getattr("__module__")?.extract().unwrap_or_default();
        let name: String = class.getattr("__name__")?.extract().unwrap_or_default();
        if module.starts_with("pandas") && name == "DataFrame" {
            return Ok(true);
        }
    }
    Ok(false)
}

/// One cell as classified for a column.
enum Cell<'py> {
    Missing,
    Number(f64),
    Bool(bool),
    Text(String),
    Other(Bound<'py, PyAny>),
}

fn classify<'py>(obj: Bound<'py, PyAny>) -> PyResult<Cell<'py>> {
    if obj.is_none() {
        return Ok(Cell::Missing);
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Cell::Bool(b.is_true()));
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        let x = f.value();
        return Ok(if x.is_nan() {
            Cell::Missing
        } else {
            Cell::Number(x)
        });
    }
    if obj.is_instance_of::<PyInt>() {
        return Ok(match obj.extract::<f64>() {
            Ok(x) => Cell::Number(x),
            Err(_) => Cell::Other(obj),
        });
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(match s.to_cow() {
            Ok(s) => Cell::Text(s.into_owned()),
            Err(_) => Cell::Other(obj),
        });
    }
    // NumPy scalars (np.int64, np.bool_, np.float32, ...): their Python value.
    if let Some(item) = crate::convert::numpy_scalar(&obj)? {
        return classify(item);
    }
    Ok(Cell::Other(obj))
}

/// `rows[3].x`, or `row.x` for a single row.
fn cell_path(arg: &str, i: usize, name: &str) -> String {
    if arg == "row" {
        format!("row.{name}")
    } else {
        format!("{arg}[{i}].{name}")
    }
}

/// A column from its cells (`None`: the key is absent in that row).
fn column_of(
    arg: &str,
    name: &str,
    cells: Vec<Cell<'_>>,
    problems: &mut Vec<Problem>,
) -> PyResult<Column> {
    let (mut numbers, mut bools, mut texts, mut others) = (false, false, false, false);
    for c in &cells {
        match c {
            Cell::Missing => {}
            Cell::Number(_) => numbers = true,
            Cell::Bool(_) => bools = true,
            Cell::Text(_) => texts = true,
            Cell::Other(_) => others = true,
        }
    }
    let kinds = [numbers, bools, texts, others]
        .iter()
        .filter(|&&k| k)
        .count();
    if kinds <= 1 && !others {
        if bools {
            let v = cells
                .into_iter()
                .map(|c| match c {
                    Cell::Bool(b) => Some(b),
                    _ => None,
                })
                .collect();
            return Ok(Column::Bool(v));
        }
        if texts {
            let v = cells
                .into_iter()
                .map(|c| match c {
                    Cell::Text(s) => Some(s),
                    _ => None,
                })
                .collect();
            return Ok(Column::Text(v));
        }
        let v = cells
            .into_iter()
            .map(|c| match c {
                Cell::Number(x) => x,
                _ => f64::NAN,
            })
            .collect();
        return Ok(Column::Number(v));
    }
    // Mixed: one JSON value per cell, read by the core as JSON rows are.
    let mut values = Vec::with_capacity(cells.len());
    for (i, c) in cells.into_iter().enumerate() {
        values.push(match c {
            Cell::Missing => Value::Null,
            Cell::Bool(b) => Value::Bool(b),
            Cell::Text(s) => Value::String(s),
            Cell::Number(x) => match Number::from_f64(x) {
                Some(n) => Value::Number(n),
                None => {
                    // JSON cannot hold an infinity; refuse it as the core does in a number
                    // column, never as missing.
                    problems.push(Problem::new(
                        cell_path(arg, i, name),
                        "not_finite",
                        format!("{x} is not a finite number (NaN is read as missing, infinities are refused)"),
                    ));
                    Value::Null
                }
            },
            Cell::Other(obj) => from_py(&obj, &cell_path(arg, i, name))?,
        });
    }
    Ok(Column::Values(values))
}

/// The names of `features` (a list of `{"name": ...}`), as far as they can be read; the core
/// reports any feature that is not well formed.
fn feature_names(features: &Value) -> Vec<String> {
    features
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|f| f.get("name").and_then(Value::as_str).map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn dedup(names: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(names.len());
    for n in names {
        if !out.contains(&n) {
            out.push(n);
        }
    }
    out
}

fn table(
    py: Python<'_>,
    columns: Vec<(String, Column)>,
    problems: Vec<Problem>,
) -> PyResult<Table> {
    if !problems.is_empty() {
        return Err(to_py_err(py, &CoreError::Validation(problems)));
    }
    Table::new(columns).map_err(|e| to_py_err(py, &e.under("rows")))
}

/// Rows from a list of dicts: the `names` columns of a table.
fn table_from_dicts(
    py: Python<'_>,
    rows: &[Bound<'_, PyAny>],
    names: &[String],
    arg: &str,
) -> PyResult<Table> {
    let mut columns = Vec::with_capacity(names.len());
    let mut problems = Vec::new();
    for name in names {
        let mut cells = Vec::with_capacity(rows.len());
        for row in rows {
            let dict = row.cast::<PyDict>()?;
            cells.push(match dict.get_item(name)? {
                Some(v) => classify(v)?,
                None => Cell::Missing,
            });
        }
        columns.push((name.clone(), column_of(arg, name, cells, &mut problems)?));
    }
    table(py, columns, problems)
}

/// Rows from a DataFrame: the `names` columns (absent ones all missing), column by column.
fn table_from_dataframe(
    py: Python<'_>,
    df: &Bound<'_, PyAny>,
    names: &[String],
) -> PyResult<Table> {
    let n = df.len()?;
    let present: Vec<Bound<'_, PyAny>> = df
        .getattr("columns")?
        .call_method0("tolist")?
        .try_iter()?
        .collect::<PyResult<_>>()?;
    let nan = PyFloat::new(py, f64::NAN);
    let mut columns = Vec::with_capacity(names.len());
    let mut problems = Vec::new();
    for name in names {
        let count = present
            .iter()
            .filter(|c| c.extract::<String>().is_ok_and(|c| &c == name))
            .count();
        if count > 1 {
            let err = CoreError::parse(
                format!("rows.columns.{name}"),
                "duplicate_name",
                format!("the DataFrame has {count} columns named `{name}`"),
            );
            return Err(to_py_err(py, &err));
        }
        if count == 0 {
            columns.push((name.clone(), Column::Number(vec![f64::NAN; n])));
            continue;
        }
        let series = df.get_item(name)?;
        let kind: String = series.getattr("dtype")?.getattr("kind")?.extract()?;
        let column = match kind.as_str() {
            "i" | "u" | "f" => {
                let kwargs = PyDict::new(py);
                kwargs.set_item("dtype", "float64")?;
                kwargs.set_item("na_value", &nan)?;
                let values = series
                    .call_method("to_numpy", (), Some(&kwargs))?
                    .call_method0("tolist")?;
                Column::Number(values.extract()?)
            }
            _ => {
                let values = series.call_method0("tolist")?;
                let missing: Vec<bool> = series
                    .call_method0("isna")?
                    .call_method0("tolist")?
                    .extract()?;
                let mut cells = Vec::with_capacity(n);
                for (item, missing) in values.try_iter()?.zip(missing) {
                    let item = item?;
                    cells.push(if missing {
                        Cell::Missing
                    } else {
                        classify(item)?
                    });
                }
                column_of("rows", name, cells, &mut problems)?
            }
        };
        columns.push((name.clone(), column));
    }
    table(py, columns, problems)
}

/// The rows argument: a DataFrame or a list (or iterable) of dicts as a table of the `names`
/// columns; anything else as JSON, for the core to read or refuse.
fn rows_from_py(py: Python<'_>, rows: &Bound<'_, PyAny>, names: &[String]) -> PyResult<Rows> {
    if is_dataframe(rows)? {
        return table_from_dataframe(py, rows, names).map(Rows::Table);
    }
    let as_itself = rows.is_instance_of::<PyDict>()
        || rows.is_instance_of::<PyString>()
        || rows.is_instance_of::<PyBytes>()
        || rows.is_instance_of::<PyByteArray>();
    if as_itself {
        return from_py(rows, "rows").map(Rows::Json);
    }
    let items: Vec<Bound<'_, PyAny>> = if let Ok(list) = rows.cast::<PyList>() {
        list.iter().collect()
    } else if let Ok(tuple) = rows.cast::<PyTuple>() {
        tuple.iter().collect()
    } else if let Ok(iter) = rows.try_iter() {
        iter.collect::<PyResult<_>>()?
    } else {
        return from_py(rows, "rows").map(Rows::Json);
    };
    if items.iter().all(|r| r.is_instance_of::<PyDict>()) {
        table_from_dicts(py, &items, names, "rows").map(Rows::Table)
    } else {
        from_py(&PyList::new(py, items)?.into_any(), "rows").map(Rows::Json)
    }
}

/// Keyword options as the core's options object; `lambda_` (`lambda` is a Python keyword)
/// stands for `lambda`.
fn options_from_py(options: Option<&Bound<'_, PyDict>>) -> PyResult<Value> {
    let Some(options) = options.filter(|o| !o.is_empty()) else {
        return Ok(Value::Null);
    };
    let Value::Object(mut map) = from_py(options.as_any(), "options")? else {
        return Ok(Value::Null);
    };
    if !map.contains_key("lambda") {
        if let Some(v) = map.remove("lambda_") {
            map.insert("lambda".into(), v);
        }
    }
    Ok(Value::Object(map))
}

/// The opportunity context: `as_of` and the optional pipeline, accounts and engagement.
fn context_from_py(
    as_of: Option<&Bound<'_, PyAny>>,
    pipeline: Option<&Bound<'_, PyAny>>,
    accounts: Option<&Bound<'_, PyAny>>,
    engagement: Option<&Bound<'_, PyAny>>,
) -> PyResult<Value> {
    let mut ctx = Map::new();
    if let Some(as_of) = as_of.filter(|a| !a.is_none()) {
        ctx.insert(
            "as_of".into(),
            Value::String(instant_from_py(as_of, "context.as_of")?),
        );
    }
    if let Some(p) = pipeline.filter(|p| !p.is_none()) {
        ctx.insert("pipeline".into(), from_py(p, "context.pipeline")?);
    }
    if let Some(a) = accounts.filter(|a| !a.is_none()) {
        ctx.insert("accounts".into(), list_from_py(a, "context.accounts")?);
    }
    if let Some(e) = engagement.filter(|e| !e.is_none()) {
        ctx.insert("engagement".into(), from_py(e, "context.engagement")?);
    }
    Ok(Value::Object(ctx))
}

/// `rows[0]...` -> `row...`: a single row is scored as a one-row table.
fn as_single_row(err: CoreError) -> CoreError {
    let fix = |mut ps: Vec<Problem>| {
        for p in &mut ps {
            if let Some(rest) = p.path.strip_prefix("rows[0]") {
                p.path = format!("row{rest}");
            }
        }
        ps
    };
    match err {
        CoreError::Parse(ps) => CoreError::Parse(fix(ps)),
        CoreError::Validation(ps) => CoreError::Validation(fix(ps)),
        CoreError::InvalidConfig(ps) => CoreError::InvalidConfig(fix(ps)),
        other => other,
    }
}

/// A trained predictive model (docs/predictive.md). Immutable; safe to share between threads,
/// which train, score and evaluate with the GIL released.
#[pyclass(module = "revcore", frozen)]
pub struct PredictiveModel {
    inner: revcore::PredictiveModel,
}

impl PredictiveModel {
    fn names(&self) -> Vec<String> {
        self.inner.features().into_iter().map(|f| f.name).collect()
    }
}

#[pymethods]
impl PredictiveModel {
    /// Trains a model on `rows` (a list of dicts, a dict of columns or a pandas DataFrame).
    #[classmethod]
    #[pyo3(signature = (rows, label, features, algorithm="logistic", **options))]
    fn train(
        _cls: &Bound<'_, PyType>,
        py: Python<'_>,
        rows: &Bound<'_, PyAny>,
        label: &Bound<'_, PyAny>,
        features: &Bound<'_, PyAny>,
        algorithm: &str,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        let label = string_from_py(label, "label")?;
        let features = list_from_py(features, "features")?;
        let options = options_from_py(options)?;
        let mut names = feature_names(&features);
        names.push(label.clone());
        // The request is checked before any row is converted (docs/predictive.md, "Errors").
        let request = enter_core(py, || {
            core::TrainRequest::check(&features, &label, algorithm, &options)
        })?;
        let rows = rows_from_py(py, rows, &dedup(names))?;
        let inner = enter_core(py, || match &rows {
            Rows::Json(rows) => core::train_json(rows, &label, &features, algorithm, &options),
            Rows::Table(table) => revcore::PredictiveModel::train_table(
                table,
                &label,
                &request.features,
                request.algorithm,
                &request.options,
            ),
        })?;
        Ok(PredictiveModel { inner })
    }

    /// Trains a win-probability model on the closed opportunities, as of `as_of`.
    #[classmethod]
    #[pyo3(signature = (opportunities, as_of, algorithm="logistic", *, pipeline=None, accounts=None, engagement=None, **options))]
    #[allow(clippy::too_many_arguments)]
    fn train_opportunities(
        _cls: &Bound<'_, PyType>,
        py: Python<'_>,
        opportunities: &Bound<'_, PyAny>,
        as_of: Option<&Bound<'_, PyAny>>,
        algorithm: &str,
        pipeline: Option<&Bound<'_, PyAny>>,
        accounts: Option<&Bound<'_, PyAny>>,
        engagement: Option<&Bound<'_, PyAny>>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        let opportunities = list_from_py(opportunities, "opportunities")?;
        let context = context_from_py(as_of, pipeline, accounts, engagement)?;
        let options = options_from_py(options)?;
        let inner = enter_core(py, || {
            core::train_opportunities_json(&opportunities, &context, algorithm, &options)
        })?;
        Ok(PredictiveModel { inner })
    }

    /// Loads a model file (`to_json`'s text).
    #[classmethod]
    fn from_json(
        _cls: &Bound<'_, PyType>,
        py: Python<'_>,
        text: &Bound<'_, PyAny>,
    ) -> PyResult<Self> {
        let text = string_from_py(text, "")?;
        let inner = enter_core(py, || revcore::PredictiveModel::from_json(&text))?;
        Ok(PredictiveModel { inner })
    }

    /// The model file as compact JSON text.
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        enter_core(py, || Ok(self.inner.to_json()))
    }

    /// Scores one row (a dict) with its factors.
    fn predict<'py>(
        &self,
        py: Python<'py>,
        row: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let prediction = if let Ok(dict) = row.cast::<PyDict>() {
            let table = table_from_dicts(py, &[dict.clone().into_any()], &self.names(), "row")?;
            enter_core(py, || {
                let p = self
                    .inner
                    .predict_table_row(&table, 0)
                    .map_err(as_single_row)?;
                Ok(serde_json::to_value(p).expect("predictions serialise"))
            })?
        } else {
            let row = from_py(row, "row")?;
            enter_core(py, || self.inner.predict_json(&row))?
        };
        to_py(py, &prediction)
    }

    /// The probability of every row, in order.
    fn predict_batch(&self, py: Python<'_>, rows: &Bound<'_, PyAny>) -> PyResult<Vec<f64>> {
        let rows = rows_from_py(py, rows, &self.names())?;
        enter_core(py, || match &rows {
            Rows::Json(rows) => self.inner.predict_batch_json(rows),
            Rows::Table(table) => self.inner.predict_table(table),
        })
    }

    /// Scores labelled rows and measures the scores: AUC, log loss, Brier, lift, calibration.
    fn evaluate<'py>(
        &self,
        py: Python<'py>,
        rows: &Bound<'py, PyAny>,
        label: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let label = string_from_py(label, "label")?;
        let mut names = self.names();
        names.push(label.clone());
        let rows = rows_from_py(py, rows, &dedup(names))?;
        let report = enter_core(py, || match &rows {
            Rows::Json(rows) => self.inner.evaluate_json(rows, &label),
            Rows::Table(table) => Ok(serde_json::to_value(
                self.inner.evaluate_table(table, &label)?,
            )
            .expect("evaluations serialise")),
        })?;
        to_py(py, &report)
    }

    /// Scores opportunities (an opportunity model only) as of `as_of`.
    #[pyo3(signature = (opportunities, as_of, *, pipeline=None, accounts=None, engagement=None))]
    fn predict_opportunities<'py>(
        &self,
        py: Python<'py>,
        opportunities: &Bound<'py, PyAny>,
        as_of: Option<&Bound<'py, PyAny>>,
        pipeline: Option<&Bound<'py, PyAny>>,
        accounts: Option<&Bound<'py, PyAny>>,
        engagement: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let opportunities = list_from_py(opportunities, "opportunities")?;
        let context = context_from_py(as_of, pipeline, accounts, engagement)?;
        let scored = enter_core(py, || {
            self.inner
                .predict_opportunities_json(&opportunities, &context)
        })?;
        to_py(py, &scored)
    }

    /// `"logistic"` or `"naive_bayes"`.
    #[getter]
    fn algorithm(&self) -> &'static str {
        self.inner.algorithm().as_str()
    }

    /// The label column.
    #[getter]
    fn label(&self) -> String {
        self.inner.label().to_string()
    }

    /// The features as asked for: `[{"name", "kind", "log"?}]`.
    #[getter]
    fn features<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.inner.features())
    }

    /// `"rows"` or `"opportunity"`.
    #[getter]
    fn subject(&self) -> PyResult<String> {
        match serde_json::to_value(self.inner.subject()) {
            Ok(Value::String(s)) => Ok(s),
            _ => Ok(String::new()),
        }
    }

    fn __repr__(&self) -> String {
        format!(
            "PredictiveModel(algorithm={:?}, label={:?}, features={})",
            self.inner.algorithm().as_str(),
            self.inner.label(),
            self.inner.features().len()
        )
    }
}

/// The score at or above which leads go to a team that can work `capacity_per_week` leads a
/// week, given the inflow (`inflow_per_week`, or the arrival `timestamps` of the scored leads).
#[pyfunction]
#[pyo3(signature = (scores, capacity_per_week, inflow_per_week=None, timestamps=None))]
pub fn threshold_for_capacity<'py>(
    py: Python<'py>,
    scores: &Bound<'py, PyAny>,
    capacity_per_week: &Bound<'py, PyAny>,
    inflow_per_week: Option<&Bound<'py, PyAny>>,
    timestamps: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let mut input = Map::new();
    input.insert("scores".into(), list_from_py(scores, "scores")?);
    input.insert(
        "capacity_per_week".into(),
        from_py(capacity_per_week, "capacity_per_week")?,
    );
    if let Some(r) = inflow_per_week.filter(|r| !r.is_none()) {
        input.insert("inflow_per_week".into(), from_py(r, "inflow_per_week")?);
    }
    if let Some(t) = timestamps.filter(|t| !t.is_none()) {
        input.insert("timestamps".into(), list_from_py(t, "timestamps")?);
    }
    let input = Value::Object(input);
    let answer = enter_core(py, || core::threshold_for_capacity_json(&input))?;
    to_py(py, &answer)
}
