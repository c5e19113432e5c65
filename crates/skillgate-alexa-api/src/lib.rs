//! Typed clients for Alexa's service APIs.
//!
//! In a request, build an [`AlexaApi`] from the request's `context.System.apiEndpoint`,
//! `apiAccessToken` and device id, with the instant by which the handler must answer; every
//! call is bounded by that deadline, goes through one shared [`Transport`] (rustls, no
//! redirects, capped bodies) and fails with an [`ApiError`] that says what to do: ask for a
//! permission, apologize for a slow service, fix the skill.
//!
//! Outside a request, [`LwaClient`] fetches and caches client-credentials tokens and
//! [`OutOfSession`] sends Proactive Events and Skill Messages.
//!
//! Models follow ask-sdk-model's field names; every field is optional and unknown fields are
//! kept (`extra`), so a new field from Amazon never fails a call.
#![warn(missing_docs)]

#[macro_use]
mod macros;

pub mod address;
mod client;
pub mod directives;
pub mod endpoints;
pub mod error;
pub mod lists;
pub mod lwa;
pub mod monetization;
pub mod proactive;
pub mod profile;
pub mod reminders;
pub mod scope;
pub mod settings;
pub mod timers;
mod token;
pub mod transport;

pub use client::AlexaApi;
pub use error::{AmazonError, ApiError, ProtocolError};
pub use lwa::LwaClient;
pub use proactive::OutOfSession;
pub use scope::Scope;
pub use token::ApiToken;
pub use transport::{Transport, TransportBuilder};
