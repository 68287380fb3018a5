//! `readiness` (core `content::readiness`, contract in docs/content.md, "Readiness"): each rep's
//! readiness score, missing training items and onboarding ramp. Convert, call, convert.

use crate::convert::{arg, optional_arg, Json};
use crate::error::OrThrow;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::Value;

/// Each rep's readiness as of `options.as_of`: score, required and completed items, what is
/// missing (not completed, expired, overdue) and the ramp to the first win and to a share of
/// the first quota. Completions that match nothing are counted in `unmatched`.
#[napi(
    catch_unwind,
    ts_args_type = "programs: TrainingProgram[], reps: Rep[], completions: Completion[], opportunities: Opportunity[] | null | undefined, options: ReadinessOptions",
    ts_return_type = "ReadinessReport"
)]
pub fn readiness(
    env: Env,
    programs: Unknown,
    reps: Unknown,
    completions: Unknown,
    opportunities: Option<Unknown>,
    options: Unknown,
) -> Result<Json> {
    let programs = arg(&env, programs, "programs")?;
    let reps = arg(&env, reps, "reps")?;
    let completions = arg(&env, completions, "completions")?;
    let opportunities = match optional_arg(&env, opportunities, "opportunities")? {
        Value::Null => Value::Array(Vec::new()),
        list => list,
    };
    let options = arg(&env, options, "options")?;
    revcore::content::readiness_json(&programs, &reps, &completions, &opportunities, &options)
        .map(Json)
        .or_throw(&env)
}
