//! What the mock answers: token and permission checks, switches, then one function per API.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use serde_json::{Value, json};

use crate::state::{MockList, State, duration_seconds, iso, unix_now};
use crate::{Inner, lock};

/// A request as the router sees it.
pub(crate) struct Incoming<'a> {
    pub(crate) method: &'a str,
    pub(crate) path: &'a str,
    pub(crate) authorization: Option<&'a str>,
    pub(crate) content_type: Option<&'a str>,
    pub(crate) body: &'a [u8],
}

/// An answer.
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) body: Option<Value>,
    pub(crate) retry_after: Option<u64>,
}

impl Reply {
    fn json(status: u16, body: Value) -> Self {
        Self {
            status,
            body: Some(body),
            retry_after: None,
        }
    }

    fn empty(status: u16) -> Self {
        Self {
            status,
            body: None,
            retry_after: None,
        }
    }

    fn error(status: u16, code: &str, message: &str) -> Self {
        Self::json(status, json!({"code": code, "message": message}))
    }

    fn not_found(what: &str) -> Self {
        Self::error(404, "NOT_FOUND", &format!("{what} not found"))
    }

    fn bad_request(message: &str) -> Self {
        Self::error(400, "INVALID_REQUEST", message)
    }

    pub(crate) fn into_response(self) -> hyper::Response<Full<Bytes>> {
        let mut builder = hyper::Response::builder().status(self.status);
        if let Some(seconds) = self.retry_after {
            builder = builder.header(hyper::header::RETRY_AFTER, seconds.to_string());
        }
        let body = match self.body {
            Some(value) => {
                builder = builder.header(hyper::header::CONTENT_TYPE, "application/json");
                Bytes::from(serde_json::to_vec(&value).unwrap_or_default())
            }
            None => Bytes::new(),
        };
        builder
            .body(Full::new(body))
            .unwrap_or_else(|_| hyper::Response::new(Full::new(Bytes::new())))
    }
}

/// Issues a token of `kind` (`request` or an LWA scope) living `lifetime` seconds.
pub(crate) fn issue(state: &mut State, kind: &str, lifetime: i64) -> String {
    let mut random = [0u8; 18];
    let token = match aws_lc_rs::rand::fill(&mut random) {
        Ok(()) => random
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>(),
        Err(_) => format!("{}-{}", unix_now(), state.next_id),
    };
    let token = format!("mock.{kind}.{token}").replace(':', "_");
    state.tokens.insert(
        token.clone(),
        crate::state::IssuedToken {
            expires: unix_now() + lifetime,
            kind: kind.to_owned(),
        },
    );
    // Forget tokens long expired, so the file does not grow forever.
    let horizon = unix_now() - 86_400;
    state.tokens.retain(|_, t| t.expires > horizon);
    token
}

/// The permission a path needs, if any.
fn scope_of(method: &str, segments: &[&str]) -> Option<&'static str> {
    match segments {
        [
            "v1",
            "devices",
            _,
            "settings",
            "address",
            "countryAndPostalCode",
        ] => Some("read::alexa:device:all:address:country_and_postal_code"),
        ["v1", "devices", _, "settings", "address"] => Some("read::alexa:device:all:address"),
        ["v2", "accounts", "~current", "settings", field]
        | ["v2", "persons", "~current", "profile", field] => {
            match field.trim_start_matches("Profile.") {
                "name" => Some("alexa::profile:name:read"),
                "givenName" => Some("alexa::profile:given_name:read"),
                "email" => Some("alexa::profile:email:read"),
                "mobileNumber" => Some("alexa::profile:mobile_number:read"),
                _ => None,
            }
        }
        ["v1", "alerts", "reminders", ..] => Some("alexa::alerts:reminders:skill:readwrite"),
        ["v1", "alerts", "timers", ..] => Some("alexa::alerts:timers:skill:readwrite"),
        ["v2", "householdlists", ..] if method == "GET" => Some("read::alexa:household:list"),
        ["v2", "householdlists", ..] => Some("write::alexa:household:list"),
        _ => None,
    }
}

/// The token kind a path needs: the LWA scope for out-of-session APIs, else `request`.
fn token_kind(segments: &[&str]) -> &'static str {
    match segments {
        ["v1", "proactiveEvents", ..] => "alexa::proactive_events",
        ["v1", "skillmessages", ..] => "alexa:skill_messaging",
        _ => "request",
    }
}

/// The answer, and how long to wait before sending it (the slow switch).
pub(crate) fn answer(inner: &Inner, call: &Incoming<'_>) -> (Reply, Option<Duration>) {
    let segments: Vec<&str> = call
        .path
        .trim_start_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    let (reply, slow) = decide(inner, call, &segments);
    (reshape_error(&segments, reply), slow)
}

/// Amazon's APIs shape their error JSON differently (ask-sdk-model has one `Error` per
/// API): errors are made as `{"code", "message"}` and reshaped here for the API called.
fn reshape_error(segments: &[&str], mut reply: Reply) -> Reply {
    let Some(body) = reply.body.as_ref() else {
        return reply;
    };
    if reply.status < 400 || body.get("error").is_some() {
        return reply;
    }
    let code = body["code"].as_str().unwrap_or("UNKNOWN_ERROR").to_owned();
    let message = body["message"].clone();
    reply.body = Some(match segments {
        ["v1", "devices", ..] | ["v2", "householdlists", ..] => {
            json!({"type": code, "message": message})
        }
        ["v1", "users", ..] => json!({"message": message}),
        ["v1", "directives" | "proactiveEvents" | "skillmessages", ..] => {
            json!({"code": reply.status, "message": message})
        }
        ["v2", "accounts" | "persons" | "devices", ..] => {
            let known = [
                "INVALID_KEY",
                "INVALID_VALUE",
                "INVALID_TOKEN",
                "INVALID_URI",
                "DEVICE_UNREACHABLE",
            ];
            let code = if known.contains(&code.as_str()) {
                code
            } else {
                "UNKNOWN_ERROR".to_owned()
            };
            json!({"code": code, "message": message})
        }
        _ => json!({"code": code, "message": message}),
    });
    reply
}

fn decide(inner: &Inner, call: &Incoming<'_>, segments: &[&str]) -> (Reply, Option<Duration>) {
    let segments = segments.to_vec();
    let mut state = lock(&inner.state);
    if segments == ["auth", "o2", "token"] && call.method == "POST" {
        let reply = lwa_token(inner, &mut state, call);
        save(inner, &state);
        return (reply, None);
    }
    let kind = token_kind(&segments);
    let switches = lock(&inner.switches).clone();
    // The token.
    let token = call.authorization.and_then(|a| a.strip_prefix("Bearer "));
    let issued = token.and_then(|t| state.tokens.get(t));
    let Some(issued) = issued else {
        return (
            Reply::error(
                401,
                "INVALID_TOKEN",
                "The access token is missing or invalid",
            ),
            None,
        );
    };
    if issued.kind != kind {
        return (
            Reply::error(
                401,
                "INVALID_TOKEN",
                "The access token is invalid for this API",
            ),
            None,
        );
    }
    if issued.expires <= unix_now() || (switches.expired_token && kind == "request") {
        return (
            Reply::error(401, "INVALID_TOKEN", "The access token has expired"),
            None,
        );
    }
    // The switches.
    if switches.rate_limited {
        let mut reply = Reply::error(429, "TOO_MANY_REQUESTS", "Rate exceeded");
        reply.retry_after = Some(1);
        return (reply, switches.slow);
    }
    if switches.fail {
        return (
            Reply::error(500, "INTERNAL_ERROR", "The mock was told to fail"),
            switches.slow,
        );
    }
    // The permission.
    if let Some(scope) = scope_of(call.method, &segments) {
        let consent_status = if scope.starts_with("alexa::alerts:") {
            401
        } else {
            403
        };
        let declared = inner
            .config
            .declared_permissions
            .as_ref()
            .is_none_or(|d| d.contains(scope));
        if !declared {
            return (
                Reply::error(
                    consent_status,
                    "PERMISSION_NOT_REQUESTED",
                    &format!("{scope} was not requested in the skill's manifest"),
                ),
                switches.slow,
            );
        }
        if !state.granted.contains(scope) {
            let reply = if consent_status == 403 {
                Reply::error(
                    403,
                    "FORBIDDEN",
                    &format!("The user has not granted {scope}"),
                )
            } else {
                Reply::error(
                    401,
                    "UNAUTHORIZED",
                    &format!("The user has not granted {scope}"),
                )
            };
            return (reply, switches.slow);
        }
    }
    let body: Option<Value> = if call.body.is_empty() {
        None
    } else {
        let json_type = call
            .content_type
            .is_some_and(|t| t.starts_with("application/json"));
        match serde_json::from_slice(call.body) {
            Ok(v) if json_type => Some(v),
            _ => return (Reply::bad_request("the body is not JSON"), switches.slow),
        }
    };
    let reply = route(inner, &mut state, call, &segments, body);
    if matches!(call.method, "POST" | "PUT" | "DELETE") && reply.status < 300 {
        save(inner, &state);
    }
    (reply, switches.slow)
}

fn save(inner: &Inner, state: &State) {
    if let Err(error) = state.save(&inner.state_path) {
        tracing::warn!(%error, "mock Alexa API: cannot save its state");
    }
}

fn lwa_token(inner: &Inner, state: &mut State, call: &Incoming<'_>) -> Reply {
    let form = String::from_utf8_lossy(call.body);
    let field = |name: &str| {
        form.split('&').find_map(|pair| {
            let (k, v) = pair.split_once('=')?;
            (k == name).then(|| {
                percent_encoding::percent_decode_str(&v.replace('+', " "))
                    .decode_utf8_lossy()
                    .into_owned()
            })
        })
    };
    let (id, secret) = &inner.config.client_credentials;
    if field("grant_type").as_deref() != Some("client_credentials") {
        return Reply::json(
            400,
            json!({"error": "unsupported_grant_type", "error_description": "grant_type must be client_credentials"}),
        );
    }
    if field("client_id").as_deref() != Some(id)
        || field("client_secret").as_deref() != Some(secret)
    {
        return Reply::json(
            401,
            json!({"error": "invalid_client", "error_description": "Client authentication failed"}),
        );
    }
    let scope = field("scope").unwrap_or_default();
    if !matches!(
        scope.as_str(),
        "alexa::proactive_events" | "alexa:skill_messaging"
    ) {
        return Reply::json(
            400,
            json!({"error": "invalid_scope", "error_description": "unknown scope"}),
        );
    }
    let lifetime = inner.config.lwa_token_lifetime.as_secs() as i64;
    let token = issue(state, &scope, lifetime);
    Reply::json(
        200,
        json!({"access_token": token, "expires_in": lifetime, "scope": scope, "token_type": "bearer"}),
    )
}

fn route(
    inner: &Inner,
    state: &mut State,
    call: &Incoming<'_>,
    segments: &[&str],
    body: Option<Value>,
) -> Reply {
    let now = unix_now();
    match (call.method, segments) {
        // Device Address.
        ("GET", ["v1", "devices", _, "settings", "address"]) => Reply::json(
            200,
            json!({
                "addressLine1": "410 Terry Ave North",
                "addressLine2": "",
                "addressLine3": "aeiou",
                "countryCode": "US",
                "stateOrRegion": "WA",
                "city": "Seattle",
                "districtOrCounty": "",
                "postalCode": "98109"
            }),
        ),
        (
            "GET",
            [
                "v1",
                "devices",
                _,
                "settings",
                "address",
                "countryAndPostalCode",
            ],
        ) => Reply::json(200, json!({"countryCode": "US", "postalCode": "98109"})),
        // Profiles.
        ("GET", ["v2", "accounts" | "persons", "~current", _, field]) => {
            match field.trim_start_matches("Profile.") {
                "name" => Reply::json(200, json!("Ada Lovelace")),
                "givenName" => Reply::json(200, json!("Ada")),
                "email" if segments[1] == "accounts" => {
                    Reply::json(200, json!("ada@example.invalid"))
                }
                "mobileNumber" => Reply::json(
                    200,
                    json!({"countryCode": "+1", "phoneNumber": "2065550100"}),
                ),
                _ => Reply::not_found("setting"),
            }
        }
        // Device settings.
        ("GET", ["v2", "devices", _, "settings", setting]) => match *setting {
            "System.timeZone" => Reply::json(200, json!(inner.config.time_zone)),
            "System.distanceUnits" => Reply::json(200, json!("METRIC")),
            "System.temperatureUnit" => Reply::json(200, json!("CELSIUS")),
            _ => Reply::not_found("setting"),
        },
        // Reminders.
        ("POST", ["v1", "alerts", "reminders"]) => create_reminder(state, body, now),
        ("GET", ["v1", "alerts", "reminders"]) => {
            let alerts: Vec<Value> = state.reminders.values().cloned().collect();
            Reply::json(
                200,
                json!({"totalCount": alerts.len().to_string(), "alerts": alerts}),
            )
        }
        ("GET", ["v1", "alerts", "reminders", token]) => match state.reminders.get(*token) {
            Some(r) => Reply::json(200, r.clone()),
            None => Reply::not_found("reminder"),
        },
        ("PUT", ["v1", "alerts", "reminders", token]) => update_reminder(state, token, body, now),
        ("DELETE", ["v1", "alerts", "reminders", token]) => match state.reminders.remove(*token) {
            Some(_) => Reply::empty(200),
            None => Reply::not_found("reminder"),
        },
        // Timers.
        ("POST", ["v1", "alerts", "timers"]) => create_timer(state, body, now),
        ("GET", ["v1", "alerts", "timers"]) => {
            let timers: Vec<Value> = state.timers.values().cloned().collect();
            Reply::json(200, json!({"totalCount": timers.len(), "timers": timers}))
        }
        ("DELETE", ["v1", "alerts", "timers"]) => {
            state.timers.clear();
            Reply::empty(200)
        }
        ("GET", ["v1", "alerts", "timers", id]) => match state.timers.get(*id) {
            Some(t) => Reply::json(200, t.clone()),
            None => Reply::not_found("timer"),
        },
        ("DELETE", ["v1", "alerts", "timers", id]) => match state.timers.remove(*id) {
            Some(_) => Reply::empty(200),
            None => Reply::not_found("timer"),
        },
        ("POST", ["v1", "alerts", "timers", id, action @ ("pause" | "resume")]) => {
            match state.timers.get_mut(*id) {
                Some(timer) => {
                    let paused = *action == "pause";
                    timer["status"] = json!(if paused { "PAUSED" } else { "ON" });
                    timer["updatedTime"] = json!(iso(now));
                    if paused {
                        timer["remainingTimeWhenPaused"] = timer["duration"].clone();
                    } else if let Some(map) = timer.as_object_mut() {
                        map.remove("remainingTimeWhenPaused");
                    }
                    Reply::empty(204)
                }
                None => Reply::not_found("timer"),
            }
        }
        // Lists.
        ("GET", ["v2", "householdlists"]) => {
            let lists: Vec<Value> = state
                .lists
                .iter()
                .map(|(id, l)| list_metadata(id, l))
                .collect();
            Reply::json(200, json!({"lists": lists}))
        }
        (
            "GET",
            [
                "v2",
                "householdlists",
                list_id,
                status @ ("active" | "completed"),
            ],
        ) => match state.lists.get(*list_id) {
            Some(l) => {
                let items: Vec<Value> = l
                    .items
                    .values()
                    .filter(|i| i["status"] == json!(status))
                    .cloned()
                    .collect();
                Reply::json(
                    200,
                    json!({"listId": list_id, "name": l.name, "state": l.state, "version": l.version, "items": items}),
                )
            }
            None => Reply::not_found("list"),
        },
        ("GET", ["v2", "householdlists", list_id, "items", item_id]) => {
            match state
                .lists
                .get(*list_id)
                .and_then(|l| l.items.get(*item_id))
            {
                Some(item) => Reply::json(200, item.clone()),
                None => Reply::not_found("item"),
            }
        }
        ("POST", ["v2", "householdlists", list_id, "items"]) => {
            create_item(state, list_id, body, now)
        }
        ("PUT", ["v2", "householdlists", list_id, "items", item_id]) => {
            update_item(state, list_id, item_id, body, now)
        }
        ("DELETE", ["v2", "householdlists", list_id, "items", item_id]) => {
            match state
                .lists
                .get_mut(*list_id)
                .and_then(|l| l.items.remove(*item_id))
            {
                Some(_) => Reply::empty(200),
                None => Reply::not_found("item"),
            }
        }
        // Monetization.
        (
            "GET",
            [
                "v1",
                "users",
                "~current",
                "skills",
                "~current",
                "inSkillProducts",
            ],
        ) => {
            let products: Vec<Value> = state.products.values().cloned().collect();
            Reply::json(
                200,
                json!({"inSkillProducts": products, "isTruncated": false}),
            )
        }
        (
            "GET",
            [
                "v1",
                "users",
                "~current",
                "skills",
                "~current",
                "inSkillProducts",
                id,
            ],
        ) => match state.products.get(*id) {
            Some(p) => Reply::json(200, p.clone()),
            None => Reply::not_found("product"),
        },
        // Endpoint enumeration.
        ("GET", ["v1", "endpoints"]) => Reply::json(
            200,
            json!({"endpoints": [{
                "endpointId": "amzn1.ask.endpoint.mock-kitchen",
                "friendlyName": "Kitchen Echo",
                "capabilities": [{"interface": "Alexa.Gadget.StateListener", "type": "AlexaInterface", "version": "1.0"}]
            }]}),
        ),
        // Directives.
        ("POST", ["v1", "directives"]) => {
            let speech = body
                .as_ref()
                .and_then(|b| b.pointer("/directive/speech"))
                .and_then(Value::as_str);
            let request_id = body
                .as_ref()
                .and_then(|b| b.pointer("/header/requestId"))
                .and_then(Value::as_str);
            match (speech, request_id) {
                (Some(speech), Some(_)) => {
                    state.progressive.push(speech.to_owned());
                    Reply::empty(204)
                }
                _ => Reply::error(400, "INVALID_DIRECTIVE", "Directive not valid"),
            }
        }
        // Out of session.
        ("POST", ["v1", "proactiveEvents", rest @ ..])
            if rest.is_empty() || rest == ["stages", "development"] =>
        {
            match body {
                Some(event) if event.get("event").is_some() => {
                    state.proactive_events.push(event);
                    Reply::empty(202)
                }
                _ => Reply::error(400, "INVALID_EVENT", "event is required"),
            }
        }
        ("POST", ["v1", "skillmessages", "users", user_id]) => match body {
            Some(message) if message.get("data").is_some() => {
                state.messages.push(json!({
                    "userId": user_id,
                    "data": message["data"],
                    "expiresAfterSeconds": message.get("expiresAfterSeconds"),
                }));
                Reply::empty(202)
            }
            _ => Reply::error(400, "INVALID_MESSAGE", "data is required"),
        },
        _ => Reply::not_found("resource"),
    }
}

fn create_reminder(state: &mut State, body: Option<Value>, now: i64) -> Reply {
    let Some(body) = body else {
        return Reply::bad_request("a reminder is required");
    };
    if body.get("trigger").is_none() || body.get("alertInfo").is_none() {
        return Reply::bad_request("trigger and alertInfo are required");
    }
    let token = state.id("amzn1.alert.mock-reminder");
    let reminder = json!({
        "alertToken": token,
        "createdTime": iso(now),
        "updatedTime": iso(now),
        "status": "ON",
        "trigger": body["trigger"],
        "alertInfo": body["alertInfo"],
        "pushNotification": body.get("pushNotification").cloned().unwrap_or(json!({"status": "ENABLED"})),
        "version": "1"
    });
    state.reminders.insert(token.clone(), reminder);
    Reply::json(200, reminder_response(&token, now, now, "1"))
}

fn reminder_response(token: &str, created: i64, updated: i64, version: &str) -> Value {
    json!({
        "alertToken": token,
        "createdTime": iso(created),
        "updatedTime": iso(updated),
        "status": "ON",
        "version": version,
        "href": format!("/v1/alerts/reminders/{token}")
    })
}

fn update_reminder(state: &mut State, token: &str, body: Option<Value>, now: i64) -> Reply {
    let Some(body) = body else {
        return Reply::bad_request("a reminder is required");
    };
    let Some(reminder) = state.reminders.get_mut(token) else {
        return Reply::not_found("reminder");
    };
    for field in ["trigger", "alertInfo", "pushNotification"] {
        if let Some(v) = body.get(field) {
            reminder[field] = v.clone();
        }
    }
    let version = reminder["version"]
        .as_str()
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(1)
        + 1;
    reminder["version"] = json!(version.to_string());
    reminder["updatedTime"] = json!(iso(now));
    Reply::json(
        200,
        reminder_response(token, now, now, &version.to_string()),
    )
}

fn create_timer(state: &mut State, body: Option<Value>, now: i64) -> Reply {
    let Some(body) = body else {
        return Reply::bad_request("a timer is required");
    };
    let Some(duration) = body["duration"].as_str() else {
        return Reply::bad_request("duration is required");
    };
    let Some(seconds) = duration_seconds(duration).filter(|s| (1..=86_400).contains(s)) else {
        return Reply::bad_request("duration must be an ISO 8601 duration of at most a day");
    };
    let id = state.id("mock-timer");
    let mut timer = json!({
        "id": id,
        "status": "ON",
        "duration": duration,
        "triggerTime": iso(now + seconds),
        "createdTime": iso(now),
        "updatedTime": iso(now)
    });
    if let Some(label) = body["timerLabel"].as_str() {
        timer["timerLabel"] = json!(label);
    }
    state.timers.insert(id, timer.clone());
    Reply::json(200, timer)
}

fn list_metadata(id: &str, list: &MockList) -> Value {
    json!({
        "listId": id,
        "name": list.name,
        "state": list.state,
        "version": list.version,
        "statusMap": [
            {"url": format!("/v2/householdlists/{id}/active"), "status": "active"},
            {"url": format!("/v2/householdlists/{id}/completed"), "status": "completed"}
        ]
    })
}

fn create_item(state: &mut State, list_id: &str, body: Option<Value>, now: i64) -> Reply {
    let Some(value) = body.as_ref().and_then(|b| b["value"].as_str()) else {
        return Reply::bad_request("value is required");
    };
    let status = body
        .as_ref()
        .and_then(|b| b["status"].as_str())
        .unwrap_or("active")
        .to_owned();
    if !state.lists.contains_key(list_id) {
        return Reply::not_found("list");
    }
    let id = state.id("mock-item");
    let item = json!({
        "id": id,
        "version": 1,
        "value": value,
        "status": status,
        "createdTime": iso(now),
        "updatedTime": iso(now),
        "href": format!("/v2/householdlists/{list_id}/items/{id}")
    });
    if let Some(list) = state.lists.get_mut(list_id) {
        list.items.insert(id, item.clone());
    }
    Reply::json(201, item)
}

fn update_item(
    state: &mut State,
    list_id: &str,
    item_id: &str,
    body: Option<Value>,
    now: i64,
) -> Reply {
    let Some(body) = body else {
        return Reply::bad_request("an item is required");
    };
    let Some(item) = state
        .lists
        .get_mut(list_id)
        .and_then(|l| l.items.get_mut(item_id))
    else {
        return Reply::not_found("item");
    };
    if body["version"] != item["version"] {
        return Reply::json(
            409,
            json!({"code": "CONFLICT", "message": "The item's version has changed"}),
        );
    }
    if let Some(v) = body["value"].as_str() {
        item["value"] = json!(v);
    }
    if let Some(s) = body["status"].as_str() {
        item["status"] = json!(s);
    }
    item["version"] = json!(item["version"].as_i64().unwrap_or(1) + 1);
    item["updatedTime"] = json!(iso(now));
    Reply::json(200, item.clone())
}
