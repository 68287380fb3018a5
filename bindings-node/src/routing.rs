//! `Router` and `simulate` (core `routing`, contract in docs/routing.md): route leads to reps.
//!
//! Convert, call, convert, as everywhere. `now` is a `Date` or an RFC 3339 string, read through
//! the one converter (a `Date` crosses as its ISO string, an invalid one is refused there) and
//! parsed by the core (`parse_now`). A lead is read only at the keys routing reads
//! (`leadFields()`): whatever its other properties hold is never looked at.
//!
//! Batches (BRIDGES.md: bridging costs more than routing). `routeBatchJson` is JSON text in,
//! JSON text out. `routeBatch` and `routeBatchAsync` return the decisions encoded (`encode`),
//! which index.js decodes into plain objects; index.js also sends a batch of plain JSON-safe
//! leads as the JSON text of their wanted keys (`routeBatchText`, hidden), and only other
//! batches through the object reader. Async calls read their arguments on the JS thread and
//! parse, route and encode on the libuv pool, like `sample.generateAsync`.

use crate::convert::{string_from_js, try_from_js, try_record_from_js, try_records_from_js, Json};
use crate::encode::{encode, Encoded, Encoder, Written};
use crate::error::OrThrow;
use crate::leads::{self as flat_leads, FlatLeads};
use napi::bindgen_prelude::*;
use napi_derive::napi;
use revcore::model::Lead;
use revcore::routing as core;
use revcore::Error as CoreError;
use serde_json::Value;
use std::sync::{Arc, Mutex};

/// `now` as RFC 3339 text, or why it cannot be (a `parse` error at `now`): a `Date` crosses as
/// its ISO string, an invalid one is refused by the converter. The core parses the text
/// (`parse_now`). The outer `Err` is a JS exception raised while reading, passed on untouched.
pub(crate) fn now_from_js(env: &Env, now: Unknown<'_>) -> Result<revcore::Result<String>> {
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

/// A lead argument read at `keys` only, or a thrown `parse` error at `at`.
fn lead_arg(env: &Env, value: Unknown<'_>, at: &str, keys: &[String]) -> Result<Value> {
    try_record_from_js(env, value, at, keys)?.or_throw(env)
}

/// The leads of a batch, read as [`core::Router::route_batch_json`] reads a JSON list whose
/// leads hold only the wanted keys (the readers here drop the others): a `parse` error at
/// `leads` for anything but a list, else every lead's problems under `leads[i]`.
fn leads_from_value(leads: &Value) -> revcore::Result<Vec<Lead>> {
    revcore::model::read::list(leads, "leads")
}

/// The leads of a batch from JSON text, as [`leads_from_value`] reads them; JSON that does not
/// parse is a `parse` error at `leads`.
fn leads_from_text(text: &str) -> revcore::Result<Vec<Lead>> {
    match serde_json::from_str(text) {
        Ok(leads) => Ok(leads),
        Err(_) => {
            // Read again only to name every problem with its path.
            let value: Value =
                serde_json::from_str(text).map_err(|e| CoreError::from(e).under("leads"))?;
            leads_from_value(&value)
        }
    }
}

/// The leads of a batch as read on the JS thread: JSON text, the flat encoding (`leads`), or
/// the object reader's result.
pub enum Leads {
    Text(String),
    Flat {
        text: String,
        codes: Vec<i32>,
        numbers: Vec<f64>,
    },
    Read(revcore::Result<Value>),
}

/// Routes a batch and encodes the decisions. Problems are reported in the order the other
/// entry points report them: the leads as read from JS, then `now`, then the leads' own.
/// `None` (nothing routed) when flat leads are not taken by their reader: index.js then sends
/// them as before, which reports their problems.
fn route_encoded(
    router: &core::Router,
    leads: &Leads,
    now: &revcore::Result<String>,
) -> revcore::Result<Option<Encoded>> {
    if let Leads::Read(Err(e)) = leads {
        return Err(e.clone());
    }
    let now = core::parse_now(now.as_ref().map_err(Clone::clone)?)?;
    let leads = match leads {
        Leads::Text(text) => leads_from_text(text)?,
        Leads::Flat {
            text,
            codes,
            numbers,
        } => return Ok(route_flat(router, text, codes, numbers, now)),
        Leads::Read(read) => leads_from_value(read.as_ref().map_err(Clone::clone)?)?,
    };
    Ok(Some(encode(&router.route_batch(&leads, now))))
}

/// What routing flat leads needs besides the router: the leads read and the encoder. A router
/// keeps one from batch to batch for `routeBatch` on the JS thread (reading, routing and
/// encoding then write into memory already mapped instead of some 10 MB fresh per batch, and
/// the next batch's leads are read into the last one's, their strings' memory reused); async
/// batches each use their own.
#[derive(Default)]
struct Scratch {
    leads: Vec<Lead>,
    encoder: Encoder,
}

/// Most leads a router keeps between batches, read ones included (the next batch reads
/// into them, reusing their strings' memory): about 1 KB each with their strings.
const KEEP_LEADS: usize = 1 << 14;

/// Most decisions the encoder keeps room for between batches.
const KEEP_ROOM: usize = 1 << 16;

impl Scratch {
    /// Routes leads in the flat encoding, each decision encoded as it is made (the encoding is
    /// then in `encoder`, with the lead ids or, when not `lead_ids`, without: index.js has
    /// them); `false`, routing nothing, when their reader does not take them (index.js then
    /// sends them another way).
    fn route_flat(
        &mut self,
        router: &core::Router,
        flat: &FlatLeads<'_>,
        now: chrono::DateTime<chrono::Utc>,
        lead_ids: bool,
    ) -> bool {
        let read = flat_leads::read_into(flat, &mut self.leads);
        if let Some(n) = read {
            let encoder = &mut self.encoder;
            encoder.lead_ids = lead_ids;
            encoder.begin(n);
            router.route_each(&self.leads[..n], now, |d| encoder.decision(d));
            encoder.finish();
        }
        self.leads.truncate(KEEP_LEADS);
        self.leads.shrink_to(KEEP_LEADS);
        self.encoder.shrink_to(KEEP_ROOM);
        read.is_some()
    }
}

/// Routes leads in the flat encoding and encodes the decisions; `None` when their reader does
/// not take them (index.js then sends them another way).
fn route_flat(
    router: &core::Router,
    text: &str,
    codes: &[i32],
    numbers: &[f64],
    now: chrono::DateTime<chrono::Utc>,
) -> Option<Encoded> {
    let flat = FlatLeads {
        keys: router.lead_fields(),
        text,
        codes,
        numbers,
    };
    let mut scratch = Scratch::default();
    scratch
        .route_flat(router, &flat, now, true)
        .then(|| scratch.encoder.take())
}

/// The start and end addresses of a slice.
fn span<T>(s: &[T]) -> (usize, usize) {
    let start = s.as_ptr() as usize;
    (start, start + std::mem::size_of_val(s))
}

/// Whether no two of these address ranges overlap (empty ones overlap nothing).
fn disjoint(spans: &[(usize, usize)]) -> bool {
    spans.iter().enumerate().all(|(i, a)| {
        spans[i + 1..]
            .iter()
            .all(|b| a.0 == a.1 || b.0 == b.1 || a.1 <= b.0 || b.1 <= a.0)
    })
}

/// [`route_encoded`] for leads that are never left to index.js (text, or read natively), which
/// always give decisions or an error. Flat leads that are not read would be an error here
/// (not reached: flat leads go through `routeBatchFlat`), never an empty batch.
fn route_encoded_all(
    router: &core::Router,
    leads: &Leads,
    now: &revcore::Result<String>,
) -> revcore::Result<Encoded> {
    route_encoded(router, leads, now)?.ok_or_else(|| {
        CoreError::parse(
            "leads",
            "invalid_value",
            "flat leads this entry point cannot fall back from",
        )
    })
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
    /// Reused by `routeBatchFlat` (module `Scratch`); a call that finds it taken (not reached:
    /// nothing calls JS while it is held) uses a fresh one.
    scratch: Mutex<Scratch>,
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
            scratch: Mutex::default(),
        })
    }

    /// Decides who gets the lead at `now` and commits it to the state. Only the keys routing
    /// reads (`leadFields()`) are read from the lead: whatever its other keys hold (NaN, a
    /// BigInt, a Map, an invalid Date) is not looked at.
    #[napi(
        catch_unwind,
        ts_args_type = "lead: Lead, now: Date | string",
        ts_return_type = "Decision"
    )]
    pub fn route(&self, env: Env, lead: Unknown, now: Unknown) -> Result<Json> {
        let lead = lead_arg(&env, lead, "lead", self.inner.lead_fields())?;
        let now = now_arg!(&env, now);
        self.inner.route_json(&lead, now).map(Json).or_throw(&env)
    }

    /// What `route` would decide, without changing the state (reading the lead as `route`).
    #[napi(
        catch_unwind,
        ts_args_type = "lead: Lead, now: Date | string",
        ts_return_type = "Decision"
    )]
    pub fn preview(&self, env: Env, lead: Unknown, now: Unknown) -> Result<Json> {
        let lead = lead_arg(&env, lead, "lead", self.inner.lead_fields())?;
        let now = now_arg!(&env, now);
        self.inner.preview_json(&lead, now).map(Json).or_throw(&env)
    }

    /// Routes the leads in order at `now`; the same as routing them one by one.
    ///
    /// Only the keys routing reads (`leadFields()`) are read from each lead: a problem
    /// anywhere else in a lead (NaN, a BigInt, a Map, an invalid Date, a getter that throws)
    /// is not reported, one in a key routing reads is, with its code and path
    /// (`leads[3].created_at`, `invalid_number`). Fastest with plain objects whose read keys
    /// hold JSON values (strings, numbers, booleans, null, Dates, plain objects and arrays):
    /// those cross as JSON text; other leads are read property by property, with the same
    /// decisions and the same errors.
    #[napi(
        catch_unwind,
        ts_args_type = "leads: Lead[], now: Date | string",
        ts_return_type = "Decision[]"
    )]
    // Natively, the decisions encoded (`encode`); index.js decodes them.
    pub fn route_batch(&self, env: Env, leads: Unknown, now: Unknown) -> Result<Encoded> {
        let leads = try_records_from_js(&env, leads, "leads", self.inner.lead_fields())?;
        let now = now_from_js(&env, now)?;
        route_encoded_all(&self.inner, &Leads::Read(leads), &now).or_throw(&env)
    }

    // `routeBatch` for a JSON array of leads holding only wanted keys, as index.js sends a
    // batch of plain JSON-safe leads; the decisions encoded. Not part of the API.
    #[napi(catch_unwind, skip_typescript)]
    pub fn route_batch_text(&self, env: Env, leads_json: Unknown, now: Unknown) -> Result<Encoded> {
        let leads = string_from_js(&env, leads_json, "leads")?;
        let now = now_from_js(&env, now)?;
        route_encoded_all(&self.inner, &Leads::Text(leads), &now).or_throw(&env)
    }

    // `routeBatch` for leads in the flat encoding index.js builds (`leads.rs`): the decisions
    // encoded into `outCodes` and `outNumbers` where they fit, else into fresh arrays
    // (`encode::Written`), lead ids left out (index.js has them), or null when the leads are not taken that way (index.js then sends
    // them as text or to the object reader). Not part of the API.
    // One argument per JS value crossing: grouping them in an object would cost a property
    // read (an N-API call) each.
    #[allow(clippy::too_many_arguments)]
    #[napi(catch_unwind, skip_typescript)]
    pub fn route_batch_flat(
        &self,
        env: Env,
        text: String,
        codes: Int32ArraySlice,
        numbers: Float64ArraySlice,
        now: Unknown,
        mut out_codes: Int32ArraySlice,
        mut out_numbers: Float64ArraySlice,
    ) -> Result<Option<Written>> {
        // `now` first: reading it may run JS (which may route again), the rest runs none.
        let now = now_from_js(&env, now)?;
        let now =
            core::parse_now(now.as_deref().map_err(Clone::clone).or_throw(&env)?).or_throw(&env)?;
        let flat = FlatLeads {
            keys: self.inner.lead_fields(),
            text: &text,
            codes: codes.as_ref(),
            numbers: numbers.as_ref(),
        };
        let mut fresh = None;
        let mut kept = self.scratch.try_lock();
        let scratch = match kept.as_deref_mut() {
            Ok(scratch) => scratch,
            Err(_) => fresh.insert(Scratch::default()),
        };
        if !scratch.route_flat(&self.inner, &flat, now, false) {
            return Ok(None);
        }
        let spans = [
            span(codes.as_ref()),
            span(numbers.as_ref()),
            span(out_codes.as_ref()),
            span(out_numbers.as_ref()),
        ];
        // SAFETY: no JS runs during this call, so nothing else reads or writes the arrays'
        // memory meanwhile; they are written only when they overlap neither each other nor
        // the inputs (else the encoding goes into fresh arrays).
        let (into_codes, into_numbers): (&mut [i32], &mut [f64]) = if disjoint(&spans) {
            unsafe { (out_codes.as_mut(), out_numbers.as_mut()) }
        } else {
            (&mut [], &mut [])
        };
        Ok(Some(scratch.encoder.write(into_codes, into_numbers)))
    }

    // `routeBatchFlat` off the main thread (the arrays are copied on it). Not part of the API.
    #[napi(catch_unwind, skip_typescript)]
    pub fn route_batch_flat_async(
        &self,
        env: Env,
        text: String,
        codes: Int32ArraySlice,
        numbers: Float64ArraySlice,
        now: Unknown,
    ) -> Result<AsyncTask<RouteBatch>> {
        let now = now_from_js(&env, now)?;
        Ok(AsyncTask::new(RouteBatch {
            router: Arc::clone(&self.inner),
            leads: Leads::Flat {
                text,
                codes: codes.as_ref().to_vec(),
                numbers: numbers.as_ref().to_vec(),
            },
            now,
        }))
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

    /// `routeBatch` off the main thread (reading the leads stays on it). A bad argument
    /// rejects the promise.
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
        let leads = try_records_from_js(&env, leads, "leads", self.inner.lead_fields())?;
        let now = now_from_js(&env, now)?;
        Ok(AsyncTask::new(RouteBatch {
            router: Arc::clone(&self.inner),
            leads: Leads::Read(leads),
            now,
        }))
    }

    // `routeBatchText` off the main thread. Not part of the API.
    #[napi(catch_unwind, skip_typescript)]
    pub fn route_batch_text_async(
        &self,
        env: Env,
        leads_json: Unknown,
        now: Unknown,
    ) -> Result<AsyncTask<RouteBatch>> {
        let leads = string_from_js(&env, leads_json, "leads")?;
        let now = now_from_js(&env, now)?;
        Ok(AsyncTask::new(RouteBatch {
            router: Arc::clone(&self.inner),
            leads: Leads::Text(leads),
            now,
        }))
    }

    /// The top-level lead keys routing reads, sorted: `id` and `created_at`, `email` and
    /// `website` when matching by domain, `company` when matching by company name, every
    /// field a rule or territory condition reads, and `attributes` with the attribute's name
    /// for a condition on an attribute. A lead's other keys are never read.
    #[napi(catch_unwind, ts_return_type = "string[]")]
    pub fn lead_fields(&self) -> Vec<String> {
        self.inner.lead_fields().to_vec()
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
    leads: Leads,
    now: revcore::Result<String>,
}

impl Task for RouteBatch {
    type Output = revcore::Result<Option<Encoded>>;
    type JsValue = Option<Encoded>;

    /// On the libuv pool, where no JS runs: parse, route, encode, panics caught.
    fn compute(&mut self) -> Result<Self::Output> {
        let (router, leads, now) = (&self.router, &self.leads, &self.now);
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            route_encoded(router, leads, now)
        }))
        .map_err(panic_to_error)
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<Option<Encoded>> {
        output.or_throw(&env)
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
