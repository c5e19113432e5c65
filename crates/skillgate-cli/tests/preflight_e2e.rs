//! `skillgate preflight` against `skillgate serve` itself (a real process on 127.0.0.1, with
//! an Alexa self-signed certificate for `skill.test` and the development CA): every check
//! passes, in both modes. Wrong servers are in `crates/skillgate-preflight/tests/servers.rs`.

mod server_common;

use std::path::Path;
use std::process::Output;

use server_common::{free_port, serve, skillgate};

const HOST: &str = "skill.test";
const APP: &str = "amzn1.ask.skill.5b3c1a2e-7d4f-4e8a-9c6b-0123456789ab";

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A data directory with the dev CA, a self-signed certificate for HOST and a config
/// serving the `hello` skill for APP on 127.0.0.1:`port`. Returns the config path.
fn setup(data: &Path, port: u16) -> std::path::PathBuf {
    let out = skillgate(data, &["dev-ca", "init"]);
    assert!(out.status.success(), "dev-ca init: {}", text(&out.stderr));
    let tls = data.join("self-signed");
    let out = skillgate(
        data,
        &[
            "cert",
            "self-signed",
            "--domain",
            HOST,
            "--out",
            tls.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "cert: {}", text(&out.stderr));
    let cfg = data.join("skillgate.toml");
    std::fs::write(
        &cfg,
        format!(
            "listen = \"127.0.0.1:{port}\"\n[tls]\ncert = \"{0}/cert.pem\"\nkey = \"{0}/key.pem\"\n\
             [[skill]]\nname = \"hello\"\napplication_ids = [\"{APP}\"]\nhandler = \"hello\"\n",
            tls.display()
        ),
    )
    .unwrap();
    cfg
}

fn preflight(data: &Path, port: u16, extra: &[&str]) -> Output {
    let resolve = format!("{HOST}:127.0.0.1:{port}");
    let cert = data.join("self-signed/cert.pem");
    let mut args = vec![
        "preflight",
        "https://skill.test/alexa",
        "--resolve",
        &resolve,
        "--self-signed",
        cert.to_str().unwrap(),
        "--timeout",
        "5",
    ];
    args.extend_from_slice(extra);
    skillgate(data, &args)
}

fn report(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            text(&out.stdout),
            text(&out.stderr)
        )
    })
}

fn outcome<'a>(report: &'a serde_json::Value, id: &str) -> &'a str {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .and_then(|c| c["outcome"].as_str())
        .unwrap_or("missing")
}

#[test]
fn skillgate_serve_passes_every_check() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let cfg = setup(dir.path(), port);
    let _server = serve(
        dir.path(),
        &["--config", cfg.to_str().unwrap(), "--dev-ca"],
        port,
    );

    // Amazon mode: unsigned cases (the server cannot reach Amazon here; it still answers 400).
    let out = preflight(dir.path(), port, &["--app-id", APP, "--json"]);
    let r = report(&out);
    assert!(out.status.success(), "{r:#}");
    assert_eq!(r["passed"], true);
    assert_eq!(r["mode"], "amazon");
    assert_eq!(r["checks"].as_array().unwrap().len(), 7 + 12);
    assert_eq!(outcome(&r, "tls_port_443"), "pass");
    assert_eq!(outcome(&r, "timestamp_outside_150s"), "pass");

    // Development CA mode: the content rules are exercised with valid signatures, and a
    // correctly signed request is answered.
    let out = preflight(dir.path(), port, &["--app-id", APP, "--dev-ca"]);
    let human = text(&out.stdout);
    assert!(out.status.success(), "{human}\n{}", text(&out.stderr));
    assert!(human.contains("PASS  valid_dev_ca_request"), "{human}");
    assert!(human.contains("PASS  wrong_signature_dev_chain"), "{human}");
    assert!(human.contains("result: all 21 checks passed"), "{human}");

    // The same run with another application id than the server's: the one request that
    // must be accepted is refused, and preflight says so and exits 1.
    let other = "amzn1.ask.skill.00000000-1111-4222-8333-444444444444";
    let out = preflight(dir.path(), port, &["--app-id", other, "--dev-ca", "--json"]);
    let r = report(&out);
    assert_eq!(out.status.code(), Some(1), "{r:#}");
    assert_eq!(outcome(&r, "valid_dev_ca_request"), "fail");
    assert_eq!(outcome(&r, "foreign_application_id"), "pass");
}

#[test]
fn unusable_arguments_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        vec!["preflight", "http://skill.test/alexa"],
        vec![
            "preflight",
            "https://skill.test/alexa",
            "--resolve",
            "other.test:127.0.0.1",
        ],
        vec![
            "preflight",
            "https://skill.test/alexa",
            "--self-signed",
            "/nonexistent.pem",
        ],
    ] {
        let out = skillgate(dir.path(), &args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(
            text(&out.stderr).starts_with("error:"),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
}
