//! Sample opportunities written as a HubSpot deal export (the headers of the `hubspot` preset,
//! docs/import.md): the input of the CSV import bench and of the issue-5 peer comparison
//! (revcore vs pandas vs polars from one file).

use revcore::model::Opportunity;
use std::io::Write;

/// The columns written, in order: what a HubSpot "All deals" export holds.
pub const HEADER: [&str; 12] = [
    "Record ID",
    "Deal Name",
    "Deal Stage",
    "Amount",
    "Close Date",
    "Create Date",
    "Deal owner",
    "Pipeline",
    "Associated Company ID",
    "Deal Type",
    "Original Source Type",
    "Closed Lost Reason",
];

/// Writes `opportunities` as CSV, quoting where needed. Amounts are plain decimals (as HubSpot
/// writes them), create dates `YYYY-MM-DD HH:MM` (naive, read back as UTC), close dates ISO.
pub fn write_deals<W: Write>(opportunities: &[Opportunity], out: W) -> csv::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(HEADER)?;
    let mut amount = String::new();
    for (i, o) in opportunities.iter().enumerate() {
        amount.clear();
        if let Some(m) = &o.amount {
            let text = m.to_string(); // "1234.50 USD"
            amount.push_str(text.split(' ').next().unwrap_or_default());
        }
        let created = o.created_at.format("%Y-%m-%d %H:%M").to_string();
        let close = o.close_date.map(|d| d.to_string()).unwrap_or_default();
        let deal_type = if i % 3 == 0 {
            "existingbusiness"
        } else {
            "newbusiness"
        };
        w.write_record([
            o.id.as_str(),
            o.name.as_deref().unwrap_or_default(),
            o.stage.as_str(),
            amount.as_str(),
            close.as_str(),
            created.as_str(),
            o.owner_id.as_ref().map_or("", |r| r.as_str()),
            "Sales Pipeline",
            o.account_id.as_ref().map_or("", |a| a.as_str()),
            deal_type,
            o.source.as_deref().unwrap_or_default(),
            o.lost_reason.as_deref().unwrap_or_default(),
        ])?;
    }
    w.flush()?;
    Ok(())
}
