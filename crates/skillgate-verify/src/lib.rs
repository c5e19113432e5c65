//! Verifies that an HTTPS request really came from Alexa.
//!
//! One entry point, [`Verifier::verify`], takes the request's headers, its raw body bytes and
//! the current time, and returns either a [`VerifiedRequest`] or a [`VerifyError`] naming the
//! exact check that failed ([`VerifyError::check`], [`VerifyError::reason`]). The checks, in
//! order ([`Check::ALL`]):
//!
//! 1. headers: `SignatureCertChainUrl` and `Signature-256` (or the legacy SHA-1 `Signature`,
//!    only when [`VerifierConfig::allow_sha1`] is set);
//! 2. the chain URL ([`CertChainUrl`]), normalized and checked before anything is fetched;
//! 3. strict base64 of the signature;
//! 4. the chain, from the [`ChainCache`] or its [`ChainSource`] ([`HttpsChainSource`] or
//!    [`StaticChainSource`]);
//! 5. PEM parse, dates, path to a trusted root (webpki-roots plus extra anchors), and
//!    `echo-api.amazon.com` in the signing certificate's SANs;
//! 6. RSA PKCS#1 v1.5 signature over the exact body bytes;
//! 7. a minimal JSON parse of the envelope, the timestamp (150 s both ways; one hour for skill
//!    events), and the application id allowlist;
//! 8. with a [`ReplayGuard`] configured ([`VerifierConfig::replay`]), the request id must not
//!    have passed verification before within its timestamp window.
//!
//! Each check is a small pure function in its own module; the only I/O is in [`fetch`], and
//! the clock is the `now` argument.
//!
//! ```no_run
//! # async fn demo(headers: http::HeaderMap, body: bytes::Bytes) -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use skillgate_verify::{HttpsChainSource, Verifier, VerifierConfig};
//!
//! let source = Arc::new(HttpsChainSource::with_defaults()?);
//! let verifier = Verifier::new(VerifierConfig::for_skills(["amzn1.ask.skill.1"]), source)?;
//! match verifier.verify(&headers, &body, std::time::SystemTime::now()).await {
//!     Ok(request) => println!("{} for {}", request.request_type, request.application_id),
//!     Err(error) => eprintln!("400: {} ({})", error.reason(), error),
//! }
//! # Ok(()) }
//! ```
//!
//! With the `testing` feature, [`testing`] generates root → intermediate → leaf chains with
//! rcgen and signs bodies, for tests of code built on this crate.

#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod application_id;
pub mod cache;
pub mod cert_url;
pub mod chain;
pub mod envelope;
pub mod error;
pub mod fetch;
pub mod rate_limit;
pub mod replay;
pub mod signature;
#[cfg(feature = "testing")]
pub mod testing;
pub mod timestamp;
pub mod trust;
pub mod verifier;

/// The `http` crate this API uses (`HeaderMap`), re-exported for callers.
pub use http;

pub use application_id::ApplicationIds;
pub use cache::{ChainCache, ChainCacheConfig};
pub use cert_url::{CertChainUrl, CertUrlError};
pub use error::{Check, ConfigError, FetchError, VerifyError};
pub use fetch::{
    ChainSource, FetchFuture, HttpsChainSource, HttpsChainSourceConfig, StaticChainSource,
};
pub use rate_limit::{DownloadLimiter, TokenBucket};
pub use replay::{InMemoryReplayGuard, ReplayError, ReplayGuard, Seen};
pub use signature::SignatureAlgorithm;
pub use verifier::{CERT_URL_HEADER, VerifiedRequest, Verifier, VerifierConfig};
