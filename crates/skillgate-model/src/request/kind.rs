//! The `request` object: one variant per request type, and raw JSON for the rest.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use super::event::{
    AudioPlayerEvent, AudioPlayerEventKind, ExceptionEncounteredRequest, MessageReceivedRequest,
    PlaybackControllerEvent, PlaybackControllerKind, SkillEvent, SkillEventKind,
};
use super::interaction::{AplUserEvent, ConnectionsResponse, DialogApiInvokedRequest};
use super::standard::{CanFulfillIntentRequest, IntentRequest, LaunchRequest, SessionEndedRequest};
use crate::macros::{Tagged, typed, untag};

/// A request type this version of the model does not know (or a known one whose body has a
/// shape the typed struct cannot hold), kept as raw JSON so it never fails a parse.
#[derive(Debug, Clone, PartialEq)]
pub struct UnknownRequest {
    /// The `"type"` field (empty if there was none).
    pub request_type: String,
    /// The whole `request` object as sent, `"type"` included.
    pub raw: Value,
}

/// The `request` object of an envelope, by its `"type"`.
///
/// Deserializing never fails on a JSON object: a type the model does not know becomes
/// [`Request::Unknown`] with its raw JSON. Serializing writes `"type"` first, then the fields.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// `LaunchRequest`.
    Launch(LaunchRequest),
    /// `IntentRequest`.
    Intent(IntentRequest),
    /// `SessionEndedRequest`.
    SessionEnded(SessionEndedRequest),
    /// `CanFulfillIntentRequest`.
    CanFulfillIntent(CanFulfillIntentRequest),
    /// `AudioPlayer.*` events.
    AudioPlayer(AudioPlayerEvent),
    /// `PlaybackController.*` events.
    PlaybackController(PlaybackControllerEvent),
    /// `System.ExceptionEncountered`.
    ExceptionEncountered(ExceptionEncounteredRequest),
    /// `Alexa.Presentation.APL.UserEvent`.
    AplUserEvent(AplUserEvent),
    /// `Connections.Response`.
    ConnectionsResponse(ConnectionsResponse),
    /// `Messaging.MessageReceived`.
    MessageReceived(MessageReceivedRequest),
    /// `AlexaSkillEvent.*` events.
    SkillEvent(SkillEvent),
    /// `Dialog.API.Invoked`.
    DialogApiInvoked(DialogApiInvokedRequest),
    /// Anything else, as raw JSON.
    Unknown(UnknownRequest),
}

/// Type names of the request types with a fixed name.
mod names {
    pub const LAUNCH: &str = "LaunchRequest";
    pub const INTENT: &str = "IntentRequest";
    pub const SESSION_ENDED: &str = "SessionEndedRequest";
    pub const CAN_FULFILL: &str = "CanFulfillIntentRequest";
    pub const EXCEPTION: &str = "System.ExceptionEncountered";
    pub const APL_USER_EVENT: &str = "Alexa.Presentation.APL.UserEvent";
    pub const CONNECTIONS_RESPONSE: &str = "Connections.Response";
    pub const MESSAGE_RECEIVED: &str = "Messaging.MessageReceived";
    pub const DIALOG_API_INVOKED: &str = "Dialog.API.Invoked";
    pub const AUDIO_PLAYER_PREFIX: &str = "AudioPlayer.";
    pub const PLAYBACK_CONTROLLER_PREFIX: &str = "PlaybackController.";
    pub const SKILL_EVENT_PREFIX: &str = "AlexaSkillEvent.";
}

macro_rules! common_field {
    ($self:ident, $field:ident, $key:literal) => {
        match $self {
            Request::Launch(r) => r.$field.as_deref(),
            Request::Intent(r) => r.$field.as_deref(),
            Request::SessionEnded(r) => r.$field.as_deref(),
            Request::CanFulfillIntent(r) => r.$field.as_deref(),
            Request::AudioPlayer(r) => r.$field.as_deref(),
            Request::PlaybackController(r) => r.$field.as_deref(),
            Request::ExceptionEncountered(r) => r.$field.as_deref(),
            Request::AplUserEvent(r) => r.$field.as_deref(),
            Request::ConnectionsResponse(r) => r.$field.as_deref(),
            Request::MessageReceived(r) => r.$field.as_deref(),
            Request::SkillEvent(r) => r.$field.as_deref(),
            Request::DialogApiInvoked(r) => r.$field.as_deref(),
            Request::Unknown(r) => r.raw.get($key).and_then(Value::as_str),
        }
    };
}

impl Request {
    /// The request type as Alexa names it, e.g. `IntentRequest` or
    /// `AudioPlayer.PlaybackStarted`.
    pub fn request_type(&self) -> &str {
        match self {
            Self::Launch(_) => names::LAUNCH,
            Self::Intent(_) => names::INTENT,
            Self::SessionEnded(_) => names::SESSION_ENDED,
            Self::CanFulfillIntent(_) => names::CAN_FULFILL,
            Self::AudioPlayer(r) => r.kind.as_str(),
            Self::PlaybackController(r) => r.kind.as_str(),
            Self::ExceptionEncountered(_) => names::EXCEPTION,
            Self::AplUserEvent(_) => names::APL_USER_EVENT,
            Self::ConnectionsResponse(_) => names::CONNECTIONS_RESPONSE,
            Self::MessageReceived(_) => names::MESSAGE_RECEIVED,
            Self::SkillEvent(r) => r.kind.as_str(),
            Self::DialogApiInvoked(_) => names::DIALOG_API_INVOKED,
            Self::Unknown(r) => &r.request_type,
        }
    }

    /// The request id, if the request has one.
    pub fn request_id(&self) -> Option<&str> {
        common_field!(self, request_id, "requestId")
    }

    /// The request timestamp as sent (ISO 8601 from Alexa). Also reads the `timeStamp`
    /// spelling some sources use.
    pub fn timestamp(&self) -> Option<&str> {
        common_field!(self, timestamp, "timestamp").or_else(|| {
            self.extra()
                .and_then(|extra| extra.get("timeStamp"))
                .or_else(|| match self {
                    Self::Unknown(r) => r.raw.get("timeStamp"),
                    _ => None,
                })
                .and_then(Value::as_str)
        })
    }

    /// The user's locale, e.g. `en-US`.
    pub fn locale(&self) -> Option<&str> {
        common_field!(self, locale, "locale")
    }

    /// The intent name of an `IntentRequest` or `CanFulfillIntentRequest`.
    pub fn intent_name(&self) -> Option<&str> {
        match self {
            Self::Intent(r) => Some(&r.intent.name),
            Self::CanFulfillIntent(r) => Some(&r.intent.name),
            _ => None,
        }
    }

    /// The fields of a typed request that this version does not know (`None` for
    /// [`Request::Unknown`], whose JSON is all in `raw`).
    pub fn extra(&self) -> Option<&Map<String, Value>> {
        Some(match self {
            Self::Launch(r) => &r.extra,
            Self::Intent(r) => &r.extra,
            Self::SessionEnded(r) => &r.extra,
            Self::CanFulfillIntent(r) => &r.extra,
            Self::AudioPlayer(r) => &r.extra,
            Self::PlaybackController(r) => &r.extra,
            Self::ExceptionEncountered(r) => &r.extra,
            Self::AplUserEvent(r) => &r.extra,
            Self::ConnectionsResponse(r) => &r.extra,
            Self::MessageReceived(r) => &r.extra,
            Self::SkillEvent(r) => &r.extra,
            Self::DialogApiInvoked(r) => &r.extra,
            Self::Unknown(_) => return None,
        })
    }

    /// Whether this is an `AudioPlayer.*` or `PlaybackController.*` event, whose answers may
    /// not contain speech, a card or a reprompt.
    pub fn is_audio_event(&self) -> bool {
        matches!(self, Self::AudioPlayer(_) | Self::PlaybackController(_))
            || self.request_type().starts_with(names::AUDIO_PLAYER_PREFIX)
            || self
                .request_type()
                .starts_with(names::PLAYBACK_CONTROLLER_PREFIX)
    }
}

impl Serialize for Request {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let kind = self.request_type();
        match self {
            Self::Launch(inner) => Tagged { kind, inner }.serialize(serializer),
            Self::Intent(inner) => Tagged { kind, inner }.serialize(serializer),
            Self::SessionEnded(inner) => Tagged { kind, inner }.serialize(serializer),
            Self::CanFulfillIntent(inner) => Tagged { kind, inner }.serialize(serializer),
            Self::AudioPlayer(inner) => Tagged { kind, inner }.serialize(serializer),
            Self::PlaybackController(inner) => Tagged { kind, inner }.serialize(serializer),
            Self::ExceptionEncountered(inner) => Tagged { kind, inner }.serialize(serializer),
            Self::AplUserEvent(inner) => Tagged { kind, inner }.serialize(serializer),
            Self::ConnectionsResponse(inner) => Tagged { kind, inner }.serialize(serializer),
            Self::MessageReceived(inner) => Tagged { kind, inner }.serialize(serializer),
            Self::SkillEvent(inner) => Tagged { kind, inner }.serialize(serializer),
            Self::DialogApiInvoked(inner) => Tagged { kind, inner }.serialize(serializer),
            Self::Unknown(unknown) => unknown.raw.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for Request {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = crate::macros::RawObject::deserialize(deserializer)
            .map_err(|_| serde::de::Error::custom("a request must be a JSON object"))?;
        Self::from_members(&raw.0).map_err(serde::de::Error::custom)
    }
}

impl Request {
    /// Builds a request from the members of a JSON object (raw text), typed when the type is
    /// known and the body fits, [`Request::Unknown`] otherwise; fails only when a value is not
    /// JSON the model accepts.
    fn from_members(
        members: &[(String, Box<serde_json::value::RawValue>)],
    ) -> Result<Self, serde_json::Error> {
        let request_type = crate::macros::member(members, "type")
            .and_then(|raw| serde_json::from_str::<String>(raw.get()).ok())
            .unwrap_or_default();
        let t = request_type.as_str();
        Ok(match t {
            names::LAUNCH => parse_members(members, t, Self::Launch)?,
            names::INTENT => parse_members(members, t, Self::Intent)?,
            names::SESSION_ENDED => parse_members(members, t, Self::SessionEnded)?,
            names::CAN_FULFILL => parse_members(members, t, Self::CanFulfillIntent)?,
            names::EXCEPTION => parse_members(members, t, Self::ExceptionEncountered)?,
            names::APL_USER_EVENT => parse_members(members, t, Self::AplUserEvent)?,
            names::CONNECTIONS_RESPONSE => parse_members(members, t, Self::ConnectionsResponse)?,
            names::MESSAGE_RECEIVED => parse_members(members, t, Self::MessageReceived)?,
            names::DIALOG_API_INVOKED => parse_members(members, t, Self::DialogApiInvoked)?,
            _ if t.starts_with(names::AUDIO_PLAYER_PREFIX) => {
                parse_members(members, t, |mut event: AudioPlayerEvent| {
                    event.kind = AudioPlayerEventKind::from(t);
                    Self::AudioPlayer(event)
                })?
            }
            _ if t.starts_with(names::PLAYBACK_CONTROLLER_PREFIX) => {
                parse_members(members, t, |mut event: PlaybackControllerEvent| {
                    event.kind = PlaybackControllerKind::from(t);
                    Self::PlaybackController(event)
                })?
            }
            _ if t.starts_with(names::SKILL_EVENT_PREFIX) => {
                parse_members(members, t, |mut event: SkillEvent| {
                    event.kind = SkillEventKind::from(t);
                    Self::SkillEvent(event)
                })?
            }
            _ => Self::Unknown(UnknownRequest {
                request_type,
                raw: Value::Object(crate::macros::rest(members, &[], None)?),
            }),
        })
    }
}

/// Parses the body of a known request type from the members of its object (the `"type"`
/// tag skipped), falling back to [`Request::Unknown`] with the object as sent.
fn parse_members<T: crate::macros::FromMembers>(
    members: &[(String, Box<serde_json::value::RawValue>)],
    tag: &str,
    wrap: impl FnOnce(T) -> Request,
) -> Result<Request, serde_json::Error> {
    match T::from_members(members, Some("type")) {
        Ok(typed) => Ok(wrap(typed)),
        Err(_) => Ok(Request::Unknown(UnknownRequest {
            request_type: tag.to_owned(),
            raw: Value::Object(crate::macros::rest(members, &[], None)?),
        })),
    }
}

impl Request {
    /// Builds a request from a JSON object, typed when the type is known and the body fits,
    /// [`Request::Unknown`] otherwise. Never fails.
    pub fn from_value(value: Value) -> Self {
        let request_type = value
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let t = request_type.as_str();
        match t {
            names::LAUNCH => parse(value, t, Self::Launch),
            names::INTENT => parse(value, t, Self::Intent),
            names::SESSION_ENDED => parse(value, t, Self::SessionEnded),
            names::CAN_FULFILL => parse(value, t, Self::CanFulfillIntent),
            names::EXCEPTION => parse(value, t, Self::ExceptionEncountered),
            names::APL_USER_EVENT => parse(value, t, Self::AplUserEvent),
            names::CONNECTIONS_RESPONSE => parse(value, t, Self::ConnectionsResponse),
            names::MESSAGE_RECEIVED => parse(value, t, Self::MessageReceived),
            names::DIALOG_API_INVOKED => parse(value, t, Self::DialogApiInvoked),
            _ if t.starts_with(names::AUDIO_PLAYER_PREFIX) => {
                parse(value, t, |mut event: AudioPlayerEvent| {
                    event.kind = AudioPlayerEventKind::from(t);
                    Self::AudioPlayer(event)
                })
            }
            _ if t.starts_with(names::PLAYBACK_CONTROLLER_PREFIX) => {
                parse(value, t, |mut event: PlaybackControllerEvent| {
                    event.kind = PlaybackControllerKind::from(t);
                    Self::PlaybackController(event)
                })
            }
            _ if t.starts_with(names::SKILL_EVENT_PREFIX) => {
                parse(value, t, |mut event: SkillEvent| {
                    event.kind = SkillEventKind::from(t);
                    Self::SkillEvent(event)
                })
            }
            _ => Self::Unknown(UnknownRequest {
                request_type,
                raw: value,
            }),
        }
    }
}

/// Parses the body of a known request type, falling back to [`Request::Unknown`].
fn parse<T: DeserializeOwned>(value: Value, tag: &str, wrap: impl FnOnce(T) -> Request) -> Request {
    let unknown = |raw| {
        Request::Unknown(UnknownRequest {
            request_type: tag.to_owned(),
            raw,
        })
    };
    match untag(value) {
        Ok(body) => typed(body, wrap, tag, unknown),
        Err(value) => unknown(value),
    }
}
