//! skillgate-acme against a real ACME server: Debian's `pebble`, with `pebble-challtestsrv`
//! as its DNS (every name → 127.0.0.1), so the tls-alpn-01 challenge is validated by pebble
//! connecting to our listener for real. Install with `scripts/pebble install`. Without
//! pebble the tests say so and pass, unless SKILLGATE_REQUIRE_PEBBLE=1 (scripts/test).

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use rcgen::{CertificateParams, KeyPair};
use rustls::pki_types::pem::PemObject as _;
use rustls_pki_types::{CertificateDer, ServerName};
use skillgate_acme::challenge::serve_http01;
use skillgate_acme::store::Store;
use skillgate_acme::testing::{Pebble, PebbleOptions, api_tls, free_port, have_pebble};
use skillgate_acme::{ACME_TLS_ALPN, Acme, AcmeConfig, Challenge, Issued, is_acme_validation};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

const DOMAIN: &str = "skill.test";
const BLOCKED: &str = "blocked.test";

/// pebble validating tls-alpn-01 on `tls_port` and http-01 on `http_port`, issuing
/// certificates valid `validity_secs`, refusing [`BLOCKED`].
fn start_pebble(tls_port: u16, http_port: u16, validity_secs: u64) -> Pebble {
    Pebble::start(&PebbleOptions {
        blocklist: vec![BLOCKED.to_owned()],
        ..PebbleOptions::new(tls_port, http_port, validity_secs)
    })
}

fn client_config(roots: &[CertificateDer<'static>], alpn: &[u8]) -> rustls::ClientConfig {
    let mut store = rustls::RootCertStore::empty();
    for r in roots {
        store.add(r.clone()).unwrap();
    }
    let mut c = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(store)
    .with_no_client_auth();
    c.alpn_protocols = vec![alpn.to_vec()];
    c
}

/// The HTTPS listener a server would run: the ACME resolver, `acme-tls/1` in ALPN,
/// connections that negotiated it closed after the handshake.
async fn serve_with(acme: &Acme, listener: tokio::net::TcpListener) -> tokio::task::JoinHandle<()> {
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_cert_resolver(acme.resolver());
    config.alpn_protocols = vec![b"http/1.1".to_vec(), ACME_TLS_ALPN.to_vec()];
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                if is_acme_validation(tls.get_ref().1.alpn_protocol()) {
                    return; // validation connection: handshake only
                }
                let _ = tls
                    .write_all(
                        b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok",
                    )
                    .await;
                let _ = tls.shutdown().await;
            });
        }
    })
}

/// Connects as a client trusting only `roots`, for `name`; returns the served leaf's serial.
async fn served_serial(
    addr: SocketAddr,
    name: &str,
    roots: &[CertificateDer<'static>],
) -> Result<String, String> {
    let connector = tokio_rustls::TlsConnector::from(Arc::new(client_config(roots, b"http/1.1")));
    let tcp = tokio::net::TcpStream::connect(addr)
        .await
        .map_err(|e| e.to_string())?;
    let tls = connector
        .connect(ServerName::try_from(name.to_string()).unwrap(), tcp)
        .await
        .map_err(|e| e.to_string())?;
    let leaf = tls.get_ref().1.peer_certificates().unwrap()[0].clone();
    let (_, cert) = x509_parser::parse_x509_certificate(leaf.as_ref()).unwrap();
    Ok(cert.raw_serial_as_string())
}

fn config(
    dir: &Path,
    directory: String,
    domain: &str,
    roots: Vec<CertificateDer<'static>>,
) -> AcmeConfig {
    let mut c = AcmeConfig::new(vec![domain.to_string()], dir.to_path_buf());
    c.directory = directory;
    c.contact = vec!["mailto:ops@skill.test".into()];
    c.extra_roots = roots;
    c.retry_initial = Duration::from_millis(200);
    c.retry_max = Duration::from_secs(1);
    c.order_timeout = Duration::from_secs(30);
    c
}

async fn wait_for<T>(limit: Duration, what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pebble_issues_the_swap_renews_and_restarts_reuse() {
    if !have_pebble() {
        return;
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    // 24-second certificates: renewal due after about 16 s.
    let pebble = start_pebble(addr.port(), free_port(), 24);
    let state = tempfile::tempdir().unwrap();
    let cfg = config(
        state.path(),
        pebble.directory(),
        DOMAIN,
        vec![pebble.api_ca().clone()],
    );
    let acme = Acme::new(cfg.clone()).unwrap();
    assert!(acme.current().is_none());
    let server = serve_with(&acme, listener).await;
    let task = tokio::spawn(acme.clone().run());

    let first = wait_for(Duration::from_secs(30), "the first certificate", || {
        acme.current()
    })
    .await;
    let root = pebble.issuing_root();
    // A client trusting pebble's root gets it, valid for the name.
    let serial = served_serial(addr, DOMAIN, std::slice::from_ref(&root))
        .await
        .unwrap();
    assert_eq!(serial, first.serial);
    let err = served_serial(addr, "other.test", std::slice::from_ref(&root))
        .await
        .unwrap_err();
    assert!(err.contains("not valid for name"), "{err}");
    let lifetime = first.not_after.duration_since(first.not_before).unwrap();
    assert!(lifetime <= Duration::from_secs(25), "{lifetime:?}");

    // Stored 0600, in a 0700 directory.
    let (cert_path, key_path) = acme.store().cert_paths();
    #[cfg(unix)]
    {
        assert_eq!(mode(state.path()), 0o700);
        for p in [acme.store().account_path(), cert_path, key_path] {
            assert_eq!(mode(p), 0o600, "{}", p.display());
        }
    }
    let account = std::fs::read(acme.store().account_path()).unwrap();

    // Renewal at two thirds of the lifetime: a new certificate is swapped in.
    let mut watch = acme.watch();
    let renewed = tokio::time::timeout(Duration::from_secs(40), async {
        loop {
            watch.changed().await.unwrap();
            if let Some(i) = watch.borrow().clone() {
                if i.serial != first.serial {
                    return i;
                }
            }
        }
    })
    .await
    .expect("no renewal within 40 s");
    let elapsed = SystemTime::now().duration_since(first.not_before).unwrap();
    assert!(
        elapsed >= Duration::from_secs(14),
        "renewed too early: {elapsed:?}"
    );
    let serial = served_serial(addr, DOMAIN, std::slice::from_ref(&root))
        .await
        .unwrap();
    assert_eq!(serial, renewed.serial);
    assert_eq!(acme.status().consecutive_failures, 0);
    task.abort();
    server.abort();
    let _ = server.await;

    // A restart reuses the account and the stored certificate: it serves at once, and the
    // next order needs no new account.
    let again = Acme::new(cfg).unwrap();
    let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
    let _server = serve_with(&again, listener).await;
    let stored = again.current().expect("the stored certificate");
    assert_eq!(stored.serial, acme.current().unwrap().serial);
    assert_eq!(
        std::fs::read(again.store().account_path()).unwrap(),
        account
    );
    let issued = again.order().await.unwrap();
    assert_ne!(issued.serial, stored.serial);
    assert_eq!(
        std::fs::read(again.store().account_path()).unwrap(),
        account
    );

    // A refused order (pebble's blocklist) leaves the current certificate serving.
    let refused_state = tempfile::tempdir().unwrap();
    let refused_cfg = config(
        refused_state.path(),
        pebble.directory(),
        BLOCKED,
        vec![pebble.api_ca().clone()],
    );
    let preload = preload(refused_state.path(), &refused_cfg, BLOCKED);
    let refused = Acme::new(refused_cfg).unwrap();
    check_keeps_serving(refused, &preload, "rejectedIdentifier").await;
}

/// Stores a self-signed certificate for `domain` that is due for renewal (10 days into an
/// 11-day life, well past two thirds plus any jitter), as if issued earlier.
fn preload(dir: &Path, cfg: &AcmeConfig, domain: &str) -> Issued {
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(vec![domain.to_string()]).unwrap();
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::days(10);
    params.not_after = now + time::Duration::days(1);
    let cert = params.self_signed(&key).unwrap();
    let issued = Issued::from_pem(cert.pem(), key.serialize_pem()).unwrap();
    Store::open(dir, &cfg.directory, &cfg.domains)
        .unwrap()
        .save_certificate(&issued)
        .unwrap();
    issued
}

/// The process-wide Prometheus recorder of this test binary.
fn metrics() -> &'static metrics_exporter_prometheus::PrometheusHandle {
    static HANDLE: std::sync::OnceLock<metrics_exporter_prometheus::PrometheusHandle> =
        std::sync::OnceLock::new();
    HANDLE.get_or_init(|| {
        metrics_exporter_prometheus::PrometheusBuilder::new()
            .install_recorder()
            .unwrap()
    })
}

/// Runs `acme` (its renewal is due), waits for at least two failed orders, and checks that
/// the preloaded certificate is still the one served and that the failures are counted.
async fn check_keeps_serving(acme: Acme, preloaded: &Issued, error_contains: &str) {
    let metrics = metrics();
    assert_eq!(acme.current().unwrap().serial, preloaded.serial);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    serve_with(&acme, listener).await;
    let task = tokio::spawn(acme.clone().run());
    wait_for(Duration::from_secs(20), "two failed orders", || {
        (acme.status().consecutive_failures >= 2).then_some(())
    })
    .await;
    task.abort();
    let status = acme.status();
    let error = status.last_error.unwrap();
    assert!(error.contains(error_contains), "{error}");
    let rendered = metrics.render();
    assert!(
        rendered.contains("skillgate_acme_orders_total{result=\"error\""),
        "{rendered}"
    );
    assert_eq!(acme.current().unwrap().serial, preloaded.serial);
    let leaf = CertificateDer::from_pem_slice(preloaded.chain_pem.as_bytes()).unwrap();
    let domain = acme_domain(preloaded);
    let serial = served_serial(addr, &domain, &[leaf]).await.unwrap();
    assert_eq!(serial, preloaded.serial);
}

fn acme_domain(issued: &Issued) -> String {
    let leaf = CertificateDer::from_pem_slice(issued.chain_pem.as_bytes()).unwrap();
    let (_, cert) = x509_parser::parse_x509_certificate(leaf.as_ref()).unwrap();
    let san = cert.subject_alternative_name().unwrap().unwrap();
    match &san.value.general_names[0] {
        x509_parser::extensions::GeneralName::DNSName(d) => d.to_string(),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_directory_that_is_down_leaves_the_current_certificate_serving() {
    let state = tempfile::tempdir().unwrap();
    let cfg = config(
        state.path(),
        format!("https://127.0.0.1:{}/dir", free_port()),
        DOMAIN,
        vec![],
    );
    let preloaded = preload(state.path(), &cfg, DOMAIN);
    let acme = Acme::new(cfg).unwrap();
    check_keeps_serving(acme, &preloaded, "ACME server").await;
}

#[tokio::test]
async fn a_directory_answering_garbage_leaves_the_current_certificate_serving() {
    // A real HTTPS server, trusted, that answers every request with 200 and no JSON.
    let api = api_tls();
    let key = rustls::pki_types::PrivateKeyDer::from_pem_slice(api.key_pem.as_bytes()).unwrap();
    let chain = vec![CertificateDer::from_pem_slice(api.cert_pem.as_bytes()).unwrap()];
    let server = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(chain, key)
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(server));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let mut buf = [0u8; 4096];
                let _ = tls.read(&mut buf).await;
                let _ = tls
                    .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 9\r\nconnection: close\r\n\r\n<garbage>")
                    .await;
                let _ = tls.shutdown().await;
            });
        }
    });
    let state = tempfile::tempdir().unwrap();
    let cfg = config(
        state.path(),
        format!("https://127.0.0.1:{port}/dir"),
        DOMAIN,
        vec![api.ca.clone()],
    );
    let preloaded = preload(state.path(), &cfg, DOMAIN);
    let acme = Acme::new(cfg).unwrap();
    check_keeps_serving(acme, &preloaded, "JSON").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pebble_issues_over_http01_and_the_port_80_listener_redirects() {
    if !have_pebble() {
        return;
    }
    let http = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let http_port = http.local_addr().unwrap().port();
    let pebble = start_pebble(free_port(), http_port, 3600);
    let state = tempfile::tempdir().unwrap();
    let mut cfg = config(
        state.path(),
        pebble.directory(),
        DOMAIN,
        vec![pebble.api_ca().clone()],
    );
    cfg.challenge = Challenge::Http01;
    let acme = Acme::new(cfg).unwrap();
    let port80 = tokio::spawn(serve_http01(http, acme.http01_tokens()));
    let issued = acme.order().await.unwrap();
    assert_eq!(acme_domain(&issued), DOMAIN);
    assert_eq!(acme.current().unwrap().serial, issued.serial);
    // Everything else on the port-80 listener is redirected to HTTPS.
    let mut tcp = tokio::net::TcpStream::connect(("127.0.0.1", http_port))
        .await
        .unwrap();
    tcp.write_all(b"GET /alexa HTTP/1.1\r\nHost: skill.test\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = String::new();
    tcp.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 301"), "{answer}");
    assert!(
        answer
            .to_ascii_lowercase()
            .contains("location: https://skill.test/alexa"),
        "{answer}"
    );
    port80.abort();
}

#[test]
fn configuration_mistakes_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    for (domains, directory) in [
        (vec![], "https://x.test/dir"),
        (vec!["127.0.0.1".to_string()], "https://x.test/dir"),
        (vec!["skill.test".to_string()], "http://x.test/dir"),
    ] {
        let mut c = AcmeConfig::new(domains, dir.path().to_path_buf());
        c.directory = directory.into();
        assert!(matches!(
            Acme::new(c),
            Err(skillgate_acme::AcmeError::Config(_))
        ));
    }
}
