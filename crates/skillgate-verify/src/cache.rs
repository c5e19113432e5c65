//! The chain cache: validated chains by normalized URL, single-flight downloads, a memory of
//! recent failures, and a download rate limit.
//!
//! - Keyed by (trust store, normalized URL): verifiers with different extra anchors never
//!   share a validation.
//! - Stores the parsed, validated chain (the signing key already parsed); an entry is used
//!   only while `now` is within the dates of every certificate of its path, otherwise it is
//!   dropped and fetched again.
//! - Bounded: at most `max_entries`; the least recently used entry is evicted.
//! - Concurrent misses for one key share one download and validation.
//! - A failed download or an invalid chain is remembered for `failure_ttl`: requests naming
//!   that URL fail fast without a new download.
//! - Network downloads take a token from a [`DownloadLimiter`]: by default an in-process
//!   [`TokenBucket`] (`downloads_per_minute`, `download_burst`); [`ChainCache::with_limiter`]
//!   takes another one (e.g. a budget shared through Redis). When it is empty the request fails at once with
//!   [`VerifyError::DownloadRateLimited`] rather than queueing. A flood of forged but
//!   well-formed URLs therefore costs at most that many requests to S3.
//! - A failed download never touches another URL's (still valid) entry.
//!
//! Time is the `now` passed to each call (the verifier's injected clock), so tests drive it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures_util::FutureExt as _;
use futures_util::future::{BoxFuture, Shared};
use rustls_pki_types::UnixTime;

use crate::cert_url::CertChainUrl;
use crate::chain::parse_pem;
use crate::error::VerifyError;
use crate::fetch::ChainSource;
use crate::rate_limit::{DownloadLimiter, TokenBucket};
use crate::trust::{TrustStore, ValidatedChain};

/// Cache sizing and download limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainCacheConfig {
    /// Most cached URLs (default 64; Alexa uses one URL at a time).
    pub max_entries: usize,
    /// How long a failed download or invalid chain is remembered (default 30 s).
    pub failure_ttl: Duration,
    /// Sustained network downloads per minute (default 10).
    pub downloads_per_minute: u32,
    /// Downloads allowed in a burst (default 5).
    pub download_burst: u32,
}

impl Default for ChainCacheConfig {
    fn default() -> Self {
        ChainCacheConfig {
            max_entries: 64,
            failure_ttl: Duration::from_secs(30),
            downloads_per_minute: 10,
            download_burst: 5,
        }
    }
}

type Key = ([u8; 32], String);
type Outcome = Result<Arc<ValidatedChain>, VerifyError>;
type Pending = Shared<BoxFuture<'static, Outcome>>;

enum Slot {
    Ready {
        chain: Arc<ValidatedChain>,
        used: u64,
    },
    Failed {
        error: VerifyError,
        since: i128,
        until: i128,
        used: u64,
    },
    Pending(Pending),
}

enum Lookup {
    Hit(Arc<ValidatedChain>),
    Fail(VerifyError),
    Wait(Pending),
    /// A network download is needed: take a token first, then look again.
    NeedToken,
}

struct State {
    slots: HashMap<Key, Slot>,
    tick: u64,
}

/// A chain cache shared by every verifier of a server (see the module docs).
pub struct ChainCache {
    source: Arc<dyn ChainSource>,
    config: ChainCacheConfig,
    limiter: Arc<dyn DownloadLimiter>,
    state: Arc<Mutex<State>>,
    downloads: AtomicU64,
}

impl std::fmt::Debug for ChainCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChainCache")
            .field("config", &self.config)
            .field("entries", &self.len())
            .field("downloads", &self.downloads())
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

    /// A cache whose network downloads are limited by `limiter` instead of its own token
    /// bucket (`downloads_per_minute` and `download_burst` of `config` are then unused).
    pub fn with_limiter(
        source: Arc<dyn ChainSource>,
        config: ChainCacheConfig,
        limiter: Arc<dyn DownloadLimiter>,
    ) -> ChainCache {
        ChainCache {
            source,
            config,
            limiter,
            state: Arc::new(Mutex::new(State {
                slots: HashMap::new(),
                tick: 0,
            })),
            downloads: AtomicU64::new(0),
        }
    }

    /// Number of cached entries (validated chains, remembered failures, downloads in flight).
    pub fn len(&self) -> usize {
        self.lock().slots.len()
    }

    /// Whether the cache holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many fetches the cache has started (network or static) since it was created.
    pub fn downloads(&self) -> u64 {
        self.downloads.load(Ordering::Relaxed)
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The validated chain for `url` under `trust` at `now`: from the cache, from a download
    /// already in flight, or from a new download.
    pub(crate) async fn get(
        &self,
        trust: &Arc<TrustStore>,
        url: &CertChainUrl,
        now: SystemTime,
    ) -> Result<Arc<ValidatedChain>, VerifyError> {
        let now_nanos = nanos(now);
        let key: Key = (trust.id(), url.as_str().to_owned());
        // The lock is only taken in synchronous helpers, never across an await.
        let mut granted = false;
        let pending = loop {
            match self.lookup(&key, trust, url, now, now_nanos, granted) {
                Lookup::Hit(chain) => return Ok(chain),
                Lookup::Fail(error) => return Err(error),
                Lookup::Wait(pending) => break pending,
                Lookup::NeedToken if !granted => {
                    if !self.limiter.try_acquire(now).await {
                        return Err(VerifyError::DownloadRateLimited);
                    }
                    granted = true;
                }
                // Unreachable: with a token granted, lookup starts the download.
                Lookup::NeedToken => return Err(VerifyError::DownloadRateLimited),
            }
        };
        let outcome = pending.clone().await;
        settle(
            &self.state,
            self.config.failure_ttl,
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
        match state.slots.get_mut(key) {
            Some(Slot::Ready { chain, used }) if chain.check_dates(now_secs).is_ok() => {
                *used = tick;
                return Lookup::Hit(Arc::clone(chain));
            }
            Some(Slot::Failed {
                error,
                since,
                until,
                used,
            }) if *since <= now_nanos && now_nanos < *until => {
                *used = tick;
                return Lookup::Fail(match error {
                    VerifyError::Download(_) => VerifyError::DownloadRecentlyFailed,
                    other => other.clone(),
                });
            }
            Some(Slot::Pending(pending)) => return Lookup::Wait(pending.clone()),
            _ => {}
        }
        // Absent, or present but unusable at `now` (out of its dates, failure forgotten).
        state.slots.remove(key);
        if self.source.is_remote(url) && !granted {
            return Lookup::NeedToken;
        }
        let pending = self.start(trust, url, now);
        if self.make_room(&mut state) {
            state
                .slots
                .insert(key.clone(), Slot::Pending(pending.clone()));
        }
        Lookup::Wait(pending)
    }

    fn start(&self, trust: &Arc<TrustStore>, url: &CertChainUrl, now: SystemTime) -> Pending {
        self.downloads.fetch_add(1, Ordering::Relaxed);
        let source = Arc::clone(&self.source);
        let trust = Arc::clone(trust);
        let url = url.clone();
        let unix = UnixTime::since_unix_epoch(now.duration_since(UNIX_EPOCH).unwrap_or_default());
        async move {
            let pem = source.fetch(&url).await.map_err(VerifyError::Download)?;
            let certs = parse_pem(&pem)?;
            let chain = ValidatedChain::validate(&certs, &trust, unix)?;
            Ok(Arc::new(chain))
        }
        .boxed()
        .shared()
    }

    /// Evicts the least recently used settled entry if the cache is full. Returns false if
    /// nothing could be evicted (every slot is a download in flight).
    fn make_room(&self, state: &mut State) -> bool {
        if self.config.max_entries == 0 {
            return false;
        }
        while state.slots.len() >= self.config.max_entries {
            let victim = state
                .slots
                .iter()
                .filter_map(|(key, slot)| match slot {
                    Slot::Ready { used, .. } | Slot::Failed { used, .. } => Some((*used, key)),
                    Slot::Pending(_) => None,
                })
                .min_by_key(|(used, _)| *used)
                .map(|(_, key)| key.clone());
            match victim {
                Some(key) => {
                    state.slots.remove(&key);
                }
                None => return false,
            }
        }
        true
    }
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Replaces the in-flight slot with its outcome (only if it is still the same download).
fn settle(
    state: &Mutex<State>,
    failure_ttl: Duration,
    key: &Key,
    pending: &Pending,
    outcome: &Outcome,
    now_nanos: i128,
) {
    let mut state = lock(state);
    let ours = matches!(state.slots.get(key), Some(Slot::Pending(p)) if p.ptr_eq(pending));
    if !ours {
        return;
    }
    state.tick += 1;
    let used = state.tick;
    let slot = match outcome {
        Ok(chain) => Slot::Ready {
            chain: Arc::clone(chain),
            used,
        },
        Err(error) => Slot::Failed {
            error: error.clone(),
            since: now_nanos,
            until: now_nanos.saturating_add(failure_ttl.as_nanos() as i128),
            used,
        },
    };
    state.slots.insert(key.clone(), slot);
}
