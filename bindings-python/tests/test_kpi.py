"""revcore.kpi_report and revcore.Table (docs/kpis.md): the binding's side -- arguments,
`as_of` as datetime or str, the Table's conversions and HTML. The numbers are the core's and are
pinned by the conformance vectors (tests/vectors/kpi)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List

import pytest

import revcore

UTC = dt.timezone.utc


def _opp(id: str, owner: str, stage: str, close: str, amount: float) -> Dict[str, Any]:
    return {"id": id, "owner_id": owner, "created_at": "2026-01-05T09:00:00Z", "stage": stage,
            "close_date": close, "amount": {"amount": amount, "currency": "USD"}}


OPPS = [
    _opp("D1", "R1", "Closed Won", "2026-02-20", 1000),
    _opp("D2", "R1", "Closed Lost", "2026-05-01", 500),
    _opp("D3", "R2", "Closed Won", "2026-04-15", 3000),
    _opp("D4", "R2", "Proposal", "2026-06-30", 2000),
]


def _error(excinfo: Any) -> List[Any]:
    return [(p["path"], p["code"]) for p in excinfo.value.errors]


def test_one_row_without_group_by() -> None:
    t = revcore.kpi_report(OPPS, ["win_rate", "won_amount"])
    assert isinstance(t, revcore.Table)
    assert len(t) == 1 and t.columns == ["win_rate", "won_amount"]
    assert t.to_dicts() == [{"win_rate": 2 / 3, "won_amount": 4000.0}]


def test_groups_then_totals_and_conversions() -> None:
    t = revcore.kpi_report(iter(OPPS), ("won_count", "win_rate"), group_by=["owner_id", "close_date:quarter"])
    rows = t.to_dicts()
    assert [(r["owner_id"], r["close_date:quarter"]) for r in rows] == [
        ("R1", "2026-Q1"), ("R1", "2026-Q2"), ("R2", "2026-Q2"), (None, None)]
    assert rows[-1]["won_count"] == 2
    rows[0]["won_count"] = 99
    assert t[0]["won_count"] == 1, "to_dicts hands out copies"
    df = t.to_pandas()
    assert list(df.columns) == t.columns and len(df) == len(t)
    assert df["win_rate"].iloc[1] == 0.0
    html = t._repr_html_()
    assert html.startswith("<table") and "close_date:quarter" in html and "null" in html
    assert "4 rows" in repr(t)


def test_to_polars() -> None:
    pl = pytest.importorskip("polars")
    t = revcore.kpi_report(OPPS, ["won_amount"], group_by=["owner_id"])
    df = t.to_polars()
    assert isinstance(df, pl.DataFrame)
    assert df.columns == ["owner_id", "won_amount"]
    assert df["won_amount"].to_list() == [1000.0, 3000.0, 4000.0]


def test_as_of_datetime_or_str_and_calendar() -> None:
    a = revcore.kpi_report(OPPS, ["open_pipeline"], as_of=dt.datetime(2026, 3, 1, tzinfo=UTC))
    b = revcore.kpi_report(OPPS, ["open_pipeline"], as_of="2026-03-01T00:00:00Z")
    assert a == b
    t = revcore.kpi_report(OPPS, ["won_count"], group_by=["close_date:fiscal_quarter"],
                           calendar={"fiscal_year_start_month": 2})
    assert [r["close_date:fiscal_quarter"] for r in t] == ["FY2027-Q1", "FY2027-Q2", None]


def test_bad_input_names_the_field() -> None:
    with pytest.raises(revcore.ConfigError) as e:
        revcore.kpi_report(OPPS, ["win_ratio"], group_by=["close_date:fortnight"])
    assert _error(e) == [("metrics[0]", "unknown_metric"), ("group_by[0]", "unknown_period")]
    with pytest.raises(revcore.ParseError) as e:
        revcore.kpi_report(OPPS, ["win_rate"], as_of=dt.datetime(2026, 3, 1))
    assert _error(e)[0][0] == "as_of"
    with pytest.raises(revcore.ValidationError) as e:
        revcore.kpi_report([dict(OPPS[0], stage="Signed")], ["win_rate"])
    assert _error(e) == [("opportunities[0].stage", "unknown_stage")]
    with pytest.raises(revcore.ParseError) as e:
        revcore.kpi_report("opps", ["win_rate"])  # type: ignore[arg-type]
    assert _error(e) == [("opportunities", "invalid_type")]


def test_funnel_and_coaching_flags() -> None:
    f = revcore.funnel(OPPS, as_of=dt.datetime(2026, 12, 31, tzinfo=UTC))
    assert f["deals"] == 4
    assert [s["stage"] for s in f["stages"]][0] == "prospecting"
    assert revcore.funnel(OPPS) == revcore.funnel(OPPS, None)
    c = revcore.coaching_flags(OPPS, ["win_rate"], min_closed_deals=1, percentile=40)
    assert c["benchmarks"][0]["reps"] == 2
    assert [(x["rep_id"], x["direction"]) for x in c["flags"]] == [("R1", "below")]
    with pytest.raises(revcore.ConfigError) as e:
        revcore.coaching_flags(OPPS, ["forecast"], percentile=60)
    assert _error(e) == [("metrics[0]", "unknown_metric"), ("percentile", "invalid_value")]


def test_records_from_a_csv_report_as_their_dicts(tmp_path: Any) -> None:
    path = tmp_path / "deals.csv"
    path.write_text(
        "Record ID,Deal Stage,Amount,Close Date,Create Date,Deal owner\n"
        "D1,closedwon,1000,2026-02-20,2026-01-05,R1\n"
        "D2,closedlost,500,2026-05-01,2026-01-05,R1\n"
        "D3,closedwon,3000,2026-04-15,2026-01-05,R2\n"
    )
    records = revcore.read_opportunities_csv(str(path), mapping="hubspot")
    metrics = ["won_count", "win_rate", "won_amount", "median_cycle_days"]
    a = revcore.kpi_report(records, metrics, group_by=["owner_id", "close_date:quarter"])
    b = revcore.kpi_report(records.to_dicts(), metrics, group_by=["owner_id", "close_date:quarter"])
    assert a == b and len(a) == 4
    leads_path = tmp_path / "leads.csv"
    leads_path.write_text("Record ID,Create Date,Lead Status\nL1,2026-01-05,NEW\n")
    leads = revcore.read_leads_csv(str(leads_path), mapping="hubspot")
    with pytest.raises(revcore.ParseError) as e:
        revcore.kpi_report(leads, metrics)
    assert _error(e) == [("opportunities", "invalid_type")]
    t = revcore.kpi_report(records, ["lead_conversion"], leads=leads)
    assert t.to_dicts() == [{"lead_conversion": 0.0}]
