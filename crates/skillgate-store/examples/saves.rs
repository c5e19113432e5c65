//! Saves per second against one store: a simple loop, no benchmark harness.
//!
//! Run (from the project root):
//!
//! ```sh
//! eval "$(scripts/services)"
//! cargo run -p skillgate-store --example saves -- sqlite://attributes.db
//! cargo run -p skillgate-store --example saves -- "$SKILLGATE_TEST_POSTGRES_URL"
//! cargo run -p skillgate-store --example saves -- "$SKILLGATE_TEST_REDIS_URL"
//! ```
//!
//! It prints two numbers: one writer saving one key in sequence (each save a
//! compare-and-set on the version the last one returned), and 8 concurrent writers each on
//! their own key. Relative SQLite paths go into a temporary directory.

use std::sync::Arc;
use std::time::Instant;

use serde_json::json;
use skillgate::{AttributesKey, AttributesStore};

const SEQUENTIAL: u64 = 2_000;
const WRITERS: u64 = 8;
const PER_WRITER: u64 = 500;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| skillgate_store::DEFAULT_URL.to_owned());
    let dir = tempfile::tempdir()?;
    let store = skillgate_store::open(&url, dir.path()).await?;
    let run = format!(
        "amzn1.ask.skill.saves-{}-{}",
        std::process::id(),
        Instant::now().elapsed().as_nanos()
    );
    let value = json!({"devices": {"lamp": "on", "heater": 21.5}, "visits": 0});

    let key = AttributesKey::user(run.as_str(), "amzn1.ask.account.seq");
    let mut version = None;
    let start = Instant::now();
    for _ in 0..SEQUENTIAL {
        version = Some(store.save(&key, &value, version).await?);
    }
    let seq = SEQUENTIAL as f64 / start.elapsed().as_secs_f64();

    let start = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..WRITERS {
        let store: Arc<dyn AttributesStore> = Arc::clone(&store);
        let key = AttributesKey::user(run.as_str(), format!("amzn1.ask.account.w{w}"));
        let value = value.clone();
        tasks.push(tokio::spawn(async move {
            let mut version = None;
            for _ in 0..PER_WRITER {
                version = Some(store.save(&key, &value, version).await?);
            }
            Ok::<_, skillgate::StoreError>(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    let par = (WRITERS * PER_WRITER) as f64 / start.elapsed().as_secs_f64();
    let shown = url.split('@').next_back().unwrap_or(&url);
    println!("{shown}: {seq:.0} saves/s sequential, {par:.0} saves/s with {WRITERS} writers");
    Ok(())
}
