//! Case folding and date reading for the condition language, shaped for the hot path: operands
//! are folded once at parse time, values are compared without allocating whenever both sides
//! are ASCII (the common case), and only non-ASCII values pay for a folded copy.
//!
//! "Case-insensitive" means Unicode lowercase applied char by char (`char::to_lowercase`), on
//! both sides, so the rule is the same whichever side is ASCII.

use chrono::{DateTime, NaiveDate, Utc};
use std::cmp::Ordering;

/// The folded (lowercased, char by char) form of `s`.
pub(crate) fn fold(s: &str) -> String {
    s.chars().flat_map(char::to_lowercase).collect()
}

/// `value` equals the operand whose raw form is `raw` and folded form is `folded`, ignoring case.
pub(crate) fn eq_fold(value: &str, raw: &str, folded: &str) -> bool {
    if value.is_ascii() && raw.is_ascii() {
        value.eq_ignore_ascii_case(raw)
    } else {
        value
            .chars()
            .flat_map(char::to_lowercase)
            .eq(folded.chars())
    }
}

/// `hay` contains `needle` (already folded), ignoring case.
pub(crate) fn contains_fold(hay: &str, needle: &str) -> bool {
    if hay.is_ascii() {
        // The folded form of an ASCII string is ASCII, so it cannot hold a non-ASCII needle.
        needle.is_ascii() && ascii_contains_ignore_case(hay.as_bytes(), needle.as_bytes())
    } else {
        fold(hay).contains(needle)
    }
}

fn ascii_contains_ignore_case(hay: &[u8], needle: &[u8]) -> bool {
    if needle.is_empty() {
        return true;
    }
    if needle.len() > hay.len() {
        return false;
    }
    let first = needle[0];
    hay.windows(needle.len())
        .any(|w| w[0].to_ascii_lowercase() == first && w.eq_ignore_ascii_case(needle))
}

/// `hay` starts with `needle` (already folded), ignoring case.
pub(crate) fn starts_with_fold(hay: &str, needle: &str) -> bool {
    if hay.is_ascii() && needle.is_ascii() {
        let (h, n) = (hay.as_bytes(), needle.as_bytes());
        h.len() >= n.len() && h[..n.len()].eq_ignore_ascii_case(n)
    } else {
        let mut h = hay.chars().flat_map(char::to_lowercase);
        needle.chars().all(|c| h.next() == Some(c))
    }
}

/// `hay` ends with `needle` (already folded), ignoring case.
pub(crate) fn ends_with_fold(hay: &str, needle: &str) -> bool {
    if hay.is_ascii() && needle.is_ascii() {
        let (h, n) = (hay.as_bytes(), needle.as_bytes());
        h.len() >= n.len() && h[h.len() - n.len()..].eq_ignore_ascii_case(n)
    } else {
        let mut h = hay.chars().rev().flat_map(|c| c.to_lowercase().rev());
        needle.chars().rev().all(|c| h.next() == Some(c))
    }
}

/// Calls `f` with the folded form of `s`, on the stack when `s` is short ASCII.
pub(crate) fn with_folded<T>(s: &str, f: impl FnOnce(&str) -> T) -> T {
    const STACK: usize = 64;
    if s.is_ascii() && s.len() <= STACK {
        let mut buf = [0u8; STACK];
        let out = &mut buf[..s.len()];
        out.copy_from_slice(s.as_bytes());
        out.make_ascii_lowercase();
        // ASCII in, ASCII out: always valid UTF-8.
        match std::str::from_utf8(out) {
            Ok(folded) => f(folded),
            Err(_) => f(&fold(s)),
        }
    } else {
        f(&fold(s))
    }
}

/// A calendar date or an instant: what date operands and date-like values hold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum DateLike {
    Date(NaiveDate),
    Instant(DateTime<Utc>),
}

impl DateLike {
    /// Reads `YYYY-MM-DD` or an RFC 3339 timestamp (any offset, converted to UTC).
    pub(crate) fn parse(s: &str) -> Option<DateLike> {
        let b = s.as_bytes();
        if b.len() == 10 {
            let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
            if !(digits(0..4) && b[4] == b'-' && digits(5..7) && b[7] == b'-' && digits(8..10)) {
                return None;
            }
            let num = |r: std::ops::Range<usize>| {
                b[r].iter()
                    .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'))
            };
            let year = i32::try_from(num(0..4)).ok()?;
            return NaiveDate::from_ymd_opt(year, num(5..7), num(8..10)).map(DateLike::Date);
        }
        DateTime::parse_from_rfc3339(s)
            .ok()
            .map(|t| DateLike::Instant(t.with_timezone(&Utc)))
    }

    fn date(self) -> NaiveDate {
        match self {
            DateLike::Date(d) => d,
            DateLike::Instant(t) => t.date_naive(),
        }
    }

    /// Orders two date-likes: two instants compare as instants; when either side is a plain
    /// date, both compare as UTC calendar dates.
    pub(crate) fn compare(self, other: DateLike) -> Ordering {
        match (self, other) {
            (DateLike::Instant(a), DateLike::Instant(b)) => a.cmp(&b),
            (a, b) => a.date().cmp(&b.date()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_agrees_on_ascii_and_unicode() {
        assert!(eq_fold("Hello", "hELLO", "hello"));
        assert!(!eq_fold("Hello", "Hell", "hell"));
        assert!(eq_fold("ÄRGER", "ärger", "ärger"));
        assert!(contains_fold("Acme Corporation", "corp"));
        assert!(!contains_fold("Acme", "corp"));
        assert!(contains_fold("Großhandel MÜNCHEN", "münchen"));
        assert!(!contains_fold("ascii", "ü"));
        assert!(starts_with_fold("ACME Inc", "acme"));
        assert!(starts_with_fold("ÜBER uns", "über"));
        assert!(!starts_with_fold("AC", "acme"));
        assert!(ends_with_fold("shop.ACME.com", ".com"));
        assert!(ends_with_fold("Straße", "ße"));
        assert!(!ends_with_fold("om", ".com"));
        assert!(with_folded("MiXeD", |f| f == "mixed"));
        assert!(with_folded(&"X".repeat(100), |f| f == "x".repeat(100)));
    }

    #[test]
    fn dates_and_timestamps_are_read_strictly() {
        let d = |y, m, day| DateLike::Date(NaiveDate::from_ymd_opt(y, m, day).unwrap());
        assert_eq!(DateLike::parse("2024-02-29"), Some(d(2024, 2, 29)));
        assert_eq!(DateLike::parse("2023-02-29"), None);
        assert_eq!(DateLike::parse("2024-2-029"), None);
        assert_eq!(DateLike::parse("20240101"), None);
        assert_eq!(DateLike::parse("2024-01-01T00:00:00"), None);
        let t = DateLike::parse("2024-01-01T23:30:00-02:00").unwrap();
        // 23:30 at -02:00 is the next day in UTC.
        assert_eq!(t.compare(d(2024, 1, 2)), Ordering::Equal);
        assert_eq!(t.compare(d(2024, 1, 1)), Ordering::Greater);
    }
}
