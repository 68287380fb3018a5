//! Rule-scoring throughput (docs/scoring.md): sample worlds (seed 7, five engagement events per
//! lead on average) scored with the sample scoring model at the day after the sample's
//! `end_date`. Two sizes: the default sample (1,000 leads, 5,000 events: leads and events stay
//! in cache between iterations) and 10,000 leads with 50,000 events (they do not). Throughput is
//! reported in leads per second, one core.
//!
//! - `score_batch/N`: `Scorer::score_batch` over N leads and their events (grouping the events
//!   by lead is part of the measured work).
//! - `score/N`: `Scorer::score` one lead at a time, each with its own events already grouped.
//! - `score_batch_str/10000`: `Scorer::score_batch_str`, JSON text in and out (what the hosts'
//!   fast path pays on top of scoring).
//! - `scoring_build/new`: checking and compiling the sample model.

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};
use revcore::model::EngagementEvent;
use revcore::routing::parse_now;
use revcore::sample::{generate, SampleOptions};
use revcore::scoring::rules::{Scorer, ScoringModel};
use std::collections::{BTreeMap, HashMap};
use std::hint::black_box;

const NOW: &str = "2026-07-01T00:00:00Z";

fn bench_scoring(c: &mut Criterion) {
    let now = parse_now(NOW).expect("a valid instant");
    let mut group = c.benchmark_group("scoring");
    let mut model: Option<ScoringModel> = None;
    for leads_wanted in [1_000, 10_000] {
        let world = generate(&SampleOptions {
            leads: leads_wanted,
            ..SampleOptions::default()
        });
        let m = world.scoring_model.clone().expect("the sample has a model");
        let scorer = Scorer::new(m.clone()).expect("the sample model is valid");
        model = Some(m);
        let (leads, events) = (&world.leads, &world.events);

        // The data should exercise every path: fit rules, decay, caps, penalties, every grade.
        let scores = scorer.score_batch(leads, events, now);
        let mut grades: BTreeMap<char, usize> = BTreeMap::new();
        let (mut engaged, mut capped) = (0, 0);
        for s in &scores {
            *grades.entry(s.grade.fit()).or_default() += 1;
            engaged += usize::from(s.engagement > 0.0);
            capped += s
                .contributions
                .iter()
                .filter(|c| c.capped_from.is_some())
                .count();
        }
        let mql = scores.iter().filter(|s| s.mql).count();
        eprintln!(
            "scoring fixture: {} leads, {} events; fit grades {grades:?}; engaged {engaged}; \
             capped contributions {capped}; mql {mql}",
            leads.len(),
            events.len()
        );
        assert!(grades.len() == 4 && engaged > 0 && capped > 0 && mql > 0);
        drop(scores);

        let index: HashMap<&str, usize> = leads
            .iter()
            .enumerate()
            .map(|(i, l)| (l.id.as_str(), i))
            .collect();
        let mut per_lead: Vec<Vec<EngagementEvent>> = vec![Vec::new(); leads.len()];
        for e in events {
            if let Some(&i) = index.get(e.lead_id.as_str()) {
                per_lead[i].push(e.clone());
            }
        }

        let n = leads.len();
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(BenchmarkId::new("score_batch", n), |b| {
            b.iter(|| scorer.score_batch(black_box(leads), black_box(events), now))
        });
        group.bench_function(BenchmarkId::new("score", n), |b| {
            b.iter(|| {
                leads
                    .iter()
                    .zip(&per_lead)
                    .map(|(l, e)| scorer.score(black_box(l), black_box(e), now).total)
                    .sum::<f64>()
            })
        });
        if n == 10_000 {
            let leads_text = serde_json::to_string(leads).expect("leads serialise");
            let events_text = serde_json::to_string(events).expect("events serialise");
            group.bench_function(BenchmarkId::new("score_batch_str", n), |b| {
                b.iter(|| {
                    scorer
                        .score_batch_str(black_box(&leads_text), Some(black_box(&events_text)), now)
                        .expect("valid input")
                })
            });
        }
    }
    group.finish();

    let model = model.expect("a model");
    let mut group = c.benchmark_group("scoring_build");
    group.throughput(Throughput::Elements(1));
    group.bench_function("new", |b| {
        b.iter_batched(
            || model.clone(),
            |m| Scorer::new(m).expect("valid"),
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

criterion_group!(benches, bench_scoring);
criterion_main!(benches);
