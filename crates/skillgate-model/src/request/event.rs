//! Events Alexa sends outside the conversation: AudioPlayer and PlaybackController events,
//! skill lifecycle events, skill messages and exception reports.

use serde::Serialize;
use serde_json::{Map, Value};

use super::context::PlayerActivity;
use super::standard::RequestError;
use crate::NumberLike;

string_enum! {
    /// The full request type of an `AudioPlayer.*` event.
    #[derive(Default)]
    pub enum AudioPlayerEventKind {
        /// `AudioPlayer.PlaybackStarted`.
        #[default]
        PlaybackStarted = "AudioPlayer.PlaybackStarted",
        /// `AudioPlayer.PlaybackFinished`.
        PlaybackFinished = "AudioPlayer.PlaybackFinished",
        /// `AudioPlayer.PlaybackStopped`.
        PlaybackStopped = "AudioPlayer.PlaybackStopped",
        /// `AudioPlayer.PlaybackNearlyFinished`: time to enqueue the next stream.
        PlaybackNearlyFinished = "AudioPlayer.PlaybackNearlyFinished",
        /// `AudioPlayer.PlaybackFailed`.
        PlaybackFailed = "AudioPlayer.PlaybackFailed",
    }
}

/// The player state reported with `AudioPlayer.PlaybackFailed` (`currentPlaybackState`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlaybackState {
    /// The token of the stream that was playing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// The position in that stream.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset_in_milliseconds: Option<NumberLike>,
    /// What the player was doing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub player_activity: Option<PlayerActivity>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An `AudioPlayer.*` event. Answers may carry AudioPlayer directives only: no speech, card or
/// reprompt.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AudioPlayerEvent {
    /// Which event (the request type).
    #[serde(skip)]
    pub kind: AudioPlayerEventKind,
    /// The request id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// When Alexa sent the request (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    /// The user's locale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// The token of the stream the event is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// The position in that stream.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset_in_milliseconds: Option<NumberLike>,
    /// What failed (`PlaybackFailed` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<RequestError>,
    /// The player state when it failed (`PlaybackFailed` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_playback_state: Option<PlaybackState>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl AudioPlayerEvent {
    /// The stream position in milliseconds, if sent as a whole number.
    pub fn offset_ms(&self) -> Option<u64> {
        self.offset_in_milliseconds
            .as_ref()
            .and_then(NumberLike::as_u64)
    }
}

string_enum! {
    /// The full request type of a `PlaybackController.*` event (a button on the device or
    /// remote, not a voice command).
    #[derive(Default)]
    pub enum PlaybackControllerKind {
        /// `PlaybackController.PlayCommandIssued`.
        #[default]
        Play = "PlaybackController.PlayCommandIssued",
        /// `PlaybackController.PauseCommandIssued`.
        Pause = "PlaybackController.PauseCommandIssued",
        /// `PlaybackController.NextCommandIssued`.
        Next = "PlaybackController.NextCommandIssued",
        /// `PlaybackController.PreviousCommandIssued`.
        Previous = "PlaybackController.PreviousCommandIssued",
    }
}

/// A `PlaybackController.*` event. Answers may carry AudioPlayer directives only.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlaybackControllerEvent {
    /// Which button (the request type).
    #[serde(skip)]
    pub kind: PlaybackControllerKind,
    /// The request id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// When Alexa sent the request (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    /// The user's locale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The `cause` of a `System.ExceptionEncountered` request.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExceptionCause {
    /// The id of the request whose answer failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `System.ExceptionEncountered`: Alexa could not use the skill's answer to an AudioPlayer
/// event. The skill may not answer with speech.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExceptionEncounteredRequest {
    /// The request id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// When Alexa sent the request (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    /// The user's locale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// What went wrong.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<RequestError>,
    /// Which request caused it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<ExceptionCause>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `Messaging.MessageReceived`: a message sent to the skill through the Skill Messaging API.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageReceivedRequest {
    /// The request id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// When Alexa sent the request (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    /// The user's locale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// The message, as the sender wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<Value>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

string_enum! {
    /// The full request type of an `AlexaSkillEvent.*` (skill lifecycle) event.
    #[derive(Default)]
    pub enum SkillEventKind {
        /// `AlexaSkillEvent.SkillEnabled`.
        #[default]
        Enabled = "AlexaSkillEvent.SkillEnabled",
        /// `AlexaSkillEvent.SkillDisabled`.
        Disabled = "AlexaSkillEvent.SkillDisabled",
        /// `AlexaSkillEvent.SkillPermissionAccepted`.
        PermissionAccepted = "AlexaSkillEvent.SkillPermissionAccepted",
        /// `AlexaSkillEvent.SkillPermissionChanged`.
        PermissionChanged = "AlexaSkillEvent.SkillPermissionChanged",
        /// `AlexaSkillEvent.SkillAccountLinked`.
        AccountLinked = "AlexaSkillEvent.SkillAccountLinked",
        /// `AlexaSkillEvent.ProactiveSubscriptionChanged`.
        ProactiveSubscriptionChanged = "AlexaSkillEvent.ProactiveSubscriptionChanged",
    }
}

/// An `AlexaSkillEvent.*` event (the skill was enabled, disabled, permissions changed, an
/// account was linked). Alexa may redeliver these with their original timestamp.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SkillEvent {
    /// Which event (the request type).
    #[serde(skip)]
    pub kind: SkillEventKind,
    /// The request id (often a bare UUID for these events).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// When Alexa sent the request (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    /// The user's locale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// When the event happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_creation_time: Option<String>,
    /// When Alexa published it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_publishing_time: Option<String>,
    /// The event body (`acceptedPermissions`, `accessToken`, …), kept as JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

lenient_deserialize!(PlaybackState {
    token: "token",
    offset_in_milliseconds: "offsetInMilliseconds",
    player_activity: "playerActivity",
});

lenient_deserialize!(AudioPlayerEvent {
    request_id: "requestId",
    timestamp: "timestamp",
    locale: "locale",
    token: "token",
    offset_in_milliseconds: "offsetInMilliseconds",
    error: "error",
    current_playback_state: "currentPlaybackState",
} skipped {
    kind,
});

lenient_deserialize!(PlaybackControllerEvent {
    request_id: "requestId",
    timestamp: "timestamp",
    locale: "locale",
} skipped {
    kind,
});

lenient_deserialize!(ExceptionCause {
    request_id: "requestId",
});

lenient_deserialize!(ExceptionEncounteredRequest {
    request_id: "requestId",
    timestamp: "timestamp",
    locale: "locale",
    error: "error",
    cause: "cause",
});

lenient_deserialize!(MessageReceivedRequest {
    request_id: "requestId",
    timestamp: "timestamp",
    locale: "locale",
    message: "message",
});

lenient_deserialize!(SkillEvent {
    request_id: "requestId",
    timestamp: "timestamp",
    locale: "locale",
    event_creation_time: "eventCreationTime",
    event_publishing_time: "eventPublishingTime",
    body: "body",
} skipped {
    kind,
});
