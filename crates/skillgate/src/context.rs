//! The handler context: the request and the helpers skill authors reach for.
//!
//! A [`Context`] is cheap to clone (an `Arc` inside) and `'static`, so handlers can be plain
//! `async move` closures. Session and persistent attributes written through any clone are
//! what the framework puts into the response and the store at the end of the request.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use skillgate_model::request::{ConfirmationStatus, DialogState, Intent, ResolvedValue, Slot};
use skillgate_model::{Request, RequestEnvelope, ResponseBuilder};

use crate::attributes::{AttributesKey, AttributesStore, KeyScope, Version};
use crate::catalog::Catalog;
use crate::error::HandlerError;

/// What every context of one skill shares (set up by the skill builder).
pub(crate) struct Shared {
    pub(crate) catalog: Catalog,
    pub(crate) store: Arc<dyn AttributesStore>,
    pub(crate) key_scope: KeyScope,
    /// Alexa API clients (progressive responses too), long answers (see `services.rs`).
    pub(crate) services: crate::services::Services,
}

/// Persistent attributes of the request: nothing is read until a handler asks.
enum Persistent {
    NotLoaded,
    Loaded {
        key: AttributesKey,
        version: Option<Version>,
        original: Option<Value>,
        current: Value,
    },
}

struct Inner {
    envelope: Arc<RequestEnvelope>,
    shared: Arc<Shared>,
    session: Mutex<Map<String, Value>>,
    persistent: tokio::sync::Mutex<Persistent>,
    stage: Mutex<String>,
    started: std::time::Instant,
}

/// The request being handled, with helpers. See the module documentation.
#[derive(Clone)]
pub struct Context {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("request_type", &self.request_type())
            .field("request_id", &self.request_id())
            .finish_non_exhaustive()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // Poisoning only means a handler panicked while holding the lock; the data (a map or a
    // label) is still whole, and the panic itself is reported by the framework.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Context {
    pub(crate) fn new(envelope: Arc<RequestEnvelope>, shared: Arc<Shared>) -> Self {
        let session = envelope.session_attributes().cloned().unwrap_or_default();
        Self {
            inner: Arc::new(Inner {
                envelope,
                shared,
                session: Mutex::new(session),
                persistent: tokio::sync::Mutex::new(Persistent::NotLoaded),
                stage: Mutex::new(String::from("request")),
                started: std::time::Instant::now(),
            }),
        }
    }

    // ----- the request -------------------------------------------------------------------

    /// The whole request envelope.
    pub fn envelope(&self) -> &RequestEnvelope {
        &self.inner.envelope
    }

    /// The `request` object.
    pub fn request(&self) -> &Request {
        &self.inner.envelope.request
    }

    /// The request type, as Alexa names it (`LaunchRequest`, `IntentRequest`,
    /// `AudioPlayer.PlaybackStarted`, …).
    pub fn request_type(&self) -> &str {
        self.request().request_type()
    }

    /// The request id.
    pub fn request_id(&self) -> Option<&str> {
        self.request().request_id()
    }

    /// The request's locale as sent (`en-US`, `de-AT`), if any.
    pub fn locale(&self) -> Option<&str> {
        self.request().locale()
    }

    /// The locale to speak in: the request's, or the catalog's default.
    pub fn speech_locale(&self) -> &str {
        self.locale()
            .unwrap_or_else(|| self.inner.shared.catalog.default_locale())
    }

    /// The intent of an `IntentRequest` (or `CanFulfillIntentRequest`).
    pub fn intent(&self) -> Option<&Intent> {
        match self.request() {
            Request::Intent(r) => Some(&r.intent),
            Request::CanFulfillIntent(r) => Some(&r.intent),
            _ => None,
        }
    }

    /// The intent's name.
    pub fn intent_name(&self) -> Option<&str> {
        self.request().intent_name()
    }

    /// The dialog state of an `IntentRequest` with a dialog model.
    pub fn dialog_state(&self) -> Option<&DialogState> {
        match self.request() {
            Request::Intent(r) => r.dialog_state.as_ref(),
            Request::CanFulfillIntent(r) => r.dialog_state.as_ref(),
            _ => None,
        }
    }

    /// The intent's confirmation status (after a `Dialog.ConfirmIntent`).
    pub fn intent_confirmation(&self) -> Option<&ConfirmationStatus> {
        self.intent().and_then(|i| i.confirmation_status.as_ref())
    }

    /// A slot's confirmation status (after a `Dialog.ConfirmSlot`).
    pub fn slot_confirmation(&self, name: &str) -> Option<&ConfirmationStatus> {
        self.slot(name).and_then(|s| s.confirmation_status.as_ref())
    }

    /// A slot of the intent by name.
    pub fn slot(&self, name: &str) -> Option<&Slot> {
        self.intent().and_then(|i| i.slot(name))
    }

    /// What the user said for a slot (`None` when the slot is empty or absent).
    pub fn slot_value(&self, name: &str) -> Option<&str> {
        self.slot(name)
            .and_then(Slot::spoken_value)
            .filter(|v| !v.is_empty())
    }

    /// The first entity-resolution match (`ER_SUCCESS_MATCH`) of a slot: its canonical name
    /// and id.
    pub fn resolved_value(&self, name: &str) -> Option<&ResolvedValue> {
        self.slot(name).and_then(Slot::resolved_value)
    }

    /// The canonical value of a slot: its first resolution match's name, else what was said.
    pub fn canonical_value(&self, name: &str) -> Option<&str> {
        self.resolved_value(name)
            .map(|r| r.name.as_str())
            .or_else(|| self.slot_value(name))
    }

    /// Every value of a multi-value slot (one element for a single-value slot).
    pub fn slot_values(&self, name: &str) -> Vec<&str> {
        self.slot(name).map(Slot::values).unwrap_or_default()
    }

    /// Whether this request starts a session.
    pub fn is_new_session(&self) -> bool {
        self.inner.envelope.is_new_session()
    }

    /// The skill's application id (`context.System`, else `session`).
    pub fn application_id(&self) -> Option<&str> {
        self.inner.envelope.application_id()
    }

    /// The user id (`context.System`, else `session`).
    pub fn user_id(&self) -> Option<&str> {
        self.inner.envelope.user_id()
    }

    /// The device id.
    pub fn device_id(&self) -> Option<&str> {
        self.inner.envelope.device_id()
    }

    /// Whether the device supports an interface (`"AudioPlayer"`, `"Display"`,
    /// `"Alexa.Presentation.APL"`, …).
    pub fn has_interface(&self, interface: &str) -> bool {
        self.inner.envelope.supports_interface(interface)
    }

    /// The interfaces the device supports.
    pub fn supported_interfaces(&self) -> Vec<&str> {
        self.inner.envelope.supported_interfaces()
    }

    /// The Alexa API endpoint for this request's region.
    pub fn api_endpoint(&self) -> Option<&str> {
        self.inner.envelope.api_endpoint()
    }

    /// The token authorizing calls to Alexa's APIs for this request.
    pub fn api_access_token(&self) -> Option<&str> {
        self.inner.envelope.api_access_token()
    }

    // ----- answering -----------------------------------------------------------------------

    /// A fresh response builder.
    pub fn reply(&self) -> ResponseBuilder {
        ResponseBuilder::new()
    }

    /// A message from the skill's catalog in the request's locale (see [`Catalog::t`]).
    pub fn t<S: AsRef<str>>(&self, key: &str, args: &[(&str, S)]) -> String {
        self.inner.shared.catalog.t(self.speech_locale(), key, args)
    }

    // ----- session attributes ---------------------------------------------------------------

    /// The session attributes as a typed value; with no attributes, `T::default()`.
    pub fn session<T: DeserializeOwned + Default>(&self) -> Result<T, HandlerError> {
        let map = lock(&self.inner.session).clone();
        if map.is_empty() {
            return Ok(T::default());
        }
        serde_json::from_value(Value::Object(map))
            .map_err(|e| HandlerError::msg(format!("session attributes: {e}")))
    }

    /// Replaces the session attributes with `value` (which must serialize to a JSON object);
    /// they go out in the response's `sessionAttributes` and come back with the next request.
    pub fn set_session<T: Serialize>(&self, value: &T) -> Result<(), HandlerError> {
        match serde_json::to_value(value)? {
            Value::Object(map) => {
                *lock(&self.inner.session) = map;
                Ok(())
            }
            other => Err(HandlerError::msg(format!(
                "session attributes must be a JSON object, not {other}"
            ))),
        }
    }

    /// One session attribute.
    pub fn session_attribute(&self, key: &str) -> Option<Value> {
        lock(&self.inner.session).get(key).cloned()
    }

    /// Sets one session attribute (`Value::Null` removes it).
    pub fn set_session_attribute(&self, key: &str, value: Value) {
        let mut map = lock(&self.inner.session);
        if value.is_null() {
            map.remove(key);
        } else {
            map.insert(key.to_owned(), value);
        }
    }

    pub(crate) fn session_attributes(&self) -> Map<String, Value> {
        lock(&self.inner.session).clone()
    }

    // ----- persistent attributes ---------------------------------------------------------------

    /// The key under which this request's persistent attributes are stored.
    pub fn attributes_key(&self) -> Result<AttributesKey, HandlerError> {
        let skill = self
            .application_id()
            .ok_or_else(|| HandlerError::msg("the request has no application id"))?;
        let user = self
            .user_id()
            .ok_or_else(|| HandlerError::msg("the request has no user id"))?;
        match self.inner.shared.key_scope {
            KeyScope::User => Ok(AttributesKey::user(skill, user)),
            KeyScope::Device => {
                let device = self
                    .device_id()
                    .ok_or_else(|| HandlerError::msg("the request has no device id"))?;
                Ok(AttributesKey::device(skill, user, device))
            }
        }
    }

    async fn with_persistent<R>(&self, f: impl FnOnce(&mut Value) -> R) -> Result<R, HandlerError> {
        let mut state = self.inner.persistent.lock().await;
        if let Persistent::NotLoaded = *state {
            let key = self.attributes_key()?;
            let stored = self.inner.shared.store.load(&key).await?;
            let (version, original) = match stored {
                Some(s) => (Some(s.version), Some(s.value)),
                None => (None, None),
            };
            let current = original
                .clone()
                .unwrap_or_else(|| Value::Object(Map::new()));
            *state = Persistent::Loaded {
                key,
                version,
                original,
                current,
            };
        }
        match &mut *state {
            Persistent::Loaded { current, .. } => Ok(f(current)),
            Persistent::NotLoaded => Err(HandlerError::msg("persistent attributes not loaded")),
        }
    }

    /// The persistent attributes as JSON (an empty object for a new user). The first call of
    /// a request reads the store; nothing is read if no handler asks.
    pub async fn attributes_value(&self) -> Result<Value, HandlerError> {
        self.with_persistent(|v| v.clone()).await
    }

    /// The persistent attributes as a typed value; for a new user, `T::default()`.
    pub async fn attributes<T: DeserializeOwned + Default>(&self) -> Result<T, HandlerError> {
        let value = self.attributes_value().await?;
        if value.as_object().is_some_and(Map::is_empty) {
            return Ok(T::default());
        }
        serde_json::from_value(value)
            .map_err(|e| HandlerError::msg(format!("persistent attributes: {e}")))
    }

    /// Replaces the persistent attributes. They are written once, at the end of the request,
    /// and only if they changed.
    pub async fn set_attributes<T: Serialize>(&self, value: &T) -> Result<(), HandlerError> {
        let new = serde_json::to_value(value)?;
        self.with_persistent(|current| *current = new).await
    }

    /// Writes the persistent attributes if a handler changed them (called by the framework
    /// at the end of the request).
    pub(crate) async fn save_attributes(&self) -> Result<bool, crate::attributes::StoreError> {
        let mut state = self.inner.persistent.lock().await;
        if let Persistent::Loaded {
            key,
            version,
            original,
            current,
        } = &mut *state
        {
            if original.as_ref() == Some(&*current)
                || (original.is_none() && current.as_object().is_some_and(Map::is_empty))
            {
                return Ok(false);
            }
            let new_version = self.inner.shared.store.save(key, current, *version).await?;
            *version = Some(new_version);
            *original = Some(current.clone());
            return Ok(true);
        }
        Ok(false)
    }

    // ----- bookkeeping -------------------------------------------------------------------------

    /// What every context of the skill shares.
    pub(crate) fn shared(&self) -> &Arc<Shared> {
        &self.inner.shared
    }

    /// The instant by which the skill must have answered (the skill's deadline, counted from
    /// the moment the request arrived).
    pub fn deadline(&self) -> std::time::Instant {
        self.inner.started + self.inner.shared.services.deadline()
    }

    /// The time left before [`Context::deadline`].
    pub fn remaining(&self) -> std::time::Duration {
        self.deadline()
            .saturating_duration_since(std::time::Instant::now())
    }

    pub(crate) fn set_stage(&self, stage: &str) {
        let mut s = lock(&self.inner.stage);
        s.clear();
        s.push_str(stage);
    }

    /// The handler or interceptor running now (for the log when the deadline passes).
    pub(crate) fn stage(&self) -> String {
        lock(&self.inner.stage).clone()
    }
}
