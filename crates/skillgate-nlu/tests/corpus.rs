//! The labelled corpus in testdata/nlu: six public models, their cases, and the accuracy
//! targets (intent >= 95 % and exact >= 90 % overall, heldout intent >= 75 %).

use std::path::PathBuf;

use skillgate_interaction_model::InteractionModelFile;
use skillgate_nlu::Matcher;
use skillgate_nlu::eval::{Tally, parse_cases, run_cases};
use time::macros::date;

const MODELS: [&str; 6] = [
    "audiobookshelf-en-US",
    "calendar-reader-en-US",
    "decision-tree-en-GB",
    "fact-en-US",
    "highlowgame-en-US",
    "sauce-boss-es-ES",
];

fn testdata() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/nlu")
}

#[test]
fn corpus_meets_the_targets() {
    let mut overall = Tally::default();
    let mut heldout = Tally::default();
    for name in MODELS {
        let model = InteractionModelFile::from_path(&testdata().join(format!("{name}.model.json")))
            .unwrap();
        let locale = name
            .rsplitn(3, '-')
            .take(2)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
            .join("-");
        let matcher = Matcher::new(&model, &locale);
        let text = std::fs::read_to_string(testdata().join(format!("{name}.cases.jsonl"))).unwrap();
        let cases = parse_cases(&text).unwrap();
        let report = run_cases(&matcher, &cases, date!(2026 - 11 - 30));
        for (kind, t) in &report.kinds {
            println!(
                "{name:24} {kind:8} {:3} intent {:5.1}% exact {:5.1}%",
                t.total,
                100.0 * t.intent_rate(),
                100.0 * t.exact_rate()
            );
            if kind == "heldout" {
                heldout.total += t.total;
                heldout.intent += t.intent;
                heldout.exact += t.exact;
            }
        }
        for (case, got) in &report.misses {
            let slots: Vec<String> = got
                .slots
                .iter()
                .map(|s| format!("{}={}", s.name, s.spoken))
                .collect();
            println!(
                "  MISS [{}] {:?}: want {:?} {:?}, got {:?} {:?} ({:.2}, runner-up {:?})",
                case.kind,
                case.utterance,
                case.intent,
                case.slots,
                got.intent,
                slots,
                got.confidence,
                got.runner_up
            );
        }
        overall.total += report.overall.total;
        overall.intent += report.overall.intent;
        overall.exact += report.overall.exact;
    }
    println!(
        "OVERALL {} intent {:.1}% exact {:.1}%; heldout {} intent {:.1}% exact {:.1}%",
        overall.total,
        100.0 * overall.intent_rate(),
        100.0 * overall.exact_rate(),
        heldout.total,
        100.0 * heldout.intent_rate(),
        100.0 * heldout.exact_rate()
    );
    assert!(
        overall.intent_rate() >= 0.95,
        "intent accuracy {:.3}",
        overall.intent_rate()
    );
    assert!(
        overall.exact_rate() >= 0.90,
        "exact accuracy {:.3}",
        overall.exact_rate()
    );
    assert!(
        heldout.intent_rate() >= 0.75,
        "heldout intent accuracy {:.3}",
        heldout.intent_rate()
    );
}
