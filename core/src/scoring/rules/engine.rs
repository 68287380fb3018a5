//! The scoring procedure (docs/scoring.md, "Scoring, step by step") over a compiled model, and
//! the one-pass grouping of a batch's events by lead.
//!
//! Hot path rules: conditions are parsed once, event kinds are looked up by length and word,
//! per-rule sums live in a scratch buffer reused across a batch, and the only allocations per
//! lead are the score's own lists. Sums run in the order events are given, so a batch gives
//! bit for bit what scoring the leads one by one gives.

use super::fields::{EventField, LeadField, ReadLead};
use super::model::{Checked, GradeThresholds, MqlRule, ScoringModel};
use super::round2;
use super::score::{Contribution, Grade, RuleInfo, Score, Side};
use crate::condition::{BoundCondition, Condition, FieldValue, PlanMemo, PlannedSet};
use crate::model::{EngagementEvent, Lead};
use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Timelike, Utc};
use std::collections::HashMap;

/// Maps hashed with FxHash (rustc's hasher, the `rustc-hash` crate): ids and event kinds are
/// short strings, where SipHash's setup dominates. Inputs come from the caller, but a crowded
/// bucket only costs time, never correctness.
pub(crate) type FxMap<K, V> = HashMap<K, V, rustc_hash::FxBuildHasher>;

/// Event kind -> the event rules counting it, in model order. Kinds are usually few and short,
/// so they are found by length and then compared a word at a time, without hashing; a model
/// with many kinds of one length falls back to a hash map.
struct KindTable {
    /// Sorted by length.
    kinds: Vec<(Box<[u8]>, KindRules)>,
    /// `kinds[by_len[n].0..by_len[n].1]` are the kinds of `n` bytes (up to the longest).
    by_len: Vec<(usize, usize)>,
    /// Kind -> index in `kinds`, when some length has more than [`KindTable::SCAN`] kinds.
    hashed: Option<FxMap<Box<[u8]>, usize>>,
}

impl KindTable {
    /// The most kinds of one length compared one by one.
    const SCAN: usize = 8;

    /// From each event rule's kind, whether it has a `where` and its lookback, in rule order.
    fn new<'k>(rules: impl Iterator<Item = (&'k str, bool, Option<f64>)>) -> KindTable {
        let mut index: FxMap<&[u8], usize> = FxMap::default();
        let mut kinds: Vec<(Box<[u8]>, KindRules)> = Vec::new();
        let mut unfiltered: Vec<bool> = Vec::new();
        let mut longest_lookback: Vec<Option<f64>> = Vec::new();
        for (i, (kind, filtered, lookback)) in rules.enumerate() {
            let kind = kind.as_bytes();
            let at = *index.entry(kind).or_insert_with(|| {
                kinds.push((kind.into(), KindRules::default()));
                unfiltered.push(false);
                longest_lookback.push(Some(f64::NEG_INFINITY));
                kinds.len() - 1
            });
            kinds[at].1.rules.push(i as u32);
            unfiltered[at] |= !filtered;
            longest_lookback[at] = match (longest_lookback[at], lookback) {
                (Some(a), Some(b)) => Some(a.max(b)),
                _ => None,
            };
        }
        for (at, (_, k)) in kinds.iter_mut().enumerate() {
            k.all_past_lookback_after = longest_lookback[at].filter(|_| unfiltered[at]);
        }
        kinds.sort_by_key(|(k, _)| k.len());
        let longest = kinds.last().map_or(0, |(k, _)| k.len());
        let by_len: Vec<(usize, usize)> = (0..=longest)
            .map(|n| {
                let from = kinds.partition_point(|(k, _)| k.len() < n);
                let to = kinds.partition_point(|(k, _)| k.len() <= n);
                (from, to)
            })
            .collect();
        let crowded = by_len.iter().any(|(from, to)| to - from > Self::SCAN);
        let hashed = crowded.then(|| {
            kinds
                .iter()
                .enumerate()
                .map(|(i, (k, _))| (k.clone(), i))
                .collect()
        });
        KindTable {
            kinds,
            by_len,
            hashed,
        }
    }

    #[inline(always)]
    fn get(&self, kind: &str) -> Option<&KindRules> {
        let kind = kind.as_bytes();
        let &(from, to) = self.by_len.get(kind.len())?;
        let at = match &self.hashed {
            Some(hashed) if to - from > Self::SCAN => *hashed.get(kind)?,
            _ => {
                from + self.kinds[from..to]
                    .iter()
                    .position(|(k, _)| same_bytes(k, kind))?
            }
        };
        Some(&self.kinds[at].1)
    }
}

/// The event rules of one kind.
#[derive(Default)]
struct KindRules {
    /// Indices into the event rules, in model order.
    rules: Vec<u32>,
    /// When some rule of the kind has no `where` and every one has a lookback: the longest.
    /// An event older than that is outside every rule's lookback and scored by the rule
    /// without `where`, so it is `outside_lookback` without testing any `where`.
    all_past_lookback_after: Option<f64>,
}

/// `a == b` for slices of equal length, comparing the first and last 8 bytes as words (the
/// whole of any text of 8 to 16 bytes) instead of calling memcmp.
#[inline]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n < 8 {
        return a == b;
    }
    let word = |s: &[u8], at: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&s[at..at + 8]);
        u64::from_le_bytes(w)
    };
    word(a, 0) == word(b, 0) && word(a, n - 8) == word(b, n - 8) && (n <= 16 || a[8..] == b[8..])
}

/// `a < b` (byte order, as `str` compares), for two texts of 8 to 16 bytes of one length
/// (sequential ids) by their first and last 8 bytes read as big-endian words, without a
/// `memcmp` call: the words overlap only where both texts agree once the first words tie.
#[inline]
fn bytes_less(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() || !(8..=16).contains(&n) {
        return a < b;
    }
    let word = |s: &[u8], at: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&s[at..at + 8]);
        u64::from_be_bytes(w)
    };
    (word(a, 0), word(a, n - 8)) < (word(b, 0), word(b, n - 8))
}

/// What every rule carries into its contribution, and its group's index.
struct Meta {
    info: RuleInfo,
    group: Option<usize>,
}

/// A rule on the lead: a positive fit rule or a penalty. Its condition is in the engine's
/// `lead_conditions` (fit rules first, then condition penalties) and reads the lead's fields
/// by slot: slot `i` is `lead_paths[i]`, read once per lead.
struct LeadRule {
    meta: Meta,
    points: f64,
}

/// A `where` clause bound to the event fields it reads: slot `i` is `fields[i]`.
struct EventFilter {
    condition: BoundCondition,
    fields: Vec<EventField>,
}

impl EventFilter {
    fn new(condition: &Condition) -> EventFilter {
        let mut paths: Vec<Box<str>> = Vec::new();
        let condition = condition.bind(&mut paths);
        let fields = paths.iter().map(|p| EventField::of(p)).collect();
        EventFilter { condition, fields }
    }

    /// `condition.matches(&EventRecord(e))`, each field read once through its resolved reader.
    fn matches(&self, e: &EngagementEvent) -> bool {
        const STACK: usize = 4;
        if let [field] = &self.fields[..] {
            // The usual `where` on one field: one value, nothing else to fill or drop.
            return self.condition.matches(std::slice::from_ref(&field.read(e)));
        }
        if self.fields.len() <= STACK {
            let mut values: [Option<FieldValue<'_>>; STACK] = [const { None }; STACK];
            for (v, f) in values.iter_mut().zip(&self.fields) {
                *v = f.read(e);
            }
            self.condition.matches(&values[..self.fields.len()])
        } else {
            let values: Vec<Option<FieldValue<'_>>> =
                self.fields.iter().map(|f| f.read(e)).collect();
            self.condition.matches(&values)
        }
    }
}

/// A rule on events: an engagement rule or an event penalty.
struct EventRule {
    meta: Meta,
    kind: Box<str>,
    filter: Option<EventFilter>,
    points: f64,
    /// Positive: the most points of the rule (for penalties, the most taken away).
    cap: Option<f64>,
    half_life_days: Option<f64>,
    lookback_days: Option<f64>,
}

/// A penalty, in model order: an index into the lead penalties or into the event rules.
enum Penalty {
    Lead(usize),
    Event(usize),
}

pub(crate) struct Engine {
    fit: Vec<LeadRule>,
    /// Engagement rules first (`..engagement`), then event penalties.
    event_rules: Vec<EventRule>,
    engagement: usize,
    penalties: Vec<Penalty>,
    /// The condition penalties, in model order.
    lead_penalties: Vec<LeadRule>,
    /// The conditions of `fit`, then of `lead_penalties`, compiled by field and matched
    /// together on each lead.
    lead_conditions: PlannedSet,
    /// Event kind -> indices of the event rules counting it, in model order.
    kinds: KindTable,
    group_caps: Vec<f64>,
    fit_cap: Option<f64>,
    engagement_cap: Option<f64>,
    grades: GradeThresholds,
    mql: MqlRule,
    /// Fields read by the lead conditions (for `missing_fields`), sorted.
    lead_paths: Vec<Box<str>>,
    /// How each of `lead_paths` is read.
    lead_fields: Vec<LeadField>,
    /// Each of `lead_fields`' reader, when none is read through `Record::field`.
    lead_readers: Option<Vec<ReadLead>>,
    /// Whether a lead field is read through `Record::field` (which may give a value owning a
    /// list); the others borrow from the lead, so their values need no drop.
    lead_values_own: bool,
}

/// The instant scored at, as whole seconds and nanoseconds since the epoch: read once per
/// batch, not once per lead. It also holds where its year and the year before begin, so that
/// an event of those years (most of them) gets its seconds from its day of the year and time
/// of day, without the calendar arithmetic of `DateTime::timestamp`.
#[derive(Clone, Copy)]
pub(crate) struct Now {
    secs: i64,
    nanos: u32,
    year: i32,
    /// Seconds since the epoch at the start of `year` and of the year before (`None` where
    /// that year is out of chrono's range).
    year_starts: [Option<i64>; 2],
}

impl Now {
    pub(crate) fn of(now: DateTime<Utc>) -> Now {
        let year = now.year();
        let start = |y: i32| {
            NaiveDate::from_yo_opt(y, 1).map(|d| d.and_time(NaiveTime::MIN).and_utc().timestamp())
        };
        Now {
            secs: now.timestamp(),
            nanos: now.timestamp_subsec_nanos(),
            year,
            year_starts: [start(year), start(year - 1)],
        }
    }

    /// `at.timestamp()`: for an instant of the year scored at or the year before, that year's
    /// start plus the day of the year and the seconds of the day (what chrono adds too).
    #[inline(always)]
    fn seconds_of(&self, at: &DateTime<Utc>) -> i64 {
        let naive = at.naive_utc();
        let (date, time) = (naive.date(), naive.time());
        let start = match self.year.wrapping_sub(date.year()) {
            0 => self.year_starts[0],
            1 => self.year_starts[1],
            _ => None,
        };
        match start {
            Some(start) => {
                start
                    + i64::from(date.ordinal0()) * 86_400
                    + i64::from(time.num_seconds_from_midnight())
            }
            None => at.timestamp(),
        }
    }
}

/// Per-rule sums, group room and the lead conditions' answers, reused from lead to lead so
/// that scoring a lead allocates nothing but the score's own lists (when they outgrow their
/// place). `sums` and `counts` are zero but at the rules in `touched`, which the next lead
/// sets back to zero: only the rules an event reached are reset.
#[derive(Default)]
pub(crate) struct Scratch {
    sums: Vec<f64>,
    counts: Vec<u64>,
    touched: Vec<u32>,
    room: Vec<f64>,
    matched: Vec<bool>,
    /// The lead conditions' answers on searched fields (job titles), remembered by text.
    memo: PlanMemo,
}

thread_local! {
    /// The scratch of [`Engine::score_one`]: scoring one lead allocates no buffers either.
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::default();
}

impl Engine {
    /// Compiles a model whose check found no problem (`checked` holds its conditions).
    pub(crate) fn new(model: &ScoringModel, checked: Checked) -> Engine {
        let group_index: HashMap<&str, usize> = model
            .groups
            .iter()
            .enumerate()
            .rev()
            .map(|(i, g)| (g.id.as_str(), i))
            .collect();
        let meta =
            |id: &str, label: &str, side: Side, event: Option<&str>, group: &Option<String>| Meta {
                info: RuleInfo {
                    id: id.into(),
                    label: label.into(),
                    side,
                    event: event.map(Into::into),
                    group: group.as_deref().map(Into::into),
                },
                group: group.as_deref().and_then(|g| group_index.get(g).copied()),
            };
        // Every field the lead conditions read, sorted: the slots they are bound to.
        let mut lead_paths: Vec<Box<str>> = {
            let mut paths: Vec<String> = checked
                .fit
                .iter()
                .flatten()
                .chain(
                    model
                        .negative_rules
                        .iter()
                        .zip(&checked.negative)
                        .filter(|(r, _)| r.event.is_none())
                        .filter_map(|(_, (lead, _))| lead.as_ref()),
                )
                .flat_map(Condition::fields)
                .collect();
            paths.sort_unstable();
            paths.dedup();
            paths.into_iter().map(String::into_boxed_str).collect()
        };
        let fit: Vec<(LeadRule, Condition)> = model
            .fit_rules
            .iter()
            .zip(checked.fit)
            .filter_map(|(r, c)| {
                Some((
                    LeadRule {
                        meta: meta(&r.id, &r.label, Side::Fit, None, &r.group),
                        points: r.points,
                    },
                    c?,
                ))
            })
            .collect();
        let (fit, mut conditions): (Vec<LeadRule>, Vec<Condition>) = fit.into_iter().unzip();
        let mut event_rules: Vec<EventRule> = model
            .engagement_rules
            .iter()
            .zip(checked.engagement)
            .map(|(r, filter)| EventRule {
                meta: meta(&r.id, &r.label, Side::Engagement, Some(&r.event), &r.group),
                kind: r.event.as_str().into(),
                filter: filter.as_ref().map(EventFilter::new),
                points: r.points,
                cap: r.cap,
                half_life_days: r.half_life_days,
                lookback_days: r.lookback_days,
            })
            .collect();
        let engagement = event_rules.len();
        let mut penalties = Vec::with_capacity(model.negative_rules.len());
        let mut lead_penalties = Vec::new();
        for (r, (lead, filter)) in model.negative_rules.iter().zip(checked.negative) {
            match (&r.event, lead) {
                (Some(kind), _) => {
                    penalties.push(Penalty::Event(event_rules.len()));
                    event_rules.push(EventRule {
                        meta: meta(&r.id, &r.label, Side::Engagement, Some(kind), &None),
                        kind: kind.as_str().into(),
                        filter: filter.as_ref().map(EventFilter::new),
                        points: r.points,
                        cap: r.cap,
                        half_life_days: r.half_life_days,
                        lookback_days: r.lookback_days,
                    });
                }
                (None, Some(condition)) => {
                    penalties.push(Penalty::Lead(lead_penalties.len()));
                    lead_penalties.push(LeadRule {
                        meta: meta(&r.id, &r.label, Side::Fit, None, &None),
                        points: r.points,
                    });
                    conditions.push(condition);
                }
                (None, None) => {}
            }
        }
        let kinds = KindTable::new(
            event_rules
                .iter()
                .map(|r| (&*r.kind, r.filter.is_some(), r.lookback_days)),
        );
        let conditions: Vec<&Condition> = conditions.iter().collect();
        let lead_conditions = PlannedSet::new(&conditions, &mut lead_paths);
        let lead_fields: Vec<LeadField> = lead_paths.iter().map(|p| LeadField::of(p)).collect();
        Engine {
            fit,
            event_rules,
            engagement,
            penalties,
            lead_penalties,
            lead_conditions,
            kinds,
            group_caps: model.groups.iter().map(|g| g.cap).collect(),
            fit_cap: model.caps.fit,
            engagement_cap: model.caps.engagement,
            grades: model.grades.clone(),
            mql: model.mql.clone(),
            lead_values_own: lead_fields.iter().any(|f| matches!(f, LeadField::Path(_))),
            lead_readers: lead_fields.iter().map(LeadField::reader).collect(),
            lead_fields,
            lead_paths,
        }
    }

    /// The field paths the lead conditions read, sorted.
    pub(crate) fn lead_paths(&self) -> impl Iterator<Item = &str> {
        self.lead_paths.iter().map(|p| &**p)
    }

    pub(crate) fn scratch(&self) -> Scratch {
        Scratch::default()
    }

    /// A contribution that fills the unused places of a score's list (never read): see
    /// [`Score::blank`]. `None` for a model without rules.
    pub(crate) fn filler(&self) -> Option<Contribution<'_>> {
        let rule = (self.fit.first().map(|r| &r.meta.info))
            .or_else(|| self.event_rules.first().map(|r| &r.meta.info))
            .or_else(|| self.lead_penalties.first().map(|r| &r.meta.info))?;
        Some(Contribution {
            rule,
            points: 0.0,
            events: None,
            capped_from: None,
        })
    }

    /// [`Engine::fill`] with this thread's scratch, into a new score.
    pub(crate) fn score_one<'a, 'e>(
        &'a self,
        lead: &'a Lead,
        own: impl Iterator<Item = &'e EngagementEvent>,
        given: usize,
        now: Now,
    ) -> Score<'a> {
        let mut score = Score::blank(lead.id.as_str(), self.filler());
        SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut scratch) => self.fill(&mut score, lead, own, given, now, &mut scratch),
            // Only reachable if scoring ever re-entered itself on this thread.
            Err(_) => self.fill(&mut score, lead, own, given, now, &mut Scratch::default()),
        });
        score
    }

    /// Scores `lead` on `own` (its events, in the order given) into `score`, a
    /// [`Score::blank`] of the lead, where it stays: a batch's scores are filled in their
    /// place in the result's list, so the ~500-byte score is never copied. `given` is how many
    /// events were given in all, so that the others are reported as `other_lead`.
    pub(crate) fn fill<'a, 'e>(
        &'a self,
        score: &mut Score<'a>,
        lead: &'a Lead,
        own: impl Iterator<Item = &'e EngagementEvent>,
        given: usize,
        now: Now,
        scratch: &mut Scratch,
    ) {
        // The lead's fields, each read once, on the stack for any usual model.
        const STACK: usize = 8;
        let fields = &self.lead_fields;
        if fields.len() <= STACK {
            let mut values: [Option<FieldValue<'a>>; STACK] = [const { None }; STACK];
            match &self.lead_readers {
                Some(readers) => {
                    for (v, read) in values.iter_mut().zip(readers) {
                        *v = read(lead);
                    }
                }
                None => read_lead_fields(fields, lead, &mut values),
            }
            self.fill_from(score, &values[..fields.len()], own, given, now, scratch);
            // Values read straight from the lead borrow it and own nothing: only a value read
            // through `Record::field` can hold a list to free.
            if self.lead_values_own {
                drop(values);
            } else {
                std::mem::forget(values);
            }
        } else {
            let values: Vec<Option<FieldValue<'a>>> = fields.iter().map(|f| f.read(lead)).collect();
            self.fill_from(score, &values, own, given, now, scratch);
        }
    }

    /// [`Engine::fill`] once the lead's fields are read: `values[i]` is `lead_paths[i]`.
    #[inline(always)]
    fn fill_from<'a, 'e>(
        &'a self,
        score: &mut Score<'a>,
        values: &[Option<FieldValue<'a>>],
        own: impl Iterator<Item = &'e EngagementEvent>,
        given: usize,
        now: Now,
        scratch: &mut Scratch,
    ) {
        let Scratch {
            sums,
            counts,
            touched,
            room,
            matched,
            memo,
        } = scratch;
        let n = self.event_rules.len();
        if sums.len() != n || counts.len() != n {
            sums.clear();
            sums.resize(n, 0.0);
            counts.clear();
            counts.resize(n, 0);
            touched.clear();
        }
        for &r in touched.iter() {
            sums[r as usize] = 0.0;
            counts[r as usize] = 0;
        }
        touched.clear();
        if room.len() != self.group_caps.len() {
            room.clear();
            room.resize(self.group_caps.len(), 0.0);
        }
        for (r, &cap) in room.iter_mut().zip(&self.group_caps) {
            *r = cap;
        }

        let events = &mut score.events;
        let mut seen: u64 = 0;
        let (now_s, now_ns) = (now.secs, now.nanos);
        for e in own {
            seen += 1;
            let (at_s, at_ns) = (now.seconds_of(&e.at), e.at.timestamp_subsec_nanos());
            if (at_s, at_ns) > (now_s, now_ns) {
                events.future += 1;
                continue;
            }
            let Some(kind) = self.kinds.get(e.kind.as_str()) else {
                events.unscored += 1;
                continue;
            };
            // Seconds, exact for whole seconds (timestamps far apart lose only nanoseconds).
            let age_seconds = (now_s - at_s) as f64 + (f64::from(now_ns) - f64::from(at_ns)) * 1e-9;
            let age_days = age_seconds / 86_400.0;
            if kind.all_past_lookback_after.is_some_and(|l| age_days > l) {
                // What the loop below would find, without its `where` tests.
                events.outside_lookback += 1;
                continue;
            }
            let (mut scored, mut counted) = (false, false);
            for &r in &kind.rules {
                let rule = &self.event_rules[r as usize];
                if let Some(f) = &rule.filter {
                    if !f.matches(e) {
                        continue;
                    }
                }
                scored = true;
                if rule.lookback_days.is_some_and(|l| age_days > l) {
                    continue;
                }
                counted = true;
                let points = match rule.half_life_days {
                    Some(h) => rule.points * (-age_days / h).exp2(),
                    None => rule.points,
                };
                let count = &mut counts[r as usize];
                if *count == 0 {
                    touched.push(r);
                }
                *count += 1;
                sums[r as usize] += points;
            }
            if counted {
                events.counted += 1;
            } else if scored {
                events.outside_lookback += 1;
            } else {
                events.unscored += 1;
            }
        }
        events.other_lead = (given as u64).saturating_sub(seen);

        matched.resize(self.lead_conditions.len(), false);
        self.lead_conditions.matches_each(values, matched, memo);
        let (fit_matched, penalty_matched) = matched.split_at(self.fit.len());

        // Contributions in model order, straight into the score's list, each side's total
        // summed in that order.
        let contributions = &mut score.contributions;
        let (mut fit, mut engagement) = (0.0, 0.0);
        // Positive fit rules: group caps, then the fit cap, filled in rule order.
        let mut side_room = self.fit_cap;
        for (r, _) in self.fit.iter().zip(fit_matched).filter(|(_, &m)| m) {
            let points = keep(r.points, &r.meta, room, &mut side_room);
            fit += points;
            contributions.push(Contribution {
                rule: &r.meta.info,
                points,
                events: None,
                capped_from: (points != r.points).then_some(r.points),
            });
        }
        // Engagement rules: decayed sum, rule cap, group caps, then the engagement cap.
        let mut side_room = self.engagement_cap;
        for (i, r) in self.event_rules[..self.engagement].iter().enumerate() {
            if counts[i] == 0 {
                continue;
            }
            let uncapped = round2(sums[i]);
            let capped = under_cap(sums[i], uncapped, r.cap);
            let points = keep(capped, &r.meta, room, &mut side_room);
            engagement += points;
            contributions.push(event_contribution(r, counts[i], uncapped, points));
        }
        // Penalties, after every cap, in model order.
        for p in &self.penalties {
            match *p {
                Penalty::Lead(i) => {
                    if penalty_matched[i] {
                        let r = &self.lead_penalties[i];
                        fit += r.points;
                        contributions.push(Contribution {
                            rule: &r.meta.info,
                            points: r.points,
                            events: None,
                            capped_from: None,
                        });
                    }
                }
                Penalty::Event(j) => {
                    if counts[j] == 0 {
                        continue;
                    }
                    let r = &self.event_rules[j];
                    let uncapped = round2(sums[j]);
                    let points = above_cap(sums[j], uncapped, r.cap);
                    engagement += points;
                    contributions.push(event_contribution(r, counts[j], uncapped, points));
                }
            }
        }

        let (fit, engagement) = (round2(fit), round2(engagement));
        let total = round2(fit + engagement);
        let step = |x: f64, t: &[f64; 3]| t.iter().position(|&t| x >= t).unwrap_or(3);
        score.grade = Grade::from_steps(
            step(fit, &self.grades.fit),
            step(engagement, &self.grades.engagement),
        );
        score.mql = self.mql.fit_min.is_none_or(|m| fit >= m)
            && self.mql.engagement_min.is_none_or(|m| engagement >= m)
            && self.mql.total_min.is_none_or(|m| total >= m);
        (score.fit, score.engagement, score.total) = (fit, engagement, total);
        for (p, v) in self.lead_paths.iter().zip(values) {
            if v.is_none() {
                score.missing_fields.push(p);
            }
        }
    }
}

/// `values[i] = fields[i].read(lead)`, for a model reading a field through `Record::field`
/// (other models read through [`LeadField::reader`]).
#[inline(never)]
fn read_lead_fields<'a>(
    fields: &[LeadField],
    lead: &'a Lead,
    values: &mut [Option<FieldValue<'a>>],
) {
    for (v, f) in values.iter_mut().zip(fields) {
        *v = f.read(lead);
    }
}

/// `round2(cap.map_or(sum, |c| sum.min(c)))`, given `uncapped = round2(sum)`: under its cap a
/// rule's capped sum is its sum, already rounded (one rounding per rule, not two).
#[inline(always)]
fn under_cap(sum: f64, uncapped: f64, cap: Option<f64>) -> f64 {
    match cap {
        Some(c) if sum < c => uncapped,
        Some(c) => round2(sum.min(c)),
        None => uncapped,
    }
}

/// `round2(cap.map_or(sum, |c| sum.max(-c)))` for a penalty, given `uncapped = round2(sum)`.
#[inline(always)]
fn above_cap(sum: f64, uncapped: f64, cap: Option<f64>) -> f64 {
    match cap {
        Some(c) if sum > -c => uncapped,
        Some(c) => round2(sum.max(-c)),
        None => uncapped,
    }
}

/// The contribution of an event rule that counted `count` events summing to `uncapped`
/// (rounded) and keeps `points` of them.
fn event_contribution(
    rule: &EventRule,
    count: u64,
    uncapped: f64,
    points: f64,
) -> Contribution<'_> {
    Contribution {
        rule: &rule.meta.info,
        points,
        events: Some(count),
        capped_from: (points != uncapped).then_some(uncapped),
    }
}

/// What a positive rule keeps of `points` under its group's room and its side's room, both
/// reduced by what it keeps. Every value is on the 0.01 grid, so `min` stays on it and the
/// subtractions are rounded back onto it.
#[inline]
fn keep(points: f64, meta: &Meta, room: &mut [f64], side_room: &mut Option<f64>) -> f64 {
    let mut kept = points;
    if let Some(g) = meta.group {
        kept = kept.min(room[g]);
    }
    if let Some(s) = side_room {
        kept = kept.min(*s);
        *s = round2(*s - kept);
    }
    if let Some(g) = meta.group {
        room[g] = round2(room[g] - kept);
    }
    kept
}

/// An event as a condition record: `kind`, `at`, `lead_id`, `id`, `contact_id`, `account_id`;
/// any other name (bare or `attributes.<key>`) reads an attribute. Scoring reads events through
/// [`EventField`], resolved once per model; this is the reading those readers are tested against.
#[cfg(test)]
pub(crate) struct EventRecord<'a>(pub &'a EngagementEvent);

#[cfg(test)]
impl crate::condition::Record for EventRecord<'_> {
    fn field(&self, path: &str) -> Option<FieldValue<'_>> {
        let e = self.0;
        match path {
            "kind" => Some(FieldValue::Text(&e.kind)),
            "at" => Some(FieldValue::Timestamp(e.at)),
            "lead_id" => Some(FieldValue::Text(e.lead_id.as_str())),
            "id" => e.id.as_ref().map(|x| FieldValue::Text(x.as_str())),
            "contact_id" => e.contact_id.as_ref().map(|x| FieldValue::Text(x.as_str())),
            "account_id" => e.account_id.as_ref().map(|x| FieldValue::Text(x.as_str())),
            _ => {
                let path = path.strip_prefix("attributes.").unwrap_or(path);
                e.attributes.field(path)
            }
        }
    }
}

/// Each lead's events as one run of the batch's events, when they come that way: every event
/// names the lead at its position in `leads` (events grouped by lead, in lead order, none of
/// another lead) and lead ids are unique, so the run at a lead's position holds all its events,
/// in the order given. `None` otherwise ([`Grouped`] then groups them).
pub(crate) fn runs_in_lead_order(
    leads: &[Lead],
    events: &[EngagementEvent],
) -> Option<Vec<(usize, usize)>> {
    let mut runs = Vec::with_capacity(leads.len());
    let mut j = 0;
    for lead in leads {
        let id = lead.id.as_str().as_bytes();
        let from = j;
        while j < events.len() && same_bytes(events[j].lead_id.as_str().as_bytes(), id) {
            j += 1;
        }
        runs.push((from, j));
    }
    if j != events.len() {
        return None;
    }
    // Unique ids: strictly increasing (one comparison per lead), or no repeat in a set.
    let increasing = leads
        .windows(2)
        .all(|w| bytes_less(w[0].id.as_str().as_bytes(), w[1].id.as_str().as_bytes()));
    if !increasing {
        let mut seen: FxMap<&str, ()> = FxMap::default();
        seen.reserve(leads.len());
        if leads
            .iter()
            .any(|l| seen.insert(l.id.as_str(), ()).is_some())
        {
            return None;
        }
    }
    Some(runs)
}

/// A batch's events grouped by lead in one pass: `events_of(i)` yields lead `i`'s events in
/// the order given (leads sharing an id share their events, as scoring them one by one would).
pub(crate) struct Grouped {
    bucket_of_lead: Vec<usize>,
    /// `order[offsets[b]..offsets[b + 1]]` are the indices of bucket `b`'s events.
    offsets: Vec<usize>,
    order: Vec<usize>,
}

impl Grouped {
    pub(crate) fn new(leads: &[Lead], events: &[EngagementEvent]) -> Grouped {
        let mut index: FxMap<&str, usize> = FxMap::default();
        index.reserve(leads.len());
        let bucket_of_lead: Vec<usize> = leads
            .iter()
            .map(|l| {
                let next = index.len();
                *index.entry(l.id.as_str()).or_insert(next)
            })
            .collect();
        let buckets = index.len();
        const NONE: usize = usize::MAX;
        // Events usually come grouped by lead: reuse the last lookup while the id repeats.
        let mut last: Option<(&str, usize)> = None;
        let event_bucket: Vec<usize> = events
            .iter()
            .map(|e| {
                let id = e.lead_id.as_str();
                match last {
                    Some((l, b)) if same_bytes(l.as_bytes(), id.as_bytes()) => b,
                    _ => {
                        let b = index.get(id).copied().unwrap_or(NONE);
                        last = Some((id, b));
                        b
                    }
                }
            })
            .collect();
        let mut offsets = vec![0usize; buckets + 1];
        for &b in &event_bucket {
            if b != NONE {
                offsets[b + 1] += 1;
            }
        }
        for b in 0..buckets {
            offsets[b + 1] += offsets[b];
        }
        let mut fill: Vec<usize> = offsets[..buckets].to_vec();
        let mut order = vec![0usize; offsets[buckets]];
        for (j, &b) in event_bucket.iter().enumerate() {
            if b != NONE {
                let slot = &mut fill[b];
                order[*slot] = j;
                *slot += 1;
            }
        }
        Grouped {
            bucket_of_lead,
            offsets,
            order,
        }
    }

    pub(crate) fn events_of<'e>(
        &self,
        lead: usize,
        events: &'e [EngagementEvent],
    ) -> impl Iterator<Item = &'e EngagementEvent> + use<'_, 'e> {
        let b = self.bucket_of_lead[lead];
        self.order[self.offsets[b]..self.offsets[b + 1]]
            .iter()
            .map(move |&j| &events[j])
    }
}

#[cfg(test)]
mod tests {
    use super::{above_cap, bytes_less, runs_in_lead_order, same_bytes, under_cap, KindTable, Now};
    use crate::model::{EngagementEvent, Lead};
    use crate::routing::parse_now;
    use crate::sample::{generate, SampleOptions};
    use crate::scoring::rules::{Scorer, ScoringModel};
    use proptest::prelude::*;
    use std::collections::HashMap;

    /// Skipping the `where` tests of events past every lookback changes no score: the sample
    /// world (page views with and without the pricing `where`, unsubscribes, every kind) scored
    /// at many instants, with the shortcut and without it, gives the same scores bit for bit.
    #[test]
    fn skipping_events_past_every_lookback_changes_nothing() {
        let world = generate(&SampleOptions {
            leads: 400,
            ..SampleOptions::default()
        });
        let model: ScoringModel = world.scoring_model.clone().expect("a model");
        let fast = Scorer::new(model.clone()).expect("valid");
        let mut slow = Scorer::new(model).expect("valid");
        let mut shortcuts = 0;
        for (_, k) in slow.engine.kinds.kinds.iter_mut() {
            shortcuts += usize::from(k.all_past_lookback_after.take().is_some());
        }
        assert!(shortcuts >= 2, "the sample model exercises the shortcut");
        let mut outside = 0;
        for now in [
            "2025-06-01T00:00:00Z",
            "2026-03-01T00:00:00Z",
            "2026-07-01T00:00:00Z",
            "2026-10-15T12:30:00.5Z",
            "2027-03-01T00:00:00Z",
            "2028-01-01T00:00:00Z",
        ] {
            let now = parse_now(now).expect("an instant");
            let a = fast.score_batch(&world.leads, &world.events, now);
            let b = slow.score_batch(&world.leads, &world.events, now);
            assert_eq!(a, b);
            outside += a.iter().map(|s| s.events.outside_lookback).sum::<u64>();
        }
        assert!(outside > 0);
    }

    /// A small world whose leads and events the grouping proptest rearranges.
    fn small_world() -> (Vec<Lead>, Vec<EngagementEvent>, Scorer) {
        let world = generate(&SampleOptions {
            leads: 12,
            ..SampleOptions::default()
        });
        let scorer = Scorer::new(world.scoring_model.clone().expect("a model")).expect("valid");
        (world.leads, world.events, scorer)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Batch scoring gives what scoring each lead on all the events gives, whichever way
        /// the events are grouped: in lead order (the runs fast path), shuffled, with leads
        /// repeated (shared ids share their events), leads in any order (ids not increasing),
        /// events of leads not in the batch, and leads left out.
        #[test]
        fn batch_grouping_matches_one_by_one(
            lead_picks in prop::collection::vec(0usize..12, 0..14),
            shuffle in any::<bool>(),
            rotate in 0usize..80,
            stray in any::<bool>(),
        ) {
            let (all_leads, all_events, scorer) = small_world();
            let now = parse_now("2026-07-01T00:00:00Z").expect("an instant");
            let leads: Vec<Lead> = lead_picks.iter().map(|&i| all_leads[i].clone()).collect();
            // Events in the order of the picked leads (grouped, in lead order).
            let mut events: Vec<EngagementEvent> = leads
                .iter()
                .flat_map(|l| all_events.iter().filter(move |e| e.lead_id == l.id).cloned())
                .collect();
            if shuffle && !events.is_empty() {
                let k = rotate % events.len();
                events.rotate_left(k);
                events.swap(0, k / 2);
            }
            if stray {
                let mut e = all_events[0].clone();
                e.lead_id = crate::model::LeadId("lead-none".into());
                events.insert(events.len() / 2, e);
            }
            let fast = runs_in_lead_order(&leads, &events).is_some();
            let batch = scorer.score_batch(&leads, &events, now);
            prop_assert_eq!(batch.len(), leads.len());
            for (lead, b) in leads.iter().zip(&batch) {
                prop_assert_eq!(&scorer.score(lead, &events, now), b, "fast path {}", fast);
            }
        }
    }

    /// Leaves on the sample leads' fields (and an attribute), for random models.
    fn lead_leaf() -> impl Strategy<Value = serde_json::Value> {
        use serde_json::json;
        prop::sample::select(vec![
            json!({"field": "title", "matches": "(?i)vp|head|chief|ceo|founder|director"}),
            json!({"field": "title", "contains": "student"}),
            json!({"field": "title", "contains": "SALES", "case_sensitive": true}),
            json!({"field": "title", "starts_with": "vp"}),
            json!({"field": "industry", "in": ["software", "technology", "financial_services"]}),
            json!({"field": "industry", "in": ["Software", "retail"], "case_sensitive": true}),
            json!({"field": "industry", "eq": "healthcare"}),
            json!({"field": "employees", "between": [200, 4999]}),
            json!({"field": "employees", "gte": 5000}),
            json!({"field": "employees", "lt": 50}),
            json!({"field": "country", "in": ["US", "CA", "GB", "DE"]}),
            json!({"field": "country", "not_in": ["US"]}),
            json!({"field": "source", "in": ["referral", "partner"]}),
            json!({"field": "source", "exists": false}),
            json!({"field": "email", "free_mail": true}),
            json!({"field": "email", "ends_with": ".edu"}),
            json!({"field": "email", "email_domain": ["gmail.com"]}),
            json!({"field": "attributes.tier", "in": ["gold", 1]}),
            json!({"field": "attributes.tier", "exists": true}),
        ])
    }

    fn lead_condition() -> impl Strategy<Value = serde_json::Value> {
        crate::condition::strategies::nested(lead_leaf(), 3, 10, 1..4)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        /// Random models of fit rules and condition penalties scored on sample leads with
        /// fields blanked, recased, made non-ASCII or given odd attributes: a fit rule or
        /// penalty contributes exactly when its condition matches the lead (the general
        /// interpreter), in model order, and the missing fields are the lead paths absent.
        #[test]
        fn compiled_lead_conditions_answer_as_the_interpreter(
            fit in prop::collection::vec(lead_condition(), 1..7),
            penalties in prop::collection::vec(lead_condition(), 0..3),
            edits in prop::collection::vec((0usize..12, 0usize..8), 0..12),
        ) {
            use crate::condition::Condition;
            use crate::scoring::rules::Side;
            use serde_json::json;
            let fit_rules: Vec<serde_json::Value> = fit.iter().enumerate()
                .map(|(i, c)| json!({"id": format!("f{i}"), "label": "f", "condition": c, "points": 5 + i}))
                .collect();
            let negative_rules: Vec<serde_json::Value> = penalties.iter().enumerate()
                .map(|(i, c)| json!({"id": format!("n{i}"), "label": "n", "condition": c, "points": -3}))
                .collect();
            let model = json!({"version": 1, "fit_rules": fit_rules, "engagement_rules": [],
                               "negative_rules": negative_rules,
                               "grades": {"fit": [60, 40, 20], "engagement": [35, 15, 5]},
                               "mql": {"fit_min": 40}});
            let scorer = Scorer::from_json(&model).expect("a valid model");
            let (mut leads, events, _) = small_world();
            for (i, edit) in edits {
                let lead = &mut leads[i];
                match edit {
                    0 => lead.title = None,
                    1 => lead.email = Some("Ann <ANN@GMail.COM>".into()),
                    2 => lead.industry = lead.industry.as_ref().map(|s| s.to_uppercase()),
                    3 => lead.country = Some("\u{212A}E".into()),
                    4 => lead.employees = None,
                    5 => { lead.attributes.insert("tier".into(), json!(1)); }
                    6 => lead.title = Some(String::new()),
                    _ => lead.source = None,
                }
            }
            let now = parse_now("2026-07-01T00:00:00Z").expect("an instant");
            let conditions: Vec<Condition> = fit.iter().chain(&penalties)
                .map(|c| Condition::parse(c).expect("valid"))
                .collect();
            for (lead, score) in leads.iter().zip(scorer.score_batch(&leads, &events, now)) {
                let want: Vec<String> = (0..fit.len()).map(|i| format!("f{i}"))
                    .chain((0..penalties.len()).map(|i| format!("n{i}")))
                    .zip(&conditions)
                    .filter(|(_, c)| c.matches(lead))
                    .map(|(id, _)| id)
                    .collect();
                let got: Vec<String> = score.contributions.iter()
                    .filter(|c| c.rule.side == Side::Fit)
                    .map(|c| c.rule.id.to_string())
                    .collect();
                prop_assert_eq!(&got, &want, "lead {:?}", lead.id);
                let missing: Vec<&str> = scorer.engine.lead_paths()
                    .filter(|p| crate::condition::Record::field(lead, p).is_none())
                    .collect();
                let reported: Vec<&str> = score.missing_fields.iter().map(|p| &**p).collect();
                prop_assert_eq!(reported, missing);
            }
        }
    }

    #[test]
    fn the_runs_fast_path_is_taken_only_when_it_holds() {
        let (leads, events, _) = small_world();
        assert!(runs_in_lead_order(&leads, &events).is_some());
        // Unique ids, not increasing: still runs.
        let rev_leads: Vec<Lead> = leads.iter().rev().cloned().collect();
        let rev_events: Vec<EngagementEvent> = rev_leads
            .iter()
            .flat_map(|l| events.iter().filter(move |e| e.lead_id == l.id).cloned())
            .collect();
        assert!(runs_in_lead_order(&rev_leads, &rev_events).is_some());
        // A repeated lead with events: not runs.
        let with_events = leads
            .iter()
            .find(|l| events.iter().any(|e| e.lead_id == l.id))
            .expect("a lead with events");
        let twice = vec![with_events.clone(), with_events.clone()];
        let its: Vec<EngagementEvent> = events
            .iter()
            .filter(|e| e.lead_id == with_events.id)
            .cloned()
            .collect();
        assert!(runs_in_lead_order(&twice, &its).is_none());
        // No leads, some events: not runs; nothing at all: runs.
        assert!(runs_in_lead_order(&[], &its).is_none());
        assert_eq!(runs_in_lead_order(&[], &[]), Some(vec![]));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        /// Rounding a sum once for both the contribution's `capped_from` and its capped points
        /// gives what rounding the capped sum does: sums and caps on and off the 0.01 grid,
        /// equal, either side by an ulp, zeros of both signs, NaN and infinities, no cap.
        #[test]
        fn one_rounding_under_a_cap_is_the_capped_rounding(
            cents in -100_000i64..100_000,
            cap_cents in 0i64..100_000,
            wobble in -3i64..=3,
            pick in 0usize..8,
        ) {
            use crate::scoring::rules::round2;
            let on_grid = cents as f64 / 100.0;
            let sum = [on_grid, f64::from_bits(on_grid.to_bits().wrapping_add_signed(wobble)), cap_cents as f64 / 100.0,
                       -0.0, f64::NAN, f64::INFINITY, f64::NEG_INFINITY, on_grid * 1.0000001][pick];
            let c = cap_cents as f64 / 100.0;
            for cap in [Some(c), Some(f64::from_bits(c.to_bits() + 1)), Some(0.0), None] {
                let uncapped = round2(sum);
                let want = round2(cap.map_or(sum, |c| sum.min(c)));
                let got = under_cap(sum, uncapped, cap);
                prop_assert!(got.to_bits() == want.to_bits() || (got.is_nan() && want.is_nan()), "{} {:?}", sum, cap);
                let want = round2(cap.map_or(sum, |c| sum.max(-c)));
                let got = above_cap(sum, uncapped, cap);
                prop_assert!(got.to_bits() == want.to_bits() || (got.is_nan() && want.is_nan()), "{} {:?}", sum, cap);
            }
        }

        /// An event's seconds from its year's start are `timestamp()`'s, in the year scored at,
        /// the year before and any other (chrono's own path), before 1970 and after, on leap
        /// days, in leap seconds and with nanoseconds, at the ends of chrono's range.
        #[test]
        fn seconds_from_the_year_start_are_the_timestamp(
            now_secs in -80_000_000_000i64..80_000_000_000,
            offset in -3i64 * 366 * 86_400..2 * 366 * 86_400,
            nanos in 0u32..2_000_000_000,
            far in any::<bool>(),
        ) {
            use chrono::{DateTime, Utc};
            let now = DateTime::<Utc>::from_timestamp(now_secs, 0).expect("in range");
            let at_secs = if far { now_secs.wrapping_mul(7) % 8_000_000_000_000 } else { now_secs - offset };
            // Nanoseconds past 1e9 only in a leap second (the last second of a day).
            let at_secs = if nanos >= 1_000_000_000 { at_secs - at_secs.rem_euclid(86_400) + 86_399 } else { at_secs };
            if let Some(at) = DateTime::<Utc>::from_timestamp(at_secs, nanos) {
                prop_assert_eq!(Now::of(now).seconds_of(&at), at.timestamp(), "{} at {}", at, now);
            }
            for edge in [DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC] {
                prop_assert_eq!(Now::of(now).seconds_of(&edge), edge.timestamp());
                prop_assert_eq!(Now::of(edge).seconds_of(&now), now.timestamp());
                prop_assert_eq!(Now::of(edge).seconds_of(&edge), edge.timestamp());
            }
        }
    }

    #[test]
    fn seconds_on_leap_days_and_year_ends_are_the_timestamp() {
        for now in [
            "2024-07-01T00:00:00Z",
            "2025-01-01T00:00:00Z",
            "1969-06-30T12:00:00Z",
            "1970-01-01T00:00:00Z",
            "2001-03-01T00:00:00Z",
        ] {
            let now = parse_now(now).expect("an instant");
            for at in [
                "2024-02-29T23:59:59.999999999Z",
                "2024-12-31T23:59:60.5Z",
                "2023-12-31T23:59:59Z",
                "2024-01-01T00:00:00Z",
                "1968-02-29T12:00:00Z",
                "1969-12-31T23:59:59.25Z",
                "2000-02-29T00:00:00Z",
                "2000-12-31T23:59:59Z",
                "1900-03-01T00:00:00Z",
            ] {
                let at = parse_now(at).expect("an instant");
                assert_eq!(
                    Now::of(now).seconds_of(&at),
                    at.timestamp(),
                    "{at} at {now}"
                );
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        /// The kind table finds what a plain map of kinds to rule indices finds, for kinds of
        /// every length (empty, under a word, one word, two, longer), crowded lengths
        /// (the hashed fallback) and look-alikes that differ in one byte.
        #[test]
        fn kind_table_finds_what_a_map_finds(
            rule_kinds in prop::collection::vec("[ab_]{0,3}|[ab]{7,9}|[ab]{15,18}|[a-j]{2}", 0..30),
            probes in prop::collection::vec("[ab_]{0,3}|[ab]{7,9}|[ab]{15,18}|[a-j]{2}|é|", 0..20),
        ) {
            let table = KindTable::new(rule_kinds.iter().map(|k| (k.as_str(), false, None)));
            let mut want: HashMap<&str, Vec<u32>> = HashMap::new();
            for (i, k) in rule_kinds.iter().enumerate() {
                want.entry(k.as_str()).or_default().push(i as u32);
            }
            for k in rule_kinds.iter().chain(&probes) {
                prop_assert_eq!(table.get(k).map(|r| &r.rules[..]), want.get(k.as_str()).map(|v| &v[..]), "{:?}", k);
            }
        }

        #[test]
        fn bytes_less_is_slice_order(a in prop::collection::vec(0u8..4, 0..20), b in prop::collection::vec(0u8..4, 0..20), n in 0usize..20) {
            prop_assert_eq!(bytes_less(&a, &b), a < b);
            // Same length (the word path for 8 to 16 bytes), differing anywhere or nowhere.
            let (x, y): (Vec<u8>, Vec<u8>) = (a.iter().chain(&b).copied().take(n).collect(), b.iter().chain(&a).copied().take(n).collect());
            if x.len() == y.len() {
                prop_assert_eq!(bytes_less(&x, &y), x < y);
                prop_assert_eq!(bytes_less(&y, &x), y < x);
                prop_assert!(!bytes_less(&x, &x));
            }
        }

        #[test]
        fn same_bytes_is_slice_equality(a in prop::collection::vec(0u8..3, 0..40), flip in any::<prop::sample::Index>()) {
            let mut b = a.clone();
            prop_assert!(same_bytes(&a, &b));
            if !b.is_empty() {
                let i = flip.index(b.len());
                b[i] ^= 1;
                prop_assert_eq!(same_bytes(&a, &b), a == b);
            }
            prop_assert_eq!(same_bytes(&a, &b[..b.len() / 2]), a.len() == b.len() / 2 && a[..] == b[..b.len() / 2]);
        }
    }
}
