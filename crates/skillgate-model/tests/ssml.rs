//! SSML escaping and the SSML builder, including property tests over arbitrary text.

use proptest::prelude::*;
use skillgate_model::ResponseBuilder;
use skillgate_model::ssml::{self, Ssml, SsmlSummary};

proptest! {
    #[test]
    fn escaped_text_is_always_well_formed_and_unescapes_back(text in any::<String>()) {
        let escaped = ssml::escape(&text);
        let document = format!("<speak>{escaped}</speak>");
        prop_assert_eq!(ssml::check(&document), Ok(SsmlSummary::default()));
        let allowed: String = text.chars().filter(|c| ssml::is_xml_char(*c)).collect();
        prop_assert_eq!(ssml::unescape(&escaped), allowed);
    }

    #[test]
    fn escaped_text_never_contains_markup_characters(text in "[<>&\"' a-z]{0,64}") {
        let escaped = ssml::escape(&text);
        prop_assert!(!escaped.contains(['<', '>', '"', '\'']));
        prop_assert_eq!(escaped.matches('&').count(), escaped.matches(';').count());
    }

    #[test]
    fn builder_output_is_always_well_formed(
        pieces in proptest::collection::vec(any::<String>(), 0..6),
        pause in 0u32..10_000,
    ) {
        let mut doc = Ssml::new();
        for (i, piece) in pieces.iter().enumerate() {
            doc = match i % 6 {
                0 => doc.text(piece),
                1 => doc.say_as("characters", piece),
                2 => doc.emphasis("strong", piece),
                3 => doc.sub(piece, piece),
                // Alexa plays audio only over HTTPS (the check refuses other sources).
                4 => doc.audio(&format!("https://audio.example/{piece}")),
                _ => doc.whisper(piece).pause_ms(pause),
            };
        }
        prop_assert!(ssml::check(&doc.build()).is_ok());
    }

    #[test]
    fn builder_speak_is_always_valid_ssml(text in any::<String>()) {
        let response = ResponseBuilder::new().speak(&text).reprompt(&text).build();
        let speech = response.output_speech.unwrap();
        prop_assert!(ssml::check(speech.content()).is_ok());
    }
}

#[test]
fn builder_covers_the_common_tags() {
    let doc = Ssml::new()
        .sentence("One.")
        .paragraph("Two.")
        .pause_strength("strong")
        .break_time("1s")
        .lang("de-DE", "Hallo")
        .voice("Hans", "Guten Tag")
        .phoneme("ipa", "pɪˈkɑːn", "pecan")
        .prosody(&[("rate", "slow"), ("volume", "loud")], "slowly")
        .audio("https://example.com/a.mp3?x=1&y=2")
        .build();
    assert_eq!(
        doc,
        "<speak><s>One.</s><p>Two.</p><break strength=\"strong\"/><break time=\"1s\"/>\
         <lang xml:lang=\"de-DE\">Hallo</lang><voice name=\"Hans\">Guten Tag</voice>\
         <phoneme alphabet=\"ipa\" ph=\"pɪˈkɑːn\">pecan</phoneme>\
         <prosody rate=\"slow\" volume=\"loud\">slowly</prosody>\
         <audio src=\"https://example.com/a.mp3?x=1&amp;y=2\"/></speak>"
    );
    assert_eq!(ssml::check(&doc), Ok(SsmlSummary { audio_clips: 1 }));
}

#[test]
fn wrap_leaves_speak_documents_alone() {
    assert_eq!(ssml::wrap("hi"), "<speak>hi</speak>");
    assert_eq!(ssml::wrap("  <speak>hi</speak> "), "<speak>hi</speak>");
    assert_eq!(
        ssml::wrap("<speak xml:lang=\"en-US\">hi</speak>"),
        "<speak xml:lang=\"en-US\">hi</speak>"
    );
    assert_eq!(Ssml::new().text("a").fragment(), "a");
}

#[test]
fn rejected_documents_say_why() {
    let error = ssml::check("<speak><blink>x</blink></speak>").unwrap_err();
    assert_eq!(error.to_string(), "unknown SSML tag <blink> at byte 7");
    let error = ssml::check("<speak>Tom & Jerry</speak>").unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid entity at byte 11 (escape & as &amp;)"
    );
}
