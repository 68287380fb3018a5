//! KPI reports (docs/kpis.md, "Reports"): metrics over opportunities, grouped by fields and
//! periods, as a table of rows (one per group, then a totals row whose group keys are null).

use super::calendar::{Calendar, Period};
use super::deals::{for_each_deal, for_each_row_deal, Deal, DealRef, Opportunities};
use super::metrics::{Context, LeadSource, Metric, Source, Tally, DEFAULT_SLA_MINUTES};
use crate::error::{Error, Problems, Result};
use crate::import::OpportunityTable;
use crate::model::read::{collect, list};
use crate::model::{Currency, Lead, Money, Opportunity, Pipeline};
use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::cmp::Ordering;
use std::collections::HashMap;

/// The most problems one error lists (then one `too_many_problems` counts the rest).
const MAX_PROBLEMS: usize = 100;

/// A quota for a stretch of time, optionally a rep's: `{"owner_id": "R1", "start":
/// "2026-07-01", "end": "2026-09-30", "amount": {"amount": 250000, "currency": "USD"}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QuotaEntry {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<String>,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub amount: Money,
}

/// What to compute: `{"metrics": ["win_rate"], "group_by": ["owner_id", "close_date:quarter"],
/// "calendar": {...}, "as_of": "...", "pipeline": {...}, "quotas": [...]}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportRequest {
    pub metrics: Vec<String>,
    #[serde(default)]
    pub group_by: Vec<String>,
    #[serde(default)]
    pub calendar: Option<Calendar>,
    #[serde(default)]
    pub as_of: Option<DateTime<Utc>>,
    #[serde(default)]
    pub pipeline: Option<Pipeline>,
    #[serde(default)]
    pub quotas: Option<Vec<QuotaEntry>>,
    /// Leads, for the lead metrics (`lead_conversion`, `response_time`, `sla_compliance`).
    #[serde(default)]
    pub leads: Option<Vec<Lead>>,
    /// The first-touch SLA of `sla_compliance`, in minutes (default 60).
    #[serde(default)]
    pub sla_minutes: Option<u32>,
}

/// A report: column names (group keys, then metric columns) and rows (objects with those keys).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Table {
    pub columns: Vec<String>,
    pub rows: Vec<Map<String, Value>>,
}

/// The date fields a group key may put a period on.
const DATE_FIELDS: [&str; 2] = ["created_at", "close_date"];

/// One `group_by` entry.
#[derive(Debug, Clone, PartialEq)]
enum GroupKey {
    /// A field of the deal (`owner_id`, `stage`, `source`, ...) or an attribute.
    Field(String),
    /// A date field and a period: `close_date:quarter`.
    Period(String, Period),
}

impl GroupKey {
    fn parse(text: &str, i: usize, out: &mut Problems) -> Option<GroupKey> {
        let at = format!("group_by[{i}]");
        match text.split_once(':') {
            None if text.is_empty() => {
                out.push(at, "invalid_value", "a group key names a field");
                None
            }
            None => Some(GroupKey::Field(text.to_string())),
            Some((field, period)) => {
                if !DATE_FIELDS.contains(&field) {
                    out.push(
                        at,
                        "invalid_value",
                        format!("`{field}` is not a date field (created_at, close_date)"),
                    );
                    return None;
                }
                match Period::from_name(period) {
                    Some(p) => Some(GroupKey::Period(field.to_string(), p)),
                    None => {
                        out.push(
                            at,
                            "unknown_period",
                            format!(
                                "`{period}` is not a period (week, month, quarter, \
                                 fiscal_quarter, year, fiscal_year)"
                            ),
                        );
                        None
                    }
                }
            }
        }
    }

    /// Writes the deal's value for this key into `out` as bytes that tell values apart (a
    /// type mark, then a number or a length and the text): the group's lookup key, without
    /// building values or labels.
    fn write_key(&self, d: &Deal<'_>, calendar: &Calendar, out: &mut Vec<u8>) {
        let text = |out: &mut Vec<u8>, s: Option<&str>| match s {
            Some(s) => {
                out.push(b's');
                out.extend_from_slice(&(s.len() as u64).to_le_bytes());
                out.extend_from_slice(s.as_bytes());
            }
            None => out.push(b'n'),
        };
        let number = |out: &mut Vec<u8>, n: Option<i64>| match n {
            Some(n) => {
                out.push(b'i');
                out.extend_from_slice(&n.to_le_bytes());
            }
            None => out.push(b'n'),
        };
        let day = |field: &str| match field {
            "created_at" => Some(d.created_day),
            _ => d.close_day,
        };
        match self {
            GroupKey::Period(field, period) => number(
                out,
                day(field).map(|day| calendar.period_code(day, *period)),
            ),
            GroupKey::Field(field) => match field.as_str() {
                "created_at" | "close_date" => number(
                    out,
                    day(field).map(|day| i64::from(chrono::Datelike::num_days_from_ce(&day))),
                ),
                "owner_id" => match d.opportunity {
                    // An imported row's owner by its code: no text to copy and hash.
                    DealRef::Row(r) => {
                        let (chunk, code) = r.owner_code();
                        out.push(b'c');
                        out.extend_from_slice(&(chunk as u64).to_le_bytes());
                        out.extend_from_slice(&code.to_le_bytes());
                    }
                    DealRef::Record(_) => text(out, d.opportunity.owner_id()),
                },
                "account_id" => text(out, d.opportunity.account_id()),
                "stage" => text(out, d.stage.map(|s| s.key.as_str())),
                "source" => text(out, d.opportunity.source()),
                "forecast_category" => text(out, d.forecast.map(|f| f.as_str())),
                "currency" => text(out, d.amount.map(|(_, c)| c.code())),
                _ => {
                    out.push(b'j');
                    text(out, Some(&self.value(d, calendar).to_string()));
                }
            },
        }
    }

    fn name(&self) -> String {
        match self {
            GroupKey::Field(f) => f.clone(),
            GroupKey::Period(f, p) => format!("{f}:{}", p.name()),
        }
    }

    /// The deal's value for this key; null when it has none.
    fn value(&self, d: &Deal<'_>, calendar: &Calendar) -> Value {
        let o = d.opportunity;
        let day = |field: &str| match field {
            "created_at" => Some(d.created_day),
            _ => d.close_day,
        };
        match self {
            GroupKey::Period(field, period) => day(field).map_or(Value::Null, |day| {
                Value::String(calendar.label(day, *period))
            }),
            GroupKey::Field(field) => match field.as_str() {
                "created_at" | "close_date" => {
                    day(field).map_or(Value::Null, |day| Value::String(day.to_string()))
                }
                "owner_id" => opt(o.owner_id().map(str::to_string)),
                "account_id" => opt(o.account_id().map(str::to_string)),
                "stage" => opt(d.stage.map(|s| s.key.clone())),
                "source" => opt(o.source().map(str::to_string)),
                "forecast_category" => opt(d.forecast.map(|f| f.as_str().to_string())),
                "currency" => opt(d.amount.map(|(_, c)| c.code().to_string())),
                other => {
                    let key = other.strip_prefix("attributes.").unwrap_or(other);
                    o.attribute(key)
                }
            },
        }
    }
}

impl GroupKey {
    /// A lead's value for this key: leads have a creation day but no close day or stage.
    fn lead_value(&self, l: &Lead, calendar: &Calendar) -> Value {
        let created = l.created_at.date_naive();
        match self {
            GroupKey::Period(field, period) if field == "created_at" => {
                Value::String(calendar.label(created, *period))
            }
            GroupKey::Period(..) => Value::Null,
            GroupKey::Field(field) => match field.as_str() {
                "created_at" => Value::String(created.to_string()),
                "close_date" | "stage" | "forecast_category" | "currency" => Value::Null,
                "owner_id" => opt(l.owner_id.as_ref().map(|x| x.to_string())),
                "account_id" => opt(l.account_id.as_ref().map(|x| x.to_string())),
                "source" => opt(l.source.clone()),
                other => {
                    let key = other.strip_prefix("attributes.").unwrap_or(other);
                    l.attributes.get(key).cloned().unwrap_or(Value::Null)
                }
            },
        }
    }
}

fn opt(s: Option<String>) -> Value {
    s.map_or(Value::Null, Value::String)
}

/// Group keys in order: null last, then by type (booleans, numbers, strings, others), then value.
fn compare_keys(a: &[Value], b: &[Value]) -> Ordering {
    fn rank(v: &Value) -> u8 {
        match v {
            Value::Bool(_) => 0,
            Value::Number(_) => 1,
            Value::String(_) => 2,
            Value::Array(_) | Value::Object(_) => 3,
            Value::Null => 4,
        }
    }
    for (x, y) in a.iter().zip(b) {
        let o = rank(x).cmp(&rank(y)).then_with(|| match (x, y) {
            (Value::Bool(p), Value::Bool(q)) => p.cmp(q),
            (Value::Number(p), Value::Number(q)) => p
                .as_f64()
                .unwrap_or(0.0)
                .total_cmp(&q.as_f64().unwrap_or(0.0)),
            (Value::String(p), Value::String(q)) => p.cmp(q),
            _ => x.to_string().cmp(&y.to_string()),
        });
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

/// The quota of a group in minor units: the quotas of its owner (when grouped by `owner_id`)
/// that start in its period (when grouped by a period of `close_date`); the totals row (no
/// values) has every quota. `None` when the grouping has a key a quota cannot be matched on.
fn quota_for(
    quotas: &[QuotaEntry],
    keys: &[GroupKey],
    values: Option<&[Value]>,
    calendar: &Calendar,
) -> Option<i128> {
    let amount = |q: &QuotaEntry| i128::from(q.amount.minor_units());
    let Some(values) = values else {
        return Some(quotas.iter().map(amount).sum());
    };
    let matchable = keys.iter().all(|k| match k {
        GroupKey::Field(f) => f == "owner_id",
        GroupKey::Period(f, _) => f == "close_date",
    });
    if !matchable {
        return None;
    }
    let counts = |q: &&QuotaEntry| {
        keys.iter().zip(values).all(|(k, v)| match k {
            GroupKey::Field(_) => q.owner_id.as_deref() == v.as_str(),
            GroupKey::Period(_, p) => v.as_str() == Some(calendar.label(q.start, *p).as_str()),
        })
    };
    Some(quotas.iter().filter(counts).map(amount).sum())
}

/// Computes a KPI report (docs/kpis.md). Errors: an unknown metric or group key, a calendar
/// out of range (`invalid_config`); stages the pipeline does not know, amounts in more than one
/// currency (`validation`, up to 100 problems).
pub fn kpi_report(opportunities: &[Opportunity], request: &ReportRequest) -> Result<Table> {
    report(
        Opportunities::Records(opportunities),
        request,
        ROWS_PER_THREAD,
    )
}

/// [`kpi_report`] over imported opportunities, read in place from their columns.
pub fn kpi_report_table(table: &OpportunityTable, request: &ReportRequest) -> Result<Table> {
    report(Opportunities::Table(table), request, ROWS_PER_THREAD)
}

/// The report; a table of deals is read on one thread per `rows_per_thread` rows (at most one
/// per core, see [`report_threads`]).
fn report(
    opportunities: Opportunities<'_>,
    request: &ReportRequest,
    rows_per_thread: usize,
) -> Result<Table> {
    let mut config = Problems::new();
    let mut metrics: Vec<Metric> = Vec::new();
    if request.metrics.is_empty() {
        config.push("metrics", "empty", "name at least one metric");
    }
    for (i, name) in request.metrics.iter().enumerate() {
        match Metric::from_name(name) {
            Some(m) if metrics.contains(&m) => config.push(
                format!("metrics[{i}]"),
                "duplicate_name",
                format!("`{name}` is asked for twice"),
            ),
            Some(m) => metrics.push(m),
            None => config.push(
                format!("metrics[{i}]"),
                "unknown_metric",
                format!("`{name}` is not a metric (see docs/kpis.md)"),
            ),
        }
    }
    let keys: Vec<GroupKey> = request
        .group_by
        .iter()
        .enumerate()
        .filter_map(|(i, k)| GroupKey::parse(k, i, &mut config))
        .collect();
    let calendar = request.calendar.unwrap_or_default();
    calendar.check("calendar", &mut config);
    if request.sla_minutes == Some(0) {
        config.push(
            "sla_minutes",
            "invalid_value",
            "an SLA is at least one minute",
        );
    }
    config.into_result(Error::InvalidConfig)?;

    let pipeline = Pipeline::given_or_default(request.pipeline.as_ref());
    let pipeline = &*pipeline;
    // Groups in order of first appearance, found by their keys' JSON text.
    let mut groups: Vec<(Vec<Value>, Tally)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let source = Source {
        pipeline,
        as_of: request.as_of,
        funnel: metrics.iter().any(|m| m.needs_funnel()),
        keep_amounts: metrics.contains(&Metric::MedianDealSize),
        keep_cycles: metrics.contains(&Metric::MedianCycleDays),
    };
    let mut total = Tally::new(&source);
    let leads: Vec<&Lead> = request
        .leads
        .iter()
        .flatten()
        .filter(|l| request.as_of.is_none_or(|t| l.created_at <= t))
        .collect();
    let sla_ms = i64::from(request.sla_minutes.unwrap_or(DEFAULT_SLA_MINUTES)) * 60_000;
    let lead_source = LeadSource {
        as_of: request.as_of,
        sla_ms,
    };
    for l in &leads {
        total.add_lead(l, &lead_source);
        if keys.is_empty() {
            continue;
        }
        let values: Vec<Value> = keys.iter().map(|k| k.lead_value(l, &calendar)).collect();
        let text = Value::Array(values.clone()).to_string();
        let slot = *index.entry(text).or_insert_with(|| {
            groups.push((values, Tally::new(&source)));
            groups.len() - 1
        });
        groups[slot].1.add_lead(l, &lead_source);
    }
    // One pass over the deals: the tallies are thrown away if a problem turns up. A large
    // imported table is read in parts on several threads when every asked-for metric merges
    // exactly (see `DealGroups::merge`); the first part carries the leads' groups and total.
    let first = DealGroups {
        keys: &keys,
        calendar: &calendar,
        source: &source,
        groups,
        index,
        by_short: HashMap::default(),
        by_bytes: HashMap::default(),
        compact: CompactKeys::new(&keys),
        by_words: HashMap::default(),
        text: Vec::new(),
        total,
        total_from_groups: DealGroups::total_from_groups(&keys, &metrics, leads.len()),
        amounts: Currencies::default(),
        problems: Problems::new(),
    };
    let deals = match opportunities {
        Opportunities::Table(table) if metrics.iter().all(|m| m.merges_exactly()) => {
            match report_threads(table.len(), rows_per_thread) {
                1 => first.one_pass(opportunities, request.as_of),
                n => {
                    let parts = deal_groups_in_parts(table, n, &first, request.as_of);
                    // A problem, or currencies that differ between parts: the one-thread pass
                    // words the problems as it always does.
                    DealGroups::merge(parts)
                        .unwrap_or_else(|| first.one_pass(opportunities, request.as_of))
                }
            }
        }
        _ => first.one_pass(opportunities, request.as_of),
    };
    let mut deals = deals;
    deals.finish_total();
    let DealGroups {
        mut groups,
        total,
        amounts,
        mut problems,
        ..
    } = deals;
    // Problems found on the way (unknown stages, then mixed currencies) fail the report.
    let currency = amounts.finish(request.quotas.as_deref(), &mut problems);
    if problems.len() > MAX_PROBLEMS {
        let mut kept = problems.into_vec();
        let rest = kept.len() - MAX_PROBLEMS;
        kept.truncate(MAX_PROBLEMS);
        kept.push(crate::Problem::new(
            "opportunities",
            "too_many_problems",
            format!("{rest} more problems"),
        ));
        return Err(Error::Validation(kept));
    }
    problems.into_result(Error::Validation)?;
    let scale = 10f64.powi(currency.map_or(2, |c| c.exponent()) as i32);

    groups.sort_by(|a, b| compare_keys(&a.0, &b.0));
    let rows_of_groups = groups;

    let mut columns: Vec<String> = keys.iter().map(GroupKey::name).collect();
    for m in &metrics {
        columns.extend(m.columns().iter().map(|c| c.to_string()));
    }
    let quotas = request.quotas.as_deref();
    let row = |values: Option<&[Value]>, tally: &Tally| -> Map<String, Value> {
        let mut row = Map::new();
        for (i, k) in keys.iter().enumerate() {
            let v = values.map_or(Value::Null, |vs| vs[i].clone());
            row.insert(k.name(), v);
        }
        let ctx = Context {
            pipeline,
            scale,
            quota_minor: quotas.and_then(|q| quota_for(q, &keys, values, &calendar)),
        };
        for m in &metrics {
            for (col, v) in m.columns().iter().zip(tally.values(*m, &ctx)) {
                row.insert(col.to_string(), v);
            }
        }
        row
    };
    let mut rows: Vec<Map<String, Value>> = rows_of_groups
        .iter()
        .map(|(values, tally)| row(Some(values), tally))
        .collect();
    rows.push(row(None, &total));
    Ok(Table { columns, rows })
}

/// Rows per thread below which a report reads its deals on one thread.
const ROWS_PER_THREAD: usize = 100_000;

/// How many threads report over a table of `rows` deals: one per `rows_per_thread` rows, at
/// most one per core and 8.
fn report_threads(rows: usize, rows_per_thread: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    cores.min(rows / rows_per_thread.max(1)).clamp(1, 8)
}

/// What one pass over deals builds: the tallies of each group and of all deals, the currency
/// check and the problems found.
#[derive(Clone)]
struct DealGroups<'r> {
    keys: &'r [GroupKey],
    calendar: &'r Calendar,
    source: &'r Source<'r>,
    /// Groups in order of first appearance, and where each is, found by its keys' JSON text.
    groups: Vec<(Vec<Value>, Tally)>,
    index: HashMap<String, usize>,
    /// The group of a deal, found by the bytes of its keys (written into `text`, reused):
    /// up to 32 bytes as four words (see [`short_key`]), longer ones as they are.
    by_short: HashMap<[u64; 4], usize, rustc_hash::FxBuildHasher>,
    by_bytes: HashMap<Vec<u8>, usize, rustc_hash::FxBuildHasher>,
    text: Vec<u8>,
    /// The group of a deal whose keys all have a compact form, by those words.
    compact: Option<CompactKeys>,
    by_words: HashMap<[u64; 4], usize, rustc_hash::FxBuildHasher>,
    total: Tally,
    /// Whether the deals go to their groups only, the total being the groups' merge at the
    /// end (see [`DealGroups::total_from_groups`]).
    total_from_groups: bool,
    amounts: Currencies,
    problems: Problems,
}

impl<'r> DealGroups<'r> {
    /// The same settings, with nothing tallied.
    fn empty(&self) -> DealGroups<'r> {
        DealGroups {
            keys: self.keys,
            calendar: self.calendar,
            source: self.source,
            groups: Vec::new(),
            index: HashMap::new(),
            by_short: HashMap::default(),
            by_bytes: HashMap::default(),
            compact: self.compact.clone(),
            by_words: HashMap::default(),
            text: Vec::new(),
            total: Tally::new(self.source),
            total_from_groups: self.total_from_groups,
            amounts: Currencies::default(),
            problems: Problems::new(),
        }
    }

    /// Whether the total can be the merge of the groups instead of a tally of its own: when
    /// there are groups, every metric merges exactly, and no lead was tallied (leads are in
    /// the total and in their groups already). It saves a tally per deal.
    fn total_from_groups(keys: &[GroupKey], metrics: &[Metric], leads: usize) -> bool {
        !keys.is_empty() && leads == 0 && metrics.iter().all(|m| m.merges_exactly())
    }

    /// The total, once every deal is in its group.
    fn finish_total(&mut self) {
        if self.total_from_groups {
            for (_, tally) in &self.groups {
                self.total.merge(tally);
            }
        }
    }

    /// Adds every deal, on this thread.
    fn one_pass(mut self, opportunities: Opportunities<'_>, as_of: Option<DateTime<Utc>>) -> Self {
        let mut problems = Problems::new();
        let pipeline = self.source.pipeline;
        for_each_deal(opportunities, pipeline, as_of, &mut problems, &mut |d| {
            self.add(d)
        });
        self.problems = problems;
        self
    }

    fn add(&mut self, d: Deal<'_>) {
        self.amounts.add(&d);
        if !self.total_from_groups {
            self.total.add(&d, self.source);
        }
        if self.keys.is_empty() {
            return;
        }
        let words = self
            .compact
            .as_ref()
            .and_then(|c| c.words(&d, self.calendar));
        let found = match words {
            Some(words) => self.by_words.get(&words),
            None => {
                self.text.clear();
                for k in self.keys {
                    k.write_key(&d, self.calendar, &mut self.text);
                }
                match short_key(&self.text) {
                    Some(key) => self.by_short.get(&key),
                    None => self.by_bytes.get(self.text.as_slice()),
                }
            }
        };
        let slot = match found {
            Some(&slot) => slot,
            None => {
                let values: Vec<Value> = self
                    .keys
                    .iter()
                    .map(|k| k.value(&d, self.calendar))
                    .collect();
                let slot = self.group_of(values);
                match (words, short_key(&self.text)) {
                    (Some(words), _) => self.by_words.insert(words, slot),
                    (None, Some(key)) => self.by_short.insert(key, slot),
                    (None, None) => self.by_bytes.insert(self.text.clone(), slot),
                };
                slot
            }
        };
        self.groups[slot].1.add(&d, self.source);
    }

    /// The slot of the group with these keys, added when new.
    fn group_of(&mut self, values: Vec<Value>) -> usize {
        let json = Value::Array(values.clone()).to_string();
        let (groups, source) = (&mut self.groups, self.source);
        *self.index.entry(json).or_insert_with(|| {
            groups.push((values, Tally::new(source)));
            groups.len() - 1
        })
    }

    /// The parts (of consecutive rows, in order) as one pass over all of them would have left
    /// them, or `None` when a part found a problem or the parts' currencies differ (the caller
    /// then makes that one pass). Exact for every sum but the weighted pipeline's float sum
    /// (its rounding depends on the order of the additions) and without stage paths: reports
    /// split in parts only when no metric reads those ([`Metric::merges_exactly`]).
    fn merge(parts: Vec<DealGroups<'r>>) -> Option<DealGroups<'r>> {
        let mut parts = parts.into_iter();
        let mut all = parts.next()?;
        if !all.problems.is_empty() || !all.amounts.problems.is_empty() {
            return None;
        }
        for part in parts {
            if !part.problems.is_empty() || !part.amounts.problems.is_empty() {
                return None;
            }
            match (all.amounts.first, part.amounts.first) {
                (Some(a), Some(b)) if a != b => return None,
                (None, b) => all.amounts.first = b,
                _ => {}
            }
            all.total.merge(&part.total);
            for (values, tally) in part.groups {
                let slot = all.group_of(values);
                all.groups[slot].1.merge(&tally);
            }
        }
        Some(all)
    }
}

/// Group keys that all have a compact form, resolved once per report: a deal's keys are then
/// looked up as up to four words instead of bytes (see [`CompactKeys::words`]).
#[derive(Debug, Clone)]
struct CompactKeys(Vec<Compact>);

#[derive(Debug, Clone, Copy)]
enum Compact {
    /// The day (`created` or the close date) as a number.
    Day { created: bool },
    /// The day's period code.
    Period { created: bool, period: Period },
    /// The owner of an imported row: its chunk's address and its code there (two words).
    Owner,
}

impl CompactKeys {
    /// `None` when a key has no compact form or the keys need more than four words.
    fn new(keys: &[GroupKey]) -> Option<CompactKeys> {
        let mut out = Vec::with_capacity(keys.len());
        let mut words = 0;
        for k in keys {
            let (c, n) = match k {
                GroupKey::Period(field, period) => (
                    Compact::Period {
                        created: field == "created_at",
                        period: *period,
                    },
                    1,
                ),
                GroupKey::Field(f) if f == "created_at" || f == "close_date" => (
                    Compact::Day {
                        created: f == "created_at",
                    },
                    1,
                ),
                GroupKey::Field(f) if f == "owner_id" => (Compact::Owner, 2),
                GroupKey::Field(_) => return None,
            };
            out.push(c);
            words += n;
        }
        (words <= 4).then_some(CompactKeys(out))
    }

    /// The deal's keys as words: a number is one word (0 for none, else a mark and the
    /// number), an owner two (a mark with its chunk's address, then its code). `None` when a
    /// value has no compact form (a number beyond 2^61, an owner of a record rather than an
    /// imported row): the keys' bytes are used instead.
    fn words(&self, d: &Deal<'_>, calendar: &Calendar) -> Option<[u64; 4]> {
        const NUMBER: u64 = 1 << 62;
        const OWNER: u64 = 2 << 62;
        const BIAS: i64 = 1 << 61;
        let number = |n: Option<i64>| match n {
            None => Some(0),
            Some(n) if (-BIAS..BIAS).contains(&n) => Some(NUMBER | (n + BIAS) as u64),
            Some(_) => None,
        };
        let day = |created: bool| {
            if created {
                Some(d.created_day)
            } else {
                d.close_day
            }
        };
        let mut words = [0u64; 4];
        let mut at = 0;
        for c in &self.0 {
            match *c {
                Compact::Day { created } => {
                    words[at] = number(
                        day(created).map(|day| i64::from(chrono::Datelike::num_days_from_ce(&day))),
                    )?;
                }
                Compact::Period { created, period } => {
                    words[at] = number(day(created).map(|day| calendar.period_code(day, period)))?;
                }
                Compact::Owner => {
                    let DealRef::Row(r) = d.opportunity else {
                        return None;
                    };
                    let (chunk, code) = r.owner_code();
                    let chunk = chunk as u64;
                    if chunk >= OWNER {
                        return None;
                    }
                    words[at] = OWNER | chunk;
                    at += 1;
                    words[at] = u64::from(code);
                }
            }
            at += 1;
        }
        Some(words)
    }
}

/// Group-key bytes of up to 32 bytes as four words, zero-padded; `None` when longer. Distinct
/// keys stay distinct: each key's bytes end where their own marks and lengths say, so no
/// group's bytes are a proper prefix of another's, and two byte strings that differ within
/// their common length differ once padded.
fn short_key(bytes: &[u8]) -> Option<[u64; 4]> {
    if bytes.len() > 32 {
        return None;
    }
    let mut padded = [0u8; 32];
    padded[..bytes.len()].copy_from_slice(bytes);
    let word = |i: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&padded[i * 8..i * 8 + 8]);
        u64::from_le_bytes(w)
    };
    Some([word(0), word(1), word(2), word(3)])
}

/// Tallies the table's deals in `n` parts of consecutive rows, one thread each: the first part
/// continues `first`, the others start from nothing.
fn deal_groups_in_parts<'r>(
    table: &'r OpportunityTable,
    n: usize,
    first: &DealGroups<'r>,
    as_of: Option<DateTime<Utc>>,
) -> Vec<DealGroups<'r>> {
    let len = table.len();
    let pipeline = first.source.pipeline;
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..n)
            .map(|k| {
                let mut part = if k == 0 { first.clone() } else { first.empty() };
                let rows = len * k / n..len * (k + 1) / n;
                scope.spawn(move || {
                    let mut problems = Problems::new();
                    for_each_row_deal(table, rows, pipeline, as_of, &mut problems, &mut |d| {
                        part.add(d)
                    });
                    part.problems = problems;
                    part
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a report part does not panic"))
            .collect()
    })
}

/// The one currency of every amount and quota, found deal by deal: a problem
/// (`mixed_currency`) at each amount in another.
#[derive(Default, Clone)]
struct Currencies {
    first: Option<Currency>,
    problems: Problems,
}

impl Currencies {
    fn check(&mut self, c: Currency, path: impl FnOnce() -> String) {
        match self.first {
            None => self.first = Some(c),
            Some(f) if f != c => self.problems.push(
                path(),
                "mixed_currency",
                format!(
                    "{} differs from the report's currency {}",
                    c.code(),
                    f.code()
                ),
            ),
            _ => {}
        }
    }

    fn add(&mut self, d: &Deal<'_>) {
        if let Some((_, c)) = d.amount {
            self.check(c, || format!("opportunities[{}].amount.currency", d.index));
        }
    }

    /// The currency, after the quotas' amounts; the problems go to `out` after those before.
    fn finish(mut self, quotas: Option<&[QuotaEntry]>, out: &mut Problems) -> Option<Currency> {
        for (i, q) in quotas.unwrap_or_default().iter().enumerate() {
            self.check(q.amount.currency(), || {
                format!("quotas[{i}].amount.currency")
            });
        }
        for p in self.problems.into_vec() {
            out.push(p.path, &p.code, p.message);
        }
        self.first
    }
}

/// [`kpi_report`] from JSON: `opportunities` a list, `request` a [`ReportRequest`] object.
pub fn kpi_report_json(opportunities: &Value, request: &Value) -> Result<Value> {
    let mut problems = Vec::new();
    let opportunities = collect(
        list::<Opportunity>(opportunities, "opportunities"),
        &mut problems,
    );
    let request = collect(crate::api::parse::<ReportRequest>(request), &mut problems);
    let (Some(opportunities), Some(request)) = (opportunities, request) else {
        return Err(Error::Parse(problems));
    };
    let table = kpi_report(&opportunities, &request)?;
    Ok(serde_json::to_value(table).expect("tables serialise"))
}

/// [`kpi_report`] over opportunities read from a CSV (in place), with a JSON request.
pub fn kpi_report_request_json(opportunities: &OpportunityTable, request: &Value) -> Result<Value> {
    let request = crate::api::parse::<ReportRequest>(request)?;
    let table = kpi_report_table(opportunities, &request)?;
    Ok(serde_json::to_value(table).expect("tables serialise"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::{read_csv, ImportOptions, Mapping, RecordKind};
    use proptest::prelude::*;
    use serde_json::json;

    const STAGES: [&str; 5] = [
        "Appointment Scheduled",
        "Qualified To Buy",
        "Contract Sent",
        "Closed Won",
        "Closed Lost",
    ];

    /// A HubSpot export of `rows` deals: (owner, stage, amount, currency, created day, days to
    /// close), blanks where `None`.
    type Row = (Option<u8>, usize, Option<u32>, bool, u32, Option<u32>);

    fn table(rows: &[Row]) -> OpportunityTable {
        let mut csv = String::from(
            "Record ID,Deal Owner,Deal Stage,Amount,Currency,Create Date,Close Date\n",
        );
        let day =
            |n: u32| NaiveDate::from_ymd_opt(2025, 1, 1).unwrap() + chrono::Days::new(u64::from(n));
        for (i, (owner, stage, amount, euro, created, close)) in rows.iter().enumerate() {
            let owner = owner.map_or(String::new(), |o| format!("rep-{o}"));
            let amount = amount.map_or(String::new(), |a| a.to_string());
            let currency = if *euro { "EUR" } else { "USD" };
            let close = close.map_or(String::new(), |c| day(created + c).to_string());
            csv += &format!(
                "d{i:05},{owner},{},{amount},{currency},{},{close}\n",
                STAGES[*stage],
                day(*created)
            );
        }
        let imported = read_csv(
            RecordKind::Opportunities,
            csv.as_bytes(),
            &Mapping::HubSpot,
            None,
            &ImportOptions::default(),
        )
        .unwrap();
        assert!(imported.errors.is_empty(), "{:?}", imported.errors);
        imported.records.opportunities().unwrap().clone()
    }

    fn outcome(r: Result<Table>) -> Value {
        match r {
            Ok(t) => serde_json::to_value(t).unwrap(),
            Err(e) => json!({"error": e.to_string()}),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(40))]

        /// A table reported in parts on several threads gives the one-thread report: the same
        /// rows in the same order, the same numbers, the same problems.
        #[test]
        fn parts_report_what_one_pass_reports(
            rows in prop::collection::vec(
                (
                    prop::option::of(0u8..4),
                    0usize..5,
                    prop::option::of(0u32..100_000),
                    prop::bool::weighted(0.02),
                    0u32..400,
                    prop::option::of(0u32..200),
                ),
                0..120,
            ),
            group_by in prop::sample::select(vec![
                vec![],
                vec!["owner_id"],
                vec!["owner_id", "close_date:quarter"],
                vec!["created_at:month"],
                // Keys as words (owner: two), as bytes (stage), and more than four words.
                vec!["close_date", "owner_id", "created_at"],
                vec!["owner_id", "stage", "close_date:year"],
                vec!["created_at", "close_date:quarter", "owner_id", "close_date"],
            ]),
            per_thread in 1usize..40,
        ) {
            let table = table(&rows);
            let request: ReportRequest = serde_json::from_value(json!({
                "metrics": ["won_count", "lost_count", "win_rate", "win_rate_value", "won_amount",
                            "avg_deal_size", "median_deal_size", "avg_cycle_days",
                            "median_cycle_days", "pipeline_created", "open_pipeline"],
                "group_by": group_by,
            }))
            .unwrap();
            let one = outcome(report(Opportunities::Table(&table), &request, usize::MAX));
            let parts = outcome(report(Opportunities::Table(&table), &request, per_thread));
            prop_assert_eq!(&parts, &one);
            // With the weighted pipeline asked for too, every deal is tallied in the total as
            // it is read: the other columns are the same as those of the merged total.
            let mut tallied = request.clone();
            tallied.metrics.push("weighted_pipeline".into());
            let mut reference = outcome(report(Opportunities::Table(&table), &tallied, usize::MAX));
            if let Some(rows) = reference.get_mut("rows").and_then(Value::as_array_mut) {
                for row in rows {
                    row.as_object_mut().unwrap().remove("weighted_pipeline");
                }
                let columns = reference["columns"].as_array_mut().unwrap();
                columns.retain(|c| c != "weighted_pipeline");
            }
            prop_assert_eq!(&one, &reference);
            // Records group owners by their text, table rows by their codes: the same report.
            let records = table.to_vec();
            let via_records = outcome(report(Opportunities::Records(&records), &request, usize::MAX));
            prop_assert_eq!(one, via_records);
        }
    }
}
