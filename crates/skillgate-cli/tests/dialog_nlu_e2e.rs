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
    // The native skill's own declared model works the same (another user: fresh devices).
    let out = skillgate(
        data,
        &[
            "dialog",
            &url,
            "--model",
            "home",
            "--user",
            "someone-else",
            "--script",
            script.to_str().unwrap(),
        ],
    );
    let native = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{native}");
    assert!(
        native.contains("→ TurnOnIntent device=light room=kitchen"),
        "{native}"
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

/// With `delegationStrategy: ALWAYS`, `dialog` plays Alexa's part: it elicits the missing
/// required slot with the model's prompt, asks the intent's confirmation, and only then sends
/// the COMPLETED intent to the skill.
#[test]
fn dialog_plays_alexa_for_a_delegated_dialog() {
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

    let home = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/home/interaction-model.json");
    let mut model: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(home).unwrap()).unwrap();
    let im = &mut model["interactionModel"];
    im["dialog"]["delegationStrategy"] = "ALWAYS".into();
    let turn_on = &mut im["dialog"]["intents"][0];
    assert_eq!(turn_on["name"], "TurnOnIntent");
    turn_on["confirmationRequired"] = true.into();
    turn_on["prompts"] = serde_json::json!({"confirmation": "Confirm.Intent.TurnOnIntent"});
    im["prompts"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "id": "Confirm.Intent.TurnOnIntent",
            "variations": [{"type": "PlainText", "value": "Shall I turn on the {room} {device}?"}]
        }));
    let model_path = data.join("delegating.json");
    std::fs::write(&model_path, model.to_string()).unwrap();

    let script = data.join("delegate.dialog");
    std::fs::write(
        &script,
        "turn on the bedroom
the lamp
yes
expect speech contains bedroom lamp is on
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
            model_path.to_str().unwrap(),
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
    let elicit = stdout
        .find("Alexa: Which device should I turn on?")
        .unwrap_or_else(|| panic!("{stdout}"));
    let confirm = stdout
        .find("Alexa: Shall I turn on the bedroom lamp?")
        .unwrap_or_else(|| panic!("{stdout}"));
    let sent = stdout
        .find("→ TurnOnIntent room=bedroom device=lamp (COMPLETED)")
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(elicit < confirm && confirm < sent, "{stdout}");
    assert_eq!(stdout.matches("  ok").count(), 2, "{stdout}");
    assert_eq!(stdout.matches("> yes").count(), 1, "{stdout}");
}
