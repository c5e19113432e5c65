//! Which store a URL names: parsing only, no I/O.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::error::OpenError;

/// How long a commit waits for the disk (SQLite's `synchronous` pragma, in WAL mode).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Synchronous {
    /// Every commit is flushed to disk before it returns: survives a process crash and a
    /// power loss (the default).
    #[default]
    Full,
    /// Commits reach the operating system before they return and the disk at checkpoints:
    /// survives a process crash (`kill -9`), may lose the last commits on a power loss.
    Normal,
}

/// The store a URL names, with relative SQLite paths resolved against the data directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// `memory:`: the framework's [`skillgate::InMemoryStore`].
    Memory,
    /// `sqlite::memory:`: a private in-memory SQLite database.
    SqliteMemory,
    /// `sqlite://relative.db`, `sqlite:///absolute.db` (optionally `?synchronous=normal`).
    SqliteFile {
        /// The database file.
        path: PathBuf,
        /// How hard a commit waits for the disk.
        synchronous: Synchronous,
    },
    /// `postgres://…` or `postgresql://…`, passed to `tokio-postgres` as given.
    Postgres(String),
    /// `redis://…`, `redis+unix://…` or `unix://…`, passed to the `redis` crate as given.
    Redis(String),
}

impl Location {
    /// Reads `url`; relative SQLite paths are taken relative to `data_dir`.
    pub fn parse(url: &str, data_dir: &Path) -> Result<Self, OpenError> {
        let url = url.trim();
        let Some((scheme, rest)) = url.split_once(':') else {
            return Err(OpenError::InvalidUrl(
                "no scheme (expected e.g. sqlite://attributes.db)".into(),
            ));
        };
        match scheme.to_ascii_lowercase().as_str() {
            "memory" if rest.is_empty() => Ok(Self::Memory),
            "memory" => Err(OpenError::InvalidUrl(
                "memory: takes nothing after the colon".into(),
            )),
            "sqlite" => sqlite(rest, data_dir),
            "postgres" | "postgresql" => Ok(Self::Postgres(url.to_owned())),
            "redis" | "redis+unix" | "unix" => Ok(Self::Redis(url.to_owned())),
            "rediss" => Err(OpenError::InvalidUrl(
                "rediss: (Redis over TLS) is not supported; use a loopback or unix-socket Redis"
                    .into(),
            )),
            other => Err(OpenError::UnsupportedScheme(other.to_owned())),
        }
    }
}

fn sqlite(rest: &str, data_dir: &Path) -> Result<Location, OpenError> {
    if rest == ":memory:" {
        return Ok(Location::SqliteMemory);
    }
    let (path, query) = match rest.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (rest, None),
    };
    // `sqlite://rel.db` and `sqlite:rel.db` are relative, `sqlite:///abs.db` and
    // `sqlite:/abs.db` absolute.
    let path = path.strip_prefix("//").unwrap_or(path);
    if path.is_empty() {
        return Err(OpenError::InvalidUrl(
            "sqlite: URL without a file name".into(),
        ));
    }
    let mut synchronous = Synchronous::Full;
    for pair in query
        .into_iter()
        .flat_map(|q| q.split('&'))
        .filter(|p| !p.is_empty())
    {
        match pair.split_once('=') {
            Some(("synchronous", value)) => {
                synchronous = match value.to_ascii_lowercase().as_str() {
                    "full" => Synchronous::Full,
                    "normal" => Synchronous::Normal,
                    _ => {
                        return Err(OpenError::InvalidUrl(format!(
                            "sqlite synchronous={value:?}: expected full or normal"
                        )));
                    }
                }
            }
            _ => {
                return Err(OpenError::InvalidUrl(format!(
                    "unknown sqlite URL parameter {pair:?} (known: synchronous)"
                )));
            }
        }
    }
    let path = Path::new(path);
    let path = if path.is_absolute() {
        path.to_path_buf()
    } else {
        data_dir.join(path)
    };
    Ok(Location::SqliteFile { path, synchronous })
}

impl fmt::Display for Location {
    /// A description for logs: the SQLite path, or only the kind of server (a server URL
    /// may hold a password).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Memory => f.write_str("memory"),
            Self::SqliteMemory => f.write_str("sqlite (in memory)"),
            Self::SqliteFile { path, .. } => write!(f, "sqlite {}", path.display()),
            Self::Postgres(_) => f.write_str("postgres"),
            Self::Redis(_) => f.write_str("redis"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(url: &str) -> Result<Location, OpenError> {
        Location::parse(url, Path::new("/data"))
    }

    fn file(path: &str, synchronous: Synchronous) -> Location {
        Location::SqliteFile {
            path: PathBuf::from(path),
            synchronous,
        }
    }

    #[test]
    fn sqlite_paths() {
        assert_eq!(
            parse("sqlite://attributes.db").unwrap(),
            file("/data/attributes.db", Synchronous::Full)
        );
        assert_eq!(
            parse("sqlite://sub/a.db").unwrap(),
            file("/data/sub/a.db", Synchronous::Full)
        );
        assert_eq!(
            parse("sqlite:a.db").unwrap(),
            file("/data/a.db", Synchronous::Full)
        );
        assert_eq!(
            parse("sqlite:///var/a.db").unwrap(),
            file("/var/a.db", Synchronous::Full)
        );
        assert_eq!(
            parse("SQLite:/var/a.db").unwrap(),
            file("/var/a.db", Synchronous::Full)
        );
        assert_eq!(
            parse("sqlite://a.db?synchronous=normal").unwrap(),
            file("/data/a.db", Synchronous::Normal)
        );
        assert_eq!(parse("sqlite::memory:").unwrap(), Location::SqliteMemory);
    }

    #[test]
    fn servers_and_memory() {
        assert_eq!(parse("memory:").unwrap(), Location::Memory);
        assert_eq!(
            parse("postgres://u:pw@h/db").unwrap(),
            Location::Postgres("postgres://u:pw@h/db".into())
        );
        assert!(matches!(
            parse("postgresql://h/db").unwrap(),
            Location::Postgres(_)
        ));
        assert!(matches!(
            parse("redis://127.0.0.1:6379/0").unwrap(),
            Location::Redis(_)
        ));
        assert!(matches!(
            parse("redis+unix:///run/redis.sock").unwrap(),
            Location::Redis(_)
        ));
    }

    #[test]
    fn bad_urls_are_refused_with_a_reason() {
        assert!(
            matches!(parse("mysql://h/db"), Err(OpenError::UnsupportedScheme(s)) if s == "mysql")
        );
        assert!(matches!(
            parse("attributes.db"),
            Err(OpenError::InvalidUrl(_))
        ));
        assert!(matches!(parse("sqlite://"), Err(OpenError::InvalidUrl(_))));
        assert!(matches!(
            parse("sqlite://a.db?mode=ro"),
            Err(OpenError::InvalidUrl(_))
        ));
        assert!(matches!(
            parse("sqlite://a.db?synchronous=off"),
            Err(OpenError::InvalidUrl(_))
        ));
        assert!(matches!(parse("memory:x"), Err(OpenError::InvalidUrl(_))));
        assert!(matches!(parse("rediss://h"), Err(OpenError::InvalidUrl(_))));
    }

    #[test]
    fn display_hides_server_urls() {
        let shown = parse("postgres://u:secret@h/db").unwrap().to_string();
        assert!(!shown.contains("secret"));
        let shown = parse("redis://:secret@h/").unwrap().to_string();
        assert!(!shown.contains("secret"));
    }
}
