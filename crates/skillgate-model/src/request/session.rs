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
        use crate::macros::{RawObject, member, rest, take_member};
        let raw = RawObject::deserialize(deserializer)?;
        let members = &raw.0;
        // `new` is always written back, so an odd value cannot be kept aside: read "true"
        // and "false" strings, anything else as false.
        let new = match member(members, "new").map(|r| serde_json::from_str::<Value>(r.get())) {
            Some(Ok(Value::Bool(b))) => b,
            Some(Ok(Value::String(s))) => s.eq_ignore_ascii_case("true"),
            Some(Err(e)) => return Err(serde::de::Error::custom(e)),
            _ => false,
        };
        let mut taken = vec!["new"];
        let session_id = take_member(members, "sessionId", &mut taken).unwrap_or_default();
        let application = take_member(members, "application", &mut taken);
        let user = take_member(members, "user", &mut taken);
        let attributes = take_member(members, "attributes", &mut taken);
        Ok(Self {
            new,
            session_id,
            application,
            user,
            attributes,
            extra: rest(members, &taken, None).map_err(serde::de::Error::custom)?,
        })
    }
}
