//! A rep's working calendar for routing: availability at an instant (time off, holidays,
//! working hours in the rep's own time zone) and the SLA clock, which counts only working
//! minutes and jumps from one working stretch to the next rather than minute by minute.

use crate::model::Rep;
use chrono::{
    DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Timelike,
    Utc,
};
use chrono_tz::Tz;

/// How far ahead the SLA clock looks for working time before giving up and counting plain minutes.
const SEARCH_DAYS: i64 = 366;

/// The most local days past `start`'s the fixed-offset SLA clock looks at (weekends, a
/// holiday, a few weeks of time off); later due times take the general path.
const FIXED_DAYS: i64 = 31;

/// How far on either side of the span the fixed-offset SLA clock checks the offset.
const MARGIN: Duration = Duration::days(3);

/// The most time between two instants where the fixed-offset SLA clock reads the offset.
const PROBE_STEP: Duration = Duration::days(7);

/// How far past what it needs the fixed-offset SLA clock checks the offset when it has to look
/// again, so that later leads find it known ([`KnownOffset`]).
const AHEAD: Duration = Duration::days(28);

const NANOS: i64 = 1_000_000_000;

/// The UTC seconds the fixed-offset SLA clock starts from, either side of the epoch: every
/// instant it computes (up to [`FIXED_DAYS`] and a day or two of offset and margin later)
/// then fits in 64-bit nanoseconds, which reach from 1677 to 2262. Other starts take the
/// general path.
const FIXED_SECS: i64 = 9_000_000_000;

/// Seconds and nanoseconds of `n` nanoseconds since the epoch.
fn split_nanos(n: i64) -> (i64, u32) {
    (n.div_euclid(NANOS), n.rem_euclid(NANOS) as u32)
}

/// Days since 1970-01-01 of `date`.
fn day_number(date: NaiveDate) -> i64 {
    i64::from(date.num_days_from_ce()) - UNIX_EPOCH_DAYS_FROM_CE
}

/// `NaiveDate::num_days_from_ce` of 1970-01-01.
const UNIX_EPOCH_DAYS_FROM_CE: i64 = 719_163;

/// [`day_number`] of every date, in the same order.
fn day_numbers(dates: &[NaiveDate]) -> Vec<i64> {
    dates.iter().map(|&d| day_number(d)).collect()
}

/// The weekday of day number `day` (days since 1970-01-01, a Thursday), Monday = 0.
fn weekday_of(day: i64) -> usize {
    (day + 3).rem_euclid(7) as usize
}

/// What a router knows of one rep's UTC offset: `offset` (seconds) is in force from `from` to
/// `to` (UTC seconds, both included), read at both ends and at most [`PROBE_STEP`] apart in
/// between, as the fixed-offset SLA clock checks a span. It is a cache: it never changes an
/// answer, only how many time-zone look-ups it takes (empty at first).
#[derive(Debug, Clone, Copy)]
pub(crate) struct KnownOffset {
    from: i64,
    to: i64,
    offset: i64,
    /// The last local date looked up, as days since 1970-01-01 and as a date.
    day: i64,
    date: NaiveDate,
    /// The last UTC date of a due time, the same way.
    due_day: i64,
    due_date: NaiveDate,
    /// The last instant's local date and seconds since local midnight, by its UTC seconds
    /// (decisions of a batch are taken at one instant).
    local: Option<(i64, NaiveDate, u32)>,
    /// The last SLA clock answer: start, minutes, due time (a batch's decisions for one rep
    /// start at one instant with the same minutes).
    sla: Option<(DateTime<Utc>, u32, DateTime<Utc>)>,
    /// The first working stretch the fixed-offset clock found after its last start
    /// ([`Stretch`]): leads that arrive a little later count from it without walking the days.
    stretch: Option<Stretch>,
}

/// A stretch of working time found by the fixed-offset SLA clock, in nanoseconds since the
/// epoch: from `from` (a start the clock counted from) to `work` nothing counts (outside hours,
/// a holiday, time off), from `work` to `until` every instant counts (one working window, no
/// time off), at UTC offset `offset`. So the clock from any start in `from..until` counts its
/// first working nanosecond at the later of the start and `work`, and when its minutes fit
/// before `until` the due time is that plus the minutes: what the walk would find.
#[derive(Debug, Clone, Copy)]
struct Stretch {
    from: i64,
    work: i64,
    until: i64,
    offset: i64,
}

impl Default for KnownOffset {
    fn default() -> KnownOffset {
        KnownOffset {
            from: 1,
            to: 0,
            offset: 0,
            day: i64::MIN,
            date: NaiveDate::MIN,
            due_day: i64::MIN,
            due_date: NaiveDate::MIN,
            local: None,
            sla: None,
            stretch: None,
        }
    }
}

impl KnownOffset {
    fn is_empty(&self) -> bool {
        self.from > self.to
    }

    /// The date of local seconds `local` (since 1970-01-01 00:00 local).
    fn date(&mut self, local: i64) -> Option<NaiveDate> {
        let day = local.div_euclid(86_400);
        if day != self.day {
            self.date = DateTime::from_timestamp(day.checked_mul(86_400)?, 0)?.date_naive();
            self.day = day;
        }
        Some(self.date)
    }

    /// The instant `n` nanoseconds since the epoch, as [`from_nanos`] gives it, its UTC date
    /// remembered (the due times of a batch's decisions fall on a few days).
    fn due(&mut self, n: i64) -> Option<DateTime<Utc>> {
        let (secs, nanos) = split_nanos(n);
        self.due_at(secs, nanos)
    }

    /// [`KnownOffset::due`] of UTC seconds `secs` and `nanos` (under a second).
    fn due_at(&mut self, secs: i64, nanos: u32) -> Option<DateTime<Utc>> {
        let day = secs.div_euclid(86_400);
        if day != self.due_day {
            self.due_date = DateTime::from_timestamp(day.checked_mul(86_400)?, 0)?.date_naive();
            self.due_day = day;
        }
        let time =
            NaiveTime::from_num_seconds_from_midnight_opt(secs.rem_euclid(86_400) as u32, nanos)?;
        Some(self.due_date.and_time(time).and_utc())
    }
}

/// An instant with its seconds since the epoch, read once per decision (chrono computes them
/// from the date each time).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Now {
    pub at: DateTime<Utc>,
    secs: i64,
}

impl Now {
    pub fn new(at: DateTime<Utc>) -> Now {
        Now {
            at,
            secs: at.timestamp(),
        }
    }
}

/// An instant as nanoseconds since the epoch; `None` within a leap second, which chrono's
/// arithmetic counts as an extra second (the SLA clock then takes the general path).
fn nanos(t: DateTime<Utc>) -> Option<i64> {
    let sub = i64::from(t.timestamp_subsec_nanos());
    if sub >= NANOS {
        return None;
    }
    t.timestamp().checked_mul(NANOS)?.checked_add(sub)
}

/// The reference [`KnownOffset::due`] is tested against.
#[cfg(test)]
fn from_nanos(n: i64) -> Option<DateTime<Utc>> {
    let (secs, nanos) = split_nanos(n);
    DateTime::from_timestamp(secs, nanos)
}

/// Why a rep is not available at an instant (the step 5 reasons, in their order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unavailable {
    OutOfOffice,
    Holiday,
    OutsideHours,
}

impl Unavailable {
    pub fn code(self) -> &'static str {
        match self {
            Unavailable::OutOfOffice => "out_of_office",
            Unavailable::Holiday => "holiday",
            Unavailable::OutsideHours => "outside_hours",
        }
    }
}

/// A rep's calendar, precomputed once per router.
#[derive(Debug, Clone)]
pub struct Calendar {
    pub tz: Tz,
    /// Merged working windows per weekday (Monday = 0), as local seconds since midnight.
    windows: [Vec<(u32, u32)>; 7],
    has_hours: bool,
    /// Sorted.
    holidays: Vec<NaiveDate>,
    /// `holidays` as local day numbers (days since 1970-01-01), for the fixed-offset clock.
    holiday_days: Vec<i64>,
    /// Sorted by start.
    off: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    /// `off` in nanoseconds since the epoch, for the fixed-offset clock; `None` when a bound is
    /// within a leap second or outside what 64-bit nanoseconds hold (1677 to 2262).
    off_nanos: Option<Vec<(i64, i64)>>,
}

impl Calendar {
    pub fn new(rep: &Rep) -> Calendar {
        let tz: Tz = rep.time_zone.parse().unwrap_or(Tz::UTC);
        let mut windows: [Vec<(u32, u32)>; 7] = Default::default();
        for w in &rep.working_hours {
            let (s, e) = (
                u32::from(w.start.minutes()) * 60,
                u32::from(w.end.minutes()) * 60,
            );
            if e <= s {
                continue;
            }
            for d in &w.days {
                windows[*d as usize].push((s, e));
            }
        }
        for day in &mut windows {
            day.sort_unstable();
            let mut merged: Vec<(u32, u32)> = Vec::with_capacity(day.len());
            for &(s, e) in day.iter() {
                match merged.last_mut() {
                    Some(last) if s <= last.1 => last.1 = last.1.max(e),
                    _ => merged.push((s, e)),
                }
            }
            *day = merged;
        }
        let mut holidays = rep.holidays.clone();
        holidays.sort_unstable();
        holidays.dedup();
        let mut off: Vec<_> = rep
            .out_of_office
            .iter()
            .filter(|t| t.end > t.start)
            .map(|t| (t.start, t.end))
            .collect();
        off.sort_unstable();
        let mut cal = Calendar {
            tz,
            windows,
            has_hours: !rep.working_hours.is_empty(),
            holiday_days: day_numbers(&holidays),
            holidays,
            off: Vec::new(),
            off_nanos: None,
        };
        cal.set_off(off);
        cal
    }

    /// Sets the time off (sorted by start) and its nanosecond copy.
    fn set_off(&mut self, off: Vec<(DateTime<Utc>, DateTime<Utc>)>) {
        self.off_nanos = off
            .iter()
            .map(|&(s, e)| Some((nanos(s)?, nanos(e)?)))
            .collect();
        self.off = off;
    }

    /// The rep's local date at `now`.
    pub fn local_date(&self, now: DateTime<Utc>) -> NaiveDate {
        now.with_timezone(&self.tz).date_naive()
    }

    /// [`Calendar::local_date`] through the offset `known` holds when it covers `now`.
    pub(crate) fn local_date_known(&self, now: Now, known: &mut KnownOffset) -> NaiveDate {
        match self.local_day_and_seconds(now, known) {
            Some((date, _)) => date,
            None => self.local_date(now.at),
        }
    }

    /// The rep's local date and seconds since local midnight at `now`, through `known`.
    /// The answer for the last instant asked is remembered in `known`: it depends on the
    /// instant's UTC seconds only.
    fn local_day_and_seconds(&self, now: Now, known: &mut KnownOffset) -> Option<(NaiveDate, u32)> {
        if let Some((secs, date, within)) = known.local {
            if secs == now.secs {
                return Some((date, within));
            }
        }
        let local = now.secs.checked_add(self.offset_near(now.secs, known)?)?;
        let (date, within) = (known.date(local)?, local.rem_euclid(86_400) as u32);
        known.local = Some((now.secs, date, within));
        Some((date, within))
    }

    /// The first reason the rep is unavailable at `now`, if any.
    pub fn unavailable(&self, now: DateTime<Utc>) -> Option<Unavailable> {
        let local = now.with_timezone(&self.tz).naive_local();
        self.unavailable_at(now, local.date(), local.num_seconds_from_midnight())
    }

    /// [`Calendar::unavailable`] through the offset `known` holds when it covers `now`.
    pub(crate) fn unavailable_known(
        &self,
        now: Now,
        known: &mut KnownOffset,
    ) -> Option<Unavailable> {
        match self.local_day_and_seconds(now, known) {
            Some((date, secs)) => self.unavailable_at(now.at, date, secs),
            None => self.unavailable(now.at),
        }
    }

    /// Availability at `now`, whose local date and time of day are `date` and `secs`.
    fn unavailable_at(
        &self,
        now: DateTime<Utc>,
        date: NaiveDate,
        secs: u32,
    ) -> Option<Unavailable> {
        if self.off.iter().any(|&(s, e)| s <= now && now < e) {
            return Some(Unavailable::OutOfOffice);
        }
        if self.holidays.binary_search(&date).is_ok() {
            return Some(Unavailable::Holiday);
        }
        if self.has_hours {
            let day = date.weekday().num_days_from_monday() as usize;
            if !self.windows[day]
                .iter()
                .any(|&(s, e)| s <= secs && secs < e)
            {
                return Some(Unavailable::OutsideHours);
            }
        }
        None
    }

    /// The instant `minutes` working minutes after `start` (docs/routing.md step 7): only
    /// working windows count, holidays and time off are skipped, and a rep without working
    /// hours works every minute of every day that is not a holiday or time off. When no
    /// working time exists within a year, plain minutes are added.
    pub fn add_working_minutes(&self, start: DateTime<Utc>, minutes: u32) -> DateTime<Utc> {
        self.add_working_minutes_known(Now::new(start), minutes, &mut KnownOffset::default())
    }

    /// [`Calendar::add_working_minutes`] with what is known of the offset, which it extends.
    /// The last answer is remembered in `known` by start and minutes (the due time depends on
    /// nothing else but this calendar, whose `known` it is).
    pub(crate) fn add_working_minutes_known(
        &self,
        start: Now,
        minutes: u32,
        known: &mut KnownOffset,
    ) -> DateTime<Utc> {
        if let Some((at, m, due)) = known.sla {
            if at == start.at && m == minutes {
                return due;
            }
        }
        let due = match self.add_working_minutes_fixed(start, minutes, known) {
            Some(due) => due,
            None => self.add_working_minutes_general(start.at, minutes),
        };
        known.sla = Some((start.at, minutes, due));
        due
    }

    /// [`Calendar::add_working_minutes`] through the UTC offset in force at `start` instead
    /// of a time-zone conversion per working window, counting in whole nanoseconds since the
    /// epoch rather than through chrono's arithmetic ([`Calendar::clock_nanos`], the same
    /// clock as [`Calendar::clock`]), so the same answer whenever it answers.
    ///
    /// It answers only when the due time falls within [`FIXED_DAYS`] local days of `start`,
    /// no instant involved is within a leap second, and the zone keeps the same offset from
    /// [`MARGIN`] before `start` to [`MARGIN`] after the due time. With no offset change in
    /// that span, every local time the clock converts (all on the local days from `start` to
    /// the due time) has exactly one reading, the fixed-offset one: another reading of the same
    /// local time would lie less than a day away (offsets differ by at most 26 hours), inside
    /// the span. The span is checked through `known` ([`KnownOffset`]): the offset read at
    /// both ends and every [`PROBE_STEP`] (seven days) in between, which finds any change
    /// because no zone in the tz database changes its offset twice within seven days (the
    /// closest changes, such as Ramadan pauses of daylight time, are weeks apart). The tests
    /// below compare both paths across DST changes, with `known` fresh and carried over.
    fn add_working_minutes_fixed(
        &self,
        start: Now,
        minutes: u32,
        known: &mut KnownOffset,
    ) -> Option<DateTime<Utc>> {
        let off = self.off_nanos.as_deref()?;
        let sub = i64::from(start.at.timestamp_subsec_nanos());
        if sub >= NANOS {
            return None; // a leap second
        }
        let secs = start.secs;
        if !(-FIXED_SECS..=FIXED_SECS).contains(&secs) {
            return None;
        }
        // Within FIXED_SECS: no arithmetic below overflows.
        let start_nanos = secs * NANOS + sub;
        if let Some(due) = self.due_in_stretch(start_nanos, minutes, known) {
            return Some(due);
        }
        let offset = self.offset_near(secs, known)?;
        let local = secs + offset;
        let first = local.div_euclid(86_400);
        // The start's local date and time of day, as `local_day_and_seconds` would find them
        // (the decision's commit asks for the date next).
        if known.local.is_none_or(|(at, _, _)| at != secs) {
            known.local = Some((secs, known.date(local)?, local.rem_euclid(86_400) as u32));
        }
        // UTC seconds of the first day's local midnight.
        let midnight = first * 86_400 - offset;
        let mut stretch = None;
        let due = self.clock_nanos(start_nanos, first, minutes, off, midnight, &mut stretch)?;
        let (due_secs, _) = split_nanos(due);
        let margin = MARGIN.num_seconds();
        if !self.cover(
            secs.checked_sub(margin)?,
            due_secs.checked_add(margin)?,
            known,
        ) {
            return None;
        }
        known.stretch = stretch.map(|(work, until)| Stretch {
            from: start_nanos,
            work,
            until,
            offset,
        });
        known.due(due)
    }

    /// The fixed-offset clock's answer from the stretch `known` remembers ([`Stretch`]), when
    /// `start` (nanoseconds since the epoch, within [`FIXED_SECS`]) falls in it, the minutes
    /// fit before its end, and `known` holds its offset from [`MARGIN`] before `start` to
    /// [`MARGIN`] after the due time (what the walk checks). Sets the start's local date and
    /// time of day in `known` as the walk does.
    fn due_in_stretch(
        &self,
        start: i64,
        minutes: u32,
        known: &mut KnownOffset,
    ) -> Option<DateTime<Utc>> {
        let s = known.stretch?;
        if minutes == 0 || start < s.from || start >= s.until || s.offset != known.offset {
            return None;
        }
        let t = start.max(s.work);
        let left = i64::from(minutes) * 60;
        // As the walk counts: the stretch's whole seconds.
        if (s.until - t) / NANOS < left {
            return None;
        }
        let (due_secs, due_nanos) = split_nanos(t + left * NANOS);
        let (secs, margin) = (start.div_euclid(NANOS), MARGIN.num_seconds());
        if known.from > secs - margin || due_secs + margin > known.to {
            return None;
        }
        let local = secs + s.offset;
        if known.local.is_none_or(|(at, _, _)| at != secs) {
            known.local = Some((secs, known.date(local)?, local.rem_euclid(86_400) as u32));
        }
        known.due_at(due_secs, due_nanos)
    }

    /// The offset at `t` (UTC seconds): from `known` when it covers `t`; else read, and
    /// `known` stretched to `t` when `t` is within [`PROBE_STEP`] of it with the same offset,
    /// or started again at `t`.
    fn offset_near(&self, t: i64, known: &mut KnownOffset) -> Option<i64> {
        if known.from <= t && t <= known.to {
            return Some(known.offset);
        }
        let offset = self.offset_at_secs(t)?;
        let step = PROBE_STEP.num_seconds();
        if !known.is_empty()
            && offset == known.offset
            && t >= known.from.saturating_sub(step)
            && t <= known.to.saturating_add(step)
        {
            known.from = known.from.min(t);
            known.to = known.to.max(t);
        } else {
            *known = KnownOffset {
                from: t,
                to: t,
                offset,
                ..*known
            };
        }
        Some(offset)
    }

    /// Whether the offset `known` holds is in force from `from` to `to` (UTC seconds), after
    /// reading it outwards from `known`'s ends every [`PROBE_STEP`] (and on to [`AHEAD`] past
    /// `to`, so that the next leads find it known). `known` is not empty.
    fn cover(&self, from: i64, to: i64, known: &mut KnownOffset) -> bool {
        let step = PROBE_STEP.num_seconds();
        while known.from > from {
            let t = known.from.saturating_sub(step).max(from);
            if self.offset_at_secs(t) != Some(known.offset) {
                return false;
            }
            known.from = t;
        }
        if known.to < to {
            let target = to.saturating_add(AHEAD.num_seconds());
            while known.to < target {
                let t = known.to.saturating_add(step).min(target);
                if self.offset_at_secs(t) != Some(known.offset) {
                    break;
                }
                known.to = t;
            }
        }
        known.to >= to
    }

    /// The zone's offset from UTC at `t` (UTC seconds), in seconds.
    fn offset_at_secs(&self, t: i64) -> Option<i64> {
        let utc = DateTime::from_timestamp(t, 0)?.naive_utc();
        Some(i64::from(
            self.tz
                .offset_from_utc_datetime(&utc)
                .fix()
                .local_minus_utc(),
        ))
    }

    /// The SLA clock through a time-zone conversion of every working window's ends.
    fn add_working_minutes_general(&self, start: DateTime<Utc>, minutes: u32) -> DateTime<Utc> {
        let first = self.local_date(start);
        self.clock(start, first, minutes, SEARCH_DAYS, |date, secs| {
            self.instant(date, secs)
        })
        .unwrap_or_else(|| start + Duration::minutes(i64::from(minutes)))
    }

    /// Counts `minutes` working minutes from `start` (local date `first`) over the local days
    /// up to `days` after it, `instant` giving the UTC instant of a local date and time;
    /// `None` when the working time of those days is not enough.
    fn clock(
        &self,
        start: DateTime<Utc>,
        first: NaiveDate,
        minutes: u32,
        days: i64,
        instant: impl Fn(NaiveDate, u32) -> Option<DateTime<Utc>>,
    ) -> Option<DateTime<Utc>> {
        let mut left = i64::from(minutes) * 60;
        if left == 0 {
            return Some(start);
        }
        const ALL_DAY: [(u32, u32); 1] = [(0, 86_400)];
        let mut cursor = start;
        for offset in 0..=days {
            let Some(date) = first.checked_add_signed(Duration::days(offset)) else {
                break;
            };
            if self.holidays.binary_search(&date).is_ok() {
                continue;
            }
            let windows: &[(u32, u32)] = if self.has_hours {
                &self.windows[date.weekday().num_days_from_monday() as usize]
            } else {
                &ALL_DAY
            };
            for &(s, e) in windows {
                let (Some(ws), Some(we)) = (instant(date, s), instant(date, e)) else {
                    continue;
                };
                let mut t = cursor.max(ws);
                while t < we {
                    // Inside time off: jump to its end.
                    if let Some(&(_, oe)) = self.off.iter().find(|&&(os, oe)| os <= t && t < oe) {
                        t = oe;
                        continue;
                    }
                    let next_off = self
                        .off
                        .iter()
                        .map(|&(os, _)| os)
                        .filter(|&os| os > t)
                        .min()
                        .unwrap_or(we);
                    let end = we.min(next_off);
                    let span = (end - t).num_seconds();
                    if span >= left {
                        return Some(t + Duration::seconds(left));
                    }
                    left -= span;
                    t = end;
                }
                cursor = cursor.max(we);
            }
        }
        None
    }

    /// [`Calendar::clock`] in nanoseconds since the epoch over [`FIXED_DAYS`] local days at
    /// one UTC offset: the local days are day numbers from `first` (days since 1970-01-01,
    /// local), whose local midnight is `midnight` (UTC seconds); the weekday and the holidays
    /// follow the day number (a cursor over the sorted holidays, no date arithmetic). Time off
    /// `off` is in nanoseconds. Seconds are counted as `clock` counts them (a stretch's whole
    /// seconds; the due time keeps the start's fraction). The caller keeps every instant
    /// within 64-bit nanoseconds ([`FIXED_SECS`]).
    fn clock_nanos(
        &self,
        start: i64,
        first: i64,
        minutes: u32,
        off: &[(i64, i64)],
        midnight: i64,
        stretch: &mut Option<(i64, i64)>,
    ) -> Option<i64> {
        let mut left = i64::from(minutes) * 60;
        if left == 0 {
            return Some(start);
        }
        const ALL_DAY: [(u32, u32); 1] = [(0, 86_400)];
        let mut cursor = start;
        let holidays = &self.holiday_days[..];
        let mut next_holiday = holidays.partition_point(|&h| h < first);
        let mut weekday = weekday_of(first);
        for day in 0..=FIXED_DAYS {
            let today = weekday;
            weekday = if weekday == 6 { 0 } else { weekday + 1 };
            if holidays.get(next_holiday) == Some(&(first + day)) {
                next_holiday += 1;
                continue;
            }
            let windows: &[(u32, u32)] = if self.has_hours {
                &self.windows[today]
            } else {
                &ALL_DAY
            };
            // UTC nanoseconds of this local day's midnight.
            let base = (midnight + day * 86_400) * NANOS;
            for &(s, e) in windows {
                let (ws, we) = (base + i64::from(s) * NANOS, base + i64::from(e) * NANOS);
                let mut t = cursor.max(ws);
                while t < we {
                    // Inside time off: jump to its end.
                    if let Some(&(_, oe)) = off.iter().find(|&&(os, oe)| os <= t && t < oe) {
                        t = oe;
                        continue;
                    }
                    let next_off = off
                        .iter()
                        .map(|&(os, _)| os)
                        .filter(|&os| os > t)
                        .min()
                        .unwrap_or(we);
                    let end = we.min(next_off);
                    if stretch.is_none() {
                        *stretch = Some((t, end));
                    }
                    // Within one working window (so `left` is under a day when it is
                    // multiplied below).
                    let span = (end - t) / NANOS;
                    if span >= left {
                        return Some(t + left * NANOS);
                    }
                    left -= span;
                    t = end;
                }
                cursor = cursor.max(we);
            }
        }
        None
    }

    /// The UTC instant of local `date` + `secs` (86,400 = the next midnight). A local time in
    /// a DST gap moves forward to the first local time that exists.
    fn instant(&self, date: NaiveDate, secs: u32) -> Option<DateTime<Utc>> {
        let mut naive: NaiveDateTime =
            date.and_hms_opt(0, 0, 0)? + Duration::seconds(i64::from(secs));
        for _ in 0..=96 {
            if let Some(t) = self.tz.from_local_datetime(&naive).earliest() {
                return Some(t.with_timezone(&Utc));
            }
            naive += Duration::minutes(15);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Zones with DST in either hemisphere, half-hour DST (Lord Howe), a DST paused for
    /// Ramadan (Casablanca before 2019), irregular changes (Gaza), a skipped day (Apia, 2011),
    /// a two-hour DST (Troll), odd offsets (St John's, Kathmandu) and no DST (Kolkata).
    const ZONES: [&str; 13] = [
        "America/New_York",
        "Europe/London",
        "Europe/Berlin",
        "Australia/Sydney",
        "Australia/Lord_Howe",
        "America/Sao_Paulo",
        "Africa/Casablanca",
        "Asia/Gaza",
        "Pacific/Apia",
        "Antarctica/Troll",
        "America/St_Johns",
        "Asia/Kathmandu",
        "Asia/Kolkata",
    ];

    /// Working-window shapes per weekday, local seconds: office hours, a split day, a day
    /// that runs into midnight, windows across the usual DST hours, none.
    const SHAPES: [&[(u32, u32)]; 6] = [
        &[(9 * 3600, 17 * 3600)],
        &[(8 * 3600, 12 * 3600), (13 * 3600, 18 * 3600)],
        &[(20 * 3600, 86_400)],
        &[(3600, 3 * 3600 + 1800), (23 * 3600, 86_400)],
        &[(0, 86_400)],
        &[],
    ];

    fn calendar(
        zone: &str,
        shapes: [usize; 7],
        has_hours: bool,
        holidays: Vec<NaiveDate>,
    ) -> Calendar {
        let mut holidays = holidays;
        holidays.sort_unstable();
        holidays.dedup();
        Calendar {
            tz: zone.parse().unwrap(),
            windows: shapes.map(|k| SHAPES[k].to_vec()),
            has_hours,
            holiday_days: day_numbers(&holidays),
            holidays,
            off: Vec::new(),
            off_nanos: Some(Vec::new()),
        }
    }

    fn both(
        cal: &Calendar,
        start: DateTime<Utc>,
        minutes: u32,
    ) -> (Option<DateTime<Utc>>, DateTime<Utc>) {
        (
            cal.add_working_minutes_fixed(Now::new(start), minutes, &mut KnownOffset::default()),
            cal.add_working_minutes_general(start, minutes),
        )
    }

    /// Every 20 minutes for eight days either side of each 2026 DST change (and Apia's 2011
    /// skipped day), the fixed-offset clock answers as the general one whenever it answers,
    /// and it answers away from the changes.
    #[test]
    fn fixed_offset_clock_agrees_around_dst_changes() {
        let changes = [
            ("America/New_York", "2026-03-08T07:00:00Z"),
            ("America/New_York", "2026-11-01T06:00:00Z"),
            ("Australia/Sydney", "2026-04-04T16:00:00Z"),
            ("Australia/Lord_Howe", "2026-10-03T15:30:00Z"),
            ("Europe/London", "2026-03-29T01:00:00Z"),
            ("Pacific/Apia", "2011-12-30T10:00:00Z"),
        ];
        let mut answered = 0;
        let mut asked = 0;
        for (zone, at) in changes {
            let at: DateTime<Utc> = at.parse().unwrap();
            for (shapes, has_hours) in [
                ([0, 0, 0, 0, 0, 5, 5], true),
                ([3; 7], true),
                ([5; 7], false),
            ] {
                let cal = calendar(zone, shapes, has_hours, vec![]);
                for k in -576..576 {
                    let start = at + Duration::minutes(20 * k);
                    for minutes in [1, 30, 240, 600] {
                        let (fixed, general) = both(&cal, start, minutes);
                        asked += 1;
                        if let Some(fixed) = fixed {
                            answered += 1;
                            assert_eq!(fixed, general, "{zone} {start} +{minutes}");
                        }
                    }
                }
            }
        }
        // Starts within three days (plus the SLA's span) of a change take the general path.
        assert!(answered > 0 && answered < asked, "{answered} of {asked}");
        // Far from any change, it answers.
        let cal = calendar("America/New_York", [0, 0, 0, 0, 0, 5, 5], true, vec![]);
        let start: DateTime<Utc> = "2026-06-30T15:00:00Z".parse().unwrap();
        assert_eq!(
            cal.add_working_minutes_fixed(Now::new(start), 30, &mut KnownOffset::default()),
            Some(start + Duration::minutes(30))
        );
    }

    /// Starts beyond what 64-bit nanoseconds hold around them (after 2255, before 1684) take
    /// the general path and get its answer; just inside, the fixed path still answers.
    #[test]
    fn far_starts_take_the_general_path() {
        let cal = calendar("Europe/London", [0, 0, 0, 0, 0, 5, 5], true, vec![]);
        for (at, fixed) in [
            ("2261-06-30T15:00:00Z", false),
            ("1680-06-30T15:00:00Z", false),
            ("2250-06-30T15:00:00Z", true),
            ("1690-06-28T15:00:00Z", true),
        ] {
            let start: DateTime<Utc> = at.parse().unwrap();
            let (answer, general) = both(&cal, start, 600);
            assert_eq!(answer.is_some(), fixed, "{at}");
            if let Some(answer) = answer {
                assert_eq!(answer, general, "{at}");
            }
            let mut known = KnownOffset::default();
            assert_eq!(
                cal.add_working_minutes_known(Now::new(start), 600, &mut known),
                general,
                "{at}"
            );
        }
    }

    /// One [`KnownOffset`] carried from lead to lead, as a router carries it, through the weeks
    /// around each DST change, going forward and jumping back: the clock answers as the
    /// general one, the local date and availability as the time-zone conversion, and once the
    /// offset is known far from a change it answers without reading it again.
    #[test]
    fn known_offset_carried_over_agrees() {
        let changes = [
            ("America/New_York", "2026-03-08T07:00:00Z"),
            ("Australia/Lord_Howe", "2026-10-03T15:30:00Z"),
            ("Europe/London", "2026-10-25T01:00:00Z"),
            ("Pacific/Apia", "2011-12-30T10:00:00Z"),
        ];
        let mut answered = 0;
        for (zone, at) in changes {
            let at: DateTime<Utc> = at.parse().unwrap();
            for (shapes, has_hours) in [([0, 0, 0, 0, 0, 5, 5], true), ([5; 7], false)] {
                let mut cal = calendar(zone, shapes, has_hours, vec![at.date_naive()]);
                cal.set_off(vec![(
                    at + Duration::hours(30),
                    at + Duration::hours(50) + Duration::milliseconds(250),
                )]);
                let mut known = KnownOffset::default();
                // Forward every 47 minutes over six weeks, then back in jumps of 5 days.
                let forward = (-1_000..300).map(|k| at + Duration::minutes(47 * k));
                let back = (0..12).map(|k| at + Duration::days(30 - 5 * k));
                for start in forward.chain(back) {
                    let now = Now::new(start);
                    for minutes in [1, 45, 600] {
                        let due = cal.add_working_minutes_known(now, minutes, &mut known);
                        assert_eq!(
                            due,
                            cal.add_working_minutes_general(start, minutes),
                            "{zone} {start} +{minutes}"
                        );
                        if cal
                            .add_working_minutes_fixed(now, minutes, &mut known.clone())
                            .is_some()
                        {
                            answered += 1;
                        }
                    }
                    assert_eq!(cal.local_date_known(now, &mut known), cal.local_date(start));
                    assert_eq!(
                        cal.unavailable_known(now, &mut known),
                        cal.unavailable(start),
                        "{zone} {start}"
                    );
                }
            }
        }
        assert!(answered > 0, "the fixed path never answered");
        // Far from any change, a known offset answers without a look-up.
        let cal = calendar("America/New_York", [0, 0, 0, 0, 0, 5, 5], true, vec![]);
        let start: DateTime<Utc> = "2026-06-30T15:00:00Z".parse().unwrap();
        let mut known = KnownOffset::default();
        cal.add_working_minutes_known(Now::new(start), 30, &mut known);
        assert!(known.from <= start.timestamp() - MARGIN.num_seconds());
        assert!(known.to >= start.timestamp() + (MARGIN + AHEAD).num_seconds());
        let before = known;
        cal.add_working_minutes_known(Now::new(start + Duration::days(2)), 30, &mut known);
        assert_eq!((before.from, before.to), (known.from, known.to));
    }

    /// Leads every 37 seconds for five days (a weekend, evenings, a holiday, an afternoon
    /// off) at one office: the remembered stretch answers most of them, each answer the
    /// walk's and the general path's, and it never answers across the time off or the holiday.
    #[test]
    fn remembered_stretch_answers_as_the_walk() {
        let at: DateTime<Utc> = "2026-07-02T13:00:00.250Z".parse().unwrap();
        let mut cal = calendar(
            "America/New_York",
            [1, 1, 1, 1, 1, 5, 5],
            true,
            vec![at.date_naive() + Duration::days(1)],
        );
        cal.set_off(vec![(
            at + Duration::hours(2),
            at + Duration::hours(3) + Duration::seconds(20),
        )]);
        let mut known = KnownOffset::default();
        let (mut stretched, mut asked) = (0, 0);
        for k in 0..12_000 {
            let start = at + Duration::seconds(37 * k);
            let now = Now::new(start);
            let nanos_start = nanos(start).unwrap();
            for minutes in [30, 95] {
                let general = cal.add_working_minutes_general(start, minutes);
                if let Some(due) = cal.due_in_stretch(nanos_start, minutes, &mut known.clone()) {
                    stretched += 1;
                    assert_eq!(due, general, "{start} +{minutes}");
                }
                asked += 1;
                assert_eq!(
                    cal.add_working_minutes_known(now, minutes, &mut known),
                    general
                );
                assert_eq!(cal.local_date_known(now, &mut known), cal.local_date(start));
            }
        }
        assert!(stretched * 10 > asked * 7, "{stretched} of {asked}");
    }

    /// The remembered last answers (local date and time of day by UTC second, due time by
    /// start and minutes) are the answers: the same instant asked again, with other minutes,
    /// a fraction of a second later (same UTC second, another due time), across a DST change
    /// and back, and a calendar's `known` never carries another calendar's answer.
    #[test]
    fn remembered_answers_are_the_answers() {
        let at: DateTime<Utc> = "2026-03-08T07:00:00Z".parse().unwrap();
        let cal = calendar("America/New_York", [0, 0, 0, 0, 0, 5, 5], true, vec![]);
        let other = calendar("Asia/Kolkata", [3; 7], true, vec![at.date_naive()]);
        let mut known = KnownOffset::default();
        let mut other_known = KnownOffset::default();
        let mut starts = Vec::new();
        for k in [-300i64, -300, -2, 0, 0, 1, 1, 300, -300, 2_000, 2_000] {
            let start = at + Duration::minutes(17 * k);
            starts.extend([start, start, start + Duration::milliseconds(400), start]);
        }
        let mut hits = 0;
        for (i, start) in starts.into_iter().enumerate() {
            let now = Now::new(start);
            for minutes in [30, 30, 1, 30, 600] {
                let remembered = known.sla;
                let due = cal.add_working_minutes_known(now, minutes, &mut known);
                if remembered.is_some_and(|(s, m, _)| s == start && m == minutes) {
                    hits += 1;
                }
                assert_eq!(
                    due,
                    cal.add_working_minutes_general(start, minutes),
                    "{start} +{minutes}"
                );
                assert_eq!(
                    other.add_working_minutes_known(now, minutes, &mut other_known),
                    other.add_working_minutes_general(start, minutes),
                    "{start} +{minutes}"
                );
            }
            for _ in 0..1 + i % 2 {
                assert_eq!(cal.local_date_known(now, &mut known), cal.local_date(start));
                assert_eq!(
                    cal.unavailable_known(now, &mut known),
                    cal.unavailable(start),
                    "{start}"
                );
                assert_eq!(
                    other.unavailable_known(now, &mut other_known),
                    other.unavailable(start)
                );
            }
        }
        assert!(hits > 0, "the remembered due time was never used");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// A due time built through the remembered date is the instant itself, with one
        /// `KnownOffset` carried over many instants (same day, next day, far apart, negative).
        #[test]
        fn due_times_through_the_remembered_date(
            base in -4_000_000_000_000_000_000i64..4_000_000_000_000_000_000i64,
            steps in proptest::collection::vec(-200_000_000_000_000i64..200_000_000_000_000i64, 1..20),
        ) {
            let mut known = KnownOffset::default();
            let mut n = base;
            for step in steps {
                n += step;
                prop_assert_eq!(known.due(n), from_nanos(n));
            }
            for n in [i64::MIN, i64::MAX, i64::MIN + 1, i64::MAX - 1] {
                prop_assert_eq!(known.due(n), from_nanos(n));
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// A router's pattern: one `KnownOffset` per calendar carried over a run of leads, each
        /// at its own instant (mostly a few minutes after the last, sometimes hours or days
        /// later or earlier), starting near a DST change of its zone, with holidays and time off
        /// around: the due time (walked, from a remembered stretch, or remembered whole), the
        /// local date and availability are those of the general path and the time-zone
        /// conversion.
        #[test]
        fn carried_known_offset_agrees_at_each_instant(
            change in 0..6usize,
            lead_in in -5_000i64..3_000,
            steps in prop::collection::vec(
                prop_oneof![
                    6 => 0i64..1_200,
                    1 => -90_000i64..200_000,
                    1 => prop::sample::select(vec![0i64, 1]),
                ],
                20..60,
            ),
            fraction in prop::sample::select(vec![0i64, 250, 999]),
            minutes in prop::sample::select(vec![0u32, 1, 30, 30, 90, 600, 2_000]),
            shapes in proptest::array::uniform7(0usize..SHAPES.len()),
            has_hours in any::<bool>(),
            holidays in prop::collection::vec(-3i64..9, 0..4),
            off in prop::collection::vec((-3_000i64..9_000, 1i64..3_000), 0..3),
        ) {
            let (zone, at) = [
                ("America/New_York", "2026-03-08T07:00:00Z"),
                ("America/New_York", "2026-11-01T06:00:00Z"),
                ("Europe/Berlin", "2026-03-29T01:00:00Z"),
                ("Australia/Lord_Howe", "2026-10-03T15:30:00Z"),
                ("America/Sao_Paulo", "2018-11-04T03:00:00Z"),
                ("Asia/Kathmandu", "2026-06-30T15:00:00Z"),
            ][change];
            let at: DateTime<Utc> = at.parse().unwrap();
            let holidays = holidays
                .iter()
                .map(|&d| at.date_naive() + Duration::days(d))
                .collect();
            let mut cal = calendar(zone, shapes, has_hours, holidays);
            let mut off: Vec<_> = off
                .iter()
                .map(|&(from, len)| {
                    let s = at + Duration::minutes(from) + Duration::milliseconds(fraction);
                    (s, s + Duration::minutes(len))
                })
                .collect();
            off.sort_unstable();
            cal.set_off(off);
            let mut known = KnownOffset::default();
            let mut start = at + Duration::minutes(lead_in) + Duration::milliseconds(fraction);
            for step in steps {
                start += Duration::seconds(step * 37);
                let now = Now::new(start);
                let general = cal.add_working_minutes_general(start, minutes);
                prop_assert_eq!(
                    cal.add_working_minutes_known(now, minutes, &mut known),
                    general,
                    "{} {} +{}", zone, start, minutes
                );
                prop_assert_eq!(cal.local_date_known(now, &mut known), cal.local_date(start));
                prop_assert_eq!(cal.unavailable_known(now, &mut known), cal.unavailable(start));
                // Asked again with other minutes: not the remembered whole answer.
                prop_assert_eq!(
                    cal.add_working_minutes_known(now, minutes + 7, &mut known),
                    cal.add_working_minutes_general(start, minutes + 7),
                    "{} {} +{}", zone, start, minutes + 7
                );
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Near the usual DST months, in zones with odd histories, with holidays around the
        /// start: the fixed-offset clock agrees with the general one whenever it answers.
        #[test]
        fn fixed_offset_clock_agrees(
            zone in 0..ZONES.len(),
            year in 2005i32..2031,
            month in prop::sample::select(vec![3u32, 4, 9, 10, 11, 12, 6]),
            day in 1u32..29,
            hour in 0u32..24,
            minute in prop::sample::select(vec![0u32, 15, 29, 30, 45, 59]),
            second in prop::sample::select(vec![0u32, 1, 59]),
            minutes in 0u32..4_000,
            shapes in proptest::array::uniform7(0usize..SHAPES.len()),
            has_hours in any::<bool>(),
            holidays in prop::collection::vec(-2i64..6, 0..3),
            off in prop::collection::vec((-3_000i64..6_000, 1i64..4_000), 0..3),
            fraction in prop::sample::select(vec![0u32, 500_000_000]),
        ) {
            let start = NaiveDate::from_ymd_opt(year, month, day)
                .unwrap()
                .and_hms_nano_opt(hour, minute, second, fraction)
                .unwrap()
                .and_utc();
            let holidays = holidays
                .iter()
                .map(|&d| start.date_naive() + Duration::days(d))
                .collect();
            let mut cal = calendar(ZONES[zone], shapes, has_hours, holidays);
            let mut off: Vec<_> = off
                .iter()
                .map(|&(from, hours)| {
                    let s = start + Duration::minutes(from);
                    (s, s + Duration::minutes(hours))
                })
                .collect();
            off.sort_unstable();
            cal.set_off(off);
            let (fixed, general) = both(&cal, start, minutes);
            if let Some(fixed) = fixed {
                prop_assert_eq!(fixed, general);
            }
        }
    }
}
