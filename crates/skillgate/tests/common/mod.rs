//! Envelopes for tests, built by parsing JSON literals with the model types.
#![allow(dead_code)]

use serde_json::{Value, json};
use skillgate::model::RequestEnvelope;

pub const SKILL_ID: &str = "amzn1.ask.skill.00000000-0000-0000-0000-000000000001";

/// A request envelope with session and context around `request`.
pub fn envelope_for(
    user: &str,
    new_session: bool,
    attributes: Value,
    request: Value,
) -> RequestEnvelope {
    let value = json!({
        "version": "1.0",
        "session": {
            "new": new_session,
            "sessionId": "amzn1.echo-api.session.test",
            "application": {"applicationId": SKILL_ID},
            "attributes": attributes,
            "user": {"userId": user}
        },
        "context": {
            "System": {
                "application": {"applicationId": SKILL_ID},
                "user": {"userId": user},
                "device": {
                    "deviceId": "amzn1.ask.device.test",
                    "supportedInterfaces": {"AudioPlayer": {}}
                },
                "apiEndpoint": "https://api.amazonalexa.com",
                "apiAccessToken": "test-token"
            }
        },
        "request": request
    });
    serde_json::from_value(value).unwrap()
}

fn base(kind: &str) -> Value {
    json!({
        "type": kind,
        "requestId": "amzn1.echo-api.request.test",
        "timestamp": "2026-11-22T10:00:00Z",
        "locale": "en-US"
    })
}

pub fn launch() -> RequestEnvelope {
    envelope_for(
        "amzn1.ask.account.A",
        true,
        json!({}),
        base("LaunchRequest"),
    )
}

pub fn intent(name: &str) -> RequestEnvelope {
    intent_with(name, json!({}))
}

/// An IntentRequest; `slots` maps slot names to values (`null` for an empty slot).
pub fn intent_with(name: &str, slots: Value) -> RequestEnvelope {
    intent_for("amzn1.ask.account.A", name, slots, json!({}))
}

pub fn intent_for(user: &str, name: &str, slots: Value, attributes: Value) -> RequestEnvelope {
    let mut request = base("IntentRequest");
    let slots: serde_json::Map<String, Value> = slots
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| {
            let mut slot = json!({"name": k, "confirmationStatus": "NONE"});
            if !v.is_null() {
                slot["value"] = v.clone();
            }
            (k.clone(), slot)
        })
        .collect();
    request["dialogState"] = json!("STARTED");
    request["intent"] = json!({"name": name, "confirmationStatus": "NONE", "slots": slots});
    envelope_for(user, false, attributes, request)
}

pub fn session_ended() -> RequestEnvelope {
    let mut request = base("SessionEndedRequest");
    request["reason"] = json!("USER_INITIATED");
    envelope_for("amzn1.ask.account.A", false, json!({}), request)
}

pub fn of_type(kind: &str) -> RequestEnvelope {
    envelope_for("amzn1.ask.account.A", false, json!({}), base(kind))
}

/// The spoken text of a response (plain or SSML), if any.
pub fn speech(response: &skillgate::ResponseEnvelope) -> Option<String> {
    response
        .response
        .output_speech
        .as_ref()
        .map(|s| s.content().to_owned())
}
