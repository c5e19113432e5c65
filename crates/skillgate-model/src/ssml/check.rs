//! A well-formedness check for SSML documents, with the facts the response limits need.

use thiserror::Error;

use super::escape::{entity, is_xml_char};

/// The tags Alexa's SSML reference documents. Any other tag is rejected.
pub const KNOWN_TAGS: &[&str] = &[
    "speak",
    "amazon:auto-breaths",
    "amazon:breath",
    "amazon:domain",
    "amazon:effect",
    "amazon:emotion",
    "audio",
    "break",
    "emphasis",
    "lang",
    "p",
    "phoneme",
    "prosody",
    "s",
    "say-as",
    "sub",
    "voice",
    "w",
];

/// What is wrong with an SSML document. Offsets are byte offsets into the trimmed document.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SsmlError {
    /// The document is not wrapped in `<speak>…</speak>`.
    #[error("SSML must be wrapped in <speak>…</speak>")]
    NotWrapped,
    /// Text or a tag outside the `<speak>` root.
    #[error("content outside <speak> at byte {at}")]
    OutsideSpeak {
        /// Byte offset.
        at: usize,
    },
    /// A tag Alexa does not know.
    #[error("unknown SSML tag <{name}> at byte {at}")]
    UnknownTag {
        /// The tag name.
        name: String,
        /// Byte offset.
        at: usize,
    },
    /// A closing tag that does not match the open element.
    #[error("</{found}> at byte {at} does not close <{expected}>")]
    MismatchedClose {
        /// The element that is open.
        expected: String,
        /// The closing tag found.
        found: String,
        /// Byte offset.
        at: usize,
    },
    /// An element still open at the end.
    #[error("<{name}> is never closed")]
    Unclosed {
        /// The tag name.
        name: String,
    },
    /// A `<` without a matching `>`, or a malformed tag.
    #[error("malformed tag at byte {at}")]
    MalformedTag {
        /// Byte offset.
        at: usize,
    },
    /// A character XML forbids (a control character other than tab or a line break).
    #[error("forbidden control character U+{code:04X} at byte {at}")]
    ForbiddenCharacter {
        /// The character's code point.
        code: u32,
        /// Byte offset.
        at: usize,
    },
    /// An `&` that starts no valid entity (escape it as `&amp;`).
    #[error("invalid entity at byte {at} (escape & as &amp;)")]
    InvalidEntity {
        /// Byte offset.
        at: usize,
    },
    /// An `<audio>` whose `src` is missing or not an `https://` URL (Alexa plays audio only
    /// over HTTPS).
    #[error("<audio> at byte {at} needs an https:// src")]
    InsecureAudio {
        /// Byte offset.
        at: usize,
    },
    /// A `<break time>` that is not `Ns` or `Nms`, or is longer than Alexa's 10 seconds.
    #[error("<break time=\"{time}\"> at byte {at}: a pause is at most 10s (10000ms)")]
    InvalidBreak {
        /// The `time` value.
        time: String,
        /// Byte offset.
        at: usize,
    },
}

/// The longest pause a `<break>` may ask for, in milliseconds (Alexa's documented limit).
pub const MAX_BREAK_MS: u64 = 10_000;

/// Facts about a well-formed SSML document.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SsmlSummary {
    /// The number of `<audio>` elements.
    pub audio_clips: usize,
}

/// Checks that `ssml` is a well-formed SSML document Alexa accepts: one `<speak>` root, only
/// documented tags, balanced, quoted attributes, valid entities. Returns the number of audio
/// clips it contains.
pub fn check(ssml: &str) -> Result<SsmlSummary, SsmlError> {
    let doc = ssml.trim();
    let mut stack: Vec<&str> = Vec::new();
    let mut root_done = false;
    let mut root_seen = false;
    let mut summary = SsmlSummary::default();
    // A forbidden character is a C0 control (one byte below 0x20) or U+FFFE/U+FFFF (lead
    // byte 0xEF): a document with neither byte needs no walk through its characters.
    let may_hold_forbidden = doc
        .bytes()
        .any(|b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0xEF);
    if let Some((at, c)) = may_hold_forbidden
        .then(|| doc.char_indices().find(|(_, c)| !is_xml_char(*c)))
        .flatten()
    {
        return Err(SsmlError::ForbiddenCharacter {
            code: u32::from(c),
            at,
        });
    }
    let mut pos = 0;
    while pos < doc.len() {
        let rest = &doc[pos..];
        let Some(c) = rest.chars().next() else { break };
        match c {
            '<' => {
                if let Some(after) = rest.strip_prefix("<!--") {
                    let end = after
                        .find("-->")
                        .ok_or(SsmlError::MalformedTag { at: pos })?;
                    pos += 4 + end + 3;
                    continue;
                }
                let len = tag_len(rest).ok_or(SsmlError::MalformedTag { at: pos })?;
                let inner = &rest[1..len - 1];
                if let Some(name) = inner.strip_prefix('/') {
                    let name = name.trim_end();
                    let open = stack.pop().ok_or(SsmlError::OutsideSpeak { at: pos })?;
                    if open != name {
                        return Err(SsmlError::MismatchedClose {
                            expected: open.to_owned(),
                            found: name.to_owned(),
                            at: pos,
                        });
                    }
                    if stack.is_empty() {
                        root_done = true;
                    }
                } else {
                    let (body, self_closing) = match inner.strip_suffix('/') {
                        Some(body) => (body, true),
                        None => (inner, false),
                    };
                    let name_end = body.find(|c: char| c.is_whitespace()).unwrap_or(body.len());
                    let name = &body[..name_end];
                    let attributes = check_attributes(&body[name_end..], pos)?;
                    check_element(name, &attributes, pos)?;
                    if !KNOWN_TAGS.contains(&name) {
                        return Err(SsmlError::UnknownTag {
                            name: name.to_owned(),
                            at: pos,
                        });
                    }
                    let is_root = name == "speak";
                    if stack.is_empty() != is_root || root_done {
                        return Err(if root_seen || !is_root {
                            SsmlError::OutsideSpeak { at: pos }
                        } else {
                            SsmlError::NotWrapped
                        });
                    }
                    root_seen = true;
                    if name == "audio" {
                        summary.audio_clips += 1;
                    }
                    if self_closing {
                        if is_root {
                            root_done = true;
                        }
                    } else {
                        stack.push(name);
                    }
                }
                pos += len;
            }
            '&' => {
                let (_, len) = entity(rest).ok_or(SsmlError::InvalidEntity { at: pos })?;
                if stack.is_empty() {
                    return Err(SsmlError::OutsideSpeak { at: pos });
                }
                pos += len;
            }
            c if stack.is_empty() => {
                if !c.is_whitespace() {
                    return Err(if root_seen {
                        SsmlError::OutsideSpeak { at: pos }
                    } else {
                        SsmlError::NotWrapped
                    });
                }
                pos += c.len_utf8();
            }
            _ => {
                // Text inside an element runs to the next tag or entity; both start with an
                // ASCII byte, so the byte found is a character boundary.
                pos += rest
                    .bytes()
                    .position(|b| b == b'<' || b == b'&')
                    .unwrap_or(rest.len());
            }
        }
    }
    if let Some(open) = stack.pop() {
        return Err(SsmlError::Unclosed {
            name: open.to_owned(),
        });
    }
    if !root_seen {
        return Err(SsmlError::NotWrapped);
    }
    Ok(summary)
}

/// The length in bytes of the tag starting at `text[0] == '<'`, honouring quoted attribute
/// values (which may contain `>`). `None` if the tag never ends or contains a raw `<`.
fn tag_len(text: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    for (i, c) in text.char_indices().skip(1) {
        match (quote, c) {
            (None, '>') => return Some(i + 1),
            (None, '<') => return None,
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (Some(_), '<') => return None,
            _ => {}
        }
    }
    None
}

/// The rules on attribute values Alexa enforces: audio only over HTTPS, pauses of at most
/// [`MAX_BREAK_MS`].
fn check_element(name: &str, attributes: &[(&str, &str)], at: usize) -> Result<(), SsmlError> {
    let value = |key: &str| attributes.iter().find(|(k, _)| *k == key).map(|(_, v)| *v);
    match name {
        "audio" => match value("src") {
            Some(src) if src.trim().starts_with("https://") => Ok(()),
            _ => Err(SsmlError::InsecureAudio { at }),
        },
        "break" => match value("time") {
            None => Ok(()),
            Some(time) if break_ms(time).is_some_and(|ms| ms <= MAX_BREAK_MS) => Ok(()),
            Some(time) => Err(SsmlError::InvalidBreak {
                time: time.to_owned(),
                at,
            }),
        },
        _ => Ok(()),
    }
}

/// `"3s"`, `"250ms"`, `"1.5s"` in milliseconds; `None` for anything else.
fn break_ms(time: &str) -> Option<u64> {
    let time = time.trim();
    let (number, scale) = if let Some(ms) = time.strip_suffix("ms") {
        (ms, 1.0)
    } else {
        (time.strip_suffix('s')?, 1000.0)
    };
    if number.is_empty() || !number.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    let value: f64 = number.parse().ok()?;
    let ms = value * scale;
    (ms.is_finite() && ms >= 0.0).then_some(ms.ceil() as u64)
}

/// Checks `name="value"` pairs: names without quotes, values quoted, entities valid. Returns
/// the pairs (values as written, entities not decoded).
fn check_attributes(mut text: &str, at: usize) -> Result<Vec<(&str, &str)>, SsmlError> {
    let malformed = SsmlError::MalformedTag { at };
    let mut pairs = Vec::new();
    loop {
        text = text.trim_start();
        if text.is_empty() {
            return Ok(pairs);
        }
        let eq = text.find('=').ok_or(malformed.clone())?;
        let name = text[..eq].trim_end();
        if name.is_empty() || name.contains(|c: char| c.is_whitespace() || c == '"' || c == '\'') {
            return Err(malformed);
        }
        let value_part = text[eq + 1..].trim_start();
        let quote = value_part.chars().next().ok_or(malformed.clone())?;
        if quote != '"' && quote != '\'' {
            return Err(malformed);
        }
        let end = value_part[1..].find(quote).ok_or(malformed.clone())?;
        let value = &value_part[1..1 + end];
        let mut rest = value;
        while let Some(amp) = rest.find('&') {
            let (_, len) = entity(&rest[amp..]).ok_or(SsmlError::InvalidEntity { at })?;
            rest = &rest[amp + len..];
        }
        pairs.push((name, value));
        text = &value_part[end + 2..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_documented_tags_and_counts_audio() {
        let doc = r#"<speak>Hi <audio src="https://a.example/x.mp3"/><break time="1s"/>
            <say-as interpret-as="digits">12</say-as> <amazon:effect name="whispered">psst</amazon:effect>
            <prosody rate='slow' pitch="x-low">a &amp; b &#233;</prosody><!-- note --></speak>"#;
        assert_eq!(check(doc), Ok(SsmlSummary { audio_clips: 1 }));
    }

    type Expectation = fn(&SsmlError) -> bool;

    #[test]
    fn rejects_each_kind_of_mistake() {
        let cases: &[(&str, Expectation)] = &[
            ("hello", |e| *e == SsmlError::NotWrapped),
            ("<p>hi</p>", |e| matches!(e, SsmlError::OutsideSpeak { .. })),
            ("<speak>a</speak>b", |e| {
                matches!(e, SsmlError::OutsideSpeak { .. })
            }),
            ("<speak>a</speak><speak>b</speak>", |e| {
                matches!(e, SsmlError::OutsideSpeak { .. })
            }),
            ("<speak><blink>x</blink></speak>", |e| {
                matches!(e, SsmlError::UnknownTag { .. })
            }),
            ("<speak><p>x</s></speak>", |e| {
                matches!(e, SsmlError::MismatchedClose { .. })
            }),
            ("<speak><p>x</speak>", |e| {
                matches!(e, SsmlError::MismatchedClose { .. })
            }),
            ("<speak><p>x", |e| matches!(e, SsmlError::Unclosed { .. })),
            ("<speak>a < b</speak>", |e| {
                matches!(e, SsmlError::MalformedTag { .. })
            }),
            ("<speak>Tom & Jerry</speak>", |e| {
                matches!(e, SsmlError::InvalidEntity { .. })
            }),
            ("<speak><break time=1s/></speak>", |e| {
                matches!(e, SsmlError::MalformedTag { .. })
            }),
            ("<speak><audio src=\"a&b\"/></speak>", |e| {
                matches!(e, SsmlError::InvalidEntity { .. })
            }),
            ("<speak><speak>x</speak></speak>", |e| {
                matches!(e, SsmlError::OutsideSpeak { .. })
            }),
            ("<speak>a\u{7}b</speak>", |e| {
                *e == SsmlError::ForbiddenCharacter { code: 7, at: 8 }
            }),
            ("<speak>&#1;</speak>", |e| {
                matches!(e, SsmlError::InvalidEntity { .. })
            }),
            // The two non-characters share their lead byte with allowed ones (U+FFFD).
            ("<speak>\u{FFFD}é\u{FFFE}</speak>", |e| {
                *e == SsmlError::ForbiddenCharacter {
                    code: 0xFFFE,
                    at: 12,
                }
            }),
            ("<speak>\u{FFFF}</speak>", |e| {
                *e == SsmlError::ForbiddenCharacter {
                    code: 0xFFFF,
                    at: 7,
                }
            }),
            // Text inside an element runs to the next tag: a stray close is still found.
            ("<speak>long text, ünïcödé and all</speak> x", |e| {
                matches!(e, SsmlError::OutsideSpeak { at: 46 })
            }),
            ("<speak>a < b</speak>", |e| {
                matches!(e, SsmlError::MalformedTag { at: 9 })
            }),
        ];
        for (doc, expected) in cases {
            let result = check(doc);
            assert!(
                result.as_ref().is_err_and(expected),
                "{doc}: unexpected {result:?}"
            );
        }
    }

    #[test]
    fn audio_must_be_https_and_pauses_at_most_ten_seconds() {
        let ok = r#"<speak><audio src="https://a.example/x.mp3"/><break time="10s"/><break time="10000ms"/><break time="1.5s"/><break strength="strong"/></speak>"#;
        assert_eq!(check(ok), Ok(SsmlSummary { audio_clips: 1 }));
        for bad in [
            r#"<speak><audio src="http://a.example/x.mp3"/></speak>"#,
            r#"<speak><audio src="ftp://a.example/x.mp3"/></speak>"#,
            r#"<speak><audio/></speak>"#,
        ] {
            assert!(
                matches!(check(bad), Err(SsmlError::InsecureAudio { .. })),
                "{bad}"
            );
        }
        for bad in ["10.5s", "10001ms", "11s", "1m", "s", "-1s", "1e9s", "fast"] {
            let doc = format!(r#"<speak><break time="{bad}"/></speak>"#);
            assert!(
                matches!(check(&doc), Err(SsmlError::InvalidBreak { .. })),
                "{doc}"
            );
        }
    }

    #[test]
    fn quoted_greater_than_inside_an_attribute_is_fine() {
        assert!(check(r#"<speak><sub alias="a > b">x</sub></speak>"#).is_ok());
    }
}
