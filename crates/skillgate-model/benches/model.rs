//! What the framework pays per request: parsing a full envelope, building and validating an
//! answer, serializing it.
//!
//! Run with `cargo bench -p skillgate-model`; `cargo test -p skillgate-model --benches` runs
//! each benchmark once as a smoke test.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use skillgate_model::{RequestEnvelope, ResponseBuilder, ResponseEnvelope, limits};

/// A full modern IntentRequest: session, System with device and API token, viewports, entity
/// resolution.
const INTENT: &str = r#"{
  "version": "1.0",
  "session": {"new": false, "sessionId": "amzn1.echo-api.session.0000", "application": {"applicationId": "amzn1.ask.skill.0000"},
    "attributes": {"room": "kitchen", "count": 3}, "user": {"userId": "amzn1.ask.account.AAAA"}},
  "context": {
    "Viewports": [{"type": "APL", "id": "main", "shape": "RECTANGLE", "dpi": 213, "presentationType": "STANDARD", "canRotate": false}],
    "Viewport": {"mode": "HUB", "shape": "RECTANGLE", "pixelWidth": 1280, "pixelHeight": 800, "dpi": 213, "touch": ["SINGLE"]},
    "System": {"application": {"applicationId": "amzn1.ask.skill.0000"}, "user": {"userId": "amzn1.ask.account.AAAA"},
      "device": {"deviceId": "amzn1.ask.device.BBBB", "supportedInterfaces": {"AudioPlayer": {}, "Alexa.Presentation.APL": {"runtime": {"maxVersion": "2023.1"}}}},
      "apiEndpoint": "https://api.eu.amazonalexa.com", "apiAccessToken": "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL2FwaS5hbWF6b25hbGV4YS5jb20ifQ.c2lnbmF0dXJl"}
  },
  "request": {"type": "IntentRequest", "requestId": "amzn1.echo-api.request.1111", "timestamp": "2026-11-22T02:00:00Z", "locale": "de-DE",
    "dialogState": "IN_PROGRESS",
    "intent": {"name": "TurnOnIntent", "confirmationStatus": "NONE", "slots": {
      "room": {"name": "room", "value": "Küche", "confirmationStatus": "NONE", "source": "USER",
        "resolutions": {"resolutionsPerAuthority": [{"authority": "amzn1.er-authority.echo-sdk.amzn1.ask.skill.0000.ROOM",
          "status": {"code": "ER_SUCCESS_MATCH"}, "values": [{"value": {"name": "Küche", "id": "KITCHEN"}}]}]}},
      "device": {"name": "device", "value": "Licht", "confirmationStatus": "NONE", "source": "USER"}}}}
}"#;

fn bench(c: &mut Criterion) {
    c.bench_function("parse_intent_envelope", |b| {
        b.iter(|| black_box(INTENT).parse::<RequestEnvelope>())
    });
    c.bench_function("parse_intent_envelope_tolerant", |b| {
        b.iter(|| serde_json::from_str::<RequestEnvelope>(black_box(INTENT)))
    });
    let request = serde_json::from_str::<RequestEnvelope>(INTENT)
        .map(|envelope| envelope.request)
        .ok();
    c.bench_function("build_validate_serialize_answer", |b| {
        b.iter(|| {
            let answer = ResponseEnvelope::new(
                ResponseBuilder::new()
                    .speak(black_box("Das Licht in der Küche ist an."))
                    .simple_card("Licht", "Küche: an")
                    .end_session()
                    .build(),
            );
            let verdict = limits::validate(&answer, request.as_ref());
            (verdict, serde_json::to_vec(&answer))
        })
    });
    // The serialization alone (the last stage of every answer).
    let answer = ResponseEnvelope::new(
        ResponseBuilder::new()
            .speak("Das Licht in der Küche ist an.")
            .simple_card("Licht", "Küche: an")
            .end_session()
            .build(),
    );
    c.bench_function("serialize_answer", |b| {
        b.iter(|| serde_json::to_vec(black_box(&answer)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
