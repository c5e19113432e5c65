//! A real server on 127.0.0.1 over HTTPS: every rejection status, gateway mode against
//! real upstreams (good, dead, slow, lying), routing by application id, metrics, health,
//! recording, the connection cap, and graceful shutdown with a request in flight.

use std::time::Duration;

use axum::Router;
use axum::routing::post;
use http::HeaderMap;
use skillgate_server::spoken::UNAVAILABLE_TEXT;
use skillgate_server::testing::*;

type Seen = std::sync::Arc<std::sync::Mutex<Vec<(HeaderMap, bytes::Bytes)>>>;

/// An upstream that records what it received and answers `text`.
fn echo_upstream(text: &'static str, seen: Seen) -> Router {
    Router::new().route(
        "/alexa",
        post(move |headers: HeaderMap, body: bytes::Bytes| {
            let seen = seen.clone();
            async move {
                seen.lock().unwrap().push((headers, body));
                ([("content-type", "application/json")], answer(text))
            }
        }),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_rejection_has_its_status() {
    let seen = Seen::default();
    let (up, _task) = upstream(echo_upstream("hi", seen.clone())).await;
    let mut config = config(vec![upstream_skill(
        "a",
        &[SKILL_ID],
        &format!("http://{up}/alexa"),
    )]);
    config.limits.max_body_bytes = 4096;
    let server = start(config).await;
    let url = server.url("/alexa");
    let c = &server.client;

    // Wrong method: 405 with Allow.
    let r = c.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 405);
    assert_eq!(r.headers()["allow"], "POST");
    // Wrong content type: 415.
    let (headers, body) = signed(SKILL_ID, "LaunchRequest");
    let r = c
        .post(&url)
        .headers(headers.clone())
        .header("content-type", "text/plain")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 415);
    // Declared body over the cap: 413.
    let r = c
        .post(&url)
        .headers(headers.clone())
        .body(vec![b' '; 5000])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    // Chunked body over the cap (no Content-Length): 413 while reading.
    let chunks: Vec<Result<http_body::Frame<bytes::Bytes>, std::io::Error>> = (0..10)
        .map(|_| Ok(http_body::Frame::data(bytes::Bytes::from(vec![b' '; 1000]))))
        .collect();
    let r = c
        .post(&url)
        .headers(headers.clone())
        .body(reqwest::Body::wrap(http_body_util::StreamBody::new(
            futures_util::stream::iter(chunks),
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    // Empty body: 400.
    let r = c.post(&url).headers(headers.clone()).send().await.unwrap();
    assert_eq!(r.status(), 400);
    // Unsigned: 400 with an empty body.
    let r = c
        .post(&url)
        .header("content-type", "application/json")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.bytes().await.unwrap().is_empty());
    // Signature over other bytes: 400.
    let mut tampered = body.clone();
    tampered.push(b' ');
    let r = c
        .post(&url)
        .headers(headers.clone())
        .body(tampered)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // Forged chain URL: 400 before any download.
    let mut forged = headers.clone();
    forged.insert(
        "signaturecertchainurl",
        "https://evil.example.com/echo.api/x.pem".parse().unwrap(),
    );
    let r = c
        .post(&url)
        .headers(forged)
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // A validly signed request for another skill: 400.
    let (status, _) = server.post_signed(OTHER_ID, "LaunchRequest").await;
    assert_eq!(status, 400);
    // No skill code ran for any of these.
    assert!(seen.lock().unwrap().is_empty());
    // Unknown path: 404.
    assert_eq!(
        c.post(server.url("/nope")).send().await.unwrap().status(),
        404
    );

    // The reasons are counted.
    let metrics = c
        .get(server.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for reason in [
        "method_not_allowed",
        "unsupported_media_type",
        "body_too_large",
        "empty_body",
        "unknown_application_id",
    ] {
        assert!(
            metrics.contains(&format!("reason=\"{reason}\"")),
            "{reason} missing in:\n{metrics}"
        );
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gateway_forwards_verified_requests_byte_for_byte() {
    let seen = Seen::default();
    let (up, _task) = upstream(echo_upstream("Hello from Python.", seen.clone())).await;
    let server = start(config(vec![upstream_skill(
        "py",
        &[SKILL_ID],
        &format!("http://{up}/alexa"),
    )]))
    .await;

    let (headers, body) = signed(SKILL_ID, "LaunchRequest");
    let response = server
        .client
        .post(server.url("/alexa"))
        .headers(headers.clone())
        .header("x-skillgate-verified", "forged-by-client")
        .header("cookie", "secret")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let answer_bytes = response.bytes().await.unwrap();
    assert_eq!(&answer_bytes[..], answer("Hello from Python.").as_bytes());

    let (got_headers, got_body) = {
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 1);
        seen[0].clone()
    };
    assert_eq!(&got_body[..], &body[..], "body forwarded byte for byte");
    assert_eq!(got_headers["x-skillgate-verified"], "1");
    assert_eq!(got_headers["x-skillgate-application-id"], SKILL_ID);
    let sent: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        got_headers["x-skillgate-request-id"],
        sent["request"]["requestId"].as_str().unwrap()
    );
    assert_eq!(got_headers["content-type"], "application/json");
    assert!(
        got_headers.get("cookie").is_none(),
        "client headers are not forwarded"
    );
    assert_eq!(got_headers["signature-256"], headers["signature-256"]);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broken_upstreams_get_a_spoken_error() {
    // Dead: nothing listens on the port.
    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    // Slow: answers after the deadline.
    let (slow, _t1) = upstream(Router::new().route(
        "/alexa",
        post(|| async {
            tokio::time::sleep(Duration::from_secs(5)).await;
            answer("too late")
        }),
    ))
    .await;
    // Lying in four ways.
    let (liar, _t2) = upstream(
        Router::new()
            .route("/garbage", post(|| async { "this is not json" }))
            .route("/shape", post(|| async { r#"{"hello": "world"}"# }))
            .route("/huge", post(|| async { answer(&"blah ".repeat(6000)) }))
            .route(
                "/error",
                post(|| async { (http::StatusCode::INTERNAL_SERVER_ERROR, answer("oops")) }),
            ),
    )
    .await;
    let ids = [
        "amzn1.ask.skill.dead",
        "amzn1.ask.skill.slow",
        "amzn1.ask.skill.garbage",
        "amzn1.ask.skill.shape",
        "amzn1.ask.skill.huge",
        "amzn1.ask.skill.error",
    ];
    let urls = [
        format!("http://{dead}/alexa"),
        format!("http://{slow}/alexa"),
        format!("http://{liar}/garbage"),
        format!("http://{liar}/shape"),
        format!("http://{liar}/huge"),
        format!("http://{liar}/error"),
    ];
    let skills = ids
        .iter()
        .zip(&urls)
        .map(|(id, url)| {
            let mut s = upstream_skill(id.rsplit('.').next().unwrap(), &[id], url);
            s.upstream_timeout_ms = Some(300);
            s
        })
        .collect();
    let server = start(config(skills)).await;
    for id in ids {
        let (status, body) = server.post_signed(id, "IntentRequest").await;
        assert_eq!(status, 200, "{id}");
        assert_eq!(speech(&body), UNAVAILABLE_TEXT, "{id}");
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["response"]["shouldEndSession"], true);
    }
    let metrics = server.metrics().await;
    for kind in ["connect", "timeout", "invalid", "too_large", "status"] {
        assert!(
            metrics.contains(&format!("kind=\"{kind}\"")),
            "{kind}:\n{metrics}"
        );
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_path_routes_by_application_id() {
    let (a, _ta) = upstream(echo_upstream("skill A", Seen::default())).await;
    let (b, _tb) = upstream(echo_upstream("skill B", Seen::default())).await;
    let server = start(config(vec![
        upstream_skill("a", &[SKILL_ID], &format!("http://{a}/alexa")),
        upstream_skill("b", &[OTHER_ID], &format!("http://{b}/alexa")),
    ]))
    .await;
    let (_, body) = server.post_signed(SKILL_ID, "LaunchRequest").await;
    assert_eq!(speech(&body), "skill A");
    let (_, body) = server.post_signed(OTHER_ID, "LaunchRequest").await;
    assert_eq!(speech(&body), "skill B");
    let metrics = server.metrics().await;
    assert!(
        metrics.contains("skillgate_requests_total{skill=\"b\",outcome=\"answered\"}"),
        "{metrics}"
    );
    assert!(metrics.contains("skillgate_request_duration_seconds"));
    assert!(metrics.contains("skillgate_chain_cache_total{result=\"hit\"}"));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_metrics_and_admin_listener() {
    let (up, _t) = upstream(echo_upstream("x", Seen::default())).await;
    let server = start(config(vec![upstream_skill(
        "a",
        &[SKILL_ID],
        &format!("http://{up}/alexa"),
    )]))
    .await;
    let r = server
        .client
        .get(server.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap().trim(), "ok");
    let text = server.metrics().await;
    assert!(text.matches("# TYPE ").count() >= 3, "{text}");
    server.stop().await;

    // With admin_listen they move off the main listener.
    let admin_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let mut config = config(vec![upstream_skill(
        "a",
        &[SKILL_ID],
        &format!("http://{up}/alexa"),
    )]);
    config.admin_listen = Some(admin_port);
    let server = start(config).await;
    assert_eq!(
        server
            .client
            .get(server.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    let plain = plain_client();
    let r = plain
        .get(format!("http://{admin_port}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("# TYPE skillgate_requests_total counter")
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graceful_shutdown_finishes_the_request_in_flight() {
    let arrived = std::sync::Arc::new(tokio::sync::Notify::new());
    let signal = arrived.clone();
    let (up, _t) = upstream(Router::new().route(
        "/alexa",
        post(move || {
            let signal = signal.clone();
            async move {
                signal.notify_one();
                tokio::time::sleep(Duration::from_millis(800)).await;
                answer("finished")
            }
        }),
    ))
    .await;
    let mut skill = upstream_skill("slow", &[SKILL_ID], &format!("http://{up}/alexa"));
    skill.upstream_timeout_ms = Some(5_000);
    let server = start(config(vec![skill])).await;
    let (headers, body) = signed(SKILL_ID, "LaunchRequest");
    let request = server
        .client
        .post(server.url("/alexa"))
        .headers(headers)
        .body(body)
        .send();
    let in_flight = tokio::spawn(request);
    // Shut down once the request is in flight at the upstream.
    tokio::time::timeout(Duration::from_secs(20), arrived.notified())
        .await
        .expect("the request reaches the upstream");
    server.handle.shutdown();
    let response = in_flight.await.unwrap().unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(speech(&response.bytes().await.unwrap()), "finished");
    tokio::time::timeout(Duration::from_secs(10), server.task)
        .await
        .expect("run returns after the drain")
        .unwrap()
        .unwrap();
    // New connections are refused after shutdown.
    assert!(tokio::net::TcpStream::connect(server.addr).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_over_the_cap_are_closed() {
    use tokio::io::AsyncReadExt;
    let (up, _t) = upstream(echo_upstream("x", Seen::default())).await;
    let mut config = config(vec![upstream_skill(
        "a",
        &[SKILL_ID],
        &format!("http://{up}/alexa"),
    )]);
    config.limits.max_connections = 1;
    let server = start(config).await;
    let _first = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut second = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let mut buf = [0u8; 16];
    let read = tokio::time::timeout(Duration::from_secs(5), second.read(&mut buf))
        .await
        .expect("closed, not left hanging");
    assert!(matches!(read, Ok(0) | Err(_)), "{read:?}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn record_dir_keeps_masked_pairs() {
    let (up, _t) = upstream(echo_upstream("recorded", Seen::default())).await;
    let rec = tempfile::tempdir().unwrap();
    let mut config = config(vec![upstream_skill(
        "a",
        &[SKILL_ID],
        &format!("http://{up}/alexa"),
    )]);
    config.record_dir = Some(rec.path().to_owned());
    let server = start(config).await;
    let (status, _) = server.post_signed(SKILL_ID, "LaunchRequest").await;
    assert_eq!(status, 200);
    let mut files = Vec::new();
    for _ in 0..50 {
        // Finished records only: the recorder writes `*.json.partial` first and renames it,
        // and a listing taken in between would name a file that is gone when it is read.
        files = std::fs::read_dir(rec.path())
            .unwrap()
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        files.retain(|f| f.path().extension().is_some_and(|e| e == "json"));
        if !files.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(files.len(), 1);
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(files[0].path()).unwrap()).unwrap();
    assert_eq!(v["request"]["request"]["type"], "LaunchRequest");
    assert_eq!(
        v["response"]["response"]["outputSpeech"]["text"],
        "recorded"
    );
    server.stop().await;
}
