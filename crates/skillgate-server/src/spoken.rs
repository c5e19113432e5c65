//! The well-formed spoken answer sent when a skill cannot answer (upstream down, slow or
//! lying; handler timeout; invalid response).

use bytes::Bytes;

/// What Alexa says when the skill behind skillgate fails.
pub const UNAVAILABLE_TEXT: &str = "Sorry, the skill is not available right now.";

/// A complete response envelope (JSON) that speaks [`UNAVAILABLE_TEXT`] and ends the
/// session.
pub fn unavailable() -> Bytes {
    let envelope = serde_json::json!({
        "version": "1.0",
        "response": {
            "outputSpeech": {"type": "PlainText", "text": UNAVAILABLE_TEXT},
            "shouldEndSession": true
        }
    });
    Bytes::from(envelope.to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn is_a_valid_envelope() {
        let v: serde_json::Value = serde_json::from_slice(&super::unavailable()).unwrap();
        assert_eq!(v["version"], "1.0");
        assert_eq!(v["response"]["shouldEndSession"], true);
        assert_eq!(
            v["response"]["outputSpeech"]["text"],
            super::UNAVAILABLE_TEXT
        );
    }
}
