//! HTTP-level abuse against a running server (real HTTPS on 127.0.0.1): slowloris, slow
//! bodies, oversized bodies, deeply nested JSON, huge numbers, invalid UTF-8, wrong methods
//! and content types, idle connections up to the cap, a burst of forged requests naming
//! distinct well-formed chain URLs, and replay of a captured valid request.
//!
//! Throughout each attack, valid signed requests are sent one after another and must all be
//! answered 200; their latency (p50/max) is printed with `eprintln!` (`--nocapture` to see
//! it). The only time bound asserted is a generous one ([`PROBE_LIMIT`]); the server uses
//! one-second timeouts so the file stays fast.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::Full;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use rustls_pki_types::CertificateDer;
use skillgate_server::testing::*;
use skillgate_verify::{HttpsChainSource, HttpsChainSourceConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A valid request must be answered within this (generous: the machine is shared).
const PROBE_LIMIT: Duration = Duration::from_secs(5);
/// Valid requests sent during each attack.
const PROBES: usize = 12;
/// Outer bound on any one attack connection.
const GUARD: Duration = Duration::from_secs(15);

/// A local chain "S3" that answers 404 to everything and counts the requests that reach it.
struct ChainHost {
    addr: SocketAddr,
    root: CertificateDer<'static>,
    hits: Arc<AtomicUsize>,
}

async fn chain_host() -> ChainHost {
    let (tls, ca) = skillgate_verify::testing::chain_host_tls();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(tls));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&hits);
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            let counter = Arc::clone(&counter);
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let service = service_fn(move |_req| {
                    counter.fetch_add(1, Ordering::SeqCst);
                    async {
                        let mut response = http::Response::new(Full::new(Bytes::new()));
                        *response.status_mut() = http::StatusCode::NOT_FOUND;
                        Ok::<_, Infallible>(response)
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(tls), service)
                    .await;
            });
        }
    });
    ChainHost {
        addr,
        root: ca,
        hits,
    }
}

/// A server with the native `greeter` skill for [`SKILL_ID`], one-second timeouts, the test
/// chain served locally and any other chain URL downloaded from `host`.
async fn abuse_server(host: &ChainHost, max_connections: usize) -> TestServer {
    let mut config = config(vec![native_skill("greeter", &[SKILL_ID])]);
    config.limits.header_read_timeout_secs = 1;
    config.limits.body_read_timeout_secs = 1;
    config.limits.max_connections = max_connections;
    config.tls.handshake_timeout_secs = 1;
    let download = HttpsChainSource::new(HttpsChainSourceConfig {
        connect_to: Some(host.addr),
        extra_tls_roots: vec![host.root.clone()],
        ..HttpsChainSourceConfig::default()
    })
    .unwrap();
    let source = Arc::new(chain().source().with_fallback(Arc::new(download)));
    start_with(config, |b| {
        b.native_skill("greeter", greeter("Welcome."))
            .chain_source(source)
    })
    .await
}

/// A fresh envelope with a unique request id, timestamped now (so replay protection, when
/// on, never sees a probe twice).
fn fresh_body() -> Vec<u8> {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let body = skillgate_verify::testing::envelope(
        SKILL_ID,
        "LaunchRequest",
        time::OffsetDateTime::now_utc(),
    );
    let mut json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    json["request"]["requestId"] = format!(
        "amzn1.echo-api.request.abuse-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    )
    .into();
    serde_json::to_vec(&json).unwrap()
}

/// Sends [`PROBES`] valid requests one after another; each must be 200 within
/// [`PROBE_LIMIT`]. Prints p50 and max latency under `name`.
async fn probe(server: &TestServer, name: &str) {
    let mut latencies = Vec::with_capacity(PROBES);
    for i in 0..PROBES {
        let body = fresh_body();
        let headers = signed_headers(&body);
        let started = Instant::now();
        let status = tokio::time::timeout(PROBE_LIMIT, post(server, headers, body))
            .await
            .unwrap_or_else(|_| {
                panic!("{name}: valid request {i} not answered in {PROBE_LIMIT:?}")
            });
        latencies.push(started.elapsed());
        assert_eq!(status, 200, "{name}: valid request {i}");
        tokio::time::sleep(Duration::from_millis(80)).await;
    }
    latencies.sort();
    eprintln!(
        "{name}: {} valid requests during the attack, all 200; latency p50 {:.1} ms, max {:.1} ms",
        latencies.len(),
        latencies[latencies.len() / 2].as_secs_f64() * 1e3,
        latencies[latencies.len() - 1].as_secs_f64() * 1e3,
    );
}

/// Runs `attack` in the background, probes valid traffic while it runs, then waits for it.
async fn under_attack<T: Send + 'static>(
    server: &TestServer,
    name: &str,
    attack: impl Future<Output = T> + Send + 'static,
) -> T {
    let attack = tokio::spawn(attack);
    tokio::time::sleep(Duration::from_millis(50)).await;
    probe(server, name).await;
    tokio::time::timeout(Duration::from_secs(30), attack)
        .await
        .unwrap_or_else(|_| panic!("{name}: the attack did not end"))
        .unwrap()
}

/// The results of `tasks`, in order.
async fn joined<T>(tasks: Vec<tokio::task::JoinHandle<T>>) -> Vec<T> {
    let mut results = Vec::with_capacity(tasks.len());
    for task in tasks {
        results.push(task.await.unwrap());
    }
    results
}

/// How a drip-fed connection ended.
#[derive(Debug, PartialEq)]
enum End {
    /// The server answered with this status line and closed (or was closing).
    Answered(String),
    /// The server closed without a word.
    Closed,
    /// Still open after the whole drip.
    StillOpen,
}

/// Sends `head` and then one byte of `drip` every `every`, watching for the server to answer
/// or close. Stops after `drip.len()` bytes.
async fn drip_feed<S>(mut stream: S, head: &[u8], drip: &[u8], every: Duration) -> End
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    if stream.write_all(head).await.is_err() {
        return End::Closed;
    }
    let mut seen = Vec::new();
    let mut buf = [0u8; 512];
    for byte in drip {
        match tokio::time::timeout(every, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return ended(seen),
            Ok(Ok(n)) => {
                seen.extend_from_slice(&buf[..n]);
                // Read on until the server closes (bounded by the guard below).
                let rest = tokio::time::timeout(GUARD, async {
                    while let Ok(n) = stream.read(&mut buf).await {
                        if n == 0 {
                            break;
                        }
                        seen.extend_from_slice(&buf[..n]);
                    }
                })
                .await;
                assert!(rest.is_ok(), "answered but never closed");
                return ended(seen);
            }
            Err(_) => {}
        }
        if stream.write_all(&[*byte]).await.is_err() || stream.flush().await.is_err() {
            return ended(seen);
        }
    }
    End::StillOpen
}

fn ended(seen: Vec<u8>) -> End {
    if seen.is_empty() {
        End::Closed
    } else {
        let text = String::from_utf8_lossy(&seen).into_owned();
        End::Answered(text.lines().next().unwrap_or_default().to_owned())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slowloris_connections_are_cut_off_while_valid_traffic_flows() {
    let host = chain_host().await;
    let server = abuse_server(&host, 256).await;
    let (addr, cert) = (server.addr, server.cert_path());
    let ends = under_attack(&server, "slowloris (40 connections)", async move {
        let tasks: Vec<_> = (0..40)
            .map(|_| {
                let cert = cert.clone();
                tokio::spawn(async move {
                    let tls = tls_connect(addr, &cert).await;
                    // Headers never end: one byte every 300 ms for up to 12 s.
                    drip_feed(
                        tls,
                        b"POST /alexa HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ",
                        &[b'a'; 40],
                        Duration::from_millis(300),
                    )
                    .await
                })
            })
            .collect();
        joined(tasks).await
    })
    .await;
    for end in ends {
        match end {
            End::Closed => {}
            End::Answered(line) => assert!(line.starts_with("HTTP/1.1 408"), "{line}"),
            End::StillOpen => panic!("a slowloris connection outlived the header timeout"),
        }
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_bodies_get_408_while_valid_traffic_flows() {
    let host = chain_host().await;
    let server = abuse_server(&host, 256).await;
    let (addr, cert) = (server.addr, server.cert_path());
    let body = fresh_body();
    let mut head =
        b"POST /alexa HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n".to_vec();
    for (name, value) in signed_headers(&body).iter() {
        if name != "content-type" {
            head.extend_from_slice(format!("{name}: ").as_bytes());
            head.extend_from_slice(value.as_bytes());
            head.extend_from_slice(b"\r\n");
        }
    }
    head.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
    let ends = under_attack(&server, "slow body (20 connections)", async move {
        let tasks: Vec<_> = (0..20)
            .map(|_| {
                let (cert, head, body) = (cert.clone(), head.clone(), body.clone());
                tokio::spawn(async move {
                    let tls = tls_connect(addr, &cert).await;
                    drip_feed(tls, &head, &body[..40], Duration::from_millis(300)).await
                })
            })
            .collect();
        joined(tasks).await
    })
    .await;
    for end in ends {
        match end {
            End::Answered(line) => assert!(line.starts_with("HTTP/1.1 408"), "{line}"),
            other => panic!("a slow body ended as {other:?}, not 408"),
        }
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_bodies_get_413_while_valid_traffic_flows() {
    let host = chain_host().await;
    let server = abuse_server(&host, 256).await;
    let (addr, cert) = (server.addr, server.cert_path());
    let client = server.client.clone();
    let url = server.url("/alexa");
    let (declared, chunked) = under_attack(&server, "oversized bodies", async move {
        // 10 MB announced: refused from the headers.
        let declared: Vec<_> = (0..10)
            .map(|_| {
                let cert = cert.clone();
                tokio::spawn(async move {
                    let mut tls = tls_connect(addr, &cert).await;
                    tls.write_all(
                        b"POST /alexa HTTP/1.1\r\nHost: 127.0.0.1\r\n\
                          Content-Type: application/json\r\nContent-Length: 10485760\r\n\r\n",
                    )
                    .await
                    .unwrap();
                    // Start the upload; the server may already have answered and closed.
                    let _ = tls.write_all(&[b' '; 64 * 1024]).await;
                    let mut answer = Vec::new();
                    let _ = tokio::time::timeout(GUARD, tls.read_to_end(&mut answer)).await;
                    String::from_utf8_lossy(&answer).into_owned()
                })
            })
            .collect();
        // 10 MB chunked, no length: cut off at the cap while reading.
        let chunked: Vec<_> = (0..5)
            .map(|_| {
                let (client, url) = (client.clone(), url.clone());
                tokio::spawn(async move {
                    let chunks = (0..160).map(|_| {
                        Ok::<_, Infallible>(http_body::Frame::data(Bytes::from(vec![
                            b' ';
                            64 * 1024
                        ])))
                    });
                    let body = reqwest::Body::wrap(http_body_util::StreamBody::new(
                        futures_util::stream::iter(chunks),
                    ));
                    client
                        .post(&url)
                        .header("content-type", "application/json")
                        .body(body)
                        .send()
                        .await
                        .map(|r| r.status().as_u16())
                })
            })
            .collect();
        (joined(declared).await, joined(chunked).await)
    })
    .await;
    for answer in declared {
        assert!(answer.starts_with("HTTP/1.1 413"), "{answer:.200}");
    }
    for result in chunked {
        // The server answers 413 and stops reading; the client sees the 413 or, if it was
        // still uploading when the server closed, a broken connection. Never a 2xx or 5xx.
        match result {
            Ok(status) => assert_eq!(status, 413),
            Err(e) => assert!(e.is_request() || e.is_body(), "{e:?}"),
        }
    }
    server.stop().await;
}

/// Posts `body` `times` times (signed when `sign`), returning the statuses.
async fn flood(
    client: reqwest::Client,
    url: String,
    body: Vec<u8>,
    sign: bool,
    times: usize,
) -> Vec<u16> {
    let mut statuses = Vec::new();
    for _ in 0..times {
        let mut request = client
            .post(&url)
            .header("content-type", "application/json")
            .body(body.clone());
        if sign {
            request = request.headers(signed_headers(&body));
        }
        statuses.push(request.send().await.unwrap().status().as_u16());
    }
    statuses
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_json_is_refused_with_400_while_valid_traffic_flows() {
    let host = chain_host().await;
    let server = abuse_server(&host, 256).await;
    let client = server.client.clone();
    let url = server.url("/alexa");

    // Signed with the trusted test key, so they get past the signature to the parser: the
    // worst case (a real attacker's would stop at the signature).
    let deep = vec![b'['; 100_000];
    let mut huge_number = br#"{"version":"1.0","request":{"type":"LaunchRequest","requestId":"amzn1.echo-api.request.n","timestamp":"#.to_vec();
    huge_number.extend(std::iter::repeat_n(b'9', 100_000));
    huge_number.extend_from_slice(b"}}");
    let mut huge_exponent = fresh_body();
    let at = huge_exponent.len() - 1;
    huge_exponent.splice(at..at, br#","padding":1e999999999"#.iter().copied());
    let mut bad_utf8 = fresh_body();
    let at = bad_utf8.len() - 1;
    bad_utf8.splice(at..at, b",\"x\":\"\xff\xfe\xc0\xaf\"".iter().copied());

    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("100k nested [", deep),
        ("100k-digit timestamp", huge_number),
        ("1e999999999", huge_exponent),
        ("invalid UTF-8", bad_utf8),
    ];
    let results = under_attack(&server, "hostile JSON", async move {
        let mut results = Vec::new();
        for (name, body) in cases {
            for sign in [true, false] {
                let statuses = flood(client.clone(), url.clone(), body.clone(), sign, 5).await;
                results.push((name, sign, statuses));
            }
        }
        results
    })
    .await;
    for (name, sign, statuses) in results {
        assert!(
            statuses.iter().all(|s| *s == 400),
            "{name} (signed: {sign}): {statuses:?}"
        );
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_methods_and_content_types_are_refused_while_valid_traffic_flows() {
    let host = chain_host().await;
    let server = abuse_server(&host, 256).await;
    let client = server.client.clone();
    let url = server.url("/alexa");
    let results = under_attack(&server, "wrong method / content type", async move {
        let mut results = Vec::new();
        for _ in 0..10 {
            for method in [
                reqwest::Method::GET,
                reqwest::Method::PUT,
                reqwest::Method::DELETE,
                reqwest::Method::PATCH,
            ] {
                let r = client.request(method.clone(), &url).send().await.unwrap();
                results.push((method.to_string(), r.status().as_u16(), 405));
            }
            let body = fresh_body();
            for ct in [
                "text/plain",
                "application/x-www-form-urlencoded",
                "application/xml",
            ] {
                let mut headers = signed_headers(&body);
                headers.insert("content-type", ct.parse().unwrap());
                let r = client
                    .post(&url)
                    .headers(headers)
                    .body(body.clone())
                    .send()
                    .await
                    .unwrap();
                results.push((ct.to_owned(), r.status().as_u16(), 415));
            }
        }
        results
    })
    .await;
    for (what, got, want) in results {
        assert_eq!(got, want, "{what}");
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_up_to_the_cap_are_closed_while_valid_traffic_flows() {
    let host = chain_host().await;
    let cap = 48;
    let server = abuse_server(&host, cap).await;
    let (addr, cert) = (server.addr, server.cert_path());
    // Leave room for the probe client's connection.
    let idle = cap - 4;
    let ends = under_attack(&server, "idle connections (cap - 4)", async move {
        let tasks: Vec<_> = (0..idle)
            .map(|i| {
                let cert = cert.clone();
                tokio::spawn(async move {
                    let mut buf = [0u8; 64];
                    // Half never start TLS, half finish it and never send a request.
                    let read = if i % 2 == 0 {
                        let mut tcp = TcpStream::connect(addr).await.unwrap();
                        tokio::time::timeout(GUARD, tcp.read(&mut buf)).await
                    } else {
                        let mut tls = tls_connect(addr, &cert).await;
                        tokio::time::timeout(GUARD, tls.read(&mut buf)).await
                    };
                    match read {
                        Ok(Ok(0)) | Ok(Err(_)) => End::Closed,
                        Ok(Ok(n)) => ended(buf[..n].to_vec()),
                        Err(_) => End::StillOpen,
                    }
                })
            })
            .collect();
        joined(tasks).await
    })
    .await;
    for end in ends {
        match end {
            End::Closed => {}
            End::Answered(line) => assert!(line.starts_with("HTTP/1.1 408"), "{line}"),
            End::StillOpen => panic!("an idle connection was never closed"),
        }
    }
    // The slots came back: valid traffic still flows after the wave.
    probe(&server, "after the idle wave").await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quiet_keep_alive_and_plain_connections_are_closed() {
    let host = chain_host().await;
    let server = abuse_server(&host, 64).await;
    // One valid request on a keep-alive connection, then silence.
    let body = fresh_body();
    let mut request = b"POST /alexa HTTP/1.1\r\nHost: 127.0.0.1\r\n".to_vec();
    for (name, value) in signed_headers(&body).iter() {
        request.extend_from_slice(format!("{name}: ").as_bytes());
        request.extend_from_slice(value.as_bytes());
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
    request.extend_from_slice(&body);
    let mut tls = tls_connect(server.addr, &server.cert_path()).await;
    tls.write_all(&request).await.unwrap();
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    let closed = tokio::time::timeout(GUARD, async {
        loop {
            match tls.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => seen.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    let text = String::from_utf8_lossy(&seen);
    assert!(text.starts_with("HTTP/1.1 200"), "{text:.200}");
    assert!(
        closed.is_ok(),
        "a quiet keep-alive connection was never closed"
    );
    server.stop().await;

    // Plain-HTTP mode (behind a proxy): a connection that never sends a byte is closed.
    let mut config = config(vec![upstream_skill(
        "a",
        &[SKILL_ID],
        "http://127.0.0.1:9/alexa",
    )]);
    config.tls.enabled = false;
    config.limits.header_read_timeout_secs = 1;
    let server = start(config).await;
    let mut tcp = TcpStream::connect(server.addr).await.unwrap();
    let read = tokio::time::timeout(GUARD, tcp.read(&mut buf))
        .await
        .expect("a silent plain connection was never closed");
    match read {
        Ok(0) | Err(_) => {}
        Ok(n) => assert!(buf[..n].starts_with(b"HTTP/1.1 408"), "{:?}", &buf[..n]),
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_requests_with_distinct_chain_urls_stay_download_limited() {
    let host = chain_host().await;
    let server = abuse_server(&host, 256).await;
    let client = server.client.clone();
    let url = server.url("/alexa");
    let statuses = under_attack(&server, "forged URL burst (200 requests)", async move {
        let mut statuses = Vec::new();
        for i in 0..200 {
            let body = fresh_body();
            let mut headers = signed_headers(&body);
            headers.insert(
                "signaturecertchainurl",
                format!("https://s3.amazonaws.com/echo.api/forged-{i}.pem")
                    .parse()
                    .unwrap(),
            );
            let r = client
                .post(&url)
                .headers(headers)
                .body(body)
                .send()
                .await
                .unwrap();
            statuses.push(r.status().as_u16());
        }
        statuses
    })
    .await;
    assert!(statuses.iter().all(|s| *s == 400), "{statuses:?}");
    // Default bucket: a burst of 5, 10 a minute after that; the attack lasts seconds.
    let hits = host.hits.load(Ordering::SeqCst);
    eprintln!("forged URL burst: 200 requests, {hits} chain downloads");
    assert!(
        (1..=7).contains(&hits),
        "{hits} downloads for 200 forged URLs"
    );
    let metrics = server.metrics().await;
    assert!(
        metrics.contains("reason=\"chain_download_rate_limited\""),
        "{metrics}"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_captured_valid_request_replayed_is_refused_while_valid_traffic_flows() {
    let host = chain_host().await;
    let server = abuse_server(&host, 256).await;
    let body = fresh_body();
    let headers = signed_headers(&body);
    assert_eq!(post(&server, headers.clone(), body.clone()).await, 200);
    let client = server.client.clone();
    let url = server.url("/alexa");
    let replays = under_attack(&server, "replay of a captured request (30x)", async move {
        let mut statuses = Vec::new();
        for _ in 0..30 {
            let r = client
                .post(&url)
                .headers(headers.clone())
                .body(body.clone())
                .send()
                .await
                .unwrap();
            statuses.push(r.status().as_u16());
        }
        statuses
    })
    .await;
    // Replay protection is on by default: the request id was seen, so every byte-identical
    // copy is refused, though its signature and timestamp are still good.
    assert!(replays.iter().all(|s| *s == 400), "{replays:?}");
    eprintln!("replay: 30 replays of a captured valid request, all refused with 400");
    // The refusals are counted under their own reason.
    let metrics = server.metrics().await;
    assert!(metrics.contains("reason=\"replay\""), "{metrics}");
    server.stop().await;
}
