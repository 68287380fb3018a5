//! Conditions bound to field slots, for engines that test many conditions on one record: the
//! record's fields are read once into a slice (one slot per distinct path), and every leaf
//! reads its slot instead of looking its path up again. The tree is flattened into a list of
//! leaves that each say where to go next, so evaluation is a loop rather than a walk. Leaves are evaluated by the same leaf
//! evaluator as [`Condition::matches`], so a bound condition gives exactly its answer as long
//! as slot `i` holds `record.field(paths[i])`.
//!
//! Binding also specialises the common leaves once (a [`Test`]): an `in` of texts compared
//! word by word, number bounds compared directly, `contains` searched a word at a time. A specialised test answers only for the
//! value shapes where it is exactly the general evaluator's answer (a plain text, ASCII when
//! case is ignored; a plain number) and hands every other value to the leaf evaluator.
//!
//! Conditions tested together on each record can be gathered in a [`BoundSet`]: matched in one
//! call, and the literal leaves on one text field (`matches` alternations, `contains`) answered
//! by one pass over the text instead of one search each (remembered by text in a
//! [`SearchMemo`] from record to record); its cheap leaves (text lists, number bounds, affixes,
//! free mail) are tested up front in one flat loop per kind, and a one-leaf condition takes its
//! answer from there.

use super::ast::{Bound, Leaf, Node, Op, Scalar};
use super::domain::is_free_mail_address;
use super::eval::Shortcut;
use super::literal::{ascii_lowercase_word, Literals, SharedSearch, SHARED_MAX_VALUE};
use super::{Condition, FieldValue};

/// How a bound leaf is tested, decided at bind time.
#[derive(Debug, Clone)]
enum Test {
    /// `in` with text items, or `eq` of a text: a text value is compared with them here.
    Texts(TextSet),
    /// `gt`, `gte`, `lt`, `lte`, `between` with number operands, or `eq` of a number: a
    /// number value is compared with the bounds here.
    Numbers(NumberRange),
    /// `contains` of a text: a text value is searched a word at a time here.
    Contains(Box<Literals>),
    /// `starts_with` / `ends_with` of a text: a text value's first or last bytes are compared
    /// here.
    Affix(Box<Affix>),
    /// `matches`: a text value goes straight to the leaf's pattern (its literal search first).
    Matches,
    /// `free_mail: true`: a text value goes straight to the provider lookup.
    FreeMail,
    /// Everything else: the leaf evaluator.
    General,
}

/// The text items of an `in` list (lowercase when case is ignored), each with its first bytes
/// packed in a word: a value of up to 8 bytes is compared with each item in one step.
#[derive(Debug, Clone)]
pub(super) struct TextSet {
    pub(super) fold: bool,
    pub(super) items: Vec<TextItem>,
}

#[derive(Debug, Clone)]
pub(super) struct TextItem {
    pub(super) bytes: Box<[u8]>,
    /// The first (up to) 8 bytes, little-endian, zero-padded.
    head: u64,
}

/// At most this many text items are compared one by one; longer lists keep the leaf's hash set.
const MAX_TEXT_ITEMS: usize = 32;

impl TextSet {
    /// For `in` lists whose texts can be compared byte for byte: all of them when case
    /// counts, all-ASCII ones when it is ignored (on an ASCII value, ignoring case is then
    /// ASCII case folding on both sides).
    fn of(leaf: &Leaf) -> Option<TextSet> {
        let listed: &[Scalar] = match &leaf.op {
            Op::In(set) => &set.items,
            // `eq` of a text is `in` of that one text on a text value.
            Op::Eq(one @ Scalar::Text(_)) => std::slice::from_ref(one),
            _ => return None,
        };
        let fold = !leaf.case_sensitive;
        let mut items = Vec::new();
        for item in listed {
            if let Scalar::Text(t) = item {
                if fold && !t.ascii {
                    return None;
                }
                let bytes = if fold {
                    t.raw.to_ascii_lowercase().into_bytes()
                } else {
                    t.raw.as_bytes().to_vec()
                };
                items.push(TextItem {
                    head: head_word(&bytes, false),
                    bytes: bytes.into(),
                });
            }
        }
        (items.len() <= MAX_TEXT_ITEMS).then_some(TextSet { fold, items })
    }

    /// Whether `s` equals an item; `None` when only the leaf evaluator can tell (a value
    /// that is not ASCII while case is ignored: `K` U+212A folds to `k`).
    #[inline(always)]
    fn contains(&self, s: &str) -> Option<bool> {
        let bytes = s.as_bytes();
        if bytes.len() <= 8 {
            // The word holds the whole value: equal words of equal lengths are equal texts.
            let mut head = short_word(bytes);
            if self.fold {
                // A byte with its top bit set is part of a non-ASCII character.
                if head & (ONES * 0x80) != 0 {
                    return None;
                }
                head = ascii_lowercase_word(head);
            }
            return Some(
                self.items
                    .iter()
                    .any(|item| item.head == head && item.bytes.len() == bytes.len()),
            );
        }
        if self.fold && !s.is_ascii() {
            return None;
        }
        Some(if self.fold {
            self.items.iter().any(|item| {
                item.bytes.len() == bytes.len() && bytes.eq_ignore_ascii_case(&item.bytes)
            })
        } else {
            self.items.iter().any(|item| *item.bytes == *bytes)
        })
    }
}

const ONES: u64 = 0x0101_0101_0101_0101;

/// `bytes` (at most 8) as a little-endian word, zero-padded: what [`head_word`] reads without
/// lowering, in two overlapping loads instead of a loop (the overlap holds the same bytes, so
/// OR-ing the loads is exact).
#[inline(always)]
pub(super) fn short_word(bytes: &[u8]) -> u64 {
    let n = bytes.len();
    debug_assert!(n <= 8);
    let at = |i: usize, k: usize| {
        let mut w = [0u8; 8];
        w[..k].copy_from_slice(&bytes[i..i + k]);
        u64::from_le_bytes(w)
    };
    if n >= 4 {
        at(0, 4) | (at(n - 4, 4) << (8 * (n - 4)))
    } else if n >= 2 {
        at(0, 2) | (at(n - 2, 2) << (8 * (n - 2)))
    } else if n == 1 {
        u64::from(bytes[0])
    } else {
        0
    }
}

/// The first (up to) 8 bytes of `bytes` as a little-endian word, zero-padded, ASCII-lowercased
/// when `lower`.
fn head_word(bytes: &[u8], lower: bool) -> u64 {
    let mut word = 0u64;
    for (i, &b) in bytes.iter().take(8).enumerate() {
        let b = if lower { b.to_ascii_lowercase() } else { b };
        word |= u64::from(b) << (8 * i);
    }
    word
}

/// Number bounds: `lo < x` (or `<=` when closed) and `x < hi` (or `<=`). An absent bound is
/// an infinity with a closed end, which every number but NaN passes; NaN passes no
/// comparison, as the leaf evaluator never lets it compare.
#[derive(Debug, Clone, Copy)]
pub(super) struct NumberRange {
    lo: f64,
    lo_open: bool,
    hi: f64,
    hi_open: bool,
}

impl NumberRange {
    fn of(leaf: &Leaf) -> Option<NumberRange> {
        let number = |b: &Bound| match b {
            Bound::Number(n) => Some(n.value),
            Bound::Date { .. } => None,
        };
        let (lo, lo_open, hi, hi_open) = match &leaf.op {
            Op::Gt(b) => (number(b)?, true, f64::INFINITY, false),
            Op::Gte(b) => (number(b)?, false, f64::INFINITY, false),
            Op::Lt(b) => (f64::NEG_INFINITY, false, number(b)?, true),
            Op::Lte(b) => (f64::NEG_INFINITY, false, number(b)?, false),
            Op::Between(lo, hi) => (number(lo)?, false, number(hi)?, false),
            Op::Eq(Scalar::Number(n)) => (n.value, false, n.value, false),
            _ => return None,
        };
        Some(NumberRange {
            lo,
            lo_open,
            hi,
            hi_open,
        })
    }

    #[inline(always)]
    pub(super) fn contains(&self, x: f64) -> bool {
        let above = if self.lo_open {
            x > self.lo
        } else {
            x >= self.lo
        };
        let below = if self.hi_open {
            x < self.hi
        } else {
            x <= self.hi
        };
        above && below
    }
}

/// The operand of `starts_with` (`end` false) or `ends_with`: as written when case counts,
/// folded (and ASCII) when it is ignored.
#[derive(Debug, Clone)]
struct Affix {
    needle: Box<[u8]>,
    /// A needle of up to 8 bytes as a little-endian word (zero-padded, ASCII-lowercased when
    /// case is ignored): compared with the value's bytes read as one word.
    word: Option<u64>,
    fold: bool,
    end: bool,
}

impl Affix {
    fn of(leaf: &Leaf) -> Option<Affix> {
        let (t, end) = match &leaf.op {
            Op::StartsWith(t) => (t, false),
            Op::EndsWith(t) => (t, true),
            _ => return None,
        };
        let fold = !leaf.case_sensitive;
        if fold && !t.folded.is_ascii() {
            return None;
        }
        let needle = if fold { &t.folded } else { &t.raw };
        Some(Affix::new(needle.as_bytes(), fold, end))
    }

    /// From the needle as compared: folded (ASCII) when `fold`, as written otherwise.
    fn new(needle: &[u8], fold: bool, end: bool) -> Affix {
        let word = (needle.len() <= 8).then(|| {
            let word = short_word(needle);
            if fold {
                ascii_lowercase_word(word)
            } else {
                word
            }
        });
        Affix {
            needle: needle.into(),
            word,
            fold,
            end,
        }
    }

    /// Whether `s` starts (ends) with the operand; `None` when only the leaf evaluator can
    /// tell. Ignoring case, the answer is read off the value's first (last) bytes when they
    /// are ASCII: they are then its first (last) characters, each folding to one ASCII
    /// character, which is all the evaluator's folded comparison looks at.
    /// A needle of up to 8 bytes is compared as one word: the value's bytes in the same
    /// place, zero-padded, are equal to it (ASCII-lowercased, when case is ignored and they
    /// are ASCII) exactly when the slices are (ignoring ASCII case).
    #[inline]
    fn test(&self, s: &str) -> Option<bool> {
        let bytes = s.as_bytes();
        let n = self.needle.len();
        let part = if self.end {
            bytes.get(bytes.len().checked_sub(n)?..)?
        } else {
            bytes.get(..n)?
        };
        if let Some(word) = self.word {
            let got = short_word(part);
            if !self.fold {
                return Some(got == word);
            }
            return (got & (ONES * 0x80) == 0).then(|| ascii_lowercase_word(got) == word);
        }
        if !self.fold {
            return Some(*part == *self.needle);
        }
        part.is_ascii()
            .then(|| part.eq_ignore_ascii_case(&self.needle))
    }
}

/// `contains` on a text value is a substring test: of the operand as written when case counts,
/// of its folded form on an ASCII value when case is ignored (an ASCII value folds to ASCII, so
/// only an ASCII folded form can occur in it; a non-ASCII one is left to the leaf evaluator).
fn contains_search(leaf: &Leaf) -> Option<Literals> {
    let Op::Contains(t) = &leaf.op else {
        return None;
    };
    if leaf.case_sensitive {
        Literals::of_text(&t.raw, false)
    } else {
        Literals::of_text(&t.folded, true)
    }
}

impl Test {
    fn of(leaf: &Leaf) -> Test {
        if let Some(set) = TextSet::of(leaf) {
            Test::Texts(set)
        } else if let Some(range) = NumberRange::of(leaf) {
            Test::Numbers(range)
        } else if let Some(search) = contains_search(leaf) {
            Test::Contains(Box::new(search))
        } else if let Some(affix) = Affix::of(leaf) {
            Test::Affix(Box::new(affix))
        } else if matches!(leaf.op, Op::Matches(_)) {
            Test::Matches
        } else if leaf.op == Op::FreeMail(true) {
            Test::FreeMail
        } else {
            Test::General
        }
    }
}

/// A [`Condition`] whose leaves read `values[slot]` (see [`Condition::bind`]), flattened: its
/// leaves in one list, each naming where evaluation goes next when it holds and when it does
/// not (another leaf, or the answer). Matching is a loop over leaves: no recursion, no walk
/// through `all` / `any` / `not` nodes. The leaves are visited exactly as the tree's
/// short-circuit evaluation visits them, left to right, and the answer is the tree's.
#[derive(Debug, Clone)]
pub(crate) struct BoundCondition {
    /// In the order the tree lists its leaves.
    pub(super) steps: Vec<Step>,
    /// The first leaf to test (or [`HOLDS`] / [`FAILS`] for a condition without leaves,
    /// which parsing never produces).
    entry: u32,
}

/// One leaf of a [`BoundCondition`] and where evaluation goes after it.
#[derive(Debug, Clone)]
pub(super) struct Step {
    pub(super) slot: usize,
    how: Shortcut,
    test: Test,
    leaf: Leaf,
    /// `next[0]` when the leaf does not hold, `next[1]` when it does: a step, [`HOLDS`] or
    /// [`FAILS`].
    next: [u32; 2],
    /// In a [`BoundSet`], the bit of this leaf in [`Known`] when a shared search or an
    /// eager test ([`Eager`]) answers it before the conditions are walked.
    shared: Option<u8>,
}

/// The condition holds (a `next` past every step).
const HOLDS: u32 = u32::MAX;
/// The condition does not hold.
const FAILS: u32 = u32::MAX - 1;

impl Condition {
    /// This condition with each leaf bound to the index of its field in `paths`; a path not
    /// yet there is appended (in the order the leaves are listed), so binding never fails (a
    /// caller that listed every path of the condition beforehand, e.g. from
    /// [`Condition::fields`], sees `paths` unchanged).
    pub(crate) fn bind(&self, paths: &mut Vec<Box<str>>) -> BoundCondition {
        add_paths(&self.root, paths);
        let mut steps = Vec::new();
        let entry = flatten(&self.root, HOLDS, FAILS, paths, &mut steps);
        // Leaves were pushed last first: reverse them into the tree's order.
        let last = steps.len() as u32;
        let reversed = |at: u32| if at >= FAILS { at } else { last - 1 - at };
        steps.reverse();
        for s in &mut steps {
            s.next = s.next.map(reversed);
        }
        BoundCondition {
            steps,
            entry: reversed(entry),
        }
    }
}

/// Appends the paths of `node`'s leaves not yet in `paths`, in the order the leaves are listed.
/// Trees are at most `Limits::max_depth` deep, so recursing is safe.
fn add_paths(node: &Node, paths: &mut Vec<Box<str>>) {
    match node {
        Node::All(children) | Node::Any(children) => {
            children.iter().for_each(|c| add_paths(c, paths));
        }
        Node::Not(child) => add_paths(child, paths),
        Node::Leaf(leaf) => {
            if !paths.iter().any(|p| **p == *leaf.field) {
                paths.push(leaf.field.as_str().into());
            }
        }
    }
}

/// Pushes the steps of `node`, which goes to `holds` when it holds and to `fails` when it does
/// not, and returns its first step. Children are pushed last first, so each one's
/// continuation is already known: in `all`, a child that holds goes to the next child (the
/// last one to `holds`) and one that fails to `fails`; `any` the other way round; `not` swaps.
fn flatten(node: &Node, holds: u32, fails: u32, paths: &[Box<str>], steps: &mut Vec<Step>) -> u32 {
    match node {
        Node::All(children) => children
            .iter()
            .rev()
            .fold(holds, |next, c| flatten(c, next, fails, paths, steps)),
        Node::Any(children) => children
            .iter()
            .rev()
            .fold(fails, |next, c| flatten(c, holds, next, paths, steps)),
        Node::Not(child) => flatten(child, fails, holds, paths, steps),
        Node::Leaf(leaf) => {
            // `add_paths` put every leaf's path there.
            let slot = paths
                .iter()
                .position(|p| **p == *leaf.field)
                .unwrap_or(paths.len());
            steps.push(Step {
                slot,
                how: leaf.shortcut(),
                test: Test::of(leaf),
                leaf: leaf.clone(),
                next: [fails, holds],
                shared: None,
            });
            (steps.len() - 1) as u32
        }
    }
}

impl BoundCondition {
    /// Whether the record whose fields are `values` (slot `i` holding the value of path `i`
    /// of the binding) matches. A slot past the end of `values` reads as absent.
    #[inline]
    pub(crate) fn matches(&self, values: &[Option<FieldValue<'_>>]) -> bool {
        self.matches_knowing(values, Known::NOTHING)
    }

    #[inline(always)]
    fn matches_knowing(&self, values: &[Option<FieldValue<'_>>], known: Known) -> bool {
        let mut at = self.entry;
        while let Some(step) = self.steps.get(at as usize) {
            at = step.next[usize::from(step.holds(values, known))];
        }
        at == HOLDS
    }
}

/// Answers of the shared searches of a [`BoundSet`] for one record: bit `b` of `holds` is the
/// answer of the leaf marked `shared: Some(b)` when bit `b` of `answered` is set.
#[derive(Debug, Clone, Copy)]
struct Known {
    answered: u64,
    holds: u64,
}

impl Known {
    const NOTHING: Known = Known {
        answered: 0,
        holds: 0,
    };

    #[inline(always)]
    fn set(&mut self, bit: u8, holds: bool) {
        self.answered |= 1 << bit;
        self.holds |= u64::from(holds) << bit;
    }
}

/// Conditions bound to the same slots and tested together on each record (the lead rules a
/// [`PlannedSet`](super::PlannedSet) does not compile): literal leaves on one text field (`matches` alternations, `contains`) are
/// answered by one pass over the text ([`SharedSearch`]) instead of one search each, and the
/// whole set is matched in one call. Each condition answers exactly what
/// [`BoundCondition::matches`] answers: a shared answer is the leaf's own fast test's answer,
/// and a leaf the pass does not answer (a value that is not text, not ASCII while case is
/// ignored, too long) is tested on its own.
#[derive(Debug, Clone)]
pub(crate) struct BoundSet {
    conditions: Vec<BoundCondition>,
    /// The slot each shared search reads, the search, and the bit of its first leaf.
    searches: Vec<(usize, SharedSearch, u8)>,
    /// The leaves answered before any condition is walked, grouped by kind.
    eager: Eager,
    /// For each condition of a single leaf with a bit: that bit (its answer, when known, is
    /// the condition's answer without walking it).
    single: Vec<Option<u8>>,
    /// Which set a [`SearchMemo`] holds the answers of (a clone has the same searches).
    id: u64,
}

/// The cheap leaves of a [`BoundSet`] (text lists, number bounds, prefixes and suffixes,
/// free mail), each with its slot and its bit in [`Known`]: every one is tested on each record
/// in a flat loop per kind, with no per-leaf dispatch, before the conditions are walked. Each
/// answers exactly what its step's own fast test answers, and only where that test answers
/// (a value of the wrong shape leaves the bit unknown and the step tests it as before). The
/// leaves are pure, so testing one that short-circuiting would have skipped changes no answer.
#[derive(Debug, Clone, Default)]
struct Eager {
    texts: Vec<(usize, TextSet, u8)>,
    numbers: Vec<(usize, NumberRange, u8)>,
    affixes: Vec<(usize, Affix, u8)>,
    free_mail: Vec<(usize, u8)>,
}

impl Eager {
    /// Takes `step`'s test as an eager one with bit `bit`, if it is of a kind tested eagerly.
    fn take(&mut self, step: &Step, bit: u8) -> bool {
        let slot = step.slot;
        match &step.test {
            Test::Texts(set) => self.texts.push((slot, set.clone(), bit)),
            Test::Numbers(range) => self.numbers.push((slot, *range, bit)),
            Test::Affix(affix) => self.affixes.push((slot, (**affix).clone(), bit)),
            Test::FreeMail => self.free_mail.push((slot, bit)),
            _ => return false,
        }
        true
    }

    /// Sets the bits of the leaves whose fast test answers on `values`.
    #[inline(always)]
    fn answer(&self, values: &[Option<FieldValue<'_>>], known: &mut Known) {
        let text = |slot: usize| match values.get(slot) {
            Some(Some(FieldValue::Text(s))) => Some(*s),
            _ => None,
        };
        for (slot, set, bit) in &self.texts {
            if let Some(found) = text(*slot).and_then(|s| set.contains(s)) {
                known.set(*bit, found);
            }
        }
        for (slot, range, bit) in &self.numbers {
            if let Some(Some(FieldValue::Number(x))) = values.get(*slot) {
                known.set(*bit, range.contains(*x));
            }
        }
        for (slot, affix, bit) in &self.affixes {
            if let Some(found) = text(*slot).and_then(|s| affix.test(s)) {
                known.set(*bit, found);
            }
        }
        for (slot, bit) in &self.free_mail {
            if let Some(s) = text(*slot) {
                known.set(*bit, is_free_mail_address(s));
            }
        }
    }
}

/// The answers of a [`BoundSet`]'s shared searches by text, kept from record to record: the
/// fields they read (job titles) repeat from lead to lead, and a pass over a text costs more
/// than looking the text up. An answer depends only on the text, so a remembered one is the
/// pass's own. At most [`SearchMemo::MAX_TEXTS`] texts of at most [`SHARED_MAX_VALUE`] bytes
/// per search are kept; past that, texts are searched each time.
#[derive(Debug, Default)]
pub(crate) struct SearchMemo {
    /// The [`BoundSet::id`] of the set the answers are of (0: none yet). A memo handed to
    /// another set (a thread's scratch shared by several scorers) starts over.
    set: u64,
    /// One map per shared search of the set, in order: text -> what `find` answered.
    by_search: Vec<FxMap<Box<str>, Option<u64>>>,
}

/// The next [`BoundSet::id`]: a count, so that no two sets built in a process share one.
static NEXT_SET_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

impl SearchMemo {
    pub(crate) const MAX_TEXTS: usize = 512;
}

type FxMap<K, V> = std::collections::HashMap<K, V, rustc_hash::FxBuildHasher>;

/// A slot and whether its literal leaves ignore case: the leaves one pass can answer.
type LiteralGroup = (usize, bool);
/// A leaf of a set: its condition and its step there.
type LeafAt = (usize, usize);

impl BoundSet {
    pub(crate) fn new(mut conditions: Vec<BoundCondition>) -> BoundSet {
        // The literal leaves by slot and case rule, as (condition, step) positions.
        let mut groups: Vec<(LiteralGroup, Vec<LeafAt>)> = Vec::new();
        for (c, condition) in conditions.iter().enumerate() {
            for (k, step) in condition.steps.iter().enumerate() {
                // A one-byte needle is found by its own search (the pass reads pairs).
                if let Some(search) = step.literals().filter(|l| l.shortest() >= 2) {
                    let key = (step.slot, search.ignores_case());
                    match groups.iter_mut().find(|(g, _)| *g == key) {
                        Some((_, members)) => members.push((c, k)),
                        None => groups.push((key, vec![(c, k)])),
                    }
                }
            }
        }
        let mut searches = Vec::new();
        let mut next_bit = 0usize;
        for ((slot, _), members) in groups {
            if members.len() < 2 || next_bit + members.len() > 64 {
                continue;
            }
            let literals: Vec<&Literals> = members
                .iter()
                .filter_map(|&(c, k)| conditions[c].steps[k].literals())
                .collect();
            if literals.len() != members.len() {
                continue;
            }
            let Some(search) = SharedSearch::new(&literals) else {
                continue;
            };
            let first = next_bit as u8;
            for (i, &(c, k)) in members.iter().enumerate() {
                conditions[c].steps[k].shared = Some(first + i as u8);
            }
            next_bit += members.len();
            searches.push((slot, search, first));
        }
        // The cheap leaves not answered by a shared search, while bits last.
        let mut eager = Eager::default();
        for condition in &mut conditions {
            for step in &mut condition.steps {
                if step.shared.is_none() && next_bit < 64 && eager.take(step, next_bit as u8) {
                    step.shared = Some(next_bit as u8);
                    next_bit += 1;
                }
            }
        }
        let single = conditions
            .iter()
            .map(|c| match &c.steps[..] {
                // One leaf, not negated: the leaf's answer is the condition's.
                [only] if c.entry == 0 && only.next == [FAILS, HOLDS] => only.shared,
                _ => None,
            })
            .collect();
        BoundSet {
            conditions,
            searches,
            eager,
            single,
            id: NEXT_SET_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.conditions.len()
    }

    /// `out[i]` = whether condition `i` matches the record whose fields are `values` (as for
    /// [`BoundCondition::matches`]); `out` has [`BoundSet::len`] items. `memo` keeps the
    /// shared searches' answers by text from record to record (use one memo per set).
    pub(crate) fn matches_each(
        &self,
        values: &[Option<FieldValue<'_>>],
        out: &mut [bool],
        memo: &mut SearchMemo,
    ) {
        let mut known = Known::NOTHING;
        if memo.set != self.id {
            memo.set = self.id;
            memo.by_search.clear();
            memo.by_search
                .resize_with(self.searches.len(), Default::default);
        }
        for ((slot, search, first), seen) in self.searches.iter().zip(&mut memo.by_search) {
            if let Some(Some(FieldValue::Text(s))) = values.get(*slot) {
                let found = match seen.get(*s) {
                    Some(&found) => found,
                    None => {
                        let found = search.find(s);
                        // Only texts the pass reads are kept: a longer one is not hashed again.
                        if seen.len() < SearchMemo::MAX_TEXTS && s.len() <= SHARED_MAX_VALUE {
                            seen.insert((*s).into(), found);
                        }
                        found
                    }
                };
                if let Some(found) = found {
                    let width = search.len();
                    let ones = if width == 64 {
                        u64::MAX
                    } else {
                        (1u64 << width) - 1
                    };
                    known.answered |= ones << first;
                    known.holds |= found << first;
                }
            }
        }
        self.eager.answer(values, &mut known);
        for ((c, o), single) in self.conditions.iter().zip(out.iter_mut()).zip(&self.single) {
            *o = match *single {
                Some(bit) if known.answered >> bit & 1 == 1 => known.holds >> bit & 1 == 1,
                _ => c.matches_knowing(values, known),
            };
        }
    }
}

impl Step {
    /// The literal search this leaf makes of a text value, if it is one.
    fn literals(&self) -> Option<&Literals> {
        match (&self.test, &self.leaf.op) {
            (Test::Contains(search), _) => Some(search),
            (Test::Matches, Op::Matches(p)) => p.literals.as_deref(),
            _ => None,
        }
    }

    #[inline(always)]
    fn holds(&self, values: &[Option<FieldValue<'_>>], known: Known) -> bool {
        if let Some(bit) = self.shared {
            if known.answered >> bit & 1 == 1 {
                return known.holds >> bit & 1 == 1;
            }
        }
        self.holds_on(values.get(self.slot).and_then(Option::as_ref))
    }

    /// Whether the leaf searches a text value (a pattern, a substring, or the leaf
    /// evaluator), costing more than looking the text up; text lists, number bounds, affixes
    /// and free mail do not.
    /// The leaf's text list, when a text value is compared with one ([`TextSet::contains`]
    /// is then its answer wherever that gives one).
    pub(super) fn text_set(&self) -> Option<&TextSet> {
        match &self.test {
            Test::Texts(set) => Some(set),
            _ => None,
        }
    }

    /// The leaf's number bounds, when a number value is compared with them (the range's
    /// answer is then the leaf's on every number value).
    pub(super) fn number_range(&self) -> Option<NumberRange> {
        match &self.test {
            Test::Numbers(range) => Some(*range),
            _ => None,
        }
    }

    pub(super) fn searches(&self) -> bool {
        matches!(self.test, Test::Matches | Test::Contains(_) | Test::General)
    }

    /// [`Step::holds_on`] of a text value, without matching on the value's kind.
    #[inline(always)]
    pub(super) fn holds_on_text(&self, s: &str) -> bool {
        let fast = match &self.test {
            Test::Texts(set) => set.contains(s),
            Test::Contains(search) => search.is_match(s),
            Test::Affix(affix) => affix.test(s),
            Test::Matches => match &self.leaf.op {
                Op::Matches(p) => Some(p.is_match(s)),
                _ => None,
            },
            Test::FreeMail => Some(is_free_mail_address(s)),
            Test::Numbers(_) | Test::General => None,
        };
        match fast {
            Some(answer) => answer,
            None => self.leaf.is_match_by(self.how, Some(&FieldValue::Text(s))),
        }
    }

    /// Whether the leaf holds on `value` (its slot's value, `None` when absent), by its own
    /// fast test or the leaf evaluator: what [`BoundCondition::matches`] asks of it.
    #[inline(always)]
    pub(super) fn holds_on(&self, value: Option<&FieldValue<'_>>) -> bool {
        let fast = match (&self.test, value) {
            (Test::Texts(set), Some(FieldValue::Text(s))) => set.contains(s),
            (Test::Numbers(range), Some(FieldValue::Number(x))) => Some(range.contains(*x)),
            (Test::Contains(search), Some(FieldValue::Text(s))) => search.is_match(s),
            (Test::Affix(affix), Some(FieldValue::Text(s))) => affix.test(s),
            // What the leaf evaluator's shortcuts do with a text value, without its
            // dispatch: the positive test of `matches`, the free-mail lookup.
            (Test::Matches, Some(FieldValue::Text(s))) => match &self.leaf.op {
                Op::Matches(p) => Some(p.is_match(s)),
                _ => None,
            },
            (Test::FreeMail, Some(FieldValue::Text(s))) => Some(is_free_mail_address(s)),
            _ => None,
        };
        match fast {
            Some(answer) => answer,
            None => self.leaf.is_match_by(self.how, value),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    /// The conditions bound as one set answer for `record` what each one's `matches` does.
    fn set_answers_each_condition<R: crate::condition::Record + std::fmt::Debug>(
        conditions: &[Condition],
        record: &R,
    ) -> Result<(), TestCaseError> {
        let mut paths = Vec::new();
        let bound: Vec<BoundCondition> = conditions.iter().map(|c| c.bind(&mut paths)).collect();
        let set = BoundSet::new(bound);
        let values: Vec<Option<FieldValue<'_>>> = paths
            .iter()
            .map(|p| crate::condition::Record::field(record, p))
            .collect();
        let mut out = vec![false; set.len()];
        set.matches_each(&values, &mut out, &mut SearchMemo::default());
        for (i, c) in conditions.iter().enumerate() {
            prop_assert_eq!(out[i], c.matches(record), "condition {} on {:?}", i, record);
        }
        Ok(())
    }

    /// Random trees of `all`, `any` and `not` (nested, one child or several) over leaves on
    /// two fields, each leaf sometimes true, false or missing on the record.
    fn tree() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(json!({"field": "a", "eq": "x"})),
            Just(json!({"field": "a", "in": ["x", "y"]})),
            Just(json!({"field": "b", "gt": 1})),
            Just(json!({"field": "b", "exists": false})),
            Just(json!({"field": "a", "contains": "x"})),
            Just(json!({"field": "c", "exists": true})),
        ];
        crate::condition::strategies::nested(leaf, 4, 24, 1..4)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]
        /// The flattened condition answers what the tree answers (`matches` and `explain`), on
        /// records where each field is present, absent, null or of another type.
        #[test]
        fn flattened_trees_answer_as_the_tree(
            spec in tree(),
            a in prop::sample::select(vec![json!("x"), json!("y"), json!("X"), json!(null), json!(3), json!("zz")]),
            b in prop::sample::select(vec![json!(0), json!(2), json!(null), json!("2"), json!(f64::MAX)]),
            c in any::<bool>(),
        ) {
            let condition = Condition::parse(&spec).expect("valid");
            let mut record = json!({"a": a, "b": b});
            if c {
                record["c"] = json!(1);
            }
            let mut paths = Vec::new();
            let bound = condition.bind(&mut paths);
            let values: Vec<Option<FieldValue<'_>>> = paths
                .iter()
                .map(|p| crate::condition::Record::field(&record, p))
                .collect();
            let want = condition.explain(&record).matched;
            prop_assert_eq!(condition.matches(&record), want);
            prop_assert_eq!(bound.matches(&values), want, "{} on {}", spec, record);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        /// The two-load word of a short text is the byte-by-byte one, at every length up to 8,
        /// zero bytes and non-ASCII bytes included.
        #[test]
        fn short_word_is_head_word(bytes in prop::collection::vec(any::<u8>(), 0..=8)) {
            prop_assert_eq!(short_word(&bytes), head_word(&bytes, false));
        }

        /// An affix of up to 8 bytes compared as a word answers what comparing the slices
        /// answers (ignoring ASCII case, and no answer on non-ASCII bytes, when case is
        /// ignored): needles of every length to 10, values shorter and longer, zero bytes,
        /// mixed case and non-ASCII values, both ends.
        #[test]
        fn affix_words_are_slice_comparisons(
            needle in "[aAbB.\\x00]{0,10}",
            value in "[aAbB.\\x00]{0,12}|[aAbBé.]{0,12}",
            fold in any::<bool>(),
            end in any::<bool>(),
        ) {
            let needle = if fold { needle.to_ascii_lowercase() } else { needle };
            let affix = Affix::new(needle.as_bytes(), fold, end);
            let bytes = value.as_bytes();
            let n = needle.len();
            let part = if end { bytes.len().checked_sub(n).and_then(|at| bytes.get(at..)) } else { bytes.get(..n) };
            let want = part.and_then(|part| if !fold {
                Some(part == needle.as_bytes())
            } else {
                part.is_ascii().then(|| part.eq_ignore_ascii_case(needle.as_bytes()))
            });
            prop_assert_eq!(affix.test(&value), want);
        }

        /// A text list answers what comparing each item (ASCII-folded when case is ignored)
        /// answers, on short and long values, mixed case, zero bytes and non-ASCII bytes
        /// (no answer when case is ignored).
        #[test]
        fn text_set_is_item_by_item(
            items in prop::collection::vec("[aAbB\\x00]{0,10}", 1..5),
            value in "[aAbB\\x00]{0,10}|[aAbBé]{0,10}",
            case_sensitive in any::<bool>(),
        ) {
            let leaf = json!({"field": "f", "in": items, "case_sensitive": case_sensitive});
            let condition = Condition::parse(&leaf).expect("valid");
            let mut paths = Vec::new();
            let bound = condition.bind(&mut paths);
            let [Step { test: Test::Texts(set), .. }] = &bound.steps[..] else {
                return Err(TestCaseError::fail("an in of texts is a text set"));
            };
            let want = if case_sensitive {
                Some(items.contains(&value))
            } else if value.is_ascii() {
                Some(items.iter().any(|i| i.eq_ignore_ascii_case(&value)))
            } else {
                None
            };
            prop_assert_eq!(set.contains(&value), want);
        }
    }

    /// Conditions with literal leaves on one field (alternations and `contains`, ignoring
    /// case and not, one-byte needles, under `not` and `any`) and on others.
    fn literal_conditions() -> Vec<Condition> {
        [
            json!({"field": "title", "matches": "(?i)vp|head|chief|ceo|founder|director"}),
            json!({"field": "title", "matches": "(?i)sales|revenue|operations"}),
            json!({"any": [{"field": "title", "contains": "student"}, {"field": "email", "ends_with": ".edu"}]}),
            json!({"field": "title", "matches": "Sales|VP"}),
            json!({"field": "title", "contains": "Ops", "case_sensitive": true}),
            json!({"not": {"field": "title", "contains": "an"}}),
            json!({"field": "title", "matches": "(?i)a|bc"}),
            json!({"all": [{"field": "email", "contains": "ann"}, {"field": "email", "matches": "(?i)acme|gmail"}]}),
            json!({"field": "title", "matches": "^VP"}),
            json!({"field": "title", "in": ["CEO", "Founder"]}),
        ]
        .iter()
        .map(|c| Condition::parse(c).expect("valid"))
        .collect()
    }

    #[test]
    fn a_set_shares_a_pass_for_the_literal_leaves_of_a_field() {
        let conditions = literal_conditions();
        let mut paths = Vec::new();
        let bound: Vec<BoundCondition> = conditions.iter().map(|c| c.bind(&mut paths)).collect();
        let set = BoundSet::new(bound);
        // Title ignoring case (3 leaves), title by case (2), email (2): `a|bc` stays alone.
        let widths: Vec<usize> = set.searches.iter().map(|(_, s, _)| s.len()).collect();
        assert_eq!(widths, [4, 2, 2]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        /// A set answers each condition as the condition does, whether the shared pass answers
        /// (ASCII titles in any case) or not (non-ASCII titles, the Kelvin sign, titles longer
        /// than the pass reads, numbers, null, absent titles).
        #[test]
        fn a_set_answers_each_condition_as_the_condition(
            title in prop_oneof![
                "[a-zA-Z ]{0,30}",
                prop::sample::select(vec!["VP of Sales", "Head of Revenue Operations", "Student",
                    "Sales Ops", "ceo", "Directeur général", "\u{212A}elvin ceo", "pa\u{17F}s student",
                    "CHIEF", "b", "an", "Analyst"]).prop_map(String::from),
                "[a-zA-Zé ]{100,130}",
            ],
            email in prop::sample::select(vec!["ann@acme.com", "Ann@GMAIL.com", "bob@uni.edu", "", "é@acme.com"]),
            shape in 0usize..4,
        ) {
            let record = match shape {
                0 => json!({"title": title, "email": email}),
                1 => json!({"title": null, "email": email}),
                2 => json!({"title": 7, "email": email}),
                _ => json!({"email": title}),
            };
            set_answers_each_condition(&literal_conditions(), &record)?;
        }
    }

    /// Answers remembered by text are the pass's own: records matched one after another with
    /// one memo (every title seen twice, more titles than the memo keeps, titles longer than
    /// the pass reads, non-ASCII ones, an empty one) get each condition's own answer; and the
    /// same memo handed to another set (other searches) starts over.
    #[test]
    fn a_memo_gives_the_answers_of_the_pass() {
        let check = |conditions: &[Condition], titles: &[String], memo: &mut SearchMemo| {
            let mut paths = Vec::new();
            let bound: Vec<BoundCondition> =
                conditions.iter().map(|c| c.bind(&mut paths)).collect();
            let set = BoundSet::new(bound);
            assert!(!set.searches.is_empty());
            for _ in 0..2 {
                for t in titles {
                    let record = json!({"title": t, "email": "ann@acme.com"});
                    let values: Vec<Option<FieldValue<'_>>> = paths
                        .iter()
                        .map(|p| crate::condition::Record::field(&record, p))
                        .collect();
                    let mut out = vec![false; set.len()];
                    set.matches_each(&values, &mut out, memo);
                    for (i, c) in conditions.iter().enumerate() {
                        assert_eq!(out[i], c.matches(&record), "condition {i} on {record}");
                    }
                }
            }
        };
        let mut titles: Vec<String> = [
            "VP of Sales",
            "Head of Revenue Operations",
            "Student",
            "",
            "Sales Ops",
            "ceo",
            "CEO",
            "\u{212A}elvin ceo",
            "pa\u{17F}s student",
            "an",
            "b",
        ]
        .map(String::from)
        .to_vec();
        titles.extend((0..600).map(|i| format!("title {i} {}", ["ceo", "ops", "an", "x"][i % 4])));
        titles.push(format!("{}vp", "x".repeat(SHARED_MAX_VALUE - 2)));
        titles.push(format!("vp{}", "x".repeat(SHARED_MAX_VALUE)));
        let mut memo = SearchMemo::default();
        check(&literal_conditions(), &titles, &mut memo);
        let others: Vec<Condition> = [
            json!({"field": "title", "matches": "(?i)zz|title 1"}),
            json!({"field": "title", "contains": "tle 2"}),
        ]
        .iter()
        .map(|c| Condition::parse(c).expect("valid"))
        .collect();
        check(&others, &titles, &mut memo);
    }

    /// Conditions whose leaves a set tests eagerly (text lists, number bounds, affixes, free
    /// mail), alone, negated and under `any` / `all`, next to leaves it never does (`not_in`,
    /// `exists`, a non-ASCII suffix ignoring case).
    fn eager_conditions() -> Vec<Condition> {
        [
            json!({"field": "industry", "in": ["software", "Financial_Services", "k", ""]}),
            json!({"field": "industry", "in": ["Software"], "case_sensitive": true}),
            json!({"field": "industry", "eq": "healthcare"}),
            json!({"field": "employees", "between": [200, 4999]}),
            json!({"field": "employees", "gte": 5000}),
            json!({"field": "employees", "lt": 10}),
            json!({"field": "employees", "eq": 0}),
            json!({"not": {"field": "employees", "gt": 100}}),
            json!({"field": "email", "free_mail": true}),
            json!({"not": {"field": "email", "free_mail": true}}),
            json!({"any": [{"field": "title", "contains": "student"}, {"field": "email", "ends_with": ".edu"}]}),
            json!({"field": "email", "starts_with": "Ann", "case_sensitive": true}),
            json!({"field": "email", "ends_with": "\u{c9}DU"}),
            json!({"all": [{"field": "industry", "in": ["software"]}, {"field": "employees", "lte": 50}]}),
            json!({"field": "industry", "not_in": ["software"]}),
            json!({"not": {"field": "industry", "exists": true}}),
        ]
        .iter()
        .map(|c| Condition::parse(c).expect("valid"))
        .collect()
    }

    /// A record of typed values, so that numbers can be NaN and infinite.
    #[derive(Debug)]
    struct Typed(Vec<(&'static str, FieldValue<'static>)>);

    impl crate::condition::Record for Typed {
        fn field(&self, path: &str) -> Option<FieldValue<'_>> {
            self.0
                .iter()
                .find(|(p, _)| *p == path)
                .map(|(_, v)| v.clone())
        }
    }

    fn typed_value(
        texts: &'static [&'static str],
    ) -> impl Strategy<Value = Option<FieldValue<'static>>> {
        prop_oneof![
            prop::sample::select(texts).prop_map(|t| Some(FieldValue::Text(t))),
            prop::sample::select(vec![
                0.0,
                -0.0,
                9.5,
                10.0,
                200.0,
                4999.0,
                4999.5,
                5000.0,
                1e300,
                f64::NAN,
                f64::INFINITY,
                f64::NEG_INFINITY
            ])
            .prop_map(|x| Some(FieldValue::Number(x))),
            Just(Some(FieldValue::Bool(true))),
            Just(None),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        /// A set with eager leaves answers each condition as the condition does, on texts in
        /// mixed case, non-ASCII (long s, Kelvin sign, accents), empty, with spaces, on NaN,
        /// infinities and negative zero, booleans and absent fields; also when there are more
        /// leaves than bits (the set repeated: the later leaves are tested on their own).
        #[test]
        fn a_set_with_eager_leaves_answers_each_condition_as_the_condition(
            industry in typed_value(&["software", "SOFTWARE", "Software", "\u{17F}oftware", "k",
                "\u{212A}", "", "financial_services", "FINANCIAL_SERVICES", "healthcare ",
                "Healthcare", "manufacturing"]),
            employees in typed_value(&["300", "", "x"]),
            email in typed_value(&["ann@gmail.com", "Ann@GMAIL.COM", "Ann@acme.io", "bob@uni.edu",
                "bob@UNI.EDU", "x@\u{e9}cole.\u{e9}du", "x@uni.\u{c9}DU", "", "@", "gmail.com",
                "ann@ gmail.com", " bob@yahoo.com "]),
            title in typed_value(&["Student", "VP Sales", "", "\u{17F}tudent"]),
            repeat in 1usize..6,
        ) {
            let conditions: Vec<Condition> = (0..repeat).flat_map(|_| eager_conditions()).collect();
            let mut fields = Vec::new();
            for (name, v) in [("industry", industry), ("employees", employees), ("email", email), ("title", title)] {
                if let Some(v) = v {
                    fields.push((name, v));
                }
            }
            set_answers_each_condition(&conditions, &Typed(fields))?;
        }
    }

    #[test]
    fn a_set_tests_cheap_leaves_eagerly_and_answers_single_leaves_from_their_bit() {
        let mut paths = Vec::new();
        let bound: Vec<BoundCondition> = eager_conditions()
            .iter()
            .map(|c| c.bind(&mut paths))
            .collect();
        let set = BoundSet::new(bound);
        let e = &set.eager;
        assert_eq!(
            (
                e.texts.len(),
                e.numbers.len(),
                e.affixes.len(),
                e.free_mail.len()
            ),
            (4, 6, 2, 2)
        );
        // Single leaves not negated, eagerly tested: the three lists, four number bounds, free
        // mail, the case-sensitive prefix.
        assert_eq!(set.single.iter().filter(|s| s.is_some()).count(), 9);
        // Five times over, bits run out (the five `contains "student"` share a pass and five
        // bits first): the later leaves stay lazy.
        let many: Vec<BoundCondition> = (0..5)
            .flat_map(|_| eager_conditions())
            .map(|c| c.bind(&mut paths))
            .collect();
        let set = BoundSet::new(many);
        let e = &set.eager;
        let shared: usize = set.searches.iter().map(|(_, s, _)| s.len()).sum();
        assert_eq!(shared, 5);
        assert_eq!(
            e.texts.len() + e.numbers.len() + e.affixes.len() + e.free_mail.len(),
            59
        );
        let lazy = set
            .conditions
            .iter()
            .flat_map(|c| &c.steps)
            .filter(|s| s.shared.is_none());
        assert!(lazy.count() > 5 * 2);
    }

    #[test]
    fn a_bound_condition_answers_as_the_condition_does() {
        let condition = Condition::parse(&json!({"all": [
            {"field": "title", "matches": "(?i)vp|head"},
            {"any": [{"field": "email", "free_mail": true}, {"not": {"field": "country", "eq": "US"}}]},
            {"field": "employees", "between": [10, 500]},
            {"not": {"field": "missing", "exists": true}}
        ]}))
        .expect("valid");
        let mut paths: Vec<Box<str>> = vec!["employees".into()];
        let bound = condition.bind(&mut paths);
        let names: Vec<&str> = paths.iter().map(|p| &**p).collect();
        assert_eq!(names, ["employees", "title", "email", "country", "missing"]);
        let records = [
            json!({"title": "VP Sales", "email": "a@gmail.com", "employees": 50}),
            json!({"title": "VP Sales", "email": "a@acme.com", "country": "US", "employees": 50}),
            json!({"title": "Head", "email": "a@acme.com", "country": "DE", "employees": 500}),
            json!({"title": "Head", "country": "DE", "employees": 501}),
            json!({"title": "Head", "country": "DE", "employees": 20, "missing": 1}),
            json!({"title": ["x", "vp"], "country": null, "employees": 20}),
            json!({}),
        ];
        for r in &records {
            let values: Vec<Option<FieldValue<'_>>> = paths
                .iter()
                .map(|p| crate::condition::Record::field(r, p))
                .collect();
            assert_eq!(bound.matches(&values), condition.matches(r), "{r}");
        }
        // Fewer values than slots: the rest read as absent.
        assert_eq!(bound.matches(&[]), condition.matches(&json!({})));
    }
}
