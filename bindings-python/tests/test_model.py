"""validate / normalize / schema / kinds / pipelines: what a user of the model API notices."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

import revcore

UTC = dt.timezone.utc
LEAD = {"id": "L1", "created_at": "2026-01-05T10:00:00Z", "email": "ada@northwind.io"}


def test_version_is_the_core_version() -> None:
    assert revcore.__version__ == "0.1.0"


def test_a_good_lead_validates() -> None:
    assert revcore.validate("lead", LEAD) is None


def test_normalize_moves_unknown_keys_into_attributes() -> None:
    lead = revcore.normalize("lead", {**LEAD, "utm_campaign": "spring", "attributes": {"tier": 2}})
    assert lead["attributes"] == {"utm_campaign": "spring", "tier": 2}
    assert "utm_campaign" not in lead
    assert lead["status"] == "new"


def test_normalize_accepts_python_values_and_gives_back_the_wire_form() -> None:
    paris = dt.timezone(dt.timedelta(hours=1))
    lead = revcore.normalize(
        "lead",
        {
            "id": "L1",
            "created_at": dt.datetime(2026, 1, 5, 11, 0, tzinfo=paris),
            "annual_revenue": {"amount": Decimal("1250000.00"), "currency": "EUR"},
            "first_seen": dt.date(2025, 12, 24),
        },
    )
    assert lead["created_at"] == "2026-01-05T10:00:00Z"
    assert lead["annual_revenue"] == {"amount": 1250000, "currency": "EUR"}
    assert lead["attributes"] == {"first_seen": "2025-12-24"}


def test_normalize_is_idempotent() -> None:
    once = revcore.normalize("lead", {**LEAD, "x": 1})
    assert revcore.normalize("lead", once) == once


def test_lists_report_every_bad_record() -> None:
    leads = [LEAD, {**LEAD, "id": "L2", "email": "nope"}, {**LEAD, "id": "L3", "email": "also-nope"}]
    with pytest.raises(revcore.ValidationError) as info:
        revcore.validate("leads", leads)
    assert [p["path"] for p in info.value.errors] == ["[1].email", "[2].email"]


def test_kinds_and_schemas() -> None:
    kinds = revcore.kinds()
    assert kinds[0] == "lead" and "world" in kinds and "condition" in kinds
    assert len(kinds) == len(set(kinds))
    for kind in kinds:
        schema = revcore.schema(kind)
        assert isinstance(schema, dict) and schema, kind
    assert "id" in revcore.schema("lead")["properties"]


def test_default_pipeline_classifies_crm_labels() -> None:
    pipeline = revcore.default_pipeline()
    assert pipeline["stages"]
    revcore.validate("pipeline", pipeline)
    won = revcore.classify_stage("Closed Won")
    assert won is not None and won["kind"] == "won"
    assert revcore.classify_stage("no such stage") is None
    assert revcore.classify_stage("closedwon", pipeline) == won


def test_a_custom_pipeline_constrains_opportunity_stages() -> None:
    pipeline = {
        "stages": [
            {"key": "open", "name": "Open", "kind": "open", "probability": 0.5, "forecast_category": "pipeline"},
            {"key": "won", "name": "Won", "kind": "won", "probability": 1.0, "forecast_category": "closed"},
        ]
    }
    opp = {"id": "O1", "stage": "won", "created_at": dt.datetime(2026, 1, 5, tzinfo=UTC)}
    revcore.validate("opportunity", opp, pipeline=pipeline)
    with pytest.raises(revcore.ValidationError) as info:
        revcore.validate("opportunity", {**opp, "stage": "negotiation"}, pipeline=pipeline)
    assert info.value.errors[0]["path"] == "stage"
