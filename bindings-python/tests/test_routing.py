"""revcore.Router and revcore.simulate (docs/routing.md): the binding's side of routing --
argument conversion, errors with paths, state round trips, threads. The decisions themselves
are the core's and are pinned by the conformance vectors."""

from __future__ import annotations

import copy
import datetime as dt
import threading
from collections import Counter
from typing import Any, Dict, List

import pytest

import revcore

UTC = dt.timezone.utc
NOW = "2026-03-02T14:05:00Z"
NOW_DT = dt.datetime(2026, 3, 2, 14, 5, tzinfo=UTC)


def _rep(rep_id: str, **extra: Any) -> Dict[str, Any]:
    return {"id": rep_id, "name": f"Rep {rep_id}", "role": "sdr", "time_zone": "UTC", **extra}


REPS = [_rep("R-1"), _rep("R-2"), _rep("R-3")]

CONFIG: Dict[str, Any] = {
    "version": 1,
    "rules": [
        {"id": "students", "condition": {"field": "email", "ends_with": ".edu"}, "target": {"queue": "nurture"}},
        {"id": "everyone", "target": {"pool": "inbound"}},
    ],
    "pools": [
        {
            "id": "inbound",
            "strategy": "round_robin",
            "members": [{"rep_id": "R-1"}, {"rep_id": "R-2"}, {"rep_id": "R-3"}],
            "daily_cap": 5,
        }
    ],
    "fallback_queue": "unassigned",
    "sla": {"first_touch_minutes": 30},
}


def _lead(i: int, **extra: Any) -> Dict[str, Any]:
    return {"id": f"L-{i}", "created_at": "2026-03-02T14:00:00Z", "email": f"p{i}@example{i}.com", **extra}


LEADS = [_lead(i) for i in range(8)] + [_lead(8, email="kid@school.edu")]


def _router(**kw: Any) -> revcore.Router:
    return revcore.Router(CONFIG, REPS, **kw)


def _paths(e: revcore.RevcoreError) -> List[str]:
    return [p["path"] for p in e.errors]


# --- now ---------------------------------------------------------------------------------


def test_aware_datetime_now_equals_the_string() -> None:
    a, b, c = _router(), _router(), _router()
    paris = dt.timezone(dt.timedelta(hours=1))
    for lead in LEADS:
        by_str = a.route(lead, NOW)
        assert b.route(lead, NOW_DT) == by_str
        assert c.route(lead, NOW_DT.astimezone(paris)) == by_str
    assert a.state() == b.state() == c.state()


def test_naive_datetime_now_is_refused() -> None:
    router = _router()
    with pytest.raises(revcore.ParseError) as e:
        router.route(LEADS[0], dt.datetime(2026, 3, 2, 14, 5))
    assert [(p["path"], p["code"]) for p in e.value.errors] == [("now", "naive_datetime")]
    with pytest.raises(revcore.ParseError):
        router.preview(LEADS[0], dt.datetime(2026, 3, 2, 14, 5))
    with pytest.raises(revcore.ParseError):
        router.route_batch(LEADS, dt.datetime(2026, 3, 2, 14, 5))
    assert router.state()["version"] == 0


@pytest.mark.parametrize("now", [42, None, ["2026-03-02T14:05:00Z"], "yesterday", "2026-03-02", ""])
def test_garbage_now_names_now(now: Any) -> None:
    router = _router()
    with pytest.raises(revcore.ParseError) as e:
        router.route(LEADS[0], now)
    assert _paths(e.value) == ["now"], e.value.errors
    with pytest.raises(revcore.ParseError) as e:
        router.route_batch(LEADS, now)
    assert _paths(e.value) == ["now"], e.value.errors
    assert router.state()["version"] == 0


# --- leads -------------------------------------------------------------------------------


@pytest.mark.parametrize("lead", [42, "L-1", None, [LEADS[0]]])
def test_a_lead_that_is_not_a_dict_names_lead(lead: Any) -> None:
    with pytest.raises(revcore.ParseError) as e:
        _router().route(lead, NOW)
    assert e.value.errors and all(p.startswith("lead") for p in _paths(e.value)), e.value.errors


def test_bad_lead_fields_are_reported_under_lead() -> None:
    router = _router()
    with pytest.raises(revcore.ParseError) as e:
        router.route({"id": "L-1", "created_at": dt.datetime(2026, 3, 2, 14)}, NOW)
    assert [(p["path"], p["code"]) for p in e.value.errors] == [("lead.created_at", "naive_datetime")]
    with pytest.raises(revcore.RevcoreError) as e:
        router.route({"id": "L-1"}, NOW)  # no created_at
    assert e.value.errors and all(p.startswith("lead") for p in _paths(e.value)), e.value.errors
    assert router.state()["version"] == 0


def test_batch_errors_name_the_lead() -> None:
    leads = [LEADS[0], {"id": "L-x", "created_at": dt.datetime(2026, 3, 2, 14)}, 42]
    router = _router()
    with pytest.raises(revcore.ParseError) as e:
        router.route_batch(leads, NOW)
    assert "leads[1].created_at" in _paths(e.value)
    assert router.state()["version"] == 0


def test_datetimes_in_leads_are_accepted() -> None:
    a, b = _router(), _router()
    as_dt = dict(LEADS[0], created_at=dt.datetime(2026, 3, 2, 14, tzinfo=UTC))
    assert a.route(as_dt, NOW) == b.route(LEADS[0], NOW)


def test_the_callers_objects_are_not_changed() -> None:
    lead, config, reps = copy.deepcopy(LEADS[0]), copy.deepcopy(CONFIG), copy.deepcopy(REPS)
    router = revcore.Router(config, reps)
    router.route(lead, NOW)
    assert (lead, config, reps) == (LEADS[0], CONFIG, REPS)


# --- building ----------------------------------------------------------------------------


def test_unknown_rep_in_a_pool_is_a_config_error_with_its_path() -> None:
    config = copy.deepcopy(CONFIG)
    config["pools"][0]["members"][1]["rep_id"] = "R-404"
    with pytest.raises(revcore.ConfigError) as e:
        revcore.Router(config, REPS)
    assert ("config.pools[0].members[1].rep_id", "unknown_reference") in [
        (p["path"], p["code"]) for p in e.value.errors
    ], e.value.errors
    assert isinstance(e.value, ValueError)


def test_every_config_problem_is_reported() -> None:
    config = copy.deepcopy(CONFIG)
    config["version"] = 2
    config["rules"][1]["target"] = {"pool": "nope"}
    config["sla"] = {"first_touch_minutes": 0}
    with pytest.raises(revcore.ConfigError) as e:
        revcore.Router(config, REPS)
    codes = {(p["path"], p["code"]) for p in e.value.errors}
    assert ("config.version", "unsupported_version") in codes, e.value.errors
    assert ("config.sla.first_touch_minutes", "invalid_value") in codes, e.value.errors
    assert any(p.startswith("config.rules[1]") for p, _ in codes), e.value.errors


def test_unknown_config_keys_and_types_are_refused_under_config() -> None:
    for config in [dict(CONFIG, colour="blue"), dict(CONFIG, pools=42), 42]:
        with pytest.raises(revcore.RevcoreError) as e:
            revcore.Router(config, REPS)
        assert e.value.errors and all(p.startswith("config") for p in _paths(e.value)), e.value.errors


def test_bad_reps_are_reported_under_reps() -> None:
    reps = [REPS[0], dict(REPS[1], time_zone="Mars/Olympus"), REPS[2]]
    with pytest.raises(revcore.RevcoreError) as e:
        revcore.Router(CONFIG, reps)
    assert any(p.startswith("reps[1]") for p in _paths(e.value)), e.value.errors


def test_python_values_that_are_not_json_are_refused_with_paths() -> None:
    config = copy.deepcopy(CONFIG)
    config["pools"][0]["members"][0]["weight"] = {1, 2}
    with pytest.raises(revcore.ParseError) as e:
        revcore.Router(config, REPS)
    assert _paths(e.value) == ["config.pools[0].members[0].weight"]
    with pytest.raises(revcore.ParseError) as e:
        revcore.Router(CONFIG, REPS, state={"version": float("nan")})
    assert _paths(e.value) == ["state.version"]


def test_router_is_immutable_from_python() -> None:
    router = _router()
    with pytest.raises((AttributeError, TypeError)):
        router.inner = None  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        class Sub(revcore.Router):  # type: ignore[misc]
            pass


# --- state -------------------------------------------------------------------------------


def test_preview_changes_nothing() -> None:
    router = _router()
    router.route(LEADS[0], NOW)
    before = router.state()
    preview = router.preview(LEADS[1], NOW)
    assert router.state() == before
    assert router.preview(LEADS[1], NOW) == preview
    assert router.route(LEADS[1], NOW) == preview


def test_a_router_rebuilt_from_its_state_continues_identically() -> None:
    first = _router()
    for lead in LEADS[:4]:
        first.route(lead, NOW)
    state = first.state()
    assert state["version"] == 4
    second = _router(state=state)
    assert second.state() == state
    for lead in LEADS[4:]:
        assert second.route(lead, NOW) == first.route(lead, NOW)
    assert second.state() == first.state()


def test_route_batch_equals_route_one_by_one() -> None:
    one, batch, generated = _router(), _router(), _router()
    singles = [one.route(lead, NOW) for lead in LEADS]
    assert batch.route_batch(LEADS, NOW) == singles
    assert generated.route_batch((lead for lead in LEADS), NOW_DT) == singles
    assert one.state() == batch.state() == generated.state()
    assert _router().route_batch([], NOW) == []
    assert _router().route_batch(tuple(LEADS), NOW) == singles


def test_caps_and_queues() -> None:
    router = _router()
    decisions = router.route_batch([_lead(i) for i in range(20)], NOW)
    owners = Counter(d["owner_id"] for d in decisions if d["owner_id"] is not None)
    assert owners == {"R-1": 5, "R-2": 5, "R-3": 5}
    assert [d["queue"] for d in decisions[15:]] == ["unassigned"] * 5
    state = router.state()
    assert state["version"] == 15
    assert {rep: v["count"] for rep, v in state["daily"].items()} == {"R-1": 5, "R-2": 5, "R-3": 5}


def test_eight_threads_route_concurrently_without_exceeding_a_cap() -> None:
    router = _router()
    per_thread = 25
    results: List[List[Dict[str, Any]]] = [[] for _ in range(8)]
    errors: List[BaseException] = []
    barrier = threading.Barrier(8)

    def work(t: int) -> None:
        try:
            barrier.wait()
            for i in range(per_thread):
                results[t].append(router.route(_lead(t * 1000 + i), NOW))
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    decisions = [d for r in results for d in r]
    assert len(decisions) == 8 * per_thread
    owners = Counter(d["owner_id"] for d in decisions if d["owner_id"] is not None)
    assert owners == {"R-1": 5, "R-2": 5, "R-3": 5}, owners
    assert sum(d["queue"] == "unassigned" for d in decisions) == 8 * per_thread - 15
    versions = sorted(d["state_version"] for d in decisions if d["owner_id"] is not None)
    assert versions == list(range(1, 16))  # every assignment its own version, none lost
    assert router.state()["version"] == 15


# --- simulate ----------------------------------------------------------------------------


def test_simulate() -> None:
    report = revcore.simulate(CONFIG, REPS, LEADS)
    assert report["leads"] == len(LEADS)
    assert report["assigned"] == 8
    assert report["queued"] == {"nurture": 1}
    assert sum(report["per_rep"].values()) == 8
    assert revcore.simulate(CONFIG, REPS, iter(LEADS), accounts=None) == report
    with pytest.raises(revcore.ParseError) as e:
        revcore.simulate(CONFIG, REPS, [LEADS[0], 42])
    assert any(p.startswith("leads[1]") for p in _paths(e.value)), e.value.errors


def test_the_sample_world_routes() -> None:
    world = revcore.sample.generate(seed=7, leads=200)
    if "routing_config" not in world:
        pytest.skip("the sample generator has no routing_config yet")
    config, reps, accounts = world["routing_config"], world["reps"], world["accounts"]
    router = revcore.Router(config, reps, accounts)
    decisions = router.route_batch(world["leads"], NOW)
    assert len(decisions) == len(world["leads"])
    assert all(d["owner_id"] is not None or d["queue"] is not None for d in decisions)
    again = revcore.Router(config, reps, accounts, state=router.state())
    assert again.state() == router.state()
    report = revcore.simulate(config, reps, world["leads"], accounts)
    assert report["leads"] == len(world["leads"])
    assert sum(report["per_rep"].values()) == report["assigned"]


def test_lead_fields_name_what_routing_reads() -> None:
    # matching is on by default (email, website, company); the `students` rule reads email.
    assert _router().lead_fields() == ["company", "created_at", "email", "id", "website"]


def test_fields_routing_does_not_read_are_not_checked() -> None:
    dirty = dict(LEADS[0], phone=42, converted_at="not a date", first_name=["x"])
    assert _router().route(dirty, NOW) == _router().route(LEADS[0], NOW)
    with pytest.raises(revcore.ParseError) as e:
        _router().route(dict(dirty, email=42), NOW)
    assert _paths(e.value) == ["lead.email"]
