//! Content analytics (docs/content.md, "Analytics"): what reps and buyers did with each asset
//! (shares, views, reach, view time, last use, deals touched), whether deals that used an asset
//! were won more often than deals that did not (Wilson intervals, sample sizes, by the stage at
//! first use), and which published assets have gone stale or are about to expire.
//!
//! Everything is computed as of an instant the caller gives: events after it are not counted,
//! deals closed after it are not closed yet. No clock is read. Events that name an asset the
//! library does not hold, or an opportunity that was not given, are counted visibly in
//! `unmatched`, never dropped silently.

use super::ContentLibrary;
use crate::error::{Error, Problems, Result};
use crate::model::read::{collect, list};
use crate::model::{AssetStatus, StageChange};
use crate::model::{
    ContentAsset, ContentEvent, ContentEventKind, Opportunity, Pipeline, StageKind,
};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The z of a two-sided 95% interval: the 0.975 quantile of the standard normal.
pub const Z_95: f64 = 1.959_963_984_540_054;

/// Default of [`AnalyticsOptions::stale_after_days`].
pub const DEFAULT_STALE_AFTER_DAYS: u32 = 90;
/// Default of [`AnalyticsOptions::expiring_within_days`].
pub const DEFAULT_EXPIRING_WITHIN_DAYS: u32 = 30;

/// The stage reported when the stage at first use cannot be known (no stage history before it).
pub const UNKNOWN_STAGE: &str = "unknown";

fn default_stale() -> u32 {
    DEFAULT_STALE_AFTER_DAYS
}
fn default_expiring() -> u32 {
    DEFAULT_EXPIRING_WITHIN_DAYS
}

/// How to compute analytics: `{"as_of": "2026-07-01T00:00:00Z", "stale_after_days": 90,
/// "expiring_within_days": 30, "pipeline": {...}}`; only `as_of` is required.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AnalyticsOptions {
    /// The instant the analytics describe.
    pub as_of: DateTime<Utc>,
    /// A published asset unused for more than this many days is stale.
    #[serde(default = "default_stale")]
    pub stale_after_days: u32,
    /// A published asset whose expiry date falls within this many days is expiring soon.
    #[serde(default = "default_expiring")]
    pub expiring_within_days: u32,
    /// The pipeline that says which stages are won and lost (default: the stock pipeline).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pipeline: Option<Pipeline>,
}

impl AnalyticsOptions {
    pub fn new(as_of: DateTime<Utc>) -> Self {
        AnalyticsOptions {
            as_of,
            stale_after_days: DEFAULT_STALE_AFTER_DAYS,
            expiring_within_days: DEFAULT_EXPIRING_WITHIN_DAYS,
            pipeline: None,
        }
    }
}

/// What was done with one asset up to `as_of`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AssetUsage {
    pub asset_id: String,
    pub shares: u64,
    pub views: u64,
    pub downloads: u64,
    pub presents: u64,
    /// Distinct accounts with any event on the asset.
    pub unique_reach: u64,
    /// Distinct contacts with any event on the asset.
    pub unique_contacts: u64,
    /// Distinct reps with any event on the asset.
    pub reps: u64,
    /// The sum of `duration_seconds` over views.
    pub view_seconds: u64,
    /// The latest event, if any.
    pub last_used_at: Option<DateTime<Utc>>,
    /// Distinct opportunities with any event on the asset (given or not).
    pub deals_touched: u64,
}

/// A win rate with its sample: `win_rate = won / deals` and its 95% Wilson interval; all
/// three are `null` when `deals` is 0.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct WinRate {
    pub deals: u64,
    pub won: u64,
    pub win_rate: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
}

impl WinRate {
    /// The win rate of `won` out of `deals`, with its Wilson score interval at `z`.
    pub fn wilson(won: u64, deals: u64, z: f64) -> WinRate {
        if deals == 0 {
            return WinRate {
                deals,
                won,
                win_rate: None,
                low: None,
                high: None,
            };
        }
        let n = deals as f64;
        let p = won as f64 / n;
        let z2 = z * z;
        let denominator = 1.0 + z2 / n;
        let centre = (p + z2 / (2.0 * n)) / denominator;
        let half = z / denominator * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
        WinRate {
            deals,
            won,
            win_rate: Some(p),
            // The bounds hold the rate exactly: at 0 or 1 won, rounding could leave one a hair
            // on the wrong side of it.
            low: Some((centre - half).max(0.0).min(p)),
            high: Some((centre + half).min(1.0).max(p)),
        }
    }
}

/// The win rate of the deals that first used an asset in one stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct StageInfluence {
    /// The pipeline key of the stage the deal was in at its first use of the asset, the raw
    /// label when the pipeline does not know it, or `"unknown"`.
    pub stage: String,
    #[serde(flatten)]
    pub rate: WinRate,
}

/// Whether closed deals that used an asset were won more often than those that did not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AssetInfluence {
    pub asset_id: String,
    /// Closed deals with an event on the asset at or before their close.
    pub used: WinRate,
    /// The other closed deals.
    pub not_used: WinRate,
    /// `used.win_rate - not_used.win_rate`, `null` when either is.
    pub difference: Option<f64>,
    /// `used`, split by the stage at first use, in pipeline order (then other labels by name,
    /// then `"unknown"`).
    pub by_stage: Vec<StageInfluence>,
}

/// Why a published asset is listed as stale.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum StaleReason {
    /// Last used more than `stale_after_days` before `as_of`.
    Unused,
    /// Never used, and published more than `stale_after_days` before `as_of` (or with no
    /// publication date).
    NeverUsed,
    /// Its expiry date is after `as_of` but within `expiring_within_days`.
    ExpiringSoon,
    /// Its expiry date is on or before the day of `as_of`, and it is still published.
    Expired,
}

/// A published asset that needs attention.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct StaleAsset {
    pub asset_id: String,
    pub reasons: Vec<StaleReason>,
    pub last_used_at: Option<DateTime<Utc>>,
    /// Whole days from the last use (or, never used, from publication) to `as_of`.
    pub days_unused: Option<i64>,
    pub expires_at: Option<NaiveDate>,
}

/// Events that could not be joined, counted.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Unmatched {
    /// Events on an asset the library does not hold: not counted anywhere else.
    pub unknown_asset: u64,
    /// Those assets' ids, sorted.
    pub unknown_asset_ids: Vec<String>,
    /// Events on an opportunity that was not given: counted in usage, not in influence.
    pub unknown_opportunity: u64,
    /// Events after `as_of`: not counted.
    pub after_as_of: u64,
}

/// The analytics of a library (docs/content.md, "Analytics").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ContentAnalytics {
    pub as_of: DateTime<Utc>,
    /// Closed deals (won or lost by `as_of`) and how many were won.
    pub closed_deals: u64,
    pub won_deals: u64,
    /// One per asset, in the order given (a library gives them by id).
    pub assets: Vec<AssetUsage>,
    /// One per asset, in the order given (a library gives them by id).
    pub influence: Vec<AssetInfluence>,
    /// Published assets that are stale, expiring or expired, in the same order.
    pub stale: Vec<StaleAsset>,
    pub unmatched: Unmatched,
}

/// A closed deal: when it closed, whether it was won, its stage history.
struct ClosedDeal<'a> {
    closed_at: DateTime<Utc>,
    won: bool,
    history: &'a [StageChange],
}

/// When a deal in a won or lost stage closed: `closed_at`, else the last change into a won or
/// lost stage, else its close date at midnight UTC.
pub(crate) fn close_instant(o: &Opportunity, pipeline: &Pipeline) -> Option<DateTime<Utc>> {
    o.closed_at
        .or_else(|| {
            o.stage_history
                .iter()
                .rev()
                .find(|c| {
                    pipeline
                        .stage(&c.stage)
                        .is_some_and(|s| matches!(s.kind, StageKind::Won | StageKind::Lost))
                })
                .map(|c| c.at)
        })
        .or_else(|| o.close_date.map(|d| d.and_time(NaiveTime::MIN).and_utc()))
}

/// The closed deals by id; problems (`unknown_stage`, `duplicate_id`) into `out`.
fn closed_deals<'a>(
    opportunities: &'a [Opportunity],
    options: &AnalyticsOptions,
    pipeline: &Pipeline,
    out: &mut Problems,
) -> (HashMap<&'a str, Option<ClosedDeal<'a>>>, u64, u64) {
    let mut deals = HashMap::with_capacity(opportunities.len());
    let (mut closed, mut won) = (0, 0);
    for (i, o) in opportunities.iter().enumerate() {
        let Some(stage) = pipeline.stage(&o.stage) else {
            out.push(
                format!("opportunities[{i}].stage"),
                "unknown_stage",
                format!("stage `{}` is not in the pipeline", o.stage),
            );
            continue;
        };
        let deal = match stage.kind {
            StageKind::Open => None,
            kind => close_instant(o, pipeline)
                .filter(|at| *at <= options.as_of)
                .map(|closed_at| ClosedDeal {
                    closed_at,
                    won: kind == StageKind::Won,
                    history: &o.stage_history,
                }),
        };
        if let Some(d) = &deal {
            closed += 1;
            won += u64::from(d.won);
        }
        if deals.insert(o.id.as_str(), deal).is_some() {
            out.push(
                format!("opportunities[{i}].id"),
                "duplicate_id",
                format!("opportunity `{}` is listed twice", o.id),
            );
        }
    }
    (deals, closed, won)
}

/// The stage a deal was in at `at`: the last change at or before it.
fn stage_at(history: &[StageChange], at: DateTime<Utc>, pipeline: &Pipeline) -> String {
    history.iter().rev().find(|c| c.at <= at).map_or_else(
        || UNKNOWN_STAGE.to_string(),
        |c| {
            pipeline
                .stage(&c.stage)
                .map_or_else(|| c.stage.clone(), |s| s.key.clone())
        },
    )
}

/// The order of stages in `by_stage`: pipeline order, other labels by name, `"unknown"` last.
fn stage_rank(stage: &str, pipeline: &Pipeline) -> (usize, String) {
    if stage == UNKNOWN_STAGE {
        return (usize::MAX, String::new());
    }
    match pipeline.stages.iter().position(|s| s.key == stage) {
        Some(i) => (i, String::new()),
        None => (pipeline.stages.len(), stage.to_string()),
    }
}

#[derive(Default)]
struct Tally<'a> {
    usage: [u64; 4],
    accounts: BTreeSet<&'a str>,
    contacts: BTreeSet<&'a str>,
    reps: BTreeSet<&'a str>,
    view_seconds: u64,
    last: Option<DateTime<Utc>>,
    deals: BTreeSet<&'a str>,
    /// Closed deal id -> (first use, event index), at or before its close.
    first_use: BTreeMap<&'a str, (DateTime<Utc>, usize)>,
}

fn kind_slot(kind: ContentEventKind) -> usize {
    match kind {
        ContentEventKind::Share => 0,
        ContentEventKind::View => 1,
        ContentEventKind::Download => 2,
        ContentEventKind::Present => 3,
    }
}

/// Computes the analytics of `assets` from content events and opportunities (docs/content.md,
/// "Analytics"). Errors: duplicate asset or opportunity ids, opportunity stages the pipeline
/// does not know (`validation`, every problem).
pub fn analytics(
    assets: &[&ContentAsset],
    events: &[ContentEvent],
    opportunities: &[Opportunity],
    options: &AnalyticsOptions,
) -> Result<ContentAnalytics> {
    let pipeline = Pipeline::given_or_default(options.pipeline.as_ref());
    let pipeline = &*pipeline;
    let mut problems = Problems::new();
    let mut index: HashMap<&str, usize> = HashMap::with_capacity(assets.len());
    for (i, a) in assets.iter().enumerate() {
        if index.insert(a.id.as_str(), i).is_some() {
            problems.push(
                format!("assets[{i}].id"),
                "duplicate_id",
                format!("asset `{}` is listed twice", a.id),
            );
        }
    }
    let (deals, closed_deals, won_deals) =
        closed_deals(opportunities, options, pipeline, &mut problems);
    problems.into_result(Error::Validation)?;

    let mut tallies: Vec<Tally> = assets.iter().map(|_| Tally::default()).collect();
    let mut unmatched = Unmatched::default();
    let mut unknown_ids = BTreeSet::new();
    for (e_index, e) in events.iter().enumerate() {
        if e.at > options.as_of {
            unmatched.after_as_of += 1;
            continue;
        }
        let Some(&i) = index.get(e.asset_id.as_str()) else {
            unmatched.unknown_asset += 1;
            unknown_ids.insert(e.asset_id.as_str());
            continue;
        };
        let t = &mut tallies[i];
        t.usage[kind_slot(e.kind)] += 1;
        if let Some(a) = &e.account_id {
            t.accounts.insert(a.as_str());
        }
        if let Some(c) = &e.contact_id {
            t.contacts.insert(c.as_str());
        }
        if let Some(r) = &e.rep_id {
            t.reps.insert(r.as_str());
        }
        if e.kind == ContentEventKind::View {
            t.view_seconds += u64::from(e.duration_seconds.unwrap_or(0));
        }
        t.last = t.last.max(Some(e.at));
        if let Some(o) = &e.opportunity_id {
            t.deals.insert(o.as_str());
            match deals.get(o.as_str()) {
                None => unmatched.unknown_opportunity += 1,
                Some(Some(deal)) if e.at <= deal.closed_at => {
                    let first = t.first_use.entry(o.as_str()).or_insert((e.at, e_index));
                    if (e.at, e_index) < *first {
                        *first = (e.at, e_index);
                    }
                }
                Some(_) => {}
            }
        }
    }
    unmatched.unknown_asset_ids = unknown_ids.into_iter().map(str::to_string).collect();

    let as_of_day = options.as_of.date_naive();
    let mut usage = Vec::with_capacity(assets.len());
    let mut influence = Vec::with_capacity(assets.len());
    let mut stale = Vec::new();
    for (asset, t) in assets.iter().zip(&tallies) {
        usage.push(AssetUsage {
            asset_id: asset.id.to_string(),
            shares: t.usage[0],
            views: t.usage[1],
            downloads: t.usage[2],
            presents: t.usage[3],
            unique_reach: t.accounts.len() as u64,
            unique_contacts: t.contacts.len() as u64,
            reps: t.reps.len() as u64,
            view_seconds: t.view_seconds,
            last_used_at: t.last,
            deals_touched: t.deals.len() as u64,
        });

        let (mut used, mut used_won) = (0u64, 0u64);
        let mut per_stage: BTreeMap<String, (u64, u64)> = BTreeMap::new();
        for (deal_id, (first, _)) in &t.first_use {
            let Some(Some(deal)) = deals.get(deal_id) else {
                continue;
            };
            used += 1;
            used_won += u64::from(deal.won);
            let cell = per_stage
                .entry(stage_at(deal.history, *first, pipeline))
                .or_default();
            cell.0 += 1;
            cell.1 += u64::from(deal.won);
        }
        let used_rate = WinRate::wilson(used_won, used, Z_95);
        let not_used = WinRate::wilson(won_deals - used_won, closed_deals - used, Z_95);
        let difference = match (used_rate.win_rate, not_used.win_rate) {
            (Some(a), Some(b)) => Some(a - b),
            _ => None,
        };
        let mut by_stage: Vec<StageInfluence> = per_stage
            .into_iter()
            .map(|(stage, (n, w))| StageInfluence {
                stage,
                rate: WinRate::wilson(w, n, Z_95),
            })
            .collect();
        by_stage.sort_by_cached_key(|s| stage_rank(&s.stage, pipeline));
        influence.push(AssetInfluence {
            asset_id: asset.id.to_string(),
            used: used_rate,
            not_used,
            difference,
            by_stage,
        });

        if asset.status == AssetStatus::Published {
            if let Some(s) = staleness(asset, t.last, options, as_of_day) {
                stale.push(s);
            }
        }
    }
    Ok(ContentAnalytics {
        as_of: options.as_of,
        closed_deals,
        won_deals,
        assets: usage,
        influence,
        stale,
        unmatched,
    })
}

/// Whether a published asset is stale, expiring or expired, and why.
fn staleness(
    asset: &ContentAsset,
    last: Option<DateTime<Utc>>,
    options: &AnalyticsOptions,
    as_of_day: NaiveDate,
) -> Option<StaleAsset> {
    let mut reasons = Vec::new();
    let window = i64::from(options.stale_after_days);
    let days_unused = match last {
        Some(at) => {
            let days = (options.as_of - at).num_days();
            if days > window {
                reasons.push(StaleReason::Unused);
            }
            Some(days)
        }
        None => {
            let days = asset.published_at.map(|p| (as_of_day - p).num_days());
            if days.is_none_or(|d| d > window) {
                reasons.push(StaleReason::NeverUsed);
            }
            days
        }
    };
    if let Some(expires) = asset.expires_at {
        if expires <= as_of_day {
            reasons.push(StaleReason::Expired);
        } else if expires <= as_of_day + Duration::days(i64::from(options.expiring_within_days)) {
            reasons.push(StaleReason::ExpiringSoon);
        }
    }
    (!reasons.is_empty()).then(|| StaleAsset {
        asset_id: asset.id.to_string(),
        reasons,
        last_used_at: last,
        days_unused,
        expires_at: asset.expires_at,
    })
}

impl ContentLibrary {
    /// The analytics of the library's assets (by id) from content events and opportunities
    /// (docs/content.md, "Analytics").
    pub fn analytics(
        &self,
        events: &[ContentEvent],
        opportunities: &[Opportunity],
        options: &AnalyticsOptions,
    ) -> Result<ContentAnalytics> {
        analytics(&self.assets(), events, opportunities, options)
    }

    /// [`ContentLibrary::analytics`] from JSON: `events` and `opportunities` are lists,
    /// `options` an [`AnalyticsOptions`] object. Shape problems are `parse` errors under each
    /// argument's name (`events[1].kind`, `options.as_of`), all of them listed.
    pub fn analytics_json(
        &self,
        events: &Value,
        opportunities: &Value,
        options: &Value,
    ) -> Result<Value> {
        let mut problems = Vec::new();
        let events = collect(list::<ContentEvent>(events, "events"), &mut problems);
        let opportunities = collect(
            list::<Opportunity>(opportunities, "opportunities"),
            &mut problems,
        );
        let options = collect(
            crate::api::parse::<AnalyticsOptions>(options).map_err(|e| e.under("options")),
            &mut problems,
        );
        let (Some(events), Some(opportunities), Some(options)) = (events, opportunities, options)
        else {
            return Err(Error::Parse(problems));
        };
        let report = self.analytics(&events, &opportunities, &options)?;
        Ok(serde_json::to_value(report).expect("analytics serialise"))
    }
}
