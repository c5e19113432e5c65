//! `skillgate verify --fetch URL` against a real local HTTPS chain server (127.0.0.1, a
//! certificate for s3.amazonaws.com from its own CA, reached with --resolve), with real
//! rcgen chains; and `skillgate verify` naming the certificate that fails trust.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;
use std::time::Duration;

use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use skillgate_verify::testing::{CaOptions, LeafOptions, TestCa, TestChain, envelope};
use time::OffsetDateTime;
use time::macros::datetime;

const URL: &str = "https://s3.amazonaws.com/echo.api/good.pem";

fn pem(der: &CertificateDer<'_>) -> String {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der.as_ref());
    let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap());
        out.push('\n');
    }
    out + "-----END CERTIFICATE-----\n"
}

/// A local HTTPS server for s3.amazonaws.com serving `body` at /echo.api/good.pem (404
/// elsewhere) for up to `connections` connections, in a thread. Returns its address and
/// its TLS root (PEM).
fn chain_server(body: Vec<u8>, connections: usize) -> (SocketAddr, String) {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["s3.amazonaws.com".to_owned()])
        .unwrap()
        .signed_by(&key, &ca)
        .unwrap();
    let config = Arc::new(
        rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::aws_lc_rs::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone()],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        )
        .unwrap(),
    );
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for tcp in listener.incoming().take(connections) {
            let Ok(tcp) = tcp else { continue };
            let _ = tcp.set_read_timeout(Some(Duration::from_secs(5)));
            let _ = tcp.set_write_timeout(Some(Duration::from_secs(5)));
            let Ok(conn) = rustls::ServerConnection::new(Arc::clone(&config)) else {
                continue;
            };
            let mut tls = rustls::StreamOwned::new(conn, tcp);
            let mut head = Vec::new();
            let mut buf = [0u8; 1024];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16 * 1024 {
                match tls.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            let text = String::from_utf8_lossy(&head);
            let path = text.split_whitespace().nth(1).unwrap_or("");
            let (status, payload) = if path == "/echo.api/good.pem" {
                ("200 OK", body.as_slice())
            } else {
                ("404 Not Found", &b""[..])
            };
            let _ = write!(
                tls,
                "HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                payload.len()
            );
            let _ = tls.write_all(payload);
            let _ = tls.flush();
            tls.conn.send_close_notify();
            let _ = tls.flush();
        }
    });
    (addr, pem(ca.der()))
}

fn skillgate(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_skillgate"))
        .args(args)
        .env_remove("SKILLGATE_DATA_DIR")
        .output()
        .unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

struct Fetch {
    dir: tempfile::TempDir,
    addr: SocketAddr,
}

impl Fetch {
    fn serve(chain_pem: Vec<u8>, root: &CertificateDer<'_>, connections: usize) -> Fetch {
        let (addr, tls_root) = chain_server(chain_pem, connections);
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("tls-root.pem"), tls_root).unwrap();
        std::fs::write(dir.path().join("root.pem"), pem(root)).unwrap();
        Fetch { dir, addr }
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }

    fn run(&self, url: &str, extra: &[&str]) -> Output {
        let resolve = format!("s3.amazonaws.com:{}", self.addr);
        let tls_root = self.path("tls-root.pem");
        let mut args = vec![
            "verify",
            "--fetch",
            url,
            "--resolve",
            &resolve,
            "--download-ca",
            &tls_root,
        ];
        args.extend_from_slice(extra);
        skillgate(&args)
    }
}

fn ca() -> TestCa {
    TestCa::generate()
}

#[test]
fn a_chain_expiring_in_10_days_is_trusted_now_but_not_in_30_days() {
    let ca = ca();
    let now = OffsetDateTime::now_utc();
    let chain = ca.issue(&LeafOptions {
        not_before: now - Duration::from_secs(86_400),
        not_after: now + Duration::from_secs(10 * 86_400 + 3600),
        ..LeafOptions::default()
    });
    let fetch = Fetch::serve(chain.pem(), &ca.root_der(), 3);
    let root = fetch.path("root.pem");

    let out = fetch.run(URL, &["--ca", &root]);
    let stdout = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    for expected in [
        "chain https://s3.amazonaws.com/echo.api/good.pem (2 certificate(s))",
        "1 extra anchor(s) from --ca (added for testing",
        "certificate 0 (signing certificate)",
        "  subject:    CN=echo-api.amazon.com",
        "  issuer:     CN=skillgate test intermediate",
        "(10 day(s) left)",
        "  key:        RSA 2048 bits",
        "  DNS names:  echo-api.amazon.com",
        "certificate 1\n  subject:    CN=skillgate test intermediate\n  issuer:     CN=skillgate test root",
        "): TRUSTED",
        "in 30 days (",
        "NOT TRUSTED: signing certificate 0 (CN=echo-api.amazon.com) expired on",
        "(cert_expired)",
        "verdict: trusted now, NOT in 30 days",
    ] {
        assert!(stdout.contains(expected), "{expected:?} in\n{stdout}");
    }
    assert!(stdout.contains("  serial:     "), "{stdout}");

    let out = fetch.run(URL, &["--ca", &root, "--json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["trusted"], false);
    assert_eq!(json["now"]["trusted"], true);
    assert_eq!(json["in_30_days"]["trusted"], false);
    assert_eq!(json["in_30_days"]["reason"], "cert_expired");
    assert_eq!(json["trust_anchors"]["extra"], 1);
    assert_eq!(json["certificates"].as_array().unwrap().len(), 2);
    assert_eq!(json["certificates"][0]["days_left"], 10);
    assert_eq!(
        json["certificates"][0]["dns_names"][0],
        "echo-api.amazon.com"
    );

    // Against the Mozilla roots alone, the test root is an unknown issuer, named.
    let out = fetch.run(URL, &[]);
    let stdout = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("trust anchors: Mozilla roots (webpki-roots)\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "NOT TRUSTED: chain is not trusted: certificate 1 (CN=skillgate test intermediate): \
             unknown issuer CN=skillgate test root"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("(chain_untrusted)"), "{stdout}");
}

#[test]
fn a_healthy_chain_exits_0_and_failures_have_their_own_codes() {
    let ca = ca();
    let chain = ca.issue(&LeafOptions {
        not_before: OffsetDateTime::now_utc() - Duration::from_secs(86_400),
        ..LeafOptions::default()
    });
    let fetch = Fetch::serve(chain.pem(), &ca.root_der(), 2);
    let root = fetch.path("root.pem");
    let out = fetch.run(URL, &["--ca", &root]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("verdict: trusted now and in 30 days"));

    // 404: the download failed.
    let out = fetch.run(
        "https://s3.amazonaws.com/echo.api/missing.pem",
        &["--ca", &root],
    );
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(text(&out).contains("HTTP 404"), "{}", text(&out));

    // The URL rules apply before anything is fetched.
    let out = fetch.run("https://example.com/echo.api/good.pem", &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("breaks the chain URL rules"),
        "{}",
        text(&out)
    );
    let out = skillgate(&[
        "verify",
        "--fetch",
        URL,
        "--resolve",
        "example.com:127.0.0.1:1",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path.display().to_string()
}

/// `skillgate verify` of a request signed with `chain`, at `at`, trusting `root`.
fn verify_offline(chain: &TestChain, root: &CertificateDer<'_>, at: &str) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let body = envelope(
        "amzn1.ask.skill.test",
        "LaunchRequest",
        datetime!(2026-01-05 00:00 UTC),
    );
    let headers = chain.headers(&body);
    let mut args: Vec<String> = vec![
        "verify".into(),
        "--body".into(),
        write(dir.path(), "body.json", &body),
        "--chain".into(),
        write(dir.path(), "chain.pem", chain.pem()),
        "--trust-anchor".into(),
        write(dir.path(), "root.pem", pem(root)),
        "--at".into(),
        at.into(),
    ];
    for (name, value) in &headers {
        args.push("--header".into());
        args.push(format!("{name}: {}", value.to_str().unwrap()));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    skillgate(&args)
}

#[test]
fn verify_names_an_expired_intermediate_and_its_date() {
    let old = TestCa::generate_with(&CaOptions {
        intermediate_name: "chainwatch expired intermediate".to_owned(),
        intermediate_not_after: datetime!(2025-10-19 23:59:59 UTC),
        ..CaOptions::default()
    });
    let chain = old.issue(&LeafOptions::default());
    let out = verify_offline(&chain, &old.root_der(), "2026-01-05T00:00:00Z");
    let stdout = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains(
            "FAIL chain_dates: certificate 1 (CN=chainwatch expired intermediate) expired on \
             2025-10-19 23:59:59 UTC (unix 1760918399) (cert_expired)"
        ),
        "{stdout}"
    );
    // The same chain before that date passes.
    let out = verify_offline(&chain, &old.root_der(), "2025-10-19T23:59:00Z");
    assert!(text(&out).contains("PASS chain_trust"), "{}", text(&out));
}
