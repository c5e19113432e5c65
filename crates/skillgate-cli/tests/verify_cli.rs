//! `skillgate verify` against the real Alexa captures: exit 0 when every check passes, 1 when
//! one fails, 2 on a usage error.

use std::path::PathBuf;
use std::process::{Command, Output};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/alexa")
}

const APP_ID: &str = "amzn1.ask.skill.28c32583-4c23-48de-9745-cbb8bf051873";

/// The header lines of a capture, as `--header` arguments.
fn header_args(name: &str) -> Vec<String> {
    let text =
        std::fs::read_to_string(fixtures().join(format!("requests/{name}.headers.txt"))).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .flat_map(|l| ["--header".to_owned(), l.to_owned()])
        .collect()
}

fn launch_args() -> Vec<String> {
    let f = fixtures();
    let mut args = vec![
        "verify".to_owned(),
        "--body".to_owned(),
        f.join("requests/2018-07-launch.body.json")
            .display()
            .to_string(),
    ];
    args.extend(header_args("2018-07-launch"));
    args.extend(
        [
            "--at",
            "2018-07-03T12:37:50Z",
            "--allow-sha1",
            "--chain",
            &f.join("chains/echo-api-cert-6-ats.pem")
                .display()
                .to_string(),
            "--app-id",
            APP_ID,
        ]
        .map(str::to_owned),
    );
    args
}

fn skillgate(args: &[String]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_skillgate"))
        .args(args)
        .env_remove("SKILLGATE_DATA_DIR")
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn replace(args: &mut [String], flag: &str, value: &str) {
    let i = args.iter().position(|a| a == flag).unwrap();
    args[i + 1] = value.to_owned();
}

const CHECKS: [&str; 12] = [
    "headers",
    "cert_url",
    "signature_encoding",
    "chain_download",
    "chain_parse",
    "chain_dates",
    "chain_trust",
    "subject_name",
    "signature",
    "body_json",
    "timestamp",
    "application_id",
];

#[test]
fn the_2018_launch_capture_passes_every_check() {
    let out = skillgate(&launch_args());
    let text = stdout(&out);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<_> = text.lines().take(CHECKS.len()).collect();
    let expected: Vec<_> = CHECKS.iter().map(|c| format!("PASS {c}")).collect();
    assert_eq!(lines, expected);
    // Offline there is no replay cache: that check is reported as skipped, never passed.
    assert_eq!(
        text.lines().nth(CHECKS.len()),
        Some("SKIP replay (no replay cache offline)")
    );
    assert!(text.contains(APP_ID));
}

fn assert_fails_at(args: &[String], check: &str) -> String {
    let out = skillgate(args);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let at = CHECKS.iter().position(|c| *c == check).unwrap();
    for (i, c) in CHECKS.iter().enumerate() {
        let line = text.lines().nth(i).unwrap();
        if i < at {
            assert_eq!(line, format!("PASS {c}"));
        } else if i == at {
            assert!(line.starts_with(&format!("FAIL {c}: ")), "{line}");
        } else {
            assert_eq!(line, format!("SKIP {c}"));
        }
    }
    text
}

#[test]
fn a_changed_body_fails_the_signature() {
    let dir = tempfile::tempdir().unwrap();
    let mut body = std::fs::read(fixtures().join("requests/2018-07-launch.body.json")).unwrap();
    let i = body.iter().position(|&b| b == b'L').unwrap();
    body[i] = b'l';
    let path = dir.path().join("body.json");
    std::fs::write(&path, body).unwrap();
    let mut args = launch_args();
    replace(&mut args, "--body", &path.display().to_string());
    assert_fails_at(&args, "signature");
}

#[test]
fn the_wrong_time_fails_the_timestamp_or_dates() {
    let mut args = launch_args();
    replace(&mut args, "--at", "2018-07-03T12:40:17Z");
    assert_fails_at(&args, "timestamp");
    replace(&mut args, "--at", "2018-07-03T12:35:15+00:00");
    assert_fails_at(&args, "timestamp");
    replace(&mut args, "--at", "2030-01-01T00:00:00Z");
    assert_fails_at(&args, "chain_dates");
}

#[test]
fn a_wrong_app_id_fails() {
    let mut args = launch_args();
    replace(&mut args, "--app-id", "amzn1.ask.skill.someone-else");
    let text = assert_fails_at(&args, "application_id");
    assert!(text.contains("unknown_application_id"));
}

#[test]
fn sha1_must_be_allowed_explicitly() {
    let args: Vec<String> = launch_args()
        .into_iter()
        .filter(|a| a != "--allow-sha1")
        .collect();
    assert_fails_at(&args, "headers");
}

#[test]
fn the_url_is_checked_even_with_a_chain_file() {
    let mut args = launch_args();
    let i = args
        .iter()
        .position(|a| a.starts_with("SignatureCertChainUrl"))
        .unwrap();
    args[i] =
        "SignatureCertChainUrl: https://s3.amazonaws.com/echo.api/../evil/echo-api-cert-6-ats.pem"
            .to_owned();
    assert_fails_at(&args, "cert_url");
}

#[test]
fn a_retired_root_chain_passes_with_its_intermediate_as_trust_anchor() {
    let f = fixtures();
    let dir = tempfile::tempdir().unwrap();
    let chain = std::fs::read_to_string(f.join("chains/echo-api-cert-4.pem")).unwrap();
    let second = chain
        .match_indices("-----BEGIN CERTIFICATE-----")
        .nth(1)
        .map(|(i, _)| &chain[i..])
        .unwrap();
    let anchor = dir.path().join("anchor.pem");
    std::fs::write(&anchor, second).unwrap();
    let mut args = vec![
        "verify".to_owned(),
        "--body".to_owned(),
        f.join("requests/2017-02-intent.body.json")
            .display()
            .to_string(),
    ];
    args.extend(header_args("2017-02-intent"));
    args.extend(
        [
            "--at",
            "2017-02-10T07:28:00Z",
            "--allow-sha1",
            "--chain",
            &f.join("chains/echo-api-cert-4.pem").display().to_string(),
        ]
        .map(str::to_owned),
    );
    assert_fails_at(&args, "chain_trust");
    args.extend(["--trust-anchor".to_owned(), anchor.display().to_string()]);
    let out = skillgate(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

#[test]
fn usage_errors_exit_2() {
    let mut missing_body = launch_args();
    replace(&mut missing_body, "--body", "/nonexistent/body.json");
    let mut missing_chain = launch_args();
    replace(&mut missing_chain, "--chain", "/nonexistent/chain.pem");
    let mut bad_at = launch_args();
    replace(&mut bad_at, "--at", "yesterday");
    let mut bad_header = launch_args();
    let i = bad_header.iter().position(|a| a == "--header").unwrap();
    bad_header[i + 1] = "no colon here".to_owned();
    let mut bad_anchor = launch_args();
    bad_anchor.extend([
        "--trust-anchor".to_owned(),
        fixtures()
            .join("requests/2018-07-launch.body.json")
            .display()
            .to_string(),
    ]);
    for args in [missing_body, missing_chain, bad_at, bad_header, bad_anchor] {
        let out = skillgate(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stdout(&out));
        assert!(stdout(&out).is_empty(), "no check lines on a usage error");
    }
    let out = skillgate(&["verify".to_owned(), "--unknown-flag".to_owned()]);
    assert_eq!(out.status.code(), Some(2));
}
