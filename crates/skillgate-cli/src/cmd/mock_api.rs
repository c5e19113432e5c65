//! The local mock of Alexa's service APIs that `invoke` and `dialog` start for the skill:
//! its endpoint and a token it issued go into every simulated request, the calls the skill
//! made are printed after each turn, and `mock …` lines flip its switches.

use std::time::Duration;

use anyhow::Context as _;
use serde_json::Value;
use skillgate_alexa_api::Scope;
use skillgate_mock_alexa_api::{MockAlexaApi, MockConfig};

use super::Globals;
use crate::paths;

/// What `mock …` understands (shown by `mock help`).
pub const HELP: &str = "mock grant SCOPE|all     the user grants a permission (e.g. alexa::alerts:reminders:skill:readwrite)
  mock deny SCOPE|all      the user denies (or revokes) it
  mock slow MS|off         every API call waits MS milliseconds
  mock fail on|off         every API call answers 500
  mock expired on|off      every API call answers 401 (expired token)
  mock ratelimit on|off    every API call answers 429
  mock calls               every call so far";

/// A running mock and the token it issued for this session.
pub struct MockApi {
    mock: MockAlexaApi,
    token: String,
}

impl MockApi {
    /// Starts the mock on a free loopback port, its state under the data directory.
    pub fn start(rt: &tokio::runtime::Runtime, globals: &Globals) -> anyhow::Result<Self> {
        let dir = paths::mock_api_dir(&globals.data_dir);
        let mock = rt
            .block_on(MockAlexaApi::start(MockConfig::new(&dir)))
            .with_context(|| format!("starting the mock Alexa API in {}", dir.display()))?;
        let token = mock.issue_token();
        Ok(Self { mock, token })
    }

    /// The mock's endpoint.
    pub fn endpoint(&self) -> String {
        self.mock.endpoint()
    }

    /// Points the request's `context.System` at the mock.
    pub fn inject(&self, envelope: &mut Value) {
        if let Some(system) = envelope
            .get_mut("context")
            .and_then(|c| c.get_mut("System"))
            .and_then(Value::as_object_mut)
        {
            system.insert("apiEndpoint".into(), Value::String(self.mock.endpoint()));
            system.insert("apiAccessToken".into(), Value::String(self.token.clone()));
        }
    }

    /// The calls since the last time, one `→ METHOD /path STATUS` line each.
    pub fn new_calls(&self) -> Vec<String> {
        self.mock
            .drain_calls()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    /// Runs a `mock …` line; `None` if the line is not one.
    pub fn command(&self, line: &str) -> Option<Result<String, String>> {
        let rest = line.trim().strip_prefix("mock")?;
        if !(rest.is_empty() || rest.starts_with(char::is_whitespace)) {
            return None;
        }
        let words: Vec<&str> = rest.split_whitespace().collect();
        let on = |w: Option<&&str>| match w.copied() {
            Some("on") => Ok(true),
            Some("off") => Ok(false),
            _ => Err("say on or off".to_owned()),
        };
        let mut switches = self.mock.switches();
        let result = match words.as_slice() {
            ["grant" | "deny", scope] => {
                let grant = words[0] == "grant";
                let scopes: Vec<String> = if *scope == "all" {
                    Scope::ALL.iter().map(|s| s.as_str().to_owned()).collect()
                } else {
                    vec![(*scope).to_owned()]
                };
                for s in &scopes {
                    if grant {
                        self.mock.grant(s);
                    } else {
                        self.mock.deny(s);
                    }
                }
                Ok(format!(
                    "{} {}",
                    if grant { "granted" } else { "denied" },
                    scopes.join(", ")
                ))
            }
            ["slow", "off"] => {
                switches.slow = None;
                Ok("API calls answer at once".to_owned())
            }
            ["slow", ms] => match ms.parse::<u64>() {
                Ok(ms) => {
                    switches.slow = Some(Duration::from_millis(ms));
                    Ok(format!("API calls wait {ms} ms"))
                }
                Err(_) => Err("slow takes milliseconds or off".to_owned()),
            },
            ["fail", rest @ ..] => on(rest.first()).map(|v| {
                switches.fail = v;
                format!("500 on every call: {v}")
            }),
            ["expired", rest @ ..] => on(rest.first()).map(|v| {
                switches.expired_token = v;
                format!("expired token on every call: {v}")
            }),
            ["ratelimit", rest @ ..] => on(rest.first()).map(|v| {
                switches.rate_limited = v;
                format!("429 on every call: {v}")
            }),
            ["calls"] => Ok(self
                .mock
                .calls()
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")),
            _ => Err(format!("usage:\n  {HELP}")),
        };
        if result.is_ok() {
            self.mock.set_switches(switches);
        }
        Some(result)
    }
}

/// What `serve --dev-ca` trusts for Alexa's APIs: Mozilla's roots and the mock's CA (created
/// in the data directory if missing), for every skill of the process.
pub fn trust_mock_for_skills(globals: &Globals) -> anyhow::Result<()> {
    let dir = paths::mock_api_dir(&globals.data_dir);
    let ca = skillgate_mock_alexa_api::ensure_ca(&dir)
        .with_context(|| format!("the mock Alexa API's CA in {}", dir.display()))?;
    let transport = skillgate_alexa_api::Transport::builder()
        .add_root_pem(ca.as_bytes())?
        .build()?;
    skillgate::services::set_default_transport(transport);
    Ok(())
}
