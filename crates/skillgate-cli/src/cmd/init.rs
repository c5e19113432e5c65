//! `skillgate init`: writes a fully commented example configuration.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;

use super::Globals;

/// Arguments of `skillgate init`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where to write the file (`-` for standard output).
    #[arg(long, short, value_name = "FILE", default_value = "skillgate.toml")]
    pub output: PathBuf,
    /// Overwrite an existing file.
    #[arg(long)]
    pub force: bool,
}

/// Runs the subcommand.
pub fn run(args: Args, _globals: &Globals) -> anyhow::Result<ExitCode> {
    let text = skillgate_server::config::EXAMPLE_TOML;
    if args.output.as_os_str() == "-" {
        std::io::stdout().write_all(text.as_bytes())?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if args.force {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    let mut file = options.open(&args.output).with_context(|| {
        if args.output.exists() {
            format!(
                "{} exists (use --force to overwrite)",
                args.output.display()
            )
        } else {
            format!("cannot write {}", args.output.display())
        }
    })?;
    file.write_all(text.as_bytes())?;
    println!(
        "wrote {path}\n\
         next: put your skill id (Alexa developer console > Build > Endpoint) in application_ids,\n\
         \x20     set tls.cert/tls.key to your certificate (e.g. certbot's fullchain.pem/privkey.pem),\n\
         \x20     then: skillgate check-config {path} && skillgate serve --config {path}",
        path = args.output.display()
    );
    Ok(ExitCode::SUCCESS)
}
