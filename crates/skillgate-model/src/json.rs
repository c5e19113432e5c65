//! JSON read one way only: where one reader keeps the first of two equal keys and another
//! the last, a check made on one reading says nothing about the other. A gateway checks an
//! upstream's answer with this before it sends the same bytes to Alexa.

/// Parses `bytes` as one JSON value, refusing any object, at any depth, that repeats a key
/// (the error names the key), and numbers that are not finite.
///
/// ```
/// let value = skillgate_model::json::from_slice_unique_keys(br#"{"a":{"b":1}}"#).unwrap();
/// assert_eq!(value["a"]["b"], 1);
/// let error = skillgate_model::json::from_slice_unique_keys(br#"{"a":{"b":1,"b":2}}"#);
/// assert!(error.unwrap_err().to_string().contains(r#"duplicate key "b""#));
/// ```
pub fn from_slice_unique_keys(bytes: &[u8]) -> serde_json::Result<serde_json::Value> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let crate::macros::StrictValue(value) = serde::Deserialize::deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(value)
}
