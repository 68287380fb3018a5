"""KPI reports through the uniffi API (docs/kpis.md): JSON text in and out, errors with paths.
The numbers are pinned by the conformance vectors."""

import json

import pytest
import revcore_swift as rc

OPPS = [
    {"id": "D1", "owner_id": "R1", "created_at": "2026-01-05T09:00:00Z", "stage": "Closed Won",
     "close_date": "2026-02-20", "amount": {"amount": 1000, "currency": "USD"}},
    {"id": "D2", "owner_id": "R2", "created_at": "2026-01-05T09:00:00Z", "stage": "Closed Lost",
     "close_date": "2026-05-01", "amount": {"amount": 500, "currency": "USD"}},
]


def test_report_by_owner():
    table = json.loads(rc.kpi_report(json.dumps(OPPS), json.dumps({"metrics": ["won_count"], "group_by": ["owner_id"]})))
    assert table["columns"] == ["owner_id", "won_count"]
    assert [r["won_count"] for r in table["rows"]] == [1, 0, 1]


def test_errors_name_the_field():
    with pytest.raises(rc.RevcoreError.InvalidConfig) as info:
        rc.kpi_report(json.dumps(OPPS), json.dumps({"metrics": ["nope"]}))
    assert [(p.path, p.code) for p in info.value.errors] == [("metrics[0]", "unknown_metric")]
    with pytest.raises(rc.RevcoreError.Parse) as info:
        rc.kpi_report("[", json.dumps({"metrics": ["won_count"]}))
    assert [(p.path, p.code) for p in info.value.errors] == [("opportunities", "invalid_json")]


def test_funnel_and_coaching_flags():
    f = json.loads(rc.funnel(json.dumps(OPPS)))
    assert f == json.loads(rc.funnel(json.dumps(OPPS), json.dumps({"as_of": "2026-12-31T00:00:00Z"})))
    c = json.loads(rc.coaching_flags(json.dumps(OPPS), json.dumps({"metrics": ["win_rate"], "min_closed_deals": 1})))
    assert c["benchmarks"][0]["reps"] == 2
    with pytest.raises(rc.RevcoreError.InvalidConfig):
        rc.coaching_flags(json.dumps(OPPS), json.dumps({"metrics": ["coverage"]}))
