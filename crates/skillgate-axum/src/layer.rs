//! Verification as a tower [`Layer`] and an axum extractor, for mounting in your own axum
//! application (see docs/axum-layer.md and this crate's `examples/embed.rs`).
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

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::extract::FromRequestParts;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http::request::Parts;
use http::{Request, StatusCode};
use skillgate_verify::{VerifiedRequest, Verifier};
use tower::{Layer, Service};

use crate::gate::Gate;

/// A tower layer that admits only verified Alexa requests: it answers 405, 415, 413 and
/// 400 itself (empty body, reason in the log), and passes verified ones on with a
/// [`VerifiedAlexaRequest`] in the request extensions and the exact body still readable.
#[derive(Debug, Clone)]
pub struct AlexaVerifyLayer {
    gate: Arc<Gate>,
}

impl AlexaVerifyLayer {
    /// A layer in front of `verifier` (128 KiB body cap, 10 s body deadline).
    pub fn new(verifier: Arc<Verifier>) -> Self {
        Self::from_gate(Gate::new(verifier))
    }

    /// A layer from a configured [`Gate`].
    pub fn from_gate(gate: Gate) -> Self {
        Self {
            gate: Arc::new(gate),
        }
    }

    /// Sets the body cap (bytes).
    pub fn max_body_bytes(self, max: usize) -> Self {
        Self::from_gate((*self.gate).clone().with_max_body(max))
    }

    /// Sets the body-read deadline.
    pub fn body_timeout(self, timeout: Duration) -> Self {
        Self::from_gate((*self.gate).clone().with_body_timeout(timeout))
    }
}

impl<S> Layer<S> for AlexaVerifyLayer {
    type Service = AlexaVerify<S>;
    fn layer(&self, inner: S) -> Self::Service {
        AlexaVerify {
            inner,
            gate: Arc::clone(&self.gate),
        }
    }
}

/// The service made by [`AlexaVerifyLayer`].
#[derive(Debug, Clone)]
pub struct AlexaVerify<S> {
    inner: S,
    gate: Arc<Gate>,
}

/// A verified request, inserted by [`AlexaVerifyLayer`]; also an axum extractor.
#[derive(Debug, Clone)]
pub struct VerifiedAlexaRequest {
    /// What verification established (application id, request type and id, ...).
    pub verified: Arc<VerifiedRequest>,
    /// The exact body that was verified.
    pub body: Bytes,
}

impl<S, B> Service<Request<B>> for AlexaVerify<S>
where
    S: Service<Request<Body>, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        // The clone is ready-less; keep the one that was polled ready.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let gate = Arc::clone(&self.gate);
        Box::pin(async move {
            let (mut parts, body) = request.into_parts();
            match gate.admit(&parts, body).await {
                Ok(admitted) => {
                    tracing::debug!(
                        request_id = %admitted.verified.request_id,
                        request_type = %admitted.verified.request_type,
                        "verified"
                    );
                    parts.extensions.insert(VerifiedAlexaRequest {
                        verified: Arc::new(admitted.verified),
                        body: admitted.body.clone(),
                    });
                    inner
                        .call(Request::from_parts(parts, Body::from(admitted.body)))
                        .await
                }
                Err((rejection, unread)) => {
                    crate::metrics::verification_failure(rejection.reason);
                    tracing::warn!(
                        status = rejection.status.as_u16(),
                        reason = rejection.reason,
                        detail = %rejection.detail,
                        path = %parts.uri.path(),
                        "request refused"
                    );
                    Ok(respond(rejection, unread))
                }
            }
        })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for VerifiedAlexaRequest {
    type Rejection = (StatusCode, &'static str);

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Self>().cloned().ok_or((
            StatusCode::INTERNAL_SERVER_ERROR,
            "VerifiedAlexaRequest used on a route without AlexaVerifyLayer",
        ))
    }
}

fn respond<B: Send + 'static>(rejection: crate::intake::Rejection, unread: Option<B>) -> Response {
    match unread {
        Some(body) => crate::intake::refuse_unread(rejection, body),
        None => rejection.into_response(),
    }
}
