//! The minimal, borrowed parse of a request envelope: what verification needs, plus the few
//! fields a per-request log line and routing need (intent name, session, user), so a server
//! parses the body once.
//!
//! The body first passes the [JSON rules](crate::json_rules) (an object, bounded depth,
//! finite numbers, no lone surrogates, no duplicate keys anywhere), so the fields skipped
//! here are as sound as the ones read. The framework parses the full envelope itself; gateway
//! mode never needs to.

use std::borrow::Cow;

use serde::de::Visitor;
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;

use crate::error::{BodyError, VerifyError};
use crate::json_rules;

/// The fields of an Alexa request envelope the verifier reads.
#[derive(Debug, Deserialize)]
pub struct MinimalEnvelope<'a> {
    /// `request`.
    #[serde(borrow, deserialize_with = "object")]
    pub request: MinimalRequest<'a>,
    /// `context` (absent in some old captures).
    #[serde(borrow, default, deserialize_with = "object_opt")]
    pub context: Option<Context<'a>>,
    /// `session` (absent for out-of-session requests).
    #[serde(borrow, default, deserialize_with = "object_opt")]
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
    /// `request.intent` (IntentRequest, CanFulfillIntentRequest), kept raw: a log field
    /// never fails a request, whatever its shape ([`MinimalEnvelope::intent_name`]).
    #[serde(borrow, default)]
    pub intent: Option<&'a RawValue>,
}

/// An object with a `name`.
#[derive(Debug, Deserialize)]
struct Named<'a> {
    #[serde(borrow, default)]
    name: Option<Cow<'a, str>>,
}

/// A `user` object.
#[derive(Debug, Deserialize)]
struct User<'a> {
    #[serde(rename = "userId", borrow, default)]
    user_id: Option<Cow<'a, str>>,
}

/// A struct read only from a JSON object: serde's derive would also read a struct from an
/// array of its fields in order, which the model (and any upstream) reads differently.
///
/// Read in the same pass as the enclosing object (no raw capture and second parse of the
/// member): [`ObjectOnly`] hands the derived visitor to `deserialize_map`, which refuses
/// anything but `{`.
fn object<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(ObjectOnly(deserializer))
}

/// [`object`], or `None` for `null`.
fn object_opt<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct NullOrObject<T>(std::marker::PhantomData<T>);
    impl<'de, T: Deserialize<'de>> Visitor<'de> for NullOrObject<T> {
        type Value = Option<T>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("null or a JSON object")
        }

        fn visit_none<E: serde::de::Error>(self) -> Result<Option<T>, E> {
            Ok(None)
        }

        fn visit_unit<E: serde::de::Error>(self) -> Result<Option<T>, E> {
            Ok(None)
        }

        fn visit_some<D2: Deserializer<'de>>(self, inner: D2) -> Result<Option<T>, D2::Error> {
            object(inner).map(Some)
        }
    }
    deserializer.deserialize_option(NullOrObject(std::marker::PhantomData))
}

/// A deserializer that reads a derived struct only from a JSON object (`deserialize_struct`
/// becomes `deserialize_map`); everything else goes to the wrapped deserializer unchanged.
struct ObjectOnly<D>(D);

impl<'de, D: Deserializer<'de>> Deserializer<'de> for ObjectOnly<D> {
    type Error = D::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_map(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_map(visitor)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map enum identifier ignored_any
    }
}

/// Reads a log field lazily from its raw JSON; `None` when it does not have the expected
/// shape.
fn lenient<'a, T: Deserialize<'a>>(raw: Option<&'a RawValue>) -> Option<T> {
    serde_json::from_str(raw?.get()).ok()
}

/// [`lenient`] for an object (never read from an array, as the model would not).
fn lenient_object<'a, T: Deserialize<'a>>(raw: Option<&'a RawValue>) -> Option<T> {
    let raw = raw.filter(|r| r.get().starts_with('{'))?;
    lenient(Some(raw))
}

/// `context`.
#[derive(Debug, Deserialize)]
pub struct Context<'a> {
    /// `context.System`.
    #[serde(rename = "System", borrow, default, deserialize_with = "object_opt")]
    pub system: Option<Holder<'a>>,
}

/// `session`.
#[derive(Debug, Deserialize)]
pub struct Session<'a> {
    /// `session.application`.
    #[serde(borrow, default, deserialize_with = "object_opt")]
    pub application: Option<Application<'a>>,
    /// `session.sessionId` (raw; see [`MinimalEnvelope::session_id`]).
    #[serde(rename = "sessionId", borrow, default)]
    pub session_id: Option<&'a RawValue>,
    /// `session.new` (raw; see [`MinimalEnvelope::new_session`]).
    #[serde(borrow, default)]
    pub new: Option<&'a RawValue>,
    /// `session.user` (raw; see [`MinimalEnvelope::user_id`]).
    #[serde(borrow, default)]
    pub user: Option<&'a RawValue>,
}

/// `context.System`.
#[derive(Debug, Deserialize)]
pub struct Holder<'a> {
    /// `context.System.application`.
    #[serde(borrow, default, deserialize_with = "object_opt")]
    pub application: Option<Application<'a>>,
    /// `context.System.user` (raw; see [`MinimalEnvelope::user_id`]).
    #[serde(borrow, default)]
    pub user: Option<&'a RawValue>,
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
    /// serde_json does not check the fields it skips as strictly as those it reads (UTF-8:
    /// fuzz finding F1, docs/fuzzing.md; lone surrogates, numbers out of range, depth:
    /// issue 15), so the whole body passes [`json_rules::check`] first, a linear scan of a
    /// few microseconds for Alexa's bodies.
    pub fn parse(body: &'a [u8]) -> Result<MinimalEnvelope<'a>, VerifyError> {
        json_rules::check(body).map_err(|e| VerifyError::BodyJson(BodyError::Rules(e)))?;
        serde_json::from_slice(body)
            .map_err(|e| VerifyError::BodyJson(BodyError::Shape(std::sync::Arc::new(e))))
    }

    /// `request.intent.name`, if it is a string.
    pub fn intent_name(&self) -> Option<Cow<'a, str>> {
        lenient_object::<Named<'a>>(self.request.intent)?.name
    }

    /// `session.sessionId`, if it is a string.
    pub fn session_id(&self) -> Option<Cow<'a, str>> {
        lenient(self.session.as_ref()?.session_id)
    }

    /// `session.new`, if it is a boolean.
    pub fn new_session(&self) -> Option<bool> {
        lenient(self.session.as_ref()?.new)
    }

    /// `session.user.userId`, else `context.System.user.userId`, if a string.
    pub fn user_id(&self) -> Option<Cow<'a, str>> {
        let session = self
            .session
            .as_ref()
            .and_then(|s| lenient_object::<User<'a>>(s.user))
            .and_then(|u| u.user_id);
        session.or_else(|| {
            let system = self.context.as_ref()?.system.as_ref()?;
            lenient_object::<User<'a>>(system.user)?.user_id
        })
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
            // Issue 15, item 5: shapes the model reads differently or refuses.
            b"[{\"type\":\"A\",\"requestId\":\"r\",\"timestamp\":\"t\"}]",
            b"{\"request\":[\"A\",\"r\",\"t\"]}",
            b"{\"request\":{\"type\":\"A\",\"requestId\":\"r\",\"timestamp\":\"t\"},\"session\":[{\"applicationId\":\"x\"}]}",
            b"{\"request\":{\"type\":\"A\",\"requestId\":\"r\",\"timestamp\":\"t\",\"n\":1e999999}}",
            b"{\"request\":{\"type\":\"A\",\"requestId\":\"r\",\"timestamp\":\"t\",\"s\":\"\\ud800\"}}",
            b"{\"request\":{\"type\":\"A\",\"requestId\":\"r\",\"timestamp\":\"t\"},\"x\":1,\"x\":2}",
        ] {
            assert!(
                matches!(MinimalEnvelope::parse(body), Err(VerifyError::BodyJson(_))),
                "{:?}",
                String::from_utf8_lossy(body)
            );
        }
    }
}
