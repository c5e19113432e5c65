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

/// How `new` reads: a boolean, or the strings "true"/"false" (any case); anything else false.
fn session_new(value: &Value) -> bool {
    match value {
        Value::Bool(b) => *b,
        Value::String(s) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

impl<'de> crate::macros::Exact<'de> for Session {
    fn exact<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use crate::macros::{Key, exact_extra, exact_field};
        struct Fields;
        impl<'de> serde::de::Visitor<'de> for Fields {
            type Value = Session;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a session object")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Session, A::Error> {
                let (mut new, mut session_id, mut application, mut user, mut attributes) =
                    (None::<Value>, None, None, None, None);
                let mut extra = Map::new();
                while let Some(Key(key)) = map.next_key()? {
                    match key.as_ref() {
                        "new" => exact_field(&mut map, &mut new, "new", &mut extra)?,
                        "sessionId" => {
                            exact_field(&mut map, &mut session_id, "sessionId", &mut extra)?
                        }
                        "application" => {
                            exact_field(&mut map, &mut application, "application", &mut extra)?
                        }
                        "user" => exact_field(&mut map, &mut user, "user", &mut extra)?,
                        "attributes" => {
                            exact_field(&mut map, &mut attributes, "attributes", &mut extra)?
                        }
                        _ => exact_extra(&mut map, &mut extra, key)?,
                    }
                }
                Ok(Session {
                    new: new.as_ref().is_some_and(session_new),
                    session_id: session_id.unwrap_or_default(),
                    application,
                    user,
                    attributes,
                    extra,
                })
            }
        }
        deserializer.deserialize_map(Fields)
    }
}

impl<'de> Deserialize<'de> for Session {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use crate::macros::{RawObject, member, rest, take_member};
        let raw = RawObject::deserialize(deserializer)?;
        let members = &raw.0;
        // `new` is always written back, so an odd value cannot be kept aside: read "true"
        // and "false" strings, anything else as false.
        let new = match member(members, "new").map(|r| serde_json::from_str::<Value>(r.get())) {
            Some(Ok(value)) => session_new(&value),
            Some(Err(e)) => return Err(serde::de::Error::custom(e)),
            None => false,
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
