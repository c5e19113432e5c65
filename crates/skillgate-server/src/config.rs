//! The server configuration: one TOML file, environment overrides, validation.
//!
//! Parsing and validation are pure: [`Config::from_toml_str`] takes text,
//! [`Config::apply_env`] takes a lookup function, so both are tested without
//! touching the process environment or the file system.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

/// Default listen address when nothing is configured: every IPv4 interface, port 8443
/// (443 needs privileges, see docs/deployment.md).
pub const DEFAULT_LISTEN: &str = "0.0.0.0:8443";
/// Default URL path of a skill.
pub const DEFAULT_PATH: &str = "/alexa";
/// Default cap on a request body. Real Alexa requests are well under 16 KiB; 128 KiB leaves
/// room for large `context` objects (APL viewports, many devices) while refusing floods.
pub use skillgate_axum::DEFAULT_MAX_BODY_BYTES;
/// The most the request timestamp may differ from now (Amazon's rule; never more), from
/// [`skillgate_verify::timestamp::DEFAULT_TOLERANCE`].
pub const MAX_TIMESTAMP_TOLERANCE_SECS: u64 =
    skillgate_verify::timestamp::DEFAULT_TOLERANCE.as_secs();
/// Alexa waits 8 seconds for an answer; the handler deadline must stay under it.
pub const MAX_HANDLER_TIMEOUT_MS: u64 = 8_000;
/// The attributes store used when `[attributes] url` is not set: the embedded SQLite file
/// `attributes.db` in the data directory ([`skillgate_store::DEFAULT_URL`]).
pub const DEFAULT_ATTRIBUTES_URL: &str = skillgate_store::DEFAULT_URL;
/// Default bound on one attributes-store operation (connecting, a load, a save), from
/// [`skillgate_store::DEFAULT_TIMEOUT`].
pub const DEFAULT_ATTRIBUTES_TIMEOUT_MS: u64 = skillgate_store::DEFAULT_TIMEOUT.as_millis() as u64;
/// Default number of connections a PostgreSQL attributes store keeps open.
pub const DEFAULT_ATTRIBUTES_POOL_SIZE: usize = skillgate_store::DEFAULT_POOL_SIZE;

/// A fully commented example configuration (what `skillgate init` writes).
pub const EXAMPLE_TOML: &str = include_str!("example.toml");

/// Environment variables that override the file (or the defaults), in the order applied.
pub const ENV_OVERRIDES: &[(&str, &str)] = &[
    ("SKILLGATE_LISTEN", "listen"),
    ("SKILLGATE_ADMIN_LISTEN", "admin_listen"),
    ("SKILLGATE_LOG_FORMAT", "log.format"),
    ("SKILLGATE_LOG_LEVEL", "log.level"),
    ("SKILLGATE_TLS", "tls.enabled (on/off)"),
    ("SKILLGATE_TLS_CERT", "tls.cert"),
    ("SKILLGATE_TLS_KEY", "tls.key"),
    ("SKILLGATE_MAX_BODY_BYTES", "limits.max_body_bytes"),
    ("SKILLGATE_RECORD_DIR", "record_dir"),
    ("SKILLGATE_ATTRIBUTES_URL", "attributes.url"),
    ("SKILLGATE_SHARED_STATE", "verify.shared_state"),
];

/// The whole configuration file.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Address of the main (Alexa-facing) listener.
    #[serde(default = "default_listen")]
    pub listen: SocketAddr,
    /// Optional separate plain-HTTP address for `/healthz` and `/metrics`. Without it
    /// `/healthz` is served on the main listener, and `/metrics` only when
    /// `metrics_on_main_listener` is set.
    #[serde(default)]
    pub admin_listen: Option<SocketAddr>,
    /// Serve `/metrics` on the main (Alexa-facing) listener when there is no
    /// `admin_listen`. Off by default in a configuration file (the metrics name skills,
    /// failure reasons and traffic); on in the demo configuration.
    #[serde(default)]
    pub metrics_on_main_listener: bool,
    /// When set, every verified request and its answer is written to this directory
    /// (tokens masked), for replay with `skillgate invoke --file`.
    #[serde(default)]
    pub record_dir: Option<PathBuf>,
    /// TLS settings.
    #[serde(default)]
    pub tls: TlsConfig,
    /// HTTP limits and timeouts.
    #[serde(default)]
    pub limits: LimitsConfig,
    /// Verification settings.
    #[serde(default)]
    pub verify: VerifyConfig,
    /// Logging.
    #[serde(default)]
    pub log: LogConfig,
    /// Development-only switches, each logged loudly at start-up.
    #[serde(default)]
    pub dev: DevConfig,
    /// Where native skills keep their persistent attributes.
    #[serde(default)]
    pub attributes: AttributesConfig,
    /// The skills served.
    #[serde(default)]
    pub skill: Vec<SkillConfig>,
}

/// TLS settings.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TlsConfig {
    /// `false` serves plain HTTP (only behind a TLS-terminating proxy: Alexa needs TLS).
    #[serde(default = "yes")]
    pub enabled: bool,
    /// The certificate chain (PEM, server certificate first), e.g. certbot's
    /// `fullchain.pem`. Without any certificate, a development certificate is generated in
    /// the data directory.
    #[serde(default)]
    pub cert: Option<PathBuf>,
    /// The private key of `cert` (PEM), e.g. certbot's `privkey.pem`.
    #[serde(default)]
    pub key: Option<PathBuf>,
    /// More certificate/key pairs, chosen by the client's SNI name (`cert` stays the
    /// default).
    #[serde(default)]
    pub certificate: Vec<CertificateFiles>,
    /// How often the files are checked for changes (seconds); 0 turns polling off
    /// (SIGHUP still reloads).
    #[serde(default = "default_reload_secs")]
    pub reload_interval_secs: u64,
    /// Time allowed for a TLS handshake (seconds).
    #[serde(default = "default_handshake_secs")]
    pub handshake_timeout_secs: u64,
    /// Offer HTTP/2 (ALPN h2). Off by default: Alexa uses HTTP/1.1.
    #[serde(default)]
    pub http2: bool,
    /// `[tls.acme]`: certificates obtained and renewed automatically (excludes `cert`).
    #[serde(default)]
    pub acme: Option<crate::acme::AcmeSettings>,
}

impl TlsConfig {
    /// Every configured certificate: `cert`/`key` first, then `[[tls.certificate]]`.
    /// Empty: the server uses a development certificate.
    pub fn certificates(&self) -> Vec<CertificateFiles> {
        let mut out = Vec::new();
        if let (Some(cert), Some(key)) = (&self.cert, &self.key) {
            out.push(CertificateFiles {
                cert: cert.clone(),
                key: key.clone(),
            });
        }
        out.extend(self.certificate.iter().cloned());
        out
    }
}

impl Default for TlsConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            cert: None,
            key: None,
            certificate: Vec::new(),
            reload_interval_secs: default_reload_secs(),
            handshake_timeout_secs: default_handshake_secs(),
            http2: false,
            acme: None,
        }
    }
}

/// One certificate chain and its private key, both PEM files (e.g. certbot's
/// `fullchain.pem` and `privkey.pem`).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CertificateFiles {
    /// The chain: server certificate first, then intermediates.
    pub cert: PathBuf,
    /// The private key (PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
}

/// HTTP limits and timeouts.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LimitsConfig {
    /// Largest accepted request body; larger ones get 413 before they are read.
    #[serde(default = "default_max_body")]
    pub max_body_bytes: usize,
    /// Time allowed to receive the request headers (seconds).
    #[serde(default = "default_ten")]
    pub header_read_timeout_secs: u64,
    /// Time allowed to receive the request body (seconds).
    #[serde(default = "default_ten")]
    pub body_read_timeout_secs: u64,
    /// Deadline for a skill's answer (milliseconds, at most 8000: Alexa's own limit).
    #[serde(default = "default_handler_ms")]
    pub handler_timeout_ms: u64,
    /// Most simultaneous connections; more are closed at once.
    #[serde(default = "default_max_connections")]
    pub max_connections: usize,
    /// Most simultaneous connections from one client address; more from it are closed at
    /// once, so one client holding idle connections cannot lock out others.
    #[serde(default = "default_max_connections_per_ip")]
    pub max_connections_per_ip: usize,
    /// A connection (HTTP/1.1 keep-alive or HTTP/2) with no request in flight for this
    /// long is closed (seconds).
    #[serde(default = "default_idle_timeout_secs")]
    pub idle_timeout_secs: u64,
    /// How long a graceful shutdown waits for in-flight requests (seconds).
    #[serde(default = "default_grace_secs")]
    pub shutdown_grace_secs: u64,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        Self {
            max_body_bytes: default_max_body(),
            header_read_timeout_secs: default_ten(),
            body_read_timeout_secs: default_ten(),
            handler_timeout_ms: default_handler_ms(),
            max_connections: default_max_connections(),
            max_connections_per_ip: default_max_connections_per_ip(),
            idle_timeout_secs: default_idle_timeout_secs(),
            shutdown_grace_secs: default_grace_secs(),
        }
    }
}

impl LimitsConfig {
    /// Header read timeout as a duration.
    pub fn header_read_timeout(&self) -> Duration {
        Duration::from_secs(self.header_read_timeout_secs)
    }
    /// Body read timeout as a duration.
    pub fn body_read_timeout(&self) -> Duration {
        Duration::from_secs(self.body_read_timeout_secs)
    }
    /// Handler deadline as a duration.
    pub fn handler_timeout(&self) -> Duration {
        Duration::from_millis(self.handler_timeout_ms)
    }
    /// Idle timeout as a duration.
    pub fn idle_timeout(&self) -> Duration {
        Duration::from_secs(self.idle_timeout_secs)
    }
    /// Shutdown grace period as a duration.
    pub fn shutdown_grace(&self) -> Duration {
        Duration::from_secs(self.shutdown_grace_secs)
    }
}

/// Verification settings (production-safe ones only; looser ones live in `[dev]`).
#[derive(Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct VerifyConfig {
    /// Also accept the legacy SHA-1 `Signature` header (Alexa sends `Signature-256`).
    #[serde(default)]
    pub allow_sha1: bool,
    /// Allowed difference between the request timestamp and now (seconds, at most 150).
    #[serde(default = "default_tolerance")]
    pub timestamp_tolerance_secs: u64,
    /// Refuse a request whose `request.requestId` already passed verification within its
    /// timestamp window (default on).
    #[serde(default = "default_true")]
    pub replay: bool,
    /// Most request ids the in-process replay cache holds (when `shared_state` is unset).
    #[serde(default = "default_replay_max_entries")]
    pub replay_max_entries: usize,
    /// `redis://host:6379/0`: keep the replay cache and the chain-download budget in Redis,
    /// shared by every instance using it. Unset: each instance keeps its own. May hold a
    /// password: never log it as is, use [`VerifyConfig::display_shared_state`].
    #[serde(default)]
    pub shared_state: Option<String>,
    /// Bound on one shared-state operation (connecting, a replay check), in milliseconds.
    #[serde(default = "default_shared_state_timeout_ms")]
    pub shared_state_timeout_ms: u64,
}

impl Default for VerifyConfig {
    fn default() -> Self {
        Self {
            allow_sha1: false,
            timestamp_tolerance_secs: default_tolerance(),
            replay: true,
            replay_max_entries: default_replay_max_entries(),
            shared_state: None,
            shared_state_timeout_ms: default_shared_state_timeout_ms(),
        }
    }
}

impl std::fmt::Debug for VerifyConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifyConfig")
            .field("allow_sha1", &self.allow_sha1)
            .field("timestamp_tolerance_secs", &self.timestamp_tolerance_secs)
            .field("replay", &self.replay)
            .field("replay_max_entries", &self.replay_max_entries)
            .field("shared_state", &self.display_shared_state())
            .field("shared_state_timeout_ms", &self.shared_state_timeout_ms)
            .finish()
    }
}

impl VerifyConfig {
    /// `shared_state` with any password replaced by `***`, fit for logs.
    pub fn display_shared_state(&self) -> Option<String> {
        self.shared_state.as_deref().map(redact_url_password)
    }

    /// The bound on one shared-state operation, as a duration.
    pub fn shared_state_timeout(&self) -> Duration {
        Duration::from_millis(self.shared_state_timeout_ms)
    }
}

fn default_true() -> bool {
    true
}
fn default_replay_max_entries() -> usize {
    100_000
}
fn default_shared_state_timeout_ms() -> u64 {
    500
}

/// Log output format.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

impl std::str::FromStr for LogFormat {
    type Err = ConfigError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "text" => Ok(Self::Text),
            "json" => Ok(Self::Json),
            other => Err(ConfigError::Invalid(format!(
                "log format must be \"text\" or \"json\", not {other:?}"
            ))),
        }
    }
}

/// Logging settings.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    /// `text` or `json`.
    #[serde(default)]
    pub format: LogFormat,
    /// A tracing filter (`info`, `skillgate_server=debug`, ...); `RUST_LOG` wins when set.
    #[serde(default = "default_level")]
    pub level: String,
    /// Log user ids, device ids and tokens unmasked (debugging only).
    #[serde(default)]
    pub unmask: bool,
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            format: LogFormat::Text,
            level: default_level(),
            unmask: false,
        }
    }
}

/// Where native skills (the `home` demo, your own) keep persistent attributes: a store
/// chosen by URL (see docs/persistence.md). Gateway upstreams keep their own state.
#[derive(Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AttributesConfig {
    /// The store: `sqlite://attributes.db` (the default, a file in the data directory),
    /// `sqlite:///abs/path.db`, `postgres://user:pw@host/db`, `redis://host:6379/0` or
    /// `memory:` (forgotten on exit). May hold a password: never log it as is, use
    /// [`AttributesConfig::display_url`].
    #[serde(default = "default_attributes_url")]
    pub url: String,
    /// Bound on one store operation (connecting, a load, a save), in milliseconds; must be
    /// below `limits.handler_timeout_ms` so that a store that is down is answered with the
    /// skill's apology in time.
    #[serde(default = "default_attributes_timeout_ms")]
    pub timeout_ms: u64,
    /// Most connections a PostgreSQL store keeps open (per instance).
    #[serde(default = "default_attributes_pool_size")]
    pub pool_size: usize,
}

impl Default for AttributesConfig {
    fn default() -> Self {
        Self {
            url: default_attributes_url(),
            timeout_ms: default_attributes_timeout_ms(),
            pool_size: default_attributes_pool_size(),
        }
    }
}

impl std::fmt::Debug for AttributesConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AttributesConfig")
            .field("url", &self.display_url())
            .field("timeout_ms", &self.timeout_ms)
            .field("pool_size", &self.pool_size)
            .finish()
    }
}

impl AttributesConfig {
    /// The bound on one store operation, as a duration.
    pub fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms)
    }

    /// The URL with any password replaced by `***`, fit for logs and error messages.
    pub fn display_url(&self) -> String {
        redact_url_password(&self.url)
    }
}

/// `scheme://user:secret@host/…` → `scheme://user:***@host/…`; other text unchanged.
fn redact_url_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let Some((userinfo, host)) = authority.rsplit_once('@') else {
        return url.to_owned();
    };
    match userinfo.split_once(':') {
        Some((user, _secret)) => format!("{scheme}://{user}:***@{host}{tail}"),
        None => url.to_owned(),
    }
}

/// Development-only switches. Each one weakens verification and is logged at warn level
/// at start-up; none belongs in a production file.
#[derive(Debug, Clone, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct DevConfig {
    /// PEM files of extra root certificates trusted for the signing chain.
    #[serde(default)]
    pub extra_trust_anchors: Vec<PathBuf>,
    /// Trust the local development CA (`skillgate dev-ca init`), like `serve --dev-ca`.
    #[serde(default)]
    pub dev_ca: bool,
    /// Connect to this address instead of s3.amazonaws.com when downloading chains.
    #[serde(default)]
    pub chain_connect_to: Option<SocketAddr>,
    /// Accept request timestamps this many seconds away from now (replaying old captures).
    #[serde(default)]
    pub loose_timestamp_secs: Option<u64>,
    /// Let skills without `application_ids` accept any skill id.
    #[serde(default)]
    pub any_application_id: bool,
    /// Serve the local web console (`serve --console`) on the admin listener. Needs
    /// `dev_ca` and a loopback `admin_listen`; the binary wires it (see docs/console.md).
    #[serde(default)]
    pub console: bool,
}

impl DevConfig {
    /// Human-readable warnings, one per development switch that is on.
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        for anchor in &self.extra_trust_anchors {
            out.push(format!(
                "DEVELOPMENT ONLY: extra trust anchor {} is trusted for Alexa signing chains",
                anchor.display()
            ));
        }
        if self.dev_ca {
            out.push(
                "DEVELOPMENT ONLY: the local dev CA is trusted: requests it signs pass verification"
                    .to_owned(),
            );
        }
        if let Some(addr) = self.chain_connect_to {
            out.push(format!(
                "DEVELOPMENT ONLY: signing chains are downloaded from {addr} instead of s3.amazonaws.com"
            ));
        }
        if let Some(secs) = self.loose_timestamp_secs {
            out.push(format!(
                "DEVELOPMENT ONLY: request timestamps up to {secs} s old are accepted (Alexa requires 150 s)"
            ));
        }
        if self.any_application_id {
            out.push(
                "DEVELOPMENT ONLY: skills without application_ids accept ANY skill id".to_owned(),
            );
        }
        if self.console {
            out.push(
                "DEVELOPMENT ONLY: the local console shows every request on the admin listener"
                    .to_owned(),
            );
        }
        out
    }
}

/// One skill served by this server.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SkillConfig {
    /// A short name for logs and metrics.
    pub name: String,
    /// URL path (default `/alexa`). Several skills may share one path: requests are then
    /// routed by application id.
    #[serde(default = "default_path")]
    pub path: String,
    /// The skill ids (`amzn1.ask.skill.…`) this skill answers.
    #[serde(default)]
    pub application_ids: Vec<String>,
    /// A native skill registered by name (e.g. `home`, `hello`).
    #[serde(default)]
    pub handler: Option<String>,
    /// Gateway mode: forward verified requests to this HTTP(S) URL.
    #[serde(default)]
    pub upstream: Option<String>,
    /// Deadline for the upstream's answer (milliseconds; default and maximum: the handler
    /// timeout).
    #[serde(default)]
    pub upstream_timeout_ms: Option<u64>,
}

/// What a skill entry runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkillTarget<'a> {
    /// A native skill registered by name.
    Handler(&'a str),
    /// A URL to forward to.
    Upstream(&'a str),
}

impl SkillConfig {
    /// The handler or upstream (validated to be exactly one).
    pub fn target(&self) -> Result<SkillTarget<'_>, ConfigError> {
        match (&self.handler, &self.upstream) {
            (Some(h), None) => Ok(SkillTarget::Handler(h)),
            (None, Some(u)) => Ok(SkillTarget::Upstream(u)),
            _ => Err(ConfigError::Invalid(format!(
                "skill {:?}: set exactly one of `handler` or `upstream`",
                self.name
            ))),
        }
    }
}

/// One broken rule of a configuration, with the key that breaks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The configuration key (`limits.max_body_bytes`, `skill[0].upstream`, `tls.cert`, …).
    pub key: String,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.key, self.message)
    }
}

/// A configuration that cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The TOML is malformed or has unknown or mistyped keys.
    #[error("{0}")]
    Parse(String),
    /// The values are inconsistent or out of range.
    #[error("{0}")]
    Invalid(String),
}

impl Default for Config {
    fn default() -> Self {
        Self::demo()
    }
}

impl Config {
    /// The configuration of `skillgate serve` without a file: the demo `home` skill at
    /// `/alexa` on port 8443, TLS with a development certificate, any application id.
    pub fn demo() -> Self {
        Self {
            listen: default_listen(),
            admin_listen: None,
            metrics_on_main_listener: true,
            record_dir: None,
            tls: TlsConfig::default(),
            limits: LimitsConfig::default(),
            verify: VerifyConfig::default(),
            log: LogConfig::default(),
            dev: DevConfig {
                any_application_id: true,
                ..DevConfig::default()
            },
            attributes: AttributesConfig::default(),
            skill: vec![SkillConfig {
                name: "home".to_owned(),
                path: default_path(),
                application_ids: Vec::new(),
                handler: Some("home".to_owned()),
                upstream: None,
                upstream_timeout_ms: None,
            }],
        }
    }

    /// Parses and validates a TOML document.
    pub fn from_toml_str(text: &str) -> Result<Self, ConfigError> {
        let config = Self::parse_toml_str(text)?;
        config.validate()?;
        Ok(config)
    }

    /// Parses a TOML document without checking the rules between values (see
    /// [`Config::problems`]): unknown keys and mistyped values are still errors.
    pub fn parse_toml_str(text: &str) -> Result<Self, ConfigError> {
        toml::from_str(text).map_err(|e| ConfigError::Parse(e.to_string()))
    }

    /// Reads, parses and validates a file.
    pub fn from_file(path: &std::path::Path) -> Result<Self, ConfigError> {
        let config = Self::read_file(path)?;
        config.validate()?;
        Ok(config)
    }

    /// Reads and parses a file without checking the rules between values (see
    /// [`Config::problems`]).
    pub fn read_file(path: &std::path::Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::parse_toml_str(&text).map_err(|e| match e {
            ConfigError::Parse(msg) => ConfigError::Parse(format!("{}: {msg}", path.display())),
            other => other,
        })
    }

    /// Applies the `SKILLGATE_*` overrides listed in [`ENV_OVERRIDES`], then validates again.
    pub fn apply_env(
        &mut self,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<(), ConfigError> {
        self.apply_env_overrides(lookup)?;
        self.validate()
    }

    /// Applies the `SKILLGATE_*` overrides listed in [`ENV_OVERRIDES`] without checking the
    /// rules between values; a value that does not parse is still an error.
    pub fn apply_env_overrides(
        &mut self,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<(), ConfigError> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let addr = |name: &str, v: String| {
            v.trim()
                .parse::<SocketAddr>()
                .map_err(|e| ConfigError::Invalid(format!("{name}={v:?}: {e}")))
        };
        if let Some(v) = get("SKILLGATE_LISTEN") {
            self.listen = addr("SKILLGATE_LISTEN", v)?;
        }
        if let Some(v) = get("SKILLGATE_ADMIN_LISTEN") {
            self.admin_listen = Some(addr("SKILLGATE_ADMIN_LISTEN", v)?);
        }
        if let Some(v) = get("SKILLGATE_LOG_FORMAT") {
            self.log.format = v.parse()?;
        }
        if let Some(v) = get("SKILLGATE_LOG_LEVEL") {
            self.log.level = v;
        }
        if let Some(v) = get("SKILLGATE_TLS") {
            self.tls.enabled = match v.trim().to_ascii_lowercase().as_str() {
                "on" | "true" | "1" => true,
                "off" | "false" | "0" => false,
                _ => {
                    return Err(ConfigError::Invalid(format!(
                        "SKILLGATE_TLS must be on or off, not {v:?}"
                    )));
                }
            };
        }
        match (get("SKILLGATE_TLS_CERT"), get("SKILLGATE_TLS_KEY")) {
            (Some(cert), Some(key)) => {
                self.tls.cert = Some(cert.into());
                self.tls.key = Some(key.into());
            }
            (None, None) => {}
            _ => {
                return Err(ConfigError::Invalid(
                    "set both SKILLGATE_TLS_CERT and SKILLGATE_TLS_KEY, or neither".to_owned(),
                ));
            }
        }
        if let Some(v) = get("SKILLGATE_MAX_BODY_BYTES") {
            self.limits.max_body_bytes = v.trim().parse().map_err(|e| {
                ConfigError::Invalid(format!("SKILLGATE_MAX_BODY_BYTES={v:?}: {e}"))
            })?;
        }
        if let Some(v) = get("SKILLGATE_RECORD_DIR") {
            self.record_dir = Some(v.into());
        }
        if let Some(v) = get("SKILLGATE_ATTRIBUTES_URL") {
            self.attributes.url = v.trim().to_owned();
        }
        if let Some(v) = get("SKILLGATE_SHARED_STATE") {
            let v = v.trim();
            self.verify.shared_state = (!v.is_empty()).then(|| v.to_owned());
        }
        Ok(())
    }

    /// Checks every rule a parsed file must also meet; the first problem found is the error
    /// ([`Config::problems`] lists them all).
    pub fn validate(&self) -> Result<(), ConfigError> {
        match self.problems().into_iter().next() {
            None => Ok(()),
            Some(problem) => Err(ConfigError::Invalid(problem.message)),
        }
    }

    /// Every rule of the configuration that is broken, each with the key that breaks it, in
    /// file order. Pure: no file is read (the server's plan step does that).
    pub fn problems(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        out.extend(self.tls.acme_problems());
        let mut bad = |key: String, message: String| out.push(Problem { key, message });
        if self.skill.is_empty() {
            bad("skill".into(), "no [[skill]] configured".to_owned());
        }
        if self.verify.timestamp_tolerance_secs > MAX_TIMESTAMP_TOLERANCE_SECS {
            bad(
                "verify.timestamp_tolerance_secs".into(),
                format!(
                    "verify.timestamp_tolerance_secs = {} is over Alexa's limit of {MAX_TIMESTAMP_TOLERANCE_SECS} \
                     (for old captures use [dev] loose_timestamp_secs)",
                    self.verify.timestamp_tolerance_secs
                ),
            );
        }
        if let Some(url) = self.verify.display_shared_state() {
            if url.starts_with("rediss://") {
                bad(
                    "verify.shared_state".into(),
                    format!(
                        "verify.shared_state = {url:?}: Redis over TLS (rediss://) is not supported; \
                         use a Redis on loopback, a unix socket (redis+unix://) or a TLS tunnel"
                    ),
                );
            } else if !["redis://", "redis+unix://"]
                .iter()
                .any(|scheme| url.starts_with(scheme))
            {
                bad(
                    "verify.shared_state".into(),
                    format!(
                        "verify.shared_state = {url:?}: only Redis is supported (redis://host:6379/0)"
                    ),
                );
            }
        }
        if self.verify.shared_state_timeout_ms == 0
            || self.verify.shared_state_timeout_ms >= self.limits.handler_timeout_ms
        {
            bad(
                "verify.shared_state_timeout_ms".into(),
                format!(
                    "verify.shared_state_timeout_ms = {} must be positive and below limits.handler_timeout_ms",
                    self.verify.shared_state_timeout_ms
                ),
            );
        }
        if self.limits.max_body_bytes == 0 {
            bad(
                "limits.max_body_bytes".into(),
                "limits.max_body_bytes must be positive".to_owned(),
            );
        }
        if self.limits.handler_timeout_ms == 0
            || self.limits.handler_timeout_ms > MAX_HANDLER_TIMEOUT_MS
        {
            bad(
                "limits.handler_timeout_ms".into(),
                format!(
                    "limits.handler_timeout_ms = {} must be between 1 and {MAX_HANDLER_TIMEOUT_MS} (Alexa waits 8 s)",
                    self.limits.handler_timeout_ms
                ),
            );
        }
        if self.limits.max_connections == 0 {
            bad(
                "limits.max_connections".into(),
                "limits.max_connections must be positive".to_owned(),
            );
        }
        if self.limits.max_connections_per_ip == 0 {
            bad(
                "limits.max_connections_per_ip".into(),
                "limits.max_connections_per_ip must be positive".to_owned(),
            );
        }
        if self.limits.idle_timeout_secs == 0 {
            bad(
                "limits.idle_timeout_secs".into(),
                "limits.idle_timeout_secs must be positive".to_owned(),
            );
        }
        if Some(self.listen) == self.admin_listen && self.listen.port() != 0 {
            bad(
                "admin_listen".into(),
                "admin_listen must differ from listen".to_owned(),
            );
        }
        if self.dev.console {
            if !self.dev.dev_ca {
                bad(
                    "dev.console".into(),
                    "dev.console (serve --console) is a development tool: it needs the dev switch \
                     [dev] dev_ca = true (serve --dev-ca)"
                        .to_owned(),
                );
            }
            match self.admin_listen {
                None => bad(
                    "dev.console".into(),
                    "dev.console needs admin_listen on a loopback address (127.0.0.1:PORT or \
                     [::1]:PORT): the console is never served on the Alexa-facing listener"
                        .to_owned(),
                ),
                Some(addr) if !addr.ip().is_loopback() => bad(
                    "admin_listen".into(),
                    format!(
                        "admin_listen {addr} is not a loopback address: dev.console serves the \
                         console only on 127.0.0.1 or ::1"
                    ),
                ),
                Some(_) => {}
            }
        }
        if self.attributes.url.trim().is_empty() {
            bad(
                "attributes.url".into(),
                format!("attributes.url is empty (the default is {DEFAULT_ATTRIBUTES_URL})"),
            );
        }
        if self.attributes.timeout_ms == 0
            || self.attributes.timeout_ms >= self.limits.handler_timeout_ms
        {
            bad(
                "attributes.timeout_ms".into(),
                format!(
                    "attributes.timeout_ms = {} must be positive and below limits.handler_timeout_ms = {} \
                     (a store that is down must be answered with the apology in time)",
                    self.attributes.timeout_ms, self.limits.handler_timeout_ms
                ),
            );
        }
        if self.attributes.pool_size == 0 {
            bad(
                "attributes.pool_size".into(),
                "attributes.pool_size must be positive".to_owned(),
            );
        }
        let mut names = BTreeSet::new();
        let mut ids = BTreeSet::new();
        for (index, skill) in self.skill.iter().enumerate() {
            let key = |field: &str| format!("skill[{index}].{field}");
            if skill.name.trim().is_empty() {
                bad(key("name"), "a [[skill]] has an empty name".to_owned());
            } else if !names.insert(skill.name.as_str()) {
                bad(
                    key("name"),
                    format!("two skills are named {:?}", skill.name),
                );
            }
            if !skill.path.starts_with('/') {
                bad(
                    key("path"),
                    format!(
                        "skill {:?}: path {:?} must start with '/'",
                        skill.name, skill.path
                    ),
                );
            }
            if matches!(skill.path.as_str(), "/healthz" | "/metrics") {
                bad(
                    key("path"),
                    format!("skill {:?}: path {} is reserved", skill.name, skill.path),
                );
            }
            match skill.target() {
                Err(error) => bad(key("handler"), error.to_string()),
                Ok(SkillTarget::Upstream(url)) => {
                    let ok = url.starts_with("http://") || url.starts_with("https://");
                    if !ok || url.parse::<http::Uri>().is_err() {
                        bad(
                            key("upstream"),
                            format!(
                                "skill {:?}: upstream {url:?} is not an http:// or https:// URL",
                                skill.name
                            ),
                        );
                    }
                }
                Ok(SkillTarget::Handler(_)) => {
                    if skill.upstream_timeout_ms.is_some() {
                        bad(
                            key("upstream_timeout_ms"),
                            format!(
                                "skill {:?}: upstream_timeout_ms needs an upstream",
                                skill.name
                            ),
                        );
                    }
                }
            }
            if skill.application_ids.is_empty() && !self.dev.any_application_id {
                bad(
                    key("application_ids"),
                    format!(
                        "skill {:?}: list its application_ids (the skill id from the Alexa developer console)",
                        skill.name
                    ),
                );
            }
            for id in &skill.application_ids {
                if id.trim().is_empty() || id.trim() != id {
                    bad(
                        key("application_ids"),
                        format!(
                            "skill {:?}: application id {id:?} is empty or has spaces",
                            skill.name
                        ),
                    );
                } else if !ids.insert((skill.path.as_str(), id.as_str())) {
                    bad(
                        key("application_ids"),
                        format!(
                            "application id {id:?} is listed twice on path {}",
                            skill.path
                        ),
                    );
                }
            }
        }
        // Two skills on one path must be told apart by application id.
        for path in self.paths() {
            let on_path: Vec<_> = self.skill.iter().filter(|s| s.path == path).collect();
            if on_path.len() > 1 && on_path.iter().any(|s| s.application_ids.is_empty()) {
                bad(
                    "skill.application_ids".into(),
                    format!("several skills share path {path}: each needs its own application_ids"),
                );
            }
        }
        if self.tls.cert.is_some() != self.tls.key.is_some() {
            bad(
                "tls.cert".into(),
                "set both tls.cert and tls.key, or neither".to_owned(),
            );
        }
        for (index, files) in self.tls.certificate.iter().enumerate() {
            if files.cert.as_os_str().is_empty() || files.key.as_os_str().is_empty() {
                bad(
                    format!("tls.certificate[{index}]"),
                    "tls.certificate entries need both cert and key".to_owned(),
                );
            }
        }
        out
    }

    /// The distinct skill paths, in first-seen order.
    pub fn paths(&self) -> Vec<&str> {
        let mut seen = Vec::new();
        for s in &self.skill {
            if !seen.contains(&s.path.as_str()) {
                seen.push(s.path.as_str());
            }
        }
        seen
    }
}

fn yes() -> bool {
    true
}
fn default_listen() -> SocketAddr {
    SocketAddr::from(([0, 0, 0, 0], 8443))
}
fn default_path() -> String {
    DEFAULT_PATH.to_owned()
}
fn default_reload_secs() -> u64 {
    5
}
fn default_handshake_secs() -> u64 {
    10
}
fn default_max_body() -> usize {
    DEFAULT_MAX_BODY_BYTES
}
fn default_ten() -> u64 {
    10
}
fn default_handler_ms() -> u64 {
    7_000
}
fn default_max_connections() -> usize {
    1024
}
fn default_max_connections_per_ip() -> usize {
    64
}
fn default_idle_timeout_secs() -> u64 {
    60
}
fn default_grace_secs() -> u64 {
    20
}
fn default_tolerance() -> u64 {
    MAX_TIMESTAMP_TOLERANCE_SECS
}
fn default_level() -> String {
    "info".to_owned()
}

fn default_attributes_url() -> String {
    DEFAULT_ATTRIBUTES_URL.to_owned()
}

fn default_attributes_timeout_ms() -> u64 {
    DEFAULT_ATTRIBUTES_TIMEOUT_MS
}

fn default_attributes_pool_size() -> usize {
    DEFAULT_ATTRIBUTES_POOL_SIZE
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
[[skill]]
name = "home"
application_ids = ["amzn1.ask.skill.1"]
handler = "home"
"#;

    #[test]
    fn minimal_file_gets_defaults() {
        let c = Config::from_toml_str(MINIMAL).unwrap();
        assert_eq!(c.listen.to_string(), DEFAULT_LISTEN);
        assert_eq!(c.skill[0].path, "/alexa");
        assert!(c.tls.enabled);
        assert_eq!(c.limits.max_body_bytes, DEFAULT_MAX_BODY_BYTES);
        assert_eq!(c.verify.timestamp_tolerance_secs, 150);
        assert!(c.dev.warnings().is_empty());
        assert!(!c.metrics_on_main_listener);
        assert_eq!(c.limits.idle_timeout_secs, 60);
        assert_eq!(c.limits.max_connections_per_ip, 64);
        assert!(c.limits.max_connections_per_ip < c.limits.max_connections);
    }

    #[test]
    fn connection_limits_must_be_positive() {
        for key in ["max_connections_per_ip", "idle_timeout_secs"] {
            let text = MINIMAL.replace("[[skill]]", &format!("[limits]\n{key} = 0\n[[skill]]"));
            let err = Config::from_toml_str(&text).unwrap_err();
            assert!(err.to_string().contains(&format!("limits.{key}")), "{err}");
        }
    }

    #[test]
    fn unknown_keys_are_refused() {
        let err = Config::from_toml_str(&format!("{MINIMAL}\nlisten_typo = 1\n")).unwrap_err();
        assert!(err.to_string().contains("listen_typo"), "{err}");
    }

    #[test]
    fn a_configured_skill_lists_its_ids() {
        let text = "[[skill]]\nname = \"a\"\nhandler = \"home\"\n";
        let err = Config::from_toml_str(text).unwrap_err();
        assert!(err.to_string().contains("application_ids"), "{err}");
        let ok = format!("{text}[dev]\nany_application_id = true\n");
        let c = Config::from_toml_str(&ok).unwrap();
        assert_eq!(c.dev.warnings().len(), 1);
    }

    #[test]
    fn handler_xor_upstream() {
        let both = "[[skill]]\nname = \"a\"\napplication_ids=[\"x\"]\nhandler = \"home\"\nupstream = \"http://127.0.0.1:5000/\"\n";
        assert!(Config::from_toml_str(both).is_err());
        let none = "[[skill]]\nname = \"a\"\napplication_ids=[\"x\"]\n";
        assert!(Config::from_toml_str(none).is_err());
        let bad_url = "[[skill]]\nname = \"a\"\napplication_ids=[\"x\"]\nupstream = \"ftp://x/\"\n";
        assert!(Config::from_toml_str(bad_url).is_err());
    }

    #[test]
    fn cert_and_key_come_first_then_sni_entries() {
        let text = format!(
            "[tls]\ncert = \"/a.crt\"\nkey = \"/a.key\"\n[[tls.certificate]]\ncert = \"/b.crt\"\nkey = \"/b.key\"\n{MINIMAL}"
        );
        let c = Config::from_toml_str(&text).unwrap();
        let all = c.tls.certificates();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].cert, PathBuf::from("/a.crt"));
        assert_eq!(all[1].key, PathBuf::from("/b.key"));
        let half = format!("[tls]\ncert = \"/a.crt\"\n{MINIMAL}");
        assert!(Config::from_toml_str(&half).is_err());
    }

    #[test]
    fn tolerance_over_150_is_refused() {
        let text = format!("[verify]\ntimestamp_tolerance_secs = 151\n{MINIMAL}");
        let err = Config::from_toml_str(&text).unwrap_err();
        assert!(err.to_string().contains("150"), "{err}");
    }

    #[test]
    fn shared_path_needs_distinct_ids() {
        let text = r#"
[[skill]]
name = "a"
application_ids = ["id.a"]
handler = "home"
[[skill]]
name = "b"
application_ids = ["id.a"]
upstream = "http://127.0.0.1:5000/alexa"
"#;
        assert!(Config::from_toml_str(text).is_err());
        let ok = text.replacen("[\"id.a\"]\nupstream", "[\"id.b\"]\nupstream", 1);
        let c = Config::from_toml_str(&ok).unwrap();
        assert_eq!(c.paths(), vec!["/alexa"]);
    }

    #[test]
    fn env_overrides_apply_and_validate() {
        let mut c = Config::demo();
        let env = |k: &str| match k {
            "SKILLGATE_LISTEN" => Some("127.0.0.1:9443".to_owned()),
            "SKILLGATE_LOG_FORMAT" => Some("JSON".to_owned()),
            "SKILLGATE_TLS_CERT" => Some("/c.pem".to_owned()),
            "SKILLGATE_TLS_KEY" => Some("/k.pem".to_owned()),
            "SKILLGATE_MAX_BODY_BYTES" => Some("4096".to_owned()),
            _ => None,
        };
        c.apply_env(env).unwrap();
        assert_eq!(c.listen.port(), 9443);
        assert_eq!(c.log.format, LogFormat::Json);
        assert_eq!(c.tls.certificates()[0].key, PathBuf::from("/k.pem"));
        assert_eq!(c.limits.max_body_bytes, 4096);

        let mut c = Config::demo();
        let err = c
            .apply_env(|k| (k == "SKILLGATE_LISTEN").then(|| "nope".to_owned()))
            .unwrap_err();
        assert!(err.to_string().contains("SKILLGATE_LISTEN"));
        let mut c = Config::demo();
        assert!(
            c.apply_env(|k| (k == "SKILLGATE_TLS_CERT").then(|| "/c".to_owned()))
                .is_err()
        );
    }

    #[test]
    fn the_example_parses_and_is_valid() {
        let c = Config::from_toml_str(EXAMPLE_TOML).unwrap();
        assert_eq!(c, {
            let mut expected = Config::demo();
            expected.dev.any_application_id = false;
            // A configuration file keeps /metrics off the main listener; the demo serves it.
            expected.metrics_on_main_listener = false;
            expected.skill[0].application_ids =
                vec!["amzn1.ask.skill.00000000-0000-0000-0000-000000000000".to_owned()];
            expected
        });
        // Uncommenting the gateway example still parses.
        let text = EXAMPLE_TOML
            .lines()
            .map(|l| {
                if l.starts_with("# [[skill]]")
                    || ["# name", "# path", "# application_ids", "# upstream"]
                        .iter()
                        .any(|p| l.starts_with(p))
                {
                    &l[2..]
                } else {
                    l
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        let c = Config::from_toml_str(&text).unwrap();
        assert_eq!(c.skill.len(), 2);
        assert_eq!(
            c.skill[1].upstream.as_deref(),
            Some("http://127.0.0.1:5000/alexa")
        );
    }

    #[test]
    fn demo_is_valid_and_warns() {
        let c = Config::demo();
        c.validate().unwrap();
        assert!(!c.dev.warnings().is_empty());
    }

    #[test]
    fn attributes_default_to_the_embedded_store() {
        let c = Config::from_toml_str(MINIMAL).unwrap();
        assert_eq!(c.attributes.url, DEFAULT_ATTRIBUTES_URL);
        assert_eq!(c.attributes.timeout(), Duration::from_secs(2));
        assert_eq!(c.attributes.pool_size, DEFAULT_ATTRIBUTES_POOL_SIZE);
        assert_eq!(Config::demo().attributes, AttributesConfig::default());
        let example = Config::from_toml_str(EXAMPLE_TOML).unwrap();
        assert_eq!(example.attributes, AttributesConfig::default());
    }

    #[test]
    fn attributes_url_from_the_file_and_the_environment() {
        let text = format!(
            "{MINIMAL}\n[attributes]\nurl = \"postgres://app:s3cret@db.internal/skill\"\ntimeout_ms = 1500\npool_size = 4\n"
        );
        let mut c = Config::from_toml_str(&text).unwrap();
        assert_eq!(c.attributes.url, "postgres://app:s3cret@db.internal/skill");
        assert_eq!(c.attributes.timeout_ms, 1500);
        assert_eq!(c.attributes.pool_size, 4);
        c.apply_env(|name| {
            (name == "SKILLGATE_ATTRIBUTES_URL").then(|| " redis://127.0.0.1:6379/2 ".to_owned())
        })
        .unwrap();
        assert_eq!(c.attributes.url, "redis://127.0.0.1:6379/2");
        // An empty variable leaves the file's value alone.
        c.apply_env(|name| (name == "SKILLGATE_ATTRIBUTES_URL").then(String::new))
            .unwrap();
        assert_eq!(c.attributes.url, "redis://127.0.0.1:6379/2");
        assert!(
            ENV_OVERRIDES
                .iter()
                .any(|(name, _)| *name == "SKILLGATE_ATTRIBUTES_URL")
        );
    }

    #[test]
    fn attributes_settings_are_checked() {
        for (table, needle) in [
            ("url = \"  \"", "attributes.url"),
            ("timeout_ms = 0", "attributes.timeout_ms"),
            ("timeout_ms = 7000", "below limits.handler_timeout_ms"),
            ("pool_size = 0", "attributes.pool_size"),
            ("scope = \"user\"", "scope"),
        ] {
            let text = format!("{MINIMAL}\n[attributes]\n{table}\n");
            let err = Config::from_toml_str(&text).unwrap_err();
            assert!(err.to_string().contains(needle), "{table}: {err}");
        }
    }

    #[test]
    fn attribute_passwords_stay_out_of_logs() {
        let shown = |url: &str| {
            AttributesConfig {
                url: url.to_owned(),
                ..AttributesConfig::default()
            }
            .display_url()
        };
        assert_eq!(
            shown("postgres://app:s3cret@db:5432/skill?sslmode=disable"),
            "postgres://app:***@db:5432/skill?sslmode=disable"
        );
        assert_eq!(
            shown("redis://:pw@127.0.0.1:6379/0"),
            "redis://:***@127.0.0.1:6379/0"
        );
        assert_eq!(shown("postgres://app@db/skill"), "postgres://app@db/skill");
        assert_eq!(shown("sqlite://attributes.db"), "sqlite://attributes.db");
        assert_eq!(shown("memory:"), "memory:");
        let config = AttributesConfig {
            url: "postgres://app:s3cret@db/skill".to_owned(),
            ..AttributesConfig::default()
        };
        assert!(!format!("{config:?}").contains("s3cret"));
    }

    #[test]
    fn replay_and_shared_state_settings() {
        let c = Config::from_toml_str(MINIMAL).unwrap();
        assert!(c.verify.replay);
        assert_eq!(c.verify.replay_max_entries, 100_000);
        assert_eq!(c.verify.shared_state, None);
        assert_eq!(c.verify.shared_state_timeout(), Duration::from_millis(500));
        let text = format!(
            "[verify]\nreplay = false\nshared_state = \"redis://:s3cret@10.0.0.2:6379/1\"\n{MINIMAL}"
        );
        let c = Config::from_toml_str(&text).unwrap();
        assert!(!c.verify.replay);
        assert_eq!(
            c.verify.display_shared_state().as_deref(),
            Some("redis://:***@10.0.0.2:6379/1")
        );
        assert!(!format!("{c:?}").contains("s3cret"));
        let text = format!("[verify]\nshared_state = \"postgres://db/x\"\n{MINIMAL}");
        assert!(Config::from_toml_str(&text).is_err());
        let text = format!("[verify]\nshared_state_timeout_ms = 0\n{MINIMAL}");
        assert!(Config::from_toml_str(&text).is_err());
        let mut c = Config::from_toml_str(MINIMAL).unwrap();
        c.apply_env(|k| (k == "SKILLGATE_SHARED_STATE").then(|| "redis://r:6379/2".to_owned()))
            .unwrap();
        assert_eq!(c.verify.shared_state.as_deref(), Some("redis://r:6379/2"));
    }

    #[test]
    fn the_console_needs_the_dev_switch_and_a_loopback_admin_listener() {
        let keys = |c: &Config| -> Vec<(String, String)> {
            c.problems()
                .into_iter()
                .filter(|p| p.key.starts_with("dev.console") || p.key == "admin_listen")
                .map(|p| (p.key, p.message))
                .collect()
        };
        let mut c = Config::demo();
        c.dev.console = true;
        let found = keys(&c);
        assert!(
            found
                .iter()
                .any(|(k, m)| k == "dev.console" && m.contains("dev_ca")),
            "{found:?}"
        );
        assert!(
            found
                .iter()
                .any(|(k, m)| k == "dev.console" && m.contains("admin_listen")),
            "{found:?}"
        );
        c.dev.dev_ca = true;
        c.admin_listen = Some("192.0.2.1:9090".parse().unwrap());
        let found = keys(&c);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "admin_listen");
        assert!(
            found[0]
                .1
                .contains("192.0.2.1:9090 is not a loopback address")
        );
        c.admin_listen = Some("[::1]:9090".parse().unwrap());
        assert!(keys(&c).is_empty());
        c.admin_listen = Some("127.0.0.1:0".parse().unwrap());
        c.listen = "127.0.0.1:0".parse().unwrap();
        assert!(
            keys(&c).is_empty(),
            "two ephemeral ports are not the same address"
        );
        assert!(c.dev.warnings().iter().any(|w| w.contains("console")));
        let parsed = Config::from_toml_str(
            "admin_listen = \"127.0.0.1:9090\"\n[dev]\ndev_ca = true\nconsole = true\n\
             [[skill]]\nname = \"home\"\napplication_ids = [\"amzn1.ask.skill.1\"]\nhandler = \"home\"\n",
        )
        .unwrap();
        assert!(parsed.dev.console);
        assert!(keys(&parsed).is_empty());
    }
}
