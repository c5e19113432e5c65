//! Reading and writing real console models loses nothing; malformed files name the JSON path;
//! declarations produce the console JSON.

use std::path::PathBuf;

use serde_json::Value;
use skillgate_interaction_model::{
    IntentDecl, InteractionModelFile, ModelDecl, ModelError, SkillModels, SlotTypeDecl, check,
};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn real_models() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("testdata/nlu"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.push(root().join("examples/home/interaction-model.json"));
    files.sort();
    files
}

#[test]
fn real_models_round_trip_without_loss() {
    let files = real_models();
    assert!(files.len() >= 13, "{files:?}");
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let model = InteractionModelFile::from_json(&text).unwrap();
        let written = model.to_json_pretty();
        let before: Value = serde_json::from_str(&text).unwrap();
        let after: Value = serde_json::from_str(&written).unwrap();
        assert_eq!(before, after, "{} changed on a round trip", file.display());
    }
}

#[test]
fn unknown_fields_survive() {
    let text = r#"{"interactionModel":{"languageModel":{"invocationName":"x y","intents":[
        {"name":"A","samples":["a"],"future":{"k":[1,2]}}],
        "modelConfiguration":{"fallbackIntentSensitivity":{"level":"HIGH"},"other":true}},
        "dialog":{"delegationStrategy":"ALWAYS","intents":[{"name":"A","slots":[{"name":"s","type":"T",
        "validations":[{"type":"isGreaterThan","prompt":"p","value":"3"}]}]}]},
        "prompts":[{"id":"p","variations":[{"type":"PlainText","value":"hi"}]}],"newSection":1},
        "version":"3"}"#;
    let model = InteractionModelFile::from_json(text).unwrap();
    let lm = model.language_model();
    assert_eq!(
        lm.model_configuration
            .as_ref()
            .unwrap()
            .fallback_intent_sensitivity
            .as_ref()
            .unwrap()
            .level,
        "HIGH"
    );
    assert_eq!(lm.intents[0].extra["future"]["k"][1], 2);
    let back: Value = serde_json::from_str(&model.to_json_pretty()).unwrap();
    assert_eq!(back, serde_json::from_str::<Value>(text).unwrap());
}

#[test]
fn malformed_models_name_the_json_path() {
    let cases = [
        (
            r#"{"interactionModel":{"languageModel":{"intents":[{"name":"A","samples":[1]}]}}}"#,
            "interactionModel.languageModel.intents[0].samples[0]",
        ),
        (
            r#"{"interactionModel":{"languageModel":{"intents":[{"samples":[]}]}}}"#,
            "interactionModel.languageModel.intents[0]",
        ),
        (
            r#"{"interactionModel":{"languageModel":{"types":[{"name":"T","values":[{"name":{"value":5}}]}]}}}"#,
            "interactionModel.languageModel.types[0].values[0].name.value",
        ),
        (r#"{"interactionModel":{"languageModel":{}}} trailing"#, "."),
    ];
    for (text, path) in cases {
        match InteractionModelFile::from_json(text) {
            Err(ModelError::Json { path: got, .. }) => assert_eq!(got, path, "{text}"),
            other => panic!("{text}: {other:?}"),
        }
    }
    let missing = InteractionModelFile::from_path(&root().join("no/such/file.json"));
    assert!(matches!(missing, Err(ModelError::Io { .. })));
}

#[test]
fn declarations_produce_console_json() {
    let models = SkillModels::new()
        .locale(
            "en-US",
            ModelDecl::new("home gate")
                .standard_intents()
                .intent(
                    IntentDecl::new("TurnOnIntent")
                        .slot_with_samples("device", "DEVICE", ["the {device}"])
                        .samples(["turn on the {device}"]),
                )
                .slot_type(
                    SlotTypeDecl::new("DEVICE")
                        .value_with("light", Some("LIGHT"), ["lamp"])
                        .value("fan"),
                ),
        )
        .locale(
            "de-DE",
            ModelDecl::new("haus tor")
                .standard_intents()
                .intent(IntentDecl::new("HelloIntent").samples(["hallo"])),
        );
    assert_eq!(models.locales().collect::<Vec<_>>(), ["de-DE", "en-US"]);
    let exported = models.export();
    let en: Value = serde_json::from_str(&exported["en-US"].to_json_pretty()).unwrap();
    let expected: Value = serde_json::from_str(
        r#"{"interactionModel":{"languageModel":{"invocationName":"home gate","intents":[
        {"name":"AMAZON.CancelIntent","samples":[]},{"name":"AMAZON.HelpIntent","samples":[]},
        {"name":"AMAZON.StopIntent","samples":[]},{"name":"AMAZON.NavigateHomeIntent","samples":[]},
        {"name":"TurnOnIntent","slots":[{"name":"device","type":"DEVICE","samples":["the {device}"]}],
         "samples":["turn on the {device}"]}],
        "types":[{"name":"DEVICE","values":[{"id":"LIGHT","name":{"value":"light","synonyms":["lamp"]}},
        {"name":{"value":"fan"}}]}]}}}"#,
    )
    .unwrap();
    assert_eq!(en, expected);
    for model in exported.values() {
        let findings = check(model);
        assert!(findings.is_empty(), "{findings:#?}");
    }
}

#[test]
fn check_passes_home_and_finds_seeded_conflicts() {
    let path = root().join("examples/home/interaction-model.json");
    let mut model = InteractionModelFile::from_path(&path).unwrap();
    let clean = check(&model);
    assert!(
        clean
            .iter()
            .all(|f| f.severity == skillgate_interaction_model::Severity::Warning),
        "{clean:#?}"
    );
    // Seed two conflicts: a status sample TurnOnIntent can also produce, and one that is
    // word for word a TurnOffIntent sample.
    let status = model
        .interaction_model
        .language_model
        .intents
        .iter_mut()
        .find(|i| i.name == "DeviceStatusIntent")
        .unwrap();
    status.samples.as_mut().unwrap().extend([
        "turn on the lamp".to_owned(),
        "turn something off".to_owned(),
    ]);
    let index = model
        .language_model()
        .intents
        .iter()
        .position(|i| i.name == "DeviceStatusIntent")
        .unwrap();
    let findings = check(&model);
    let conflicts: Vec<_> = findings
        .iter()
        .filter(|f| f.code == "conflict-intents")
        .collect();
    let lamp = format!("interactionModel.languageModel.intents[{index}].samples[7]");
    let off = format!("interactionModel.languageModel.intents[{index}].samples[8]");
    assert!(
        conflicts
            .iter()
            .any(|f| f.path == lamp && f.message.contains("TurnOnIntent")),
        "{conflicts:#?}"
    );
    assert!(
        conflicts
            .iter()
            .any(|f| f.path == off && f.severity == skillgate_interaction_model::Severity::Error),
        "{conflicts:#?}"
    );
}
