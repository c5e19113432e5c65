//! Persistent attributes: what a skill remembers about a user between sessions.
//!
//! Attributes live behind the [`AttributesStore`] trait, keyed by skill id and user id (and
//! optionally the device id, see [`KeyScope`]); values are JSON. The trait is built for
//! optimistic concurrency: [`AttributesStore::load`] returns the stored value with its
//! [`Version`], and [`AttributesStore::save`] takes the version the caller read and fails with
//! [`StoreError::Conflict`] when someone else wrote in between. Two requests of the same user
//! racing each other (an Echo and the phone app) therefore never silently lose an update.
//!
//! [`InMemoryStore`] is the store shipped here (tests, demos, single-process skills that may
//! forget on restart); durable stores implement the same trait.

use std::collections::HashMap;
use std::sync::Mutex;

use serde_json::Value;

/// Which ids make up the key under which a request's attributes are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KeyScope {
    /// Skill id + user id: the user's attributes follow them from device to device (default).
    #[default]
    User,
    /// Skill id + user id + device id: each of the user's devices has its own attributes.
    Device,
}

/// The key of one attributes record.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AttributesKey {
    /// The skill's application id (`amzn1.ask.skill.…`).
    pub skill_id: String,
    /// The user id (`amzn1.ask.account.…`).
    pub user_id: String,
    /// The device id, when the scope is [`KeyScope::Device`].
    pub device_id: Option<String>,
}

impl AttributesKey {
    /// A key for a user of a skill, on every device.
    pub fn user(skill_id: impl Into<String>, user_id: impl Into<String>) -> Self {
        Self {
            skill_id: skill_id.into(),
            user_id: user_id.into(),
            device_id: None,
        }
    }

    /// A key for a user of a skill on one device.
    pub fn device(
        skill_id: impl Into<String>,
        user_id: impl Into<String>,
        device_id: impl Into<String>,
    ) -> Self {
        Self {
            skill_id: skill_id.into(),
            user_id: user_id.into(),
            device_id: Some(device_id.into()),
        }
    }
}

/// The version of a stored record: changes on every successful save.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version(pub u64);

/// A stored value and its version.
#[derive(Debug, Clone, PartialEq)]
pub struct Stored {
    /// The attributes.
    pub value: Value,
    /// The version to pass to [`AttributesStore::save`].
    pub version: Version,
}

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The record changed (or was created or deleted) since the caller loaded it.
    #[error("attributes changed concurrently (expected version {expected:?}, found {found:?})")]
    Conflict {
        /// The version the caller expected (`None`: that the record does not exist).
        expected: Option<Version>,
        /// The version found in the store (`None`: the record does not exist).
        found: Option<Version>,
    },
    /// The storage backend failed.
    #[error("attributes store failed: {0}")]
    Backend(Box<dyn std::error::Error + Send + Sync>),
}

/// Storage for persistent attributes, with optimistic concurrency.
#[async_trait::async_trait]
pub trait AttributesStore: Send + Sync + 'static {
    /// The record under `key`, or `None` when there is none.
    async fn load(&self, key: &AttributesKey) -> Result<Option<Stored>, StoreError>;

    /// Writes `value` under `key` if the stored version is still `expected` (`None`: only if
    /// there is no record yet) and returns the new version; otherwise
    /// [`StoreError::Conflict`] and nothing is written.
    async fn save(
        &self,
        key: &AttributesKey,
        value: &Value,
        expected: Option<Version>,
    ) -> Result<Version, StoreError>;

    /// Removes the record under `key` if its version is still `expected`; removing a record
    /// that does not exist (with `expected` `None`) succeeds.
    async fn delete(
        &self,
        key: &AttributesKey,
        expected: Option<Version>,
    ) -> Result<(), StoreError>;
}

/// An [`AttributesStore`] in memory: fast, shared by clones of an `Arc`, forgotten on exit.
#[derive(Debug, Default)]
pub struct InMemoryStore {
    records: Mutex<HashMap<AttributesKey, Stored>>,
    next_version: Mutex<u64>,
}

impl InMemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many records the store holds.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether the store holds no record.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<AttributesKey, Stored>> {
        // A poisoned lock only means another thread panicked while holding it; the map is
        // still consistent (every write is a single insert or remove).
        self.records
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn bump(&self) -> Version {
        let mut next = self
            .next_version
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *next += 1;
        Version(*next)
    }
}

#[async_trait::async_trait]
impl AttributesStore for InMemoryStore {
    async fn load(&self, key: &AttributesKey) -> Result<Option<Stored>, StoreError> {
        Ok(self.lock().get(key).cloned())
    }

    async fn save(
        &self,
        key: &AttributesKey,
        value: &Value,
        expected: Option<Version>,
    ) -> Result<Version, StoreError> {
        let mut records = self.lock();
        let found = records.get(key).map(|s| s.version);
        if found != expected {
            return Err(StoreError::Conflict { expected, found });
        }
        let version = self.bump();
        records.insert(
            key.clone(),
            Stored {
                value: value.clone(),
                version,
            },
        );
        Ok(version)
    }

    async fn delete(
        &self,
        key: &AttributesKey,
        expected: Option<Version>,
    ) -> Result<(), StoreError> {
        let mut records = self.lock();
        let found = records.get(key).map(|s| s.version);
        if found != expected {
            return Err(StoreError::Conflict { expected, found });
        }
        records.remove(key);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::json;

    use super::*;

    fn key(user: &str) -> AttributesKey {
        AttributesKey::user("amzn1.ask.skill.test", user)
    }

    #[tokio::test]
    async fn save_then_load() {
        let store = InMemoryStore::new();
        assert!(store.load(&key("a")).await.unwrap().is_none());
        let v1 = store.save(&key("a"), &json!({"n": 1}), None).await.unwrap();
        let loaded = store.load(&key("a")).await.unwrap().unwrap();
        assert_eq!(loaded.value, json!({"n": 1}));
        assert_eq!(loaded.version, v1);
        let v2 = store
            .save(&key("a"), &json!({"n": 2}), Some(v1))
            .await
            .unwrap();
        assert!(v2 > v1);
        assert_eq!(store.len(), 1);
    }

    #[tokio::test]
    async fn keys_are_separate() {
        let store = InMemoryStore::new();
        store.save(&key("a"), &json!(1), None).await.unwrap();
        assert!(store.load(&key("b")).await.unwrap().is_none());
        let dev = AttributesKey::device("amzn1.ask.skill.test", "a", "dev1");
        assert!(store.load(&dev).await.unwrap().is_none());
        let other_skill = AttributesKey::user("amzn1.ask.skill.other", "a");
        assert!(store.load(&other_skill).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn concurrent_writers_conflict_instead_of_losing_updates() {
        let store = InMemoryStore::new();
        let v1 = store.save(&key("a"), &json!({"n": 0}), None).await.unwrap();
        // Two requests read the same version…
        let first = store.load(&key("a")).await.unwrap().unwrap();
        let second = store.load(&key("a")).await.unwrap().unwrap();
        assert_eq!(first.version, v1);
        // …the first save wins…
        store
            .save(&key("a"), &json!({"n": 1}), Some(first.version))
            .await
            .unwrap();
        // …and the second is told, not silently applied.
        let err = store
            .save(&key("a"), &json!({"n": 2}), Some(second.version))
            .await
            .unwrap_err();
        assert!(matches!(
            err,
            StoreError::Conflict { expected: Some(e), found: Some(f) } if e == v1 && f != v1
        ));
        assert_eq!(
            store.load(&key("a")).await.unwrap().unwrap().value,
            json!({"n": 1})
        );
    }

    #[tokio::test]
    async fn create_conflicts_when_someone_created_first() {
        let store = InMemoryStore::new();
        store.save(&key("a"), &json!(1), None).await.unwrap();
        let err = store.save(&key("a"), &json!(2), None).await.unwrap_err();
        assert!(matches!(
            err,
            StoreError::Conflict {
                expected: None,
                found: Some(_)
            }
        ));
    }

    #[tokio::test]
    async fn delete_checks_the_version() {
        let store = InMemoryStore::new();
        let v = store.save(&key("a"), &json!(1), None).await.unwrap();
        assert!(store.delete(&key("a"), None).await.is_err());
        store.delete(&key("a"), Some(v)).await.unwrap();
        assert!(store.is_empty());
        store.delete(&key("a"), None).await.unwrap();
    }

    #[tokio::test]
    async fn many_tasks_increment_without_losing_one() {
        let store: Arc<dyn AttributesStore> = Arc::new(InMemoryStore::new());
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let store = Arc::clone(&store);
            tasks.push(tokio::spawn(async move {
                // Each task retries on conflict, as a careful caller does; bounded loop.
                for _ in 0..1000 {
                    let current = store.load(&key("a")).await.unwrap();
                    let (n, version) = match current {
                        Some(s) => (s.value.as_u64().unwrap(), Some(s.version)),
                        None => (0, None),
                    };
                    tokio::task::yield_now().await;
                    match store.save(&key("a"), &json!(n + 1), version).await {
                        Ok(_) => return true,
                        Err(StoreError::Conflict { .. }) => continue,
                        Err(e) => panic!("{e}"),
                    }
                }
                false
            }));
        }
        for t in tasks {
            assert!(t.await.unwrap());
        }
        let total = store.load(&key("a")).await.unwrap().unwrap().value;
        assert_eq!(total, json!(8));
    }
}
