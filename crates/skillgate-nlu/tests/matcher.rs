//! The matcher on small models: strict and tolerant matches, entity resolution, built-in slot
//! types, fallback and ambiguity, invocations, locales, hostile input.

use skillgate_interaction_model::{IntentDecl, InteractionModelFile, ModelDecl, SlotTypeDecl};
use skillgate_nlu::{Invocation, Matcher, Outcome, Resolution};
use time::macros::date;

const TODAY: time::Date = date!(2026 - 11 - 30); // a Monday

fn home(locale: &str) -> Matcher {
    let model = ModelDecl::new("home control")
        .standard_intents()
        .intent(IntentDecl::new("AMAZON.FallbackIntent"))
        .intent(
            IntentDecl::new("TurnOnIntent")
                .slot("device", "DEVICE")
                .slot("room", "ROOM")
                .samples([
                    "turn on the {device}",
                    "turn on the {device} in the {room}",
                    "switch the {device} on",
                ]),
        )
        .intent(
            IntentDecl::new("TurnOffIntent")
                .slot("device", "DEVICE")
                .samples(["turn off the {device}", "switch the {device} off"]),
        )
        .intent(
            IntentDecl::new("TimerIntent")
                .slot("length", "AMAZON.DURATION")
                .slot("when", "AMAZON.TIME")
                .slot("day", "AMAZON.DATE")
                .samples([
                    "set a timer for {length}",
                    "wake me at {when}",
                    "remind me {day}",
                ]),
        )
        .intent(
            IntentDecl::new("PickIntent")
                .slot("position", "AMAZON.Ordinal")
                .slot("pin", "AMAZON.FOUR_DIGIT_NUMBER")
                .slot("count", "AMAZON.NUMBER")
                .slot("who", "AMAZON.FirstName")
                .samples([
                    "pick the {position} one",
                    "my pin is {pin}",
                    "buy {count} apples",
                    "call {who} now",
                ]),
        )
        .slot_type(
            SlotTypeDecl::new("DEVICE")
                .value_with("light", Some("LIGHT"), ["lamp", "lights"])
                .value_with("television", Some("TV"), ["tv", "telly"]),
        )
        .slot_type(
            SlotTypeDecl::new("ROOM")
                .value("kitchen")
                .value("living room"),
        )
        .build();
    Matcher::new(&model, locale)
}

#[test]
fn strict_match_with_entity_resolution() {
    let m = home("en-US");
    let r = m.match_sentence("turn on the lamp in the living room", TODAY);
    assert_eq!(r.intent.as_deref(), Some("TurnOnIntent"));
    assert_eq!(r.outcome, Outcome::Strict);
    assert_eq!(r.confidence, 1.0);
    let device = r.slot("device").unwrap();
    assert_eq!(device.spoken, "lamp");
    assert_eq!(
        device.resolution,
        Some(Resolution::Match {
            value: "light".into(),
            id: Some("LIGHT".into())
        })
    );
    assert_eq!(
        r.slot("room").unwrap().resolution,
        Some(Resolution::Match {
            value: "living room".into(),
            id: None
        })
    );
}

#[test]
fn out_of_list_values_are_no_match() {
    let m = home("en-US");
    let r = m.match_sentence("turn off the heater", TODAY);
    assert_eq!(r.intent.as_deref(), Some("TurnOffIntent"));
    let device = r.slot("device").unwrap();
    assert_eq!(device.spoken, "heater");
    assert_eq!(device.resolution, Some(Resolution::NoMatch));
    assert!(r.confidence < 1.0);
}

#[test]
fn tolerant_matches_fillers_and_order() {
    let m = home("en-US");
    for sentence in [
        "please turn on the tv",
        "can you turn on the telly",
        "turn the lights on please",
        "could you switch on the lamp",
    ] {
        let r = m.match_sentence(sentence, TODAY);
        assert_eq!(
            r.intent.as_deref(),
            Some("TurnOnIntent"),
            "{sentence}: {r:?}"
        );
        assert!(r.slot("device").is_some(), "{sentence}: {r:?}");
    }
    let r = m.match_sentence("turn the lights off", TODAY);
    assert_eq!(r.intent.as_deref(), Some("TurnOffIntent"), "{r:?}");
}

#[test]
fn fallback_and_ambiguity() {
    let m = home("en-US");
    let r = m.match_sentence("what's the capital of australia", TODAY);
    assert_eq!(r.intent.as_deref(), Some("AMAZON.FallbackIntent"));
    assert_eq!(r.outcome, Outcome::NoMatch);
    // A sentence two intents fit equally well: no intent rather than a guess.
    let model = ModelDecl::new("x y")
        .intent(IntentDecl::new("AMAZON.FallbackIntent"))
        .intent(IntentDecl::new("SaveIntent").samples(["save the game for later"]))
        .intent(IntentDecl::new("LoadIntent").samples(["load the game for later"]))
        .build();
    let r = Matcher::new(&model, "en-US").match_sentence("the game for later", TODAY);
    assert_eq!(
        (r.intent.as_deref(), r.outcome),
        (None, Outcome::Ambiguous),
        "{r:?}"
    );
    // Without a fallback intent nothing fits → no intent.
    let model = ModelDecl::new("x y")
        .intent(IntentDecl::new("A").samples(["hello there"]))
        .build();
    let r = Matcher::new(&model, "en-US").match_sentence("order a pizza", TODAY);
    assert_eq!((r.intent, r.outcome), (None, Outcome::NoMatch));
}

#[test]
fn builtin_slot_types() {
    let m = home("en-US");
    let value = |sentence: &str, slot: &str| {
        let r = m.match_sentence(sentence, TODAY);
        r.slot(slot)
            .map(|s| s.value.clone())
            .unwrap_or_else(|| panic!("{sentence}: {r:?}"))
    };
    assert_eq!(value("set a timer for five minutes", "length"), "PT5M");
    assert_eq!(
        value("set a timer for an hour and thirty minutes", "length"),
        "PT1H30M"
    );
    assert_eq!(value("wake me at seven thirty p m", "when"), "19:30");
    assert_eq!(value("remind me tomorrow", "day"), "2026-12-01");
    assert_eq!(value("remind me next friday", "day"), "2026-12-04");
    assert_eq!(value("remind me this weekend", "day"), "2026-W49-WE");
    assert_eq!(value("pick the third one", "position"), "3");
    assert_eq!(value("my pin is one two three four", "pin"), "1234");
    assert_eq!(value("my pin is 2024", "pin"), "2024");
    assert_eq!(value("buy one million apples", "count"), "1000000");
    assert_eq!(
        value("buy nine hundred ninety nine thousand apples", "count"),
        "999000"
    );
    assert_eq!(value("buy 12 apples", "count"), "12");
    assert_eq!(value("call mary ann now", "who"), "mary ann");
}

#[test]
fn invocations() {
    let m = home("en-US");
    let r = m.match_sentence("open home control", TODAY);
    assert_eq!(
        (r.invocation, r.outcome, r.intent),
        (Invocation::Launch, Outcome::Launch, None)
    );
    let r = m.match_sentence("ask home control to turn on the light", TODAY);
    assert_eq!(r.invocation, Invocation::OneShot);
    assert_eq!(r.intent.as_deref(), Some("TurnOnIntent"));
    let r = m.match_sentence("Alexa, tell home control turn off the TV.", TODAY);
    assert_eq!(r.invocation, Invocation::OneShot);
    assert_eq!(r.intent.as_deref(), Some("TurnOffIntent"));
    assert_eq!(r.slot("device").unwrap().spoken, "tv");
}

#[test]
fn builtin_intents_without_samples() {
    let m = home("en-US");
    for (sentence, intent) in [
        ("stop", "AMAZON.StopIntent"),
        ("cancel", "AMAZON.CancelIntent"),
        ("help me please", "AMAZON.HelpIntent"),
    ] {
        assert_eq!(
            m.match_sentence(sentence, TODAY).intent.as_deref(),
            Some(intent),
            "{sentence}"
        );
    }
}

#[test]
fn german_and_spanish_numbers() {
    let de = InteractionModelFile::from_json(
        r#"{"interactionModel":{"languageModel":{"invocationName":"zahlen spiel","intents":[
        {"name":"AMAZON.StopIntent","samples":[]},
        {"name":"GuessIntent","slots":[{"name":"n","type":"AMAZON.NUMBER"}],"samples":["ist es {n}","{n}"]}]}}}"#,
    )
    .unwrap();
    let m = Matcher::new(&de, "de-DE");
    let r = m.match_sentence("ist es dreiundzwanzig", TODAY);
    assert_eq!(r.slot("n").unwrap().value, "23");
    let r = m.match_sentence("zweihundertfünfzig", TODAY);
    assert_eq!(r.slot("n").unwrap().value, "250");
    assert_eq!(
        m.match_sentence("stopp", TODAY).intent.as_deref(),
        Some("AMAZON.StopIntent")
    );
    let es = InteractionModelFile::from_json(
        r#"{"interactionModel":{"languageModel":{"invocationName":"juego de números","intents":[
        {"name":"GuessIntent","slots":[{"name":"n","type":"AMAZON.NUMBER"}],"samples":["es el {n}"]}]}}}"#,
    )
    .unwrap();
    let r = Matcher::new(&es, "es-ES").match_sentence("es el treinta y cinco", TODAY);
    assert_eq!(r.slot("n").unwrap().value, "35");
}

#[test]
fn hostile_input_never_panics() {
    let m = home("en-US");
    let long = "turn ".repeat(10_000);
    for sentence in [
        "",
        " ",
        "{device}",
        "'''",
        "🙂 🙂",
        "\u{0}",
        long.as_str(),
        "one one one one one one one one one one one one one",
    ] {
        let r = m.match_sentence(sentence, TODAY);
        assert!((0.0..=1.0).contains(&r.confidence), "{sentence}");
    }
    // A model full of oddities.
    let odd = InteractionModelFile::from_json(
        r#"{"interactionModel":{"languageModel":{"invocationName":"","intents":[
        {"name":"A","slots":[{"name":"x","type":"NOPE"}],"samples":["{x} {x} {y}","{","}}{{","", "{x}s"]},
        {"name":"B"}],"types":[{"name":"T","values":[{"name":{"value":""}}]}]}}}"#,
    )
    .unwrap();
    let m = Matcher::new(&odd, "xx");
    for sentence in ["a b c", "", "x"] {
        let _ = m.match_sentence(sentence, TODAY);
    }
}

#[test]
fn slot_answers_during_elicitation() {
    let m = home("en-US");
    // "the lamp" fits TurnOn and TurnOff equally as a sentence, but as the answer to
    // "which device?" only the slot matters.
    let fill = m
        .match_slot_answer("the lamp please", "device", TODAY)
        .unwrap();
    assert_eq!(
        (fill.spoken.as_str(), fill.resolution),
        (
            "lamp",
            Some(Resolution::Match {
                value: "light".into(),
                id: Some("LIGHT".into())
            })
        )
    );
    assert!(
        m.match_slot_answer("what's the capital of australia", "device", TODAY)
            .is_none()
    );
}
