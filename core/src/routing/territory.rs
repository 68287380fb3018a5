//! Territory lookup (docs/routing.md step 4) through an index: territories are bucketed by the
//! values of an `eq` / `in` leaf on one field (the most common such field) in the top-level
//! `all` of their condition, or inherited from their parent, so a lead only evaluates the
//! territories of its bucket plus those that cannot be indexed. The result is the same as
//! evaluating every territory (a test compares both).

use crate::condition::{Condition, FieldValue, Record};
use serde_json::Value;
use std::collections::HashMap;

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
    field: Option<String>,
    buckets: HashMap<String, Vec<usize>>,
    unindexed: Vec<usize>,
}

fn fold(s: &str) -> String {
    s.chars().flat_map(char::to_lowercase).collect()
}

/// The field and folded string operands of an `eq` / `in` leaf at the top of `c`.
fn leaves(c: &Condition) -> Vec<(String, Vec<String>)> {
    fn leaf(v: &Value) -> Option<(String, Vec<String>)> {
        let o = v.as_object()?;
        let field = o.get("field")?.as_str()?.to_string();
        let values = if let Some(eq) = o.get("eq") {
            vec![fold(eq.as_str()?)]
        } else {
            o.get("in")?
                .as_array()?
                .iter()
                .map(|x| x.as_str().map(fold))
                .collect::<Option<Vec<_>>>()?
        };
        Some((field, values))
    }
    let json = c.to_json();
    match json.get("all").and_then(Value::as_array) {
        Some(items) => items.iter().filter_map(leaf).collect(),
        None => leaf(&json).into_iter().collect(),
    }
}

impl TerritoryIndex {
    pub fn new(list: Vec<Territory>) -> TerritoryIndex {
        let own: Vec<Vec<(String, Vec<String>)>> = list
            .iter()
            .map(|t| t.condition.as_ref().map(leaves).unwrap_or_default())
            .collect();
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for ls in &own {
            let mut fields: Vec<&str> = ls.iter().map(|(f, _)| f.as_str()).collect();
            fields.dedup();
            for f in fields {
                *counts.entry(f).or_default() += 1;
            }
        }
        let field = counts
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
            .map(|(f, _)| f.to_string());
        let mut index = TerritoryIndex {
            list,
            field,
            buckets: HashMap::new(),
            unindexed: Vec::new(),
        };
        let Some(field) = index.field.clone() else {
            index.unindexed = (0..index.list.len()).collect();
            return index;
        };
        // The keys a territory can only match under: its own leaf's values (intersected over
        // several leaves on the field, kept simple as the first), else its nearest ancestor's.
        for i in 0..index.list.len() {
            let mut cur = Some(i);
            let mut keys = None;
            let mut guard = 0;
            while let Some(t) = cur {
                if let Some((_, values)) = own[t].iter().find(|(f, _)| *f == field) {
                    keys = Some(values);
                    break;
                }
                cur = index.list[t].parent;
                guard += 1;
                if guard > index.list.len() {
                    break;
                }
            }
            match keys {
                Some(values) => {
                    for v in values {
                        let bucket = index.buckets.entry(v.clone()).or_default();
                        if bucket.last() != Some(&i) {
                            bucket.push(i);
                        }
                    }
                }
                None => index.unindexed.push(i),
            }
        }
        index
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

    fn best_of<R: Record + ?Sized>(
        &self,
        candidates: impl Iterator<Item = usize>,
        record: &R,
    ) -> Option<usize> {
        let mut best: Option<usize> = None;
        for t in candidates {
            if best.is_some_and(|b| !self.better(t, b)) {
                continue;
            }
            if self.matches(t, record) {
                best = Some(t);
            }
        }
        best
    }

    /// The winning territory: deepest, then highest priority, then first declared.
    pub fn find<R: Record + ?Sized>(&self, record: &R) -> Option<usize> {
        let Some(field) = &self.field else {
            return self.best_of(0..self.list.len(), record);
        };
        let key = match record.field(field) {
            None => None,
            Some(FieldValue::Text(s)) => Some(s),
            Some(FieldValue::Json(Value::String(s))) => Some(s.as_str()),
            Some(_) => return self.naive(record),
        };
        let bucket: &[usize] = match key {
            Some(s) if s.is_ascii() && !s.bytes().any(|b| b.is_ascii_uppercase()) => {
                self.buckets.get(s).map_or(&[], Vec::as_slice)
            }
            Some(s) => self.buckets.get(&fold(s)).map_or(&[], Vec::as_slice),
            None => &[],
        };
        self.best_of(bucket.iter().chain(&self.unindexed).copied(), record)
    }

    /// Every territory evaluated (the reference the index must agree with).
    pub fn naive<R: Record + ?Sized>(&self, record: &R) -> Option<usize> {
        self.best_of(0..self.list.len(), record)
    }
}
