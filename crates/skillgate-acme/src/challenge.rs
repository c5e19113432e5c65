//! Challenge responses: the tls-alpn-01 certificate (RFC 8737) and the http-01 token map with
//! a small port-80 server that answers `/.well-known/acme-challenge/TOKEN` and redirects
//! everything else to HTTPS.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, RwLock};

use bytes::Bytes;
use http_body_util::Full;
use hyper_util::rt::TokioIo;
use rcgen::{CertificateParams, CustomExtension, KeyPair};
use rustls::sign::CertifiedKey;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::error::AcmeError;

/// The path prefix of http-01 requests.
pub const HTTP01_PREFIX: &str = "/.well-known/acme-challenge/";

/// The self-signed certificate answering a tls-alpn-01 challenge for `domain`: SAN
/// `domain` and the critical `acmeIdentifier` extension holding `digest` (SHA-256 of the key
/// authorization).
pub fn tls_alpn01_certificate(domain: &str, digest: &[u8]) -> Result<CertifiedKey, AcmeError> {
    if digest.len() != 32 {
        return Err(AcmeError::Certificate(format!(
            "tls-alpn-01 digest has {} bytes, not 32",
            digest.len()
        )));
    }
    let fail = |e: rcgen::Error| AcmeError::Certificate(format!("tls-alpn-01 certificate: {e}"));
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(fail)?;
    let mut params = CertificateParams::new(vec![domain.to_string()]).map_err(fail)?;
    params
        .custom_extensions
        .push(CustomExtension::new_acme_identifier(digest));
    let cert = params.self_signed(&key).map_err(fail)?;
    let der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let signing = rustls::crypto::aws_lc_rs::default_provider()
        .key_provider
        .load_private_key(der)
        .map_err(|e| AcmeError::Certificate(e.to_string()))?;
    Ok(CertifiedKey::new(
        vec![CertificateDer::from(cert.der().to_vec())],
        signing,
    ))
}

/// http-01 answers by token.
#[derive(Debug, Default)]
pub struct Http01Tokens {
    tokens: RwLock<HashMap<String, String>>,
}

impl Http01Tokens {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Answers `token` with `key_authorization` until removed.
    pub fn insert(&self, token: &str, key_authorization: &str) {
        if let Ok(mut map) = self.tokens.write() {
            map.insert(token.to_string(), key_authorization.to_string());
        }
    }

    /// Stops answering `token`.
    pub fn remove(&self, token: &str) {
        if let Ok(mut map) = self.tokens.write() {
            map.remove(token);
        }
    }

    /// The answer to a request for `path`, if it is a known challenge.
    pub fn respond(&self, path: &str) -> Option<String> {
        let token = path.strip_prefix(HTTP01_PREFIX)?;
        self.tokens.read().ok()?.get(token).cloned()
    }
}

/// What the port-80 listener answers to `host` + `path_and_query` (pure).
pub fn http01_answer(
    tokens: &Http01Tokens,
    host: Option<&str>,
    path_and_query: &str,
) -> (u16, Vec<(&'static str, String)>, String) {
    if let Some(answer) = tokens.respond(path_and_query) {
        return (
            200,
            vec![("content-type", "application/octet-stream".into())],
            answer,
        );
    }
    match host.map(|h| h.rsplit_once(':').map_or(h, |(name, _)| name)) {
        Some(name) if !name.is_empty() && !name.contains(['/', '\\', '@']) => (
            301,
            vec![("location", format!("https://{name}{path_and_query}"))],
            String::new(),
        ),
        _ => (400, Vec::new(), String::new()),
    }
}

/// Serves http-01 answers and HTTPS redirects on `listener` until the task is dropped.
pub async fn serve_http01(listener: tokio::net::TcpListener, tokens: Arc<Http01Tokens>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            // Out of file descriptors and the like: do not spin.
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            continue;
        };
        let tokens = Arc::clone(&tokens);
        tokio::spawn(async move {
            let service =
                hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                    let host = req
                        .headers()
                        .get(hyper::header::HOST)
                        .and_then(|h| h.to_str().ok())
                        .map(str::to_string);
                    let path = req
                        .uri()
                        .path_and_query()
                        .map_or("/", |p| p.as_str())
                        .to_string();
                    let (status, headers, body) = http01_answer(&tokens, host.as_deref(), &path);
                    let mut response = hyper::Response::builder().status(status);
                    for (name, value) in headers {
                        response = response.header(name, value);
                    }
                    let response = response
                        .body(Full::new(Bytes::from(body)))
                        .unwrap_or_else(|_| hyper::Response::new(Full::new(Bytes::new())));
                    async move { Ok::<_, Infallible>(response) }
                });
            let _ = hyper::server::conn::http1::Builder::new()
                .header_read_timeout(std::time::Duration::from_secs(10))
                .timer(hyper_util::rt::TokioTimer::new())
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http01_answers_tokens_and_redirects_the_rest() {
        let t = Http01Tokens::new();
        t.insert("abc", "abc.thumb");
        assert_eq!(
            http01_answer(&t, Some("skill.test"), "/.well-known/acme-challenge/abc").2,
            "abc.thumb"
        );
        let (status, headers, _) = http01_answer(&t, Some("skill.test:80"), "/alexa?x=1");
        assert_eq!(status, 301);
        assert_eq!(headers[0].1, "https://skill.test/alexa?x=1");
        assert_eq!(http01_answer(&t, None, "/").0, 400);
        assert_eq!(http01_answer(&t, Some("evil@x"), "/").0, 400);
        t.remove("abc");
        assert_eq!(
            http01_answer(&t, Some("skill.test"), "/.well-known/acme-challenge/abc").0,
            301
        );
    }

    #[test]
    fn the_tls_alpn_certificate_carries_the_digest() {
        let digest = [7u8; 32];
        let key = tls_alpn01_certificate("skill.test", &digest).unwrap();
        let der = key.cert[0].as_ref();
        let (_, cert) = x509_parser::parse_x509_certificate(der).unwrap();
        let ext = cert
            .extensions()
            .iter()
            .find(|e| e.oid.to_id_string() == "1.3.6.1.5.5.7.1.31")
            .unwrap();
        assert!(ext.critical);
        assert!(ext.value.ends_with(&digest));
        assert!(tls_alpn01_certificate("skill.test", &[1, 2]).is_err());
    }
}
