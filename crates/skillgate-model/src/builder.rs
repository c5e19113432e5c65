//! A fluent builder for the `response` object, in the style of the ASK SDKs'
//! `responseBuilder`.

use crate::request::Intent;
use crate::response::{
    AudioItem, AudioPlayerClearQueue, AudioPlayerPlay, AudioPlayerStop, AudioStream,
    CanFulfillIntent, Card, ClearBehavior, DialogConfirmIntent, DialogConfirmSlot, DialogDelegate,
    DialogElicitSlot, Directive, Image, OutputSpeech, PlayBehavior, Reprompt, Response,
    VideoAppLaunch, VideoItem, VideoMetadata,
};
use crate::ssml;

/// Builds a [`Response`].
///
/// ```
/// use skillgate_model::ResponseBuilder;
///
/// let response = ResponseBuilder::new()
///     .speak("Which room?")
///     .reprompt("Which room should I turn the light on in?")
///     .keep_session_open()
///     .build();
/// assert_eq!(response.should_end_session, Some(false));
/// ```
#[derive(Debug, Clone, Default)]
pub struct ResponseBuilder {
    response: Response,
}

impl ResponseBuilder {
    /// An empty response (`shouldEndSession` omitted).
    pub fn new() -> Self {
        Self::default()
    }

    /// Speaks plain text: escaped and wrapped as SSML `<speak>…</speak>`.
    pub fn speak(mut self, text: &str) -> Self {
        self.response.output_speech = Some(OutputSpeech::ssml(speak_text(text)));
        self
    }

    /// Speaks SSML: a fragment (wrapped in `<speak>`) or a whole `<speak>` document. The
    /// caller is responsible for escaping text inside it (see [`ssml::escape`]).
    pub fn speak_ssml(mut self, ssml_text: &str) -> Self {
        self.response.output_speech = Some(OutputSpeech::ssml(ssml::wrap(ssml_text)));
        self
    }

    /// Speaks plain text as a `PlainText` output speech (no SSML).
    pub fn speak_plain(mut self, text: impl Into<String>) -> Self {
        self.response.output_speech = Some(OutputSpeech::plain(text));
        self
    }

    /// Sets the reprompt from plain text (escaped and wrapped as SSML). Does not change
    /// `shouldEndSession`; a reprompt only plays if the session stays open.
    pub fn reprompt(mut self, text: &str) -> Self {
        self.response.reprompt = Some(Reprompt::new(OutputSpeech::ssml(speak_text(text))));
        self
    }

    /// Sets the reprompt from SSML (fragment or `<speak>` document).
    pub fn reprompt_ssml(mut self, ssml_text: &str) -> Self {
        self.response.reprompt = Some(Reprompt::new(OutputSpeech::ssml(ssml::wrap(ssml_text))));
        self
    }

    /// Sets any card.
    pub fn card(mut self, card: Card) -> Self {
        self.response.card = Some(card);
        self
    }

    /// Sets a Simple card.
    pub fn simple_card(self, title: impl Into<String>, content: impl Into<String>) -> Self {
        self.card(Card::Simple {
            title: title.into(),
            content: content.into(),
        })
    }

    /// Sets a Standard card with an optional image.
    pub fn standard_card(
        self,
        title: impl Into<String>,
        text: impl Into<String>,
        image: Option<Image>,
    ) -> Self {
        self.card(Card::Standard {
            title: title.into(),
            text: text.into(),
            image,
        })
    }

    /// Sets a LinkAccount card.
    pub fn link_account_card(self) -> Self {
        self.card(Card::LinkAccount)
    }

    /// Sets an AskForPermissionsConsent card for these permission scopes.
    pub fn ask_for_permissions_consent_card<I, S>(self, permissions: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.card(Card::AskForPermissionsConsent {
            permissions: permissions.into_iter().map(Into::into).collect(),
        })
    }

    /// Appends a directive.
    pub fn add_directive(mut self, directive: impl Into<Directive>) -> Self {
        self.response.directives.push(directive.into());
        self
    }

    /// Adds `Dialog.Delegate`, optionally with an updated intent.
    pub fn delegate(self, updated_intent: impl Into<Option<Intent>>) -> Self {
        self.add_directive(DialogDelegate {
            updated_intent: updated_intent.into(),
            ..DialogDelegate::default()
        })
    }

    /// Adds `Dialog.ElicitSlot` for `slot`, optionally with an updated intent.
    pub fn elicit_slot(
        self,
        slot: impl Into<String>,
        updated_intent: impl Into<Option<Intent>>,
    ) -> Self {
        self.add_directive(DialogElicitSlot {
            slot_to_elicit: Some(slot.into()),
            updated_intent: updated_intent.into(),
            ..DialogElicitSlot::default()
        })
    }

    /// Adds `Dialog.ConfirmSlot` for `slot`, optionally with an updated intent.
    pub fn confirm_slot(
        self,
        slot: impl Into<String>,
        updated_intent: impl Into<Option<Intent>>,
    ) -> Self {
        self.add_directive(DialogConfirmSlot {
            slot_to_confirm: Some(slot.into()),
            updated_intent: updated_intent.into(),
            ..DialogConfirmSlot::default()
        })
    }

    /// Adds `Dialog.ConfirmIntent`, optionally with an updated intent.
    pub fn confirm_intent(self, updated_intent: impl Into<Option<Intent>>) -> Self {
        self.add_directive(DialogConfirmIntent {
            updated_intent: updated_intent.into(),
            ..DialogConfirmIntent::default()
        })
    }

    /// Sets the `playBehavior` of the output speech set so far (no effect without speech).
    pub fn play_behavior(mut self, behavior: PlayBehavior) -> Self {
        if let Some(
            OutputSpeech::PlainText { play_behavior, .. }
            | OutputSpeech::Ssml { play_behavior, .. },
        ) = &mut self.response.output_speech
        {
            *play_behavior = Some(behavior);
        }
        self
    }

    /// Adds `AudioPlayer.Play` for an HTTPS stream. `expected_previous_token` is required
    /// with [`PlayBehavior::Enqueue`] and not allowed otherwise.
    pub fn audio_player_play(
        self,
        behavior: PlayBehavior,
        url: impl Into<String>,
        token: impl Into<String>,
        offset_in_milliseconds: u64,
        expected_previous_token: Option<String>,
    ) -> Self {
        self.add_directive(AudioPlayerPlay {
            play_behavior: behavior,
            audio_item: AudioItem {
                stream: AudioStream {
                    url: url.into(),
                    token: token.into(),
                    expected_previous_token,
                    offset_in_milliseconds,
                    ..AudioStream::default()
                },
                ..AudioItem::default()
            },
            extra: serde_json::Map::new(),
        })
    }

    /// Adds `AudioPlayer.Stop`.
    pub fn audio_player_stop(self) -> Self {
        self.add_directive(AudioPlayerStop::default())
    }

    /// Adds `AudioPlayer.ClearQueue`.
    pub fn audio_player_clear_queue(self, behavior: ClearBehavior) -> Self {
        self.add_directive(AudioPlayerClearQueue {
            clear_behavior: behavior,
            extra: serde_json::Map::new(),
        })
    }

    /// Adds `VideoApp.Launch` and omits `shouldEndSession`, which Alexa does not allow
    /// beside it.
    pub fn video_app_launch(
        self,
        source: impl Into<String>,
        title: Option<String>,
        subtitle: Option<String>,
    ) -> Self {
        let metadata =
            (title.is_some() || subtitle.is_some()).then_some(VideoMetadata { title, subtitle });
        self.add_directive(VideoAppLaunch {
            video_item: VideoItem {
                source: source.into(),
                metadata,
                ..VideoItem::default()
            },
            ..VideoAppLaunch::default()
        })
        .should_end_session(None)
    }

    /// Sets the answer to a `CanFulfillIntentRequest`.
    pub fn can_fulfill_intent(mut self, answer: CanFulfillIntent) -> Self {
        self.response.can_fulfill_intent = Some(answer);
        self
    }

    /// Sets the answer to a `Dialog.API.Invoked` request (Alexa Conversations).
    pub fn api_response(mut self, value: serde_json::Value) -> Self {
        self.response.api_response = Some(value);
        self
    }

    /// Ends the session (`shouldEndSession: true`).
    pub fn end_session(self) -> Self {
        self.should_end_session(Some(true))
    }

    /// Keeps the session open and listens (`shouldEndSession: false`).
    pub fn keep_session_open(self) -> Self {
        self.should_end_session(Some(false))
    }

    /// Sets `shouldEndSession` (`None` omits it).
    pub fn should_end_session(mut self, value: Option<bool>) -> Self {
        self.response.should_end_session = value;
        self
    }

    /// The response built so far.
    pub fn build(self) -> Response {
        self.response
    }
}

fn speak_text(text: &str) -> String {
    const OPEN: &str = "<speak>";
    const CLOSE: &str = "</speak>";
    let mut ssml = String::with_capacity(OPEN.len() + text.len() + text.len() / 8 + CLOSE.len());
    ssml.push_str(OPEN);
    ssml::escape_into(&mut ssml, text);
    ssml.push_str(CLOSE);
    ssml
}
