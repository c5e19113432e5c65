//! Simulated Alexa request envelopes with the shape and size of real traffic, and the
//! refreshing of recorded ones for replay. Pure: the clock comes in as an argument.

use aws_lc_rs::digest;
use base64::Engine as _;
use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use time::macros::format_description;

use crate::error::Error;
use crate::random;

/// The application id `invoke` uses when none is given (the demo server accepts any id
/// when none is configured).
pub const DEFAULT_APP_ID: &str = "amzn1.ask.skill.00000000-0000-4000-8000-000000000000";

/// The locale used when none is given.
pub const DEFAULT_LOCALE: &str = "en-US";

/// Who is asking, from which device, for which skill.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// `applicationId` (skill id).
    pub app_id: String,
    /// BCP-47 locale, e.g. `en-US`.
    pub locale: String,
    /// The full `userId` (`amzn1.ask.account.…`).
    pub user_id: String,
    /// The full `deviceId` (`amzn1.ask.device.…`).
    pub device_id: String,
    /// Whether the device has a screen (adds APL support and `context.Viewport`).
    pub screen: bool,
}

impl Default for Identity {
    fn default() -> Self {
        Self {
            app_id: DEFAULT_APP_ID.into(),
            locale: DEFAULT_LOCALE.into(),
            user_id: user_id("dev"),
            device_id: device_id("dev"),
            screen: false,
        }
    }
}

/// Derives a stable, realistic opaque id of `len` characters from a short name.
fn derive(name: &str, len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::with_capacity(len);
    let mut counter = 0u32;
    while out.len() < len {
        let mut ctx = digest::Context::new(&digest::SHA256);
        ctx.update(name.as_bytes());
        ctx.update(&counter.to_be_bytes());
        for b in ctx.finish().as_ref() {
            if out.len() < len {
                out.push(char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]));
            }
        }
        counter += 1;
    }
    out
}

/// A `userId`: used as is when it already starts with `amzn1.`, otherwise a stable id
/// derived from the short name (`--user alice` is the same user on every run).
pub fn user_id(name: &str) -> String {
    if name.starts_with("amzn1.") {
        name.to_string()
    } else {
        format!("amzn1.ask.account.{}", derive(name, 196))
    }
}

/// A `deviceId`, like [`user_id`].
pub fn device_id(name: &str) -> String {
    if name.starts_with("amzn1.") {
        name.to_string()
    } else {
        format!(
            "amzn1.ask.device.{}",
            derive(&format!("device:{name}"), 184)
        )
    }
}

/// A fresh `sessionId`.
pub fn new_session_id() -> String {
    format!("amzn1.echo-api.session.{}", random::uuid())
}

/// A fresh `requestId`.
pub fn new_request_id() -> String {
    format!("amzn1.echo-api.request.{}", random::uuid())
}

/// `request.timestamp` as Alexa writes it: RFC 3339, UTC, `Z`, no fractional seconds.
pub fn timestamp(now: OffsetDateTime) -> String {
    let fmt = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    now.to_offset(time::UtcOffset::UTC)
        .format(&fmt)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".into())
}

/// The session part that carries over between turns.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    /// `session.sessionId`.
    pub id: String,
    /// `session.new`.
    pub new: bool,
    /// `session.attributes` (what the skill returned as `sessionAttributes` last turn).
    pub attributes: Map<String, Value>,
}

impl Session {
    /// A new session: fresh id, `new: true`, no attributes.
    pub fn fresh() -> Self {
        Self {
            id: new_session_id(),
            new: true,
            attributes: Map::new(),
        }
    }
}

/// `request.dialogState` of an IntentRequest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DialogState {
    /// First turn of a dialog.
    Started,
    /// A later turn.
    InProgress,
    /// All required slots filled.
    Completed,
}

impl DialogState {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Started => "STARTED",
            Self::InProgress => "IN_PROGRESS",
            Self::Completed => "COMPLETED",
        }
    }
}

/// An intent with its slot values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intent {
    /// The intent name, e.g. `TurnOnIntent` or `AMAZON.HelpIntent`.
    pub name: String,
    /// `(slot name, value)` pairs, in order.
    pub slots: Vec<(String, String)>,
    /// `intent.confirmationStatus`: `NONE`, `CONFIRMED` or `DENIED`.
    pub confirmation: String,
    /// `request.dialogState`, if any.
    pub dialog_state: Option<DialogState>,
}

impl Intent {
    /// An intent with no slots, not confirmed, dialog `STARTED`.
    pub fn named(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            slots: Vec::new(),
            confirmation: "NONE".into(),
            dialog_state: Some(DialogState::Started),
        }
    }

    /// Sets (or replaces) a slot value.
    pub fn set_slot(&mut self, name: &str, value: &str) {
        match self.slots.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = value.to_string(),
            None => self.slots.push((name.to_string(), value.to_string())),
        }
    }

    /// Reads an intent (name and slot values) from an `intent` object of a request or
    /// of a dialog directive's `updatedIntent`.
    pub fn from_json(value: &Value) -> Option<Self> {
        let name = value.get("name")?.as_str()?.to_string();
        let mut intent = Self::named(name);
        if let Some(slots) = value.get("slots").and_then(Value::as_object) {
            for (key, slot) in slots {
                if let Some(v) = slot.get("value").and_then(Value::as_str) {
                    intent.slots.push((key.clone(), v.to_string()));
                }
            }
        }
        if let Some(c) = value.get("confirmationStatus").and_then(Value::as_str) {
            intent.confirmation = c.to_string();
        }
        Some(intent)
    }
}

/// What kind of request to build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestKind {
    /// `LaunchRequest` ("Alexa, open …").
    Launch,
    /// `IntentRequest`.
    Intent(Intent),
    /// `SessionEndedRequest` with a reason (`USER_INITIATED`, `ERROR`,
    /// `EXCEEDED_MAX_REPROMPTS`).
    SessionEnded {
        /// The reason.
        reason: String,
    },
}

fn api_access_token(identity: &Identity, now: OffsetDateTime) -> String {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header = b64.encode(br#"{"typ":"JWT","alg":"RS256","kid":"1"}"#);
    let iat = now.unix_timestamp();
    let claims = json!({
        "aud": "https://api.amazonalexa.com",
        "iss": "AlexaSkillKit",
        "sub": identity.app_id,
        "exp": iat + 3600,
        "iat": iat,
        "nbf": iat,
        "privateClaims": {
            "context": random::base64url(300),
            "deviceId": identity.device_id,
            "userId": identity.user_id,
        }
    });
    let payload = b64.encode(claims.to_string());
    format!("{header}.{payload}.{}", random::base64url(256))
}

fn device(identity: &Identity) -> Value {
    let mut interfaces = json!({ "AudioPlayer": {} });
    if identity.screen {
        interfaces["Alexa.Presentation.APL"] = json!({ "runtime": { "maxVersion": "2023.3" } });
        interfaces["Display"] = json!({ "templateVersion": "1.0", "markupVersion": "1.0" });
    }
    json!({ "deviceId": identity.device_id, "supportedInterfaces": interfaces })
}

fn viewport() -> Value {
    json!({
        "experiences": [{ "arcMinuteWidth": 246, "arcMinuteHeight": 144, "canRotate": false, "canResize": false }],
        "mode": "HUB",
        "shape": "RECTANGLE",
        "pixelWidth": 1024,
        "pixelHeight": 600,
        "dpi": 160,
        "currentPixelWidth": 1024,
        "currentPixelHeight": 600,
        "touch": ["SINGLE"],
        "video": { "codecs": ["H_264_42", "H_264_41"] }
    })
}

/// Builds a complete request envelope for `kind`, at instant `now`, in `session`.
pub fn build(
    kind: &RequestKind,
    identity: &Identity,
    session: &Session,
    now: OffsetDateTime,
) -> Value {
    let application = json!({ "applicationId": identity.app_id });
    let user = json!({ "userId": identity.user_id });
    let mut context = json!({
        "System": {
            "application": application,
            "user": user,
            "device": device(identity),
            "apiEndpoint": "https://api.amazonalexa.com",
            "apiAccessToken": api_access_token(identity, now),
        },
        "AudioPlayer": { "playerActivity": "IDLE" },
    });
    if identity.screen {
        context["Viewport"] = viewport();
    }
    let mut request = json!({
        "requestId": new_request_id(),
        "timestamp": timestamp(now),
        "locale": identity.locale,
    });
    match kind {
        RequestKind::Launch => {
            request["type"] = json!("LaunchRequest");
            request["shouldLinkResultBeReturned"] = json!(false);
        }
        RequestKind::Intent(intent) => {
            request["type"] = json!("IntentRequest");
            let slots: Map<String, Value> = intent
                .slots
                .iter()
                .map(|(name, value)| {
                    (
                        name.clone(),
                        json!({ "name": name, "value": value, "confirmationStatus": "NONE", "source": "USER" }),
                    )
                })
                .collect();
            let mut i = json!({ "name": intent.name, "confirmationStatus": intent.confirmation });
            if !slots.is_empty() {
                i["slots"] = Value::Object(slots);
            }
            request["intent"] = i;
            if let Some(state) = intent.dialog_state {
                request["dialogState"] = json!(state.as_str());
            }
        }
        RequestKind::SessionEnded { reason } => {
            request["type"] = json!("SessionEndedRequest");
            request["reason"] = json!(reason);
            if reason == "ERROR" {
                request["error"] =
                    json!({ "type": "INVALID_RESPONSE", "message": "simulated error" });
            }
        }
    }
    json!({
        "version": "1.0",
        "session": {
            "new": session.new,
            "sessionId": session.id,
            "application": application,
            "attributes": session.attributes,
            "user": user,
        },
        "context": context,
        "request": request,
    })
}

/// The compact JSON bytes sent on the wire (and signed).
pub fn to_body(envelope: &Value) -> Vec<u8> {
    // Serializing a `Value` cannot fail (string keys only).
    serde_json::to_vec(envelope).unwrap_or_default()
}

/// Takes a file's JSON — a request envelope, or a recorded exchange
/// `{"request": envelope, "response": …}` — and returns the request envelope.
pub fn request_from_file(value: Value) -> Result<Value, Error> {
    let is_envelope = |v: &Value| {
        v.get("request")
            .and_then(|r| r.get("type"))
            .and_then(Value::as_str)
            .is_some()
    };
    if is_envelope(&value) {
        return Ok(value);
    }
    match value {
        Value::Object(mut map) => match map.remove("request") {
            Some(inner) if is_envelope(&inner) => Ok(inner),
            _ => Err(Error::Envelope(
                "neither a request envelope (request.type) nor a recorded exchange ({\"request\": envelope})".into(),
            )),
        },
        _ => Err(Error::Envelope("not a JSON object".into())),
    }
}

/// Prepares a recorded envelope for replay: fresh `requestId`, `timestamp` = `now`, and
/// (if given) a different application id everywhere it appears.
pub fn refresh(
    mut envelope: Value,
    now: OffsetDateTime,
    app_id: Option<&str>,
) -> Result<Value, Error> {
    let request = envelope
        .get_mut("request")
        .and_then(Value::as_object_mut)
        .ok_or_else(|| Error::Envelope("no request object".into()))?;
    request.insert("requestId".into(), json!(new_request_id()));
    request.insert("timestamp".into(), json!(timestamp(now)));
    if let Some(id) = app_id {
        for path in [
            &["session", "application"][..],
            &["context", "System", "application"][..],
        ] {
            let mut node = Some(&mut envelope);
            for key in path {
                node = node.and_then(|n| n.get_mut(*key));
            }
            if let Some(Value::Object(app)) = node {
                app.insert("applicationId".into(), json!(id));
            }
        }
    }
    Ok(envelope)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn at() -> OffsetDateTime {
        datetime!(2026-11-22 02:03:04.567 UTC)
    }

    #[test]
    fn timestamp_is_rfc3339_z_without_fraction() {
        assert_eq!(timestamp(at()), "2026-11-22T02:03:04Z");
        let offset = at().to_offset(time::UtcOffset::from_hms(2, 0, 0).unwrap());
        assert_eq!(timestamp(offset), "2026-11-22T02:03:04Z");
    }

    #[test]
    fn launch_has_the_real_shape() {
        let identity = Identity::default();
        let session = Session::fresh();
        let env = build(&RequestKind::Launch, &identity, &session, at());
        assert_eq!(env["version"], "1.0");
        assert_eq!(env["request"]["type"], "LaunchRequest");
        assert_eq!(env["request"]["timestamp"], "2026-11-22T02:03:04Z");
        assert_eq!(env["request"]["locale"], "en-US");
        assert!(
            env["request"]["requestId"]
                .as_str()
                .unwrap()
                .starts_with("amzn1.echo-api.request.")
        );
        assert_eq!(env["session"]["new"], true);
        assert!(
            env["session"]["sessionId"]
                .as_str()
                .unwrap()
                .starts_with("amzn1.echo-api.session.")
        );
        let system = &env["context"]["System"];
        assert_eq!(system["application"]["applicationId"], DEFAULT_APP_ID);
        assert_eq!(
            env["session"]["application"]["applicationId"],
            DEFAULT_APP_ID
        );
        assert!(
            system["user"]["userId"]
                .as_str()
                .unwrap()
                .starts_with("amzn1.ask.account.")
        );
        assert!(
            system["device"]["deviceId"]
                .as_str()
                .unwrap()
                .starts_with("amzn1.ask.device.")
        );
        assert_eq!(system["apiEndpoint"], "https://api.amazonalexa.com");
        assert_eq!(
            system["apiAccessToken"]
                .as_str()
                .unwrap()
                .split('.')
                .count(),
            3
        );
        assert!(env["context"].get("Viewport").is_none());
        // The size of real traffic (a real launch with a token is 2-9 KB).
        let len = to_body(&env).len();
        assert!((1500..9000).contains(&len), "{len}");
    }

    #[test]
    fn screen_devices_get_a_viewport() {
        let identity = Identity {
            screen: true,
            ..Identity::default()
        };
        let env = build(&RequestKind::Launch, &identity, &Session::fresh(), at());
        assert_eq!(env["context"]["Viewport"]["pixelWidth"], 1024);
        assert!(
            env["context"]["System"]["device"]["supportedInterfaces"]
                .get("Alexa.Presentation.APL")
                .is_some()
        );
    }

    #[test]
    fn intent_slots_and_dialog_state() {
        let mut intent = Intent::named("TurnOnIntent");
        intent.set_slot("device", "lamp");
        intent.set_slot("room", "kitchen");
        intent.set_slot("device", "light");
        let mut session = Session::fresh();
        session.new = false;
        session.attributes.insert("count".into(), json!(2));
        let env = build(
            &RequestKind::Intent(intent),
            &Identity::default(),
            &session,
            at(),
        );
        let req = &env["request"];
        assert_eq!(req["type"], "IntentRequest");
        assert_eq!(req["dialogState"], "STARTED");
        assert_eq!(req["intent"]["name"], "TurnOnIntent");
        assert_eq!(
            req["intent"]["slots"]["device"],
            json!({"name": "device", "value": "light", "confirmationStatus": "NONE", "source": "USER"})
        );
        assert_eq!(req["intent"]["slots"]["room"]["value"], "kitchen");
        assert_eq!(env["session"]["new"], false);
        assert_eq!(env["session"]["attributes"]["count"], 2);
    }

    #[test]
    fn session_ended_has_a_reason() {
        let env = build(
            &RequestKind::SessionEnded {
                reason: "USER_INITIATED".into(),
            },
            &Identity::default(),
            &Session::fresh(),
            at(),
        );
        assert_eq!(env["request"]["type"], "SessionEndedRequest");
        assert_eq!(env["request"]["reason"], "USER_INITIATED");
        assert!(env["request"].get("error").is_none());
    }

    #[test]
    fn derived_ids_are_stable_and_distinct() {
        assert_eq!(user_id("alice"), user_id("alice"));
        assert_ne!(user_id("alice"), user_id("bob"));
        assert_eq!(user_id("amzn1.ask.account.X"), "amzn1.ask.account.X");
        assert!(device_id("kitchen").starts_with("amzn1.ask.device."));
        assert_ne!(new_request_id(), new_request_id());
    }

    #[test]
    fn intent_reads_back_from_json() {
        let value = json!({"name": "TurnOnIntent", "confirmationStatus": "NONE",
            "slots": {"device": {"name": "device", "value": "light"}, "room": {"name": "room"}}});
        let intent = Intent::from_json(&value).unwrap();
        assert_eq!(intent.name, "TurnOnIntent");
        assert_eq!(
            intent.slots,
            vec![("device".to_string(), "light".to_string())]
        );
    }

    #[test]
    fn replay_accepts_envelopes_and_exchanges_and_refreshes() {
        let env = build(
            &RequestKind::Launch,
            &Identity::default(),
            &Session::fresh(),
            at(),
        );
        let old_id = env["request"]["requestId"].clone();
        let exchange = json!({"request": env.clone(), "response": {"version": "1.0"}});
        let from_exchange = request_from_file(exchange).unwrap();
        assert_eq!(from_exchange, env);
        assert_eq!(request_from_file(env.clone()).unwrap(), env);
        assert!(request_from_file(json!({"foo": 1})).is_err());
        assert!(request_from_file(json!([1])).is_err());

        let later = datetime!(2027-01-01 00:00:00 UTC);
        let fresh = refresh(env, later, Some("amzn1.ask.skill.other")).unwrap();
        assert_ne!(fresh["request"]["requestId"], old_id);
        assert_eq!(fresh["request"]["timestamp"], "2027-01-01T00:00:00Z");
        assert_eq!(
            fresh["session"]["application"]["applicationId"],
            "amzn1.ask.skill.other"
        );
        assert_eq!(
            fresh["context"]["System"]["application"]["applicationId"],
            "amzn1.ask.skill.other"
        );
        assert!(refresh(json!({}), later, None).is_err());
    }

    #[test]
    fn the_fixture_launch_replays() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../testdata/alexa/requests/2019-07-launch-unsigned.body.json"
        );
        let text = std::fs::read_to_string(path).expect("testdata/alexa is part of the repository");
        let value: Value = serde_json::from_str(&text).unwrap();
        let env = refresh(request_from_file(value).unwrap(), at(), None).unwrap();
        assert_eq!(env["request"]["timestamp"], "2026-11-22T02:03:04Z");
        assert_eq!(env["request"]["type"], "LaunchRequest");
    }
}
