//! Python objects <-> `serde_json::Value`: the one conversion every entry point uses.
//!
//! Input takes what `json.dumps` takes (dict with str keys, list, tuple, str, int, float, bool,
//! None) plus the values a notebook holds: a timezone-aware `datetime` becomes an RFC 3339 UTC
//! string (`2026-01-05T10:00:00Z`, fractional seconds only when non-zero), a `date` becomes
//! `YYYY-MM-DD`, a `Decimal` its decimal string, a `revcore.Condition` its canonical spec.
//! Everything else is refused with a `parse` error naming the path and the Python type, never
//! guessed at: naive datetimes (ambiguous), NaN and infinities, ints beyond 64 bits, non-str
//! keys, sets, bytes, arbitrary objects, and nesting past [`MAX_DEPTH`] (where a cycle ends too).
//! List arguments (leads, reps) may also be any other iterable ([`list_from_py`]).
//! Output is plain JSON types (dict, list, str, int, float, bool, None) through pythonize.
//!
//! Must never: mutate the caller's objects, panic, recurse without bound, or know the domain.

use crate::condition::Condition;
use chrono::{NaiveDate, NaiveTime, SecondsFormat, TimeDelta};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyDate, PyDateAccess, PyDateTime, PyDict, PyFloat, PyFrozenSet,
    PyInt, PyList, PySet, PyString, PyTimeAccess, PyTuple, PyType,
};
use revcore::{Error as CoreError, Problem};
use serde::Serialize;
use serde_json::{Map, Number, Value};

/// Deepest nesting accepted from Python, the same limit `serde_json` puts on JSON text (and the
/// Node binding on JS objects), so every path into the core refuses the same documents.
pub const MAX_DEPTH: usize = 128;
/// Most values read from one argument: a bound on the work a shared sub-object
/// (`{"a": o, "b": o}` nested 60 deep) could otherwise multiply.
pub const MAX_VALUES: usize = 10_000_000;
/// Most problems reported for one argument; the walk stops there.
const MAX_PROBLEMS: usize = 100;

/// A Python argument as JSON, or a raised `revcore.ParseError` listing every problem.
/// `at` is the argument's place in the error paths: `""` for the document itself, or a name
/// such as `"pipeline"` (the prefix the core uses for problems in the same argument).
pub fn from_py(obj: &Bound<'_, PyAny>, at: &str) -> PyResult<Value> {
    let mut reader = Reader {
        path: vec![Segment::Root(at.to_string())],
        problems: Vec::new(),
        values: 0,
    };
    let value = reader.read(obj, 0)?;
    match value {
        Some(v) if reader.problems.is_empty() => Ok(v),
        _ => Err(crate::error::to_py_err(
            obj.py(),
            &CoreError::Parse(reader.problems),
        )),
    }
}

/// A record argument (a dict), for engines that read fields by name.
pub fn record_from_py(obj: &Bound<'_, PyAny>, at: &str) -> PyResult<Map<String, Value>> {
    match from_py(obj, at)? {
        Value::Object(map) => Ok(map),
        other => Err(wrong_json_type(obj.py(), at, "a dict", &other)),
    }
}

/// A str argument (a kind, a stage label).
pub fn string_from_py(obj: &Bound<'_, PyAny>, at: &str) -> PyResult<String> {
    match from_py(obj, at)? {
        Value::String(s) => Ok(s),
        other => Err(wrong_json_type(obj.py(), at, "a str", &other)),
    }
}

/// An instant argument (`now`): an aware `datetime` or a str, as the str the core parses
/// (`revcore::routing::parse_now` reports a bad one at the same path).
pub fn instant_from_py(obj: &Bound<'_, PyAny>, at: &str) -> PyResult<String> {
    match from_py(obj, at)? {
        Value::String(s) => Ok(s),
        other => Err(wrong_json_type(
            obj.py(),
            at,
            "an aware datetime or an RFC 3339 str",
            &other,
        )),
    }
}

/// Puts an optional keyword argument into an options object under `key`: None (or absent) is
/// left out; a value that cannot be read is reported at `<prefix><key>` (`options.pipeline`).
pub fn put_optional(
    map: &mut Map<String, Value>,
    key: &str,
    value: Option<&Bound<'_, PyAny>>,
    prefix: &str,
) -> PyResult<()> {
    if let Some(v) = value.filter(|v| !v.is_none()) {
        map.insert(key.into(), from_py(v, &format!("{prefix}{key}"))?);
    }
    Ok(())
}

/// A list argument that may also be any other iterable (a generator, a pandas column): taken
/// as a list of its items. Dicts, strs and bytes are read as themselves (the core then refuses
/// them for not being a list), never iterated.
pub fn list_from_py(obj: &Bound<'_, PyAny>, at: &str) -> PyResult<Value> {
    let as_itself = obj.is_instance_of::<PyList>()
        || obj.is_instance_of::<PyTuple>()
        || obj.is_instance_of::<PyDict>()
        || obj.is_instance_of::<PyString>()
        || obj.is_instance_of::<PyBytes>()
        || obj.is_instance_of::<PyByteArray>();
    if !as_itself {
        if let Ok(items) = obj.try_iter() {
            let list = PyList::empty(obj.py());
            for item in items {
                list.append(item?)?;
            }
            return from_py(list.as_any(), at);
        }
    }
    from_py(obj, at)
}

fn wrong_json_type(py: Python<'_>, at: &str, expected: &str, got: &Value) -> PyErr {
    let got = match got {
        Value::Null => "None",
        Value::Bool(_) => "a bool",
        Value::Number(_) => "a number",
        Value::String(_) => "a str",
        Value::Array(_) => "a list",
        Value::Object(_) => "a dict",
    };
    let err = CoreError::parse(
        at,
        "invalid_type",
        format!("expected {expected}, got {got}"),
    );
    crate::error::to_py_err(py, &err)
}

/// A core result on its way to Python, as plain dicts, lists, str, int, float, bool and None.
pub fn to_py<'py, T: Serialize + ?Sized>(
    py: Python<'py>,
    value: &T,
) -> PyResult<Bound<'py, PyAny>> {
    Ok(pythonize::pythonize(py, value)?)
}

enum Segment {
    Root(String),
    Key(String),
    Index(usize),
}

struct Reader {
    path: Vec<Segment>,
    problems: Vec<Problem>,
    values: usize,
}

static DECIMAL: PyOnceLock<Py<PyType>> = PyOnceLock::new();

impl Reader {
    fn path(&self) -> String {
        let mut out = String::new();
        for segment in &self.path {
            match segment {
                Segment::Root(s) => out.push_str(s),
                Segment::Key(k) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(k);
                }
                Segment::Index(i) => out.push_str(&format!("[{i}]")),
            }
        }
        out
    }

    /// Whether the walk is over: enough problems to report, or the value budget spent.
    fn stopped(&self) -> bool {
        self.problems.len() >= MAX_PROBLEMS || self.values > MAX_VALUES
    }

    /// Records a problem at the current path; `None` stands for the value that was refused.
    fn problem(&mut self, code: &str, message: impl Into<String>) -> Option<Value> {
        if self.problems.len() < MAX_PROBLEMS {
            let path = self.path();
            self.problems.push(Problem::new(path, code, message));
        }
        None
    }

    /// `Ok(None)` when a problem was recorded at this value; `Err` only when Python itself fails
    /// (no memory, `decimal` not importable).
    fn read(&mut self, obj: &Bound<'_, PyAny>, depth: usize) -> PyResult<Option<Value>> {
        if self.stopped() {
            return Ok(None);
        }
        self.values += 1;
        if self.values > MAX_VALUES {
            return Ok(self.problem(
                "too_large",
                format!("more than {MAX_VALUES} values in one argument"),
            ));
        }
        if obj.is_none() {
            return Ok(Some(Value::Null));
        }
        // bool before int: True is an int to Python, but a boolean to JSON.
        if let Ok(b) = obj.cast::<PyBool>() {
            return Ok(Some(Value::Bool(b.is_true())));
        }
        if let Ok(s) = obj.cast::<PyString>() {
            return Ok(match s.to_cow() {
                Ok(s) => Some(Value::String(s.into_owned())),
                Err(_) => self.problem(
                    "invalid_string",
                    "a str that is not valid Unicode (a lone surrogate)",
                ),
            });
        }
        if obj.is_instance_of::<PyInt>() {
            return Ok(self.int(obj));
        }
        if let Ok(f) = obj.cast::<PyFloat>() {
            return Ok(self.float(f.value()));
        }
        if let Ok(dict) = obj.cast::<PyDict>() {
            return self.nested(depth, |r| r.dict(dict, depth));
        }
        if let Ok(list) = obj.cast::<PyList>() {
            // A snapshot, so that code run while reading cannot change the list under us.
            return self.nested(depth, |r| r.sequence(&list.to_tuple(), depth));
        }
        if let Ok(tuple) = obj.cast::<PyTuple>() {
            return self.nested(depth, |r| r.sequence(tuple, depth));
        }
        // datetime before date: a datetime is a date to Python.
        if let Ok(dt) = obj.cast::<PyDateTime>() {
            return Ok(self.datetime(dt));
        }
        if let Ok(d) = obj.cast::<PyDate>() {
            return Ok(self.date(d.get_year(), d.get_month(), d.get_day()));
        }
        if obj.is_instance(DECIMAL.import(obj.py(), "decimal", "Decimal")?)? {
            return Ok(self.decimal(obj));
        }
        if let Ok(condition) = obj.cast::<Condition>() {
            return Ok(Some(condition.get().to_json()));
        }
        if let Some(item) = numpy_scalar(obj)? {
            self.values -= 1;
            return self.read(&item, depth);
        }
        Ok(self.unsupported(obj))
    }

    fn nested(
        &mut self,
        depth: usize,
        read: impl FnOnce(&mut Self) -> PyResult<Option<Value>>,
    ) -> PyResult<Option<Value>> {
        if depth >= MAX_DEPTH {
            return Ok(self.problem(
                "too_deep",
                format!("nested deeper than {MAX_DEPTH} levels (or a cycle)"),
            ));
        }
        read(self)
    }

    fn int(&mut self, obj: &Bound<'_, PyAny>) -> Option<Value> {
        if let Ok(i) = obj.extract::<i64>() {
            return Some(Value::Number(Number::from(i)));
        }
        if let Ok(u) = obj.extract::<u64>() {
            return Some(Value::Number(Number::from(u)));
        }
        self.problem(
            "invalid_number",
            "an int beyond 64 bits is not a JSON number revcore can hold; pass a str or a Decimal",
        )
    }

    fn float(&mut self, f: f64) -> Option<Value> {
        match Number::from_f64(f) {
            Some(n) => Some(Value::Number(n)),
            None => self.problem("invalid_number", format!("{f} is not a JSON number")),
        }
    }

    fn dict(&mut self, dict: &Bound<'_, PyDict>, depth: usize) -> PyResult<Option<Value>> {
        // A shallow snapshot, so that code run while reading cannot change the dict under us.
        let dict = dict.copy()?;
        let mut map = Map::new();
        let mut ok = true;
        for (key, item) in dict.iter() {
            let key = match key.cast::<PyString>().map(|k| k.to_cow()) {
                Ok(Ok(k)) => k.into_owned(),
                Ok(Err(_)) => {
                    ok = false;
                    self.problem(
                        "invalid_key",
                        "a dict key that is not valid Unicode (a lone surrogate)",
                    );
                    continue;
                }
                Err(_) => {
                    ok = false;
                    let message = format!(
                        "dict keys must be str, got a key of type {} ({})",
                        type_name(&key),
                        short_repr(&key)
                    );
                    self.problem("invalid_key", message);
                    continue;
                }
            };
            self.path.push(Segment::Key(key));
            let read = self.read(&item, depth + 1);
            match (read?, self.path.pop()) {
                (Some(v), Some(Segment::Key(key))) => {
                    map.insert(key, v);
                }
                _ => ok = false,
            }
            if self.stopped() {
                break;
            }
        }
        Ok(ok.then_some(Value::Object(map)))
    }

    fn sequence(&mut self, items: &Bound<'_, PyTuple>, depth: usize) -> PyResult<Option<Value>> {
        let mut out = Vec::with_capacity(items.len());
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            self.path.push(Segment::Index(i));
            let read = self.read(&item, depth + 1);
            self.path.pop();
            match read? {
                Some(v) => out.push(v),
                None => ok = false,
            }
            if self.stopped() {
                break;
            }
        }
        Ok(ok.then_some(Value::Array(out)))
    }

    /// A timezone-aware datetime (any tzinfo, including zoneinfo, pytz and pandas Timestamps)
    /// as the UTC instant it names. A datetime whose own code fails (pandas' `NaT`, a tzinfo
    /// that raises) is a problem at its path like any other value with no JSON form.
    fn datetime(&mut self, dt: &Bound<'_, PyDateTime>) -> Option<Value> {
        match utc_instant(dt) {
            Ok(Some(instant)) => Some(Value::String(instant)),
            Ok(None) => self.problem(
                "naive_datetime",
                "a naive datetime (no tzinfo) names no instant; attach a tzinfo, e.g. \
                 dt.replace(tzinfo=datetime.timezone.utc) or dt.astimezone()",
            ),
            Err(e) => self.problem(
                "invalid_datetime",
                format!("a datetime with no UTC instant ({e})"),
            ),
        }
    }

    fn date(&mut self, year: i32, month: u8, day: u8) -> Option<Value> {
        match NaiveDate::from_ymd_opt(year, month.into(), day.into()) {
            Some(d) => Some(Value::String(d.format("%Y-%m-%d").to_string())),
            None => self.problem("invalid_date", "a date outside the range revcore can hold"),
        }
    }

    fn decimal(&mut self, obj: &Bound<'_, PyAny>) -> Option<Value> {
        let text = (|| -> PyResult<Option<String>> {
            let finite = obj.call_method0("is_finite")?.is_truthy()?;
            let text = obj.str()?.to_cow()?.into_owned();
            Ok(finite.then_some(text))
        })();
        match text {
            Ok(Some(text)) => Some(Value::String(text)),
            Ok(None) => self.problem(
                "invalid_number",
                "a Decimal NaN or infinity is not a JSON number",
            ),
            Err(e) => self.problem(
                "invalid_number",
                format!("a Decimal that cannot be read ({e})"),
            ),
        }
    }

    fn unsupported(&mut self, obj: &Bound<'_, PyAny>) -> Option<Value> {
        let hint = if obj.is_instance_of::<PySet>() || obj.is_instance_of::<PyFrozenSet>() {
            " (convert it with sorted(...) or list(...))"
        } else if obj.is_instance_of::<PyBytes>() || obj.is_instance_of::<PyByteArray>() {
            " (decode it to a str)"
        } else {
            ""
        };
        let message = format!(
            "an object of type {} is not a JSON value{hint}",
            type_name(obj)
        );
        self.problem("invalid_type", message)
    }
}

/// The UTC instant of an aware datetime, RFC 3339 with `Z` and fractional seconds only when
/// non-zero; `None` for a naive one.
fn utc_instant(dt: &Bound<'_, PyDateTime>) -> PyResult<Option<String>> {
    let offset = dt.call_method0("utcoffset")?;
    if offset.is_none() {
        return Ok(None);
    }
    let offset: TimeDelta = offset.extract()?;
    let date = NaiveDate::from_ymd_opt(dt.get_year(), dt.get_month().into(), dt.get_day().into());
    let time = NaiveTime::from_hms_micro_opt(
        dt.get_hour().into(),
        dt.get_minute().into(),
        dt.get_second().into(),
        dt.get_microsecond(),
    );
    let utc = date
        .zip(time)
        .and_then(|(d, t)| d.and_time(t).checked_sub_signed(offset))
        .ok_or_else(|| PyValueError::new_err("outside the range of UTC instants"))?;
    Ok(Some(
        utc.and_utc().to_rfc3339_opts(SecondsFormat::AutoSi, true),
    ))
}

/// Whether `obj` is a NumPy value (its type comes from the `numpy` module).
fn is_numpy(obj: &Bound<'_, PyAny>) -> bool {
    obj.get_type()
        .getattr("__module__")
        .and_then(|m| m.extract::<String>())
        .is_ok_and(|m| m == "numpy")
}

/// The Python number or bool of a NumPy scalar (`np.int64(3)` -> `3`, `np.bool_(True)` ->
/// `True`, `np.float32(0.5)` -> `0.5`, what `.item()` gives); `None` for anything else. Dates
/// and durations (`datetime64`, `timedelta64`) are left out: their `.item()` can be a count of
/// nanoseconds, which would pass for a number.
pub fn numpy_scalar<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Option<Bound<'py, PyAny>>> {
    if !is_numpy(obj) || !obj.hasattr("item")? {
        return Ok(None);
    }
    let name = type_name(obj);
    if name.starts_with("datetime64") || name.starts_with("timedelta64") {
        return Ok(None);
    }
    let item = obj.call_method0("item")?;
    let plain = item.is_instance_of::<PyBool>()
        || item.is_instance_of::<PyInt>()
        || item.is_instance_of::<PyFloat>();
    Ok(plain.then_some(item))
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .qualname()
        .and_then(|n| n.to_cow().map(|s| s.into_owned()))
        .unwrap_or_else(|_| "object".to_string())
}

/// At most 60 characters of `repr(obj)`, for messages.
fn short_repr(obj: &Bound<'_, PyAny>) -> String {
    let text = obj
        .repr()
        .ok()
        .and_then(|r| r.to_cow().ok().map(|s| s.into_owned()))
        .unwrap_or_else(|| "?".to_string());
    if text.chars().count() > 60 {
        format!("{}...", text.chars().take(57).collect::<String>())
    } else {
        text
    }
}
