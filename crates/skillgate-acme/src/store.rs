//! The state directory: the ACME account key and the current certificate and key, each in
//! one file of mode 0600 (directory 0700), written atomically (temporary file + rename) so a
//! crash never leaves half a key. Files are named by a hash of the directory URL (and of the
//! domains, for certificates), so staging and production accounts never mix.
//!
//! ```text
//! <dir>/account-<hash(directory)>.json        instant-acme account credentials (private key)
//! <dir>/cert-<hash(directory, domains)>.pem   certificate chain, leaf first
//! <dir>/key-<hash(directory, domains)>.pem    its private key
//! ```

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use rustls::sign::CertifiedKey;
use rustls_pki_types::pem::PemObject as _;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use crate::error::AcmeError;

/// A certificate in use, with its validity window.
#[derive(Clone)]
pub struct Issued {
    /// The chain (PEM, leaf first).
    pub chain_pem: String,
    /// The private key (PEM).
    pub key_pem: String,
    /// Ready for rustls.
    pub certified: Arc<CertifiedKey>,
    /// Start of validity.
    pub not_before: SystemTime,
    /// End of validity.
    pub not_after: SystemTime,
    /// The leaf's serial number (hex), to tell certificates apart in logs and tests.
    pub serial: String,
}

impl std::fmt::Debug for Issued {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Issued")
            .field("serial", &self.serial)
            .field("not_before", &self.not_before)
            .field("not_after", &self.not_after)
            .finish_non_exhaustive()
    }
}

impl Issued {
    /// Parses a PEM chain and key into a certificate rustls can serve.
    pub fn from_pem(chain_pem: String, key_pem: String) -> Result<Self, String> {
        let chain: Vec<CertificateDer<'static>> =
            CertificateDer::pem_slice_iter(chain_pem.as_bytes())
                .collect::<Result<_, _>>()
                .map_err(|e| format!("certificate chain: {e}"))?;
        let leaf = chain.first().ok_or("no certificate in the chain")?;
        let (_, parsed) = x509_parser::parse_x509_certificate(leaf.as_ref())
            .map_err(|e| format!("certificate: {e}"))?;
        let validity = parsed.validity();
        let to_time = |secs: i64| {
            SystemTime::UNIX_EPOCH + Duration::from_secs(u64::try_from(secs).unwrap_or(0))
        };
        let not_before = to_time(validity.not_before.timestamp());
        let not_after = to_time(validity.not_after.timestamp());
        let serial = parsed.raw_serial_as_string();
        let key = PrivateKeyDer::from_pem_slice(key_pem.as_bytes())
            .map_err(|e| format!("private key: {e}"))?;
        let provider = rustls::crypto::aws_lc_rs::default_provider();
        let signing = provider
            .key_provider
            .load_private_key(key)
            .map_err(|e| format!("private key: {e}"))?;
        let certified = CertifiedKey::new(chain, signing);
        certified
            .keys_match()
            .map_err(|e| format!("key does not match the certificate: {e}"))?;
        Ok(Self {
            chain_pem,
            key_pem,
            certified: Arc::new(certified),
            not_before,
            not_after,
            serial,
        })
    }
}

/// The state directory of one ACME configuration.
#[derive(Debug, Clone)]
pub struct Store {
    dir: PathBuf,
    account: PathBuf,
    cert: PathBuf,
    key: PathBuf,
}

fn short_hash(parts: &[&str]) -> String {
    let mut ctx = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
    for p in parts {
        ctx.update(p.as_bytes());
        ctx.update(&[0]);
    }
    ctx.finish().as_ref()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Writes `bytes` to `path` with mode 0600, atomically.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<(), AcmeError> {
    let io = |source| AcmeError::Io {
        path: path.to_path_buf(),
        source,
    };
    let tmp = path.with_extension("tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(&tmp).map_err(io)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        // An older file of the same name may have had other permissions.
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(io)?;
    }
    file.write_all(bytes).map_err(io)?;
    file.sync_all().map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)
}

fn read_optional(path: &Path) -> Result<Option<String>, AcmeError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(AcmeError::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

impl Store {
    /// The store for `directory_url` and `domains` in `dir` (created with mode 0700).
    pub fn open(dir: &Path, directory_url: &str, domains: &[String]) -> Result<Self, AcmeError> {
        std::fs::create_dir_all(dir).map_err(|source| AcmeError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(
                |source| AcmeError::Io {
                    path: dir.to_path_buf(),
                    source,
                },
            )?;
        }
        let account = dir.join(format!("account-{}.json", short_hash(&[directory_url])));
        let mut parts = vec![directory_url];
        parts.extend(domains.iter().map(String::as_str));
        let id = short_hash(&parts);
        Ok(Self {
            dir: dir.to_path_buf(),
            account,
            cert: dir.join(format!("cert-{id}.pem")),
            key: dir.join(format!("key-{id}.pem")),
        })
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The account file.
    pub fn account_path(&self) -> &Path {
        &self.account
    }

    /// The certificate and key files.
    pub fn cert_paths(&self) -> (&Path, &Path) {
        (&self.cert, &self.key)
    }

    /// The stored account credentials (JSON), if any.
    pub fn load_account(&self) -> Result<Option<String>, AcmeError> {
        read_optional(&self.account)
    }

    /// Stores the account credentials.
    pub fn save_account(&self, json: &str) -> Result<(), AcmeError> {
        write_private(&self.account, json.as_bytes())
    }

    /// The stored certificate, if both files exist and parse.
    pub fn load_certificate(&self) -> Result<Option<Issued>, AcmeError> {
        let (Some(chain), Some(key)) = (read_optional(&self.cert)?, read_optional(&self.key)?)
        else {
            return Ok(None);
        };
        Issued::from_pem(chain, key)
            .map(Some)
            .map_err(|what| AcmeError::Stored {
                path: self.cert.clone(),
                what,
            })
    }

    /// Stores a certificate (key first: a chain never exists without its key).
    pub fn save_certificate(&self, issued: &Issued) -> Result<(), AcmeError> {
        write_private(&self.key, issued.key_pem.as_bytes())?;
        write_private(&self.cert, issued.chain_pem.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn self_signed(name: &str) -> (String, String) {
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec![name.to_string()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        (cert.pem(), key.serialize_pem())
    }

    #[test]
    fn certificates_round_trip_in_private_files() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("acme");
        let domains = vec!["skill.test".to_string()];
        let store = Store::open(&state, "https://ca.test/dir", &domains).unwrap();
        assert!(store.load_certificate().unwrap().is_none());
        assert!(store.load_account().unwrap().is_none());
        let (cert, key) = self_signed("skill.test");
        let issued = Issued::from_pem(cert, key).unwrap();
        store.save_certificate(&issued).unwrap();
        store.save_account("{\"id\":\"x\"}").unwrap();
        let again = Store::open(&state, "https://ca.test/dir", &domains).unwrap();
        let loaded = again.load_certificate().unwrap().unwrap();
        assert_eq!(loaded.serial, issued.serial);
        assert_eq!(loaded.not_after, issued.not_after);
        assert_eq!(again.load_account().unwrap().unwrap(), "{\"id\":\"x\"}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&state), 0o700);
            let (c, k) = again.cert_paths();
            for p in [c, k, again.account_path()] {
                assert_eq!(mode(p), 0o600, "{}", p.display());
            }
        }
        // No temporary file is left behind.
        let names: Vec<_> = std::fs::read_dir(&state)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
        // Another directory or other domains: other files.
        let staging = Store::open(&state, "https://staging.ca.test/dir", &domains).unwrap();
        assert_ne!(staging.account_path(), again.account_path());
        assert!(staging.load_certificate().unwrap().is_none());
    }

    #[test]
    fn a_key_that_does_not_match_is_refused() {
        let (cert, _) = self_signed("skill.test");
        let (_, other_key) = self_signed("skill.test");
        let err = Issued::from_pem(cert, other_key).unwrap_err();
        assert!(err.contains("does not match"), "{err}");
        assert!(Issued::from_pem("garbage".into(), "garbage".into()).is_err());
    }
}
