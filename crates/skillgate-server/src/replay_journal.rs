//! A replay guard that survives a restart: the in-process replay cache, with every recorded
//! request id also appended to a journal file that the next start reads back.
//!
//! Without it a request captured and answered before a restart could be replayed after it,
//! inside its timestamp window (150 s). Ids are kept as SHA-256 digests, so an entry has a
//! fixed size in memory and in the file however long the signed `requestId` is, and the
//! file never holds request data.
//!
//! Each line is `<expiry, Unix milliseconds> <hex SHA-256 of the id>`. Lines are appended
//! (no fsync: the file outlives the process, not the machine); when the file holds more than
//! twice the live entries it is rewritten with only those. One journal belongs to one
//! instance; several instances refuse each other's replays through `verify.shared_state`.

use std::fs::{File, OpenOptions};
use std::future::Future;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use skillgate_verify::{InMemoryReplayGuard, ReplayError, ReplayGuard, Seen};

/// Fewest lines before the journal is compacted.
const MIN_COMPACT_LINES: usize = 1024;

/// A line of the file: the id's digest, recorded until `expiry`.
#[derive(Debug, Clone)]
struct Entry {
    expiry: SystemTime,
    digest: String,
}

/// The file and how many lines it holds. The live ids themselves are the in-memory guard's:
/// a compaction rewrites the file from [`InMemoryReplayGuard::entries`].
#[derive(Debug)]
struct Journal {
    file: File,
    lines: usize,
}

/// A replay guard whose ids are kept in memory and in a journal file (see the module
/// documentation).
#[derive(Debug)]
pub struct ReplayJournal {
    memory: InMemoryReplayGuard,
    path: PathBuf,
    journal: Mutex<Journal>,
}

/// Why the journal could not be opened.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JournalError {
    /// Reading, creating or rewriting the file failed.
    #[error("replay journal {path}: {source}")]
    Io {
        /// The journal file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

impl ReplayJournal {
    /// Opens (or creates) the journal at `path`, holding at most `capacity` ids, and loads
    /// the ids that are still unexpired at `now`. Malformed lines are skipped.
    pub fn open(
        path: impl Into<PathBuf>,
        capacity: usize,
        now: SystemTime,
    ) -> Result<Self, JournalError> {
        let path = path.into();
        let io = |source| JournalError::Io {
            path: path.clone(),
            source,
        };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        let memory = InMemoryReplayGuard::new(capacity);
        match File::open(&path) {
            Ok(file) => {
                for line in BufReader::new(file).lines() {
                    let line = line.map_err(io)?;
                    if let Some(entry) = parse(&line).filter(|e| e.expiry > now) {
                        memory.check_and_record_now(&entry.digest, now, entry.expiry);
                    }
                }
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => return Err(io(error)),
        }
        let live = memory.entries();
        let file = rewrite(&path, &live).map_err(io)?;
        Ok(Self {
            memory,
            path,
            journal: Mutex::new(Journal {
                file,
                lines: live.len(),
            }),
        })
    }

    /// The journal file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Records `request_id` until `expires_at` (in memory and in the file), or reports it
    /// as a replay.
    pub fn check_and_record_now(
        &self,
        request_id: &str,
        now: SystemTime,
        expires_at: SystemTime,
    ) -> Seen {
        let digest = digest(request_id);
        let seen = self.memory.check_and_record_now(&digest, now, expires_at);
        if seen == Seen::Fresh {
            self.append(Entry {
                expiry: expires_at,
                digest,
            });
        }
        seen
    }

    fn append(&self, entry: Entry) {
        let mut journal = self.journal.lock().unwrap_or_else(PoisonError::into_inner);
        let line = format_line(entry.expiry, &entry.digest);
        if let Err(error) = journal.file.write_all(line.as_bytes()) {
            tracing::warn!(%error, path = %self.path.display(), "cannot append to the replay journal");
        }
        journal.lines += 1;
        // The guard prunes expired ids on every record, so its length is the live count.
        if journal.lines > (self.memory.len() * 2).max(MIN_COMPACT_LINES) {
            let live = self.memory.entries();
            match rewrite(&self.path, &live) {
                Ok(file) => {
                    journal.file = file;
                    journal.lines = live.len();
                }
                Err(error) => {
                    tracing::warn!(%error, path = %self.path.display(), "cannot compact the replay journal");
                }
            }
        }
    }
}

impl ReplayGuard for ReplayJournal {
    fn check_and_record<'a>(
        &'a self,
        request_id: &'a str,
        now: SystemTime,
        expires_at: SystemTime,
    ) -> Pin<Box<dyn Future<Output = Result<Seen, ReplayError>> + Send + 'a>> {
        Box::pin(std::future::ready(Ok(
            self.check_and_record_now(request_id, now, expires_at)
        )))
    }
}

/// The key an id is kept under: its SHA-256, in lowercase hex. Written with a table, not
/// `format!` per byte: this runs on every verified request.
fn digest(request_id: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, request_id.as_bytes());
    let mut hex = String::with_capacity(2 * d.as_ref().len());
    for byte in d.as_ref() {
        hex.push(char::from(HEX[usize::from(byte >> 4)]));
        hex.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    hex
}

fn format_line(expiry: SystemTime, digest: &str) -> String {
    let ms = expiry
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    format!("{ms} {digest}\n")
}

fn parse(line: &str) -> Option<Entry> {
    let (ms, digest) = line.split_once(' ')?;
    let ms: u64 = ms.parse().ok()?;
    if digest.len() != 64 || !digest.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    Some(Entry {
        expiry: UNIX_EPOCH.checked_add(Duration::from_millis(ms))?,
        digest: digest.to_ascii_lowercase(),
    })
}

/// Replaces the file at `path` with `live` (digests and their expiries; written beside it,
/// then renamed) and returns it opened for appending.
fn rewrite(path: &Path, live: &[(SystemTime, String)]) -> std::io::Result<File> {
    let mut name = path.file_name().unwrap_or_default().to_owned();
    name.push(".tmp");
    let tmp = path.with_file_name(name);
    {
        let mut out = std::io::BufWriter::new(File::create(&tmp)?);
        for (expiry, digest) in live {
            out.write_all(format_line(*expiry, digest).as_bytes())?;
        }
        out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    OpenOptions::new().append(true).open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_the_lowercase_hex_sha256_of_the_id() {
        // printf 'abc' | sha256sum
        assert_eq!(
            digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn ids_survive_a_reopen_until_they_expire() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("replay-ids");
        let now = SystemTime::now();
        let soon = now + Duration::from_secs(180);
        let journal = ReplayJournal::open(&path, 10, now).unwrap();
        assert_eq!(
            journal.check_and_record_now("a\r\nb", now, soon),
            Seen::Fresh
        );
        assert_eq!(
            journal.check_and_record_now("a\r\nb", now, soon),
            Seen::Replayed
        );
        let long = "x".repeat(100_000);
        assert_eq!(journal.check_and_record_now(&long, now, soon), Seen::Fresh);
        drop(journal);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 2, "{text}");
        assert!(text.len() < 200, "ids are stored as digests: {text}");

        let reopened = ReplayJournal::open(&path, 10, now).unwrap();
        assert_eq!(
            reopened.check_and_record_now("a\r\nb", now, soon),
            Seen::Replayed
        );
        assert_eq!(
            reopened.check_and_record_now(&long, now, soon),
            Seen::Replayed
        );
        drop(reopened);
        // After the window, nothing is loaded.
        let later = soon + Duration::from_secs(1);
        let expired = ReplayJournal::open(&path, 10, later).unwrap();
        assert_eq!(
            expired.check_and_record_now("a\r\nb", later, later + Duration::from_secs(1)),
            Seen::Fresh
        );
    }

    /// Steady traffic far below the capacity: each id lives 10 s and one arrives per second.
    /// Memory and file must follow the ~10 live ids, not every id ever recorded (they grew to
    /// the capacity, 100,000 ids, before).
    #[test]
    fn memory_and_file_follow_the_live_ids_not_the_capacity() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("replay-ids");
        let start = SystemTime::now();
        let journal = ReplayJournal::open(&path, 100_000, start).unwrap();
        let total = 5 * MIN_COMPACT_LINES;
        for i in 0..total {
            let now = start + Duration::from_secs(i as u64);
            let seen = journal.check_and_record_now(
                &format!("id-{i}"),
                now,
                now + Duration::from_secs(10),
            );
            assert_eq!(seen, Seen::Fresh);
        }
        let kept = journal.memory.len();
        assert!(kept <= 11, "{kept} entries kept for about 10 live ids");
        drop(journal);
        let lines = std::fs::read_to_string(&path).unwrap().lines().count();
        assert!(
            lines <= MIN_COMPACT_LINES + 11,
            "{lines} lines in the file for about 10 live ids ({total} recorded)"
        );
    }

    #[test]
    fn the_file_is_compacted_and_bad_lines_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("replay-ids");
        std::fs::write(&path, "garbage\n12 zz\n").unwrap();
        let now = SystemTime::now();
        let journal = ReplayJournal::open(&path, 4, now).unwrap();
        for i in 0..3 * MIN_COMPACT_LINES {
            let expiry = if i % 2 == 0 {
                now + Duration::from_millis(1)
            } else {
                now + Duration::from_secs(100)
            };
            journal.check_and_record_now(&i.to_string(), now, expiry);
        }
        drop(journal);
        let lines = std::fs::read_to_string(&path).unwrap().lines().count();
        assert!(lines <= MIN_COMPACT_LINES + 1, "{lines} lines");
    }
}
