//! Failure switches: what a test or a developer turns on to see the skill cope.

use std::time::Duration;

/// How the mock misbehaves. All off by default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Switches {
    /// Wait this long before answering every API call (not the token endpoint).
    pub slow: Option<Duration>,
    /// Answer every API call with 500.
    pub fail: bool,
    /// Answer every API call with 401 and an expired-token error.
    pub expired_token: bool,
    /// Answer every API call with 429 and `Retry-After: 1`.
    pub rate_limited: bool,
}
