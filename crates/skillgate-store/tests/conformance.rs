//! Every store passes the same conformance suite (see `support`): the framework's
//! `InMemoryStore`, SQLite (file and memory), PostgreSQL and Redis. The server stores
//! need `scripts/services` (they print a "skipped" line without it, and fail when
//! `SKILLGATE_REQUIRE_SERVICES=1`).

mod support;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::json;
use skillgate::{AttributesKey, AttributesStore};
use skillgate_store::{DEFAULT_URL, OpenError, open};

/// A fresh directory under Cargo's scratch space for integration tests.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("skillgate-store")
        .join(support::unique_skill(name));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn server(var: &str) -> Option<Arc<dyn AttributesStore>> {
    let url = support::server_url(var, "server store test")?;
    Some(open(&url, Path::new("/nonexistent")).await.unwrap())
}

conformance!(memory, async {
    Some(open("memory:", Path::new("/nonexistent")).await.unwrap())
});

conformance!(sqlite_file, async {
    let dir = scratch("sqlite");
    Some(open("sqlite://attributes.db", &dir).await.unwrap())
});

conformance!(sqlite_memory, async {
    Some(
        open("sqlite::memory:", Path::new("/nonexistent"))
            .await
            .unwrap(),
    )
});

conformance!(postgres, server(support::POSTGRES_ENV));

conformance!(redis, server(support::REDIS_ENV));

#[test]
fn services_are_there_when_required() {
    if support::services_required() {
        for var in [support::POSTGRES_ENV, support::REDIS_ENV] {
            assert!(
                std::env::var(var).is_ok_and(|v| !v.is_empty()),
                "{}=1 but {var} is not set: run `eval \"$(scripts/services)\"` before the tests",
                support::REQUIRE_ENV
            );
        }
    } else {
        println!(
            "{} is not 1: server store tests may skip",
            support::REQUIRE_ENV
        );
    }
}

#[tokio::test]
async fn default_url_is_a_sqlite_file_in_the_data_dir_that_persists() {
    let dir = scratch("default");
    let key = AttributesKey::user("amzn1.ask.skill.default", "amzn1.ask.account.A");
    let version = {
        let store = open(DEFAULT_URL, &dir).await.unwrap();
        store
            .save(&key, &json!({"lamp": "on"}), None)
            .await
            .unwrap()
    };
    assert!(dir.join("attributes.db").is_file());
    let reopened = open(DEFAULT_URL, &dir).await.unwrap();
    let stored = reopened.load(&key).await.unwrap().unwrap();
    assert_eq!(stored.value, json!({"lamp": "on"}));
    assert_eq!(stored.version, version);
    // The absolute form names the same file.
    let url = format!("sqlite://{}", dir.join("attributes.db").display());
    let same = open(&url, Path::new("/elsewhere")).await.unwrap();
    assert_eq!(same.load(&key).await.unwrap().unwrap().version, version);
}

#[tokio::test]
async fn unknown_and_malformed_urls_are_refused() {
    let dir = Path::new("/nonexistent");
    assert!(matches!(
        open("mysql://localhost/db", dir).await,
        Err(OpenError::UnsupportedScheme(_))
    ));
    assert!(matches!(
        open("attributes.db", dir).await,
        Err(OpenError::InvalidUrl(_))
    ));
    let err = open("postgres://user:secret@[bad/db", dir)
        .await
        .err()
        .unwrap();
    assert!(matches!(err, OpenError::InvalidUrl(_)), "{err}");
    assert!(!err.to_string().contains("secret"), "{err}");
    let err = open("redis://:secret@bad host:x/", dir)
        .await
        .err()
        .unwrap();
    assert!(!err.to_string().contains("secret"), "{err}");
}

/// Two stores opened separately on one backend (two processes on one SQLite file, two
/// instances on one server) share the counter without losing an increment.
async fn two_instances(url: &str, dir: &Path) {
    let a = open(url, dir).await.unwrap();
    let b = open(url, dir).await.unwrap();
    support::increments_across(&[a, b], &support::unique_skill("two")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_sqlite_connections_on_one_file_lose_nothing() {
    two_instances("sqlite://shared.db", &scratch("two")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_postgres_instances_lose_nothing() {
    if let Some(url) = support::server_url(support::POSTGRES_ENV, "two postgres instances") {
        two_instances(&url, Path::new("/nonexistent")).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_redis_instances_lose_nothing() {
    if let Some(url) = support::server_url(support::REDIS_ENV, "two redis instances") {
        two_instances(&url, Path::new("/nonexistent")).await;
    }
}
