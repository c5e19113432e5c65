//! Chain-download faults, each against a real local server on 127.0.0.1, through the public
//! `Verifier` / `ChainCache` / `HttpsChainSource` API (`connect_to` points `s3.amazonaws.com`
//! at the local server; TLS still checks that name): refused connection, a server that
//! accepts and never answers, one that trickles bytes, redirects, 404/500, a body far over
//! the cap, chains that are well served but wrong (SAN, dates, self-signed, order), a cached
//! chain that keeps working while the source is broken, and a flood of distinct URLs.
//!
//! Every call runs under a generous outer `tokio::time::timeout` ([`GUARD`]): the claim is
//! that each fault ends in the right error by itself, not how fast.

mod common;
mod faults;

use std::sync::Arc;
use std::time::Duration;

use common::{APP_ID, ca, chain, now, system_time};
use faults::{FaultServer, closed_port, fault_server, silent_listener};
use http::HeaderValue;
use rustls_pki_types::CertificateDer;
use skillgate_verify::testing::{LeafOptions, TestChain, envelope};
use skillgate_verify::{
    CERT_URL_HEADER, ChainCacheConfig, FetchError, HttpsChainSource, HttpsChainSourceConfig,
    VerifiedRequest, Verifier, VerifyError,
};
use time::macros::datetime;

/// Outer bound on every verification: far above the source's own timeouts.
const GUARD: Duration = Duration::from_secs(20);

fn source(
    addr: std::net::SocketAddr,
    tls_root: Option<&CertificateDer<'static>>,
    total: Duration,
) -> HttpsChainSource {
    HttpsChainSource::new(HttpsChainSourceConfig {
        connect_to: Some(addr),
        extra_tls_roots: tls_root.into_iter().cloned().collect(),
        connect_timeout: Duration::from_millis(500).min(total),
        total_timeout: total,
        ..HttpsChainSourceConfig::default()
    })
    .unwrap()
}

/// A verifier trusting the shared test CA, downloading from `server`, with a download
/// burst large enough for every fault of one test.
fn verifier_for(server: &FaultServer, total: Duration) -> Verifier {
    verifier_with(
        server,
        total,
        ChainCacheConfig {
            download_burst: 32,
            ..ChainCacheConfig::default()
        },
    )
}

fn verifier_with(server: &FaultServer, total: Duration, cache: ChainCacheConfig) -> Verifier {
    let mut config = chain().config([APP_ID]);
    config.cache = cache;
    Verifier::new(
        config,
        Arc::new(source(server.addr, Some(&server.tls_root), total)),
    )
    .unwrap()
}

/// Verifies a request signed by `signer` that names `url`, under [`GUARD`].
async fn verify_with(
    v: &Verifier,
    signer: &TestChain,
    url: &str,
) -> Result<VerifiedRequest, VerifyError> {
    let body = envelope(APP_ID, "LaunchRequest", now());
    let mut headers = signer.headers(&body);
    headers.insert(CERT_URL_HEADER, HeaderValue::try_from(url).unwrap());
    tokio::time::timeout(GUARD, v.verify(&headers, &body, system_time(now())))
        .await
        .unwrap_or_else(|_| panic!("verification of {url} did not end within {GUARD:?}"))
}

async fn verify_url(v: &Verifier, url: &str) -> Result<VerifiedRequest, VerifyError> {
    verify_with(v, chain(), url).await
}

#[tokio::test]
async fn a_refused_connection_is_a_transport_error() {
    let v = Verifier::new(
        chain().config([APP_ID]),
        Arc::new(source(closed_port(), None, Duration::from_secs(2))),
    )
    .unwrap();
    let err = verify_url(&v, &FaultServer::url("good.pem"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, VerifyError::Download(FetchError::Transport(_))),
        "{err:?}"
    );
    assert_eq!(err.reason(), "chain_download_failed");
}

#[tokio::test]
async fn a_server_that_accepts_and_never_answers_times_out() {
    // TCP accepted, TLS handshake never answered.
    let (addr, accepted) = silent_listener().await;
    let v = Verifier::new(
        chain().config([APP_ID]),
        Arc::new(source(addr, None, Duration::from_secs(1))),
    )
    .unwrap();
    let err = verify_url(&v, &FaultServer::url("good.pem"))
        .await
        .unwrap_err();
    assert_eq!(err, VerifyError::Download(FetchError::Timeout));
    assert!(accepted.load(std::sync::atomic::Ordering::SeqCst) >= 1);

    // TLS done, request read, response headers never sent.
    let server = fault_server().await;
    let v = verifier_for(&server, Duration::from_secs(1));
    let err = verify_url(&v, &FaultServer::url("hang.pem"))
        .await
        .unwrap_err();
    assert_eq!(err, VerifyError::Download(FetchError::Timeout));
    assert_eq!(server.hits(), 1);
}

#[tokio::test]
async fn a_trickling_body_is_cut_by_the_total_timeout() {
    let server = fault_server().await;
    server.serve("good.pem", chain().pem());
    let v = verifier_for(&server, Duration::from_secs(1));
    // The chain is ~3 KB at one byte per 100 ms: five minutes if nothing cut it.
    let err = verify_url(&v, &FaultServer::url("trickle.pem"))
        .await
        .unwrap_err();
    assert_eq!(err, VerifyError::Download(FetchError::Timeout));
    assert_eq!(err.reason(), "chain_download_timeout");
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let server = fault_server().await;
    server.serve("good.pem", chain().pem());
    let v = verifier_for(&server, Duration::from_secs(4));
    assert_eq!(
        verify_url(&v, &FaultServer::url("moved.pem"))
            .await
            .unwrap_err(),
        VerifyError::Download(FetchError::Status(301))
    );
    assert_eq!(
        verify_url(&v, &FaultServer::url("found.pem"))
            .await
            .unwrap_err(),
        VerifyError::Download(FetchError::Status(302))
    );
    assert_eq!(server.hits(), 2, "good.pem was never requested");
}

#[tokio::test]
async fn not_found_and_server_errors_are_status_errors() {
    let server = fault_server().await;
    let v = verifier_for(&server, Duration::from_secs(4));
    let err = verify_url(&v, &FaultServer::url("missing.pem"))
        .await
        .unwrap_err();
    assert_eq!(err, VerifyError::Download(FetchError::Status(404)));
    assert_eq!(err.reason(), "chain_download_status");
    assert_eq!(
        verify_url(&v, &FaultServer::url("error.pem"))
            .await
            .unwrap_err(),
        VerifyError::Download(FetchError::Status(500))
    );
    // Remembered: the same URL fails fast without a new request.
    assert_eq!(
        verify_url(&v, &FaultServer::url("error.pem"))
            .await
            .unwrap_err(),
        VerifyError::DownloadRecentlyFailed
    );
    assert_eq!(server.hits(), 2);
}

#[tokio::test]
async fn a_body_far_over_the_cap_stops_at_the_cap() {
    let server = fault_server().await;
    // A long total timeout: if the body were read to the end this would be a timeout, not
    // TooLarge.
    let v = verifier_for(&server, Duration::from_secs(15));
    let cap = HttpsChainSourceConfig::default().max_size;
    // 10 MB announced in Content-Length: refused from the header.
    assert_eq!(
        verify_url(&v, &FaultServer::url("huge-declared.pem"))
            .await
            .unwrap_err(),
        VerifyError::Download(FetchError::TooLarge(cap))
    );
    // Chunked, no length, up to 1 GiB: reading stops once the cap is passed.
    assert_eq!(
        verify_url(&v, &FaultServer::url("endless.pem"))
            .await
            .unwrap_err(),
        VerifyError::Download(FetchError::TooLarge(cap))
    );
    // Give the server a moment to notice the hang-up, then check it was not drained: what
    // it handed to the socket is bounded by the socket buffers, far below the 1 GiB offered.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let sent = server
        .endless_sent
        .load(std::sync::atomic::Ordering::SeqCst);
    assert!(sent < 256 * 1024 * 1024, "the server sent {sent} bytes");
}

#[tokio::test]
async fn well_served_but_wrong_chains_are_rejected_at_the_trust_step() {
    let server = fault_server().await;
    let v = verifier_for(&server, Duration::from_secs(4));

    // A valid chain from the trusted CA, for the wrong name.
    let wrong_san = ca().issue(&LeafOptions {
        subject_alt_names: vec!["s3.amazonaws.com".to_owned()],
        ..LeafOptions::default()
    });
    server.serve("wrong-san.pem", wrong_san.pem());
    assert_eq!(
        verify_with(&v, &wrong_san, &FaultServer::url("wrong-san.pem"))
            .await
            .unwrap_err(),
        VerifyError::SubjectName
    );

    // Expired before `now()` (2030-06-01).
    let expired = ca().issue(&LeafOptions {
        not_before: datetime!(2024-01-01 00:00 UTC),
        not_after: datetime!(2025-01-01 00:00 UTC),
        ..LeafOptions::default()
    });
    server.serve("expired.pem", expired.pem());
    let err = verify_with(&v, &expired, &FaultServer::url("expired.pem"))
        .await
        .unwrap_err();
    assert!(matches!(err, VerifyError::CertExpired { .. }), "{err:?}");

    // Self-signed: a single certificate for echo-api.amazon.com, its own issuer.
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).unwrap();
    let params = rcgen::CertificateParams::new(vec!["echo-api.amazon.com".to_owned()]).unwrap();
    let self_signed = params.self_signed(&key).unwrap();
    server.serve("self-signed.pem", self_signed.pem().into_bytes());
    let err = verify_url(&v, &FaultServer::url("self-signed.pem"))
        .await
        .unwrap_err();
    assert!(matches!(err, VerifyError::Untrusted(_)), "{err:?}");

    // A full chain from a CA nobody trusts.
    let stranger = TestChain::generate();
    server.serve("stranger.pem", stranger.pem());
    let err = verify_with(&v, &stranger, &FaultServer::url("stranger.pem"))
        .await
        .unwrap_err();
    assert!(matches!(err, VerifyError::Untrusted(_)), "{err:?}");

    // The right certificates in the wrong order: intermediate first.
    let c = chain();
    server.serve(
        "wrong-order.pem",
        c.pem_of(&[c.intermediate_der(), c.leaf_der()]),
    );
    let err = verify_url(&v, &FaultServer::url("wrong-order.pem"))
        .await
        .unwrap_err();
    // webpki: the first certificate is a CA used as an end entity.
    assert!(matches!(err, VerifyError::Untrusted(_)), "{err:?}");

    // Not PEM at all.
    server.serve("garbage.pem", b"<html>gateway error</html>".to_vec());
    let err = verify_url(&v, &FaultServer::url("garbage.pem"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, VerifyError::ChainPem(_) | VerifyError::ChainEmpty),
        "{err:?}"
    );

    // The same server, a good chain: the faults above were the chains, not the transport.
    server.serve("good.pem", c.pem());
    verify_url(&v, &FaultServer::url("good.pem")).await.unwrap();
}

#[tokio::test]
async fn a_cached_chain_keeps_working_while_the_source_is_broken() {
    let server = fault_server().await;
    server.serve("good.pem", chain().pem());
    server.serve("other.pem", chain().pem());
    let v = verifier_for(&server, Duration::from_secs(4));
    let good = FaultServer::url("good.pem");
    verify_url(&v, &good).await.unwrap();
    assert_eq!(server.hits(), 1);

    server.set_broken(true);
    for _ in 0..3 {
        verify_url(&v, &good).await.unwrap();
    }
    assert_eq!(
        server.hits(),
        1,
        "the cached chain was not downloaded again"
    );
    // A URL that is not cached needs the broken source and fails.
    assert_eq!(
        verify_url(&v, &FaultServer::url("other.pem"))
            .await
            .unwrap_err(),
        VerifyError::Download(FetchError::Status(500))
    );
    // …and that failure did not touch the good entry.
    verify_url(&v, &good).await.unwrap();
}

#[tokio::test]
async fn a_flood_of_distinct_urls_is_rate_limited() {
    let server = fault_server().await;
    let cache = ChainCacheConfig::default();
    let burst = cache.download_burst as usize;
    let v = verifier_with(&server, Duration::from_secs(4), cache);
    let mut downloaded = 0;
    let mut limited = 0;
    // Every request at the same instant: the bucket does not refill during the flood.
    for i in 0..50 {
        match verify_url(&v, &FaultServer::url(&format!("forged-{i}.pem"))).await {
            Err(VerifyError::Download(FetchError::Status(404))) => downloaded += 1,
            Err(VerifyError::DownloadRateLimited) => limited += 1,
            other => panic!("request {i}: {other:?}"),
        }
    }
    assert_eq!(downloaded, burst);
    assert_eq!(limited, 50 - burst);
    assert_eq!(server.hits(), burst, "only the burst reached the server");
    assert_eq!(v.cache().downloads(), burst as u64);
    assert_eq!(
        VerifyError::DownloadRateLimited.reason(),
        "chain_download_rate_limited"
    );
}
