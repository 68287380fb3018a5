//! Simulation (docs/routing.md, "Simulation"): replay leads in `created_at` order from an
//! empty state and report volumes, queue counts, cap hits and per-pool fairness.

use super::Router;
use crate::error::{Error, Result};
use crate::model::read;
use crate::model::Lead;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// The Gini coefficient of `counts` (mean absolute difference over twice the mean).
pub fn gini(counts: &[u64]) -> f64 {
    let n = counts.len() as f64;
    let sum: u64 = counts.iter().sum();
    if counts.is_empty() || sum == 0 {
        return 0.0;
    }
    let mean = sum as f64 / n;
    let mut diff = 0.0;
    for &a in counts {
        for &b in counts {
            diff += (a as f64 - b as f64).abs();
        }
    }
    diff / (2.0 * n * n * mean)
}

/// Replays leads in `created_at` order from an empty state (docs/routing.md, "Simulation").
pub fn simulate_json(
    config: &Value,
    reps: &Value,
    leads: &Value,
    accounts: Option<&Value>,
) -> Result<Value> {
    let router = Router::from_json(config, reps, accounts, None);
    let leads: Result<Vec<Lead>> = read::list(leads, "leads");
    let (router, mut leads) = match (router, leads) {
        (Ok(r), Ok(l)) => (r, l),
        (Err(a), Err(b)) if a.code() == b.code() => {
            let mut p = a.problems().to_vec();
            p.extend(b.problems().iter().cloned());
            return Err(Error::Parse(p));
        }
        (Err(e), _) | (_, Err(e)) => return Err(e),
    };
    leads.sort_by_key(|l| l.created_at);
    let mut assigned = 0u64;
    let mut queued: BTreeMap<String, u64> = BTreeMap::new();
    let mut per_rep: BTreeMap<String, u64> = BTreeMap::new();
    let mut per_territory: BTreeMap<String, u64> = BTreeMap::new();
    let mut per_rule: BTreeMap<String, u64> = BTreeMap::new();
    let mut cap_hits: BTreeMap<String, u64> = BTreeMap::new();
    let mut pool_counts: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    for pool in &router.engine.pools {
        let counts = pool
            .members
            .iter()
            .map(|&(r, _)| (router.engine.reps[r].id.to_string(), 0))
            .collect();
        pool_counts.insert(pool.id.to_string(), counts);
    }
    for lead in &leads {
        let d = router.route(lead, lead.created_at);
        if let Some(o) = d.owner_id() {
            assigned += 1;
            *per_rep.entry(o.to_string()).or_default() += 1;
            if let Some(p) = d.pool_id() {
                if let Some(c) = pool_counts
                    .get_mut(p.as_str())
                    .and_then(|m| m.get_mut(o.as_str()))
                {
                    *c += 1;
                }
            }
        }
        if let Some(q) = d.queue() {
            *queued.entry(q.to_string()).or_default() += 1;
        }
        if let Some(t) = d.territory_id() {
            *per_territory.entry(t.to_string()).or_default() += 1;
        }
        if let Some(r) = d.rule_id() {
            *per_rule.entry(r.to_string()).or_default() += 1;
        }
        for step in &d.trace {
            if matches!(step.reason, Some("daily_cap_reached" | "open_cap_reached")) {
                if let Some(r) = &step.rep_id {
                    *cap_hits.entry(r.to_string()).or_default() += 1;
                }
            }
        }
    }
    let mut pools = Map::new();
    for (id, counts) in pool_counts {
        let values: Vec<u64> = counts.values().copied().collect();
        let min = values.iter().copied().min().unwrap_or(0);
        let max = values.iter().copied().max().unwrap_or(0);
        let ratio = if min == 0 {
            Value::Null
        } else {
            json!(round6(max as f64 / min as f64))
        };
        pools.insert(
            id,
            json!({"counts": counts, "max_min_ratio": ratio, "gini": round6(gini(&values))}),
        );
    }
    Ok(json!({
        "leads": leads.len(),
        "assigned": assigned,
        "queued": queued,
        "per_rep": per_rep,
        "per_territory": per_territory,
        "per_rule": per_rule,
        "cap_hits": cap_hits,
        "pools": pools,
    }))
}
