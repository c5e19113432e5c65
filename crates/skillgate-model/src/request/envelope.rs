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

impl RequestEnvelope {
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
