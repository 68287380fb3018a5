//! `revcore::Error` -> a JS `Error`: the one place the core's errors meet JS.
//!
//! The thrown (or, from async calls, rejected) value is a plain `Error` with `message` (the
//! core's text), `code` (the core's stable code), `name` (`ValidationError`, ...) and
//! `errors` (every problem as `{path, code, message}`), so callers branch on data, not text.

use crate::convert::to_js;
use napi::bindgen_prelude::*;
use napi::JsValue;
use revcore::Error as CoreError;

/// The JS `name` of each core error code.
fn name(err: &CoreError) -> &'static str {
    match err {
        CoreError::Parse(_) => "ParseError",
        CoreError::Validation(_) => "ValidationError",
        CoreError::InvalidConfig(_) => "ConfigError",
        CoreError::NotFound(_) => "NotFoundError",
        CoreError::Conflict(_) => "ConflictError",
    }
}

/// The JS error for a core error, ready to return as `Err(..)`.
///
/// The `napi::Error` holds a reference to the JS object built here, and napi 3 throws (or, from
/// an `AsyncTask`'s `resolve`, rejects the promise with) that very object, properties included:
/// one mechanism for both, where throwing by hand and returning `Status::PendingException`
/// would only serve synchronous calls.
pub fn to_js_error(env: &Env, err: &CoreError) -> Error {
    match build(env, err) {
        Ok(object) => Error::from(object.to_unknown()),
        // Only when JS cannot even allocate an object: the message still gets through.
        Err(_) => Error::new(Status::GenericFailure, err.to_string()),
    }
}

fn build<'e>(env: &'e Env, err: &CoreError) -> Result<Object<'e>> {
    let mut object = env.create_error(Error::new(Status::GenericFailure, err.to_string()))?;
    object.set_named_property("code", err.code())?;
    object.set_named_property("name", name(err))?;
    let problems = serde_json::to_value(err.problems())
        .map_err(|e| Error::new(Status::GenericFailure, e.to_string()))?;
    object.set_named_property("errors", to_js(env, &problems, 0)?)?;
    Ok(object)
}

/// `Result<T, revcore::Error>` -> `napi::Result<T>`, building the JS error on the way.
pub trait OrThrow<T> {
    fn or_throw(self, env: &Env) -> Result<T>;
}

impl<T> OrThrow<T> for std::result::Result<T, CoreError> {
    fn or_throw(self, env: &Env) -> Result<T> {
        self.map_err(|e| to_js_error(env, &e))
    }
}
