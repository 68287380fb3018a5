//! The parsed form of a condition: operands already converted, folded and indexed, so that
//! evaluation does no parsing and (for common ops) no allocation. Only `parse.rs` builds these
//! values, which is what guarantees the depth and size limits hold for every tree here.

use super::literal::Literals;
use super::text::DateLike;
use regex::Regex;
use serde_json::{Map, Value};
use std::collections::HashSet;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    All(Vec<Node>),
    Any(Vec<Node>),
    Not(Box<Node>),
    Leaf(Leaf),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Leaf {
    pub field: String,
    pub case_sensitive: bool,
    pub op: Op,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Op {
    Eq(Scalar),
    Ne(Scalar),
    In(ScalarSet),
    NotIn(ScalarSet),
    Gt(Bound),
    Gte(Bound),
    Lt(Bound),
    Lte(Bound),
    Between(Bound, Bound),
    Contains(Text),
    StartsWith(Text),
    EndsWith(Text),
    Matches(Pattern),
    Exists(bool),
    EmailDomain(DomainSet),
    FreeMail(bool),
    PostalCodeRange(PostalRange),
}

/// Every leaf operator, by its key in the document.
pub(crate) const LEAF_OPS: &[&str] = &[
    "eq",
    "ne",
    "in",
    "not_in",
    "gt",
    "gte",
    "lt",
    "lte",
    "between",
    "contains",
    "starts_with",
    "ends_with",
    "matches",
    "exists",
    "email_domain",
    "free_mail",
    "postal_code_range",
];

/// The composite keys.
pub(crate) const COMPOSITES: &[&str] = &["all", "any", "not"];

/// A text operand: as written, folded for case-insensitive compares, and read as a date when it
/// is one (so `eq`/`in` can compare with date and timestamp fields).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Text {
    pub raw: String,
    pub folded: String,
    /// `raw` is ASCII: ASCII values compare with it byte by byte, ignoring case.
    pub ascii: bool,
    pub date: Option<DateLike>,
}

/// A number operand: the JSON number as written (for the canonical form) and its value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Number {
    pub raw: serde_json::Number,
    pub value: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Scalar {
    Text(Text),
    Number(Number),
    Bool(bool),
}

/// The operand of `in` / `not_in`: the items as written plus lookup structures by type.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ScalarSet {
    pub items: Vec<Scalar>,
    /// Text items in the leaf's case mode (raw when case-sensitive, else folded); only built
    /// when there are enough texts for hashing to beat a scan of `items`.
    pub hashed: Option<HashSet<String>>,
    pub has_text: bool,
    /// Number items, sorted by `total_cmp`, -0.0 stored as 0.0.
    pub numbers: Vec<f64>,
    pub has_true: bool,
    pub has_false: bool,
    /// Text items that read as dates or timestamps.
    pub dates: Vec<DateLike>,
}

/// The operand of `gt`, `gte`, `lt`, `lte` and each end of `between`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Bound {
    Number(Number),
    Date { raw: String, value: DateLike },
}

/// A compiled `matches` pattern; two patterns are equal when their sources are.
#[derive(Debug, Clone)]
pub(crate) struct Pattern {
    pub raw: String,
    pub regex: Regex,
    /// The literals when the pattern is a plain alternation (`literal.rs`): answers most
    /// searches without the regex engine, and exactly as it would.
    pub literals: Option<Box<Literals>>,
}

impl Pattern {
    pub(crate) fn is_match(&self, value: &str) -> bool {
        match self.literals.as_ref().and_then(|l| l.is_match(value)) {
            Some(answer) => answer,
            None => self.regex.is_match(value),
        }
    }
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.raw == other.raw
    }
}

/// The operand of `email_domain`: the domains as written and normalised (lowercase, no `www.`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DomainSet {
    pub raw: Vec<String>,
    pub wanted: Vec<String>,
    /// Every `wanted` is ASCII (so ASCII domains compare byte by byte).
    pub ascii: bool,
    /// `wanted` as a set, built when the list is long enough to be worth hashing.
    pub hashed: Option<HashSet<String>>,
}

/// The operand of `postal_code_range`: as written, and normalised (no whitespace, uppercase).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PostalRange {
    pub raw: [String; 2],
    pub lo: String,
    pub hi: String,
    /// lo and hi are both all digits: compare the value's leading digits.
    pub numeric: bool,
}

impl Op {
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Op::Eq(_) => "eq",
            Op::Ne(_) => "ne",
            Op::In(_) => "in",
            Op::NotIn(_) => "not_in",
            Op::Gt(_) => "gt",
            Op::Gte(_) => "gte",
            Op::Lt(_) => "lt",
            Op::Lte(_) => "lte",
            Op::Between(..) => "between",
            Op::Contains(_) => "contains",
            Op::StartsWith(_) => "starts_with",
            Op::EndsWith(_) => "ends_with",
            Op::Matches(_) => "matches",
            Op::Exists(_) => "exists",
            Op::EmailDomain(_) => "email_domain",
            Op::FreeMail(_) => "free_mail",
            Op::PostalCodeRange(_) => "postal_code_range",
        }
    }

    /// The operand in canonical form: as the user wrote it.
    pub(crate) fn operand_json(&self) -> Value {
        match self {
            Op::Eq(s) | Op::Ne(s) => s.to_json(),
            Op::In(set) | Op::NotIn(set) => {
                Value::Array(set.items.iter().map(Scalar::to_json).collect())
            }
            Op::Gt(b) | Op::Gte(b) | Op::Lt(b) | Op::Lte(b) => b.to_json(),
            Op::Between(lo, hi) => Value::Array(vec![lo.to_json(), hi.to_json()]),
            Op::Contains(t) | Op::StartsWith(t) | Op::EndsWith(t) => Value::String(t.raw.clone()),
            Op::Matches(p) => Value::String(p.raw.clone()),
            Op::Exists(b) | Op::FreeMail(b) => Value::Bool(*b),
            Op::EmailDomain(d) => Value::Array(d.raw.iter().cloned().map(Value::String).collect()),
            Op::PostalCodeRange(r) => {
                Value::Array(r.raw.iter().cloned().map(Value::String).collect())
            }
        }
    }
}

impl Scalar {
    pub(crate) fn to_json(&self) -> Value {
        match self {
            Scalar::Text(t) => Value::String(t.raw.clone()),
            Scalar::Number(n) => Value::Number(n.raw.clone()),
            Scalar::Bool(b) => Value::Bool(*b),
        }
    }
}

impl Bound {
    pub(crate) fn to_json(&self) -> Value {
        match self {
            Bound::Number(n) => Value::Number(n.raw.clone()),
            Bound::Date { raw, .. } => Value::String(raw.clone()),
        }
    }
}

impl Node {
    /// The canonical JSON form. Trees are at most `Limits::max_depth` deep, so recursing is safe.
    pub(crate) fn to_json(&self) -> Value {
        let mut obj = Map::new();
        match self {
            Node::All(children) => {
                obj.insert("all".into(), children.iter().map(Node::to_json).collect());
            }
            Node::Any(children) => {
                obj.insert("any".into(), children.iter().map(Node::to_json).collect());
            }
            Node::Not(child) => {
                obj.insert("not".into(), child.to_json());
            }
            Node::Leaf(leaf) => {
                obj.insert("field".into(), Value::String(leaf.field.clone()));
                obj.insert(leaf.op.name().into(), leaf.op.operand_json());
                if leaf.case_sensitive {
                    obj.insert("case_sensitive".into(), Value::Bool(true));
                }
            }
        }
        Value::Object(obj)
    }

    pub(crate) fn collect_fields<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Node::All(children) | Node::Any(children) => {
                children.iter().for_each(|c| c.collect_fields(out))
            }
            Node::Not(child) => child.collect_fields(out),
            Node::Leaf(leaf) => out.push(&leaf.field),
        }
    }
}
