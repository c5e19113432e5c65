//! The first request after a start: the verifier's chain cache is empty, so the request waits
//! for the chain download (TCP and TLS to a local HTTPS server standing in for
//! s3.amazonaws.com, the GET, the PEM parse, the path validation against the trust anchors,
//! the SAN and dates) before the signature and the body checks; and, for comparison, the
//! same request with the chain cached. Each sample builds a fresh verifier with a fresh HTTP
//! client (no pooled connection), outside the timing.
//!
//! Run: `cargo bench -p skillgate-verify --bench first_request` (wall time).

#[path = "../tests/common/mod.rs"]
mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{APP_ID, chain, chain_server, now, system_time};
use criterion::{Criterion, criterion_group, criterion_main};
use skillgate_verify::testing::envelope;
use skillgate_verify::{HttpsChainSource, HttpsChainSourceConfig, Verifier};

fn benches(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let chain = chain();
    let server = rt.block_on(chain_server(chain.pem()));
    let body = envelope(APP_ID, "LaunchRequest", now());
    let mut headers = chain.headers(&body);
    headers.insert(
        "SignatureCertChainUrl",
        http::HeaderValue::from_static("https://s3.amazonaws.com/echo.api/good.pem"),
    );
    let at = system_time(now());
    let fresh_verifier = || {
        let source = HttpsChainSource::new(HttpsChainSourceConfig {
            connect_to: Some(server.addr),
            extra_tls_roots: vec![server.tls_root.clone()],
            ..HttpsChainSourceConfig::default()
        })
        .expect("a chain source");
        Verifier::new(chain.config([APP_ID]), Arc::new(source)).expect("a verifier")
    };

    let mut group = c.benchmark_group("first_request");
    group.sample_size(20);
    group.bench_function("verify_with_chain_download", |b| {
        b.iter_custom(|iterations| {
            let mut total = Duration::ZERO;
            for _ in 0..iterations {
                let verifier = fresh_verifier();
                let start = Instant::now();
                rt.block_on(verifier.verify(&headers, &body, at))
                    .expect("the first request verifies");
                total += start.elapsed();
            }
            total
        })
    });
    let warm = fresh_verifier();
    rt.block_on(warm.verify(&headers, &body, at))
        .expect("the first request verifies");
    group.bench_function("verify_with_chain_cached", |b| {
        b.iter(|| rt.block_on(warm.verify(&headers, &body, at)))
    });
    group.finish();
    assert!(
        server.hits() > 1,
        "every fresh verifier downloaded the chain"
    );
}

criterion_group!(first_request, benches);
criterion_main!(first_request);
