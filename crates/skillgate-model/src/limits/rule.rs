//! The rules a response is checked against, with Alexa's documented numbers.

use std::fmt;

/// Most characters of `outputSpeech` text or SSML, tags included ("Request and Response JSON
/// Reference", OutputSpeech object; "Best Practices for Text Responses").
pub const MAX_SPEECH_CHARS: usize = 8000;
/// Most characters of `reprompt` text or SSML, tags included ("Request and Response JSON
/// Reference", Reprompt object).
pub const MAX_REPROMPT_CHARS: usize = 8000;
/// Most characters of a card's title and content (or text) together ("Request and Response
/// JSON Reference", Card object).
pub const MAX_CARD_CHARS: usize = 8000;
/// Most characters of a card image URL ("Include a Card in Your Skill's Response", image
/// requirements).
pub const MAX_IMAGE_URL_CHARS: usize = 2000;
/// Most characters of an `AudioPlayer.Play` stream URL ("AudioPlayer Interface Reference").
pub const MAX_AUDIO_URL_CHARS: usize = 8000;
/// Most characters of an `AudioPlayer.Play` stream token ("AudioPlayer Interface Reference").
pub const MAX_AUDIO_TOKEN_CHARS: usize = 1024;
/// Most `<audio>` clips in one SSML output ("SSML Reference", audio tag).
pub const MAX_SSML_AUDIO_CLIPS: usize = 5;
/// Most bytes of the serialized response envelope ("Request and Response JSON Reference",
/// response format: the total size of the response cannot exceed 24 kilobytes).
pub const MAX_RESPONSE_BYTES: usize = 24_576;

/// A rule a response must follow for Alexa to accept it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rule {
    /// `outputSpeech` is at most [`MAX_SPEECH_CHARS`] characters.
    SpeechLength,
    /// `reprompt` speech is at most [`MAX_REPROMPT_CHARS`] characters.
    RepromptLength,
    /// A card's title and content/text together are at most [`MAX_CARD_CHARS`] characters.
    CardLength,
    /// Card image URLs are at most [`MAX_IMAGE_URL_CHARS`] characters.
    ImageUrlLength,
    /// Card image URLs use HTTPS.
    ImageUrlHttps,
    /// `AudioPlayer.Play` stream URLs are at most [`MAX_AUDIO_URL_CHARS`] characters.
    AudioUrlLength,
    /// `AudioPlayer.Play` stream URLs use HTTPS.
    AudioUrlHttps,
    /// `AudioPlayer.Play` stream tokens are at most [`MAX_AUDIO_TOKEN_CHARS`] characters.
    AudioTokenLength,
    /// SSML output is well-formed, inside `<speak>`, with documented tags only.
    SsmlWellFormed,
    /// One SSML output holds at most [`MAX_SSML_AUDIO_CLIPS`] `<audio>` clips.
    SsmlAudioClips,
    /// The serialized envelope is at most [`MAX_RESPONSE_BYTES`] bytes.
    ResponseSize,
    /// Answers to `AudioPlayer.*` and `PlaybackController.*` events carry no speech, card or
    /// reprompt ("AudioPlayer Interface Reference", "PlaybackController Interface Reference").
    AudioEventOutput,
    /// Answers to `SessionEndedRequest` carry nothing ("Handle Requests Sent by Alexa":
    /// the skill cannot return a response to SessionEndedRequest).
    SessionEndedOutput,
    /// `VideoApp.Launch` is not combined with `shouldEndSession` ("VideoApp Interface
    /// Reference").
    VideoAppEndSession,
    /// `Dialog.*` directives answer an `IntentRequest` only ("Dialog Interface Reference").
    DialogOutsideIntent,
    /// `Dialog.*` directives do not end the session ("Dialog Interface Reference":
    /// `shouldEndSession` must be false or omitted).
    DialogEndsSession,
    /// `Dialog.Delegate` comes without `outputSpeech` and `reprompt` ("Dialog Interface
    /// Reference": Alexa speaks the prompts defined in the dialog model).
    DelegateWithSpeech,
    /// `AudioPlayer.Play` has `expectedPreviousToken` exactly when `playBehavior` is `ENQUEUE`
    /// ("AudioPlayer Interface Reference": required and allowed only with `ENQUEUE`).
    EnqueueToken,
}

impl Rule {
    /// Every rule, in the order they are checked.
    pub const ALL: [Rule; 18] = [
        Rule::SpeechLength,
        Rule::RepromptLength,
        Rule::CardLength,
        Rule::ImageUrlLength,
        Rule::ImageUrlHttps,
        Rule::AudioUrlLength,
        Rule::AudioUrlHttps,
        Rule::AudioTokenLength,
        Rule::SsmlWellFormed,
        Rule::SsmlAudioClips,
        Rule::ResponseSize,
        Rule::AudioEventOutput,
        Rule::SessionEndedOutput,
        Rule::VideoAppEndSession,
        Rule::DialogOutsideIntent,
        Rule::DialogEndsSession,
        Rule::DelegateWithSpeech,
        Rule::EnqueueToken,
    ];

    /// A stable snake_case name for logs, metrics and tests.
    pub fn name(self) -> &'static str {
        match self {
            Rule::SpeechLength => "speech_length",
            Rule::RepromptLength => "reprompt_length",
            Rule::CardLength => "card_length",
            Rule::ImageUrlLength => "image_url_length",
            Rule::ImageUrlHttps => "image_url_https",
            Rule::AudioUrlLength => "audio_url_length",
            Rule::AudioUrlHttps => "audio_url_https",
            Rule::AudioTokenLength => "audio_token_length",
            Rule::SsmlWellFormed => "ssml_well_formed",
            Rule::SsmlAudioClips => "ssml_audio_clips",
            Rule::ResponseSize => "response_size",
            Rule::AudioEventOutput => "audio_event_output",
            Rule::SessionEndedOutput => "session_ended_output",
            Rule::VideoAppEndSession => "video_app_end_session",
            Rule::DialogOutsideIntent => "dialog_outside_intent",
            Rule::DialogEndsSession => "dialog_ends_session",
            Rule::DelegateWithSpeech => "delegate_with_speech",
            Rule::EnqueueToken => "enqueue_token",
        }
    }

    /// The numeric limit of the rule, if it has one.
    pub fn limit(self) -> Option<usize> {
        match self {
            Rule::SpeechLength => Some(MAX_SPEECH_CHARS),
            Rule::RepromptLength => Some(MAX_REPROMPT_CHARS),
            Rule::CardLength => Some(MAX_CARD_CHARS),
            Rule::ImageUrlLength => Some(MAX_IMAGE_URL_CHARS),
            Rule::AudioUrlLength => Some(MAX_AUDIO_URL_CHARS),
            Rule::AudioTokenLength => Some(MAX_AUDIO_TOKEN_CHARS),
            Rule::SsmlAudioClips => Some(MAX_SSML_AUDIO_CLIPS),
            Rule::ResponseSize => Some(MAX_RESPONSE_BYTES),
            _ => None,
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
