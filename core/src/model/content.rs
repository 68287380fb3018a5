//! Sales content and what people did: content assets (case studies, decks, battlecards), the
//! engagement events of leads (visits, opens, form fills) and the content events of reps and
//! buyers (shares, views).

use super::ids::{AccountId, AssetId, ContactId, EventId, LeadId, OpportunityId, RepId};
use super::record_type;
use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What kind of asset a piece of content is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AssetType {
    CaseStudy,
    Deck,
    OnePager,
    Battlecard,
    Video,
    Playbook,
    TrainingModule,
    Whitepaper,
}

/// Whether reps may use an asset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum AssetStatus {
    #[default]
    Draft,
    Published,
    Archived,
}

/// Who and what an asset is for. Values are free strings (`"proposal"`, `"economic_buyer"`,
/// `"healthcare"`, `"emea"`, `"en"`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContentTags {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stages: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub personas: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub industries: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub products: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regions: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub languages: Vec<String>,
}

impl ContentTags {
    fn is_empty(&self) -> bool {
        *self == ContentTags::default()
    }
}

record_type! {
    /// A piece of sales content.
    pub struct ContentAsset via ContentAssetWire {
        pub id: AssetId,
        pub title: String,
        #[serde(rename = "type")]
        pub asset_type: AssetType,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub description: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub body: Option<String>,
        #[serde(default, skip_serializing_if = "ContentTags::is_empty")]
        pub tags: ContentTags,
        #[serde(default)]
        pub status: AssetStatus,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub published_at: Option<NaiveDate>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub expires_at: Option<NaiveDate>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub owner_id: Option<RepId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub url: Option<String>,
    }
}

record_type! {
    /// Something a lead did: `kind` is a snake_case name such as `page_view`, `email_open`,
    /// `email_click`, `form_submit`, `webinar_attended`, `demo_request`, `meeting_booked`,
    /// `content_download`, `unsubscribe`.
    pub struct EngagementEvent via EngagementEventWire {
        pub lead_id: LeadId,
        pub kind: String,
        pub at: DateTime<Utc>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub id: Option<EventId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub contact_id: Option<ContactId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub account_id: Option<AccountId>,
    }
}

/// What was done with a content asset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ContentEventKind {
    /// A rep sent the asset to a buyer.
    Share,
    /// Someone opened it.
    View,
    Download,
    /// A rep showed it in a meeting.
    Present,
}

record_type! {
    /// A use of a content asset, by a rep or a buyer, possibly on a deal.
    pub struct ContentEvent via ContentEventWire {
        pub asset_id: AssetId,
        pub kind: ContentEventKind,
        pub at: DateTime<Utc>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub id: Option<EventId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub rep_id: Option<RepId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub opportunity_id: Option<OpportunityId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub account_id: Option<AccountId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub contact_id: Option<ContactId>,
        /// Seconds spent viewing, for views.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub duration_seconds: Option<u32>,
    }
}
