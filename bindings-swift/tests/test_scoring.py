"""Rule scoring through the uniffi API (docs/scoring.md): building a scorer from JSON text,
scoring one lead and batches, events optional, errors with paths, and one scorer shared by
threads. The scores themselves are pinned by the conformance vectors."""

import json
import threading

import pytest
import revcore_swift as rc

NOW = "2026-03-01T00:00:00Z"

MODEL = {
    "version": 1,
    "fit_rules": [
        {"id": "na", "label": "North America", "condition": {"field": "country", "in": ["US", "CA"]},
         "points": 15, "group": "firmographics"},
        {"id": "big", "label": "500+ employees", "condition": {"field": "employees", "gte": 500},
         "points": 25, "group": "firmographics"},
        {"id": "exec", "label": "Executive", "condition": {"field": "title", "contains": "VP"},
         "points": 20},
    ],
    "engagement_rules": [
        {"id": "demo", "label": "Requested a demo", "event": "demo_request", "points": 30,
         "cap": 40, "half_life_days": 7, "lookback_days": 30},
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

LEAD = {"id": "L-1", "created_at": "2026-02-01T09:00:00Z", "country": "US", "employees": 800,
        "title": "VP Sales"}

EVENTS = [
    {"lead_id": "L-1", "kind": "demo_request", "at": "2026-02-22T00:00:00Z"},  # one half-life
    {"lead_id": "L-1", "kind": "page_view", "at": "2026-02-27T00:00:00Z"},
    {"lead_id": "L-2", "kind": "demo_request", "at": "2026-02-28T00:00:00Z"},
    {"lead_id": "L-1", "kind": "email_open", "at": "2026-02-28T00:00:00Z"},
    {"lead_id": "L-1", "kind": "demo_request", "at": "2026-03-02T00:00:00Z"},  # future
]


def scorer(model=None):
    return rc.Scorer(json.dumps(MODEL if model is None else model))


def score(s, lead=LEAD, events=EVENTS, now=NOW):
    return json.loads(s.score(json.dumps(lead), None if events is None else json.dumps(events), now))


def raised(call, cls):
    """Runs `call`, which must throw `cls`; returns [(path, code), ...]."""
    with pytest.raises(cls) as info:
        call()
    assert isinstance(info.value, rc.RevcoreError)
    assert info.value.errors, "an error names at least one problem"
    return [(p.path, p.code) for p in info.value.errors]


def test_a_score():
    got = score(scorer())
    assert got["lead_id"] == "L-1"
    assert (got["fit"], got["engagement"], got["total"]) == (50, 17, 67)
    assert got["grade"] == "A3" and got["mql"] is False
    assert [c["rule_id"] for c in got["contributions"]] == ["na", "big", "exec", "demo", "visits"]
    assert got["contributions"][1] == {"rule_id": "big", "label": "500+ employees", "side": "fit",
                                       "points": 15, "group": "firmographics", "capped_from": 25}
    assert got["events"] == {"counted": 2, "future": 1, "outside_lookback": 0, "unscored": 1,
                             "other_lead": 1}


def test_events_may_be_none_null_or_empty():
    s = scorer()
    none = score(s, events=None)
    assert json.loads(s.score(json.dumps(LEAD), "null", NOW)) == none
    assert json.loads(s.score(json.dumps(LEAD), "[]", NOW)) == none
    assert none["engagement"] == 0


def test_score_batch_equals_score_one_by_one():
    s = scorer()
    leads = [dict(LEAD, id=f"L-{i}") for i in range(1, 5)] + [
        dict(LEAD, id="L-5", country="FR", title="Intern")
    ]
    events = [dict(e, lead_id=l["id"]) for l in leads for e in EVENTS[:2]] + EVENTS
    singles = [score(s, lead, events) for lead in leads]
    assert json.loads(s.score_batch(json.dumps(leads), json.dumps(events), NOW)) == singles
    without = json.loads(s.score_batch(json.dumps(leads), None, NOW))
    assert without == [score(s, lead, None) for lead in leads]
    assert json.loads(s.score_batch("[]", json.dumps(events), NOW)) == []


def test_lead_fields_and_unread_fields():
    s = scorer()
    assert s.lead_fields() == ["country", "created_at", "employees", "id", "title"]
    dirty = dict(LEAD, phone=42, converted_at="not a date", first_name=["x"])
    assert score(s, dirty) == score(s)
    assert json.loads(s.score_batch(json.dumps([dirty]), json.dumps(EVENTS), NOW)) == [score(s)]


def test_a_bad_model_is_reported_under_model():
    model = dict(MODEL, version=2, fit_rules=[dict(MODEL["fit_rules"][0], points=-1)])
    assert raised(lambda: scorer(model), rc.RevcoreError.InvalidConfig) == [
        ("model.version", "unsupported_version"),
        ("model.fit_rules[0].points", "invalid_points"),
    ]
    assert raised(lambda: scorer(dict(MODEL, colour="blue")), rc.RevcoreError.Parse) == [
        ("model.colour", "unknown_field")
    ]
    assert raised(lambda: rc.Scorer("{"), rc.RevcoreError.Parse) == [("model", "invalid_json")]


def test_bad_leads_and_events_are_reported_with_paths():
    s = scorer()
    assert raised(lambda: score(s, dict(LEAD, employees="many")), rc.RevcoreError.Parse)[0][0] == (
        "lead.employees"
    )
    events = [EVENTS[0], {"lead_id": "L-1", "kind": "page_view", "at": "soon"},
              {"lead_id": "L-1", "at": NOW}]
    assert raised(lambda: score(s, events=events), rc.RevcoreError.Parse) == [
        ("events[1].at", "invalid_value"),
        ("events[2].kind", "missing_field"),
    ]
    leads = [LEAD, dict(LEAD, id="L-2", created_at="yesterday"), {"created_at": NOW}]
    bad_event = [{"lead_id": "L-1", "kind": "email_open", "at": "soon"}]
    assert raised(
        lambda: s.score_batch(json.dumps(leads), json.dumps(bad_event), NOW), rc.RevcoreError.Parse
    ) == [
        ("leads[1].created_at", "invalid_value"),
        ("leads[2].id", "missing_field"),
        ("events[0].at", "invalid_value"),
    ]


@pytest.mark.parametrize(
    "call, first_path",
    [
        (lambda s: s.score("{", None, NOW), "lead"),
        (lambda s: s.score(json.dumps(LEAD), "[", NOW), "events"),
        (lambda s: s.score_batch("[{", None, NOW), "leads"),
        (lambda s: s.score_batch("[]", "{", NOW), "events"),
    ],
)
def test_malformed_json_is_a_parse_error_naming_the_argument(call, first_path):
    problems = raised(lambda: call(scorer()), rc.RevcoreError.Parse)
    assert problems[0][0] == first_path


@pytest.mark.parametrize("now", ["yesterday", "2026-03-01", ""])
def test_a_bad_now_is_a_parse_error_at_now(now):
    s = scorer()
    assert [p for p, _ in raised(lambda: score(s, now=now), rc.RevcoreError.Parse)] == ["now"]
    assert [p for p, _ in raised(lambda: s.score_batch("[]", None, now), rc.RevcoreError.Parse)] == ["now"]


def test_one_scorer_shared_by_threads():
    s = scorer()
    want = score(s)
    results, errors = [], []
    barrier = threading.Barrier(8)

    def work():
        try:
            barrier.wait()
            for _ in range(25):
                results.append(score(s))
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert len(results) == 200 and all(r == want for r in results)
