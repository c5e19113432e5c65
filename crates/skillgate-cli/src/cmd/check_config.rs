//! `skillgate check-config FILE`: runs the plan step of `serve` (every rule, every file the
//! configuration names, every skill and URL) without binding anything, and reports every
//! problem at once.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use skillgate::AttributesStore;
use skillgate_server::PlanError;
use skillgate_server::config::Config;
use skillgate_server::config::Problem;

use super::Globals;
use super::serve::{builder, needs_store};

/// Arguments of `skillgate check-config`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The configuration file.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

/// Runs the subcommand: exit 0 when `serve --config FILE` would start, 1 with every problem
/// (one per line, each naming its key).
pub fn run(args: Args, globals: &Globals) -> anyhow::Result<ExitCode> {
    // Parsed only: the plan reports every broken rule, not just the first.
    let mut config = Config::read_file(&args.file)?;
    config
        .apply_env_overrides(|name| std::env::var(name).ok())
        .context("environment override")?;
    super::console::apply_defaults(&mut config);
    // The store is opened by `serve` before planning (it is I/O); here its URL is checked.
    let mut store_problem = None;
    if needs_store(&config) {
        if let Err(error) =
            skillgate_store::Location::parse(&config.attributes.url, &globals.data_dir)
        {
            store_problem = Some(Problem {
                key: "attributes.url".to_owned(),
                message: error.to_string(),
            });
        }
    }
    let unused: Arc<dyn AttributesStore> = Arc::new(skillgate::InMemoryStore::new());
    let planned = builder(&config, globals, unused)?.plan();
    let problems = match (planned, store_problem) {
        (Ok(plan), None) => {
            for warning in &plan.report().warnings {
                println!("warning: {warning}");
            }
            for line in plan.report().lines() {
                println!("{line}");
            }
            println!(
                "{}: ok ({} skill(s) on {}, listening on {}{})",
                args.file.display(),
                config.skill.len(),
                config.paths().join(", "),
                config.listen,
                if config.tls.enabled {
                    " with TLS"
                } else {
                    ", plain HTTP"
                }
            );
            return Ok(ExitCode::SUCCESS);
        }
        (Ok(_), Some(problem)) => vec![problem],
        (Err(PlanError { mut problems }), store) => {
            problems.extend(store);
            problems
        }
    };
    eprintln!("{}", PlanError { problems });
    Ok(ExitCode::FAILURE)
}
