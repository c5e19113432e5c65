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
    let envelope: skillgate_model::ResponseEnvelope =
        serde_json::from_slice(bytes).map_err(|e| format!("not a response envelope: {e}"))?;
    skillgate_model::limits::validate(&envelope, None).map_err(|e| e.to_string())
}
