//! What the matcher answers.

use std::collections::BTreeMap;

use serde::Serialize;

/// Entity resolution of one slot, as Alexa reports it in `resolutions.resolutionsPerAuthority`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status")]
pub enum Resolution {
    /// `ER_SUCCESS_MATCH`: the words are a value or synonym of the custom type.
    #[serde(rename = "ER_SUCCESS_MATCH")]
    Match {
        /// The canonical value.
        value: String,
        /// Its id, when the model gives one.
        id: Option<String>,
    },
    /// `ER_SUCCESS_NO_MATCH`: a custom slot filled with words that are not in the type.
    #[serde(rename = "ER_SUCCESS_NO_MATCH")]
    NoMatch,
}

/// One filled slot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SlotFill {
    /// The slot name.
    pub name: String,
    /// The words as spoken.
    pub spoken: String,
    /// The value Alexa puts in `slot.value`: the spoken words, except digits for numbers and
    /// ISO-8601 values for dates, times and durations.
    pub value: String,
    /// Entity resolution (custom slot types only).
    pub resolution: Option<Resolution>,
}

/// How the sentence named the skill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Invocation {
    /// The sentence was said inside a session (no invocation name).
    InSession,
    /// "open home control": a LaunchRequest.
    Launch,
    /// "ask home control to turn on the light": a one-shot IntentRequest.
    OneShot,
}

/// Why the answer is what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Outcome {
    /// A sample matched word for word.
    Strict,
    /// The best sample matched closely enough, with a clear margin over other intents.
    Tolerant,
    /// Nothing fit: `AMAZON.FallbackIntent` when the model has it, otherwise no intent.
    NoMatch,
    /// Two intents fit about equally well: no intent.
    Ambiguous,
    /// A LaunchRequest ("open …").
    Launch,
}

/// The matcher's answer for one sentence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatchResult {
    /// The sentence as matched (normalized).
    pub utterance: String,
    /// The intent, or `None` (no match without a fallback intent, ambiguity, or a launch).
    pub intent: Option<String>,
    /// The filled slots, in the intent's slot order.
    pub slots: Vec<SlotFill>,
    /// 0.0 to 1.0.
    pub confidence: f64,
    /// Why.
    pub outcome: Outcome,
    /// Whether the sentence named the skill.
    pub invocation: Invocation,
    /// The runner-up intent, when there was one.
    pub runner_up: Option<(String, f64)>,
}

impl MatchResult {
    /// The slot with this name.
    pub fn slot(&self, name: &str) -> Option<&SlotFill> {
        self.slots.iter().find(|s| s.name == name)
    }

    /// The one-line JSON the `skillgate nlu --json` command prints, keys in this order:
    /// `{"utterance", "intent", "slots": {name: spoken}, "resolved": {name: {"value", "id"}},
    /// "confidence"}`. Unfilled slots are left out.
    pub fn to_line_json(&self) -> String {
        let mut slots = BTreeMap::new();
        let mut resolved = BTreeMap::new();
        for s in &self.slots {
            slots.insert(s.name.as_str(), s.spoken.as_str());
            let (value, id) = match &s.resolution {
                Some(Resolution::Match { value, id }) => (value.as_str(), id.as_deref()),
                _ => (s.value.as_str(), None),
            };
            resolved.insert(s.name.as_str(), Resolved { value, id });
        }
        let line = Line {
            utterance: &self.utterance,
            intent: self.intent.as_deref(),
            slots,
            resolved,
            confidence: (self.confidence * 1000.0).round() / 1000.0,
        };
        // Plain strings and numbers: serializing cannot fail.
        serde_json::to_string(&line).unwrap_or_default()
    }
}

#[derive(Serialize)]
struct Resolved<'a> {
    value: &'a str,
    id: Option<&'a str>,
}

#[derive(Serialize)]
struct Line<'a> {
    utterance: &'a str,
    intent: Option<&'a str>,
    slots: BTreeMap<&'a str, &'a str>,
    resolved: BTreeMap<&'a str, Resolved<'a>>,
    confidence: f64,
}
