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
    // Alexa reads the bytes we send, not our parse of them: with a duplicate key one JSON
    // reader sees the first value and another the last, so an answer with one is refused
    // rather than checked in one reading and delivered in another.
    let value = skillgate_model::json::from_slice_unique_keys(bytes).map_err(|e| {
        if e.is_data() {
            e.to_string()
        } else {
            format!("not JSON: {e}")
        }
    })?;
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

    #[test]
    fn a_repeated_key_is_refused_wherever_it_is() {
        // What another JSON reader may take (the first value) is not what serde_json keeps
        // (the last): a 9,000-character speech hidden behind a short one.
        let long = "a".repeat(9000);
        let hidden = format!(
            r#"{{"version":"1.0","response":{{"outputSpeech":{{"type":"PlainText","text":"{long}","text":"Hi"}}}}}}"#
        );
        assert!(
            check(hidden.as_bytes())
                .unwrap_err()
                .contains("duplicate key \"text\"")
        );
        let top = br#"{"version":"1.0","response":{},"response":{"shouldEndSession":true}}"#;
        assert!(
            check(top)
                .unwrap_err()
                .contains("duplicate key \"response\"")
        );
        let escaped = br#"{"version":"1.0","response":{"a":1,"\u0061":2}}"#;
        assert!(check(escaped).unwrap_err().contains("duplicate key"));
        let in_array = br#"{"version":"1.0","response":{"directives":[{"type":"x","type":"y"}]}}"#;
        assert!(check(in_array).unwrap_err().contains("duplicate key"));
        // The same key in sibling objects is fine.
        let siblings = br#"{"version":"1.0","response":{"card":{"type":"Simple","title":"a","content":"b"},"outputSpeech":{"type":"PlainText","text":"c"}}}"#;
        check(siblings).unwrap();
    }
}
