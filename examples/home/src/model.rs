//! home gate's interaction model, declared next to the handlers. `skillgate model export
//! --skill home` writes it as console JSON; `examples/home/interaction-model.json` is that
//! output (a test keeps them equal).

use skillgate_interaction_model::{IntentDecl, ModelDecl, SkillModels, SlotTypeDecl};

/// Samples of TurnOnIntent / TurnOffIntent, `{state}` being "on" or "off".
fn switch_intent(name: &str, state: &str) -> IntentDecl {
    let samples = [
        "turn {state} the {device}",
        "turn the {device} {state}",
        "switch {state} the {device}",
        "turn {state} the {room} {device}",
        "turn {state} the {device} in the {room}",
        "switch {state} the {device} in the {room}",
        "switch the {room} {device} {state}",
        "turn the {room} {device} {state}",
        "turn {state} the {room}",
        "turn something {state}",
        "turn {state}",
    ]
    .map(|s| s.replace("{state}", state));
    IntentDecl::new(name)
        .samples(samples)
        .slot_with_samples(
            "device",
            "DEVICE",
            [
                "the {device}".to_owned(),
                "{device}".to_owned(),
                format!("turn {state} the {{device}}"),
            ],
        )
        .slot_with_samples("room", "ROOM", ["the {room}", "in the {room}"])
        .elicit("device", format!("Which device should I turn {state}?"))
}

/// The model of every locale home gate speaks to Alexa in.
pub fn interaction_models() -> SkillModels {
    let none: [&str; 0] = [];
    let devices = SlotTypeDecl::new("DEVICE")
        .value_with("light", Some("LIGHT"), ["lights", "lamp", "lamps"])
        .value_with("fan", Some("FAN"), ["ventilator"])
        .value_with("heater", Some("HEATER"), ["heating", "radiator"])
        .value_with("tv", Some("TV"), ["television", "telly"])
        .value_with("radio", Some("RADIO"), none)
        .value_with("coffee machine", Some("COFFEE_MACHINE"), ["coffee maker"])
        .value_with("plug", Some("PLUG"), ["socket", "outlet"]);
    let rooms = SlotTypeDecl::new("ROOM")
        .value_with("kitchen", Some("KITCHEN"), none)
        .value_with("living room", Some("LIVING_ROOM"), ["lounge"])
        .value_with("bedroom", Some("BEDROOM"), none)
        .value_with("bathroom", Some("BATHROOM"), none)
        .value_with("hall", Some("HALL"), ["hallway"])
        .value_with("office", Some("OFFICE"), ["study"])
        .value_with("garden", Some("GARDEN"), none)
        .value_with("garage", Some("GARAGE"), none);
    let en = ModelDecl::new("home gate")
        .intent(IntentDecl::new("AMAZON.CancelIntent"))
        .intent(IntentDecl::new("AMAZON.HelpIntent"))
        .intent(IntentDecl::new("AMAZON.StopIntent"))
        .intent(IntentDecl::new("AMAZON.FallbackIntent"))
        .intent(IntentDecl::new("AMAZON.NavigateHomeIntent"))
        .intent(switch_intent("TurnOnIntent", "on"))
        .intent(switch_intent("TurnOffIntent", "off"))
        .intent(IntentDecl::new("DeviceStatusIntent").samples([
            "what is on",
            "what's on",
            "what is switched on",
            "which devices are on",
            "is anything on",
            "status",
            "what is running",
        ]))
        // The intents that call Alexa's service APIs (time zone, reminders, lists) and the
        // long answer.
        .intent(
            IntentDecl::new("TimeZoneIntent")
                .samples(["what is my time zone", "which time zone am I in"]),
        )
        .intent(
            IntentDecl::new("SetReminderIntent")
                .samples([
                    "remind me to check the lights",
                    "remind me in {minutes} minutes to check the lights",
                    "set a reminder",
                ])
                .slot("minutes", "AMAZON.NUMBER"),
        )
        .intent(
            IntentDecl::new("ListRemindersIntent")
                .samples(["what reminders do I have", "list my reminders"]),
        )
        .intent(
            IntentDecl::new("DeleteRemindersIntent")
                .samples(["delete my reminders", "cancel my reminders"]),
        )
        .intent(
            IntentDecl::new("AddToShoppingListIntent")
                .samples([
                    "add {item} to my shopping list",
                    "put {item} on the shopping list",
                ])
                .slot("item", "AMAZON.Food"),
        )
        .intent(
            IntentDecl::new("EnergyReportIntent")
                .samples(["how much energy did I use", "give me my energy report"]),
        )
        .slot_type(devices)
        .slot_type(rooms)
        .delegation_strategy("SKILL_RESPONSE");
    SkillModels::new().locale("en-US", en)
}

#[cfg(test)]
mod tests {
    use skillgate_interaction_model::{InteractionModelFile, Severity, check};

    #[test]
    fn export_reproduces_the_committed_console_json() {
        let committed: serde_json::Value =
            serde_json::from_str(include_str!("../interaction-model.json")).unwrap();
        let exported = super::interaction_models().export();
        let en = exported.get("en-US").unwrap();
        let value: serde_json::Value = serde_json::from_str(&en.to_json_pretty()).unwrap();
        assert_eq!(value, committed);
        let parsed =
            InteractionModelFile::from_json(include_str!("../interaction-model.json")).unwrap();
        assert!(
            check(&parsed)
                .iter()
                .all(|f| f.severity == Severity::Warning)
        );
    }
}
