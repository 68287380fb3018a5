//! Routing a batch without collecting its decisions: each decision is handed to the caller as
//! soon as it is made, then dropped. Bindings that encode decisions for their host (the Node
//! binding's `encode`) write each one straight into their own reused buffers, so a batch no
//! longer builds (and faults in) a `Vec<Decision>` of several megabytes only to read it once.

use super::{Decision, Router};
use crate::model::Lead;
use chrono::{DateTime, Utc};

impl Router {
    /// Routes the leads in order at `now`, as [`Router::route_batch`] does (one lock for the
    /// batch, every decision committed before the next lead), and calls `each` with every
    /// decision in order instead of returning them.
    pub fn route_each(&self, leads: &[Lead], now: DateTime<Utc>, mut each: impl FnMut(&Decision)) {
        let mut guard = self.lock();
        let (st, known) = &mut *guard;
        for lead in leads {
            let mut d = self.engine.start(lead);
            self.decide_and_commit(st, known, lead, now, &mut d);
            each(&d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routing::parse_now;
    use serde_json::json;

    /// Two pools (one weighted with a daily cap), a rule on the country, an SLA: decisions
    /// that change the state, queue when capped, and carry due times.
    fn router() -> Router {
        let rep = |id: &str| json!({"id": id, "name": id, "role": "sdr", "time_zone": "UTC"});
        let config = json!({"version": 1,
            "rules": [{"id": "w", "condition": {"field": "country", "eq": "US"}, "target": {"pool": "w"}},
                      {"id": "r", "target": {"pool": "r"}}],
            "pools": [{"id": "w", "strategy": "weighted_round_robin", "members": [{"rep_id": "A"}, {"rep_id": "B", "weight": 2}], "daily_cap": 3},
                      {"id": "r", "strategy": "round_robin", "members": [{"rep_id": "C"}, {"rep_id": "A"}]}],
            "fallback_queue": "q", "sla": {"first_touch_minutes": 30}});
        let reps = json!([rep("A"), rep("B"), rep("C")]);
        Router::from_json(&config, &reps, Some(&json!([])), None).expect("router")
    }

    /// The same decisions, in the same order, with the same state after, as `route_batch`.
    #[test]
    fn decides_as_route_batch() {
        let leads: Vec<Lead> = (0..20)
            .map(|i| {
                let country = if i % 3 == 0 { "DE" } else { "US" };
                serde_json::from_value(json!({"id": format!("L{i}"),
                    "created_at": "2026-03-02T10:00:00Z", "country": country}))
                .unwrap()
            })
            .collect();
        let now = parse_now("2026-03-02T10:05:00Z").unwrap();
        let (a, b) = (router(), router());
        let collected = a.route_batch(&leads, now);
        let mut each = Vec::new();
        b.route_each(&leads, now, |d| each.push(d.clone()));
        assert_eq!(each, collected);
        assert_eq!(b.state(), a.state());
        assert!(
            each.iter().any(|d| d.queue().is_some()),
            "the cap was reached"
        );
        assert!(each.iter().any(|d| d.owner_id().is_some()));
    }
}
