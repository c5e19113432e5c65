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
    unique_keys::check(bytes)?;
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

/// A JSON document in which no object repeats a key.
mod unique_keys {
    use std::collections::HashSet;
    use std::fmt;

    use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

    /// `Ok` for well-formed JSON without a repeated key in any object; the error names the
    /// first repeated key (or what is malformed).
    pub fn check(bytes: &[u8]) -> Result<(), String> {
        let mut deserializer = serde_json::Deserializer::from_slice(bytes);
        Walk.deserialize(&mut deserializer)
            .and_then(|()| deserializer.end())
            .map_err(|e| {
                if e.is_data() {
                    e.to_string()
                } else {
                    format!("not JSON: {e}")
                }
            })
    }

    /// Visits every value, checking the keys of each object.
    struct Walk;

    impl<'de> DeserializeSeed<'de> for Walk {
        type Value = ();
        fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
            deserializer.deserialize_any(self)
        }
    }

    impl<'de> Visitor<'de> for Walk {
        type Value = ();

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("any JSON value")
        }
        fn visit_bool<E>(self, _: bool) -> Result<(), E> {
            Ok(())
        }
        fn visit_i64<E>(self, _: i64) -> Result<(), E> {
            Ok(())
        }
        fn visit_u64<E>(self, _: u64) -> Result<(), E> {
            Ok(())
        }
        fn visit_f64<E>(self, _: f64) -> Result<(), E> {
            Ok(())
        }
        fn visit_str<E>(self, _: &str) -> Result<(), E> {
            Ok(())
        }
        fn visit_unit<E>(self) -> Result<(), E> {
            Ok(())
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            while seq.next_element_seed(Walk)?.is_some() {}
            Ok(())
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            let mut seen = HashSet::new();
            while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                if !seen.insert(key.clone()) {
                    return Err(de::Error::custom(format_args!(
                        "duplicate key {key:?} in an object"
                    )));
                }
                map.next_value_seed(Walk)?;
            }
            Ok(())
        }
    }
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
