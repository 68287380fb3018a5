"""revcore.PredictiveModel and revcore.threshold_for_capacity: argument conversion (lists of
dicts, DataFrames, NumPy scalars, NaN and infinities), errors with paths, model files, threads.
The numbers themselves are the core's and are pinned by the conformance vectors."""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import threading
from typing import Any, Dict, List

import pytest

import revcore

FEATURES: List[Dict[str, Any]] = [
    {"name": "visits", "kind": "numeric", "log": True},
    {"name": "source", "kind": "categorical"},
    {"name": "opted_out", "kind": "boolean"},
]


def _rows(n: int = 200, seed: int = 1) -> List[Dict[str, Any]]:
    rnd = random.Random(seed)
    rows = []
    for i in range(n):
        visits = rnd.randint(0, 20)
        source = rnd.choice(["web", "partner", "event", "ads"])
        opted_out = rnd.random() < 0.2
        signal = 0.2 * visits + (1.0 if source == "partner" else 0.0) - (1.5 if opted_out else 0.0)
        converted = rnd.random() < 1 / (1 + math.exp(-(signal - 2)))
        row: Dict[str, Any] = {"id": f"L-{i}", "visits": visits, "source": source,
                               "opted_out": opted_out, "converted": converted}
        if i % 17 == 0:
            row["visits"] = None
        if i % 23 == 0:
            del row["source"]
        rows.append(row)
    return rows


ROWS = _rows()


@pytest.fixture(scope="module")
def model() -> revcore.PredictiveModel:
    return revcore.PredictiveModel.train(ROWS, "converted", FEATURES, min_level_count=5)


def _error(excinfo: Any) -> List[Any]:
    return [(p["path"], p["code"]) for p in excinfo.value.errors]


# --- training ------------------------------------------------------------------------------


def test_train_and_properties(model: revcore.PredictiveModel) -> None:
    assert model.algorithm == "logistic"
    assert model.label == "converted"
    assert model.subject == "rows"
    assert [f["name"] for f in model.features] == ["visits", "source", "opted_out"]
    assert model.features[0] == {"name": "visits", "kind": "numeric", "log": True}
    file = json.loads(model.to_json())
    assert file["kind"] == "predictive_model" and file["training"]["converged"] is True
    assert file["options"]["min_level_count"] == 5
    assert "PredictiveModel(" in repr(model)


def test_naive_bayes_and_options() -> None:
    m = revcore.PredictiveModel.train(ROWS, "converted", FEATURES, "naive_bayes", alpha=2.0, bins=4)
    assert m.algorithm == "naive_bayes"
    assert json.loads(m.to_json())["options"]["alpha"] == 2.0
    # `lambda` is a Python keyword: `lambda_` stands for it, and a dict spread works too.
    a = revcore.PredictiveModel.train(ROWS, "converted", FEATURES, lambda_=0.5)
    b = revcore.PredictiveModel.train(ROWS, "converted", FEATURES, **{"lambda": 0.5})
    assert a.to_json() == b.to_json()
    assert json.loads(a.to_json())["options"]["lambda"] == 0.5


def test_rows_may_be_any_iterable_of_dicts_or_columns(model: revcore.PredictiveModel) -> None:
    again = revcore.PredictiveModel.train(iter(ROWS), "converted", FEATURES, min_level_count=5)
    assert again.to_json() == model.to_json()
    columns = {k: [r.get(k) for r in ROWS] for k in ["visits", "source", "opted_out", "converted"]}
    by_columns = revcore.PredictiveModel.train(columns, "converted", FEATURES, min_level_count=5)
    assert by_columns.to_json() == model.to_json()


def test_the_caller_rows_are_not_changed() -> None:
    rows = _rows(50)
    before = json.dumps(rows, sort_keys=True)
    revcore.PredictiveModel.train(rows, "converted", FEATURES, min_level_count=1)
    assert json.dumps(rows, sort_keys=True) == before


def test_nan_is_missing_like_none(model: revcore.PredictiveModel) -> None:
    with_nan = [dict(r, visits=math.nan) if r["visits"] is None else r for r in ROWS]
    again = revcore.PredictiveModel.train(with_nan, "converted", FEATURES, min_level_count=5)
    assert again.to_json() == model.to_json()
    p = model.predict({"visits": math.nan, "source": "web"})
    assert {f["feature"]: f["bucket"] for f in p["factors"]}["visits"] == "missing"
    assert model.predict({"visits": None, "source": "web"}) == p


def test_numpy_scalars_are_read_as_their_values(model: revcore.PredictiveModel) -> None:
    np = pytest.importorskip("numpy")
    rows = [dict(r, visits=None if r["visits"] is None else np.int64(r["visits"]),
                 opted_out=np.bool_(r["opted_out"])) for r in ROWS]
    again = revcore.PredictiveModel.train(rows, "converted", FEATURES, min_level_count=5)
    assert again.to_json() == model.to_json()
    row = {"visits": np.float32(3.0), "source": np.str_("web"), "opted_out": np.bool_(False)}
    assert model.predict(row) == model.predict({"visits": 3, "source": "web", "opted_out": False})


# --- DataFrames ------------------------------------------------------------------------------


def test_dataframe_gives_the_same_model(model: revcore.PredictiveModel) -> None:
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame(ROWS)
    assert df["visits"].dtype.kind == "f"  # None became NaN
    from_df = revcore.PredictiveModel.train(df, "converted", FEATURES, min_level_count=5)
    assert from_df.to_json() == model.to_json()
    assert model.predict_batch(df) == model.predict_batch(ROWS)
    assert model.evaluate(df, "converted") == model.evaluate(ROWS, "converted")


def test_dataframe_dtypes() -> None:
    pd = pytest.importorskip("pandas")
    base = revcore.PredictiveModel.train(ROWS, "converted", FEATURES, min_level_count=5)
    df = pd.DataFrame(ROWS)
    df["visits"] = df["visits"].astype("Int64")  # nullable ints with pd.NA
    df["source"] = df["source"].astype("category")
    df["opted_out"] = df["opted_out"].astype("boolean")
    df["converted"] = df["converted"].astype(int)  # 0 / 1 labels
    df["unused"] = [object()] * len(df)  # columns no feature reads are never converted
    again = revcore.PredictiveModel.train(df, "converted", FEATURES, min_level_count=5)
    assert again.to_json() == base.to_json()
    df["source"] = df["source"].astype("string")
    assert revcore.PredictiveModel.train(df, "converted", FEATURES, min_level_count=5).to_json() == base.to_json()


def test_dataframe_with_a_column_missing_reads_it_as_missing() -> None:
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame(ROWS).drop(columns=["opted_out"])
    with pytest.raises(revcore.ValidationError) as e:
        revcore.PredictiveModel.train(df, "converted", FEATURES)
    assert _error(e) == [("features[2].name", "all_missing")]


def test_dataframe_infinity_is_an_error_with_row_and_feature(model: revcore.PredictiveModel) -> None:
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame(ROWS)
    df.loc[4, "visits"] = math.inf
    df.loc[9, "visits"] = -math.inf
    with pytest.raises(revcore.ValidationError) as e:
        revcore.PredictiveModel.train(df, "converted", FEATURES)
    assert _error(e) == [("rows[4].visits", "not_finite"), ("rows[9].visits", "not_finite")]
    with pytest.raises(revcore.ValidationError) as e:
        model.predict_batch(df)
    assert _error(e) == [("rows[4].visits", "not_finite"), ("rows[9].visits", "not_finite")]


def test_dataframe_duplicate_column() -> None:
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame([[1, 2, True]], columns=["visits", "visits", "converted"])
    with pytest.raises(revcore.ParseError) as e:
        revcore.PredictiveModel.train(df, "converted", FEATURES)
    assert _error(e) == [("rows.columns.visits", "duplicate_name")]


# --- prediction, evaluation, model files ----------------------------------------------------


def test_predict_and_predict_batch_agree(model: revcore.PredictiveModel) -> None:
    batch = model.predict_batch(ROWS)
    assert len(batch) == len(ROWS) and all(isinstance(p, float) for p in batch)
    assert [model.predict(r)["probability"] for r in ROWS] == batch
    p = model.predict(ROWS[0])
    assert set(p) == {"probability", "log_odds", "base", "factors"}
    assert {f["feature"] for f in p["factors"]} == {"visits", "source", "opted_out"}
    assert set(p["factors"][0]) == {"feature", "value", "bucket", "contribution"}
    assert model.predict_batch([]) == []


def test_round_trip_gives_identical_probabilities(model: revcore.PredictiveModel) -> None:
    loaded = revcore.PredictiveModel.from_json(model.to_json())
    assert loaded.to_json() == model.to_json()
    assert loaded.predict_batch(ROWS) == model.predict_batch(ROWS)
    assert loaded.predict(ROWS[3]) == model.predict(ROWS[3])


def test_evaluate(model: revcore.PredictiveModel) -> None:
    report = model.evaluate(ROWS, "converted")
    assert set(report) == {"rows", "positives", "auc", "log_loss", "brier", "lift", "calibration"}
    assert report["rows"] == len(ROWS)
    assert 0.5 < report["auc"] <= 1.0
    assert len(report["lift"]) == 10 and len(report["calibration"]) == 10


def test_unseen_category_is_other(model: revcore.PredictiveModel) -> None:
    p = model.predict({"visits": 3, "source": "carrier pigeon"})
    assert {f["feature"]: f["bucket"] for f in p["factors"]}["source"] == "other"


# --- errors ----------------------------------------------------------------------------------


def test_infinity_in_rows_is_an_error_never_missing(model: revcore.PredictiveModel) -> None:
    rows = [dict(r) for r in ROWS]
    rows[2]["visits"] = math.inf
    with pytest.raises(revcore.ValidationError) as e:
        revcore.PredictiveModel.train(rows, "converted", FEATURES)
    assert _error(e) == [("rows[2].visits", "not_finite")]
    with pytest.raises(revcore.ValidationError) as e:
        model.predict({"visits": -math.inf})
    assert _error(e) == [("row.visits", "not_finite")]
    with pytest.raises(revcore.ValidationError) as e:
        model.predict_batch([{"visits": 1}, {"visits": math.inf}])
    assert _error(e) == [("rows[1].visits", "not_finite")]
    # In a column that also holds strings (read as JSON values), still an error.
    with pytest.raises(revcore.ValidationError) as e:
        model.predict_batch([{"source": "web"}, {"source": math.inf}])
    assert _error(e) == [("rows[1].source", "not_finite")]


def test_string_in_numeric(model: revcore.PredictiveModel) -> None:
    rows = [dict(r) for r in ROWS]
    rows[5]["visits"] = "12"
    with pytest.raises(revcore.ValidationError) as e:
        revcore.PredictiveModel.train(rows, "converted", FEATURES)
    assert _error(e) == [("rows[5].visits", "invalid_type")]
    with pytest.raises(revcore.ValidationError) as e:
        model.predict({"visits": "12"})
    assert _error(e) == [("row.visits", "invalid_type")]


def test_one_class_label() -> None:
    rows = [dict(r, converted=True) for r in ROWS]
    with pytest.raises(revcore.ValidationError) as e:
        revcore.PredictiveModel.train(rows, "converted", FEATURES)
    assert _error(e) == [("label", "invalid_value")]


def test_empty_rows() -> None:
    with pytest.raises(revcore.ValidationError) as e:
        revcore.PredictiveModel.train([], "converted", FEATURES)
    assert _error(e) == [("rows", "empty")]
    pd = pytest.importorskip("pandas")
    with pytest.raises(revcore.ValidationError) as e:
        revcore.PredictiveModel.train(pd.DataFrame(columns=["visits"]), "converted", FEATURES)
    assert _error(e) == [("rows", "empty")]


def test_missing_label() -> None:
    rows = [dict(r) for r in ROWS]
    rows[7]["converted"] = None
    with pytest.raises(revcore.ValidationError) as e:
        revcore.PredictiveModel.train(rows, "converted", FEATURES)
    assert _error(e) == [("rows[7].converted", "missing_label")]


def test_bad_requests_before_rows() -> None:
    with pytest.raises(revcore.ConfigError) as e:
        revcore.PredictiveModel.train(ROWS, "converted", FEATURES, "tree")
    assert _error(e) == [("algorithm", "unknown_algorithm")]
    with pytest.raises(revcore.ParseError) as e:
        revcore.PredictiveModel.train(ROWS, "converted", FEATURES, depth=3)
    assert _error(e) == [("options.depth", "unknown_field")]
    with pytest.raises(revcore.ConfigError) as e:
        revcore.PredictiveModel.train(ROWS, "converted", FEATURES, alpha=1.0)
    assert _error(e) == [("options.alpha", "not_applicable")]
    with pytest.raises(revcore.ParseError) as e:
        revcore.PredictiveModel.train(ROWS, "converted", [{"name": "visits", "kind": "number"}])
    assert _error(e) == [("features[0].kind", "unknown_variant")]


def test_every_request_problem_before_any_row_of_a_dataframe() -> None:
    pd = pytest.importorskip("pandas")
    # A column pandas holds as objects (lists) would fail to convert; the request fails first,
    # with all its problems.
    frame = pd.DataFrame({"source": [[1], [2]], "converted": [True, False]})
    twice = [{"name": "source", "kind": "categorical"}, {"name": "source", "kind": "numeric"}]
    with pytest.raises(revcore.ConfigError) as e:
        revcore.PredictiveModel.train(frame, "converted", twice, "tree")
    assert _error(e) == [("features[1].name", "duplicate_name"), ("algorithm", "unknown_algorithm")]
    with pytest.raises(revcore.ParseError) as e:
        revcore.PredictiveModel.train(frame, "converted", [{"name": "source", "kind": "x"}], lamda=1)
    assert _error(e) == [("features[0].kind", "unknown_variant"), ("options.lamda", "unknown_field")]


def test_rows_of_the_wrong_shape(model: revcore.PredictiveModel) -> None:
    with pytest.raises(revcore.ParseError) as e:
        revcore.PredictiveModel.train([ROWS[0], 3], "converted", FEATURES)
    assert _error(e) == [("rows[1]", "invalid_type")]
    with pytest.raises(revcore.ParseError) as e:
        model.predict_batch("rows")
    assert _error(e) == [("rows", "invalid_type")]
    with pytest.raises(revcore.ParseError) as e:
        model.predict([1, 2])
    assert _error(e) == [("row", "invalid_type")]
    with pytest.raises(revcore.ParseError) as e:
        model.predict_batch([{"source": {1, 2}}, {"source": "web"}])
    assert _error(e)[0][0] == "rows[0].source"


def test_a_loaded_model_with_a_wrong_feature_spec(model: revcore.PredictiveModel) -> None:
    file = json.loads(model.to_json())
    file["features"][1]["kind"] = "colour"
    with pytest.raises(revcore.ParseError) as e:
        revcore.PredictiveModel.from_json(json.dumps(file))
    assert _error(e)[0][0].startswith("features[1]")
    file = json.loads(model.to_json())
    file["features"][1]["coefficients"].append(0.5)
    with pytest.raises(revcore.ConfigError) as e:
        revcore.PredictiveModel.from_json(json.dumps(file))
    assert ("features[1].coefficients", "invalid_length") in _error(e)
    with pytest.raises(revcore.ParseError) as e:
        revcore.PredictiveModel.from_json("{not json")
    assert _error(e) == [("", "invalid_json")]


def test_evaluate_errors(model: revcore.PredictiveModel) -> None:
    with pytest.raises(revcore.ValidationError) as e:
        model.evaluate([], "converted")
    assert _error(e) == [("rows", "empty")]
    with pytest.raises(revcore.ValidationError) as e:
        model.evaluate([{"visits": 1}], "converted")
    assert _error(e) == [("rows[0].converted", "missing_label")]


# --- opportunities ---------------------------------------------------------------------------


def test_opportunities() -> None:
    world = revcore.sample.generate(seed=7, leads=20)
    as_of = dt.datetime(2026, 6, 30, tzinfo=dt.timezone.utc)
    m = revcore.PredictiveModel.train_opportunities(
        world["opportunities"], as_of, accounts=world["accounts"], min_level_count=5
    )
    assert m.subject == "opportunity" and m.label == "won"
    again = revcore.PredictiveModel.train_opportunities(
        world["opportunities"], "2026-06-30T00:00:00Z", "logistic", accounts=world["accounts"],
        min_level_count=5,
    )
    assert again.to_json() == m.to_json()
    scored = m.predict_opportunities(world["opportunities"], as_of, accounts=world["accounts"])
    assert [s["opportunity_id"] for s in scored] == [o["id"] for o in world["opportunities"]]
    assert all(0 < s["probability"] < 1 for s in scored)
    assert any(s["open"] for s in scored)
    with pytest.raises(revcore.ConfigError) as e:
        revcore.PredictiveModel.train(ROWS, "converted", FEATURES).predict_opportunities([], as_of)
    assert _error(e) == [("model", "wrong_subject")]
    with pytest.raises(revcore.ParseError) as e:
        revcore.PredictiveModel.train_opportunities(world["opportunities"], dt.datetime(2026, 6, 30))
    assert _error(e)[0][0] == "context.as_of"


# --- threshold_for_capacity ------------------------------------------------------------------


def test_threshold_for_capacity() -> None:
    t = revcore.threshold_for_capacity([0.9, 0.1, 0.6, 0.4], 1, inflow_per_week=2)
    assert set(t) == {"threshold", "selected", "share", "inflow_per_week", "selected_per_week",
                      "capacity_per_week"}
    assert t["threshold"] == 0.6 and t["selected"] == 2
    base = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    stamps = [base + dt.timedelta(days=7 * i) for i in range(4)]
    by_stamps = revcore.threshold_for_capacity([0.9, 0.1, 0.6, 0.4], 1, timestamps=stamps)
    assert by_stamps["inflow_per_week"] == pytest.approx(4 / 3)
    with pytest.raises(revcore.ValidationError) as e:
        revcore.threshold_for_capacity([], 0, inflow_per_week=-1)
    assert [p for p, _ in _error(e)] == ["scores", "capacity_per_week", "inflow_per_week"]
    with pytest.raises(revcore.RevcoreError) as e:
        revcore.threshold_for_capacity([0.5], 1)
    assert _error(e)[0][0] == "inflow_per_week"


def test_threshold_takes_numpy_arrays() -> None:
    np = pytest.importorskip("numpy")
    scores = np.array([0.9, 0.1, 0.6, 0.4])
    assert revcore.threshold_for_capacity(scores, 1, inflow_per_week=2)["threshold"] == 0.6


# --- threads ---------------------------------------------------------------------------------


def test_eight_threads_predict_concurrently(model: revcore.PredictiveModel) -> None:
    want = model.predict_batch(ROWS)
    results: List[List[List[float]]] = [[] for _ in range(8)]
    errors: List[BaseException] = []
    barrier = threading.Barrier(8)

    def work(t: int) -> None:
        try:
            barrier.wait()
            for _ in range(10):
                results[t].append(model.predict_batch(ROWS))
            if t % 2 == 0:
                m = revcore.PredictiveModel.train(ROWS, "converted", FEATURES, min_level_count=5)
                results[t].append(m.predict_batch(ROWS))
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert all(r == want for rs in results for r in rs) and sum(map(len, results)) == 84


def test_sample_leads_train() -> None:
    world = revcore.sample.generate(seed=7, leads=300)
    leads = [dict(lead, converted=lead["status"] == "converted") for lead in world["leads"]]
    features = [{"name": "source", "kind": "categorical"}, {"name": "employees", "kind": "numeric", "log": True},
                {"name": "industry", "kind": "categorical"}, {"name": "country", "kind": "categorical"}]
    m = revcore.PredictiveModel.train(leads, "converted", features, min_level_count=5)
    assert m.evaluate(leads, "converted")["rows"] == 300


def test_dataframe_subclass_is_a_dataframe(model: revcore.PredictiveModel) -> None:
    pd = pytest.importorskip("pandas")

    class Frame(pd.DataFrame):
        pass

    assert model.predict_batch(Frame(ROWS)) == model.predict_batch(ROWS)
