//! Progressive responses against a local HTTP server standing in for Alexa's API endpoint
//! (plain HTTP, so the skill's Alexa API transport allows it; the default refuses `http://`).

mod common;

use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use common::*;
use serde_json::{Value, json};
use skillgate::alexa_api::{ApiError, Transport};
use skillgate::{Context, Skill, SkillError};

#[derive(Default, Clone)]
struct Seen(Arc<Mutex<Vec<(String, Value)>>>);

/// Starts a server on 127.0.0.1 answering `status` to `POST /v1/directives`; returns its URL.
async fn endpoint(seen: Seen, status: StatusCode) -> String {
    let app = axum::Router::new()
        .route(
            "/v1/directives",
            post(
                move |State(seen): State<Seen>, headers: HeaderMap, body: String| async move {
                    let auth = headers
                        .get("authorization")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_owned();
                    let json: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
                    seen.0.lock().unwrap().push((auth, json));
                    status
                },
            ),
        )
        .with_state(seen);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

fn request_with_endpoint(endpoint: &str) -> skillgate::RequestEnvelope {
    let mut raw = serde_json::to_value(intent("Slow")).unwrap();
    raw["context"]["System"]["apiEndpoint"] = json!(endpoint);
    raw["context"]["System"]["apiAccessToken"] = json!("secret-token");
    raw["request"]["requestId"] = json!("amzn1.echo-api.request.progressive");
    serde_json::from_value(raw).unwrap()
}

fn skill() -> Skill {
    let transport = Transport::builder().allow_http(true).build().unwrap();
    Skill::builder()
        .alexa_api_transport(transport)
        .on_intent("Slow", |cx: Context| async move {
            let spoken = match cx.progressive("One moment while I look that up.").await {
                Ok(()) => "sent".to_owned(),
                Err(refused @ ApiError::Forbidden { .. }) => {
                    format!("refused, {}", refused.reason())
                }
                Err(e) => return Err(e.into()),
            };
            Ok(cx.reply().speak(&format!("Progressive {spoken}.")).build())
        })
        .build()
}

#[tokio::test]
async fn progressive_response_posts_the_directive() {
    let seen = Seen::default();
    let url = endpoint(seen.clone(), StatusCode::NO_CONTENT).await;
    let out = skill()
        .try_handle(request_with_endpoint(&url))
        .await
        .unwrap();
    assert!(speech(&out).unwrap().contains("Progressive sent."));
    let calls = seen.0.lock().unwrap().clone();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].0, "Bearer secret-token");
    assert_eq!(
        calls[0].1,
        json!({
            "header": {"requestId": "amzn1.echo-api.request.progressive"},
            "directive": {"type": "VoicePlayer.Speak", "speech": "One moment while I look that up."}
        })
    );
}

#[tokio::test]
async fn a_refusal_is_reported_to_the_handler() {
    let seen = Seen::default();
    let url = endpoint(seen.clone(), StatusCode::FORBIDDEN).await;
    let out = skill()
        .try_handle(request_with_endpoint(&url))
        .await
        .unwrap();
    assert!(speech(&out).unwrap().contains("refused, forbidden"));
}

#[tokio::test]
async fn the_default_transport_refuses_a_plain_http_endpoint() {
    let seen = Seen::default();
    let url = endpoint(seen.clone(), StatusCode::NO_CONTENT).await;
    let skill = Skill::builder()
        .on_intent("Slow", |cx: Context| async move {
            let outcome = match cx.progressive("One moment.").await {
                Ok(()) => "sent".to_owned(),
                Err(error) => error.reason().to_owned(),
            };
            Ok(cx.reply().speak(&outcome).build())
        })
        .build();
    let out = skill.try_handle(request_with_endpoint(&url)).await.unwrap();
    assert!(
        speech(&out).unwrap().contains("connect"),
        "{:?}",
        speech(&out)
    );
    assert!(
        seen.0.lock().unwrap().is_empty(),
        "nothing reached the endpoint"
    );
}

#[tokio::test]
async fn no_api_access_is_an_error_the_handler_can_pass_on() {
    let mut raw = serde_json::to_value(intent("Slow")).unwrap();
    raw["context"]["System"]
        .as_object_mut()
        .unwrap()
        .remove("apiAccessToken");
    let request = serde_json::from_value(raw).unwrap();
    match skill().try_handle(request).await {
        Err(SkillError::Handler { message, .. }) => assert!(message.contains("API"), "{message}"),
        other => panic!("{other:?}"),
    }
}
