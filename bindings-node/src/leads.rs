//! The leads of a routing batch in the flat encoding index.js builds (`leadsFlat`), read into
//! core `Lead`s without JSON text or N-API calls per value.
//!
//! `JSON.stringify` of the projected leads and serde_json's scan of that text cost more than
//! routing (benches/RESULTS.md, "Node bridge"), so index.js walks the wanted keys
//! (`leadFields()`) itself and sends three values:
//!
//! - `text`: the batch's strings joined with NUL (`\0`);
//! - `codes` (`Int32Array`): the lead count, the string count, then per lead the number of
//!   its entries followed by one code per entry: `key << 3 | kind`, `key` the index in
//!   `leadFields()`, `kind` one of [`STRING`], [`NUMBER`], [`TRUE`], [`FALSE`], [`NULL`],
//!   [`JSON`] (a nested value as its JSON text, among the strings);
//! - `numbers` (`Float64Array`): the numbers, in entry order.
//!
//! Each lead is built field by field, straight from its entries, into a `Lead` the router
//! keeps from batch to batch (its strings' memory reused): strings, whole numbers and nulls
//! in the fields that hold them are read here, `created_at` by a parse of the canonical RFC
//! 3339 shapes (chrono for any other); any other value goes through that field type's own
//! `Deserialize`, fed by [`Entry`], a deserializer that presents a value as serde_json
//! presents the same value parsed from `JSON.stringify`'s text (a whole number as `u64` or
//! `i64`, others as `f64`; nested values are parsed by serde_json itself). Keys that are not
//! `Lead` fields go to `attributes`, then the `attributes` object over them, as the record
//! reader does. So a batch reads here exactly as its JSON text reads (a proptest holds the
//! two together). Anything this reader does not take (a string holding NUL, which splits into
//! one piece too many; codes out of range; a value the lead refuses) gives `None`, and
//! index.js sends the batch the way it always did, which reports every problem with its path.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, TimeDelta, Utc};
use revcore::model::{AccountId, Attributes, Lead, LeadId, LeadStatus, RepId};
use serde::de::value::BorrowedStrDeserializer;
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use serde_json::{Error, Value};

/// A string of `text`.
pub const STRING: i32 = 0;
/// A number of `numbers`.
pub const NUMBER: i32 = 1;
pub const TRUE: i32 = 2;
pub const FALSE: i32 = 3;
pub const NULL: i32 = 4;
/// A nested value (object or array): its JSON text, a string of `text`.
pub const JSON: i32 = 5;
/// Bits of an entry code holding the kind.
const KIND_BITS: u32 = 3;
/// Largest integer a JS number holds exactly (2^53 - 1): whole numbers up to it are written
/// as integers by `JSON.stringify` and read as such by serde_json.
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// A batch of leads in the flat encoding (module documentation).
pub struct FlatLeads<'de> {
    /// The router's `lead_fields()`: what an entry's `key` indexes.
    pub keys: &'de [String],
    pub text: &'de str,
    pub codes: &'de [i32],
    pub numbers: &'de [f64],
}

/// Positions in the strings and `numbers`.
struct Cursor<'de> {
    /// The strings joined with NUL.
    text: &'de str,
    /// Where the next string starts; past the end (`text.len() + 1`) once the last is taken.
    at: usize,
    /// Strings taken, of `strings` sent.
    taken: usize,
    strings: usize,
    numbers: &'de [f64],
    number: usize,
}

impl<'de> Cursor<'de> {
    /// The next string: up to the next NUL, or the end of `text`. Searched eight bytes at a
    /// time, inline: the strings are short (ids, names, times), where a call to `memchr` per
    /// string costs more.
    fn string(&mut self) -> Option<&'de str> {
        if self.taken == self.strings {
            return None;
        }
        let bytes = self.text.as_bytes();
        let start = self.at;
        let mut end = start;
        const ONES: u64 = 0x0101_0101_0101_0101;
        const HIGHS: u64 = 0x8080_8080_8080_8080;
        while let Some(chunk) = bytes.get(end..end + 8) {
            let word = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
            // The lowest byte that is zero sets the lowest high bit (bits above it may be
            // set falsely, those below never are).
            let zeros = word.wrapping_sub(ONES) & !word & HIGHS;
            if zeros != 0 {
                end += (zeros.trailing_zeros() / 8) as usize;
                break;
            }
            end += 8;
        }
        while end < bytes.len() && bytes[end] != 0 {
            end += 1;
        }
        self.taken += 1;
        self.at = end + 1;
        // NUL is ASCII: `start` and `end` are on character boundaries.
        self.text.get(start..end)
    }

    /// Whether every string was taken and they were all there is: a string holding NUL
    /// leaves a piece over (or shifts the others, which the leads then refuse).
    fn all_taken(&self) -> bool {
        self.taken == self.strings
            && if self.strings == 0 {
                self.text.is_empty()
            } else {
                self.at == self.text.len() + 1
            }
    }

    fn number(&mut self) -> Option<f64> {
        let x = self.numbers.get(self.number).copied();
        self.number += 1;
        x
    }
}

/// The leads, or `None` when this reader does not take them (module documentation).
#[cfg(test)]
pub fn read(flat: &FlatLeads<'_>) -> Option<Vec<Lead>> {
    let mut leads = Vec::new();
    let n = read_into(flat, &mut leads)?;
    leads.truncate(n);
    Some(leads)
}

/// The leads read into `leads[..n]`, returning `n`, or `None` when this reader does not take
/// them (then `leads` holds nothing of use). The leads already in `leads` (a router keeps
/// them from batch to batch) are overwritten in place, their strings' memory reused; leads
/// past `n` are left as they are, for the next batch.
pub fn read_into(flat: &FlatLeads<'_>, leads: &mut Vec<Lead>) -> Option<usize> {
    let count = usize::try_from(*flat.codes.first()?).ok()?;
    let strings = usize::try_from(*flat.codes.get(1)?).ok()?;
    let fields: Vec<Field> = flat.keys.iter().map(|k| Field::of(k)).collect();
    let mut cursor = Cursor {
        text: flat.text,
        at: 0,
        taken: 0,
        strings,
        numbers: flat.numbers,
        number: 0,
    };
    // At most one lead per code: a count beyond is malformed, and found so below.
    leads.reserve(count.min(flat.codes.len()).saturating_sub(leads.len()));
    let mut p = 2;
    for i in 0..count {
        let n = usize::try_from(*flat.codes.get(p)?).ok()?;
        let entries = flat.codes.get(p + 1..p + 1 + n)?;
        p += 1 + n;
        if i == leads.len() {
            leads.push(blank_lead());
        }
        read_lead(&mut leads[i], entries, flat.keys, &fields, &mut cursor)?;
    }
    let all_read =
        p == flat.codes.len() && cursor.all_taken() && cursor.number == flat.numbers.len();
    all_read.then_some(count)
}

/// A lead to read into: every optional field absent.
fn blank_lead() -> Lead {
    Lead::new(LeadId(String::new()), DateTime::<Utc>::UNIX_EPOCH)
}

/// What a key of `leadFields()` is in a [`Lead`]: one of its fields (the wire names of
/// `LEAD_FIELDS`, and `attributes`), or `Other`, a key kept in `attributes` as the record
/// reader keeps keys it does not declare.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Field {
    Id,
    CreatedAt,
    /// An optional text field: its index in [`text_field`].
    Text(u8),
    Employees,
    AnnualRevenue,
    Status,
    OwnerId,
    AccountId,
    FirstTouchAt,
    ConvertedAt,
    Attributes,
    Other,
}

/// The optional text fields, by their wire names; [`text_field`] maps the same index to the
/// field.
const TEXT_FIELDS: [&str; 14] = [
    "email",
    "first_name",
    "last_name",
    "title",
    "phone",
    "company",
    "website",
    "industry",
    "country",
    "region",
    "city",
    "postal_code",
    "language",
    "source",
];

fn text_field(lead: &mut Lead, i: u8) -> &mut Option<String> {
    match i {
        0 => &mut lead.email,
        1 => &mut lead.first_name,
        2 => &mut lead.last_name,
        3 => &mut lead.title,
        4 => &mut lead.phone,
        5 => &mut lead.company,
        6 => &mut lead.website,
        7 => &mut lead.industry,
        8 => &mut lead.country,
        9 => &mut lead.region,
        10 => &mut lead.city,
        11 => &mut lead.postal_code,
        12 => &mut lead.language,
        _ => &mut lead.source,
    }
}

impl Field {
    fn of(key: &str) -> Field {
        match key {
            "id" => Field::Id,
            "created_at" => Field::CreatedAt,
            "employees" => Field::Employees,
            "annual_revenue" => Field::AnnualRevenue,
            "status" => Field::Status,
            "owner_id" => Field::OwnerId,
            "account_id" => Field::AccountId,
            "first_touch_at" => Field::FirstTouchAt,
            "converted_at" => Field::ConvertedAt,
            "attributes" => Field::Attributes,
            _ => match TEXT_FIELDS.iter().position(|f| *f == key) {
                Some(i) => Field::Text(i as u8),
                None => Field::Other,
            },
        }
    }

    /// The field's bit in a lead's set of fields read (`Other` has none: a key met twice
    /// there replaces its value, as in a JSON object's reading).
    fn bit(self) -> u32 {
        match self {
            Field::Id => 1,
            Field::CreatedAt => 1 << 1,
            Field::Employees => 1 << 2,
            Field::AnnualRevenue => 1 << 3,
            Field::Status => 1 << 4,
            Field::OwnerId => 1 << 5,
            Field::AccountId => 1 << 6,
            Field::FirstTouchAt => 1 << 7,
            Field::ConvertedAt => 1 << 8,
            Field::Attributes => 1 << 9,
            Field::Text(i) => 1 << (10 + u32::from(i)),
            Field::Other => 0,
        }
    }
}

/// `s` into `slot`, in the string already there when there is one.
fn set_text(slot: &mut Option<String>, s: &str) {
    match slot {
        Some(text) => {
            text.clear();
            text.push_str(s);
        }
        None => *slot = Some(s.to_owned()),
    }
}

/// An id as the core's id types read it: not blank.
fn id_text(s: &str) -> Option<&str> {
    (!s.trim().is_empty()).then_some(s)
}

/// One lead's entries into `lead`, as the core's `Deserialize` for `Lead` reads the JSON
/// object of the same entries, or `None` where that refuses it (or a field comes twice,
/// which it refuses too). Common values (strings, whole numbers, null) are read here; any
/// other goes through that field type's own `Deserialize` (via [`Entry`]), so it reads, or
/// is refused, exactly as it would be from JSON text.
fn read_lead<'de>(
    lead: &mut Lead,
    entries: &[i32],
    keys: &'de [String],
    fields: &[Field],
    cursor: &mut Cursor<'de>,
) -> Option<()> {
    let mut seen = 0u32;
    let mut others = Attributes::new();
    let mut attributes = None;
    for &code in entries {
        let key = usize::try_from(code >> KIND_BITS).ok()?;
        let field = *fields.get(key)?;
        let entry = match code & ((1 << KIND_BITS) - 1) {
            STRING => Entry::String(cursor.string()?),
            NUMBER => Entry::Number(cursor.number()?),
            TRUE => Entry::Bool(true),
            FALSE => Entry::Bool(false),
            NULL => Entry::Null,
            JSON => Entry::Json(cursor.string()?),
            _ => return None,
        };
        let bit = field.bit();
        if seen & bit != 0 {
            return None;
        }
        seen |= bit;
        match (field, entry) {
            (Field::Id, Entry::String(s)) => {
                let id = &mut lead.id.0;
                id.clear();
                id.push_str(id_text(s)?);
            }
            (Field::Id, entry) => lead.id = LeadId::deserialize(entry).ok()?,
            (Field::CreatedAt, Entry::String(s)) => lead.created_at = parse_time(s)?,
            (Field::CreatedAt, entry) => lead.created_at = DateTime::deserialize(entry).ok()?,
            (Field::Text(i), Entry::String(s)) => set_text(text_field(lead, i), s),
            (Field::Text(i), Entry::Null) => *text_field(lead, i) = None,
            (Field::Text(i), entry) => *text_field(lead, i) = Option::deserialize(entry).ok()?,
            (Field::Employees, Entry::Number(x))
                if x.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&x) =>
            {
                lead.employees = Some(x as u32);
            }
            (Field::Employees, entry) => lead.employees = Option::deserialize(entry).ok()?,
            (Field::AnnualRevenue, entry) => {
                lead.annual_revenue = Option::deserialize(entry).ok()?;
            }
            (Field::Status, entry) => lead.status = LeadStatus::deserialize(entry).ok()?,
            (Field::OwnerId, Entry::String(s)) => match &mut lead.owner_id {
                Some(id) => {
                    id.0.clear();
                    id.0.push_str(id_text(s)?);
                }
                slot => *slot = Some(RepId(id_text(s)?.to_owned())),
            },
            (Field::OwnerId, entry) => lead.owner_id = Option::deserialize(entry).ok()?,
            (Field::AccountId, Entry::String(s)) => match &mut lead.account_id {
                Some(id) => {
                    id.0.clear();
                    id.0.push_str(id_text(s)?);
                }
                slot => *slot = Some(AccountId(id_text(s)?.to_owned())),
            },
            (Field::AccountId, entry) => lead.account_id = Option::deserialize(entry).ok()?,
            (Field::FirstTouchAt, Entry::String(s)) => lead.first_touch_at = Some(parse_time(s)?),
            (Field::FirstTouchAt, entry) => {
                lead.first_touch_at = Option::deserialize(entry).ok()?
            }
            (Field::ConvertedAt, Entry::String(s)) => lead.converted_at = Some(parse_time(s)?),
            (Field::ConvertedAt, entry) => lead.converted_at = Option::deserialize(entry).ok()?,
            (Field::Attributes, entry) => attributes = Some(Attributes::deserialize(entry).ok()?),
            (Field::Other, entry) => {
                others.insert(keys[key].clone(), Value::deserialize(entry).ok()?);
            }
        }
    }
    // `id` and `created_at` are required; every other field not given is absent.
    const REQUIRED: u32 = 0b11;
    if seen & REQUIRED != REQUIRED {
        return None;
    }
    let absent = |f: Field| seen & f.bit() == 0;
    for i in 0..TEXT_FIELDS.len() as u8 {
        if absent(Field::Text(i)) {
            *text_field(lead, i) = None;
        }
    }
    if absent(Field::Employees) {
        lead.employees = None;
    }
    if absent(Field::AnnualRevenue) {
        lead.annual_revenue = None;
    }
    if absent(Field::Status) {
        lead.status = LeadStatus::default();
    }
    if absent(Field::OwnerId) {
        lead.owner_id = None;
    }
    if absent(Field::AccountId) {
        lead.account_id = None;
    }
    if absent(Field::FirstTouchAt) {
        lead.first_touch_at = None;
    }
    if absent(Field::ConvertedAt) {
        lead.converted_at = None;
    }
    // As the record reader: keys it does not declare, then `attributes` over them.
    if let Some(attributes) = attributes {
        others.extend(attributes);
    }
    lead.attributes = others;
    Some(())
}

/// A time as `DateTime<Utc>`'s `Deserialize` reads it from a string (chrono's relaxed RFC
/// 3339 parse, converted to UTC): the canonical shapes read here ([`canonical_time`]), any
/// other by chrono.
pub fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    canonical_time(s.as_bytes()).or_else(|| {
        s.parse::<DateTime<FixedOffset>>()
            .ok()
            .map(|t| t.with_timezone(&Utc))
    })
}

/// `YYYY-MM-DDTHH:MM:SS[.f{1,9}]` then `Z` or `±HH:MM`, a valid date and time (no leap
/// second, hours below 24), read without chrono's general parser; `None` for anything else,
/// which chrono then reads (or refuses). A test holds this to chrono's reading.
fn canonical_time(b: &[u8]) -> Option<DateTime<Utc>> {
    /// The number of the ASCII digits `b[at..at + n]`.
    fn digits(b: &[u8], at: usize, n: usize) -> Option<u32> {
        let mut x = 0;
        for &c in b.get(at..at + n)? {
            if !c.is_ascii_digit() {
                return None;
            }
            x = x * 10 + u32::from(c - b'0');
        }
        Some(x)
    }
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let year = digits(b, 0, 4)?;
    let month = digits(b, 5, 2)?;
    let day = digits(b, 8, 2)?;
    let hour = digits(b, 11, 2)?;
    let minute = digits(b, 14, 2)?;
    let second = digits(b, 17, 2)?;
    let mut at = 19;
    let mut nanos = 0;
    if b[at] == b'.' {
        let start = at + 1;
        at = start;
        while at < b.len() && b[at].is_ascii_digit() {
            at += 1;
        }
        let n = at - start;
        if !(1..=9).contains(&n) {
            return None;
        }
        nanos = digits(b, start, n)? * 10u32.pow((9 - n) as u32);
    }
    let offset = match &b[at..] {
        [b'Z'] => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let (h, m) = (digits(b, at + 1, 2)?, digits(b, at + 4, 2)?);
            if h > 23 || m > 59 {
                return None;
            }
            let seconds = i64::from(h * 3600 + m * 60);
            if *sign == b'-' {
                -seconds
            } else {
                seconds
            }
        }
        _ => return None,
    };
    let date = NaiveDate::from_ymd_opt(year as i32, month, day)?;
    let time = NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)?;
    let local = date.and_time(time);
    let utc = if offset == 0 {
        local
    } else {
        local.checked_sub_signed(TimeDelta::seconds(offset))?
    };
    Some(utc.and_utc())
}

fn malformed() -> Error {
    de::Error::custom("malformed flat leads")
}

/// One value of a lead, presented as serde_json presents the same value read from JSON text.
enum Entry<'de> {
    String(&'de str),
    Number(f64),
    Bool(bool),
    Null,
    Json(&'de str),
}

/// `f` on a serde_json deserializer of `text`, which must hold one value and nothing else.
fn json<'de, T>(
    text: &'de str,
    f: impl FnOnce(&mut serde_json::Deserializer<serde_json::de::StrRead<'de>>) -> Result<T, Error>,
) -> Result<T, Error> {
    let mut d = serde_json::Deserializer::from_str(text);
    let value = f(&mut d)?;
    d.end()?;
    Ok(value)
}

impl<'de> Deserializer<'de> for Entry<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Entry::String(s) => visitor.visit_borrowed_str(s),
            // As serde_json reads `JSON.stringify`'s text of the number: a whole number within
            // the safe range is written without a fraction and read as an integer (`-0` is
            // written `0`); any other finite number is read back as the very same double
            // (float_roundtrip). index.js sends no other numbers.
            Entry::Number(x) if x.fract() == 0.0 && x.abs() <= MAX_SAFE_INTEGER => {
                if x >= 0.0 {
                    visitor.visit_u64(x as u64)
                } else {
                    visitor.visit_i64(x as i64)
                }
            }
            Entry::Number(x) if x.is_finite() => visitor.visit_f64(x),
            Entry::Number(_) => Err(malformed()),
            Entry::Bool(b) => visitor.visit_bool(b),
            Entry::Null => visitor.visit_unit(),
            Entry::Json(text) => json(text, |d| d.deserialize_any(visitor)),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Entry::Null => visitor.visit_none(),
            Entry::Json(text) => json(text, |d| d.deserialize_option(visitor)),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self {
            Entry::Json(text) => json(text, |d| d.deserialize_newtype_struct(name, visitor)),
            _ => visitor.visit_newtype_struct(self),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self {
            Entry::String(s) => {
                BorrowedStrDeserializer::new(s).deserialize_enum(name, variants, visitor)
            }
            Entry::Json(text) => json(text, |d| d.deserialize_enum(name, variants, visitor)),
            _ => self.deserialize_any(visitor),
        }
    }

    // serde_json reads a map or a struct only from an object (a struct also from an array),
    // and refuses anything else, where a visitor given `visit_unit` might take a null (as
    // serde_json's own `Map` does): only nested values (JSON text) can be either.
    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Entry::Json(text) => json(text, |d| d.deserialize_map(visitor)),
            _ => Err(malformed()),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self {
            Entry::Json(text) => json(text, |d| d.deserialize_struct(name, fields, visitor)),
            _ => Err(malformed()),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct seq tuple tuple_struct identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(names: &[&str]) -> Vec<String> {
        names.iter().map(|k| k.to_string()).collect()
    }

    fn code(key: i32, kind: i32) -> i32 {
        key << KIND_BITS | kind
    }

    /// The flat encoding reads as the JSON text of the same leads reads.
    #[test]
    fn reads_as_json_text_reads() {
        let keys = keys(&[
            "attributes",
            "created_at",
            "employees",
            "id",
            "score",
            "source",
        ]);
        let text =
            "L-1\x002026-03-02T10:00:00Z\0{\"segment\":[\"w\",1.5]}\0L-2\x002026-03-02T11:00:00.5Z";
        let codes = [
            2,
            5,
            4,
            code(3, STRING),
            code(1, STRING),
            code(2, NUMBER),
            code(0, JSON),
            4,
            code(3, STRING),
            code(1, STRING),
            code(4, NUMBER),
            code(5, NULL),
        ];
        let numbers = [1200.0, 0.300_000_000_000_000_04];
        let flat = FlatLeads {
            keys: &keys,
            text,
            codes: &codes,
            numbers: &numbers,
        };
        let leads = read(&flat).expect("read");
        let expected: Vec<Lead> = serde_json::from_str(
            r#"[{"id":"L-1","created_at":"2026-03-02T10:00:00Z","employees":1200,"attributes":{"segment":["w",1.5]}},
                {"id":"L-2","created_at":"2026-03-02T11:00:00.5Z","score":0.30000000000000004,"source":null}]"#,
        )
        .unwrap();
        assert_eq!(leads, expected);
    }

    /// What the JSON text would refuse, or what was not sent right, is not read here.
    #[test]
    fn refuses_what_it_does_not_take() {
        let keys = keys(&["created_at", "employees", "id"]);
        let lead = |text: &str, codes: &[i32], numbers: &[f64]| {
            read(&FlatLeads {
                keys: &keys,
                text,
                codes,
                numbers,
            })
        };
        let good = [1, 2, 2, code(2, STRING), code(0, STRING)];
        assert!(lead("L\x002026-03-02T10:00:00Z", &good, &[]).is_some());
        // A NUL inside a string: one piece too many.
        assert!(lead("L\0x\x002026-03-02T10:00:00Z", &good, &[]).is_none());
        // A bad time, a fraction of an employee, a negative count, a missing id.
        assert!(lead("L\0yesterday", &good, &[]).is_none());
        let employees = [1, 2, 3, code(2, STRING), code(0, STRING), code(1, NUMBER)];
        assert!(lead("L\x002026-03-02T10:00:00Z", &employees, &[3.0]).is_some());
        assert!(lead("L\x002026-03-02T10:00:00Z", &employees, &[3.5]).is_none());
        assert!(lead("L\x002026-03-02T10:00:00Z", &employees, &[-3.0]).is_none());
        assert!(lead("L\x002026-03-02T10:00:00Z", &employees, &[f64::NAN]).is_none());
        assert!(lead("2026-03-02T10:00:00Z", &[1, 1, 1, code(0, STRING)], &[]).is_none());
        // Codes out of range or left over; strings or numbers left over.
        assert!(lead(
            "L\x002026-03-02T10:00:00Z",
            &[1, 2, 2, code(9, STRING), code(0, STRING)],
            &[]
        )
        .is_none());
        assert!(lead(
            "L\x002026-03-02T10:00:00Z",
            &[1, 2, 2, code(2, 7), code(0, STRING)],
            &[]
        )
        .is_none());
        assert!(lead(
            "L\x002026-03-02T10:00:00Z",
            &[1, 2, 3, code(2, STRING), code(0, STRING)],
            &[]
        )
        .is_none());
        assert!(lead(
            "L\x002026-03-02T10:00:00Z",
            &[2, 2, 2, code(2, STRING), code(0, STRING)],
            &[]
        )
        .is_none());
        assert!(lead(
            "L\x002026-03-02T10:00:00Z",
            &[1, 2, 2, code(2, STRING), code(0, STRING), 0],
            &[]
        )
        .is_none());
        assert!(lead("L\x002026-03-02T10:00:00Z", &good, &[1.0]).is_none());
        assert!(lead(
            "L\x002026-03-02T10:00:00Z\0x",
            &[1, 3, 2, code(2, STRING), code(0, STRING)],
            &[]
        )
        .is_none());
        // An empty string; a NUL inside the last string (it would read as a lead without it).
        let company: Vec<String> = ["company", "created_at", "id"].map(String::from).to_vec();
        let three = [1, 3, 3, code(2, STRING), code(0, STRING), code(1, STRING)];
        let with_company = |text: &str| {
            read(&FlatLeads {
                keys: &company,
                text,
                codes: &three,
                numbers: &[],
            })
        };
        let empty = with_company("L\x00\x002026-03-02T10:00:00Z").expect("read");
        assert_eq!(empty[0].company.as_deref(), Some(""));
        assert!(with_company("L\x00Acme\x002026-03-02T10:00:00Z").is_some());
        assert!(with_company("L\x00Acme\x002026-03-02T10:00:00Z\x00x").is_none());
        assert!(lead("", &[0, 0], &[]).is_some_and(|l| l.is_empty()));
        assert!(lead("x", &[0, 0], &[]).is_none());
        assert!(lead("", &[], &[]).is_none());
    }

    /// Strings of every length around the eight-byte words the search reads, and non-ASCII
    /// ones, split where index.js joined them.
    #[test]
    fn strings_split_at_each_nul() {
        let pieces: Vec<String> = (0..40)
            .map(|n| {
                let base = if n % 3 == 0 { "é☃x" } else { "abcdefgh" };
                base.chars().cycle().take(n).collect()
            })
            .collect();
        let text = pieces.join("\0");
        let mut cursor = Cursor {
            text: &text,
            at: 0,
            taken: 0,
            strings: pieces.len(),
            numbers: &[],
            number: 0,
        };
        for piece in &pieces {
            assert_eq!(cursor.string(), Some(piece.as_str()));
        }
        assert!(cursor.all_taken());
        assert_eq!(cursor.string(), None);
    }

    /// The fields the reader knows by name are `Lead`'s wire fields and `attributes`.
    #[test]
    fn fields_are_the_lead_fields() {
        for name in revcore::model::LEAD_FIELDS {
            assert_ne!(Field::of(name), Field::Other, "{name}");
        }
        assert_eq!(Field::of("attributes"), Field::Attributes);
        assert_eq!(Field::of("utm_source"), Field::Other);
        let mut bits = 0;
        for name in revcore::model::LEAD_FIELDS.iter().chain(&["attributes"]) {
            let bit = Field::of(name).bit();
            assert_eq!(bits & bit, 0, "{name} shares a bit");
            bits |= bit;
        }
    }

    #[test]
    fn canonical_times_are_read_without_chrono() {
        for s in [
            "2026-03-02T10:00:00Z",
            "2024-02-29T23:59:59.999999999Z",
            "2026-03-02T10:00:00.5+05:30",
            "0000-01-01T00:00:00-23:59",
        ] {
            assert!(canonical_time(s.as_bytes()).is_some(), "{s}");
        }
        for s in [
            "2026-03-02t10:00:00Z",
            "2023-02-29T10:00:00Z",
            "2026-03-02T24:00:00Z",
            "2026-03-02T23:59:60Z",
            "2026-03-02T10:00Z",
            "2026-03-02T10:00:00.1234567891Z",
            "2026-03-02 10:00:00Z",
        ] {
            assert!(canonical_time(s.as_bytes()).is_none(), "{s}");
        }
    }

    use proptest::prelude::*;

    /// chrono's reading of a time, as `DateTime<Utc>`'s `Deserialize` reads it.
    fn chrono_time(s: &str) -> Option<DateTime<Utc>> {
        serde_json::from_value(Value::String(s.to_owned())).ok()
    }

    /// Times around the canonical shapes: right ones, out-of-range parts, other separators
    /// and zones, missing or extra digits, and random edits of those.
    fn time_text() -> impl Strategy<Value = String> {
        let part =
            |lo: u32, hi: u32, width: usize| (lo..=hi).prop_map(move |x| format!("{x:0width$}"));
        let year = prop_oneof![
            part(0, 9999, 4),
            Just("2024".to_owned()),
            Just("2100".to_owned()),
            Just("2000".to_owned()),
            Just("1900".to_owned()),
            Just("+2026".to_owned()),
            Just("226".to_owned()),
        ];
        let fraction = prop_oneof![
            Just(String::new()),
            (1usize..=11).prop_flat_map(|n| proptest::collection::vec(0u32..10, n)
                .prop_map(|d| format!(".{}", d.iter().map(u32::to_string).collect::<String>()))),
            Just(".".to_owned()),
        ];
        let zone = prop_oneof![
            Just("Z".to_owned()),
            Just("z".to_owned()),
            Just(String::new()),
            (prop::sample::select(vec!['+', '-']), 0u32..=25, 0u32..=61)
                .prop_map(|(s, h, m)| format!("{s}{h:02}:{m:02}")),
            Just("+0530".to_owned()),
            Just("-00:00".to_owned()),
            Just("Z ".to_owned()),
        ];
        let time = (
            year,
            part(0, 13, 2),
            part(0, 32, 2),
            prop::sample::select(vec!["T", "t", " ", "_"]),
            part(0, 25, 2),
            part(0, 61, 2),
            prop_oneof![4 => part(0, 61, 2).prop_map(|s| format!(":{s}")), 1 => Just(String::new())],
            fraction,
            zone,
        )
            .prop_map(|(y, mo, d, t, h, mi, s, f, z)| format!("{y}-{mo}-{d}{t}{h}:{mi}{s}{f}{z}"));
        (
            time,
            proptest::option::of((any::<prop::sample::Index>(), any::<char>(), any::<bool>())),
        )
            .prop_map(|(mut s, edit)| {
                if let Some((at, c, insert)) = edit {
                    let chars: Vec<char> = s.chars().collect();
                    let i = at.index(chars.len() + 1);
                    let mut edited: Vec<char> = chars.clone();
                    if insert || i == chars.len() {
                        edited.insert(i, c);
                    } else {
                        edited.remove(i);
                    }
                    s = edited.into_iter().collect();
                }
                s
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        /// The fast path reads a time as chrono does, and refuses what chrono refuses.
        #[test]
        fn times_read_as_chrono_reads_them(s in time_text()) {
            prop_assert_eq!(parse_time(&s), chrono_time(&s), "{:?}", s);
            if let Some(t) = canonical_time(s.as_bytes()) {
                prop_assert_eq!(Some(t), chrono_time(&s), "{:?}", s);
            }
        }
    }

    /// One value of a random lead: its flat kind and what the JSON text holds.
    #[derive(Clone, Debug)]
    enum Sent {
        Text(&'static str),
        Number(f64),
        Bool(bool),
        Null,
        Json(&'static str),
    }

    impl Sent {
        fn json(&self) -> String {
            match self {
                Sent::Text(s) => serde_json::to_string(s).unwrap(),
                // As `JSON.stringify` writes it (index.js sends no other numbers).
                Sent::Number(x) if x.fract() == 0.0 && x.abs() <= MAX_SAFE_INTEGER => {
                    format!("{}", *x as i64)
                }
                Sent::Number(x) => serde_json::to_string(x).unwrap(),
                Sent::Bool(b) => b.to_string(),
                Sent::Null => "null".to_owned(),
                Sent::Json(t) => (*t).to_owned(),
            }
        }
    }

    const KEYS: [&str; 27] = [
        "account_id",
        "annual_revenue",
        "attributes",
        "city",
        "company",
        "converted_at",
        "country",
        "created_at",
        "email",
        "employees",
        "first_name",
        "first_touch_at",
        "id",
        "industry",
        "language",
        "last_name",
        "owner_id",
        "phone",
        "postal_code",
        "region",
        "source",
        "status",
        "title",
        "website",
        "segment",
        "utm_source",
        "tier",
    ];

    fn sent() -> impl Strategy<Value = Sent> {
        let text = prop::sample::select(vec![
            "L-1",
            "lead-000002",
            "Acme GmbH",
            "",
            "  ",
            "Zoë Straße ☃",
            "US",
            "working",
            "qualified",
            "New",
            "2026-03-02T10:00:00Z",
            "2024-02-29T23:59:59.5+05:30",
            "2023-02-29T10:00:00Z",
            "2026-03-02 10:00:00z",
            "2026-03-02T10:00:00.1234567891Z",
            "yesterday",
            "rep-01",
            "x@example.com",
            "1200",
        ]);
        let number = prop::sample::select(vec![
            0.0,
            -0.0,
            3.0,
            -3.0,
            3.5,
            0.1 + 0.2,
            4_294_967_295.0,
            4_294_967_296.0,
            1e300,
            -1e-300,
            9_007_199_254_740_991.0,
            9_007_199_254_740_993.0,
        ]);
        let json = prop::sample::select(vec![
            r#"{"amount":1200,"currency":"USD"}"#,
            r#"{"amount":12.5,"currency":"EUR"}"#,
            r#"{"amount":"x","currency":"USD"}"#,
            r#"{"segment":["w",1.5],"tier":{"x":1}}"#,
            r#"{"utm_source":"g2"}"#,
            "[1,2]",
            "[]",
            "{}",
            r#"{"a":null}"#,
        ]);
        prop_oneof![
            6 => text.prop_map(Sent::Text),
            3 => number.prop_map(Sent::Number),
            1 => any::<bool>().prop_map(Sent::Bool),
            2 => Just(Sent::Null),
            2 => json.prop_map(Sent::Json),
        ]
    }

    /// A lead: distinct keys (a JS object's), in a random order, mostly with an id and a
    /// time that read.
    fn lead() -> impl Strategy<Value = Vec<(usize, Sent)>> {
        (
            prop::sample::subsequence((0..KEYS.len()).collect::<Vec<_>>(), 0..8),
            proptest::collection::vec(sent(), 8),
            any::<bool>(),
            any::<bool>(),
        )
            .prop_flat_map(|(keys, values, id, time)| {
                let mut entries: Vec<(usize, Sent)> = keys.into_iter().zip(values).collect();
                let has = |entries: &Vec<(usize, Sent)>, k: &str| {
                    entries.iter().any(|(i, _)| KEYS[*i] == k)
                };
                if id && !has(&entries, "id") {
                    entries.push((12, Sent::Text("L-7")));
                }
                if time && !has(&entries, "created_at") {
                    entries.push((7, Sent::Text("2026-03-02T10:00:00.25Z")));
                }
                Just(entries).prop_shuffle()
            })
    }

    /// A batch in the flat encoding and as the JSON text `JSON.stringify` would give.
    fn encode(leads: &[Vec<(usize, Sent)>]) -> (String, Vec<i32>, Vec<f64>, String) {
        let mut strings = Vec::new();
        let mut codes = vec![leads.len() as i32, 0];
        let mut numbers = Vec::new();
        let mut json = Vec::new();
        for lead in leads {
            codes.push(lead.len() as i32);
            let mut object = Vec::new();
            for (key, value) in lead {
                let kind = match value {
                    Sent::Text(s) => {
                        strings.push(*s);
                        STRING
                    }
                    Sent::Number(x) => {
                        numbers.push(*x);
                        NUMBER
                    }
                    Sent::Bool(true) => TRUE,
                    Sent::Bool(false) => FALSE,
                    Sent::Null => NULL,
                    Sent::Json(t) => {
                        strings.push(*t);
                        JSON
                    }
                };
                codes.push(code(*key as i32, kind));
                object.push(format!("{:?}:{}", KEYS[*key], value.json()));
            }
            json.push(format!("{{{}}}", object.join(",")));
        }
        codes[1] = strings.len() as i32;
        (
            strings.join("\0"),
            codes,
            numbers,
            format!("[{}]", json.join(",")),
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(600))]

        /// Random leads read as serde reads their JSON text (the text path's reader, which
        /// reports the problems of what this one refuses), batch after batch into the same
        /// list: a lead read over one of the last batch keeps nothing of it.
        #[test]
        fn leads_read_as_their_json_text(
            batches in proptest::collection::vec(proptest::collection::vec(lead(), 0..6), 1..4)
        ) {
            let keys = self::keys(&KEYS);
            let mut reused = Vec::new();
            for batch in &batches {
                let (text, codes, numbers, json) = encode(batch);
                let flat = FlatLeads { keys: &keys, text: &text, codes: &codes, numbers: &numbers };
                let expected: Option<Vec<Lead>> = serde_json::from_str(&json).ok();
                let fresh = read(&flat);
                prop_assert_eq!(&fresh, &expected, "{}", json);
                let n = read_into(&flat, &mut reused);
                let again = n.map(|n| reused[..n].to_vec());
                prop_assert_eq!(&again, &expected, "{}", json);
            }
        }
    }

    /// What index.js never sends but a damaged call might: refused, not read.
    #[test]
    fn refuses_numbers_json_cannot_hold() {
        let keys = keys(&["created_at", "employees", "id", "segment"]);
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            for key in [1, 3] {
                let codes = [1, 2, 3, code(2, STRING), code(0, STRING), code(key, NUMBER)];
                let flat = FlatLeads {
                    keys: &keys,
                    text: "L\x002026-03-02T10:00:00Z",
                    codes: &codes,
                    numbers: &[bad],
                };
                assert!(read(&flat).is_none(), "{bad} at {key}");
            }
        }
    }
}
