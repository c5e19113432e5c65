//! `kill -9` in the middle of a run of commits loses no committed attribute.
//!
//! The test re-runs its own binary as a child in "writer" mode (selected by an env var):
//! the child increments a counter in a loop and prints `committed N` after each save
//! returns. The parent kills it with SIGKILL mid-run, reopens the store and checks that the
//! stored counter is at least the last N the child reported (and at most one more: the
//! commit that may have landed just before the kill, unreported).

mod support;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::json;
use skillgate::{AttributesKey, StoreError};
use skillgate_store::open;

const CHILD_URL: &str = "SKILLGATE_STORE_CRASH_URL";
const CHILD_SKILL: &str = "SKILLGATE_STORE_CRASH_SKILL";
/// Reports to wait for before the kill.
const BEFORE_KILL: u64 = 40;

fn key(skill: &str) -> AttributesKey {
    AttributesKey::user(skill, "amzn1.ask.account.crash")
}

/// The writer. Does nothing unless run by [`kill_writer_and_check`] with the env vars set.
#[tokio::test]
async fn crash_writer_child() {
    let (Ok(url), Ok(skill)) = (std::env::var(CHILD_URL), std::env::var(CHILD_SKILL)) else {
        return;
    };
    let store = open(&url, Path::new("/nonexistent")).await.unwrap();
    let key = key(&skill);
    let mut out = std::io::stdout().lock();
    let started = Instant::now();
    // Bounded: the parent kills us long before either limit.
    for _ in 0..1_000_000 {
        if started.elapsed() > Duration::from_secs(60) {
            break;
        }
        let (n, version) = match store.load(&key).await.unwrap() {
            Some(s) => (s.value["n"].as_u64().unwrap(), Some(s.version)),
            None => (0, None),
        };
        match store.save(&key, &json!({"n": n + 1}), version).await {
            Ok(_) => {
                writeln!(out, "committed {}", n + 1).unwrap();
                out.flush().unwrap();
            }
            Err(StoreError::Conflict { .. }) => continue,
            Err(e) => panic!("{e}"),
        }
    }
}

async fn kill_writer_and_check(url: &str) {
    let skill = support::unique_skill("crash");
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "crash_writer_child",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_URL, url)
        .env(CHILD_SKILL, &skill)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel::<u64>();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Some(n) = line.strip_prefix("committed ") {
                if tx.send(n.parse().unwrap()).is_err() {
                    break;
                }
            }
        }
    });
    let mut last = 0;
    let deadline = Instant::now() + Duration::from_secs(30);
    while last < BEFORE_KILL {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(n) => last = n,
            Err(e) => {
                let _ = child.kill();
                panic!("writer reported only up to {last}: {e}");
            }
        }
    }
    // Let it run on for a moment so the kill lands in the middle of a load or a commit.
    std::thread::sleep(Duration::from_millis(15));
    child.kill().unwrap(); // SIGKILL: no destructors, no flush, no clean close
    let status = child.wait().unwrap();
    assert!(
        !status.success(),
        "the writer was killed, not finished: {status}"
    );
    reader.join().unwrap();
    // Reports already written before the kill are commits too.
    while let Ok(n) = rx.try_recv() {
        last = last.max(n);
    }

    let store = open(url, Path::new("/nonexistent")).await.unwrap();
    let stored = store.load(&key(&skill)).await.unwrap().unwrap();
    let n = stored.value["n"].as_u64().unwrap();
    println!("last reported commit {last}, stored {n}");
    assert!(n >= last, "committed {last} but only {n} survived the kill");
    assert!(
        n <= last + 1,
        "stored {n}, more than one past the last report {last}"
    );
}

#[tokio::test]
async fn sqlite_kill_9_loses_no_committed_attribute() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("skillgate-store")
        .join(support::unique_skill("crash"));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("attributes.db").display());
    kill_writer_and_check(&url).await;
}

#[tokio::test]
async fn postgres_kill_9_loses_no_committed_attribute() {
    let Some(url) = support::server_url(support::POSTGRES_ENV, "postgres crash test") else {
        return;
    };
    kill_writer_and_check(&url).await;
}
