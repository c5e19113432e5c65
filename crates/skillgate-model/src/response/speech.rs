//! Output speech and reprompts.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::directive::Directive;

string_enum! {
    /// How speech is queued relative to what Alexa is already saying (`playBehavior`).
    pub enum PlayBehavior {
        /// Add to the end of the queue.
        Enqueue = "ENQUEUE",
        /// Interrupt and replace everything queued.
        ReplaceAll = "REPLACE_ALL",
        /// Replace what is queued, but not what is playing.
        ReplaceEnqueued = "REPLACE_ENQUEUED",
    }
}

/// `outputSpeech`: what Alexa says, as plain text or SSML.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all_fields = "camelCase")]
pub enum OutputSpeech {
    /// `{"type": "PlainText", "text": …}`.
    PlainText {
        /// The text to speak.
        text: String,
        /// Queueing behaviour.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        play_behavior: Option<PlayBehavior>,
    },
    /// `{"type": "SSML", "ssml": "<speak>…</speak>"}`.
    #[serde(rename = "SSML")]
    Ssml {
        /// The SSML document, wrapped in `<speak>`.
        ssml: String,
        /// Queueing behaviour.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        play_behavior: Option<PlayBehavior>,
    },
}

impl OutputSpeech {
    /// Plain-text speech.
    pub fn plain(text: impl Into<String>) -> Self {
        Self::PlainText {
            text: text.into(),
            play_behavior: None,
        }
    }

    /// SSML speech from a full `<speak>` document.
    pub fn ssml(ssml: impl Into<String>) -> Self {
        Self::Ssml {
            ssml: ssml.into(),
            play_behavior: None,
        }
    }

    /// The text or SSML as sent.
    pub fn content(&self) -> &str {
        match self {
            Self::PlainText { text, .. } => text,
            Self::Ssml { ssml, .. } => ssml,
        }
    }

    /// The queueing behaviour, if set.
    pub fn play_behavior(&self) -> Option<&PlayBehavior> {
        match self {
            Self::PlainText { play_behavior, .. } | Self::Ssml { play_behavior, .. } => {
                play_behavior.as_ref()
            }
        }
    }
}

/// `reprompt`: what Alexa says if the user does not answer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Reprompt {
    /// The reprompt speech.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_speech: Option<OutputSpeech>,
    /// Directives played as the reprompt (APL-A).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub directives: Vec<Directive>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Reprompt {
    /// A reprompt with this speech.
    pub fn new(output_speech: OutputSpeech) -> Self {
        Self {
            output_speech: Some(output_speech),
            ..Self::default()
        }
    }
}
