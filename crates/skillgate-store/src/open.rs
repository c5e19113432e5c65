//! Opening the store a URL names.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use skillgate::{AttributesStore, InMemoryStore};

use crate::error::OpenError;
use crate::location::Location;
#[cfg(feature = "postgres")]
use crate::postgres::PostgresStore;
#[cfg(feature = "redis")]
use crate::redis::RedisStore;
#[cfg(feature = "sqlite")]
use crate::sqlite::SqliteStore;

/// The store used when none is configured: `attributes.db` in the data directory.
pub const DEFAULT_URL: &str = "sqlite://attributes.db";

/// How long one store operation (or connecting) may take before it fails.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);

/// How many connections a PostgreSQL store keeps open by default.
pub const DEFAULT_POOL_SIZE: usize = 16;

/// Settings for [`open_with`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenOptions {
    /// The longest one operation may take (connecting, a load, a save); SQLite uses it as
    /// its busy timeout. Default [`DEFAULT_TIMEOUT`].
    pub timeout: Duration,
    /// The most connections a PostgreSQL store keeps open. Default [`DEFAULT_POOL_SIZE`].
    pub pool_size: usize,
}

impl Default for OpenOptions {
    fn default() -> Self {
        Self {
            timeout: DEFAULT_TIMEOUT,
            pool_size: DEFAULT_POOL_SIZE,
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
    // (Unused when no backend feature is compiled in.)
    let _ = &options;
    let store: Arc<dyn AttributesStore> = match location {
        Location::Memory => Arc::new(InMemoryStore::new()),
        #[cfg(feature = "sqlite")]
        Location::SqliteMemory => Arc::new(SqliteStore::open_in_memory()?),
        #[cfg(feature = "sqlite")]
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
        #[cfg(feature = "postgres")]
        Location::Postgres(url) => {
            Arc::new(PostgresStore::connect(&url, options.pool_size, options.timeout).await?)
        }
        #[cfg(feature = "redis")]
        Location::Redis(url) => Arc::new(RedisStore::connect(&url, options.timeout).await?),
        #[allow(unreachable_patterns)]
        other => return Err(not_compiled_in(&other)),
    };
    tracing::info!(store = %shown, "attributes store opened");
    Ok(store)
}

/// The error for a location whose backend feature is off in this build.
#[allow(dead_code)]
fn not_compiled_in(location: &Location) -> OpenError {
    let (store, feature) = match location {
        Location::Postgres(_) => ("postgres", "postgres"),
        Location::Redis(_) => ("redis", "redis"),
        _ => ("sqlite", "sqlite"),
    };
    OpenError::NotCompiledIn { store, feature }
}
