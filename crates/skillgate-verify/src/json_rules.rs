//! The JSON rules every request body must follow before any field is read: one set of rules,
//! so whatever the verifier accepts, the framework's model parse and a gateway's upstream can
//! rely on (issue 15, item 5).
//!
//! serde_json skips the fields a struct does not name without checking them as strictly as
//! the fields it reads: a body could pass the verifier and then fail the skill's full parse,
//! or reach an upstream (gateway mode) that reads it differently. [`check`] scans the whole
//! body once, without recursion and without allocating for ordinary objects, and requires:
//!
//! - UTF-8 (RFC 8259 §8.1) and the JSON grammar, whitespace only around values;
//! - the top-level value is an **object** (an envelope), not an array or a scalar;
//! - nesting of at most [`MAX_DEPTH`] objects and arrays (serde_json's own limit, which the
//!   model parse uses, is 128; Alexa's envelopes nest about 10 deep);
//! - every **number** is finite as an `f64` (`1e999999` is refused: serde_json's `Value`, and
//!   so the model, refuses it as "number out of range");
//! - every **string** escape is valid and every `\uD800`–`\uDFFF` escape is part of a
//!   surrogate pair (a lone surrogate is not a Unicode scalar value; serde_json refuses it
//!   when it decodes a string);
//! - no object holds the same key twice (after unescaping): two parsers that keep the first
//!   and the last value respectively can then never read different requests.
//!
//! The scan is linear in the body (keys of objects with more than [`SMALL_OBJECT_KEYS`] keys
//! are checked for duplicates through a hash set).

use std::borrow::Cow;
use std::collections::HashSet;

/// Deepest accepted nesting of objects and arrays (the top-level object is depth 1).
pub const MAX_DEPTH: usize = 64;

/// Objects with up to this many keys are checked for duplicate keys by a linear search;
/// larger ones through a hash set, so a hostile object with thousands of keys stays linear.
pub const SMALL_OBJECT_KEYS: usize = 16;

/// Room made up front for open containers (Alexa's envelopes nest about 10 deep).
const STACK_CAPACITY: usize = 16;

/// Room made up front for the keys of the open objects.
const KEYS_CAPACITY: usize = 48;

/// Which JSON rule a body broke, and where (byte offset into the body).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JsonRuleError {
    /// The body is not UTF-8.
    #[error("body is not UTF-8 (at byte {offset})")]
    NotUtf8 {
        /// Offset of the first invalid byte.
        offset: usize,
    },
    /// The body is not JSON (a grammar error, or something after the value).
    #[error("body is not JSON (at byte {offset})")]
    Syntax {
        /// Offset of the offending byte (the body length for an early end).
        offset: usize,
    },
    /// The top-level value is not an object.
    #[error("body is not a JSON object")]
    NotAnObject,
    /// Objects and arrays nest deeper than [`MAX_DEPTH`].
    #[error("JSON nests deeper than {MAX_DEPTH} levels (at byte {offset})")]
    TooDeep {
        /// Offset of the first `{` or `[` too deep.
        offset: usize,
    },
    /// A number is not finite as an `f64` (e.g. `1e999999`).
    #[error("JSON number out of range (at byte {offset})")]
    NumberOutOfRange {
        /// Offset of the number.
        offset: usize,
    },
    /// A `\u` escape is a surrogate that is not part of a valid pair.
    #[error("JSON string holds a lone surrogate escape (at byte {offset})")]
    LoneSurrogate {
        /// Offset of the escape.
        offset: usize,
    },
    /// An object holds the same key twice.
    #[error("JSON object holds a duplicate key (at byte {offset})")]
    DuplicateKey {
        /// Offset of the second occurrence.
        offset: usize,
    },
}

impl JsonRuleError {
    /// A stable snake_case label for logs and metrics.
    pub fn reason(&self) -> &'static str {
        match self {
            JsonRuleError::NotUtf8 { .. } => "json_not_utf8",
            JsonRuleError::Syntax { .. } => "json_syntax",
            JsonRuleError::NotAnObject => "json_not_object",
            JsonRuleError::TooDeep { .. } => "json_too_deep",
            JsonRuleError::NumberOutOfRange { .. } => "json_number_out_of_range",
            JsonRuleError::LoneSurrogate { .. } => "json_lone_surrogate",
            JsonRuleError::DuplicateKey { .. } => "json_duplicate_key",
        }
    }
}

/// Checks `body` against every rule of this module (see the module docs).
pub fn check(body: &[u8]) -> Result<(), JsonRuleError> {
    let text = std::str::from_utf8(body).map_err(|e| JsonRuleError::NotUtf8 {
        offset: e.valid_up_to(),
    })?;
    Scanner {
        text,
        bytes: body,
        pos: 0,
        keys: Vec::with_capacity(KEYS_CAPACITY),
    }
    .run()
}

/// One open container. An object's keys are the scanner's `keys[keys_from..]` while it has
/// at most [`SMALL_OBJECT_KEYS`] of them, then a set of their own.
enum Frame<'a> {
    Object {
        keys_from: usize,
        large: Option<HashSet<Cow<'a, str>>>,
    },
    Array,
}

struct Scanner<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    /// The keys of the open objects, innermost last: one buffer for the whole scan, so an
    /// ordinary object allocates nothing of its own.
    keys: Vec<Cow<'a, str>>,
}

impl<'a> Scanner<'a> {
    fn syntax(&self) -> JsonRuleError {
        JsonRuleError::Syntax { offset: self.pos }
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn expect(&mut self, byte: u8) -> Result<(), JsonRuleError> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.syntax())
        }
    }

    fn run(mut self) -> Result<(), JsonRuleError> {
        self.skip_ws();
        match self.peek() {
            Some(b'{') => {}
            Some(b'[' | b'"' | b't' | b'f' | b'n' | b'-' | b'0'..=b'9') => {
                return Err(JsonRuleError::NotAnObject);
            }
            _ => return Err(self.syntax()),
        }
        let mut stack: Vec<Frame<'a>> = Vec::with_capacity(STACK_CAPACITY);
        // Parse one value; containers push a frame and continue in the loop below.
        let mut want_value = true;
        loop {
            if want_value {
                self.skip_ws();
                match self.peek() {
                    Some(b'{') => {
                        if stack.len() == MAX_DEPTH {
                            return Err(JsonRuleError::TooDeep { offset: self.pos });
                        }
                        self.pos += 1;
                        self.skip_ws();
                        if self.peek() == Some(b'}') {
                            self.pos += 1;
                        } else {
                            stack.push(Frame::Object {
                                keys_from: self.keys.len(),
                                large: None,
                            });
                            self.key(&mut stack)?;
                            continue;
                        }
                    }
                    Some(b'[') => {
                        if stack.len() == MAX_DEPTH {
                            return Err(JsonRuleError::TooDeep { offset: self.pos });
                        }
                        self.pos += 1;
                        self.skip_ws();
                        if self.peek() == Some(b']') {
                            self.pos += 1;
                        } else {
                            stack.push(Frame::Array);
                            continue;
                        }
                    }
                    Some(b'"') => {
                        self.string()?;
                    }
                    Some(b'-' | b'0'..=b'9') => self.number()?,
                    Some(b't') => self.literal("true")?,
                    Some(b'f') => self.literal("false")?,
                    Some(b'n') => self.literal("null")?,
                    _ => return Err(self.syntax()),
                }
            }
            // After a value: a comma, or the end of the enclosing container.
            self.skip_ws();
            let Some(frame) = stack.last() else {
                return if self.pos == self.bytes.len() {
                    Ok(())
                } else {
                    Err(self.syntax())
                };
            };
            let close = match frame {
                Frame::Object { .. } => b'}',
                Frame::Array => b']',
            };
            match self.peek() {
                Some(b',') => {
                    self.pos += 1;
                    if matches!(frame, Frame::Object { .. }) {
                        self.key(&mut stack)?;
                    }
                    want_value = true;
                }
                Some(b) if b == close => {
                    self.pos += 1;
                    if let Some(Frame::Object { keys_from, .. }) = stack.pop() {
                        self.keys.truncate(keys_from);
                    }
                    want_value = false;
                }
                _ => return Err(self.syntax()),
            }
        }
    }

    /// Reads `"key" :` inside the innermost (object) frame and records the key.
    fn key(&mut self, stack: &mut [Frame<'a>]) -> Result<(), JsonRuleError> {
        self.skip_ws();
        if self.peek() != Some(b'"') {
            return Err(self.syntax());
        }
        let at = self.pos;
        let key = self.string()?;
        if let Some(Frame::Object { keys_from, large }) = stack.last_mut() {
            let fresh = match large {
                Some(set) => set.insert(key),
                None if self.keys[*keys_from..].contains(&key) => false,
                None => {
                    self.keys.push(key);
                    if self.keys.len() - *keys_from > SMALL_OBJECT_KEYS {
                        *large = Some(self.keys.drain(*keys_from..).collect());
                    }
                    true
                }
            };
            if !fresh {
                return Err(JsonRuleError::DuplicateKey { offset: at });
            }
        }
        self.skip_ws();
        self.expect(b':')
    }

    fn literal(&mut self, word: &str) -> Result<(), JsonRuleError> {
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(self.syntax())
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        self.pos - start
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, finite as an f64.
    fn number(&mut self) -> Result<(), JsonRuleError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.syntax()),
        }
        let mut integer = true;
        if self.peek() == Some(b'.') {
            integer = false;
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.syntax());
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            integer = false;
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.syntax());
            }
        }
        // Integers up to 20 digits fit i64/u64 or a finite f64; only long ones and those
        // with an exponent can overflow.
        if !integer || self.pos - start > 20 {
            let finite = self.text[start..self.pos]
                .parse::<f64>()
                .is_ok_and(f64::is_finite);
            if !finite {
                return Err(JsonRuleError::NumberOutOfRange { offset: start });
            }
        }
        Ok(())
    }

    fn hex4(&mut self) -> Result<u16, JsonRuleError> {
        let digits = self
            .bytes
            .get(self.pos..self.pos + 4)
            .ok_or_else(|| self.syntax())?;
        let mut value = 0u16;
        for &d in digits {
            let nibble = match d {
                b'0'..=b'9' => d - b'0',
                b'a'..=b'f' => d - b'a' + 10,
                b'A'..=b'F' => d - b'A' + 10,
                _ => return Err(self.syntax()),
            };
            value = value << 4 | u16::from(nibble);
        }
        self.pos += 4;
        Ok(value)
    }

    /// Reads a string (the opening quote at `pos`) and returns its decoded value (borrowed
    /// when it holds no escape).
    fn string(&mut self) -> Result<Cow<'a, str>, JsonRuleError> {
        self.pos += 1;
        let start = self.pos;
        let mut decoded: Option<String> = None;
        let mut run = start;
        loop {
            // Skip the plain run up to the next quote or backslash in one search, then
            // refuse a raw control character inside it (JSON requires them escaped).
            let rest = &self.bytes[self.pos..];
            let plain = memchr::memchr2(b'"', b'\\', rest).unwrap_or(rest.len());
            let run_bytes = &rest[..plain];
            // A branch-free fold the compiler vectorizes; the position only on failure.
            if run_bytes.iter().fold(false, |seen, &b| seen | (b < 0x20))
                && let Some(control) = run_bytes.iter().position(|&b| b < 0x20)
            {
                self.pos += control;
                return Err(self.syntax());
            }
            self.pos += plain;
            let Some(b) = self.peek() else {
                return Err(self.syntax());
            };
            match b {
                b'"' => {
                    let tail = &self.text[run..self.pos];
                    self.pos += 1;
                    return Ok(match decoded {
                        None => Cow::Borrowed(tail),
                        Some(mut s) => {
                            s.push_str(tail);
                            Cow::Owned(s)
                        }
                    });
                }
                0x00..=0x1f => return Err(self.syntax()),
                b'\\' => {
                    let out = decoded.get_or_insert_with(String::new);
                    out.push_str(&self.text[run..self.pos]);
                    let escape_at = self.pos;
                    self.pos += 1;
                    let Some(e) = self.peek() else {
                        return Err(self.syntax());
                    };
                    self.pos += 1;
                    let c = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let lone = JsonRuleError::LoneSurrogate { offset: escape_at };
                            let first = self.hex4()?;
                            match first {
                                0xD800..=0xDBFF => {
                                    if !self.bytes[self.pos..].starts_with(b"\\u") {
                                        return Err(lone);
                                    }
                                    self.pos += 2;
                                    let second = self.hex4()?;
                                    if !(0xDC00..=0xDFFF).contains(&second) {
                                        return Err(lone);
                                    }
                                    let code = 0x10000
                                        + ((u32::from(first) - 0xD800) << 10)
                                        + (u32::from(second) - 0xDC00);
                                    char::from_u32(code).ok_or(lone)?
                                }
                                0xDC00..=0xDFFF => return Err(lone),
                                other => char::from_u32(u32::from(other)).ok_or(lone)?,
                            }
                        }
                        _ => {
                            self.pos -= 1;
                            return Err(self.syntax());
                        }
                    };
                    out.push(c);
                    run = self.pos;
                }
                _ => self.pos += 1,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) {
        assert_eq!(check(s.as_bytes()), Ok(()), "{s}");
        // Everything accepted here, serde_json (and so the model) reads too.
        assert!(serde_json::from_str::<serde_json::Value>(s).is_ok(), "{s}");
    }

    #[test]
    fn accepts_envelopes_serde_json_reads() {
        ok(r#"{}"#);
        ok(r#" {"a":1,"b":[1,2.5,-0,1e10,{"c":null}],"d":"x\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"} "#);
        ok(r#"{"big":123456789012345678901234567890,"small":1e-999999,"neg":-1.5E+300}"#);
        ok(&format!(
            "{}{}",
            "{\"a\":".repeat(MAX_DEPTH - 1) + "{",
            "}".repeat(MAX_DEPTH)
        ));
        ok(r#"{"é":"ü","e\u0301":1}"#);
    }

    #[test]
    fn each_object_has_its_own_keys() {
        // The same key in a parent and a child, in siblings, and after a child closed.
        ok(r#"{"a":{"a":1},"b":{"a":2,"b":[{"a":3},{"a":4}]},"c":{"b":1}}"#);
        let dup = |body: &str, offset: usize| {
            assert_eq!(
                check(body.as_bytes()),
                Err(JsonRuleError::DuplicateKey { offset }),
                "{body}"
            );
        };
        // A parent's duplicate after a child (small, then past SMALL_OBJECT_KEYS) closed.
        dup(r#"{"a":{"x":1,"y":2},"a":2}"#, 19);
        let large: String = (0..=SMALL_OBJECT_KEYS)
            .map(|i| format!("\"k{i}\":{i}"))
            .collect::<Vec<_>>()
            .join(",");
        let body = format!(r#"{{"a":{{{large}}},"b":1,"a":2}}"#);
        let at = body.rfind(r#""a""#).unwrap_or_default();
        dup(&body, at);
        // A duplicate inside a large child, and inside a child of a large object.
        let body = format!(r#"{{"o":{{{large},"k3":0}}}}"#);
        dup(&body, body.rfind(r#""k3""#).unwrap_or_default());
        let body = format!(r#"{{{large},"c":{{"k1":1,"k1":2}}}}"#);
        dup(&body, body.rfind(r#""k1""#).unwrap_or_default());
    }

    #[test]
    fn refuses_what_the_model_or_an_upstream_could_read_differently() {
        type Expect = fn(&JsonRuleError) -> bool;
        let cases: &[(&[u8], Expect)] = &[
            (b"[]", |e| *e == JsonRuleError::NotAnObject),
            (b"[{\"request\":{}}]", |e| *e == JsonRuleError::NotAnObject),
            (b"\"x\"", |e| *e == JsonRuleError::NotAnObject),
            (b"", |e| matches!(e, JsonRuleError::Syntax { .. })),
            (b"{\"a\":1e999999}", |e| {
                matches!(e, JsonRuleError::NumberOutOfRange { .. })
            }),
            (b"{\"a\":-1e309}", |e| {
                matches!(e, JsonRuleError::NumberOutOfRange { .. })
            }),
            (b"{\"a\":\"\\ud800\"}", |e| {
                matches!(e, JsonRuleError::LoneSurrogate { offset: 6 })
            }),
            (b"{\"a\":\"\\udc00\\ud800\"}", |e| {
                matches!(e, JsonRuleError::LoneSurrogate { .. })
            }),
            (b"{\"\\ud800x\":1}", |e| {
                matches!(e, JsonRuleError::LoneSurrogate { .. })
            }),
            (b"{\"a\":1,\"a\":2}", |e| {
                matches!(e, JsonRuleError::DuplicateKey { offset: 7 })
            }),
            (b"{\"a\":1,\"\\u0061\":2}", |e| {
                matches!(e, JsonRuleError::DuplicateKey { .. })
            }),
            (b"{\"a\":1} x", |e| {
                matches!(e, JsonRuleError::Syntax { .. })
            }),
            (b"{\"a\":01}", |e| matches!(e, JsonRuleError::Syntax { .. })),
            (b"{\"a\":1.}", |e| matches!(e, JsonRuleError::Syntax { .. })),
            (b"{\"a\":\"\x01\"}", |e| {
                matches!(e, JsonRuleError::Syntax { .. })
            }),
            (b"{\"a\":\"\\x\"}", |e| {
                matches!(e, JsonRuleError::Syntax { .. })
            }),
            (b"{\"a\":tru}", |e| {
                matches!(e, JsonRuleError::Syntax { .. })
            }),
            (b"{\"a\":1,}", |e| matches!(e, JsonRuleError::Syntax { .. })),
            (b"\xef\xbb\xbf{}", |e| {
                matches!(e, JsonRuleError::Syntax { .. })
            }),
            (b"{\"a\":\"\xff\"}", |e| {
                matches!(e, JsonRuleError::NotUtf8 { offset: 6 })
            }),
        ];
        for (body, expected) in cases {
            let got = check(body);
            assert!(
                got.as_ref().is_err_and(expected),
                "{:?}: {got:?}",
                String::from_utf8_lossy(body)
            );
        }
    }

    #[test]
    fn depth_is_bounded_without_recursion() {
        let deep = format!(
            "{{\"a\":{}{}}}",
            "[".repeat(MAX_DEPTH),
            "]".repeat(MAX_DEPTH)
        );
        assert!(matches!(
            check(deep.as_bytes()),
            Err(JsonRuleError::TooDeep { .. })
        ));
        // A million open brackets: refused at the limit, no stack overflow.
        let hostile = format!("{{\"a\":{}", "[".repeat(1_000_000));
        assert!(matches!(
            check(hostile.as_bytes()),
            Err(JsonRuleError::TooDeep { .. })
        ));
    }

    #[test]
    fn many_keys_stay_linear_and_duplicates_are_found_late() {
        let mut body = String::from("{");
        for i in 0..50_000 {
            body.push_str(&format!("\"k{i}\":{i},"));
        }
        body.push_str("\"k17\":0}");
        let started = std::time::Instant::now();
        assert!(matches!(
            check(body.as_bytes()),
            Err(JsonRuleError::DuplicateKey { .. })
        ));
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }
}
