//! The request envelope and the accessors skill code reaches for.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use super::context::{Context, Device, SystemContext};
use super::kind::Request;
use super::session::{Session, User};

/// The JSON body Alexa POSTs to a skill: `version`, `session`, `context`, `request`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestEnvelope {
    /// The envelope format version, `"1.0"` (empty if absent or not a string; omitted
    /// when empty).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub version: String,
    /// The session, absent for out-of-session requests (AudioPlayer, skill events, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<Session>,
    /// The device and interface state, absent in some old or synthetic requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Context>,
    /// The request itself.
    pub request: Request,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl<'de> Deserialize<'de> for RequestEnvelope {
    /// Requires an object with a `request` object. Everything else is tolerant: a `session`,
    /// `context` or `version` that does not fit its type is kept as sent in `extra` (and its
    /// accessors answer `None`) rather than failing the request.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use crate::macros::{RawObject, member, rest, take_member};
        // Straight from the body: each member kept as raw text, each field parsed from its
        // own text, no `Value` tree of the whole envelope.
        let raw = RawObject::deserialize(deserializer)?;
        let members = &raw.0;
        let request =
            member(members, "request").ok_or_else(|| D::Error::missing_field("request"))?;
        let request: Request = serde_json::from_str(request.get()).map_err(D::Error::custom)?;
        let mut taken = vec!["request"];
        let version = take_member(members, "version", &mut taken).unwrap_or_default();
        let session = take_member(members, "session", &mut taken);
        let context = take_member(members, "context", &mut taken);
        Ok(Self {
            version,
            session,
            context,
            request,
            extra: rest(members, &taken, None).map_err(D::Error::custom)?,
        })
    }
}

impl<'de> crate::macros::Exact<'de> for RequestEnvelope {
    fn exact<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use crate::macros::{Key, exact_extra, exact_field};
        struct Fields;
        impl<'de> serde::de::Visitor<'de> for Fields {
            type Value = RequestEnvelope;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a request envelope object")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<RequestEnvelope, A::Error> {
                let (mut version, mut session, mut context) = (None, None, None);
                let mut request = None::<Request>;
                let mut extra = Map::new();
                while let Some(Key(key)) = map.next_key()? {
                    match key.as_ref() {
                        "version" => exact_field(&mut map, &mut version, "version", &mut extra)?,
                        "session" => exact_field(&mut map, &mut session, "session", &mut extra)?,
                        "context" => exact_field(&mut map, &mut context, "context", &mut extra)?,
                        // The request is read as the tolerant parse reads it (its type tag
                        // may come after its fields); it is small beside the context.
                        "request" if request.is_some() => {
                            return Err(A::Error::custom("duplicate key `request`"));
                        }
                        "request" => request = Some(map.next_value()?),
                        _ => exact_extra(&mut map, &mut extra, key)?,
                    }
                }
                Ok(RequestEnvelope {
                    version: version.unwrap_or_default(),
                    session,
                    context,
                    request: request.ok_or_else(|| A::Error::missing_field("request"))?,
                    extra,
                })
            }
        }
        deserializer.deserialize_map(Fields)
    }
}

impl RequestEnvelope {
    /// Parses a request body, with the same result as `serde_json::from_slice` (the tolerant
    /// `Deserialize` above) but in one pass over the body when every member fits its type,
    /// as Alexa's requests do: each field is read straight from the body instead of
    /// each object's members being captured and parsed again one level down. A body with a
    /// member that does not fit (or a duplicate key, or a `null`) is parsed again tolerantly.
    /// This is what the framework uses for every request.
    pub fn from_slice(body: &[u8]) -> serde_json::Result<Self> {
        let mut deserializer = serde_json::Deserializer::from_slice(body);
        match <Self as crate::macros::Exact>::exact(&mut deserializer)
            .and_then(|envelope| deserializer.end().map(|()| envelope))
        {
            Ok(envelope) => Ok(envelope),
            Err(_) => serde_json::from_slice(body),
        }
    }

    /// An envelope with version `1.0` around a request, without session or context.
    pub fn new(request: Request) -> Self {
        Self {
            version: "1.0".to_owned(),
            session: None,
            context: None,
            request,
            extra: Map::new(),
        }
    }

    /// `context.System`, if present.
    pub fn system(&self) -> Option<&SystemContext> {
        self.context.as_ref().and_then(|c| c.system.as_ref())
    }

    /// The device, from `context.System.device`.
    pub fn device(&self) -> Option<&Device> {
        self.system().and_then(|s| s.device.as_ref())
    }

    /// The user, from `context.System.user`, or else `session.user`.
    pub fn user(&self) -> Option<&User> {
        self.system()
            .and_then(|s| s.user.as_ref())
            .or_else(|| self.session.as_ref().and_then(|s| s.user.as_ref()))
    }

    /// The skill id, from `context.System.application` or else `session.application`.
    pub fn application_id(&self) -> Option<&str> {
        self.system()
            .and_then(|s| s.application.as_ref())
            .and_then(|a| a.application_id.as_deref())
            .or_else(|| {
                self.session
                    .as_ref()
                    .and_then(|s| s.application.as_ref())
                    .and_then(|a| a.application_id.as_deref())
            })
    }

    /// The user id, from `context.System.user` or else `session.user`.
    pub fn user_id(&self) -> Option<&str> {
        self.system()
            .and_then(|s| s.user.as_ref())
            .and_then(|u| u.user_id.as_deref())
            .or_else(|| {
                self.session
                    .as_ref()
                    .and_then(|s| s.user.as_ref())
                    .and_then(|u| u.user_id.as_deref())
            })
    }

    /// The device id, from `context.System.device`.
    pub fn device_id(&self) -> Option<&str> {
        self.device().and_then(|d| d.device_id.as_deref())
    }

    /// The Alexa API base URL for this request (`context.System.apiEndpoint`).
    pub fn api_endpoint(&self) -> Option<&str> {
        self.system().and_then(|s| s.api_endpoint.as_deref())
    }

    /// The Alexa API bearer token for this request (`context.System.apiAccessToken`).
    pub fn api_access_token(&self) -> Option<&str> {
        self.system().and_then(|s| s.api_access_token.as_deref())
    }

    /// The user's locale, from the request.
    pub fn locale(&self) -> Option<&str> {
        self.request.locale()
    }

    /// The session attributes the skill returned in its previous answer.
    pub fn session_attributes(&self) -> Option<&Map<String, Value>> {
        self.session.as_ref().and_then(|s| s.attributes.as_ref())
    }

    /// Whether this request starts a session (`false` for out-of-session requests).
    pub fn is_new_session(&self) -> bool {
        self.session.as_ref().is_some_and(|s| s.new)
    }

    /// The names of the interfaces the device supports (`AudioPlayer`, `Display`,
    /// `Alexa.Presentation.APL`, `VideoApp`, …).
    pub fn supported_interfaces(&self) -> Vec<&str> {
        self.device()
            .map(Device::supported_interfaces)
            .unwrap_or_default()
    }

    /// Whether the device supports the named interface.
    pub fn supports_interface(&self, interface: &str) -> bool {
        self.device().is_some_and(|d| d.supports(interface))
    }
}

/// [`RequestEnvelope::from_slice`] for text: `body.parse::<RequestEnvelope>()`.
impl std::str::FromStr for RequestEnvelope {
    type Err = serde_json::Error;

    fn from_str(body: &str) -> serde_json::Result<Self> {
        Self::from_slice(body.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::RequestEnvelope;
    use crate::macros::Exact;

    /// Alexa's real requests take the one pass (the tolerant parse is only the fallback):
    /// otherwise `from_slice` would be correct but no faster.
    #[test]
    fn real_captures_are_read_in_one_pass() {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/alexa/requests");
        let mut read = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if !path.to_string_lossy().ends_with(".body.json") {
                continue;
            }
            let body = std::fs::read(&path).unwrap();
            let mut deserializer = serde_json::Deserializer::from_slice(&body);
            let one_pass = RequestEnvelope::exact(&mut deserializer)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            deserializer.end().unwrap();
            assert_eq!(one_pass, serde_json::from_slice(&body).unwrap());
            read += 1;
        }
        assert!(read >= 4, "{read} captures");
    }
}
