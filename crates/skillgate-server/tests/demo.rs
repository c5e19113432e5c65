//! The demo `home` skill behind the server, as `skillgate serve` runs it: signed requests
//! are answered with speech; unsigned ones never reach it.

use skillgate_server::config::Config;
use skillgate_server::testing::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_home_skill_answers_verified_requests() {
    let mut config = Config::demo();
    config.listen = "127.0.0.1:0".parse().unwrap();
    let server = start_with(config, |b| {
        b.native_skill("home", skillgate_example_home::skill())
    })
    .await;
    for request_type in ["LaunchRequest", "IntentRequest"] {
        let (status, body) = server.post_signed(SKILL_ID, request_type).await;
        assert_eq!(status, 200, "{request_type}");
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["version"], "1.0");
        assert!(!speech(&body).is_empty(), "{request_type}: {v}");
    }
    let (_, body) = signed(SKILL_ID, "LaunchRequest");
    let r = server
        .client
        .post(server.url("/alexa"))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    server.stop().await;
}
