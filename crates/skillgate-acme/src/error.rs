//! Errors of the ACME client.

use std::path::PathBuf;

/// Why an order, or loading the stored state, failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AcmeError {
    /// The configuration cannot work (no domain, bad directory URL, bad extra root).
    #[error("invalid ACME configuration: {0}")]
    Config(String),
    /// Reading or writing the state directory failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A stored file (account, certificate, key) does not parse.
    #[error("{path}: {what}")]
    Stored {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        what: String,
    },
    /// The ACME server (or the way to it) failed: down, garbage, refusal, problem document.
    #[error("ACME server: {0}")]
    Protocol(#[from] instant_acme::Error),
    /// The order ended in a state other than valid (e.g. a challenge failed).
    #[error("order for {domains} failed: {why}")]
    Order {
        /// The domains ordered.
        domains: String,
        /// What the server said.
        why: String,
    },
    /// The issued certificate or its key cannot be used by rustls.
    #[error("issued certificate unusable: {0}")]
    Certificate(String),
    /// The order did not complete in time.
    #[error("order did not complete within {0:?}")]
    Timeout(std::time::Duration),
}

impl AcmeError {
    /// A stable snake_case label for logs and metrics.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::Config(_) => "config",
            Self::Io { .. } => "io",
            Self::Stored { .. } => "stored_state",
            Self::Protocol(_) => "acme_server",
            Self::Order { .. } => "order_failed",
            Self::Certificate(_) => "certificate",
            Self::Timeout(_) => "timeout",
        }
    }
}
