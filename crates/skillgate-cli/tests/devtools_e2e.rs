//! End to end through the real binary: `dev-ca init` → `serve --dev-ca` → `invoke` /
//! `dialog` over HTTPS with full verification, and the two refusals that make the dev CA
//! safe: no switch → dev-signed requests fail; switch on → another CA's requests fail.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_skillgate");

/// Runs `skillgate --data-dir DATA ARGS…` to completion.
fn skillgate(data: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("SKILLGATE_DATA_DIR")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn init_dev_ca(data: &Path) {
    let out = skillgate(data, &["dev-ca", "init"]);
    assert!(out.status.success(), "dev-ca init: {}", text(&out.stderr));
}

/// A `skillgate serve` child on a free loopback port, killed on drop.
struct Server {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Server {
    fn start(data: &Path, extra: &[&str]) -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let listen = format!("127.0.0.1:{port}");
        let log = data.join(format!("serve-{port}.log"));
        let log_file = std::fs::File::create(&log).unwrap();
        let child = Command::new(BIN)
            .arg("--data-dir")
            .arg(data)
            .arg("serve")
            .args(["--listen", &listen])
            .args(extra)
            .env_remove("SKILLGATE_DATA_DIR")
            .env("SKILLGATE_LISTEN", &listen)
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().unwrap())
            .stderr(log_file)
            .spawn()
            .unwrap();
        let mut server = Self { child, port, log };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            if let Some(status) = server.child.try_wait().unwrap() {
                panic!("serve exited ({status}): {}", server.log_text());
            }
            assert!(
                Instant::now() < deadline,
                "serve did not listen within 30 s: {}",
                server.log_text()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }

    fn url(&self) -> String {
        format!("https://127.0.0.1:{}/alexa", self.port)
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn quick_start_launch_passes_full_verification() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    init_dev_ca(data);
    let server = Server::start(data, &["--dev-ca"]);

    let out = skillgate(data, &["invoke", &server.url(), "--launch"]);
    let stdout = text(&out.stdout);
    assert!(
        out.status.success(),
        "invoke failed: {stdout}{}\nserver: {}",
        text(&out.stderr),
        server.log_text()
    );
    let speech = stdout
        .lines()
        .find_map(|l| l.strip_prefix("Speech: "))
        .unwrap_or_else(|| panic!("no speech line in {stdout}"));
    assert!(speech.split_whitespace().count() >= 3, "{stdout}");
    assert!(
        stdout.lines().any(|l| l == "Session: stays open"),
        "{stdout}"
    );

    // --json: exactly the response envelope on stdout.
    let out = skillgate(
        data,
        &[
            "invoke",
            &server.url(),
            "--intent",
            "AMAZON.StopIntent",
            "--json",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let envelope: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(envelope["version"], "1.0");
    assert_eq!(envelope["response"]["shouldEndSession"], true);
}

#[test]
fn scripted_dialog_walks_the_home_skill() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    init_dev_ca(data);
    let server = Server::start(data, &["--dev-ca"]);
    let script = data.join("home.dialog");
    std::fs::write(
        &script,
        "# the home skill's multi-turn flow
launch
expect session open
TurnOnIntent room=kitchen
expect directive Dialog.ElicitSlot
expect session open
=light
expect speech contains kitchen light is on
DeviceStatusIntent
expect speech contains kitchen light
AMAZON.StopIntent
expect session ends
",
    )
    .unwrap();
    let out = skillgate(
        data,
        &[
            "dialog",
            &server.url(),
            "--script",
            script.to_str().unwrap(),
        ],
    );
    let stdout = text(&out.stdout);
    assert!(
        out.status.success(),
        "dialog failed:\n{stdout}{}\nserver: {}",
        text(&out.stderr),
        server.log_text()
    );
    assert!(
        stdout.contains("Directive: Dialog.ElicitSlot (asks for slot \"device\")"),
        "{stdout}"
    );
    assert!(!stdout.contains("FAILED"), "{stdout}");
    assert_eq!(stdout.matches("  ok").count(), 6, "{stdout}");

    // A failed expectation fails the run.
    std::fs::write(&script, "launch\nexpect speech contains zebra-crossing\n").unwrap();
    let out = skillgate(
        data,
        &[
            "dialog",
            &server.url(),
            "--script",
            script.to_str().unwrap(),
        ],
    );
    let stdout = text(&out.stdout);
    assert!(!out.status.success(), "{stdout}");
    assert!(stdout.contains("FAILED (line 2)"), "{stdout}");
}

#[test]
fn dev_signed_requests_fail_without_the_switch() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    init_dev_ca(data);
    let server = Server::start(data, &[]);
    let out = skillgate(data, &["invoke", &server.url(), "--launch"]);
    assert!(!out.status.success(), "{}", text(&out.stdout));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("HTTP 400"), "{stderr}");
    assert!(!text(&out.stdout).contains("Speech:"));
}

#[test]
fn another_ca_is_refused_with_the_switch_on() {
    let dir = tempfile::tempdir().unwrap();
    let trusted = dir.path().join("trusted");
    let other = dir.path().join("other");
    init_dev_ca(&trusted);
    init_dev_ca(&other);
    let server = Server::start(&trusted, &["--dev-ca"]);
    let server_cert = trusted.join("tls/cert.pem");
    let out = skillgate(
        &other,
        &[
            "invoke",
            &server.url(),
            "--launch",
            "--cacert",
            server_cert.to_str().unwrap(),
        ],
    );
    let stderr = text(&out.stderr);
    assert!(!out.status.success(), "{}", text(&out.stdout));
    assert!(stderr.contains("HTTP 400"), "{stderr}");
    // The same request signed by the trusted CA passes: the refusal is about the signer.
    let out = skillgate(&trusted, &["invoke", &server.url(), "--launch"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn sign_writes_bodies_and_headers() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    init_dev_ca(data);
    let out_dir = data.join("bodies");
    let out = skillgate(
        data,
        &[
            "sign",
            "--count",
            "3",
            "--out",
            out_dir.to_str().unwrap(),
            "--intent",
            "TurnOnIntent",
            "--slot",
            "device=light",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut ids = Vec::new();
    for i in 1..=3 {
        let body = std::fs::read(out_dir.join(format!("body-{i:04}.json"))).unwrap();
        let envelope: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            envelope["request"]["intent"]["slots"]["device"]["value"],
            "light"
        );
        ids.push(
            envelope["request"]["requestId"]
                .as_str()
                .unwrap()
                .to_string(),
        );
        let headers = std::fs::read_to_string(out_dir.join(format!("headers-{i:04}.txt"))).unwrap();
        let names: Vec<&str> = headers
            .lines()
            .map(|l| l.split_once(": ").unwrap().0)
            .collect();
        assert_eq!(
            names,
            [
                "Content-Type",
                "SignatureCertChainUrl",
                "Signature",
                "Signature-256"
            ]
        );
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 3, "request ids must be distinct");
}

#[test]
fn invoke_without_a_dev_ca_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let out = skillgate(
        dir.path(),
        &["invoke", "https://127.0.0.1:9/alexa", "--launch"],
    );
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("skillgate dev-ca init"),
        "{}",
        text(&out.stderr)
    );
    // And init refuses to overwrite.
    init_dev_ca(dir.path());
    let out = skillgate(dir.path(), &["dev-ca", "init"]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("--force"));
}

#[test]
fn a_recorded_exchange_replays_against_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    init_dev_ca(data);
    let record = data.join("recorded");
    let server = Server::start(data, &["--dev-ca", "--record", record.to_str().unwrap()]);
    let args = [
        "invoke",
        &server.url(),
        "--intent",
        "TurnOnIntent",
        "--slot",
        "device=light",
        "--slot",
        "room=kitchen",
    ];
    let first = skillgate(data, &args);
    assert!(first.status.success(), "{}", text(&first.stderr));

    let deadline = Instant::now() + Duration::from_secs(10);
    let file = loop {
        let found = std::fs::read_dir(&record)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|x| x == "json"));
        if let Some(f) = found {
            break f;
        }
        assert!(
            Instant::now() < deadline,
            "nothing recorded: {}",
            server.log_text()
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let replay = skillgate(
        data,
        &["invoke", &server.url(), "--file", file.to_str().unwrap()],
    );
    assert!(
        replay.status.success(),
        "replay failed: {}\nserver: {}",
        text(&replay.stderr),
        server.log_text()
    );
    let speech = |o: &Output| {
        text(&o.stdout)
            .lines()
            .find(|l| l.starts_with("Speech: "))
            .map(str::to_string)
    };
    // The replay reaches the same skill state (same user): the light is already on.
    let first = speech(&first).unwrap();
    let again = speech(&replay).unwrap();
    assert!(first.contains("kitchen light"), "{first}");
    assert!(
        again.contains("kitchen light") && again.contains("already"),
        "{again}"
    );
}

#[test]
fn dialog_reads_standard_input_until_quit() {
    use std::io::Write as _;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    init_dev_ca(data);
    let server = Server::start(data, &["--dev-ca"]);
    let mut child = Command::new(BIN)
        .arg("--data-dir")
        .arg(data)
        .args(["dialog", &server.url()])
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
        .write_all(b"launch\nexpect speech contains welcome\nquit\nAMAZON.HelpIntent\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("> launch") && stdout.contains("  ok"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("AMAZON.HelpIntent"),
        "read past quit: {stdout}"
    );
}
