//! The revcore side of the scoring comparison with scikit-learn (benches/compare/scoring_sklearn.py):
//! generates the synthetic lead-scoring set (seed 42, 200,000 rows x 30 features by default),
//! writes its train part (the first 80%) and test part (the last 20%) as CSV, trains revcore's
//! logistic model (lambda 1.0, i.e. scikit-learn's C = 1.0) on the train part, and prints test
//! AUC, log loss and the training time (median of `--repeat` runs, wall clock and CPU) as one
//! JSON line.
//!
//! `cargo run --release -p revcore-benches --example train_synthetic -- [--rows N] [--seed S]
//!  [--out DIR] [--repeat R] [--lambda L] [--no-csv]`
//!
//! Training time is the time of `PredictiveModel::train_table` on the in-memory table: reading
//! the columns, the preprocessing statistics, the encoding and the Newton fit. The CSV files hold
//! every float in its shortest round-trip form, so Python reads exactly the values trained on.

use revcore::scoring::predictive::synthetic::{synthetic, SyntheticOptions};
use revcore::scoring::predictive::{
    Algorithm, Column, FeatureSpec, PredictiveModel, Table, TrainOptions,
};
use serde_json::json;
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

struct Args {
    rows: usize,
    seed: u64,
    out: PathBuf,
    repeat: usize,
    lambda: f64,
    csv: bool,
}

fn args() -> Args {
    let mut a = Args {
        rows: 200_000,
        seed: 42,
        out: PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../target/scoring-compare"
        )),
        repeat: 3,
        lambda: 1.0,
        csv: true,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--rows" => a.rows = value().parse().expect("--rows N"),
            "--seed" => a.seed = value().parse().expect("--seed S"),
            "--out" => a.out = PathBuf::from(value()),
            "--repeat" => a.repeat = value().parse().expect("--repeat R"),
            "--lambda" => a.lambda = value().parse().expect("--lambda L"),
            "--no-csv" => a.csv = false,
            other => panic!("unknown argument {other}"),
        }
    }
    a
}

fn write_csv(path: &PathBuf, table: &Table) -> std::io::Result<()> {
    let mut w = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(w, "{}", table.names().join(","))?;
    let columns: Vec<&Column> = table
        .names()
        .iter()
        .map(|n| table.column(n).expect("a named column"))
        .collect();
    let mut line = String::new();
    for i in 0..table.len() {
        line.clear();
        for (j, c) in columns.iter().enumerate() {
            if j > 0 {
                line.push(',');
            }
            match c {
                Column::Number(v) if !v[i].is_nan() => line.push_str(&format!("{}", v[i])),
                Column::Bool(v) => {
                    if let Some(b) = v[i] {
                        line.push_str(if b { "true" } else { "false" });
                    }
                }
                Column::Text(v) => {
                    if let Some(s) = &v[i] {
                        line.push_str(s);
                    }
                }
                _ => {}
            }
        }
        writeln!(w, "{line}")?;
    }
    w.flush()
}

/// CPU time of this thread in seconds (Linux; `None` elsewhere): robust to a busy machine,
/// and the whole cost since training runs on one thread.
fn cpu_seconds() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    Some(s.split_whitespace().next()?.parse::<f64>().ok()? / 1e9)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Runs `f` `repeat` times: the last result, the median wall time, every wall time, the
/// median CPU time.
fn timed<T>(repeat: usize, mut f: impl FnMut() -> T) -> (T, f64, Vec<f64>, Option<f64>) {
    let mut times = Vec::new();
    let mut cpu = Vec::new();
    let mut last = None;
    for _ in 0..repeat.max(1) {
        let (t0, c0) = (Instant::now(), cpu_seconds());
        let x = f();
        times.push(t0.elapsed().as_secs_f64());
        if let (Some(a), Some(b)) = (c0, cpu_seconds()) {
            cpu.push(b - a);
        }
        last = Some(x);
    }
    let cpu = (!cpu.is_empty()).then(|| median(cpu));
    let wall = median(times.clone());
    (last.expect("at least one run"), wall, times, cpu)
}

fn main() {
    let a = args();
    let set = synthetic(&SyntheticOptions::new(a.seed, a.rows));
    let split = a.rows * 4 / 5;
    let train = set.table.slice(0..split);
    let test = set.table.slice(split..a.rows);
    if a.csv {
        std::fs::create_dir_all(&a.out).expect("create the output directory");
        write_csv(&a.out.join("train.csv"), &train).expect("write train.csv");
        write_csv(&a.out.join("test.csv"), &test).expect("write test.csv");
        let features: Vec<&FeatureSpec> = set.features.iter().collect();
        std::fs::write(
            a.out.join("spec.json"),
            json!({"label": set.label, "features": features, "lambda": a.lambda}).to_string(),
        )
        .expect("write spec.json");
    }
    let options = TrainOptions {
        lambda: Some(a.lambda),
        ..TrainOptions::default()
    };
    let (model, logistic_s, logistic_runs, logistic_cpu) = timed(a.repeat, || {
        PredictiveModel::train_table(
            &train,
            set.label,
            &set.features,
            Algorithm::Logistic,
            &options,
        )
        .expect("training succeeds")
    });
    let eval = model.evaluate_table(&test, set.label).expect("evaluation");
    let (bayes, bayes_s, _, bayes_cpu) = timed(a.repeat, || {
        PredictiveModel::train_table(
            &train,
            set.label,
            &set.features,
            Algorithm::NaiveBayes,
            &TrainOptions::default(),
        )
        .expect("training succeeds")
    });
    let bayes_eval = bayes.evaluate_table(&test, set.label).expect("evaluation");
    if a.csv {
        std::fs::write(a.out.join("model_logistic.json"), model.to_json()).expect("write model");
    }
    let report = model.training();
    println!(
        "{}",
        json!({
            "rows_train": train.len(), "rows_test": test.len(), "features": set.features.len(),
            "positive_rate_train": report.positives as f64 / report.rows as f64,
            "logistic": {
                "test_auc": eval.auc, "test_log_loss": eval.log_loss,
                "train_seconds": logistic_s, "train_seconds_runs": logistic_runs,
                "train_cpu_seconds": logistic_cpu,
                "iterations": report.iterations, "converged": report.converged,
                "loss": report.loss, "max_gradient": report.max_gradient,
                "last_step": report.last_step,
            },
            "naive_bayes": {"test_auc": bayes_eval.auc, "test_log_loss": bayes_eval.log_loss,
                            "train_seconds": bayes_s, "train_cpu_seconds": bayes_cpu},
            "out": a.out,
        })
    );
}
