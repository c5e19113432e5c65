//! `skillgate preflight`: what Amazon's certification will find on a deployed skill
//! endpoint, before submitting it.
//!
//! - TLS ([`tls`], [`legacy`]): port 443, a TLS 1.2+ handshake, TLS 1.0 and 1.1 refused,
//!   the chain trusted by the Mozilla roots (or equal to a self-signed certificate), the
//!   name, the days to expiry.
//! - The hostile requests certification sends ([`cases`]), each of which must get HTTP
//!   400, sent over real connections ([`http`]).
//!
//! Everything that decides is pure (request building, answer classification, certificate
//! checks); I/O happens in [`run()`], [`http::send`], [`tls::handshake`] and
//! [`legacy::probe`]. Works against any server, not only skillgate.

#![warn(missing_docs)]

pub mod cases;
mod error;
pub mod http;
pub mod legacy;
pub mod report;
mod run;
pub mod target;
pub mod tls;

pub use error::Error;
pub use report::{Check, Group, Outcome, Report};
pub use run::{EXPIRY_WARN_DAYS, Options, run};
pub use tls::Trust;
