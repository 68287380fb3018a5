//! Condition evaluation throughput: a 10-leaf routing-style condition (in, eq, gt, between,
//! contains, starts_with, email_domain, exists inside all / any / not) against 1,000 leads held
//! (a) as serde_json objects and (b) as a typed struct implementing `Record`.
//! Throughput is reported in records per second.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use revcore::condition::FieldValue;
use revcore::{Condition, Record};
use serde_json::{json, Value};
use std::hint::black_box;

const RECORDS: usize = 1_000;

fn condition() -> Condition {
    Condition::parse(&json!({"all": [
        {"field": "country", "in": ["US", "CA", "GB", "DE", "FR", "NL", "SE", "AU", "JP", "BR", "ES", "IT"]},
        {"field": "status", "eq": "new"},
        {"any": [
            {"field": "employees", "gt": 200},
            {"field": "annual_revenue", "between": [1_000_000, 50_000_000]},
            {"field": "email", "email_domain": ["acme.com", "initech.io", "globex.com"]}
        ]},
        {"not": {"field": "company", "contains": "test"}},
        {"field": "phone", "exists": true},
        {"any": [
            {"field": "title", "contains": "vp"},
            {"field": "title", "starts_with": "head of"},
            {"field": "industry", "in": ["Software", "Financial Services", "Healthcare"]}
        ]}
    ]}))
    .expect("the bench condition is valid")
}

/// A deterministic generator (no RNG dependency needed for a bench).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

struct Lead {
    country: String,
    status: String,
    employees: f64,
    annual_revenue: f64,
    email: String,
    company: String,
    phone: Option<String>,
    title: String,
    industry: String,
}

impl Record for Lead {
    fn field(&self, path: &str) -> Option<FieldValue<'_>> {
        Some(match path {
            "country" => FieldValue::Text(&self.country),
            "status" => FieldValue::Text(&self.status),
            "employees" => FieldValue::Number(self.employees),
            "annual_revenue" => FieldValue::Number(self.annual_revenue),
            "email" => FieldValue::Text(&self.email),
            "company" => FieldValue::Text(&self.company),
            "phone" => FieldValue::Text(self.phone.as_deref()?),
            "title" => FieldValue::Text(&self.title),
            "industry" => FieldValue::Text(&self.industry),
            _ => return None,
        })
    }
}

fn leads() -> Vec<Lead> {
    let mut rng = Lcg(42);
    (0..RECORDS)
        .map(|i| {
            let company = rng.pick(&[
                "Acme", "Initech", "Globex", "Umbrella", "Test Co", "Hooli", "Stark",
            ]);
            let domain = rng.pick(&[
                "acme.com",
                "initech.io",
                "gmail.com",
                "hooli.com",
                "eu.globex.com",
            ]);
            Lead {
                country: rng
                    .pick(&["us", "US", "DE", "FR", "IN", "GB", "MX", "JP"])
                    .to_string(),
                status: rng.pick(&["New", "new", "working", "NEW"]).to_string(),
                employees: (rng.next() % 1_000) as f64,
                annual_revenue: (rng.next() % 100_000_000) as f64,
                email: format!("lead{i}@{domain}"),
                company: format!("{company} {i}"),
                phone: (rng.next() % 5 != 0).then(|| format!("+1 555 {:04}", i)),
                title: rng
                    .pick(&[
                        "VP Sales",
                        "Head of Revenue",
                        "Engineer",
                        "CTO",
                        "Marketing Manager",
                    ])
                    .to_string(),
                industry: rng
                    .pick(&["Software", "Retail", "Healthcare", "Manufacturing"])
                    .to_string(),
            }
        })
        .collect()
}

fn as_json(lead: &Lead) -> Value {
    let mut v = json!({
        "country": lead.country, "status": lead.status, "employees": lead.employees,
        "annual_revenue": lead.annual_revenue, "email": lead.email, "company": lead.company,
        "title": lead.title, "industry": lead.industry,
        "attributes": {"source": "web", "campaign": "q3"}
    });
    if let Some(phone) = &lead.phone {
        v["phone"] = json!(phone);
    }
    v
}

fn bench_condition(c: &mut Criterion) {
    let condition = condition();
    let typed = leads();
    let json: Vec<Value> = typed.iter().map(as_json).collect();
    let matched = typed.iter().filter(|l| condition.matches(*l)).count();
    assert_eq!(
        matched,
        json.iter().filter(|l| condition.matches(*l)).count()
    );
    assert!(
        matched > 0 && matched < RECORDS,
        "the bench data should exercise both outcomes"
    );

    let mut group = c.benchmark_group("condition");
    group.throughput(Throughput::Elements(RECORDS as u64));
    group.bench_function("matches/json", |b| {
        b.iter(|| {
            json.iter()
                .filter(|r| condition.matches(black_box(*r)))
                .count()
        })
    });
    group.bench_function("matches/struct", |b| {
        b.iter(|| {
            typed
                .iter()
                .filter(|r| condition.matches(black_box(*r)))
                .count()
        })
    });
    group.bench_function("explain/json", |b| {
        b.iter(|| {
            json.iter()
                .map(|r| condition.explain(black_box(r)).matched)
                .filter(|m| *m)
                .count()
        })
    });
    group.finish();

    let spec = condition.to_json();
    let mut group = c.benchmark_group("condition_parse");
    group.throughput(Throughput::Elements(1));
    group.bench_function("parse", |b| b.iter(|| Condition::parse(black_box(&spec))));
    group.finish();
}

criterion_group!(benches, bench_condition);
criterion_main!(benches);
