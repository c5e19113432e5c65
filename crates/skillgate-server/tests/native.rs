//! Native skills over HTTPS: a verified request reaches the Rust skill; a panicking skill
//! does not take the server down; demo mode (any application id) still verifies.

use skillgate::{Context, Skill};
use skillgate_server::testing::*;

/// Speaks and reprompts on launch.
fn greeter() -> Skill {
    Skill::builder()
        .on_launch(|cx: Context| async move {
            Ok(cx
                .reply()
                .speak("Welcome to the test skill.")
                .reprompt("What now?")
                .build())
        })
        .build()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verified_requests_reach_the_native_skill() {
    let server = start_with(config(vec![native_skill("greeter", &[SKILL_ID])]), |b| {
        b.native_skill("greeter", greeter())
    })
    .await;
    let (status, body) = server.post_signed(SKILL_ID, "LaunchRequest").await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    assert!(
        speech(&body).contains("Welcome to the test skill."),
        "{}",
        String::from_utf8_lossy(&body)
    );
    let (status, _) = server.post_signed(OTHER_ID, "LaunchRequest").await;
    assert_eq!(status, 400);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_mode_accepts_any_id_but_still_verifies() {
    let mut config = config(vec![native_skill("greeter", &[])]);
    config.dev.any_application_id = true;
    let server = start_with(config, |b| b.native_skill("greeter", greeter())).await;
    let (status, _) = server.post_signed(OTHER_ID, "LaunchRequest").await;
    assert_eq!(status, 200);
    let r = server
        .client
        .post(server.url("/alexa"))
        .header("content-type", "application/json")
        .body(skillgate_verify::testing::envelope(
            OTHER_ID,
            "LaunchRequest",
            time::OffsetDateTime::now_utc(),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400, "unsigned is refused even in demo mode");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_skill_does_not_take_the_server_down() {
    let boom = Skill::builder()
        .on_launch(|_cx: Context| async move {
            if std::hint::black_box(true) {
                panic!("skill bug");
            }
            unreachable!()
        })
        .build();
    let server = start_with(
        config(vec![native_skill("boom", &[SKILL_ID]), {
            let mut s = native_skill("greeter", &[OTHER_ID]);
            s.path = "/other".to_owned();
            s
        }]),
        |b| {
            b.native_skill("boom", boom)
                .native_skill("greeter", greeter())
        },
    )
    .await;
    let (status, _) = server.post_signed(SKILL_ID, "LaunchRequest").await;
    assert!(status == 500 || status == 200, "{status}");
    // Still serving.
    let (headers, body) = signed(OTHER_ID, "LaunchRequest");
    let r = server
        .client
        .post(server.url("/other"))
        .headers(headers)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_handler_names_are_a_start_up_error() {
    let err = skillgate_server::ServerBuilder::new(config(vec![native_skill("nope", &[SKILL_ID])]))
        .native_skill("greeter", greeter())
        .start()
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("nope") && text.contains("greeter"), "{text}");
}
