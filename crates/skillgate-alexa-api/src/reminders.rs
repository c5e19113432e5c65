//! Reminders API: create, read, update, delete and list the reminders this skill set.

use reqwest::Method;

use crate::client::{AlexaApi, segment};
use crate::error::ApiError;
use crate::scope::Scope;

string_enum! {
    /// `trigger.type`.
    pub enum TriggerType {
        /// At a wall-clock time (`scheduledTime`, optionally in `timeZoneId`).
        ScheduledAbsolute = "SCHEDULED_ABSOLUTE",
        /// After `offsetInSeconds` from now.
        ScheduledRelative = "SCHEDULED_RELATIVE",
    }
}

string_enum! {
    /// A reminder's `status`.
    pub enum ReminderStatus {
        /// Pending.
        On = "ON",
        /// Delivered (or dismissed).
        Completed = "COMPLETED",
    }
}

string_enum! {
    /// `pushNotification.status`.
    pub enum PushNotificationStatus {
        /// A push notification goes to the Alexa app too.
        Enabled = "ENABLED",
        /// Voice only.
        Disabled = "DISABLED",
    }
}

string_enum! {
    /// `recurrence.freq`.
    pub enum RecurrenceFreq {
        /// Every week (on `byDay`).
        Weekly = "WEEKLY",
        /// Every day.
        Daily = "DAILY",
    }
}

model! {
    /// `recurrence`.
    pub struct Recurrence {
        /// The frequency.
        pub freq: RecurrenceFreq,
        /// The days (`MO`, `TU`, …).
        pub by_day: Vec<String>,
        /// Every n-th period.
        pub interval: i64,
        /// First occurrence (ISO 8601 local time).
        pub start_date_time: String,
        /// Last occurrence.
        pub end_date_time: String,
        /// RFC 5545 rules (`FREQ=DAILY;BYHOUR=8`).
        pub recurrence_rules: Vec<String>,
    }
}

model! {
    /// When the reminder fires.
    pub struct Trigger {
        /// Absolute or relative.
        #[serde(rename = "type")]
        pub kind: TriggerType,
        /// ISO 8601 local date-time (absolute).
        pub scheduled_time: String,
        /// Seconds from now (relative).
        pub offset_in_seconds: i64,
        /// IANA time zone of `scheduledTime` (default: the device's).
        pub time_zone_id: String,
        /// Repetition.
        pub recurrence: Recurrence,
    }
}

model! {
    /// One spoken text per locale.
    pub struct SpokenText {
        /// The locale (`en-US`).
        pub locale: String,
        /// SSML to speak.
        pub ssml: String,
        /// Plain text to speak (and show).
        pub text: String,
    }
}

model! {
    /// `alertInfo.spokenInfo`.
    pub struct SpokenInfo {
        /// What Alexa says when the reminder fires.
        pub content: Vec<SpokenText>,
    }
}

model! {
    /// `alertInfo`.
    pub struct AlertInfo {
        /// What to say.
        pub spoken_info: SpokenInfo,
    }
}

model! {
    /// `pushNotification`.
    pub struct PushNotification {
        /// Enabled or not.
        pub status: PushNotificationStatus,
    }
}

model! {
    /// The body of create and update (`reminder_management.ReminderRequest`).
    pub struct ReminderRequest {
        /// When the request was made (ISO 8601).
        pub request_time: String,
        /// When to fire.
        pub trigger: Trigger,
        /// What to say.
        pub alert_info: AlertInfo,
        /// Whether to notify the app too.
        pub push_notification: PushNotification,
    }
}

impl ReminderRequest {
    /// A one-off reminder `seconds` from now that says `text` in `locale`.
    pub fn in_seconds(seconds: i64, locale: &str, text: &str) -> Self {
        Self {
            trigger: Some(Trigger {
                kind: Some(TriggerType::ScheduledRelative),
                offset_in_seconds: Some(seconds),
                ..Trigger::default()
            }),
            ..Self::saying(locale, text)
        }
    }

    /// A reminder at a local date-time (`2026-12-01T08:00:00`) in `time_zone` that says
    /// `text` in `locale`.
    pub fn at(scheduled_time: &str, time_zone: &str, locale: &str, text: &str) -> Self {
        Self {
            trigger: Some(Trigger {
                kind: Some(TriggerType::ScheduledAbsolute),
                scheduled_time: Some(scheduled_time.to_owned()),
                time_zone_id: Some(time_zone.to_owned()),
                ..Trigger::default()
            }),
            ..Self::saying(locale, text)
        }
    }

    fn saying(locale: &str, text: &str) -> Self {
        Self {
            alert_info: Some(AlertInfo {
                spoken_info: Some(SpokenInfo {
                    content: Some(vec![SpokenText {
                        locale: Some(locale.to_owned()),
                        text: Some(text.to_owned()),
                        ..SpokenText::default()
                    }]),
                    ..SpokenInfo::default()
                }),
                ..AlertInfo::default()
            }),
            push_notification: Some(PushNotification {
                status: Some(PushNotificationStatus::Enabled),
                ..PushNotification::default()
            }),
            ..Self::default()
        }
    }
}

model! {
    /// The answer to create and update (`reminder_management.ReminderResponse`).
    pub struct ReminderResponse {
        /// The reminder's id.
        pub alert_token: String,
        /// Created (ISO 8601).
        pub created_time: String,
        /// Last updated.
        pub updated_time: String,
        /// Status.
        pub status: ReminderStatus,
        /// Version.
        pub version: String,
        /// Its URL path.
        pub href: String,
    }
}

model! {
    /// One reminder as read (`reminder_management.Reminder` / `GetReminderResponse`).
    pub struct Reminder {
        /// The reminder's id.
        pub alert_token: String,
        /// Created.
        pub created_time: String,
        /// Last updated.
        pub updated_time: String,
        /// Status.
        pub status: ReminderStatus,
        /// When it fires.
        pub trigger: Trigger,
        /// What it says.
        pub alert_info: AlertInfo,
        /// App notification.
        pub push_notification: PushNotification,
        /// Version.
        pub version: String,
    }
}

model! {
    /// The list answer (`reminder_management.GetRemindersResponse`).
    pub struct Reminders {
        /// How many (a string in Amazon's model).
        pub total_count: String,
        /// The reminders.
        pub alerts: Vec<Reminder>,
        /// Paging link.
        pub links: String,
    }
}

const PATH: &str = "/v1/alerts/reminders";

impl AlexaApi {
    /// Creates a reminder. Needs [`Scope::REMINDERS`].
    pub async fn create_reminder(
        &self,
        reminder: &ReminderRequest,
    ) -> Result<ReminderResponse, ApiError> {
        self.send_json(Method::POST, PATH, Some(Scope::REMINDERS), reminder)
            .await
    }

    /// One reminder by its alert token.
    pub async fn reminder(&self, alert_token: &str) -> Result<Reminder, ApiError> {
        let path = format!("{PATH}/{}", segment(alert_token));
        self.get(&path, Some(Scope::REMINDERS)).await
    }

    /// Replaces a reminder.
    pub async fn update_reminder(
        &self,
        alert_token: &str,
        reminder: &ReminderRequest,
    ) -> Result<ReminderResponse, ApiError> {
        let path = format!("{PATH}/{}", segment(alert_token));
        self.send_json(Method::PUT, &path, Some(Scope::REMINDERS), reminder)
            .await
    }

    /// Deletes a reminder.
    pub async fn delete_reminder(&self, alert_token: &str) -> Result<(), ApiError> {
        let path = format!("{PATH}/{}", segment(alert_token));
        self.send_unit(Method::DELETE, &path, Some(Scope::REMINDERS), None)
            .await
    }

    /// The reminders this skill set for the user.
    pub async fn reminders(&self) -> Result<Reminders, ApiError> {
        self.get(PATH, Some(Scope::REMINDERS)).await
    }
}
