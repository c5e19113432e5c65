//! Replay protection across a restart (single instance, no shared store): a captured
//! request answered before the restart is still refused after it, inside its window.

use skillgate_server::config::Config;
use skillgate_server::testing::*;

async fn start_home(config: Config, journal: &std::path::Path) -> TestServer {
    let journal = journal.to_owned();
    start_with(config, move |b| {
        b.native_skill("home", skillgate_example_home::skill())
            .replay_journal(journal)
    })
    .await
}

async fn post(server: &TestServer, request: &(reqwest::header::HeaderMap, Vec<u8>)) -> u16 {
    skillgate_server::testing::post(server, request.0.clone(), request.1.clone()).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_answered_before_a_restart_is_refused_after_it() {
    let data = tempfile::tempdir().unwrap();
    let journal = data.path().join("replay-ids");
    let mut config = Config::demo();
    config.listen = "127.0.0.1:0".parse().unwrap();

    let captured = signed(SKILL_ID, "LaunchRequest");
    let server = start_home(config.clone(), &journal).await;
    assert_eq!(post(&server, &captured).await, 200);
    assert_eq!(post(&server, &captured).await, 400, "a replay");
    server.stop().await;

    // Restarted inside the request's 150 s window.
    let server = start_home(config, &journal).await;
    assert_eq!(
        post(&server, &captured).await,
        400,
        "the restart reopened the replay window"
    );
    assert_eq!(post(&server, &signed(SKILL_ID, "LaunchRequest")).await, 200);
    server.stop().await;
    let text = std::fs::read_to_string(&journal).unwrap();
    assert_eq!(text.lines().count(), 2, "{text}");
}
