//! The Swift binding of revcore, through uniffi proc-macros.
//!
//! Every function here converts its arguments, calls the core and converts the result back:
//! configs, records and results cross as JSON strings in the wire format (DESIGN.md), errors as
//! the typed [`RevcoreError`]. Nothing here may hold a rule of the business, and nothing may
//! panic on any input: malformed JSON text is a `Parse` error like any other bad document.
//!
//! The modules mirror the core's: `api` wraps `revcore::api`, `condition` the condition
//! language, `routing` lead routing, `scoring` rule scoring, `kpi` KPI reports, `predictive`
//! predictive models, `content` the content library, `readiness` rep readiness, `import` CSV
//! import, `sample` the sample data, `error`
//! the error type.

mod api;
mod condition;
mod content;
mod error;
mod import;
mod kpi;
mod predictive;
mod readiness;
mod routing;
mod sample;
mod scoring;

pub use api::{classify_stage, default_pipeline, kinds, normalize, schema, validate, version};
pub use condition::Condition;
pub use content::ContentLibrary;
pub use error::{Problem, RevcoreError};
pub use import::{read_accounts_csv, read_leads_csv, read_opportunities_csv};
pub use kpi::{coaching_flags, funnel, kpi_report};
pub use predictive::{threshold_for_capacity, PredictiveModel};
pub use readiness::readiness;
pub use routing::{simulate, Router};
pub use sample::sample_generate;
pub use scoring::Scorer;

uniffi::setup_scaffolding!();

/// Reads a JSON text handed in by the host; malformed text is a `parse` error (`invalid_json`)
/// whose problem sits at `path` (the argument's place in the document, "" for the document).
fn read_json(text: &str, path: &str) -> Result<serde_json::Value, RevcoreError> {
    serde_json::from_str(text).map_err(|e| revcore::Error::from(e).under(path).into())
}

/// The same as [`read_json`] for an optional argument.
fn read_optional_json(
    text: Option<&str>,
    path: &str,
) -> Result<Option<serde_json::Value>, RevcoreError> {
    text.map(|t| read_json(t, path)).transpose()
}
