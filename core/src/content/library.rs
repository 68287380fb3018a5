//! The content library: validated assets by id, with the search index and the tag index kept
//! in step on every add, update and remove.
//!
//! Assets live in slots (a removed asset's slot is reused by the next add); both indexes address
//! assets by slot. Listing is by asset id, never by slot, so the order never depends on history.

use super::search::{Index, WordCache};
use super::{recommend, search, MAX_LIMIT};
use crate::error::{Error, Problem, Problems, Result};
use crate::model::read::{self, collect};
use crate::model::validate::{validate_list, Context, Validate};
use crate::model::{AssetStatus, ContentAsset};
use chrono::{Datelike, NaiveDate};
use serde_json::Value;
use std::collections::HashMap;

/// The tag kinds, in the order of [`crate::model::ContentTags`]' fields.
pub(crate) const TAG_KINDS: [&str; 6] = [
    "stages",
    "personas",
    "industries",
    "products",
    "regions",
    "languages",
];
pub(crate) const STAGES: usize = 0;
pub(crate) const PERSONAS: usize = 1;
pub(crate) const INDUSTRIES: usize = 2;
pub(crate) const PRODUCTS: usize = 3;
pub(crate) const REGIONS: usize = 4;
pub(crate) const LANGUAGES: usize = 5;

/// The tag values of an asset, by kind.
pub(crate) fn tags_of(asset: &ContentAsset) -> [&[String]; 6] {
    let t = &asset.tags;
    [
        &t.stages,
        &t.personas,
        &t.industries,
        &t.products,
        &t.regions,
        &t.languages,
    ]
}

/// Tags compare without case, and runs of spaces, hyphens and underscores are one separator:
/// `"Needs Analysis"`, `"needs-analysis"` and `"needs_analysis"` are one tag, so a deal's stage
/// or an account's industry as a CRM spells it matches the tag as the library spells it.
pub(crate) fn tag_key(value: &str) -> String {
    let mut key = String::with_capacity(value.len());
    for part in value
        .split(|c: char| c.is_whitespace() || c == '-' || c == '_')
        .filter(|p| !p.is_empty())
    {
        if !key.is_empty() {
            key.push('_');
        }
        key.extend(part.chars().flat_map(char::to_lowercase));
    }
    key
}

/// A slot in a tag list, with its publication day number (`i32::MIN` without one): lists are
/// kept newest first (then by slot), so a recommendation meets candidates in descending order of
/// freshness and can stop at the first that could no longer enter.
pub(crate) type Dated = (i32, u32);

/// Where `(day, slot)` belongs in a list kept newest first, then by slot.
fn dated_position(list: &[Dated], day: i32, slot: u32) -> usize {
    list.partition_point(|&(d, s)| d > day || (d == day && s < slot))
}

/// Tag values as small ids per kind, the slots carrying each (newest first), every slot in use
/// (newest first), and each slot's ids (as bits for ids below 64, so a recommendation tests a
/// candidate's tags without reading the asset).
#[derive(Default)]
pub(crate) struct TagIndex {
    ids: [HashMap<String, u32>; 6],
    slots_of: [Vec<Vec<Dated>>; 6],
    every: Vec<Dated>,
    /// Per slot and kind, bit `id` set for each tag id below 64 the slot carries.
    bits: Vec<[u64; 6]>,
    /// Per slot, the tag ids from 64 on, by kind (only slots with such ids have an entry).
    more: HashMap<u32, [Vec<u32>; 6]>,
}

impl TagIndex {
    /// The id of a tag value of `kind`, if any asset ever carried it.
    pub(crate) fn id(&self, kind: usize, value: &str) -> Option<u32> {
        self.ids[kind].get(&tag_key(value)).copied()
    }

    /// The slots carrying tag `id` of `kind`, newest first.
    pub(crate) fn slots(&self, kind: usize, id: u32) -> &[Dated] {
        &self.slots_of[kind][id as usize]
    }

    /// Every slot in use, newest first.
    pub(crate) fn every(&self) -> &[Dated] {
        &self.every
    }

    /// Whether the asset in `slot` carries tag `id` of `kind`.
    pub(crate) fn carries(&self, slot: u32, kind: usize, id: u32) -> bool {
        if id < 64 {
            self.bits
                .get(slot as usize)
                .is_some_and(|b| b[kind] & (1 << id) != 0)
        } else {
            self.more.get(&slot).is_some_and(|m| m[kind].contains(&id))
        }
    }

    /// Whether the asset in `slot` carries any of `wanted` (its ids below 64 as `bits`, the
    /// others listed in `more`) of `kind`.
    pub(crate) fn carries_any(&self, slot: u32, kind: usize, bits: u64, more: &[u32]) -> bool {
        self.bits
            .get(slot as usize)
            .is_some_and(|b| b[kind] & bits != 0)
            || more.iter().any(|&id| self.carries(slot, kind, id))
    }

    /// Adds the asset in `slot` to the lists; `bulk`: appended, for [`TagIndex::sort`] to
    /// order once the whole library is in (a build would otherwise shift the lists per asset).
    fn add(&mut self, slot: u32, asset: &ContentAsset, bulk: bool) {
        let s = slot as usize;
        if self.bits.len() <= s {
            self.bits.resize(s + 1, [0; 6]);
        }
        let day = asset.published_at.map_or(i32::MIN, day_number);
        let put = |list: &mut Vec<Dated>| {
            let at = if bulk {
                list.len()
            } else {
                dated_position(list, day, slot)
            };
            list.insert(at, (day, slot));
        };
        put(&mut self.every);
        for (kind, values) in tags_of(asset).into_iter().enumerate() {
            for v in values {
                let next = self.ids[kind].len() as u32;
                let id = *self.ids[kind].entry(tag_key(v)).or_insert(next);
                if id == next {
                    self.slots_of[kind].push(Vec::new());
                }
                if self.carries(slot, kind, id) {
                    continue;
                }
                put(&mut self.slots_of[kind][id as usize]);
                if id < 64 {
                    self.bits[s][kind] |= 1 << id;
                } else {
                    self.more.entry(slot).or_default()[kind].push(id);
                }
            }
        }
    }

    /// Orders every list newest first, then by slot (after a bulk build).
    fn sort(&mut self) {
        let newest_first = |a: &Dated, b: &Dated| b.0.cmp(&a.0).then(a.1.cmp(&b.1));
        self.every.sort_unstable_by(newest_first);
        for list in self.slots_of.iter_mut().flatten() {
            list.sort_unstable_by(newest_first);
        }
    }

    fn remove(&mut self, slot: u32) {
        let bits = std::mem::take(&mut self.bits[slot as usize]);
        let more = self.more.remove(&slot).unwrap_or_default();
        for kind in 0..TAG_KINDS.len() {
            let low = (0..64u32).filter(|id| bits[kind] & (1 << id) != 0);
            for id in low.chain(more[kind].iter().copied()) {
                self.slots_of[kind][id as usize].retain(|&(_, s)| s != slot);
            }
        }
        self.every.retain(|&(_, s)| s != slot);
    }

    fn bytes(&self) -> usize {
        let ids: usize = self.ids.iter().map(|m| m.capacity() * 40).sum();
        let postings: usize = self
            .slots_of
            .iter()
            .flatten()
            .map(|v| 24 + v.capacity() * 8)
            .sum();
        let more: usize = self
            .more
            .values()
            .flatten()
            .map(|v| 24 + v.capacity() * 4)
            .sum();
        ids + postings
            + self.every.capacity() * 8
            + self.bits.capacity() * 48
            + self.more.capacity() * 8
            + more
    }
}

/// What recommendations check of every candidate, kept dense by slot so that checking does not
/// read the asset: its status and its dates as day numbers (days from the common era).
#[derive(Debug, Clone, Copy)]
pub(crate) struct SlotFacts {
    pub(crate) live: bool,
    pub(crate) status: AssetStatus,
    /// `published_at`, or `i32::MIN` (no restriction) without one.
    pub(crate) published: i32,
    /// `expires_at`, or `i32::MAX` without one.
    pub(crate) expires: i32,
    pub(crate) has_published: bool,
}

impl SlotFacts {
    const VACANT: SlotFacts = SlotFacts {
        live: false,
        status: AssetStatus::Draft,
        published: i32::MIN,
        expires: i32::MAX,
        has_published: false,
    };

    fn of(asset: &ContentAsset) -> SlotFacts {
        SlotFacts {
            live: true,
            status: asset.status,
            published: asset.published_at.map_or(i32::MIN, day_number),
            expires: asset.expires_at.map_or(i32::MAX, day_number),
            has_published: asset.published_at.is_some(),
        }
    }

    /// Current on `day` (a day number): published on or before it, not expired on it.
    pub(crate) fn current_on(&self, day: i32) -> bool {
        self.published <= day && day < self.expires
    }
}

/// A date as a day number (days from the common era), which orders and subtracts like the date.
pub(crate) fn day_number(d: NaiveDate) -> i32 {
    d.num_days_from_ce()
}

/// A validated, indexed set of content assets, unique by id. Send + Sync: share it between
/// threads for searching; changes need `&mut`.
pub struct ContentLibrary {
    slots: Vec<Option<ContentAsset>>,
    by_id: HashMap<String, u32>,
    free: Vec<u32>,
    pub(crate) index: Index,
    pub(crate) tags: TagIndex,
    pub(crate) facts: Vec<SlotFacts>,
}

const _: () = {
    const fn send_sync<T: Send + Sync>() {}
    send_sync::<ContentLibrary>();
};

impl std::fmt::Debug for ContentLibrary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContentLibrary")
            .field("assets", &self.len())
            .finish_non_exhaustive()
    }
}

/// The value rules of one asset beyond its model's: tag values are not blank.
fn check_asset(asset: &ContentAsset, path: &str, out: &mut Problems) {
    asset.validate(&Context { pipeline: None }, path, out);
    for (kind, values) in TAG_KINDS.iter().zip(tags_of(asset)) {
        for (j, v) in values.iter().enumerate() {
            if v.trim().is_empty() {
                out.push(
                    crate::error::join_path(path, &format!("tags.{kind}[{j}]")),
                    "blank_tag",
                    format!("a value of tags.{kind} is blank"),
                );
            }
        }
    }
}

impl ContentLibrary {
    /// A library of `assets`; every problem is reported (`validation`, paths `[i].title`,
    /// `[i].expires_at`, `[i].id` for a `duplicate_id`, `[i].tags.stages[j]` for a `blank_tag`).
    pub fn new(assets: Vec<ContentAsset>) -> Result<ContentLibrary> {
        let mut out = Problems::new();
        validate_list(&assets, &Context { pipeline: None }, "", &mut out);
        for (i, a) in assets.iter().enumerate() {
            let mut mine = Problems::new();
            check_asset(a, "", &mut mine);
            // The model's own rules were reported by validate_list; keep only the tag rules.
            out.extend(
                mine.into_vec()
                    .into_iter()
                    .filter(|p| p.code == "blank_tag")
                    .map(|p| p.under(&format!("[{i}]"))),
            );
        }
        let mut problems = out.into_vec();
        problems.sort_by_key(|p| index_of(&p.path));
        if !problems.is_empty() {
            return Err(Error::Validation(problems));
        }
        let mut library = ContentLibrary {
            slots: Vec::with_capacity(assets.len()),
            by_id: HashMap::with_capacity(assets.len()),
            free: Vec::new(),
            index: Index::default(),
            tags: TagIndex::default(),
            facts: Vec::with_capacity(assets.len()),
        };
        // One cache for the whole build: a word seen before is neither folded nor stemmed again.
        let mut words = WordCache::default();
        for a in assets {
            library.insert(a, &mut words, true);
        }
        library.tags.sort();
        library.prepare_search();
        Ok(library)
    }

    /// From a wire-format list; problems are reported under `assets` (`assets[3].published_at`).
    pub fn from_json(assets: &Value) -> Result<ContentLibrary> {
        let list: Vec<ContentAsset> = read::list(assets, "assets")?;
        ContentLibrary::new(list).map_err(|e| e.under("assets"))
    }

    fn insert(&mut self, asset: ContentAsset, words: &mut WordCache, bulk: bool) {
        let slot = match self.free.pop() {
            Some(s) => s,
            None => {
                self.slots.push(None);
                self.facts.push(SlotFacts::VACANT);
                (self.slots.len() - 1) as u32
            }
        };
        self.index.add(slot, &asset, words);
        self.tags.add(slot, &asset, bulk);
        self.facts[slot as usize] = SlotFacts::of(&asset);
        self.by_id.insert(asset.id.as_str().to_string(), slot);
        self.slots[slot as usize] = Some(asset);
    }

    /// Adds an asset; `conflict` (`duplicate_id` at `id`) when its id is taken, `validation`
    /// for its values (paths relative to the asset).
    pub fn add(&mut self, asset: ContentAsset) -> Result<()> {
        let mut out = Problems::new();
        check_asset(&asset, "", &mut out);
        out.into_result(Error::Validation)?;
        if self.by_id.contains_key(asset.id.as_str()) {
            return Err(Error::Conflict(vec![Problem::new(
                "id",
                "duplicate_id",
                format!("the library already has an asset `{}`", asset.id.as_str()),
            )]));
        }
        self.insert(asset, &mut WordCache::default(), false);
        Ok(())
    }

    /// Replaces the asset with the same id; `not_found` (`unknown_asset` at `id`) when there is
    /// none, `validation` for its values.
    pub fn update(&mut self, asset: ContentAsset) -> Result<()> {
        let mut out = Problems::new();
        check_asset(&asset, "", &mut out);
        out.into_result(Error::Validation)?;
        self.take(asset.id.as_str(), "id")?;
        self.insert(asset, &mut WordCache::default(), false);
        Ok(())
    }

    /// Removes the asset `id` and returns it; `not_found` (`unknown_asset` at `asset_id`).
    pub fn remove(&mut self, id: &str) -> Result<ContentAsset> {
        self.take(id, "asset_id")
    }

    fn take(&mut self, id: &str, path: &str) -> Result<ContentAsset> {
        let slot = self
            .by_id
            .remove(id)
            .ok_or_else(|| unknown_asset(path, id))?;
        self.index.remove(slot);
        self.tags.remove(slot);
        self.facts[slot as usize] = SlotFacts::VACANT;
        self.free.push(slot);
        Ok(self.slots[slot as usize]
            .take()
            .expect("an indexed slot holds its asset"))
    }

    /// The asset `id`, if the library has it.
    pub fn get(&self, id: &str) -> Option<&ContentAsset> {
        self.by_id.get(id).and_then(|&s| self.slot(s))
    }

    /// Every asset, by id.
    pub fn assets(&self) -> Vec<&ContentAsset> {
        let mut all: Vec<&ContentAsset> = self.slots.iter().flatten().collect();
        all.sort_by(|a, b| a.id.as_str().cmp(b.id.as_str()));
        all
    }

    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// The asset in `slot`, if the slot is in use.
    pub(crate) fn slot(&self, slot: u32) -> Option<&ContentAsset> {
        self.slots.get(slot as usize).and_then(Option::as_ref)
    }

    pub(crate) fn slot_of(&self, id: &str) -> Option<u32> {
        self.by_id.get(id).copied()
    }

    /// The slots in use, by asset id.
    pub(crate) fn slots_by_id(&self) -> Vec<u32> {
        let mut live: Vec<(&str, u32)> = self
            .slots
            .iter()
            .enumerate()
            .filter_map(|(s, a)| a.as_ref().map(|a| (a.id.as_str(), s as u32)))
            .collect();
        live.sort_unstable();
        live.into_iter().map(|(_, s)| s).collect()
    }

    /// Bytes held by the search and tag indexes and the id map (capacities; the assets
    /// themselves not counted): what the benches report as index memory.
    pub fn index_bytes(&self) -> usize {
        self.index.bytes()
            + self.tags.bytes()
            + self.facts.capacity() * std::mem::size_of::<SlotFacts>()
            + self.by_id.capacity() * 40
            + self.free.capacity() * 4
    }

    // JSON level: what the bindings call.

    /// Adds an asset given as JSON (problems under `asset`: `asset.id`, `asset.title`).
    pub fn add_json(&mut self, asset: &Value) -> Result<()> {
        let asset = parse_asset(asset)?;
        self.add(asset).map_err(|e| e.under("asset"))
    }

    /// Replaces an asset given as JSON (problems under `asset`).
    pub fn update_json(&mut self, asset: &Value) -> Result<()> {
        let asset = parse_asset(asset)?;
        self.update(asset).map_err(|e| e.under("asset"))
    }

    /// Removes an asset and returns it as JSON.
    pub fn remove_json(&mut self, id: &str) -> Result<Value> {
        self.remove(id).map(|a| to_value(&a))
    }

    /// The asset `id` as JSON; `not_found` (`unknown_asset` at `asset_id`).
    pub fn get_json(&self, id: &str) -> Result<Value> {
        self.get(id)
            .map(to_value)
            .ok_or_else(|| unknown_asset("asset_id", id))
    }

    /// Every asset as JSON, by id.
    pub fn assets_json(&self) -> Value {
        to_value(&self.assets())
    }

    /// Search with JSON filters (problems under `filters`); hits as JSON.
    pub fn search_json(&self, query: &str, filters: Option<&Value>, limit: i64) -> Result<Value> {
        let filters = match filters {
            None | Some(Value::Null) => search::SearchFilters::default(),
            Some(f) => crate::api::parse(f).map_err(|e| e.under("filters"))?,
        };
        self.search(query, &filters, limit).map(|h| to_value(&h))
    }

    /// Recommendations for a JSON deal context (problems under `context`) and optional usage
    /// signals (a list, problems under `usage[i]`); recommendations as JSON.
    pub fn recommend_json(
        &self,
        context: &Value,
        limit: i64,
        usage: Option<&Value>,
    ) -> Result<Value> {
        let mut problems = Vec::new();
        let context: Option<recommend::DealContext> = collect(
            crate::api::parse(context).map_err(|e| e.under("context")),
            &mut problems,
        );
        let usage: Option<Vec<recommend::AssetUsage>> = match usage {
            None | Some(Value::Null) => Some(Vec::new()),
            Some(u) => collect(read::list(u, "usage"), &mut problems),
        };
        match (context, usage) {
            (Some(c), Some(u)) if problems.is_empty() => {
                self.recommend(&c, limit, &u).map(|r| to_value(&r))
            }
            _ => Err(Error::Parse(problems)),
        }
    }
}

fn parse_asset(asset: &Value) -> Result<ContentAsset> {
    crate::api::parse(asset).map_err(|e| e.under("asset"))
}

pub(crate) fn unknown_asset(path: &str, id: &str) -> Error {
    Error::NotFound(vec![Problem::new(
        path,
        "unknown_asset",
        format!("the library has no asset `{id}`"),
    )])
}

/// `limit` is between 1 and [`MAX_LIMIT`]; else `validation` (`invalid_limit` at `limit`).
pub(crate) fn check_limit(limit: i64) -> Result<usize> {
    if (1..=MAX_LIMIT).contains(&limit) {
        Ok(limit as usize)
    } else {
        Err(Error::Validation(vec![Problem::new(
            "limit",
            "invalid_limit",
            format!("limit must be between 1 and {MAX_LIMIT}, not {limit}"),
        )]))
    }
}

/// The list index a problem path starts with (`[3].title` -> 3), so problems read in list order.
fn index_of(path: &str) -> usize {
    path.strip_prefix('[')
        .and_then(|p| p.split(']').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

fn to_value<T: serde::Serialize + ?Sized>(x: &T) -> Value {
    serde_json::to_value(x).expect("content results serialise")
}
