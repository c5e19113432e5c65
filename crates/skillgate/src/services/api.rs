//! The calls to Alexa's service APIs from a handler (feature `alexa-api`).

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::json;
use skillgate_alexa_api::{AlexaApi, ApiError, Scope, Transport};
use skillgate_model::Response;
use skillgate_model::response::ConnectionsSendRequest;

use super::Services;
use crate::context::Context;

/// What a call to Alexa's APIs leaves for the handler: the client's deadline is this much
/// before the skill's, so a call that times out still leaves time to answer.
pub const API_DEADLINE_MARGIN: Duration = Duration::from_millis(300);

/// The longest [`Context::progressive`] waits for Alexa's API: a progressive response must
/// never eat the budget of the real answer.
pub const PROGRESSIVE_TIMEOUT: Duration = Duration::from_millis(2500);

/// What the user hears by default when a permission is missing (with the consent card).
pub const DEFAULT_PERMISSION_SPEECH: &str =
    "I need your permission for that. I've sent a card to your Alexa app where you can grant it.";

/// What the user hears by default when Alexa's service is slow or failing.
pub const DEFAULT_SERVICE_APOLOGY: &str =
    "Sorry, I couldn't reach that service just now. Please try again in a moment.";

/// The transport of skills built without [`crate::SkillBuilder::alexa_api_transport`].
static DEFAULT_TRANSPORT: OnceLock<Transport> = OnceLock::new();

/// Sets the HTTPS client every skill of this process uses for Alexa's APIs unless its builder
/// set one (the dev tooling passes one trusting the local mock's CA). Only the first call
/// counts; `false` if one was already set.
pub fn set_default_transport(transport: Transport) -> bool {
    DEFAULT_TRANSPORT.set(transport).is_ok()
}

impl Services {
    /// Sets the skill's transport (the builder's [`crate::SkillBuilder::alexa_api_transport`]).
    pub(crate) fn with_transport(self, transport: Option<Transport>) -> Self {
        if let Some(t) = transport {
            let _ = self.transport.set(Ok(t));
        }
        self
    }

    fn transport(&self) -> Result<Transport, ApiError> {
        match self
            .transport
            .get_or_init(|| match DEFAULT_TRANSPORT.get() {
                Some(t) => Ok(t.clone()),
                None => Transport::new().map_err(|e| e.to_string()),
            }) {
            Ok(t) => Ok(t.clone()),
            Err(e) => Err(ApiError::Client(e.clone())),
        }
    }
}

impl Context {
    /// A client for Alexa's service APIs bound to this request: its `apiEndpoint` and
    /// `apiAccessToken`, device id and locale, and a deadline [`API_DEADLINE_MARGIN`] before
    /// the skill's. The token is never stored or logged.
    ///
    /// Fails with [`ApiError::NoApiAccess`] when the request carries no endpoint or token.
    pub fn alexa_api(&self) -> Result<AlexaApi, ApiError> {
        let endpoint = self
            .api_endpoint()
            .filter(|e| !e.is_empty())
            .ok_or(ApiError::NoApiAccess("apiEndpoint"))?;
        let token = self
            .api_access_token()
            .filter(|t| !t.is_empty())
            .ok_or(ApiError::NoApiAccess("apiAccessToken"))?;
        let transport = self.shared().services.transport()?;
        let deadline = self
            .deadline()
            .checked_sub(API_DEADLINE_MARGIN)
            .unwrap_or_else(std::time::Instant::now);
        let mut api = AlexaApi::new(transport, endpoint, token, deadline);
        if let Some(device) = self.device_id() {
            api = api.with_device_id(device);
        }
        if let Some(locale) = self.locale() {
            api = api.with_locale(locale);
        }
        Ok(api)
    }

    /// Makes Alexa say `speech` (plain text or SSML) now, while the handler goes on working:
    /// a progressive response, a `VoicePlayer.Speak` directive through
    /// [`AlexaApi::progressive_response`] with this request's id. Gives up after
    /// [`PROGRESSIVE_TIMEOUT`] (or the API deadline, if sooner); the handler may ignore the
    /// error and answer anyway.
    pub async fn progressive(&self, speech: &str) -> Result<(), ApiError> {
        self.progressive_within(speech, PROGRESSIVE_TIMEOUT).await
    }

    /// [`Context::progressive`], giving up after `limit`.
    pub(crate) async fn progressive_within(
        &self,
        speech: &str,
        limit: Duration,
    ) -> Result<(), ApiError> {
        let api = self.alexa_api()?;
        let request_id = self
            .request_id()
            .ok_or(ApiError::NoApiAccess("requestId"))?;
        let deadline = api.deadline().min(Instant::now() + limit);
        api.with_deadline(deadline)
            .progressive_response(request_id, speech)
            .await
    }

    /// The answer to a permission the user has not granted: `speech` and the
    /// AskForPermissionsConsent card for `scope` (the session ends, as Amazon recommends).
    pub fn permission_card_answer(&self, scope: &Scope, speech: &str) -> Response {
        self.reply()
            .speak(speech)
            .ask_for_permissions_consent_card([scope.as_str()])
            .end_session()
            .build()
    }

    /// The voice permission request for `scope` (`Connections.SendRequest` `AskFor`); the
    /// user's answer comes back as a `Connections.Response` named `AskFor` (see
    /// [`Context::permission_result`]).
    pub fn permission_voice_answer(&self, scope: &Scope) -> Response {
        self.reply()
            .add_directive(permission_request(scope))
            .build()
    }

    /// What to answer when a call failed: the consent card for a missing permission, an
    /// apology for a slow or failing service (the session stays open to try again), the
    /// skill's apology for everything else (a skill bug: logged as an error).
    pub fn api_error_answer(&self, error: &ApiError) -> Response {
        match error {
            ApiError::PermissionNotGranted { scope, .. } => {
                self.permission_card_answer(scope, DEFAULT_PERMISSION_SPEECH)
            }
            e if e.is_transient() => {
                tracing::warn!(reason = e.reason(), error = %e, "Alexa API call failed");
                self.reply()
                    .speak(DEFAULT_SERVICE_APOLOGY)
                    .reprompt("What would you like to do?")
                    .keep_session_open()
                    .build()
            }
            e => {
                tracing::error!(reason = e.reason(), error = %e, "Alexa API call failed");
                self.reply()
                    .speak(crate::DEFAULT_APOLOGY)
                    .end_session()
                    .build()
            }
        }
    }
}

/// The `Connections.SendRequest` `AskFor` directive for a permission scope.
pub fn permission_request(scope: &Scope) -> ConnectionsSendRequest {
    ConnectionsSendRequest {
        name: "AskFor".to_owned(),
        payload: Some(json!({
            "@type": "AskForPermissionsConsentRequest",
            "@version": "2",
            "permissionScope": scope.as_str(),
        })),
        token: Some(String::new()),
        extra: Default::default(),
    }
}

/// Finds an [`ApiError`] inside a handler error (for an `on_error` handler that answers
/// with [`Context::api_error_answer`]).
pub fn api_error(error: &crate::HandlerError) -> Option<&ApiError> {
    error.downcast_ref::<ApiError>()
}
