//! The minimal, borrowed parse of a request envelope: only what verification needs.
//!
//! The framework parses the full envelope itself; gateway mode never needs to. Unknown
//! fields are ignored; a duplicate key among the fields read here is an error (serde's
//! derive rejects it), so two parsers can never disagree about them.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::error::VerifyError;

/// The fields of an Alexa request envelope the verifier reads.
#[derive(Debug, Deserialize)]
pub struct MinimalEnvelope<'a> {
    /// `request`.
    #[serde(borrow)]
    pub request: MinimalRequest<'a>,
    /// `context` (absent in some old captures).
    #[serde(borrow, default)]
    pub context: Option<Context<'a>>,
    /// `session` (absent for out-of-session requests).
    #[serde(borrow, default)]
    pub session: Option<Session<'a>>,
}

/// `request`.
#[derive(Debug, Deserialize)]
pub struct MinimalRequest<'a> {
    /// `request.type`.
    #[serde(rename = "type", borrow)]
    pub request_type: Cow<'a, str>,
    /// `request.requestId`.
    #[serde(rename = "requestId", borrow)]
    pub request_id: Cow<'a, str>,
    /// `request.timestamp`, kept raw so a non-string fails the timestamp check.
    #[serde(borrow)]
    pub timestamp: &'a RawValue,
    /// `request.locale`, for logs.
    #[serde(borrow, default)]
    pub locale: Option<Cow<'a, str>>,
}

/// `context`.
#[derive(Debug, Deserialize)]
pub struct Context<'a> {
    /// `context.System`.
    #[serde(rename = "System", borrow, default)]
    pub system: Option<Holder<'a>>,
}

/// `session`.
#[derive(Debug, Deserialize)]
pub struct Session<'a> {
    /// `session.application`.
    #[serde(borrow, default)]
    pub application: Option<Application<'a>>,
}

/// `context.System`.
#[derive(Debug, Deserialize)]
pub struct Holder<'a> {
    /// `context.System.application`.
    #[serde(borrow, default)]
    pub application: Option<Application<'a>>,
}

/// `application`.
#[derive(Debug, Deserialize)]
pub struct Application<'a> {
    /// `applicationId`.
    #[serde(rename = "applicationId", borrow)]
    pub application_id: Cow<'a, str>,
}

impl<'a> MinimalEnvelope<'a> {
    /// Parses the raw body (which must be one JSON object, nothing after it).
    ///
    /// JSON text is UTF-8 (RFC 8259 §8.1), and serde_json does not validate the bytes of
    /// fields it skips, so the whole body is checked first: a body with invalid UTF-8 anywhere
    /// is not a request envelope, even in a field the verifier never reads (fuzz finding F1,
    /// docs/fuzzing.md). The check is a linear scan, well under a microsecond for Alexa's
    /// bodies.
    pub fn parse(body: &'a [u8]) -> Result<MinimalEnvelope<'a>, VerifyError> {
        let text = std::str::from_utf8(body)
            .map_err(|e| VerifyError::BodyJson(format!("body is not UTF-8: {e}")))?;
        serde_json::from_str(text).map_err(|e| VerifyError::BodyJson(e.to_string()))
    }

    /// `context.System.application.applicationId`.
    pub fn context_application_id(&self) -> Option<&str> {
        self.context
            .as_ref()?
            .system
            .as_ref()?
            .application
            .as_ref()
            .map(|a| a.application_id.as_ref())
    }

    /// `session.application.applicationId`.
    pub fn session_application_id(&self) -> Option<&str> {
        self.session
            .as_ref()?
            .application
            .as_ref()
            .map(|a| a.application_id.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_needed_fields_and_ignores_the_rest() {
        let body = br#" {"version":"1.0","extra":[1,2],"context":{"System":{"application":{"applicationId":"a\u0031"}}},
            "request":{"type":"LaunchRequest","requestId":"r","timestamp":"2018-07-03T12:37:46Z","x":{}}}"#;
        let env = MinimalEnvelope::parse(body).unwrap();
        assert_eq!(env.request.request_type, "LaunchRequest");
        assert_eq!(env.context_application_id(), Some("a1"));
        assert_eq!(env.session_application_id(), None);
        assert_eq!(env.request.timestamp.get(), r#""2018-07-03T12:37:46Z""#);
    }

    #[test]
    fn rejects_non_envelopes() {
        for body in [
            &b""[..],
            b"null",
            b"[]",
            b"{}",
            b"{\"request\":{}}",
            b"{\"request\":{\"type\":\"A\",\"requestId\":\"r\"}}",
            b"{\"request\":{\"type\":1,\"requestId\":\"r\",\"timestamp\":\"t\"}}",
            b"{\"request\":{\"type\":\"A\",\"requestId\":\"r\",\"timestamp\":\"t\"}} x",
            b"{\"request\":{\"type\":\"A\",\"type\":\"B\",\"requestId\":\"r\",\"timestamp\":\"t\"}}",
            b"\xff\xfe",
        ] {
            assert!(
                matches!(MinimalEnvelope::parse(body), Err(VerifyError::BodyJson(_))),
                "{:?}",
                String::from_utf8_lossy(body)
            );
        }
    }
}
