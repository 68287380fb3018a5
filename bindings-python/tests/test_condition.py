"""revcore.Condition: parse once, match dicts (datetimes welcome), explain, compare."""

from __future__ import annotations

import copy
import datetime as dt
import pickle
import threading

import pytest

import revcore

UTC = dt.timezone.utc
SPEC = {
    "all": [
        {"field": "country", "in": ["US", "CA"]},
        {"any": [{"field": "employees", "gt": 100}, {"field": "email", "email_domain": ["acme.com"]}]},
        {"not": {"field": "email", "free_mail": True}},
    ]
}


def test_matches_records() -> None:
    c = revcore.Condition(SPEC)
    assert c.matches({"country": "us", "employees": 500, "email": "ann@northwind.io"})
    assert c.matches({"country": "CA", "email": "bo@sales.acme.com"})
    assert not c.matches({"country": "DE", "employees": 500})
    assert not c.matches({"country": "US", "employees": 500, "email": "ann@gmail.com"})
    assert not c.matches({})


def test_datetimes_in_records_compare_as_instants() -> None:
    c = revcore.Condition({"field": "created_at", "gte": "2026-01-01"})
    assert c.matches({"created_at": dt.datetime(2026, 1, 1, 0, 30, tzinfo=UTC)})
    assert not c.matches({"created_at": dt.datetime(2025, 12, 31, 23, 59, tzinfo=UTC)})
    assert c.matches({"created_at": dt.date(2026, 3, 1)})
    late = revcore.Condition({"field": "attributes.when", "lt": "2026-01-05T10:00:00Z"})
    plus2 = dt.timezone(dt.timedelta(hours=2))
    assert late.matches({"attributes": {"when": dt.datetime(2026, 1, 5, 11, 59, tzinfo=plus2)}})
    with pytest.raises(revcore.ParseError) as info:
        late.matches({"attributes": {"when": dt.datetime(2026, 1, 5, 9)}})
    assert info.value.errors[0]["path"] == "attributes.when"


def test_datetime_operands_are_accepted_in_specs() -> None:
    when = dt.datetime(2026, 1, 5, 10, tzinfo=UTC)
    c = revcore.Condition({"field": "created_at", "lt": when})
    assert c.matches({"created_at": "2026-01-05T09:00:00Z"})
    assert not c.matches({"created_at": when})


def test_explain_says_why() -> None:
    c = revcore.Condition({"all": [{"field": "country", "eq": "US"}, {"field": "employees", "gt": 100}]})
    e = c.explain({"country": "US", "employees": "many"})
    assert e["matched"] is False
    first, second = e["node"]["all"]
    assert first == {"field": "country", "op": "eq", "expected": "US", "actual": "US", "result": True}
    assert second["result"] is False and second["reason"] == "type_mismatch"
    missing = c.explain({"country": "US"})["node"]["all"][1]
    assert missing["reason"] == "missing" and missing["actual"] is None
    assert c.explain({"country": "US", "employees": 101})["matched"] == c.matches({"country": "US", "employees": 101})


def test_to_dict_is_canonical_and_round_trips() -> None:
    c = revcore.Condition(SPEC)
    spec = c.to_dict()
    assert isinstance(spec, dict)
    assert revcore.Condition(spec) == c
    assert revcore.Condition(spec).to_dict() == spec
    assert revcore.normalize("condition", SPEC) == spec


def test_equality_hash_and_repr_follow_the_canonical_form() -> None:
    a = revcore.Condition({"field": "country", "eq": "US"})
    b = revcore.Condition({"field": "country", "eq": "US", "case_sensitive": False})
    other = revcore.Condition({"field": "country", "eq": "CA"})
    assert a == revcore.Condition(a.to_dict())
    assert (a == b) == (a.to_dict() == b.to_dict())
    assert a != other
    assert a != "not a condition"
    assert len({a, revcore.Condition(a.to_dict()), other}) == 2
    assert repr(a).startswith("Condition({") and '"country"' in repr(a)


def test_fields_lists_what_the_condition_reads() -> None:
    assert revcore.Condition(SPEC).fields == ["country", "email", "employees"]


def test_conditions_pickle_and_copy() -> None:
    c = revcore.Condition(SPEC)
    assert pickle.loads(pickle.dumps(c)) == c
    assert copy.deepcopy(c) == c
    assert type(c).__module__ == "revcore"


def test_a_condition_is_shared_across_threads() -> None:
    c = revcore.Condition({"field": "n", "between": [10, 20]})
    results = []

    def work() -> None:
        results.append(sum(c.matches({"n": n}) for n in range(100)))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [11] * 4


def test_bad_specs_raise_config_error_with_every_problem() -> None:
    with pytest.raises(revcore.ConfigError) as info:
        revcore.Condition({"all": [{"field": "x"}, {"field": "y", "in": []}]})
    e = info.value
    assert isinstance(e, ValueError) and e.code == "invalid_config"
    assert [p["path"].split(".")[0] for p in e.errors] == ["all[0]", "all[1]"]
    assert [p["code"] for p in e.errors] == ["missing_operator", "empty"]
