//! [`ServerBuilder`] turns a [`Config`] plus native skills and development overrides into
//! a bound [`Server`]; [`Server::run`] serves until [`ServerHandle::shutdown`] (or a
//! signal, with [`Server::run_until_signal`]).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::{any, get};
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use skillgate_verify::{
    ApplicationIds, CertChainUrl, ChainCache, ChainCacheConfig, ChainSource, HttpsChainSource,
    HttpsChainSourceConfig, InMemoryReplayGuard, ReplayGuard, StaticChainSource, Verifier,
    VerifierConfig,
};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower_http::catch_panic::CatchPanicLayer;

use crate::cert_store::{CertError, CertStore};
use crate::config::{CertificateFiles, Config, SkillTarget};
use crate::endpoint::{Endpoint, SkillEntry, Target};
use crate::gate::Gate;
use crate::gateway::Upstream;
use crate::listener::{ListenerOptions, serve, tls_config};
use crate::record::Recorder;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The configuration is inconsistent with what was registered.
    #[error("{0}")]
    Config(String),
    /// The TLS certificate could not be loaded or generated.
    #[error("TLS: {0}")]
    Tls(String),
    /// The verifier refused its configuration.
    #[error("verification: {0}")]
    Verify(#[from] skillgate_verify::ConfigError),
    /// A socket could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The metrics recorder could not be installed.
    #[error("metrics: {0}")]
    Metrics(String),
}

/// Builds a [`Server`].
pub struct ServerBuilder {
    config: Config,
    natives: BTreeMap<String, skillgate::Skill>,
    trust_anchors: Vec<CertificateDer<'static>>,
    chain_overrides: Vec<(String, Vec<u8>)>,
    chain_source: Option<Arc<dyn ChainSource>>,
    dev_tls_dir: Option<PathBuf>,
}

impl std::fmt::Debug for ServerBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerBuilder")
            .field("config", &self.config)
            .field("natives", &self.natives.keys().collect::<Vec<_>>())
            .field("trust_anchors", &self.trust_anchors.len())
            .field(
                "chain_overrides",
                &self
                    .chain_overrides
                    .iter()
                    .map(|(u, _)| u)
                    .collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

impl ServerBuilder {
    /// A builder for `config` (already validated by [`Config::from_file`] or
    /// [`Config::validate`]).
    pub fn new(config: Config) -> Self {
        Self {
            config,
            natives: BTreeMap::new(),
            trust_anchors: Vec::new(),
            chain_overrides: Vec::new(),
            chain_source: None,
            dev_tls_dir: None,
        }
    }

    /// Registers a native skill under `name` (what `handler = "name"` refers to).
    pub fn native_skill(mut self, name: impl Into<String>, skill: skillgate::Skill) -> Self {
        self.natives.insert(name.into(), skill);
        self
    }

    /// Development only: trusts `anchor` for signing chains, in addition to the Mozilla roots.
    pub fn trust_anchor(mut self, anchor: CertificateDer<'static>) -> Self {
        self.trust_anchors.push(anchor);
        self
    }

    /// Development only: resolves the chain URL `url` to `pem` without downloading.
    pub fn chain_override(mut self, url: impl Into<String>, pem: Vec<u8>) -> Self {
        self.chain_overrides.push((url.into(), pem));
        self
    }

    /// Replaces the HTTPS chain download (tests, offline use). Overrides still apply first.
    pub fn chain_source(mut self, source: Arc<dyn ChainSource>) -> Self {
        self.chain_source = Some(source);
        self
    }

    /// Where the development certificate lives when TLS is on and no certificate is
    /// configured (the CLI passes `<data>/tls`).
    pub fn dev_tls_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.dev_tls_dir = Some(dir.into());
        self
    }

    /// Loads certificates, builds the verifiers and binds the sockets.
    pub async fn bind(self) -> Result<Server, ServerError> {
        let config = self.config;
        config
            .validate()
            .map_err(|e| ServerError::Config(e.to_string()))?;
        for skill in &config.skill {
            if let Ok(SkillTarget::Handler(name)) = skill.target()
                && !self.natives.contains_key(name)
            {
                return Err(ServerError::Config(format!(
                    "skill {:?}: no native skill named {name:?} (registered: {})",
                    skill.name,
                    self.natives.keys().cloned().collect::<Vec<_>>().join(", ")
                )));
            }
        }
        let prometheus = crate::metrics::install().map_err(ServerError::Metrics)?;
        let mut report = StartupReport::default();
        report.warnings.extend(config.dev.warnings());

        // TLS.
        let cert_store = if config.tls.enabled {
            let configured = config.tls.certificates();
            let files = if configured.is_empty() {
                let dir = self.dev_tls_dir.clone().ok_or_else(|| {
                    ServerError::Tls(
                        "no certificate configured and no dev certificate directory".into(),
                    )
                })?;
                let dev =
                    crate::dev_cert::ensure(&dir).map_err(|e| ServerError::Tls(e.to_string()))?;
                report.dev_certificate = Some(DevCertificateInfo {
                    cert: dev.cert.clone(),
                    fingerprint: dev.fingerprint.clone(),
                    created: dev.created,
                });
                vec![CertificateFiles {
                    cert: dev.cert,
                    key: dev.key,
                }]
            } else {
                configured
            };
            Some(Arc::new(
                CertStore::load(files).map_err(|e| ServerError::Tls(e.to_string()))?,
            ))
        } else {
            report.warnings.push(
                "TLS is OFF (plain HTTP): only run this behind a TLS-terminating proxy; Alexa needs HTTPS on port 443"
                    .to_owned(),
            );
            None
        };
        let acceptor = match &cert_store {
            Some(store) => Some(tokio_rustls::TlsAcceptor::from(Arc::new(
                tls_config(Arc::clone(store), config.tls.http2)
                    .map_err(|e| ServerError::Tls(e.to_string()))?,
            ))),
            None => None,
        };

        // Chain source: overrides first, then the download (or the given source).
        let mut anchors = self.trust_anchors;
        for path in &config.dev.extra_trust_anchors {
            let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
                .and_then(|iter| iter.collect::<Result<_, _>>())
                .map_err(|e| ServerError::Config(format!("{}: {e}", path.display())))?;
            if certs.is_empty() {
                return Err(ServerError::Config(format!(
                    "{}: no certificate in the file",
                    path.display()
                )));
            }
            anchors.extend(certs);
        }
        let base: Arc<dyn ChainSource> = match self.chain_source {
            Some(source) => source,
            None => Arc::new(HttpsChainSource::new(HttpsChainSourceConfig {
                connect_to: config.dev.chain_connect_to,
                ..HttpsChainSourceConfig::default()
            })?),
        };
        let source: Arc<dyn ChainSource> = if self.chain_overrides.is_empty() {
            base
        } else {
            let mut overrides = StaticChainSource::new();
            for (url, pem) in self.chain_overrides {
                let parsed = CertChainUrl::parse(&url)
                    .map_err(|e| ServerError::Config(format!("chain override {url:?}: {e}")))?;
                overrides.insert(&parsed, pem);
            }
            Arc::new(overrides.with_fallback(base))
        };
        // Replay cache and chain-download budget: this process's own, or shared in Redis.
        let shared = match &config.verify.shared_state {
            Some(url) => Some(
                skillgate_store::RedisShared::connect(url, config.verify.shared_state_timeout())
                    .await
                    .map_err(|e| {
                        ServerError::Config(format!(
                            "verify.shared_state {}: {e}",
                            redacted(config.verify.display_shared_state())
                        ))
                    })?,
            ),
            None => None,
        };
        let cache = Arc::new(match &shared {
            Some(redis) => {
                let sizing = ChainCacheConfig::default();
                let limiter = Arc::new(
                    redis.download_limiter(sizing.downloads_per_minute, sizing.download_burst),
                );
                ChainCache::with_limiter(source, sizing, limiter)
            }
            None => ChainCache::new(source),
        });
        let replay: Option<Arc<dyn ReplayGuard>> = match (&shared, config.verify.replay) {
            (_, false) => {
                report.warnings.push(
                    "replay protection is OFF (verify.replay = false): a captured request \
                     can be sent again while its timestamp is fresh"
                        .to_owned(),
                );
                None
            }
            (Some(redis), true) => Some(Arc::new(redis.replay_guard())),
            (None, true) => Some(Arc::new(InMemoryReplayGuard::new(
                config.verify.replay_max_entries,
            ))),
        };
        let replay_line = match (&shared, &replay) {
            (_, None) => "replay protection OFF".to_owned(),
            (Some(_), Some(_)) => format!(
                "replay cache and download budget shared in Redis {}",
                redacted(config.verify.display_shared_state())
            ),
            (None, Some(_)) => format!(
                "replay cache in memory ({} ids)",
                config.verify.replay_max_entries
            ),
        };

        // Endpoints, one per path.
        let recorder = match &config.record_dir {
            Some(dir) => {
                report.warnings.push(format!(
                    "recording every verified request and answer into {} (tokens masked)",
                    dir.display()
                ));
                Some(Recorder::new(dir).map_err(|e| {
                    ServerError::Config(format!("record_dir {}: {e}", dir.display()))
                })?)
            }
            None => None,
        };
        let mut router = Router::new();
        for path in config.paths() {
            let mut skills = Vec::new();
            let mut ids = Vec::new();
            let mut any = false;
            for skill in config.skill.iter().filter(|s| s.path == path) {
                let target = match skill
                    .target()
                    .map_err(|e| ServerError::Config(e.to_string()))?
                {
                    SkillTarget::Handler(name) => {
                        let native = self.natives.get(name).cloned().ok_or_else(|| {
                            ServerError::Config(format!(
                                "skill {:?}: no native skill named {name:?} (registered: {})",
                                skill.name,
                                self.natives.keys().cloned().collect::<Vec<_>>().join(", ")
                            ))
                        })?;
                        Target::Native(native)
                    }
                    SkillTarget::Upstream(url) => {
                        let deadline = skill
                            .upstream_timeout_ms
                            .map(Duration::from_millis)
                            .unwrap_or(config.limits.handler_timeout())
                            .min(config.limits.handler_timeout());
                        Target::Upstream(Upstream::new(url, deadline).map_err(ServerError::Config)?)
                    }
                };
                let entry_ids = if skill.application_ids.is_empty() {
                    any = true;
                    report.warnings.push(format!(
                        "skill {:?} accepts ANY application id: anyone's Alexa skill can call it. \
                         List your skill id in application_ids (skillgate init writes a config)",
                        skill.name
                    ));
                    None
                } else {
                    ids.extend(skill.application_ids.iter().cloned());
                    Some(skill.application_ids.clone())
                };
                crate::metrics::register_skill(&skill.name);
                report.skills.push(SkillInfo {
                    name: skill.name.clone(),
                    path: path.to_owned(),
                    target: match &target {
                        Target::Native(_) => format!(
                            "native skill {:?}",
                            skill.handler.as_deref().unwrap_or_default()
                        ),
                        Target::Upstream(u) => format!("gateway to {}", u.url()),
                    },
                    application_ids: skill.application_ids.clone(),
                });
                skills.push(SkillEntry {
                    name: skill.name.clone(),
                    ids: entry_ids,
                    target,
                });
            }
            let loose = config.dev.loose_timestamp_secs;
            let verifier_config = VerifierConfig {
                application_ids: if any {
                    ApplicationIds::Any
                } else {
                    ApplicationIds::Only(ids)
                },
                allow_sha1: config.verify.allow_sha1,
                timestamp_tolerance: Duration::from_secs(
                    loose.unwrap_or(config.verify.timestamp_tolerance_secs),
                ),
                dev_loose_timestamp: loose.is_some(),
                extra_trust_anchors: anchors.clone(),
                replay: replay.clone(),
                ..VerifierConfig::default()
            };
            let verifier = Arc::new(Verifier::with_cache(verifier_config, Arc::clone(&cache))?);
            let gate = Gate::new(verifier)
                .with_max_body(config.limits.max_body_bytes)
                .with_body_timeout(config.limits.body_read_timeout());
            let endpoint = Arc::new(Endpoint {
                path: path.to_owned(),
                gate,
                skills,
                handler_timeout: config.limits.handler_timeout(),
                recorder: recorder.clone(),
                unmask: config.log.unmask,
            });
            router = router.route(path, any_route(endpoint));
        }
        report.verification = format!(
            "signature {}, timestamp tolerance {} s{}, chain cache shared, {} extra trust anchor(s), {replay_line}",
            if config.verify.allow_sha1 {
                "SHA-256 (SHA-1 allowed)"
            } else {
                "SHA-256 only"
            },
            config
                .dev
                .loose_timestamp_secs
                .unwrap_or(config.verify.timestamp_tolerance_secs),
            if config.dev.loose_timestamp_secs.is_some() {
                " (DEV LOOSE)"
            } else {
                ""
            },
            anchors.len()
        );

        let admin = admin_router(prometheus);
        let main_router = if config.admin_listen.is_none() {
            router.merge(admin.clone())
        } else {
            router
        };
        let main_router = main_router.layer(CatchPanicLayer::custom(panic_response));

        let listener =
            TcpListener::bind(config.listen)
                .await
                .map_err(|source| ServerError::Bind {
                    addr: config.listen,
                    source,
                })?;
        let local_addr = listener.local_addr().map_err(|source| ServerError::Bind {
            addr: config.listen,
            source,
        })?;
        let admin_listener = match config.admin_listen {
            Some(addr) => {
                let l = TcpListener::bind(addr)
                    .await
                    .map_err(|source| ServerError::Bind { addr, source })?;
                let bound = l
                    .local_addr()
                    .map_err(|source| ServerError::Bind { addr, source })?;
                Some((l, bound))
            }
            None => None,
        };
        report.listen = local_addr;
        report.tls = cert_store.is_some();
        report.admin_listen = admin_listener.as_ref().map(|(_, a)| *a);
        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        Ok(Server {
            listener,
            admin_listener: admin_listener.map(|(l, _)| (l, admin)),
            router: main_router,
            options: ListenerOptions {
                tls: acceptor,
                handshake_timeout: Duration::from_secs(config.tls.handshake_timeout_secs),
                header_read_timeout: config.limits.header_read_timeout(),
                max_connections: config.limits.max_connections,
                shutdown_grace: config.limits.shutdown_grace(),
            },
            reload_interval: Duration::from_secs(config.tls.reload_interval_secs),
            handle: ServerHandle {
                shutdown: Arc::new(shutdown_tx),
                certs: cert_store,
            },
            shutdown_rx,
            report,
        })
    }
}

/// A redacted URL for messages (empty when there is none).
fn redacted(url: Option<String>) -> String {
    url.unwrap_or_default()
}

fn any_route(endpoint: Arc<Endpoint>) -> axum::routing::MethodRouter {
    any(crate::endpoint::handle).with_state(endpoint)
}

fn admin_router(prometheus: metrics_exporter_prometheus::PrometheusHandle) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route(
            "/metrics",
            get(move || {
                let prometheus = prometheus.clone();
                async move {
                    (
                        [(http::header::CONTENT_TYPE, "text/plain; version=0.0.4")],
                        prometheus.render(),
                    )
                }
            }),
        )
}

fn panic_response(
    panic: Box<dyn std::any::Any + Send + 'static>,
) -> http::Response<axum::body::Body> {
    let message = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    tracing::error!(panic = %message, "a handler panicked");
    let mut response = http::Response::new(axum::body::Body::empty());
    *response.status_mut() = http::StatusCode::INTERNAL_SERVER_ERROR;
    response
}

/// What the server is about to do, for the start-up banner.
#[derive(Debug, Clone)]
pub struct StartupReport {
    /// The bound main address.
    pub listen: SocketAddr,
    /// Whether the main listener speaks TLS.
    pub tls: bool,
    /// The bound admin address, if separate.
    pub admin_listen: Option<SocketAddr>,
    /// Skills and their paths.
    pub skills: Vec<SkillInfo>,
    /// Verification settings, one line.
    pub verification: String,
    /// The development certificate, when one is used.
    pub dev_certificate: Option<DevCertificateInfo>,
    /// Loud warnings (development switches, any-id skills, plain HTTP).
    pub warnings: Vec<String>,
}

impl Default for StartupReport {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([0, 0, 0, 0], 0)),
            tls: true,
            admin_listen: None,
            skills: Vec::new(),
            verification: String::new(),
            dev_certificate: None,
            warnings: Vec::new(),
        }
    }
}

/// One served skill, for the banner.
#[derive(Debug, Clone)]
pub struct SkillInfo {
    /// Its name.
    pub name: String,
    /// Its path.
    pub path: String,
    /// What runs it.
    pub target: String,
    /// Its application ids (empty: any).
    pub application_ids: Vec<String>,
}

/// The development certificate in use.
#[derive(Debug, Clone)]
pub struct DevCertificateInfo {
    /// The certificate file.
    pub cert: PathBuf,
    /// Its SHA-256 fingerprint.
    pub fingerprint: String,
    /// Whether it was generated at this start.
    pub created: bool,
}

impl StartupReport {
    /// The URL a local client uses for `path` (loopback when bound to every interface).
    pub fn local_url(&self, path: &str) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        let host = match self.listen.ip() {
            ip if ip.is_unspecified() && ip.is_ipv4() => "127.0.0.1".to_owned(),
            ip if ip.is_unspecified() => "[::1]".to_owned(),
            std::net::IpAddr::V6(ip) => format!("[{ip}]"),
            ip => ip.to_string(),
        };
        format!("{scheme}://{host}:{}{path}", self.listen.port())
    }

    /// Human-readable lines: listeners, skills, verification, certificate.
    pub fn lines(&self) -> Vec<String> {
        let mut out = vec![format!(
            "skillgate listening on {} ({})",
            self.listen,
            if self.tls { "HTTPS" } else { "plain HTTP" }
        )];
        for skill in &self.skills {
            let ids = if skill.application_ids.is_empty() {
                "ANY application id".to_owned()
            } else {
                skill.application_ids.join(", ")
            };
            out.push(format!(
                "  {} -> {} ({}), ids: {ids}",
                self.local_url(&skill.path),
                skill.name,
                skill.target
            ));
        }
        let admin = match self.admin_listen {
            Some(addr) => format!("http://{addr}"),
            None => self.local_url(""),
        };
        out.push(format!(
            "  health: {admin}/healthz   metrics: {admin}/metrics"
        ));
        out.push(format!("  verification: {}", self.verification));
        if let Some(dev) = &self.dev_certificate {
            out.push(format!(
                "  TLS: development certificate {} ({}), SHA-256 {}",
                dev.cert.display(),
                if dev.created {
                    "generated now"
                } else {
                    "reused"
                },
                dev.fingerprint
            ));
        }
        out
    }
}

/// Controls a running server from elsewhere (signal handlers, tests).
#[derive(Debug, Clone)]
pub struct ServerHandle {
    shutdown: Arc<watch::Sender<bool>>,
    certs: Option<Arc<CertStore>>,
}

impl ServerHandle {
    /// Stops accepting connections and lets in-flight requests finish (up to the grace
    /// period); [`Server::run`] then returns.
    pub fn shutdown(&self) {
        self.shutdown.send_replace(true);
    }

    /// Re-reads the certificate files now (SIGHUP). `Ok(true)`: a new certificate is in
    /// use; on error the old one stays.
    pub fn reload_certificates(&self) -> Result<bool, CertError> {
        let Some(store) = &self.certs else {
            return Ok(false);
        };
        let result = store.reload();
        log_reload(&result, store);
        result
    }

    /// SHA-256 fingerprints of the certificates being served (empty without TLS).
    pub fn fingerprints(&self) -> Vec<String> {
        self.certs
            .as_ref()
            .map(|s| s.fingerprints())
            .unwrap_or_default()
    }
}

fn log_reload(result: &Result<bool, CertError>, store: &CertStore) {
    match result {
        Ok(true) => {
            crate::metrics::cert_reload("changed");
            tracing::info!(fingerprints = ?store.fingerprints(), "TLS certificate reloaded");
        }
        Ok(false) => {
            crate::metrics::cert_reload("unchanged");
            tracing::info!("TLS certificate files re-read; unchanged");
        }
        Err(error) => {
            crate::metrics::cert_reload("error");
            tracing::error!(%error, "TLS certificate reload failed; keeping the current certificate");
        }
    }
}

/// A bound server, ready to run.
pub struct Server {
    listener: TcpListener,
    admin_listener: Option<(TcpListener, Router)>,
    router: Router,
    options: ListenerOptions,
    reload_interval: Duration,
    handle: ServerHandle,
    shutdown_rx: watch::Receiver<bool>,
    report: StartupReport,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("report", &self.report)
            .finish_non_exhaustive()
    }
}

impl Server {
    /// The bound main address (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.report.listen
    }

    /// What was configured, for the start-up banner.
    pub fn report(&self) -> &StartupReport {
        &self.report
    }

    /// A handle to shut down or reload the server while it runs.
    pub fn handle(&self) -> ServerHandle {
        self.handle.clone()
    }

    /// Serves until [`ServerHandle::shutdown`], then drains in-flight requests.
    pub async fn run(self) -> Result<(), ServerError> {
        let mut tasks = tokio::task::JoinSet::new();
        if let (Some(store), false) = (&self.handle.certs, self.reload_interval.is_zero()) {
            let store = Arc::clone(store);
            let interval = self.reload_interval;
            let mut stop = self.shutdown_rx.clone();
            tokio::spawn(async move {
                let mut ticker = tokio::time::interval(interval);
                ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                loop {
                    tokio::select! {
                        _ = stop.changed() => break,
                        _ = ticker.tick() => {}
                    }
                    let probe = Arc::clone(&store);
                    let outcome =
                        tokio::task::spawn_blocking(move || probe.reload_if_modified()).await;
                    match outcome {
                        Ok(Ok(None)) | Err(_) => {}
                        Ok(Ok(Some(changed))) => log_reload(&Ok(changed), &store),
                        Ok(Err(error)) => log_reload(&Err(error), &store),
                    }
                }
            });
        }
        if let Some((listener, router)) = self.admin_listener {
            let options = ListenerOptions {
                tls: None,
                ..self.options.clone()
            };
            tasks.spawn(serve(listener, router, options, self.shutdown_rx.clone()));
        }
        tasks.spawn(serve(
            self.listener,
            self.router,
            self.options,
            self.shutdown_rx,
        ));
        while tasks.join_next().await.is_some() {}
        Ok(())
    }

    /// Like [`Server::run`], with SIGTERM and SIGINT starting a graceful shutdown and
    /// SIGHUP reloading the certificates (Unix).
    pub async fn run_until_signal(self) -> Result<(), ServerError> {
        let handle = self.handle();
        crate::signal::install(handle).map_err(|e| ServerError::Config(format!("signals: {e}")))?;
        self.run().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_urls_use_loopback_for_unspecified_addresses() {
        let mut report = StartupReport {
            listen: "0.0.0.0:8443".parse().unwrap(),
            ..StartupReport::default()
        };
        assert_eq!(report.local_url("/alexa"), "https://127.0.0.1:8443/alexa");
        report.listen = "[::]:443".parse().unwrap();
        assert_eq!(report.local_url("/a"), "https://[::1]:443/a");
        report.listen = "[fe80::1]:443".parse().unwrap();
        report.tls = false;
        assert_eq!(report.local_url("/a"), "http://[fe80::1]:443/a");
        report.skills.push(SkillInfo {
            name: "home".into(),
            path: "/alexa".into(),
            target: "native skill".into(),
            application_ids: vec![],
        });
        let lines = report.lines().join("\n");
        assert!(lines.contains("ANY application id"), "{lines}");
        assert!(lines.contains("plain HTTP"), "{lines}");
    }
}
