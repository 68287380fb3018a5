//! KPI reports (docs/kpis.md, "Reports"): metrics over opportunities, grouped by fields and
//! periods, as a table of rows (one per group, then a totals row whose group keys are null).

use super::calendar::{Calendar, Period};
use super::deals::{for_each_deal, Deal, Opportunities};
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
                "owner_id" => text(out, d.opportunity.owner_id()),
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
    report(Opportunities::Records(opportunities), request)
}

/// [`kpi_report`] over imported opportunities, read in place from their columns.
pub fn kpi_report_table(table: &OpportunityTable, request: &ReportRequest) -> Result<Table> {
    report(Opportunities::Table(table), request)
}

fn report(opportunities: Opportunities<'_>, request: &ReportRequest) -> Result<Table> {
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
    // Deals find their group by the bytes of their keys, written into one reused buffer. One
    // pass: the tallies are thrown away if a problem turns up.
    let mut problems = Problems::new();
    let mut amounts = Currencies::default();
    let mut deal_index: HashMap<Vec<u8>, usize, rustc_hash::FxBuildHasher> = HashMap::default();
    let mut text: Vec<u8> = Vec::new();
    let mut each = |d: Deal<'_>| {
        amounts.add(&d);
        total.add(&d, &source);
        if keys.is_empty() {
            return;
        }
        text.clear();
        for k in &keys {
            k.write_key(&d, &calendar, &mut text);
        }
        let slot = match deal_index.get(text.as_slice()) {
            Some(&slot) => slot,
            None => {
                let values: Vec<Value> = keys.iter().map(|k| k.value(&d, &calendar)).collect();
                let json = Value::Array(values.clone()).to_string();
                let slot = *index.entry(json).or_insert_with(|| {
                    groups.push((values, Tally::new(&source)));
                    groups.len() - 1
                });
                deal_index.insert(text.clone(), slot);
                slot
            }
        };
        groups[slot].1.add(&d, &source);
    };
    for_each_deal(
        opportunities,
        pipeline,
        request.as_of,
        &mut problems,
        &mut each,
    );
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

/// The one currency of every amount and quota, found deal by deal: a problem
/// (`mixed_currency`) at each amount in another.
#[derive(Default)]
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
