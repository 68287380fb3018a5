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
//! A lead is read by the core's own `Deserialize` through [`Entry`], a deserializer that
//! presents every value as serde_json presents the same value parsed from `JSON.stringify`'s
//! text (a whole number as `u64` or `i64`, others as `f64`; nested values are parsed by
//! serde_json itself), so a batch reads here exactly as its JSON text reads. Anything this
//! reader does not take (a string holding NUL, which splits into one piece too many; codes out
//! of range; a value the lead refuses) gives `None`, and index.js sends the batch the way it
//! always did, which reports every problem with its path.

use revcore::model::Lead;
use serde::de::value::BorrowedStrDeserializer;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::Error;

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
    /// The next string: up to the next NUL, or the end of `text`. A byte loop: the strings are
    /// short (ids, names, times), where a call to `memchr` per string costs more.
    fn string(&mut self) -> Option<&'de str> {
        if self.taken == self.strings {
            return None;
        }
        let bytes = self.text.as_bytes();
        let start = self.at;
        let mut end = start;
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
    read_into(flat, &mut leads).then_some(leads)
}

/// The leads into `leads` (emptied first; a router reuses one list from batch to batch), or
/// `false` when this reader does not take them (then `leads` holds nothing of use).
pub fn read_into(flat: &FlatLeads<'_>, leads: &mut Vec<Lead>) -> bool {
    leads.clear();
    read_leads(flat, leads).is_some()
}

fn read_leads(flat: &FlatLeads<'_>, leads: &mut Vec<Lead>) -> Option<()> {
    let count = usize::try_from(*flat.codes.first()?).ok()?;
    let strings = usize::try_from(*flat.codes.get(1)?).ok()?;
    let mut cursor = Cursor {
        text: flat.text,
        at: 0,
        taken: 0,
        strings,
        numbers: flat.numbers,
        number: 0,
    };
    leads.reserve(count.min(flat.codes.len()));
    let mut p = 2;
    for _ in 0..count {
        let n = usize::try_from(*flat.codes.get(p)?).ok()?;
        let entries = flat.codes.get(p + 1..p + 1 + n)?;
        p += 1 + n;
        let map = LeadMap {
            keys: flat.keys,
            entries,
            at: 0,
            cursor: &mut cursor,
        };
        leads.push(Lead::deserialize(map).ok()?);
    }
    let all_read =
        p == flat.codes.len() && cursor.all_taken() && cursor.number == flat.numbers.len();
    all_read.then_some(())
}

/// One lead: a map of its entries.
struct LeadMap<'c, 'de> {
    keys: &'de [String],
    entries: &'c [i32],
    at: usize,
    cursor: &'c mut Cursor<'de>,
}

fn malformed() -> Error {
    de::Error::custom("malformed flat leads")
}

impl<'de> Deserializer<'de> for LeadMap<'_, 'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_map(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier
        ignored_any
    }
}

impl<'de> MapAccess<'de> for LeadMap<'_, 'de> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some(&code) = self.entries.get(self.at) else {
            return Ok(None);
        };
        let key = usize::try_from(code >> KIND_BITS)
            .ok()
            .and_then(|k| self.keys.get(k))
            .ok_or_else(malformed)?;
        seed.deserialize(BorrowedStrDeserializer::new(key.as_str()))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let code = *self.entries.get(self.at).ok_or_else(malformed)?;
        self.at += 1;
        let entry = match code & ((1 << KIND_BITS) - 1) {
            STRING => Entry::String(self.cursor.string().ok_or_else(malformed)?),
            NUMBER => Entry::Number(self.cursor.number().ok_or_else(malformed)?),
            TRUE => Entry::Bool(true),
            FALSE => Entry::Bool(false),
            NULL => Entry::Null,
            JSON => Entry::Json(self.cursor.string().ok_or_else(malformed)?),
            _ => return Err(malformed()),
        };
        seed.deserialize(entry)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len() - self.at)
    }
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

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct seq tuple tuple_struct map struct identifier ignored_any
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
}
