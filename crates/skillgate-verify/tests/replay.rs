//! Replay protection through the verifier, and the pluggable download limiter.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::SystemTime;

use bytes::Bytes;
use common::{APP_ID, chain, now, system_time};
use futures_util::future::BoxFuture;
use http::HeaderValue;
use skillgate_verify::testing::{TestChain, envelope_with_id};
use skillgate_verify::{
    CertChainUrl, ChainCache, ChainCacheConfig, ChainSource, Check, DownloadLimiter, FetchFuture,
    InMemoryReplayGuard, ReplayError, ReplayGuard, Seen, Verifier, VerifyError,
};
use time::OffsetDateTime;

fn verifier_with(guard: Arc<dyn ReplayGuard>) -> Verifier {
    let mut config = chain().config([APP_ID]);
    config.replay = Some(guard);
    Verifier::new(config, Arc::new(chain().source())).unwrap()
}

fn signed(id: &str, request_type: &str, at: OffsetDateTime) -> (http::HeaderMap, Vec<u8>) {
    let body = envelope_with_id(APP_ID, request_type, at, id);
    (chain().headers(&body), body)
}

async fn verify(
    v: &Verifier,
    req: &(http::HeaderMap, Vec<u8>),
    at: OffsetDateTime,
) -> Result<(), VerifyError> {
    v.verify(&req.0, &req.1, system_time(at)).await.map(|_| ())
}

#[tokio::test]
async fn a_replayed_request_is_refused_within_the_window() {
    let guard = Arc::new(InMemoryReplayGuard::new(1000));
    let v = verifier_with(guard.clone());
    let req = signed("amzn1.echo-api.request.r1", "IntentRequest", now());
    verify(&v, &req, now()).await.unwrap();
    for later in [0, 1, 100, 150] {
        let at = now() + time::Duration::seconds(later);
        let err = verify(&v, &req, at).await.unwrap_err();
        assert_eq!(err, VerifyError::Replayed, "{later} s later");
        assert_eq!(err.check(), Check::Replay);
        assert_eq!(err.reason(), "replay");
    }
    // Past the window the timestamp check refuses it (the replay check is never reached).
    let err = verify(&v, &req, now() + time::Duration::seconds(151))
        .await
        .unwrap_err();
    assert!(
        matches!(err, VerifyError::TimestampTooOld { .. }),
        "{err:?}"
    );
    // Another id is unaffected.
    verify(
        &v,
        &signed("amzn1.echo-api.request.r2", "IntentRequest", now()),
        now(),
    )
    .await
    .unwrap();
    assert_eq!(guard.len(), 2);
}

#[tokio::test]
async fn an_id_is_accepted_again_once_its_entry_expired() {
    let v = verifier_with(Arc::new(InMemoryReplayGuard::new(1000)));
    let first = signed("amzn1.echo-api.request.again", "IntentRequest", now());
    verify(&v, &first, now()).await.unwrap();
    // Same id, newer timestamp: while the first entry lives (timestamp + 150 s + 30 s) it
    // is a replay; after that it is accepted.
    let t1 = now() + time::Duration::seconds(179);
    let second = signed("amzn1.echo-api.request.again", "IntentRequest", t1);
    assert_eq!(verify(&v, &second, t1).await, Err(VerifyError::Replayed));
    let t2 = now() + time::Duration::seconds(181);
    let third = signed("amzn1.echo-api.request.again", "IntentRequest", t2);
    verify(&v, &third, t2).await.unwrap();
}

#[tokio::test]
async fn skill_events_are_remembered_for_their_hour() {
    let v = verifier_with(Arc::new(InMemoryReplayGuard::new(1000)));
    let req = signed(
        "amzn1.echo-api.request.event",
        "AlexaSkillEvent.SkillEnabled",
        now(),
    );
    verify(&v, &req, now()).await.unwrap();
    let at = now() + time::Duration::minutes(50);
    assert_eq!(verify(&v, &req, at).await, Err(VerifyError::Replayed));
}

#[tokio::test]
async fn forged_or_refused_requests_do_not_burn_the_id() {
    let guard = Arc::new(InMemoryReplayGuard::new(1000));
    let v = verifier_with(guard.clone());
    let id = "amzn1.echo-api.request.target";
    let genuine = signed(id, "IntentRequest", now());
    // Forged: the genuine id, a body the signature does not cover.
    let mut forged_body = genuine.1.clone();
    forged_body.extend_from_slice(b" ");
    let err = v
        .verify(&genuine.0, &forged_body, system_time(now()))
        .await
        .unwrap_err();
    assert_eq!(err.check(), Check::Signature);
    // Signed but for another skill: refused at the application id, not recorded either.
    let other = envelope_with_id("amzn1.ask.skill.other", "IntentRequest", now(), id);
    let err = v
        .verify(&chain().headers(&other), &other, system_time(now()))
        .await
        .unwrap_err();
    assert_eq!(err.check(), Check::ApplicationId);
    // Stale: refused at the timestamp, not recorded.
    let stale = signed(id, "IntentRequest", now() - time::Duration::minutes(10));
    assert_eq!(
        verify(&v, &stale, now()).await.unwrap_err().check(),
        Check::Timestamp
    );
    assert!(guard.is_empty());
    verify(&v, &genuine, now()).await.unwrap();
}

#[tokio::test]
async fn memory_stays_bounded_and_recent_replays_are_still_refused() {
    let guard = Arc::new(InMemoryReplayGuard::new(50));
    let v = verifier_with(guard.clone());
    let mut last = None;
    for i in 0..200 {
        let req = signed(
            &format!("amzn1.echo-api.request.b{i}"),
            "IntentRequest",
            now(),
        );
        verify(&v, &req, now()).await.unwrap();
        assert!(guard.len() <= 50);
        last = Some(req);
    }
    assert_eq!(guard.len(), 50);
    assert_eq!(
        verify(&v, &last.unwrap(), now()).await,
        Err(VerifyError::Replayed)
    );
}

#[derive(Debug)]
struct Down;

impl ReplayGuard for Down {
    fn check_and_record<'a>(
        &'a self,
        _: &'a str,
        _: SystemTime,
        _: SystemTime,
    ) -> BoxFuture<'a, Result<Seen, ReplayError>> {
        Box::pin(async { Err(ReplayError("connection refused".into())) })
    }
}

#[tokio::test]
async fn an_unavailable_replay_store_fails_closed() {
    let v = verifier_with(Arc::new(Down));
    let req = signed("amzn1.echo-api.request.down", "IntentRequest", now());
    let err = verify(&v, &req, now()).await.unwrap_err();
    assert!(
        matches!(err, VerifyError::ReplayStoreUnavailable(_)),
        "{err:?}"
    );
    assert_eq!(err.check(), Check::Replay);
    assert_eq!(err.reason(), "replay_store_unavailable");
}

#[tokio::test]
async fn without_a_guard_nothing_is_checked() {
    let v = chain().verifier([APP_ID]);
    let req = signed("amzn1.echo-api.request.none", "IntentRequest", now());
    verify(&v, &req, now()).await.unwrap();
    verify(&v, &req, now()).await.unwrap();
}

/// A remote source that serves the chain and counts fetches.
struct Remote {
    pem: Bytes,
    fetches: AtomicUsize,
}

impl ChainSource for Remote {
    fn fetch<'a>(&'a self, _: &'a CertChainUrl) -> FetchFuture<'a> {
        self.fetches.fetch_add(1, Ordering::SeqCst);
        let pem = self.pem.clone();
        Box::pin(async move { Ok(pem) })
    }
}

/// Grants `budget` downloads in total, counting the calls.
#[derive(Debug)]
struct Budget {
    left: AtomicUsize,
    asked: AtomicUsize,
}

impl DownloadLimiter for Budget {
    fn try_acquire(&self, _: SystemTime) -> BoxFuture<'_, bool> {
        self.asked.fetch_add(1, Ordering::SeqCst);
        let granted = self
            .left
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        Box::pin(async move { granted })
    }
}

fn limited(c: &TestChain, budget: usize) -> (Verifier, Arc<Remote>, Arc<Budget>) {
    let source = Arc::new(Remote {
        pem: Bytes::from(c.pem()),
        fetches: AtomicUsize::new(0),
    });
    let limiter = Arc::new(Budget {
        left: AtomicUsize::new(budget),
        asked: AtomicUsize::new(0),
    });
    let cache =
        ChainCache::with_limiter(source.clone(), ChainCacheConfig::default(), limiter.clone());
    let v = Verifier::with_cache(c.config([APP_ID]), Arc::new(cache)).unwrap();
    (v, source, limiter)
}

async fn verify_url(v: &Verifier, file: &str) -> Result<(), VerifyError> {
    let (mut h, b) = signed(
        &format!("amzn1.echo-api.request.{file}"),
        "IntentRequest",
        now(),
    );
    h.insert(
        "SignatureCertChainUrl",
        HeaderValue::try_from(format!("https://s3.amazonaws.com/echo.api/{file}")).unwrap(),
    );
    verify(v, &(h, b), now()).await
}

#[tokio::test]
async fn a_custom_limiter_gates_downloads_only() {
    let (v, source, limiter) = limited(chain(), 2);
    verify_url(&v, "a.pem").await.unwrap();
    // A cache hit asks nothing of the limiter.
    verify_url(&v, "a.pem").await.unwrap();
    verify_url(&v, "b.pem").await.unwrap();
    assert_eq!(limiter.asked.load(Ordering::SeqCst), 2);
    // Budget spent: a new URL fails at once without a fetch.
    assert_eq!(
        verify_url(&v, "c.pem").await,
        Err(VerifyError::DownloadRateLimited)
    );
    assert_eq!(source.fetches.load(Ordering::SeqCst), 2);
    // Cached URLs still verify.
    verify_url(&v, "b.pem").await.unwrap();
}
