//! Opening the store a URL names.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use skillgate::{AttributesStore, InMemoryStore};

use crate::error::OpenError;
use crate::location::Location;
use crate::postgres::PostgresStore;
use crate::redis::RedisStore;
use crate::sqlite::SqliteStore;

/// The store used when none is configured: `attributes.db` in the data directory.
pub const DEFAULT_URL: &str = "sqlite://attributes.db";

/// How long one store operation (or connecting) may take before it fails.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);

/// Settings for [`open_with`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenOptions {
    /// The longest one operation may take (connecting, a load, a save); SQLite uses it as
    /// its busy timeout. Default [`DEFAULT_TIMEOUT`].
    pub timeout: Duration,
    /// The most connections a PostgreSQL store keeps open. Default 16.
    pub pool_size: usize,
}

impl Default for OpenOptions {
    fn default() -> Self {
        Self {
            timeout: DEFAULT_TIMEOUT,
            pool_size: 16,
        }
    }
}

/// Opens the store `url` names (see the crate docs for the URLs), with default options.
/// Relative SQLite paths are relative to `data_dir`.
pub async fn open(url: &str, data_dir: &Path) -> Result<Arc<dyn AttributesStore>, OpenError> {
    open_with(url, data_dir, OpenOptions::default()).await
}

/// Opens the store `url` names with `options`. A server that is down or does not answer
/// fails within `options.timeout`.
pub async fn open_with(
    url: &str,
    data_dir: &Path,
    options: OpenOptions,
) -> Result<Arc<dyn AttributesStore>, OpenError> {
    let location = Location::parse(url, data_dir)?;
    let shown = location.to_string();
    let store: Arc<dyn AttributesStore> = match location {
        Location::Memory => Arc::new(InMemoryStore::new()),
        Location::SqliteMemory => Arc::new(SqliteStore::open_in_memory()?),
        Location::SqliteFile { path, synchronous } => {
            let shown_path = path.display().to_string();
            let opened = tokio::task::spawn_blocking(move || {
                SqliteStore::open(&path, synchronous, options.timeout)
            })
            .await
            .map_err(|e| OpenError::Sqlite {
                path: shown_path,
                source: Box::new(e),
            })??;
            Arc::new(opened)
        }
        Location::Postgres(url) => {
            Arc::new(PostgresStore::connect(&url, options.pool_size, options.timeout).await?)
        }
        Location::Redis(url) => Arc::new(RedisStore::connect(&url, options.timeout).await?),
    };
    tracing::info!(store = %shown, "attributes store opened");
    Ok(store)
}
