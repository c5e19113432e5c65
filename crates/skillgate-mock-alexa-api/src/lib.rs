//! A local HTTPS mock of Alexa's service APIs, so a skill's calls to Alexa can be tried and
//! tested on a laptop with no Amazon account.
//!
//! It implements Device Address, Customer and Person Profile, Device Settings, Reminders,
//! Timers, Household Lists, Monetization, Endpoint Enumeration, the Directive API, the LWA
//! token endpoint, Proactive Events and Skill Messaging, answering with Amazon's JSON shapes
//! (checked against ask-sdk-model by this crate's tests). It:
//!
//! - issues the tokens it accepts ([`MockAlexaApi::issue_token`]) and refuses others;
//! - checks the skill's declared permissions and the user's grants
//!   ([`MockAlexaApi::grant`], [`MockAlexaApi::deny`]), answering as Amazon does (403, or
//!   401 for reminders and timers);
//! - keeps its state in `state.json` under its directory, so what one turn creates the next
//!   turn (or the next process) sees;
//! - misbehaves on demand ([`Switches`]: slow, 500, expired token, rate limit);
//! - logs every call ([`CallRecord`]: `→ POST /v1/alerts/reminders 200`).
//!
//! ```no_run
//! # async fn demo() -> Result<(), skillgate_mock_alexa_api::MockError> {
//! use skillgate_mock_alexa_api::{MockAlexaApi, MockConfig};
//!
//! let mock = MockAlexaApi::start(MockConfig::new("/tmp/skillgate-data/mock-alexa-api")).await?;
//! let token = mock.issue_token();
//! // Put mock.endpoint() and token into the simulated request's context.System,
//! // and trust mock.ca_pem() in the skill's HTTPS client.
//! # let _ = token; Ok(()) }
//! ```
#![warn(missing_docs)]

mod calls;
mod error;
mod routes;
mod state;
mod switches;
mod tls;

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

pub use calls::CallRecord;
pub use error::MockError;
pub use state::{PREMIUM_PRODUCT_ID, SHOPPING_LIST_ID, TODO_LIST_ID};
pub use switches::Switches;

use state::State;

/// The client id the mock's LWA endpoint accepts (unless configured otherwise).
pub const DEFAULT_CLIENT_ID: &str = "amzn1.application-oa2-client.mock";
/// The client secret the mock's LWA endpoint accepts (unless configured otherwise).
pub const DEFAULT_CLIENT_SECRET: &str = "mock-client-secret";

/// How to start the mock.
#[derive(Debug, Clone)]
pub struct MockConfig {
    /// Where `state.json` and the TLS files live.
    pub dir: PathBuf,
    /// The address to listen on (default `127.0.0.1:0`: a free port).
    pub listen: SocketAddr,
    /// The permissions the skill declares; `None`: every permission is declared.
    pub declared_permissions: Option<BTreeSet<String>>,
    /// How long issued request tokens live (default 1 hour).
    pub token_lifetime: Duration,
    /// How long LWA tokens live (`expires_in`, default 1 hour).
    pub lwa_token_lifetime: Duration,
    /// The LWA client id and secret accepted.
    pub client_credentials: (String, String),
    /// The device's time zone.
    pub time_zone: String,
}

impl MockConfig {
    /// Defaults, with state under `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            declared_permissions: None,
            token_lifetime: Duration::from_secs(3600),
            lwa_token_lifetime: Duration::from_secs(3600),
            client_credentials: (
                DEFAULT_CLIENT_ID.to_owned(),
                DEFAULT_CLIENT_SECRET.to_owned(),
            ),
            time_zone: "Europe/Berlin".to_owned(),
        }
    }

    /// Declares the skill's permissions (the manifest's `permissions`).
    pub fn declared_permissions<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.declared_permissions = Some(scopes.into_iter().map(Into::into).collect());
        self
    }
}

pub(crate) struct Inner {
    pub(crate) config: MockConfig,
    pub(crate) state_path: PathBuf,
    pub(crate) state: Mutex<State>,
    pub(crate) switches: Mutex<Switches>,
    pub(crate) calls: Mutex<Vec<CallRecord>>,
}

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The running mock. Dropping it stops the server.
pub struct MockAlexaApi {
    inner: Arc<Inner>,
    addr: SocketAddr,
    ca_pem: String,
    stop: tokio::sync::watch::Sender<bool>,
}

impl std::fmt::Debug for MockAlexaApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockAlexaApi")
            .field("endpoint", &self.endpoint())
            .finish_non_exhaustive()
    }
}

/// The PEM of the CA of the mock whose directory is `dir`, created there if missing: a skill
/// server in another process trusts it before any mock is running.
pub fn ensure_ca(dir: &std::path::Path) -> Result<String, MockError> {
    std::fs::create_dir_all(dir).map_err(|e| MockError::io(dir, e))?;
    Ok(tls::Identity::load_or_create(dir)?.ca_pem)
}

/// The largest request body the mock reads.
const MAX_REQUEST_BODY: usize = 256 * 1024;

impl MockAlexaApi {
    /// Loads (or creates) the state and TLS identity under `config.dir` and starts serving.
    pub async fn start(config: MockConfig) -> Result<Self, MockError> {
        std::fs::create_dir_all(&config.dir).map_err(|e| MockError::io(&config.dir, e))?;
        let identity = tls::Identity::load_or_create(&config.dir)?;
        let acceptor = tokio_rustls::TlsAcceptor::from(identity.server_config()?);
        let state_path = config.dir.join("state.json");
        let state = State::load(&state_path)?;
        let listener = TcpListener::bind(config.listen)
            .await
            .map_err(MockError::Bind)?;
        let addr = listener.local_addr().map_err(MockError::Bind)?;
        let inner = Arc::new(Inner {
            config,
            state_path,
            state: Mutex::new(state),
            switches: Mutex::new(Switches::default()),
            calls: Mutex::new(Vec::new()),
        });
        let (stop, mut stopped) = tokio::sync::watch::channel(false);
        let serving = Arc::clone(&inner);
        tokio::spawn(async move {
            loop {
                let accepted = tokio::select! {
                    accepted = listener.accept() => accepted,
                    _ = stopped.wait_for(|s| *s) => return,
                };
                let Ok((stream, _)) = accepted else {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                };
                let acceptor = acceptor.clone();
                let inner = Arc::clone(&serving);
                let mut stop_conn = stopped.clone();
                tokio::spawn(async move {
                    let handshake =
                        tokio::time::timeout(Duration::from_secs(5), acceptor.accept(stream));
                    let Ok(Ok(tls)) = handshake.await else {
                        return;
                    };
                    let service = service_fn(move |request| {
                        let inner = Arc::clone(&inner);
                        async move { Ok::<_, std::convert::Infallible>(serve(inner, request).await) }
                    });
                    let conn = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(tls), service);
                    tokio::select! {
                        _ = conn => {}
                        _ = stop_conn.wait_for(|s| *s) => {}
                    }
                });
            }
        });
        Ok(Self {
            inner,
            addr,
            ca_pem: identity.ca_pem,
            stop,
        })
    }

    /// The `apiEndpoint` to put into requests: `https://127.0.0.1:{port}`.
    pub fn endpoint(&self) -> String {
        format!("https://{}", self.addr)
    }

    /// The address the mock listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The PEM of the CA that issued the mock's certificate (trust it in the client).
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// The LWA token URL of the mock.
    pub fn token_url(&self) -> String {
        format!("{}/auth/o2/token", self.endpoint())
    }

    fn update<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        let mut state = lock(&self.inner.state);
        let result = f(&mut state);
        if let Err(error) = state.save(&self.inner.state_path) {
            tracing::warn!(%error, "mock Alexa API: cannot save its state");
        }
        result
    }

    /// Issues an `apiAccessToken` the mock accepts (it lives `token_lifetime`).
    pub fn issue_token(&self) -> String {
        let lifetime = self.inner.config.token_lifetime.as_secs() as i64;
        self.update(|state| routes::issue(state, "request", lifetime))
    }

    /// The user grants a permission.
    pub fn grant(&self, scope: &str) {
        self.update(|state| state.granted.insert(scope.to_owned()));
    }

    /// The user revokes (or never grants) a permission.
    pub fn deny(&self, scope: &str) {
        self.update(|state| state.granted.remove(scope));
    }

    /// Whether the user has granted a permission.
    pub fn is_granted(&self, scope: &str) -> bool {
        lock(&self.inner.state).granted.contains(scope)
    }

    /// The user buys (or returns) the product.
    pub fn set_entitled(&self, product_id: &str, entitled: bool) {
        self.update(|state| {
            if let Some(p) = state.products.get_mut(product_id) {
                let (e, p_state, reason) = if entitled {
                    ("ENTITLED", "NOT_PURCHASABLE", "PURCHASED")
                } else {
                    ("NOT_ENTITLED", "PURCHASABLE", "NOT_PURCHASED")
                };
                p["entitled"] = e.into();
                p["purchasable"] = p_state.into();
                p["entitlementReason"] = reason.into();
            }
        });
    }

    /// The switches now.
    pub fn switches(&self) -> Switches {
        lock(&self.inner.switches).clone()
    }

    /// Sets the switches.
    pub fn set_switches(&self, switches: Switches) {
        *lock(&self.inner.switches) = switches;
    }

    /// Every call answered so far.
    pub fn calls(&self) -> Vec<CallRecord> {
        lock(&self.inner.calls).clone()
    }

    /// The calls answered since the last drain, removed from the log.
    pub fn drain_calls(&self) -> Vec<CallRecord> {
        std::mem::take(&mut *lock(&self.inner.calls))
    }

    /// What progressive responses said, in order.
    pub fn progressive_speech(&self) -> Vec<String> {
        lock(&self.inner.state).progressive.clone()
    }

    /// The skill messages received (`{"userId", "data", "expiresAfterSeconds"}`).
    pub fn skill_messages(&self) -> Vec<serde_json::Value> {
        lock(&self.inner.state).messages.clone()
    }

    /// The proactive events received.
    pub fn proactive_events(&self) -> Vec<serde_json::Value> {
        lock(&self.inner.state).proactive_events.clone()
    }

    /// How many reminders exist.
    pub fn reminder_count(&self) -> usize {
        lock(&self.inner.state).reminders.len()
    }
}

impl Drop for MockAlexaApi {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

type Response = hyper::Response<Full<Bytes>>;

async fn serve(inner: Arc<Inner>, request: hyper::Request<hyper::body::Incoming>) -> Response {
    let method = request.method().as_str().to_owned();
    let path = request.uri().path().to_owned();
    let authorization = request
        .headers()
        .get(hyper::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let content_type = request
        .headers()
        .get(hyper::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = match Limited::new(request.into_body(), MAX_REQUEST_BODY)
        .collect()
        .await
    {
        Ok(collected) => collected.to_bytes(),
        Err(_) => Bytes::new(),
    };
    let call = routes::Incoming {
        method: &method,
        path: &path,
        authorization: authorization.as_deref(),
        content_type: content_type.as_deref(),
        body: &body,
    };
    let (reply, slow) = routes::answer(&inner, &call);
    lock(&inner.calls).push(CallRecord {
        method: method.clone(),
        path: path.clone(),
        status: reply.status,
        delayed: slow,
    });
    tracing::info!(target: "skillgate::mock_alexa_api", "→ {method} {path} {}", reply.status);
    if let Some(wait) = slow {
        tokio::time::sleep(wait).await;
    }
    reply.into_response()
}
