//! `Condition` (core `condition`): parse once, then match and explain many records.

use crate::convert::{from_js, Json};
use crate::error::OrThrow;
use napi::bindgen_prelude::*;
use napi_derive::napi;

/// A parsed, validated condition. `new Condition(spec)` throws a `ConfigError` listing every
/// problem of the spec.
#[napi]
pub struct Condition {
    inner: revcore::Condition,
}

#[napi]
impl Condition {
    #[napi(
        constructor,
        catch_unwind,
        ts_args_type = "spec: ConditionSpec | Condition"
    )]
    pub fn new(env: Env, spec: Unknown) -> Result<Self> {
        let spec = from_js(&env, spec, "")?;
        let inner = revcore::Condition::parse(&spec).or_throw(&env)?;
        Ok(Condition { inner })
    }

    /// Whether the record (a lead, an account, any object) satisfies the condition.
    #[napi(catch_unwind, ts_args_type = "record: object")]
    pub fn matches(&self, env: Env, record: Unknown) -> Result<bool> {
        let record = from_js(&env, record, "")?;
        Ok(self.inner.matches(&record))
    }

    /// Why the record matched or did not: a tree mirroring the condition.
    #[napi(
        catch_unwind,
        ts_args_type = "record: object",
        ts_return_type = "Explanation"
    )]
    pub fn explain(&self, env: Env, record: Unknown) -> Result<Json> {
        let record = from_js(&env, record, "")?;
        serde_json::to_value(self.inner.explain(&record))
            .map(Json)
            .map_err(|e| Error::new(Status::GenericFailure, e.to_string()))
    }

    /// The canonical spec, so that `JSON.stringify(condition)` writes it.
    #[napi(js_name = "toJSON", catch_unwind, ts_return_type = "ConditionSpec")]
    pub fn to_json(&self) -> Json {
        Json(self.inner.to_json())
    }

    /// The field paths the condition reads, sorted and deduplicated.
    #[napi(getter, catch_unwind)]
    pub fn fields(&self) -> Vec<String> {
        self.inner.fields()
    }
}
