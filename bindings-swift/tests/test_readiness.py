"""Rep readiness through the uniffi API (docs/content.md, "Readiness"): JSON text in and out,
opportunities optional, errors with paths. The numbers are pinned by the conformance vectors."""

import json

import pytest
import revcore_swift as rc

PROGRAM = {"id": "P1", "name": "Onboarding", "roles": ["ae"],
           "modules": [{"id": "m1", "title": "Discovery", "weight": 3}, {"id": "m2", "title": "Demo"}]}
REP = {"id": "R1", "name": "Ann", "role": "ae", "time_zone": "UTC", "start_date": "2026-01-05"}
DONE = [{"rep_id": "R1", "program_id": "P1", "item_id": "m1", "completed_at": "2026-01-20T09:00:00Z"}]
OPTIONS = json.dumps({"as_of": "2026-02-01T00:00:00Z"})


def raised(call, kind):
    with pytest.raises(kind) as info:
        call()
    return [(p.path, p.code) for p in info.value.errors]


def test_report_with_and_without_opportunities():
    a = json.loads(rc.readiness(json.dumps([PROGRAM]), json.dumps([REP]), json.dumps(DONE), OPTIONS))
    b = json.loads(rc.readiness(json.dumps([PROGRAM]), json.dumps([REP]), json.dumps(DONE), OPTIONS, "[]"))
    assert a == b
    rep = a["reps"][0]
    assert (rep["score"], rep["required"], rep["completed"]) == (75.0, 2, 1)


def test_errors_name_the_argument():
    assert raised(lambda: rc.readiness("[", "[]", "[]", OPTIONS), rc.RevcoreError.Parse) == [
        ("programs", "invalid_json")
    ]
    assert raised(lambda: rc.readiness("[]", "[]", "[]", "{}"), rc.RevcoreError.Parse) == [
        ("options.as_of", "missing_field")
    ]
    bad = dict(PROGRAM, modules=[{"id": "m", "title": "M", "weight": 0}])
    assert raised(
        lambda: rc.readiness(json.dumps([bad]), "[]", "[]", OPTIONS), rc.RevcoreError.InvalidConfig
    ) == [("programs[0].modules[0].weight", "invalid_value")]
