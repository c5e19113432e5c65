//! The downloaded chain: PEM certificates, signing certificate first, then intermediates.

use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::{PemObject, SectionKind};

use crate::error::VerifyError;

/// Most certificates accepted in one chain (Amazon's hold two or three).
pub const MAX_CHAIN_CERTS: usize = 8;

/// Parses a PEM chain. Every PEM section must be a `CERTIFICATE`; at least one is required;
/// at most [`MAX_CHAIN_CERTS`]. Text outside PEM sections is ignored (as OpenSSL does), but a
/// truncated or corrupt section is an error. The DER itself is checked by [`crate::trust`].
pub fn parse_pem(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, VerifyError> {
    let mut certs = Vec::new();
    for section in <(SectionKind, Vec<u8>)>::pem_slice_iter(pem) {
        let (kind, der) = section.map_err(|e| VerifyError::ChainPem(e.to_string()))?;
        if kind != SectionKind::Certificate {
            return Err(VerifyError::ChainPem(format!(
                "unexpected PEM section {kind:?}"
            )));
        }
        if certs.len() == MAX_CHAIN_CERTS {
            return Err(VerifyError::ChainPem(format!(
                "more than {MAX_CHAIN_CERTS} certificates"
            )));
        }
        certs.push(CertificateDer::from(der));
    }
    if certs.is_empty() {
        return Err(VerifyError::ChainEmpty);
    }
    Ok(certs)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHAIN: &[u8] = include_bytes!("../../../testdata/alexa/chains/echo-api-cert-6-ats.pem");

    #[test]
    fn parses_a_real_chain() {
        let certs = parse_pem(CHAIN).unwrap();
        assert!(certs.len() >= 2);
    }

    #[test]
    fn rejects_empty_garbage_and_truncated() {
        assert_eq!(parse_pem(b""), Err(VerifyError::ChainEmpty));
        assert_eq!(parse_pem(b"garbage"), Err(VerifyError::ChainEmpty));
        let truncated = &CHAIN[..CHAIN.len() / 3];
        assert!(parse_pem(truncated).is_err());
        let corrupt = String::from_utf8_lossy(CHAIN).replacen("MII", "M!I", 1);
        assert!(matches!(
            parse_pem(corrupt.as_bytes()),
            Err(VerifyError::ChainPem(_))
        ));
    }

    #[test]
    fn rejects_non_certificate_sections_and_too_many() {
        let key = b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
        assert!(matches!(parse_pem(key), Err(VerifyError::ChainPem(_))));
        let many = CHAIN.repeat(MAX_CHAIN_CERTS);
        assert!(matches!(parse_pem(&many), Err(VerifyError::ChainPem(_))));
    }
}
