//! Property tests for the `envelope` fuzz target's surface (`fuzz/`, docs/fuzzing.md):
//! parsing a [`RequestEnvelope`] from arbitrary or mutated bytes never panics, and whatever
//! parses re-serializes to JSON that parses back to the same envelope, after which
//! serializing is a fixed point.

use std::path::PathBuf;
use std::sync::OnceLock;

use proptest::prelude::*;
use skillgate_model::RequestEnvelope;

/// The same check as the fuzz target (`skillgate_fuzz::check_envelope`).
fn check(bytes: &[u8]) -> Result<(), TestCaseError> {
    let Ok(first) = serde_json::from_slice::<RequestEnvelope>(bytes) else {
        return Ok(());
    };
    let _ = (first.application_id(), first.user_id(), first.device_id());
    let _ = (
        first.request.request_type(),
        first.request.request_id(),
        first.request.timestamp(),
        first.request.locale(),
        first.request.intent_name(),
    );
    let json = serde_json::to_vec(&first).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let second: RequestEnvelope = serde_json::from_slice(&json).map_err(|e| {
        TestCaseError::fail(format!(
            "re-serialized envelope does not parse: {e}: {}",
            String::from_utf8_lossy(&json)
        ))
    })?;
    let json2 = serde_json::to_vec(&second).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(
        String::from_utf8_lossy(&json),
        String::from_utf8_lossy(&json2)
    );
    let third: RequestEnvelope =
        serde_json::from_slice(&json2).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(&second, &third);
    prop_assert_eq!(first.request.request_type(), second.request.request_type());
    prop_assert_eq!(first.application_id(), second.application_id());
    Ok(())
}

/// Every request envelope of the shared fixtures (small ones first, so shrinking is quick).
fn fixtures() -> &'static [Vec<u8>] {
    static FIXTURES: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    FIXTURES.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/alexa/envelopes");
        let mut all: Vec<Vec<u8>> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|entry| entry.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .map(|p| std::fs::read(p).unwrap())
            .collect();
        all.sort_by_key(Vec::len);
        assert!(all.len() > 50, "expected the fixture envelopes");
        all
    })
}

/// A JSON-ish byte: structural characters, quotes, escapes, digits and letters.
fn json_byte() -> impl Strategy<Value = u8> {
    prop::sample::select(b"{}[]:,\"\\ 0123456789.eE+-truefalsn\nu".to_vec())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        check(&bytes)?;
    }

    #[test]
    fn json_like_bytes_after_a_request_prefix_never_panic(
        tail in prop::collection::vec(json_byte(), 0..200),
    ) {
        let mut bytes = br#"{"request":{"type":"IntentRequest","intent":"#.to_vec();
        bytes.extend_from_slice(&tail);
        check(&bytes)?;
    }

    #[test]
    fn a_fixture_with_bytes_changed_never_panics_and_round_trips(
        which in any::<prop::sample::Index>(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), json_byte()), 1..4),
    ) {
        let mut bytes = which.get(fixtures()).clone();
        for (at, byte) in edits {
            let i = at.index(bytes.len());
            bytes[i] = byte;
        }
        check(&bytes)?;
    }

    #[test]
    fn a_fixture_cut_anywhere_never_panics(
        which in any::<prop::sample::Index>(),
        at in any::<prop::sample::Index>(),
    ) {
        let bytes = which.get(fixtures());
        check(&bytes[..at.index(bytes.len() + 1).min(bytes.len())])?;
    }
}

#[test]
fn every_fixture_passes_the_fuzz_property() {
    for bytes in fixtures() {
        check(bytes).unwrap();
    }
}

#[test]
fn deep_nesting_and_huge_numbers_are_errors_or_round_trip_not_panics() {
    let deep = format!(
        r#"{{"request":{{"type":"IntentRequest","x":{}1{}}}}}"#,
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    assert!(serde_json::from_str::<RequestEnvelope>(&deep).is_err());
    for number in [
        "1e400",
        "-1e400",
        "123456789012345678901234567890",
        "1e-400",
        "-0",
    ] {
        let body = format!(r#"{{"request":{{"type":"LaunchRequest","n":{number}}},"v":{number}}}"#);
        check(body.as_bytes()).unwrap();
    }
}
