"""Runs every conformance vector (tests/vectors/**/*.json, format in tests/vectors/README.md)
through the Python API; each vector is its own test, named by its file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable, Dict

import pytest

import revcore

VECTORS = Path(__file__).resolve().parents[2] / "tests" / "vectors"
FILES = sorted(VECTORS.rglob("*.json"))


def _condition_parse(i: Dict[str, Any]) -> Any:
    return revcore.Condition(i["condition"]).to_dict()


def _condition_matches(i: Dict[str, Any]) -> Any:
    return revcore.Condition(i["condition"]).matches(i["record"])


def _condition_explain(i: Dict[str, Any]) -> Any:
    return revcore.Condition(i["condition"]).explain(i["record"])


def _validate(i: Dict[str, Any]) -> Any:
    return revcore.validate(i["kind"], i["value"], pipeline=i.get("pipeline"))


def _normalize(i: Dict[str, Any]) -> Any:
    return revcore.normalize(i["kind"], i["value"], pipeline=i.get("pipeline"))


def _sample_generate(i: Dict[str, Any]) -> Any:
    return revcore.sample.generate(**i["options"])


def _classify_stage(i: Dict[str, Any]) -> Any:
    return revcore.classify_stage(i["label"], pipeline=i.get("pipeline"))


def _router(i: Dict[str, Any]) -> "revcore.Router":
    return revcore.Router(i["config"], i["reps"], accounts=i.get("accounts"), state=i.get("state"))


def _routing_route(i: Dict[str, Any]) -> Any:
    router = _router(i)
    now = i["now"]
    times = now if isinstance(now, list) else [now] * len(i["leads"])
    assert len(times) == len(i["leads"]), "routing.route: one now per lead"
    decisions = [router.route(lead, t) for lead, t in zip(i["leads"], times)]
    return {"decisions": decisions, "state": router.state()}


def _routing_route_batch(i: Dict[str, Any]) -> Any:
    router = _router(i)
    return {"decisions": router.route_batch(i["leads"], i["now"]), "state": router.state()}


def _routing_preview(i: Dict[str, Any]) -> Any:
    router = _router(i)
    return {"decision": router.preview(i["lead"], i["now"]), "state": router.state()}


def _routing_simulate(i: Dict[str, Any]) -> Any:
    return revcore.simulate(i["config"], i["reps"], i["leads"], accounts=i.get("accounts"))


def _scoring_score(i: Dict[str, Any]) -> Any:
    return revcore.Scorer(i["model"]).score(i["lead"], i.get("events"), i["now"])


def _scoring_score_batch(i: Dict[str, Any]) -> Any:
    return revcore.Scorer(i["model"]).score_batch(i["leads"], i.get("events"), i["now"])


def _model(i: Dict[str, Any]) -> "revcore.PredictiveModel":
    return revcore.PredictiveModel.from_json(json.dumps(i["model"]))


def _predictive_train(i: Dict[str, Any]) -> Any:
    model = revcore.PredictiveModel.train(
        i["rows"], i["label"], i["features"], i["algorithm"], **(i.get("options") or {})
    )
    return json.loads(model.to_json())


def _predictive_predict(i: Dict[str, Any]) -> Any:
    return _model(i).predict(i["row"])


def _predictive_predict_batch(i: Dict[str, Any]) -> Any:
    return _model(i).predict_batch(i["rows"])


def _predictive_evaluate(i: Dict[str, Any]) -> Any:
    return _model(i).evaluate(i["rows"], i["label"])


def _predictive_threshold_for_capacity(i: Dict[str, Any]) -> Any:
    return revcore.threshold_for_capacity(**i["input"])


def _predictive_train_opportunities(i: Dict[str, Any]) -> Any:
    context = dict(i["context"])
    as_of = context.pop("as_of", None)
    model = revcore.PredictiveModel.train_opportunities(
        i["opportunities"], as_of, i["algorithm"], **context, **(i.get("options") or {})
    )
    return json.loads(model.to_json())


def _content_readiness(i: Dict[str, Any]) -> Any:
    return revcore.readiness(
        i["programs"], i["reps"], i["completions"], i["opportunities"], **i["options"]
    )


def _kpi_report(i: Dict[str, Any]) -> Any:
    table = revcore.kpi_report(i["opportunities"], **i["request"])
    return {"columns": table.columns, "rows": table.to_dicts()}


def _kpi_funnel(i: Dict[str, Any]) -> Any:
    return revcore.funnel(i["opportunities"], **(i.get("options") or {}))


def _kpi_coaching_flags(i: Dict[str, Any]) -> Any:
    return revcore.coaching_flags(i["opportunities"], **i["request"])


def _library(i: Dict[str, Any]) -> "revcore.ContentLibrary":
    """The vector's library after its changes (add / update / remove, in order)."""
    library = revcore.ContentLibrary(i["assets"])
    for change in i.get("changes") or []:
        if "add" in change:
            library.add(change["add"])
        elif "update" in change:
            library.update(change["update"])
        else:
            library.remove(change["remove"])
    return library


def _content_library(i: Dict[str, Any]) -> Any:
    return _library(i).assets()


def _content_search(i: Dict[str, Any]) -> Any:
    return _library(i).search(i["query"], i.get("filters"), i.get("limit", 10))


def _content_analytics(i: Dict[str, Any]) -> Any:
    return _library(i).analytics(i["events"], i["opportunities"], **i["options"])


def _content_recommend(i: Dict[str, Any]) -> Any:
    return _library(i).recommend(i["context"], i.get("limit", 5), i.get("usage"))


def _import_read_csv(i: Dict[str, Any], tmp_path: Path) -> Any:
    path = tmp_path / "vector.csv"
    path.write_bytes(i["csv"].encode("utf-8"))
    read = {
        "opportunities": revcore.read_opportunities_csv,
        "leads": revcore.read_leads_csv,
        "accounts": revcore.read_accounts_csv,
    }[i["kind"]]
    records = read(path, i["mapping"], i.get("pipeline"), **(i.get("options") or {}))
    errors = [{k: v for k, v in e.items() if k != "message"} for e in records.errors]
    return {"records": records.to_dicts(), "errors": errors}


# Every op of the README table; an op missing here fails its vector, it is never skipped.
OPS: Dict[str, Callable[[Dict[str, Any]], Any]] = {
    "validate": _validate,
    "normalize": _normalize,
    "condition.parse": _condition_parse,
    "condition.matches": _condition_matches,
    "condition.explain": _condition_explain,
    "sample.generate": _sample_generate,
    "pipeline.classify_stage": _classify_stage,
    "routing.route": _routing_route,
    "routing.route_batch": _routing_route_batch,
    "routing.preview": _routing_preview,
    "routing.simulate": _routing_simulate,
    "scoring.score": _scoring_score,
    "scoring.score_batch": _scoring_score_batch,
    "predictive.train": _predictive_train,
    "predictive.predict": _predictive_predict,
    "predictive.predict_batch": _predictive_predict_batch,
    "predictive.evaluate": _predictive_evaluate,
    "predictive.threshold_for_capacity": _predictive_threshold_for_capacity,
    "predictive.train_opportunities": _predictive_train_opportunities,
    "content.readiness": _content_readiness,
    "kpi.report": _kpi_report,
    "kpi.funnel": _kpi_funnel,
    "kpi.coaching_flags": _kpi_coaching_flags,
    "content.library": _content_library,
    "content.search": _content_search,
    "content.recommend": _content_recommend,
    "content.analytics": _content_analytics,
}

# Ops that read a file: the runner writes it in a temporary directory first.
FILE_OPS: Dict[str, Callable[[Dict[str, Any], Path], Any]] = {
    "import.read_csv": _import_read_csv,
}


def test_vectors_are_found() -> None:
    assert len(FILES) >= 40, f"only {len(FILES)} vectors under {VECTORS}"


@pytest.mark.parametrize("path", FILES, ids=[str(f.relative_to(VECTORS)) for f in FILES])
def test_vector(path: Path, tmp_path: Path) -> None:
    vector = json.loads(path.read_text(encoding="utf-8"))
    op = vector["op"]
    assert op in OPS or op in FILE_OPS, f"unknown op {op!r}: the Python runner must know every op"
    expected = vector["expected"]
    assert ("ok" in expected) != ("error" in expected), "expected needs exactly one of ok, error"
    try:
        if op in FILE_OPS:
            result = FILE_OPS[op](vector["input"], tmp_path)
        else:
            result = OPS[op](vector["input"])
    except revcore.RevcoreError as e:
        assert "error" in expected, f"unexpected error: {e!r}"
        want = expected["error"]
        assert e.code == want["code"], str(e)
        got = [(p["path"], p["code"]) for p in e.errors]
        assert got == [(p["path"], p["code"]) for p in want["errors"]], str(e)
        return
    assert "ok" in expected, f"expected an error {expected['error']}, got {result!r}"
    assert result == expected["ok"]
