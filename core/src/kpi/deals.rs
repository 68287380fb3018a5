//! What a KPI needs to know about one deal, as it stood at an instant (docs/kpis.md, "Deals as
//! of a date"): open, won or lost; its stage; the day it closed; its amount in minor units.
//! Stage histories are replayed here, once per deal, so every metric reads the same facts.

use crate::error::Problems;
use crate::import::{OpportunityRef, OpportunityTable};
use crate::model::{
    Currency, ForecastCategory, Money, Opportunity, Pipeline, Stage, StageChange, StageKind,
};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde_json::Value;
use std::collections::HashMap;

/// Stage lookups by label, each label folded and searched once: a million deals carry a
/// handful of distinct labels.
struct Stages<'a> {
    pipeline: &'a Pipeline,
    known: HashMap<&'a str, Option<&'a Stage>>,
}

impl<'a> Stages<'a> {
    fn get(&mut self, label: &'a str) -> Option<&'a Stage> {
        let pipeline = self.pipeline;
        *self
            .known
            .entry(label)
            .or_insert_with(|| pipeline.stage(label))
    }
}

/// The deals a report reads: records, or an imported table read in place (no record is built).
#[derive(Debug, Clone, Copy)]
pub enum Opportunities<'a> {
    Records(&'a [Opportunity]),
    Table(&'a OpportunityTable),
}

/// One deal as given: a record, or a row of an imported table.
#[derive(Debug, Clone, Copy)]
pub enum DealRef<'a> {
    Record(&'a Opportunity),
    Row(OpportunityRef<'a>),
}

impl<'a> DealRef<'a> {
    pub fn owner_id(&self) -> Option<&'a str> {
        match self {
            DealRef::Record(o) => o.owner_id.as_ref().map(|x| x.as_str()),
            DealRef::Row(r) => r.owner_id(),
        }
    }
    pub fn account_id(&self) -> Option<&'a str> {
        match self {
            DealRef::Record(o) => o.account_id.as_ref().map(|x| x.as_str()),
            DealRef::Row(r) => r.account_id(),
        }
    }
    pub fn source(&self) -> Option<&'a str> {
        match self {
            DealRef::Record(o) => o.source.as_deref(),
            DealRef::Row(r) => r.source(),
        }
    }
    /// An attribute's value; null when the deal has none.
    pub fn attribute(&self, key: &str) -> Value {
        match self {
            DealRef::Record(o) => o.attributes.get(key).cloned().unwrap_or(Value::Null),
            DealRef::Row(r) => r
                .attribute(key)
                .map_or(Value::Null, |v| Value::String(v.to_string())),
        }
    }
    /// The current stage label (a record's as written; an imported row's stage key).
    pub fn stage_label(&self) -> &'a str {
        match self {
            DealRef::Record(o) => &o.stage,
            DealRef::Row(r) => r.stage(),
        }
    }
    pub fn created_at(&self) -> DateTime<Utc> {
        match self {
            DealRef::Record(o) => o.created_at,
            DealRef::Row(r) => r.created_at(),
        }
    }
    /// Every stage entered, oldest first (imported rows have none).
    pub fn stage_history(&self) -> &'a [StageChange] {
        match self {
            DealRef::Record(o) => &o.stage_history,
            DealRef::Row(_) => &[],
        }
    }
    fn close_date(&self) -> Option<NaiveDate> {
        match self {
            DealRef::Record(o) => o.close_date,
            DealRef::Row(r) => r.close_date(),
        }
    }
    fn closed_at(&self) -> Option<DateTime<Utc>> {
        match self {
            DealRef::Record(o) => o.closed_at,
            DealRef::Row(r) => r.closed_at(),
        }
    }
    fn forecast_category(&self) -> Option<ForecastCategory> {
        match self {
            DealRef::Record(o) => o.forecast_category,
            DealRef::Row(r) => r.forecast_category(),
        }
    }
    fn amount(&self) -> Option<Money> {
        match self {
            DealRef::Record(o) => o.amount,
            DealRef::Row(r) => r.amount(),
        }
    }
}

/// Where a deal stood.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Open,
    Won,
    Lost,
}

/// One deal's facts as of the report's instant.
#[derive(Debug, Clone)]
pub struct Deal<'a> {
    /// Its index in the input (problems name `opportunities[i]`).
    pub index: usize,
    pub opportunity: DealRef<'a>,
    pub status: Status,
    /// The stage it was in; `None` when it cannot be known (a deal closed after `as_of` with no
    /// stage history).
    pub stage: Option<&'a Stage>,
    /// Closed deals: the day it closed; open deals: the expected close date, if any.
    pub close_day: Option<NaiveDate>,
    pub created_day: NaiveDate,
    /// Closed deals with a close day: whole days from the day created to the day closed.
    pub cycle_days: Option<i64>,
    /// The amount in minor units, if any, and its currency.
    pub amount: Option<(i64, Currency)>,
    pub forecast: Option<ForecastCategory>,
}

fn is_closed(kind: StageKind) -> bool {
    matches!(kind, StageKind::Won | StageKind::Lost)
}

fn status_of(kind: StageKind) -> Status {
    match kind {
        StageKind::Open => Status::Open,
        StageKind::Won => Status::Won,
        StageKind::Lost => Status::Lost,
    }
}

/// The day a deal in a closed stage closed, from what it carries: `close_date`, else the day of
/// `closed_at`, else the day of its last change into a won or lost stage.
fn recorded_close_day<'a>(o: &DealRef<'a>, stages: &mut Stages<'a>) -> Option<NaiveDate> {
    o.close_date()
        .or_else(|| o.closed_at().map(|t| t.naive_utc().date()))
        .or_else(|| {
            o.stage_history()
                .iter()
                .rev()
                .find(|c| stages.get(&c.stage).is_some_and(|s| is_closed(s.kind)))
                .map(|c| c.at.date_naive())
        })
}

/// The facts of every deal that existed at `as_of` (all of them without one), in input
/// order. Stages the pipeline does not know, in `stage` or in `stage_history`, are problems
/// (`unknown_stage`).
pub fn deals<'a>(
    opportunities: Opportunities<'a>,
    pipeline: &'a Pipeline,
    as_of: Option<DateTime<Utc>>,
    out: &mut Problems,
) -> Vec<Deal<'a>> {
    let mut list = Vec::new();
    for_each_deal(opportunities, pipeline, as_of, out, &mut |d| list.push(d));
    list
}

/// [`deals`], one deal at a time, without keeping them.
pub fn for_each_deal<'a>(
    opportunities: Opportunities<'a>,
    pipeline: &'a Pipeline,
    as_of: Option<DateTime<Utc>>,
    out: &mut Problems,
    each: &mut dyn FnMut(Deal<'a>),
) {
    match opportunities {
        Opportunities::Records(list) => {
            let mut stages = Stages {
                pipeline,
                known: HashMap::new(),
            };
            for (i, o) in list.iter().enumerate() {
                let current = stages.get(&o.stage);
                if let Some(d) = deal(i, DealRef::Record(o), current, &mut stages, as_of, out) {
                    each(d);
                }
            }
        }
        Opportunities::Table(table) => {
            for_each_row_deal(table, 0..table.len(), pipeline, as_of, out, each)
        }
    }
}

/// [`for_each_deal`] over the rows numbered `rows` of an imported table.
pub fn for_each_row_deal<'a>(
    table: &'a OpportunityTable,
    rows: std::ops::Range<usize>,
    pipeline: &'a Pipeline,
    as_of: Option<DateTime<Utc>>,
    out: &mut Problems,
    each: &mut dyn FnMut(Deal<'a>),
) {
    let mut stages = Stages {
        pipeline,
        known: HashMap::new(),
    };
    // An imported row's stage is a key of the import's pipeline: looked up once per key.
    let mut by_code: Vec<Option<Option<&'a Stage>>> = Vec::new();
    for (i, r) in rows.clone().zip(table.rows_in(rows)) {
        let code = r.stage_code();
        if by_code.len() <= code {
            by_code.resize(code + 1, None);
        }
        let current = *by_code[code].get_or_insert_with(|| stages.get(r.stage()));
        if let Some(d) = deal(i, DealRef::Row(r), current, &mut stages, as_of, out) {
            each(d);
        }
    }
}

/// One deal's facts, given its current stage; `None` when it did not exist at `as_of` or a
/// stage is unknown (a problem).
fn deal<'a>(
    i: usize,
    o: DealRef<'a>,
    current: Option<&'a Stage>,
    stages: &mut Stages<'a>,
    as_of: Option<DateTime<Utc>>,
    out: &mut Problems,
) -> Option<Deal<'a>> {
    let Some(current) = current else {
        out.push(
            format!("opportunities[{i}].stage"),
            "unknown_stage",
            format!("stage `{}` is not in the pipeline", o.stage_label()),
        );
        return None;
    };
    let mut history_ok = true;
    for (j, c) in o.stage_history().iter().enumerate() {
        if stages.get(&c.stage).is_none() {
            out.push(
                format!("opportunities[{i}].stage_history[{j}].stage"),
                "unknown_stage",
                format!("stage `{}` is not in the pipeline", c.stage),
            );
            history_ok = false;
        }
    }
    if !history_ok {
        return None;
    }
    let (status, stage, close_day) = match as_of {
        None => {
            let status = status_of(current.kind);
            let close_day = if status == Status::Open {
                o.close_date()
            } else {
                recorded_close_day(&o, stages)
            };
            (status, Some(current), close_day)
        }
        Some(t) => {
            if o.created_at() > t {
                return None;
            }
            at_instant(&o, stages, current, t)?
        }
    };
    // A forecast category set on the deal is today's; as of a past stage, the stage's.
    let forecast = match o.forecast_category() {
        Some(f) if stage.is_some_and(|s| std::ptr::eq(s, current)) => Some(f),
        _ => stage.map(|s| s.forecast_category),
    };
    // The UTC date as stored (what `date_naive` gives for UTC, without the offset arithmetic).
    let created_day = o.created_at().naive_utc().date();
    // Whole days between the two dates (what `(close - created).num_days()` gives, without
    // chrono's duration arithmetic).
    let cycle_days = close_day
        .filter(|_| status != Status::Open)
        .map(|close| i64::from(close.num_days_from_ce() - created_day.num_days_from_ce()));
    Some(Deal {
        index: i,
        opportunity: o,
        status,
        stage,
        close_day,
        created_day,
        cycle_days,
        amount: o.amount().map(|m| (m.minor_units(), m.currency())),
        forecast,
    })
}

type Facts<'a> = (Status, Option<&'a Stage>, Option<NaiveDate>);

/// Where a deal created at or before `t` stood at `t`.
fn at_instant<'a>(
    o: &DealRef<'a>,
    stages: &mut Stages<'a>,
    current: &'a Stage,
    t: DateTime<Utc>,
) -> Option<Facts<'a>> {
    let day = t.date_naive();
    let history = o.stage_history();
    if history.is_empty() {
        // Only today's stage is known: closed by then if it closed on or before that day,
        // otherwise open in a stage nobody recorded (an open deal: its stage).
        if is_closed(current.kind) {
            return Some(match recorded_close_day(o, stages) {
                Some(closed) if closed <= day => {
                    (status_of(current.kind), Some(current), Some(closed))
                }
                _ => (Status::Open, None, o.close_date()),
            });
        }
        return Some((Status::Open, Some(current), o.close_date()));
    }
    // The last change at or before t; before the first change, the first stage (a history
    // starts with the stage the deal was created in).
    let change = history
        .iter()
        .rev()
        .find(|c| c.at <= t)
        .or(history.first())?;
    let stage = stages.get(&change.stage)?;
    let status = status_of(stage.kind);
    let close_day = match status {
        Status::Open => o.close_date(),
        _ if std::ptr::eq(stage, current) => recorded_close_day(o, stages)
            .filter(|d| *d <= day)
            .or(Some(change.at.date_naive().min(day))),
        _ => Some(change.at.date_naive().min(day)),
    };
    Some((status, Some(stage), close_day))
}
