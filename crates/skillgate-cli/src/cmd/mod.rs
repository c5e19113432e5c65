//! One module per subcommand.

use std::path::PathBuf;

pub mod cert;
pub mod check_config;
pub mod console;
pub mod dev_ca;
pub mod dialog;
pub mod dialog_nlu;
pub mod init;
pub mod invoke;
pub mod mock_api;
pub mod model;
pub mod nlu;
pub mod preflight;
pub mod serve;
pub mod sign;
pub mod verify;
pub mod verify_fetch;

/// Settings shared by every subcommand.
#[derive(Debug, Clone)]
pub struct Globals {
    /// The resolved data directory (see `paths::data_dir`).
    pub data_dir: PathBuf,
}
