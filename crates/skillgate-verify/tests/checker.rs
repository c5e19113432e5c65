//! The synchronous core: `Checker` verifies against a chain you hold, with no runtime, and
//! agrees with the async `Verifier` on every outcome.

mod common;

use std::time::SystemTime;

use common::{APP_ID, ca, chain, now, system_time};
use skillgate_verify::testing::{LeafOptions, envelope};
use skillgate_verify::{Check, VerifyError};

#[test]
fn verifies_with_pem_and_with_a_held_chain_without_a_runtime() {
    let c = chain();
    let checker = c.checker([APP_ID]);
    let body = envelope(APP_ID, "LaunchRequest", now());
    let headers = c.headers(&body);
    let at = system_time(now());
    let ok = checker
        .verify_with_pem(&headers, &body, &c.pem(), at)
        .unwrap();
    assert_eq!(ok.request_type, "LaunchRequest");
    assert_eq!(ok.application_id, APP_ID);
    let held = checker.validate_chain(&c.pem(), at).unwrap();
    let again = checker
        .verify_with_chain(&headers, &body, &held, at)
        .unwrap();
    assert_eq!(ok, again);
    assert!(ok.replay_expires_at() > at);
}

#[test]
fn a_held_chain_is_refused_once_out_of_its_dates() {
    let short = ca().issue(&LeafOptions {
        not_after: time::macros::datetime!(2030-06-01 12:05 UTC),
        ..LeafOptions::default()
    });
    let checker = short.checker([APP_ID]);
    let held = checker
        .validate_chain(&short.pem(), system_time(now()))
        .unwrap();
    let later = now() + time::Duration::minutes(10);
    let body = envelope(APP_ID, "LaunchRequest", later);
    let err = checker
        .verify_with_chain(&short.headers(&body), &body, &held, system_time(later))
        .unwrap_err();
    assert!(matches!(err, VerifyError::CertExpired { .. }), "{err}");
}

#[tokio::test]
async fn checker_and_verifier_agree_on_every_step() {
    let c = chain();
    let checker = c.checker([APP_ID]);
    let verifier = c.verifier([APP_ID]);
    let at = system_time(now());
    let good = envelope(APP_ID, "LaunchRequest", now());
    let stale = envelope(APP_ID, "LaunchRequest", now() - time::Duration::minutes(10));
    let other = envelope("amzn1.ask.skill.other", "LaunchRequest", now());
    let mut bad_sig = c.headers(&good);
    bad_sig.insert("Signature-256", http::HeaderValue::from_static("AAAA"));
    let cases = [
        (c.headers(&good), good.clone(), None),
        (c.headers(&stale), stale, Some(Check::Timestamp)),
        (c.headers(&other), other, Some(Check::ApplicationId)),
        (bad_sig, good.clone(), Some(Check::Signature)),
        (http::HeaderMap::new(), good, Some(Check::Headers)),
    ];
    for (headers, body, expected) in cases {
        let sync = checker.verify_with_pem(&headers, &body, &c.pem(), at);
        let not_sync = verifier.verify(&headers, &body, at).await;
        assert_eq!(sync.as_ref().err().map(VerifyError::check), expected);
        assert_eq!(sync, not_sync);
    }
    let _ = SystemTime::now();
}
