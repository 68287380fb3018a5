//! CRM records: leads (people not yet qualified), accounts (companies), contacts (people at an
//! account) and opportunities (deals moving through a pipeline).

use super::ids::{AccountId, ContactId, LeadId, OpportunityId, RepId};
use super::money::Money;
use super::pipeline::ForecastCategory;
use super::record_type;
use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Where a lead stands in qualification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum LeadStatus {
    #[default]
    New,
    Working,
    Nurturing,
    Qualified,
    Disqualified,
    Converted,
}

impl LeadStatus {
    /// The wire name, e.g. `"working"`.
    pub fn as_str(&self) -> &'static str {
        match self {
            LeadStatus::New => "new",
            LeadStatus::Working => "working",
            LeadStatus::Nurturing => "nurturing",
            LeadStatus::Qualified => "qualified",
            LeadStatus::Disqualified => "disqualified",
            LeadStatus::Converted => "converted",
        }
    }
}

record_type! {
    /// A person who showed interest and has not been qualified yet (a web form, a list import,
    /// an event badge scan). Leads are what routing assigns and scoring ranks.
    pub struct Lead via LeadWire {
        pub id: LeadId,
        pub created_at: DateTime<Utc>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub email: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub first_name: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub last_name: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub title: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub phone: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub company: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub website: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub industry: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub employees: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub annual_revenue: Option<Money>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub country: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub region: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub city: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub postal_code: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub language: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub source: Option<String>,
        #[serde(default)]
        pub status: LeadStatus,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub owner_id: Option<RepId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub account_id: Option<AccountId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub first_touch_at: Option<DateTime<Utc>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub converted_at: Option<DateTime<Utc>>,
    }
}

impl Lead {
    /// A lead with its id and creation time and nothing else: every optional field absent, the
    /// status `new`, no attributes. Readers that fill a lead field by field start from it.
    pub fn new(id: LeadId, created_at: DateTime<Utc>) -> Lead {
        Lead {
            id,
            created_at,
            email: None,
            first_name: None,
            last_name: None,
            title: None,
            phone: None,
            company: None,
            website: None,
            industry: None,
            employees: None,
            annual_revenue: None,
            country: None,
            region: None,
            city: None,
            postal_code: None,
            language: None,
            source: None,
            status: LeadStatus::default(),
            owner_id: None,
            account_id: None,
            first_touch_at: None,
            converted_at: None,
            attributes: Default::default(),
        }
    }
}

record_type! {
    /// A company you sell to (or could).
    pub struct Account via AccountWire {
        pub id: AccountId,
        pub name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub domain: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub website: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub industry: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub employees: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub annual_revenue: Option<Money>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub country: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub region: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub city: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub postal_code: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub tier: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub owner_id: Option<RepId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub parent_id: Option<AccountId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub created_at: Option<DateTime<Utc>>,
    }
}

record_type! {
    /// A person at an account.
    pub struct Contact via ContactWire {
        pub id: ContactId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub account_id: Option<AccountId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub email: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub first_name: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub last_name: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub title: Option<String>,
        /// The buying role, e.g. `economic_buyer`, `champion`, `technical_evaluator`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub persona: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub phone: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub country: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub owner_id: Option<RepId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub created_at: Option<DateTime<Utc>>,
    }
}

/// One move of an opportunity into a stage: `{"stage": "Proposal", "at": "2026-03-02T10:00:00Z"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StageChange {
    pub stage: String,
    pub at: DateTime<Utc>,
}

record_type! {
    /// A deal: an amount moving through the stages of a pipeline towards won or lost.
    pub struct Opportunity via OpportunityWire {
        pub id: OpportunityId,
        pub created_at: DateTime<Utc>,
        /// The current stage, a key or label of the pipeline (`"Proposal"`, `"closedwon"`).
        pub stage: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub name: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub account_id: Option<AccountId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub owner_id: Option<RepId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub contact_id: Option<ContactId>,
        /// Blank for deals not yet sized.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub amount: Option<Money>,
        /// Every stage entered, oldest first.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub stage_history: Vec<StageChange>,
        /// The expected (open deals) or actual (closed deals) close date.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub close_date: Option<NaiveDate>,
        /// When the deal was marked won or lost.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub closed_at: Option<DateTime<Utc>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub forecast_category: Option<ForecastCategory>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub source: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub lost_reason: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub lead_id: Option<LeadId>,
    }
}
