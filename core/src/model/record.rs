//! How the condition language reads typed records: each field by its wire name, without
//! converting the record to JSON. `attributes.<key>` reads an attribute; any other unknown name
//! falls back to the attribute of that name, so a condition written against a JSON record
//! (where stray keys sit at the top level) reads the same on the typed record.

use super::{Account, Attributes, Contact, Lead, Money, Opportunity};
use crate::condition::{FieldValue, Record};
use chrono::{DateTime, NaiveDate, Utc};

fn text(v: &Option<String>) -> Option<FieldValue<'_>> {
    v.as_deref().map(FieldValue::Text)
}
fn id<T: AsRef<str>>(v: Option<&T>) -> Option<FieldValue<'_>> {
    v.map(|s| FieldValue::Text(s.as_ref()))
}
fn number(v: Option<u32>) -> Option<FieldValue<'static>> {
    v.map(|n| FieldValue::Number(f64::from(n)))
}
fn money<'a>(field: &str, v: &'a Option<Money>) -> Option<FieldValue<'a>> {
    let m = v.as_ref()?;
    match field {
        "" | "amount" => Some(FieldValue::Number(m.amount_f64())),
        "currency" => Some(FieldValue::Text(m.currency().code())),
        _ => None,
    }
}
fn instant(v: Option<DateTime<Utc>>) -> Option<FieldValue<'static>> {
    v.map(FieldValue::Timestamp)
}
fn date(v: Option<NaiveDate>) -> Option<FieldValue<'static>> {
    v.map(FieldValue::Date)
}
/// `attributes.a.b` or a bare unknown name `a.b`: walk the attribute's JSON.
fn attribute<'a>(attributes: &'a Attributes, path: &str) -> Option<FieldValue<'a>> {
    let path = path.strip_prefix("attributes.").unwrap_or(path);
    let mut parts = path.split('.');
    let mut v = attributes.get(parts.next()?)?;
    for part in parts {
        v = v.get(part)?;
    }
    (!v.is_null()).then_some(FieldValue::Json(v))
}
/// `annual_revenue` / `annual_revenue.amount` / `annual_revenue.currency`.
fn split_money(path: &str) -> (&str, &str) {
    path.split_once('.').unwrap_or((path, ""))
}

macro_rules! ids {
    ($e:expr) => {
        id($e.as_ref().map(|x| &x.0))
    };
}

/// The wire names of [`Lead`]'s own fields (what [`Record for Lead`](Lead) reads directly);
/// any other name reads an attribute. A test keeps this in step with the lead schema.
pub const LEAD_FIELDS: &[&str] = &[
    "id",
    "created_at",
    "email",
    "first_name",
    "last_name",
    "title",
    "phone",
    "company",
    "website",
    "industry",
    "employees",
    "annual_revenue",
    "country",
    "region",
    "city",
    "postal_code",
    "language",
    "source",
    "status",
    "owner_id",
    "account_id",
    "first_touch_at",
    "converted_at",
];

impl Record for Lead {
    fn field(&self, path: &str) -> Option<FieldValue<'_>> {
        match path {
            "id" => Some(FieldValue::Text(&self.id.0)),
            "created_at" => instant(Some(self.created_at)),
            "email" => text(&self.email),
            "first_name" => text(&self.first_name),
            "last_name" => text(&self.last_name),
            "title" => text(&self.title),
            "phone" => text(&self.phone),
            "company" => text(&self.company),
            "website" => text(&self.website),
            "industry" => text(&self.industry),
            "employees" => number(self.employees),
            "country" => text(&self.country),
            "region" => text(&self.region),
            "city" => text(&self.city),
            "postal_code" => text(&self.postal_code),
            "language" => text(&self.language),
            "source" => text(&self.source),
            "status" => Some(FieldValue::Text(self.status.as_str())),
            "owner_id" => ids!(self.owner_id),
            "account_id" => ids!(self.account_id),
            "first_touch_at" => instant(self.first_touch_at),
            "converted_at" => instant(self.converted_at),
            _ => match split_money(path) {
                ("annual_revenue", rest) => money(rest, &self.annual_revenue),
                _ => attribute(&self.attributes, path),
            },
        }
    }
}

impl Record for Account {
    fn field(&self, path: &str) -> Option<FieldValue<'_>> {
        match path {
            "id" => Some(FieldValue::Text(&self.id.0)),
            "name" => Some(FieldValue::Text(&self.name)),
            "domain" => text(&self.domain),
            "website" => text(&self.website),
            "industry" => text(&self.industry),
            "employees" => number(self.employees),
            "country" => text(&self.country),
            "region" => text(&self.region),
            "city" => text(&self.city),
            "postal_code" => text(&self.postal_code),
            "tier" => text(&self.tier),
            "owner_id" => ids!(self.owner_id),
            "parent_id" => ids!(self.parent_id),
            "created_at" => instant(self.created_at),
            _ => match split_money(path) {
                ("annual_revenue", rest) => money(rest, &self.annual_revenue),
                _ => attribute(&self.attributes, path),
            },
        }
    }
}

impl Record for Contact {
    fn field(&self, path: &str) -> Option<FieldValue<'_>> {
        match path {
            "id" => Some(FieldValue::Text(&self.id.0)),
            "account_id" => ids!(self.account_id),
            "email" => text(&self.email),
            "first_name" => text(&self.first_name),
            "last_name" => text(&self.last_name),
            "title" => text(&self.title),
            "persona" => text(&self.persona),
            "phone" => text(&self.phone),
            "country" => text(&self.country),
            "owner_id" => ids!(self.owner_id),
            "created_at" => instant(self.created_at),
            _ => attribute(&self.attributes, path),
        }
    }
}

impl Record for Opportunity {
    fn field(&self, path: &str) -> Option<FieldValue<'_>> {
        let (head, rest) = split_money(path);
        match path {
            "id" => Some(FieldValue::Text(&self.id.0)),
            "created_at" => instant(Some(self.created_at)),
            "stage" => Some(FieldValue::Text(&self.stage)),
            "name" => text(&self.name),
            "account_id" => ids!(self.account_id),
            "owner_id" => ids!(self.owner_id),
            "contact_id" => ids!(self.contact_id),
            "close_date" => date(self.close_date),
            "closed_at" => instant(self.closed_at),
            "forecast_category" => self.forecast_category.map(|c| FieldValue::Text(c.as_str())),
            "source" => text(&self.source),
            "lost_reason" => text(&self.lost_reason),
            "lead_id" => ids!(self.lead_id),
            _ if head == "amount" => money(rest, &self.amount),
            _ => attribute(&self.attributes, path),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lead_fields_are_the_lead_schema_properties() {
        let schema = crate::schema("lead").unwrap();
        let mut wire: Vec<&str> = schema["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .filter(|k| *k != "attributes")
            .collect();
        wire.sort_unstable();
        let mut ours = LEAD_FIELDS.to_vec();
        ours.sort_unstable();
        assert_eq!(ours, wire);
    }

    #[test]
    fn typed_lead_reads_fields_and_attributes() {
        let lead: Lead = serde_json::from_value(json!({
            "id": "L1", "created_at": "2026-01-05T10:00:00Z", "country": "US",
            "employees": 250, "annual_revenue": {"amount": 1000000, "currency": "USD"},
            "status": "working", "utm_campaign": "spring", "attributes": {"tier": {"x": 1}}
        }))
        .unwrap();
        assert_eq!(lead.field("country"), Some(FieldValue::Text("US")));
        assert_eq!(lead.field("employees"), Some(FieldValue::Number(250.0)));
        assert_eq!(
            lead.field("annual_revenue"),
            Some(FieldValue::Number(1_000_000.0))
        );
        assert_eq!(
            lead.field("annual_revenue.currency"),
            Some(FieldValue::Text("USD"))
        );
        assert_eq!(lead.field("status"), Some(FieldValue::Text("working")));
        assert_eq!(
            lead.field("utm_campaign"),
            Some(FieldValue::Json(&json!("spring")))
        );
        assert_eq!(
            lead.field("attributes.utm_campaign"),
            Some(FieldValue::Json(&json!("spring")))
        );
        assert_eq!(
            lead.field("attributes.tier.x"),
            Some(FieldValue::Json(&json!(1)))
        );
        assert_eq!(lead.field("email"), None);
        assert_eq!(lead.field("nope"), None);
    }
}
