//! Verification cost with a warm cache, whole and step by step.
//!
//! Run: `cargo bench -p skillgate-verify` (release; about a minute), and compare the
//! `full/*` times (verifications per second per core = 1 / time) with
//! `openssl speed -seconds 3 rsa2048` (its "verify/s" column) on the same machine.
//!
//! Times are the benchmark thread's **CPU time** (`CLOCK_THREAD_CPUTIME_ID`), like
//! `openssl speed` without `-elapsed` (which counts user CPU time): on a shared, busy machine
//! wall-clock numbers swing by 2x between runs, CPU time does not.

use std::hint::black_box;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{Criterion, criterion_group, criterion_main};
use futures_util::FutureExt as _;
use http::{HeaderMap, HeaderName, HeaderValue};
use rustls_pki_types::UnixTime;
use serde_json::value::RawValue;
use skillgate_verify::envelope::MinimalEnvelope;
use skillgate_verify::signature::decode_signature;
use skillgate_verify::testing::{TestChain, envelope};
use skillgate_verify::trust::{TrustStore, ValidatedChain};
use skillgate_verify::{
    CertChainUrl, SignatureAlgorithm, StaticChainSource, Verifier, VerifierConfig, timestamp,
};
use time::OffsetDateTime;
use time::macros::datetime;

const APP_ID: &str = "amzn1.ask.skill.bench";

fn fixture(rel: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/alexa")
        .join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

struct Sha1Capture {
    verifier: Verifier,
    headers: HeaderMap,
    body: Vec<u8>,
    now: SystemTime,
    chain: Vec<u8>,
}

fn sha1_capture() -> Sha1Capture {
    let body = fixture("requests/2018-07-launch.body.json");
    let mut headers = HeaderMap::new();
    let text = String::from_utf8(fixture("requests/2018-07-launch.headers.txt")).unwrap();
    for line in text.lines().filter(|l| !l.is_empty()) {
        let (k, v) = line.split_once(':').unwrap();
        headers.insert(
            HeaderName::from_bytes(k.as_bytes()).unwrap(),
            HeaderValue::from_str(v.trim()).unwrap(),
        );
    }
    let chain = fixture("chains/echo-api-cert-6-ats.pem");
    let url = CertChainUrl::parse(headers["SignatureCertChainUrl"].to_str().unwrap()).unwrap();
    let mut config =
        VerifierConfig::for_skills(["amzn1.ask.skill.28c32583-4c23-48de-9745-cbb8bf051873"]);
    config.allow_sha1 = true;
    let verifier = Verifier::new(
        config,
        Arc::new(StaticChainSource::new().with_chain(&url, chain.clone())),
    )
    .unwrap();
    Sha1Capture {
        verifier,
        headers,
        body,
        now: SystemTime::from(datetime!(2018-07-03 12:37:50 UTC)),
        chain,
    }
}

fn benches(c: &mut Criterion<ThreadCpuTime>) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();

    // SHA-256: a generated RSA-2048 chain (no real Signature-256 capture exists).
    let chain = TestChain::generate();
    let verifier = chain.verifier([APP_ID]);
    let now_odt: OffsetDateTime = datetime!(2030-06-01 12:00:00 UTC);
    let now = SystemTime::from(now_odt);
    let body = envelope(APP_ID, "IntentRequest", now_odt);
    let headers = chain.headers(&body);
    rt.block_on(verifier.verify(&headers, &body, now)).unwrap();

    // SHA-1: the real 2018 capture and its Amazon chain.
    let sha1 = sha1_capture();
    rt.block_on(sha1.verifier.verify(&sha1.headers, &sha1.body, sha1.now))
        .unwrap();

    let mut full = c.benchmark_group("full");
    full.measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1));
    full.bench_function("sha256_warm_cache", |b| {
        b.to_async(&rt).iter(|| async {
            verifier
                .verify(&headers, black_box(&body), now)
                .await
                .unwrap()
        })
    });
    full.bench_function("sha1_warm_cache", |b| {
        b.to_async(&rt).iter(|| async {
            sha1.verifier
                .verify(&sha1.headers, black_box(&sha1.body), sha1.now)
                .await
                .unwrap()
        })
    });
    // Again, after SHA-1, to show the order does not matter.
    full.bench_function("sha256_warm_cache_again", |b| {
        b.to_async(&rt).iter(|| async {
            verifier
                .verify(&headers, black_box(&body), now)
                .await
                .unwrap()
        })
    });
    full.bench_function("sha256_warm_cache_polled", |b| {
        b.iter(|| {
            verifier
                .verify(&headers, black_box(&body), now)
                .now_or_never()
                .expect("a warm verification never waits")
                .unwrap()
        })
    });
    full.finish();

    let mut steps = c.benchmark_group("step");
    steps
        .measurement_time(Duration::from_secs(2))
        .warm_up_time(Duration::from_millis(500));
    let raw_url = "https://s3.amazonaws.com/echo.api/echo-api-cert-6-ats.pem";
    steps.bench_function("cert_url_parse", |b| {
        b.iter(|| CertChainUrl::parse(black_box(raw_url)).unwrap())
    });
    let chain_url =
        CertChainUrl::parse(headers["SignatureCertChainUrl"].to_str().unwrap()).unwrap();
    steps.bench_function("cache_hit", |b| {
        b.iter(|| {
            verifier
                .cache()
                .get(verifier.checker().trust(), black_box(&chain_url), now)
                .now_or_never()
                .expect("a warm cache never waits")
                .unwrap()
        })
    });
    let sig_b64 = headers["Signature-256"].to_str().unwrap().to_owned();
    steps.bench_function("signature_base64", |b| {
        b.iter(|| decode_signature(black_box(&sig_b64)).unwrap())
    });
    let signature = decode_signature(&sig_b64).unwrap();
    let certs = skillgate_verify::chain::parse_pem(&chain.pem()).unwrap();
    let trust = TrustStore::new(&[chain.root_der().clone()]).unwrap();
    let unix = UnixTime::since_unix_epoch(Duration::from_secs(now_odt.unix_timestamp() as u64));
    let validated = ValidatedChain::validate(&certs, &trust, unix).unwrap();
    steps.bench_function("rsa_verify_sha256", |b| {
        b.iter(|| {
            validated
                .key()
                .verify(SignatureAlgorithm::Sha256, black_box(&body), &signature)
                .unwrap()
        })
    });
    let spki = validated_spki(&certs);
    steps.bench_function("rsa_verify_sha256_unparsed_key", |b| {
        b.iter(|| {
            aws_lc_rs::signature::UnparsedPublicKey::new(
                &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
                &spki,
            )
            .verify(black_box(&body), &signature)
            .unwrap()
        })
    });
    steps.bench_function("envelope_parse", |b| {
        b.iter(|| MinimalEnvelope::parse(black_box(&body)).unwrap())
    });
    let ts = RawValue::from_string("\"2030-06-01T12:00:00Z\"".to_owned()).unwrap();
    steps.bench_function("timestamp_check", |b| {
        b.iter(|| timestamp::check(black_box(&ts), now_odt, timestamp::DEFAULT_TOLERANCE).unwrap())
    });
    steps.bench_function("chain_parse_and_validate_cold", |b| {
        b.iter(|| {
            let certs = skillgate_verify::chain::parse_pem(black_box(&sha1.chain)).unwrap();
            let trust_none = &*EMPTY_TRUST;
            ValidatedChain::validate(
                &certs,
                trust_none,
                UnixTime::since_unix_epoch(Duration::from_secs(1_530_621_470)),
            )
            .unwrap()
        })
    });
    steps.finish();
}

static EMPTY_TRUST: std::sync::LazyLock<TrustStore> =
    std::sync::LazyLock::new(|| TrustStore::new(&[]).unwrap());

fn validated_spki(certs: &[rustls_pki_types::CertificateDer<'static>]) -> Vec<u8> {
    let cert = webpki::EndEntityCert::try_from(&certs[0]).unwrap();
    cert.subject_public_key_info().as_ref().to_vec()
}

/// The calling thread's CPU time.
struct ThreadCpuTime;

fn thread_cpu_now() -> Duration {
    // CLOCK_THREAD_CPUTIME_ID, through a crate so that the workspace stays free of unsafe code.
    cpu_time::ThreadTime::now().as_duration()
}

static WALL: WallTime = WallTime;

impl Measurement for ThreadCpuTime {
    type Intermediate = Duration;
    type Value = Duration;

    fn start(&self) -> Duration {
        thread_cpu_now()
    }

    fn end(&self, start: Duration) -> Duration {
        thread_cpu_now().saturating_sub(start)
    }

    fn add(&self, a: &Duration, b: &Duration) -> Duration {
        *a + *b
    }

    fn zero(&self) -> Duration {
        Duration::ZERO
    }

    fn to_f64(&self, value: &Duration) -> f64 {
        value.as_nanos() as f64
    }

    fn formatter(&self) -> &dyn ValueFormatter {
        WALL.formatter()
    }
}

criterion_group! {
    name = verify;
    config = Criterion::default().with_measurement(ThreadCpuTime);
    targets = benches
}
criterion_main!(verify);
