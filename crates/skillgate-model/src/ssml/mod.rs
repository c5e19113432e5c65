//! SSML helpers: escaping text, building documents, and checking that a document is
//! well-formed SSML Alexa accepts.
//!
//! Alexa's SSML reference
//! (<https://developer.amazon.com/en-US/docs/alexa/custom-skills/speech-synthesis-markup-language-ssml-reference.html>)
//! requires the document to be wrapped in `<speak>`, to be well-formed XML, and to escape
//! `&`, `<`, `>`, `"` and `'` in text.

mod escape;

pub use escape::{escape, unescape};

/// Wraps an SSML fragment in `<speak>…</speak>`, unless it already is a `<speak>` document.
pub fn wrap(fragment: &str) -> String {
    let trimmed = fragment.trim();
    if trimmed.starts_with("<speak>") || trimmed.starts_with("<speak ") {
        trimmed.to_owned()
    } else {
        format!("<speak>{trimmed}</speak>")
    }
}
