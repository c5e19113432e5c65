//! One test per response rule: a response just inside the limit passes, one just over it
//! fails with that rule named.

use serde_json::json;
use skillgate_model::limits::{self, Rule};
use skillgate_model::request::Request;
use skillgate_model::response::{
    AudioItem, AudioPlayerPlay, AudioStream, Card, Directive, Image, OutputSpeech, PlayBehavior,
    Response, VideoAppLaunch, VideoItem,
};
use skillgate_model::{ResponseBuilder, ResponseEnvelope};

fn envelope(response: Response) -> ResponseEnvelope {
    ResponseEnvelope::new(response)
}

/// The rules `response` breaks when answering `request`.
fn broken(response: Response, request: Option<&Request>) -> Vec<Rule> {
    match limits::validate(&envelope(response), request) {
        Ok(()) => Vec::new(),
        Err(violations) => violations.iter().map(|v| v.rule).collect(),
    }
}

fn request(json: serde_json::Value) -> Request {
    serde_json::from_value(json).unwrap()
}

fn ssml_of_len(n: usize) -> String {
    format!("<speak>{}</speak>", "a".repeat(n - "<speak></speak>".len()))
}

fn play(url: &str, token: &str) -> Directive {
    Directive::from(AudioPlayerPlay {
        play_behavior: PlayBehavior::ReplaceAll,
        audio_item: AudioItem {
            stream: AudioStream {
                url: url.into(),
                token: token.into(),
                ..Default::default()
            },
            ..Default::default()
        },
        extra: Default::default(),
    })
}

#[test]
fn every_rule_has_a_distinct_stable_name() {
    let mut names: Vec<_> = Rule::ALL.iter().map(|r| r.name()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), Rule::ALL.len());
    assert!(
        names
            .iter()
            .all(|n| n.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
    );
}

#[test]
fn speech_length_counts_characters_with_tags() {
    let inside = ResponseBuilder::new()
        .speak_ssml(&ssml_of_len(8000))
        .build();
    assert_eq!(broken(inside, None), []);
    let over = ResponseBuilder::new()
        .speak_ssml(&ssml_of_len(8001))
        .build();
    assert_eq!(broken(over, None), [Rule::SpeechLength]);
    // Characters, not bytes: 8000 two-byte characters are fine.
    let wide = ResponseBuilder::new().speak_plain("é".repeat(8000)).build();
    assert_eq!(broken(wide, None), []);
    let plain_over = ResponseBuilder::new().speak_plain("a".repeat(8001)).build();
    assert_eq!(broken(plain_over, None), [Rule::SpeechLength]);
}

#[test]
fn reprompt_length() {
    let inside = ResponseBuilder::new()
        .reprompt_ssml(&ssml_of_len(8000))
        .build();
    assert_eq!(broken(inside, None), []);
    let over = ResponseBuilder::new()
        .reprompt_ssml(&ssml_of_len(8001))
        .build();
    assert_eq!(broken(over, None), [Rule::RepromptLength]);
}

#[test]
fn card_length_counts_title_and_text_together() {
    let inside = ResponseBuilder::new()
        .simple_card("a".repeat(4000), "b".repeat(4000))
        .build();
    assert_eq!(broken(inside, None), []);
    let over = ResponseBuilder::new()
        .simple_card("a".repeat(4000), "b".repeat(4001))
        .build();
    assert_eq!(broken(over, None), [Rule::CardLength]);
    let standard = ResponseBuilder::new()
        .standard_card("a".repeat(8000), "b", None)
        .build();
    assert_eq!(broken(standard, None), [Rule::CardLength]);
}

#[test]
fn image_url_length_and_scheme() {
    let url = |n: usize| format!("https://{}", "a".repeat(n - "https://".len()));
    let card = |small: String| Card::Standard {
        title: "T".into(),
        text: "X".into(),
        image: Some(Image {
            small_image_url: Some(small),
            large_image_url: None,
        }),
    };
    assert_eq!(
        broken(ResponseBuilder::new().card(card(url(2000))).build(), None),
        []
    );
    assert_eq!(
        broken(ResponseBuilder::new().card(card(url(2001))).build(), None),
        [Rule::ImageUrlLength]
    );
    assert_eq!(
        broken(
            ResponseBuilder::new()
                .card(card("http://example.com/a.png".into()))
                .build(),
            None
        ),
        [Rule::ImageUrlHttps]
    );
    assert_eq!(
        broken(
            ResponseBuilder::new()
                .card(card("HTTPS://example.com/a.png".into()))
                .build(),
            None
        ),
        []
    );
}

#[test]
fn audio_url_length_scheme_and_token() {
    let url = |n: usize| format!("https://{}", "a".repeat(n - "https://".len()));
    let answer = |d: Directive| ResponseBuilder::new().add_directive(d).build();
    // The envelope-size rule also trips for URLs this long; only the URL rule is asserted.
    let inside = broken(answer(play(&url(8000), "t")), None);
    assert!(!inside.contains(&Rule::AudioUrlLength), "{inside:?}");
    let over = broken(answer(play(&url(8001), "t")), None);
    assert!(over.contains(&Rule::AudioUrlLength), "{over:?}");
    assert_eq!(
        broken(answer(play("http://example.com/a.mp3", "t")), None),
        [Rule::AudioUrlHttps]
    );
    assert_eq!(
        broken(
            answer(play("https://example.com/a.mp3", &"t".repeat(1024))),
            None
        ),
        []
    );
    assert_eq!(
        broken(
            answer(play("https://example.com/a.mp3", &"t".repeat(1025))),
            None
        ),
        [Rule::AudioTokenLength]
    );
}

#[test]
fn ssml_must_be_well_formed() {
    let good = ResponseBuilder::new()
        .speak_ssml("Hello <break time=\"1s\"/> world")
        .build();
    assert_eq!(broken(good, None), []);
    let bad = ResponseBuilder::new().speak_ssml("Tom & Jerry").build();
    assert_eq!(broken(bad, None), [Rule::SsmlWellFormed]);
    let bad_reprompt = ResponseBuilder::new().reprompt_ssml("<p>open").build();
    let violations = limits::validate(&envelope(bad_reprompt), None).unwrap_err();
    assert_eq!(violations[0].rule, Rule::SsmlWellFormed);
    assert!(
        violations[0].message.starts_with("reprompt SSML"),
        "{}",
        violations[0]
    );
    // Plain text is not SSML and is not checked as such.
    let plain = ResponseBuilder::new().speak_plain("Tom & Jerry <3").build();
    assert_eq!(broken(plain, None), []);
}

#[test]
fn at_most_five_audio_clips() {
    let clips = |n: usize| "<audio src=\"https://example.com/a.mp3\"/>".repeat(n);
    assert_eq!(
        broken(ResponseBuilder::new().speak_ssml(&clips(5)).build(), None),
        []
    );
    let violations = limits::validate(
        &envelope(ResponseBuilder::new().speak_ssml(&clips(6)).build()),
        None,
    )
    .unwrap_err();
    assert_eq!(violations.rule_names(), ["ssml_audio_clips"]);
    assert_eq!(
        (violations[0].limit, violations[0].actual),
        (Some(5), Some(6))
    );
}

#[test]
fn total_response_size() {
    let base = serde_json::to_vec(&envelope(Response::default()))
        .unwrap()
        .len();
    let padded = |n: usize| {
        let mut response = Response::default();
        response.extra.insert("x".into(), json!("a".repeat(n)));
        response
    };
    // {"version":"1.0","response":{"x":"…"}}: the padding adds 7 bytes plus its length.
    let fill = 24_576 - base - r#""x":"""#.len();
    let inside = envelope(padded(fill));
    assert_eq!(serde_json::to_vec(&inside).unwrap().len(), 24_576);
    assert_eq!(limits::validate(&inside, None), Ok(()));
    let over = envelope(padded(fill + 1));
    let violations = limits::validate(&over, None).unwrap_err();
    assert_eq!(violations.rule_names(), ["response_size"]);
    assert_eq!(
        violations.to_string(),
        "response_size: the serialized response is too large (limit 24576, actual 24577)"
    );
}

#[test]
fn no_speech_card_or_reprompt_for_audio_events() {
    let event = request(json!({"type": "AudioPlayer.PlaybackNearlyFinished", "token": "t"}));
    let button = request(json!({"type": "PlaybackController.NextCommandIssued"}));
    let directives_only = ResponseBuilder::new()
        .add_directive(play("https://example.com/next.mp3", "next"))
        .build();
    assert_eq!(broken(directives_only.clone(), Some(&event)), []);
    assert_eq!(broken(directives_only, Some(&button)), []);
    let chatty = ResponseBuilder::new()
        .speak("next song")
        .simple_card("a", "b")
        .reprompt("more?")
        .build();
    assert_eq!(
        broken(chatty.clone(), Some(&event)),
        [Rule::AudioEventOutput; 3]
    );
    assert_eq!(
        broken(chatty.clone(), Some(&button)),
        [Rule::AudioEventOutput; 3]
    );
    // Unchecked without the request.
    assert_eq!(broken(chatty, None), []);
}

#[test]
fn nothing_in_answer_to_session_ended() {
    let ended = request(json!({"type": "SessionEndedRequest", "reason": "USER_INITIATED"}));
    assert_eq!(broken(Response::default(), Some(&ended)), []);
    assert_eq!(
        broken(ResponseBuilder::new().end_session().build(), Some(&ended)),
        []
    );
    let spoken = ResponseBuilder::new().speak("Goodbye").build();
    assert_eq!(broken(spoken, Some(&ended)), [Rule::SessionEndedOutput]);
    let directive = ResponseBuilder::new()
        .add_directive(Directive::Raw(json!({"type": "X"})))
        .build();
    assert_eq!(broken(directive, Some(&ended)), [Rule::SessionEndedOutput]);
}

#[test]
fn video_app_launch_without_should_end_session() {
    let video = Directive::from(VideoAppLaunch {
        video_item: VideoItem {
            source: "https://example.com/v.mp4".into(),
            ..Default::default()
        },
        extra: Default::default(),
    });
    let ok = ResponseBuilder::new().add_directive(video.clone()).build();
    assert_eq!(broken(ok, None), []);
    for end in [true, false] {
        let bad = ResponseBuilder::new()
            .add_directive(video.clone())
            .should_end_session(Some(end))
            .build();
        assert_eq!(broken(bad, None), [Rule::VideoAppEndSession]);
    }
}

#[test]
fn dialog_directives_only_for_intents_and_open_sessions() {
    let intent = request(json!({"type": "IntentRequest", "intent": {"name": "TurnOnIntent"}}));
    let launch = request(json!({"type": "LaunchRequest"}));
    let elicit = ResponseBuilder::new()
        .speak("Which room?")
        .elicit_slot("room", None);
    assert_eq!(broken(elicit.clone().build(), Some(&intent)), []);
    assert_eq!(
        broken(elicit.clone().keep_session_open().build(), Some(&intent)),
        []
    );
    assert_eq!(
        broken(elicit.clone().build(), Some(&launch)),
        [Rule::DialogOutsideIntent]
    );
    assert_eq!(
        broken(elicit.end_session().build(), Some(&intent)),
        [Rule::DialogEndsSession]
    );
}

#[test]
fn violations_come_in_rule_order_and_display_one_line() {
    let response = ResponseBuilder::new()
        .speak_ssml(&format!("{}&", "a".repeat(8000)))
        .simple_card("t", "c".repeat(8000))
        .build();
    let violations = limits::validate(&envelope(response), None).unwrap_err();
    assert_eq!(
        violations.rule_names(),
        ["speech_length", "card_length", "ssml_well_formed"]
    );
    assert!(violations.contains(Rule::CardLength));
    let line = violations.to_string();
    assert!(!line.contains('\n'));
    assert_eq!(line.matches("; ").count(), 2, "{line}");
}

#[test]
fn output_speech_content_is_what_is_measured() {
    let speech = OutputSpeech::plain("a".repeat(10));
    assert_eq!(speech.content().len(), 10);
}

#[test]
fn delegate_comes_without_speech() {
    let intent = request(json!({"type": "IntentRequest", "intent": {"name": "TurnOnIntent"}}));
    assert_eq!(
        broken(ResponseBuilder::new().delegate(None).build(), Some(&intent)),
        []
    );
    let spoken = ResponseBuilder::new()
        .speak("ok")
        .reprompt("ok?")
        .delegate(None)
        .build();
    assert_eq!(broken(spoken, Some(&intent)), [Rule::DelegateWithSpeech; 2]);
    // Other dialog directives carry their prompt.
    let elicit = ResponseBuilder::new()
        .speak("Which room?")
        .elicit_slot("room", None)
        .build();
    assert_eq!(broken(elicit, Some(&intent)), []);
}

#[test]
fn expected_previous_token_exactly_with_enqueue() {
    let directive = |behavior: PlayBehavior, previous: Option<&str>| {
        Directive::from(AudioPlayerPlay {
            play_behavior: behavior,
            audio_item: AudioItem {
                stream: AudioStream {
                    url: "https://example.com/b.mp3".into(),
                    token: "b".into(),
                    expected_previous_token: previous.map(str::to_owned),
                    ..Default::default()
                },
                ..Default::default()
            },
            extra: Default::default(),
        })
    };
    let answer = |d| broken(ResponseBuilder::new().add_directive(d).build(), None);
    assert_eq!(answer(directive(PlayBehavior::Enqueue, Some("a"))), []);
    assert_eq!(answer(directive(PlayBehavior::ReplaceAll, None)), []);
    assert_eq!(
        answer(directive(PlayBehavior::Enqueue, None)),
        [Rule::EnqueueToken]
    );
    assert_eq!(
        answer(directive(PlayBehavior::ReplaceEnqueued, Some("a"))),
        [Rule::EnqueueToken]
    );
}
