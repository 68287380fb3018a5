//! Opportunities: each deal is played forward from its creation through the pipeline's open
//! stages (a dwell time in each, a chance to be lost at each, now and then a step back) until
//! won or lost; what happened before `end_date` ends is its history, the rest is its future
//! (open deals keep the projected close as their close date).

use super::crm::{company_base, usd, Accounts, Contacts, Leads};
use super::names::{DEAL_TYPES, LOST_REASONS, PRODUCTS};
use super::org::{Org, Pool, Region};
use super::rng::{Rng, Stream};
use super::{date_of, id, instant, working_time, Clock, SampleOptions, DAY, HOUR};
use crate::model::{
    Attributes, Opportunity, OpportunityId, Pipeline, RepRole, StageChange, StageKind,
};
use serde_json::Value;
use std::borrow::Cow;

/// Chance of losing the deal in each open stage, in order.
const LOSS: [f64; 5] = [0.25, 0.28, 0.22, 0.2, 0.15];
/// Mean days in each open stage for a mid-market deal.
const DWELL: [f64; 5] = [6.0, 10.0, 14.0, 12.0, 9.0];
/// Typical deal size by account tier (smb, mid-market, enterprise, strategic), USD.
const MEDIAN_AMOUNT: [f64; 4] = [12_000.0, 25_000.0, 60_000.0, 120_000.0];
/// Bigger customers take longer to decide.
const PACE: [f64; 4] = [0.7, 1.0, 1.4, 1.8];
/// Where deals come from, with weights.
const SOURCES: &[(&str, u32)] = &[
    ("outbound", 30),
    ("web", 20),
    ("partner", 12),
    ("referral", 10),
    ("event", 10),
    ("paid_search", 10),
    ("webinar", 8),
];

/// What the content events need to know about a deal.
pub struct DealMeta {
    pub account: Option<u32>,
    pub owner: Option<u32>,
    pub created: i64,
    /// When it closed, or the end of the data for open deals.
    pub end: i64,
    pub lost: bool,
}

pub struct Deals {
    pub list: Vec<Opportunity>,
    pub meta: Vec<DealMeta>,
}

/// Converted leads grouped by account, each group in order of conversion.
struct Converted {
    offsets: Vec<usize>,
    items: Vec<(i64, u32)>,
}

impl Converted {
    fn new(leads: &Leads, accounts: usize) -> Converted {
        let mut rows: Vec<(u32, i64, u32)> = leads
            .list
            .iter()
            .zip(&leads.known_account)
            .enumerate()
            .filter_map(|(i, (lead, a))| {
                let t = lead.converted_at?.timestamp();
                lead.account_id.as_ref()?;
                Some(((*a)?, t, i as u32))
            })
            .collect();
        rows.sort_unstable();
        let mut offsets = vec![0usize; accounts + 1];
        for (a, _, _) in &rows {
            offsets[*a as usize + 1] += 1;
        }
        for a in 0..accounts {
            offsets[a + 1] += offsets[a];
        }
        Converted {
            offsets,
            items: rows.into_iter().map(|(_, t, i)| (t, i)).collect(),
        }
    }

    /// The leads of account `a` converted at or before `t`.
    fn before(&self, a: usize, t: i64) -> &[(i64, u32)] {
        let group = &self.items[self.offsets[a]..self.offsets[a + 1]];
        &group[..group.partition_point(|(c, _)| *c <= t)]
    }
}

/// Folds values beyond a bound back inside it (halving the overshoot), so that the bounds do
/// not pile up deals of exactly the same amount.
fn soft_clamp(x: f64, lo: f64, hi: f64) -> f64 {
    let x = if x < lo { lo + (lo - x) / 2.0 } else { x };
    let x = if x > hi { hi - (x - hi) / 2.0 } else { x };
    x.clamp(lo, hi)
}

pub fn generate(
    options: &SampleOptions,
    clock: &Clock,
    org: &Org,
    accounts: &Accounts,
    contacts: &Contacts,
    leads: &Leads,
    pipeline: &Pipeline,
) -> Deals {
    let n = options.opportunities;
    let n_acc = accounts.list.len();
    let mut rng = Rng::new(options.seed, Stream::Opportunities);
    // Links to leads come from their own stream, so more leads only change `lead_id`/`source`.
    let mut links = Rng::new(options.seed, Stream::OpportunityLinks);
    let converted = Converted::new(leads, n_acc);
    let stages = &pipeline.stages;
    let open: Vec<usize> = (0..stages.len())
        .filter(|&s| stages[s].kind == StageKind::Open)
        .collect();
    let won = stages
        .iter()
        .position(|s| s.kind == StageKind::Won)
        .expect("a won stage");
    let lost = stages
        .iter()
        .position(|s| s.kind == StageKind::Lost)
        .expect("a lost stage");
    let deal_weights: Vec<u32> = DEAL_TYPES.iter().map(|d| d.2).collect();

    let mut list = Vec::with_capacity(n);
    let mut meta = Vec::with_capacity(n);
    let mut history: Vec<(usize, i64)> = Vec::with_capacity(12);
    for i in 0..n {
        let account = (n_acc > 0).then(|| {
            // Bigger accounts buy more often: a second draw may replace a smaller first one.
            let x = rng.below(n_acc);
            if rng.chance(0.3) {
                let y = rng.below(n_acc);
                if accounts.meta[y].tier > accounts.meta[x].tier {
                    return y;
                }
            }
            x
        });
        let am = account.map(|a| &accounts.meta[a]);
        let region = am.map_or_else(|| *rng.pick(&Region::ALL), |m| m.region);
        let tier = am.map_or(1, |m| m.tier);
        let owner = match am.and_then(|m| m.owner) {
            Some(o) if org.reps[o].role == RepRole::Ae && org.reps[o].active && rng.chance(0.8) => {
                Some(o)
            }
            _ => org.pick_owner(&mut rng, region, Pool::Ae),
        };
        let off = org.offset(owner, region);
        let earliest = am.map_or(clock.start, |m| clock.start.max(m.created + DAY));
        let mut u = rng.unit();
        if rng.chance(0.4) {
            u = u.sqrt();
        }
        let created = earliest + ((clock.now - earliest) as f64 * u) as i64;
        let created = working_time(&mut rng, created, off).clamp(earliest, clock.now - HOUR);

        let (deal_type, deal_label, _) = DEAL_TYPES[rng.weighted_index(&deal_weights)];
        let product = rng.pick(PRODUCTS);
        let mut source = *rng.weighted(SOURCES);
        let size = match deal_type {
            "expansion" => 0.6,
            "renewal" => 0.8,
            _ => 1.0,
        };
        let dollars = soft_clamp(
            rng.lognormal(MEDIAN_AMOUNT[tier] * size, 0.7),
            5_000.0,
            250_000.0,
        );
        let dollars = if rng.chance(0.7) {
            (dollars / 100.0).round() * 100.0
        } else {
            dollars.round()
        };

        // Play the deal forward.
        history.clear();
        let inbound = matches!(source, "web" | "paid_search" | "webinar" | "referral");
        let mut pos = if inbound && open.len() > 1 && rng.chance(0.3) {
            1
        } else {
            0
        };
        let mut t = created;
        history.push((open[pos], t));
        let loss_scale = if deal_type == "renewal" { 0.4 } else { 1.0 };
        let mut stepped_back = false;
        let terminal = loop {
            let k = pos.min(LOSS.len() - 1);
            let days = DWELL[k] * PACE[tier] * (0.25 + 0.75 * (rng.unit() + rng.unit()));
            t = working_time(&mut rng, t + (days * DAY as f64) as i64, off).max(t + HOUR);
            if rng.chance(LOSS[k] * loss_scale) {
                history.push((lost, t));
                break lost;
            }
            if pos >= 2 && !stepped_back && rng.chance(0.07) {
                stepped_back = true;
                pos -= 1;
                history.push((open[pos], t));
                continue;
            }
            if pos + 1 == open.len() {
                history.push((won, t));
                break won;
            }
            pos += 1;
            history.push((open[pos], t));
        };
        let end_t = t;
        let kept = history.partition_point(|(_, at)| *at < clock.now);
        let closed = end_t < clock.now;
        let (stage, closed_at, close_date) = if closed {
            (terminal, Some(end_t), date_of(end_t))
        } else {
            let current = history[kept - 1].0;
            // Most reps forecast the close well; some dates have already slipped.
            let expected = if rng.chance(0.85) {
                end_t
            } else {
                created + rng.range(14 * DAY, 90 * DAY)
            };
            (current, None, date_of(expected))
        };

        let mut attributes = Attributes::new();
        attributes.insert("type".into(), Value::String(deal_type.to_string()));
        attributes.insert("product".into(), Value::String(product.1.to_string()));
        let lost_reason = (closed && terminal == lost).then(|| *rng.weighted(LOST_REASONS));
        if lost_reason == Some("Competitor") {
            let competitor = *rng.pick(super::names::COMPETITORS);
            attributes.insert("competitor".into(), Value::String(competitor.to_string()));
        }
        let amount = if !closed && stage == open[0] && rng.chance(0.3) {
            None
        } else {
            Some(usd(dollars as i64))
        };
        let contact = account.and_then(|a| {
            let at = contacts.of_account(a);
            (!at.is_empty() && rng.chance(0.7)).then(|| at[rng.below(at.len())] as usize)
        });
        let company: Cow<str> = match am {
            Some(m) => Cow::Borrowed(&m.base),
            None => Cow::Owned(company_base(&mut rng).0),
        };

        let (link_u, link_pick) = (links.unit(), links.unit());
        let lead = account.and_then(|a| {
            let candidates = converted.before(a, created);
            (!candidates.is_empty() && link_u < 0.6).then(|| {
                candidates
                    [((link_pick * candidates.len() as f64) as usize).min(candidates.len() - 1)]
                .1 as usize
            })
        });
        if let Some(l) = lead {
            if let Some(s) = leads.list[l].source.as_deref() {
                source = s;
            }
        }

        list.push(Opportunity {
            id: OpportunityId(id("opp", 6, i)),
            created_at: instant(created),
            stage: stages[stage].name.clone(),
            name: Some(format!("{company} - {} ({deal_label})", product.0)),
            account_id: account.map(|a| accounts.list[a].id.clone()),
            owner_id: owner.map(|o| org.rep_id(o)),
            contact_id: contact.map(|c| contacts.list[c].id.clone()),
            amount,
            stage_history: history[..kept]
                .iter()
                .map(|(s, at)| StageChange {
                    stage: stages[*s].name.clone(),
                    at: instant(*at),
                })
                .collect(),
            close_date: Some(close_date),
            closed_at: closed_at.map(instant),
            forecast_category: Some(stages[stage].forecast_category),
            source: Some(source.to_string()),
            lost_reason: lost_reason.map(String::from),
            lead_id: lead.map(|l| leads.list[l].id.clone()),
            attributes,
        });
        meta.push(DealMeta {
            account: account.map(|a| a as u32),
            owner: owner.map(|o| o as u32),
            created,
            end: closed_at.unwrap_or(clock.now),
            lost: closed && terminal == lost,
        });
    }
    Deals { list, meta }
}
