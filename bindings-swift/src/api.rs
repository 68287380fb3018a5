//! The JSON-level entry points of `revcore::api`: validate or normalise a document of a named
//! kind, the JSON Schema of a kind, the default pipeline, and stage lookup.
//!
//! Documents cross as JSON text; a malformed `pipeline_json` is reported under `pipeline`, the
//! path the core gives every other problem of that argument.

use crate::{read_json, read_optional_json, RevcoreError};

/// The library version, the same string every host reports.
#[uniffi::export]
pub fn version() -> String {
    revcore::VERSION.to_string()
}

/// The wire names of every document kind `validate`, `normalize` and `schema` accept.
#[uniffi::export]
pub fn kinds() -> Vec<String> {
    revcore::Kind::ALL
        .iter()
        .map(|k| k.name().to_string())
        .collect()
}

/// Checks a document of a kind; throws with every problem and its path.
#[uniffi::export(default(pipeline_json = None))]
pub fn validate(
    kind: String,
    json: String,
    pipeline_json: Option<String>,
) -> Result<(), RevcoreError> {
    let value = read_json(&json, "")?;
    let pipeline = read_optional_json(pipeline_json.as_deref(), "pipeline")?;
    Ok(revcore::validate(&kind, &value, pipeline.as_ref())?)
}

/// The canonical wire form of a document of a kind, as JSON text.
#[uniffi::export(default(pipeline_json = None))]
pub fn normalize(
    kind: String,
    json: String,
    pipeline_json: Option<String>,
) -> Result<String, RevcoreError> {
    let value = read_json(&json, "")?;
    let pipeline = read_optional_json(pipeline_json.as_deref(), "pipeline")?;
    Ok(revcore::normalize(&kind, &value, pipeline.as_ref())?.to_string())
}

/// The JSON Schema of a kind, as JSON text.
#[uniffi::export]
pub fn schema(kind: String) -> Result<String, RevcoreError> {
    Ok(revcore::schema(&kind)?.to_string())
}

/// The default pipeline, as JSON text.
#[uniffi::export]
pub fn default_pipeline() -> String {
    revcore::default_pipeline().to_string()
}

/// The stage (JSON text) a label names in the pipeline (the default one when `None`), or `None`.
#[uniffi::export(default(pipeline_json = None))]
pub fn classify_stage(
    label: String,
    pipeline_json: Option<String>,
) -> Result<Option<String>, RevcoreError> {
    let pipeline = read_optional_json(pipeline_json.as_deref(), "pipeline")?;
    Ok(revcore::classify_stage(&label, pipeline.as_ref())?.map(|stage| stage.to_string()))
}
