//! `skillgate dialog --model`: plain sentences understood offline and sent, signed, to the
//! home skill served by the real binary (dev CA, full verification).

mod server_common;

use server_common::{free_port, serve, skillgate};

#[test]
fn dialog_understands_sentences_with_the_model() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let out = skillgate(data, &["dev-ca", "init"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let server = serve(data, &["--dev-ca", "--listen", &listen], port);
    let model = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/home/interaction-model.json");
    let script = data.join("home.dialog");
    std::fs::write(
        &script,
        "open home gate
expect session open
could you turn on the kitchen light please
expect speech contains kitchen light is on
turn on the bedroom
expect directive Dialog.ElicitSlot
the lamp
expect speech contains bedroom lamp
DeviceStatusIntent
expect speech contains kitchen light
what's the capital of australia
stop
expect session ends
",
    )
    .unwrap();
    let url = format!("https://{listen}/alexa");
    let out = skillgate(
        data,
        &[
            "dialog",
            &url,
            "--model",
            model.to_str().unwrap(),
            "--script",
            script.to_str().unwrap(),
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "dialog failed:\n{stdout}{}\nserver: {}",
        String::from_utf8_lossy(&out.stderr),
        server.log_text()
    );
    for shown in [
        "→ LaunchRequest",
        "→ TurnOnIntent device=light room=kitchen",
        "→ TurnOnIntent room=bedroom",
        "→ device=lamp",
        "→ AMAZON.FallbackIntent",
        "→ AMAZON.StopIntent",
    ] {
        assert!(stdout.contains(shown), "{shown} missing:\n{stdout}");
    }
    assert!(!stdout.contains("FAILED"), "{stdout}");
    assert_eq!(stdout.matches("  ok").count(), 6, "{stdout}");
}
