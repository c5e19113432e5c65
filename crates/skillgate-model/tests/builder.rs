//! The fluent response builder.

use serde_json::json;
use skillgate_model::ResponseBuilder;
use skillgate_model::request::Intent;
use skillgate_model::response::{Card, Directive, Image, OutputSpeech};

#[test]
fn speak_escapes_plain_text_into_ssml() {
    let response = ResponseBuilder::new().speak("Tom & Jerry's <show>").build();
    assert_eq!(
        response.output_speech,
        Some(OutputSpeech::ssml(
            "<speak>Tom &amp; Jerry&apos;s &lt;show&gt;</speak>"
        ))
    );
}

#[test]
fn speak_ssml_wraps_fragments_but_not_documents() {
    let fragment = ResponseBuilder::new()
        .speak_ssml("Hi <break time=\"1s\"/>")
        .build();
    assert_eq!(
        fragment.output_speech.unwrap().content(),
        "<speak>Hi <break time=\"1s\"/></speak>"
    );
    let document = ResponseBuilder::new()
        .speak_ssml("<speak>Hi</speak>")
        .build();
    assert_eq!(
        document.output_speech.unwrap().content(),
        "<speak>Hi</speak>"
    );
}

#[test]
fn reprompt_and_session_state() {
    let response = ResponseBuilder::new()
        .speak("Which room?")
        .reprompt("Which room, please?")
        .keep_session_open()
        .build();
    let value = serde_json::to_value(&response).unwrap();
    assert_eq!(
        value,
        json!({
            "outputSpeech": {"type": "SSML", "ssml": "<speak>Which room?</speak>"},
            "reprompt": {"outputSpeech": {"type": "SSML", "ssml": "<speak>Which room, please?</speak>"}},
            "shouldEndSession": false
        })
    );
    let ended = ResponseBuilder::new().speak("Bye").end_session().build();
    assert_eq!(ended.should_end_session, Some(true));
    let ssml_reprompt = ResponseBuilder::new()
        .reprompt_ssml("<emphasis>now</emphasis>")
        .build();
    assert_eq!(
        ssml_reprompt
            .reprompt
            .unwrap()
            .output_speech
            .unwrap()
            .content(),
        "<speak><emphasis>now</emphasis></speak>"
    );
}

#[test]
fn cards() {
    let simple = ResponseBuilder::new()
        .simple_card("Lights", "Kitchen on")
        .build();
    assert_eq!(
        simple.card,
        Some(Card::Simple {
            title: "Lights".into(),
            content: "Kitchen on".into()
        })
    );
    let image = Image {
        small_image_url: Some("https://example.com/s.png".into()),
        large_image_url: None,
    };
    let standard = ResponseBuilder::new()
        .standard_card("T", "X", Some(image.clone()))
        .build();
    assert_eq!(
        standard.card,
        Some(Card::Standard {
            title: "T".into(),
            text: "X".into(),
            image: Some(image)
        })
    );
    assert_eq!(
        ResponseBuilder::new().link_account_card().build().card,
        Some(Card::LinkAccount)
    );
    let consent = ResponseBuilder::new()
        .ask_for_permissions_consent_card(["read::alexa:device:all:address"])
        .build();
    assert_eq!(
        consent.card,
        Some(Card::AskForPermissionsConsent {
            permissions: vec!["read::alexa:device:all:address".into()]
        })
    );
}

#[test]
fn dialog_directives_in_order() {
    let intent = Intent::new("TurnOnIntent").with_slot("room", None);
    let response = ResponseBuilder::new()
        .delegate(None)
        .elicit_slot("room", intent.clone())
        .confirm_slot("room", None)
        .confirm_intent(intent)
        .build();
    let types: Vec<_> = response
        .directives
        .iter()
        .map(|d| d.type_name().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "Dialog.Delegate",
            "Dialog.ElicitSlot",
            "Dialog.ConfirmSlot",
            "Dialog.ConfirmIntent"
        ]
    );
    assert!(response.directives.iter().all(Directive::is_dialog));
    let value = serde_json::to_value(&response.directives[1]).unwrap();
    assert_eq!(
        value,
        json!({"type": "Dialog.ElicitSlot", "slotToElicit": "room", "updatedIntent": {
            "name": "TurnOnIntent", "slots": {"room": {"name": "room", "confirmationStatus": "NONE"}}}})
    );
}

#[test]
fn add_directive_accepts_raw_json() {
    let response = ResponseBuilder::new()
        .add_directive(Directive::Raw(
            json!({"type": "Tasks.CompleteTask", "status": {"code": 200}}),
        ))
        .build();
    assert_eq!(
        response.directives[0].type_name(),
        Some("Tasks.CompleteTask")
    );
    assert!(!response.directives[0].is_dialog());
}

#[test]
fn new_builder_is_an_empty_response() {
    let response = ResponseBuilder::new().build();
    assert!(response.is_empty());
    assert_eq!(serde_json::to_value(&response).unwrap(), json!({}));
}

#[test]
fn audio_and_video_helpers() {
    use skillgate_model::response::{ClearBehavior, PlayBehavior};
    let response = ResponseBuilder::new()
        .audio_player_play(
            PlayBehavior::Enqueue,
            "https://example.com/b.mp3",
            "b",
            0,
            Some("a".into()),
        )
        .audio_player_clear_queue(ClearBehavior::ClearEnqueued)
        .audio_player_stop()
        .build();
    assert_eq!(
        serde_json::to_value(&response).unwrap(),
        json!({"directives": [
            {"type": "AudioPlayer.Play", "playBehavior": "ENQUEUE", "audioItem": {"stream": {
                "url": "https://example.com/b.mp3", "token": "b", "expectedPreviousToken": "a",
                "offsetInMilliseconds": 0}}},
            {"type": "AudioPlayer.ClearQueue", "clearBehavior": "CLEAR_ENQUEUED"},
            {"type": "AudioPlayer.Stop"}
        ]})
    );
    let video = ResponseBuilder::new()
        .end_session()
        .video_app_launch("https://example.com/v.mp4", Some("Title".into()), None)
        .build();
    assert_eq!(video.should_end_session, None);
    assert_eq!(
        serde_json::to_value(&video.directives[0]).unwrap(),
        json!({"type": "VideoApp.Launch", "videoItem": {"source": "https://example.com/v.mp4", "metadata": {"title": "Title"}}})
    );
}

#[test]
fn play_behavior_can_fulfill_and_api_response() {
    use skillgate_model::response::{CanFulfill, CanFulfillIntent, PlayBehavior};
    let response = ResponseBuilder::new()
        .speak("hi")
        .play_behavior(PlayBehavior::ReplaceAll)
        .can_fulfill_intent(CanFulfillIntent {
            can_fulfill: CanFulfill::Maybe,
            slots: Default::default(),
            extra: Default::default(),
        })
        .api_response(json!({"ok": true}))
        .build();
    assert_eq!(
        serde_json::to_value(&response).unwrap(),
        json!({
            "outputSpeech": {"type": "SSML", "ssml": "<speak>hi</speak>", "playBehavior": "REPLACE_ALL"},
            "canFulfillIntent": {"canFulfill": "MAYBE"},
            "apiResponse": {"ok": true}
        })
    );
    // Without speech, play_behavior changes nothing.
    assert!(
        ResponseBuilder::new()
            .play_behavior(PlayBehavior::Enqueue)
            .build()
            .is_empty()
    );
}
