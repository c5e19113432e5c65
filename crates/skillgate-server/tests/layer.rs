//! The tower layer and axum extractor in a user's own axum app, served on 127.0.0.1.

mod common;

use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};
use common::*;
use skillgate_server::layer::{AlexaVerifyLayer, VerifiedAlexaRequest};

async fn handler(request: VerifiedAlexaRequest) -> String {
    format!(
        "{} {} {}",
        request.verified.application_id,
        request.verified.request_type,
        request.body.len()
    )
}

async fn app() -> (String, tokio::task::JoinHandle<()>) {
    let verifier = chain().verifier([SKILL_ID]);
    let app = Router::new()
        .route("/alexa", post(handler))
        .layer(AlexaVerifyLayer::new(Arc::new(verifier)).max_body_bytes(2048))
        .route("/open", get(|| async { "not verified" }))
        .route("/misuse", get(handler));
    let (addr, task) = upstream(app).await;
    (format!("http://{addr}"), task)
}

#[tokio::test]
async fn verified_requests_reach_the_handler_with_the_exact_body() {
    let (base, _task) = app().await;
    let client = plain_client();
    let (headers, body) = signed(SKILL_ID, "IntentRequest");
    let r = client
        .post(format!("{base}/alexa"))
        .headers(headers)
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.text().await.unwrap(),
        format!("{SKILL_ID} IntentRequest {}", body.len())
    );
}

#[tokio::test]
async fn the_layer_answers_refusals_itself() {
    let (base, _task) = app().await;
    let client = plain_client();
    let url = format!("{base}/alexa");
    // Unsigned.
    let (_, body) = signed(SKILL_ID, "IntentRequest");
    let r = client
        .post(&url)
        .header("content-type", "application/json")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // Another skill's id.
    let (headers, body) = signed(OTHER_ID, "IntentRequest");
    let r = client
        .post(&url)
        .headers(headers.clone())
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // Too large, wrong type.
    let r = client
        .post(&url)
        .headers(headers.clone())
        .body(vec![b' '; 4096])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    let r = client
        .post(&url)
        .header("content-type", "text/xml")
        .body("<x/>")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 415);
    // Routes outside the layer are untouched; the extractor without the layer is a 500
    // (a programming error, not the client's).
    assert_eq!(
        client
            .get(format!("{base}/open"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        client
            .get(format!("{base}/misuse"))
            .send()
            .await
            .unwrap()
            .status(),
        500
    );
}
