//! The security boundary shared by the server and the tower layer: intake checks, body
//! read, then [`skillgate_verify::Verifier::verify`] over the exact bytes received.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::StatusCode;
use http::request::Parts;
use skillgate_verify::{VerifiedRequest, Verifier};

use crate::intake::{self, Rejection};

/// The default body cap: 128 KiB, several times the largest real Alexa request.
pub const DEFAULT_MAX_BODY_BYTES: usize = 128 * 1024;

/// The default deadline for reading a request body.
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(10);

/// Runs every check that must pass before skill code.
#[derive(Debug, Clone)]
pub struct Gate {
    verifier: Arc<Verifier>,
    max_body: usize,
    body_timeout: Duration,
}

/// A request that passed the gate: its verified facts and the exact body.
#[derive(Debug, Clone)]
pub struct Admitted {
    /// What verification established.
    pub verified: VerifiedRequest,
    /// The raw body, as received and verified.
    pub body: Bytes,
}

impl Gate {
    /// A gate in front of `verifier` with the default body cap (128 KiB) and a 10 s
    /// body-read deadline.
    pub fn new(verifier: Arc<Verifier>) -> Self {
        Self {
            verifier,
            max_body: DEFAULT_MAX_BODY_BYTES,
            body_timeout: DEFAULT_BODY_TIMEOUT,
        }
    }

    /// Sets the body cap (bytes).
    pub fn with_max_body(mut self, max_body: usize) -> Self {
        self.max_body = max_body;
        self
    }

    /// Sets the body-read deadline.
    pub fn with_body_timeout(mut self, timeout: Duration) -> Self {
        self.body_timeout = timeout;
        self
    }

    /// The verifier behind the gate.
    pub fn verifier(&self) -> &Arc<Verifier> {
        &self.verifier
    }

    /// Checks the request head (method, content type, declared length).
    pub fn check_head(&self, parts: &Parts) -> Result<(), Rejection> {
        intake::check_head(&parts.method, &parts.headers, self.max_body)
    }

    /// Checks the head, reads the body under the cap and deadline, and verifies it. A
    /// refusal of the head comes with the unread body, to be held until the answer is
    /// sent ([`intake::refuse_unread`]).
    pub async fn admit<B>(&self, parts: &Parts, body: B) -> Result<Admitted, (Rejection, Option<B>)>
    where
        B: http_body::Body<Data = Bytes>,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        if let Err(rejection) = self.check_head(parts) {
            return Err((rejection, Some(body)));
        }
        self.admit_body(parts, body).await.map_err(|r| (r, None))
    }

    /// Reads the body under the cap and deadline and verifies it (the head was checked).
    pub async fn admit_body<B>(&self, parts: &Parts, body: B) -> Result<Admitted, Rejection>
    where
        B: http_body::Body<Data = Bytes>,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let body = intake::read_body(body, self.max_body, self.body_timeout).await?;
        let result = self
            .verifier
            .verify(&parts.headers, &body, SystemTime::now())
            .await;
        match result {
            Ok(verified) => Ok(Admitted { verified, body }),
            Err(error) => Err(Rejection::verification(status_for(&error), &error)),
        }
    }
}

/// 400 for every verification failure, except a replay store that did not answer: that
/// says nothing about the request, so 503 (the request is still refused: fail closed).
fn status_for(error: &skillgate_verify::VerifyError) -> StatusCode {
    match error {
        skillgate_verify::VerifyError::ReplayStoreUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::BAD_REQUEST,
    }
}
