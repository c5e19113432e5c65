//! Property tests: whatever JSON values sit where Alexa puts strings, objects and numbers, an
//! envelope with a request object parses, never panics, and re-serializes to JSON that parses
//! back to the same envelope.

use proptest::prelude::*;
use serde_json::{Value, json};
use skillgate_model::RequestEnvelope;
use skillgate_model::response::Directive;

/// Any JSON value, a few levels deep.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        "[a-zA-Z0-9 ._:-]{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map("[a-zA-Z]{1,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn request_type() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        Just("LaunchRequest"),
        Just("IntentRequest"),
        Just("SessionEndedRequest"),
        Just("CanFulfillIntentRequest"),
        Just("AudioPlayer.PlaybackFailed"),
        Just("PlaybackController.NextCommandIssued"),
        Just("System.ExceptionEncountered"),
        Just("Alexa.Presentation.APL.UserEvent"),
        Just("Connections.Response"),
        Just("Messaging.MessageReceived"),
        Just("AlexaSkillEvent.SkillEnabled"),
        Just("Dialog.API.Invoked"),
        Just("Something.New"),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn odd_values_anywhere_never_fail_an_envelope(
        t in request_type(),
        v in proptest::collection::vec(any_json(), 16),
    ) {
        let raw = json!({
            "version": v[0],
            "session": {"new": v[1], "sessionId": v[2], "attributes": v[3], "user": {"userId": v[4], "permissions": v[5]}},
            "context": {
                "System": {"device": {"deviceId": v[6], "supportedInterfaces": v[7]}, "apiEndpoint": v[8], "person": v[9]},
                "AudioPlayer": v[10],
                "Viewport": {"pixelWidth": v[11], "touch": v[12]}
            },
            "request": {"type": t, "requestId": v[13], "locale": v[14],
                "intent": {"name": "X", "slots": {"a": {"name": "a", "value": v[15]}}},
                "reason": v[15], "error": v[14], "status": v[13], "token": v[12], "apiRequest": v[11],
                "currentPlaybackState": v[10], "arguments": v[9], "body": v[8], "message": v[7]}
        });
        let parsed: RequestEnvelope = serde_json::from_value(raw.clone())
            .map_err(|e| TestCaseError::fail(format!("{e}: {raw}")))?;
        prop_assert_eq!(parsed.request.request_type(), t);
        let again = serde_json::to_value(&parsed).unwrap();
        let reparsed: RequestEnvelope = serde_json::from_value(again.clone()).unwrap();
        prop_assert_eq!(&reparsed, &parsed);
        prop_assert_eq!(serde_json::to_value(&reparsed).unwrap(), again);
    }

    #[test]
    fn any_object_is_a_directive(t in "[A-Za-z.]{1,30}", body in any_json()) {
        let mut value = match body {
            Value::Object(map) => Value::Object(map),
            other => json!({"payload": other}),
        };
        value["type"] = json!(t);
        let directive: Directive = serde_json::from_value(value.clone()).unwrap();
        prop_assert_eq!(directive.type_name(), Some(t.as_str()));
        let again = serde_json::to_value(&directive).unwrap();
        let reparsed: Directive = serde_json::from_value(again).unwrap();
        prop_assert_eq!(reparsed, directive);
    }
}
