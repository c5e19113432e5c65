//! Shared by the integration tests: the conformance suite every store must pass, and the
//! environment that says where the test servers are.
#![allow(dead_code)]

use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Once};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use skillgate::{AttributesKey, AttributesStore, StoreError, Version};

/// The env var with the PostgreSQL URL of the test server (`scripts/services` prints it).
pub const POSTGRES_ENV: &str = "SKILLGATE_TEST_POSTGRES_URL";
/// The env var with the Redis URL of the test server.
pub const REDIS_ENV: &str = "SKILLGATE_TEST_REDIS_URL";
/// When `1`, a missing server URL fails the tests instead of skipping them (CI sets it).
pub const REQUIRE_ENV: &str = "SKILLGATE_REQUIRE_SERVICES";

/// Whether missing servers must fail the run.
pub fn services_required() -> bool {
    std::env::var(REQUIRE_ENV).is_ok_and(|v| v == "1")
}

/// The URL in `var`, or `None` after printing why the test is skipped. Panics when the
/// URL is missing and [`REQUIRE_ENV`] is `1`.
pub fn server_url(var: &str, test: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                !services_required(),
                "{REQUIRE_ENV}=1 but {var} is not set: run `eval \"$(scripts/services)\"` first"
            );
            // Straight to stderr (libtest captures only the print macros), once per
            // variable and test binary, so the skip shows in the test command's output.
            static POSTGRES: Once = Once::new();
            static REDIS: Once = Once::new();
            let once = if var == POSTGRES_ENV {
                &POSTGRES
            } else {
                &REDIS
            };
            once.call_once(|| {
                let _ = writeln!(
                    std::io::stderr(),
                    "skipped ({test} and the other tests needing it): {var} is not set; \
                     start scripts/services (eval \"$(scripts/services)\")"
                );
            });
            None
        }
    }
}

/// A skill id no other test (or earlier run against the same server) uses.
pub fn unique_skill(test: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!(
        "amzn1.ask.skill.{test}-{}-{nanos}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

fn user(skill: &str, id: &str) -> AttributesKey {
    AttributesKey::user(skill, format!("amzn1.ask.account.{id}"))
}

fn is_conflict(err: &StoreError, expected: Option<Version>, found: Option<Version>) -> bool {
    matches!(err, StoreError::Conflict { expected: e, found: f } if *e == expected && *f == found)
}

/// Load, save, update, delete, with the version checks at each step.
pub async fn load_save_delete(store: Arc<dyn AttributesStore>, skill: &str) {
    let key = user(skill, "crud");
    assert!(store.load(&key).await.unwrap().is_none());
    let v1 = store.save(&key, &json!({"n": 1}), None).await.unwrap();
    let loaded = store.load(&key).await.unwrap().unwrap();
    assert_eq!(loaded.value, json!({"n": 1}));
    assert_eq!(loaded.version, v1);
    let v2 = store.save(&key, &json!({"n": 2}), Some(v1)).await.unwrap();
    assert!(v2 > v1, "versions increase: {v1:?} then {v2:?}");
    let loaded = store.load(&key).await.unwrap().unwrap();
    assert_eq!((loaded.value, loaded.version), (json!({"n": 2}), v2));

    let err = store.delete(&key, None).await.unwrap_err();
    assert!(is_conflict(&err, None, Some(v2)), "{err}");
    let err = store.delete(&key, Some(v1)).await.unwrap_err();
    assert!(is_conflict(&err, Some(v1), Some(v2)), "{err}");
    assert!(
        store.load(&key).await.unwrap().is_some(),
        "a refused delete deletes nothing"
    );
    store.delete(&key, Some(v2)).await.unwrap();
    assert!(store.load(&key).await.unwrap().is_none());
    // Deleting what is not there, expecting nothing, succeeds; expecting a version, conflicts.
    store.delete(&key, None).await.unwrap();
    let err = store.delete(&key, Some(v2)).await.unwrap_err();
    assert!(is_conflict(&err, Some(v2), None), "{err}");
}

/// A save with a stale version is refused and changes nothing.
pub async fn stale_save_conflicts(store: Arc<dyn AttributesStore>, skill: &str) {
    let key = user(skill, "stale");
    let v1 = store.save(&key, &json!({"n": 0}), None).await.unwrap();
    let first = store.load(&key).await.unwrap().unwrap();
    let second = store.load(&key).await.unwrap().unwrap();
    let v2 = store
        .save(&key, &json!({"n": 1}), Some(first.version))
        .await
        .unwrap();
    let err = store
        .save(&key, &json!({"n": 2}), Some(second.version))
        .await
        .unwrap_err();
    assert!(is_conflict(&err, Some(v1), Some(v2)), "{err}");
    assert_eq!(
        store.load(&key).await.unwrap().unwrap().value,
        json!({"n": 1})
    );
}

/// Many saves racing with the same expected version: exactly one wins.
pub async fn racing_saves_one_wins(store: Arc<dyn AttributesStore>, skill: &str) {
    let key = user(skill, "race");
    let v1 = store.save(&key, &json!("start"), None).await.unwrap();
    let mut tasks = Vec::new();
    for i in 0..16 {
        let store = Arc::clone(&store);
        let key = key.clone();
        tasks.push(tokio::spawn(async move {
            store.save(&key, &json!(i), Some(v1)).await
        }));
    }
    let mut winners = Vec::new();
    for (i, task) in tasks.into_iter().enumerate() {
        match task.await.unwrap() {
            Ok(version) => winners.push((i, version)),
            Err(err) => assert!(
                matches!(err, StoreError::Conflict { expected: Some(e), found: Some(_) } if e == v1),
                "{err}"
            ),
        }
    }
    assert_eq!(
        winners.len(),
        1,
        "exactly one racing save wins: {winners:?}"
    );
    let stored = store.load(&key).await.unwrap().unwrap();
    assert_eq!(stored.value, json!(winners[0].0));
    assert_eq!(stored.version, winners[0].1);
}

/// Creating a record that someone else created first conflicts; so does updating one that
/// does not exist.
pub async fn create_if_absent_conflicts(store: Arc<dyn AttributesStore>, skill: &str) {
    let key = user(skill, "create");
    let err = store
        .save(&key, &json!(0), Some(Version(1)))
        .await
        .unwrap_err();
    assert!(is_conflict(&err, Some(Version(1)), None), "{err}");
    assert!(store.load(&key).await.unwrap().is_none());
    let v1 = store.save(&key, &json!(1), None).await.unwrap();
    let err = store.save(&key, &json!(2), None).await.unwrap_err();
    assert!(is_conflict(&err, None, Some(v1)), "{err}");
    assert_eq!(store.load(&key).await.unwrap().unwrap().value, json!(1));
}

/// A version is never reused after a delete, so a stale version cannot match a record that
/// was deleted and created again.
pub async fn versions_survive_delete(store: Arc<dyn AttributesStore>, skill: &str) {
    let key = user(skill, "aba");
    let v1 = store.save(&key, &json!("old"), None).await.unwrap();
    store.delete(&key, Some(v1)).await.unwrap();
    let v2 = store.save(&key, &json!("new"), None).await.unwrap();
    assert_ne!(v1, v2);
    let err = store
        .save(&key, &json!("stale"), Some(v1))
        .await
        .unwrap_err();
    assert!(is_conflict(&err, Some(v1), Some(v2)), "{err}");
}

/// N tasks × M increments, each a load → save → retry-on-conflict loop: no update is lost.
pub async fn concurrent_increments_lose_nothing(store: Arc<dyn AttributesStore>, skill: &str) {
    increments_across(&[store], skill).await;
}

/// [`concurrent_increments_lose_nothing`] with the tasks spread over several stores on the
/// same backend (separately opened: like instances behind a load balancer).
pub async fn increments_across(stores: &[Arc<dyn AttributesStore>], skill: &str) {
    const TASKS: u64 = 8;
    const INCREMENTS: u64 = 25;
    let key = user(skill, "counter");
    let mut tasks = Vec::new();
    for t in 0..TASKS {
        let store = Arc::clone(&stores[t as usize % stores.len()]);
        let key = key.clone();
        tasks.push(tokio::spawn(async move {
            let mut conflicts = 0u64;
            for _ in 0..INCREMENTS {
                let mut done = false;
                // Bounded: 8 writers cannot make one of them lose 10 000 times in a row.
                for _ in 0..10_000 {
                    let current = store.load(&key).await.unwrap();
                    let (n, version) = match current {
                        Some(s) => (s.value["n"].as_u64().unwrap(), Some(s.version)),
                        None => (0, None),
                    };
                    match store.save(&key, &json!({"n": n + 1}), version).await {
                        Ok(_) => {
                            done = true;
                            break;
                        }
                        Err(StoreError::Conflict { .. }) => conflicts += 1,
                        Err(e) => panic!("{e}"),
                    }
                }
                assert!(done, "an increment kept conflicting");
            }
            conflicts
        }));
    }
    let mut conflicts = 0;
    for task in tasks {
        conflicts += task.await.unwrap();
    }
    for store in stores {
        let total = store.load(&key).await.unwrap().unwrap().value;
        let want = json!({"n": TASKS * INCREMENTS});
        assert_eq!(total, want, "after {conflicts} conflicts");
    }
}

/// JSON values come back exactly: unicode, escapes, nesting, numbers, ~100 KB.
pub async fn json_round_trips(store: Arc<dyn AttributesStore>, skill: &str) {
    let large: Vec<Value> = (0..2_000)
        .map(|i| json!({"id": i, "name": format!("device-{i}-Grüße-🏠"), "on": i % 2 == 0}))
        .collect();
    let values = [
        json!({}),
        json!([]),
        json!(null),
        json!("plain"),
        json!({"text": "Grüße, 日本語, emoji 👋🏽, quote \" backslash \\ newline \n tab \t"}),
        json!({"a": {"b": {"c": [1, [2, [3, {"d": null}]]]}}, "list": [true, false]}),
        json!({"big": u64::MAX, "neg": i64::MIN, "float": 1.5, "small": 0.1, "zero": 0}),
        json!({"devices": large}),
    ];
    let encoded = serde_json::to_string(values.last().unwrap()).unwrap();
    assert!(
        encoded.len() > 100_000,
        "the large value is {} bytes",
        encoded.len()
    );
    for (i, value) in values.iter().enumerate() {
        let key = user(skill, &format!("json-{i}"));
        let version = store.save(&key, value, None).await.unwrap();
        let loaded = store.load(&key).await.unwrap().unwrap();
        assert_eq!(&loaded.value, value, "value {i}");
        assert_eq!(loaded.version, version);
    }
}

/// User-scoped, device-scoped, other-user and other-skill records are all separate.
pub async fn scopes_are_separate(store: Arc<dyn AttributesStore>, skill: &str) {
    let other_skill = format!("{skill}-other");
    let keys = [
        AttributesKey::user(skill, "amzn1.ask.account.A"),
        AttributesKey::device(skill, "amzn1.ask.account.A", "amzn1.ask.device.1"),
        AttributesKey::device(skill, "amzn1.ask.account.A", "amzn1.ask.device.2"),
        AttributesKey::user(skill, "amzn1.ask.account.B"),
        AttributesKey::device(skill, "amzn1.ask.account.B", "amzn1.ask.device.1"),
        AttributesKey::user(other_skill.as_str(), "amzn1.ask.account.A"),
        // Ids are stored as given, colons and spaces included.
        AttributesKey::user(skill, "a:b c"),
        AttributesKey::device(skill, "a", "b c"),
    ];
    for (i, key) in keys.iter().enumerate() {
        store.save(key, &json!({"i": i}), None).await.unwrap();
    }
    for (i, key) in keys.iter().enumerate() {
        let loaded = store.load(key).await.unwrap().unwrap();
        assert_eq!(loaded.value, json!({"i": i}), "{key:?}");
    }
    let first = store.load(&keys[0]).await.unwrap().unwrap();
    store.delete(&keys[0], Some(first.version)).await.unwrap();
    assert!(store.load(&keys[0]).await.unwrap().is_none());
    assert!(
        store.load(&keys[1]).await.unwrap().is_some(),
        "device record stays"
    );
}

/// Generates one test per conformance check for a store made by `$make` (an async block
/// evaluating to `Option<Arc<dyn AttributesStore>>`; `None` skips).
#[macro_export]
macro_rules! conformance {
    ($name:ident, $make:expr) => {
        mod $name {
            use super::*;

            async fn store() -> Option<std::sync::Arc<dyn skillgate::AttributesStore>> {
                $make.await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn load_save_delete() {
                if let Some(s) = store().await {
                    support::load_save_delete(s, &support::unique_skill("crud")).await;
                }
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn stale_save_conflicts() {
                if let Some(s) = store().await {
                    support::stale_save_conflicts(s, &support::unique_skill("stale")).await;
                }
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn racing_saves_one_wins() {
                if let Some(s) = store().await {
                    support::racing_saves_one_wins(s, &support::unique_skill("race")).await;
                }
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn create_if_absent_conflicts() {
                if let Some(s) = store().await {
                    support::create_if_absent_conflicts(s, &support::unique_skill("create")).await;
                }
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn versions_survive_delete() {
                if let Some(s) = store().await {
                    support::versions_survive_delete(s, &support::unique_skill("aba")).await;
                }
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn concurrent_increments_lose_nothing() {
                if let Some(s) = store().await {
                    support::concurrent_increments_lose_nothing(s, &support::unique_skill("incr"))
                        .await;
                }
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn json_round_trips() {
                if let Some(s) = store().await {
                    support::json_round_trips(s, &support::unique_skill("json")).await;
                }
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn scopes_are_separate() {
                if let Some(s) = store().await {
                    support::scopes_are_separate(s, &support::unique_skill("scope")).await;
                }
            }
        }
    };
}
