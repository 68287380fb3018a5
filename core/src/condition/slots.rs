//! Conditions bound to field slots, for engines that test many conditions on one record: the
//! record's fields are read once into a slice (one slot per distinct path), and every leaf
//! reads its slot instead of looking its path up again. Leaves are evaluated by the same leaf
//! evaluator as [`Condition::matches`], so a bound condition gives exactly its answer as long
//! as slot `i` holds `record.field(paths[i])`.

use super::ast::{Leaf, Node};
use super::eval::Shortcut;
use super::{Condition, FieldValue};

/// A [`Condition`] whose leaves read `values[slot]` (see [`Condition::bind`]).
#[derive(Debug, Clone)]
pub(crate) struct BoundCondition {
    root: BoundNode,
}

#[derive(Debug, Clone)]
enum BoundNode {
    All(Vec<BoundNode>),
    Any(Vec<BoundNode>),
    Not(Box<BoundNode>),
    Leaf(usize, Shortcut, Leaf),
}

impl Condition {
    /// This condition with each leaf bound to the index of its field in `paths`; a path not
    /// yet there is appended, so binding never fails (a caller that listed every path of the
    /// condition beforehand, e.g. from [`Condition::fields`], sees `paths` unchanged).
    pub(crate) fn bind(&self, paths: &mut Vec<Box<str>>) -> BoundCondition {
        BoundCondition {
            root: bind(&self.root, paths),
        }
    }
}

/// Trees are at most `Limits::max_depth` deep, so recursing is safe.
fn bind(node: &Node, paths: &mut Vec<Box<str>>) -> BoundNode {
    match node {
        Node::All(children) => BoundNode::All(children.iter().map(|c| bind(c, paths)).collect()),
        Node::Any(children) => BoundNode::Any(children.iter().map(|c| bind(c, paths)).collect()),
        Node::Not(child) => BoundNode::Not(Box::new(bind(child, paths))),
        Node::Leaf(leaf) => {
            let slot = match paths.iter().position(|p| **p == *leaf.field) {
                Some(i) => i,
                None => {
                    paths.push(leaf.field.as_str().into());
                    paths.len() - 1
                }
            };
            BoundNode::Leaf(slot, leaf.shortcut(), leaf.clone())
        }
    }
}

impl BoundCondition {
    /// Whether the record whose fields are `values` (slot `i` holding the value of path `i`
    /// of the binding) matches. A slot past the end of `values` reads as absent.
    pub(crate) fn matches(&self, values: &[Option<FieldValue<'_>>]) -> bool {
        self.root.matches(values)
    }
}

impl BoundNode {
    fn matches(&self, values: &[Option<FieldValue<'_>>]) -> bool {
        match self {
            BoundNode::All(children) => children.iter().all(|c| c.matches(values)),
            BoundNode::Any(children) => children.iter().any(|c| c.matches(values)),
            BoundNode::Not(child) => !child.matches(values),
            BoundNode::Leaf(slot, how, leaf) => {
                leaf.is_match_by(*how, values.get(*slot).and_then(Option::as_ref))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
