//! A bound [`Server`] (made by [`crate::Plan::start`]) serves until
//! [`ServerHandle::shutdown`] (or a signal, with [`Server::run_until_signal`]).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::cert_store::{CertError, CertStore};
use crate::listener::{ListenerOptions, serve};

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// The plan step found problems in the configuration or the files it names.
    #[error(transparent)]
    Plan(#[from] crate::plan::PlanError),
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
}

/// `/healthz`, and `/metrics` when a Prometheus recorder was given (the chain cache's
/// counters are published from the cache itself at each scrape).
pub(crate) fn admin_router(
    prometheus: Option<metrics_exporter_prometheus::PrometheusHandle>,
    cache: Arc<skillgate_verify::ChainCache>,
) -> Router {
    let router = Router::new().route("/healthz", get(|| async { "ok\n" }));
    let Some(prometheus) = prometheus else {
        return router;
    };
    router.route(
        "/metrics",
        get(move || {
            let prometheus = prometheus.clone();
            crate::metrics::record_chain_cache(&cache);
            crate::metrics::record_chain_watch(&cache, std::time::SystemTime::now());
            async move {
                (
                    [(http::header::CONTENT_TYPE, "text/plain; version=0.0.4")],
                    prometheus.render(),
                )
            }
        }),
    )
}

pub(crate) fn panic_response(
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
    /// Whether `/metrics` is on the main listener (no `admin_listen`,
    /// `metrics_on_main_listener` set).
    pub metrics_on_main: bool,
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
            metrics_on_main: false,
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
        if self.admin_listen.is_some() || self.metrics_on_main {
            out.push(format!(
                "  health: {admin}/healthz   metrics: {admin}/metrics"
            ));
        } else {
            out.push(format!(
                "  health: {admin}/healthz   metrics: off (set admin_listen, or metrics_on_main_listener = true)"
            ));
        }
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
    pub(crate) shutdown: Arc<watch::Sender<bool>>,
    pub(crate) certs: Option<Arc<CertStore>>,
    pub(crate) expiry: Arc<crate::expiry::ExpiryWatch>,
}

impl ServerHandle {
    /// Stops accepting connections and lets in-flight requests finish (up to the grace
    /// period); [`Server::run`] then returns.
    pub fn shutdown(&self) {
        self.shutdown.send_replace(true);
    }

    /// Resolves once a shutdown has started (a signal or [`ServerHandle::shutdown`]), so
    /// long-lived responses such as event streams can end and not hold up the drain.
    pub async fn stopping(&self) {
        let mut stop = self.shutdown.subscribe();
        let _ = stop.wait_for(|stopping| *stopping).await;
    }

    /// Re-reads the certificate files now (SIGHUP). `Ok(true)`: a new certificate is in
    /// use; on error the old one stays. With `[tls.acme]` (no files), orders a certificate
    /// now if none is served or the served one has less than 30 days left
    /// ([`crate::expiry::acme_renewal_due`]).
    pub fn reload_certificates(&self) -> Result<bool, CertError> {
        let Some(store) = &self.certs else {
            self.expiry.acme_renewal_check();
            return Ok(false);
        };
        let result = store.reload();
        log_reload(&result, store);
        self.expiry.check();
        result
    }

    /// The expiry of the served certificates and signing chains, as last checked.
    pub fn expiry(&self) -> &Arc<crate::expiry::ExpiryWatch> {
        &self.expiry
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
    pub(crate) listener: TcpListener,
    pub(crate) admin_listener: Option<(TcpListener, Router)>,
    pub(crate) router: Router,
    pub(crate) options: ListenerOptions,
    pub(crate) reload_interval: Duration,
    /// How often certificate and signing-chain expiry is checked.
    pub(crate) expiry_interval: Duration,
    /// `[tls.acme]`: the manager and the http-01 listener, run by [`Server::run`].
    pub(crate) acme: Option<(skillgate_acme::Acme, Option<TcpListener>)>,
    pub(crate) handle: ServerHandle,
    pub(crate) shutdown_rx: watch::Receiver<bool>,
    pub(crate) report: StartupReport,
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
            let expiry = Arc::clone(&self.handle.expiry);
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
                        Ok(Ok(Some(changed))) => {
                            log_reload(&Ok(changed), &store);
                            expiry.check();
                        }
                        Ok(Err(error)) => log_reload(&Err(error), &store),
                    }
                }
            });
        }
        // Checks at start, on ACME renewals and hourly; stops at shutdown.
        tokio::spawn(crate::expiry::run(
            Arc::clone(&self.handle.expiry),
            self.expiry_interval,
            self.shutdown_rx.clone(),
        ));
        if let Some((acme, port80)) = self.acme {
            // Stops at shutdown; not joined (an order in flight is abandoned).
            tokio::spawn(crate::acme::run(acme, port80, self.shutdown_rx.clone()));
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
