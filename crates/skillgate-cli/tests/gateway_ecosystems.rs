//! The gateway examples of docs/gateway.md as real upstreams behind a real `skillgate serve`:
//! `examples/gateway-python` (ask-sdk-core + flask-ask-sdk on Flask) and
//! `examples/gateway-node` (ask-sdk-core + ask-sdk-express-adapter on Express), each started
//! on 127.0.0.1 with its pinned packages, behind `skillgate serve --dev-ca` with
//! `upstream = …`, driven over HTTPS with dev-CA-signed requests: launch, an intent with a
//! slot, the session attributes of each answer fed into the next request, SessionEnded.
//! Unsigned, tampered, foreign-signed and other-skill requests are refused by skillgate and
//! never reach the upstream (the upstream logs every request id it handles).
//!
//! The interpreters come from `scripts/ecosystems` (which `scripts/test` runs):
//! `SKILLGATE_TEST_PYTHON` (a venv with examples/gateway-python/requirements.txt),
//! `SKILLGATE_TEST_NODE` and `SKILLGATE_TEST_NODE_PATH` (node_modules from
//! examples/gateway-node/package-lock.json). Without them these tests print a line and skip,
//! unless `SKILLGATE_REQUIRE_SERVICES=1` (as `scripts/test` and CI set): then they fail.

mod server_common;

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Map, Value};
use skillgate_devtools::client::{Client, Reply, TrustOptions};
use skillgate_devtools::dev_ca::DevCa;
use skillgate_devtools::envelope::{self, Identity, Intent, RequestKind, Session};
use skillgate_devtools::render::Answer;
use skillgate_devtools::sign::{SignatureHeaders, Signer};

use server_common::{free_port, serve, skillgate};

/// The skill id both examples default to; the config and the requests use it too.
const SKILL_ID: &str = "amzn1.ask.skill.aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
/// Another skill's id: signed correctly, but not one this server serves.
const OTHER_SKILL_ID: &str = "amzn1.ask.skill.99999999-8888-7777-6666-555555555555";
/// How long an upstream may take to start (Python imports ask-sdk-model: about a second).
const UPSTREAM_START: Duration = Duration::from_secs(60);

/// One of the two example upstreams.
#[derive(Debug, Clone, Copy)]
enum Ecosystem {
    Python,
    Node,
}

impl Ecosystem {
    fn name(self) -> &'static str {
        match self {
            Self::Python => "gateway-python",
            Self::Node => "gateway-node",
        }
    }

    /// The variables `scripts/ecosystems` exports for this ecosystem.
    fn vars(self) -> &'static [&'static str] {
        match self {
            Self::Python => &["SKILLGATE_TEST_PYTHON"],
            Self::Node => &["SKILLGATE_TEST_NODE", "SKILLGATE_TEST_NODE_PATH"],
        }
    }

    /// The command that runs the example, or `None` (with a printed line) when the
    /// interpreter is not installed and `SKILLGATE_REQUIRE_SERVICES` is not `1`.
    fn command(self, test: &str) -> Option<Command> {
        let mut values = Vec::new();
        for var in self.vars() {
            match std::env::var(var) {
                Ok(value) if !value.trim().is_empty() => values.push(value),
                _ => {
                    assert!(
                        std::env::var("SKILLGATE_REQUIRE_SERVICES").as_deref() != Ok("1"),
                        "SKILLGATE_REQUIRE_SERVICES=1 but {var} is not set: run \
                         `eval \"$(scripts/ecosystems)\"` (it installs the {} example's \
                         pinned packages)",
                        self.name()
                    );
                    println!("{test}: skipped, {var} is not set (see scripts/ecosystems)");
                    return None;
                }
            }
        }
        let dir = repo_root().join("examples").join(self.name());
        let mut cmd = match self {
            Self::Python => {
                let mut cmd = Command::new(&values[0]);
                cmd.arg(dir.join("app.py")).env("PYTHONUNBUFFERED", "1");
                cmd
            }
            Self::Node => {
                let mut cmd = Command::new(&values[0]);
                cmd.arg(dir.join("skill.js")).env("NODE_PATH", &values[1]);
                cmd
            }
        };
        cmd.current_dir(&dir);
        Some(cmd)
    }
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A running example upstream, killed on drop; everything it prints goes to `log`.
struct Upstream {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Drop for Upstream {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Upstream {
    fn start(mut cmd: Command, dir: &Path, name: &str) -> Self {
        let port = free_port();
        let log = dir.join(format!("{name}.log"));
        let file = std::fs::File::create(&log).unwrap();
        let child = cmd
            .env("PORT", port.to_string())
            .env("SKILL_ID", SKILL_ID)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(file.try_clone().unwrap())
            .stderr(file)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start the {name} upstream: {e}"));
        let mut upstream = Self { child, port, log };
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Some(status) = upstream.child.try_wait().unwrap() {
                panic!(
                    "the {name} upstream exited ({status}): {}",
                    upstream.log_text()
                );
            }
            assert!(
                start.elapsed() < UPSTREAM_START,
                "the {name} upstream did not listen within {UPSTREAM_START:?}: {}",
                upstream.log_text()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        upstream
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/alexa", self.port)
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The request ids the upstream handled, in order (its interceptor logs
    /// `<example>: <request type> <request id>` for every request it dispatches).
    fn handled(&self) -> Vec<String> {
        self.log_text()
            .lines()
            .filter_map(|line| line.split_whitespace().last())
            .filter(|word| word.starts_with("amzn1.echo-api.request."))
            .map(str::to_owned)
            .collect()
    }
}

/// A conversation with one skillgate endpoint: builds, signs and sends requests.
struct Alexa {
    runtime: tokio::runtime::Runtime,
    client: Client,
    url: String,
    signer: Signer,
    identity: Identity,
}

impl Alexa {
    /// Builds the envelope of `kind` in `session` (at now) for `app_id`.
    fn envelope(&self, kind: &RequestKind, session: &Session, app_id: &str) -> Value {
        let identity = Identity {
            app_id: app_id.to_owned(),
            ..self.identity.clone()
        };
        envelope::build(kind, &identity, session, time::OffsetDateTime::now_utc())
    }

    fn post(&self, body: Vec<u8>, headers: &SignatureHeaders) -> Reply {
        self.runtime
            .block_on(self.client.send(&self.url, body, headers))
            .unwrap()
    }

    /// Signs and sends `envelope`; returns its request id and the answer.
    fn send_signed(&self, envelope: &Value) -> (String, Reply) {
        let body = envelope::to_body(envelope);
        let headers = self.signer.sign(&body).unwrap();
        (request_id(envelope), self.post(body, &headers))
    }

    /// A verified turn: 200 and a response envelope; returns the request id and answer.
    fn turn(
        &self,
        kind: &RequestKind,
        session: &Session,
        log: &dyn Fn() -> String,
    ) -> (String, Answer) {
        let envelope = self.envelope(kind, session, SKILL_ID);
        let (id, reply) = self.send_signed(&envelope);
        let text = String::from_utf8_lossy(&reply.body).into_owned();
        assert_eq!(reply.status, 200, "{kind:?}: {text}\n{}", log());
        let json = reply
            .json()
            .unwrap_or_else(|| panic!("{kind:?}: not JSON: {text}\n{}", log()));
        assert_eq!(json["version"], "1.0", "{text}");
        assert!(json["response"].is_object(), "{text}");
        (id, Answer::from_envelope(&json))
    }
}

fn request_id(envelope: &Value) -> String {
    envelope["request"]["requestId"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn intent(name: &str, slots: &[(&str, &str)]) -> RequestKind {
    let mut intent = Intent::named(name);
    intent.dialog_state = None;
    for (slot, value) in slots {
        intent.set_slot(slot, value);
    }
    RequestKind::Intent(intent)
}

/// The next turn's session: same id, not new, the attributes the skill returned.
fn next(session: &Session, attributes: &Map<String, Value>) -> Session {
    Session {
        id: session.id.clone(),
        new: false,
        attributes: attributes.clone(),
    }
}

/// The whole conversation against one ecosystem's example.
fn converse(ecosystem: Ecosystem, test: &str) {
    let Some(cmd) = ecosystem.command(test) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let out = skillgate(&data, &["dev-ca", "init"]);
    assert!(
        out.status.success(),
        "dev-ca init: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    let upstream = Upstream::start(cmd, dir.path(), ecosystem.name());
    let config = dir.path().join("skillgate.toml");
    std::fs::write(
        &config,
        format!(
            "[[skill]]\nname = \"colors\"\npath = \"/alexa\"\napplication_ids = [{SKILL_ID:?}]\n\
             upstream = {:?}\n",
            upstream.url()
        ),
    )
    .unwrap();
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let config_arg = config.to_str().unwrap();
    let server = serve(
        &data,
        &["--dev-ca", "--listen", &listen, "--config", config_arg],
        port,
    );
    let log = || {
        format!(
            "--- skillgate:\n{}\n--- {}:\n{}",
            server.log_text(),
            ecosystem.name(),
            upstream.log_text()
        )
    };

    let alexa = Alexa {
        runtime: tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap(),
        client: Client::new(&TrustOptions {
            extra_certs: vec![data.join("tls/cert.pem")],
            insecure: false,
            timeout: Some(Duration::from_secs(15)),
        })
        .unwrap(),
        url: format!("https://{listen}/alexa"),
        signer: DevCa::load(&data.join("dev-ca")).unwrap().signer().unwrap(),
        identity: Identity::default(),
    };
    let mut handled = Vec::new();

    // Launch.
    let session = Session::fresh();
    let (id, launch) = alexa.turn(&RequestKind::Launch, &session, &log);
    handled.push(id);
    assert_eq!(
        launch.speech.as_deref(),
        Some("Welcome to the color picker. Tell me your favorite color."),
        "{}",
        log()
    );
    assert!(launch.reprompt.is_some(), "{launch:?}");
    assert_ne!(launch.should_end_session, Some(true), "{launch:?}");

    // An intent with a slot; the skill keeps the color in the session attributes.
    let session = next(&session, &launch.session_attributes);
    let (id, told) = alexa.turn(
        &intent("MyColorIsIntent", &[("color", "blue")]),
        &session,
        &log,
    );
    handled.push(id);
    assert_eq!(
        told.speech.as_deref(),
        Some("I now know your favorite color is blue. Ask me what it is."),
        "{}",
        log()
    );
    assert_eq!(
        told.session_attributes.get("favoriteColor"),
        Some(&Value::from("blue")),
        "{told:?}"
    );
    assert_ne!(told.should_end_session, Some(true), "{told:?}");

    // Refused by skillgate, never forwarded: unsigned, tampered, signed by another CA,
    // signed for another skill.
    let session = next(&session, &told.session_attributes);
    let ask = intent("WhatsMyColorIntent", &[]);
    let mut refused = Vec::new();
    {
        let envelope = alexa.envelope(&ask, &session, SKILL_ID);
        let unsigned = SignatureHeaders {
            cert_chain_url: String::new(),
            signature_256: String::new(),
            signature: String::new(),
        };
        let reply = alexa.post(envelope::to_body(&envelope), &unsigned);
        refused.push(("unsigned", request_id(&envelope), reply));

        let envelope = alexa.envelope(&ask, &session, SKILL_ID);
        let headers = alexa.signer.sign(&envelope::to_body(&envelope)).unwrap();
        let mut tampered = envelope.clone();
        tampered["session"]["attributes"]["favoriteColor"] = Value::from("red");
        let reply = alexa.post(envelope::to_body(&tampered), &headers);
        refused.push(("tampered", request_id(&envelope), reply));

        let stranger = DevCa::generate(time::OffsetDateTime::now_utc())
            .unwrap()
            .signer()
            .unwrap();
        let envelope = alexa.envelope(&ask, &session, SKILL_ID);
        let body = envelope::to_body(&envelope);
        let headers = stranger.sign(&body).unwrap();
        let reply = alexa.post(body, &headers);
        refused.push(("signed by another CA", request_id(&envelope), reply));

        let envelope = alexa.envelope(&ask, &session, OTHER_SKILL_ID);
        let (id, reply) = alexa.send_signed(&envelope);
        refused.push(("for another skill", id, reply));
    }
    for (what, id, reply) in &refused {
        assert_eq!(reply.status, 400, "{what}: {reply:?}\n{}", log());
        assert!(reply.body.is_empty(), "{what}: {reply:?}");
        assert!(!id.is_empty());
    }
    assert_eq!(upstream.handled(), handled, "{}", log());

    // The attributes from the last answer come back: the skill remembers the color.
    let (id, answer) = alexa.turn(&ask, &session, &log);
    handled.push(id);
    assert_eq!(
        answer.speech.as_deref(),
        Some("Your favorite color is blue. Goodbye."),
        "{}",
        log()
    );
    assert_eq!(answer.should_end_session, Some(true), "{answer:?}");

    // Control: the same question without the attributes gets the other answer, so the
    // color travelled in the session attributes and nowhere else.
    let (id, forgot) = alexa.turn(&ask, &next(&session, &Map::new()), &log);
    handled.push(id);
    assert_eq!(
        forgot.speech.as_deref(),
        Some("I don't know your favorite color yet. Tell me, for example: my color is red."),
        "{}",
        log()
    );

    // SessionEnded: an empty response, and the upstream saw the reason.
    let ended = RequestKind::SessionEnded {
        reason: "USER_INITIATED".into(),
    };
    let (id, bye) = alexa.turn(&ended, &next(&session, &Map::new()), &log);
    handled.push(id);
    assert_eq!(bye.speech, None, "{bye:?}");
    assert_eq!(bye.reprompt, None, "{bye:?}");

    // Exactly the verified requests reached the upstream, in order; no refused one did.
    assert_eq!(upstream.handled(), handled, "{}", log());
    for (what, id, _) in &refused {
        assert!(
            !upstream.log_text().contains(id.as_str()),
            "the {what} request reached the upstream:\n{}",
            log()
        );
    }
    assert!(
        upstream
            .log_text()
            .contains("session ended: USER_INITIATED"),
        "{}",
        log()
    );
}

#[test]
fn python_flask_ask_sdk_example_behind_serve() {
    converse(
        Ecosystem::Python,
        "python_flask_ask_sdk_example_behind_serve",
    );
}

#[test]
fn node_express_adapter_example_behind_serve() {
    converse(Ecosystem::Node, "node_express_adapter_example_behind_serve");
}
