//! The metrics the gate records, through the [`metrics`] facade: nothing is recorded unless
//! the application installed a recorder (skillgate-server's binary installs a Prometheus one).

/// Requests refused before any skill code, by reason ([`crate::Rejection::reason`]).
pub const VERIFICATION_FAILURES: &str = "skillgate_verification_failures_total";
/// Signing-chain lookups by result: `hit` (served from the cache), `miss` (not cached),
/// `download` (a download was started).
pub const CHAIN_CACHE: &str = "skillgate_chain_cache_total";

/// Seconds until the earliest notAfter of the signing chain last validated per chain URL
/// (gauge, labels `url` and `issuer`; negative once expired).
pub const SIGNING_CHAIN_EXPIRY: &str = "skillgate_signing_chain_expiry_seconds";

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
    ::metrics::describe_gauge!(
        SIGNING_CHAIN_EXPIRY,
        ::metrics::Unit::Seconds,
        "Seconds until the signing chain in use for a chain URL expires (earliest notAfter)."
    );
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

/// Publishes the chain watch of `cache` as [`SIGNING_CHAIN_EXPIRY`] at `now`: one series per
/// chain URL and issuer. Computed from data kept at download time; call it before rendering
/// metrics (`skillgate-server` does on every scrape of `/metrics`).
///
/// When a URL's issuer changed, the series of the previous issuer reads NaN from then on (a
/// recorder cannot drop a series), so an alert such as `< 14 * 86400` stops firing for the
/// chain that was replaced.
pub fn record_chain_watch(cache: &skillgate_verify::ChainCache, now: std::time::SystemTime) {
    let now = match now.duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(_) => 0,
    };
    for watched in cache.watch().snapshot() {
        if let Some(previous) = watched
            .previous
            .as_ref()
            .filter(|p| p.issuer != watched.identity.issuer)
        {
            ::metrics::gauge!(
                SIGNING_CHAIN_EXPIRY,
                "url" => watched.url.clone(),
                "issuer" => previous.issuer.clone()
            )
            .set(f64::NAN);
        }
        let left = watched.identity.not_after.saturating_sub(now);
        ::metrics::gauge!(
            SIGNING_CHAIN_EXPIRY,
            "url" => watched.url,
            "issuer" => watched.identity.issuer
        )
        .set(left as f64);
    }
}
