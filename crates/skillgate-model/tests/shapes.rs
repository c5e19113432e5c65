//! Exact JSON shapes of every typed directive, card and output speech: what the model writes
//! must be what Amazon's references show, and must read back to the same value.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use skillgate_model::request::{ConfirmationStatus, Intent};
use skillgate_model::response::{
    AplExecuteCommands, AplRenderDocument, AudioItem, AudioPlayerClearQueue, AudioPlayerPlay,
    AudioPlayerStop, AudioStream, CanFulfill, CanFulfillIntent, CanFulfillSlot, CanUnderstand,
    Card, ClearBehavior, ConnectionsSendRequest, ConnectionsStartConnection, DialogConfirmIntent,
    DialogConfirmSlot, DialogDelegate, DialogElicitSlot, DialogUpdateDynamicEntities, Directive,
    DynamicEntityType, DynamicEntityValue, DynamicEntityValueName, Hint, HintDirective, Image,
    OutputSpeech, PlayBehavior, Reprompt, Response, UpdateBehavior, VideoAppLaunch, VideoItem,
    VideoMetadata,
};
use skillgate_model::{ResponseBuilder, ResponseEnvelope};

/// Serializes `value`, compares with `expected`, and reads `expected` back to `value`.
fn assert_shape<T>(value: &T, expected: Value)
where
    T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
{
    assert_eq!(serde_json::to_value(value).unwrap(), expected);
    let back: T = serde_json::from_value(expected).unwrap();
    assert_eq!(&back, value);
}

fn zodiac_intent() -> Intent {
    let mut intent =
        Intent::new("GetZodiacHoroscopeIntent").with_slot("ZodiacSign", Some("virgo".into()));
    intent.confirmation_status = Some(ConfirmationStatus::None);
    intent
}

fn zodiac_json() -> Value {
    json!({
        "name": "GetZodiacHoroscopeIntent",
        "confirmationStatus": "NONE",
        "slots": {"ZodiacSign": {"name": "ZodiacSign", "value": "virgo", "confirmationStatus": "NONE"}}
    })
}

#[test]
fn dialog_delegate() {
    let d = Directive::from(DialogDelegate {
        updated_intent: Some(zodiac_intent()),
        ..Default::default()
    });
    assert_shape(
        &d,
        json!({"type": "Dialog.Delegate", "updatedIntent": zodiac_json()}),
    );
    assert_shape(
        &Directive::from(DialogDelegate::default()),
        json!({"type": "Dialog.Delegate"}),
    );
}

#[test]
fn dialog_elicit_slot() {
    let d = Directive::from(DialogElicitSlot {
        slot_to_elicit: Some("ZodiacSign".into()),
        updated_intent: Some(zodiac_intent()),
        ..Default::default()
    });
    assert_shape(
        &d,
        json!({"type": "Dialog.ElicitSlot", "slotToElicit": "ZodiacSign", "updatedIntent": zodiac_json()}),
    );
}

#[test]
fn dialog_confirm_slot() {
    let d = Directive::from(DialogConfirmSlot {
        slot_to_confirm: Some("ZodiacSign".into()),
        updated_intent: None,
        ..Default::default()
    });
    assert_shape(
        &d,
        json!({"type": "Dialog.ConfirmSlot", "slotToConfirm": "ZodiacSign"}),
    );
}

#[test]
fn dialog_confirm_intent() {
    let d = Directive::from(DialogConfirmIntent {
        updated_intent: Some(zodiac_intent()),
        ..Default::default()
    });
    assert_shape(
        &d,
        json!({"type": "Dialog.ConfirmIntent", "updatedIntent": zodiac_json()}),
    );
}

#[test]
fn dialog_update_dynamic_entities() {
    let d = Directive::from(DialogUpdateDynamicEntities {
        update_behavior: UpdateBehavior::Replace,
        types: vec![DynamicEntityType {
            name: "AirportSlotType".into(),
            values: vec![DynamicEntityValue {
                id: Some("BOS".into()),
                name: DynamicEntityValueName {
                    value: "Logan International Airport".into(),
                    synonyms: vec!["Boston Logan".into()],
                },
            }],
        }],
        extra: Default::default(),
    });
    assert_shape(
        &d,
        json!({
            "type": "Dialog.UpdateDynamicEntities",
            "updateBehavior": "REPLACE",
            "types": [{"name": "AirportSlotType", "values": [
                {"id": "BOS", "name": {"value": "Logan International Airport", "synonyms": ["Boston Logan"]}}
            ]}]
        }),
    );
    let clear = Directive::from(DialogUpdateDynamicEntities {
        update_behavior: UpdateBehavior::Clear,
        types: vec![],
        extra: Default::default(),
    });
    assert_shape(
        &clear,
        json!({"type": "Dialog.UpdateDynamicEntities", "updateBehavior": "CLEAR"}),
    );
}

#[test]
fn audio_player_play() {
    let d = Directive::from(AudioPlayerPlay {
        play_behavior: PlayBehavior::Enqueue,
        audio_item: AudioItem {
            stream: AudioStream {
                url: "https://cdn.example.com/song.mp3".into(),
                token: "track-2".into(),
                expected_previous_token: Some("track-1".into()),
                offset_in_milliseconds: 0,
                extra: Default::default(),
            },
            metadata: Some(json!({"title": "Song"})),
            extra: Default::default(),
        },
        extra: Default::default(),
    });
    assert_shape(
        &d,
        json!({
            "type": "AudioPlayer.Play",
            "playBehavior": "ENQUEUE",
            "audioItem": {
                "stream": {
                    "url": "https://cdn.example.com/song.mp3",
                    "token": "track-2",
                    "expectedPreviousToken": "track-1",
                    "offsetInMilliseconds": 0
                },
                "metadata": {"title": "Song"}
            }
        }),
    );
}

#[test]
fn audio_player_stop_and_clear_queue() {
    assert_shape(
        &Directive::from(AudioPlayerStop::default()),
        json!({"type": "AudioPlayer.Stop"}),
    );
    for (behavior, text) in [
        (ClearBehavior::ClearAll, "CLEAR_ALL"),
        (ClearBehavior::ClearEnqueued, "CLEAR_ENQUEUED"),
    ] {
        let d = Directive::from(AudioPlayerClearQueue {
            clear_behavior: behavior,
            extra: Default::default(),
        });
        assert_shape(
            &d,
            json!({"type": "AudioPlayer.ClearQueue", "clearBehavior": text}),
        );
    }
}

#[test]
fn video_app_launch() {
    let d = Directive::from(VideoAppLaunch {
        video_item: VideoItem {
            source: "https://www.example.com/video/sample-video-1.mp4".into(),
            metadata: Some(VideoMetadata {
                title: Some("Title".into()),
                subtitle: Some("Subtitle".into()),
            }),
            extra: Default::default(),
        },
        extra: Default::default(),
    });
    assert_shape(
        &d,
        json!({"type": "VideoApp.Launch", "videoItem": {
            "source": "https://www.example.com/video/sample-video-1.mp4",
            "metadata": {"title": "Title", "subtitle": "Subtitle"}
        }}),
    );
}

#[test]
fn apl_render_document_and_execute_commands() {
    let render = Directive::from(AplRenderDocument {
        token: Some("doc".into()),
        document: json!({"type": "Link", "src": "doc://alexa/apl/documents/hello"}),
        datasources: Some(json!({"user": {"name": "John"}})),
        ..Default::default()
    });
    assert_shape(
        &render,
        json!({
            "type": "Alexa.Presentation.APL.RenderDocument",
            "token": "doc",
            "document": {"type": "Link", "src": "doc://alexa/apl/documents/hello"},
            "datasources": {"user": {"name": "John"}}
        }),
    );
    let exec = Directive::from(AplExecuteCommands {
        token: "doc".into(),
        commands: vec![json!({"type": "Idle"})],
        extra: Default::default(),
    });
    assert_shape(
        &exec,
        json!({"type": "Alexa.Presentation.APL.ExecuteCommands", "token": "doc", "commands": [{"type": "Idle"}]}),
    );
}

#[test]
fn connections_send_request_and_start_connection() {
    let buy = Directive::from(ConnectionsSendRequest {
        name: "Buy".into(),
        payload: Some(json!({"InSkillProduct": {"productId": "amzn1.adg.product.x"}})),
        token: Some("correlationToken".into()),
        extra: Default::default(),
    });
    assert_shape(
        &buy,
        json!({"type": "Connections.SendRequest", "name": "Buy",
               "payload": {"InSkillProduct": {"productId": "amzn1.adg.product.x"}}, "token": "correlationToken"}),
    );
    let start = Directive::from(ConnectionsStartConnection {
        uri: "connection://AMAZON.PrintPDF/1".into(),
        input: Some(json!({"@type": "PrintPDFRequest", "@version": "1"})),
        token: Some("none".into()),
        on_completion: Some("RESUME_SESSION".into()),
        extra: Default::default(),
    });
    assert_shape(
        &start,
        json!({"type": "Connections.StartConnection", "uri": "connection://AMAZON.PrintPDF/1",
               "input": {"@type": "PrintPDFRequest", "@version": "1"}, "token": "none",
               "onCompletion": "RESUME_SESSION"}),
    );
}

#[test]
fn hint() {
    let d = Directive::from(HintDirective {
        hint: Hint::PlainText {
            text: "ask for the weather".into(),
        },
    });
    assert_shape(
        &d,
        json!({"type": "Hint", "hint": {"type": "PlainText", "text": "ask for the weather"}}),
    );
}

#[test]
fn unknown_directives_stay_raw_and_keep_every_field() {
    let raw = json!({"type": "Alexa.Presentation.APLA.RenderDocument", "token": "t", "document": {"type": "APLA"}});
    let d: Directive = serde_json::from_value(raw.clone()).unwrap();
    assert!(matches!(d, Directive::Raw(_)));
    assert_eq!(
        d.type_name(),
        Some("Alexa.Presentation.APLA.RenderDocument")
    );
    assert_eq!(serde_json::to_value(&d).unwrap(), raw);
    // A known type with a body the typed struct cannot hold is kept raw, not rejected.
    let odd = json!({"type": "AudioPlayer.ClearQueue", "clearBehavior": 7});
    let d: Directive = serde_json::from_value(odd.clone()).unwrap();
    assert!(matches!(d, Directive::Raw(_)));
    assert_eq!(serde_json::to_value(&d).unwrap(), odd);
}

#[test]
fn directive_type_is_serialized_first() {
    let d = Directive::from(DialogElicitSlot {
        slot_to_elicit: Some("room".into()),
        ..Default::default()
    });
    let text = serde_json::to_string(&d).unwrap();
    assert!(text.starts_with(r#"{"type":"Dialog.ElicitSlot""#), "{text}");
}

#[test]
fn cards() {
    assert_shape(
        &Card::Simple {
            title: "Horoscope".into(),
            content: "Virgo".into(),
        },
        json!({"type": "Simple", "title": "Horoscope", "content": "Virgo"}),
    );
    assert_shape(
        &Card::Standard {
            title: "T".into(),
            text: "X".into(),
            image: Some(Image {
                small_image_url: Some("https://example.com/s.png".into()),
                large_image_url: Some("https://example.com/l.png".into()),
            }),
        },
        json!({"type": "Standard", "title": "T", "text": "X", "image": {
            "smallImageUrl": "https://example.com/s.png", "largeImageUrl": "https://example.com/l.png"}}),
    );
    assert_shape(&Card::LinkAccount, json!({"type": "LinkAccount"}));
    assert_shape(
        &Card::AskForPermissionsConsent {
            permissions: vec!["read::alexa:device:all:address".into()],
        },
        json!({"type": "AskForPermissionsConsent", "permissions": ["read::alexa:device:all:address"]}),
    );
}

#[test]
fn output_speech_and_reprompt() {
    assert_shape(
        &OutputSpeech::plain("Hi"),
        json!({"type": "PlainText", "text": "Hi"}),
    );
    assert_shape(
        &OutputSpeech::Ssml {
            ssml: "<speak>Hi</speak>".into(),
            play_behavior: Some(PlayBehavior::ReplaceEnqueued),
        },
        json!({"type": "SSML", "ssml": "<speak>Hi</speak>", "playBehavior": "REPLACE_ENQUEUED"}),
    );
    assert_shape(
        &Reprompt::new(OutputSpeech::plain("Still there?")),
        json!({"outputSpeech": {"type": "PlainText", "text": "Still there?"}}),
    );
}

#[test]
fn can_fulfill_intent() {
    let answer = CanFulfillIntent {
        can_fulfill: CanFulfill::Yes,
        slots: [(
            "room".to_owned(),
            CanFulfillSlot {
                can_understand: CanUnderstand::Yes,
                can_fulfill: Some(CanFulfill::No),
            },
        )]
        .into_iter()
        .collect(),
        extra: Default::default(),
    };
    assert_shape(
        &answer,
        json!({"canFulfill": "YES", "slots": {"room": {"canUnderstand": "YES", "canFulfill": "NO"}}}),
    );
}

#[test]
fn should_end_session_has_three_states() {
    for (value, expected) in [
        (Some(true), json!({"shouldEndSession": true})),
        (Some(false), json!({"shouldEndSession": false})),
        (None, json!({})),
    ] {
        let response = ResponseBuilder::new().should_end_session(value).build();
        assert_shape(&response, expected);
    }
}

#[test]
fn empty_envelope_is_version_and_empty_response() {
    let envelope = ResponseEnvelope::new(Response::default());
    assert_shape(&envelope, json!({"version": "1.0", "response": {}}));
    let with_attributes = ResponseEnvelope::new(Response::default())
        .with_session_attributes(json!({"room": "kitchen"}).as_object().unwrap().clone());
    assert_shape(
        &with_attributes,
        json!({"version": "1.0", "sessionAttributes": {"room": "kitchen"}, "response": {}}),
    );
}
