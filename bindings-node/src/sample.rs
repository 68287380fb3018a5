//! `sample` (core `sample`): deterministic, seeded sample data, as `require('revcore').sample`.
//!
//! `generateAsync` is the pattern for every long call: read the arguments on the JS thread,
//! compute on the libuv pool (`AsyncTask`), convert the result back on the JS thread. A bad
//! argument rejects the promise; it never throws synchronously.

use crate::convert::{try_from_js, Json};
use crate::error::OrThrow;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::Value;

fn options_from_js(env: &Env, options: Option<Unknown<'_>>) -> Result<revcore::Result<Value>> {
    match options {
        Some(options) => try_from_js(env, options, ""),
        None => Ok(Ok(Value::Object(Default::default()))),
    }
}

/// A world of sample data (reps, teams, territories, accounts, contacts, leads, opportunities,
/// pipeline, content, events, content_events); the same options give the same world.
#[napi(
    namespace = "sample",
    catch_unwind,
    ts_args_type = "options?: SampleOptions | null",
    ts_return_type = "World"
)]
pub fn generate(env: Env, options: Option<Unknown>) -> Result<Json> {
    options_from_js(&env, options)?
        .and_then(|options| revcore::sample::generate_json(&options))
        .map(Json)
        .or_throw(&env)
}

/// `generate` off the main thread.
#[napi(
    namespace = "sample",
    catch_unwind,
    ts_args_type = "options?: SampleOptions | null",
    ts_return_type = "Promise<World>"
)]
pub fn generate_async(env: Env, options: Option<Unknown>) -> Result<AsyncTask<Generate>> {
    Ok(AsyncTask::new(Generate {
        options: options_from_js(&env, options)?,
    }))
}

/// The work of `generateAsync`: options read on the JS thread (or why they could not be).
pub struct Generate {
    options: revcore::Result<Value>,
}

impl Task for Generate {
    type Output = revcore::Result<Value>;
    type JsValue = Json;

    /// On the libuv pool, where no JS runs: only the core call, panics caught.
    fn compute(&mut self) -> Result<Self::Output> {
        let options = &self.options;
        std::panic::catch_unwind(|| {
            options
                .as_ref()
                .map_err(Clone::clone)
                .and_then(revcore::sample::generate_json)
        })
        .map_err(panic_to_error)
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<Json> {
        output.map(Json).or_throw(&env)
    }
}
