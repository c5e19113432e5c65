//! Test support (feature `testing`, off by default): a real server on 127.0.0.1 over HTTPS
//! with a development certificate in a temporary directory, a real client trusting it, and
//! requests signed over a test chain (from `skillgate_verify::testing`) the server trusts
//! and is served by a local chain source.
//!
//! ```ignore
//! use skillgate_server::testing::*;
//!
//! let server = start(config(vec![native_skill("greeter", &[SKILL_ID])])).await;
//! let (status, body) = server.post_signed(SKILL_ID, "LaunchRequest").await;
//! server.stop().await;
//! ```
//!
//! The helpers panic on failure (they are for tests).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http::HeaderMap;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use skillgate::{Context, Skill};
pub use skillgate_verify::testing::plain_client;
use skillgate_verify::testing::{TestChain, shared_chain, signed_request};

use crate::config::{Config, SkillConfig};
use crate::{ServerBuilder, ServerHandle};

/// The application id the test skills accept.
pub const SKILL_ID: &str = "amzn1.ask.skill.00000000-0000-0000-0000-00000000000a";
/// Another application id (a skill the server does not know, or a second skill).
pub const OTHER_ID: &str = "amzn1.ask.skill.00000000-0000-0000-0000-00000000000b";

/// The test chain the servers started here trust: one for the whole test binary (RSA key
/// generation is the slow part).
pub fn chain() -> &'static TestChain {
    shared_chain()
}

/// A request envelope for `application_id` and `request_type`, timestamped now, signed over
/// [`chain`]: its headers (with a JSON content type) and body.
pub fn signed(application_id: &str, request_type: &str) -> (HeaderMap, Vec<u8>) {
    signed_request(chain(), application_id, request_type)
}

/// Headers signing `body` over [`chain`], naming the test chain URL, with a JSON content
/// type.
pub fn signed_headers(body: &[u8]) -> HeaderMap {
    let mut headers = chain().headers(body);
    headers.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json; charset=utf-8"),
    );
    headers
}

/// A skill entry at `/alexa` forwarding to `upstream` (timeout 1.5 s).
pub fn upstream_skill(name: &str, ids: &[&str], upstream: &str) -> SkillConfig {
    SkillConfig {
        name: name.to_owned(),
        path: "/alexa".to_owned(),
        application_ids: ids.iter().map(|s| (*s).to_owned()).collect(),
        handler: None,
        upstream: Some(upstream.to_owned()),
        upstream_timeout_ms: Some(1_500),
    }
}

/// A skill entry at `/alexa` answered by the native skill registered as `name`
/// (`ServerBuilder::native_skill`).
pub fn native_skill(name: &str, ids: &[&str]) -> SkillConfig {
    SkillConfig {
        name: name.to_owned(),
        path: "/alexa".to_owned(),
        application_ids: ids.iter().map(|s| (*s).to_owned()).collect(),
        handler: Some(name.to_owned()),
        upstream: None,
        upstream_timeout_ms: None,
    }
}

/// A native skill that says `text` on launch.
pub fn greeter(text: &'static str) -> Skill {
    Skill::builder()
        .on_launch(move |cx: Context| async move { Ok(cx.reply().speak(text).build()) })
        .build()
}

/// A configuration on 127.0.0.1:0 with `skills` (and no demo "any application id").
pub fn config(skills: Vec<SkillConfig>) -> Config {
    let mut config = Config::demo();
    config.listen = "127.0.0.1:0".parse().expect("a socket address");
    config.dev.any_application_id = false;
    config.skill = skills;
    config
}

/// A server started by [`start`] or [`start_with`], running in a task, and a client
/// trusting its certificate.
pub struct TestServer {
    /// The main listener's address.
    pub addr: SocketAddr,
    /// The admin listener's address, when the configuration has one.
    pub admin: Option<SocketAddr>,
    /// Shuts the server down, reloads certificates.
    pub handle: ServerHandle,
    /// The task running the server.
    pub task: tokio::task::JoinHandle<Result<(), crate::ServerError>>,
    /// The temporary data directory (the development certificate is in `tls/`).
    pub dir: tempfile::TempDir,
    /// A client trusting the development certificate (any certificate when the server
    /// serves its own files).
    pub client: reqwest::Client,
}

impl TestServer {
    /// `https://127.0.0.1:<port><path>` on the main listener.
    pub fn url(&self, path: &str) -> String {
        format!("https://127.0.0.1:{}{path}", self.addr.port())
    }

    /// The development certificate's PEM file.
    pub fn cert_path(&self) -> PathBuf {
        self.dir.path().join("tls/cert.pem")
    }

    /// POSTs `body` with `headers` to `/alexa` and returns the response.
    pub async fn send(&self, headers: HeaderMap, body: Vec<u8>) -> reqwest::Response {
        self.client
            .post(self.url("/alexa"))
            .headers(headers)
            .body(body)
            .send()
            .await
            .expect("the server answers")
    }

    /// POSTs a request [`signed`] for `application_id` and `request_type` to `/alexa` and
    /// returns status and body.
    pub async fn post_signed(&self, application_id: &str, request_type: &str) -> (u16, Vec<u8>) {
        let (headers, body) = signed(application_id, request_type);
        let response = self.send(headers, body).await;
        let status = response.status().as_u16();
        let body = response.bytes().await.expect("the answer's body");
        (status, body.to_vec())
    }

    /// GETs `/metrics` on the main listener and returns the Prometheus text.
    pub async fn metrics(&self) -> String {
        self.client
            .get(self.url("/metrics"))
            .send()
            .await
            .expect("the server answers")
            .text()
            .await
            .expect("the metrics text")
    }

    /// Shuts the server down and waits (at most 10 s) for it to stop cleanly.
    pub async fn stop(self) {
        self.handle.shutdown();
        tokio::time::timeout(Duration::from_secs(10), self.task)
            .await
            .expect("server stops")
            .expect("the server task")
            .expect("the server ran cleanly");
    }
}

/// POSTs `body` with `headers` to `server`'s `/alexa` and returns the status.
pub async fn post(server: &TestServer, headers: HeaderMap, body: Vec<u8>) -> u16 {
    server.send(headers, body).await.status().as_u16()
}

/// Starts a server for `config` trusting the test chain, with a development certificate
/// in a temporary data directory, and a client that trusts that certificate.
pub async fn start(config: Config) -> TestServer {
    start_with(config, |b| b).await
}

/// [`start`], with `extra` applied to the builder last (native skills, another chain
/// source or trust anchor, an observer, …). The builder already trusts [`chain`], serves it
/// from a local chain source and records metrics.
pub async fn start_with(
    config: Config,
    extra: impl FnOnce(ServerBuilder) -> ServerBuilder,
) -> TestServer {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let builder = ServerBuilder::new(config)
        .dev_tls_dir(dir.path().join("tls"))
        .trust_anchor(chain().root_der().clone())
        .chain_source(Arc::new(chain().source()))
        .prometheus(crate::metrics::install().expect("the metrics recorder"));
    let server = extra(builder).start().await.expect("the server starts");
    let addr = server.local_addr();
    let admin = server.report().admin_listen;
    let handle = server.handle();
    let task = tokio::spawn(server.run());
    let dev_cert = dir.path().join("tls/cert.pem");
    let client = if dev_cert.exists() {
        client_trusting(&dev_cert)
    } else {
        client_trusting_anything()
    };
    TestServer {
        addr,
        admin,
        handle,
        task,
        dir,
        client,
    }
}

/// A TLS client configuration (aws-lc-rs) trusting exactly the certificates in `cert_pem`.
pub fn client_tls_config(cert_pem: &Path) -> rustls::ClientConfig {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(cert_pem).expect("a PEM file") {
        roots
            .add(cert.expect("a PEM certificate"))
            .expect("a usable certificate");
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("the default protocol versions")
        .with_root_certificates(roots)
        .with_no_client_auth()
}

/// A raw TLS connection to `addr` (as `127.0.0.1`), trusting exactly `cert_pem`.
pub async fn tls_connect(
    addr: SocketAddr,
    cert_pem: &Path,
) -> tokio_rustls::client::TlsStream<tokio::net::TcpStream> {
    let connector = tokio_rustls::TlsConnector::from(Arc::new(client_tls_config(cert_pem)));
    let tcp = tokio::net::TcpStream::connect(addr)
        .await
        .expect("the server accepts");
    let name = ServerName::try_from("127.0.0.1").expect("an IP address is a server name");
    connector
        .connect(name, tcp)
        .await
        .expect("the TLS handshake")
}

/// A reqwest client trusting exactly the certificate in `cert_pem`.
pub fn client_trusting(cert_pem: &Path) -> reqwest::Client {
    reqwest::Client::builder()
        .use_preconfigured_tls(client_tls_config(cert_pem))
        .no_proxy()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("a reqwest client")
}

/// A client that accepts any server certificate (tests that swap certificates).
pub fn client_trusting_anything() -> reqwest::Client {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .expect("the default protocol versions")
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AnyCert(provider)))
        .with_no_client_auth();
    reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .no_proxy()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("a reqwest client")
}

/// Accepts any certificate: these tests look at which certificate is served.
#[derive(Debug)]
pub struct AnyCert(pub Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for AnyCert {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// Everything a tracing subscriber writes, kept in memory: an `io::Write` and a
/// `MakeWriter` whose clones share one buffer (`.0`).
#[derive(Debug, Clone, Default)]
pub struct CapturedLog(pub Arc<Mutex<Vec<u8>>>);

impl std::io::Write for CapturedLog {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .expect("the log buffer")
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for CapturedLog {
    type Writer = CapturedLog;
    fn make_writer(&'a self) -> CapturedLog {
        self.clone()
    }
}

/// A small real upstream skill server on 127.0.0.1 (plain HTTP) running `router`.
pub async fn upstream(router: axum::Router) -> (SocketAddr, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let addr = listener.local_addr().expect("its address");
    let task = tokio::spawn(async move {
        axum::serve(listener, router)
            .await
            .expect("the upstream serves");
    });
    (addr, task)
}

/// A valid answer an upstream skill gives.
pub fn answer(text: &str) -> String {
    serde_json::json!({
        "version": "1.0",
        "response": {"outputSpeech": {"type": "PlainText", "text": text}, "shouldEndSession": false}
    })
    .to_string()
}

/// The text spoken in a response envelope.
pub fn speech(body: &[u8]) -> String {
    let v: serde_json::Value = serde_json::from_slice(body).expect("a JSON answer");
    let speech = &v["response"]["outputSpeech"];
    speech["text"]
        .as_str()
        .or_else(|| speech["ssml"].as_str())
        .unwrap_or_default()
        .to_owned()
}
