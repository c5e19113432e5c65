//! **Fuzzing builds only**: a keyed-hash stand-in for the RSA request signature of one
//! certificate key, so a coverage-guided run of the `verify` fuzz target can sign and check
//! millions of requests (an RSA-2048 signature costs the harness about a millisecond; an
//! HMAC-SHA256 of a few kilobytes, microseconds).
//!
//! This module exists only when the crate is compiled with `--cfg fuzzing` (which
//! `cargo fuzz` sets for every crate it builds, and nothing else does) **and without the
//! `fetch` feature**: a build that can download chains, i.e. every server, can never contain
//! it, whatever flags it is given (`tests/no_fuzz_signature.rs` checks the normal build).
//! Even in a fuzzing build nothing changes until the harness calls [`enable_for_leaf`]: from
//! then on, and only for the public key of that one certificate, [`SigningKey::verify`]
//! checks `HMAC-SHA256(k, body)` instead of RSA PKCS#1 v1.5, where `k` is 32 random bytes
//! drawn when the key is enabled (one key per algorithm, so a SHA-256 tag is never a valid
//! SHA-1 one). The key never leaves this module: the harness gets tags from [`sign`], exactly
//! as it got RSA signatures from the private key. The comparison is aws-lc's constant-time
//! `CRYPTO_memcmp` (C, not instrumented by the fuzzer), so the fuzzer gets no byte-by-byte
//! guidance towards a valid tag: an input the harness did not sign is refused by a real
//! cryptographic check, as with RSA.
//!
//! [`SigningKey::verify`]: crate::signature::SigningKey::verify

use std::sync::OnceLock;

use aws_lc_rs::hmac;
use aws_lc_rs::rand::SystemRandom;
use base64::Engine as _;

use crate::error::VerifyError;
use crate::signature::SignatureAlgorithm;

/// The one key whose signatures are keyed hashes, and the hash keys.
struct KeyedHash {
    spki: Vec<u8>,
    sha256: hmac::Key,
    sha1: hmac::Key,
}

impl KeyedHash {
    fn key(&self, algorithm: SignatureAlgorithm) -> &hmac::Key {
        match algorithm {
            SignatureAlgorithm::Sha256 => &self.sha256,
            SignatureAlgorithm::Sha1 => &self.sha1,
        }
    }
}

static KEYED: OnceLock<KeyedHash> = OnceLock::new();

/// Makes the public key of the certificate `leaf_der` verify keyed hashes instead of RSA
/// signatures, for the rest of the process. Call it before validating a chain with that
/// leaf (a [`ValidatedChain`](crate::trust::ValidatedChain) reads its key once). Returns
/// `false`, changing nothing, when `leaf_der` is not a certificate or another key was
/// enabled first.
pub fn enable_for_leaf(leaf_der: &[u8]) -> bool {
    use x509_parser::prelude::FromDer as _;
    let Ok((_, cert)) = x509_parser::certificate::X509Certificate::from_der(leaf_der) else {
        return false;
    };
    let spki = cert.public_key().raw.to_vec();
    let rng = SystemRandom::new();
    let (Ok(sha256), Ok(sha1)) = (
        hmac::Key::generate(hmac::HMAC_SHA256, &rng),
        hmac::Key::generate(hmac::HMAC_SHA256, &rng),
    ) else {
        return false;
    };
    let mut installed = false;
    KEYED.get_or_init(|| {
        installed = true;
        KeyedHash { spki, sha256, sha1 }
    });
    installed
}

/// Whether signatures by `spki` are keyed hashes (see [`enable_for_leaf`]).
pub(crate) fn applies_to(spki: &[u8]) -> bool {
    KEYED.get().is_some_and(|keyed| keyed.spki == spki)
}

/// The base64 signature header value for `body` under the enabled key (what
/// `TestChain::sign` returns for RSA), or `None` when no key is enabled.
pub fn sign(algorithm: SignatureAlgorithm, body: &[u8]) -> Option<String> {
    let keyed = KEYED.get()?;
    let tag = hmac::sign(keyed.key(algorithm), body);
    Some(base64::engine::general_purpose::STANDARD.encode(tag.as_ref()))
}

/// Checks `signature` over `body` (constant time); only called for a key [`applies_to`].
pub(crate) fn verify(
    algorithm: SignatureAlgorithm,
    body: &[u8],
    signature: &[u8],
) -> Result<(), VerifyError> {
    let keyed = KEYED
        .get()
        .ok_or(VerifyError::SignatureMismatch { algorithm })?;
    hmac::verify(keyed.key(algorithm), body, signature)
        .map_err(|_| VerifyError::SignatureMismatch { algorithm })
}
