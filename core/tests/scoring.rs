//! Rule scoring tests beyond the conformance vectors (docs/scoring.md): batch equals one by one
//! on the sample world, determinism across calls, threads and entry points, model round trips,
//! and the invariants as properties (caps are never exceeded, contributions add up to the
//! totals, decay never grows with age, every event is accounted for).

use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;
use revcore::model::{EngagementEvent, Lead};
use revcore::routing::parse_now;
use revcore::sample::{generate, SampleOptions};
use revcore::scoring::rules::{round2, Score, Scorer, ScoringModel, Side};
use serde_json::{json, Value};
use std::collections::HashMap;

/// The instant the sample data ends (the day after its `end_date`).
const SAMPLE_NOW: &str = "2026-07-01T00:00:00Z";

fn t(s: &str) -> DateTime<Utc> {
    parse_now(s).unwrap()
}

fn sample() -> (revcore::model::validate::World, Scorer) {
    let world = generate(&SampleOptions {
        seed: 5,
        leads: 400,
        ..SampleOptions::default()
    });
    let scorer = Scorer::new(world.scoring_model.clone().expect("a scoring model")).unwrap();
    (world, scorer)
}

#[test]
fn batch_equals_one_by_one_on_the_sample_world() {
    let (world, scorer) = sample();
    let now = t(SAMPLE_NOW);
    let batch = scorer.score_batch(&world.leads, &world.events, now);
    assert_eq!(batch.len(), world.leads.len());
    for (lead, b) in world.leads.iter().zip(&batch) {
        assert_eq!(&scorer.score(lead, &world.events, now), b);
    }
    // The sample model should reach every fit grade and some MQLs on its own data.
    let mut fit_grades: Vec<char> = batch.iter().map(|s| s.grade.fit()).collect();
    fit_grades.sort_unstable();
    fit_grades.dedup();
    assert_eq!(fit_grades, ['A', 'B', 'C', 'D']);
    assert!(batch.iter().any(|s| s.mql));
    assert!(batch.iter().any(|s| s.engagement > 0.0));
    assert!(batch
        .iter()
        .any(|s| s.contributions.iter().any(|c| c.capped_from.is_some())));
}

#[test]
fn the_sample_world_with_its_model_is_valid() {
    let world = generate(&SampleOptions {
        seed: 2,
        leads: 50,
        ..SampleOptions::default()
    });
    revcore::validate("world", &serde_json::to_value(&world).unwrap(), None).unwrap();
    let model = serde_json::to_value(world.scoring_model.as_ref().unwrap()).unwrap();
    revcore::validate("scoring_model", &model, None).unwrap();
}

#[test]
fn scoring_is_deterministic_across_calls_threads_and_entry_points() {
    let (world, scorer) = sample();
    let now = t(SAMPLE_NOW);
    let first =
        serde_json::to_string(&scorer.score_batch(&world.leads, &world.events, now)).unwrap();
    let again =
        serde_json::to_string(&scorer.score_batch(&world.leads, &world.events, now)).unwrap();
    assert_eq!(first, again);

    let leads = serde_json::to_value(&world.leads).unwrap();
    let events = serde_json::to_value(&world.events).unwrap();
    let by_json = scorer.score_batch_json(&leads, Some(&events), now).unwrap();
    assert_eq!(by_json, serde_json::from_str::<Value>(&first).unwrap());
    let by_text = scorer
        .score_batch_str(&leads.to_string(), Some(&events.to_string()), now)
        .unwrap();
    assert_eq!(by_text, first);

    // A scorer is shared between threads; each gets the same scores.
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                s.spawn(|| {
                    serde_json::to_string(&scorer.score_batch(&world.leads, &world.events, now))
                        .unwrap()
                })
            })
            .collect();
        for h in handles {
            assert_eq!(h.join().unwrap(), first);
        }
    });
}

#[test]
fn events_order_within_a_lead_is_kept_and_other_leads_do_not_matter() {
    let (world, scorer) = sample();
    let now = t(SAMPLE_NOW);
    // Shuffle leads' events between each other (keeping each lead's own order): same scores.
    let mut by_lead: Vec<&EngagementEvent> = world.events.iter().collect();
    by_lead.sort_by_key(|e| std::cmp::Reverse(e.lead_id.as_str()));
    let reordered: Vec<EngagementEvent> = by_lead.into_iter().cloned().collect();
    assert_eq!(
        scorer.score_batch(&world.leads, &world.events, now),
        scorer.score_batch(&world.leads, &reordered, now)
    );
}

#[test]
fn the_model_round_trips() {
    let (world, scorer) = sample();
    let model = world.scoring_model.unwrap();
    let text = serde_json::to_string(&model).unwrap();
    let back: ScoringModel = serde_json::from_str(&text).unwrap();
    assert_eq!(back, model);
    assert_eq!(scorer.model(), &model);
    let normalized = revcore::normalize(
        "scoring_model",
        &serde_json::to_value(&model).unwrap(),
        None,
    )
    .unwrap();
    assert_eq!(normalized, serde_json::to_value(&model).unwrap());
}

#[test]
fn lead_fields_are_what_conditions_read() {
    let scorer = Scorer::from_json(&json!({
        "version": 1,
        "fit_rules": [
            {"id": "a", "label": "A", "condition": {"field": "employees", "gte": 5}, "points": 1},
            {"id": "b", "label": "B", "condition": {"field": "attributes.segment", "eq": "x"}, "points": 1}],
        "negative_rules": [
            {"id": "c", "label": "C", "condition": {"field": "annual_revenue.amount", "lt": 5}, "points": -1},
            {"id": "d", "label": "D", "event": "unsubscribe", "where": {"field": "url", "exists": true}, "points": -1}],
        "grades": {"fit": [3, 2, 1], "engagement": [3, 2, 1]},
        "mql": {"total_min": 1}
    }))
    .unwrap();
    assert_eq!(
        scorer.lead_fields(),
        [
            "annual_revenue",
            "attributes",
            "created_at",
            "employees",
            "id",
            "segment"
        ]
    );
}

#[test]
fn nan_and_infinite_numbers_from_rust_are_refused() {
    let mut model: ScoringModel = serde_json::from_value(json!({
        "version": 1,
        "engagement_rules": [{"id": "e", "label": "E", "event": "email_open", "points": 1, "half_life_days": 3}],
        "grades": {"fit": [3, 2, 1], "engagement": [3, 2, 1]},
        "mql": {"total_min": 1}
    }))
    .unwrap();
    model.engagement_rules[0].points = f64::NAN;
    model.engagement_rules[0].half_life_days = Some(f64::INFINITY);
    model.grades.fit[0] = f64::NEG_INFINITY;
    let err = Scorer::new(model).err().expect("refused");
    let found: Vec<(&str, &str)> = err
        .problems()
        .iter()
        .map(|p| (p.path.as_str(), p.code.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            ("engagement_rules[0].points", "invalid_points"),
            ("engagement_rules[0].half_life_days", "invalid_value"),
            ("grades.fit[0]", "invalid_value"),
        ]
    );
}

#[test]
fn arbitrary_json_never_panics() {
    let docs = [
        json!(null),
        json!([]),
        json!({"version": 1, "fit_rules": [{"condition": {"all": []}}]}),
        json!({"version": 1, "fit_rules": "x", "grades": 3, "mql": []}),
        json!({"version": -1}),
        json!({"version": 1, "grades": {"fit": [1e308, -1e308, 0], "engagement": [3, 2, 1]}, "mql": {"total_min": 1e300}}),
    ];
    for d in &docs {
        let _ = Scorer::from_json(d);
        let _ = revcore::validate("scoring_model", d, None);
    }
    let scorer = Scorer::from_json(&model_json(&[], &[], None, None)).unwrap();
    let now = t(SAMPLE_NOW);
    for d in &docs {
        let _ = scorer.score_json(d, Some(d), now);
        let _ = scorer.score_batch_json(d, Some(d), now);
        let _ = scorer.score_batch_str(&d.to_string(), Some("[1"), now);
    }
}

// ---------------------------------------------------------------------------------------------
// Properties.

const KINDS: [&str; 4] = ["demo_request", "email_open", "page_view", "unsubscribe"];

fn model_json(
    fit: &[Value],
    engagement: &[Value],
    fit_cap: Option<f64>,
    eng_cap: Option<f64>,
) -> Value {
    let mut caps = serde_json::Map::new();
    if let Some(c) = fit_cap {
        caps.insert("fit".into(), json!(c));
    }
    if let Some(c) = eng_cap {
        caps.insert("engagement".into(), json!(c));
    }
    json!({
        "version": 1,
        "fit_rules": fit,
        "engagement_rules": engagement,
        "negative_rules": [
            {"id": "free", "label": "Free", "condition": {"field": "email", "free_mail": true}, "points": -7.5},
            {"id": "unsub", "label": "Unsub", "event": "unsubscribe", "points": -12.25, "cap": 20, "half_life_days": 9}
        ],
        "groups": [{"id": "f1", "cap": 17.5}, {"id": "f2", "cap": 40}, {"id": "e1", "cap": 22.25}, {"id": "e2", "cap": 9}],
        "caps": caps,
        "grades": {"fit": [40, 20, 10], "engagement": [30, 15, 5]},
        "mql": {"fit_min": 20, "engagement_min": 10}
    })
}

/// Points with at most two decimals, from 0.01 to 50.
fn points() -> impl Strategy<Value = f64> {
    (1u32..=5000).prop_map(|c| f64::from(c) / 100.0)
}

fn fit_rule() -> impl Strategy<Value = (u32, f64, Option<&'static str>)> {
    (
        0u32..4,
        points(),
        prop::option::of(prop::sample::select(vec!["f1", "f2"])),
    )
}

/// (event kind, points, cap, half-life, lookback, group) of an engagement rule.
type EngagementSpec = (
    usize,
    f64,
    Option<f64>,
    Option<f64>,
    Option<f64>,
    Option<&'static str>,
);

fn engagement_rule() -> impl Strategy<Value = EngagementSpec> {
    (
        0usize..3,
        points(),
        prop::option::of(points()),
        prop::option::of(0.25f64..60.0),
        prop::option::of(1.0f64..90.0),
        prop::option::of(prop::sample::select(vec!["e1", "e2"])),
    )
}

fn build(
    fit: &[(u32, f64, Option<&str>)],
    engagement: &[EngagementSpec],
    fit_cap: Option<f64>,
    eng_cap: Option<f64>,
) -> Value {
    let fields = ["country", "employees", "title", "email"];
    let fit: Vec<Value> = fit
        .iter()
        .enumerate()
        .map(|(i, (f, p, g))| {
            let mut r = json!({"id": format!("f{i}"), "label": "F",
                "condition": {"field": fields[*f as usize], "exists": true}, "points": p});
            if let Some(g) = g {
                r["group"] = json!(g);
            }
            r
        })
        .collect();
    let engagement: Vec<Value> = engagement
        .iter()
        .enumerate()
        .map(|(i, (k, p, cap, hl, lb, g))| {
            let mut r =
                json!({"id": format!("e{i}"), "label": "E", "event": KINDS[*k], "points": p});
            if let Some(c) = cap {
                r["cap"] = json!(c);
            }
            if let Some(h) = hl {
                r["half_life_days"] = json!(h);
            }
            if let Some(l) = lb {
                r["lookback_days"] = json!(l);
            }
            if let Some(g) = g {
                r["group"] = json!(g);
            }
            r
        })
        .collect();
    model_json(&fit, &engagement, fit_cap, eng_cap)
}

fn lead_json(id: &str, mask: u8) -> Value {
    let mut l = json!({"id": id, "created_at": "2026-01-01T00:00:00Z"});
    if mask & 1 != 0 {
        l["country"] = json!("US");
    }
    if mask & 2 != 0 {
        l["employees"] = json!(250);
    }
    if mask & 4 != 0 {
        l["title"] = json!("VP Sales");
    }
    if mask & 8 != 0 {
        l["email"] = json!("someone@gmail.com");
    }
    l
}

/// (lead index 0..3, kind, age in minutes; negative ages are in the future).
fn events() -> impl Strategy<Value = Vec<(usize, usize, i64)>> {
    prop::collection::vec((0usize..3, 0usize..KINDS.len(), -600i64..200_000), 0..25)
}

fn events_json(events: &[(usize, usize, i64)], now: DateTime<Utc>) -> Vec<EngagementEvent> {
    events
        .iter()
        .map(|(l, k, age)| {
            let at = now - Duration::minutes(*age);
            serde_json::from_value(json!({"lead_id": format!("L-{l}"), "kind": KINDS[*k],
                "at": at.to_rfc3339(), "url": if age % 2 == 0 { "/pricing" } else { "/" }}))
            .unwrap()
        })
        .collect()
}

fn check_invariants(model: &ScoringModel, s: &Score<'_>, given: usize) {
    let caps: HashMap<&str, f64> = model
        .groups
        .iter()
        .map(|g| (g.id.as_str(), g.cap))
        .collect();
    let mut groups: HashMap<&str, f64> = HashMap::new();
    let (mut fit_pos, mut eng_pos, mut fit, mut eng) = (0.0, 0.0, 0.0, 0.0);
    for c in &s.contributions {
        assert_eq!(round2(c.points), c.points, "{c:?} is on the 0.01 grid");
        if let Some(g) = c.rule.group.as_deref() {
            *groups.entry(g).or_default() += c.points;
        }
        let positive =
            c.points >= 0.0 && !c.rule.id.starts_with("free") && !c.rule.id.starts_with("unsub");
        match c.rule.side {
            Side::Fit => {
                fit += c.points;
                if positive {
                    fit_pos += c.points;
                }
            }
            Side::Engagement => {
                eng += c.points;
                if positive {
                    eng_pos += c.points;
                }
            }
        }
        if let Some(rule) = model.engagement_rules.iter().find(|r| *r.id == *c.rule.id) {
            if let Some(cap) = rule.cap {
                assert!(c.points <= cap, "{c:?} over its rule cap {cap}");
            }
        }
        if &*c.rule.id == "unsub" {
            assert!(c.points >= -20.0 && c.points <= 0.0);
        }
    }
    for (g, sum) in &groups {
        assert!(round2(*sum) <= caps[g], "group {g}: {sum} over {}", caps[g]);
    }
    if let Some(cap) = model.caps.fit {
        assert!(round2(fit_pos) <= cap && s.fit <= cap);
    }
    if let Some(cap) = model.caps.engagement {
        assert!(round2(eng_pos) <= cap && s.engagement <= cap);
    }
    assert_eq!(round2(fit), s.fit, "fit contributions add up");
    assert_eq!(round2(eng), s.engagement, "engagement contributions add up");
    assert_eq!(round2(s.fit + s.engagement), s.total);
    let e = s.events;
    assert_eq!(
        (e.counted + e.future + e.outside_lookback + e.unscored + e.other_lead) as usize,
        given
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn caps_are_never_exceeded_and_contributions_add_up(
        fit in prop::collection::vec(fit_rule(), 0..6),
        engagement in prop::collection::vec(engagement_rule(), 0..6),
        fit_cap in prop::option::of(points()),
        eng_cap in prop::option::of(points()),
        masks in prop::collection::vec(0u8..16, 3),
        evs in events(),
    ) {
        let now = t(SAMPLE_NOW);
        let doc = build(&fit, &engagement, fit_cap, eng_cap);
        let model: ScoringModel = serde_json::from_value(doc.clone()).unwrap();
        let scorer = Scorer::new(model.clone()).unwrap();
        let leads: Vec<Lead> = masks
            .iter()
            .enumerate()
            .map(|(i, m)| serde_json::from_value(lead_json(&format!("L-{i}"), *m)).unwrap())
            .collect();
        let events = events_json(&evs, now);
        let batch = scorer.score_batch(&leads, &events, now);
        for (lead, s) in leads.iter().zip(&batch) {
            check_invariants(&model, s, events.len());
            prop_assert_eq!(&scorer.score(lead, &events, now), s);
        }
    }

    #[test]
    fn decay_never_grows_with_age(
        points in points(),
        half_life in 0.1f64..400.0,
        a in 0i64..10_000_000,
        b in 0i64..10_000_000,
    ) {
        let now = t(SAMPLE_NOW);
        let doc = build(&[], &[(0, points, None, Some(half_life), None, None)], None, None);
        let scorer = Scorer::from_json(&doc).unwrap();
        let lead: Lead = serde_json::from_value(lead_json("L-0", 0)).unwrap();
        let worth = |age_seconds: i64| {
            let events = events_json(&[], now);
            let mut events = events;
            events.push(serde_json::from_value(json!({"lead_id": "L-0", "kind": KINDS[0],
                "at": (now - Duration::seconds(age_seconds)).to_rfc3339()})).unwrap());
            scorer.score(&lead, &events, now).engagement
        };
        let (young, old) = (a.min(b), a.max(b));
        prop_assert!(worth(young) >= worth(old));
        prop_assert!(worth(young) <= points);
        prop_assert!(worth(old) >= 0.0);
    }
}
