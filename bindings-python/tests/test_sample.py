"""revcore.sample.generate: a realistic, seeded world, the same for the same seed."""

from __future__ import annotations

import datetime as dt

import pytest

import revcore

KEYS = {
    "reps",
    "teams",
    "territories",
    "accounts",
    "contacts",
    "leads",
    "opportunities",
    "pipeline",
    "content",
    "events",
    "content_events",
    "routing_config",
    "scoring_model",
}


@pytest.fixture(scope="module")
def world() -> dict:
    return revcore.sample.generate(seed=3)


def test_the_world_has_every_collection(world: dict) -> None:
    assert set(world) == KEYS
    for key in KEYS - {"pipeline", "routing_config", "scoring_model"}:
        assert isinstance(world[key], list), key
    assert world["leads"] and world["accounts"] and world["reps"]
    assert world["routing_config"]["version"] == 1
    assert world["scoring_model"]["version"] == 1


def test_the_world_is_valid(world: dict) -> None:
    revcore.validate("world", world)


def test_same_seed_same_world(world: dict) -> None:
    assert revcore.sample.generate(seed=3) == world
    assert revcore.sample.generate(seed=4) != world
    assert revcore.sample.generate() == revcore.sample.generate(seed=7)


def test_sizes_are_honoured() -> None:
    small = revcore.sample.generate(seed=1, leads=5, accounts=3, end_date=dt.date(2025, 12, 31))
    assert len(small["leads"]) == 5
    assert len(small["accounts"]) == 3
    assert all(lead["created_at"] < "2026-01-01" for lead in small["leads"])


def test_unknown_size_names_are_parse_errors() -> None:
    with pytest.raises(revcore.ParseError) as info:
        revcore.sample.generate(seed=1, unicorns=3)
    assert info.value.errors[0]["code"] == "unknown_field"
    assert info.value.errors[0]["path"] == "unicorns"
