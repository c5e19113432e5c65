//! PostgreSQL: one table shared by every instance of a skill behind a load balancer.

use std::future::Future;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use serde_json::Value;
use skillgate::{AttributesKey, AttributesStore, StoreError, Stored, Version};
use tokio_postgres::NoTls;

use crate::error::OpenError;
use crate::record::{backend, backend_msg, check, device_column, version_from_i64, version_to_i64};

const SCHEMA: &str = "
BEGIN;
SELECT pg_advisory_xact_lock(7243012553);
CREATE SEQUENCE IF NOT EXISTS skillgate_attributes_version;
CREATE TABLE IF NOT EXISTS skillgate_attributes (
    skill_id   TEXT        NOT NULL,
    user_id    TEXT        NOT NULL,
    device_id  TEXT        NOT NULL DEFAULT '',
    value      JSONB       NOT NULL,
    version    BIGINT      NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (skill_id, user_id, device_id)
);
COMMIT;
";

const SELECT: &str = "SELECT value, version FROM skillgate_attributes \
    WHERE skill_id = $1 AND user_id = $2 AND device_id = $3";
const SELECT_VERSION: &str = "SELECT version FROM skillgate_attributes \
    WHERE skill_id = $1 AND user_id = $2 AND device_id = $3";
const INSERT: &str = "INSERT INTO skillgate_attributes (skill_id, user_id, device_id, value, version) \
    VALUES ($1, $2, $3, $4, nextval('skillgate_attributes_version')) \
    ON CONFLICT DO NOTHING RETURNING version";
const UPDATE: &str = "UPDATE skillgate_attributes \
    SET value = $4, version = nextval('skillgate_attributes_version'), updated_at = now() \
    WHERE skill_id = $1 AND user_id = $2 AND device_id = $3 AND version = $5 RETURNING version";
const DELETE: &str = "DELETE FROM skillgate_attributes \
    WHERE skill_id = $1 AND user_id = $2 AND device_id = $3 AND version = $4";

/// Attributes in the PostgreSQL table `skillgate_attributes` (created on open), through a
/// small connection pool.
///
/// Compare-and-set is one statement: `INSERT … ON CONFLICT DO NOTHING` for a new record,
/// `UPDATE … WHERE version = $expected` otherwise, each `RETURNING` the new version, so no
/// row means a conflict. Versions come from the sequence `skillgate_attributes_version`.
/// Connections use no TLS: connect over loopback or a unix socket (`host=/run/postgresql`);
/// for a remote server, tunnel it (e.g. stunnel, WireGuard) until TLS support lands.
#[derive(Clone)]
pub struct PostgresStore {
    pool: Pool,
    timeout: Duration,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore")
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl PostgresStore {
    /// Connects to the server at `url` (a `postgres://` URL or a `key=value` string),
    /// creates the table when missing, and keeps up to `pool_size` connections. Every
    /// operation, connecting included, fails after `timeout`.
    pub async fn connect(
        url: &str,
        pool_size: usize,
        timeout: Duration,
    ) -> Result<Self, OpenError> {
        let mut config: tokio_postgres::Config = url
            .parse()
            .map_err(|e: tokio_postgres::Error| OpenError::InvalidUrl(format!("postgres: {e}")))?;
        config.connect_timeout(timeout);
        if config.get_options().is_none() {
            // The server cancels a statement (or lock wait) that outlives the client's wait.
            let ms = timeout.as_millis();
            config.options(format!("-c statement_timeout={ms} -c lock_timeout={ms}"));
        }
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(pool_size.max(1))
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(timeout))
            .create_timeout(Some(timeout))
            .recycle_timeout(Some(timeout))
            .build()
            .map_err(|e| OpenError::Postgres(Box::new(e)))?;
        let store = Self { pool, timeout };
        let created = tokio::time::timeout(timeout, async {
            let client = store
                .pool
                .get()
                .await
                .map_err(|e| OpenError::Postgres(Box::new(e)))?;
            client
                .batch_execute(SCHEMA)
                .await
                .map_err(|e| OpenError::Postgres(Box::new(e)))
        })
        .await;
        match created {
            Ok(result) => result.map(|()| store),
            Err(_) => Err(OpenError::Timeout {
                store: "postgres",
                after: timeout,
            }),
        }
    }

    /// Runs `op` within the store's time limit.
    async fn bounded<T>(
        &self,
        op: impl Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        tokio::time::timeout(self.timeout, op)
            .await
            .unwrap_or_else(|_| {
                Err(backend_msg(format!(
                    "PostgreSQL did not answer within {:?}",
                    self.timeout
                )))
            })
    }

    async fn client(&self) -> Result<deadpool_postgres::Object, StoreError> {
        self.pool.get().await.map_err(backend)
    }
}

async fn stored_version(
    client: &deadpool_postgres::Object,
    key: &AttributesKey,
) -> Result<Option<Version>, StoreError> {
    let statement = client
        .prepare_cached(SELECT_VERSION)
        .await
        .map_err(backend)?;
    let row = client
        .query_opt(
            &statement,
            &[&key.skill_id, &key.user_id, &device_column(key)],
        )
        .await
        .map_err(backend)?;
    row.map(|r| version_from_i64(r.try_get(0).map_err(backend)?))
        .transpose()
}

#[skillgate::async_trait]
impl AttributesStore for PostgresStore {
    async fn load(&self, key: &AttributesKey) -> Result<Option<Stored>, StoreError> {
        self.bounded(async {
            let client = self.client().await?;
            let statement = client.prepare_cached(SELECT).await.map_err(backend)?;
            let row = client
                .query_opt(
                    &statement,
                    &[&key.skill_id, &key.user_id, &device_column(key)],
                )
                .await
                .map_err(backend)?;
            row.map(|r| {
                Ok(Stored {
                    value: r.try_get(0).map_err(backend)?,
                    version: version_from_i64(r.try_get(1).map_err(backend)?)?,
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
        self.bounded(async {
            let client = self.client().await?;
            let device = device_column(key);
            let row = match expected {
                None => {
                    let statement = client.prepare_cached(INSERT).await.map_err(backend)?;
                    client
                        .query_opt(&statement, &[&key.skill_id, &key.user_id, &device, value])
                        .await
                }
                Some(version) => {
                    let version = version_to_i64(version)?;
                    let statement = client.prepare_cached(UPDATE).await.map_err(backend)?;
                    client
                        .query_opt(
                            &statement,
                            &[&key.skill_id, &key.user_id, &device, value, &version],
                        )
                        .await
                }
            }
            .map_err(backend)?;
            match row {
                Some(row) => version_from_i64(row.try_get(0).map_err(backend)?),
                None => {
                    let found = stored_version(&client, key).await?;
                    Err(StoreError::Conflict { expected, found })
                }
            }
        })
        .await
    }

    async fn delete(
        &self,
        key: &AttributesKey,
        expected: Option<Version>,
    ) -> Result<(), StoreError> {
        self.bounded(async {
            let client = self.client().await?;
            let Some(version) = expected else {
                return check(None, stored_version(&client, key).await?);
            };
            let raw = version_to_i64(version)?;
            let statement = client.prepare_cached(DELETE).await.map_err(backend)?;
            let deleted = client
                .execute(
                    &statement,
                    &[&key.skill_id, &key.user_id, &device_column(key), &raw],
                )
                .await
                .map_err(backend)?;
            if deleted == 1 {
                Ok(())
            } else {
                let found = stored_version(&client, key).await?;
                Err(StoreError::Conflict { expected, found })
            }
        })
        .await
    }
}
