//! CSV import throughput (docs/import.md): 100,000 sample opportunities (seed 7) written as a
//! HubSpot deal export in memory, then read back with the `hubspot` preset and the default
//! pipeline. Reported as rows per second and bytes per second, one core. The text is read from
//! memory, so the figure is the parser and the record building, not the disk.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use revcore::import::{read_csv, ImportOptions, Mapping, RecordKind};
use revcore::sample::{generate, SampleOptions};
use std::hint::black_box;

const ROWS: usize = 100_000;

fn bench_import(c: &mut Criterion) {
    let world = generate(&SampleOptions {
        opportunities: ROWS,
        ..SampleOptions::default()
    });
    let mut text = Vec::new();
    revcore_benches::hubspot::write_deals(&world.opportunities, &mut text)
        .expect("writing to memory cannot fail");
    let options = ImportOptions::default();
    // Every sample deal must come back: a bench of error reporting would measure the wrong thing.
    let read = read_csv(
        RecordKind::Opportunities,
        &text[..],
        &Mapping::HubSpot,
        None,
        &options,
    )
    .expect("the sample export reads");
    assert!(
        read.errors.is_empty(),
        "{:?}",
        &read.errors[..read.errors.len().min(3)]
    );
    assert_eq!(read.records.len(), world.opportunities.len());

    let mut group = c.benchmark_group("import");
    group.sample_size(10);
    group.throughput(Throughput::Elements(ROWS as u64));
    group.bench_function("hubspot_deals_rows/100000", |b| {
        b.iter(|| {
            read_csv(
                RecordKind::Opportunities,
                black_box(&text[..]),
                &Mapping::HubSpot,
                None,
                &options,
            )
            .expect("reads")
        })
    });
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("hubspot_deals_bytes/100000", |b| {
        b.iter(|| {
            read_csv(
                RecordKind::Opportunities,
                black_box(&text[..]),
                &Mapping::HubSpot,
                None,
                &options,
            )
            .expect("reads")
        })
    });
    group.finish();
}

criterion_group!(benches, bench_import);
criterion_main!(benches);
