//! What scoring a lead returns (docs/scoring.md, "Score"): the totals, the grade, the MQL flag,
//! one contribution per rule that fired, and what became of every event given. Plain data in
//! the wire format. A score borrows its names (rule ids, labels, the lead id) from the scorer
//! and the lead, so scoring allocates nothing per lead but the score's own lists and never
//! touches a reference count; serialise it, or keep the scorer and leads alive, to keep it.

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
    pub contributions: Vec<Contribution<'a>>,
    /// What became of every event given.
    pub events: EventCounts,
    /// Fields read by lead conditions that the lead lacks, sorted; absent when none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing_fields: Vec<&'a str>,
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
