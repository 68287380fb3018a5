"""Predictive models through the uniffi API (docs/predictive.md): training from JSON text,
saving and loading bit for bit, batches equal to one row at a time, rows as objects or
columns, errors with paths, opportunities, the capacity threshold, and one model shared by
threads. The numbers themselves are pinned by the conformance vectors."""

import json
import math
import threading

import pytest
import revcore_swift as rc

# The worked example of docs/predictive.md.
SIX = [
    {"source": "web", "visits": 12, "opted_out": False, "converted": True},
    {"source": "web", "visits": 3, "opted_out": False, "converted": False},
    {"source": "partner", "visits": 7, "opted_out": False, "converted": True},
    {"source": "partner", "visits": None, "opted_out": True, "converted": True},
    {"source": "event", "visits": 0, "opted_out": True, "converted": False},
    {"source": "web", "visits": 1, "opted_out": None, "converted": False},
]
SIX_FEATURES = [
    {"name": "source", "kind": "categorical"},
    {"name": "visits", "kind": "numeric", "log": True},
    {"name": "opted_out", "kind": "boolean"},
]

FEATURES = [
    {"name": "source", "kind": "categorical"},
    {"name": "industry", "kind": "categorical"},
    {"name": "employees", "kind": "numeric", "log": True},
    {"name": "has_phone", "kind": "boolean"},
]
AS_OF = "2026-06-30T00:00:00Z"


def text(value):
    return json.dumps(value, allow_nan=False)


@pytest.fixture(scope="module")
def world():
    return json.loads(rc.sample_generate(text({"seed": 11, "leads": 400})))


@pytest.fixture(scope="module")
def rows(world):
    return [
        {
            "converted": lead["status"] in ("converted", "qualified"),
            "source": lead.get("source"),
            "industry": lead.get("industry"),
            "employees": lead.get("employees"),
            "has_phone": lead.get("phone") is not None,
        }
        for lead in world["leads"]
    ]


def columns(rows):
    return {k: [r.get(k) for r in rows] for k in rows[0]}


def problems(err):
    return [(p.path, p.code) for p in err.errors]


def six(algorithm="logistic", **options):
    options = {"min_level_count": 2, **options}
    return rc.PredictiveModel.train(
        text(SIX), "converted", text(SIX_FEATURES), algorithm, text(options)
    )


def test_worked_example_naive_bayes():
    model = six("naive_bayes", bins=2, alpha=1)
    assert model.algorithm() == "naive_bayes"
    assert model.label() == "converted"
    p = json.loads(model.predict(text({"source": "web", "visits": 5, "opted_out": False})))
    assert abs(p["probability"] - 0.75) < 1e-12
    assert abs(p["log_odds"] - math.log(3)) < 1e-12
    assert [f["feature"] for f in p["factors"]] == ["visits", "source", "opted_out"]


def test_worked_example_logistic():
    model = six("logistic", **{"lambda": 1})
    file = json.loads(model.to_json())
    assert file["training"]["iterations"] == 4 and file["training"]["converged"] is True
    assert abs(file["intercept"] - -0.01165888810088882) < 1e-12
    p = json.loads(model.predict(text({"source": "webinar", "visits": 5, "opted_out": "no"})))
    assert abs(p["probability"] - 0.5821) < 1e-4


def test_options_are_optional():
    a = rc.PredictiveModel.train(text(SIX), "converted", text(SIX_FEATURES), "logistic")
    b = rc.PredictiveModel.train(text(SIX), "converted", text(SIX_FEATURES), "logistic", None)
    assert a.to_json() == b.to_json()


@pytest.mark.parametrize("algorithm", ["logistic", "naive_bayes"])
def test_round_trip_bit_for_bit(rows, algorithm):
    model = rc.PredictiveModel.train(
        text(rows), "converted", text(FEATURES), algorithm, text({"min_level_count": 3})
    )
    saved = model.to_json()
    loaded = rc.PredictiveModel.from_json(saved)
    assert loaded.to_json() == saved
    a = model.predict_batch(text(rows))
    b = loaded.predict_batch(text(rows))
    assert len(a) == len(rows)
    assert [x.hex() for x in a] == [x.hex() for x in b]


@pytest.mark.parametrize("algorithm", ["logistic", "naive_bayes"])
def test_batch_equals_one_by_one_and_columns(rows, algorithm):
    model = rc.PredictiveModel.train(
        text(columns(rows)), "converted", text(FEATURES), algorithm, text({"min_level_count": 3})
    )
    batch = model.predict_batch(text(rows))
    one_by_one = [json.loads(model.predict(text(r)))["probability"] for r in rows]
    assert [x.hex() for x in batch] == [x.hex() for x in one_by_one]
    assert model.predict_batch(text(columns(rows))) == batch
    assert all(0 < p < 1 for p in batch)
    by_rows = rc.PredictiveModel.train(
        text(rows), "converted", text(FEATURES), algorithm, text({"min_level_count": 3})
    )
    assert by_rows.to_json() == model.to_json()


def test_evaluate(rows):
    model = rc.PredictiveModel.train(
        text(rows), "converted", text(FEATURES), "logistic", text({"min_level_count": 3})
    )
    e = json.loads(model.evaluate(text(rows), "converted"))
    assert e["rows"] == len(rows)
    assert e["positives"] == sum(r["converted"] for r in rows)
    assert 0.5 < e["auc"] <= 1
    assert len(e["lift"]) == 10 and len(e["calibration"]) == 10
    assert json.loads(model.evaluate(text(columns(rows)), "converted")) == e


def test_bad_training_inputs():
    with pytest.raises(rc.RevcoreError.Parse) as e:
        rc.PredictiveModel.train("[{", "converted", text(SIX_FEATURES), "logistic")
    assert problems(e.value) == [("rows", "invalid_json")]
    with pytest.raises(rc.RevcoreError.Parse) as e:
        rc.PredictiveModel.train(text(SIX), "converted", "nope", "logistic")
    assert problems(e.value) == [("features", "invalid_json")]
    with pytest.raises(rc.RevcoreError.Parse) as e:
        rc.PredictiveModel.train(
            text(SIX), "converted", text([{"name": "x", "kind": "colour"}]), "logistic"
        )
    assert problems(e.value)[0][0] == "features[0].kind"
    with pytest.raises(rc.RevcoreError.InvalidConfig) as e:
        rc.PredictiveModel.train(text(SIX), "converted", text(SIX_FEATURES), "forest")
    assert ("algorithm", "unknown_algorithm") in problems(e.value)
    with pytest.raises(rc.RevcoreError.InvalidConfig) as e:
        six("logistic", **{"lambda": -1, "alpha": 2})
    assert sorted(p for p, _ in problems(e.value)) == ["options.alpha", "options.lambda"]
    with pytest.raises(rc.RevcoreError.Parse) as e:
        six("logistic", lamda=1)
    assert problems(e.value) == [("options.lamda", "unknown_field")]
    bad = [dict(r) for r in SIX]
    bad[2]["visits"] = "seven"
    del bad[4]["converted"]
    with pytest.raises(rc.RevcoreError.Validation) as e:
        rc.PredictiveModel.train(text(bad), "converted", text(SIX_FEATURES), "logistic")
    got = problems(e.value)
    assert ("rows[2].visits", "invalid_type") in got
    assert ("rows[4].converted", "missing_label") in got


def test_bad_rows_at_prediction():
    model = six()
    with pytest.raises(rc.RevcoreError.Validation) as e:
        model.predict(text({"source": "web", "visits": "many"}))
    assert problems(e.value) == [("row.visits", "invalid_type")]
    with pytest.raises(rc.RevcoreError.Parse) as e:
        model.predict("{")
    assert problems(e.value) == [("row", "invalid_json")]
    with pytest.raises(rc.RevcoreError.Validation) as e:
        model.predict_batch(text([{"visits": 1}, {"visits": True}]))
    assert problems(e.value) == [("rows[1].visits", "invalid_type")]
    with pytest.raises(rc.RevcoreError.Parse) as e:
        model.predict_batch("3")
    assert problems(e.value)[0][0] == "rows"
    assert model.predict_batch("[]") == []


def test_bad_model_files():
    file = json.loads(six().to_json())
    with pytest.raises(rc.RevcoreError.Parse) as e:
        rc.PredictiveModel.from_json("{nope")
    assert problems(e.value)[0][1] == "invalid_json"
    with pytest.raises(rc.RevcoreError.InvalidConfig) as e:
        rc.PredictiveModel.from_json(text({**file, "version": 2}))
    assert problems(e.value)[0][1] == "unsupported_version"
    wrong = json.loads(json.dumps(file))
    wrong["features"][1]["coefficient"] = "big"
    with pytest.raises(rc.RevcoreError.Parse) as e:
        rc.PredictiveModel.from_json(text(wrong))
    assert problems(e.value)[0][0] == "features[1].coefficient"


def test_opportunities(world):
    context = text({"as_of": AS_OF, "accounts": world["accounts"]})
    model = rc.PredictiveModel.train_opportunities(
        text(world["opportunities"]), context, "logistic"
    )
    assert model.label() == "won"
    assert json.loads(model.to_json())["subject"] == "opportunity"
    deals = world["opportunities"][:20]
    scored = json.loads(model.predict_opportunities(text(deals), context))
    assert [s["opportunity_id"] for s in scored] == [d["id"] for d in deals]
    assert all(0 < s["probability"] < 1 for s in scored)
    loaded = rc.PredictiveModel.from_json(model.to_json())
    assert json.loads(loaded.predict_opportunities(text(deals), context)) == scored
    with pytest.raises(rc.RevcoreError.InvalidConfig) as e:
        six().predict_opportunities(text(deals[:2]), context)
    assert problems(e.value)[0][1] == "wrong_subject"
    with pytest.raises(rc.RevcoreError.Parse) as e:
        rc.PredictiveModel.train_opportunities(text(deals), "{", "logistic")
    assert problems(e.value) == [("context", "invalid_json")]


def test_threshold_for_capacity():
    answer = json.loads(
        rc.threshold_for_capacity(
            text({"scores": [0.9, 0.8, 0.8, 0.5, 0.1], "capacity_per_week": 40,
                  "inflow_per_week": 100})
        )
    )
    assert answer["threshold"] == 0.9 and answer["selected"] == 1
    with pytest.raises(rc.RevcoreError):
        rc.threshold_for_capacity(text({"scores": [0.5], "capacity_per_week": 1}))
    with pytest.raises(rc.RevcoreError.Parse) as e:
        rc.threshold_for_capacity("nope")
    assert problems(e.value)[0][1] == "invalid_json"


def test_one_model_shared_by_threads(rows):
    model = rc.PredictiveModel.train(
        text(rows), "converted", text(FEATURES), "naive_bayes", text({"min_level_count": 3})
    )
    expected = model.predict_batch(text(rows))
    results = [None] * 8

    def work(i):
        results[i] = model.predict_batch(text(rows))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r == expected for r in results)
