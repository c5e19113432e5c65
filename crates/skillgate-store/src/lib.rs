//! Persistent-attribute stores for skillgate, chosen by URL.
//!
//! Three durable implementations of [`skillgate::AttributesStore`]:
//!
//! | URL                                              | store                                  |
//! |--------------------------------------------------|----------------------------------------|
//! | `sqlite://attributes.db` (the default)           | `SqliteStore`, file in the data dir    |
//! | `sqlite:///var/lib/skill/attributes.db`          | `SqliteStore`, absolute path           |
//! | `sqlite::memory:`                                | `SqliteStore` in memory (tests)        |
//! | `postgres://user@host:5432/db` (`postgresql://`) | `PostgresStore` (feature `postgres`)   |
//! | `redis://host:6379/0` (`redis+unix:///path`)     | `RedisStore` (feature `redis`)         |
//! | `memory:`                                        | the framework's [`skillgate::InMemoryStore`] |
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use skillgate::AttributesKey;
//! let store = skillgate_store::open(skillgate_store::DEFAULT_URL, "/var/lib/skillgate".as_ref()).await?;
//! let key = AttributesKey::user("amzn1.ask.skill.x", "amzn1.ask.account.y");
//! let version = store.save(&key, &serde_json::json!({"score": 1}), None).await?;
//! # let _ = version; Ok(()) }
//! ```
//!
//! Every store keeps the framework's optimistic-concurrency contract: a save names the
//! version it read and fails with [`skillgate::StoreError::Conflict`] when the record changed
//! in between; the check and the write are one atomic step in every backend. Versions are
//! store-wide increasing numbers (never reused, even after a delete), so a stale version can
//! never match a record that was deleted and created again. Every operation is bounded by
//! [`OpenOptions::timeout`]: a store that is down answers with an error, never a hang.
//! See `docs/persistence.md` for the schemas, key scheme and durability guarantees.
//!
//! One Cargo feature per backend: `sqlite` (the default), `postgres`, `redis`. A URL naming a
//! backend that was not compiled in is refused by [`open`] with
//! [`OpenError::NotCompiledIn`], naming the feature to enable.
//!
//! With `redis`, `RedisShared` also holds the state several server instances share: the
//! replay cache (`RedisReplayGuard`) and the chain-download budget (`RedisDownloadLimiter`).
#![warn(missing_docs)]

mod error;
mod location;
mod open;
#[cfg(feature = "postgres")]
mod postgres;
// Shared by the backends; with only some of them compiled in, some helpers go unused.
#[cfg(any(feature = "sqlite", feature = "postgres", feature = "redis"))]
#[cfg_attr(
    not(all(feature = "sqlite", feature = "postgres", feature = "redis")),
    allow(dead_code)
)]
mod record;
#[cfg(feature = "redis")]
mod redis;
#[cfg(feature = "redis")]
mod redis_shared;
#[cfg(feature = "sqlite")]
mod sqlite;

pub use error::OpenError;
pub use location::{Location, Synchronous};
pub use open::{DEFAULT_POOL_SIZE, DEFAULT_TIMEOUT, DEFAULT_URL, OpenOptions, open, open_with};
#[cfg(feature = "postgres")]
pub use postgres::PostgresStore;
#[cfg(feature = "redis")]
pub use redis::RedisStore;
#[cfg(feature = "redis")]
pub use redis_shared::{
    DEFAULT_PREFIX, DEFAULT_SHARED_TIMEOUT, RedisDownloadLimiter, RedisReplayGuard, RedisShared,
    SharedStateError,
};
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteStore;
