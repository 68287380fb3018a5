//! Full-text search over a content library (docs/content.md, "Search"): an inverted index of
//! title, description and body terms, ranked by BM25F, filtered by tags, type, status and dates,
//! with a snippet per hit that marks the matched words.
//!
//! Hot path: a query's terms are looked up once; scores accumulate in a per-thread buffer indexed
//! by slot, in query-term order for every asset (so the sum, and its bits, never depend on the
//! order postings are stored in); a bounded heap keeps the best `limit` hits, and the filters are
//! checked only for an asset that would enter the heap. Snippets are cut for the returned hits
//! only.

use super::library::{check_limit, ContentLibrary};
use super::text::{self, Word};
use super::{round4, MAX_QUERY_CHARS, MAX_QUERY_TERMS};
use crate::error::{Error, Problem, Result};
use crate::model::{AssetStatus, AssetType, ContentAsset};
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};

/// The indexed fields, in the order of [`FIELD_BOOSTS`].
const FIELDS: usize = 3;
/// BM25F weights of title, description and body.
pub const FIELD_BOOSTS: [f64; FIELDS] = [3.0, 1.5, 1.0];
/// BM25 term-frequency saturation.
pub const K1: f64 = 1.2;
/// BM25 length normalisation, the same for every field.
pub const B: f64 = 0.75;
/// Words a snippet shows at most.
pub const SNIPPET_WORDS: usize = 24;

/// What to search among. Every list left empty (or out) does not restrict; within a list any
/// value matches (tags compare without case), and the lists must all match.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchFilters {
    #[serde(default)]
    pub stages: Vec<String>,
    #[serde(default)]
    pub personas: Vec<String>,
    #[serde(default)]
    pub industries: Vec<String>,
    #[serde(default)]
    pub products: Vec<String>,
    #[serde(default)]
    pub regions: Vec<String>,
    #[serde(default)]
    pub languages: Vec<String>,
    /// Asset types; empty: every type.
    #[serde(default)]
    pub types: Vec<AssetType>,
    /// Statuses; empty: `published` only.
    #[serde(default)]
    pub statuses: Vec<AssetStatus>,
    /// When given, assets not yet published on that day (`published_at` after it) and expired
    /// ones (`expires_at` on or before it) are left out. Without it, dates are not checked.
    /// A date, or an RFC 3339 instant (its UTC day).
    #[serde(default, deserialize_with = "crate::model::day_or_instant")]
    pub as_of: Option<NaiveDate>,
}

/// One search result.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct SearchHit {
    pub asset_id: String,
    pub title: String,
    #[serde(rename = "type")]
    pub asset_type: AssetType,
    /// BM25F score rounded to 4 decimals; 0 for a query with no searched term.
    pub score: f64,
    /// Up to 24 words of the description, body or title with the matched words in `**`.
    pub snippet: String,
}

#[derive(Debug, Clone, Copy, Default)]
struct Posting {
    slot: u32,
    tf: [u16; FIELDS],
}

/// The inverted index: term -> postings, and each slot's field lengths and terms.
#[derive(Default)]
pub(crate) struct Index {
    terms: HashMap<String, u32>,
    postings: Vec<Vec<Posting>>,
    lengths: Vec<[u32; FIELDS]>,
    slot_terms: Vec<Vec<u32>>,
    live: u32,
    total_length: [u64; FIELDS],
}

fn fields_of(asset: &ContentAsset) -> [&str; FIELDS] {
    [
        asset.title.as_str(),
        asset.description.as_deref().unwrap_or(""),
        asset.body.as_deref().unwrap_or(""),
    ]
}

impl Index {
    pub(crate) fn add(&mut self, slot: u32, asset: &ContentAsset) {
        let s = slot as usize;
        if self.lengths.len() <= s {
            self.lengths.resize(s + 1, [0; FIELDS]);
            self.slot_terms.resize_with(s + 1, Vec::new);
        }
        let mut counts: HashMap<String, [u16; FIELDS]> = HashMap::new();
        let mut length = [0u32; FIELDS];
        for (f, field) in fields_of(asset).into_iter().enumerate() {
            text::for_each_term(field, |t| {
                let c = counts.entry(t).or_default();
                c[f] = c[f].saturating_add(1);
                length[f] = length[f].saturating_add(1);
            });
        }
        let mut mine = Vec::with_capacity(counts.len());
        for (term, tf) in counts {
            let next = self.terms.len() as u32;
            let id = *self.terms.entry(term).or_insert(next);
            if id == next {
                self.postings.push(Vec::new());
            }
            self.postings[id as usize].push(Posting { slot, tf });
            mine.push(id);
        }
        for (f, l) in length.iter().enumerate() {
            self.total_length[f] += u64::from(*l);
        }
        self.lengths[s] = length;
        self.slot_terms[s] = mine;
        self.live += 1;
    }

    pub(crate) fn remove(&mut self, slot: u32) {
        let s = slot as usize;
        for id in std::mem::take(&mut self.slot_terms[s]) {
            self.postings[id as usize].retain(|p| p.slot != slot);
        }
        for f in 0..FIELDS {
            self.total_length[f] -= u64::from(self.lengths[s][f]);
        }
        self.lengths[s] = [0; FIELDS];
        self.live -= 1;
    }

    pub(crate) fn bytes(&self) -> usize {
        let terms: usize = self.terms.keys().map(|k| 48 + k.capacity()).sum();
        let postings: usize = self
            .postings
            .iter()
            .map(|p| 24 + p.capacity() * std::mem::size_of::<Posting>())
            .sum();
        let slots: usize = self.slot_terms.iter().map(|t| 24 + t.capacity() * 4).sum();
        terms + postings + slots + self.lengths.capacity() * 12
    }

    /// BM25 idf of a term in `df` of the library's assets: `ln(1 + (N - df + 0.5) / (df + 0.5))`.
    fn idf(&self, df: usize) -> f64 {
        let n = f64::from(self.live);
        let df = df as f64;
        (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
    }

    fn average_lengths(&self) -> [f64; FIELDS] {
        let n = f64::from(self.live.max(1));
        let mut avg = [1.0; FIELDS];
        for (a, total) in avg.iter_mut().zip(self.total_length) {
            if total > 0 {
                *a = total as f64 / n;
            }
        }
        avg
    }
}

/// A query taken apart: the distinct terms to rank by and the terms to exclude, in order.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Query {
    pub(crate) include: Vec<String>,
    pub(crate) exclude: Vec<String>,
}

/// Reads a query (docs/content.md, "Queries"): words are analysed like asset text; a word right
/// after a `-` that starts the query or follows white space is excluded; every other character
/// (quotes, `*`, `:`, brackets) only separates words.
pub(crate) fn parse_query(query: &str) -> Result<Query> {
    let chars = query.chars().count();
    if chars > MAX_QUERY_CHARS {
        return Err(Error::Validation(vec![Problem::new(
            "query",
            "query_too_long",
            format!("a query has at most {MAX_QUERY_CHARS} characters, this one has {chars}"),
        )]));
    }
    let mut q = Query::default();
    for Word { start, term, .. } in text::words(query) {
        let Some(term) = term else { continue };
        let before = &query[..start];
        let excluded = before
            .strip_suffix('-')
            .is_some_and(|rest| rest.chars().next_back().is_none_or(|c| c.is_whitespace()));
        let list = if excluded {
            &mut q.exclude
        } else {
            &mut q.include
        };
        if !list.contains(&term) {
            list.push(term);
        }
    }
    q.include.retain(|t| !q.exclude.contains(t));
    let distinct = q.include.len() + q.exclude.len();
    if distinct > MAX_QUERY_TERMS {
        return Err(Error::Validation(vec![Problem::new(
            "query",
            "too_many_terms",
            format!(
                "a query has at most {MAX_QUERY_TERMS} distinct terms, this one has {distinct}"
            ),
        )]));
    }
    Ok(q)
}

/// Filters compiled against the tag index: per tag kind, the accepted tag ids (None: any).
struct Compiled<'f> {
    tags: Vec<(usize, Vec<u32>)>,
    filters: &'f SearchFilters,
}

impl<'f> Compiled<'f> {
    fn new(library: &ContentLibrary, filters: &'f SearchFilters) -> Compiled<'f> {
        let lists = [
            &filters.stages,
            &filters.personas,
            &filters.industries,
            &filters.products,
            &filters.regions,
            &filters.languages,
        ];
        let tags = lists
            .iter()
            .enumerate()
            .filter(|(_, values)| !values.is_empty())
            .map(|(kind, values)| {
                let ids = values
                    .iter()
                    .filter_map(|v| library.tags.id(kind, v))
                    .collect();
                (kind, ids)
            })
            .collect();
        Compiled { tags, filters }
    }

    fn accepts(&self, library: &ContentLibrary, slot: u32, asset: &ContentAsset) -> bool {
        let f = self.filters;
        let status_ok = if f.statuses.is_empty() {
            asset.status == AssetStatus::Published
        } else {
            f.statuses.contains(&asset.status)
        };
        status_ok
            && (f.types.is_empty() || f.types.contains(&asset.asset_type))
            && f.as_of.is_none_or(|d| current_on(asset, d))
            && self.tags.iter().all(|(kind, ids)| {
                library
                    .tags
                    .of(slot, *kind)
                    .iter()
                    .any(|id| ids.contains(id))
            })
    }
}

/// Published on or before `day` (or without a date) and not expired: `expires_at` after `day`.
pub(crate) fn current_on(asset: &ContentAsset, day: NaiveDate) -> bool {
    asset.published_at.is_none_or(|p| p <= day) && asset.expires_at.is_none_or(|e| e > day)
}

/// A ranked candidate: higher score first, then smaller asset id. `Ord` puts the worse one
/// greater, so a max-heap keeps the worst of the best on top.
pub(crate) struct Ranked<'a> {
    pub(crate) score: f64,
    pub(crate) id: &'a str,
    pub(crate) slot: u32,
}

impl Ord for Ranked<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .score
            .total_cmp(&self.score)
            .then_with(|| self.id.cmp(other.id))
    }
}
impl PartialOrd for Ranked<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl PartialEq for Ranked<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Ranked<'_> {}

/// The best `limit` of candidates, best first; `accepts` is asked only of a candidate that
/// would enter.
pub(crate) struct Best<'a> {
    heap: BinaryHeap<Ranked<'a>>,
    limit: usize,
}

impl<'a> Best<'a> {
    pub(crate) fn new(limit: usize) -> Self {
        Best {
            heap: BinaryHeap::with_capacity(limit + 1),
            limit,
        }
    }

    pub(crate) fn offer(&mut self, c: Ranked<'a>, accepts: impl FnOnce() -> bool) {
        if self.heap.len() == self.limit && self.heap.peek().is_some_and(|worst| c >= *worst) {
            return;
        }
        if accepts() {
            self.heap.push(c);
            if self.heap.len() > self.limit {
                self.heap.pop();
            }
        }
    }

    /// The score of the worst kept candidate, once `limit` are kept.
    pub(crate) fn worst_when_full(&self) -> Option<f64> {
        (self.heap.len() == self.limit)
            .then(|| self.heap.peek().map(|w| w.score))
            .flatten()
    }

    pub(crate) fn into_sorted(self) -> Vec<Ranked<'a>> {
        self.heap.into_sorted_vec()
    }
}

/// Per-thread accumulators, reused from query to query.
#[derive(Default)]
struct Scratch {
    score: Vec<f64>,
    /// Bit i: the asset has include term i; bit 63: it has an excluded term.
    mask: Vec<u64>,
    touched: Vec<u32>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::default();
}

const EXCLUDED: u64 = 1 << 63;

impl ContentLibrary {
    /// Ranks the assets matching `query` among those `filters` accept; at most `limit` hits,
    /// best first (score, then asset id). Docs: docs/content.md, "Search".
    pub fn search(
        &self,
        query: &str,
        filters: &SearchFilters,
        limit: i64,
    ) -> Result<Vec<SearchHit>> {
        let limit = check_limit(limit)?;
        let query = parse_query(query)?;
        let compiled = Compiled::new(self, filters);
        let ranked = SCRATCH.with(|s| {
            let mut s = s.borrow_mut();
            self.rank(&query, &compiled, limit, &mut s)
        });
        Ok(ranked
            .into_iter()
            .map(|r| {
                let asset = self.slot(r.slot).expect("ranked slots hold assets");
                SearchHit {
                    asset_id: r.id.to_string(),
                    title: asset.title.clone(),
                    asset_type: asset.asset_type,
                    score: r.score,
                    snippet: snippet(asset, &query.include),
                }
            })
            .collect())
    }

    fn rank<'a>(
        &'a self,
        query: &Query,
        filters: &Compiled<'_>,
        limit: usize,
        s: &mut Scratch,
    ) -> Vec<Ranked<'a>> {
        let n = self.slot_count();
        if s.score.len() < n {
            s.score.resize(n, 0.0);
            s.mask.resize(n, 0);
        }
        let index = &self.index;
        let avg = index.average_lengths();
        for (i, term) in query.include.iter().enumerate() {
            let Some(&id) = index.terms.get(term) else {
                continue;
            };
            let postings = &index.postings[id as usize];
            let idf = index.idf(postings.len());
            for p in postings {
                let slot = p.slot as usize;
                let len = &index.lengths[slot];
                let mut tf = 0.0;
                for f in 0..FIELDS {
                    if p.tf[f] > 0 {
                        let norm = 1.0 - B + B * f64::from(len[f]) / avg[f];
                        tf += FIELD_BOOSTS[f] * f64::from(p.tf[f]) / norm;
                    }
                }
                if s.mask[slot] == 0 {
                    s.touched.push(p.slot);
                }
                s.mask[slot] |= 1 << i;
                s.score[slot] += idf * tf / (K1 + tf);
            }
        }
        for term in &query.exclude {
            if let Some(&id) = index.terms.get(term) {
                for p in &index.postings[id as usize] {
                    let slot = p.slot as usize;
                    if s.mask[slot] == 0 {
                        s.touched.push(p.slot);
                    }
                    s.mask[slot] |= EXCLUDED;
                }
            }
        }
        let mut best = Best::new(limit);
        let mut offer = |slot: u32, score: f64| {
            if let Some(asset) = self.slot(slot) {
                let c = Ranked {
                    score,
                    id: asset.id.as_str(),
                    slot,
                };
                best.offer(c, || filters.accepts(self, slot, asset));
            }
        };
        if query.include.is_empty() {
            // Nothing to rank by: every asset the filters accept, score 0, by id.
            for slot in 0..n as u32 {
                if s.mask[slot as usize] & EXCLUDED == 0 {
                    offer(slot, 0.0);
                }
            }
        } else {
            for &slot in &s.touched {
                let m = s.mask[slot as usize];
                if m & EXCLUDED == 0 && m != 0 {
                    offer(slot, round4(s.score[slot as usize]));
                }
            }
        }
        for &slot in &s.touched {
            s.score[slot as usize] = 0.0;
            s.mask[slot as usize] = 0;
        }
        s.touched.clear();
        best.into_sorted()
    }
}

/// The snippet of a hit: the window of [`SNIPPET_WORDS`] words of the description, body or title
/// with the most distinct query terms (the earliest such window, description first), matched
/// words wrapped in `**`, and `…` where the field was cut. Without a match, the start of the
/// description (or body, or title).
fn snippet(asset: &ContentAsset, include: &[String]) -> String {
    let [title, description, body] = fields_of(asset);
    let mut best: Option<(usize, &str, Vec<Word>, usize)> = None;
    for field in [description, body, title] {
        if field.trim().is_empty() {
            continue;
        }
        let words = text::words(field);
        if words.is_empty() {
            continue;
        }
        let (start, count) = best_window(&words, include);
        if best.as_ref().is_none_or(|b| count > b.0) {
            best = Some((count, field, words, start));
        }
    }
    let Some((_, field, words, start)) = best else {
        return String::new();
    };
    let end = (start + SNIPPET_WORDS).min(words.len());
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    let mut at = words[start].start;
    for w in &words[start..end] {
        out.push_str(&field[at..w.start]);
        let hit = w.term.as_ref().is_some_and(|t| include.contains(t));
        if hit {
            out.push_str("**");
        }
        out.push_str(&field[w.start..w.end]);
        if hit {
            out.push_str("**");
        }
        at = w.end;
    }
    if end < words.len() {
        out.push('…');
    } else {
        // Keep the closing punctuation of the field (a full stop), not trailing space.
        out.push_str(field[at..].trim_end());
    }
    out
}

/// The first window of [`SNIPPET_WORDS`] words holding the most distinct terms of `include`:
/// (its first word, how many).
fn best_window(words: &[Word], include: &[String]) -> (usize, usize) {
    let term_at = |i: usize| {
        words[i]
            .term
            .as_ref()
            .and_then(|t| include.iter().position(|q| q == t))
    };
    let mut best = (0, 0);
    let last_start = words.len().saturating_sub(SNIPPET_WORDS);
    for start in 0..=last_start {
        let mut seen = 0u64;
        for i in start..(start + SNIPPET_WORDS).min(words.len()) {
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
    // SNIPPET_LEAD words before it, while the window still fills up.
    if best.1 > 0 {
        let first = (best.0..words.len())
            .find(|&i| term_at(i).is_some())
            .unwrap_or(best.0);
        best.0 = first
            .saturating_sub(SNIPPET_LEAD)
            .clamp(best.0, last_start.max(best.0));
    }
    best
}

/// Words of context a snippet keeps before its first match when it can.
const SNIPPET_LEAD: usize = 4;
