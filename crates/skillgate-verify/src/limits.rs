//! Every number the verifier enforces by default, `pub` so the crates built on it (server,
//! CLI, stores) re-export them instead of re-typing them.

use std::time::Duration;

pub use crate::cert_url::CERT_URL_MAX_LEN;
pub use crate::chain::MAX_CHAIN_CERTS;
pub use crate::json_rules::MAX_DEPTH as MAX_JSON_DEPTH;
pub use crate::replay::{DEFAULT_REPLAY_ENTRIES, REPLAY_MARGIN};
pub use crate::timestamp::{DEFAULT_TOLERANCE as TIMESTAMP_TOLERANCE, SKILL_EVENT_TOLERANCE};

/// Longest accepted `request.requestId`, in bytes. Alexa's are about 70
/// (`amzn1.echo-api.request.` and a UUID); the replay cache stores each id it accepts, so
/// the limit bounds its memory per entry (issue 15: a 100 KB id was stored).
pub const MAX_REQUEST_ID_LEN: usize = 256;

/// Most validated chains the cache holds (Alexa uses one URL at a time).
pub const CACHE_MAX_ENTRIES: usize = 64;
/// Most remembered download or validation failures (a separate, smaller table: failures
/// never evict a validated chain).
pub const CACHE_MAX_FAILURES: usize = 32;
/// How long a failed download or invalid chain is remembered.
pub const CACHE_FAILURE_TTL: Duration = Duration::from_secs(30);
/// Sustained chain downloads per minute for URLs that never validated.
pub const DOWNLOADS_PER_MINUTE: u32 = 10;
/// Downloads in a burst for URLs that never validated.
pub const DOWNLOAD_BURST: u32 = 5;
/// Sustained downloads per minute reserved for URLs that validated before (a renewed or
/// evicted chain), which a flood of first-seen URLs cannot take.
pub const KNOWN_GOOD_DOWNLOADS_PER_MINUTE: u32 = 6;
/// Downloads in a burst reserved for URLs that validated before.
pub const KNOWN_GOOD_DOWNLOAD_BURST: u32 = 3;

/// TCP + TLS connect timeout of a chain download.
pub const DOWNLOAD_CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// Whole-download timeout, body included (Alexa waits 8 s for the answer).
pub const DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(4);
/// Largest accepted chain in bytes (Amazon's are about 4 KiB).
pub const MAX_CHAIN_BYTES: usize = 64 * 1024;
