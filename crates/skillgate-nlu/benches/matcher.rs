//! Criterion benches: loading a model with 3,600 slot values, and matching one sentence.
//!
//! `cargo bench -p skillgate-nlu --bench matcher`

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use skillgate_interaction_model::{IntentDecl, InteractionModelFile, ModelDecl, SlotTypeDecl};
use skillgate_nlu::Matcher;
use time::macros::date;

const SYLLABLES: [&str; 20] = [
    "ka", "lo", "mi", "ne", "ro", "sa", "tu", "vi", "de", "fo", "ga", "hu", "ji", "ke", "lu", "ma",
    "no", "pe", "ri", "so",
];

/// A word nobody else uses, from a number.
fn word(n: usize) -> String {
    format!(
        "{}{}{}",
        SYLLABLES[n % 20],
        SYLLABLES[(n / 20) % 20],
        SYLLABLES[(n / 400) % 20]
    )
}

/// A music-library model: 3 custom types × 1,200 values (each with a synonym), 40 intents.
fn big_model() -> InteractionModelFile {
    let mut decl = ModelDecl::new("big library")
        .standard_intents()
        .intent(IntentDecl::new("AMAZON.FallbackIntent"));
    for (t, type_name) in ["ARTIST", "ALBUM", "GENRE"].iter().enumerate() {
        let mut ty = SlotTypeDecl::new(*type_name);
        for v in 0..1200 {
            let n = t * 1200 + v;
            ty = ty.value_with(
                format!("{} {}", word(n), word(n + 7)),
                Some(format!("ID{n}")),
                [word(n + 13)],
            );
        }
        decl = decl.slot_type(ty);
    }
    for i in 0..40 {
        let verb = word(5000 + i);
        decl = decl.intent(
            IntentDecl::new(
                format!("Action{}Intent", (b'A' + (i % 26) as u8) as char).repeat(1 + i / 26),
            )
            .slot("artist", "ARTIST")
            .slot("album", "ALBUM")
            .slot("genre", "GENRE")
            .slot("count", "AMAZON.NUMBER")
            .samples([
                format!("{verb} something by {{artist}}"),
                format!("{verb} the album {{album}}"),
                format!("{verb} some {{genre}} music"),
                format!("{verb} {{count}} songs by {{artist}}"),
                format!("please {verb} {{album}} from {{artist}}"),
                format!("i want to {verb} {{genre}}"),
            ]),
        );
    }
    decl.build()
}

fn benches(c: &mut Criterion) {
    let model = big_model();
    let values: usize = model
        .language_model()
        .types
        .iter()
        .flatten()
        .map(|t| t.values().len())
        .sum();
    assert_eq!(values, 3600);
    c.bench_function("load model with 3600 slot values", |b| {
        b.iter(|| Matcher::new(black_box(&model), "en-US"))
    });
    let matcher = Matcher::new(&model, "en-US");
    let artist = format!("{} {}", word(10), word(17));
    let sentence = format!(
        "could you {} twenty three songs by {artist} please",
        word(5003)
    );
    let today = date!(2026 - 11 - 30);
    let r = matcher.match_sentence(&sentence, today);
    assert!(r.intent.is_some(), "{r:?}");
    // p99 over a mix of sentences (criterion reports means): in-domain, one-shot, noise.
    let mix: Vec<String> = (0..200)
        .map(|i| match i % 5 {
            0 => format!(
                "{} something by {} {}",
                word(5000 + i % 40),
                word(i * 7),
                word(i * 7 + 7)
            ),
            1 => format!(
                "please {} the album {}",
                word(5000 + i % 40),
                word(1200 + i * 3 + 13)
            ),
            2 => format!(
                "ask big library to {} some {} music",
                word(5000 + i % 40),
                word(2400 + i + 13)
            ),
            3 => format!(
                "could you {} {} songs by {} please",
                word(5000 + i % 40),
                ["five", "twenty three", "one hundred"][i % 3],
                word(i + 13)
            ),
            _ => "what is the weather like in london tomorrow morning at seven".to_owned(),
        })
        .collect();
    let mut times: Vec<std::time::Duration> = Vec::with_capacity(2000);
    for k in 0..2000 {
        let start = std::time::Instant::now();
        black_box(matcher.match_sentence(black_box(&mix[k % mix.len()]), today));
        times.push(start.elapsed());
    }
    times.sort();
    println!(
        "match latency, wall clock, {} matches: p50 {:?}, p99 {:?}, max {:?}",
        times.len(),
        times[times.len() / 2],
        times[times.len() * 99 / 100],
        times[times.len() - 1]
    );
    // The same without the scheduler's noise on a busy machine: each sentence's best of 15 runs.
    let mut best: Vec<std::time::Duration> = mix
        .iter()
        .map(|sentence| {
            (0..15)
                .map(|_| {
                    let start = std::time::Instant::now();
                    black_box(matcher.match_sentence(black_box(sentence), today));
                    start.elapsed()
                })
                .min()
                .unwrap_or_default()
        })
        .collect();
    best.sort();
    println!(
        "match latency, best of 15 per sentence, {} sentences: p50 {:?}, p99 {:?}, max {:?}",
        best.len(),
        best[best.len() / 2],
        best[best.len() * 99 / 100],
        best[best.len() - 1]
    );
    let mut loads: Vec<std::time::Duration> = (0..20)
        .map(|_| {
            let start = std::time::Instant::now();
            black_box(Matcher::new(black_box(&model), "en-US"));
            start.elapsed()
        })
        .collect();
    loads.sort();
    println!(
        "load latency over 20 loads: p50 {:?}, max {:?}",
        loads[10], loads[19]
    );
    c.bench_function("match one sentence (3600 values, 40 intents)", |b| {
        b.iter(|| matcher.match_sentence(black_box(&sentence), today))
    });
    c.bench_function("match an out-of-domain sentence", |b| {
        b.iter(|| {
            matcher.match_sentence(
                black_box("what is the weather like in london tomorrow morning"),
                today,
            )
        })
    });
}

criterion_group!(name = nlu; config = Criterion::default().sample_size(20); targets = benches);
criterion_main!(nlu);
