//! The response envelope and the `response` object.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::can_fulfill::CanFulfillIntent;
use super::card::Card;
use super::directive::Directive;
use super::speech::{OutputSpeech, Reprompt};

/// The JSON body a skill answers with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResponseEnvelope {
    /// The envelope format version, `"1.0"`.
    #[serde(default = "version")]
    pub version: String,
    /// Attributes Alexa sends back in the next request of the session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_attributes: Option<Map<String, Value>>,
    /// The SDK identifier, e.g. `skillgate/0.1.0`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// The response.
    #[serde(default)]
    pub response: Response,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

fn version() -> String {
    "1.0".to_owned()
}

impl ResponseEnvelope {
    /// An envelope with version `1.0` around a response.
    pub fn new(response: Response) -> Self {
        Self {
            version: version(),
            session_attributes: None,
            user_agent: None,
            response,
            extra: Map::new(),
        }
    }

    /// Sets the session attributes.
    pub fn with_session_attributes(mut self, attributes: Map<String, Value>) -> Self {
        self.session_attributes = Some(attributes);
        self
    }
}

impl Default for ResponseEnvelope {
    fn default() -> Self {
        Self::new(Response::default())
    }
}

impl From<Response> for ResponseEnvelope {
    fn from(response: Response) -> Self {
        Self::new(response)
    }
}

/// The `response` object.
///
/// `should_end_session` has three states: `Some(true)` ends the session, `Some(false)` keeps
/// it open and listens, `None` (omitted) ends it on voice-only devices and keeps the skill on
/// screen devices without opening the microphone.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Response {
    /// What Alexa says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_speech: Option<OutputSpeech>,
    /// The home card in the Alexa app.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card: Option<Card>,
    /// What Alexa says if the user does not answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reprompt: Option<Reprompt>,
    /// Directives, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub directives: Vec<Directive>,
    /// Whether the session ends (see the type's documentation for the three states).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub should_end_session: Option<bool>,
    /// The answer to a `CanFulfillIntentRequest`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub can_fulfill_intent: Option<CanFulfillIntent>,
    /// The answer to a `Dialog.API.Invoked` request (Alexa Conversations).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_response: Option<Value>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Response {
    /// Whether the response carries nothing: no speech, card, reprompt, directives,
    /// CanFulfill or API answer, and no unknown fields. `shouldEndSession` is not counted.
    pub fn is_empty(&self) -> bool {
        self.output_speech.is_none()
            && self.card.is_none()
            && self.reprompt.is_none()
            && self.directives.is_empty()
            && self.can_fulfill_intent.is_none()
            && self.api_response.is_none()
            && self.extra.is_empty()
    }
}
