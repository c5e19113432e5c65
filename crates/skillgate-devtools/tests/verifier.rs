//! The dev CA against the real verifier (`skillgate-verify`): what `serve --dev-ca` does
//! (dev CA as an extra anchor, the dev chain URL resolved locally) accepts dev-signed
//! requests; the real roots alone, or another CA's signature, are refused.

use std::sync::Arc;
use std::time::SystemTime;

use http::{HeaderMap, HeaderName, HeaderValue};
use skillgate_devtools::dev_ca::{DEV_CHAIN_URL, DevCa};
use skillgate_devtools::envelope::{self, Identity, RequestKind, Session};
use skillgate_devtools::sign::SignatureHeaders;
use skillgate_verify::{CertChainUrl, Check, StaticChainSource, Verifier, VerifierConfig};
use time::OffsetDateTime;

fn headers(sig: &SignatureHeaders, legacy_only: bool) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in sig.pairs() {
        if legacy_only && name == "Signature-256" {
            continue;
        }
        map.insert(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    map
}

fn verifier(ca: &DevCa, trust_dev_ca: bool, allow_sha1: bool) -> Verifier {
    let url = CertChainUrl::parse(DEV_CHAIN_URL).unwrap();
    let source = StaticChainSource::new().with_chain(&url, ca.chain_pem().as_bytes().to_vec());
    let mut config = VerifierConfig::any_skill();
    config.allow_sha1 = allow_sha1;
    if trust_dev_ca {
        config.extra_trust_anchors.push(ca.ca_der().unwrap());
    }
    Verifier::new(config, Arc::new(source)).unwrap()
}

fn body() -> Vec<u8> {
    let env = envelope::build(
        &RequestKind::Launch,
        &Identity::default(),
        &Session::fresh(),
        OffsetDateTime::now_utc(),
    );
    envelope::to_body(&env)
}

#[tokio::test]
async fn dev_ca_requests_pass_only_where_the_dev_ca_is_trusted() {
    let ca = DevCa::generate(OffsetDateTime::now_utc()).unwrap();
    let other = DevCa::generate(OffsetDateTime::now_utc()).unwrap();
    let body = body();
    let signed = ca.signer().unwrap().sign(&body).unwrap();
    let now = SystemTime::now();

    // Trusted: Signature-256 passes, and the legacy SHA-1 signature too where allowed.
    let ok = verifier(&ca, true, false)
        .verify(&headers(&signed, false), &body, now)
        .await
        .unwrap();
    assert_eq!(ok.request_type, "LaunchRequest");
    assert_eq!(ok.application_id, envelope::DEFAULT_APP_ID);
    verifier(&ca, true, true)
        .verify(&headers(&signed, true), &body, now)
        .await
        .unwrap();

    // The real roots only (the switch off): refused at the trust step.
    let err = verifier(&ca, false, false)
        .verify(&headers(&signed, false), &body, now)
        .await
        .unwrap_err();
    assert_eq!(err.check(), Check::ChainTrust, "{err}");

    // Another CA's signature: the server resolves the dev URL to the trusted chain, whose
    // key does not match, so it is refused at the signature step.
    let forged = other.signer().unwrap().sign(&body).unwrap();
    let err = verifier(&ca, true, false)
        .verify(&headers(&forged, false), &body, now)
        .await
        .unwrap_err();
    assert_eq!(err.check(), Check::Signature, "{err}");
    // And another CA's own chain is not trusted even if a server were to serve it.
    let err = verifier(&other, false, false)
        .verify(&headers(&forged, false), &body, now)
        .await
        .unwrap_err();
    assert_eq!(err.check(), Check::ChainTrust, "{err}");

    // One changed byte: refused.
    let mut tampered = body.clone();
    let at = tampered.len() / 2;
    tampered[at] = if tampered[at] == b'a' { b'b' } else { b'a' };
    assert!(
        verifier(&ca, true, false)
            .verify(&headers(&signed, false), &tampered, now)
            .await
            .is_err()
    );
}
