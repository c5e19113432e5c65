//! The log of calls the skill made: `→ POST /v1/alerts/reminders 200`.

use std::fmt;

/// One call the mock answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallRecord {
    /// `GET`, `POST`, …
    pub method: String,
    /// The path (no query).
    pub path: String,
    /// The status answered.
    pub status: u16,
    /// How long the slow switch held the answer back (the client may have given up).
    pub delayed: Option<std::time::Duration>,
}

impl fmt::Display for CallRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "→ {} {} {}", self.method, self.path, self.status)?;
        match self.delayed {
            Some(d) => write!(f, " (held back {} ms)", d.as_millis()),
            None => Ok(()),
        }
    }
}
