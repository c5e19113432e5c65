//! Proactive Events and Skill Messaging: calls a skill makes outside any request, with an
//! LWA token.

use std::sync::Arc;
use std::time::Instant;

use reqwest::Method;
use serde_json::Value;

use crate::client::segment;
use crate::error::ApiError;
use crate::lwa::{LwaClient, SCOPE_PROACTIVE_EVENTS, SCOPE_SKILL_MESSAGING};
use crate::token::ApiToken;
use crate::transport::{Call, Transport};

model! {
    /// `proactive_events.Event`.
    pub struct ProactiveEvent {
        /// The schema (`AMAZON.MessageAlert.Activated`).
        pub name: String,
        /// The schema's payload.
        pub payload: Value,
    }
}

model! {
    /// `proactive_events.RelevantAudience`.
    pub struct RelevantAudience {
        /// `Unicast` or `Multicast`.
        #[serde(rename = "type")]
        pub kind: String,
        /// `{"user": "amzn1.ask.account…"}` for unicast.
        pub payload: Value,
    }
}

model! {
    /// `proactive_events.CreateProactiveEventRequest`.
    pub struct CreateProactiveEvent {
        /// When the event happened (ISO 8601).
        pub timestamp: String,
        /// The skill's id for it (deduplication).
        pub reference_id: String,
        /// When it stops being relevant.
        pub expiry_time: String,
        /// The event.
        pub event: ProactiveEvent,
        /// Localized strings the payload refers to.
        pub localized_attributes: Vec<Value>,
        /// Who gets it.
        pub relevant_audience: RelevantAudience,
    }
}

/// Sends Proactive Events and Skill Messages with tokens from an [`LwaClient`].
#[derive(Debug, Clone)]
pub struct OutOfSession {
    transport: Transport,
    endpoint: String,
    lwa: Arc<LwaClient>,
}

impl OutOfSession {
    /// A sender for the region `endpoint` (`https://api.amazonalexa.com`, `…eu…`, `…fe…`).
    pub fn new(transport: Transport, endpoint: &str, lwa: Arc<LwaClient>) -> Self {
        Self {
            transport,
            endpoint: endpoint.trim_end_matches('/').to_owned(),
            lwa,
        }
    }

    async fn post(
        &self,
        path: &str,
        scope: &str,
        body: &impl serde::Serialize,
        deadline: Instant,
    ) -> Result<(), ApiError> {
        let token: ApiToken = self.lwa.token(scope, deadline).await?;
        let call =
            Call::new(Method::POST, format!("{}{path}", self.endpoint), &token).json(body)?;
        self.transport.send(call, deadline).await.map(drop)
    }

    /// Sends a proactive event; `development` picks the development stage.
    pub async fn send_proactive_event(
        &self,
        event: &CreateProactiveEvent,
        development: bool,
        deadline: Instant,
    ) -> Result<(), ApiError> {
        let path = if development {
            "/v1/proactiveEvents/stages/development"
        } else {
            "/v1/proactiveEvents"
        };
        self.post(path, SCOPE_PROACTIVE_EVENTS, event, deadline)
            .await
    }

    /// Sends `data` to the skill for `user_id`; it arrives as a `Messaging.MessageReceived`
    /// request. `expires_after_seconds`: 60 to 604800 (Amazon's default is an hour).
    pub async fn send_skill_message(
        &self,
        user_id: &str,
        data: &Value,
        expires_after_seconds: Option<u32>,
        deadline: Instant,
    ) -> Result<(), ApiError> {
        let mut body = serde_json::json!({ "data": data });
        if let Some(seconds) = expires_after_seconds {
            body["expiresAfterSeconds"] = seconds.into();
        }
        let path = format!("/v1/skillmessages/users/{}", segment(user_id));
        self.post(&path, SCOPE_SKILL_MESSAGING, &body, deadline)
            .await
    }
}
