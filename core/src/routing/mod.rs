//! Lead routing (docs/routing.md is the contract): match a lead to an account, find its rule and
//! territory, pick the rep from a pool, compute the SLA due time, and say why at every step.
//!
//! Files: `config` (the config and state documents, config checks), `matching` (lead to
//! account), `territory` (indexed territory lookup), `calendar` (availability and working-time
//! SLA clock), `engine` (the decision procedure and in-memory state), `simulate` (replays).
//!
//! State and versions: a [`Router`] keeps its state behind one `Mutex`; [`Router::route`] locks
//! once per decision, decides and commits under that lock, so concurrent routing never breaks
//! a cap or a rotation. Only assignments to a rep change state (counts, open counts, pool
//! pointers and weights) and bump `state_version`; queue decisions change nothing and report
//! the current version. [`Router::preview`] decides on the current state without committing
//! and reports the version routing would produce.

mod calendar;
mod config;
mod engine;
mod flat;
mod matching;
mod simulate;
mod territory;
mod trace;

pub use calendar::{Calendar, Unavailable};
pub use config::{
    DailyCount, MatchingConfig, Pool, PoolMember, PoolState, RoutingConfig, RoutingState,
    RoutingTerritory, Rule, SlaPolicy, StickyFallback, Strategy, Target,
};
pub use engine::{Decision, Id, LeadKey};
pub use matching::normalize_company;
pub use simulate::simulate_json;
pub use trace::{Missing, Step, StepRef, Trace, TraceStep};

use crate::error::{Error, Problem, Problems, Result};
use crate::model::read::{self, collect};
use crate::model::validate::{Context, Validate};
use crate::model::{Account, Lead, Rep};
use calendar::KnownOffset;
use chrono::{DateTime, Utc};
use engine::{CPool, CRule, CTarget, Engine, RepInfo, State};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

/// A router: config, reps, accounts and state; Send + Sync, state behind a lock.
pub struct Router {
    engine: Engine,
    /// The state, with what is known of every rep's UTC offset (a cache of time-zone
    /// look-ups, one per rep, that decisions extend; never part of the state's meaning).
    state: Mutex<(State, Vec<KnownOffset>)>,
    /// The top-level lead keys a decision reads ([`Router::lead_fields`]).
    lead_fields: Vec<String>,
}

const _: () = {
    const fn send_sync<T: Send + Sync>() {}
    send_sync::<Router>();
};

/// Checks a routing config alone (no reps to check pool members against): what
/// `validate("routing_config", ...)` does. Problems are relative to the config.
pub fn check_config_alone(config: &RoutingConfig) -> Result<()> {
    let mut out = Problems::new();
    config::check_config(config, None, &mut out);
    out.into_result(Error::InvalidConfig)
}

impl Router {
    pub fn new(
        config: RoutingConfig,
        reps: Vec<Rep>,
        accounts: Vec<Account>,
        state: Option<RoutingState>,
    ) -> Result<Router> {
        Router::build(config, reps, Some(accounts), state)
    }

    /// `accounts: None` means "built without accounts" (`no_accounts` in traces).
    fn build(
        config: RoutingConfig,
        reps: Vec<Rep>,
        accounts: Option<Vec<Account>>,
        state: Option<RoutingState>,
    ) -> Result<Router> {
        let mut cfg_problems = Problems::new();
        let rep_ids: HashSet<&str> = reps.iter().map(|r| r.id.0.as_str()).collect();
        let checked = config::check_config(&config, Some(&rep_ids), &mut cfg_problems);
        let mut problems: Vec<Problem> = cfg_problems
            .into_vec()
            .into_iter()
            .map(|p| p.under("config"))
            .collect();
        let mut rep_problems = Problems::new();
        let mut seen = HashSet::new();
        for (i, r) in reps.iter().enumerate() {
            let path = format!("reps[{i}]");
            r.validate(&Context::default(), &path, &mut rep_problems);
            if !seen.insert(r.id.0.as_str()) {
                rep_problems.push(
                    format!("{path}.id"),
                    "duplicate_id",
                    format!("rep id `{}` is used twice", r.id),
                );
            }
        }
        problems.extend(rep_problems.into_vec());
        if !problems.is_empty() {
            return Err(Error::InvalidConfig(problems));
        }

        let rep_index: HashMap<String, usize> = reps
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.0.clone(), i))
            .collect();
        let pool_index: HashMap<&str, usize> = config
            .pools
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id.as_str(), i))
            .collect();
        let pools: Vec<CPool> = config
            .pools
            .iter()
            .map(|p| CPool {
                id: Id::new(&p.id),
                strategy: p.strategy,
                members: p
                    .members
                    .iter()
                    .map(|m| {
                        let r = rep_index[m.rep_id.as_str()];
                        (r, m.weight.unwrap_or(reps[r].weight))
                    })
                    .collect(),
                daily_cap: p.daily_cap,
                open_cap: p.open_cap,
                require_availability: p.require_availability,
                only_activity: !p.require_availability
                    && p.daily_cap.is_none()
                    && p.open_cap.is_none()
                    && p.members
                        .iter()
                        .all(|m| reps[rep_index[m.rep_id.as_str()]].capacity.is_none()),
            })
            .collect();
        let rules: Vec<CRule> = config
            .rules
            .iter()
            .zip(checked.rules)
            .map(|(r, condition)| CRule {
                id: Id::new(&r.id),
                fields: condition
                    .as_ref()
                    .map(|c| c.fields().iter().map(|f| Id::new(f)).collect())
                    .unwrap_or_default(),
                presence: condition
                    .as_ref()
                    .map(|c| c.fields().iter().map(|f| engine::Presence::of(f)).collect())
                    .unwrap_or_default(),
                condition,
                target: match &r.target {
                    Target::Territories => CTarget::Territories,
                    Target::Pool(p) => CTarget::Pool(pool_index[p.as_str()]),
                    Target::Rep(id) => CTarget::Rep(rep_index[id.as_str()]),
                    Target::Queue(q) => CTarget::Queue(Id::new(q)),
                },
                sla_minutes: r.sla_minutes,
            })
            .collect();
        let terr_index: HashMap<&str, usize> = config
            .territories
            .iter()
            .enumerate()
            .rev()
            .map(|(i, t)| (t.id.as_str(), i))
            .collect();
        let parents: Vec<Option<usize>> = config
            .territories
            .iter()
            .map(|t| t.parent_id.as_deref().map(|p| terr_index[p]))
            .collect();
        let territories: Vec<territory::Territory> = config
            .territories
            .iter()
            .zip(checked.territories)
            .enumerate()
            .map(|(i, (t, condition))| {
                let mut depth = 0;
                let mut cur = parents[i];
                while let Some(p) = cur {
                    depth += 1;
                    cur = parents[p];
                }
                territory::Territory {
                    parent: parents[i],
                    depth,
                    priority: t.priority,
                    condition,
                    pool: pool_index[t.pool.as_str()],
                }
            })
            .collect();
        let lead_fields = lead_fields(&config, &rules, &territories);
        let accounts = accounts.map(|list| {
            let index = matching::AccountIndex::new(&list);
            (list, index)
        });
        let names = Arc::new(trace::Names {
            reps: reps.iter().map(|r| Id::new(&r.id.0)).collect(),
            rules: rules.iter().map(|r| r.id.clone()).collect(),
            rule_fields: rules.iter().map(|r| r.fields.clone()).collect(),
            rule_queues: rules
                .iter()
                .map(|r| match &r.target {
                    CTarget::Queue(q) => Some(q.clone()),
                    _ => None,
                })
                .collect(),
            pools: pools.iter().map(|p| p.id.clone()).collect(),
            territories: config.territories.iter().map(|t| Id::new(&t.id)).collect(),
            accounts: accounts
                .as_ref()
                .map(|(list, _)| list.iter().map(|a| Id::new(&a.id.0)).collect())
                .unwrap_or_default(),
            account_owners: accounts
                .as_ref()
                .map(|(list, _)| {
                    list.iter()
                        .map(|a| a.owner_id.as_ref().map(|o| Id::new(o.as_str())))
                        .collect()
                })
                .unwrap_or_default(),
            fallback_queue: Id::new(&config.fallback_queue),
        });
        let engine = Engine {
            reps: reps
                .into_iter()
                .zip(&names.reps)
                .map(|(rep, id)| RepInfo {
                    id: id.clone(),
                    cal: calendar::Calendar::new(&rep),
                    rep,
                })
                .collect(),
            rep_index,
            accounts,
            by_domain: config.matching.by_domain,
            by_company_name: config.matching.by_company_name,
            name_similarity: config.matching.name_similarity,
            sticky: config.matching.sticky,
            sticky_fallback: config.matching.sticky_fallback,
            bound_rules: engine::BoundRules::new(&rules),
            rules,
            territories: territory::TerritoryIndex::new(territories),
            pools,
            sla: config.sla.as_ref().map(|s| s.first_touch_minutes),
            names,
        };
        let state = match &state {
            Some(s) => engine.import_state(s),
            None => engine.empty_state(),
        };
        let known = vec![KnownOffset::default(); engine.reps.len()];
        Ok(Router {
            engine,
            state: Mutex::new((state, known)),
            lead_fields,
        })
    }

    /// From wire-format JSON; problems are reported with paths under `config`, `reps[i]`,
    /// `accounts[i]`, `state`.
    pub fn from_json(
        config: &Value,
        reps: &Value,
        accounts: Option<&Value>,
        state: Option<&Value>,
    ) -> Result<Router> {
        let mut problems = Vec::new();
        let config: Option<RoutingConfig> = collect(
            crate::api::parse(config).map_err(|e| e.under("config")),
            &mut problems,
        );
        let reps: Option<Vec<Rep>> = collect(read::list(reps, "reps"), &mut problems);
        let accounts: Option<Option<Vec<Account>>> = match accounts {
            None | Some(Value::Null) => Some(None),
            Some(a) => collect(read::list(a, "accounts"), &mut problems).map(Some),
        };
        let state: Option<Option<RoutingState>> = match state {
            None | Some(Value::Null) => Some(None),
            Some(s) => collect(
                crate::api::parse(s).map_err(|e| e.under("state")),
                &mut problems,
            )
            .map(Some),
        };
        match (config, reps, accounts, state) {
            (Some(c), Some(r), Some(a), Some(s)) if problems.is_empty() => {
                Router::build(c, r, a, s)
            }
            _ => Err(Error::Parse(problems)),
        }
    }

    pub fn route(&self, lead: &Lead, now: DateTime<Utc>) -> Decision {
        let mut d = self.engine.start(lead);
        let mut guard = self.lock();
        let (st, known) = &mut *guard;
        self.decide_and_commit(st, known, lead, now, &mut d);
        drop(guard);
        d
    }

    pub fn preview(&self, lead: &Lead, now: DateTime<Utc>) -> Decision {
        let mut d = self.engine.start(lead);
        let mut guard = self.lock();
        let (st, known) = &mut *guard;
        self.engine.decide(st, known, lead, now, &mut None, &mut d);
        drop(guard);
        d
    }

    pub fn route_batch(&self, leads: &[Lead], now: DateTime<Utc>) -> Vec<Decision> {
        let mut guard = self.lock();
        let (st, known) = &mut *guard;
        leads
            .iter()
            .map(|lead| {
                let mut d = self.engine.start(lead);
                self.decide_and_commit(st, known, lead, now, &mut d);
                d
            })
            .collect()
    }

    pub fn state(&self) -> RoutingState {
        let guard = self.lock();
        self.engine.export_state(&guard.0)
    }

    /// Decides for `lead` at `now` into `d` and commits what the decision took: a step of
    /// `route` and of every batch.
    #[inline(always)]
    fn decide_and_commit(
        &self,
        st: &mut State,
        known: &mut [KnownOffset],
        lead: &Lead,
        now: DateTime<Utc>,
        d: &mut Decision,
    ) {
        let mut commit = None;
        self.engine.decide(st, known, lead, now, &mut commit, d);
        if let Some(c) = &commit {
            self.engine.commit(st, c);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (State, Vec<KnownOffset>)> {
        // A panic while holding the lock cannot leave the state half-written (commit is
        // infallible), so a poisoned lock is still usable.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// JSON level: a lead (parse errors under `lead`) -> the decision as JSON.
    pub fn route_json(&self, lead: &Value, now: DateTime<Utc>) -> Result<Value> {
        let lead = self.parse_lead(lead, "lead")?;
        Ok(to_value(&self.route(&lead, now)))
    }

    pub fn preview_json(&self, lead: &Value, now: DateTime<Utc>) -> Result<Value> {
        let lead = self.parse_lead(lead, "lead")?;
        Ok(to_value(&self.preview(&lead, now)))
    }

    /// A list of leads (parse errors under `leads[i]`, every one reported) -> list of decisions.
    pub fn route_batch_json(&self, leads: &Value, now: DateTime<Utc>) -> Result<Value> {
        let leads = self.parse_leads(leads)?;
        Ok(to_value(&self.route_batch(&leads, now)))
    }

    /// The top-level lead keys a decision can read, sorted: `id`, `created_at` (both required
    /// of every lead), `email` and `website` when matching by domain, `company` when matching
    /// by company name, and the fields of rule and territory conditions (`attributes` too for
    /// a condition on an attribute). Only these are read from a lead given as JSON (or as a
    /// host object): the other keys can hold anything (docs/routing.md, "What a router reads").
    pub fn lead_fields(&self) -> &[String] {
        &self.lead_fields
    }

    fn parse_lead(&self, value: &Value, at: &str) -> Result<Lead> {
        read::lead_reading(value, &self.lead_fields, at)
    }

    fn parse_leads(&self, leads: &Value) -> Result<Vec<Lead>> {
        read::leads_reading(leads, &self.lead_fields, "leads")
    }

    /// The fast path for hosts where object bridging costs more than routing (BRIDGES.md):
    /// a JSON array of leads as text in, a JSON array of decisions as text out.
    pub fn route_batch_str(&self, leads_json: &str, now: DateTime<Utc>) -> Result<String> {
        let leads: Vec<Lead> = match serde_json::from_str(leads_json) {
            Ok(leads) => leads,
            Err(_) => {
                // Slow path only to name every problem with its path.
                let value: Value =
                    serde_json::from_str(leads_json).map_err(|e| Error::from(e).under("leads"))?;
                self.parse_leads(&value)?
            }
        };
        Ok(serde_json::to_string(&self.route_batch(&leads, now)).expect("decisions serialise"))
    }

    pub fn state_json(&self) -> Value {
        to_value(&self.state())
    }

    /// Every rep's calendar, by rep id (tests and tools).
    pub fn calendar(&self, rep_id: &str) -> Option<&Calendar> {
        let i = *self.engine.rep_index.get(rep_id)?;
        Some(&self.engine.reps[i].cal)
    }

    /// The territory the index picks, reading the lead's indexed fields directly as routing
    /// does (`find` through the paths alone is held to `naive` by the territory proptests),
    /// and the one evaluating every territory picks (tests).
    #[doc(hidden)]
    pub fn territory_both(&self, lead: &Lead) -> (Option<String>, Option<String>) {
        let view = LeadOnly(lead);
        let t = &self.engine.territories;
        let name = |i: Option<usize>| i.map(|i| self.engine.names.territories[i].to_string());
        (name(t.find_lead(&view, lead)), name(t.naive(&view)))
    }
}

/// A lead without account, for [`Router::territory_both`].
struct LeadOnly<'a>(&'a Lead);

impl crate::condition::Record for LeadOnly<'_> {
    fn field(&self, path: &str) -> Option<crate::condition::FieldValue<'_>> {
        if path.starts_with("account.") {
            None
        } else {
            self.0.field(path)
        }
    }
}

/// The top-level lead keys the decisions of this config can read ([`Router::lead_fields`]).
fn lead_fields(
    config: &RoutingConfig,
    rules: &[CRule],
    territories: &[territory::Territory],
) -> Vec<String> {
    let mut matching: Vec<&str> = Vec::new();
    if config.matching.by_domain {
        matching.extend(["email", "website"]);
    }
    if config.matching.by_company_name {
        matching.push("company");
    }
    let paths: Vec<String> = rules
        .iter()
        .filter_map(|r| r.condition.as_ref())
        .chain(territories.iter().filter_map(|t| t.condition.as_ref()))
        .flat_map(|c| c.fields())
        .filter(|path| !path.starts_with("account."))
        .collect();
    read::lead_keys(paths.iter().map(String::as_str), &matching)
}

fn to_value<T: serde::Serialize>(x: &T) -> Value {
    serde_json::to_value(x).expect("routing results serialise")
}

/// Parses `now` given as an RFC 3339 string (a `parse` error at path `now` otherwise).
pub fn parse_now(now: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(now)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            Error::parse(
                "now",
                "invalid_value",
                format!("`{now}` is not an RFC 3339 instant with an offset: {e}"),
            )
        })
}
