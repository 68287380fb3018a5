//! Predictive models (docs/predictive.md): the solver recovers known coefficients and meets
//! its optimality condition, naive Bayes matches a hand computation, AUC and the other
//! measures match hand cases, model files round-trip bit for bit, training is deterministic,
//! opportunities train and score, and every kind of bad input is a typed error with its path.
//! Kept small enough to run in well under ten seconds in a debug build.

use chrono::{DateTime, Utc};
use revcore::scoring::predictive::synthetic::{synthetic, SyntheticOptions};
use revcore::scoring::predictive::{
    auc, evaluate, opportunity_rows, threshold_for_capacity, threshold_for_capacity_json,
    train_json, Algorithm, ClassWeight, Column, FeatureKind, FeatureSpec, Inflow,
    OpportunityContext, PredictiveModel, Subject, Table, TrainOptions,
};
use revcore::Error;
use serde_json::{json, Value};

/// SplitMix64 for test data.
struct Rand(u64);

impl Rand {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        (0..12).map(|_| self.unit()).sum::<f64>() - 6.0
    }
}

/// Rows from a known model: logit = -0.5 + 1.0 x1 - 0.5 x2 + 0.8 [flag] + {a: 0, b: 0.7,
/// c: -0.6}[src]; x2 is 10% missing (hidden after the label was drawn), flag 5% missing.
fn known_rows(n: usize, seed: u64) -> Vec<Value> {
    let mut r = Rand(seed);
    (0..n)
        .map(|_| {
            let x1 = r.normal();
            let x2 = 3.0 + 2.0 * r.normal();
            let flag = r.unit() < 0.4;
            let u = r.unit();
            let (src, effect) = if u < 0.5 {
                ("a", 0.0)
            } else if u < 0.8 {
                ("b", 0.7)
            } else {
                ("c", -0.6)
            };
            let eta = -0.5 + 1.0 * x1 - 0.5 * x2 + 0.8 * f64::from(u8::from(flag)) + effect;
            let y = r.unit() < 1.0 / (1.0 + (-eta).exp());
            let x2 = if r.unit() < 0.1 {
                Value::Null
            } else {
                json!(x2)
            };
            let flag = if r.unit() < 0.05 {
                Value::Null
            } else {
                json!(flag)
            };
            json!({"x1": x1, "x2": x2, "flag": flag, "src": src, "won": y})
        })
        .collect()
}

fn known_features() -> Value {
    json!([
        {"name": "x1", "kind": "numeric"},
        {"name": "x2", "kind": "numeric"},
        {"name": "flag", "kind": "boolean"},
        {"name": "src", "kind": "categorical"}
    ])
}

fn train(rows: &[Value], algorithm: &str, options: Value) -> PredictiveModel {
    train_json(&json!(rows), "won", &known_features(), algorithm, &options).unwrap()
}

fn feature<'a>(model: &'a Value, name: &str) -> &'a Value {
    model["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == name)
        .unwrap()
}

fn first_problem(e: &Error) -> (String, String) {
    let p = &e.problems()[0];
    (p.path.clone(), p.code.clone())
}

#[test]
fn models_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<PredictiveModel>();
    check::<Table>();
}

#[test]
fn logistic_recovers_known_coefficients() {
    let rows = known_rows(20_000, 1);
    let model = train(&rows, "logistic", json!({"lambda": 1e-3}));
    let report = model.training();
    assert_eq!(report.converged, Some(true));
    let m = model.to_value();
    // Coefficients act on standardised values: divide by the std for the raw scale.
    let x1 = feature(&m, "x1");
    let raw1 = x1["coefficient"].as_f64().unwrap() / x1["std"].as_f64().unwrap();
    assert!((raw1 - 1.0).abs() < 0.08, "x1 {raw1}");
    let x2 = feature(&m, "x2");
    let raw2 = x2["coefficient"].as_f64().unwrap() / x2["std"].as_f64().unwrap();
    // Median imputation of the hidden 10% attenuates x2 a little.
    assert!((raw2 + 0.5).abs() < 0.08, "x2 {raw2}");
    let flag = feature(&m, "flag");
    assert!((flag["true"].as_f64().unwrap() - 0.8).abs() < 0.1, "{flag}");
    // One-hot levels are identified relative to each other.
    let src = feature(&m, "src");
    assert_eq!(src["levels"], json!(["a", "b", "c"]));
    let c: Vec<f64> = serde_json::from_value(src["coefficients"].clone()).unwrap();
    assert!((c[1] - c[0] - 0.7).abs() < 0.1, "{c:?}");
    assert!((c[2] - c[0] + 0.6).abs() < 0.1, "{c:?}");
    // Nothing was ever "other" or missing in training: those columns stay at 0.
    assert_eq!(src["other"], json!(0.0));
    assert_eq!(src["missing"], json!(0.0));
}

/// The design of `known_features` for these rows, from the model's own statistics.
fn design_row(m: &Value, row: &Value) -> Vec<f64> {
    let mut x = vec![1.0];
    for f in m["features"].as_array().unwrap() {
        let v = &row[f["name"].as_str().unwrap()];
        match f["kind"].as_str().unwrap() {
            "numeric" => {
                let t = v.as_f64().unwrap_or(f["median"].as_f64().unwrap());
                x.push((t - f["mean"].as_f64().unwrap()) / f["std"].as_f64().unwrap());
            }
            "boolean" => {
                x.push(f64::from(u8::from(v == &json!(true))));
                x.push(f64::from(u8::from(v.is_null())));
            }
            _ => {
                let levels = f["levels"].as_array().unwrap();
                let mut onehot = vec![0.0; levels.len() + 2];
                match levels.iter().position(|l| l == v) {
                    Some(j) => onehot[j] = 1.0,
                    None if v.is_null() => onehot[levels.len() + 1] = 1.0,
                    None => onehot[levels.len()] = 1.0,
                }
                x.extend(onehot);
            }
        }
    }
    x
}

fn coefficients(m: &Value) -> Vec<f64> {
    let mut b = vec![m["intercept"].as_f64().unwrap()];
    for f in m["features"].as_array().unwrap() {
        match f["kind"].as_str().unwrap() {
            "numeric" => b.push(f["coefficient"].as_f64().unwrap()),
            "boolean" => {
                b.push(f["true"].as_f64().unwrap());
                b.push(f["missing"].as_f64().unwrap());
            }
            _ => {
                for c in f["coefficients"].as_array().unwrap() {
                    b.push(c.as_f64().unwrap());
                }
                b.push(f["other"].as_f64().unwrap());
                b.push(f["missing"].as_f64().unwrap());
            }
        }
    }
    b
}

#[test]
fn logistic_meets_its_optimality_condition_with_class_weights() {
    let rows = known_rows(3000, 2);
    let lambda = 2.0;
    let model = train(
        &rows,
        "logistic",
        json!({"lambda": lambda, "class_weight": "balanced", "min_level_count": 1}),
    );
    let m = model.to_value();
    let b = coefficients(&m);
    let positives = rows.iter().filter(|r| r["won"] == json!(true)).count() as f64;
    let n = rows.len() as f64;
    let (wp, wn) = (n / (2.0 * positives), n / (2.0 * (n - positives)));
    // Gradient of sum_i w_i logloss_i + lambda/2 |b_1..|^2 at the returned coefficients.
    let mut grad = vec![0.0; b.len()];
    for row in &rows {
        let x = design_row(&m, row);
        let eta: f64 = x.iter().zip(&b).map(|(a, c)| a * c).sum();
        let y = row["won"] == json!(true);
        let p = 1.0 / (1.0 + (-eta).exp());
        let w = if y { wp } else { wn };
        for (g, v) in grad.iter_mut().zip(&x) {
            *g += w * (p - f64::from(u8::from(y))) * v;
        }
    }
    for j in 1..b.len() {
        grad[j] += lambda * b[j];
    }
    let worst = grad.iter().fold(0.0f64, |a, g| a.max(g.abs()));
    assert!(worst < 1e-7, "gradient {grad:?}");
    // The explicit form of the same weights gives the same model.
    let explicit = train(
        &rows,
        "logistic",
        json!({"lambda": lambda, "class_weight": {"true": wp, "false": wn}, "min_level_count": 1}),
    );
    let e = explicit.to_value();
    assert_eq!(coefficients(&e), b);
}

#[test]
fn naive_bayes_matches_a_hand_computation() {
    let rows = json!([
        {"src": "a", "n": 1, "won": true},
        {"src": "a", "n": 2, "won": true},
        {"src": "b", "n": 3, "won": false},
        {"src": "a", "n": 4, "won": false},
    ]);
    let features =
        json!([{"name": "src", "kind": "categorical"}, {"name": "n", "kind": "numeric"}]);
    let model = train_json(
        &rows,
        "won",
        &features,
        "naive_bayes",
        &json!({"min_level_count": 1, "bins": 2, "alpha": 1.0}),
    )
    .unwrap();
    let m = model.to_value();
    assert_eq!(m["prior"], json!([2, 2]));
    let src = feature(&m, "src");
    assert_eq!(src["levels"], json!(["a", "b"]));
    assert_eq!(src["counts"], json!([[2, 1], [0, 1]]));
    assert_eq!(src["other"], json!([0, 0]));
    let n = feature(&m, "n");
    // Edge at the sorted value ceil(1 * 4 / 2) - 1 = 1: 2. Bins (-inf, 2], (2, inf).
    assert_eq!(n["edges"], json!([2.0]));
    assert_eq!(n["counts"], json!([[2, 0], [0, 2]]));
    // src = a: ln((2+1)/(1+1)) with K = 4 slots on both sides (the norms cancel, equal
    // priors); n = 1 (bin 0): ln((2+1)/(0+1)), K = 3. Log-odds ln(1.5) + ln(3) = ln(4.5).
    let p = model.predict(&json!({"src": "a", "n": 1})).unwrap();
    assert!((p.log_odds - 4.5f64.ln()).abs() < 1e-14, "{}", p.log_odds);
    assert!((p.probability - 4.5 / 5.5).abs() < 1e-14);
    // An unseen level reads as "other" (0 vs 0: no evidence), a missing n as the missing bin.
    let p = model.predict(&json!({"src": "zzz", "n": null})).unwrap();
    assert!(p.log_odds.abs() < 1e-15, "{}", p.log_odds);
    let other = p.factors.iter().find(|f| f.feature == "src").unwrap();
    assert_eq!(other.bucket, "other");
    assert_eq!(other.value, json!("zzz"));
}

#[test]
fn auc_is_exact_with_ties() {
    assert_eq!(
        auc(&[0.1, 0.4, 0.35, 0.8], &[false, false, true, true]),
        Some(0.75)
    );
    // Positive 0.5 ties two negatives (1/2 each), positive 0.9 beats both: 3 of 4 pairs.
    assert_eq!(
        auc(&[0.5, 0.5, 0.5, 0.9], &[true, false, false, true]),
        Some(0.75)
    );
    assert_eq!(
        auc(&[0.3; 5], &[true, false, true, false, false]),
        Some(0.5)
    );
    assert_eq!(auc(&[0.3, 0.2], &[true, true]), None);
    // 3 positives, 2 negatives, one tie across classes: (5 + 0.5) / 6.
    let a = auc(
        &[0.9, 0.6, 0.6, 0.2, 0.7],
        &[true, true, false, false, true],
    )
    .unwrap();
    assert_eq!(a, 5.5 / 6.0);
}

#[test]
fn evaluation_measures_match_hand_values() {
    let p = [0.9, 0.8, 0.3, 0.2];
    let y = [true, false, true, false];
    let e = evaluate(&p, &y).unwrap();
    assert_eq!(e.rows, 4);
    assert_eq!(e.positives, 2);
    assert_eq!(e.auc, Some(0.75));
    let ll = -((0.9f64).ln() + (0.2f64).ln() + (0.3f64).ln() + (0.8f64).ln()) / 4.0;
    assert!((e.log_loss - ll).abs() < 1e-15);
    let brier = (0.01 + 0.64 + 0.49 + 0.04) / 4.0;
    assert!((e.brier - brier).abs() < 1e-15);
    // Four rows over ten deciles: ranks 0..3 fall in deciles 1, 3, 6, 8.
    let counts: Vec<u64> = e.lift.iter().map(|l| l.count).collect();
    assert_eq!(counts, vec![1, 0, 1, 0, 0, 1, 0, 1, 0, 0]);
    assert_eq!(e.lift[0].rate, Some(1.0));
    assert_eq!(e.lift[0].lift, Some(2.0));
    assert_eq!(e.lift[1].rate, None);
    let cal = &e.calibration;
    assert_eq!(cal[9].count, 1);
    assert_eq!(cal[2].mean_predicted, Some(0.2));
    assert_eq!(cal[2].observed_rate, Some(0.0));
    assert_eq!(cal[3].observed_rate, Some(1.0));
    assert_eq!(cal[5].count, 0);
    assert!(evaluate(&[1.5], &[true]).is_err());
}

#[test]
fn model_files_round_trip_bit_for_bit() {
    let rows = known_rows(1500, 3);
    for (algorithm, options) in [
        ("logistic", json!({"min_level_count": 1})),
        ("naive_bayes", json!({"min_level_count": 1, "bins": 7})),
    ] {
        let model = train(&rows, algorithm, options);
        let text = model.to_json();
        let loaded = PredictiveModel::from_json(&text).unwrap();
        assert_eq!(loaded, model, "{algorithm}");
        assert_eq!(loaded.to_json(), text, "{algorithm}");
        let a = model.predict_batch(&rows).unwrap();
        let b = loaded.predict_batch(&rows).unwrap();
        let same = a.iter().zip(&b).all(|(x, y)| x.to_bits() == y.to_bits());
        assert!(same, "{algorithm}: probabilities differ after loading");
        // One row at a time gives the same bits as the batch.
        for (i, row) in rows.iter().enumerate().take(50) {
            assert_eq!(
                loaded.predict(row).unwrap().probability.to_bits(),
                a[i].to_bits()
            );
        }
        // And so does the pretty-printed file.
        let pretty = serde_json::to_string_pretty(&model.to_value()).unwrap();
        assert_eq!(PredictiveModel::from_json(&pretty).unwrap(), model);
    }
}

#[test]
fn training_is_deterministic_and_rows_or_columns_agree() {
    let rows = known_rows(1000, 4);
    let a = train(&rows, "logistic", json!({"min_level_count": 1})).to_json();
    let b = train(&rows, "logistic", json!({"min_level_count": 1})).to_json();
    assert_eq!(a, b);
    // The same rows as columns: a JSON object of lists, and a typed Table.
    let mut columns = serde_json::Map::new();
    for key in ["x1", "x2", "flag", "src", "won"] {
        columns.insert(key.into(), rows.iter().map(|r| r[key].clone()).collect());
    }
    let c = train_json(
        &Value::Object(columns),
        "won",
        &known_features(),
        "logistic",
        &json!({"min_level_count": 1}),
    )
    .unwrap()
    .to_json();
    assert_eq!(a, c);
    let num = |k: &str| {
        Column::Number(
            rows.iter()
                .map(|r| r[k].as_f64().unwrap_or(f64::NAN))
                .collect(),
        )
    };
    let flag = |k: &str| Column::Bool(rows.iter().map(|r| r[k].as_bool()).collect());
    let table = Table::new(vec![
        ("x1".into(), num("x1")),
        ("x2".into(), num("x2")),
        ("flag".into(), flag("flag")),
        (
            "src".into(),
            Column::Text(
                rows.iter()
                    .map(|r| r["src"].as_str().map(String::from))
                    .collect(),
            ),
        ),
        ("won".into(), flag("won")),
    ])
    .unwrap();
    let specs: Vec<FeatureSpec> = serde_json::from_value(known_features()).unwrap();
    let options = TrainOptions {
        min_level_count: Some(1),
        ..TrainOptions::default()
    };
    let d =
        PredictiveModel::train_table(&table, "won", &specs, Algorithm::Logistic, &options).unwrap();
    assert_eq!(a, d.to_json());
    assert_eq!(
        d.predict_table(&table).unwrap(),
        d.predict_batch(&rows).unwrap()
    );
}

#[test]
fn predictions_explain_themselves() {
    let rows = known_rows(2000, 5);
    let model = train(&rows, "logistic", json!({}));
    let p = model
        .predict(&json!({"x1": 2.0, "x2": null, "flag": "yes", "src": "b"}))
        .unwrap();
    assert_eq!(p.factors.len(), 4);
    let sum: f64 = p.factors.iter().map(|f| f.contribution).sum();
    assert!((p.base + sum - p.log_odds).abs() < 1e-12);
    assert!((p.probability - 1.0 / (1.0 + (-p.log_odds).exp())).abs() < 1e-15);
    for w in p.factors.windows(2) {
        assert!(w[0].contribution.abs() >= w[1].contribution.abs());
    }
    let x2 = p.factors.iter().find(|f| f.feature == "x2").unwrap();
    assert_eq!((x2.bucket.as_str(), &x2.value), ("missing", &Value::Null));
    let flag = p.factors.iter().find(|f| f.feature == "flag").unwrap();
    assert_eq!((flag.bucket.as_str(), &flag.value), ("true", &json!("yes")));
    // A missing column is a missing value, not an error.
    assert!(model.predict(&json!({})).is_ok());
    let json = model.predict_json(&json!({"x1": 1.0})).unwrap();
    assert!(json["factors"][0]["contribution"].is_number());
    // Evaluate on fresh rows from the same model: real signal.
    let test = known_rows(2000, 6);
    let e = model.evaluate_json(&json!(test), "won").unwrap();
    assert!(e["auc"].as_f64().unwrap() > 0.75, "{}", e["auc"]);
    assert_eq!(e["lift"].as_array().unwrap().len(), 10);
}

#[test]
fn synthetic_set_has_real_signal_and_is_deterministic() {
    let a = synthetic(&SyntheticOptions::new(9, 3000));
    let b = synthetic(&SyntheticOptions::new(9, 3000));
    assert_eq!(a, b);
    assert_eq!(a.features.len(), 30);
    assert_eq!(a.table.len(), 3000);
    let longer = synthetic(&SyntheticOptions::new(9, 3100));
    assert_eq!(longer.table.slice(0..3000), a.table);
    assert_eq!(a.table.slice(5000..6000).len(), 0);
    assert!(a.table.row(2999).is_some() && a.table.row(3000).is_none());
    // Rows read back from the table train the same model as the table itself.
    let rows: Vec<Value> = (0..300).map(|i| a.table.row(i).unwrap()).collect();
    let opts = TrainOptions::default();
    let from_rows =
        PredictiveModel::train(&rows, a.label, &a.features, Algorithm::NaiveBayes, &opts).unwrap();
    let from_table = PredictiveModel::train_table(
        &a.table.slice(0..300),
        a.label,
        &a.features,
        Algorithm::NaiveBayes,
        &opts,
    )
    .unwrap();
    assert_eq!(from_rows.to_json(), from_table.to_json());
    let train = a.table.slice(0..2000);
    let test = a.table.slice(2000..3000);
    let model = PredictiveModel::train_table(
        &train,
        a.label,
        &a.features,
        Algorithm::NaiveBayes,
        &TrainOptions::default(),
    )
    .unwrap();
    let auc = model.evaluate_table(&test, a.label).unwrap().auc.unwrap();
    assert!(auc > 0.7 && auc < 0.95, "{auc}");
}

#[test]
fn capacity_threshold_keeps_ties_together() {
    let scores = [0.9, 0.8, 0.8, 0.5, 0.1];
    let t = |cap: f64| threshold_for_capacity(&scores, &Inflow::PerWeek(10.0), cap).unwrap();
    // 6 of 10 a week: 3 of the 5 sampled leads.
    let r = t(6.0);
    assert_eq!((r.threshold, r.selected), (Some(0.8), 3));
    assert!((r.selected_per_week - 6.0).abs() < 1e-12);
    // 4 a week: 2 leads, but the two 0.8s go together, so only the 0.9 passes.
    let r = t(4.0);
    assert_eq!((r.threshold, r.selected), (Some(0.9), 1));
    assert_eq!(t(20.0).threshold, Some(0.1));
    assert_eq!(t(1.0).threshold, None);
    // Timestamps: 5 leads over 2 weeks is 2.5 a week; capacity 1 a week -> 2 leads.
    let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
    let ts = vec![
        at("2026-03-02T00:00:00Z"),
        at("2026-03-05T00:00:00Z"),
        at("2026-03-09T00:00:00Z"),
        at("2026-03-12T00:00:00Z"),
        at("2026-03-16T00:00:00Z"),
    ];
    let r =
        threshold_for_capacity(&[0.1, 0.7, 0.4, 0.9, 0.3], &Inflow::Timestamps(ts), 1.0).unwrap();
    assert_eq!(r.inflow_per_week, 2.5);
    assert_eq!((r.threshold, r.selected), (Some(0.7), 2));
    let j = threshold_for_capacity_json(
        &json!({"scores": scores, "inflow_per_week": 10, "capacity_per_week": 6}),
    )
    .unwrap();
    assert_eq!(j["threshold"], json!(0.8));
    let e =
        threshold_for_capacity_json(&json!({"scores": [0.5], "capacity_per_week": 0})).unwrap_err();
    assert_eq!(first_problem(&e).0, "inflow_per_week");
    let e = threshold_for_capacity(&scores, &Inflow::PerWeek(10.0), 0.0).unwrap_err();
    assert_eq!(
        first_problem(&e),
        ("capacity_per_week".into(), "invalid_value".into())
    );
}

fn opportunities() -> Value {
    let mut list = Vec::new();
    for i in 0..40 {
        let won = i % 3 != 0;
        let source = if i % 2 == 0 { "web" } else { "partner" };
        let created = format!("2026-01-{:02}T09:00:00Z", 1 + i % 20);
        let mut o = json!({
            "id": format!("O-{i}"), "created_at": created, "account_id": "A-1",
            "amount": {"amount": 1000.0 * (1 + i % 7) as f64, "currency": "USD"},
            "source": source,
            "stage": if won { "Closed Won" } else { "Closed Lost" },
            "stage_history": [
                {"stage": "Prospecting", "at": created},
                {"stage": "Proposal", "at": format!("2026-02-{:02}T09:00:00Z", 1 + i % 20)},
                {"stage": if won { "Closed Won" } else { "Closed Lost" }, "at": "2026-03-01T09:00:00Z"}
            ],
            "closed_at": "2026-03-01T09:00:00Z"
        });
        if i == 7 {
            o["industry"] = json!("Retail");
        }
        list.push(o);
    }
    list.push(
        json!({"id": "O-open", "created_at": "2026-05-01T09:00:00Z", "stage": "Negotiation",
        "amount": {"amount": 5000, "currency": "USD"}, "source": "web",
        "stage_history": [{"stage": "Prospecting", "at": "2026-05-01T09:00:00Z"},
                          {"stage": "Negotiation", "at": "2026-06-20T00:00:00Z"}]}),
    );
    Value::Array(list)
}

fn context() -> Value {
    json!({"as_of": "2026-06-30T00:00:00Z",
           "accounts": [{"id": "A-1", "name": "Acme", "industry": "Software"}],
           "engagement": {"O-1": 4, "O-open": 9}})
}

#[test]
fn opportunities_train_on_closed_deals_and_score_open_ones() {
    use revcore::scoring::predictive::{opportunity_rows_json, train_opportunities_json};
    let rows = opportunity_rows_json(&opportunities(), &context()).unwrap();
    assert_eq!(rows["closed"].as_array().unwrap().len(), 40);
    let open = &rows["open"][0];
    assert_eq!(open["stage"], json!("negotiation"));
    assert_eq!(open["days_in_stage"], json!(10.0));
    assert_eq!(open["engagement"], json!(9.0));
    assert_eq!(open.get("won"), None);
    let closed = &rows["closed"][1];
    // Described at its last open stage: Proposal from 2026-02-02 to the close on 03-01.
    assert_eq!(closed["stage"], json!("proposal"));
    assert_eq!(closed["days_in_stage"], json!(27.0));
    assert_eq!(closed["industry"], json!("Software"));
    assert_eq!(closed["engagement"], json!(4.0));
    assert_eq!(closed["won"], json!(true));
    assert_eq!(rows["closed"][2]["engagement"], json!(0.0));

    let model = train_opportunities_json(
        &opportunities(),
        &context(),
        "logistic",
        &json!({"min_level_count": 1}),
    )
    .unwrap();
    assert_eq!(model.subject(), Subject::Opportunity);
    assert_eq!(model.training().rows, 40);
    let loaded = PredictiveModel::from_json(&model.to_json()).unwrap();
    let scored = loaded
        .predict_opportunities_json(&opportunities(), &context())
        .unwrap();
    let last = &scored[40];
    assert_eq!(last["opportunity_id"], json!("O-open"));
    assert_eq!(last["open"], json!(true));
    assert!(last["probability"].as_f64().unwrap() > 0.0);
    assert_eq!(last["factors"].as_array().unwrap().len(), 6);

    // A rows model cannot score opportunities; an unknown stage is named.
    let rows_model = train(&known_rows(200, 8), "logistic", json!({}));
    let e = rows_model
        .predict_opportunities_json(&opportunities(), &context())
        .unwrap_err();
    assert_eq!(first_problem(&e), ("model".into(), "wrong_subject".into()));
    let mut bad = opportunities();
    bad[3]["stage"] = json!("Daydreaming");
    let e = train_opportunities_json(&bad, &context(), "logistic", &Value::Null).unwrap_err();
    assert_eq!(
        first_problem(&e),
        ("opportunities[3].stage".into(), "unknown_stage".into())
    );
    // All closed deals lost: one class.
    let ctx: OpportunityContext = serde_json::from_value(context()).unwrap();
    let lost: Vec<_> = serde_json::from_value::<Vec<revcore::model::Opportunity>>(opportunities())
        .unwrap()
        .into_iter()
        .filter(|o| o.stage != "Closed Won")
        .collect();
    let e = PredictiveModel::train_opportunities(
        &lost,
        &ctx,
        Algorithm::NaiveBayes,
        &TrainOptions::default(),
    )
    .unwrap_err();
    assert_eq!(
        first_problem(&e),
        ("opportunities".into(), "invalid_value".into())
    );
    assert_eq!(opportunity_rows(&lost, &ctx).unwrap().open.len(), 1);
    // Without engagement counts or accounts those features are left out.
    let bare = train_opportunities_json(
        &opportunities(),
        &json!({"as_of": "2026-06-30T00:00:00Z"}),
        "naive_bayes",
        &json!({"min_level_count": 1}),
    )
    .unwrap();
    let names: Vec<String> = bare.features().into_iter().map(|f| f.name).collect();
    assert_eq!(
        names,
        ["stage", "days_in_stage", "amount", "source", "industry"]
    );
}

#[test]
fn bad_training_input_is_a_typed_error_with_its_path() {
    let features = known_features();
    let ok = known_rows(50, 9);
    let err = |rows: Value, label: &str, features: &Value, algorithm: &str, options: Value| {
        train_json(&rows, label, features, algorithm, &options).unwrap_err()
    };
    // A string in a numeric column.
    let mut rows = ok.clone();
    rows[3]["x1"] = json!("12");
    let e = err(json!(rows), "won", &features, "logistic", json!({}));
    assert_eq!(e.code(), "validation");
    assert_eq!(
        first_problem(&e),
        ("rows[3].x1".into(), "invalid_type".into())
    );
    // Every problem is listed, not just the first.
    let mut rows = ok.clone();
    rows[1]["x2"] = json!(true);
    rows[2]["flag"] = json!("maybe");
    rows[4]["src"] = json!([1]);
    rows[5]["won"] = Value::Null;
    let e = err(json!(rows), "won", &features, "logistic", json!({}));
    let paths: Vec<(&str, &str)> = e
        .problems()
        .iter()
        .map(|p| (p.path.as_str(), p.code.as_str()))
        .collect();
    assert_eq!(
        paths,
        vec![
            ("rows[5].won", "missing_label"),
            ("rows[1].x2", "invalid_type"),
            ("rows[2].flag", "invalid_value"),
            ("rows[4].src", "invalid_type"),
        ]
    );
    // A negative value under `log`.
    let e = err(
        json!([{"v": -1, "won": true}, {"v": 2, "won": false}]),
        "won",
        &json!([{"name": "v", "kind": "numeric", "log": true}]),
        "logistic",
        json!({}),
    );
    assert_eq!(
        first_problem(&e),
        ("rows[0].v".into(), "invalid_value".into())
    );
    // One class.
    let rows: Vec<Value> = ok
        .iter()
        .map(|r| {
            let mut r = r.clone();
            r["won"] = json!(false);
            r
        })
        .collect();
    let e = err(json!(rows), "won", &features, "logistic", json!({}));
    assert_eq!(
        (e.code(), first_problem(&e)),
        ("validation", ("label".into(), "invalid_value".into()))
    );
    // No rows.
    let e = err(json!([]), "won", &features, "naive_bayes", json!({}));
    assert_eq!(first_problem(&e), ("rows".into(), "empty".into()));
    // Unknown algorithm.
    let e = err(json!(ok), "won", &features, "random_forest", json!({}));
    assert_eq!(
        (e.code(), first_problem(&e)),
        (
            "invalid_config",
            ("algorithm".into(), "unknown_algorithm".into())
        )
    );
    // Duplicate names, a feature named as the label, `log` on a categorical.
    let e = err(
        json!(ok),
        "won",
        &json!([{"name": "x1", "kind": "numeric"}, {"name": "x1", "kind": "numeric"},
                {"name": "won", "kind": "boolean"}, {"name": "src", "kind": "categorical", "log": true}]),
        "logistic",
        json!({}),
    );
    let codes: Vec<(&str, &str)> = e
        .problems()
        .iter()
        .map(|p| (p.path.as_str(), p.code.as_str()))
        .collect();
    assert_eq!(
        codes,
        vec![
            ("features[1].name", "duplicate_name"),
            ("features[2].name", "label_is_feature"),
            ("features[3].log", "invalid_value"),
        ]
    );
    // An unknown kind, an unknown key.
    let e = err(
        json!(ok),
        "won",
        &json!([{"name": "x1", "kind": "numerical"}]),
        "logistic",
        json!({}),
    );
    assert_eq!(
        (e.code(), first_problem(&e)),
        (
            "parse",
            ("features[0].kind".into(), "unknown_variant".into())
        )
    );
    // Options: unknown, not for this algorithm, out of range.
    let e = err(json!(ok), "won", &features, "logistic", json!({"lamda": 1}));
    assert_eq!(
        first_problem(&e),
        ("options.lamda".into(), "unknown_field".into())
    );
    let e = err(
        json!(ok),
        "won",
        &features,
        "logistic",
        json!({"alpha": 1, "lambda": 0}),
    );
    let codes: Vec<(&str, &str)> = e
        .problems()
        .iter()
        .map(|p| (p.path.as_str(), p.code.as_str()))
        .collect();
    assert_eq!(
        codes,
        vec![
            ("options.alpha", "not_applicable"),
            ("options.lambda", "invalid_value")
        ]
    );
    let e = err(
        json!(ok),
        "won",
        &features,
        "logistic",
        json!({"class_weight": "even"}),
    );
    assert_eq!(
        first_problem(&e),
        ("options.class_weight".into(), "invalid_value".into())
    );
    // A feature no row has (a misspelt name).
    let e = err(
        json!(ok),
        "won",
        &json!([{"name": "x1", "kind": "numeric"}, {"name": "X2", "kind": "numeric"}]),
        "logistic",
        json!({}),
    );
    assert_eq!(
        (e.code(), first_problem(&e)),
        (
            "validation",
            ("features[1].name".into(), "all_missing".into())
        )
    );
    // Rows of the wrong shape.
    let e = err(json!("rows"), "won", &features, "logistic", json!({}));
    assert_eq!(
        (e.code(), first_problem(&e)),
        ("parse", ("rows".into(), "invalid_type".into()))
    );
    let mut rows = ok.clone();
    rows[2] = json!(7);
    let e = err(json!(rows), "won", &features, "logistic", json!({}));
    assert_eq!(
        (e.code(), first_problem(&e)),
        ("parse", ("rows[2]".into(), "invalid_type".into()))
    );
    // Columns of different lengths.
    let e = err(
        json!({"x1": [1, 2], "won": [true]}),
        "won",
        &features,
        "logistic",
        json!({}),
    );
    assert_eq!(
        first_problem(&e),
        ("rows.columns.x1".into(), "invalid_length".into())
    );
    // The label may be 0/1 or yes/no too.
    let rows: Vec<Value> = ok
        .iter()
        .map(|r| {
            let mut r = r.clone();
            r["won"] = json!(u8::from(r["won"] == json!(true)));
            r
        })
        .collect();
    assert!(train_json(&json!(rows), "won", &features, "logistic", &json!({})).is_ok());
}

#[test]
fn nan_is_missing_and_infinity_is_an_error_in_columns() {
    let table = |x: Vec<f64>| {
        Table::new(vec![
            ("x".into(), Column::Number(x)),
            (
                "won".into(),
                Column::Bool(vec![Some(true), Some(false), Some(true), Some(false)]),
            ),
        ])
        .unwrap()
    };
    let specs = vec![FeatureSpec::new("x", FeatureKind::Numeric)];
    let fit = |t: &Table| {
        PredictiveModel::train_table(
            t,
            "won",
            &specs,
            Algorithm::Logistic,
            &TrainOptions::default(),
        )
    };
    let with_nan = fit(&table(vec![1.0, f64::NAN, 3.0, 0.5])).unwrap();
    let with_null = train_json(
        &json!([{"x": 1.0, "won": true}, {"x": null, "won": false}, {"x": 3.0, "won": true}, {"x": 0.5, "won": false}]),
        "won",
        &json!([{"name": "x", "kind": "numeric"}]),
        "logistic",
        &Value::Null,
    )
    .unwrap();
    assert_eq!(with_nan.to_json(), with_null.to_json());
    let e = fit(&table(vec![1.0, f64::INFINITY, 3.0, 0.5])).unwrap_err();
    assert_eq!(first_problem(&e), ("rows[1].x".into(), "not_finite".into()));
    let e = with_nan
        .predict_table(&table(vec![1.0, 2.0, f64::NEG_INFINITY, 0.5]))
        .unwrap_err();
    assert_eq!(first_problem(&e), ("rows[2].x".into(), "not_finite".into()));
}

#[test]
fn bad_prediction_input_names_row_and_feature() {
    let rows = known_rows(300, 10);
    let model = train(&rows, "logistic", json!({"min_level_count": 1}));
    let e = model.predict(&json!({"x1": "high"})).unwrap_err();
    assert_eq!(first_problem(&e), ("row.x1".into(), "invalid_type".into()));
    let e = model.predict(&json!([1, 2])).unwrap_err();
    assert_eq!(
        (e.code(), first_problem(&e)),
        ("parse", ("row".into(), "invalid_type".into()))
    );
    let e = model
        .predict_batch_json(&json!([{"x1": 1}, {"x1": 1, "src": {"a": 1}}]))
        .unwrap_err();
    assert_eq!(
        first_problem(&e),
        ("rows[1].src".into(), "invalid_type".into())
    );
    let e = model.evaluate_json(&json!([{"x1": 1}]), "won").unwrap_err();
    assert_eq!(
        first_problem(&e),
        ("rows[0].won".into(), "missing_label".into())
    );
    // Unseen categories are "other", not errors; numbers in a categorical are their text.
    let p = model.predict(&json!({"src": 3.0})).unwrap();
    let src = p.factors.iter().find(|f| f.feature == "src").unwrap();
    assert_eq!(src.bucket, "other");
}

#[test]
fn malformed_model_files_are_parse_errors_with_their_path() {
    let model = train(
        &known_rows(300, 11),
        "logistic",
        json!({"min_level_count": 1}),
    );
    let good = model.to_value();
    let e = PredictiveModel::from_json("{\"kind\": ").unwrap_err();
    assert_eq!(
        (e.code(), first_problem(&e).1.as_str()),
        ("parse", "invalid_json")
    );
    let mut m = good.clone();
    m["features"][0]["coefficient"] = json!("big");
    let e = PredictiveModel::from_value(&m).unwrap_err();
    assert_eq!(
        (e.code(), first_problem(&e)),
        (
            "parse",
            ("features[0].coefficient".into(), "invalid_type".into())
        )
    );
    let mut m = good.clone();
    m["features"][3]["coefficients"] = json!([0.1]);
    let e = PredictiveModel::from_value(&m).unwrap_err();
    assert_eq!(
        (e.code(), first_problem(&e)),
        (
            "invalid_config",
            ("features[3].coefficients".into(), "invalid_length".into())
        )
    );
    let mut m = good.clone();
    m["version"] = json!(2);
    let e = PredictiveModel::from_value(&m).unwrap_err();
    assert_eq!(
        first_problem(&e),
        ("version".into(), "unsupported_version".into())
    );
    let mut m = good.clone();
    m["features"][1]["extra"] = json!(1);
    let e = PredictiveModel::from_value(&m).unwrap_err();
    assert_eq!(
        first_problem(&e),
        ("features[1].extra".into(), "unknown_field".into())
    );
    let mut m = good.clone();
    m.as_object_mut().unwrap().remove("intercept");
    let e = PredictiveModel::from_value(&m).unwrap_err();
    assert_eq!(
        first_problem(&e),
        ("intercept".into(), "missing_field".into())
    );
    let mut m = good.clone();
    m["features"][1]["name"] = json!("x1");
    let e = PredictiveModel::from_value(&m).unwrap_err();
    assert_eq!(
        first_problem(&e),
        ("features[1].name".into(), "duplicate_name".into())
    );
    let mut m = good;
    m["kind"] = json!("scoring_model");
    assert_eq!(
        first_problem(&PredictiveModel::from_value(&m).unwrap_err()).0,
        "kind"
    );
    let _ = ClassWeight::Named("balanced".into());
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    fn cell() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            (-1e6f64..1e6).prop_map(|x| json!(x)),
            prop_oneof![Just(0), Just(1), Just(2)].prop_map(|x| json!(x)),
            "[a-c]{0,2}".prop_map(Value::String),
            Just(json!([1])),
            Just(json!("yes")),
        ]
    }

    fn row() -> impl Strategy<Value = Value> {
        (cell(), cell(), cell(), cell())
            .prop_map(|(a, b, c, y)| json!({"a": a, "b": b, "c": c, "y": y}))
    }

    fn features() -> impl Strategy<Value = Value> {
        let kind = prop_oneof![
            Just("numeric"),
            Just("categorical"),
            Just("boolean"),
            Just("text")
        ];
        (kind.clone(), kind.clone(), any::<bool>()).prop_map(|(k1, k2, log)| {
            json!([{"name": "a", "kind": k1, "log": log && k1 == "numeric"}, {"name": "b", "kind": k2},
                   {"name": "c", "kind": "categorical"}])
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]
        #[test]
        fn training_and_scoring_return_results_or_errors(
            rows in prop::collection::vec(row(), 0..12),
            more in prop::collection::vec(row(), 0..6),
            features in features(),
            nb in any::<bool>(),
        ) {
            let algorithm = if nb { "naive_bayes" } else { "logistic" };
            let options = json!({"min_level_count": 1});
            if let Ok(model) = train_json(&json!(rows), "y", &features, algorithm, &options) {
                let _ = model.predict_batch_json(&json!(more));
                let _ = model.evaluate_json(&json!(more), "y");
                for r in &more {
                    let _ = model.predict(r);
                }
                let text = model.to_json();
                let loaded = PredictiveModel::from_json(&text).unwrap();
                prop_assert_eq!(loaded.to_json(), text.clone());
                // Damaged files: every truncation is an error, never a panic.
                for cut in (0..text.len()).step_by(37) {
                    prop_assert!(PredictiveModel::from_json(&text[..cut]).is_err());
                }
            }
        }
    }
}
