//! Shared fixtures of the revcore benchmarks (the benches themselves live in `benches/`).
//!
//! [`routing_fixture`]: the sample world (seed 7) with a 1,000-territory routing config over its
//! reps, its accounts and its leads. The same config feeds the criterion bench
//! (`benches/routing.rs`) and the Node peer comparison (`compare/routing.mjs`, which reads the JSON
//! printed by `cargo run -p revcore-benches --example routing_fixture`).
//!
//! [`hubspot`]: sample opportunities written as a HubSpot deal export (the CSV import bench and
//! `examples/hubspot_deals.rs`).

pub mod hubspot;

use revcore::model::{Account, Lead, Rep};
use revcore::sample::{generate, SampleOptions};
use serde_json::{json, Value};

/// The instant every bench decision is taken at (a Tuesday afternoon in UTC). Pools do not
/// require availability, so decisions do not depend on it beyond the SLA clock.
pub const ROUTING_NOW: &str = "2026-06-30T15:00:00Z";

/// Regions: country lists, one root territory each.
pub const REGIONS: [(&str, &[&str]); 10] = [
    ("us", &["US"]),
    ("ca", &["CA"]),
    ("uki", &["GB", "IE"]),
    ("dach", &["DE", "AT", "CH"]),
    ("fr", &["FR", "BE", "LU"]),
    ("nordics-benelux", &["NL", "SE", "NO", "DK", "FI"]),
    ("jp", &["JP"]),
    ("anz", &["AU", "NZ"]),
    ("asia", &["SG", "IN", "HK", "MY"]),
    ("latam-south", &["BR", "MX", "ES", "IT", "PT", "AR"]),
];

/// Industries of the sample data: one child territory per region each (priority 20).
pub const INDUSTRIES: [&str; 21] = [
    "aerospace",
    "agriculture",
    "automotive",
    "construction",
    "consumer_goods",
    "education",
    "energy",
    "financial_services",
    "healthcare",
    "hospitality",
    "insurance",
    "life_sciences",
    "manufacturing",
    "media",
    "professional_services",
    "real_estate",
    "retail",
    "software",
    "technology",
    "telecommunications",
    "transportation",
];

/// Employee bands per region (priority 10): band `i` is `[17 i², 17 (i+1)² - 1]`, the last one
/// open-ended (up to 10 million). With the 22 industries: 10 x (1 + 21 + 78) = 1,000 territories.
pub const EMPLOYEE_BANDS: usize = 78;

/// Pools of sample reps the territories point at in turn (rep `i` is in pool `i % TERRITORY_POOLS`).
pub const TERRITORY_POOLS: usize = 8;

/// Everything a routing bench needs, as the router takes it.
pub struct RoutingFixture {
    /// The routing config as JSON (`kind: routing_config`).
    pub config: Value,
    /// The sample reps, `capacity` removed (an open cap: 10,000 leads routed again and again
    /// would fill every rep and turn the bench into "fallback queue" decisions).
    pub reps: Vec<Rep>,
    pub accounts: Vec<Account>,
    pub leads: Vec<Lead>,
}

/// The sample world with `leads` leads (seed 7) and [`routing_config`] over it.
pub fn routing_fixture(leads: usize) -> RoutingFixture {
    let world = generate(&SampleOptions {
        seed: 7,
        leads,
        ..Default::default()
    });
    let config = routing_config(&world.reps);
    let reps = world
        .reps
        .into_iter()
        .map(|mut r| {
            r.capacity = None;
            r
        })
        .collect();
    RoutingFixture {
        config,
        reps,
        accounts: world.accounts,
        leads: world.leads,
    }
}

/// A 1,000-territory routing config over `reps` (see the constants above), with three rules
/// before the territories: partners to a partner desk, `.edu` addresses to a nurture queue,
/// companies of 20,000 people or more to a strategic pool. Every pool is round robin without
/// availability checks; account matching by domain and company name, sticky owners off (so the
/// territories decide; the account match still runs for every lead).
pub fn routing_config(reps: &[Rep]) -> Value {
    let rep_ids: Vec<&str> = reps.iter().map(|r| r.id.0.as_str()).collect();
    let pool = |id: &str, members: Vec<&str>| {
        json!({
            "id": id,
            "strategy": "round_robin",
            "members": members.iter().map(|m| json!({"rep_id": m})).collect::<Vec<_>>(),
            "require_availability": false,
        })
    };
    let mut pools: Vec<Value> = (0..TERRITORY_POOLS)
        .map(|k| {
            let members = rep_ids
                .iter()
                .copied()
                .enumerate()
                .filter(|(i, _)| i % TERRITORY_POOLS == k)
                .map(|(_, id)| id)
                .collect();
            pool(&format!("pool-{k}"), members)
        })
        .collect();
    let half = rep_ids.len() / 2;
    pools.push(pool("partner-desk", rep_ids[..half].to_vec()));
    pools.push(pool("strategic", rep_ids[half..].to_vec()));

    let mut territories = Vec::with_capacity(1_000);
    let mut next_pool = 0;
    let mut pool_id = || {
        next_pool += 1;
        format!("pool-{}", (next_pool - 1) % TERRITORY_POOLS)
    };
    for (region, countries) in REGIONS {
        let country = json!({"field": "country", "in": countries});
        territories.push(json!({
            "id": region, "name": region.to_uppercase(), "condition": country, "pool": pool_id(),
        }));
        for industry in INDUSTRIES {
            territories.push(json!({
                "id": format!("{region}-{industry}"), "parent_id": region, "priority": 20,
                "condition": {"all": [country, {"field": "industry", "eq": industry}]},
                "pool": pool_id(),
            }));
        }
        for i in 0..EMPLOYEE_BANDS {
            let lo = 17 * i * i;
            let hi = if i + 1 == EMPLOYEE_BANDS {
                10_000_000
            } else {
                17 * (i + 1) * (i + 1) - 1
            };
            territories.push(json!({
                "id": format!("{region}-emp-{lo}"), "parent_id": region, "priority": 10,
                "condition": {"all": [country, {"field": "employees", "between": [lo, hi]}]},
                "pool": pool_id(),
            }));
        }
    }
    json!({
        "version": 1,
        "matching": {"by_domain": true, "by_company_name": true, "sticky": false},
        "rules": [
            {"id": "partners", "condition": {"field": "source", "eq": "partner"},
             "target": {"pool": "partner-desk"}},
            {"id": "students", "condition": {"field": "email", "ends_with": ".edu"},
             "target": {"queue": "nurture"}},
            {"id": "strategic", "condition": {"field": "employees", "gte": 20_000},
             "target": {"pool": "strategic"}},
            {"id": "territories", "target": "territories"},
        ],
        "territories": territories,
        "pools": pools,
        "fallback_queue": "unassigned",
        "sla": {"first_touch_minutes": 30},
    })
}
