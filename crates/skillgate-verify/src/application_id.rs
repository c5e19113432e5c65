//! The application id allowlist: several skills may share one server.

use crate::envelope::MinimalEnvelope;
use crate::error::VerifyError;

/// Which application ids are accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApplicationIds {
    /// Any id (demo mode; the id is still required and reported).
    Any,
    /// Only these ids (exact, case-sensitive match).
    Only(Vec<String>),
}

impl ApplicationIds {
    /// Whether `id` is accepted.
    pub fn allows(&self, id: &str) -> bool {
        match self {
            ApplicationIds::Any => true,
            ApplicationIds::Only(ids) => ids.iter().any(|allowed| allowed == id),
        }
    }
}

/// Extracts the application id (from `context.System.application`, else
/// `session.application`; both must agree when both are present) and checks it.
pub fn check(
    envelope: &MinimalEnvelope<'_>,
    allowed: &ApplicationIds,
) -> Result<String, VerifyError> {
    let id = match (
        envelope.context_application_id(),
        envelope.session_application_id(),
    ) {
        (Some(context), Some(session)) if context != session => {
            return Err(VerifyError::ApplicationIdMismatch);
        }
        (Some(id), _) | (None, Some(id)) => id,
        (None, None) => return Err(VerifyError::MissingApplicationId),
    };
    if allowed.allows(id) {
        Ok(id.to_owned())
    } else {
        Err(VerifyError::UnknownApplicationId(id.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(body: &str) -> MinimalEnvelope<'_> {
        MinimalEnvelope::parse(body.as_bytes()).unwrap()
    }

    const REQ: &str = r#""request":{"type":"A","requestId":"r","timestamp":"t"}"#;

    #[test]
    fn context_session_and_allowlist() {
        let only = ApplicationIds::Only(vec!["a".into(), "b".into()]);
        let both = format!(
            r#"{{"context":{{"System":{{"application":{{"applicationId":"b"}}}}}},"session":{{"application":{{"applicationId":"b"}}}},{REQ}}}"#
        );
        assert_eq!(check(&env(&both), &only).unwrap(), "b");
        let session = format!(r#"{{"session":{{"application":{{"applicationId":"a"}}}},{REQ}}}"#);
        assert_eq!(check(&env(&session), &only).unwrap(), "a");
        let other = format!(r#"{{"session":{{"application":{{"applicationId":"A"}}}},{REQ}}}"#);
        assert_eq!(
            check(&env(&other), &only),
            Err(VerifyError::UnknownApplicationId("A".into()))
        );
        assert_eq!(check(&env(&other), &ApplicationIds::Any).unwrap(), "A");
        let mismatch = format!(
            r#"{{"context":{{"System":{{"application":{{"applicationId":"a"}}}}}},"session":{{"application":{{"applicationId":"b"}}}},{REQ}}}"#
        );
        assert_eq!(
            check(&env(&mismatch), &only),
            Err(VerifyError::ApplicationIdMismatch)
        );
        let none = format!("{{{REQ}}}");
        assert_eq!(
            check(&env(&none), &ApplicationIds::Any),
            Err(VerifyError::MissingApplicationId)
        );
    }
}
