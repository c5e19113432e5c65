//! The async entry point (feature `fetch`): [`Verifier::verify`] reads the headers, gets the
//! chain from the [`ChainCache`] (download, single flight, budgets), runs the rest of the
//! checks in the synchronous [`Checker`], then the replay guard. The order of the checks is
//! the [`Checker`]'s, written once.

use std::sync::Arc;
use std::time::SystemTime;

use http::HeaderMap;

use crate::cache::ChainCache;
use crate::checker::{Checker, VerifiedRequest, VerifierConfig};
use crate::error::{ConfigError, VerifyError};
use crate::fetch::ChainSource;
use crate::replay::Seen;

/// Verifies Alexa requests, downloading and caching chains. `Send + Sync`; share it in an
/// `Arc`.
#[derive(Debug)]
pub struct Verifier {
    checker: Checker,
    cache: Arc<ChainCache>,
}

impl Verifier {
    /// A verifier with its own [`ChainCache`] (sized by `config.cache`) in front of `source`.
    pub fn new(
        config: VerifierConfig,
        source: Arc<dyn ChainSource>,
    ) -> Result<Verifier, ConfigError> {
        let cache = Arc::new(ChainCache::with_config(source, config.cache.clone()));
        Verifier::with_cache(config, cache)
    }

    /// A verifier sharing `cache` (and its source) with others, e.g. one per skill path.
    pub fn with_cache(
        config: VerifierConfig,
        cache: Arc<ChainCache>,
    ) -> Result<Verifier, ConfigError> {
        Ok(Verifier {
            checker: Checker::new(config)?,
            cache,
        })
    }

    /// The cache this verifier uses.
    pub fn cache(&self) -> &Arc<ChainCache> {
        &self.cache
    }

    /// The configuration.
    pub fn config(&self) -> &VerifierConfig {
        self.checker.config()
    }

    /// The synchronous checks this verifier runs.
    pub fn checker(&self) -> &Checker {
        &self.checker
    }

    /// Verifies one request: `headers` as received, `body` the exact raw bytes, `now` the
    /// current time (the clock is injected). Runs the steps of
    /// [`Check::ALL`](crate::Check::ALL) in order and stops at the first failure.
    pub async fn verify(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: SystemTime,
    ) -> Result<VerifiedRequest, VerifyError> {
        let signed = self.checker.read_headers(headers)?;
        // Download, parse, dates, trust, key usage, SAN (or a cache hit, dates re-checked).
        let chain = self
            .cache
            .get(self.checker.trust(), &signed.cert_url, now)
            .await?;
        let verified = self.checker.check_body(signed, &chain, body, now)?;
        // Replay: only now, so that only genuine requests are recorded.
        if let Some(guard) = &self.checker.config().replay {
            match guard
                .check_and_record(&verified.request_id, now, verified.replay_expires_at())
                .await
            {
                Ok(Seen::Fresh) => {}
                Ok(Seen::Replayed) => return Err(VerifyError::Replayed),
                Err(error) => return Err(VerifyError::ReplayStoreUnavailable(error)),
            }
        }
        Ok(verified)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fetch::StaticChainSource;

    #[test]
    fn verifier_and_its_future_are_send_and_sync() {
        fn send_sync<T: Send + Sync>(_: &T) {}
        fn send<T: Send>(_: &T) {}
        let source: Arc<dyn ChainSource> = Arc::new(StaticChainSource::new());
        let v = Verifier::new(VerifierConfig::any_skill(), source).unwrap();
        send_sync(&v);
        let headers = HeaderMap::new();
        let fut = v.verify(&headers, b"", SystemTime::UNIX_EPOCH);
        send(&fut);
    }
}
