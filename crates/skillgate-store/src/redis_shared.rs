//! State shared by several skillgate instances through Redis: the replay cache
//! ([`RedisReplayGuard`]) and the chain-download budget ([`RedisDownloadLimiter`]).
//!
//! - Replay: `SET <prefix>replay:<request id> 1 NX PX <ms until expiry>`, one atomic step, so of
//!   two instances receiving the same request exactly one records it. When Redis does not
//!   answer within the timeout the guard returns an error and the verifier refuses the
//!   request (fail closed, `replay_store_unavailable`, answered 503).
//! - Download budget: a token bucket in one hash (`<prefix>chain-downloads`) updated by a Lua
//!   script, so N instances together start at most `per_minute` downloads a minute (plus the
//!   burst). When Redis does not answer, each instance falls back to its own in-process
//!   bucket with the same settings: downloads stay bounded per instance, verification goes on.

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ::redis::Script;
use ::redis::aio::{ConnectionManager, ConnectionManagerConfig};
use skillgate_verify::{DownloadLimiter, ReplayError, ReplayGuard, Seen, TokenBucket};

/// Default key prefix.
pub const DEFAULT_PREFIX: &str = "skillgate:";

/// Default time limit for one Redis operation (and for connecting).
pub const DEFAULT_SHARED_TIMEOUT: Duration = Duration::from_millis(500);

/// KEYS[1] bucket; ARGV[1] now (ms), ARGV[2] tokens per ms, ARGV[3] burst, ARGV[4] TTL (ms).
/// Returns 1 when a token was taken, else 0.
const TAKE: &str = r"
local now = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local b = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(b[1])
local at = tonumber(b[2])
if tokens == nil or at == nil then
  tokens = burst
  at = now
end
if now > at then
  tokens = math.min(burst, tokens + (now - at) * rate)
  at = now
end
local ok = 0
if tokens >= 1 then
  tokens = tokens - 1
  ok = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(at))
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return ok
";

/// Redis could not be reached or did not answer in time.
#[derive(Debug, thiserror::Error)]
pub enum SharedStateError {
    /// The URL is malformed.
    #[error("invalid shared-state Redis URL: {0}")]
    InvalidUrl(String),
    /// Redis answered with an error.
    #[error("cannot reach shared-state Redis: {0}")]
    Redis(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// Redis did not answer in time.
    #[error("shared-state Redis did not answer within {0:?}")]
    Timeout(Duration),
}

/// A connection to the Redis server holding the shared state. Cheap to clone.
#[derive(Clone)]
pub struct RedisShared {
    conn: ConnectionManager,
    timeout: Duration,
    prefix: String,
}

impl std::fmt::Debug for RedisShared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisShared")
            .field("timeout", &self.timeout)
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

impl RedisShared {
    /// Connects to `url` (`redis://[:password@]host[:port][/db]` or `redis+unix:///path`)
    /// and checks it answers. Every operation, connecting included, fails after `timeout`;
    /// the connection is re-established after an error. Keys start with [`DEFAULT_PREFIX`].
    pub async fn connect(url: &str, timeout: Duration) -> Result<Self, SharedStateError> {
        let client = ::redis::Client::open(url)
            .map_err(|e| SharedStateError::InvalidUrl(format!("{:?}", e.kind())))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(timeout))
            .set_response_timeout(Some(timeout))
            .set_number_of_retries(1)
            .set_max_delay(timeout);
        let connected = tokio::time::timeout(timeout, async {
            let mut conn = ConnectionManager::new_with_config(client, config).await?;
            let _: String = ::redis::cmd("PING").query_async(&mut conn).await?;
            Ok::<_, ::redis::RedisError>(conn)
        })
        .await;
        match connected {
            Ok(Ok(conn)) => Ok(Self {
                conn,
                timeout,
                prefix: DEFAULT_PREFIX.to_owned(),
            }),
            Ok(Err(e)) => Err(SharedStateError::Redis(Box::new(e))),
            Err(_) => Err(SharedStateError::Timeout(timeout)),
        }
    }

    /// Uses `prefix` in front of every key (several deployments in one Redis, tests).
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// The replay guard backed by this connection.
    pub fn replay_guard(&self) -> RedisReplayGuard {
        RedisReplayGuard {
            shared: self.clone(),
        }
    }

    /// A download limiter sharing one bucket (`per_minute` sustained, `burst` at once)
    /// between every instance using this Redis and prefix.
    pub fn download_limiter(&self, per_minute: u32, burst: u32) -> RedisDownloadLimiter {
        RedisDownloadLimiter {
            shared: self.clone(),
            script: Script::new(TAKE),
            per_minute,
            burst,
            fallback: TokenBucket::new(per_minute, burst),
        }
    }

    async fn bounded<T>(
        &self,
        op: impl Future<Output = Result<T, ::redis::RedisError>>,
    ) -> Result<T, String> {
        match tokio::time::timeout(self.timeout, op).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => Err(format!("Redis error: {:?}", e.kind())),
            Err(_) => Err(format!("Redis did not answer within {:?}", self.timeout)),
        }
    }
}

fn unix_ms(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// Replay cache in Redis (see the module docs).
#[derive(Debug, Clone)]
pub struct RedisReplayGuard {
    shared: RedisShared,
}

impl ReplayGuard for RedisReplayGuard {
    fn check_and_record<'a>(
        &'a self,
        request_id: &'a str,
        now: SystemTime,
        expires_at: SystemTime,
    ) -> Pin<Box<dyn Future<Output = Result<Seen, ReplayError>> + Send + 'a>> {
        Box::pin(async move {
            // Already past its window: nothing to record (the timestamp check refuses it).
            if expires_at <= now {
                return Ok(Seen::Fresh);
            }
            let key = format!("{}replay:{request_id}", self.shared.prefix);
            let ttl = expires_at
                .duration_since(now)
                .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1))
                .unwrap_or(1);
            let mut conn = self.shared.conn.clone();
            let set: Option<String> = self
                .shared
                .bounded(async move {
                    ::redis::cmd("SET")
                        .arg(&key)
                        .arg(1)
                        .arg("NX")
                        .arg("PX")
                        .arg(ttl)
                        .query_async(&mut conn)
                        .await
                })
                .await
                .map_err(ReplayError)?;
            Ok(if set.is_some() {
                Seen::Fresh
            } else {
                Seen::Replayed
            })
        })
    }
}

/// Chain-download budget shared through Redis (see the module docs).
pub struct RedisDownloadLimiter {
    shared: RedisShared,
    script: Script,
    per_minute: u32,
    burst: u32,
    fallback: TokenBucket,
}

impl std::fmt::Debug for RedisDownloadLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisDownloadLimiter")
            .field("per_minute", &self.per_minute)
            .field("burst", &self.burst)
            .finish_non_exhaustive()
    }
}

impl DownloadLimiter for RedisDownloadLimiter {
    fn try_acquire(&self, now: SystemTime) -> Pin<Box<dyn Future<Output = bool> + Send + '_>> {
        Box::pin(async move {
            let rate = f64::from(self.per_minute) / 60_000.0;
            // Idle long enough to refill the whole burst: the hash can go.
            let ttl = if self.per_minute == 0 {
                60_000
            } else {
                (u64::from(self.burst) * 60_000 / u64::from(self.per_minute)).max(1000)
            };
            let mut conn = self.shared.conn.clone();
            let taken: Result<i64, String> = self
                .shared
                .bounded(
                    self.script
                        .key(format!("{}chain-downloads", self.shared.prefix))
                        .arg(unix_ms(now))
                        .arg(format!("{rate:.12}"))
                        .arg(self.burst)
                        .arg(ttl)
                        .invoke_async(&mut conn),
                )
                .await;
            match taken {
                Ok(n) => n == 1,
                Err(error) => {
                    tracing::warn!(%error, "shared download budget unavailable; using this instance's own bucket");
                    self.fallback.take(now)
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_ms_is_total() {
        assert_eq!(unix_ms(UNIX_EPOCH), 0);
        assert_eq!(unix_ms(UNIX_EPOCH + Duration::from_millis(1500)), 1500);
        assert_eq!(unix_ms(UNIX_EPOCH - Duration::from_secs(1)), 0);
    }
}
