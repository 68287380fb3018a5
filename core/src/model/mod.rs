//! The domain of revenue teams: who sells (reps, teams, territories), to whom (leads, accounts,
//! contacts), what is in flight (opportunities on a pipeline), what helps (content assets) and
//! what happened (engagement and content events).
//!
//! Every type here is plain data with serde in the wire format of DESIGN.md: snake_case keys,
//! RFC 3339 UTC instants, `YYYY-MM-DD` dates, exact [`Money`]. Records (leads, accounts,
//! contacts, opportunities, content assets) keep keys they do not know in `attributes`; config
//! types (pipelines, working hours) refuse unknown keys. Value rules that serde cannot express
//! (a valid email, a close date after creation, a known time zone) live in [`validate`].

mod content;
mod crm;
mod ids;
mod money;
mod org;
mod pipeline;
pub mod read;
mod record;
mod record_de;
mod time;
pub mod validate;

pub use content::{
    AssetStatus, AssetType, ContentAsset, ContentEvent, ContentEventKind, ContentTags,
    EngagementEvent,
};
pub use crm::{Account, Contact, Lead, LeadStatus, Opportunity, StageChange};
pub use ids::{
    AccountId, AssetId, ContactId, EventId, LeadId, OpportunityId, RepId, TeamId, TerritoryId,
};
pub use money::{AmountError, Currency, Money, MAX_MINOR_UNITS};
pub use org::{Quota, Rep, RepRole, Team, Territory};
pub use pipeline::{ForecastCategory, Pipeline, Stage, StageKind};
pub use record::LEAD_FIELDS;
pub use time::{day_or_instant, ClockTime, TimeOff, Weekday, WorkingWindow};

/// Free-form extra fields of a record, keyed by name.
pub type Attributes = serde_json::Map<String, serde_json::Value>;

/// Declares a record type whose unknown keys land in `attributes`.
///
/// The public struct serialises `attributes` as a nested object. Reading goes through a private
/// derived twin fed only the declared keys; the other keys are collected on the way
/// (`record_de`), and keys given explicitly inside `attributes` win over stray top-level keys
/// of the same name.
macro_rules! record_type {
    (
        $(#[$smeta:meta])*
        pub struct $name:ident via $wire:ident {
            $( $(#[$fmeta:meta])* pub $field:ident : $ty:ty, )*
        }
    ) => {
        $(#[$smeta])*
        #[derive(Debug, Clone, PartialEq, serde::Serialize, schemars::JsonSchema)]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: $ty, )*
            /// Every other field of the record, kept as given.
            #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
            pub attributes: $crate::model::Attributes,
        }

        #[derive(serde::Deserialize)]
        struct $wire {
            $( $(#[$fmeta])* $field: $ty, )*
            #[serde(default)]
            attributes: $crate::model::Attributes,
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                static DECLARED: std::sync::OnceLock<&'static [&'static str]> =
                    std::sync::OnceLock::new();
                let declared = $crate::model::record_de::declared_keys::<$wire>(&DECLARED);
                let (w, mut attributes): ($wire, _) =
                    $crate::model::record_de::read_record(d, stringify!($name), declared)?;
                attributes.extend(w.attributes);
                Ok($name { $( $field: w.$field, )* attributes })
            }
        }
    };
}
pub(crate) use record_type;
