//! Property-test strategies shared by the tests that hold a compiled form of conditions to the
//! interpreter (the flattened trees of `slots`, the plans of `plan`, the scoring engine's lead
//! conditions): each brings its own leaves, this nests them.

use proptest::prelude::*;
use serde_json::{json, Value};
use std::ops::Range;

/// Conditions of `all`, `any` and `not` nested over `leaf`: up to `depth` levels and about
/// `size` leaves in all, `all` and `any` with a count of children in `children`.
pub(crate) fn nested(
    leaf: impl Strategy<Value = Value> + 'static,
    depth: u32,
    size: u32,
    children: Range<usize>,
) -> impl Strategy<Value = Value> {
    leaf.prop_recursive(depth, size, 4, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), children.clone()).prop_map(|c| json!({"all": c})),
            prop::collection::vec(inner.clone(), children.clone()).prop_map(|c| json!({"any": c})),
            inner.prop_map(|c| json!({"not": c})),
        ]
    })
}
