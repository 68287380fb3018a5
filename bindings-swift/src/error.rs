//! The error Swift sees: one small enum of its own, converted from `revcore::Error`, so the
//! foreign surface stays stable while the core evolves.
//!
//! Every variant carries the stable `code` (`parse`, `validation`, ...), the core's one-line
//! `message`, and every [`Problem`] with its JSON path, in the order the core found them.

/// One thing wrong with an input: where (`path`), what kind of wrong (`code`), and a sentence
/// for people (`message`, may be reworded).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Problem {
    pub path: String,
    pub code: String,
    pub message: String,
}

/// Every error revcore throws. Swift: `RevcoreError.parse(code:message:errors:)` and so on;
/// the uniffi Python module: `RevcoreError.Parse` with `.code`, `.message`, `.errors`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum RevcoreError {
    /// Malformed JSON, a wrong type, a missing required field, an unknown key in a config.
    #[error("{message}")]
    Parse {
        code: String,
        message: String,
        errors: Vec<Problem>,
    },
    /// A well-formed record whose values break a rule.
    #[error("{message}")]
    Validation {
        code: String,
        message: String,
        errors: Vec<Problem>,
    },
    /// A config document that cannot be used, including one over an explicit limit.
    #[error("{message}")]
    InvalidConfig {
        code: String,
        message: String,
        errors: Vec<Problem>,
    },
    /// A named thing (kind, rep, territory, ...) that does not exist.
    #[error("{message}")]
    NotFound {
        code: String,
        message: String,
        errors: Vec<Problem>,
    },
    /// A state or version that does not fit the current one.
    #[error("{message}")]
    Conflict {
        code: String,
        message: String,
        errors: Vec<Problem>,
    },
}

impl From<&revcore::Problem> for Problem {
    fn from(p: &revcore::Problem) -> Self {
        Problem {
            path: p.path.clone(),
            code: p.code.clone(),
            message: p.message.clone(),
        }
    }
}

impl From<revcore::Error> for RevcoreError {
    fn from(e: revcore::Error) -> Self {
        let code = e.code().to_string();
        let message = e.to_string();
        let errors = e.problems().iter().map(Problem::from).collect();
        match e {
            revcore::Error::Parse(_) => RevcoreError::Parse {
                code,
                message,
                errors,
            },
            revcore::Error::Validation(_) => RevcoreError::Validation {
                code,
                message,
                errors,
            },
            revcore::Error::InvalidConfig(_) => RevcoreError::InvalidConfig {
                code,
                message,
                errors,
            },
            revcore::Error::NotFound(_) => RevcoreError::NotFound {
                code,
                message,
                errors,
            },
            revcore::Error::Conflict(_) => RevcoreError::Conflict {
                code,
                message,
                errors,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_keeps_code_message_and_problems() {
        let e = revcore::Error::not_found("kind", "unknown_kind", "unknown kind `x`");
        let expected_message = e.to_string();
        match RevcoreError::from(e) {
            RevcoreError::NotFound {
                code,
                message,
                errors,
            } => {
                assert_eq!(code, "not_found");
                assert_eq!(message, expected_message);
                assert_eq!(errors.len(), 1);
                assert_eq!(errors[0].path, "kind");
                assert_eq!(errors[0].code, "unknown_kind");
            }
            other => panic!("expected NotFound, got {other:?}"),
        }
    }
}
