//! The TLS side: a handshake that records what the server presents (whatever it is), then
//! the certificate checked offline — chain, name, validity dates.
//!
//! The handshake deliberately accepts any certificate ([`Recorder`]): a certificate problem
//! is reported as a failed check with its reason, and the request cases still run.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::{DigitallySignedStruct, SignatureScheme};
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

/// Which certificate the endpoint must present.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trust {
    /// A chain to a root of the Mozilla store (what Alexa requires for certification).
    Mozilla,
    /// Exactly this certificate (Alexa's "self-signed certificate" development option).
    SelfSigned(CertificateDer<'static>),
}

/// The certificate verifier of every preflight connection: accepts anything, keeps the
/// chain the server sent. Handshake signatures are still verified (a server that cannot
/// sign with its certificate's key fails the handshake).
#[derive(Debug)]
pub struct Recorder {
    provider: Arc<CryptoProvider>,
    seen: Mutex<Vec<CertificateDer<'static>>>,
}

impl Recorder {
    /// A recorder verifying handshake signatures with `provider`.
    pub fn new(provider: Arc<CryptoProvider>) -> Self {
        Self {
            provider,
            seen: Mutex::new(Vec::new()),
        }
    }

    /// The chain of the last handshake (server certificate first).
    pub fn chain(&self) -> Vec<CertificateDer<'static>> {
        self.seen.lock().map(|c| c.clone()).unwrap_or_default()
    }
}

impl ServerCertVerifier for Recorder {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Ok(mut seen) = self.seen.lock() {
            *seen = std::iter::once(end_entity)
                .chain(intermediates)
                .map(|c| c.clone().into_owned())
                .collect();
        }
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
            &self.provider.signature_verification_algorithms,
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
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// Which protocol versions a connection may negotiate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Versions {
    /// TLS 1.3 and 1.2 (what a modern client offers).
    Modern,
    /// TLS 1.2 only.
    Tls12Only,
}

/// A client configuration that records the server's chain.
pub fn client_config(
    versions: Versions,
    alpn_http1: bool,
) -> Result<(rustls::ClientConfig, Arc<Recorder>), rustls::Error> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let recorder = Arc::new(Recorder::new(provider.clone()));
    let protocol_versions: &[&rustls::SupportedProtocolVersion] = match versions {
        Versions::Modern => &[&rustls::version::TLS13, &rustls::version::TLS12],
        Versions::Tls12Only => &[&rustls::version::TLS12],
    };
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(protocol_versions)?
        .dangerous()
        .with_custom_certificate_verifier(recorder.clone())
        .with_no_client_auth();
    if alpn_http1 {
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
    }
    Ok((config, recorder))
}

/// A completed handshake.
#[derive(Debug)]
pub struct Handshake {
    /// The negotiated version ("TLSv1_3", "TLSv1_2").
    pub version: String,
    /// The chain the server sent, its certificate first.
    pub chain: Vec<CertificateDer<'static>>,
    /// The open connection (used to send a request over it).
    pub stream: TlsStream<tokio::net::TcpStream>,
}

/// Connects to `addr` and completes a TLS handshake for `name`, within `timeout`.
pub async fn handshake(
    addr: SocketAddr,
    name: ServerName<'static>,
    versions: Versions,
    alpn_http1: bool,
    timeout: Duration,
) -> Result<Handshake, String> {
    let (config, recorder) = client_config(versions, alpn_http1).map_err(|e| e.to_string())?;
    let connector = TlsConnector::from(Arc::new(config));
    let work = async {
        let tcp = tokio::net::TcpStream::connect(addr)
            .await
            .map_err(|e| format!("TCP connect to {addr}: {e}"))?;
        let stream = connector
            .connect(name, tcp)
            .await
            .map_err(|e| format!("TLS handshake: {e}"))?;
        let version = stream
            .get_ref()
            .1
            .protocol_version()
            .map(|v| format!("{v:?}"))
            .unwrap_or_default();
        Ok(Handshake {
            version,
            chain: recorder.chain(),
            stream,
        })
    };
    tokio::time::timeout(timeout, work)
        .await
        .unwrap_or_else(|_| Err(format!("no TLS handshake with {addr} within {timeout:?}")))
}

/// Is the chain trusted (Mozilla roots, or equal to the pinned certificate)?
pub fn check_chain(
    chain: &[CertificateDer<'static>],
    trust: &Trust,
    now: UnixTime,
) -> Result<String, String> {
    let leaf = chain.first().ok_or("the server sent no certificate")?;
    match trust {
        Trust::SelfSigned(expected) => {
            if leaf.as_ref() == expected.as_ref() {
                Ok("the server's certificate is the given self-signed certificate".into())
            } else {
                Err("the server's certificate is not the one in --self-signed".into())
            }
        }
        Trust::Mozilla => {
            let ee = webpki::EndEntityCert::try_from(leaf)
                .map_err(|e| format!("the server's certificate does not parse: {e}"))?;
            ee.verify_for_usage(
                webpki::ALL_VERIFICATION_ALGS,
                webpki_roots::TLS_SERVER_ROOTS,
                &chain[1..],
                now,
                webpki::KeyUsage::server_auth(),
                None,
                None,
            )
            .map(|_| {
                format!(
                    "chains to a Mozilla root ({} certificates sent)",
                    chain.len()
                )
            })
            .map_err(|e| format!("not trusted by the Mozilla roots: {e}"))
        }
    }
}

/// Is the server's certificate valid for `name`?
pub fn check_name(
    chain: &[CertificateDer<'static>],
    name: &ServerName<'_>,
) -> Result<String, String> {
    let leaf = chain.first().ok_or("the server sent no certificate")?;
    let ee = webpki::EndEntityCert::try_from(leaf)
        .map_err(|e| format!("the server's certificate does not parse: {e}"))?;
    let shown = name.to_str();
    ee.verify_is_valid_for_subject_name(name)
        .map(|_| format!("valid for {shown}"))
        .map_err(|e| format!("not valid for {shown}: {e}"))
}

/// The validity window of the server's certificate, as seconds since the epoch.
pub fn validity(chain: &[CertificateDer<'static>]) -> Result<(i64, i64), String> {
    let leaf = chain.first().ok_or("the server sent no certificate")?;
    let (_, cert) = x509_parser::parse_x509_certificate(leaf.as_ref())
        .map_err(|e| format!("the server's certificate does not parse: {e}"))?;
    let v = cert.validity();
    Ok((v.not_before.timestamp(), v.not_after.timestamp()))
}

/// Days left on the server's certificate at `now_secs` (negative once expired).
pub fn days_left(not_after: i64, now_secs: i64) -> i64 {
    (not_after - now_secs).div_euclid(86_400)
}
