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

/// Every rule a response breaks, in [`Rule::ALL`] order. Derefs to `Vec<Violation>`;
/// displays as one line, violations separated by `; `.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Violations(pub Vec<Violation>);

impl Violations {
    /// The violations as a vector.
    pub fn into_vec(self) -> Vec<Violation> {
        self.0
    }

    /// Whether a rule is among the violations.
    pub fn contains(&self, rule: Rule) -> bool {
        self.0.iter().any(|v| v.rule == rule)
    }

    /// The names of the broken rules, in order (for logs and metrics).
    pub fn rule_names(&self) -> Vec<&'static str> {
        self.0.iter().map(|v| v.rule.name()).collect()
    }
}

impl std::ops::Deref for Violations {
    type Target = Vec<Violation>;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl std::ops::DerefMut for Violations {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl IntoIterator for Violations {
    type Item = Violation;
    type IntoIter = std::vec::IntoIter<Violation>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a Violations {
    type Item = &'a Violation;
    type IntoIter = std::slice::Iter<'a, Violation>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl From<Violations> for Vec<Violation> {
    fn from(violations: Violations) -> Self {
        violations.0
    }
}

impl fmt::Display for Violations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, violation) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{violation}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Violations {}
