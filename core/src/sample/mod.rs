//! Deterministic, seeded, realistic sample data: a whole CRM [`World`] from a seed and sizes.
//!
//! `generate(&SampleOptions { seed: 7, ..Default::default() })` gives reps in teams across time
//! zones, a territory hierarchy, accounts with contacts, leads with engagement events,
//! opportunities with stage histories over the two fiscal years ending at `end_date`, content
//! assets and content events, all referring to each other consistently (the world passes
//! [`World`] validation), plus a routing config and a rule scoring model that fit them.
//!
//! Determinism: the same options give the same world, bit for bit, in every host. There is no
//! clock (everything happens before `end_date` ends), no global RNG and no hash-order iteration;
//! floats only go through IEEE basic arithmetic (see the `rng` module). Each section draws from its own
//! stream of the seed, so that asking for more leads leaves reps, teams, territories and
//! accounts unchanged (and records already generated in a section stay the same when its size
//! grows: record `i` only depends on records before it).
//!
//! Cost is linear in the sizes: no step looks at pairs of records, lists are pre-sized.
//!
//! Adding an option: give [`SampleOptions`] a field with its default in `Default`, list it in
//! [`SampleOptions::sizes`] if it is a count, and add a section (with its own `rng::Stream`).

mod content;
mod crm;
mod deals;
mod names;
mod org;
mod rng;
mod scoring;

use crate::error::{Error, Problems, Result};
use crate::model::validate::World;
use crate::model::Pipeline;
use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
pub use scoring::scoring_model;

/// The most records of one kind [`generate_json`] accepts.
pub const MAX_SIZE: usize = 1_000_000;
/// The most records in all [`generate_json`] accepts (engagement events included).
pub const MAX_TOTAL: usize = 5_000_000;
/// The most engagement events per lead on average [`generate_json`] accepts.
pub const MAX_EVENTS_PER_LEAD: f64 = 100.0;

/// How much of each thing to generate, and from which seed. Every key is optional:
/// `{"seed": 42, "leads": 5000}` keeps the other defaults. Unknown keys are an error.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct SampleOptions {
    /// Same seed, same world (default 7).
    pub seed: u64,
    /// Sales reps, in `teams` teams; the first rep of each team is its manager (default 24).
    pub reps: usize,
    /// Teams, by region in turn: NA East, NA West, EMEA, APAC, then segments of each (default 4).
    pub teams: usize,
    /// Territories: world regions, then sub-regions, enterprise segments, states and countries,
    /// then postal-code bands (default 12).
    pub territories: usize,
    /// Companies (default 200).
    pub accounts: usize,
    /// People at the accounts (default 600).
    pub contacts: usize,
    /// Inbound and outbound leads over the two years (default 1000).
    pub leads: usize,
    /// Deals over the two years (default 800).
    pub opportunities: usize,
    /// Content assets (default 60).
    pub content: usize,
    /// Engagement events per lead on average, when `events` is not given (default 5).
    pub events_per_lead: f64,
    /// Engagement events in all; overrides `events_per_lead` when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events: Option<usize>,
    /// Shares, views, downloads and presentations of content (default 2000).
    pub content_events: usize,
    /// The last day of the data: it covers the two fiscal years ending that day, which also
    /// serves as "today" (open deals close after it). Default 2026-06-30.
    pub end_date: NaiveDate,
}

impl Default for SampleOptions {
    fn default() -> Self {
        SampleOptions {
            seed: 7,
            reps: 24,
            teams: 4,
            territories: 12,
            accounts: 200,
            contacts: 600,
            leads: 1000,
            opportunities: 800,
            content: 60,
            events_per_lead: 5.0,
            events: None,
            content_events: 2000,
            end_date: NaiveDate::from_ymd_opt(2026, 6, 30).expect("a valid date"),
        }
    }
}

/// The earliest and latest `end_date` accepted.
fn end_date_bounds() -> (NaiveDate, NaiveDate) {
    (
        NaiveDate::from_ymd_opt(1900, 1, 1).expect("a valid date"),
        NaiveDate::from_ymd_opt(9999, 12, 31).expect("a valid date"),
    )
}

impl SampleOptions {
    /// How many engagement events these options ask for: `events`, or `leads × events_per_lead`
    /// rounded (a negative or NaN rate counts as 0, a huge one is capped).
    pub fn event_count(&self) -> usize {
        if let Some(n) = self.events {
            return n;
        }
        let rate = if self.events_per_lead.is_nan() {
            0.0
        } else {
            self.events_per_lead.clamp(0.0, MAX_EVENTS_PER_LEAD)
        };
        (self.leads as f64 * rate).round() as usize
    }

    /// Every count option by name, in wire order.
    pub fn sizes(&self) -> Vec<(&'static str, usize)> {
        let mut sizes = vec![
            ("reps", self.reps),
            ("teams", self.teams),
            ("territories", self.territories),
            ("accounts", self.accounts),
            ("contacts", self.contacts),
            ("leads", self.leads),
            ("opportunities", self.opportunities),
            ("content", self.content),
        ];
        if let Some(n) = self.events {
            sizes.push(("events", n));
        }
        sizes.push(("content_events", self.content_events));
        sizes
    }

    /// Checks the limits [`generate_json`] enforces: each size at most [`MAX_SIZE`], all
    /// records together at most [`MAX_TOTAL`], `events_per_lead` a number from 0 to
    /// [`MAX_EVENTS_PER_LEAD`], `end_date` in years 1900 to 9999. Every problem is reported
    /// (`Error::Validation`, codes `too_large`, `invalid_value`, `out_of_range`).
    pub fn check(&self) -> Result<()> {
        let mut out = Problems::new();
        for (name, n) in self.sizes() {
            if n > MAX_SIZE {
                out.push(
                    name,
                    "too_large",
                    format!("{name} is {n}; at most {MAX_SIZE} can be generated"),
                );
            }
        }
        if self.events.is_none() {
            let rate = self.events_per_lead;
            if !rate.is_finite() || rate < 0.0 {
                out.push(
                    "events_per_lead",
                    "invalid_value",
                    format!("events_per_lead must be a number from 0, got {rate}"),
                );
            } else if rate > MAX_EVENTS_PER_LEAD {
                out.push(
                    "events_per_lead",
                    "too_large",
                    format!("events_per_lead is {rate}; at most {MAX_EVENTS_PER_LEAD}"),
                );
            }
        }
        let mut total: usize = self
            .sizes()
            .iter()
            .map(|(_, n)| *n)
            .fold(0, usize::saturating_add);
        if self.events.is_none() {
            total = total.saturating_add(self.event_count());
        }
        if total > MAX_TOTAL {
            out.push(
                "",
                "too_large",
                format!(
                    "{total} records in all (engagement events included); at most {MAX_TOTAL} can be generated"
                ),
            );
        }
        let (lo, hi) = end_date_bounds();
        if self.end_date < lo || self.end_date > hi {
            out.push(
                "end_date",
                "out_of_range",
                format!("end_date must be from {lo} to {hi}, got {}", self.end_date),
            );
        }
        out.into_result(Error::Validation)
    }
}

/// Generates the world the options describe. Sizes are not limited here (see
/// [`SampleOptions::check`]); an `end_date` outside years 1900 to 9999 is moved into them.
pub fn generate(options: &SampleOptions) -> World {
    let clock = Clock::new(options.end_date);
    let pipeline = Pipeline::default_pipeline();
    let org = org::generate(options, &clock);
    let accounts = crm::accounts(options, &clock, &org);
    let contacts = crm::contacts(options, &clock, &accounts);
    let leads = crm::leads(options, &clock, &org, &accounts);
    let events = crm::events(options, &clock, &leads);
    let opportunities = deals::generate(
        options, &clock, &org, &accounts, &contacts, &leads, &pipeline,
    );
    let content = content::assets(options, &clock, &org, &pipeline);
    let content_events = content::events(
        options,
        &clock,
        &org,
        &contacts,
        &opportunities,
        &content,
        &pipeline,
    );
    let mut world = World {
        reps: org.reps,
        teams: org.teams,
        territories: org.territories,
        accounts: accounts.list,
        contacts: contacts.list,
        leads: leads.list,
        opportunities: opportunities.list,
        pipeline,
        content: content.list,
        events,
        content_events,
        routing_config: None,
        scoring_model: None,
    };
    let routing = serde_json::from_value(routing_config(&world))
        .expect("the sample routing config is a valid routing config");
    world.routing_config = Some(routing);
    let scoring = serde_json::from_value(scoring_model())
        .expect("the sample scoring model is a scoring model");
    world.scoring_model = Some(scoring);
    world
}

/// `options` as JSON (`{"seed": 7, "leads": 100, ...}`); unknown keys are an error.
///
/// Fails with a `parse` error (unknown key, wrong type, negative size; with the key's path) or a
/// `validation` error (a size above the limits, code `too_large`; see [`SampleOptions::check`]).
pub fn generate_json(options: &serde_json::Value) -> Result<serde_json::Value> {
    // serde would also read a struct from a list (`[7, 24]`): only an object is options.
    if !options.is_object() {
        return Err(Error::parse(
            "",
            "invalid_type",
            "sample options must be an object",
        ));
    }
    let options: SampleOptions = crate::api::parse(options)?;
    options.check()?;
    Ok(serde_json::to_value(generate(&options)).expect("worlds serialise"))
}

/// A routing config (docs/routing.md) that fits a sample world: one pool per territory with
/// reps (round robin over its `rep_ids`), territories without reps folded into their children
/// (their conditions joined in, their children re-parented), and the rules "students to the
/// nurture queue", "territories", then a catch-all inbound pool of the active SDRs and BDRs.
pub fn routing_config(world: &World) -> serde_json::Value {
    use serde_json::{json, Value};
    use std::collections::HashMap;
    let index: HashMap<&str, usize> = world
        .territories
        .iter()
        .enumerate()
        .map(|(i, t)| (t.id.0.as_str(), i))
        .collect();
    let mut pools = Vec::new();
    let mut territories = Vec::new();
    for t in &world.territories {
        if t.rep_ids.is_empty() {
            continue;
        }
        // Conditions of skipped ancestors up to the nearest kept one.
        let mut conditions: Vec<Value> = Vec::new();
        let mut parent = t.parent_id.as_ref();
        let mut hops = 0;
        while let Some(p) = parent {
            let Some(&pi) = index.get(p.0.as_str()) else {
                parent = None;
                break;
            };
            let pt = &world.territories[pi];
            if !pt.rep_ids.is_empty() || hops > world.territories.len() {
                break;
            }
            if let Some(c) = &pt.condition {
                conditions.insert(0, c.to_json());
            }
            parent = pt.parent_id.as_ref();
            hops += 1;
        }
        if let Some(c) = &t.condition {
            conditions.push(c.to_json());
        }
        let pool_id = format!("pool-{}", t.id.0);
        pools.push(json!({
            "id": pool_id,
            "strategy": "round_robin",
            "members": t.rep_ids.iter().map(|r| json!({"rep_id": r.0})).collect::<Vec<_>>(),
        }));
        let mut territory =
            json!({"id": t.id.0, "name": t.name, "priority": t.priority, "pool": pool_id});
        if let Some(p) = parent {
            territory["parent_id"] = json!(p.0);
        }
        match conditions.len() {
            0 => {}
            1 => territory["condition"] = conditions.pop().expect("one condition"),
            _ => territory["condition"] = json!({"all": conditions}),
        }
        territories.push(territory);
    }
    let sdrs: Vec<Value> = world
        .reps
        .iter()
        .filter(|r| {
            r.active
                && matches!(
                    r.role,
                    crate::model::RepRole::Sdr | crate::model::RepRole::Bdr
                )
        })
        .map(|r| json!({"rep_id": r.id.0}))
        .collect();
    let mut rules = vec![
        json!({"id": "students", "condition": {"field": "email", "ends_with": ".edu"}, "target": {"queue": "nurture"}}),
        json!({"id": "territories", "target": "territories"}),
    ];
    if !sdrs.is_empty() {
        // The territories rule catches everything; inbound leads reach the SDRs only when no
        // territory fits, through this rule's place in the fallback order.
        rules[1]["condition"] = json!({"exists": true, "field": "country"});
        rules.push(json!({"id": "inbound", "target": {"pool": "inbound"}}));
        pools.push(json!({"id": "inbound", "strategy": "round_robin", "members": sdrs}));
    }
    json!({
        "version": 1,
        "rules": rules,
        "territories": territories,
        "pools": pools,
        "fallback_queue": "unassigned",
        "sla": {"first_touch_minutes": 30},
    })
}

// ---------------------------------------------------------------------------------------------
// Time: instants are i64 seconds since the Unix epoch (UTC) while generating.

pub(crate) const HOUR: i64 = 3_600;
pub(crate) const DAY: i64 = 86_400;

/// The stretch of time the data covers.
pub(crate) struct Clock {
    /// The first day of the first fiscal year (the day after `end_date` two years before).
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    /// `start_date` at midnight UTC.
    pub start: i64,
    /// The midnight UTC ending `end_date`: every generated instant is before it.
    pub now: i64,
}

impl Clock {
    fn new(end_date: NaiveDate) -> Clock {
        let (lo, hi) = end_date_bounds();
        let end_date = end_date.clamp(lo, hi);
        let start_date = end_date
            .checked_sub_months(Months::new(24))
            .and_then(|d| d.succ_opt())
            .expect("dates in range");
        Clock {
            start_date,
            end_date,
            start: midnight(start_date),
            now: midnight(end_date) + DAY,
        }
    }

    /// The eight fiscal quarters of the two years, first and last day of each.
    pub fn quarters(&self) -> Vec<(NaiveDate, NaiveDate)> {
        (0..8)
            .map(|q| {
                let first = self
                    .start_date
                    .checked_add_months(Months::new(3 * q))
                    .expect("dates in range");
                let next = self
                    .start_date
                    .checked_add_months(Months::new(3 * (q + 1)))
                    .expect("dates in range");
                let last = if q == 7 {
                    self.end_date
                } else {
                    next.pred_opt().expect("dates in range")
                };
                (first, last)
            })
            .collect()
    }

    /// A moment in the two years, more of them towards the end (the business grows).
    pub fn growing_instant(&self, rng: &mut rng::Rng) -> i64 {
        let mut u = rng.unit();
        if rng.chance(0.4) {
            u = u.sqrt();
        }
        self.start + ((self.now - self.start) as f64 * u) as i64
    }
}

/// Midnight UTC at the start of `date`, in seconds.
pub(crate) fn midnight(date: NaiveDate) -> i64 {
    i64::from(date.num_days_from_ce() - 719_163) * DAY
}

/// The UTC date of an instant.
pub(crate) fn date_of(secs: i64) -> NaiveDate {
    instant(secs).date_naive()
}

/// An instant as a chrono value.
pub(crate) fn instant(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).expect("instants in range")
}

/// A moment during local working hours (08:00 to 18:00 at UTC offset `offset_h`) of the local
/// day `secs` falls on, moved off weekends to the following Monday.
pub(crate) fn working_time(rng: &mut rng::Rng, secs: i64, offset_h: i64) -> i64 {
    let off = offset_h * HOUR;
    let mut day = (secs + off).div_euclid(DAY);
    match (day + 3).rem_euclid(7) {
        5 => day += 2,
        6 => day += 1,
        _ => {}
    }
    day * DAY + rng.range(8 * HOUR, 18 * HOUR) - off
}

/// `prefix-000042`: ids keep their number when sizes grow (`width` is a minimum).
pub(crate) fn id(prefix: &str, width: usize, index: usize) -> String {
    format!("{prefix}-{:0width$}", index + 1)
}

/// A URL path segment from a title: lower case, words joined by `-`, at most 60 characters.
pub(crate) fn url_slug(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split(|c: char| !c.is_alphanumeric()) {
        let w = names::ascii_slug(word);
        if w.is_empty() {
            continue;
        }
        if out.len() + w.len() + 1 > 60 {
            break;
        }
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(&w);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_covers_two_fiscal_years() {
        let c = Clock::new(NaiveDate::from_ymd_opt(2026, 6, 30).unwrap());
        assert_eq!(c.start_date, NaiveDate::from_ymd_opt(2024, 7, 1).unwrap());
        assert_eq!(instant(c.now).to_rfc3339(), "2026-07-01T00:00:00+00:00");
        let q = c.quarters();
        assert_eq!(q[0].0, c.start_date);
        assert_eq!(q[0].1, NaiveDate::from_ymd_opt(2024, 9, 30).unwrap());
        assert_eq!(q[7].1, c.end_date);
        for w in q.windows(2) {
            assert_eq!(w[0].1.succ_opt().unwrap(), w[1].0);
        }
        let leap = Clock::new(NaiveDate::from_ymd_opt(2026, 2, 28).unwrap());
        assert_eq!(
            leap.start_date,
            NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()
        );
    }

    #[test]
    fn working_time_skips_weekends() {
        let mut r = rng::Rng::new(1, rng::Stream::Reps);
        // 2026-06-27 is a Saturday.
        let sat = midnight(NaiveDate::from_ymd_opt(2026, 6, 27).unwrap()) + 12 * HOUR;
        for off in [-8, -5, 0, 1, 8, 10] {
            let t = working_time(&mut r, sat, off);
            let local = instant(t + off * HOUR);
            assert_eq!(
                local.date_naive(),
                NaiveDate::from_ymd_opt(2026, 6, 29).unwrap()
            );
        }
    }

    #[test]
    fn options_limits() {
        assert!(SampleOptions::default().check().is_ok());
        let o = SampleOptions {
            leads: 2_000_000,
            ..Default::default()
        };
        let e = o.check().unwrap_err();
        assert_eq!(e.code(), "validation");
        assert!(e
            .problems()
            .iter()
            .any(|p| p.path == "leads" && p.code == "too_large"));
        let o = SampleOptions {
            events_per_lead: f64::NAN,
            ..Default::default()
        };
        assert_eq!(o.check().unwrap_err().problems()[0].path, "events_per_lead");
        assert_eq!(o.event_count(), 0);
    }

    #[test]
    fn slugs() {
        assert_eq!(
            url_slug("Case study: how Müller AG cut churn by 40%"),
            "case-study-how-mueller-ag-cut-churn-by-40"
        );
    }
}
