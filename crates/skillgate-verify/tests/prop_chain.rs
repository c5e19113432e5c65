//! Property tests for the `pem_chain` fuzz target's surface (`fuzz/`, docs/fuzzing.md): PEM
//! parsing and the trust check never panic on arbitrary or damaged input, and nothing but an
//! intact real chain validates.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use base64::Engine as _;
use proptest::prelude::*;
use rustls_pki_types::{CertificateDer, UnixTime};
use skillgate_verify::chain::{MAX_CHAIN_CERTS, parse_pem};
use skillgate_verify::testing::TestChain;
use skillgate_verify::trust::{TrustStore, ValidatedChain};

/// 2026-06-01T00:00:00Z: inside the test chain's validity.
const TEST_NOW: u64 = 1_780_272_000;
/// 2026-09-22: inside the validity of the fixture chain `echo-api-cert-2026.pem`.
const AMAZON_2026_NOW: u64 = 1_790_000_000;

fn chain() -> &'static TestChain {
    static CHAIN: OnceLock<TestChain> = OnceLock::new();
    CHAIN.get_or_init(TestChain::generate)
}

fn trust() -> &'static TrustStore {
    static TRUST: OnceLock<TrustStore> = OnceLock::new();
    TRUST.get_or_init(|| TrustStore::new(&[chain().root_der().clone()]).unwrap())
}

fn amazon_2026() -> &'static [u8] {
    static PEM: OnceLock<Vec<u8>> = OnceLock::new();
    PEM.get_or_init(|| {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../testdata/alexa/chains/echo-api-cert-2026.pem");
        std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    })
}

fn at(secs: u64) -> UnixTime {
    UnixTime::since_unix_epoch(Duration::from_secs(secs))
}

/// Parses and validates; `Ok(leaf DER)` when the chain validates.
fn validate(pem: &[u8], now: u64) -> Result<Vec<u8>, String> {
    let certs = parse_pem(pem).map_err(|e| e.to_string())?;
    assert!(!certs.is_empty() && certs.len() <= MAX_CHAIN_CERTS);
    ValidatedChain::validate(&certs, trust(), at(now)).map_err(|e| e.to_string())?;
    Ok(certs[0].as_ref().to_vec())
}

fn pem_block(der: &[u8]) -> Vec<u8> {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap());
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out.into_bytes()
}

fn with_leaf(leaf: &[u8], rest: &[&CertificateDer<'static>]) -> Vec<u8> {
    let mut pem = pem_block(leaf);
    for cert in rest {
        pem.extend(pem_block(cert));
    }
    pem
}

#[test]
fn the_intact_chains_validate() {
    assert_eq!(
        validate(&chain().pem(), TEST_NOW).unwrap(),
        chain().leaf_der().as_ref()
    );
    assert!(validate(amazon_2026(), AMAZON_2026_NOW).is_ok());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_validate(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        prop_assert!(validate(&bytes, TEST_NOW).is_err());
    }

    #[test]
    fn arbitrary_base64_in_a_certificate_section_never_validates(
        b64 in "[A-Za-z0-9+/=\n]{0,400}",
        count in 1usize..=10,
    ) {
        let section = format!("-----BEGIN CERTIFICATE-----\n{b64}\n-----END CERTIFICATE-----\n");
        prop_assert!(validate(section.repeat(count).as_bytes(), TEST_NOW).is_err());
    }

    #[test]
    fn a_test_leaf_with_one_byte_changed_never_validates(
        index in any::<prop::sample::Index>(),
        byte in any::<u8>(),
    ) {
        let mut leaf = chain().leaf_der().as_ref().to_vec();
        let i = index.index(leaf.len());
        prop_assume!(leaf[i] != byte);
        leaf[i] = byte;
        let pem = with_leaf(&leaf, &[chain().intermediate_der()]);
        prop_assert!(validate(&pem, TEST_NOW).is_err());
    }

    #[test]
    fn an_amazon_leaf_with_one_byte_changed_never_validates(
        index in any::<prop::sample::Index>(),
        byte in any::<u8>(),
    ) {
        let certs = parse_pem(amazon_2026()).unwrap();
        let mut leaf = certs[0].as_ref().to_vec();
        let i = index.index(leaf.len());
        prop_assume!(leaf[i] != byte);
        leaf[i] = byte;
        let rest: Vec<&CertificateDer<'static>> = certs[1..].iter().collect();
        let pem = with_leaf(&leaf, &rest);
        prop_assert!(validate(&pem, AMAZON_2026_NOW).is_err());
    }

    #[test]
    fn a_pem_text_with_bytes_changed_or_cut_validates_only_with_the_intact_leaf(
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..3),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut pem = chain().pem();
        for (index, byte) in edits {
            let i = index.index(pem.len());
            pem[i] = byte;
        }
        pem.truncate(cut.index(pem.len() + 1));
        if let Ok(leaf) = validate(&pem, TEST_NOW) {
            prop_assert_eq!(leaf.as_slice(), chain().leaf_der().as_ref());
        }
    }

    #[test]
    fn the_intact_chain_validates_only_inside_its_dates(secs in 0u64..4_000_000_000) {
        // The test leaf is valid 2020-01-01 .. 2045-01-01, the CA 2000 .. 2090.
        let inside = (1_577_836_800..=2_366_841_600).contains(&secs);
        prop_assert_eq!(validate(&chain().pem(), secs).is_ok(), inside, "at {}", secs);
    }
}
