//! Clock times, weekdays and the working-time building blocks of a rep's calendar.
//!
//! Clock times are local wall-clock times in the rep's own time zone, written `HH:MM`
//! (`24:00` allowed as an end). Instants are always UTC `DateTime<Utc>` on the wire.

use chrono::{DateTime, NaiveDate, Utc};
use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Cow;
use std::fmt;

/// A local time of day in minutes since midnight, `00:00` to `24:00`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClockTime(u16);

impl ClockTime {
    pub fn from_hm(hour: u16, minute: u16) -> Option<ClockTime> {
        let m = hour.checked_mul(60)?.checked_add(minute)?;
        (minute < 60 && m <= 24 * 60).then_some(ClockTime(m))
    }
    pub fn minutes(&self) -> u16 {
        self.0
    }
    pub fn parse(s: &str) -> Option<ClockTime> {
        let (h, m) = s.split_once(':')?;
        if h.len() != 2 || m.len() != 2 {
            return None;
        }
        ClockTime::from_hm(h.parse().ok()?, m.parse().ok()?)
    }
}

impl fmt::Display for ClockTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

impl Serialize for ClockTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ClockTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = Cow::<str>::deserialize(d)?;
        ClockTime::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "invalid time `{s}`: expected HH:MM, 00:00 to 24:00"
            ))
        })
    }
}

impl JsonSchema for ClockTime {
    fn schema_name() -> Cow<'static, str> {
        "ClockTime".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$",
                      "description": "Local wall-clock time HH:MM"})
    }
}

/// A day of the week, `mon` to `sun` on the wire.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl From<chrono::Weekday> for Weekday {
    fn from(d: chrono::Weekday) -> Self {
        use chrono::Weekday as W;
        match d {
            W::Mon => Weekday::Mon,
            W::Tue => Weekday::Tue,
            W::Wed => Weekday::Wed,
            W::Thu => Weekday::Thu,
            W::Fri => Weekday::Fri,
            W::Sat => Weekday::Sat,
            W::Sun => Weekday::Sun,
        }
    }
}

/// Working hours on some weekdays: `{"days": ["mon", "tue"], "start": "09:00", "end": "18:00"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkingWindow {
    pub days: Vec<Weekday>,
    pub start: ClockTime,
    pub end: ClockTime,
}

impl WorkingWindow {
    /// Monday to Friday, `start` to `end`.
    pub fn weekdays(start: ClockTime, end: ClockTime) -> Self {
        use Weekday::*;
        WorkingWindow {
            days: vec![Mon, Tue, Wed, Thu, Fri],
            start,
            end,
        }
    }
}

/// A stretch of time a rep is away (vacation, sick leave), `start` inclusive, `end` exclusive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TimeOff {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Reads an optional day written as a date (`2026-04-10`) or as an RFC 3339 instant, whose UTC
/// day it is (`2026-04-10T23:30:00-02:00` is 2026-04-11): hosts hand over their date-time
/// objects (a JS `Date`, a Python `datetime`) as instants. For `#[serde(deserialize_with)]`.
pub fn day_or_instant<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    let Some(text) = Option::<String>::deserialize(d)? else {
        return Ok(None);
    };
    if let Ok(day) = NaiveDate::parse_from_str(&text, "%Y-%m-%d") {
        return Ok(Some(day));
    }
    DateTime::parse_from_rfc3339(&text)
        .map(|t| Some(t.with_timezone(&Utc).date_naive()))
        .map_err(|_| {
            serde::de::Error::custom(format!(
                "`{text}` is neither a date (YYYY-MM-DD) nor an RFC 3339 instant"
            ))
        })
}
