"""revcore.ContentLibrary from Python: the sample library, searching, recommending, changes and
bad input (docs/content.md)."""

from __future__ import annotations

import datetime
import threading

import pytest

import revcore


@pytest.fixture(scope="module")
def world():
    return revcore.sample.generate(seed=7, content=300)


@pytest.fixture()
def library(world):
    return revcore.ContentLibrary(world["content"])


def test_sample_library_searches_with_snippets(library, world) -> None:
    assert len(library) == len(world["content"])
    hits = library.search("case study pipeline", limit=5)
    assert len(hits) == 5
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    assert all("**" in h["snippet"] for h in hits)
    assert set(hits[0]) == {"asset_id", "title", "type", "score", "snippet"}
    # Same query, same answer (deterministic, ties by id).
    assert library.search("case study pipeline", limit=5) == hits


def test_filters_take_dates_and_default_to_published(library, world) -> None:
    today = datetime.date(2026, 6, 30)
    hits = library.search("", {"as_of": today, "types": ["case_study"]}, limit=1000)
    by_id = {a["id"]: a for a in world["content"]}
    assert hits
    for h in hits:
        a = by_id[h["asset_id"]]
        assert a["status"] == "published" and a["type"] == "case_study"
        assert a.get("expires_at") is None or a["expires_at"] > "2026-06-30"


def test_recommendations_respect_status_expiry_and_language(library, world) -> None:
    stage = next(a["tags"]["stages"][0] for a in world["content"] if a.get("tags", {}).get("stages"))
    recs = library.recommend({"stage": stage, "language": "en", "as_of": "2026-06-30"}, limit=20)
    by_id = {a["id"]: a for a in world["content"]}
    assert recs
    for r in recs:
        a = by_id[r["asset_id"]]
        assert a["status"] == "published"
        assert "en" in a["tags"]["languages"]
        assert a.get("expires_at") is None or a["expires_at"] > "2026-06-30"
        assert r["score"] == round(sum(x["points"] for x in r["reasons"]), 4)


def test_changes_and_their_errors(library) -> None:
    asset = {"id": "new-1", "title": "Zyxquon routing explained", "type": "video", "status": "published"}
    library.add(asset)
    assert [h["asset_id"] for h in library.search("zyxquon")] == ["new-1"]
    with pytest.raises(revcore.ConflictError) as e:
        library.add(asset)
    assert e.value.errors[0]["path"] == "asset.id"
    library.update(dict(asset, title="Classical routing explained"))
    assert library.search("zyxquon") == []
    assert library.remove("new-1")["title"] == "Classical routing explained"
    with pytest.raises(revcore.NotFoundError) as e:
        library.remove("new-1")
    assert (e.value.code, e.value.errors[0]["path"]) == ("not_found", "asset_id")
    with pytest.raises(revcore.NotFoundError):
        library.get("new-1")


def test_bad_input_raises_typed_errors_never_crashes(library) -> None:
    with pytest.raises(revcore.ValidationError) as e:
        library.search("x" * 1001)
    assert e.value.errors[0]["code"] == "query_too_long"
    with pytest.raises(revcore.ValidationError):
        library.search("pipeline", limit=0)
    with pytest.raises(revcore.ParseError) as e:
        library.search(42)
    assert e.value.errors[0]["path"] == "query"
    with pytest.raises(revcore.ParseError) as e:
        library.search("pipeline", {"colour": "red"})
    assert e.value.errors[0]["path"] == "filters.colour"
    with pytest.raises(revcore.NotFoundError):
        library.recommend({"stage": "proposal"}, usage=[{"asset_id": "nope"}])
    # Query syntax is documented behaviour, not an error.
    for q in ['"quoted phrase"', "-", "*", "a:b", "((", "\x00", "é" * 999]:
        library.search(q)
    with pytest.raises(revcore.ValidationError) as e:
        revcore.ContentLibrary([{"id": "a", "title": "A", "type": "deck"}] * 2)
    assert e.value.errors[0]["path"] == "assets[1].id"


def test_searches_run_from_many_threads(library) -> None:
    expected = library.search("forecast routing", limit=20)
    results = []

    def run() -> None:
        for _ in range(20):
            results.append(library.search("forecast routing", limit=20))

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 80 and all(r == expected for r in results)
