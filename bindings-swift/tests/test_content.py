"""The uniffi ContentLibrary: searching and recommending on the sample library, changes, and
typed errors for bad input (docs/content.md)."""

import json

import pytest
import revcore_swift as rc


@pytest.fixture(scope="module")
def content():
    return json.loads(rc.sample_generate(json.dumps({"seed": 7, "content": 200})))["content"]


def test_search_and_recommend_the_sample_library(content):
    lib = rc.ContentLibrary(json.dumps(content))
    assert lib.len() == len(content)
    hits = json.loads(lib.search("case study pipeline", None, 5))
    assert len(hits) == 5 and all("**" in h["snippet"] for h in hits)
    recs = json.loads(lib.recommend(json.dumps({"language": "en", "as_of": "2026-06-30"}), 10, None))
    by_id = {a["id"]: a for a in content}
    for r in recs:
        assert by_id[r["asset_id"]]["status"] == "published"
        assert "en" in by_id[r["asset_id"]]["tags"]["languages"]


def test_changes_and_errors():
    lib = rc.ContentLibrary(json.dumps([{"id": "a", "title": "Alpha", "type": "deck"}]))
    with pytest.raises(rc.RevcoreError.Conflict) as e:
        lib.add(json.dumps({"id": "a", "title": "Again", "type": "deck"}))
    assert e.value.errors[0].path == "asset.id"
    with pytest.raises(rc.RevcoreError.NotFound):
        lib.remove("zz")
    with pytest.raises(rc.RevcoreError.Parse) as e:
        lib.search("x", "{not json", 10)
    assert e.value.errors[0].path == "filters"
    with pytest.raises(rc.RevcoreError.Validation) as e:
        lib.search("x" * 1001, None, 10)
    assert e.value.errors[0].code == "query_too_long"
    with pytest.raises(rc.RevcoreError.Validation):
        lib.recommend("{}", -3, None)
    assert json.loads(lib.remove("a"))["title"] == "Alpha"
    assert lib.len() == 0 and lib.is_empty()
