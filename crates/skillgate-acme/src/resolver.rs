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

/// True when a handshake negotiated `acme-tls/1` (pass the connection's negotiated ALPN
/// protocol): a tls-alpn-01 validation, to be closed right after the handshake (RFC 8737,
/// section 3) instead of being served HTTP.
pub fn is_acme_validation(negotiated_alpn: Option<&[u8]>) -> bool {
    negotiated_alpn == Some(ACME_TLS_ALPN)
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_acme_tls_1_is_a_validation() {
        assert!(is_acme_validation(Some(b"acme-tls/1")));
        assert!(!is_acme_validation(Some(b"http/1.1")));
        assert!(!is_acme_validation(None));
    }

    #[test]
    fn challenges_are_kept_per_domain_case_insensitively() {
        let r = AcmeResolver::new();
        assert!(r.current().is_none());
        let key = crate::challenge::tls_alpn01_certificate("skill.test", &[1; 32]).unwrap();
        let key = Arc::new(key);
        r.set_challenge("Skill.Test", Arc::clone(&key));
        assert!(r.challenges.read().unwrap().contains_key("skill.test"));
        r.clear_challenge("SKILL.test");
        assert!(r.challenges.read().unwrap().is_empty());
        r.install(Arc::clone(&key));
        assert!(Arc::ptr_eq(&r.current().unwrap(), &key));
    }
}
