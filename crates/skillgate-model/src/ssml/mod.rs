//! SSML helpers: escaping text, building documents, and checking that a document is
//! well-formed SSML Alexa accepts.
//!
//! Alexa's SSML reference
//! (<https://developer.amazon.com/en-US/docs/alexa/custom-skills/speech-synthesis-markup-language-ssml-reference.html>)
//! requires the document to be wrapped in `<speak>`, to be well-formed XML using the tags it
//! lists, and `&`, `<`, `>`, `"` and `'` in text to be escaped.
//!
//! The checker is a small hand-written scanner rather than an XML crate: SSML documents are a
//! few kilobytes with no DTDs, namespaces declarations or CDATA, and the checks Alexa needs
//! (balanced known tags inside one `<speak>` root, valid entities, quoted attributes, and the
//! number of `<audio>` clips) are simpler than a general XML parser's surface.

mod builder;
mod check;
mod escape;

pub use builder::Ssml;
pub use check::{KNOWN_TAGS, SsmlError, SsmlSummary, check};
pub(crate) use escape::escape_into;
pub use escape::{escape, is_xml_char, unescape};

/// Wraps an SSML fragment in `<speak>…</speak>`, unless it already is a `<speak>` document.
pub fn wrap(fragment: &str) -> String {
    let trimmed = fragment.trim();
    if trimmed.starts_with("<speak>") || trimmed.starts_with("<speak ") {
        trimmed.to_owned()
    } else {
        format!("<speak>{trimmed}</speak>")
    }
}
