//! Recommendations for a deal (docs/content.md, "Recommendations"): the published, current,
//! right-language assets ranked by the deal's tags they match, their freshness, their use and
//! their measured effectiveness, each with the reasons behind its score.
//!
//! Candidates come from the tag index (the assets carrying one of the deal's tag values), so a
//! recommendation costs what the matching assets cost, not the library's size. One function
//! ([`points`]) computes an asset's points for ranking and for its reasons alike, so the reasons
//! always add up to the score shown.
//!
//! Must never let a draft, archived, expired (on `as_of`) or wrong-language asset through.

use super::library::{
    check_limit, unknown_asset, ContentLibrary, INDUSTRIES, LANGUAGES, PERSONAS, PRODUCTS, REGIONS,
    STAGES,
};
use super::round4;
use super::search::{current_on, Best, Ranked};
use crate::error::{Error, Problems, Result};
use crate::model::{AssetStatus, AssetType, ContentAsset};
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

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
pub struct Reason {
    pub kind: ReasonKind,
    pub points: f64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
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

/// The deal's tags as tag ids per kind (values no asset carries have no id and match nothing).
struct Wanted {
    ids: [Vec<u32>; 5],
    language: Option<Option<u32>>,
    any_tag: bool,
}

/// Usage by slot (only the assets the usage names): uses and effectiveness, and the most uses
/// of all.
struct Signals {
    by_slot: HashMap<u32, (u64, Option<f64>)>,
    max_uses: u64,
}

impl Signals {
    fn of(&self, slot: u32) -> (u64, Option<f64>) {
        self.by_slot.get(&slot).copied().unwrap_or((0, None))
    }
}

impl ContentLibrary {
    /// The best `limit` assets for the deal in `context`, best first (score, then asset id).
    /// `usage` gives uses and effectiveness per asset (each asset at most once; unknown ids are
    /// `not_found` at `usage[i].asset_id`). Docs: docs/content.md, "Recommendations".
    pub fn recommend(
        &self,
        context: &DealContext,
        limit: i64,
        usage: &[AssetUsage],
    ) -> Result<Vec<Recommendation>> {
        let limit = check_limit(limit)?;
        let signals = self.signals(usage)?;
        let wanted = self.wanted(context);
        let mut mask = vec![0u8; if wanted.any_tag { self.slot_count() } else { 0 }];
        let mut touched = Vec::new();
        for (kind, ids) in wanted.ids.iter().enumerate() {
            for &id in ids {
                for &slot in self.tags.slots(tag_kind(kind), id) {
                    let m = &mut mask[slot as usize];
                    if *m == 0 {
                        touched.push(slot);
                    }
                    *m |= 1 << kind;
                }
            }
        }
        let mut best = Best::new(limit);
        // The most points an asset can get beyond its tags: a bound that lets an asset whose
        // tags cannot lift it into the best be skipped before its dates and freshness are read.
        // Candidates are visited by tag points, highest first, so the bound bites early.
        let extra = if context.as_of.is_some() {
            FRESHNESS_POINTS
        } else {
            0.0
        } + if signals.by_slot.is_empty() {
            0.0
        } else {
            POPULARITY_POINTS + EFFECTIVENESS_POINTS
        };
        let mut consider = |slot: u32, m: u8| {
            if let Some(worst) = best.worst_when_full() {
                // 0.001: far above any rounding of the sums compared.
                if tag_points(m) + extra + 0.001 < worst {
                    return;
                }
            }
            let Some(asset) = self.slot(slot) else { return };
            if !self.eligible(slot, asset, context, &wanted) {
                return;
            }
            let score = total(&points(asset, slot, m, context, &signals));
            best.offer(
                Ranked {
                    score,
                    id: asset.id.as_str(),
                    slot,
                },
                || true,
            );
        };
        if wanted.any_tag {
            // Masks sorted by their tag points, highest first (stable: slot order within).
            touched.sort_by(|a, b| {
                tag_points(mask[*b as usize]).total_cmp(&tag_points(mask[*a as usize]))
            });
            for &slot in &touched {
                consider(slot, mask[slot as usize]);
            }
        } else {
            for slot in 0..self.slot_count() as u32 {
                consider(slot, 0);
            }
        }
        Ok(best
            .into_sorted()
            .into_iter()
            .map(|r| {
                let asset = self.slot(r.slot).expect("ranked slots hold assets");
                let m = if wanted.any_tag {
                    mask[r.slot as usize]
                } else {
                    0
                };
                let p = points(asset, r.slot, m, context, &signals);
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
        Wanted {
            ids: [
                one(STAGES, &c.stage),
                one(INDUSTRIES, &c.industry),
                many(PERSONAS, &c.personas),
                many(PRODUCTS, &c.products),
                one(REGIONS, &c.region),
            ],
            language: c.language.as_ref().map(|l| self.tags.id(LANGUAGES, l)),
            any_tag,
        }
    }

    /// Published, current on `as_of` (when given), and in the deal's language (when given).
    fn eligible(&self, slot: u32, a: &ContentAsset, c: &DealContext, w: &Wanted) -> bool {
        a.status == AssetStatus::Published
            && c.as_of.is_none_or(|d| current_on(a, d))
            && match w.language {
                None => true,
                Some(None) => false,
                Some(Some(id)) => self.tags.of(slot, LANGUAGES).contains(&id),
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
/// a deal tag of kind k.
fn points(a: &ContentAsset, slot: u32, mask: u8, c: &DealContext, s: &Signals) -> [f64; 8] {
    let mut p = [0.0; 8];
    for (k, w) in TAG_POINTS.iter().enumerate() {
        if mask & (1 << k) != 0 {
            p[k] = *w;
        }
    }
    debug_assert_eq!(p[..5].iter().sum::<f64>(), tag_points(mask));
    if let (Some(day), Some(published)) = (c.as_of, a.published_at) {
        let age = (day - published).num_days().max(0) as f64;
        p[5] = round4(FRESHNESS_POINTS * 0.5f64.powf(age / FRESHNESS_HALF_LIFE_DAYS));
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
