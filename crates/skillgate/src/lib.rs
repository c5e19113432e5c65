//! The skillgate skill framework: handlers, routing, interceptors, attributes, deadline,
//! localized speech and progressive responses for Alexa custom skills.
//!
//! A skill is a plain value: build it with [`Skill::builder`], call it with a request
//! envelope ([`Skill::handle`]) in tests, mount it in `skillgate-server` for Alexa.
//!
//! ```
//! use skillgate::{Context, HandlerResult, Skill};
//!
//! async fn help(cx: Context) -> HandlerResult {
//!     Ok(cx.reply().speak("Say hello.").reprompt("What now?").build())
//! }
//!
//! let skill = Skill::builder()
//!     .on_launch(|cx: Context| async move {
//!         Ok(cx.reply().speak("Welcome").reprompt("What now?").build())
//!     })
//!     .on_intent("AMAZON.HelpIntent", help)
//!     .build();
//! # let _ = skill;
//! ```
//!
//! See [`Skill`] for the order in which interceptors, handlers and error handlers run, and
//! what the user hears when something fails.
#![warn(missing_docs)]

mod account;
pub mod attributes;
pub mod catalog;
mod context;
pub mod error;
pub mod handler;
pub mod long_answer;
pub mod purchase;
mod route;
pub mod services;
mod skill;

pub use attributes::{
    AttributesKey, AttributesStore, InMemoryStore, KeyScope, StoreError, Stored, Version,
};
pub use catalog::{Catalog, CatalogError};
pub use context::Context;
pub use error::{HandlerError, SkillError};
pub use handler::{
    ErrorHandler, Handler, HandlerResult, RequestHandler, RequestInterceptor, ResponseInterceptor,
};
pub use skill::{DEFAULT_APOLOGY, DEFAULT_DEADLINE, Skill, SkillBuilder};

/// The attribute macro for implementing [`AttributesStore`] (re-exported `async_trait`).
pub use async_trait::async_trait;
/// The Alexa service API clients, re-exported (see [`Context::alexa_api`]; feature
/// `alexa-api`, on by default).
#[cfg(feature = "alexa-api")]
pub use skillgate_alexa_api as alexa_api;
/// The model crate, re-exported so a skill needs only this dependency.
pub use skillgate_model as model;
pub use skillgate_model::{RequestEnvelope, Response, ResponseBuilder, ResponseEnvelope};

/// The examples of `docs/services.md`, compiled as doc tests.
#[cfg(all(doctest, feature = "alexa-api"))]
#[doc = include_str!("../../../docs/services.md")]
pub struct ServicesGuide;
