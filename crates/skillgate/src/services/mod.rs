//! Alexa's service APIs from a handler: [`Context::alexa_api`] gives a client bound to the
//! request (its `apiEndpoint`, `apiAccessToken`, device and the time left), and the helpers
//! here turn what can go wrong into what the user should hear — a permission card, a voice
//! permission request, an apology for a slow service.
//!
//! ```
//! # #[cfg(feature = "alexa-api")]
//! # mod example {
//! use skillgate::{Context, HandlerResult};
//! use skillgate::alexa_api::reminders::ReminderRequest;
//!
//! async fn remind(cx: Context) -> HandlerResult {
//!     let api = cx.alexa_api()?;
//!     let reminder = ReminderRequest::in_seconds(600, cx.speech_locale(), "Take the cake out");
//!     match api.create_reminder(&reminder).await {
//!         Ok(_) => Ok(cx.reply().speak("Done: in ten minutes.").build()),
//!         // Not granted: speech plus the consent card for the missing scope.
//!         Err(e) => Ok(cx.api_error_answer(&e)),
//!     }
//! }
//! # }
//! ```
//!
//! The calls to Alexa's APIs need the `alexa-api` feature (on by default); without it the
//! framework builds with no HTTP client, and the helpers that only read the request
//! ([`Context::permission_result`], [`Context::skill_message`], [`Context::list_event`])
//! remain.

use std::sync::Arc;
use std::time::Duration;

use crate::context::Context;
use crate::long_answer::LongAnswers;

#[cfg(feature = "alexa-api")]
mod api;
#[cfg(feature = "alexa-api")]
pub use api::{
    API_DEADLINE_MARGIN, DEFAULT_PERMISSION_SPEECH, DEFAULT_SERVICE_APOLOGY, PROGRESSIVE_TIMEOUT,
    api_error, permission_request, set_default_transport,
};

/// The per-skill state behind the service helpers.
pub(crate) struct Services {
    deadline: Duration,
    /// The skill's Alexa API transport, made on first use when the builder set none.
    #[cfg(feature = "alexa-api")]
    transport: std::sync::OnceLock<Result<skillgate_alexa_api::Transport, String>>,
    pub(crate) long_answers: Arc<LongAnswers>,
}

impl Services {
    pub(crate) fn new(deadline: Duration) -> Self {
        Self {
            deadline,
            #[cfg(feature = "alexa-api")]
            transport: std::sync::OnceLock::new(),
            long_answers: Arc::new(LongAnswers::default()),
        }
    }

    pub(crate) fn deadline(&self) -> Duration {
        self.deadline
    }
}

impl Context {
    /// The answer to a voice permission request, if this is one: the scope and `ACCEPTED`,
    /// `DENIED` or `NOT_ANSWERED`.
    pub fn permission_result(&self) -> Option<(String, String)> {
        let response = match self.request() {
            skillgate_model::Request::ConnectionsResponse(r) => r,
            _ => return None,
        };
        if response.name.as_deref() != Some("AskFor") {
            return None;
        }
        let payload = response.payload.as_ref()?;
        let scope = payload.get("permissionScope")?.as_str()?.to_owned();
        let status = payload.get("status")?.as_str()?.to_owned();
        Some((scope, status))
    }

    /// The message of a `Messaging.MessageReceived` request (sent by
    /// [`skillgate_alexa_api::OutOfSession::send_skill_message`]).
    pub fn skill_message(&self) -> Option<&serde_json::Value> {
        match self.request() {
            skillgate_model::Request::MessageReceived(m) => m.message.as_ref(),
            _ => None,
        }
    }
}

/// A household-list event (`AlexaHouseholdListEvent.ItemsCreated`, `…ItemsUpdated`,
/// `…ItemsDeleted`, `…ListCreated`, `…ListUpdated`, `…ListDeleted`), sent when the user
/// changes a list the skill may read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListEvent {
    /// The part after `AlexaHouseholdListEvent.` (`ItemsCreated`).
    pub kind: String,
    /// The list.
    pub list_id: Option<String>,
    /// The items concerned (item events).
    pub item_ids: Vec<String>,
}

impl Context {
    /// The household-list event this request carries, if it is one.
    pub fn list_event(&self) -> Option<ListEvent> {
        let skillgate_model::Request::Unknown(r) = self.request() else {
            return None;
        };
        let kind = r.request_type.strip_prefix("AlexaHouseholdListEvent.")?;
        let body = r.raw.get("body");
        Some(ListEvent {
            kind: kind.to_owned(),
            list_id: body
                .and_then(|b| b.get("listId"))
                .and_then(|v| v.as_str())
                .map(str::to_owned),
            item_ids: body
                .and_then(|b| b.get("listItemIds"))
                .and_then(|v| v.as_array())
                .map(|ids| {
                    ids.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
        })
    }
}
