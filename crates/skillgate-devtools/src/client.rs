//! The HTTPS edge: sends a signed body to a skill endpoint and returns the answer.
//!
//! Trust: the Mozilla roots, plus certificates the user names (`--cacert`, and the
//! server's own development certificate from the data directory). A named certificate is
//! trusted both as a root and pinned as is, so a self-signed server certificate works
//! whatever its CA flag or names.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, RootCertStore, SignatureScheme};

use crate::error::Error;
use crate::sign::SignatureHeaders;

/// How the client decides whether to trust the server.
#[derive(Debug, Clone, Default)]
pub struct TrustOptions {
    /// PEM files whose certificates are trusted in addition to the Mozilla roots.
    pub extra_certs: Vec<PathBuf>,
    /// Accept any server certificate (development only).
    pub insecure: bool,
    /// Whole-request timeout (default 10 s).
    pub timeout: Option<Duration>,
}

/// An HTTP answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The status code.
    pub status: u16,
    /// The body bytes.
    pub body: Vec<u8>,
}

impl Reply {
    /// The body as JSON, if it is JSON.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

/// A reusable HTTPS client (keep-alive between turns of a dialog).
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
}

#[derive(Debug)]
struct Verifier {
    pinned: Vec<CertificateDer<'static>>,
    webpki: Arc<WebPkiServerVerifier>,
    insecure: bool,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if self.insecure
            || self
                .pinned
                .iter()
                .any(|p| p.as_ref() == end_entity.as_ref())
        {
            return Ok(ServerCertVerified::assertion());
        }
        self.webpki
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
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

/// Reads every certificate of a PEM file.
pub fn read_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, Error> {
    let certs = CertificateDer::pem_file_iter(path)
        .and_then(|iter| iter.collect::<Result<Vec<_>, _>>())
        .map_err(|e| Error::Pem {
            path: path.to_path_buf(),
            what: format!("cannot read certificates: {e}"),
        })?;
    if certs.is_empty() {
        return Err(Error::Pem {
            path: path.to_path_buf(),
            what: "no certificate in the file".into(),
        });
    }
    Ok(certs)
}

fn client_error(e: impl std::fmt::Display) -> Error {
    Error::Client(e.to_string())
}

impl Client {
    /// Builds a client with the given trust.
    pub fn new(options: &TrustOptions) -> Result<Self, Error> {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let mut roots = RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        let mut pinned = Vec::new();
        for path in &options.extra_certs {
            for cert in read_certs(path)? {
                // A self-signed leaf may not parse as an anchor: pinning still trusts it.
                let _ = roots.add(cert.clone());
                pinned.push(cert);
            }
        }
        let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
            .build()
            .map_err(client_error)?;
        let verifier = Verifier {
            pinned,
            webpki,
            insecure: options.insecure,
            provider: provider.clone(),
        };
        let mut config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(client_error)?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
            .with_no_client_auth();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        let http = reqwest::Client::builder()
            .use_preconfigured_tls(config)
            .timeout(options.timeout.unwrap_or(Duration::from_secs(10)))
            .user_agent(concat!("skillgate-devtools/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(client_error)?;
        Ok(Self { http })
    }

    /// POSTs `body` with the signature headers to `url` and reads the whole answer.
    pub async fn send(
        &self,
        url: &str,
        body: Vec<u8>,
        headers: &SignatureHeaders,
    ) -> Result<Reply, Error> {
        let mut request = self.http.post(url).body(body);
        for (name, value) in headers.pairs() {
            request = request.header(name, value);
        }
        let send_error = |e: reqwest::Error| Error::Send {
            url: url.to_string(),
            message: describe(&e),
        };
        let response = request.send().await.map_err(send_error)?;
        let status = response.status().as_u16();
        let body = response.bytes().await.map_err(send_error)?;
        Ok(Reply {
            status,
            body: body.to_vec(),
        })
    }
}

/// The error and its causes on one line (reqwest's own message is terse).
fn describe(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let s_text = s.to_string();
        if !text.contains(&s_text) {
            text.push_str(": ");
            text.push_str(&s_text);
        }
        source = s.source();
    }
    text
}
