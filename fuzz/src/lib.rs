//! The properties the fuzz targets check, one function per target.
//!
//! Each function takes the raw fuzz input, runs it through skillgate's public API and panics
//! (the fuzzer's finding) only when a property is broken. The targets in `fuzz_targets/` are
//! one-line wrappers, so a crashing input can be replayed here, in a debugger, or in the
//! regression tests of the crates (`crates/*/tests/fuzz_regressions.rs` repeat the same
//! assertions with the crates' own dependencies).

#![warn(missing_docs)]

use std::sync::OnceLock;
use std::time::{Duration, UNIX_EPOCH};

use http::{HeaderMap, HeaderName, HeaderValue};
use rustls_pki_types::{CertificateDer, UnixTime};
use skillgate_model::request::Request;
use skillgate_model::{RequestEnvelope, ResponseEnvelope, limits, ssml};
use skillgate_verify::chain::parse_pem;
use skillgate_verify::testing::{TEST_CHAIN_URL, TestChain};
use skillgate_verify::trust::{TrustStore, ValidatedChain};
use skillgate_verify::{
    ApplicationIds, CertChainUrl, Checker, FetchError, SignatureAlgorithm, VerifyError,
};

/// The application id the `verify` target's allowlist holds.
pub const APP_ID: &str = "amzn1.ask.skill.00000000-0000-0000-0000-00000000f022";
/// A second valid chain URL whose chain bytes come from the fuzz input.
pub const OTHER_CHAIN_URL: &str = "https://s3.amazonaws.com/echo.api/fuzz-other.pem";
/// The `verify` target's clock: 2026-06-01T00:00:00Z, inside the test chain's validity.
pub const NOW_UNIX: u64 = 1_780_272_000;
/// Separates the body from the other chain's bytes in a `verify` input.
pub const CHAIN_MARKER: &[u8] = b"\n--chain--\n";

/// The fixed test chain (three RSA-2048 keys, generated once per process).
pub fn test_chain() -> &'static TestChain {
    static CHAIN: OnceLock<TestChain> = OnceLock::new();
    CHAIN.get_or_init(TestChain::generate)
}

/// Whether `SKILLGATE_FUZZ_TRACE` is set: then each check prints its outcome (to sort a
/// corpus by outcome when choosing regression inputs).
fn trace() -> bool {
    static TRACE: OnceLock<bool> = OnceLock::new();
    *TRACE.get_or_init(|| std::env::var_os("SKILLGATE_FUZZ_TRACE").is_some())
}

/// `cert_url`: [`CertChainUrl::parse`] never panics; an accepted URL satisfies Amazon's rule
/// and re-parses to itself.
pub fn check_cert_url(data: &[u8]) {
    let Ok(raw) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = CertChainUrl::parse(raw);
    if trace() {
        eprintln!("cert_url: {:?}", parsed.as_ref().map(|_| ()));
    }
    let Ok(url) = parsed else {
        return;
    };
    let s = url.as_str();
    let parsed = url.as_url();
    assert_eq!(parsed.scheme(), "https", "{raw:?} -> {s}");
    assert_eq!(
        parsed.host_str(),
        Some("s3.amazonaws.com"),
        "{raw:?} -> {s}"
    );
    assert!(
        parsed.port().is_none() || parsed.port() == Some(443),
        "{raw:?} -> {s}"
    );
    assert!(parsed.path().starts_with("/echo.api/"), "{raw:?} -> {s}");
    assert!(
        parsed.username().is_empty() && parsed.password().is_none(),
        "{raw:?} -> {s}"
    );
    assert!(
        parsed.query().is_none() && parsed.fragment().is_none(),
        "{raw:?} -> {s}"
    );
    assert!(
        s.starts_with("https://s3.amazonaws.com/echo.api/"),
        "{raw:?} -> {s}"
    );
    for bad in ["/../", "/./", "//echo", "%", "@", "?", "#", "\\"] {
        assert!(!s.contains(bad), "{raw:?} -> {s} contains {bad:?}");
    }
    assert!(!s.ends_with("/..") && !s.ends_with("/."), "{raw:?} -> {s}");
    assert!(!parsed.path().contains("//"), "{raw:?} -> {s}");
    let again = match CertChainUrl::parse(s) {
        Ok(again) => again,
        Err(e) => panic!("{raw:?} -> {s} does not re-parse: {e}"),
    };
    assert_eq!(
        again.as_str(),
        s,
        "{raw:?}: normalization is not idempotent"
    );
    assert_eq!(again, url);
}

/// The fixture chains' signing certificates (the only leaves that may validate, besides the
/// generated test chain's).
fn known_leaves() -> &'static [Vec<u8>] {
    static LEAVES: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    LEAVES.get_or_init(|| {
        let mut leaves: Vec<Vec<u8>> = KNOWN_CHAINS
            .iter()
            .filter_map(|pem| parse_pem(pem).ok())
            .filter_map(|certs| certs.first().map(|c| c.as_ref().to_vec()))
            .collect();
        leaves.push(test_chain().leaf_der().as_ref().to_vec());
        leaves
    })
}

/// Amazon's real chains (copied from the fixtures into `fuzz/chains`).
const KNOWN_CHAINS: &[&[u8]] = &[
    include_bytes!("../chains/echo-api-cert-4.pem"),
    include_bytes!("../chains/echo-api-cert-5.pem"),
    include_bytes!("../chains/echo-api-cert-6-ats.pem"),
    include_bytes!("../chains/echo-api-cert-7.pem"),
    include_bytes!("../chains/echo-api-cert-8.pem"),
    include_bytes!("../chains/echo-api-cert-9.pem"),
    include_bytes!("../chains/echo-api-cert-10.pem"),
    include_bytes!("../chains/echo-api-cert-11.pem"),
    include_bytes!("../chains/echo-api-cert-12.pem"),
    include_bytes!("../chains/echo-api-cert-2026.pem"),
    include_bytes!("../chains/echo-api-cert-2015-expired.pem"),
];

/// Instants the `pem_chain` target validates at (the input's first byte modulo the count):
/// one inside the validity of each fixture chain, the test chain's clock, and later.
const INSTANTS: [u64; 11] = [
    1_486_711_679, // 0: 2017-02-10T07:27:59Z (cert-4)
    1_530_621_466, // 1: 2018-07-03T12:37:46Z (cert-5, cert-6-ats)
    1_575_158_400, // 2: 2019-12-01 (cert-7)
    1_600_000_000, // 3: 2020-09-13 (cert-8)
    1_631_664_000, // 4: 2021-09-15 (cert-9, cert-10)
    1_669_852_800, // 5: 2022-12-01 (cert-11)
    1_685_577_600, // 6: 2023-06-01 (cert-12)
    1_790_000_000, // 7: 2026-09-22 (cert-2026)
    NOW_UNIX,      // 8: 2026-06-01 (the test chain; cert-2026 not yet valid)
    1_433_116_800, // 9: 2015-06-01 (cert-2015-expired)
    2_000_000_000, // 10: 2033-05-18 (everything but the test chain expired)
];

fn trust_store() -> &'static TrustStore {
    static TRUST: OnceLock<TrustStore> = OnceLock::new();
    TRUST.get_or_init(|| {
        let anchors: Vec<CertificateDer<'static>> = vec![test_chain().root_der().clone()];
        TrustStore::new(&anchors).expect("the test root is a valid anchor")
    })
}

/// `pem_chain`: PEM parsing and the trust check never panic on arbitrary bytes, and nothing
/// but a real chain validates: a chain that passes has one of the known signing certificates
/// first.
pub fn check_pem_chain(data: &[u8]) {
    let Some((&selector, pem)) = data.split_first() else {
        return;
    };
    let certs = match parse_pem(pem) {
        Ok(certs) => certs,
        Err(e) => {
            if trace() {
                eprintln!("pem_chain: {e:?}");
            }
            return;
        }
    };
    assert!(!certs.is_empty() && certs.len() <= skillgate_verify::chain::MAX_CHAIN_CERTS);
    let instant = INSTANTS[usize::from(selector) % INSTANTS.len()];
    let now = UnixTime::since_unix_epoch(Duration::from_secs(instant));
    let validated = ValidatedChain::validate(&certs, trust_store(), now);
    if trace() {
        eprintln!(
            "pem_chain: {} certs: {:?}",
            certs.len(),
            validated.as_ref().map(|_| ())
        );
    }
    if let Ok(chain) = validated {
        let leaf = certs[0].as_ref();
        assert!(
            known_leaves().iter().any(|known| known.as_slice() == leaf),
            "an unknown signing certificate validated"
        );
        let secs = instant as i64;
        assert!(
            chain.check_dates(secs).is_ok(),
            "validated but out of dates"
        );
        assert!(chain.not_after() <= chain.leaf_not_after());
    }
}

/// `envelope`: [`RequestEnvelope`] never panics on arbitrary bytes; the one-pass reading
/// ([`RequestEnvelope::from_slice`], what the framework uses) gives exactly the tolerant
/// parse's result; an envelope that parses re-serializes to JSON that parses again to the
/// same envelope, and serializing is then a fixed point.
pub fn check_envelope(data: &[u8]) {
    let parsed = serde_json::from_slice::<RequestEnvelope>(data);
    if trace() {
        match &parsed {
            Ok(envelope) => eprintln!("envelope: Ok({})", envelope.request.request_type()),
            Err(e) => eprintln!("envelope: Err({e})"),
        }
    }
    // The one-pass reading the framework uses gives exactly the tolerant parse's result.
    match (&parsed, &RequestEnvelope::from_slice(data)) {
        (Ok(tolerant), Ok(one_pass)) => assert_eq!(tolerant, one_pass, "one pass differs"),
        (Err(tolerant), Err(one_pass)) => {
            assert_eq!(tolerant.to_string(), one_pass.to_string(), "errors differ")
        }
        (tolerant, one_pass) => panic!(
            "tolerant {:?}, one pass {:?}",
            tolerant.as_ref().map(|_| ()),
            one_pass.as_ref().map(|_| ())
        ),
    }
    let Ok(first) = parsed else {
        return;
    };
    // The accessors skill code calls must not panic either.
    let _ = (first.application_id(), first.user_id(), first.device_id());
    let _ = (
        first.request.request_type(),
        first.request.request_id(),
        first.request.timestamp(),
        first.request.locale(),
        first.request.intent_name(),
    );
    let json = match serde_json::to_vec(&first) {
        Ok(json) => json,
        Err(e) => panic!("a parsed envelope does not serialize: {e}"),
    };
    let second = match serde_json::from_slice::<RequestEnvelope>(&json) {
        Ok(second) => second,
        Err(e) => panic!(
            "re-serialized envelope does not parse: {e}\n{}",
            String::from_utf8_lossy(&json)
        ),
    };
    let json2 = serde_json::to_vec(&second).expect("serializes");
    assert_eq!(
        String::from_utf8_lossy(&json),
        String::from_utf8_lossy(&json2),
        "serialize -> parse -> serialize is not stable"
    );
    let third = serde_json::from_slice::<RequestEnvelope>(&json2).expect("parses");
    assert_eq!(second, third);
    assert_eq!(
        first.request.request_type(),
        second.request.request_type(),
        "the request type changed in a round trip"
    );
    assert_eq!(first.application_id(), second.application_id());
}

/// A decoded `verify` input.
#[derive(Debug)]
pub struct VerifyInput {
    /// Accept the legacy SHA-1 header.
    pub allow_sha1: bool,
    /// Accept any application id (otherwise only [`APP_ID`]).
    pub any_skill: bool,
    /// The request headers.
    pub headers: HeaderMap,
    /// Whether a header value was `@sign` (the harness signed the body with the test key).
    pub signed_by_harness: bool,
    /// The raw body.
    pub body: Vec<u8>,
    /// The bytes served for [`OTHER_CHAIN_URL`].
    pub other_chain: Vec<u8>,
}

/// Decodes a `verify` input:
///
/// ```text
/// <flags byte><header lines "Name: value" separated by \n>\n\n<body>[\n--chain--\n<chain bytes>]
/// ```
///
/// flags bit 0: allow SHA-1; bit 1: any application id. Header values `@test-url` and
/// `@other-url` stand for the two configured chain URLs, `@sign` for a real `Signature-256`
/// of the body made with the test chain's key (so the later checks are reachable). Lines
/// that are not valid headers are skipped.
pub fn decode_verify_input(data: &[u8]) -> Option<VerifyInput> {
    let (&flags, rest) = data.split_first()?;
    let (head, tail) = match find(rest, b"\n\n") {
        Some(at) => (&rest[..at], &rest[at + 2..]),
        None => (rest, &[][..]),
    };
    let (body, other_chain) = match find(tail, CHAIN_MARKER) {
        Some(at) => (&tail[..at], &tail[at + CHAIN_MARKER.len()..]),
        None => (tail, &[][..]),
    };
    let mut headers = HeaderMap::new();
    let mut signed_by_harness = false;
    for line in head.split(|&b| b == b'\n') {
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let name = line[..colon].trim_ascii();
        let value = line[colon + 1..].trim_ascii_start();
        let value: Vec<u8> = match value {
            b"@test-url" => TEST_CHAIN_URL.as_bytes().to_vec(),
            b"@other-url" => OTHER_CHAIN_URL.as_bytes().to_vec(),
            b"@sign" => {
                signed_by_harness = true;
                sign_body(body).into_bytes()
            }
            other => other.to_vec(),
        };
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name),
            HeaderValue::from_bytes(&value),
        ) {
            headers.append(name, value);
        }
    }
    Some(VerifyInput {
        allow_sha1: flags & 1 != 0,
        any_skill: flags & 2 != 0,
        headers,
        signed_by_harness,
        body: body.to_vec(),
        other_chain: other_chain.to_vec(),
    })
}

/// Whether this process checks the test key's signatures as keyed hashes
/// (`skillgate_verify::fuzz_signature`, compiled only into fuzzing builds): the default for
/// coverage-guided runs, where an RSA-2048 signature per `@sign` input would cost about a
/// millisecond. `SKILLGATE_FUZZ_RSA=1` keeps real RSA (to replay inputs through the exact
/// production check; the regression tests in `crates/*/tests/fuzz_regressions.rs` always do).
/// Enabled before the test chain is validated, since a validated chain reads its key once.
/// Outside `cargo fuzz` (no `--cfg fuzzing`) the module does not exist and this is `false`.
pub fn keyed_signatures() -> bool {
    static KEYED: OnceLock<bool> = OnceLock::new();
    *KEYED.get_or_init(|| {
        #[cfg(fuzzing)]
        let keyed = std::env::var_os("SKILLGATE_FUZZ_RSA").is_none()
            && skillgate_verify::fuzz_signature::enable_for_leaf(test_chain().leaf_der());
        #[cfg(not(fuzzing))]
        let keyed = false;
        keyed
    })
}

/// The `Signature-256` value the harness makes for `body` with the test chain's key: a keyed
/// hash when [`keyed_signatures`], else a real RSA PKCS#1 v1.5 signature.
pub fn sign_body(body: &[u8]) -> String {
    #[cfg(fuzzing)]
    if keyed_signatures()
        && let Some(tag) = skillgate_verify::fuzz_signature::sign(SignatureAlgorithm::Sha256, body)
    {
        return tag;
    }
    test_chain().sign(body)
}

/// The first occurrence of `needle` (not empty) in `haystack`. Compares byte by byte: slice
/// equality on every window would call `bcmp` at each offset, which libFuzzer intercepts and
/// records, and cost the `verify` target a fifth of its time.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, rest) = needle.split_first()?;
    let last_start = haystack.len().checked_sub(needle.len())?;
    (0..=last_start).find(|&at| {
        haystack[at] == first
            && haystack[at + 1..at + needle.len()]
                .iter()
                .zip(rest)
                .all(|(a, b)| a == b)
    })
}

/// Four long-lived synchronous checkers (one per flag combination, indexed by
/// `allow_sha1 + 2 * any_skill`) and the test chain, validated once per process.
struct FuzzCheckers {
    checkers: Vec<Checker>,
    good: ValidatedChain,
    good_url: CertChainUrl,
    other_url: CertChainUrl,
}

fn fuzz_checkers() -> &'static FuzzCheckers {
    static CHECKERS: OnceLock<FuzzCheckers> = OnceLock::new();
    CHECKERS.get_or_init(|| {
        keyed_signatures();
        let chain = test_chain();
        let checkers: Vec<Checker> = (0..4)
            .map(|flags| {
                let mut config = chain.config([APP_ID]);
                config.allow_sha1 = flags & 1 != 0;
                if flags & 2 != 0 {
                    config.application_ids = ApplicationIds::Any;
                }
                Checker::new(config).expect("valid config")
            })
            .collect();
        let now = UNIX_EPOCH + Duration::from_secs(NOW_UNIX);
        let good = checkers[0]
            .validate_chain(&chain.pem(), now)
            .expect("the test chain validates");
        FuzzCheckers {
            checkers,
            good,
            good_url: CertChainUrl::parse(TEST_CHAIN_URL).expect("valid URL"),
            other_url: CertChainUrl::parse(OTHER_CHAIN_URL).expect("valid URL"),
        }
    })
}

/// Second chains kept by the `verify` target (bounded: cleared past this many).
const OTHER_CHAINS_KEPT: usize = 64;

thread_local! {
    /// The `verify` target's second chains by their bytes, validated at the fixed clock.
    static OTHER_CHAINS: std::cell::RefCell<
        std::collections::HashMap<Vec<u8>, Result<ValidatedChain, VerifyError>>,
    > = std::cell::RefCell::new(std::collections::HashMap::new());
}

/// `verify`: every check of the synchronous [`Checker`] (what the async `Verifier` runs
/// after its download) on arbitrary headers and body, with the test chain (validated once)
/// for [`TEST_CHAIN_URL`] and the input's own bytes for [`OTHER_CHAIN_URL`] (parsed and
/// validated once per distinct bytes, see `OTHER_CHAINS`); no runtime. Never panics; never accepts a request the
/// harness did not sign; an accepted request is within the timestamp tolerance, allowed by
/// the application id list, and **the full model parse of its body succeeds** and agrees
/// with the verifier on type, id, application and intent (issue 15, item 5: whatever the
/// verifier accepts, the framework can rely on).
pub fn check_verify(data: &[u8]) {
    let Some(input) = decode_verify_input(data) else {
        return;
    };
    let fuzz = fuzz_checkers();
    let (good, other) = (&fuzz.good_url, &fuzz.other_url);
    let checker = &fuzz.checkers[usize::from(input.allow_sha1) + 2 * usize::from(input.any_skill)];
    let now = UNIX_EPOCH + Duration::from_secs(NOW_UNIX);
    let result = checker.read_headers(&input.headers).and_then(|signed| {
        if signed.cert_url == *good {
            checker.check_body(signed, &fuzz.good, &input.body, now)
        } else if signed.cert_url == *other {
            OTHER_CHAINS.with_borrow_mut(|chains| {
                // Validation is a pure function of the bytes (the clock is fixed): each
                // distinct second chain is parsed and validated once, as the real cache does.
                if !chains.contains_key(&input.other_chain) && chains.len() >= OTHER_CHAINS_KEPT {
                    chains.clear();
                }
                let chain = chains
                    .entry(input.other_chain.clone())
                    .or_insert_with(|| checker.validate_chain(&input.other_chain, now));
                match chain {
                    Ok(chain) => checker.check_body(signed, chain, &input.body, now),
                    Err(e) => Err(e.clone()),
                }
            })
        } else {
            Err(VerifyError::Download(FetchError::NotFound))
        }
    });
    if trace() {
        eprintln!("verify: {result:?}");
    }
    let Ok(request) = result else {
        return;
    };
    assert!(
        input.signed_by_harness,
        "accepted a request the harness did not sign: {request:?}"
    );
    assert_eq!(request.algorithm, SignatureAlgorithm::Sha256);
    assert!(
        request.cert_url == *good || request.cert_url == *other,
        "{request:?}"
    );
    if !input.any_skill {
        assert_eq!(request.application_id, APP_ID);
    }
    let skew = (request.timestamp.unix_timestamp() - NOW_UNIX as i64).unsigned_abs();
    let skill_event = request.request_type.starts_with("AlexaSkillEvent.");
    assert!(
        skew <= if skill_event { 3600 } else { 150 },
        "accepted a timestamp {skew} s off: {request:?}"
    );
    let model = match serde_json::from_slice::<RequestEnvelope>(&input.body) {
        Ok(model) => model,
        Err(e) => panic!("the verifier accepted a body the model refuses: {e}"),
    };
    {
        assert_eq!(
            model.request.request_type(),
            request.request_type,
            "the verifier and the model read different request types"
        );
        assert_eq!(
            model.request.request_id(),
            Some(request.request_id.as_str()),
            "the verifier and the model read different request ids"
        );
        assert_eq!(
            model.application_id(),
            Some(request.application_id.as_str()),
            "the verifier and the model read different application ids"
        );
        assert_eq!(
            model.request.intent_name(),
            request.intent_name.as_deref(),
            "the verifier and the model read different intent names"
        );
    }
}

/// The day the NLU targets resolve relative dates against.
const NLU_TODAY: time::Date = time::macros::date!(2026 - 11 - 30);

/// Sentences one `nlu_model` input matches (its invocation name and one sample).
const NLU_MODEL_SENTENCES: usize = 2;
/// Bytes of the `nlu_match` sentence (a longer one is cut at a character boundary; the
/// matcher itself reads at most 40 words).
const NLU_MATCH_SENTENCE_BYTES: usize = 128;

/// The locales an `nlu_model` input is prepared for (`input length % 3`): one per language
/// the matcher has word lists for (the matcher reads nothing of the locale but its language).
const NLU_LOCALES: [&str; 3] = ["en-US", "de-DE", "es-ES"];

/// Matches `sentence` and checks what every answer must satisfy: the confidence is within
/// 0..=1, every filled slot's spoken words are words of the (normalized) sentence, and the
/// one-line JSON is JSON.
fn check_match(matcher: &skillgate_nlu::Matcher, sentence: &str) {
    let result = matcher.match_sentence(sentence, NLU_TODAY);
    assert!((0.0..=1.0).contains(&result.confidence), "{result:?}");
    let utterance = format!(" {} ", result.utterance);
    for slot in &result.slots {
        assert!(
            utterance.contains(&format!(" {} ", slot.spoken)),
            "{slot:?} not in {utterance:?}"
        );
    }
    let line = result.to_line_json();
    assert!(
        serde_json::from_str::<serde_json::Value>(&line).is_ok(),
        "not JSON: {line}"
    );
}

/// `sample` with each `{slot}` replaced by the first value of the slot's custom type (or
/// `five` for any other slot), so that the model's own samples also fill slots.
fn fill_sample(
    model: &skillgate_interaction_model::InteractionModelFile,
    intent: &skillgate_interaction_model::Intent,
    sample: &str,
) -> String {
    let mut out = String::with_capacity(sample.len());
    let mut rest = sample;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            rest = &rest[open..];
            break;
        };
        let value = intent
            .slot(&after[..close])
            .and_then(|slot| model.language_model().slot_type(&slot.type_name))
            .and_then(|ty| ty.values().first())
            .map_or("five", |value| value.name.value.as_str());
        out.push_str(value);
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

/// `nlu_model`: any bytes (as UTF-8, lossily) as an interaction model. Reading never panics;
/// a model that parses re-serializes to a fixed point; `check` never panics and names a JSON
/// path in every finding; preparing a matcher for it (locale by input length, see
/// [`NLU_LOCALES`]) never panics, and neither does matching its invocation name and the first
/// sample of its first intent that has one (slots filled from their types), each answer
/// passing the checks of `nlu_match`.
pub fn check_nlu_model(data: &[u8]) {
    use skillgate_interaction_model::InteractionModelFile;

    let text = String::from_utf8_lossy(data);
    let parsed = InteractionModelFile::from_json(&text);
    if trace() {
        eprintln!("nlu_model: {:?}", parsed.as_ref().map(|_| ()));
    }
    let Ok(model) = parsed else {
        return;
    };
    let written = model.to_json_pretty();
    let again = match InteractionModelFile::from_json(&written) {
        Ok(again) => again,
        Err(e) => panic!("a written model does not parse: {e}\n{written}"),
    };
    assert_eq!(
        again.to_json_pretty(),
        written,
        "round trip is a fixed point"
    );
    for finding in skillgate_interaction_model::check(&model) {
        assert!(finding.path.starts_with("interactionModel"), "{finding}");
    }
    let locale = NLU_LOCALES[data.len() % NLU_LOCALES.len()];
    let matcher = skillgate_nlu::Matcher::new(&model, locale);
    let lm = model.language_model();
    let samples = lm.intents.iter().flat_map(|intent| {
        intent
            .samples()
            .first()
            .map(|sample| fill_sample(&model, intent, sample))
    });
    for sentence in std::iter::once(lm.invocation_name.clone())
        .chain(samples)
        .take(NLU_MODEL_SENTENCES)
    {
        check_match(&matcher, &sentence);
    }
}

/// The six models of `testdata/nlu` (the labelled test corpus), with their locales, in the
/// order of the `nlu_match` selector byte.
const NLU_MODELS: [(&str, &str); 6] = [
    (
        include_str!("../../testdata/nlu/audiobookshelf-en-US.model.json"),
        "en-US",
    ),
    (
        include_str!("../../testdata/nlu/calendar-reader-en-US.model.json"),
        "en-US",
    ),
    (
        include_str!("../../testdata/nlu/decision-tree-en-GB.model.json"),
        "en-GB",
    ),
    (
        include_str!("../../testdata/nlu/fact-en-US.model.json"),
        "en-US",
    ),
    (
        include_str!("../../testdata/nlu/highlowgame-en-US.model.json"),
        "en-US",
    ),
    (
        include_str!("../../testdata/nlu/sauce-boss-es-ES.model.json"),
        "es-ES",
    ),
];

/// The locale of `nlu_match`'s selector: `selector / 6 % 4` is 0 for the model's own locale,
/// then English, German and Spanish word lists on any model.
const NLU_MATCH_LOCALES: [Option<&str>; 4] = [None, Some("en-US"), Some("de-DE"), Some("es-ES")];

/// Prepared matchers by selector value.
type NluMatchers = std::collections::HashMap<usize, skillgate_nlu::Matcher>;

thread_local! {
    /// `nlu_match`'s matchers, prepared once per process and selector value (24 at most).
    static NLU_MATCHERS: std::cell::RefCell<NluMatchers> =
        std::cell::RefCell::new(NluMatchers::new());
}

/// `nlu_match`: the first byte picks one of the six prepared models of `testdata/nlu`
/// (`selector % 6`) and a locale (`selector / 6 % 4`: its own, `en-US`, `de-DE`, `es-ES`); the
/// rest (as UTF-8, lossily, at most 128 bytes) is one sentence. Matching never panics, the
/// confidence is within 0..=1, every filled slot's spoken words occur in the sentence, and
/// the one-line JSON (`to_line_json`) is JSON. The matchers are prepared once per process, so
/// every execution is one match: the matcher is stateless, so a second sentence in the same
/// input would test nothing a second input does not.
pub fn check_nlu_match(data: &[u8]) {
    use skillgate_interaction_model::InteractionModelFile;

    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let key = usize::from(selector) % (NLU_MODELS.len() * NLU_MATCH_LOCALES.len());
    let text = String::from_utf8_lossy(rest);
    NLU_MATCHERS.with_borrow_mut(|matchers| {
        let matcher = matchers.entry(key).or_insert_with(|| {
            let (json, own) = NLU_MODELS[key % NLU_MODELS.len()];
            let locale = NLU_MATCH_LOCALES[key / NLU_MODELS.len()].unwrap_or(own);
            let model = InteractionModelFile::from_json(json).expect("the corpus model parses");
            skillgate_nlu::Matcher::new(&model, locale)
        });
        let mut end = text.len().min(NLU_MATCH_SENTENCE_BYTES);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        check_match(matcher, &text[..end]);
    });
}

/// `response`: the checks skillgate runs on answers (an upstream's, in gateway mode) never
/// panic on arbitrary bytes: [`ssml::check`] on the input as text, and, when the input
/// parses as a [`ResponseEnvelope`], [`limits::validate`] against no request and against
/// each of a few request kinds. A document the SSML check accepts has balanced `<speak>`
/// and at most as many `<audio>` clips as the text holds `<audio` tags.
pub fn check_response(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let checked = ssml::check(text);
        if trace() {
            eprintln!("response: ssml {checked:?}");
        }
        if let Ok(summary) = checked {
            assert!(text.trim_start().starts_with("<speak"), "{text:?}");
            assert!(
                summary.audio_clips <= text.matches("<audio").count(),
                "{text:?}"
            );
        }
    }
    let Ok(answer) = serde_json::from_slice::<ResponseEnvelope>(data) else {
        return;
    };
    let verdict = limits::validate(&answer, None);
    if trace() {
        eprintln!("response: limits {:?}", verdict.as_ref().map(|_| ()));
    }
    for request in response_requests() {
        let _ = limits::validate(&answer, Some(request));
    }
    // What was validated re-serializes (the bytes Alexa would receive).
    if let Err(e) = serde_json::to_vec(&answer) {
        panic!("a parsed answer does not serialize: {e}");
    }
}

/// One request of each kind the response rules depend on.
fn response_requests() -> &'static [Request] {
    static REQUESTS: OnceLock<Vec<Request>> = OnceLock::new();
    REQUESTS.get_or_init(|| {
        [
            r#"{"type":"LaunchRequest","requestId":"r","timestamp":"t"}"#,
            r#"{"type":"IntentRequest","requestId":"r","timestamp":"t","intent":{"name":"A"}}"#,
            r#"{"type":"SessionEndedRequest","requestId":"r","timestamp":"t","reason":"USER_INITIATED"}"#,
            r#"{"type":"AudioPlayer.PlaybackStarted","requestId":"r","timestamp":"t","token":"x"}"#,
        ]
        .iter()
        .filter_map(|json| serde_json::from_str(json).ok())
        .collect()
    })
}
