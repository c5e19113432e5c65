//! One skill path: the gate, then dispatch to the skill chosen by application id (a
//! native skill or an upstream), under the handler deadline, with one log line and the
//! metrics for every request.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http::{HeaderValue, Request, StatusCode, header};

use crate::gate::{Admitted, Gate};
use crate::gateway::{Forwarded, Upstream};
use crate::mask::mask_id;
use crate::record::Recorder;
use crate::spoken;

/// What a skill entry runs.
#[derive(Debug, Clone)]
pub(crate) enum Target {
    /// A native skill.
    Native(skillgate::Skill),
    /// Gateway mode.
    Upstream(Upstream),
}

/// One skill on a path.
#[derive(Debug)]
pub(crate) struct SkillEntry {
    pub name: String,
    /// `None`: any application id (demo / dev only).
    pub ids: Option<Vec<String>>,
    pub target: Target,
    /// Its request counters and latency histogram.
    pub metrics: crate::metrics::SkillMetrics,
}

/// Everything a path needs to answer.
#[derive(Debug)]
pub(crate) struct Endpoint {
    pub path: String,
    pub gate: Gate,
    pub skills: Vec<SkillEntry>,
    pub handler_timeout: Duration,
    pub recorder: Option<Recorder>,
    pub unmask: bool,
    /// Sees every request (`serve --console`); `None`: nothing is copied.
    pub observer: Option<crate::observe::Observer>,
}

impl Endpoint {
    /// The `skill` metric label of a request refused before routing: the skill's name
    /// when the path has one skill, else the path.
    pub(crate) fn refusal_label(&self) -> &str {
        match self.skills.as_slice() {
            [only] => &only.name,
            _ => &self.path,
        }
    }

    fn route(&self, application_id: &str) -> Option<&SkillEntry> {
        self.skills
            .iter()
            .find(|s| {
                s.ids
                    .as_ref()
                    .is_some_and(|ids| ids.iter().any(|id| id == application_id))
            })
            .or_else(|| self.skills.iter().find(|s| s.ids.is_none()))
    }
}

/// The axum handler for a skill path.
pub(crate) async fn handle(
    State(endpoint): State<Arc<Endpoint>>,
    request: Request<Body>,
) -> Response {
    let started = Instant::now();
    let (parts, body) = request.into_parts();
    let observer = endpoint.observer.as_ref();
    let (body, tap) = crate::observe::tap(observer, body);
    let admitted = match endpoint.gate.admit(&parts, body).await {
        Ok(admitted) => admitted,
        Err((rejection, unread)) => {
            let elapsed = started.elapsed();
            crate::observe::refused(observer, tap, &endpoint, &rejection, elapsed);
            crate::metrics::verification_failure(rejection.reason);
            crate::metrics::request(endpoint.refusal_label(), "rejected", elapsed);
            tracing::warn!(
                path = %endpoint.path,
                outcome = "rejected",
                reason = rejection.reason,
                detail = %rejection.detail,
                status = rejection.status.as_u16(),
                latency_ms = elapsed.as_secs_f64() * 1000.0,
                "request refused"
            );
            return respond(rejection, unread);
        }
    };
    let Some(skill) = endpoint.route(&admitted.verified.application_id) else {
        // Unreachable with a consistent configuration: the verifier allows only listed ids.
        crate::metrics::verification_failure("no_skill_for_application_id");
        tracing::warn!(path = %endpoint.path, "no skill for a verified application id");
        return StatusCode::BAD_REQUEST.into_response();
    };
    let (status, answer, outcome) = dispatch(&endpoint, skill, &admitted, &parts.headers).await;
    let elapsed = started.elapsed();
    skill.metrics.request(outcome, elapsed);
    log_answered(&endpoint, skill, &admitted, status, outcome, elapsed);
    crate::observe::answered(
        observer,
        &endpoint,
        skill,
        &admitted,
        (status, &answer, outcome),
        elapsed,
    );
    if let (Some(recorder), StatusCode::OK) = (&endpoint.recorder, status) {
        let recorder = recorder.clone();
        let (id, body, answer) = (
            admitted.verified.request_id.clone(),
            admitted.body.clone(),
            answer.clone(),
        );
        tokio::task::spawn_blocking(move || {
            if let Err(error) = recorder.write(&id, &body, &answer) {
                tracing::warn!(%error, dir = %recorder.dir().display(), "cannot record the request");
            }
        });
    }
    let mut response = Response::new(Body::from(answer));
    *response.status_mut() = status;
    if status == StatusCode::OK {
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json;charset=UTF-8"),
        );
    }
    response
}

async fn dispatch(
    endpoint: &Endpoint,
    skill: &SkillEntry,
    admitted: &Admitted,
    headers: &http::HeaderMap,
) -> (StatusCode, Bytes, &'static str) {
    let deadline = endpoint.handler_timeout;
    match &skill.target {
        Target::Native(native) => {
            match tokio::time::timeout(deadline, native.handle_json(&admitted.body)).await {
                Ok(Ok(answer)) => (StatusCode::OK, Bytes::from(answer), "answered"),
                Ok(Err(skillgate::SkillError::InvalidRequest(error))) => {
                    crate::metrics::verification_failure("invalid_envelope");
                    tracing::warn!(skill = %skill.name, %error, "verified body is not a request envelope");
                    (StatusCode::BAD_REQUEST, Bytes::new(), "rejected")
                }
                Ok(Err(error)) => {
                    tracing::error!(skill = %skill.name, %error, "skill failed");
                    (StatusCode::OK, spoken::unavailable(), "skill_error")
                }
                Err(_) => {
                    tracing::error!(skill = %skill.name, ?deadline, "skill missed the deadline");
                    (StatusCode::OK, spoken::unavailable(), "timeout")
                }
            }
        }
        Target::Upstream(upstream) => {
            let info = Forwarded {
                application_id: &admitted.verified.application_id,
                request_id: &admitted.verified.request_id,
                signature: admitted.verified.algorithm,
                client_headers: headers,
            };
            match upstream.forward(admitted.body.clone(), info).await {
                Ok(answer) => (StatusCode::OK, answer, "answered"),
                Err(error) => {
                    crate::metrics::upstream_failure(&skill.name, error.kind());
                    tracing::error!(
                        skill = %skill.name,
                        upstream = %upstream.url(),
                        kind = error.kind(),
                        %error,
                        request_id = %admitted.verified.request_id,
                        "upstream failed; answering with a spoken error"
                    );
                    (StatusCode::OK, spoken::unavailable(), "upstream_error")
                }
            }
        }
    }
}

fn log_answered(
    endpoint: &Endpoint,
    skill: &SkillEntry,
    admitted: &Admitted,
    status: StatusCode,
    outcome: &'static str,
    elapsed: Duration,
) {
    // Everything logged comes from the verifier's one parse of the body.
    let v = &admitted.verified;
    let intent = v.intent_name.as_deref().unwrap_or_default();
    let user = match v.user_id.as_deref() {
        Some(id) if endpoint.unmask => id.to_owned(),
        Some(id) => mask_id(id),
        None => String::new(),
    };
    if tracing::enabled!(tracing::Level::DEBUG)
        && let Ok(envelope) = serde_json::from_slice::<serde_json::Value>(&admitted.body)
    {
        // Ids, tokens and slot values masked unless `log.unmask`.
        let shown = if endpoint.unmask {
            envelope
        } else {
            crate::mask::mask_envelope(&envelope)
        };
        tracing::debug!(request_id = %v.request_id, envelope = %shown, "request envelope");
    }
    tracing::info!(
        request_id = %v.request_id,
        request_type = %v.request_type,
        intent = %intent,
        skill = %skill.name,
        user = %user,
        outcome = outcome,
        verification = "verified",
        status = status.as_u16(),
        latency_ms = elapsed.as_secs_f64() * 1000.0,
        "alexa request"
    );
}

fn respond<B: Send + 'static>(rejection: crate::intake::Rejection, unread: Option<B>) -> Response {
    match unread {
        Some(body) => crate::intake::refuse_unread(rejection, body),
        None => rejection.into_response(),
    }
}
