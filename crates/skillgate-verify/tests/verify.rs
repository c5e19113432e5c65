//! Every rule of `Verifier::verify`, with real RSA-2048 chains made by rcgen and real
//! signatures made by aws-lc-rs.

mod common;

use std::sync::Arc;

use common::{APP_ID, ca, chain, now, system_time};
use http::{HeaderMap, HeaderValue};
use skillgate_verify::testing::{LeafOptions, TEST_CHAIN_URL, TestChain, envelope};
use skillgate_verify::{
    ApplicationIds, CertChainUrl, CertUrlError, ChainCache, Check, FetchError, SignatureAlgorithm,
    StaticChainSource, Verifier, VerifierConfig, VerifyError,
};
use time::macros::datetime;

fn body() -> Vec<u8> {
    envelope(APP_ID, "IntentRequest", now())
}

async fn run(
    v: &Verifier,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<skillgate_verify::VerifiedRequest, VerifyError> {
    v.verify(headers, body, system_time(now())).await
}

/// A verifier for `c` (root trusted) whose source serves `pem` at the test URL.
fn verifier_serving(c: &TestChain, pem: Vec<u8>) -> Verifier {
    let url = CertChainUrl::parse(TEST_CHAIN_URL).unwrap();
    Verifier::new(
        c.config([APP_ID]),
        Arc::new(StaticChainSource::new().with_chain(&url, pem)),
    )
    .unwrap()
}

#[tokio::test]
async fn a_valid_sha256_request_verifies() {
    let c = chain();
    let v = c.verifier([APP_ID]);
    let b = body();
    let ok = run(&v, &c.headers(&b), &b).await.unwrap();
    assert_eq!(ok.algorithm, SignatureAlgorithm::Sha256);
    assert_eq!(ok.application_id, APP_ID);
    assert_eq!(ok.request_type, "IntentRequest");
    assert!(ok.request_id.starts_with("amzn1.echo-api.request.test-"));
    assert_eq!(ok.timestamp, now());
    assert_eq!(ok.cert_url.as_str(), TEST_CHAIN_URL);
    assert_eq!(ok.locale.as_deref(), Some("en-US"));
    // Warm cache: still valid, one fetch in total.
    assert!(run(&v, &c.headers(&b), &b).await.is_ok());
    assert_eq!(v.cache().downloads(), 1);
}

#[tokio::test]
async fn missing_headers_fail_at_headers() {
    let c = chain();
    let v = c.verifier([APP_ID]);
    let b = body();
    let full = c.headers(&b);
    for (remove, expected) in [
        ("SignatureCertChainUrl", VerifyError::MissingCertUrl),
        ("Signature-256", VerifyError::MissingSignature),
    ] {
        let mut h = full.clone();
        h.remove(remove);
        let err = run(&v, &h, &b).await.unwrap_err();
        assert_eq!(err, expected);
        assert_eq!(err.check(), Check::Headers);
    }
    assert_eq!(
        run(&v, &HeaderMap::new(), &b).await.unwrap_err(),
        VerifyError::MissingCertUrl
    );
    let mut dup = full.clone();
    dup.append(
        "signaturecertchainurl",
        HeaderValue::from_static(TEST_CHAIN_URL),
    );
    assert_eq!(
        run(&v, &dup, &b).await.unwrap_err(),
        VerifyError::DuplicateHeader("SignatureCertChainUrl")
    );
    assert_eq!(v.cache().downloads(), 0);
}

#[tokio::test]
async fn bad_cert_urls_fail_before_any_download() {
    let c = chain();
    let v = c.verifier([APP_ID]);
    let b = body();
    for (url, expected) in [
        (
            "http://s3.amazonaws.com/echo.api/skillgate-test-cert.pem",
            CertUrlError::NotHttps,
        ),
        (
            "https://s3.amazonaws.com/echo.api/../evil/skillgate-test-cert.pem",
            CertUrlError::Path,
        ),
        (
            "https://s3.amazonaws.com@evil.example/echo.api/x.pem",
            CertUrlError::Userinfo,
        ),
        (
            "https://s3.amazonaws.com/echo.api/%2e%2e/evil/x.pem",
            CertUrlError::PercentEncoded,
        ),
    ] {
        let mut h = c.headers(&b);
        h.insert("SignatureCertChainUrl", HeaderValue::from_static(url));
        let err = run(&v, &h, &b).await.unwrap_err();
        assert_eq!(err, VerifyError::CertUrl(expected), "{url}");
        assert_eq!(err.check(), Check::CertUrl);
    }
    assert_eq!(v.cache().downloads(), 0);
}

#[tokio::test]
async fn dot_segments_resolve_to_the_url_that_is_fetched() {
    let c = chain();
    let v = c.verifier([APP_ID]);
    let b = body();
    let mut h = c.headers(&b);
    h.insert(
        "SignatureCertChainUrl",
        HeaderValue::from_static(
            "HTTPS://S3.amazonaws.com:443/echo.api/x/../skillgate-test-cert.pem",
        ),
    );
    let ok = run(&v, &h, &b).await.unwrap();
    assert_eq!(ok.cert_url.as_str(), TEST_CHAIN_URL);
}

#[tokio::test]
async fn signature_encoding_is_strict() {
    let c = chain();
    let v = c.verifier([APP_ID]);
    let b = body();
    let good = c.sign(&b);
    for bad in [
        good.trim_end_matches('=').to_owned(),
        format!(" {good}"),
        good.replace('+', "-").replace('/', "_"),
        "!!!!".to_owned(),
    ] {
        if bad == good {
            continue;
        }
        let mut h = c.headers(&b);
        let Ok(value) = HeaderValue::try_from(bad.clone()) else {
            continue;
        };
        h.insert("Signature-256", value);
        let err = run(&v, &h, &b).await.unwrap_err();
        assert_eq!(err.check(), Check::SignatureEncoding, "{bad}");
    }
}

#[tokio::test]
async fn leaf_dates_are_checked_at_verification_time() {
    let expired = ca().issue(&LeafOptions {
        not_before: datetime!(2020-01-01 0:00 UTC),
        not_after: datetime!(2030-01-01 0:00 UTC),
        ..LeafOptions::default()
    });
    let v = expired.verifier([APP_ID]);
    let b = body();
    let err = run(&v, &expired.headers(&b), &b).await.unwrap_err();
    assert!(matches!(err, VerifyError::CertExpired { .. }), "{err}");
    assert_eq!(err.check(), Check::ChainDates);

    let future = ca().issue(&LeafOptions {
        not_before: datetime!(2031-01-01 0:00 UTC),
        not_after: datetime!(2040-01-01 0:00 UTC),
        ..LeafOptions::default()
    });
    let v = future.verifier([APP_ID]);
    let err = run(&v, &future.headers(&b), &b).await.unwrap_err();
    assert!(matches!(err, VerifyError::CertNotYetValid { .. }), "{err}");
    assert_eq!(err.check(), Check::ChainDates);
}

#[tokio::test]
async fn subject_name_must_include_echo_api() {
    let b = body();
    let wrong = ca().issue(&LeafOptions {
        subject_alt_names: vec![
            "echo-api.amazon.com.evil.example".into(),
            "evil.example".into(),
        ],
        ..LeafOptions::default()
    });
    let err = run(&wrong.verifier([APP_ID]), &wrong.headers(&b), &b)
        .await
        .unwrap_err();
    assert_eq!(err, VerifyError::SubjectName);
    assert_eq!(err.check(), Check::SubjectName);

    let several = ca().issue(&LeafOptions {
        subject_alt_names: vec!["other.example".into(), "echo-api.amazon.com".into()],
        ..LeafOptions::default()
    });
    assert!(
        run(&several.verifier([APP_ID]), &several.headers(&b), &b)
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn trust_failures() {
    let c = chain();
    let b = body();
    let h = c.headers(&b);

    // Untrusted root: the same chain, but the verifier does not trust the test root.
    let url = CertChainUrl::parse(TEST_CHAIN_URL).unwrap();
    let untrusting = Verifier::new(
        VerifierConfig::for_skills([APP_ID]),
        Arc::new(StaticChainSource::new().with_chain(&url, c.pem())),
    )
    .unwrap();
    let err = run(&untrusting, &h, &b).await.unwrap_err();
    assert!(matches!(err, VerifyError::Untrusted(_)), "{err}");

    // Missing intermediate.
    let err = run(&verifier_serving(c, c.pem_of(&[c.leaf_der()])), &h, &b)
        .await
        .unwrap_err();
    assert_eq!(err.check(), Check::ChainTrust, "{err}");

    // Out of order: intermediate first.
    let err = run(
        &verifier_serving(c, c.pem_of(&[c.intermediate_der(), c.leaf_der()])),
        &h,
        &b,
    )
    .await
    .unwrap_err();
    assert_eq!(err.check(), Check::ChainTrust, "{err}");

    // The root itself in the chain does not make an untrusted chain trusted.
    let other_ca_chain = TestChain::generate();
    let err = run(
        &verifier_serving(
            c,
            other_ca_chain.pem_of(&[
                other_ca_chain.leaf_der(),
                other_ca_chain.intermediate_der(),
                other_ca_chain.root_der(),
            ]),
        ),
        &other_ca_chain.headers(&b),
        &b,
    )
    .await
    .unwrap_err();
    assert_eq!(err.check(), Check::ChainTrust, "{err}");

    // A leaf without the serverAuth EKU.
    let client_only = ca().issue(&LeafOptions {
        server_auth: false,
        ..LeafOptions::default()
    });
    let err = run(
        &client_only.verifier([APP_ID]),
        &client_only.headers(&b),
        &b,
    )
    .await
    .unwrap_err();
    assert_eq!(err.check(), Check::ChainTrust, "{err}");
}

#[tokio::test]
async fn verifiers_with_different_anchors_never_share_a_validation() {
    let c = chain();
    let b = body();
    let h = c.headers(&b);
    let url = CertChainUrl::parse(TEST_CHAIN_URL).unwrap();
    let cache = Arc::new(ChainCache::new(Arc::new(
        StaticChainSource::new().with_chain(&url, c.pem()),
    )));
    let trusting = Verifier::with_cache(c.config([APP_ID]), Arc::clone(&cache)).unwrap();
    let untrusting = Verifier::with_cache(VerifierConfig::for_skills([APP_ID]), cache).unwrap();
    assert!(run(&trusting, &h, &b).await.is_ok());
    assert_eq!(
        run(&untrusting, &h, &b).await.unwrap_err().check(),
        Check::ChainTrust
    );
}

#[tokio::test]
async fn truncated_garbage_and_corrupt_pem_fail_at_parse() {
    let c = chain();
    let b = body();
    let h = c.headers(&b);
    let pem = c.pem();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        ("garbage", b"this is not a certificate".to_vec()),
        ("truncated", pem[..pem.len() / 2].to_vec()),
        ("html", b"<html><body>AccessDenied</body></html>".to_vec()),
        (
            "not DER",
            b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n".to_vec(),
        ),
    ];
    for (name, bytes) in cases {
        let err = run(&verifier_serving(c, bytes), &h, &b).await.unwrap_err();
        assert_eq!(err.check(), Check::ChainParse, "{name}: {err}");
    }
    // One byte changed inside the leaf's DER: parse or trust must fail.
    let mut leaf = c.leaf_der().to_vec();
    let mid = leaf.len() / 2;
    leaf[mid] ^= 0x01;
    let leaf = rustls_pki_types::CertificateDer::from(leaf);
    let err = run(
        &verifier_serving(c, c.pem_of(&[&leaf, c.intermediate_der()])),
        &h,
        &b,
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err.check(), Check::ChainParse | Check::ChainTrust),
        "{err}"
    );
}

#[tokio::test]
async fn one_changed_body_byte_fails_the_signature() {
    let c = chain();
    let v = c.verifier([APP_ID]);
    let b = body();
    let h = c.headers(&b);
    let mut changed = b.clone();
    let i = changed.iter().position(|&x| x == b'I').unwrap();
    changed[i] = b'J';
    assert_eq!(
        run(&v, &h, &changed).await.unwrap_err(),
        VerifyError::SignatureMismatch {
            algorithm: SignatureAlgorithm::Sha256
        }
    );
    // Re-serializing the same JSON (whitespace) is a change too.
    let reformatted =
        serde_json::to_vec_pretty(&serde_json::from_slice::<serde_json::Value>(&b).unwrap())
            .unwrap();
    assert_eq!(
        run(&v, &h, &reformatted).await.unwrap_err().check(),
        Check::Signature
    );
}

#[tokio::test]
async fn a_sha256_signature_in_the_legacy_header_fails() {
    let c = chain();
    let mut config = c.config([APP_ID]);
    config.allow_sha1 = true;
    let v = Verifier::new(config, Arc::new(c.source())).unwrap();
    let b = body();
    let mut h = c.headers(&b);
    let sig = h.remove("Signature-256").unwrap();
    h.insert("Signature", sig);
    assert_eq!(
        run(&v, &h, &b).await.unwrap_err(),
        VerifyError::SignatureMismatch {
            algorithm: SignatureAlgorithm::Sha1
        }
    );
    // Without allow_sha1 the legacy header alone is refused outright.
    assert_eq!(
        run(&c.verifier([APP_ID]), &h, &b).await.unwrap_err(),
        VerifyError::Sha1NotAllowed
    );
}

#[tokio::test]
async fn signed_non_envelopes_fail_at_body_json() {
    let c = chain();
    let v = c.verifier([APP_ID]);
    for b in [
        &b"not json"[..],
        b"[]",
        b"{}",
        br#"{"request":{"type":"LaunchRequest","requestId":"r"}}"#,
        br#"{"request":{"type":"LaunchRequest","requestId":"r","timestamp":"2030-06-01T12:00:00Z"}}"#,
    ] {
        let err = run(&v, &c.headers(b), b).await.unwrap_err();
        assert_eq!(err.check(), Check::BodyJson, "{}: {err}", String::from_utf8_lossy(b));
    }
}

#[tokio::test]
async fn stale_and_future_timestamps_fail() {
    let c = chain();
    let v = c.verifier([APP_ID]);
    for (offset, ok) in [
        (-150, true),
        (150, true),
        (-151, false),
        (151, false),
        (-3600, false),
        (86_400, false),
    ] {
        let b = envelope(
            APP_ID,
            "IntentRequest",
            now() + time::Duration::seconds(offset),
        );
        let result = run(&v, &c.headers(&b), &b).await;
        assert_eq!(result.is_ok(), ok, "offset {offset}: {result:?}");
        if let Err(err) = result {
            assert_eq!(err.check(), Check::Timestamp);
        }
    }
    let mut b = envelope(APP_ID, "IntentRequest", now());
    let text = String::from_utf8(b.clone())
        .unwrap()
        .replace("2030-06-01T12:00:00Z", "1906-06-01");
    b = text.into_bytes();
    assert_eq!(
        run(&v, &c.headers(&b), &b).await.unwrap_err(),
        VerifyError::TimestampFormat
    );
}

#[tokio::test]
async fn skill_events_get_one_hour() {
    let c = chain();
    let v = c.verifier([APP_ID]);
    let b = envelope(
        APP_ID,
        "AlexaSkillEvent.SkillEnabled",
        now() - time::Duration::minutes(59),
    );
    assert!(run(&v, &c.headers(&b), &b).await.is_ok());
    let b = envelope(
        APP_ID,
        "AlexaSkillEvent.SkillEnabled",
        now() - time::Duration::minutes(61),
    );
    assert_eq!(
        run(&v, &c.headers(&b), &b).await.unwrap_err().check(),
        Check::Timestamp
    );
    let b = envelope(APP_ID, "IntentRequest", now() - time::Duration::minutes(59));
    assert_eq!(
        run(&v, &c.headers(&b), &b).await.unwrap_err().check(),
        Check::Timestamp
    );
}

#[tokio::test]
async fn application_ids_are_an_allowlist() {
    let c = chain();
    let mut config = c.config(["amzn1.ask.skill.a", APP_ID]);
    config.application_ids = ApplicationIds::Only(vec!["amzn1.ask.skill.a".into(), APP_ID.into()]);
    let v = Verifier::new(config, Arc::new(c.source())).unwrap();
    let b = body();
    assert!(run(&v, &c.headers(&b), &b).await.is_ok());
    let other = envelope("amzn1.ask.skill.other", "IntentRequest", now());
    let err = run(&v, &c.headers(&other), &other).await.unwrap_err();
    assert_eq!(
        err,
        VerifyError::UnknownApplicationId("amzn1.ask.skill.other".into())
    );
    assert_eq!(err.check(), Check::ApplicationId);
    let mut any = c.config(["x"]);
    any.application_ids = ApplicationIds::Any;
    let demo = Verifier::new(any, Arc::new(c.source())).unwrap();
    assert!(run(&demo, &c.headers(&other), &other).await.is_ok());
}

#[tokio::test]
async fn an_unknown_chain_url_fails_at_download() {
    let c = chain();
    let v = c.verifier([APP_ID]);
    let b = body();
    let mut h = c.headers(&b);
    h.insert(
        "SignatureCertChainUrl",
        HeaderValue::from_static("https://s3.amazonaws.com/echo.api/unknown.pem"),
    );
    assert_eq!(
        run(&v, &h, &b).await.unwrap_err(),
        VerifyError::Download(FetchError::NotFound)
    );
}
