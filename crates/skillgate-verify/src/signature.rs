//! The request signature: which header, strict base64, RSA PKCS#1 v1.5 over the raw body.

use std::fmt;

use aws_lc_rs::signature::{
    ParsedPublicKey, RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY, RSA_PKCS1_2048_8192_SHA256,
};
use base64::Engine as _;

use crate::error::VerifyError;

/// The header carrying the SHA-256 signature (what Alexa sends today).
pub const SIGNATURE_256_HEADER: &str = "Signature-256";
/// The legacy header carrying the SHA-1 signature.
pub const SIGNATURE_SHA1_HEADER: &str = "Signature";

/// Longest accepted base64 signature: an 8192-bit RSA signature is 1368 characters.
const MAX_SIGNATURE_B64_LEN: usize = 1368;

/// Which signature was verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignatureAlgorithm {
    /// `Signature-256`: RSA PKCS#1 v1.5 over SHA-256.
    Sha256,
    /// `Signature`: RSA PKCS#1 v1.5 over SHA-1 (legacy, only when allowed).
    Sha1,
}

impl SignatureAlgorithm {
    /// The header this algorithm's signature travels in.
    pub fn header(&self) -> &'static str {
        match self {
            SignatureAlgorithm::Sha256 => SIGNATURE_256_HEADER,
            SignatureAlgorithm::Sha1 => SIGNATURE_SHA1_HEADER,
        }
    }

    /// A stable lower-case name (`sha256`, `sha1`).
    pub fn name(&self) -> &'static str {
        match self {
            SignatureAlgorithm::Sha256 => "sha256",
            SignatureAlgorithm::Sha1 => "sha1",
        }
    }
}

impl fmt::Display for SignatureAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SignatureAlgorithm::Sha256 => "SHA-256",
            SignatureAlgorithm::Sha1 => "SHA-1",
        })
    }
}

/// Decodes a signature header value: standard alphabet, canonical padding required, no
/// whitespace, no trailing bits.
pub fn decode_signature(value: &str) -> Result<Vec<u8>, VerifyError> {
    if value.is_empty() || value.len() > MAX_SIGNATURE_B64_LEN {
        return Err(VerifyError::SignatureEncoding);
    }
    base64::engine::general_purpose::STANDARD
        .decode(value)
        .map_err(|_| VerifyError::SignatureEncoding)
}

/// The signing certificate's public key, parsed once for each algorithm so a warm
/// verification does no key or certificate parsing.
#[derive(Clone)]
pub struct SigningKey {
    sha256: ParsedPublicKey,
    sha1: ParsedPublicKey,
}

impl SigningKey {
    /// Parses a DER SubjectPublicKeyInfo (or PKCS#1 RSAPublicKey); only RSA 2048..8192 bits.
    pub fn from_spki(spki: &[u8]) -> Result<SigningKey, VerifyError> {
        let sha256 = ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, spki)
            .map_err(|_| VerifyError::UnsupportedKey)?;
        let sha1 = ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY, spki)
            .map_err(|_| VerifyError::UnsupportedKey)?;
        Ok(SigningKey { sha256, sha1 })
    }

    /// Verifies `signature` over the exact `body` bytes.
    pub fn verify(
        &self,
        algorithm: SignatureAlgorithm,
        body: &[u8],
        signature: &[u8],
    ) -> Result<(), VerifyError> {
        let key = match algorithm {
            SignatureAlgorithm::Sha256 => &self.sha256,
            SignatureAlgorithm::Sha1 => &self.sha1,
        };
        key.verify_sig(body, signature)
            .map_err(|_| VerifyError::SignatureMismatch { algorithm })
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey").finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_base64() {
        assert_eq!(decode_signature("AAEC").ok(), Some(vec![0, 1, 2]));
        assert_eq!(decode_signature("AAE=").ok(), Some(vec![0, 1]));
        for bad in [
            "", "AAE",      // missing padding
            "AAF=",     // non-zero trailing bits
            "AA E=",    // whitespace
            "AAE=\n",   // newline
            "AA-_",     // URL-safe alphabet
            "AAE==",    // extra padding
            "=AAE",     // padding first
            "AAE=AAE=", // padding in the middle
        ] {
            assert_eq!(
                decode_signature(bad),
                Err(VerifyError::SignatureEncoding),
                "{bad:?}"
            );
        }
        assert_eq!(
            decode_signature(&"A".repeat(2000)),
            Err(VerifyError::SignatureEncoding)
        );
    }

    #[test]
    fn rejects_non_rsa_and_garbage_keys() {
        assert!(SigningKey::from_spki(b"not a key").is_err());
        assert!(SigningKey::from_spki(&[]).is_err());
    }
}
