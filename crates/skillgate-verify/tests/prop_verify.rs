//! Property tests for the `verify` fuzz target's surface (`fuzz/`, docs/fuzzing.md): the
//! whole `Verifier::verify` entry point with arbitrary header names and values, arbitrary
//! chain bytes for a second URL, and bodies the test key really signed, so the checks after
//! the signature are reached. Never panics; never accepts an unsigned request; an accepted
//! request is inside the timestamp tolerance, on the allowlist, and its fields are what a
//! full JSON parse of the body reads.

use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::{HeaderMap, HeaderName, HeaderValue};
use proptest::prelude::*;
use serde_json::{Value, json};
use skillgate_verify::testing::{TEST_CHAIN_URL, TestChain};
use skillgate_verify::{
    CertChainUrl, SignatureAlgorithm, StaticChainSource, VerifiedRequest, Verifier, VerifyError,
};

const APP_ID: &str = "amzn1.ask.skill.00000000-0000-0000-0000-00000000f022";
const OTHER_URL: &str = "https://s3.amazonaws.com/echo.api/fuzz-other.pem";
/// 2026-06-01T00:00:00Z.
const NOW: u64 = 1_780_272_000;

fn chain() -> &'static TestChain {
    static CHAIN: OnceLock<TestChain> = OnceLock::new();
    CHAIN.get_or_init(TestChain::generate)
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    })
}

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(NOW)
}

fn verify(
    headers: &HeaderMap,
    body: &[u8],
    other_chain: &[u8],
) -> Result<VerifiedRequest, VerifyError> {
    let good = CertChainUrl::parse(TEST_CHAIN_URL).unwrap();
    let other = CertChainUrl::parse(OTHER_URL).unwrap();
    let source = StaticChainSource::new()
        .with_chain(&good, chain().pem())
        .with_chain(&other, other_chain.to_vec());
    let verifier = Verifier::new(chain().config([APP_ID]), Arc::new(source)).unwrap();
    runtime().block_on(verifier.verify(headers, body, now()))
}

/// What an accepted request must satisfy (the `verify` fuzz target's oracle).
fn check_accepted(request: &VerifiedRequest, body: &[u8]) -> Result<(), TestCaseError> {
    prop_assert_eq!(request.algorithm, SignatureAlgorithm::Sha256);
    prop_assert_eq!(&request.application_id, APP_ID);
    let skew = (request.timestamp.unix_timestamp() - NOW as i64).unsigned_abs();
    let limit = if request.request_type.starts_with("AlexaSkillEvent.") {
        3600
    } else {
        150
    };
    prop_assert!(skew <= limit, "accepted {} s off", skew);
    let value: Value =
        serde_json::from_slice(body).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(
        value["request"]["type"].as_str(),
        Some(request.request_type.as_str())
    );
    prop_assert_eq!(
        value["request"]["requestId"].as_str(),
        Some(request.request_id.as_str())
    );
    let context = value["context"]["System"]["application"]["applicationId"].as_str();
    let session = value["session"]["application"]["applicationId"].as_str();
    prop_assert_eq!(context.or(session), Some(APP_ID));
    if let (Some(c), Some(s)) = (context, session) {
        prop_assert_eq!(c, s);
    }
    Ok(())
}

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        Just(Value::from(APP_ID)),
        Just(Value::from("2026-06-01T00:00:00Z")),
        Just(Value::from("2026-06-01T00:02:31Z")),
        Just(Value::from("2026-06-01T00:59:00+00:59")),
        "[a-zA-Z0-9.:+-]{0,24}".prop_map(Value::from),
    ];
    leaf.prop_recursive(2, 12, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            prop::collection::btree_map("[a-zA-Z]{1,8}", inner, 0..3)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// An envelope where each field Alexa sends is either right or an arbitrary JSON value.
fn envelope() -> impl Strategy<Value = Vec<u8>> {
    let field = |good: Value| prop_oneof![3 => Just(good), 1 => any_json()];
    (
        field(json!("IntentRequest")),
        field(json!("amzn1.echo-api.request.r")),
        field(json!("2026-06-01T00:00:00Z")),
        field(json!(APP_ID)),
        field(json!(APP_ID)),
        any::<bool>(),
    )
        .prop_map(|(t, id, ts, context_app, session_app, with_session)| {
            let mut envelope = json!({
                "version": "1.0",
                "context": {"System": {"application": {"applicationId": context_app}}},
                "request": {"type": t, "requestId": id, "timestamp": ts, "locale": "en-US"}
            });
            if with_session {
                envelope["session"] = json!({"application": {"applicationId": session_app}});
            }
            serde_json::to_vec(&envelope).unwrap()
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn signed_bodies_are_accepted_only_when_every_check_holds(body in envelope()) {
        let headers = chain().headers(&body);
        if let Ok(request) = verify(&headers, &body, b"") {
            check_accepted(&request, &body)?;
        }
    }

    #[test]
    fn signed_arbitrary_bytes_never_panic_and_never_break_the_oracle(
        body in prop::collection::vec(any::<u8>(), 0..300),
    ) {
        let headers = chain().headers(&body);
        if let Ok(request) = verify(&headers, &body, b"") {
            check_accepted(&request, &body)?;
        }
    }

    #[test]
    fn arbitrary_headers_and_chain_bytes_are_never_accepted(
        body in envelope(),
        names in prop::collection::vec(
            prop::sample::select(vec![
                "SignatureCertChainUrl", "signaturecertchainurl", "Signature-256",
                "SIGNATURE-256", "Signature", "Content-Type", "X-Other",
            ]),
            0..6,
        ),
        values in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..80), 6),
        url_choice in prop::collection::vec(0u8..4, 6),
        other_chain in prop::collection::vec(any::<u8>(), 0..200),
    ) {
        let mut headers = HeaderMap::new();
        for (i, name) in names.iter().enumerate() {
            let value = match url_choice[i] {
                0 => TEST_CHAIN_URL.as_bytes().to_vec(),
                1 => OTHER_URL.as_bytes().to_vec(),
                _ => values[i].clone(),
            };
            if let Ok(value) = HeaderValue::from_bytes(&value) {
                headers.append(HeaderName::from_bytes(name.as_bytes()).unwrap(), value);
            }
        }
        prop_assert!(verify(&headers, &body, &other_chain).is_err());
    }
}

#[test]
fn a_correctly_signed_envelope_is_accepted() {
    let body = serde_json::to_vec(&json!({
        "version": "1.0",
        "context": {"System": {"application": {"applicationId": APP_ID}}},
        "request": {"type": "IntentRequest", "requestId": "r", "timestamp": "2026-06-01T00:00:00Z"}
    }))
    .unwrap();
    let request = verify(&chain().headers(&body), &body, b"").unwrap();
    check_accepted(&request, &body).unwrap();
}
