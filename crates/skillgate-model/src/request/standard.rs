//! The request types of the standard skill lifecycle: launch, intent, session end, and the
//! CanFulfillIntent query.

use serde::Serialize;
use serde_json::{Map, Value};

use super::intent::{DialogState, Intent};

/// `LaunchRequest`: the user opened the skill without an intent.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LaunchRequest {
    /// The request id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// When Alexa sent the request (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    /// The user's locale, e.g. `en-US`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// A task the skill was launched to perform (`Connections.StartConnection` targets),
    /// kept as JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<Value>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `IntentRequest`: the user said something the interaction model maps to an intent.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IntentRequest {
    /// The request id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// When Alexa sent the request (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    /// The user's locale, e.g. `en-US`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// The dialog state, if the intent has a dialog model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dialog_state: Option<DialogState>,
    /// The intent and its slots.
    pub intent: Intent,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

string_enum! {
    /// Why a session ended (`SessionEndedRequest.reason`).
    pub enum SessionEndedReason {
        /// The user said "exit" or "stop" (or the skill's answer ended it).
        UserInitiated = "USER_INITIATED",
        /// The skill's answer could not be processed, or the skill failed.
        Error = "ERROR",
        /// The user did not answer the reprompt.
        ExceededMaxReprompts = "EXCEEDED_MAX_REPROMPTS",
    }
}

/// An `error` object of a request (`SessionEndedRequest`, `System.ExceptionEncountered`,
/// `AudioPlayer.PlaybackFailed`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestError {
    /// The error type, e.g. `INVALID_RESPONSE`, `MEDIA_ERROR_UNKNOWN`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub error_type: Option<String>,
    /// A description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `SessionEndedRequest`: the session ended. The only valid answer is an empty response.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionEndedRequest {
    /// The request id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// When Alexa sent the request (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    /// The user's locale, e.g. `en-US`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// Why the session ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<SessionEndedReason>,
    /// What went wrong, when `reason` is `ERROR`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<RequestError>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `CanFulfillIntentRequest`: Alexa asks whether the skill could handle an intent
/// (name-free interaction). Sessionless.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CanFulfillIntentRequest {
    /// The request id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// When Alexa sent the request (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    /// The user's locale, e.g. `en-US`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// The dialog state, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dialog_state: Option<DialogState>,
    /// The intent Alexa asks about.
    pub intent: Intent,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

lenient_deserialize!(LaunchRequest {
    request_id: "requestId",
    timestamp: "timestamp",
    locale: "locale",
    task: "task",
});

lenient_deserialize!(IntentRequest {
    request_id: "requestId",
    timestamp: "timestamp",
    locale: "locale",
    dialog_state: "dialogState",
} required {
    intent: "intent",
});

lenient_deserialize!(RequestError {
    error_type: "type",
    message: "message",
});

lenient_deserialize!(SessionEndedRequest {
    request_id: "requestId",
    timestamp: "timestamp",
    locale: "locale",
    reason: "reason",
    error: "error",
});

lenient_deserialize!(CanFulfillIntentRequest {
    request_id: "requestId",
    timestamp: "timestamp",
    locale: "locale",
    dialog_state: "dialogState",
} required {
    intent: "intent",
});
