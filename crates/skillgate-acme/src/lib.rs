//! Automatic TLS certificates for skillgate: ACME (RFC 8555) with
//! [instant-acme](https://docs.rs/instant-acme) for the protocol.
//!
//! - [`Acme`] ([`manager`]): serves the stored certificate at once, orders when none is
//!   stored or renewal is due (two thirds of the lifetime, with jitter: [`schedule`]),
//!   retries failures with exponential backoff while the current certificate keeps serving,
//!   logs every outcome and counts it in metrics.
//! - [`AcmeResolver`] ([`resolver`]): a `rustls::server::ResolvesServerCert` for the HTTPS
//!   listener; a renewed certificate is swapped in for new handshakes, open connections are
//!   untouched. It also answers tls-alpn-01 challenges.
//! - [`challenge`]: the tls-alpn-01 certificate, the http-01 answers and a port-80 server
//!   that redirects everything else to HTTPS.
//! - [`store`]: account key and certificates in the data directory, mode 0600, reused
//!   across restarts.
//!
//! See `docs/acme.md`.

#![warn(missing_docs)]

pub mod challenge;
mod client;
mod error;
pub mod manager;
pub mod resolver;
pub mod schedule;
pub mod store;
#[cfg(feature = "testing")]
pub mod testing;

pub use error::AcmeError;
pub use manager::{
    Acme, AcmeConfig, Challenge, LETS_ENCRYPT_PRODUCTION, LETS_ENCRYPT_STAGING, Status,
};
pub use resolver::{ACME_TLS_ALPN, AcmeResolver, is_acme_validation};
pub use store::Issued;
