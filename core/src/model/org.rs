//! The selling organisation: reps, the teams they sit in and the territories they cover.

use super::ids::{RepId, TeamId, TerritoryId};
use super::money::Money;
use super::time::{TimeOff, WorkingWindow};
use crate::condition::Condition;
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What a rep does; routing and coaching compare reps within a role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RepRole {
    /// Sales development: works inbound leads.
    Sdr,
    /// Business development: outbound prospecting.
    Bdr,
    /// Account executive: owns opportunities to close.
    Ae,
    /// Account manager: grows existing customers.
    Am,
    /// Customer success manager.
    Csm,
    /// Sales engineer.
    Se,
    Manager,
    Other,
}

/// A target for a stretch of time: `{"start": "2026-01-01", "end": "2026-03-31", "amount": {...}}`
/// (both dates inclusive).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Quota {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub amount: Money,
}

fn default_true() -> bool {
    true
}
fn default_weight() -> f64 {
    1.0
}
fn is_true(b: &bool) -> bool {
    *b
}
fn is_one(w: &f64) -> bool {
    *w == 1.0
}

/// A person who owns leads, accounts and deals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rep {
    pub id: RepId,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team_id: Option<TeamId>,
    pub role: RepRole,
    /// Inactive reps keep their records but receive nothing new.
    #[serde(default = "default_true", skip_serializing_if = "is_true")]
    pub active: bool,
    /// IANA time zone name, e.g. `America/New_York`.
    pub time_zone: String,
    /// Local working hours; empty means "not set" (every hour counts).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub working_hours: Vec<WorkingWindow>,
    /// Local dates off (public holidays, days off).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub holidays: Vec<NaiveDate>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub out_of_office: Vec<TimeOff>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skills: Vec<String>,
    /// Languages spoken, as codes such as `en`, `de`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub languages: Vec<String>,
    /// Most open leads this rep should hold at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<u32>,
    /// Share of new work relative to peers (2.0 takes twice as much); must be above 0.
    #[serde(default = "default_weight", skip_serializing_if = "is_one")]
    pub weight: f64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub quotas: Vec<Quota>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manager_id: Option<RepId>,
}

/// A group of reps with a manager; teams may nest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Team {
    pub id: TeamId,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manager_id: Option<RepId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<TeamId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}

/// A slice of the market (a region, a segment, a named-account list) and the reps covering it.
/// Territories nest through `parent_id`; the most specific matching one wins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Territory {
    pub id: TerritoryId,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<TerritoryId>,
    /// Higher wins between matching territories at the same depth.
    #[serde(default)]
    pub priority: i32,
    /// Which records fall in this territory; absent means everything under the parent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<Condition>,
    /// The reps who cover it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rep_ids: Vec<RepId>,
}
