//! Watching every request a skill path answers or refuses (the local console of
//! `serve --console` is one observer): one [`RequestRecord`] per request, handed to a
//! [`RequestObserver`] registered with [`crate::ServerBuilder::observer`].
//!
//! Without an observer the request path pays one `Option` check per request. With one, a
//! refused request's body is copied (up to [`TAP_LIMIT`] bytes) while the gate reads it, so
//! the observer can show what was refused.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

use axum::body::Body;
use bytes::{Bytes, BytesMut};
use http_body::{Frame, SizeHint};

use http::StatusCode;
use skillgate_verify::Check;

use crate::endpoint::{Endpoint, SkillEntry};
use crate::gate::Admitted;
use crate::intake::Rejection;

/// The most bytes of a refused request's body kept for the observer.
pub const TAP_LIMIT: usize = 64 * 1024;

/// What happened to one request on a skill path.
#[derive(Debug, Clone)]
pub struct RequestRecord {
    /// When it arrived.
    pub received: SystemTime,
    /// The skill path.
    pub path: String,
    /// The skill that answered, or for a refusal the path's only skill (else the path).
    pub skill: String,
    /// `answered`, `skill_error`, `timeout`, `upstream_error` or `rejected` (the metric label).
    pub outcome: &'static str,
    /// The HTTP status sent.
    pub status: u16,
    /// From arrival to the answer.
    pub latency: Duration,
    /// The verdict: verified, or the refusal.
    pub verdict: Verdict,
    /// The request body as received (a refused one: at most [`TAP_LIMIT`] bytes, empty when
    /// it was refused before its body was read).
    pub request: Bytes,
    /// The answer body (empty for a refusal).
    pub response: Bytes,
}

/// Whether the request passed verification.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Verdict {
    /// Every check passed.
    Verified {
        /// The request type (`IntentRequest`, …).
        request_type: String,
        /// The intent, for an `IntentRequest`.
        intent: Option<String>,
        /// The request id.
        request_id: String,
        /// The skill id.
        application_id: String,
    },
    /// Refused by the intake checks or the verifier.
    Refused {
        /// The stable snake_case reason (`signature_invalid`, …), as in logs and metrics.
        reason: &'static str,
        /// The detail logged with it.
        detail: String,
        /// The verifier's step that refused it; `None` for the intake checks (method,
        /// content type, size, body deadline), which run before verification.
        check: Option<Check>,
    },
}

/// Receives one record per request. Called on the request path after the answer is
/// ready: implementations must return quickly (queue, never block).
pub trait RequestObserver: Send + Sync + std::fmt::Debug {
    /// One request, verified or refused.
    fn observe(&self, record: RequestRecord);
}

/// The shared observer handle the endpoint holds.
pub(crate) type Observer = Arc<dyn RequestObserver>;

/// A capped copy of the body bytes the gate reads.
#[derive(Debug, Clone, Default)]
pub(crate) struct Tap(Arc<Mutex<BytesMut>>);

impl Tap {
    fn bytes(&self) -> Bytes {
        self.0
            .lock()
            .map(|b| Bytes::copy_from_slice(&b))
            .unwrap_or_default()
    }
}

/// With an observer, wraps `body` so the bytes read are copied into the returned tap.
pub(crate) fn tap(observer: Option<&Observer>, body: Body) -> (Body, Option<Tap>) {
    match observer {
        None => (body, None),
        Some(_) => {
            let tap = Tap::default();
            let teed = Tee {
                inner: body,
                tap: tap.clone(),
            };
            (Body::new(teed), Some(tap))
        }
    }
}

/// When a request that took `latency` arrived.
fn arrival(latency: Duration) -> SystemTime {
    let now = SystemTime::now();
    now.checked_sub(latency).unwrap_or(now)
}

/// Publishes a refused request.
pub(crate) fn refused(
    observer: Option<&Observer>,
    tap: Option<Tap>,
    endpoint: &Endpoint,
    rejection: &Rejection,
    latency: Duration,
) {
    let Some(observer) = observer else { return };
    observer.observe(RequestRecord {
        received: arrival(latency),
        path: endpoint.path.clone(),
        skill: endpoint.refusal_label().to_owned(),
        outcome: "rejected",
        status: rejection.status.as_u16(),
        latency,
        verdict: Verdict::Refused {
            reason: rejection.reason,
            detail: rejection.detail.clone(),
            check: rejection.check,
        },
        request: tap.map(|t| t.bytes()).unwrap_or_default(),
        response: Bytes::new(),
    });
}

/// Publishes an answered (verified) request: its status, answer and outcome label.
pub(crate) fn answered(
    observer: Option<&Observer>,
    endpoint: &Endpoint,
    skill: &SkillEntry,
    admitted: &Admitted,
    (status, answer, outcome): (StatusCode, &Bytes, &'static str),
    latency: Duration,
) {
    let Some(observer) = observer else { return };
    let v = &admitted.verified;
    observer.observe(RequestRecord {
        received: arrival(latency),
        path: endpoint.path.clone(),
        skill: skill.name.clone(),
        outcome,
        status: status.as_u16(),
        latency,
        verdict: Verdict::Verified {
            request_type: v.request_type.clone(),
            intent: v.intent_name.clone(),
            request_id: v.request_id.clone(),
            application_id: v.application_id.clone(),
        },
        request: admitted.body.clone(),
        response: answer.clone(),
    });
}

/// A body that copies what is read (up to [`TAP_LIMIT`]) into a [`Tap`].
struct Tee {
    inner: Body,
    tap: Tap,
}

impl http_body::Body for Tee {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if let Poll::Ready(Some(Ok(frame))) = &polled
            && let Some(data) = frame.data_ref()
            && let Ok(mut kept) = self.tap.0.lock()
        {
            let room = TAP_LIMIT.saturating_sub(kept.len());
            kept.extend_from_slice(&data[..data.len().min(room)]);
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    #[derive(Debug)]
    struct Nobody;
    impl RequestObserver for Nobody {
        fn observe(&self, _: RequestRecord) {}
    }

    #[tokio::test]
    async fn the_tap_keeps_a_capped_copy_and_passes_everything_on() {
        let observer: Observer = Arc::new(Nobody);
        let big = vec![b'x'; TAP_LIMIT + 10];
        let (body, tap) = tap(Some(&observer), Body::from(big.clone()));
        let read = body.collect().await.unwrap().to_bytes();
        assert_eq!(read.len(), big.len());
        assert_eq!(tap.unwrap().bytes().len(), TAP_LIMIT);
        let (_, none) = super::tap(None, Body::empty());
        assert!(none.is_none());
    }
}
