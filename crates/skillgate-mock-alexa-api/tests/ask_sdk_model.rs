//! The mock's answers (and the client's request bodies) checked against Amazon's own models:
//! a sample of each is deserialized with Python `ask-sdk-model` 1.82.0 (through ask-sdk-core's
//! `DefaultSerializer`) and serialized back, and nothing may be lost.
//!
//! The test installs the pinned packages (`tests/data/ask-sdk-requirements.txt`) into a venv
//! under Cargo's target tmp directory on first run (needs `python3` with `venv` and PyPI);
//! later runs reuse it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use skillgate_alexa_api::reminders::ReminderRequest;
use skillgate_alexa_api::timers::TimerRequest;
use skillgate_alexa_api::{AlexaApi, Scope, Transport};
use skillgate_mock_alexa_api::{
    DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, MockAlexaApi, MockConfig, SHOPPING_LIST_ID,
};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");

/// The venv with the pinned packages, made once.
fn venv() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("ask-sdk-model-1.82.0");
    let python = dir.join("bin/python");
    let marker = dir.join(".installed");
    let requirements = Path::new(DATA).join("ask-sdk-requirements.txt");
    let wanted = std::fs::read_to_string(&requirements).unwrap();
    if std::fs::read_to_string(&marker).ok().as_deref() == Some(wanted.as_str()) {
        return python;
    }
    let status = Command::new("python3")
        .args(["-m", "venv", "--clear"])
        .arg(&dir)
        .status()
        .expect("python3 is needed for this test");
    assert!(status.success(), "python3 -m venv failed");
    let status = Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-r",
        ])
        .arg(&requirements)
        .status()
        .unwrap();
    assert!(
        status.success(),
        "pip install of the pinned ask-sdk packages failed"
    );
    std::fs::write(&marker, wanted).unwrap();
    python
}

/// A raw HTTPS client trusting the mock (the typed client would hide the bytes).
fn raw_client(mock: &MockAlexaApi) -> reqwest::Client {
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_pki_types::pem::PemObject::pem_slice_iter(mock.ca_pem().as_bytes()) {
        roots.add(cert.unwrap()).unwrap();
    }
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .build()
        .unwrap()
}

struct Sampler {
    http: reqwest::Client,
    endpoint: String,
    token: String,
    samples: Vec<Value>,
}

impl Sampler {
    /// Calls the mock and keeps the answer's body as a sample of `kind`; returns it parsed.
    async fn take(
        &mut self,
        kind: &str,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
        status: u16,
    ) -> Value {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.endpoint))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(body);
        }
        let answer = request.send().await.unwrap();
        assert_eq!(answer.status().as_u16(), status, "{path}");
        let text = answer.text().await.unwrap();
        self.samples.push(json!({"type": kind, "body": text}));
        serde_json::from_str(&text).unwrap()
    }

    fn keep(&mut self, kind: &str, value: &impl serde::Serialize) {
        let body = serde_json::to_string(value).unwrap();
        self.samples.push(json!({"type": kind, "body": body}));
    }
}

#[tokio::test]
async fn mock_answers_deserialize_with_ask_sdk_model_without_loss() {
    let python = venv();
    let dir = tempfile::tempdir().unwrap();
    let mock = MockAlexaApi::start(MockConfig::new(dir.path()))
        .await
        .unwrap();
    let token = mock.issue_token();
    let mut s = Sampler {
        http: raw_client(&mock),
        endpoint: mock.endpoint(),
        token: token.clone(),
        samples: Vec::new(),
    };
    use reqwest::Method as M;
    // Errors before the permissions are granted.
    s.take(
        "device_address.error.Error",
        M::GET,
        "/v1/devices/d/settings/address",
        None,
        403,
    )
    .await;
    s.take(
        "reminder_management.error.Error",
        M::GET,
        "/v1/alerts/reminders",
        None,
        401,
    )
    .await;
    s.take(
        "ups.error.Error",
        M::GET,
        "/v2/accounts/~current/settings/Profile.email",
        None,
        403,
    )
    .await;
    for scope in Scope::ALL {
        mock.grant(scope.as_str());
    }
    s.take(
        "device_address.address.Address",
        M::GET,
        "/v1/devices/d/settings/address",
        None,
        200,
    )
    .await;
    s.take(
        "device_address.short_address.ShortAddress",
        M::GET,
        "/v1/devices/d/settings/address/countryAndPostalCode",
        None,
        200,
    )
    .await;
    s.take(
        "str",
        M::GET,
        "/v2/accounts/~current/settings/Profile.name",
        None,
        200,
    )
    .await;
    s.take(
        "ups.phone_number.PhoneNumber",
        M::GET,
        "/v2/persons/~current/profile/mobileNumber",
        None,
        200,
    )
    .await;
    s.take(
        "str",
        M::GET,
        "/v2/devices/d/settings/System.timeZone",
        None,
        200,
    )
    .await;
    s.take(
        "ups.distance_units.DistanceUnits",
        M::GET,
        "/v2/devices/d/settings/System.distanceUnits",
        None,
        200,
    )
    .await;
    s.take(
        "ups.temperature_unit.TemperatureUnit",
        M::GET,
        "/v2/devices/d/settings/System.temperatureUnit",
        None,
        200,
    )
    .await;
    // Reminders, with the client's own request body checked too.
    let mut reminder =
        ReminderRequest::at("2030-01-01T08:00:00", "Europe/Berlin", "en-US", "New year");
    reminder.request_time = Some("2026-11-30T07:00:00Z".into());
    s.keep(
        "reminder_management.reminder_request.ReminderRequest",
        &reminder,
    );
    let body = serde_json::to_value(&reminder).unwrap();
    let created = s
        .take(
            "reminder_management.reminder_response.ReminderResponse",
            M::POST,
            "/v1/alerts/reminders",
            Some(&body),
            200,
        )
        .await;
    let alert = created["alertToken"].as_str().unwrap().to_owned();
    s.take(
        "reminder_management.get_reminder_response.GetReminderResponse",
        M::GET,
        &format!("/v1/alerts/reminders/{alert}"),
        None,
        200,
    )
    .await;
    s.take(
        "reminder_management.get_reminders_response.GetRemindersResponse",
        M::GET,
        "/v1/alerts/reminders",
        None,
        200,
    )
    .await;
    // Timers.
    let timer = TimerRequest::announce("PT10M", "pasta", "en-US", "Pasta is done");
    s.keep("timer_management.timer_request.TimerRequest", &timer);
    let body = serde_json::to_value(&timer).unwrap();
    let created = s
        .take(
            "timer_management.timer_response.TimerResponse",
            M::POST,
            "/v1/alerts/timers",
            Some(&body),
            200,
        )
        .await;
    let id = created["id"].as_str().unwrap().to_owned();
    let paused = s
        .http
        .post(format!("{}/v1/alerts/timers/{id}/pause", s.endpoint))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(paused.status().as_u16(), 204);
    s.take(
        "timer_management.timer_response.TimerResponse",
        M::GET,
        &format!("/v1/alerts/timers/{id}"),
        None,
        200,
    )
    .await;
    s.take(
        "timer_management.timers_response.TimersResponse",
        M::GET,
        "/v1/alerts/timers",
        None,
        200,
    )
    .await;
    s.take(
        "timer_management.error.Error",
        M::GET,
        "/v1/alerts/timers/nope",
        None,
        404,
    )
    .await;
    // Lists.
    s.take(
        "list_management.alexa_lists_metadata.AlexaListsMetadata",
        M::GET,
        "/v2/householdlists",
        None,
        200,
    )
    .await;
    let item = json!({"value": "milk", "status": "active"});
    s.keep(
        "list_management.create_list_item_request.CreateListItemRequest",
        &item,
    );
    s.take(
        "list_management.alexa_list_item.AlexaListItem",
        M::POST,
        &format!("/v2/householdlists/{SHOPPING_LIST_ID}/items"),
        Some(&item),
        201,
    )
    .await;
    s.take(
        "list_management.alexa_list.AlexaList",
        M::GET,
        &format!("/v2/householdlists/{SHOPPING_LIST_ID}/active"),
        None,
        200,
    )
    .await;
    s.take(
        "list_management.error.Error",
        M::GET,
        &format!("/v2/householdlists/{SHOPPING_LIST_ID}/items/nope"),
        None,
        404,
    )
    .await;
    // Monetization, endpoints.
    let products = s
        .take(
            "monetization.in_skill_products_response.InSkillProductsResponse",
            M::GET,
            "/v1/users/~current/skills/~current/inSkillProducts",
            None,
            200,
        )
        .await;
    let product = products["inSkillProducts"][0]["productId"]
        .as_str()
        .unwrap()
        .to_owned();
    s.take(
        "monetization.in_skill_product.InSkillProduct",
        M::GET,
        &format!("/v1/users/~current/skills/~current/inSkillProducts/{product}"),
        None,
        200,
    )
    .await;
    s.take(
        "endpoint_enumeration.endpoint_enumeration_response.EndpointEnumerationResponse",
        M::GET,
        "/v1/endpoints",
        None,
        200,
    )
    .await;
    s.take(
        "directive.error.Error",
        M::POST,
        "/v1/directives",
        Some(&json!({})),
        400,
    )
    .await;
    // LWA.
    let form = format!(
        "grant_type=client_credentials&client_id={DEFAULT_CLIENT_ID}&client_secret={DEFAULT_CLIENT_SECRET}&scope=alexa:skill_messaging"
    );
    let answer = s
        .http
        .post(mock.token_url())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .unwrap();
    let text = answer.text().await.unwrap();
    s.samples
        .push(json!({"type": "lwa.access_token_response.AccessTokenResponse", "body": text}));

    // The typed client reads the same answers (a sanity check that the samples are real).
    let api = AlexaApi::new(
        Transport::builder()
            .add_root_pem(mock.ca_pem().as_bytes())
            .unwrap()
            .build()
            .unwrap(),
        mock.endpoint(),
        token.as_str(),
        Instant::now() + Duration::from_secs(5),
    );
    assert_eq!(api.reminders().await.unwrap().alerts.unwrap().len(), 1);

    let samples = dir.path().join("samples.json");
    std::fs::write(&samples, serde_json::to_vec_pretty(&s.samples).unwrap()).unwrap();
    let output = Command::new(&python)
        .arg(Path::new(DATA).join("check_ask_sdk_model.py"))
        .arg(&samples)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "ask-sdk-model found losses:\n{stdout}\n{stderr}"
    );
    assert!(
        stdout.contains(&format!("{} samples, 0 losses", s.samples.len())),
        "{stdout}"
    );
}
