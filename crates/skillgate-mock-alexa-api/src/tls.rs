//! The mock's TLS identity: a local CA and a certificate for `127.0.0.1` / `localhost`,
//! kept in the mock's directory so every process that talks to it trusts the same CA.

use std::path::Path;
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair, SanType,
};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use crate::error::MockError;

/// The PEM files of the mock's TLS identity.
#[derive(Debug, Clone)]
pub(crate) struct Identity {
    pub(crate) ca_pem: String,
    pub(crate) cert_pem: String,
    pub(crate) key_pem: String,
}

fn gen_err(e: rcgen::Error) -> MockError {
    MockError::Tls(e.to_string())
}

impl Identity {
    /// Loads `ca.pem`, `cert.pem` and `key.pem` from `dir`, or generates and writes them.
    pub(crate) fn load_or_create(dir: &Path) -> Result<Self, MockError> {
        let (ca, cert, key) = (
            dir.join("ca.pem"),
            dir.join("cert.pem"),
            dir.join("key.pem"),
        );
        if let (Ok(ca_pem), Ok(cert_pem), Ok(key_pem)) = (
            std::fs::read_to_string(&ca),
            std::fs::read_to_string(&cert),
            std::fs::read_to_string(&key),
        ) {
            return Ok(Self {
                ca_pem,
                cert_pem,
                key_pem,
            });
        }
        let identity = Self::generate()?;
        std::fs::write(&ca, &identity.ca_pem).map_err(|e| MockError::io(&ca, e))?;
        std::fs::write(&cert, &identity.cert_pem).map_err(|e| MockError::io(&cert, e))?;
        write_private(&key, &identity.key_pem)?;
        Ok(identity)
    }

    fn generate() -> Result<Self, MockError> {
        let ca_key = KeyPair::generate().map_err(gen_err)?;
        let mut ca = CertificateParams::default();
        let mut dn = DistinguishedName::new();
        dn.push(
            DnType::CommonName,
            "skillgate mock Alexa API CA (local only)",
        );
        ca.distinguished_name = dn;
        ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        let ca_cert = ca.self_signed(&ca_key).map_err(gen_err)?;
        let issuer = Issuer::new(ca, ca_key);
        let key = KeyPair::generate().map_err(gen_err)?;
        let mut leaf = CertificateParams::new(vec!["localhost".to_owned()]).map_err(gen_err)?;
        leaf.subject_alt_names
            .push(SanType::IpAddress(std::net::Ipv4Addr::LOCALHOST.into()));
        leaf.subject_alt_names
            .push(SanType::IpAddress(std::net::Ipv6Addr::LOCALHOST.into()));
        let cert = leaf.signed_by(&key, &issuer).map_err(gen_err)?;
        Ok(Self {
            ca_pem: ca_cert.pem(),
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        })
    }

    /// The rustls server configuration (HTTP/1.1 only).
    pub(crate) fn server_config(&self) -> Result<Arc<rustls::ServerConfig>, MockError> {
        let certs = CertificateDer::pem_slice_iter(self.cert_pem.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| MockError::Tls(format!("certificate: {e}")))?;
        let key = PrivateKeyDer::from_pem_slice(self.key_pem.as_bytes())
            .map_err(|e| MockError::Tls(format!("key: {e}")))?;
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| MockError::Tls(e.to_string()))?
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .map_err(|e| MockError::Tls(e.to_string()))?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }
}

/// Writes a private key readable by its owner only (on Unix).
fn write_private(path: &Path, pem: &str) -> Result<(), MockError> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(|e| MockError::io(path, e))?;
    file.write_all(pem.as_bytes())
        .map_err(|e| MockError::io(path, e))
}
