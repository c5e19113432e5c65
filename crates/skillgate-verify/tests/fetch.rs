//! Downloads over real HTTPS from a local server on 127.0.0.1 (`connect_to` points
//! `s3.amazonaws.com` at it): 200 only, no redirects, size cap, timeouts, TLS trust.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{APP_ID, ChainServer, chain, chain_server, now, system_time};
use http::HeaderValue;
use skillgate_verify::testing::envelope;
use skillgate_verify::{
    CertChainUrl, ChainSource, FetchError, HttpsChainSource, HttpsChainSourceConfig, Verifier,
    VerifyError,
};

fn source(server: &ChainServer, total: Duration) -> HttpsChainSource {
    HttpsChainSource::new(HttpsChainSourceConfig {
        connect_to: Some(server.addr),
        extra_tls_roots: vec![server.tls_root.clone()],
        total_timeout: total,
        connect_timeout: Duration::from_secs(2),
        ..HttpsChainSourceConfig::default()
    })
    .unwrap()
}

async fn fetch(source: &HttpsChainSource, path: &str) -> Result<bytes::Bytes, FetchError> {
    let url = CertChainUrl::parse(&format!("https://s3.amazonaws.com{path}")).unwrap();
    source.fetch(&url).await
}

#[tokio::test]
async fn downloads_only_a_200_without_following_redirects() {
    let c = chain();
    let server = chain_server(c.pem()).await;
    let s = source(&server, Duration::from_secs(4));
    assert_eq!(fetch(&s, "/echo.api/good.pem").await.unwrap(), c.pem());
    assert_eq!(
        fetch(&s, "/echo.api/missing.pem").await,
        Err(FetchError::Status(404))
    );
    let hits = server.hits();
    assert_eq!(
        fetch(&s, "/echo.api/redirect.pem").await,
        Err(FetchError::Status(301))
    );
    assert_eq!(server.hits(), hits + 1, "the redirect must not be followed");
}

#[tokio::test]
async fn the_size_cap_and_the_timeout_hold() {
    let server = chain_server(chain().pem()).await;
    let s = source(&server, Duration::from_millis(500));
    assert_eq!(
        fetch(&s, "/echo.api/huge.pem").await,
        Err(FetchError::TooLarge(64 * 1024))
    );
    let started = std::time::Instant::now();
    assert_eq!(
        fetch(&s, "/echo.api/slow.pem").await,
        Err(FetchError::Timeout)
    );
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn an_untrusted_tls_server_is_refused() {
    let server = chain_server(chain().pem()).await;
    let s = HttpsChainSource::new(HttpsChainSourceConfig {
        connect_to: Some(server.addr),
        ..HttpsChainSourceConfig::default()
    })
    .unwrap();
    assert!(matches!(
        fetch(&s, "/echo.api/good.pem").await,
        Err(FetchError::Transport(_))
    ));
}

#[tokio::test]
async fn a_closed_port_is_a_transport_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let s = HttpsChainSource::new(HttpsChainSourceConfig {
        connect_to: Some(addr),
        ..HttpsChainSourceConfig::default()
    })
    .unwrap();
    assert!(matches!(
        fetch(&s, "/echo.api/good.pem").await,
        Err(FetchError::Transport(_) | FetchError::Timeout)
    ));
}

#[tokio::test]
async fn end_to_end_the_checked_url_is_the_downloaded_url() {
    let c = chain();
    let server = chain_server(c.pem()).await;
    let v = Verifier::new(
        c.config([APP_ID]),
        Arc::new(source(&server, Duration::from_secs(4))),
    )
    .unwrap();
    let b = envelope(APP_ID, "LaunchRequest", now());
    let mut h = c.headers(&b);
    // Dot segments are resolved before the check *and* the download: the server sees
    // /echo.api/good.pem.
    h.insert(
        "SignatureCertChainUrl",
        HeaderValue::from_static("https://s3.amazonaws.com/echo.api/sub/../good.pem"),
    );
    let ok = v.verify(&h, &b, system_time(now())).await.unwrap();
    assert_eq!(
        ok.cert_url.as_str(),
        "https://s3.amazonaws.com/echo.api/good.pem"
    );
    // A warm cache does not download again.
    v.verify(&h, &b, system_time(now())).await.unwrap();
    assert_eq!(server.hits(), 1);
    // A 404 for another URL is a download failure, remembered.
    h.insert(
        "SignatureCertChainUrl",
        HeaderValue::from_static("https://s3.amazonaws.com/echo.api/missing.pem"),
    );
    assert_eq!(
        v.verify(&h, &b, system_time(now())).await.unwrap_err(),
        VerifyError::Download(FetchError::Status(404))
    );
    assert_eq!(
        v.verify(&h, &b, system_time(now())).await.unwrap_err(),
        VerifyError::DownloadRecentlyFailed
    );
    assert_eq!(server.hits(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_misses_over_the_network_share_one_request() {
    let c = chain();
    let server = chain_server(c.pem()).await;
    let v = Arc::new(
        Verifier::new(
            c.config([APP_ID]),
            Arc::new(source(&server, Duration::from_secs(4))),
        )
        .unwrap(),
    );
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let v = Arc::clone(&v);
            tokio::spawn(async move {
                let c = chain();
                let b = envelope(APP_ID, "LaunchRequest", now());
                let mut h = c.headers(&b);
                h.insert(
                    "SignatureCertChainUrl",
                    HeaderValue::from_static("https://s3.amazonaws.com/echo.api/delayed.pem"),
                );
                v.verify(&h, &b, system_time(now())).await.map(|_| ())
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(server.hits(), 1);
}
