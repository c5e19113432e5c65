//! Masking of personal data and secrets in logs and recordings.
//!
//! User ids, device ids, person ids, access tokens and slot values never reach a log line
//! unmasked unless `log.unmask` is set.

use serde_json::Value;

/// JSON keys whose string values are secrets or personal identifiers.
const MASKED_KEYS: &[&str] = &[
    "apiAccessToken",
    "consentToken",
    "accessToken",
    "userId",
    "deviceId",
    "personId",
];

/// Masks an Alexa identifier, keeping its prefix and last four characters:
/// `amzn1.ask.account.AFQ…XYZW` → `amzn1.ask.account.…XYZW`.
pub fn mask_id(id: &str) -> String {
    // The byte offset of the fourth character from the end, found without collecting the
    // id's characters (a user id is a few hundred of them, masked on every request).
    let mut from_end = id.char_indices().rev().map(|(i, _)| i);
    let tail_start = from_end.nth(3).unwrap_or(0);
    // More than 8 characters: the tail's 4 and at least 5 before them.
    if from_end.nth(4).is_none() {
        return "…".to_owned();
    }
    let tail = &id[tail_start..];
    // Keep a well-known `amzn1.<kind>.<kind>.` prefix, which says what the id is.
    let prefix_end = id
        .match_indices('.')
        .take(3)
        .last()
        .map(|(i, _)| i + 1)
        .filter(|&i| id.starts_with("amzn1.") && i + 4 < id.len())
        .unwrap_or(0);
    let mut masked = String::with_capacity(prefix_end + '…'.len_utf8() + tail.len());
    masked.push_str(&id[..prefix_end]);
    masked.push('…');
    masked.push_str(tail);
    masked
}

/// Returns `value` with every token and id masked, and slot values replaced, for logs
/// and recordings.
pub fn mask_envelope(value: &Value) -> Value {
    let mut out = value.clone();
    mask_in_place(&mut out, None);
    out
}

fn mask_in_place(value: &mut Value, parent: Option<&str>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                if let Value::String(s) = child {
                    if MASKED_KEYS.contains(&key.as_str()) {
                        *s = if key.ends_with("Token") {
                            "…masked…".to_owned()
                        } else {
                            mask_id(s)
                        };
                        continue;
                    }
                    // A slot's spoken value: `request.intent.slots.<name>.value`.
                    if key == "value" && parent == Some("slot") {
                        *s = "…masked…".to_owned();
                        continue;
                    }
                }
                let context = if parent == Some("slots") {
                    Some("slot")
                } else {
                    Some(key.as_str())
                };
                mask_in_place(child, context);
            }
        }
        Value::Array(items) => {
            for item in items {
                mask_in_place(item, parent);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_keep_prefix_and_tail() {
        assert_eq!(
            mask_id("amzn1.ask.account.AFABCDEFGHIJKLMNOPWXYZ"),
            "amzn1.ask.account.…WXYZ"
        );
        assert_eq!(mask_id("short"), "…");
        assert_eq!(mask_id("0123456789abcdef"), "…cdef");
        // Eight characters or fewer are masked whole; from nine on, the last four show.
        assert_eq!(mask_id("12345678"), "…");
        assert_eq!(mask_id("123456789"), "…6789");
        assert_eq!(mask_id(""), "…");
        // Characters, not bytes: eight two-byte characters are still eight.
        assert_eq!(mask_id("éééééééé"), "…");
        assert_eq!(mask_id("ééééééééßü€x"), "…ßü€x");
        // The prefix needs four characters after it.
        assert_eq!(mask_id("amzn1.ask.account.ABC"), "….ABC");
    }

    #[test]
    fn envelope_secrets_are_masked() {
        let v: Value = serde_json::json!({
            "context": {"System": {
                "apiAccessToken": "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.secret",
                "user": {"userId": "amzn1.ask.account.AAAAAAAAAAAAAAAA1234",
                         "accessToken": "tok", "permissions": {"consentToken": "c"}},
                "device": {"deviceId": "amzn1.ask.device.BBBBBBBBBBBB5678"}
            }},
            "request": {"type": "IntentRequest", "intent": {"name": "TurnOn",
                "slots": {"room": {"name": "room", "value": "kitchen"}}}}
        });
        let m = mask_envelope(&v);
        let text = m.to_string();
        for secret in [
            "secret", "AAAAAAAA", "tok\"", "\"c\"", "BBBBBBBB", "kitchen",
        ] {
            assert!(!text.contains(secret), "{secret} leaked: {text}");
        }
        assert!(text.contains("amzn1.ask.account.…1234"));
        assert!(text.contains("TurnOn"));
        assert_eq!(m["request"]["intent"]["slots"]["room"]["name"], "room");
    }
}
