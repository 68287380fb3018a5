//! Behaviour of the content library, search and recommendations a user would notice.

use super::text::Word;
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

/// The documented search and recommendation computed the slow way, from the assets alone:
/// every asset analysed again, every score summed term by term in query order, every filter
/// and eligibility rule checked on every asset, a full sort. The pruned walks must give exactly
/// this (ids, scores to the bit, order) for every query and context.
struct Reference {
    assets: Vec<ContentAsset>,
    /// Per asset, the terms of title, description and body.
    fields: Vec<[Vec<String>; 3]>,
}

impl Reference {
    fn of(lib: &ContentLibrary) -> Reference {
        let assets: Vec<ContentAsset> = lib.assets().into_iter().cloned().collect();
        let fields = assets
            .iter()
            .map(|a| {
                [
                    text::terms(&a.title),
                    text::terms(a.description.as_deref().unwrap_or("")),
                    text::terms(a.body.as_deref().unwrap_or("")),
                ]
            })
            .collect();
        Reference { assets, fields }
    }

    fn search(&self, query: &str, f: &SearchFilters, limit: usize) -> Vec<(String, f64)> {
        use super::search::{B, FIELD_BOOSTS, K1};
        let q = super::search::parse_query(query).unwrap();
        let n = self.assets.len();
        let has = |i: usize, t: &String| self.fields[i].iter().any(|fl| fl.contains(t));
        let mut avg = [1.0; 3];
        for (k, a) in avg.iter_mut().enumerate() {
            let total: usize = self.fields.iter().map(|fl| fl[k].len()).sum();
            if total > 0 {
                *a = total as f64 / n.max(1) as f64;
            }
        }
        let tags = |a: &ContentAsset, kind: usize, wanted: &[String]| {
            wanted.is_empty()
                || super::library::tags_of(a)[kind].iter().any(|v| {
                    wanted
                        .iter()
                        .any(|w| super::library::tag_key(w) == super::library::tag_key(v))
                })
        };
        let mut hits = Vec::new();
        for (i, a) in self.assets.iter().enumerate() {
            let status_ok = if f.statuses.is_empty() {
                a.status == AssetStatus::Published
            } else {
                f.statuses.contains(&a.status)
            };
            let accepted = status_ok
                && (f.types.is_empty() || f.types.contains(&a.asset_type))
                && f.as_of.is_none_or(|d| {
                    a.published_at.is_none_or(|p| p <= d) && a.expires_at.is_none_or(|e| e > d)
                })
                && tags(a, 0, &f.stages)
                && tags(a, 1, &f.personas)
                && tags(a, 2, &f.industries)
                && tags(a, 3, &f.products)
                && tags(a, 4, &f.regions)
                && tags(a, 5, &f.languages);
            if !accepted || q.exclude.iter().any(|t| has(i, t)) {
                continue;
            }
            if q.include.is_empty() {
                hits.push((a.id.as_str().to_string(), 0.0));
                continue;
            }
            if !q.include.iter().any(|t| has(i, t)) {
                continue;
            }
            let mut score = 0.0;
            for t in &q.include {
                if !has(i, t) {
                    continue;
                }
                let df = (0..n).filter(|&j| has(j, t)).count() as f64;
                let idf = (1.0 + (n as f64 - df + 0.5) / (df + 0.5)).ln();
                let mut x = 0.0;
                for (k, fl) in self.fields[i].iter().enumerate() {
                    let tf = fl.iter().filter(|w| *w == t).count();
                    if tf > 0 {
                        let norm = 1.0 - B + B * fl.len() as f64 / avg[k];
                        x += FIELD_BOOSTS[k] * tf as f64 / norm;
                    }
                }
                score += idf * x / (K1 + x);
            }
            hits.push((a.id.as_str().to_string(), round4(score)));
        }
        hits.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        hits.truncate(limit);
        hits
    }

    fn recommend(&self, c: &DealContext, limit: usize, usage: &[AssetUsage]) -> Vec<(String, f64)> {
        use super::recommend::{FRESHNESS_HALF_LIFE_DAYS, TAG_POINTS};
        let key = super::library::tag_key;
        let max_uses = usage.iter().map(|u| u.uses).max().unwrap_or(0);
        let mut out = Vec::new();
        for a in &self.assets {
            let t = &a.tags;
            let any = |values: &[String], wanted: &[String]| {
                values
                    .iter()
                    .any(|v| wanted.iter().any(|w| key(w) == key(v)))
            };
            let one = |o: &Option<String>| o.iter().cloned().collect::<Vec<_>>();
            let eligible = a.status == AssetStatus::Published
                && c.as_of.is_none_or(|d| {
                    a.published_at.is_none_or(|p| p <= d) && a.expires_at.is_none_or(|e| e > d)
                })
                && c.language
                    .as_ref()
                    .is_none_or(|l| any(&t.languages, std::slice::from_ref(l)));
            let matched = [
                any(&t.stages, &one(&c.stage)),
                any(&t.industries, &one(&c.industry)),
                any(&t.personas, &c.personas),
                any(&t.products, &c.products),
                any(&t.regions, &one(&c.region)),
            ];
            let named = c.stage.is_some()
                || c.industry.is_some()
                || !c.personas.is_empty()
                || !c.products.is_empty()
                || c.region.is_some();
            if !eligible || (named && !matched.contains(&true)) {
                continue;
            }
            let mut p = [0.0; 8];
            for k in 0..5 {
                if matched[k] {
                    p[k] = TAG_POINTS[k];
                }
            }
            if let (Some(day), Some(published)) = (c.as_of, a.published_at) {
                let age = (day - published).num_days().max(0) as f64;
                p[5] = round4(0.5f64.powf(age / FRESHNESS_HALF_LIFE_DAYS));
            }
            if let Some(u) = usage.iter().find(|u| u.asset_id == a.id.as_str()) {
                if u.uses > 0 {
                    p[6] = round4((u.uses as f64).ln_1p() / (max_uses as f64).ln_1p());
                }
                if let Some(e) = u.effectiveness {
                    p[7] = round4(2.0 * e);
                }
            }
            out.push((a.id.as_str().to_string(), round4(p.iter().sum())));
        }
        out.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        out.truncate(limit);
        out
    }
}

/// A small deterministic generator (an LCG): the sweep is the same on every run.
struct Draw(u64);

impl Draw {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % n.max(1)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

fn random_query(d: &mut Draw, lib: &Reference) -> String {
    let mut words: Vec<String> = Vec::new();
    for _ in 0..1 + d.below(4) {
        let a = d.pick(&lib.assets);
        let text = match d.below(3) {
            0 => a.title.clone(),
            1 => a.description.clone().unwrap_or_default(),
            _ => a.body.clone().unwrap_or_default(),
        };
        let all: Vec<&str> = text.split_whitespace().collect();
        if all.is_empty() {
            continue;
        }
        let w = *d.pick(&all);
        words.push(match d.below(8) {
            0 => format!("-{w}"),
            1 => "the".to_string(),
            2 => "zzunknown".to_string(),
            _ => w.to_string(),
        });
    }
    words.join(" ")
}

fn random_filters(d: &mut Draw, lib: &Reference) -> SearchFilters {
    let a = d.pick(&lib.assets);
    let mut f = SearchFilters::default();
    match d.below(6) {
        0 => f.stages = a.tags.stages.clone(),
        1 => f.statuses = vec![AssetStatus::Draft, AssetStatus::Archived],
        2 => f.as_of = Some(day("2026-03-01")),
        3 => {
            f.types = vec![a.asset_type];
            f.languages = vec!["EN".into()];
        }
        _ => {}
    }
    f
}

fn random_context(d: &mut Draw, lib: &Reference) -> DealContext {
    let a = d.pick(&lib.assets).tags.clone();
    let b = d.pick(&lib.assets).tags.clone();
    let mut c = DealContext::default();
    if d.below(4) > 0 {
        c.stage = a.stages.first().cloned();
    }
    if d.below(2) > 0 {
        c.industry = b.industries.first().cloned();
    }
    if d.below(2) > 0 {
        c.personas = a.personas.iter().chain(&b.personas).cloned().collect();
    }
    if d.below(3) == 0 {
        c.products = b.products.clone();
    }
    if d.below(3) == 0 {
        c.region = a.regions.first().cloned();
    }
    if d.below(3) > 0 {
        let languages = ["en", "fr", "de", "xx"];
        c.language = Some(d.pick(&languages[..]).to_string());
    }
    if d.below(4) > 0 {
        let days = ["2025-06-30", "2026-01-15", "2026-06-30"];
        let on: &&str = d.pick(&days);
        c.as_of = Some(day(on));
    }
    c
}

#[test]
fn pruned_search_and_recommendations_equal_the_exhaustive_ones_through_changes() {
    let world = generate(&SampleOptions {
        content: 240,
        ..SampleOptions::default()
    });
    let mut d = Draw(11);
    let mut lib = ContentLibrary::new(world.content.clone()).unwrap();
    let mut away: Vec<ContentAsset> = Vec::new();
    for round in 0..6 {
        let reference = Reference::of(&lib);
        for _ in 0..40 {
            let q = random_query(&mut d, &reference);
            let f = random_filters(&mut d, &reference);
            let limit = *d.pick(&[1, 3, 10, 25, 1000][..]);
            let hits = lib.search(&q, &f, limit as i64).unwrap();
            let include = super::search::parse_query(&q).unwrap().include;
            for h in &hits {
                let asset = lib.get(&h.asset_id).unwrap();
                assert_eq!(h.snippet, reference_snippet(asset, &include), "{q:?}");
            }
            let got: Vec<(String, f64)> = hits.into_iter().map(|h| (h.asset_id, h.score)).collect();
            assert_eq!(
                got,
                reference.search(&q, &f, limit),
                "round {round}: {q:?} {f:?}"
            );
        }
        for _ in 0..30 {
            let c = random_context(&mut d, &reference);
            let usage: Vec<AssetUsage> = if d.below(2) == 0 {
                Vec::new()
            } else {
                (0..d.below(30))
                    .map(|_| d.below(reference.assets.len()))
                    .collect::<std::collections::BTreeSet<_>>()
                    .into_iter()
                    .map(|i| AssetUsage {
                        asset_id: reference.assets[i].id.as_str().to_string(),
                        uses: (i % 9) as u64,
                        effectiveness: (i % 3 > 0).then_some((i % 7) as f64 / 3.0 - 1.0),
                    })
                    .collect()
            };
            let limit = *d.pick(&[1, 5, 20][..]);
            let got: Vec<(String, f64)> = lib
                .recommend(&c, limit as i64, &usage)
                .unwrap()
                .into_iter()
                .map(|r| (r.asset_id, r.score))
                .collect();
            assert_eq!(
                got,
                reference.recommend(&c, limit, &usage),
                "round {round}: {c:?}"
            );
        }
        // Changes: remove some, update some with another asset's text and status, add back
        // some removed earlier (slots are reused, so slot order drifts from id order).
        for _ in 0..15 {
            let ids: Vec<String> = lib
                .assets()
                .iter()
                .map(|a| a.id.as_str().to_string())
                .collect();
            match d.below(3) {
                0 if ids.len() > 20 => {
                    let id: &String = d.pick(&ids);
                    away.push(lib.remove(id).unwrap());
                }
                1 => {
                    let (one, two): (&String, &String) = (d.pick(&ids), d.pick(&ids));
                    let mut a = lib.get(one).unwrap().clone();
                    let other = lib.get(two).unwrap().clone();
                    a.title = other.title;
                    a.body = other.body;
                    a.status = other.status;
                    a.tags.languages = other.tags.languages;
                    lib.update(a).unwrap();
                }
                _ => {
                    if !away.is_empty() {
                        let i = d.below(away.len());
                        lib.add(away.swap_remove(i)).unwrap();
                    }
                }
            }
        }
    }
}

/// The documented snippet, every word of every field analysed on its own (the search
/// remembers words across a search's hits; this must be what it gives).
fn reference_snippet(asset: &ContentAsset, include: &[String]) -> String {
    let [title, description, body] = [
        asset.title.as_str(),
        asset.description.as_deref().unwrap_or(""),
        asset.body.as_deref().unwrap_or(""),
    ];
    let mut best: Option<(usize, &str, Vec<Word>, usize)> = None;
    for field in [description, body, title] {
        if field.trim().is_empty() {
            continue;
        }
        let words = text::words(field);
        if words.is_empty() {
            continue;
        }
        let (start, count) = reference_window(&words, include);
        if best.as_ref().is_none_or(|b| count > b.0) {
            best = Some((count, field, words, start));
        }
    }
    let Some((_, field, words, start)) = best else {
        return String::new();
    };
    super::search::render_snippet(field, words.len(), start, |i| {
        let w = &words[i];
        (
            w.start,
            w.end,
            w.term.as_ref().is_some_and(|t| include.contains(t)),
        )
    })
}

/// The first window of [`super::search::SNIPPET_WORDS`] words holding the most distinct terms of `include`:
/// (its first word, how many).
fn reference_window(words: &[Word], include: &[String]) -> (usize, usize) {
    let term_at = |i: usize| {
        words[i]
            .term
            .as_ref()
            .and_then(|t| include.iter().position(|q| q == t))
    };
    let mut best = (0, 0);
    let last_start = words.len().saturating_sub(super::search::SNIPPET_WORDS);
    for start in 0..=last_start {
        let mut seen = 0u64;
        for i in start..(start + super::search::SNIPPET_WORDS).min(words.len()) {
            if let Some(q) = term_at(i) {
                seen |= 1 << q;
            }
        }
        let count = seen.count_ones() as usize;
        if count > best.1 {
            best = (start, count);
        }
    }
    // Show a little context before the first match rather than a window that ends on it: move
    // the start right (no match is lost, as none lies before the first) to at most
    // 4 words before it, while the window still fills up.
    if best.1 > 0 {
        let first = (best.0..words.len())
            .find(|&i| term_at(i).is_some())
            .unwrap_or(best.0);
        best.0 = first
            .saturating_sub(4)
            .clamp(best.0, last_start.max(best.0));
    }
    best
}
