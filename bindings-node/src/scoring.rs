//! `Scorer` (core `scoring::rules`, contract in docs/scoring.md): rule scoring of leads.
//!
//! Convert, call, convert, as everywhere. `now` is a `Date` or an RFC 3339 string, read as
//! `Router` reads it. A lead is read only at the keys scoring reads (`leadFields()`); events
//! are read whole. `scoreBatchAsync` reads its arguments on the JS thread and parses and
//! scores on the libuv pool, like `Router.routeBatchAsync`; a bad argument rejects the promise.

use crate::convert::{try_from_js, try_record_from_js, try_records_from_js, Json};
use crate::error::OrThrow;
use crate::routing::now_from_js;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use revcore::routing::parse_now;
use revcore::scoring::rules as core;
use serde_json::Value;
use std::sync::Arc;

/// The events argument: absent, `undefined` or `null` is none (`None`); anything else is read
/// as JSON (the core then wants a list, problems under `events[i]`).
fn events_from_js(
    env: &Env,
    events: Option<Unknown<'_>>,
) -> Result<revcore::Result<Option<Value>>> {
    match events {
        Some(v) if !matches!(v.get_type()?, ValueType::Undefined | ValueType::Null) => {
            Ok(try_from_js(env, v, "events")?.map(Some))
        }
        _ => Ok(Ok(None)),
    }
}

/// Arguments read on the JS thread (or why they could not be), reported in argument order.
fn ready<'a>(
    leads: &'a revcore::Result<Value>,
    events: &'a revcore::Result<Option<Value>>,
    now: &revcore::Result<String>,
) -> revcore::Result<(&'a Value, Option<&'a Value>, chrono::DateTime<chrono::Utc>)> {
    let leads = leads.as_ref().map_err(Clone::clone)?;
    let events = events.as_ref().map_err(Clone::clone)?;
    let now = parse_now(now.as_ref().map_err(Clone::clone)?)?;
    Ok((leads, events.as_ref(), now))
}

/// A checked, compiled scoring model. Immutable: share it freely. `new Scorer(model)` throws a
/// `ConfigError` (or a `ParseError` for a model of the wrong shape) listing every problem with
/// its path under `model` (`model.fit_rules[0].points`).
#[napi]
pub struct Scorer {
    inner: Arc<core::Scorer>,
}

#[napi]
impl Scorer {
    #[napi(constructor, catch_unwind, ts_args_type = "model: ScoringModel")]
    pub fn new(env: Env, model: Unknown) -> Result<Self> {
        let model = try_from_js(&env, model, "model")?.or_throw(&env)?;
        let inner = core::Scorer::from_json(&model).or_throw(&env)?;
        Ok(Scorer {
            inner: Arc::new(inner),
        })
    }

    /// Scores one lead on `events` (an array, or `null` / `undefined` for none; events of other
    /// leads are counted as `other_lead` and ignored) at `now`. Only the keys scoring reads
    /// (`leadFields()`) are read from the lead. Problems are reported under `lead` and
    /// `events[i]`.
    #[napi(
        catch_unwind,
        ts_args_type = "lead: Lead, events: EngagementEvent[] | null | undefined, now: Date | string",
        ts_return_type = "Score"
    )]
    pub fn score(
        &self,
        env: Env,
        lead: Unknown,
        events: Option<Unknown>,
        now: Option<Unknown>,
    ) -> Result<Json> {
        let lead = try_record_from_js(&env, lead, "lead", self.inner.lead_fields())?;
        let events = events_from_js(&env, events)?;
        let now = now_arg(&env, now)?;
        ready(&lead, &events, &now)
            .and_then(|(lead, events, now)| self.inner.score_json(lead, events, now))
            .map(Json)
            .or_throw(&env)
    }

    /// Scores every lead on the events naming it, at one `now`: the same scores as `score` of
    /// each lead with all the events. Problems are reported under `leads[i]` and `events[i]`.
    #[napi(
        catch_unwind,
        ts_args_type = "leads: Lead[], events: EngagementEvent[] | null | undefined, now: Date | string",
        ts_return_type = "Score[]"
    )]
    pub fn score_batch(
        &self,
        env: Env,
        leads: Unknown,
        events: Option<Unknown>,
        now: Option<Unknown>,
    ) -> Result<Json> {
        let mut task = ScoreBatch::read(&env, &self.inner, leads, events, now)?;
        task.run().map(Json).or_throw(&env)
    }

    /// `scoreBatch` off the main thread (reading the arguments stays on it). A bad argument
    /// rejects the promise.
    #[napi(
        catch_unwind,
        ts_args_type = "leads: Lead[], events: EngagementEvent[] | null | undefined, now: Date | string",
        ts_return_type = "Promise<Score[]>"
    )]
    pub fn score_batch_async(
        &self,
        env: Env,
        leads: Unknown,
        events: Option<Unknown>,
        now: Option<Unknown>,
    ) -> Result<AsyncTask<ScoreBatch>> {
        Ok(AsyncTask::new(ScoreBatch::read(
            &env,
            &self.inner,
            leads,
            events,
            now,
        )?))
    }

    /// The top-level lead keys a score can read, sorted: `id`, `created_at`, the fields of the
    /// fit and penalty conditions, and `attributes` with the attribute's name for a condition
    /// on an attribute. A lead's other keys are never read.
    #[napi(catch_unwind, ts_return_type = "string[]")]
    pub fn lead_fields(&self) -> Vec<String> {
        self.inner.lead_fields().to_vec()
    }
}

/// `now` as [`now_from_js`] reads it; a missing one is refused at `now` like `undefined`.
fn now_arg(env: &Env, now: Option<Unknown<'_>>) -> Result<revcore::Result<String>> {
    match now {
        Some(now) => now_from_js(env, now),
        None => Ok(Err(revcore::Error::parse(
            "now",
            "invalid_type",
            "expected a Date or an RFC 3339 string",
        ))),
    }
}

/// The work of `scoreBatch` and `scoreBatchAsync`: the scorer, and the arguments read on the
/// JS thread (or why they could not be).
pub struct ScoreBatch {
    scorer: Arc<core::Scorer>,
    leads: revcore::Result<Value>,
    events: revcore::Result<Option<Value>>,
    now: revcore::Result<String>,
}

impl ScoreBatch {
    fn read(
        env: &Env,
        scorer: &Arc<core::Scorer>,
        leads: Unknown<'_>,
        events: Option<Unknown<'_>>,
        now: Option<Unknown<'_>>,
    ) -> Result<ScoreBatch> {
        Ok(ScoreBatch {
            scorer: Arc::clone(scorer),
            leads: try_records_from_js(env, leads, "leads", scorer.lead_fields())?,
            events: events_from_js(env, events)?,
            now: now_arg(env, now)?,
        })
    }

    /// Parses and scores: no JS runs here.
    fn run(&mut self) -> revcore::Result<Value> {
        let (leads, events, now) = ready(&self.leads, &self.events, &self.now)?;
        self.scorer.score_batch_json(leads, events, now)
    }
}

impl Task for ScoreBatch {
    type Output = revcore::Result<Value>;
    type JsValue = Json;

    /// On the libuv pool, where no JS runs: the core call, panics caught.
    fn compute(&mut self) -> Result<Self::Output> {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.run()))
            .map_err(panic_to_error)
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<Json> {
        output.map(Json).or_throw(&env)
    }
}
