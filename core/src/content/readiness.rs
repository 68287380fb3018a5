//! Rep readiness (docs/content.md, "Readiness"): training programs with modules and
//! certifications per role, what each rep completed, a readiness score per rep, and onboarding
//! ramp (days from the start date to the first won deal and to a share of the first quota).
//!
//! Computed as of an instant the caller gives (no clock is read). Completions that name an
//! unknown rep, program or item, that failed, or that come after `as_of` are counted in
//! `unmatched`, never dropped silently.

use super::analytics::close_instant;
use crate::error::{Error, Problems, Result};
use crate::kpi::coaching::{coaching_flags, CoachingFlag, CoachingRequest};
use crate::model::read::{collect, list};
use crate::model::{Currency, Money, Opportunity, Pipeline, Rep, RepRole, StageKind};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{HashMap, HashSet};

fn yes() -> bool {
    true
}
fn one() -> f64 {
    1.0
}

/// A unit of training: `{"id": "m1", "title": "Discovery calls", "weight": 2, "due_days": 30}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TrainingModule {
    pub id: String,
    pub title: String,
    /// Optional modules count for nothing in the score.
    #[serde(default = "yes")]
    pub required: bool,
    /// Its share of the score, > 0.
    #[serde(default = "one")]
    pub weight: f64,
    /// Due this many days after the rep's start date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_days: Option<u32>,
    /// The content asset that teaches it, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asset_id: Option<String>,
}

/// A certification a rep must hold: `{"id": "c1", "name": "Product", "valid_days": 365}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Certification {
    pub id: String,
    pub name: String,
    /// The roles that must hold it; empty: every role the program is for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<RepRole>,
    /// A pass is valid this many days; absent: for ever.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_days: Option<u32>,
    /// Its share of the score, > 0.
    #[serde(default = "one")]
    pub weight: f64,
}

/// A training program: modules and certifications for some roles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TrainingProgram {
    pub id: String,
    pub name: String,
    /// The roles it is for; empty: every role.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<RepRole>,
    #[serde(default)]
    pub modules: Vec<TrainingModule>,
    #[serde(default)]
    pub certifications: Vec<Certification>,
}

/// A rep finished a module or passed (or failed) a certification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Completion {
    pub rep_id: String,
    pub program_id: String,
    /// A module or certification id of the program.
    pub item_id: String,
    pub completed_at: DateTime<Utc>,
    /// A failed attempt counts for nothing.
    #[serde(default = "yes")]
    pub passed: bool,
}

fn default_share() -> f64 {
    1.0
}

/// `{"as_of": "2026-07-01T00:00:00Z", "ramp_quota_share": 0.5, "pipeline": {...}}`; only
/// `as_of` is required.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReadinessOptions {
    pub as_of: DateTime<Utc>,
    /// The share of the first quota whose won amount ends the ramp, in (0, 10]; default 1.
    #[serde(default = "default_share")]
    pub ramp_quota_share: f64,
    /// Which stages are won (default: the stock pipeline).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pipeline: Option<Pipeline>,
    /// When given, each rep also carries their KPI coaching flags (docs/kpis.md, "Coaching")
    /// from the opportunities, as of `as_of`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coaching: Option<CoachingOptions>,
}

/// Which coaching flags readiness joins: `{"metrics": ["win_rate"], "min_closed_deals": 5,
/// "percentile": 25}` (docs/kpis.md, "Coaching").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CoachingOptions {
    pub metrics: Vec<String>,
    #[serde(default = "crate::kpi::coaching::five")]
    pub min_closed_deals: u64,
    #[serde(default = "crate::kpi::coaching::quartile")]
    pub percentile: f64,
}

/// What an item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    Module,
    Certification,
}

/// Why a required item does not count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MissingReason {
    NotCompleted,
    /// A certification whose last pass is no longer valid.
    Expired,
}

/// A required item a rep does not have.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MissingItem {
    pub program_id: String,
    pub item_id: String,
    pub kind: ItemKind,
    pub reason: MissingReason,
    /// Modules with `due_days` and a rep with a start date.
    pub due_on: Option<NaiveDate>,
    /// `due_on` is before the day of `as_of`.
    pub overdue: bool,
    /// Expired certifications: the day the last pass stopped being valid.
    pub expired_on: Option<NaiveDate>,
}

/// A rep's onboarding ramp.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Ramp {
    pub start_date: Option<NaiveDate>,
    /// Won deals owned by the rep, closed on or after the start date and by `as_of`.
    pub won_deals: u64,
    pub first_win_on: Option<NaiveDate>,
    pub days_to_first_win: Option<i64>,
    /// `ramp_quota_share` times the quota in force on the start date (else the first one
    /// after it), rounded up to the currency's minor unit.
    pub quota_target: Option<Money>,
    /// The won amount in the quota's currency.
    pub won_amount: Option<Money>,
    /// Won deals in another currency than the quota's: not added.
    pub other_currency_deals: u64,
    pub quota_share_reached_on: Option<NaiveDate>,
    pub days_to_quota_share: Option<i64>,
}

/// One rep's readiness.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RepReadiness {
    pub rep_id: String,
    pub role: RepRole,
    /// `100 * done weight / required weight`; `null` when nothing is required of the role.
    pub score: Option<f64>,
    pub required: u64,
    pub completed: u64,
    /// In program order, then item order (modules before certifications).
    pub missing: Vec<MissingItem>,
    pub ramp: Ramp,
    /// The rep's coaching flags, when `options.coaching` asks for them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coaching_flags: Option<Vec<CoachingFlag>>,
}

/// Completions that could not be used, counted.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct UnmatchedCompletions {
    pub unknown_rep: u64,
    pub unknown_program: u64,
    /// The program exists but has no such module or certification.
    pub unknown_item: u64,
    pub failed: u64,
    pub after_as_of: u64,
}

/// The readiness report: one entry per rep, in the order given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ReadinessReport {
    pub as_of: DateTime<Utc>,
    pub reps: Vec<RepReadiness>,
    pub unmatched: UnmatchedCompletions,
}

fn check_programs(programs: &[TrainingProgram], out: &mut Problems) {
    let mut ids = HashSet::new();
    for (i, p) in programs.iter().enumerate() {
        let at = format!("programs[{i}]");
        if p.id.is_empty() {
            out.push(format!("{at}.id"), "invalid_value", "a program needs an id");
        } else if !ids.insert(p.id.as_str()) {
            out.push(
                format!("{at}.id"),
                "duplicate_id",
                format!("program `{}` is listed twice", p.id),
            );
        }
        let mut items = HashSet::new();
        let entries =
            p.modules
                .iter()
                .enumerate()
                .map(|(j, m)| (format!("{at}.modules[{j}]"), m.id.as_str(), m.weight))
                .chain(
                    p.certifications.iter().enumerate().map(|(j, c)| {
                        (format!("{at}.certifications[{j}]"), c.id.as_str(), c.weight)
                    }),
                );
        for (path, id, weight) in entries {
            if id.is_empty() {
                out.push(format!("{path}.id"), "invalid_value", "an item needs an id");
            } else if !items.insert(id) {
                out.push(
                    format!("{path}.id"),
                    "duplicate_id",
                    format!("item `{id}` is listed twice in program `{}`", p.id),
                );
            }
            if !(weight.is_finite() && weight > 0.0) {
                out.push(
                    format!("{path}.weight"),
                    "invalid_value",
                    "a weight must be a finite number > 0",
                );
            }
        }
    }
}

/// A won deal: when it closed, its id, its amount.
type Win<'a> = (DateTime<Utc>, &'a str, Option<&'a Money>);

/// A rep's passes by (program, item): the latest pass at or before `as_of`.
type Passes<'a> = HashMap<(&'a str, &'a str), DateTime<Utc>>;

/// Computes each rep's readiness and ramp (docs/content.md, "Readiness"). Errors
/// (`invalid_config`): duplicate or empty program and item ids, weights that are not > 0, a
/// `ramp_quota_share` outside (0, 10]; (`validation`) opportunity stages the pipeline does not
/// know, duplicate rep ids.
pub fn readiness(
    programs: &[TrainingProgram],
    reps: &[Rep],
    completions: &[Completion],
    opportunities: &[Opportunity],
    options: &ReadinessOptions,
) -> Result<ReadinessReport> {
    let mut config = Problems::new();
    check_programs(programs, &mut config);
    let share = options.ramp_quota_share;
    if !(share.is_finite() && share > 0.0 && share <= 10.0) {
        config.push(
            "options.ramp_quota_share",
            "invalid_value",
            "the ramp's quota share must be in (0, 10]",
        );
    }
    config.into_result(Error::InvalidConfig)?;

    let pipeline = Pipeline::given_or_default(options.pipeline.as_ref());
    let pipeline = &*pipeline;
    let mut problems = Problems::new();
    let mut rep_index: HashMap<&str, usize> = HashMap::new();
    for (i, r) in reps.iter().enumerate() {
        if rep_index.insert(r.id.as_str(), i).is_some() {
            problems.push(
                format!("reps[{i}].id"),
                "duplicate_id",
                format!("rep `{}` is listed twice", r.id),
            );
        }
    }
    // Won deals per owner: (close instant, id, amount).
    let mut wins: HashMap<&str, Vec<Win>> = HashMap::new();
    for (i, o) in opportunities.iter().enumerate() {
        let Some(stage) = pipeline.stage(&o.stage) else {
            problems.push(
                format!("opportunities[{i}].stage"),
                "unknown_stage",
                format!("stage `{}` is not in the pipeline", o.stage),
            );
            continue;
        };
        if stage.kind != StageKind::Won {
            continue;
        }
        let (Some(owner), Some(at)) = (&o.owner_id, close_instant(o, pipeline)) else {
            continue;
        };
        if at <= options.as_of {
            wins.entry(owner.as_str())
                .or_default()
                .push((at, o.id.as_str(), o.amount.as_ref()));
        }
    }
    problems.into_result(Error::Validation)?;

    let program_index: HashMap<&str, &TrainingProgram> =
        programs.iter().map(|p| (p.id.as_str(), p)).collect();
    let mut unmatched = UnmatchedCompletions::default();
    let mut passes: Vec<Passes> = vec![HashMap::new(); reps.len()];
    for c in completions {
        let Some(&r) = rep_index.get(c.rep_id.as_str()) else {
            unmatched.unknown_rep += 1;
            continue;
        };
        let Some(p) = program_index.get(c.program_id.as_str()) else {
            unmatched.unknown_program += 1;
            continue;
        };
        let known = p.modules.iter().any(|m| m.id == c.item_id)
            || p.certifications.iter().any(|x| x.id == c.item_id);
        if !known {
            unmatched.unknown_item += 1;
        } else if !c.passed {
            unmatched.failed += 1;
        } else if c.completed_at > options.as_of {
            unmatched.after_as_of += 1;
        } else {
            let latest = passes[r]
                .entry((c.program_id.as_str(), c.item_id.as_str()))
                .or_insert(c.completed_at);
            *latest = (*latest).max(c.completed_at);
        }
    }

    let flags = match &options.coaching {
        None => None,
        Some(c) => {
            let request = CoachingRequest {
                metrics: c.metrics.clone(),
                min_closed_deals: c.min_closed_deals,
                percentile: c.percentile,
                as_of: Some(options.as_of),
                pipeline: options.pipeline.clone(),
            };
            // The request's own problems sit under `options.coaching`; the deals' keep their
            // paths (`opportunities[2].amount.currency`).
            Some(
                coaching_flags(opportunities, &request).map_err(|e| match e {
                    Error::InvalidConfig(_) => e.under("options.coaching"),
                    other => other,
                })?,
            )
        }
    };
    let flags_of = |rep: &str| {
        flags.as_ref().map(|c| {
            c.flags
                .iter()
                .filter(|f| f.rep_id == rep)
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    let today = options.as_of.date_naive();
    let out = reps
        .iter()
        .zip(&passes)
        .map(|(rep, passes)| {
            let r = requirements(rep, programs, passes, options.as_of, today);
            RepReadiness {
                rep_id: rep.id.to_string(),
                role: rep.role,
                score: r.score,
                required: r.required,
                completed: r.completed,
                missing: r.missing,
                ramp: ramp(rep, wins.get(rep.id.as_str()), share),
                coaching_flags: flags_of(rep.id.as_str()),
            }
        })
        .collect();
    Ok(ReadinessReport {
        as_of: options.as_of,
        reps: out,
        unmatched,
    })
}

/// What the programs require of one rep and what they have.
struct Requirements {
    score: Option<f64>,
    required: u64,
    completed: u64,
    missing: Vec<MissingItem>,
}

/// The score, counts and missing items of one rep.
fn requirements(
    rep: &Rep,
    programs: &[TrainingProgram],
    passes: &Passes<'_>,
    as_of: DateTime<Utc>,
    today: NaiveDate,
) -> Requirements {
    let (mut required_weight, mut done_weight) = (0.0, 0.0);
    let (mut required, mut completed) = (0u64, 0u64);
    let mut missing = Vec::new();
    for p in programs {
        if !(p.roles.is_empty() || p.roles.contains(&rep.role)) {
            continue;
        }
        for m in p.modules.iter().filter(|m| m.required) {
            required += 1;
            required_weight += m.weight;
            if passes.contains_key(&(p.id.as_str(), m.id.as_str())) {
                completed += 1;
                done_weight += m.weight;
            } else {
                let due_on = match (rep.start_date, m.due_days) {
                    (Some(start), Some(days)) => Some(start + Duration::days(i64::from(days))),
                    _ => None,
                };
                missing.push(MissingItem {
                    program_id: p.id.clone(),
                    item_id: m.id.clone(),
                    kind: ItemKind::Module,
                    reason: MissingReason::NotCompleted,
                    due_on,
                    overdue: due_on.is_some_and(|d| d < today),
                    expired_on: None,
                });
            }
        }
        for c in &p.certifications {
            if !(c.roles.is_empty() || c.roles.contains(&rep.role)) {
                continue;
            }
            required += 1;
            required_weight += c.weight;
            let pass = passes.get(&(p.id.as_str(), c.id.as_str()));
            let expires = match (pass, c.valid_days) {
                (Some(at), Some(days)) => Some(*at + Duration::days(i64::from(days))),
                _ => None,
            };
            let reason = match (pass, expires) {
                (None, _) => Some(MissingReason::NotCompleted),
                (Some(_), Some(end)) if end <= as_of => Some(MissingReason::Expired),
                _ => None,
            };
            match reason {
                None => {
                    completed += 1;
                    done_weight += c.weight;
                }
                Some(reason) => missing.push(MissingItem {
                    program_id: p.id.clone(),
                    item_id: c.id.clone(),
                    kind: ItemKind::Certification,
                    reason,
                    due_on: None,
                    overdue: false,
                    expired_on: (reason == MissingReason::Expired)
                        .then(|| expires.map(|e| e.date_naive()))
                        .flatten(),
                }),
            }
        }
    }
    Requirements {
        score: (required_weight > 0.0).then(|| 100.0 * done_weight / required_weight),
        required,
        completed,
        missing,
    }
}

impl Ramp {
    fn empty(start_date: Option<NaiveDate>) -> Ramp {
        Ramp {
            start_date,
            won_deals: 0,
            first_win_on: None,
            days_to_first_win: None,
            quota_target: None,
            won_amount: None,
            other_currency_deals: 0,
            quota_share_reached_on: None,
            days_to_quota_share: None,
        }
    }
}

/// A rep's ramp from their won deals (close instant, id, amount), closed by `as_of`.
fn ramp(rep: &Rep, wins: Option<&Vec<Win>>, share: f64) -> Ramp {
    let Some(start) = rep.start_date else {
        return Ramp::empty(None);
    };
    let mut wins: Vec<_> = wins
        .map(|w| {
            w.iter()
                .filter(|(at, _, _)| at.date_naive() >= start)
                .collect()
        })
        .unwrap_or_default();
    wins.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    let mut out = Ramp::empty(Some(start));
    out.won_deals = wins.len() as u64;
    out.first_win_on = wins.first().map(|w| w.0.date_naive());
    out.days_to_first_win = out.first_win_on.map(|d| (d - start).num_days());

    let quota = rep
        .quotas
        .iter()
        .filter(|q| q.start <= start && start <= q.end)
        .min_by_key(|q| q.start)
        .or_else(|| {
            rep.quotas
                .iter()
                .filter(|q| q.start > start)
                .min_by_key(|q| q.start)
        });
    let Some(quota) = quota else {
        return out;
    };
    let currency: Currency = quota.amount.currency();
    let target_minor = (share * quota.amount.minor_units() as f64).ceil() as i64;
    let mut sum: i64 = 0;
    for (at, _, amount) in &wins {
        match amount {
            Some(m) if m.currency() != currency => out.other_currency_deals += 1,
            Some(m) => {
                sum = sum.saturating_add(m.minor_units());
                if sum >= target_minor && out.quota_share_reached_on.is_none() {
                    let day = at.date_naive();
                    out.quota_share_reached_on = Some(day);
                    out.days_to_quota_share = Some((day - start).num_days());
                }
            }
            None => {}
        }
    }
    out.quota_target = Money::from_minor(target_minor, currency).ok();
    out.won_amount = Money::from_minor(sum, currency).ok();
    out
}

/// [`readiness`] from JSON: `programs`, `reps`, `completions` and `opportunities` are lists,
/// `options` a [`ReadinessOptions`] object. Shape problems are `parse` errors under each
/// argument's name.
pub fn readiness_json(
    programs: &Value,
    reps: &Value,
    completions: &Value,
    opportunities: &Value,
    options: &Value,
) -> Result<Value> {
    let mut problems = Vec::new();
    let programs = collect(list::<TrainingProgram>(programs, "programs"), &mut problems);
    let reps = collect(list::<Rep>(reps, "reps"), &mut problems);
    let completions = collect(
        list::<Completion>(completions, "completions"),
        &mut problems,
    );
    let opportunities = collect(
        list::<Opportunity>(opportunities, "opportunities"),
        &mut problems,
    );
    let options = collect(
        crate::api::parse::<ReadinessOptions>(options).map_err(|e| e.under("options")),
        &mut problems,
    );
    let (Some(programs), Some(reps), Some(completions), Some(opportunities), Some(options)) =
        (programs, reps, completions, opportunities, options)
    else {
        return Err(Error::Parse(problems));
    };
    let report = readiness(&programs, &reps, &completions, &opportunities, &options)?;
    Ok(serde_json::to_value(report).expect("readiness serialises"))
}
