"""Python values a notebook holds cross into the core as their JSON wire form."""

from __future__ import annotations

import datetime as dt
import enum
from collections import OrderedDict
from decimal import Decimal
from typing import Any, Callable

import pytest

import revcore

Echo = Callable[[Any], Any]

UTC = dt.timezone.utc


def test_json_types_cross_unchanged(echo: Echo) -> None:
    value = {"s": "é✓", "i": -3, "f": 2.5, "b": True, "n": None, "l": [1, "x"], "d": {"k": []}}
    assert echo(value) == value
    assert echo(True) is True  # a bool stays a bool, not the int 1
    assert echo(-(2**63)) == -(2**63)
    big = revcore.Condition({"field": "n", "eq": 2**64 - 1})
    assert big.matches({"n": 2**64 - 1})


def test_tuples_are_lists_and_subclasses_are_their_base(echo: Echo) -> None:
    class Color(str, enum.Enum):
        RED = "red"

    class Size(enum.IntEnum):
        BIG = 3

    assert echo((1, (2, 3))) == [1, [2, 3]]
    assert echo(Color.RED) == "red"
    assert echo(Size.BIG) == 3
    assert echo(OrderedDict(a=1)) == {"a": 1}


def test_aware_datetimes_become_utc_rfc3339(echo: Echo) -> None:
    assert echo(dt.datetime(2026, 1, 5, 10, 0, tzinfo=UTC)) == "2026-01-05T10:00:00Z"
    plus2 = dt.timezone(dt.timedelta(hours=2))
    assert echo(dt.datetime(2026, 1, 5, 12, 0, tzinfo=plus2)) == "2026-01-05T10:00:00Z"
    assert echo(dt.datetime(2026, 1, 5, 10, 0, 0, 250000, tzinfo=UTC)) == "2026-01-05T10:00:00.250Z"
    assert echo(dt.datetime(2026, 1, 5, 10, 0, 0, 1, tzinfo=UTC)) == "2026-01-05T10:00:00.000001Z"
    # across midnight and the year
    minus5 = dt.timezone(dt.timedelta(hours=-5))
    assert echo(dt.datetime(2025, 12, 31, 22, 30, tzinfo=minus5)) == "2026-01-01T03:30:00Z"


def test_zoneinfo_datetimes_use_their_offset_at_that_instant(echo: Echo) -> None:
    zoneinfo = pytest.importorskip("zoneinfo")
    try:
        paris = zoneinfo.ZoneInfo("Europe/Paris")
    except zoneinfo.ZoneInfoNotFoundError:
        pytest.skip("no time zone database")
    assert echo(dt.datetime(2026, 1, 5, 11, 0, tzinfo=paris)) == "2026-01-05T10:00:00Z"
    assert echo(dt.datetime(2026, 7, 5, 12, 0, tzinfo=paris)) == "2026-07-05T10:00:00Z"


def test_datetime_subclasses_such_as_pandas_timestamps_work(echo: Echo) -> None:
    class Timestamp(dt.datetime):
        pass

    assert echo(Timestamp(2026, 1, 5, 10, tzinfo=UTC)) == "2026-01-05T10:00:00Z"


def test_pandas_timestamp(echo: Echo) -> None:
    pd = pytest.importorskip("pandas")
    assert echo(pd.Timestamp("2026-01-05 11:00", tz="Europe/Paris")) == "2026-01-05T10:00:00Z"


def test_dates_and_decimals(echo: Echo) -> None:
    assert echo(dt.date(2026, 1, 5)) == "2026-01-05"
    assert echo(dt.date(99, 2, 3)) == "0099-02-03"
    assert echo(Decimal("1234.50")) == "1234.50"
    assert echo(Decimal("-1E+3")) == "-1E+3"


def test_decimal_money_is_exact() -> None:
    money = revcore.normalize("money", {"amount": Decimal("1234.50"), "currency": "EUR"})
    assert money == {"amount": 1234.5, "currency": "EUR"}
    assert revcore.normalize("money", {"amount": Decimal("1E+3"), "currency": "USD"}) == {
        "amount": 1000,
        "currency": "USD",
    }


def test_conditions_inside_arguments_cross_as_their_spec(echo: Echo) -> None:
    spec = {"field": "country", "in": ["US", "CA"]}
    assert echo(revcore.Condition(spec)) == revcore.Condition(spec).to_dict()


def test_results_are_plain_json_types() -> None:
    lead = revcore.normalize("lead", {"id": "L1", "created_at": dt.datetime(2026, 1, 5, 10, tzinfo=UTC)})
    assert lead["created_at"] == "2026-01-05T10:00:00Z"
    assert type(lead) is dict

    def plain(x: object) -> bool:
        if isinstance(x, dict):
            return all(type(k) is str and plain(v) for k, v in x.items())
        if isinstance(x, list):
            return all(plain(v) for v in x)
        return x is None or type(x) in (str, int, float, bool)

    assert plain(revcore.default_pipeline())
    assert plain(revcore.schema("world"))


def test_numpy_scalars_are_their_python_values(echo: Echo) -> None:
    np = pytest.importorskip("numpy")
    assert echo(np.int64(3)) == 3 and type(echo(np.int64(3))) is int
    assert echo(np.bool_(True)) is True
    assert echo(np.float32(0.5)) == 0.5
    assert echo({"a": [np.uint8(7), np.int32(-2)]}) == {"a": [7, -2]}
    lead = {"id": "L1", "created_at": "2026-01-05T10:00:00Z", "employees": np.int64(250)}
    assert revcore.Condition({"field": "employees", "gte": 200}).matches(lead)


def test_numpy_dates_and_complex_numbers_are_refused_not_guessed() -> None:
    np = pytest.importorskip("numpy")
    exists = revcore.Condition({"field": "v", "exists": True})
    for value in (np.datetime64("2026-01-05T10:00:00.000000000"), np.timedelta64(5, "ns"), np.complex128(1j)):
        with pytest.raises(revcore.ParseError) as e:
            exists.explain({"v": value})
        assert [(p["path"], p["code"]) for p in e.value.errors] == [("v", "invalid_type")], value
