//! Recommendations for a deal (docs/content.md, "Recommendations"): the published, current,
//! right-language assets ranked by the deal's tags they match, their freshness, their use and
//! their measured effectiveness, each with the reasons behind its score.
//!
//! Candidates come from the tag index (the assets carrying one of the deal's tag values, newest
//! first), combination of tags by combination, best first, and the walk stops as soon as what is
//! left cannot reach the worst kept; a candidate's status, dates and tags are read from dense
//! per-slot records, not from the asset. One function ([`points`]) computes an asset's points
//! for ranking and for its reasons alike, so the reasons always add up to the score shown.
//!
//! Must never let a draft, archived, expired (on `as_of`) or wrong-language asset through.

use super::library::{
    check_limit, day_number, unknown_asset, ContentLibrary, Dated, SlotFacts, INDUSTRIES,
    LANGUAGES, PERSONAS, PRODUCTS, REGIONS, STAGES,
};
use super::round4;
use super::search::{Best, Ranked};
use crate::error::{Error, Problems, Result};
use crate::model::{AssetStatus, AssetType, ContentAsset};
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::OnceLock;

/// Points of a deal tag the asset carries, in the order of [`ReasonKind`]'s tag kinds.
pub const TAG_POINTS: [f64; 5] = [3.0, 2.0, 1.5, 1.5, 1.0];
/// Points of a brand-new asset; they halve every [`FRESHNESS_HALF_LIFE_DAYS`].
pub const FRESHNESS_POINTS: f64 = 1.0;
pub const FRESHNESS_HALF_LIFE_DAYS: f64 = 180.0;
/// Points of the most used asset of the usage given; others get `ln(1 + uses) / ln(1 + max)` of it.
pub const POPULARITY_POINTS: f64 = 1.0;
/// Points per unit of effectiveness (a number in [-1, 1]).
pub const EFFECTIVENESS_POINTS: f64 = 2.0;

/// The deal an asset is recommended for. Every field is optional; tags compare without case.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DealContext {
    #[serde(default)]
    pub stage: Option<String>,
    #[serde(default)]
    pub industry: Option<String>,
    #[serde(default)]
    pub personas: Vec<String>,
    #[serde(default)]
    pub products: Vec<String>,
    #[serde(default)]
    pub region: Option<String>,
    /// When given, only assets tagged with this language are recommended.
    #[serde(default)]
    pub language: Option<String>,
    /// The day of the recommendation: assets not yet published or expired on it are left out,
    /// and freshness counts from it. Without it, neither dates nor freshness are considered.
    /// A date, or an RFC 3339 instant (its UTC day).
    #[serde(default, deserialize_with = "crate::model::day_or_instant")]
    pub as_of: Option<NaiveDate>,
}

/// What is known of an asset's use (for example from content analytics): how often it was
/// used, and how much it helps win, from -1 (hurts) to 1.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AssetUsage {
    pub asset_id: String,
    #[serde(default)]
    pub uses: u64,
    #[serde(default)]
    pub effectiveness: Option<f64>,
}

/// Why an asset scored: one reason per kind that gave points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(rename = "RecommendationReasonKind")]
pub enum ReasonKind {
    Stage,
    Industry,
    Persona,
    Product,
    Region,
    Freshness,
    Popularity,
    Effectiveness,
}

const KINDS: [ReasonKind; 8] = [
    ReasonKind::Stage,
    ReasonKind::Industry,
    ReasonKind::Persona,
    ReasonKind::Product,
    ReasonKind::Region,
    ReasonKind::Freshness,
    ReasonKind::Popularity,
    ReasonKind::Effectiveness,
];

/// One reason: its kind, its points (rounded to 4 decimals), the deal tags it matched (tag
/// reasons) or the number behind it (`value`: age in days, uses, effectiveness).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[schemars(rename = "RecommendationReason")]
pub struct Reason {
    pub kind: ReasonKind,
    pub points: f64,
    /// Absent when the reason matched no tag.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub matched: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
}

/// One recommended asset; `score` is the sum of its reasons' points, rounded to 4 decimals.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Recommendation {
    pub asset_id: String,
    pub title: String,
    #[serde(rename = "type")]
    pub asset_type: AssetType,
    pub score: f64,
    pub reasons: Vec<Reason>,
}

/// The deal's tags as tag ids per kind (values no asset carries have no id and match nothing),
/// each kind's ids below 64 also as bits (see [`super::library::TagIndex`]).
struct Wanted {
    ids: [Vec<u32>; 5],
    bits: [u64; 5],
    more: [Vec<u32>; 5],
    language: Option<Option<u32>>,
    any_tag: bool,
}

impl Wanted {
    /// Bit k: the asset in `slot` carries a deal tag of kind k.
    fn mask(&self, library: &ContentLibrary, slot: u32) -> u8 {
        let mut m = 0;
        for k in 0..5 {
            if library
                .tags
                .carries_any(slot, tag_kind(k), self.bits[k], &self.more[k])
            {
                m |= 1 << k;
            }
        }
        m
    }
}

/// Usage by slot (only the assets the usage names): uses and effectiveness, and the most uses
/// of all.
struct Signals {
    by_slot: HashMap<u32, (u64, Option<f64>)>,
    max_uses: u64,
}

impl Signals {
    fn of(&self, slot: u32) -> (u64, Option<f64>) {
        if self.by_slot.is_empty() {
            return (0, None);
        }
        self.by_slot.get(&slot).copied().unwrap_or((0, None))
    }
}

impl ContentLibrary {
    /// The best `limit` assets for the deal in `context`, best first (score, then asset id).
    /// `usage` gives uses and effectiveness per asset (each asset at most once; unknown ids are
    /// `not_found` at `usage[i].asset_id`). Docs: docs/content.md, "Recommendations".
    ///
    /// Candidates are visited by their tag points, highest first: for each combination of the
    /// deal's tag kinds (a mask), best first, the assets matching exactly that combination are
    /// drawn from the shortest tag list of the combination. Once the worst kept recommendation
    /// is above what a combination's tags plus every other reason could give, no later
    /// combination can enter and the walk stops. Eligibility, freshness and the tags of a
    /// candidate are read from dense per-slot facts and bits, not from the asset.
    pub fn recommend<'a>(
        &'a self,
        context: &DealContext,
        limit: i64,
        usage: &[AssetUsage],
    ) -> Result<Vec<Recommendation>> {
        let limit = check_limit(limit)?;
        let signals = self.signals(usage)?;
        let wanted = self.wanted(context);
        let language = match wanted.language {
            None => None,
            Some(None) => return Ok(Vec::new()),
            Some(Some(id)) => Some(id),
        };
        let as_of = context.as_of.map(day_number);
        let mut best = Best::new(limit);
        // The most points an asset can get beyond its tags: once the worst kept is above what a
        // combination of tags plus this can give, no asset with that combination can enter.
        let extra = if as_of.is_some() {
            FRESHNESS_POINTS
        } else {
            0.0
        } + if signals.by_slot.is_empty() {
            0.0
        } else {
            POPULARITY_POINTS + EFFECTIVENESS_POINTS
        };
        let consider = |best: &mut Best<'a>, slot: u32, m: u8| {
            let facts = &self.facts[slot as usize];
            let eligible = facts.live
                && facts.status == AssetStatus::Published
                && as_of.is_none_or(|d| facts.current_on(d))
                && language.is_none_or(|l| self.tags.carries(slot, LANGUAGES, l));
            if !eligible {
                return;
            }
            let score = total(&points(facts, slot, m, as_of, &signals));
            if best.worst_when_full().is_some_and(|w| score < w) {
                return;
            }
            let Some(asset) = self.slot(slot) else { return };
            best.offer(
                Ranked {
                    score,
                    id: asset.id.as_str(),
                    slot,
                },
                || true,
            );
        };
        // Tag lists are newest first, so along a list freshness never grows: once an asset's
        // tags, its freshness and the most usage can give (0.001: far above any rounding of the
        // sums compared) stay below the worst kept, so do those of every later one.
        let usage_most = extra
            - if as_of.is_some() {
                FRESHNESS_POINTS
            } else {
                0.0
            };
        let hopeless = |best: &Best<'a>, day: i32, m: u8| {
            best.worst_when_full().is_some_and(|worst| {
                let fresh = match as_of {
                    Some(d) if day != i32::MIN => freshness(d.saturating_sub(day).max(0)),
                    _ => 0.0,
                };
                tag_points(m) + fresh + usage_most + 0.001 < worst
            })
        };
        // Assets published after `as_of` are not current: they lead the newest-first lists.
        let current = |list: &'a [Dated]| -> &'a [Dated] {
            match as_of {
                Some(d) => &list[list.partition_point(|&(p, _)| p > d)..],
                None => list,
            }
        };
        if wanted.any_tag {
            let kinds: u8 = (0..5)
                .filter(|&k| !wanted.ids[k].is_empty())
                .fold(0, |m, k| m | 1 << k);
            let mut masks: Vec<u8> = (1..32u8).filter(|m| m & !kinds == 0).collect();
            masks.sort_by(|a, b| tag_points(*b).total_cmp(&tag_points(*a)));
            let length = |k: usize| -> usize {
                wanted.ids[k]
                    .iter()
                    .map(|&id| self.tags.slots(tag_kind(k), id).len())
                    .sum()
            };
            for m in masks {
                if let Some(worst) = best.worst_when_full() {
                    if tag_points(m) + extra + 0.001 < worst {
                        break;
                    }
                }
                let driver = (0..5)
                    .filter(|&k| m & (1 << k) != 0)
                    .min_by_key(|&k| length(k))
                    .expect("a mask names a kind");
                let ids = &wanted.ids[driver];
                for (i, &id) in ids.iter().enumerate() {
                    for &(day, slot) in current(self.tags.slots(tag_kind(driver), id)) {
                        if hopeless(&best, day, m) {
                            break;
                        }
                        // An asset with several of the deal's values of this kind is drawn once,
                        // from the list of the first of them.
                        let drawn_before = ids[..i]
                            .iter()
                            .any(|&e| self.tags.carries(slot, tag_kind(driver), e));
                        if !drawn_before && wanted.mask(self, slot) == m {
                            consider(&mut best, slot, m);
                        }
                    }
                }
            }
        } else {
            for &(day, slot) in current(self.tags.every()) {
                if hopeless(&best, day, 0) {
                    break;
                }
                consider(&mut best, slot, 0);
            }
        }
        Ok(best
            .into_sorted()
            .into_iter()
            .map(|r| {
                let asset = self.slot(r.slot).expect("ranked slots hold assets");
                let m = if wanted.any_tag {
                    wanted.mask(self, r.slot)
                } else {
                    0
                };
                let facts = &self.facts[r.slot as usize];
                let p = points(facts, r.slot, m, as_of, &signals);
                Recommendation {
                    asset_id: r.id.to_string(),
                    title: asset.title.clone(),
                    asset_type: asset.asset_type,
                    score: r.score,
                    reasons: reasons(asset, &p, m, context, &signals, r.slot),
                }
            })
            .collect())
    }

    fn wanted(&self, c: &DealContext) -> Wanted {
        let one = |kind: usize, v: &Option<String>| -> Vec<u32> {
            v.iter().filter_map(|v| self.tags.id(kind, v)).collect()
        };
        let many = |kind: usize, v: &[String]| -> Vec<u32> {
            let mut ids: Vec<u32> = v.iter().filter_map(|v| self.tags.id(kind, v)).collect();
            ids.sort_unstable();
            ids.dedup();
            ids
        };
        let any_tag = c.stage.is_some()
            || c.industry.is_some()
            || !c.personas.is_empty()
            || !c.products.is_empty()
            || c.region.is_some();
        let ids = [
            one(STAGES, &c.stage),
            one(INDUSTRIES, &c.industry),
            many(PERSONAS, &c.personas),
            many(PRODUCTS, &c.products),
            one(REGIONS, &c.region),
        ];
        let bits = std::array::from_fn(|k| {
            ids[k]
                .iter()
                .filter(|&&id| id < 64)
                .fold(0u64, |b, &id| b | 1 << id)
        });
        let more = std::array::from_fn(|k| ids[k].iter().copied().filter(|&id| id >= 64).collect());
        Wanted {
            ids,
            bits,
            more,
            language: c.language.as_ref().map(|l| self.tags.id(LANGUAGES, l)),
            any_tag,
        }
    }

    fn signals(&self, usage: &[AssetUsage]) -> Result<Signals> {
        let mut out = Problems::new();
        let mut by_slot = HashMap::with_capacity(usage.len());
        let mut max_uses = 0;
        for (i, u) in usage.iter().enumerate() {
            let at = format!("usage[{i}]");
            if let Some(e) = u.effectiveness {
                if !(-1.0..=1.0).contains(&e) {
                    out.push(
                        format!("{at}.effectiveness"),
                        "out_of_range",
                        format!("effectiveness is between -1 and 1, not {e}"),
                    );
                }
            }
            match self.slot_of(&u.asset_id) {
                None => {
                    return Err(unknown_asset(&format!("{at}.asset_id"), &u.asset_id));
                }
                Some(s) if by_slot.contains_key(&s) => out.push(
                    format!("{at}.asset_id"),
                    "duplicate_id",
                    format!("asset `{}` is given twice", u.asset_id),
                ),
                Some(s) => {
                    by_slot.insert(s, (u.uses, u.effectiveness));
                    max_uses = max_uses.max(u.uses);
                }
            }
        }
        out.into_result(Error::Validation)?;
        Ok(Signals { by_slot, max_uses })
    }
}

/// The tag index kind of a deal tag kind (0 stage .. 4 region).
fn tag_kind(k: usize) -> usize {
    [STAGES, INDUSTRIES, PERSONAS, PRODUCTS, REGIONS][k]
}

/// An asset's points per reason kind, each rounded to 4 decimals; `mask` bit k: the asset carries
/// a deal tag of kind k; `as_of` the deal's day number.
fn points(f: &SlotFacts, slot: u32, mask: u8, as_of: Option<i32>, s: &Signals) -> [f64; 8] {
    let mut p = [0.0; 8];
    for (k, w) in TAG_POINTS.iter().enumerate() {
        if mask & (1 << k) != 0 {
            p[k] = *w;
        }
    }
    debug_assert_eq!(p[..5].iter().sum::<f64>(), tag_points(mask));
    if let (Some(day), true) = (as_of, f.has_published) {
        p[5] = freshness(day.saturating_sub(f.published).max(0));
    }
    let (uses, effectiveness) = s.of(slot);
    if uses > 0 {
        p[6] = round4(POPULARITY_POINTS * (uses as f64).ln_1p() / (s.max_uses as f64).ln_1p());
    }
    if let Some(e) = effectiveness {
        p[7] = round4(EFFECTIVENESS_POINTS * e);
    }
    p
}

/// Freshness points of an asset `age` days old: `round4(0.5 ^ (age / 180))`, from a table for
/// the first 8192 days (a recommendation computes it for every candidate; `powf` is the cost).
fn freshness(age: i32) -> f64 {
    fn points(age: i32) -> f64 {
        round4(FRESHNESS_POINTS * 0.5f64.powf(f64::from(age) / FRESHNESS_HALF_LIFE_DAYS))
    }
    static TABLE: OnceLock<Vec<f64>> = OnceLock::new();
    let table = TABLE.get_or_init(|| (0..8192).map(points).collect());
    usize::try_from(age)
        .ok()
        .and_then(|a| table.get(a).copied())
        .unwrap_or_else(|| points(age))
}

/// The tag points of a mask, summed in reason order (as [`total`] sums them).
fn tag_points(mask: u8) -> f64 {
    TAG_POINTS
        .iter()
        .enumerate()
        .filter(|(k, _)| mask & (1 << k) != 0)
        .map(|(_, w)| w)
        .sum()
}

fn total(p: &[f64; 8]) -> f64 {
    round4(p.iter().sum())
}

fn reasons(
    a: &ContentAsset,
    p: &[f64; 8],
    mask: u8,
    c: &DealContext,
    s: &Signals,
    slot: u32,
) -> Vec<Reason> {
    let t = &a.tags;
    let matched = |values: &[String], wanted: &[&String]| -> Vec<String> {
        values
            .iter()
            .filter(|v| {
                wanted
                    .iter()
                    .any(|w| super::library::tag_key(w) == super::library::tag_key(v))
            })
            .cloned()
            .collect()
    };
    fn one(o: &Option<String>) -> Vec<&String> {
        o.iter().collect()
    }
    let lists: [Vec<String>; 5] = [
        matched(&t.stages, &one(&c.stage)),
        matched(&t.industries, &one(&c.industry)),
        matched(&t.personas, &c.personas.iter().collect::<Vec<_>>()),
        matched(&t.products, &c.products.iter().collect::<Vec<_>>()),
        matched(&t.regions, &one(&c.region)),
    ];
    let (uses, effectiveness) = s.of(slot);
    let mut out = Vec::new();
    for (k, kind) in KINDS.iter().enumerate() {
        let (matched, value) = match k {
            0..=4 if mask & (1 << k) != 0 => (lists[k].clone(), None),
            5 => match (c.as_of, a.published_at) {
                (Some(day), Some(published)) => {
                    (Vec::new(), Some((day - published).num_days().max(0) as f64))
                }
                _ => continue,
            },
            6 if uses > 0 => (Vec::new(), Some(uses as f64)),
            7 if effectiveness.is_some() => (Vec::new(), effectiveness),
            _ => continue,
        };
        out.push(Reason {
            kind: *kind,
            points: p[k],
            matched,
            value,
        });
    }
    out
}
