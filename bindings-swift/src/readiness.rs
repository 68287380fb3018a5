//! Rep readiness (`revcore::content::readiness`, docs/content.md, "Readiness"): each rep's
//! readiness score, missing training items and onboarding ramp. Documents cross as JSON text;
//! malformed text is a `parse` error under the argument's name.

use crate::{read_json, read_optional_json, RevcoreError};

/// Each rep's readiness as of `options.as_of` (`{"as_of": ..., "ramp_quota_share": ...,
/// "pipeline": ...}`); the report as JSON text. `opportunities_json` None means no deals.
#[uniffi::export(default(opportunities_json = None))]
pub fn readiness(
    programs_json: String,
    reps_json: String,
    completions_json: String,
    options_json: String,
    opportunities_json: Option<String>,
) -> Result<String, RevcoreError> {
    let programs = read_json(&programs_json, "programs")?;
    let reps = read_json(&reps_json, "reps")?;
    let completions = read_json(&completions_json, "completions")?;
    let options = read_json(&options_json, "options")?;
    let opportunities = read_optional_json(opportunities_json.as_deref(), "opportunities")?
        .unwrap_or_else(|| serde_json::Value::Array(Vec::new()));
    Ok(
        revcore::content::readiness_json(&programs, &reps, &completions, &opportunities, &options)?
            .to_string(),
    )
}
