"""Runs every conformance vector (tests/vectors, format in its README) through the uniffi API.

Documents go in as JSON text and results come back as JSON text, exactly as a Swift caller sees
them; errors are compared by code and by the (path, code) of every problem, in order.
"""

import json
import os
import tempfile

import pytest
import revcore_swift as rc

from conftest import VECTORS

MIN_VECTORS = 40

# Which exception class each stable code must arrive as.
ERROR_CLASSES = {
    "parse": rc.RevcoreError.Parse,
    "validation": rc.RevcoreError.Validation,
    "invalid_config": rc.RevcoreError.InvalidConfig,
    "not_found": rc.RevcoreError.NotFound,
    "conflict": rc.RevcoreError.Conflict,
}


def vector_files():
    return sorted(VECTORS.rglob("*.json"))


def text(value):
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def optional_text(args, key):
    """An optional document argument: `None` when absent (or null) in the vector."""
    value = args.get(key)
    return None if value is None else text(value)


def condition(args):
    return rc.Condition(text(args.get("condition")))


def classify_stage(args):
    stage = rc.classify_stage(args.get("label", ""), optional_text(args, "pipeline"))
    return None if stage is None else json.loads(stage)


def router(args):
    return rc.Router(
        text(args.get("config")),
        text(args.get("reps")),
        optional_text(args, "accounts"),
        optional_text(args, "state"),
    )


def now_at(args, i):
    """`now` for the i-th lead: one RFC 3339 string for all, or a list with one per lead; a
    missing or non-string time goes in as "" (a `parse` error at `now`, as the Rust runner)."""
    now = args.get("now")
    if isinstance(now, list):
        now = now[i] if i < len(now) else None
    return now if isinstance(now, str) else ""


def routing_route(args):
    r = router(args)
    leads = args.get("leads") or []
    decisions = [json.loads(r.route(text(lead), now_at(args, i))) for i, lead in enumerate(leads)]
    return {"decisions": decisions, "state": json.loads(r.state())}


def routing_route_batch(args):
    r = router(args)
    decisions = json.loads(r.route_batch(text(args.get("leads")), now_at(args, 0)))
    return {"decisions": decisions, "state": json.loads(r.state())}


def routing_preview(args):
    r = router(args)
    decision = json.loads(r.preview(text(args.get("lead")), now_at(args, 0)))
    return {"decision": decision, "state": json.loads(r.state())}


def routing_simulate(args):
    report = rc.simulate(
        text(args.get("config")),
        text(args.get("reps")),
        text(args.get("leads")),
        optional_text(args, "accounts"),
    )
    return json.loads(report)


def scoring_score(args):
    scorer = rc.Scorer(text(args.get("model")))
    score = scorer.score(text(args.get("lead")), optional_text(args, "events"), now_at(args, 0))
    return json.loads(score)


def scoring_score_batch(args):
    scorer = rc.Scorer(text(args.get("model")))
    leads = text(args.get("leads"))
    return json.loads(scorer.score_batch(leads, optional_text(args, "events"), now_at(args, 0)))


def string_arg(args, key):
    """A string argument as the Rust runner reads it: anything but a string is ""."""
    value = args.get(key)
    return value if isinstance(value, str) else ""


def model(args):
    """The vector's model file (an object) loaded through its text."""
    return rc.PredictiveModel.from_json(text(args.get("model")))


def predictive_train(args):
    trained = rc.PredictiveModel.train(
        text(args.get("rows")),
        string_arg(args, "label"),
        text(args.get("features")),
        string_arg(args, "algorithm"),
        optional_text(args, "options"),
    )
    return json.loads(trained.to_json())


def predictive_train_opportunities(args):
    trained = rc.PredictiveModel.train_opportunities(
        text(args.get("opportunities")),
        text(args.get("context")),
        string_arg(args, "algorithm"),
        optional_text(args, "options"),
    )
    return json.loads(trained.to_json())


def content_readiness(args):
    report = rc.readiness(
        text(args.get("programs")),
        text(args.get("reps")),
        text(args.get("completions")),
        text(args.get("options")),
        optional_text(args, "opportunities"),
    )
    return json.loads(report)


def library(args):
    """The vector's content library after its changes (add / update / remove, in order)."""
    lib = rc.ContentLibrary(text(args.get("assets")))
    for change in args.get("changes") or []:
        if "add" in change:
            lib.add(text(change["add"]))
        elif "update" in change:
            lib.update(text(change["update"]))
        else:
            lib.remove(change["remove"])
    return lib


def content_search(args):
    hits = library(args).search(
        string_arg(args, "query"), optional_text(args, "filters"), args.get("limit", 10)
    )
    return json.loads(hits)


def content_analytics(args):
    report = library(args).analytics(
        text(args.get("events")), text(args.get("opportunities")), text(args.get("options"))
    )
    return json.loads(report)


def content_recommend(args):
    recs = library(args).recommend(
        text(args.get("context")), args.get("limit", 5), optional_text(args, "usage")
    )
    return json.loads(recs)


def import_read_csv(args):
    """Writes the vector's text to a temporary file and reads it back through the path reader."""
    readers = {
        "opportunities": rc.read_opportunities_csv,
        "leads": rc.read_leads_csv,
        "accounts": rc.read_accounts_csv,
    }
    options = dict(args.get("options") or {})
    if args.get("pipeline") is not None:
        options["pipeline"] = args["pipeline"]
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "vector.csv")
        with open(path, "wb") as f:
            f.write(args["csv"].encode("utf-8"))
        result = json.loads(readers[args["kind"]](path, text(args.get("mapping")), text(options)))
    for e in result["errors"]:
        e.pop("message")
    return result


# Every op of tests/vectors/README.md: input -> the JSON result, through the uniffi API.
OPS = {
    "validate": lambda a: rc.validate(
        a.get("kind", ""), text(a.get("value")), optional_text(a, "pipeline")
    ),
    "normalize": lambda a: json.loads(
        rc.normalize(a.get("kind", ""), text(a.get("value")), optional_text(a, "pipeline"))
    ),
    "condition.parse": lambda a: json.loads(condition(a).to_json()),
    "condition.matches": lambda a: condition(a).matches(text(a.get("record"))),
    "condition.explain": lambda a: json.loads(condition(a).explain(text(a.get("record")))),
    "sample.generate": lambda a: json.loads(rc.sample_generate(optional_text(a, "options"))),
    "pipeline.classify_stage": classify_stage,
    "routing.route": routing_route,
    "routing.route_batch": routing_route_batch,
    "routing.preview": routing_preview,
    "routing.simulate": routing_simulate,
    "scoring.score": scoring_score,
    "scoring.score_batch": scoring_score_batch,
    "predictive.train": predictive_train,
    "predictive.predict": lambda a: json.loads(model(a).predict(text(a.get("row")))),
    "predictive.predict_batch": lambda a: model(a).predict_batch(text(a.get("rows"))),
    "predictive.evaluate": lambda a: json.loads(
        model(a).evaluate(text(a.get("rows")), string_arg(a, "label"))
    ),
    "predictive.threshold_for_capacity": lambda a: json.loads(
        rc.threshold_for_capacity(text(a.get("input")))
    ),
    "predictive.train_opportunities": predictive_train_opportunities,
    "content.readiness": content_readiness,
    "kpi.funnel": lambda a: json.loads(
        rc.funnel(text(a.get("opportunities")), optional_text(a, "options"))
    ),
    "kpi.coaching_flags": lambda a: json.loads(
        rc.coaching_flags(text(a.get("opportunities")), text(a.get("request")))
    ),
    "kpi.report": lambda a: json.loads(
        rc.kpi_report(text(a.get("opportunities")), text(a.get("request")))
    ),
    "content.library": lambda a: json.loads(library(a).assets()),
    "content.search": content_search,
    "content.recommend": content_recommend,
    "content.analytics": content_analytics,
    "import.read_csv": import_read_csv,
}


def same_json(a, b):
    """JSON equality with numbers compared by value (`1 == 1.0`), booleans never numbers."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_json(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_json(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def outcome(op, args):
    """`{"ok": result}` or `{"error": {"code", "errors": [{"path", "code"}]}}`, as in vectors."""
    if op not in OPS:
        pytest.fail(f"unknown op `{op}`: every runner must know every op (tests/vectors/README.md)")
    try:
        return {"ok": OPS[op](args)}
    except rc.RevcoreError as e:
        assert isinstance(e, ERROR_CLASSES[e.code]), f"code {e.code!r} thrown as {type(e)}"
        errors = [{"path": p.path, "code": p.code} for p in e.errors]
        return {"error": {"code": e.code, "errors": errors}}


def test_unknown_ops_fail_the_run():
    with pytest.raises(pytest.fail.Exception):
        outcome("routing.no_such_op", {})


def test_enough_vectors():
    assert len(vector_files()) >= MIN_VECTORS, f"only {len(vector_files())} vectors in {VECTORS}"


@pytest.mark.parametrize(
    "path", vector_files(), ids=lambda p: str(p.relative_to(VECTORS).with_suffix(""))
)
def test_vector(path):
    vector = json.loads(path.read_text(encoding="utf-8"))
    got = outcome(vector["op"], vector["input"])
    expected = vector["expected"]
    assert same_json(got, expected), (
        f"{vector.get('description', '')}\n"
        f"expected {json.dumps(expected, sort_keys=True)}\n"
        f"got      {json.dumps(got, sort_keys=True)}"
    )
