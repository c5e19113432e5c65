//! The `session` object, and the application and user objects it shares with
//! `context.System`.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

/// The skill an envelope is addressed to (`application`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Application {
    /// The skill id, `amzn1.ask.skill.…` (absent in some synthetic requests).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_id: Option<String>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The Amazon account using the skill (`user`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// The user id, `amzn1.ask.account.…`, stable per skill and account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// The account-linking access token, if the account is linked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<String>,
    /// Consent token and granted permission scopes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions: Option<Permissions>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `user.permissions`: what the customer consented to.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Permissions {
    /// The (deprecated) consent token; use `context.System.apiAccessToken` instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent_token: Option<String>,
    /// Granted scopes, e.g. `{"alexa::devices:all:geolocation:read": {"status": "GRANTED"}}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Value>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The `session` object: present on requests sent during a session.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    /// Whether this is the first request of the session.
    ///
    /// A session object without `new` (seen only in synthetic samples) reads as `false` and
    /// gains `"new": false` when re-serialized.
    #[serde(default)]
    pub new: bool,
    /// The session id, `amzn1.echo-api.session.…` (empty if the sender left it out).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub session_id: String,
    /// The skill the session belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application: Option<Application>,
    /// The user of the session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<User>,
    /// Session attributes the skill returned in its previous response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<Map<String, Value>>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

lenient_deserialize!(Application {
    application_id: "applicationId",
});

lenient_deserialize!(User {
    user_id: "userId",
    access_token: "accessToken",
    permissions: "permissions",
});

lenient_deserialize!(Permissions {
    consent_token: "consentToken",
    scopes: "scopes",
});

impl<'de> Deserialize<'de> for Session {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use crate::macros::take_lenient;
        let mut map = Map::<String, Value>::deserialize(deserializer)?;
        // `new` is always written back, so an odd value cannot be kept aside: read "true"
        // and "false" strings, anything else as false.
        let new = match map.remove("new") {
            Some(Value::Bool(b)) => b,
            Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
            _ => false,
        };
        Ok(Self {
            new,
            session_id: take_lenient(&mut map, "sessionId").unwrap_or_default(),
            application: take_lenient(&mut map, "application"),
            user: take_lenient(&mut map, "user"),
            attributes: take_lenient(&mut map, "attributes"),
            extra: map,
        })
    }
}
