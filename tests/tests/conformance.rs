//! The Rust runner of the conformance vectors: every vector, against the core.

use revcore_conformance::{load_vectors, run, same_json, vectors_dir};

/// The foundation issue asks for at least this many model and condition cases.
const MIN_VECTORS: usize = 40;

#[test]
fn every_vector_passes() {
    let vectors = load_vectors(&vectors_dir());
    assert!(
        vectors.len() >= MIN_VECTORS,
        "only {} vectors found under {}",
        vectors.len(),
        vectors_dir().display()
    );
    let mut failures = Vec::new();
    for v in &vectors {
        match run(&v.op, &v.input) {
            Err(unknown) => failures.push(format!("{}: {unknown}", v.file.display())),
            Ok(got) if !same_json(&got, &v.expected) => failures.push(format!(
                "{}:\n  expected {}\n  got      {}",
                v.file.display(),
                v.expected,
                got
            )),
            Ok(_) => {}
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} vectors failed:\n{}",
        failures.len(),
        vectors.len(),
        failures.join("\n")
    );
}

#[test]
fn every_area_has_good_and_bad_cases() {
    let vectors = load_vectors(&vectors_dir());
    for area in ["model", "condition", "content", "import", "kpi"] {
        let in_area: Vec<_> = vectors
            .iter()
            .filter(|v| {
                v.file
                    .parent()
                    .and_then(|p| p.file_name())
                    .is_some_and(|n| n == area)
            })
            .collect();
        assert!(
            in_area.iter().any(|v| v.expected.get("ok").is_some()),
            "{area}: no good case"
        );
        assert!(
            in_area.iter().any(|v| v.expected.get("error").is_some()),
            "{area}: no bad case"
        );
    }
}

/// Issue 6 asks for at least 40 content vectors, and every content op must have some.
#[test]
fn content_has_forty_vectors_over_every_op() {
    let vectors = load_vectors(&vectors_dir().join("content"));
    assert!(
        vectors.len() >= 40,
        "only {} content vectors",
        vectors.len()
    );
    for op in [
        "content.library",
        "content.search",
        "content.recommend",
        "content.analytics",
        "content.readiness",
    ] {
        assert!(vectors.iter().any(|v| v.op == op), "no vector for {op}");
    }
}

/// Issue 5 asks for at least 50 KPI vectors, and every KPI op must have some.
#[test]
fn kpi_has_fifty_vectors_over_every_op() {
    let vectors = load_vectors(&vectors_dir().join("kpi"));
    assert!(vectors.len() >= 50, "only {} KPI vectors", vectors.len());
    for op in ["kpi.report", "kpi.funnel", "kpi.coaching_flags"] {
        assert!(vectors.iter().any(|v| v.op == op), "no vector for {op}");
    }
}

/// Issue 5 asks for at least 20 CSV import cases.
#[test]
fn import_has_enough_cases() {
    let vectors = load_vectors(&vectors_dir().join("import"));
    assert!(vectors.len() >= 20, "only {} import vectors", vectors.len());
    assert!(vectors.iter().all(|v| v.op == "import.read_csv"));
}
