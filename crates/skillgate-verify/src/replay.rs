//! Replay protection: a request id that already passed verification is refused while its
//! timestamp could still be accepted.
//!
//! The verifier asks a [`ReplayGuard`] only after the signature, the timestamp and the
//! application id passed, so a forged request can never "burn" a genuine request id. The
//! entry lives until just past the end of the window in which the request's timestamp is
//! acceptable (`timestamp + tolerance + REPLAY_MARGIN`), using the tolerance that applied
//! (one hour for skill events); after that the timestamp check alone refuses the replay.
//!
//! [`InMemoryReplayGuard`] keeps the ids of one process; implementations backed by a shared
//! store (skillgate-store's Redis guard) let several instances refuse each other's replays.
//! The guard sees `now` from the verifier (the injected clock), never the wall clock.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use futures_util::future::{self, BoxFuture};

/// Slack added after the end of the acceptance window, for clock differences between
/// instances sharing one replay store.
pub const REPLAY_MARGIN: Duration = Duration::from_secs(30);

/// Default capacity of [`InMemoryReplayGuard`].
pub const DEFAULT_REPLAY_ENTRIES: usize = 100_000;

/// What a [`ReplayGuard`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    /// First time: the id is now recorded.
    Fresh,
    /// The id was recorded before and has not expired: a replay.
    Replayed,
}

/// The replay store could not answer (down, timed out).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("replay store unavailable: {0}")]
pub struct ReplayError(pub String);

/// Records request ids and reports the ones seen before. `check_and_record` must be atomic:
/// of two concurrent calls with one id, exactly one gets [`Seen::Fresh`].
pub trait ReplayGuard: Send + Sync + std::fmt::Debug {
    /// Records `request_id` until `expires_at`, or reports that it is already recorded and
    /// unexpired at `now`.
    fn check_and_record<'a>(
        &'a self,
        request_id: &'a str,
        now: SystemTime,
        expires_at: SystemTime,
    ) -> BoxFuture<'a, Result<Seen, ReplayError>>;
}

struct Entries {
    expiry: HashMap<String, SystemTime>,
    by_expiry: BTreeSet<(SystemTime, String)>,
}

/// The request ids of one process, bounded to `capacity` entries.
///
/// When full, expired entries go first; if every entry is still unexpired the entry that
/// expires soonest (the oldest request) is evicted, so a new genuine request is never
/// refused. That opens a small window: a request evicted early could be replayed until its
/// timestamp goes stale. Reaching it takes more than `capacity` verified requests within one
/// tolerance window (100 000 by default, i.e. over 650 requests per second sustained for
/// 150 s); an entry costs about 150 bytes for Alexa's ids, so the default stays under 20 MB.
/// The verifier refuses request ids over [`MAX_REQUEST_ID_LEN`](crate::MAX_REQUEST_ID_LEN)
/// (256) bytes before they get here, so even hostile ids that passed every other check cost
/// at most about 650 bytes each (the id is held twice, plus the tables' overhead).
pub struct InMemoryReplayGuard {
    capacity: usize,
    entries: Mutex<Entries>,
}

impl std::fmt::Debug for InMemoryReplayGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InMemoryReplayGuard")
            .field("capacity", &self.capacity)
            .field("entries", &self.len())
            .finish()
    }
}

impl Default for InMemoryReplayGuard {
    fn default() -> Self {
        InMemoryReplayGuard::new(DEFAULT_REPLAY_ENTRIES)
    }
}

impl InMemoryReplayGuard {
    /// A guard holding at most `capacity` ids (at least one).
    pub fn new(capacity: usize) -> InMemoryReplayGuard {
        InMemoryReplayGuard {
            capacity: capacity.max(1),
            entries: Mutex::new(Entries {
                expiry: HashMap::new(),
                by_expiry: BTreeSet::new(),
            }),
        }
    }

    /// Number of recorded ids (expired ones included until they are pruned).
    pub fn len(&self) -> usize {
        self.lock().expiry.len()
    }

    /// Whether no id is recorded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The most ids held.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The recorded ids with their expiries, soonest first (a copy; expired ids are pruned
    /// on each record, so right after one this is the live set). What a persistent journal
    /// rewrites its file from, so that it need not keep a second copy of the ids.
    pub fn entries(&self) -> Vec<(SystemTime, String)> {
        self.lock().by_expiry.iter().cloned().collect()
    }

    fn lock(&self) -> MutexGuard<'_, Entries> {
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The synchronous core of [`ReplayGuard::check_and_record`].
    pub fn check_and_record_now(
        &self,
        request_id: &str,
        now: SystemTime,
        expires_at: SystemTime,
    ) -> Seen {
        let mut entries = self.lock();
        if let Some(&expiry) = entries.expiry.get(request_id) {
            if now < expiry {
                return Seen::Replayed;
            }
            entries.by_expiry.remove(&(expiry, request_id.to_owned()));
            entries.expiry.remove(request_id);
        }
        // Expired entries first; then, if still full, the one expiring soonest.
        while let Some(first) = entries.by_expiry.first().cloned() {
            if first.0 > now && entries.expiry.len() < self.capacity {
                break;
            }
            entries.by_expiry.remove(&first);
            entries.expiry.remove(&first.1);
        }
        entries.expiry.insert(request_id.to_owned(), expires_at);
        entries
            .by_expiry
            .insert((expires_at, request_id.to_owned()));
        Seen::Fresh
    }
}

impl ReplayGuard for InMemoryReplayGuard {
    fn check_and_record<'a>(
        &'a self,
        request_id: &'a str,
        now: SystemTime,
        expires_at: SystemTime,
    ) -> BoxFuture<'a, Result<Seen, ReplayError>> {
        Box::pin(future::ready(Ok(
            self.check_and_record_now(request_id, now, expires_at)
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: SystemTime = SystemTime::UNIX_EPOCH;

    fn at(secs: u64) -> SystemTime {
        T0 + Duration::from_secs(secs)
    }

    #[test]
    fn second_sighting_is_a_replay_until_expiry() {
        let g = InMemoryReplayGuard::new(10);
        assert_eq!(g.check_and_record_now("a", at(0), at(180)), Seen::Fresh);
        assert_eq!(g.check_and_record_now("a", at(1), at(181)), Seen::Replayed);
        assert_eq!(
            g.check_and_record_now("a", at(179), at(300)),
            Seen::Replayed
        );
        assert_eq!(g.check_and_record_now("b", at(1), at(181)), Seen::Fresh);
        // At and after expiry the id is fresh again (the timestamp check refuses it anyway).
        assert_eq!(g.check_and_record_now("a", at(180), at(400)), Seen::Fresh);
        assert_eq!(
            g.check_and_record_now("a", at(181), at(400)),
            Seen::Replayed
        );
    }

    #[test]
    fn bounded_expired_first_then_soonest_expiry() {
        let g = InMemoryReplayGuard::new(3);
        for (i, id) in ["a", "b", "c"].iter().enumerate() {
            g.check_and_record_now(id, at(0), at(100 + i as u64));
        }
        assert_eq!(g.len(), 3);
        // Full of live entries: "a" (expires soonest) goes.
        assert_eq!(g.check_and_record_now("d", at(1), at(200)), Seen::Fresh);
        assert_eq!(g.len(), 3);
        assert_eq!(g.check_and_record_now("b", at(2), at(200)), Seen::Replayed);
        assert_eq!(g.check_and_record_now("d", at(2), at(200)), Seen::Replayed);
        // Later, everything but "d" has expired: all pruned in one go.
        assert_eq!(g.check_and_record_now("e", at(150), at(300)), Seen::Fresh);
        assert_eq!(g.len(), 2);
        for i in 0..10_000u64 {
            g.check_and_record_now(&i.to_string(), at(160), at(400));
            assert!(g.len() <= 3);
        }
        assert_eq!(g.capacity(), 3);
    }

    #[test]
    fn zero_capacity_still_holds_one() {
        let g = InMemoryReplayGuard::new(0);
        assert_eq!(g.check_and_record_now("a", at(0), at(10)), Seen::Fresh);
        assert_eq!(g.check_and_record_now("a", at(1), at(10)), Seen::Replayed);
    }

    #[test]
    fn entries_are_the_live_ids_soonest_first() {
        let g = InMemoryReplayGuard::new(10);
        g.check_and_record_now("late", at(0), at(50));
        g.check_and_record_now("early", at(0), at(20));
        g.check_and_record_now("gone", at(0), at(5));
        // Recording at 10 s prunes "gone" (expired at 5 s).
        g.check_and_record_now("new", at(10), at(30));
        let ids: Vec<(SystemTime, String)> = g.entries();
        assert_eq!(
            ids,
            vec![
                (at(20), "early".to_owned()),
                (at(30), "new".to_owned()),
                (at(50), "late".to_owned()),
            ]
        );
    }
}
