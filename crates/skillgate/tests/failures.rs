//! Failures never crash and never reach Alexa as silence: handler errors, panics, the
//! deadline, limit violations, session-ended rules.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use skillgate::{Context, HandlerError, Response, Skill, SkillError};

async fn fails(_cx: Context) -> skillgate::HandlerResult {
    let n: u32 = "not a number".parse()?;
    Ok(skillgate::ResponseBuilder::new()
        .speak(&n.to_string())
        .build())
}

async fn panics(cx: Context) -> skillgate::HandlerResult {
    let slots: Vec<&str> = Vec::new();
    let first = slots[cx.slot_values("x").len() + 3];
    Ok(cx.reply().speak(first).build())
}

fn assert_apology(out: &skillgate::ResponseEnvelope, text: &str) {
    let said = speech(out).expect("the apology is spoken");
    assert!(said.contains(text), "{said}");
    assert_eq!(out.response.should_end_session, Some(true));
}

#[tokio::test]
async fn a_handler_error_becomes_the_spoken_apology() {
    let skill = Skill::builder().on_launch(fails).build();
    assert_apology(&skill.handle(launch()).await, "Sorry, something went wrong");
    match skill.try_handle(launch()).await {
        Err(SkillError::Handler { stage, message }) => {
            assert_eq!(stage, "request handler LaunchRequest");
            assert!(message.contains("invalid digit"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_panic_becomes_the_spoken_apology() {
    let skill = Skill::builder()
        .on_intent("Boom", panics)
        .apology("Oops, that broke.")
        .build();
    assert_apology(&skill.handle(intent("Boom")).await, "Oops, that broke.");
    match skill.try_handle(intent("Boom")).await {
        Err(SkillError::Handler { stage, message }) => {
            assert_eq!(stage, "intent handler Boom");
            assert!(message.contains("panicked"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    // handle_json answers too (the server would send 200 with the apology, never a 500).
    let body = serde_json::to_vec(&intent("Boom")).unwrap();
    let out = skill.handle_json(&body).await.unwrap();
    assert!(String::from_utf8(out).unwrap().contains("Oops"));
}

#[tokio::test]
async fn error_handlers_run_in_order_and_see_the_error() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (s1, s2) = (Arc::clone(&seen), Arc::clone(&seen));
    let skill = Skill::builder()
        .on_intent("Bad", fails)
        .on_intent("Boom", panics)
        .on_error(move |_cx: Context, e: HandlerError| {
            let s = Arc::clone(&s1);
            async move {
                s.lock()
                    .unwrap()
                    .push(format!("first panic={}", e.is_panic()));
                if e.is_panic() {
                    Ok(skillgate::ResponseBuilder::new()
                        .speak("Recovered from a panic.")
                        .build())
                } else {
                    Err(e) // pass it on
                }
            }
        })
        .on_error(move |cx: Context, e: HandlerError| {
            let s = Arc::clone(&s2);
            async move {
                s.lock().unwrap().push(format!("second: {e}"));
                Ok(cx
                    .reply()
                    .speak("Please say that again.")
                    .reprompt("Again?")
                    .build())
            }
        })
        .build();
    let out = skill.try_handle(intent("Bad")).await.unwrap();
    assert!(speech(&out).unwrap().contains("say that again"));
    let out = skill.try_handle(intent("Boom")).await.unwrap();
    assert!(speech(&out).unwrap().contains("Recovered"));
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 3);
    assert_eq!(seen[0], "first panic=false");
    assert!(seen[1].starts_with("second: invalid digit"), "{seen:?}");
    assert_eq!(seen[2], "first panic=true");
}

#[tokio::test]
async fn a_failing_error_handler_still_gives_the_apology() {
    let skill = Skill::builder()
        .on_launch(fails)
        .on_error(|_cx: Context, _e: HandlerError| async move { panic!("error handler broke") })
        .build();
    assert_apology(&skill.handle(launch()).await, "Sorry");
}

#[tokio::test]
async fn response_interceptor_errors_go_to_the_error_handlers() {
    let skill = Skill::builder()
        .on_launch(|cx: Context| async move { Ok(cx.reply().speak("hi").build()) })
        .response_interceptor(|_cx: Context, _r: Response| async move {
            Err(HandlerError::msg("audit log unavailable"))
        })
        .on_error(|cx: Context, e: HandlerError| async move {
            Ok(cx.reply().speak(&format!("handled {e}")).build())
        })
        .build();
    let out = skill.try_handle(launch()).await.unwrap();
    assert!(
        speech(&out)
            .unwrap()
            .contains("handled audit log unavailable")
    );
}

#[tokio::test]
async fn a_handler_past_the_deadline_is_abandoned_with_an_apology() {
    let finished = Arc::new(Mutex::new(false));
    let f = Arc::clone(&finished);
    let skill = Skill::builder()
        .deadline(Duration::from_millis(50))
        .deadline_apology("That took too long.")
        .on_intent("Slow", move |cx: Context| {
            let f = Arc::clone(&f);
            async move {
                tokio::time::sleep(Duration::from_secs(30)).await;
                *f.lock().unwrap() = true;
                Ok(cx.reply().speak("done").build())
            }
        })
        .on_intent("Fast", |cx: Context| async move {
            tokio::time::sleep(Duration::from_millis(1)).await;
            Ok(cx.reply().speak("quick").build())
        })
        .build();
    let out = tokio::time::timeout(Duration::from_secs(5), skill.handle(intent("Slow")))
        .await
        .expect("the skill answers at its deadline, not when the handler ends");
    assert_apology(&out, "That took too long.");
    match skill.try_handle(intent("Slow")).await {
        Err(SkillError::Deadline { stage, deadline }) => {
            assert_eq!(stage, "intent handler Slow");
            assert_eq!(deadline, Duration::from_millis(50));
        }
        other => panic!("{other:?}"),
    }
    assert!(!*finished.lock().unwrap(), "the slow handler was abandoned");
    let out = skill.try_handle(intent("Fast")).await.unwrap();
    assert!(speech(&out).unwrap().contains("quick"));
    assert_eq!(skill.deadline(), Duration::from_millis(50));
}

#[tokio::test]
async fn the_default_deadline_is_well_under_alexas_eight_seconds() {
    let skill = Skill::builder().build();
    assert!(skill.deadline() <= Duration::from_secs(7));
    assert!(skill.deadline() >= Duration::from_secs(3));
}

#[tokio::test]
async fn the_deadline_on_an_audio_event_gives_an_empty_answer() {
    let skill = Skill::builder()
        .deadline(Duration::from_millis(20))
        .on_request("AudioPlayer.PlaybackStarted", |_cx: Context| async move {
            tokio::time::sleep(Duration::from_secs(30)).await;
            Ok(Response::default())
        })
        .build();
    let out = skill.handle(of_type("AudioPlayer.PlaybackStarted")).await;
    assert!(out.response.is_empty(), "{out:?}");
}

#[tokio::test]
async fn a_response_over_alexas_limits_is_an_error_in_tests_and_the_apology_live() {
    let long = "word ".repeat(2000); // 10,000 characters of speech: over the 8000 limit
    let l = long.clone();
    let skill = Skill::builder()
        .on_launch(move |cx: Context| {
            let l = l.clone();
            async move { Ok(cx.reply().speak(&l).build()) }
        })
        .build();
    match skill.try_handle(launch()).await {
        Err(SkillError::Limits { violations }) => {
            assert!(!violations.is_empty());
            assert!(
                violations.to_string().contains("limit 8000"),
                "{violations}"
            );
            assert!(violations.rule_names().contains(&"speech_length"));
        }
        other => panic!("{other:?}"),
    }
    assert_apology(&skill.handle(launch()).await, "Sorry");
    // With validation off, the author takes responsibility.
    let unchecked = Skill::builder()
        .validate_responses(false)
        .on_launch(move |cx: Context| {
            let l = long.clone();
            async move { Ok(cx.reply().speak(&l).build()) }
        })
        .build();
    assert!(unchecked.try_handle(launch()).await.is_ok());
}

#[tokio::test]
async fn speech_in_answer_to_an_audio_event_is_refused() {
    let skill = Skill::builder()
        .on_request("AudioPlayer.PlaybackStarted", |cx: Context| async move {
            Ok(cx.reply().speak("Now playing").build())
        })
        .build();
    assert!(matches!(
        skill
            .try_handle(of_type("AudioPlayer.PlaybackStarted"))
            .await,
        Err(SkillError::Limits { .. })
    ));
    // Live, the answer is empty (the apology would be refused too).
    let out = skill.handle(of_type("AudioPlayer.PlaybackStarted")).await;
    assert!(out.response.is_empty());
}

#[tokio::test]
async fn session_ended_answers_are_always_empty() {
    let skill = Skill::builder()
        .on_session_ended(|cx: Context| async move {
            cx.set_session_attribute("x", serde_json::json!(1));
            Ok(cx.reply().speak("Goodbye").end_session().build())
        })
        .build();
    let out = skill.try_handle(session_ended()).await.unwrap();
    assert!(out.response.is_empty(), "{out:?}");
    assert!(out.session_attributes.is_none());
    // Even a failing session-ended handler gives an empty answer, not an error.
    let failing = Skill::builder().on_session_ended(fails).build();
    let out = failing.try_handle(session_ended()).await.unwrap();
    assert!(out.response.is_empty());
}

#[tokio::test]
async fn handle_json_rejects_what_is_not_an_envelope() {
    let skill = Skill::builder().build();
    assert!(matches!(
        skill.handle_json(b"{\"version\": \"1.0\"}").await,
        Err(SkillError::InvalidRequest(_))
    ));
    assert!(matches!(
        skill.handle_json(b"\xff\xfe").await,
        Err(SkillError::InvalidRequest(_))
    ));
    let body = serde_json::to_vec(&launch()).unwrap();
    let out: serde_json::Value =
        serde_json::from_slice(&skill.handle_json(&body).await.unwrap()).unwrap();
    assert_eq!(out["version"], "1.0");
    assert!(out["response"]["outputSpeech"]["ssml"].is_string());
}

#[tokio::test]
async fn a_panicking_predicate_or_closure_prologue_is_caught_too() {
    let skill = Skill::builder()
        .on(
            |cx: &Context| {
                let v: Vec<u8> = Vec::new();
                v[cx.request_type().len()] == 0
            },
            |cx: Context| async move { Ok(cx.reply().speak("never").build()) },
        )
        .build();
    assert_apology(&skill.handle(launch()).await, "Sorry");
    let sync_part = Skill::builder()
        .on_launch(|cx: Context| {
            // A launch has no intent: this panics before the async block exists.
            let _ = cx.intent_name().expect("synchronous part of the closure");
            async move { Ok(cx.reply().speak("never").build()) }
        })
        .build();
    match sync_part.try_handle(launch()).await {
        Err(SkillError::Handler { message, .. }) => assert!(message.contains("panicked")),
        other => panic!("{other:?}"),
    }
}
