//! The row loop of the CSV reader, and the parallel read of a large file.
//!
//! One loop reads every kind: a row is built into a sink (a list of leads or accounts, or the
//! columns of an [`OpportunityTable`]), checked against the model's rules and for a repeated
//! id, and kept or taken back out with its problems reported.
//!
//! A file of opportunities larger than [`PARALLEL_MIN_BYTES`] is read in parts, one thread a
//! part: each part starts just after a line break and reads the records that begin before the
//! next part's start. The result is the sequential read's, or the file is read again
//! sequentially: the parts are kept only when each one's first record begins exactly where the
//! previous part's reading stopped (a break inside a quoted cell fails this), no id appears in
//! two parts, and, in strict mode, no part failed. Line numbers of a part are counted from its
//! start and shifted by the line breaks of the parts before it.

use super::build::{self, Row, RowContext};
use super::cell::DateMemo;
use super::records::{Found, RecordReader};
use super::table::{Chunk, OpportunityCells, OpportunityTable, Present};
use super::{io_error, ImportOptions, RowError, StageLookup};
use crate::error::{Error, Problems, Result};
use crate::model::validate::{Context, Validate};
use rustc_hash::FxBuildHasher;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// Files at least this large are read in parallel parts (when the machine has the threads).
pub(crate) const PARALLEL_MIN_BYTES: u64 = 8 << 20;

/// Rows read before the columns are sized for the rest of the expected span.
const SIZING_ROWS: usize = 1024;

/// The most parts a file is read in.
const MAX_PARTS: usize = 8;

/// Where rows go while a file is read.
pub(crate) trait Sink {
    /// Builds the row into the sink; `false` when a required value is missing or unreadable.
    fn build(&mut self, row: &mut Row<'_>, stages: &mut StageLookup<'_>) -> bool;
    /// The model's rules, for the row just built.
    fn validate_last(&self, out: &mut Problems);
    /// The id of the row just built.
    fn last_id(&self) -> &str;
    /// Takes the row just built back out.
    fn discard_last(&mut self);
    /// The id of kept row `row` (rows numbered from 0 in the order kept).
    fn kept_id(&self, row: usize) -> &str;
    /// Makes room for about `rows` more rows.
    fn reserve(&mut self, rows: usize);
}

/// Leads or accounts: records built whole.
pub(crate) trait Importable: Validate + Sized {
    fn build(row: &mut Row<'_>) -> Option<Self>;
    fn id(&self) -> &str;
}

impl<T: Importable> Sink for Vec<T> {
    fn build(&mut self, row: &mut Row<'_>, _: &mut StageLookup<'_>) -> bool {
        match T::build(row) {
            Some(x) => {
                self.push(x);
                true
            }
            None => false,
        }
    }
    fn validate_last(&self, out: &mut Problems) {
        if let Some(x) = self.last() {
            x.validate(&Context::default(), "", out);
        }
    }
    fn last_id(&self) -> &str {
        self.last().map(T::id).unwrap_or_default()
    }
    fn discard_last(&mut self) {
        self.pop();
    }
    fn kept_id(&self, row: usize) -> &str {
        self[row].id()
    }
    fn reserve(&mut self, rows: usize) {
        Vec::reserve(self, rows);
    }
}

/// Opportunities: straight into columns.
pub(crate) struct TableSink<'p> {
    stage_keys: &'p [String],
    present: Present,
    attributes: usize,
    full: Vec<Chunk>,
    /// Rows in the full chunks.
    full_rows: usize,
    current: Chunk,
    /// The allocation that holds each row's unmapped cells, kept from row to row.
    attribute_cells: Vec<Option<&'p str>>,
    /// Whether each stage key is blank (a problem `opportunity_rules` reports).
    blank_stage: Vec<bool>,
    /// Whether the last row built is known to pass `opportunity_rules` (when not, the rules
    /// run and word its problems).
    last_passes: bool,
}

/// An empty list with `list`'s allocation, for borrows of another lifetime (the in-place
/// collect of an empty list reuses its buffer: no allocation per row).
fn recycle<'b>(mut list: Vec<Option<&str>>) -> Vec<Option<&'b str>> {
    list.clear();
    list.into_iter().map(|_| None).collect()
}

impl<'p> TableSink<'p> {
    pub(crate) fn new(stage_keys: &'p [String], present: Present, attributes: usize) -> Self {
        TableSink {
            stage_keys,
            present,
            attributes,
            full: Vec::new(),
            full_rows: 0,
            current: Chunk::new(present, attributes),
            attribute_cells: Vec::with_capacity(attributes),
            blank_stage: stage_keys.iter().map(|k| k.trim().is_empty()).collect(),
            last_passes: false,
        }
    }

    /// Whether a row passes `opportunity_rules`, decided from its values: its stage is not
    /// blank, its amount not negative, and it does not close before it was created.
    fn passes_rules(&self, c: &OpportunityCells<'_>) -> bool {
        // The UTC date as stored (what `date_naive` gives for UTC, without offset arithmetic).
        let created_day = c.created_at.naive_utc().date();
        !self.blank_stage.get(c.stage).copied().unwrap_or(true)
            && c.amount.is_none_or(|m| !m.is_negative())
            && c.close_date.is_none_or(|d| d >= created_day)
            && c.closed_at.is_none_or(|t| t >= c.created_at)
    }

    pub(crate) fn into_chunks(mut self) -> Vec<Chunk> {
        self.full.push(self.current);
        self.full
    }
}

impl Sink for TableSink<'_> {
    fn build(&mut self, row: &mut Row<'_>, stages: &mut StageLookup<'_>) -> bool {
        let mut attributes = recycle(std::mem::take(&mut self.attribute_cells));
        let Some(cells) = build::opportunity_cells(row, stages, &mut attributes) else {
            self.attribute_cells = recycle(attributes);
            return false;
        };
        if self.current.is_full() {
            let next = Chunk::new(self.present, self.attributes);
            self.full_rows += self.current.len();
            self.full.push(std::mem::replace(&mut self.current, next));
        }
        self.current.push(&cells, &attributes);
        self.last_passes = self.passes_rules(&cells);
        self.attribute_cells = recycle(attributes);
        true
    }
    fn validate_last(&self, out: &mut Problems) {
        if self.last_passes {
            return;
        }
        let c = &self.current;
        let Some(row) = c.len().checked_sub(1) else {
            return;
        };
        let stage = &self.stage_keys[c.stage_code(row)];
        crate::model::validate::opportunity_rules(
            stage,
            c.amount(row).as_ref(),
            c.created_at(row),
            c.close_date(row),
            c.closed_at(row),
            "",
            out,
        );
    }
    fn last_id(&self) -> &str {
        self.current.id(self.current.len().saturating_sub(1))
    }
    fn discard_last(&mut self) {
        let rows = self.current.len().saturating_sub(1);
        self.current.truncate(rows);
    }
    fn kept_id(&self, row: usize) -> &str {
        if row >= self.full_rows {
            return self.current.id(row - self.full_rows);
        }
        let mut row = row;
        for chunk in &self.full {
            if row < chunk.len() {
                return chunk.id(row);
            }
            row -= chunk.len();
        }
        ""
    }
    fn reserve(&mut self, rows: usize) {
        self.current.reserve(rows);
    }
}

/// The id of every built row and the line of its first occurrence: a table of row numbers
/// whose texts are the sink's own id column (kept rows) or a side list (rows built but left
/// out for another problem, whose id still counts as read).
///
/// Exports are often sorted by id. While every id recorded is greater than the one before, no
/// id can repeat and the table is not built (a probe of a table of a million rows is a cache
/// miss or two per row); the first id out of order builds it from the entries so far.
/// "Greater" is in either of two orders ([`Rising`]): byte order, and shorter-first, which is
/// how numbered ids sort (`opp-999999` before `opp-1000000`).
pub(crate) struct FirstLines {
    table: hashbrown::HashTable<u64>,
    /// The orders in which every id so far was greater than the one before; while one holds,
    /// the table is empty.
    rising: Rising,
    /// The first and the last entry recorded.
    first: Option<u64>,
    last: Option<u64>,
    /// The last id recorded, while ids rise (compared with the next one without looking it
    /// up in the sink).
    last_id: String,
    /// Line of each kept row.
    kept_lines: KeptLines,
    /// Ids and lines of rows built and left out.
    side: Vec<(Box<str>, u64)>,
}

/// The line of each kept row, as runs of rows on consecutive lines (a file without blank lines
/// or line breaks in quotes is one run): no list of a million lines to fault in.
#[derive(Debug, Default)]
struct KeptLines {
    /// The first row of each run and its line.
    runs: Vec<(u64, u64)>,
    len: u64,
}

impl KeptLines {
    fn push(&mut self, line: u64) {
        match self.runs.last() {
            Some(&(row, first)) if first + (self.len - row) == line => {}
            _ => self.runs.push((self.len, line)),
        }
        self.len += 1;
    }

    fn len(&self) -> u64 {
        self.len
    }

    /// The line of kept row `row` (< `len`).
    fn get(&self, row: u64) -> u64 {
        let run = self.runs.partition_point(|&(first, _)| first <= row) - 1;
        let (first, line) = self.runs[run];
        line + (row - first)
    }
}

/// Marks an entry of the side list.
const SIDE: u64 = 1 << 63;

fn id_hash(id: &str) -> u64 {
    use std::hash::BuildHasher;
    FxBuildHasher.hash_one(id)
}

impl FirstLines {
    fn new() -> Self {
        FirstLines {
            table: hashbrown::HashTable::new(),
            rising: Rising::BOTH,
            first: None,
            last: None,
            last_id: String::new(),
            kept_lines: KeptLines::default(),
            side: Vec::new(),
        }
    }

    /// Every entry recorded so far.
    fn entries(&self) -> impl Iterator<Item = u64> {
        (0..self.kept_lines.len()).chain((0..self.side.len() as u64).map(|i| i | SIDE))
    }

    /// Builds the table (once ids no longer rise in either order).
    fn build_table(&mut self, sink: &impl Sink) {
        if !self.rising.holds() {
            return;
        }
        self.rising = Rising::NEITHER;
        let side = &self.side;
        let entries: Vec<u64> = self.entries().collect();
        self.table
            .reserve(entries.len() * 2, |e| id_hash(entry_id(*e, sink, side)));
        for e in entries {
            let hash = id_hash(entry_id(e, sink, side));
            self.table
                .insert_unique(hash, e, |e| id_hash(entry_id(*e, sink, side)));
        }
    }

    /// The line where `id` was first read, if it was. Notes in which orders `id` rises above
    /// the last id recorded (`insert` records it next, when it was not read before).
    fn get(&mut self, id: &str, sink: &impl Sink) -> Option<u64> {
        if self.rising.holds() {
            self.last?;
            let rising = self.rising.and(Rising::from_to(&self.last_id, id));
            if rising.holds() {
                self.rising = rising;
                return None;
            }
            self.build_table(sink);
        }
        let side = &self.side;
        self.table
            .find(id_hash(id), |e| entry_id(*e, sink, side) == id)
            .map(|e| self.line_of(*e))
    }

    fn line_of(&self, e: u64) -> u64 {
        if e & SIDE != 0 {
            self.side[(e & !SIDE) as usize].1
        } else {
            self.kept_lines.get(e)
        }
    }

    /// Records the row just built (not a repeat) as kept row `row`, or, when `kept` is
    /// `None`, its id on the side list.
    fn insert(&mut self, id: &str, line: u64, kept: Option<usize>, sink: &impl Sink) {
        let entry = match kept {
            Some(row) => {
                debug_assert_eq!(row as u64, self.kept_lines.len());
                self.kept_lines.push(line);
                row as u64
            }
            None => {
                self.side.push((id.into(), line));
                (self.side.len() - 1) as u64 | SIDE
            }
        };
        self.first.get_or_insert(entry);
        self.last = Some(entry);
        if self.rising.holds() {
            self.last_id.clear();
            self.last_id.push_str(id);
        }
        if !self.rising.holds() {
            let side = &self.side;
            self.table
                .insert_unique(id_hash(id), entry, |e| id_hash(entry_id(*e, sink, side)));
        }
    }

    /// Whether `id` was recorded, for the check across parts (builds the table).
    fn contains(&mut self, id: &str, sink: &impl Sink) -> bool {
        self.build_table(sink);
        self.get(id, sink).is_some()
    }
}

/// Whether any id is recorded in two parts.
fn ids_repeat_across<S: Sink>(parts: &mut [Part<S>]) -> bool {
    // Parts whose ids rise, each part's first above the last of the part before (parts
    // without ids skipped), all in one order, cannot share an id.
    let mut rising = Rising::BOTH;
    let mut last_id: Option<&str> = None;
    for p in parts.iter() {
        let lines = &p.first_lines;
        rising = rising.and(lines.rising);
        if let (Some(first), Some(last)) = (lines.first, lines.last) {
            if let Some(before) = last_id {
                rising = rising.and(Rising::from_to(
                    before,
                    entry_id(first, &p.sink, &lines.side),
                ));
            }
            last_id = Some(entry_id(last, &p.sink, &lines.side));
        }
    }
    if rising.holds() {
        return false;
    }
    for k in 1..parts.len() {
        let (before, rest) = parts.split_at_mut(k);
        let part = &rest[0];
        for e in part.first_lines.entries() {
            let id = entry_id(e, &part.sink, &part.first_lines.side);
            if before
                .iter_mut()
                .any(|p| p.first_lines.contains(id, &p.sink))
            {
                return true;
            }
        }
    }
    false
}

/// The orders in which a sequence of ids rose at every step: byte order, and shorter-first
/// (by length, then bytes). Either proves that no id repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rising {
    bytes: bool,
    shorter_first: bool,
}

impl Rising {
    const BOTH: Rising = Rising {
        bytes: true,
        shorter_first: true,
    };
    const NEITHER: Rising = Rising {
        bytes: false,
        shorter_first: false,
    };

    /// The orders in which `to` comes after `from`.
    fn from_to(from: &str, to: &str) -> Rising {
        let bytes = to > from;
        Rising {
            bytes,
            shorter_first: match to.len().cmp(&from.len()) {
                std::cmp::Ordering::Equal => bytes,
                longer => longer.is_gt(),
            },
        }
    }

    fn and(self, other: Rising) -> Rising {
        Rising {
            bytes: self.bytes && other.bytes,
            shorter_first: self.shorter_first && other.shorter_first,
        }
    }

    fn holds(self) -> bool {
        self.bytes || self.shorter_first
    }
}

fn entry_id<'s>(e: u64, sink: &'s impl Sink, side: &'s [(Box<str>, u64)]) -> &'s str {
    if e & SIDE != 0 {
        &side[(e & !SIDE) as usize].0
    } else {
        sink.kept_id(e as usize)
    }
}

/// What one read of a stretch of rows found.
pub(crate) struct Part<S> {
    pub sink: S,
    pub errors: Vec<RowError>,
    /// Each `duplicate_id` error (its index in `errors`), the line it names (counted from the
    /// part's start) and the id, so a part's messages can be renumbered.
    duplicates: Vec<(usize, u64, Box<str>)>,
    /// Id -> line of its first built row (counted from the part's start).
    first_lines: FirstLines,
    /// Offset of the first byte of the first record read, or of the record that stopped the
    /// read when none was; `None` at the end of input.
    first_start: Option<u64>,
    /// Offset of the first byte of the record that stopped the read (`None`: end of input).
    next_start: Option<u64>,
    /// `\n`s between the part's start and its limit.
    newlines: u64,
    /// In strict mode, the problems of the first bad row.
    failed: Option<Vec<RowError>>,
}

/// Which stretch of the input a read covers.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Stretch {
    /// Stop before the first record starting at or after this offset (from where the reader
    /// started); `None`: read to the end.
    pub limit: Option<u64>,
    /// Added to the offsets reported (where the reader started in the file).
    pub offset: u64,
    /// The bytes the read is expected to cover, if known: sizes the columns once the first
    /// rows tell how long a row is.
    pub span: Option<u64>,
}

/// Reads rows from `reader` (positioned at a record start) into `sink` over `stretch`.
pub(crate) fn read_rows<R: Read, S: Sink>(
    reader: &mut RecordReader<R>,
    ctx: &RowContext<'_>,
    stages: &mut StageLookup<'_>,
    options: &ImportOptions,
    stretch: Stretch,
    mut sink: S,
) -> Result<Part<S>> {
    let Stretch {
        limit,
        offset,
        span,
    } = stretch;
    let columns = ctx.columns;
    let id_column = columns.header_of(0).map(str::to_string);
    let mut errors: Vec<RowError> = Vec::new();
    let mut duplicates = Vec::new();
    let mut first_lines = FirstLines::new();
    let mut kept = 0usize;
    let mut rows = 0usize;
    let mut first_start = None;
    let mut next_start = None;
    let mut failed = None;
    let mut checked = Problems::new();
    let mut dates = DateMemo::new();
    while let Some(Found { line, start }) = reader.read_record()? {
        if limit.is_some_and(|l| start >= l) {
            next_start = Some(start + offset);
            break;
        }
        first_start.get_or_insert(start + offset);
        rows += 1;
        if rows == SIZING_ROWS {
            if let Some(span) = span {
                let per_row = (reader.consumed() / rows as u64).max(1);
                let more = (span / per_row + span / per_row / 16) as usize;
                sink.reserve(more);
            }
        }
        let record = reader.record();
        let mut row = Row::new(ctx, record, line, &mut dates);
        let built = if record.len() != columns.headers.len() {
            row.problems.push(RowError {
                line,
                column: None,
                field: None,
                code: "field_count".into(),
                message: format!(
                    "the row has {} fields, the header has {}",
                    record.len(),
                    columns.headers.len()
                ),
            });
            false
        } else {
            sink.build(&mut row, stages)
        };
        let mut problems = row.problems;
        if built {
            sink.validate_last(&mut checked);
            for p in std::mem::take(&mut checked).into_vec() {
                let field = p.path.split(['.', '[']).next().unwrap_or_default();
                let slot = ctx.fields.iter().position(|f| f.name == field);
                problems.push(RowError {
                    line,
                    column: slot.and_then(|s| columns.header_of(s)).map(str::to_string),
                    field: Some(p.path.clone()),
                    code: p.code,
                    message: p.message,
                });
            }
            let id = sink.last_id();
            match first_lines.get(id, &sink) {
                Some(first) => {
                    duplicates.push((errors.len() + problems.len(), first, id.into()));
                    problems.push(RowError {
                        line,
                        column: id_column.clone(),
                        field: Some("id".into()),
                        code: "duplicate_id".into(),
                        message: duplicate_message(id, first),
                    })
                }
                None => {
                    let keep = problems.is_empty().then_some(kept);
                    first_lines.insert(id, line, keep, &sink);
                }
            }
        }
        if problems.is_empty() {
            kept += 1;
            continue;
        }
        if built {
            sink.discard_last();
        }
        if options.strict {
            failed = Some(problems);
            break;
        }
        errors.extend(problems);
    }
    let newlines = reader.newlines_below_limit();
    Ok(Part {
        sink,
        errors,
        duplicates,
        first_lines,
        first_start: first_start.or(next_start),
        next_start,
        newlines,
        failed,
    })
}

fn duplicate_message(id: &str, first: u64) -> String {
    format!("id `{id}` was already read on line {first}")
}

impl<S> Part<S> {
    /// The part's rows and errors, or the strict-mode error.
    pub(crate) fn finish(self) -> Result<(S, Vec<RowError>)> {
        match self.failed {
            Some(problems) => Err(Error::Validation(
                problems.iter().map(RowError::to_problem).collect(),
            )),
            None => Ok((self.sink, self.errors)),
        }
    }
}

/// The header row of `reader` (trimmed), and whether there was one.
pub(crate) fn read_header<R: Read>(reader: &mut RecordReader<R>) -> Result<Vec<String>> {
    let mut headers = Vec::new();
    if reader.read_record()?.is_some() {
        for (i, h) in reader.record().iter().enumerate() {
            let h = std::str::from_utf8(h).map_err(|_| {
                Error::parse(
                    "header",
                    "invalid_utf8",
                    format!("header column {} is not valid UTF-8", i + 1),
                )
            })?;
            headers.push(h.trim().to_string());
        }
    }
    Ok(headers)
}

/// How many parts a file of `size` bytes is read in.
pub(crate) fn parts_for(size: u64) -> usize {
    if size < PARALLEL_MIN_BYTES {
        return 1;
    }
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    threads.clamp(1, MAX_PARTS)
}

/// Reads the opportunities of the file at `path` (its header already resolved: the records
/// start at byte `body`, after `header_newlines` line breaks) in `parts` parallel parts.
/// `Ok(None)` when the parts do not join up exactly (see the module comment): the caller reads
/// sequentially instead.
#[allow(clippy::too_many_arguments)]
pub(crate) fn read_table_in_parts(
    path: &Path,
    size: u64,
    body: u64,
    header_newlines: u64,
    parts: usize,
    ctx: &RowContext<'_>,
    pipeline: &crate::model::Pipeline,
    stage_keys: &[String],
    present: Present,
    options: &ImportOptions,
) -> Result<Option<(OpportunityTable, Vec<RowError>)>> {
    // Part starts: just after the first `\n` at or after each even split of the body.
    let mut starts = vec![body];
    let mut file = open(path)?;
    for k in 1..parts {
        let target = body + (size - body) * k as u64 / parts as u64;
        if let Some(at) = next_line_start(&mut file, target.max(*starts.last().unwrap()))? {
            if at < size && at > *starts.last().unwrap() {
                starts.push(at);
            }
        }
    }
    let attributes = ctx.columns.attributes.len();
    let results: Vec<Result<Part<TableSink<'_>>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = starts
            .iter()
            .enumerate()
            .map(|(k, &start)| {
                let limit = starts.get(k + 1).map(|l| l - start);
                scope.spawn(move || -> Result<Part<TableSink<'_>>> {
                    let mut file = open(path)?;
                    file.seek(SeekFrom::Start(start)).map_err(io_error)?;
                    let mut reader = RecordReader::new(file, limit);
                    let mut stages = StageLookup::new(pipeline);
                    let sink = TableSink::new(stage_keys, present, attributes);
                    let span = limit.unwrap_or(size - start);
                    read_rows(
                        &mut reader,
                        ctx,
                        &mut stages,
                        options,
                        Stretch {
                            limit,
                            offset: start,
                            span: Some(span),
                        },
                        sink,
                    )
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a part's reader does not panic"))
            .collect()
    });
    let mut done = Vec::with_capacity(results.len());
    for r in results {
        done.push(r?);
    }
    // The parts join up when each begins where the one before stopped.
    for pair in done.windows(2) {
        if pair[0].next_start != pair[1].first_start || pair[0].failed.is_some() {
            return Ok(None);
        }
    }
    if done.iter().any(|p| p.failed.is_some()) {
        return Ok(None);
    }
    // An id in two parts: the sequential read names the first line across the file.
    if ids_repeat_across(&mut done) {
        return Ok(None);
    }
    let mut table = OpportunityTable::new(stage_keys.to_vec(), attribute_names(ctx));
    let mut errors = Vec::new();
    let mut base = header_newlines;
    for part in done {
        let Part {
            sink,
            errors: mut part_errors,
            duplicates,
            newlines,
            ..
        } = part;
        if base > 0 {
            for e in &mut part_errors {
                e.line += base;
            }
            for (i, first, id) in duplicates {
                part_errors[i].message = duplicate_message(&id, first + base);
            }
        }
        for chunk in sink.into_chunks() {
            table.append(chunk);
        }
        errors.extend(part_errors);
        base += newlines;
    }
    Ok(Some((table, errors)))
}

/// The headers of the unmapped columns, in column order.
pub(crate) fn attribute_names(ctx: &RowContext<'_>) -> Vec<String> {
    ctx.columns
        .attributes
        .iter()
        .map(|(_, h)| h.clone())
        .collect()
}

fn open(path: &Path) -> Result<std::fs::File> {
    std::fs::File::open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Error::not_found(
            "path",
            "file_not_found",
            format!("no file at `{}`", path.display()),
        ),
        _ => Error::parse(
            "path",
            "io",
            format!("`{}` could not be opened: {e}", path.display()),
        ),
    })
}

/// The offset just after the first `\n` at or after `from`; `None` when there is none.
fn next_line_start(file: &mut std::fs::File, from: u64) -> Result<Option<u64>> {
    file.seek(SeekFrom::Start(from)).map_err(io_error)?;
    let mut buf = vec![0u8; 64 * 1024];
    let mut at = from;
    loop {
        let n = file.read(&mut buf).map_err(io_error)?;
        if n == 0 {
            return Ok(None);
        }
        if let Some(i) = memchr::memchr(b'\n', &buf[..n]) {
            return Ok(Some(at + i as u64 + 1));
        }
        at += n as u64;
    }
}

/// Opens `path` for the sequential or the parallel read: the file, its size.
pub(crate) fn open_sized(path: &Path) -> Result<(std::fs::File, u64)> {
    let file = open(path)?;
    let size = file.metadata().map_err(io_error)?.len();
    Ok((file, size))
}

/// How long the UTF-8 byte order mark at the start of the file is (3 or 0).
pub(crate) fn bom_len(path: &Path) -> Result<u64> {
    let (_, _, bom) = super::read_head(&mut open(path)?)?;
    Ok(bom as u64)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_recycled_list_keeps_its_allocation() {
        let text = String::from("a");
        let mut list: Vec<Option<&str>> = Vec::with_capacity(12);
        list.push(Some(&text));
        let at = list.as_ptr() as usize;
        let list = super::recycle(list);
        assert!(list.is_empty());
        assert_eq!((list.as_ptr() as usize, list.capacity()), (at, 12));
    }

    use super::{OpportunityCells, Present, TableSink};
    use crate::error::Problems;
    use crate::model::{Currency, Money};
    use chrono::DateTime;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Kept rows' lines as runs give back every line pushed.
        #[test]
        fn kept_lines_are_every_line(gaps in prop::collection::vec(
            prop_oneof![4 => Just(1u64), 1 => 2u64..5, 1 => Just(0u64)], 0..200)
        ) {
            let mut kept = super::KeptLines::default();
            let mut lines = Vec::new();
            let mut line = 2;
            for g in gaps {
                line += g;
                kept.push(line);
                lines.push(line);
            }
            prop_assert_eq!(kept.len(), lines.len() as u64);
            for (row, &l) in lines.iter().enumerate() {
                prop_assert_eq!(kept.get(row as u64), l);
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        /// The quick decision of the table reader is `opportunity_rules` finding no problem,
        /// around day boundaries and before 1970 too.
        #[test]
        fn passes_rules_is_no_problem(
            created in -3_000_000_000i64..3_000_000_000,
            close in proptest::option::of(-3i64..3),
            closed in proptest::option::of(-200_000i64..200_000),
            amount in proptest::option::of(-3i64..3),
            stage in 0usize..3,
        ) {
            let keys = ["won".to_string(), " ".to_string(), "".to_string()];
            let sink = TableSink::new(&keys, Present::default(), 0);
            let created_at = DateTime::from_timestamp(created, 0).unwrap();
            let cells = OpportunityCells {
                id: "o",
                created_at,
                stage,
                name: None,
                account_id: None,
                owner_id: None,
                contact_id: None,
                amount: amount.map(|m| Money::from_minor(m, Currency::from_code("USD").unwrap()).unwrap()),
                close_date: close.map(|d| {
                    created_at.date_naive() + chrono::Days::new(5) - chrono::Days::new((5 - d) as u64)
                }),
                closed_at: closed.map(|s| DateTime::from_timestamp(created + s, 0).unwrap()),
                forecast_category: None,
                source: None,
                lost_reason: None,
                lead_id: None,
            };
            let mut out = Problems::new();
            crate::model::validate::opportunity_rules(
                &keys[stage],
                cells.amount.as_ref(),
                cells.created_at,
                cells.close_date,
                cells.closed_at,
                "",
                &mut out,
            );
            prop_assert_eq!(sink.passes_rules(&cells), out.is_empty());
        }
    }
}
