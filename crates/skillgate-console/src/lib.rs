//! The local web console of `skillgate serve --dev-ca --console`: every request the server
//! received (live, over server-sent events), a simulator that talks to the skill through
//! the real server, and the skill's interaction model with the matcher.
//!
//! It is a development tool served on the admin listener only (loopback, enforced by the
//! server's configuration rules), behind a random token. The server publishes one
//! [`skillgate_server::observe::RequestRecord`] per request to the [`Console`] (its
//! [`RequestObserver`]); the console keeps the last N in a ring and renders HTML with
//! everything escaped. See docs/console.md.
#![warn(missing_docs)]

pub mod entry;
pub mod model_pane;
pub mod page;
pub mod ring;
pub mod simulator;
pub mod token;

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use futures_util::stream::{self, Stream, StreamExt};
use skillgate_server::observe::{RequestObserver, RequestRecord};
use tokio::sync::broadcast;

pub use entry::Entry;
pub use model_pane::SkillModel;
pub use simulator::{SimulatorSetup, Target};
pub use token::Token;

use ring::Ring;
use simulator::{Simulator, TurnForm};

/// Requests kept by default.
pub const DEFAULT_CAPACITY: usize = 200;
/// Bytes of each request and response body kept by default.
pub const DEFAULT_BODY_CAP: usize = 32 * 1024;

/// The Content-Security-Policy of every console response: only the console's own script,
/// style and endpoints; no inline code, no framing, no plugins.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     connect-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; \
     frame-ancestors 'none'";

const SCRIPT: &str = include_str!("assets/console.js");
const STYLE: &str = include_str!("assets/console.css");

/// Why the console could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConsoleError {
    /// The system random number generator failed (no token can be made).
    #[error("the system random number generator failed")]
    Random,
}

/// How the console is set up.
#[derive(Debug)]
pub struct ConsoleOptions {
    /// Requests kept (the oldest is dropped first).
    pub capacity: usize,
    /// Bytes of each body kept and shown.
    pub body_cap: usize,
    /// Interaction models by skill name.
    pub models: Vec<SkillModel>,
    /// The simulator's signer, trust, mock directory and store.
    pub simulator: SimulatorSetup,
}

/// The console: an observer for the server, and the router for the admin listener.
#[derive(Clone)]
pub struct Console {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Console {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Console").finish_non_exhaustive()
    }
}

struct Inner {
    token: Token,
    body_cap: usize,
    ring: Mutex<Ring<Arc<Entry>>>,
    events: broadcast::Sender<Arc<Entry>>,
    models: BTreeMap<String, SkillModel>,
    /// The server's skills (set by [`Console::attach`]; read without waiting for a turn).
    skills: std::sync::OnceLock<Vec<String>>,
    simulator: tokio::sync::Mutex<Simulator>,
    /// Set by [`Console::shutdown`]: event streams end.
    stop: tokio::sync::watch::Sender<bool>,
}

impl Console {
    /// A console with a fresh random token.
    pub fn new(options: ConsoleOptions) -> Result<Self, ConsoleError> {
        Ok(Self::with_token(options, Token::generate()?))
    }

    /// A console with this token.
    pub fn with_token(options: ConsoleOptions, token: Token) -> Self {
        let (events, _) = broadcast::channel(64);
        let models = options
            .models
            .into_iter()
            .map(|m| (m.name.clone(), m))
            .collect();
        Self {
            inner: Arc::new(Inner {
                token,
                body_cap: options.body_cap.max(256),
                ring: Mutex::new(Ring::new(options.capacity)),
                events,
                models,
                skills: std::sync::OnceLock::new(),
                stop: tokio::sync::watch::Sender::new(false),
                simulator: tokio::sync::Mutex::new(Simulator::new(options.simulator)),
            }),
        }
    }

    /// The token (for the URL printed at start-up).
    pub fn token(&self) -> &Token {
        &self.inner.token
    }

    /// The URL to open, given the admin listener's base URL (`http://127.0.0.1:9090`).
    pub fn url(&self, admin_base: &str) -> String {
        format!(
            "{}/console/?{}={}",
            admin_base.trim_end_matches('/'),
            token::QUERY,
            self.inner.token.as_str()
        )
    }

    /// The observer to hand to `ServerBuilder::observer`.
    pub fn observer(&self) -> Arc<dyn RequestObserver> {
        Arc::new(self.clone())
    }

    /// Points the simulator at the running server (known once it is bound) and starts the
    /// mock Alexa API.
    pub async fn attach(&self, targets: Vec<Target>) {
        let _ = self
            .inner
            .skills
            .set(targets.iter().map(|t| t.skill.clone()).collect());
        self.inner.simulator.lock().await.attach(targets).await;
    }

    /// Ends every open event stream (and those opened later), so a server shutting down
    /// does not wait for browsers that keep the console open.
    pub fn shutdown(&self) {
        self.inner.stop.send_replace(true);
    }

    /// How many requests are kept now.
    pub fn kept(&self) -> usize {
        self.ring().len()
    }

    fn ring(&self) -> MutexGuard<'_, Ring<Arc<Entry>>> {
        // A panic while holding the lock leaves a consistent ring: keep using it.
        self.inner
            .ring
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The router for the admin listener: everything under `/console`, behind the token.
    pub fn router(&self) -> Router {
        let routes = Router::new()
            .route("/console", get(|| async { redirect("/console/") }))
            .route("/console/", get(requests_page))
            .route("/console/events", get(events))
            .route("/console/requests/{seq}", get(request_detail))
            .route("/console/simulator", get(simulator_page))
            .route("/console/simulator/turn", post(simulator_turn))
            .route("/console/simulator/mock", post(simulator_mock))
            .route("/console/model", get(model_page))
            .route("/console/model/match", post(model_match))
            .route("/console/assets/console.js", get(script))
            .route("/console/assets/console.css", get(style))
            .with_state(self.clone())
            .layer(axum::middleware::from_fn_with_state(
                self.inner.token.clone(),
                token::require,
            ));
        routes.layer(axum::middleware::map_response(secure_headers))
    }
}

impl RequestObserver for Console {
    fn observe(&self, record: RequestRecord) {
        let entry = {
            let mut ring = self.ring();
            let entry = Arc::new(Entry::from_record(
                ring.next_seq(),
                &record,
                self.inner.body_cap,
            ));
            ring.push(Arc::clone(&entry));
            entry
        };
        // No browser listening is fine.
        let _ = self.inner.events.send(entry);
    }
}

async fn secure_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}

fn redirect(to: &'static str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response()
}

fn html(markup: maud::Markup) -> Response {
    Html(markup.into_string()).into_response()
}

/// POSTs must come from the console's own script (a custom header cannot be sent
/// cross-site without a CORS preflight, which the console never grants).
fn from_console(headers: &HeaderMap) -> bool {
    headers.get("x-skillgate-console").is_some()
}

fn not_from_console() -> Response {
    (StatusCode::FORBIDDEN, "403: not from the console page\n").into_response()
}

async fn requests_page(State(console): State<Console>) -> Response {
    let (entries, last) = {
        let ring = console.ring();
        let entries: Vec<Arc<Entry>> = ring.after(0).into_iter().map(|(_, e)| e).collect();
        (entries, ring.next_seq() - 1)
    };
    let mut skills: Vec<String> = console.inner.skills.get().cloned().unwrap_or_default();
    for entry in &entries {
        if !skills.contains(&entry.skill) {
            skills.push(entry.skill.clone());
        }
    }
    html(page::layout(
        page::Pane::Requests,
        page::requests(&entries, &skills, last),
    ))
}

#[derive(Debug, serde::Deserialize)]
struct EventsQuery {
    after: Option<u64>,
}

/// Server-sent events: one `request` event per entry (its id is the entry's number). A
/// reconnecting browser sends `Last-Event-ID` and gets what it missed that is still kept.
async fn events(
    State(console): State<Console>,
    Query(query): Query<EventsQuery>,
    headers: HeaderMap,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let last_event = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let after = last_event.or(query.after).unwrap_or(0);
    // Subscribe before reading the ring, so nothing falls between the two.
    let receiver = console.inner.events.subscribe();
    let missed = console.ring().after(after);
    let newest = missed.last().map_or(after, |(seq, _)| *seq);
    let backlog = stream::iter(missed.into_iter().map(|(_, e)| Ok(event(&e))));
    let live = stream::unfold(receiver, move |mut receiver| async move {
        loop {
            match receiver.recv().await {
                Ok(entry) if entry.seq <= newest => continue,
                Ok(entry) => return Some((Ok(event(&entry)), receiver)),
                // A slow browser missed some: tell it to reload what is kept.
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    return Some((Ok(Event::default().event("lagged").data("")), receiver));
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    let mut stop = console.inner.stop.subscribe();
    let stopped = async move {
        let _ = stop.wait_for(|stopping| *stopping).await;
    };
    Sse::new(backlog.chain(live).take_until(stopped))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

fn event(entry: &Entry) -> Event {
    Event::default()
        .event("request")
        .id(entry.seq.to_string())
        .data(page::one_line(page::row(entry)))
}

async fn request_detail(State(console): State<Console>, Path(seq): Path<u64>) -> Response {
    let entry = console.ring().get(seq);
    match entry {
        Some(entry) => html(page::detail(&entry)),
        None => (
            StatusCode::NOT_FOUND,
            Html("<p class=\"problem\">This request is no longer kept.</p>"),
        )
            .into_response(),
    }
}

async fn simulator_page(State(console): State<Console>) -> Response {
    let simulator = console.inner.simulator.lock().await;
    html(page::layout(
        page::Pane::Simulator,
        simulator.page(&console.inner.models),
    ))
}

async fn simulator_turn(
    State(console): State<Console>,
    headers: HeaderMap,
    Form(form): Form<TurnForm>,
) -> Response {
    if !from_console(&headers) {
        return not_from_console();
    }
    let mut simulator = console.inner.simulator.lock().await;
    html(simulator.turn(&console.inner.models, &form).await)
}

async fn simulator_mock(
    State(console): State<Console>,
    headers: HeaderMap,
    Form(form): Form<BTreeMap<String, String>>,
) -> Response {
    if !from_console(&headers) {
        return not_from_console();
    }
    let simulator = console.inner.simulator.lock().await;
    simulator.set_mock(&form);
    html(simulator.mock_panel())
}

#[derive(Debug, serde::Deserialize)]
struct ModelQuery {
    skill: Option<String>,
}

async fn model_page(State(console): State<Console>, Query(query): Query<ModelQuery>) -> Response {
    html(page::layout(
        page::Pane::Model,
        model_pane::page(&console.inner.models, query.skill.as_deref()),
    ))
}

#[derive(Debug, serde::Deserialize)]
struct MatchForm {
    #[serde(default)]
    skill: String,
    #[serde(default)]
    text: String,
}

async fn model_match(
    State(console): State<Console>,
    headers: HeaderMap,
    Form(form): Form<MatchForm>,
) -> Response {
    if !from_console(&headers) {
        return not_from_console();
    }
    let Some(model) = console
        .inner
        .models
        .get(&form.skill)
        .or_else(|| console.inner.models.values().next())
    else {
        return html(maud::html! { p.problem { "no model" } });
    };
    let today = time::OffsetDateTime::now_utc().date();
    let text: String = form.text.chars().take(500).collect();
    html(model_pane::matched(
        &model.matcher.match_sentence(&text, today),
    ))
}

async fn script() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        SCRIPT,
    )
        .into_response()
}

async fn style() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLE).into_response()
}
