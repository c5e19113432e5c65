//! `skillgate model check FILE`: lints an interaction model (Amazon's rules and conflicts);
//! `skillgate model export`: a native skill's declared model as console JSON.

use std::path::PathBuf;
use std::process::ExitCode;

use skillgate_interaction_model::{InteractionModelFile, Severity, check};

use super::Globals;

/// `skillgate model …`.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Lint a model: exit 1 when there is an error; every finding names its JSON path.
    Check(CheckArgs),
    /// Write the console JSON of a native skill's declared model, one file per locale.
    Export(ExportArgs),
}

/// Arguments of `skillgate model export`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// The native skill (`home`).
    #[arg(long, default_value = "home")]
    skill: String,
    /// Write `<locale>.json` files here (the console's `skill-package/interactionModels/custom`);
    /// without it, print the model of `--locale` to standard output.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// The locale to print when `--out` is not given.
    #[arg(long, default_value = "en-US")]
    locale: String,
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
            let errors = findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .count();
            let warnings = findings.len() - errors;
            println!(
                "{}: {errors} error(s), {warnings} warning(s)",
                args.file.display()
            );
            let failed = errors > 0 || (args.strict && warnings > 0);
            Ok(if failed {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Export(args) => export(args),
    }
}

fn export(args: ExportArgs) -> anyhow::Result<ExitCode> {
    let models = match args.skill.as_str() {
        "home" => skillgate_example_home::interaction_models(),
        other => {
            anyhow::bail!("no native skill named {other:?} declares a model (available: home)")
        }
    };
    let exported = models.export();
    match &args.out {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .map_err(|e| anyhow::anyhow!("creating {}: {e}", dir.display()))?;
            for (locale, model) in &exported {
                let path = dir.join(format!("{locale}.json"));
                std::fs::write(&path, format!("{}\n", model.to_json_pretty()))
                    .map_err(|e| anyhow::anyhow!("writing {}: {e}", path.display()))?;
                println!("{}", path.display());
            }
        }
        None => {
            let model = exported.get(&args.locale).ok_or_else(|| {
                let have: Vec<&str> = exported.keys().map(String::as_str).collect();
                anyhow::anyhow!(
                    "{} declares no {} model (it has {})",
                    args.skill,
                    args.locale,
                    have.join(", ")
                )
            })?;
            println!("{}", model.to_json_pretty());
        }
    }
    Ok(ExitCode::SUCCESS)
}
