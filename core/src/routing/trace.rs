//! A decision's trace, kept compact: each step is a small record of codes and indices into the
//! router's id tables ([`Names`], shared by the router and every decision it made), turned into
//! ids only when read ([`StepRef`]) or serialised. A decision's trace serialises exactly as a
//! list of [`TraceStep`]s would (docs/routing.md, "Trace"); it never holds a copy of an id.

use super::calendar::Unavailable;
use super::engine::Id;
use chrono::{DateTime, Utc};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use std::sync::Arc;

/// The kind of a trace step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    AccountMatch,
    Sticky,
    Rule,
    Territory,
    Candidate,
    TargetRep,
    Fallback,
    Sla,
}

/// One step of a decision's trace, owning its ids; keys that do not apply are absent.
/// [`Trace::to_vec`] gives these; [`StepRef`] is the same step borrowed from its trace.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TraceStep {
    pub step: Step,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule_id: Option<Id>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pool_id: Option<Id>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rep_id: Option<Id>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_id: Option<Id>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub territory_id: Option<Id>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing_fields: Option<Vec<Id>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queue: Option<Id>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minutes: Option<u32>,
}

impl TraceStep {
    pub fn new(step: Step) -> TraceStep {
        TraceStep {
            step,
            rule_id: None,
            pool_id: None,
            rep_id: None,
            result: None,
            by: None,
            account_id: None,
            domain: None,
            territory_id: None,
            reason: None,
            missing_fields: None,
            queue: None,
            due: None,
            minutes: None,
        }
    }
}

/// The ids a router's traces point into, by index; built once per router.
#[derive(Debug)]
pub(crate) struct Names {
    pub reps: Vec<Id>,
    pub rules: Vec<Id>,
    /// Per rule: the fields of its condition (what `missing_fields` lists from).
    pub rule_fields: Vec<Vec<Id>>,
    /// Per rule: its queue, when it targets one.
    pub rule_queues: Vec<Option<Id>>,
    pub pools: Vec<Id>,
    pub territories: Vec<Id>,
    pub accounts: Vec<Id>,
    /// Per account: its owner id as written (a sticky owner unknown to the router is named).
    pub account_owners: Vec<Option<Id>>,
    pub fallback_queue: Id,
}

/// "No index" in a [`Code`].
pub(crate) const NONE: u32 = u32::MAX;

/// Rules with more condition fields than this list missing fields in [`Trace::wide`] rather than
/// in a bit mask.
pub(crate) const MASK_FIELDS: usize = 32;

/// A step's `result`, `reason` or `by`, as one byte in a [`Code`]; [`Word::text`] is how it is
/// written. Every name is one `&'static str` of [`WORDS`], so a name read twice is the same
/// text at the same address (the Node encoder interns names by address).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Word {
    NoAccounts,
    Matched,
    NotMatched,
    FreeMail,
    None,
    Assigned,
    NoOwner,
    OwnerUnknown,
    OwnerInactive,
    OwnerUnavailable,
    Selected,
    Skipped,
    Domain,
    CompanyName,
    Inactive,
    OutOfOffice,
    Holiday,
    OutsideHours,
    DailyCapReached,
    OpenCapReached,
    NotTheirTurn,
    StickyOwnerUnavailable,
    NoRuleMatched,
    QueueRule,
    NoTerritory,
    NoEligibleRep,
}

/// The text of every [`Word`], in declaration order.
static WORDS: [&str; 26] = [
    "no_accounts",
    "matched",
    "not_matched",
    "free_mail",
    "none",
    "assigned",
    "no_owner",
    "owner_unknown",
    "owner_inactive",
    "owner_unavailable",
    "selected",
    "skipped",
    "domain",
    "company_name",
    "inactive",
    "out_of_office",
    "holiday",
    "outside_hours",
    "daily_cap_reached",
    "open_cap_reached",
    "not_their_turn",
    "sticky_owner_unavailable",
    "no_rule_matched",
    "queue_rule",
    "no_territory",
    "no_eligible_rep",
];

impl Word {
    pub fn text(self) -> &'static str {
        WORDS[self as usize]
    }
}

impl From<Unavailable> for Word {
    fn from(u: Unavailable) -> Word {
        match u {
            Unavailable::OutOfOffice => Word::OutOfOffice,
            Unavailable::Holiday => Word::Holiday,
            Unavailable::OutsideHours => Word::OutsideHours,
        }
    }
}

/// One compact step (12 bytes). What `a` and `b` hold depends on the step:
/// account_match: `a` account; sticky: `a` rep, or `b` account when the owner is unknown;
/// rule: `a` rule, `b` the mask of missing fields; territory: `a` territory; candidate:
/// `a` pool, `b` rep; target_rep: `a` rep; fallback: `a` the rule whose queue it is, or none
/// for the fallback queue; sla: `a` minutes (the due time is the trace's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Code {
    pub step: Step,
    pub result: Option<Word>,
    /// `by` for account_match, `reason` otherwise.
    pub detail: Option<Word>,
    pub a: u32,
    pub b: u32,
}

impl Code {
    pub fn new(step: Step) -> Code {
        Code {
            step,
            result: None,
            detail: None,
            a: NONE,
            b: NONE,
        }
    }
}

/// What the inline steps past a trace's length hold (never read): a code whose bytes are all
/// zero (the first step kind, the first word, index 0), so that a new trace's steps are
/// filled by a few wide stores of zero rather than three stores per step.
const FILLER: Code = Code {
    step: Step::AccountMatch,
    result: Some(Word::NoAccounts),
    detail: Some(Word::NoAccounts),
    a: 0,
    b: 0,
};

/// An index as stored in a [`Code`]: tables longer than `u32::MAX - 1` entries cannot be
/// built (a router holds every entry in memory, several bytes each), so this never saturates
/// in practice; if it did, the step would name nothing rather than a wrong entry.
pub(crate) fn index(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(NONE)
}

/// Steps a trace holds inline, without an allocation of its own: a usual trace (account
/// match, a few rules, territory, a pool's candidates, SLA) fits; longer ones move to the heap.
const INLINE_STEPS: usize = 16;

/// A trace's steps: inline up to [`INLINE_STEPS`], then on the heap.
#[derive(Clone)]
pub(crate) enum Codes {
    Inline(u8, [Code; INLINE_STEPS]),
    Heap(Vec<Code>),
}

impl Codes {
    pub fn as_slice(&self) -> &[Code] {
        match self {
            Codes::Inline(n, codes) => &codes[..usize::from(*n)],
            Codes::Heap(codes) => codes,
        }
    }

    pub fn as_mut_slice(&mut self) -> &mut [Code] {
        match self {
            Codes::Inline(n, codes) => &mut codes[..usize::from(*n)],
            Codes::Heap(codes) => codes,
        }
    }

    pub fn len(&self) -> usize {
        self.as_slice().len()
    }

    #[inline]
    fn push(&mut self, code: Code) {
        if let Codes::Inline(n, codes) = self {
            if let Some(slot) = codes.get_mut(usize::from(*n)) {
                *slot = code;
                *n += 1;
                return;
            }
        }
        self.push_heap(code);
    }

    /// [`Codes::push`] past the inline steps: moves them to the heap first.
    #[cold]
    fn push_heap(&mut self, code: Code) {
        match self {
            Codes::Inline(_, codes) => {
                let mut heap = Vec::with_capacity(2 * INLINE_STEPS);
                heap.extend_from_slice(codes);
                heap.push(code);
                *self = Codes::Heap(heap);
            }
            Codes::Heap(codes) => codes.push(code),
        }
    }
}

/// A decision's trace: compact steps read through the router's [`Names`].
#[derive(Clone)]
pub struct Trace {
    names: Arc<Names>,
    pub(crate) codes: Codes,
    /// The free-mail domain of the account_match step, if it found one.
    pub(crate) domain: Option<Box<str>>,
    /// The due time of the sla step.
    pub(crate) due: Option<DateTime<Utc>>,
    /// Missing fields of rules too wide for a mask: (step index, field index), in order.
    pub(crate) wide: Vec<(u32, u32)>,
}

impl Trace {
    pub(crate) fn new(names: &Arc<Names>) -> Trace {
        Trace {
            names: Arc::clone(names),
            codes: Codes::Inline(0, [FILLER; INLINE_STEPS]),
            domain: None,
            due: None,
            wide: Vec::new(),
        }
    }

    /// The names the trace's steps (and its decision's ids) point into.
    #[inline]
    pub(crate) fn names(&self) -> &Names {
        &self.names
    }

    #[inline]
    pub(crate) fn push(&mut self, code: Code) {
        self.codes.push(code);
    }

    /// Records the missing fields (indices into the rule's fields, ascending) of the rule
    /// step about to be pushed with `code`.
    pub(crate) fn push_rule(
        &mut self,
        mut code: Code,
        fields: usize,
        missing: impl Iterator<Item = u32>,
    ) {
        if fields <= MASK_FIELDS {
            code.b = missing.fold(0, |m, f| m | 1 << f);
        } else {
            let at = index(self.codes.len());
            self.wide.extend(missing.map(|f| (at, f)));
            code.b = 0;
        }
        self.codes.push(code);
    }

    pub fn len(&self) -> usize {
        self.codes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.codes.len() == 0
    }

    /// Step `i`, borrowed.
    pub fn get(&self, i: usize) -> Option<StepRef<'_>> {
        let code = self.codes.as_slice().get(i)?;
        Some(self.view(i, code))
    }

    pub fn iter(&self) -> impl ExactSizeIterator<Item = StepRef<'_>> + '_ {
        self.codes
            .as_slice()
            .iter()
            .enumerate()
            .map(|(i, code)| self.view(i, code))
    }

    /// The steps with their own ids.
    pub fn to_vec(&self) -> Vec<TraceStep> {
        self.iter().map(|s| s.to_owned()).collect()
    }

    fn view(&self, i: usize, code: &Code) -> StepRef<'_> {
        let n = &*self.names;
        fn at(list: &[Id], k: u32) -> Option<&Id> {
            list.get(k as usize)
        }
        let mut s = StepRef {
            step: code.step,
            rule_id: None,
            pool_id: None,
            rep_id: None,
            result: code.result.map(Word::text),
            by: None,
            account_id: None,
            domain: None,
            territory_id: None,
            reason: None,
            missing_fields: None,
            queue: None,
            due: None,
            minutes: None,
        };
        match code.step {
            Step::AccountMatch => {
                s.by = code.detail.map(Word::text);
                s.account_id = at(&n.accounts, code.a);
                s.domain = self.domain.as_deref();
            }
            Step::Sticky => {
                s.reason = code.detail.map(Word::text);
                s.rep_id = match code.a {
                    NONE => n
                        .account_owners
                        .get(code.b as usize)
                        .and_then(Option::as_ref),
                    r => at(&n.reps, r),
                };
            }
            Step::Rule => {
                s.rule_id = at(&n.rules, code.a);
                let fields = n
                    .rule_fields
                    .get(code.a as usize)
                    .map_or(&[][..], Vec::as_slice);
                let any = if fields.len() <= MASK_FIELDS {
                    code.b != 0
                } else {
                    self.wide.iter().any(|&(step, _)| step as usize == i)
                };
                if any {
                    s.missing_fields = Some(Missing {
                        fields,
                        mask: code.b,
                        wide: if fields.len() <= MASK_FIELDS {
                            &[]
                        } else {
                            &self.wide
                        },
                        step: index(i),
                    });
                }
            }
            Step::Territory => s.territory_id = at(&n.territories, code.a),
            Step::Candidate => {
                s.reason = code.detail.map(Word::text);
                s.pool_id = at(&n.pools, code.a);
                s.rep_id = at(&n.reps, code.b);
            }
            Step::TargetRep => {
                s.reason = code.detail.map(Word::text);
                s.rep_id = at(&n.reps, code.a);
            }
            Step::Fallback => {
                s.reason = code.detail.map(Word::text);
                s.queue = match code.a {
                    NONE => Some(&n.fallback_queue),
                    r => n.rule_queues.get(r as usize).and_then(Option::as_ref),
                };
            }
            Step::Sla => {
                s.due = self.due;
                s.minutes = Some(code.a);
            }
        }
        s
    }
}

impl PartialEq for Trace {
    fn eq(&self, other: &Trace) -> bool {
        self.len() == other.len() && self.iter().zip(other.iter()).all(|(a, b)| a == b)
    }
}

impl std::fmt::Debug for Trace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Serialize for Trace {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.len()))?;
        for step in self.iter() {
            seq.serialize_element(&step)?;
        }
        seq.end()
    }
}

impl<'a> IntoIterator for &'a Trace {
    type Item = StepRef<'a>;
    type IntoIter = Box<dyn ExactSizeIterator<Item = StepRef<'a>> + 'a>;
    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

/// One step of a trace, borrowed from it: the fields of [`TraceStep`], serialised the same way.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepRef<'a> {
    pub step: Step,
    pub rule_id: Option<&'a Id>,
    pub pool_id: Option<&'a Id>,
    pub rep_id: Option<&'a Id>,
    pub result: Option<&'static str>,
    pub by: Option<&'static str>,
    pub account_id: Option<&'a Id>,
    pub domain: Option<&'a str>,
    pub territory_id: Option<&'a Id>,
    pub reason: Option<&'static str>,
    pub missing_fields: Option<Missing<'a>>,
    pub queue: Option<&'a Id>,
    pub due: Option<DateTime<Utc>>,
    pub minutes: Option<u32>,
}

impl StepRef<'_> {
    pub fn to_owned(&self) -> TraceStep {
        TraceStep {
            step: self.step,
            rule_id: self.rule_id.cloned(),
            pool_id: self.pool_id.cloned(),
            rep_id: self.rep_id.cloned(),
            result: self.result,
            by: self.by,
            account_id: self.account_id.cloned(),
            domain: self.domain.map(str::to_string),
            territory_id: self.territory_id.cloned(),
            reason: self.reason,
            missing_fields: self.missing_fields.map(|m| m.iter().cloned().collect()),
            queue: self.queue.cloned(),
            due: self.due,
            minutes: self.minutes,
        }
    }
}

impl Serialize for StepRef<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // TraceStep's field order, absent fields left out.
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("step", &self.step)?;
        macro_rules! field {
            ($name:literal, $value:expr) => {
                if let Some(v) = &$value {
                    map.serialize_entry($name, v)?;
                }
            };
        }
        field!("rule_id", self.rule_id);
        field!("pool_id", self.pool_id);
        field!("rep_id", self.rep_id);
        field!("result", self.result);
        field!("by", self.by);
        field!("account_id", self.account_id);
        field!("domain", self.domain);
        field!("territory_id", self.territory_id);
        field!("reason", self.reason);
        field!("missing_fields", self.missing_fields);
        field!("queue", self.queue);
        field!("due", self.due);
        field!("minutes", self.minutes);
        map.end()
    }
}

/// The fields a rule step found missing, in the rule's field order.
#[derive(Clone, Copy)]
pub struct Missing<'a> {
    fields: &'a [Id],
    mask: u32,
    /// For wide rules: the trace's (step, field) list; empty otherwise.
    wide: &'a [(u32, u32)],
    step: u32,
}

impl<'a> Missing<'a> {
    pub fn iter(&self) -> impl Iterator<Item = &'a Id> + 'a {
        let Missing {
            fields,
            mask,
            wide,
            step,
        } = *self;
        let narrow = fields.len() <= MASK_FIELDS;
        let by_mask = (0..fields.len())
            .filter(move |&f| narrow && mask & (1 << f) != 0)
            .map(move |f| &fields[f]);
        let by_list = wide
            .iter()
            .filter(move |&&(s, _)| s == step)
            .filter_map(move |&(_, f)| fields.get(f as usize));
        by_mask.chain(by_list)
    }

    pub fn len(&self) -> usize {
        self.iter().count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl PartialEq for Missing<'_> {
    fn eq(&self, other: &Missing<'_>) -> bool {
        self.iter().eq(other.iter())
    }
}

impl std::fmt::Debug for Missing<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Serialize for Missing<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        for id in self.iter() {
            seq.serialize_element(id)?;
        }
        seq.end()
    }
}

#[cfg(test)]
mod tests {
    use crate::routing::{parse_now, Router};
    use serde_json::{json, Value};

    /// A rule with `n` condition fields, `missing` of them absent from the lead.
    fn missing_fields(n: usize, present: &[usize]) -> (Value, Vec<String>) {
        let leaves: Vec<Value> = (0..n)
            .map(|i| json!({"field": format!("attributes.f{i:02}"), "eq": "x"}))
            .collect();
        let config = json!({
            "version": 1,
            "rules": [
                {"id": "wide", "condition": {"all": leaves}, "target": {"queue": "q"}},
                {"id": "rest", "target": {"queue": "r"}},
            ],
            "fallback_queue": "f",
        });
        let reps = json!([]);
        let router = Router::from_json(&config, &reps, None, None).expect("a valid config");
        let attributes: serde_json::Map<String, Value> = present
            .iter()
            .map(|i| (format!("f{i:02}"), json!("y")))
            .collect();
        let lead = json!({"id": "L1", "created_at": "2026-03-02T10:00:00Z",
                          "attributes": attributes});
        let now = parse_now("2026-03-02T10:00:00Z").unwrap();
        let d = router.route_json(&lead, now).expect("a valid lead");
        let expected: Vec<String> = (0..n)
            .filter(|i| !present.contains(i))
            .map(|i| format!("attributes.f{i:02}"))
            .collect();
        (d, expected)
    }

    /// Missing fields are listed in the rule's field order, from a mask for narrow rules and
    /// from the trace's list for wide ones, and serialise as the owned steps do.
    #[test]
    fn missing_fields_narrow_and_wide() {
        for (n, present) in [
            (3, vec![1]),
            (32, vec![0, 31]),
            (33, vec![32]),
            (40, vec![0, 5, 39]),
        ] {
            let (d, expected) = missing_fields(n, &present);
            let step = &d["trace"][1];
            assert_eq!(step["rule_id"], "wide");
            let listed: Vec<&str> = step["missing_fields"]
                .as_array()
                .expect("fields are missing")
                .iter()
                .map(|v| v.as_str().unwrap())
                .collect();
            let mut want: Vec<&str> = expected.iter().map(String::as_str).collect();
            // The condition lists its fields sorted and deduplicated.
            want.sort_unstable();
            assert_eq!(listed, want, "{n} fields");
        }
        let (d, _) = missing_fields(40, &(0..40).collect::<Vec<_>>());
        assert!(d["trace"][1].get("missing_fields").is_none());
    }

    /// Every word's text is its name in snake case, and a code is 12 bytes.
    #[test]
    fn words_are_their_names() {
        use super::{Code, Word};
        use Word::*;
        let all = [
            NoAccounts,
            Matched,
            NotMatched,
            FreeMail,
            None,
            Assigned,
            NoOwner,
            OwnerUnknown,
            OwnerInactive,
            OwnerUnavailable,
            Selected,
            Skipped,
            Domain,
            CompanyName,
            Inactive,
            OutOfOffice,
            Holiday,
            OutsideHours,
            DailyCapReached,
            OpenCapReached,
            NotTheirTurn,
            StickyOwnerUnavailable,
            NoRuleMatched,
            QueueRule,
            NoTerritory,
            NoEligibleRep,
        ];
        assert_eq!(all.len(), super::WORDS.len());
        for w in all {
            let mut snake = String::new();
            for (i, c) in format!("{w:?}").chars().enumerate() {
                if c.is_ascii_uppercase() && i > 0 {
                    snake.push('_');
                }
                snake.push(c.to_ascii_lowercase());
            }
            assert_eq!(w.text(), snake);
        }
        for u in [
            crate::routing::Unavailable::OutOfOffice,
            crate::routing::Unavailable::Holiday,
            crate::routing::Unavailable::OutsideHours,
        ] {
            assert_eq!(Word::from(u).text(), u.code());
        }
        assert_eq!(std::mem::size_of::<Code>(), 12);
    }

    /// Steps stay in order when a trace moves from inline to the heap.
    #[test]
    fn codes_spill_in_order() {
        use super::{Code, Codes, Step, INLINE_STEPS};
        let mut codes = Codes::Inline(0, [Code::new(Step::Sla); INLINE_STEPS]);
        let mut want = Vec::new();
        for i in 0..3 * INLINE_STEPS as u32 {
            let mut code = Code::new(Step::Candidate);
            code.a = i;
            codes.push(code);
            want.push(code);
            assert_eq!(codes.as_slice(), &want[..]);
            assert_eq!(codes.len(), want.len());
            assert_eq!(
                matches!(codes, Codes::Inline(..)),
                want.len() <= INLINE_STEPS
            );
        }
        codes.as_mut_slice()[0].b = 7;
        assert_eq!(codes.as_slice()[0].b, 7);
    }

    /// A trace serialises as its owned steps (`to_vec`) do, key order included.
    #[test]
    fn borrowed_and_owned_steps_serialise_alike() {
        let world = crate::sample::generate(&crate::sample::SampleOptions {
            seed: 3,
            leads: 300,
            ..Default::default()
        });
        let router = Router::new(
            world.routing_config.clone().unwrap(),
            world.reps.clone(),
            world.accounts.clone(),
            None,
        )
        .unwrap();
        for lead in &world.leads {
            let d = router.route(lead, lead.created_at);
            let borrowed = serde_json::to_string(&d.trace).unwrap();
            let owned = serde_json::to_string(&d.trace.to_vec()).unwrap();
            assert_eq!(borrowed, owned);
            assert_eq!(d.trace.iter().len(), d.trace.len());
        }
    }
}
