//! Escaping and unescaping text inside SSML.

/// Whether XML 1.0 allows this character in a document at all (even escaped): not the C0
/// controls other than tab, newline and carriage return, and not U+FFFE or U+FFFF.
pub fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
}

/// Escapes text for use inside SSML: `&`, `<`, `>`, `"` and `'` become the predefined XML
/// entities, as Alexa's SSML reference requires. Characters XML forbids outright (control
/// characters other than tab and line breaks) cannot be escaped and are dropped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    escape_into(&mut out, text);
    out
}

/// [`escape`], appending to `out`. Runs of characters that stay as they are are copied
/// whole.
pub(crate) fn escape_into(out: &mut String, text: &str) {
    let mut kept_from = 0;
    for (at, c) in text.char_indices() {
        let replacement = match c {
            '&' => "&amp;",
            '<' => "&lt;",
            '>' => "&gt;",
            '"' => "&quot;",
            '\'' => "&apos;",
            c if is_xml_char(c) => continue,
            // Forbidden outright: dropped.
            _ => "",
        };
        out.push_str(&text[kept_from..at]);
        out.push_str(replacement);
        kept_from = at + c.len_utf8();
    }
    out.push_str(&text[kept_from..]);
}

/// Reverses [`escape`]: replaces the five predefined XML entities and numeric character
/// references (`&#233;`, `&#xE9;`). An `&` that starts no entity is kept as is.
pub fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        match entity(after) {
            Some((c, len)) => {
                out.push(c);
                rest = &after[len..];
            }
            None => {
                out.push('&');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Longest entity considered, in bytes, including `&` and `;` (`&#x0010FFFF;` fits).
const MAX_ENTITY_LEN: usize = 16;

/// Decodes the entity at the start of `text` (which starts with `&`): the character and the
/// entity's length in bytes.
pub(crate) fn entity(text: &str) -> Option<(char, usize)> {
    // The longest entity is a numeric reference such as `&#x10FFFF;`: look no further, so
    // text with many bare `&` stays linear.
    let end = text.bytes().take(MAX_ENTITY_LEN).position(|b| b == b';')?;
    let name = &text[1..end];
    let c = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        _ => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            char::from_u32(code).filter(|c| is_xml_char(*c))?
        }
    };
    Some((c, end + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_the_five_characters() {
        assert_eq!(
            escape(r#"Tom & Jerry's <"show">"#),
            "Tom &amp; Jerry&apos;s &lt;&quot;show&quot;&gt;"
        );
    }

    #[test]
    fn unescape_reverses_escape_and_reads_numeric_references() {
        assert_eq!(
            unescape("a &amp; b &lt;&gt; &#233; &#xE9; &bogus; &"),
            "a & b <> é é &bogus; &"
        );
    }

    #[test]
    fn drops_characters_xml_forbids() {
        assert_eq!(escape("a\u{0}b\u{1b}c\td\ne\u{FFFF}"), "abc\td\ne");
        assert_eq!(entity("&#0;"), None);
        assert_eq!(entity("&#9;"), Some(('\t', 4)));
    }
}
