//! CSV import (`revcore::import`, docs/import.md): opportunities, leads and accounts read from
//! a CRM export at a path. The mapping and options cross as JSON text (the pipeline inside the
//! options), the result as `{"records": [...], "errors": [...]}`.

use crate::{read_json, read_optional_json, RevcoreError};
use std::path::Path;

fn read(
    kind: &str,
    path: &str,
    mapping_json: &str,
    options_json: Option<&str>,
) -> Result<String, RevcoreError> {
    let mapping = read_json(mapping_json, "mapping")?;
    let options = read_optional_json(options_json, "options")?;
    let imported = revcore::import::read_csv_path_with_options_json(
        kind,
        Path::new(path),
        &mapping,
        options.as_ref(),
    )?;
    Ok(imported.to_json().to_string())
}

/// Opportunities from a CSV export: `mapping_json` is `"hubspot"`, `"salesforce"` or
/// `{"field": "Column"}`; `options_json` `{"pipeline", "date_order", "strict", "currency", "fields"}`.
#[uniffi::export(default(options_json = None))]
pub fn read_opportunities_csv(
    path: String,
    mapping_json: String,
    options_json: Option<String>,
) -> Result<String, RevcoreError> {
    read(
        "opportunities",
        &path,
        &mapping_json,
        options_json.as_deref(),
    )
}

/// Leads from a CSV export, as `read_opportunities_csv`.
#[uniffi::export(default(options_json = None))]
pub fn read_leads_csv(
    path: String,
    mapping_json: String,
    options_json: Option<String>,
) -> Result<String, RevcoreError> {
    read("leads", &path, &mapping_json, options_json.as_deref())
}

/// Accounts from a CSV export, as `read_opportunities_csv`.
#[uniffi::export(default(options_json = None))]
pub fn read_accounts_csv(
    path: String,
    mapping_json: String,
    options_json: Option<String>,
) -> Result<String, RevcoreError> {
    read("accounts", &path, &mapping_json, options_json.as_deref())
}
