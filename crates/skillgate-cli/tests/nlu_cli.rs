//! `skillgate nlu`, `skillgate nlu test` and `skillgate model check`, run as the real binary.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn testdata(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata")
        .join(path)
}

fn skillgate(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_skillgate"))
        .args(args)
        .env_remove("SKILLGATE_DATA_DIR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn nlu_json_lines_have_the_documented_shape() {
    let model = testdata("nlu/audiobookshelf-en-US.model.json");
    let out = skillgate(
        &["nlu", "--json", "--model", model.to_str().unwrap()],
        "skip 5 minutes forward\nset a sleep timer for twenty secs\nturn up the thermostat\n\n",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let lines: Vec<String> = text(&out.stdout).lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), 4, "one line per input line: {lines:?}");
    // Keys in the documented order.
    assert!(
        lines[0].starts_with(
            r#"{"utterance":"skip 5 minutes forward","intent":"SeekForwardIntent","slots":{"#
        ),
        "{}",
        lines[0]
    );
    let first: serde_json::Value = serde_json::from_str(&lines[0]).unwrap();
    assert_eq!(
        first["slots"],
        serde_json::json!({"duration": "5", "unit": "minutes"})
    );
    assert_eq!(
        first["resolved"]["unit"],
        serde_json::json!({"value": "minutes", "id": null})
    );
    assert_eq!(first["resolved"]["duration"]["value"], "5");
    let confidence = first["confidence"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&confidence));
    let second: serde_json::Value = serde_json::from_str(&lines[1]).unwrap();
    assert_eq!(second["intent"], "SetSleepTimerIntent");
    assert_eq!(second["slots"]["unit"], "secs");
    assert_eq!(
        second["resolved"]["unit"]["value"], "seconds",
        "a synonym resolves to its value"
    );
    assert_eq!(second["resolved"]["duration"]["value"], "20");
    let third: serde_json::Value = serde_json::from_str(&lines[2]).unwrap();
    assert_eq!(third["intent"], "AMAZON.FallbackIntent");
    assert_eq!(third["slots"], serde_json::json!({}));
    let empty: serde_json::Value = serde_json::from_str(&lines[3]).unwrap();
    assert_eq!(empty["utterance"], "");
}

#[test]
fn nlu_plain_output_and_invocations() {
    let model = testdata("nlu/sauce-boss-es-ES.model.json");
    let out = skillgate(
        &["nlu", "--model", model.to_str().unwrap()],
        "abre rey de la salsa\npregunta a rey de la salsa cómo se hace la salsa barbacoa\n",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines[0].starts_with("LaunchRequest"), "{stdout}");
    assert!(
        lines[1].starts_with("RecipeIntent Item=barbacoa"),
        "{stdout}"
    );
    assert!(lines[1].contains("id=BBQ"), "{stdout}");
}

#[test]
fn nlu_test_reports_per_kind_and_enforces_thresholds() {
    let model = testdata("nlu/calendar-reader-en-US.model.json");
    let cases = testdata("nlu/calendar-reader-en-US.cases.jsonl");
    let args = [
        "nlu",
        "test",
        "--model",
        model.to_str().unwrap(),
        cases.to_str().unwrap(),
    ];
    let out = skillgate(
        &[&args[..], &["--min-intent", "95", "--min-exact", "0.9"]].concat(),
        "",
    );
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let stdout = text(&out.stdout);
    for kind in ["heldout", "human", "sample", "overall"] {
        assert!(
            stdout.lines().any(|l| l.starts_with(kind)),
            "{kind} missing: {stdout}"
        );
    }
    // A bar no matcher can pass on out-of-domain sentences without a fallback intent is not
    // needed: an impossible threshold must fail.
    let fact = testdata("nlu/fact-en-US.model.json");
    let fact_cases = testdata("nlu/fact-en-US.cases.jsonl");
    let out = skillgate(
        &[
            "nlu",
            "test",
            "--model",
            fact.to_str().unwrap(),
            fact_cases.to_str().unwrap(),
            "--min-exact",
            "100",
            "--misses",
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    assert!(
        text(&out.stderr).contains("exact accuracy"),
        "{}",
        text(&out.stderr)
    );
    assert!(
        text(&out.stdout).contains("miss ["),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn model_check_passes_clean_models_and_names_json_paths() {
    let home = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/home/interaction-model.json");
    let out = skillgate(&["model", "check", home.to_str().unwrap()], "");
    assert!(out.status.success(), "{}", text(&out.stdout));

    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        r#"{"interactionModel":{"languageModel":{"invocationName":"my skill","intents":[
        {"name":"AMAZON.CancelIntent","samples":[]},{"name":"AMAZON.HelpIntent","samples":[]},
        {"name":"AMAZON.StopIntent","samples":[]},{"name":"AMAZON.NavigateHomeIntent","samples":[]},
        {"name":"OneIntent","samples":["turn on the light"]},
        {"name":"TwoIntent","samples":["turn on the light", "dim the {level}"]}]}}}"#,
    )
    .unwrap();
    let out = skillgate(&["model", "check", bad.to_str().unwrap()], "");
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("invocation-wake-word"), "{stdout}");
    assert!(
        stdout.contains("conflict-intents] interactionModel.languageModel.intents[5].samples[0]"),
        "{stdout}"
    );
    assert!(
        stdout
            .contains("sample-unknown-slot] interactionModel.languageModel.intents[5].samples[1]"),
        "{stdout}"
    );

    let malformed = dir.path().join("malformed.json");
    std::fs::write(&malformed, r#"{"interactionModel":{"languageModel":{"invocationName":"x","intents":[{"name":"A","samples":"oops"}]}}}"#).unwrap();
    let out = skillgate(&["model", "check", malformed.to_str().unwrap()], "");
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("interactionModel.languageModel.intents[0].samples"),
        "{stderr}"
    );
}

#[test]
fn model_export_reproduces_the_home_console_json() {
    let committed: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../examples/home/interaction-model.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let out = skillgate(&["model", "export", "--skill", "home"], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let printed: serde_json::Value = serde_json::from_str(&text(&out.stdout)).unwrap();
    assert_eq!(printed, committed);
    let dir = tempfile::tempdir().unwrap();
    let out = skillgate(
        &["model", "export", "--out", dir.path().to_str().unwrap()],
        "",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("en-US.json")).unwrap())
            .unwrap();
    assert_eq!(written, committed);
    let out = skillgate(&["model", "export", "--skill", "nope"], "");
    assert_eq!(out.status.code(), Some(1));
}
