//! The chain cache: single flight, failure memory, rate limit, bound, dates on every hit.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use common::{APP_ID, ca, chain, now, system_time};
use http::HeaderValue;
use skillgate_verify::testing::{LeafOptions, TestChain, envelope};
use skillgate_verify::{
    CertChainUrl, ChainCache, ChainCacheConfig, ChainSource, Check, FetchError, FetchFuture,
    Verifier, VerifyError,
};
use time::OffsetDateTime;

/// A "remote" source that serves one PEM for every URL whose file name starts with `good`,
/// fails the others, counts fetches and waits `delay` before answering.
struct Counting {
    pem: Bytes,
    delay: Duration,
    fetches: AtomicUsize,
}

impl ChainSource for Counting {
    fn fetch<'a>(&'a self, url: &'a CertChainUrl) -> FetchFuture<'a> {
        Box::pin(async move {
            self.fetches.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(self.delay).await;
            if url
                .as_str()
                .rsplit('/')
                .next()
                .is_some_and(|f| f.starts_with("good"))
            {
                Ok(self.pem.clone())
            } else {
                Err(FetchError::Status(403))
            }
        })
    }
}

fn counting(c: &TestChain, delay: Duration) -> Arc<Counting> {
    Arc::new(Counting {
        pem: Bytes::from(c.pem()),
        delay,
        fetches: AtomicUsize::new(0),
    })
}

fn verifier(c: &TestChain, source: Arc<Counting>, config: ChainCacheConfig) -> Verifier {
    let cache = Arc::new(ChainCache::with_config(source, config));
    Verifier::with_cache(c.config([APP_ID]), cache).unwrap()
}

async fn verify_at(
    v: &Verifier,
    c: &TestChain,
    file: &str,
    at: OffsetDateTime,
) -> Result<(), VerifyError> {
    let b = envelope(APP_ID, "IntentRequest", at);
    let mut h = c.headers(&b);
    h.insert(
        "SignatureCertChainUrl",
        HeaderValue::try_from(format!("https://s3.amazonaws.com/echo.api/{file}")).unwrap(),
    );
    v.verify(&h, &b, system_time(at)).await.map(|_| ())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_misses_share_one_download() {
    let c = chain();
    let source = counting(c, Duration::from_millis(100));
    let v = Arc::new(verifier(
        c,
        Arc::clone(&source),
        ChainCacheConfig::default(),
    ));
    let tasks: Vec<_> = (0..32)
        .map(|_| {
            let v = Arc::clone(&v);
            tokio::spawn(async move { verify_at(&v, chain(), "good.pem", now()).await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(source.fetches.load(Ordering::SeqCst), 1);
    assert_eq!(v.cache().len(), 1);
}

#[tokio::test]
async fn failures_are_remembered_briefly() {
    let c = chain();
    let source = counting(c, Duration::ZERO);
    let v = verifier(c, Arc::clone(&source), ChainCacheConfig::default());
    let err = verify_at(&v, c, "bad.pem", now()).await.unwrap_err();
    assert_eq!(err, VerifyError::Download(FetchError::Status(403)));
    let err = verify_at(&v, c, "bad.pem", now() + time::Duration::seconds(29))
        .await
        .unwrap_err();
    assert_eq!(err, VerifyError::DownloadRecentlyFailed);
    assert_eq!(err.check(), Check::ChainDownload);
    assert_eq!(source.fetches.load(Ordering::SeqCst), 1);
    // After the failure TTL the URL is tried again.
    let err = verify_at(&v, c, "bad.pem", now() + time::Duration::seconds(31))
        .await
        .unwrap_err();
    assert_eq!(err, VerifyError::Download(FetchError::Status(403)));
    assert_eq!(source.fetches.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_failed_download_never_poisons_a_valid_entry() {
    let c = chain();
    let source = counting(c, Duration::ZERO);
    let v = verifier(c, Arc::clone(&source), ChainCacheConfig::default());
    verify_at(&v, c, "good.pem", now()).await.unwrap();
    for i in 0..3 {
        assert!(
            verify_at(&v, c, &format!("bad-{i}.pem"), now())
                .await
                .is_err()
        );
    }
    verify_at(&v, c, "good.pem", now()).await.unwrap();
    assert_eq!(source.fetches.load(Ordering::SeqCst), 4);
}

#[tokio::test]
async fn downloads_are_rate_limited_and_fail_fast() {
    let c = chain();
    let source = counting(c, Duration::ZERO);
    let config = ChainCacheConfig {
        downloads_per_minute: 10,
        download_burst: 5,
        ..ChainCacheConfig::default()
    };
    let v = verifier(c, Arc::clone(&source), config);
    // A flood of forged but well-formed URLs: only the burst reaches the source.
    let mut limited = 0;
    for i in 0..50 {
        match verify_at(&v, c, &format!("forged-{i}.pem"), now()).await {
            Err(VerifyError::DownloadRateLimited) => limited += 1,
            Err(VerifyError::Download(_)) => {}
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(source.fetches.load(Ordering::SeqCst), 5);
    assert_eq!(limited, 45);
    // Even a good URL waits for a token ...
    let err = verify_at(&v, c, "good.pem", now()).await.unwrap_err();
    assert_eq!(err, VerifyError::DownloadRateLimited);
    assert_eq!(err.check(), Check::ChainDownload);
    // ... which comes back after 6 s at 10 per minute.
    verify_at(&v, c, "good.pem", now() + time::Duration::seconds(7))
        .await
        .unwrap();
    assert_eq!(source.fetches.load(Ordering::SeqCst), 6);
}

#[tokio::test]
async fn the_cache_is_bounded() {
    let c = chain();
    let source = counting(c, Duration::ZERO);
    let config = ChainCacheConfig {
        max_entries: 3,
        download_burst: 100,
        ..ChainCacheConfig::default()
    };
    let v = verifier(c, Arc::clone(&source), config);
    for i in 0..10 {
        verify_at(&v, c, &format!("good-{i}.pem"), now())
            .await
            .unwrap();
        assert!(v.cache().len() <= 3);
    }
    // The most recent entry is still cached; the oldest was evicted.
    let before = source.fetches.load(Ordering::SeqCst);
    verify_at(&v, c, "good-9.pem", now()).await.unwrap();
    assert_eq!(source.fetches.load(Ordering::SeqCst), before);
    verify_at(&v, c, "good-0.pem", now()).await.unwrap();
    assert_eq!(source.fetches.load(Ordering::SeqCst), before + 1);
}

#[tokio::test]
async fn an_entry_is_never_used_outside_its_dates() {
    let short = ca().issue(&LeafOptions {
        not_before: time::macros::datetime!(2030-01-01 0:00 UTC),
        not_after: time::macros::datetime!(2030-06-01 12:05 UTC),
        ..LeafOptions::default()
    });
    let source = counting(&short, Duration::ZERO);
    let v = verifier(&short, Arc::clone(&source), ChainCacheConfig::default());
    verify_at(&v, &short, "good.pem", now()).await.unwrap();
    verify_at(&v, &short, "good.pem", now() + time::Duration::minutes(4))
        .await
        .unwrap();
    assert_eq!(source.fetches.load(Ordering::SeqCst), 1);
    // Past notAfter the cached entry is dropped, fetched again, and rejected.
    let err = verify_at(&v, &short, "good.pem", now() + time::Duration::minutes(6))
        .await
        .unwrap_err();
    assert!(matches!(err, VerifyError::CertExpired { .. }), "{err}");
    assert_eq!(source.fetches.load(Ordering::SeqCst), 2);
    // Before notBefore too.
    let err = verify_at(
        &v,
        &short,
        "good.pem",
        time::macros::datetime!(2029-12-31 0:00 UTC),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, VerifyError::CertNotYetValid { .. }), "{err}");
}

#[tokio::test]
async fn static_sources_are_not_rate_limited() {
    let c = chain();
    let config = ChainCacheConfig {
        download_burst: 1,
        downloads_per_minute: 1,
        ..ChainCacheConfig::default()
    };
    let cache = Arc::new(ChainCache::with_config(Arc::new(c.source()), config));
    let v = Verifier::with_cache(c.config([APP_ID]), cache).unwrap();
    for i in 0..5 {
        let err = verify_at(&v, c, &format!("unknown-{i}.pem"), now())
            .await
            .unwrap_err();
        assert_eq!(err, VerifyError::Download(FetchError::NotFound));
    }
}

#[tokio::test]
async fn a_download_completes_even_if_every_waiting_request_hangs_up() {
    let c = chain();
    let source = counting(c, Duration::from_millis(100));
    let v = verifier(c, Arc::clone(&source), ChainCacheConfig::default());
    // The only request waiting for the download gives up after 10 ms.
    let gave_up = tokio::time::timeout(
        Duration::from_millis(10),
        verify_at(&v, c, "good.pem", now()),
    )
    .await;
    assert!(gave_up.is_err());
    // The download still finishes and is cached: the next request does not fetch again.
    tokio::time::sleep(Duration::from_millis(300)).await;
    verify_at(&v, c, "good.pem", now()).await.unwrap();
    assert_eq!(source.fetches.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn failures_never_evict_a_validated_chain() {
    let c = chain();
    let source = counting(c, Duration::ZERO);
    let config = ChainCacheConfig {
        max_entries: 3,
        max_failures: 4,
        download_burst: 100,
        ..ChainCacheConfig::default()
    };
    let v = verifier(c, Arc::clone(&source), config);
    verify_at(&v, c, "good.pem", now()).await.unwrap();
    for i in 0..20 {
        assert!(
            verify_at(&v, c, &format!("bad-{i}.pem"), now())
                .await
                .is_err()
        );
        assert!(v.cache().failures_len() <= 4);
    }
    // Still cached: no new fetch for the validated chain.
    let before = source.fetches.load(Ordering::SeqCst);
    verify_at(&v, c, "good.pem", now()).await.unwrap();
    assert_eq!(source.fetches.load(Ordering::SeqCst), before);
    assert_eq!(v.cache().validated_len(), 1);
}

#[tokio::test]
async fn a_url_that_validated_before_keeps_a_reserved_download_budget() {
    let short = ca().issue(&LeafOptions {
        not_before: time::macros::datetime!(2030-01-01 0:00 UTC),
        not_after: time::macros::datetime!(2030-06-01 12:05 UTC),
        ..LeafOptions::default()
    });
    let source = counting(&short, Duration::ZERO);
    let config = ChainCacheConfig {
        downloads_per_minute: 1,
        download_burst: 1,
        ..ChainCacheConfig::default()
    };
    let v = verifier(&short, Arc::clone(&source), config);
    verify_at(&v, &short, "good.pem", now()).await.unwrap();
    // A first-seen URL: the general budget is spent.
    let err = verify_at(&v, &short, "good-new.pem", now())
        .await
        .unwrap_err();
    assert_eq!(err, VerifyError::DownloadRateLimited);
    // The validated chain is dropped past its notAfter; its URL still gets a download
    // from the reserve (and then fails on the expired chain, which is the right answer).
    let later = now() + time::Duration::minutes(6);
    let err = verify_at(&v, &short, "good.pem", later).await.unwrap_err();
    assert!(matches!(err, VerifyError::CertExpired { .. }), "{err}");
    assert_eq!(source.fetches.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn the_cache_counts_its_own_hits_and_misses() {
    let c = chain();
    let source = counting(c, Duration::ZERO);
    let v = verifier(c, Arc::clone(&source), ChainCacheConfig::default());
    verify_at(&v, c, "good.pem", now()).await.unwrap();
    for _ in 0..3 {
        verify_at(&v, c, "good.pem", now()).await.unwrap();
    }
    let _ = verify_at(&v, c, "bad.pem", now()).await;
    let _ = verify_at(&v, c, "bad.pem", now()).await;
    let stats = v.cache().stats();
    assert_eq!((stats.hits, stats.misses, stats.downloads), (3, 3, 2));
    assert_eq!(v.cache().hits(), 3);
    assert_eq!(v.cache().misses(), 3);
    // A request refused before the chain step is not a lookup at all.
    let b = envelope(APP_ID, "IntentRequest", now());
    assert!(
        v.verify(&http::HeaderMap::new(), &b, system_time(now()))
            .await
            .is_err()
    );
    assert_eq!(v.cache().stats(), stats);
}
