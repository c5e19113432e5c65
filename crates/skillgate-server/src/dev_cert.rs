//! Self-signed certificates: the development certificate `serve` creates on first start,
//! and the certificate for Alexa's "self-signed certificate" development option.

use std::io::Write;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use rcgen::{CertificateParams, DistinguishedName, DnType, KeyPair, SanType};

use crate::cert_store::fingerprint;

/// The names the development certificate is valid for.
pub const DEV_HOSTS: &[&str] = &["localhost", "127.0.0.1", "::1"];

/// A freshly generated certificate and key, PEM-encoded.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The certificate (PEM).
    pub cert_pem: String,
    /// The private key (PKCS#8 PEM).
    pub key_pem: String,
    /// SHA-256 fingerprint of the certificate.
    pub fingerprint: String,
}

/// Certificate files on disk.
#[derive(Debug, Clone)]
pub struct CertFiles {
    /// Certificate path.
    pub cert: PathBuf,
    /// Key path (mode 0600).
    pub key: PathBuf,
    /// SHA-256 fingerprint of the certificate.
    pub fingerprint: String,
    /// Whether the files were created just now (false: reused).
    pub created: bool,
}

/// Why a certificate could not be made or stored.
#[derive(Debug, thiserror::Error)]
pub enum DevCertError {
    /// Generation failed.
    #[error("cannot generate a certificate: {0}")]
    Generate(#[from] rcgen::Error),
    /// A file could not be written or read.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A name is neither a DNS name nor an IP address.
    #[error("invalid name {0:?}")]
    Name(String),
}

/// Generates an ECDSA P-256 self-signed certificate for `hosts` (DNS names or IPs), valid
/// for about two years.
pub fn generate(hosts: &[&str]) -> Result<Generated, DevCertError> {
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?;
    build(hosts, key, "skillgate development certificate")
}

/// A certificate for Alexa's "I will upload a self-signed certificate" option: RSA 2048,
/// the domain as common name and as DNS subject alternative name (what Amazon's
/// instructions produce with openssl).
pub fn alexa_self_signed(domain: &str) -> Result<Generated, DevCertError> {
    if rustls_pki_types::DnsName::try_from(domain).is_err() || domain.parse::<IpAddr>().is_ok() {
        return Err(DevCertError::Name(domain.to_owned()));
    }
    let key = KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256)?;
    let usages = vec![
        rcgen::KeyUsagePurpose::DigitalSignature,
        rcgen::KeyUsagePurpose::KeyEncipherment,
        rcgen::KeyUsagePurpose::DataEncipherment,
    ];
    build_with(&[domain], key, domain, usages)
}

fn build(hosts: &[&str], key: KeyPair, common_name: &str) -> Result<Generated, DevCertError> {
    build_with(hosts, key, common_name, Vec::new())
}

fn build_with(
    hosts: &[&str],
    key: KeyPair,
    common_name: &str,
    key_usages: Vec<rcgen::KeyUsagePurpose>,
) -> Result<Generated, DevCertError> {
    let mut params = CertificateParams::default();
    let mut sans = Vec::new();
    for host in hosts {
        if let Ok(ip) = host.parse::<IpAddr>() {
            sans.push(SanType::IpAddress(ip));
        } else {
            rustls_pki_types::DnsName::try_from(*host)
                .map_err(|_| DevCertError::Name((*host).to_owned()))?;
            let name = (*host)
                .try_into()
                .map_err(|_| DevCertError::Name((*host).to_owned()))?;
            sans.push(SanType::DnsName(name));
        }
    }
    params.subject_alt_names = sans;
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, common_name);
    dn.push(DnType::OrganizationName, "skillgate");
    params.distinguished_name = dn;
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::days(1);
    params.not_after = now + time::Duration::days(730);
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    params.key_usages = key_usages;
    let cert = params.self_signed(&key)?;
    Ok(Generated {
        fingerprint: fingerprint(cert.der()),
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
    })
}

/// Writes `cert.pem` and `key.pem` (0600) into `dir`, creating it.
pub fn write(dir: &Path, generated: &Generated) -> Result<CertFiles, DevCertError> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| DevCertError::Io { path, source }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let cert = dir.join("cert.pem");
    let key = dir.join("key.pem");
    write_private(&key, generated.key_pem.as_bytes()).map_err(io(&key))?;
    std::fs::write(&cert, &generated.cert_pem).map_err(io(&cert))?;
    Ok(CertFiles {
        cert,
        key,
        fingerprint: generated.fingerprint.clone(),
        created: true,
    })
}

/// The development certificate in `dir` (`cert.pem`, `key.pem`): reused when both exist,
/// generated for [`DEV_HOSTS`] otherwise.
pub fn ensure(dir: &Path) -> Result<CertFiles, DevCertError> {
    let cert = dir.join("cert.pem");
    let key = dir.join("key.pem");
    if cert.is_file() && key.is_file() {
        let pem = std::fs::read(&cert).map_err(|source| DevCertError::Io {
            path: cert.clone(),
            source,
        })?;
        use rustls_pki_types::pem::PemObject;
        let leaf = rustls_pki_types::CertificateDer::from_pem_slice(&pem).map_err(|e| {
            DevCertError::Io {
                path: cert.clone(),
                source: std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()),
            }
        })?;
        return Ok(CertFiles {
            fingerprint: fingerprint(&leaf),
            cert,
            key,
            created: false,
        });
    }
    write(dir, &generate(DEV_HOSTS)?)
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cert_store::CertStore;
    use crate::config::CertificateFiles;

    #[test]
    fn ensure_creates_then_reuses() {
        let dir = tempfile::tempdir().unwrap();
        let tls = dir.path().join("tls");
        let first = ensure(&tls).unwrap();
        assert!(first.created);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&first.key).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let second = ensure(&tls).unwrap();
        assert!(!second.created);
        assert_eq!(first.fingerprint, second.fingerprint);
        let store = CertStore::load(vec![CertificateFiles {
            cert: second.cert,
            key: second.key,
        }])
        .unwrap();
        assert_eq!(store.fingerprints(), vec![first.fingerprint]);
    }

    #[test]
    fn alexa_certificate_names_the_domain() {
        let g = alexa_self_signed("skill.example.com").unwrap();
        let der = rustls_pki_types::pem::PemObject::from_pem_slice(g.cert_pem.as_bytes())
            .map(|d: rustls_pki_types::CertificateDer<'static>| d)
            .unwrap();
        let ee = webpki::EndEntityCert::try_from(&der).unwrap();
        let name = rustls_pki_types::ServerName::try_from("skill.example.com").unwrap();
        ee.verify_is_valid_for_subject_name(&name).unwrap();
        assert!(g.key_pem.contains("PRIVATE KEY"));
        assert!(alexa_self_signed("bad name!").is_err());
    }
}
