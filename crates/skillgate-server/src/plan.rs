//! Start-up in two steps: [`ServerBuilder::plan`] turns a [`Config`] into a validated
//! [`Plan`] (every file read and parsed, every certificate matched with its key, every skill
//! resolved, every URL parsed, every conflict found, all problems reported at once), and
//! [`Plan::start`] only connects, binds and builds what runs.
//!
//! `skillgate check-config` runs the same plan step as `skillgate serve`, so a configuration
//! that passes it starts (short of the environment: a port in use, a Redis that is down).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use metrics_exporter_prometheus::PrometheusHandle;
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use skillgate_verify::{
    ApplicationIds, CertChainUrl, ChainCache, ChainSource, HttpsChainSource,
    HttpsChainSourceConfig, InMemoryReplayGuard, ReplayGuard, StaticChainSource, Verifier,
    VerifierConfig,
};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower_http::catch_panic::CatchPanicLayer;

use crate::acme::AcmePlan;
use crate::cert_store::CertStore;
use crate::config::{CertificateFiles, Config, Problem, SkillTarget};
use crate::endpoint::{Endpoint, SkillEntry, Target};
use crate::gate::Gate;
use crate::gateway::Upstream;
use crate::listener::{ListenerOptions, tls_config};
use crate::record::Recorder;
use crate::server::{
    DevCertificateInfo, Server, ServerError, ServerHandle, SkillInfo, StartupReport,
};

/// Every problem [`ServerBuilder::plan`] found, each with the configuration key that causes
/// it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanError {
    /// The problems, in configuration order (never empty).
    pub problems: Vec<Problem>,
}

impl std::fmt::Display for PlanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.problems.as_slice() {
            [one] => write!(f, "{one}"),
            many => {
                write!(f, "{} problems in the configuration:", many.len())?;
                for problem in many {
                    write!(f, "\n  - {problem}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for PlanError {}

/// Collects a plan's inputs: a [`Config`], native skills by name and development
/// overrides. [`ServerBuilder::plan`] validates them; [`Plan::start`] binds.
pub struct ServerBuilder {
    config: Config,
    natives: BTreeMap<String, skillgate::Skill>,
    trust_anchors: Vec<CertificateDer<'static>>,
    chain_overrides: Vec<(String, Vec<u8>)>,
    chain_source: Option<Arc<dyn ChainSource>>,
    dev_tls_dir: Option<PathBuf>,
    replay_journal: Option<PathBuf>,
    acme_dir: Option<PathBuf>,
    prometheus: Option<PrometheusHandle>,
    observer: Option<crate::observe::Observer>,
    admin_routes: Option<Router>,
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
    /// A builder for `config`.
    pub fn new(config: Config) -> Self {
        Self {
            config,
            natives: BTreeMap::new(),
            trust_anchors: Vec::new(),
            chain_overrides: Vec::new(),
            chain_source: None,
            dev_tls_dir: None,
            replay_journal: None,
            acme_dir: None,
            prometheus: None,
            observer: None,
            admin_routes: None,
        }
    }

    /// Hands one [`crate::observe::RequestRecord`] per request on every skill path,
    /// verified or refused, to `observer` (the local console of `serve --console`).
    pub fn observer(mut self, observer: Arc<dyn crate::observe::RequestObserver>) -> Self {
        self.observer = Some(observer);
        self
    }

    /// Extra routes served on the admin listener only (never on the main listener; ignored
    /// without `admin_listen`), next to `/healthz` and `/metrics`.
    pub fn admin_routes(mut self, routes: Router) -> Self {
        self.admin_routes = Some(routes);
        self
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

    /// Keeps the in-process replay cache in this journal file too, so a restart does not
    /// reopen the window in which a captured request could be replayed (the CLI passes
    /// `<data>/replay-ids`). Not used with `verify.shared_state` (Redis keeps the ids).
    pub fn replay_journal(mut self, path: impl Into<PathBuf>) -> Self {
        self.replay_journal = Some(path.into());
        self
    }

    /// Where `[tls.acme]` keeps its account key and certificates (the CLI passes
    /// `<data>/acme`); created with mode 0700 by the plan step.
    pub fn acme_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.acme_dir = Some(dir.into());
        self
    }

    /// Serves `/metrics` from this Prometheus recorder. The library never installs a
    /// process-wide recorder itself (an embedding application may have its own): the
    /// `skillgate` binary installs one with [`crate::metrics::install`] and passes it here.
    /// Without it `/metrics` is not served.
    pub fn prometheus(mut self, handle: PrometheusHandle) -> Self {
        self.prometheus = Some(handle);
        self
    }

    /// Validates everything that can be known before binding: the configuration's rules,
    /// every file it names (certificates and keys, trust anchors), native skill names,
    /// upstream and chain URLs, the verifier settings. Reports every problem at once.
    ///
    /// The one side effect: without a configured certificate, the development certificate
    /// is generated in the dev TLS directory when it does not exist yet (as `serve` would).
    pub fn plan(self) -> Result<Plan, PlanError> {
        let ServerBuilder {
            config,
            natives,
            trust_anchors,
            chain_overrides,
            chain_source,
            dev_tls_dir,
            replay_journal,
            acme_dir,
            prometheus,
            observer,
            admin_routes,
        } = self;
        let mut problems = config.problems();
        let tls_rules_ok = problems.iter().all(|p| !p.key.starts_with("tls"));
        let mut problem = |key: &str, message: String| {
            problems.push(Problem {
                key: key.to_owned(),
                message,
            })
        };
        let mut report = StartupReport::default();
        report.warnings.extend(config.dev.warnings());

        // TLS: every certificate loaded and matched with its key now.
        let mut tls = None;
        let mut acme = None;
        if let Some(settings) = config.tls.acme.as_ref().filter(|_| config.tls.enabled) {
            // `[tls.acme]`: the certificate comes from the resolver (the stored one, if any,
            // at once; else after the first order). Its rules are in `Config::problems`.
            match acme_dir.as_deref() {
                None => problem(
                    "tls.acme",
                    "no ACME state directory given (ServerBuilder::acme_dir)".to_owned(),
                ),
                Some(dir) if tls_rules_ok => match AcmePlan::new(settings, dir) {
                    Err(p) => problem(&p.key, p.message),
                    Ok(planned) => match planned.tls_config(config.tls.http2) {
                        Err(error) => problem("tls.acme", error.to_string()),
                        Ok(server_config) => {
                            tls = Some((
                                None,
                                tokio_rustls::TlsAcceptor::from(Arc::new(server_config)),
                            ));
                            if planned.acme.current().is_none() {
                                report.warnings.push(format!(
                                    "TLS: no ACME certificate for {} yet: it is ordered from {} at start; \
                                     until it arrives TLS handshakes fail (state in {})",
                                    settings.domains.join(", "),
                                    settings.directory,
                                    dir.display()
                                ));
                            }
                            acme = Some(planned);
                        }
                    },
                },
                Some(_) => {}
            }
        } else if config.tls.enabled {
            let configured = config.tls.certificates();
            let files = if configured.is_empty() {
                match dev_tls_dir.as_deref().map(crate::dev_cert::ensure) {
                    None => {
                        problem(
                            "tls.cert",
                            "no certificate configured and no development certificate directory"
                                .to_owned(),
                        );
                        None
                    }
                    Some(Err(error)) => {
                        problem("tls.cert", format!("development certificate: {error}"));
                        None
                    }
                    Some(Ok(dev)) => {
                        report.dev_certificate = Some(DevCertificateInfo {
                            cert: dev.cert.clone(),
                            fingerprint: dev.fingerprint.clone(),
                            created: dev.created,
                        });
                        Some(vec![CertificateFiles {
                            cert: dev.cert,
                            key: dev.key,
                        }])
                    }
                }
            } else {
                Some(configured)
            };
            if let Some(files) = files {
                match CertStore::load(files) {
                    Err(error) => problem(tls_key(&config), error.to_string()),
                    Ok(store) => {
                        let store = Arc::new(store);
                        match tls_config(Arc::clone(&store), config.tls.http2) {
                            Ok(server_config) => {
                                tls = Some((
                                    Some(store),
                                    tokio_rustls::TlsAcceptor::from(Arc::new(server_config)),
                                ))
                            }
                            Err(error) => problem(tls_key(&config), error.to_string()),
                        }
                    }
                }
            }
        } else {
            report.warnings.push(
                "TLS is OFF (plain HTTP): only run this behind a TLS-terminating proxy; Alexa needs HTTPS on port 443"
                    .to_owned(),
            );
        }

        // Trust anchors for signing chains (development).
        let mut anchors = trust_anchors;
        for (index, path) in config.dev.extra_trust_anchors.iter().enumerate() {
            let key = format!("dev.extra_trust_anchors[{index}]");
            match CertificateDer::pem_file_iter(path)
                .and_then(|iter| iter.collect::<Result<Vec<_>, _>>())
            {
                Err(error) => problem(&key, format!("{}: {error}", path.display())),
                Ok(certs) if certs.is_empty() => problem(
                    &key,
                    format!("{}: no certificate in the file", path.display()),
                ),
                Ok(certs) => anchors.extend(certs),
            }
        }

        // Chain source: overrides first, then the download (or the given source).
        let base: Option<Arc<dyn ChainSource>> = match chain_source {
            Some(source) => Some(source),
            None => match HttpsChainSource::new(HttpsChainSourceConfig {
                connect_to: config.dev.chain_connect_to,
                ..HttpsChainSourceConfig::default()
            }) {
                Ok(source) => Some(Arc::new(source)),
                Err(error) => {
                    problem("dev.chain_connect_to", format!("chain download: {error}"));
                    None
                }
            },
        };
        let has_overrides = !chain_overrides.is_empty();
        let mut overrides = StaticChainSource::new();
        for (url, pem) in chain_overrides {
            match CertChainUrl::parse(&url) {
                Ok(parsed) => overrides.insert(&parsed, pem),
                Err(error) => problem("dev.dev_ca", format!("chain override {url:?}: {error}")),
            }
        }
        let source = base.map(|base| -> Arc<dyn ChainSource> {
            if !has_overrides {
                base
            } else {
                Arc::new(overrides.with_fallback(base))
            }
        });

        // Shared state: the URL is checked here, the connection made at start.
        if config.verify.shared_state.is_some() && !cfg!(feature = "shared-state") {
            problem(
                "verify.shared_state",
                "this build of skillgate-server has no shared-state support (the `shared-state` \
                 feature, on in the released `skillgate` binary)"
                    .to_owned(),
            );
        }
        let replay_line = match (&config.verify.shared_state, config.verify.replay) {
            (_, false) => {
                report.warnings.push(
                    "replay protection is OFF (verify.replay = false): a captured request \
                     can be sent again while its timestamp is fresh"
                        .to_owned(),
                );
                "replay protection OFF".to_owned()
            }
            (Some(_), true) => format!(
                "replay cache and download budget shared in Redis {}",
                config.verify.display_shared_state().unwrap_or_default()
            ),
            (None, true) => format!(
                "replay cache in memory ({} ids)",
                config.verify.replay_max_entries
            ),
        };

        // Recording directory: usable (or creatable) now.
        if let Some(dir) = &config.record_dir {
            if let Err(message) = check_writable_dir(dir) {
                problem("record_dir", message);
            } else {
                report.warnings.push(format!(
                    "recording every verified request and answer into {} (tokens masked)",
                    dir.display()
                ));
            }
        }

        // Endpoints, one per path: skills resolved, verifier settings checked.
        let mut endpoints = Vec::new();
        for path in config.paths() {
            let mut skills = Vec::new();
            let mut ids = Vec::new();
            let mut any = false;
            for (index, skill) in config.skill.iter().enumerate() {
                if skill.path != path {
                    continue;
                }
                let target = match skill.target() {
                    // Reported by `Config::problems`.
                    Err(_) => continue,
                    Ok(SkillTarget::Handler(name)) => match natives.get(name) {
                        Some(native) => Target::Native(native.clone()),
                        None => {
                            problem(
                                &format!("skill[{index}].handler"),
                                format!(
                                    "skill {:?}: no native skill named {name:?} (registered: {})",
                                    skill.name,
                                    natives.keys().cloned().collect::<Vec<_>>().join(", ")
                                ),
                            );
                            continue;
                        }
                    },
                    Ok(SkillTarget::Upstream(url)) => {
                        let deadline = skill
                            .upstream_timeout_ms
                            .map(Duration::from_millis)
                            .unwrap_or(config.limits.handler_timeout())
                            .min(config.limits.handler_timeout());
                        match Upstream::new(url, deadline) {
                            Ok(upstream) => Target::Upstream(upstream),
                            Err(message) => {
                                problem(&format!("skill[{index}].upstream"), message);
                                continue;
                            }
                        }
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
                    metrics: crate::metrics::SkillMetrics::new(&skill.name),
                });
            }
            let loose = config.dev.loose_timestamp_secs;
            let verifier = VerifierConfig {
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
                ..VerifierConfig::default()
            };
            // An empty id list here only follows from skills already reported above.
            if !skills.is_empty()
                && let Err(error) = verifier.validate()
            {
                problem("verify", format!("skills on path {path}: {error}"));
            }
            endpoints.push(EndpointPlan {
                path: path.to_owned(),
                skills,
                verifier,
            });
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
        report.listen = config.listen;
        report.tls = tls.is_some();
        report.admin_listen = config.admin_listen;
        report.metrics_on_main = config.admin_listen.is_none() && config.metrics_on_main_listener;

        match source {
            Some(source) if problems.is_empty() => Ok(Plan {
                config,
                tls,
                acme,
                source,
                endpoints,
                prometheus,
                replay_journal,
                report,
                observer,
                admin_routes,
            }),
            _ => Err(PlanError { problems }),
        }
    }
}

impl ServerBuilder {
    /// [`plan`](ServerBuilder::plan) then [`start`](Plan::start), for callers that have
    /// nothing to do in between.
    pub async fn start(self) -> Result<Server, ServerError> {
        self.plan()?.start().await
    }
}

/// The key a certificate problem is reported under.
fn tls_key(config: &Config) -> &'static str {
    if config.tls.cert.is_some() {
        "tls.cert"
    } else if config.tls.certificate.is_empty() {
        "tls"
    } else {
        "tls.certificate"
    }
}

/// `dir` is a directory, or can be created: the nearest existing ancestor is a directory.
fn check_writable_dir(dir: &Path) -> Result<(), String> {
    let mut probe = Some(dir);
    while let Some(candidate) = probe {
        if let Ok(meta) = std::fs::metadata(candidate) {
            if !meta.is_dir() {
                return Err(format!("{} is not a directory", candidate.display()));
            }
            if meta.permissions().readonly() {
                return Err(format!("{} is read-only", candidate.display()));
            }
            return Ok(());
        }
        probe = candidate.parent().filter(|p| !p.as_os_str().is_empty());
    }
    Ok(())
}

/// One skill path, resolved.
struct EndpointPlan {
    path: String,
    skills: Vec<SkillEntry>,
    /// Every setting but the replay guard (chosen at start).
    verifier: VerifierConfig,
}

/// A validated configuration, ready to [`start`](Plan::start).
pub struct Plan {
    config: Config,
    /// The certificate files (none with ACME) and the acceptor.
    tls: Option<(Option<Arc<CertStore>>, tokio_rustls::TlsAcceptor)>,
    acme: Option<AcmePlan>,
    source: Arc<dyn ChainSource>,
    endpoints: Vec<EndpointPlan>,
    prometheus: Option<PrometheusHandle>,
    replay_journal: Option<PathBuf>,
    report: StartupReport,
    observer: Option<crate::observe::Observer>,
    admin_routes: Option<Router>,
}

impl std::fmt::Debug for Plan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Plan")
            .field("report", &self.report)
            .finish_non_exhaustive()
    }
}

impl Plan {
    /// What the server will do (the listen addresses are the configured ones until
    /// [`Plan::start`] binds them).
    pub fn report(&self) -> &StartupReport {
        &self.report
    }

    /// The configuration the plan was made from.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Connects to the shared state (if configured), builds the verifiers and routes, and
    /// binds the listeners. Nothing is served until [`Server::run`].
    pub async fn start(self) -> Result<Server, ServerError> {
        let Plan {
            config,
            tls,
            acme,
            source,
            endpoints,
            prometheus,
            replay_journal,
            mut report,
            observer,
            admin_routes,
        } = self;
        let (cache, replay) =
            chain_cache_and_replay(&config, source, replay_journal.as_deref()).await?;

        let recorder =
            match &config.record_dir {
                Some(dir) => Some(Recorder::new(dir).map_err(|e| {
                    ServerError::Config(format!("record_dir {}: {e}", dir.display()))
                })?),
                None => None,
            };
        let mut router = Router::new();
        for endpoint in endpoints {
            for skill in &endpoint.skills {
                crate::metrics::register_skill(&skill.name);
            }
            let verifier = Arc::new(Verifier::with_cache(
                VerifierConfig {
                    replay: replay.clone(),
                    ..endpoint.verifier
                },
                Arc::clone(&cache),
            )?);
            let gate = Gate::new(verifier)
                .with_max_body(config.limits.max_body_bytes)
                .with_body_timeout(config.limits.body_read_timeout());
            let path = endpoint.path;
            let endpoint = Arc::new(Endpoint {
                path: path.clone(),
                gate,
                skills: endpoint.skills,
                handler_timeout: config.limits.handler_timeout(),
                recorder: recorder.clone(),
                unmask: config.log.unmask,
                observer: observer.clone(),
            });
            router = router.route(
                &path,
                axum::routing::any(crate::endpoint::handle).with_state(endpoint),
            );
        }

        let admin = crate::server::admin_router(prometheus, Arc::clone(&cache));
        // Without an admin listener, `/healthz` is on the main listener; `/metrics` only
        // with the explicit `metrics_on_main_listener` switch (the demo sets it).
        let main_router = match (config.admin_listen, config.metrics_on_main_listener) {
            (Some(_), _) => router,
            (None, true) => router.merge(admin.clone()),
            (None, false) => router.merge(crate::server::admin_router(None, Arc::clone(&cache))),
        };
        let main_router = main_router.layer(CatchPanicLayer::custom(crate::server::panic_response));
        // Extra admin routes (the console) only ever go on the separate admin listener.
        let admin = match (admin_routes, config.admin_listen) {
            (Some(extra), Some(_)) => admin.merge(extra),
            _ => admin,
        };

        let bind_error = |addr| move |source| ServerError::Bind { addr, source };
        let listener = TcpListener::bind(config.listen)
            .await
            .map_err(bind_error(config.listen))?;
        let local_addr = listener.local_addr().map_err(bind_error(config.listen))?;
        let admin_listener = match config.admin_listen {
            Some(addr) => {
                let l = TcpListener::bind(addr).await.map_err(bind_error(addr))?;
                let bound = l.local_addr().map_err(bind_error(addr))?;
                Some((l, bound))
            }
            None => None,
        };
        let acme = match acme {
            None => None,
            Some(AcmePlan { acme, http_listen }) => {
                let port80 = match http_listen {
                    Some(addr) => Some(TcpListener::bind(addr).await.map_err(bind_error(addr))?),
                    None => None,
                };
                Some((acme, port80))
            }
        };
        report.listen = local_addr;
        report.admin_listen = admin_listener.as_ref().map(|(_, a)| *a);
        let (cert_store, acceptor) = match tls {
            Some((store, acceptor)) => (store, Some(acceptor)),
            None => (None, None),
        };
        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let expiry = Arc::new(crate::expiry::ExpiryWatch::new(
            cert_store.clone(),
            acme.as_ref().map(|(acme, _)| acme.clone()),
            Arc::clone(cache.watch()),
        ));
        Ok(Server {
            listener,
            admin_listener: admin_listener.map(|(l, _)| (l, admin)),
            router: main_router,
            options: ListenerOptions {
                tls: acceptor,
                handshake_timeout: Duration::from_secs(config.tls.handshake_timeout_secs),
                header_read_timeout: config.limits.header_read_timeout(),
                idle_timeout: config.limits.idle_timeout(),
                max_connections: config.limits.max_connections,
                max_connections_per_ip: config.limits.max_connections_per_ip,
                shutdown_grace: config.limits.shutdown_grace(),
            },
            reload_interval: Duration::from_secs(config.tls.reload_interval_secs),
            expiry_interval: crate::expiry::CHECK_INTERVAL,
            acme,
            handle: ServerHandle {
                shutdown: Arc::new(shutdown_tx),
                certs: cert_store,
                expiry,
            },
            shutdown_rx,
            report,
        })
    }
}

/// The chain cache, and the replay guard when replay protection is on.
type CacheAndReplay = (Arc<ChainCache>, Option<Arc<dyn ReplayGuard>>);

/// The chain cache and replay guard: this process's own, or shared in Redis.
#[cfg(feature = "shared-state")]
async fn chain_cache_and_replay(
    config: &Config,
    source: Arc<dyn ChainSource>,
    journal: Option<&std::path::Path>,
) -> Result<CacheAndReplay, ServerError> {
    let Some(url) = &config.verify.shared_state else {
        return local_cache_and_replay(config, source, journal);
    };
    let redis = skillgate_store::RedisShared::connect(url, config.verify.shared_state_timeout())
        .await
        .map_err(|e| {
            ServerError::Config(format!(
                "verify.shared_state {}: {e}",
                config.verify.display_shared_state().unwrap_or_default()
            ))
        })?;
    let sizing = skillgate_verify::ChainCacheConfig::default();
    let limiter =
        Arc::new(redis.download_limiter(sizing.downloads_per_minute, sizing.download_burst));
    let cache = Arc::new(ChainCache::with_limiter(source, sizing, limiter));
    let replay: Option<Arc<dyn ReplayGuard>> = config
        .verify
        .replay
        .then(|| Arc::new(redis.replay_guard()) as Arc<dyn ReplayGuard>);
    Ok((cache, replay))
}

/// The chain cache and replay guard of this process (built without shared-state support;
/// the plan refused a `shared_state` setting).
#[cfg(not(feature = "shared-state"))]
async fn chain_cache_and_replay(
    config: &Config,
    source: Arc<dyn ChainSource>,
    journal: Option<&std::path::Path>,
) -> Result<CacheAndReplay, ServerError> {
    local_cache_and_replay(config, source, journal)
}

/// This process's chain cache and replay guard: in memory, and in `journal` when given.
fn local_cache_and_replay(
    config: &Config,
    source: Arc<dyn ChainSource>,
    journal: Option<&std::path::Path>,
) -> Result<CacheAndReplay, ServerError> {
    let capacity = config.verify.replay_max_entries;
    let replay: Option<Arc<dyn ReplayGuard>> = match (config.verify.replay, journal) {
        (false, _) => None,
        (true, None) => Some(Arc::new(InMemoryReplayGuard::new(capacity))),
        (true, Some(path)) => Some(Arc::new(
            crate::replay_journal::ReplayJournal::open(
                path,
                capacity,
                std::time::SystemTime::now(),
            )
            .map_err(|e| ServerError::Config(e.to_string()))?,
        )),
    };
    Ok((Arc::new(ChainCache::new(source)), replay))
}
