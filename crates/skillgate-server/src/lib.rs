//! The skillgate server: HTTPS (rustls) with limits and Alexa request verification in
//! front of native Rust skills or a verifying gateway to a skill written in any language.
//!
//! Start with [`ServerBuilder`]; to mount verification in your own axum application take the
//! `skillgate-axum` crate alone (its [`layer::AlexaVerifyLayer`] and
//! [`layer::VerifiedAlexaRequest`] are re-exported here).
#![warn(missing_docs)]

pub mod acme;
pub mod answer;
pub mod cert_store;
pub mod config;
pub mod dev_cert;
mod endpoint;
pub mod expiry;
pub mod gateway;
mod idle;
mod listener;
pub mod logging;
pub mod mask;
pub mod metrics;
pub mod observe;
mod per_ip;
mod plan;
pub mod record;
pub mod replay_journal;
mod server;
pub mod signal;
pub mod spoken;
#[cfg(feature = "testing")]
pub mod testing;

pub use skillgate_axum::{gate, intake, layer};

pub use config::Config;
pub use listener::tls_config;
pub use plan::{Plan, PlanError, ServerBuilder};
pub use server::{DevCertificateInfo, Server, ServerError, ServerHandle, SkillInfo, StartupReport};
