//! [`ChainCacheConfig`]: the chain cache's sizes and download budgets (defaults in
//! [`crate::limits`]).

use std::time::Duration;

use crate::limits;

/// Cache sizing and download limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainCacheConfig {
    /// Most validated chains held (default [`limits::CACHE_MAX_ENTRIES`]); beyond it the
    /// least recently used validated chain goes. Also bounds the memory of URLs that
    /// validated before.
    pub max_entries: usize,
    /// Most remembered failures (default [`limits::CACHE_MAX_FAILURES`]), in their own
    /// table: a failure never evicts a validated chain.
    pub max_failures: usize,
    /// How long a failed download or invalid chain is remembered (default 30 s).
    pub failure_ttl: Duration,
    /// Sustained network downloads per minute for URLs that never validated (default 10).
    pub downloads_per_minute: u32,
    /// Downloads allowed in a burst for URLs that never validated (default 5).
    pub download_burst: u32,
    /// Sustained downloads per minute reserved for URLs that validated before (default 6);
    /// when this reserve is empty they may still use the budget above.
    pub known_good_downloads_per_minute: u32,
    /// Burst of the reserve for URLs that validated before (default 3).
    pub known_good_download_burst: u32,
}

impl Default for ChainCacheConfig {
    fn default() -> Self {
        ChainCacheConfig {
            max_entries: limits::CACHE_MAX_ENTRIES,
            max_failures: limits::CACHE_MAX_FAILURES,
            failure_ttl: limits::CACHE_FAILURE_TTL,
            downloads_per_minute: limits::DOWNLOADS_PER_MINUTE,
            download_burst: limits::DOWNLOAD_BURST,
            known_good_downloads_per_minute: limits::KNOWN_GOOD_DOWNLOADS_PER_MINUTE,
            known_good_download_burst: limits::KNOWN_GOOD_DOWNLOAD_BURST,
        }
    }
}
