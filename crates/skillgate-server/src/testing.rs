//! Shared helpers: a real server on 127.0.0.1 over HTTPS, a real client trusting its
//! development certificate, and requests signed over a test chain the server trusts.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use skillgate_server::config::{Config, SkillConfig};
use skillgate_server::{ServerBuilder, ServerHandle};
use skillgate_verify::testing::TestChain;

pub const SKILL_ID: &str = "amzn1.ask.skill.00000000-0000-0000-0000-00000000000a";
pub const OTHER_ID: &str = "amzn1.ask.skill.00000000-0000-0000-0000-00000000000b";

/// One chain for the whole test binary (RSA key generation is the slow part).
pub fn chain() -> &'static TestChain {
    static CHAIN: OnceLock<TestChain> = OnceLock::new();
    CHAIN.get_or_init(TestChain::generate)
}

/// A signed request envelope for `application_id` and `request_type`, timestamped now.
pub fn signed(application_id: &str, request_type: &str) -> (reqwest::header::HeaderMap, Vec<u8>) {
    let body = skillgate_verify::testing::envelope(
        application_id,
        request_type,
        time::OffsetDateTime::now_utc(),
    );
    let mut headers = chain().headers(&body);
    headers.insert(
        "content-type",
        "application/json; charset=utf-8".parse().unwrap(),
    );
    (headers, body)
}

/// A skill entry forwarding to `upstream`.
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

/// A configuration on 127.0.0.1:0 with `skills`.
pub fn config(skills: Vec<SkillConfig>) -> Config {
    let mut config = Config::demo();
    config.listen = "127.0.0.1:0".parse().unwrap();
    config.dev.any_application_id = false;
    config.skill = skills;
    config
}

pub struct TestServer {
    pub addr: SocketAddr,
    pub handle: ServerHandle,
    pub task: tokio::task::JoinHandle<Result<(), skillgate_server::ServerError>>,
    pub dir: tempfile::TempDir,
    pub client: reqwest::Client,
}

impl TestServer {
    pub fn url(&self, path: &str) -> String {
        format!("https://127.0.0.1:{}{path}", self.addr.port())
    }

    pub fn cert_path(&self) -> PathBuf {
        self.dir.path().join("tls/cert.pem")
    }

    /// POSTs a signed request and returns status and body.
    pub async fn post_signed(&self, application_id: &str, request_type: &str) -> (u16, Vec<u8>) {
        let (headers, body) = signed(application_id, request_type);
        let response = self
            .client
            .post(self.url("/alexa"))
            .headers(headers)
            .body(body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.bytes().await.unwrap().to_vec())
    }

    /// GETs `/metrics` on the main listener and returns the Prometheus text.
    pub async fn metrics(&self) -> String {
        self.client
            .get(self.url("/metrics"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    pub async fn stop(self) {
        self.handle.shutdown();
        tokio::time::timeout(Duration::from_secs(10), self.task)
            .await
            .expect("server stops")
            .unwrap()
            .unwrap();
    }
}

/// Starts a server for `config` trusting the test chain, with a development certificate
/// in a temporary data directory, and a client that trusts that certificate.
pub async fn start(config: Config) -> TestServer {
    start_with(config, |b| b).await
}

pub async fn start_with(
    config: Config,
    extra: impl FnOnce(ServerBuilder) -> ServerBuilder,
) -> TestServer {
    let dir = tempfile::tempdir().unwrap();
    let builder = ServerBuilder::new(config)
        .dev_tls_dir(dir.path().join("tls"))
        .trust_anchor(chain().root_der().clone())
        .chain_source(Arc::new(chain().source()))
        .prometheus(skillgate_server::metrics::install().unwrap());
    let server = extra(builder).start().await.unwrap();
    let addr = server.local_addr();
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
        handle,
        task,
        dir,
        client,
    }
}

/// A reqwest client trusting exactly the certificate in `cert_pem`.
pub fn client_trusting(cert_pem: &std::path::Path) -> reqwest::Client {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(cert_pem).unwrap() {
        roots.add(cert.unwrap()).unwrap();
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .no_proxy()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

/// A client that accepts any server certificate (tests that swap certificates).
pub fn client_trusting_anything() -> reqwest::Client {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AnyCert(provider)))
        .with_no_client_auth();
    reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .no_proxy()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
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

/// A client for plain-HTTP URLs (admin listener).
pub fn plain_client() -> reqwest::Client {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_no_client_auth();
    reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .no_proxy()
        .build()
        .unwrap()
}

/// A small real upstream skill server on 127.0.0.1 (plain HTTP) running `router`.
pub async fn upstream(router: axum::Router) -> (SocketAddr, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
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
    let v: serde_json::Value = serde_json::from_slice(body).unwrap();
    let speech = &v["response"]["outputSpeech"];
    speech["text"]
        .as_str()
        .or_else(|| speech["ssml"].as_str())
        .unwrap_or_default()
        .to_owned()
}
