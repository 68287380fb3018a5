"""Issue 5's peer comparison: one HubSpot-style CSV of sample deals, and win rate, won amount,
average deal and median cycle by owner x close quarter computed three ways, each end to end
from the file (read + compute): revcore (from Python, reading the CSV itself), pandas and
polars. Each reads only the columns the report needs (pandas `usecols`, polars `columns`,
revcore `fields`); `revcore_all` is revcore reading and checking every column as well. Prints
each one's time and peak memory (each runs in its own process; peak resident set size from
getrusage) and checks that they agree on every group. With `--repeat N` they run in N rounds
and the medians are shown.

Usage (from the repository root, with the test venv, which has pandas and polars):
    cargo run --release -p revcore-benches --example hubspot_deals -- 1000000 /tmp/deals.csv
    make -s venv && .venv/bin/maturin develop --release -m bindings-python/Cargo.toml  # or a release wheel
    .venv/bin/python benches/compare/kpi_pandas_polars.py /tmp/deals.csv [--repeat 5]

Definitions (docs/kpis.md): a deal's stage is classified by revcore's stock pipeline (the same
label -> kind table is handed to pandas and polars); won and lost deals are closed; the close
quarter is that of "Close Date"; win rate = won / (won + lost) by count; won amount = the sum of
won amounts; average deal = the mean won amount (deals with an amount); median cycle = the median
of whole days from the day of "Create Date" to "Close Date" over closed deals. Groups: every
(owner, close quarter) with an owner and a close date.
"""

from __future__ import annotations

import json
import math
import resource
import subprocess
import sys
import time

METRICS = ["won_count", "lost_count", "win_rate", "won_amount", "avg_deal_size", "median_cycle_days"]


def stage_kinds(labels):
    import revcore

    return {label: (revcore.classify_stage(label) or {}).get("kind") for label in labels}


# The fields the report reads: revcore's counterpart of the five columns pandas' `usecols` and
# polars' `columns` name below (id, stage and create date are read anyway: they are required).
FIELDS = ["owner_id", "amount", "close_date"]


def run_revcore(path, fields=None):
    import revcore

    start = time.perf_counter()
    records = revcore.read_opportunities_csv(path, mapping="hubspot", fields=fields)
    table = revcore.kpi_report(records, METRICS, group_by=["owner_id", "close_date:quarter"])
    seconds = time.perf_counter() - start
    rows = {}
    for r in table.to_dicts()[:-1]:
        if r["owner_id"] is None or r["close_date:quarter"] is None:
            continue
        rows[f'{r["owner_id"]}|{r["close_date:quarter"]}'] = [r[m] for m in METRICS]
    return seconds, rows, {"rows read": len(records), "row errors": len(records.errors)}


def run_pandas(path):
    import pandas as pd

    start = time.perf_counter()
    df = pd.read_csv(
        path,
        usecols=["Deal Stage", "Amount", "Close Date", "Create Date", "Deal owner"],
        dtype={"Deal Stage": "category", "Deal owner": "category"},
    )
    kinds = stage_kinds(df["Deal Stage"].cat.categories)
    kind = df["Deal Stage"].map(kinds).astype(object)
    close = pd.to_datetime(df["Close Date"], format="%Y-%m-%d")
    created = pd.to_datetime(df["Create Date"].str.slice(0, 10), format="%Y-%m-%d")
    df = pd.DataFrame(
        {
            "owner": df["Deal owner"].astype(object),
            "quarter": close.dt.year.astype("Int64").astype(str) + "-Q" + close.dt.quarter.astype("Int64").astype(str),
            "won": kind == "won",
            "lost": kind == "lost",
            "amount": df["Amount"],
            "cycle": (close - created).dt.days,
            "has_close": close.notna(),
        }
    )
    df = df[df["has_close"] & df["owner"].notna()]
    df["won_amount"] = df["amount"].where(df["won"])
    df["cycle_closed"] = df["cycle"].where(df["won"] | df["lost"])
    g = df.groupby(["owner", "quarter"], sort=False, observed=True)
    out = g.agg(
        won_count=("won", "sum"),
        lost_count=("lost", "sum"),
        won_amount=("won_amount", "sum"),
        avg_deal_size=("won_amount", "mean"),
        median_cycle_days=("cycle_closed", "median"),
    )
    out["win_rate"] = out["won_count"] / (out["won_count"] + out["lost_count"])
    seconds = time.perf_counter() - start
    rows = {}
    for (owner, quarter), r in out.iterrows():
        rows[f"{owner}|{quarter}"] = [r[m] for m in METRICS]
    return seconds, rows, {}


def run_polars(path):
    import polars as pl

    start = time.perf_counter()
    df = pl.read_csv(
        path,
        columns=["Deal Stage", "Amount", "Close Date", "Create Date", "Deal owner"],
        schema_overrides={"Close Date": pl.Utf8, "Create Date": pl.Utf8, "Amount": pl.Float64},
    )
    kinds = stage_kinds(df["Deal Stage"].unique().to_list())
    close = pl.col("Close Date").str.to_date("%Y-%m-%d")
    created = pl.col("Create Date").str.slice(0, 10).str.to_date("%Y-%m-%d")
    kind = pl.col("Deal Stage").replace_strict(kinds, default=None)
    out = (
        df.with_columns(close=close, created=created, kind=kind)
        .filter(pl.col("close").is_not_null() & pl.col("Deal owner").is_not_null())
        .with_columns(
            quarter=pl.col("close").dt.year().cast(pl.Utf8) + "-Q" + pl.col("close").dt.quarter().cast(pl.Utf8),
            won=pl.col("kind") == "won",
            lost=pl.col("kind") == "lost",
            cycle=(pl.col("close") - pl.col("created")).dt.total_days(),
        )
        .group_by(["Deal owner", "quarter"])
        .agg(
            won_count=pl.col("won").sum(),
            lost_count=pl.col("lost").sum(),
            won_amount=pl.col("Amount").filter(pl.col("won")).sum(),
            avg_deal_size=pl.col("Amount").filter(pl.col("won")).mean(),
            median_cycle_days=pl.col("cycle").filter(pl.col("won") | pl.col("lost")).median(),
        )
        .with_columns(win_rate=pl.col("won_count") / (pl.col("won_count") + pl.col("lost_count")))
    )
    seconds = time.perf_counter() - start
    rows = {}
    for r in out.iter_rows(named=True):
        rows[f'{r["Deal owner"]}|{r["quarter"]}'] = [r[m] for m in METRICS]
    return seconds, rows, {}


def run_revcore_fields(path):
    return run_revcore(path, fields=FIELDS)


RUNNERS = {"revcore": run_revcore_fields, "revcore_all": run_revcore, "pandas": run_pandas, "polars": run_polars}


def child(which, path):
    seconds, rows, notes = RUNNERS[which](path)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    clean = {k: [None if (v is None or (isinstance(v, float) and math.isnan(v))) else float(v) for v in vs]
             for k, vs in rows.items()}
    print(json.dumps({"seconds": seconds, "peak_mib": peak_kib / 1024, "rows": clean, "notes": notes}))


def same(a, b):
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def main():
    path = sys.argv[1]
    repeat = int(sys.argv[sys.argv.index("--repeat") + 1]) if "--repeat" in sys.argv else 1
    results = {}
    runs = {which: [] for which in RUNNERS}
    # Rounds of the three in turn, so a change of load hits all three alike; medians reported.
    for _ in range(repeat):
        for which in runs:
            out = subprocess.run([sys.executable, __file__, "--child", which, path], capture_output=True, text=True)
            if out.returncode != 0:
                sys.exit(f"{which} failed:\n{out.stderr}")
            runs[which].append(json.loads(out.stdout))
    for which, rs in runs.items():
        rs.sort(key=lambda r: r["seconds"])
        results[which] = rs[len(rs) // 2]
        if repeat > 1:
            results[which]["notes"] = dict(results[which]["notes"] or {},
                                           runs=[round(r["seconds"], 3) for r in runs[which]])
    base = results["revcore"]["rows"]
    for which in ["revcore_all", "pandas", "polars"]:
        other = results[which]["rows"]
        # A group holding only open deals has no closed-deal metric in pandas/polars either way.
        keys = set(base) | set(other)
        bad = [k for k in sorted(keys) if k not in base or k not in other
               or not all(same(x, y) for x, y in zip(base[k], other[k]))]
        print(f"{which}: {len(keys) - len(bad)} of {len(keys)} groups agree with revcore"
              + (f"; first differences: {[(k, base.get(k), other.get(k)) for k in bad[:3]]}" if bad else ""))
    print()
    print(f"{'':11} {'seconds':>8} {'peak MiB':>9}")
    for which, r in results.items():
        print(f"{which:11} {r['seconds']:8.3f} {r['peak_mib']:9.0f}  {r['notes'] or ''}")
    rc, pd_, pl_ = (results[w]["seconds"] for w in ["revcore", "pandas", "polars"])
    print(f"\nrevcore is {pd_ / rc:.2f}x pandas and {pl_ / rc:.2f}x polars (end to end); "
          f"peak memory {results['revcore']['peak_mib']:.0f} MiB vs pandas {results['pandas']['peak_mib']:.0f} MiB")
    print(f"reading every column (revcore_all): {pd_ / results['revcore_all']['seconds']:.2f}x pandas, "
          f"{pl_ / results['revcore_all']['seconds']:.2f}x polars")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
    else:
        main()
