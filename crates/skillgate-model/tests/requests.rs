//! Request parsing: each request type into its variant, the accessors skill code uses, and
//! tolerance for what Amazon adds or sources mangle.

use serde_json::{Value, json};
use skillgate_model::request::{
    AudioPlayerEventKind, ConfirmationStatus, DialogState, PlaybackControllerKind, PlayerActivity,
    Request, ResolutionStatusCode, SessionEndedReason, SkillEventKind, SlotValue,
};
use skillgate_model::{NumberLike, RequestEnvelope};

fn parse(request: Value) -> Request {
    serde_json::from_value(request).unwrap()
}

fn envelope(value: Value) -> RequestEnvelope {
    serde_json::from_value(value).unwrap()
}

fn full_envelope(request: Value) -> RequestEnvelope {
    envelope(json!({
        "version": "1.0",
        "session": {
            "new": true,
            "sessionId": "amzn1.echo-api.session.1",
            "application": {"applicationId": "amzn1.ask.skill.session"},
            "attributes": {"room": "kitchen"},
            "user": {"userId": "amzn1.ask.account.session"}
        },
        "context": {
            "System": {
                "application": {"applicationId": "amzn1.ask.skill.context"},
                "user": {"userId": "amzn1.ask.account.context"},
                "device": {"deviceId": "amzn1.ask.device.1", "supportedInterfaces": {"AudioPlayer": {}, "Alexa.Presentation.APL": {"runtime": {"maxVersion": "1.9"}}}},
                "apiEndpoint": "https://api.eu.amazonalexa.com",
                "apiAccessToken": "token"
            },
            "AudioPlayer": {"playerActivity": "PAUSED", "token": "t1", "offsetInMilliseconds": 1234}
        },
        "request": request
    }))
}

#[test]
fn envelope_accessors_prefer_context_over_session() {
    let env = full_envelope(
        json!({"type": "LaunchRequest", "requestId": "r1", "timestamp": "2024-01-01T00:00:00Z", "locale": "de-AT"}),
    );
    assert_eq!(env.application_id(), Some("amzn1.ask.skill.context"));
    assert_eq!(env.user_id(), Some("amzn1.ask.account.context"));
    assert_eq!(env.device_id(), Some("amzn1.ask.device.1"));
    assert_eq!(env.api_endpoint(), Some("https://api.eu.amazonalexa.com"));
    assert_eq!(env.api_access_token(), Some("token"));
    assert_eq!(env.locale(), Some("de-AT"));
    assert!(env.is_new_session());
    assert_eq!(env.session_attributes().unwrap()["room"], "kitchen");
    assert_eq!(
        env.supported_interfaces(),
        ["Alexa.Presentation.APL", "AudioPlayer"]
    );
    assert!(env.supports_interface("AudioPlayer"));
    assert!(!env.supports_interface("VideoApp"));
    let player = env.context.as_ref().unwrap().audio_player.as_ref().unwrap();
    assert_eq!(player.player_activity, Some(PlayerActivity::Paused));
    assert_eq!(
        player
            .offset_in_milliseconds
            .as_ref()
            .and_then(NumberLike::as_u64),
        Some(1234)
    );
    assert_eq!(env.request.request_id(), Some("r1"));
    assert_eq!(env.request.timestamp(), Some("2024-01-01T00:00:00Z"));
}

#[test]
fn envelope_accessors_fall_back_to_the_session() {
    let env = envelope(json!({
        "version": "1.0",
        "session": {"new": false, "sessionId": "s", "application": {"applicationId": "amzn1.ask.skill.s"}, "user": {"userId": "u"}},
        "request": {"type": "SessionEndedRequest"}
    }));
    assert_eq!(env.application_id(), Some("amzn1.ask.skill.s"));
    assert_eq!(env.user_id(), Some("u"));
    assert_eq!(env.device_id(), None);
    assert!(!env.is_new_session());
    assert!(env.supported_interfaces().is_empty());
    let bare = envelope(json!({"version": "1.0", "request": {"type": "LaunchRequest"}}));
    assert_eq!(bare.application_id(), None);
    assert!(!bare.is_new_session());
}

#[test]
fn intent_request_with_slots_resolutions_and_dialog() {
    let request = parse(json!({
        "type": "IntentRequest", "requestId": "r", "timestamp": "t", "locale": "en-US",
        "dialogState": "IN_PROGRESS",
        "intent": {"name": "TurnOnIntent", "confirmationStatus": "CONFIRMED", "slots": {
            "room": {"name": "room", "value": "living room", "confirmationStatus": "NONE",
                "resolutions": {"resolutionsPerAuthority": [
                    {"authority": "dynamic", "status": {"code": "ER_SUCCESS_NO_MATCH"}},
                    {"authority": "static", "status": {"code": "ER_SUCCESS_MATCH"},
                     "values": [{"value": {"name": "Living Room", "id": "LIVING"}}]}
                ]}},
            "device": {"name": "device", "confirmationStatus": "NONE"}
        }}
    }));
    let Request::Intent(intent_request) = &request else {
        panic!("not an intent: {request:?}")
    };
    assert_eq!(request.intent_name(), Some("TurnOnIntent"));
    assert_eq!(intent_request.dialog_state, Some(DialogState::InProgress));
    let intent = &intent_request.intent;
    assert_eq!(
        intent.confirmation_status,
        Some(ConfirmationStatus::Confirmed)
    );
    assert_eq!(intent.slot_value("room"), Some("living room"));
    assert_eq!(intent.slot_value("device"), None);
    let room = intent.slot("room").unwrap();
    let resolved = room.resolved_value().unwrap();
    assert_eq!(
        (resolved.name.as_str(), resolved.id.as_deref()),
        ("Living Room", Some("LIVING"))
    );
    let first = &room.resolutions.as_ref().unwrap().resolutions_per_authority[0];
    assert_eq!(first.status.code, ResolutionStatusCode::SuccessNoMatch);
    assert!(first.values.is_none());
}

#[test]
fn multi_value_slots() {
    let request = parse(json!({
        "type": "IntentRequest",
        "intent": {"name": "TurnOffIntent", "slots": {"rooms": {"name": "rooms", "slotValue": {
            "type": "List",
            "values": [
                {"type": "Simple", "value": "kitchen", "resolutions": {"resolutionsPerAuthority": [
                    {"authority": "a", "status": {"code": "ER_SUCCESS_MATCH"}, "values": [{"value": {"name": "Kitchen", "id": "K"}}]}
                ]}},
                {"type": "Simple", "value": "hall"}
            ]
        }}}}
    }));
    let slot = match &request {
        Request::Intent(r) => r.intent.slot("rooms").unwrap().clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(slot.values(), ["kitchen", "hall"]);
    assert_eq!(slot.spoken_value(), None);
    assert!(matches!(slot.slot_value, Some(SlotValue::List(_))));
    let simple = parse(
        json!({"type": "IntentRequest", "intent": {"name": "X", "slots": {
        "s": {"name": "s", "slotValue": {"type": "Simple", "value": "v", "resolutions": {"resolutionsPerAuthority": [
            {"authority": "a", "status": {"code": "ER_SUCCESS_MATCH"}, "values": [{"value": {"name": "V"}}]}]}}}}}}),
    );
    let Request::Intent(r) = simple else { panic!() };
    let slot = r.intent.slot("s").unwrap();
    assert_eq!(slot.spoken_value(), Some("v"));
    assert_eq!(slot.values(), ["v"]);
    assert_eq!(slot.resolved_value().unwrap().name, "V");
}

#[test]
fn session_ended_request_with_reason_and_error() {
    let request = parse(json!({"type": "SessionEndedRequest", "reason": "ERROR",
        "error": {"type": "INVALID_RESPONSE", "message": "bad"}}));
    let Request::SessionEnded(ended) = &request else {
        panic!("{request:?}")
    };
    assert_eq!(ended.reason, Some(SessionEndedReason::Error));
    let error = ended.error.as_ref().unwrap();
    assert_eq!(
        (error.error_type.as_deref(), error.message.as_deref()),
        (Some("INVALID_RESPONSE"), Some("bad"))
    );
}

#[test]
fn every_request_type_of_the_issue_has_its_variant() {
    let cases = [
        ("LaunchRequest", json!({})),
        ("IntentRequest", json!({"intent": {"name": "A"}})),
        ("SessionEndedRequest", json!({})),
        ("CanFulfillIntentRequest", json!({"intent": {"name": "A"}})),
        (
            "AudioPlayer.PlaybackStarted",
            json!({"token": "t", "offsetInMilliseconds": 0}),
        ),
        ("AudioPlayer.PlaybackFinished", json!({})),
        ("AudioPlayer.PlaybackStopped", json!({})),
        ("AudioPlayer.PlaybackNearlyFinished", json!({})),
        (
            "AudioPlayer.PlaybackFailed",
            json!({"error": {"type": "MEDIA_ERROR_UNKNOWN"}, "currentPlaybackState": {"playerActivity": "PLAYING"}}),
        ),
        ("PlaybackController.PlayCommandIssued", json!({})),
        ("PlaybackController.PauseCommandIssued", json!({})),
        ("PlaybackController.NextCommandIssued", json!({})),
        ("PlaybackController.PreviousCommandIssued", json!({})),
        (
            "System.ExceptionEncountered",
            json!({"error": {"type": "INVALID_RESPONSE"}, "cause": {"requestId": "r0"}}),
        ),
        (
            "Alexa.Presentation.APL.UserEvent",
            json!({"token": "doc", "arguments": ["a", 1, {"b": 2}]}),
        ),
        (
            "Connections.Response",
            json!({"name": "Buy", "status": {"code": "200", "message": "OK"}, "payload": {"purchaseResult": "ACCEPTED"}}),
        ),
        (
            "Messaging.MessageReceived",
            json!({"message": {"event": "sync"}}),
        ),
        (
            "AlexaSkillEvent.SkillEnabled",
            json!({"eventCreationTime": "t"}),
        ),
        ("AlexaSkillEvent.SkillDisabled", json!({})),
        (
            "AlexaSkillEvent.SkillPermissionAccepted",
            json!({"body": {"acceptedPermissions": []}}),
        ),
        ("AlexaSkillEvent.SkillPermissionChanged", json!({})),
        (
            "AlexaSkillEvent.SkillAccountLinked",
            json!({"body": {"accessToken": "x"}}),
        ),
        (
            "Dialog.API.Invoked",
            json!({"apiRequest": {"name": "Book", "arguments": {"n": 4}}}),
        ),
    ];
    for (request_type, body) in cases {
        let mut value = body.clone();
        value["type"] = json!(request_type);
        value["requestId"] = json!("id");
        let request = parse(value.clone());
        assert!(
            !matches!(request, Request::Unknown(_)),
            "{request_type} parsed as Unknown"
        );
        assert_eq!(request.request_type(), request_type);
        assert_eq!(request.request_id(), Some("id"));
        assert_eq!(
            serde_json::to_value(&request).unwrap(),
            value,
            "{request_type} round trip"
        );
    }
}

#[test]
fn event_kinds_and_typed_fields() {
    let Request::AudioPlayer(e) = parse(json!({"type": "AudioPlayer.PlaybackFailed", "token": "t",
        "error": {"type": "MEDIA_ERROR_UNKNOWN"}, "currentPlaybackState": {"offsetInMilliseconds": 5, "playerActivity": "PLAYING"}}))
    else {
        panic!()
    };
    assert_eq!(e.kind, AudioPlayerEventKind::PlaybackFailed);
    assert_eq!(
        e.current_playback_state.unwrap().player_activity,
        Some(PlayerActivity::Playing)
    );
    let Request::PlaybackController(c) =
        parse(json!({"type": "PlaybackController.NextCommandIssued"}))
    else {
        panic!()
    };
    assert_eq!(c.kind, PlaybackControllerKind::Next);
    let Request::SkillEvent(s) = parse(json!({"type": "AlexaSkillEvent.SkillAccountLinked"}))
    else {
        panic!()
    };
    assert_eq!(s.kind, SkillEventKind::AccountLinked);
    let Request::ConnectionsResponse(r) =
        parse(json!({"type": "Connections.Response", "status": {"code": "200"}}))
    else {
        panic!()
    };
    assert_eq!(r.status.unwrap().code.unwrap().as_u64(), Some(200));
    // A new event of a known family keeps its own name.
    let new_event = parse(json!({"type": "AudioPlayer.PlaybackResumed"}));
    assert_eq!(new_event.request_type(), "AudioPlayer.PlaybackResumed");
    assert!(new_event.is_audio_event());
}

#[test]
fn unknown_request_types_are_kept_raw() {
    let raw = json!({"type": "Alexa.Presentation.APL.LoadIndexListData", "requestId": "r", "timestamp": "t",
        "locale": "en-GB", "startIndex": "10", "count": 5});
    let request = parse(raw.clone());
    let Request::Unknown(unknown) = &request else {
        panic!("{request:?}")
    };
    assert_eq!(
        unknown.request_type,
        "Alexa.Presentation.APL.LoadIndexListData"
    );
    assert_eq!(unknown.raw, raw);
    assert_eq!(
        request.request_type(),
        "Alexa.Presentation.APL.LoadIndexListData"
    );
    assert_eq!(request.request_id(), Some("r"));
    assert_eq!(request.locale(), Some("en-GB"));
    assert_eq!(request.intent_name(), None);
    assert_eq!(serde_json::to_value(&request).unwrap(), raw);
    let no_type = parse(json!({"requestId": "r"}));
    assert_eq!(no_type.request_type(), "");
}

#[test]
fn a_known_type_with_an_impossible_shape_is_kept_raw_not_rejected() {
    let raw = json!({"type": "IntentRequest", "intent": "not an object"});
    let request = parse(raw.clone());
    assert!(matches!(&request, Request::Unknown(u) if u.request_type == "IntentRequest"));
    assert_eq!(serde_json::to_value(&request).unwrap(), raw);
}

#[test]
fn a_request_that_is_not_an_object_is_an_error() {
    assert!(serde_json::from_value::<Request>(json!("LaunchRequest")).is_err());
    assert!(serde_json::from_value::<RequestEnvelope>(json!({"version": "1.0"})).is_err());
}

#[test]
fn unknown_enum_values_and_fields_survive() {
    let raw = json!({"type": "IntentRequest", "dialogState": "dialogState", "newField": {"a": [1, 2.5]},
        "intent": {"name": "X", "confirmationStatus": "MAYBE", "slots": {"s": {"name": "s", "confirmationStatus": "string", "future": true}}}});
    let request = parse(raw.clone());
    let Request::Intent(r) = &request else {
        panic!()
    };
    assert_eq!(
        r.dialog_state,
        Some(DialogState::Other("dialogState".into()))
    );
    assert_eq!(
        r.intent.confirmation_status.as_ref().map(|c| c.as_str()),
        Some("MAYBE")
    );
    assert_eq!(r.extra["newField"], json!({"a": [1, 2.5]}));
    assert_eq!(serde_json::to_value(&request).unwrap(), raw);
}

#[test]
fn skill_event_time_stamp_spelling_is_read() {
    let request = parse(json!({"type": "AlexaSkillEvent.SkillDisabled", "timeStamp": "now"}));
    assert_eq!(request.timestamp(), Some("now"));
    let unknown = parse(json!({"type": "Some.Event", "timeStamp": "then"}));
    assert_eq!(unknown.timestamp(), Some("then"));
}

#[test]
fn new_envelope_serializes_minimally() {
    let env = RequestEnvelope::new(parse(json!({"type": "LaunchRequest", "requestId": "r"})));
    assert_eq!(
        serde_json::to_value(&env).unwrap(),
        json!({"version": "1.0", "request": {"type": "LaunchRequest", "requestId": "r"}})
    );
}

#[test]
fn odd_shapes_in_session_and_context_never_fail_the_request() {
    let raw = json!({
        "version": 1,
        "session": {"new": true, "sessionId": "s", "attributes": [], "user": {"userId": 42, "accessToken": null},
            "application": {"applicationId": "amzn1.ask.skill.x"}},
        "context": {
            "System": {"device": {"deviceId": "d", "supportedInterfaces": []}, "apiEndpoint": 7,
                "application": {"applicationId": "amzn1.ask.skill.x"}},
            "AudioPlayer": {"offsetInMilliseconds": "1500", "playerActivity": 3},
            "Viewports": {"not": "a list"},
            "Viewport": {"pixelWidth": 1280.0, "touch": "SINGLE"}
        },
        "request": {"type": "IntentRequest", "requestId": "r", "intent": {"name": "TurnOnIntent", "slots": {
            "room": {"name": "room", "value": 3, "confirmationStatus": "NONE"},
            "weird": "not a slot"
        }}}
    });
    let env = envelope(raw.clone());
    // Everything that fits is typed; what does not is kept as sent.
    assert_eq!(env.version, "");
    assert_eq!(env.application_id(), Some("amzn1.ask.skill.x"));
    assert_eq!(env.user_id(), None);
    assert_eq!(env.session_attributes(), None);
    assert_eq!(env.device_id(), Some("d"));
    assert!(env.supported_interfaces().is_empty());
    assert_eq!(env.api_endpoint(), None);
    let context = env.context.as_ref().unwrap();
    let player = context.audio_player.as_ref().unwrap();
    assert_eq!(player.offset_ms(), Some(1500));
    assert_eq!(player.player_activity, None);
    assert_eq!(player.extra["playerActivity"], json!(3));
    assert!(context.viewports.is_none());
    let viewport = context.viewport.as_ref().unwrap();
    assert_eq!(
        viewport.pixel_width.as_ref().and_then(|n| n.as_f64()),
        Some(1280.0)
    );
    assert!(viewport.touch.is_none());
    let Request::Intent(intent) = &env.request else {
        panic!("not typed: {:?}", env.request)
    };
    assert_eq!(intent.intent.name, "TurnOnIntent");
    // One slot that is not an object makes the map untypeable: kept raw, intent still typed.
    assert!(intent.intent.slots.is_empty());
    assert_eq!(intent.intent.extra["slots"]["weird"], json!("not a slot"));
    // And nothing was lost.
    assert_eq!(serde_json::to_value(&env).unwrap(), raw);
}

#[test]
fn an_odd_slot_value_keeps_the_intent_typed() {
    let raw = json!({"type": "IntentRequest", "intent": {"name": "SetIntent", "slots": {
        "level": {"name": "level", "value": 3, "confirmationStatus": "NONE"}}}});
    let request = parse(raw.clone());
    let Request::Intent(r) = &request else {
        panic!("{request:?}")
    };
    let slot = r.intent.slot("level").unwrap();
    assert_eq!(slot.value, None);
    assert_eq!(slot.extra["value"], json!(3));
    assert_eq!(slot.confirmation_status, Some(ConfirmationStatus::None));
    assert_eq!(serde_json::to_value(&request).unwrap(), raw);
}

#[test]
fn session_new_as_a_string_is_read() {
    let env = envelope(
        json!({"version": "1.0", "session": {"new": "true", "sessionId": "s"},
        "request": {"type": "LaunchRequest"}}),
    );
    assert!(env.is_new_session());
}

#[test]
fn an_odd_common_field_keeps_the_request_typed() {
    let raw = json!({"type": "LaunchRequest", "requestId": 17, "timestamp": "2024-01-01T00:00:00Z", "locale": null});
    let request = parse(raw.clone());
    assert!(matches!(request, Request::Launch(_)), "{request:?}");
    assert_eq!(request.request_id(), None);
    assert_eq!(request.locale(), None);
    assert_eq!(request.timestamp(), Some("2024-01-01T00:00:00Z"));
    assert_eq!(serde_json::to_value(&request).unwrap(), raw);
    let ended = parse(json!({"type": "SessionEndedRequest", "reason": 4, "error": "boom"}));
    let Request::SessionEnded(ended) = ended else {
        panic!()
    };
    assert_eq!((ended.reason, ended.error), (None, None));
    assert_eq!(ended.extra["error"], json!("boom"));
}
