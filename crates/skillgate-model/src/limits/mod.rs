//! Checks a response against Alexa's documented limits and the rules that depend on the
//! request it answers, so a response Alexa would reject is an error the author sees in tests
//! and in the log, with the limit named.
//!
//! Sources: Amazon's "Request and Response JSON Reference"
//! (<https://developer.amazon.com/en-US/docs/alexa/custom-skills/request-and-response-json-reference.html>),
//! "SSML Reference", and the AudioPlayer, PlaybackController, VideoApp and Dialog interface
//! references. Each constant in this module names its source.
//!
//! ```
//! use skillgate_model::limits::{self, Rule};
//! use skillgate_model::{ResponseBuilder, ResponseEnvelope};
//!
//! let too_long = "a".repeat(8001);
//! let envelope = ResponseEnvelope::new(ResponseBuilder::new().speak_plain(too_long).build());
//! let violations = limits::validate(&envelope, None).unwrap_err();
//! assert_eq!(violations[0].rule, Rule::SpeechLength);
//! assert_eq!(
//!     violations[0].to_string(),
//!     "speech_length: outputSpeech is too long (limit 8000, actual 8001)"
//! );
//! ```

mod rule;
mod violation;

pub use rule::{
    MAX_AUDIO_TOKEN_CHARS, MAX_AUDIO_URL_CHARS, MAX_CARD_CHARS, MAX_IMAGE_URL_CHARS,
    MAX_REPROMPT_CHARS, MAX_RESPONSE_BYTES, MAX_SPEECH_CHARS, MAX_SSML_AUDIO_CLIPS, Rule,
};
pub use violation::{Violation, Violations};

use crate::request::Request;
use crate::response::{Card, Directive, OutputSpeech, PlayBehavior, Response, ResponseEnvelope};
use crate::ssml;

/// Checks a response envelope against every rule; `request` enables the rules that depend on
/// what is being answered. Returns every violation found, in [`Rule::ALL`] order.
pub fn validate(envelope: &ResponseEnvelope, request: Option<&Request>) -> Result<(), Violations> {
    let mut found = Vec::new();
    let response = &envelope.response;
    check_speech(response, &mut found);
    check_card(response, &mut found);
    check_audio_player(response, &mut found);
    check_ssml(response, &mut found);
    check_size(envelope, &mut found);
    if let Some(request) = request {
        check_against_request(response, request, &mut found);
    }
    check_directive_combinations(response, &mut found);
    if found.is_empty() {
        Ok(())
    } else {
        found.sort_by_key(|v| Rule::ALL.iter().position(|r| *r == v.rule));
        Err(Violations(found))
    }
}

fn chars(text: &str) -> usize {
    text.chars().count()
}

fn reprompt_speech(response: &Response) -> Option<&OutputSpeech> {
    response
        .reprompt
        .as_ref()
        .and_then(|r| r.output_speech.as_ref())
}

fn check_speech(response: &Response, found: &mut Vec<Violation>) {
    if let Some(speech) = &response.output_speech {
        let n = chars(speech.content());
        if n > MAX_SPEECH_CHARS {
            found.push(Violation::over(
                Rule::SpeechLength,
                "outputSpeech is too long",
                n,
            ));
        }
    }
    if let Some(speech) = reprompt_speech(response) {
        let n = chars(speech.content());
        if n > MAX_REPROMPT_CHARS {
            found.push(Violation::over(
                Rule::RepromptLength,
                "reprompt is too long",
                n,
            ));
        }
    }
}

fn check_card(response: &Response, found: &mut Vec<Violation>) {
    let Some(card) = &response.card else { return };
    let (n, image) = match card {
        Card::Simple { title, content } => (chars(title) + chars(content), None),
        Card::Standard { title, text, image } => (chars(title) + chars(text), image.as_ref()),
        Card::LinkAccount | Card::AskForPermissionsConsent { .. } => (0, None),
    };
    if n > MAX_CARD_CHARS {
        found.push(Violation::over(
            Rule::CardLength,
            "card title and text are too long together",
            n,
        ));
    }
    let Some(image) = image else { return };
    for (field, url) in [
        ("smallImageUrl", &image.small_image_url),
        ("largeImageUrl", &image.large_image_url),
    ] {
        let Some(url) = url else { continue };
        let n = chars(url);
        if n > MAX_IMAGE_URL_CHARS {
            found.push(Violation::over(
                Rule::ImageUrlLength,
                format!("card image {field} is too long"),
                n,
            ));
        }
        if !is_https(url) {
            found.push(Violation::broken(
                Rule::ImageUrlHttps,
                format!("card image {field} must be an https URL"),
            ));
        }
    }
}

fn check_audio_player(response: &Response, found: &mut Vec<Violation>) {
    for directive in &response.directives {
        let Directive::AudioPlayerPlay(play) = directive else {
            continue;
        };
        let stream = &play.audio_item.stream;
        let n = chars(&stream.url);
        if n > MAX_AUDIO_URL_CHARS {
            found.push(Violation::over(
                Rule::AudioUrlLength,
                "AudioPlayer.Play stream url is too long",
                n,
            ));
        }
        if !is_https(&stream.url) {
            found.push(Violation::broken(
                Rule::AudioUrlHttps,
                "AudioPlayer.Play stream url must be an https URL",
            ));
        }
        let enqueue = play.play_behavior == PlayBehavior::Enqueue;
        if enqueue != stream.expected_previous_token.is_some() {
            found.push(Violation::broken(
                Rule::EnqueueToken,
                if enqueue {
                    "AudioPlayer.Play with ENQUEUE needs expectedPreviousToken"
                } else {
                    "AudioPlayer.Play may only carry expectedPreviousToken with ENQUEUE"
                },
            ));
        }
        let n = chars(&stream.token);
        if n > MAX_AUDIO_TOKEN_CHARS {
            found.push(Violation::over(
                Rule::AudioTokenLength,
                "AudioPlayer.Play stream token is too long",
                n,
            ));
        }
    }
}

fn check_ssml(response: &Response, found: &mut Vec<Violation>) {
    let speeches = [
        ("outputSpeech", response.output_speech.as_ref()),
        ("reprompt", reprompt_speech(response)),
    ];
    for (field, speech) in speeches {
        let Some(OutputSpeech::Ssml { ssml: document, .. }) = speech else {
            continue;
        };
        match ssml::check(document) {
            Ok(summary) if summary.audio_clips > MAX_SSML_AUDIO_CLIPS => {
                found.push(Violation::over(
                    Rule::SsmlAudioClips,
                    format!("{field} SSML has too many <audio> clips"),
                    summary.audio_clips,
                ));
            }
            Ok(_) => {}
            Err(error) => found.push(Violation::broken(
                Rule::SsmlWellFormed,
                format!("{field} SSML is not valid: {error}"),
            )),
        }
    }
}

fn check_size(envelope: &ResponseEnvelope, found: &mut Vec<Violation>) {
    // Serializing a ResponseEnvelope cannot fail (string keys, no non-finite floats from
    // our types); if it ever did, there is no size to report. The bytes are counted, not
    // kept: the caller serializes the answer it sends.
    let mut counted = ByteCount(0);
    let size = serde_json::to_writer(&mut counted, envelope).map_or(0, |()| counted.0);
    if size > MAX_RESPONSE_BYTES {
        found.push(Violation::over(
            Rule::ResponseSize,
            "the serialized response is too large",
            size,
        ));
    }
}

/// An `io::Write` that only counts what is written to it.
struct ByteCount(usize);

impl std::io::Write for ByteCount {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn check_against_request(response: &Response, request: &Request, found: &mut Vec<Violation>) {
    let rtype = request.request_type();
    if request.is_audio_event() {
        for (field, present) in [
            ("outputSpeech", response.output_speech.is_some()),
            ("card", response.card.is_some()),
            ("reprompt", response.reprompt.is_some()),
        ] {
            if present {
                found.push(Violation::broken(
                    Rule::AudioEventOutput,
                    format!("an answer to {rtype} may not contain {field}"),
                ));
            }
        }
    }
    if matches!(request, Request::SessionEnded(_)) && !response.is_empty() {
        found.push(Violation::broken(
            Rule::SessionEndedOutput,
            "an answer to SessionEndedRequest must be empty",
        ));
    }
    let answers_intent = matches!(request, Request::Intent(_));
    if !answers_intent {
        for directive in response.directives.iter().filter(|d| d.is_dialog()) {
            found.push(Violation::broken(
                Rule::DialogOutsideIntent,
                format!(
                    "{} may only answer an IntentRequest, not {rtype}",
                    directive.type_name().unwrap_or("Dialog directive")
                ),
            ));
        }
    }
}

fn check_directive_combinations(response: &Response, found: &mut Vec<Violation>) {
    let has_video = response
        .directives
        .iter()
        .any(|d| matches!(d, Directive::VideoAppLaunch(_)));
    if has_video && response.should_end_session.is_some() {
        found.push(Violation::broken(
            Rule::VideoAppEndSession,
            "VideoApp.Launch may not be combined with shouldEndSession (omit it)",
        ));
    }
    let delegates = response
        .directives
        .iter()
        .any(|d| matches!(d, Directive::DialogDelegate(_)));
    if delegates {
        for (field, present) in [
            ("outputSpeech", response.output_speech.is_some()),
            ("reprompt", response.reprompt.is_some()),
        ] {
            if present {
                found.push(Violation::broken(
                    Rule::DelegateWithSpeech,
                    format!("Dialog.Delegate may not come with {field}"),
                ));
            }
        }
    }
    if response.should_end_session == Some(true) {
        for directive in response.directives.iter().filter(|d| d.is_dialog()) {
            found.push(Violation::broken(
                Rule::DialogEndsSession,
                format!(
                    "{} requires the session to stay open (shouldEndSession true)",
                    directive.type_name().unwrap_or("Dialog directive")
                ),
            ));
        }
    }
}

/// Whether `url` is an absolute https URL (scheme case-insensitive).
fn is_https(url: &str) -> bool {
    url.get(..8)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("https://"))
        && url.len() > 8
}
