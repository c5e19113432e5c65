//! Verifies that an HTTPS request really came from Alexa.
//!
//! Two entry points run the same checks in the same order ([`Check::ALL`]) and return either
//! a [`VerifiedRequest`] or a [`VerifyError`] naming the exact check that failed
//! ([`VerifyError::check`], [`VerifyError::reason`]):
//!
//! - [`Checker`], synchronous and I/O-free: checks a request against a chain you hold (its
//!   PEM, or a [`ValidatedChain`](trust::ValidatedChain)). What the offline
//!   `skillgate verify`, the fuzz targets and other runtimes use; available without default
//!   features (no reqwest, no tokio).
//! - `Verifier::verify` (default feature `fetch`): downloads the chain over HTTPS, caches it
//!   (`ChainCache`), calls the [`Checker`], then the optional replay guard.
//!
//! The checks, in order:
//!
//! 1. headers: `SignatureCertChainUrl` and `Signature-256` (or the legacy SHA-1 `Signature`,
//!    only when [`VerifierConfig::allow_sha1`] is set);
//! 2. the chain URL ([`CertChainUrl`]), normalized and checked before anything is fetched;
//! 3. strict base64 of the signature;
//! 4. the chain (feature `fetch`: from the `ChainCache` or its `ChainSource`);
//! 5. PEM parse, an `rsaEncryption` key of 2048+ bits, dates, path to a trusted root
//!    (webpki-roots plus extra anchors), the leaf's key usage (digitalSignature, serverAuth),
//!    and `echo-api.amazon.com` exactly among the signing certificate's DNS SANs;
//! 6. RSA PKCS#1 v1.5 signature over the exact body bytes;
//! 7. the [JSON rules](json_rules) over the whole body, a minimal parse of the envelope, the
//!    request id length, the timestamp (150 s both ways; one hour for skill events), and the
//!    application id allowlist;
//! 8. with a [`ReplayGuard`] configured ([`VerifierConfig::replay`]; async `Verifier` only),
//!    the request id must not have passed verification before within its timestamp window.
//!
//! Each check is a small pure function in its own module; the only I/O is in `fetch`, and
//! the clock is the `now` argument. Every default limit is a `pub` constant in [`limits`].
//!
//! ```no_run
//! # #[cfg(feature = "fetch")]
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
#[cfg(feature = "fetch")]
pub mod cache;
pub mod cache_config;
pub mod cert_url;
pub mod chain;
pub mod chain_report;
pub mod chain_watch;
pub mod checker;
pub mod envelope;
pub mod error;
#[cfg(feature = "fetch")]
pub mod fetch;
// Fuzzing builds without the chain download only (never a server): see the module.
#[cfg(all(fuzzing, not(feature = "fetch")))]
pub mod fuzz_signature;
pub mod json_rules;
pub mod limits;
#[cfg(feature = "fetch")]
pub mod rate_limit;
pub mod replay;
pub mod signature;
#[cfg(feature = "testing")]
pub mod testing;
pub mod timestamp;
pub mod trust;
pub mod trust_failure;
#[cfg(feature = "fetch")]
pub mod verifier;

/// The `http` crate this API uses (`HeaderMap`), re-exported for callers.
pub use http;

pub use application_id::ApplicationIds;
#[cfg(feature = "fetch")]
pub use cache::{ChainCache, ChainCacheStats};
pub use cache_config::ChainCacheConfig;
pub use cert_url::{CertChainUrl, CertUrlError};
pub use chain_report::{CertificateReport, ChainReport, Verdict};
pub use chain_watch::{ChainEvent, ChainIdentity, ChainWatch, WatchedChain};
pub use checker::{CERT_URL_HEADER, Checker, SignedHeaders, VerifiedRequest, VerifierConfig};
pub use error::{BodyError, Check, ConfigError, FetchError, TransportError, VerifyError};
#[cfg(feature = "fetch")]
pub use fetch::{
    ChainSource, FetchFuture, HttpsChainSource, HttpsChainSourceConfig, StaticChainSource,
};
pub use json_rules::JsonRuleError;
pub use limits::*;
#[cfg(feature = "fetch")]
pub use rate_limit::{DownloadLimiter, TokenBucket};
pub use replay::{InMemoryReplayGuard, ReplayError, ReplayGuard, Seen};
pub use signature::SignatureAlgorithm;
pub use trust::{TrustStore, ValidatedChain};
pub use trust_failure::{ChainCert, TrustFailure, TrustFailureReason};
#[cfg(feature = "fetch")]
pub use verifier::Verifier;
