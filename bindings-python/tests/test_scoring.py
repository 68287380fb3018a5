"""revcore.Scorer (docs/scoring.md): the binding's side of rule scoring -- argument conversion,
`now`, errors with paths, batches, threads. The scores themselves are the core's and are pinned
by the conformance vectors (tests/vectors/scoring)."""

from __future__ import annotations

import copy
import datetime as dt
import threading
from typing import Any, Dict, List

import pytest

import revcore

UTC = dt.timezone.utc
NOW = "2026-03-01T00:00:00Z"
NOW_DT = dt.datetime(2026, 3, 1, tzinfo=UTC)

MODEL: Dict[str, Any] = {
    "version": 1,
    "fit_rules": [
        {"id": "na", "label": "North America", "condition": {"field": "country", "in": ["US", "CA"]},
         "points": 15, "group": "firmographics"},
        {"id": "big", "label": "500+ employees", "condition": {"field": "employees", "gte": 500},
         "points": 25, "group": "firmographics"},
        {"id": "exec", "label": "Executive", "condition": {"field": "title", "contains": "VP"}, "points": 20},
    ],
    "engagement_rules": [
        {"id": "demo", "label": "Requested a demo", "event": "demo_request", "points": 30, "cap": 40,
         "half_life_days": 7, "lookback_days": 30},
        {"id": "visits", "label": "Visited the site", "event": "page_view", "points": 2, "cap": 5,
         "lookback_days": 30},
    ],
    "negative_rules": [
        {"id": "unsub", "label": "Unsubscribed", "event": "unsubscribe", "points": -15},
    ],
    "groups": [{"id": "firmographics", "cap": 30}],
    "grades": {"fit": [40, 25, 10], "engagement": [40, 20, 5]},
    "mql": {"fit_min": 25, "engagement_min": 20},
}

LEAD: Dict[str, Any] = {
    "id": "L-1",
    "created_at": "2026-02-01T09:00:00Z",
    "country": "US",
    "employees": 800,
    "title": "VP Sales",
}

EVENTS: List[Dict[str, Any]] = [
    {"lead_id": "L-1", "kind": "demo_request", "at": "2026-02-22T00:00:00Z"},  # one half-life: 15
    {"lead_id": "L-1", "kind": "page_view", "at": "2026-02-27T00:00:00Z"},
    {"lead_id": "L-2", "kind": "demo_request", "at": "2026-02-28T00:00:00Z"},
    {"lead_id": "L-1", "kind": "email_open", "at": "2026-02-28T00:00:00Z"},
    {"lead_id": "L-1", "kind": "demo_request", "at": "2026-03-02T00:00:00Z"},  # future
]


def _lead(i: int, **extra: Any) -> Dict[str, Any]:
    return dict(LEAD, id=f"L-{i}", **extra)


def _paths(e: revcore.RevcoreError) -> List[str]:
    return [p["path"] for p in e.errors]


def _problems(e: revcore.RevcoreError) -> List[Any]:
    return [(p["path"], p["code"]) for p in e.errors]


@pytest.fixture(scope="module")
def scorer() -> revcore.Scorer:
    return revcore.Scorer(MODEL)


# --- scoring -----------------------------------------------------------------------------


def test_a_score(scorer: revcore.Scorer) -> None:
    score = scorer.score(LEAD, EVENTS, NOW)
    assert score["lead_id"] == "L-1"
    # na 15 + big 15 (group cap 30, capped from 25) + exec 20
    assert score["fit"] == 50
    # demo 15 (one half-life) + a visit 2
    assert score["engagement"] == 17
    assert score["total"] == 67
    assert score["grade"] == "A3"
    assert score["mql"] is False
    assert [c["rule_id"] for c in score["contributions"]] == ["na", "big", "exec", "demo", "visits"]
    big = score["contributions"][1]
    assert (big["points"], big["capped_from"], big["group"]) == (15, 25, "firmographics")
    assert score["events"] == {"counted": 2, "future": 1, "outside_lookback": 0, "unscored": 1, "other_lead": 1}


def test_events_may_be_left_out(scorer: revcore.Scorer) -> None:
    none = scorer.score(LEAD, None, NOW)
    assert scorer.score(LEAD, now=NOW) == none
    assert scorer.score(LEAD, [], NOW) == none
    assert scorer.score(LEAD, (), NOW) == none
    assert none["engagement"] == 0 and none["events"]["counted"] == 0


def test_events_may_be_any_iterable(scorer: revcore.Scorer) -> None:
    want = scorer.score(LEAD, EVENTS, NOW)
    assert scorer.score(LEAD, tuple(EVENTS), NOW) == want
    assert scorer.score(LEAD, (e for e in EVENTS), NOW) == want
    assert scorer.score(lead=LEAD, events=iter(EVENTS), now=NOW) == want


def test_aware_datetimes_equal_strings(scorer: revcore.Scorer) -> None:
    paris = dt.timezone(dt.timedelta(hours=1))
    want = scorer.score(LEAD, EVENTS, NOW)
    assert scorer.score(LEAD, EVENTS, NOW_DT) == want
    assert scorer.score(LEAD, EVENTS, NOW_DT.astimezone(paris)) == want
    events = [dict(e, at=dt.datetime.fromisoformat(e["at"].replace("Z", "+00:00"))) for e in EVENTS]
    lead = dict(LEAD, created_at=dt.datetime(2026, 2, 1, 9, tzinfo=UTC))
    assert scorer.score(lead, events, NOW_DT) == want


def test_batch_equals_one_by_one(scorer: revcore.Scorer) -> None:
    leads = [_lead(i) for i in range(1, 5)] + [_lead(5, country="FR", title="Intern")]
    events = [dict(e, lead_id=f"L-{i}") for i in range(1, 6) for e in EVENTS[:2]] + EVENTS
    singles = [scorer.score(lead, events, NOW) for lead in leads]
    assert scorer.score_batch(leads, events, NOW) == singles
    assert scorer.score_batch((lead for lead in leads), iter(events), NOW_DT) == singles
    assert scorer.score_batch(leads=leads, events=events, now=NOW) == singles
    assert scorer.score_batch(leads, now=NOW) == [scorer.score(lead, None, NOW) for lead in leads]
    assert scorer.score_batch([], events, NOW) == []


def test_lead_fields_name_what_scoring_reads(scorer: revcore.Scorer) -> None:
    assert scorer.lead_fields() == ["country", "created_at", "employees", "id", "title"]


def test_fields_scoring_does_not_read_are_not_checked(scorer: revcore.Scorer) -> None:
    dirty = dict(LEAD, phone=42, converted_at="not a date", first_name=["x"])
    assert scorer.score(dirty, EVENTS, NOW) == scorer.score(LEAD, EVENTS, NOW)


def test_the_callers_objects_are_not_changed() -> None:
    model, lead, events = copy.deepcopy(MODEL), copy.deepcopy(LEAD), copy.deepcopy(EVENTS)
    scorer = revcore.Scorer(model)
    scorer.score(lead, events, NOW)
    scorer.score_batch([lead], events, NOW)
    assert (model, lead, events) == (MODEL, LEAD, EVENTS)


# --- errors ------------------------------------------------------------------------------


def test_a_bad_model_is_reported_under_model() -> None:
    model = copy.deepcopy(MODEL)
    model["version"] = 2
    model["fit_rules"][0]["points"] = -1
    with pytest.raises(revcore.ConfigError) as e:
        revcore.Scorer(model)
    assert _problems(e.value) == [
        ("model.version", "unsupported_version"),
        ("model.fit_rules[0].points", "invalid_points"),
    ]
    assert isinstance(e.value, ValueError)


def test_a_model_of_the_wrong_shape_is_a_parse_error_under_model() -> None:
    with pytest.raises(revcore.ParseError) as e:
        revcore.Scorer(dict(MODEL, colour="blue"))
    assert _problems(e.value) == [("model.colour", "unknown_field")]
    model = {k: v for k, v in MODEL.items() if k != "grades"}
    with pytest.raises(revcore.ParseError) as e:
        revcore.Scorer(model)
    assert _problems(e.value) == [("model.grades", "missing_field")]
    with pytest.raises(revcore.ParseError) as e:
        revcore.Scorer(42)
    assert e.value.errors and all(p.startswith("model") for p in _paths(e.value)), e.value.errors


def test_a_bad_lead_is_reported_under_lead(scorer: revcore.Scorer) -> None:
    with pytest.raises(revcore.ParseError) as e:
        scorer.score(dict(LEAD, employees="many"), EVENTS, NOW)
    assert _paths(e.value) == ["lead.employees"]
    with pytest.raises(revcore.ParseError) as e:
        scorer.score({"created_at": LEAD["created_at"]}, EVENTS, NOW)
    assert _problems(e.value) == [("lead.id", "missing_field")]
    for lead in [42, "L-1", None, [LEAD]]:
        with pytest.raises(revcore.ParseError) as e:
            scorer.score(lead, EVENTS, NOW)
        assert e.value.errors and all(p.startswith("lead") for p in _paths(e.value)), e.value.errors


def test_bad_events_are_reported_under_events_i(scorer: revcore.Scorer) -> None:
    events = [EVENTS[0], {"lead_id": "L-1", "kind": "page_view", "at": "soon"}, {"lead_id": "L-1", "at": NOW}]
    with pytest.raises(revcore.ParseError) as e:
        scorer.score(LEAD, events, NOW)
    assert _problems(e.value) == [("events[1].at", "invalid_value"), ("events[2].kind", "missing_field")]
    with pytest.raises(revcore.ParseError) as e:
        scorer.score(LEAD, {"lead_id": "L-1"}, NOW)  # a dict is not iterated as a list
    assert _paths(e.value) == ["events"]


def test_batch_errors_name_the_lead_and_the_event(scorer: revcore.Scorer) -> None:
    leads = [LEAD, dict(LEAD, id="L-2", created_at="yesterday"), {"created_at": LEAD["created_at"]}]
    events = [{"lead_id": "L-1", "kind": "email_open", "at": "soon"}]
    with pytest.raises(revcore.ParseError) as e:
        scorer.score_batch(leads, events, NOW)
    assert _problems(e.value) == [
        ("leads[1].created_at", "invalid_value"),
        ("leads[2].id", "missing_field"),
        ("events[0].at", "invalid_value"),
    ]


def test_a_naive_datetime_is_refused(scorer: revcore.Scorer) -> None:
    naive = dt.datetime(2026, 3, 1)
    with pytest.raises(revcore.ParseError) as e:
        scorer.score(LEAD, EVENTS, naive)
    assert _problems(e.value) == [("now", "naive_datetime")]
    with pytest.raises(revcore.ParseError) as e:
        scorer.score_batch([LEAD], EVENTS, naive)
    assert _problems(e.value) == [("now", "naive_datetime")]
    with pytest.raises(revcore.ParseError) as e:
        scorer.score(dict(LEAD, created_at=naive), EVENTS, NOW)
    assert _problems(e.value) == [("lead.created_at", "naive_datetime")]
    with pytest.raises(revcore.ParseError) as e:
        scorer.score(LEAD, [EVENTS[0], dict(EVENTS[1], at=naive)], NOW)
    assert _problems(e.value) == [("events[1].at", "naive_datetime")]


@pytest.mark.parametrize("now", [42, None, [NOW], "yesterday", "2026-03-01", ""])
def test_garbage_now_names_now(scorer: revcore.Scorer, now: Any) -> None:
    with pytest.raises(revcore.ParseError) as e:
        scorer.score(LEAD, EVENTS, now)
    assert _paths(e.value) == ["now"], e.value.errors
    with pytest.raises(revcore.ParseError) as e:
        scorer.score_batch([LEAD], EVENTS, now)
    assert _paths(e.value) == ["now"], e.value.errors


def test_now_is_required(scorer: revcore.Scorer) -> None:
    with pytest.raises(revcore.ParseError) as e:
        scorer.score(LEAD, EVENTS)
    assert _paths(e.value) == ["now"]
    with pytest.raises(revcore.ParseError) as e:
        scorer.score_batch([LEAD])
    assert _paths(e.value) == ["now"]


def test_python_values_that_are_not_json_are_refused_with_paths(scorer: revcore.Scorer) -> None:
    model = copy.deepcopy(MODEL)
    model["fit_rules"][0]["points"] = float("nan")
    with pytest.raises(revcore.ParseError) as e:
        revcore.Scorer(model)
    assert _paths(e.value) == ["model.fit_rules[0].points"]
    with pytest.raises(revcore.ParseError) as e:
        scorer.score(dict(LEAD, employees={1, 2}), EVENTS, NOW)
    assert _paths(e.value) == ["lead.employees"]
    with pytest.raises(revcore.ParseError) as e:
        scorer.score(LEAD, [EVENTS[0], dict(EVENTS[1], url=b"/pricing")], NOW)
    assert _paths(e.value) == ["events[1].url"]
    with pytest.raises(revcore.ParseError) as e:
        scorer.score_batch([LEAD, dict(LEAD, id=object())], EVENTS, NOW)
    assert _paths(e.value) == ["leads[1].id"]


# --- the object --------------------------------------------------------------------------


def test_scorer_is_immutable_from_python(scorer: revcore.Scorer) -> None:
    with pytest.raises((AttributeError, TypeError)):
        scorer.inner = None  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        class Sub(revcore.Scorer):  # type: ignore[misc]
            pass


def test_eight_threads_score_concurrently(scorer: revcore.Scorer) -> None:
    want = scorer.score(LEAD, EVENTS, NOW)
    results: List[List[Dict[str, Any]]] = [[] for _ in range(8)]
    errors: List[BaseException] = []
    barrier = threading.Barrier(8)

    def work(t: int) -> None:
        try:
            barrier.wait()
            for _ in range(25):
                results[t].append(scorer.score(LEAD, EVENTS, NOW))
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert all(r == want for rs in results for r in rs) and sum(map(len, results)) == 200


def test_the_sample_world_scores() -> None:
    world = revcore.sample.generate(seed=7, leads=50)
    if "scoring_model" not in world:
        pytest.skip("the sample generator has no scoring_model yet")
    scorer = revcore.Scorer(world["scoring_model"])
    scores = scorer.score_batch(world["leads"], world.get("events"), NOW)
    assert [s["lead_id"] for s in scores] == [lead["id"] for lead in world["leads"]]
