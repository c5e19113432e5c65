//! The properties of the `nlu_model` and `nlu_match` fuzz targets (fuzz/src/lib.rs
//! `check_nlu_model`, `check_nlu_match`), checked with proptest on stable: any model and any
//! sentence, no panic, confidence within 0..=1, slot words taken from the sentence, round
//! trips at a fixed point; and the targets' committed seeds.

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

/// The six models of `testdata/nlu` in the order of the `nlu_match` selector byte (see
/// `check_nlu_match` in fuzz/src/lib.rs), with their locales.
const MODELS: [(&str, &str); 6] = [
    ("audiobookshelf-en-US", "en-US"),
    ("calendar-reader-en-US", "en-US"),
    ("decision-tree-en-GB", "en-GB"),
    ("fact-en-US", "en-US"),
    ("highlowgame-en-US", "en-US"),
    ("sauce-boss-es-ES", "es-ES"),
];

/// The committed seeds of a fuzz target, `fuzz/seeds/<target>/*`.
fn seeds(target: &str) -> Vec<Vec<u8>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/seeds")
        .join(target);
    std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| std::fs::read(entry.unwrap().path()).unwrap())
        .collect()
}

/// `fuzz/seeds/nlu_match`: a selector byte (model `% 6`, locale `/ 6 % 4`: the model's own,
/// `en-US`, `de-DE`, `es-ES`), then one sentence.
#[test]
fn committed_nlu_match_seeds() {
    let testdata = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/nlu");
    let mut seen = [0; 6];
    for data in seeds("nlu_match") {
        let (&selector, rest) = data.split_first().unwrap();
        let key = usize::from(selector) % 24;
        let (name, own) = MODELS[key % 6];
        let locale = ["", "en-US", "de-DE", "es-ES"][key / 6];
        let locale = if locale.is_empty() { own } else { locale };
        let model = std::fs::read_to_string(testdata.join(format!("{name}.model.json"))).unwrap();
        let sentence = String::from_utf8_lossy(rest).into_owned();
        check_properties(&model, locale, &[sentence]);
        seen[key % 6] += 1;
    }
    assert!(
        seen.iter().all(|n| *n > 0),
        "a seed for every model: {seen:?}"
    );
}

/// `fuzz/seeds/nlu_model`: the six models compact, the three smallest also as written.
#[test]
fn committed_nlu_model_seeds() {
    let mut seen = 0;
    for data in seeds("nlu_model") {
        let model = String::from_utf8(data).unwrap();
        check_properties(&model, "en-US", &["tell me something".to_owned()]);
        seen += 1;
    }
    assert_eq!(seen, 9);
}
