//! Routing decisions -> a compact encoding that index.js decodes into plain objects.
//!
//! Building a batch of decisions as JS objects through N-API (one call per value) or through
//! `JSON.parse` of their text costs more than routing them (BRIDGES.md). This encoding crosses
//! as three values, whatever the batch size:
//!
//! - `strings`: the JSON text of an array: `null`, then the strings of the batch in first-use
//!   order: each lead id (unless [`Encoder::lead_ids`] is off: `routeBatch` of flat leads,
//!   whose ids index.js holds; their code is then 0), and every other string once (rule,
//!   pool, rep, territory and account ids, result and reason names, step names, free-mail
//!   domains, due times). A string is coded as its index there, so 0 is null.
//! - `codes` (`Int32Array`): the decision count, then per decision
//!   `lead_id, owner_id, queue, account_id, territory_id, rule_id, pool_id, sla_due, steps`
//!   (string indices; `steps` the trace length) followed by its trace steps, each
//!   `step, mask` then the fields whose bit is set in `mask`, in [`FIELDS`] order: a string
//!   index each, `missing_fields` as its length then the indices, `minutes` in `numbers`.
//! - `numbers` (`Float64Array`): per decision `state_version`, then the `minutes` of its steps.
//!
//! The encoder keeps its buffers and tables from batch to batch ([`Encoder::begin`]), and
//! takes decisions one at a time as the router makes them (`Router::route_each`), so a batch
//! builds no list of decisions and no fresh buffers.
//!
//! The decoder (`decodeDecisions` in index.js) writes the keys in the order serde writes them
//! (`Decision` and `TraceStep` field order; a decision's `None` as null, a step's left out), so
//! its objects are what `JSON.parse` of the core's JSON gives, key order included. A field
//! added to `Decision` or `StepRef` fails to compile here (the destructurings below name every
//! field) until the encoding and the decoder learn it.

use chrono::{DateTime, Utc};
use napi::bindgen_prelude::*;
use revcore::routing::{Decision, Id, Step, StepRef};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// The optional trace-step fields, in `TraceStep` order: bit `i` of a step's mask is
/// `FIELDS[i]`. index.js decodes in this order (`STEP_FIELDS` there must be this list).
pub const FIELDS: [&str; 13] = [
    "rule_id",
    "pool_id",
    "rep_id",
    "result",
    "by",
    "account_id",
    "domain",
    "territory_id",
    "reason",
    "missing_fields",
    "queue",
    "due",
    "minutes",
];

/// A batch of decisions, encoded (see the module documentation).
pub struct Encoded {
    strings: String,
    codes: Vec<i32>,
    numbers: Vec<f64>,
}

impl TypeName for Encoded {
    fn type_name() -> &'static str {
        "EncodedDecisions"
    }
    fn value_type() -> ValueType {
        ValueType::Object
    }
}

impl ToNapiValue for Encoded {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> Result<sys::napi_value> {
        let env = Env::from_raw(env);
        let mut object = Object::new(&env)?;
        object.set("strings", val.strings)?;
        object.set("codes", Int32Array::new(val.codes))?;
        object.set("numbers", Float64Array::new(val.numbers))?;
        Ok(object.raw())
    }
}

/// A batch encoded into the caller's typed arrays (`codes`, `numbers`) where they are large
/// enough; where one is not, a fresh array holding the encoding with room to spare (index.js
/// keeps it for the next batch). The decoder reads a batch by its counts, so what follows the
/// encoding in an array does not matter.
pub struct Written {
    strings: String,
    codes: Option<Vec<i32>>,
    numbers: Option<Vec<f64>>,
}

impl TypeName for Written {
    fn type_name() -> &'static str {
        "WrittenDecisions"
    }
    fn value_type() -> ValueType {
        ValueType::Object
    }
}

impl ToNapiValue for Written {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> Result<sys::napi_value> {
        let env = Env::from_raw(env);
        let mut object = Object::new(&env)?;
        object.set("strings", val.strings)?;
        if let Some(codes) = val.codes {
            object.set("codes", Int32Array::new(codes))?;
        }
        if let Some(numbers) = val.numbers {
            object.set("numbers", Float64Array::new(numbers))?;
        }
        Ok(object.raw())
    }
}

/// `from` copied into `into` when it fits (`None`), else into a fresh vector a quarter
/// longer than needed.
fn copy_or_grow<T: Copy + Default>(from: &[T], into: &mut [T]) -> Option<Vec<T>> {
    if let Some(into) = into.get_mut(..from.len()) {
        into.copy_from_slice(from);
        return None;
    }
    let mut fresh = vec![T::default(); from.len() + from.len() / 4 + 64];
    fresh[..from.len()].copy_from_slice(from);
    Some(fresh)
}

/// FxHash (rustc's hasher): the keys are a pointer and a length, or short names, hashed by
/// the thousand per batch; SipHash's resistance to chosen keys buys nothing here.
#[derive(Default)]
struct Fx(u64);

impl Hasher for Fx {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0; 8];
            word.copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
        for &b in chunks.remainder() {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<Fx>>;

/// The code of null: `strings[0]`.
const NULL: i32 = 0;

/// Room for the names of `Step`'s variants, indexed by `Step as usize`.
const STEP_KINDS: usize = 16;

/// Slots of the direct-mapped cache in front of `Encoder::by_address` (a power of two): room
/// for a config of a thousand territories' ids without many collisions (48 KB, reset once per
/// batch).
const CACHE: usize = 2048;

/// Encodes a batch of decisions (see the module documentation), one decision at a time.
pub struct Encoder {
    /// Strings interned by address and length: ids are shared `Arc<str>`s and names
    /// `&'static str`s, so a string met again is found without reading it. Only strings
    /// that outlive the batch are interned this way: the ids of a decision are clones of the
    /// router's own (its config, reps, accounts and field names, which live as long as the
    /// router) and names are static, so an address cannot be reused for another string
    /// while a batch is encoded, even though each decision is dropped once encoded. A
    /// decision's own strings (lead id, domain) are never interned by address.
    by_address: FxMap<(usize, usize), i32>,
    /// The last string seen per slot (address and length, code): the rule, pool, rep and
    /// territory ids and names of a batch, found without hashing.
    cache: [(usize, usize, i32); CACHE],
    /// Strings made per decision (free-mail domains), interned by value (owned: the
    /// decision they come from is dropped before the batch ends).
    by_value: FxMap<Box<str>, i32>,
    /// Due times by instant: formatted once each.
    times: FxMap<DateTime<Utc>, i32>,
    last_time: Option<(DateTime<Utc>, i32)>,
    /// Each step kind's name, by `Step as usize` ([`NULL`] until written in this batch).
    steps: [i32; STEP_KINDS],
    /// Strings written so far, `null` (index 0) not counted.
    count: i32,
    /// Decisions encoded since `begin`.
    decisions: i32,
    /// Whether lead ids are written (else each is null: the caller has them, as index.js has
    /// the flat leads' own ids).
    pub lead_ids: bool,
    strings: Vec<u8>,
    codes: Vec<i32>,
    numbers: Vec<f64>,
}

impl Default for Encoder {
    fn default() -> Self {
        Encoder {
            by_address: FxMap::default(),
            // Address 0 is no string's.
            cache: [(0, 0, NULL); CACHE],
            by_value: FxMap::default(),
            times: FxMap::default(),
            last_time: None,
            steps: [NULL; STEP_KINDS],
            count: 0,
            decisions: 0,
            lead_ids: true,
            strings: Vec::new(),
            codes: Vec::new(),
            numbers: Vec::new(),
        }
    }
}

/// Whether serde_json writes `s` as it is between quotes: no control character, quote or
/// backslash (the only characters it escapes).
fn plain(s: &str) -> bool {
    s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\')
}

impl Encoder {
    /// Starts a batch of about `decisions` decisions: everything of the last batch is
    /// forgotten, its buffers kept.
    pub fn begin(&mut self, decisions: usize) {
        self.by_address.clear();
        self.cache.fill((0, 0, NULL));
        self.by_value.clear();
        self.times.clear();
        self.last_time = None;
        self.steps = [NULL; STEP_KINDS];
        self.count = 0;
        self.decisions = 0;
        self.strings.clear();
        self.codes.clear();
        self.numbers.clear();
        self.strings.reserve(16 * decisions + 8);
        self.codes.reserve(1 + 32 * decisions);
        self.numbers.reserve(decisions + 1);
        self.strings.extend_from_slice(b"[null");
        // The decision count, set by `finish`.
        self.codes.push(0);
    }

    /// Gives back the room beyond what a batch of `decisions` decisions needs (a router
    /// keeps its encoder between batches).
    pub fn shrink_to(&mut self, decisions: usize) {
        self.strings.shrink_to(16 * decisions + 8);
        self.codes.shrink_to(1 + 32 * decisions);
        self.numbers.shrink_to(decisions + 1);
    }

    /// Ends the batch begun last: the encoding is in `strings`, `codes` and `numbers`.
    pub fn finish(&mut self) {
        self.strings.push(b']');
        self.codes[0] = self.decisions;
    }

    fn push_string(&mut self, s: &str) -> i32 {
        self.strings.push(b',');
        if plain(s) {
            self.strings.push(b'"');
            self.strings.extend_from_slice(s.as_bytes());
            self.strings.push(b'"');
        } else {
            serde_json::to_writer(&mut self.strings, s).expect("a str serialises");
        }
        self.count += 1;
        self.count
    }

    #[inline]
    fn shared(&mut self, s: &str) -> i32 {
        let key = (s.as_ptr() as usize, s.len());
        let slot = (key.0 >> 3 ^ key.0 >> 11) & (CACHE - 1);
        let (address, len, code) = self.cache[slot];
        if address == key.0 && len == key.1 {
            return code;
        }
        self.shared_slow(s, key, slot)
    }

    #[cold]
    fn shared_slow(&mut self, s: &str, key: (usize, usize), slot: usize) -> i32 {
        let code = match self.by_address.get(&key) {
            Some(&i) => i,
            None => {
                let i = self.push_string(s);
                self.by_address.insert(key, i);
                i
            }
        };
        self.cache[slot] = (key.0, key.1, code);
        code
    }

    #[inline]
    fn id(&mut self, id: &Id) -> i32 {
        self.shared(id.as_str())
    }

    fn opt_id(&mut self, id: Option<&Id>) -> i32 {
        id.map_or(NULL, |id| self.id(id))
    }

    fn value(&mut self, s: &str) -> i32 {
        if let Some(&i) = self.by_value.get(s) {
            return i;
        }
        let i = self.push_string(s);
        self.by_value.insert(s.into(), i);
        i
    }

    /// A time as serde writes it (RFC 3339, `Z`, fractional seconds only when not zero): the
    /// very text `serde_json` gives, quotes stripped.
    fn time(&mut self, time: &DateTime<Utc>) -> i32 {
        // A decision's SLA due time is its `sla` step's too.
        if let Some((last, i)) = self.last_time {
            if last == *time {
                return i;
            }
        }
        if let Some(&i) = self.times.get(time) {
            self.last_time = Some((*time, i));
            return i;
        }
        let quoted = serde_json::to_string(time).expect("a time serialises");
        let text = quoted
            .strip_prefix('"')
            .and_then(|t| t.strip_suffix('"'))
            .unwrap_or(&quoted);
        let i = self.push_string(text);
        self.times.insert(*time, i);
        self.last_time = Some((*time, i));
        i
    }

    #[inline]
    fn step_name(&mut self, step: Step) -> i32 {
        match self.steps.get(step as usize) {
            Some(&code) if code != NULL => code,
            _ => self.step_name_slow(step),
        }
    }

    /// A step kind's name written the first time it is met in a batch.
    #[cold]
    fn step_name_slow(&mut self, step: Step) -> i32 {
        let name = match serde_json::to_value(step) {
            Ok(serde_json::Value::String(name)) => name,
            other => format!("{other:?}"), // not reached: steps are unit variants
        };
        let code = self.push_string(&name);
        // A kind beyond the table (not reached: `STEP_KINDS` is above `Step`'s count, which
        // a test checks) is written again each time: correct, only slower.
        if let Some(slot) = self.steps.get_mut(step as usize) {
            *slot = code;
        }
        code
    }

    /// Encodes one decision; it may be dropped once this returns.
    pub fn decision(&mut self, d: &Decision) {
        let Decision {
            lead_id,
            sla_due,
            state_version,
            trace,
            ..
        } = d;
        let fields = [
            // Each lead's own: written, not interned (or left to the caller).
            if self.lead_ids {
                self.push_string(lead_id)
            } else {
                NULL
            },
            self.opt_id(d.owner_id()),
            self.opt_id(d.queue()),
            self.opt_id(d.account_id()),
            self.opt_id(d.territory_id()),
            self.opt_id(d.rule_id()),
            self.opt_id(d.pool_id()),
            sla_due.as_ref().map_or(NULL, |t| self.time(t)),
            len(trace.len()),
        ];
        self.decisions += 1;
        self.codes.extend_from_slice(&fields);
        // As JSON.parse reads the integer serde writes: the nearest double.
        self.numbers.push(*state_version as f64);
        for step in trace.iter() {
            self.step(step);
        }
    }

    /// One step: `step, mask`, then its fields' codes, gathered in a local buffer (in
    /// registers and on the stack rather than through the `codes` vector's length and
    /// capacity at every field) and appended at once; `missing_fields`, of any length,
    /// appends what was gathered before it, then itself.
    fn step(&mut self, s: StepRef<'_>) {
        let StepRef {
            step,
            rule_id,
            pool_id,
            rep_id,
            result,
            by,
            account_id,
            domain,
            territory_id,
            reason,
            missing_fields,
            queue,
            due,
            minutes,
        } = s;
        // `step`, `mask` and at most one code per field (`minutes` goes to `numbers`).
        let mut buf = [NULL; 2 + FIELDS.len()];
        buf[0] = self.step_name(step);
        let mut n = 2;
        // Where the mask goes in `codes` once the buffer is appended (it may be appended in
        // two parts, around `missing_fields`).
        let at = self.codes.len() + 1;
        let mut mask = 0;
        let mut bit = 1;
        macro_rules! field {
            ($value:expr, |$x:ident| $code:expr) => {
                if let Some($x) = $value {
                    mask |= bit;
                    buf[n] = $code;
                    n += 1;
                }
                bit <<= 1;
            };
        }
        field!(rule_id, |x| self.id(x));
        field!(pool_id, |x| self.id(x));
        field!(rep_id, |x| self.id(x));
        field!(result, |x| self.shared(x));
        field!(by, |x| self.shared(x));
        field!(account_id, |x| self.id(x));
        field!(domain, |x| self.value(x));
        field!(territory_id, |x| self.id(x));
        field!(reason, |x| self.shared(x));
        if let Some(fields) = missing_fields {
            mask |= bit;
            self.codes.extend_from_slice(&buf[..n]);
            n = 0;
            self.codes.push(len(fields.len()));
            for f in fields.iter() {
                let code = self.id(f);
                self.codes.push(code);
            }
        }
        bit <<= 1;
        field!(queue, |x| self.id(x));
        field!(due, |t| self.time(&t));
        if let Some(m) = minutes {
            mask |= bit;
            self.numbers.push(f64::from(m));
        }
        debug_assert_eq!(bit, 1 << (FIELDS.len() - 1));
        self.codes.extend_from_slice(&buf[..n]);
        self.codes[at] = mask;
    }
}

/// A length as a code: lengths of what fits in memory, far below `i32::MAX` for anything
/// that can also be a JS string or typed array.
fn len(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// The decisions, encoded (see the module documentation).
pub fn encode(decisions: &[Decision]) -> Encoded {
    let mut e = Encoder::default();
    e.begin(decisions.len());
    for d in decisions {
        e.decision(d);
    }
    e.finish();
    e.take()
}

impl Encoder {
    /// The encoding of the batch ended last, written into `codes` and `numbers` where they
    /// are large enough ([`Written`]); the encoder keeps its buffers.
    pub fn write(&self, codes: &mut [i32], numbers: &mut [f64]) -> Written {
        Written {
            strings: std::str::from_utf8(&self.strings)
                .expect("JSON text is UTF-8")
                .to_owned(),
            codes: copy_or_grow(&self.codes, codes),
            numbers: copy_or_grow(&self.numbers, numbers),
        }
    }

    /// The encoding of the batch ended last, moved out (the buffers start afresh).
    pub fn take(&mut self) -> Encoded {
        Encoded {
            // serde_json writes UTF-8 and plain strings are `str`s.
            strings: String::from_utf8(std::mem::take(&mut self.strings))
                .expect("JSON text is UTF-8"),
            codes: std::mem::take(&mut self.codes),
            numbers: std::mem::take(&mut self.numbers),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::FIELDS;
    use revcore::routing::{parse_now, Id, Step, TraceStep};

    /// Every step kind has a slot in the encoder's table of names (a variant added to
    /// `Step` fails to compile here until it is listed).
    #[test]
    fn step_kinds_fit_the_table() {
        let all = [
            Step::AccountMatch,
            Step::Sticky,
            Step::Rule,
            Step::Territory,
            Step::Candidate,
            Step::TargetRep,
            Step::Fallback,
            Step::Sla,
        ];
        for step in all {
            match step {
                Step::AccountMatch
                | Step::Sticky
                | Step::Rule
                | Step::Territory
                | Step::Candidate
                | Step::TargetRep
                | Step::Fallback
                | Step::Sla => assert!((step as usize) < super::STEP_KINDS),
            }
        }
    }

    /// `FIELDS` is `TraceStep`'s serialisation order (its optional fields, after `step`).
    #[test]
    fn fields_follow_trace_step_order() {
        let id = || Some(Id::new("x"));
        let mut step = TraceStep::new(Step::Sla);
        step.rule_id = id();
        step.pool_id = id();
        step.rep_id = id();
        step.result = Some("r");
        step.by = Some("b");
        step.account_id = id();
        step.domain = Some("d".into());
        step.territory_id = id();
        step.reason = Some("r");
        step.missing_fields = Some(vec![]);
        step.queue = id();
        step.due = Some(parse_now("2026-03-02T15:00:00.5Z").unwrap());
        step.minutes = Some(1);
        // serde writes a struct's fields in declaration order.
        let text = serde_json::to_string(&step).unwrap();
        let mut at = text.find("\"step\":").unwrap();
        for field in FIELDS {
            let next = text.find(&format!("\"{field}\":")).unwrap();
            assert!(next > at, "{field} out of order in {text}");
            at = next;
        }
        let value = serde_json::to_value(&step).unwrap();
        assert_eq!(value.as_object().unwrap().len(), FIELDS.len() + 1, "{text}");
    }
}
