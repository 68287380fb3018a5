"""Lead routing through the uniffi API (docs/routing.md): building a router from JSON text,
routing, previewing, exporting and resuming state, batches, simulation, errors with paths, and
one router shared by threads."""

import json
import threading

import pytest
import revcore_swift as rc

NOW = "2026-03-02T14:05:00Z"


def rep(rep_id, **extra):
    return {"id": rep_id, "name": f"Rep {rep_id}", "role": "sdr", "time_zone": "UTC", **extra}


REPS = [rep("R-1"), rep("R-2"), rep("R-3")]


def config(**pool_extra):
    return {
        "version": 1,
        "rules": [
            {"id": "students", "condition": {"field": "email", "ends_with": ".edu"},
             "target": {"queue": "nurture"}},
            {"id": "everyone", "target": {"pool": "inbound"}},
        ],
        "pools": [
            {"id": "inbound", "strategy": "round_robin",
             "members": [{"rep_id": "R-1"}, {"rep_id": "R-2"}, {"rep_id": "R-3"}],
             **pool_extra},
        ],
        "fallback_queue": "unassigned",
        "sla": {"first_touch_minutes": 30},
    }


def lead(n, **extra):
    return {"id": f"L-{n}", "created_at": NOW, "email": f"buyer{n}@northwind.io", **extra}


LEADS = [lead(n) for n in range(1, 8)] + [lead(8, email="kid@school.edu")]


def router(cfg=None, reps=None, accounts=None, state=None):
    return rc.Router(
        json.dumps(cfg if cfg is not None else config()),
        json.dumps(reps if reps is not None else REPS),
        None if accounts is None else json.dumps(accounts),
        state,
    )


def route(r, lead_doc, now=NOW):
    return json.loads(r.route(json.dumps(lead_doc), now))


def raised(call, cls):
    """Runs `call`, which must throw `cls`; returns [(path, code), ...]."""
    with pytest.raises(cls) as info:
        call()
    assert isinstance(info.value, rc.RevcoreError)
    assert info.value.errors, "an error names at least one problem"
    return [(p.path, p.code) for p in info.value.errors]


# --- building ----------------------------------------------------------------------------------


def test_route_decides_and_counts():
    r = router()
    first = route(r, LEADS[0])
    assert first["lead_id"] == "L-1"
    assert first["owner_id"] == "R-1"
    assert first["queue"] is None
    assert first["rule_id"] == "everyone"
    assert first["pool_id"] == "inbound"
    assert first["sla_due"] == "2026-03-02T14:35:00Z"
    assert first["state_version"] == 1
    assert [s["step"] for s in first["trace"]][-1] == "sla"
    student = route(r, LEADS[-1])
    assert student["owner_id"] is None and student["queue"] == "nurture"
    state = json.loads(r.state())
    assert state["version"] == 1
    assert state["pools"]["inbound"]["pointer"] == 1
    assert state["open"] == {"R-1": 1}


def test_unknown_rep_in_a_pool_is_invalid_config_with_its_path():
    cfg = config()
    cfg["pools"][0]["members"][1]["rep_id"] = "R-404"
    problems = raised(lambda: router(cfg), rc.RevcoreError.InvalidConfig)
    assert ("config.pools[0].members[1].rep_id", "unknown_reference") in problems


def test_every_config_problem_is_reported_with_its_path():
    cfg = config()
    cfg["version"] = 2
    cfg["pools"][0]["members"][0]["weight"] = 0
    cfg["sla"]["first_touch_minutes"] = 0
    cfg["rules"][1]["target"] = {"pool": "nowhere"}
    paths = dict(raised(lambda: router(cfg), rc.RevcoreError.InvalidConfig))
    assert paths.get("config.version") == "unsupported_version"
    assert paths.get("config.pools[0].members[0].weight") == "invalid_weight"
    assert paths.get("config.sla.first_touch_minutes") == "invalid_value"
    assert any(p.startswith("config.rules[1].target") for p in paths), paths


def test_bad_reps_are_reported_under_reps():
    reps = [rep("R-1"), rep("R-2", time_zone="Mars/Olympus"), rep("R-3")]
    with pytest.raises(rc.RevcoreError) as info:
        router(reps=reps)
    assert any(p.path.startswith("reps[1]") for p in info.value.errors)


def test_unknown_config_key_is_a_parse_error():
    cfg = config()
    cfg["colour"] = "blue"
    problems = raised(lambda: router(cfg), rc.RevcoreError.Parse)
    assert problems[0][0].startswith("config")


# --- preview, state, batches ------------------------------------------------------------------


def test_preview_does_not_change_state():
    r = router()
    route(r, LEADS[0])
    before = r.state()
    preview = json.loads(r.preview(json.dumps(LEADS[1]), NOW))
    assert r.state() == before
    assert preview["owner_id"] == "R-2"
    assert preview["state_version"] == 2
    assert route(r, LEADS[1]) == preview  # the preview is exactly what route then does


def test_state_round_trip_continues_identically():
    straight = router(config(daily_cap=2))
    first = [route(straight, d) for d in LEADS[:3]]
    state = straight.state()
    resumed = router(config(daily_cap=2), state=state)
    assert json.loads(resumed.state()) == json.loads(state)
    rest_straight = [route(straight, d) for d in LEADS[3:]]
    rest_resumed = [route(resumed, d) for d in LEADS[3:]]
    assert rest_resumed == rest_straight
    assert resumed.state() == straight.state()
    assert first[2]["owner_id"] == "R-3"


def test_route_batch_equals_route_one_by_one():
    one = router(config(daily_cap=2))
    batch = router(config(daily_cap=2))
    singles = [route(one, d) for d in LEADS]
    batched = json.loads(batch.route_batch(json.dumps(LEADS), NOW))
    assert batched == singles
    assert batch.state() == one.state()
    assert json.loads(batch.route_batch("[]", NOW)) == []


def test_simulate_reports_every_lead():
    leads = [lead(n, created_at=f"2026-03-02T{9 + n:02d}:00:00Z") for n in range(6)]
    report = json.loads(rc.simulate(json.dumps(config()), json.dumps(REPS), json.dumps(leads)))
    assert report["leads"] == 6
    assert report["assigned"] == 6
    assert report["per_rep"] == {"R-1": 2, "R-2": 2, "R-3": 2}
    assert report["per_rule"] == {"everyone": 6}
    assert report["pools"]["inbound"]["counts"] == {"R-1": 2, "R-2": 2, "R-3": 2}
    assert report["pools"]["inbound"]["max_min_ratio"] == 1
    with_accounts = rc.simulate(json.dumps(config()), json.dumps(REPS), json.dumps(leads), "[]")
    assert json.loads(with_accounts) == report


# --- garbage ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, first_path",
    [
        (lambda: rc.Router("{", json.dumps(REPS)), "config"),
        (lambda: rc.Router(json.dumps(config()), "[{"), "reps"),
        (lambda: rc.Router(json.dumps(config()), json.dumps(REPS), "nope"), "accounts"),
        (lambda: rc.Router(json.dumps(config()), json.dumps(REPS), None, "{state"), "state"),
        (lambda: router().route("{", NOW), "lead"),
        (lambda: router().preview("", NOW), "lead"),
        (lambda: rc.simulate("{", "[]", "[]"), "config"),
        (lambda: rc.simulate(json.dumps(config()), json.dumps(REPS), "[", None), "leads"),
        (lambda: rc.simulate(json.dumps(config()), json.dumps(REPS), "[]", "{"), "accounts"),
    ],
)
def test_malformed_json_is_a_parse_error_naming_the_argument(call, first_path):
    problems = raised(call, rc.RevcoreError.Parse)
    assert problems[0] == (first_path, "invalid_json")


def test_malformed_batch_is_a_parse_error_under_leads():
    problems = raised(lambda: router().route_batch("[{", NOW), rc.RevcoreError.Parse)
    assert problems[0][0].startswith("leads")


@pytest.mark.parametrize("now", ["yesterday", "", "2026-03-02", "2026-13-02T10:00:00Z"])
@pytest.mark.parametrize("method", ["route", "preview", "route_batch"])
def test_a_bad_now_is_a_parse_error_at_now(method, now):
    r = router()
    argument = json.dumps([LEADS[0]] if method == "route_batch" else LEADS[0])
    problems = raised(lambda: getattr(r, method)(argument, now), rc.RevcoreError.Parse)
    assert problems[0][0] == "now"
    assert json.loads(r.state())["version"] == 0


def test_a_bad_lead_is_reported_with_its_field_and_changes_nothing():
    r = router()
    with pytest.raises(rc.RevcoreError) as info:
        r.route(json.dumps({"id": "L-1", "created_at": "yesterday"}), NOW)
    assert any(p.path.startswith("lead") and "created_at" in p.path for p in info.value.errors)
    with pytest.raises(rc.RevcoreError) as info:
        r.route_batch(json.dumps([LEADS[0], {"id": "L-2", "created_at": "yesterday"}]), NOW)
    assert any(p.path.startswith("leads[1]") for p in info.value.errors)
    assert json.loads(r.state())["version"] == 0


# --- threads ----------------------------------------------------------------------------------


def test_threads_sharing_a_router_never_break_caps():
    cap, threads, per_thread = 5, 8, 10
    r = router(config(daily_cap=cap))
    decisions, lock = [], threading.Lock()
    start = threading.Barrier(threads)

    def work(t):
        start.wait()
        mine = [json.loads(r.route(json.dumps(lead(t * 100 + i)), NOW)) for i in range(per_thread)]
        with lock:
            decisions.extend(mine)

    pool = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()

    assert len(decisions) == threads * per_thread
    owners = [d["owner_id"] for d in decisions if d["owner_id"] is not None]
    assert {o: owners.count(o) for o in set(owners)} == {"R-1": cap, "R-2": cap, "R-3": cap}
    assert all(d["queue"] == "unassigned" for d in decisions if d["owner_id"] is None)
    versions = sorted(d["state_version"] for d in decisions if d["owner_id"] is not None)
    assert versions == list(range(1, 3 * cap + 1))  # every assignment got its own version
    state = json.loads(r.state())
    assert state["version"] == 3 * cap
    assert {k: v["count"] for k, v in state["daily"].items()} == {"R-1": cap, "R-2": cap, "R-3": cap}


def test_lead_fields_and_unread_fields_are_not_checked():
    r = router()
    assert r.lead_fields() == ["company", "created_at", "email", "id", "website"]
    dirty = dict(LEADS[0], phone=42, converted_at="not a date")
    assert route(r, dirty)["owner_id"] == "R-1"
    assert raised(lambda: route(r, dict(dirty, email=42)), rc.RevcoreError.Parse) == [
        ("lead.email", "invalid_type")
    ]
