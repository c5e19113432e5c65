//! Why a chain is not trusted, precisely: which certificate (position and subject) and
//! why (unknown issuer with its name, bad signature, …), so an operator reading a refusal
//! knows what Amazon changed (issue 14: an intermediate of the chain in use until 2025
//! expired on 2025-10-19, and verifiers only said "certificate is not trusted").
//!
//! Dates of a failing certificate are reported by
//! [`VerifyError::CertExpired`](crate::VerifyError::CertExpired) and
//! [`VerifyError::CertNotYetValid`](crate::VerifyError::CertNotYetValid), which carry the
//! same [`ChainCert`]. Everything here is computed when a chain is validated (at download),
//! never per request.

use std::fmt;

use time::OffsetDateTime;

/// One certificate of a presented chain, named for error messages and logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainCert {
    /// Position in the chain as served (0 = the signing certificate).
    pub index: usize,
    /// Its subject distinguished name (RFC 4514 style, e.g. `CN=Amazon RSA 2048 M01, O=Amazon`).
    pub subject: String,
}

impl fmt::Display for ChainCert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let role = if self.index == 0 {
            "signing certificate"
        } else {
            "certificate"
        };
        write!(f, "{role} {} ({})", self.index, self.subject)
    }
}

/// Why no path to a trusted root was found.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TrustFailureReason {
    /// The certificate's issuer is neither in the chain nor a trusted root (a missing
    /// intermediate, a chain from another CA, or a root that is not trusted).
    UnknownIssuer {
        /// The issuer's distinguished name.
        issuer: String,
    },
    /// A certificate's signature does not verify with its issuer's key, or uses an
    /// unsupported algorithm.
    InvalidSignature,
    /// A certificate that is not a CA was used to issue another one (or a CA certificate
    /// was used as the signing certificate).
    NotCertificateAuthority,
    /// The chain is not allowed for TLS server authentication (extended key usage).
    UsageNotAllowed,
    /// Anything else the path builder reported (its text).
    Other(String),
}

impl fmt::Display for TrustFailureReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrustFailureReason::UnknownIssuer { issuer } => write!(
                f,
                "unknown issuer {issuer}: neither in the chain nor a trusted root"
            ),
            TrustFailureReason::InvalidSignature => {
                f.write_str("signature does not verify with the issuer's key")
            }
            TrustFailureReason::NotCertificateAuthority => {
                f.write_str("a certificate is used as a CA without being one (or the reverse)")
            }
            TrustFailureReason::UsageNotAllowed => {
                f.write_str("not allowed for TLS server authentication (extended key usage)")
            }
            TrustFailureReason::Other(text) => f.write_str(text),
        }
    }
}

/// A chain that leads to no trusted root: which certificate, when known, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustFailure {
    /// The certificate the failure is about, when it can be told.
    pub cert: Option<ChainCert>,
    /// Why.
    pub reason: TrustFailureReason,
}

impl fmt::Display for TrustFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.cert {
            Some(cert) => write!(f, "{cert}: {}", self.reason),
            None => write!(f, "{}", self.reason),
        }
    }
}

impl std::error::Error for TrustFailure {}

/// A Unix time as `2025-10-19 23:59:59 UTC` (or the number when out of range).
pub fn format_unix(secs: i64) -> String {
    match OffsetDateTime::from_unix_timestamp(secs) {
        Ok(t) => format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        ),
        Err(_) => format!("unix time {secs}"),
    }
}

/// What [`diagnose`] needs to know about each presented certificate.
#[derive(Debug, Clone)]
pub(crate) struct CertFacts {
    pub subject: String,
    pub issuer: String,
    pub subject_raw: Vec<u8>,
    pub issuer_raw: Vec<u8>,
    pub not_before: i64,
    pub not_after: i64,
}

impl CertFacts {
    pub(crate) fn read(cert: &x509_parser::certificate::X509Certificate<'_>) -> CertFacts {
        let validity = cert.validity();
        CertFacts {
            subject: cert.subject().to_string(),
            issuer: cert.issuer().to_string(),
            subject_raw: cert.subject().as_raw().to_vec(),
            issuer_raw: cert.issuer().as_raw().to_vec(),
            not_before: validity.not_before.timestamp(),
            not_after: validity.not_after.timestamp(),
        }
    }

    pub(crate) fn name(&self, index: usize) -> ChainCert {
        ChainCert {
            index,
            subject: self.subject.clone(),
        }
    }
}

/// The issuing path as served: from the signing certificate, each certificate's issuer
/// found by name among the others (bounded by the chain's length). The last one's issuer
/// is not in the chain.
pub(crate) fn issuer_walk(facts: &[CertFacts]) -> Vec<usize> {
    let mut walk = Vec::with_capacity(facts.len());
    let mut current = 0;
    while current < facts.len() && walk.len() < facts.len() {
        walk.push(current);
        let cert = &facts[current];
        if cert.issuer_raw == cert.subject_raw {
            break;
        }
        match facts
            .iter()
            .enumerate()
            .find(|(j, f)| !walk.contains(j) && f.subject_raw == cert.issuer_raw)
        {
            Some((j, _)) => current = j,
            None => break,
        }
    }
    walk
}

/// The certificate whose dates produced webpki's date error: the first along the issuing
/// path (then any other) whose bound equals `bound`.
pub(crate) fn dated_cert(
    facts: &[CertFacts],
    bound: i64,
    pick: impl Fn(&CertFacts) -> i64,
) -> Option<ChainCert> {
    let walk = issuer_walk(facts);
    walk.iter()
        .copied()
        .chain(0..facts.len())
        .find(|&i| pick(&facts[i]) == bound)
        .map(|i| facts[i].name(i))
}

/// Explains a path-building failure of webpki in terms of the presented certificates.
pub(crate) fn diagnose(facts: &[CertFacts], error: &webpki::Error) -> TrustFailure {
    use webpki::Error as E;
    match error {
        E::UnknownIssuer => {
            let walk = issuer_walk(facts);
            match walk.last().map(|&i| (i, &facts[i])) {
                Some((i, cert)) => TrustFailure {
                    cert: Some(cert.name(i)),
                    reason: TrustFailureReason::UnknownIssuer {
                        issuer: cert.issuer.clone(),
                    },
                },
                None => TrustFailure {
                    cert: None,
                    reason: TrustFailureReason::Other(error.to_string()),
                },
            }
        }
        E::InvalidSignatureForPublicKey
        | E::SignatureAlgorithmMismatch
        | E::UnsupportedSignatureAlgorithmContext(_)
        | E::UnsupportedSignatureAlgorithmForPublicKeyContext(_) => TrustFailure {
            cert: None,
            reason: TrustFailureReason::InvalidSignature,
        },
        E::CaUsedAsEndEntity => TrustFailure {
            cert: facts.first().map(|f| f.name(0)),
            reason: TrustFailureReason::NotCertificateAuthority,
        },
        E::EndEntityUsedAsCa => TrustFailure {
            cert: None,
            reason: TrustFailureReason::NotCertificateAuthority,
        },
        E::RequiredEkuNotFoundContext(_) | E::EmptyEkuExtension => TrustFailure {
            cert: None,
            reason: TrustFailureReason::UsageNotAllowed,
        },
        other => TrustFailure {
            cert: None,
            reason: TrustFailureReason::Other(other.to_string()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fact(subject: &str, issuer: &str) -> CertFacts {
        CertFacts {
            subject: subject.to_owned(),
            issuer: issuer.to_owned(),
            subject_raw: subject.as_bytes().to_vec(),
            issuer_raw: issuer.as_bytes().to_vec(),
            not_before: 0,
            not_after: 100,
        }
    }

    #[test]
    fn the_walk_follows_issuers_and_stops_at_the_first_unknown_one() {
        // Served out of order, with an unrelated certificate.
        let facts = [fact("leaf", "int"), fact("other", "x"), fact("int", "root")];
        assert_eq!(issuer_walk(&facts), [0, 2]);
        let failure = diagnose(&facts, &webpki::Error::UnknownIssuer);
        assert_eq!(failure.cert.as_ref().map(|c| c.index), Some(2));
        assert_eq!(
            failure.reason,
            TrustFailureReason::UnknownIssuer {
                issuer: "root".to_owned()
            }
        );
        assert_eq!(
            failure.to_string(),
            "certificate 2 (int): unknown issuer root: neither in the chain nor a trusted root"
        );
        // A cycle ends.
        let cycle = [fact("a", "b"), fact("b", "a")];
        assert_eq!(issuer_walk(&cycle), [0, 1]);
        assert!(issuer_walk(&[]).is_empty());
    }

    #[test]
    fn dates_format_in_utc() {
        assert_eq!(format_unix(1_760_918_399), "2025-10-19 23:59:59 UTC");
        assert_eq!(format_unix(i64::MAX), format!("unix time {}", i64::MAX));
    }
}
