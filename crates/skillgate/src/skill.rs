//! The skill: a plain value that turns a request envelope into a response envelope.

use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use futures_util::FutureExt;
use skillgate_model::limits::Violations;
use skillgate_model::response::{CanFulfill, CanFulfillIntent};
use skillgate_model::{Request, RequestEnvelope, Response, ResponseEnvelope};

use crate::attributes::{AttributesStore, InMemoryStore, KeyScope};
use crate::catalog::Catalog;
use crate::context::{Context, Shared};
use crate::error::{HandlerError, SkillError};
use crate::handler::{
    ErrorHandler, Handler, HandlerResult, RequestHandler, RequestInterceptor, ResponseInterceptor,
};
use crate::route::{General, Matcher, Router, Selected};

/// The default deadline: Alexa gives up after about 8 s; 6 s leaves room for the network.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(6);

/// The default apology, spoken when a handler fails, panics, overruns the deadline or
/// produces a response Alexa would reject.
pub const DEFAULT_APOLOGY: &str = "Sorry, something went wrong. Please try again later.";

/// What the default fallback says when no handler matches an intent or a launch.
const DEFAULT_FALLBACK: &str = "Sorry, I can't help with that.";
const DEFAULT_FALLBACK_REPROMPT: &str = "What would you like to do?";

struct Inner {
    router: Router,
    error_handlers: Vec<Arc<dyn ErrorHandler>>,
    request_interceptors: Vec<Arc<dyn RequestInterceptor>>,
    response_interceptors: Vec<Arc<dyn ResponseInterceptor>>,
    deadline: Duration,
    apology: String,
    validate: bool,
    shared: Arc<Shared>,
}

/// A skill: handlers, interceptors and settings, ready to answer requests.
///
/// Cheap to clone (an `Arc` inside), `Send + Sync + 'static`. Call it directly in tests
/// ([`Skill::handle`], [`Skill::try_handle`]) or mount it in the server, which calls
/// [`Skill::handle_json`] with a verified body.
///
/// # What happens to a request
///
/// 1. Request interceptors run, in registration order.
/// 2. The handler is chosen: the first *specific* registration that matches, in registration
///    order (`on_launch`, `on_intent`, `on_session_ended`, `on_request`); else the first
///    *predicate* handler whose predicate holds (`on`, `handler`); else the fallback.
/// 3. Response interceptors run on the handler's response, in registration order.
/// 4. If an interceptor or the handler returns an error or panics, the error handlers are
///    tried in registration order (the first `Ok` answers; response interceptors do not run
///    on it, as in the ASK SDKs); if none answers, the skill's apology is spoken.
/// 5. For a `SessionEndedRequest` the answer is always empty (Alexa ignores anything else);
///    a handler that tried to speak is logged.
///
/// The fallback never sees requests whose answer cannot carry speech: `SessionEndedRequest`,
/// `System.ExceptionEncountered`, `AudioPlayer.*`, `PlaybackController.*`,
/// `AlexaSkillEvent.*`, `Messaging.MessageReceived` and `CanFulfillIntentRequest`. Without a
/// handler of their own they get an empty answer (`canFulfillIntent: NO` for the last). With
/// no fallback registered, a launch or an intent nobody handles hears "Sorry, I can't help
/// with that." and the session stays open.
/// 6. Session attributes go into the response; changed persistent attributes are saved.
/// 7. With validation on (the default), the response is checked against Alexa's limits;
///    a violation is logged with the limit named, and the apology goes out instead (Alexa
///    would reject the invalid response anyway, and the user would hear nothing).
///
/// Steps 1–6 share one deadline (default 6 s): what is still running then is abandoned
/// (its future dropped) and the apology goes out, with a warning naming the handler. Where
/// speech is not allowed (audio events, `SessionEndedRequest`), the apology is an empty
/// response.
#[derive(Clone)]
pub struct Skill {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Skill {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Skill")
            .field("deadline", &self.inner.deadline)
            .field("validate", &self.inner.validate)
            .finish_non_exhaustive()
    }
}

/// Builds a [`Skill`]. See [`Skill`] for the routing order.
pub struct SkillBuilder {
    router: Router,
    error_handlers: Vec<Arc<dyn ErrorHandler>>,
    request_interceptors: Vec<Arc<dyn RequestInterceptor>>,
    response_interceptors: Vec<Arc<dyn ResponseInterceptor>>,
    deadline: Duration,
    apology: String,
    validate: bool,
    catalog: Catalog,
    store: Option<Arc<dyn AttributesStore>>,
    key_scope: KeyScope,
    #[cfg(feature = "alexa-api")]
    alexa_transport: Option<skillgate_alexa_api::Transport>,
}

impl Default for SkillBuilder {
    fn default() -> Self {
        Self {
            router: Router::default(),
            error_handlers: Vec::new(),
            request_interceptors: Vec::new(),
            response_interceptors: Vec::new(),
            deadline: DEFAULT_DEADLINE,
            apology: DEFAULT_APOLOGY.to_owned(),
            validate: true,
            catalog: Catalog::new("en-US"),
            store: None,
            key_scope: KeyScope::User,
            #[cfg(feature = "alexa-api")]
            alexa_transport: None,
        }
    }
}

impl SkillBuilder {
    /// Handles `LaunchRequest` ("Alexa, open …").
    pub fn on_launch<F, Fut>(self, handler: F) -> Self
    where
        F: Fn(Context) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = HandlerResult> + Send + 'static,
    {
        self.on_request("LaunchRequest", handler)
    }

    /// Handles `IntentRequest`s for one intent (yours or a built-in such as
    /// `AMAZON.HelpIntent`).
    pub fn on_intent<F, Fut>(mut self, name: &str, handler: F) -> Self
    where
        F: Fn(Context) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = HandlerResult> + Send + 'static,
    {
        self.router
            .add_specific(Matcher::Intent(name.to_owned()), Arc::new(handler));
        self
    }

    /// Handles several intents with one handler (`["AMAZON.StopIntent",
    /// "AMAZON.CancelIntent"]`).
    pub fn on_intents<F, Fut>(mut self, names: &[&str], handler: F) -> Self
    where
        F: Fn(Context) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = HandlerResult> + Send + 'static,
    {
        let handler: Arc<dyn Handler> = Arc::new(handler);
        for name in names {
            self.router
                .add_specific(Matcher::Intent((*name).to_owned()), Arc::clone(&handler));
        }
        self
    }

    /// Handles `SessionEndedRequest` (clean-up, logging). Whatever it returns, the answer
    /// sent is empty.
    pub fn on_session_ended<F, Fut>(self, handler: F) -> Self
    where
        F: Fn(Context) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = HandlerResult> + Send + 'static,
    {
        self.on_request("SessionEndedRequest", handler)
    }

    /// Handles requests of one type (`AudioPlayer.PlaybackStarted`,
    /// `Connections.Response`, …); `AudioPlayer.*` matches every type with that prefix.
    pub fn on_request<F, Fut>(mut self, request_type: &str, handler: F) -> Self
    where
        F: Fn(Context) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = HandlerResult> + Send + 'static,
    {
        self.router.add_specific(
            Matcher::RequestType(request_type.to_owned()),
            Arc::new(handler),
        );
        self
    }

    /// Handles requests for which `predicate` holds (tried after every specific
    /// registration).
    pub fn on<P, F, Fut>(mut self, predicate: P, handler: F) -> Self
    where
        P: Fn(&Context) -> bool + Send + Sync + 'static,
        F: Fn(Context) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = HandlerResult> + Send + 'static,
    {
        self.router
            .add_general(General::Predicate(Arc::new(predicate), Arc::new(handler)));
        self
    }

    /// Adds an ASK-style handler with its own `can_handle` (tried among the predicate
    /// handlers, in registration order).
    pub fn handler(mut self, handler: impl RequestHandler) -> Self {
        self.router.add_general(General::Custom(Arc::new(handler)));
        self
    }

    /// Adds a handler value (anything implementing [`Handler`]) for one intent.
    pub fn on_intent_handler(mut self, name: &str, handler: impl Handler) -> Self {
        self.router
            .add_specific(Matcher::Intent(name.to_owned()), Arc::new(handler));
        self
    }

    /// Handles what nothing else handles, except the requests whose answer cannot carry
    /// speech (see [`Skill`]). Without one, the skill says it cannot help.
    pub fn fallback<F, Fut>(mut self, handler: F) -> Self
    where
        F: Fn(Context) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = HandlerResult> + Send + 'static,
    {
        self.router.set_fallback(Arc::new(handler));
        self
    }

    /// Adds an error handler; error handlers are tried in registration order.
    pub fn on_error<F, Fut>(mut self, handler: F) -> Self
    where
        F: Fn(Context, HandlerError) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = HandlerResult> + Send + 'static,
    {
        self.error_handlers.push(Arc::new(handler));
        self
    }

    /// Adds a request interceptor (runs before the handler, in registration order).
    pub fn request_interceptor(mut self, interceptor: impl RequestInterceptor) -> Self {
        self.request_interceptors.push(Arc::new(interceptor));
        self
    }

    /// Adds a response interceptor (runs after the handler, in registration order).
    pub fn response_interceptor(mut self, interceptor: impl ResponseInterceptor) -> Self {
        self.response_interceptors.push(Arc::new(interceptor));
        self
    }

    /// Sets the deadline (default [`DEFAULT_DEADLINE`]). Keep it well under Alexa's 8 s.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// Sets what the user hears when something goes wrong (default [`DEFAULT_APOLOGY`]).
    pub fn deadline_apology(mut self, text: impl Into<String>) -> Self {
        self.apology = text.into();
        self
    }

    /// Same as [`SkillBuilder::deadline_apology`]: the one apology for every failure.
    pub fn apology(self, text: impl Into<String>) -> Self {
        self.deadline_apology(text)
    }

    /// Sets the message catalog for [`Context::t`].
    pub fn catalog(mut self, catalog: Catalog) -> Self {
        self.catalog = catalog;
        self
    }

    /// Sets the persistent attributes store (default: a fresh [`InMemoryStore`]).
    pub fn attributes_store(mut self, store: Arc<dyn AttributesStore>) -> Self {
        self.store = Some(store);
        self
    }

    /// Sets which ids key the persistent attributes (default [`KeyScope::User`]).
    pub fn attributes_scope(mut self, scope: KeyScope) -> Self {
        self.key_scope = scope;
        self
    }

    /// Turns checking responses against Alexa's limits on or off (default on).
    pub fn validate_responses(mut self, validate: bool) -> Self {
        self.validate = validate;
        self
    }

    /// Sets the HTTPS client for Alexa's service APIs ([`Context::alexa_api`]); by default
    /// one trusting Mozilla's roots. Tests and the dev tooling pass one that trusts the local
    /// mock's CA.
    #[cfg(feature = "alexa-api")]
    pub fn alexa_api_transport(mut self, transport: skillgate_alexa_api::Transport) -> Self {
        self.alexa_transport = Some(transport);
        self
    }

    /// The skill.
    pub fn build(self) -> Skill {
        let store = self
            .store
            .unwrap_or_else(|| Arc::new(InMemoryStore::new()) as Arc<dyn AttributesStore>);
        let services = crate::services::Services::new(self.deadline);
        #[cfg(feature = "alexa-api")]
        let services = services.with_transport(self.alexa_transport);
        Skill {
            inner: Arc::new(Inner {
                router: self.router,
                error_handlers: self.error_handlers,
                request_interceptors: self.request_interceptors,
                response_interceptors: self.response_interceptors,
                deadline: self.deadline,
                apology: self.apology,
                validate: self.validate,
                shared: Arc::new(Shared {
                    catalog: self.catalog,
                    store,
                    key_scope: self.key_scope,
                    services,
                }),
            }),
        }
    }
}

/// The text of a caught panic.
fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "non-string panic payload".to_owned()
    }
}

/// The bytes reserved for a serialized answer before writing it.
const ANSWER_CAPACITY: usize = 1024;

/// Runs one step, turning a panic into a [`HandlerError`].
async fn guarded<T>(
    future: impl Future<Output = Result<T, HandlerError>>,
) -> Result<T, HandlerError> {
    match AssertUnwindSafe(future).catch_unwind().await {
        Ok(result) => result,
        Err(payload) => Err(HandlerError::panic(panic_message(payload.as_ref()))),
    }
}

impl Skill {
    /// Starts building a skill.
    pub fn builder() -> SkillBuilder {
        SkillBuilder::default()
    }

    /// The deadline.
    pub fn deadline(&self) -> Duration {
        self.inner.deadline
    }

    /// Envelope in, envelope out. Never panics: handler errors, panics, an overrun deadline
    /// and responses Alexa would reject all become the apology (or an empty answer where
    /// speech is not allowed), and are logged.
    pub async fn handle(&self, request: RequestEnvelope) -> ResponseEnvelope {
        let request = Arc::new(request);
        match self.run(Arc::clone(&request)).await {
            Ok(response) => response,
            Err(_) => self.apology_for(&request),
        }
    }

    /// Envelope in, envelope out, with what went wrong as an error: a failing handler with
    /// no error handler answering, the deadline, a response breaking Alexa's limits, a store
    /// failure. For tests; [`Skill::handle`] is what goes to Alexa.
    pub async fn try_handle(
        &self,
        request: RequestEnvelope,
    ) -> Result<ResponseEnvelope, SkillError> {
        self.run(Arc::new(request)).await
    }

    /// Raw JSON in, raw JSON out (the server calls this with the verified body). An error
    /// only when the body is not a request envelope or the answer cannot be serialized;
    /// everything else is answered (see [`Skill::handle`]).
    pub async fn handle_json(&self, body: &[u8]) -> Result<Vec<u8>, SkillError> {
        let request = RequestEnvelope::from_slice(body).map_err(SkillError::InvalidRequest)?;
        let response = self.handle(request).await;
        // Room for a typical answer (speech, reprompt, a card: 300–600 bytes) up front,
        // instead of growing from nothing through several reallocations.
        let mut answer = Vec::with_capacity(ANSWER_CAPACITY);
        serde_json::to_writer(&mut answer, &response).map_err(SkillError::Serialize)?;
        Ok(answer)
    }

    /// The answer when the skill fails: the apology, ending the session, or an empty answer
    /// where Alexa allows no speech.
    pub fn apology_for(&self, request: &RequestEnvelope) -> ResponseEnvelope {
        let empty = ResponseEnvelope::new(Response::default());
        if matches!(request.request, Request::SessionEnded(_)) {
            return empty;
        }
        let apology = ResponseEnvelope::new(
            skillgate_model::ResponseBuilder::new()
                .speak(&self.inner.apology)
                .end_session()
                .build(),
        );
        if check_limits(&apology, request).is_ok() {
            apology
        } else {
            empty
        }
    }

    async fn run(&self, request: Arc<RequestEnvelope>) -> Result<ResponseEnvelope, SkillError> {
        let cx = Context::new(Arc::clone(&request), Arc::clone(&self.inner.shared));
        let deadline = self.inner.deadline;
        // The whole pipeline is guarded too: a panic outside a handler's future (a predicate,
        // a closure's synchronous part) must not escape either.
        let pipeline = AssertUnwindSafe(self.pipeline(cx.clone())).catch_unwind();
        let outcome = tokio::time::timeout(deadline, pipeline).await;
        match outcome {
            Ok(Ok(result)) => result,
            Ok(Err(payload)) => {
                let stage = cx.stage();
                let message = format!("panicked: {}", panic_message(payload.as_ref()));
                tracing::error!(handler = %stage, error = %message, "answering with the apology");
                Err(SkillError::Handler { stage, message })
            }
            Err(_) => {
                let stage = cx.stage();
                tracing::warn!(
                    handler = %stage,
                    request_type = cx.request_type(),
                    intent = cx.intent_name().unwrap_or(""),
                    deadline_ms = deadline.as_millis() as u64,
                    "handler still running at the deadline: abandoned, answering with the apology"
                );
                Err(SkillError::Deadline { stage, deadline })
            }
        }
    }

    /// Interceptors, handler, error handlers, session-ended rule, limits, attributes. The
    /// limits are checked before anything is saved: an answer Alexa would reject is not
    /// heard, so what it announces must not happen either.
    async fn pipeline(&self, cx: Context) -> Result<ResponseEnvelope, SkillError> {
        let session_ended = matches!(cx.request(), Request::SessionEnded(_));
        let (response, stage) = match self.dispatch(&cx).await {
            Ok(response) => (response, None),
            Err((error, stage)) => match self.recover(&cx, error, &stage).await {
                Ok(response) => (response, None),
                Err(error) => (Response::default(), Some((stage, error))),
            },
        };
        if let Some((stage, error)) = stage {
            if !session_ended {
                tracing::error!(handler = %stage, error = %error, "handler failed: answering with the apology");
                return Err(SkillError::Handler {
                    stage,
                    message: error.to_string(),
                });
            }
            tracing::warn!(handler = %stage, error = %error, "session-ended handler failed");
        }
        let response = if session_ended {
            if !response.is_empty() {
                tracing::warn!(
                    "a SessionEndedRequest handler tried to answer with output; Alexa accepts \
                     none, sending an empty response"
                );
            }
            Response::default()
        } else {
            response
        };
        let mut envelope = ResponseEnvelope::new(response);
        let attributes = cx.session_attributes();
        if !attributes.is_empty() && !session_ended {
            envelope.session_attributes = Some(attributes);
        }
        if self.inner.validate {
            if let Err(violations) = check_limits(&envelope, cx.envelope()) {
                tracing::error!(
                    request_type = cx.request_type(),
                    intent = cx.intent_name().unwrap_or(""),
                    rules = ?violations.rule_names(),
                    violations = %violations,
                    "response breaks Alexa's limits: answering with the apology"
                );
                return Err(SkillError::Limits { violations });
            }
        }
        cx.set_stage("saving persistent attributes");
        if let Err(error) = cx.save_attributes().await {
            tracing::error!(error = %error, "cannot save persistent attributes");
            return Err(SkillError::Attributes(error));
        }
        Ok(envelope)
    }

    /// Request interceptors, the chosen handler, response interceptors. On error: the error
    /// and the name of the step that failed.
    async fn dispatch(&self, cx: &Context) -> Result<Response, (HandlerError, String)> {
        for (i, interceptor) in self.inner.request_interceptors.iter().enumerate() {
            let stage = format!("request interceptor #{}", i + 1);
            cx.set_stage(&stage);
            guarded(interceptor.intercept(cx.clone()))
                .await
                .map_err(|e| (e, stage))?;
        }
        let (selected, stage) = self.inner.router.select(cx, takes_fallback(cx.request()));
        cx.set_stage(&stage);
        tracing::debug!(handler = %stage, request_type = cx.request_type(), "dispatching");
        let mut response = match selected {
            Selected::Plain(handler) => guarded(handler.handle(cx.clone())).await,
            Selected::Custom(handler) => guarded(handler.handle(cx.clone())).await,
            Selected::None => Ok(default_answer(cx)),
        }
        .map_err(|e| (e, stage))?;
        for (i, interceptor) in self.inner.response_interceptors.iter().enumerate() {
            let stage = format!("response interceptor #{}", i + 1);
            cx.set_stage(&stage);
            response = guarded(interceptor.intercept(cx.clone(), response))
                .await
                .map_err(|e| (e, stage))?;
        }
        Ok(response)
    }

    /// Tries the error handlers in order.
    async fn recover(
        &self,
        cx: &Context,
        mut error: HandlerError,
        stage: &str,
    ) -> Result<Response, HandlerError> {
        tracing::warn!(handler = %stage, error = %error, "handler failed");
        for (i, handler) in self.inner.error_handlers.iter().enumerate() {
            cx.set_stage(&format!("error handler #{}", i + 1));
            match guarded(handler.handle(cx.clone(), error)).await {
                Ok(response) => return Ok(response),
                Err(next) => error = next,
            }
        }
        Err(error)
    }
}

/// Whether the fallback may answer this request. Requests whose answer cannot carry speech
/// (Alexa ignores or rejects it) never reach it: a speaking fallback would only produce an
/// invalid answer. They get the default answer unless a handler is registered for them.
fn takes_fallback(request: &Request) -> bool {
    !(request.is_audio_event()
        || matches!(
            request,
            Request::SessionEnded(_)
                | Request::ExceptionEncountered(_)
                | Request::SkillEvent(_)
                | Request::MessageReceived(_)
                | Request::CanFulfillIntent(_)
        ))
}

/// The answer when no handler matches and no fallback takes the request: a polite "can't
/// help" to a launch or an intent, "no" to a CanFulfillIntentRequest, an empty response to
/// everything else.
fn default_answer(cx: &Context) -> Response {
    match cx.request() {
        Request::Launch(_) | Request::Intent(_) => skillgate_model::ResponseBuilder::new()
            .speak(DEFAULT_FALLBACK)
            .reprompt(DEFAULT_FALLBACK_REPROMPT)
            .build(),
        Request::CanFulfillIntent(_) => Response {
            can_fulfill_intent: Some(CanFulfillIntent {
                can_fulfill: CanFulfill::No,
                slots: Default::default(),
                extra: Default::default(),
            }),
            ..Response::default()
        },
        Request::ExceptionEncountered(e) => {
            tracing::warn!(error = ?e, "Alexa reports an error in an earlier answer of this skill");
            Response::default()
        }
        _ => Response::default(),
    }
}

/// Alexa's limits and the rules that depend on the request.
fn check_limits(response: &ResponseEnvelope, request: &RequestEnvelope) -> Result<(), Violations> {
    skillgate_model::limits::validate(response, Some(&request.request))
}
