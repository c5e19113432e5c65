//! The chain watch: per chain URL in use, who issued the signing certificate, with which key,
//! and when the chain expires; warnings 30 days before expiry and whenever a URL's issuer
//! or key changes between downloads (issue 14: Amazon rotates its signing chain, and an
//! intermediate of the one in use until 2025 expired on 2025-10-19).
//!
//! [`ChainWatch::observe`] runs once per validated download (the `ChainCache` calls it),
//! [`ChainWatch::check_expiry`] whenever the application likes (the server: hourly), and
//! [`ChainWatch::snapshot`] gives the data to export (the server's
//! `skillgate_signing_chain_expiry_seconds{url,issuer}`). Nothing here runs per request,
//! and nothing does I/O: the clock is the `now` argument, and events are returned (and
//! logged with `tracing::warn!`).

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use crate::trust_failure::{ChainCert, format_unix};

/// Warn this long before a chain expires (30 days).
pub const EXPIRY_WARNING_SECS: i64 = 30 * 86_400;

/// Most URLs remembered (least recently downloaded out first). Amazon uses one URL at a
/// time; forged URLs never validate, so never get here.
pub const MAX_WATCHED_URLS: usize = 64;

/// Who signed a validated chain, with which key, and when it expires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainIdentity {
    /// The signing certificate's subject DN.
    pub subject: String,
    /// The signing certificate's issuer DN.
    pub issuer: String,
    /// SHA-256 of the signing certificate's SubjectPublicKeyInfo, lower-case hex.
    pub key_sha256: String,
    /// The earliest notAfter of the verified path (seconds since the Unix epoch).
    pub not_after: i64,
    /// The certificate with that notAfter.
    pub expires_first: ChainCert,
}

/// One watched URL, for export.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WatchedChain {
    /// The normalized chain URL.
    pub url: String,
    /// The chain last validated for it.
    pub identity: ChainIdentity,
    /// When it was validated (seconds since the Unix epoch).
    pub seen_at: i64,
    /// The different identity validated before it for this URL, if any.
    pub previous: Option<ChainIdentity>,
}

/// Something the operator should know about a signing chain.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChainEvent {
    /// The chain expires within [`EXPIRY_WARNING_SECS`] (or has expired).
    ExpiresSoon {
        /// The chain URL.
        url: String,
        /// The signing certificate's issuer.
        issuer: String,
        /// The certificate that expires first.
        cert: ChainCert,
        /// Its notAfter (seconds since the Unix epoch).
        not_after: i64,
        /// Whole days left (negative once expired).
        days_left: i64,
    },
    /// The signing certificate of this URL now has another issuer.
    IssuerChanged {
        /// The chain URL.
        url: String,
        /// The issuer before.
        old: String,
        /// The issuer now.
        new: String,
    },
    /// The signing key of this URL changed (SHA-256 of the SubjectPublicKeyInfo).
    KeyChanged {
        /// The chain URL.
        url: String,
        /// The key before.
        old: String,
        /// The key now.
        new: String,
    },
}

impl ChainEvent {
    fn log(&self) {
        match self {
            ChainEvent::ExpiresSoon {
                url,
                issuer,
                cert,
                not_after,
                days_left,
            } => tracing::warn!(
                url = %url,
                issuer = %issuer,
                certificate = %cert,
                not_after = %format_unix(*not_after),
                days_left = *days_left,
                "Alexa signing chain expires soon: requests will be refused once it has \
                 expired unless Amazon serves a renewed chain (see docs/SECURITY.md)"
            ),
            ChainEvent::IssuerChanged { url, old, new } => tracing::warn!(
                url = %url,
                old_issuer = %old,
                new_issuer = %new,
                "Alexa signing chain issuer changed"
            ),
            ChainEvent::KeyChanged { url, old, new } => tracing::warn!(
                url = %url,
                old_key_sha256 = %old,
                new_key_sha256 = %new,
                "Alexa signing key changed"
            ),
        }
    }
}

struct Entry {
    identity: ChainIdentity,
    previous: Option<ChainIdentity>,
    seen_at: i64,
    /// The expiry warning was given for this identity.
    expiry_warned: bool,
}

/// Per chain URL in use: the identity of the chain last validated and the one before (see
/// the module docs). Bounded by [`MAX_WATCHED_URLS`].
pub struct ChainWatch {
    entries: Mutex<HashMap<String, Entry>>,
    max_urls: usize,
    warn_within: i64,
}

impl Default for ChainWatch {
    fn default() -> Self {
        ChainWatch::new()
    }
}

impl std::fmt::Debug for ChainWatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChainWatch")
            .field("urls", &self.lock().len())
            .field("warn_within", &self.warn_within)
            .finish()
    }
}

fn days_left(not_after: i64, now: i64) -> i64 {
    not_after.saturating_sub(now).div_euclid(86_400)
}

impl ChainWatch {
    /// A watch warning [`EXPIRY_WARNING_SECS`] ahead, for at most [`MAX_WATCHED_URLS`].
    pub fn new() -> ChainWatch {
        ChainWatch::with_limits(MAX_WATCHED_URLS, EXPIRY_WARNING_SECS)
    }

    /// A watch for at most `max_urls` URLs (at least 1) warning `warn_within` seconds
    /// before expiry.
    pub fn with_limits(max_urls: usize, warn_within: i64) -> ChainWatch {
        ChainWatch {
            entries: Mutex::new(HashMap::new()),
            max_urls: max_urls.max(1),
            warn_within,
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Entry>> {
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Records the chain just validated for `url` at `now` (seconds since the epoch) and
    /// returns (and logs) what changed: a new issuer or key since the last download, and
    /// an expiry within the warning window (once per identity).
    pub fn observe(&self, url: &str, identity: &ChainIdentity, now: i64) -> Vec<ChainEvent> {
        let mut events = Vec::new();
        {
            let mut entries = self.lock();
            if !entries.contains_key(url) {
                while entries.len() >= self.max_urls {
                    let oldest = entries
                        .iter()
                        .min_by_key(|(_, e)| e.seen_at)
                        .map(|(k, _)| k.clone());
                    match oldest {
                        Some(k) => entries.remove(&k),
                        None => break,
                    };
                }
            }
            let entry = entries.entry(url.to_owned()).or_insert_with(|| Entry {
                identity: identity.clone(),
                previous: None,
                seen_at: now,
                expiry_warned: false,
            });
            let old = &entry.identity;
            if old.issuer != identity.issuer {
                events.push(ChainEvent::IssuerChanged {
                    url: url.to_owned(),
                    old: old.issuer.clone(),
                    new: identity.issuer.clone(),
                });
            }
            if old.key_sha256 != identity.key_sha256 {
                events.push(ChainEvent::KeyChanged {
                    url: url.to_owned(),
                    old: old.key_sha256.clone(),
                    new: identity.key_sha256.clone(),
                });
            }
            if old != identity {
                entry.previous = Some(std::mem::replace(&mut entry.identity, identity.clone()));
                entry.expiry_warned = false;
            }
            entry.seen_at = now;
            if let Some(event) = self.expiry_event(url, entry, now) {
                events.push(event);
            }
        }
        for event in &events {
            event.log();
        }
        events
    }

    fn expiry_event(&self, url: &str, entry: &mut Entry, now: i64) -> Option<ChainEvent> {
        let identity = &entry.identity;
        if entry.expiry_warned || identity.not_after.saturating_sub(now) > self.warn_within {
            return None;
        }
        entry.expiry_warned = true;
        Some(ChainEvent::ExpiresSoon {
            url: url.to_owned(),
            issuer: identity.issuer.clone(),
            cert: identity.expires_first.clone(),
            not_after: identity.not_after,
            days_left: days_left(identity.not_after, now),
        })
    }

    /// Warns (once per identity) about every watched chain that now expires within the
    /// window: a chain cached for months is not downloaded again before it expires, so
    /// call this periodically (the server does, hourly).
    pub fn check_expiry(&self, now: i64) -> Vec<ChainEvent> {
        let events: Vec<ChainEvent> = {
            let mut entries = self.lock();
            entries
                .iter_mut()
                .filter_map(|(url, entry)| self.expiry_event(url, entry, now))
                .collect()
        };
        for event in &events {
            event.log();
        }
        events
    }

    /// Every watched URL, sorted by URL.
    pub fn snapshot(&self) -> Vec<WatchedChain> {
        let mut out: Vec<WatchedChain> = self
            .lock()
            .iter()
            .map(|(url, entry)| WatchedChain {
                url: url.clone(),
                identity: entry.identity.clone(),
                seen_at: entry.seen_at,
                previous: entry.previous.clone(),
            })
            .collect();
        out.sort_by(|a, b| a.url.cmp(&b.url));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400;

    fn identity(issuer: &str, key: &str, not_after: i64) -> ChainIdentity {
        ChainIdentity {
            subject: "CN=echo-api.amazon.com".to_owned(),
            issuer: issuer.to_owned(),
            key_sha256: key.to_owned(),
            not_after,
            expires_first: ChainCert {
                index: 1,
                subject: issuer.to_owned(),
            },
        }
    }

    #[test]
    fn expiry_is_warned_once_per_identity_and_changes_name_old_and_new() {
        let watch = ChainWatch::new();
        let now = 1_000 * DAY;
        let far = identity("CN=A", "k1", now + 100 * DAY);
        assert!(watch.observe("u", &far, now).is_empty());
        assert!(watch.observe("u", &far, now + DAY).is_empty());
        // 71 days later it is within 30 days: one warning, then silence.
        let later = now + 71 * DAY;
        let events = watch.check_expiry(later);
        assert!(
            matches!(&events[..], [ChainEvent::ExpiresSoon { days_left: 29, .. }]),
            "{events:?}"
        );
        assert!(watch.check_expiry(later + DAY).is_empty());
        assert!(watch.observe("u", &far, later + DAY).is_empty());
        // Re-issued by another CA with another key.
        let renewed = identity("CN=B", "k2", later + 400 * DAY);
        let events = watch.observe("u", &renewed, later + 2 * DAY);
        assert_eq!(
            events,
            [
                ChainEvent::IssuerChanged {
                    url: "u".into(),
                    old: "CN=A".into(),
                    new: "CN=B".into()
                },
                ChainEvent::KeyChanged {
                    url: "u".into(),
                    old: "k1".into(),
                    new: "k2".into()
                }
            ]
        );
        let snapshot = watch.snapshot();
        assert_eq!(snapshot.len(), 1);
        assert_eq!(snapshot[0].identity, renewed);
        assert_eq!(snapshot[0].previous.as_ref(), Some(&far));
        assert_eq!(snapshot[0].seen_at, later + 2 * DAY);
    }

    #[test]
    fn urls_are_bounded_oldest_out() {
        let watch = ChainWatch::with_limits(2, EXPIRY_WARNING_SECS);
        let id = identity("CN=A", "k", i64::MAX);
        watch.observe("a", &id, 1);
        watch.observe("b", &id, 2);
        watch.observe("c", &id, 3);
        let urls: Vec<_> = watch.snapshot().into_iter().map(|w| w.url).collect();
        assert_eq!(urls, ["b", "c"]);
    }
}
