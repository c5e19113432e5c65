//! Requests from Alexa's richer interfaces: APL user events, Connections responses and Alexa
//! Conversations API calls.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::NumberLike;

/// `Alexa.Presentation.APL.UserEvent`: the user touched an APL component that sends events.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AplUserEvent {
    /// The request id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// When Alexa sent the request (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    /// The user's locale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// The token of the APL document that sent the event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// The `SendEvent` arguments (strings, numbers or objects).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arguments: Option<Vec<Value>>,
    /// The component and handler that raised the event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Value>,
    /// Values of the components the document asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub components: Option<Value>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `status` of a `Connections.Response`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionsStatus {
    /// An HTTP-like status code (`200`); a number or, in some captures, a string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<NumberLike>,
    /// The status message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `Connections.Response`: the result of a `Connections.SendRequest` or
/// `Connections.StartConnection` (purchases, tasks).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionsResponse {
    /// The request id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// When Alexa sent the request (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    /// The user's locale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// The name of the request this answers (`Buy`, `Upsell`, `Cancel`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// How it went.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ConnectionsStatus>,
    /// The result, e.g. `{"purchaseResult": "ACCEPTED", "productId": …}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<Value>,
    /// The token the skill sent with the request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The `apiRequest` of a `Dialog.API.Invoked` request.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiRequest {
    /// The API name defined in the Alexa Conversations model.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// The API arguments by name (any JSON).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arguments: Option<Map<String, Value>>,
    /// The slot values behind the arguments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slots: Option<Value>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `Dialog.API.Invoked`: Alexa Conversations calls an API the skill implements.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DialogApiInvokedRequest {
    /// The request id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// When Alexa sent the request (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    /// The user's locale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// The API call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_request: Option<ApiRequest>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

lenient_deserialize!(AplUserEvent {
    request_id: "requestId",
    timestamp: "timestamp",
    locale: "locale",
    token: "token",
    arguments: "arguments",
    source: "source",
    components: "components",
});

lenient_deserialize!(ConnectionsStatus {
    code: "code",
    message: "message",
});

lenient_deserialize!(ConnectionsResponse {
    request_id: "requestId",
    timestamp: "timestamp",
    locale: "locale",
    name: "name",
    status: "status",
    payload: "payload",
    token: "token",
});

lenient_deserialize!(ApiRequest {
    arguments: "arguments",
    slots: "slots",
} defaults {
    name: "name",
});

lenient_deserialize!(DialogApiInvokedRequest {
    request_id: "requestId",
    timestamp: "timestamp",
    locale: "locale",
    api_request: "apiRequest",
});
