//! The properties of the `nlu` fuzz target (fuzz/src/lib.rs `check_nlu`), checked with
//! proptest on stable: any model and any sentence, no panic, confidence within 0..=1, slot
//! words taken from the sentence, round trips at a fixed point.

use proptest::prelude::*;
use skillgate_interaction_model::{InteractionModelFile, check};
use skillgate_nlu::Matcher;
use time::macros::date;

const WORDS: [&str; 24] = [
    "turn", "on", "the", "light", "off", "please", "play", "some", "music", "one", "twenty",
    "hundred", "and", "next", "monday", "at", "seven", "a", "m", "five", "minutes", "cómo", "fünf",
    "{",
];
const TYPES: [&str; 9] = [
    "AMAZON.NUMBER",
    "AMAZON.DATE",
    "AMAZON.TIME",
    "AMAZON.DURATION",
    "AMAZON.Ordinal",
    "AMAZON.FOUR_DIGIT_NUMBER",
    "AMAZON.SearchQuery",
    "AMAZON.Color",
    "CUSTOM",
];

fn phrase() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            4 => prop::sample::select(&WORDS[..]).prop_map(str::to_owned),
            1 => Just("{s0}".to_owned()),
            1 => Just("{s1}".to_owned()),
            1 => "[a-z'&.{}-]{0,6}",
        ],
        0..7,
    )
    .prop_map(|w| w.join(" "))
}

fn model() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(
            (
                prop::sample::select(&TYPES[..]),
                prop::sample::select(&TYPES[..]),
                prop::collection::vec(phrase(), 0..5),
            ),
            1..5,
        ),
        prop::collection::vec((phrase(), prop::collection::vec(phrase(), 0..3)), 0..6),
        prop::bool::ANY,
    )
        .prop_map(|(intents, values, fallback)| {
            let mut list: Vec<serde_json::Value> = intents
                .iter()
                .enumerate()
                .map(|(i, (t0, t1, samples))| {
                    serde_json::json!({
                        "name": format!("Intent{}", (b'A' + i as u8) as char),
                        "slots": [{"name": "s0", "type": t0}, {"name": "s1", "type": t1}],
                        "samples": samples,
                    })
                })
                .collect();
            if fallback {
                list.push(serde_json::json!({"name": "AMAZON.FallbackIntent", "samples": []}));
            }
            list.push(serde_json::json!({"name": "AMAZON.StopIntent", "samples": []}));
            let values: Vec<serde_json::Value> = values
                .iter()
                .map(|(v, syn)| serde_json::json!({"id": v, "name": {"value": v, "synonyms": syn}}))
                .collect();
            serde_json::json!({"interactionModel": {"languageModel": {
                "invocationName": "test skill", "intents": list,
                "types": [{"name": "CUSTOM", "values": values}]}}})
            .to_string()
        })
}

fn check_properties(model_json: &str, locale: &str, sentences: &[String]) {
    let model = InteractionModelFile::from_json(model_json).unwrap();
    let written = model.to_json_pretty();
    assert_eq!(
        InteractionModelFile::from_json(&written)
            .unwrap()
            .to_json_pretty(),
        written
    );
    for finding in check(&model) {
        assert!(finding.path.starts_with("interactionModel"), "{finding}");
    }
    let matcher = Matcher::new(&model, locale);
    for sentence in sentences {
        let result = matcher.match_sentence(sentence, date!(2026 - 11 - 30));
        assert!((0.0..=1.0).contains(&result.confidence), "{result:?}");
        let utterance = format!(" {} ", result.utterance);
        for slot in &result.slots {
            assert!(
                utterance.contains(&format!(" {} ", slot.spoken)),
                "{slot:?} not in {utterance:?}"
            );
        }
        let line: serde_json::Value = serde_json::from_str(&result.to_line_json()).unwrap();
        assert!(line["utterance"].is_string());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn any_model_any_sentence(
        model in model(),
        locale in prop::sample::select(&["en-US", "en-GB", "de-DE", "es-ES", "", "xx"][..]),
        sentences in prop::collection::vec(prop_oneof![phrase(), ".{0,40}"], 1..6),
    ) {
        check_properties(&model, locale, &sentences);
    }

    #[test]
    fn arbitrary_bytes_never_panic_the_reader(text in ".{0,200}") {
        let _ = InteractionModelFile::from_json(&text);
    }
}

#[test]
fn committed_fuzz_seeds() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/seeds/nlu");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let data = std::fs::read(entry.unwrap().path()).unwrap();
        let mut parts = data.splitn(3, |b| *b == 0);
        let model = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
        let locale = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
        let sentences: Vec<String> = String::from_utf8_lossy(parts.next().unwrap_or_default())
            .lines()
            .map(str::to_owned)
            .collect();
        check_properties(&model, &locale, &sentences);
        seen += 1;
    }
    assert_eq!(seen, 6);
}
