//! Arbitrary input never panics and is never accepted.

mod common;

use std::sync::OnceLock;

use common::{APP_ID, chain, now, system_time};
use http::{HeaderMap, HeaderName, HeaderValue};
use proptest::prelude::*;
use skillgate_verify::testing::{TEST_CHAIN_URL, envelope};
use skillgate_verify::{CertChainUrl, Verifier};

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    })
}

fn verifier() -> &'static Verifier {
    static V: OnceLock<Verifier> = OnceLock::new();
    V.get_or_init(|| chain().verifier([APP_ID]))
}

fn url_like() -> impl Strategy<Value = String> {
    let pieces = prop::collection::vec(
        prop::sample::select(vec![
            "https://",
            "http://",
            "HTTPS://",
            "s3.amazonaws.com",
            "S3.AMAZONAWS.COM",
            ":443",
            ":",
            "@",
            "evil.example",
            "/",
            "//",
            "echo.api",
            "ECHO.API",
            "..",
            ".",
            "%2e",
            "%2f",
            "\\",
            "?",
            "#",
            "x.pem",
            "echo-api-cert.pem",
            "[::1]",
            "127.0.0.1",
            " ",
            "\u{e9}",
            "\t",
            "~",
            "-",
        ]),
        0..12,
    );
    pieces.prop_map(|p| p.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn cert_url_parse_never_panics_and_accepts_only_the_rule(raw in url_like()) {
        if let Ok(url) = CertChainUrl::parse(&raw) {
            let s = url.as_str();
            prop_assert!(s.starts_with("https://s3.amazonaws.com/echo.api/"), "{raw} -> {s}");
            prop_assert!(!s.contains("/../") && !s.contains("/./") && !s.contains('%'));
            prop_assert!(!s.contains('@') && !s.contains('?') && !s.contains('#'));
            // Normalization is idempotent: the downloaded string parses to itself.
            let again = CertChainUrl::parse(s).unwrap();
            prop_assert_eq!(again.as_str(), s);
        }
    }

    #[test]
    fn cert_url_parse_never_panics_on_any_string(raw in ".{0,200}") {
        let _ = CertChainUrl::parse(&raw);
    }

    #[test]
    fn arbitrary_requests_are_never_accepted(
        body in prop::collection::vec(any::<u8>(), 0..512),
        signature in "[A-Za-z0-9+/=]{0,400}",
        extra in prop::collection::vec(("[a-zA-Z-]{1,20}", "[ -~]{0,40}"), 0..4),
        url_choice in 0usize..3,
    ) {
        let mut headers = HeaderMap::new();
        let url = [TEST_CHAIN_URL, "https://s3.amazonaws.com/echo.api/other.pem", "https://s3.amazonaws.com/echo.api/../x"][url_choice];
        headers.insert("SignatureCertChainUrl", HeaderValue::from_static(url));
        headers.insert("Signature-256", HeaderValue::from_str(&signature).unwrap());
        for (k, v) in extra {
            if let (Ok(k), Ok(v)) = (HeaderName::from_bytes(k.as_bytes()), HeaderValue::from_str(&v)) {
                headers.append(k, v);
            }
        }
        let result = runtime().block_on(verifier().verify(&headers, &body, system_time(now())));
        prop_assert!(result.is_err());
    }

    #[test]
    fn a_signed_envelope_with_one_byte_changed_is_never_accepted(
        index in any::<prop::sample::Index>(),
        byte in any::<u8>(),
    ) {
        let body = envelope(APP_ID, "IntentRequest", now());
        let headers = chain().headers(&body);
        let mut changed = body.clone();
        let i = index.index(changed.len());
        prop_assume!(changed[i] != byte);
        changed[i] = byte;
        let result = runtime().block_on(verifier().verify(&headers, &changed, system_time(now())));
        prop_assert!(result.is_err());
    }
}
