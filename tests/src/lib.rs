//! Conformance vectors shared by every host, and the Rust side of running them.
//!
//! A vector (`vectors/<area>/<case>.json`, format in `vectors/README.md`) names an op, its input
//! and the expected result or error. The Rust runner here calls the core directly; the Python,
//! Node and uniffi runners call their host's API. All four must produce the same JSON.

use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// One conformance case as read from disk.
#[derive(Debug, Clone)]
pub struct Vector {
    pub file: PathBuf,
    pub op: String,
    pub input: Value,
    pub expected: Value,
}

/// Where the vectors live.
pub fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("vectors")
}

/// Every vector under `dir`, sorted by path, so runs are reproducible.
pub fn load_vectors(dir: &Path) -> Vec<Vector> {
    let mut files = Vec::new();
    collect_json(dir, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|file| {
            let text = std::fs::read_to_string(&file)
                .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            let doc: Value = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{}: invalid JSON: {e}", file.display()));
            let field = |k: &str| {
                doc.get(k)
                    .cloned()
                    .unwrap_or_else(|| panic!("{}: missing `{k}`", file.display()))
            };
            let op = field("op")
                .as_str()
                .unwrap_or_else(|| panic!("{}: `op` must be a string", file.display()))
                .to_string();
            Vector {
                op,
                input: field("input"),
                expected: field("expected"),
                file,
            }
        })
        .collect()
}

fn collect_json(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            collect_json(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}

/// The comparable form of an error: its code and the (path, code) of every problem.
pub fn error_outcome(e: &revcore::Error) -> Value {
    let errors: Vec<Value> = e
        .problems()
        .iter()
        .map(|p| json!({"path": p.path, "code": p.code}))
        .collect();
    json!({"error": {"code": e.code(), "errors": errors}})
}

fn input<'a>(v: &'a Value, key: &str) -> &'a Value {
    v.get(key).unwrap_or(&Value::Null)
}

fn optional<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.get(key).filter(|x| !x.is_null())
}

/// Runs one op against the core. `Err` means the op is unknown (a runner failure, not an outcome).
pub fn run(op: &str, args: &Value) -> Result<Value, String> {
    let outcome: revcore::Result<Value> = match op {
        "validate" => revcore::validate(
            input(args, "kind").as_str().unwrap_or(""),
            input(args, "value"),
            optional(args, "pipeline"),
        )
        .map(|()| Value::Null),
        "normalize" => revcore::normalize(
            input(args, "kind").as_str().unwrap_or(""),
            input(args, "value"),
            optional(args, "pipeline"),
        ),
        "condition.parse" => {
            revcore::Condition::parse(input(args, "condition")).map(|c| c.to_json())
        }
        "condition.matches" => revcore::Condition::parse(input(args, "condition"))
            .map(|c| Value::Bool(c.matches(input(args, "record")))),
        "condition.explain" => revcore::Condition::parse(input(args, "condition")).map(|c| {
            serde_json::to_value(c.explain(input(args, "record"))).expect("explanations serialise")
        }),
        "sample.generate" => {
            revcore::sample::generate_json(optional(args, "options").unwrap_or(&json!({})))
        }
        "pipeline.classify_stage" => revcore::classify_stage(
            input(args, "label").as_str().unwrap_or(""),
            optional(args, "pipeline"),
        )
        .map(|s| s.unwrap_or(Value::Null)),
        "routing.route" | "routing.route_batch" | "routing.preview" => routing(op, args),
        "scoring.score" | "scoring.score_batch" => scoring(op, args),
        "content.library" | "content.search" | "content.recommend" | "content.analytics" => {
            content(op, args)
        }
        "routing.simulate" => revcore::routing::simulate_json(
            input(args, "config"),
            input(args, "reps"),
            input(args, "leads"),
            optional(args, "accounts"),
        ),
        "kpi.report" => {
            revcore::kpi::kpi_report_json(input(args, "opportunities"), input(args, "request"))
        }
        "kpi.funnel" => revcore::kpi::funnel_json(
            input(args, "opportunities"),
            optional(args, "options").unwrap_or(&Value::Null),
        ),
        "kpi.coaching_flags" => {
            revcore::kpi::coaching_flags_json(input(args, "opportunities"), input(args, "request"))
        }
        "content.readiness" => revcore::content::readiness_json(
            input(args, "programs"),
            input(args, "reps"),
            input(args, "completions"),
            input(args, "opportunities"),
            input(args, "options"),
        ),
        "import.read_csv" => import_csv(args),
        op if op.starts_with("predictive.") => match predictive(op, args) {
            Some(outcome) => outcome,
            None => return Err(format!("unknown op `{op}`")),
        },
        other => return Err(format!("unknown op `{other}`")),
    };
    Ok(match outcome {
        Ok(v) => json!({ "ok": v }),
        Err(e) => error_outcome(&e),
    })
}

/// Builds a router from the vector and routes its leads (one by one, as a batch, or a preview).
fn routing(op: &str, args: &Value) -> revcore::Result<Value> {
    use revcore::routing::{parse_now, Router};
    let router = Router::from_json(
        input(args, "config"),
        input(args, "reps"),
        optional(args, "accounts"),
        optional(args, "state"),
    )?;
    let now_at = |i: usize| -> revcore::Result<_> {
        match input(args, "now") {
            Value::Array(times) => parse_now(times.get(i).and_then(Value::as_str).unwrap_or("")),
            other => parse_now(other.as_str().unwrap_or("")),
        }
    };
    let outcome = match op {
        "routing.preview" => {
            json!({"decision": router.preview_json(input(args, "lead"), now_at(0)?)?})
        }
        "routing.route_batch" => {
            json!({"decisions": router.route_batch_json(input(args, "leads"), now_at(0)?)?})
        }
        _ => {
            let leads = input(args, "leads").as_array().cloned().unwrap_or_default();
            let mut decisions = Vec::with_capacity(leads.len());
            for (i, lead) in leads.iter().enumerate() {
                decisions.push(router.route_json(lead, now_at(i)?)?);
            }
            json!({"decisions": decisions})
        }
    };
    let mut outcome = outcome;
    outcome["state"] = router.state_json();
    Ok(outcome)
}

/// Builds a scorer from the vector's model and scores its lead (or its leads, as a batch).
fn scoring(op: &str, args: &Value) -> revcore::Result<Value> {
    use revcore::routing::parse_now;
    use revcore::scoring::rules::Scorer;
    let scorer = Scorer::from_json(input(args, "model"))?;
    let now = parse_now(input(args, "now").as_str().unwrap_or(""))?;
    let events = optional(args, "events");
    match op {
        "scoring.score_batch" => scorer.score_batch_json(input(args, "leads"), events, now),
        _ => scorer.score_json(input(args, "lead"), events, now),
    }
}

/// Builds a content library from the vector's `assets`, applies its `changes` in order
/// (`{"add": asset}`, `{"update": asset}`, `{"remove": id}`), then lists, searches or
/// recommends (docs/content.md). An error building the library or applying a change is the
/// op's error.
fn content(op: &str, args: &Value) -> revcore::Result<Value> {
    let mut library = revcore::ContentLibrary::from_json(input(args, "assets"))?;
    for change in optional(args, "changes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(asset) = change.get("add") {
            library.add_json(asset)?;
        } else if let Some(asset) = change.get("update") {
            library.update_json(asset)?;
        } else if let Some(id) = change.get("remove") {
            library.remove_json(id.as_str().unwrap_or(""))?;
        } else {
            panic!("unknown change {change}");
        }
    }
    let limit = |default: i64| {
        optional(args, "limit")
            .and_then(Value::as_i64)
            .unwrap_or(default)
    };
    match op {
        "content.search" => library.search_json(
            input(args, "query").as_str().unwrap_or(""),
            optional(args, "filters"),
            limit(10),
        ),
        "content.recommend" => {
            library.recommend_json(input(args, "context"), limit(5), optional(args, "usage"))
        }
        "content.analytics" => library.analytics_json(
            input(args, "events"),
            input(args, "opportunities"),
            input(args, "options"),
        ),
        _ => Ok(library.assets_json()),
    }
}

/// The predictive ops (docs/predictive.md): models go in and out as the model file, a JSON
/// object; model-file errors keep the file's own paths (`features[0].coefficient`, not under
/// `model`). `None` for an unknown `predictive.*` op.
fn predictive(op: &str, args: &Value) -> Option<revcore::Result<Value>> {
    use revcore::scoring::predictive as p;
    let text = |key: &str| input(args, key).as_str().unwrap_or("").to_string();
    let options = || optional(args, "options").unwrap_or(&Value::Null);
    let file = |m: revcore::PredictiveModel| -> Value {
        serde_json::from_str(&m.to_json()).expect("model files are JSON")
    };
    let model = || revcore::PredictiveModel::from_value(input(args, "model"));
    Some(match op {
        "predictive.train" => p::train_json(
            input(args, "rows"),
            &text("label"),
            input(args, "features"),
            &text("algorithm"),
            options(),
        )
        .map(file),
        "predictive.predict" => model().and_then(|m| m.predict_json(input(args, "row"))),
        "predictive.predict_batch" => model()
            .and_then(|m| m.predict_batch_json(input(args, "rows")))
            .map(|ps| json!(ps)),
        "predictive.evaluate" => {
            model().and_then(|m| m.evaluate_json(input(args, "rows"), &text("label")))
        }
        "predictive.threshold_for_capacity" => p::threshold_for_capacity_json(input(args, "input")),
        "predictive.train_opportunities" => p::train_opportunities_json(
            input(args, "opportunities"),
            input(args, "context"),
            &text("algorithm"),
            options(),
        )
        .map(file),
        _ => return None,
    })
}

/// Writes the vector's CSV text to a temporary file and reads it back through the path reader,
/// as every host does. The result's row errors are compared without their `message`.
fn import_csv(args: &Value) -> revcore::Result<Value> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let path = std::env::temp_dir().join(format!(
        "revcore-vector-{}-{}.csv",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let text = input(args, "csv").as_str().unwrap_or("");
    std::fs::write(&path, text).expect("the temporary directory is writable");
    let read = revcore::import::read_csv_path_json(
        input(args, "kind").as_str().unwrap_or(""),
        &path,
        input(args, "mapping"),
        optional(args, "pipeline"),
        optional(args, "options"),
    );
    let _ = std::fs::remove_file(&path);
    Ok(import_outcome(read?.to_json()))
}

/// An import result as vectors state it: row errors without their `message` (messages are for
/// people and may be reworded).
pub fn import_outcome(mut result: Value) -> Value {
    if let Some(errors) = result.get_mut("errors").and_then(Value::as_array_mut) {
        for e in errors {
            if let Some(e) = e.as_object_mut() {
                e.remove("message");
            }
        }
    }
    result
}

/// JSON equality with numbers compared by value, as every host's runner does (`1 == 1.0`).
pub fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_json(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w)))
        }
        _ => a == b,
    }
}
