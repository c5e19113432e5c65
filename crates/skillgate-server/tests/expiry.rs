//! Expiry watch of a real server on 127.0.0.1: its own certificate (files expiring in 5
//! days: gauge from a real /metrics scrape, the 7-day warning in the log, updated on
//! reload), the signing chain in use (expiring in 10 days: gauge and warning), and a
//! refusal naming an expired intermediate and its date. Logs are captured by a tracing
//! subscriber installed for this test binary.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use skillgate_server::config::Config;
use skillgate_server::testing::{self, CapturedLog};
use skillgate_verify::testing::{
    CaOptions, LeafOptions, TEST_CHAIN_URL, TestCa, TestChain, signed_request,
};
use time::OffsetDateTime;
use time::macros::datetime;

const DAY: f64 = 86_400.0;

/// Everything logged by this test binary.
fn log() -> String {
    static LOG: OnceLock<CapturedLog> = OnceLock::new();
    let captured = LOG.get_or_init(|| {
        let captured = CapturedLog::default();
        let writer = captured.clone();
        tracing_subscriber::fmt()
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .init();
        captured
    });
    String::from_utf8_lossy(&captured.0.lock().unwrap()).into_owned()
}

/// The value of the series of `metric` whose labels contain `labels`.
fn gauge(metrics: &str, metric: &str, labels: &str) -> f64 {
    metrics
        .lines()
        .find(|l| l.starts_with(&format!("{metric}{{")) && l.contains(labels))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no {metric} with {labels} in\n{metrics}"))
}

fn demo() -> Config {
    let mut config = Config::demo();
    config.listen = "127.0.0.1:0".parse().unwrap();
    config
}

/// A self-signed certificate for `name` valid until `not_after`, written as cert.pem and
/// key.pem under `dir`.
fn own_certificate(dir: &std::path::Path, name: &str, not_after: OffsetDateTime) {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec![name.to_owned()]).unwrap();
    params.not_before = OffsetDateTime::now_utc() - Duration::from_secs(86_400);
    params.not_after = not_after;
    let cert = params.self_signed(&key).unwrap();
    std::fs::write(dir.join("cert.pem"), cert.pem()).unwrap();
    std::fs::write(dir.join("key.pem"), key.serialize_pem()).unwrap();
}

#[tokio::test]
async fn own_certificate_expiring_in_5_days_is_a_gauge_and_a_7_day_warning() {
    log();
    let files = tempfile::tempdir().unwrap();
    let name = "soon.skillgate.test";
    let now = OffsetDateTime::now_utc();
    own_certificate(files.path(), name, now + Duration::from_secs(5 * 86_400));
    let mut config = demo();
    config.tls.cert = Some(files.path().join("cert.pem"));
    config.tls.key = Some(files.path().join("key.pem"));
    // Only the explicit reload below (what SIGHUP does) may pick up the renewed files: with
    // the poller on, it could reload them first and the explicit reload would find nothing
    // changed (seen once in a clean-clone run on the loaded machine).
    config.tls.reload_interval_secs = 0;
    let server = testing::start_with(config, |b| {
        b.native_skill("home", skillgate_example_home::skill())
    })
    .await;

    let labels = format!("name=\"{name}\"");
    let metric = "skillgate_tls_certificate_expiry_seconds";
    // The check at start runs in the server's task: wait for it (bounded).
    let mut text = String::new();
    for _ in 0..50 {
        text = server.metrics().await;
        if text.contains(&labels) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let left = gauge(&text, metric, &labels);
    assert!((5.0 * DAY - 120.0..=5.0 * DAY).contains(&left), "{left}");
    let logged = log();
    let warning = logged
        .lines()
        .find(|l| l.contains("expires in less than 7 day(s)") && l.contains(name))
        .unwrap_or_else(|| panic!("no 7-day warning in\n{logged}"));
    assert!(warning.contains("WARN"), "{warning}");
    assert!(
        warning.contains("days_left=4") || warning.contains("days_left=5"),
        "{warning}"
    );
    // One warning for the most severe threshold crossed, not one per threshold.
    assert!(
        !logged
            .lines()
            .any(|l| l.contains("expires in less than 30 day(s)") && l.contains(name)),
        "{logged}"
    );

    // Renewed on disk, reloaded (as on SIGHUP): the gauge follows, the new certificate
    // with 20 days left gets its own 30-day warning.
    own_certificate(files.path(), name, now + Duration::from_secs(20 * 86_400));
    assert!(server.handle.reload_certificates().unwrap());
    let left = gauge(&server.metrics().await, metric, &labels);
    assert!((20.0 * DAY - 120.0..=20.0 * DAY).contains(&left), "{left}");
    let logged = log();
    assert!(
        logged
            .lines()
            .any(|l| l.contains("expires in less than 30 day(s)") && l.contains(name)),
        "{logged}"
    );
    assert_eq!(
        logged
            .lines()
            .filter(|l| l.contains("expires in less than 7 day(s)") && l.contains(name))
            .count(),
        1
    );
    server.stop().await;
}

/// A signed LaunchRequest over `chain` to the server's /alexa.
async fn post(server: &testing::TestServer, chain: &TestChain) -> u16 {
    let (headers, body) = signed_request(chain, "amzn1.ask.skill.expiry", "LaunchRequest");
    testing::post(server, headers, body).await
}

/// The demo configuration's server trusting `ca`'s root, with `chain` at the test chain URL.
async fn start_trusting(ca: &TestCa, chain: &TestChain) -> testing::TestServer {
    let root = ca.root_der();
    let source = Arc::new(chain.source());
    testing::start_with(demo(), move |b| {
        b.native_skill("home", skillgate_example_home::skill())
            .trust_anchor(root)
            .chain_source(source)
    })
    .await
}

#[tokio::test]
async fn a_signing_chain_expiring_in_10_days_is_a_gauge_and_a_warning() {
    log();
    let ca = TestCa::generate_with(&CaOptions {
        intermediate_name: "expiry test intermediate".to_owned(),
        ..CaOptions::default()
    });
    let now = OffsetDateTime::now_utc();
    let chain = ca.issue(&LeafOptions {
        not_before: now - Duration::from_secs(86_400),
        not_after: now + Duration::from_secs(10 * 86_400),
        ..LeafOptions::default()
    });
    let server = start_trusting(&ca, &chain).await;
    assert_eq!(post(&server, &chain).await, 200);

    let text = server.metrics().await;
    let left = gauge(
        &text,
        "skillgate_signing_chain_expiry_seconds",
        &format!("url=\"{TEST_CHAIN_URL}\",issuer=\"CN=expiry test intermediate\""),
    );
    assert!((10.0 * DAY - 120.0..=10.0 * DAY).contains(&left), "{left}");
    let logged = log();
    assert!(
        logged
            .lines()
            .any(|l| l.contains("Alexa signing chain expires soon")
                && l.contains("issuer=CN=expiry test intermediate")
                && l.contains(&format!("url={TEST_CHAIN_URL}"))),
        "{logged}"
    );
    server.stop().await;
}

#[tokio::test]
async fn a_refusal_names_the_expired_intermediate_and_its_date() {
    log();
    let ca = TestCa::generate_with(&CaOptions {
        intermediate_name: "refusal test expired intermediate".to_owned(),
        intermediate_not_after: datetime!(2025-10-19 23:59:59 UTC),
        ..CaOptions::default()
    });
    let chain = ca.issue(&LeafOptions::default());
    let server = start_trusting(&ca, &chain).await;
    assert_eq!(post(&server, &chain).await, 400);
    let logged = log();
    let line = logged
        .lines()
        .find(|l| l.contains("request refused") && l.contains("refusal test expired"))
        .unwrap_or_else(|| panic!("no refusal in\n{logged}"));
    assert!(
        line.contains("reason=\"cert_expired\"") || line.contains("reason=cert_expired"),
        "{line}"
    );
    assert!(
        line.contains(
            "certificate 1 (CN=refusal test expired intermediate) expired on 2025-10-19 \
             23:59:59 UTC"
        ),
        "{line}"
    );
    server.stop().await;
}
