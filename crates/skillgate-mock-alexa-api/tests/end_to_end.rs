//! Every client of skillgate-alexa-api, end to end over HTTPS against the mock.

use std::sync::Arc;
use std::time::{Duration, Instant};

use skillgate_alexa_api::lists::{ListItemStatus, SHOPPING_LIST, UpdateListItem};
use skillgate_alexa_api::reminders::ReminderRequest;
use skillgate_alexa_api::timers::{TimerRequest, TimerStatus};
use skillgate_alexa_api::{AlexaApi, ApiError, LwaClient, OutOfSession, Scope, Transport};
use skillgate_mock_alexa_api::{
    DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, MockAlexaApi, MockConfig, PREMIUM_PRODUCT_ID,
    Switches,
};

fn transport(mock: &MockAlexaApi) -> Transport {
    Transport::builder()
        .add_root_pem(mock.ca_pem().as_bytes())
        .unwrap()
        .build()
        .unwrap()
}

fn api(mock: &MockAlexaApi, token: &str, within: Duration) -> AlexaApi {
    AlexaApi::new(
        transport(mock),
        mock.endpoint(),
        token,
        Instant::now() + within,
    )
    .with_device_id("amzn1.ask.device.mock")
    .with_locale("en-US")
}

async fn start(dir: &tempfile::TempDir) -> MockAlexaApi {
    MockAlexaApi::start(MockConfig::new(dir.path()))
        .await
        .unwrap()
}

fn grant_all(mock: &MockAlexaApi) {
    for scope in Scope::ALL {
        mock.grant(scope.as_str());
    }
}

#[tokio::test]
async fn every_in_session_api() {
    let dir = tempfile::tempdir().unwrap();
    let mock = start(&dir).await;
    grant_all(&mock);
    let api = api(&mock, &mock.issue_token(), Duration::from_secs(10));

    let address = api.device_address().await.unwrap().unwrap();
    assert_eq!(address.city.as_deref(), Some("Seattle"));
    let short = api.country_and_postal_code().await.unwrap().unwrap();
    assert_eq!(short.postal_code.as_deref(), Some("98109"));

    assert_eq!(
        api.customer_name().await.unwrap().as_deref(),
        Some("Ada Lovelace")
    );
    assert_eq!(
        api.customer_given_name().await.unwrap().as_deref(),
        Some("Ada")
    );
    assert_eq!(
        api.customer_email().await.unwrap().as_deref(),
        Some("ada@example.invalid")
    );
    let mobile = api.customer_mobile_number().await.unwrap().unwrap();
    assert_eq!(mobile.country_code.as_deref(), Some("+1"));
    assert_eq!(
        api.person_name().await.unwrap().as_deref(),
        Some("Ada Lovelace")
    );
    assert_eq!(
        api.person_given_name().await.unwrap().as_deref(),
        Some("Ada")
    );
    assert!(api.person_mobile_number().await.unwrap().is_some());

    assert_eq!(api.time_zone().await.unwrap(), "Europe/Berlin");
    assert_eq!(api.distance_units().await.unwrap().as_str(), "METRIC");
    assert_eq!(api.temperature_unit().await.unwrap().as_str(), "CELSIUS");

    // Reminders: create, get, update, list, delete.
    let created = api
        .create_reminder(&ReminderRequest::in_seconds(
            600,
            "en-US",
            "Water the plants",
        ))
        .await
        .unwrap();
    let token = created.alert_token.unwrap();
    let reminder = api.reminder(&token).await.unwrap();
    assert_eq!(reminder.status.unwrap().as_str(), "ON");
    let updated = api
        .update_reminder(
            &token,
            &ReminderRequest::at("2030-01-01T08:00:00", "Europe/Berlin", "en-US", "New year"),
        )
        .await
        .unwrap();
    assert_eq!(updated.version.as_deref(), Some("2"));
    let list = api.reminders().await.unwrap();
    assert_eq!(list.alerts.as_ref().map(Vec::len), Some(1));
    api.delete_reminder(&token).await.unwrap();
    assert!(matches!(
        api.reminder(&token).await,
        Err(ApiError::NotFound { .. })
    ));

    // Timers: create, get, pause, resume, list, cancel, cancel all.
    let timer = api
        .create_timer(&TimerRequest::announce(
            "PT10M",
            "pasta",
            "en-US",
            "Pasta is done",
        ))
        .await
        .unwrap();
    let id = timer.id.unwrap();
    api.pause_timer(&id).await.unwrap();
    assert_eq!(
        api.timer(&id).await.unwrap().status,
        Some(TimerStatus::Paused)
    );
    api.resume_timer(&id).await.unwrap();
    assert_eq!(api.timer(&id).await.unwrap().status, Some(TimerStatus::On));
    assert_eq!(api.timers().await.unwrap().total_count, Some(1));
    api.cancel_timer(&id).await.unwrap();
    assert!(matches!(
        api.timer(&id).await,
        Err(ApiError::NotFound { .. })
    ));
    api.create_timer(&TimerRequest::announce("PT1M", "tea", "en-US", "Tea"))
        .await
        .unwrap();
    api.cancel_all_timers().await.unwrap();
    assert_eq!(api.timers().await.unwrap().total_count, Some(0));
    assert!(matches!(
        api.create_timer(&TimerRequest::announce("ten minutes", "x", "en-US", "x"))
            .await,
        Err(ApiError::Rejected { status: 400, .. })
    ));

    // Lists: metadata, add, read, update (and a stale update), delete.
    let lists = api.lists().await.unwrap();
    let shopping = lists.named(SHOPPING_LIST).unwrap().list_id.clone().unwrap();
    let item = api.create_list_item(&shopping, "milk").await.unwrap();
    let item_id = item.id.clone().unwrap();
    let active = api.list(&shopping, ListItemStatus::Active).await.unwrap();
    assert_eq!(active.items.unwrap()[0].value.as_deref(), Some("milk"));
    let done = UpdateListItem {
        value: Some("milk".into()),
        status: Some(ListItemStatus::Completed),
        version: item.version,
        ..UpdateListItem::default()
    };
    let updated = api
        .update_list_item(&shopping, &item_id, &done)
        .await
        .unwrap();
    assert_eq!(updated.version, Some(2));
    assert!(matches!(
        api.update_list_item(&shopping, &item_id, &done).await,
        Err(ApiError::Conflict { .. })
    ));
    assert_eq!(
        api.list_item(&shopping, &item_id).await.unwrap().status,
        Some(ListItemStatus::Completed)
    );
    api.delete_list_item(&shopping, &item_id).await.unwrap();
    assert!(matches!(
        api.delete_list_item(&shopping, &item_id).await,
        Err(ApiError::NotFound { .. })
    ));

    // In-skill products and entitlement.
    let products = api.in_skill_products().await.unwrap();
    assert_eq!(products.in_skill_products.unwrap().len(), 1);
    assert!(!api.is_entitled(PREMIUM_PRODUCT_ID).await.unwrap());
    mock.set_entitled(PREMIUM_PRODUCT_ID, true);
    assert!(api.is_entitled(PREMIUM_PRODUCT_ID).await.unwrap());
    assert!(!api.is_entitled("amzn1.adg.product.unknown").await.unwrap());

    // Endpoints and the progressive response.
    let endpoints = api.endpoints().await.unwrap();
    assert_eq!(
        endpoints.endpoints.unwrap()[0].friendly_name.as_deref(),
        Some("Kitchen Echo")
    );
    api.progressive_response("amzn1.echo-api.request.1", "One moment")
        .await
        .unwrap();
    assert_eq!(mock.progressive_speech(), vec!["One moment".to_owned()]);

    let log: Vec<String> = mock.calls().iter().map(ToString::to_string).collect();
    assert!(
        log.contains(&"→ POST /v1/alerts/reminders 200".to_owned()),
        "{log:?}"
    );
    assert!(log.contains(&format!("→ DELETE /v1/alerts/reminders/{token} 200")));
    assert!(log.contains(&format!("→ POST /v2/householdlists/{shopping}/items 201")));
    assert!(log.contains(&format!(
        "→ PUT /v2/householdlists/{shopping}/items/{item_id} 409"
    )));
}

#[tokio::test]
async fn grant_deny_and_regrant() {
    let dir = tempfile::tempdir().unwrap();
    let mock = start(&dir).await;
    let api = api(&mock, &mock.issue_token(), Duration::from_secs(10));
    // Address says "no consent" with 403, reminders with 401: both are the same error.
    let error = api.device_address().await.unwrap_err();
    assert_eq!(
        error.missing_permission(),
        Some(&Scope::ADDRESS_FULL),
        "{error:?}"
    );
    let error = api.reminders().await.unwrap_err();
    assert_eq!(
        error.missing_permission(),
        Some(&Scope::REMINDERS),
        "{error:?}"
    );
    mock.grant(Scope::REMINDERS.as_str());
    assert!(api.reminders().await.is_ok());
    mock.deny(Scope::REMINDERS.as_str());
    assert!(matches!(
        api.reminders().await,
        Err(ApiError::PermissionNotGranted { .. })
    ));
    mock.grant(Scope::REMINDERS.as_str());
    assert!(api.reminders().await.is_ok());
    // Settings need no permission.
    assert!(api.time_zone().await.is_ok());
}

#[tokio::test]
async fn undeclared_permission_is_the_skills_bug() {
    let dir = tempfile::tempdir().unwrap();
    let mock = MockAlexaApi::start(
        MockConfig::new(dir.path()).declared_permissions([Scope::REMINDERS.as_str()]),
    )
    .await
    .unwrap();
    grant_all(&mock);
    let api = api(&mock, &mock.issue_token(), Duration::from_secs(10));
    assert!(api.reminders().await.is_ok());
    let error = api.customer_email().await.unwrap_err();
    assert!(
        matches!(error, ApiError::PermissionNotRequested { ref scope, .. } if *scope == Scope::EMAIL),
        "{error:?}"
    );
}

#[tokio::test]
async fn state_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let token;
    let alert;
    {
        let mock = start(&dir).await;
        mock.grant(Scope::REMINDERS.as_str());
        token = mock.issue_token();
        let api = api(&mock, &token, Duration::from_secs(10));
        alert = api
            .create_reminder(&ReminderRequest::in_seconds(60, "en-US", "Call mum"))
            .await
            .unwrap()
            .alert_token
            .unwrap();
    }
    let mock = start(&dir).await;
    let api = api(&mock, &token, Duration::from_secs(10));
    let listed = api.reminders().await.unwrap();
    let tokens: Vec<_> = listed
        .alerts
        .unwrap()
        .into_iter()
        .filter_map(|r| r.alert_token)
        .collect();
    assert_eq!(tokens, vec![alert]);
}

#[tokio::test]
async fn switches_and_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let mock = start(&dir).await;
    let token = mock.issue_token();
    let call = || async {
        api(&mock, &token, Duration::from_millis(800))
            .time_zone()
            .await
    };
    assert!(call().await.is_ok());

    mock.set_switches(Switches {
        slow: Some(Duration::from_secs(3)),
        ..Switches::default()
    });
    let started = Instant::now();
    assert!(matches!(call().await, Err(ApiError::Deadline)));
    assert!(started.elapsed() < Duration::from_millis(1500));

    mock.set_switches(Switches {
        fail: true,
        ..Switches::default()
    });
    assert!(matches!(
        call().await,
        Err(ApiError::Unavailable { status: 500, .. })
    ));

    mock.set_switches(Switches {
        expired_token: true,
        ..Switches::default()
    });
    assert!(matches!(call().await, Err(ApiError::TokenExpired { .. })));

    mock.set_switches(Switches {
        rate_limited: true,
        ..Switches::default()
    });
    match call().await {
        Err(ApiError::RateLimited { retry_after, .. }) => {
            assert_eq!(retry_after, Some(Duration::from_secs(1)))
        }
        other => panic!("{other:?}"),
    }

    mock.set_switches(Switches::default());
    let stranger = api(&mock, "not-a-mock-token", Duration::from_secs(2));
    assert!(matches!(
        stranger.time_zone().await,
        Err(ApiError::TokenExpired { .. })
    ));
    assert!(call().await.is_ok());
}

#[tokio::test]
async fn lwa_tokens_are_cached_and_fetched_once() {
    let dir = tempfile::tempdir().unwrap();
    let mock = start(&dir).await;
    let lwa = Arc::new(LwaClient::with_token_url(
        transport(&mock),
        &mock.token_url(),
        DEFAULT_CLIENT_ID,
        DEFAULT_CLIENT_SECRET,
    ));
    let deadline = Instant::now() + Duration::from_secs(10);
    let tokens = futures_join(&lwa, deadline).await;
    assert!(tokens.windows(2).all(|w| w[0] == w[1]));
    assert_eq!(
        lwa.fetch_count(),
        1,
        "one refresh for ten concurrent callers"
    );
    assert!(!format!("{:?}", tokens[0]).contains(tokens[0].expose()));

    let sender = OutOfSession::new(transport(&mock), &mock.endpoint(), Arc::clone(&lwa));
    let data = serde_json::json!({"event": "door opened"});
    sender
        .send_skill_message("amzn1.ask.account.mock", &data, Some(3600), deadline)
        .await
        .unwrap();
    let event = skillgate_alexa_api::proactive::CreateProactiveEvent {
        timestamp: Some("2026-11-30T07:00:00Z".into()),
        reference_id: Some("ref-1".into()),
        expiry_time: Some("2026-12-01T07:00:00Z".into()),
        event: Some(skillgate_alexa_api::proactive::ProactiveEvent {
            name: Some("AMAZON.MessageAlert.Activated".into()),
            payload: Some(serde_json::json!({"state": {"status": "UNREAD"}})),
            ..Default::default()
        }),
        ..Default::default()
    };
    sender
        .send_proactive_event(&event, true, deadline)
        .await
        .unwrap();
    assert_eq!(mock.skill_messages()[0]["data"], data);
    assert_eq!(mock.proactive_events().len(), 1);
    assert_eq!(lwa.fetch_count(), 2, "one token per scope, reused");

    let bad = LwaClient::with_token_url(
        transport(&mock),
        &mock.token_url(),
        DEFAULT_CLIENT_ID,
        "wrong",
    );
    assert!(matches!(
        bad.token("alexa:skill_messaging", deadline).await,
        Err(ApiError::Rejected { status: 401, .. })
    ));
}

async fn futures_join(
    lwa: &Arc<LwaClient>,
    deadline: Instant,
) -> Vec<skillgate_alexa_api::ApiToken> {
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let lwa = Arc::clone(lwa);
        tasks.push(tokio::spawn(async move {
            lwa.token("alexa:skill_messaging", deadline).await.unwrap()
        }));
    }
    let mut tokens = Vec::new();
    for task in tasks {
        tokens.push(task.await.unwrap());
    }
    tokens
}

#[tokio::test]
async fn short_lived_lwa_tokens_are_refreshed() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = MockConfig::new(dir.path());
    // Less than the 60 s margin: every use needs a fresh token.
    config.lwa_token_lifetime = Duration::from_secs(30);
    let mock = MockAlexaApi::start(config).await.unwrap();
    let lwa = LwaClient::with_token_url(
        transport(&mock),
        &mock.token_url(),
        DEFAULT_CLIENT_ID,
        DEFAULT_CLIENT_SECRET,
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    let a = lwa
        .token("alexa::proactive_events", deadline)
        .await
        .unwrap();
    let b = lwa
        .token("alexa::proactive_events", deadline)
        .await
        .unwrap();
    assert_ne!(a, b);
    assert_eq!(lwa.fetch_count(), 2);
}
