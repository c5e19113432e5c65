//! Issue 15, item 1: a flood of forged chain URLs must not starve genuine verification.
//!
//! A real HTTPS chain server on 127.0.0.1 (the fault server: its own CA, a certificate for
//! `s3.amazonaws.com`, `connect_to` points the download at it), the default cache settings,
//! and an injected clock: ten simulated minutes of one forged request every 200 ms (3 000
//! distinct, well-formed URLs, each a 404 or refused by the budget), with a genuine request
//! every 5 s throughout. Amazon's chain expires half-way and the server then serves the
//! renewed one at the same URL, so one genuine request needs a fresh download while the
//! flood has spent the general download budget. Every genuine request must verify.
//!
//! The flood is bounded by the simulated clock (3 000 requests, about 110 real downloads);
//! it runs in a few seconds. A longer soak: `FLOOD_MINUTES=60 cargo test -p
//! skillgate-verify --test starvation -- --nocapture`.

mod common;
mod faults;

use std::sync::Arc;
use std::time::Duration;

use common::{APP_ID, ca, now, system_time};
use faults::{FaultServer, fault_server};
use http::HeaderValue;
use skillgate_verify::testing::{LeafOptions, TestChain, envelope};
use skillgate_verify::{
    CERT_URL_HEADER, ChainCacheConfig, Check, HttpsChainSource, HttpsChainSourceConfig, Verifier,
    VerifyError,
};
use time::OffsetDateTime;

const GENUINE: &str = "echo-api-cert-current.pem";

fn verifier(server: &FaultServer, trust: &TestChain) -> Verifier {
    let source = HttpsChainSource::new(HttpsChainSourceConfig {
        connect_to: Some(server.addr),
        extra_tls_roots: vec![server.tls_root.clone()],
        connect_timeout: Duration::from_secs(1),
        total_timeout: Duration::from_secs(2),
        ..HttpsChainSourceConfig::default()
    })
    .unwrap();
    let mut config = trust.config([APP_ID]);
    config.cache = ChainCacheConfig::default();
    Verifier::new(config, Arc::new(source)).unwrap()
}

async fn genuine(v: &Verifier, signer: &TestChain, at: OffsetDateTime) -> Result<(), VerifyError> {
    let body = envelope(APP_ID, "IntentRequest", at);
    let mut headers = signer.headers(&body);
    headers.insert(
        CERT_URL_HEADER,
        HeaderValue::try_from(FaultServer::url(GENUINE)).unwrap(),
    );
    v.verify(&headers, &body, system_time(at)).await.map(|_| ())
}

async fn forged(v: &Verifier, n: usize, at: OffsetDateTime) -> VerifyError {
    let body = envelope(APP_ID, "IntentRequest", at);
    let mut headers = http::HeaderMap::new();
    headers.insert(
        CERT_URL_HEADER,
        HeaderValue::try_from(FaultServer::url(&format!("forged-{n}.pem"))).unwrap(),
    );
    headers.insert("Signature-256", HeaderValue::from_static("AAAA"));
    match v.verify(&headers, &body, system_time(at)).await {
        Ok(_) => panic!("a forged request verified"),
        Err(e) => e,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_forged_chain_urls_never_starves_genuine_requests() {
    let minutes: u64 = std::env::var("FLOOD_MINUTES")
        .ok()
        .and_then(|m| m.parse().ok())
        .unwrap_or(10);
    let start = now();
    let expiry = start + time::Duration::seconds((minutes * 30) as i64);
    let old = ca().issue(&LeafOptions {
        not_before: start - time::Duration::days(30),
        not_after: expiry,
        ..LeafOptions::default()
    });
    let renewed = ca().issue(&LeafOptions::default());
    let server = fault_server().await;
    server.serve(GENUINE, old.pem());
    let v = verifier(&server, &old);

    let step = Duration::from_millis(200);
    let requests = (minutes * 60 * 1000 / 200) as usize;
    let mut genuine_ok = 0;
    let mut fresh_downloads_mid_flood = 0;
    let mut switched = false;
    for n in 0..requests {
        let at = start + step * n as u32;
        if !switched && at > expiry {
            // Amazon's chain expired: the same URL now serves the renewed one.
            server.serve(GENUINE, renewed.pem());
            switched = true;
        }
        let err = forged(&v, n, at).await;
        assert_eq!(err.check(), Check::ChainDownload, "forged {n}: {err}");
        if n % 25 == 0 {
            let signer = if switched { &renewed } else { &old };
            let downloads = v.cache().downloads();
            genuine(&v, signer, at).await.unwrap_or_else(|e| {
                panic!("genuine request at +{:?} refused: {e}", step * n as u32)
            });
            genuine_ok += 1;
            if n > 0 && v.cache().downloads() > downloads {
                fresh_downloads_mid_flood += 1;
            }
        }
    }
    assert!(switched);
    assert_eq!(genuine_ok, requests.div_ceil(25));
    assert_eq!(
        fresh_downloads_mid_flood, 1,
        "exactly one genuine request needed a new download (after the expiry)"
    );
    // The flood cost at most the general budget in downloads (5 at once, then 10 a minute),
    // plus the two genuine ones; failures stayed in their own bounded table.
    let budget = 5 + 10 * minutes as usize + 2;
    assert!(server.hits() <= budget, "{} downloads", server.hits());
    assert_eq!(v.cache().validated_len(), 1);
    assert!(v.cache().failures_len() <= ChainCacheConfig::default().max_failures);
    let stats = v.cache().stats();
    assert!(stats.rate_limited > requests as u64 / 2, "{stats:?}");
}
