//! `skillgate model check FILE`: lints an interaction model (Amazon's rules and conflicts).

use std::path::PathBuf;
use std::process::ExitCode;

use skillgate_interaction_model::{InteractionModelFile, Severity, check};

use super::Globals;

/// `skillgate model …`.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Lint a model: exit 1 when there is an error; every finding names its JSON path.
    Check(CheckArgs),
}

/// Arguments of `skillgate model check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The interaction model (the console JSON).
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Exit 1 on warnings too.
    #[arg(long)]
    strict: bool,
}

/// Runs the subcommand.
pub fn run(command: Command, _globals: &Globals) -> anyhow::Result<ExitCode> {
    match command {
        Command::Check(args) => {
            let model = InteractionModelFile::from_path(&args.file)?;
            let findings = check(&model);
            for finding in &findings {
                println!("{finding}");
            }
            let errors = findings.iter().filter(|f| f.severity == Severity::Error).count();
            let warnings = findings.len() - errors;
            println!("{}: {errors} error(s), {warnings} warning(s)", args.file.display());
            let failed = errors > 0 || (args.strict && warnings > 0);
            Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
        }
    }
}
