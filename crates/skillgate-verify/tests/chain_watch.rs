//! The chain watch and precise trust failures, against a real local HTTPS chain server
//! (127.0.0.1, `s3.amazonaws.com` certificate from its own CA) and real rcgen chains: a
//! chain expiring in 10 days warns, a URL re-issued by another CA with another key warns
//! naming old and new, an expired intermediate and an unknown issuer are named.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use common::{ChainServer, ca, chain_server};
use rustls_pki_types::{CertificateDer, UnixTime};
use skillgate_verify::chain::parse_pem;
use skillgate_verify::testing::{CaOptions, LeafOptions, TestCa};
use skillgate_verify::{
    CertChainUrl, ChainCache, HttpsChainSource, HttpsChainSourceConfig, TrustFailureReason,
    TrustStore, ValidatedChain, VerifyError,
};
use time::OffsetDateTime;
use time::macros::datetime;

const URL: &str = "https://s3.amazonaws.com/echo.api/good.pem";
const DAY: u64 = 86_400;

/// Log lines written while the guard lives (this thread: the tests run on a current-thread
/// runtime, so the cache's download future logs here).
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
    fn install(&self) -> tracing::subscriber::DefaultGuard {
        let writer = self.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::set_default(subscriber)
    }
}

fn cache_for(server: &ChainServer) -> ChainCache {
    let source = HttpsChainSource::new(HttpsChainSourceConfig {
        connect_to: Some(server.addr),
        extra_tls_roots: vec![server.tls_root.clone()],
        ..HttpsChainSourceConfig::default()
    })
    .unwrap();
    ChainCache::new(Arc::new(source))
}

fn secs(t: SystemTime) -> i64 {
    t.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs() as i64
}

fn leaf_until(not_after: SystemTime) -> LeafOptions {
    LeafOptions {
        not_before: OffsetDateTime::now_utc() - Duration::from_secs(DAY),
        not_after: OffsetDateTime::from(not_after),
        ..LeafOptions::default()
    }
}

#[tokio::test]
async fn a_chain_expiring_in_10_days_warns_once_with_url_issuer_and_days_left() {
    let now = SystemTime::now();
    let expiry = now + Duration::from_secs(10 * DAY + 3600);
    let chain = ca().issue(&leaf_until(expiry));
    let server = chain_server(chain.pem()).await;
    let cache = cache_for(&server);
    let trust = Arc::new(TrustStore::new(&[ca().root_der()]).unwrap());
    let url = CertChainUrl::parse(URL).unwrap();

    let log = Captured::default();
    let _guard = log.install();
    cache.get(&trust, &url, now).await.unwrap();
    let text = log.text();
    assert!(text.contains("expires soon"), "{text}");
    assert!(text.contains(&format!("url={URL}")), "{text}");
    assert!(
        text.contains("issuer=CN=skillgate test intermediate"),
        "{text}"
    );
    assert!(text.contains("days_left=10"), "{text}");
    assert!(
        text.contains("signing certificate 0 (CN=echo-api.amazon.com)"),
        "{text}"
    );

    let watched = cache.watch().snapshot();
    assert_eq!(watched.len(), 1);
    assert_eq!(watched[0].url, URL);
    assert_eq!(watched[0].identity.issuer, "CN=skillgate test intermediate");
    assert_eq!(watched[0].identity.subject, "CN=echo-api.amazon.com");
    assert_eq!(watched[0].identity.key_sha256.len(), 64);
    let left = watched[0].identity.not_after - secs(now);
    assert!(
        (10 * DAY as i64..=10 * DAY as i64 + 3600).contains(&left),
        "{left}"
    );

    // Cache hits and later checks do not warn again.
    cache.get(&trust, &url, now).await.unwrap();
    assert!(cache.watch().check_expiry(secs(now) + 60).is_empty());
    assert_eq!(log.text().matches("expires soon").count(), 1);
    assert_eq!(server.hits(), 1);
}

#[tokio::test]
async fn a_url_reissued_by_another_ca_with_another_key_warns_naming_old_and_new() {
    let now = SystemTime::now();
    let first = ca().issue(&leaf_until(now + Duration::from_secs(2 * DAY)));
    let other = TestCa::generate_with(&CaOptions {
        root_name: "chainwatch other root".to_owned(),
        intermediate_name: "chainwatch other intermediate".to_owned(),
        ..CaOptions::default()
    });
    let second = other.issue(&LeafOptions::default());
    let server = chain_server(first.pem()).await;
    let cache = cache_for(&server);
    let trust = Arc::new(TrustStore::new(&[ca().root_der(), other.root_der()]).unwrap());
    let url = CertChainUrl::parse(URL).unwrap();

    let log = Captured::default();
    let _guard = log.install();
    cache.get(&trust, &url, now).await.unwrap();
    let before = cache.watch().snapshot()[0].identity.clone();
    assert!(!log.text().contains("changed"), "{}", log.text());

    // Amazon re-issues at the same URL; the cached chain runs out and is fetched again.
    server.set_pem(second.pem());
    let later = now + Duration::from_secs(3 * DAY);
    cache.get(&trust, &url, later).await.unwrap();
    assert_eq!(server.hits(), 2);
    let text = log.text();
    assert!(
        text.contains("Alexa signing chain issuer changed"),
        "{text}"
    );
    assert!(
        text.contains("old_issuer=CN=skillgate test intermediate"),
        "{text}"
    );
    assert!(
        text.contains("new_issuer=CN=chainwatch other intermediate"),
        "{text}"
    );
    assert!(text.contains("Alexa signing key changed"), "{text}");
    let watched = &cache.watch().snapshot()[0];
    assert_eq!(watched.previous.as_ref(), Some(&before));
    assert!(
        text.contains(&format!("old_key_sha256={}", before.key_sha256)),
        "{text}"
    );
    assert!(
        text.contains(&format!("new_key_sha256={}", watched.identity.key_sha256)),
        "{text}"
    );
    assert_ne!(watched.identity.key_sha256, before.key_sha256);
}

#[tokio::test]
async fn an_expired_intermediate_is_named_with_its_date() {
    let old = TestCa::generate_with(&CaOptions {
        intermediate_name: "chainwatch expired intermediate".to_owned(),
        intermediate_not_after: datetime!(2025-10-19 23:59:59 UTC),
        ..CaOptions::default()
    });
    let chain = old.issue(&LeafOptions::default());
    let server = chain_server(chain.pem()).await;
    let cache = cache_for(&server);
    let trust = Arc::new(TrustStore::new(&[old.root_der()]).unwrap());
    let url = CertChainUrl::parse(URL).unwrap();
    let at = SystemTime::from(datetime!(2026-01-05 00:00 UTC));
    let err = cache.get(&trust, &url, at).await.unwrap_err();
    match &err {
        VerifyError::CertExpired { cert, not_after } => {
            assert_eq!(*not_after, 1_760_918_399);
            let cert = cert.as_deref().expect("the certificate is named");
            assert_eq!(cert.index, 1);
            assert_eq!(cert.subject, "CN=chainwatch expired intermediate");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(err.reason(), "cert_expired");
    assert_eq!(
        err.to_string(),
        "certificate 1 (CN=chainwatch expired intermediate) expired on 2025-10-19 23:59:59 UTC \
         (unix 1760918399)"
    );
}

fn validate(
    certs: &[CertificateDer<'static>],
    anchors: &[CertificateDer<'static>],
    at: OffsetDateTime,
) -> VerifyError {
    let trust = TrustStore::new(anchors).unwrap();
    let unix = UnixTime::since_unix_epoch(Duration::from_secs(at.unix_timestamp() as u64));
    ValidatedChain::validate(certs, &trust, unix).unwrap_err()
}

#[test]
fn an_unknown_issuer_is_named() {
    let chain = common::chain();
    let certs = parse_pem(&chain.pem()).unwrap();
    let at = common::now();
    // The test root is not trusted: the intermediate's issuer is unknown.
    let err = validate(&certs, &[], at);
    assert_eq!(err.reason(), "chain_untrusted");
    let VerifyError::Untrusted(failure) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(failure.cert.as_ref().map(|c| c.index), Some(1));
    assert_eq!(
        failure.reason,
        TrustFailureReason::UnknownIssuer {
            issuer: "CN=skillgate test root".to_owned()
        }
    );
    assert_eq!(
        err.to_string(),
        "chain is not trusted: certificate 1 (CN=skillgate test intermediate): unknown issuer \
         CN=skillgate test root: neither in the chain nor a trusted root"
    );
    // Without its intermediate, the signing certificate's issuer is the unknown one.
    let err = validate(&certs[..1], &[chain.root_der().clone()], at);
    assert!(
        err.to_string().contains(
            "signing certificate 0 (CN=echo-api.amazon.com): unknown issuer \
             CN=skillgate test intermediate"
        ),
        "{err}"
    );
}

#[test]
fn a_signing_certificate_not_yet_valid_is_named() {
    let chain = ca().issue(&LeafOptions {
        not_before: datetime!(2031-01-01 00:00 UTC),
        ..LeafOptions::default()
    });
    let certs = parse_pem(&chain.pem()).unwrap();
    let err = validate(&certs, &[ca().root_der()], common::now());
    assert_eq!(err.reason(), "cert_not_yet_valid");
    assert_eq!(
        err.to_string(),
        "signing certificate 0 (CN=echo-api.amazon.com) is not valid before 2031-01-01 00:00:00 \
         UTC (unix 1924992000)"
    );
}
