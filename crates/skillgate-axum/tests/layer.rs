//! The tower layer and axum extractor in a user's own axum app, served on 127.0.0.1.

use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};
use skillgate_axum::{AlexaVerifyLayer, VerifiedAlexaRequest};
use skillgate_verify::testing::{plain_client, shared_chain as chain, signed_request};

const SKILL_ID: &str = "amzn1.ask.skill.00000000-0000-0000-0000-00000000000a";
const OTHER_ID: &str = "amzn1.ask.skill.00000000-0000-0000-0000-00000000000b";

/// A signed request envelope for `application_id` and `request_type`, timestamped now.
fn signed(application_id: &str, request_type: &str) -> (reqwest::header::HeaderMap, Vec<u8>) {
    signed_request(chain(), application_id, request_type)
}

/// The app on 127.0.0.1 (plain HTTP), served until the test ends.
async fn upstream(router: Router) -> (std::net::SocketAddr, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    (addr, task)
}

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
