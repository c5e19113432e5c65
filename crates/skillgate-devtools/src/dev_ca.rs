//! The local development CA: a self-made root and an RSA signing certificate for
//! `echo-api.amazon.com`, so simulated requests pass full verification on a server that
//! trusts this CA (`serve --dev-ca`) and fail like any forgery everywhere else.

use std::fmt;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, PKCS_RSA_SHA256, SanType, SerialNumber,
};
use rustls_pki_types::pem::PemObject as _;
use rustls_pki_types::{CertificateDer, PrivatePkcs8KeyDer};
use time::{Duration, OffsetDateTime};

use crate::error::Error;
use crate::sign::Signer;

/// The chain URL dev-signed requests carry in `SignatureCertChainUrl`.
///
/// It is well formed by Amazon's rules (https, `s3.amazonaws.com`, `/echo.api/`), so it goes
/// through the same URL checks as a real one. Nobody can serve a chain for it that chains to
/// a trusted root: a server without the dev CA switch fails such requests exactly like any
/// forgery. A server with the switch resolves this one URL to the local chain, no download.
pub const DEV_CHAIN_URL: &str = "https://s3.amazonaws.com/echo.api/skillgate-dev-ca.pem";

/// The subject common name of the development CA.
pub const CA_COMMON_NAME: &str = "skillgate development CA — not Amazon";

/// The DNS name Amazon's verification rules require in the signing certificate.
pub const SIGNING_DNS_NAME: &str = "echo-api.amazon.com";

/// File name of the CA certificate (the trust anchor) inside the dev CA directory.
pub const CA_FILE: &str = "ca.pem";
/// File name of the signing chain (signing certificate first, then the CA).
pub const CHAIN_FILE: &str = "chain.pem";
/// File name of the signing key (PKCS#8 PEM, mode 0600).
pub const KEY_FILE: &str = "signing-key.pem";

/// Where the files of a development CA live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevCaPaths {
    /// The directory (`<data>/dev-ca`).
    pub dir: PathBuf,
    /// The CA certificate.
    pub ca: PathBuf,
    /// The signing chain.
    pub chain: PathBuf,
    /// The signing key.
    pub signing_key: PathBuf,
}

impl DevCaPaths {
    /// The file paths inside `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        let dir = dir.into();
        Self {
            ca: dir.join(CA_FILE),
            chain: dir.join(CHAIN_FILE),
            signing_key: dir.join(KEY_FILE),
            dir,
        }
    }

    /// Whether any of the three files exists.
    pub fn any_exists(&self) -> bool {
        self.ca.exists() || self.chain.exists() || self.signing_key.exists()
    }
}

/// A development CA in memory: PEM text of the CA, the signing chain and the signing key.
#[derive(Clone)]
pub struct DevCa {
    ca_pem: String,
    chain_pem: String,
    key_pem: String,
}

impl fmt::Debug for DevCa {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DevCa")
            .field("ca_pem", &self.ca_pem)
            .field("chain_pem", &self.chain_pem)
            .field("key_pem", &"<redacted>")
            .finish()
    }
}

fn gen_err(e: impl fmt::Display) -> Error {
    Error::Generate(e.to_string())
}

fn random_serial() -> SerialNumber {
    let mut bytes = [0u8; 16];
    use aws_lc_rs::rand::SecureRandom as _;
    if aws_lc_rs::rand::SystemRandom::new()
        .fill(&mut bytes)
        .is_err()
    {
        bytes = [1; 16];
    }
    bytes[0] &= 0x7f; // positive
    bytes[0] |= 0x01; // and not shortened by DER
    SerialNumber::from_slice(&bytes)
}

impl DevCa {
    /// Generates a new CA (RSA-2048, 10 years) and a signing certificate it issues
    /// (RSA-2048, 1 year, SAN `echo-api.amazon.com`, serverAuth, digitalSignature),
    /// both valid from one hour before `now`.
    pub fn generate(now: OffsetDateTime) -> Result<Self, Error> {
        let not_before = now - Duration::hours(1);

        let ca_key = KeyPair::generate_for(&PKCS_RSA_SHA256).map_err(gen_err)?;
        let mut ca_params = CertificateParams::default();
        let mut ca_dn = DistinguishedName::new();
        ca_dn.push(DnType::CommonName, CA_COMMON_NAME);
        ca_dn.push(
            DnType::OrganizationName,
            "skillgate (local development only)",
        );
        ca_params.distinguished_name = ca_dn;
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        ca_params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        ca_params.not_before = not_before;
        ca_params.not_after = now + Duration::days(3653);
        ca_params.serial_number = Some(random_serial());
        let ca_cert = ca_params.self_signed(&ca_key).map_err(gen_err)?;
        let issuer = Issuer::new(ca_params, ca_key);

        let key = KeyPair::generate_for(&PKCS_RSA_SHA256).map_err(gen_err)?;
        let mut params = CertificateParams::default();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, SIGNING_DNS_NAME);
        dn.push(
            DnType::OrganizationName,
            "skillgate development signer — not Amazon",
        );
        params.distinguished_name = dn;
        params.subject_alt_names = vec![SanType::DnsName(
            SIGNING_DNS_NAME.try_into().map_err(gen_err)?,
        )];
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.use_authority_key_identifier_extension = true;
        params.not_before = not_before;
        params.not_after = now + Duration::days(365);
        params.serial_number = Some(random_serial());
        let cert = params.signed_by(&key, &issuer).map_err(gen_err)?;

        let ca_pem = ca_cert.pem();
        Ok(Self {
            chain_pem: format!("{}{}", cert.pem(), ca_pem),
            ca_pem,
            key_pem: key.serialize_pem(),
        })
    }

    /// Builds a dev CA from PEM text (e.g. files made elsewhere), checking that each part
    /// parses and that the key signs.
    pub fn from_pem(ca_pem: String, chain_pem: String, key_pem: String) -> Result<Self, Error> {
        let ca = Self {
            ca_pem,
            chain_pem,
            key_pem,
        };
        ca.ca_der()?;
        if ca.chain_ders()?.is_empty() {
            return Err(Error::Pem {
                path: PathBuf::from(CHAIN_FILE),
                what: "no certificate in the chain".into(),
            });
        }
        ca.signer()?;
        Ok(ca)
    }

    /// Loads the dev CA from `dir`; [`Error::Missing`] if it was never created.
    pub fn load(dir: &Path) -> Result<Self, Error> {
        let paths = DevCaPaths::new(dir);
        if !paths.signing_key.exists() || !paths.chain.exists() || !paths.ca.exists() {
            return Err(Error::Missing(dir.to_path_buf()));
        }
        let read = |p: &Path| fs::read_to_string(p).map_err(|e| Error::io(p, e));
        let ca = Self {
            ca_pem: read(&paths.ca)?,
            chain_pem: read(&paths.chain)?,
            key_pem: read(&paths.signing_key)?,
        };
        ca.ca_der().map_err(|e| relabel(e, &paths.ca))?;
        match ca.chain_ders() {
            Ok(c) if !c.is_empty() => {}
            Ok(_) => {
                return Err(Error::Pem {
                    path: paths.chain,
                    what: "no certificate in the chain".into(),
                });
            }
            Err(e) => return Err(relabel(e, &paths.chain)),
        }
        ca.signer().map_err(|e| relabel(e, &paths.signing_key))?;
        Ok(ca)
    }

    /// Writes the three files into `dir` (created if needed). Refuses to replace an
    /// existing CA unless `force`. The key file is created with mode 0600.
    pub fn write(&self, dir: &Path, force: bool) -> Result<DevCaPaths, Error> {
        let paths = DevCaPaths::new(dir);
        if paths.any_exists() && !force {
            return Err(Error::AlreadyExists(dir.to_path_buf()));
        }
        fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        write_file(&paths.signing_key, self.key_pem.as_bytes(), true)?;
        write_file(&paths.chain, self.chain_pem.as_bytes(), false)?;
        write_file(&paths.ca, self.ca_pem.as_bytes(), false)?;
        Ok(paths)
    }

    /// The CA certificate as PEM.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// The signing chain as PEM (what the dev chain URL resolves to).
    pub fn chain_pem(&self) -> &str {
        &self.chain_pem
    }

    /// The CA certificate (DER), the extra trust anchor of `serve --dev-ca`.
    pub fn ca_der(&self) -> Result<CertificateDer<'static>, Error> {
        CertificateDer::from_pem_slice(self.ca_pem.as_bytes()).map_err(|e| Error::Pem {
            path: PathBuf::from(CA_FILE),
            what: format!("not a PEM certificate: {e}"),
        })
    }

    /// The certificates of the signing chain (DER), signing certificate first.
    pub fn chain_ders(&self) -> Result<Vec<CertificateDer<'static>>, Error> {
        CertificateDer::pem_slice_iter(self.chain_pem.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| Error::Pem {
                path: PathBuf::from(CHAIN_FILE),
                what: format!("not a PEM chain: {e}"),
            })
    }

    /// A request signer using this CA's signing key and [`DEV_CHAIN_URL`].
    pub fn signer(&self) -> Result<Signer, Error> {
        let key = PrivatePkcs8KeyDer::from_pem_slice(self.key_pem.as_bytes()).map_err(|e| {
            Error::Pem {
                path: PathBuf::from(KEY_FILE),
                what: format!("not a PKCS#8 private key: {e}"),
            }
        })?;
        Signer::from_pkcs8(key.secret_pkcs8_der(), DEV_CHAIN_URL)
    }
}

fn relabel(e: Error, path: &Path) -> Error {
    match e {
        Error::Pem { what, .. } => Error::Pem {
            path: path.to_path_buf(),
            what,
        },
        Error::Sign(what) => Error::Pem {
            path: path.to_path_buf(),
            what,
        },
        other => other,
    }
}

fn write_file(path: &Path, contents: &[u8], secret: bool) -> Result<(), Error> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(if secret { 0o600 } else { 0o644 });
    }
    #[cfg(not(unix))]
    let _ = secret;
    let mut file = options.open(path).map_err(|e| Error::io(path, e))?;
    #[cfg(unix)]
    if secret {
        // An existing file keeps its old mode on open: tighten it explicitly.
        use std::os::unix::fs::PermissionsExt as _;
        file.set_permissions(fs::Permissions::from_mode(0o600))
            .map_err(|e| Error::io(path, e))?;
    }
    file.write_all(contents).map_err(|e| Error::io(path, e))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::sync::OnceLock;

    /// RSA key generation takes a moment: the tests share one CA.
    pub(crate) fn shared() -> &'static DevCa {
        static CA: OnceLock<DevCa> = OnceLock::new();
        CA.get_or_init(|| DevCa::generate(OffsetDateTime::now_utc()).unwrap())
    }

    #[test]
    fn chain_url_is_well_formed_by_amazon_rules() {
        assert!(DEV_CHAIN_URL.starts_with("https://s3.amazonaws.com/echo.api/"));
        assert!(!DEV_CHAIN_URL.contains(".."));
    }

    #[test]
    fn chain_verifies_to_the_ca_for_echo_api() {
        let ca = shared();
        let anchor_der = ca.ca_der().unwrap();
        let anchor = webpki::anchor_from_trusted_cert(&anchor_der).unwrap();
        let chain = ca.chain_ders().unwrap();
        assert_eq!(chain.len(), 2);
        let ee = webpki::EndEntityCert::try_from(&chain[0]).unwrap();
        let now = rustls_pki_types::UnixTime::now();
        ee.verify_for_usage(
            webpki::ALL_VERIFICATION_ALGS,
            &[anchor],
            &chain[1..],
            now,
            webpki::KeyUsage::server_auth(),
            None,
            None,
        )
        .unwrap();
        let name = rustls_pki_types::ServerName::try_from(SIGNING_DNS_NAME).unwrap();
        ee.verify_is_valid_for_subject_name(&name).unwrap();
    }

    #[test]
    fn chain_is_not_trusted_by_the_mozilla_roots() {
        let ca = shared();
        let chain = ca.chain_ders().unwrap();
        let ee = webpki::EndEntityCert::try_from(&chain[0]).unwrap();
        let err = ee
            .verify_for_usage(
                webpki::ALL_VERIFICATION_ALGS,
                webpki_roots::TLS_SERVER_ROOTS,
                &chain[1..],
                rustls_pki_types::UnixTime::now(),
                webpki::KeyUsage::server_auth(),
                None,
                None,
            )
            .err();
        assert!(err.is_some());
    }

    #[test]
    fn write_load_round_trip_and_refuses_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("dev-ca");
        let ca = shared();
        let paths = ca.write(&sub, false).unwrap();
        assert!(paths.ca.exists() && paths.chain.exists() && paths.signing_key.exists());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = fs::metadata(&paths.signing_key)
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let loaded = DevCa::load(&sub).unwrap();
        assert_eq!(loaded.ca_pem(), ca.ca_pem());
        assert_eq!(loaded.chain_pem(), ca.chain_pem());
        assert!(matches!(
            ca.write(&sub, false),
            Err(Error::AlreadyExists(_))
        ));
        ca.write(&sub, true).unwrap();
    }

    #[test]
    fn load_reports_missing_and_corrupt_files() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(DevCa::load(dir.path()), Err(Error::Missing(_))));
        shared().write(dir.path(), false).unwrap();
        fs::write(dir.path().join(KEY_FILE), "not a key").unwrap();
        let err = DevCa::load(dir.path()).unwrap_err();
        assert!(err.to_string().contains(KEY_FILE), "{err}");
    }

    #[test]
    fn debug_never_shows_the_key() {
        let text = format!("{:?}", shared());
        assert!(!text.contains("PRIVATE KEY"));
    }
}
