//! Issue 15's leniencies, each with a real rcgen chain and real signatures, through the
//! whole `Verifier` (items 4–7 and the request-id bound), and the property that whatever the
//! verifier accepts, the framework's model parse accepts too (item 5).

mod common;

use common::{APP_ID, ca, chain, now, system_time};
use http::HeaderValue;
use skillgate_model::RequestEnvelope;
use skillgate_verify::testing::{
    LeafKeyAlgorithm, LeafOptions, TestChain, envelope, envelope_with_id,
};
use skillgate_verify::{BodyError, Check, MAX_REQUEST_ID_LEN, VerifyError};
use time::format_description::well_known::Rfc3339;

async fn verify(
    c: &TestChain,
    body: &[u8],
) -> Result<skillgate_verify::VerifiedRequest, VerifyError> {
    c.verifier([APP_ID])
        .verify(&c.headers(body), body, system_time(now()))
        .await
}

#[tokio::test]
async fn san_must_be_exactly_echo_api_not_a_wildcard() {
    let body = envelope(APP_ID, "LaunchRequest", now());
    let wildcard = ca().issue(&LeafOptions {
        subject_alt_names: vec!["*.amazon.com".into()],
        ..LeafOptions::default()
    });
    let err = verify(&wildcard, &body).await.unwrap_err();
    assert_eq!(err, VerifyError::SubjectName);
    assert_eq!(err.check(), Check::SubjectName);
    // Any case of the exact name is the same DNS name.
    let upper = ca().issue(&LeafOptions {
        subject_alt_names: vec!["*.amazon.com".into(), "ECHO-API.Amazon.com".into()],
        ..LeafOptions::default()
    });
    assert!(verify(&upper, &body).await.is_ok());
}

#[tokio::test]
async fn leaf_without_extended_key_usage_is_refused() {
    let body = envelope(APP_ID, "LaunchRequest", now());
    let no_eku = ca().issue(&LeafOptions {
        extended_key_usage: false,
        ..LeafOptions::default()
    });
    let err = verify(&no_eku, &body).await.unwrap_err();
    assert!(matches!(err, VerifyError::KeyUsage(_)), "{err}");
    assert_eq!(err.check(), Check::ChainTrust);
    assert_eq!(err.reason(), "cert_key_usage");
}

#[tokio::test]
async fn leaf_whose_key_usage_lacks_digital_signature_is_refused() {
    let body = envelope(APP_ID, "LaunchRequest", now());
    let encipher_only = ca().issue(&LeafOptions {
        digital_signature: false,
        ..LeafOptions::default()
    });
    let err = verify(&encipher_only, &body).await.unwrap_err();
    assert_eq!(
        err,
        VerifyError::KeyUsage("keyUsage without digitalSignature")
    );
}

#[tokio::test]
async fn leaf_with_an_rsa_pss_key_is_refused_whatever_the_padding() {
    let pss = ca().issue(&LeafOptions {
        key_algorithm: LeafKeyAlgorithm::RsaPss,
        ..LeafOptions::default()
    });
    let v = pss.verifier([APP_ID]);
    let body = envelope(APP_ID, "LaunchRequest", now());
    // PKCS#1 v1.5 (what Alexa sends) and PSS (what the key's label would make aws-lc
    // check): both refused at the chain, before any signature is checked.
    let mut pss_signed = pss.headers(&body);
    pss_signed.insert(
        "Signature-256",
        HeaderValue::try_from(pss.sign_pss(&body)).unwrap(),
    );
    for headers in [pss.headers(&body), pss_signed] {
        let err = v
            .verify(&headers, &body, system_time(now()))
            .await
            .unwrap_err();
        assert_eq!(err, VerifyError::UnsupportedKey);
        assert_eq!(err.check(), Check::ChainParse);
    }
}

#[tokio::test]
async fn an_over_long_request_id_is_refused_before_the_replay_cache() {
    let c = chain();
    let long = "r".repeat(100 * 1024);
    let body = envelope_with_id(APP_ID, "LaunchRequest", now(), &long);
    let err = verify(c, &body).await.unwrap_err();
    assert_eq!(
        err,
        VerifyError::BodyJson(BodyError::RequestIdTooLong {
            len: long.len(),
            max: MAX_REQUEST_ID_LEN,
        })
    );
    assert_eq!(err.reason(), "request_id_too_long");
    let longest = "r".repeat(MAX_REQUEST_ID_LEN);
    let body = envelope_with_id(APP_ID, "LaunchRequest", now(), &longest);
    assert!(verify(c, &body).await.is_ok());
}

/// A signed envelope with `extra` spliced in before the closing brace of `request`.
fn with_extra(extra: &str) -> Vec<u8> {
    let ts = now().format(&Rfc3339).unwrap();
    format!(
        r#"{{"version":"1.0","context":{{"System":{{"application":{{"applicationId":"{APP_ID}"}}}}}},"request":{{"type":"IntentRequest","requestId":"amzn1.echo-api.request.x","timestamp":"{ts}","locale":"en-US","intent":{{"name":"A"}}{extra}}}}}"#
    )
    .into_bytes()
}

#[tokio::test]
async fn the_verifier_accepts_only_bodies_the_model_parses() {
    let c = chain();
    let v = c.verifier([APP_ID]);
    let deep = format!(r#","x":{}1{}"#, "[".repeat(200), "]".repeat(200));
    let ts = now().format(&Rfc3339).unwrap();
    let array = format!(
        r#"[{{"type":"IntentRequest","requestId":"r","timestamp":"{ts}"}},{{"System":{{"application":{{"applicationId":"{APP_ID}"}}}}}}]"#
    );
    let hostile: Vec<Vec<u8>> = vec![
        array.into_bytes(),
        with_extra(&deep),
        with_extra(r#","n":1e999999"#),
        with_extra(r#","s":"\ud800""#),
        with_extra(r#","s":"\udc00x""#),
        with_extra(r#","type":"LaunchRequest""#),
    ];
    for body in &hostile {
        let err = v
            .verify(&c.headers(body), body, system_time(now()))
            .await
            .unwrap_err();
        assert_eq!(
            err.check(),
            Check::BodyJson,
            "{}: {err}",
            String::from_utf8_lossy(body)
        );
    }
    // What passes, the model reads, with the same facts.
    let fine: Vec<Vec<u8>> = vec![
        with_extra(""),
        with_extra(r#","n":1e300,"s":"\ud83d\ude00","d":[[[[{"a":null}]]]]"#),
        envelope(APP_ID, "LaunchRequest", now()),
    ];
    for body in &fine {
        let ok = v
            .verify(&c.headers(body), body, system_time(now()))
            .await
            .unwrap();
        let model: RequestEnvelope = serde_json::from_slice(body).unwrap();
        assert_eq!(model.request.request_type(), ok.request_type);
        assert_eq!(model.request.request_id(), Some(ok.request_id.as_str()));
        assert_eq!(model.application_id(), Some(ok.application_id.as_str()));
        assert_eq!(model.request.intent_name(), ok.intent_name.as_deref());
    }
}

#[tokio::test]
async fn verified_request_carries_what_the_log_line_needs() {
    let c = chain();
    let body = envelope(APP_ID, "IntentRequest", now());
    let ok = verify(c, &body).await.unwrap();
    assert_eq!(
        ok.session_id.as_deref(),
        Some("amzn1.echo-api.session.test")
    );
    assert_eq!(ok.new_session, Some(true));
    assert_eq!(ok.user_id.as_deref(), Some("amzn1.ask.account.test"));
    assert_eq!(ok.locale.as_deref(), Some("en-US"));
    assert_eq!(ok.intent_name, None);
    let with_intent = with_extra("");
    let ok = verify(c, &with_intent).await.unwrap();
    assert_eq!(ok.intent_name.as_deref(), Some("A"));
    assert_eq!(ok.session_id, None);
    assert_eq!(ok.user_id, None);
    // A log field of an odd shape never fails a request.
    let odd = with_extra("").into_iter().collect::<Vec<u8>>();
    let odd = String::from_utf8(odd)
        .unwrap()
        .replace(r#""intent":{"name":"A"}"#, r#""intent":["A"]"#);
    let ok = verify(c, odd.as_bytes()).await.unwrap();
    assert_eq!(ok.intent_name, None);
}
