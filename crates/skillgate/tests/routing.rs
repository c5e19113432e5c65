//! Routing: each request type reaches its handler; specific before predicate before
//! fallback; interceptors before and after.

mod common;

use std::sync::{Arc, Mutex};

use common::*;
use serde_json::json;
use skillgate::model::RequestEnvelope;
use skillgate::{Context, HandlerResult, Response, Skill};

type Log = Arc<Mutex<Vec<String>>>;

fn log() -> Log {
    Arc::new(Mutex::new(Vec::new()))
}

fn entries(log: &Log) -> Vec<String> {
    log.lock().unwrap().clone()
}

/// A handler that records `name` and answers with it spoken.
fn say(
    log: &Log,
    name: &'static str,
) -> impl Fn(Context) -> std::future::Ready<HandlerResult> + Send + Sync + 'static {
    let log = Arc::clone(log);
    move |cx: Context| {
        log.lock().unwrap().push(name.to_owned());
        std::future::ready(Ok(cx.reply().speak(name).build()))
    }
}

/// A handler that records `name` and answers with an empty response (fits every type).
fn quiet(
    log: &Log,
    name: &'static str,
) -> impl Fn(Context) -> std::future::Ready<HandlerResult> + Send + Sync + 'static {
    let log = Arc::clone(log);
    move |_cx: Context| {
        log.lock().unwrap().push(name.to_owned());
        std::future::ready(Ok(Response::default()))
    }
}

#[tokio::test]
async fn every_request_type_in_the_fixtures_reaches_its_handler() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/alexa/envelopes");
    let mut seen = 0;
    let mut types = std::collections::BTreeSet::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        if !name.ends_with(".json")
            || name.starts_with("response-")
            || name.starts_with("fragment-")
        {
            continue;
        }
        let kind = name.split("--").next().unwrap().to_owned();
        let body = std::fs::read(&path).unwrap();
        let Ok(envelope) = serde_json::from_slice::<RequestEnvelope>(&body) else {
            // Unparseable envelopes are the model's business (its own tests); routing needs one.
            continue;
        };
        assert_eq!(envelope.request.request_type(), kind, "{name}");
        let log = log();
        let skill = Skill::builder()
            .on_request(&kind, quiet(&log, "specific"))
            .on(|_| true, quiet(&log, "predicate"))
            .fallback(quiet(&log, "fallback"))
            .validate_responses(false)
            .build();
        let out = skill.try_handle(envelope).await.unwrap();
        assert!(out.response.output_speech.is_none(), "{name}");
        assert_eq!(entries(&log), ["specific"], "{name}");
        seen += 1;
        types.insert(kind);
    }
    // The corpus covers the request types a custom skill receives.
    for kind in [
        "LaunchRequest",
        "IntentRequest",
        "SessionEndedRequest",
        "CanFulfillIntentRequest",
        "AudioPlayer.PlaybackStarted",
        "AudioPlayer.PlaybackFailed",
        "PlaybackController.NextCommandIssued",
        "System.ExceptionEncountered",
        "Alexa.Presentation.APL.UserEvent",
        "Connections.Response",
        "Messaging.MessageReceived",
        "AlexaSkillEvent.SkillEnabled",
    ] {
        assert!(
            types.contains(kind),
            "no fixture routed for {kind}: {types:?}"
        );
    }
    assert!(seen >= 40, "only {seen} envelopes routed");
}

#[tokio::test]
async fn built_in_and_custom_intents_by_name() {
    let log = log();
    let skill = Skill::builder()
        .on_launch(say(&log, "launch"))
        .on_intent("AMAZON.HelpIntent", say(&log, "help"))
        .on_intent("HelloIntent", say(&log, "hello"))
        .on_intents(
            &["AMAZON.StopIntent", "AMAZON.CancelIntent"],
            say(&log, "bye"),
        )
        .on_session_ended(quiet(&log, "ended"))
        .on_request("AudioPlayer.*", quiet(&log, "audio"))
        .build();
    let out = skill.handle(launch()).await;
    assert!(speech(&out).unwrap().contains("launch"));
    let out = skill.handle(intent("AMAZON.HelpIntent")).await;
    assert!(speech(&out).unwrap().contains("help"));
    let out = skill.handle(intent("HelloIntent")).await;
    assert!(speech(&out).unwrap().contains("hello"));
    skill.handle(intent("AMAZON.CancelIntent")).await;
    skill.handle(intent("AMAZON.StopIntent")).await;
    skill.handle(session_ended()).await;
    skill.handle(of_type("AudioPlayer.PlaybackStopped")).await;
    assert_eq!(
        entries(&log),
        ["launch", "help", "hello", "bye", "bye", "ended", "audio"]
    );
}

#[tokio::test]
async fn specific_before_predicate_before_fallback() {
    let log = log();
    let skill = Skill::builder()
        // Registered first, but a predicate: runs only when no specific registration matches.
        .on(
            |cx: &Context| cx.intent_name().is_some(),
            say(&log, "any-intent"),
        )
        .on_intent("A", say(&log, "a"))
        .on_intent("A", say(&log, "a-second"))
        .on_request("IntentRequest", say(&log, "any-intent-request"))
        .on(
            |cx: &Context| cx.request_type() == "LaunchRequest",
            say(&log, "launch-predicate"),
        )
        .fallback(say(&log, "fallback"))
        .build();
    skill.handle(intent("A")).await; // first specific in registration order
    skill.handle(intent("B")).await; // the request-type registration is specific too
    skill.handle(launch()).await; // predicate
    skill
        .handle(of_type("Alexa.Presentation.APL.UserEvent"))
        .await; // fallback
    assert_eq!(
        entries(&log),
        ["a", "any-intent-request", "launch-predicate", "fallback"]
    );
}

#[tokio::test]
async fn predicates_in_registration_order() {
    let log = log();
    let skill = Skill::builder()
        .on(
            |cx: &Context| cx.slot_value("room").is_some(),
            say(&log, "has-room"),
        )
        .on(|_| true, say(&log, "anything"))
        .build();
    skill
        .handle(intent_with("X", json!({"room": "kitchen"})))
        .await;
    skill.handle(intent_with("X", json!({"room": null}))).await;
    assert_eq!(entries(&log), ["has-room", "anything"]);
}

struct AskStyle(Log);

impl skillgate::RequestHandler for AskStyle {
    fn can_handle(&self, cx: &Context) -> bool {
        cx.intent_name() == Some("AskIntent")
    }
    fn handle(&self, cx: Context) -> skillgate::handler::BoxFuture<'static, HandlerResult> {
        self.0.lock().unwrap().push("ask-style".into());
        Box::pin(async move { Ok(cx.reply().speak("ask style").build()) })
    }
}

#[tokio::test]
async fn ask_style_handlers_with_can_handle() {
    let log = log();
    let skill = Skill::builder()
        .handler(AskStyle(Arc::clone(&log)))
        .fallback(say(&log, "fallback"))
        .build();
    skill.handle(intent("AskIntent")).await;
    skill.handle(intent("Other")).await;
    assert_eq!(entries(&log), ["ask-style", "fallback"]);
}

#[tokio::test]
async fn without_fallback_the_skill_says_it_cannot_help() {
    let skill = Skill::builder().build();
    let out = skill.try_handle(intent("Unknown")).await.unwrap();
    assert!(speech(&out).unwrap().contains("can"));
    assert!(out.response.reprompt.is_some());
    assert_ne!(out.response.should_end_session, Some(true));
    // Where speech is not allowed, the default is an empty answer.
    let out = skill
        .try_handle(of_type("AudioPlayer.PlaybackStarted"))
        .await
        .unwrap();
    assert!(out.response.is_empty());
}

#[tokio::test]
async fn requests_that_cannot_take_speech_never_reach_the_fallback() {
    let log = log();
    let skill = Skill::builder().fallback(say(&log, "fallback")).build();
    for kind in [
        "AudioPlayer.PlaybackStarted",
        "PlaybackController.PlayCommandIssued",
        "System.ExceptionEncountered",
        "AlexaSkillEvent.SkillEnabled",
        "Messaging.MessageReceived",
    ] {
        let out = skill.try_handle(of_type(kind)).await.unwrap();
        assert!(out.response.is_empty(), "{kind}: {out:?}");
    }
    assert!(entries(&log).is_empty(), "{:?}", entries(&log));
    // Interaction requests and unknown types do reach it.
    skill
        .try_handle(of_type("Alexa.Presentation.APL.UserEvent"))
        .await
        .unwrap();
    skill
        .try_handle(of_type("Some.FutureRequest"))
        .await
        .unwrap();
    assert_eq!(entries(&log), ["fallback", "fallback"]);
}

#[tokio::test]
async fn an_unhandled_can_fulfill_request_is_answered_no() {
    let mut raw = serde_json::to_value(intent_with("X", json!({"a": "b"}))).unwrap();
    raw["request"]["type"] = json!("CanFulfillIntentRequest");
    let request = serde_json::from_value(raw).unwrap();
    let out = Skill::builder().build().try_handle(request).await.unwrap();
    let raw = serde_json::to_value(&out).unwrap();
    assert_eq!(
        raw["response"],
        json!({"canFulfillIntent": {"canFulfill": "NO"}})
    );
}

#[tokio::test]
async fn session_ended_never_reaches_the_fallback() {
    let log = log();
    let skill = Skill::builder().fallback(say(&log, "fallback")).build();
    let out = skill.try_handle(session_ended()).await.unwrap();
    assert!(out.response.is_empty());
    assert!(entries(&log).is_empty());
}

#[tokio::test]
async fn interceptors_run_before_and_after_in_order() {
    let log = log();
    let (l1, l2, l3, l4) = (log.clone(), log.clone(), log.clone(), log.clone());
    let skill = Skill::builder()
        .request_interceptor(move |_cx: Context| {
            let l = l1.clone();
            async move {
                l.lock().unwrap().push("req-1".into());
                Ok(())
            }
        })
        .request_interceptor(move |_cx: Context| {
            let l = l2.clone();
            async move {
                l.lock().unwrap().push("req-2".into());
                Ok(())
            }
        })
        .response_interceptor(move |_cx: Context, mut response: Response| {
            let l = l3.clone();
            async move {
                l.lock().unwrap().push("resp-1".into());
                response.should_end_session = Some(true);
                Ok(response)
            }
        })
        .response_interceptor(move |_cx: Context, response: Response| {
            let l = l4.clone();
            async move {
                l.lock()
                    .unwrap()
                    .push(format!("resp-2 saw end={:?}", response.should_end_session));
                Ok(response)
            }
        })
        .on_launch(say(&log, "handler"))
        .build();
    let out = skill.handle(launch()).await;
    assert_eq!(out.response.should_end_session, Some(true));
    assert_eq!(
        entries(&log),
        [
            "req-1",
            "req-2",
            "handler",
            "resp-1",
            "resp-2 saw end=Some(true)"
        ]
    );
}

#[tokio::test]
async fn a_failing_request_interceptor_skips_the_handler() {
    let log = log();
    let skill = Skill::builder()
        .request_interceptor(|_cx: Context| async move { Err(skillgate::HandlerError::msg("no")) })
        .on_launch(say(&log, "handler"))
        .build();
    let out = skill.handle(launch()).await;
    assert!(speech(&out).unwrap().contains("Sorry"));
    assert!(entries(&log).is_empty());
}

#[tokio::test]
async fn context_helpers_read_the_request() {
    let raw = json!({
        "version": "1.0",
        "session": {"new": true, "sessionId": "s", "application": {"applicationId": SKILL_ID},
                    "user": {"userId": "u-session"}},
        "context": {"System": {
            "application": {"applicationId": SKILL_ID},
            "user": {"userId": "u-1"},
            "device": {"deviceId": "d-1", "supportedInterfaces": {"AudioPlayer": {}, "Alexa.Presentation.APL": {"runtime": {}}}},
            "apiEndpoint": "https://api.eu.amazonalexa.com",
            "apiAccessToken": "tok"
        }},
        "request": {
            "type": "IntentRequest", "requestId": "req-1", "timestamp": "2026-11-22T10:00:00Z",
            "locale": "de-AT", "dialogState": "IN_PROGRESS",
            "intent": {"name": "TurnOnIntent", "confirmationStatus": "CONFIRMED", "slots": {
                "device": {"name": "device", "value": "lamp", "confirmationStatus": "DENIED",
                    "resolutions": {"resolutionsPerAuthority": [
                        {"authority": "a.1", "status": {"code": "ER_SUCCESS_NO_MATCH"}},
                        {"authority": "a.2", "status": {"code": "ER_SUCCESS_MATCH"},
                         "values": [{"value": {"name": "light", "id": "LIGHT"}}, {"value": {"name": "lamp2", "id": "X"}}]}
                    ]}},
                "room": {"name": "room", "confirmationStatus": "NONE"},
                "colors": {"name": "colors", "confirmationStatus": "NONE", "slotValue": {
                    "type": "List", "values": [
                        {"type": "Simple", "value": "red"}, {"type": "Simple", "value": "blue"}
                    ]}}
            }}
        }
    });
    let envelope: RequestEnvelope = serde_json::from_value(raw).unwrap();
    let seen = Arc::new(Mutex::new(None));
    let s = Arc::clone(&seen);
    let skill = Skill::builder()
        .on_intent("TurnOnIntent", move |cx: Context| {
            let s = Arc::clone(&s);
            async move {
                let facts = json!({
                    "type": cx.request_type(),
                    "id": cx.request_id(),
                    "intent": cx.intent_name(),
                    "locale": cx.locale(),
                    "state": cx.dialog_state().map(|d| d.as_str().to_owned()),
                    "confirmed": cx.intent_confirmation().map(|c| c.as_str().to_owned()),
                    "device_confirmed": cx.slot_confirmation("device").map(|c| c.as_str().to_owned()),
                    "device": cx.slot_value("device"),
                    "resolved": cx.resolved_value("device").map(|r| (r.name.clone(), r.id.clone())),
                    "canonical": cx.canonical_value("device"),
                    "room": cx.slot_value("room"),
                    "room_canonical": cx.canonical_value("room"),
                    "colors": cx.slot_values("colors"),
                    "missing": cx.slot_value("nope"),
                    "new": cx.is_new_session(),
                    "user": cx.user_id(),
                    "device_id": cx.device_id(),
                    "app": cx.application_id(),
                    "audio": cx.has_interface("AudioPlayer"),
                    "apl": cx.has_interface("Alexa.Presentation.APL"),
                    "video": cx.has_interface("VideoApp"),
                    "endpoint": cx.api_endpoint(),
                    "token": cx.api_access_token(),
                });
                *s.lock().unwrap() = Some(facts);
                Ok(cx.reply().speak("ok").build())
            }
        })
        .build();
    skill.try_handle(envelope).await.unwrap();
    let facts = seen.lock().unwrap().clone().unwrap();
    assert_eq!(
        facts,
        json!({
            "type": "IntentRequest", "id": "req-1", "intent": "TurnOnIntent", "locale": "de-AT",
            "state": "IN_PROGRESS", "confirmed": "CONFIRMED", "device_confirmed": "DENIED", "device": "lamp", "resolved": ["light", "LIGHT"],
            "canonical": "light", "room": null, "room_canonical": null, "colors": ["red", "blue"],
            "missing": null, "new": true, "user": "u-1", "device_id": "d-1", "app": SKILL_ID,
            "audio": true, "apl": true, "video": false,
            "endpoint": "https://api.eu.amazonalexa.com", "token": "tok"
        })
    );
}

#[test]
fn skills_contexts_and_their_futures_cross_threads() {
    fn send_sync<T: Send + Sync + 'static>() {}
    fn send<T: Send>(_: &T) {}
    send_sync::<Skill>();
    send_sync::<Context>();
    let skill = Skill::builder().build();
    send(&skill.handle(launch()));
    send(&skill.handle_json(b"{}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_skill_answers_many_requests_at_once() {
    let skill = Skill::builder()
        .on_intent("Echo", |cx: Context| async move {
            tokio::task::yield_now().await;
            let n = cx.slot_value("n").unwrap_or_default().to_owned();
            Ok(cx.reply().speak(&n).build())
        })
        .build();
    let tasks: Vec<_> = (0..32)
        .map(|i| {
            let skill = skill.clone();
            tokio::spawn(async move {
                let out = skill
                    .handle(intent_with("Echo", json!({"n": i.to_string()})))
                    .await;
                (i, speech(&out).unwrap())
            })
        })
        .collect();
    for task in tasks {
        let (i, said) = task.await.unwrap();
        assert_eq!(said, format!("<speak>{i}</speak>"));
    }
}
