//! Connection hold-out over real HTTPS on loopback: a client holding its maximum of idle
//! connections (HTTP/2 and HTTP/1.1 keep-alive) does not lock out another client address,
//! idle connections are closed after `limits.idle_timeout_secs` (HTTP/2 PINGs do not keep
//! them open), and `/metrics` stays off the Alexa-facing listener unless switched on.

use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls_pki_types::ServerName;
use skillgate_server::config::Config;
use skillgate_server::testing::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio_rustls::client::TlsStream;

/// The HTTP/2 client connection preface and an empty SETTINGS frame.
const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00";
/// A PING frame (8 bytes of opaque data).
const H2_PING: &[u8] = b"\x00\x00\x08\x06\x00\x00\x00\x00\x00pingpong";
/// Outer bound on any one wait.
const GUARD: Duration = Duration::from_secs(10);

fn greeter_config() -> Config {
    let mut config = config(vec![native_skill("greeter", &[SKILL_ID])]);
    config.tls.http2 = true;
    config
}

async fn start_greeter(config: Config) -> TestServer {
    start_with(config, |b| b.native_skill("greeter", greeter("Welcome."))).await
}

/// A TLS connection from `from` to the server, offering `alpn`; `None` when the server
/// closed it before the handshake finished.
async fn tls_from(
    from: IpAddr,
    addr: SocketAddr,
    cert: &Path,
    alpn: &[u8],
) -> Option<TlsStream<TcpStream>> {
    let mut config = client_tls_config(cert);
    config.alpn_protocols = vec![alpn.to_vec()];
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::new(from, 0)).unwrap();
    let tcp = socket.connect(addr).await.unwrap();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    tokio::time::timeout(
        GUARD,
        connector.connect(ServerName::try_from("127.0.0.1").unwrap(), tcp),
    )
    .await
    .expect("the handshake ends")
    .ok()
}

/// Opens an idle connection from `from`: HTTP/2 (preface and SETTINGS, no request) or
/// HTTP/1.1 (one request answered, then silence on the kept-alive connection). `None` when
/// the server refused it.
async fn idle_connection(
    from: IpAddr,
    addr: SocketAddr,
    cert: &Path,
    h2: bool,
) -> Option<TlsStream<TcpStream>> {
    let alpn: &[u8] = if h2 { b"h2" } else { b"http/1.1" };
    let mut tls = tls_from(from, addr, cert, alpn).await?;
    let mut buf = [0u8; 4096];
    if h2 {
        tls.write_all(H2_PREFACE).await.ok()?;
        // The server's SETTINGS.
        match tokio::time::timeout(GUARD, tls.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => {}
            _ => return None,
        }
    } else {
        tls.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            .await
            .ok()?;
        let mut seen = Vec::new();
        while !seen.ends_with(b"ok\n") {
            match tokio::time::timeout(GUARD, tls.read(&mut buf)).await {
                Ok(Ok(n)) if n > 0 => seen.extend_from_slice(&buf[..n]),
                _ => return None,
            }
        }
        assert!(seen.starts_with(b"HTTP/1.1 200"), "{seen:?}");
    }
    Some(tls)
}

/// A reqwest client from `from` trusting the server's development certificate.
fn client_from(from: IpAddr, cert: &Path) -> reqwest::Client {
    reqwest::Client::builder()
        .use_preconfigured_tls(client_tls_config(cert))
        .local_address(from)
        .no_proxy()
        .timeout(GUARD)
        .build()
        .unwrap()
}

/// Reads until the server closes the connection; the time it took, or `None` if it was
/// still open after `limit`. With `ping`, sends an HTTP/2 PING every 200 ms meanwhile.
async fn closed_within(
    tls: &mut TlsStream<TcpStream>,
    limit: Duration,
    ping: bool,
) -> Option<Duration> {
    let started = Instant::now();
    let mut buf = [0u8; 4096];
    let mut tick = tokio::time::interval(Duration::from_millis(200));
    let wait = async {
        loop {
            tokio::select! {
                read = tls.read(&mut buf) => match read {
                    Ok(0) | Err(_) => return started.elapsed(),
                    Ok(_) => {}
                },
                _ = tick.tick(), if ping => {
                    // A write error means the server is gone; the read reports it.
                    let _ = tls.write_all(H2_PING).await;
                }
            }
        }
    };
    tokio::time::timeout(limit, wait).await.ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_holding_its_idle_connections_does_not_lock_out_another() {
    let mut config = greeter_config();
    config.limits.max_connections = 8;
    config.limits.max_connections_per_ip = 3;
    // Long enough that nothing is closed for idleness during the test.
    config.limits.idle_timeout_secs = 60;
    let server = start_greeter(config).await;
    let (addr, cert) = (server.addr, server.cert_path());
    let hog: IpAddr = "127.0.0.1".parse().unwrap();
    let other: IpAddr = "127.0.0.2".parse().unwrap();

    // The hog tries to take every connection slot, alternating HTTP/2 and HTTP/1.1.
    let mut held = Vec::new();
    let mut refused = 0;
    for i in 0..8 {
        match idle_connection(hog, addr, &cert, i % 2 == 0).await {
            Some(tls) => held.push(tls),
            None => refused += 1,
        }
    }

    // Another address is still served while the hog's connections stay open.
    let client = client_from(other, &cert);
    for _ in 0..3 {
        let (headers, body) = signed(SKILL_ID, "LaunchRequest");
        let response = client
            .post(server.url("/alexa"))
            .headers(headers)
            .body(body)
            .send()
            .await
            .expect("another client is served");
        assert_eq!(response.status(), 200);
    }
    assert_eq!(held.len(), 3, "one address holds at most its share");
    assert_eq!(refused, 5);
    // The hog's slots are its own: closing one gives it one back.
    drop(held.pop());
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(idle_connection(hog, addr, &cert, true).await.is_some());
    drop(held);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_http2_and_keep_alive_connections_are_closed_after_the_idle_timeout() {
    let mut config = greeter_config();
    config.limits.idle_timeout_secs = 1;
    // The header deadline is not what closes the keep-alive connection here.
    config.limits.header_read_timeout_secs = 30;
    let server = start_greeter(config).await;
    let (addr, cert) = (server.addr, server.cert_path());
    let local: IpAddr = "127.0.0.1".parse().unwrap();

    // HTTP/2 that only sends PINGs: PINGs are not requests.
    let mut h2 = idle_connection(local, addr, &cert, true).await.unwrap();
    let took = closed_within(&mut h2, Duration::from_secs(6), true)
        .await
        .expect("an idle HTTP/2 connection was never closed");
    assert!(
        took >= Duration::from_millis(700),
        "closed too early: {took:?}"
    );

    // HTTP/1.1 keep-alive after one answered request.
    let mut h1 = idle_connection(local, addr, &cert, false).await.unwrap();
    let took = closed_within(&mut h1, Duration::from_secs(6), false)
        .await
        .expect("an idle keep-alive connection was never closed");
    assert!(
        took >= Duration::from_millis(700),
        "closed too early: {took:?}"
    );

    // A connection in use is not idle: requests 600 ms apart over 2.4 s on one client.
    let client = client_from(local, &cert);
    for _ in 0..4 {
        let (headers, body) = signed(SKILL_ID, "LaunchRequest");
        let response = client
            .post(server.url("/alexa"))
            .headers(headers)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        tokio::time::sleep(Duration::from_millis(600)).await;
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_stay_off_the_main_listener_unless_switched_on() {
    // A configuration file that says nothing about metrics.
    let toml = format!(
        r#"
listen = "127.0.0.1:0"
[[skill]]
name = "py"
path = "/alexa"
application_ids = ["{SKILL_ID}"]
upstream = "http://127.0.0.1:9/alexa"
"#
    );
    let config = Config::from_toml_str(&toml).unwrap();
    assert!(!config.metrics_on_main_listener);
    let server = start(config.clone()).await;
    let health = server
        .client
        .get(server.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    let metrics = server
        .client
        .get(server.url("/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        metrics.status(),
        404,
        "/metrics is off the Alexa-facing listener"
    );
    server.stop().await;

    // Switched on explicitly (as the demo configuration does).
    assert!(Config::demo().metrics_on_main_listener);
    let mut on = config;
    on.metrics_on_main_listener = true;
    let server = start(on).await;
    let metrics = server
        .client
        .get(server.url("/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(metrics.status(), 200);
    assert!(metrics.text().await.unwrap().contains("skillgate_"));
    server.stop().await;
}
