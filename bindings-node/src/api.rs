//! The document-level entry points (core `api.rs`): validate, normalize, schema, kinds,
//! the default pipeline and stage lookup. Convert, call, convert; nothing else.

use crate::convert::{from_js, string_from_js, Json};
use crate::error::OrThrow;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use revcore::api::Kind;

fn pipeline_from_js(env: &Env, pipeline: Option<Unknown<'_>>) -> Result<Option<serde_json::Value>> {
    pipeline.map(|p| from_js(env, p, "pipeline")).transpose()
}

/// Checks a document of a kind; throws a `ValidationError` (or `ParseError`) listing every
/// problem with its path. `pipeline` is the pipeline opportunities' stages must belong to.
#[napi(
    catch_unwind,
    ts_args_type = "kind: Kind, value: unknown, pipeline?: Pipeline | null",
    ts_return_type = "void"
)]
pub fn validate(env: Env, kind: Unknown, value: Unknown, pipeline: Option<Unknown>) -> Result<()> {
    let kind = string_from_js(&env, kind, "kind")?;
    let value = from_js(&env, value, "")?;
    let pipeline = pipeline_from_js(&env, pipeline)?;
    revcore::validate(&kind, &value, pipeline.as_ref()).or_throw(&env)
}

/// The document in its canonical wire form: defaults filled in, unknown record keys moved into
/// `attributes`. Throws like `validate`.
#[napi(
    catch_unwind,
    ts_generic_types = "K extends Kind",
    ts_args_type = "kind: K, value: unknown, pipeline?: Pipeline | null",
    ts_return_type = "KindTypes[K]"
)]
pub fn normalize(
    env: Env,
    kind: Unknown,
    value: Unknown,
    pipeline: Option<Unknown>,
) -> Result<Json> {
    let kind = string_from_js(&env, kind, "kind")?;
    let value = from_js(&env, value, "")?;
    let pipeline = pipeline_from_js(&env, pipeline)?;
    revcore::normalize(&kind, &value, pipeline.as_ref())
        .map(Json)
        .or_throw(&env)
}

/// The JSON Schema (draft 2020-12) of a kind, generated from the Rust types.
#[napi(
    catch_unwind,
    ts_args_type = "kind: Kind",
    ts_return_type = "Record<string, unknown>"
)]
pub fn schema(env: Env, kind: Unknown) -> Result<Json> {
    let kind = string_from_js(&env, kind, "kind")?;
    revcore::schema(&kind).map(Json).or_throw(&env)
}

/// Every kind `validate`, `normalize` and `schema` accept.
#[napi(catch_unwind, ts_return_type = "Kind[]")]
pub fn kinds() -> Vec<String> {
    Kind::ALL.iter().map(|k| k.name().to_string()).collect()
}

/// The default pipeline in wire form.
#[napi(catch_unwind, ts_return_type = "Pipeline")]
pub fn default_pipeline() -> Json {
    Json(revcore::default_pipeline())
}

/// The stage a label names (by key, name or alias) in `pipeline`, or in the default pipeline
/// when none is given; `null` when no stage matches.
#[napi(
    catch_unwind,
    ts_args_type = "label: string, pipeline?: Pipeline | null",
    ts_return_type = "Stage | null"
)]
pub fn classify_stage(env: Env, label: Unknown, pipeline: Option<Unknown>) -> Result<Option<Json>> {
    let label = string_from_js(&env, label, "label")?;
    let pipeline = pipeline_from_js(&env, pipeline)?;
    revcore::classify_stage(&label, pipeline.as_ref())
        .map(|stage| stage.map(Json))
        .or_throw(&env)
}
