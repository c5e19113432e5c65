//! Replay protection over real HTTPS: the same signed request twice is answered 200 then
//! 400; with a shared Redis two instances refuse each other's replays; a shared store that
//! stops answering is answered 503 within its timeout.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use skillgate_server::config::Config;
use skillgate_server::testing::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

fn demo_config() -> Config {
    let mut config = Config::demo();
    config.listen = "127.0.0.1:0".parse().unwrap();
    config
}

async fn start_demo(config: Config) -> TestServer {
    start_with(config, |b| {
        b.native_skill("home", skillgate_example_home::skill())
    })
    .await
}

async fn post(
    server: &TestServer,
    request: &(reqwest::header::HeaderMap, Vec<u8>),
) -> (u16, String) {
    let r = server.send(request.0.clone(), request.1.clone()).await;
    let status = r.status().as_u16();
    (status, r.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_signed_request_twice_is_answered_200_then_400() {
    let server = start_demo(demo_config()).await;
    let request = signed(SKILL_ID, "LaunchRequest");
    let (status, body) = post(&server, &request).await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = post(&server, &request).await;
    assert_eq!(status, 400);
    // A fresh request (new id) is still served; the replay stays refused.
    assert_eq!(
        post(&server, &signed(SKILL_ID, "LaunchRequest")).await.0,
        200
    );
    assert_eq!(post(&server, &request).await.0, 400);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_protection_can_be_switched_off() {
    let mut config = demo_config();
    config.verify.replay = false;
    let server = start_demo(config).await;
    let request = signed(SKILL_ID, "LaunchRequest");
    assert_eq!(post(&server, &request).await.0, 200);
    assert_eq!(post(&server, &request).await.0, 200);
    server.stop().await;
}

/// A stand-in Redis that answers the connection's first commands (PING and any set-up) and
/// then goes silent once `hang_after` commands were answered (counted over every
/// connection, reconnections included): the worst kind of outage, a server that accepts
/// and never answers.
async fn silent_redis(hang_after: usize) -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let answered = Arc::new(AtomicUsize::new(0));
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let answered = Arc::clone(&answered);
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                loop {
                    let n = match socket.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => n,
                    };
                    buf.extend_from_slice(&chunk[..n]);
                    while let Some((command, used)) = parse_command(&buf) {
                        buf.drain(..used);
                        if answered.fetch_add(1, Ordering::SeqCst) >= hang_after {
                            continue;
                        }
                        let reply: &[u8] = if command.eq_ignore_ascii_case("PING") {
                            b"+PONG\r\n"
                        } else {
                            b"+OK\r\n"
                        };
                        if socket.write_all(reply).await.is_err() {
                            return;
                        }
                    }
                }
            });
        }
    });
    addr
}

/// One RESP command (`*N\r\n$len\r\narg\r\n…`) at the start of `buf`: its name and length.
fn parse_command(buf: &[u8]) -> Option<(String, usize)> {
    fn line(buf: &[u8], at: usize) -> Option<(&[u8], usize)> {
        let end = buf.get(at..)?.windows(2).position(|w| w == b"\r\n")? + at;
        Some((&buf[at..end], end + 2))
    }
    let (head, mut at) = line(buf, 0)?;
    let count: usize = std::str::from_utf8(head.strip_prefix(b"*")?)
        .ok()?
        .parse()
        .ok()?;
    let mut name = String::new();
    for i in 0..count {
        let (len, next) = line(buf, at)?;
        let len: usize = std::str::from_utf8(len.strip_prefix(b"$")?)
            .ok()?
            .parse()
            .ok()?;
        let arg = buf.get(next..next + len)?;
        if i == 0 {
            name = String::from_utf8_lossy(arg).into_owned();
        }
        at = next + len + 2;
        if buf.len() < at {
            return None;
        }
    }
    Some((name, at))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_shared_store_is_answered_503_within_its_timeout() {
    // Connect-time commands are answered, every later one hangs.
    let addr = silent_redis(8).await;
    let mut config = demo_config();
    config.verify.shared_state = Some(format!("redis://{addr}/"));
    config.verify.shared_state_timeout_ms = 300;
    let server = start_demo(config).await;
    let started = Instant::now();
    let mut statuses = Vec::new();
    for _ in 0..12 {
        let (status, _) = post(&server, &signed(SKILL_ID, "LaunchRequest")).await;
        statuses.push(status);
        if status == 503 {
            break;
        }
    }
    assert_eq!(statuses.last(), Some(&503), "{statuses:?}");
    assert!(
        started.elapsed() < Duration::from_secs(12 * 2),
        "bounded: {:?}",
        started.elapsed()
    );
    // Each refusal is bounded by the shared-state timeout (plus the request itself).
    let t = Instant::now();
    let (status, _) = post(&server, &signed(SKILL_ID, "LaunchRequest")).await;
    assert_eq!(status, 503);
    assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_sharing_redis_refuse_each_others_replays() {
    let Ok(url) = std::env::var("SKILLGATE_TEST_REDIS_URL") else {
        assert!(
            std::env::var("SKILLGATE_REQUIRE_SERVICES").as_deref() != Ok("1"),
            "SKILLGATE_REQUIRE_SERVICES=1 but SKILLGATE_TEST_REDIS_URL is not set"
        );
        eprintln!("skipped: SKILLGATE_TEST_REDIS_URL is not set (eval \"$(scripts/services)\")");
        return;
    };
    let mut config = demo_config();
    config.verify.shared_state = Some(url);
    let a = start_demo(config.clone()).await;
    let b = start_demo(config).await;
    let request = signed(SKILL_ID, "LaunchRequest");
    assert_eq!(post(&a, &request).await.0, 200);
    assert_eq!(post(&b, &request).await.0, 400);
    assert_eq!(post(&a, &request).await.0, 400);
    let other = signed(SKILL_ID, "LaunchRequest");
    assert_eq!(post(&b, &other).await.0, 200);
    assert_eq!(post(&a, &other).await.0, 400);
    a.stop().await;
    b.stop().await;
}
