//! The `skillgate` command: thin argument handling over the skillgate libraries.
//!
//! Each subcommand lives in its own module under `cmd/` and exposes an `Args`
//! struct (clap) and a `run` function returning the process exit code.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cmd;
mod paths;

/// The process allocator with the `mimalloc` feature (off by default; docs/benchmarks.md).
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Secure, fast, self-hosted Alexa custom skills.
#[derive(Debug, Parser)]
#[command(name = "skillgate", version, about, long_about = None)]
struct Cli {
    /// Data directory (dev certificate, dev CA, embedded attribute store).
    /// Defaults to `$SKILLGATE_DATA_DIR`, else `$XDG_DATA_HOME/skillgate`,
    /// else `~/.local/share/skillgate`.
    #[arg(long, global = true, env = "SKILLGATE_DATA_DIR", value_name = "DIR")]
    data_dir: Option<std::path::PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the HTTPS server: verification in front of native skills or upstreams.
    Serve(cmd::serve::Args),
    /// Write a commented example configuration file.
    Init(cmd::init::Args),
    /// Validate a configuration file without starting the server.
    CheckConfig(cmd::check_config::Args),
    /// TLS certificates for the server (e.g. Alexa's self-signed development option).
    #[command(subcommand)]
    Cert(cmd::cert::Command),
    /// The local development CA that signs simulated Alexa requests.
    #[command(subcommand)]
    DevCa(cmd::dev_ca::Command),
    /// Send one signed, simulated Alexa request to a skill endpoint and show the answer.
    Invoke(cmd::invoke::Args),
    /// An interactive (or scripted) multi-turn session with a skill endpoint.
    Dialog(cmd::dialog::Args),
    /// Write pre-signed request bodies and headers for load tools.
    Sign(cmd::sign::Args),
    /// Check one captured request offline and explain every verification step.
    Verify(cmd::verify::Args),
    /// Check a deployed endpoint the way Amazon's certification does (TLS and the
    /// requests that must get HTTP 400).
    Preflight(cmd::preflight::Args),
    /// What Alexa would understand from sentences (stdin), given an interaction model.
    Nlu(cmd::nlu::Args),
    /// Interaction models: `model check FILE` lints one, `model export` writes a native skill's.
    #[command(subcommand)]
    Model(cmd::model::Command),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let globals = cmd::Globals {
        data_dir: paths::data_dir(cli.data_dir),
    };
    let result = match cli.command {
        Command::Serve(args) => cmd::serve::run(args, &globals),
        Command::Init(args) => cmd::init::run(args, &globals),
        Command::CheckConfig(args) => cmd::check_config::run(args, &globals),
        Command::Cert(command) => cmd::cert::run(command, &globals),
        Command::DevCa(command) => cmd::dev_ca::run(command, &globals),
        Command::Invoke(args) => cmd::invoke::run(args, &globals),
        Command::Dialog(args) => cmd::dialog::run(args, &globals),
        Command::Sign(args) => cmd::sign::run(args, &globals),
        Command::Verify(args) => cmd::verify::run(args, &globals),
        Command::Preflight(args) => cmd::preflight::run(args, &globals),
        Command::Nlu(args) => cmd::nlu::run(args, &globals),
        Command::Model(command) => cmd::model::run(command, &globals),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
