//! Behaviour of the content library, search and recommendations a user would notice.

use super::*;
use crate::model::{AssetStatus, ContentAsset};
use crate::sample::{generate, SampleOptions};
use chrono::NaiveDate;
use serde_json::{json, Value};

fn asset(v: Value) -> ContentAsset {
    crate::api::parse(&v).unwrap()
}

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn small() -> ContentLibrary {
    ContentLibrary::new(vec![
        asset(json!({"id": "a1", "title": "Routing leads in seconds", "type": "deck",
            "description": "How fast lead routing wins deals.", "body": "Routed leads convert.",
            "status": "published", "published_at": "2026-01-01",
            "tags": {"stages": ["discovery"], "industries": ["healthcare"], "languages": ["en"]}})),
        asset(json!({"id": "a2", "title": "Pricing battlecard", "type": "battlecard",
            "description": "Answers to pricing objections.", "body": "Lead routing is mentioned once.",
            "status": "published", "published_at": "2026-02-01", "expires_at": "2026-06-01",
            "tags": {"stages": ["proposal"], "industries": ["Healthcare"], "languages": ["en"]}})),
        asset(json!({"id": "a3", "title": "Café résumé", "type": "one_pager",
            "description": "Un résumé en français.", "status": "published",
            "tags": {"stages": ["proposal"], "languages": ["fr"]}})),
        asset(json!({"id": "a4", "title": "Routing draft", "type": "deck",
            "description": "Lead routing, not yet approved.", "status": "draft",
            "tags": {"stages": ["discovery"], "languages": ["en"]}})),
        asset(json!({"id": "a5", "title": "Old routing deck", "type": "deck",
            "description": "Lead routing, retired.", "status": "archived",
            "tags": {"stages": ["discovery"], "languages": ["en"]}})),
    ])
    .unwrap()
}

fn ids<T>(hits: &[T], id: impl Fn(&T) -> &str) -> Vec<String> {
    hits.iter().map(|h| id(h).to_string()).collect()
}

fn search(lib: &ContentLibrary, q: &str, filters: Value) -> Vec<SearchHit> {
    let f: SearchFilters = crate::api::parse(&filters).unwrap();
    lib.search(q, &f, 10).unwrap()
}

#[test]
fn validation_names_every_bad_asset() {
    let err = ContentLibrary::from_json(&json!([
        {"id": "x", "title": "A", "type": "deck"},
        {"id": "x", "title": " ", "type": "deck", "published_at": "2026-05-01",
         "expires_at": "2026-04-01", "tags": {"stages": [""]}},
        {"id": "y", "title": "B", "type": "podcast"}
    ]))
    .unwrap_err();
    assert_eq!(err.code(), "parse");
    assert_eq!(err.problems()[0].path, "assets[2].type");
    let err = ContentLibrary::from_json(&json!([
        {"id": "x", "title": "A", "type": "deck"},
        {"id": "x", "title": " ", "type": "deck", "published_at": "2026-05-01",
         "expires_at": "2026-04-01", "tags": {"stages": [""]}}
    ]))
    .unwrap_err();
    assert_eq!(err.code(), "validation");
    let got: Vec<(&str, &str)> = err
        .problems()
        .iter()
        .map(|p| (p.path.as_str(), p.code.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("assets[1].title", "empty"),
            ("assets[1].expires_at", "end_before_start"),
            ("assets[1].id", "duplicate_id"),
            ("assets[1].tags.stages[0]", "blank_tag"),
        ]
    );
}

#[test]
fn add_update_remove_keep_the_index_in_step() {
    let mut lib = small();
    let err = lib
        .add_json(&json!({"id": "a1", "title": "Again", "type": "deck"}))
        .unwrap_err();
    assert_eq!(
        (err.code(), err.problems()[0].path.as_str()),
        ("conflict", "asset.id")
    );
    let err = lib
        .update_json(&json!({"id": "zz", "title": "None", "type": "deck"}))
        .unwrap_err();
    assert_eq!(
        (err.code(), err.problems()[0].path.as_str()),
        ("not_found", "asset.id")
    );
    assert_eq!(lib.remove("zz").unwrap_err().problems()[0].path, "asset_id");

    // Update: the old words are gone from the index, the new ones found.
    lib.update_json(
        &json!({"id": "a1", "title": "Territory design", "type": "deck",
        "status": "published"}),
    )
    .unwrap();
    assert_eq!(
        ids(&search(&lib, "territory", json!({})), |h| &h.asset_id),
        ["a1"]
    );
    assert_eq!(
        ids(&search(&lib, "routing", json!({})), |h| &h.asset_id),
        ["a2"]
    );
    // Remove, then add again: the same results as a library built with it.
    let a2 = lib.remove("a2").unwrap();
    assert!(search(&lib, "routing", json!({})).is_empty());
    assert_eq!(lib.len(), 4);
    lib.add(a2).unwrap();
    let fresh = ContentLibrary::new(lib.assets().into_iter().cloned().collect()).unwrap();
    for q in ["routing", "pricing objections", "", "territory -design"] {
        assert_eq!(
            search(&lib, q, json!({})),
            search(&fresh, q, json!({})),
            "{q}"
        );
    }
}

#[test]
fn search_stems_folds_accents_and_boosts_titles() {
    let lib = small();
    // "routed" and "routing" share a stem; the asset with it in the title ranks first.
    let hits = search(&lib, "routed", json!({}));
    assert_eq!(ids(&hits, |h| &h.asset_id), ["a1", "a2"]);
    assert!(hits[0].score > hits[1].score);
    // Accents fold both ways.
    assert_eq!(
        ids(&search(&lib, "CAFE resume", json!({})), |h| &h.asset_id),
        ["a3"]
    );
    assert_eq!(
        ids(&search(&lib, "résumés", json!({})), |h| &h.asset_id),
        ["a3"]
    );
    // Stop words alone search nothing: every published asset, score 0, by id.
    let all = search(&lib, "the and of", json!({}));
    assert_eq!(ids(&all, |h| &h.asset_id), ["a1", "a2", "a3"]);
    assert!(all.iter().all(|h| h.score == 0.0));
}

#[test]
fn search_filters_on_status_dates_and_tags() {
    let lib = small();
    let q = "routing";
    assert_eq!(
        ids(
            &search(&lib, q, json!({"statuses": ["draft", "archived"]})),
            |h| &h.asset_id
        ),
        ["a4", "a5"]
    );
    // a2 expires on 2026-06-01: still current the day before, gone that day.
    assert_eq!(
        ids(&search(&lib, q, json!({"as_of": "2026-05-31"})), |h| &h
            .asset_id),
        ["a1", "a2"]
    );
    assert_eq!(
        ids(&search(&lib, q, json!({"as_of": "2026-06-01"})), |h| &h
            .asset_id),
        ["a1"]
    );
    // Not yet published on 2026-01-15.
    assert_eq!(
        ids(&search(&lib, q, json!({"as_of": "2026-01-15"})), |h| &h
            .asset_id),
        ["a1"]
    );
    // Tags compare without case; an unknown tag value matches nothing.
    assert_eq!(
        ids(
            &search(
                &lib,
                q,
                json!({"industries": ["HEALTHCARE"], "stages": ["proposal"]})
            ),
            |h| &h.asset_id
        ),
        ["a2"]
    );
    assert!(search(&lib, q, json!({"industries": ["mining"]})).is_empty());
    assert_eq!(
        ids(&search(&lib, q, json!({"types": ["battlecard"]})), |h| &h
            .asset_id),
        ["a2"]
    );
    let err = lib
        .search_json(q, Some(&json!({"colour": "red"})), 10)
        .unwrap_err();
    assert_eq!(
        (err.code(), err.problems()[0].path.as_str()),
        ("parse", "filters.colour")
    );
}

#[test]
fn query_syntax_is_documented_behaviour_not_an_error() {
    let lib = small();
    // -word excludes; quotes, stars and colons only separate words.
    assert_eq!(
        ids(&search(&lib, "routing -pricing", json!({})), |h| &h
            .asset_id),
        ["a1"]
    );
    assert_eq!(
        ids(
            &search(&lib, "\"lead routing\" title:* (x)", json!({})),
            |h| &h.asset_id
        ),
        ["a1", "a2"]
    );
    // A hyphen inside a word is not an exclusion.
    assert_eq!(
        ids(&search(&lib, "re-routed", json!({})), |h| &h.asset_id),
        ["a1", "a2"]
    );
    // Only an exclusion: every published asset without the word.
    assert_eq!(
        ids(&search(&lib, "-routing", json!({})), |h| &h.asset_id),
        ["a3"]
    );
    let long = "x".repeat(MAX_QUERY_CHARS + 1);
    let err = lib
        .search(&long, &SearchFilters::default(), 10)
        .unwrap_err();
    assert_eq!(
        (err.code(), err.problems()[0].code.as_str()),
        ("validation", "query_too_long")
    );
    let many: Vec<String> = (0..=MAX_QUERY_TERMS).map(|i| format!("word{i}")).collect();
    let err = lib
        .search(&many.join(" "), &SearchFilters::default(), 10)
        .unwrap_err();
    assert_eq!(err.problems()[0].code, "too_many_terms");
    for bad in [0, -1, MAX_LIMIT + 1] {
        let err = lib.search("x", &SearchFilters::default(), bad).unwrap_err();
        assert_eq!(err.problems()[0].path, "limit");
    }
}

#[test]
fn snippets_mark_the_matched_words() {
    let lib = small();
    let hits = search(&lib, "pricing objection", json!({}));
    assert_eq!(hits[0].snippet, "Answers to **pricing** **objections**.");
    // A title-only match shows the title.
    let hits = search(&lib, "battlecard", json!({}));
    assert_eq!(hits[0].snippet, "Pricing **battlecard**");
}

#[test]
fn ties_are_broken_by_asset_id_whatever_the_insertion_order() {
    let make = |order: &[&str]| {
        ContentLibrary::new(
            order
                .iter()
                .map(|id| {
                    asset(json!({"id": id, "title": "Same words", "type": "deck",
                    "status": "published"}))
                })
                .collect(),
        )
        .unwrap()
    };
    let a = make(&["c", "a", "b"]);
    let b = make(&["b", "c", "a"]);
    let ha = search(&a, "words", json!({}));
    assert_eq!(ids(&ha, |h| &h.asset_id), ["a", "b", "c"]);
    assert_eq!(ha, search(&b, "words", json!({})));
}

fn recommend(lib: &ContentLibrary, context: Value, usage: Value) -> Vec<Recommendation> {
    let v = lib.recommend_json(&context, 10, Some(&usage)).unwrap();
    serde_json::from_value::<Vec<Value>>(v.clone()).unwrap();
    let c: DealContext = crate::api::parse(&context).unwrap();
    let u: Vec<AssetUsage> = crate::api::parse(&usage).unwrap();
    lib.recommend(&c, 10, &u).unwrap()
}

#[test]
fn recommendations_never_show_drafts_archived_expired_or_other_languages() {
    let lib = small();
    let got = recommend(
        &lib,
        json!({"stage": "discovery", "industry": "healthcare", "language": "en",
               "as_of": "2026-06-15"}),
        json!([]),
    );
    // a2 expired, a3 French, a4 draft, a5 archived.
    assert_eq!(ids(&got, |r| &r.asset_id), ["a1"]);
    // Without a language, the French asset matching the stage appears.
    let got = recommend(
        &lib,
        json!({"stage": "proposal", "as_of": "2026-03-01"}),
        json!([]),
    );
    assert_eq!(ids(&got, |r| &r.asset_id), ["a2", "a3"]);
    // A stage as a CRM spells it matches the tag's key.
    let got = recommend(&lib, json!({"stage": "Needs-Analysis "}), json!([]));
    assert!(got.is_empty());
    let got = recommend(&lib, json!({"stage": "  Discovery"}), json!([]));
    assert_eq!(ids(&got, |r| &r.asset_id), ["a1"]);
    assert_eq!(
        super::library::tag_key(" Needs  Analysis-x_y"),
        "needs_analysis_x_y"
    );
    // An unknown language matches nothing.
    assert!(recommend(
        &lib,
        json!({"stage": "proposal", "language": "de"}),
        json!([])
    )
    .is_empty());
}

#[test]
fn reasons_add_up_to_the_score() {
    let lib = small();
    let got = recommend(
        &lib,
        json!({"stage": "proposal", "industry": "HEALTHCARE", "as_of": "2026-07-31"}),
        json!([{"asset_id": "a3", "uses": 8, "effectiveness": 0.5},
               {"asset_id": "a2", "uses": 1}]),
    );
    // a2 expired on 2026-06-01; a3 has the stage, no date, the most uses and effectiveness;
    // a1 only the industry and some freshness.
    assert_eq!(ids(&got, |r| &r.asset_id), ["a3", "a1"]);
    let r = &got[0];
    let kinds: Vec<ReasonKind> = r.reasons.iter().map(|x| x.kind).collect();
    assert_eq!(
        kinds,
        [
            ReasonKind::Stage,
            ReasonKind::Popularity,
            ReasonKind::Effectiveness
        ]
    );
    assert_eq!(r.score, 3.0 + 1.0 + 1.0);
    let got = recommend(
        &lib,
        json!({"stage": "discovery", "industry": "healthcare", "as_of": "2026-06-30"}),
        json!([]),
    );
    let r = &got[0];
    // 180 days after 2026-01-01 is 2026-06-30: freshness has halved.
    assert_eq!(r.reasons[2].kind, ReasonKind::Freshness);
    assert_eq!(r.reasons[2].points, 0.5);
    assert_eq!(r.reasons[2].value, Some(180.0));
    assert_eq!(r.reasons[1].matched, ["healthcare"]);
    assert_eq!(r.score, round4(r.reasons.iter().map(|x| x.points).sum()));
}

#[test]
fn bad_usage_and_contexts_are_named() {
    let lib = small();
    let err = lib
        .recommend_json(
            &json!({"stage": "x"}),
            5,
            Some(&json!([{"asset_id": "nope"}])),
        )
        .unwrap_err();
    assert_eq!(
        (err.code(), err.problems()[0].path.as_str()),
        ("not_found", "usage[0].asset_id")
    );
    let err = lib
        .recommend_json(
            &json!({}),
            5,
            Some(&json!([{"asset_id": "a1", "effectiveness": 2}, {"asset_id": "a1"}])),
        )
        .unwrap_err();
    let paths: Vec<&str> = err.problems().iter().map(|p| p.path.as_str()).collect();
    assert_eq!(paths, ["usage[0].effectiveness", "usage[1].asset_id"]);
    let err = lib
        .recommend_json(&json!({"stage": 3}), 5, None)
        .unwrap_err();
    assert_eq!(err.code(), "parse");
    assert_eq!(err.problems()[0].path, "context.stage");
    let err = lib
        .recommend_json(&json!({"deal_size": 1}), 5, None)
        .unwrap_err();
    assert_eq!(err.problems()[0].path, "context.deal_size");
}

#[test]
fn the_sample_library_searches_and_recommends() {
    let world = generate(&SampleOptions {
        content: 400,
        ..SampleOptions::default()
    });
    let mut lib = ContentLibrary::new(world.content.clone()).unwrap();
    let hits = lib
        .search("case study pipeline", &SearchFilters::default(), 10)
        .unwrap();
    assert_eq!(hits.len(), 10);
    assert!(hits.windows(2).all(|w| w[0].score >= w[1].score));
    assert!(hits.iter().all(|h| h.snippet.contains("**")));
    // Removing and adding back every other asset changes nothing.
    let before = lib
        .search("routing forecast", &SearchFilters::default(), 50)
        .unwrap();
    let removed: Vec<ContentAsset> = world
        .content
        .iter()
        .step_by(2)
        .map(|a| lib.remove(a.id.as_str()).unwrap())
        .collect();
    for a in removed.into_iter().rev() {
        lib.add(a).unwrap();
    }
    assert_eq!(
        before,
        lib.search("routing forecast", &SearchFilters::default(), 50)
            .unwrap()
    );
    let ctx = DealContext {
        stage: world.content[0].tags.stages.first().cloned(),
        language: Some("en".into()),
        as_of: Some(day("2026-06-30")),
        ..DealContext::default()
    };
    // Pruning by the bound never changes the best: the top 5 are the first 5 of all.
    let usage: Vec<AssetUsage> = world
        .content
        .iter()
        .step_by(3)
        .enumerate()
        .map(|(i, a)| AssetUsage {
            asset_id: a.id.as_str().to_string(),
            uses: i as u64 % 7,
            effectiveness: Some((i % 5) as f64 / 4.0 - 0.5),
        })
        .collect();
    for ctx in [
        ctx.clone(),
        DealContext {
            industry: world.content[1].tags.industries.first().cloned(),
            personas: world.content[2].tags.personas.clone(),
            ..ctx.clone()
        },
    ] {
        for u in [&[][..], &usage[..]] {
            let all = lib.recommend(&ctx, 1000, u).unwrap();
            assert!(all.len() > 5);
            assert_eq!(lib.recommend(&ctx, 5, u).unwrap(), all[..5]);
        }
    }
    for r in lib.recommend(&ctx, 20, &[]).unwrap() {
        let a = lib.get(&r.asset_id).unwrap();
        assert_eq!(a.status, AssetStatus::Published);
        assert!(a.expires_at.is_none_or(|e| e > day("2026-06-30")));
        assert!(a.tags.languages.iter().any(|l| l == "en"));
    }
}
