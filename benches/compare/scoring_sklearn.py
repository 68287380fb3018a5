"""Lead-scoring model training: revcore vs scikit-learn on the same rows (issue 4, item 9).

The data is revcore's synthetic set (core/src/scoring/predictive/synthetic.rs): 200,000 rows x 30
features (12 numeric, 4 of them read as ln(1 + x); 10 categorical; 8 boolean; missing values in
several), seed 42, a label drawn from a known logistic model plus unobserved noise. The first
160,000 rows train, the last 40,000 test. The Rust example writes them as CSV, trains revcore's
logistic model and prints its figures:

    cargo run --release -p revcore-benches --example train_synthetic

This script (run with `--run-revcore` it runs that example first) reads the same CSV, applies
the same preprocessing as docs/predictive.md with NumPy (log1p, median imputation,
standardisation; boolean -> true and missing indicators; categorical one-hot with levels seen
fewer than 10 times folded into "other", plus a "missing" column), fits scikit-learn's
LogisticRegression(solver="lbfgs", C=1/lambda) and prints both test AUCs and training times.

The objectives are the same: revcore minimises sum_i logloss_i + lambda/2 |w|^2 (intercept not
penalised); scikit-learn minimises C sum_i logloss_i + 1/2 |w|^2 (intercept not penalised with
lbfgs), i.e. the same problem divided by C when C = 1/lambda. No rescaling is needed because
both sum (not average) the per-row losses. The script also evaluates that objective at both
solutions on the same design matrix and reports the largest coefficient difference, which
checks the mapping.

Times: revcore's is `PredictiveModel::train_table` on the in-memory table (reading columns,
preprocessing statistics, encoding, Newton fit); scikit-learn's is reported as "fit"
(LogisticRegression.fit on the ready matrix) and "prep + fit" (the NumPy preprocessing too).
Median of --repeat runs each, wall clock and CPU time (CPU time is robust to other load on the
machine; scikit-learn's counts every thread of the process). scikit-learn runs with its defaults (tol=1e-4) and, for the
coefficient check, once more to tol=1e-10.

Needs numpy, pandas and scikit-learn (a venv under /tmp is enough:
`python3 -m venv /tmp/skvenv && /tmp/skvenv/bin/pip install scikit-learn pandas`). Nothing in
`make test` depends on this script.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time
import warnings

import numpy as np
import pandas as pd
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score, log_loss

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
DEFAULT_DIR = os.path.join(ROOT, "target", "scoring-compare")
MIN_LEVEL_COUNT = 10
MAX_LEVELS = 100


def machine():
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    try:
        from threadpoolctl import threadpool_info
        blas = [{"api": p.get("internal_api"), "threads": p.get("num_threads")}
                for p in threadpool_info()]
    except ImportError:
        blas = None
    return {"cpu": model, "cpus": os.cpu_count(), "load_average": load, "blas_threads": blas,
            "python": platform.python_version(), "numpy": np.__version__,
            "pandas": pd.__version__, "sklearn": sklearn.__version__}


def read(path, spec):
    kinds = {f["name"]: f["kind"] for f in spec["features"]}
    dtypes = {name: (str if kind != "numeric" else float) for name, kind in kinds.items()}
    dtypes[spec["label"]] = str
    return pd.read_csv(path, dtype=dtypes, keep_default_na=False, na_values={
        name: [""] for name in dtypes})


def as_flag(col):
    """true/false/'' -> 1.0 / 0.0 / NaN."""
    return col.map({"true": 1.0, "false": 0.0}).astype(float)


class Prep:
    """The preprocessing of docs/predictive.md, fitted on the train rows."""

    def __init__(self, df, spec):
        self.spec = spec
        self.stats = []
        for f in spec["features"]:
            name, kind = f["name"], f["kind"]
            if kind == "numeric":
                t = df[name].to_numpy(dtype=float)
                if f.get("log"):
                    t = np.log1p(t)
                med = float(np.nanmedian(t)) if np.isfinite(t).any() else 0.0
                t = np.where(np.isnan(t), med, t)
                mean = float(t.mean())
                std = float(t.std())
                self.stats.append((med, mean, std))
            elif kind == "categorical":
                counts = df[name].dropna().value_counts()
                kept = counts[counts >= MIN_LEVEL_COUNT]
                kept = sorted(kept.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_LEVELS]
                self.stats.append(sorted(k for k, _ in kept))
            else:
                self.stats.append(None)

    def columns(self):
        names = []
        for f, st in zip(self.spec["features"], self.stats):
            if f["kind"] == "numeric":
                names.append(f["name"])
            elif f["kind"] == "categorical":
                names += [f"{f['name']}={lvl}" for lvl in st] + [f"{f['name']}:other",
                                                                  f"{f['name']}:missing"]
            else:
                names += [f"{f['name']}:true", f"{f['name']}:missing"]
        return names

    def transform(self, df):
        blocks = []
        for f, st in zip(self.spec["features"], self.stats):
            name, kind = f["name"], f["kind"]
            if kind == "numeric":
                med, mean, std = st
                t = df[name].to_numpy(dtype=float)
                if f.get("log"):
                    t = np.log1p(t)
                t = np.where(np.isnan(t), med, t)
                z = (t - mean) / std if std > 0 else np.zeros_like(t)
                blocks.append(z[:, None])
            elif kind == "categorical":
                col = df[name]
                index = {lvl: i for i, lvl in enumerate(st)}
                codes = col.map(index)
                codes = np.where(col.isna(), len(st) + 1,
                                 np.where(codes.isna(), len(st), codes.fillna(0))).astype(int)
                onehot = np.zeros((len(df), len(st) + 2))
                onehot[np.arange(len(df)), codes] = 1.0
                blocks.append(onehot)
            else:
                v = as_flag(df[name]).to_numpy()
                blocks.append(np.stack([(v == 1.0).astype(float), np.isnan(v).astype(float)], 1))
        return np.hstack(blocks)


def revcore_coefficients(model, prep):
    """revcore's model file as (intercept, coefficients) in the design's column order."""
    coef = []
    for f, st in zip(model["features"], prep.stats):
        if f["kind"] == "numeric":
            coef.append(f["coefficient"])
        elif f["kind"] == "categorical":
            assert f["levels"] == st, f"levels of {f['name']} differ"
            coef += f["coefficients"] + [f["other"], f["missing"]]
        else:
            coef += [f["true"], f["missing"]]
    return model["intercept"], np.array(coef)


def objective(X, y, b0, w, lam):
    eta = b0 + X @ w
    # sum of log(1 + e^eta) - y eta, stably
    loss = np.sum(np.logaddexp(0.0, eta) - y * eta)
    return float(loss + 0.5 * lam * np.dot(w, w))


def median_time(f, repeat):
    """The last result, the median wall time, every wall time, the median CPU time (all
    threads of the process: BLAS may use several)."""
    times, cpus, out = [], [], None
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        out = f()
        times.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return out, float(np.median(times)), times, float(np.median(cpus))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dir", default=DEFAULT_DIR, help="where train.csv and test.csv are")
    ap.add_argument("--run-revcore", action="store_true",
                    help="run the Rust example first (writes the CSV, prints revcore's figures)")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    revcore = None
    if args.run_revcore:
        cmd = ["cargo", "run", "--release", "-q", "-p", "revcore-benches", "--example",
               "train_synthetic", "--", "--out", args.dir, "--repeat", str(args.repeat)]
        out = subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True).stdout
        revcore = json.loads(out.strip().splitlines()[-1])

    with open(os.path.join(args.dir, "spec.json")) as f:
        spec = json.load(f)
    lam = spec["lambda"]
    label = spec["label"]
    train = read(os.path.join(args.dir, "train.csv"), spec)
    test = read(os.path.join(args.dir, "test.csv"), spec)
    y_train = (train[label] == "true").to_numpy(dtype=float)
    y_test = (test[label] == "true").to_numpy(dtype=float)

    def prep_fit():
        p = Prep(train, spec)
        return p, p.transform(train)

    (prep, X_train), prep_s, _, prep_cpu = median_time(prep_fit, args.repeat)
    X_test = prep.transform(test)

    def fit(tol=1e-4, max_iter=1000):
        clf = LogisticRegression(C=1.0 / lam, solver="lbfgs", tol=tol, max_iter=max_iter)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            clf.fit(X_train, y_train)
        return clf

    clf, fit_s, fit_runs, fit_cpu = median_time(fit, args.repeat)
    p_test = clf.predict_proba(X_test)[:, 1]
    sk_auc = roc_auc_score(y_test, p_test)
    sk_ll = log_loss(y_test, p_test)
    tight = fit(tol=1e-10, max_iter=100000)

    result = {
        "machine": machine(),
        "rows_train": len(train), "rows_test": len(test), "design_columns": X_train.shape[1],
        "sklearn": {"test_auc": sk_auc, "test_log_loss": sk_ll, "fit_seconds": fit_s,
                    "prep_plus_fit_seconds": prep_s + fit_s, "fit_runs": fit_runs,
                    "fit_cpu_seconds": fit_cpu, "prep_plus_fit_cpu_seconds": prep_cpu + fit_cpu,
                    "iterations": int(clf.n_iter_[0]),
                    "objective": objective(X_train, y_train, clf.intercept_[0], clf.coef_[0], lam),
                    "objective_tol_1e-10": objective(X_train, y_train, tight.intercept_[0],
                                                     tight.coef_[0], lam),
                    "iterations_tol_1e-10": int(tight.n_iter_[0])},
    }
    model_path = os.path.join(args.dir, "model_logistic.json")
    if os.path.exists(model_path):
        with open(model_path) as f:
            model = json.load(f)
        b0, w = revcore_coefficients(model, prep)
        p_rev = 1.0 / (1.0 + np.exp(-(b0 + X_test @ w)))
        result["revcore_model_in_numpy"] = {
            "test_auc": roc_auc_score(y_test, p_rev),
            "objective": objective(X_train, y_train, b0, w, lam),
            "max_abs_coef_diff_vs_sklearn_tol_1e-10": float(np.max(np.abs(np.concatenate(
                [[b0 - tight.intercept_[0]], w - tight.coef_[0]])))),
        }
    if revcore is not None:
        result["revcore"] = revcore["logistic"]
        r = revcore["logistic"]
        result["comparison"] = {
            "auc_revcore_minus_sklearn": r["test_auc"] - sk_auc,
            "time_ratio_sklearn_fit_over_revcore": fit_s / r["train_seconds"],
            "time_ratio_sklearn_prep_fit_over_revcore": (prep_s + fit_s) / r["train_seconds"],
        }
        if r.get("train_cpu_seconds"):
            result["comparison"]["cpu_ratio_sklearn_fit_over_revcore"] = (
                fit_cpu / r["train_cpu_seconds"])
    print(json.dumps(result, indent=2))
    if revcore is not None:
        r = revcore["logistic"]
        print(f"\ntest AUC   revcore {r['test_auc']:.5f}   scikit-learn {sk_auc:.5f}   "
              f"diff {r['test_auc'] - sk_auc:+.5f}")
        print(f"train time revcore {r['train_seconds']:.3f}s (all of train_table)   "
              f"scikit-learn fit {fit_s:.3f}s, prep+fit {prep_s + fit_s:.3f}s   "
              f"ratio sklearn/revcore {fit_s / r['train_seconds']:.2f} (fit), "
              f"{(prep_s + fit_s) / r['train_seconds']:.2f} (prep+fit)")
        if r.get("train_cpu_seconds"):
            print(f"CPU time   revcore {r['train_cpu_seconds']:.3f}s   scikit-learn fit "
                  f"{fit_cpu:.3f}s   ratio {fit_cpu / r['train_cpu_seconds']:.2f}")


if __name__ == "__main__":
    sys.exit(main())
