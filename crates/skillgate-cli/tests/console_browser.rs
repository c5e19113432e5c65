//! The local console (`skillgate serve --dev-ca --console`) in a real browser: the real
//! binary on 127.0.0.1, Debian's chromium driven through chromedriver (WebDriver).
//!
//! Checks: 401/403 without / with a wrong token and nothing on the Alexa-facing listener;
//! opening the console with the token; a request appearing live after `skillgate invoke`; a
//! refused forged request with its reason and failed step; `<script>` in a slot shown as
//! text and never run; a simulator turn through the real server; the model pane's matcher;
//! reconnection (a reload, and `Last-Event-ID` on the event stream); a narrow window.
//!
//! Without /usr/bin/chromium and /usr/bin/chromedriver the browser part is skipped with a
//! message, unless SKILLGATE_REQUIRE_CHROMIUM=1 (scripts/test installs them and sets it):
//! then it fails. With SKILLGATE_UPDATE_SCREENSHOTS=1 it writes docs/console/*.png.

mod server_common;

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use server_common::{BIN, free_port, skillgate};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// The longest any single wait in this test may take.
const WAIT: Duration = Duration::from_secs(20);

/// A child process killed on drop, with (`descendants`) every process it started
/// (chromedriver's chromium), each by its own pid.
struct Guard {
    child: Child,
    descendants: bool,
}

/// The pids of the processes descending from `root` (from /proc).
fn descendants_of(root: u32) -> Vec<u32> {
    let mut parents: Vec<(u32, u32)> = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
        // `pid (comm) state ppid …`: the command may hold spaces, so split after `)`.
        let ppid = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1))
            .and_then(|p| p.parse::<u32>().ok());
        if let Some(ppid) = ppid {
            parents.push((pid, ppid));
        }
    }
    let mut found = vec![root];
    let mut i = 0;
    while i < found.len() {
        let parent = found[i];
        found.extend(
            parents
                .iter()
                .filter(|(_, pp)| *pp == parent)
                .map(|(p, _)| *p),
        );
        i += 1;
    }
    found.remove(0);
    found
}

impl Drop for Guard {
    fn drop(&mut self) {
        let others = if self.descendants {
            descendants_of(self.child.id())
        } else {
            Vec::new()
        };
        let _ = self.child.kill();
        let _ = self.child.wait();
        for pid in others {
            let _ = Command::new("kill")
                .arg("-KILL")
                .arg(pid.to_string())
                .stderr(Stdio::null())
                .status();
        }
    }
}

/// The running server: its skill URL, the console URL (with the token), the admin base.
struct Served {
    guard: Guard,
    skill_url: String,
    console_url: String,
    admin: String,
    out: PathBuf,
}

impl Served {
    /// The console token, from the URL the server printed.
    fn token(&self) -> &str {
        self.console_url
            .split("token=")
            .nth(1)
            .expect("the printed console URL carries the token")
    }
}

fn serve(data: &Path) -> Served {
    let out = data.join("serve.out");
    let err = data.join("serve.err");
    let child = Command::new(BIN)
        .arg("--data-dir")
        .arg(data)
        .args(["serve", "--dev-ca", "--console", "--listen", "127.0.0.1:0"])
        .env_remove("SKILLGATE_CONFIG")
        .env_remove("SKILLGATE_ADMIN_LISTEN")
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap())
        .spawn()
        .expect("start skillgate serve");
    let guard = Guard {
        child,
        descendants: false,
    };
    let start = Instant::now();
    loop {
        let text = std::fs::read_to_string(&out).unwrap_or_default();
        let console = text
            .split_whitespace()
            .find(|w| w.starts_with("http://") && w.contains("/console/?token="));
        let skill = text
            .split_whitespace()
            .find(|w| w.starts_with("https://127.0.0.1:") && w.ends_with("/alexa"));
        if let (Some(console), Some(skill)) = (console, skill) {
            let admin = console.split("/console/").next().unwrap().to_owned();
            return Served {
                guard,
                skill_url: skill.to_owned(),
                console_url: console.to_owned(),
                admin,
                out,
            };
        }
        assert!(
            start.elapsed() < WAIT,
            "no console URL printed:\n{text}\n{}",
            std::fs::read_to_string(&err).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A plain HTTP/1.1 GET on loopback: status line and body.
fn http_get(base: &str, path: &str, headers: &[(&str, &str)]) -> (u16, String) {
    let addr = base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(WAIT)).unwrap();
    let mut request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, text)
}

fn browser_required() -> bool {
    std::env::var("SKILLGATE_REQUIRE_CHROMIUM").as_deref() == Ok("1")
}

fn chromedriver() -> (Guard, String) {
    let port = free_port();
    let mut command = Command::new(CHROMEDRIVER);
    command
        .arg(format!("--port={port}"))
        .arg("--allowed-ips=127.0.0.1")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let guard = Guard {
        child: command.spawn().expect("start chromedriver"),
        descendants: true,
    };
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(start.elapsed() < WAIT, "chromedriver did not listen");
        std::thread::sleep(Duration::from_millis(100));
    }
    (guard, format!("http://127.0.0.1:{port}"))
}

async fn browser(webdriver: &str, profile: &Path) -> Client {
    let capabilities = serde_json::json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": CHROMIUM,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--disable-crash-reporter", "--disable-breakpad",
                "--window-size=1280,900",
                format!("--user-data-dir={}", profile.display()),
            ]
        }
    });
    let serde_json::Value::Object(capabilities) = capabilities else {
        unreachable!()
    };
    let connect = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities)
        .connect(webdriver)
        .await;
    tokio::time::timeout(WAIT, async { connect })
        .await
        .expect("webdriver session in time")
        .expect("webdriver session")
}

/// Polls `probe` until it returns `Some`, at most [`WAIT`].
async fn eventually<T, F, Fut>(what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        assert!(start.elapsed() < WAIT, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

async fn text_of(client: &Client, css: &str) -> Option<String> {
    client.find(Locator::Css(css)).await.ok()?.text().await.ok()
}

/// Clicks the element `css` names; `what` names it in the error.
async fn click(client: &Client, css: &str, what: &str) -> Result<(), String> {
    let element = client
        .find(Locator::Css(css))
        .await
        .map_err(|err| format!("{what}: {err}"))?;
    element
        .click()
        .await
        .map(drop)
        .map_err(|err| format!("click {what}: {err}"))
}

/// Types `text` into the element `css` names; `what` names it in the error.
async fn type_into(client: &Client, css: &str, text: &str, what: &str) -> Result<(), String> {
    let element = client
        .find(Locator::Css(css))
        .await
        .map_err(|err| format!("{what}: {err}"))?;
    element
        .send_keys(text)
        .await
        .map_err(|err| format!("type into {what}: {err}"))
}

async fn rows_text(client: &Client) -> String {
    text_of(client, "#request-rows").await.unwrap_or_default()
}

async fn wait_live(client: &Client) {
    eventually("the event stream to connect", || async {
        (text_of(client, "#live-status").await? == "live").then_some(())
    })
    .await;
}

fn screenshots_dir() -> Option<PathBuf> {
    (std::env::var("SKILLGATE_UPDATE_SCREENSHOTS").as_deref() == Ok("1")).then(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/console");
        std::fs::create_dir_all(&dir).unwrap();
        dir
    })
}

async fn screenshot(client: &Client, name: &str) {
    if let Some(dir) = screenshots_dir() {
        let png = client.screenshot().await.expect("screenshot");
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }
}

fn invoke(data: &Path, url: &str, args: &[&str]) {
    let mut all = vec!["invoke", url];
    all.extend_from_slice(args);
    let out = skillgate(data, &all);
    assert!(
        out.status.success(),
        "invoke failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A request signed by the dev CA whose body is changed after signing.
fn send_forged(data: &Path, url: &str) -> u16 {
    let ca = skillgate_devtools::dev_ca::DevCa::load(&data.join("dev-ca")).unwrap();
    let signer = ca.signer().unwrap();
    let session = skillgate_devtools::envelope::Session::fresh();
    let mut intent = skillgate_devtools::envelope::Intent::named("TurnOnIntent");
    intent.set_slot("room", "garage");
    let kind = skillgate_devtools::envelope::RequestKind::Intent(intent);
    let envelope = skillgate_devtools::envelope::build(
        &kind,
        &skillgate_devtools::envelope::Identity::default(),
        &session,
        time::OffsetDateTime::now_utc(),
    );
    let body = skillgate_devtools::envelope::to_body(&envelope);
    let headers = signer.sign(&body).unwrap();
    let forged = String::from_utf8(body).unwrap().replace("garage", "vault!");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client =
        skillgate_devtools::client::Client::new(&skillgate_devtools::client::TrustOptions {
            extra_certs: vec![data.join("tls/cert.pem")],
            ..Default::default()
        })
        .unwrap();
    rt.block_on(client.send(url, forged.into_bytes(), &headers))
        .unwrap()
        .status
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_in_a_real_browser() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert!(skillgate(&data, &["dev-ca", "init"]).status.success());
    let served = serve(&data);
    let token = served.token().to_owned();

    // Without the token: 401; a wrong one: 403 (query or cookie); the right one: the cookie
    // (HttpOnly, SameSite=Strict) and a redirect to the clean URL.
    let (status, _) = http_get(&served.admin, "/console/", &[]);
    assert_eq!(status, 401);
    let (status, _) = http_get(&served.admin, "/console/?token=wrong", &[]);
    assert_eq!(status, 403);
    let (status, _) = http_get(
        &served.admin,
        "/console/events",
        &[("Cookie", "skillgate_console=wrong")],
    );
    assert_eq!(status, 403);
    let (status, head) = http_get(&served.admin, &format!("/console/?token={token}"), &[]);
    assert_eq!(status, 303, "{head}");
    assert!(head.contains("HttpOnly; SameSite=Strict"), "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains("location: /console/\r\n"),
        "{head}"
    );
    let cookie = format!("skillgate_console={token}");
    let (status, page) = http_get(&served.admin, "/console/", &[("Cookie", &cookie)]);
    assert_eq!(status, 200);
    assert!(
        page.contains("content-security-policy: default-src 'none'"),
        "{page}"
    );
    // The Alexa-facing listener has no console.
    let main_port = served.skill_url.trim_start_matches("https://127.0.0.1:");
    let main_port = main_port.split('/').next().unwrap();
    assert_ne!(format!("http://127.0.0.1:{main_port}"), served.admin);

    let have_browser = Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists();
    if !have_browser {
        assert!(
            !browser_required(),
            "SKILLGATE_REQUIRE_CHROMIUM=1 but {CHROMIUM} or {CHROMEDRIVER} is missing \
             (apt-get install chromium chromium-driver)"
        );
        eprintln!(
            "SKIPPED the browser part: {CHROMIUM} or {CHROMEDRIVER} is missing \
             (apt-get install chromium chromium-driver, or run scripts/test)"
        );
        return;
    }
    let (_driver, webdriver) = chromedriver();
    let client = browser(&webdriver, &dir.path().join("profile")).await;
    let result = drive(&client, &served, &data).await;
    let _ = tokio::time::timeout(Duration::from_secs(5), client.close()).await;
    if let Err(message) = result {
        panic!(
            "{message}\nserver output:\n{}",
            std::fs::read_to_string(&served.out).unwrap_or_default()
        );
    }
}

/// The browser part; an `Err` (or a panic) fails the test after the browser is closed.
async fn drive(client: &Client, served: &Served, data: &Path) -> Result<(), String> {
    let e = |what: &str| {
        let what = what.to_owned();
        move |err: fantoccini::error::CmdError| format!("{what}: {err}")
    };
    // Open the console with the token: redirected to the clean URL, live.
    client
        .goto(&served.console_url)
        .await
        .map_err(e("open the console"))?;
    let url = client.current_url().await.map_err(e("url"))?;
    assert!(
        !url.as_str().contains("token="),
        "token left in the URL: {url}"
    );
    wait_live(client).await;

    // A request appears live after `skillgate invoke`.
    let data_owned = data.to_owned();
    let skill_url = served.skill_url.clone();
    tokio::task::spawn_blocking(move || invoke(&data_owned, &skill_url, &["--launch"]))
        .await
        .unwrap();
    eventually("the launch request in the list", || async {
        rows_text(client)
            .await
            .contains("LaunchRequest")
            .then_some(())
    })
    .await;

    // `<script>` and an `<img onerror>` in slot values are shown as text and never run.
    let data_owned = data.to_owned();
    let skill_url = served.skill_url.clone();
    tokio::task::spawn_blocking(move || {
        invoke(
            &data_owned,
            &skill_url,
            &[
                "--intent",
                "TurnOnIntent",
                "--slot",
                "room=<script>window.__pwned=1</script>",
                "--slot",
                "device=<img src=x onerror=\"window.__pwned=2\">",
            ],
        )
    })
    .await
    .unwrap();
    let shown = eventually("the hostile slot values as text", || async {
        let text = rows_text(client).await;
        text.contains("<script>window.__pwned=1</script>")
            .then_some(text)
    })
    .await;
    assert!(
        shown.contains("<img src=x onerror=\"window.__pwned=2\">"),
        "{shown}"
    );
    let probe = client
        .execute(
            "return [typeof window.__pwned, document.querySelectorAll('#request-rows script, #request-rows img').length];",
            vec![],
        )
        .await
        .map_err(e("probe"))?;
    assert_eq!(
        probe,
        serde_json::json!(["undefined", 0]),
        "markup from a request ran"
    );

    // A forged request (body changed after signing) is refused and shown with its reason.
    let data_owned = data.to_owned();
    let skill_url = served.skill_url.clone();
    let status = tokio::task::spawn_blocking(move || send_forged(&data_owned, &skill_url))
        .await
        .unwrap();
    assert_eq!(status, 400);
    eventually("the refused request", || async {
        rows_text(client)
            .await
            .contains("refused: signature (signature_mismatch)")
            .then_some(())
    })
    .await;
    screenshot(client, "requests").await;
    click(client, "#request-rows tr.refused", "refused row").await?;
    let detail = eventually("the request detail", || async {
        let text = text_of(client, "#detail").await?;
        text.contains("signature: FAILED").then_some(text)
    })
    .await;
    assert!(detail.contains("timestamp: not run"), "{detail}");
    assert!(detail.contains("\"vault!\""), "{detail}");
    client
        .execute(
            "document.getElementById('detail').scrollIntoView();",
            vec![],
        )
        .await
        .map_err(e("scroll"))?;
    screenshot(client, "request-detail").await;

    // The outcome filter hides verified rows.
    client
        .execute(
            "const s = document.getElementById('filter-outcome'); s.value = 'refused'; s.dispatchEvent(new Event('change'));",
            vec![],
        )
        .await
        .map_err(e("filter"))?;
    let visible = client
        .execute(
            "return [...document.querySelectorAll('#request-rows tr')].filter(r => !r.hidden).map(r => r.dataset.outcome);",
            vec![],
        )
        .await
        .map_err(e("visible rows"))?;
    assert_eq!(visible, serde_json::json!(["refused"]));

    // Reconnect: a reload shows what is kept and goes live again; a new request still appears.
    client.refresh().await.map_err(e("reload"))?;
    wait_live(client).await;
    assert!(rows_text(client).await.contains("signature_mismatch"));
    let data_owned = data.to_owned();
    let skill_url = served.skill_url.clone();
    tokio::task::spawn_blocking(move || {
        invoke(&data_owned, &skill_url, &["--intent", "DeviceStatusIntent"])
    })
    .await
    .unwrap();
    eventually("a request after the reload", || async {
        rows_text(client)
            .await
            .contains("DeviceStatusIntent")
            .then_some(())
    })
    .await;

    // The simulator: a launch opens a session, then a sentence in that session goes
    // through the real server and the answer is shown.
    client
        .goto(&format!("{}/console/simulator", served.admin))
        .await
        .map_err(e("simulator"))?;
    click(client, "#simulator-pane .buttons button", "launch button").await?;
    let launched = eventually("the launch turn", || async {
        text_of(client, "#transcript .turn .ends").await
    })
    .await;
    assert_eq!(launched, "the session stays open");
    type_into(client, "#say-text", "turn on the kitchen light", "say box").await?;
    click(client, "#say-form button", "say button").await?;
    let said = eventually("the simulator's answer", || async {
        let said = text_of(client, "#transcript .alexa-says").await?;
        (!said.starts_with("Welcome")).then_some(said)
    })
    .await;
    assert!(said.starts_with("Okay, the kitchen light is on."), "{said}");
    let turn = text_of(client, "#transcript").await.unwrap_or_default();
    assert!(turn.contains("TurnOnIntent"), "{turn}");
    screenshot(client, "simulator").await;

    // The model pane: the matcher's answer for a sentence.
    client
        .goto(&format!("{}/console/model", served.admin))
        .await
        .map_err(e("model"))?;
    type_into(
        client,
        "#match-text",
        "turn off the bedroom fan",
        "match box",
    )
    .await?;
    click(client, "#match-form button", "match button").await?;
    let intent = eventually("the matched intent", || async {
        text_of(client, "#matched-intent").await
    })
    .await;
    assert_eq!(intent, "TurnOffIntent");
    screenshot(client, "model").await;

    // The simulator's request reached the requests pane through the real server; the page
    // fits a narrow window.
    client
        .goto(&format!("{}/console/", served.admin))
        .await
        .map_err(e("requests again"))?;
    client
        .set_window_size(390, 844)
        .await
        .map_err(e("narrow window"))?;
    let rows = rows_text(client).await;
    assert!(rows.contains("Okay, the kitchen light is on."), "{rows}");
    // The simulator carried the launch's session into the next turn.
    click(client, "#request-rows tr", "newest row").await?;
    let detail = eventually("the simulator request's detail", || async {
        let text = text_of(client, "#request-json").await?;
        text.contains("TurnOnIntent").then_some(text)
    })
    .await;
    assert!(detail.contains("\"new\": false"), "{detail}");
    assert!(
        !detail.contains("apiAccessToken\": \"ey"),
        "token not masked: {detail}"
    );
    let overflow = client
        .execute(
            "return document.body.scrollWidth - window.innerWidth;",
            vec![],
        )
        .await
        .map_err(e("overflow"))?;
    assert!(
        overflow.as_i64().unwrap_or(1000) <= 1,
        "the page is wider than a narrow window by {overflow}px"
    );
    Ok(())
}

#[test]
fn the_event_stream_resumes_after_last_event_id() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert!(skillgate(&data, &["dev-ca", "init"]).status.success());
    let served = serve(&data);
    let token = served.token().to_owned();
    for _ in 0..3 {
        invoke(&data, &served.skill_url, &["--launch"]);
    }
    let cookie = format!("skillgate_console={token}");
    // The stream never ends: read what arrives within a short bound.
    let addr = served.admin.trim_start_matches("http://").to_owned();
    let mut stream = TcpStream::connect(&addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_millis(1500)))
        .unwrap();
    write!(
        stream,
        "GET /console/events HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nLast-Event-ID: 1\r\n\r\n"
    )
    .unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(5) {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(_) => break,
        }
        if String::from_utf8_lossy(&got).contains("id: 3") {
            break;
        }
    }
    let text = String::from_utf8_lossy(&got);
    assert!(text.contains("text/event-stream"), "{text}");
    assert!(!text.contains("id: 1\n"), "{text}");
    assert!(text.contains("id: 2\n") && text.contains("id: 3"), "{text}");

    // With the stream still open, Ctrl-C ends it and the server exits well within the
    // shutdown grace period (20 s): an open console does not hold the drain.
    let mut served = served;
    let pid = served.guard.child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success()
    );
    let start = Instant::now();
    let exited = loop {
        if let Some(status) = served.guard.child.try_wait().unwrap() {
            break status;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the server did not stop with an event stream open"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(exited.success(), "{exited:?}");
}

#[test]
fn the_console_is_refused_without_the_dev_switch_or_off_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // `serve --console` without `--dev-ca`: refused before binding anything.
    let out = skillgate(&data, &["serve", "--console", "--listen", "127.0.0.1:0"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("dev.console") && err.contains("dev_ca"),
        "{err}"
    );
    // A configuration with the console on a non-loopback admin address.
    assert!(skillgate(&data, &["dev-ca", "init"]).status.success());
    let file = dir.path().join("skillgate.toml");
    std::fs::write(
        &file,
        "listen = \"127.0.0.1:0\"\nadmin_listen = \"0.0.0.0:9090\"\n[dev]\ndev_ca = true\nconsole = true\n\
         [[skill]]\nname = \"home\"\napplication_ids = [\"amzn1.ask.skill.1\"]\nhandler = \"home\"\n",
    )
    .unwrap();
    let out = skillgate(&data, &["check-config", file.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("admin_listen 0.0.0.0:9090 is not a loopback address"),
        "{err}"
    );
}
