//! Imported opportunities held by column: what `read_csv` of opportunities returns.
//!
//! A million deals as `Opportunity` values cost about 1.4 KB each (owned strings, an attribute
//! map), so a report over a large export spent its time and memory on allocation. Here each
//! field is one column: texts stored end to end in one buffer per column, owners and other
//! short repeated texts as codes into a small dictionary, stages as indices of the pipeline's
//! stage keys, dates and amounts as plain values. A row becomes an `Opportunity` only when it
//! is asked for ([`OpportunityTable::get`]); KPI reports read the columns directly
//! ([`OpportunityRef`]). Every row holds exactly what the record reader built, and a test
//! compares both forms row by row.
//!
//! A table is a list of chunks (a parallel read gives one per part of the file, and a chunk
//! starts afresh before any text buffer would pass 4 GiB); rows are numbered across chunks.

use crate::model::{
    AccountId, Attributes, ContactId, ForecastCategory, LeadId, Money, Opportunity, OpportunityId,
    RepId,
};
use chrono::{DateTime, NaiveDate, Utc};
use rustc_hash::FxBuildHasher;
use serde_json::Value;
use std::collections::HashMap;

/// Optional texts of one column, end to end; blank is absent (cells are trimmed and a blank
/// cell is never a value). A column the file does not have stores nothing.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct TextColumn {
    present: bool,
    bytes: String,
    ends: Vec<u32>,
}

impl TextColumn {
    fn new(present: bool) -> Self {
        TextColumn {
            present,
            ..Default::default()
        }
    }

    fn push(&mut self, text: Option<&str>) {
        if self.present {
            self.bytes.push_str(text.unwrap_or_default());
            self.ends.push(self.bytes.len() as u32);
        }
    }

    fn get(&self, row: usize) -> Option<&str> {
        if !self.present {
            return None;
        }
        let start = if row == 0 { 0 } else { self.ends[row - 1] } as usize;
        let end = self.ends[row] as usize;
        Some(&self.bytes[start..end]).filter(|s| !s.is_empty())
    }

    fn truncate(&mut self, rows: usize) {
        if self.present {
            let end = if rows == 0 { 0 } else { self.ends[rows - 1] } as usize;
            self.bytes.truncate(end);
            self.ends.truncate(rows);
        }
    }

    fn bytes_len(&self) -> usize {
        self.bytes.len()
    }

    fn heap_bytes(&self) -> usize {
        self.bytes.capacity() + self.ends.capacity() * 4
    }
}

/// Optional texts of a column with few distinct values (owners, sources, reasons): a code per
/// row into a dictionary; code 0 is absent.
#[derive(Debug, Clone, Default)]
pub(crate) struct CodeColumn {
    values: Vec<Box<str>>,
    codes: Vec<u32>,
    lookup: HashMap<Box<str>, u32, FxBuildHasher>,
    /// Recent short values and their codes, found without hashing the text (see
    /// [`ShortKey`]); empty until the first value.
    recent: Vec<(ShortKey, u32)>,
}

/// A text of 1 to 16 bytes as two words and its length: the first eight bytes (zero-padded)
/// and the last eight (overlapping the first when shorter than 16; zero when 8 or fewer).
/// With the length these give back every byte, so equal keys are equal texts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct ShortKey {
    head: u64,
    tail: u64,
    len: usize,
}

impl ShortKey {
    fn of(text: &str) -> Option<ShortKey> {
        let b = text.as_bytes();
        let word = |s: &[u8]| {
            let mut w = [0u8; 8];
            w[..s.len()].copy_from_slice(s);
            u64::from_le_bytes(w)
        };
        match b.len() {
            0 => None,
            len @ 1..=8 => Some(ShortKey {
                head: word(b),
                tail: 0,
                len,
            }),
            len @ 9..=16 => Some(ShortKey {
                head: word(&b[..8]),
                tail: word(&b[len - 8..]),
                len,
            }),
            _ => None,
        }
    }

    /// Its slot among [`RECENT_SLOTS`].
    fn slot(&self) -> usize {
        let mixed = (self.head ^ self.tail.rotate_left(29) ^ self.len as u64)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15);
        (mixed >> (64 - RECENT_BITS)) as usize
    }
}

const RECENT_BITS: u32 = 8;
const RECENT_SLOTS: usize = 1 << RECENT_BITS;

impl PartialEq for CodeColumn {
    fn eq(&self, other: &Self) -> bool {
        self.values == other.values && self.codes == other.codes
    }
}

impl CodeColumn {
    fn push(&mut self, text: Option<&str>) {
        let code = match text {
            None => 0,
            Some(t) => {
                let short = ShortKey::of(t);
                match short {
                    Some(k) => match self.recent.get(k.slot()) {
                        Some(&(seen, code)) if seen == k => code,
                        _ => self.code_of(t, short),
                    },
                    None => self.code_of(t, None),
                }
            }
        };
        self.codes.push(code);
    }

    /// The code of `t` from the dictionary (added when new), remembered among the recent
    /// values when it is short.
    fn code_of(&mut self, t: &str, short: Option<ShortKey>) -> u32 {
        let code = match self.lookup.get(t) {
            Some(c) => *c,
            None => {
                self.values.push(t.into());
                let c = self.values.len() as u32;
                self.lookup.insert(t.into(), c);
                c
            }
        };
        if let Some(k) = short {
            if self.recent.is_empty() {
                self.recent = vec![(ShortKey::default(), 0); RECENT_SLOTS];
            }
            self.recent[k.slot()] = (k, code);
        }
        code
    }

    /// The code of a row: 0 when absent, else one more than the value's index.
    fn code(&self, row: usize) -> u32 {
        // An absent column holds no codes.
        self.codes.get(row).copied().unwrap_or(0)
    }

    fn get(&self, row: usize) -> Option<&str> {
        // An absent column holds no codes.
        match self.codes.get(row).copied().unwrap_or(0) {
            0 => None,
            c => Some(&self.values[c as usize - 1]),
        }
    }

    fn truncate(&mut self, rows: usize) {
        self.codes.truncate(rows);
    }

    fn heap_bytes(&self) -> usize {
        self.codes.capacity() * 4 + self.values.iter().map(|v| v.len() * 2 + 16).sum::<usize>()
    }
}

/// One row's values as the reader built them, borrowing its texts from the CSV record.
#[derive(Debug, Clone)]
pub(crate) struct OpportunityCells<'a> {
    pub id: &'a str,
    pub created_at: DateTime<Utc>,
    /// Index of the stage in the table's `stage_keys`.
    pub stage: usize,
    pub name: Option<&'a str>,
    pub account_id: Option<&'a str>,
    pub owner_id: Option<&'a str>,
    pub contact_id: Option<&'a str>,
    pub amount: Option<Money>,
    pub close_date: Option<NaiveDate>,
    pub closed_at: Option<DateTime<Utc>>,
    pub forecast_category: Option<ForecastCategory>,
    pub source: Option<&'a str>,
    pub lost_reason: Option<&'a str>,
    pub lead_id: Option<&'a str>,
}

/// Which optional columns the file maps (and the options' `fields` keep), so absent ones store
/// nothing: their column stays empty and reads as `None` on every row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Present {
    pub name: bool,
    pub account_id: bool,
    pub contact_id: bool,
    pub lead_id: bool,
    pub owner_id: bool,
    pub amount: bool,
    pub close_date: bool,
    pub closed_at: bool,
    pub forecast_category: bool,
    pub source: bool,
    pub lost_reason: bool,
}

/// Row `row` of an optional column; `None` too when the column is absent (empty).
fn optional<T: Copy>(column: &[Option<T>], row: usize) -> Option<T> {
    column.get(row).copied().flatten()
}

/// Rows of one part of a file.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Chunk {
    len: usize,
    present: Present,
    id: TextColumn,
    created_at: Vec<DateTime<Utc>>,
    stage: Vec<u16>,
    name: TextColumn,
    account_id: TextColumn,
    owner_id: CodeColumn,
    contact_id: TextColumn,
    amount: Vec<Option<Money>>,
    close_date: Vec<Option<NaiveDate>>,
    closed_at: Vec<Option<DateTime<Utc>>>,
    forecast_category: Vec<Option<ForecastCategory>>,
    source: CodeColumn,
    lost_reason: CodeColumn,
    lead_id: TextColumn,
    /// One column per unmapped CSV column, in the table's `attribute_names` order.
    attributes: Vec<TextColumn>,
}

/// A chunk starts afresh before a text buffer passes this (offsets are `u32`).
const CHUNK_TEXT_LIMIT: usize = 1 << 31;

impl Chunk {
    pub(crate) fn new(present: Present, attributes: usize) -> Self {
        Chunk {
            present,
            id: TextColumn::new(true),
            name: TextColumn::new(present.name),
            account_id: TextColumn::new(present.account_id),
            contact_id: TextColumn::new(present.contact_id),
            lead_id: TextColumn::new(present.lead_id),
            attributes: (0..attributes).map(|_| TextColumn::new(true)).collect(),
            ..Default::default()
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Appends a row; `attributes` are the unmapped cells in column order (blank is `None`).
    pub(crate) fn push(&mut self, c: &OpportunityCells<'_>, attributes: &[Option<&str>]) {
        self.id.push(Some(c.id));
        self.created_at.push(c.created_at);
        self.stage.push(c.stage as u16);
        self.name.push(c.name);
        self.account_id.push(c.account_id);
        self.contact_id.push(c.contact_id);
        self.lead_id.push(c.lead_id);
        let p = self.present;
        if p.owner_id {
            self.owner_id.push(c.owner_id);
        }
        if p.amount {
            self.amount.push(c.amount);
        }
        if p.close_date {
            self.close_date.push(c.close_date);
        }
        if p.closed_at {
            self.closed_at.push(c.closed_at);
        }
        if p.forecast_category {
            self.forecast_category.push(c.forecast_category);
        }
        if p.source {
            self.source.push(c.source);
        }
        if p.lost_reason {
            self.lost_reason.push(c.lost_reason);
        }
        for (column, value) in self.attributes.iter_mut().zip(attributes) {
            column.push(*value);
        }
        self.len += 1;
    }

    /// Makes room for about `rows` more rows (texts sized from the rows so far).
    pub(crate) fn reserve(&mut self, rows: usize) {
        let so_far = self.len.max(1);
        for t in self.texts_mut() {
            if t.present {
                let per_row = t.bytes.len() / so_far + 1;
                t.bytes.reserve(rows * per_row);
                t.ends.reserve(rows);
            }
        }
        self.created_at.reserve(rows);
        self.stage.reserve(rows);
        let p = self.present;
        let some = |present: bool| if present { rows } else { 0 };
        self.owner_id.codes.reserve(some(p.owner_id));
        self.amount.reserve(some(p.amount));
        self.close_date.reserve(some(p.close_date));
        self.closed_at.reserve(some(p.closed_at));
        self.forecast_category.reserve(some(p.forecast_category));
        self.source.codes.reserve(some(p.source));
        self.lost_reason.codes.reserve(some(p.lost_reason));
    }

    /// Keeps the first `rows` rows.
    pub(crate) fn truncate(&mut self, rows: usize) {
        self.len = self.len.min(rows);
        for t in self.texts_mut() {
            t.truncate(rows);
        }
        self.created_at.truncate(rows);
        self.stage.truncate(rows);
        self.owner_id.truncate(rows);
        self.amount.truncate(rows);
        self.close_date.truncate(rows);
        self.closed_at.truncate(rows);
        self.forecast_category.truncate(rows);
        self.source.truncate(rows);
        self.lost_reason.truncate(rows);
    }

    fn texts(&self) -> impl Iterator<Item = &TextColumn> {
        [
            &self.id,
            &self.name,
            &self.account_id,
            &self.contact_id,
            &self.lead_id,
        ]
        .into_iter()
        .chain(self.attributes.iter())
    }

    fn texts_mut(&mut self) -> impl Iterator<Item = &mut TextColumn> {
        [
            &mut self.id,
            &mut self.name,
            &mut self.account_id,
            &mut self.contact_id,
            &mut self.lead_id,
        ]
        .into_iter()
        .chain(self.attributes.iter_mut())
    }

    /// Whether the next row should start a new chunk.
    pub(crate) fn is_full(&self) -> bool {
        self.texts()
            .any(|t| t.bytes_len() > CHUNK_TEXT_LIMIT - (1 << 20))
    }

    /// The id of row `row`.
    pub(crate) fn id(&self, row: usize) -> &str {
        self.id.get(row).unwrap_or_default()
    }
    pub(crate) fn stage_code(&self, row: usize) -> usize {
        self.stage[row] as usize
    }
    pub(crate) fn created_at(&self, row: usize) -> DateTime<Utc> {
        self.created_at[row]
    }
    pub(crate) fn amount(&self, row: usize) -> Option<Money> {
        optional(&self.amount, row)
    }
    pub(crate) fn close_date(&self, row: usize) -> Option<NaiveDate> {
        optional(&self.close_date, row)
    }
    pub(crate) fn closed_at(&self, row: usize) -> Option<DateTime<Utc>> {
        optional(&self.closed_at, row)
    }

    fn heap_bytes(&self) -> usize {
        self.texts().map(TextColumn::heap_bytes).sum::<usize>()
            + self.created_at.capacity() * std::mem::size_of::<DateTime<Utc>>()
            + self.stage.capacity() * 2
            + self.owner_id.heap_bytes()
            + self.source.heap_bytes()
            + self.lost_reason.heap_bytes()
            + self.amount.capacity() * std::mem::size_of::<Option<Money>>()
            + self.close_date.capacity() * std::mem::size_of::<Option<NaiveDate>>()
            + self.closed_at.capacity() * std::mem::size_of::<Option<DateTime<Utc>>>()
            + self.forecast_category.capacity()
    }
}

/// Imported opportunities, by column.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OpportunityTable {
    /// The pipeline's stage keys; a row's stage is an index into them.
    stage_keys: Vec<String>,
    /// Headers of the unmapped columns, kept in each record's `attributes`.
    attribute_names: Vec<String>,
    chunks: Vec<Chunk>,
    /// The first row number of each chunk.
    starts: Vec<usize>,
    len: usize,
}

impl OpportunityTable {
    pub(crate) fn new(stage_keys: Vec<String>, attribute_names: Vec<String>) -> Self {
        OpportunityTable {
            stage_keys,
            attribute_names,
            ..Default::default()
        }
    }

    /// Appends the rows of a chunk (empty chunks are skipped).
    pub(crate) fn append(&mut self, chunk: Chunk) {
        if chunk.len == 0 {
            return;
        }
        self.starts.push(self.len);
        self.len += chunk.len;
        self.chunks.push(chunk);
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The row at `index`, for reading its fields without building a record.
    pub fn row(&self, index: usize) -> Option<OpportunityRef<'_>> {
        if index >= self.len {
            return None;
        }
        let c = self.starts.partition_point(|s| *s <= index) - 1;
        Some(OpportunityRef {
            table: self,
            chunk: &self.chunks[c],
            row: index - self.starts[c],
        })
    }

    /// The rows numbered `range`, in order.
    pub fn rows_in(
        &self,
        range: std::ops::Range<usize>,
    ) -> impl Iterator<Item = OpportunityRef<'_>> + '_ {
        self.chunks
            .iter()
            .zip(&self.starts)
            .flat_map(move |(chunk, &start)| {
                let from = range.start.clamp(start, start + chunk.len) - start;
                let to = range.end.clamp(start, start + chunk.len) - start;
                (from..to).map(move |row| OpportunityRef {
                    table: self,
                    chunk,
                    row,
                })
            })
    }

    /// Every row in order.
    pub fn rows(&self) -> impl Iterator<Item = OpportunityRef<'_>> + '_ {
        self.chunks.iter().flat_map(move |chunk| {
            (0..chunk.len).map(move |row| OpportunityRef {
                table: self,
                chunk,
                row,
            })
        })
    }

    /// The record at `index`, built from its columns.
    pub fn get(&self, index: usize) -> Option<Opportunity> {
        self.row(index).map(|r| r.to_opportunity())
    }

    /// Every record, built from the columns.
    pub fn to_vec(&self) -> Vec<Opportunity> {
        self.rows().map(|r| r.to_opportunity()).collect()
    }

    /// The bytes the columns hold on the heap (their capacities): what a table costs.
    pub fn heap_bytes(&self) -> usize {
        self.chunks.iter().map(Chunk::heap_bytes).sum::<usize>() + self.starts.capacity() * 8
    }
}

/// One row of an [`OpportunityTable`], read in place.
#[derive(Debug, Clone, Copy)]
pub struct OpportunityRef<'a> {
    table: &'a OpportunityTable,
    chunk: &'a Chunk,
    row: usize,
}

impl<'a> OpportunityRef<'a> {
    pub fn id(&self) -> &'a str {
        self.chunk.id(self.row)
    }
    pub fn created_at(&self) -> DateTime<Utc> {
        self.chunk.created_at(self.row)
    }
    /// The stage key.
    pub fn stage(&self) -> &'a str {
        &self.table.stage_keys[self.stage_code()]
    }
    /// The stage's index among the table's stage keys (a small number, for lookups).
    pub fn stage_code(&self) -> usize {
        self.chunk.stage_code(self.row)
    }
    /// The table's stage keys, indexed by [`OpportunityRef::stage_code`].
    pub fn stage_keys(&self) -> &'a [String] {
        &self.table.stage_keys
    }
    pub fn owner_id(&self) -> Option<&'a str> {
        self.chunk.owner_id.get(self.row)
    }
    /// The owner as numbers that tell owners apart while the table is borrowed (for grouping
    /// without reading the text): the address of the row's chunk, and the owner's code in
    /// that chunk's dictionary (0: none). Two chunks may give the same owner different pairs.
    pub fn owner_code(&self) -> (usize, u32) {
        (
            std::ptr::from_ref(self.chunk) as usize,
            self.chunk.owner_id.code(self.row),
        )
    }
    pub fn account_id(&self) -> Option<&'a str> {
        self.chunk.account_id.get(self.row)
    }
    pub fn source(&self) -> Option<&'a str> {
        self.chunk.source.get(self.row)
    }
    pub fn amount(&self) -> Option<Money> {
        self.chunk.amount(self.row)
    }
    pub fn close_date(&self) -> Option<NaiveDate> {
        self.chunk.close_date(self.row)
    }
    pub fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.chunk.closed_at(self.row)
    }
    pub fn forecast_category(&self) -> Option<ForecastCategory> {
        optional(&self.chunk.forecast_category, self.row)
    }
    /// The text of an unmapped column, by header.
    pub fn attribute(&self, name: &str) -> Option<&'a str> {
        let i = self.table.attribute_names.iter().position(|n| n == name)?;
        self.chunk.attributes[i].get(self.row)
    }

    /// The record, as the reader built it.
    pub fn to_opportunity(&self) -> Opportunity {
        let c = self.chunk;
        let r = self.row;
        let mut attributes = Attributes::new();
        for (name, column) in self.table.attribute_names.iter().zip(&c.attributes) {
            if let Some(v) = column.get(r) {
                attributes.insert(name.clone(), Value::String(v.to_string()));
            }
        }
        Opportunity {
            id: OpportunityId::from(self.id()),
            created_at: self.created_at(),
            stage: self.stage().to_string(),
            name: c.name.get(r).map(str::to_string),
            account_id: c.account_id.get(r).map(AccountId::from),
            owner_id: c.owner_id.get(r).map(RepId::from),
            contact_id: c.contact_id.get(r).map(ContactId::from),
            amount: self.amount(),
            stage_history: Vec::new(),
            close_date: self.close_date(),
            closed_at: self.closed_at(),
            forecast_category: self.forecast_category(),
            source: c.source.get(r).map(str::to_string),
            lost_reason: c.lost_reason.get(r).map(str::to_string),
            lead_id: c.lead_id.get(r).map(LeadId::from),
            attributes,
        }
    }
}

impl OpportunityTable {
    /// How many chunks hold the rows (a parallel read gives one per part).
    #[cfg(test)]
    pub(crate) fn chunk_count(&self) -> usize {
        self.chunks.len()
    }
}

#[cfg(test)]
mod tests {
    use super::{CodeColumn, ShortKey};
    use proptest::prelude::*;
    use std::collections::HashMap;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        /// Codes found among the recent values are the dictionary's: first seen, first coded,
        /// for texts that share heads and tails, hold zero bytes, and straddle 8 and 16 bytes.
        #[test]
        fn recent_values_give_the_dictionary_codes(
            texts in prop::collection::vec(prop::option::of(prop_oneof![
                "[ab\u{0}]{1,3}",
                "rep-[0-9]{4}",
                "[ab]{7,10}",
                "[ab]{15,17}",
                "owner [a-c]{1,12} é",
            ]), 0..300),
        ) {
            let mut column = CodeColumn::default();
            let mut reference: HashMap<&str, u32> = HashMap::new();
            for t in &texts {
                column.push(t.as_deref());
                let expected = match t.as_deref() {
                    None => 0,
                    Some(t) => {
                        let next = reference.len() as u32 + 1;
                        *reference.entry(t).or_insert(next)
                    }
                };
                prop_assert_eq!(column.codes.last().copied(), Some(expected));
                prop_assert_eq!(column.get(column.codes.len() - 1), t.as_deref());
            }
        }
    }

    #[test]
    fn short_keys_tell_texts_apart() {
        let key = |t: &str| ShortKey::of(t);
        assert_eq!(key(""), None);
        assert_eq!(key(&"x".repeat(17)), None);
        assert_ne!(key("a"), key("a\u{0}"));
        assert_ne!(key("abcdefgh1"), key("abcdefgh2"));
        assert_ne!(key("abcdefghij"), key("abcdefgh\u{0}ij"));
        assert_eq!(key("rep-0005"), key("rep-0005"));
    }
}
