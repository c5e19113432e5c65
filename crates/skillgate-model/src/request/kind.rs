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

/// The fields every typed request has.
struct Common<'a> {
    request_id: Option<&'a str>,
    timestamp: Option<&'a str>,
    locale: Option<&'a str>,
    extra: &'a Map<String, Value>,
}

/// The one table of request types: a line per variant, with its type and its `"type"` name
/// (or, for families such as `AudioPlayer.*`, the prefix and the kind enum). The enum, the
/// type name, the common fields, serialization and both parsers are generated from it, so a
/// new request type is one line here (and its struct).
macro_rules! request_types {
    (
        fixed { $( $(#[$fdoc:meta])* $fvariant:ident($ftype:ty) = $fname:path, )* }
        prefixed { $( $(#[$pdoc:meta])* $pvariant:ident($ptype:ty, $pkind:ty) = $pprefix:path, )* }
    ) => {
        /// The `request` object of an envelope, by its `"type"`.
        ///
        /// Deserializing never fails on a JSON object: a type the model does not know becomes
        /// [`Request::Unknown`] with its raw JSON. Serializing writes `"type"` first, then the fields.
        #[derive(Debug, Clone, PartialEq)]
        pub enum Request {
            $( $(#[$fdoc])* $fvariant($ftype), )*
            $( $(#[$pdoc])* $pvariant($ptype), )*
            /// Anything else, as raw JSON.
            Unknown(UnknownRequest),
        }

        impl Request {
            /// The request type as Alexa names it, e.g. `IntentRequest` or
            /// `AudioPlayer.PlaybackStarted`.
            pub fn request_type(&self) -> &str {
                match self {
                    $( Self::$fvariant(_) => $fname, )*
                    $( Self::$pvariant(r) => r.kind.as_str(), )*
                    Self::Unknown(r) => &r.request_type,
                }
            }

            /// The fields every typed request has (`None` for [`Request::Unknown`]).
            fn common(&self) -> Option<Common<'_>> {
                match self {
                    $( Self::$fvariant(r) => Some(Common {
                        request_id: r.request_id.as_deref(),
                        timestamp: r.timestamp.as_deref(),
                        locale: r.locale.as_deref(),
                        extra: &r.extra,
                    }), )*
                    $( Self::$pvariant(r) => Some(Common {
                        request_id: r.request_id.as_deref(),
                        timestamp: r.timestamp.as_deref(),
                        locale: r.locale.as_deref(),
                        extra: &r.extra,
                    }), )*
                    Self::Unknown(_) => None,
                }
            }

            /// The typed parse of the members of a request object whose type is `t`;
            /// `None` when `t` names no typed request.
            fn from_members_typed(
                members: &[crate::macros::Member<'_>],
                t: &str,
            ) -> Result<Option<Self>, serde_json::Error> {
                $( if t == $fname {
                    return parse_members(members, t, Self::$fvariant).map(Some);
                } )*
                $( if t.starts_with($pprefix) {
                    return parse_members(members, t, |mut event: $ptype| {
                        event.kind = <$pkind>::from(t);
                        Self::$pvariant(event)
                    })
                    .map(Some);
                } )*
                Ok(None)
            }

            /// The parser of a JSON value whose type is `t`; `None` when `t` names no
            /// typed request.
            fn parse_typed(t: &str) -> Option<fn(Value, &str) -> Self> {
                $( if t == $fname {
                    return Some(|value, t| parse(value, t, Self::$fvariant));
                } )*
                $( if t.starts_with($pprefix) {
                    return Some(|value, t| {
                        parse(value, t, |mut event: $ptype| {
                            event.kind = <$pkind>::from(t);
                            Self::$pvariant(event)
                        })
                    });
                } )*
                None
            }
        }

        impl Serialize for Request {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let kind = self.request_type();
                match self {
                    $( Self::$fvariant(inner) => Tagged { kind, inner }.serialize(serializer), )*
                    $( Self::$pvariant(inner) => Tagged { kind, inner }.serialize(serializer), )*
                    Self::Unknown(unknown) => unknown.raw.serialize(serializer),
                }
            }
        }
    };
}

/// A request type this version of the model does not know (or a known one whose body has a
/// shape the typed struct cannot hold), kept as raw JSON so it never fails a parse.
#[derive(Debug, Clone, PartialEq)]
pub struct UnknownRequest {
    /// The `"type"` field (empty if there was none).
    pub request_type: String,
    /// The whole `request` object as sent, `"type"` included.
    pub raw: Value,
}

request_types! {
    fixed {
        /// `LaunchRequest`.
        Launch(LaunchRequest) = names::LAUNCH,
        /// `IntentRequest`.
        Intent(IntentRequest) = names::INTENT,
        /// `SessionEndedRequest`.
        SessionEnded(SessionEndedRequest) = names::SESSION_ENDED,
        /// `CanFulfillIntentRequest`.
        CanFulfillIntent(CanFulfillIntentRequest) = names::CAN_FULFILL,
        /// `System.ExceptionEncountered`.
        ExceptionEncountered(ExceptionEncounteredRequest) = names::EXCEPTION,
        /// `Alexa.Presentation.APL.UserEvent`.
        AplUserEvent(AplUserEvent) = names::APL_USER_EVENT,
        /// `Connections.Response`.
        ConnectionsResponse(ConnectionsResponse) = names::CONNECTIONS_RESPONSE,
        /// `Messaging.MessageReceived`.
        MessageReceived(MessageReceivedRequest) = names::MESSAGE_RECEIVED,
        /// `Dialog.API.Invoked`.
        DialogApiInvoked(DialogApiInvokedRequest) = names::DIALOG_API_INVOKED,
    }
    prefixed {
        /// `AudioPlayer.*` events.
        AudioPlayer(AudioPlayerEvent, AudioPlayerEventKind) = names::AUDIO_PLAYER_PREFIX,
        /// `PlaybackController.*` events.
        PlaybackController(PlaybackControllerEvent, PlaybackControllerKind) = names::PLAYBACK_CONTROLLER_PREFIX,
        /// `AlexaSkillEvent.*` events.
        SkillEvent(SkillEvent, SkillEventKind) = names::SKILL_EVENT_PREFIX,
    }
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

impl Request {
    /// The request id, if the request has one.
    pub fn request_id(&self) -> Option<&str> {
        self.common_str(|c| c.request_id, "requestId")
    }

    /// The request timestamp as sent (ISO 8601 from Alexa). Also reads the `timeStamp`
    /// spelling some sources use.
    pub fn timestamp(&self) -> Option<&str> {
        self.common_str(|c| c.timestamp, "timestamp").or_else(|| {
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
        self.common_str(|c| c.locale, "locale")
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
        self.common().map(|c| c.extra)
    }

    /// A field every typed request has, or the same key of an unknown one's raw JSON.
    fn common_str<'a>(
        &'a self,
        field: impl Fn(&Common<'a>) -> Option<&'a str>,
        key: &str,
    ) -> Option<&'a str> {
        match (self.common(), self) {
            (Some(common), _) => field(&common),
            (None, Self::Unknown(r)) => r.raw.get(key).and_then(Value::as_str),
            (None, _) => None,
        }
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
    fn from_members(members: &[crate::macros::Member<'_>]) -> Result<Self, serde_json::Error> {
        let request_type = crate::macros::member(members, "type")
            .and_then(|raw| serde_json::from_str::<String>(raw.get()).ok())
            .unwrap_or_default();
        let t = request_type.as_str();
        match Self::from_members_typed(members, t)? {
            Some(request) => Ok(request),
            None => Ok(Self::Unknown(UnknownRequest {
                request_type,
                raw: Value::Object(crate::macros::rest(members, &[], None)?),
            })),
        }
    }
}

/// Parses the body of a known request type from the members of its object (the `"type"`
/// tag skipped), falling back to [`Request::Unknown`] with the object as sent.
fn parse_members<T: crate::macros::FromMembers>(
    members: &[crate::macros::Member<'_>],
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
        match Self::parse_typed(&request_type) {
            Some(parse) => parse(value, &request_type),
            None => Self::Unknown(UnknownRequest {
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
