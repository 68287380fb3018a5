//! One CSV row -> one record of the model: each mapped cell read as its field's type, every
//! problem of the row collected (column, field, code, reason), unmapped cells kept in
//! `attributes`. Blank cells are absent values, never errors, unless the field is required.

use super::cell::{parse_amount, parse_count, parse_written_with, DateMemo, DateOrder};
use super::mapping::Columns;
use super::records::Record;
use super::table::OpportunityCells;
use super::{RowError, StageLookup};
use crate::model::{
    Account, AccountId, Attributes, Currency, ForecastCategory, Lead, LeadId, LeadStatus, Money,
    RepId,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;

/// What every row is read with.
pub struct RowContext<'a> {
    pub columns: &'a Columns,
    pub fields: &'static [super::mapping::FieldSpec],
    pub date_order: DateOrder,
    pub currency: Currency,
}

/// One row being read: its cells, and the problems found so far.
pub struct Row<'a> {
    pub ctx: &'a RowContext<'a>,
    pub record: Record<'a>,
    /// The whole record as text, when it is valid UTF-8 (checked once, not cell by cell).
    text: Option<&'a str>,
    pub line: u64,
    pub problems: Vec<RowError>,
    /// The dates read so far, kept from row to row by the reader.
    dates: &'a mut DateMemo,
}

impl<'a> Row<'a> {
    pub fn new(
        ctx: &'a RowContext<'a>,
        record: Record<'a>,
        line: u64,
        dates: &'a mut DateMemo,
    ) -> Self {
        Row {
            ctx,
            record,
            text: record.text(),
            line,
            problems: Vec::new(),
            dates,
        }
    }

    /// Cell `column` as text; `None` when it is not valid UTF-8 on its own (a record that is
    /// valid as a whole may still split a character between two cells).
    fn utf8(&self, column: usize) -> Option<Option<&'a str>> {
        let Some(text) = self.text else {
            return Some(std::str::from_utf8(self.record.get(column)?).ok());
        };
        let range = self.record.range(column)?;
        Some(text.get(range))
    }

    fn problem(&mut self, slot: usize, code: &str, message: String) {
        self.problems.push(RowError {
            line: self.line,
            column: self.ctx.columns.header_of(slot).map(str::to_string),
            field: Some(self.ctx.fields[slot].name.to_string()),
            code: code.to_string(),
            message,
        });
    }

    /// The trimmed cell of a slot; `None` when the column is absent or the cell blank.
    #[inline]
    fn cell(&mut self, slot: usize) -> Option<&'a str> {
        let column = self.ctx.columns.slots[slot]?;
        // The usual cell, of an ASCII record: no UTF-8 check, no problem possible.
        if let Some(text) = self.record.ascii_cell(column) {
            return Some(trim(text)).filter(|s| !s.is_empty());
        }
        self.checked_cell(slot, column)
    }

    /// [`Row::cell`] of a record not known to be ASCII: checked as UTF-8.
    #[inline(never)]
    fn checked_cell(&mut self, slot: usize, column: usize) -> Option<&'a str> {
        match self.utf8(column)? {
            Some(s) => Some(trim(s)).filter(|s| !s.is_empty()),
            None => {
                self.problem(slot, "invalid_utf8", "the cell is not valid UTF-8".into());
                None
            }
        }
    }

    fn text(&mut self, slot: usize) -> Option<String> {
        self.cell(slot).map(str::to_string)
    }

    /// A required cell: blank or absent is a `required` problem.
    fn required(&mut self, slot: usize) -> Option<&'a str> {
        let cell = self.cell(slot);
        if cell.is_none() && self.ctx.columns.slots[slot].is_some() {
            let name = self.ctx.fields[slot].name;
            self.problem(
                slot,
                "required",
                format!("`{name}` is required and the cell is blank"),
            );
        }
        cell
    }

    fn instant_of(&mut self, slot: usize, text: &str) -> Option<DateTime<Utc>> {
        match parse_written_with(text, self.ctx.date_order, self.dates).map(|w| w.instant()) {
            Ok(Some(t)) => Some(t),
            Ok(None) => {
                self.problem(
                    slot,
                    "invalid_date",
                    format!("`{text}` is not a valid instant"),
                );
                None
            }
            Err(reason) => {
                self.problem(slot, "invalid_date", reason);
                None
            }
        }
    }

    fn instant(&mut self, slot: usize) -> Option<DateTime<Utc>> {
        let text = self.cell(slot)?;
        self.instant_of(slot, text)
    }

    fn date(&mut self, slot: usize) -> Option<NaiveDate> {
        let text = self.cell(slot)?;
        match parse_written_with(text, self.ctx.date_order, self.dates) {
            Ok(w) => Some(w.date()),
            Err(reason) => {
                self.problem(slot, "invalid_date", reason);
                None
            }
        }
    }

    fn count(&mut self, slot: usize) -> Option<u32> {
        let text = self.cell(slot)?;
        parse_count(text)
            .map_err(|reason| self.problem(slot, "invalid_number", reason))
            .ok()
    }

    /// The row's currency: its currency cell, else the option's. `None` after a bad code.
    fn currency(&mut self, slot: usize) -> Option<Currency> {
        match self.cell(slot) {
            None => Some(self.ctx.currency),
            Some(code) => {
                let found = if code.len() == 3 {
                    Currency::from_code(&code.to_ascii_uppercase())
                } else {
                    None
                };
                if found.is_none() {
                    self.problem(
                        slot,
                        "unknown_currency",
                        format!("`{code}` is not an ISO 4217 currency code such as USD"),
                    );
                }
                found
            }
        }
    }

    fn money(&mut self, slot: usize, currency: Option<Currency>) -> Option<Money> {
        let text = self.cell(slot)?;
        let currency = currency?;
        parse_amount(text, currency)
            .map_err(|reason| self.problem(slot, "invalid_amount", reason))
            .ok()
    }

    fn parsed<T>(
        &mut self,
        slot: usize,
        read: fn(&str) -> Option<T>,
        code: &str,
        what: &str,
    ) -> Option<T> {
        let text = self.cell(slot)?;
        let value = read(text);
        if value.is_none() {
            self.problem(slot, code, format!("`{text}` is not a known {what}"));
        }
        value
    }

    /// The cells of the columns no field reads, in column order, into `out` (blank is `None`).
    fn attribute_cells(&mut self, out: &mut Vec<Option<&'a str>>) {
        out.clear();
        for (column, header) in &self.ctx.columns.attributes {
            let Some(cell) = self.utf8(*column) else {
                out.push(None);
                continue;
            };
            match cell {
                Some(s) => out.push(Some(trim(s)).filter(|s| !s.is_empty())),
                None => {
                    out.push(None);
                    self.problems.push(RowError {
                        line: self.line,
                        column: Some(self.ctx.columns.headers[*column].clone()),
                        field: Some(format!("attributes.{header}")),
                        code: "invalid_utf8".into(),
                        message: "the cell is not valid UTF-8".into(),
                    })
                }
            }
        }
    }

    /// Every non-blank cell of a column no field reads, by header, as text.
    fn attributes(&mut self) -> Attributes {
        let mut cells = Vec::with_capacity(self.ctx.columns.attributes.len());
        self.attribute_cells(&mut cells);
        let mut out = Attributes::new();
        for ((_, header), cell) in self.ctx.columns.attributes.iter().zip(cells) {
            if let Some(text) = cell {
                out.insert(header.clone(), Value::String(text.to_string()));
            }
        }
        out
    }
}

/// `text` without leading and trailing white space (`str::trim`), answered from the first and
/// last bytes when both are printable ASCII, `!` to DEL (a cell as exports write it); any other
/// first or last byte goes to `str::trim`.
#[inline]
fn trim(text: &str) -> &str {
    let plain = |b: Option<&u8>| b.is_some_and(|b| b.wrapping_sub(b'!') <= 0x7f - b'!');
    let bytes = text.as_bytes();
    if plain(bytes.first()) && plain(bytes.last()) {
        text
    } else {
        text.trim()
    }
}

/// Folds a label for lookup the way pipelines do: letters and digits only, lower case.
pub fn fold(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// A lead status as CRMs write it: revcore's own names, HubSpot's lead statuses and
/// Salesforce's stock picklist values.
pub fn lead_status(text: &str) -> Option<LeadStatus> {
    Some(match fold(text).as_str() {
        "new" | "open" | "opennotcontacted" => LeadStatus::New,
        "working" | "inprogress" | "attemptedtocontact" | "connected" | "workingcontacted" => {
            LeadStatus::Working
        }
        "nurturing" | "nurture" | "badtiming" => LeadStatus::Nurturing,
        "qualified" | "opendeal" | "salesqualified" => LeadStatus::Qualified,
        "disqualified" | "unqualified" | "closednotconverted" => LeadStatus::Disqualified,
        "converted" | "closedconverted" => LeadStatus::Converted,
        _ => return None,
    })
}

/// A forecast category as Salesforce and HubSpot write it.
pub fn forecast_category(text: &str) -> Option<ForecastCategory> {
    Some(match fold(text).as_str() {
        "pipeline" => ForecastCategory::Pipeline,
        "bestcase" => ForecastCategory::BestCase,
        "commit" => ForecastCategory::Commit,
        "closed" | "closedwon" => ForecastCategory::Closed,
        "omitted" | "omit" | "notforecasted" => ForecastCategory::Omitted,
        _ => return None,
    })
}

/// Slot numbers of each kind's fields, in the order of `mapping.rs`.
mod slot {
    pub mod opp {
        pub const ID: usize = 0;
        pub const CREATED_AT: usize = 1;
        pub const STAGE: usize = 2;
        pub const NAME: usize = 3;
        pub const ACCOUNT_ID: usize = 4;
        pub const OWNER_ID: usize = 5;
        pub const CONTACT_ID: usize = 6;
        pub const AMOUNT: usize = 7;
        pub const CLOSE_DATE: usize = 8;
        pub const CLOSED_AT: usize = 9;
        pub const FORECAST_CATEGORY: usize = 10;
        pub const SOURCE: usize = 11;
        pub const LOST_REASON: usize = 12;
        pub const LEAD_ID: usize = 13;
        pub const CURRENCY: usize = 14;
    }
    pub mod lead {
        pub const ID: usize = 0;
        pub const CREATED_AT: usize = 1;
        pub const EMAIL: usize = 2;
        pub const FIRST_NAME: usize = 3;
        pub const LAST_NAME: usize = 4;
        pub const TITLE: usize = 5;
        pub const PHONE: usize = 6;
        pub const COMPANY: usize = 7;
        pub const WEBSITE: usize = 8;
        pub const INDUSTRY: usize = 9;
        pub const EMPLOYEES: usize = 10;
        pub const ANNUAL_REVENUE: usize = 11;
        pub const COUNTRY: usize = 12;
        pub const REGION: usize = 13;
        pub const CITY: usize = 14;
        pub const POSTAL_CODE: usize = 15;
        pub const LANGUAGE: usize = 16;
        pub const SOURCE: usize = 17;
        pub const STATUS: usize = 18;
        pub const OWNER_ID: usize = 19;
        pub const ACCOUNT_ID: usize = 20;
        pub const FIRST_TOUCH_AT: usize = 21;
        pub const CONVERTED_AT: usize = 22;
        pub const CURRENCY: usize = 23;
    }
    pub mod account {
        pub const ID: usize = 0;
        pub const NAME: usize = 1;
        pub const DOMAIN: usize = 2;
        pub const WEBSITE: usize = 3;
        pub const INDUSTRY: usize = 4;
        pub const EMPLOYEES: usize = 5;
        pub const ANNUAL_REVENUE: usize = 6;
        pub const COUNTRY: usize = 7;
        pub const REGION: usize = 8;
        pub const CITY: usize = 9;
        pub const POSTAL_CODE: usize = 10;
        pub const TIER: usize = 11;
        pub const OWNER_ID: usize = 12;
        pub const PARENT_ID: usize = 13;
        pub const CREATED_AT: usize = 14;
        pub const CURRENCY: usize = 15;
    }
}

/// Which optional text columns of opportunities a file maps.
pub fn present(columns: &Columns) -> super::table::Present {
    use slot::opp::*;
    let has = |slot: usize| columns.slots[slot].is_some();
    super::table::Present {
        name: has(NAME),
        account_id: has(ACCOUNT_ID),
        contact_id: has(CONTACT_ID),
        lead_id: has(LEAD_ID),
        owner_id: has(OWNER_ID),
        amount: has(AMOUNT),
        close_date: has(CLOSE_DATE),
        closed_at: has(CLOSED_AT),
        forecast_category: has(FORECAST_CATEGORY),
        source: has(SOURCE),
        lost_reason: has(LOST_REASON),
    }
}

/// The quick trim is `str::trim` at every ASCII byte and around non-ASCII text.
#[cfg(test)]
#[test]
fn trim_is_str_trim() {
    let mut samples: Vec<String> = (0u8..128)
        .flat_map(|b| {
            let c = char::from(b);
            [
                format!("{c}x{c}"),
                format!("{c}"),
                format!("x{c}"),
                format!("{c}x"),
            ]
        })
        .collect();
    samples.extend(["\u{a0}x", "x\u{2003}", "é", " é ", "\u{85}", ""].map(String::from));
    for s in &samples {
        assert_eq!(trim(s), s.trim(), "{s:?}");
    }
}

/// The slot tables above must follow the field tables of `mapping.rs`.
#[cfg(test)]
#[test]
fn slots_follow_the_field_tables() {
    use super::mapping::{ACCOUNT_FIELDS, LEAD_FIELDS, OPPORTUNITY_FIELDS};
    assert_eq!(
        OPPORTUNITY_FIELDS[slot::opp::LOST_REASON].name,
        "lost_reason"
    );
    assert_eq!(OPPORTUNITY_FIELDS[slot::opp::CURRENCY].name, "currency");
    assert_eq!(OPPORTUNITY_FIELDS.len(), slot::opp::CURRENCY + 1);
    assert_eq!(LEAD_FIELDS[slot::lead::STATUS].name, "status");
    assert_eq!(LEAD_FIELDS[slot::lead::CONVERTED_AT].name, "converted_at");
    assert_eq!(LEAD_FIELDS.len(), slot::lead::CURRENCY + 1);
    assert_eq!(ACCOUNT_FIELDS[slot::account::TIER].name, "tier");
    assert_eq!(ACCOUNT_FIELDS[slot::account::CREATED_AT].name, "created_at");
    assert_eq!(ACCOUNT_FIELDS.len(), slot::account::CURRENCY + 1);
}

/// An opportunity's values from a row, its unmapped cells in `attributes`; `None` when a
/// required value is missing or unreadable (the problems say why). The stage label becomes the
/// index of its pipeline stage.
pub fn opportunity_cells<'a>(
    row: &mut Row<'a>,
    stages: &mut StageLookup,
    attributes: &mut Vec<Option<&'a str>>,
) -> Option<OpportunityCells<'a>> {
    use slot::opp::*;
    let id = row.required(ID);
    let created_at = row
        .required(CREATED_AT)
        .and_then(|t| row.instant_of(CREATED_AT, t));
    let stage = row
        .required(STAGE)
        .and_then(|label| match stages.index_of(label) {
            Some(index) => Some(index),
            None => {
                let message = format!(
                    "stage `{label}` is not in the pipeline ({})",
                    stages.known()
                );
                row.problem(STAGE, "unknown_stage", message);
                None
            }
        });
    let currency = row.currency(CURRENCY);
    let name = row.cell(NAME);
    let account_id = row.cell(ACCOUNT_ID);
    let owner_id = row.cell(OWNER_ID);
    let contact_id = row.cell(CONTACT_ID);
    let amount = row.money(AMOUNT, currency);
    let close_date = row.date(CLOSE_DATE);
    let closed_at = row.instant(CLOSED_AT);
    let forecast_category = row.parsed(
        FORECAST_CATEGORY,
        forecast_category,
        "unknown_forecast_category",
        "forecast category (pipeline, best case, commit, closed, omitted)",
    );
    let source = row.cell(SOURCE);
    let lost_reason = row.cell(LOST_REASON);
    let lead_id = row.cell(LEAD_ID);
    row.attribute_cells(attributes);
    Some(OpportunityCells {
        id: id?,
        created_at: created_at?,
        stage: stage?,
        name,
        account_id,
        owner_id,
        contact_id,
        amount,
        close_date,
        closed_at,
        forecast_category,
        source,
        lost_reason,
        lead_id,
    })
}

/// A lead from a row; `None` when a required value is missing or unreadable.
pub fn lead(row: &mut Row<'_>) -> Option<Lead> {
    use slot::lead::*;
    let id = row.required(ID).map(LeadId::from);
    let created_at = row
        .required(CREATED_AT)
        .and_then(|t| row.instant_of(CREATED_AT, t));
    let currency = row.currency(CURRENCY);
    let lead = Lead {
        email: row.text(EMAIL),
        first_name: row.text(FIRST_NAME),
        last_name: row.text(LAST_NAME),
        title: row.text(TITLE),
        phone: row.text(PHONE),
        company: row.text(COMPANY),
        website: row.text(WEBSITE),
        industry: row.text(INDUSTRY),
        employees: row.count(EMPLOYEES),
        annual_revenue: row.money(ANNUAL_REVENUE, currency),
        country: row.text(COUNTRY),
        region: row.text(REGION),
        city: row.text(CITY),
        postal_code: row.text(POSTAL_CODE),
        language: row.text(LANGUAGE),
        source: row.text(SOURCE),
        status: row
            .parsed(STATUS, lead_status, "unknown_status", "lead status")
            .unwrap_or_default(),
        owner_id: row.cell(OWNER_ID).map(RepId::from),
        account_id: row.cell(ACCOUNT_ID).map(AccountId::from),
        first_touch_at: row.instant(FIRST_TOUCH_AT),
        converted_at: row.instant(CONVERTED_AT),
        attributes: row.attributes(),
        id: id?,
        created_at: created_at?,
    };
    Some(lead)
}

/// An account from a row; `None` when a required value is missing or unreadable.
pub fn account(row: &mut Row<'_>) -> Option<Account> {
    use slot::account::*;
    let id = row.required(ID).map(AccountId::from);
    let name = row.required(NAME).map(str::to_string);
    let currency = row.currency(CURRENCY);
    let account = Account {
        domain: row.text(DOMAIN),
        website: row.text(WEBSITE),
        industry: row.text(INDUSTRY),
        employees: row.count(EMPLOYEES),
        annual_revenue: row.money(ANNUAL_REVENUE, currency),
        country: row.text(COUNTRY),
        region: row.text(REGION),
        city: row.text(CITY),
        postal_code: row.text(POSTAL_CODE),
        tier: row.text(TIER),
        owner_id: row.cell(OWNER_ID).map(RepId::from),
        parent_id: row.cell(PARENT_ID).map(AccountId::from),
        created_at: row.instant(CREATED_AT),
        attributes: row.attributes(),
        id: id?,
        name: name?,
    };
    Some(account)
}
