//! The rustls certificate resolver: the current certificate for ordinary handshakes, the
//! tls-alpn-01 challenge certificate for handshakes that offer only `acme-tls/1`.
//!
//! Swapping the certificate is one pointer store under a short write lock: handshakes in
//! progress keep the `Arc` they already have, open connections are untouched.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;

/// The ALPN protocol of tls-alpn-01 (RFC 8737). The server must list it in
/// `ServerConfig::alpn_protocols` and close a connection that negotiated it right after the
/// handshake.
pub const ACME_TLS_ALPN: &[u8] = b"acme-tls/1";

/// Serves the current certificate and tls-alpn-01 challenge certificates.
#[derive(Debug, Default)]
pub struct AcmeResolver {
    current: RwLock<Option<Arc<CertifiedKey>>>,
    challenges: RwLock<HashMap<String, Arc<CertifiedKey>>>,
}

impl AcmeResolver {
    /// An empty resolver (handshakes fail until a certificate is installed).
    pub fn new() -> Self {
        Self::default()
    }

    /// Installs `key` as the certificate of every ordinary handshake from now on.
    pub fn install(&self, key: Arc<CertifiedKey>) {
        if let Ok(mut current) = self.current.write() {
            *current = Some(key);
        }
    }

    /// The certificate ordinary handshakes get.
    pub fn current(&self) -> Option<Arc<CertifiedKey>> {
        self.current.read().ok().and_then(|c| c.clone())
    }

    /// Sets the tls-alpn-01 certificate for `domain` (lowercase).
    pub fn set_challenge(&self, domain: &str, key: Arc<CertifiedKey>) {
        if let Ok(mut map) = self.challenges.write() {
            map.insert(domain.to_ascii_lowercase(), key);
        }
    }

    /// Removes the tls-alpn-01 certificate for `domain`.
    pub fn clear_challenge(&self, domain: &str) {
        if let Ok(mut map) = self.challenges.write() {
            map.remove(&domain.to_ascii_lowercase());
        }
    }
}

impl ResolvesServerCert for AcmeResolver {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        let acme = hello
            .alpn()
            .is_some_and(|mut protocols| protocols.any(|p| p == ACME_TLS_ALPN));
        if acme {
            let name = hello.server_name()?.to_ascii_lowercase();
            return self.challenges.read().ok()?.get(&name).cloned();
        }
        self.current()
    }
}
