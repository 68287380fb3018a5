//! Issue 5's report from a CSV, in Rust alone: reads a HubSpot deal export (as written by the
//! `hubspot_deals` example) and computes the comparison's metrics by owner x close quarter,
//! printing the time of each half. For profiling the path the Python comparison takes.
//!
//! `cargo run --release -p revcore-benches --example kpi_csv -- /tmp/deals.csv [repeats] [--fields]`
//! (`--fields`: read only the fields the report needs, as the comparison does).

use revcore::import::{read_csv_path, ImportOptions, Mapping, RecordKind};
use revcore::kpi::{kpi_report_table, ReportRequest};
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: kpi_csv <deals.csv> [repeats]");
    let repeats: usize = args.next().map_or(1, |r| r.parse().expect("a count"));
    let options = ImportOptions {
        fields: (args.next().as_deref() == Some("--fields")).then(|| {
            ["owner_id", "amount", "close_date"]
                .map(String::from)
                .to_vec()
        }),
        ..ImportOptions::default()
    };
    let request: ReportRequest = serde_json::from_value(serde_json::json!({
        "metrics": ["won_count", "lost_count", "win_rate", "won_amount", "avg_deal_size",
                    "median_cycle_days"],
        "group_by": ["owner_id", "close_date:quarter"],
    }))
    .expect("a valid request");
    for _ in 0..repeats {
        let start = Instant::now();
        let imported = read_csv_path(
            RecordKind::Opportunities,
            path.as_ref(),
            &Mapping::HubSpot,
            None,
            &options,
        )
        .expect("the file reads");
        let read = start.elapsed();
        let table = imported.records.opportunities().expect("opportunities");
        let report = kpi_report_table(table, &request).expect("the report runs");
        let total = start.elapsed();
        println!(
            "rows {} errors {} groups {}: read {:.3} s, report {:.3} s, total {:.3} s",
            table.len(),
            imported.errors.len(),
            report.rows.len(),
            read.as_secs_f64(),
            (total - read).as_secs_f64(),
            total.as_secs_f64()
        );
    }
}
