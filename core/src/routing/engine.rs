//! The decision procedure (docs/routing.md, "Deciding, step by step") over a compiled config,
//! and the in-memory state it reads and, when routing (not previewing), commits.
//!
//! `decide` only reads the state and returns the decision plus the [`Commit`] that routing it
//! would apply; `Router::route` holds the state lock across both, so a decision and its
//! effect are atomic.

use super::calendar::{Calendar, KnownOffset, Now, Unavailable};
use super::config::{DailyCount, PoolState, RoutingState, StickyFallback, Strategy};
use super::matching::{AccountIndex, AccountMatch, MatchedBy};
use super::territory::TerritoryIndex;
use super::trace::{index, Code, Names, Step, Trace, NONE};
use crate::condition::{Condition, FieldValue, Record};
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

/// One routing decision (docs/routing.md, "Decision").
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decision {
    pub lead_id: Id,
    pub owner_id: Option<Id>,
    pub queue: Option<Id>,
    pub account_id: Option<Id>,
    pub territory_id: Option<Id>,
    pub rule_id: Option<Id>,
    pub pool_id: Option<Id>,
    pub sla_due: Option<DateTime<Utc>>,
    pub state_version: u64,
    pub trace: Trace,
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

pub(crate) struct CRule {
    pub id: Id,
    pub condition: Option<Condition>,
    pub fields: Vec<Id>,
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
}

/// Everything a router decides with, fixed at build time.
pub(crate) struct Engine {
    pub reps: Vec<RepInfo>,
    pub rep_index: HashMap<String, usize>,
    pub accounts: Option<(Vec<Account>, Vec<Id>, AccountIndex)>,
    pub by_domain: bool,
    pub by_company_name: bool,
    pub name_similarity: Option<f64>,
    pub sticky: bool,
    pub sticky_fallback: StickyFallback,
    pub rules: Vec<CRule>,
    pub territory_ids: Vec<Id>,
    pub territories: TerritoryIndex,
    pub pools: Vec<CPool>,
    pub fallback_queue: Id,
    pub sla: Option<u32>,
    /// The most steps a trace can have, so a trace is allocated once.
    pub trace_capacity: usize,
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

impl Record for LeadView<'_> {
    fn field(&self, path: &str) -> Option<FieldValue<'_>> {
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
    ) -> Option<&'static str> {
        let info = &self.reps[rep];
        if !info.rep.active {
            return Some("inactive");
        }
        if availability {
            if let Some(u) = info.cal.unavailable_known(now, &mut known[rep]) {
                return Some(u.code());
            }
        }
        if let Some((daily_cap, open_cap)) = caps {
            if let Some(cap) = daily_cap {
                let day = info.cal.local_date_known(now, &mut known[rep]);
                if self.daily_count(st, rep, day) >= cap {
                    return Some("daily_cap_reached");
                }
            }
            let limit = match (open_cap, info.rep.capacity) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            if let Some(limit) = limit {
                if st.open[rep].unwrap_or(0) >= limit {
                    return Some("open_cap_reached");
                }
            }
        }
        None
    }

    /// Decides for `lead` at `now` on state `st`; returns the decision (with the version the
    /// state would have after committing) and the commit, if the decision assigns a rep.
    /// `known` (one per rep) is what is known of the reps' UTC offsets: a cache the decision
    /// extends, never an input that changes it.
    pub fn decide(
        &self,
        st: &State,
        known: &mut [KnownOffset],
        lead: &Lead,
        now: DateTime<Utc>,
    ) -> (Decision, Option<Commit>) {
        let now = Now::new(now);
        let mut d = Decision {
            lead_id: Id::new(&lead.id.0),
            owner_id: None,
            queue: None,
            account_id: None,
            territory_id: None,
            rule_id: None,
            pool_id: None,
            sla_due: None,
            state_version: st.version,
            trace: Trace::new(&self.names, self.trace_capacity),
        };
        let mut owner: Option<usize> = None;
        let mut commit_pool: Option<(usize, PoolMove)> = None;
        let mut sla = self.sla;

        // 1. Account match.
        let mut account: Option<&Account> = None;
        let mut account_index = NONE;
        let mut step = Code::new(Step::AccountMatch);
        match &self.accounts {
            None => step.result = Some("no_accounts"),
            Some((list, ids, index_)) => {
                match index_.find(
                    lead,
                    self.by_domain,
                    self.by_company_name,
                    self.name_similarity,
                ) {
                    AccountMatch::Matched(i, by) => {
                        step.result = Some("matched");
                        step.detail = Some(match by {
                            MatchedBy::Domain => "domain",
                            MatchedBy::CompanyName => "company_name",
                        });
                        step.a = index(i);
                        account_index = index(i);
                        d.account_id = Some(ids[i].clone());
                        account = Some(&list[i]);
                    }
                    AccountMatch::FreeMail(domain) => {
                        step.result = Some("free_mail");
                        d.trace.domain = Some(domain.into_boxed_str());
                    }
                    AccountMatch::None => step.result = Some("none"),
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
                None => Err("no_owner"),
                Some(o) => match self.rep_index.get(o.as_str()) {
                    None => {
                        step.b = account_index;
                        Err("owner_unknown")
                    }
                    Some(&r) if !self.reps[r].rep.active => {
                        step.a = index(r);
                        Err("owner_inactive")
                    }
                    Some(&r) => match self.reps[r].cal.unavailable_known(now, &mut known[r]) {
                        Some(u) => {
                            step.a = index(r);
                            step.detail = Some(Unavailable::code(u));
                            Err("owner_unavailable")
                        }
                        None => Ok(r),
                    },
                },
            };
            match found {
                Ok(r) => {
                    step.result = Some("assigned");
                    step.a = index(r);
                    owner = Some(r);
                    done = true;
                    d.trace.push(step);
                }
                Err(code) => {
                    step.result = Some(code);
                    d.trace.push(step);
                    // An account without an owner is not a sticky miss: the rules decide.
                    if code != "no_owner" && self.sticky_fallback == StickyFallback::Queue {
                        self.fallback(&mut d, None, "sticky_owner_unavailable");
                        done = true;
                    }
                }
            }
        }

        // 3. Rules.
        if !done {
            let mut matched = None;
            for (i, rule) in self.rules.iter().enumerate() {
                let ok = rule.condition.as_ref().is_none_or(|c| c.matches(&view));
                let mut step = Code::new(Step::Rule);
                step.result = Some(if ok { "matched" } else { "not_matched" });
                step.a = index(i);
                let missing = rule
                    .fields
                    .iter()
                    .enumerate()
                    .filter(|(_, f)| view.field(f).is_none())
                    .map(|(k, _)| index(k));
                d.trace.push_rule(step, rule.fields.len(), missing);
                if ok {
                    matched = Some(i);
                    break;
                }
            }
            match matched {
                None => self.fallback(&mut d, None, "no_rule_matched"),
                Some(i) => {
                    let rule = &self.rules[i];
                    d.rule_id = Some(rule.id.clone());
                    if rule.sla_minutes.is_some() {
                        sla = rule.sla_minutes;
                    }
                    let pool = match &rule.target {
                        CTarget::Queue(_) => {
                            self.fallback(&mut d, Some(i), "queue_rule");
                            None
                        }
                        CTarget::Pool(p) => Some(*p),
                        CTarget::Territories => {
                            let mut step = Code::new(Step::Territory);
                            match self.territories.find(&view) {
                                Some(t) => {
                                    step.result = Some("selected");
                                    step.a = index(t);
                                    d.territory_id = Some(self.territory_ids[t].clone());
                                    d.trace.push(step);
                                    Some(self.territories.list[t].pool)
                                }
                                None => {
                                    step.result = Some("none");
                                    d.trace.push(step);
                                    self.fallback(&mut d, None, "no_territory");
                                    None
                                }
                            }
                        }
                        CTarget::Rep(r) => {
                            let mut step = Code::new(Step::TargetRep);
                            step.a = index(*r);
                            match self.skip_reason(st, known, *r, true, None, now) {
                                None => {
                                    step.result = Some("assigned");
                                    owner = Some(*r);
                                    d.trace.push(step);
                                }
                                Some(reason) => {
                                    step.result = Some("skipped");
                                    step.detail = Some(reason);
                                    d.trace.push(step);
                                    self.fallback(&mut d, None, "no_eligible_rep");
                                }
                            }
                            None
                        }
                    };
                    if let Some(p) = pool {
                        d.pool_id = Some(self.pools[p].id.clone());
                        match self.pick(st, known, p, now, &mut d) {
                            Some((r, mv)) => {
                                owner = Some(r);
                                commit_pool = Some((p, mv));
                            }
                            None => self.fallback(&mut d, None, "no_eligible_rep"),
                        }
                    }
                }
            }
        }

        let Some(r) = owner else {
            return (d, None);
        };
        let info = &self.reps[r];
        d.owner_id = Some(info.id.clone());
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
        let commit = Commit {
            rep: r,
            day: info.cal.local_date_known(now, &mut known[r]),
            pool: commit_pool,
        };
        (d, Some(commit))
    }

    /// A fallback step and queue: the queue of rule `rule`, or the fallback queue.
    fn fallback(&self, d: &mut Decision, rule: Option<usize>, reason: &'static str) {
        let mut step = Code::new(Step::Fallback);
        step.detail = Some(reason);
        let queue = match rule {
            Some(i) => {
                step.a = index(i);
                match &self.rules[i].target {
                    CTarget::Queue(q) => q.clone(),
                    _ => self.fallback_queue.clone(),
                }
            }
            None => self.fallback_queue.clone(),
        };
        d.trace.push(step);
        d.queue = Some(queue);
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
            let reason = self.skip_reason(
                st,
                known,
                r,
                pool.require_availability,
                Some((pool.daily_cap, pool.open_cap)),
                now,
            );
            match reason {
                Some(reason) => {
                    step.result = Some("skipped");
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
        let codes = &mut d.trace.codes[start..];
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
                    step.result = Some("selected");
                } else {
                    step.result = Some("skipped");
                    step.detail = Some("not_their_turn");
                }
            }
        }
        Some((pool.members[winner].0, mv))
    }
}
