//! The metrics the gate records, through the [`metrics`] facade: nothing is recorded unless
//! the application installed a recorder (skillgate-server's binary installs a Prometheus one).

/// Requests refused before any skill code, by reason ([`crate::Rejection::reason`]).
pub const VERIFICATION_FAILURES: &str = "skillgate_verification_failures_total";
/// Signing-chain lookups by result: `hit` (served from the cache), `miss` (not cached),
/// `download` (a download was started).
pub const CHAIN_CACHE: &str = "skillgate_chain_cache_total";

/// The values of the `result` label of [`CHAIN_CACHE`].
pub const CHAIN_CACHE_RESULTS: [&str; 3] = ["hit", "miss", "download"];

/// Describes the gate's metrics and registers their series at zero, so an exporter lists
/// them before the first request.
pub fn describe() {
    ::metrics::describe_counter!(
        VERIFICATION_FAILURES,
        "Requests refused before any skill code, by reason."
    );
    ::metrics::describe_counter!(CHAIN_CACHE, "Signing-chain lookups by result.");
    for result in CHAIN_CACHE_RESULTS {
        ::metrics::counter!(CHAIN_CACHE, "result" => result).increment(0);
    }
}

/// Counts one refusal before skill code.
pub fn verification_failure(reason: &'static str) {
    ::metrics::counter!(VERIFICATION_FAILURES, "reason" => reason).increment(1);
}

/// Publishes the chain cache's own counters (exact under concurrency: the cache counts
/// each lookup itself). Call it before rendering metrics; `skillgate-server` does on every
/// scrape of `/metrics`.
pub fn record_chain_cache(cache: &skillgate_verify::ChainCache) {
    let stats = cache.stats();
    ::metrics::counter!(CHAIN_CACHE, "result" => "hit").absolute(stats.hits);
    ::metrics::counter!(CHAIN_CACHE, "result" => "miss").absolute(stats.misses);
    ::metrics::counter!(CHAIN_CACHE, "result" => "download").absolute(stats.downloads);
}
