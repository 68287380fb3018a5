//! Reading one CSV cell as a typed value: dates and instants in the forms CRM exports write,
//! amounts with thousands separators, currency symbols and accounting parentheses, whole
//! numbers. Every reader takes a trimmed, non-blank `&str` and either returns the value or a
//! reason for people; none of them guesses (an ambiguous or malformed value is refused, never
//! coerced).

use crate::model::{Currency, Money};
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

/// How a slashed date such as `1/5/2026` is read.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum DateOrder {
    /// Month first (`1/5/2026` is January 5): the US form, and the default.
    #[default]
    Mdy,
    /// Day first (`1/5/2026` is May 1).
    Dmy,
}

/// A date or a date-time as written, before a field decides what it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    Date(NaiveDate),
    /// A wall-clock date-time and its UTC offset in seconds, if one was written.
    DateTime(NaiveDateTime, Option<i32>),
}

impl Written {
    /// The instant: a date alone is midnight UTC, a date-time without an offset is read as UTC.
    pub fn instant(self) -> Option<DateTime<Utc>> {
        match self {
            Written::Date(d) => Some(d.and_time(NaiveTime::MIN).and_utc()),
            Written::DateTime(dt, None) => Some(dt.and_utc()),
            Written::DateTime(dt, Some(offset)) => FixedOffset::east_opt(offset)?
                .from_local_datetime(&dt)
                .single()
                .map(|t| t.with_timezone(&Utc)),
        }
    }

    /// The calendar date as written; the time and offset of a date-time are dropped.
    pub fn date(self) -> NaiveDate {
        match self {
            Written::Date(d) => d,
            Written::DateTime(dt, _) => dt.date(),
        }
    }
}

/// A small cursor over the bytes of one cell.
struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }
    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    /// Between `min` and `max` ASCII digits as a number.
    fn digits(&mut self, min: usize, max: usize) -> Option<u32> {
        let start = self.i;
        let mut n: u32 = 0;
        while self.i - start < max {
            match self.peek() {
                Some(c @ b'0'..=b'9') => {
                    n = n * 10 + u32::from(c - b'0');
                    self.i += 1;
                }
                _ => break,
            }
        }
        (self.i - start >= min).then_some(n)
    }
    fn done(&self) -> bool {
        self.i == self.b.len()
    }
}

const DATE_FORMS: &str = "expected YYYY-MM-DD, an ISO date-time, or M/D/YYYY (D/M/YYYY with date_order dmy), optionally with a time";

/// Reads `2026-01-05`, `2026-01-05T14:30:00Z`, `2026-01-05 14:30:00+02:00`, `1/5/2026`,
/// `1/5/2026 14:30`, `1/5/2026 2:30 PM`.
pub fn parse_written(text: &str, order: DateOrder) -> Result<Written, String> {
    match iso_fixed(text.as_bytes(), None) {
        Some(written) => Ok(written),
        None => parse_written_general(text, order),
    }
}

/// [`parse_written`], remembering the dates it reads in `memo` (the same answers, faster when
/// dates repeat).
pub(crate) fn parse_written_with(
    text: &str,
    order: DateOrder,
    memo: &mut DateMemo,
) -> Result<Written, String> {
    match iso_fixed(text.as_bytes(), Some(memo)) {
        Some(written) => Ok(written),
        None => parse_written_general(text, order),
    }
}

/// Calendar dates read before, by the ten bytes `YYYY-MM-DD` that wrote them: an export
/// repeats a few hundred dates over a million rows, and a remembered date is one lookup
/// instead of a calendar check. Only valid dates are remembered, under their whole text, so
/// what a text reads as never depends on what the memo holds.
pub(crate) struct DateMemo {
    /// Direct-mapped: each slot holds the text's first eight bytes, its last two, and the date.
    slots: Vec<(u64, u16, NaiveDate)>,
}

impl DateMemo {
    /// Slots, a power of two.
    const SLOTS: usize = 4096;

    pub(crate) fn new() -> Self {
        // No date's text starts with eight zero bytes: an empty slot never matches.
        DateMemo {
            slots: vec![(0, 0, NaiveDate::MIN); Self::SLOTS],
        }
    }

    /// The date `text` (ten bytes) writes: remembered, or read by `read` and remembered.
    #[inline]
    fn date(
        &mut self,
        text: &[u8; 10],
        read: impl FnOnce() -> Option<NaiveDate>,
    ) -> Option<NaiveDate> {
        let head = u64::from_le_bytes([
            text[0], text[1], text[2], text[3], text[4], text[5], text[6], text[7],
        ]);
        let tail = u16::from_le_bytes([text[8], text[9]]);
        // Each part multiplied apart (a product's top bits depend on all of its factor's
        // bits), so that no two dates of a few years share a slot often.
        let mixed = head.wrapping_mul(0x9e37_79b9_7f4a_7c15)
            ^ u64::from(tail).wrapping_mul(0xc2b2_ae3d_27d4_eb4f);
        let slot = &mut self.slots[(mixed >> 52) as usize & (Self::SLOTS - 1)];
        if slot.0 == head && slot.1 == tail {
            return Some(slot.2);
        }
        let date = read()?;
        *slot = (head, tail, date);
        Some(date)
    }
}

/// The forms exports write most, read at fixed positions: `YYYY-MM-DD`, and that followed by
/// ` HH:MM`, `THH:MM`, ` HH:MM:SS` or `THH:MM:SS`. `None` for anything else, including an
/// impossible date or time (the general reader words the problem).
/// With a memo, the date part is looked up there first.
fn iso_fixed(b: &[u8], memo: Option<&mut DateMemo>) -> Option<Written> {
    let two = |i: usize| two_digits(b, i);
    if !matches!(b.len(), 10 | 16 | 19) || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let date = match memo {
        Some(memo) => memo.date(b[..10].try_into().ok()?, || iso_date(b))?,
        None => iso_date(b)?,
    };
    if b.len() == 10 {
        return Some(Written::Date(date));
    }
    if !matches!(b[10], b' ' | b'T' | b't') || b[13] != b':' {
        return None;
    }
    let sec = match b.len() {
        19 if b[16] == b':' => two(17)?,
        19 => return None,
        _ => 0,
    };
    let time = NaiveTime::from_hms_opt(two(11)?, two(14)?, sec)?;
    Some(Written::DateTime(date.and_time(time), None))
}

/// The two digits at `b[i..i + 2]` as a number.
#[inline(always)]
fn two_digits(b: &[u8], i: usize) -> Option<u32> {
    let digit = |i: usize| -> Option<u32> {
        let d = b[i].wrapping_sub(b'0');
        (d < 10).then_some(u32::from(d))
    };
    Some(digit(i)? * 10 + digit(i + 1)?)
}

/// The date `YYYY-MM-DD` at the start of `b` (the dashes already checked).
#[inline(always)]
fn iso_date(b: &[u8]) -> Option<NaiveDate> {
    let y = two_digits(b, 0)? * 100 + two_digits(b, 2)?;
    NaiveDate::from_ymd_opt(y as i32, two_digits(b, 5)?, two_digits(b, 8)?)
}

fn parse_written_general(text: &str, order: DateOrder) -> Result<Written, String> {
    let bad = || format!("`{text}` is not a date: {DATE_FORMS}");
    let mut c = Cursor {
        b: text.as_bytes(),
        i: 0,
    };
    let date = if text.as_bytes().get(4) == Some(&b'-') {
        let y = c.digits(4, 4).ok_or_else(bad)?;
        (c.eat(b'-')).then_some(()).ok_or_else(bad)?;
        let m = c.digits(1, 2).ok_or_else(bad)?;
        (c.eat(b'-')).then_some(()).ok_or_else(bad)?;
        let d = c.digits(1, 2).ok_or_else(bad)?;
        ymd(y, m, d).ok_or_else(|| format!("`{text}` is not a calendar date"))?
    } else {
        let a = c.digits(1, 2).ok_or_else(bad)?;
        c.eat(b'/').then_some(()).ok_or_else(bad)?;
        let b = c.digits(1, 2).ok_or_else(bad)?;
        c.eat(b'/').then_some(()).ok_or_else(bad)?;
        let y = c.digits(4, 4).ok_or_else(bad)?;
        let (m, d) = match order {
            DateOrder::Mdy => (a, b),
            DateOrder::Dmy => (b, a),
        };
        ymd(y, m, d).ok_or_else(|| {
            format!(
                "`{text}` is not a calendar date when read as {}",
                match order {
                    DateOrder::Mdy => "M/D/YYYY",
                    DateOrder::Dmy => "D/M/YYYY",
                }
            )
        })?
    };
    if c.done() {
        return Ok(Written::Date(date));
    }
    if !(c.eat(b'T') || c.eat(b't') || c.eat(b' ')) {
        return Err(bad());
    }
    let mut h = c.digits(1, 2).ok_or_else(bad)?;
    c.eat(b':').then_some(()).ok_or_else(bad)?;
    let min = c.digits(2, 2).ok_or_else(bad)?;
    let mut sec = 0;
    let mut nano = 0;
    if c.eat(b':') {
        sec = c.digits(2, 2).ok_or_else(bad)?;
        if c.eat(b'.') || c.eat(b',') {
            let start = c.i;
            let frac = c.digits(1, 9).ok_or_else(bad)?;
            nano = frac * 10u32.pow(9 - (c.i - start) as u32);
            // digits beyond nanoseconds carry no meaning for a CRM timestamp
            while matches!(c.peek(), Some(b'0'..=b'9')) {
                c.i += 1;
            }
        }
    }
    // 12-hour clocks (`2:30 PM`), as US Salesforce reports write them
    let rest = &text[c.i..];
    let meridiem = [" AM", " PM", " am", " pm", "AM", "PM", "am", "pm"]
        .iter()
        .find(|m| rest.starts_with(*m));
    if let Some(m) = meridiem {
        if !(1..=12).contains(&h) {
            return Err(format!("`{text}` has hour {h} on a 12-hour clock"));
        }
        let pm = m.trim().eq_ignore_ascii_case("pm");
        h = match (h, pm) {
            (12, false) => 0,
            (12, true) => 12,
            (h, true) => h + 12,
            (h, false) => h,
        };
        c.i += m.len();
    }
    let time = NaiveTime::from_hms_nano_opt(h, min, sec, nano)
        .ok_or_else(|| format!("`{text}` is not a time of day"))?;
    let offset = if c.done() {
        None
    } else if c.eat(b'Z') || c.eat(b'z') {
        Some(0)
    } else {
        c.eat(b' ');
        let sign = if c.eat(b'+') {
            1
        } else if c.eat(b'-') {
            -1
        } else {
            return Err(bad());
        };
        let oh = c.digits(2, 2).ok_or_else(bad)?;
        c.eat(b':');
        let om = c.digits(2, 2).ok_or_else(bad)?;
        if oh > 23 || om > 59 {
            return Err(format!("`{text}` has an impossible UTC offset"));
        }
        Some(sign * (oh * 3600 + om * 60) as i32)
    };
    if !c.done() {
        return Err(bad());
    }
    Ok(Written::DateTime(date.and_time(time), offset))
}

fn ymd(y: u32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d)
}

/// Reads an amount: `1234.5`, `1,234.50`, `$1,234.50`, `-1234.5`, `(1,234.50)` (accounting
/// negative), with one leading `$`, `€`, `£` or `¥` ignored (the currency comes from the
/// currency column or the option, never from the symbol). Thousands separators must group by
/// three (`1,2` is refused: it may be a decimal comma).
pub fn parse_amount(text: &str, currency: Currency) -> Result<Money, String> {
    match plain_amount(text, currency) {
        Some(m) => Ok(m),
        None => parse_amount_general(text, currency),
    }
}

fn parse_amount_general(text: &str, currency: Currency) -> Result<Money, String> {
    let bad = || {
        format!(
            "`{text}` is not an amount: expected e.g. 1234.50, 1,234.50, $1,234.50 or (1,234.50)"
        )
    };
    let mut s = text;
    let mut negative = false;
    if let Some(inner) = s.strip_prefix('(').and_then(|x| x.strip_suffix(')')) {
        negative = true;
        s = inner.trim();
    }
    if let Some(rest) = s.strip_prefix('-') {
        if negative {
            return Err(bad());
        }
        negative = true;
        s = rest.trim_start();
    }
    for symbol in ['$', '€', '£', '¥'] {
        if let Some(rest) = s.strip_prefix(symbol) {
            s = rest.trim_start();
            break;
        }
    }
    if let Some(rest) = s.strip_prefix('-') {
        if negative {
            return Err(bad());
        }
        negative = true;
        s = rest;
    }
    // Drop thousands separators into a stack buffer, checking they group by three.
    let (int_part, frac_part) = match s.find('.') {
        Some(i) => (&s[..i], &s[i..]),
        None => (s, ""),
    };
    let mut buf = [0u8; 48];
    let mut n = 0;
    if negative {
        buf[0] = b'-';
        n = 1;
    }
    if int_part.contains(',') {
        for (i, group) in int_part.split(',').enumerate() {
            let ok = if i == 0 {
                (1..=3).contains(&group.len())
            } else {
                group.len() == 3
            };
            if !ok || !group.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
        }
    }
    for b in int_part
        .bytes()
        .filter(|&b| b != b',')
        .chain(frac_part.bytes())
    {
        if n == buf.len() {
            return Err(format!("`{text}` is too long for an amount"));
        }
        buf[n] = b;
        n += 1;
    }
    let cleaned = std::str::from_utf8(&buf[..n]).map_err(|_| bad())?;
    if cleaned.trim_start_matches('-').is_empty() {
        return Err(bad());
    }
    Money::parse_decimal(cleaned, currency).map_err(|e| match e {
        crate::model::AmountError::NotANumber => bad(),
        other => format!("`{text}`: {other} ({currency})"),
    })
}

/// The common case of [`parse_amount`] without its general machinery: plain digits, with at
/// most the currency's decimals after a point (`5300.00`). `None` for anything else, which
/// the general reader then reads (or refuses) as always.
fn plain_amount(text: &str, currency: Currency) -> Option<Money> {
    let exponent = currency.exponent() as usize;
    let bytes = text.as_bytes();
    // At most 13 digits before the point and the currency's after it: no overflow below.
    if bytes.len() > 14 + exponent {
        return None;
    }
    let mut minor: i64 = 0;
    let mut point = None;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'0'..=b'9' => minor = minor * 10 + i64::from(b - b'0'),
            b'.' if point.is_none() => point = Some(i),
            _ => return None,
        }
    }
    let (whole, decimals) = match point {
        Some(p) => (p, bytes.len() - p - 1),
        None => (bytes.len(), 0),
    };
    let decimals_ok = point.is_none() || (1..=exponent).contains(&decimals);
    if whole == 0 || whole > 13 || !decimals_ok {
        return None;
    }
    for _ in decimals..exponent {
        minor *= 10;
    }
    Money::from_minor(minor, currency).ok()
}

/// Reads a whole, non-negative count such as `250` or `1,200`.
pub fn parse_count(text: &str) -> Result<u32, String> {
    let bad = || format!("`{text}` is not a whole number");
    if text.contains(',') {
        for (i, group) in text.split(',').enumerate() {
            let ok = if i == 0 {
                (1..=3).contains(&group.len())
            } else {
                group.len() == 3
            };
            if !ok {
                return Err(bad());
            }
        }
    }
    let mut n: u64 = 0;
    let mut any = false;
    for b in text.bytes().filter(|&b| b != b',') {
        if !b.is_ascii_digit() {
            return Err(bad());
        }
        any = true;
        n = n * 10 + u64::from(b - b'0');
        if n > u64::from(u32::MAX) {
            return Err(format!("`{text}` is too large"));
        }
    }
    if !any {
        return Err(bad());
    }
    Ok(n as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config::with_cases(2000))]

        /// The fixed-position reader agrees with the general one wherever it answers, and
        /// answers for every well-formed date and date-time of its forms.
        #[test]
        fn fixed_forms_read_as_the_general_reader_reads_them(
            y in 0u32..10_000, m in 0u32..14, d in 0u32..33, h in 0u32..26, min in 0u32..62,
            s in 0u32..62, form in 0usize..6, noise in proptest::option::of((0usize..19, proptest::sample::select(vec![b'-', b':', b' ', b'x', b'9', b'/', b'Z']))),
        ) {
            let mut text = match form {
                0 => format!("{y:04}-{m:02}-{d:02}"),
                1 => format!("{y:04}-{m:02}-{d:02} {h:02}:{min:02}"),
                2 => format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}"),
                3 => format!("{y:04}-{m:02}-{d:02} {h:02}:{min:02}:{s:02}"),
                4 => format!("{y:04}-{m:02}-{d:02}t{h:02}:{min:02}:{s:02}"),
                _ => format!("{y:04}-{m:02}-{d:02} {h:02}:{min:02}Z"),
            }.into_bytes();
            if let Some((at, byte)) = noise {
                if at < text.len() {
                    text[at] = byte;
                }
            }
            let text = String::from_utf8(text).unwrap();
            let general = parse_written_general(&text, DateOrder::Mdy);
            match iso_fixed(text.as_bytes(), None) {
                Some(fast) => proptest::prop_assert_eq!(Ok(fast), general),
                None => proptest::prop_assert!(
                    general.is_err() || form == 5 || noise.is_some() && text.len() != 10,
                    "{} reads as {:?} but not at fixed positions", text, general
                ),
            }
        }

        /// Reading through one memo gives what reading without it gives, text after text:
        /// dates valid and not (2025-02-29), repeated, with times and noise, in every slot.
        #[test]
        fn the_date_memo_changes_no_answer(
            texts in proptest::collection::vec(
                (2023u32..2026, 1u32..14, 27u32..32, 0usize..3,
                 proptest::option::of((0usize..16, proptest::sample::select(vec![b'x', b'0', b'-', b'/'])))),
                1..300,
            ),
        ) {
            let mut memo = DateMemo::new();
            for (y, m, d, form, noise) in texts {
                let mut text = match form {
                    0 => format!("{y:04}-{m:02}-{d:02}"),
                    1 => format!("{y:04}-{m:02}-{d:02} 10:{d:02}"),
                    _ => format!("{y:04}-{m:02}-{d:02}T10:{d:02}:59"),
                }.into_bytes();
                if let Some((at, byte)) = noise {
                    if at < text.len() {
                        text[at] = byte;
                    }
                }
                let text = String::from_utf8(text).unwrap();
                proptest::prop_assert_eq!(
                    parse_written_with(&text, DateOrder::Mdy, &mut memo),
                    parse_written(&text, DateOrder::Mdy),
                    "{}", text
                );
            }
        }
    }

    fn instant(text: &str) -> String {
        parse_written(text, DateOrder::Mdy)
            .unwrap()
            .instant()
            .unwrap()
            .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
    }

    #[test]
    fn every_date_form() {
        assert_eq!(instant("2026-01-05"), "2026-01-05T00:00:00Z");
        assert_eq!(instant("2026-01-05T14:30:00Z"), "2026-01-05T14:30:00Z");
        assert_eq!(instant("2026-01-05T14:30:00+02:00"), "2026-01-05T12:30:00Z");
        assert_eq!(instant("2026-01-05 14:30:00"), "2026-01-05T14:30:00Z");
        assert_eq!(instant("2026-01-05 14:30"), "2026-01-05T14:30:00Z");
        assert_eq!(
            instant("2026-01-05T14:30:00.250-0500"),
            "2026-01-05T19:30:00.250Z"
        );
        assert_eq!(instant("1/5/2026"), "2026-01-05T00:00:00Z");
        assert_eq!(instant("1/5/2026 14:30"), "2026-01-05T14:30:00Z");
        assert_eq!(instant("1/5/2026 2:30 PM"), "2026-01-05T14:30:00Z");
        assert_eq!(instant("1/5/2026 12:05 am"), "2026-01-05T00:05:00Z");
        let dmy = parse_written("1/5/2026", DateOrder::Dmy).unwrap().date();
        assert_eq!(dmy, NaiveDate::from_ymd_opt(2026, 5, 1).unwrap());
        let d = parse_written("2026-01-05T23:30:00-05:00", DateOrder::Mdy).unwrap();
        assert_eq!(d.date(), NaiveDate::from_ymd_opt(2026, 1, 5).unwrap());
    }

    #[test]
    fn bad_dates_are_refused() {
        for text in [
            "2026-02-30",
            "13/1/2026",
            "1/5/26",
            "2026-01-05T25:00",
            "2026-01-05 14:30 XYZ",
            "yesterday",
            "2026/01/05",
            "1/5/2026 13:00 PM",
        ] {
            assert!(parse_written(text, DateOrder::Mdy).is_err(), "{text}");
        }
        assert!(parse_written("5/13/2026", DateOrder::Dmy).is_err());
    }

    #[test]
    fn plain_amounts_read_as_the_general_reader_does() {
        let usd = Currency::from_code("USD").unwrap();
        let jpy = Currency::from_code("JPY").unwrap();
        let bhd = Currency::from_code("BHD").unwrap();
        for text in [
            "0",
            "5",
            "5300.00",
            "5300.5",
            "007.10",
            "1234567890123",
            "12345678901234",
            "1234567890123.99",
            "5.",
            ".5",
            "5.123",
            "5.1234",
            "5,300.00",
            "1e3",
            "9999999999999.99",
        ] {
            for c in [usd, jpy, bhd] {
                if let Some(fast) = plain_amount(text, c) {
                    assert_eq!(Ok(fast), parse_amount_general(text, c), "{text} {c:?}");
                }
            }
        }
        assert!(plain_amount("5300.00", usd).is_some());
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config::with_cases(2000))]

        /// The plain reader agrees with the general one wherever it answers, and answers for
        /// plain digits with a point and at most the currency's decimals.
        #[test]
        fn plain_amounts_agree_with_the_general_reader(
            text in "[0-9.,$()e-]{0,20}",
            code in proptest::sample::select(vec!["USD", "JPY", "BHD"]),
        ) {
            let c = Currency::from_code(code).unwrap();
            match plain_amount(&text, c) {
                Some(fast) => proptest::prop_assert_eq!(Ok(fast), parse_amount_general(&text, c)),
                None => {
                    let plain = text.bytes().all(|b| b.is_ascii_digit() || b == b'.')
                        && text.bytes().filter(|&b| b == b'.').count() <= 1;
                    let (whole, decimals) = text.split_once('.').unwrap_or((&text, ""));
                    proptest::prop_assert!(
                        !plain || whole.is_empty() || whole.len() > 13
                            || text.contains('.') && (decimals.is_empty() || decimals.len() > c.exponent() as usize),
                        "{} is plain but not read as such", text
                    );
                }
            }
        }
    }

    /// The general path alone, for comparison with the plain one.
    fn parse_amount_general(text: &str, currency: Currency) -> Result<Money, String> {
        super::parse_amount_general(text, currency)
    }

    #[test]
    fn amounts() {
        let usd = Currency::from_code("USD").unwrap();
        let minor = |t: &str| parse_amount(t, usd).map(|m| m.minor_units());
        assert_eq!(minor("1234.5"), Ok(123450));
        assert_eq!(minor("1,234.50"), Ok(123450));
        assert_eq!(minor("$1,234.50"), Ok(123450));
        assert_eq!(minor("(1,234.50)"), Ok(-123450));
        assert_eq!(minor("-$5"), Ok(-500));
        assert_eq!(minor("$ 1,000,000"), Ok(100000000));
        assert_eq!(minor("€12"), Ok(1200));
        for t in [
            "1,2", "12,34.5", "abc", "$", "1.234", "--5", "(-5)", "1 234", "1.2.3",
        ] {
            assert!(minor(t).is_err(), "{t}");
        }
    }

    #[test]
    fn counts() {
        assert_eq!(parse_count("250"), Ok(250));
        assert_eq!(parse_count("1,200"), Ok(1200));
        for t in ["-1", "1.5", "12,00", "", "99999999999"] {
            assert!(parse_count(t).is_err(), "{t}");
        }
    }
}
