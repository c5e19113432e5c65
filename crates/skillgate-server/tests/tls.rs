//! TLS: certificate reload while serving (file change and explicit reload, as on SIGHUP),
//! a bad new certificate keeps the old one, TLS 1.2 and ALPN, and plain-HTTP mode.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::ServerName;
use skillgate_server::cert_store::fingerprint;
use skillgate_server::config::CertificateFiles;
use skillgate_server::dev_cert;
use skillgate_server::testing::*;

/// Handshakes with `addr` and returns the served leaf's fingerprint, the TLS version and
/// the ALPN protocol.
async fn handshake(
    addr: SocketAddr,
    versions: &[&'static rustls::SupportedProtocolVersion],
    sni: &str,
) -> Result<(String, rustls::ProtocolVersion, Option<Vec<u8>>), std::io::Error> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_protocol_versions(versions)
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AnyCert(provider)))
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(addr).await?;
    let name = ServerName::try_from(sni.to_owned()).unwrap();
    let tls = tokio::time::timeout(Duration::from_secs(5), connector.connect(name, tcp))
        .await
        .map_err(|_| std::io::Error::other("handshake timeout"))??;
    let (_, conn) = tls.get_ref();
    let leaf = conn.peer_certificates().unwrap()[0].clone();
    Ok((
        fingerprint(&leaf),
        conn.protocol_version().unwrap(),
        conn.alpn_protocol().map(|p| p.to_vec()),
    ))
}

fn write_pair(dir: &std::path::Path, name: &str, hosts: &[&str]) -> (CertificateFiles, String) {
    let g = dev_cert::generate(hosts).unwrap();
    let files = CertificateFiles {
        cert: dir.join(format!("{name}.crt")),
        key: dir.join(format!("{name}.key")),
    };
    std::fs::write(&files.cert, &g.cert_pem).unwrap();
    std::fs::write(&files.key, &g.key_pem).unwrap();
    (files, g.fingerprint)
}

/// Replaces the live files the way certbot's deploy does: new files renamed into place.
fn replace(live: &CertificateFiles, from: &CertificateFiles) {
    let tmp_cert = live.cert.with_extension("tmp-crt");
    let tmp_key = live.key.with_extension("tmp-key");
    std::fs::copy(&from.cert, &tmp_cert).unwrap();
    std::fs::copy(&from.key, &tmp_key).unwrap();
    std::fs::rename(&tmp_key, &live.key).unwrap();
    std::fs::rename(&tmp_cert, &live.cert).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certificate_reloads_while_serving() {
    let certs = tempfile::tempdir().unwrap();
    let (live, first) = write_pair(certs.path(), "live", &["localhost"]);
    let (second_files, second) = write_pair(certs.path(), "second", &["localhost"]);
    let (third_files, third) = write_pair(certs.path(), "third", &["localhost"]);
    let mut config = config(vec![upstream_skill(
        "a",
        &[SKILL_ID],
        "http://127.0.0.1:9/alexa",
    )]);
    config.tls.certificate = vec![live.clone()];
    config.tls.reload_interval_secs = 1;
    let server = start(config).await;
    let tls13: &[&rustls::SupportedProtocolVersion] = &[&rustls::version::TLS13];

    let (fp, version, alpn) = handshake(server.addr, tls13, "localhost").await.unwrap();
    assert_eq!(fp, first);
    assert_eq!(version, rustls::ProtocolVersion::TLSv1_3);
    assert_eq!(
        alpn.as_deref(),
        Some(&b"http/1.1"[..]),
        "HTTP/2 is off by default"
    );
    // A connection opened before the change keeps working afterwards.
    let (_, body) = server.post_signed(SKILL_ID, "LaunchRequest").await;
    assert!(!body.is_empty());

    // 1. The files change: the poller picks the new certificate up.
    replace(&live, &second_files);
    let mut seen = String::new();
    for _ in 0..100 {
        seen = handshake(server.addr, tls13, "localhost").await.unwrap().0;
        if seen == second {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(seen, second, "polling reload");
    let (status, _) = server.post_signed(SKILL_ID, "LaunchRequest").await;
    assert_eq!(status, 200, "the old client connection still works");

    // 2. A broken file is refused and the current certificate stays.
    std::fs::write(&live.cert, "-----BEGIN CERTIFICATE-----\nbroken\n").unwrap();
    assert!(server.handle.reload_certificates().is_err());
    assert_eq!(
        handshake(server.addr, tls13, "localhost").await.unwrap().0,
        second
    );

    // 3. Explicit reload (what SIGHUP does).
    replace(&live, &third_files);
    assert!(server.handle.reload_certificates().unwrap());
    assert_eq!(server.handle.fingerprints(), vec![third.clone()]);
    assert_eq!(
        handshake(server.addr, tls13, "localhost").await.unwrap().0,
        third
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sni_picks_the_matching_certificate_and_tls12_works() {
    let certs = tempfile::tempdir().unwrap();
    let (a, fp_a) = write_pair(certs.path(), "a", &["a.example.com"]);
    let (b, fp_b) = write_pair(certs.path(), "b", &["b.example.com"]);
    let mut config = config(vec![upstream_skill(
        "a",
        &[SKILL_ID],
        "http://127.0.0.1:9/alexa",
    )]);
    config.tls.certificate = vec![a, b];
    config.tls.http2 = true;
    let server = start(config).await;
    let tls12: &[&rustls::SupportedProtocolVersion] = &[&rustls::version::TLS12];
    let (fp, version, alpn) = handshake(server.addr, tls12, "b.example.com")
        .await
        .unwrap();
    assert_eq!(fp, fp_b);
    assert_eq!(alpn.as_deref(), Some(&b"h2"[..]), "http2 = true offers h2");
    assert_eq!(version, rustls::ProtocolVersion::TLSv1_2);
    let (fp, _, _) = handshake(server.addr, tls12, "a.example.com")
        .await
        .unwrap();
    assert_eq!(fp, fp_a);
    // Unknown names get the first (default) certificate.
    let (fp, _, _) = handshake(server.addr, tls12, "other.example.com")
        .await
        .unwrap();
    assert_eq!(fp, fp_a);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_http_mode_serves_without_tls() {
    let mut config = config(vec![upstream_skill(
        "a",
        &[SKILL_ID],
        "http://127.0.0.1:9/alexa",
    )]);
    config.tls.enabled = false;
    let server = start(config).await;
    let client = plain_client();
    let base = format!("http://127.0.0.1:{}", server.addr.port());
    assert_eq!(
        client
            .get(format!("{base}/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        client
            .get(format!("{base}/alexa"))
            .send()
            .await
            .unwrap()
            .status(),
        405
    );
    let (headers, body) = signed(SKILL_ID, "LaunchRequest");
    let r = client
        .post(format!("{base}/alexa"))
        .headers(headers)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        200,
        "verified and answered (spoken error: upstream is down)"
    );
    server.stop().await;
}
