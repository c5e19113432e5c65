//! Placeholder: being built.

use std::process::ExitCode;

use super::Globals;

/// Arguments (placeholder).
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs the subcommand.
pub fn run(_args: Args, _globals: &Globals) -> anyhow::Result<ExitCode> {
    anyhow::bail!("not implemented yet")
}
