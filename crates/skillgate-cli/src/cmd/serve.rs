//! `skillgate serve`: the HTTPS server with verification in front of native skills or
//! upstreams. Without `--config` it runs the demo `home` skill on port 8443 with a
//! development certificate.
//!
//! At start-up it opens the persistent-attributes store `[attributes] url` names (default:
//! `attributes.db` in the data directory) and hands it to the native `home` skill; a store
//! that cannot be opened stops start-up with a message naming it (never its password).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use skillgate::AttributesStore;
use skillgate_server::config::{AttributesConfig, Config, LogFormat};
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
    /// DEVELOPMENT ONLY (with --dev-ca): serve the local web console on the admin listener
    /// (loopback only; a free loopback port when `admin_listen` is not set), behind a
    /// token printed at start-up. See docs/console.md.
    #[arg(long)]
    pub console: bool,
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

/// The native skills built into this binary, by the names `handler = "…"` uses; `home`
/// keeps its devices in `store`, `hello` remembers nothing.
pub fn register_native_skills(
    builder: ServerBuilder,
    store: Arc<dyn AttributesStore>,
) -> ServerBuilder {
    builder
        .native_skill("home", skillgate_example_home::skill_with_store(store))
        .native_skill("hello", skillgate_example_hello::skill())
}

/// The server builder `serve` and `check-config` both plan from: the native skills (with
/// `store` for those that keep attributes), the development certificate directory, the
/// replay journal, and with
/// `[dev] dev_ca` the local dev CA's trust anchor and chain.
pub fn builder(
    config: &Config,
    globals: &Globals,
    store: Arc<dyn AttributesStore>,
) -> anyhow::Result<ServerBuilder> {
    let mut builder = register_native_skills(ServerBuilder::new(config.clone()), store)
        .dev_tls_dir(paths::dev_tls_dir(&globals.data_dir))
        .replay_journal(paths::replay_journal(&globals.data_dir))
        .acme_dir(paths::acme_dir(&globals.data_dir));
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
        // Skills call the mock Alexa API that `invoke` / `dialog` start: trust its CA.
        super::mock_api::trust_mock_for_skills(globals)?;
    }
    Ok(builder)
}

/// The native skills that keep persistent attributes (and so need the store).
pub const SKILLS_WITH_ATTRIBUTES: &[&str] = &["home"];

/// Whether any configured skill keeps persistent attributes; a gateway-only configuration
/// opens no store (so a database it does not use cannot stop it from starting).
pub fn needs_store(config: &Config) -> bool {
    config
        .skill
        .iter()
        .filter_map(|s| s.handler.as_deref())
        .any(|h| SKILLS_WITH_ATTRIBUTES.contains(&h))
}

/// How the store of `config` is described in logs and the banner: the SQLite file, or
/// only the kind of server (a server URL may hold a password).
pub fn describe_store(config: &AttributesConfig, data_dir: &Path) -> String {
    match skillgate_store::Location::parse(&config.url, data_dir) {
        Ok(location) => location.to_string(),
        Err(_) => config.display_url(),
    }
}

/// Opens the attributes store `config` names (relative SQLite paths in `data_dir`),
/// bounded by its `timeout_ms`. The error names the store, never its password.
pub async fn open_store(
    config: &AttributesConfig,
    data_dir: &Path,
) -> anyhow::Result<Arc<dyn AttributesStore>> {
    let options = skillgate_store::OpenOptions {
        timeout: config.timeout(),
        pool_size: config.pool_size,
    };
    skillgate_store::open_with(&config.url, data_dir, options)
        .await
        .with_context(|| {
            format!(
                "cannot open the attributes store {} ([attributes] url = {:?}); check that it runs \
                 and is reachable, or remove the setting to use the embedded default",
                describe_store(config, data_dir),
                config.display_url()
            )
        })
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
    if args.console {
        config.dev.console = true;
    }
    super::console::apply_defaults(&mut config);
    config.validate()?;
    skillgate_server::logging::init(&config.log).map_err(anyhow::Error::msg)?;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let (store, store_shown) = if needs_store(&config) {
        let shown = describe_store(&config.attributes, &globals.data_dir);
        let store = runtime.block_on(open_store(&config.attributes, &globals.data_dir))?;
        tracing::info!(store = %shown, "attributes store ready for the home skill");
        (store, shown)
    } else {
        let unused: Arc<dyn AttributesStore> = Arc::new(skillgate::InMemoryStore::new());
        (
            unused,
            "none (no configured skill keeps attributes)".to_owned(),
        )
    };

    let prometheus = skillgate_server::metrics::install().map_err(anyhow::Error::msg)?;
    let console = match config.dev.console {
        true => Some(super::console::build(&config, globals, Arc::clone(&store))?),
        false => None,
    };
    let mut planned = builder(&config, globals, store)?.prometheus(prometheus);
    if let Some(console) = &console {
        planned = super::console::wire(console, planned);
    }
    let plan = planned.plan()?;
    runtime.block_on(async move {
        let server = plan.start().await?;
        let report = server.report().clone();
        for warning in &report.warnings {
            tracing::warn!("{warning}");
        }
        print_banner(&report, demo, config.dev.dev_ca, &store_shown);
        if let Some(console) = &console {
            // Open event streams end when the shutdown starts, not after the grace period.
            let (handle, console) = (server.handle(), console.clone());
            tokio::spawn(async move {
                handle.stopping().await;
                console.shutdown();
            });
        }
        if let Some(console) = &console
            && let Some(url) = super::console::attach(console, &report).await
        {
            println!("\nLocal console (DEVELOPMENT ONLY, keep the token private):\n  open:  {url}");
        }
        server.run_until_signal().await?;
        tracing::info!("stopped");
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

fn print_banner(report: &StartupReport, demo: bool, dev_ca: bool, store: &str) {
    let mut out = report.lines();
    out.push(format!("Attributes store: {store}"));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_config_default_is_the_store_crates_default() {
        assert_eq!(
            skillgate_server::config::DEFAULT_ATTRIBUTES_URL,
            skillgate_store::DEFAULT_URL
        );
        assert_eq!(
            AttributesConfig::default().timeout(),
            skillgate_store::DEFAULT_TIMEOUT
        );
    }

    #[test]
    fn stores_are_described_without_passwords() {
        let data = Path::new("/var/lib/skillgate");
        let config = |url: &str| AttributesConfig {
            url: url.to_owned(),
            ..AttributesConfig::default()
        };
        assert_eq!(
            describe_store(&config("sqlite://attributes.db"), data),
            "sqlite /var/lib/skillgate/attributes.db"
        );
        assert_eq!(
            describe_store(&config("postgres://app:s3cret@db/skill"), data),
            "postgres"
        );
        let unknown = describe_store(&config("mysql://app:s3cret@db/skill"), data);
        assert!(!unknown.contains("s3cret"), "{unknown}");
    }

    #[test]
    fn only_skills_with_attributes_open_a_store() {
        assert!(needs_store(&Config::demo()));
        let gateway = Config::from_toml_str(
            "[[skill]]\nname = \"py\"\napplication_ids = [\"amzn1.ask.skill.1\"]\n\
             upstream = \"http://127.0.0.1:5000/alexa\"\n\
             [[skill]]\nname = \"hello\"\npath = \"/hello\"\n\
             application_ids = [\"amzn1.ask.skill.2\"]\nhandler = \"hello\"\n",
        )
        .unwrap();
        assert!(!needs_store(&gateway));
    }

    #[tokio::test]
    async fn a_store_that_cannot_be_opened_is_named_in_the_error() {
        let dir = tempfile::tempdir().unwrap();
        let config = AttributesConfig {
            url: "postgres://app:s3cret@127.0.0.1:9/skill".to_owned(),
            timeout_ms: 500,
            ..AttributesConfig::default()
        };
        let err = open_store(&config, dir.path()).await.err().unwrap();
        let text = format!("{err:#}");
        assert!(
            text.contains("cannot open the attributes store postgres"),
            "{text}"
        );
        assert!(!text.contains("s3cret"), "{text}");
    }

    #[tokio::test]
    async fn the_default_store_is_created_in_the_data_dir() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("fresh");
        let store = open_store(&AttributesConfig::default(), &data)
            .await
            .unwrap();
        let key = skillgate::AttributesKey::user("amzn1.ask.skill.t", "amzn1.ask.account.t");
        store
            .save(&key, &serde_json::json!({"on": true}), None)
            .await
            .unwrap();
        assert!(data.join("attributes.db").exists());
    }
}
