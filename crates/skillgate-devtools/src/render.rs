//! Turning a response envelope into what a person wants to read: speech, reprompt, card,
//! directives, whether the session ends. Works on `serde_json::Value` so it shows whatever
//! a server returns, even a response the model would reject.

use serde_json::{Map, Value};

use crate::envelope::Intent;

/// A card in the response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Card {
    /// `Simple`, `Standard`, `LinkAccount`, `AskForPermissionsConsent`.
    pub kind: String,
    /// The title, if any.
    pub title: Option<String>,
    /// `content` (Simple) or `text` (Standard).
    pub text: Option<String>,
}

/// One directive, summarized.
#[derive(Debug, Clone, PartialEq)]
pub struct Directive {
    /// The directive type, e.g. `Dialog.ElicitSlot`.
    pub kind: String,
    /// For `Dialog.ElicitSlot` / `Dialog.ConfirmSlot`: the slot asked about.
    pub slot: Option<String>,
    /// The `updatedIntent` of a dialog directive, if any.
    pub updated_intent: Option<Intent>,
}

impl Directive {
    /// A one-line description of what the directive asks for.
    pub fn describe(&self) -> String {
        let intent = self.updated_intent.as_ref().map(|i| i.name.as_str());
        match (self.kind.as_str(), &self.slot, intent) {
            ("Dialog.ElicitSlot", Some(slot), _) => {
                format!("{} (asks for slot \"{slot}\")", self.kind)
            }
            ("Dialog.ConfirmSlot", Some(slot), _) => {
                format!("{} (asks to confirm slot \"{slot}\")", self.kind)
            }
            ("Dialog.ConfirmIntent", _, Some(name)) => {
                format!("{} (asks to confirm intent \"{name}\")", self.kind)
            }
            ("Dialog.ConfirmIntent", _, None) => {
                format!("{} (asks to confirm the intent)", self.kind)
            }
            ("Dialog.Delegate", _, Some(name)) => format!(
                "{} (hands intent \"{name}\" back to Alexa's dialog model)",
                self.kind
            ),
            ("Dialog.Delegate", _, None) => {
                format!(
                    "{} (hands the dialog back to Alexa's dialog model)",
                    self.kind
                )
            }
            _ => self.kind.clone(),
        }
    }
}

/// The readable content of a response envelope.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Answer {
    /// Output speech as plain text (SSML tags removed).
    pub speech: Option<String>,
    /// Reprompt speech as plain text.
    pub reprompt: Option<String>,
    /// The card, if any.
    pub card: Option<Card>,
    /// Directives, in order.
    pub directives: Vec<Directive>,
    /// `response.shouldEndSession` as sent (absent → `None`).
    pub should_end_session: Option<bool>,
    /// `sessionAttributes` to send back on the next turn.
    pub session_attributes: Map<String, Value>,
}

fn speech_text(output: &Value) -> Option<String> {
    if let Some(ssml) = output.get("ssml").and_then(Value::as_str) {
        return Some(strip_ssml(ssml));
    }
    output
        .get("text")
        .and_then(Value::as_str)
        .map(|t| t.trim().to_string())
}

fn string(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

impl Answer {
    /// Reads a response envelope (`{"version", "sessionAttributes", "response": {…}}`).
    pub fn from_envelope(envelope: &Value) -> Self {
        let response = envelope.get("response").unwrap_or(&Value::Null);
        let card = response
            .get("card")
            .filter(|c| c.is_object())
            .map(|c| Card {
                kind: string(c, "type").unwrap_or_else(|| "Simple".into()),
                title: string(c, "title"),
                text: string(c, "content").or_else(|| string(c, "text")),
            });
        let directives = response
            .get("directives")
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .map(|d| Directive {
                        kind: string(d, "type").unwrap_or_else(|| "(no type)".into()),
                        slot: string(d, "slotToElicit").or_else(|| string(d, "slotToConfirm")),
                        updated_intent: d.get("updatedIntent").and_then(Intent::from_json),
                    })
                    .collect()
            })
            .unwrap_or_default();
        Self {
            speech: response.get("outputSpeech").and_then(speech_text),
            reprompt: response
                .get("reprompt")
                .and_then(|r| r.get("outputSpeech"))
                .and_then(speech_text),
            card,
            directives,
            should_end_session: response.get("shouldEndSession").and_then(Value::as_bool),
            session_attributes: envelope
                .get("sessionAttributes")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default(),
        }
    }

    /// Whether a dialog directive (`Dialog.*`) is present.
    pub fn has_dialog_directive(&self) -> bool {
        self.directives
            .iter()
            .any(|d| d.kind.starts_with("Dialog."))
    }

    /// Whether the session ends after this answer, as Alexa decides it on a voice-only
    /// device: `shouldEndSession: true` ends it, `false` keeps it open, and an absent value
    /// keeps it open only for a dialog directive.
    pub fn session_ends(&self) -> bool {
        match self.should_end_session {
            Some(ends) => ends,
            None => !self.has_dialog_directive(),
        }
    }

    /// The lines `invoke` prints: `Speech: …`, `Reprompt: …`, `Card: title — text`,
    /// `Directive: …`, `Session: …`.
    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        match &self.speech {
            Some(s) => out.push(format!("Speech: {s}")),
            None => out.push("Speech: (none)".into()),
        }
        if let Some(r) = &self.reprompt {
            out.push(format!("Reprompt: {r}"));
        }
        if let Some(card) = &self.card {
            let body = match (&card.title, &card.text) {
                (Some(t), Some(x)) => format!("{t} — {x}"),
                (Some(t), None) => t.clone(),
                (None, Some(x)) => x.clone(),
                (None, None) => String::new(),
            };
            if card.kind == "Simple" || card.kind == "Standard" {
                out.push(format!("Card: {body}"));
            } else {
                out.push(format!("Card: {} {body}", card.kind).trim_end().to_string());
            }
        }
        for d in &self.directives {
            out.push(format!("Directive: {}", d.describe()));
        }
        let session = match self.should_end_session {
            Some(true) => "ends",
            Some(false) => "stays open",
            None if self.session_ends() => "ends (shouldEndSession not set)",
            None => "stays open (dialog directive)",
        };
        out.push(format!("Session: {session}"));
        out
    }
}

/// SSML to plain text: tags removed, the five XML entities decoded, whitespace collapsed.
pub fn strip_ssml(ssml: &str) -> String {
    let mut text = String::with_capacity(ssml.len());
    let mut in_tag = false;
    for c in ssml.chars() {
        match c {
            '<' => {
                in_tag = true;
                text.push(' ');
            }
            '>' if in_tag => in_tag = false,
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    let decoded = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&");
    let words: Vec<&str> = decoded.split_whitespace().collect();
    let mut joined = words.join(" ");
    // Tags between a word and its punctuation leave a stray space: "light <break/>." → "light."
    for p in [" .", " ,", " !", " ?"] {
        joined = joined.replace(p, &p[1..]);
    }
    joined
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ssml_is_stripped() {
        assert_eq!(
            strip_ssml(
                "<speak>Welcome to <emphasis level=\"strong\">home</emphasis>. <break time=\"1s\"/>Say &quot;help&quot; &amp; more.</speak>"
            ),
            "Welcome to home. Say \"help\" & more."
        );
        assert_eq!(strip_ssml("plain"), "plain");
        assert_eq!(strip_ssml("<speak></speak>"), "");
    }

    #[test]
    fn full_answer_renders_every_part() {
        let env = json!({
            "version": "1.0",
            "sessionAttributes": {"lastDevice": "light"},
            "response": {
                "outputSpeech": {"type": "SSML", "ssml": "<speak>Which device?</speak>"},
                "reprompt": {"outputSpeech": {"type": "PlainText", "text": "Say a device."}},
                "card": {"type": "Simple", "title": "Home", "content": "Which device?"},
                "directives": [{"type": "Dialog.ElicitSlot", "slotToElicit": "device",
                    "updatedIntent": {"name": "TurnOnIntent", "confirmationStatus": "NONE",
                        "slots": {"room": {"name": "room", "value": "kitchen"}}}}],
                "shouldEndSession": false
            }
        });
        let answer = Answer::from_envelope(&env);
        assert_eq!(
            answer.lines(),
            vec![
                "Speech: Which device?",
                "Reprompt: Say a device.",
                "Card: Home — Which device?",
                "Directive: Dialog.ElicitSlot (asks for slot \"device\")",
                "Session: stays open",
            ]
        );
        assert_eq!(answer.session_attributes["lastDevice"], "light");
        let updated = answer.directives[0].updated_intent.as_ref().unwrap();
        assert_eq!(updated.slots, vec![("room".into(), "kitchen".into())]);
        assert!(!answer.session_ends());
    }

    #[test]
    fn session_end_rules() {
        let ends = Answer::from_envelope(&json!({"response": {"shouldEndSession": true}}));
        assert!(ends.session_ends());
        assert_eq!(ends.lines(), vec!["Speech: (none)", "Session: ends"]);
        let unset = Answer::from_envelope(&json!({"response": {}}));
        assert!(unset.session_ends());
        let delegate = Answer::from_envelope(
            &json!({"response": {"directives": [{"type": "Dialog.Delegate"}]}}),
        );
        assert!(!delegate.session_ends());
        assert_eq!(
            delegate.lines()[1],
            "Directive: Dialog.Delegate (hands the dialog back to Alexa's dialog model)"
        );
    }

    #[test]
    fn odd_shapes_do_not_panic() {
        for v in [
            json!(null),
            json!([]),
            json!({"response": 3}),
            json!({"response": {"directives": [1, {}]}}),
        ] {
            let _ = Answer::from_envelope(&v).lines();
        }
        let standard = Answer::from_envelope(
            &json!({"response": {"card": {"type": "Standard", "title": "T", "text": "x"}}}),
        );
        assert_eq!(standard.lines()[1], "Card: T — x");
    }
}
