//! A rep's working calendar for routing: availability at an instant (time off, holidays,
//! working hours in the rep's own time zone) and the SLA clock, which counts only working
//! minutes and jumps from one working stretch to the next rather than minute by minute.

use crate::model::Rep;
use chrono::{
    DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Offset, TimeZone, Timelike, Utc,
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
    /// Sorted by start.
    off: Vec<(DateTime<Utc>, DateTime<Utc>)>,
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
        Calendar {
            tz,
            windows,
            has_hours: !rep.working_hours.is_empty(),
            holidays,
            off,
        }
    }

    /// The rep's local date at `now`.
    pub fn local_date(&self, now: DateTime<Utc>) -> NaiveDate {
        now.with_timezone(&self.tz).date_naive()
    }

    /// The first reason the rep is unavailable at `now`, if any.
    pub fn unavailable(&self, now: DateTime<Utc>) -> Option<Unavailable> {
        if self.off.iter().any(|&(s, e)| s <= now && now < e) {
            return Some(Unavailable::OutOfOffice);
        }
        let local = now.with_timezone(&self.tz).naive_local();
        if self.holidays.binary_search(&local.date()).is_ok() {
            return Some(Unavailable::Holiday);
        }
        if self.has_hours {
            let secs = local.num_seconds_from_midnight();
            let day = local.weekday().num_days_from_monday() as usize;
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
        match self.add_working_minutes_fixed(start, minutes) {
            Some(due) => due,
            None => self.add_working_minutes_general(start, minutes),
        }
    }

    /// [`Calendar::add_working_minutes`] through the UTC offset in force at `start` instead
    /// of a time-zone conversion per working window: the same clock ([`Calendar::clock`])
    /// with another local-to-UTC conversion, so the same answer whenever it answers.
    ///
    /// It answers only when the due time falls within [`FIXED_DAYS`] local days of `start`,
    /// and only after checking that the zone keeps the same offset from [`MARGIN`] before
    /// `start` to [`MARGIN`] after the due time. With no offset change in that span, every
    /// local time the clock converts (all on the local days from `start` to the due time) has
    /// exactly one reading, the fixed-offset one: another reading of the same local time would
    /// lie less than a day away (offsets differ by at most 26 hours), inside the span. The
    /// check reads the offset at both ends of the span and every [`PROBE_STEP`] (seven days)
    /// in between, which finds any change because no zone in the tz database changes its
    /// offset twice within seven days (the closest changes, such as Ramadan pauses of
    /// daylight time, are weeks apart). The tests below compare both paths across DST changes.
    fn add_working_minutes_fixed(
        &self,
        start: DateTime<Utc>,
        minutes: u32,
    ) -> Option<DateTime<Utc>> {
        let offset = self.offset_at(start)?;
        let instant = |date: NaiveDate, secs: u32| {
            let local = date.and_hms_opt(0, 0, 0)?.and_utc().timestamp() + i64::from(secs);
            DateTime::from_timestamp(local - offset, 0)
        };
        let first = DateTime::from_timestamp(start.timestamp() + offset, 0)?.date_naive();
        let due = self.clock(start, first, minutes, FIXED_DAYS, instant)?;
        // The offset at both ends of the span and every PROBE_STEP in between.
        let end = due.checked_add_signed(MARGIN)?;
        let mut probe = start.checked_sub_signed(MARGIN)?;
        loop {
            if self.offset_at(probe)? != offset {
                return None;
            }
            if probe == end {
                return Some(due);
            }
            probe = probe.checked_add_signed(PROBE_STEP)?.min(end);
        }
    }

    /// The zone's offset from UTC at `t`, in seconds.
    fn offset_at(&self, t: DateTime<Utc>) -> Option<i64> {
        Some(i64::from(
            self.tz
                .offset_from_utc_datetime(&t.naive_utc())
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
            holidays,
            off: Vec::new(),
        }
    }

    fn both(
        cal: &Calendar,
        start: DateTime<Utc>,
        minutes: u32,
    ) -> (Option<DateTime<Utc>>, DateTime<Utc>) {
        (
            cal.add_working_minutes_fixed(start, minutes),
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
            cal.add_working_minutes_fixed(start, 30),
            Some(start + Duration::minutes(30))
        );
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
            cal.off = off
                .iter()
                .map(|&(from, hours)| {
                    let s = start + Duration::minutes(from);
                    (s, s + Duration::minutes(hours))
                })
                .collect();
            cal.off.sort_unstable();
            let (fixed, general) = both(&cal, start, minutes);
            if let Some(fixed) = fixed {
                prop_assert_eq!(fixed, general);
            }
        }
    }
}
