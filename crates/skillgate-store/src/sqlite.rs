//! The embedded default: one SQLite file in the data directory.

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde_json::Value;
use skillgate::{AttributesKey, AttributesStore, StoreError, Stored, Version};

use crate::error::OpenError;
use crate::location::Synchronous;
use crate::record::{
    backend, backend_msg, check, device_column, from_json, to_json, version_from_i64,
};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS attributes (
    skill_id   TEXT    NOT NULL,
    user_id    TEXT    NOT NULL,
    device_id  TEXT    NOT NULL DEFAULT '',
    value      TEXT    NOT NULL,
    version    INTEGER NOT NULL,
    updated_at TEXT    NOT NULL,
    PRIMARY KEY (skill_id, user_id, device_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS attributes_version (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    last INTEGER NOT NULL
);
INSERT OR IGNORE INTO attributes_version (id, last) VALUES (1, 0);
";

const SELECT: &str =
    "SELECT value, version FROM attributes WHERE skill_id = ?1 AND user_id = ?2 AND device_id = ?3";
const SELECT_VERSION: &str =
    "SELECT version FROM attributes WHERE skill_id = ?1 AND user_id = ?2 AND device_id = ?3";
const NEXT_VERSION: &str =
    "UPDATE attributes_version SET last = last + 1 WHERE id = 1 RETURNING last";
const UPSERT: &str = "
INSERT INTO attributes (skill_id, user_id, device_id, value, version, updated_at)
VALUES (?1, ?2, ?3, ?4, ?5, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
ON CONFLICT (skill_id, user_id, device_id) DO UPDATE
SET value = excluded.value, version = excluded.version, updated_at = excluded.updated_at";
const DELETE: &str =
    "DELETE FROM attributes WHERE skill_id = ?1 AND user_id = ?2 AND device_id = ?3";

/// Attributes in a SQLite database (WAL mode), one connection used from blocking threads.
///
/// A save is one `BEGIN IMMEDIATE` transaction that reads the stored version, compares it
/// with the expected one and writes value and new version, so it is atomic even when
/// several processes share the file.
#[derive(Clone)]
pub struct SqliteStore {
    conn: Arc<Mutex<Connection>>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore").finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens (creating it and its directory when missing) the database at `path`. Blocks:
    /// call it from a blocking context. `busy_timeout` bounds how long a write waits for
    /// another process holding the write lock.
    pub fn open(
        path: &Path,
        synchronous: Synchronous,
        busy_timeout: Duration,
    ) -> Result<Self, OpenError> {
        let fail = |source: Box<dyn std::error::Error + Send + Sync>| OpenError::Sqlite {
            path: path.display().to_string(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| fail(Box::new(e)))?;
        }
        let conn = Connection::open(path).map_err(|e| fail(Box::new(e)))?;
        Self::prepare(conn, synchronous, busy_timeout).map_err(|e| fail(Box::new(e)))
    }

    /// A private database in memory (gone when the store is dropped).
    pub fn open_in_memory() -> Result<Self, OpenError> {
        let fail = |e: rusqlite::Error| OpenError::Sqlite {
            path: ":memory:".into(),
            source: Box::new(e),
        };
        let conn = Connection::open_in_memory().map_err(fail)?;
        Self::prepare(conn, Synchronous::Full, Duration::from_secs(2)).map_err(fail)
    }

    fn prepare(
        conn: Connection,
        synchronous: Synchronous,
        busy_timeout: Duration,
    ) -> Result<Self, rusqlite::Error> {
        conn.busy_timeout(busy_timeout)?;
        // `journal_mode` answers with the mode now in force (`memory` for in-memory DBs).
        let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        let level = match synchronous {
            Synchronous::Full => "FULL",
            Synchronous::Normal => "NORMAL",
        };
        conn.pragma_update(None, "synchronous", level)?;
        conn.execute_batch(SCHEMA)?;
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// Runs `op` on the connection on a blocking thread.
    async fn with_conn<T, F>(&self, op: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            let mut guard: MutexGuard<'_, Connection> =
                conn.lock().unwrap_or_else(PoisonError::into_inner);
            op(&mut guard)
        })
        .await
        .map_err(|e| backend_msg(format!("SQLite worker failed: {e}")))?
    }
}

fn key_params(key: &AttributesKey) -> (String, String, String) {
    (
        key.skill_id.clone(),
        key.user_id.clone(),
        device_column(key).to_owned(),
    )
}

fn stored_version(
    conn: &Connection,
    (skill, user, device): &(String, String, String),
) -> Result<Option<Version>, StoreError> {
    let raw: Option<i64> = conn
        .query_row(SELECT_VERSION, params![skill, user, device], |r| r.get(0))
        .optional()
        .map_err(backend)?;
    raw.map(version_from_i64).transpose()
}

#[skillgate::async_trait]
impl AttributesStore for SqliteStore {
    async fn load(&self, key: &AttributesKey) -> Result<Option<Stored>, StoreError> {
        let (skill, user, device) = key_params(key);
        self.with_conn(move |conn| {
            let row: Option<(String, i64)> = conn
                .query_row(SELECT, params![skill, user, device], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .optional()
                .map_err(backend)?;
            row.map(|(text, version)| {
                Ok(Stored {
                    value: from_json(&text)?,
                    version: version_from_i64(version)?,
                })
            })
            .transpose()
        })
        .await
    }

    async fn save(
        &self,
        key: &AttributesKey,
        value: &Value,
        expected: Option<Version>,
    ) -> Result<Version, StoreError> {
        let ids = key_params(key);
        let text = to_json(value)?;
        self.with_conn(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(backend)?;
            check(expected, stored_version(&tx, &ids)?)?;
            let next: i64 = tx
                .query_row(NEXT_VERSION, [], |r| r.get(0))
                .map_err(backend)?;
            let (skill, user, device) = &ids;
            tx.execute(UPSERT, params![skill, user, device, text, next])
                .map_err(backend)?;
            tx.commit().map_err(backend)?;
            version_from_i64(next)
        })
        .await
    }

    async fn delete(
        &self,
        key: &AttributesKey,
        expected: Option<Version>,
    ) -> Result<(), StoreError> {
        let ids = key_params(key);
        self.with_conn(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(backend)?;
            check(expected, stored_version(&tx, &ids)?)?;
            let (skill, user, device) = &ids;
            tx.execute(DELETE, params![skill, user, device])
                .map_err(backend)?;
            tx.commit().map_err(backend)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_database_is_in_wal_mode_with_the_chosen_sync_level() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/dir/a.db");
        let store = SqliteStore::open(&path, Synchronous::Normal, Duration::from_secs(1)).unwrap();
        let conn = store.conn.lock().unwrap();
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let sync: i64 = conn
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .unwrap();
        assert_eq!(sync, 1, "NORMAL");
        drop(conn);
        let again = SqliteStore::open(&path, Synchronous::Full, Duration::from_secs(1)).unwrap();
        let sync: i64 = again
            .conn
            .lock()
            .unwrap()
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .unwrap();
        assert_eq!(sync, 2, "FULL");
    }

    #[test]
    fn unopenable_path_is_an_open_error() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("plain-file");
        std::fs::write(&file, b"x").unwrap();
        // A directory cannot be created under a plain file.
        let err = SqliteStore::open(
            &file.join("a.db"),
            Synchronous::Full,
            Duration::from_secs(1),
        )
        .unwrap_err();
        assert!(matches!(err, OpenError::Sqlite { .. }), "{err}");
    }
}
