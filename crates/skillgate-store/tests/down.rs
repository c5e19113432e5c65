//! A store that is down, or that stops answering, turns into an error within a bounded
//! time, never a hang; and the store works again once the server is back.

mod support;

use std::future::Future;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use skillgate::{AttributesKey, AttributesStore, StoreError};
use skillgate_store::{OpenError, OpenOptions, open_with};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

const LIMIT: Duration = Duration::from_millis(500);
/// Generous: the operation must fail on its own timeout, far below this.
const NO_HANG: Duration = Duration::from_secs(10);

fn options() -> OpenOptions {
    OpenOptions {
        timeout: LIMIT,
        pool_size: 4,
    }
}

/// A port on 127.0.0.1 with nothing listening.
async fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap().port()
}

/// A listener that accepts connections and never says a word (a hung server).
async fn black_hole() -> (u16, tokio::task::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let task = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    (port, task)
}

/// Awaits `op`, failing the test if it takes longer than [`NO_HANG`].
async fn within<T>(what: &str, op: impl Future<Output = T>) -> T {
    let start = Instant::now();
    let out = tokio::time::timeout(NO_HANG, op)
        .await
        .unwrap_or_else(|_| panic!("{what} hung for {NO_HANG:?}"));
    println!("{what}: answered after {:?}", start.elapsed());
    out
}

/// Opening a PostgreSQL and a Redis store on `port` fails (or times out) within the bound.
async fn assert_stores_fail_to_open(port: u16) {
    let dir = Path::new("/nonexistent");
    let url = format!("postgres://skillgate@127.0.0.1:{port}/postgres");
    let err = within("postgres open", open_with(&url, dir, options()))
        .await
        .err()
        .unwrap();
    assert!(
        matches!(err, OpenError::Postgres(_) | OpenError::Timeout { .. }),
        "{err}"
    );
    let url = format!("redis://127.0.0.1:{port}/");
    let err = within("redis open", open_with(&url, dir, options()))
        .await
        .err()
        .unwrap();
    assert!(
        matches!(err, OpenError::Redis(_) | OpenError::Timeout { .. }),
        "{err}"
    );
}

#[tokio::test]
async fn closed_ports_fail_to_open() {
    assert_stores_fail_to_open(closed_port().await).await;
}

#[tokio::test]
async fn silent_servers_time_out_on_open() {
    let (port, hole) = black_hole().await;
    assert_stores_fail_to_open(port).await;
    hole.abort();
}

/// A TCP proxy in front of a real server that can stop forwarding (the server "hangs")
/// and resume.
struct Proxy {
    port: u16,
    paused: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Proxy {
    async fn start(upstream: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (paused, watcher) = watch::channel(false);
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let Ok(server) = TcpStream::connect(&upstream).await else {
                    continue;
                };
                let (client_read, client_write) = client.into_split();
                let (server_read, server_write) = server.into_split();
                tokio::spawn(pump(client_read, server_write, watcher.clone()));
                tokio::spawn(pump(server_read, client_write, watcher.clone()));
            }
        });
        Self { port, paused, task }
    }

    fn pause(&self, paused: bool) {
        self.paused.send_replace(paused);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Copies bytes from `from` to `to`, holding them back while paused.
async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    mut paused: watch::Receiver<bool>,
) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        while *paused.borrow_and_update() {
            if paused.changed().await.is_err() {
                return;
            }
        }
        if to.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}

/// The `host:port` of a server URL of the simple form the test servers use.
fn host_port(url: &str) -> String {
    let rest = url.split_once("://").unwrap().1;
    let rest = rest.rsplit_once('@').map_or(rest, |(_, r)| r);
    rest.split('/').next().unwrap().to_owned()
}

/// Opens `url` through a proxy, then has the server stop answering mid-run: operations
/// fail within the time limit; after it resumes, they succeed again.
async fn hang_then_recover(url: &str, scheme_and_user: &str, rest: &str) {
    let proxy = Proxy::start(host_port(url)).await;
    let proxied = format!("{scheme_and_user}127.0.0.1:{}{rest}", proxy.port);
    let store: Arc<dyn AttributesStore> = open_with(&proxied, Path::new("/nonexistent"), options())
        .await
        .unwrap();
    let key = AttributesKey::user(support::unique_skill("hang"), "amzn1.ask.account.A");
    let v1 = store.save(&key, &json!(1), None).await.unwrap();

    proxy.pause(true);
    let err = within("save while hung", store.save(&key, &json!(2), Some(v1)))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Backend(_)), "{err}");
    let err = within("load while hung", store.load(&key))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Backend(_)), "{err}");

    proxy.pause(false);
    // The save that timed out may or may not have reached the server; either way the
    // store answers again and the stored value is one of the two.
    let mut recovered = None;
    for _ in 0..20 {
        match store.load(&key).await {
            Ok(found) => {
                recovered = found;
                break;
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    let stored = recovered.expect("the store answers again after the server resumes");
    assert!(
        stored.value == json!(1) || stored.value == json!(2),
        "{stored:?}"
    );
    store
        .save(&key, &json!(3), Some(stored.version))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_that_stops_answering_fails_fast_and_recovers() {
    let Some(url) = support::server_url(support::POSTGRES_ENV, "postgres hang test") else {
        return;
    };
    let user = url
        .split_once("://")
        .unwrap()
        .1
        .rsplit_once('@')
        .map_or("", |(u, _)| u);
    let path = url
        .split_once("://")
        .unwrap()
        .1
        .split_once('/')
        .map_or("", |(_, p)| p);
    hang_then_recover(&url, &format!("postgres://{user}@"), &format!("/{path}")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_that_stops_answering_fails_fast_and_recovers() {
    let Some(url) = support::server_url(support::REDIS_ENV, "redis hang test") else {
        return;
    };
    let path = url
        .split_once("://")
        .unwrap()
        .1
        .split_once('/')
        .map_or("", |(_, p)| p);
    hang_then_recover(&url, "redis://", &format!("/{path}")).await;
}
