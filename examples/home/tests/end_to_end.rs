//! The home skill end to end, without HTTP: JSON envelopes in, response envelopes out.

use std::sync::Arc;

use serde_json::{Value, json};
use skillgate::{AttributesKey, AttributesStore, InMemoryStore, RequestEnvelope, Skill};

const SKILL_ID: &str = "amzn1.ask.skill.home";

fn envelope(user: &str, new: bool, request: Value) -> RequestEnvelope {
    serde_json::from_value(json!({
        "version": "1.0",
        "session": {
            "new": new, "sessionId": "amzn1.echo-api.session.1",
            "application": {"applicationId": SKILL_ID},
            "user": {"userId": user}
        },
        "context": {"System": {
            "application": {"applicationId": SKILL_ID},
            "user": {"userId": user},
            "device": {"deviceId": "amzn1.ask.device.1", "supportedInterfaces": {}},
            "apiEndpoint": "https://api.amazonalexa.com"
        }},
        "request": request
    }))
    .unwrap()
}

fn intent(user: &str, name: &str, slots: Value) -> RequestEnvelope {
    intent_in(user, "en-US", name, slots)
}

fn intent_in(user: &str, locale: &str, name: &str, slots: Value) -> RequestEnvelope {
    let slots: serde_json::Map<String, Value> = slots
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| {
            let mut slot = json!({"name": k, "confirmationStatus": "NONE"});
            if !v.is_null() {
                slot["value"] = v.clone();
            }
            (k.clone(), slot)
        })
        .collect();
    envelope(
        user,
        true,
        json!({
            "type": "IntentRequest", "requestId": "r", "timestamp": "2026-11-22T10:00:00Z",
            "locale": locale, "dialogState": "STARTED",
            "intent": {"name": name, "confirmationStatus": "NONE", "slots": slots}
        }),
    )
}

/// Answers once; the response must pass Alexa's limits (`try_handle` reports violations).
async fn ask(skill: &Skill, request: RequestEnvelope) -> Value {
    let out = skill.try_handle(request).await;
    assert!(out.is_ok(), "{out:?}");
    serde_json::to_value(out.unwrap()).unwrap()
}

fn said(out: &Value) -> String {
    out["response"]["outputSpeech"]["ssml"]
        .as_str()
        .unwrap_or("")
        .to_owned()
}

#[tokio::test]
async fn launch_welcomes_with_a_reprompt() {
    let skill = skillgate_example_home::skill();
    let out = ask(
        &skill,
        envelope(
            "u",
            true,
            json!({"type": "LaunchRequest", "requestId": "r", "locale": "en-US"}),
        ),
    )
    .await;
    let text = said(&out);
    assert!(text.contains("Welcome to home gate"), "{text}");
    assert!(text.split_whitespace().count() >= 3);
    assert!(out["response"]["reprompt"]["outputSpeech"]["ssml"].is_string());
    assert_eq!(out["response"]["shouldEndSession"], false);
}

#[tokio::test]
async fn help_stop_cancel() {
    let skill = skillgate_example_home::skill();
    let out = ask(&skill, intent("u", "AMAZON.HelpIntent", json!({}))).await;
    assert!(said(&out).contains("turn on the kitchen light"));
    assert_eq!(out["response"]["shouldEndSession"], false);
    for name in ["AMAZON.StopIntent", "AMAZON.CancelIntent"] {
        let out = ask(&skill, intent("u", name, json!({}))).await;
        assert!(said(&out).contains("Goodbye"));
        assert_eq!(out["response"]["shouldEndSession"], true);
    }
}

#[tokio::test]
async fn unknown_and_fallback_intents_answer_and_keep_listening() {
    let skill = skillgate_example_home::skill();
    for name in ["AMAZON.FallbackIntent", "NoSuchIntentAnywhere"] {
        let out = ask(&skill, intent("u", name, json!({}))).await;
        assert!(
            said(&out).contains("do that here"),
            "{name}: {}",
            said(&out)
        );
        assert!(out["response"]["reprompt"].is_object(), "{name}");
        assert_eq!(out["response"]["shouldEndSession"], false, "{name}");
    }
}

#[tokio::test]
async fn a_missing_device_is_elicited_with_a_dialog_directive() {
    let skill = skillgate_example_home::skill();
    let out = ask(
        &skill,
        intent(
            "u",
            "TurnOnIntent",
            json!({"device": null, "room": "kitchen"}),
        ),
    )
    .await;
    assert!(said(&out).contains("Which device should I turn on?"));
    let directive = &out["response"]["directives"][0];
    assert_eq!(directive["type"], "Dialog.ElicitSlot");
    assert_eq!(directive["slotToElicit"], "device");
    assert_eq!(directive["updatedIntent"]["name"], "TurnOnIntent");
    assert_eq!(
        directive["updatedIntent"]["slots"]["room"]["value"],
        "kitchen"
    );
    assert_ne!(out["response"]["shouldEndSession"], true);
    // Turning off asks the matching question.
    let out = ask(&skill, intent("u", "TurnOffIntent", json!({}))).await;
    assert!(said(&out).contains("Which device should I turn off?"));
}

#[tokio::test]
async fn devices_are_remembered_per_user_across_sessions() {
    let store = Arc::new(InMemoryStore::new());
    let skill = skillgate_example_home::skill_with_store(store.clone());
    let out = ask(
        &skill,
        intent(
            "alice",
            "TurnOnIntent",
            json!({"device": "Light", "room": "Kitchen"}),
        ),
    )
    .await;
    assert!(
        said(&out).contains("Okay, the kitchen light is on."),
        "{}",
        said(&out)
    );
    assert_eq!(
        out["response"]["shouldEndSession"], true,
        "one-shot request ends"
    );
    ask(
        &skill,
        intent("alice", "TurnOnIntent", json!({"device": "fan"})),
    )
    .await;

    // A new session of the same user (a fresh skill value sharing the store, as after a
    // restart with a durable store) still knows.
    let later = skillgate_example_home::skill_with_store(store.clone());
    let out = ask(&later, intent("alice", "DeviceStatusIntent", json!({}))).await;
    assert!(
        said(&out).contains("These are on: fan and kitchen light."),
        "{}",
        said(&out)
    );

    // Another user's home is their own.
    let out = ask(&later, intent("bob", "DeviceStatusIntent", json!({}))).await;
    assert!(said(&out).contains("Everything is off."), "{}", said(&out));

    let out = ask(
        &later,
        intent("alice", "TurnOffIntent", json!({"device": "fan"})),
    )
    .await;
    assert!(said(&out).contains("Okay, the fan is off."));
    let out = ask(
        &later,
        intent("alice", "TurnOffIntent", json!({"device": "fan"})),
    )
    .await;
    assert!(said(&out).contains("already off"));
    let out = ask(&later, intent("alice", "DeviceStatusIntent", json!({}))).await;
    assert!(
        said(&out).contains("The kitchen light is on."),
        "{}",
        said(&out)
    );

    let stored = store
        .load(&AttributesKey::user(SKILL_ID, "alice"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.value,
        json!({"devices": {"fan": false, "kitchen light": true}})
    );
    assert!(
        store
            .load(&AttributesKey::user(SKILL_ID, "bob"))
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn in_a_conversation_it_asks_for_more() {
    let skill = skillgate_example_home::skill();
    let mut request =
        serde_json::to_value(intent("u", "TurnOnIntent", json!({"device": "lamp"}))).unwrap();
    request["session"]["new"] = json!(false);
    let out = ask(&skill, serde_json::from_value(request).unwrap()).await;
    assert!(said(&out).contains("Anything else?"));
    assert_eq!(out["response"]["shouldEndSession"], false);
}

#[tokio::test]
async fn german_requests_get_german_answers() {
    let skill = skillgate_example_home::skill();
    let out = ask(
        &skill,
        intent_in("u", "de-AT", "AMAZON.HelpIntent", json!({})),
    )
    .await;
    assert!(
        said(&out).contains("Was möchtest du tun?"),
        "{}",
        said(&out)
    );
}

#[tokio::test]
async fn session_ended_gets_an_empty_answer() {
    let skill = skillgate_example_home::skill();
    let out = ask(&skill, envelope("u", false, json!({
        "type": "SessionEndedRequest", "requestId": "r", "locale": "en-US", "reason": "USER_INITIATED"
    }))).await;
    assert_eq!(out["response"], json!({}));
}

#[tokio::test]
async fn the_sample_request_file_is_answered() {
    let body = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/requests/turn-on-kitchen-light.json"
    ))
    .unwrap();
    let out = skillgate_example_home::skill()
        .handle_json(&body)
        .await
        .unwrap();
    let out: Value = serde_json::from_slice(&out).unwrap();
    assert!(said(&out).contains("kitchen light is on"));
}

#[tokio::test]
async fn the_interaction_model_matches_the_skill() {
    let model: Value = serde_json::from_str(include_str!("../interaction-model.json")).unwrap();
    let lm = &model["interactionModel"]["languageModel"];
    assert_eq!(lm["invocationName"], "home gate");
    let intents: Vec<&str> = lm["intents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    for name in [
        "TurnOnIntent",
        "TurnOffIntent",
        "DeviceStatusIntent",
        "AMAZON.HelpIntent",
        "AMAZON.StopIntent",
        "AMAZON.CancelIntent",
        "AMAZON.FallbackIntent",
    ] {
        assert!(
            intents.contains(&name),
            "{name} missing from the interaction model"
        );
    }
    // Every slot used in a sample is declared, and every slot type is defined or built in.
    let types: Vec<&str> = lm["types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    for intent in lm["intents"].as_array().unwrap() {
        let slots: Vec<&str> = intent["slots"]
            .as_array()
            .map(|s| s.iter().map(|s| s["name"].as_str().unwrap()).collect())
            .unwrap_or_default();
        for slot in intent["slots"].as_array().into_iter().flatten() {
            let t = slot["type"].as_str().unwrap();
            assert!(t.starts_with("AMAZON.") || types.contains(&t), "{t}");
        }
        for sample in intent["samples"].as_array().into_iter().flatten() {
            let sample = sample.as_str().unwrap();
            for part in sample.split('{').skip(1) {
                let slot = part.split('}').next().unwrap();
                assert!(slots.contains(&slot), "{sample}: unknown slot {slot}");
            }
        }
    }
    // The dialog model lets the skill elicit the device.
    let dialog = &model["interactionModel"]["dialog"]["intents"];
    let turn_on = dialog
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "TurnOnIntent")
        .unwrap();
    let device = turn_on["slots"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "device")
        .unwrap();
    let prompt_id = device["prompts"]["elicitation"].as_str().unwrap();
    let prompts = model["interactionModel"]["prompts"].as_array().unwrap();
    assert!(prompts.iter().any(|p| p["id"] == prompt_id));
}

#[tokio::test]
async fn every_real_envelope_in_the_fixture_corpus_gets_a_valid_answer() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/alexa/envelopes");
    let skill = skillgate_example_home::skill();
    let mut answered = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        if !name.ends_with(".json")
            || name.starts_with("response-")
            || name.starts_with("fragment-")
        {
            continue;
        }
        let Ok(request) = serde_json::from_slice::<RequestEnvelope>(&std::fs::read(&path).unwrap())
        else {
            continue;
        };
        let out = skill.try_handle(request).await;
        assert!(out.is_ok(), "{name}: {out:?}");
        answered += 1;
    }
    assert!(answered >= 40, "{answered}");
}
