//! A broken rule, with what was found.

use std::fmt;

use super::rule::Rule;

/// One rule a response breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The rule.
    pub rule: Rule,
    /// What is wrong, and where in the response.
    pub message: String,
    /// The limit, for numeric rules.
    pub limit: Option<usize>,
    /// The value found, for numeric rules.
    pub actual: Option<usize>,
}

impl Violation {
    /// A violation of a numeric rule.
    pub(crate) fn over(rule: Rule, message: impl Into<String>, actual: usize) -> Self {
        Self {
            rule,
            message: message.into(),
            limit: rule.limit(),
            actual: Some(actual),
        }
    }

    /// A violation of a rule without a number.
    pub(crate) fn broken(rule: Rule, message: impl Into<String>) -> Self {
        Self {
            rule,
            message: message.into(),
            limit: None,
            actual: None,
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.rule.name(), self.message)?;
        match (self.limit, self.actual) {
            (Some(limit), Some(actual)) => write!(f, " (limit {limit}, actual {actual})"),
            _ => Ok(()),
        }
    }
}

impl std::error::Error for Violation {}
