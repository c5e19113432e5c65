//! Checks on a skill's answer before it goes back to Alexa: size, JSON shape (a
//! `skillgate_model::ResponseEnvelope`) and Alexa's limits.

/// Alexa refuses response envelopes larger than this (bytes).
pub const MAX_RESPONSE_BYTES: usize = 24_576;

/// Checks a serialized answer; the error says which rule failed (for the log).
pub fn check(bytes: &[u8]) -> Result<(), String> {
    if bytes.len() > MAX_RESPONSE_BYTES {
        return Err(format!(
            "{} bytes, over Alexa's {MAX_RESPONSE_BYTES}",
            bytes.len()
        ));
    }
    // The model is lenient (missing fields default); an answer must at least say what it is.
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| format!("not JSON: {e}"))?;
    if !value
        .get("version")
        .is_some_and(serde_json::Value::is_string)
    {
        return Err("no \"version\" string: not a response envelope".to_owned());
    }
    if !value
        .get("response")
        .is_some_and(serde_json::Value::is_object)
    {
        return Err("no \"response\" object: not a response envelope".to_owned());
    }
    let envelope: skillgate_model::ResponseEnvelope =
        serde_json::from_value(value).map_err(|e| format!("not a response envelope: {e}"))?;
    skillgate_model::limits::validate(&envelope, None).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_checked() {
        let good =
            br#"{"version":"1.0","response":{"outputSpeech":{"type":"PlainText","text":"Hi"}}}"#;
        check(good).unwrap();
        assert!(check(b"nope").unwrap_err().contains("JSON"));
        assert!(
            check(br#"{"hello":"world"}"#)
                .unwrap_err()
                .contains("version")
        );
        assert!(
            check(br#"{"version":"1.0"}"#)
                .unwrap_err()
                .contains("response")
        );
        let huge = format!(
            r#"{{"version":"1.0","response":{{"outputSpeech":{{"type":"PlainText","text":"{}"}}}}}}"#,
            "a".repeat(MAX_RESPONSE_BYTES)
        );
        assert!(check(huge.as_bytes()).unwrap_err().contains("24576"));
        // Over Alexa's 8000-character speech limit but under the size cap.
        let long = format!(
            r#"{{"version":"1.0","response":{{"outputSpeech":{{"type":"PlainText","text":"{}"}}}}}}"#,
            "a".repeat(9000)
        );
        assert!(check(long.as_bytes()).is_err());
    }
}
