//! The rows a model trains on and scores: JSON objects (one per row) or a columnar [`Table`]
//! (named columns of numbers, booleans, strings or JSON values, what a DataFrame hands over),
//! and the one set of rules that turns a cell into a number, a level or a flag.
//!
//! Both forms go through the same [`Cell`] reading, so a value means the same thing whichever
//! way it arrived. Reading never panics and never drops a row: a cell that cannot be read is a
//! problem naming its row and column (`rows[3].TotalVisits`).

use crate::error::{Error, Problem, Problems, Result};
use serde_json::Value;
use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};

/// One column of a [`Table`], every column of a table being as long as the others.
#[derive(Debug, Clone)]
pub enum Column {
    /// Numbers; NaN is a missing value (the NumPy / pandas convention), infinities are errors
    /// when read as a numeric feature.
    Number(Vec<f64>),
    Bool(Vec<Option<bool>>),
    /// Strings; `None` (and the empty string) is a missing value.
    Text(Vec<Option<String>>),
    /// Anything else, one JSON value per row, read exactly like the cells of JSON rows.
    Values(Vec<Value>),
}

/// Equal when every value is: numbers bit for bit, so that NaN (missing) equals NaN.
impl PartialEq for Column {
    fn eq(&self, other: &Column) -> bool {
        match (self, other) {
            (Column::Number(a), Column::Number(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
            }
            (Column::Bool(a), Column::Bool(b)) => a == b,
            (Column::Text(a), Column::Text(b)) => a == b,
            (Column::Values(a), Column::Values(b)) => a == b,
            _ => false,
        }
    }
}

impl Column {
    pub fn len(&self) -> usize {
        match self {
            Column::Number(v) => v.len(),
            Column::Bool(v) => v.len(),
            Column::Text(v) => v.len(),
            Column::Values(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn cell(&self, i: usize) -> Cell<'_> {
        match self {
            Column::Number(v) if v[i].is_nan() => Cell::Missing,
            Column::Number(v) => Cell::Number(v[i]),
            Column::Bool(v) => v[i].map_or(Cell::Missing, Cell::Bool),
            Column::Text(v) => v[i].as_deref().map_or(Cell::Missing, Cell::Text),
            Column::Values(v) => Cell::of(&v[i]),
        }
    }

    fn slice(&self, range: std::ops::Range<usize>) -> Column {
        match self {
            Column::Number(v) => Column::Number(v[range].to_vec()),
            Column::Bool(v) => Column::Bool(v[range].to_vec()),
            Column::Text(v) => Column::Text(v[range].to_vec()),
            Column::Values(v) => Column::Values(v[range].to_vec()),
        }
    }
}

/// Rows held as named columns: the columnar way in (a pandas DataFrame column by column,
/// without building a dict per row). A name not among the columns reads as missing in every
/// row, as an absent key does in JSON rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    names: Vec<String>,
    columns: Vec<Column>,
    index: HashMap<String, usize>,
    len: usize,
}

impl Table {
    /// A table of columns, all of the same length and with distinct names (else a `parse`
    /// error at `columns.<name>`: `invalid_length`, `duplicate_name`).
    pub fn new(columns: Vec<(String, Column)>) -> Result<Table> {
        let len = columns.first().map_or(0, |(_, c)| c.len());
        let mut out = Problems::new();
        let mut index = HashMap::with_capacity(columns.len());
        for (i, (name, column)) in columns.iter().enumerate() {
            if column.len() != len {
                out.push(
                    format!("columns.{name}"),
                    "invalid_length",
                    format!("{} values where the first column has {len}", column.len()),
                );
            }
            if index.insert(name.clone(), i).is_some() {
                out.push(
                    format!("columns.{name}"),
                    "duplicate_name",
                    format!("column `{name}` is given twice"),
                );
            }
        }
        out.into_result(Error::Parse)?;
        let (names, columns) = columns.into_iter().unzip();
        Ok(Table {
            names,
            columns,
            index,
            len,
        })
    }

    /// A table from JSON `{"name": [v0, v1, ...], ...}`, each column read as [`Column::Values`].
    pub fn from_json(value: &Value) -> Result<Table> {
        let map = value.as_object().ok_or_else(|| {
            Error::parse(
                "columns",
                "invalid_type",
                "columns must be an object of lists",
            )
        })?;
        let mut columns = Vec::with_capacity(map.len());
        let mut out = Problems::new();
        for (name, v) in map {
            match v.as_array() {
                Some(items) => columns.push((name.clone(), Column::Values(items.clone()))),
                None => out.push(
                    format!("columns.{name}"),
                    "invalid_type",
                    "a column must be a list",
                ),
            }
        }
        out.into_result(Error::Parse)?;
        Table::new(columns)
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn names(&self) -> &[String] {
        &self.names
    }

    pub fn column(&self, name: &str) -> Option<&Column> {
        self.index.get(name).map(|&i| &self.columns[i])
    }

    /// Rows `range` of every column (a train / test split), clipped to the table.
    pub fn slice(&self, range: std::ops::Range<usize>) -> Table {
        let start = range.start.min(self.len);
        let range = start..range.end.min(self.len).max(start);
        Table {
            names: self.names.clone(),
            columns: self
                .columns
                .iter()
                .map(|c| c.slice(range.clone()))
                .collect(),
            index: self.index.clone(),
            len: range.len(),
        }
    }

    /// Row `i` as a JSON object (missing cells left out; NaN is missing); `None` past the end.
    pub fn row(&self, i: usize) -> Option<Value> {
        if i >= self.len {
            return None;
        }
        let mut obj = serde_json::Map::new();
        for (name, column) in self.names.iter().zip(&self.columns) {
            let v = column.cell(i).to_value();
            if !v.is_null() {
                obj.insert(name.clone(), v);
            }
        }
        Some(Value::Object(obj))
    }
}

/// One cell as read, whatever the row form.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Cell<'a> {
    Missing,
    Number(f64),
    Bool(bool),
    Text(&'a str),
    /// A list or an object: never a valid feature value. Holds the JSON type's name.
    Other(&'static str),
}

impl<'a> Cell<'a> {
    pub fn of(v: &'a Value) -> Cell<'a> {
        match v {
            Value::Null => Cell::Missing,
            Value::Bool(b) => Cell::Bool(*b),
            Value::Number(n) => n.as_f64().map_or(Cell::Other("number"), Cell::Number),
            Value::String(s) => Cell::Text(s),
            Value::Array(_) => Cell::Other("list"),
            Value::Object(_) => Cell::Other("object"),
        }
    }

    /// The value as seen, for explanations (`null` when missing; a non-finite number too).
    pub fn to_value(self) -> Value {
        match self {
            Cell::Missing => Value::Null,
            Cell::Number(x) => serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number),
            Cell::Bool(b) => Value::Bool(b),
            Cell::Text(s) => Value::String(s.to_string()),
            Cell::Other(t) => Value::String(format!("<{t}>")),
        }
    }

    fn type_name(self) -> &'static str {
        match self {
            Cell::Missing => "null",
            Cell::Number(_) => "number",
            Cell::Bool(_) => "boolean",
            Cell::Text(_) => "string",
            Cell::Other(t) => t,
        }
    }
}

/// Why a cell could not be read: a problem code and a sentence.
pub(crate) type CellError = (&'static str, String);

/// A numeric cell: the number (through `ln(1 + x)` when `log`), NaN when missing.
pub(crate) fn read_number(cell: Cell<'_>, log: bool) -> Result<f64, CellError> {
    match cell {
        Cell::Missing => Ok(f64::NAN),
        Cell::Number(x) if !x.is_finite() => Err((
            "not_finite",
            format!("{x} is not a finite number (NaN is read as missing, infinities are refused)"),
        )),
        Cell::Number(x) if log && x < 0.0 => Err((
            "invalid_value",
            format!("{x} is negative: a `log` feature reads ln(1 + x) and needs x >= 0"),
        )),
        Cell::Number(x) if log => Ok(super::num::ln_1p(x)),
        Cell::Number(x) => Ok(x),
        other => Err((
            "invalid_type",
            format!("expected a number, found a {}", other.type_name()),
        )),
    }
}

/// A categorical cell: its level, `None` when missing (null, absent or the empty string).
/// Numbers become their shortest decimal text (integral values without a fraction: `3.0` and
/// `3` are both "3"), booleans "true" / "false".
pub(crate) fn read_level(cell: Cell<'_>) -> Result<Option<Cow<'_, str>>, CellError> {
    match cell {
        Cell::Missing | Cell::Text("") => Ok(None),
        Cell::Text(s) => Ok(Some(Cow::Borrowed(s))),
        Cell::Bool(b) => Ok(Some(Cow::Borrowed(if b { "true" } else { "false" }))),
        Cell::Number(x) if !x.is_finite() => {
            Err(("not_finite", format!("{x} is not a finite number")))
        }
        Cell::Number(x) => Ok(Some(Cow::Owned(number_text(x)))),
        Cell::Other(t) => Err(("invalid_type", format!("expected a string, found a {t}"))),
    }
}

/// The text of a number used as a category: integral values print without a fraction.
pub(crate) fn number_text(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// A boolean cell: `Some(true | false)`, `None` when missing. Accepted: JSON booleans, the
/// numbers 0 and 1, and the strings true/false, yes/no, 1/0 in any case (the empty string is
/// missing).
pub(crate) fn read_flag(cell: Cell<'_>) -> Result<Option<bool>, CellError> {
    match cell {
        Cell::Missing | Cell::Text("") => Ok(None),
        Cell::Bool(b) => Ok(Some(b)),
        Cell::Number(0.0) => Ok(Some(false)),
        Cell::Number(1.0) => Ok(Some(true)),
        Cell::Number(x) => Err((
            "invalid_value",
            format!("{x} is not a boolean: numbers must be 0 or 1"),
        )),
        Cell::Text(s) => match s.to_ascii_lowercase().as_str() {
            "true" | "yes" | "1" => Ok(Some(true)),
            "false" | "no" | "0" => Ok(Some(false)),
            _ => Err((
                "invalid_value",
                format!("`{s}` is not a boolean: expected true/false, yes/no or 1/0"),
            )),
        },
        Cell::Other(t) => Err(("invalid_type", format!("expected a boolean, found a {t}"))),
    }
}

/// The most problems one call reports about cells; the rest are counted in a last problem.
pub const MAX_PROBLEMS: usize = 100;

/// Collects cell problems up to [`MAX_PROBLEMS`].
#[derive(Debug, Default)]
pub(crate) struct CellProblems {
    list: Vec<Problem>,
    more: usize,
}

impl CellProblems {
    pub fn push(&mut self, path: String, (code, message): CellError) {
        if self.list.len() < MAX_PROBLEMS {
            self.list.push(Problem::new(path, code, message));
        } else {
            self.more += 1;
        }
    }

    /// `Ok(())` or a `validation` error with every problem collected.
    pub fn into_result(mut self, what: &str) -> Result<()> {
        if self.list.is_empty() {
            return Ok(());
        }
        if self.more > 0 {
            self.list.push(Problem::new(
                what,
                "too_many_problems",
                format!("{} more problems not listed", self.more),
            ));
        }
        Err(Error::Validation(self.list))
    }
}

/// The rows handed to a call, in either form, with the name of the argument they came in
/// (`rows`, or `row` for a single prediction) for error paths.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Rows<'a> {
    Json(&'a [Value]),
    Table(&'a Table),
}

impl<'a> Rows<'a> {
    pub fn len(&self) -> usize {
        match self {
            Rows::Json(rows) => rows.len(),
            Rows::Table(t) => t.len(),
        }
    }

    /// JSON rows must be objects: a `parse` error at `rows[i]` for each that is not.
    pub fn check_shape(&self, arg: &str) -> Result<()> {
        if let Rows::Json(rows) = self {
            let mut out = Problems::new();
            for (i, row) in rows.iter().enumerate() {
                if !row.is_object() && out.len() < MAX_PROBLEMS {
                    out.push(row_path(arg, i), "invalid_type", "a row must be an object");
                }
            }
            out.into_result(Error::Parse)?;
        }
        Ok(())
    }

    /// Calls `f(i, cell)` for every row of column `name`, in row order.
    pub fn each_cell(&self, name: &str, mut f: impl FnMut(usize, Cell<'a>)) {
        match self {
            Rows::Json(rows) => {
                for (i, row) in rows.iter().enumerate() {
                    f(i, row.get(name).map_or(Cell::Missing, Cell::of));
                }
            }
            Rows::Table(t) => match t.column(name) {
                Some(column) => (0..t.len()).for_each(|i| f(i, column.cell(i))),
                None => (0..t.len()).for_each(|i| f(i, Cell::Missing)),
            },
        }
    }

    /// The cell of row `i` in column `name`.
    pub fn cell(&self, i: usize, name: &str) -> Cell<'a> {
        match self {
            Rows::Json(rows) => rows[i].get(name).map_or(Cell::Missing, Cell::of),
            Rows::Table(t) => t.column(name).map_or(Cell::Missing, |c| c.cell(i)),
        }
    }
}

/// `rows[3]` (or `row` for a single row, where `i` is not shown).
pub(crate) fn row_path(arg: &str, i: usize) -> String {
    if arg == "row" {
        arg.to_string()
    } else {
        format!("{arg}[{i}]")
    }
}

/// `rows[3].TotalVisits`.
pub(crate) fn cell_path(arg: &str, i: usize, name: &str) -> String {
    format!("{}.{name}", row_path(arg, i))
}

/// Reads the label column: every row must hold a boolean (read as a boolean feature is);
/// a missing label is a `missing_label` problem, never a dropped row.
pub(crate) fn read_labels(
    rows: Rows<'_>,
    arg: &str,
    label: &str,
    out: &mut CellProblems,
) -> Vec<bool> {
    let mut labels = Vec::with_capacity(rows.len());
    rows.each_cell(label, |i, cell| match read_flag(cell) {
        Ok(Some(b)) => labels.push(b),
        Ok(None) => {
            labels.push(false);
            out.push(
                cell_path(arg, i, label),
                (
                    "missing_label",
                    format!("the label `{label}` is missing: every row needs true or false"),
                ),
            );
        }
        Err(e) => {
            labels.push(false);
            out.push(cell_path(arg, i, label), e);
        }
    });
    labels
}

/// A categorical column read for training: a code per row into `dict` (`MISSING` when missing).
pub(crate) struct Coded {
    pub codes: Vec<u32>,
    pub dict: Vec<String>,
}

pub(crate) const MISSING: u32 = u32::MAX;

/// One feature's column, read for training.
pub(crate) enum RawColumn {
    /// Values after `ln(1 + x)` when `log`; NaN when missing.
    Numeric(Vec<f64>),
    Categorical(Coded),
    /// 0 false, 1 true, 2 missing.
    Boolean(Vec<u8>),
}

impl RawColumn {
    /// True when no row has a value.
    pub fn all_missing(&self) -> bool {
        match self {
            RawColumn::Numeric(v) => v.iter().all(|x| x.is_nan()),
            RawColumn::Categorical(c) => c.codes.iter().all(|&x| x == MISSING),
            RawColumn::Boolean(v) => v.iter().all(|&b| b == 2),
        }
    }
}

/// Reads one feature's column of the training rows, problems into `out`.
pub(crate) fn read_column(
    rows: Rows<'_>,
    arg: &str,
    spec: &super::spec::FeatureSpec,
    out: &mut CellProblems,
) -> RawColumn {
    use super::spec::FeatureKind;
    let n = rows.len();
    let name = spec.name.as_str();
    match spec.kind {
        FeatureKind::Numeric => {
            let mut v = Vec::with_capacity(n);
            rows.each_cell(name, |i, cell| match read_number(cell, spec.log) {
                Ok(x) => v.push(x),
                Err(e) => {
                    v.push(f64::NAN);
                    out.push(cell_path(arg, i, name), e);
                }
            });
            RawColumn::Numeric(v)
        }
        FeatureKind::Categorical => {
            let mut codes = Vec::with_capacity(n);
            let mut dict: Vec<String> = Vec::new();
            let mut lookup: HashMap<String, u32, Fnv> = HashMap::default();
            rows.each_cell(name, |i, cell| match read_level(cell) {
                Ok(Some(level)) => {
                    let code = match lookup.get(level.as_ref()) {
                        Some(&c) => c,
                        None => {
                            let c = dict.len() as u32;
                            dict.push(level.to_string());
                            lookup.insert(level.into_owned(), c);
                            c
                        }
                    };
                    codes.push(code);
                }
                Ok(None) => codes.push(MISSING),
                Err(e) => {
                    codes.push(MISSING);
                    out.push(cell_path(arg, i, name), e);
                }
            });
            RawColumn::Categorical(Coded { codes, dict })
        }
        FeatureKind::Boolean => {
            let mut v = Vec::with_capacity(n);
            rows.each_cell(name, |i, cell| match read_flag(cell) {
                Ok(Some(b)) => v.push(u8::from(b)),
                Ok(None) => v.push(2),
                Err(e) => {
                    v.push(2);
                    out.push(cell_path(arg, i, name), e);
                }
            });
            RawColumn::Boolean(v)
        }
    }
}

/// FNV-1a: a fast hash for interning levels (used for lookups only, never iterated, so the
/// hash cannot reach a result).
#[derive(Default, Clone, Copy)]
pub(crate) struct Fnv;

pub(crate) struct FnvHasher(u64);

impl std::hash::BuildHasher for Fnv {
    type Hasher = FnvHasher;
    fn build_hasher(&self) -> FnvHasher {
        FnvHasher(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for FnvHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// The levels a categorical feature keeps: seen at least `min_count` times, at most
/// `max_levels` of them (most frequent first, ties by name), returned sorted by name.
pub(crate) fn choose_levels(coded: &Coded, min_count: u64, max_levels: usize) -> Vec<String> {
    let mut counts = vec![0u64; coded.dict.len()];
    for &c in &coded.codes {
        if c != MISSING {
            counts[c as usize] += 1;
        }
    }
    let mut kept: Vec<(u64, &str)> = counts
        .iter()
        .zip(&coded.dict)
        .filter(|(&n, _)| n >= min_count)
        .map(|(&n, s)| (n, s.as_str()))
        .collect();
    kept.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    kept.truncate(max_levels);
    let sorted: BTreeSet<&str> = kept.into_iter().map(|(_, s)| s).collect();
    sorted.into_iter().map(str::to_string).collect()
}
