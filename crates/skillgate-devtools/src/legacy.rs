//! RSA PKCS#1 v1.5 with SHA-1, for the legacy `Signature` header.
//!
//! aws-lc-rs can verify SHA-1 RSA signatures but only signs with SHA-256 and up, so this
//! one function calls aws-lc's own `RSA_sign` (the same library aws-lc-rs wraps) through
//! aws-lc-sys. No cryptography is written here: the key is parsed and the signature
//! made by aws-lc; this module only owns and frees the two C objects.

#![allow(unsafe_code)]

use std::mem::MaybeUninit;

use aws_lc_rs::digest;
use aws_lc_sys::{
    CBS, CBS_init, EVP_PKEY, EVP_PKEY_free, EVP_PKEY_get1_RSA, EVP_parse_private_key, NID_sha1,
    RSA, RSA_free, RSA_sign, RSA_size,
};

/// Frees an `EVP_PKEY` on drop.
struct Pkey(*mut EVP_PKEY);

impl Drop for Pkey {
    fn drop(&mut self) {
        // SAFETY: the pointer came from EVP_parse_private_key, is non-null and owned here.
        unsafe { EVP_PKEY_free(self.0) }
    }
}

/// Frees an `RSA` on drop (EVP_PKEY_get1_RSA returns a new reference).
struct Rsa(*mut RSA);

impl Drop for Rsa {
    fn drop(&mut self) {
        // SAFETY: the pointer came from EVP_PKEY_get1_RSA, is non-null and owned here.
        unsafe { RSA_free(self.0) }
    }
}

/// Signs `message` with the RSA private key in `pkcs8` (DER): PKCS#1 v1.5, SHA-1.
pub(crate) fn sign_sha1(pkcs8: &[u8], message: &[u8]) -> Result<Vec<u8>, &'static str> {
    let hash = digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, message);
    let hash = hash.as_ref();
    // SAFETY: CBS_init only records the pointer and length of `pkcs8`, which outlives
    // `cbs`; EVP_parse_private_key reads within those bounds and returns an owned key or
    // null. Every returned pointer is checked for null before use and freed exactly once
    // by its guard. `out` has RSA_size bytes, the maximum RSA_sign writes.
    unsafe {
        let mut cbs = MaybeUninit::<CBS>::uninit();
        CBS_init(cbs.as_mut_ptr(), pkcs8.as_ptr(), pkcs8.len());
        let pkey = EVP_parse_private_key(cbs.as_mut_ptr());
        if pkey.is_null() {
            return Err("not a PKCS#8 private key");
        }
        let pkey = Pkey(pkey);
        let rsa = EVP_PKEY_get1_RSA(pkey.0);
        if rsa.is_null() {
            return Err("not an RSA key");
        }
        let rsa = Rsa(rsa);
        let size = RSA_size(rsa.0) as usize;
        let mut out = vec![0u8; size];
        let mut out_len: std::os::raw::c_uint = 0;
        let ok = RSA_sign(
            NID_sha1,
            hash.as_ptr(),
            hash.len(),
            out.as_mut_ptr(),
            &mut out_len,
            rsa.0,
        );
        if ok != 1 {
            return Err("RSA_sign failed");
        }
        out.truncate(out_len as usize);
        Ok(out)
    }
}
