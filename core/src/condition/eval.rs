//! Evaluation of a parsed condition against a [`Record`]: `matches` (short-circuits, allocates
//! nothing for the common ops) and `explain` (evaluates every node, builds the tree a person
//! reads). Both share one leaf evaluator; `matches` also takes shortcuts that only tell a
//! match from the rest (`Leaf::is_match`), which a property test holds to the full outcome.

use super::ast::{Bound, DomainSet, Leaf, Node, Op, PostalRange, Scalar, ScalarSet, Text};
use super::domain::{
    ascii_domain_matches, domain_matches, domain_part, is_free_mail, is_free_mail_address,
};
use super::parse::normalize_postal;
use super::text::{
    contains_fold, ends_with_fold, eq_fold, starts_with_fold, with_folded, DateLike,
};
use super::{ExplainNode, FieldValue, LeafExplanation, Reason, Record};
use serde_json::Value;
use std::cmp::Ordering;

/// A shortcut of [`Leaf::is_match`]; see [`Leaf::shortcut`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shortcut {
    /// `free_mail: true`: a text value is looked up without reading its domain in full.
    FreeMail,
    /// A plain text or number value gets the positive test directly.
    Direct,
    /// `exists`, `ne`, `not_in`: always the full outcome.
    None,
}

/// How one leaf came out. Only `Match` makes the leaf true.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Match,
    NoMatch,
    /// The field is absent or null.
    Missing,
    /// The value's type cannot be compared with the operand (or it is NaN).
    Mismatch,
}

impl Outcome {
    fn from_bool(b: bool) -> Outcome {
        if b {
            Outcome::Match
        } else {
            Outcome::NoMatch
        }
    }

    fn from_test(t: Option<bool>) -> Outcome {
        t.map_or(Outcome::Mismatch, Outcome::from_bool)
    }

    /// `ne` / `not_in`: the opposite of `eq` / `in`, but only where those could be evaluated.
    fn negate(self) -> Outcome {
        match self {
            Outcome::Match => Outcome::NoMatch,
            Outcome::NoMatch => Outcome::Match,
            other => other,
        }
    }
}

/// A value as the operators see it: dates and timestamps both as [`DateLike`], JSON read as
/// JSON, lists left borrowed.
#[derive(Clone, Copy)]
enum View<'v> {
    Bool(bool),
    Num(f64),
    Text(&'v str),
    Date(DateLike),
    List(Items<'v>),
    /// A JSON object, a list inside a list, a null inside a list: nothing compares with it.
    Other,
}

#[derive(Clone, Copy)]
enum Items<'v> {
    Fields(&'v [FieldValue<'v>]),
    Json(&'v [Value]),
}

/// `None` when the value is null (a missing field).
fn view<'v>(v: &'v FieldValue<'v>) -> Option<View<'v>> {
    Some(match v {
        FieldValue::Bool(b) => View::Bool(*b),
        FieldValue::Number(n) => View::Num(*n),
        FieldValue::Text(s) => View::Text(s),
        FieldValue::Timestamp(t) => View::Date(DateLike::Instant(*t)),
        FieldValue::Date(d) => View::Date(DateLike::Date(*d)),
        FieldValue::List(items) => View::List(Items::Fields(items)),
        FieldValue::Json(j) => return json_view(j),
    })
}

fn json_view(v: &Value) -> Option<View<'_>> {
    Some(match v {
        Value::Null => return None,
        Value::Bool(b) => View::Bool(*b),
        Value::Number(n) => View::Num(n.as_f64().unwrap_or(f64::NAN)),
        Value::String(s) => View::Text(s),
        Value::Array(items) => View::List(Items::Json(items)),
        Value::Object(_) => View::Other,
    })
}

/// An element of a list: one level only (lists are not flattened, so nothing recurses).
fn element_view<'v>(v: &'v FieldValue<'v>) -> View<'v> {
    match view(v) {
        Some(View::List(_)) | None => View::Other,
        Some(other) => other,
    }
}

fn json_element_view(v: &Value) -> View<'_> {
    match json_view(v) {
        Some(View::List(_)) | None => View::Other,
        Some(other) => other,
    }
}

impl Items<'_> {
    /// Any element passes `test`: `Match`; else `NoMatch` if some element could be compared
    /// (or the list is empty); else `Mismatch`.
    fn any(self, mut test: impl FnMut(View<'_>) -> Option<bool>) -> Outcome {
        let mut compared = false;
        let mut check = |v: View<'_>| match test(v) {
            Some(true) => true,
            Some(false) => {
                compared = true;
                false
            }
            None => false,
        };
        let (hit, empty) = match self {
            Items::Fields(items) => (
                items.iter().any(|e| check(element_view(e))),
                items.is_empty(),
            ),
            Items::Json(items) => (
                items.iter().any(|e| check(json_element_view(e))),
                items.is_empty(),
            ),
        };
        if hit {
            Outcome::Match
        } else if compared || empty {
            Outcome::NoMatch
        } else {
            Outcome::Mismatch
        }
    }
}

/// Applies a scalar test to a value: to each element of a list (any), to the value otherwise.
/// NaN never compares.
fn over(v: View<'_>, mut test: impl FnMut(View<'_>) -> Option<bool>) -> Outcome {
    let mut guarded = move |x: View<'_>| match x {
        View::Num(n) if n.is_nan() => None,
        View::Other => None,
        x => test(x),
    };
    match v {
        View::List(items) => items.any(guarded),
        other => Outcome::from_test(guarded(other)),
    }
}

impl Leaf {
    /// Whether the leaf holds for `value`: `outcome(value) == Match`, through shortcuts that
    /// only have to tell a match from the rest (not why the rest is not a match).
    ///
    /// On a plain text or number value, `outcome` comes down to the positive test of the value
    /// (`over` passes it straight to `test`, and only `Some(true)` is a match) for every op
    /// but `exists`, `ne` and `not_in`, whose outcome is not the plain test; NaN is left to
    /// `outcome`, which never lets it compare.
    pub(crate) fn is_match(&self, value: Option<&FieldValue<'_>>) -> bool {
        self.is_match_by(self.shortcut(), value)
    }

    /// Which shortcut [`Leaf::is_match_by`] may take for this leaf (decided once by callers
    /// that evaluate a leaf many times).
    pub(crate) fn shortcut(&self) -> Shortcut {
        match self.op {
            Op::FreeMail(true) => Shortcut::FreeMail,
            Op::Exists(_) | Op::Ne(_) | Op::NotIn(_) => Shortcut::None,
            _ => Shortcut::Direct,
        }
    }

    /// [`Leaf::is_match`] with `how` from [`Leaf::shortcut`] of this leaf.
    pub(crate) fn is_match_by(&self, how: Shortcut, value: Option<&FieldValue<'_>>) -> bool {
        match (how, value) {
            (Shortcut::None, _) => self.outcome(value) == Outcome::Match,
            (Shortcut::FreeMail, Some(FieldValue::Text(s))) => is_free_mail_address(s),
            (_, Some(FieldValue::Text(s))) => self.test(View::Text(s)) == Some(true),
            (_, Some(FieldValue::Number(x))) if !x.is_nan() => {
                self.test(View::Num(*x)) == Some(true)
            }
            _ => self.outcome(value) == Outcome::Match,
        }
    }

    fn outcome(&self, value: Option<&FieldValue<'_>>) -> Outcome {
        let Some(v) = value.and_then(view) else {
            return match self.op {
                Op::Exists(want) => Outcome::from_bool(!want),
                _ => Outcome::Missing,
            };
        };
        match &self.op {
            Op::Exists(want) => Outcome::from_bool(*want),
            Op::Ne(s) => over(v, |x| self.eq_scalar(s, x)).negate(),
            Op::NotIn(set) => over(v, |x| self.in_set(set, x)).negate(),
            Op::Contains(t) => match v {
                // On a list, `contains` is membership.
                View::List(items) => items.any(|x| match x {
                    View::Text(s) => Some(self.text_eq(t, s)),
                    _ => None,
                }),
                other => over(other, |x| self.test(x)),
            },
            _ => over(v, |x| self.test(x)),
        }
    }

    fn text_eq(&self, t: &Text, s: &str) -> bool {
        if self.case_sensitive {
            s == t.raw
        } else if t.ascii && s.is_ascii() {
            s.eq_ignore_ascii_case(&t.raw)
        } else {
            eq_fold(s, &t.raw, &t.folded)
        }
    }

    fn eq_scalar(&self, operand: &Scalar, v: View<'_>) -> Option<bool> {
        match (operand, v) {
            (Scalar::Text(t), View::Text(s)) => Some(self.text_eq(t, s)),
            (Scalar::Text(t), View::Date(d)) => t.date.map(|od| d.compare(od).is_eq()),
            (Scalar::Number(n), View::Num(x)) => Some(x == n.value),
            (Scalar::Bool(b), View::Bool(x)) => Some(x == *b),
            _ => None,
        }
    }

    fn in_set(&self, set: &ScalarSet, v: View<'_>) -> Option<bool> {
        match v {
            View::Text(s) if set.has_text => Some(match &set.hashed {
                Some(hashed) if self.case_sensitive => hashed.contains(s),
                Some(hashed) => with_folded(s, |f| hashed.contains(f)),
                None if self.case_sensitive => set.items.iter().any(|item| match item {
                    Scalar::Text(t) => s == t.raw,
                    _ => false,
                }),
                None if s.is_ascii() => set.items.iter().any(|item| match item {
                    Scalar::Text(t) if t.ascii => s.eq_ignore_ascii_case(&t.raw),
                    Scalar::Text(t) => eq_fold(s, &t.raw, &t.folded),
                    _ => false,
                }),
                None => set.items.iter().any(|item| match item {
                    Scalar::Text(t) => eq_fold(s, &t.raw, &t.folded),
                    _ => false,
                }),
            }),
            View::Num(x) if !set.numbers.is_empty() => {
                let x = x + 0.0;
                Some(set.numbers.binary_search_by(|p| p.total_cmp(&x)).is_ok())
            }
            View::Bool(b) if set.has_true || set.has_false => {
                Some(if b { set.has_true } else { set.has_false })
            }
            View::Date(d) if !set.dates.is_empty() => {
                Some(set.dates.iter().any(|od| d.compare(*od).is_eq()))
            }
            _ => None,
        }
    }

    /// The positive scalar test of every op but `exists`, `ne`, `not_in` (handled above).
    fn test(&self, v: View<'_>) -> Option<bool> {
        let cs = self.case_sensitive;
        match &self.op {
            Op::Eq(s) => self.eq_scalar(s, v),
            Op::In(set) => self.in_set(set, v),
            Op::Gt(b) => compare(b, v).map(Ordering::is_gt),
            Op::Gte(b) => compare(b, v).map(Ordering::is_ge),
            Op::Lt(b) => compare(b, v).map(Ordering::is_lt),
            Op::Lte(b) => compare(b, v).map(Ordering::is_le),
            Op::Between(lo, hi) => {
                let above_lo = compare(lo, v)?.is_ge();
                let below_hi = compare(hi, v)?.is_le();
                Some(above_lo && below_hi)
            }
            Op::Contains(t) => text(v).map(|s| {
                if cs {
                    s.contains(t.raw.as_str())
                } else {
                    contains_fold(s, &t.folded)
                }
            }),
            Op::StartsWith(t) => text(v).map(|s| {
                if cs {
                    s.starts_with(t.raw.as_str())
                } else {
                    starts_with_fold(s, &t.folded)
                }
            }),
            Op::EndsWith(t) => text(v).map(|s| {
                if cs {
                    s.ends_with(t.raw.as_str())
                } else {
                    ends_with_fold(s, &t.folded)
                }
            }),
            Op::Matches(p) => text(v).map(|s| p.is_match(s)),
            Op::EmailDomain(set) => domain_part(text(v)?).map(|d| set.matches(d)),
            Op::FreeMail(want) => domain_part(text(v)?).map(|d| is_free_mail(d) == *want),
            Op::PostalCodeRange(range) => text(v).map(|s| range.contains(s)),
            Op::Exists(_) | Op::Ne(_) | Op::NotIn(_) => None,
        }
    }

    fn explain(&self, record: &(impl Record + ?Sized)) -> LeafExplanation {
        let value = record.field(&self.field);
        let outcome = self.outcome(value.as_ref());
        LeafExplanation {
            field: self.field.clone(),
            op: self.op.name().to_string(),
            expected: self.op.operand_json(),
            actual: value.as_ref().map_or(Value::Null, FieldValue::to_json),
            result: outcome == Outcome::Match,
            reason: match outcome {
                Outcome::Missing => Some(Reason::Missing),
                Outcome::Mismatch => Some(Reason::TypeMismatch),
                Outcome::Match | Outcome::NoMatch => None,
            },
        }
    }
}

fn text(v: View<'_>) -> Option<&str> {
    match v {
        View::Text(s) => Some(s),
        _ => None,
    }
}

/// Where the value stands relative to the bound; `None` when they cannot be compared.
fn compare(bound: &Bound, v: View<'_>) -> Option<Ordering> {
    match (bound, v) {
        (Bound::Number(n), View::Num(x)) => x.partial_cmp(&n.value),
        (Bound::Date { value, .. }, View::Date(d)) => Some(d.compare(*value)),
        (Bound::Date { value, .. }, View::Text(s)) => DateLike::parse(s).map(|d| d.compare(*value)),
        _ => None,
    }
}

impl DomainSet {
    fn matches(&self, domain: &str) -> bool {
        match &self.hashed {
            // Look up the domain and each parent (`a.b.acme.com`, `b.acme.com`, `acme.com`, `com`).
            Some(hashed) => {
                let mut rest = domain;
                loop {
                    if with_folded(rest, |f| hashed.contains(f)) {
                        return true;
                    }
                    match rest.find('.') {
                        Some(i) => rest = &rest[i + 1..],
                        None => return false,
                    }
                }
            }
            None if self.ascii && domain.is_ascii() => self
                .wanted
                .iter()
                .any(|w| ascii_domain_matches(domain.as_bytes(), w.as_bytes())),
            None => self.wanted.iter().any(|w| domain_matches(domain, w)),
        }
    }
}

impl PostalRange {
    fn contains(&self, value: &str) -> bool {
        const STACK: usize = 32;
        if value.is_ascii() && value.len() <= STACK {
            let mut buf = [0u8; STACK];
            let mut n = 0;
            for b in value.bytes().filter(|b| !b.is_ascii_whitespace()) {
                buf[n] = b.to_ascii_uppercase();
                n += 1;
            }
            self.contains_normalized(&buf[..n])
        } else {
            self.contains_normalized(normalize_postal(value).as_bytes())
        }
    }

    fn contains_normalized(&self, v: &[u8]) -> bool {
        let (lo, hi) = (self.lo.as_bytes(), self.hi.as_bytes());
        if self.numeric {
            // Digits of equal length order like their numbers: `10115-1234` reads as `10115`.
            match v.get(..lo.len()) {
                Some(head) => head.iter().all(u8::is_ascii_digit) && lo <= head && head <= hi,
                None => false,
            }
        } else {
            v.len() == lo.len() && lo <= v && v <= hi
        }
    }
}

impl Node {
    pub(crate) fn matches<R: Record + ?Sized>(&self, record: &R) -> bool {
        match self {
            Node::All(children) => children.iter().all(|c| c.matches(record)),
            Node::Any(children) => children.iter().any(|c| c.matches(record)),
            Node::Not(child) => !child.matches(record),
            Node::Leaf(leaf) => leaf.is_match(record.field(&leaf.field).as_ref()),
        }
    }

    pub(crate) fn explain<R: Record + ?Sized>(&self, record: &R) -> ExplainNode {
        match self {
            Node::All(children) => {
                let all: Vec<ExplainNode> = children.iter().map(|c| c.explain(record)).collect();
                let result = all.iter().all(ExplainNode::result);
                ExplainNode::All { all, result }
            }
            Node::Any(children) => {
                let any: Vec<ExplainNode> = children.iter().map(|c| c.explain(record)).collect();
                let result = any.iter().any(ExplainNode::result);
                ExplainNode::Any { any, result }
            }
            Node::Not(child) => {
                let not = Box::new(child.explain(record));
                let result = !not.result();
                ExplainNode::Not { not, result }
            }
            Node::Leaf(leaf) => ExplainNode::Leaf(leaf.explain(record)),
        }
    }
}
