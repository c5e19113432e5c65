//! The chain-download rate limit: a [`DownloadLimiter`] decides whether one more network
//! download may start now.
//!
//! [`TokenBucket`] (the default) limits one process; skillgate-store's Redis limiter lets
//! several instances share one budget. A limiter answers at once (no queueing): when the
//! budget is spent the request fails with
//! [`VerifyError::DownloadRateLimited`](crate::VerifyError::DownloadRateLimited).

use std::sync::{Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use futures_util::future::{self, BoxFuture};

/// Decides whether a chain download may start at `now`.
pub trait DownloadLimiter: Send + Sync + std::fmt::Debug {
    /// Takes one download from the budget; false when the budget is spent.
    fn try_acquire(&self, now: SystemTime) -> BoxFuture<'_, bool>;
}

struct Bucket {
    tokens: f64,
    refilled_at: i128,
}

/// An in-process token bucket: `per_minute` sustained, `burst` at once. Time is the `now`
/// passed in (a clock going backwards refills nothing).
pub struct TokenBucket {
    per_minute: u32,
    burst: u32,
    state: Mutex<Bucket>,
}

impl std::fmt::Debug for TokenBucket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenBucket")
            .field("per_minute", &self.per_minute)
            .field("burst", &self.burst)
            .finish_non_exhaustive()
    }
}

fn nanos(t: SystemTime) -> i128 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_nanos() as i128,
        Err(e) => -(e.duration().as_nanos() as i128),
    }
}

impl TokenBucket {
    /// A full bucket.
    pub fn new(per_minute: u32, burst: u32) -> TokenBucket {
        TokenBucket {
            per_minute,
            burst,
            state: Mutex::new(Bucket {
                tokens: f64::from(burst),
                refilled_at: i128::MIN,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Bucket> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The synchronous core of [`DownloadLimiter::try_acquire`].
    pub fn take(&self, now: SystemTime) -> bool {
        let now = nanos(now);
        let burst = f64::from(self.burst);
        let mut state = self.lock();
        if state.refilled_at == i128::MIN || now < state.refilled_at {
            state.refilled_at = now;
        } else {
            let elapsed = (now - state.refilled_at) as f64 / 1e9;
            let rate = f64::from(self.per_minute) / 60.0;
            state.tokens = (state.tokens + elapsed * rate).min(burst);
            state.refilled_at = now;
        }
        if state.tokens >= 1.0 {
            state.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

impl DownloadLimiter for TokenBucket {
    fn try_acquire(&self, now: SystemTime) -> BoxFuture<'_, bool> {
        Box::pin(future::ready(self.take(now)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn burst_then_refill_at_the_rate() {
        let b = TokenBucket::new(60, 2);
        let t0 = UNIX_EPOCH + Duration::from_secs(1000);
        assert!(b.take(t0));
        assert!(b.take(t0));
        assert!(!b.take(t0));
        assert!(!b.take(t0 + Duration::from_millis(500)));
        assert!(b.take(t0 + Duration::from_millis(1000)));
        assert!(!b.take(t0 + Duration::from_millis(1000)));
        // Never above the burst, however long the pause.
        let later = t0 + Duration::from_secs(3600);
        assert!(b.take(later) && b.take(later) && !b.take(later));
    }

    #[test]
    fn zero_budget_refuses() {
        let b = TokenBucket::new(0, 0);
        assert!(!b.take(UNIX_EPOCH));
    }
}
