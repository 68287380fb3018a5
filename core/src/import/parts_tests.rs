//! The parallel read of a file gives exactly the sequential read: same records, same errors
//! with the same lines and messages, same strict-mode failure, whatever the split points hit
//! (quoted line breaks, CRLF, blank lines, ids repeated across parts, bad rows).

use super::*;
use proptest::prelude::*;
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};

static FILES: AtomicUsize = AtomicUsize::new(0);

/// A file in the temp directory holding `text`, removed when dropped.
struct TempFile(std::path::PathBuf);

impl TempFile {
    fn new(text: &[u8]) -> TempFile {
        let n = FILES.fetch_add(1, Ordering::Relaxed);
        let path =
            std::env::temp_dir().join(format!("revcore-parts-{}-{n}.csv", std::process::id()));
        std::fs::write(&path, text).unwrap();
        TempFile(path)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn outcome(r: Result<Imported>) -> Value {
    match r {
        Ok(i) => i.to_json(),
        Err(e) => json!({"error": e.to_string(), "problems": format!("{:?}", e.problems())}),
    }
}

fn compare(text: &[u8], strict: bool, parts: usize) -> std::result::Result<(), TestCaseError> {
    let file = TempFile::new(text);
    let options = ImportOptions {
        strict,
        ..ImportOptions::default()
    };
    let kind = RecordKind::Opportunities;
    let sequential = read_csv(kind, text, &Mapping::HubSpot, None, &options);
    let parallel = read_csv_path_in_parts(kind, &file.0, &Mapping::HubSpot, None, &options, parts);
    // A report by owner over the table read in parts (a chunk per part, each with its own
    // owner codes) is the report over the table read in one go.
    let by_owner = |r: &Result<Imported>| {
        let table = r.as_ref().ok()?.records.opportunities()?;
        let request: crate::kpi::ReportRequest = serde_json::from_value(json!({
            "metrics": ["won_count", "open_pipeline", "median_cycle_days"],
            "group_by": ["owner_id", "close_date:month"],
        }))
        .unwrap();
        Some(crate::kpi::kpi_report_table(table, &request).map_err(|e| e.to_string()))
    };
    prop_assert_eq!(by_owner(&parallel), by_owner(&sequential));
    prop_assert_eq!(outcome(parallel), outcome(sequential));
    Ok(())
}

const HEADER: &str =
    "Record ID,Deal Name,Deal Stage,Amount,Close Date,Create Date,Deal owner,Pipeline";

fn row() -> impl Strategy<Value = String> {
    let id = prop_oneof![
        (0u32..40).prop_map(|n| format!("D{n}")),
        Just(String::new())
    ];
    let name = prop_oneof![
        Just("Acme".to_string()),
        Just("\"two\nlines\"".to_string()),
        Just("\"a, \"\"quoted\"\" one\"".to_string()),
        Just("\"crlf\r\ninside\"".to_string()),
        Just(String::new()),
    ];
    let stage = prop_oneof![
        Just("Closed Won"),
        Just("Closed Lost"),
        Just("Appointment Scheduled"),
        Just("Nope"),
    ];
    let amount = prop_oneof![
        Just("100"),
        Just("\"$1,234.50\""),
        Just(""),
        Just("(5)"),
        Just("x")
    ];
    let close = prop_oneof![
        Just("2026-03-01"),
        Just(""),
        Just("2025-01-01"),
        Just("bad")
    ];
    let created = prop_oneof![Just("2026-01-05 14:30"), Just("1/6/2026"), Just("someday")];
    let owner = prop_oneof![Just("Ada"), Just("Ben"), Just("")];
    let extra = prop_oneof![Just(""), Just(",extra")];
    (id, name, stage, amount, close, created, owner, extra).prop_map(
        |(id, name, stage, amount, close, created, owner, extra)| {
            format!("{id},{name},{stage},{amount},{close},{created},{owner},Sales Pipeline{extra}")
        },
    )
}

fn file() -> impl Strategy<Value = Vec<u8>> {
    let ending = prop_oneof![Just("\n"), Just("\r\n"), Just("\r")];
    let blank = prop::collection::vec(prop::bool::weighted(0.1), 1..60);
    (
        any::<bool>(),
        ending,
        prop::collection::vec(row(), 1..60),
        blank,
        any::<bool>(),
        prop_oneof![Just(None), (2usize..9, any::<bool>()).prop_map(Some)],
    )
        .prop_map(|(bom, ending, mut rows, blanks, final_break, ascending)| {
            // Ascending ids (as many exports have), each `every`-th row repeating the one
            // before: the sorted fast path, and where it stops. Padded numbers rise in byte
            // order; unpadded ones from 90 rise only shorter-first (`D99`, `D100`).
            if let Some((every, padded)) = ascending {
                for (i, r) in rows.iter_mut().enumerate() {
                    let n = if i % every == every - 1 { i - 1 } else { i };
                    let rest = r.split_once(',').map_or("", |x| x.1).to_string();
                    *r = if padded {
                        format!("D{n:05},{rest}")
                    } else {
                        format!("D{},{rest}", n + 90)
                    };
                }
            }
            let mut text = String::new();
            if bom {
                text.push('\u{feff}');
            }
            text.push_str(HEADER);
            for (i, r) in rows.iter().enumerate() {
                text.push_str(ending);
                if blanks.get(i).copied().unwrap_or(false) {
                    text.push_str(ending);
                }
                text.push_str(r);
            }
            if final_break {
                text.push_str(ending);
            }
            text.into_bytes()
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn parts_read_what_one_reader_reads(text in file(), strict in prop::bool::weighted(0.2), parts in 2usize..6) {
        compare(&text, strict, parts)?;
    }
}

/// The HubSpot deals of `file` with default options, in up to `parts` parts.
fn in_parts(file: &TempFile, parts: usize) -> Imported {
    read_csv_path_in_parts(
        RecordKind::Opportunities,
        &file.0,
        &Mapping::HubSpot,
        None,
        &ImportOptions::default(),
        parts,
    )
    .unwrap()
}

fn clean_file(rows: usize) -> String {
    let mut text = String::from(HEADER);
    for i in 0..rows {
        text.push_str(&format!(
            "\r\nD{i},Deal {i},Closed Won,{i}.50,2026-03-01,2026-01-05 14:30,Rep {},Sales Pipeline",
            i % 7
        ));
    }
    text.push_str("\r\n");
    text
}

#[test]
fn a_clean_file_is_read_in_parts() {
    let text = clean_file(500);
    let file = TempFile::new(text.as_bytes());
    let options = ImportOptions::default();
    let got = read_csv_path_in_parts(
        RecordKind::Opportunities,
        &file.0,
        &Mapping::HubSpot,
        None,
        &options,
        4,
    )
    .unwrap();
    let table = got.records.opportunities().unwrap();
    assert_eq!(table.len(), 500);
    assert_eq!(table.chunk_count(), 4, "the parallel path was taken");
    let sequential = read_csv(
        RecordKind::Opportunities,
        text.as_bytes(),
        &Mapping::HubSpot,
        None,
        &options,
    )
    .unwrap();
    assert_eq!(got.to_json(), sequential.to_json());
}

#[test]
fn an_id_repeated_across_parts_names_its_first_line() {
    let mut text = clean_file(400);
    text.push_str("D3,Again,Closed Lost,1,2026-03-01,2026-01-05,Ada,Sales Pipeline\r\n");
    let file = TempFile::new(text.as_bytes());
    let got = in_parts(&file, 3);
    assert_eq!(got.records.len(), 400);
    assert_eq!(got.errors.len(), 1);
    assert_eq!(got.errors[0].line, 402);
    assert_eq!(got.errors[0].message, "id `D3` was already read on line 5");
}

#[test]
fn errors_in_later_parts_carry_file_lines() {
    let mut text = clean_file(300);
    text.push_str("Z1,Bad,Nope,1,2026-03-01,2026-01-05,Ada,Sales Pipeline\r\n");
    text.push_str("Z2,Dup,Closed Won,1,2026-03-01,2026-01-05,Ada,Sales Pipeline\r\n");
    text.push_str("Z2,Dup,Closed Won,1,2026-03-01,2026-01-05,Ada,Sales Pipeline\r\n");
    let file = TempFile::new(text.as_bytes());
    let got = in_parts(&file, 3);
    assert_eq!(got.records.opportunities().unwrap().chunk_count(), 3);
    let lines: Vec<(u64, &str, &str)> = got
        .errors
        .iter()
        .map(|e| (e.line, e.code.as_str(), e.message.as_str()))
        .collect();
    assert_eq!(lines[0].0, 302);
    assert_eq!(lines[0].1, "unknown_stage");
    assert_eq!(
        lines[1],
        (304, "duplicate_id", "id `Z2` was already read on line 303")
    );
}

#[test]
fn ids_are_checked_across_a_part_without_ids() {
    // 100 rows of rising ids, 200 rows without an id (none built), then the first 100 ids
    // again: read in three parts, the middle one has no ids, and the parts on either side of
    // it must still be compared.
    let mut text = String::from(HEADER);
    for section in [0, 1, 1, 2] {
        for i in 100..200 {
            let id = if section == 1 {
                String::new()
            } else {
                format!("E{i}")
            };
            text.push_str(&format!(
                "\r\n{id:>4},Deal,Closed Won,1.50,2026-03-01,2026-01-05 14:30,Ada,Sales Pipeline"
            ));
        }
    }
    text.push_str("\r\n");
    let file = TempFile::new(text.as_bytes());
    let got = in_parts(&file, 3);
    // (A repeat across parts sends the read back to one reader, which names first lines.)
    let duplicates = got
        .errors
        .iter()
        .filter(|e| e.code == "duplicate_id")
        .count();
    assert_eq!(duplicates, 100);
    let sequential = read_csv(
        RecordKind::Opportunities,
        text.as_bytes(),
        &Mapping::HubSpot,
        None,
        &ImportOptions::default(),
    )
    .unwrap();
    assert_eq!(got.to_json(), sequential.to_json());
}

#[test]
fn numbered_ids_rise_shorter_first_across_parts() {
    // `D0` .. `D599`: not rising in byte order (`D10` < `D9`), rising shorter-first, in every
    // part and from part to part; one repeat at the end is still found.
    let mut text = clean_file(600);
    text.push_str("D42,Again,Closed Lost,1,2026-03-01,2026-01-05,Ada,Sales Pipeline\r\n");
    let file = TempFile::new(text.as_bytes());
    let got = in_parts(&file, 4);
    assert_eq!(got.records.len(), 600);
    assert_eq!(got.errors.len(), 1);
    assert_eq!(
        got.errors[0].message,
        "id `D42` was already read on line 44"
    );
}
