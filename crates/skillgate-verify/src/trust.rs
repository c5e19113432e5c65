//! Trust: path validation to a trusted root, dates, the leaf's key usage, and the exact
//! `echo-api.amazon.com` SAN.
//!
//! rustls-webpki does the path building and signature checks against the Mozilla roots
//! (webpki-roots) plus any configured extra anchors; x509-parser reads the validity dates so
//! a cached chain can be re-checked against every request's clock without re-validating.

use rustls_pki_types::{CertificateDer, TrustAnchor, UnixTime};
use webpki::{EndEntityCert, KeyUsage};

use crate::chain_watch::ChainIdentity;
use crate::error::{ConfigError, VerifyError};
use crate::signature::SigningKey;
use crate::trust_failure::{CertFacts, ChainCert, dated_cert, diagnose};

/// The name that must be in the signing certificate's Subject Alternative Names.
pub const SIGNING_CERT_SAN: &str = "echo-api.amazon.com";

/// The roots chains are validated against: webpki-roots plus extra anchors.
pub struct TrustStore {
    anchors: Vec<TrustAnchor<'static>>,
    id: [u8; 32],
}

impl TrustStore {
    /// The Mozilla roots plus `extra` (never instead of them).
    pub fn new(extra: &[CertificateDer<'static>]) -> Result<TrustStore, ConfigError> {
        let mut anchors: Vec<TrustAnchor<'static>> = webpki_roots::TLS_SERVER_ROOTS.to_vec();
        let mut digest = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
        for (index, der) in extra.iter().enumerate() {
            let anchor = webpki::anchor_from_trusted_cert(der)
                .map_err(|_| ConfigError::TrustAnchor { index })?
                .to_owned();
            anchors.push(anchor);
            digest.update(&(der.len() as u64).to_be_bytes());
            digest.update(der);
        }
        let mut id = [0u8; 32];
        id.copy_from_slice(digest.finish().as_ref());
        Ok(TrustStore { anchors, id })
    }

    /// Identifies the set of extra anchors: chains validated under one store are cached
    /// under this id, so verifiers with different anchors never share a validation.
    pub fn id(&self) -> [u8; 32] {
        self.id
    }
}

impl std::fmt::Debug for TrustStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrustStore")
            .field("anchors", &self.anchors.len())
            .finish_non_exhaustive()
    }
}

/// What the signing certificate says about itself, read once with x509-parser.
struct LeafFacts {
    spki: Vec<u8>,
    dns_names: Vec<String>,
    /// `Some(digitalSignature)` when a keyUsage extension is present.
    digital_signature: Option<bool>,
    /// `Some(serverAuth)` when an extendedKeyUsage extension is present.
    server_auth: Option<bool>,
}

fn leaf_facts(cert: &x509_parser::certificate::X509Certificate<'_>) -> Option<LeafFacts> {
    use x509_parser::extensions::GeneralName;
    let dns_names = match cert.subject_alternative_name().ok()? {
        Some(san) => san
            .value
            .general_names
            .iter()
            .filter_map(|name| match name {
                GeneralName::DNSName(dns) => Some((*dns).to_owned()),
                _ => None,
            })
            .collect(),
        None => Vec::new(),
    };
    let digital_signature = cert
        .key_usage()
        .ok()?
        .map(|ku| ku.value.digital_signature());
    let server_auth = cert
        .extended_key_usage()
        .ok()?
        .map(|eku| eku.value.server_auth);
    Some(LeafFacts {
        spki: cert.public_key().raw.to_vec(),
        dns_names,
        digital_signature,
        server_auth,
    })
}

/// The leaf's key may sign requests: keyUsage, when present, includes digitalSignature (RFC
/// 5280 §4.2.1.3), and extendedKeyUsage is present and includes serverAuth, as on every
/// certificate Amazon has served (serverAuth + clientAuth).
fn check_key_usage(facts: &LeafFacts) -> Result<(), VerifyError> {
    if facts.digital_signature == Some(false) {
        return Err(VerifyError::KeyUsage("keyUsage without digitalSignature"));
    }
    match facts.server_auth {
        Some(true) => Ok(()),
        Some(false) => Err(VerifyError::KeyUsage("extendedKeyUsage without serverAuth")),
        None => Err(VerifyError::KeyUsage(
            "no extendedKeyUsage (serverAuth required)",
        )),
    }
}

/// Amazon's rule: `echo-api.amazon.com` is one of the DNS SANs, exactly (ASCII case
/// ignored, as DNS does). A wildcard such as `*.amazon.com` does not count (issue 15, item 4).
fn check_subject_name(facts: &LeafFacts) -> Result<(), VerifyError> {
    if facts
        .dns_names
        .iter()
        .any(|name| name.eq_ignore_ascii_case(SIGNING_CERT_SAN))
    {
        Ok(())
    } else {
        Err(VerifyError::SubjectName)
    }
}

/// A chain that passed parse, dates, trust and SAN checks: what the cache stores.
#[derive(Debug)]
pub struct ValidatedChain {
    key: SigningKey,
    not_before: i64,
    not_after: i64,
    leaf_not_after: i64,
    identity: ChainIdentity,
    /// The certificates whose dates bound `not_before` and `not_after`, to name them when a
    /// cached chain goes out of its dates.
    latest_start: Box<ChainCert>,
    earliest_end: Box<ChainCert>,
}

impl ValidatedChain {
    /// Validates a parsed chain (signing certificate first) at `now`.
    ///
    /// Order: every certificate parses and the signing key is `rsaEncryption` of 2048 to
    /// 8192 bits (`ChainParse`), the signing certificate is within its dates (`ChainDates`),
    /// a path to a trusted root exists for serverAuth at `now` (`ChainTrust`; an
    /// intermediate out of its dates is `ChainDates`), the signing certificate's key usage
    /// allows signing (`ChainTrust`: digitalSignature when keyUsage is present, serverAuth
    /// in a required extendedKeyUsage), and `echo-api.amazon.com` is exactly one of its DNS
    /// SANs (`SubjectName`).
    ///
    /// Failures name the certificate concerned: date errors carry it
    /// ([`VerifyError::CertExpired`]), trust errors say which one and why
    /// ([`TrustFailure`](crate::trust_failure::TrustFailure)).
    pub fn validate(
        certs: &[CertificateDer<'_>],
        trust: &TrustStore,
        now: UnixTime,
    ) -> Result<ValidatedChain, VerifyError> {
        let (leaf_der, intermediates) = certs.split_first().ok_or(VerifyError::ChainEmpty)?;
        let mut facts = Vec::with_capacity(certs.len());
        let mut leaf = None;
        for (index, der) in certs.iter().enumerate() {
            let (rest, cert) = x509_parser::parse_x509_certificate(der)
                .map_err(|_| VerifyError::ChainCertificate { index })?;
            if !rest.is_empty() {
                return Err(VerifyError::ChainCertificate { index });
            }
            facts.push(CertFacts::read(&cert));
            if index == 0 {
                leaf = Some(leaf_facts(&cert).ok_or(VerifyError::ChainCertificate { index })?);
            }
        }
        let leaf_facts = leaf.ok_or(VerifyError::ChainEmpty)?;
        let leaf = EndEntityCert::try_from(leaf_der)
            .map_err(|_| VerifyError::ChainCertificate { index: 0 })?;
        let key = SigningKey::from_spki(&leaf_facts.spki)?;

        let now_secs = i64::try_from(now.as_secs()).unwrap_or(i64::MAX);
        let first = &facts[0];
        let (leaf_not_before, leaf_not_after) = (first.not_before, first.not_after);
        check_window(leaf_not_before, leaf_not_after, now_secs)
            .map_err(|e| name_cert(e, first.name(0)))?;

        let path = leaf
            .verify_for_usage(
                webpki::ALL_VERIFICATION_ALGS,
                &trust.anchors,
                intermediates,
                now,
                KeyUsage::server_auth(),
                None,
                None,
            )
            .map_err(|error| map_webpki_error(error, &facts))?;

        check_key_usage(&leaf_facts)?;
        check_subject_name(&leaf_facts)?;

        // The cached entry may only be used while every certificate of the verified path is
        // within its dates (trust anchors carry no dates in webpki).
        let (mut not_before, mut not_after) = (leaf_not_before, leaf_not_after);
        let (mut latest_start, mut earliest_end) = (0, 0);
        for used in path.intermediate_certificates() {
            let used_der = used.der();
            if let Some(index) = certs
                .iter()
                .position(|der| der.as_ref() == used_der.as_ref())
            {
                let f = &facts[index];
                if f.not_before > not_before {
                    not_before = f.not_before;
                    latest_start = index;
                }
                if f.not_after < not_after {
                    not_after = f.not_after;
                    earliest_end = index;
                }
            }
        }
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &leaf_facts.spki);
        let identity = ChainIdentity {
            subject: first.subject.clone(),
            issuer: first.issuer.clone(),
            key_sha256: digest.as_ref().iter().map(|b| format!("{b:02x}")).collect(),
            not_after,
            expires_first: facts[earliest_end].name(earliest_end),
        };
        Ok(ValidatedChain {
            key,
            not_before,
            not_after,
            leaf_not_after,
            identity,
            latest_start: Box::new(facts[latest_start].name(latest_start)),
            earliest_end: Box::new(facts[earliest_end].name(earliest_end)),
        })
    }

    /// Re-checks the dates at `now_secs` (every cache hit does this).
    pub fn check_dates(&self, now_secs: i64) -> Result<(), VerifyError> {
        check_window(self.not_before, self.not_after, now_secs).map_err(|error| match error {
            VerifyError::CertExpired { not_after, .. } => VerifyError::CertExpired {
                not_after,
                cert: Some(self.earliest_end.clone()),
            },
            VerifyError::CertNotYetValid { not_before, .. } => VerifyError::CertNotYetValid {
                not_before,
                cert: Some(self.latest_start.clone()),
            },
            other => other,
        })
    }

    /// The signing key, parsed once.
    pub fn key(&self) -> &SigningKey {
        &self.key
    }

    /// The instant after which this entry must not be used (seconds since the epoch): the
    /// earliest notAfter of the verified path.
    pub fn not_after(&self) -> i64 {
        self.not_after
    }

    /// The signing certificate's own notAfter (seconds since the epoch).
    pub fn leaf_not_after(&self) -> i64 {
        self.leaf_not_after
    }

    /// Who signed this chain and with which key, and when it expires: what the chain
    /// watch compares between downloads (computed at validation).
    pub fn identity(&self) -> &ChainIdentity {
        &self.identity
    }
}

fn check_window(not_before: i64, not_after: i64, now: i64) -> Result<(), VerifyError> {
    if now < not_before {
        Err(VerifyError::CertNotYetValid {
            not_before,
            cert: None,
        })
    } else if now > not_after {
        Err(VerifyError::CertExpired {
            not_after,
            cert: None,
        })
    } else {
        Ok(())
    }
}

/// Adds the certificate to a date error.
fn name_cert(error: VerifyError, cert: ChainCert) -> VerifyError {
    match error {
        VerifyError::CertExpired { not_after, .. } => VerifyError::CertExpired {
            not_after,
            cert: Some(Box::new(cert)),
        },
        VerifyError::CertNotYetValid { not_before, .. } => VerifyError::CertNotYetValid {
            not_before,
            cert: Some(Box::new(cert)),
        },
        other => other,
    }
}

fn map_webpki_error(error: webpki::Error, facts: &[CertFacts]) -> VerifyError {
    match error {
        webpki::Error::CertExpired { not_after, .. } => {
            let not_after = i64::try_from(not_after.as_secs()).unwrap_or(i64::MAX);
            VerifyError::CertExpired {
                not_after,
                cert: dated_cert(facts, not_after, |f| f.not_after).map(Box::new),
            }
        }
        webpki::Error::CertNotValidYet { not_before, .. } => {
            let not_before = i64::try_from(not_before.as_secs()).unwrap_or(i64::MAX);
            VerifyError::CertNotYetValid {
                not_before,
                cert: dated_cert(facts, not_before, |f| f.not_before).map(Box::new),
            }
        }
        other => VerifyError::Untrusted(diagnose(facts, &other)),
    }
}
