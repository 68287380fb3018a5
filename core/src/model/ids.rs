//! Typed ids: a lead id cannot be passed where a rep id is wanted. On the wire each is a plain
//! string; the empty string is refused at parse time.

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

macro_rules! id_type {
    ($($(#[$meta:meta])* $name:ident;)*) => {$(
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, JsonSchema)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            pub fn new(id: impl Into<String>) -> Self {
                $name(id.into())
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                $name(s.to_string())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                if s.trim().is_empty() {
                    return Err(serde::de::Error::custom("an id must not be empty"));
                }
                Ok($name(s))
            }
        }
    )*};
}

id_type! {
    /// Identifies a Lead.
    LeadId;
    /// Identifies an Account.
    AccountId;
    /// Identifies a Contact.
    ContactId;
    /// Identifies an Opportunity.
    OpportunityId;
    /// Identifies a Rep (a user who owns records).
    RepId;
    /// Identifies a Team.
    TeamId;
    /// Identifies a Territory.
    TerritoryId;
    /// Identifies a ContentAsset.
    AssetId;
    /// Identifies an engagement or content event.
    EventId;
}
