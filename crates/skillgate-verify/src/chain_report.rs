//! A chain explained: every certificate (subject, issuer, serial, dates, key, DNS names) and
//! whether it passes [`ValidatedChain::validate`] at a given time and 30 days later. What
//! `skillgate verify --fetch URL` prints. Synchronous, no I/O.

use rustls_pki_types::{CertificateDer, UnixTime};

use crate::error::VerifyError;
use crate::trust::{TrustStore, ValidatedChain};

/// How far ahead [`ChainReport::later`] looks (30 days, as the chain watch warns).
pub const LOOK_AHEAD_SECS: i64 = 30 * 86_400;

/// One certificate of a chain.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CertificateReport {
    /// Position as served (0 = signing certificate).
    pub index: usize,
    /// Subject DN.
    pub subject: String,
    /// Issuer DN.
    pub issuer: String,
    /// Serial number, colon-separated hex.
    pub serial: String,
    /// notBefore (seconds since the Unix epoch).
    pub not_before: i64,
    /// notAfter (seconds since the Unix epoch).
    pub not_after: i64,
    /// The public key, e.g. `RSA 2048 bits`.
    pub key: String,
    /// DNS subject alternative names.
    pub dns_names: Vec<String>,
}

/// The verdict of [`ValidatedChain::validate`] at one instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The instant (seconds since the Unix epoch).
    pub at: i64,
    /// `Ok` when the chain is valid for Alexa request signing then, else the first failure.
    pub result: Result<(), VerifyError>,
}

/// A chain explained (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ChainReport {
    /// Every certificate, in the order served (those that do not parse are left out).
    pub certificates: Vec<CertificateReport>,
    /// The verdict at `now`.
    pub now: Verdict,
    /// The verdict [`LOOK_AHEAD_SECS`] later.
    pub later: Verdict,
}

impl ChainReport {
    /// Explains `certs` (signing certificate first) under `trust` at `now` (seconds since
    /// the Unix epoch) and 30 days later.
    pub fn inspect(certs: &[CertificateDer<'_>], trust: &TrustStore, now: i64) -> ChainReport {
        let certificates = certs
            .iter()
            .enumerate()
            .filter_map(|(index, der)| describe(index, der))
            .collect();
        let verdict = |at: i64| Verdict {
            at,
            result: ValidatedChain::validate(
                certs,
                trust,
                UnixTime::since_unix_epoch(std::time::Duration::from_secs(
                    u64::try_from(at).unwrap_or(0),
                )),
            )
            .map(|_| ()),
        };
        ChainReport {
            certificates,
            now: verdict(now),
            later: verdict(now.saturating_add(LOOK_AHEAD_SECS)),
        }
    }

    /// Valid now and 30 days from now.
    pub fn trusted_now_and_later(&self) -> bool {
        self.now.result.is_ok() && self.later.result.is_ok()
    }
}

fn describe(index: usize, der: &CertificateDer<'_>) -> Option<CertificateReport> {
    use x509_parser::extensions::GeneralName;
    use x509_parser::public_key::PublicKey;
    let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
    let validity = cert.validity();
    let spki = cert.public_key();
    let key = match spki.parsed() {
        Ok(PublicKey::RSA(rsa)) => format!("RSA {} bits", rsa.key_size()),
        Ok(PublicKey::EC(ec)) => format!("EC {} bits", ec.key_size()),
        _ => format!("algorithm {}", spki.algorithm.algorithm),
    };
    let dns_names = match cert.subject_alternative_name() {
        Ok(Some(san)) => san
            .value
            .general_names
            .iter()
            .filter_map(|n| match n {
                GeneralName::DNSName(d) => Some((*d).to_owned()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    Some(CertificateReport {
        index,
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        serial: cert
            .raw_serial()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<Vec<_>>()
            .join(":"),
        not_before: validity.not_before.timestamp(),
        not_after: validity.not_after.timestamp(),
        key,
        dns_names,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHAIN: &[u8] = include_bytes!("../../../testdata/alexa/chains/echo-api-cert-6-ats.pem");

    #[test]
    fn a_real_amazon_chain_is_described() {
        let certs = crate::chain::parse_pem(CHAIN).unwrap();
        let trust = TrustStore::new(&[]).unwrap();
        // 2018-07-03, when that chain was served.
        let report = ChainReport::inspect(&certs, &trust, 1_530_621_470);
        assert_eq!(report.certificates.len(), certs.len());
        let leaf = &report.certificates[0];
        assert!(leaf.dns_names.iter().any(|n| n == "echo-api.amazon.com"));
        assert_eq!(leaf.key, "RSA 2048 bits");
        assert!(!leaf.serial.is_empty());
        assert!(leaf.not_before < leaf.not_after);
        assert_eq!(report.later.at - report.now.at, LOOK_AHEAD_SECS);
    }
}
