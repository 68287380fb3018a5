//! Properties of the condition language: evaluation agrees with a small reference evaluator
//! written independently from the spec, the canonical form round-trips, parsing never panics
//! (whatever the JSON, however deep), and `explain` agrees with `matches`.

use proptest::prelude::*;
use revcore::condition::Limits;
use revcore::Condition;
use serde_json::{json, Map, Value};

const FIELDS: &[&str] = &["n", "s", "l", "b", "m"];

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------------------------
// Generators

fn text() -> impl Strategy<Value = String> {
    // Few letters in both cases (and a non-ASCII pair), so equality and substrings happen often.
    proptest::collection::vec(
        prop::sample::select(vec!['a', 'A', 'b', 'B', 'é', 'É']),
        0..4,
    )
    .prop_map(|cs| cs.into_iter().collect())
}

fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        (-4i64..5).prop_map(Value::from),
        (-4.0f64..4.0).prop_map(|f| json!((f * 2.0).round() / 2.0))
    ]
}

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        number(),
        text().prop_map(Value::from),
        any::<bool>().prop_map(Value::from)
    ]
}

/// A field value of a record: scalars, null, lists of scalars, now and then a nested list or an
/// object (which compare with nothing).
fn field_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => scalar(),
        1 => Just(Value::Null),
        2 => proptest::collection::vec(scalar(), 0..4).prop_map(Value::from),
        1 => proptest::collection::vec(proptest::collection::vec(scalar(), 0..2).prop_map(Value::from), 0..2)
            .prop_map(Value::from),
        1 => Just(json!({"k": "a"})),
    ]
}

fn record() -> impl Strategy<Value = Value> {
    proptest::collection::vec(proptest::option::of(field_value()), FIELDS.len()).prop_map(
        |values| {
            let mut map = Map::new();
            for (name, value) in FIELDS.iter().zip(values) {
                if let Some(v) = value {
                    map.insert((*name).to_string(), v);
                }
            }
            Value::Object(map)
        },
    )
}

fn leaf() -> impl Strategy<Value = Value> {
    let field = prop::sample::select(FIELDS.to_vec());
    let op = prop_oneof![
        scalar().prop_map(|v| ("eq", v)),
        scalar().prop_map(|v| ("ne", v)),
        proptest::collection::vec(scalar(), 1..5).prop_map(|v| ("in", Value::from(v))),
        proptest::collection::vec(scalar(), 1..12).prop_map(|v| ("not_in", Value::from(v))),
        number().prop_map(|v| ("gt", v)),
        number().prop_map(|v| ("lt", v)),
        any::<bool>().prop_map(|v| ("exists", Value::from(v))),
        text().prop_map(|v| ("contains", Value::from(v))),
    ];
    (field, op, any::<bool>()).prop_map(|(field, (op, operand), case_sensitive)| {
        let mut leaf = json!({"field": field, op: operand});
        if case_sensitive {
            leaf["case_sensitive"] = Value::Bool(true);
        }
        leaf
    })
}

/// Conditions over the reference's operators, nested all/any/not up to depth 4.
fn condition() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(3, 32, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 1..4).prop_map(|c| json!({"all": c})),
            proptest::collection::vec(inner.clone(), 1..4).prop_map(|c| json!({"any": c})),
            inner.prop_map(|c| json!({"not": c})),
        ]
    })
}

/// Leaves of every operator, helpers included (for round trips and explain).
fn any_leaf() -> impl Strategy<Value = Value> {
    let extra = prop_oneof![
        Just(json!({"field": "s", "between": [-1, 2.5]})),
        Just(json!({"field": "s", "gte": "2024-01-01"})),
        Just(json!({"field": "s", "lte": "2024-01-01T10:00:00+01:00"})),
        Just(json!({"field": "s", "between": ["2024-01-01", "2024-12-31"]})),
        text().prop_map(|t| json!({"field": "s", "starts_with": t})),
        text().prop_map(|t| json!({"field": "l", "ends_with": t, "case_sensitive": true})),
        Just(json!({"field": "s", "matches": "(?i)^a+b?$"})),
        Just(json!({"field": "s", "email_domain": ["acme.com", "https://www.b.io/x"]})),
        any::<bool>().prop_map(|b| json!({"field": "s", "free_mail": b})),
        Just(json!({"field": "s", "postal_code_range": ["10000", "14999"]})),
        Just(json!({"field": "s", "postal_code_range": ["AB", "BA"]})),
    ];
    prop_oneof![3 => leaf(), 1 => extra]
}

fn any_condition() -> impl Strategy<Value = Value> {
    any_leaf().prop_recursive(3, 32, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 1..4).prop_map(|c| json!({"all": c})),
            proptest::collection::vec(inner.clone(), 1..4).prop_map(|c| json!({"any": c})),
            inner.prop_map(|c| json!({"not": c})),
        ]
    })
}

/// Any JSON value, deeper than the depth limit at times.
fn arbitrary_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        ".{0,6}".prop_map(Value::from),
    ];
    leaf.prop_recursive(40, 256, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            proptest::collection::btree_map(".{0,4}", inner.clone(), 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// JSON shaped like conditions (the grammar's keys with any values), so that the parser's
/// every branch gets odd input, not only objects with random keys.
fn condition_like_json() -> impl Strategy<Value = Value> {
    let keys = prop::sample::select(vec![
        "all",
        "any",
        "not",
        "field",
        "case_sensitive",
        "eq",
        "ne",
        "in",
        "not_in",
        "gt",
        "gte",
        "lt",
        "lte",
        "between",
        "contains",
        "starts_with",
        "ends_with",
        "matches",
        "exists",
        "email_domain",
        "free_mail",
        "postal_code_range",
        "bogus",
    ]);
    let leaf = prop_oneof![
        scalar(),
        Just(Value::Null),
        Just(json!([])),
        Just(json!("2024-02-30")),
        Just(json!("(unclosed")),
        Just(json!(["10000", "9"])),
        proptest::collection::vec(scalar(), 0..4).prop_map(Value::from),
    ];
    leaf.prop_recursive(40, 200, 5, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            proptest::collection::vec((keys.clone(), inner), 0..4).prop_map(|kvs| {
                Value::Object(kvs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
            }),
        ]
    })
}

// ---------------------------------------------------------------------------------------------
// The reference evaluator: straight from the module's documented semantics, on raw JSON.

fn lower(s: &str) -> String {
    s.to_lowercase()
}

fn same_type(a: &Value, b: &Value) -> bool {
    matches!(
        (a, b),
        (Value::String(_), Value::String(_))
            | (Value::Number(_), Value::Number(_))
            | (Value::Bool(_), Value::Bool(_))
    )
}

fn scalar_eq(value: &Value, operand: &Value, case_sensitive: bool) -> bool {
    match (value, operand) {
        (Value::String(a), Value::String(b)) => {
            if case_sensitive {
                a == b
            } else {
                lower(a) == lower(b)
            }
        }
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        (Value::Bool(a), Value::Bool(b)) => a == b,
        _ => false,
    }
}

fn reference(spec: &Value, record: &Value) -> bool {
    if let Some(children) = spec.get("all") {
        return children
            .as_array()
            .unwrap()
            .iter()
            .all(|c| reference(c, record));
    }
    if let Some(children) = spec.get("any") {
        return children
            .as_array()
            .unwrap()
            .iter()
            .any(|c| reference(c, record));
    }
    if let Some(child) = spec.get("not") {
        return !reference(child, record);
    }
    let field = spec["field"].as_str().unwrap();
    let case_sensitive = spec.get("case_sensitive") == Some(&Value::Bool(true));
    let value = record.get(field).filter(|v| !v.is_null());
    if let Some(want) = spec.get("exists") {
        return value.is_some() == want.as_bool().unwrap();
    }
    let Some(value) = value else {
        return false;
    };
    // A list is tested element by element; anything else is a list of one.
    let (elements, is_list): (Vec<&Value>, bool) = match value {
        Value::Array(items) => (items.iter().collect(), true),
        other => (vec![other], false),
    };
    if let Some(needle) = spec.get("contains") {
        let needle = needle.as_str().unwrap();
        return if is_list {
            elements
                .iter()
                .any(|e| scalar_eq(e, &json!(needle), case_sensitive))
        } else {
            match value {
                Value::String(s) if case_sensitive => s.contains(needle),
                Value::String(s) => lower(s).contains(&lower(needle)),
                _ => false,
            }
        };
    }
    if let Some(operand) = spec.get("eq") {
        return elements
            .iter()
            .any(|e| scalar_eq(e, operand, case_sensitive));
    }
    if let Some(operand) = spec.get("in") {
        let list = operand.as_array().unwrap();
        return elements
            .iter()
            .any(|e| list.iter().any(|o| scalar_eq(e, o, case_sensitive)));
    }
    if let Some(operand) = spec.get("ne") {
        let comparable = elements.is_empty() || elements.iter().any(|e| same_type(e, operand));
        return comparable
            && !elements
                .iter()
                .any(|e| scalar_eq(e, operand, case_sensitive));
    }
    if let Some(operand) = spec.get("not_in") {
        let list = operand.as_array().unwrap();
        let comparable = elements.is_empty()
            || elements
                .iter()
                .any(|e| list.iter().any(|o| same_type(e, o)));
        return comparable
            && !elements
                .iter()
                .any(|e| list.iter().any(|o| scalar_eq(e, o, case_sensitive)));
    }
    let number = |e: &&Value| match e {
        Value::Number(n) => n.as_f64(),
        _ => None,
    };
    if let Some(operand) = spec.get("gt") {
        let bound = operand.as_f64().unwrap();
        return elements.iter().filter_map(number).any(|x| x > bound);
    }
    if let Some(operand) = spec.get("lt") {
        let bound = operand.as_f64().unwrap();
        return elements.iter().filter_map(number).any(|x| x < bound);
    }
    panic!("reference does not know {spec}")
}

// ---------------------------------------------------------------------------------------------
// Properties

proptest! {
    #![proptest_config(config())]

    #[test]
    fn evaluation_agrees_with_the_reference(spec in condition(), records in proptest::collection::vec(record(), 1..6)) {
        let c = Condition::parse(&spec).unwrap();
        for r in &records {
            prop_assert_eq!(c.matches(r), reference(&spec, r), "spec {} record {}", spec, r);
        }
    }

    #[test]
    fn canonical_form_round_trips(spec in any_condition()) {
        let c = Condition::parse(&spec).unwrap();
        let canonical = c.to_json();
        let again = Condition::parse(&canonical).unwrap();
        prop_assert_eq!(&again, &c);
        prop_assert_eq!(again.to_json(), canonical);
        let via_serde: Condition = serde_json::from_str(&serde_json::to_string(&c).unwrap()).unwrap();
        prop_assert_eq!(via_serde, c);
    }

    #[test]
    fn explain_agrees_with_matches(spec in any_condition(), records in proptest::collection::vec(record(), 1..6)) {
        let c = Condition::parse(&spec).unwrap();
        for r in &records {
            let e = c.explain(r);
            prop_assert_eq!(e.matched, c.matches(r));
            let shown = serde_json::to_value(&e).unwrap();
            prop_assert_eq!(&shown["matched"], &Value::Bool(e.matched));
            prop_assert_eq!(&shown["node"]["result"], &Value::Bool(e.matched));
        }
    }

    #[test]
    fn parse_never_panics_on_any_json(v in arbitrary_json()) {
        check_parse_outcome(&v);
    }

    #[test]
    fn parse_never_panics_on_condition_like_json(v in condition_like_json()) {
        check_parse_outcome(&v);
    }

    #[test]
    fn depth_is_limited_whatever_the_composite(kinds in proptest::collection::vec(0u8..3, 0..80)) {
        let mut spec = json!({"field": "a", "exists": true});
        for kind in &kinds {
            let mut map = Map::new();
            match kind {
                0 => map.insert("not".into(), spec),
                1 => map.insert("all".into(), Value::Array(vec![spec])),
                _ => map.insert("any".into(), Value::Array(vec![spec])),
            };
            spec = Value::Object(map);
        }
        let depth = kinds.len() + 1;
        match Condition::parse(&spec) {
            Ok(_) => prop_assert!(depth <= Limits::MAX_DEPTH),
            Err(e) => {
                prop_assert!(depth > Limits::MAX_DEPTH);
                prop_assert_eq!(e.problems().len(), 1);
                prop_assert_eq!(e.problems()[0].code.as_str(), "too_deep");
            }
        }
    }
}

/// Ok, or an `invalid_config` error whose problems all carry a known code; an accepted
/// document round-trips.
fn check_parse_outcome(v: &Value) {
    const CODES: &[&str] = &[
        "invalid_type",
        "unknown_operator",
        "missing_operator",
        "multiple_operators",
        "missing_field",
        "empty",
        "invalid_regex",
        "regex_too_large",
        "too_deep",
        "too_large",
        "invalid_range",
        "invalid_date",
    ];
    match Condition::parse(v) {
        Ok(c) => assert_eq!(Condition::parse(&c.to_json()).unwrap(), c),
        Err(e) => {
            assert_eq!(e.code(), "invalid_config");
            assert!(!e.problems().is_empty());
            for p in e.problems() {
                assert!(CODES.contains(&p.code.as_str()), "unexpected code {p}");
            }
        }
    }
}
