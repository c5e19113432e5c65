//! `check-config` and `serve` run the same plan step: every configuration `serve` refuses,
//! `check-config` refuses too, naming the same key; the ones `check-config` accepts start.
//! Both run as the real binary on the same files.

mod server_common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use server_common::*;

const SKILL: &str = "name = \"a\"\napplication_ids = [\"amzn1.ask.skill.1\"]\n";

/// A configuration listening on a free loopback port, with `body` appended.
fn config(dir: &Path, name: &str, body: &str) -> (std::path::PathBuf, u16) {
    let file = dir.join(format!("{name}.toml"));
    let port = free_port();
    let text = format!("listen = \"127.0.0.1:{port}\"\n{body}");
    std::fs::write(&file, text).unwrap();
    (file, port)
}

/// `serve --config FILE`: `Err(stderr)` when it exits by itself, `Ok(())` once it listens on
/// `port` (it started; it is then killed). Bounded at 20 s.
fn serve_outcome(data: &Path, (file, port): &(std::path::PathBuf, u16)) -> Result<(), String> {
    let mut child = Command::new(BIN)
        .arg("--data-dir")
        .arg(data)
        .args(["serve", "--config"])
        .arg(file)
        .env_remove("SKILLGATE_CONFIG")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(20) {
        if let Some(_status) = child.try_wait().unwrap() {
            let out = child.wait_with_output().unwrap();
            return Err(String::from_utf8_lossy(&out.stderr).into_owned());
        }
        if std::net::TcpStream::connect(("127.0.0.1", *port)).is_ok() {
            let _ = child.kill();
            let _ = child.wait();
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    Err("neither exited nor listened within 20 s".to_owned())
}

fn check_config(data: &Path, file: &Path) -> (bool, String) {
    let out = skillgate(data, &["check-config", file.to_str().unwrap()]);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn check_config_refuses_exactly_what_serve_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let d = dir.path();
    // Files the broken configurations point at.
    std::fs::write(d.join("garbage.pem"), "not a certificate\n").unwrap();
    std::fs::write(d.join("a-file"), "x").unwrap();
    for name in ["one", "two"] {
        let out = skillgate(
            &data,
            &[
                "cert",
                "self-signed",
                "--domain",
                "skill.example.com",
                "--out",
                d.join(name).to_str().unwrap(),
            ],
        );
        assert!(out.status.success(), "{out:?}");
    }
    let p = |rel: &str| d.join(rel).display().to_string();
    let broken: Vec<(&str, String, &str)> = vec![
        (
            "timeout",
            format!("[limits]\nhandler_timeout_ms = 0\n[[skill]]\n{SKILL}handler = \"home\"\n"),
            "limits.handler_timeout_ms",
        ),
        (
            "native",
            format!("[[skill]]\n{SKILL}handler = \"nosuch\"\n"),
            "skill[0].handler",
        ),
        (
            "missing-cert",
            format!(
                "[tls]\ncert = \"{}\"\nkey = \"{}\"\n[[skill]]\n{SKILL}handler = \"hello\"\n",
                p("nowhere/cert.pem"),
                p("nowhere/key.pem")
            ),
            "tls.cert",
        ),
        (
            "mismatched-key",
            format!(
                "[tls]\ncert = \"{}\"\nkey = \"{}\"\n[[skill]]\n{SKILL}handler = \"hello\"\n",
                p("one/cert.pem"),
                p("two/key.pem")
            ),
            "tls.cert",
        ),
        (
            "anchor",
            format!(
                "[dev]\nextra_trust_anchors = [\"{}\"]\n[[skill]]\n{SKILL}handler = \"hello\"\n",
                p("garbage.pem")
            ),
            "dev.extra_trust_anchors[0]",
        ),
        (
            "record",
            format!(
                "record_dir = \"{}\"\n[[skill]]\n{SKILL}handler = \"hello\"\n",
                p("a-file")
            ),
            "record_dir",
        ),
        (
            "upstream",
            format!("[[skill]]\n{SKILL}upstream = \"ftp://127.0.0.1/alexa\"\n"),
            "skill[0].upstream",
        ),
        (
            "rediss",
            format!(
                "[verify]\nshared_state = \"rediss://127.0.0.1:6380/0\"\n[[skill]]\n{SKILL}handler = \"hello\"\n"
            ),
            "verify.shared_state",
        ),
        (
            "store",
            format!(
                "[attributes]\nurl = \"mysql://app@127.0.0.1/skill\"\n[[skill]]\n{SKILL}handler = \"home\"\n"
            ),
            "attributes.url",
        ),
    ];
    for (name, body, key) in &broken {
        let file = config(d, name, body);
        let (ok, text) = check_config(&data, &file.0);
        assert!(!ok, "{name}: check-config accepted it:\n{text}");
        assert!(
            text.contains(key),
            "{name}: check-config did not name {key}:\n{text}"
        );
        let served = serve_outcome(&data, &file);
        assert!(
            served.is_err(),
            "{name}: serve started although check-config refused"
        );
    }

    // Every problem at once, each with its key.
    let (file, _) = config(
        d,
        "several",
        &format!(
            "[limits]\nmax_connections = 0\n[[skill]]\n{SKILL}handler = \"nosuch\"\n\
             [[skill]]\nname = \"b\"\npath = \"/b\"\napplication_ids = [\"amzn1.ask.skill.2\"]\n\
             upstream = \"ftp://x\"\n"
        ),
    );
    let (ok, text) = check_config(&data, &file);
    assert!(!ok);
    for key in [
        "limits.max_connections",
        "skill[0].handler",
        "skill[1].upstream",
    ] {
        assert!(text.contains(key), "{key} missing:\n{text}");
    }
    assert!(text.contains("3 problems"), "{text}");

    // What check-config accepts, serve starts.
    let good = [
        format!("[[skill]]\n{SKILL}handler = \"hello\"\n"),
        format!(
            "[tls]\ncert = \"{}\"\nkey = \"{}\"\n[[skill]]\n{SKILL}handler = \"hello\"\n",
            p("one/cert.pem"),
            p("one/key.pem")
        ),
        format!("[[skill]]\n{SKILL}upstream = \"http://127.0.0.1:9/alexa\"\n"),
    ];
    for (index, body) in good.iter().enumerate() {
        let file = config(d, &format!("good{index}"), body);
        let (ok, text) = check_config(&data, &file.0);
        assert!(ok, "good{index}: {text}");
        let served = serve_outcome(&data, &file);
        assert!(served.is_ok(), "good{index}: serve refused: {served:?}");
    }
}
