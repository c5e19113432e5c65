//! One row of the requests pane, made from the server's [`RequestRecord`]: the summary
//! (time, skill, type, intent and slots, verdict, status, latency, what was said) and the
//! detail (request and response JSON with tokens masked, bodies capped; verifier steps).

use serde_json::Value;
use skillgate_server::observe::{RequestRecord, Verdict};
use skillgate_verify::Check;

/// How far verification got for one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The check ran and passed.
    Passed,
    /// The check that refused the request.
    Failed,
    /// Not reached.
    NotRun,
}

/// The outcome class the pane filters on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// Verified and answered by the skill.
    Verified,
    /// Refused (intake or verification).
    Refused,
    /// Verified, but the skill failed (error, timeout, upstream down).
    Error,
}

impl Class {
    /// The label used in filters and CSS classes.
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Verified => "verified",
            Class::Refused => "refused",
            Class::Error => "error",
        }
    }
}

/// One observed request, ready to show.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Its number (the SSE event id).
    pub seq: u64,
    /// Arrival, `HH:MM:SS.mmm` UTC.
    pub time: String,
    /// The skill (or the path of a refused request on a shared path).
    pub skill: String,
    /// The request type, from the verifier or (refused) the body if it parses.
    pub request_type: String,
    /// The intent name, if any.
    pub intent: String,
    /// Slot name and value pairs as sent.
    pub slots: Vec<(String, String)>,
    /// Verified, refused or error.
    pub class: Class,
    /// The outcome label (`answered`, `rejected`, `skill_error`, …).
    pub outcome: &'static str,
    /// For a refusal: the check that failed (`intake` for the HTTP checks before it).
    pub failed_check: Option<&'static str>,
    /// For a refusal: the reason label.
    pub reason: Option<&'static str>,
    /// For a refusal: the detail the log has.
    pub detail: Option<String>,
    /// The HTTP status.
    pub status: u16,
    /// Milliseconds from arrival to answer.
    pub latency_ms: f64,
    /// What Alexa would say (the output speech as text).
    pub said: String,
    /// The request JSON, pretty, tokens masked, at most the body cap.
    pub request_json: String,
    /// The response JSON, pretty, at most the body cap.
    pub response_json: String,
    /// The verifier's checks in order and how far it got.
    pub steps: Vec<(&'static str, Step)>,
}

/// The verifier's checks in order and how far a request got, with the check that refused
/// it (`intake` for the HTTP checks before verification). The step comes from the verifier
/// itself ([`skillgate_verify::VerifyError::check`], carried in the verdict).
fn steps_for(verdict: &Verdict) -> (Vec<(&'static str, Step)>, Option<&'static str>) {
    // `Some(None)`: refused by the intake checks; `Some(Some(check))`: by that check.
    let failed = match verdict {
        Verdict::Refused { check, .. } => Some(*check),
        _ => None,
    };
    let intake = if failed == Some(None) {
        Step::Failed
    } else {
        Step::Passed
    };
    let mut reached = intake == Step::Passed;
    let mut steps = vec![("intake", intake)];
    for check in Check::ALL {
        let step = if !reached {
            Step::NotRun
        } else if failed == Some(Some(*check)) {
            reached = false;
            Step::Failed
        } else {
            Step::Passed
        };
        steps.push((check.name(), step));
    }
    let failed_check = failed.map(|check| check.map_or("intake", |c| c.name()));
    (steps, failed_check)
}

/// Pretty JSON with tokens masked (`mask` for requests), or the text, at most `cap` bytes.
fn shown(body: &[u8], cap: usize, mask: bool) -> String {
    if body.is_empty() {
        return String::new();
    }
    if body.len() > cap {
        let head = String::from_utf8_lossy(&body[..cap]);
        return format!("{head}\n… ({} bytes; the first {cap} shown)", body.len());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(mut value) => {
            if mask {
                skillgate_server::record::mask_tokens(&mut value);
            }
            serde_json::to_string_pretty(&value)
                .unwrap_or_else(|_| String::from_utf8_lossy(body).into_owned())
        }
        Err(_) => String::from_utf8_lossy(body).into_owned(),
    }
}

fn text(value: Option<&Value>) -> String {
    value.and_then(Value::as_str).unwrap_or_default().to_owned()
}

fn slots_of(envelope: &Value) -> Vec<(String, String)> {
    envelope
        .pointer("/request/intent/slots")
        .and_then(Value::as_object)
        .map(|slots| {
            slots
                .iter()
                .filter_map(|(name, slot)| {
                    let value = slot.get("value")?.as_str()?;
                    Some((name.clone(), value.to_owned()))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn time_of(record: &RequestRecord) -> String {
    let at = time::OffsetDateTime::from(record.received);
    at.format(time::macros::format_description!(
        "[hour]:[minute]:[second].[subsecond digits:3]"
    ))
    .unwrap_or_default()
}

impl Entry {
    /// The entry for `record`, numbered `seq`; bodies shown up to `cap` bytes each.
    pub fn from_record(seq: u64, record: &RequestRecord, cap: usize) -> Self {
        let envelope: Value = if record.request.len() <= cap {
            serde_json::from_slice(&record.request).unwrap_or(Value::Null)
        } else {
            Value::Null
        };
        let answer: Value = serde_json::from_slice(&record.response).unwrap_or(Value::Null);
        let (steps, failed_check) = steps_for(&record.verdict);
        let (request_type, intent, reason, detail) = match &record.verdict {
            Verdict::Verified {
                request_type,
                intent,
                ..
            } => (
                request_type.clone(),
                intent.clone().unwrap_or_default(),
                None,
                None,
            ),
            Verdict::Refused { reason, detail, .. } => (
                text(envelope.pointer("/request/type")),
                text(envelope.pointer("/request/intent/name")),
                Some(*reason),
                Some(detail.clone()),
            ),
            _ => (String::new(), String::new(), None, None),
        };
        let class = match (&record.verdict, record.outcome) {
            (Verdict::Refused { .. }, _) => Class::Refused,
            (_, "answered") => Class::Verified,
            _ => Class::Error,
        };
        let said = skillgate_devtools::render::Answer::from_envelope(&answer)
            .speech
            .unwrap_or_default();
        Self {
            seq,
            time: time_of(record),
            skill: record.skill.clone(),
            request_type,
            intent,
            slots: slots_of(&envelope),
            class,
            outcome: record.outcome,
            failed_check,
            reason,
            detail,
            status: record.status,
            latency_ms: record.latency.as_secs_f64() * 1000.0,
            said,
            request_json: shown(&record.request, cap, true),
            response_json: shown(&record.response, cap, false),
            steps,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use std::time::{Duration, SystemTime};

    fn record(verdict: Verdict, request: &[u8], response: &[u8]) -> RequestRecord {
        RequestRecord {
            received: SystemTime::UNIX_EPOCH + Duration::from_millis(3_723_004),
            path: "/alexa".into(),
            skill: "home".into(),
            outcome: if matches!(verdict, Verdict::Refused { .. }) {
                "rejected"
            } else {
                "answered"
            },
            status: 200,
            latency: Duration::from_micros(1500),
            verdict,
            request: Bytes::copy_from_slice(request),
            response: Bytes::copy_from_slice(response),
        }
    }

    #[test]
    fn a_verified_request_shows_slots_speech_and_masks_tokens() {
        let request = br#"{"context":{"System":{"apiAccessToken":"SECRET"}},"request":{"type":"IntentRequest","intent":{"name":"TurnOn","slots":{"room":{"name":"room","value":"kitchen"}}}}}"#;
        let response = br#"{"version":"1.0","response":{"outputSpeech":{"type":"SSML","ssml":"<speak>On.</speak>"}}}"#;
        let v = Verdict::Verified {
            request_type: "IntentRequest".into(),
            intent: Some("TurnOn".into()),
            request_id: "r".into(),
            application_id: "a".into(),
        };
        let e = Entry::from_record(7, &record(v, request, response), 10_000);
        assert_eq!(e.time, "01:02:03.004");
        assert_eq!(e.slots, vec![("room".to_owned(), "kitchen".to_owned())]);
        assert_eq!(e.said, "On.");
        assert_eq!(e.class, Class::Verified);
        assert!(!e.request_json.contains("SECRET"), "{}", e.request_json);
        assert!(e.steps.iter().all(|(_, s)| *s == Step::Passed));
    }

    #[test]
    fn a_refusal_names_its_check_and_stops_the_steps_there() {
        let v = Verdict::Refused {
            reason: "signature_mismatch",
            detail: "signature does not match".into(),
            check: Some(Check::Signature),
        };
        let body = br#"{"request":{"type":"IntentRequest","intent":{"name":"X"}}}"#;
        let e = Entry::from_record(1, &record(v, body, b""), 10_000);
        assert_eq!(e.failed_check, Some("signature"));
        assert_eq!(e.intent, "X");
        assert_eq!(e.class, Class::Refused);
        let at = |name: &str| e.steps.iter().find(|(n, _)| *n == name).unwrap().1;
        assert_eq!(at("subject_name"), Step::Passed);
        assert_eq!(at("signature"), Step::Failed);
        assert_eq!(at("timestamp"), Step::NotRun);
        let intake = Entry::from_record(
            2,
            &record(
                Verdict::Refused {
                    reason: "body_too_large",
                    detail: String::new(),
                    check: None,
                },
                b"",
                b"",
            ),
            10,
        );
        assert_eq!(intake.failed_check, Some("intake"));
        assert!(intake.steps[1..].iter().all(|(_, s)| *s == Step::NotRun));
    }

    #[test]
    fn bodies_over_the_cap_are_cut() {
        let big = vec![b'a'; 5000];
        let v = Verdict::Refused {
            reason: "body_not_envelope",
            detail: String::new(),
            check: Some(Check::BodyJson),
        };
        let e = Entry::from_record(1, &record(v, &big, b""), 100);
        assert!(e.request_json.len() < 200, "{}", e.request_json.len());
        assert!(e.request_json.contains("5000 bytes"));
    }
}
