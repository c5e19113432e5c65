//! The skillgate server: HTTPS (rustls) with limits and Alexa request verification in
//! front of native Rust skills or a verifying gateway to a skill written in any language.
//!
//! Start with [`ServerBuilder`]; to mount verification in your own axum application use
//! [`layer::AlexaVerifyLayer`] and [`layer::VerifiedAlexaRequest`].
#![warn(missing_docs)]

pub mod cert_store;
pub mod config;
pub mod dev_cert;
pub mod logging;
pub mod mask;
pub mod metrics;
pub mod intake;
pub mod answer;
pub mod gateway;
pub mod spoken;
pub mod listener;
