//! The skillgate server: HTTPS (rustls) with limits and Alexa request verification in
//! front of native Rust skills or a verifying gateway to a skill written in any language.
//!
//! Start with [`ServerBuilder`]; to mount verification in your own axum application use
//! [`layer::AlexaVerifyLayer`] and [`layer::VerifiedAlexaRequest`].
#![warn(missing_docs)]

pub mod answer;
pub mod cert_store;
pub mod config;
pub mod dev_cert;
mod endpoint;
pub mod gate;
pub mod gateway;
pub mod intake;
pub mod layer;
mod listener;
pub mod logging;
pub mod mask;
pub mod metrics;
pub mod record;
mod server;
pub mod signal;
pub mod spoken;

pub use config::Config;
pub use listener::tls_config;
pub use server::{
    DevCertificateInfo, Server, ServerBuilder, ServerError, ServerHandle, SkillInfo, StartupReport,
};
