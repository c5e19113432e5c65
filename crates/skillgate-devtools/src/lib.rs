//! Developer tooling for skillgate: test a skill end to end on a laptop.
//!
//! - [`dev_ca`]: a local development CA and an `echo-api.amazon.com` signing certificate.
//! - [`sign`]: signs bodies as Alexa does (`Signature-256` and legacy `Signature`).
//! - [`envelope`]: realistic request envelopes, and refreshing recorded ones for replay.
//! - [`render`]: a response envelope as a person reads it.
//! - [`dialog`]: the dialog script syntax and multi-turn conversation state.
//! - [`client`]: the HTTPS edge that sends a signed request.
//!
//! Everything but [`client`] is sans-IO (the clock is passed in) except file loading in
//! [`dev_ca`].

#![warn(missing_docs)]

pub mod client;
pub mod dev_ca;
pub mod dialog;
pub mod envelope;
mod error;
mod legacy;
pub mod random;
pub mod render;
pub mod sign;

pub use error::Error;
