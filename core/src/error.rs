//! The one error type of revcore.
//!
//! Every failure a caller can cause is an [`Error`] with a stable `code()` and the list of
//! [`Problem`]s behind it, each naming the JSON path of the offending field. Validation collects
//! every problem it can find rather than stopping at the first. Bindings map the code to their
//! host's exception classes; nothing here may panic on any input.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;

/// One thing wrong with an input: where (`path`), what kind of wrong (`code`, stable and
/// snake_case, e.g. `invalid_email`), and a sentence for people (`message`, may be reworded).
///
/// `path` is a JSON path relative to the document handed in, without a leading `$`:
/// `email`, `stages[2].kind`, `attributes.region`; the empty string means the document itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Problem {
    pub path: String,
    pub code: String,
    pub message: String,
}

impl Problem {
    pub fn new(path: impl Into<String>, code: &str, message: impl Into<String>) -> Self {
        Problem {
            path: path.into(),
            code: code.to_string(),
            message: message.into(),
        }
    }

    /// The same problem, found inside a larger document at `prefix`.
    pub fn under(mut self, prefix: &str) -> Self {
        self.path = join_path(prefix, &self.path);
        self
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.path.is_empty() {
            "(root)"
        } else {
            &self.path
        };
        write!(f, "{path}: {} ({})", self.message, self.code)
    }
}

/// Joins a parent path and a child path (`"stages[2]"` + `"kind"` -> `"stages[2].kind"`;
/// `"leads"` + `"[3]"` -> `"leads[3]"`).
pub fn join_path(prefix: &str, child: &str) -> String {
    match (prefix.is_empty(), child.is_empty()) {
        (true, _) => child.to_string(),
        (false, true) => prefix.to_string(),
        (false, false) if child.starts_with('[') => format!("{prefix}{child}"),
        (false, false) => format!("{prefix}.{child}"),
    }
}

/// Every error revcore returns. The variant decides the stable code; the problems say where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// Malformed JSON, a wrong type, a missing required field, an unknown key in a config.
    #[error("{}", summary("parse", .0))]
    Parse(Vec<Problem>),
    /// A well-formed record whose values break a rule (bad email, negative amount, ...).
    #[error("{}", summary("validation", .0))]
    Validation(Vec<Problem>),
    /// A config document (condition, pipeline, routing config, model) that cannot be used,
    /// including one that exceeds an explicit limit (depth, size, regex length).
    #[error("{}", summary("invalid_config", .0))]
    InvalidConfig(Vec<Problem>),
    /// A named thing (kind, rep, territory, ...) that does not exist.
    #[error("{}", summary("not_found", .0))]
    NotFound(Vec<Problem>),
    /// A state or version that does not fit the current one.
    #[error("{}", summary("conflict", .0))]
    Conflict(Vec<Problem>),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

fn summary(code: &str, problems: &[Problem]) -> String {
    const SHOWN: usize = 3;
    let mut s = String::from(code);
    for (i, p) in problems.iter().take(SHOWN).enumerate() {
        s.push_str(if i == 0 { ": " } else { "; " });
        s.push_str(&p.to_string());
    }
    if problems.len() > SHOWN {
        s.push_str(&format!("; and {} more", problems.len() - SHOWN));
    }
    s
}

impl Error {
    /// The stable, snake_case code of this error (`parse`, `validation`, `invalid_config`,
    /// `not_found`, `conflict`): what hosts put in `.code`.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Parse(_) => "parse",
            Error::Validation(_) => "validation",
            Error::InvalidConfig(_) => "invalid_config",
            Error::NotFound(_) => "not_found",
            Error::Conflict(_) => "conflict",
        }
    }

    /// Every problem behind this error, in the order found: what hosts put in `.errors`.
    pub fn problems(&self) -> &[Problem] {
        match self {
            Error::Parse(p)
            | Error::Validation(p)
            | Error::InvalidConfig(p)
            | Error::NotFound(p)
            | Error::Conflict(p) => p,
        }
    }

    fn problems_mut(&mut self) -> &mut Vec<Problem> {
        match self {
            Error::Parse(p)
            | Error::Validation(p)
            | Error::InvalidConfig(p)
            | Error::NotFound(p)
            | Error::Conflict(p) => p,
        }
    }

    pub fn parse(path: impl Into<String>, code: &str, message: impl Into<String>) -> Self {
        Error::Parse(vec![Problem::new(path, code, message)])
    }

    pub fn invalid_config(path: impl Into<String>, code: &str, message: impl Into<String>) -> Self {
        Error::InvalidConfig(vec![Problem::new(path, code, message)])
    }

    pub fn not_found(path: impl Into<String>, code: &str, message: impl Into<String>) -> Self {
        Error::NotFound(vec![Problem::new(path, code, message)])
    }

    /// The same error, found inside a larger document at `prefix`.
    pub fn under(mut self, prefix: &str) -> Self {
        for p in self.problems_mut() {
            let taken = std::mem::take(&mut p.path);
            p.path = join_path(prefix, &taken);
        }
        self
    }

    /// The wire form hosts and conformance vectors compare: `{"code", "errors": [{path, code, message}]}`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({ "code": self.code(), "message": self.to_string(), "errors": self.problems() })
    }
}

impl From<serde_json::Error> for Error {
    /// Malformed JSON text, or a document whose shape does not fit the type.
    fn from(e: serde_json::Error) -> Self {
        let code = match e.classify() {
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                "invalid_json"
            }
            serde_json::error::Category::Io => "io",
            serde_json::error::Category::Data => data_error_code(&e.to_string()),
        };
        Error::parse("", code, strip_position(&e.to_string()))
    }
}

impl From<serde_path_to_error::Error<serde_json::Error>> for Error {
    fn from(e: serde_path_to_error::Error<serde_json::Error>) -> Self {
        let path = e.path().to_string();
        let path = if path == "." { String::new() } else { path };
        let mut inner = Error::from(e.into_inner());
        // serde names a missing field only in its message; put it in the path too.
        for p in inner.problems_mut() {
            if p.code == "missing_field" && p.path.is_empty() {
                if let Some(name) = p.message.split('`').nth(1) {
                    p.path = name.to_string();
                }
            }
        }
        inner.under(&path)
    }
}

/// serde_json reports data errors only as text; this sorts the common ones into stable codes.
fn data_error_code(msg: &str) -> &'static str {
    if msg.starts_with("missing field") {
        "missing_field"
    } else if msg.starts_with("unknown field") {
        "unknown_field"
    } else if msg.starts_with("invalid type") {
        "invalid_type"
    } else if msg.starts_with("unknown variant") {
        "unknown_variant"
    } else if msg.starts_with("invalid length") {
        "invalid_length"
    } else if msg.starts_with("duplicate field") {
        "duplicate_field"
    } else {
        "invalid_value"
    }
}

/// serde_json appends " at line 1 column 12" even to errors from a `Value`, where it means nothing.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

/// Collects problems while a document is checked, then turns them into one error or none.
#[derive(Debug, Default, Clone)]
pub struct Problems {
    list: Vec<Problem>,
}

impl Problems {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn push(&mut self, path: impl Into<String>, code: &str, message: impl Into<String>) {
        self.list.push(Problem::new(path, code, message));
    }
    pub fn extend(&mut self, other: impl IntoIterator<Item = Problem>) {
        self.list.extend(other);
    }
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
    pub fn len(&self) -> usize {
        self.list.len()
    }
    pub fn into_vec(self) -> Vec<Problem> {
        self.list
    }
    /// `Ok(())` when nothing was found, else the problems wrapped by `wrap`
    /// (e.g. `Error::Validation`).
    pub fn into_result(self, wrap: fn(Vec<Problem>) -> Error) -> Result<()> {
        if self.list.is_empty() {
            Ok(())
        } else {
            Err(wrap(self.list))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_join_like_json_paths() {
        assert_eq!(join_path("", "email"), "email");
        assert_eq!(join_path("leads", "[3]"), "leads[3]");
        assert_eq!(join_path("leads[3]", "email"), "leads[3].email");
        assert_eq!(join_path("x", ""), "x");
    }

    #[test]
    fn serde_errors_carry_path_and_code() {
        #[derive(Debug, Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Inner {
            n: u32,
        }
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Outer {
            items: Vec<Inner>,
        }
        let v = serde_json::json!({"items": [{"n": 1}, {"n": "x"}]});
        let err: Error = serde_path_to_error::deserialize::<_, Outer>(v)
            .unwrap_err()
            .into();
        assert_eq!(err.code(), "parse");
        assert_eq!(err.problems()[0].path, "items[1].n");
        assert_eq!(err.problems()[0].code, "invalid_type");
        let v = serde_json::json!({"items": [{"n": 1, "m": 2}]});
        let err: Error = serde_path_to_error::deserialize::<_, Outer>(v)
            .unwrap_err()
            .into();
        assert_eq!(err.problems()[0].code, "unknown_field");
        assert_eq!(err.problems()[0].path, "items[0].m");
    }
}
