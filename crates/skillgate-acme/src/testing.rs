//! Test support (feature `testing`, off by default): a real ACME server for tests. Debian's
//! `pebble` with `pebble-challtestsrv` as its DNS (every name → 127.0.0.1), on free loopback
//! ports, so challenges are validated by pebble connecting to the listener under test.
//!
//! ```ignore
//! use skillgate_acme::testing::{Pebble, PebbleOptions, free_port, have_pebble};
//!
//! if !have_pebble() {
//!     return; // says SKIPPED, unless SKILLGATE_REQUIRE_PEBBLE=1
//! }
//! let pebble = Pebble::start(&PebbleOptions::new(tls_port, free_port(), 24));
//! let directory = pebble.directory();     // trust pebble.api_ca() for its API
//! let root = pebble.issuing_root();       // what the issued certificates chain to
//! ```
//!
//! Install pebble with `scripts/pebble install`. The helpers panic on failure (they are for
//! tests).

use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
use rustls_pki_types::pem::PemObject as _;
use rustls_pki_types::{CertificateDer, ServerName};

/// Whether `pebble` and `pebble-challtestsrv` are on the PATH. When they are not, prints
/// `SKIPPED` (the caller returns and passes), unless `SKILLGATE_REQUIRE_PEBBLE=1`
/// (scripts/test), when it panics.
pub fn have_pebble() -> bool {
    let found = ["pebble", "pebble-challtestsrv"].iter().all(|bin| {
        Command::new("sh")
            .args(["-c", &format!("command -v {bin}")])
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    });
    if !found {
        assert!(
            std::env::var("SKILLGATE_REQUIRE_PEBBLE").as_deref() != Ok("1"),
            "pebble is required (SKILLGATE_REQUIRE_PEBBLE=1): run scripts/pebble install"
        );
        eprintln!("SKIPPED: pebble not installed (scripts/pebble install)");
    }
    found
}

/// A loopback TCP port that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("a loopback port")
        .local_addr()
        .expect("its address")
        .port()
}

/// Waits (at most 15 s) until something listens on 127.0.0.1:`port`; on timeout panics
/// with `what` and the contents of `log`.
pub fn wait_listening(port: u16, what: &str, log: &Path) {
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "{what} not listening: {}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A private CA and a certificate it issued for `127.0.0.1` and `localhost` (pebble's own
/// HTTPS API, or any other loopback HTTPS server of a test).
pub struct ApiTls {
    /// The private CA's certificate (trust it to reach the server).
    pub ca: CertificateDer<'static>,
    /// The CA's certificate as PEM.
    pub ca_pem: String,
    /// The server certificate as PEM.
    pub cert_pem: String,
    /// The server certificate's private key as PEM.
    pub key_pem: String,
}

/// Generates a private CA and a loopback server certificate under it.
pub fn api_tls() -> ApiTls {
    let ca_key = KeyPair::generate().expect("generate the CA key");
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).expect("self-sign the CA");
    let issuer = Issuer::new(ca_params, ca_key);
    let key = KeyPair::generate().expect("generate the server key");
    let params = CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".into()])
        .expect("server params");
    let cert = params
        .signed_by(&key, &issuer)
        .expect("sign the server certificate");
    ApiTls {
        ca: ca.der().clone(),
        ca_pem: ca.pem(),
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
    }
}

/// How [`Pebble::start`] configures pebble.
#[derive(Debug, Clone)]
pub struct PebbleOptions {
    /// The port pebble connects to for tls-alpn-01.
    pub tls_port: u16,
    /// The port pebble connects to for http-01.
    pub http_port: u16,
    /// How long issued certificates are valid, in seconds.
    pub validity_secs: u64,
    /// Names pebble refuses to issue for (`domainBlocklist`).
    pub blocklist: Vec<String>,
}

impl PebbleOptions {
    /// Challenges on `tls_port` and `http_port`, certificates valid `validity_secs`, no
    /// blocked names.
    pub fn new(tls_port: u16, http_port: u16, validity_secs: u64) -> Self {
        PebbleOptions {
            tls_port,
            http_port,
            validity_secs,
            blocklist: Vec::new(),
        }
    }
}

/// pebble and pebble-challtestsrv on free loopback ports, killed on drop. pebble's own
/// HTTPS API uses a certificate from a private CA ([`api_ca`](Self::api_ca), also written to
/// [`api_ca_path`](Self::api_ca_path)).
pub struct Pebble {
    children: Vec<Child>,
    dir: tempfile::TempDir,
    port: u16,
    mgmt_port: u16,
    api: ApiTls,
}

impl Drop for Pebble {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Pebble {
    /// Starts pebble-challtestsrv and pebble as `options` say and waits until both listen.
    pub fn start(options: &PebbleOptions) -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let api = api_tls();
        let path = dir.path().to_path_buf();
        let write = |name: &str, text: &str| {
            std::fs::write(path.join(name), text).expect("write a pebble file");
        };
        write("api-ca.pem", &api.ca_pem);
        write("api-cert.pem", &api.cert_pem);
        write("api-key.pem", &api.key_pem);
        let (port, mgmt_port, dns_port, dns_mgmt) =
            (free_port(), free_port(), free_port(), free_port());
        let mut config = serde_json::json!({
            "listenAddress": format!("127.0.0.1:{port}"),
            "managementListenAddress": format!("127.0.0.1:{mgmt_port}"),
            "certificate": path.join("api-cert.pem"),
            "privateKey": path.join("api-key.pem"),
            "httpPort": options.http_port,
            "tlsPort": options.tls_port,
            "ocspResponderURL": "",
            "externalAccountBindingRequired": false,
            "certificateValidityPeriod": options.validity_secs,
        });
        if !options.blocklist.is_empty() {
            config["domainBlocklist"] = serde_json::json!(options.blocklist);
        }
        write(
            "pebble.json",
            &serde_json::json!({ "pebble": config }).to_string(),
        );
        let log = |name: &str| {
            Stdio::from(std::fs::File::create(path.join(name)).expect("create a log file"))
        };
        let dns = Command::new("pebble-challtestsrv")
            .args(["-dns01", &format!("127.0.0.1:{dns_port}")])
            .args(["-http01", "", "-https01", "", "-tlsalpn01", ""])
            .args(["-management", &format!("127.0.0.1:{dns_mgmt}")])
            .args(["-defaultIPv4", "127.0.0.1", "-defaultIPv6", ""])
            .stdout(log("dns.log"))
            .stderr(log("dns.err"))
            .spawn()
            .expect("start pebble-challtestsrv");
        let mut pebble = Self {
            children: vec![dns],
            dir,
            port,
            mgmt_port,
            api,
        };
        let child = Command::new("pebble")
            .arg("-config")
            .arg(path.join("pebble.json"))
            .args(["-dnsserver", &format!("127.0.0.1:{dns_port}")])
            .env("PEBBLE_VA_NOSLEEP", "1")
            .env("PEBBLE_WFE_NONCEREJECT", "0")
            .env("PEBBLE_AUTHZREUSE", "0")
            .stdout(log("pebble.log"))
            .stderr(log("pebble.err"))
            .spawn()
            .expect("start pebble");
        pebble.children.push(child);
        wait_listening(port, "pebble", &path.join("pebble.log"));
        wait_listening(dns_mgmt, "pebble-challtestsrv", &path.join("dns.log"));
        pebble
    }

    /// The ACME directory URL.
    pub fn directory(&self) -> String {
        format!("https://127.0.0.1:{}/dir", self.port)
    }

    /// The port of pebble's ACME API.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The private CA of pebble's own HTTPS API (an extra root for ACME clients).
    pub fn api_ca(&self) -> &CertificateDer<'static> {
        &self.api.ca
    }

    /// The file holding [`api_ca`](Self::api_ca) as PEM.
    pub fn api_ca_path(&self) -> PathBuf {
        self.dir.path().join("api-ca.pem")
    }

    /// pebble's issuing root (new at every start), from its management API.
    pub fn issuing_root(&self) -> CertificateDer<'static> {
        let (_, body) = https_request(
            ("127.0.0.1", self.mgmt_port),
            "127.0.0.1",
            &self.api.ca,
            "/roots/0",
        )
        .expect("pebble's management API answers");
        CertificateDer::from_pem_slice(body.as_bytes()).expect("a PEM root")
    }
}

/// One blocking HTTPS GET as a client trusting only `root`, checking the certificate
/// against `name` (ALPN `http/1.1`, 10 s read timeout). Returns the server's leaf
/// certificate and the response body.
pub fn https_request(
    addr: impl ToSocketAddrs,
    name: &str,
    root: &CertificateDer<'static>,
    path: &str,
) -> Result<(CertificateDer<'static>, String), String> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(root.clone()).map_err(|e| e.to_string())?;
    let mut config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| e.to_string())?
    .with_root_certificates(roots)
    .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let server_name = ServerName::try_from(name.to_owned()).map_err(|e| e.to_string())?;
    let mut conn =
        rustls::ClientConnection::new(Arc::new(config), server_name).map_err(|e| e.to_string())?;
    let mut tcp = TcpStream::connect(addr).map_err(|e| e.to_string())?;
    tcp.set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(|e| e.to_string())?;
    let mut tls = rustls::Stream::new(&mut conn, &mut tcp);
    tls.write_all(
        format!("GET {path} HTTP/1.1\r\nHost: {name}\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    // A close without close_notify after the body is fine here.
    let _ = tls.read_to_end(&mut out);
    let leaf = conn
        .peer_certificates()
        .and_then(|c| c.first())
        .ok_or("no certificate")?
        .clone()
        .into_owned();
    let text = String::from_utf8_lossy(&out).into_owned();
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .ok_or_else(|| format!("no HTTP answer: {text:?}"))?;
    Ok((leaf, body))
}
