//! What goes to the log when something fails: the handler that overran, the limit broken,
//! a session-ended handler that tried to speak.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use skillgate::{Context, Skill};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// Captures the log of this (current-thread) test.
fn capture() -> (Captured, tracing::subscriber::DefaultGuard) {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::WARN)
        .finish();
    (captured, tracing::subscriber::set_default(subscriber))
}

#[tokio::test(flavor = "current_thread")]
async fn the_log_names_the_handler_that_overran() {
    let (log, _guard) = capture();
    let skill = Skill::builder()
        .deadline(Duration::from_millis(30))
        .on_intent("SlowIntent", |cx: Context| async move {
            tokio::time::sleep(Duration::from_secs(30)).await;
            Ok(cx.reply().speak("late").build())
        })
        .build();
    skill.handle(intent("SlowIntent")).await;
    let text = log.text();
    assert!(text.contains("WARN"), "{text}");
    assert!(text.contains("intent handler SlowIntent"), "{text}");
    assert!(text.contains("deadline"), "{text}");
}

#[tokio::test(flavor = "current_thread")]
async fn the_log_names_the_broken_limit() {
    let (log, _guard) = capture();
    let skill = Skill::builder()
        .on_launch(|cx: Context| async move { Ok(cx.reply().speak(&"x".repeat(9000)).build()) })
        .build();
    skill.handle(launch()).await;
    let text = log.text();
    assert!(text.contains("ERROR"), "{text}");
    assert!(text.contains("speech_length"), "{text}");
    assert!(text.contains("limit 8000"), "{text}");
}

#[tokio::test(flavor = "current_thread")]
async fn the_log_tells_when_a_session_ended_handler_tried_to_speak() {
    let (log, _guard) = capture();
    let skill = Skill::builder()
        .on_session_ended(|cx: Context| async move { Ok(cx.reply().speak("Bye").build()) })
        .build();
    let out = skill.handle(session_ended()).await;
    assert!(out.response.is_empty());
    assert!(
        log.text()
            .contains("SessionEndedRequest handler tried to answer"),
        "{}",
        log.text()
    );
}
