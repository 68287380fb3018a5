//! How a scorer reads the fields its conditions name, resolved once when the model is compiled:
//! a lead's own fields and an event's fields straight from the struct, by an index decided at
//! build time, instead of matching the path text for every lead and every event.
//!
//! Each reader must give exactly what `Record::field` of the lead (or the event record the
//! scorer evaluates `where` clauses on) gives for the same path; a path it does not resolve is
//! read through `Record::field` itself. Tests hold the two to each other on every lead field.

use crate::condition::{FieldValue, Record};
use crate::model::{EngagementEvent, Lead};

/// A lead field's reader, resolved when the model is compiled ([`LeadField::reader`]).
pub(crate) type ReadLead = for<'a> fn(&'a Lead) -> Option<FieldValue<'a>>;

/// A lead field by what the scorer resolved its path to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LeadField {
    Id,
    CreatedAt,
    Email,
    FirstName,
    LastName,
    Title,
    Phone,
    Company,
    Website,
    Industry,
    Employees,
    Country,
    Region,
    City,
    PostalCode,
    Language,
    Source,
    Status,
    OwnerId,
    AccountId,
    FirstTouchAt,
    ConvertedAt,
    /// Anything else (money, attributes): read through `Record::field` with this path.
    Path(Box<str>),
}

impl LeadField {
    pub(crate) fn of(path: &str) -> LeadField {
        match path {
            "id" => LeadField::Id,
            "created_at" => LeadField::CreatedAt,
            "email" => LeadField::Email,
            "first_name" => LeadField::FirstName,
            "last_name" => LeadField::LastName,
            "title" => LeadField::Title,
            "phone" => LeadField::Phone,
            "company" => LeadField::Company,
            "website" => LeadField::Website,
            "industry" => LeadField::Industry,
            "employees" => LeadField::Employees,
            "country" => LeadField::Country,
            "region" => LeadField::Region,
            "city" => LeadField::City,
            "postal_code" => LeadField::PostalCode,
            "language" => LeadField::Language,
            "source" => LeadField::Source,
            "status" => LeadField::Status,
            "owner_id" => LeadField::OwnerId,
            "account_id" => LeadField::AccountId,
            "first_touch_at" => LeadField::FirstTouchAt,
            "converted_at" => LeadField::ConvertedAt,
            other => LeadField::Path(other.into()),
        }
    }

    /// [`LeadField::read`] as a function of its own, for every field but a [`LeadField::Path`]:
    /// called through a pointer, so that reading a lead's few fields costs a call each rather
    /// than loads of every field the `match` could pick (which the compiler hoists out of a
    /// loop over the fields).
    pub(crate) fn reader(&self) -> Option<ReadLead> {
        macro_rules! via {
            ($field:ident) => {{
                fn read(lead: &Lead) -> Option<FieldValue<'_>> {
                    LeadField::$field.read(lead)
                }
                read as ReadLead
            }};
        }
        Some(match self {
            LeadField::Id => via!(Id),
            LeadField::CreatedAt => via!(CreatedAt),
            LeadField::Email => via!(Email),
            LeadField::FirstName => via!(FirstName),
            LeadField::LastName => via!(LastName),
            LeadField::Title => via!(Title),
            LeadField::Phone => via!(Phone),
            LeadField::Company => via!(Company),
            LeadField::Website => via!(Website),
            LeadField::Industry => via!(Industry),
            LeadField::Employees => via!(Employees),
            LeadField::Country => via!(Country),
            LeadField::Region => via!(Region),
            LeadField::City => via!(City),
            LeadField::PostalCode => via!(PostalCode),
            LeadField::Language => via!(Language),
            LeadField::Source => via!(Source),
            LeadField::Status => via!(Status),
            LeadField::OwnerId => via!(OwnerId),
            LeadField::AccountId => via!(AccountId),
            LeadField::FirstTouchAt => via!(FirstTouchAt),
            LeadField::ConvertedAt => via!(ConvertedAt),
            LeadField::Path(_) => return None,
        })
    }

    /// `lead.field(path)` for the path this was resolved from.
    #[inline(always)]
    pub(crate) fn read<'a>(&self, lead: &'a Lead) -> Option<FieldValue<'a>> {
        let text = |v: &'a Option<String>| v.as_deref().map(FieldValue::Text);
        match self {
            LeadField::Id => Some(FieldValue::Text(lead.id.as_str())),
            LeadField::CreatedAt => Some(FieldValue::Timestamp(lead.created_at)),
            LeadField::Email => text(&lead.email),
            LeadField::FirstName => text(&lead.first_name),
            LeadField::LastName => text(&lead.last_name),
            LeadField::Title => text(&lead.title),
            LeadField::Phone => text(&lead.phone),
            LeadField::Company => text(&lead.company),
            LeadField::Website => text(&lead.website),
            LeadField::Industry => text(&lead.industry),
            LeadField::Employees => lead.employees.map(|n| FieldValue::Number(f64::from(n))),
            LeadField::Country => text(&lead.country),
            LeadField::Region => text(&lead.region),
            LeadField::City => text(&lead.city),
            LeadField::PostalCode => text(&lead.postal_code),
            LeadField::Language => text(&lead.language),
            LeadField::Source => text(&lead.source),
            LeadField::Status => Some(FieldValue::Text(lead.status.as_str())),
            LeadField::OwnerId => lead.owner_id.as_ref().map(|x| FieldValue::Text(x.as_str())),
            LeadField::AccountId => lead
                .account_id
                .as_ref()
                .map(|x| FieldValue::Text(x.as_str())),
            LeadField::FirstTouchAt => lead.first_touch_at.map(FieldValue::Timestamp),
            LeadField::ConvertedAt => lead.converted_at.map(FieldValue::Timestamp),
            LeadField::Path(path) => lead.field(path),
        }
    }
}

/// An event field a `where` clause reads: `kind`, `at`, `lead_id`, `id`, `contact_id`,
/// `account_id`; any other name (bare or `attributes.<key>`) reads an attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum EventField {
    Kind,
    At,
    LeadId,
    Id,
    ContactId,
    AccountId,
    /// The attribute path, without its `attributes.` prefix.
    Attribute(Box<str>),
}

impl EventField {
    pub(crate) fn of(path: &str) -> EventField {
        match path {
            "kind" => EventField::Kind,
            "at" => EventField::At,
            "lead_id" => EventField::LeadId,
            "id" => EventField::Id,
            "contact_id" => EventField::ContactId,
            "account_id" => EventField::AccountId,
            _ => EventField::Attribute(path.strip_prefix("attributes.").unwrap_or(path).into()),
        }
    }

    #[inline]
    pub(crate) fn read<'a>(&self, e: &'a EngagementEvent) -> Option<FieldValue<'a>> {
        match self {
            EventField::Kind => Some(FieldValue::Text(&e.kind)),
            EventField::At => Some(FieldValue::Timestamp(e.at)),
            EventField::LeadId => Some(FieldValue::Text(e.lead_id.as_str())),
            EventField::Id => e.id.as_ref().map(|x| FieldValue::Text(x.as_str())),
            EventField::ContactId => e.contact_id.as_ref().map(|x| FieldValue::Text(x.as_str())),
            EventField::AccountId => e.account_id.as_ref().map(|x| FieldValue::Text(x.as_str())),
            EventField::Attribute(path) => e.attributes.field(path),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::LEAD_FIELDS;
    use crate::sample::{generate, SampleOptions};
    use crate::scoring::rules::engine::EventRecord;
    use serde_json::json;

    fn leads() -> Vec<Lead> {
        let world = generate(&SampleOptions {
            leads: 200,
            ..SampleOptions::default()
        });
        let mut leads = world.leads;
        let full: Lead = serde_json::from_value(json!({
            "id": "L-full", "created_at": "2026-01-02T03:04:05.5Z", "email": "Ann <ann@acme.com>",
            "first_name": "Ann", "last_name": "Lee", "title": "VP", "phone": "+1 555",
            "company": "Acme", "website": "https://acme.com", "industry": "software",
            "employees": 0, "annual_revenue": {"amount": 12.5, "currency": "EUR"},
            "country": "US", "region": "CA", "city": "SF", "postal_code": "94107",
            "language": "en", "source": "web", "status": "working", "owner_id": "rep-1",
            "account_id": "acc-1", "first_touch_at": "2026-01-03T00:00:00Z",
            "converted_at": "2026-02-03T00:00:00Z",
            "title_x": "stray", "attributes": {"tier": {"a": [1, null]}, "nothing": null}
        }))
        .expect("a valid lead");
        let bare: Lead =
            serde_json::from_value(json!({"id": "L-bare", "created_at": "2026-01-02T00:00:00Z"}))
                .expect("a valid lead");
        leads.extend([full, bare]);
        leads
    }

    #[test]
    fn lead_readers_read_what_the_record_reads() {
        let mut paths: Vec<&str> = LEAD_FIELDS.to_vec();
        paths.extend([
            "annual_revenue.amount",
            "annual_revenue.currency",
            "annual_revenue.x",
            "attributes.tier",
            "attributes.tier.a",
            "tier",
            "title_x",
            "nothing",
            "",
            "Title",
            "email ",
        ]);
        for lead in leads() {
            for p in &paths {
                assert_eq!(
                    LeadField::of(p).read(&lead),
                    lead.field(p),
                    "{p} of {}",
                    lead.id
                );
            }
        }
        // The readers by pointer read what `read` reads.
        for lead in leads() {
            for p in &paths {
                let field = LeadField::of(p);
                if let Some(reader) = field.reader() {
                    assert_eq!(reader(&lead), field.read(&lead), "{p} of {}", lead.id);
                } else {
                    assert!(matches!(field, LeadField::Path(_)), "{p}");
                }
            }
        }
        // Every name of the lead's own fields is resolved, none left to the path.
        for p in LEAD_FIELDS {
            if *p != "annual_revenue" {
                assert!(!matches!(LeadField::of(p), LeadField::Path(_)), "{p}");
            }
        }
    }

    #[test]
    fn event_readers_read_what_the_event_record_reads() {
        let world = generate(&SampleOptions {
            leads: 50,
            ..SampleOptions::default()
        });
        let mut events = world.events;
        events.push(
            serde_json::from_value(json!({
                "lead_id": "L-1", "kind": "page_view", "at": "2026-01-02T00:00:00Z",
                "id": "e-1", "contact_id": "c-1", "account_id": "a-1",
                "url": "/pricing", "attributes": {"page": {"path": "/x"}, "kind": "shadowed", "n": null}
            }))
            .expect("a valid event"),
        );
        let paths = [
            "kind",
            "at",
            "lead_id",
            "id",
            "contact_id",
            "account_id",
            "url",
            "attributes.url",
            "page.path",
            "attributes.page.path",
            "attributes.kind",
            "n",
            "missing",
            "attributes.",
            "",
        ];
        for e in &events {
            for p in paths {
                assert_eq!(EventField::of(p).read(e), EventRecord(e).field(p), "{p}");
            }
        }
    }
}
