//! Why a store could not be opened.

use std::time::Duration;

/// Why [`crate::open`] could not open a store. Messages never contain the URL's password.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OpenError {
    /// The URL's scheme names no store this crate knows.
    #[error(
        "unsupported attributes store URL scheme {0:?} (use sqlite:, postgres:, postgresql:, redis: or memory:)"
    )]
    UnsupportedScheme(String),
    /// The URL names a backend this build of the crate does not include.
    #[error(
        "attributes store {store} is not compiled into this build (enable skillgate-store's `{feature}` feature)"
    )]
    NotCompiledIn {
        /// Which kind of store (`sqlite`, `postgres`, `redis`).
        store: &'static str,
        /// The Cargo feature that adds it.
        feature: &'static str,
    },
    /// The URL is malformed.
    #[error("invalid attributes store URL: {0}")]
    InvalidUrl(String),
    /// The SQLite database could not be opened or prepared.
    #[error("cannot open SQLite attributes store {path}: {source}")]
    Sqlite {
        /// The database file.
        path: String,
        /// What SQLite said.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The PostgreSQL server could not be reached or the schema not be created.
    #[error("cannot open PostgreSQL attributes store: {0}")]
    Postgres(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The Redis server could not be reached.
    #[error("cannot open Redis attributes store: {0}")]
    Redis(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The server did not answer in time.
    #[error("attributes store {store} did not answer within {after:?}")]
    Timeout {
        /// Which kind of store (`postgres`, `redis`).
        store: &'static str,
        /// The limit that passed.
        after: Duration,
    },
}
