//! The one condition language of revcore (DESIGN.md): parse, validate, evaluate, explain.
//!
//! Territories, routing rules, scoring rules and content filters all say "which records" with
//! a [`Condition`]. It is a JSON document, the same in every host:
//!
//! ```json
//! {"all": [
//!   {"field": "country", "in": ["US", "CA"]},
//!   {"any": [{"field": "employees", "gt": 100}, {"field": "email", "email_domain": ["acme.com"]}]},
//!   {"not": {"field": "email", "free_mail": true}}
//! ]}
//! ```
//!
//! # Grammar
//! - Composites: `{"all": [c, ...]}`, `{"any": [c, ...]}`, `{"not": c}`; the node has exactly
//!   that one key, and an `all` / `any` list may not be empty.
//! - Leaves: `{"field": "<path>", "<op>": operand}` with exactly one operator and optionally
//!   `"case_sensitive": true` (default false; accepted on any leaf, it only changes the string
//!   comparisons named below). `<path>` may be dotted (`attributes.region`).
//!   Operators: `eq`, `ne` (a string, number or boolean); `in`, `not_in` (a non-empty list of
//!   those); `gt`, `gte`, `lt`, `lte` (a number, or a date `YYYY-MM-DD` or RFC 3339 timestamp
//!   string); `between` (`[lo, hi]`, inclusive, two numbers or two dates, lo <= hi);
//!   `contains`, `starts_with`, `ends_with` (a string); `matches` (a regex, unanchored search,
//!   `regex` crate syntax; `case_sensitive` has no effect, write `(?i)`); `exists` (bool);
//!   `email_domain` (a list of domains); `free_mail` (bool); `postal_code_range`
//!   (`["10000", "14999"]`).
//!
//! # Semantics
//! - A missing or null field makes every leaf false, except `exists: false`, which is true.
//!   That includes `ne` and `not_in`: an unknown value is not "not equal", it is unknown. To
//!   say "not US, or unknown" write `{"not": {"field": "country", "eq": "US"}}`.
//! - `exists` means present and not null (an empty string or list exists); it always
//!   evaluates normally, so its explanation never carries a `reason`.
//! - String comparisons (`eq`, `ne`, `in`, `not_in`, `contains`, `starts_with`, `ends_with`)
//!   ignore case by default (Unicode lowercase, char by char) and are exact with
//!   `case_sensitive: true`.
//! - No coercion between types: a number operand compares only with number values, a string
//!   operand only with text (the text `"5"` does not equal the number `5`), a boolean only with
//!   booleans. One exception: a string operand that reads as a date compares with date and
//!   timestamp values in `eq`, `ne`, `in`, `not_in`.
//! - `gt`, `gte`, `lt`, `lte`, `between`: a number operand compares with numbers; a date
//!   operand compares with dates, timestamps, and text that reads as a date or an RFC 3339
//!   timestamp. Two timestamps compare as instants; when either side is a plain date, both
//!   compare as UTC calendar dates (so `gte: "2024-01-01"` includes the whole first day).
//! - Anything else is a type mismatch and the leaf is false (`explain` says `type_mismatch`);
//!   `ne` / `not_in` are false on a type mismatch too. NaN never matches anything.
//! - A list value (a rep's skills, JSON arrays) is tested element by element: every operator
//!   matches when ANY element does, `ne` / `not_in` match when NO element equals; `contains`
//!   on a list tests membership (an element equal to the operand). Lists are not flattened: a
//!   list inside a list, or a JSON object, compares with nothing. An empty list matches no
//!   positive operator and every `ne` / `not_in`.
//! - A JSON value (`FieldValue::Json`) is read as JSON: string as text, number, boolean,
//!   array as list, null as missing, object as a type mismatch.
//! - `email_domain`: the value's domain (from an email address, a URL or a bare domain, see
//!   [`domain::email_domain`]) equals one of the listed domains or is a subdomain of one,
//!   ignoring case. `free_mail: true`: that domain is a free-mail provider
//!   ([`domain::FREE_MAIL_DOMAINS`]); `false`: it is not. A value with no readable domain is
//!   a type mismatch.
//! - `postal_code_range`: the value, whitespace removed and uppercased, against `[lo, hi]`
//!   (normalised the same way). When lo and hi are all digits, the value's first
//!   `len(lo)` characters must be digits and fall in the range (`10115-1234` is in
//!   `["10000", "14999"]`); otherwise the value must have the length of lo and lie between
//!   lo and hi in string order (`SW1A` in `["SW1A", "SW9Z"]`).
//! - A condition only reads the fields it names, through [`Record::field`]: what a dotted path
//!   means is the record's business (the JSON impl walks nested objects; typed models map
//!   names to their fields and attributes).
//! - [`Condition::matches`] short-circuits; [`Condition::explain`] evaluates every node, so
//!   the explanation is the full, deterministic picture, and `explain(r).matched ==
//!   matches(r)`.
//!
//! # Validation and limits
//! [`Condition::parse`] reports every problem in the document as [`Error::InvalidConfig`],
//! each with a JSON path relative to the document (`all[1].in`, `any[0].not.field`) and a
//! stable code: `invalid_type`, `unknown_operator`, `missing_operator`,
//! `multiple_operators`, `missing_field`, `empty`, `invalid_regex`, `regex_too_large`,
//! `too_deep`, `too_large`, `invalid_range`, `invalid_date`. The [`Limits`] are explicit
//! (defaults: depth 32, 1,000 nodes, 10,000 list items, regex source 1,000 characters and
//! 1 MiB compiled, 100 problems reported), checked before any further descent, so no input can
//! make parsing recurse deeply, run long, or panic. Deserializing a `Condition` (serde, as a
//! field of a config) reads at most 128 levels of JSON before parsing, whatever the
//! deserializer.
//!
//! This module must never read anything but the record it is handed, never allocate on the hot
//! path of the common operators, and never panic on any document or record.

pub(crate) mod ast;
pub mod domain;
mod eval;
mod literal;
mod parse;
mod plan;
mod slots;
#[cfg(test)]
pub(crate) mod strategies;
mod text;
mod wire;

pub(crate) use plan::{PlanMemo, PlannedSet};
pub(crate) use slots::BoundCondition;

#[cfg(test)]
mod tests;

use crate::error::{Error, Result};
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde::Serialize;
use serde_json::Value;

/// A value of a record's field, as the condition language sees it.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue<'a> {
    Bool(bool),
    Number(f64),
    Text(&'a str),
    Timestamp(DateTime<Utc>),
    Date(NaiveDate),
    List(Vec<FieldValue<'a>>),
    /// Anything held as JSON (a JSON record, an `attributes` value): read like JSON.
    Json(&'a serde_json::Value),
}

impl FieldValue<'_> {
    /// The JSON form of the value (what explanations show as `actual`): timestamps as RFC 3339
    /// UTC with `Z`, dates as `YYYY-MM-DD`, whole numbers as integers, NaN as null.
    /// Values nested deeper than 64 levels are shown as `"..."`, so this never recurses far.
    pub fn to_json(&self) -> Value {
        self.to_json_within(SHOWN_DEPTH)
    }

    fn to_json_within(&self, depth: usize) -> Value {
        match self {
            FieldValue::Bool(b) => Value::Bool(*b),
            FieldValue::Number(n) => number_json(*n),
            FieldValue::Text(s) => Value::String((*s).to_string()),
            FieldValue::Timestamp(t) => {
                Value::String(t.to_rfc3339_opts(SecondsFormat::AutoSi, true))
            }
            FieldValue::Date(d) => Value::String(d.format("%Y-%m-%d").to_string()),
            FieldValue::List(_) | FieldValue::Json(_) if depth == 0 => Value::String("...".into()),
            FieldValue::List(items) => {
                Value::Array(items.iter().map(|i| i.to_json_within(depth - 1)).collect())
            }
            FieldValue::Json(v) => json_within(v, depth),
        }
    }
}

const SHOWN_DEPTH: usize = 64;

fn number_json(n: f64) -> Value {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53: whole numbers below are exact integers
    if n.fract() == 0.0 && n.abs() < EXACT {
        Value::from(n as i64)
    } else {
        serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number)
    }
}

fn json_within(v: &Value, depth: usize) -> Value {
    match v {
        Value::Array(_) | Value::Object(_) if depth == 0 => Value::String("...".into()),
        Value::Array(items) => {
            Value::Array(items.iter().map(|i| json_within(i, depth - 1)).collect())
        }
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), json_within(v, depth - 1)))
                .collect(),
        ),
        scalar => scalar.clone(),
    }
}

/// Anything a condition can be evaluated against: a lead, an account, an opportunity, a JSON
/// object. `path` is a field name, possibly dotted (`attributes.region`, `account.industry`).
/// `None` means absent or null.
pub trait Record {
    fn field(&self, path: &str) -> Option<FieldValue<'_>>;
}

/// A JSON object record: a dotted path walks nested objects (`attributes.region` reads
/// `record["attributes"]["region"]`); null is absent; strings, numbers and booleans come back
/// as such, arrays and objects as [`FieldValue::Json`].
impl Record for serde_json::Value {
    fn field(&self, path: &str) -> Option<FieldValue<'_>> {
        self.as_object()?.field(path)
    }
}

/// The same as for a JSON object [`Value`](serde_json::Value).
impl Record for serde_json::Map<String, Value> {
    fn field(&self, path: &str) -> Option<FieldValue<'_>> {
        // Split by hand: `str::split` costs more than the lookup itself on short paths.
        let (head, mut rest) = split_first_segment(path);
        let mut current = self.get(head)?;
        while let Some(more) = rest {
            let (segment, next) = split_first_segment(more);
            current = current.as_object()?.get(segment)?;
            rest = next;
        }
        Some(match current {
            Value::Null => return None,
            Value::Bool(b) => FieldValue::Bool(*b),
            Value::Number(n) => FieldValue::Number(n.as_f64()?),
            Value::String(s) => FieldValue::Text(s),
            other => FieldValue::Json(other),
        })
    }
}

fn split_first_segment(path: &str) -> (&str, Option<&str>) {
    match path.bytes().position(|b| b == b'.') {
        Some(i) => (&path[..i], Some(&path[i + 1..])),
        None => (path, None),
    }
}

impl<R: Record + ?Sized> Record for &R {
    fn field(&self, path: &str) -> Option<FieldValue<'_>> {
        (**self).field(path)
    }
}

/// The explicit limits on a condition document; [`Condition::parse`] uses [`Limits::DEFAULT`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Deepest nesting of nodes (the root is level 1): code `too_deep`.
    pub max_depth: usize,
    /// Most nodes (composites and leaves) in one document: code `too_large`.
    pub max_nodes: usize,
    /// Most items in an `in` / `not_in` / `email_domain` list: code `too_large`.
    pub max_list_items: usize,
    /// Longest `matches` pattern, in characters: code `regex_too_large`.
    pub max_regex_len: usize,
    /// Compiled size limit for a `matches` regex (`RegexBuilder::size_limit`), in bytes: a
    /// pattern over it is reported as `invalid_regex`.
    pub regex_size_limit: usize,
    /// Most problems reported for one document; one last `too_large` problem says the rest
    /// were not listed.
    pub max_problems: usize,
}

impl Limits {
    pub const MAX_DEPTH: usize = 32;
    pub const MAX_NODES: usize = 1_000;
    pub const MAX_LIST_ITEMS: usize = 10_000;
    pub const MAX_REGEX_LEN: usize = 1_000;
    pub const REGEX_SIZE_LIMIT: usize = 1 << 20;
    pub const MAX_PROBLEMS: usize = 100;
    /// Deepest JSON nesting `Condition`'s `Deserialize` reads before parsing: far more than a
    /// valid condition uses (each of its levels takes at most two), few enough that reading
    /// from any deserializer recurses a bounded number of times.
    pub const MAX_JSON_DEPTH: usize = 128;

    pub const DEFAULT: Limits = Limits {
        max_depth: Self::MAX_DEPTH,
        max_nodes: Self::MAX_NODES,
        max_list_items: Self::MAX_LIST_ITEMS,
        max_regex_len: Self::MAX_REGEX_LEN,
        regex_size_limit: Self::REGEX_SIZE_LIMIT,
        max_problems: Self::MAX_PROBLEMS,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}

/// A parsed, validated condition.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    root: ast::Node,
}

/// Why a condition matched a record or did not: a tree mirroring the condition.
///
/// JSON form: `{"matched": bool, "node": node}` where a node is
/// `{"all": [node, ...], "result": bool}`, `{"any": [node, ...], "result": bool}`,
/// `{"not": node, "result": bool}` or a leaf
/// `{"field", "op", "expected", "actual", "result"}` plus `"reason"` (`"missing"` or
/// `"type_mismatch"`) when the leaf could not be evaluated normally.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Explanation {
    pub matched: bool,
    pub node: ExplainNode,
}

/// One node of an [`Explanation`].
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum ExplainNode {
    All { all: Vec<ExplainNode>, result: bool },
    Any { any: Vec<ExplainNode>, result: bool },
    Not { not: Box<ExplainNode>, result: bool },
    Leaf(LeafExplanation),
}

impl ExplainNode {
    /// Whether this node held for the record.
    pub fn result(&self) -> bool {
        match self {
            ExplainNode::All { result, .. }
            | ExplainNode::Any { result, .. }
            | ExplainNode::Not { result, .. } => *result,
            ExplainNode::Leaf(leaf) => leaf.result,
        }
    }
}

/// How one leaf came out: the operand as written (`expected`), the value seen (`actual`, null
/// when missing), and why it could not be evaluated normally, if so (`reason`).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct LeafExplanation {
    pub field: String,
    pub op: String,
    pub expected: Value,
    pub actual: Value,
    pub result: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
}

/// Why a leaf could not be evaluated normally (and so is false).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// The field is absent or null.
    Missing,
    /// The value cannot be compared with the operand (wrong type, NaN, no readable domain).
    TypeMismatch,
}

impl Condition {
    /// Parses and validates a condition document; every problem is reported with its path
    /// (`Error::InvalidConfig`).
    pub fn parse(spec: &serde_json::Value) -> Result<Condition> {
        Condition::parse_with_limits(spec, &Limits::DEFAULT)
    }

    /// [`Condition::parse`] with other limits (a host that needs bigger documents, or tests).
    pub fn parse_with_limits(spec: &serde_json::Value, limits: &Limits) -> Result<Condition> {
        parse::parse(spec, limits)
            .map(|root| Condition { root })
            .map_err(Error::InvalidConfig)
    }

    /// The canonical JSON form (what `parse` accepts; `parse(to_json(c)) == c`).
    pub fn to_json(&self) -> serde_json::Value {
        self.root.to_json()
    }

    pub fn matches<R: Record + ?Sized>(&self, record: &R) -> bool {
        self.root.matches(record)
    }

    /// The parsed tree, for indexes that read a condition's leaves at build time (territories).
    pub(crate) fn root(&self) -> &ast::Node {
        &self.root
    }

    pub fn explain<R: Record + ?Sized>(&self, record: &R) -> Explanation {
        let node = self.root.explain(record);
        Explanation {
            matched: node.result(),
            node,
        }
    }

    /// The field paths this condition reads, sorted and deduplicated.
    pub fn fields(&self) -> Vec<String> {
        let mut fields = Vec::new();
        self.root.collect_fields(&mut fields);
        fields.sort_unstable();
        fields.dedup();
        fields.into_iter().map(str::to_string).collect()
    }
}
