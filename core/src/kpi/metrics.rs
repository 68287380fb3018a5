//! The metrics of a KPI report (docs/kpis.md, "Metrics"): each one's name, the columns it
//! writes, and how it is computed from the deals of one group. Amounts are summed exactly in
//! minor units and turned into floats once, at the end; a zero denominator gives null.

use super::deals::{Deal, Status};
use super::funnel::FunnelTally;
use crate::model::ForecastCategory;
use crate::model::{Lead, LeadStatus, Pipeline};
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// A metric a report can compute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Metric {
    WinRate,
    WinRateValue,
    WonCount,
    LostCount,
    WonAmount,
    AvgDealSize,
    MedianDealSize,
    AvgCycleDays,
    MedianCycleDays,
    PipelineCreated,
    OpenPipeline,
    WeightedPipeline,
    Forecast,
    Coverage,
    QuotaAttainment,
    SalesVelocity,
    StageConversion,
    TimeInStage,
    LeadConversion,
    ResponseTime,
    SlaCompliance,
}

impl Metric {
    pub const ALL: [Metric; 21] = [
        Metric::WinRate,
        Metric::WinRateValue,
        Metric::WonCount,
        Metric::LostCount,
        Metric::WonAmount,
        Metric::AvgDealSize,
        Metric::MedianDealSize,
        Metric::AvgCycleDays,
        Metric::MedianCycleDays,
        Metric::PipelineCreated,
        Metric::OpenPipeline,
        Metric::WeightedPipeline,
        Metric::Forecast,
        Metric::Coverage,
        Metric::QuotaAttainment,
        Metric::SalesVelocity,
        Metric::StageConversion,
        Metric::TimeInStage,
        Metric::LeadConversion,
        Metric::ResponseTime,
        Metric::SlaCompliance,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Metric::WinRate => "win_rate",
            Metric::WinRateValue => "win_rate_value",
            Metric::WonCount => "won_count",
            Metric::LostCount => "lost_count",
            Metric::WonAmount => "won_amount",
            Metric::AvgDealSize => "avg_deal_size",
            Metric::MedianDealSize => "median_deal_size",
            Metric::AvgCycleDays => "avg_cycle_days",
            Metric::MedianCycleDays => "median_cycle_days",
            Metric::PipelineCreated => "pipeline_created",
            Metric::OpenPipeline => "open_pipeline",
            Metric::WeightedPipeline => "weighted_pipeline",
            Metric::Forecast => "forecast",
            Metric::Coverage => "coverage",
            Metric::QuotaAttainment => "quota_attainment",
            Metric::SalesVelocity => "sales_velocity",
            Metric::StageConversion => "stage_conversion",
            Metric::TimeInStage => "time_in_stage",
            Metric::LeadConversion => "lead_conversion",
            Metric::ResponseTime => "response_time",
            Metric::SlaCompliance => "sla_compliance",
        }
    }

    pub fn from_name(name: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.name() == name)
    }

    /// The columns the metric writes: its name, or for `forecast` one per category.
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            Metric::Forecast => &[
                "forecast_commit",
                "forecast_best_case",
                "forecast_pipeline",
                "forecast_closed",
            ],
            Metric::WinRate => &["win_rate"],
            Metric::WinRateValue => &["win_rate_value"],
            Metric::WonCount => &["won_count"],
            Metric::LostCount => &["lost_count"],
            Metric::WonAmount => &["won_amount"],
            Metric::AvgDealSize => &["avg_deal_size"],
            Metric::MedianDealSize => &["median_deal_size"],
            Metric::AvgCycleDays => &["avg_cycle_days"],
            Metric::MedianCycleDays => &["median_cycle_days"],
            Metric::PipelineCreated => &["pipeline_created"],
            Metric::OpenPipeline => &["open_pipeline"],
            Metric::WeightedPipeline => &["weighted_pipeline"],
            Metric::Coverage => &["coverage"],
            Metric::QuotaAttainment => &["quota_attainment"],
            Metric::SalesVelocity => &["sales_velocity"],
            Metric::StageConversion => &["stage_conversion"],
            Metric::TimeInStage => &["time_in_stage"],
            Metric::LeadConversion => &["lead_conversion"],
            Metric::ResponseTime => &["response_time"],
            Metric::SlaCompliance => &["sla_compliance"],
        }
    }

    /// Whether tallies of consecutive parts of the deals, merged, give exactly this metric of
    /// the whole: all but the weighted pipeline (a float sum in input order) and the metrics
    /// of stage paths.
    pub fn merges_exactly(self) -> bool {
        !self.needs_funnel() && self != Metric::WeightedPipeline
    }

    /// Whether the metric reads stage histories (the funnel).
    pub fn needs_funnel(self) -> bool {
        matches!(self, Metric::StageConversion | Metric::TimeInStage)
    }
}

/// The sums of one group, in minor units where they are money.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    pub won: u64,
    pub lost: u64,
    pub open: u64,
    pub won_minor: i128,
    pub lost_minor: i128,
    /// Won deals with an amount (`won_minor` is their sum).
    pub won_with_amount: u64,
    /// Their amounts, kept when a metric needs them all (the median).
    pub won_amounts: Vec<i64>,
    pub open_minor: i128,
    /// `Σ amount * probability` over open deals, in minor units, summed in input order.
    pub weighted_minor: f64,
    pub created_minor: i128,
    /// Open amounts by forecast category: commit, best case, pipeline.
    pub forecast_minor: [i128; 3],
    /// Closed deals with a close day, and the sum of their cycles in whole days.
    pub cycle_count: u64,
    pub cycle_days: i128,
    /// Their cycles, counted per day when a metric needs them all (the median).
    pub cycles: DayCounts,
    /// Stage paths, when a metric reads them.
    pub funnel: Option<FunnelTally>,
    /// Leads created, and converted.
    pub leads: u64,
    pub converted: u64,
    /// Minutes from creation to first touch, over touched leads.
    pub response_minutes: Vec<f64>,
    /// Leads with an SLA outcome: touched in time, or not.
    pub sla_met: u64,
    pub sla_missed: u64,
}

/// The default first-touch SLA of `sla_compliance`, in minutes.
pub const DEFAULT_SLA_MINUTES: u32 = 60;

/// What adding a lead to a tally needs besides the lead.
#[derive(Debug, Clone, Copy)]
pub struct LeadSource {
    pub as_of: Option<DateTime<Utc>>,
    /// The first-touch SLA in milliseconds.
    pub sla_ms: i64,
}

/// What adding a deal to a tally needs besides the deal.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    pub pipeline: &'a Pipeline,
    pub as_of: Option<DateTime<Utc>>,
    /// Whether tallies keep stage paths.
    pub funnel: bool,
    /// Whether tallies keep every won amount, and every cycle (for medians).
    pub keep_amounts: bool,
    pub keep_cycles: bool,
}

impl Tally {
    pub fn new(source: &Source<'_>) -> Tally {
        Tally {
            funnel: source.funnel.then(|| FunnelTally::new(source.pipeline)),
            ..Tally::default()
        }
    }

    /// Adds the tally of the deals and leads that come after this one's (lists keep their
    /// order). The weighted pipeline's float sum is added as a whole, so it may round
    /// differently from one pass; stage paths are not merged (`funnel` is left as it is): see
    /// [`Metric::merges_exactly`].
    pub fn merge(&mut self, other: &Tally) {
        self.won += other.won;
        self.lost += other.lost;
        self.open += other.open;
        self.won_minor += other.won_minor;
        self.lost_minor += other.lost_minor;
        self.won_with_amount += other.won_with_amount;
        self.won_amounts.extend_from_slice(&other.won_amounts);
        self.open_minor += other.open_minor;
        self.weighted_minor += other.weighted_minor;
        self.created_minor += other.created_minor;
        for (a, b) in self.forecast_minor.iter_mut().zip(other.forecast_minor) {
            *a += b;
        }
        self.cycle_count += other.cycle_count;
        self.cycle_days += other.cycle_days;
        self.cycles.merge(&other.cycles);
        self.leads += other.leads;
        self.converted += other.converted;
        self.response_minutes
            .extend_from_slice(&other.response_minutes);
        self.sla_met += other.sla_met;
        self.sla_missed += other.sla_missed;
    }

    /// Adds a lead created by `as_of` (the caller filters): converted when `converted_at` is
    /// by `as_of` (without `as_of`: `converted_at` or the status `converted`); touched when
    /// `first_touch_at` is by `as_of`.
    pub fn add_lead(&mut self, l: &Lead, source: &LeadSource) {
        let by_then = |t: Option<DateTime<Utc>>| t.filter(|t| source.as_of.is_none_or(|a| *t <= a));
        self.leads += 1;
        let converted = match source.as_of {
            None => l.converted_at.is_some() || l.status == LeadStatus::Converted,
            Some(_) => by_then(l.converted_at).is_some(),
        };
        self.converted += u64::from(converted);
        match by_then(l.first_touch_at) {
            Some(touch) => {
                let ms = (touch - l.created_at).num_milliseconds();
                self.response_minutes.push(ms as f64 / 60_000.0);
                if ms <= source.sla_ms {
                    self.sla_met += 1;
                } else {
                    self.sla_missed += 1;
                }
            }
            None => {
                // Untouched: a miss once the deadline has passed (always, without `as_of`).
                let due_passed = source
                    .as_of
                    .is_none_or(|a| (a - l.created_at).num_milliseconds() > source.sla_ms);
                self.sla_missed += u64::from(due_passed);
            }
        }
    }

    pub fn add(&mut self, d: &Deal<'_>, source: &Source<'_>) {
        if let Some(f) = &mut self.funnel {
            f.add(&d.opportunity, source.pipeline, source.as_of);
        }
        let minor = d.amount.map(|(m, _)| m);
        self.created_minor += i128::from(minor.unwrap_or(0));
        match d.status {
            Status::Won => {
                self.won += 1;
                if let Some(m) = minor {
                    self.won_minor += i128::from(m);
                    self.won_with_amount += 1;
                    if source.keep_amounts {
                        self.won_amounts.push(m);
                    }
                }
            }
            Status::Lost => {
                self.lost += 1;
                self.lost_minor += i128::from(minor.unwrap_or(0));
            }
            Status::Open => {
                self.open += 1;
                let m = minor.unwrap_or(0);
                self.open_minor += i128::from(m);
                if let Some(stage) = d.stage {
                    self.weighted_minor += m as f64 * stage.probability;
                }
                match d.forecast {
                    Some(ForecastCategory::Commit) => self.forecast_minor[0] += i128::from(m),
                    Some(ForecastCategory::BestCase) => self.forecast_minor[1] += i128::from(m),
                    Some(ForecastCategory::Pipeline) => self.forecast_minor[2] += i128::from(m),
                    _ => {}
                }
            }
        }
        if let Some(days) = d.cycle_days {
            self.cycle_count += 1;
            self.cycle_days += i128::from(days);
            if source.keep_cycles {
                self.cycles.add(days, 1);
            }
        }
    }
}

/// `n / d`, null when `d` is 0.
fn ratio(n: f64, d: f64) -> Option<f64> {
    (d != 0.0).then(|| n / d)
}

/// Whole numbers of days as a multiset: a count per day over the span seen, or a sorted map
/// once the span is wider than [`DayCounts::MAX_SPAN`]. The median of a million cycles is then
/// a walk over a few thousand counts, with no list of every deal to keep, copy and select from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DayCounts {
    /// The day counted in `dense[0]`.
    base: i64,
    dense: Vec<u64>,
    /// Holds the counts instead of `dense` once the span is too wide.
    sparse: Option<BTreeMap<i64, u64>>,
    len: u64,
}

impl DayCounts {
    /// The widest span of days counted densely (about 180 years).
    const MAX_SPAN: i64 = 1 << 16;

    /// Counts `day` `n` more times.
    #[inline]
    pub fn add(&mut self, day: i64, n: u64) {
        // A day within the dense span (the usual case) in a few instructions.
        let i = day.wrapping_sub(self.base) as u64;
        if let Some(count) = self.dense.get_mut(i as usize) {
            *count += n;
            self.len += n;
            return;
        }
        self.add_outside(day, n);
    }

    /// [`DayCounts::add`] for a day outside the dense span (or any day, once sparse).
    #[inline(never)]
    fn add_outside(&mut self, day: i64, n: u64) {
        self.len += n;
        if let Some(map) = &mut self.sparse {
            *map.entry(day).or_default() += n;
            return;
        }
        if self.dense.is_empty() {
            self.base = day;
            self.dense.push(n);
            return;
        }
        let last = self.base + self.dense.len() as i64 - 1;
        let (low, high) = (self.base.min(day), last.max(day));
        if high
            .checked_sub(low)
            .is_none_or(|span| span >= Self::MAX_SPAN)
        {
            let mut map: BTreeMap<i64, u64> = self.counts().collect();
            *map.entry(day).or_default() += n;
            self.sparse = Some(map);
            self.dense = Vec::new();
            return;
        }
        if day < self.base {
            let more = (self.base - day) as usize;
            self.dense.splice(0..0, std::iter::repeat_n(0, more));
            self.base = day;
        }
        let i = (day - self.base) as usize;
        if i >= self.dense.len() {
            self.dense.resize(i + 1, 0);
        }
        self.dense[i] += n;
    }

    /// Counts every day of `other` too.
    pub fn merge(&mut self, other: &DayCounts) {
        for (day, n) in other.counts() {
            self.add(day, n);
        }
    }

    /// Each day counted and its count, in day order.
    fn counts(&self) -> Box<dyn Iterator<Item = (i64, u64)> + '_> {
        match &self.sparse {
            Some(map) => Box::new(map.iter().map(|(&d, &n)| (d, n))),
            None => Box::new(
                self.dense
                    .iter()
                    .enumerate()
                    .filter(|(_, &n)| n > 0)
                    .map(|(i, &n)| (self.base + i as i64, n)),
            ),
        }
    }

    /// The median: the middle day, or the mean of the two middle ones (as [`median`] gives).
    pub fn median(&self) -> Option<f64> {
        let n = self.len;
        if n == 0 {
            return None;
        }
        // The days at ranks n/2 and (n-1)/2 of the sorted list (the same when n is odd).
        let (upper_rank, lower_rank) = (n / 2, (n - 1) / 2);
        let (mut lower, mut seen) = (None, 0);
        for (day, count) in self.counts() {
            seen += count;
            if lower.is_none() && seen > lower_rank {
                lower = Some(day);
            }
            if seen > upper_rank {
                let lower = lower.expect("the lower rank is not above the upper");
                return Some(if n % 2 == 1 {
                    day as f64
                } else {
                    (i128::from(lower) + i128::from(day)) as f64 / 2.0
                });
            }
        }
        unreachable!("the counts add up to len")
    }
}

/// The median of integers: the middle one, or the mean of the two middle ones.
/// Found by selection, not a full sort.
fn median(values: &[i64]) -> Option<f64> {
    let mut values = values.to_vec();
    let n = values.len();
    if n == 0 {
        return None;
    }
    let (below, &mut middle, _) = values.select_nth_unstable(n / 2);
    Some(if n % 2 == 1 {
        middle as f64
    } else {
        // The other middle one is the largest of those below.
        let lower = below
            .iter()
            .copied()
            .max()
            .expect("n is even and at least 2");
        (i128::from(lower) + i128::from(middle)) as f64 / 2.0
    })
}

/// The median of floats (none is NaN): the middle one, or the mean of the two middle ones.
fn median_f64(values: &[f64]) -> Option<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
    }
}

/// Everything a group's row needs beyond its tally.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub pipeline: &'a Pipeline,
    /// `10^exponent` of the report's currency: minor units per unit.
    pub scale: f64,
    /// The group's quota in minor units, when quotas were given and can be attributed.
    pub quota_minor: Option<i128>,
}

impl Tally {
    fn money(&self, minor: i128, ctx: &Context<'_>) -> f64 {
        minor as f64 / ctx.scale
    }

    /// The value of each of the metric's columns.
    pub fn values(&self, metric: Metric, ctx: &Context<'_>) -> Vec<Value> {
        let won_amount = self.money(self.won_minor, ctx);
        // Means from exact integer sums and counts (what the means of the lists give).
        let avg_deal =
            ratio(self.won_minor as f64, self.won_with_amount as f64).map(|m| m / ctx.scale);
        let win_rate = ratio(self.won as f64, (self.won + self.lost) as f64);
        let avg_cycle = ratio(self.cycle_days as f64, self.cycle_count as f64);
        match metric {
            Metric::WinRate => vec![json!(win_rate)],
            Metric::WinRateValue => vec![json!(ratio(
                self.won_minor as f64,
                (self.won_minor + self.lost_minor) as f64
            ))],
            Metric::WonCount => vec![json!(self.won)],
            Metric::LostCount => vec![json!(self.lost)],
            Metric::WonAmount => vec![json!(won_amount)],
            Metric::AvgDealSize => vec![json!(avg_deal)],
            Metric::MedianDealSize => {
                vec![json!(median(&self.won_amounts).map(|m| m / ctx.scale))]
            }
            Metric::AvgCycleDays => vec![json!(avg_cycle)],
            Metric::MedianCycleDays => vec![json!(self.cycles.median())],
            Metric::PipelineCreated => vec![json!(self.money(self.created_minor, ctx))],
            Metric::OpenPipeline => vec![json!(self.money(self.open_minor, ctx))],
            Metric::WeightedPipeline => vec![json!(self.weighted_minor / ctx.scale)],
            Metric::Forecast => vec![
                json!(self.money(self.forecast_minor[0], ctx)),
                json!(self.money(self.forecast_minor[1], ctx)),
                json!(self.money(self.forecast_minor[2], ctx)),
                json!(won_amount),
            ],
            // Open pipeline against what is left of the quota; null once the quota is met.
            Metric::Coverage => vec![json!(ctx
                .quota_minor
                .filter(|q| *q > self.won_minor)
                .map(|q| self.open_minor as f64 / (q - self.won_minor) as f64))],
            Metric::QuotaAttainment => vec![json!(ctx
                .quota_minor
                .and_then(|q| ratio(self.won_minor as f64, q as f64)))],
            Metric::SalesVelocity => {
                let v = match (win_rate, avg_deal, avg_cycle) {
                    (Some(w), Some(a), Some(c)) => ratio(self.open as f64 * w * a, c),
                    _ => None,
                };
                vec![json!(v)]
            }
            Metric::StageConversion => vec![self
                .funnel
                .as_ref()
                .map_or(Value::Null, |f| f.conversion_by_stage(ctx.pipeline))],
            Metric::TimeInStage => vec![self
                .funnel
                .as_ref()
                .map_or(Value::Null, |f| f.days_by_stage(ctx.pipeline))],
            Metric::LeadConversion => {
                vec![json!(ratio(self.converted as f64, self.leads as f64))]
            }
            Metric::ResponseTime => vec![json!(median_f64(&self.response_minutes))],
            Metric::SlaCompliance => vec![json!(ratio(
                self.sla_met as f64,
                (self.sla_met + self.sla_missed) as f64
            ))],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Days between dates by day numbers are chrono's whole days of the difference.
        #[test]
        fn days_between_dates(a in -400_000i32..400_000, b in -400_000i32..400_000) {
            use chrono::{Datelike, NaiveDate};
            let (a, b) = (
                NaiveDate::from_num_days_from_ce_opt(a).unwrap(),
                NaiveDate::from_num_days_from_ce_opt(b).unwrap(),
            );
            prop_assert_eq!(i64::from(a.num_days_from_ce() - b.num_days_from_ce()), (a - b).num_days());
        }

        /// Days counted (densely, or sparsely past a wide span), added one by one or merged,
        /// give the median of the list of those days.
        #[test]
        fn day_counts_give_the_median_of_the_list(
            days in prop::collection::vec(prop_oneof![
                8 => -40i64..40,
                1 => prop::sample::select(vec![-200_000i64, 70_000, 65_535, -65_536, i64::from(i32::MAX)]),
            ], 0..60),
            split in 0usize..60,
        ) {
            let mut one = DayCounts::default();
            for &d in &days {
                one.add(d, 1);
            }
            prop_assert_eq!(one.median(), median(&days));
            let split = split.min(days.len());
            let (mut a, mut b) = (DayCounts::default(), DayCounts::default());
            for &d in &days[..split] {
                a.add(d, 1);
            }
            for &d in &days[split..] {
                b.add(d, 1);
            }
            a.merge(&b);
            prop_assert_eq!(a.median(), median(&days));
        }

        /// The median by selection is the median of the sorted values.
        #[test]
        fn median_is_the_sorted_middle(values in prop::collection::vec(-5i64..5, 0..40)) {
            let mut sorted = values.clone();
            sorted.sort_unstable();
            let n = sorted.len();
            let expected = match n {
                0 => None,
                _ if n % 2 == 1 => Some(sorted[n / 2] as f64),
                _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) as f64 / 2.0),
            };
            prop_assert_eq!(median(&values), expected);
        }
    }
}
