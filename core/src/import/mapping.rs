//! Which CSV column feeds which revcore field: the HubSpot and Salesforce presets (the stock
//! headers of their exports, docs/import.md lists them) or an explicit map from field name to
//! column name, resolved against a file's header once, before any row is read.
//!
//! Headers are compared trimmed and without ASCII case. A preset field may name several
//! headers (HubSpot writes "Record ID" or "Deal ID"); the first one present wins. A required
//! field without a column, or an explicitly mapped column that is not in the header, is an
//! error naming the column. Every column no field reads goes to `attributes`.

use super::RecordKind;
use crate::error::{Error, Problem, Result};
use serde_json::Value;

/// Where the column names come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mapping {
    /// `"hubspot"`: HubSpot deal, contact and company exports.
    HubSpot,
    /// `"salesforce"`: Salesforce opportunity, lead and account reports.
    Salesforce,
    /// Field name -> column name, in the order given.
    Explicit(Vec<(String, String)>),
}

impl Mapping {
    /// `"hubspot"`, `"salesforce"` or `{"field": "Column", ...}`; problems under `mapping`.
    pub fn from_json(value: &Value) -> Result<Mapping> {
        match value {
            Value::String(s) => match s.to_ascii_lowercase().as_str() {
                "hubspot" => Ok(Mapping::HubSpot),
                "salesforce" => Ok(Mapping::Salesforce),
                _ => Err(Error::invalid_config(
                    "mapping",
                    "unknown_preset",
                    format!("unknown mapping preset `{s}`: expected \"hubspot\", \"salesforce\" or a map from field to column"),
                )),
            },
            Value::Object(map) => {
                let mut pairs = Vec::with_capacity(map.len());
                let mut problems = Vec::new();
                for (field, column) in map {
                    match column.as_str() {
                        Some(c) if !c.trim().is_empty() => {
                            pairs.push((field.clone(), c.to_string()))
                        }
                        _ => problems.push(Problem::new(
                            format!("mapping.{field}"),
                            "invalid_type",
                            "a column name must be a non-empty string",
                        )),
                    }
                }
                if problems.is_empty() {
                    Ok(Mapping::Explicit(pairs))
                } else {
                    Err(Error::InvalidConfig(problems))
                }
            }
            _ => Err(Error::invalid_config(
                "mapping",
                "invalid_type",
                "expected \"hubspot\", \"salesforce\" or a map from field to column",
            )),
        }
    }
}

/// One field a kind can read: its name, whether every row needs it, and its preset columns.
pub struct FieldSpec {
    pub name: &'static str,
    pub required: bool,
    pub hubspot: &'static [&'static str],
    pub salesforce: &'static [&'static str],
}

const fn field(
    name: &'static str,
    required: bool,
    hubspot: &'static [&'static str],
    salesforce: &'static [&'static str],
) -> FieldSpec {
    FieldSpec {
        name,
        required,
        hubspot,
        salesforce,
    }
}

/// Opportunity fields, in the slot order `build.rs` reads them.
pub const OPPORTUNITY_FIELDS: &[FieldSpec] = &[
    field("id", true, &["Record ID", "Deal ID"], &["Opportunity ID"]),
    field("created_at", true, &["Create Date"], &["Created Date"]),
    field("stage", true, &["Deal Stage"], &["Stage"]),
    field("name", false, &["Deal Name"], &["Opportunity Name"]),
    field(
        "account_id",
        false,
        &["Associated Company ID"],
        &["Account ID"],
    ),
    field("owner_id", false, &["Deal owner"], &["Opportunity Owner"]),
    field(
        "contact_id",
        false,
        &["Associated Contact ID"],
        &["Contact ID"],
    ),
    field("amount", false, &["Amount"], &["Amount"]),
    field("close_date", false, &["Close Date"], &["Close Date"]),
    field("closed_at", false, &[], &[]),
    field(
        "forecast_category",
        false,
        &["Forecast category"],
        &["Forecast Category"],
    ),
    field(
        "source",
        false,
        &["Original Source Type", "Original Source"],
        &["Lead Source"],
    ),
    field(
        "lost_reason",
        false,
        &["Closed Lost Reason"],
        &["Loss Reason"],
    ),
    field("lead_id", false, &[], &[]),
    field(
        "currency",
        false,
        &["Currency", "Deal currency code"],
        &["Opportunity Currency", "Currency"],
    ),
];

/// Lead fields, in the slot order `build.rs` reads them.
pub const LEAD_FIELDS: &[FieldSpec] = &[
    field("id", true, &["Record ID", "Contact ID"], &["Lead ID"]),
    field("created_at", true, &["Create Date"], &["Created Date"]),
    field("email", false, &["Email"], &["Email"]),
    field("first_name", false, &["First Name"], &["First Name"]),
    field("last_name", false, &["Last Name"], &["Last Name"]),
    field("title", false, &["Job Title"], &["Title"]),
    field("phone", false, &["Phone Number"], &["Phone"]),
    field(
        "company",
        false,
        &["Company Name"],
        &["Company", "Company / Account"],
    ),
    field("website", false, &["Website URL"], &["Website"]),
    field("industry", false, &["Industry"], &["Industry"]),
    field(
        "employees",
        false,
        &["Number of Employees"],
        &["No. of Employees", "Employees"],
    ),
    field(
        "annual_revenue",
        false,
        &["Annual Revenue"],
        &["Annual Revenue"],
    ),
    field(
        "country",
        false,
        &["Country/Region", "Country"],
        &["Country"],
    ),
    field("region", false, &["State/Region"], &["State/Province"]),
    field("city", false, &["City"], &["City"]),
    field("postal_code", false, &["Postal Code"], &["Zip/Postal Code"]),
    field("language", false, &["Preferred language"], &["Language"]),
    field("source", false, &["Original Source"], &["Lead Source"]),
    field("status", false, &["Lead Status"], &["Lead Status"]),
    field("owner_id", false, &["Contact owner"], &["Lead Owner"]),
    field(
        "account_id",
        false,
        &["Associated Company ID"],
        &["Converted Account ID"],
    ),
    field("first_touch_at", false, &[], &[]),
    field("converted_at", false, &[], &["Converted Date"]),
    field(
        "currency",
        false,
        &["Currency"],
        &["Lead Currency", "Currency"],
    ),
];

/// Account fields, in the slot order `build.rs` reads them.
pub const ACCOUNT_FIELDS: &[FieldSpec] = &[
    field("id", true, &["Record ID", "Company ID"], &["Account ID"]),
    field("name", true, &["Company name", "Name"], &["Account Name"]),
    field("domain", false, &["Company Domain Name"], &[]),
    field("website", false, &["Website URL"], &["Website"]),
    field("industry", false, &["Industry"], &["Industry"]),
    field("employees", false, &["Number of Employees"], &["Employees"]),
    field(
        "annual_revenue",
        false,
        &["Annual Revenue"],
        &["Annual Revenue"],
    ),
    field(
        "country",
        false,
        &["Country/Region", "Country"],
        &["Billing Country"],
    ),
    field(
        "region",
        false,
        &["State/Region"],
        &["Billing State/Province"],
    ),
    field("city", false, &["City"], &["Billing City"]),
    field(
        "postal_code",
        false,
        &["Postal Code"],
        &["Billing Zip/Postal Code"],
    ),
    field("tier", false, &[], &[]),
    field("owner_id", false, &["Company owner"], &["Account Owner"]),
    field(
        "parent_id",
        false,
        &["Parent Company ID"],
        &["Parent Account ID"],
    ),
    field("created_at", false, &["Create Date"], &["Created Date"]),
    field(
        "currency",
        false,
        &["Currency"],
        &["Account Currency", "Currency"],
    ),
];

/// The fields a kind reads, in slot order.
pub fn fields(kind: RecordKind) -> &'static [FieldSpec] {
    match kind {
        RecordKind::Opportunities => OPPORTUNITY_FIELDS,
        RecordKind::Leads => LEAD_FIELDS,
        RecordKind::Accounts => ACCOUNT_FIELDS,
    }
}

/// A header resolved against a mapping: the column index of every field slot, and the header
/// names of the columns that go to `attributes`.
#[derive(Debug, Clone)]
pub struct Columns {
    /// The header as read (trimmed), one per column.
    pub headers: Vec<String>,
    /// Column index of each field slot (`fields(kind)[i]`), if the file has it.
    pub slots: Vec<Option<usize>>,
    /// `(column index, header)` of every column no field reads.
    pub attributes: Vec<(usize, String)>,
}

impl Columns {
    /// Keeps only the columns of the fields named in `keep` (options `fields`), besides the
    /// required fields and, when an amount is kept, the currency: every other column is
    /// neither read nor kept in `attributes`. Errors: a name that is not a field of `kind`
    /// (`invalid_config`, `unknown_field` at `options.fields[i]`).
    pub fn keep_only(&mut self, kind: RecordKind, keep: &[String]) -> Result<()> {
        let specs = fields(kind);
        let mut problems = Vec::new();
        for (i, name) in keep.iter().enumerate() {
            if !specs.iter().any(|s| s.name == name) {
                let names: Vec<&str> = specs.iter().map(|s| s.name).collect();
                problems.push(Problem::new(
                    format!("options.fields[{i}]"),
                    "unknown_field",
                    format!(
                        "`{name}` is not a field of {}: expected one of {}",
                        kind.name(),
                        names.join(", ")
                    ),
                ));
            }
        }
        if !problems.is_empty() {
            return Err(Error::InvalidConfig(problems));
        }
        let named = |n: &str| keep.iter().any(|k| k == n);
        let money = named("amount") || named("annual_revenue");
        for (slot, spec) in specs.iter().enumerate() {
            let kept = spec.required || named(spec.name) || (spec.name == "currency" && money);
            if !kept {
                self.slots[slot] = None;
            }
        }
        self.attributes.clear();
        Ok(())
    }

    /// The header name of the column a slot reads.
    pub fn header_of(&self, slot: usize) -> Option<&str> {
        self.slots[slot].map(|c| self.headers[c].as_str())
    }
}

fn same_header(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

/// Resolves `headers` for `kind`. Errors (before any row is read): an explicit map naming an
/// unknown field (`invalid_config`), a required field or an explicitly mapped column missing
/// from the header, or a header repeated (`parse`, code `missing_column` / `duplicate_column`).
pub fn resolve(kind: RecordKind, mapping: &Mapping, headers: Vec<String>) -> Result<Columns> {
    let specs = fields(kind);
    let find = |name: &str| headers.iter().position(|h| same_header(h, name));
    let mut problems = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        if !h.is_empty() && headers[..i].iter().any(|o| same_header(o, h)) {
            problems.push(Problem::new(
                "header",
                "duplicate_column",
                format!("column `{h}` appears more than once in the header"),
            ));
        }
    }
    let mut slots = vec![None; specs.len()];
    match mapping {
        Mapping::HubSpot | Mapping::Salesforce => {
            for (slot, spec) in specs.iter().enumerate() {
                let candidates = if *mapping == Mapping::HubSpot {
                    spec.hubspot
                } else {
                    spec.salesforce
                };
                slots[slot] = candidates.iter().find_map(|c| find(c));
                if slots[slot].is_none() && spec.required {
                    let names: Vec<String> = candidates.iter().map(|c| format!("`{c}`")).collect();
                    problems.push(Problem::new(
                        format!("mapping.{}", spec.name),
                        "missing_column",
                        format!(
                            "the header has no column {} for the required field `{}`",
                            names.join(" or "),
                            spec.name
                        ),
                    ));
                }
            }
        }
        Mapping::Explicit(pairs) => {
            let mut config = Vec::new();
            for (field, column) in pairs {
                let Some(slot) = specs.iter().position(|s| s.name == field) else {
                    let names: Vec<&str> = specs.iter().map(|s| s.name).collect();
                    config.push(Problem::new(
                        format!("mapping.{field}"),
                        "unknown_field",
                        format!(
                            "`{field}` is not a field of {}: expected one of {}",
                            kind.name(),
                            names.join(", ")
                        ),
                    ));
                    continue;
                };
                match find(column) {
                    Some(c) => slots[slot] = Some(c),
                    None => problems.push(Problem::new(
                        format!("mapping.{field}"),
                        "missing_column",
                        format!("the header has no column `{column}` (mapped to `{field}`)"),
                    )),
                }
            }
            if !config.is_empty() {
                return Err(Error::InvalidConfig(config));
            }
            for (slot, spec) in specs.iter().enumerate() {
                let mapped = pairs.iter().any(|(f, _)| f == spec.name);
                if spec.required && !mapped {
                    problems.push(Problem::new(
                        format!("mapping.{}", spec.name),
                        "missing_column",
                        format!(
                            "the required field `{}` is not mapped to a column",
                            spec.name
                        ),
                    ));
                }
                debug_assert!(mapped || slots[slot].is_none());
            }
        }
    }
    if !problems.is_empty() {
        return Err(Error::Parse(problems));
    }
    let attributes = (0..headers.len())
        .filter(|c| !slots.contains(&Some(*c)))
        .map(|c| {
            let name = if headers[c].is_empty() {
                format!("column_{}", c + 1)
            } else {
                headers[c].clone()
            };
            (c, name)
        })
        .collect();
    Ok(Columns {
        headers,
        slots,
        attributes,
    })
}
