"""Garbage in at every entry point: always a revcore exception with a code and a path, never
a crash, a bare Exception, or a changed argument."""

from __future__ import annotations

import copy
import datetime as dt
import math
import pickle
from decimal import Decimal
from typing import Any, Callable, Dict, List

import pytest

import revcore
from revcore.errors import (
    ConfigError,
    ConflictError,
    NotFoundError,
    ParseError,
    RevcoreError,
    ValidationError,
)

LEAD = {"id": "L1", "created_at": "2026-01-05T10:00:00Z"}
EXISTS = {"field": "x", "exists": True}


class Thing:
    pass


class BrokenZone(dt.tzinfo):
    """A tzinfo whose own code fails, as pandas' NaT does."""

    def utcoffset(self, when: Any) -> dt.timedelta:
        raise RuntimeError("no offset today")


def nested(levels: int) -> Dict[str, Any]:
    """A dict nested `levels` deep, built without recursion."""
    root: Dict[str, Any] = {}
    node = root
    for _ in range(levels - 1):
        child: Dict[str, Any] = {}
        node["a"] = child
        node = child
    return root


# Every entry point that takes a document, called with `bad` in that document's place.
ENTRY_POINTS: Dict[str, Callable[[Any], Any]] = {
    "validate": lambda bad: revcore.validate("lead", bad),
    "normalize": lambda bad: revcore.normalize("lead", bad),
    "validate.pipeline": lambda bad: revcore.validate("opportunity", {}, pipeline=bad),
    "classify_stage.pipeline": lambda bad: revcore.classify_stage("won", pipeline=bad),
    "Condition": lambda bad: revcore.Condition(bad),
    "Condition.matches": lambda bad: revcore.Condition(EXISTS).matches(bad),
    "Condition.explain": lambda bad: revcore.Condition(EXISTS).explain(bad),
    "sample.generate": lambda bad: revcore.sample.generate(seed=bad),
}
# Where the bad document sits in the error paths (the core's prefix for the same argument).
PREFIX = {
    "validate.pipeline": "pipeline.",
    "classify_stage.pipeline": "pipeline.",
    "sample.generate": "seed",
}

UNCONVERTIBLE = {
    "naive_datetime": ({"when": dt.datetime(2026, 1, 5, 10)}, "naive_datetime", "when"),
    "nan": ({"score": math.nan}, "invalid_number", "score"),
    "inf": ({"score": [1.0, -math.inf]}, "invalid_number", "score[1]"),
    "huge_int": ({"n": 2**64}, "invalid_number", "n"),
    "huge_negative_int": ({"n": -(2**63) - 1}, "invalid_number", "n"),
    "decimal_nan": ({"amount": Decimal("NaN")}, "invalid_number", "amount"),
    "object": ({"a": {"b": Thing()}}, "invalid_type", "a.b"),
    "set": ({"tags": {"x"}}, "invalid_type", "tags"),
    "bytes": ({"name": b"x"}, "invalid_type", "name"),
    "time": ({"at": dt.time(9, 30)}, "invalid_type", "at"),
    "broken_tzinfo": ({"at": dt.datetime(2026, 1, 5, tzinfo=BrokenZone())}, "invalid_datetime", "at"),
    "non_str_key": ({"a": {1: "x"}}, "invalid_key", "a"),
    "surrogate": ({"s": "\ud800"}, "invalid_string", "s"),
    "too_deep": (nested(10_000), "too_deep", ".".join(["a"] * 128)),
}


# Cases whose copies cannot be compared: NaN != NaN, a plain object equals only itself, a
# broken tzinfo raises on comparison.
UNCOMPARABLE = {"nan", "inf", "decimal_nan", "object", "broken_tzinfo"}


def _scalar(case: str) -> bool:
    (value,) = UNCONVERTIBLE[case][0].values()
    return not isinstance(value, (dict, list))


# sample.generate's seed is a scalar: it gets only the scalar cases.
CASES = [
    (entry, case)
    for case in UNCONVERTIBLE
    for entry in ENTRY_POINTS
    if entry != "sample.generate" or _scalar(case)
]


@pytest.mark.parametrize("entry, case", CASES)
def test_values_without_a_json_form_are_parse_errors(entry: str, case: str) -> None:
    bad, code, path = UNCONVERTIBLE[case]
    if entry == "sample.generate":
        # pass the bad value itself, found at `seed` of the options
        (bad,) = bad.values()
        path = ""
    before = copy.deepcopy(bad) if case != "too_deep" else None
    with pytest.raises(ParseError) as info:
        ENTRY_POINTS[entry](bad)
    e = info.value
    assert isinstance(e, ValueError) and isinstance(e, RevcoreError)
    assert e.code == "parse"
    first = e.errors[0]
    assert first["code"] == code, e
    assert first["path"] == PREFIX.get(entry, "") + path, e
    assert first["message"]
    if before is not None and case not in UNCOMPARABLE:
        assert bad == before


def test_naive_datetime_message_says_what_to_do() -> None:
    with pytest.raises(ParseError) as info:
        revcore.normalize("lead", {"id": "L1", "created_at": dt.datetime(2026, 1, 5, 10)})
    assert info.value.errors[0]["path"] == "created_at"
    assert "tzinfo" in info.value.errors[0]["message"]
    assert "tzinfo" in str(info.value)


def test_pandas_not_a_time_is_a_parse_error() -> None:
    pd = pytest.importorskip("pandas")
    with pytest.raises(ParseError) as info:
        revcore.validate("lead", {"id": "L1", "created_at": pd.NaT})
    assert info.value.errors[0]["path"] == "created_at"
    assert info.value.errors[0]["code"] == "invalid_datetime"


def test_every_unconvertible_value_is_listed() -> None:
    with pytest.raises(ParseError) as info:
        revcore.validate("lead", {"a": math.nan, "b": [Thing(), dt.datetime(2026, 1, 1)], "c": 1})
    got = [(p["path"], p["code"]) for p in info.value.errors]
    assert got == [("a", "invalid_number"), ("b[0]", "invalid_type"), ("b[1]", "naive_datetime")]
    assert "Thing" in info.value.errors[1]["message"]


def test_problem_lists_are_bounded() -> None:
    with pytest.raises(ParseError) as info:
        revcore.validate("leads", [math.nan] * 10_000)
    assert len(info.value.errors) == 100


def test_cycles_end_at_the_depth_limit() -> None:
    loop: List[Any] = []
    loop.append(loop)
    with pytest.raises(ParseError) as info:
        revcore.validate("leads", loop)
    assert info.value.errors[0]["code"] == "too_deep"


def test_shared_subobjects_cannot_multiply_work() -> None:
    node: Any = [None] * 1000
    for _ in range(40):  # 1000 * 2^40 values if walked naively
        node = [node, node]
    with pytest.raises(ParseError) as info:
        revcore.validate("leads", node)
    assert [p["code"] for p in info.value.errors] == ["too_large"]


def test_caller_objects_are_not_mutated() -> None:
    lead = {
        "id": "L1",
        "created_at": dt.datetime(2026, 1, 5, 10, tzinfo=dt.timezone.utc),
        "Region": "EMEA",
        "attributes": {"tier": 1},
        "tags": ("a", "b"),
    }
    before = copy.deepcopy(lead)
    revcore.normalize("lead", lead)
    revcore.validate("lead", lead)
    revcore.Condition({"field": "Region", "eq": "EMEA"}).explain(lead)
    assert lead == before
    spec = {"all": [{"field": "country", "in": ["us", "CA"]}]}
    spec_before = copy.deepcopy(spec)
    revcore.Condition(spec)
    assert spec == spec_before


def test_wrong_types_at_the_top() -> None:
    with pytest.raises(ConfigError) as info:
        revcore.Condition(42)
    assert isinstance(info.value, ValueError)
    assert info.value.code == "invalid_config"
    assert info.value.errors[0]["path"] == ""
    with pytest.raises(ParseError) as info:
        revcore.validate("lead", "x")
    assert info.value.errors[0]["path"] == ""
    with pytest.raises(ParseError) as info:
        revcore.validate(42, LEAD)
    assert info.value.errors[0]["path"] == "kind"
    with pytest.raises(ParseError) as info:
        revcore.classify_stage(None)
    assert info.value.errors[0]["path"] == "label"
    with pytest.raises(ParseError) as info:
        revcore.Condition(EXISTS).matches(["not", "a", "dict"])
    assert info.value.errors[0]["code"] == "invalid_type"
    with pytest.raises(ParseError):
        revcore.sample.generate(seed="seven")
    with pytest.raises(ParseError):
        revcore.sample.generate(seed=-1)


def test_missing_arguments_are_type_errors() -> None:
    with pytest.raises(TypeError):
        revcore.validate("lead")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        revcore.Condition()  # type: ignore[call-arg]


def test_unknown_kind_is_not_found() -> None:
    for call in (
        lambda: revcore.validate("nope", {}),
        lambda: revcore.normalize("nope", {}),
        lambda: revcore.schema("nope"),
    ):
        with pytest.raises(NotFoundError) as info:
            call()
        assert isinstance(info.value, LookupError)
        assert not isinstance(info.value, ValueError)
        assert info.value.code == "not_found"
        assert info.value.errors[0] == {
            "path": "kind",
            "code": "unknown_kind",
            "message": info.value.errors[0]["message"],
        }
        assert "lead" in info.value.errors[0]["message"]


def test_unknown_keys_in_a_config_are_refused() -> None:
    with pytest.raises(ParseError) as info:
        revcore.validate("pipeline", {"stages": [], "bogus": 1})
    assert info.value.errors[0]["code"] == "unknown_field"
    assert info.value.errors[0]["path"] == "bogus"
    with pytest.raises(ParseError) as info:
        revcore.classify_stage("won", pipeline={"stages": [], "bogus": 1})
    assert info.value.errors[0]["path"] == "pipeline.bogus"


def test_malformed_condition_specs_list_every_problem() -> None:
    spec = {"all": [{"field": "a", "nope": 1}, {"field": "b", "between": [3, 1]}, {"any": []}]}
    with pytest.raises(ConfigError) as info:
        revcore.Condition(spec)
    where = [p["path"].split(".")[0] for p in info.value.errors]
    assert where == sorted(where) and set(where) == {"all[0]", "all[1]", "all[2]"}
    with pytest.raises(ConfigError) as info:
        revcore.Condition({"field": "x", "matches": "("})
    assert info.value.errors[0]["code"] == "invalid_regex"
    deep: Dict[str, Any] = {"field": "x", "exists": True}
    for _ in range(100):
        deep = {"not": deep}
    with pytest.raises(ConfigError) as info:
        revcore.Condition(deep)
    assert info.value.errors[0]["code"] == "too_deep"


def test_validation_errors_are_value_errors_with_paths() -> None:
    with pytest.raises(ValidationError) as info:
        revcore.validate("lead", {**LEAD, "email": "nope"})
    e = info.value
    assert isinstance(e, ValueError)
    assert e.code == "validation"
    assert e.errors[0]["path"] == "email"
    assert str(e).startswith("validation: email:")


def test_exceptions_behave_like_exceptions() -> None:
    with pytest.raises(ValidationError) as info:
        revcore.validate("lead", {**LEAD, "email": "nope"})
    e = info.value
    again = pickle.loads(pickle.dumps(e))
    assert type(again) is ValidationError
    assert (str(again), again.code, again.errors) == (str(e), e.code, e.errors)
    assert "ValidationError" in repr(e)
    made = ConflictError("state moved on")
    assert made.code == "conflict" and made.errors == [] and str(made) == "state moved on"
    assert RevcoreError("x", code="custom", errors=[{"path": "", "code": "c", "message": "m"}]).errors[0]["code"] == "c"
    assert issubclass(NotFoundError, RevcoreError) and issubclass(ConflictError, RevcoreError)
    assert revcore.ParseError is ParseError
