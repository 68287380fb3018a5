//! Lead routing throughput (docs/routing.md): the sample world (seed 7, 10,000 leads, 24 reps,
//! 200 accounts) with a 1,000-territory config (`revcore_benches::routing_config`: 10 regions
//! by country list, each with 21 industry and 78 employee-band children; three rules before the
//! territories; round-robin pools without availability checks; account matching on).
//! Throughput is reported in decisions per second, one core.
//!
//! - `route`: `Router::route` one lead at a time (one lock per decision), 10,000 leads per
//!   iteration, state carried over between iterations (counts and pointers keep moving).
//! - `route_each_now`: as `route`, but lead `i` routed at its own instant, `ROUTING_NOW` plus
//!   `i * 37` seconds (about 4.3 days over the 10,000 leads: a Saturday, a Sunday, evenings),
//!   as real traffic arrives; the instants are computed outside the timed loop.
//! - `route_batch`: `Router::route_batch` over the 10,000 leads (one lock per batch).
//! - `preview`: `Router::preview` over the 10,000 leads (decides, commits nothing).
//! - `route_json`: `Router::route_batch_str`, JSON text in and out (what the hosts' fast path
//!   pays on top of routing).

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use revcore::routing::parse_now;
use revcore::{Router, RoutingConfig};
use revcore_benches::{routing_fixture, ROUTING_NOW};
use std::collections::HashMap;
use std::hint::black_box;

const LEADS: usize = 10_000;

fn bench_routing(c: &mut Criterion) {
    let f = routing_fixture(LEADS);
    let territories = f.config["territories"].as_array().map_or(0, Vec::len);
    assert_eq!(territories, 1_000);
    let config: RoutingConfig =
        serde_json::from_value(f.config.clone()).expect("the bench config is a routing config");
    let now = parse_now(ROUTING_NOW).expect("a valid instant");
    let router = || {
        Router::new(config.clone(), f.reps.clone(), f.accounts.clone(), None)
            .expect("the bench config is valid")
    };
    let leads = &f.leads;

    // The data should exercise every path: rules, territories at both depths, pools, accounts.
    let decisions = router().route_batch(leads, now);
    let mut per_rule: HashMap<String, usize> = HashMap::new();
    for d in &decisions {
        let rule = d.rule_id().map_or("-", |r| &r.0).to_string();
        *per_rule.entry(rule).or_default() += 1;
    }
    let by_territory = decisions
        .iter()
        .filter(|d| d.territory_id().is_some())
        .count();
    let child = decisions
        .iter()
        .filter(|d| d.territory_id().is_some_and(|t| t.0.contains('-')))
        .count();
    let assigned = decisions.iter().filter(|d| d.owner_id().is_some()).count();
    let matched = decisions
        .iter()
        .filter(|d| d.account_id().is_some())
        .count();
    eprintln!(
        "routing fixture: {LEADS} leads, {territories} territories; per rule {per_rule:?}; \
         territory {by_territory} (child {child}); assigned {assigned}; account matched {matched}"
    );
    assert!(child > 0 && child < by_territory && assigned > LEADS / 2);

    let mut group = c.benchmark_group("routing");
    group.throughput(Throughput::Elements(LEADS as u64));

    let r = router();
    group.bench_function("route", |b| {
        b.iter(|| {
            leads
                .iter()
                .map(|l| r.route(black_box(l), now).state_version)
                .sum::<u64>()
        })
    });
    let nows: Vec<_> = (0..leads.len())
        .map(|i| now + std::time::Duration::from_secs(37 * i as u64))
        .collect();
    let r = router();
    group.bench_function("route_each_now", |b| {
        b.iter(|| {
            leads
                .iter()
                .zip(&nows)
                .map(|(l, &at)| r.route(black_box(l), at).state_version)
                .sum::<u64>()
        })
    });
    let r = router();
    group.bench_function("route_batch", |b| {
        b.iter(|| r.route_batch(black_box(leads), now))
    });
    let r = router();
    group.bench_function("preview", |b| {
        b.iter(|| {
            leads
                .iter()
                .map(|l| r.preview(black_box(l), now).state_version)
                .sum::<u64>()
        })
    });
    let text = serde_json::to_string(leads).expect("leads serialise");
    let r = router();
    group.bench_function("route_batch_str", |b| {
        b.iter(|| {
            r.route_batch_str(black_box(&text), now)
                .expect("valid leads")
        })
    });
    group.finish();

    let mut group = c.benchmark_group("routing_build");
    group.throughput(Throughput::Elements(1));
    group.bench_function("new", |b| {
        b.iter_batched(
            || (config.clone(), f.reps.clone(), f.accounts.clone()),
            |(c, r, a)| Router::new(c, r, a, None).expect("valid"),
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

criterion_group!(benches, bench_routing);
criterion_main!(benches);
