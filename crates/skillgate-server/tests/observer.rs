//! `ServerBuilder::observer` sees every request on a skill path, verified or refused, with
//! its body (a refused one copied while the gate read it) and the answer; and
//! `ServerBuilder::admin_routes` are served on the admin listener only.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use skillgate_server::observe::{RequestObserver, RequestRecord, Verdict};
use skillgate_server::testing::*;

#[derive(Debug, Default)]
struct Collect(Mutex<Vec<RequestRecord>>);

impl RequestObserver for Collect {
    fn observe(&self, record: RequestRecord) {
        self.0.lock().unwrap().push(record);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_observer_sees_verified_and_refused_requests() {
    let mut config = config(vec![native_skill("greeter", &[SKILL_ID])]);
    config.admin_listen = Some("127.0.0.1:0".parse().unwrap());
    let seen = Arc::new(Collect::default());
    let extra = axum::Router::new().route("/extra", axum::routing::get(|| async { "extra\n" }));
    let server = start_with(config, |b| {
        b.native_skill("greeter", greeter("Hello there."))
            .observer(seen.clone())
            .admin_routes(extra)
    })
    .await;
    let main = server.addr;
    let admin = server.admin.unwrap();
    let client = &server.client;

    // Verified and answered.
    let (headers, body) = signed(SKILL_ID, "LaunchRequest");
    let r = server.send(headers, body.clone()).await;
    assert_eq!(r.status(), 200);
    // Signed, but for another skill: refused by the verifier after the body was read.
    let (headers, other) = signed(OTHER_ID, "LaunchRequest");
    let r = server.send(headers, other.clone()).await;
    assert_eq!(r.status(), 400);
    // Not signed at all.
    let mut unsigned = http::HeaderMap::new();
    unsigned.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    let r = server.send(unsigned, b"{\"unsigned\":true}".to_vec()).await;
    assert_eq!(r.status(), 400);

    let records = seen.0.lock().unwrap().clone();
    assert_eq!(records.len(), 3, "{records:#?}");
    let answered = &records[0];
    assert_eq!(answered.outcome, "answered");
    assert_eq!(answered.skill, "greeter");
    assert_eq!(answered.status, 200);
    assert_eq!(answered.request.as_ref(), body.as_slice());
    assert!(String::from_utf8_lossy(&answered.response).contains("Hello there."));
    assert!(
        matches!(&answered.verdict, Verdict::Verified { request_type, .. } if request_type == "LaunchRequest")
    );
    let refused = &records[1];
    assert!(
        matches!(
            refused.verdict,
            Verdict::Refused {
                reason: "unknown_application_id",
                ..
            }
        ),
        "{refused:?}"
    );
    assert_eq!(refused.request.as_ref(), other.as_slice());
    assert!(refused.response.is_empty());
    assert!(
        matches!(
            records[2].verdict,
            Verdict::Refused {
                reason: "missing_cert_url_header",
                ..
            }
        ),
        "{:?}",
        records[2]
    );
    assert!(records.iter().all(|r| r.latency < Duration::from_secs(10)));

    // The extra admin routes are on the admin listener, never on the main one.
    let plain = plain_client();
    let r = plain
        .get(format!("http://{admin}/extra"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = client
        .get(format!("https://127.0.0.1:{}/extra", main.port()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);

    server.stop().await;
}
