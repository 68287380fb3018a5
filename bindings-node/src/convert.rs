//! JS values <-> `serde_json::Value`: the one conversion every entry point uses.
//!
//! Input follows `JSON.stringify` where that keeps the data (`toJSON` is honoured, so a `Date`
//! becomes its ISO string and a `Condition` its canonical spec; properties holding `undefined`
//! are left out) and refuses with a `parse` error, naming the path, what `JSON.stringify` would
//! silently drop or mangle: NaN and Infinity, BigInt, functions, symbols, invalid dates, Map, Set,
//! typed arrays, and nesting past [`MAX_DEPTH`] (which is also where a cycle ends).
//! Output numbers are always plain JS numbers, never BigInt, so `JSON.stringify` works on them.
//!
//! Must never: panic, recurse without bound, or know anything about the domain.

use crate::error::OrThrow;
use napi::bindgen_prelude::*;
use napi::{JsDate, JsString, JsValue};
use revcore::error::join_path;
use revcore::{Error as CoreError, Problem};
use serde_json::{Map, Number, Value};

/// Deepest nesting accepted from JS, the same limit `serde_json` puts on JSON text, so the
/// object path and a JSON-string path refuse the same documents.
pub const MAX_DEPTH: usize = 128;
/// Most values read from one argument: a bound on the work a shared sub-object
/// (`{a: o, b: o}` nested 60 deep) could otherwise multiply.
pub const MAX_VALUES: usize = 10_000_000;
/// Most problems reported for one argument; the walk stops there.
const MAX_PROBLEMS: usize = 100;
/// Largest integer a JS number holds exactly (2^53 - 1).
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// Objects JSON.stringify would turn into `{}` or worse: refused by constructor name.
const UNSUPPORTED_OBJECTS: &[&str] = &[
    "Map", "Set", "WeakMap", "WeakSet", "WeakRef", "RegExp", "Promise", "Number", "String",
    "Boolean", "Symbol", "BigInt",
];

/// A JS argument as JSON, or a thrown `parse` error (see [`crate::error::to_js_error`]).
/// `at` is the argument's place in the error paths: `""` for the document itself, or a name
/// such as `"pipeline"` (the prefix the core uses for the same argument).
pub fn from_js(env: &Env, value: Unknown<'_>, at: &str) -> Result<Value> {
    match try_from_js(env, value, at)? {
        Ok(v) => Ok(v),
        Err(e) => Err(crate::error::to_js_error(env, &e)),
    }
}

/// Like [`from_js`], but hands the `parse` error back as a core error (for async entry points,
/// which reject their promise with it instead of throwing). The outer `Err` is a JS exception
/// raised while reading (a throwing getter or `toJSON`), passed on untouched.
pub fn try_from_js(env: &Env, value: Unknown<'_>, at: &str) -> Result<revcore::Result<Value>> {
    let mut reader = Reader::new(env, at);
    let value = reader.read(value, 0)?;
    Ok(reader.finish(value))
}

/// Like [`try_from_js`] for a record of which only the top-level `keys` (sorted) are wanted:
/// an object's other own properties are never read, so whatever they hold (NaN, a BigInt, a
/// getter that throws) is no problem. Anything but an object whose properties can be read
/// (an array, a Map, a Date, a string, ...) is read whole, as [`try_from_js`] reads it, with
/// the same problems. An object with `toJSON` is replaced by what it returns, then projected.
pub fn try_record_from_js(
    env: &Env,
    value: Unknown<'_>,
    at: &str,
    keys: &[String],
) -> Result<revcore::Result<Value>> {
    let mut reader = Reader::new(env, at);
    let value = reader.record(value, 0, keys)?;
    Ok(reader.finish(value))
}

/// [`try_record_from_js`] for every element of an array (paths `at[i].key`); anything but an
/// array is read whole, as [`try_from_js`] reads it. Each element is read in its own handle
/// scope, so a large batch leaves no handles behind in the caller's scope.
pub fn try_records_from_js(
    env: &Env,
    value: Unknown<'_>,
    at: &str,
    keys: &[String],
) -> Result<revcore::Result<Value>> {
    let mut reader = Reader::new(env, at);
    let value = reader.records(value, keys)?;
    Ok(reader.finish(value))
}

/// A JS string argument (a kind, a label), or a thrown `parse` error at `at`.
pub fn string_from_js(env: &Env, value: Unknown<'_>, at: &str) -> Result<String> {
    match from_js(env, value, at)? {
        Value::String(s) => Ok(s),
        other => Err(crate::error::to_js_error(
            env,
            &CoreError::parse(
                at,
                "invalid_type",
                format!("expected a string, got {}", json_type(&other)),
            ),
        )),
    }
}

enum Segment {
    Root(String),
    Key(String),
    Index(u32),
}

struct Reader<'e> {
    env: &'e Env,
    /// `Object.prototype`, looked up at the first object.
    object_prototype: Option<Object<'e>>,
    path: Vec<Segment>,
    problems: Vec<Problem>,
    values: usize,
}

/// A handle scope, closed when dropped: handles created while it is open (the values of one
/// element) are released then, so none of them may be used afterwards.
struct HandleScope {
    env: sys::napi_env,
    scope: sys::napi_handle_scope,
}

impl HandleScope {
    fn open(env: &Env) -> Result<HandleScope> {
        let mut scope = std::ptr::null_mut();
        // SAFETY: a valid env on its own thread; the scope is closed in `drop`.
        let status = unsafe { sys::napi_open_handle_scope(env.raw(), &mut scope) };
        if status != sys::Status::napi_ok {
            return Err(Error::new(
                Status::from(status),
                "failed to open a handle scope",
            ));
        }
        Ok(HandleScope {
            env: env.raw(),
            scope,
        })
    }
}

impl Drop for HandleScope {
    fn drop(&mut self) {
        // SAFETY: the scope was opened on this env and scopes close in reverse order (this one
        // lives within one loop iteration). Allowed with an exception pending.
        unsafe { sys::napi_close_handle_scope(self.env, self.scope) };
    }
}

impl<'e> Reader<'e> {
    fn new(env: &'e Env, at: &str) -> Reader<'e> {
        Reader {
            env,
            object_prototype: None,
            path: vec![Segment::Root(at.to_string())],
            problems: Vec::new(),
            values: 0,
        }
    }

    fn finish(self, value: Option<Value>) -> revcore::Result<Value> {
        match value {
            Some(v) if self.problems.is_empty() => Ok(v),
            _ => Err(CoreError::Parse(self.problems)),
        }
    }

    /// The path being read, written the way the core writes paths (`stages[2].kind`).
    fn path(&self) -> String {
        self.path
            .iter()
            .fold(String::new(), |out, segment| match segment {
                Segment::Root(at) => join_path(&out, at),
                Segment::Key(key) => join_path(&out, key),
                Segment::Index(i) => join_path(&out, &format!("[{i}]")),
            })
    }

    fn problem(&mut self, code: &str, message: impl Into<String>) -> Option<Value> {
        if self.problems.len() < MAX_PROBLEMS {
            let path = self.path();
            self.problems.push(Problem::new(path, code, message));
        }
        None
    }

    /// Counts one more value; `false` when it may not be read (too many problems or values).
    fn admit(&mut self) -> bool {
        if self.problems.len() >= MAX_PROBLEMS {
            return false;
        }
        if self.values == MAX_VALUES {
            self.values += 1; // reported once, then nothing more is read
            self.problem(
                "too_large",
                format!("more than {MAX_VALUES} values in one argument"),
            );
            return false;
        } else if self.values > MAX_VALUES {
            return false;
        }
        self.values += 1;
        true
    }

    /// `Ok(None)` when a problem was recorded at this value.
    fn read(&mut self, value: Unknown<'_>, depth: usize) -> Result<Option<Value>> {
        if !self.admit() {
            return Ok(None);
        }
        // SAFETY (every `cast` below): the value's type was just checked with `get_type`.
        Ok(match value.get_type()? {
            ValueType::Null => Some(Value::Null),
            ValueType::Boolean => Some(Value::Bool(unsafe { value.cast::<bool>() }?)),
            ValueType::String => Some(Value::String(unsafe { value.cast::<String>() }?)),
            ValueType::Number => self.number(unsafe { value.cast::<f64>() }?),
            ValueType::Object => self.object(value, depth)?,
            ValueType::Undefined => self.problem(
                "invalid_type",
                "undefined is not a JSON value (leave the key out, or use null)",
            ),
            ValueType::BigInt => self.problem(
                "invalid_type",
                "a BigInt is not a JSON number; pass a Number or a string",
            ),
            ValueType::Function => self.problem("invalid_type", "a function is not a JSON value"),
            ValueType::Symbol => self.problem("invalid_type", "a Symbol is not a JSON value"),
            _ => self.problem("invalid_type", "this value is not a JSON value"),
        })
    }

    fn number(&mut self, n: f64) -> Option<Value> {
        if !n.is_finite() {
            return self.problem("invalid_number", format!("{n} is not a JSON number"));
        }
        // Whole numbers cross as integers, so that a Rust integer field accepts `3` typed in JS.
        if n.fract() == 0.0 && n.abs() <= MAX_SAFE_INTEGER {
            return Some(Value::Number(Number::from(n as i64)));
        }
        Number::from_f64(n).map(Value::Number)
    }

    fn object(&mut self, value: Unknown<'_>, depth: usize) -> Result<Option<Value>> {
        if depth >= MAX_DEPTH {
            return Ok(self.problem(
                "too_deep",
                format!("nested deeper than {MAX_DEPTH} levels (or a cycle)"),
            ));
        }
        // SAFETY: `value` is an object.
        let object = unsafe { value.cast::<Object>() }?;
        if object.is_array()? {
            return self.array(&object, depth);
        }
        // Records are plain objects: for them, two calls decide; the rest pays for the checks.
        if !self.is_plain(&object)? {
            if let Some((code, message)) = self.exotic(value, &object)? {
                return Ok(self.problem(code, message));
            }
        }
        if let Some(replaced) = self.to_json(&object)? {
            return self.read(replaced, depth + 1);
        }
        self.map(&object, depth, None)
    }

    /// What the object's `toJSON` returns, when it has one.
    fn to_json<'v>(&self, object: &Object<'v>) -> Result<Option<Unknown<'v>>> {
        let to_json: Unknown = object.get_named_property("toJSON")?;
        if to_json.get_type()? != ValueType::Function {
            return Ok(None);
        }
        // SAFETY: `to_json` is a function.
        let to_json = unsafe { to_json.cast::<Function<(), Unknown>>() }?;
        to_json.apply(*object, ()).map(Some)
    }

    /// A record of which only `keys` are wanted (see [`try_record_from_js`]).
    fn record(
        &mut self,
        value: Unknown<'_>,
        depth: usize,
        keys: &[String],
    ) -> Result<Option<Value>> {
        if value.get_type()? != ValueType::Object {
            return self.read(value, depth);
        }
        // SAFETY: `value` is an object.
        let object = unsafe { value.cast::<Object>() }?;
        if depth >= MAX_DEPTH
            || object.is_array()?
            || (!self.is_plain(&object)? && self.exotic(value, &object)?.is_some())
        {
            return self.read(value, depth); // the problem, or an array, read as before
        }
        if !self.admit() {
            return Ok(None);
        }
        if let Some(replaced) = self.to_json(&object)? {
            return self.record(replaced, depth + 1, keys);
        }
        self.map(&object, depth, Some(keys))
    }

    /// An array of records (see [`try_records_from_js`]).
    fn records(&mut self, value: Unknown<'_>, keys: &[String]) -> Result<Option<Value>> {
        if value.get_type()? != ValueType::Object {
            return self.read(value, 0);
        }
        // SAFETY: `value` is an object.
        let array = unsafe { value.cast::<Object>() }?;
        if !array.is_array()? {
            return self.read(value, 0);
        }
        if !self.admit() {
            return Ok(None);
        }
        // Looked up now: a handle created in an element's scope would not outlive it.
        self.object_prototype()?;
        let len = array.get_array_length()?;
        let mut items = Vec::with_capacity(len.min(1 << 16) as usize);
        let mut ok = true;
        for i in 0..len {
            let scope = HandleScope::open(self.env)?;
            let item: Unknown = array.get_element(i)?;
            self.path.push(Segment::Index(i));
            let read = self.record(item, 1, keys);
            self.path.pop();
            drop(scope);
            match read? {
                Some(v) => items.push(v),
                None => ok = false,
            }
            if self.problems.len() >= MAX_PROBLEMS {
                break;
            }
        }
        Ok(ok.then_some(Value::Array(items)))
    }

    /// Whether the object's prototype is `Object.prototype` or null.
    fn is_plain(&mut self, object: &Object<'_>) -> Result<bool> {
        let prototype = object.get_prototype()?;
        if prototype.get_type()? == ValueType::Null {
            return Ok(true);
        }
        let object_prototype = self.object_prototype()?;
        self.env.strict_equals(prototype, object_prototype)
    }

    /// `Object.prototype`, looked up once.
    fn object_prototype(&mut self) -> Result<Object<'e>> {
        Ok(match self.object_prototype {
            Some(p) => p,
            None => {
                let global = self.env.get_global()?;
                // A function, read as the object it also is.
                let object_constructor: Object = global.get_named_property_unchecked("Object")?;
                let p: Object = object_constructor.get_named_property("prototype")?;
                *self.object_prototype.insert(p)
            }
        })
    }

    /// Why an object that is not a plain object cannot be read, if it cannot; a valid Date, a
    /// class instance or anything with `toJSON` can.
    fn exotic(
        &self,
        value: Unknown<'_>,
        object: &Object<'_>,
    ) -> Result<Option<(&'static str, String)>> {
        if object.is_date()? {
            // SAFETY: `value` is a Date.
            let date = unsafe { value.cast::<JsDate>() }?;
            return Ok(date
                .value_of()?
                .is_nan()
                .then(|| ("invalid_date", "an invalid Date is not a timestamp".into())));
        }
        if object.is_typedarray()? || object.is_arraybuffer()? || object.is_dataview()? {
            let message = "binary data is not a JSON value; pass an array of numbers or a string";
            return Ok(Some(("invalid_type", message.into())));
        }
        if object.is_error()? {
            return Ok(Some((
                "invalid_type",
                "an Error is not a JSON value".into(),
            )));
        }
        let name = self.constructor_name(object)?;
        Ok(name
            .filter(|name| UNSUPPORTED_OBJECTS.contains(&name.as_str()))
            .map(|name| {
                let hint = match name.as_str() {
                    "Map" => " (convert it with Object.fromEntries(map))",
                    "Set" => " (convert it with Array.from(set))",
                    _ => "",
                };
                (
                    "invalid_type",
                    format!("a {name} is not a JSON value{hint}"),
                )
            }))
    }

    /// The name of the object's constructor, if it has one.
    fn constructor_name(&self, object: &Object<'_>) -> Result<Option<String>> {
        let constructor: Unknown = object.get_named_property("constructor")?;
        if constructor.get_type()? != ValueType::Function {
            return Ok(None);
        }
        // SAFETY: `constructor` is a function.
        let constructor = unsafe { constructor.cast::<Object>() }?;
        let name: Unknown = constructor.get_named_property("name")?;
        if name.get_type()? != ValueType::String {
            return Ok(None);
        }
        // SAFETY: `name` is a string.
        Ok(Some(unsafe { name.cast::<String>() }?))
    }

    fn array(&mut self, array: &Object<'_>, depth: usize) -> Result<Option<Value>> {
        let len = array.get_array_length()?;
        let mut items = Vec::with_capacity(len.min(1 << 16) as usize);
        let mut ok = true;
        for i in 0..len {
            let item: Unknown = array.get_element(i)?;
            self.path.push(Segment::Index(i));
            let read = self.read(item, depth + 1);
            self.path.pop();
            match read? {
                Some(v) => items.push(v),
                None => ok = false,
            }
            if self.problems.len() >= MAX_PROBLEMS {
                break;
            }
        }
        Ok(ok.then_some(Value::Array(items)))
    }

    /// The object's own enumerable properties, or only those named in `wanted` (sorted).
    fn map(
        &mut self,
        object: &Object<'_>,
        depth: usize,
        wanted: Option<&[String]>,
    ) -> Result<Option<Value>> {
        // Own enumerable keys, as Object.keys and JSON.stringify see them (symbols skipped).
        let keys = object.get_all_property_names(
            KeyCollectionMode::OwnOnly,
            KeyFilter::Enumerable,
            KeyConversion::NumbersToStrings,
        )?;
        let len = keys.get_array_length()?;
        let mut map = Map::new();
        let mut ok = true;
        for i in 0..len {
            let key: Unknown = keys.get_element(i)?;
            if key.get_type()? != ValueType::String {
                continue;
            }
            // SAFETY: `key` is a string.
            let key = unsafe { key.cast::<JsString>() }?;
            let name = match wanted {
                Some(wanted) => {
                    let name = key.into_utf8()?.into_owned()?;
                    if wanted.binary_search(&name).is_err() {
                        continue; // never read
                    }
                    Some(name)
                }
                None => None,
            };
            let item: Unknown = object.get_property(key)?;
            if item.get_type()? == ValueType::Undefined {
                continue; // as JSON.stringify does: an absent optional field
            }
            let key = match name {
                Some(name) => name,
                None => key.into_utf8()?.into_owned()?,
            };
            self.path.push(Segment::Key(key));
            let read = self.read(item, depth + 1);
            match (read?, self.path.pop()) {
                (Some(v), Some(Segment::Key(key))) => {
                    map.insert(key, v);
                }
                _ => ok = false,
            }
            if self.problems.len() >= MAX_PROBLEMS {
                break;
            }
        }
        Ok(ok.then_some(Value::Object(map)))
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A required JSON argument, or a thrown `parse` error at `at`.
pub fn arg(env: &Env, value: Unknown<'_>, at: &str) -> Result<Value> {
    try_from_js(env, value, at)?.or_throw(env)
}

/// An optional JSON argument: absent, `undefined` or `null` is `null`.
pub fn optional_arg(env: &Env, value: Option<Unknown<'_>>, at: &str) -> Result<Value> {
    match value {
        Some(v) if !matches!(v.get_type()?, ValueType::Undefined | ValueType::Null) => {
            arg(env, v, at)
        }
        _ => Ok(Value::Null),
    }
}

/// A JSON result on its way to JS: plain objects, arrays and numbers (never BigInt, with no
/// cap on size; only on depth, which a core result never approaches).
pub struct Json(pub Value);

impl TypeName for Json {
    fn type_name() -> &'static str {
        "Json"
    }
    fn value_type() -> ValueType {
        ValueType::Unknown
    }
}

impl ToNapiValue for Json {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> Result<sys::napi_value> {
        let env = Env::from_raw(env);
        Ok(to_js(&env, &val.0, 0)?.raw())
    }
}

/// Deepest nesting written to JS; past it the result is an error, never a stack overflow.
const MAX_OUTPUT_DEPTH: usize = 4 * MAX_DEPTH;

pub fn to_js<'e>(env: &'e Env, value: &Value, depth: usize) -> Result<Unknown<'e>> {
    if depth > MAX_OUTPUT_DEPTH {
        return Err(Error::new(
            Status::GenericFailure,
            format!("result nested deeper than {MAX_OUTPUT_DEPTH} levels"),
        ));
    }
    match value {
        Value::Null => Null.into_unknown(env),
        Value::Bool(b) => b.into_unknown(env),
        // Every JSON number as a double, as JSON.parse reads it.
        Value::Number(n) => n.as_f64().unwrap_or(f64::NAN).into_unknown(env),
        Value::String(s) => s.as_str().into_unknown(env),
        Value::Array(items) => {
            let mut array = env.create_array(items.len() as u32)?;
            for (i, item) in items.iter().enumerate() {
                array.set(i as u32, to_js(env, item, depth + 1)?)?;
            }
            array.into_unknown(env)
        }
        Value::Object(map) => {
            let mut object = Object::new(env)?;
            for (key, item) in map {
                object.set(key, to_js(env, item, depth + 1)?)?;
            }
            object.into_unknown(env)
        }
    }
}
