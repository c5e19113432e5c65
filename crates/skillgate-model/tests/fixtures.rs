//! Round-trip tests over real request and response JSON: the third-party captures in
//! `testdata/alexa` (or `$SKILLGATE_FIXTURES`) and the Amazon documentation examples in
//! `tests/data/`.
//!
//! Every request parses into the typed variant its type names and re-serializes to the same
//! JSON, up to the documented normalizations (see `normalize`).

use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use skillgate_model::request::Request;
use skillgate_model::response::{CanFulfillIntent, Card, Directive, OutputSpeech, Response};
use skillgate_model::{RequestEnvelope, ResponseEnvelope};

fn fixtures_dir() -> PathBuf {
    match std::env::var_os("SKILLGATE_FIXTURES") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/alexa"),
    }
}

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

fn json_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, fs::read(&p).unwrap())
        })
        .collect();
    files.sort();
    files
}

/// The documented normalizations of a round trip: keys whose value is `null` are dropped
/// (typed optional fields do not keep `null` apart from absent), and an intent's empty
/// `slots` object is dropped.
fn normalize(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            if map
                .get("slots")
                .is_some_and(|s| s.as_object().is_some_and(|o| o.is_empty()))
                && map.contains_key("name")
            {
                map.remove("slots");
            }
            map.values_mut().for_each(normalize);
        }
        Value::Array(items) => items.iter_mut().for_each(normalize),
        _ => {}
    }
}

/// Parses `bytes` as `T`, re-serializes it and checks nothing was lost or added.
fn round_trip<T: DeserializeOwned + Serialize>(name: &str, bytes: &[u8]) -> T {
    let parsed: T = serde_json::from_slice(bytes).unwrap_or_else(|e| {
        panic!(
            "{name}: does not parse as {}: {e}",
            std::any::type_name::<T>()
        )
    });
    let mut original: Value = serde_json::from_slice(bytes).unwrap();
    let mut again = serde_json::to_value(&parsed).unwrap();
    // Session objects without `new` gain `"new": false` (the one field the model requires).
    if let Some(session) = original.get_mut("session").and_then(Value::as_object_mut) {
        session.entry("new").or_insert(Value::Bool(false));
    }
    normalize(&mut original);
    normalize(&mut again);
    assert_eq!(
        original, again,
        "{name}: round trip changed the JSON\noriginal: {original}\nagain:    {again}"
    );
    parsed
}

/// The request type a file name announces: `IntentRequest--x.json` → `IntentRequest`.
fn announced_type(name: &str) -> &str {
    let stem = name.trim_start_matches("fragment-request-");
    match stem.find("--") {
        Some(end) => &stem[..end],
        None => stem.trim_end_matches(".json"),
    }
}

/// The variant a request type must parse into (`Unknown` for types the model leaves raw).
fn expected_variant(request_type: &str) -> &'static str {
    match request_type {
        "LaunchRequest" | "LaunchRequest-task" => "Launch",
        "IntentRequest" => "Intent",
        "SessionEndedRequest" => "SessionEnded",
        "CanFulfillIntentRequest" => "CanFulfillIntent",
        "System.ExceptionEncountered" => "ExceptionEncountered",
        "Alexa.Presentation.APL.UserEvent" => "AplUserEvent",
        "Connections.Response" => "ConnectionsResponse",
        "Messaging.MessageReceived" => "MessageReceived",
        "Dialog.API.Invoked" => "DialogApiInvoked",
        t if t.starts_with("AudioPlayer.") => "AudioPlayer",
        t if t.starts_with("PlaybackController.") => "PlaybackController",
        t if t.starts_with("AlexaSkillEvent.") => "SkillEvent",
        _ => "Unknown",
    }
}

fn variant(request: &Request) -> &'static str {
    match request {
        Request::Launch(_) => "Launch",
        Request::Intent(_) => "Intent",
        Request::SessionEnded(_) => "SessionEnded",
        Request::CanFulfillIntent(_) => "CanFulfillIntent",
        Request::AudioPlayer(_) => "AudioPlayer",
        Request::PlaybackController(_) => "PlaybackController",
        Request::ExceptionEncountered(_) => "ExceptionEncountered",
        Request::AplUserEvent(_) => "AplUserEvent",
        Request::ConnectionsResponse(_) => "ConnectionsResponse",
        Request::MessageReceived(_) => "MessageReceived",
        Request::SkillEvent(_) => "SkillEvent",
        Request::DialogApiInvoked(_) => "DialogApiInvoked",
        Request::Unknown(_) => "Unknown",
    }
}

fn check_request(name: &str, request: &Request) {
    let announced = announced_type(name);
    assert_eq!(
        variant(request),
        expected_variant(announced),
        "{name}: parsed as the wrong variant: {request:?}"
    );
    if !announced.contains('-') {
        assert_eq!(request.request_type(), announced, "{name}: request_type()");
    }
}

fn is_envelope_request(name: &str) -> bool {
    !name.starts_with("response-") && !name.starts_with("fragment-") && name.contains("--")
}

#[test]
fn every_fixture_request_envelope_parses_typed_and_round_trips() {
    let files: Vec<_> = json_files(&fixtures_dir().join("envelopes"))
        .into_iter()
        .filter(|(name, _)| is_envelope_request(name))
        .collect();
    assert!(
        files.len() >= 60,
        "expected the whole corpus, found {} files",
        files.len()
    );
    for (name, bytes) in &files {
        let envelope: RequestEnvelope = round_trip(name, bytes);
        check_request(name, &envelope.request);
    }
}

#[test]
fn every_signed_capture_parses_typed_and_round_trips() {
    let dir = fixtures_dir().join("requests");
    let mut seen = 0;
    for (name, bytes) in json_files(&dir) {
        if !name.ends_with(".body.json") {
            continue;
        }
        seen += 1;
        let envelope: RequestEnvelope = round_trip(&name, &bytes);
        let expected = if name.contains("launch") {
            "Launch"
        } else {
            "Intent"
        };
        assert_eq!(variant(&envelope.request), expected, "{name}");
        assert!(
            envelope.request.request_id().is_some(),
            "{name}: request id"
        );
        assert!(
            envelope.application_id().is_some(),
            "{name}: application id"
        );
        assert!(envelope.user_id().is_some(), "{name}: user id");
    }
    assert_eq!(seen, 5);
}

#[test]
fn every_request_fragment_parses_as_a_bare_request() {
    let files: Vec<_> = json_files(&fixtures_dir().join("envelopes"))
        .into_iter()
        .filter(|(name, _)| name.starts_with("fragment-request-"))
        .collect();
    assert!(files.len() >= 7);
    for (name, bytes) in &files {
        let request: Request = round_trip(name, bytes);
        check_request(name, &request);
    }
}

#[test]
fn every_fixture_response_parses_and_round_trips() {
    let files: Vec<_> = json_files(&fixtures_dir().join("envelopes"))
        .into_iter()
        .filter(|(name, _)| name.starts_with("response-"))
        .collect();
    assert!(files.len() >= 25, "found {}", files.len());
    for (name, bytes) in &files {
        check_response_file(name, bytes);
    }
}

fn check_response_file(name: &str, bytes: &[u8]) {
    if let Some(rest) = name.strip_prefix("response-directive-") {
        let directive: Directive = round_trip(name, bytes);
        let announced = &rest[..rest.find("--").unwrap()];
        let announced = announced.split('-').next().unwrap();
        assert_eq!(directive.type_name(), Some(announced), "{name}");
        let untyped = [
            "Alexa.Presentation.APLA.RenderDocument",
            "Dialog.DelegateRequest",
            "Tasks.CompleteTask",
        ];
        assert_eq!(
            matches!(directive, Directive::Raw(_)),
            untyped.contains(&announced),
            "{name}: typed/raw mismatch: {directive:?}"
        );
    } else if name.starts_with("response-outputSpeech-") {
        round_trip::<OutputSpeech>(name, bytes);
    } else if name.starts_with("response-card-") {
        round_trip::<Card>(name, bytes);
    } else if name.starts_with("response-body-canFulfillIntent") {
        round_trip::<CanFulfillIntent>(name, bytes);
    } else if name.starts_with("response-body-apiResponse") {
        let value: Value = serde_json::from_slice(bytes).unwrap();
        let response = Response {
            api_response: Some(value.clone()),
            ..Response::default()
        };
        let again = serde_json::to_value(&response).unwrap();
        assert_eq!(again["apiResponse"], value, "{name}");
    } else {
        let envelope: ResponseEnvelope = round_trip(name, bytes);
        assert!(!envelope.version.is_empty(), "{name}: version");
    }
}

#[test]
fn amazon_documentation_examples_parse_and_round_trip() {
    let files = json_files(&data_dir());
    assert!(!files.is_empty());
    for (name, bytes) in &files {
        if name.starts_with("request-") {
            let envelope: RequestEnvelope = round_trip(name, bytes);
            let announced = name
                .trim_start_matches("request-")
                .trim_end_matches(".json");
            assert_eq!(
                variant(&envelope.request),
                expected_variant(announced),
                "{name}"
            );
            assert_eq!(envelope.request.request_type(), announced, "{name}");
        } else if name.starts_with("response-") {
            check_response_file(name, bytes);
        } else {
            panic!("{name}: tests/data files start with request- or response-");
        }
    }
}

/// Response envelopes Alexa accepted (every fixture not marked DEFECTIVE in the corpus
/// README, and Amazon's documentation examples) pass the limit checks: no false alarms.
#[test]
fn accepted_responses_pass_the_limit_checks() {
    let defective = ["response-MixedDirectives--jovo2.json"];
    let mut files: Vec<_> = json_files(&fixtures_dir().join("envelopes"))
        .into_iter()
        .filter(|(name, _)| {
            name.starts_with("response-")
                && name.contains("--")
                && !name.starts_with("response-directive-")
                && !name.starts_with("response-body-")
                && !name.starts_with("response-outputSpeech-")
                && !defective.contains(&name.as_str())
        })
        .collect();
    files.extend(
        json_files(&data_dir())
            .into_iter()
            .filter(|(name, _)| name.starts_with("response-")),
    );
    assert!(files.len() >= 13, "found {}", files.len());
    for (name, bytes) in &files {
        let envelope: ResponseEnvelope = serde_json::from_slice(bytes).unwrap();
        if let Err(violations) = skillgate_model::limits::validate(&envelope, None) {
            panic!("{name}: {violations}");
        }
    }
}

/// The defective sample is caught, naming each rule it breaks.
#[test]
fn the_defective_sample_is_rejected_with_its_rules_named() {
    let bytes =
        fs::read(fixtures_dir().join("envelopes/response-MixedDirectives--jovo2.json")).unwrap();
    let envelope: ResponseEnvelope = serde_json::from_slice(&bytes).unwrap();
    let violations = skillgate_model::limits::validate(&envelope, None).unwrap_err();
    assert!(
        violations.contains(skillgate_model::limits::Rule::AudioUrlHttps),
        "{violations}"
    );
}
