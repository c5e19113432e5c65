//! Session attributes round-trip through the response; persistent attributes are lazy,
//! written once and only if changed, and concurrent updates are never lost silently.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::*;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use skillgate::{
    AttributesKey, AttributesStore, Context, InMemoryStore, KeyScope, Skill, SkillError,
    StoreError, Stored, Version,
};

#[derive(Debug, Default, Serialize, Deserialize, PartialEq)]
struct Game {
    score: u32,
    player: Option<String>,
}

fn counting_skill(store: Arc<dyn AttributesStore>) -> Skill {
    Skill::builder()
        .attributes_store(store)
        .on_intent("Count", |cx: Context| async move {
            let mut game: Game = cx.session()?;
            game.score += 1;
            cx.set_session(&game)?;
            Ok(cx.reply().speak(&format!("score {}", game.score)).build())
        })
        .on_intent("Remember", |cx: Context| async move {
            let mut game: Game = cx.attributes().await?;
            game.score += 10;
            game.player = cx.slot_value("name").map(str::to_owned).or(game.player);
            cx.set_attributes(&game).await?;
            Ok(cx.reply().speak(&format!("total {}", game.score)).build())
        })
        .on_intent("Peek", |cx: Context| async move {
            let game: Game = cx.attributes().await?;
            Ok(cx.reply().speak(&format!("total {}", game.score)).build())
        })
        .on_intent("Nothing", |cx: Context| async move {
            Ok(cx.reply().speak("ok").build())
        })
        .build()
}

#[tokio::test]
async fn typed_session_attributes_round_trip_through_the_response() {
    let skill = counting_skill(Arc::new(InMemoryStore::new()));
    let first = skill.try_handle(intent("Count")).await.unwrap();
    assert!(speech(&first).unwrap().contains("score 1"));
    let attributes = Value::Object(first.session_attributes.clone().unwrap());
    assert_eq!(attributes, json!({"score": 1, "player": null}));
    // Alexa sends them back with the next request of the session.
    let next = intent_for("amzn1.ask.account.A", "Count", json!({}), attributes);
    let second = skill.try_handle(next).await.unwrap();
    assert!(speech(&second).unwrap().contains("score 2"));
    // And through JSON too.
    let raw: Value = serde_json::to_value(&second).unwrap();
    assert_eq!(raw["sessionAttributes"]["score"], 2);
}

#[tokio::test]
async fn untouched_session_attributes_are_kept() {
    let skill = counting_skill(Arc::new(InMemoryStore::new()));
    let req = intent_for(
        "amzn1.ask.account.A",
        "Nothing",
        json!({}),
        json!({"keep": "me"}),
    );
    let out = skill.try_handle(req).await.unwrap();
    assert_eq!(out.session_attributes.unwrap()["keep"], "me");
}

#[tokio::test]
async fn session_attributes_that_do_not_fit_the_type_are_an_error_not_a_crash() {
    let skill = counting_skill(Arc::new(InMemoryStore::new()));
    let req = intent_for(
        "amzn1.ask.account.A",
        "Count",
        json!({}),
        json!({"score": "many"}),
    );
    assert!(matches!(
        skill.try_handle(req).await,
        Err(SkillError::Handler { .. })
    ));
}

#[tokio::test]
async fn persistent_attributes_survive_sessions_per_user() {
    let store = Arc::new(InMemoryStore::new());
    let skill = counting_skill(store.clone());
    let name = json!({"name": "Ada"});
    let a = |intent_name: &str| intent_for("user-A", intent_name, name.clone(), json!({}));
    skill.try_handle(a("Remember")).await.unwrap();
    let out = skill.try_handle(a("Remember")).await.unwrap();
    assert!(speech(&out).unwrap().contains("total 20"));
    let out = skill
        .try_handle(intent_for("user-B", "Peek", json!({}), json!({})))
        .await
        .unwrap();
    assert!(
        speech(&out).unwrap().contains("total 0"),
        "another user sees nothing"
    );
    let stored = store
        .load(&AttributesKey::user(SKILL_ID, "user-A"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.value, json!({"score": 20, "player": "Ada"}));
    assert_eq!(store.len(), 1, "reading (Peek) for user B wrote nothing");
}

/// A store that counts calls, to prove laziness and write-once.
#[derive(Default)]
struct Counting {
    inner: InMemoryStore,
    loads: AtomicUsize,
    saves: AtomicUsize,
}

#[skillgate::async_trait]
impl AttributesStore for Counting {
    async fn load(&self, key: &AttributesKey) -> Result<Option<Stored>, StoreError> {
        self.loads.fetch_add(1, Ordering::SeqCst);
        self.inner.load(key).await
    }
    async fn save(
        &self,
        key: &AttributesKey,
        value: &Value,
        expected: Option<Version>,
    ) -> Result<Version, StoreError> {
        self.saves.fetch_add(1, Ordering::SeqCst);
        self.inner.save(key, value, expected).await
    }
    async fn delete(
        &self,
        key: &AttributesKey,
        expected: Option<Version>,
    ) -> Result<(), StoreError> {
        self.inner.delete(key, expected).await
    }
}

#[tokio::test]
async fn the_store_is_read_only_when_asked_and_written_once_if_changed() {
    let store = Arc::new(Counting::default());
    let skill = Skill::builder()
        .attributes_store(store.clone())
        .on_intent("Nothing", |cx: Context| async move {
            Ok(cx.reply().speak("ok").build())
        })
        .on_intent("Many", |cx: Context| async move {
            for i in 0..5 {
                cx.set_attributes(&json!({"i": i})).await?;
                let _ = cx.attributes_value().await?;
            }
            Ok(cx.reply().speak("ok").build())
        })
        .on_intent("Same", |cx: Context| async move {
            let v = cx.attributes_value().await?;
            cx.set_attributes(&v).await?;
            Ok(cx.reply().speak("ok").build())
        })
        .build();
    skill.try_handle(intent("Nothing")).await.unwrap();
    assert_eq!(store.loads.load(Ordering::SeqCst), 0);
    assert_eq!(store.saves.load(Ordering::SeqCst), 0);
    skill.try_handle(intent("Many")).await.unwrap();
    assert_eq!(store.loads.load(Ordering::SeqCst), 1);
    assert_eq!(store.saves.load(Ordering::SeqCst), 1);
    skill.try_handle(intent("Same")).await.unwrap();
    assert_eq!(store.loads.load(Ordering::SeqCst), 2);
    assert_eq!(
        store.saves.load(Ordering::SeqCst),
        1,
        "unchanged: not written"
    );
}

#[tokio::test]
async fn a_concurrent_update_is_a_conflict_not_a_lost_write() {
    let store = Arc::new(InMemoryStore::new());
    let s = store.clone();
    let skill = Skill::builder()
        .attributes_store(store.clone())
        .on_intent("Race", move |cx: Context| {
            let s = s.clone();
            async move {
                let mut v = cx.attributes_value().await?;
                // Another request of the same user writes meanwhile.
                let key = cx.attributes_key()?;
                let current = s.load(&key).await?.map(|x| x.version);
                s.save(&key, &json!({"by": "other"}), current).await?;
                v["by"] = json!("me");
                cx.set_attributes(&v).await?;
                Ok(cx.reply().speak("ok").build())
            }
        })
        .build();
    match skill.try_handle(intent("Race")).await {
        Err(SkillError::Attributes(StoreError::Conflict { .. })) => {}
        other => panic!("{other:?}"),
    }
    let key = AttributesKey::user(SKILL_ID, "amzn1.ask.account.A");
    assert_eq!(
        store.load(&key).await.unwrap().unwrap().value,
        json!({"by": "other"})
    );
    // Live, the user hears the apology rather than a confirmation of a lost write.
    let out = skill.handle(intent("Race")).await;
    assert!(speech(&out).unwrap().contains("Sorry"));
}

#[tokio::test]
async fn device_scope_keys_by_device() {
    let store = Arc::new(InMemoryStore::new());
    let skill = Skill::builder()
        .attributes_store(store.clone())
        .attributes_scope(KeyScope::Device)
        .on_intent("Set", |cx: Context| async move {
            cx.set_attributes(&json!({"x": 1})).await?;
            Ok(cx.reply().speak("ok").build())
        })
        .build();
    skill.try_handle(intent("Set")).await.unwrap();
    let key = AttributesKey::device(SKILL_ID, "amzn1.ask.account.A", "amzn1.ask.device.test");
    assert!(store.load(&key).await.unwrap().is_some());
    assert!(
        store
            .load(&AttributesKey::user(SKILL_ID, "amzn1.ask.account.A"))
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn nothing_is_saved_when_the_answer_breaks_alexas_limits() {
    let store = Arc::new(InMemoryStore::new());
    let skill = Skill::builder()
        .attributes_store(store.clone())
        .on_intent("TooLong", |cx: Context| async move {
            cx.set_attributes(&json!({"lights": "on"})).await?;
            Ok(cx.reply().speak(&"on ".repeat(4000)).build())
        })
        .build();
    assert!(matches!(
        skill.try_handle(intent("TooLong")).await,
        Err(SkillError::Limits { .. })
    ));
    assert!(
        store.is_empty(),
        "the user never heard it, so it did not happen"
    );
}
