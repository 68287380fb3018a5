"""Shared fixtures of the revcore tests."""

from __future__ import annotations

from typing import Any, Callable

import pytest

import revcore


@pytest.fixture(scope="session")
def echo() -> Callable[[Any], Any]:
    """The JSON value revcore sees for a Python value: a field of a record, read back through
    a condition's explanation (`actual` shows the value as the core holds it)."""
    exists = revcore.Condition({"field": "v", "exists": True})

    def read_back(value: Any) -> Any:
        return exists.explain({"v": value})["node"]["actual"]

    return read_back
