//! The HTTPS edge against a real TLS server on 127.0.0.1: the server's self-signed
//! certificate is trusted only when named (or with `insecure`), and the body that arrives is
//! exactly the signed one.

use std::sync::Arc;
use std::time::Duration;

use aws_lc_rs::signature::{RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey};
use base64::Engine as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use skillgate_devtools::Error;
use skillgate_devtools::client::{Client, TrustOptions};
use skillgate_devtools::dev_ca::DevCa;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A one-connection-at-a-time HTTPS server answering every request with `answer`; returns
/// its port, its certificate PEM, and a channel of the raw requests it received.
async fn server(answer: &'static str) -> (u16, String, tokio::sync::mpsc::Receiver<Vec<u8>>) {
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["localhost".into(), "127.0.0.1".into()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![CertificateDer::from(cert.der().to_vec())],
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
    )
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = tokio::sync::mpsc::channel(8);
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let Ok(mut tls) = acceptor.accept(tcp).await else {
                continue; // the client refused our certificate
            };
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            // Read the head, then Content-Length bytes of body.
            let request = loop {
                let n = tls.read(&mut chunk).await.unwrap_or(0);
                if n == 0 {
                    break None;
                }
                buf.extend_from_slice(&chunk[..n]);
                let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
                    continue;
                };
                let head = String::from_utf8_lossy(&buf[..end]).to_lowercase();
                let len: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(0);
                if buf.len() >= end + 4 + len {
                    break Some(buf.clone());
                }
            };
            let Some(request) = request else { continue };
            let response = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
                answer.len()
            );
            let _ = tls.write_all(response.as_bytes()).await;
            let _ = tls.shutdown().await;
            let _ = tx.send(request).await;
        }
    });
    (port, cert.pem(), rx)
}

const ANSWER: &str =
    r#"{"version":"1.0","response":{"outputSpeech":{"type":"PlainText","text":"hi"}}}"#;

#[tokio::test]
async fn trusts_only_the_named_certificate_and_sends_the_signed_bytes() {
    let (port, pem, mut requests) = server(ANSWER).await;
    let dir = tempfile::tempdir().unwrap();
    let cert_path = dir.path().join("cert.pem");
    std::fs::write(&cert_path, &pem).unwrap();
    let url = format!("https://127.0.0.1:{port}/alexa");
    let ca = DevCa::generate(time::OffsetDateTime::now_utc()).unwrap();
    let signer = ca.signer().unwrap();
    let body = br#"{"version":"1.0","request":{"type":"LaunchRequest"}}"#.to_vec();
    let headers = signer.sign(&body).unwrap();
    let timeout = Some(Duration::from_secs(5));

    // Not named: the self-signed certificate is refused.
    let strict = Client::new(&TrustOptions {
        timeout,
        ..TrustOptions::default()
    })
    .unwrap();
    let err = strict.send(&url, body.clone(), &headers).await.unwrap_err();
    assert!(matches!(err, Error::Send { .. }), "{err}");

    // Named: accepted; the server receives the exact body and the signature verifies.
    let trusting = Client::new(&TrustOptions {
        extra_certs: vec![cert_path],
        timeout,
        ..TrustOptions::default()
    })
    .unwrap();
    let reply = trusting.send(&url, body.clone(), &headers).await.unwrap();
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.json().unwrap()["response"]["outputSpeech"]["text"],
        "hi"
    );
    let raw = requests.recv().await.unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&raw[..split]).to_lowercase();
    assert!(head.starts_with("post /alexa http/1.1"), "{head}");
    assert!(head.contains("content-type: application/json"), "{head}");
    assert!(head.contains("signaturecertchainurl: https://s3.amazonaws.com/echo.api/"));
    let sig_line = head
        .lines()
        .find_map(|l| l.strip_prefix("signature-256: "))
        .unwrap();
    // Header values are case-sensitive base64: take it from the original bytes.
    let original = String::from_utf8_lossy(&raw[..split]);
    let sig_b64 = original
        .lines()
        .find_map(|l| {
            l.split_once(": ")
                .filter(|(k, _)| k.eq_ignore_ascii_case("signature-256"))
                .map(|(_, v)| v.to_string())
        })
        .unwrap();
    assert_eq!(sig_b64.to_lowercase(), sig_line);
    let received = &raw[split + 4..];
    assert_eq!(received, &body[..]);
    let sig = base64::engine::general_purpose::STANDARD
        .decode(sig_b64)
        .unwrap();
    UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, signer.public_key_der())
        .verify(received, &sig)
        .unwrap();

    // Insecure: accepted without naming it.
    let insecure = Client::new(&TrustOptions {
        insecure: true,
        timeout,
        ..TrustOptions::default()
    })
    .unwrap();
    assert_eq!(
        insecure.send(&url, body, &headers).await.unwrap().status,
        200
    );
}

#[test]
fn unreadable_trust_files_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, "no certificates here").unwrap();
    for path in [empty, dir.path().join("missing.pem")] {
        let err = Client::new(&TrustOptions {
            extra_certs: vec![path.clone()],
            ..TrustOptions::default()
        })
        .unwrap_err();
        assert!(err.to_string().contains(&*path.to_string_lossy()), "{err}");
    }
}
