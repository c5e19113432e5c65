//! Handlers speak from the catalog in the request's locale, with fallback.

mod common;

use common::*;
use serde_json::json;
use skillgate::{Catalog, Context, Skill};

fn skill() -> Skill {
    let catalog = Catalog::from_toml(
        "en-US",
        r#"
        [en]
        on = "Turned on the {device}."
        [de]
        on = "{device} ist eingeschaltet."
        [de-AT]
        on = "{device} ist aufgedreht."
        "#,
    )
    .unwrap();
    Skill::builder()
        .catalog(catalog)
        .on_intent("TurnOnIntent", |cx: Context| async move {
            let device = cx.slot_value("device").unwrap_or("light").to_owned();
            Ok(cx
                .reply()
                .speak(&cx.t("on", &[("device", device.as_str())]))
                .build())
        })
        .build()
}

async fn say_in(locale: &str) -> String {
    let mut raw =
        serde_json::to_value(intent_with("TurnOnIntent", json!({"device": "Licht"}))).unwrap();
    raw["request"]["locale"] = json!(locale);
    let out = skill()
        .try_handle(serde_json::from_value(raw).unwrap())
        .await
        .unwrap();
    speech(&out).unwrap()
}

#[tokio::test]
async fn locale_fallback_from_region_to_language_to_default() {
    assert!(say_in("de-AT").await.contains("Licht ist aufgedreht."));
    assert!(say_in("de-DE").await.contains("Licht ist eingeschaltet."));
    assert!(say_in("en-GB").await.contains("Turned on the Licht."));
    assert!(say_in("ja-JP").await.contains("Turned on the Licht."));
}
