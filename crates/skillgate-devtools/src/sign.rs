//! Signing request bodies the way Alexa does: RSA PKCS#1 v1.5 over the exact body bytes,
//! SHA-256 for `Signature-256` and SHA-1 for the legacy `Signature`, standard base64.

use std::fmt;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256, RsaKeyPair};
use base64::Engine as _;

use crate::error::Error;

/// Header carrying the chain URL.
pub const CHAIN_URL_HEADER: &str = "SignatureCertChainUrl";
/// Header carrying the SHA-256 signature.
pub const SIGNATURE_256_HEADER: &str = "Signature-256";
/// Header carrying the legacy SHA-1 signature.
pub const SIGNATURE_HEADER: &str = "Signature";

/// Signs request bodies with one RSA key, naming one chain URL.
pub struct Signer {
    key: RsaKeyPair,
    pkcs8: Vec<u8>,
    chain_url: String,
    rng: SystemRandom,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("chain_url", &self.chain_url)
            .finish_non_exhaustive()
    }
}

/// The three headers that make a body a signed Alexa request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureHeaders {
    /// `SignatureCertChainUrl`.
    pub cert_chain_url: String,
    /// `Signature-256`: base64 RSA PKCS#1 v1.5 SHA-256 over the body.
    pub signature_256: String,
    /// `Signature`: base64 RSA PKCS#1 v1.5 SHA-1 over the body (legacy).
    pub signature: String,
}

impl SignatureHeaders {
    /// `(name, value)` pairs, including `Content-Type: application/json; charset=utf-8`.
    pub fn pairs(&self) -> [(&'static str, &str); 4] {
        [
            ("Content-Type", "application/json; charset=utf-8"),
            (CHAIN_URL_HEADER, &self.cert_chain_url),
            (SIGNATURE_HEADER, &self.signature),
            (SIGNATURE_256_HEADER, &self.signature_256),
        ]
    }

    /// The headers as `Name: value` lines (one per line, trailing newline), the format of
    /// `skillgate sign` and of the fixtures' `*.headers.txt`.
    pub fn to_text(&self) -> String {
        self.pairs()
            .iter()
            .map(|(name, value)| format!("{name}: {value}\n"))
            .collect()
    }
}

impl Signer {
    /// A signer from a PKCS#8 DER RSA private key.
    pub fn from_pkcs8(pkcs8_der: &[u8], chain_url: impl Into<String>) -> Result<Self, Error> {
        let key = RsaKeyPair::from_pkcs8(pkcs8_der)
            .map_err(|e| Error::Sign(format!("not an RSA PKCS#8 key: {e}")))?;
        Ok(Self {
            key,
            pkcs8: pkcs8_der.to_vec(),
            chain_url: chain_url.into(),
            rng: SystemRandom::new(),
        })
    }

    /// The chain URL this signer names.
    pub fn chain_url(&self) -> &str {
        &self.chain_url
    }

    /// The public key (PKCS#1 `RSAPublicKey` DER), to verify signatures in tests.
    pub fn public_key_der(&self) -> &[u8] {
        self.key.public_key().as_ref()
    }

    /// Signs the exact `body` bytes with both algorithms.
    pub fn sign(&self, body: &[u8]) -> Result<SignatureHeaders, Error> {
        let b64 = base64::engine::general_purpose::STANDARD;
        let mut sig = vec![0u8; self.key.public_modulus_len()];
        self.key
            .sign(&RSA_PKCS1_SHA256, &self.rng, body, &mut sig)
            .map_err(|e| Error::Sign(e.to_string()))?;
        let signature_256 = b64.encode(&sig);
        let legacy =
            crate::legacy::sign_sha1(&self.pkcs8, body).map_err(|e| Error::Sign(e.into()))?;
        let signature = b64.encode(legacy);
        Ok(SignatureHeaders {
            cert_chain_url: self.chain_url.clone(),
            signature_256,
            signature,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lc_rs::signature::{
        RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY, RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey,
    };

    fn signer() -> Signer {
        crate::dev_ca::tests::shared().signer().unwrap()
    }

    fn decode(s: &str) -> Vec<u8> {
        base64::engine::general_purpose::STANDARD.decode(s).unwrap()
    }

    #[test]
    fn both_signatures_verify_over_the_exact_bytes() {
        let s = signer();
        let body = br#"{"version":"1.0","request":{"type":"LaunchRequest"}}"#;
        let headers = s.sign(body).unwrap();
        assert_eq!(headers.cert_chain_url, crate::dev_ca::DEV_CHAIN_URL);
        let key256 = UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, s.public_key_der());
        key256
            .verify(body, &decode(&headers.signature_256))
            .unwrap();
        let key1 = UnparsedPublicKey::new(
            &RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY,
            s.public_key_der(),
        );
        key1.verify(body, &decode(&headers.signature)).unwrap();
        // One changed byte breaks both.
        let mut tampered = body.to_vec();
        tampered[3] ^= 1;
        assert!(
            key256
                .verify(&tampered, &decode(&headers.signature_256))
                .is_err()
        );
        assert!(key1.verify(&tampered, &decode(&headers.signature)).is_err());
        // And the algorithms are not interchangeable.
        assert!(key256.verify(body, &decode(&headers.signature)).is_err());
    }

    #[test]
    fn signature_verifies_with_the_chain_certificate_key() {
        let ca = crate::dev_ca::tests::shared();
        let chain = ca.chain_ders().unwrap();
        let ee = webpki::EndEntityCert::try_from(&chain[0]).unwrap();
        let body = b"{\"a\":1}";
        let headers = ca.signer().unwrap().sign(body).unwrap();
        ee.verify_signature(
            webpki::aws_lc_rs::RSA_PKCS1_2048_8192_SHA256,
            body,
            &decode(&headers.signature_256),
        )
        .unwrap();
    }

    #[test]
    fn headers_text_has_one_line_per_header() {
        let headers = signer().sign(b"{}").unwrap();
        let text = headers.to_text();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4);
        assert!(lines[1].starts_with("SignatureCertChainUrl: https://s3.amazonaws.com/"));
        assert!(lines[3].starts_with("Signature-256: "));
    }

    #[test]
    fn rejects_a_non_rsa_key() {
        assert!(matches!(
            Signer::from_pkcs8(b"nonsense", "x"),
            Err(Error::Sign(_))
        ));
    }
}
