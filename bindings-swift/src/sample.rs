//! Deterministic sample data (`revcore::sample`), options and result as JSON text.

use crate::{read_optional_json, RevcoreError};

/// The generated world as JSON text; `options_json` is `{"seed": 7, "leads": 100, ...}`
/// (the defaults when `None`).
#[uniffi::export(default(options_json = None))]
pub fn sample_generate(options_json: Option<String>) -> Result<String, RevcoreError> {
    let options = read_optional_json(options_json.as_deref(), "")?
        .unwrap_or_else(|| serde_json::Value::Object(serde_json::Map::new()));
    Ok(revcore::sample::generate_json(&options)?.to_string())
}
