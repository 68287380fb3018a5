//! Territory lookup (docs/routing.md step 4): the territory a lead falls in. A territory matches
//! when its own condition and every ancestor's match; the winner is the deepest, then the highest
//! priority, then the first declared. [`TerritoryIndex::find_lead`] answers that by looking at a
//! handful of territories per lead; [`TerritoryIndex::naive`] evaluates every territory and is
//! the reference `find` must agree with (the tests compare both, on random forests and leads).
//!
//! # The index
//! - **Tree descent.** Territories are grouped into sibling groups (the roots; the children of
//!   each territory). A lookup looks at the candidates of the roots' group; a candidate whose
//!   own condition matches may win, and its children's group is searched the same way. So each
//!   ancestor is evaluated once per lead, never again for each descendant. Candidates whose
//!   subtree cannot beat the current winner (not deep enough, or a leaf ranking lower) are
//!   skipped.
//! - **Necessary items.** An item is necessary when the condition cannot hold without it: the
//!   condition itself, or an item of its (nested) top-level `all`. Keyable items: `eq` / `in`
//!   with text operands (keys folded as evaluation folds them, raw under `case_sensitive`);
//!   `gt` / `gte` / `lt` / `lte` / `between` with numbers and `eq` / `in` with numbers only
//!   (intervals, strict bounds taken as inclusive); `postal_code_range` (normalised ranges);
//!   an `any` of keyable items on one field and of one kind (their union). Several keyable
//!   items of one kind on one field are intersected.
//! - **Per sibling group, indexes.** Chosen greedily: among the siblings not yet indexed, the
//!   (field, kind) with the most distinct key sets (at least 2) takes every sibling that has
//!   such an item; repeat; the others are unindexed (always candidates). An index is hash
//!   buckets (text), or bands: the sorted end points of every interval with, for each point and
//!   each gap between points, the territories covering it (numbers; postal codes, one set of
//!   bands per class of range, numeric or not and the length of its ends, since that decides
//!   how a value is compared).
//! - **Lookup.** Per group and index the field is read once. A missing value means a necessary
//!   item is false: none of the index's territories can match. A value the index can key
//!   exactly as evaluation compares it (text for buckets, a number for numeric bands, a short
//!   ASCII text for postal bands, normalised the way evaluation does) gives its bucket or band;
//!   any other value (a list, a number where text was indexed, a date, ...) makes every
//!   territory of the index a candidate. So candidates are always a superset of the
//!   territories that can match.
//! - **What is evaluated.** A candidate evaluates its necessary items but those an ancestor
//!   (up to [`IMPLIED_LEVELS`] up) has too, since its ancestors matched; after a keyed hit, also
//!   but the items the hit proves (items whose keys are exact: all but strict bounds). In
//!   region/segment hierarchies that is often nothing at all.
//!
//! Nothing is allocated per lookup (only folding a long non-ASCII text can).

use super::engine::Reader;
use crate::condition::ast::{Bound, Leaf, Node, Op, Scalar, Text};
use crate::condition::{Condition, FieldValue, Record};
use crate::model::Lead;
use serde_json::Value;
use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

/// A territory as the router uses it.
#[derive(Debug)]
pub struct Territory {
    pub parent: Option<usize>,
    pub depth: u32,
    pub priority: i32,
    pub condition: Option<Condition>,
    pub pool: usize,
}

/// The territories with their index.
#[derive(Debug, Default)]
pub struct TerritoryIndex {
    pub list: Vec<Territory>,
    /// Sibling groups: the roots first (when there are territories), then one per territory
    /// with children.
    groups: Vec<Group>,
    /// Per territory: where it stands and what is below it.
    info: Vec<Info>,
    /// Per territory: what to evaluate once its ancestors matched.
    checks: Vec<Check>,
    /// Per territory at level `MAX_LEVELS - 1` that has children: all its descendants, declared
    /// order (searched without recursing further; only absurdly deep hierarchies need it).
    deep: HashMap<u32, Vec<u32>>,
}

/// What the search needs to know of a territory, packed (16 bytes).
#[derive(Debug, Clone, Copy)]
struct Info {
    /// Orders territories as the winner is chosen ([`ranks`]); never 0.
    rank: u32,
    /// Its `depth`.
    depth: u32,
    /// The greatest `depth` in its subtree, itself included.
    reach: u32,
    /// The group of its children, or [`NO_GROUP`].
    children: u32,
}

const NO_GROUP: u32 = u32::MAX;

/// Per territory its rank, from 1: `rank[a] > rank[b]` exactly when `a` wins over `b`
/// (deeper, then higher priority, then declared first). Ranks are positions in that order,
/// so they compare as one small integer.
fn ranks(list: &[Territory]) -> Vec<u32> {
    let mut order: Vec<usize> = (0..list.len()).collect();
    order.sort_unstable_by_key(|&i| (list[i].depth, list[i].priority, std::cmp::Reverse(i)));
    let mut rank = vec![0; list.len()];
    for (r, &i) in order.iter().enumerate() {
        // `new` holds fewer than `u32::MAX` territories.
        rank[i] = r as u32 + 1;
    }
    rank
}

/// Levels searched by recursion; deeper territories are searched by [`TerritoryIndex::deep`].
const MAX_LEVELS: usize = 32;

/// Postal codes longer than this (or not ASCII) are not keyed (every territory of the index is a
/// candidate): evaluation normalises these the same way on its fast path, without allocating.
const POSTAL_STACK: usize = 32;

/// Text values up to this many bytes are folded on the stack at lookup.
const FOLD_STACK: usize = 128;

#[derive(Debug, Default)]
struct Group {
    indexes: Vec<Index>,
    /// Territories no index holds, declared order.
    unindexed: Vec<u32>,
}

#[derive(Debug)]
struct Index {
    field: String,
    /// How the field is read from a lead, when the record is one ([`TerritoryIndex::find_lead`]).
    reader: Reader,
    /// Every territory the index holds, declared order: the candidates when the value cannot be
    /// keyed.
    members: Vec<u32>,
    keys: Keyed,
}

#[derive(Debug)]
enum Keyed {
    /// Text buckets; keys folded unless `exact`.
    Text {
        exact: bool,
        buckets: Buckets,
        items: Vec<u32>,
    },
    /// Bands over numbers, with the points as ordered integers ([`total_order`]).
    Numbers(Bands<f64>, Vec<i64>),
    /// One set of bands per (numeric, length of the ends) class of ranges.
    Postal(Vec<(PostalClass, Bands<Vec<u8>>)>),
}

/// Sorted distinct points; slot `2i + 1` is point `i`, slot `2i` the gap before it, slot `2m`
/// the gap after the last. `items[starts[s]..starts[s + 1]]` are the territories covering slot
/// `s`, declared order.
#[derive(Debug)]
struct Bands<K> {
    points: Vec<K>,
    starts: Vec<u32>,
    items: Vec<u32>,
}

/// How a postal range reads a value: numeric ranges compare the value's first `len` characters
/// (which must be digits), the others the whole value (which must have length `len`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct PostalClass {
    numeric: bool,
    len: usize,
}

/// The kind of a keyable leaf; with the field, what an index is built on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    TextFolded,
    TextExact,
    Number,
    Postal,
}

/// The keys under which a leaf (or a union of leaves) can hold.
#[derive(Debug, Clone, PartialEq)]
enum Keys {
    /// Sorted, distinct.
    Text(Vec<String>),
    /// Sorted, disjoint, inclusive.
    Number(Vec<(f64, f64)>),
    /// Sorted, disjoint, inclusive, normalised ends.
    Postal(PostalClass, Vec<(Vec<u8>, Vec<u8>)>),
}

/// Sorted, disjoint, inclusive intervals.
type Intervals<K> = [(K, K)];

/// A necessary (field, kind) of one territory with the keys it can match under.
struct Need<'c> {
    field: &'c str,
    kind: Kind,
    keys: Keys,
    /// The keys are exactly the values (of the shape the index keys) the node holds for, not
    /// a superset (`gt` / `lt` are taken as inclusive, so they are not).
    exact: bool,
    /// The necessary items (indices) a keyed hit proves: those with exact keys.
    proven: Vec<usize>,
}

/// What is left to evaluate of a territory's condition once its ancestors matched: its
/// necessary items but those an ancestor has too, the ones an exact index hit proves last.
#[derive(Debug, Default)]
struct Check {
    nodes: Box<[Node]>,
    /// `nodes[..unproven]` is what is left after an exact hit of the territory's index.
    unproven: usize,
}

/// How many levels of ancestors are searched for items a territory repeats.
const IMPLIED_LEVELS: usize = 4;

impl TerritoryIndex {
    pub fn new(list: Vec<Territory>) -> TerritoryIndex {
        let n = list.len();
        assert!(
            u32::try_from(n).is_ok_and(|n| n < NO_GROUP),
            "too many territories"
        );
        let mut kids: Vec<Vec<u32>> = vec![Vec::new(); n];
        let mut roots = Vec::new();
        for (i, t) in list.iter().enumerate() {
            match t.parent {
                None => roots.push(i as u32),
                Some(p) if p < n && p != i => kids[p].push(i as u32),
                // A dangling parent: never reached (validation refuses these configs).
                Some(_) => {}
            }
        }
        // Levels from the roots, breadth first; territories on a cycle are never reached.
        let mut level = vec![u32::MAX; n];
        let mut order: Vec<u32> = roots.clone();
        for &r in &roots {
            level[r as usize] = 0;
        }
        let mut head = 0;
        while head < order.len() {
            let t = order[head] as usize;
            head += 1;
            for &c in &kids[t] {
                if level[c as usize] == u32::MAX {
                    level[c as usize] = level[t] + 1;
                    order.push(c);
                }
            }
        }
        let mut reach: Vec<u32> = list.iter().map(|t| t.depth).collect();
        for &t in order.iter().rev() {
            if let Some(p) = list[t as usize].parent {
                reach[p] = reach[p].max(reach[t as usize]);
            }
        }
        let items: Vec<Vec<&Node>> = list
            .iter()
            .map(|t| {
                let mut items = Vec::new();
                if let Some(c) = &t.condition {
                    necessary(c.root(), &mut items);
                }
                items
            })
            .collect();
        let mut proven: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut groups = Vec::new();
        let mut children = vec![NO_GROUP; n];
        if n > 0 {
            groups.push(Group::new(&items, &roots, &mut proven));
        }
        let mut deep = HashMap::new();
        for t in 0..n {
            if level[t] == u32::MAX || kids[t].is_empty() {
                continue;
            }
            children[t] = groups.len() as u32;
            groups.push(Group::new(&items, &kids[t], &mut proven));
            if level[t] as usize == MAX_LEVELS - 1 {
                let mut all = Vec::new();
                let mut stack = kids[t].clone();
                while let Some(s) = stack.pop() {
                    all.push(s);
                    stack.extend_from_slice(&kids[s as usize]);
                }
                all.sort_unstable();
                deep.insert(t as u32, all);
            }
        }
        let mut checks: Vec<Check> = (0..n).map(|_| Check::default()).collect();
        for &t in &order {
            let t = t as usize;
            let mut implied: Vec<&Node> = Vec::new();
            let mut cur = list[t].parent;
            for _ in 0..IMPLIED_LEVELS {
                let Some(p) = cur else { break };
                implied.extend_from_slice(&items[p]);
                cur = list[p].parent;
            }
            let kept: Vec<(usize, &Node)> = items[t]
                .iter()
                .copied()
                .enumerate()
                .filter(|(_, node)| !implied.contains(node))
                .collect();
            let (hit, rest): (Vec<_>, Vec<_>) =
                kept.into_iter().partition(|(i, _)| proven[t].contains(i));
            checks[t] = Check {
                unproven: rest.len(),
                nodes: rest.iter().chain(&hit).map(|(_, n)| (*n).clone()).collect(),
            };
        }
        drop(items);
        let rank = ranks(&list);
        let info = (0..n)
            .map(|t| Info {
                rank: rank[t],
                depth: list[t].depth,
                reach: reach[t],
                children: children[t],
            })
            .collect();
        TerritoryIndex {
            list,
            groups,
            info,
            checks,
            deep,
        }
    }

    /// Whether territory `t` and all its ancestors match.
    fn matches<R: Record + ?Sized>(&self, t: usize, record: &R) -> bool {
        let mut cur = Some(t);
        while let Some(i) = cur {
            let terr = &self.list[i];
            if let Some(c) = &terr.condition {
                if !c.matches(record) {
                    return false;
                }
            }
            cur = terr.parent;
        }
        true
    }

    fn better(&self, a: usize, b: usize) -> bool {
        let (ta, tb) = (&self.list[a], &self.list[b]);
        (ta.depth, ta.priority, std::cmp::Reverse(a))
            > (tb.depth, tb.priority, std::cmp::Reverse(b))
    }

    /// The winning territory: deepest, then highest priority, then first declared, reading
    /// every field through its path (what [`TerritoryIndex::find_lead`] does without a lead;
    /// the tests' records are not leads).
    #[cfg(test)]
    pub fn find<R: Record + ?Sized>(&self, record: &R) -> Option<usize> {
        self.search(record, None).best
    }

    /// How many candidates `find` looks at for `record` (those not pruned); each evaluates what
    /// is left of its condition, often nothing.
    #[cfg(test)]
    fn candidates_visited<R: Record + ?Sized>(&self, record: &R) -> usize {
        self.search(record, None).evaluated
    }

    /// Every territory evaluated (the reference the index must agree with).
    pub fn naive<R: Record + ?Sized>(&self, record: &R) -> Option<usize> {
        let mut best: Option<usize> = None;
        for t in 0..self.list.len() {
            if best.is_some_and(|b| !self.better(t, b)) {
                continue;
            }
            if self.matches(t, record) {
                best = Some(t);
            }
        }
        best
    }

    /// The winning territory for `record`: deepest, then highest priority, then first
    /// declared. `record` reads `lead`'s own fields as `lead` holds them (a lead seen with its
    /// account): indexed lead fields are read from `lead` directly ([`Reader`]), without
    /// matching their paths.
    pub fn find_lead<R: Record + ?Sized>(&self, record: &R, lead: &Lead) -> Option<usize> {
        self.search(record, Some(lead)).best
    }

    fn search<'l, R: Record + ?Sized>(&self, record: &R, lead: Option<&'l Lead>) -> Search<'l> {
        let mut st = Search {
            best: None,
            best_rank: 0,
            best_depth: 0,
            evaluated: 0,
            lead,
        };
        if !self.groups.is_empty() {
            self.visit(0, record, &mut st, 0);
        }
        st
    }

    /// Searches the sibling group `g`, whose territories are at `level` (roots: 0).
    fn visit<R: Record + ?Sized>(&self, g: u32, record: &R, st: &mut Search, level: usize) {
        let group = &self.groups[g as usize];
        let lead = st.lead;
        for index in &group.indexes {
            let value = match (lead, index.reader) {
                (Some(lead), Reader::Lead(read)) => read(lead),
                _ => record.field(&index.field),
            };
            let probe = probe(value.as_ref());
            index.hits(probe, |ts, exact| {
                for &t in ts {
                    self.consider(t as usize, exact, record, st, level);
                }
            });
        }
        for &t in &group.unindexed {
            self.consider(t as usize, false, record, st, level);
        }
    }

    /// Evaluates candidate `t` (its ancestors are known to match; `exact`: it comes from a
    /// keyed index hit) and, when it matches, its children; skipped when nothing in its subtree
    /// can beat the current winner.
    fn consider<R: Record + ?Sized>(
        &self,
        t: usize,
        exact: bool,
        record: &R,
        st: &mut Search,
        level: usize,
    ) {
        let info = self.info[t];
        let kids = info.children;
        // The winner's depth never decreases, so a shallower subtree can never win.
        if info.reach < st.best_depth || (kids == NO_GROUP && info.rank < st.best_rank) {
            return;
        }
        st.evaluated += 1;
        let check = &self.checks[t];
        let nodes = if exact {
            &check.nodes[..check.unproven]
        } else {
            &check.nodes[..]
        };
        if !nodes.iter().all(|n| n.matches(record)) {
            return;
        }
        if info.rank > st.best_rank {
            st.best = Some(t);
            st.best_rank = info.rank;
            st.best_depth = info.depth;
        }
        if kids == NO_GROUP {
            return;
        }
        if level + 1 < MAX_LEVELS {
            self.visit(kids, record, st, level + 1);
        } else {
            self.deep(t, record, st);
        }
    }

    /// The descendants of `t` (which matches, with its ancestors) one by one, each checked up
    /// to `t`.
    fn deep<R: Record + ?Sized>(&self, t: usize, record: &R, st: &mut Search) {
        let Some(all) = self.deep.get(&(t as u32)) else {
            return;
        };
        'next: for &s in all {
            let s = s as usize;
            let Info { rank, depth, .. } = self.info[s];
            if rank < st.best_rank {
                continue;
            }
            let mut cur = s;
            while cur != t {
                let terr = &self.list[cur];
                st.evaluated += 1;
                if terr.condition.as_ref().is_some_and(|c| !c.matches(record)) {
                    continue 'next;
                }
                match terr.parent {
                    Some(p) => cur = p,
                    None => continue 'next,
                }
            }
            st.best = Some(s);
            st.best_rank = rank;
            st.best_depth = depth;
        }
    }
}

struct Search<'l> {
    /// The lead the record reads its own fields from, when known.
    lead: Option<&'l Lead>,
    best: Option<usize>,
    /// The rank of `best`, 0 when none.
    best_rank: u32,
    /// The depth of `best`, 0 when none.
    best_depth: u32,
    /// Candidates not pruned (whose remaining condition, if any, was evaluated).
    evaluated: usize,
}

/// A field value as the indexes key it.
enum Probe<'v> {
    /// Absent or null: every positive leaf on the field is false.
    Missing,
    Text(&'v str),
    Number(f64),
    /// A list, a boolean, a date, an object, ...: not keyed.
    Other,
}

fn probe<'v>(v: Option<&'v FieldValue<'v>>) -> Probe<'v> {
    match v {
        None | Some(FieldValue::Json(Value::Null)) => Probe::Missing,
        Some(FieldValue::Text(s)) => Probe::Text(s),
        Some(FieldValue::Json(Value::String(s))) => Probe::Text(s),
        Some(FieldValue::Number(x)) => Probe::Number(*x),
        Some(FieldValue::Json(Value::Number(n))) => n.as_f64().map_or(Probe::Other, Probe::Number),
        Some(_) => Probe::Other,
    }
}

impl Index {
    /// Calls `each` with slices of candidates (disjoint, a superset of the index's territories
    /// whose condition can match `value`), and whether they come from a keyed hit (which proves
    /// the exact items of their key sets) rather than from a value that could not be keyed.
    #[inline(always)]
    fn hits(&self, value: Probe<'_>, mut each: impl FnMut(&[u32], bool)) {
        match (value, &self.keys) {
            (Probe::Missing, _) => {}
            (
                Probe::Text(s),
                Keyed::Text {
                    exact,
                    buckets,
                    items,
                },
            ) => {
                let found = if *exact {
                    buckets.get(s.as_bytes())
                } else {
                    buckets.get_folded(s)
                };
                if let Some((a, b)) = found {
                    each(&items[a as usize..b as usize], true);
                }
            }
            (Probe::Number(x), Keyed::Numbers(bands, order)) if !x.is_nan() => {
                // `total_order` keeps `total_cmp`'s order: the slot of `x` among the points.
                let key = total_order(x + 0.0);
                let i = order.partition_point(|&p| p < key);
                let slot = if order.get(i) == Some(&key) {
                    2 * i + 1
                } else {
                    2 * i
                };
                each(bands.slot(slot), true);
            }
            (Probe::Text(s), Keyed::Postal(classes)) if s.is_ascii() && s.len() <= POSTAL_STACK => {
                // Normalised exactly as evaluation does for short ASCII values.
                let mut buf = [0u8; POSTAL_STACK];
                let mut n = 0;
                for b in s.bytes().filter(|b| !b.is_ascii_whitespace()) {
                    buf[n] = b.to_ascii_uppercase();
                    n += 1;
                }
                let v = &buf[..n];
                for (class, bands) in classes {
                    let key = if class.numeric {
                        match v.get(..class.len) {
                            Some(head) if head.iter().all(u8::is_ascii_digit) => head,
                            _ => continue,
                        }
                    } else if v.len() == class.len {
                        v
                    } else {
                        continue;
                    };
                    each(bands.hits(|p| p.as_slice().cmp(key)), true);
                }
            }
            _ => each(&self.members, false),
        }
    }
}

impl<K> Bands<K> {
    /// The territories covering the slot of the lookup value; `cmp(p)` orders point `p` against it.
    fn hits(&self, cmp: impl Fn(&K) -> Ordering) -> &[u32] {
        let i = self.points.partition_point(|p| cmp(p) == Ordering::Less);
        let slot = if i < self.points.len() && cmp(&self.points[i]) == Ordering::Equal {
            2 * i + 1
        } else {
            2 * i
        };
        self.slot(slot)
    }

    /// The territories covering slot `slot` (at most `2 * points.len()`).
    fn slot(&self, slot: usize) -> &[u32] {
        &self.items[self.starts[slot] as usize..self.starts[slot + 1] as usize]
    }
}

/// An integer ordered as `f64::total_cmp` orders `x` (the sign bit flips the order of the
/// other bits of a negative number).
fn total_order(x: f64) -> i64 {
    let bits = x.to_bits() as i64;
    bits ^ (((bits >> 63) as u64) >> 1) as i64
}

impl<K: Clone> Bands<K> {
    /// Bands over `(territory, intervals)` (intervals sorted and disjoint); `None` when they
    /// would hold more than `cap` entries (many nested intervals).
    fn build(
        entries: &[(u32, &Intervals<K>)],
        cmp: impl Fn(&K, &K) -> Ordering,
        cap: usize,
    ) -> Option<Bands<K>> {
        let mut points: Vec<K> = entries
            .iter()
            .flat_map(|(_, ivs)| ivs.iter().flat_map(|(lo, hi)| [lo.clone(), hi.clone()]))
            .collect();
        points.sort_by(&cmp);
        points.dedup_by(|a, b| cmp(a, b) == Ordering::Equal);
        let slot_of = |k: &K| 2 * points.partition_point(|p| cmp(p, k) == Ordering::Less) + 1;
        let mut spans = Vec::new();
        let mut total = 0usize;
        for &(t, ivs) in entries {
            for (lo, hi) in ivs {
                let (a, b) = (slot_of(lo), slot_of(hi));
                total += b + 1 - a;
                if total > cap {
                    return None;
                }
                spans.push((t, a, b));
            }
        }
        let slots = 2 * points.len() + 1;
        let mut counts = vec![0u32; slots + 1];
        for &(_, a, b) in &spans {
            for c in &mut counts[a..=b] {
                *c += 1;
            }
        }
        let mut starts = Vec::with_capacity(slots + 1);
        let mut sum = 0u32;
        for c in &counts[..slots] {
            starts.push(sum);
            sum += c;
        }
        starts.push(sum);
        let mut fill: Vec<u32> = starts[..slots].to_vec();
        let mut items = vec![0u32; sum as usize];
        // Entries are in declared order, so each slot's list is too.
        for &(t, a, b) in &spans {
            for f in &mut fill[a..=b] {
                items[*f as usize] = t;
                *f += 1;
            }
        }
        Some(Bands {
            points,
            starts,
            items,
        })
    }
}

impl Group {
    /// The indexes of one sibling group (`members` in declared order; `items`: every
    /// territory's necessary items). Records in `proven` the items a keyed hit proves.
    fn new(items: &[Vec<&Node>], members: &[u32], proven: &mut [Vec<usize>]) -> Group {
        let needs: Vec<Vec<Need<'_>>> =
            members.iter().map(|&t| needs(&items[t as usize])).collect();
        let mut taken = vec![false; members.len()];
        let mut refused: Vec<(&str, Kind)> = Vec::new();
        let mut indexes = Vec::new();
        loop {
            // (field, kind) -> distinct key sets among the siblings not yet indexed.
            let mut options: Vec<((&str, Kind), HashSet<String>)> = Vec::new();
            for (i, ns) in needs.iter().enumerate() {
                if taken[i] {
                    continue;
                }
                for need in ns {
                    let key = (need.field, need.kind);
                    if refused.contains(&key) {
                        continue;
                    }
                    let sig = format!("{:?}", need.keys);
                    match options.iter_mut().find(|(k, _)| *k == key) {
                        Some((_, sigs)) => {
                            sigs.insert(sig);
                        }
                        None => options.push((key, HashSet::from([sig]))),
                    }
                }
            }
            // The most distinct key sets; ties: the first seen.
            let best = options
                .iter()
                .enumerate()
                .max_by(|(i, a), (j, b)| a.1.len().cmp(&b.1.len()).then(j.cmp(i)))
                .map(|(_, (key, sigs))| (*key, sigs.len()));
            let Some(((field, kind), distinct)) = best else {
                break;
            };
            if distinct < 2 {
                break;
            }
            let chosen: Vec<(usize, &Need<'_>)> = needs
                .iter()
                .enumerate()
                .filter(|(i, _)| !taken[*i])
                .filter_map(|(i, ns)| {
                    ns.iter()
                        .find(|n| n.field == field && n.kind == kind)
                        .map(|n| (i, n))
                })
                .collect();
            let entries: Vec<(u32, &Keys)> =
                chosen.iter().map(|&(i, n)| (members[i], &n.keys)).collect();
            match Index::build(field, kind, &entries) {
                Some(index) => {
                    for &(i, need) in &chosen {
                        taken[i] = true;
                        proven[members[i] as usize].clone_from(&need.proven);
                    }
                    indexes.push(index);
                }
                None => refused.push((field, kind)),
            }
        }
        let unindexed = members
            .iter()
            .zip(&taken)
            .filter(|(_, &taken)| !taken)
            .map(|(&t, _)| t)
            .collect();
        Group { indexes, unindexed }
    }
}

impl Index {
    /// An index over `entries` (territory, its keys), all of `kind`; `None` when too big.
    fn build(field: &str, kind: Kind, entries: &[(u32, &Keys)]) -> Option<Index> {
        let members: Vec<u32> = entries.iter().map(|(t, _)| *t).collect();
        let cap = 4096usize.max(64 * entries.len());
        let keys = match entries.first()?.1 {
            Keys::Text(_) => {
                let exact = kind == Kind::TextExact;
                let mut by_key: Vec<(&str, u32)> = entries
                    .iter()
                    .flat_map(|(t, keys)| match keys {
                        Keys::Text(ks) => ks.iter().map(|k| (k.as_str(), *t)).collect(),
                        _ => Vec::new(),
                    })
                    .collect();
                // By key, then declared order.
                by_key.sort_unstable();
                let mut keys = Vec::new();
                let mut items = Vec::with_capacity(by_key.len());
                for chunk in by_key.chunk_by(|a, b| a.0 == b.0) {
                    let start = items.len() as u32;
                    items.extend(chunk.iter().map(|(_, t)| *t));
                    keys.push((chunk[0].0.as_bytes(), (start, items.len() as u32)));
                }
                let buckets = Buckets::new(&keys);
                Keyed::Text {
                    exact,
                    buckets,
                    items,
                }
            }
            Keys::Number(_) => {
                let ivs: Vec<(u32, &Intervals<f64>)> = entries
                    .iter()
                    .filter_map(|(t, k)| match k {
                        Keys::Number(ivs) => Some((*t, ivs.as_slice())),
                        _ => None,
                    })
                    .collect();
                let bands = Bands::build(&ivs, |a, b| a.total_cmp(b), cap)?;
                let order = bands.points.iter().map(|&p| total_order(p)).collect();
                Keyed::Numbers(bands, order)
            }
            Keys::Postal(..) => {
                let mut by_class: Vec<(PostalClass, u32, &Intervals<Vec<u8>>)> = entries
                    .iter()
                    .filter_map(|(t, k)| match k {
                        Keys::Postal(class, ivs) => Some((*class, *t, ivs.as_slice())),
                        _ => None,
                    })
                    .collect();
                // Stable: declared order within a class.
                by_class.sort_by_key(|(c, ..)| (c.numeric, c.len));
                let mut built = Vec::new();
                for chunk in by_class.chunk_by(|a, b| a.0 == b.0) {
                    let ivs: Vec<(u32, &Intervals<Vec<u8>>)> =
                        chunk.iter().map(|(_, t, ivs)| (*t, *ivs)).collect();
                    built.push((chunk[0].0, Bands::build(&ivs, |a, b| a.cmp(b), cap)?));
                }
                Keyed::Postal(built)
            }
        };
        Some(Index {
            reader: Reader::of(field),
            field: field.to_string(),
            members,
            keys,
        })
    }
}

/// The keyable items among a condition's necessary `items`, one per (field, kind), intersected.
fn needs<'c>(items: &[&'c Node]) -> Vec<Need<'c>> {
    let mut out: Vec<Need<'c>> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let Some(mut need) = keyed(item) else {
            continue;
        };
        if need.exact {
            need.proven.push(i);
        }
        match out
            .iter_mut()
            .find(|n| n.field == need.field && n.kind == need.kind)
        {
            // Keys that do not combine: the first stand (a superset), the item proves nothing.
            Some(have) => {
                if let Some(keys) = intersect(&have.keys, &need.keys) {
                    have.keys = keys;
                    have.proven.extend(need.proven);
                }
            }
            None => out.push(need),
        }
    }
    out
}

/// The nodes that must hold for `node` to hold: itself, or the items of an `all` (nested).
fn necessary<'c>(node: &'c Node, out: &mut Vec<&'c Node>) {
    match node {
        Node::All(items) => items.iter().for_each(|i| necessary(i, out)),
        other => out.push(other),
    }
}

/// The keys a node can hold under: a keyable leaf, or an `any` of keyable nodes on one field
/// and of one kind (their union).
fn keyed(node: &Node) -> Option<Need<'_>> {
    match node {
        Node::Leaf(leaf) => leaf_keys(leaf).map(|(kind, keys, exact)| Need {
            field: &leaf.field,
            kind,
            keys,
            exact,
            proven: Vec::new(),
        }),
        Node::Any(items) => {
            let mut acc = keyed(items.first()?)?;
            for item in &items[1..] {
                let more = keyed(item)?;
                if more.field != acc.field || more.kind != acc.kind {
                    return None;
                }
                acc.keys = union(acc.keys, more.keys)?;
                acc.exact &= more.exact;
            }
            Some(acc)
        }
        Node::All(_) | Node::Not(_) => None,
    }
}

/// The kind and keys of a keyable leaf, and whether the keys are exact (see [`Need::exact`]).
fn leaf_keys(leaf: &Leaf) -> Option<(Kind, Keys, bool)> {
    let text = |t: &Text| {
        if leaf.case_sensitive {
            t.raw.clone()
        } else {
            t.folded.clone()
        }
    };
    let text_kind = if leaf.case_sensitive {
        Kind::TextExact
    } else {
        Kind::TextFolded
    };
    let numbers = |ivs: Vec<(f64, f64)>, exact: bool| {
        if ivs.iter().any(|(lo, hi)| lo.is_nan() || hi.is_nan()) {
            return None;
        }
        let ivs = ivs
            .into_iter()
            .map(|(lo, hi)| (lo + 0.0, hi + 0.0))
            .collect();
        Some((
            Kind::Number,
            Keys::Number(merge(ivs, f64::total_cmp)),
            exact,
        ))
    };
    let (inf, neg) = (f64::INFINITY, f64::NEG_INFINITY);
    match &leaf.op {
        Op::Eq(Scalar::Text(t)) => Some((text_kind, Keys::Text(vec![text(t)]), true)),
        Op::Eq(Scalar::Number(n)) => numbers(vec![(n.value, n.value)], true),
        // Text values only compare with the text items: other values are not keyed anyway.
        Op::In(set) if set.has_text => {
            let mut keys: Vec<String> = set
                .items
                .iter()
                .filter_map(|i| match i {
                    Scalar::Text(t) => Some(text(t)),
                    _ => None,
                })
                .collect();
            keys.sort_unstable();
            keys.dedup();
            Some((text_kind, Keys::Text(keys), true))
        }
        Op::In(set) if !set.numbers.is_empty() => {
            numbers(set.numbers.iter().map(|&x| (x, x)).collect(), true)
        }
        // Strict bounds are indexed as inclusive: a superset, which proves nothing.
        Op::Gt(Bound::Number(n)) => numbers(vec![(n.value, inf)], false),
        Op::Gte(Bound::Number(n)) => numbers(vec![(n.value, inf)], true),
        Op::Lt(Bound::Number(n)) => numbers(vec![(neg, n.value)], false),
        Op::Lte(Bound::Number(n)) => numbers(vec![(neg, n.value)], true),
        Op::Between(Bound::Number(lo), Bound::Number(hi)) => {
            numbers(vec![(lo.value, hi.value)], true)
        }
        Op::PostalCodeRange(r) => {
            let class = PostalClass {
                numeric: r.numeric,
                len: r.lo.len(),
            };
            let ivs = vec![(r.lo.as_bytes().to_vec(), r.hi.as_bytes().to_vec())];
            Some((
                Kind::Postal,
                Keys::Postal(class, merge(ivs, Ord::cmp)),
                true,
            ))
        }
        _ => None,
    }
}

/// Sorted, merged intervals (empty ones dropped).
fn merge<K: Clone>(mut ivs: Vec<(K, K)>, cmp: impl Fn(&K, &K) -> Ordering) -> Vec<(K, K)> {
    ivs.retain(|(lo, hi)| cmp(lo, hi) != Ordering::Greater);
    ivs.sort_by(|a, b| cmp(&a.0, &b.0));
    let mut out: Vec<(K, K)> = Vec::with_capacity(ivs.len());
    for (lo, hi) in ivs {
        if let Some(last) = out.last_mut() {
            if cmp(&lo, &last.1) != Ordering::Greater {
                if cmp(&hi, &last.1) == Ordering::Greater {
                    last.1 = hi;
                }
                continue;
            }
        }
        out.push((lo, hi));
    }
    out
}

/// The keys of either (an `any`); `None` when they cannot be one index's keys.
fn union(a: Keys, b: Keys) -> Option<Keys> {
    Some(match (a, b) {
        (Keys::Text(mut a), Keys::Text(b)) => {
            a.extend(b);
            a.sort_unstable();
            a.dedup();
            Keys::Text(a)
        }
        (Keys::Number(mut a), Keys::Number(b)) => {
            a.extend(b);
            Keys::Number(merge(a, f64::total_cmp))
        }
        // Ranges of two classes would put the territory in two sets of bands.
        (Keys::Postal(ca, mut a), Keys::Postal(cb, b)) if ca == cb => {
            a.extend(b);
            Keys::Postal(ca, merge(a, Ord::cmp))
        }
        _ => return None,
    })
}

/// The keys of both (two necessary items); `None` when they do not combine (postal ranges of
/// two classes).
fn intersect(a: &Keys, b: &Keys) -> Option<Keys> {
    Some(match (a, b) {
        (Keys::Text(a), Keys::Text(b)) => {
            Keys::Text(a.iter().filter(|k| b.contains(k)).cloned().collect())
        }
        (Keys::Number(a), Keys::Number(b)) => Keys::Number(intersect_ivs(a, b, f64::total_cmp)),
        (Keys::Postal(ca, a), Keys::Postal(cb, b)) if ca == cb => {
            Keys::Postal(*ca, intersect_ivs(a, b, Ord::cmp))
        }
        _ => return None,
    })
}

fn intersect_ivs<K: Clone>(
    a: &[(K, K)],
    b: &[(K, K)],
    cmp: impl Fn(&K, &K) -> Ordering,
) -> Vec<(K, K)> {
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    while i < a.len() && j < b.len() {
        let lo = if cmp(&a[i].0, &b[j].0) == Ordering::Greater {
            &a[i].0
        } else {
            &b[j].0
        };
        let (hi, a_ends_first) = if cmp(&a[i].1, &b[j].1) == Ordering::Greater {
            (&b[j].1, false)
        } else {
            (&a[i].1, true)
        };
        if cmp(lo, hi) != Ordering::Greater {
            out.push((lo.clone(), hi.clone()));
        }
        if a_ends_first {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

/// Calls `f` with the bytes of `s` folded as condition evaluation folds it (Unicode lowercase,
/// char by char), on the stack unless long.
fn with_folded<T>(s: &str, f: impl FnOnce(&[u8]) -> T) -> T {
    let bytes = s.as_bytes();
    if bytes
        .iter()
        .all(|b| b.is_ascii() && !b.is_ascii_uppercase())
    {
        return f(bytes);
    }
    let mut buf = [0u8; FOLD_STACK];
    let mut n = 0;
    if s.is_ascii() && bytes.len() <= FOLD_STACK {
        for (out, b) in buf.iter_mut().zip(bytes) {
            *out = b.to_ascii_lowercase();
        }
        n = bytes.len();
    } else {
        for c in s.chars().flat_map(char::to_lowercase) {
            if n + c.len_utf8() > FOLD_STACK {
                let folded: String = s.chars().flat_map(char::to_lowercase).collect();
                return f(folded.as_bytes());
            }
            n += c.encode_utf8(&mut buf[n..]).len();
        }
    }
    f(&buf[..n])
}

/// Text keys (at most `u32::MAX` bytes each) to ranges of an index's items: open addressing
/// over a power-of-two table at most half full, every key zero-padded to whole 8-byte words
/// and hashed a word at a time. [`Buckets::get_folded`] folds a short ASCII value a word at a
/// time as it hashes it, with no byte loop and no compare call.
#[derive(Debug)]
struct Buckets {
    slots: Vec<Slot>,
    /// The table has `1 << (64 - shift)` slots; a hash's top bits are its first slot.
    shift: u32,
    /// Every key, zero-padded to whole words.
    words: Vec<u64>,
}

#[derive(Debug, Clone, Copy)]
struct Slot {
    hash: u64,
    /// The key: its first word in `words`, its length in bytes ([`EMPTY`]: no key).
    word: u32,
    len: u32,
    /// The items' range.
    range: (u32, u32),
}

const EMPTY: u32 = u32::MAX;

/// The longest value [`Buckets::get_folded`] folds on the stack, in words.
const FOLD_WORDS: usize = 8;

const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// The word of up to 8 bytes, zero-padded (read in pieces of 4, 2 and 1 bytes: a copy of a
/// length known only at run time would call `memcpy`).
#[inline]
pub(super) fn word_of(chunk: &[u8]) -> u64 {
    if let Ok(w) = <[u8; 8]>::try_from(chunk) {
        return u64::from_le_bytes(w);
    }
    let (mut w, mut at) = (0u64, 0usize);
    if let Some(four) = chunk.get(..4).filter(|_| chunk.len() & 4 != 0) {
        w = u64::from(u32::from_le_bytes([four[0], four[1], four[2], four[3]]));
        at = 4;
    }
    if let Some(two) = chunk.get(at..at + 2).filter(|_| chunk.len() & 2 != 0) {
        w |= u64::from(u16::from_le_bytes([two[0], two[1]])) << (8 * at);
        at += 2;
    }
    if let Some(&one) = chunk.get(at).filter(|_| chunk.len() & 1 != 0) {
        w |= u64::from(one) << (8 * at);
    }
    w
}

/// One more word into a key's hash.
fn mix(h: u64, w: u64) -> u64 {
    (h.rotate_left(26) ^ w).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// The bytes of an ASCII word (every high bit clear) lowercased, as `to_ascii_lowercase`:
/// a byte gets 0x20 when it is at least `A` (adding 0x3f reaches 0x80) and below `[`
/// (adding 0x25 does not); no carry crosses bytes, since none exceeds 0x7f.
fn ascii_lowercase_word(w: u64) -> u64 {
    let at_least_a = w.wrapping_add(0x3f3f_3f3f_3f3f_3f3f);
    let past_z = w.wrapping_add(0x2525_2525_2525_2525);
    w | ((at_least_a & !past_z & HIGH_BITS) >> 2)
}

impl Buckets {
    /// The table of `keys` (distinct) with their ranges.
    fn new(keys: &[(&[u8], (u32, u32))]) -> Buckets {
        let size = (2 * keys.len()).max(4).next_power_of_two();
        let mut buckets = Buckets {
            slots: vec![
                Slot {
                    hash: 0,
                    word: 0,
                    len: EMPTY,
                    range: (0, 0),
                };
                size
            ],
            shift: 64 - size.trailing_zeros(),
            words: Vec::new(),
        };
        for &(key, range) in keys {
            let len = u32::try_from(key.len())
                .ok()
                .filter(|&n| n != EMPTY)
                .expect("a key shorter than 4 GB");
            let word = u32::try_from(buckets.words.len()).expect("keys under 32 GB");
            let mut hash = u64::from(len);
            for chunk in key.chunks(8) {
                let w = word_of(chunk);
                buckets.words.push(w);
                hash = mix(hash, w);
            }
            let mut i = buckets.first(hash);
            while buckets.slots[i].len != EMPTY {
                i = (i + 1) & (size - 1);
            }
            buckets.slots[i] = Slot {
                hash,
                word,
                len,
                range,
            };
        }
        buckets
    }

    fn first(&self, hash: u64) -> usize {
        (hash >> self.shift) as usize
    }

    /// The range of key `key`, compared byte for byte.
    fn get(&self, key: &[u8]) -> Option<(u32, u32)> {
        let len = u32::try_from(key.len()).ok()?;
        let hash = key
            .chunks(8)
            .fold(u64::from(len), |h, chunk| mix(h, word_of(chunk)));
        self.probe(hash, len, |words| {
            key.chunks(8).zip(words).all(|(c, &w)| word_of(c) == w)
        })
    }

    /// [`Buckets::get`] of `s` folded as evaluation folds it ([`with_folded`]): a short ASCII
    /// value is lowercased a word at a time as it is hashed; any other takes `with_folded`.
    fn get_folded(&self, s: &str) -> Option<(u32, u32)> {
        let bytes = s.as_bytes();
        if !bytes.is_empty() && bytes.len() <= 8 {
            // One word (a country code, a short name): no buffer, one compare. (The empty
            // key's hash is its length alone, as below.)
            let w = word_of(bytes);
            if w & HIGH_BITS != 0 {
                return with_folded(s, |f| self.get(f));
            }
            let w = ascii_lowercase_word(w);
            let len = bytes.len() as u32;
            return self.probe(mix(u64::from(len), w), len, |words| words == [w]);
        }
        if bytes.len() > 8 * FOLD_WORDS {
            return with_folded(s, |f| self.get(f));
        }
        let mut folded = [0u64; FOLD_WORDS];
        let len = bytes.len() as u32;
        let mut hash = u64::from(len);
        let mut high = 0;
        for (out, chunk) in folded.iter_mut().zip(bytes.chunks(8)) {
            let w = word_of(chunk);
            high |= w;
            *out = ascii_lowercase_word(w);
            hash = mix(hash, *out);
        }
        if high & HIGH_BITS != 0 {
            return with_folded(s, |f| self.get(f));
        }
        let n = bytes.len().div_ceil(8);
        // Word by word: `==` on slices of integers would call `memcmp`.
        self.probe(hash, len, |words| {
            words.iter().zip(&folded[..n]).all(|(a, b)| a == b)
        })
    }

    /// The range of the key with `hash` and `len` for which `same` holds of its words.
    fn probe(&self, hash: u64, len: u32, same: impl Fn(&[u64]) -> bool) -> Option<(u32, u32)> {
        let mask = self.slots.len() - 1;
        let mut i = self.first(hash);
        loop {
            let slot = &self.slots[i];
            if slot.len == EMPTY {
                return None;
            }
            if slot.hash == hash && slot.len == len {
                let at = slot.word as usize;
                let words = &self.words[at..at + (len as usize).div_ceil(8)];
                if same(words) {
                    return Some(slot.range);
                }
            }
            i = (i + 1) & mask;
        }
    }
}

/// Hash maps keyed by FxHash (rustc's, the `rustc-hash` crate): keys are short texts from the
/// config (and the accounts' domains and names, `matching`), hashed once per lookup.
pub(crate) type FxBuild = rustc_hash::FxBuildHasher;

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeZone, Utc};
    use proptest::prelude::*;
    use serde_json::json;

    fn territory(parent: Option<usize>, depth: u32, priority: i32, c: Option<Value>) -> Territory {
        Territory {
            parent,
            depth,
            priority,
            condition: c.map(|c| Condition::parse(&c).expect("a valid test condition")),
            pool: 0,
        }
    }

    /// The shape of the bench config (`benches/src/lib.rs`): 10 regions by country list, each
    /// with 21 industry children (priority 20) and 78 employee-band children (priority 10), the
    /// children repeating their region's country condition.
    fn bench_shaped() -> TerritoryIndex {
        let regions: [&[&str]; 10] = [
            &["US"],
            &["CA"],
            &["GB", "IE"],
            &["DE", "AT", "CH"],
            &["FR", "BE", "LU"],
            &["NL", "SE", "NO", "DK", "FI"],
            &["JP"],
            &["AU", "NZ"],
            &["SG", "IN", "HK", "MY"],
            &["BR", "MX", "ES", "IT", "PT", "AR"],
        ];
        let mut list = Vec::new();
        for countries in regions {
            let country = json!({"field": "country", "in": countries});
            let region = list.len();
            list.push(territory(None, 0, 0, Some(country.clone())));
            for k in 0..21 {
                let industry = json!({"field": "industry", "eq": format!("industry-{k}")});
                let c = json!({"all": [country, industry]});
                list.push(territory(Some(region), 1, 20, Some(c)));
            }
            for i in 0..78u64 {
                let (lo, hi) = (17 * i * i, 17 * (i + 1) * (i + 1) - 1);
                let band = json!({"field": "employees", "between": [lo, hi]});
                let c = json!({"all": [country, band]});
                list.push(territory(Some(region), 1, 10, Some(c)));
            }
        }
        TerritoryIndex::new(list)
    }

    #[test]
    fn bench_shaped_lookup_evaluates_a_few_conditions() {
        let index = bench_shaped();
        assert_eq!(index.list.len(), 1_000);
        // Roots by country; children by employee band, then industry, never by country.
        fn fields(g: &Group) -> (Vec<&str>, usize) {
            let f = g.indexes.iter().map(|i| i.field.as_str()).collect();
            (f, g.unindexed.len())
        }
        assert_eq!(fields(&index.groups[0]), (vec!["country"], 0));
        for g in &index.groups[1..] {
            assert_eq!(fields(g), (vec!["employees", "industry"], 0));
        }
        let leads = [
            json!({"country": "de", "industry": "industry-3", "employees": 1234}),
            json!({"country": "US", "industry": "nope", "employees": 50}),
            json!({"country": "FI", "employees": 17}),
            json!({"country": "JP", "industry": "INDUSTRY-20"}),
            json!({"country": "XX", "industry": "industry-1", "employees": 5}),
            json!({"industry": "industry-1", "employees": 5}),
            json!({"country": "AR", "industry": "industry-0", "employees": 9_999_999}),
        ];
        for lead in &leads {
            assert_eq!(index.find(lead), index.naive(lead), "{lead}");
            let visited = index.candidates_visited(lead);
            assert!(visited <= 3, "{visited} conditions for {lead}");
        }
        assert_eq!(index.candidates_visited(&leads[0]), 3);
        // Children need not repeat the region's country (it matched), and a keyed hit proves the
        // rest: the three candidates evaluate no condition at all.
        assert!(index.checks.iter().all(|c| c.unproven == 0));
        assert!(index.checks[1..100].iter().all(|c| c.nodes.len() == 1));
        assert_eq!(index.candidates_visited(&leads[5]), 0);
        // A value the index cannot key (a list) falls back to every territory of that index.
        let odd = json!({"country": ["US", "CA"], "industry": "industry-1", "employees": 5});
        assert_eq!(index.find(&odd), index.naive(&odd));
    }

    #[test]
    fn keys_fold_like_evaluation() {
        // Kelvin sign folds to ASCII `k`; `Ö` to `ö`; case-sensitive leaves keep raw text.
        let list = vec![
            territory(None, 0, 0, Some(json!({"field": "c", "eq": "k"}))),
            territory(
                None,
                0,
                0,
                Some(json!({"field": "c", "in": ["ÖSTERREICH", "x"]})),
            ),
            territory(
                None,
                0,
                0,
                Some(json!({"field": "c", "eq": "Ab", "case_sensitive": true})),
            ),
            territory(None, 0, 0, Some(json!({"field": "c", "in": ["ab", 5]}))),
        ];
        let index = TerritoryIndex::new(list);
        for (value, want) in [
            (json!("\u{212A}"), Some(0)),
            (json!("K"), Some(0)),
            (json!("österreich"), Some(1)),
            (json!("Ab"), Some(2)),
            (json!("AB"), Some(3)),
            (json!(5), Some(3)),
            (json!(5.5), None),
            (json!(["x"]), Some(1)),
        ] {
            let lead = json!({ "c": value });
            assert_eq!(index.naive(&lead), want, "{lead}");
            assert_eq!(index.find(&lead), want, "{lead}");
        }
    }

    #[test]
    fn bands_and_postal_ranges_are_inclusive_supersets() {
        let list = vec![
            territory(None, 0, 0, Some(json!({"field": "n", "gt": 10}))),
            territory(None, 0, 1, Some(json!({"field": "n", "lte": 10}))),
            territory(None, 0, 2, Some(json!({"field": "n", "eq": 0}))),
            territory(
                None,
                0,
                0,
                Some(json!({"field": "z", "postal_code_range": ["10000", "14999"]})),
            ),
            territory(
                None,
                0,
                1,
                Some(json!({"field": "z", "postal_code_range": ["sw1a", "sw9z"]})),
            ),
            territory(
                None,
                0,
                2,
                Some(json!({"field": "z", "postal_code_range": ["100", "199"]})),
            ),
        ];
        let index = TerritoryIndex::new(list);
        assert_eq!(index.groups[0].indexes.len(), 2);
        for (n, want) in [
            (10.0, Some(1)),
            (10.5, Some(0)),
            (-0.0, Some(2)),
            (0.0, Some(2)),
        ] {
            let lead = json!({ "n": n });
            assert_eq!(index.find(&lead), want, "{lead}");
        }
        for (z, want) in [
            ("10115-1234", Some(5)),
            (" 14 999", Some(5)),
            ("1 9", None),
            ("sw5b", Some(4)),
            ("SW1A 1AA", None),
            ("15000", Some(5)),
            ("2000", None),
            ("10\u{b}115", None),
        ] {
            let lead = json!({ "z": z });
            assert_eq!(index.naive(&lead), want, "{lead}");
            assert_eq!(index.find(&lead), want, "{lead}");
        }
    }

    #[test]
    fn an_any_on_one_field_is_indexed_as_a_union() {
        let any = |items: Value| Some(json!({ "any": items }));
        let list = vec![
            territory(
                None,
                0,
                0,
                any(json!([{"field": "c", "eq": "US"}, {"field": "c", "in": ["CA"]}])),
            ),
            territory(None, 0, 0, Some(json!({"field": "c", "eq": "DE"}))),
            territory(
                None,
                0,
                1,
                any(json!([
                    {"field": "z", "postal_code_range": ["1", "5"]},
                    {"field": "z", "postal_code_range": ["SW1A", "SW9Z"]},
                ])),
            ),
            territory(
                None,
                0,
                1,
                Some(json!({"field": "z", "postal_code_range": ["7", "9"]})),
            ),
            territory(
                None,
                0,
                1,
                any(json!([
                    {"field": "z", "postal_code_range": ["6", "6"]},
                    {"field": "z", "postal_code_range": ["9", "9"]},
                ])),
            ),
            // A strict bound makes the union a superset: a hit on 5 proves nothing.
            territory(
                None,
                0,
                2,
                any(json!([{"field": "n", "gte": 10}, {"field": "n", "gt": 5}])),
            ),
            territory(None, 0, 0, Some(json!({"field": "n", "lt": 0}))),
        ];
        let index = TerritoryIndex::new(list);
        // The union of two classes of postal ranges is not keyed: territory 2 stays unindexed.
        assert_eq!(index.groups[0].indexes.len(), 3);
        assert_eq!(index.groups[0].unindexed, vec![2]);
        for (lead, want) in [
            (json!({"c": "ca"}), Some(0)),
            (json!({"c": "us"}), Some(0)),
            (json!({"c": "de"}), Some(1)),
            (json!({"z": "sw5b"}), Some(2)),
            (json!({"z": "3"}), Some(2)),
            (json!({"z": "6"}), Some(4)),
            (json!({"z": "8"}), Some(3)),
            (json!({"z": "9"}), Some(3)),
            (json!({"n": 5}), None),
            (json!({"n": 5.5}), Some(5)),
            (json!({"n": 10}), Some(5)),
            (json!({"n": 0}), None),
        ] {
            assert_eq!(index.naive(&lead), want, "{lead}");
            assert_eq!(index.find(&lead), want, "{lead}");
        }
    }

    #[test]
    fn deep_chains_are_searched_past_the_recursion_limit() {
        let n = MAX_LEVELS + 8;
        let list: Vec<Territory> = (0..n)
            .map(|i| {
                let c = json!({"field": "n", "gte": i});
                territory(i.checked_sub(1), i as u32, 0, Some(c))
            })
            .collect();
        let index = TerritoryIndex::new(list);
        for v in [0, 5, MAX_LEVELS - 1, MAX_LEVELS, MAX_LEVELS + 3, n + 10] {
            let lead = json!({ "n": v });
            assert_eq!(index.find(&lead), index.naive(&lead), "{lead}");
            assert_eq!(index.find(&lead), Some(v.min(n - 1)));
        }
    }

    // -----------------------------------------------------------------------------------------
    // Property: the index agrees with evaluating every territory.

    const FIELDS: &[&str] = &["country", "industry", "n", "zip"];
    const TEXTS: &[&str] = &[
        "US",
        "us",
        "Us",
        "DE",
        "Österreich",
        "ÖSTERREICH",
        "österreich",
        "\u{212A}",
        "k",
        "5",
        "10",
        "2024-01-01",
        "10115",
        "SW1A",
    ];
    const LEAD_TEXTS: &[&str] = &[
        "",
        "us ",
        "10.5",
        "-0",
        "10115-1234",
        " 10 115 ",
        "10\u{b}115",
        "1",
        "150",
        "sw1a",
        "SW5B",
        "sw9z1",
        "Ö1",
        "2024-01-01T12:00:00Z",
    ];
    const POSTAL_LEADS: &[&str] = &[
        "10115-1234",
        " 10 115 ",
        "10100",
        "14999",
        "150",
        "1",
        "6",
        "SW5B",
        "sw1a",
        "SW1A 1AA",
        "Ö1",
        "ö5",
        "a1",
    ];
    const NUMBERS: &[f64] = &[-1.0, -0.0, 0.0, 1.0, 5.0, 10.0, 10.5, 100.0, 150.0, 1e9];
    const POSTAL: &[[&str; 2]] = &[
        ["10000", "14999"],
        ["10100", "10199"],
        ["100", "199"],
        ["1", "5"],
        ["SW1A", "SW9Z"],
        ["sw1a", "sw1z"],
        ["A1", "Z9"],
        ["Ö1", "ö9"],
    ];

    fn text() -> impl Strategy<Value = Value> {
        prop::sample::select(TEXTS).prop_map(Value::from)
    }

    fn number() -> impl Strategy<Value = Value> {
        prop::sample::select(NUMBERS).prop_map(|x| json!(x))
    }

    /// An operator with its operand, for `field`: mostly of the field's natural kind (text for
    /// `country` and `industry`, numbers for `n`, postal ranges for `zip`), any other now and then.
    fn op(field: &str) -> impl Strategy<Value = Value> {
        let (t, n, p) = match field {
            "n" => (1, 6, 1),
            "zip" => (1, 1, 6),
            _ => (6, 1, 1),
        };
        prop_oneof![
            t => text().prop_map(|v| json!({"eq": v})),
            t => prop::collection::vec(text(), 1..4).prop_map(|v| json!({"in": v})),
            1 => prop::collection::vec(prop_oneof![text(), number()], 1..4)
                .prop_map(|v| json!({"in": v})),
            n => number().prop_map(|v| json!({"eq": v})),
            n => prop::collection::vec(number(), 1..4).prop_map(|v| json!({"in": v})),
            n => (prop::sample::select(vec!["gt", "gte", "lt", "lte"]), number())
                .prop_map(|(op, v)| json!({ op: v })),
            n => (number(), number()).prop_map(|(a, b)| {
                let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
                json!({"between": [a.min(b), a.max(b)]})
            }),
            p => prop::sample::select(POSTAL).prop_map(|r| json!({"postal_code_range": r})),
            1 => text().prop_map(|v| json!({"ne": v})),
            1 => any::<bool>().prop_map(|b| json!({"exists": b})),
            1 => text().prop_map(|v| json!({"starts_with": v})),
            1 => Just(json!({"eq": true})),
            1 => Just(json!({"gte": "2024-01-01"})),
        ]
    }

    fn leaf_on(field: &'static str) -> impl Strategy<Value = Value> {
        (op(field), prop::bool::weighted(0.2)).prop_map(move |(mut leaf, cs)| {
            leaf["field"] = json!(field);
            if cs {
                leaf["case_sensitive"] = json!(true);
            }
            leaf
        })
    }

    fn leaf() -> impl Strategy<Value = Value> {
        prop::sample::select(FIELDS).prop_flat_map(leaf_on)
    }

    /// An item of a condition: a leaf, an `any` (often of one field, so unions are indexed), a
    /// `not`.
    fn item() -> impl Strategy<Value = Value> {
        prop_oneof![
            6 => leaf(),
            2 => prop::sample::select(FIELDS)
                .prop_flat_map(|f| prop::collection::vec(leaf_on(f), 1..4))
                .prop_map(|items| json!({"any": items})),
            1 => prop::collection::vec(leaf(), 1..3).prop_map(|items| json!({"any": items})),
            1 => leaf().prop_map(|l| json!({"not": l})),
        ]
    }

    fn condition() -> impl Strategy<Value = Value> {
        prop_oneof![
            3 => item(),
            4 => prop::collection::vec(item(), 1..4).prop_map(|items| json!({"all": items})),
            1 => (prop::collection::vec(item(), 1..3), item())
                .prop_map(|(inner, more)| json!({"all": [{"all": inner}, more]})),
        ]
    }

    /// Generation order: each territory's parent is an earlier one (depth at most 3), then the
    /// list is shuffled so parents are also declared after their children.
    fn forest() -> impl Strategy<Value = Vec<Territory>> {
        let spec = || {
            (
                prop::option::weighted(0.7, any::<prop::sample::Index>()),
                -2i32..3,
                prop::option::weighted(0.9, condition()),
            )
        };
        (1usize..60)
            .prop_flat_map(move |n| {
                let order: Vec<usize> = (0..n).collect();
                (prop::collection::vec(spec(), n), Just(order).prop_shuffle())
            })
            .prop_map(|(specs, position)| {
                let mut level = vec![0u32; specs.len()];
                let mut parent = vec![None; specs.len()];
                for (i, (pick, ..)) in specs.iter().enumerate() {
                    if let (Some(pick), true) = (pick, i > 0) {
                        let p = pick.index(i);
                        if level[p] < 3 {
                            parent[i] = Some(p);
                            level[i] = level[p] + 1;
                        }
                    }
                }
                let mut slots: Vec<Option<Territory>> = (0..specs.len()).map(|_| None).collect();
                for (i, (_, priority, c)) in specs.into_iter().enumerate() {
                    let t = territory(parent[i].map(|p| position[p]), level[i], priority, c);
                    slots[position[i]] = Some(t);
                }
                slots.into_iter().map(Option::unwrap).collect()
            })
    }

    /// A lead's value for `field`: mostly of the field's natural kind, any other now and then.
    fn lead_scalar(field: &str) -> impl Strategy<Value = &'static str> {
        let (t, p) = if field == "zip" { (1, 6) } else { (4, 1) };
        prop_oneof![
            t => prop::sample::select(TEXTS),
            2 => prop::sample::select(LEAD_TEXTS),
            p => prop::sample::select(POSTAL_LEADS),
        ]
    }

    fn lead_value(field: &'static str) -> impl Strategy<Value = Value> {
        let n = if field == "n" { 6 } else { 2 };
        let scalar = prop_oneof![
            4 => lead_scalar(field).prop_map(Value::from),
            n => number(),
            1 => any::<bool>().prop_map(Value::from),
        ];
        prop_oneof![
            8 => scalar.clone(),
            1 => prop::collection::vec(scalar, 0..3).prop_map(Value::from),
            1 => Just(Value::Null),
            1 => Just(json!({"k": "US"})),
        ]
    }

    fn lead() -> impl Strategy<Value = Value> {
        FIELDS
            .iter()
            .map(|f| prop::option::weighted(0.8, lead_value(f)))
            .collect::<Vec<_>>()
            .prop_map(|values| {
                let map = FIELDS
                    .iter()
                    .zip(values)
                    .filter_map(|(f, v)| Some(((*f).to_string(), v?)))
                    .collect();
                Value::Object(map)
            })
    }

    /// A typed record: values a JSON object record does not produce (dates, timestamps, NaN,
    /// typed lists, JSON values).
    #[derive(Debug)]
    struct Typed(Vec<(&'static str, FieldValue<'static>)>);

    impl Record for Typed {
        fn field(&self, path: &str) -> Option<FieldValue<'_>> {
            self.0
                .iter()
                .find(|(f, _)| *f == path)
                .map(|(_, v)| v.clone())
        }
    }

    static JSON_VALUES: std::sync::LazyLock<Vec<Value>> = std::sync::LazyLock::new(|| {
        vec![
            Value::Null,
            json!("us"),
            json!("Österreich"),
            json!(10),
            json!(-0.0),
            json!(10.5),
            json!(true),
            json!("10115"),
            json!(["DE", 5]),
            json!({"k": 1}),
        ]
    });

    fn typed_value(field: &'static str) -> impl Strategy<Value = FieldValue<'static>> {
        let day = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
        let instant = Utc.with_ymd_and_hms(2024, 1, 1, 12, 0, 0).unwrap();
        let scalar = prop_oneof![
            3 => lead_scalar(field).prop_map(FieldValue::Text),
            3 => prop::sample::select(NUMBERS).prop_map(FieldValue::Number),
            1 => Just(FieldValue::Number(f64::NAN)),
            1 => Just(FieldValue::Date(day)),
            1 => Just(FieldValue::Timestamp(instant)),
            1 => any::<bool>().prop_map(FieldValue::Bool),
            2 => (0..JSON_VALUES.len()).prop_map(|i| FieldValue::Json(&JSON_VALUES[i])),
        ];
        prop_oneof![
            6 => scalar.clone(),
            1 => prop::collection::vec(scalar, 0..3).prop_map(FieldValue::List),
        ]
    }

    fn typed() -> impl Strategy<Value = Typed> {
        FIELDS
            .iter()
            .map(|f| prop::option::weighted(0.8, typed_value(f)))
            .collect::<Vec<_>>()
            .prop_map(|values| {
                let fields = FIELDS.iter().zip(values);
                Typed(fields.filter_map(|(f, v)| Some((*f, v?))).collect())
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn find_agrees_with_naive(
            list in forest(),
            leads in prop::collection::vec(lead(), 1..12),
            typed in prop::collection::vec(typed(), 1..6),
        ) {
            let index = TerritoryIndex::new(list);
            for lead in &leads {
                prop_assert_eq!(index.find(lead), index.naive(lead), "lead {}", lead);
            }
            for record in &typed {
                prop_assert_eq!(index.find(record), index.naive(record), "record {:?}", record.0);
            }
        }
    }

    /// Text of every shape the bucket table meets: empty, word-sized and around it, long (over
    /// [`FOLD_WORDS`] words), mixed case, non-ASCII that folds to ASCII (Kelvin sign), bytes
    /// next to the letters (`@`, `[`, backtick, `{`), zero bytes.
    fn bucket_text() -> impl Strategy<Value = String> {
        let piece = prop::sample::select(vec![
            "a",
            "Z",
            "k",
            "\u{212A}",
            "Ö",
            "ß",
            "@",
            "[",
            "`",
            "{",
            "\0",
            "0",
            "_",
            " ",
            "mN",
            "software",
            "Professional_Services",
            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        ]);
        prop::collection::vec(piece, 0..6).prop_map(|p| p.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// The bucket table finds exactly the keys a map finds: raw bytes by `get`, and by
        /// `get_folded` what `with_folded` (evaluation's folding) gives; and `total_order`
        /// orders numbers as `total_cmp`.
        #[test]
        fn buckets_agree_with_a_map(
            keys in prop::collection::vec(bucket_text(), 0..40),
            probes in prop::collection::vec(bucket_text(), 1..40),
            numbers in prop::collection::vec(prop_oneof![
                any::<f64>(),
                prop::sample::select(vec![0.0, -0.0, f64::INFINITY, f64::NEG_INFINITY, 1e-310, -1e-310, f64::NAN]),
            ], 2..10),
        ) {
            let mut map: HashMap<Vec<u8>, (u32, u32)> = HashMap::new();
            let mut list = Vec::new();
            for (i, k) in keys.iter().enumerate() {
                // Keys as the index stores them: folded, plus some raw (case-sensitive) ones.
                for key in [with_folded(k, <[u8]>::to_vec), k.as_bytes().to_vec()] {
                    let range = (i as u32, i as u32 + 1);
                    if !map.contains_key(&key) {
                        map.insert(key.clone(), range);
                        list.push((key, range));
                    }
                }
            }
            let entries: Vec<(&[u8], (u32, u32))> =
                list.iter().map(|(k, r)| (k.as_slice(), *r)).collect();
            let buckets = Buckets::new(&entries);
            for p in probes.iter().chain(&keys) {
                prop_assert_eq!(buckets.get(p.as_bytes()), map.get(p.as_bytes()).copied(), "{:?}", p);
                let folded = with_folded(p, <[u8]>::to_vec);
                prop_assert_eq!(buckets.get_folded(p), map.get(&folded).copied(), "{:?}", p);
            }
            for a in &numbers {
                for b in &numbers {
                    prop_assert_eq!(total_order(*a).cmp(&total_order(*b)), a.total_cmp(b));
                }
            }
        }
    }
}
