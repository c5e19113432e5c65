//! Where skillgate keeps its files.

use std::path::PathBuf;

/// Resolves the data directory: an explicit `--data-dir` / `SKILLGATE_DATA_DIR`,
/// else `$XDG_DATA_HOME/skillgate`, else `$HOME/.local/share/skillgate`,
/// else `./.skillgate` as a last resort.
pub fn data_dir(explicit: Option<PathBuf>) -> PathBuf {
    if let Some(dir) = explicit {
        return dir;
    }
    if let Some(xdg) = std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(xdg).join("skillgate");
    }
    if let Some(home) = std::env::var_os("HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(home).join(".local/share/skillgate");
    }
    PathBuf::from(".skillgate")
}

/// The development TLS certificate `serve` generates on first start (and
/// `invoke` trusts for loopback URLs).
pub fn dev_tls_dir(data_dir: &std::path::Path) -> PathBuf {
    data_dir.join("tls")
}

/// The replay journal `serve` keeps, so a restart does not reopen the replay window.
pub fn replay_journal(data_dir: &std::path::Path) -> PathBuf {
    data_dir.join("replay-ids")
}

/// Where `[tls.acme]` keeps its account key and certificates (mode 0600 files).
pub fn acme_dir(data_dir: &std::path::Path) -> PathBuf {
    data_dir.join("acme")
}

/// The local development CA created by `skillgate dev-ca init`.
pub fn dev_ca_dir(data_dir: &std::path::Path) -> PathBuf {
    data_dir.join("dev-ca")
}

/// The local mock of Alexa's service APIs (`state.json`, its CA and certificate).
pub fn mock_api_dir(data_dir: &std::path::Path) -> PathBuf {
    data_dir.join("mock-alexa-api")
}
