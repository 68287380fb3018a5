//! Parsing and validation of a condition document into the tree of `ast.rs`.
//!
//! It walks the whole document and records every problem (with its JSON path) instead of
//! stopping at the first, but never does unbounded work: it refuses to descend past
//! `max_depth`, stops after `max_nodes` nodes, skips lists over `max_list_items` and stops
//! recording after `max_problems` problems. It must never panic on any JSON value.

use super::ast::{
    Bound, DomainSet, Leaf, Node, Number, Op, Pattern, PostalRange, Scalar, ScalarSet, Text,
    COMPOSITES, LEAF_OPS,
};
use super::domain;
use super::literal::Literals;
use super::text::{fold, DateLike};
use super::Limits;
use crate::error::{join_path, Problem};
use serde_json::{Map, Value};
use std::collections::HashSet;

/// Lists longer than this get a hash set next to the plain list; shorter ones are scanned.
const HASH_FROM: usize = 16;

pub(crate) fn parse(spec: &Value, limits: &Limits) -> Result<Node, Vec<Problem>> {
    let mut parser = Parser {
        limits,
        problems: Vec::new(),
        nodes: 0,
        aborted: false,
    };
    match parser.node(spec, "", 1) {
        Some(node) if parser.problems.is_empty() => Ok(node),
        _ => Err(parser.problems),
    }
}

struct Parser<'l> {
    limits: &'l Limits,
    problems: Vec<Problem>,
    nodes: usize,
    /// Set once the node limit is hit: everything after is skipped.
    aborted: bool,
}

fn index(path: &str, i: usize) -> String {
    join_path(path, &format!("[{i}]"))
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

impl Parser<'_> {
    fn problem(&mut self, path: &str, code: &str, message: String) {
        let max = self.limits.max_problems;
        if self.problems.len() < max {
            self.problems.push(Problem::new(path, code, message));
        } else if self.problems.len() == max {
            self.problems.push(Problem::new(
                "",
                "too_large",
                format!("more than {max} problems; stopped reporting"),
            ));
        }
    }

    /// Parses one node at `depth` (the root is 1). `None` means it had problems (recorded).
    fn node(&mut self, v: &Value, path: &str, depth: usize) -> Option<Node> {
        if self.aborted {
            return None;
        }
        if depth > self.limits.max_depth {
            let max = self.limits.max_depth;
            self.problem(
                path,
                "too_deep",
                format!("conditions may nest at most {max} levels"),
            );
            return None;
        }
        self.nodes += 1;
        if self.nodes > self.limits.max_nodes {
            let max = self.limits.max_nodes;
            self.problem(
                path,
                "too_large",
                format!("a condition may have at most {max} nodes"),
            );
            self.aborted = true;
            return None;
        }
        let Value::Object(obj) = v else {
            let found = type_name(v);
            self.problem(
                path,
                "invalid_type",
                format!("a condition must be an object, found {found}"),
            );
            return None;
        };
        if obj.keys().any(|k| COMPOSITES.contains(&k.as_str())) {
            self.composite(obj, path, depth)
        } else {
            self.leaf(obj, path).map(Node::Leaf)
        }
    }

    fn composite(&mut self, obj: &Map<String, Value>, path: &str, depth: usize) -> Option<Node> {
        let mut ok = true;
        let mut operators = Vec::new();
        for key in obj.keys() {
            if COMPOSITES.contains(&key.as_str()) || LEAF_OPS.contains(&key.as_str()) {
                operators.push(key.as_str());
            } else {
                ok = false;
                self.problem(
                    &join_path(path, key),
                    "unknown_operator",
                    format!("`{key}` is not allowed next to `all`, `any` or `not`"),
                );
            }
        }
        if operators.len() > 1 {
            ok = false;
            self.problem(
                path,
                "multiple_operators",
                format!(
                    "a condition has exactly one operator, found {}",
                    operators.join(", ")
                ),
            );
        }
        let mut built = None;
        for (key, value) in obj {
            if self.aborted {
                return None;
            }
            let child_path = join_path(path, key);
            let node = match key.as_str() {
                "all" | "any" => match self.children(value, &child_path, depth) {
                    Some(children) if key == "all" => Node::All(children),
                    Some(children) => Node::Any(children),
                    None => {
                        ok = false;
                        continue;
                    }
                },
                "not" => match self.node(value, &child_path, depth + 1) {
                    Some(child) => Node::Not(Box::new(child)),
                    None => {
                        ok = false;
                        continue;
                    }
                },
                _ => continue,
            };
            built = Some(node);
        }
        if ok {
            built
        } else {
            None
        }
    }

    /// The list of an `all` / `any`: every child is parsed, so every problem is found.
    fn children(&mut self, value: &Value, path: &str, depth: usize) -> Option<Vec<Node>> {
        let Value::Array(items) = value else {
            let found = type_name(value);
            self.problem(
                path,
                "invalid_type",
                format!("expected a list of conditions, found {found}"),
            );
            return None;
        };
        if items.is_empty() {
            self.problem(
                path,
                "empty",
                "a list of conditions may not be empty".into(),
            );
            return None;
        }
        let mut out = Vec::with_capacity(items.len().min(self.limits.max_nodes));
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            if self.aborted {
                return None;
            }
            match self.node(item, &index(path, i), depth + 1) {
                Some(node) => out.push(node),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn leaf(&mut self, obj: &Map<String, Value>, path: &str) -> Option<Leaf> {
        let mut ok = true;
        let field = match obj.get("field") {
            None => {
                ok = false;
                self.problem(path, "missing_field", "a condition needs a `field`".into());
                None
            }
            Some(Value::String(s)) if s.trim().is_empty() => {
                ok = false;
                self.problem(
                    &join_path(path, "field"),
                    "empty",
                    "`field` may not be empty".into(),
                );
                None
            }
            Some(Value::String(s)) => Some(s.clone()),
            Some(other) => {
                ok = false;
                let found = type_name(other);
                self.problem(
                    &join_path(path, "field"),
                    "invalid_type",
                    format!("`field` must be a string, found {found}"),
                );
                None
            }
        };
        let case_sensitive = match obj.get("case_sensitive") {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(other) => {
                ok = false;
                let found = type_name(other);
                self.problem(
                    &join_path(path, "case_sensitive"),
                    "invalid_type",
                    format!("`case_sensitive` must be true or false, found {found}"),
                );
                false
            }
        };
        let mut operators = Vec::new();
        for (key, value) in obj {
            match key.as_str() {
                "field" | "case_sensitive" => {}
                k if LEAF_OPS.contains(&k) => operators.push((k, value)),
                k => {
                    ok = false;
                    let known = LEAF_OPS.join(", ");
                    self.problem(
                        &join_path(path, k),
                        "unknown_operator",
                        format!("unknown operator `{k}`; known operators: {known}, all, any, not"),
                    );
                }
            }
        }
        match operators.len() {
            0 => {
                ok = false;
                self.problem(
                    path,
                    "missing_operator",
                    "a condition needs one operator (e.g. `eq`, `in`, `gt`)".into(),
                );
            }
            1 => {}
            _ => {
                ok = false;
                let names: Vec<&str> = operators.iter().map(|(k, _)| *k).collect();
                self.problem(
                    path,
                    "multiple_operators",
                    format!(
                        "a condition has exactly one operator, found {}",
                        names.join(", ")
                    ),
                );
            }
        }
        let mut op = None;
        for (key, value) in operators {
            let operand_path = join_path(path, key);
            match self.operand(key, value, &operand_path, case_sensitive) {
                Some(parsed) => op = Some(parsed),
                None => ok = false,
            }
        }
        match (ok, field, op) {
            (true, Some(field), Some(op)) => Some(Leaf {
                field,
                case_sensitive,
                op,
            }),
            _ => None,
        }
    }

    fn operand(&mut self, key: &str, v: &Value, path: &str, case_sensitive: bool) -> Option<Op> {
        Some(match key {
            "eq" => Op::Eq(self.scalar(v, path)?),
            "ne" => Op::Ne(self.scalar(v, path)?),
            "in" => Op::In(self.scalar_set(v, path, case_sensitive)?),
            "not_in" => Op::NotIn(self.scalar_set(v, path, case_sensitive)?),
            "gt" => Op::Gt(self.bound(v, path)?),
            "gte" => Op::Gte(self.bound(v, path)?),
            "lt" => Op::Lt(self.bound(v, path)?),
            "lte" => Op::Lte(self.bound(v, path)?),
            "between" => self.between(v, path)?,
            "contains" => Op::Contains(self.text(v, path)?),
            "starts_with" => Op::StartsWith(self.text(v, path)?),
            "ends_with" => Op::EndsWith(self.text(v, path)?),
            "matches" => Op::Matches(self.pattern(v, path)?),
            "exists" => Op::Exists(self.boolean(v, path)?),
            "email_domain" => Op::EmailDomain(self.domains(v, path)?),
            "free_mail" => Op::FreeMail(self.boolean(v, path)?),
            "postal_code_range" => Op::PostalCodeRange(self.postal_range(v, path)?),
            _ => return None,
        })
    }

    fn wrong_type(&mut self, v: &Value, path: &str, expected: &str) {
        let found = type_name(v);
        self.problem(
            path,
            "invalid_type",
            format!("expected {expected}, found {found}"),
        );
    }

    fn scalar(&mut self, v: &Value, path: &str) -> Option<Scalar> {
        match v {
            Value::String(s) => Some(Scalar::Text(text_operand(s))),
            Value::Number(n) => Some(Scalar::Number(number_operand(n))),
            Value::Bool(b) => Some(Scalar::Bool(*b)),
            _ => {
                self.wrong_type(v, path, "a string, a number or a boolean");
                None
            }
        }
    }

    fn text(&mut self, v: &Value, path: &str) -> Option<Text> {
        match v {
            Value::String(s) => Some(text_operand(s)),
            _ => {
                self.wrong_type(v, path, "a string");
                None
            }
        }
    }

    fn boolean(&mut self, v: &Value, path: &str) -> Option<bool> {
        match v {
            Value::Bool(b) => Some(*b),
            _ => {
                self.wrong_type(v, path, "true or false");
                None
            }
        }
    }

    /// A list operand: an array, not empty, not over the limit.
    fn list<'v>(&mut self, v: &'v Value, path: &str, what: &str) -> Option<&'v [Value]> {
        let Value::Array(items) = v else {
            self.wrong_type(v, path, &format!("a list of {what}"));
            return None;
        };
        if items.is_empty() {
            self.problem(path, "empty", "the list may not be empty".into());
            return None;
        }
        let max = self.limits.max_list_items;
        if items.len() > max {
            let n = items.len();
            self.problem(
                path,
                "too_large",
                format!("the list has {n} items; at most {max} are allowed"),
            );
            return None;
        }
        Some(items)
    }

    fn scalar_set(&mut self, v: &Value, path: &str, case_sensitive: bool) -> Option<ScalarSet> {
        let values = self.list(v, path, "strings, numbers or booleans")?;
        let mut items = Vec::with_capacity(values.len());
        let mut ok = true;
        for (i, item) in values.iter().enumerate() {
            match self.scalar(item, &index(path, i)) {
                Some(s) => items.push(s),
                None => ok = false,
            }
        }
        if !ok {
            return None;
        }
        let texts = || {
            items.iter().filter_map(|s| match s {
                Scalar::Text(t) => Some(t),
                _ => None,
            })
        };
        let text_count = texts().count();
        let hashed = (text_count > HASH_FROM).then(|| {
            texts()
                .map(|t| {
                    if case_sensitive {
                        t.raw.clone()
                    } else {
                        t.folded.clone()
                    }
                })
                .collect::<HashSet<String>>()
        });
        let dates = texts().filter_map(|t| t.date).collect();
        let mut numbers: Vec<f64> = items
            .iter()
            .filter_map(|s| match s {
                Scalar::Number(n) => Some(n.value + 0.0),
                _ => None,
            })
            .collect();
        numbers.sort_by(f64::total_cmp);
        numbers.dedup();
        let has_true = items.contains(&Scalar::Bool(true));
        let has_false = items.contains(&Scalar::Bool(false));
        Some(ScalarSet {
            hashed,
            has_text: text_count > 0,
            dates,
            numbers,
            has_true,
            has_false,
            items,
        })
    }

    fn bound(&mut self, v: &Value, path: &str) -> Option<Bound> {
        match v {
            Value::Number(n) => Some(Bound::Number(number_operand(n))),
            Value::String(s) => match DateLike::parse(s) {
                Some(value) => Some(Bound::Date {
                    raw: s.clone(),
                    value,
                }),
                None => {
                    self.problem(
                        path,
                        "invalid_date",
                        format!("`{s}` is not a date (YYYY-MM-DD) or an RFC 3339 timestamp"),
                    );
                    None
                }
            },
            _ => {
                self.wrong_type(v, path, "a number or a date string");
                None
            }
        }
    }

    fn between(&mut self, v: &Value, path: &str) -> Option<Op> {
        let Value::Array(items) = v else {
            self.wrong_type(v, path, "a list [low, high]");
            return None;
        };
        if items.len() != 2 {
            let n = items.len();
            self.problem(
                path,
                "invalid_range",
                format!("`between` takes exactly two values [low, high], found {n}"),
            );
            return None;
        }
        let lo = self.bound(&items[0], &index(path, 0));
        let hi = self.bound(&items[1], &index(path, 1));
        let (lo, hi) = (lo?, hi?);
        let in_order = match (&lo, &hi) {
            (Bound::Number(a), Bound::Number(b)) => a.value <= b.value,
            (Bound::Date { value: a, .. }, Bound::Date { value: b, .. }) => a.compare(*b).is_le(),
            _ => {
                self.problem(
                    path,
                    "invalid_range",
                    "`between` takes two numbers or two dates, not one of each".into(),
                );
                return None;
            }
        };
        if !in_order {
            self.problem(
                path,
                "invalid_range",
                "the low end of `between` is above the high end".into(),
            );
            return None;
        }
        Some(Op::Between(lo, hi))
    }

    fn pattern(&mut self, v: &Value, path: &str) -> Option<Pattern> {
        let Value::String(raw) = v else {
            self.wrong_type(v, path, "a regular expression string");
            return None;
        };
        let max = self.limits.max_regex_len;
        let len = raw.chars().count();
        if len > max {
            self.problem(
                path,
                "regex_too_large",
                format!("the pattern has {len} characters; at most {max} are allowed"),
            );
            return None;
        }
        let built = regex::RegexBuilder::new(raw)
            .size_limit(self.limits.regex_size_limit)
            .dfa_size_limit(self.limits.regex_size_limit)
            .build();
        match built {
            Ok(regex) => Some(Pattern {
                raw: raw.clone(),
                regex,
                literals: Literals::of(raw).map(Box::new),
            }),
            Err(e) => {
                self.problem(
                    path,
                    "invalid_regex",
                    format!("invalid regular expression: {e}"),
                );
                None
            }
        }
    }

    fn domains(&mut self, v: &Value, path: &str) -> Option<DomainSet> {
        let values = self.list(v, path, "domains")?;
        let mut raw = Vec::with_capacity(values.len());
        let mut wanted = Vec::with_capacity(values.len());
        let mut ok = true;
        for (i, item) in values.iter().enumerate() {
            let item_path = index(path, i);
            let Value::String(s) = item else {
                ok = false;
                self.wrong_type(item, &item_path, "a domain string");
                continue;
            };
            let s_trimmed = s.trim().trim_start_matches(['@', '.']);
            match domain::email_domain(s_trimmed) {
                Some(d) => {
                    raw.push(s.clone());
                    wanted.push(d);
                }
                None if s.trim().is_empty() => {
                    ok = false;
                    self.problem(&item_path, "empty", "a domain may not be empty".into());
                }
                None => {
                    ok = false;
                    self.problem(
                        &item_path,
                        "invalid_type",
                        format!("`{s}` is not a domain (e.g. `acme.com`)"),
                    );
                }
            }
        }
        if !ok {
            return None;
        }
        let hashed = (wanted.len() > HASH_FROM).then(|| wanted.iter().cloned().collect());
        Some(DomainSet {
            raw,
            ascii: wanted.iter().all(|w| w.is_ascii()),
            wanted,
            hashed,
        })
    }

    fn postal_range(&mut self, v: &Value, path: &str) -> Option<PostalRange> {
        let Value::Array(items) = v else {
            self.wrong_type(v, path, "a list [low, high] of postal codes");
            return None;
        };
        if items.len() != 2 {
            let n = items.len();
            self.problem(
                path,
                "invalid_range",
                format!("`postal_code_range` takes exactly two codes [low, high], found {n}"),
            );
            return None;
        }
        let mut ends = Vec::with_capacity(2);
        for (i, item) in items.iter().enumerate() {
            let item_path = index(path, i);
            match item {
                Value::String(s) => {
                    let norm = normalize_postal(s);
                    if norm.is_empty() {
                        self.problem(&item_path, "empty", "a postal code may not be empty".into());
                    } else {
                        ends.push((s.clone(), norm));
                    }
                }
                other => self.wrong_type(other, &item_path, "a postal code string"),
            }
        }
        let [(raw_lo, lo), (raw_hi, hi)]: [(String, String); 2] = ends.try_into().ok()?;
        if lo.len() != hi.len() {
            self.problem(
                path,
                "invalid_range",
                "both ends of a postal code range must have the same length".into(),
            );
            return None;
        }
        if lo > hi {
            self.problem(
                path,
                "invalid_range",
                "the low end of the postal code range is above the high end".into(),
            );
            return None;
        }
        let numeric =
            lo.bytes().all(|b| b.is_ascii_digit()) && hi.bytes().all(|b| b.is_ascii_digit());
        Some(PostalRange {
            raw: [raw_lo, raw_hi],
            lo,
            hi,
            numeric,
        })
    }
}

fn text_operand(s: &str) -> Text {
    Text {
        raw: s.to_string(),
        folded: fold(s),
        ascii: s.is_ascii(),
        date: DateLike::parse(s),
    }
}

fn number_operand(n: &serde_json::Number) -> Number {
    Number {
        raw: n.clone(),
        // Always Some without serde_json's arbitrary_precision; NaN never compares equal.
        value: n.as_f64().unwrap_or(f64::NAN),
    }
}

/// A postal code as compared: whitespace removed, uppercase.
pub(crate) fn normalize_postal(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect()
}
