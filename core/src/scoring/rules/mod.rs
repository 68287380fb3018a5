//! Rule scoring (docs/scoring.md is the contract): fit points from conditions on the lead,
//! engagement points from its events with half-life decay and lookback windows, penalties,
//! rule, group and side caps, grades (A1..D4) and the MQL flag, with one contribution per rule
//! that fired, so every point is explained.
//!
//! Files: `model` (the model document and its checks), `engine` (the compiled model, the
//! scoring procedure, batch grouping), `score` (the result types).
//!
//! Determinism: `now` is a parameter (nothing reads the clock); sums run in the order events
//! are given; outputs follow model order, never hash order. Every reported number is rounded
//! to 0.01 ([`round2`]), and points, caps and thresholds are held to two decimals, so totals
//! are exact sums of the contributions shown. A [`Scorer`] is immutable: Send + Sync, shared
//! freely between threads.
//!
//! This module must never read anything but the lead and events it is handed, and never panic
//! on any model, lead or event: bad input is an [`Error`] naming the field.

mod engine;
mod fields;
mod model;
mod score;

pub use model::{
    EngagementRule, FitRule, GradeThresholds, MqlRule, NegativeRule, RuleGroup, ScoringModel,
    SideCaps, MAX_POINTS, MAX_RULES,
};
pub use score::{
    Contribution, Contributions, EventCounts, Grade, MissingFields, RuleInfo, Score, ShortList,
    Side,
};

use crate::error::{Error, Problems, Result};
use crate::model::read::{self, collect};
use crate::model::{EngagementEvent, Lead};
use chrono::{DateTime, Utc};
use engine::{runs_in_lead_order, Engine, Grouped, Now};
use serde_json::Value;

/// Rounds to the nearest 0.01, halves away from zero: `round(x * 100) / 100` in IEEE doubles.
pub fn round2(x: f64) -> f64 {
    round_half_away(x * 100.0) / 100.0
}

/// `f64::round`, bit for bit, inline: on x86-64 without SSE4.1 `round` is a software call
/// that costs more than the rest of a contribution. At or above 2^52 (and for NaN and
/// infinities) every value is already whole. Below it, adding the largest double under one
/// half to `|y|` and taking the floor rounds halves away from zero: a fraction under one half
/// stays under the next integer (the sum is at least an ulp of `y` plus 2^-54 short of it,
/// more than half an ulp of the sum), one of a half or more reaches it (`0.5 + h` rounds to 1
/// as a tie to even). The floor of that sum `b` (in [0, 2^52]) without a conversion to an
/// integer: `b + 2^52` lies in [2^52, 2^53], where doubles are the integers, so it rounds `b`
/// to an integer `r` within one half of it (and taking 2^52 away again is exact); the floor
/// is `r`, or `r - 1` when `r` went above `b`. `copysign` gives the sign back, that of zero
/// too (`round(-0.3)` is `-0.0`).
#[inline]
fn round_half_away(y: f64) -> f64 {
    const WHOLE_FROM: f64 = 4_503_599_627_370_496.0; // 2^52
    const UNDER_HALF: f64 = 0.499_999_999_999_999_94; // 0.5 - 2^-54
    let a = y.abs();
    // One comparison, false for NaN too.
    if a < WHOLE_FROM {
        let b = a + UNDER_HALF;
        let r = (b + WHOLE_FROM) - WHOLE_FROM;
        let floor = if r > b { r - 1.0 } else { r };
        floor.copysign(y)
    } else {
        y
    }
}

/// Checks a scoring model on its own: what `validate("scoring_model", ..)` does. Problems are
/// relative to the model, `invalid_config`.
pub fn check_model(model: &ScoringModel) -> Result<()> {
    let mut out = Problems::new();
    model::check_model(model, &mut out);
    out.into_result(Error::InvalidConfig)
}

/// A checked, compiled scoring model.
pub struct Scorer {
    model: ScoringModel,
    engine: Engine,
    lead_fields: Vec<String>,
}

const _: () = {
    const fn send_sync<T: Send + Sync>() {}
    send_sync::<Scorer>();
};

impl Scorer {
    /// Checks and compiles `model`; every problem is reported (`invalid_config`, paths
    /// relative to the model, e.g. `fit_rules[2].condition.in`).
    pub fn new(model: ScoringModel) -> Result<Scorer> {
        let mut out = Problems::new();
        let checked = model::check_model(&model, &mut out);
        out.into_result(Error::InvalidConfig)?;
        let engine = Engine::new(&model, checked);
        let lead_fields = read::lead_keys(engine.lead_paths(), &[]);
        Ok(Scorer {
            model,
            engine,
            lead_fields,
        })
    }

    /// From a wire-format model; problems are reported with paths under `model`
    /// (`parse` for the wrong shape, `invalid_config` for bad values).
    pub fn from_json(model: &Value) -> Result<Scorer> {
        let model: ScoringModel = crate::api::parse(model).map_err(|e| e.under("model"))?;
        Scorer::new(model).map_err(|e| e.under("model"))
    }

    /// The model this scorer was built from.
    pub fn model(&self) -> &ScoringModel {
        &self.model
    }

    /// Scores one lead on `events` at `now`. Events of other leads are not counted (they are
    /// reported in `events.other_lead`), nor are events after `now`.
    pub fn score<'a>(
        &'a self,
        lead: &'a Lead,
        events: &[EngagementEvent],
        now: DateTime<Utc>,
    ) -> Score<'a> {
        let own = events.iter().filter(|e| e.lead_id == lead.id);
        self.engine.score_one(lead, own, events.len(), Now::of(now))
    }

    /// Scores every lead on the events naming it; the same scores as [`Scorer::score`] of
    /// each lead with all of `events`. Events are grouped by lead once (linear time).
    pub fn score_batch<'a>(
        &'a self,
        leads: &'a [Lead],
        events: &[EngagementEvent],
        now: DateTime<Utc>,
    ) -> Vec<Score<'a>> {
        let mut scratch = self.engine.scratch();
        let now = Now::of(now);
        // Each score is filled where it lies in the list (never built elsewhere and moved).
        let filler = self.engine.filler();
        let mut scores: Vec<Score<'a>> = leads
            .iter()
            .map(|lead| Score::blank(lead.id.as_str(), filler))
            .collect();
        let given = events.len();
        if let Some(runs) = runs_in_lead_order(leads, events) {
            for ((score, lead), (from, to)) in scores.iter_mut().zip(leads).zip(runs) {
                let own = events[from..to].iter();
                self.engine.fill(score, lead, own, given, now, &mut scratch);
            }
            return scores;
        }
        let grouped = Grouped::new(leads, events);
        for (i, (score, lead)) in scores.iter_mut().zip(leads).enumerate() {
            let own = grouped.events_of(i, events);
            self.engine.fill(score, lead, own, given, now, &mut scratch);
        }
        scores
    }

    /// JSON level: a lead (parse errors under `lead`) and its events (a list, or None / null
    /// for none; errors under `events[i]`) -> the score as JSON.
    pub fn score_json(
        &self,
        lead: &Value,
        events: Option<&Value>,
        now: DateTime<Utc>,
    ) -> Result<Value> {
        let mut problems = Vec::new();
        let lead = collect(self.parse_lead(lead, "lead"), &mut problems);
        let events = collect(parse_events(events), &mut problems);
        match (lead, events) {
            (Some(lead), Some(events)) if problems.is_empty() => {
                Ok(to_value(&self.score(&lead, &events, now)))
            }
            _ => Err(Error::Parse(problems)),
        }
    }

    /// JSON level: a list of leads (errors under `leads[i]`) and events (errors under
    /// `events[i]`), every problem reported -> the list of scores.
    pub fn score_batch_json(
        &self,
        leads: &Value,
        events: Option<&Value>,
        now: DateTime<Utc>,
    ) -> Result<Value> {
        let mut problems = Vec::new();
        let leads = collect(self.parse_leads(leads), &mut problems);
        let events = collect(parse_events(events), &mut problems);
        match (leads, events) {
            (Some(leads), Some(events)) if problems.is_empty() => {
                Ok(to_value(&self.score_batch(&leads, &events, now)))
            }
            _ => Err(Error::Parse(problems)),
        }
    }

    /// The fast path for hosts where object bridging costs more than scoring: JSON text of
    /// the leads and of the events (None for none) in, JSON text of the scores out.
    pub fn score_batch_str(
        &self,
        leads_json: &str,
        events_json: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<String> {
        let fast = (
            serde_json::from_str::<Vec<Lead>>(leads_json).ok(),
            match events_json {
                None => Some(Vec::new()),
                Some(text) => serde_json::from_str::<Vec<EngagementEvent>>(text).ok(),
            },
        );
        let (leads, events) = match fast {
            (Some(leads), Some(events)) => (leads, events),
            _ => {
                // Slow path only to name every problem with its path.
                let leads: Value =
                    serde_json::from_str(leads_json).map_err(|e| Error::from(e).under("leads"))?;
                let events: Option<Value> = events_json
                    .map(serde_json::from_str)
                    .transpose()
                    .map_err(|e| Error::from(e).under("events"))?;
                let mut problems = Vec::new();
                let leads = collect(self.parse_leads(&leads), &mut problems);
                let events = collect(parse_events(events.as_ref()), &mut problems);
                match (leads, events) {
                    (Some(leads), Some(events)) if problems.is_empty() => (leads, events),
                    _ => return Err(Error::Parse(problems)),
                }
            }
        };
        let scores = self.score_batch(&leads, &events, now);
        Ok(serde_json::to_string(&scores).expect("scores serialise"))
    }

    /// The top-level lead keys a score can read, sorted: `id` and `created_at` (required of
    /// every lead) and the fields of the fit and penalty conditions (`attributes` too for a
    /// condition on an attribute). Only these are read from a lead given as JSON: the other
    /// keys can hold anything (docs/scoring.md, "What a scorer reads from a lead").
    pub fn lead_fields(&self) -> &[String] {
        &self.lead_fields
    }

    fn parse_lead(&self, value: &Value, at: &str) -> Result<Lead> {
        read::lead_reading(value, &self.lead_fields, at)
    }

    fn parse_leads(&self, leads: &Value) -> Result<Vec<Lead>> {
        read::leads_reading(leads, &self.lead_fields, "leads")
    }
}

/// Events from JSON: a list (every element's problems under `events[i]`), or None / null.
fn parse_events(events: Option<&Value>) -> Result<Vec<EngagementEvent>> {
    match events {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(v) => read::list(v, "events"),
    }
}

fn to_value<T: serde::Serialize>(x: &T) -> Value {
    serde_json::to_value(x).expect("scores serialise")
}

#[cfg(test)]
mod tests {
    use super::round_half_away;
    use proptest::prelude::*;

    #[test]
    fn rounding_is_f64_round_on_the_edges() {
        for y in [
            0.0,
            -0.0,
            0.5,
            -0.5,
            1.5,
            2.5,
            -2.5,
            0.49999999999999994,
            -0.49999999999999994,
            4_503_599_627_370_495.5,
            -4_503_599_627_370_495.5,
            4_503_599_627_370_496.0,
            9_007_199_254_740_993.0,
            f64::MAX,
            f64::MIN_POSITIVE,
            -f64::MIN_POSITIVE,
            5e-324,
            f64::INFINITY,
            f64::NEG_INFINITY,
            -0.3,
            1234.5,
            0.5000000000000001,
            1.4999999999999998,
            -1.4999999999999998,
            2.4999999999999996,
            2_251_799_813_685_247.5,
            2_251_799_813_685_248.5,
            -2_251_799_813_685_247.5,
            1_125_899_906_842_623.8,
            4_503_599_627_370_495.0,
        ] {
            assert_eq!(round_half_away(y).to_bits(), y.round().to_bits(), "{y:e}");
        }
        assert!(round_half_away(f64::NAN).is_nan());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn rounding_is_f64_round(bits in any::<u64>(), small in -1e6f64..1e6, cents in -1_000_000i64..1_000_000) {
            for y in [f64::from_bits(bits), small, cents as f64 / 100.0 * 100.0, (cents as f64 + 0.5) / 100.0 * 100.0] {
                let (ours, std) = (round_half_away(y), y.round());
                prop_assert!(ours.to_bits() == std.to_bits() || (ours.is_nan() && std.is_nan()), "{:e}", y);
            }
        }

        /// Halves and their neighbours one ulp either side, in every binade below 2^52 and
        /// both signs: where adding just under one half could go wrong.
        #[test]
        fn rounding_is_f64_round_next_to_halves(k in 0u64..(1 << 52), shift in 0u32..52, negative in any::<bool>()) {
            let whole = (k >> shift) as f64;
            let half = whole + 0.5;
            for y in [half, f64::from_bits(half.to_bits() + 1), f64::from_bits(half.to_bits() - 1), whole, whole + 0.25] {
                let y = if negative { -y } else { y };
                prop_assert_eq!(round_half_away(y).to_bits(), y.round().to_bits(), "{:e}", y);
            }
        }
    }
}
