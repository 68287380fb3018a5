//! The decision procedure (docs/routing.md, "Deciding, step by step") over a compiled config,
//! and the in-memory state it reads and, when routing (not previewing), commits.
//!
//! `decide` only reads the state; it fills in the decision (built by the caller with
//! [`Engine::start`]) and sets the [`Commit`] that routing it would apply; `Router::route` holds
//! the state lock across deciding and committing, so a decision and its effect are atomic.

use super::calendar::{Calendar, KnownOffset, Now};
use super::config::{DailyCount, PoolState, RoutingState, StickyFallback, Strategy};
use super::matching::{AccountIndex, AccountMatch, MatchedBy};
use super::territory::TerritoryIndex;
use super::trace::{index, Code, Names, Step, Trace, Word, MASK_FIELDS, NONE};
use crate::condition::{BoundCondition, Condition, FieldValue, Record};
use crate::model::{Account, Lead, Rep};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Serialize, Serializer};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// A shared, cheaply cloned id or name in decisions and traces (serialised as a string).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Id(pub Arc<str>);

impl Id {
    pub fn new(s: &str) -> Id {
        Id(Arc::from(s))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for Id {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl Serialize for Id {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// The longest id a [`LeadKey`] holds inline (a UUID is 36 bytes, a Salesforce id 18).
const INLINE_ID: usize = 38;

/// A decision's lead id: its own copy, inline when it is [`INLINE_ID`] bytes or shorter (no
/// allocation per decision), on the heap otherwise. Serialised as a string.
#[derive(Clone)]
pub struct LeadKey(KeyRepr);

#[derive(Clone)]
enum KeyRepr {
    Inline(u8, [u8; INLINE_ID]),
    Heap(Box<str>),
}

impl LeadKey {
    pub fn new(s: &str) -> LeadKey {
        match u8::try_from(s.len()) {
            Ok(n) if s.len() <= INLINE_ID => {
                let mut bytes = [0; INLINE_ID];
                bytes[..s.len()].copy_from_slice(s.as_bytes());
                LeadKey(KeyRepr::Inline(n, bytes))
            }
            _ => LeadKey(KeyRepr::Heap(s.into())),
        }
    }

    pub fn as_str(&self) -> &str {
        match &self.0 {
            // The bytes were a `str`'s, so this never fails; were it to, the id would read empty
            // rather than panic.
            KeyRepr::Inline(n, bytes) => {
                std::str::from_utf8(&bytes[..usize::from(*n)]).unwrap_or("")
            }
            KeyRepr::Heap(s) => s,
        }
    }
}

impl std::ops::Deref for LeadKey {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for LeadKey {
    fn eq(&self, other: &LeadKey) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for LeadKey {}

impl std::fmt::Debug for LeadKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl std::fmt::Display for LeadKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for LeadKey {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One routing decision (docs/routing.md, "Decision").
///
/// Its ids are read through methods ([`Decision::owner_id`] and the rest): the decision holds
/// indices into its router's names, which its trace keeps alive, so deciding clones no shared
/// id. (Each `Arc` clone and drop is an atomic operation; six per decision cost about a fifth
/// of a decision's time.)
#[derive(Clone)]
pub struct Decision {
    pub lead_id: LeadKey,
    pub(crate) refs: Refs,
    pub sla_due: Option<DateTime<Utc>>,
    pub state_version: u64,
    pub trace: Trace,
}

/// A decision's ids as indices into the router's [`Names`] ([`NONE`] for none).
#[derive(Clone, Copy)]
pub(crate) struct Refs {
    /// Into `reps`.
    pub owner: u32,
    /// [`FALLBACK_QUEUE`] for the fallback queue, else the rule whose queue it is.
    pub queue: u32,
    /// Into `accounts`.
    pub account: u32,
    /// Into `territories`.
    pub territory: u32,
    /// Into `rules`.
    pub rule: u32,
    /// Into `pools`.
    pub pool: u32,
}

/// [`Refs::queue`] when the decision went to the fallback queue.
pub(crate) const FALLBACK_QUEUE: u32 = NONE - 1;

impl Refs {
    const EMPTY: Refs = Refs {
        owner: NONE,
        queue: NONE,
        account: NONE,
        territory: NONE,
        rule: NONE,
        pool: NONE,
    };
}

/// `list[i]`, or `None` for [`NONE`].
fn named(list: &[Id], i: u32) -> Option<&Id> {
    (i != NONE).then(|| &list[i as usize])
}

impl Decision {
    /// The rep the lead was assigned to.
    pub fn owner_id(&self) -> Option<&Id> {
        named(&self.trace.names().reps, self.refs.owner)
    }

    /// The queue the lead went to, when no rep was assigned.
    pub fn queue(&self) -> Option<&Id> {
        let names = self.trace.names();
        match self.refs.queue {
            NONE => None,
            FALLBACK_QUEUE => Some(&names.fallback_queue),
            rule => names.rule_queues[rule as usize].as_ref(),
        }
    }

    /// The account the lead matched.
    pub fn account_id(&self) -> Option<&Id> {
        named(&self.trace.names().accounts, self.refs.account)
    }

    /// The territory a territory lookup chose.
    pub fn territory_id(&self) -> Option<&Id> {
        named(&self.trace.names().territories, self.refs.territory)
    }

    /// The first rule that matched.
    pub fn rule_id(&self) -> Option<&Id> {
        named(&self.trace.names().rules, self.refs.rule)
    }

    /// The pool the owner was picked from (or that had nobody eligible).
    pub fn pool_id(&self) -> Option<&Id> {
        named(&self.trace.names().pools, self.refs.pool)
    }
}

impl PartialEq for Decision {
    /// Equal when every field reads the same (ids by their text, so decisions of two routers
    /// built alike compare equal).
    fn eq(&self, other: &Decision) -> bool {
        self.lead_id == other.lead_id
            && self.owner_id() == other.owner_id()
            && self.queue() == other.queue()
            && self.account_id() == other.account_id()
            && self.territory_id() == other.territory_id()
            && self.rule_id() == other.rule_id()
            && self.pool_id() == other.pool_id()
            && self.sla_due == other.sla_due
            && self.state_version == other.state_version
            && self.trace == other.trace
    }
}

impl std::fmt::Debug for Decision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Decision")
            .field("lead_id", &self.lead_id)
            .field("owner_id", &self.owner_id())
            .field("queue", &self.queue())
            .field("account_id", &self.account_id())
            .field("territory_id", &self.territory_id())
            .field("rule_id", &self.rule_id())
            .field("pool_id", &self.pool_id())
            .field("sla_due", &self.sla_due)
            .field("state_version", &self.state_version)
            .field("trace", &self.trace)
            .finish()
    }
}

impl Serialize for Decision {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut m = s.serialize_struct("Decision", 10)?;
        m.serialize_field("lead_id", &self.lead_id)?;
        m.serialize_field("owner_id", &self.owner_id())?;
        m.serialize_field("queue", &self.queue())?;
        m.serialize_field("account_id", &self.account_id())?;
        m.serialize_field("territory_id", &self.territory_id())?;
        m.serialize_field("rule_id", &self.rule_id())?;
        m.serialize_field("pool_id", &self.pool_id())?;
        m.serialize_field("sla_due", &self.sla_due)?;
        m.serialize_field("state_version", &self.state_version)?;
        m.serialize_field("trace", &self.trace)?;
        m.end()
    }
}

pub(crate) struct RepInfo {
    pub id: Id,
    pub rep: Rep,
    pub cal: Calendar,
}

pub(crate) enum CTarget {
    Territories,
    Pool(usize),
    Rep(usize),
    Queue(Id),
}

/// How a rule step tells whether one of its condition's fields is missing from a lead
/// (`missing_fields`): a lead field whose presence is read directly (the usual case; what
/// [`Record::field`] would find, without matching the path each time), or the path read.
#[derive(Clone, Copy)]
pub(crate) enum Presence {
    Lead(fn(&Lead) -> bool),
    Read,
}

impl Presence {
    /// For a condition field path: the lead's own fields but `annual_revenue` (whose parts
    /// are paths too) are read directly; attributes and `account.` paths are read.
    pub fn of(path: &str) -> Presence {
        let direct: fn(&Lead) -> bool = match path {
            "id" | "created_at" | "status" => |_| true,
            "email" => |l| l.email.is_some(),
            "first_name" => |l| l.first_name.is_some(),
            "last_name" => |l| l.last_name.is_some(),
            "title" => |l| l.title.is_some(),
            "phone" => |l| l.phone.is_some(),
            "company" => |l| l.company.is_some(),
            "website" => |l| l.website.is_some(),
            "industry" => |l| l.industry.is_some(),
            "employees" => |l| l.employees.is_some(),
            "country" => |l| l.country.is_some(),
            "region" => |l| l.region.is_some(),
            "city" => |l| l.city.is_some(),
            "postal_code" => |l| l.postal_code.is_some(),
            "language" => |l| l.language.is_some(),
            "source" => |l| l.source.is_some(),
            "owner_id" => |l| l.owner_id.is_some(),
            "account_id" => |l| l.account_id.is_some(),
            "first_touch_at" => |l| l.first_touch_at.is_some(),
            "converted_at" => |l| l.converted_at.is_some(),
            _ => return Presence::Read,
        };
        Presence::Lead(direct)
    }
}

/// The most field paths the rules of a router read through [`BoundRules`]; routers whose rules
/// read more match them one condition at a time ([`Condition::matches`]).
pub(crate) const RULE_SLOTS: usize = 8;

/// The rules' conditions bound to one list of field paths ([`Condition::bind`]): a lead's
/// field is read once, the first time a rule needs it, into its slot; each condition is
/// matched on the slots (no walk of the condition tree, no path matched per leaf), and a
/// rule's missing fields are its slots that read nothing.
pub(crate) struct BoundRules {
    /// At most [`RULE_SLOTS`].
    pub paths: Vec<Box<str>>,
    /// Per path, how it is read.
    pub readers: Vec<Reader>,
    /// Some path is read through [`Reader::Path`] (whose values can be lists, which own
    /// memory); otherwise the slots hold texts and numbers and need no drop.
    pub by_path: bool,
    /// Per rule, as `Engine::rules`.
    pub rules: Vec<BoundRule>,
}

pub(crate) struct BoundRule {
    pub condition: Option<BoundCondition>,
    /// The slot of each of the rule's `fields`, in their order (at most [`MASK_FIELDS`]).
    pub slots: Vec<u8>,
    /// The slots the condition reads (and `slots`), as bits.
    pub reads: u32,
}

impl BoundRules {
    /// The rules bound to one list of paths; `None` when they read more than [`RULE_SLOTS`]
    /// paths or a rule has more than [`MASK_FIELDS`] fields.
    pub fn new(rules: &[CRule]) -> Option<BoundRules> {
        let mut paths: Vec<Box<str>> = Vec::new();
        let mut bound = Vec::with_capacity(rules.len());
        for rule in rules {
            if rule.fields.len() > MASK_FIELDS {
                return None;
            }
            // Every field first, so that binding appends nothing more.
            for f in &rule.fields {
                if !paths.iter().any(|p| **p == **f) {
                    paths.push(f.as_str().into());
                }
            }
            let listed = paths.len();
            let condition = rule.condition.as_ref().map(|c| c.bind(&mut paths));
            if paths.len() > RULE_SLOTS {
                return None;
            }
            let slots = rule
                .fields
                .iter()
                .map(|f| Some(paths.iter().position(|p| **p == **f)? as u8))
                .collect::<Option<Vec<u8>>>()?;
            // The rule's fields are its condition's leaves' paths; a path binding added
            // (none, as `fields` lists them all) is read too.
            let reads = slots
                .iter()
                .map(|&s| usize::from(s))
                .chain(listed..paths.len())
                .fold(0u32, |m, s| m | 1 << s);
            bound.push(BoundRule {
                condition,
                slots,
                reads,
            });
        }
        let readers: Vec<Reader> = paths.iter().map(|p| Reader::of(p)).collect();
        Some(BoundRules {
            by_path: readers.iter().any(|r| matches!(r, Reader::Path)),
            readers,
            paths,
            rules: bound,
        })
    }
}

pub(crate) struct CRule {
    pub id: Id,
    pub condition: Option<Condition>,
    pub fields: Vec<Id>,
    /// Per field, how its presence is read.
    pub presence: Vec<Presence>,
    pub target: CTarget,
    pub sla_minutes: Option<u32>,
}

pub(crate) struct CPool {
    pub id: Id,
    pub strategy: Strategy,
    /// (rep index, weight), declared order.
    pub members: Vec<(usize, f64)>,
    pub daily_cap: Option<u32>,
    pub open_cap: Option<u32>,
    pub require_availability: bool,
    /// No availability required, no cap of the pool's nor capacity of a member's: a member
    /// can only be skipped as `inactive` ([`Engine::skip_reason`] finds nothing else).
    pub only_activity: bool,
}

/// Everything a router decides with, fixed at build time.
pub(crate) struct Engine {
    pub reps: Vec<RepInfo>,
    pub rep_index: HashMap<String, usize>,
    pub accounts: Option<(Vec<Account>, AccountIndex)>,
    pub by_domain: bool,
    pub by_company_name: bool,
    pub name_similarity: Option<f64>,
    pub sticky: bool,
    pub sticky_fallback: StickyFallback,
    pub rules: Vec<CRule>,
    /// The rules' conditions bound to slots, when they read few enough paths.
    pub bound_rules: Option<BoundRules>,
    pub territories: TerritoryIndex,
    pub pools: Vec<CPool>,
    pub sla: Option<u32>,
    /// The ids traces point into.
    pub names: Arc<Names>,
}

/// The mutable state, indexed like the engine.
#[derive(Debug, Clone)]
pub(crate) struct State {
    pub version: u64,
    /// Per pool: touched (appears in the exported state), pointer, current weights by member.
    pub pools: Vec<(bool, usize, Vec<f64>)>,
    /// Per rep: the latest local day with its count.
    pub daily: Vec<Option<(NaiveDate, u32)>>,
    /// Per rep: open count, and whether it appears in the exported state.
    pub open: Vec<Option<u32>>,
}

/// What routing a decision changes.
#[derive(Debug, Clone)]
pub(crate) struct Commit {
    rep: usize,
    day: NaiveDate,
    pool: Option<(usize, PoolMove)>,
}

#[derive(Debug, Clone)]
enum PoolMove {
    Pointer(usize),
    /// Eligible member indices and the winner.
    Weights(Vec<usize>, usize),
    None,
}

/// A lead seen with its matched account: `account.<field>` reads the account.
struct LeadView<'a> {
    lead: &'a Lead,
    account: Option<&'a Account>,
}

impl LeadView<'_> {
    /// Whether field `path` is present, read as `presence` says.
    fn has(&self, path: &str, presence: Presence) -> bool {
        match presence {
            Presence::Lead(present) => present(self.lead),
            Presence::Read => self.field(path).is_some(),
        }
    }
}

/// How a bound rule slot reads its path from a lead seen with its account: one of the lead
/// fields [`LeadView::field`] reads directly, chosen once when the router is built, or the
/// path itself.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Reader {
    Lead(for<'l> fn(&'l Lead) -> Option<FieldValue<'l>>),
    Path,
}

impl Reader {
    /// For a field path: what [`LeadView::field`] reads without going through the path (a
    /// proptest checks they read the same).
    pub fn of(path: &str) -> Reader {
        let read: for<'l> fn(&'l Lead) -> Option<FieldValue<'l>> = match path {
            "email" => |l| text(&l.email),
            "source" => |l| text(&l.source),
            "region" => |l| text(&l.region),
            "country" => |l| text(&l.country),
            "company" => |l| text(&l.company),
            "website" => |l| text(&l.website),
            "industry" => |l| text(&l.industry),
            "employees" => |l| l.employees.map(|n| FieldValue::Number(f64::from(n))),
            "postal_code" => |l| text(&l.postal_code),
            _ => return Reader::Path,
        };
        Reader::Lead(read)
    }
}

/// A lead's text field as the condition language reads it.
fn text(v: &Option<String>) -> Option<FieldValue<'_>> {
    v.as_deref().map(FieldValue::Text)
}

impl Record for LeadView<'_> {
    fn field(&self, path: &str) -> Option<FieldValue<'_>> {
        // The lead fields routing configs read most, found by the path's length first
        // (`Record for Lead` compares the path with its names one by one); a proptest checks
        // these read what it reads.
        let lead = self.lead;
        let direct = match (path.len(), path) {
            (5, "email") => Some(text(&lead.email)),
            (6, "source") => Some(text(&lead.source)),
            (6, "region") => Some(text(&lead.region)),
            (7, "country") => Some(text(&lead.country)),
            (7, "company") => Some(text(&lead.company)),
            (7, "website") => Some(text(&lead.website)),
            (8, "industry") => Some(text(&lead.industry)),
            (9, "employees") => Some(lead.employees.map(|n| FieldValue::Number(f64::from(n)))),
            (11, "postal_code") => Some(text(&lead.postal_code)),
            _ => None,
        };
        if let Some(value) = direct {
            return value;
        }
        match path.strip_prefix("account.") {
            Some(rest) => self.account?.field(rest),
            None => self.lead.field(path),
        }
    }
}

impl Engine {
    pub fn empty_state(&self) -> State {
        State {
            version: 0,
            pools: self
                .pools
                .iter()
                .map(|p| (false, 0, vec![0.0; p.members.len()]))
                .collect(),
            daily: vec![None; self.reps.len()],
            open: vec![None; self.reps.len()],
        }
    }

    /// Imports an exported state; entries naming unknown pools or reps are ignored.
    pub fn import_state(&self, s: &RoutingState) -> State {
        let mut st = self.empty_state();
        st.version = s.version;
        for (i, pool) in self.pools.iter().enumerate() {
            if let Some(ps) = s.pools.get(pool.id.as_str()) {
                let n = pool.members.len();
                st.pools[i].0 = true;
                st.pools[i].1 = if n == 0 { 0 } else { ps.pointer % n };
                for (j, &(r, _)) in pool.members.iter().enumerate() {
                    if let Some(w) = ps.current_weights.get(self.reps[r].id.as_str()) {
                        st.pools[i].2[j] = *w;
                    }
                }
            }
        }
        for (i, r) in self.reps.iter().enumerate() {
            if let Some(d) = s.daily.get(r.id.as_str()) {
                st.daily[i] = Some((d.day, d.count));
            }
            if let Some(o) = s.open.get(r.id.as_str()) {
                st.open[i] = Some(*o);
            }
        }
        st
    }

    pub fn export_state(&self, st: &State) -> RoutingState {
        let mut out = RoutingState {
            version: st.version,
            ..Default::default()
        };
        for (i, pool) in self.pools.iter().enumerate() {
            let (_, pointer, weights) = &st.pools[i];
            let current_weights: BTreeMap<String, f64> =
                if pool.strategy == Strategy::WeightedRoundRobin {
                    pool.members
                        .iter()
                        .zip(weights)
                        .map(|(&(r, _), w)| (self.reps[r].id.to_string(), *w))
                        .collect()
                } else {
                    BTreeMap::new()
                };
            out.pools.insert(
                pool.id.to_string(),
                PoolState {
                    pointer: *pointer,
                    current_weights,
                },
            );
        }
        for (i, r) in self.reps.iter().enumerate() {
            if let Some((day, count)) = st.daily[i] {
                out.daily
                    .insert(r.id.to_string(), DailyCount { day, count });
            }
            if let Some(o) = st.open[i] {
                out.open.insert(r.id.to_string(), o);
            }
        }
        out
    }

    pub fn commit(&self, st: &mut State, c: &Commit) {
        st.version += 1;
        let daily = &mut st.daily[c.rep];
        *daily = match *daily {
            Some((day, n)) if day == c.day => Some((day, n + 1)),
            _ => Some((c.day, 1)),
        };
        let open = &mut st.open[c.rep];
        *open = Some(open.unwrap_or(0) + 1);
        if let Some((p, mv)) = &c.pool {
            let ps = &mut st.pools[*p];
            match mv {
                PoolMove::Pointer(ptr) => {
                    ps.0 = true;
                    ps.1 = *ptr;
                }
                PoolMove::Weights(eligible, winner) => {
                    ps.0 = true;
                    let members = &self.pools[*p].members;
                    let mut total = 0.0;
                    for &j in eligible {
                        ps.2[j] += members[j].1;
                        total += members[j].1;
                    }
                    ps.2[*winner] -= total;
                }
                PoolMove::None => {}
            }
        }
    }

    fn daily_count(&self, st: &State, rep: usize, day: NaiveDate) -> u32 {
        match st.daily[rep] {
            Some((d, n)) if d == day => n,
            _ => 0,
        }
    }

    /// The first reason a pool member cannot take a lead now, if any.
    fn skip_reason(
        &self,
        st: &State,
        known: &mut [KnownOffset],
        rep: usize,
        availability: bool,
        caps: Option<(Option<u32>, Option<u32>)>,
        now: Now,
    ) -> Option<Word> {
        let info = &self.reps[rep];
        if !info.rep.active {
            return Some(Word::Inactive);
        }
        if availability {
            if let Some(u) = info.cal.unavailable_known(now, &mut known[rep]) {
                return Some(Word::from(u));
            }
        }
        if let Some((daily_cap, open_cap)) = caps {
            if let Some(cap) = daily_cap {
                let day = info.cal.local_date_known(now, &mut known[rep]);
                if self.daily_count(st, rep, day) >= cap {
                    return Some(Word::DailyCapReached);
                }
            }
            let limit = match (open_cap, info.rep.capacity) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            if let Some(limit) = limit {
                if st.open[rep].unwrap_or(0) >= limit {
                    return Some(Word::OpenCapReached);
                }
            }
        }
        None
    }

    /// A decision for `lead` before any step: what [`Engine::decide`] fills in. Built by the
    /// caller, where the caller keeps it (a `route`'s return value, a batch's list), so that
    /// the decision is not copied out of `decide`.
    pub fn start(&self, lead: &Lead) -> Decision {
        Decision {
            lead_id: LeadKey::new(&lead.id.0),
            refs: Refs::EMPTY,
            sla_due: None,
            state_version: 0,
            trace: Trace::new(&self.names),
        }
    }

    /// Decides for `lead` at `now` on state `st` into `d`, which is [`Engine::start`] of
    /// `lead` (the decision carries the version the state would have after committing), and
    /// sets `commit` when the decision assigns a rep (out-parameters rather than a returned
    /// pair, so the decision is built where the caller wants it instead of being copied there).
    /// `known` (one per rep) is what is known of the reps' UTC offsets: a cache the decision
    /// extends, never an input that changes it.
    pub fn decide(
        &self,
        st: &State,
        known: &mut [KnownOffset],
        lead: &Lead,
        now: DateTime<Utc>,
        commit: &mut Option<Commit>,
        d: &mut Decision,
    ) {
        let now = Now::new(now);
        d.state_version = st.version;
        let mut owner: Option<usize> = None;
        let mut commit_pool: Option<(usize, PoolMove)> = None;
        let mut sla = self.sla;

        // 1. Account match.
        let mut account: Option<&Account> = None;
        let mut account_index = NONE;
        let mut step = Code::new(Step::AccountMatch);
        match &self.accounts {
            None => step.result = Some(Word::NoAccounts),
            Some((list, index_)) => {
                match index_.find(
                    lead,
                    self.by_domain,
                    self.by_company_name,
                    self.name_similarity,
                ) {
                    AccountMatch::Matched(i, by) => {
                        step.result = Some(Word::Matched);
                        step.detail = Some(match by {
                            MatchedBy::Domain => Word::Domain,
                            MatchedBy::CompanyName => Word::CompanyName,
                        });
                        step.a = index(i);
                        account_index = index(i);
                        d.refs.account = index(i);
                        account = Some(&list[i]);
                    }
                    AccountMatch::FreeMail(domain) => {
                        step.result = Some(Word::FreeMail);
                        d.trace.domain = Some(domain.into_boxed_str());
                    }
                    AccountMatch::None => step.result = Some(Word::None),
                }
            }
        }
        d.trace.push(step);
        let view = LeadView { lead, account };

        // 2. Sticky.
        let mut done = false;
        if let (Some(acc), true) = (account, self.sticky) {
            let mut step = Code::new(Step::Sticky);
            let found = match &acc.owner_id {
                None => Err(Word::NoOwner),
                Some(o) => match self.rep_index.get(o.as_str()) {
                    None => {
                        step.b = account_index;
                        Err(Word::OwnerUnknown)
                    }
                    Some(&r) if !self.reps[r].rep.active => {
                        step.a = index(r);
                        Err(Word::OwnerInactive)
                    }
                    Some(&r) => match self.reps[r].cal.unavailable_known(now, &mut known[r]) {
                        Some(u) => {
                            step.a = index(r);
                            step.detail = Some(Word::from(u));
                            Err(Word::OwnerUnavailable)
                        }
                        None => Ok(r),
                    },
                },
            };
            match found {
                Ok(r) => {
                    step.result = Some(Word::Assigned);
                    step.a = index(r);
                    owner = Some(r);
                    done = true;
                    d.trace.push(step);
                }
                Err(code) => {
                    step.result = Some(code);
                    d.trace.push(step);
                    // An account without an owner is not a sticky miss: the rules decide.
                    if code != Word::NoOwner && self.sticky_fallback == StickyFallback::Queue {
                        self.fallback(d, None, Word::StickyOwnerUnavailable);
                        done = true;
                    }
                }
            }
        }

        // 3. Rules.
        if !done {
            let matched = match &self.bound_rules {
                Some(bound) => Self::first_rule_bound(bound, &view, d),
                None => self.first_rule(&view, d),
            };
            match matched {
                None => self.fallback(d, None, Word::NoRuleMatched),
                Some(i) => {
                    let rule = &self.rules[i];
                    d.refs.rule = index(i);
                    if rule.sla_minutes.is_some() {
                        sla = rule.sla_minutes;
                    }
                    let pool = match &rule.target {
                        CTarget::Queue(_) => {
                            self.fallback(d, Some(i), Word::QueueRule);
                            None
                        }
                        CTarget::Pool(p) => Some(*p),
                        CTarget::Territories => {
                            let mut step = Code::new(Step::Territory);
                            match self.territories.find_lead(&view, lead) {
                                Some(t) => {
                                    step.result = Some(Word::Selected);
                                    step.a = index(t);
                                    d.refs.territory = index(t);
                                    d.trace.push(step);
                                    Some(self.territories.list[t].pool)
                                }
                                None => {
                                    step.result = Some(Word::None);
                                    d.trace.push(step);
                                    self.fallback(d, None, Word::NoTerritory);
                                    None
                                }
                            }
                        }
                        CTarget::Rep(r) => {
                            let mut step = Code::new(Step::TargetRep);
                            step.a = index(*r);
                            match self.skip_reason(st, known, *r, true, None, now) {
                                None => {
                                    step.result = Some(Word::Assigned);
                                    owner = Some(*r);
                                    d.trace.push(step);
                                }
                                Some(reason) => {
                                    step.result = Some(Word::Skipped);
                                    step.detail = Some(reason);
                                    d.trace.push(step);
                                    self.fallback(d, None, Word::NoEligibleRep);
                                }
                            }
                            None
                        }
                    };
                    if let Some(p) = pool {
                        d.refs.pool = index(p);
                        match self.pick(st, known, p, now, d) {
                            Some((r, mv)) => {
                                owner = Some(r);
                                commit_pool = Some((p, mv));
                            }
                            None => self.fallback(d, None, Word::NoEligibleRep),
                        }
                    }
                }
            }
        }

        let Some(r) = owner else {
            return;
        };
        let info = &self.reps[r];
        d.refs.owner = index(r);
        if let Some(minutes) = sla {
            let due = info
                .cal
                .add_working_minutes_known(now, minutes, &mut known[r]);
            d.sla_due = Some(due);
            d.trace.due = Some(due);
            let mut step = Code::new(Step::Sla);
            step.a = minutes;
            d.trace.push(step);
        }
        d.state_version = st.version + 1;
        *commit = Some(Commit {
            rep: r,
            day: info.cal.local_date_known(now, &mut known[r]),
            pool: commit_pool,
        });
    }

    /// Step 3 through the bound rules: one rule step per rule tried; the first that matches.
    fn first_rule_bound(
        bound: &BoundRules,
        view: &LeadView<'_>,
        d: &mut Decision,
    ) -> Option<usize> {
        // Slots read by lead readers hold texts and numbers only (nothing to drop), so the
        // slots are dropped only when some path is read as a path.
        let mut values: std::mem::ManuallyDrop<[Option<FieldValue<'_>>; RULE_SLOTS]> =
            Default::default();
        let matched = Self::first_rule_in(bound, view, d, &mut values);
        if bound.by_path {
            drop(std::mem::ManuallyDrop::into_inner(values));
        }
        matched
    }

    /// [`Engine::first_rule_bound`] reading into `values`.
    fn first_rule_in<'v>(
        bound: &BoundRules,
        view: &'v LeadView<'v>,
        d: &mut Decision,
        values: &mut [Option<FieldValue<'v>>; RULE_SLOTS],
    ) -> Option<usize> {
        let mut read = 0u32;
        for (i, rule) in bound.rules.iter().enumerate() {
            let mut unread = rule.reads & !read;
            read |= unread;
            while unread != 0 {
                let s = unread.trailing_zeros() as usize;
                values[s] = match bound.readers[s] {
                    Reader::Lead(read) => read(view.lead),
                    Reader::Path => view.field(&bound.paths[s]),
                };
                unread &= unread - 1;
            }
            let ok = rule
                .condition
                .as_ref()
                .is_none_or(|c| c.matches(&values[..]));
            let mut step = Code::new(Step::Rule);
            step.result = Some(if ok { Word::Matched } else { Word::NotMatched });
            step.a = index(i);
            let mut mask = 0u32;
            for (k, &s) in rule.slots.iter().enumerate() {
                if values[usize::from(s)].is_none() {
                    mask |= 1 << k;
                }
            }
            step.b = mask;
            d.trace.push(step);
            if ok {
                return Some(i);
            }
        }
        None
    }

    /// Step 3, one condition at a time: one rule step per rule tried; the first that matches.
    fn first_rule(&self, view: &LeadView<'_>, d: &mut Decision) -> Option<usize> {
        for (i, rule) in self.rules.iter().enumerate() {
            let ok = rule.condition.as_ref().is_none_or(|c| c.matches(view));
            let mut step = Code::new(Step::Rule);
            step.result = Some(if ok { Word::Matched } else { Word::NotMatched });
            step.a = index(i);
            if rule.fields.len() <= MASK_FIELDS {
                // The missing fields as a mask, read without an iterator chain.
                let mut mask = 0u32;
                for (k, (f, p)) in rule.fields.iter().zip(&rule.presence).enumerate() {
                    if !view.has(f, *p) {
                        mask |= 1 << k;
                    }
                }
                step.b = mask;
                d.trace.push(step);
            } else {
                let missing = rule
                    .fields
                    .iter()
                    .zip(&rule.presence)
                    .enumerate()
                    .filter(|(_, (f, p))| !view.has(f, **p))
                    .map(|(k, _)| index(k));
                d.trace.push_rule(step, rule.fields.len(), missing);
            }
            if ok {
                return Some(i);
            }
        }
        None
    }

    /// A fallback step and queue: the queue of rule `rule`, or the fallback queue.
    fn fallback(&self, d: &mut Decision, rule: Option<usize>, reason: Word) {
        let mut step = Code::new(Step::Fallback);
        step.detail = Some(reason);
        let queue = match rule {
            Some(i) => {
                step.a = index(i);
                match &self.rules[i].target {
                    CTarget::Queue(_) => index(i),
                    _ => FALLBACK_QUEUE,
                }
            }
            None => FALLBACK_QUEUE,
        };
        d.trace.push(step);
        d.refs.queue = queue;
    }

    /// Step 5: one candidate step per member; the chosen member and how the pool moves.
    fn pick(
        &self,
        st: &State,
        known: &mut [KnownOffset],
        p: usize,
        now: Now,
        d: &mut Decision,
    ) -> Option<(usize, PoolMove)> {
        let pool = &self.pools[p];
        let n = pool.members.len();
        let start = d.trace.codes.len();
        let mut eligible: Vec<usize> = Vec::new();
        let mut eligible_count = 0usize;
        for &(r, _) in &pool.members {
            let mut step = Code::new(Step::Candidate);
            step.a = index(p);
            step.b = index(r);
            let reason = if pool.only_activity {
                (!self.reps[r].rep.active).then_some(Word::Inactive)
            } else {
                self.skip_reason(
                    st,
                    known,
                    r,
                    pool.require_availability,
                    Some((pool.daily_cap, pool.open_cap)),
                    now,
                )
            };
            match reason {
                Some(reason) => {
                    step.result = Some(Word::Skipped);
                    step.detail = Some(reason);
                }
                None => {
                    eligible_count += 1;
                }
            }
            d.trace.push(step);
        }
        if eligible_count == 0 {
            return None;
        }
        let codes = &mut d.trace.codes.as_mut_slice()[start..];
        let is_eligible = |codes: &[Code], j: usize| codes[j].result.is_none();
        let (winner, mv) = match pool.strategy {
            Strategy::RoundRobin => {
                let ptr = st.pools[p].1 % n;
                let w = (0..n)
                    .map(|k| (ptr + k) % n)
                    .find(|&j| is_eligible(codes, j))?;
                (w, PoolMove::Pointer((w + 1) % n))
            }
            Strategy::WeightedRoundRobin => {
                let weights = &st.pools[p].2;
                let mut best: Option<(f64, usize)> = None;
                for (j, (&current, member)) in weights.iter().zip(&pool.members).enumerate() {
                    if !is_eligible(codes, j) {
                        continue;
                    }
                    eligible.push(j);
                    let cw = current + member.1;
                    if best.is_none_or(|(b, _)| cw > b) {
                        best = Some((cw, j));
                    }
                }
                let (_, w) = best?;
                (w, PoolMove::Weights(eligible, w))
            }
            Strategy::LeastLoaded => {
                let mut best: Option<(u32, usize)> = None;
                for j in 0..n {
                    if !is_eligible(codes, j) {
                        continue;
                    }
                    let open = st.open[pool.members[j].0].unwrap_or(0);
                    if best.is_none_or(|(b, _)| open < b) {
                        best = Some((open, j));
                    }
                }
                (best?.1, PoolMove::None)
            }
        };
        for (j, step) in codes.iter_mut().enumerate() {
            if step.result.is_none() {
                if j == winner {
                    step.result = Some(Word::Selected);
                } else {
                    step.result = Some(Word::Skipped);
                    step.detail = Some(Word::NotTheirTurn);
                }
            }
        }
        Some((pool.members[winner].0, mv))
    }
}

#[cfg(test)]
mod tests {
    use super::{LeadKey, LeadView, Presence, Reader, INLINE_ID};
    use crate::condition::Record;
    use crate::model::{Lead, LEAD_FIELDS};
    use proptest::prelude::*;
    use serde_json::{json, Map, Value};

    /// A value for each of the lead's optional fields.
    fn optional_fields() -> Vec<(&'static str, Value)> {
        vec![
            ("email", json!("ann@acme.com")),
            ("first_name", json!("Ann")),
            ("last_name", json!("Lee")),
            ("title", json!("CTO")),
            ("phone", json!("+1 555 0100")),
            ("company", json!("Acme")),
            ("website", json!("acme.com")),
            ("industry", json!("software")),
            ("employees", json!(120)),
            (
                "annual_revenue",
                json!({"amount": "1000.00", "currency": "USD"}),
            ),
            ("country", json!("US")),
            ("region", json!("CA")),
            ("city", json!("Oakland")),
            ("postal_code", json!("94601")),
            ("language", json!("en")),
            ("source", json!("web")),
            ("owner_id", json!("R-1")),
            ("account_id", json!("A-1")),
            ("first_touch_at", json!("2026-03-02T10:00:00Z")),
            ("converted_at", json!("2026-03-03T10:00:00Z")),
            ("attributes", json!({"plan": "pro", "x": null})),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Presence read directly agrees with reading the field, and the view reads what the
        /// lead reads, for every lead field, with any of the optional fields present.
        #[test]
        fn presence_agrees_with_reading(mask in any::<u32>()) {
            let mut lead = Map::new();
            lead.insert("id".into(), json!("L-1"));
            lead.insert("created_at".into(), json!("2026-03-02T09:00:00Z"));
            for (i, (k, v)) in optional_fields().into_iter().enumerate() {
                if mask & (1 << i) != 0 {
                    lead.insert(k.into(), v);
                }
            }
            let lead: Lead = serde_json::from_value(Value::Object(lead)).unwrap();
            let view = LeadView { lead: &lead, account: None };
            let extra = ["annual_revenue.currency", "attributes.plan", "plan", "x", "account.tier"];
            for path in LEAD_FIELDS.iter().chain(&extra) {
                if !path.starts_with("account.") {
                    prop_assert_eq!(view.field(path), lead.field(path), "{}", path);
                }
                if let Reader::Lead(read) = Reader::of(path) {
                    prop_assert_eq!(read(&lead), view.field(path), "{}", path);
                }
                let presence = Presence::of(path);
                prop_assert_eq!(view.has(path, presence), lead.field(path).is_some() && !path.starts_with("account."), "{}", path);
                let direct = matches!(presence, Presence::Lead(_));
                prop_assert_eq!(direct, LEAD_FIELDS.contains(path) && *path != "annual_revenue", "{}", path);
            }
        }
    }

    /// Rule conditions of every shape a rule can have (text, number and list leaves, case,
    /// `not` / `any` / `all`, attributes, the matched account's fields, no condition).
    const RULE_CONDITIONS: [&str; 14] = [
        r#"{"field": "source", "eq": "partner"}"#,
        r#"{"field": "email", "ends_with": ".edu"}"#,
        r#"{"field": "employees", "gte": 500}"#,
        r#"{"field": "country", "in": ["US", "de", "FR"]}"#,
        r#"{"not": {"field": "industry", "eq": "Software", "case_sensitive": true}}"#,
        r#"{"any": [{"field": "title", "contains": "vp"}, {"field": "employees", "lt": 50}]}"#,
        r#"{"all": [{"field": "country", "eq": "US"}, {"field": "source", "in": ["web", "event"]}]}"#,
        r#"{"field": "attributes.plan", "eq": "pro"}"#,
        r#"{"field": "account.tier", "eq": "strategic"}"#,
        r#"{"field": "account.industry", "exists": true}"#,
        r#"{"field": "email", "free_mail": true}"#,
        r#"{"field": "phone", "exists": false}"#,
        r#"{"field": "postal_code", "postal_code_range": ["10000", "49999"]}"#,
        "null",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        /// Rules matched on bound slots decide exactly as rules matched one condition at a
        /// time (every decision and trace, missing fields included), whatever the rules, on
        /// sample leads with fields removed; routers whose rules read more than the slots hold
        /// take the general path. Pools where only activity can skip a member pick as
        /// through every check.
        #[test]
        fn bound_rules_decide_as_conditions(
            picks in proptest::collection::vec(0..RULE_CONDITIONS.len(), 1..7),
            drop_fields in proptest::collection::vec(0usize..8, 0..4),
            seed in 0u64..4,
            plain_pools in any::<bool>(),
            capacity in any::<bool>(),
        ) {
            use crate::routing::{RoutingConfig, Router};
            let world = crate::sample::generate(&crate::sample::SampleOptions {
                seed,
                leads: 120,
                ..Default::default()
            });
            let mut config = serde_json::to_value(world.routing_config.clone().unwrap()).unwrap();
            let pool = config["pools"][0]["id"].clone();
            let rules: Vec<Value> = picks
                .iter()
                .enumerate()
                .map(|(i, &k)| {
                    let mut rule = json!({"id": format!("r{i}"), "target": {"pool": pool}});
                    let condition: Value = serde_json::from_str(RULE_CONDITIONS[k]).unwrap();
                    if !condition.is_null() {
                        rule["condition"] = condition;
                    }
                    rule
                })
                .collect();
            config["rules"] = Value::Array(rules);
            let mut reps = world.reps.clone();
            if plain_pools {
                // Pools where only activity can skip a member (unless a member has a
                // capacity), with an inactive member.
                for pool in config["pools"].as_array_mut().unwrap() {
                    let pool = pool.as_object_mut().unwrap();
                    pool.insert("require_availability".into(), json!(false));
                    pool.remove("daily_cap");
                    pool.remove("open_cap");
                }
                for (i, rep) in reps.iter_mut().enumerate() {
                    rep.capacity = (capacity && i % 3 == 1).then_some(2);
                    rep.active = i % 4 != 2;
                }
            }
            let config: RoutingConfig = serde_json::from_value(config).unwrap();
            let build = || Router::new(config.clone(), reps.clone(), world.accounts.clone(), None).unwrap();
            let (bound, general) = (build(), build());
            let mut general = general;
            let wide = bound.engine.bound_rules.is_none();
            let paths: std::collections::BTreeSet<String> = picks
                .iter()
                .filter(|&&k| RULE_CONDITIONS[k] != "null")
                .flat_map(|&k| {
                    let spec: Value = serde_json::from_str(RULE_CONDITIONS[k]).unwrap();
                    crate::Condition::parse(&spec).unwrap().fields()
                })
                .collect();
            prop_assert_eq!(wide, paths.len() > super::RULE_SLOTS);
            let plain = bound.engine.pools.iter().filter(|p| p.only_activity).count();
            if !plain_pools {
                prop_assert_eq!(plain, 0);
            } else if !capacity {
                prop_assert_eq!(plain, bound.engine.pools.len());
            }
            general.engine.bound_rules = None;
            for pool in &mut general.engine.pools {
                pool.only_activity = false;
            }
            let removable = ["email", "employees", "country", "source", "industry", "title", "phone", "postal_code"];
            for lead in &world.leads {
                let mut lead = lead.clone();
                let mut value = serde_json::to_value(&lead).unwrap();
                for &f in &drop_fields {
                    value.as_object_mut().unwrap().remove(removable[f]);
                }
                lead = serde_json::from_value(value).unwrap();
                let a = serde_json::to_string(&bound.route(&lead, lead.created_at)).unwrap();
                let b = serde_json::to_string(&general.route(&lead, lead.created_at)).unwrap();
                prop_assert_eq!(a, b);
            }
        }
    }

    /// A lead key reads, compares and serialises as its text, inline or on the heap.
    #[test]
    fn lead_keys_are_their_text() {
        let long = "x".repeat(INLINE_ID + 1);
        let exact = "é".repeat(INLINE_ID / 2);
        for text in ["", "L-1", "ünïcødé-ß", exact.as_str(), long.as_str()] {
            let key = LeadKey::new(text);
            assert_eq!(key.as_str(), text);
            assert_eq!(&*key, text);
            assert_eq!(key.clone(), LeadKey::new(text));
            assert_eq!(format!("{key}"), text);
            assert_eq!(format!("{key:?}"), format!("{text:?}"));
            assert_eq!(
                serde_json::to_string(&key).unwrap(),
                serde_json::to_string(text).unwrap()
            );
        }
        assert_ne!(LeadKey::new("a"), LeadKey::new("b"));
    }
}
