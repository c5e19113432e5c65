//! `skillgate serve`: the HTTPS server with verification in front of native skills or
//! upstreams. Without `--config` it runs the demo `home` skill on port 8443 with a
//! development certificate.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use skillgate_server::config::{Config, LogFormat};
use skillgate_server::{ServerBuilder, StartupReport};

use super::Globals;
use crate::paths;

/// Arguments of `skillgate serve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The configuration file (see `skillgate init`). Without it: the demo `home` skill on
    /// port 8443, any application id, a development certificate.
    #[arg(long, short, env = "SKILLGATE_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Listen address, overriding the file and `SKILLGATE_LISTEN`.
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
    /// DEVELOPMENT ONLY: trust the local dev CA (`skillgate dev-ca init`) so that
    /// `skillgate invoke` requests pass verification.
    #[arg(long)]
    pub dev_ca: bool,
    /// Serve plain HTTP (only behind a TLS-terminating proxy: Alexa requires HTTPS).
    #[arg(long)]
    pub plain_http: bool,
    /// Write every verified request and its answer (tokens masked) into DIR.
    #[arg(long, value_name = "DIR")]
    pub record: Option<PathBuf>,
    /// Log format: text or json.
    #[arg(long, value_name = "FORMAT")]
    pub log_format: Option<LogFormat>,
}

/// Loads the configuration the way `serve` does: the file (or the demo), then the
/// `SKILLGATE_*` environment overrides.
pub fn load_config(file: Option<&std::path::Path>) -> anyhow::Result<Config> {
    let mut config = match file {
        Some(path) => Config::from_file(path)?,
        None => Config::demo(),
    };
    config
        .apply_env(|name| std::env::var(name).ok())
        .context("environment override")?;
    Ok(config)
}

/// The native skills built into this binary, by the names `handler = "…"` uses.
pub fn register_native_skills(builder: ServerBuilder) -> ServerBuilder {
    builder
        .native_skill("home", skillgate_example_home::skill())
        .native_skill("hello", skillgate_example_hello::skill())
}

/// Runs the subcommand.
pub fn run(args: Args, globals: &Globals) -> anyhow::Result<ExitCode> {
    let demo = args.config.is_none();
    let mut config = load_config(args.config.as_deref())?;
    if let Some(listen) = args.listen {
        config.listen = listen;
    }
    if args.plain_http {
        config.tls.enabled = false;
    }
    if let Some(dir) = args.record {
        config.record_dir = Some(dir);
    }
    if let Some(format) = args.log_format {
        config.log.format = format;
    }
    if args.dev_ca {
        config.dev.dev_ca = true;
    }
    config.validate()?;
    skillgate_server::logging::init(&config.log).map_err(anyhow::Error::msg)?;

    let mut builder = register_native_skills(ServerBuilder::new(config.clone()))
        .dev_tls_dir(paths::dev_tls_dir(&globals.data_dir));
    if config.dev.dev_ca {
        let overrides = super::dev_ca::server_overrides(globals)
            .context("--dev-ca needs the development CA: run `skillgate dev-ca init` first")?;
        tracing::warn!(
            chain_url = %overrides.chain_url,
            "DEVELOPMENT ONLY (--dev-ca): requests signed by the local dev CA pass verification. \
             Never use this on a server Alexa can reach."
        );
        builder = builder
            .trust_anchor(overrides.trust_anchor)
            .chain_override(overrides.chain_url, overrides.chain_pem);
    }

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let server = builder.bind().await?;
        let report = server.report().clone();
        for warning in &report.warnings {
            tracing::warn!("{warning}");
        }
        print_banner(&report, demo, config.dev.dev_ca);
        server.run_until_signal().await?;
        tracing::info!("stopped");
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

fn print_banner(report: &StartupReport, demo: bool, dev_ca: bool) {
    let mut out = report.lines();
    let first_path = report
        .skills
        .first()
        .map(|s| s.path.as_str())
        .unwrap_or("/alexa");
    let url = report.local_url(first_path);
    out.push(String::new());
    out.push("Next steps:".to_owned());
    if dev_ca {
        out.push(format!("  try:   skillgate invoke {url} --launch"));
    } else {
        out.push(format!(
            "  try:   skillgate dev-ca init && skillgate serve --dev-ca, then skillgate invoke {url} --launch"
        ));
    }
    if demo {
        out.push("  real:  skillgate init --output skillgate.toml, list your skill id, then skillgate serve --config skillgate.toml".to_owned());
        out.push("  Alexa needs HTTPS on port 443 with a trusted (or uploaded self-signed) certificate: see docs/deployment.md".to_owned());
    }
    out.push("  stop:  Ctrl-C (finishes requests in flight)".to_owned());
    println!("{}", out.join("\n"));
}
