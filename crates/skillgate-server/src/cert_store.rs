//! The server's TLS certificates: loaded from PEM files, chosen by SNI, swapped in place
//! when the files change (certbot renewals) or on SIGHUP, without a restart.
//!
//! A reload that fails (missing file, bad PEM, key not matching the certificate) keeps the
//! certificates already in use.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::SystemTime;

use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName};

use crate::config::CertificateFiles;

/// Why certificates could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum CertError {
    /// A file could not be read or held no usable PEM.
    #[error("{path}: {message}")]
    File {
        /// The file.
        path: PathBuf,
        /// What was wrong.
        message: String,
    },
    /// The key does not belong to the certificate, or is of an unsupported type.
    #[error("{path}: {message}")]
    Key {
        /// The key file.
        path: PathBuf,
        /// What was wrong.
        message: String,
    },
    /// No certificate was configured.
    #[error("no certificate configured")]
    Empty,
}

/// One loaded certificate chain with its key and the file stamps it was read at.
struct Loaded {
    key: Arc<CertifiedKey>,
    fingerprint: String,
    stamp: (Option<SystemTime>, Option<SystemTime>),
}

/// The certificates in use, swappable while connections are served.
///
/// Implements [`ResolvesServerCert`]: with one certificate it is always served; with
/// several, the first whose names match the client's SNI is served, else the first.
pub struct CertStore {
    files: Vec<CertificateFiles>,
    loaded: RwLock<Arc<Vec<Loaded>>>,
}

impl fmt::Debug for CertStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CertStore")
            .field("files", &self.files)
            .field("fingerprints", &self.fingerprints())
            .finish()
    }
}

impl CertStore {
    /// Loads every pair; fails if any cannot be used.
    pub fn load(files: Vec<CertificateFiles>) -> Result<Self, CertError> {
        if files.is_empty() {
            return Err(CertError::Empty);
        }
        let loaded = load_all(&files)?;
        Ok(Self {
            files,
            loaded: RwLock::new(Arc::new(loaded)),
        })
    }

    /// Re-reads every file. On success the new certificates serve new handshakes and the
    /// result says whether anything changed; on failure the old ones stay.
    pub fn reload(&self) -> Result<bool, CertError> {
        let fresh = load_all(&self.files)?;
        let changed = fresh
            .iter()
            .map(|l| &l.fingerprint)
            .ne(self.current().iter().map(|l| &l.fingerprint));
        match self.loaded.write() {
            Ok(mut guard) => *guard = Arc::new(fresh),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(fresh),
        }
        Ok(changed)
    }

    /// Reloads only when a file's modification time differs from the one loaded.
    /// Returns `Ok(None)` when nothing on disk changed.
    pub fn reload_if_modified(&self) -> Result<Option<bool>, CertError> {
        let current = self.current();
        let modified = self
            .files
            .iter()
            .zip(current.iter())
            .any(|(files, loaded)| stamp(files) != loaded.stamp);
        if modified {
            self.reload().map(Some)
        } else {
            Ok(None)
        }
    }

    /// SHA-256 fingerprints (hex, colon-separated) of the served leaf certificates.
    pub fn fingerprints(&self) -> Vec<String> {
        self.current()
            .iter()
            .map(|l| l.fingerprint.clone())
            .collect()
    }

    /// The served leaf certificates (one per configured pair).
    pub fn leaves(&self) -> Vec<CertificateDer<'static>> {
        self.current()
            .iter()
            .filter_map(|l| l.key.cert.first().cloned())
            .collect()
    }

    fn current(&self) -> Arc<Vec<Loaded>> {
        match self.loaded.read() {
            Ok(guard) => Arc::clone(&guard),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }
}

impl ResolvesServerCert for CertStore {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        let current = self.current();
        if current.len() > 1
            && let Some(name) = hello.server_name()
            && let Ok(server_name) = ServerName::try_from(name)
        {
            for loaded in current.iter() {
                let Some(leaf) = loaded.key.cert.first() else {
                    continue;
                };
                if let Ok(ee) = webpki::EndEntityCert::try_from(leaf)
                    && ee.verify_is_valid_for_subject_name(&server_name).is_ok()
                {
                    return Some(Arc::clone(&loaded.key));
                }
            }
        }
        current.first().map(|l| Arc::clone(&l.key))
    }
}

/// SHA-256 fingerprint of a DER certificate as colon-separated upper-case hex.
pub fn fingerprint(der: &[u8]) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, der);
    digest
        .as_ref()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

fn stamp(files: &CertificateFiles) -> (Option<SystemTime>, Option<SystemTime>) {
    let m = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    (m(&files.cert), m(&files.key))
}

fn load_all(files: &[CertificateFiles]) -> Result<Vec<Loaded>, CertError> {
    files.iter().map(load_one).collect()
}

fn load_one(files: &CertificateFiles) -> Result<Loaded, CertError> {
    let file_err = |path: &Path, message: String| CertError::File {
        path: path.to_owned(),
        message,
    };
    // Stamp first: a file replaced while we read is then seen as modified next poll.
    let stamp = stamp(files);
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&files.cert)
        .map_err(|e| file_err(&files.cert, e.to_string()))?
        .collect::<Result<_, _>>()
        .map_err(|e| file_err(&files.cert, e.to_string()))?;
    let Some(leaf) = chain.first() else {
        return Err(file_err(
            &files.cert,
            "no CERTIFICATE in the file".to_owned(),
        ));
    };
    let fingerprint = fingerprint(leaf);
    let key = PrivateKeyDer::from_pem_file(&files.key)
        .map_err(|e| file_err(&files.key, format!("no usable private key: {e}")))?;
    let signer =
        rustls::crypto::aws_lc_rs::sign::any_supported_type(&key).map_err(|e| CertError::Key {
            path: files.key.clone(),
            message: e.to_string(),
        })?;
    let certified = CertifiedKey::new(chain, signer);
    certified.keys_match().map_err(|e| CertError::Key {
        path: files.key.clone(),
        message: format!("the key does not match {}: {e}", files.cert.display()),
    })?;
    Ok(Loaded {
        key: Arc::new(certified),
        fingerprint,
        stamp,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dev_cert;

    fn pair(dir: &Path, name: &str, hosts: &[&str]) -> CertificateFiles {
        let generated = dev_cert::generate(hosts).unwrap();
        let files = CertificateFiles {
            cert: dir.join(format!("{name}.crt")),
            key: dir.join(format!("{name}.key")),
        };
        std::fs::write(&files.cert, &generated.cert_pem).unwrap();
        std::fs::write(&files.key, &generated.key_pem).unwrap();
        files
    }

    #[test]
    fn reload_swaps_and_bad_files_keep_the_old() {
        let dir = tempfile::tempdir().unwrap();
        let files = pair(dir.path(), "a", &["localhost"]);
        let store = CertStore::load(vec![files.clone()]).unwrap();
        let before = store.fingerprints();
        assert!(!store.reload().unwrap());

        let other = pair(dir.path(), "b", &["localhost"]);
        std::fs::copy(&other.cert, &files.cert).unwrap();
        std::fs::copy(&other.key, &files.key).unwrap();
        assert!(store.reload().unwrap());
        assert_ne!(store.fingerprints(), before);
        let good = store.fingerprints();

        std::fs::write(&files.cert, "not pem").unwrap();
        assert!(store.reload().is_err());
        assert_eq!(store.fingerprints(), good);

        // A key from another certificate is refused too.
        std::fs::copy(&other.cert, &files.cert).unwrap();
        let third = pair(dir.path(), "c", &["localhost"]);
        std::fs::copy(&third.key, &files.key).unwrap();
        let err = store.reload().unwrap_err();
        assert!(err.to_string().contains("does not match"), "{err}");
        assert_eq!(store.fingerprints(), good);
    }

    #[test]
    fn missing_files_are_reported_with_their_path() {
        let err = CertStore::load(vec![CertificateFiles {
            cert: "/nonexistent/cert.pem".into(),
            key: "/nonexistent/key.pem".into(),
        }])
        .unwrap_err();
        assert!(err.to_string().contains("/nonexistent/cert.pem"), "{err}");
        assert!(matches!(CertStore::load(vec![]), Err(CertError::Empty)));
    }

    #[test]
    fn modification_is_detected() {
        let dir = tempfile::tempdir().unwrap();
        let files = pair(dir.path(), "a", &["localhost"]);
        let store = CertStore::load(vec![files.clone()]).unwrap();
        assert_eq!(store.reload_if_modified().unwrap(), None);
        let other = pair(dir.path(), "b", &["localhost"]);
        // Make sure the stamp moves even on coarse-grained file systems.
        let later = SystemTime::now() + std::time::Duration::from_secs(5);
        std::fs::copy(&other.cert, &files.cert).unwrap();
        std::fs::copy(&other.key, &files.key).unwrap();
        std::fs::File::options()
            .write(true)
            .open(&files.cert)
            .unwrap()
            .set_modified(later)
            .unwrap();
        assert_eq!(store.reload_if_modified().unwrap(), Some(true));
    }

    #[test]
    fn fingerprint_format() {
        let fp = fingerprint(b"abc");
        assert_eq!(fp.len(), 32 * 3 - 1);
        assert!(fp.starts_with("BA:78:16:BF"));
    }
}
