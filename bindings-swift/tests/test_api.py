"""The uniffi API as a Swift caller uses it: version and kinds, documents in and out as JSON
text, the Condition object's lifecycle, and deterministic sample data."""

import json
import threading
import tomllib

import pytest
import revcore_swift as rc

from conftest import REPO

RECORDS = [
    {"country": "US", "employees": 250, "email": "ada@northwind.io"},
    {"country": "ca", "employees": 20, "email": "bob@gmail.com"},
    {"country": "DE", "employees": 5000},
    {},
]
SPEC = {
    "all": [
        {"field": "country", "in": ["US", "CA"]},
        {"any": [{"field": "employees", "gt": 100}, {"not": {"field": "email", "free_mail": True}}]},
    ]
}


def test_version_is_the_workspace_version():
    cargo = tomllib.loads((REPO / "Cargo.toml").read_text(encoding="utf-8"))
    assert rc.version() == cargo["workspace"]["package"]["version"]


def test_kinds_are_the_wire_names_and_each_has_a_schema():
    kinds = rc.kinds()
    assert len(kinds) == len(set(kinds))
    for name in ["lead", "account", "opportunity", "pipeline", "condition", "leads", "world"]:
        assert name in kinds
    for kind in kinds:
        schema = json.loads(rc.schema(kind))
        assert isinstance(schema, dict) and schema, kind


def test_schema_refuses_unknown_keys_of_configs():
    assert json.loads(rc.schema("money"))["additionalProperties"] is False


def test_normalize_gives_the_canonical_form_and_is_idempotent():
    lead = {"id": "L-1", "created_at": "2026-03-02T16:05:00+02:00", "email": "ada@northwind.io"}
    once = rc.normalize("lead", json.dumps(lead))
    assert json.loads(once)["created_at"] == "2026-03-02T14:05:00Z"
    assert json.loads(rc.normalize("lead", once)) == json.loads(once)
    assert rc.validate("lead", once) is None


def test_default_pipeline_is_valid_and_classifies_its_own_stages():
    text = rc.default_pipeline()
    pipeline = json.loads(text)
    rc.validate("pipeline", text)
    for stage in pipeline["stages"]:
        found = rc.classify_stage(stage["key"])
        assert json.loads(found) == stage
        # the same answer with the pipeline passed explicitly
        assert json.loads(rc.classify_stage(stage["key"], text)) == stage
    assert rc.classify_stage("no such stage at all") is None


def test_opportunity_stage_must_belong_to_the_given_pipeline():
    pipeline = json.loads(rc.default_pipeline())
    pipeline["stages"] = [s for s in pipeline["stages"] if s["key"] != "proposal"]
    opportunity = {
        "id": "O-1",
        "name": "Northwind renewal",
        "account_id": "A-1",
        "stage": "proposal",
        "amount": {"amount": 1000, "currency": "USD"},
        "created_at": "2026-01-05T10:00:00Z",
    }
    try:
        rc.validate("opportunity", json.dumps(opportunity), json.dumps(pipeline))
    except rc.RevcoreError as e:
        assert any(p.path == "stage" for p in e.errors), e
    else:
        pytest.fail("a stage outside the pipeline was accepted")


class TestCondition:
    def test_parses_to_canonical_json_that_parses_back(self):
        c = rc.Condition(json.dumps(SPEC))
        canonical = c.to_json()
        assert json.loads(canonical)
        again = rc.Condition(canonical)
        assert again.to_json() == canonical
        assert rc.Condition(spec_json=canonical).fields() == c.fields()

    def test_fields_are_sorted_and_unique(self):
        spec = {"any": [{"field": "b", "exists": True}, {"field": "a", "eq": 1}, {"field": "b", "eq": 2}]}
        assert rc.Condition(json.dumps(spec)).fields() == ["a", "b"]
        assert rc.Condition(json.dumps(SPEC)).fields() == ["country", "email", "employees"]

    def test_matches_and_explain_agree_on_every_record(self):
        c = rc.Condition(json.dumps(SPEC))
        results = [c.matches(json.dumps(r)) for r in RECORDS]
        assert results == [True, False, False, False]
        for record, matched in zip(RECORDS, results):
            explanation = json.loads(c.explain(json.dumps(record)))
            assert explanation["matched"] is matched
            assert "all" in explanation["node"]

    def test_explain_names_missing_fields(self):
        c = rc.Condition(json.dumps({"field": "country", "eq": "US"}))
        leaf = json.loads(c.explain("{}"))["node"]
        assert leaf["result"] is False
        assert leaf["reason"] == "missing"
        assert leaf["actual"] is None

    def test_one_object_serves_many_threads(self):
        c = rc.Condition(json.dumps(SPEC))
        expected = [c.matches(json.dumps(r)) for r in RECORDS]
        failures = []

        def work():
            for _ in range(200):
                got = [c.matches(json.dumps(r)) for r in RECORDS]
                if got != expected:
                    failures.append(got)

        threads = [threading.Thread(target=work) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert failures == []

    def test_objects_are_freed_when_dropped(self):
        # Each wrapper owns a handle to an Arc in Rust; creating and dropping many must neither
        # crash nor keep them alive (uniffi frees the handle in __del__).
        for i in range(5_000):
            c = rc.Condition(json.dumps({"field": f"f{i}", "exists": True}))
            assert c.fields() == [f"f{i}"]
            del c

    def test_a_failed_constructor_leaves_nothing_behind(self):
        for _ in range(1_000):
            with pytest.raises(rc.RevcoreError.InvalidConfig):
                rc.Condition('{"field": "a"}')


class TestSample:
    # Small worlds: the library is a debug build.
    SMALL = {"reps": 4, "teams": 2, "territories": 3, "accounts": 10, "contacts": 20,
             "leads": 30, "opportunities": 15, "content": 5, "content_events": 20}

    def options(self, **extra):
        return json.dumps({**self.SMALL, **extra})

    def test_same_seed_same_world(self):
        assert rc.sample_generate(self.options(seed=42)) == rc.sample_generate(self.options(seed=42))

    def test_other_seed_other_world(self):
        assert rc.sample_generate(self.options(seed=1)) != rc.sample_generate(self.options(seed=2))

    def test_sizes_are_honoured(self):
        world = json.loads(rc.sample_generate(self.options(seed=5)))
        assert len(world["leads"]) == self.SMALL["leads"]
        assert len(world["accounts"]) == self.SMALL["accounts"]

    def test_no_options_means_the_defaults(self):
        assert rc.sample_generate() == rc.sample_generate("{}")

    def test_unknown_options_are_refused(self):
        with pytest.raises(rc.RevcoreError.Parse) as info:
            rc.sample_generate('{"seed": 1, "colour": "blue"}')
        assert (info.value.errors[0].path, info.value.errors[0].code) == ("colour", "unknown_field")

    def test_the_world_is_valid(self):
        world = rc.sample_generate(self.options(seed=3))
        assert isinstance(json.loads(world), dict)
        rc.validate("world", world)
