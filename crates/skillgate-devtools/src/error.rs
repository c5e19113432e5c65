//! The one error type of the developer tooling.

use std::path::PathBuf;

/// What went wrong in the developer tooling; each variant names the step that failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Generating a key or a certificate failed.
    #[error("could not generate the development CA: {0}")]
    Generate(String),
    /// `dev-ca init` would overwrite an existing CA.
    #[error("a development CA already exists in {0} (use --force to replace it)")]
    AlreadyExists(PathBuf),
    /// No development CA in the data directory.
    #[error("no development CA in {0}: run `skillgate dev-ca init` first")]
    Missing(PathBuf),
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A PEM file did not hold what it should.
    #[error("{path}: {what}")]
    Pem {
        /// The file.
        path: PathBuf,
        /// What was wrong with it.
        what: String,
    },
    /// The signing key was rejected or signing failed.
    #[error("signing failed: {0}")]
    Sign(String),
    /// A request envelope (e.g. a replayed file) was not usable.
    #[error("invalid request envelope: {0}")]
    Envelope(String),
    /// Building the HTTPS client failed.
    #[error("HTTPS client: {0}")]
    Client(String),
    /// Sending the request or reading the answer failed.
    #[error("request to {url} failed: {message}")]
    Send {
        /// The endpoint.
        url: String,
        /// What happened (connection refused, TLS, timeout…).
        message: String,
    },
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }
}
