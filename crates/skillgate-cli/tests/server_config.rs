//! The real binary: `init` writes a config that `check-config` accepts, `check-config`
//! names what is wrong, `cert self-signed` writes a usable certificate, and `serve` with no
//! arguments answers on 8443-style defaults (port overridden here).

mod server_common;

use std::time::Duration;

use server_common::*;

#[test]
fn init_writes_a_config_that_check_config_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("skillgate.toml");
    let out = skillgate(dir.path(), &["init", "--output", file.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = skillgate(dir.path(), &["check-config", file.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("ok"));
    // No silent overwrite.
    let out = skillgate(dir.path(), &["init", "--output", file.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--force"));
}

#[test]
fn check_config_names_the_problem_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("listen = 5\n", "listen"),
        (
            "[[skill]]\nname = \"a\"\nhandler = \"home\"\n",
            "application_ids",
        ),
        (
            "[[skill]]\nname = \"a\"\napplication_ids = [\"x\"]\nhandler = \"nosuch\"\n",
            "nosuch",
        ),
        (
            "[verify]\ntimestamp_tolerance_secs = 600\n[[skill]]\nname = \"a\"\napplication_ids = [\"x\"]\nhandler = \"home\"\n",
            "150",
        ),
        (
            "[[tls.certificate]]\ncert = \"/nonexistent/c.pem\"\nkey = \"/nonexistent/k.pem\"\n[[skill]]\nname = \"a\"\napplication_ids = [\"x\"]\nhandler = \"home\"\n",
            "/nonexistent/c.pem",
        ),
    ];
    for (text, expected) in cases {
        let file = dir.path().join("bad.toml");
        std::fs::write(&file, text).unwrap();
        let out = skillgate(dir.path(), &["check-config", file.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{text}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(expected), "{text}: {err}");
    }
}

#[test]
fn cert_self_signed_writes_a_servable_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("certs");
    let out = skillgate(
        dir.path(),
        &[
            "cert",
            "self-signed",
            "--domain",
            "skill.example.com",
            "--out",
            out_dir.to_str().unwrap(),
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("self-signed certificate"), "{stdout}");
    let pem = std::fs::read_to_string(out_dir.join("cert.pem")).unwrap();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"));
    // It loads as a server certificate.
    let cfg = dir.path().join("c.toml");
    std::fs::write(
        &cfg,
        format!(
            "[tls]\ncert = \"{0}/cert.pem\"\nkey = \"{0}/key.pem\"\n[[skill]]\nname = \"a\"\napplication_ids = [\"x\"]\nhandler = \"hello\"\n",
            out_dir.display()
        ),
    )
    .unwrap();
    let out = skillgate(dir.path(), &["check-config", cfg.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Not a DNS name: refused.
    let out = skillgate(
        dir.path(),
        &[
            "cert",
            "self-signed",
            "--domain",
            "not a name",
            "--out",
            out_dir.to_str().unwrap(),
            "--force",
        ],
    );
    assert!(!out.status.success());
}

#[test]
fn serve_without_config_starts_the_demo_with_a_dev_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let mut server = serve(&data, &["--listen", &listen], port);
    // Wait (bounded) for the banner.
    let start = std::time::Instant::now();
    while !server.log_text().contains("Next steps") {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{}",
            server.log_text()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let log = server.log_text();
    assert!(
        log.contains(&format!("https://127.0.0.1:{port}/alexa")),
        "{log}"
    );
    assert!(log.contains("ANY application id"), "{log}");
    assert!(log.contains("skillgate dev-ca init"), "{log}");
    assert!(data.join("tls/cert.pem").is_file());
    assert!(data.join("tls/key.pem").is_file());
    server.signal("INT");
    assert!(server.wait_exit(Duration::from_secs(15)).success());
    // The second start reuses the certificate.
    let before = std::fs::read(data.join("tls/cert.pem")).unwrap();
    let mut again = serve(&data, &["--listen", &listen], port);
    while !again.log_text().contains("Next steps") {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "{}",
            again.log_text()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(again.log_text().contains("reused"));
    assert_eq!(std::fs::read(data.join("tls/cert.pem")).unwrap(), before);
    again.signal("TERM");
    assert!(again.wait_exit(Duration::from_secs(15)).success());
}

#[test]
fn json_logs_carry_the_request_and_mask_the_user() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert!(skillgate(&data, &["dev-ca", "init"]).status.success());
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let server = serve(
        &data,
        &["--dev-ca", "--log-format", "json", "--listen", &listen],
        port,
    );
    let user = "amzn1.ask.account.SECRETSECRETSECRETSECRET1234";
    let out = skillgate(
        &data,
        &[
            "invoke",
            &format!("https://127.0.0.1:{port}/alexa"),
            "--intent",
            "AMAZON.HelpIntent",
            "--user",
            user,
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let start = std::time::Instant::now();
    let line = loop {
        let log = server.log_text();
        if let Some(line) = log.lines().find(|l| l.contains("\"alexa request\"")) {
            break line.to_owned();
        }
        assert!(start.elapsed() < Duration::from_secs(10), "{log}");
        std::thread::sleep(Duration::from_millis(50));
    };
    let v: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(v["request_type"], "IntentRequest", "{line}");
    assert_eq!(v["intent"], "AMAZON.HelpIntent", "{line}");
    assert_eq!(v["skill"], "home", "{line}");
    assert_eq!(v["status"], 200, "{line}");
    assert!(
        v["request_id"]
            .as_str()
            .unwrap()
            .starts_with("amzn1.echo-api.request.")
    );
    assert_eq!(v["user"], "amzn1.ask.account.…1234", "{line}");
    assert!(!server.log_text().contains("SECRETSECRET"));
}
