//! Every real request envelope in the fixture corpus gets a valid answer: never an error,
//! never a response Alexa would reject, even from a skill whose fallback always speaks.

use skillgate::{Context, Skill};

fn corpus() -> Vec<(String, Vec<u8>)> {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/alexa/envelopes");
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_str().unwrap();
            name.ends_with(".json")
                && !name.starts_with("response-")
                && !name.starts_with("fragment-")
        })
        .map(|p| {
            (
                p.file_name().unwrap().to_str().unwrap().to_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    files.sort();
    assert!(files.len() >= 40);
    files
}

#[tokio::test]
async fn every_fixture_envelope_gets_a_valid_answer() {
    let talkative = Skill::builder()
        .fallback(|cx: Context| async move {
            Ok(cx.reply().speak("I heard you.").reprompt("And?").build())
        })
        .build();
    let plain = Skill::builder().build();
    for (name, body) in corpus() {
        let Ok(request) = serde_json::from_slice::<skillgate::RequestEnvelope>(&body) else {
            // The server answers 400 to what the model cannot read; nothing to route.
            assert!(matches!(
                plain.handle_json(&body).await,
                Err(skillgate::SkillError::InvalidRequest(_))
            ));
            continue;
        };
        for skill in [&talkative, &plain] {
            let out = skill.try_handle(request.clone()).await;
            assert!(out.is_ok(), "{name}: {out:?}");
            let raw = skill.handle_json(&body).await;
            assert!(raw.is_ok(), "{name}: {raw:?}");
        }
    }
}
