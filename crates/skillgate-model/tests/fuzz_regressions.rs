//! Inputs from the `envelope` fuzz target (`fuzz/`, docs/fuzzing.md), replayed through the
//! same property in the normal test suite: parsing a `RequestEnvelope` never panics, and
//! what parses re-serializes to JSON that parses back to the same envelope, after which
//! serializing is a fixed point.
//!
//! The inputs are files in `fuzz/regressions/envelope/`, kept byte for byte from the fuzzer's
//! corpus: one per way a body is rejected (named after serde_json's error) and envelopes that
//! parse (`parses-*`). A crashing input would be added there the same way; one the fuzzer
//! found that is not fixed yet is named `open-*`, and this test checks it still breaks the
//! property (so the fix fails it until the input is renamed).

use skillgate_model::RequestEnvelope;

/// The `envelope` target's property (`skillgate_fuzz::check_envelope`).
fn check(bytes: &[u8]) {
    let Ok(first) = serde_json::from_slice::<RequestEnvelope>(bytes) else {
        return;
    };
    let _ = (first.application_id(), first.user_id(), first.device_id());
    let _ = (
        first.request.request_type(),
        first.request.request_id(),
        first.request.timestamp(),
        first.request.locale(),
        first.request.intent_name(),
    );
    let json = serde_json::to_vec(&first).unwrap();
    let second: RequestEnvelope = serde_json::from_slice(&json).unwrap_or_else(|e| {
        panic!(
            "re-serialized envelope does not parse: {e}: {}",
            String::from_utf8_lossy(&json)
        )
    });
    let json2 = serde_json::to_vec(&second).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&json),
        String::from_utf8_lossy(&json2)
    );
    let third: RequestEnvelope = serde_json::from_slice(&json2).unwrap();
    assert_eq!(second, third);
    assert_eq!(first.request.request_type(), second.request.request_type());
    assert_eq!(first.application_id(), second.application_id());
}

/// The inputs kept from the `envelope` target: `fuzz/regressions/envelope/*`; those named
/// `parses-*` are envelopes, the others are rejected.
#[test]
fn every_kept_fuzz_input_passes_the_property() {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/regressions/envelope");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let input = std::fs::read(&path).unwrap();
        eprintln!("envelope {name}");
        if name.starts_with("open-") {
            let broken = std::panic::catch_unwind(|| check(&input)).is_err();
            assert!(
                broken,
                "{name} passes now: rename it `finding-*` or `parses-*` (docs/fuzzing.md)"
            );
            count += 1;
            continue;
        }
        check(&input);
        let parses = serde_json::from_slice::<RequestEnvelope>(&input).is_ok();
        assert_eq!(parses, name.starts_with("parses"), "{name}");
        count += 1;
    }
    assert!(count > 0, "no inputs in {}", dir.display());
}
