//! CSV import of opportunities, leads and accounts: a CRM export (HubSpot, Salesforce, or any
//! file with an explicit column map) read record by record into the model's own types.
//!
//! The reader streams: records are split where they lie in a bounded read buffer, cells are
//! borrowed slices of it, and the header is resolved to column indices once, so a file of a million
//! rows is never held in memory as text (docs/import.md). Every row is read whole: each of its
//! problems (an unreadable date or amount, an unknown stage, a rule of the model such as a close
//! date before creation, an id seen before) is reported with its line, column and field, and the
//! row is left out; the good rows are kept. In strict mode the first bad row fails the whole
//! read. Nothing is dropped or coerced silently, and nothing here reads the clock.

mod build;
pub mod cell;
pub mod mapping;
mod reader;
mod records;
mod table;

pub use cell::DateOrder;
pub use mapping::{Columns, Mapping};
pub use table::{OpportunityRef, OpportunityTable};

use crate::error::{Error, Problem, Problems, Result};
use crate::model::validate::{Context, Validate};
use crate::model::{Account, Currency, Lead, Pipeline};
use build::{Row, RowContext};
use reader::{Importable, TableSink};
use records::RecordReader;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    Opportunities,
    Leads,
    Accounts,
}

impl RecordKind {
    pub fn name(&self) -> &'static str {
        match self {
            RecordKind::Opportunities => "opportunities",
            RecordKind::Leads => "leads",
            RecordKind::Accounts => "accounts",
        }
    }

    pub fn from_name(name: &str) -> Result<RecordKind> {
        match name {
            "opportunities" => Ok(RecordKind::Opportunities),
            "leads" => Ok(RecordKind::Leads),
            "accounts" => Ok(RecordKind::Accounts),
            _ => Err(Error::not_found(
                "kind",
                "unknown_kind",
                format!("cannot import `{name}`: expected opportunities, leads or accounts"),
            )),
        }
    }
}

/// How values are read: `{"date_order": "mdy" | "dmy", "strict": false, "currency": "USD",
/// "fields": ["owner_id", "amount"]}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ImportOptions {
    /// How slashed dates are read; ISO dates are unambiguous either way.
    pub date_order: DateOrder,
    /// Fail on the first bad row (a `validation` error naming its line and column) instead of
    /// reporting it and keeping the good rows.
    pub strict: bool,
    /// The currency of amounts whose row has no currency cell.
    pub currency: Currency,
    /// Read only these fields, besides the required ones (and the currency when an amount is
    /// read): the other columns are neither read nor kept in `attributes` (like pandas'
    /// `usecols`). All fields and columns when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<String>>,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            date_order: DateOrder::Mdy,
            strict: false,
            currency: Currency::from_code("USD").expect("USD is an ISO 4217 currency"),
            fields: None,
        }
    }
}

/// One problem of one row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RowError {
    /// The 1-based physical line where the record starts (the header is line 1; a quoted cell
    /// with line breaks makes a record span several lines).
    pub line: u64,
    /// The header of the offending column; `None` for problems of the whole row.
    pub column: Option<String>,
    /// The revcore field (`close_date`, `attributes.Region`); `None` for the whole row.
    pub field: Option<String>,
    /// Stable, snake_case: `invalid_date`, `invalid_amount`, `unknown_stage`, `required`,
    /// `duplicate_id`, `field_count`, or a model rule (`close_before_create`, `invalid_email`,
    /// `negative_amount`, ...).
    pub code: String,
    pub message: String,
}

impl RowError {
    /// The problem in an error's form: path `lines[7]["Close Date"]` (or `lines[7]` for the row).
    pub fn to_problem(&self) -> Problem {
        let path = match &self.column {
            Some(c) => format!("lines[{}][{}]", self.line, Value::String(c.clone())),
            None => format!("lines[{}]", self.line),
        };
        Problem::new(path, &self.code, self.message.clone())
    }
}

/// The records read, one list per kind; opportunities by column.
#[derive(Debug, Clone, PartialEq)]
pub enum Records {
    Opportunities(OpportunityTable),
    Leads(Vec<Lead>),
    Accounts(Vec<Account>),
}

impl Records {
    /// The opportunities, when these are opportunities.
    pub fn opportunities(&self) -> Option<&OpportunityTable> {
        match self {
            Records::Opportunities(v) => Some(v),
            _ => None,
        }
    }

    /// The leads, when these are leads.
    pub fn leads(&self) -> Option<&[Lead]> {
        match self {
            Records::Leads(v) => Some(v),
            _ => None,
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Records::Opportunities(v) => v.len(),
            Records::Leads(v) => v.len(),
            Records::Accounts(v) => v.len(),
        }
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    pub fn kind(&self) -> RecordKind {
        match self {
            Records::Opportunities(_) => RecordKind::Opportunities,
            Records::Leads(_) => RecordKind::Leads,
            Records::Accounts(_) => RecordKind::Accounts,
        }
    }
    /// `Ok` when these are records of `kind`; else a `parse` error (`invalid_type`) at `at`, for
    /// an engine handed imported records of the wrong kind.
    pub fn expect_kind(&self, kind: RecordKind, at: &str) -> Result<()> {
        if self.kind() == kind {
            return Ok(());
        }
        Err(Error::parse(
            at,
            "invalid_type",
            format!(
                "these records are {}, not {}",
                self.kind().name(),
                kind.name()
            ),
        ))
    }

    /// The record at `index` in wire form.
    pub fn get_json(&self, index: usize) -> Option<Value> {
        fn one<T: Serialize>(v: &[T], i: usize) -> Option<Value> {
            v.get(i)
                .map(|x| serde_json::to_value(x).expect("records serialise"))
        }
        match self {
            Records::Opportunities(t) => t
                .get(index)
                .map(|x| serde_json::to_value(x).expect("records serialise")),
            Records::Leads(v) => one(v, index),
            Records::Accounts(v) => one(v, index),
        }
    }
    /// Every record in wire form.
    pub fn to_json(&self) -> Value {
        let v = match self {
            Records::Opportunities(t) => serde_json::to_value(t.to_vec()),
            Records::Leads(v) => serde_json::to_value(v),
            Records::Accounts(v) => serde_json::to_value(v),
        };
        v.expect("records serialise")
    }
}

/// What a read returns: the good records, in file order, and every problem of the bad rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    pub records: Records,
    pub errors: Vec<RowError>,
}

impl Imported {
    /// `{"records": [...], "errors": [{line, column, field, code, message}, ...]}`.
    pub fn to_json(&self) -> Value {
        serde_json::json!({
            "records": self.records.to_json(),
            "errors": serde_json::to_value(&self.errors).expect("row errors serialise"),
        })
    }
}

/// Stage labels -> stage keys of a pipeline, folded once; each distinct label as written is
/// looked up once per file (exports repeat a handful of labels a million times).
pub(crate) struct StageLookup<'p> {
    pipeline: &'p Pipeline,
    folded: HashMap<String, usize>,
    seen: HashMap<String, Option<usize>, rustc_hash::FxBuildHasher>,
    /// The first few labels seen, compared before the map is hashed (a pipeline has a
    /// handful of stages, so these are nearly all of a file's labels).
    first: Vec<(Box<str>, Option<usize>)>,
}

/// How many labels [`StageLookup`] compares before hashing.
const FIRST_LABELS: usize = 12;

impl<'p> StageLookup<'p> {
    fn new(pipeline: &'p Pipeline) -> Self {
        let mut folded = HashMap::new();
        for (i, s) in pipeline.stages.iter().enumerate() {
            for label in std::iter::once(&s.key)
                .chain(std::iter::once(&s.name))
                .chain(s.aliases.iter())
            {
                folded.entry(build::fold(label)).or_insert(i);
            }
        }
        StageLookup {
            pipeline,
            folded,
            seen: HashMap::default(),
            first: Vec::new(),
        }
    }

    /// The index of the stage `label` names (key, name or alias, compared folded).
    fn index_of(&mut self, label: &str) -> Option<usize> {
        if let Some((_, i)) = self.first.iter().find(|(l, _)| **l == *label) {
            return *i;
        }
        match self.seen.get(label) {
            Some(i) => *i,
            None => {
                let i = self.folded.get(&build::fold(label)).copied();
                self.seen.insert(label.to_string(), i);
                if self.first.len() < FIRST_LABELS {
                    self.first.push((label.into(), i));
                }
                i
            }
        }
    }

    /// The stage names, for messages.
    fn known(&self) -> String {
        let names: Vec<&str> = self
            .pipeline
            .stages
            .iter()
            .map(|s| s.name.as_str())
            .collect();
        format!("known: {}", names.join(", "))
    }
}

impl Importable for Lead {
    fn build(row: &mut Row<'_>) -> Option<Self> {
        build::lead(row)
    }
    fn id(&self) -> &str {
        self.id.as_str()
    }
}

impl Importable for Account {
    fn build(row: &mut Row<'_>) -> Option<Self> {
        build::account(row)
    }
    fn id(&self) -> &str {
        self.id.as_str()
    }
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// `input` without a leading UTF-8 byte order mark (Excel writes one), still streaming.
fn without_bom<R: Read>(mut input: R) -> Result<impl Read> {
    let (head, n, bom) = read_head(&mut input)?;
    let mut head_reader = std::io::Cursor::new(head);
    head_reader.set_position(bom as u64);
    Ok(head_reader.take((n - bom) as u64).chain(input))
}

/// The first bytes of `input` (up to 3), how many were read, and how many of them are a UTF-8
/// byte order mark (3 or 0).
fn read_head<R: Read>(input: &mut R) -> Result<([u8; 3], usize, usize)> {
    let mut head = [0u8; 3];
    let mut n = 0;
    while n < head.len() {
        match input.read(&mut head[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(io_error(e)),
        }
    }
    let bom = if head[..n] == *BOM { 3 } else { 0 };
    Ok((head, n, bom))
}

fn io_error(e: std::io::Error) -> Error {
    Error::parse("", "io", format!("the file could not be read: {e}"))
}

/// The pipeline a file's stages are read against: the given one (checked), else the default.
fn pipeline_or_default(pipeline: Option<&Pipeline>) -> Result<std::borrow::Cow<'_, Pipeline>> {
    match pipeline {
        Some(p) => {
            let mut problems = Problems::new();
            p.validate(&Context::default(), "pipeline", &mut problems);
            problems.into_result(Error::InvalidConfig)?;
            Ok(std::borrow::Cow::Borrowed(p))
        }
        None => Ok(std::borrow::Cow::Owned(Pipeline::default_pipeline())),
    }
}

/// Reads a CSV export of `kind` from `input`, mapped by `mapping`, opportunity stages against
/// `pipeline` (the default pipeline when `None`).
///
/// Errors before any row: a mapping that names an unknown field (`invalid_config`), a required
/// field or mapped column missing from the header (`parse`, `missing_column`, path
/// `mapping.<field>`). In strict mode the first bad row is a `validation` error whose problems
/// have paths `lines[<line>]["<column>"]`. Otherwise bad rows are in `errors` and the good ones
/// in `records`.
pub fn read_csv<R: Read>(
    kind: RecordKind,
    input: R,
    mapping: &Mapping,
    pipeline: Option<&Pipeline>,
    options: &ImportOptions,
) -> Result<Imported> {
    read_csv_sized(kind, input, mapping, pipeline, options, None)
}

/// [`read_csv`] of an input of about `span` bytes, when known (columns are sized from it).
fn read_csv_sized<R: Read>(
    kind: RecordKind,
    input: R,
    mapping: &Mapping,
    pipeline: Option<&Pipeline>,
    options: &ImportOptions,
    span: Option<u64>,
) -> Result<Imported> {
    let pipeline = pipeline_or_default(pipeline)?;
    let mut reader = RecordReader::new(without_bom(input)?, None);
    let headers = reader::read_header(&mut reader)?;
    let columns = resolve_columns(kind, mapping, headers, options)?;
    let ctx = row_context(kind, &columns, options);
    let mut stages = StageLookup::new(&pipeline);
    let stretch = reader::Stretch {
        span,
        ..Default::default()
    };
    let (records, errors) = match kind {
        RecordKind::Opportunities => {
            let keys = stage_keys(&pipeline);
            let sink = TableSink::new(&keys, build::present(&columns), columns.attributes.len());
            let (sink, errors) =
                reader::read_rows(&mut reader, &ctx, &mut stages, options, stretch, sink)?
                    .finish()?;
            let mut table = OpportunityTable::new(keys.clone(), reader::attribute_names(&ctx));
            for chunk in sink.into_chunks() {
                table.append(chunk);
            }
            (Records::Opportunities(table), errors)
        }
        RecordKind::Leads => {
            let (leads, errors) =
                reader::read_rows(&mut reader, &ctx, &mut stages, options, stretch, Vec::new())?
                    .finish()?;
            (Records::Leads(leads), errors)
        }
        RecordKind::Accounts => {
            let (accounts, errors) =
                reader::read_rows(&mut reader, &ctx, &mut stages, options, stretch, Vec::new())?
                    .finish()?;
            (Records::Accounts(accounts), errors)
        }
    };
    Ok(Imported { records, errors })
}

/// The header resolved by the mapping, narrowed to the options' `fields`.
fn resolve_columns(
    kind: RecordKind,
    mapping: &Mapping,
    headers: Vec<String>,
    options: &ImportOptions,
) -> Result<Columns> {
    let mut columns = mapping::resolve(kind, mapping, headers)?;
    if let Some(fields) = &options.fields {
        columns.keep_only(kind, fields)?;
    }
    Ok(columns)
}

fn row_context<'a>(
    kind: RecordKind,
    columns: &'a Columns,
    options: &ImportOptions,
) -> RowContext<'a> {
    RowContext {
        columns,
        fields: mapping::fields(kind),
        date_order: options.date_order,
        currency: options.currency,
    }
}

fn stage_keys(pipeline: &Pipeline) -> Vec<String> {
    pipeline.stages.iter().map(|s| s.key.clone()).collect()
}

/// [`read_csv`] from a file. A missing file is `not_found` (path `path`); other I/O failures
/// are `parse` errors with code `io`. A large file of opportunities is read in parallel parts
/// with the same result (see `reader.rs`).
pub fn read_csv_path(
    kind: RecordKind,
    path: &Path,
    mapping: &Mapping,
    pipeline: Option<&Pipeline>,
    options: &ImportOptions,
) -> Result<Imported> {
    let size = reader::open_sized(path)?.1;
    read_csv_path_in_parts(
        kind,
        path,
        mapping,
        pipeline,
        options,
        reader::parts_for(size),
    )
}

/// [`read_csv_path`] in at most `parts` parallel parts (opportunities only; other kinds and
/// `parts <= 1` read sequentially).
fn read_csv_path_in_parts(
    kind: RecordKind,
    path: &Path,
    mapping: &Mapping,
    pipeline: Option<&Pipeline>,
    options: &ImportOptions,
    parts: usize,
) -> Result<Imported> {
    let (file, size) = reader::open_sized(path)?;
    if parts > 1 && kind == RecordKind::Opportunities {
        let pipeline = pipeline_or_default(pipeline)?;
        let bom = reader::bom_len(path)?;
        let mut header_reader = RecordReader::new(without_bom(&file)?, None);
        let headers = reader::read_header(&mut header_reader)?;
        let body = bom + header_reader.consumed();
        let header_newlines = header_reader.newlines()?;
        drop(header_reader);
        let columns = resolve_columns(kind, mapping, headers, options)?;
        let ctx = row_context(kind, &columns, options);
        let keys = stage_keys(&pipeline);
        let parallel = reader::read_table_in_parts(
            path,
            size,
            body,
            header_newlines,
            parts,
            &ctx,
            &pipeline,
            &keys,
            build::present(&columns),
            options,
        )?;
        if let Some((table, errors)) = parallel {
            return Ok(Imported {
                records: Records::Opportunities(table),
                errors,
            });
        }
        let (file, _) = reader::open_sized(path)?;
        return read_csv_sized(kind, file, mapping, Some(&pipeline), options, Some(size));
    }
    read_csv_sized(kind, file, mapping, pipeline, options, Some(size))
}

/// The JSON-level entry of hosts and vectors: `mapping` (`"hubspot"`, `"salesforce"` or a map),
/// `pipeline` (wire form, optional), `options` (wire form of [`ImportOptions`], optional).
pub fn read_csv_path_json(
    kind: &str,
    path: &Path,
    mapping: &Value,
    pipeline: Option<&Value>,
    options: Option<&Value>,
) -> Result<Imported> {
    let (kind, mapping, pipeline, options) = parse_request(kind, mapping, pipeline, options)?;
    read_csv_path(kind, path, &mapping, pipeline.as_ref(), &options)
}

/// As [`read_csv_path_json`] with the pipeline inside the options (`{"pipeline": {...},
/// "date_order": "dmy", ...}`): the one-object form of Node and Swift.
pub fn read_csv_path_with_options_json(
    kind: &str,
    path: &Path,
    mapping: &Value,
    options: Option<&Value>,
) -> Result<Imported> {
    let mut options = options.filter(|o| !o.is_null()).cloned();
    let pipeline = options
        .as_mut()
        .and_then(Value::as_object_mut)
        .and_then(|o| o.remove("pipeline"));
    read_csv_path_json(kind, path, mapping, pipeline.as_ref(), options.as_ref())
}

/// The arguments of a read, from their wire forms, every problem under its argument's name.
pub fn parse_request(
    kind: &str,
    mapping: &Value,
    pipeline: Option<&Value>,
    options: Option<&Value>,
) -> Result<(RecordKind, Mapping, Option<Pipeline>, ImportOptions)> {
    let kind = RecordKind::from_name(kind)?;
    let mapping = Mapping::from_json(mapping)?;
    let pipeline = match pipeline.filter(|p| !p.is_null()) {
        Some(p) => Some(crate::api::parse::<Pipeline>(p).map_err(|e| e.under("pipeline"))?),
        None => None,
    };
    let options = match options.filter(|o| !o.is_null()) {
        Some(o) => crate::api::parse::<ImportOptions>(o).map_err(|e| e.under("options"))?,
        None => ImportOptions::default(),
    };
    Ok((kind, mapping, pipeline, options))
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod parts_tests;
