//! Full-text search over a content library (docs/content.md, "Search"): an inverted index of
//! title, description and body terms, ranked by BM25F, filtered by tags, type, status and dates,
//! with a snippet per hit that marks the matched words.
//!
//! Hot path: the postings carry each posting's BM25F weight under the current statistics
//! (derived again on the first search after a change, since a change moves every weight); a
//! search walks them document at a time in asset id order and skips what cannot enter the best
//! `limit` (MaxScore with block maxima). A hit's score is its weights summed in query-term
//! order, so its bits are those of the formula evaluated term by term, whatever is skipped.
//! Filters are checked only for an asset that would enter; snippets are cut for the returned
//! hits only. Must never return anything but what the exhaustive ranking returns.

use super::library::{check_limit, ContentLibrary};
use super::text::{self, Word};
use super::{round4, MAX_QUERY_CHARS, MAX_QUERY_TERMS};
use crate::error::{Error, Problem, Result};
use crate::model::{AssetStatus, AssetType, ContentAsset};
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};
use std::sync::OnceLock;

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

/// One asset's terms with their occurrences per field, packed: for each term, by term id, the
/// gap from the previous term id and the three counts, each as a LEB128 varint (a term usually
/// takes 4 to 6 bytes instead of the 12 of a `(u32, [u16; 3])`). Read when the postings are
/// derived and when the asset leaves, never by a search.
#[derive(Default)]
struct Forward(Box<[u8]>);

impl Forward {
    /// Packs `terms`, which are in increasing term id order.
    fn pack(terms: &[(u32, [u16; FIELDS])]) -> Forward {
        let mut out = Vec::with_capacity(terms.len() * 5);
        let mut previous = 0;
        for &(id, tf) in terms {
            put_varint(&mut out, id - previous);
            previous = id;
            for count in tf {
                put_varint(&mut out, u32::from(count));
            }
        }
        Forward(out.into_boxed_slice())
    }

    /// The terms with their counts, in increasing term id order.
    fn terms(&self) -> impl Iterator<Item = (u32, [u16; FIELDS])> + '_ {
        let bytes = &self.0;
        let (mut at, mut previous) = (0, 0);
        std::iter::from_fn(move || {
            if at >= bytes.len() {
                return None;
            }
            let id = previous + take_varint(bytes, &mut at);
            previous = id;
            let tf = std::array::from_fn(|_| {
                u16::try_from(take_varint(bytes, &mut at)).unwrap_or(u16::MAX)
            });
            Some((id, tf))
        })
    }
}

fn put_varint(out: &mut Vec<u8>, mut x: u32) {
    while x >= 0x80 {
        out.push((x & 0x7f) as u8 | 0x80);
        x >>= 7;
    }
    out.push(x as u8);
}

fn take_varint(bytes: &[u8], at: &mut usize) -> u32 {
    let mut x = 0u32;
    let mut shift = 0;
    while let Some(&b) = bytes.get(*at) {
        *at += 1;
        x |= u32::from(b & 0x7f) << shift;
        if b < 0x80 {
            break;
        }
        shift += 7;
    }
    x
}

/// Raw words already analysed during a build, with their term ids (`None`: a stop word or an
/// over-long word): a word seen once is folded and stemmed once. Held for one build only, so it
/// costs no memory afterwards.
#[derive(Default)]
pub(crate) struct WordCache {
    terms: HashMap<Box<str>, Option<u32>>,
    scratch: String,
}

/// The index of the library's text. What changes with the library is kept per asset (its terms
/// with their counts, its field lengths) together with the collection statistics (N, each
/// term's document frequency, the total field lengths). The postings a search walks, with each
/// posting's BM25F weight under those statistics, are derived from it ([`Postings`]) on the
/// first search after a change, since any change moves N, the averages or a document frequency
/// and so every weight.
#[derive(Default)]
pub(crate) struct Index {
    terms: HashMap<String, u32>,
    /// Assets in the library with each term (any field).
    df: Vec<u32>,
    forward: Vec<Forward>,
    lengths: Vec<[u32; FIELDS]>,
    live: u32,
    total_length: [u64; FIELDS],
    postings: OnceLock<Postings>,
}

/// The inverted index under the current statistics. Documents are numbered by asset id (doc
/// `d` is the `d`-th asset in id order), so walking postings in doc order meets tied scores in
/// the order the ranking breaks ties, and a candidate that only ties the worst kept hit can be
/// dropped without reading its id.
struct Postings {
    /// The slot of each doc.
    slots: Vec<u32>,
    /// Term `t`'s postings are `docs[start[t]..start[t + 1]]` (ascending) and their weights
    /// `weights[..]` alike: `idf(t) · tf'(t, d) / (k1 + tf'(t, d))`, computed exactly as the
    /// documented formula reads, so a sum of them has the formula's bits.
    start: Vec<usize>,
    docs: Vec<u32>,
    weights: Vec<f64>,
    /// The largest weight of each term: its most a term can add to a score.
    max: Vec<f64>,
    /// The largest weight of each block of [`BLOCK`] postings of a term: term `t`'s blocks are
    /// `block_max[block_start[t]..block_start[t + 1]]`, so a walk can skip a block at once.
    block_start: Vec<usize>,
    block_max: Vec<f64>,
}

/// Postings per block of [`Postings::block_max`].
const BLOCK: usize = 64;

fn fields_of(asset: &ContentAsset) -> [&str; FIELDS] {
    [
        asset.title.as_str(),
        asset.description.as_deref().unwrap_or(""),
        asset.body.as_deref().unwrap_or(""),
    ]
}

impl Index {
    pub(crate) fn add(&mut self, slot: u32, asset: &ContentAsset, words: &mut WordCache) {
        let s = slot as usize;
        if self.lengths.len() <= s {
            self.lengths.resize(s + 1, [0; FIELDS]);
            self.forward.resize_with(s + 1, Forward::default);
        }
        let mut seen: Vec<(u32, u8)> = Vec::new();
        let mut length = [0u32; FIELDS];
        for (f, field) in fields_of(asset).into_iter().enumerate() {
            text::for_each_word(field, |word| {
                let id = match words.terms.get(word) {
                    Some(&id) => id,
                    None => {
                        let id = text::term_of(word, &mut words.scratch)
                            .map(|term| intern(&mut self.terms, &mut self.df, term));
                        words.terms.insert(word.into(), id);
                        id
                    }
                };
                if let Some(id) = id {
                    seen.push((id, f as u8));
                    length[f] = length[f].saturating_add(1);
                }
            });
        }
        seen.sort_unstable();
        let mut mine: Vec<(u32, [u16; FIELDS])> = Vec::new();
        for (id, f) in seen {
            if mine.last().is_none_or(|(last, _)| *last != id) {
                mine.push((id, [0; FIELDS]));
                self.df[id as usize] += 1;
            }
            let tf = &mut mine.last_mut().expect("pushed above").1[usize::from(f)];
            *tf = tf.saturating_add(1);
        }
        for (f, l) in length.iter().enumerate() {
            self.total_length[f] += u64::from(*l);
        }
        self.lengths[s] = length;
        self.forward[s] = Forward::pack(&mine);
        self.live += 1;
        self.postings = OnceLock::new();
    }

    pub(crate) fn remove(&mut self, slot: u32) {
        let s = slot as usize;
        for (id, _) in std::mem::take(&mut self.forward[s]).terms() {
            self.df[id as usize] -= 1;
        }
        for f in 0..FIELDS {
            self.total_length[f] -= u64::from(self.lengths[s][f]);
        }
        self.lengths[s] = [0; FIELDS];
        self.live -= 1;
        self.postings = OnceLock::new();
    }

    pub(crate) fn bytes(&self) -> usize {
        let terms: usize = self.terms.keys().map(|k| 48 + k.capacity()).sum();
        let forward: usize = self
            .forward
            .iter()
            .map(|t| std::mem::size_of::<Forward>() + t.0.len())
            .sum();
        let postings = self.postings.get().map_or(0, |p| {
            p.slots.capacity() * 4
                + p.start.capacity() * 8
                + p.docs.capacity() * 4
                + p.weights.capacity() * 8
                + p.max.capacity() * 8
                + p.block_start.capacity() * 8
                + p.block_max.capacity() * 8
        });
        terms + forward + postings + self.df.capacity() * 4 + self.lengths.capacity() * 12
    }

    /// The postings under the current statistics, derived on the first call after a change
    /// (`slots_by_id`: the slots in use, by asset id).
    fn postings(&self, slots_by_id: impl FnOnce() -> Vec<u32>) -> &Postings {
        self.postings.get_or_init(|| self.derive(slots_by_id()))
    }

    /// Builds the postings now (a library does this once built, so its first search is not
    /// slower than the others).
    pub(crate) fn prepare(&self, slots_by_id: impl FnOnce() -> Vec<u32>) {
        self.postings(slots_by_id);
    }

    fn derive(&self, slots: Vec<u32>) -> Postings {
        let mut start = Vec::with_capacity(self.df.len() + 1);
        let mut total = 0usize;
        for &df in &self.df {
            start.push(total);
            total += df as usize;
        }
        start.push(total);
        let avg = self.average_lengths();
        let idf: Vec<f64> = self.df.iter().map(|&df| self.idf(df as usize)).collect();
        let mut docs = vec![0u32; total];
        let mut weights = vec![0.0f64; total];
        let mut max = vec![0.0f64; self.df.len()];
        let mut next = start.clone();
        for (doc, &slot) in slots.iter().enumerate() {
            let len = &self.lengths[slot as usize];
            let norm: [f64; FIELDS] =
                std::array::from_fn(|f| 1.0 - B + B * f64::from(len[f]) / avg[f]);
            for (t, tf) in self.forward[slot as usize].terms() {
                let t = t as usize;
                let mut x = 0.0;
                for f in 0..FIELDS {
                    if tf[f] > 0 {
                        x += FIELD_BOOSTS[f] * f64::from(tf[f]) / norm[f];
                    }
                }
                let w = idf[t] * x / (K1 + x);
                docs[next[t]] = doc as u32;
                weights[next[t]] = w;
                next[t] += 1;
                if w > max[t] {
                    max[t] = w;
                }
            }
        }
        let mut block_start = Vec::with_capacity(start.len());
        let mut block_max = Vec::with_capacity(total / BLOCK + self.df.len());
        for t in 0..self.df.len() {
            block_start.push(block_max.len());
            block_max.extend(
                weights[start[t]..start[t + 1]]
                    .chunks(BLOCK)
                    .map(|b| b.iter().copied().fold(0.0, f64::max)),
            );
        }
        block_start.push(block_max.len());
        Postings {
            slots,
            start,
            docs,
            weights,
            max,
            block_start,
            block_max,
        }
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

/// The id of `term`, a new one if the index has never seen it.
fn intern(terms: &mut HashMap<String, u32>, df: &mut Vec<u32>, term: String) -> u32 {
    let next = terms.len() as u32;
    let id = *terms.entry(term).or_insert(next);
    if id == next {
        df.push(0);
    }
    id
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

    fn accepts(&self, library: &ContentLibrary, slot: u32) -> bool {
        let Some(asset) = library.slot(slot) else {
            return false;
        };
        let f = self.filters;
        let status_ok = if f.statuses.is_empty() {
            asset.status == AssetStatus::Published
        } else {
            f.statuses.contains(&asset.status)
        };
        status_ok
            && (f.types.is_empty() || f.types.contains(&asset.asset_type))
            && f.as_of.is_none_or(|d| current_on(asset, d))
            && self
                .tags
                .iter()
                .all(|(kind, ids)| ids.iter().any(|&id| library.tags.carries(slot, *kind, id)))
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

/// Room above a sum of weights for the rounding of a sum taken in another order: far above
/// any such difference (scores are below 1000, each sum has at most 32 terms), far below 0.0001.
const SLACK: f64 = 1e-9;

/// A search's view of one term's postings, moving forward only.
struct Cursor<'p> {
    /// The term's position among the query's searched terms (its place in the sum).
    at_query: usize,
    docs: &'p [u32],
    weights: &'p [f64],
    next: usize,
    /// The largest weight of each block of [`BLOCK`] postings.
    blocks: &'p [f64],
    /// The term's largest weight.
    most: f64,
    /// The most the query's other terms can add together.
    rest: f64,
}

impl<'p> Cursor<'p> {
    fn new(p: &'p Postings, term: usize, at_query: usize) -> Cursor<'p> {
        let range = p.start[term]..p.start[term + 1];
        Cursor {
            at_query,
            docs: &p.docs[range.clone()],
            weights: &p.weights[range],
            next: 0,
            blocks: &p.block_max[p.block_start[term]..p.block_start[term + 1]],
            most: p.max[term],
            rest: 0.0,
        }
    }

    /// Skips the blocks where no doc can pass `t`, even with every other term at its most: a
    /// doc there that another term draws cannot pass either, so its weight here is not needed.
    fn skip_hopeless_blocks(&mut self, t: &Threshold) {
        while let Some(&most) = self.blocks.get(self.next / BLOCK) {
            if !t.excludes(most + self.rest) {
                return;
            }
            self.next = (self.next / BLOCK + 1) * BLOCK;
        }
    }

    /// The doc under the cursor; `u32::MAX` past the end.
    fn doc(&self) -> u32 {
        self.docs.get(self.next).copied().unwrap_or(u32::MAX)
    }

    /// Moves to the first doc at or after `target` (galloping, then a binary search).
    fn advance_to(&mut self, target: u32) {
        if self.doc() >= target {
            return;
        }
        let (mut low, mut step) = (self.next, 1);
        let mut high = low + 1;
        while high < self.docs.len() && self.docs[high] < target {
            low = high;
            step *= 2;
            high = low + step;
        }
        let end = (high + 1).min(self.docs.len());
        self.next = low + 1 + self.docs[low + 1..end].partition_point(|&d| d < target);
    }
}

/// What a candidate must reach to displace the worst kept hit (of rounded score `w`):
/// `round4(x) > w` exactly when `x * 10000 >= cut`, with `cut = round(w * 10000) + 0.5`
/// (round4 rounds halves away from zero; `w * 10000` is within an ulp of an integer).
#[derive(Clone, Copy)]
struct Threshold {
    cut: f64,
}

impl Threshold {
    fn of(worst: f64) -> Threshold {
        Threshold {
            cut: (worst * 10_000.0).round() + 0.5,
        }
    }

    /// Whether a score that is at most `bound` (up to [`SLACK`]) can never pass the worst hit.
    fn excludes(&self, bound: f64) -> bool {
        (bound + SLACK) * 10_000.0 < self.cut
    }

    /// Whether `score` passes the worst hit: `round4(score) > worst`, without dividing.
    fn passes(&self, score: f64) -> bool {
        score * 10_000.0 >= self.cut
    }
}

/// A kept hit: higher score first, then lower doc (lower asset id). `Ord` puts the worse one
/// greater, so a max-heap keeps the worst of the best on top.
#[derive(Clone, Copy, PartialEq)]
struct Hit {
    score: f64,
    doc: u32,
}

impl Ord for Hit {
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .score
            .total_cmp(&self.score)
            .then_with(|| self.doc.cmp(&other.doc))
    }
}
impl PartialOrd for Hit {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Eq for Hit {}

/// The best `limit` hits of docs offered in increasing doc order.
struct Kept {
    heap: BinaryHeap<Hit>,
    limit: usize,
}

impl Kept {
    /// Once `limit` hits are kept, what a later doc must beat (a later doc that only ties the
    /// worst has a greater asset id, so it loses the tie).
    fn threshold(&self) -> Option<Threshold> {
        (self.heap.len() == self.limit)
            .then(|| self.heap.peek().map(|w| Threshold::of(w.score)))
            .flatten()
    }

    fn keep(&mut self, hit: Hit) {
        self.heap.push(hit);
        if self.heap.len() > self.limit {
            self.heap.pop();
        }
    }
}

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
        let mut matcher = Matcher::new(&query.include);
        Ok(self
            .rank(&query, &compiled, limit)
            .into_iter()
            .map(|(score, slot)| {
                let asset = self.slot(slot).expect("ranked slots hold assets");
                SearchHit {
                    asset_id: asset.id.as_str().to_string(),
                    title: asset.title.clone(),
                    asset_type: asset.asset_type,
                    score,
                    snippet: snippet(asset, &mut matcher),
                }
            })
            .collect())
    }

    /// Builds the search postings now if a change left them to be rebuilt.
    pub(crate) fn prepare_search(&self) {
        self.index.prepare(|| self.slots_by_id());
    }

    /// The best `limit` (score, slot), best first: a document-at-a-time walk over the searched
    /// terms' postings in doc (asset id) order that skips what cannot enter (MaxScore). Terms
    /// are ordered by their largest weight; once the worst kept hit is above what the terms with
    /// the smallest largest weights could add together, a doc having only those cannot enter, so
    /// docs are drawn from the other ("essential") terms only, and the rest are looked up for a
    /// drawn doc only while its bound can still pass. A drawn doc's score is the sum of its
    /// weights in query-term order, as the formula reads, so it has the exhaustive sum's bits.
    fn rank(&self, query: &Query, filters: &Compiled<'_>, limit: usize) -> Vec<(f64, u32)> {
        let postings = self.index.postings(|| self.slots_by_id());
        let cursor_of = |(i, term): (usize, &String)| {
            let &id = self.index.terms.get(term)?;
            (self.index.df[id as usize] > 0).then(|| Cursor::new(postings, id as usize, i))
        };
        let mut excluded: Vec<Cursor> = query
            .exclude
            .iter()
            .enumerate()
            .filter_map(cursor_of)
            .collect();
        let mut is_excluded = |doc: u32| {
            excluded.iter_mut().any(|c| {
                c.advance_to(doc);
                c.doc() == doc
            })
        };
        let mut kept = Kept {
            heap: BinaryHeap::with_capacity(limit + 1),
            limit,
        };
        if query.include.is_empty() {
            // Nothing to rank by: every asset the filters accept, score 0, by id.
            for (doc, &slot) in postings.slots.iter().enumerate() {
                if kept.heap.len() == limit {
                    break;
                }
                if !is_excluded(doc as u32) && filters.accepts(self, slot) {
                    kept.keep(Hit {
                        score: 0.0,
                        doc: doc as u32,
                    });
                }
            }
        } else {
            let mut terms: Vec<Cursor> = query
                .include
                .iter()
                .enumerate()
                .filter_map(cursor_of)
                .collect();
            terms.sort_by(|a, b| a.most.total_cmp(&b.most));
            // below[j]: the most the terms before j can add together.
            let mut below = vec![0.0; terms.len() + 1];
            for j in 0..terms.len() {
                below[j + 1] = below[j] + terms[j].most;
            }
            for c in &mut terms {
                c.rest = below[below.len() - 1] - c.most;
            }
            let mut threshold: Option<Threshold> = None;
            let mut essential = 0;
            let mut weight = [0.0f64; MAX_QUERY_TERMS];
            loop {
                if let Some(t) = &threshold {
                    for c in &mut terms[essential..] {
                        c.skip_hopeless_blocks(t);
                    }
                }
                let doc = terms[essential..]
                    .iter()
                    .map(Cursor::doc)
                    .min()
                    .unwrap_or(u32::MAX);
                if doc == u32::MAX {
                    break;
                }
                let mut has = 0u64;
                let mut bound = 0.0;
                for c in &mut terms[essential..] {
                    if c.doc() == doc {
                        weight[c.at_query] = c.weights[c.next];
                        has |= 1 << c.at_query;
                        bound += c.weights[c.next];
                        c.next += 1;
                    }
                }
                let mut hopeless = false;
                for j in (0..essential).rev() {
                    if threshold.is_some_and(|t| t.excludes(bound + below[j + 1])) {
                        hopeless = true;
                        break;
                    }
                    let c = &mut terms[j];
                    c.advance_to(doc);
                    if c.doc() == doc {
                        weight[c.at_query] = c.weights[c.next];
                        has |= 1 << c.at_query;
                        bound += c.weights[c.next];
                    }
                }
                if hopeless {
                    continue;
                }
                let mut score = 0.0;
                let mut rest = has;
                while rest != 0 {
                    score += weight[rest.trailing_zeros() as usize];
                    rest &= rest - 1;
                }
                if threshold.is_some_and(|t| !t.passes(score))
                    || is_excluded(doc)
                    || !filters.accepts(self, postings.slots[doc as usize])
                {
                    continue;
                }
                kept.keep(Hit {
                    score: round4(score),
                    doc,
                });
                threshold = kept.threshold();
                if let Some(t) = threshold {
                    while essential < terms.len() && t.excludes(below[essential + 1]) {
                        essential += 1;
                    }
                    if essential == terms.len() {
                        break;
                    }
                }
            }
        }
        kept.heap
            .into_sorted_vec()
            .into_iter()
            .map(|h| (h.score, postings.slots[h.doc as usize]))
            .collect()
    }
}

/// A word of a snippet's field: its byte range and which searched term it is, if any.
struct Spot {
    start: usize,
    end: usize,
    term: Option<usize>,
}

/// Which searched term each raw word is, remembered for one search: the hits' fields share most
/// of their words, and stemming is the cost of a snippet.
struct Matcher<'q, 'a> {
    include: &'q [String],
    seen: HashMap<&'a str, Option<usize>>,
    scratch: String,
}

impl<'q, 'a> Matcher<'q, 'a> {
    fn new(include: &'q [String]) -> Self {
        Matcher {
            include,
            seen: HashMap::new(),
            scratch: String::new(),
        }
    }

    fn spots(&mut self, field: &'a str) -> Vec<Spot> {
        let mut out = Vec::new();
        text::for_each_span(field, |start, end| {
            let word = &field[start..end];
            let term = match self.seen.get(word) {
                Some(&t) => t,
                None => {
                    let t = text::term_of(word, &mut self.scratch)
                        .and_then(|t| self.include.iter().position(|q| *q == t));
                    self.seen.insert(word, t);
                    t
                }
            };
            out.push(Spot { start, end, term });
        });
        out
    }
}

/// The snippet of a hit: the window of [`SNIPPET_WORDS`] words of the description, body or title
/// with the most distinct query terms (the earliest such window, description first), matched
/// words wrapped in `**`, and `…` where the field was cut. Without a match, the start of the
/// description (or body, or title).
fn snippet<'a>(asset: &'a ContentAsset, matcher: &mut Matcher<'_, 'a>) -> String {
    let [title, description, body] = fields_of(asset);
    let mut best: Option<(usize, &str, Vec<Spot>, usize)> = None;
    for field in [description, body, title] {
        if field.trim().is_empty() {
            continue;
        }
        let words = matcher.spots(field);
        if words.is_empty() {
            continue;
        }
        let (start, count) = best_window(&words);
        if best.as_ref().is_none_or(|b| count > b.0) {
            best = Some((count, field, words, start));
        }
    }
    let Some((_, field, words, start)) = best else {
        return String::new();
    };
    render_snippet(field, words.len(), start, |i| {
        let w = &words[i];
        (w.start, w.end, w.term.is_some())
    })
}

/// Writes the window of [`SNIPPET_WORDS`] words of `field` from word `start` (of `count`):
/// `word(i)` is word `i`'s byte range and whether it matched (wrapped in `**`); `…` where the
/// field was cut.
pub(super) fn render_snippet(
    field: &str,
    count: usize,
    start: usize,
    word: impl Fn(usize) -> (usize, usize, bool),
) -> String {
    let end = (start + SNIPPET_WORDS).min(count);
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    let mut at = word(start).0;
    for i in start..end {
        let (from, to, hit) = word(i);
        out.push_str(&field[at..from]);
        if hit {
            out.push_str("**");
        }
        out.push_str(&field[from..to]);
        if hit {
            out.push_str("**");
        }
        at = to;
    }
    if end < count {
        out.push('…');
    } else {
        // Keep the closing punctuation of the field (a full stop), not trailing space.
        out.push_str(field[at..].trim_end());
    }
    out
}

/// The first window of [`SNIPPET_WORDS`] words holding the most distinct searched terms:
/// (its first word, how many).
fn best_window(words: &[Spot]) -> (usize, usize) {
    let mut best = (0, 0);
    let last_start = words.len().saturating_sub(SNIPPET_WORDS);
    for start in 0..=last_start {
        let mut seen = 0u64;
        for w in &words[start..(start + SNIPPET_WORDS).min(words.len())] {
            if let Some(q) = w.term {
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
            .find(|&i| words[i].term.is_some())
            .unwrap_or(best.0);
        best.0 = first
            .saturating_sub(SNIPPET_LEAD)
            .clamp(best.0, last_start.max(best.0));
    }
    best
}

/// Words of context a snippet keeps before its first match when it can.
const SNIPPET_LEAD: usize = 4;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_terms_read_back_as_given() {
        let terms = [
            (0, [1, 0, 0]),
            (1, [0, 0, 1]),
            (127, [127, 128, 300]),
            (128, [u16::MAX, 0, 16_384]),
            (2_097_152, [0, 1, 0]),
            (u32::MAX, [2, 2, 2]),
        ];
        let packed = Forward::pack(&terms);
        assert_eq!(packed.terms().collect::<Vec<_>>(), terms);
        assert_eq!(Forward::pack(&[]).terms().count(), 0);
    }
}
