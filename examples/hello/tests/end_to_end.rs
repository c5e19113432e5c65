//! The hello skill end to end, without HTTP: JSON envelope in, response envelope out.

use serde_json::{Value, json};
use skillgate::RequestEnvelope;

fn envelope(request: Value) -> RequestEnvelope {
    serde_json::from_value(json!({
        "version": "1.0",
        "session": {
            "new": true, "sessionId": "amzn1.echo-api.session.1",
            "application": {"applicationId": "amzn1.ask.skill.hello"},
            "user": {"userId": "amzn1.ask.account.A"}
        },
        "context": {"System": {
            "application": {"applicationId": "amzn1.ask.skill.hello"},
            "user": {"userId": "amzn1.ask.account.A"},
            "device": {"deviceId": "amzn1.ask.device.1", "supportedInterfaces": {}},
            "apiEndpoint": "https://api.amazonalexa.com"
        }},
        "request": request
    }))
    .unwrap()
}

fn intent(name: &str) -> RequestEnvelope {
    envelope(json!({
        "type": "IntentRequest", "requestId": "r", "timestamp": "2026-11-22T10:00:00Z",
        "locale": "en-US", "intent": {"name": name, "confirmationStatus": "NONE"}
    }))
}

/// Answers once; the response must pass Alexa's limits (`try_handle` reports violations).
async fn ask(request: RequestEnvelope) -> Value {
    let out = skillgate_example_hello::skill().try_handle(request).await;
    assert!(out.is_ok(), "{out:?}");
    serde_json::to_value(out.unwrap()).unwrap()
}

#[tokio::test]
async fn raw_json_in_raw_json_out() {
    let body = serde_json::to_vec(&intent("HelloIntent")).unwrap();
    let out = skillgate_example_hello::skill()
        .handle_json(&body)
        .await
        .unwrap();
    let out: Value = serde_json::from_slice(&out).unwrap();
    assert!(said(&out).contains("Hello from your own server!"));
}

fn said(out: &Value) -> &str {
    out["response"]["outputSpeech"]["ssml"]
        .as_str()
        .unwrap_or("")
}

#[tokio::test]
async fn launch_welcomes_and_listens() {
    let out = ask(envelope(
        json!({"type": "LaunchRequest", "requestId": "r", "locale": "en-US"}),
    ))
    .await;
    assert!(said(&out).contains("Welcome"));
    assert!(out["response"]["reprompt"]["outputSpeech"]["ssml"].is_string());
    assert_eq!(out["response"]["shouldEndSession"], false);
}

#[tokio::test]
async fn hello_says_hello_and_ends() {
    let out = ask(intent("HelloIntent")).await;
    assert!(said(&out).contains("Hello from your own server!"));
    assert_eq!(out["response"]["card"]["type"], "Simple");
    assert_eq!(out["response"]["shouldEndSession"], true);
}

#[tokio::test]
async fn help_keeps_the_session_open() {
    let out = ask(intent("AMAZON.HelpIntent")).await;
    assert!(said(&out).contains("say hello"));
    assert_eq!(out["response"]["shouldEndSession"], false);
}

#[tokio::test]
async fn stop_and_cancel_end_the_session() {
    for name in ["AMAZON.StopIntent", "AMAZON.CancelIntent"] {
        let out = ask(intent(name)).await;
        assert!(said(&out).contains("Goodbye"), "{name}");
        assert_eq!(out["response"]["shouldEndSession"], true, "{name}");
    }
}

#[tokio::test]
async fn unknown_and_fallback_intents_get_speech() {
    for name in ["AMAZON.FallbackIntent", "NoSuchIntentAnywhere"] {
        let out = ask(intent(name)).await;
        assert!(said(&out).contains("only know how to say hello"), "{name}");
        assert_eq!(out["response"]["shouldEndSession"], false, "{name}");
    }
}

#[tokio::test]
async fn session_ended_gets_an_empty_answer() {
    let out = ask(envelope(json!({
        "type": "SessionEndedRequest", "requestId": "r", "locale": "en-US", "reason": "USER_INITIATED"
    })))
    .await;
    assert_eq!(out["response"], json!({}));
}

#[test]
fn the_interaction_model_declares_what_the_skill_handles() {
    let model: Value = serde_json::from_str(include_str!("../interaction-model.json")).unwrap();
    let lm = &model["interactionModel"]["languageModel"];
    assert_eq!(lm["invocationName"], "hello gate");
    let names: Vec<&str> = lm["intents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    for name in [
        "HelloIntent",
        "AMAZON.HelpIntent",
        "AMAZON.StopIntent",
        "AMAZON.CancelIntent",
        "AMAZON.FallbackIntent",
    ] {
        assert!(names.contains(&name), "{name}");
    }
}
