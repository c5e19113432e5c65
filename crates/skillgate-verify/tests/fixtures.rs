//! The real Alexa captures in `testdata/alexa` verify at their own time, and fail when
//! any byte of body or signature changes or the clock moves past the tolerance.

mod common;

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use common::{CAPTURES, Capture, capture, read_fixture, system_time};
use http::HeaderValue;
use rustls_pki_types::UnixTime;
use skillgate_verify::trust::{TrustStore, ValidatedChain};
use skillgate_verify::{
    CertChainUrl, Check, SignatureAlgorithm, StaticChainSource, Verifier, VerifierConfig,
    VerifyError,
};
use time::macros::datetime;

fn verifier(c: &Capture, allow_sha1: bool) -> Verifier {
    let url = CertChainUrl::parse(c.headers["SignatureCertChainUrl"].to_str().unwrap()).unwrap();
    let source = StaticChainSource::new().with_chain(&url, c.chain.clone());
    let mut config = VerifierConfig::for_skills([c.application_id.clone()]);
    config.allow_sha1 = allow_sha1;
    config.extra_trust_anchors = c.anchors.clone();
    Verifier::new(config, Arc::new(source)).unwrap()
}

fn at(c: &Capture, offset_secs: i64) -> std::time::SystemTime {
    system_time(c.timestamp + time::Duration::seconds(offset_secs))
}

#[tokio::test]
async fn every_capture_verifies_at_its_own_time() {
    for name in CAPTURES {
        let c = capture(name);
        let v = verifier(&c, true);
        let ok = v
            .verify(&c.headers, &c.body, at(&c, 3))
            .await
            .unwrap_or_else(|e| panic!("{name}: {e} ({})", e.reason()));
        assert_eq!(ok.algorithm, SignatureAlgorithm::Sha1, "{name}");
        assert_eq!(ok.application_id, c.application_id, "{name}");
        assert_eq!(ok.timestamp, c.timestamp, "{name}");
        assert!(ok.request_type.ends_with("Request"), "{name}");
        assert!(!ok.request_id.is_empty(), "{name}");
        assert!(ok.cert_url.as_str().ends_with(&c.chain_file), "{name}");
    }
}

#[tokio::test]
async fn captures_need_sha1_to_be_allowed() {
    for name in CAPTURES {
        let c = capture(name);
        let err = verifier(&c, false)
            .verify(&c.headers, &c.body, at(&c, 3))
            .await
            .unwrap_err();
        assert_eq!(err, VerifyError::Sha1NotAllowed, "{name}");
        assert_eq!(err.check(), Check::Headers);
    }
}

#[tokio::test]
async fn captures_fail_past_the_tolerance_either_way() {
    for name in CAPTURES {
        let c = capture(name);
        let v = verifier(&c, true);
        assert!(
            v.verify(&c.headers, &c.body, at(&c, 150)).await.is_ok(),
            "{name}"
        );
        assert!(
            v.verify(&c.headers, &c.body, at(&c, -150)).await.is_ok(),
            "{name}"
        );
        let late = v
            .verify(&c.headers, &c.body, at(&c, 151))
            .await
            .unwrap_err();
        assert!(
            matches!(late, VerifyError::TimestampTooOld { .. }),
            "{name}: {late}"
        );
        let early = v
            .verify(&c.headers, &c.body, at(&c, -151))
            .await
            .unwrap_err();
        assert!(
            matches!(early, VerifyError::TimestampInFuture { .. }),
            "{name}: {early}"
        );
        let years_later = v
            .verify(
                &c.headers,
                &c.body,
                system_time(datetime!(2026-01-01 0:00 UTC)),
            )
            .await
            .unwrap_err();
        assert_eq!(
            years_later.check(),
            Check::ChainDates,
            "{name}: {years_later}"
        );
    }
}

#[tokio::test]
async fn every_single_byte_change_of_any_body_fails() {
    for name in CAPTURES {
        let c = capture(name);
        let v = verifier(&c, true);
        let now = at(&c, 3);
        let mut body = c.body.clone();
        for i in 0..body.len() {
            for flip in [0x01u8, 0x80] {
                body[i] ^= flip;
                let err = v.verify(&c.headers, &body, now).await.unwrap_err();
                assert_eq!(
                    err,
                    VerifyError::SignatureMismatch {
                        algorithm: SignatureAlgorithm::Sha1
                    },
                    "{name} byte {i}"
                );
                body[i] ^= flip;
            }
        }
        // Truncation and a trailing newline are changes too.
        assert!(
            v.verify(&c.headers, &c.body[..c.body.len() - 1], now)
                .await
                .is_err()
        );
        let mut longer = c.body.clone();
        longer.push(b'\n');
        assert!(v.verify(&c.headers, &longer, now).await.is_err());
        assert!(v.verify(&c.headers, &c.body, now).await.is_ok());
    }
}

#[tokio::test]
async fn every_single_byte_change_of_any_signature_fails() {
    let b64 = base64::engine::general_purpose::STANDARD;
    for name in CAPTURES {
        let c = capture(name);
        let v = verifier(&c, true);
        let now = at(&c, 3);
        let sig = b64.decode(c.headers["Signature"].as_bytes()).unwrap();
        for i in 0..sig.len() {
            let mut bad = sig.clone();
            bad[i] ^= 0x01;
            let mut headers = c.headers.clone();
            headers.insert(
                "Signature",
                HeaderValue::try_from(b64.encode(&bad)).unwrap(),
            );
            let err = v.verify(&headers, &c.body, now).await.unwrap_err();
            assert_eq!(err.check(), Check::Signature, "{name} byte {i}");
        }
    }
}

#[tokio::test]
async fn header_and_algorithm_mix_ups_fail() {
    let c = capture("2018-07-launch");
    let v = verifier(&c, true);
    let now = at(&c, 3);
    // The SHA-1 signature presented as Signature-256.
    let mut headers = c.headers.clone();
    let sig = headers.remove("Signature").unwrap();
    headers.insert("Signature-256", sig.clone());
    assert_eq!(
        v.verify(&headers, &c.body, now).await.unwrap_err(),
        VerifyError::SignatureMismatch {
            algorithm: SignatureAlgorithm::Sha256
        }
    );
    // Both present: Signature-256 wins, even if the legacy one is valid.
    let mut headers = c.headers.clone();
    headers.insert("Signature-256", sig.clone());
    assert_eq!(
        v.verify(&headers, &c.body, now).await.unwrap_err().check(),
        Check::Signature
    );
    // The right signature but another chain's URL (a real, trusted Amazon chain).
    let mut headers = c.headers.clone();
    headers.insert(
        "SignatureCertChainUrl",
        HeaderValue::from_static("https://s3.amazonaws.com/echo.api/echo-api-cert-2026.pem"),
    );
    let url =
        CertChainUrl::parse("https://s3.amazonaws.com/echo.api/echo-api-cert-2026.pem").unwrap();
    let source =
        StaticChainSource::new().with_chain(&url, read_fixture("chains/echo-api-cert-2026.pem"));
    let mut config = VerifierConfig::for_skills([c.application_id.clone()]);
    config.allow_sha1 = true;
    let other = Verifier::new(config, Arc::new(source)).unwrap();
    let err = other
        .verify(
            &headers,
            &c.body,
            system_time(datetime!(2026-09-01 0:00 UTC)),
        )
        .await
        .unwrap_err();
    assert_eq!(err.check(), Check::Signature);
}

#[tokio::test]
async fn unknown_application_id_fails() {
    let c = capture("2018-07-launch");
    let url = CertChainUrl::parse(c.headers["SignatureCertChainUrl"].to_str().unwrap()).unwrap();
    let mut config = VerifierConfig::for_skills(["amzn1.ask.skill.someone-else"]);
    config.allow_sha1 = true;
    let v = Verifier::new(
        config,
        Arc::new(StaticChainSource::new().with_chain(&url, c.chain.clone())),
    )
    .unwrap();
    let err = v.verify(&c.headers, &c.body, at(&c, 3)).await.unwrap_err();
    assert_eq!(
        err,
        VerifyError::UnknownApplicationId(c.application_id.clone())
    );
    assert_eq!(err.check(), Check::ApplicationId);
}

fn validate(
    file: &str,
    when: time::OffsetDateTime,
    anchors: &[rustls_pki_types::CertificateDer<'static>],
) -> Result<ValidatedChain, VerifyError> {
    let certs = skillgate_verify::chain::parse_pem(&read_fixture(&format!("chains/{file}")))?;
    let trust = TrustStore::new(anchors).unwrap();
    let secs = u64::try_from(when.unix_timestamp()).unwrap();
    ValidatedChain::validate(
        &certs,
        &trust,
        UnixTime::since_unix_epoch(Duration::from_secs(secs)),
    )
}

#[test]
fn the_2026_chain_validates_against_mozilla_roots_within_its_dates_only() {
    let chain = validate(
        "echo-api-cert-2026.pem",
        datetime!(2026-10-01 0:00 UTC),
        &[],
    )
    .unwrap();
    assert!(
        chain
            .check_dates(datetime!(2026-10-01 0:00 UTC).unix_timestamp())
            .is_ok()
    );
    assert!(matches!(
        validate(
            "echo-api-cert-2026.pem",
            datetime!(2026-07-01 0:00 UTC),
            &[]
        ),
        Err(VerifyError::CertNotYetValid { .. })
    ));
    assert!(matches!(
        validate(
            "echo-api-cert-2026.pem",
            datetime!(2027-03-01 0:00 UTC),
            &[]
        ),
        Err(VerifyError::CertExpired { .. })
    ));
    assert!(matches!(
        chain.check_dates(datetime!(2027-03-01 0:00 UTC).unix_timestamp()),
        Err(VerifyError::CertExpired { .. })
    ));
}

#[test]
fn the_expired_2015_chain_is_rejected_today() {
    let err = validate(
        "echo-api-cert-2015-expired.pem",
        datetime!(2026-11-01 0:00 UTC),
        &[],
    )
    .unwrap_err();
    assert_eq!(err.check(), Check::ChainDates, "{err}");
}

#[test]
fn retired_root_chains_are_untrusted_without_their_anchor() {
    let c = capture("2017-02-intent");
    let when = c.timestamp;
    let err = validate(&c.chain_file, when, &[]).unwrap_err();
    assert_eq!(err.check(), Check::ChainTrust, "{err}");
    assert!(validate(&c.chain_file, when, &c.anchors).is_ok());
}
