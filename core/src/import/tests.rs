//! Behaviour of the CSV reader a user would notice: presets, line numbers, every bad-row kind,
//! strict mode, streaming input.

use super::*;
use serde_json::json;

fn read(kind: RecordKind, text: &str, mapping: Value, options: Value) -> Result<Imported> {
    let (kind, mapping, pipeline, options) =
        parse_request(kind.name(), &mapping, None, Some(&options))?;
    read_csv(kind, text.as_bytes(), &mapping, pipeline.as_ref(), &options)
}

fn opps(text: &str) -> Imported {
    read(RecordKind::Opportunities, text, json!("hubspot"), json!({})).unwrap()
}

const HUBSPOT: &str = "\
Record ID,Deal Name,Deal Stage,Amount,Close Date,Create Date,Deal owner,Pipeline
101,Acme renewal,Closed Won,\"$1,234.50\",2026-02-01,2026-01-05 14:30,Ada,Sales Pipeline
102,Globex,Appointment Scheduled,,,1/6/2026,Ben,Sales Pipeline
";

#[test]
fn hubspot_deals_become_opportunities() {
    let got = opps(HUBSPOT);
    assert!(got.errors.is_empty(), "{:?}", got.errors);
    let v = got.records.opportunities().expect("opportunities").to_vec();
    assert_eq!(v.len(), 2);
    assert_eq!(v[0].stage, "won");
    assert_eq!(v[0].amount.unwrap().minor_units(), 123450);
    assert_eq!(v[0].created_at.to_rfc3339(), "2026-01-05T14:30:00+00:00");
    assert_eq!(v[0].attributes["Pipeline"], json!("Sales Pipeline"));
    assert_eq!(v[1].stage, "prospecting");
    assert_eq!(v[1].amount, None);
    assert_eq!(v[1].close_date, None);
}

#[test]
fn lines_count_physical_lines_with_bom_crlf_and_quoted_newlines() {
    let text = "\u{feff}Record ID,Deal Name,Deal Stage,Create Date\r\n\
                1,\"two\r\nlines, \"\"quoted\"\"\",Won,2026-01-01\r\n\
                2,x,Nope,2026-01-01\r\n\
                \r\n\
                3,y,Won,someday\r\n";
    let got = opps(text);
    let v = got.records.opportunities().expect("opportunities").to_vec();
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].name.as_deref(), Some("two\r\nlines, \"quoted\""));
    let at: Vec<(u64, &str, &str)> = got
        .errors
        .iter()
        .map(|e| (e.line, e.column.as_deref().unwrap_or(""), e.code.as_str()))
        .collect();
    assert_eq!(
        at,
        vec![
            (4, "Deal Stage", "unknown_stage"),
            (6, "Create Date", "invalid_date")
        ]
    );
}

#[test]
fn a_carriage_return_alone_ends_a_line() {
    let text = "Record ID,Deal Stage,Create Date\r\
                1,Won,2026-01-01\r\
                2,Nope,2026-01-01\r\r\
                3,Won,someday\r\n\
                4,\"two\rlines\",2026-01-01\r\
                5,Won,never\r";
    let got = opps(text);
    let at: Vec<(u64, &str)> = got
        .errors
        .iter()
        .map(|e| (e.line, e.code.as_str()))
        .collect();
    assert_eq!(
        at,
        vec![
            (3, "unknown_stage"),
            (5, "invalid_date"),
            (6, "unknown_stage"),
            (8, "invalid_date")
        ]
    );
}

#[test]
fn missing_required_column_is_named_before_any_row() {
    let err = read(
        RecordKind::Opportunities,
        "Record ID,Deal Stage\n1,Won\n",
        json!("hubspot"),
        json!({}),
    )
    .unwrap_err();
    assert_eq!(err.code(), "parse");
    assert_eq!(err.problems()[0].path, "mapping.created_at");
    assert_eq!(err.problems()[0].code, "missing_column");
    assert!(err.problems()[0].message.contains("Create Date"));
}

#[test]
fn model_rules_and_duplicates_are_row_errors() {
    let text = "id,created,stage,close,amount\n\
                A,2026-03-01,Won,2026-02-01,10\n\
                B,2026-03-01,Won,2026-03-02,(5.00)\n\
                C,2026-03-01,Won,2026-03-02,5\n\
                C,2026-03-01,Lost,2026-03-02,5\n";
    let mapping = json!({"id": "id", "created_at": "created", "stage": "stage",
                         "close_date": "close", "amount": "amount"});
    let got = read(RecordKind::Opportunities, text, mapping, json!({})).unwrap();
    assert_eq!(got.records.len(), 1);
    let codes: Vec<(u64, &str, Option<&str>)> = got
        .errors
        .iter()
        .map(|e| (e.line, e.code.as_str(), e.column.as_deref()))
        .collect();
    assert_eq!(
        codes,
        vec![
            (2, "close_before_create", Some("close")),
            (3, "negative_amount", Some("amount")),
            (5, "duplicate_id", Some("id")),
        ]
    );
}

#[test]
fn strict_mode_fails_on_the_first_bad_row() {
    let text = "Record ID,Deal Stage,Create Date,Close Date\n1,Won,2026-01-01,\n2,Won,2026-01-01,13/45/2026\n3,Won,bad,\n";
    let err = read(
        RecordKind::Opportunities,
        text,
        json!("hubspot"),
        json!({"strict": true}),
    )
    .unwrap_err();
    assert_eq!(err.code(), "validation");
    assert_eq!(err.problems().len(), 1);
    assert_eq!(err.problems()[0].path, "lines[3][\"Close Date\"]");
    assert_eq!(err.problems()[0].code, "invalid_date");
}

#[test]
fn leads_and_accounts_with_salesforce_headers() {
    let leads = "Lead ID,Created Date,Email,Lead Status,No. of Employees,Annual Revenue,Rating\n\
                 00Q1,3/2/2026 9:15 AM,ada@northwind.io,Working - Contacted,\"1,200\",\"$5,000,000\",Hot\n\
                 00Q2,3/2/2026,not-an-email,Open - Not Contacted,,,\n";
    let got = read(RecordKind::Leads, leads, json!("salesforce"), json!({})).unwrap();
    let Records::Leads(v) = &got.records else {
        panic!()
    };
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].status, crate::model::LeadStatus::Working);
    assert_eq!(v[0].employees, Some(1200));
    assert_eq!(v[0].attributes["Rating"], json!("Hot"));
    assert_eq!(got.errors[0].code, "invalid_email");
    assert_eq!(got.errors[0].column.as_deref(), Some("Email"));

    let accounts =
        "Account ID,Account Name,Billing Country,Employees\n001,Northwind,DE,50\n002,,US,x\n";
    let got = read(
        RecordKind::Accounts,
        accounts,
        json!("salesforce"),
        json!({}),
    )
    .unwrap();
    assert_eq!(got.records.len(), 1);
    let codes: Vec<&str> = got.errors.iter().map(|e| e.code.as_str()).collect();
    assert_eq!(codes, vec!["required", "invalid_number"]);
}

#[test]
fn day_first_dates_and_currency_option() {
    let text = "Opportunity ID,Stage,Created Date,Close Date,Amount,Opportunity Currency\n\
                1,Closed Won,5/1/2026,6/2/2026,100,\n\
                2,Closed Won,5/1/2026,6/2/2026,100,jpy\n\
                3,Closed Won,5/1/2026,6/2/2026,100,XYZ\n";
    let got = read(
        RecordKind::Opportunities,
        text,
        json!("salesforce"),
        json!({"date_order": "dmy", "currency": "EUR"}),
    )
    .unwrap();
    let v = got.records.opportunities().expect("opportunities").to_vec();
    assert_eq!(v[0].close_date.unwrap().to_string(), "2026-02-06");
    assert_eq!(v[0].amount.unwrap().to_string(), "100.00 EUR");
    assert_eq!(v[1].amount.unwrap().to_string(), "100 JPY");
    assert_eq!(got.errors.len(), 1);
    assert_eq!(got.errors[0].code, "unknown_currency");
}

#[test]
fn a_row_with_the_wrong_number_of_fields_is_a_whole_row_error() {
    let got = opps("Record ID,Deal Stage,Create Date\n1,Won\n2,Won,2026-01-01\n");
    assert_eq!(got.records.len(), 1);
    assert_eq!(got.errors[0].line, 2);
    assert_eq!(got.errors[0].column, None);
    assert_eq!(got.errors[0].code, "field_count");
}

#[test]
fn reads_from_a_slow_reader_one_byte_at_a_time() {
    struct Trickle<'a>(&'a [u8]);
    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.0.is_empty() || buf.is_empty() {
                return Ok(0);
            }
            buf[0] = self.0[0];
            self.0 = &self.0[1..];
            Ok(1)
        }
    }
    let text = format!("\u{feff}{HUBSPOT}");
    let got = read_csv(
        RecordKind::Opportunities,
        Trickle(text.as_bytes()),
        &Mapping::HubSpot,
        None,
        &ImportOptions::default(),
    )
    .unwrap();
    assert_eq!(got, opps(HUBSPOT));
}

#[test]
fn unknown_mapping_fields_and_presets_are_config_errors() {
    let err = read(
        RecordKind::Leads,
        "a\n",
        json!({"id": "a", "shoe_size": "b"}),
        json!({}),
    )
    .unwrap_err();
    assert_eq!(err.code(), "invalid_config");
    assert_eq!(err.problems()[0].path, "mapping.shoe_size");
    let err = read(RecordKind::Leads, "a\n", json!("pipedrive"), json!({})).unwrap_err();
    assert_eq!(err.problems()[0].code, "unknown_preset");
    let err = read(
        RecordKind::Leads,
        "a\n",
        json!("hubspot"),
        json!({"strict": 1}),
    )
    .unwrap_err();
    assert_eq!(err.problems()[0].path, "options.strict");
}

#[test]
fn fields_narrow_what_is_read_and_kept() {
    let text = "\
Record ID,Deal Name,Deal Stage,Amount,Currency,Close Date,Create Date,Deal owner,Pipeline
101,Acme,Closed Won,100,EUR,not a date,2026-01-05,Ada,Sales Pipeline
";
    let got = read(
        RecordKind::Opportunities,
        text,
        json!("hubspot"),
        json!({"fields": ["amount", "owner_id"]}),
    )
    .unwrap();
    // The close date is not read, so its bad cell is no problem; the currency is read with
    // the amount.
    assert!(got.errors.is_empty(), "{:?}", got.errors);
    let v = got.records.opportunities().expect("opportunities").to_vec();
    assert_eq!(v[0].id.as_str(), "101");
    assert_eq!(v[0].owner_id.as_ref().map(|o| o.as_str()), Some("Ada"));
    assert_eq!(v[0].amount.unwrap().currency().code(), "EUR");
    assert_eq!((v[0].name.as_deref(), v[0].close_date), (None, None));
    assert!(v[0].attributes.is_empty());

    let all = opps(text);
    assert_eq!(all.errors[0].code, "invalid_date");

    let err = read(
        RecordKind::Leads,
        "ID,Created\n",
        json!({"id": "ID", "created_at": "Created"}),
        json!({"fields": ["email", "amount", "company"]}),
    )
    .unwrap_err();
    assert!(matches!(err, Error::InvalidConfig(_)), "{err:?}");
    let problems = err.problems();
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].path, "options.fields[1]");
    assert_eq!(problems[0].code, "unknown_field");
}
