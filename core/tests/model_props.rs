//! Property tests of the domain model: every type survives a JSON round trip unchanged, and
//! checking arbitrary JSON as any kind never panics.

use proptest::prelude::*;
use revcore::model::*;
use revcore::sample::{generate, SampleOptions};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

fn round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(x: &T) {
    let text = serde_json::to_string(x).unwrap();
    let back: T = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    assert_eq!(&back, x, "{text}");
}

fn all_round_trip(seed: u64, n: usize) {
    let w = generate(&SampleOptions {
        seed,
        reps: n,
        accounts: n,
        contacts: n,
        leads: n,
        opportunities: n,
        content: n,
        content_events: n,
        ..SampleOptions::default()
    });
    w.reps.iter().for_each(round_trip);
    w.teams.iter().for_each(round_trip);
    w.territories.iter().for_each(round_trip);
    w.accounts.iter().for_each(round_trip);
    w.contacts.iter().for_each(round_trip);
    w.leads.iter().for_each(round_trip);
    w.opportunities.iter().for_each(round_trip);
    w.content.iter().for_each(round_trip);
    w.events.iter().for_each(round_trip);
    w.content_events.iter().for_each(round_trip);
    round_trip(&w.pipeline);
    round_trip(&w);
}

fn currency() -> impl Strategy<Value = Currency> {
    prop::sample::select(vec![
        "USD", "EUR", "JPY", "GBP", "KWD", "CHF", "INR", "BHD", "CLP",
    ])
    .prop_map(|c| Currency::from_code(c).unwrap())
}

/// Arbitrary JSON, including deep-ish nesting and awkward strings.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,12}".prop_map(Value::String),
        prop::sample::select(vec![
            "2026-03-02T14:05:00Z",
            "2026-03-02",
            "USD",
            "won",
            "mon",
            "09:00",
            "a@b.co",
            "",
        ])
        .prop_map(|s| Value::String(s.into())),
    ];
    leaf.prop_recursive(6, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop::sample::select(vec![
                    "id",
                    "name",
                    "email",
                    "created_at",
                    "stage",
                    "amount",
                    "currency",
                    "stages",
                    "key",
                    "kind",
                    "probability",
                    "forecast_category",
                    "time_zone",
                    "role",
                    "working_hours",
                    "days",
                    "start",
                    "end",
                    "field",
                    "in",
                    "all",
                    "any",
                    "not",
                    "attributes",
                    "title",
                    "type",
                    "lead_id",
                    "asset_id",
                    "at",
                    "reps",
                    "x",
                ])
                .prop_map(String::from),
                inner,
                0..8
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn sample_records_round_trip(seed in any::<u64>(), n in 0usize..12) {
        all_round_trip(seed, n);
    }

    #[test]
    fn money_round_trips_exactly(minor in -MAX_MINOR_UNITS..=MAX_MINOR_UNITS, c in currency()) {
        let m = Money::from_minor(minor, c).unwrap();
        round_trip(&m);
        let text = serde_json::to_string(&m).unwrap();
        let back: Money = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(back.minor_units(), minor);
    }

    #[test]
    fn validation_never_panics(v in json_value()) {
        for kind in revcore::Kind::ALL {
            let _ = revcore::validate(kind.name(), &v, None);
            let _ = revcore::normalize(kind.name(), &v, Some(&v));
        }
        let _ = revcore::classify_stage("won", Some(&v));
        let _ = revcore::sample::generate_json(&v);
    }

    #[test]
    fn normalize_is_idempotent(seed in any::<u64>()) {
        let w = serde_json::to_value(generate(&SampleOptions { seed, leads: 5, opportunities: 5, ..SampleOptions::default() })).unwrap();
        for (kind, key) in [("leads", "leads"), ("opportunities", "opportunities"), ("reps", "reps"), ("accounts", "accounts")] {
            let once = revcore::normalize(kind, &w[key], None).unwrap();
            let twice = revcore::normalize(kind, &once, None).unwrap();
            prop_assert_eq!(once, twice);
        }
    }
}

#[test]
fn lead_with_attributes_round_trips() {
    let lead: Lead = serde_json::from_value(serde_json::json!({
        "id": "L1", "created_at": "2026-01-05T10:00:00.123Z", "x": {"deep": [1, 2.5, null]},
        "annual_revenue": {"amount": "0.07", "currency": "USD"}
    }))
    .unwrap();
    round_trip(&lead);
    assert_eq!(lead.attributes["x"]["deep"][1], serde_json::json!(2.5));
}

#[test]
fn new_lead_is_the_lead_its_minimal_json_reads_as() {
    let created_at = "2026-03-01T09:30:00Z".parse().unwrap();
    let lead = Lead::new(LeadId("L1".into()), created_at);
    let read: Lead =
        serde_json::from_str(r#"{"id": "L1", "created_at": "2026-03-01T09:30:00Z"}"#).unwrap();
    assert_eq!(lead, read);
    round_trip(&lead);
}
