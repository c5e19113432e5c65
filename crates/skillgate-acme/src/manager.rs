//! [`Acme`]: one ACME configuration at work — the stored certificate served at once, orders
//! when none is stored or renewal is due, retries with backoff while the current certificate
//! keeps serving, a log line and metrics on every outcome.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use instant_acme::{
    Account, AuthorizationStatus, ChallengeType, Identifier, NewAccount, NewOrder, OrderStatus,
    RetryPolicy,
};
use rustls_pki_types::CertificateDer;
use tokio::sync::{Notify, watch};

use crate::challenge::{Http01Tokens, tls_alpn01_certificate};
use crate::client::AcmeHttp;
use crate::error::AcmeError;
use crate::resolver::AcmeResolver;
use crate::schedule;
use crate::store::{Issued, Store};

/// Let's Encrypt's production directory (the default).
pub const LETS_ENCRYPT_PRODUCTION: &str = "https://acme-v02.api.letsencrypt.org/directory";
/// Let's Encrypt's staging directory (untrusted certificates, generous rate limits).
pub const LETS_ENCRYPT_STAGING: &str = "https://acme-staging-v02.api.letsencrypt.org/directory";

/// The longest single sleep of the renewal loop: the schedule is re-evaluated at least this
/// often (wall-clock jumps, suspended machines).
pub const MAX_NAP: Duration = Duration::from_secs(3600);

/// How the ACME server validates that we control the domains.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Challenge {
    /// tls-alpn-01 on the HTTPS listener (port 443): nothing else to open.
    TlsAlpn01,
    /// http-01 on a port-80 listener serving [`crate::challenge::serve_http01`].
    Http01,
}

/// One ACME configuration.
#[derive(Debug, Clone)]
pub struct AcmeConfig {
    /// The names on the certificate (the first is the subject).
    pub domains: Vec<String>,
    /// Contact URLs, e.g. `mailto:ops@example.com` (may be empty).
    pub contact: Vec<String>,
    /// The directory URL (RFC 8555).
    pub directory: String,
    /// The challenge type.
    pub challenge: Challenge,
    /// Where the account key and certificates live (`<data>/acme`).
    pub state_dir: PathBuf,
    /// Roots trusted for the directory's HTTPS besides the Mozilla roots (test or private CAs).
    pub extra_roots: Vec<CertificateDer<'static>>,
    /// First retry delay after a failed order (doubles per failure).
    pub retry_initial: Duration,
    /// Longest retry delay.
    pub retry_max: Duration,
    /// Limit for one whole order (validation, issuance).
    pub order_timeout: Duration,
}

impl AcmeConfig {
    /// A configuration for `domains` with the defaults: Let's Encrypt production,
    /// tls-alpn-01, retries from 1 minute to 6 hours, 3 minutes per order.
    pub fn new(domains: Vec<String>, state_dir: PathBuf) -> Self {
        Self {
            domains,
            contact: Vec::new(),
            directory: LETS_ENCRYPT_PRODUCTION.into(),
            challenge: Challenge::TlsAlpn01,
            state_dir,
            extra_roots: Vec::new(),
            retry_initial: Duration::from_secs(60),
            retry_max: Duration::from_secs(6 * 3600),
            order_timeout: Duration::from_secs(180),
        }
    }
}

/// Health of the renewal loop.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Status {
    /// Orders failed in a row (0 after a success).
    pub consecutive_failures: u32,
    /// The last failure, if the last order failed.
    pub last_error: Option<String>,
}

struct Inner {
    config: AcmeConfig,
    store: Store,
    resolver: Arc<AcmeResolver>,
    http01: Arc<Http01Tokens>,
    current: watch::Sender<Option<Issued>>,
    wake: Notify,
    account: tokio::sync::Mutex<Option<Account>>,
    failures: AtomicU32,
    last_error: Mutex<Option<String>>,
}

/// An ACME certificate manager. Cheap to clone.
#[derive(Clone)]
pub struct Acme {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Acme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Acme")
            .field("domains", &self.inner.config.domains)
            .field("directory", &self.inner.config.directory)
            .finish_non_exhaustive()
    }
}

fn unix_secs(t: SystemTime) -> f64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

impl Acme {
    /// Checks the configuration, opens the state directory and installs the stored
    /// certificate, if any, so the server can serve it before the first order. A stored
    /// certificate that does not load is logged and replaced by the next order.
    pub fn new(config: AcmeConfig) -> Result<Self, AcmeError> {
        if config.domains.is_empty() {
            return Err(AcmeError::Config("no domain".into()));
        }
        for d in &config.domains {
            if rustls_pki_types::DnsName::try_from(d.as_str()).is_err()
                || d.parse::<std::net::IpAddr>().is_ok()
            {
                return Err(AcmeError::Config(format!("{d:?} is not a DNS name")));
            }
        }
        if !config.directory.starts_with("https://") {
            return Err(AcmeError::Config(format!(
                "directory {:?} is not an https:// URL",
                config.directory
            )));
        }
        let domains: Vec<String> = config
            .domains
            .iter()
            .map(|d| d.to_ascii_lowercase())
            .collect();
        let store = Store::open(&config.state_dir, &config.directory, &domains)?;
        let resolver = Arc::new(AcmeResolver::new());
        let stored = match store.load_certificate() {
            Ok(stored) => stored,
            Err(e) => {
                tracing::warn!(error = %e, "stored ACME certificate unusable; a new one will be ordered");
                None
            }
        };
        if let Some(issued) = &stored {
            resolver.install(Arc::clone(&issued.certified));
            metrics::gauge!("skillgate_acme_certificate_expiry_timestamp_seconds")
                .set(unix_secs(issued.not_after));
            tracing::info!(serial = %issued.serial, "serving the stored ACME certificate");
        }
        let (current, _) = watch::channel(stored);
        Ok(Self {
            inner: Arc::new(Inner {
                config: AcmeConfig { domains, ..config },
                store,
                resolver,
                http01: Arc::new(Http01Tokens::new()),
                current,
                wake: Notify::new(),
                account: tokio::sync::Mutex::new(None),
                failures: AtomicU32::new(0),
                last_error: Mutex::new(None),
            }),
        })
    }

    /// The resolver to put in the server's `rustls::ServerConfig` (with
    /// [`crate::ACME_TLS_ALPN`] in its ALPN protocols for tls-alpn-01).
    pub fn resolver(&self) -> Arc<AcmeResolver> {
        Arc::clone(&self.inner.resolver)
    }

    /// The http-01 answers, for [`crate::challenge::serve_http01`].
    pub fn http01_tokens(&self) -> Arc<Http01Tokens> {
        Arc::clone(&self.inner.http01)
    }

    /// The certificate being served, if any.
    pub fn current(&self) -> Option<Issued> {
        self.inner.current.borrow().clone()
    }

    /// Notified on every new certificate.
    pub fn watch(&self) -> watch::Receiver<Option<Issued>> {
        self.inner.current.subscribe()
    }

    /// The state directory store (file paths, for operators and tests).
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// Health of the renewal loop.
    pub fn status(&self) -> Status {
        Status {
            consecutive_failures: self.inner.failures.load(Ordering::Relaxed),
            last_error: self.inner.last_error.lock().ok().and_then(|e| e.clone()),
        }
    }

    /// Makes [`Acme::run`] order at once (e.g. on SIGHUP), whatever the schedule says.
    pub fn renew_now(&self) {
        self.inner.wake.notify_one();
    }

    /// When the current certificate is due for renewal (now if there is none).
    fn next_renewal(&self) -> SystemTime {
        match self.current() {
            Some(c) => schedule::renew_at(c.not_before, c.not_after, schedule::random_unit()),
            None => SystemTime::now(),
        }
    }

    /// Renews forever: orders when no certificate is served or renewal is due, retries
    /// failures with backoff. Spawn it; it never returns.
    pub async fn run(self) {
        let mut next = self.next_renewal();
        loop {
            let now = SystemTime::now();
            if let Ok(wait) = next.duration_since(now) {
                if !wait.is_zero() {
                    tokio::select! {
                        () = tokio::time::sleep(wait.min(MAX_NAP)) => continue,
                        () = self.inner.wake.notified() => {}
                    }
                }
            }
            next = match self.order().await {
                Ok(issued) => {
                    schedule::renew_at(issued.not_before, issued.not_after, schedule::random_unit())
                }
                Err(_) => {
                    let failures = self.inner.failures.load(Ordering::Relaxed);
                    let c = &self.inner.config;
                    SystemTime::now()
                        + schedule::backoff(
                            failures,
                            c.retry_initial,
                            c.retry_max,
                            schedule::random_unit(),
                        )
                }
            };
        }
    }

    /// One order, now: on success the certificate is stored, served and announced; on
    /// failure the current certificate stays, the failure is counted, logged and returned.
    pub async fn order(&self) -> Result<Issued, AcmeError> {
        let c = &self.inner.config;
        let domains = c.domains.join(",");
        let result = match tokio::time::timeout(c.order_timeout, self.order_inner()).await {
            Ok(r) => r,
            Err(_) => Err(AcmeError::Timeout(c.order_timeout)),
        };
        match result {
            Ok(issued) => {
                self.inner.store.save_certificate(&issued)?;
                self.inner.resolver.install(Arc::clone(&issued.certified));
                self.inner.current.send_replace(Some(issued.clone()));
                self.inner.failures.store(0, Ordering::Relaxed);
                if let Ok(mut e) = self.inner.last_error.lock() {
                    *e = None;
                }
                metrics::counter!("skillgate_acme_orders_total", "result" => "ok").increment(1);
                metrics::gauge!("skillgate_acme_consecutive_failures").set(0.0);
                metrics::gauge!("skillgate_acme_certificate_expiry_timestamp_seconds")
                    .set(unix_secs(issued.not_after));
                tracing::info!(domains, serial = %issued.serial, "ACME certificate issued and installed");
                Ok(issued)
            }
            Err(e) => {
                let failures = self.inner.failures.fetch_add(1, Ordering::Relaxed) + 1;
                if let Ok(mut last) = self.inner.last_error.lock() {
                    *last = Some(e.to_string());
                }
                // A stale account (e.g. a test server that forgot it) is recreated next time.
                *self.inner.account.lock().await = None;
                metrics::counter!("skillgate_acme_orders_total", "result" => "error", "reason" => e.reason())
                    .increment(1);
                metrics::gauge!("skillgate_acme_consecutive_failures").set(f64::from(failures));
                let serving = self.current().map(|i| i.serial);
                tracing::error!(
                    domains,
                    error = %e,
                    reason = e.reason(),
                    failures,
                    serving = serving.as_deref().unwrap_or("nothing"),
                    "ACME order failed; the current certificate stays in place and the order is retried with backoff"
                );
                Err(e)
            }
        }
    }

    async fn account(&self) -> Result<Account, AcmeError> {
        let mut cached = self.inner.account.lock().await;
        if let Some(account) = cached.as_ref() {
            return Ok(account.clone());
        }
        let c = &self.inner.config;
        let http =
            || AcmeHttp::new(&c.extra_roots).map(|h| Account::builder_with_http(Box::new(h)));
        let account = match self.inner.store.load_account()? {
            Some(json) => {
                let credentials = serde_json::from_str(&json).map_err(|e| AcmeError::Stored {
                    path: self.inner.store.account_path().to_path_buf(),
                    what: e.to_string(),
                })?;
                http()?.from_credentials(credentials).await?
            }
            None => {
                let contact: Vec<&str> = c.contact.iter().map(String::as_str).collect();
                let (account, credentials) = http()?
                    .create(
                        &NewAccount {
                            contact: &contact,
                            terms_of_service_agreed: true,
                            only_return_existing: false,
                        },
                        c.directory.clone(),
                        None,
                    )
                    .await?;
                let json = serde_json::to_string(&credentials).map_err(|e| {
                    AcmeError::Certificate(format!("serializing account credentials: {e}"))
                })?;
                self.inner.store.save_account(&json)?;
                tracing::info!(directory = %c.directory, id = account.id(), "ACME account created");
                account
            }
        };
        *cached = Some(account.clone());
        Ok(account)
    }

    async fn order_inner(&self) -> Result<Issued, AcmeError> {
        let c = &self.inner.config;
        let account = self.account().await?;
        let identifiers: Vec<Identifier> = c
            .domains
            .iter()
            .map(|d| Identifier::Dns(d.clone()))
            .collect();
        let mut order = account.new_order(&NewOrder::new(&identifiers)).await?;
        let mut cleanup: Vec<(String, String)> = Vec::new();
        let result = async {
            let mut authorizations = order.authorizations();
            while let Some(authz) = authorizations.next().await {
                let mut authz = authz?;
                match authz.status {
                    AuthorizationStatus::Valid => continue,
                    AuthorizationStatus::Pending => {}
                    other => {
                        return Err(AcmeError::Order {
                            domains: c.domains.join(","),
                            why: format!("authorization is {other:?}"),
                        });
                    }
                }
                let kind = match c.challenge {
                    Challenge::TlsAlpn01 => ChallengeType::TlsAlpn01,
                    Challenge::Http01 => ChallengeType::Http01,
                };
                let wanted = format!("{kind:?}");
                let mut challenge = authz.challenge(kind).ok_or_else(|| AcmeError::Order {
                    domains: c.domains.join(","),
                    why: format!("the server offers no {wanted} challenge"),
                })?;
                let domain = match challenge.identifier().identifier {
                    Identifier::Dns(d) => d.to_ascii_lowercase(),
                    other => {
                        return Err(AcmeError::Order {
                            domains: c.domains.join(","),
                            why: format!("unexpected identifier {other:?}"),
                        });
                    }
                };
                let key_authorization = challenge.key_authorization();
                match c.challenge {
                    Challenge::TlsAlpn01 => {
                        let cert =
                            tls_alpn01_certificate(&domain, key_authorization.digest().as_ref())?;
                        self.inner.resolver.set_challenge(&domain, Arc::new(cert));
                        cleanup.push((domain, String::new()));
                    }
                    Challenge::Http01 => {
                        self.inner
                            .http01
                            .insert(&challenge.token, key_authorization.as_str());
                        cleanup.push((String::new(), challenge.token.clone()));
                    }
                }
                challenge.set_ready().await?;
            }
            let policy = RetryPolicy::new()
                .initial_delay(Duration::from_millis(250))
                .timeout(c.order_timeout);
            let status = order.poll_ready(&policy).await?;
            if status != OrderStatus::Ready {
                let why = order
                    .state()
                    .error
                    .as_ref()
                    .map(|p| p.to_string())
                    .unwrap_or_else(|| format!("order is {status:?}"));
                return Err(AcmeError::Order {
                    domains: c.domains.join(","),
                    why,
                });
            }
            let key_pem = order.finalize().await?;
            let chain_pem = order.poll_certificate(&policy).await?;
            Issued::from_pem(chain_pem, key_pem).map_err(AcmeError::Certificate)
        }
        .await;
        for (domain, token) in cleanup {
            if !domain.is_empty() {
                self.inner.resolver.clear_challenge(&domain);
            }
            if !token.is_empty() {
                self.inner.http01.remove(&token);
            }
        }
        result
    }
}
