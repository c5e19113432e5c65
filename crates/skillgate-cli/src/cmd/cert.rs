//! Placeholder: being built.

use std::process::ExitCode;

use super::Globals;

/// Subcommands (placeholder).
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Placeholder.
    Placeholder,
}

/// Runs the subcommand.
pub fn run(_command: Command, _globals: &Globals) -> anyhow::Result<ExitCode> {
    anyhow::bail!("not implemented yet")
}
