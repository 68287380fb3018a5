//! `Router` and `simulate` (core `routing`, contract in docs/routing.md): route leads to reps.
//!
//! Convert, call, convert, as everywhere. `now` is a `Date` or an RFC 3339 string, read through
//! the one converter (a `Date` crosses as its ISO string, an invalid one is refused there) and
//! parsed by the core (`parse_now`). `routeBatchJson` is the fast path BRIDGES.md asks for: JSON
//! text in, JSON text out, no object bridging. `routeBatchAsync` reads its arguments on the JS
//! thread and routes on the libuv pool, like `sample.generateAsync`.

use crate::convert::{string_from_js, try_from_js, Json, JsonText};
use crate::error::OrThrow;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use revcore::routing as core;
use revcore::Error as CoreError;
use serde_json::Value;
use std::sync::Arc;

/// `now` as RFC 3339 text, or why it cannot be (a `parse` error at `now`): a `Date` crosses as
/// its ISO string, an invalid one is refused by the converter. The core parses the text
/// (`parse_now`). The outer `Err` is a JS exception raised while reading, passed on untouched.
fn now_from_js(env: &Env, now: Unknown<'_>) -> Result<revcore::Result<String>> {
    Ok(try_from_js(env, now, "now")?.and_then(|now| match now {
        Value::String(s) => Ok(s),
        _ => Err(CoreError::parse(
            "now",
            "invalid_type",
            "expected a Date or an RFC 3339 string",
        )),
    }))
}

/// `now` parsed, or a thrown `parse` error at `now`.
macro_rules! now_arg {
    ($env:expr, $now:expr) => {
        now_from_js($env, $now)?
            .and_then(|now| core::parse_now(&now))
            .or_throw($env)?
    };
}

/// An argument as JSON, or a thrown `parse` error at `at`.
fn arg(env: &Env, value: Unknown<'_>, at: &str) -> Result<Value> {
    try_from_js(env, value, at)?.or_throw(env)
}

/// An optional argument: absent or `undefined` is `None` (`null` goes to the core, which reads
/// it as absent too).
fn optional_arg(env: &Env, value: Option<Unknown<'_>>, at: &str) -> Result<Option<Value>> {
    match value {
        Some(v) if v.get_type()? != ValueType::Undefined => arg(env, v, at).map(Some),
        _ => Ok(None),
    }
}

/// A lead router: config, reps, accounts and its state (counts, pointers), which every `route`
/// moves on. `new Router(...)` throws a `ConfigError` listing every problem of the config and
/// the reps, or a `ParseError` for input of the wrong shape.
#[napi]
pub struct Router {
    inner: Arc<core::Router>,
}

#[napi]
impl Router {
    #[napi(
        constructor,
        catch_unwind,
        ts_args_type = "config: RoutingConfig, reps: Rep[], accounts?: Account[] | null, state?: RoutingState | null"
    )]
    pub fn new(
        env: Env,
        config: Unknown,
        reps: Unknown,
        accounts: Option<Unknown>,
        state: Option<Unknown>,
    ) -> Result<Self> {
        let config = arg(&env, config, "config")?;
        let reps = arg(&env, reps, "reps")?;
        let accounts = optional_arg(&env, accounts, "accounts")?;
        let state = optional_arg(&env, state, "state")?;
        let inner = core::Router::from_json(&config, &reps, accounts.as_ref(), state.as_ref())
            .or_throw(&env)?;
        Ok(Router {
            inner: Arc::new(inner),
        })
    }

    /// Decides who gets the lead at `now` and commits it to the state.
    #[napi(
        catch_unwind,
        ts_args_type = "lead: Lead, now: Date | string",
        ts_return_type = "Decision"
    )]
    pub fn route(&self, env: Env, lead: Unknown, now: Unknown) -> Result<Json> {
        let lead = arg(&env, lead, "lead")?;
        let now = now_arg!(&env, now);
        self.inner.route_json(&lead, now).map(Json).or_throw(&env)
    }

    /// What `route` would decide, without changing the state.
    #[napi(
        catch_unwind,
        ts_args_type = "lead: Lead, now: Date | string",
        ts_return_type = "Decision"
    )]
    pub fn preview(&self, env: Env, lead: Unknown, now: Unknown) -> Result<Json> {
        let lead = arg(&env, lead, "lead")?;
        let now = now_arg!(&env, now);
        self.inner.preview_json(&lead, now).map(Json).or_throw(&env)
    }

    /// Routes the leads in order at `now`; the same as routing them one by one.
    #[napi(
        catch_unwind,
        ts_args_type = "leads: Lead[], now: Date | string",
        ts_return_type = "Decision[]"
    )]
    pub fn route_batch(&self, env: Env, leads: Unknown, now: Unknown) -> Result<JsonText> {
        let leads = arg(&env, leads, "leads")?;
        let now = now_arg!(&env, now);
        self.inner
            .route_batch_json(&leads, now)
            .map(JsonText)
            .or_throw(&env)
    }

    /// `routeBatch` for JSON text: a JSON array of leads in, a JSON array of decisions out.
    /// The fast path for large batches (no object bridging).
    #[napi(
        catch_unwind,
        ts_args_type = "leadsJson: string, now: Date | string",
        ts_return_type = "string"
    )]
    pub fn route_batch_json(&self, env: Env, leads_json: Unknown, now: Unknown) -> Result<String> {
        let leads = string_from_js(&env, leads_json, "leads")?;
        let now = now_arg!(&env, now);
        self.inner.route_batch_str(&leads, now).or_throw(&env)
    }

    /// `routeBatch` off the main thread. A bad argument rejects the promise.
    #[napi(
        catch_unwind,
        ts_args_type = "leads: Lead[], now: Date | string",
        ts_return_type = "Promise<Decision[]>"
    )]
    pub fn route_batch_async(
        &self,
        env: Env,
        leads: Unknown,
        now: Unknown,
    ) -> Result<AsyncTask<RouteBatch>> {
        let leads = try_from_js(&env, leads, "leads")?;
        let now = now_from_js(&env, now)?;
        Ok(AsyncTask::new(RouteBatch {
            router: Arc::clone(&self.inner),
            input: leads.and_then(|leads| now.map(|now| (leads, now))),
        }))
    }

    /// The state (counts, open counts, pool pointers and weights, version); a router built with
    /// it continues exactly where this one is.
    #[napi(catch_unwind, ts_return_type = "RoutingState")]
    pub fn state(&self) -> Json {
        Json(self.inner.state_json())
    }
}

/// The work of `routeBatchAsync`: the router, and the arguments read on the JS thread (or why
/// they could not be).
pub struct RouteBatch {
    router: Arc<core::Router>,
    input: revcore::Result<(Value, String)>,
}

impl Task for RouteBatch {
    type Output = revcore::Result<Value>;
    type JsValue = JsonText;

    /// On the libuv pool, where no JS runs: only the core call, panics caught.
    fn compute(&mut self) -> Result<Self::Output> {
        let (router, input) = (&self.router, &self.input);
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            input
                .as_ref()
                .map_err(Clone::clone)
                .and_then(|(leads, now)| router.route_batch_json(leads, core::parse_now(now)?))
        }))
        .map_err(panic_to_error)
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<JsonText> {
        output.map(JsonText).or_throw(&env)
    }
}

/// Replays the leads in `created_at` order from an empty state and reports volumes, queues,
/// cap hits and fairness per pool.
#[napi(
    catch_unwind,
    ts_args_type = "config: RoutingConfig, reps: Rep[], leads: Lead[], accounts?: Account[] | null",
    ts_return_type = "SimulationReport"
)]
pub fn simulate(
    env: Env,
    config: Unknown,
    reps: Unknown,
    leads: Unknown,
    accounts: Option<Unknown>,
) -> Result<Json> {
    let config = arg(&env, config, "config")?;
    let reps = arg(&env, reps, "reps")?;
    let leads = arg(&env, leads, "leads")?;
    let accounts = optional_arg(&env, accounts, "accounts")?;
    core::simulate_json(&config, &reps, &leads, accounts.as_ref())
        .map(Json)
        .or_throw(&env)
}
