//! A rep's working calendar for routing: availability at an instant (time off, holidays,
//! working hours in the rep's own time zone) and the SLA clock, which counts only working
//! minutes and jumps from one working stretch to the next rather than minute by minute.

use crate::model::Rep;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

/// How far ahead the SLA clock looks for working time before giving up and counting plain minutes.
const SEARCH_DAYS: i64 = 366;

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
        let mut left = i64::from(minutes) * 60;
        if left == 0 {
            return start;
        }
        const ALL_DAY: [(u32, u32); 1] = [(0, 86_400)];
        let mut cursor = start;
        let first = self.local_date(start);
        for offset in 0..=SEARCH_DAYS {
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
                let (Some(ws), Some(we)) = (self.instant(date, s), self.instant(date, e)) else {
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
                        return t + Duration::seconds(left);
                    }
                    left -= span;
                    t = end;
                }
                cursor = cursor.max(we);
            }
        }
        start + Duration::minutes(i64::from(minutes))
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
