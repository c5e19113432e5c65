//! What can go wrong calling Alexa, sorted by what the skill author must do about it.
//!
//! Amazon's APIs do not agree on how they say "the user has not granted this permission":
//! Device Address, Customer Profile and Lists answer 403, Reminders and Timers answer 401.
//! Each call therefore declares its permission scope and the status its API uses for missing
//! consent (see [`Scope`]), and [`ApiError::from_status`] sorts answers with that knowledge:
//!
//! | answer | error |
//! |---|---|
//! | 401/403 whose error JSON says the token expired or is invalid | [`ApiError::TokenExpired`] |
//! | the API's consent status, error JSON says the skill did not request the scope | [`ApiError::PermissionNotRequested`] |
//! | the API's consent status | [`ApiError::PermissionNotGranted`] |
//! | any other 401 | [`ApiError::TokenExpired`] |
//! | any other 403 | [`ApiError::Forbidden`] |
//! | 404 | [`ApiError::NotFound`] |
//! | 409 | [`ApiError::Conflict`] |
//! | 429 | [`ApiError::RateLimited`] |
//! | 5xx | [`ApiError::Unavailable`] |
//! | 3xx (never followed) | [`ApiError::Protocol`] with [`ProtocolError::Redirect`] |
//! | any other status | [`ApiError::Rejected`] |

use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

use crate::scope::Scope;

/// Amazon's error JSON, read leniently: its APIs use `code` (a string or a number), `type`,
/// `message` or `Message` (the Lists 403).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AmazonError {
    /// `code` (`"INVALID_TOKEN"`, `"MAX_REMINDERS_EXCEEDED"`, `400`).
    pub code: Option<String>,
    /// `type` (`"FORBIDDEN"`, `"ACCESS_DENIED"`).
    pub kind: Option<String>,
    /// `message` or `Message`.
    pub message: Option<String>,
}

impl AmazonError {
    /// Reads an error body; `None` when it is not a JSON object with any of the fields.
    pub fn parse(body: &[u8]) -> Option<Self> {
        #[derive(Deserialize)]
        struct Raw {
            #[serde(default)]
            code: Option<Value>,
            #[serde(default, rename = "type")]
            kind: Option<Value>,
            #[serde(default)]
            message: Option<Value>,
            #[serde(default, rename = "Message")]
            message_upper: Option<Value>,
        }
        fn text(v: Option<Value>) -> Option<String> {
            match v? {
                Value::String(s) => Some(s),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            }
        }
        let value: Value = serde_json::from_slice(body).ok()?;
        if !value.is_object() {
            return None;
        }
        let raw: Raw = serde_json::from_value(value).ok()?;
        let error = Self {
            code: text(raw.code),
            kind: text(raw.kind),
            message: text(raw.message).or_else(|| text(raw.message_upper)),
        };
        (error.code.is_some() || error.kind.is_some() || error.message.is_some()).then_some(error)
    }

    /// Whether any field contains `needle` (ASCII case-insensitive).
    fn mentions(&self, needle: &str) -> bool {
        [&self.code, &self.kind, &self.message]
            .into_iter()
            .flatten()
            .any(|t| t.to_ascii_lowercase().contains(needle))
    }

    /// Whether the error says the token expired or is not valid.
    fn says_token_bad(&self) -> bool {
        self.mentions("expired")
            || self.mentions("invalid_token")
            || self.mentions("invalid token")
            || self.mentions("invalid_access_token")
    }

    /// Whether the error says the skill never asked for the scope.
    fn says_not_requested(&self) -> bool {
        self.mentions("not_requested") || self.mentions("not requested")
    }
}

impl std::fmt::Display for AmazonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let label = self.code.as_deref().or(self.kind.as_deref()).unwrap_or("");
        match (&self.message, label.is_empty()) {
            (Some(m), false) => write!(f, "{label}: {m}"),
            (Some(m), true) => f.write_str(m),
            (None, _) => f.write_str(label),
        }
    }
}

/// The answer broke the protocol: the call reached something, but not a sane Alexa API.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProtocolError {
    /// A redirect (never followed: the token must not go anywhere else).
    #[error("redirect {status} to {location:?} (not followed)")]
    Redirect {
        /// The 3xx status.
        status: u16,
        /// The `Location` header, if any.
        location: Option<String>,
    },
    /// A body larger than the cap.
    #[error("answer body larger than {limit} bytes")]
    TooLarge {
        /// The cap in bytes.
        limit: usize,
    },
    /// A success answer whose content type is not JSON.
    #[error("answer content type is {0:?}, not application/json")]
    ContentType(Option<String>),
    /// A success answer whose JSON does not parse or does not have the expected shape.
    #[error("answer is not the expected JSON: {0}")]
    Json(#[source] serde_json::Error),
    /// A success answer with an empty body where one was expected.
    #[error("answer has no body")]
    EmptyBody,
}

/// Why a call to an Alexa API failed. Match on the variants that need an answer of their own
/// (ask for a permission, apologize for a slow service); log the rest.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// The request carries no `apiEndpoint`, no `apiAccessToken` or no device id the call
    /// needs (a `Messaging.MessageReceived`, a simulated request).
    #[error("the request gives no access to Alexa's APIs ({0} missing)")]
    NoApiAccess(&'static str),
    /// The user has not granted the permission: ask for it (card or voice).
    #[error("the user has not granted {scope}")]
    PermissionNotGranted {
        /// The scope to ask for.
        scope: Scope,
        /// Amazon's error JSON, if any.
        details: Option<AmazonError>,
    },
    /// The skill's manifest does not request the permission: a bug in the skill, not
    /// something the user can fix. Add the scope to the skill's permissions.
    #[error("the skill does not request {scope} in its manifest")]
    PermissionNotRequested {
        /// The missing scope.
        scope: Scope,
        /// Amazon's error JSON, if any.
        details: Option<AmazonError>,
    },
    /// The token expired or was not accepted (401): a request token used after its request,
    /// or an LWA token past its lifetime. Get a fresh one.
    #[error("the access token expired or was rejected")]
    TokenExpired {
        /// Amazon's error JSON, if any.
        details: Option<AmazonError>,
    },
    /// 403 for another reason (the skill may not send directives now, voice purchasing off).
    #[error("forbidden{}", fmt_details(.details))]
    Forbidden {
        /// Amazon's error JSON, if any.
        details: Option<AmazonError>,
    },
    /// 404: no such reminder, timer, list, item or product.
    #[error("not found{}", fmt_details(.details))]
    NotFound {
        /// Amazon's error JSON, if any.
        details: Option<AmazonError>,
    },
    /// 409: the item changed since it was read (send the current version).
    #[error("conflict{}", fmt_details(.details))]
    Conflict {
        /// Amazon's error JSON, if any.
        details: Option<AmazonError>,
    },
    /// 429: too many calls; try later (the `Retry-After` header, when sent).
    #[error("rate limited (retry after {retry_after:?})")]
    RateLimited {
        /// How long Amazon asks to wait.
        retry_after: Option<Duration>,
        /// Amazon's error JSON, if any.
        details: Option<AmazonError>,
    },
    /// 5xx: Alexa's API is failing; apologize and try later.
    #[error("Alexa's API is unavailable (HTTP {status}){}", fmt_details(.details))]
    Unavailable {
        /// The status.
        status: u16,
        /// Amazon's error JSON, if any.
        details: Option<AmazonError>,
    },
    /// Another 4xx: the call itself is wrong (bad reminder time, missing field).
    #[error("rejected with HTTP {status}{}", fmt_details(.details))]
    Rejected {
        /// The status.
        status: u16,
        /// Amazon's error JSON, if any.
        details: Option<AmazonError>,
    },
    /// The deadline passed before the answer was complete.
    #[error("no complete answer before the deadline")]
    Deadline,
    /// No connection (refused, DNS, TLS) or it broke mid-answer.
    #[error("connection failed: {0}")]
    Connect(#[source] reqwest::Error),
    /// The answer broke the protocol (redirect, huge body, wrong content type, bad JSON).
    #[error("protocol error: {0}")]
    Protocol(#[from] ProtocolError),
    /// A call argument cannot be sent (an id that makes no URL, a body that does not
    /// serialize).
    #[error("invalid call: {0}")]
    InvalidCall(String),
    /// The HTTPS client could not be built.
    #[error("cannot build the HTTPS client: {0}")]
    Client(String),
}

fn fmt_details(details: &Option<AmazonError>) -> String {
    match details {
        Some(d) => format!(" ({d})"),
        None => String::new(),
    }
}

impl ApiError {
    /// Sorts a non-2xx answer (see the module documentation for the table). `scope` is the
    /// permission the call needs, if any.
    pub fn from_status(
        status: u16,
        scope: Option<Scope>,
        retry_after: Option<Duration>,
        location: Option<String>,
        body: &[u8],
    ) -> Self {
        let details = AmazonError::parse(body);
        let token_bad = details.as_ref().is_some_and(AmazonError::says_token_bad);
        if matches!(status, 401 | 403) && token_bad {
            return Self::TokenExpired { details };
        }
        if let Some(scope) = scope {
            if status == scope.consent_status() {
                let not_requested = details
                    .as_ref()
                    .is_some_and(AmazonError::says_not_requested);
                return if not_requested {
                    Self::PermissionNotRequested { scope, details }
                } else {
                    Self::PermissionNotGranted { scope, details }
                };
            }
        }
        match status {
            300..=399 => Self::Protocol(ProtocolError::Redirect { status, location }),
            401 => Self::TokenExpired { details },
            403 => Self::Forbidden { details },
            404 => Self::NotFound { details },
            409 => Self::Conflict { details },
            429 => Self::RateLimited {
                retry_after,
                details,
            },
            500..=599 => Self::Unavailable { status, details },
            _ => Self::Rejected { status, details },
        }
    }

    /// The permission scope to ask the user for, when that is the fix.
    pub fn missing_permission(&self) -> Option<&Scope> {
        match self {
            Self::PermissionNotGranted { scope, .. } => Some(scope),
            _ => None,
        }
    }

    /// Whether trying again later may work (rate limit, 5xx, deadline, connection).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::RateLimited { .. } | Self::Unavailable { .. } | Self::Deadline | Self::Connect(_)
        )
    }

    /// A stable snake_case label for logs and metrics.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::NoApiAccess(_) => "no_api_access",
            Self::PermissionNotGranted { .. } => "permission_not_granted",
            Self::PermissionNotRequested { .. } => "permission_not_requested",
            Self::TokenExpired { .. } => "token_expired",
            Self::Forbidden { .. } => "forbidden",
            Self::NotFound { .. } => "not_found",
            Self::Conflict { .. } => "conflict",
            Self::RateLimited { .. } => "rate_limited",
            Self::Unavailable { .. } => "unavailable",
            Self::Rejected { .. } => "rejected",
            Self::Deadline => "deadline",
            Self::Connect(_) => "connect",
            Self::Protocol(_) => "protocol",
            Self::InvalidCall(_) => "invalid_call",
            Self::Client(_) => "client",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sort(status: u16, scope: Option<Scope>, body: &str) -> ApiError {
        ApiError::from_status(status, scope, None, None, body.as_bytes())
    }

    #[test]
    fn consent_status_differs_per_api() {
        let reminders = Some(Scope::REMINDERS);
        let address = Some(Scope::ADDRESS_FULL);
        assert!(matches!(
            sort(
                401,
                reminders.clone(),
                r#"{"code":"UNAUTHORIZED","message":"no"}"#
            ),
            ApiError::PermissionNotGranted { .. }
        ));
        assert!(matches!(
            sort(
                403,
                address.clone(),
                r#"{"type":"FORBIDDEN","message":"x"}"#
            ),
            ApiError::PermissionNotGranted { .. }
        ));
        // A 401 from the address API is a token problem, not consent.
        assert!(matches!(
            sort(401, address, ""),
            ApiError::TokenExpired { .. }
        ));
        // A 403 from reminders is not consent either.
        assert!(matches!(
            sort(403, reminders, ""),
            ApiError::Forbidden { .. }
        ));
    }

    #[test]
    fn expired_token_wins_over_consent() {
        let e = sort(
            401,
            Some(Scope::REMINDERS),
            r#"{"code":"INVALID_TOKEN","message":"The access token has expired"}"#,
        );
        assert!(matches!(e, ApiError::TokenExpired { .. }), "{e:?}");
    }

    #[test]
    fn not_requested_is_told_apart() {
        let e = sort(
            403,
            Some(Scope::EMAIL),
            r#"{"code":"PERMISSION_NOT_REQUESTED","message":"scope not in the manifest"}"#,
        );
        assert!(
            matches!(e, ApiError::PermissionNotRequested { .. }),
            "{e:?}"
        );
    }

    #[test]
    fn other_statuses() {
        assert!(matches!(
            sort(404, None, "{}"),
            ApiError::NotFound { details: None }
        ));
        assert!(matches!(sort(409, None, ""), ApiError::Conflict { .. }));
        assert!(matches!(sort(429, None, ""), ApiError::RateLimited { .. }));
        assert!(matches!(
            sort(503, None, "<html>"),
            ApiError::Unavailable { status: 503, .. }
        ));
        assert!(matches!(
            sort(400, None, ""),
            ApiError::Rejected { status: 400, .. }
        ));
        assert!(matches!(
            sort(302, None, ""),
            ApiError::Protocol(ProtocolError::Redirect { status: 302, .. })
        ));
    }

    #[test]
    fn amazon_error_shapes() {
        let e = AmazonError::parse(br#"{"code": 400, "message": "bad"}"#).unwrap();
        assert_eq!(e.code.as_deref(), Some("400"));
        let e = AmazonError::parse(br#"{"Message": "User has not consented"}"#).unwrap();
        assert_eq!(e.message.as_deref(), Some("User has not consented"));
        assert_eq!(AmazonError::parse(b"[1]"), None);
        assert_eq!(AmazonError::parse(b"{}"), None);
        assert_eq!(AmazonError::parse(b"{\"code\""), None);
    }
}
