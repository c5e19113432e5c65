//! `skillgate preflight URL`: what Amazon's certification will find on a deployed endpoint
//! (see `docs/preflight.md`). Exit 0 only when every check passes.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use skillgate_devtools::client::read_certs;
use skillgate_preflight::{Options, Trust};

use super::Globals;
use super::invoke::{dev_signer, runtime};

/// Options of `skillgate preflight`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  skillgate preflight https://skill.example.com/alexa --app-id amzn1.ask.skill.…
  skillgate preflight https://skill.example.com/alexa --resolve skill.example.com:127.0.0.1:8443 --self-signed cert.pem
  skillgate preflight https://skill.example.com/alexa --dev-ca --json

Exit status: 0 when every check passes, non-zero otherwise.")]
pub struct Args {
    /// The endpoint as registered in the Alexa console, e.g. https://skill.example.com/alexa.
    pub url: String,
    /// Dial ADDR (an IP address, or IP:PORT) for HOST instead of looking it up, e.g.
    /// skill.example.com:127.0.0.1:8443. The URL's host is still sent in SNI and Host.
    #[arg(long, value_name = "HOST:ADDR")]
    pub resolve: Option<String>,
    /// The endpoint uses Alexa's self-signed development option: its certificate must be
    /// exactly the one in FILE (PEM) instead of chaining to the Mozilla roots.
    #[arg(long, value_name = "FILE")]
    pub self_signed: Option<PathBuf>,
    /// The skill's application id: the requests carry it (one case carries another).
    #[arg(long, value_name = "ID")]
    pub app_id: Option<String>,
    /// Sign the requests with the local development CA (`skillgate dev-ca init`), for a
    /// server that trusts it (`serve --dev-ca`): the timestamp, application id and JSON
    /// cases are then tested for real, and a correctly signed request must get 200.
    #[arg(long)]
    pub dev_ca: bool,
    /// The chain URL the unsigned cases name (the server may download it). Default: one
    /// Amazon serves its signing chain from; a URL from a recent real request works too.
    #[arg(long, value_name = "URL")]
    pub chain_url: Option<String>,
    /// Seconds to wait for each connection and answer.
    #[arg(long, default_value_t = 10.0, value_name = "SECONDS")]
    pub timeout: f64,
    /// Only the TLS checks, no requests (e.g. before the skill is deployed).
    #[arg(long)]
    pub tls_only: bool,
    /// Print the report as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

/// Runs `skillgate preflight`.
pub fn run(args: Args, globals: &Globals) -> anyhow::Result<ExitCode> {
    if !(args.timeout.is_finite() && args.timeout > 0.0) {
        anyhow::bail!("--timeout must be a positive number of seconds");
    }
    let mut options = Options::new(args.url.clone());
    options.resolve = args.resolve;
    options.tls_only = args.tls_only;
    options.timeout = Duration::from_secs_f64(args.timeout.min(600.0));
    if let Some(url) = args.chain_url {
        options.amazon_chain_url = url;
    }
    if let Some(id) = args.app_id {
        options.app_id = id;
    }
    if let Some(path) = &args.self_signed {
        let cert = read_certs(path)?
            .into_iter()
            .next()
            .with_context(|| format!("no certificate in {}", path.display()))?;
        options.trust = Trust::SelfSigned(cert);
    }
    if args.dev_ca {
        options.signer = Some(dev_signer(globals)?);
    }
    let report = runtime()?.block_on(skillgate_preflight::run(&options))?;
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &report).context("writing the report")?;
        writeln!(out)?;
    } else {
        write!(out, "{}", report.render())?;
    }
    Ok(if report.passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
