//! Gateway mode against real upstreams on loopback: only the verified signature header is
//! forwarded, and an answer whose JSON has a duplicate key (one reading for the check,
//! another for Alexa) is replaced by the spoken error, failure kind `invalid`.

use axum::Router;
use axum::routing::post;
use http::HeaderMap;
use skillgate_server::spoken::UNAVAILABLE_TEXT;
use skillgate_server::testing::*;

type Seen = std::sync::Arc<std::sync::Mutex<Vec<HeaderMap>>>;

/// An upstream that records the headers it received and answers `answer`.
fn recording_upstream(answer: String, seen: Seen) -> Router {
    Router::new().route(
        "/alexa",
        post(move |headers: HeaderMap| {
            let (seen, answer) = (seen.clone(), answer.clone());
            async move {
                seen.lock().unwrap().push(headers);
                ([("content-type", "application/json")], answer)
            }
        }),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_verified_signature_header_is_forwarded() {
    let seen = Seen::default();
    let (up, _task) = upstream(recording_upstream(answer("Hi."), seen.clone())).await;
    let server = start(config(vec![upstream_skill(
        "py",
        &[SKILL_ID],
        &format!("http://{up}/alexa"),
    )]))
    .await;
    // Signature-256 is verified; the legacy `Signature` beside it is not (SHA-1 is off).
    let (headers, body) = signed(SKILL_ID, "LaunchRequest");
    let response = server
        .client
        .post(server.url("/alexa"))
        .headers(headers.clone())
        .header("signature", "bm90IGNoZWNrZWQ=")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(speech(&response.bytes().await.unwrap()), "Hi.");
    let got = seen.lock().unwrap()[0].clone();
    assert_eq!(got["signature-256"], headers["signature-256"]);
    assert_eq!(
        got["signaturecertchainurl"],
        headers["signaturecertchainurl"]
    );
    assert!(
        got.get("signature").is_none(),
        "an unverified Signature header was forwarded: {got:?}"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_with_a_duplicate_key_is_replaced_by_the_spoken_error() {
    // Two "text" keys: a checker keeping the last sees a short speech, Alexa may take the
    // first, 9,000 characters (over Alexa's 8,000).
    let long = "a".repeat(9_000);
    let answer = format!(
        r#"{{"version":"1.0","response":{{"outputSpeech":{{"type":"PlainText","text":"{long}","text":"Hi."}},"shouldEndSession":true}}}}"#
    );
    let seen = Seen::default();
    let (up, _task) = upstream(recording_upstream(answer, seen.clone())).await;
    let server = start(config(vec![upstream_skill(
        "dup",
        &[SKILL_ID],
        &format!("http://{up}/alexa"),
    )]))
    .await;
    let (status, body) = server.post_signed(SKILL_ID, "LaunchRequest").await;
    assert_eq!(status, 200);
    assert_eq!(seen.lock().unwrap().len(), 1, "the upstream was asked");
    assert_eq!(speech(&body), UNAVAILABLE_TEXT);
    assert!(!String::from_utf8_lossy(&body).contains(&long));
    let metrics = server.metrics().await;
    assert!(
        metrics.contains(r#"skillgate_upstream_failures_total{skill="dup",kind="invalid"}"#),
        "{metrics}"
    );
    server.stop().await;
}
