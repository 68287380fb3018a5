//! Conditions compiled by field, for an engine that tests a fixed set of conditions on every
//! record (a scoring model's lead rules): built once, at the engine's construction, into a
//! plan that reads each field once and answers every leaf on it at once, giving a bitmask of
//! the leaves that hold; each condition is then a truth table over its own leaves' bits.
//!
//! Exactness: each leaf is answered by its bound step's own test ([`Step::holds_on`]: the fast
//! test where it answers, the leaf evaluator otherwise), so a leaf's bit is what
//! [`BoundCondition::matches`] finds for it; leaves are pure, so answering all of them (no
//! short-circuit) and reading the tree's answer off a truth table of their answers gives the
//! tree's answer. A missing field's bits are computed once, at compile time, by the same test
//! on an absent value. A condition the plan does not take (more than [`TABLE_LEAVES`] leaves,
//! or past the 64 bits of the mask) is answered by a [`BoundSet`] of such conditions, as
//! before: the plan is an optimisation, never a second semantics.
//!
//! A field whose leaves search its text (`matches`, `contains`, or any test the plan cannot
//! answer cheaply) has its answers remembered by text in a [`PlanMemo`], bounded in size and
//! filled in record order (so deterministic): job titles repeat from lead to lead.
//!
//! This module must never read anything but the record's values it is handed.

use super::literal::ascii_lowercase_word;
use super::slots::{short_word, BoundCondition, BoundSet, NumberRange, SearchMemo, Step, TextSet};
use super::{ast::Node, Condition, FieldValue};
use std::sync::{Arc, Weak};

/// The most leaves of one condition answered by a truth table (2^6 answers in one word).
pub(crate) const TABLE_LEAVES: usize = 6;

/// The longest text whose answers are remembered; a longer one is tested each time.
const MEMO_MAX_TEXT: usize = 120;

/// A set of conditions bound to the same slots, compiled by field (see the module comment).
#[derive(Debug, Clone)]
pub(crate) struct PlannedSet {
    fields: Vec<FieldTests>,
    conditions: Vec<Planned>,
    /// The conditions the plan did not take, in order; `Planned::Fallback(i)` is the `i`th.
    fallback: BoundSet,
    /// How many fields remember their answers by text (the maps a [`PlanMemo`] holds).
    remembered: usize,
    /// Which set a [`PlanMemo`] holds the answers of, by the address of this allocation (a
    /// clone shares it, and has the same fields). A memo keeps a `Weak` of it, so the address
    /// cannot be reused by another set while a memo could still take it for its own.
    id: Arc<()>,
}

/// How one condition is answered.
#[derive(Debug, Clone)]
enum Planned {
    /// Bit `j` of the index into `table` is the answer of the condition's `j`th leaf (in the
    /// order the tree lists them), read from bit `bits[j]` of the leaves' mask.
    Table {
        bits: [u8; TABLE_LEAVES],
        leaves: u8,
        table: u64,
    },
    /// A single leaf's answer (or its opposite, under `not`s).
    Leaf { bit: u8, negated: bool },
    /// The `i`th condition of the fallback set.
    Fallback(usize),
}

/// The leaves on one field (slot) and how its value is answered.
#[derive(Debug, Clone)]
struct FieldTests {
    slot: usize,
    /// Each leaf's bound step and its bit in the mask: the general answer of any value.
    leaves: Vec<(Step, u8)>,
    /// The bits of the leaves that hold when the field is absent.
    missing: u64,
    /// How a present value is answered.
    how: FieldKind,
}

/// How a field's present value is answered, chosen at compile time from its leaves.
#[derive(Debug, Clone)]
enum FieldKind {
    /// Every leaf is a text list of one case rule: a text value is looked up once in the
    /// table of every listed text (other values, and texts the table cannot answer, go leaf
    /// by leaf).
    Texts(TextTable),
    /// Every leaf is number bounds: a number value is compared with each (other values go
    /// leaf by leaf).
    Numbers(Vec<(NumberRange, u8)>),
    /// Some leaf searches the text: a text's answers are remembered in the memo's map of
    /// this index.
    Searched(usize),
    /// Leaf by leaf.
    Each,
}

/// How many texts per field a [`PlanMemo`] remembers.
pub(crate) const MEMO_MAX_TEXTS: usize = 512;

/// The answers of a [`PlannedSet`]'s searched fields by text, kept from record to record, and
/// the fallback set's own memo and answers. An answer depends only on the text, so a
/// remembered one is the tests' own.
#[derive(Debug, Default)]
pub(crate) struct PlanMemo {
    /// The [`PlannedSet::id`] of the set the answers are of (dangling: none yet).
    set: Weak<()>,
    by_field: Vec<TextMemo>,
    search: SearchMemo,
    fallback: Vec<bool>,
}

impl PlannedSet {
    /// Compiles `conditions`, bound to `paths` (their leaves' fields; a path not yet there is
    /// appended, as [`Condition::bind`] does).
    pub(crate) fn new(conditions: &[&Condition], paths: &mut Vec<Box<str>>) -> PlannedSet {
        let mut fields: Vec<FieldTests> = Vec::new();
        let mut planned = Vec::with_capacity(conditions.len());
        let mut refused: Vec<BoundCondition> = Vec::new();
        let mut next_bit = 0usize;
        for condition in conditions {
            let bound = condition.bind(paths);
            let k = bound.steps.len();
            if k > TABLE_LEAVES || next_bit + k > 64 {
                planned.push(Planned::Fallback(refused.len()));
                refused.push(bound);
                continue;
            }
            let mut bits = [0u8; TABLE_LEAVES];
            for (j, step) in bound.steps.into_iter().enumerate() {
                let bit = next_bit as u8;
                next_bit += 1;
                bits[j] = bit;
                let at = match fields.iter().position(|f| f.slot == step.slot) {
                    Some(at) => at,
                    None => {
                        fields.push(FieldTests {
                            slot: step.slot,
                            leaves: Vec::new(),
                            missing: 0,
                            how: FieldKind::Each,
                        });
                        fields.len() - 1
                    }
                };
                let field = &mut fields[at];
                field.missing |= u64::from(step.holds_on(None)) << bit;
                field.leaves.push((step, bit));
            }
            let table = truth_table(&condition.root, k);
            planned.push(match (k, table) {
                (1, 0b10) => Planned::Leaf {
                    bit: bits[0],
                    negated: false,
                },
                (1, 0b01) => Planned::Leaf {
                    bit: bits[0],
                    negated: true,
                },
                _ => Planned::Table {
                    bits,
                    leaves: k as u8,
                    table,
                },
            });
        }
        let mut remembered = 0;
        for field in &mut fields {
            field.how = FieldKind::of(&field.leaves, &mut remembered);
        }
        PlannedSet {
            fields,
            conditions: planned,
            fallback: BoundSet::new(refused),
            remembered,
            id: Arc::new(()),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.conditions.len()
    }

    /// How many conditions are answered by the fallback set (not compiled).
    #[cfg(test)]
    pub(crate) fn fallbacks(&self) -> usize {
        self.fallback.len()
    }

    /// `out[i]` = whether condition `i` matches the record whose fields are `values` (slot
    /// `i` holding the value of path `i`), as [`Condition::matches`] answers; `out` has
    /// [`PlannedSet::len`] items. Use one memo per set (another set's memo starts over).
    #[inline(never)]
    pub(crate) fn matches_each(
        &self,
        values: &[Option<FieldValue<'_>>],
        out: &mut [bool],
        memo: &mut PlanMemo,
    ) {
        if !std::ptr::eq(memo.set.as_ptr(), Arc::as_ptr(&self.id)) {
            memo.set = Arc::downgrade(&self.id);
            memo.by_field.clear();
            memo.by_field
                .resize_with(self.remembered, TextMemo::default);
        }
        let mut holds = 0u64;
        for field in &self.fields {
            holds |= match values.get(field.slot).and_then(Option::as_ref) {
                None => field.missing,
                Some(value) => field.answer(value, &mut memo.by_field),
            };
        }
        if self.fallback.len() != 0 {
            memo.fallback.resize(self.fallback.len(), false);
            self.fallback
                .matches_each(values, &mut memo.fallback, &mut memo.search);
        }
        for (c, o) in self.conditions.iter().zip(out.iter_mut()) {
            *o = match c {
                Planned::Leaf { bit, negated } => (holds >> bit & 1 == 1) != *negated,
                Planned::Table {
                    bits,
                    leaves,
                    table,
                } => {
                    let mut index = 0u32;
                    for (j, &bit) in bits[..usize::from(*leaves)].iter().enumerate() {
                        index |= ((holds >> bit) as u32 & 1) << j;
                    }
                    table >> index & 1 == 1
                }
                Planned::Fallback(i) => memo.fallback[*i],
            };
        }
    }
}

impl FieldTests {
    /// The bits of the leaves holding on a present `value`.
    #[inline(always)]
    fn answer(&self, value: &FieldValue<'_>, memo: &mut [TextMemo]) -> u64 {
        match (&self.how, value) {
            (FieldKind::Texts(table), FieldValue::Text(s)) => match table.get(s) {
                Some(holds) => holds,
                None => self.each(value),
            },
            (FieldKind::Numbers(ranges), FieldValue::Number(x)) => {
                let mut holds = 0u64;
                for (range, bit) in ranges {
                    holds |= u64::from(range.contains(*x)) << bit;
                }
                holds
            }
            (FieldKind::Searched(m), FieldValue::Text(s)) if s.len() <= MEMO_MAX_TEXT => {
                let seen = &mut memo[*m];
                let words = words_of(s.as_bytes());
                match seen.get(s, words) {
                    Some(holds) => holds,
                    None => {
                        let holds = self.each(value);
                        seen.insert(s, words, holds);
                        holds
                    }
                }
            }
            _ => self.each(value),
        }
    }

    /// The bits of the leaves holding on `value`, asked leaf by leaf.
    fn each(&self, value: &FieldValue<'_>) -> u64 {
        let mut holds = 0u64;
        if let FieldValue::Text(s) = value {
            for (step, bit) in &self.leaves {
                holds |= u64::from(step.holds_on_text(s)) << bit;
            }
            return holds;
        }
        for (step, bit) in &self.leaves {
            holds |= u64::from(step.holds_on(Some(value))) << bit;
        }
        holds
    }
}

impl FieldKind {
    /// The fastest way to answer `leaves` (all on one field) exactly; a field that searches
    /// its text takes the next memo index from `remembered`.
    fn of(leaves: &[(Step, u8)], remembered: &mut usize) -> FieldKind {
        let sets: Option<Vec<(&TextSet, u8)>> = leaves
            .iter()
            .map(|(step, bit)| step.text_set().map(|set| (set, *bit)))
            .collect();
        if let Some(table) = sets.and_then(|sets| TextTable::new(&sets)) {
            return FieldKind::Texts(table);
        }
        let ranges: Option<Vec<(NumberRange, u8)>> = leaves
            .iter()
            .map(|(step, bit)| step.number_range().map(|range| (range, *bit)))
            .collect();
        if let Some(ranges) = ranges {
            return FieldKind::Numbers(ranges);
        }
        if leaves.iter().any(|(step, _)| step.searches()) {
            *remembered += 1;
            return FieldKind::Searched(*remembered - 1);
        }
        FieldKind::Each
    }
}

/// Every text of a field's text lists (all of one case rule) with the bits of the leaves
/// listing it, in an open-addressed table keyed by the text's length and first and last 8
/// bytes (lowercased when case is ignored): one lookup answers every list on the field.
#[derive(Debug, Clone)]
struct TextTable {
    fold: bool,
    /// A power of two, at least twice the texts: a probe always meets an empty slot.
    slots: Vec<TextSlot>,
}

#[derive(Debug, Clone, Default)]
struct TextSlot {
    /// Empty when `bytes` is `None`.
    bytes: Option<Box<[u8]>>,
    len: usize,
    words: [u64; 2],
    holds: u64,
}

impl TextTable {
    /// `None` when the lists do not share one case rule.
    fn new(sets: &[(&TextSet, u8)]) -> Option<TextTable> {
        let fold = sets.first()?.0.fold;
        if sets.iter().any(|(set, _)| set.fold != fold) {
            return None;
        }
        let texts: usize = sets.iter().map(|(set, _)| set.items.len()).sum();
        let size = (texts * 2).next_power_of_two().max(4);
        let mut table = TextTable {
            fold,
            slots: vec![TextSlot::default(); size],
        };
        for (set, bit) in sets {
            for item in &set.items {
                // Items are lowercase already when case is ignored.
                let bytes = &item.bytes[..];
                let words = words_of(bytes);
                let mut at = table.slot_of(bytes.len(), words);
                loop {
                    let slot = &mut table.slots[at];
                    match &slot.bytes {
                        None => {
                            *slot = TextSlot {
                                bytes: Some(bytes.into()),
                                len: bytes.len(),
                                words,
                                holds: 1 << bit,
                            };
                            break;
                        }
                        Some(b) if **b == *bytes => {
                            slot.holds |= 1 << bit;
                            break;
                        }
                        Some(_) => at = (at + 1) & (table.slots.len() - 1),
                    }
                }
            }
        }
        Some(table)
    }

    #[inline(always)]
    fn slot_of(&self, len: usize, words: [u64; 2]) -> usize {
        text_hash(len, words) & (self.slots.len() - 1)
    }

    /// The bits of the lists holding `s`, as [`TextSet::contains`] answers each; `None` where
    /// that gives no answer (a text that is not ASCII while case is ignored).
    #[inline(always)]
    fn get(&self, s: &str) -> Option<u64> {
        const HIGH: u64 = 0x8080_8080_8080_8080;
        let bytes = s.as_bytes();
        let n = bytes.len();
        let mut words = words_of(bytes);
        if self.fold {
            let ascii = if n <= 16 {
                (words[0] | words[1]) & HIGH == 0
            } else {
                s.is_ascii()
            };
            if !ascii {
                return None;
            }
            words = words.map(ascii_lowercase_word);
        }
        let mut at = self.slot_of(n, words);
        loop {
            let slot = &self.slots[at];
            let Some(b) = &slot.bytes else {
                return Some(0);
            };
            if slot.len == n
                && slot.words == words
                && (n <= 16
                    || if self.fold {
                        bytes[8..n - 8].eq_ignore_ascii_case(&b[8..n - 8])
                    } else {
                        bytes[8..n - 8] == b[8..n - 8]
                    })
            {
                return Some(slot.holds);
            }
            at = (at + 1) & (self.slots.len() - 1);
        }
    }
}

/// Where a text of `len` bytes whose [`words_of`] are `words` is looked for first (masked to
/// a table's size): a multiplicative hash, whose high bits mix every input bit.
#[inline(always)]
fn text_hash(len: usize, words: [u64; 2]) -> usize {
    let h = (words[0] ^ words[1].rotate_left(29) ^ len as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (h >> 40) as usize
}

/// A searched field's answers by text: an open-addressed table keyed like [`TextTable`] (by
/// length and first and last words, the whole text compared on a hit), growing to at most
/// [`MEMO_MAX_TEXTS`] texts (then texts not in it are tested each time). Fills in record
/// order: what it holds never changes an answer, only how fast it comes.
#[derive(Debug, Default)]
pub(crate) struct TextMemo {
    /// Empty or a power of two, at least twice `len`.
    slots: Vec<MemoSlot>,
    len: usize,
}

#[derive(Debug, Clone, Default)]
struct MemoSlot {
    text: Option<Box<str>>,
    words: [u64; 2],
    holds: u64,
}

impl TextMemo {
    #[inline(always)]
    fn get(&self, s: &str, words: [u64; 2]) -> Option<u64> {
        if self.slots.is_empty() {
            return None;
        }
        let mask = self.slots.len() - 1;
        let (bytes, n) = (s.as_bytes(), s.len());
        let mut at = text_hash(n, words) & mask;
        loop {
            let slot = &self.slots[at];
            let text = slot.text.as_deref()?;
            if text.len() == n
                && slot.words == words
                && (n <= 16 || bytes[8..n - 8] == text.as_bytes()[8..n - 8])
            {
                return Some(slot.holds);
            }
            at = (at + 1) & mask;
        }
    }

    /// Remembers `holds` for `s` (not yet in the memo), if there is room.
    fn insert(&mut self, s: &str, words: [u64; 2], holds: u64) {
        if self.len >= MEMO_MAX_TEXTS {
            return;
        }
        if (self.len + 1) * 2 > self.slots.len() {
            let old = std::mem::take(&mut self.slots);
            self.slots = vec![MemoSlot::default(); (old.len() * 2).max(64)];
            for slot in old.into_iter().filter(|slot| slot.text.is_some()) {
                let n = slot.text.as_deref().map_or(0, str::len);
                self.place(n, slot);
            }
        }
        self.place(
            s.len(),
            MemoSlot {
                text: Some(s.into()),
                words,
                holds,
            },
        );
        self.len += 1;
    }

    fn place(&mut self, n: usize, slot: MemoSlot) {
        let mask = self.slots.len() - 1;
        let mut at = text_hash(n, slot.words) & mask;
        while self.slots[at].text.is_some() {
            at = (at + 1) & mask;
        }
        self.slots[at] = slot;
    }
}

/// A text's first and last 8 bytes as little-endian words (zero-padded; the last word 0 for a
/// text of up to 8 bytes): with the length, the whole of a text of up to 16 bytes.
#[inline(always)]
fn words_of(bytes: &[u8]) -> [u64; 2] {
    let n = bytes.len();
    if n <= 8 {
        return [short_word(bytes), 0];
    }
    let word = |at: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&bytes[at..at + 8]);
        u64::from_le_bytes(w)
    };
    [word(0), word(n - 8)]
}

/// The answers of the tree at `root` (of `k` leaves) for every assignment of its leaves:
/// bit `a` is the answer when leaf `j` (in the order the tree lists them) holds exactly when
/// bit `j` of `a` is set.
fn truth_table(root: &Node, k: usize) -> u64 {
    let mut table = 0u64;
    for a in 0..1u64 << k {
        let mut next = 0;
        table |= u64::from(answer(root, a, &mut next)) << a;
    }
    table
}

/// The tree's answer when its leaves answer the bits of `leaves`, from bit `*next` on in the
/// order the tree lists them (every leaf read, so `*next` ends past this node's leaves). Trees
/// are at most `Limits::max_depth` deep, so recursing is safe.
fn answer(node: &Node, leaves: u64, next: &mut usize) -> bool {
    match node {
        Node::All(children) => children
            .iter()
            .fold(true, |all, c| answer(c, leaves, next) & all),
        Node::Any(children) => children
            .iter()
            .fold(false, |any, c| answer(c, leaves, next) | any),
        Node::Not(child) => !answer(child, leaves, next),
        Node::Leaf(_) => {
            let holds = leaves >> *next & 1 == 1;
            *next += 1;
            holds
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::condition::Record;
    use proptest::prelude::*;
    use serde_json::{json, Value};

    /// A record of owned values by field name, so that values JSON cannot hold (NaN,
    /// infinities) can be tested; a field not listed is absent.
    #[derive(Debug, Clone)]
    struct Fields(Vec<(String, Held)>);

    #[derive(Debug, Clone)]
    enum Held {
        Text(String),
        Number(f64),
        Bool(bool),
        Json(Value),
    }

    impl Record for Fields {
        fn field(&self, path: &str) -> Option<FieldValue<'_>> {
            let (_, held) = self.0.iter().find(|(name, _)| name == path)?;
            Some(match held {
                Held::Text(s) => FieldValue::Text(s),
                Held::Number(x) => FieldValue::Number(*x),
                Held::Bool(b) => FieldValue::Bool(*b),
                Held::Json(v) => FieldValue::Json(v),
            })
        }
    }

    /// The texts leaves and records draw from: mixed case, non-ASCII (`K` U+212A folds to
    /// `k`), empty, long (past 8 and 16 bytes), free-mail and `.edu` addresses.
    const TEXTS: &[&str] = &[
        "us",
        "US",
        "Us",
        "ca",
        "",
        "software",
        "Software",
        "financial_services",
        "FINANCIAL_SERVICES",
        "professional_services_and_more",
        "professional_services_and_mORE",
        "\u{212A}elvin",
        "kelvin",
        "Kelvin",
        "café",
        "CAFÉ",
        "VP of Sales",
        "student",
        "Student intern",
        "ann@gmail.com",
        "Ann <ANN@GMail.COM>",
        "bob@uni.edu",
        "bob@UNI.EDU",
        "x",
    ];

    fn text() -> impl Strategy<Value = String> {
        prop::sample::select(TEXTS).prop_map(String::from)
    }

    fn number() -> impl Strategy<Value = f64> {
        prop::sample::select(vec![
            0.0,
            -0.0,
            1.0,
            199.0,
            200.0,
            4999.0,
            4999.5,
            5000.0,
            -3.0,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            1e300,
        ])
    }

    /// A leaf of the condition language on one of four fields.
    fn leaf() -> impl Strategy<Value = Value> {
        let field = prop::sample::select(vec!["a", "b", "c", "d"]);
        let case = any::<Option<bool>>();
        let number_json = prop::sample::select(vec![0, 1, 200, 4999, 5000, -3]);
        (
            field,
            case,
            text(),
            prop::collection::vec(text(), 0..5),
            number_json.clone(),
            number_json,
            0usize..17,
        )
            .prop_map(|(field, case, t, list, n, m, op)| {
                let mut leaf = match op {
                    0 => json!({"field": field, "in": list}),
                    1 => json!({"field": field, "eq": t}),
                    2 => json!({"field": field, "eq": n}),
                    3 => json!({"field": field, "matches": format!("(?i)vp|{}", regex_escape(&t))}),
                    4 => json!({"field": field, "contains": t}),
                    5 => json!({"field": field, "starts_with": t}),
                    6 => json!({"field": field, "ends_with": t}),
                    7 => json!({"field": field, "between": [n.min(m), n.max(m)]}),
                    8 => json!({"field": field, "gte": n}),
                    9 => json!({"field": field, "lt": n}),
                    10 => json!({"field": field, "free_mail": true}),
                    11 => json!({"field": field, "exists": n > 0}),
                    12 => json!({"field": field, "ne": t}),
                    13 => json!({"field": field, "not_in": list}),
                    14 => json!({"field": field, "in": [t, n]}),
                    15 => json!({"field": field, "free_mail": false}),
                    _ => json!({"field": field, "matches": regex_escape(&t)}),
                };
                if let Some(case) = case {
                    leaf["case_sensitive"] = json!(case);
                }
                leaf
            })
    }

    fn regex_escape(t: &str) -> String {
        t.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || !c.is_ascii() {
                    c.to_string()
                } else {
                    format!("\\{c}")
                }
            })
            .collect()
    }

    /// Trees of `all`, `any` and `not` over leaves: up to 12 leaves, so some exceed the truth
    /// table's six and fall back.
    fn tree() -> impl Strategy<Value = Value> {
        crate::condition::strategies::nested(leaf(), 3, 12, 0..4)
    }

    fn held() -> impl Strategy<Value = Option<Held>> {
        prop_oneof![
            3 => text().prop_map(|t| Some(Held::Text(t))),
            2 => number().prop_map(|x| Some(Held::Number(x))),
            1 => any::<bool>().prop_map(|b| Some(Held::Bool(b))),
            1 => prop::sample::select(vec![json!(null), json!(["us", "software"]), json!({"k": 1}), json!("US")])
                .prop_map(|v| Some(Held::Json(v))),
            2 => Just(None),
        ]
    }

    fn record() -> impl Strategy<Value = Fields> {
        prop::collection::vec(held(), 4).prop_map(|values| {
            Fields(
                ["a", "b", "c", "d"]
                    .iter()
                    .zip(values)
                    .filter_map(|(name, v)| Some((name.to_string(), v?)))
                    .collect(),
            )
        })
    }

    /// The plan of `conditions` answers for each record what each condition's `matches`
    /// does, with one memo kept across the records (remembered answers included).
    fn plan_answers_as_conditions(
        conditions: &[Condition],
        records: &[Fields],
    ) -> Result<PlannedSet, TestCaseError> {
        let mut paths = Vec::new();
        let refs: Vec<&Condition> = conditions.iter().collect();
        let plan = PlannedSet::new(&refs, &mut paths);
        prop_assert_eq!(plan.len(), conditions.len());
        let mut memo = PlanMemo::default();
        for record in records.iter().chain(records) {
            let values: Vec<Option<FieldValue<'_>>> =
                paths.iter().map(|p| record.field(p)).collect();
            let mut out = vec![false; plan.len()];
            plan.matches_each(&values, &mut out, &mut memo);
            for (i, c) in conditions.iter().enumerate() {
                prop_assert_eq!(
                    out[i],
                    c.matches(record),
                    "condition {} {:?} on {:?}",
                    i,
                    c,
                    record
                );
            }
        }
        Ok(plan)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]
        /// Random models (conditions over text lists, equalities, patterns, substrings,
        /// affixes, number bounds, free mail, existence, negations, nested any / all / not)
        /// on random records (texts of mixed case, non-ASCII, empty; numbers including NaN and
        /// infinities; booleans, null, lists, objects; absent fields): the plan answers what
        /// the general interpreter answers.
        #[test]
        fn the_plan_answers_as_the_interpreter(
            specs in prop::collection::vec(tree(), 1..8),
            records in prop::collection::vec(record(), 1..6),
        ) {
            let conditions: Vec<Condition> = specs.iter().filter_map(|s| Condition::parse(s).ok()).collect();
            prop_assume!(!conditions.is_empty());
            plan_answers_as_conditions(&conditions, &records)?;
        }
    }

    /// A condition of more than six leaves is refused by the plan and answered by the
    /// fallback set, correctly, next to planned ones; so are conditions past 64 bits.
    #[test]
    fn refused_conditions_fall_back_and_answer_right() {
        let wide = json!({"any": [
            {"field": "a", "eq": "us"}, {"field": "a", "eq": "ca"}, {"field": "b", "gte": 200},
            {"field": "c", "contains": "student"}, {"field": "d", "free_mail": true},
            {"field": "a", "starts_with": "x"}, {"not": {"field": "b", "lt": 5000}}
        ]});
        let narrow = json!({"field": "a", "in": ["US", "software"]});
        let mut conditions = vec![
            Condition::parse(&narrow).expect("valid"),
            Condition::parse(&wide).expect("valid"),
        ];
        let records: Vec<Fields> = [
            vec![("a", Held::Text("ca".into()))],
            vec![("b", Held::Number(6000.0))],
            vec![
                ("b", Held::Number(f64::NAN)),
                ("d", Held::Text("ann@gmail.com".into())),
            ],
            vec![("c", Held::Text("A Student".into()))],
            vec![
                ("a", Held::Text("x-ray".into())),
                ("b", Held::Number(100.0)),
            ],
            vec![],
        ]
        .into_iter()
        .map(|fs| Fields(fs.into_iter().map(|(n, h)| (n.to_string(), h)).collect()))
        .collect();
        let plan = plan_answers_as_conditions(&conditions, &records).expect("same answers");
        assert_eq!(plan.fallbacks(), 1, "the seven-leaf condition falls back");
        // Twelve conditions of six leaves each: ten fill 60 bits, the last two fall back, and
        // a one-leaf condition after them still takes bit 60.
        let six = json!({"all": [
            {"field": "a", "in": ["us", "ca"]}, {"field": "b", "between": [200, 4999]},
            {"not": {"field": "c", "matches": "(?i)vp|head"}}, {"field": "d", "ends_with": ".edu"},
            {"any": [{"field": "a", "exists": true}, {"field": "b", "gte": 5000}]}
        ]});
        conditions = vec![Condition::parse(&six).expect("valid"); 12];
        conditions.push(Condition::parse(&narrow).expect("valid"));
        let plan = plan_answers_as_conditions(&conditions, &records).expect("same answers");
        assert_eq!(plan.fallbacks(), 2, "the conditions past 64 bits fall back");
    }

    /// Remembered answers are the tests' own: more distinct texts than the memo keeps, texts
    /// longer than it keeps, texts alike but in the middle, and a memo handed from one set to another (it starts over).
    #[test]
    fn the_memo_never_changes_an_answer() {
        let title = Condition::parse(&json!({"any": [
            {"field": "t", "matches": "(?i)vp|head|chief"}, {"field": "t", "contains": "student"}
        ]}))
        .expect("valid");
        let other = Condition::parse(&json!({"field": "t", "contains": "vp"})).expect("valid");
        let (mut pa, mut pb) = (Vec::new(), Vec::new());
        let a = PlannedSet::new(&[&title], &mut pa);
        let b = PlannedSet::new(&[&other], &mut pb);
        let mut memo = PlanMemo::default();
        let long = "VP ".repeat(60);
        for i in 0..(MEMO_MAX_TEXTS + 40) {
            // Texts of one length and the same first and last 8 bytes, differing in the
            // middle only (`vp` or not): the memo compares them whole.
            let middle = ["vp", "xx", "Vp", "student"][i % 4];
            let t = match i % 5 {
                0 => format!("Head of {i}"),
                1 => format!("student {i}"),
                2 => format!("engineer {i}"),
                3 => format!("AAAAAAAA_{middle}_BBBBBBBB"),
                _ => long.clone(),
            };
            let record = json!({"t": t});
            for (set, c) in [(&a, &title), (&b, &other)] {
                let values = [record.field("t")];
                let mut out = [false];
                set.matches_each(&values, &mut out, &mut memo);
                assert_eq!(out[0], c.matches(&record), "{t}");
            }
        }
    }

    /// A memo outliving its set is not taken for the answers of a set built after it (which
    /// the allocator may place where the first one was).
    #[test]
    fn a_memo_outliving_its_set_starts_over() {
        let mut memo = PlanMemo::default();
        let record = json!({"t": "VP sales"});
        for (i, needle) in ["vp", "student", "vp", "student", "sales", "cfo"]
            .iter()
            .enumerate()
        {
            let c = Condition::parse(&json!({"field": "t", "contains": needle})).expect("valid");
            let mut paths = Vec::new();
            let set = PlannedSet::new(&[&c], &mut paths);
            let mut out = [false];
            set.matches_each(&[record.field("t")], &mut out, &mut memo);
            assert_eq!(out[0], c.matches(&record), "set {i} ({needle})");
        }
    }

    /// One text table answers every list on a field: items shared by lists, repeated in a
    /// list, of every length around the 8- and 16-byte words, and many lists (collisions).
    #[test]
    fn a_text_table_answers_each_list() {
        let words = [
            "",
            "a",
            "ab",
            "abcdefgh",
            "abcdefghi",
            "abcdefghijklmnop",
            "abcdefghijklmnopq",
            "abcdefghXjklmnopq",
            "ABCDEFGHIJKLMNOPQ",
            "abcdefgh_ijklmnop_q",
        ];
        for case in [false, true] {
            let conditions: Vec<Condition> = (0..words.len())
                .map(|i| {
                    let list: Vec<&str> = words
                        .iter()
                        .skip(i)
                        .step_by(2)
                        .chain(words.iter().take(i % 3))
                        .copied()
                        .collect();
                    Condition::parse(&json!({"field": "f", "in": list, "case_sensitive": case}))
                        .expect("valid")
                })
                .collect();
            let records: Vec<Fields> = words
                .iter()
                .chain(&[
                    "abcdefghijklmnoP",
                    "abcdefgh_IJKLMNOP_q",
                    "é",
                    "abcdefgh\u{e9}ijklmnopq",
                ])
                .map(|w| Fields(vec![("f".to_string(), Held::Text(w.to_string()))]))
                .collect();
            let plan = plan_answers_as_conditions(&conditions, &records).expect("same answers");
            assert!(matches!(plan.fields[0].how, FieldKind::Texts(_)));
        }
    }
}
