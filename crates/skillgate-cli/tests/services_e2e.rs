//! The home skill calls Alexa back through the real binaries: `serve --dev-ca` trusts the
//! mock Alexa API that `dialog` starts; the dialog grants, denies and re-grants a permission,
//! creates, lists and deletes a reminder, meets a slow API, and gets a long answer on the
//! next turn — with the mock's state (and the long answer) carried across dialog runs.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_skillgate");
const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../examples/home/requests/services.dialog"
);

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

struct Server {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Server {
    fn start(data: &Path) -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let listen = format!("127.0.0.1:{port}");
        let log = data.join("serve.log");
        let log_file = std::fs::File::create(&log).unwrap();
        let child = Command::new(BIN)
            .arg("--data-dir")
            .arg(data)
            .args(["serve", "--dev-ca", "--listen", &listen])
            .env_remove("SKILLGATE_DATA_DIR")
            .env("SKILLGATE_LISTEN", &listen)
            .env("HOME_ENERGY_REPORT_MS", "5000")
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().unwrap())
            .stderr(log_file)
            .spawn()
            .unwrap();
        let mut server = Self { child, port, log };
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Some(status) = server.child.try_wait().unwrap() {
                panic!("serve exited ({status}): {}", server.log_text());
            }
            assert!(Instant::now() < deadline, "serve did not listen");
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

fn dialog(data: &Path, server: &Server, script: &Path) -> String {
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
    stdout
}

#[test]
fn home_calls_alexa_back_through_the_mock() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let out = skillgate(data, &["dev-ca", "init"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let server = Server::start(data);

    let stdout = dialog(data, &server, Path::new(SCRIPT));
    assert!(!stdout.contains("FAILED"), "{stdout}");
    for call in [
        "→ POST /v1/alerts/reminders 401",
        "→ POST /v1/alerts/reminders 200",
        "→ GET /v1/alerts/reminders 200",
        "→ POST /v2/householdlists/mock-shopping-list/items 201",
        "→ DELETE /v1/alerts/reminders/",
        "(held back 6000 ms)",
        "→ POST /v1/directives 204",
    ] {
        assert!(stdout.contains(call), "{call} missing:\n{stdout}");
    }
    assert!(
        stdout.contains("Card: AskForPermissionsConsent"),
        "{stdout}"
    );

    // The next dialog run (a new process, a new mock on another port): the long answer is
    // delivered, and the mock's state is still there (the shopping list item).
    let next = data.join("next.dialog");
    std::fs::write(
        &next,
        "EnergyReportIntent\nexpect speech contains kilowatt hours\n\
         SetReminderIntent minutes=1\nListRemindersIntent\nexpect speech contains 1 reminders\n",
    )
    .unwrap();
    let stdout = dialog(data, &server, &next);
    assert!(!stdout.contains("FAILED"), "{stdout}");
    let state = std::fs::read_to_string(data.join("mock-alexa-api/state.json")).unwrap();
    assert!(state.contains("\"milk\""), "{state}");
}

#[test]
fn invoke_points_the_request_at_the_mock_and_prints_its_calls() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let out = skillgate(data, &["dev-ca", "init"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let server = Server::start(data);
    let out = skillgate(
        data,
        &["invoke", &server.url(), "--intent", "TimeZoneIntent"],
    );
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(stdout.contains("Europe/Berlin"), "{stdout}");
    assert!(stderr.contains("→ GET /v2/devices/"), "{stderr}");
}
