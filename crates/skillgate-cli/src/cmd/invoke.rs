//! `skillgate invoke`: one signed, simulated Alexa request to a skill endpoint, the answer
//! shown for a person (or raw with `--json`). Also holds the options `dialog` and `sign`
//! share.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use serde_json::Value;
use skillgate_devtools::client::{Client, TrustOptions};
use skillgate_devtools::dev_ca::DevCa;
use skillgate_devtools::envelope::{self, Identity, Intent, RequestKind, Session};
use skillgate_devtools::render::Answer;
use skillgate_devtools::sign::Signer;

use super::Globals;
use crate::paths;

/// Which request to build (exactly one).
#[derive(Debug, Clone, clap::Args)]
#[group(required = true, multiple = false, id = "kind")]
pub struct RequestArgs {
    /// A LaunchRequest ("Alexa, open …").
    #[arg(long)]
    pub launch: bool,
    /// An IntentRequest for this intent (slots with --slot).
    #[arg(long, value_name = "NAME")]
    pub intent: Option<String>,
    /// A SessionEndedRequest (reason with --reason).
    #[arg(long)]
    pub session_end: bool,
    /// A request envelope from a JSON file, or a recorded exchange ({"request": …}, as
    /// `serve --record` writes): sent with a fresh requestId and timestamp, re-signed.
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
}

/// Details of the request.
#[derive(Debug, Clone, clap::Args)]
pub struct DetailArgs {
    /// A slot of --intent, as name=value (repeatable).
    #[arg(long = "slot", value_name = "NAME=VALUE", requires = "intent")]
    pub slots: Vec<String>,
    /// The reason of --session-end: USER_INITIATED, ERROR or EXCEEDED_MAX_REPROMPTS.
    #[arg(long, default_value = "USER_INITIATED", requires = "session_end")]
    pub reason: String,
}

/// Who asks, from where (shared by invoke, dialog and sign).
#[derive(Debug, Clone, clap::Args)]
pub struct IdentityArgs {
    /// The skill's application id [default: amzn1.ask.skill.00000000-0000-4000-8000-000000000000]
    /// (with --file: replaces the recorded one only when given).
    #[arg(long, value_name = "ID")]
    pub app_id: Option<String>,
    /// The request locale.
    #[arg(long, default_value = "en-US")]
    pub locale: String,
    /// The user: a full `amzn1.ask.account.…` id, or a short name that always maps to the
    /// same realistic id.
    #[arg(long, default_value = "dev")]
    pub user: String,
    /// The device: a full `amzn1.ask.device.…` id, or a short name.
    #[arg(long, default_value = "dev")]
    pub device: String,
    /// Simulate a device with a screen (APL support and context.Viewport).
    #[arg(long)]
    pub screen: bool,
}

impl IdentityArgs {
    /// The envelope identity these options describe.
    pub fn identity(&self) -> Identity {
        Identity {
            app_id: self
                .app_id
                .clone()
                .unwrap_or_else(|| envelope::DEFAULT_APP_ID.to_string()),
            locale: self.locale.clone(),
            user_id: envelope::user_id(&self.user),
            device_id: envelope::device_id(&self.device),
            screen: self.screen,
        }
    }
}

/// How to reach the endpoint (shared by invoke and dialog).
#[derive(Debug, Clone, clap::Args)]
pub struct ConnectionArgs {
    /// Also trust the certificates in this PEM file (the server's own development
    /// certificate, `<data>/tls/cert.pem`, is trusted by default when it exists).
    #[arg(long, value_name = "FILE")]
    pub cacert: Vec<PathBuf>,
    /// Accept any server certificate (development only).
    #[arg(long)]
    pub insecure: bool,
    /// Seconds to wait for an answer.
    #[arg(long, default_value_t = 10.0, value_name = "SECONDS")]
    pub timeout: f64,
}

impl ConnectionArgs {
    /// An HTTPS client with this trust.
    pub fn client(&self, globals: &Globals) -> anyhow::Result<Client> {
        let mut extra_certs = Vec::new();
        let dev_cert = paths::dev_tls_dir(&globals.data_dir).join("cert.pem");
        if dev_cert.is_file() {
            extra_certs.push(dev_cert);
        }
        extra_certs.extend(self.cacert.iter().cloned());
        if !(self.timeout.is_finite() && self.timeout > 0.0) {
            anyhow::bail!("--timeout must be a positive number of seconds");
        }
        Ok(Client::new(&TrustOptions {
            extra_certs,
            insecure: self.insecure,
            timeout: Some(Duration::from_secs_f64(self.timeout.min(86_400.0))),
        })?)
    }
}

/// Options of `skillgate invoke`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  skillgate invoke https://127.0.0.1:8443/alexa --launch
  skillgate invoke https://127.0.0.1:8443/alexa --intent TurnOnIntent --slot device=light --slot room=kitchen
  skillgate invoke https://127.0.0.1:8443/alexa --session-end --reason USER_INITIATED
  skillgate invoke https://127.0.0.1:8443/alexa --file recorded/0001.json --json

Requests are signed with the development CA (`skillgate dev-ca init`); the server must run
with `serve --dev-ca` to accept them.")]
pub struct Args {
    /// The skill endpoint, e.g. https://127.0.0.1:8443/alexa.
    pub url: String,
    #[command(flatten)]
    pub request: RequestArgs,
    #[command(flatten)]
    pub details: DetailArgs,
    #[command(flatten)]
    pub identity: IdentityArgs,
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// Continue this session id (default: a new session with a fresh id).
    #[arg(long, value_name = "ID")]
    pub session_id: Option<String>,
    /// Mark the session as new (the default without --session-id).
    #[arg(long, overrides_with = "no_new_session")]
    pub new_session: bool,
    /// Mark the session as continuing (the default with --session-id).
    #[arg(long, overrides_with = "new_session")]
    pub no_new_session: bool,
    /// Session attributes to send, as a JSON object.
    #[arg(long, value_name = "JSON")]
    pub attributes: Option<String>,
    /// Print exactly the raw response envelope on stdout, nothing else.
    #[arg(long)]
    pub json: bool,
    /// Keep Amazon's apiEndpoint instead of pointing the request at a local mock of Alexa's
    /// service APIs (started for the request; its calls are printed on stderr).
    #[arg(long)]
    pub no_mock_api: bool,
}

/// Builds the request envelope for `request`/`details` (or reads and refreshes `--file`).
pub fn build_envelope(
    request: &RequestArgs,
    details: &DetailArgs,
    identity: &IdentityArgs,
    session: &Session,
) -> anyhow::Result<Value> {
    let now = time::OffsetDateTime::now_utc();
    if let Some(path) = &request.file {
        let text = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        let value: Value = serde_json::from_slice(&text)
            .with_context(|| format!("{} is not JSON", path.display()))?;
        let envelope =
            envelope::request_from_file(value).with_context(|| format!("{}", path.display()))?;
        return Ok(envelope::refresh(
            envelope,
            now,
            identity.app_id.as_deref(),
        )?);
    }
    let kind = if request.launch {
        RequestKind::Launch
    } else if let Some(name) = &request.intent {
        let mut intent = Intent::named(name.clone());
        for pair in &details.slots {
            let (k, v) = pair
                .split_once('=')
                .filter(|(k, _)| !k.is_empty())
                .with_context(|| format!("--slot expects NAME=VALUE, got `{pair}`"))?;
            intent.set_slot(k, v);
        }
        RequestKind::Intent(intent)
    } else if request.session_end {
        RequestKind::SessionEnded {
            reason: details.reason.clone(),
        }
    } else {
        anyhow::bail!("one of --launch, --intent, --session-end, --file is required");
    };
    Ok(envelope::build(&kind, &identity.identity(), session, now))
}

/// The signer of the development CA in the data directory.
pub fn dev_signer(globals: &Globals) -> anyhow::Result<Signer> {
    let ca = DevCa::load(&paths::dev_ca_dir(&globals.data_dir))?;
    Ok(ca.signer()?)
}

/// A runtime for the HTTP client (one thread is plenty for a command-line client).
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

/// Runs `skillgate invoke`.
pub fn run(args: Args, globals: &Globals) -> anyhow::Result<ExitCode> {
    let session = match &args.session_id {
        Some(id) => Session {
            id: id.clone(),
            new: args.new_session,
            attributes: Default::default(),
        },
        None => Session {
            new: !args.no_new_session,
            ..Session::fresh()
        },
    };
    let mut session = session;
    if let Some(text) = &args.attributes {
        match serde_json::from_str::<Value>(text).context("--attributes is not JSON")? {
            Value::Object(map) => session.attributes = map,
            _ => anyhow::bail!("--attributes must be a JSON object"),
        }
    }
    let signer = dev_signer(globals)?;
    let mut envelope = build_envelope(&args.request, &args.details, &args.identity, &session)?;
    let rt = runtime()?;
    let mock = if args.no_mock_api || args.request.file.is_some() {
        None
    } else {
        Some(super::mock_api::MockApi::start(&rt, globals)?)
    };
    if let Some(mock) = &mock {
        mock.inject(&mut envelope);
    }
    let body = envelope::to_body(&envelope);
    let headers = signer.sign(&body)?;
    let client = args.connection.client(globals)?;
    let started = Instant::now();
    let reply = rt.block_on(client.send(&args.url, body, &headers))?;
    let elapsed = started.elapsed();
    if let Some(mock) = &mock {
        for call in mock.new_calls() {
            eprintln!("  {call}");
        }
    }

    if reply.status != 200 {
        eprintln!(
            "HTTP {} from {} after {} ms: the request was refused",
            reply.status,
            args.url,
            elapsed.as_millis()
        );
        if !reply.body.is_empty() {
            eprintln!("{}", String::from_utf8_lossy(&reply.body));
        }
        return Ok(ExitCode::FAILURE);
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        out.write_all(&reply.body)?;
        if !reply.body.ends_with(b"\n") {
            out.write_all(b"\n")?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let Some(answer) = reply.json() else {
        eprintln!("HTTP 200 but the body is not JSON:");
        eprintln!("{}", String::from_utf8_lossy(&reply.body));
        return Ok(ExitCode::FAILURE);
    };
    for line in Answer::from_envelope(&answer).lines() {
        writeln!(out, "{line}")?;
    }
    eprintln!("(HTTP 200 in {} ms)", elapsed.as_millis());
    Ok(ExitCode::SUCCESS)
}
