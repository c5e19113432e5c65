//! Timers API: create, read, pause, resume and cancel the timers this skill set.

use reqwest::Method;
use serde_json::{Value, json};

use crate::client::{AlexaApi, segment};
use crate::error::ApiError;
use crate::scope::Scope;

string_enum! {
    /// A timer's `status`.
    pub enum TimerStatus {
        /// Running.
        On = "ON",
        /// Paused.
        Paused = "PAUSED",
        /// Done or cancelled.
        Off = "OFF",
    }
}

model! {
    /// `timerRequest` (`timer_management.TimerRequest`). `creationBehavior` and
    /// `triggeringBehavior` are kept as JSON: their operation objects are type-tagged and
    /// change between versions.
    pub struct TimerRequest {
        /// ISO 8601 duration (`PT10M`).
        pub duration: String,
        /// A label (`pasta`).
        pub timer_label: String,
        /// `{"displayExperience": {"visibility": "VISIBLE"}}`.
        pub creation_behavior: Value,
        /// What happens when it fires.
        pub triggering_behavior: Value,
    }
}

impl TimerRequest {
    /// A visible timer of `duration` (`PT10M`) labelled `label` that announces `text` in
    /// `locale` when it fires.
    pub fn announce(duration: &str, label: &str, locale: &str, text: &str) -> Self {
        Self {
            duration: Some(duration.to_owned()),
            timer_label: Some(label.to_owned()),
            creation_behavior: Some(json!({"displayExperience": {"visibility": "VISIBLE"}})),
            triggering_behavior: Some(json!({
                "operation": {
                    "type": "ANNOUNCE",
                    "textToAnnounce": [{"locale": locale, "text": text}],
                },
                "notificationConfig": {"playAudible": true},
            })),
            ..Self::default()
        }
    }
}

model! {
    /// One timer (`timer_management.TimerResponse`).
    pub struct Timer {
        /// The timer's id.
        pub id: String,
        /// Status.
        pub status: TimerStatus,
        /// ISO 8601 duration.
        pub duration: String,
        /// When it fires (ISO 8601).
        pub trigger_time: String,
        /// Label.
        pub timer_label: String,
        /// Created.
        pub created_time: String,
        /// Last updated.
        pub updated_time: String,
        /// Time left when paused (ISO 8601 duration).
        pub remaining_time_when_paused: String,
    }
}

model! {
    /// The list answer (`timer_management.TimersResponse`).
    pub struct Timers {
        /// How many.
        pub total_count: i64,
        /// The timers.
        pub timers: Vec<Timer>,
        /// Paging token.
        pub next_token: String,
    }
}

const PATH: &str = "/v1/alerts/timers";

impl AlexaApi {
    /// Starts a timer. Needs [`Scope::TIMERS`].
    pub async fn create_timer(&self, timer: &TimerRequest) -> Result<Timer, ApiError> {
        self.send_json(Method::POST, PATH, Some(Scope::TIMERS), timer)
            .await
    }

    /// One timer by id.
    pub async fn timer(&self, id: &str) -> Result<Timer, ApiError> {
        self.get(&format!("{PATH}/{}", segment(id)), Some(Scope::TIMERS))
            .await
    }

    /// The timers this skill set.
    pub async fn timers(&self) -> Result<Timers, ApiError> {
        self.get(PATH, Some(Scope::TIMERS)).await
    }

    /// Pauses a timer.
    pub async fn pause_timer(&self, id: &str) -> Result<(), ApiError> {
        let path = format!("{PATH}/{}/pause", segment(id));
        self.send_unit(Method::POST, &path, Some(Scope::TIMERS), None)
            .await
    }

    /// Resumes a paused timer.
    pub async fn resume_timer(&self, id: &str) -> Result<(), ApiError> {
        let path = format!("{PATH}/{}/resume", segment(id));
        self.send_unit(Method::POST, &path, Some(Scope::TIMERS), None)
            .await
    }

    /// Cancels (deletes) a timer.
    pub async fn cancel_timer(&self, id: &str) -> Result<(), ApiError> {
        let path = format!("{PATH}/{}", segment(id));
        self.send_unit(Method::DELETE, &path, Some(Scope::TIMERS), None)
            .await
    }

    /// Cancels every timer this skill set.
    pub async fn cancel_all_timers(&self) -> Result<(), ApiError> {
        self.send_unit(Method::DELETE, PATH, Some(Scope::TIMERS), None)
            .await
    }
}
