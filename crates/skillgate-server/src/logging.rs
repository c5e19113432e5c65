//! Log output set-up: tracing-subscriber, text or JSON.
//!
//! Field values come from requests (request ids, intent names, user ids, error details),
//! so the text format escapes every control character in them: a signed request whose
//! `requestId` holds CR/LF cannot forge a log line. (The JSON format escapes them as JSON.)

use std::fmt::{self, Write as _};

use tracing::field::Field;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::field::MakeExt;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::format::{Writer, debug_fn};

use crate::config::{LogConfig, LogFormat};

/// Installs the global tracing subscriber (stderr). `RUST_LOG`, when set, wins over
/// `log.level`. Returns an error if a subscriber is already installed or the filter is bad.
pub fn init(config: &LogConfig) -> Result<(), String> {
    use std::io::IsTerminal;
    init_with_writer(config, std::io::stderr, std::io::stderr().is_terminal())
}

/// Like [`init`], writing to `writer`, with ANSI colours when `ansi`.
pub fn init_with_writer<W>(config: &LogConfig, writer: W, ansi: bool) -> Result<(), String>
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let filter = match std::env::var("RUST_LOG") {
        Ok(v) if !v.trim().is_empty() => EnvFilter::try_new(v),
        _ => EnvFilter::try_new(&config.level),
    }
    .map_err(|e| format!("bad log level {:?}: {e}", config.level))?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .with_writer(writer);
    match config.format {
        LogFormat::Text => builder
            .with_target(false)
            .fmt_fields(
                debug_fn(
                    |writer: &mut Writer<'_>, field: &Field, value: &dyn fmt::Debug| {
                        write_field(writer, field.name(), value)
                    },
                )
                .delimited(" "),
            )
            .try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    }
    .map_err(|e| e.to_string())
}

/// Writes `name=value` (the message without its name), control characters escaped.
fn write_field(writer: &mut Writer<'_>, name: &str, value: &dyn fmt::Debug) -> fmt::Result {
    if name.starts_with("log.") {
        // Metadata of `log` records, shown by the formatter itself.
        return Ok(());
    }
    if name != "message" {
        writer.write_str(name)?;
        writer.write_char('=')?;
    }
    write!(Escaping(writer), "{value:?}")
}

/// A writer that escapes control characters (C0, DEL, C1) on their way through.
struct Escaping<'a, W: fmt::Write>(&'a mut W);

impl<W: fmt::Write> fmt::Write for Escaping<'_, W> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        // Every control character starts with a byte below 0x20, 0x7F (DEL) or 0xC2 (the
        // lead byte of U+0080–U+009F): text with none of them (nearly every field) goes
        // through in one write, without decoding its characters.
        if !text.bytes().any(|b| b < 0x20 || b == 0x7F || b == 0xC2) {
            return self.0.write_str(text);
        }
        // Otherwise runs without control characters still go through in one write.
        let mut rest = text;
        while let Some((at, c)) = rest.char_indices().find(|&(_, c)| c.is_control()) {
            self.0.write_str(&rest[..at])?;
            self.write_char(c)?;
            rest = &rest[at + c.len_utf8()..];
        }
        self.0.write_str(rest)
    }

    fn write_char(&mut self, c: char) -> fmt::Result {
        match c {
            '\r' => self.0.write_str("\\r"),
            '\n' => self.0.write_str("\\n"),
            '\t' => self.0.write_str("\\t"),
            c if c.is_control() => write!(self.0, "\\u{{{:x}}}", u32::from(c)),
            c => self.0.write_char(c),
        }
    }
}

/// `text` with control characters escaped as in the text log format.
pub fn escape_control(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let _ = write!(Escaping(&mut out), "{text}");
    out
}

#[cfg(test)]
mod tests {
    use super::escape_control;

    #[test]
    fn control_characters_are_escaped_and_the_rest_kept() {
        assert_eq!(
            escape_control("a\r\nb\u{0}c\u{7f}d\u{85}é\t"),
            "a\\r\\nb\\u{0}c\\u{7f}d\\u{85}é\\t"
        );
        // 0xC2 also leads characters that are not controls, and they are kept.
        assert_eq!(escape_control("\u{a0}£§ ok"), "\u{a0}£§ ok");
        assert_eq!(escape_control("plain text"), "plain text");
    }
}
