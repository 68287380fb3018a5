//! What scoring a lead returns (docs/scoring.md, "Score"): the totals, the grade, the MQL flag,
//! one contribution per rule that fired, and what became of every event given. Plain data in
//! the wire format. A score borrows its names (rule ids, labels, the lead id) from the scorer
//! and the lead, and holds its few contributions and missing fields in place ([`ShortList`]),
//! so scoring a usual lead allocates nothing and never touches a reference count; serialise
//! it, or keep the scorer and leads alive, to keep it.

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::{Serialize, Serializer};
use std::borrow::Cow;
use std::fmt;

/// The score of one lead (docs/scoring.md, "Score").
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Score<'a> {
    pub lead_id: &'a str,
    /// Fit points: positive fit rules after group and fit caps, plus fit penalties.
    pub fit: f64,
    /// Engagement points: decayed, after rule, group and engagement caps, plus event penalties.
    pub engagement: f64,
    /// `fit + engagement`.
    pub total: f64,
    /// Fit grade letter and engagement grade digit, e.g. `"B2"`.
    pub grade: Grade,
    /// Whether the lead meets every minimum of the model's MQL rule.
    pub mql: bool,
    /// One entry per rule that fired, in model order (fit, engagement, negative rules).
    pub contributions: Contributions<'a>,
    /// What became of every event given.
    pub events: EventCounts,
    /// Fields read by lead conditions that the lead lacks, sorted; absent when none.
    #[serde(skip_serializing_if = "ShortList::is_empty")]
    pub missing_fields: MissingFields<'a>,
}

impl<'a> Score<'a> {
    /// The score of `lead_id` before anything is scored: zeros, grade `D4`, not MQL, empty
    /// lists. The scoring procedure fills it where it lies. With a `filler`, the list of
    /// contributions starts in place (its places hold copies of the filler, never read), so
    /// that its first push writes one contribution rather than building the list anew.
    pub(crate) fn blank(lead_id: &'a str, filler: Option<Contribution<'a>>) -> Score<'a> {
        Score {
            lead_id,
            fit: 0.0,
            engagement: 0.0,
            total: 0.0,
            grade: Grade::from_steps(3, 3),
            mql: false,
            contributions: filler.map_or_else(ShortList::new, ShortList::filled),
            events: EventCounts::default(),
            missing_fields: ShortList::new(),
        }
    }
}

/// A score's contributions: up to 8 in place (all but about 2% of the sample's leads), more on
/// the heap.
pub type Contributions<'a> = ShortList<Contribution<'a>, 8>;

/// A score's missing fields: up to 4 in place, more on the heap.
pub type MissingFields<'a> = ShortList<&'a str, 4>;

/// A list held in place up to `N` items and on the heap beyond: a score's contributions and
/// missing fields are usually a handful, so scoring a lead allocates nothing for them. It
/// reads as a slice (`iter`, `len`, indexing), compares and serialises as one, and has the JSON
/// Schema of a list.
#[derive(Clone)]
pub struct ShortList<T: Copy, const N: usize> {
    held: Held<T, N>,
}

#[derive(Clone)]
enum Held<T: Copy, const N: usize> {
    /// `items[..len]`; the rest repeat an earlier item (a copy, never read).
    InPlace { len: usize, items: [T; N] },
    /// Empty (no allocation) or past `N` items.
    Heap(Vec<T>),
}

impl<T: Copy, const N: usize> ShortList<T, N> {
    pub fn new() -> Self {
        ShortList {
            held: Held::Heap(Vec::new()),
        }
    }

    /// An empty list held in place, every place a copy of `filler` (never read): pushing
    /// onto it writes the item and nothing else.
    #[inline]
    pub(crate) fn filled(filler: T) -> Self {
        ShortList {
            held: Held::InPlace {
                len: 0,
                items: [filler; N],
            },
        }
    }

    #[inline]
    pub fn push(&mut self, item: T) {
        match &mut self.held {
            Held::InPlace { len, items } if *len < N => {
                items[*len] = item;
                *len += 1;
            }
            // The first item of a new list (as in `push_slow`, without the call).
            Held::Heap(v) if v.is_empty() && N > 0 => {
                self.held = Held::InPlace {
                    len: 1,
                    items: [item; N],
                };
            }
            _ => self.push_slow(item),
        }
    }

    /// [`ShortList::push`] onto a full list or one on the heap (and, for callers other than
    /// `push`, an empty one).
    #[inline(never)]
    fn push_slow(&mut self, item: T) {
        match &mut self.held {
            Held::InPlace { len, items } if *len < N => {
                items[*len] = item;
                *len += 1;
            }
            Held::InPlace { items, .. } => {
                let mut spilled = Vec::with_capacity(2 * N);
                spilled.extend_from_slice(items);
                spilled.push(item);
                self.held = Held::Heap(spilled);
            }
            Held::Heap(v) if v.is_empty() && N > 0 => {
                self.held = Held::InPlace {
                    len: 1,
                    items: [item; N],
                };
            }
            Held::Heap(v) => v.push(item),
        }
    }

    #[inline]
    pub fn as_slice(&self) -> &[T] {
        match &self.held {
            Held::InPlace { len, items } => &items[..*len],
            Held::Heap(v) => v,
        }
    }

    pub fn len(&self) -> usize {
        self.as_slice().len()
    }

    pub fn is_empty(&self) -> bool {
        self.as_slice().is_empty()
    }
}

impl<T: Copy, const N: usize> Default for ShortList<T, N> {
    fn default() -> Self {
        ShortList::new()
    }
}

impl<T: Copy, const N: usize> std::ops::Deref for ShortList<T, N> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        self.as_slice()
    }
}

impl<'l, T: Copy, const N: usize> IntoIterator for &'l ShortList<T, N> {
    type Item = &'l T;
    type IntoIter = std::slice::Iter<'l, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.as_slice().iter()
    }
}

impl<T: Copy, const N: usize> FromIterator<T> for ShortList<T, N> {
    #[inline]
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut iter = iter.into_iter();
        let Some(first) = iter.next() else {
            return ShortList::new();
        };
        let mut list = ShortList {
            held: Held::InPlace {
                len: 1,
                items: [first; N],
            },
        };
        if N == 0 {
            list.held = Held::Heap(vec![first]);
        }
        for item in iter {
            list.push(item);
        }
        list
    }
}

impl<T: Copy, const N: usize> From<Vec<T>> for ShortList<T, N> {
    fn from(v: Vec<T>) -> Self {
        v.into_iter().collect()
    }
}

impl<T: Copy + PartialEq, const N: usize> PartialEq for ShortList<T, N> {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl<T: Copy + fmt::Debug, const N: usize> fmt::Debug for ShortList<T, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.as_slice().fmt(f)
    }
}

impl<T: Copy + Serialize, const N: usize> Serialize for ShortList<T, N> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.as_slice().serialize(s)
    }
}

/// The schema of `Vec<T>`: on the wire a short list is a list.
impl<T: Copy + JsonSchema, const N: usize> JsonSchema for ShortList<T, N> {
    fn inline_schema() -> bool {
        <Vec<T>>::inline_schema()
    }
    fn schema_name() -> Cow<'static, str> {
        <Vec<T>>::schema_name()
    }
    fn schema_id() -> Cow<'static, str> {
        <Vec<T>>::schema_id()
    }
    fn json_schema(g: &mut SchemaGenerator) -> Schema {
        <Vec<T>>::json_schema(g)
    }
}

/// Which total a rule adds to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Fit,
    Engagement,
}

/// A rule as its contributions name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleInfo {
    pub id: Box<str>,
    pub label: Box<str>,
    pub side: Side,
    /// The event kind, for event rules.
    pub event: Option<Box<str>>,
    pub group: Option<Box<str>>,
}

/// What one rule gave a lead. On the wire the rule is spelled out: `rule_id`, `label`, `side`,
/// then `points`; `event` and `events` are present for event rules, `group` when the rule has
/// one, `capped_from` when a cap lowered the points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Contribution<'a> {
    pub rule: &'a RuleInfo,
    /// Points after decay and every cap (negative for penalties).
    pub points: f64,
    /// Events counted by the rule (event rules only).
    pub events: Option<u64>,
    /// The points before caps (after decay), when a cap lowered them.
    pub capped_from: Option<f64>,
}

impl Serialize for Contribution<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let r = self.rule;
        let n = 4
            + usize::from(r.event.is_some())
            + usize::from(self.events.is_some())
            + usize::from(r.group.is_some())
            + usize::from(self.capped_from.is_some());
        let mut m = s.serialize_map(Some(n))?;
        m.serialize_entry("rule_id", &*r.id)?;
        m.serialize_entry("label", &*r.label)?;
        m.serialize_entry("side", &r.side)?;
        m.serialize_entry("points", &self.points)?;
        if let Some(e) = &r.event {
            m.serialize_entry("event", &**e)?;
        }
        if let Some(n) = self.events {
            m.serialize_entry("events", &n)?;
        }
        if let Some(g) = &r.group {
            m.serialize_entry("group", &**g)?;
        }
        if let Some(c) = self.capped_from {
            m.serialize_entry("capped_from", &c)?;
        }
        m.end()
    }
}

/// The wire shape of [`Contribution`], for its JSON Schema.
#[derive(JsonSchema)]
#[allow(dead_code)]
struct ContributionWire {
    rule_id: String,
    label: String,
    side: Side,
    /// Points after decay and every cap (negative for penalties).
    points: f64,
    /// The event kind, for event rules.
    #[serde(skip_serializing_if = "Option::is_none")]
    event: Option<String>,
    /// Events counted by the rule (event rules only).
    #[serde(skip_serializing_if = "Option::is_none")]
    events: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group: Option<String>,
    /// The points before caps (after decay), when a cap lowered them.
    #[serde(skip_serializing_if = "Option::is_none")]
    capped_from: Option<f64>,
}

impl JsonSchema for Contribution<'_> {
    fn schema_name() -> Cow<'static, str> {
        "Contribution".into()
    }
    fn json_schema(g: &mut SchemaGenerator) -> Schema {
        let mut schema = ContributionWire::json_schema(g);
        schema.insert(
            "description".into(),
            "What one rule gave a lead. `event` and `events` are present for event rules, `group` when the rule has one, `capped_from` when a cap lowered the points.".into(),
        );
        schema
    }
}

/// Every event given, counted once under what became of it; the five add up to the number given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, JsonSchema)]
pub struct EventCounts {
    /// Counted by at least one rule.
    pub counted: u64,
    /// After `now`.
    pub future: u64,
    /// Of a kind some rule scores, but older than the lookback of every such rule.
    pub outside_lookback: u64,
    /// Of a kind (or not matching a `where`) no rule scores.
    pub unscored: u64,
    /// Of another lead (`lead_id` differs).
    pub other_lead: u64,
}

/// A fit grade (`A`..`D`) and an engagement grade (1..4), written `"B2"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Grade {
    /// 0 for A .. 3 for D.
    fit: u8,
    /// 0 for 1 .. 3 for 4.
    engagement: u8,
}

impl Grade {
    /// From the number of thresholds each total fell below (0..=3 each; larger is clamped).
    pub(crate) fn from_steps(fit: usize, engagement: usize) -> Grade {
        Grade {
            fit: fit.min(3) as u8,
            engagement: engagement.min(3) as u8,
        }
    }
    /// `'A'`, `'B'`, `'C'` or `'D'`.
    pub fn fit(&self) -> char {
        char::from(b'A' + self.fit)
    }
    /// 1, 2, 3 or 4.
    pub fn engagement(&self) -> u8 {
        self.engagement + 1
    }
}

impl fmt::Display for Grade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.fit(), self.engagement())
    }
}

impl Serialize for Grade {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let text = [b'A' + self.fit, b'1' + self.engagement];
        // Both bytes are ASCII by construction.
        s.serialize_str(std::str::from_utf8(&text).unwrap_or("D4"))
    }
}

impl JsonSchema for Grade {
    fn schema_name() -> Cow<'static, str> {
        "Grade".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "Fit grade letter (A best) and engagement grade digit (1 best), e.g. \"B2\".",
            "type": "string",
            "pattern": "^[A-D][1-4]$"
        })
    }
}

#[cfg(test)]
mod tests {
    use super::ShortList;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// A short list holds what a `Vec` holds, in place and past `N` alike: same items,
        /// same JSON, equal lists compare equal, and its schema is a list's.
        #[test]
        fn a_short_list_is_a_vec(items in prop::collection::vec(any::<i32>(), 0..12)) {
            let list: ShortList<i32, 4> = items.iter().copied().collect();
            prop_assert_eq!(list.as_slice(), &items[..]);
            prop_assert_eq!(list.len(), items.len());
            prop_assert_eq!(list.is_empty(), items.is_empty());
            prop_assert_eq!(
                serde_json::to_string(&list).expect("serialises"),
                serde_json::to_string(&items).expect("serialises")
            );
            prop_assert_eq!(format!("{list:?}"), format!("{items:?}"));
            let again: ShortList<i32, 4> = ShortList::from(items.clone());
            prop_assert!(again == list);
            let mut other = list.clone();
            other.push(7);
            prop_assert!(other != list);
            prop_assert_eq!(other.last(), Some(&7));
            prop_assert_eq!((&list).into_iter().count(), items.len());
            // Pushed one by one from a new list (the first push starts the list in place).
            let mut pushed: ShortList<i32, 4> = ShortList::new();
            for &item in &items {
                pushed.push(item);
            }
            prop_assert_eq!(pushed.as_slice(), &items[..]);
            // Pushed one by one onto a filled empty list: the filler is never seen.
            let mut filled: ShortList<i32, 4> = ShortList::filled(-1);
            prop_assert!(filled.is_empty());
            prop_assert_eq!(serde_json::to_string(&filled).expect("serialises"), "[]");
            for &item in &items {
                filled.push(item);
            }
            prop_assert_eq!(filled.as_slice(), &items[..]);
            prop_assert!(filled == list);
        }
    }

    #[test]
    fn a_short_list_has_the_schema_of_a_vec() {
        let of_list = schemars::schema_for!(ShortList<u8, 4>);
        let of_vec = schemars::schema_for!(Vec<u8>);
        assert_eq!(of_list.as_value(), of_vec.as_value());
    }
}
