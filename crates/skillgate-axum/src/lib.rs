//! Alexa request verification for [axum] and [tower]: add it to an application you already
//! have without taking the rest of skillgate (no TLS server, no stores, no skill framework).
//!
//! - [`AlexaVerifyLayer`]: a tower layer that answers 405/415/413/400 itself and passes only
//!   verified requests on, with the exact body still readable;
//! - [`VerifiedAlexaRequest`]: the axum extractor for what verification established;
//! - [`Gate`]: the same checks without tower (what `skillgate-server` runs on every request);
//! - [`intake`]: the checks before verification (method, content type, declared size, body read
//!   under a cap and a deadline), each refusal a [`Rejection`] with a stable reason.
//!
//! ```no_run
//! # use std::sync::Arc;
//! use axum::{Router, routing::post};
//! use skillgate_axum::{AlexaVerifyLayer, VerifiedAlexaRequest};
//!
//! async fn alexa(req: VerifiedAlexaRequest) -> String {
//!     format!("verified {} for {}", req.verified.request_type, req.verified.application_id)
//! }
//! # fn app(verifier: skillgate_verify::Verifier) -> Router {
//! Router::new()
//!     .route("/alexa", post(alexa))
//!     .layer(AlexaVerifyLayer::new(Arc::new(verifier)))
//! # }
//! ```
//!
//! `examples/embed.rs` is a complete program; docs/axum-layer.md explains the choices.
#![warn(missing_docs)]

pub mod gate;
pub mod intake;
pub mod layer;
pub mod metrics;

pub use gate::{Admitted, DEFAULT_BODY_TIMEOUT, DEFAULT_MAX_BODY_BYTES, Gate};
pub use intake::Rejection;
pub use layer::{AlexaVerify, AlexaVerifyLayer, VerifiedAlexaRequest};
