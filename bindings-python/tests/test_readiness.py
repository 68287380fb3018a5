"""revcore.readiness (docs/content.md, "Readiness"): the binding's side -- `as_of` as a datetime
or a str, keyword options, iterables, errors with paths. The numbers are the core's and are
pinned by the conformance vectors (tests/vectors/content/readiness_*)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List

import pytest

import revcore

UTC = dt.timezone.utc
PROGRAM: Dict[str, Any] = {
    "id": "P1",
    "name": "Onboarding",
    "roles": ["ae"],
    "modules": [{"id": "m1", "title": "Discovery", "weight": 3}, {"id": "m2", "title": "Demo"}],
}
REP: Dict[str, Any] = {"id": "R1", "name": "Ann", "role": "ae", "time_zone": "UTC", "start_date": "2026-01-05"}
DONE = [{"rep_id": "R1", "program_id": "P1", "item_id": "m1", "completed_at": "2026-01-20T09:00:00Z"}]


def _error(excinfo: Any) -> List[Any]:
    return [(p["path"], p["code"]) for p in excinfo.value.errors]


def test_as_of_as_datetime_or_str_gives_the_same_report() -> None:
    a = revcore.readiness([PROGRAM], [REP], DONE, as_of=dt.datetime(2026, 2, 1, tzinfo=UTC))
    b = revcore.readiness([PROGRAM], [REP], DONE, None, as_of="2026-02-01T00:00:00Z")
    assert a == b
    rep = a["reps"][0]
    assert (rep["score"], rep["required"], rep["completed"]) == (75.0, 2, 1)
    assert [m["item_id"] for m in rep["missing"]] == ["m2"]


def test_iterables_and_options() -> None:
    won = {"id": "O1", "created_at": "2026-01-10T00:00:00Z", "stage": "Closed Won", "owner_id": "R1",
           "amount": {"amount": 500, "currency": "USD"}, "closed_at": "2026-01-25T00:00:00Z"}
    rep = dict(REP, quotas=[{"start": "2026-01-01", "end": "2026-03-31", "amount": {"amount": 1000, "currency": "USD"}}])
    report = revcore.readiness(
        (p for p in [PROGRAM]), iter([rep]), tuple(DONE), [won], as_of="2026-02-01T00:00:00Z", ramp_quota_share=0.5
    )
    ramp = report["reps"][0]["ramp"]
    assert ramp["days_to_first_win"] == 20
    assert ramp["quota_share_reached_on"] == "2026-01-25"
    assert ramp["quota_target"] == {"amount": 500, "currency": "USD"}


def test_bad_input_names_the_field() -> None:
    with pytest.raises(revcore.ParseError) as e:
        revcore.readiness([PROGRAM], [REP], DONE, as_of=dt.datetime(2026, 2, 1))
    assert _error(e)[0][0] == "options.as_of"
    with pytest.raises(revcore.ParseError) as e:
        revcore.readiness([PROGRAM], [REP], DONE, as_of=None)  # type: ignore[arg-type]
    assert _error(e)[0][0] == "options.as_of"
    with pytest.raises(revcore.ParseError) as e:
        revcore.readiness([dict(PROGRAM, modules=[{"id": "m", "title": "M", "weight": float("nan")}])], [REP], [],
                          as_of="2026-02-01T00:00:00Z")
    assert _error(e) == [("programs[0].modules[0].weight", "invalid_number")]
    with pytest.raises(revcore.ConfigError) as e:
        revcore.readiness([dict(PROGRAM, modules=[{"id": "m", "title": "M", "weight": 0}])], [REP], [],
                          as_of="2026-02-01T00:00:00Z", ramp_quota_share=11)
    assert _error(e) == [("programs[0].modules[0].weight", "invalid_value"), ("options.ramp_quota_share", "invalid_value")]
    with pytest.raises(revcore.ParseError) as e:
        revcore.readiness("programs", [REP], [], as_of="2026-02-01T00:00:00Z")  # type: ignore[arg-type]
    assert _error(e) == [("programs", "invalid_type")]
    with pytest.raises(TypeError):
        revcore.readiness([PROGRAM], [REP], [], as_of="2026-02-01T00:00:00Z", share=1)  # type: ignore[call-arg]
