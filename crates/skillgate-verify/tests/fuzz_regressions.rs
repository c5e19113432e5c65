//! Inputs from the `cert_url`, `pem_chain` and `verify` fuzz targets (`fuzz/`,
//! docs/fuzzing.md), replayed through the same properties in the normal test suite.
//!
//! The inputs are files in `fuzz/regressions/<target>/`, kept byte for byte from the
//! fuzzers' corpora: one per outcome (named after it; `accepted-*` pass every check) and the
//! open findings (`finding-*`). The checks below are those of `fuzz/src/lib.rs`.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::{HeaderMap, HeaderName, HeaderValue};
use rustls_pki_types::UnixTime;
use skillgate_verify::chain::{MAX_CHAIN_CERTS, parse_pem};
use skillgate_verify::testing::{TEST_CHAIN_URL, TestChain};
use skillgate_verify::trust::{TrustStore, ValidatedChain};
use skillgate_verify::{
    ApplicationIds, CertChainUrl, SignatureAlgorithm, StaticChainSource, Verifier,
};

const APP_ID: &str = "amzn1.ask.skill.00000000-0000-0000-0000-00000000f022";
const OTHER_CHAIN_URL: &str = "https://s3.amazonaws.com/echo.api/fuzz-other.pem";
/// 2026-06-01T00:00:00Z.
const NOW_UNIX: u64 = 1_780_272_000;
const CHAIN_MARKER: &[u8] = b"\n--chain--\n";
const INSTANTS: [u64; 11] = [
    1_486_711_679,
    1_530_621_466,
    1_575_158_400,
    1_600_000_000,
    1_631_664_000,
    1_669_852_800,
    1_685_577_600,
    1_790_000_000,
    NOW_UNIX,
    1_433_116_800,
    2_000_000_000,
];

fn test_chain() -> &'static TestChain {
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

/// The `cert_url` property.
fn check_cert_url(data: &[u8]) {
    let Ok(raw) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(url) = CertChainUrl::parse(raw) else {
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
    assert!(parsed.port().is_none() || parsed.port() == Some(443));
    assert!(parsed.path().starts_with("/echo.api/"), "{raw:?} -> {s}");
    assert!(parsed.username().is_empty() && parsed.password().is_none());
    assert!(parsed.query().is_none() && parsed.fragment().is_none());
    assert!(s.starts_with("https://s3.amazonaws.com/echo.api/"));
    for bad in ["/../", "/./", "//echo", "%", "@", "?", "#", "\\"] {
        assert!(!s.contains(bad), "{raw:?} -> {s} contains {bad:?}");
    }
    assert!(!s.ends_with("/..") && !s.ends_with("/."), "{raw:?} -> {s}");
    assert!(!parsed.path().contains("//"), "{raw:?} -> {s}");
    let again = CertChainUrl::parse(s).unwrap_or_else(|e| panic!("{s} does not re-parse: {e}"));
    assert_eq!(again.as_str(), s);
    assert_eq!(again, url);
}

fn fixture_chains() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/alexa/chains")
}

fn known_leaves() -> &'static [Vec<u8>] {
    static LEAVES: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    LEAVES.get_or_init(|| {
        let mut leaves: Vec<Vec<u8>> = std::fs::read_dir(fixture_chains())
            .unwrap()
            .map(|entry| std::fs::read(entry.unwrap().path()).unwrap())
            .filter_map(|pem| parse_pem(&pem).ok())
            .map(|certs| certs[0].as_ref().to_vec())
            .collect();
        assert_eq!(leaves.len(), 11);
        leaves.push(test_chain().leaf_der().as_ref().to_vec());
        leaves
    })
}

fn trust_store() -> &'static TrustStore {
    static TRUST: OnceLock<TrustStore> = OnceLock::new();
    TRUST.get_or_init(|| TrustStore::new(&[test_chain().root_der().clone()]).unwrap())
}

/// The `pem_chain` property. Returns whether the chain validated.
fn check_pem_chain(data: &[u8]) -> bool {
    let Some((&selector, pem)) = data.split_first() else {
        return false;
    };
    let Ok(certs) = parse_pem(pem) else {
        return false;
    };
    assert!(!certs.is_empty() && certs.len() <= MAX_CHAIN_CERTS);
    let instant = INSTANTS[usize::from(selector) % INSTANTS.len()];
    let now = UnixTime::since_unix_epoch(Duration::from_secs(instant));
    let Ok(chain) = ValidatedChain::validate(&certs, trust_store(), now) else {
        return false;
    };
    assert!(
        known_leaves()
            .iter()
            .any(|k| k.as_slice() == certs[0].as_ref()),
        "an unknown signing certificate validated"
    );
    assert!(chain.check_dates(instant as i64).is_ok());
    assert!(chain.not_after() <= chain.leaf_not_after());
    true
}

/// The `verify` input format (see docs/fuzzing.md) and property. Returns `Ok` when the
/// request was accepted, else the error (`Debug`).
fn check_verify(data: &[u8]) -> Result<(), String> {
    let Some((&flags, rest)) = data.split_first() else {
        return Err("empty input".to_owned());
    };
    let find = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).position(|w| w == needle);
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
        let value = match line[colon + 1..].trim_ascii_start() {
            b"@test-url" => TEST_CHAIN_URL.as_bytes().to_vec(),
            b"@other-url" => OTHER_CHAIN_URL.as_bytes().to_vec(),
            b"@sign" => {
                signed_by_harness = true;
                test_chain().sign(body).into_bytes()
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
    let good = CertChainUrl::parse(TEST_CHAIN_URL).unwrap();
    let other = CertChainUrl::parse(OTHER_CHAIN_URL).unwrap();
    let source = StaticChainSource::new()
        .with_chain(&good, test_chain().pem())
        .with_chain(&other, other_chain.to_vec());
    let mut config = test_chain().config([APP_ID]);
    config.allow_sha1 = flags & 1 != 0;
    if flags & 2 != 0 {
        config.application_ids = ApplicationIds::Any;
    }
    let verifier = Verifier::new(config, Arc::new(source)).unwrap();
    let now: SystemTime = UNIX_EPOCH + Duration::from_secs(NOW_UNIX);
    let request = runtime()
        .block_on(verifier.verify(&headers, body, now))
        .map_err(|e| format!("{e:?}"))?;
    assert!(
        signed_by_harness,
        "accepted an unsigned request: {request:?}"
    );
    assert_eq!(request.algorithm, SignatureAlgorithm::Sha256);
    assert!(request.cert_url == good || request.cert_url == other);
    if flags & 2 == 0 {
        assert_eq!(request.application_id, APP_ID);
    }
    let skew = (request.timestamp.unix_timestamp() - NOW_UNIX as i64).unsigned_abs();
    let limit = if request.request_type.starts_with("AlexaSkillEvent.") {
        3600
    } else {
        150
    };
    assert!(skew <= limit, "accepted {skew} s off: {request:?}");
    // Findings F1-F3 (docs/fuzzing.md): the minimal parse skips fields it does not read
    // without checking UTF-8, escapes or number ranges, so an accepted body may not parse fully.
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
        return Ok(());
    };
    assert_eq!(
        value["request"]["type"].as_str(),
        Some(request.request_type.as_str())
    );
    assert_eq!(
        value["request"]["requestId"].as_str(),
        Some(request.request_id.as_str())
    );
    Ok(())
}

/// The inputs kept from one target: `fuzz/regressions/<target>/*`, sorted by name.
fn kept(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/regressions")
        .join(target);
    let mut inputs: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).unwrap())
        })
        .collect();
    inputs.sort();
    assert!(!inputs.is_empty(), "no inputs in {}", dir.display());
    inputs
}

#[test]
fn cert_url_inputs() {
    for (name, input) in kept("cert_url") {
        eprintln!("cert_url {name}");
        let accepted = CertChainUrl::parse(std::str::from_utf8(&input).unwrap_or("")).is_ok();
        check_cert_url(&input);
        assert_eq!(accepted, name.starts_with("accepted"), "{name}");
    }
}

/// One input per outcome of the trust check (each `untrusted-*`, dates, PEM errors) and real
/// Amazon chains that validate at an instant inside their dates (`accepted-*`).
#[test]
fn pem_chain_inputs() {
    for (name, input) in kept("pem_chain") {
        eprintln!("pem_chain {name}");
        assert_eq!(
            check_pem_chain(&input),
            name.starts_with("accepted"),
            "{name}"
        );
    }
}

/// One input per failed check of `Verifier::verify` (named after the error, which must be the
/// one it fails with: the error's `Debug`, lower case and without punctuation, starts with the
/// name's first word, so `missingapplicationid` fails with `MissingApplicationId`; the rest of
/// an `untrusted-*` name is webpki's error, which `TrustFailure` reports in its own words),
/// requests the harness signed that pass every check (`accepted-*`), and the findings
/// (`finding-*`, see the test below): for those only the safety properties are asserted.
#[test]
fn verify_inputs() {
    for (name, input) in kept("verify") {
        eprintln!("verify {name}");
        let outcome = check_verify(&input);
        if name.starts_with("finding") {
            continue;
        }
        if name.starts_with("accepted") {
            assert_eq!(outcome, Ok(()), "{name}");
            continue;
        }
        let error = match outcome {
            Ok(()) => panic!("{name}: accepted"),
            Err(error) => error,
        };
        let folded: String = error
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect();
        let variant = name.split('-').next().unwrap_or_default();
        assert!(folded.starts_with(variant), "{name} fails with {error}");
    }
}

/// Finding F1 (docs/fuzzing.md): a body Amazon really signed with invalid UTF-8 in a field the
/// verifier does not read used to pass verification and then fail the full `skillgate_model`
/// parse. JSON text must be UTF-8, so the verifier now rejects it as `body_json`.
///
/// F2 (a lone surrogate escape) and F3 (`1e400`) are valid JSON by RFC 8259's grammar that
/// serde_json's full parse refuses by implementation limit; a body carrying them must still be
/// signed by Amazon, so they are accepted by the verifier and documented in docs/fuzzing.md
/// (a native skill answers 400 `invalid_envelope`; a gateway upstream gets the bytes as signed).
#[test]
fn signed_body_with_invalid_utf8_is_rejected() {
    let findings: Vec<(String, Vec<u8>)> = kept("verify")
        .into_iter()
        .filter(|(name, _)| name.starts_with("finding-invalid-utf8"))
        .collect();
    assert!(
        !findings.is_empty(),
        "the F1 input is kept in fuzz/regressions/verify"
    );
    for (name, input) in findings {
        assert!(check_verify(&input).is_err(), "accepted: {name}");
    }
}
