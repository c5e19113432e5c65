//! Raw-socket limits (plain-HTTP mode, so the bytes on the wire are visible): an oversized
//! body announced with `Expect: 100-continue` is refused before a byte of it is sent; slow
//! headers and slow bodies are cut off.

use std::time::Duration;

use skillgate_server::testing::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn plain_server() -> TestServer {
    let mut config = config(vec![upstream_skill(
        "a",
        &[SKILL_ID],
        "http://127.0.0.1:9/alexa",
    )]);
    config.tls.enabled = false;
    config.limits.header_read_timeout_secs = 1;
    config.limits.body_read_timeout_secs = 1;
    start(config).await
}

/// Reads until the peer closes or `limit` passes; returns what arrived.
async fn read_all(stream: &mut TcpStream, limit: Duration) -> String {
    let mut out = Vec::new();
    let _ = tokio::time::timeout(limit, stream.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_bodies_are_refused_before_they_are_sent() {
    let server = plain_server().await;
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    stream
        .write_all(
            b"POST /alexa HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
              Content-Length: 20000000\r\nExpect: 100-continue\r\n\r\n",
        )
        .await
        .unwrap();
    let answer = read_all(&mut stream, Duration::from_secs(5)).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(
        !answer.contains("100 Continue"),
        "the body was never asked for: {answer}"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_headers_are_cut_off() {
    let server = plain_server().await;
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    stream
        .write_all(b"POST /alexa HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    // Never finish the headers: the server must close (possibly after a 408).
    let answer = read_all(&mut stream, Duration::from_secs(10)).await;
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
        "{answer}"
    );
    let mut probe = [0u8; 1];
    let closed = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut probe))
        .await
        .expect("closed, not hanging");
    assert!(matches!(closed, Ok(0) | Err(_)));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_bodies_get_408() {
    let server = plain_server().await;
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    stream
        .write_all(
            b"POST /alexa HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
              Content-Length: 100\r\n\r\n{\"version\"",
        )
        .await
        .unwrap();
    let answer = read_all(&mut stream, Duration::from_secs(10)).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    server.stop().await;
}
