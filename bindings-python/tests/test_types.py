"""revcore.types (TypedDicts of the wire format) is generated from schema/ and must be current."""

import importlib.util
import pathlib

import revcore.types

GEN = pathlib.Path(__file__).resolve().parents[1] / "gen_types.py"


def load_generator():
    spec = importlib.util.spec_from_file_location("gen_types", GEN)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_types_module_is_current():
    gen = load_generator()
    assert gen.OUT.read_text() == gen.render(), "stale: run python bindings-python/gen_types.py"


def test_every_record_kind_has_a_typed_dict():
    for name in ["Lead", "Account", "Contact", "Opportunity", "Pipeline", "Stage", "Rep", "Team",
                 "Territory", "ContentAsset", "EngagementEvent", "ContentEvent", "Money", "World"]:
        assert hasattr(revcore.types, name), name
    assert "created_at" in revcore.types.Lead.__annotations__


def test_sample_matches_the_typed_keys():
    world = revcore.sample.generate(seed=1, leads=3, opportunities=3)
    for key, cls in [("leads", revcore.types.Lead), ("opportunities", revcore.types.Opportunity),
                     ("reps", revcore.types.Rep), ("accounts", revcore.types.Account)]:
        allowed = set(cls.__annotations__)
        for record in world[key]:
            assert set(record) <= allowed, (key, set(record) - allowed)
