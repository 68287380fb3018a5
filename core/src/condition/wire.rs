//! The condition as a field of other types: serde (the canonical JSON form) and a hand-made
//! JSON Schema of the grammar. Deserializing reads a depth-bounded JSON value first, so no
//! deserializer (serde_json, pythonize, napi) can make it recurse without limit.

use super::{ast, Condition, Limits};
use serde::de::{DeserializeSeed, Error as _, MapAccess, SeqAccess, Visitor};
use serde::Serialize;
use serde_json::{Map, Value};
use std::fmt;

impl Serialize for Condition {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        self.to_json().serialize(serializer)
    }
}

impl<'de> serde::Deserialize<'de> for Condition {
    /// Reads the document as JSON (at most [`Limits::MAX_JSON_DEPTH`] levels deep, whatever the
    /// deserializer: a Python or JavaScript host may hand over anything), then [`Condition::parse`].
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        let spec = BoundedJson {
            levels_left: Limits::MAX_JSON_DEPTH,
        }
        .deserialize(deserializer)?;
        Condition::parse(&spec).map_err(|e| {
            let problems = e.problems();
            let mut msg = match problems.first() {
                Some(first) => format!("invalid condition: {first}"),
                None => "invalid condition".to_string(),
            };
            if problems.len() > 1 {
                msg.push_str(&format!(" (and {} more problems)", problems.len() - 1));
            }
            D::Error::custom(msg)
        })
    }
}

/// Builds a `serde_json::Value`, refusing to nest deeper than `levels_left`.
struct BoundedJson {
    levels_left: usize,
}

impl BoundedJson {
    fn nested<E: serde::de::Error>(&self) -> std::result::Result<BoundedJson, E> {
        match self.levels_left.checked_sub(1) {
            Some(levels_left) => Ok(BoundedJson { levels_left }),
            None => Err(E::custom(format!(
                "invalid condition: nested more than {} levels (too_deep)",
                Limits::MAX_JSON_DEPTH
            ))),
        }
    }
}

impl<'de> DeserializeSeed<'de> for BoundedJson {
    type Value = Value;

    fn deserialize<D: serde::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> std::result::Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for BoundedJson {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a condition (a JSON object)")
    }

    fn visit_bool<E>(self, v: bool) -> std::result::Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> std::result::Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> std::result::Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> std::result::Result<Value, E> {
        serde_json::Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("invalid condition: numbers must be finite (invalid_type)"))
    }

    fn visit_str<E>(self, v: &str) -> std::result::Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> std::result::Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> std::result::Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> std::result::Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: serde::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> std::result::Result<Value, D::Error> {
        self.deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self.nested()?)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(self.nested()?)?;
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
}

impl schemars::JsonSchema for Condition {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Condition".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let condition = generator.subschema_for::<Condition>();
        let scalar = schemars::json_schema!({"type": ["string", "number", "boolean"]});
        let scalars = schemars::json_schema!({
            "type": "array", "items": scalar, "minItems": 1, "maxItems": Limits::MAX_LIST_ITEMS
        });
        let bound = schemars::json_schema!({
            "anyOf": [{"type": "number"}, {"type": "string", "description": "YYYY-MM-DD or RFC 3339"}]
        });
        let pair = |item: &schemars::Schema| schemars::json_schema!({"type": "array", "items": item, "minItems": 2, "maxItems": 2});
        let string = schemars::json_schema!({"type": "string"});
        let boolean = schemars::json_schema!({"type": "boolean"});
        let domains = schemars::json_schema!({
            "type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": Limits::MAX_LIST_ITEMS
        });
        let operators = serde_json::json!({
            "eq": scalar, "ne": scalar, "in": scalars, "not_in": scalars,
            "gt": bound, "gte": bound, "lt": bound, "lte": bound, "between": pair(&bound),
            "contains": string, "starts_with": string, "ends_with": string,
            "matches": {"type": "string", "maxLength": Limits::MAX_REGEX_LEN},
            "exists": boolean, "email_domain": domains, "free_mail": boolean,
            "postal_code_range": pair(&string),
        });
        let mut leaf_properties = operators.as_object().cloned().unwrap_or_default();
        leaf_properties.insert(
            "field".into(),
            serde_json::json!({"type": "string", "minLength": 1, "description": "a field path, possibly dotted (attributes.region)"}),
        );
        leaf_properties.insert(
            "case_sensitive".into(),
            serde_json::json!({"type": "boolean", "default": false}),
        );
        let exactly_one_operator: Vec<Value> = ast::LEAF_OPS
            .iter()
            .map(|op| serde_json::json!({"required": [op]}))
            .collect();
        schemars::json_schema!({
            "description": "A revcore condition: all / any / not of conditions, or a leaf testing one field.",
            "anyOf": [
                {
                    "type": "object",
                    "properties": {"all": {"type": "array", "items": condition, "minItems": 1}},
                    "required": ["all"],
                    "additionalProperties": false
                },
                {
                    "type": "object",
                    "properties": {"any": {"type": "array", "items": condition, "minItems": 1}},
                    "required": ["any"],
                    "additionalProperties": false
                },
                {
                    "type": "object",
                    "properties": {"not": condition},
                    "required": ["not"],
                    "additionalProperties": false
                },
                {
                    "type": "object",
                    "properties": leaf_properties,
                    "required": ["field"],
                    "oneOf": exactly_one_operator,
                    "additionalProperties": false
                }
            ]
        })
    }
}
