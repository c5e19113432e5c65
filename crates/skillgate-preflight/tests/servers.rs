//! preflight against deliberately wrong servers on 127.0.0.1: each fails with the right
//! checks named, and nothing else. (skillgate itself is checked in
//! `crates/skillgate-cli/tests/preflight_e2e.rs`.)

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use rcgen::{CertificateParams, KeyPair};
use rustls_pki_types::pem::PemObject as _;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use skillgate_preflight::cases::Case;
use skillgate_preflight::{Options, Outcome, Report, Trust};

const HOST: &str = "skill.test";

/// A self-signed certificate for `name`, valid from `from` to `to` days from now.
struct Cert {
    der: CertificateDer<'static>,
    cert_pem: String,
    key_pem: String,
}

fn cert(name: &str, from_days: i64, to_days: i64) -> Cert {
    let key = KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).unwrap();
    let mut params = CertificateParams::new(vec![name.to_string()]).unwrap();
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now + time::Duration::days(from_days);
    params.not_after = now + time::Duration::days(to_days);
    let cert = params.self_signed(&key).unwrap();
    Cert {
        der: cert.der().clone(),
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
    }
}

/// How a stub server answers POSTs.
#[derive(Clone)]
enum Behavior {
    /// Verifies `Signature-256` with this RSA public key (PKCS#1 DER) and nothing else:
    /// 400 when it does not verify, 200 otherwise.
    SignatureOnly(Arc<Vec<u8>>),
    /// 400 to everything: rejects every case (as a server checking only signatures would).
    RejectAll,
    /// 200 with a response envelope to everything.
    AcceptAll,
    /// 400 without signature headers, 500 (a crash in its verifier) otherwise.
    ServerErrors,
}

/// A TLS 1.2/1.3 HTTP/1.1 server on 127.0.0.1 with `cert`, answering per `behavior`.
/// It stops when the test's runtime ends.
async fn stub(cert: &Cert, behavior: Behavior) -> SocketAddr {
    let chain = vec![cert.der.clone()];
    let key = PrivateKeyDer::from_pem_slice(cert.key_pem.as_bytes()).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(chain, key)
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            let acceptor = acceptor.clone();
            let behavior = behavior.clone();
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let service = service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                    let signed = req.headers().contains_key("signature-256");
                    let behavior = behavior.clone();
                    async move {
                        let (status, body) = match behavior {
                            Behavior::SignatureOnly(key) => {
                                let sig = req
                                    .headers()
                                    .get("signature-256")
                                    .and_then(|v| v.to_str().ok())
                                    .and_then(|v| {
                                        use base64::Engine as _;
                                        base64::engine::general_purpose::STANDARD.decode(v).ok()
                                    });
                                let body = req.into_body().collect().await.map(|b| b.to_bytes());
                                let ok = match (sig, body) {
                                    (Some(sig), Ok(body)) => {
                                        aws_lc_rs::signature::UnparsedPublicKey::new(
                                            &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
                                            key.as_slice(),
                                        )
                                        .verify(&body, &sig)
                                        .is_ok()
                                    }
                                    _ => false,
                                };
                                if ok {
                                    (200, r#"{"version":"1.0","response":{}}"#.to_string())
                                } else {
                                    (400, String::new())
                                }
                            }
                            Behavior::RejectAll => (400, String::new()),
                            Behavior::AcceptAll => (
                                200,
                                r#"{"version":"1.0","response":{"shouldEndSession":true}}"#
                                    .to_string(),
                            ),
                            Behavior::ServerErrors if !signed => (400, String::new()),
                            Behavior::ServerErrors => (500, "internal error".into()),
                        };
                        hyper::Response::builder()
                            .status(status)
                            .body(Full::new(Bytes::from(body)))
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(tls), service)
                    .await;
            });
        }
    });
    addr
}

fn options(addr: SocketAddr, trust: Trust) -> Options {
    let mut o = Options::new(format!("https://{HOST}/alexa"));
    o.resolve = Some(format!("{HOST}:{addr}"));
    o.trust = trust;
    o.timeout = Duration::from_secs(5);
    o
}

fn failed(report: &Report) -> Vec<&'static str> {
    let mut f = report.failed();
    f.sort_unstable();
    f
}

fn rejection_ids() -> Vec<&'static str> {
    Case::all(false).into_iter().map(Case::id).collect()
}

#[tokio::test]
async fn a_server_that_rejects_everything_passes_and_the_mozilla_check_catches_self_signed() {
    let c = cert(HOST, -1, 90);
    let addr = stub(&c, Behavior::RejectAll).await;
    let report = skillgate_preflight::run(&options(addr, Trust::SelfSigned(c.der.clone())))
        .await
        .unwrap();
    assert!(report.passed, "{}", report.render());
    for id in rejection_ids() {
        assert_eq!(report.check(id).unwrap().outcome, Outcome::Pass, "{id}");
    }
    let legacy = report.check("tls_legacy_refused").unwrap();
    assert!(
        legacy.detail.contains("TLS 1.0: refused (alert")
            && legacy.detail.contains("TLS 1.1: refused (alert"),
        "{}",
        legacy.detail
    );
    assert!(
        report
            .check("tls_expiry")
            .unwrap()
            .detail
            .contains("days left")
    );

    let report = skillgate_preflight::run(&options(addr, Trust::Mozilla))
        .await
        .unwrap();
    assert_eq!(failed(&report), ["tls_chain"], "{}", report.render());
    let chain = report.check("tls_chain").unwrap();
    assert!(chain.detail.contains("Mozilla"), "{}", chain.detail);

    // Another certificate than the one pinned.
    let other = cert(HOST, -1, 90);
    let report = skillgate_preflight::run(&options(addr, Trust::SelfSigned(other.der)))
        .await
        .unwrap();
    assert_eq!(failed(&report), ["tls_chain"], "{}", report.render());
}

#[tokio::test]
async fn a_server_that_accepts_everything_fails_every_rejection_case() {
    let c = cert(HOST, -1, 90);
    let addr = stub(&c, Behavior::AcceptAll).await;
    let report = skillgate_preflight::run(&options(addr, Trust::SelfSigned(c.der.clone())))
        .await
        .unwrap();
    assert!(!report.passed);
    let mut expected = rejection_ids();
    expected.sort_unstable();
    assert_eq!(failed(&report), expected, "{}", report.render());
    let check = report.check("no_signature_headers").unwrap();
    assert!(check.detail.contains("200 (accepted"), "{}", check.detail);
    let text = report.render();
    assert!(
        text.contains("means: the endpoint answers requests that are not signed"),
        "{text}"
    );
}

#[tokio::test]
async fn a_server_answering_500_fails_every_signed_case() {
    let c = cert(HOST, -1, 90);
    let addr = stub(&c, Behavior::ServerErrors).await;
    let report = skillgate_preflight::run(&options(addr, Trust::SelfSigned(c.der.clone())))
        .await
        .unwrap();
    let mut expected: Vec<_> = rejection_ids()
        .into_iter()
        .filter(|id| *id != "no_signature_headers")
        .collect();
    expected.sort_unstable();
    assert_eq!(failed(&report), expected, "{}", report.render());
    let check = report.check("body_not_json").unwrap();
    assert!(
        check.detail.contains("500 (server error"),
        "{}",
        check.detail
    );
}

#[tokio::test]
async fn a_server_checking_only_signatures_passes_unsigned_but_not_dev_ca_preflight() {
    let c = cert(HOST, -1, 90);
    let ca = skillgate_devtools::dev_ca::DevCa::generate(time::OffsetDateTime::now_utc()).unwrap();
    let signer = ca.signer().unwrap();
    let key = Arc::new(signer.public_key_der().to_vec());
    let addr = stub(&c, Behavior::SignatureOnly(key)).await;

    // Without a key nobody can sign for: every case is rejected on its signature alone.
    let report = skillgate_preflight::run(&options(addr, Trust::SelfSigned(c.der.clone())))
        .await
        .unwrap();
    assert!(report.passed, "{}", report.render());

    // With the development CA the missing rules show.
    let mut o = options(addr, Trust::SelfSigned(c.der.clone()));
    o.signer = Some(signer);
    let report = skillgate_preflight::run(&o).await.unwrap();
    let mut expected = vec![
        "body_not_json",
        "cert_url_case",
        "cert_url_dot_segment",
        "cert_url_host",
        "cert_url_path",
        "cert_url_port",
        "cert_url_scheme",
        "foreign_application_id",
        "timestamp_outside_150s",
    ];
    expected.sort_unstable();
    assert_eq!(failed(&report), expected, "{}", report.render());
    for id in [
        "valid_dev_ca_request",
        "wrong_signature_dev_chain",
        "no_signature_headers",
    ] {
        assert_eq!(report.check(id).unwrap().outcome, Outcome::Pass, "{id}");
    }
    assert!(
        !report
            .check("timestamp_outside_150s")
            .unwrap()
            .indistinguishable
    );
    assert!(report.check("cert_url_host").unwrap().indistinguishable);
}

#[tokio::test]
async fn an_expired_certificate_fails_the_expiry_check_only() {
    let c = cert(HOST, -60, -2);
    let addr = stub(&c, Behavior::RejectAll).await;
    let report = skillgate_preflight::run(&options(addr, Trust::SelfSigned(c.der.clone())))
        .await
        .unwrap();
    assert_eq!(failed(&report), ["tls_expiry"], "{}", report.render());
    let check = report.check("tls_expiry").unwrap();
    assert!(
        check.detail.contains("expired 2 days ago"),
        "{}",
        check.detail
    );
}

#[tokio::test]
async fn a_certificate_for_another_name_fails_the_name_check_only() {
    let c = cert("other.test", -1, 90);
    let addr = stub(&c, Behavior::RejectAll).await;
    let report = skillgate_preflight::run(&options(addr, Trust::SelfSigned(c.der.clone())))
        .await
        .unwrap();
    assert_eq!(failed(&report), ["tls_name"], "{}", report.render());
    assert!(
        report
            .check("tls_name")
            .unwrap()
            .detail
            .contains("not valid for skill.test")
    );
}

#[tokio::test]
async fn nothing_listening_fails_reachability_and_skips_the_rest() {
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = free.local_addr().unwrap();
    drop(free);
    let mut o = options(addr, Trust::Mozilla);
    o.url = format!("https://{HOST}:8443/alexa");
    let report = skillgate_preflight::run(&o).await.unwrap();
    assert!(!report.passed);
    for id in ["tls_port_443", "tls_reachable"] {
        assert_eq!(report.check(id).unwrap().outcome, Outcome::Fail, "{id}");
    }
    for id in [
        "tls_chain",
        "no_signature_headers",
        "foreign_application_id",
    ] {
        assert_eq!(report.check(id).unwrap().outcome, Outcome::Skipped, "{id}");
    }
}

/// `openssl s_server` speaking TLS 1.0 to 1.3 (security level 0 so that 1.0 is allowed).
struct OpenSsl {
    child: Child,
    _dir: tempfile::TempDir,
}

impl Drop for OpenSsl {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn openssl_legacy_server(c: &Cert) -> (OpenSsl, SocketAddr) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("cert.pem"), &c.cert_pem).unwrap();
    std::fs::write(dir.path().join("key.pem"), &c.key_pem).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new("openssl")
        .args(["s_server", "-accept"])
        .arg(format!("127.0.0.1:{port}"))
        .arg("-cert")
        .arg(dir.path().join("cert.pem"))
        .arg("-key")
        .arg(dir.path().join("key.pem"))
        .args([
            "-min_protocol",
            "TLSv1",
            "-cipher",
            "DEFAULT@SECLEVEL=0",
            "-www",
            "-quiet",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("this test needs the openssl command (Debian package openssl)");
    let server = OpenSsl { child, _dir: dir };
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let start = Instant::now();
    while std::net::TcpStream::connect(addr).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "openssl s_server did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    (server, addr)
}

#[tokio::test]
async fn a_server_speaking_tls_1_0_fails_the_legacy_check() {
    let c = cert(HOST, -1, 90);
    let (_server, addr) = openssl_legacy_server(&c);
    // `s_server -www` answers GET only: the request cases are not its point.
    let mut o = options(addr, Trust::SelfSigned(c.der.clone()));
    o.tls_only = true;
    let report = skillgate_preflight::run(&o).await.unwrap();
    assert!(report.check("no_signature_headers").is_none());
    let legacy = report.check("tls_legacy_refused").unwrap();
    assert_eq!(legacy.outcome, Outcome::Fail, "{}", report.render());
    assert!(
        legacy
            .detail
            .contains("TLS 1.0: accepted (ServerHello version 0x0301)"),
        "{}",
        legacy.detail
    );
    assert!(
        legacy
            .detail
            .contains("TLS 1.1: accepted (ServerHello version 0x0302)"),
        "{}",
        legacy.detail
    );
    // The rest of its TLS is fine: the failure is named precisely.
    for id in [
        "tls_reachable",
        "tls_1_2",
        "tls_chain",
        "tls_name",
        "tls_expiry",
    ] {
        assert_eq!(
            report.check(id).unwrap().outcome,
            Outcome::Pass,
            "{id}: {}",
            report.render()
        );
    }
}
