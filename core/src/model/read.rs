//! Reading records from JSON for an engine that uses only some of their fields (routing and
//! rule scoring): which top-level lead keys a set of condition paths reads, a lead read
//! through those keys only (so problems in fields the engine never reads are not reported),
//! and lists read element by element with every element's problems under `name[i]`.

use super::{Lead, LEAD_FIELDS};
use crate::error::{Error, Problem, Result};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// The sorted top-level lead keys behind `paths` (condition field paths on a lead), plus `id`
/// and `created_at` (required of every lead) and `extra`. A path on an attribute `x` (written
/// `x` or `attributes.x`) reads the keys `x` and `attributes`.
pub fn lead_keys<'p>(paths: impl IntoIterator<Item = &'p str>, extra: &[&str]) -> Vec<String> {
    let mut keys: Vec<String> = ["id", "created_at"]
        .iter()
        .chain(extra)
        .map(|k| k.to_string())
        .collect();
    for path in paths {
        let head = path.split('.').next().unwrap_or_default();
        if LEAD_FIELDS.contains(&head) {
            keys.push(head.to_string());
        } else {
            let name = path.strip_prefix("attributes.").unwrap_or(path);
            keys.push("attributes".into());
            keys.push(name.split('.').next().unwrap_or_default().to_string());
        }
    }
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// A lead from JSON, reading only `keys`: a lead that parses whole is used as is (its other
/// fields cannot change what the engine computes); otherwise it is parsed again from those
/// keys alone, so only problems in fields the engine reads are reported, under `at`.
pub fn lead_reading(value: &Value, keys: &[String], at: &str) -> Result<Lead> {
    match crate::api::parse::<Lead>(value) {
        Ok(lead) => Ok(lead),
        Err(whole) => match value.as_object() {
            Some(object) => {
                let read: Map<String, Value> = keys
                    .iter()
                    .filter_map(|k| object.get(k).map(|v| (k.clone(), v.clone())))
                    .collect();
                crate::api::parse::<Lead>(&Value::Object(read)).map_err(|e| e.under(at))
            }
            None => Err(whole.under(at)),
        },
    }
}

/// A list of leads under `name`, each as [`lead_reading`]; every lead's problems reported.
pub fn leads_reading(value: &Value, keys: &[String], name: &str) -> Result<Vec<Lead>> {
    list_with(value, name, |item, at| lead_reading(item, keys, at))
}

/// A list of `T` under `name`: every element's problems reported under `name[i]`.
pub fn list<T: DeserializeOwned>(value: &Value, name: &str) -> Result<Vec<T>> {
    list_with(value, name, |item, at| {
        crate::api::parse::<T>(item).map_err(|e| e.under(at))
    })
}

fn list_with<T>(
    value: &Value,
    name: &str,
    read: impl Fn(&Value, &str) -> Result<T>,
) -> Result<Vec<T>> {
    let items = value
        .as_array()
        .ok_or_else(|| Error::parse(name, "invalid_type", "expected a list"))?;
    let mut out = Vec::with_capacity(items.len());
    let mut problems = Vec::new();
    for (i, item) in items.iter().enumerate() {
        if let Some(x) = collect(read(item, &format!("{name}[{i}]")), &mut problems) {
            out.push(x);
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(Error::Parse(problems))
    }
}

/// The value, or None with its problems added to `problems`.
pub fn collect<T>(r: Result<T>, problems: &mut Vec<Problem>) -> Option<T> {
    match r {
        Ok(x) => Some(x),
        Err(e) => {
            problems.extend(e.problems().iter().cloned());
            None
        }
    }
}
