//! Alexa's service APIs from handlers, against the local mock over HTTPS: the pre-bound
//! client, permission answers, purchases, account linking, skill messages, long answers.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use skillgate::alexa_api::reminders::ReminderRequest;
use skillgate::alexa_api::{ApiError, Scope, Transport};
use skillgate::long_answer::LongAnswer;
use skillgate::model::RequestEnvelope;
use skillgate::model::response::Card;
use skillgate::purchase::{Purchase, PurchaseResult};
use skillgate::{AttributesStore, Context, InMemoryStore, ResponseEnvelope, Skill};
use skillgate_mock_alexa_api::{MockAlexaApi, MockConfig, Switches};

const SKILL_ID: &str = "amzn1.ask.skill.services-test";

struct Env {
    mock: MockAlexaApi,
    token: String,
    _dir: tempfile::TempDir,
}

async fn env() -> Env {
    let dir = tempfile::tempdir().unwrap();
    let mock = MockAlexaApi::start(MockConfig::new(dir.path()))
        .await
        .unwrap();
    let token = mock.issue_token();
    Env {
        mock,
        token,
        _dir: dir,
    }
}

impl Env {
    fn transport(&self) -> Transport {
        Transport::builder()
            .add_root_pem(self.mock.ca_pem().as_bytes())
            .unwrap()
            .build()
            .unwrap()
    }

    fn request(&self, request: Value) -> RequestEnvelope {
        envelope(&self.mock.endpoint(), &self.token, request, json!({}))
    }
}

fn envelope(endpoint: &str, token: &str, request: Value, attributes: Value) -> RequestEnvelope {
    let user = json!({"userId": "amzn1.ask.account.A"});
    serde_json::from_value(json!({
        "version": "1.0",
        "session": {
            "new": false,
            "sessionId": "amzn1.echo-api.session.services",
            "application": {"applicationId": SKILL_ID},
            "attributes": attributes,
            "user": user
        },
        "context": {"System": {
            "application": {"applicationId": SKILL_ID},
            "user": user,
            "device": {"deviceId": "amzn1.ask.device.services", "supportedInterfaces": {}},
            "apiEndpoint": endpoint,
            "apiAccessToken": token
        }},
        "request": request
    }))
    .unwrap()
}

fn intent(name: &str) -> Value {
    json!({
        "type": "IntentRequest",
        "requestId": "amzn1.echo-api.request.services",
        "timestamp": "2026-11-30T07:00:00Z",
        "locale": "en-US",
        "intent": {"name": name, "confirmationStatus": "NONE", "slots": {}}
    })
}

fn speech(response: &ResponseEnvelope) -> String {
    response
        .response
        .output_speech
        .as_ref()
        .map(|s| {
            s.content()
                .trim_start_matches("<speak>")
                .trim_end_matches("</speak>")
                .replace("&apos;", "'")
        })
        .unwrap_or_default()
}

async fn remind(cx: Context) -> skillgate::HandlerResult {
    let api = cx.alexa_api()?;
    let reminder = ReminderRequest::in_seconds(600, cx.speech_locale(), "Take the cake out");
    match api.create_reminder(&reminder).await {
        Ok(_) => Ok(cx.reply().speak("Reminder set.").build()),
        Err(e) => Ok(cx.api_error_answer(&e)),
    }
}

#[tokio::test]
async fn a_handler_calls_alexa_and_asks_for_the_missing_permission() {
    let env = env().await;
    let skill = Skill::builder()
        .alexa_api_transport(env.transport())
        .on_intent("TimeIntent", |cx: Context| async move {
            let zone = cx.alexa_api()?.time_zone().await?;
            Ok(cx
                .reply()
                .speak(&format!("Your time zone is {zone}."))
                .build())
        })
        .on_intent("RemindIntent", remind)
        .build();
    let answer = skill
        .try_handle(env.request(intent("TimeIntent")))
        .await
        .unwrap();
    assert_eq!(speech(&answer), "Your time zone is Europe/Berlin.");

    // Denied: speech plus the consent card for exactly the missing scope.
    let answer = skill
        .try_handle(env.request(intent("RemindIntent")))
        .await
        .unwrap();
    assert!(speech(&answer).contains("permission"));
    match answer.response.card {
        Some(Card::AskForPermissionsConsent { ref permissions }) => {
            assert_eq!(permissions, &vec![Scope::REMINDERS.as_str().to_owned()])
        }
        ref other => panic!("{other:?}"),
    }
    assert_eq!(answer.response.should_end_session, Some(true));
    // Granted, denied again, granted again.
    env.mock.grant(Scope::REMINDERS.as_str());
    let answer = skill
        .try_handle(env.request(intent("RemindIntent")))
        .await
        .unwrap();
    assert_eq!(speech(&answer), "Reminder set.");
    env.mock.deny(Scope::REMINDERS.as_str());
    let answer = skill
        .try_handle(env.request(intent("RemindIntent")))
        .await
        .unwrap();
    assert!(answer.response.card.is_some());
    env.mock.grant(Scope::REMINDERS.as_str());
    let answer = skill
        .try_handle(env.request(intent("RemindIntent")))
        .await
        .unwrap();
    assert_eq!(speech(&answer), "Reminder set.");
    assert_eq!(env.mock.reminder_count(), 2);
    let log: Vec<String> = env.mock.calls().iter().map(ToString::to_string).collect();
    assert_eq!(
        log.iter()
            .filter(|l| *l == "→ POST /v1/alerts/reminders 200")
            .count(),
        2,
        "{log:?}"
    );
    assert!(log.contains(&"→ POST /v1/alerts/reminders 401".to_owned()));
}

#[tokio::test]
async fn a_slow_api_is_cut_before_the_skill_deadline() {
    let env = env().await;
    env.mock.set_switches(Switches {
        slow: Some(Duration::from_secs(5)),
        ..Switches::default()
    });
    let skill = Skill::builder()
        .alexa_api_transport(env.transport())
        .deadline(Duration::from_millis(1200))
        .on_intent("TimeIntent", |cx: Context| async move {
            match cx.alexa_api()?.time_zone().await {
                Ok(zone) => Ok(cx.reply().speak(&zone).build()),
                Err(e) => Ok(cx.api_error_answer(&e)),
            }
        })
        .build();
    let started = std::time::Instant::now();
    let answer = skill
        .try_handle(env.request(intent("TimeIntent")))
        .await
        .unwrap();
    assert!(started.elapsed() < Duration::from_millis(1200));
    assert_eq!(
        speech(&answer),
        skillgate::services::DEFAULT_SERVICE_APOLOGY
    );
    assert_eq!(answer.response.should_end_session, Some(false));
}

#[tokio::test]
async fn no_api_access_is_an_error_the_handler_can_propagate() {
    let skill = Skill::builder()
        .on_intent("TimeIntent", |cx: Context| async move {
            let zone = cx.alexa_api()?.time_zone().await?;
            Ok(cx.reply().speak(&zone).build())
        })
        .on_error(|cx: Context, error| async move {
            match skillgate::services::api_error(&error) {
                Some(ApiError::NoApiAccess(what)) => {
                    Ok(cx.reply().speak(&format!("missing {what}")).build())
                }
                _ => Err(error),
            }
        })
        .build();
    let answer = skill
        .try_handle(envelope("", "", intent("TimeIntent"), json!({})))
        .await
        .unwrap();
    assert_eq!(speech(&answer), "missing apiEndpoint");
}

#[tokio::test]
async fn voice_permission_request_and_its_answer() {
    let skill = Skill::builder()
        .on_intent("RemindIntent", |cx: Context| async move {
            Ok(cx.permission_voice_answer(&Scope::REMINDERS))
        })
        .on_permission_result(|cx: Context| async move {
            let (scope, status) = cx.permission_result().unwrap_or_default();
            Ok(cx.reply().speak(&format!("{status} {scope}")).build())
        })
        .build();
    let answer = skill
        .try_handle(envelope(
            "https://a",
            "t",
            intent("RemindIntent"),
            json!({}),
        ))
        .await
        .unwrap();
    let directive = serde_json::to_value(&answer.response.directives).unwrap();
    assert_eq!(
        directive,
        json!([{
            "type": "Connections.SendRequest",
            "name": "AskFor",
            "payload": {
                "@type": "AskForPermissionsConsentRequest",
                "@version": "2",
                "permissionScope": "alexa::alerts:reminders:skill:readwrite"
            },
            "token": ""
        }])
    );
    let response = json!({
        "type": "Connections.Response",
        "requestId": "amzn1.echo-api.request.2",
        "timestamp": "2026-11-30T07:00:00Z",
        "name": "AskFor",
        "status": {"code": "200", "message": "OK"},
        "payload": {"permissionScope": "alexa::alerts:reminders:skill:readwrite", "status": "ACCEPTED"},
        "token": ""
    });
    let answer = skill
        .try_handle(envelope("https://a", "t", response, json!({})))
        .await
        .unwrap();
    assert_eq!(
        speech(&answer),
        "ACCEPTED alexa::alerts:reminders:skill:readwrite"
    );
}

fn purchase_response(name: &str, result: &str) -> Value {
    json!({
        "type": "Connections.Response",
        "requestId": "amzn1.echo-api.request.3",
        "timestamp": "2026-11-30T07:00:00Z",
        "name": name,
        "status": {"code": "200", "message": "OK"},
        "payload": {"purchaseResult": result, "productId": "amzn1.adg.product.premium"},
        "token": "tok-1"
    })
}

#[tokio::test]
async fn purchases_are_routed_by_name_and_result() {
    let said = |text: &'static str| {
        move |cx: Context| async move {
            let p = cx.purchase().unwrap();
            Ok(cx
                .reply()
                .speak(&format!(
                    "{text} {} {}",
                    p.product_id.unwrap_or_default(),
                    p.token.unwrap_or_default()
                ))
                .build())
        }
    };
    let skill = Skill::builder()
        .on_intent("BuyIntent", |cx: Context| async move {
            Ok(cx
                .reply()
                .add_directive(Purchase::buy("amzn1.adg.product.premium", "tok-1"))
                .build())
        })
        .on_intent("UpsellIntent", |cx: Context| async move {
            Ok(cx
                .reply()
                .add_directive(Purchase::upsell("p", "Want more?", "t"))
                .add_directive(Purchase::cancel("p", "t"))
                .build())
        })
        .on_purchase_result(Some("Buy"), Some(PurchaseResult::Accepted), said("bought"))
        .on_purchase_result(
            Some("Buy"),
            Some(PurchaseResult::AlreadyPurchased),
            said("owned"),
        )
        .on_purchase_result(None, Some(PurchaseResult::Declined), said("declined"))
        .on_purchase_result(None, None, said("other"))
        .build();
    let buy = skill
        .try_handle(envelope("https://a", "t", intent("BuyIntent"), json!({})))
        .await
        .unwrap();
    assert_eq!(
        serde_json::to_value(&buy.response.directives).unwrap(),
        json!([{"type": "Connections.SendRequest", "name": "Buy",
                "payload": {"InSkillProduct": {"productId": "amzn1.adg.product.premium"}},
                "token": "tok-1"}])
    );
    let upsell = skill
        .try_handle(envelope(
            "https://a",
            "t",
            intent("UpsellIntent"),
            json!({}),
        ))
        .await
        .unwrap();
    let directives = serde_json::to_value(&upsell.response.directives).unwrap();
    assert_eq!(directives[0]["payload"]["upsellMessage"], "Want more?");
    assert_eq!(directives[1]["name"], "Cancel");
    for (name, result, expected) in [
        ("Buy", "ACCEPTED", "bought amzn1.adg.product.premium tok-1"),
        (
            "Buy",
            "ALREADY_PURCHASED",
            "owned amzn1.adg.product.premium tok-1",
        ),
        (
            "Upsell",
            "DECLINED",
            "declined amzn1.adg.product.premium tok-1",
        ),
        (
            "Cancel",
            "ACCEPTED",
            "other amzn1.adg.product.premium tok-1",
        ),
        ("Buy", "ERROR", "other amzn1.adg.product.premium tok-1"),
    ] {
        let answer = skill
            .try_handle(envelope(
                "https://a",
                "t",
                purchase_response(name, result),
                json!({}),
            ))
            .await
            .unwrap();
        assert_eq!(speech(&answer), expected, "{name} {result}");
    }
}

#[tokio::test]
async fn account_linking_guard() {
    let skill = Skill::builder()
        .on_intent("LightsIntent", |cx: Context| async move {
            let token = match cx.linked_account("Please link your account in the Alexa app.") {
                Ok(token) => token.to_owned(),
                Err(answer) => return Ok(answer),
            };
            Ok(cx.reply().speak(&format!("linked {token}")).build())
        })
        .build();
    let answer = skill
        .try_handle(envelope(
            "https://a",
            "t",
            intent("LightsIntent"),
            json!({}),
        ))
        .await
        .unwrap();
    assert_eq!(
        speech(&answer),
        "Please link your account in the Alexa app."
    );
    assert!(matches!(answer.response.card, Some(Card::LinkAccount)));
    let mut linked = envelope("https://a", "t", intent("LightsIntent"), json!({}));
    let mut value = serde_json::to_value(&linked).unwrap();
    value["context"]["System"]["user"]["accessToken"] = json!("acct-123");
    linked = serde_json::from_value(value).unwrap();
    let answer = skill.try_handle(linked).await.unwrap();
    assert_eq!(speech(&answer), "linked acct-123");
}

#[tokio::test]
async fn skill_messages_are_routed() {
    let seen = Arc::new(std::sync::Mutex::new(None));
    let record = Arc::clone(&seen);
    let skill = Skill::builder()
        .on_skill_message(move |cx: Context| {
            let record = Arc::clone(&record);
            async move {
                *record.lock().unwrap() = cx.skill_message().cloned();
                Ok(cx.reply().build())
            }
        })
        .build();
    let message = json!({
        "type": "Messaging.MessageReceived",
        "requestId": "amzn1.echo-api.request.4",
        "timestamp": "2026-11-30T07:00:00Z",
        "message": {"event": "door opened"}
    });
    let answer = skill
        .try_handle(envelope("https://a", "t", message, json!({})))
        .await
        .unwrap();
    assert!(answer.response.output_speech.is_none());
    assert_eq!(*seen.lock().unwrap(), Some(json!({"event": "door opened"})));
}

fn long_skill(env: &Env, store: Arc<dyn AttributesStore>, work: Duration) -> Skill {
    Skill::builder()
        .alexa_api_transport(env.transport())
        .attributes_store(store)
        .deadline(Duration::from_millis(1500))
        .on_intent("PlanIntent", move |cx: Context| async move {
            cx.long_answer(
                LongAnswer::new("plan").soft_margin(Duration::from_millis(700)),
                async move {
                    tokio::time::sleep(work).await;
                    Ok("Here is your plan.".to_owned())
                },
            )
            .await
        })
        .build()
}

#[tokio::test]
async fn a_long_answer_is_delivered_on_the_next_turn() {
    let env = env().await;
    let store: Arc<dyn AttributesStore> = Arc::new(InMemoryStore::new());
    let skill = long_skill(&env, Arc::clone(&store), Duration::from_millis(2500));
    let started = std::time::Instant::now();
    let first = skill
        .try_handle(env.request(intent("PlanIntent")))
        .await
        .unwrap();
    assert!(started.elapsed() < Duration::from_millis(1000));
    assert!(
        speech(&first).contains("still working"),
        "{}",
        speech(&first)
    );
    assert_eq!(first.response.should_end_session, Some(false));
    assert_eq!(
        env.mock.progressive_speech(),
        vec!["One moment, I'm working on it.".to_owned()]
    );
    // Ask again too early: still working (and no second job).
    let again = skill
        .try_handle(env.request(intent("PlanIntent")))
        .await
        .unwrap();
    assert!(speech(&again).contains("still working"));
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let next = skill
        .try_handle(env.request(intent("PlanIntent")))
        .await
        .unwrap();
    assert_eq!(speech(&next), "Here is your plan.");
    // Delivered once: the store no longer holds it.
    let key = skillgate::AttributesKey::user(SKILL_ID, "amzn1.ask.account.A");
    let kept = store.load(&key).await.unwrap().map(|s| s.value);
    assert!(
        kept.as_ref()
            .is_none_or(|v| v.get(skillgate::long_answer::ATTRIBUTE).is_none()),
        "{kept:?}"
    );
    assert_eq!(env.mock.progressive_speech().len(), 1);
}

#[tokio::test]
async fn a_kept_long_answer_survives_a_restart_through_the_store() {
    let env = env().await;
    let store: Arc<dyn AttributesStore> = Arc::new(InMemoryStore::new());
    let first_process = long_skill(&env, Arc::clone(&store), Duration::from_millis(900));
    let first = first_process
        .try_handle(env.request(intent("PlanIntent")))
        .await
        .unwrap();
    assert!(speech(&first).contains("still working"));
    tokio::time::sleep(Duration::from_millis(900)).await;
    drop(first_process);
    // Another skill value (a restarted process) sharing the store.
    let second_process = long_skill(&env, Arc::clone(&store), Duration::from_secs(30));
    let next = second_process
        .try_handle(env.request(intent("PlanIntent")))
        .await
        .unwrap();
    assert_eq!(speech(&next), "Here is your plan.");
}

#[tokio::test]
async fn a_quick_long_answer_is_spoken_at_once() {
    let env = env().await;
    let skill = long_skill(
        &env,
        Arc::new(InMemoryStore::new()),
        Duration::from_millis(50),
    );
    let answer = skill
        .try_handle(env.request(intent("PlanIntent")))
        .await
        .unwrap();
    assert_eq!(speech(&answer), "Here is your plan.");
    // Nothing is kept for a later turn: asking again starts new work.
    let again = skill
        .try_handle(env.request(intent("PlanIntent")))
        .await
        .unwrap();
    assert_eq!(speech(&again), "Here is your plan.");
    assert_eq!(env.mock.progressive_speech().len(), 2);
}

#[tokio::test]
async fn household_list_events_are_routed() {
    let seen = Arc::new(std::sync::Mutex::new(None));
    let record = Arc::clone(&seen);
    let skill = Skill::builder()
        .on_list_event(move |cx: Context| {
            let record = Arc::clone(&record);
            async move {
                *record.lock().unwrap() = cx.list_event();
                Ok(cx.reply().build())
            }
        })
        .build();
    let event = json!({
        "type": "AlexaHouseholdListEvent.ItemsCreated",
        "requestId": "amzn1.echo-api.request.5",
        "timestamp": "2026-11-30T07:00:00Z",
        "body": {"listId": "list-1", "listItemIds": ["a", "b"]},
        "eventCreationTime": "2026-11-30T07:00:00Z"
    });
    skill
        .try_handle(envelope("https://a", "t", event, json!({})))
        .await
        .unwrap();
    let event = seen.lock().unwrap().clone().unwrap();
    assert_eq!(event.kind, "ItemsCreated");
    assert_eq!(event.list_id.as_deref(), Some("list-1"));
    assert_eq!(event.item_ids, vec!["a".to_owned(), "b".to_owned()]);
}

#[tokio::test]
async fn a_panicking_long_answer_fails_instead_of_working_forever() {
    let env = env().await;
    let skill = Skill::builder()
        .alexa_api_transport(env.transport())
        .deadline(Duration::from_millis(1500))
        .on_intent("PlanIntent", |cx: Context| async move {
            cx.long_answer(
                LongAnswer::new("boom")
                    .progress(None)
                    .soft_margin(Duration::from_millis(700)),
                async {
                    tokio::time::sleep(Duration::from_millis(1000)).await;
                    panic!("back end exploded")
                },
            )
            .await
        })
        .build();
    let first = skill
        .try_handle(env.request(intent("PlanIntent")))
        .await
        .unwrap();
    assert!(speech(&first).contains("still working"));
    assert!(env.mock.progressive_speech().is_empty());
    tokio::time::sleep(Duration::from_millis(600)).await;
    // The failure is spoken (once), and the key is free again.
    let next = skill
        .try_handle(env.request(intent("PlanIntent")))
        .await
        .unwrap();
    assert!(
        speech(&next).contains("couldn't finish"),
        "{}",
        speech(&next)
    );
    let again = skill
        .try_handle(env.request(intent("PlanIntent")))
        .await
        .unwrap();
    assert!(speech(&again).contains("still working"));
}
