"""ContentLibrary.analytics (docs/content.md, "Analytics"): the binding's side -- keyword
options, `as_of` as a datetime or a str, errors with paths. The numbers are pinned by the
conformance vectors (tests/vectors/content/analytics_*)."""

from __future__ import annotations

import datetime as dt
from typing import Any, List

import pytest

import revcore

UTC = dt.timezone.utc
ASSETS = [{"id": "A1", "title": "Case study", "type": "case_study", "status": "published",
           "published_at": "2026-01-10"}]
EVENTS = [{"asset_id": "A1", "kind": "share", "at": "2026-03-15T10:00:00Z", "opportunity_id": "O1"},
          {"asset_id": "A9", "kind": "view", "at": "2026-03-16T10:00:00Z"}]
OPPS = [{"id": "O1", "created_at": "2026-03-01T00:00:00Z", "stage": "Closed Won",
         "closed_at": "2026-04-01T00:00:00Z"}]


def _error(excinfo: Any) -> List[Any]:
    return [(p["path"], p["code"]) for p in excinfo.value.errors]


def test_as_of_datetime_or_str() -> None:
    lib = revcore.ContentLibrary(ASSETS)
    a = lib.analytics(EVENTS, OPPS, as_of=dt.datetime(2026, 7, 1, tzinfo=UTC))
    b = lib.analytics(iter(EVENTS), tuple(OPPS), as_of="2026-07-01T00:00:00Z", stale_after_days=90)
    assert a == b
    assert a["influence"][0]["used"]["won"] == 1
    assert a["unmatched"]["unknown_asset_ids"] == ["A9"]
    later = lib.analytics(EVENTS, OPPS, as_of="2026-07-01T00:00:00Z", stale_after_days=30)
    assert later["stale"][0]["reasons"] == ["unused"]


def test_bad_input_names_the_field() -> None:
    lib = revcore.ContentLibrary(ASSETS)
    with pytest.raises(revcore.ParseError) as e:
        lib.analytics(EVENTS, OPPS, as_of=dt.datetime(2026, 7, 1))
    assert _error(e)[0][0] == "options.as_of"
    with pytest.raises(revcore.ValidationError) as e:
        lib.analytics(EVENTS, [dict(OPPS[0], stage="Signed")], as_of="2026-07-01T00:00:00Z")
    assert _error(e) == [("opportunities[0].stage", "unknown_stage")]
    with pytest.raises(revcore.ParseError) as e:
        lib.analytics("events", OPPS, as_of="2026-07-01T00:00:00Z")  # type: ignore[arg-type]
    assert _error(e) == [("events", "invalid_type")]


def test_content_as_of_may_be_a_datetime() -> None:
    lib = revcore.ContentLibrary(ASSETS)
    at = dt.datetime(2026, 6, 30, 23, 0, tzinfo=UTC)
    assert lib.search("case", {"as_of": at}) == lib.search("case", {"as_of": dt.date(2026, 6, 30)})
    assert lib.recommend({"as_of": at}) == lib.recommend({"as_of": "2026-06-30"})
