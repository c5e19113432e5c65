//! `request.timestamp` must be close to now, in both directions.
//!
//! Amazon ("Host a Custom Skill as a Web Service", *Check the request timestamp*): the
//! timestamp must be within 150 seconds of the current time, else the request is rejected.
//! A timestamp in the future is not a free pass: the same 150 s apply both ways (Alexa's
//! clock can run a second or so ahead, never minutes).
//!
//! Skill events are the documented exception: Alexa redelivers them with their original
//! timestamp for up to an hour. Amazon's SDKs cap the tolerance at
//! `MAX_TIMESTAMP_TOLERANCE_IN_MILLIS = 3600000` (ask-sdk-python
//! `verifier_constants.py`, which cites the *Skill events in Alexa skills* page, "Delivery of
//! events to the skill"; ask-sdk-nodejs and ask-sdk-java `SkillRequestTimestampVerifier` use
//! the same maximum); skillgate applies that hour only to the five `AlexaSkillEvent.*` types
//! and keeps 150 s for everything else.

use std::borrow::Cow;
use std::time::Duration;

use serde_json::value::RawValue;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::error::VerifyError;

/// Default and maximum tolerance for ordinary requests.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(150);
/// Tolerance for skill events, which Alexa redelivers with their original timestamp.
pub const SKILL_EVENT_TOLERANCE: Duration = Duration::from_secs(3600);

/// The request types that get [`SKILL_EVENT_TOLERANCE`].
pub const SKILL_EVENTS: &[&str] = &[
    "AlexaSkillEvent.SkillEnabled",
    "AlexaSkillEvent.SkillDisabled",
    "AlexaSkillEvent.SkillPermissionChanged",
    "AlexaSkillEvent.SkillPermissionAccepted",
    "AlexaSkillEvent.SkillAccountLinked",
];

/// The tolerance that applies to `request_type` given the configured one.
pub fn tolerance_for(request_type: &str, configured: Duration) -> Duration {
    if SKILL_EVENTS.contains(&request_type) {
        configured.max(SKILL_EVENT_TOLERANCE)
    } else {
        configured
    }
}

/// Parses the raw JSON value of `request.timestamp` (an RFC 3339 string with `Z` or an
/// offset) and checks it against `now` (inclusive bounds).
pub fn check(
    raw: &RawValue,
    now: OffsetDateTime,
    tolerance: Duration,
) -> Result<OffsetDateTime, VerifyError> {
    let text: Cow<'_, str> =
        serde_json::from_str(raw.get()).map_err(|_| VerifyError::TimestampFormat)?;
    let timestamp =
        OffsetDateTime::parse(&text, &Rfc3339).map_err(|_| VerifyError::TimestampFormat)?;
    let delta = now - timestamp;
    let limit = time::Duration::try_from(tolerance).unwrap_or(time::Duration::MAX);
    if delta > limit {
        Err(VerifyError::TimestampTooOld {
            age: delta.try_into().unwrap_or(Duration::MAX),
            tolerance,
        })
    } else if -delta > limit {
        Err(VerifyError::TimestampInFuture {
            ahead: (-delta).try_into().unwrap_or(Duration::MAX),
            tolerance,
        })
    } else {
        Ok(timestamp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn raw(s: &str) -> Box<RawValue> {
        RawValue::from_string(s.to_owned()).unwrap()
    }

    const NOW: OffsetDateTime = datetime!(2024-05-01 12:00:00 UTC);

    #[test]
    fn within_tolerance_both_ways_inclusive() {
        for ts in [
            "\"2024-05-01T12:00:00Z\"",
            "\"2024-05-01T11:57:30Z\"",
            "\"2024-05-01T12:02:30Z\"",
            "\"2024-05-01T12:00:01.123Z\"",
            "\"2024-05-01T14:00:00+02:00\"",
        ] {
            assert!(check(&raw(ts), NOW, DEFAULT_TOLERANCE).is_ok(), "{ts}");
        }
    }

    #[test]
    fn stale_and_future_are_rejected() {
        assert!(matches!(
            check(&raw("\"2024-05-01T11:57:29Z\""), NOW, DEFAULT_TOLERANCE),
            Err(VerifyError::TimestampTooOld { .. })
        ));
        assert!(matches!(
            check(&raw("\"2024-05-01T12:02:31Z\""), NOW, DEFAULT_TOLERANCE),
            Err(VerifyError::TimestampInFuture { .. })
        ));
        assert!(matches!(
            check(&raw("\"2024-05-01T13:00:00Z\""), NOW, DEFAULT_TOLERANCE),
            Err(VerifyError::TimestampInFuture { .. })
        ));
    }

    #[test]
    fn non_rfc3339_is_rejected() {
        for ts in [
            "1714564800000",
            "\"1714564800\"",
            "\"2024-05-01T12:00:00\"",
            "\"Wed, 01 May 2024 12:00:00 GMT\"",
            "null",
            "{}",
        ] {
            assert_eq!(
                check(&raw(ts), NOW, DEFAULT_TOLERANCE),
                Err(VerifyError::TimestampFormat),
                "{ts}"
            );
        }
    }

    #[test]
    fn skill_events_get_one_hour_others_do_not() {
        for event in SKILL_EVENTS {
            assert_eq!(
                tolerance_for(event, DEFAULT_TOLERANCE),
                SKILL_EVENT_TOLERANCE
            );
        }
        assert_eq!(
            tolerance_for("IntentRequest", DEFAULT_TOLERANCE),
            DEFAULT_TOLERANCE
        );
        assert_eq!(
            tolerance_for("AlexaHouseholdListEvent.ItemsCreated", DEFAULT_TOLERANCE),
            DEFAULT_TOLERANCE
        );
        let t = tolerance_for("AlexaSkillEvent.SkillEnabled", DEFAULT_TOLERANCE);
        assert!(check(&raw("\"2024-05-01T11:00:00Z\""), NOW, t).is_ok());
        assert!(check(&raw("\"2024-05-01T10:59:59Z\""), NOW, t).is_err());
    }
}
