use super::*;
use chrono::TimeZone;
use serde_json::json;

fn cond(spec: Value) -> Condition {
    Condition::parse(&spec).unwrap_or_else(|e| panic!("{spec} should parse: {e}"))
}

fn check(spec: Value, record: Value) -> bool {
    let c = cond(spec);
    let matched = c.matches(&record);
    assert_eq!(c.explain(&record).matched, matched, "explain disagrees");
    matched
}

/// The single leaf's explanation (the spec must be a leaf).
fn leaf(spec: Value, record: &dyn Record) -> LeafExplanation {
    match cond(spec).explain(record).node {
        ExplainNode::Leaf(l) => l,
        other => panic!("not a leaf: {other:?}"),
    }
}

/// The (path, code) of every problem.
fn problems(spec: Value) -> Vec<(String, String)> {
    problems_with(spec, &Limits::DEFAULT)
}

fn problems_with(spec: Value, limits: &Limits) -> Vec<(String, String)> {
    match Condition::parse_with_limits(&spec, limits) {
        Err(Error::InvalidConfig(ps)) => ps.into_iter().map(|p| (p.path, p.code)).collect(),
        Err(other) => panic!("wrong error kind: {other:?}"),
        Ok(c) => panic!("{spec} should not parse: {c:?}"),
    }
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(p, c)| (p.to_string(), c.to_string()))
        .collect()
}

/// A typed record, the way model types implement `Record`.
struct Rep {
    skills: Vec<&'static str>,
    hired: NaiveDate,
    last_seen: DateTime<Utc>,
    quota: f64,
    attributes: Value,
}

impl Record for Rep {
    fn field(&self, path: &str) -> Option<FieldValue<'_>> {
        Some(match path {
            "skills" => FieldValue::List(self.skills.iter().map(|s| FieldValue::Text(s)).collect()),
            "hired" => FieldValue::Date(self.hired),
            "last_seen" => FieldValue::Timestamp(self.last_seen),
            "quota" => FieldValue::Number(self.quota),
            p => FieldValue::Json(self.attributes.get(p.strip_prefix("attributes.")?)?),
        })
    }
}

fn rep() -> Rep {
    Rep {
        skills: vec!["Spanish", "Enterprise", "Healthcare"],
        hired: NaiveDate::from_ymd_opt(2023, 3, 15).unwrap(),
        last_seen: Utc.with_ymd_and_hms(2024, 6, 30, 22, 15, 0).unwrap(),
        quota: 250_000.0,
        attributes: json!({"region": "EMEA", "langs": ["de", "fr"], "tier": 2, "meta": {"a": 1}, "none": null}),
    }
}

// ---------------------------------------------------------------------------------------------
// Operators

#[test]
fn eq_ignores_case_unless_asked() {
    let r = json!({"country": "US", "city": "MÜNCHEN"});
    assert!(check(json!({"field": "country", "eq": "us"}), r.clone()));
    assert!(check(json!({"field": "city", "eq": "münchen"}), r.clone()));
    assert!(!check(json!({"field": "country", "eq": "U"}), r.clone()));
    assert!(!check(
        json!({"field": "country", "eq": "us", "case_sensitive": true}),
        r.clone()
    ));
    assert!(check(
        json!({"field": "country", "eq": "US", "case_sensitive": true}),
        r.clone()
    ));
    assert!(check(
        json!({"field": "country", "eq": "US", "case_sensitive": false}),
        r
    ));
}

#[test]
fn eq_never_coerces_types() {
    let r = json!({"n": 5, "s": "5", "b": true, "f": 5.0});
    assert!(check(json!({"field": "n", "eq": 5}), r.clone()));
    assert!(check(json!({"field": "f", "eq": 5}), r.clone()));
    assert!(check(json!({"field": "n", "eq": 5.0}), r.clone()));
    assert!(check(json!({"field": "b", "eq": true}), r.clone()));
    assert!(!check(json!({"field": "b", "eq": false}), r.clone()));
    for (field, operand) in [
        ("s", json!(5)),
        ("n", json!("5")),
        ("b", json!("true")),
        ("n", json!(true)),
    ] {
        let l = leaf(json!({"field": field, "eq": operand}), &r);
        assert!(!l.result);
        assert_eq!(l.reason, Some(Reason::TypeMismatch), "{field} eq {operand}");
    }
}

#[test]
fn missing_fields_fail_every_leaf_but_exists_false() {
    let r = json!({"present": "x", "null_field": null});
    for field in ["absent", "null_field", "present.deeper"] {
        for (op, operand) in [
            ("eq", json!("x")),
            ("ne", json!("x")),
            ("in", json!(["x"])),
            ("not_in", json!(["x"])),
            ("gt", json!(1)),
            ("between", json!([1, 2])),
            ("contains", json!("x")),
            ("starts_with", json!("x")),
            ("ends_with", json!("x")),
            ("matches", json!("x")),
            ("email_domain", json!(["x.com"])),
            ("free_mail", json!(false)),
            ("postal_code_range", json!(["1", "2"])),
        ] {
            let l = leaf(json!({"field": field, op: operand}), &r);
            assert!(!l.result, "{field} {op}");
            assert_eq!(l.reason, Some(Reason::Missing), "{field} {op}");
            assert_eq!(l.actual, Value::Null);
        }
        let l = leaf(json!({"field": field, "exists": false}), &r);
        assert!(l.result && l.reason.is_none());
        let l = leaf(json!({"field": field, "exists": true}), &r);
        assert!(!l.result && l.reason.is_none());
    }
    assert!(check(
        json!({"field": "present", "exists": true}),
        r.clone()
    ));
    assert!(check(
        json!({"field": "absent", "exists": false}),
        r.clone()
    ));
    // "not US, or unknown" is spelled with `not`.
    assert!(check(json!({"not": {"field": "absent", "eq": "US"}}), r));
}

#[test]
fn exists_counts_empty_values_as_present() {
    let r = json!({"s": "", "l": [], "o": {}});
    for field in ["s", "l", "o"] {
        assert!(
            check(json!({"field": field, "exists": true}), r.clone()),
            "{field}"
        );
    }
}

#[test]
fn ne_and_not_in_negate_only_comparable_values() {
    let r = json!({"country": "US", "n": 3});
    assert!(!check(json!({"field": "country", "ne": "us"}), r.clone()));
    assert!(check(json!({"field": "country", "ne": "CA"}), r.clone()));
    assert!(check(
        json!({"field": "country", "ne": "us", "case_sensitive": true}),
        r.clone()
    ));
    assert!(!check(
        json!({"field": "country", "not_in": ["CA", "US"]}),
        r.clone()
    ));
    assert!(check(
        json!({"field": "country", "not_in": ["CA", "MX"]}),
        r.clone()
    ));
    assert!(check(json!({"field": "n", "ne": 4}), r.clone()));
    // A type mismatch is not "not equal".
    let l = leaf(json!({"field": "n", "ne": "3"}), &r);
    assert!(!l.result);
    assert_eq!(l.reason, Some(Reason::TypeMismatch));
    assert!(!check(json!({"field": "country", "not_in": [1, 2]}), r));
}

#[test]
fn in_works_for_short_and_long_lists() {
    let r = json!({"country": "de", "n": 0, "flag": false, "odd": "Ärger"});
    assert!(check(
        json!({"field": "country", "in": ["US", "DE"]}),
        r.clone()
    ));
    assert!(!check(
        json!({"field": "country", "in": ["US", "DE"], "case_sensitive": true}),
        r.clone()
    ));
    let many: Vec<String> = (0..50)
        .map(|i| format!("C{i}"))
        .chain(["DE".into(), "ärger".into()])
        .collect();
    assert!(check(json!({"field": "country", "in": many}), r.clone()));
    assert!(check(json!({"field": "odd", "in": many}), r.clone()));
    assert!(!check(
        json!({"field": "country", "in": many, "case_sensitive": true}),
        r.clone()
    ));
    assert!(check(
        json!({"field": "country", "not_in": many[..50]}),
        r.clone()
    ));
    // Numbers (-0 equals 0), booleans, mixed lists.
    assert!(check(json!({"field": "n", "in": [-0.0, 7]}), r.clone()));
    assert!(check(
        json!({"field": "n", "in": ["x", 0, true]}),
        r.clone()
    ));
    assert!(check(json!({"field": "flag", "in": [false]}), r.clone()));
    assert!(!check(
        json!({"field": "flag", "in": [true, 1, "false"]}),
        r.clone()
    ));
    let l = leaf(json!({"field": "flag", "in": [1, "false"]}), &r);
    assert_eq!(l.reason, Some(Reason::TypeMismatch));
    let long_numbers: Vec<i32> = (1..=100).collect();
    assert!(!check(json!({"field": "n", "in": long_numbers}), r.clone()));
    assert!(check(json!({"field": "n", "not_in": long_numbers}), r));
}

#[test]
fn ordering_compares_numbers() {
    let r = json!({"employees": 100, "revenue": 1.5e6});
    assert!(check(json!({"field": "employees", "gt": 99}), r.clone()));
    assert!(!check(json!({"field": "employees", "gt": 100}), r.clone()));
    assert!(check(json!({"field": "employees", "gte": 100}), r.clone()));
    assert!(check(json!({"field": "employees", "lt": 100.5}), r.clone()));
    assert!(!check(json!({"field": "employees", "lt": 100}), r.clone()));
    assert!(check(json!({"field": "employees", "lte": 100}), r.clone()));
    assert!(check(
        json!({"field": "employees", "between": [100, 100]}),
        r.clone()
    ));
    assert!(check(
        json!({"field": "revenue", "between": [1e6, 2e6]}),
        r.clone()
    ));
    assert!(!check(
        json!({"field": "revenue", "between": [1, 2]}),
        r.clone()
    ));
    let l = leaf(json!({"field": "employees", "gt": "2024-01-01"}), &r);
    assert_eq!((l.result, l.reason), (false, Some(Reason::TypeMismatch)));
    let text = json!({"employees": "500"});
    let l = leaf(json!({"field": "employees", "gt": 1}), &text);
    assert_eq!((l.result, l.reason), (false, Some(Reason::TypeMismatch)));
}

#[test]
fn ordering_compares_dates_timestamps_and_date_text() {
    let r = rep();
    // Date field against date operands.
    assert!(check_rec(json!({"field": "hired", "gt": "2023-03-14"}), &r));
    assert!(!check_rec(
        json!({"field": "hired", "gt": "2023-03-15"}),
        &r
    ));
    assert!(check_rec(
        json!({"field": "hired", "between": ["2023-01-01", "2023-12-31"]}),
        &r
    ));
    // A timestamp against a date compares its UTC date (22:15 UTC on the 30th).
    assert!(check_rec(
        json!({"field": "last_seen", "lte": "2024-06-30"}),
        &r
    ));
    assert!(check_rec(
        json!({"field": "last_seen", "gte": "2024-06-30"}),
        &r
    ));
    assert!(!check_rec(
        json!({"field": "last_seen", "gt": "2024-06-30"}),
        &r
    ));
    // Timestamps against timestamps compare instants, whatever the offset.
    assert!(check_rec(
        json!({"field": "last_seen", "gt": "2024-06-30T22:00:00Z"}),
        &r
    ));
    assert!(check_rec(
        json!({"field": "last_seen", "lt": "2024-07-01T00:30:00+02:00"}),
        &r
    ));
    assert!(!check_rec(
        json!({"field": "last_seen", "lt": "2024-07-01T00:15:00+02:00"}),
        &r
    ));
    // A date against a timestamp operand compares dates.
    assert!(check_rec(
        json!({"field": "hired", "gte": "2023-03-15T23:59:59Z"}),
        &r
    ));
    // Text holding a date or timestamp reads as one.
    let j = json!({"closed": "2024-02-10", "seen": "2024-02-10T08:00:00Z", "junk": "soon"});
    assert!(check(
        json!({"field": "closed", "gt": "2024-02-01"}),
        j.clone()
    ));
    assert!(check(
        json!({"field": "seen", "between": ["2024-02-10", "2024-02-10"]}),
        j.clone()
    ));
    assert!(check(
        json!({"field": "seen", "lt": "2024-02-10T09:00:00Z"}),
        j.clone()
    ));
    let l = leaf(json!({"field": "junk", "gt": "2024-02-01"}), &j);
    assert_eq!((l.result, l.reason), (false, Some(Reason::TypeMismatch)));
    // A number operand against a date is a mismatch.
    let l = leaf(json!({"field": "hired", "gt": 5}), &r);
    assert_eq!(l.reason, Some(Reason::TypeMismatch));
    assert_eq!(l.actual, json!("2023-03-15"));
    let l = leaf(json!({"field": "last_seen", "exists": true}), &r);
    assert_eq!(l.actual, json!("2024-06-30T22:15:00Z"));
}

fn check_rec(spec: Value, r: &Rep) -> bool {
    let c = cond(spec);
    let m = c.matches(r);
    assert_eq!(c.explain(r).matched, m);
    m
}

#[test]
fn eq_and_in_read_date_strings_against_date_fields() {
    let r = rep();
    assert!(check_rec(json!({"field": "hired", "eq": "2023-03-15"}), &r));
    assert!(check_rec(
        json!({"field": "last_seen", "eq": "2024-06-30"}),
        &r
    ));
    assert!(check_rec(
        json!({"field": "hired", "in": ["2020-01-01", "2023-03-15"]}),
        &r
    ));
    assert!(check_rec(json!({"field": "hired", "ne": "2020-01-01"}), &r));
    let l = leaf(json!({"field": "hired", "eq": "March"}), &r);
    assert_eq!(l.reason, Some(Reason::TypeMismatch));
}

#[test]
fn string_ops_respect_case_mode() {
    let r = json!({"company": "ACME Holdings GmbH", "title": "Größter Käufer"});
    assert!(check(
        json!({"field": "company", "contains": "holdings"}),
        r.clone()
    ));
    assert!(!check(
        json!({"field": "company", "contains": "holdings", "case_sensitive": true}),
        r.clone()
    ));
    assert!(check(
        json!({"field": "company", "contains": "Holdings", "case_sensitive": true}),
        r.clone()
    ));
    assert!(check(
        json!({"field": "company", "starts_with": "acme"}),
        r.clone()
    ));
    assert!(!check(
        json!({"field": "company", "starts_with": "holdings"}),
        r.clone()
    ));
    assert!(check(
        json!({"field": "company", "ends_with": "gmbh"}),
        r.clone()
    ));
    assert!(!check(
        json!({"field": "company", "ends_with": "gmbh", "case_sensitive": true}),
        r.clone()
    ));
    assert!(check(
        json!({"field": "title", "contains": "KÄUFER"}),
        r.clone()
    ));
    assert!(check(
        json!({"field": "title", "starts_with": "GRÖ"}),
        r.clone()
    ));
    assert!(check(
        json!({"field": "title", "ends_with": "FER"}),
        r.clone()
    ));
    assert!(check(
        json!({"field": "company", "contains": ""}),
        r.clone()
    ));
    let l = leaf(json!({"field": "n", "contains": "1"}), &json!({"n": 10}));
    assert_eq!(l.reason, Some(Reason::TypeMismatch));
}

#[test]
fn matches_is_an_unanchored_regex_search() {
    let r = json!({"title": "VP of Sales, EMEA", "phone": "+49 30 1234"});
    assert!(check(
        json!({"field": "title", "matches": "VP|Director"}),
        r.clone()
    ));
    assert!(!check(
        json!({"field": "title", "matches": "^Sales"}),
        r.clone()
    ));
    assert!(!check(
        json!({"field": "title", "matches": "vp"}),
        r.clone()
    ));
    assert!(check(
        json!({"field": "title", "matches": "(?i)vp"}),
        r.clone()
    ));
    // case_sensitive does not apply to regexes.
    assert!(!check(
        json!({"field": "title", "matches": "vp", "case_sensitive": false}),
        r.clone()
    ));
    assert!(check(json!({"field": "phone", "matches": r"^\+49\b"}), r));
}

#[test]
fn lists_match_on_any_element_and_contains_tests_membership() {
    let r = rep();
    assert!(check_rec(json!({"field": "skills", "eq": "spanish"}), &r));
    assert!(check_rec(
        json!({"field": "skills", "in": ["French", "Healthcare"]}),
        &r
    ));
    assert!(!check_rec(json!({"field": "skills", "in": ["French"]}), &r));
    assert!(check_rec(
        json!({"field": "skills", "contains": "enterprise"}),
        &r
    ));
    // Membership, not substring.
    assert!(!check_rec(
        json!({"field": "skills", "contains": "Enter"}),
        &r
    ));
    assert!(!check_rec(
        json!({"field": "skills", "contains": "enterprise", "case_sensitive": true}),
        &r
    ));
    assert!(check_rec(
        json!({"field": "skills", "starts_with": "health"}),
        &r
    ));
    assert!(!check_rec(json!({"field": "skills", "ne": "Spanish"}), &r));
    assert!(check_rec(json!({"field": "skills", "ne": "French"}), &r));
    assert!(!check_rec(
        json!({"field": "skills", "not_in": ["French", "Spanish"]}),
        &r
    ));
    // JSON arrays behave the same; nested lists and objects compare with nothing.
    let j = json!({"tags": ["a", 2, ["b"], {"c": 1}, null], "empty": [], "deep": [["x"]]});
    assert!(check(json!({"field": "tags", "eq": 2}), j.clone()));
    assert!(check(json!({"field": "tags", "contains": "A"}), j.clone()));
    assert!(!check(json!({"field": "tags", "eq": "b"}), j.clone()));
    assert!(check(json!({"field": "tags", "gt": 1}), j.clone()));
    assert!(!check(json!({"field": "empty", "eq": "a"}), j.clone()));
    assert!(check(json!({"field": "empty", "ne": "a"}), j.clone()));
    assert!(check(json!({"field": "empty", "not_in": ["a"]}), j.clone()));
    let l = leaf(json!({"field": "deep", "eq": "x"}), &j);
    assert_eq!((l.result, l.reason), (false, Some(Reason::TypeMismatch)));
    assert_eq!(l.actual, json!([["x"]]));
    assert_eq!(
        leaf(json!({"field": "skills", "eq": 1}), &r).reason,
        Some(Reason::TypeMismatch)
    );
}

#[test]
fn json_values_read_as_json() {
    let r = rep();
    assert!(check_rec(
        json!({"field": "attributes.region", "eq": "emea"}),
        &r
    ));
    assert!(check_rec(json!({"field": "attributes.tier", "gte": 2}), &r));
    assert!(check_rec(
        json!({"field": "attributes.langs", "contains": "FR"}),
        &r
    ));
    assert!(check_rec(
        json!({"field": "attributes.none", "exists": false}),
        &r
    ));
    let l = leaf(json!({"field": "attributes.meta", "eq": "x"}), &r);
    assert_eq!((l.result, l.reason), (false, Some(Reason::TypeMismatch)));
    assert_eq!(l.actual, json!({"a": 1}));
    // Nested JSON records walk objects by dotted path.
    let j = json!({"attributes": {"region": "APAC", "size": {"band": "L"}}, "region": "EMEA"});
    assert!(check(
        json!({"field": "attributes.region", "eq": "apac"}),
        j.clone()
    ));
    assert!(check(
        json!({"field": "attributes.size.band", "eq": "l"}),
        j.clone()
    ));
    assert!(!check(
        json!({"field": "attributes.missing", "exists": true}),
        j.clone()
    ));
    assert!(!check(json!({"field": "region.x", "exists": true}), j));
    // A non-object JSON record has no fields.
    assert_eq!(json!([1, 2]).field("0"), None);
    assert_eq!(json!("text").field("x"), None);
}

#[test]
fn nan_never_matches() {
    struct Nan;
    impl Record for Nan {
        fn field(&self, _: &str) -> Option<FieldValue<'_>> {
            Some(FieldValue::Number(f64::NAN))
        }
    }
    for spec in [
        json!({"field": "x", "eq": 1}),
        json!({"field": "x", "ne": 1}),
        json!({"field": "x", "in": [1, 2]}),
        json!({"field": "x", "not_in": [1, 2]}),
        json!({"field": "x", "gt": 1}),
        json!({"field": "x", "lte": 1}),
        json!({"field": "x", "between": [-1e300, 1e300]}),
    ] {
        let c = cond(spec.clone());
        assert!(!c.matches(&Nan), "{spec}");
        let e = c.explain(&Nan);
        assert!(!e.matched);
        let ExplainNode::Leaf(l) = e.node else {
            panic!()
        };
        assert_eq!(l.reason, Some(Reason::TypeMismatch));
        assert_eq!(l.actual, Value::Null);
    }
    assert!(cond(json!({"field": "x", "exists": true})).matches(&Nan));
}

#[test]
fn email_domain_matches_domains_and_subdomains() {
    let spec = json!({"field": "email", "email_domain": ["acme.com", "Initech.IO"]});
    for (value, want) in [
        ("ann@acme.com", true),
        ("ann@EU.Acme.com", true),
        ("bob@initech.io", true),
        ("https://www.acme.com/contact", true),
        ("acme.com", true),
        ("www.sales.acme.com:443", true),
        ("ann@notacme.com", false),
        ("ann@acme.com.evil.io", false),
        ("ann@gmail.com", false),
    ] {
        assert_eq!(
            check(spec.clone(), json!({"email": value})),
            want,
            "{value}"
        );
    }
    let l = leaf(spec.clone(), &json!({"email": "not an email"}));
    assert_eq!((l.result, l.reason), (false, Some(Reason::TypeMismatch)));
    // Operands may be written as URLs or with `@`; long lists are hashed and give the same answers.
    assert!(check(
        json!({"field": "w", "email_domain": ["https://www.acme.com/", "@initech.io"]}),
        json!({"w": "x@initech.io"})
    ));
    let mut long: Vec<String> = (0..200).map(|i| format!("company{i}.com")).collect();
    long.push("acme.com".into());
    for (value, want) in [
        ("ann@eu.ACME.com", true),
        ("ann@company7.com", true),
        ("x@acme.co", false),
        ("x@com", false),
    ] {
        let long_spec = json!({"field": "email", "email_domain": long});
        assert_eq!(check(long_spec, json!({"email": value})), want, "{value}");
    }
    // Lists of emails match when any does.
    assert!(check(spec, json!({"email": ["x@gmail.com", "y@acme.com"]})));
}

#[test]
fn free_mail_tells_consumer_from_business_domains() {
    let free = json!({"field": "email", "free_mail": true});
    let business = json!({"field": "email", "free_mail": false});
    assert!(check(free.clone(), json!({"email": "Ann@GMail.com"})));
    assert!(check(free.clone(), json!({"email": "ann@yahoo.co.uk"})));
    assert!(!check(free.clone(), json!({"email": "ann@acme.com"})));
    assert!(check(business.clone(), json!({"email": "ann@acme.com"})));
    assert!(!check(
        business.clone(),
        json!({"email": "ann@outlook.com"})
    ));
    assert!(!check(business, json!({"email": "@"})));
    assert!(!check(free, json!({"email": 5})));
}

#[test]
fn postal_code_ranges_compare_numerically_or_by_string() {
    let numeric = json!({"field": "zip", "postal_code_range": ["10000", "14999"]});
    for (zip, want) in [
        ("10115", true),
        ("10115-1234", true),
        (" 14 999 ", true),
        ("10000", true),
        ("09999", false),
        ("15000", false),
        ("1011", false),
        ("A0115", false),
        ("", false),
    ] {
        assert_eq!(check(numeric.clone(), json!({"zip": zip})), want, "{zip:?}");
    }
    let l = leaf(numeric, &json!({"zip": 10115}));
    assert_eq!(l.reason, Some(Reason::TypeMismatch));
    let uk = json!({"field": "zip", "postal_code_range": ["sw1a", "SW9Z"]});
    for (zip, want) in [
        ("SW1A", true),
        ("sw4 x", true),
        ("SW9Z", true),
        ("SWAA", false),
        ("SW1", false),
        ("SW1A1", false),
        ("EC1A", false),
    ] {
        assert_eq!(check(uk.clone(), json!({"zip": zip})), want, "{zip:?}");
    }
    let ca = json!({"field": "zip", "postal_code_range": ["K1A 0A0", "K1Z 9Z9"]});
    assert!(check(ca.clone(), json!({"zip": "k1p 1j9"})));
    assert!(!check(ca, json!({"zip": "M5V 3L9"})));
}

#[test]
fn composites_combine_and_explain_evaluates_everything() {
    let c = cond(json!({"any": [
        {"field": "country", "eq": "US"},
        {"field": "employees", "gt": 100},
        {"not": {"field": "email", "free_mail": true}}
    ]}));
    let r = json!({"country": "US", "email": "a@gmail.com"});
    assert!(c.matches(&r));
    let e = c.explain(&r);
    assert!(e.matched);
    let ExplainNode::Any { any, result } = &e.node else {
        panic!()
    };
    assert!(*result);
    assert_eq!(
        any.len(),
        3,
        "every child explained, not only up to the first true"
    );
    assert!(!any[1].result());
    assert!(!any[2].result());
    assert!(!cond(
        json!({"all": [{"field": "a", "exists": true}, {"field": "b", "exists": true}]})
    )
    .matches(&json!({"a": 1})));
    assert!(
        cond(json!({"not": {"not": {"field": "a", "exists": true}}})).matches(&json!({"a": 1}))
    );
}

#[test]
fn explanation_json_has_the_documented_shape() {
    let c = cond(json!({"all": [
        {"field": "country", "in": ["US", "CA"]},
        {"field": "employees", "gt": 100}
    ]}));
    let e = c.explain(&json!({"country": "US"}));
    assert_eq!(
        serde_json::to_value(&e).unwrap(),
        json!({"matched": false, "node": {"all": [
            {"field": "country", "op": "in", "expected": ["US", "CA"], "actual": "US", "result": true},
            {"field": "employees", "op": "gt", "expected": 100, "actual": null, "result": false, "reason": "missing"}
        ], "result": false}})
    );
    let e = cond(json!({"not": {"field": "n", "eq": "x"}})).explain(&json!({"n": 2.5}));
    assert_eq!(
        serde_json::to_value(&e).unwrap(),
        json!({"matched": true, "node": {"not": {"field": "n", "op": "eq", "expected": "x", "actual": 2.5, "result": false, "reason": "type_mismatch"}, "result": true}})
    );
    // Typed numbers show as integers when whole; lists as arrays.
    let l = leaf(json!({"field": "quota", "gt": 1}), &rep());
    assert_eq!(l.actual, json!(250000));
    let l = leaf(json!({"field": "skills", "exists": true}), &rep());
    assert_eq!(l.actual, json!(["Spanish", "Enterprise", "Healthcare"]));
}

#[test]
fn canonical_form_round_trips() {
    let spec = json!({"all": [
        {"field": "country", "in": ["US", "ca", 3, true], "case_sensitive": true},
        {"field": "name", "eq": "x", "case_sensitive": false},
        {"field": "d", "between": ["2024-01-01", "2024-06-30T00:00:00+02:00"]},
        {"field": "n", "gt": 100},
        {"field": "f", "lte": 1.5},
        {"field": "t", "matches": "^a+$"},
        {"field": "e", "email_domain": ["WWW.Acme.com"]},
        {"field": "z", "postal_code_range": ["10 000", "14999"]},
        {"not": {"any": [{"field": "x", "exists": false}, {"field": "y", "free_mail": true}]}}
    ]});
    let c = cond(spec.clone());
    let canonical = c.to_json();
    assert_eq!(Condition::parse(&canonical).unwrap(), c);
    let mut expected = spec;
    expected["all"][1] = json!({"field": "name", "eq": "x"});
    assert_eq!(canonical, expected);
    assert_eq!(serde_json::to_value(&c).unwrap(), canonical);
    assert_eq!(canonical["all"][3]["gt"].to_string(), "100");
}

#[test]
fn fields_are_sorted_and_unique() {
    let c = cond(json!({"any": [
        {"field": "z", "exists": true},
        {"all": [{"field": "a.b", "eq": 1}, {"field": "z", "eq": 2}]},
        {"not": {"field": "m", "eq": 3}}
    ]}));
    assert_eq!(c.fields(), vec!["a.b", "m", "z"]);
}

// ---------------------------------------------------------------------------------------------
// Validation

#[test]
fn every_problem_is_reported_with_its_path() {
    let spec = json!({"all": [
        {"field": "a", "eq": 1},
        {"field": "b", "in": []},
        {"any": [{"field": "c"}, {"not": {"eq": 1}}, 7]},
        {"field": "d", "gt": 1, "lt": 2},
        {"field": "e", "equals": 1},
        {"field": "", "eq": {"x": 1}},
        {"all": []},
        {"field": "f", "matches": "("},
        {"field": "g", "between": [5, 1]},
        {"field": "h", "gte": "yesterday"},
        {"field": "i", "in": ["a", null, [1]]},
        {"field": 3, "exists": "yes", "case_sensitive": 1},
        {"any": {"field": "x", "eq": 1}},
        {"all": [{"field": "x", "eq": 1}], "any": [{"field": "x", "eq": 1}], "field": "x"}
    ]});
    assert_eq!(
        problems(spec),
        pairs(&[
            ("all[1].in", "empty"),
            ("all[2].any[0]", "missing_operator"),
            ("all[2].any[1].not", "missing_field"),
            ("all[2].any[2]", "invalid_type"),
            ("all[3]", "multiple_operators"),
            ("all[4].equals", "unknown_operator"),
            ("all[4]", "missing_operator"),
            ("all[5].field", "empty"),
            ("all[5].eq", "invalid_type"),
            ("all[6].all", "empty"),
            ("all[7].matches", "invalid_regex"),
            ("all[8].between", "invalid_range"),
            ("all[9].gte", "invalid_date"),
            ("all[10].in[1]", "invalid_type"),
            ("all[10].in[2]", "invalid_type"),
            ("all[11].field", "invalid_type"),
            ("all[11].case_sensitive", "invalid_type"),
            ("all[11].exists", "invalid_type"),
            ("all[12].any", "invalid_type"),
            ("all[13].field", "unknown_operator"),
            ("all[13]", "multiple_operators"),
        ])
    );
}

#[test]
fn each_error_code_on_its_own() {
    let cases = [
        (json!("x"), "", "invalid_type"),
        (json!([]), "", "invalid_type"),
        (json!({}), "", "missing_operator"),
        (json!({"field": "a"}), "", "missing_operator"),
        (json!({"eq": 1}), "", "missing_field"),
        (
            json!({"field": "a", "eq": 1, "ne": 2}),
            "",
            "multiple_operators",
        ),
        (json!({"all": [], "not": {}}), "all", "empty"),
        (
            json!({"field": "a", "eq": 1, "xor": 2}),
            "xor",
            "unknown_operator",
        ),
        (json!({"any": []}), "any", "empty"),
        (json!({"field": " ", "eq": 1}), "field", "empty"),
        (json!({"field": "a", "not_in": []}), "not_in", "empty"),
        (json!({"field": "a", "eq": null}), "eq", "invalid_type"),
        (json!({"field": "a", "in": "US"}), "in", "invalid_type"),
        (json!({"field": "a", "gt": true}), "gt", "invalid_type"),
        (
            json!({"field": "a", "lt": "2024-13-01"}),
            "lt",
            "invalid_date",
        ),
        (
            json!({"field": "a", "between": [1]}),
            "between",
            "invalid_range",
        ),
        (
            json!({"field": "a", "between": [1, 2, 3]}),
            "between",
            "invalid_range",
        ),
        (
            json!({"field": "a", "between": [1, "2024-01-01"]}),
            "between",
            "invalid_range",
        ),
        (
            json!({"field": "a", "between": ["2024-02-01", "2024-01-01"]}),
            "between",
            "invalid_range",
        ),
        (
            json!({"field": "a", "between": {"lo": 1}}),
            "between",
            "invalid_type",
        ),
        (
            json!({"field": "a", "between": [1, "x"]}),
            "between[1]",
            "invalid_date",
        ),
        (
            json!({"field": "a", "contains": 1}),
            "contains",
            "invalid_type",
        ),
        (
            json!({"field": "a", "matches": "[a-"}),
            "matches",
            "invalid_regex",
        ),
        (
            json!({"field": "a", "matches": "a".repeat(1001)}),
            "matches",
            "regex_too_large",
        ),
        (json!({"field": "a", "exists": 1}), "exists", "invalid_type"),
        (
            json!({"field": "a", "free_mail": "yes"}),
            "free_mail",
            "invalid_type",
        ),
        (
            json!({"field": "a", "email_domain": "acme.com"}),
            "email_domain",
            "invalid_type",
        ),
        (
            json!({"field": "a", "email_domain": []}),
            "email_domain",
            "empty",
        ),
        (
            json!({"field": "a", "email_domain": [""]}),
            "email_domain[0]",
            "empty",
        ),
        (
            json!({"field": "a", "email_domain": ["not a domain"]}),
            "email_domain[0]",
            "invalid_type",
        ),
        (
            json!({"field": "a", "postal_code_range": ["1"]}),
            "postal_code_range",
            "invalid_range",
        ),
        (
            json!({"field": "a", "postal_code_range": ["2", "1"]}),
            "postal_code_range",
            "invalid_range",
        ),
        (
            json!({"field": "a", "postal_code_range": ["10", "100"]}),
            "postal_code_range",
            "invalid_range",
        ),
        (
            json!({"field": "a", "postal_code_range": [" ", "1"]}),
            "postal_code_range[0]",
            "empty",
        ),
        (
            json!({"field": "a", "postal_code_range": [1, 2]}),
            "postal_code_range[0]",
            "invalid_type",
        ),
        (json!({"not": 5}), "not", "invalid_type"),
    ];
    for (spec, path, code) in cases {
        let found = problems(spec.clone());
        assert!(
            found.contains(&(path.to_string(), code.to_string())),
            "{spec}: expected {code} at {path:?}, found {found:?}"
        );
    }
}

#[test]
fn a_compiled_regex_over_the_size_limit_is_invalid() {
    // Short to write, huge to compile: Unicode word classes repeated.
    let found = problems(json!({"field": "a", "matches": r"\w{500}\w{500}"}));
    assert_eq!(found, pairs(&[("matches", "invalid_regex")]));
}

#[test]
fn limits_are_enforced_and_reported() {
    // Depth: 32 levels are fine, 33 are not.
    let nest = |levels: usize| {
        let mut v = json!({"field": "a", "exists": true});
        for _ in 1..levels {
            v = json!({"not": v});
        }
        v
    };
    assert!(Condition::parse(&nest(32)).is_ok());
    let found = problems(nest(33));
    let path = vec!["not"; 32].join(".");
    assert_eq!(found, pairs(&[(&path, "too_deep")]));
    // Nodes: 1,000 in all (the `all` itself counts).
    let leaves = |n: usize| json!({"all": vec![json!({"field": "a", "eq": 1}); n]});
    assert!(Condition::parse(&leaves(999)).is_ok());
    assert_eq!(problems(leaves(1000)), pairs(&[("all[999]", "too_large")]));
    // List items.
    let items: Vec<i64> = (0..10_001).collect();
    assert_eq!(
        problems(json!({"field": "a", "in": items})),
        pairs(&[("in", "too_large")])
    );
    assert!(Condition::parse(&json!({"field": "a", "in": items[..10_000]})).is_ok());
    // Custom limits.
    let small = Limits {
        max_depth: 2,
        max_list_items: 2,
        ..Limits::DEFAULT
    };
    assert_eq!(
        problems_with(
            json!({"any": [{"not": {"field": "a", "eq": 1}}, {"field": "b", "in": [1, 2, 3]}]}),
            &small
        ),
        pairs(&[("any[0].not", "too_deep"), ("any[1].in", "too_large")])
    );
    // Problems are capped, and the cap says so.
    let bad = json!({"all": vec![json!(1); 500]});
    let found = problems(bad);
    assert_eq!(found.len(), Limits::MAX_PROBLEMS + 1);
    assert_eq!(
        found.last().unwrap(),
        &("".to_string(), "too_large".to_string())
    );
}

#[test]
fn hundred_thousand_nested_nots_are_refused_without_overflow() {
    // Built from the inside out (no recursion); dismantled the same way at the end, because
    // dropping a deep serde_json::Value recurses.
    let mut spec = json!({"field": "a", "exists": true});
    for _ in 0..100_000 {
        // Not `json!({"not": spec})`: that serializes `spec`, recursively.
        let mut map = serde_json::Map::new();
        map.insert("not".into(), spec);
        spec = Value::Object(map);
    }
    // Parse on a small stack on purpose: parse must not recurse past the depth limit.
    let shared = std::sync::Arc::new(spec);
    let on_thread = std::sync::Arc::clone(&shared);
    let problems = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || {
            Condition::parse(&on_thread)
                .unwrap_err()
                .problems()
                .to_vec()
        })
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].code, "too_deep");
    assert_eq!(problems[0].path, vec!["not"; Limits::MAX_DEPTH].join("."));
    let mut current = std::sync::Arc::try_unwrap(shared).unwrap_or(Value::Null);
    while let Value::Object(mut map) = current {
        current = map.remove("not").unwrap_or(Value::Null);
    }
}

// ---------------------------------------------------------------------------------------------
// serde and schemars

#[test]
fn conditions_serialize_deserialize_inside_other_types() {
    #[derive(Debug, serde::Deserialize, Serialize)]
    struct Territory {
        name: String,
        condition: Condition,
    }
    let t: Territory = serde_json::from_value(json!({
        "name": "DACH", "condition": {"field": "country", "in": ["DE", "AT", "CH"]}
    }))
    .unwrap();
    assert!(t.condition.matches(&json!({"country": "at"})));
    assert_eq!(
        serde_json::to_value(&t).unwrap()["condition"],
        json!({"field": "country", "in": ["DE", "AT", "CH"]})
    );
    let err = serde_json::from_value::<Territory>(json!({
        "name": "x", "condition": {"all": [{"field": "a", "in": []}, {"field": "b"}]}
    }))
    .unwrap_err()
    .to_string();
    assert!(err.contains("all[0].in"), "{err}");
    assert!(err.contains("may not be empty"), "{err}");
    assert!(err.contains("1 more"), "{err}");
}

#[test]
fn json_schema_describes_the_grammar_recursively() {
    let schema = serde_json::to_value(schemars::schema_for!(Condition)).unwrap();
    let any_of = schema["anyOf"].as_array().unwrap();
    assert_eq!(any_of.len(), 4);
    assert_eq!(
        any_of[0]["properties"]["all"]["items"],
        json!({"$ref": "#"})
    );
    assert_eq!(any_of[2]["properties"]["not"], json!({"$ref": "#"}));
    let leaf = &any_of[3];
    assert_eq!(leaf["oneOf"].as_array().unwrap().len(), ast::LEAF_OPS.len());
    for op in ast::LEAF_OPS {
        assert!(leaf["properties"].get(*op).is_some(), "{op}");
    }

    #[derive(schemars::JsonSchema)]
    #[allow(dead_code)]
    struct Territory {
        condition: Condition,
        children: Vec<Condition>,
    }
    let schema = serde_json::to_value(schemars::schema_for!(Territory)).unwrap();
    assert_eq!(
        schema["properties"]["condition"],
        json!({"$ref": "#/$defs/Condition"})
    );
    let def = &schema["$defs"]["Condition"];
    assert_eq!(
        def["anyOf"][2]["properties"]["not"],
        json!({"$ref": "#/$defs/Condition"})
    );
}

#[test]
fn json_records_and_maps_read_the_same() {
    let v = json!({"a": {"b": 1}, "s": "x", "n": null});
    let m = v.as_object().unwrap();
    assert_eq!(m.field("a.b"), Some(FieldValue::Number(1.0)));
    assert_eq!(v.field("a.b"), Some(FieldValue::Number(1.0)));
    assert_eq!(v.field("s"), Some(FieldValue::Text("x")));
    assert_eq!(v.field("n"), None);
    assert_eq!(v.field("a"), Some(FieldValue::Json(&v["a"])));
    assert_eq!(v.field(""), None);
    assert!(cond(json!({"field": "s", "eq": "X"})).matches(&m));
}

#[test]
fn deserializing_reads_bounded_json_from_any_deserializer() {
    use serde::Deserialize;
    // A serde_json::Value is itself a deserializer without a recursion limit.
    let mut deep = json!(1);
    for _ in 0..Limits::MAX_JSON_DEPTH + 10 {
        deep = Value::Array(vec![deep]);
    }
    let err = Condition::deserialize(json!({"not": deep}))
        .unwrap_err()
        .to_string();
    assert!(err.contains("too_deep"), "{err}");
    let err = Condition::deserialize(json!({"field": "a", "eq": {"x": [1]}}))
        .unwrap_err()
        .to_string();
    assert!(err.contains("eq") && err.contains("invalid_type"), "{err}");
    let c = Condition::deserialize(json!({"field": "a", "in": [1, 2.5, "x", true]})).unwrap();
    assert_eq!(
        c.to_json(),
        json!({"field": "a", "in": [1, 2.5, "x", true]})
    );
}

mod shortcuts {
    //! `matches` takes shortcuts (`Leaf::is_match`: the positive test straight on a text or
    //! number, free mail without the full domain reading, literal alternations without the
    //! regex); `explain` always takes the full outcome. They must agree on every leaf and value.
    use super::*;
    use proptest::prelude::*;

    fn leaves() -> Vec<Value> {
        vec![
            json!({"field": "x", "matches": "(?i)vp|head|ceo"}),
            json!({"field": "x", "matches": "(?i)k|s"}),
            json!({"field": "x", "matches": "Sales|ops"}),
            json!({"field": "x", "matches": "a.b"}),
            json!({"field": "x", "matches": "^ab|c$"}),
            json!({"field": "x", "matches": r"\bab\b"}),
            json!({"field": "x", "free_mail": true}),
            json!({"field": "x", "free_mail": false}),
            json!({"field": "x", "email_domain": ["gmail.com", "acme.com"]}),
            json!({"field": "x", "in": ["ab", "K", "\u{212A}", "straße", "1"]}),
            json!({"field": "x", "in": ["ab", "s"], "case_sensitive": true}),
            json!({"field": "x", "not_in": ["ab", "k"]}),
            json!({"field": "x", "eq": "Ab"}),
            json!({"field": "x", "ne": "ab"}),
            json!({"field": "x", "eq": 1}),
            json!({"field": "x", "contains": "b"}),
            json!({"field": "x", "starts_with": "a"}),
            json!({"field": "x", "ends_with": ".com"}),
            json!({"field": "x", "between": [0, 10]}),
            json!({"field": "x", "gte": 5}),
            json!({"field": "x", "lt": "2024-01-01"}),
            json!({"field": "x", "exists": true}),
            json!({"field": "x", "exists": false}),
            json!({"field": "x", "postal_code_range": ["10000", "14999"]}),
            // Shapes the slots specialise (`slots.rs`): text lists compared word by word (items
            // past 16 bytes, mixed case, mixed types), one text, number bounds.
            json!({"field": "x", "in": ["Software", "financial_services_ab", "US", "ca", "a b"]}),
            json!({"field": "x", "in": ["aaaaaaaaaaaaaaaaK", "aaaaaaaaaaaaaaaak", "ab"], "case_sensitive": true}),
            json!({"field": "x", "in": ["ab", "\u{c4}B"]}),
            json!({"field": "x", "in": ["ab", 1, true, "2023-12-31", ""]}),
            json!({"field": "x", "in": [1, 2.5]}),
            json!({"field": "x", "eq": "straße"}),
            json!({"field": "x", "eq": "AB", "case_sensitive": true}),
            json!({"field": "x", "eq": ""}),
            json!({"field": "x", "eq": 0}),
            json!({"field": "x", "gt": 5}),
            json!({"field": "x", "lt": 10.5}),
            json!({"field": "x", "lte": -0.0}),
            json!({"field": "x", "between": [-1e308, 1e308]}),
            json!({"field": "x", "between": ["2023-01-01", "2024-01-01"]}),
            json!({"field": "x", "contains": "STUdent"}),
            json!({"field": "x", "contains": "aaaaaaaaK"}),
            json!({"field": "x", "contains": "\u{212A}"}),
            json!({"field": "x", "contains": "\u{e4}"}),
            json!({"field": "x", "contains": "ß", "case_sensitive": true}),
            json!({"field": "x", "contains": "Ab", "case_sensitive": true}),
            json!({"field": "x", "ends_with": "\u{212A}"}),
            json!({"field": "x", "ends_with": "aK"}),
            json!({"field": "x", "ends_with": "ße"}),
            json!({"field": "x", "ends_with": "K", "case_sensitive": true}),
            json!({"field": "x", "ends_with": ""}),
            json!({"field": "x", "starts_with": "AaAaAaAaAk"}),
            json!({"field": "x", "starts_with": "\u{e4}"}),
            json!({"field": "x", "starts_with": "a", "case_sensitive": true}),
            json!({"field": "x", "starts_with": ""}),
        ]
    }

    fn values() -> impl Strategy<Value = Value> {
        let text = "[aAbBkKsS .@:/>_\u{212A}\u{017F}é-]{0,10}|[a-z]{1,5}@(www\\.)?(gmail|acme|GMAIL)\\.com\\.?|2023-12-31|1[0-9]{4}";
        prop_oneof![
            text.prop_map(Value::from),
            any::<i32>().prop_map(|n| json!(n % 20)),
            any::<f64>().prop_map(|f| json!(f)),
            any::<bool>().prop_map(Value::from),
            Just(Value::Null),
            prop::collection::vec(text.prop_map(Value::from), 0..3).prop_map(Value::from),
            Just(json!({"a": 1})),
        ]
    }

    /// A value as a typed record can hold it (JSON cannot hold NaN or infinities).
    #[derive(Debug, Clone)]
    enum Typed {
        Number(f64),
        Text(String),
        Bool(bool),
        List(Vec<Typed>),
        Missing,
    }

    impl Typed {
        fn value(&self) -> Option<FieldValue<'_>> {
            Some(match self {
                Typed::Number(n) => FieldValue::Number(*n),
                Typed::Text(s) => FieldValue::Text(s),
                Typed::Bool(b) => FieldValue::Bool(*b),
                Typed::List(items) => {
                    FieldValue::List(items.iter().filter_map(Typed::value).collect())
                }
                Typed::Missing => return None,
            })
        }
    }

    struct OneField<'a>(Option<FieldValue<'a>>);

    impl Record for OneField<'_> {
        fn field(&self, path: &str) -> Option<FieldValue<'_>> {
            if path == "x" {
                self.0.clone()
            } else {
                None
            }
        }
    }

    fn typed() -> impl Strategy<Value = Typed> {
        let scalar = prop_oneof![
            any::<f64>().prop_map(Typed::Number),
            prop::sample::select(vec![f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -0.0, 0.0, 5.0, 10.5, 2.5])
                .prop_map(Typed::Number),
            (-20i32..20).prop_map(|n| Typed::Number(f64::from(n))),
            "[aAbBkKsSuU .ß\u{212A}\u{017F}\u{c4}\u{e4}_-]{0,6}|(?i:software|us|ca|financial_services_ab|stra(ß|ss)e)|aaaaaaaaaaaaaaaa[kK\u{212A}]|[aA]{0,9}[kK\u{212A}][ .]?(?i:student)"
                .prop_map(Typed::Text),
            any::<bool>().prop_map(Typed::Bool),
            Just(Typed::Missing),
        ];
        prop_oneof![
            4 => scalar.clone(),
            1 => prop::collection::vec(scalar, 0..3).prop_map(Typed::List),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        /// Typed values (NaN, infinities, -0, non-ASCII look-alikes, lists): the bound,
        /// specialised leaves say what `explain` says.
        #[test]
        fn bound_leaves_agree_with_explain_on_typed_values(value in typed()) {
            let record = OneField(value.value());
            for spec in leaves() {
                let c = cond(spec.clone());
                let explained = c.explain(&record).matched;
                prop_assert_eq!(c.matches(&record), explained, "{} on {:?}", spec, value);
                let mut paths = Vec::new();
                let bound = c.bind(&mut paths);
                let fields: Vec<Option<FieldValue<'_>>> = paths.iter().map(|p| record.field(p)).collect();
                prop_assert_eq!(bound.matches(&fields), explained, "{} on {:?}", spec, value);
            }
        }

        #[test]
        fn matches_and_explain_agree_on_every_leaf(value in values()) {
            let record = json!({ "x": value });
            for spec in leaves() {
                let c = cond(spec.clone());
                prop_assert_eq!(c.matches(&record), c.explain(&record).matched, "{} on {}", spec, record);
                // Through the slots too.
                let mut paths = Vec::new();
                let bound = c.bind(&mut paths);
                let fields: Vec<Option<FieldValue<'_>>> = paths.iter().map(|p| record.field(p)).collect();
                prop_assert_eq!(bound.matches(&fields), c.explain(&record).matched, "{} on {}", spec, record);
            }
        }
    }
}
