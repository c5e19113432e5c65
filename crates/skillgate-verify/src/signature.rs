//! The request signature: which header, strict base64, RSA PKCS#1 v1.5 over the raw body.
//!
//! Always RSA in a normal build: the keyed-hash stand-in the `verify` fuzz target uses
//! (`fuzz_signature`) exists only under `--cfg fuzzing` without the `fetch` feature, so this
//! does not compile here:
//!
//! ```compile_fail
//! skillgate_verify::fuzz_signature::enable_for_leaf(&[]);
//! ```

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

/// Smallest accepted RSA modulus, in bits.
pub const MIN_RSA_BITS: usize = 2048;
/// Largest accepted RSA modulus, in bits.
pub const MAX_RSA_BITS: usize = 8192;

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
    /// Fuzzing builds only: this key checks keyed hashes ([`crate::fuzz_signature`]).
    #[cfg(all(fuzzing, not(feature = "fetch")))]
    keyed_hash: bool,
}

impl SigningKey {
    /// Parses a DER SubjectPublicKeyInfo. Only `rsaEncryption` keys of 2048 to 8192 bits
    /// (issue 15, item 7): an `id-RSASSA-PSS` key would make aws-lc verify PSS instead of
    /// PKCS#1 v1.5, and an EC key is not what Alexa signs with.
    pub fn from_spki(spki: &[u8]) -> Result<SigningKey, VerifyError> {
        use x509_parser::prelude::FromDer as _;
        use x509_parser::x509::SubjectPublicKeyInfo;
        let (rest, info) =
            SubjectPublicKeyInfo::from_der(spki).map_err(|_| VerifyError::UnsupportedKey)?;
        if !rest.is_empty()
            || info.algorithm.algorithm != x509_parser::oid_registry::OID_PKCS1_RSAENCRYPTION
        {
            return Err(VerifyError::UnsupportedKey);
        }
        let bits = match info.parsed() {
            Ok(x509_parser::public_key::PublicKey::RSA(rsa)) => rsa.key_size(),
            _ => return Err(VerifyError::UnsupportedKey),
        };
        if !(MIN_RSA_BITS..=MAX_RSA_BITS).contains(&bits) {
            return Err(VerifyError::UnsupportedKey);
        }
        let sha256 = ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, spki)
            .map_err(|_| VerifyError::UnsupportedKey)?;
        let sha1 = ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY, spki)
            .map_err(|_| VerifyError::UnsupportedKey)?;
        Ok(SigningKey {
            sha256,
            sha1,
            #[cfg(all(fuzzing, not(feature = "fetch")))]
            keyed_hash: crate::fuzz_signature::applies_to(spki),
        })
    }

    /// Verifies `signature` over the exact `body` bytes.
    pub fn verify(
        &self,
        algorithm: SignatureAlgorithm,
        body: &[u8],
        signature: &[u8],
    ) -> Result<(), VerifyError> {
        #[cfg(all(fuzzing, not(feature = "fetch")))]
        if self.keyed_hash {
            return crate::fuzz_signature::verify(algorithm, body, signature);
        }
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

    /// A DER length (short or long form).
    fn der_len(len: usize) -> Vec<u8> {
        if len < 0x80 {
            vec![len as u8]
        } else if len < 0x100 {
            vec![0x81, len as u8]
        } else {
            vec![0x82, (len >> 8) as u8, len as u8]
        }
    }

    fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        out.extend(der_len(body.len()));
        out.extend_from_slice(body);
        out
    }

    /// An SPKI with the given algorithm OID (DER content) and a `bits`-bit modulus.
    fn spki(oid: &[u8], bits: usize) -> Vec<u8> {
        let mut modulus = vec![0u8; 1 + bits / 8];
        modulus[1] = 0xc5;
        *modulus.last_mut().unwrap() = 0x01;
        let rsa = tlv(
            0x30,
            &[tlv(0x02, &modulus), tlv(0x02, &[0x01, 0x00, 0x01])].concat(),
        );
        let mut bit_string = vec![0u8];
        bit_string.extend(rsa);
        let algorithm = tlv(0x30, &[tlv(0x06, oid), vec![0x05, 0x00]].concat());
        tlv(0x30, &[algorithm, tlv(0x03, &bit_string)].concat())
    }

    const RSA_ENCRYPTION: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
    const RSASSA_PSS: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a];

    #[test]
    fn only_rsa_encryption_keys_of_2048_bits_or_more() {
        assert!(SigningKey::from_spki(&spki(RSA_ENCRYPTION, 2048)).is_ok());
        assert!(SigningKey::from_spki(&spki(RSA_ENCRYPTION, 4096)).is_ok());
        // Issue 15, item 7: the same key labelled id-RSASSA-PSS is refused.
        assert_eq!(
            SigningKey::from_spki(&spki(RSASSA_PSS, 2048)).err(),
            Some(VerifyError::UnsupportedKey)
        );
        assert_eq!(
            SigningKey::from_spki(&spki(RSA_ENCRYPTION, 1024)).err(),
            Some(VerifyError::UnsupportedKey)
        );
        let mut trailing = spki(RSA_ENCRYPTION, 2048);
        trailing.push(0);
        assert!(SigningKey::from_spki(&trailing).is_err());
    }
}
