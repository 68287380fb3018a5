//! The routing config document (docs/routing.md, "Config") and the router's state document
//! (docs/routing.md, "State"): the serde/schemars types, and the checks of a config against
//! the reps it will route to, which report every problem with its path under `config.`.

use crate::condition::Condition;
use crate::error::{Problem, Problems};
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet};

fn default_true() -> bool {
    true
}
fn default_fallback_queue() -> String {
    "unassigned".to_string()
}

/// A routing config document (docs/routing.md, "Config").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoutingConfig {
    /// Must be 1.
    pub version: u32,
    #[serde(default)]
    pub matching: MatchingConfig,
    /// Tried in order; the first whose condition matches decides the target.
    #[serde(default)]
    pub rules: Vec<Rule>,
    #[serde(default)]
    pub territories: Vec<RoutingTerritory>,
    #[serde(default)]
    pub pools: Vec<Pool>,
    /// Where leads go when nothing else decides (default `unassigned`).
    #[serde(default = "default_fallback_queue")]
    pub fallback_queue: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sla: Option<SlaPolicy>,
}

/// How leads are matched to accounts and whether account owners keep their accounts' leads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MatchingConfig {
    #[serde(default = "default_true")]
    pub by_domain: bool,
    #[serde(default = "default_true")]
    pub by_company_name: bool,
    /// Jaro-Winkler threshold (0..1) for company names; `null` means exact names only.
    #[serde(default)]
    pub name_similarity: Option<f64>,
    #[serde(default = "default_true")]
    pub sticky: bool,
    #[serde(default)]
    pub sticky_fallback: StickyFallback,
}

impl Default for MatchingConfig {
    fn default() -> Self {
        MatchingConfig {
            by_domain: true,
            by_company_name: true,
            name_similarity: None,
            sticky: true,
            sticky_fallback: StickyFallback::Rules,
        }
    }
}

/// What happens when the matched account's owner cannot take the lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StickyFallback {
    /// Go on with the rules.
    #[default]
    Rules,
    /// Send the lead to the fallback queue.
    Queue,
}

/// One routing rule: when `condition` matches (or there is none), send the lead to `target`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: String,
    /// A condition document (checked when the router is built, problems under its path).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Condition>")]
    pub condition: Option<Value>,
    pub target: Target,
    /// Overrides the config's SLA for leads routed by this rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sla_minutes: Option<u32>,
}

/// Where a rule sends a lead: `"territories"`, `{"pool": id}`, `{"rep": id}`, `{"queue": name}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    Territories,
    Pool(String),
    Rep(String),
    Queue(String),
}

/// A territory of the routing hierarchy and the pool that covers it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoutingTerritory {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<String>,
    /// Higher wins between matching territories at the same depth.
    #[serde(default)]
    pub priority: i32,
    /// Reads lead fields and `account.<field>`; absent means whatever the parent matches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Condition>")]
    pub condition: Option<Value>,
    pub pool: String,
}

/// How a pool picks among its eligible members.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    #[default]
    RoundRobin,
    WeightedRoundRobin,
    LeastLoaded,
}

/// A group of reps leads are shared among.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Pool {
    pub id: String,
    #[serde(default)]
    pub strategy: Strategy,
    pub members: Vec<PoolMember>,
    /// Most leads per rep per local day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub daily_cap: Option<u32>,
    /// Most open leads per rep (the rep's own `capacity` applies too, the lower wins).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_cap: Option<u32>,
    #[serde(default = "default_true")]
    pub require_availability: bool,
}

/// A rep in a pool; `weight` defaults to the rep's own weight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PoolMember {
    pub rep_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<f64>,
}

/// The first-touch SLA.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SlaPolicy {
    /// Working minutes until the first touch is due (> 0).
    pub first_touch_minutes: u32,
}

/// Counters and pointers of a router (docs/routing.md, "State"). Maps are sorted by key.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoutingState {
    /// Bumped by every decision that assigns a rep.
    #[serde(default)]
    pub version: u64,
    /// Round-robin pointers and smooth-weighted current weights, by pool id.
    #[serde(default)]
    pub pools: BTreeMap<String, PoolState>,
    /// Leads each rep got on their latest local day, by rep id.
    #[serde(default)]
    pub daily: BTreeMap<String, DailyCount>,
    /// Open leads per rep id.
    #[serde(default)]
    pub open: BTreeMap<String, u32>,
}

/// The moving part of one pool.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PoolState {
    #[serde(default)]
    pub pointer: usize,
    #[serde(default)]
    pub current_weights: BTreeMap<String, f64>,
}

/// How many leads a rep got on one local day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DailyCount {
    pub day: NaiveDate,
    pub count: u32,
}

/// Checks the config on its own and, when `reps` is given, every rep reference against it.
/// Returns the parsed conditions of rules and territories (None where absent or invalid).
pub(crate) struct Checked {
    pub rules: Vec<Option<Condition>>,
    pub territories: Vec<Option<Condition>>,
}

pub(crate) fn check_config(
    config: &RoutingConfig,
    reps: Option<&HashSet<&str>>,
    out: &mut Problems,
) -> Checked {
    if config.version != 1 {
        out.push(
            "version",
            "unsupported_version",
            format!(
                "routing config version {} is not supported (expected 1)",
                config.version
            ),
        );
    }
    if let Some(s) = config.matching.name_similarity {
        if !(0.0..=1.0).contains(&s) {
            out.push(
                "matching.name_similarity",
                "invalid_value",
                format!("name_similarity must be between 0 and 1, got {s}"),
            );
        }
    }
    let pool_ids: HashSet<&str> = config.pools.iter().map(|p| p.id.as_str()).collect();
    let rep_known = |id: &str| reps.is_none_or(|r| r.contains(id));

    let mut seen = HashSet::new();
    let mut rules = Vec::with_capacity(config.rules.len());
    for (i, rule) in config.rules.iter().enumerate() {
        let path = format!("rules[{i}]");
        if !seen.insert(rule.id.as_str()) {
            out.push(
                format!("{path}.id"),
                "duplicate_id",
                format!("rule id `{}` is used twice", rule.id),
            );
        }
        rules.push(condition(
            &rule.condition,
            &format!("{path}.condition"),
            out,
        ));
        match &rule.target {
            Target::Pool(p) if !pool_ids.contains(p.as_str()) => out.push(
                format!("{path}.target.pool"),
                "unknown_reference",
                format!("no pool `{p}`"),
            ),
            Target::Rep(r) if !rep_known(r) => out.push(
                format!("{path}.target.rep"),
                "unknown_reference",
                format!("no rep `{r}`"),
            ),
            Target::Queue(q) if q.is_empty() => out.push(
                format!("{path}.target.queue"),
                "empty",
                "a queue needs a name",
            ),
            _ => {}
        }
        if rule.sla_minutes == Some(0) {
            out.push(
                format!("{path}.sla_minutes"),
                "invalid_value",
                "sla_minutes must be above 0",
            );
        }
    }

    let mut seen = HashSet::new();
    let index: HashMap<&str, usize> = config
        .territories
        .iter()
        .enumerate()
        .rev()
        .map(|(i, t)| (t.id.as_str(), i))
        .collect();
    let mut territories = Vec::with_capacity(config.territories.len());
    for (i, t) in config.territories.iter().enumerate() {
        let path = format!("territories[{i}]");
        if !seen.insert(t.id.as_str()) {
            out.push(
                format!("{path}.id"),
                "duplicate_id",
                format!("territory id `{}` is used twice", t.id),
            );
        }
        if let Some(p) = &t.parent_id {
            if !index.contains_key(p.as_str()) {
                out.push(
                    format!("{path}.parent_id"),
                    "unknown_reference",
                    format!("no territory `{p}`"),
                );
            } else if on_cycle(config, &index, i) {
                out.push(
                    format!("{path}.parent_id"),
                    "cycle",
                    format!("territory `{}` is its own ancestor", t.id),
                );
            }
        }
        territories.push(condition(&t.condition, &format!("{path}.condition"), out));
        if !pool_ids.contains(t.pool.as_str()) {
            out.push(
                format!("{path}.pool"),
                "unknown_reference",
                format!("no pool `{}`", t.pool),
            );
        }
    }

    let mut seen = HashSet::new();
    for (i, pool) in config.pools.iter().enumerate() {
        let path = format!("pools[{i}]");
        if !seen.insert(pool.id.as_str()) {
            out.push(
                format!("{path}.id"),
                "duplicate_id",
                format!("pool id `{}` is used twice", pool.id),
            );
        }
        if pool.members.is_empty() {
            out.push(
                format!("{path}.members"),
                "empty",
                "a pool needs at least one member",
            );
        }
        let mut members = HashSet::new();
        for (j, m) in pool.members.iter().enumerate() {
            let mp = format!("{path}.members[{j}]");
            if !rep_known(&m.rep_id) {
                out.push(
                    format!("{mp}.rep_id"),
                    "unknown_reference",
                    format!("no rep `{}`", m.rep_id),
                );
            } else if !members.insert(m.rep_id.as_str()) {
                out.push(
                    format!("{mp}.rep_id"),
                    "duplicate_id",
                    format!("rep `{}` is in the pool twice", m.rep_id),
                );
            }
            if let Some(w) = m.weight {
                if !(w.is_finite() && w > 0.0) {
                    out.push(
                        format!("{mp}.weight"),
                        "invalid_weight",
                        format!("weight must be above 0, got {w}"),
                    );
                }
            }
        }
    }
    if config.fallback_queue.is_empty() {
        out.push("fallback_queue", "empty", "the fallback queue needs a name");
    }
    if let Some(sla) = &config.sla {
        if sla.first_touch_minutes == 0 {
            out.push(
                "sla.first_touch_minutes",
                "invalid_value",
                "first_touch_minutes must be above 0",
            );
        }
    }
    Checked { rules, territories }
}

/// Whether following parents from territory `start` comes back to it.
fn on_cycle(config: &RoutingConfig, index: &HashMap<&str, usize>, start: usize) -> bool {
    let mut cur = start;
    for _ in 0..=config.territories.len() {
        let Some(p) = config.territories[cur].parent_id.as_deref() else {
            return false;
        };
        let Some(&next) = index.get(p) else {
            return false;
        };
        if next == start {
            return true;
        }
        cur = next;
    }
    false
}

fn condition(spec: &Option<Value>, path: &str, out: &mut Problems) -> Option<Condition> {
    match Condition::parse(spec.as_ref()?) {
        Ok(c) => Some(c),
        Err(e) => {
            out.extend(e.problems().iter().cloned().map(|p: Problem| p.under(path)));
            None
        }
    }
}
