//! The text log over a real server: a signed request whose `requestId` holds CR/LF (and
//! other control characters) still makes exactly one log line, with them escaped.

use skillgate_server::config::{LogConfig, LogFormat};
use skillgate_server::testing::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_characters_from_a_signed_request_stay_on_one_log_line() {
    let captured = CapturedLog::default();
    let log = LogConfig {
        level: "info".to_owned(),
        format: LogFormat::Text,
        ..LogConfig::default()
    };
    // This test binary has one test, so the global subscriber is ours.
    skillgate_server::logging::init_with_writer(&log, captured.clone(), false).unwrap();

    let mut config = config(Vec::new());
    config.dev.any_application_id = true;
    config.skill = skillgate_server::config::Config::demo().skill;
    let server = start_with(config, |b| {
        b.native_skill("home", skillgate_example_home::skill())
    })
    .await;
    let forged = "amzn1.echo-api.request.x\r\nINFO alexa request request_id=forged outcome=answered\u{1b}[2J\u{7f}";
    let body = skillgate_verify::testing::envelope_with_id(
        SKILL_ID,
        "LaunchRequest",
        time::OffsetDateTime::now_utc(),
        forged,
    );
    let mut headers = chain().headers(&body);
    headers.insert("content-type", "application/json".parse().unwrap());
    let response = server
        .client
        .post(server.url("/alexa"))
        .headers(headers)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    server.stop().await;

    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    // Every line that shows the forged text shows it inside the escaped request id: the
    // request could not start a line of its own.
    let lines: Vec<&str> = text.lines().filter(|l| l.contains("forged")).collect();
    assert!(!lines.is_empty(), "the request was logged:\n{text}");
    for line in &lines {
        assert!(
            line.contains("amzn1.echo-api.request.x\\r\\nINFO alexa request request_id=forged"),
            "{line}"
        );
    }
    assert!(
        lines
            .iter()
            .any(|l| l.contains("alexa request") && l.contains("\\u{1b}[2J\\u{7f}")),
        "{text}"
    );
    assert!(
        !text.contains('\r') && !text.contains('\u{1b}') && !text.contains('\u{7f}'),
        "{text:?}"
    );
}
