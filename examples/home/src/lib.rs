//! home gate: the self-hosted home-automation skill, and the demo `skillgate serve` runs by
//! default.
//!
//! "Alexa, ask home gate to turn on the kitchen light." It turns devices on and off by room
//! and name, asks for the device with a dialog directive when it is missing, tells what is
//! on, and remembers each user's devices in persistent attributes (in memory by default; pass
//! any [`AttributesStore`] to [`skill_with_store`]).
//!
//! It also calls Alexa back: the device's time zone, reminders (set, list, delete) and the
//! shopping list, asking for the permission with a consent card when it is missing, and an
//! energy report that takes longer than Alexa waits (a long answer, delivered when the user
//! asks again).
//!
//! The interaction model to paste into the Alexa developer console is
//! `examples/home/interaction-model.json`; what the skill says is in `src/messages.toml`
//! (English and German).
#![warn(missing_docs)]

mod model;
pub use model::interaction_models;

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use skillgate::alexa_api::reminders::ReminderRequest;
use skillgate::alexa_api::{ApiError, lists::SHOPPING_LIST};
use skillgate::long_answer::LongAnswer;
use skillgate::{AttributesStore, Catalog, Context, HandlerResult, InMemoryStore, Skill};

/// What the skill remembers per user: each device's state, by name (`"kitchen light"`).
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomeState {
    /// Device name (room first, if given) → on.
    #[serde(default)]
    pub devices: BTreeMap<String, bool>,
}

impl HomeState {
    /// The names of the devices that are on, in name order.
    pub fn on(&self) -> Vec<&str> {
        self.devices
            .iter()
            .filter(|(_, on)| **on)
            .map(|(name, _)| name.as_str())
            .collect()
    }
}

const NO_ARGS: &[(&str, &str)] = &[];

/// The messages in `src/messages.toml`.
pub fn catalog() -> Catalog {
    Catalog::from_toml("en-US", include_str!("messages.toml")).unwrap_or_else(|e| {
        // Unreachable with the shipped file (a test parses it); never crash a live skill.
        tracing::error!(error = %e, "home: messages.toml does not parse; speaking keys");
        Catalog::new("en-US")
    })
}

/// A device or room as said, tidied for use as a name.
fn tidy(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// `a`, `a and b`, `a, b and c` in the request's language.
fn list(cx: &Context, items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} {} {last}", rest.join(", "), cx.t("and", NO_ARGS)),
    }
}

async fn launch(cx: Context) -> HandlerResult {
    Ok(cx
        .reply()
        .speak(&cx.t("welcome", NO_ARGS))
        .reprompt(&cx.t("welcome_reprompt", NO_ARGS))
        .keep_session_open()
        .build())
}

async fn switch(cx: Context, on: bool) -> HandlerResult {
    let Some(device) = cx.canonical_value("device").map(tidy) else {
        // No device: ask for it, keeping what we have (the room) in the updated intent.
        let question = cx.t(
            if on {
                "which_device_on"
            } else {
                "which_device_off"
            },
            NO_ARGS,
        );
        return Ok(cx
            .reply()
            .speak(&question)
            .reprompt(&cx.t("which_device_reprompt", NO_ARGS))
            .elicit_slot("device", cx.intent().cloned())
            .keep_session_open()
            .build());
    };
    let name = match cx.canonical_value("room").map(tidy) {
        Some(room) if !device.starts_with(&room) => format!("{room} {device}"),
        _ => device,
    };
    let mut home: HomeState = cx.attributes().await?;
    let before = home.devices.insert(name.clone(), on);
    cx.set_attributes(&home).await?;
    let key = match (before == Some(on), on) {
        (true, true) => "already_on",
        (true, false) => "already_off",
        (false, true) => "turned_on",
        (false, false) => "turned_off",
    };
    let text = cx.t(key, &[("device", name.as_str())]);
    done(cx, text)
}

/// Ends a one-shot request ("ask home gate to …"); in a conversation, asks for more.
fn done(cx: Context, text: String) -> HandlerResult {
    if cx.is_new_session() {
        Ok(cx.reply().speak(&text).end_session().build())
    } else {
        let more = cx.t("anything_else", NO_ARGS);
        Ok(cx
            .reply()
            .speak(&format!("{text} {more}"))
            .reprompt(&more)
            .keep_session_open()
            .build())
    }
}

async fn turn_on(cx: Context) -> HandlerResult {
    switch(cx, true).await
}

async fn turn_off(cx: Context) -> HandlerResult {
    switch(cx, false).await
}

async fn status(cx: Context) -> HandlerResult {
    let home: HomeState = cx.attributes().await?;
    let on = home.on();
    let text = match on.len() {
        0 => cx.t("nothing_on", NO_ARGS),
        1 => cx.t("status_one", &[("devices", list(&cx, &on).as_str())]),
        _ => cx.t("status_many", &[("devices", list(&cx, &on).as_str())]),
    };
    done(cx, text)
}

async fn help(cx: Context) -> HandlerResult {
    Ok(cx
        .reply()
        .speak(&cx.t("help", NO_ARGS))
        .reprompt(&cx.t("help_reprompt", NO_ARGS))
        .keep_session_open()
        .build())
}

async fn goodbye(cx: Context) -> HandlerResult {
    Ok(cx
        .reply()
        .speak(&cx.t("goodbye", NO_ARGS))
        .end_session()
        .build())
}

async fn fallback(cx: Context) -> HandlerResult {
    Ok(cx
        .reply()
        .speak(&cx.t("fallback", NO_ARGS))
        .reprompt(&cx.t("fallback_reprompt", NO_ARGS))
        .keep_session_open()
        .build())
}

async fn session_ended(cx: Context) -> HandlerResult {
    tracing::debug!(user = cx.user_id().unwrap_or(""), "home: session ended");
    Ok(skillgate::Response::default())
}

/// What to answer when a call to Alexa's APIs failed: the consent card (in the request's
/// language) for a missing permission, else the framework's answer.
fn api_failed(cx: &Context, error: &ApiError) -> skillgate::Response {
    match error.missing_permission() {
        Some(scope) => cx.permission_card_answer(scope, &cx.t("need_permission", NO_ARGS)),
        None => cx.api_error_answer(error),
    }
}

async fn time_zone(cx: Context) -> HandlerResult {
    match cx.alexa_api()?.time_zone().await {
        Ok(zone) => {
            let text = cx.t("time_zone", &[("zone", zone.as_str())]);
            done(cx, text)
        }
        Err(e) => Ok(api_failed(&cx, &e)),
    }
}

async fn set_reminder(cx: Context) -> HandlerResult {
    let minutes: i64 = cx
        .slot_value("minutes")
        .and_then(|m| m.parse().ok())
        .filter(|m| (1..=1440).contains(m))
        .unwrap_or(10);
    let reminder = ReminderRequest::in_seconds(
        minutes * 60,
        cx.speech_locale(),
        &cx.t("reminder_text", NO_ARGS),
    );
    match cx.alexa_api()?.create_reminder(&reminder).await {
        Ok(_) => {
            let text = cx.t("reminder_set", &[("minutes", minutes.to_string().as_str())]);
            done(cx, text)
        }
        Err(e) => Ok(api_failed(&cx, &e)),
    }
}

async fn list_reminders(cx: Context) -> HandlerResult {
    match cx.alexa_api()?.reminders().await {
        Ok(list) => {
            let count = list.alerts.map_or(0, |a| a.len()).to_string();
            let text = cx.t("reminders_count", &[("count", count.as_str())]);
            done(cx, text)
        }
        Err(e) => Ok(api_failed(&cx, &e)),
    }
}

async fn delete_reminders(cx: Context) -> HandlerResult {
    let api = cx.alexa_api()?;
    let tokens: Vec<String> = match api.reminders().await {
        Ok(list) => list
            .alerts
            .unwrap_or_default()
            .into_iter()
            .filter_map(|r| r.alert_token)
            .collect(),
        Err(e) => return Ok(api_failed(&cx, &e)),
    };
    for token in &tokens {
        if let Err(e) = api.delete_reminder(token).await {
            return Ok(api_failed(&cx, &e));
        }
    }
    let text = cx.t(
        "reminders_deleted",
        &[("count", tokens.len().to_string().as_str())],
    );
    done(cx, text)
}

async fn add_to_shopping_list(cx: Context) -> HandlerResult {
    let Some(item) = cx.slot_value("item").map(tidy) else {
        return Ok(cx
            .reply()
            .speak(&cx.t("which_item", NO_ARGS))
            .reprompt(&cx.t("which_item", NO_ARGS))
            .elicit_slot("item", cx.intent().cloned())
            .keep_session_open()
            .build());
    };
    let api = cx.alexa_api()?;
    let list_id = match api.lists().await {
        Ok(lists) => lists.named(SHOPPING_LIST).and_then(|l| l.list_id.clone()),
        Err(e) => return Ok(api_failed(&cx, &e)),
    };
    let Some(list_id) = list_id else {
        let text = cx.t("no_shopping_list", NO_ARGS);
        return done(cx, text);
    };
    match api.create_list_item(&list_id, &item).await {
        Ok(_) => {
            let text = cx.t("added_to_list", &[("item", item.as_str())]);
            done(cx, text)
        }
        Err(e) => Ok(api_failed(&cx, &e)),
    }
}

/// How long the (simulated) meter back end takes: longer than Alexa waits. 8 s, or
/// `HOME_ENERGY_REPORT_MS` milliseconds (tests).
fn energy_report_time() -> std::time::Duration {
    let ms = std::env::var("HOME_ENERGY_REPORT_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(8000);
    std::time::Duration::from_millis(ms)
}

async fn energy_report(cx: Context) -> HandlerResult {
    let report = cx.t("energy_report", NO_ARGS);
    let options = LongAnswer::new("energy-report")
        .progress(Some(&cx.t("energy_progress", NO_ARGS)))
        .still_working(
            &cx.t("energy_working", NO_ARGS),
            &cx.t("energy_reprompt", NO_ARGS),
        );
    cx.long_answer(options, async move {
        tokio::time::sleep(energy_report_time()).await;
        Ok(report)
    })
    .await
}

/// The home skill with its devices kept in `store`.
pub fn skill_with_store(store: Arc<dyn AttributesStore>) -> Skill {
    Skill::builder()
        .catalog(catalog())
        .attributes_store(store)
        .on_launch(launch)
        .on_intent("TurnOnIntent", turn_on)
        .on_intent("TurnOffIntent", turn_off)
        .on_intent("DeviceStatusIntent", status)
        .on_intent("TimeZoneIntent", time_zone)
        .on_intent("SetReminderIntent", set_reminder)
        .on_intent("ListRemindersIntent", list_reminders)
        .on_intent("DeleteRemindersIntent", delete_reminders)
        .on_intent("AddToShoppingListIntent", add_to_shopping_list)
        .on_intent("EnergyReportIntent", energy_report)
        .on_intent("AMAZON.HelpIntent", help)
        .on_intents(&["AMAZON.StopIntent", "AMAZON.CancelIntent"], goodbye)
        .on_intent("AMAZON.FallbackIntent", fallback)
        .on_session_ended(session_ended)
        .fallback(fallback)
        .build()
}

/// The home skill, remembering devices in memory (forgotten when the process exits).
pub fn skill() -> Skill {
    skill_with_store(Arc::new(InMemoryStore::new()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_messages_parse_and_cover_both_languages() {
        let catalog = Catalog::from_toml("en-US", include_str!("messages.toml")).unwrap();
        let en_keys: Vec<&str> = include_str!("messages.toml")
            .split("[de]")
            .next()
            .unwrap()
            .lines()
            .filter_map(|l| l.split_once(" = ").map(|(k, _)| k.trim()))
            .collect();
        assert!(en_keys.len() >= 15);
        for key in en_keys {
            assert!(catalog.lookup("en-US", key).is_some(), "{key}");
            let de = catalog.lookup("de-DE", key).unwrap();
            assert_ne!(Some(de), catalog.lookup("en-US", key), "{key} untranslated");
        }
    }

    #[test]
    fn names_are_tidied() {
        assert_eq!(tidy("  Kitchen   Light "), "kitchen light");
    }
}
