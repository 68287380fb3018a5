//! Routing engine tests beyond the conformance vectors: calendars and SLA, fairness,
//! concurrency, state round trips, batch equivalence, the territory index, validation paths.

use chrono::{DateTime, Utc};
use revcore::model::{Lead, Rep};
use revcore::routing::{parse_now, simulate_json, Router};
use serde_json::{json, Value};
use std::collections::HashMap;

fn t(s: &str) -> DateTime<Utc> {
    parse_now(s).unwrap()
}

fn rep(id: &str) -> Value {
    json!({"id": id, "name": id, "role": "sdr", "time_zone": "UTC"})
}

fn lead(i: usize) -> Value {
    json!({"id": format!("L-{i}"), "created_at": "2026-03-02T10:00:00Z", "country": "US"})
}

fn pool_config(strategy: &str, members: Value, extra: Value) -> Value {
    let mut pool = json!({"id": "p", "strategy": strategy, "members": members});
    for (k, v) in extra.as_object().unwrap() {
        pool[k] = v.clone();
    }
    json!({"version": 1, "rules": [{"id": "all", "target": {"pool": "p"}}], "pools": [pool],
           "fallback_queue": "q"})
}

fn leads(n: usize) -> Vec<Lead> {
    (0..n)
        .map(|i| serde_json::from_value(lead(i)).unwrap())
        .collect()
}

fn ny_rep() -> Rep {
    serde_json::from_value(json!({"id": "R", "name": "R", "role": "sdr",
        "time_zone": "America/New_York",
        "working_hours": [{"days": ["mon","tue","wed","thu","fri"], "start": "09:00", "end": "18:00"}],
        "holidays": ["2026-03-16"],
        "out_of_office": [{"start": "2026-03-18T13:00:00Z", "end": "2026-03-18T15:00:00Z"}]}))
    .unwrap()
}

fn calendar_router(r: &Rep) -> Router {
    let cfg = pool_config("round_robin", json!([{"rep_id": r.id.0}]), json!({}));
    Router::from_json(&cfg, &json!([r]), None, None).unwrap()
}

#[test]
fn sla_friday_evening_to_monday() {
    let r = ny_rep();
    let router = calendar_router(&r);
    let cal = router.calendar("R").unwrap();
    // Friday 2026-03-06 17:50 EST = 22:50Z -> Monday 09:20 EDT = 13:20Z (the DST weekend).
    assert_eq!(
        cal.add_working_minutes(t("2026-03-06T22:50:00Z"), 30),
        t("2026-03-09T13:20:00Z")
    );
    // Holiday Monday 2026-03-16: Friday 17:50 EDT (21:50Z) -> Tuesday 09:20 EDT.
    assert_eq!(
        cal.add_working_minutes(t("2026-03-13T21:50:00Z"), 30),
        t("2026-03-17T13:20:00Z")
    );
    // Time off 09:00-11:00 EDT Wednesday 2026-03-18: 08:00 EDT arrival -> 11:30 EDT.
    assert_eq!(
        cal.add_working_minutes(t("2026-03-18T12:00:00Z"), 30),
        t("2026-03-18T15:30:00Z")
    );
    // Plain weekday: Monday 17:50 EST -> Tuesday 09:20 EST.

    assert_eq!(
        cal.add_working_minutes(t("2026-03-02T22:50:00Z"), 30),
        t("2026-03-03T14:20:00Z")
    );
}

#[test]
fn rep_without_hours_counts_every_minute() {
    let r: Rep = serde_json::from_value(
        json!({"id": "R", "name": "R", "role": "sdr", "time_zone": "Europe/Berlin"}),
    )
    .unwrap();
    let router = calendar_router(&r);
    let cal = router.calendar("R").unwrap();
    assert_eq!(
        cal.add_working_minutes(t("2026-03-07T23:50:00Z"), 30),
        t("2026-03-08T00:20:00Z")
    );
}

#[test]
fn long_sla_jumps_days() {
    let r = ny_rep();
    let router = calendar_router(&r);
    let cal = router.calendar("R").unwrap();
    // 9 working hours a day: 45 hours = 5 working days from Monday 09:00 EST.
    assert_eq!(
        cal.add_working_minutes(t("2026-03-02T14:00:00Z"), 45 * 60),
        t("2026-03-06T23:00:00Z")
    );
}

#[test]
fn weighted_round_robin_is_exact() {
    let reps = json!([rep("A"), rep("B"), rep("C")]);
    let cfg = pool_config(
        "weighted_round_robin",
        json!([{"rep_id": "A", "weight": 1}, {"rep_id": "B", "weight": 2}, {"rep_id": "C", "weight": 3}]),
        json!({}),
    );
    let router = Router::from_json(&cfg, &reps, None, None).unwrap();
    let mut counts: HashMap<String, usize> = HashMap::new();
    for d in router.route_batch(&leads(600), t("2026-03-02T10:00:00Z")) {
        *counts.entry(d.owner_id().unwrap().to_string()).or_default() += 1;
    }
    assert_eq!((counts["A"], counts["B"], counts["C"]), (100, 200, 300));
}

#[test]
fn concurrent_routing_keeps_caps_and_rotation() {
    let reps: Vec<Value> = (0..10).map(|i| rep(&format!("R{i}"))).collect();
    let members: Vec<Value> = (0..10)
        .map(|i| json!({"rep_id": format!("R{i}")}))
        .collect();
    let cfg = pool_config("round_robin", json!(members), json!({"open_cap": 900}));
    let router = Router::from_json(&cfg, &json!(reps), None, None).unwrap();
    let all = leads(10_000);
    std::thread::scope(|s| {
        for chunk in all.chunks(1250) {
            let router = &router;
            s.spawn(move || {
                for l in chunk {
                    router.route(l, t("2026-03-02T10:00:00Z"));
                }
            });
        }
    });
    let state = router.state();
    let counts: Vec<u32> = state.open.values().copied().collect();
    assert_eq!(counts.len(), 10);
    assert!(counts.iter().all(|&c| c <= 900), "{counts:?}");
    assert_eq!(counts.iter().sum::<u32>(), 9000);
    assert_eq!(state.version, 9000);
}

#[test]
fn concurrent_round_robin_is_even() {
    let reps: Vec<Value> = (0..7).map(|i| rep(&format!("R{i}"))).collect();
    let members: Vec<Value> = (0..7).map(|i| json!({"rep_id": format!("R{i}")})).collect();
    let cfg = pool_config("round_robin", json!(members), json!({}));
    let router = Router::from_json(&cfg, &json!(reps), None, None).unwrap();
    let all = leads(10_000);
    std::thread::scope(|s| {
        for chunk in all.chunks(1250) {
            let router = &router;
            s.spawn(move || {
                chunk
                    .iter()
                    .for_each(|l| drop(router.route(l, t("2026-03-02T10:00:00Z"))))
            });
        }
    });
    let counts: Vec<u32> = router.state().open.values().copied().collect();
    let (min, max) = (counts.iter().min().unwrap(), counts.iter().max().unwrap());
    assert!(max - min <= 1, "{counts:?}");
}

fn mixed_router(state: Option<&Value>) -> Router {
    let reps = json!([rep("A"), rep("B"), rep("C")]);
    let cfg = json!({"version": 1,
        "rules": [{"id": "w", "condition": {"field": "country", "eq": "US"}, "target": {"pool": "w"}},
                  {"id": "r", "target": {"pool": "r"}}],
        "pools": [{"id": "w", "strategy": "weighted_round_robin", "members": [{"rep_id": "A"}, {"rep_id": "B", "weight": 2}], "daily_cap": 7},
                  {"id": "r", "strategy": "round_robin", "members": [{"rep_id": "C"}, {"rep_id": "A"}]}],
        "fallback_queue": "q", "sla": {"first_touch_minutes": 30}});
    Router::from_json(&cfg, &reps, Some(&json!([])), state).unwrap()
}

fn mixed_leads() -> Vec<Lead> {
    (0..20)
        .map(|i| {
            let country = if i % 3 == 0 { "DE" } else { "US" };
            serde_json::from_value(json!({"id": format!("L{i}"), "created_at": "2026-03-02T10:00:00Z", "country": country})).unwrap()
        })
        .collect()
}

#[test]
fn state_round_trip_continues_exactly() {
    let now = t("2026-03-02T10:00:00Z");
    let ls = mixed_leads();
    let one = mixed_router(None);
    let all: Vec<_> = ls.iter().map(|l| one.route(l, now)).collect();
    let first = mixed_router(None);
    let a: Vec<_> = ls[..10].iter().map(|l| first.route(l, now)).collect();
    let exported = first.state_json();
    let second = mixed_router(Some(&exported));
    let b: Vec<_> = ls[10..].iter().map(|l| second.route(l, now)).collect();
    assert_eq!([a, b].concat(), all);
    assert_eq!(second.state(), one.state());
}

#[test]
fn batch_equals_one_by_one() {
    let now = t("2026-03-02T10:00:00Z");
    let ls = mixed_leads();
    let a = mixed_router(None);
    let b = mixed_router(None);
    let one: Vec<_> = ls.iter().map(|l| a.route(l, now)).collect();
    assert_eq!(b.route_batch(&ls, now), one);
    let text = serde_json::to_string(&json!(ls
        .iter()
        .map(|l| serde_json::to_value(l).unwrap())
        .collect::<Vec<_>>()))
    .unwrap();
    let c = mixed_router(None);
    let out: Value = serde_json::from_str(&c.route_batch_str(&text, now).unwrap()).unwrap();
    assert_eq!(out, serde_json::to_value(&one).unwrap());
}

#[test]
fn preview_does_not_change_state() {
    let now = t("2026-03-02T10:00:00Z");
    let r = mixed_router(None);
    let l = &mixed_leads()[1];
    let p = r.preview(l, now);
    assert_eq!(p.state_version, 1);
    assert_eq!(r.state().version, 0);
    assert_eq!(r.route(l, now), p);
}

#[test]
fn missing_fields_are_listed() {
    let cfg = json!({"version": 1, "rules": [
        {"id": "big", "condition": {"all": [{"field": "employees", "gte": 10}, {"field": "country", "eq": "US"}]}, "target": {"queue": "big"}},
        {"id": "rest", "target": {"queue": "rest"}}]});
    let router = Router::from_json(&cfg, &json!([]), None, None).unwrap();
    let d = router
        .route_json(
            &json!({"id": "L", "created_at": "2026-03-02T10:00:00Z", "country": "US"}),
            t("2026-03-02T10:00:00Z"),
        )
        .unwrap();
    assert_eq!(
        d["trace"][1],
        json!({"step": "rule", "rule_id": "big", "result": "not_matched", "missing_fields": ["employees"]})
    );
    assert_eq!(d["queue"], json!("rest"));
    assert_eq!(
        d["trace"][0],
        json!({"step": "account_match", "result": "no_accounts"})
    );
    assert_eq!(
        d["trace"][3],
        json!({"step": "fallback", "queue": "rest", "reason": "queue_rule"})
    );
    assert_eq!(d["state_version"], json!(0));
    assert!(d["owner_id"].is_null() && d["sla_due"].is_null());
}

#[test]
fn every_config_problem_is_reported() {
    let cfg = json!({"version": 2,
        "rules": [{"id": "a", "condition": {"field": "x", "matches": "("}, "target": {"pool": "nope"}},
                  {"id": "a", "target": {"rep": "ghost"}}],
        "territories": [{"id": "t1", "parent_id": "t2", "pool": "p"}, {"id": "t2", "parent_id": "t1", "pool": "p"},
                        {"id": "t3", "parent_id": "zz", "pool": "zz"}],
        "pools": [{"id": "p", "members": [{"rep_id": "A"}, {"rep_id": "X", "weight": 0}]}, {"id": "e", "members": []}],
        "sla": {"first_touch_minutes": 0}});
    let reps = json!([rep("A"), {"id": "B", "name": "B", "role": "sdr", "time_zone": "Mars/Base"}]);
    let err = Router::from_json(&cfg, &reps, None, None).err().unwrap();
    assert_eq!(err.code(), "invalid_config");
    let got: Vec<(String, String)> = err
        .problems()
        .iter()
        .map(|p| (p.path.clone(), p.code.clone()))
        .collect();
    let want = [
        ("config.version", "unsupported_version"),
        ("config.rules[0].condition.matches", "invalid_regex"),
        ("config.rules[0].target.pool", "unknown_reference"),
        ("config.rules[1].id", "duplicate_id"),
        ("config.rules[1].target.rep", "unknown_reference"),
        ("config.territories[0].parent_id", "cycle"),
        ("config.territories[1].parent_id", "cycle"),
        ("config.territories[2].parent_id", "unknown_reference"),
        ("config.territories[2].pool", "unknown_reference"),
        ("config.pools[0].members[1].rep_id", "unknown_reference"),
        ("config.pools[0].members[1].weight", "invalid_weight"),
        ("config.pools[1].members", "empty"),
        ("config.sla.first_touch_minutes", "invalid_value"),
        ("reps[1].time_zone", "unknown_time_zone"),
    ];
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(got, want);
    let err = Router::from_json(
        &json!({"version": 1, "bogus": 1}),
        &json!([{"id": 1}]),
        None,
        Some(&json!({"version": "x"})),
    )
    .err()
    .unwrap();
    assert_eq!(err.code(), "parse");
    let paths: Vec<&str> = err.problems().iter().map(|p| p.path.as_str()).collect();
    assert_eq!(paths[0], "config.bogus");
    assert!(paths.iter().any(|p| p.starts_with("reps[0]")));
    assert!(paths.contains(&"state.version"));
    assert_eq!(
        parse_now("yesterday").err().unwrap().problems()[0].path,
        "now"
    );
}

#[test]
fn territory_index_agrees_with_naive() {
    let countries = ["US", "CA", "DE", "FR", "GB", "JP", "BR", "us", "De"];
    let mut territories = Vec::new();
    let mut seed: u64 = 12345;
    let mut next = |n: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % n
    };
    for i in 0..300 {
        let c1 = countries[next(9) as usize];
        let c2 = countries[next(9) as usize];
        let cond = match next(5) {
            0 => json!({"field": "country", "eq": c1}),
            1 => json!({"field": "country", "in": [c1, c2]}),
            2 => {
                json!({"all": [{"field": "country", "eq": c1}, {"field": "employees", "gte": next(1000)}]})
            }
            3 => json!({"field": "employees", "lt": next(1000)}),
            _ => {
                json!({"any": [{"field": "country", "eq": c1}, {"field": "industry", "eq": "tech"}]})
            }
        };
        let mut terr =
            json!({"id": format!("t{i}"), "pool": "p", "priority": next(3), "condition": cond});
        if i > 0 && next(2) == 0 {
            terr["parent_id"] = json!(format!("t{}", next(i)));
        }
        if next(10) == 0 {
            terr.as_object_mut().unwrap().remove("condition");
        }
        territories.push(terr);
    }
    let cfg = json!({"version": 1, "rules": [{"id": "t", "target": "territories"}], "territories": territories,
                     "pools": [{"id": "p", "members": [{"rep_id": "A"}]}]});
    let router = Router::from_json(&cfg, &json!([rep("A")]), None, None).unwrap();
    for i in 0..2000 {
        let mut l = json!({"id": format!("L{i}"), "created_at": "2026-03-02T10:00:00Z", "employees": next(1200)});
        match next(4) {
            0 => {}
            1 => l["country"] = json!(["X", countries[next(9) as usize]][next(2) as usize]),
            2 => l["country"] = json!(countries[next(9) as usize].to_lowercase()),
            _ => l["country"] = json!(countries[next(9) as usize]),
        }
        if next(3) == 0 {
            l["industry"] = json!("Tech");
        }
        let lead: Lead = serde_json::from_value(l).unwrap();
        let (a, b) = router.territory_both(&lead);
        assert_eq!(a, b, "lead {i}");
    }
}

#[test]
fn simulate_reports_fairness() {
    let reps = json!([rep("A"), rep("B")]);
    let cfg = pool_config(
        "round_robin",
        json!([{"rep_id": "A"}, {"rep_id": "B"}]),
        json!({"daily_cap": 2}),
    );
    let ls: Vec<Value> = (0..5).map(lead).collect();
    let out = simulate_json(&cfg, &reps, &json!(ls), None).unwrap();
    assert_eq!(out["assigned"], json!(4));
    assert_eq!(out["queued"], json!({"q": 1}));
    assert_eq!(out["cap_hits"], json!({"A": 2, "B": 1}), "{out}");
    assert_eq!(
        out["pools"]["p"],
        json!({"counts": {"A": 2, "B": 2}, "max_min_ratio": 1.0, "gini": 0.0})
    );
}

#[test]
fn sample_routing_config_routes_sample_leads() {
    let world = revcore::sample::generate_json(&json!({"seed": 3, "leads": 300})).unwrap();
    let router = Router::from_json(
        &world["routing_config"],
        &world["reps"],
        Some(&world["accounts"]),
        None,
    )
    .unwrap();
    let out = router
        .route_batch_json(&world["leads"], t("2026-03-02T15:00:00Z"))
        .unwrap();
    assert_eq!(out.as_array().unwrap().len(), 300);
    assert!(revcore::validate("routing_config", &world["routing_config"], None).is_ok());
}

#[test]
fn lead_fields_are_what_decisions_read() {
    let cfg = json!({"version": 1,
        "matching": {"by_domain": true, "by_company_name": false},
        "rules": [
            {"id": "seg", "condition": {"all": [
                {"field": "attributes.segment", "eq": "smb"},
                {"field": "utm.source", "eq": "ads"},
                {"field": "annual_revenue.amount", "gte": 10}]},
             "target": {"pool": "p"}},
            {"id": "rest", "target": "territories"}],
        "territories": [
            {"id": "t", "pool": "p", "condition": {"field": "country", "eq": "US"}},
            {"id": "gold", "pool": "p", "condition": {"field": "account.tier", "eq": "gold"}}],
        "pools": [{"id": "p", "strategy": "round_robin", "members": [{"rep_id": "R"}]}],
        "fallback_queue": "q"});
    let router = Router::from_json(&cfg, &json!([rep("R")]), None, None).unwrap();
    assert_eq!(
        router.lead_fields(),
        [
            "annual_revenue",
            "attributes",
            "country",
            "created_at",
            "email",
            "id",
            "segment",
            "utm",
            "website"
        ]
    );
    // Any other key can hold anything; a bad value in a key routing reads is reported.
    let dirty = json!({"id": "L", "created_at": "2026-03-02T10:00:00Z", "country": "US",
                       "phone": 42, "first_touch_at": "soon"});
    let d = router
        .preview_json(&dirty, t("2026-03-02T10:00:00Z"))
        .unwrap();
    assert_eq!(d["territory_id"], "t");
    let bad = json!({"id": "L", "created_at": "2026-03-02T10:00:00Z", "country": 7, "phone": 42});
    let e = router
        .route_json(&bad, t("2026-03-02T10:00:00Z"))
        .unwrap_err();
    let paths: Vec<&str> = e.problems().iter().map(|p| p.path.as_str()).collect();
    assert_eq!(paths, ["lead.country"]);
}
