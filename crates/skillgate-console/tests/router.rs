//! The console's router without a browser: the token (401, 403, the cookie and redirect),
//! the security headers, POSTs only from the console's script, escaping of request data,
//! the bound on kept requests, and the event stream resuming after `Last-Event-ID`.

use std::time::{Duration, SystemTime};

use axum::body::Body;
use bytes::Bytes;
use http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use skillgate_console::{Console, ConsoleOptions, SimulatorSetup, SkillModel, Token};
use skillgate_server::observe::{RequestObserver, RequestRecord, Verdict};
use tower::ServiceExt;

const TOKEN: &str = "t0k3n-for-tests";
const COOKIE: &str = "skillgate_console=t0k3n-for-tests";

fn console(capacity: usize) -> Console {
    let ca = skillgate_devtools::dev_ca::DevCa::generate(time::OffsetDateTime::now_utc()).unwrap();
    let model = skillgate_interaction_model::InteractionModelFile::from_json(
        r#"{"interactionModel":{"languageModel":{"invocationName":"test skill","intents":[
            {"name":"GreetIntent","slots":[{"name":"who","type":"AMAZON.FirstName"}],
             "samples":["greet {who}","say hello to {who}"]},
            {"name":"AMAZON.StopIntent","samples":[]}]}}}"#,
    )
    .unwrap();
    Console::with_token(
        ConsoleOptions {
            capacity,
            body_cap: 4096,
            models: vec![SkillModel::new("test", "en-US", model)],
            simulator: SimulatorSetup {
                signer: ca.signer().unwrap(),
                trust: Default::default(),
                mock_dir: None,
                store: None,
            },
        },
        Token::from_value(TOKEN),
    )
}

fn record(slot: &str) -> RequestRecord {
    let body = serde_json::json!({
        "context": {"System": {"apiAccessToken": "SECRET-TOKEN"}},
        "request": {"type": "IntentRequest", "intent": {"name": "GreetIntent",
            "slots": {"who": {"name": "who", "value": slot}}}}
    });
    RequestRecord {
        received: SystemTime::now(),
        path: "/alexa".into(),
        skill: "test".into(),
        outcome: "rejected",
        status: 400,
        latency: Duration::from_millis(2),
        verdict: Verdict::Refused {
            reason: "signature_mismatch",
            detail: "SHA-256 signature does not match the body".into(),
            check: Some(skillgate_verify::Check::Signature),
        },
        request: Bytes::from(body.to_string()),
        response: Bytes::new(),
    }
}

async fn call(console: &Console, request: Request<Body>) -> (StatusCode, http::HeaderMap, String) {
    let response = console.router().oneshot(request).await.unwrap();
    let (parts, body) = response.into_parts();
    let bytes = body.collect().await.unwrap().to_bytes();
    (
        parts.status,
        parts.headers,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

fn get(path: &str, cookie: Option<&str>) -> Request<Body> {
    let mut builder = Request::get(path);
    if let Some(cookie) = cookie {
        builder = builder.header(header::COOKIE, cookie);
    }
    builder.body(Body::empty()).unwrap()
}

#[tokio::test]
async fn the_token_guards_every_path() {
    let c = console(10);
    for path in [
        "/console/",
        "/console/events",
        "/console/assets/console.js",
        "/console/model",
    ] {
        assert_eq!(
            call(&c, get(path, None)).await.0,
            StatusCode::UNAUTHORIZED,
            "{path}"
        );
        let (status, _, _) = call(&c, get(path, Some("skillgate_console=nope"))).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
    }
    let (status, headers, _) = call(&c, get("/console/?token=nope", None)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(headers.get(header::SET_COOKIE).is_none());
    let (status, headers, _) = call(
        &c,
        get(&format!("/console/model?token={TOKEN}&skill=test"), None),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/console/model?skill=test");
    let cookie = headers[header::SET_COOKIE].to_str().unwrap();
    assert!(
        cookie.starts_with(COOKIE)
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Strict")
    );
    let (status, headers, page) = call(&c, get("/console/", Some(COOKIE))).await;
    assert_eq!(status, StatusCode::OK);
    let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("script-src 'self'"),
        "{csp}"
    );
    assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY");
    assert!(page.contains("No request yet"));
}

#[tokio::test]
async fn posts_need_the_consoles_header_and_answers_are_escaped() {
    let c = console(10);
    let post = |with_header: bool| {
        let mut b = Request::post("/console/model/match")
            .header(header::COOKIE, COOKIE)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if with_header {
            b = b.header("x-skillgate-console", "1");
        }
        b.body(Body::from(
            "skill=test&text=greet+%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        ))
        .unwrap()
    };
    assert_eq!(call(&c, post(false)).await.0, StatusCode::FORBIDDEN);
    let (status, _, html) = call(&c, post(true)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("GreetIntent"), "{html}");
    assert!(!html.contains("<script"), "{html}");
}

#[tokio::test]
async fn request_data_is_shown_as_text_and_tokens_masked() {
    let c = console(10);
    c.observe(record("<script>window.pwned=1</script>"));
    let (_, _, page) = call(&c, get("/console/", Some(COOKIE))).await;
    assert!(
        page.contains("&lt;script&gt;window.pwned=1&lt;/script&gt;"),
        "{page}"
    );
    assert!(!page.contains("<script>window"), "{page}");
    assert!(page.contains("refused: signature (signature_mismatch)"));
    let (status, _, detail) = call(&c, get("/console/requests/1", Some(COOKIE))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!detail.contains("SECRET-TOKEN"), "{detail}");
    assert!(detail.contains("signature: FAILED"), "{detail}");
    assert!(!detail.contains("<script>window"), "{detail}");
}

#[tokio::test]
async fn only_the_last_n_requests_are_kept() {
    let c = console(5);
    for i in 0..300 {
        c.observe(record(&format!("v{i}")));
    }
    assert_eq!(c.kept(), 5);
    assert_eq!(
        call(&c, get("/console/requests/1", Some(COOKIE))).await.0,
        StatusCode::NOT_FOUND
    );
    let (status, _, detail) = call(&c, get("/console/requests/300", Some(COOKIE))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(detail.contains("v299"));
    let (_, _, page) = call(&c, get("/console/", Some(COOKIE))).await;
    assert_eq!(page.matches("<tr class=\"request").count(), 5);
}

#[tokio::test]
async fn the_event_stream_resumes_after_the_last_event_id() {
    let c = console(10);
    for i in 0..3 {
        c.observe(record(&format!("v{i}")));
    }
    let request = Request::get("/console/events")
        .header(header::COOKIE, COOKIE)
        .header("last-event-id", "1")
        .body(Body::empty())
        .unwrap();
    let response = c.router().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let mut body = response.into_body();
    let mut text = String::new();
    // The backlog (ids 2 and 3), then a live one.
    while !text.contains("id: 3") {
        let frame = tokio::time::timeout(Duration::from_secs(5), body.frame())
            .await
            .expect("an event in time")
            .unwrap()
            .unwrap();
        text.push_str(&String::from_utf8_lossy(frame.data_ref().unwrap()));
    }
    assert!(
        text.contains("id: 2") && !text.contains("id: 1\n"),
        "{text}"
    );
    c.observe(record("live"));
    while !text.contains("id: 4") {
        let frame = tokio::time::timeout(Duration::from_secs(5), body.frame())
            .await
            .expect("the live event in time")
            .unwrap()
            .unwrap();
        text.push_str(&String::from_utf8_lossy(frame.data_ref().unwrap()));
    }
    assert!(text.contains("event: request"), "{text}");
    assert!(text.contains("live"), "{text}");
}

#[tokio::test]
async fn shutdown_ends_open_event_streams() {
    let c = console(10);
    let request = Request::get("/console/events")
        .header(header::COOKIE, COOKIE)
        .body(Body::empty())
        .unwrap();
    let mut body = c.router().oneshot(request).await.unwrap().into_body();
    c.shutdown();
    let ended = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(frame) = body.frame().await {
            frame.unwrap();
        }
    })
    .await;
    assert!(ended.is_ok(), "the stream did not end at shutdown");
}
