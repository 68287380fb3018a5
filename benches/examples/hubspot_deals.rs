//! Writes N sample opportunities (seed 7) as a HubSpot deal export, for the CSV import bench
//! and the issue-5 comparison with pandas and polars:
//! `cargo run --release -p revcore-benches --example hubspot_deals -- 1000000 deals.csv`
//! (default 100,000 rows to stdout).

use revcore::sample::{generate, SampleOptions};
use std::io::BufWriter;

fn main() {
    let mut args = std::env::args().skip(1);
    let rows: usize = match args.next() {
        Some(n) => n.replace('_', "").parse().unwrap_or_else(|_| {
            eprintln!("usage: hubspot_deals [ROWS] [PATH]: `{n}` is not a row count");
            std::process::exit(2)
        }),
        None => 100_000,
    };
    let world = generate(&SampleOptions {
        opportunities: rows,
        ..SampleOptions::default()
    });
    let written = match args.next() {
        Some(path) => {
            let file = std::fs::File::create(&path).unwrap_or_else(|e| {
                eprintln!("cannot create {path}: {e}");
                std::process::exit(1)
            });
            revcore_benches::hubspot::write_deals(&world.opportunities, BufWriter::new(file))
        }
        None => revcore_benches::hubspot::write_deals(
            &world.opportunities,
            BufWriter::new(std::io::stdout().lock()),
        ),
    };
    if let Err(e) = written {
        eprintln!("writing failed: {e}");
        std::process::exit(1);
    }
}
