//! Persistent attributes end to end through the real binary: `serve --dev-ca` with the
//! demo `home` skill, requests signed and sent by `skillgate invoke`.
//!
//! - the embedded SQLite default keeps a device on across a restart, and across a kill -9
//!   right after the 200 answer;
//! - the same against PostgreSQL and Redis when `SKILLGATE_TEST_POSTGRES_URL` /
//!   `SKILLGATE_TEST_REDIS_URL` are set (`scripts/test` sets them and
//!   `SKILLGATE_REQUIRE_SERVICES=1`; otherwise these tests print a line and skip);
//! - a store that is down (SQLite write-locked by another process; PostgreSQL/Redis behind a
//!   proxy that stops answering) turns into the spoken apology within Alexa's deadline and a
//!   log line naming the store failure;
//! - a store that cannot be opened stops start-up with a message naming it.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_skillgate");
/// What the framework says when a handler (or the store behind it) fails.
const APOLOGY: &str = "Sorry, something went wrong. Please try again later.";
/// Alexa gives up after 8 seconds; the apology must come before that.
const ALEXA_DEADLINE: Duration = Duration::from_secs(8);
/// Variables that would change what the spawned binary does.
const SCRUBBED: &[&str] = &[
    "SKILLGATE_CONFIG",
    "SKILLGATE_DATA_DIR",
    "SKILLGATE_LISTEN",
    "SKILLGATE_ATTRIBUTES_URL",
    "SKILLGATE_TLS",
];

fn command(data: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.arg("--data-dir").arg(data).stdin(Stdio::null());
    for name in SCRUBBED {
        cmd.env_remove(name);
    }
    cmd
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A user id short name no earlier run used (PostgreSQL and Redis outlive the tests).
fn unique_user(test: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{test}-{}-{nanos}", std::process::id())
}

/// A data directory with the dev CA (`skillgate dev-ca init`) in it.
fn data_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let out = command(dir.path())
        .args(["dev-ca", "init"])
        .output()
        .unwrap();
    assert!(out.status.success(), "dev-ca init: {}", text(&out.stderr));
    dir
}

/// A config file serving the home skill on `/alexa` with `[attributes] url = URL`.
fn config_file(data: &Path, url: &str, timeout_ms: u64) -> PathBuf {
    let path = data.join("skillgate.toml");
    let body = format!(
        "[[skill]]\nname = \"home\"\nhandler = \"home\"\n\n[dev]\nany_application_id = true\n\n\
         [attributes]\nurl = {url:?}\ntimeout_ms = {timeout_ms}\n"
    );
    std::fs::write(&path, body).unwrap();
    path
}

/// A `skillgate serve --dev-ca` child on a free loopback port, killed on drop.
struct Server {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Server {
    /// Starts the server (with `--config FILE` when given) and waits until it listens.
    fn start(data: &Path, config: Option<&Path>) -> Self {
        let port = free_port();
        let log = data.join(format!("serve-{port}.log"));
        let file = std::fs::File::create(&log).unwrap();
        let mut cmd = command(data);
        cmd.arg("serve")
            .args(["--dev-ca", "--listen", &format!("127.0.0.1:{port}")]);
        if let Some(config) = config {
            cmd.arg("--config").arg(config);
        }
        let child = cmd
            .env("NO_COLOR", "1")
            .stdout(file.try_clone().unwrap())
            .stderr(file)
            .spawn()
            .unwrap();
        let mut server = Self { child, port, log };
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Some(status) = server.child.try_wait().unwrap() {
                panic!("serve exited ({status}): {}", server.log_text());
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
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

    /// kill -9 and reap.
    fn kill9(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// SIGTERM (graceful) and wait, bounded.
    fn stop(mut self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let start = Instant::now();
        while self.child.try_wait().unwrap().is_none() {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "no exit after TERM: {}",
                self.log_text()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `skillgate invoke URL ARGS… --user USER`: the spoken text, and how long it took.
fn say(data: &Path, server: &Server, user: &str, args: &[&str]) -> (String, Duration) {
    let start = Instant::now();
    let out: Output = command(data)
        .args(["invoke", &server.url(), "--user", user, "--timeout", "15"])
        .args(args)
        .output()
        .unwrap();
    let took = start.elapsed();
    let stdout = text(&out.stdout);
    assert!(
        out.status.success(),
        "invoke {args:?} failed: {stdout}{}\nserver: {}",
        text(&out.stderr),
        server.log_text()
    );
    let speech = stdout
        .lines()
        .find_map(|l| l.strip_prefix("Speech: "))
        .unwrap_or_else(|| panic!("no speech in {stdout}"))
        .to_owned();
    (speech, took)
}

fn turn_on_kitchen_light(data: &Path, server: &Server, user: &str) -> String {
    say(
        data,
        server,
        user,
        &[
            "--intent",
            "TurnOnIntent",
            "--slot",
            "device=light",
            "--slot",
            "room=kitchen",
        ],
    )
    .0
}

fn status(data: &Path, server: &Server, user: &str) -> String {
    say(data, server, user, &["--intent", "DeviceStatusIntent"]).0
}

/// Turns the light on, stops the server (kill -9 right after the 200 answer, or SIGTERM),
/// starts it again and checks the light is still on, for this user only.
fn survives_restart(data: &Path, config: Option<&Path>, user: &str, kill9: bool) {
    let server = Server::start(data, config);
    assert_eq!(status(data, &server, user), "Everything is off.");
    assert_eq!(
        turn_on_kitchen_light(data, &server, user),
        "Okay, the kitchen light is on."
    );
    if kill9 {
        server.kill9();
    } else {
        server.stop();
    }
    let server = Server::start(data, config);
    assert_eq!(
        status(data, &server, user),
        "The kitchen light is on.",
        "log: {}",
        server.log_text()
    );
    assert_eq!(
        turn_on_kitchen_light(data, &server, user),
        "The kitchen light is already on."
    );
    // Keys are per user: somebody else's home is untouched.
    let other = format!("{user}-other");
    assert_eq!(status(data, &server, &other), "Everything is off.");
}

/// The URL of a test server from `var`; `None` (with a printed line) when it is not set
/// and `SKILLGATE_REQUIRE_SERVICES` is not `1`.
fn service_url(var: &str, test: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("SKILLGATE_REQUIRE_SERVICES").as_deref() != Ok("1"),
                "SKILLGATE_REQUIRE_SERVICES=1 but {var} is not set: run `eval \"$(scripts/services)\"`"
            );
            println!("{test}: skipped, {var} is not set (see scripts/services)");
            None
        }
    }
}

#[test]
fn sqlite_default_keeps_the_light_on_across_a_restart() {
    let dir = data_dir();
    let data = dir.path();
    survives_restart(data, None, "alice", false);
    assert!(data.join("attributes.db").is_file());
    let server = Server::start(data, None);
    assert!(
        server.log_text().contains("Attributes store: sqlite"),
        "{}",
        server.log_text()
    );
}

#[test]
fn sqlite_kill_9_right_after_the_answer_loses_nothing() {
    let dir = data_dir();
    survives_restart(dir.path(), None, "bob", true);
}

#[test]
fn postgres_keeps_the_light_on_across_restart_and_kill_9() {
    let test = "postgres_keeps_the_light_on_across_restart_and_kill_9";
    let Some(url) = service_url("SKILLGATE_TEST_POSTGRES_URL", test) else {
        return;
    };
    let dir = data_dir();
    let config = config_file(dir.path(), &url, 2000);
    survives_restart(dir.path(), Some(&config), &unique_user("pg-term"), false);
    survives_restart(dir.path(), Some(&config), &unique_user("pg-kill"), true);
    assert!(!dir.path().join("attributes.db").exists());
}

#[test]
fn redis_keeps_the_light_on_across_restart_and_kill_9() {
    let test = "redis_keeps_the_light_on_across_restart_and_kill_9";
    let Some(url) = service_url("SKILLGATE_TEST_REDIS_URL", test) else {
        return;
    };
    let dir = data_dir();
    let config = config_file(dir.path(), &url, 2000);
    survives_restart(dir.path(), Some(&config), &unique_user("redis-term"), false);
    survives_restart(dir.path(), Some(&config), &unique_user("redis-kill"), true);
}

/// Checks that the store failure became the apology in time and a log line.
fn assert_apology_and_log(server: &Server, speech: &str, took: Duration) {
    assert_eq!(speech, APOLOGY, "log: {}", server.log_text());
    assert!(
        took < ALEXA_DEADLINE,
        "the apology took {took:?}, past Alexa's deadline"
    );
    let log = server.log_text();
    assert!(
        log.lines()
            .any(|l| l.contains("attributes store failed") && l.contains("ERROR")),
        "no log line naming the store failure: {log}"
    );
}

#[test]
fn a_write_locked_sqlite_store_answers_with_the_apology_and_recovers() {
    let dir = data_dir();
    let data = dir.path();
    let server = Server::start(data, None);
    assert_eq!(
        turn_on_kitchen_light(data, &server, "carol"),
        "Okay, the kitchen light is on."
    );

    // Another process holds the write lock (as a stuck backup or admin session would).
    let holder = rusqlite::Connection::open(data.join("attributes.db")).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let (speech, took) = say(
        data,
        &server,
        "carol",
        &[
            "--intent",
            "TurnOffIntent",
            "--slot",
            "device=kitchen light",
        ],
    );
    assert_apology_and_log(&server, &speech, took);
    holder.execute_batch("ROLLBACK").unwrap();
    drop(holder);

    // The failed request changed nothing; with the lock gone, writes work again.
    assert_eq!(status(data, &server, "carol"), "The kitchen light is on.");
    assert_eq!(
        say(
            data,
            &server,
            "carol",
            &[
                "--intent",
                "TurnOffIntent",
                "--slot",
                "device=kitchen light"
            ],
        )
        .0,
        "Okay, the kitchen light is off."
    );
}

/// A TCP proxy on 127.0.0.1 in front of `target`. While `down` is set it stops
/// answering: bytes in both directions are swallowed and new connections are held open
/// without a word (a hung server, the worst case for a client).
struct Proxy {
    port: u16,
    down: Arc<AtomicBool>,
}

impl Proxy {
    fn start(target: std::net::SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let down = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&down);
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { return };
                let flag = Arc::clone(&flag);
                std::thread::spawn(move || {
                    if flag.load(Ordering::SeqCst) {
                        swallow(client);
                        return;
                    }
                    let Ok(server) = TcpStream::connect(target) else {
                        return;
                    };
                    let (Ok(client2), Ok(server2)) = (client.try_clone(), server.try_clone())
                    else {
                        return;
                    };
                    let up_flag = Arc::clone(&flag);
                    std::thread::spawn(move || pipe(client2, server2, &up_flag));
                    pipe(server, client, &flag);
                });
            }
        });
        Self { port, down }
    }

    fn set_down(&self) {
        self.down.store(true, Ordering::SeqCst);
    }
}

/// Copies `from` → `to` until either side closes; while `down`, drops what it reads.
fn pipe(mut from: TcpStream, mut to: TcpStream, down: &AtomicBool) {
    let mut buf = [0u8; 16 * 1024];
    loop {
        match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) if !down.load(Ordering::SeqCst) => {
                if to.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
            Ok(_) => {}
        }
    }
    let _ = to.shutdown(Shutdown::Write);
}

/// Reads and drops everything, never answering, until the client closes.
fn swallow(mut client: TcpStream) {
    let mut buf = [0u8; 4096];
    while matches!(client.read(&mut buf), Ok(n) if n > 0) {}
}

/// Host and port of a `postgres://…` or `redis://…` test URL, and the URL with them
/// replaced by `127.0.0.1:port`.
fn via_proxy(url: &str, port: u16) -> (std::net::SocketAddr, String) {
    let (scheme, rest) = url.split_once("://").unwrap();
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let (userinfo, hostport) = match authority.rsplit_once('@') {
        Some((user, host)) => (format!("{user}@"), host),
        None => (String::new(), authority),
    };
    let target = std::net::ToSocketAddrs::to_socket_addrs(hostport)
        .unwrap()
        .next()
        .unwrap();
    (
        target,
        format!("{scheme}://{userinfo}127.0.0.1:{port}{tail}"),
    )
}

fn hung_server_answers_with_the_apology(var: &str, test: &str) {
    let Some(url) = service_url(var, test) else {
        return;
    };
    let dir = data_dir();
    let data = dir.path();
    let probe = free_port();
    let (target, _) = via_proxy(&url, probe);
    let proxy = Proxy::start(target);
    let (_, proxied) = via_proxy(&url, proxy.port);
    let config = config_file(data, &proxied, 1000);
    let server = Server::start(data, Some(&config));
    let user = unique_user(test);
    assert_eq!(
        turn_on_kitchen_light(data, &server, &user),
        "Okay, the kitchen light is on."
    );
    proxy.set_down();
    let (speech, took) = say(data, &server, &user, &["--intent", "DeviceStatusIntent"]);
    assert_apology_and_log(&server, &speech, took);
    // The server itself stays up and answers the next request in time as well.
    let (speech, took) = say(data, &server, &user, &["--intent", "DeviceStatusIntent"]);
    assert_apology_and_log(&server, &speech, took);
}

#[test]
fn a_hung_postgres_answers_with_the_apology_in_time() {
    hung_server_answers_with_the_apology(
        "SKILLGATE_TEST_POSTGRES_URL",
        "a_hung_postgres_answers_with_the_apology_in_time",
    );
}

#[test]
fn a_hung_redis_answers_with_the_apology_in_time() {
    hung_server_answers_with_the_apology(
        "SKILLGATE_TEST_REDIS_URL",
        "a_hung_redis_answers_with_the_apology_in_time",
    );
}

#[test]
fn a_store_that_cannot_be_opened_stops_start_up_with_its_name() {
    let dir = data_dir();
    let data = dir.path();
    let closed = free_port();
    let config = config_file(
        data,
        &format!("postgres://app:s3cret@127.0.0.1:{closed}/skill"),
        500,
    );
    let start = Instant::now();
    let out = command(data)
        .arg("serve")
        .args([
            "--dev-ca",
            "--listen",
            &format!("127.0.0.1:{}", free_port()),
        ])
        .arg("--config")
        .arg(&config)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(start.elapsed() < Duration::from_secs(20));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("cannot open the attributes store postgres"),
        "{stderr}"
    );
    assert!(!stderr.contains("s3cret"), "{stderr}");

    // The environment override wins over the file.
    let out = command(data)
        .arg("serve")
        .args([
            "--dev-ca",
            "--listen",
            &format!("127.0.0.1:{}", free_port()),
        ])
        .env("SKILLGATE_ATTRIBUTES_URL", "mysql://127.0.0.1/skill")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("unsupported attributes store URL scheme \"mysql\""),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_gateway_only_server_opens_no_store() {
    let dir = data_dir();
    let data = dir.path();
    let path = data.join("gateway.toml");
    let closed = free_port();
    std::fs::write(
        &path,
        format!(
            "[[skill]]\nname = \"py\"\nupstream = \"http://127.0.0.1:{closed}/alexa\"\n\n\
             [dev]\nany_application_id = true\n\n\
             [attributes]\nurl = \"postgres://app@127.0.0.1:{closed}/skill\"\n"
        ),
    )
    .unwrap();
    let server = Server::start(data, Some(&path));
    let start = Instant::now();
    while !server.log_text().contains("Attributes store: none") {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{}",
            server.log_text()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(!data.join("attributes.db").exists());
}
