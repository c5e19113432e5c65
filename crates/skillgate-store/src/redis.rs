//! Redis: one hash per record, compare-and-set in a Lua script.

use std::future::Future;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ::redis::Script;
use ::redis::aio::{ConnectionManager, ConnectionManagerConfig};
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use serde_json::Value;
use skillgate::{AttributesKey, AttributesStore, StoreError, Stored, Version};

use crate::error::OpenError;
use crate::record::{backend, backend_msg, from_json, to_json};

/// Prefix of every record key.
pub(crate) const KEY_PREFIX: &str = "skillgate:attributes:";
/// The counter the store-wide versions come from.
pub(crate) const VERSION_KEY: &str = "skillgate:attributes-version";

/// Characters escaped in key parts: `:` separates parts, `%` starts an escape.
const KEY_PART: &AsciiSet = &CONTROLS.add(b':').add(b'%').add(b' ');

/// KEYS[1] record, KEYS[2] version counter; ARGV[1] expected version ('' = absent),
/// ARGV[2] JSON value, ARGV[3] update time (Unix ms). Returns {1, new} or {0, found}.
const SAVE: &str = r"
local found = redis.call('HGET', KEYS[1], 'version')
if not found then found = '' end
if found ~= ARGV[1] then return {0, found} end
local version = string.format('%d', redis.call('INCR', KEYS[2]))
redis.call('HSET', KEYS[1], 'value', ARGV[2], 'version', version, 'updated_at', ARGV[3])
return {1, version}
";

/// KEYS[1] record; ARGV[1] expected version ('' = absent). Returns {1, ''} or {0, found}.
const DELETE: &str = r"
local found = redis.call('HGET', KEYS[1], 'version')
if not found then found = '' end
if found ~= ARGV[1] then return {0, found} end
if found ~= '' then redis.call('DEL', KEYS[1]) end
return {1, ''}
";

/// The Redis key of a record: `skillgate:attributes:<skill>:<user>[:<device>]`, each part
/// percent-encoded where it holds `:`, `%`, a space or a control character (Alexa's ids
/// hold none, so they appear as given).
pub(crate) fn record_key(key: &AttributesKey) -> String {
    let mut out = String::from(KEY_PREFIX);
    out.extend(utf8_percent_encode(&key.skill_id, KEY_PART));
    out.push(':');
    out.extend(utf8_percent_encode(&key.user_id, KEY_PART));
    if let Some(device) = key.device_id.as_deref().filter(|d| !d.is_empty()) {
        out.push(':');
        out.extend(utf8_percent_encode(device, KEY_PART));
    }
    out
}

/// Attributes in Redis: one hash per record (`value`: the JSON text, `version`,
/// `updated_at`), written only by Lua scripts that compare the version and write in one
/// atomic step. Versions come from the counter `skillgate:attributes-version`, so the
/// scripts touch two keys: use a single Redis server (or a primary with replicas), not
/// Redis Cluster.
#[derive(Clone)]
pub struct RedisStore {
    conn: ConnectionManager,
    save: Script,
    delete: Script,
    timeout: Duration,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl RedisStore {
    /// Connects to the server at `url` (`redis://[:password@]host[:port][/db]` or
    /// `redis+unix:///path`) and checks it answers. Every operation, connecting included,
    /// fails after `timeout`; the connection is re-established after an error.
    pub async fn connect(url: &str, timeout: Duration) -> Result<Self, OpenError> {
        let client = ::redis::Client::open(url)
            .map_err(|e| OpenError::InvalidUrl(format!("redis: {:?}", e.kind())))?;
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
        let conn = match connected {
            Ok(Ok(conn)) => conn,
            Ok(Err(e)) => return Err(OpenError::Redis(Box::new(e))),
            Err(_) => {
                return Err(OpenError::Timeout {
                    store: "redis",
                    after: timeout,
                });
            }
        };
        Ok(Self {
            conn,
            save: Script::new(SAVE),
            delete: Script::new(DELETE),
            timeout,
        })
    }

    /// Runs `op` within the store's time limit.
    async fn bounded<T>(
        &self,
        op: impl Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        tokio::time::timeout(self.timeout, op)
            .await
            .unwrap_or_else(|_| {
                Err(backend_msg(format!(
                    "Redis did not answer within {:?}",
                    self.timeout
                )))
            })
    }
}

fn encode(version: Option<Version>) -> String {
    version.map(|v| v.0.to_string()).unwrap_or_default()
}

fn decode(text: &str) -> Result<Option<Version>, StoreError> {
    if text.is_empty() {
        return Ok(None);
    }
    text.parse::<u64>()
        .map(|v| Some(Version(v)))
        .map_err(|_| backend_msg(format!("stored version {text:?} is not a number")))
}

fn now_ms() -> String {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0)
        .to_string()
}

#[skillgate::async_trait]
impl AttributesStore for RedisStore {
    async fn load(&self, key: &AttributesKey) -> Result<Option<Stored>, StoreError> {
        let mut conn = self.conn.clone();
        let record = record_key(key);
        self.bounded(async move {
            let (value, version): (Option<String>, Option<String>) = ::redis::cmd("HMGET")
                .arg(&record)
                .arg("value")
                .arg("version")
                .query_async(&mut conn)
                .await
                .map_err(backend)?;
            match (value, version) {
                (None, None) => Ok(None),
                (Some(value), Some(version)) => Ok(Some(Stored {
                    value: from_json(&value)?,
                    version: decode(&version)?
                        .ok_or_else(|| backend_msg("stored version is empty".into()))?,
                })),
                _ => Err(backend_msg(format!("record {record} is incomplete"))),
            }
        })
        .await
    }

    async fn save(
        &self,
        key: &AttributesKey,
        value: &Value,
        expected: Option<Version>,
    ) -> Result<Version, StoreError> {
        let mut conn = self.conn.clone();
        let text = to_json(value)?;
        let (ok, version): (i64, String) = self
            .bounded(async {
                self.save
                    .key(record_key(key))
                    .key(VERSION_KEY)
                    .arg(encode(expected))
                    .arg(text)
                    .arg(now_ms())
                    .invoke_async(&mut conn)
                    .await
                    .map_err(backend)
            })
            .await?;
        let version = decode(&version)?;
        match (ok, version) {
            (1, Some(version)) => Ok(version),
            (1, None) => Err(backend_msg("save script returned no version".into())),
            (_, found) => Err(StoreError::Conflict { expected, found }),
        }
    }

    async fn delete(
        &self,
        key: &AttributesKey,
        expected: Option<Version>,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn.clone();
        let (ok, found): (i64, String) = self
            .bounded(async {
                self.delete
                    .key(record_key(key))
                    .arg(encode(expected))
                    .invoke_async(&mut conn)
                    .await
                    .map_err(backend)
            })
            .await?;
        if ok == 1 {
            Ok(())
        } else {
            Err(StoreError::Conflict {
                expected,
                found: decode(&found)?,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_keep_alexa_ids_readable_and_are_unambiguous() {
        let key = AttributesKey::user("amzn1.ask.skill.1", "amzn1.ask.account.AB-c_d");
        assert_eq!(
            record_key(&key),
            "skillgate:attributes:amzn1.ask.skill.1:amzn1.ask.account.AB-c_d"
        );
        let dev = AttributesKey::device("s", "u", "amzn1.ask.device.X");
        assert_eq!(
            record_key(&dev),
            "skillgate:attributes:s:u:amzn1.ask.device.X"
        );
        // A colon inside a part cannot pass for a device part.
        let tricky = AttributesKey::user("s", "u:d");
        assert_eq!(record_key(&tricky), "skillgate:attributes:s:u%3Ad");
        assert_ne!(
            record_key(&tricky),
            record_key(&AttributesKey::device("s", "u", "d"))
        );
        assert_ne!(
            record_key(&AttributesKey::user("s", "u%3Ad")),
            record_key(&tricky)
        );
        // An empty device id is the user scope, as in the SQL stores.
        assert_eq!(
            record_key(&AttributesKey::device("s", "u", "")),
            record_key(&AttributesKey::user("s", "u"))
        );
    }

    #[test]
    fn versions_encode_and_decode() {
        assert_eq!(encode(None), "");
        assert_eq!(encode(Some(Version(42))), "42");
        assert_eq!(decode("").unwrap(), None);
        assert_eq!(decode("42").unwrap(), Some(Version(42)));
        assert!(decode("4x").is_err());
    }
}
