"""Garbage in, a typed error out: every bad argument arrives as a `RevcoreError` variant with its
stable code and the path of the first problem, never as a crash or an `InternalError`."""

import json

import pytest
import revcore_swift as rc

LEAD = {"id": "L-1", "created_at": "2026-03-02T14:05:00Z", "email": "ada@northwind.io"}
CONDITION = json.dumps({"field": "country", "eq": "US"})
DEEP = "[" * 100_000


def raised(call, cls):
    """Runs `call`, which must throw `cls`; returns (code, [(path, code), ...], the error)."""
    with pytest.raises(cls) as info:
        call()
    e = info.value
    assert isinstance(e, rc.RevcoreError)
    return e.code, [(p.path, p.code) for p in e.errors], e


@pytest.mark.parametrize(
    "call, first_path",
    [
        (lambda: rc.validate("lead", '{"id": '), ""),
        (lambda: rc.validate("lead", ""), ""),
        (lambda: rc.validate("lead", "{'id': 'L-1'}"), ""),
        (lambda: rc.validate("lead", json.dumps(LEAD) + " trailing"), ""),
        (lambda: rc.normalize("lead", "nul"), ""),
        (lambda: rc.validate("opportunity", "{}", pipeline_json="{"), "pipeline"),
        (lambda: rc.normalize("opportunity", "{}", "[1,"), "pipeline"),
        (lambda: rc.classify_stage("won", "not json"), "pipeline"),
        (lambda: rc.Condition("{"), ""),
        (lambda: rc.Condition(CONDITION).matches("{"), ""),
        (lambda: rc.Condition(CONDITION).explain("]"), ""),
        (lambda: rc.sample_generate("{seed: 7}"), ""),
    ],
)
def test_malformed_json_text_is_a_parse_error(call, first_path):
    code, problems, e = raised(call, rc.RevcoreError.Parse)
    assert code == "parse"
    assert problems[0] == (first_path, "invalid_json")
    assert e.errors[0].message
    assert "parse" in e.message


@pytest.mark.parametrize(
    "call",
    [
        lambda: rc.validate("lead", DEEP),
        lambda: rc.normalize("world", "{" + '"a":{' * 100_000),
        lambda: rc.validate("opportunity", "{}", DEEP),
        lambda: rc.Condition('{"not":' * 100_000),
        lambda: rc.Condition(CONDITION).matches(DEEP),
        lambda: rc.Condition(CONDITION).explain(DEEP),
        lambda: rc.sample_generate(DEEP),
    ],
)
def test_deeply_nested_json_text_is_refused_not_a_crash(call):
    code, problems, _ = raised(call, rc.RevcoreError.Parse)
    assert code == "parse"
    assert problems[0][1] == "invalid_json"


def test_deeply_nested_condition_hits_the_depth_limit():
    spec = {"field": "country", "eq": "US"}
    for _ in range(100):
        spec = {"not": spec}
    code, problems, _ = raised(lambda: rc.Condition(json.dumps(spec)), rc.RevcoreError.InvalidConfig)
    assert code == "invalid_config"
    assert problems[0][1] == "too_deep"
    assert problems[0][0].startswith("not.not.")


@pytest.mark.parametrize(
    "kind, value, first",
    [
        ("lead", [1, 2], ("", "invalid_type")),
        ("lead", "L-1", ("", "invalid_type")),
        ("lead", {**LEAD, "id": 5}, ("id", "invalid_type")),
        ("lead", {**LEAD, "created_at": True}, ("created_at", "invalid_type")),
        ("lead", {**LEAD, "status": "maybe"}, ("status", "unknown_variant")),
        ("leads", {"not": "a list"}, ("", "invalid_type")),
        ("lead", {**LEAD, "email": 5}, ("email", "invalid_type")),
        ("money", {"amount": 10}, ("currency", "missing_field")),
    ],
)
def test_wrong_types_name_the_field(kind, value, first):
    code, problems, _ = raised(lambda: rc.validate(kind, json.dumps(value)), rc.RevcoreError.Parse)
    assert code == "parse"
    assert problems[0] == first


@pytest.mark.parametrize("kind", ["nope", "", "Lead", "lead ", "lead\x00", "leäd"])
def test_unknown_kind_is_not_found(kind):
    for call in (
        lambda: rc.validate(kind, json.dumps(LEAD)),
        lambda: rc.normalize(kind, json.dumps(LEAD)),
        lambda: rc.schema(kind),
    ):
        code, problems, e = raised(call, rc.RevcoreError.NotFound)
        assert code == "not_found"
        assert problems == [("kind", "unknown_kind")]
        assert "lead" in e.errors[0].message  # it lists the kinds there are


def test_unknown_keys_in_a_config_are_refused():
    pipeline = json.loads(rc.default_pipeline())
    pipeline["colour"] = "blue"
    code, problems, _ = raised(lambda: rc.validate("pipeline", json.dumps(pipeline)), rc.RevcoreError.Parse)
    assert (code, problems[0]) == ("parse", ("colour", "unknown_field"))

    money = {"amount": 10, "currency": "USD", "cents": 1000}
    code, problems, _ = raised(lambda: rc.validate("money", json.dumps(money)), rc.RevcoreError.Parse)
    assert problems[0] == ("cents", "unknown_field")


def test_a_bad_pipeline_argument_is_reported_under_pipeline():
    code, problems, _ = raised(
        lambda: rc.classify_stage("won", json.dumps({"id": "p"})), rc.RevcoreError.Parse
    )
    assert code == "parse"
    assert problems[0][0].startswith("pipeline")


def test_validation_collects_every_problem():
    leads = [{**LEAD, "id": "L-1", "email": "x"}, {**LEAD, "id": "L-2", "email": "y@"}]
    code, problems, e = raised(lambda: rc.validate("leads", json.dumps(leads)), rc.RevcoreError.Validation)
    assert code == "validation"
    assert problems == [("[0].email", "invalid_email"), ("[1].email", "invalid_email")]
    assert isinstance(e, rc.RevcoreError.Validation)


def test_bad_condition_is_invalid_config_with_every_problem():
    spec = {"all": [{"field": "a", "gt": "soon"}, {"field": "b", "bogus": 1}]}
    code, problems, _ = raised(lambda: rc.Condition(json.dumps(spec)), rc.RevcoreError.InvalidConfig)
    assert code == "invalid_config"
    assert problems[0] == ("all[0].gt", "invalid_date")
    assert all(path.startswith(("all[0]", "all[1]")) for path, _ in problems)
    assert any(path.startswith("all[1]") for path, _ in problems)


def test_oversized_condition_list_is_refused():
    spec = {"field": "n", "in": list(range(10_001))}
    code, problems, _ = raised(lambda: rc.Condition(json.dumps(spec)), rc.RevcoreError.InvalidConfig)
    assert problems[0] == ("in", "too_large")


def test_wrong_python_types_never_reach_rust():
    # uniffi checks argument types in the generated code; a dict where JSON text is expected
    # is the caller's bug, reported as such.
    with pytest.raises(TypeError):
        rc.validate("lead", LEAD)
    with pytest.raises(TypeError):
        rc.Condition({"field": "a", "exists": True})
    with pytest.raises(TypeError):
        rc.classify_stage(None)


def test_error_variants_are_distinct_classes_of_one_base():
    variants = [
        rc.RevcoreError.Parse,
        rc.RevcoreError.Validation,
        rc.RevcoreError.InvalidConfig,
        rc.RevcoreError.NotFound,
        rc.RevcoreError.Conflict,
    ]
    for v in variants:
        assert issubclass(v, rc.RevcoreError)
        assert issubclass(v, Exception)
    assert len(set(variants)) == len(variants)
