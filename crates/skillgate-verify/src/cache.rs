//! The chain cache: validated chains by normalized URL, single-flight downloads, a separate
//! memory of recent failures, and download budgets that a flood cannot starve (issue 15,
//! item 1).
//!
//! - Keyed by (trust store, normalized URL): verifiers with different extra anchors never
//!   share a validation.
//! - **Validated chains** (the parsed, validated chain with its signing key) live in their
//!   own table. An entry is used only while `now` is within the dates of every certificate
//!   of its path; otherwise it is dropped and fetched again. It stays until then, unless more
//!   than `max_entries` chains validated (memory pressure), when the least recently used
//!   validated chain goes. Nothing else ever evicts one.
//! - **Failures** (a failed download or an invalid chain) are remembered for `failure_ttl` in
//!   a second, smaller table (`max_failures`, oldest first out): requests naming that URL fail
//!   fast without a new download, and a flood of forged URLs only ever evicts other failures.
//! - Concurrent misses for one key share one download and validation.
//! - **Download budgets.** Every network download takes a token at once or fails with
//!   [`VerifyError::DownloadRateLimited`] (no queueing). A URL that never validated takes it
//!   from the general [`DownloadLimiter`] (by default an in-process [`TokenBucket`],
//!   `downloads_per_minute` / `download_burst`; [`ChainCache::with_limiter`] takes another, e.g.
//!   a budget shared through Redis). A URL that validated before (Amazon's chain after it
//!   was renewed, or evicted) first uses a **reserve** (`known_good_downloads_per_minute` /
//!   `known_good_download_burst`) that first-seen URLs can never take, then the general
//!   budget. A flood of forged but well-formed URLs therefore costs at most the general
//!   budget in requests to S3 and never blocks the genuine chain.
//! - The cache counts its own [`hits`](ChainCache::hits) and [`misses`](ChainCache::misses).
//! - Every chain it validates is shown to its [`ChainWatch`] ([`ChainCache::watch`]): issuer,
//!   key and expiry per URL, with warnings (at download time, never per lookup).
//!
//! Time is the `now` passed to each call (the verifier's injected clock), so tests drive it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use futures_util::FutureExt as _;
use futures_util::future::{BoxFuture, Shared};
use rustls_pki_types::UnixTime;

pub use crate::cache_config::ChainCacheConfig;
use crate::cert_url::CertChainUrl;
use crate::chain::parse_pem;
use crate::chain_watch::ChainWatch;
use crate::error::VerifyError;
use crate::fetch::ChainSource;
use crate::rate_limit::{DownloadLimiter, TokenBucket};
use crate::trust::{TrustStore, ValidatedChain};

type Key = ([u8; 32], String);
type Outcome = Result<Arc<ValidatedChain>, VerifyError>;
type Pending = Shared<BoxFuture<'static, Outcome>>;

struct Ready {
    chain: Arc<ValidatedChain>,
    used: u64,
}

struct Failed {
    error: VerifyError,
    since: i128,
    until: i128,
}

enum Lookup {
    Hit(Arc<ValidatedChain>),
    Fail(VerifyError),
    Wait(Pending),
    /// A network download is needed: take a token first, then look again.
    NeedToken {
        known_good: bool,
    },
}

#[derive(Default)]
struct State {
    ready: HashMap<Key, Ready>,
    failed: HashMap<Key, Failed>,
    pending: HashMap<Key, Pending>,
    /// URLs that validated at least once, with the tick of their last validation (bounded
    /// by `max_entries`, least recent out).
    known_good: HashMap<Key, u64>,
    tick: u64,
}

/// Counters the cache keeps about itself.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ChainCacheStats {
    /// Lookups answered by a validated chain already in the cache.
    pub hits: u64,
    /// Lookups that were not: a download started or joined, a remembered failure, or an
    /// exhausted budget.
    pub misses: u64,
    /// Fetches started (network or static).
    pub downloads: u64,
    /// Downloads refused by a budget.
    pub rate_limited: u64,
}

/// A chain cache shared by every verifier of a server (see the module docs).
pub struct ChainCache {
    source: Arc<dyn ChainSource>,
    config: ChainCacheConfig,
    limiter: Arc<dyn DownloadLimiter>,
    reserve: TokenBucket,
    state: Arc<Mutex<State>>,
    watch: Arc<ChainWatch>,
    downloads: AtomicU64,
    hits: AtomicU64,
    misses: AtomicU64,
    rate_limited: AtomicU64,
}

impl std::fmt::Debug for ChainCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChainCache")
            .field("config", &self.config)
            .field("entries", &self.len())
            .field("stats", &self.stats())
            .finish()
    }
}

fn nanos(t: SystemTime) -> i128 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_nanos() as i128,
        Err(e) => -(e.duration().as_nanos() as i128),
    }
}

impl ChainCache {
    /// A cache with the default settings in front of `source`.
    pub fn new(source: Arc<dyn ChainSource>) -> ChainCache {
        ChainCache::with_config(source, ChainCacheConfig::default())
    }

    /// A cache with the given settings in front of `source`.
    pub fn with_config(source: Arc<dyn ChainSource>, config: ChainCacheConfig) -> ChainCache {
        let limiter = Arc::new(TokenBucket::new(
            config.downloads_per_minute,
            config.download_burst,
        ));
        ChainCache::with_limiter(source, config, limiter)
    }

    /// A cache whose downloads of never-validated URLs are limited by `limiter` instead of
    /// its own token bucket (`downloads_per_minute` and `download_burst` of `config` are
    /// then unused). The reserve for URLs that validated before stays in-process.
    pub fn with_limiter(
        source: Arc<dyn ChainSource>,
        config: ChainCacheConfig,
        limiter: Arc<dyn DownloadLimiter>,
    ) -> ChainCache {
        let reserve = TokenBucket::new(
            config.known_good_downloads_per_minute,
            config.known_good_download_burst,
        );
        ChainCache {
            source,
            config,
            limiter,
            reserve,
            state: Arc::new(Mutex::new(State::default())),
            watch: Arc::new(ChainWatch::new()),
            downloads: AtomicU64::new(0),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            rate_limited: AtomicU64::new(0),
        }
    }

    /// Number of entries: validated chains, remembered failures and downloads in flight.
    pub fn len(&self) -> usize {
        let state = self.lock();
        state.ready.len() + state.failed.len() + state.pending.len()
    }

    /// Whether the cache holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of validated chains held.
    pub fn validated_len(&self) -> usize {
        self.lock().ready.len()
    }

    /// Number of remembered failures (expired ones included until they are replaced).
    pub fn failures_len(&self) -> usize {
        self.lock().failed.len()
    }

    /// How many fetches the cache has started (network or static) since it was created.
    pub fn downloads(&self) -> u64 {
        self.downloads.load(Ordering::Relaxed)
    }

    /// Lookups answered from a validated chain in the cache.
    pub fn hits(&self) -> u64 {
        self.hits.load(Ordering::Relaxed)
    }

    /// Lookups that were not hits (download started or joined, remembered failure, budget
    /// exhausted).
    pub fn misses(&self) -> u64 {
        self.misses.load(Ordering::Relaxed)
    }

    /// All counters at once.
    pub fn stats(&self) -> ChainCacheStats {
        ChainCacheStats {
            hits: self.hits(),
            misses: self.misses(),
            downloads: self.downloads(),
            rate_limited: self.rate_limited.load(Ordering::Relaxed),
        }
    }

    /// The chain watch: issuer, key and expiry of the chain last validated per URL.
    pub fn watch(&self) -> &Arc<ChainWatch> {
        &self.watch
    }

    /// The settings.
    pub fn config(&self) -> &ChainCacheConfig {
        &self.config
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    /// The validated chain for `url` under `trust` at `now`: from the cache, from a download
    /// already in flight, or from a new download.
    pub async fn get(
        &self,
        trust: &Arc<TrustStore>,
        url: &CertChainUrl,
        now: SystemTime,
    ) -> Result<Arc<ValidatedChain>, VerifyError> {
        let now_nanos = nanos(now);
        let key: Key = (trust.id(), url.as_str().to_owned());
        // The lock is only taken in synchronous helpers, never across an await.
        let mut granted = false;
        let mut counted = false;
        let pending = loop {
            let lookup = self.lookup(&key, trust, url, now, now_nanos, granted);
            if !counted {
                counted = true;
                let counter = match lookup {
                    Lookup::Hit(_) => &self.hits,
                    _ => &self.misses,
                };
                counter.fetch_add(1, Ordering::Relaxed);
            }
            match lookup {
                Lookup::Hit(chain) => return Ok(chain),
                Lookup::Fail(error) => return Err(error),
                Lookup::Wait(pending) => break pending,
                Lookup::NeedToken { known_good } if !granted => {
                    // URLs that validated before use their reserve first; the general
                    // budget (which a flood of first-seen URLs may have spent) after.
                    granted = (known_good && self.reserve.take(now))
                        || self.limiter.try_acquire(now).await;
                    if !granted {
                        self.rate_limited.fetch_add(1, Ordering::Relaxed);
                        return Err(VerifyError::DownloadRateLimited);
                    }
                }
                // Unreachable: with a token granted, lookup starts the download.
                Lookup::NeedToken { .. } => return Err(VerifyError::DownloadRateLimited),
            }
        };
        let outcome = pending.clone().await;
        settle(
            &self.state,
            &self.config,
            &key,
            &pending,
            &outcome,
            now_nanos,
        );
        outcome
    }

    fn lookup(
        &self,
        key: &Key,
        trust: &Arc<TrustStore>,
        url: &CertChainUrl,
        now: SystemTime,
        now_nanos: i128,
        granted: bool,
    ) -> Lookup {
        let now_secs = i64::try_from(now_nanos.div_euclid(1_000_000_000)).unwrap_or(i64::MIN);
        let mut state = self.lock();
        state.tick += 1;
        let tick = state.tick;
        if let Some(ready) = state.ready.get_mut(key) {
            if ready.chain.check_dates(now_secs).is_ok() {
                ready.used = tick;
                return Lookup::Hit(Arc::clone(&ready.chain));
            }
            // Out of its dates at `now`: fetch again (Amazon renews at the same URL).
            state.ready.remove(key);
        }
        if let Some(failed) = state.failed.get(key) {
            if failed.since <= now_nanos && now_nanos < failed.until {
                return Lookup::Fail(match &failed.error {
                    VerifyError::Download(_) => VerifyError::DownloadRecentlyFailed,
                    other => other.clone(),
                });
            }
            state.failed.remove(key);
        }
        if let Some(pending) = state.pending.get(key) {
            return Lookup::Wait(pending.clone());
        }
        if self.source.is_remote(url) && !granted {
            return Lookup::NeedToken {
                known_good: state.known_good.contains_key(key),
            };
        }
        let pending = self.start(trust, url, now);
        // In-flight downloads are bounded by the budgets (network) or finish at once
        // (static); the bound here only keeps a table of abandoned ones finite.
        if state.pending.len() < self.config.max_entries.max(1) {
            state.pending.insert(key.clone(), pending.clone());
        }
        Lookup::Wait(pending)
    }

    fn start(&self, trust: &Arc<TrustStore>, url: &CertChainUrl, now: SystemTime) -> Pending {
        self.downloads.fetch_add(1, Ordering::Relaxed);
        let source = Arc::clone(&self.source);
        let trust = Arc::clone(trust);
        let url = url.clone();
        let watch = Arc::clone(&self.watch);
        let unix = UnixTime::since_unix_epoch(now.duration_since(UNIX_EPOCH).unwrap_or_default());
        async move {
            let pem = source.fetch(&url).await.map_err(VerifyError::Download)?;
            let certs = parse_pem(&pem)?;
            let chain = ValidatedChain::validate(&certs, &trust, unix)?;
            let secs = i64::try_from(unix.as_secs()).unwrap_or(i64::MAX);
            watch.observe(url.as_str(), chain.identity(), secs);
            Ok(Arc::new(chain))
        }
        .boxed()
        .shared()
    }
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Removes the least recently used entry of `map` (by the tick `used` returns).
fn evict_lru<V>(map: &mut HashMap<Key, V>, used: impl Fn(&V) -> u64) {
    let victim = map
        .iter()
        .min_by_key(|(_, v)| used(v))
        .map(|(key, _)| key.clone());
    if let Some(key) = victim {
        map.remove(&key);
    }
}

/// Replaces the in-flight entry with its outcome (only if it is still the same download, or
/// if the download was never registered because the in-flight table was full).
fn settle(
    state: &Mutex<State>,
    config: &ChainCacheConfig,
    key: &Key,
    pending: &Pending,
    outcome: &Outcome,
    now_nanos: i128,
) {
    let mut state = lock(state);
    match state.pending.get(key) {
        Some(p) if p.ptr_eq(pending) => {
            state.pending.remove(key);
        }
        // Another download for this key is registered: it will settle.
        Some(_) => return,
        None => {}
    }
    state.tick += 1;
    let tick = state.tick;
    match outcome {
        Ok(chain) => {
            if config.max_entries == 0 {
                return;
            }
            state.failed.remove(key);
            if !state.ready.contains_key(key) {
                while state.ready.len() >= config.max_entries {
                    evict_lru(&mut state.ready, |r| r.used);
                }
            }
            state.ready.insert(
                key.clone(),
                Ready {
                    chain: Arc::clone(chain),
                    used: tick,
                },
            );
            if !state.known_good.contains_key(key) {
                while state.known_good.len() >= config.max_entries {
                    evict_lru(&mut state.known_good, |t| *t);
                }
            }
            state.known_good.insert(key.clone(), tick);
        }
        Err(error) => {
            if config.max_failures == 0 || state.ready.contains_key(key) {
                return;
            }
            if !state.failed.contains_key(key) {
                while state.failed.len() >= config.max_failures {
                    // Oldest failure first (never a validated chain: another table).
                    let victim = state
                        .failed
                        .iter()
                        .min_by_key(|(_, f)| f.since)
                        .map(|(k, _)| k.clone());
                    match victim {
                        Some(k) => {
                            state.failed.remove(&k);
                        }
                        None => break,
                    }
                }
            }
            state.failed.insert(
                key.clone(),
                Failed {
                    error: error.clone(),
                    since: now_nanos,
                    until: now_nanos.saturating_add(config.failure_ttl.as_nanos() as i128),
                },
            );
        }
    }
}
