//! State shared through Redis by several instances: the replay cache and the chain-download
//! budget. The Redis tests need `SKILLGATE_TEST_REDIS_URL` (`eval "$(scripts/services)"`);
//! the outage tests run against a local stand-in that accepts and never answers.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use skillgate_store::{RedisShared, SharedStateError};
use skillgate_verify::testing::{TestChain, envelope_with_id};
use skillgate_verify::{
    CertChainUrl, ChainCache, ChainCacheConfig, ChainSource, DownloadLimiter, FetchFuture,
    ReplayGuard, Seen, Verifier, VerifyError,
};
use support::{REDIS_ENV, server_url};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const APP_ID: &str = "amzn1.ask.skill.00000000-0000-0000-0000-0000000000c1";
const TIMEOUT: Duration = Duration::from_secs(2);

fn chain() -> &'static TestChain {
    static CHAIN: std::sync::OnceLock<TestChain> = std::sync::OnceLock::new();
    CHAIN.get_or_init(TestChain::generate)
}

/// A key prefix no other test or earlier run uses.
fn prefix(test: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("skillgate-test:{test}:{}:{nanos}:", std::process::id())
}

/// One "instance": its own connection to Redis.
async fn instance(url: &str, prefix: &str) -> RedisShared {
    RedisShared::connect(url, TIMEOUT)
        .await
        .unwrap()
        .with_prefix(prefix)
}

fn verifier(shared: &RedisShared) -> Verifier {
    let mut config = chain().config([APP_ID]);
    config.replay = Some(Arc::new(shared.replay_guard()));
    Verifier::new(config, Arc::new(chain().source())).unwrap()
}

fn signed(id: &str) -> (skillgate_verify::http::HeaderMap, Vec<u8>) {
    let body = envelope_with_id(APP_ID, "IntentRequest", time::OffsetDateTime::now_utc(), id);
    (chain().headers(&body), body)
}

#[tokio::test]
async fn two_instances_refuse_each_others_replays() {
    let Some(url) = server_url(REDIS_ENV, "two_instances_refuse_each_others_replays") else {
        return;
    };
    let p = prefix("replay");
    let a = verifier(&instance(&url, &p).await);
    let b = verifier(&instance(&url, &p).await);
    let first = signed("amzn1.echo-api.request.shared-1");
    a.verify(&first.0, &first.1, SystemTime::now())
        .await
        .unwrap();
    assert_eq!(
        b.verify(&first.0, &first.1, SystemTime::now()).await,
        Err(VerifyError::Replayed)
    );
    assert_eq!(
        a.verify(&first.0, &first.1, SystemTime::now()).await,
        Err(VerifyError::Replayed)
    );
    let second = signed("amzn1.echo-api.request.shared-2");
    b.verify(&second.0, &second.1, SystemTime::now())
        .await
        .unwrap();
    assert_eq!(
        a.verify(&second.0, &second.1, SystemTime::now()).await,
        Err(VerifyError::Replayed)
    );
    // A forged request naming a third id burns nothing.
    let third = signed("amzn1.echo-api.request.shared-3");
    let mut forged = third.1.clone();
    forged.push(b' ');
    assert!(matches!(
        a.verify(&third.0, &forged, SystemTime::now()).await,
        Err(VerifyError::SignatureMismatch { .. })
    ));
    b.verify(&third.0, &third.1, SystemTime::now())
        .await
        .unwrap();
}

#[tokio::test]
async fn concurrent_sightings_record_exactly_one_and_entries_expire() {
    let Some(url) = server_url(REDIS_ENV, "concurrent_sightings_record_exactly_one") else {
        return;
    };
    let p = prefix("race");
    let a = instance(&url, &p).await.replay_guard();
    let b = instance(&url, &p).await.replay_guard();
    let now = SystemTime::now();
    let expires = now + Duration::from_millis(400);
    let mut tasks = Vec::new();
    for i in 0..16 {
        let guard = if i % 2 == 0 { a.clone() } else { b.clone() };
        tasks.push(tokio::spawn(async move {
            guard
                .check_and_record("race-id", now, expires)
                .await
                .unwrap()
        }));
    }
    let mut fresh = 0;
    for t in tasks {
        if t.await.unwrap() == Seen::Fresh {
            fresh += 1;
        }
    }
    assert_eq!(fresh, 1);
    // After its TTL the id can be recorded again.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let later = SystemTime::now();
    assert_eq!(
        a.check_and_record("race-id", later, later + Duration::from_secs(5))
            .await
            .unwrap(),
        Seen::Fresh
    );
    // Already expired on arrival: nothing to record.
    assert_eq!(
        b.check_and_record("gone", later, later - Duration::from_secs(1))
            .await
            .unwrap(),
        Seen::Fresh
    );
}

/// A remote chain source serving the test chain, counting fetches.
struct Remote {
    pem: Bytes,
    fetches: AtomicUsize,
}

impl ChainSource for Remote {
    fn fetch<'a>(&'a self, _: &'a CertChainUrl) -> FetchFuture<'a> {
        self.fetches.fetch_add(1, Ordering::SeqCst);
        let pem = self.pem.clone();
        Box::pin(async move { Ok(pem) })
    }
}

fn limited(shared: &RedisShared, source: Arc<Remote>, burst: u32) -> Verifier {
    let limiter = Arc::new(shared.download_limiter(1, burst));
    let cache = ChainCache::with_limiter(source, ChainCacheConfig::default(), limiter);
    Verifier::with_cache(chain().config([APP_ID]), Arc::new(cache)).unwrap()
}

async fn verify_url(v: &Verifier, file: &str, n: usize) -> Result<(), VerifyError> {
    let (mut h, b) = signed(&format!("amzn1.echo-api.request.{file}-{n}"));
    h.insert(
        "SignatureCertChainUrl",
        format!("https://s3.amazonaws.com/echo.api/{file}")
            .parse()
            .unwrap(),
    );
    v.verify(&h, &b, SystemTime::now()).await.map(|_| ())
}

#[tokio::test]
async fn two_caches_share_one_download_budget() {
    let Some(url) = server_url(REDIS_ENV, "two_caches_share_one_download_budget") else {
        return;
    };
    let p = prefix("budget");
    let source = Arc::new(Remote {
        pem: Bytes::from(chain().pem()),
        fetches: AtomicUsize::new(0),
    });
    let a = limited(&instance(&url, &p).await, Arc::clone(&source), 3);
    let b = limited(&instance(&url, &p).await, Arc::clone(&source), 3);
    let mut granted = 0;
    let mut limited_count = 0;
    for i in 0..10 {
        let v = if i % 2 == 0 { &a } else { &b };
        match verify_url(v, &format!("u{i}.pem"), i).await {
            Ok(()) => granted += 1,
            Err(VerifyError::DownloadRateLimited) => limited_count += 1,
            Err(e) => panic!("{e:?}"),
        }
    }
    // One budget of 3 for both (1 per minute refills nothing noticeable here), not 3 each.
    assert_eq!(granted, 3, "limited {limited_count}");
    assert_eq!(source.fetches.load(Ordering::SeqCst), 3);
}

/// A stand-in Redis: answers the connection set-up up to the first PING (PING → PONG,
/// others OK), then reads and never answers, on every connection.
async fn silent_redis() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let silent = Arc::new(std::sync::atomic::AtomicBool::new(false));
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let silent = Arc::clone(&silent);
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                loop {
                    let n = match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => n,
                    };
                    // One reply per command: each `*N` array header starts one (arguments
                    // here never start a line with `*`).
                    let text = String::from_utf8_lossy(&buf[..n]).into_owned();
                    for command in text.split('*').filter(|c| !c.is_empty()) {
                        if silent.load(Ordering::SeqCst) {
                            continue;
                        }
                        let ping = command.to_ascii_uppercase().contains("PING");
                        if ping {
                            silent.store(true, Ordering::SeqCst);
                        }
                        let reply: &[u8] = if ping { b"+PONG\r\n" } else { b"+OK\r\n" };
                        if socket.write_all(reply).await.is_err() {
                            return;
                        }
                    }
                }
            });
        }
    });
    format!("redis://{addr}/")
}

#[tokio::test]
async fn a_silent_redis_fails_replay_checks_closed_and_downloads_fall_back_in_time() {
    let url = silent_redis().await;
    let shared = RedisShared::connect(&url, Duration::from_millis(200))
        .await
        .unwrap();
    // Replay check: an error (the verifier refuses, 503 at the server), within the timeout.
    let guard = shared.replay_guard();
    let now = SystemTime::now();
    let t = Instant::now();
    let result = guard
        .check_and_record("id", now, now + Duration::from_secs(180))
        .await;
    assert!(result.is_err(), "{result:?}");
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    let v = verifier(&shared);
    let req = signed("amzn1.echo-api.request.silent");
    let err = v
        .verify(&req.0, &req.1, SystemTime::now())
        .await
        .unwrap_err();
    assert_eq!(err.reason(), "replay_store_unavailable");
    // Download budget: this instance's own bucket (burst 2) takes over.
    let limiter = shared.download_limiter(1, 2);
    let t = Instant::now();
    let grants = [
        limiter.try_acquire(now).await,
        limiter.try_acquire(now).await,
        limiter.try_acquire(now).await,
    ];
    assert_eq!(grants, [true, true, false]);
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
}

#[tokio::test]
async fn an_unreachable_redis_is_a_clear_error_in_time() {
    // A port with nothing listening.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let t = Instant::now();
    let err = RedisShared::connect(&format!("redis://{addr}/"), Duration::from_millis(300))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            SharedStateError::Redis(_) | SharedStateError::Timeout(_)
        ),
        "{err:?}"
    );
    assert!(t.elapsed() < Duration::from_secs(3));
    assert!(matches!(
        RedisShared::connect("http://nope", TIMEOUT).await,
        Err(SharedStateError::InvalidUrl(_))
    ));
}
