//! A synthetic lead-scoring training set with real, known signal: N rows of 30 features (12
//! numeric, 10 categorical, 8 boolean, with missing values) and a label drawn from a known
//! logistic model plus unobserved noise. For tests (does training recover the truth?) and for
//! the benchmark against scikit-learn (benches/compare/scoring_sklearn.py).
//!
//! Deterministic from the seed, in every host: a local SplitMix64 stream (the sample
//! generator's stream type is private to `sample`) and IEEE basic arithmetic only (the
//! portable `exp` of this module's parent). Row `i` depends only on the rows before it, so a
//! longer set starts with the shorter one. The truth (every coefficient) does not depend on
//! the seed.

use super::data::{Column, Table};
use super::num::{exp, ln_1p};
use super::spec::{FeatureKind, FeatureSpec};

/// The label column of the synthetic set.
pub const SYNTHETIC_LABEL: &str = "converted";

/// How much to generate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SyntheticOptions {
    pub seed: u64,
    pub rows: usize,
    /// Standard deviation of the unobserved normal term added to the log-odds (default 1.0).
    pub noise: f64,
}

impl SyntheticOptions {
    pub fn new(seed: u64, rows: usize) -> SyntheticOptions {
        SyntheticOptions {
            seed,
            rows,
            noise: 1.0,
        }
    }
}

/// A numeric feature of the truth: the log-odds gain `coefficient * t`, `t` the value (through
/// `ln(1 + x)` when `log`).
#[derive(Debug, Clone, PartialEq)]
pub struct NumericTruth {
    pub name: String,
    pub log: bool,
    pub coefficient: f64,
    /// Share of rows whose value is hidden (missing at random; the label used the value).
    pub missing: f64,
}

/// A categorical feature of the truth: the effect of each level and of a missing value.
#[derive(Debug, Clone, PartialEq)]
pub struct CategoricalTruth {
    pub name: String,
    pub levels: Vec<(String, f64)>,
    /// Share of rows where the value is missing, and the effect of that.
    pub missing: f64,
    pub missing_effect: f64,
}

/// A boolean feature of the truth: `coefficient` when true.
#[derive(Debug, Clone, PartialEq)]
pub struct BooleanTruth {
    pub name: String,
    pub coefficient: f64,
    /// Share of rows whose value is hidden (the label used the value).
    pub missing: f64,
}

/// The logistic model the labels are drawn from.
#[derive(Debug, Clone, PartialEq)]
pub struct Truth {
    pub intercept: f64,
    pub numeric: Vec<NumericTruth>,
    pub categorical: Vec<CategoricalTruth>,
    pub boolean: Vec<BooleanTruth>,
    pub noise: f64,
}

/// The generated set: a table (30 feature columns and `converted`), the feature list to
/// train with, and the truth.
#[derive(Debug, Clone, PartialEq)]
pub struct Synthetic {
    pub table: Table,
    pub features: Vec<FeatureSpec>,
    pub label: &'static str,
    pub truth: Truth,
}

/// SplitMix64: tiny, fast, and the same numbers everywhere.
struct Stream(u64);

impl Stream {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Approximately standard normal: the sum of 12 uniforms minus 6 (bounded by ±6).
    fn normal(&mut self) -> f64 {
        let mut s = 0.0;
        for _ in 0..12 {
            s += self.unit();
        }
        s - 6.0
    }

    /// An index by weight.
    fn pick(&mut self, weights: &[f64], total: f64) -> usize {
        let mut x = self.unit() * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }
}

/// How a numeric feature's raw value is drawn from a normal draw `z` and a uniform `u`.
#[derive(Clone, Copy)]
enum Draw {
    Normal(f64, f64),
    Uniform(f64, f64),
    /// `floor(exp(mu + sigma z))`: a count.
    Count(f64, f64),
    /// `exp(mu + sigma z)`.
    LogNormal(f64, f64),
}

/// name, draw, log, coefficient (per unit of t), missing share.
const NUMERIC: [(&str, Draw, bool, f64, f64); 12] = [
    ("n01", Draw::Normal(0.0, 1.0), false, 0.8, 0.0),
    ("n02", Draw::Normal(50.0, 10.0), false, -0.04, 0.0),
    ("n03", Draw::Normal(0.0, 1.0), false, 0.3, 0.0),
    ("n04", Draw::Normal(100.0, 25.0), false, 0.008, 0.0),
    ("n05", Draw::Uniform(0.0, 1.0), false, -0.6, 0.0),
    ("n06", Draw::Normal(0.0, 1.0), false, 0.0, 0.0),
    ("n07", Draw::Count(1.0, 0.8), true, 0.7, 0.0),
    ("n08", Draw::Count(0.5, 1.0), true, -0.3, 0.0),
    ("n09", Draw::LogNormal(4.0, 1.2), true, 0.25, 0.0),
    ("n10", Draw::LogNormal(10.0, 1.5), true, 0.15, 0.0),
    ("n11", Draw::Normal(0.0, 1.0), false, 0.4, 0.1),
    ("n12", Draw::Uniform(-1.0, 1.0), false, -0.3, 0.1),
];
/// name, levels, missing share.
const CATEGORICAL: [(&str, usize, f64); 10] = [
    ("c01", 3, 0.0),
    ("c02", 4, 0.05),
    ("c03", 5, 0.0),
    ("c04", 6, 0.1),
    ("c05", 8, 0.0),
    ("c06", 10, 0.05),
    ("c07", 12, 0.0),
    ("c08", 15, 0.0),
    ("c09", 20, 0.02),
    ("c10", 30, 0.0),
];
/// name, share true, coefficient, missing share.
const BOOLEAN: [(&str, f64, f64, f64); 8] = [
    ("b01", 0.5, 0.6, 0.0),
    ("b02", 0.3, -0.4, 0.0),
    ("b03", 0.1, 0.8, 0.05),
    ("b04", 0.7, 0.3, 0.0),
    ("b05", 0.5, -0.2, 0.1),
    ("b06", 0.2, 0.0, 0.0),
    ("b07", 0.4, 0.15, 0.0),
    ("b08", 0.6, -0.5, 0.05),
];
const INTERCEPT: f64 = -1.6;
/// Level effects are this times a normal draw of the truth's own stream.
const LEVEL_SPREAD: f64 = 0.5;
const TRUTH_SEED: u64 = 0x7275_7468; // "ruth"

/// The truth, the same for every seed.
pub fn truth(noise: f64) -> Truth {
    let mut s = Stream(TRUTH_SEED);
    Truth {
        intercept: INTERCEPT,
        numeric: NUMERIC
            .iter()
            .map(|&(name, _, log, coefficient, missing)| NumericTruth {
                name: name.into(),
                log,
                coefficient,
                missing,
            })
            .collect(),
        categorical: CATEGORICAL
            .iter()
            .map(|&(name, k, missing)| CategoricalTruth {
                name: name.into(),
                levels: (0..k)
                    .map(|j| (format!("L{j:02}"), LEVEL_SPREAD * s.normal()))
                    .collect(),
                missing,
                missing_effect: LEVEL_SPREAD * s.normal(),
            })
            .collect(),
        boolean: BOOLEAN
            .iter()
            .map(|&(name, _, coefficient, missing)| BooleanTruth {
                name: name.into(),
                coefficient,
                missing,
            })
            .collect(),
        noise,
    }
}

/// The 30 features to train with (numeric `n01..n12`, `n07..n10` with `log`; categorical
/// `c01..c10`; boolean `b01..b08`).
pub fn synthetic_features() -> Vec<FeatureSpec> {
    let mut f: Vec<FeatureSpec> = NUMERIC
        .iter()
        .map(|&(name, _, log, _, _)| FeatureSpec {
            name: name.into(),
            kind: FeatureKind::Numeric,
            log,
        })
        .collect();
    f.extend(
        CATEGORICAL
            .iter()
            .map(|&(name, _, _)| FeatureSpec::new(name, FeatureKind::Categorical)),
    );
    f.extend(
        BOOLEAN
            .iter()
            .map(|&(name, _, _, _)| FeatureSpec::new(name, FeatureKind::Boolean)),
    );
    f
}

/// Generates the set. Level `j` of a categorical feature is drawn with weight `1 / (j + 1)`.
pub fn synthetic(options: &SyntheticOptions) -> Synthetic {
    let truth = truth(options.noise);
    let n = options.rows;
    let mut s = Stream(options.seed ^ 0x5EED_0000_0000_0000);
    let mut numeric: Vec<Vec<f64>> = vec![Vec::with_capacity(n); NUMERIC.len()];
    let mut categorical: Vec<Vec<Option<String>>> = vec![Vec::with_capacity(n); CATEGORICAL.len()];
    let mut boolean: Vec<Vec<Option<bool>>> = vec![Vec::with_capacity(n); BOOLEAN.len()];
    let mut label = Vec::with_capacity(n);
    let level_names: Vec<Vec<String>> = truth
        .categorical
        .iter()
        .map(|c| c.levels.iter().map(|(l, _)| l.clone()).collect())
        .collect();
    let level_weights: Vec<(Vec<f64>, f64)> = CATEGORICAL
        .iter()
        .map(|&(_, k, missing)| {
            let mut w: Vec<f64> = (0..k).map(|j| 1.0 / (j + 1) as f64).collect();
            let sum: f64 = w.iter().sum();
            // The missing "level" takes its share of the total.
            w.push(sum * missing / (1.0 - missing));
            let total = w.iter().sum();
            (w, total)
        })
        .collect();
    for _ in 0..n {
        let mut eta = truth.intercept;
        for (j, &(_, draw, log, coefficient, missing)) in NUMERIC.iter().enumerate() {
            let z = s.normal();
            let u = s.unit();
            let x = match draw {
                Draw::Normal(mu, sd) => mu + sd * z,
                Draw::Uniform(lo, hi) => lo + (hi - lo) * u,
                Draw::Count(mu, sigma) => exp(mu + sigma * z).floor(),
                Draw::LogNormal(mu, sigma) => exp(mu + sigma * z),
            };
            let t = if log { ln_1p(x) } else { x };
            eta += coefficient * t;
            let hidden = missing > 0.0 && s.unit() < missing;
            numeric[j].push(if hidden { f64::NAN } else { x });
        }
        for (j, c) in truth.categorical.iter().enumerate() {
            let (w, total) = &level_weights[j];
            let k = s.pick(w, *total);
            if k == c.levels.len() {
                eta += c.missing_effect;
                categorical[j].push(None);
            } else {
                eta += c.levels[k].1;
                categorical[j].push(Some(level_names[j][k].clone()));
            }
        }
        for (j, &(_, p, coefficient, missing)) in BOOLEAN.iter().enumerate() {
            let b = s.unit() < p;
            if b {
                eta += coefficient;
            }
            let hidden = missing > 0.0 && s.unit() < missing;
            boolean[j].push(if hidden { None } else { Some(b) });
        }
        eta += options.noise * s.normal();
        let p = 1.0 / (1.0 + exp(-eta));
        label.push(Some(s.unit() < p));
    }
    let mut columns: Vec<(String, Column)> = Vec::with_capacity(31);
    for (j, v) in numeric.into_iter().enumerate() {
        columns.push((NUMERIC[j].0.into(), Column::Number(v)));
    }
    for (j, v) in categorical.into_iter().enumerate() {
        columns.push((CATEGORICAL[j].0.into(), Column::Text(v)));
    }
    for (j, v) in boolean.into_iter().enumerate() {
        columns.push((BOOLEAN[j].0.into(), Column::Bool(v)));
    }
    columns.push((SYNTHETIC_LABEL.into(), Column::Bool(label)));
    Synthetic {
        table: Table::new(columns).expect("generated columns have equal lengths and unique names"),
        features: synthetic_features(),
        label: SYNTHETIC_LABEL,
        truth,
    }
}
