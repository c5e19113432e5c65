//! `serve --console`: builds the local web console (crate `skillgate-console`) from the
//! configuration, wires it into the server builder (an observer on every skill path, routes
//! on the admin listener), and points its simulator at the bound server.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use anyhow::Context as _;
use skillgate::AttributesStore;
use skillgate_console::{Console, ConsoleOptions, SimulatorSetup, SkillModel, Target};
use skillgate_devtools::client::TrustOptions;
use skillgate_devtools::envelope::DEFAULT_APP_ID;
use skillgate_server::config::Config;
use skillgate_server::{ServerBuilder, StartupReport};

use super::Globals;
use crate::paths;

/// With the console on and no admin listener configured, the console gets its own on a
/// free loopback port (it is never served on the Alexa-facing listener).
pub fn apply_defaults(config: &mut Config) {
    if config.dev.console && config.admin_listen.is_none() {
        config.admin_listen = Some(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)));
    }
}

/// The console for `config`: the models of its native skills, the dev CA's signer, the
/// development certificate to trust, the mock Alexa API's directory and the store.
pub fn build(
    config: &Config,
    globals: &Globals,
    store: Arc<dyn AttributesStore>,
) -> anyhow::Result<Console> {
    let signer = super::invoke::dev_signer(globals)
        .context("--console needs the development CA: run `skillgate dev-ca init` first")?;
    let mut extra_certs = vec![paths::dev_tls_dir(&globals.data_dir).join("cert.pem")];
    extra_certs.extend(config.tls.cert.iter().cloned());
    extra_certs.extend(config.tls.certificate.iter().map(|c| c.cert.clone()));
    let models = config
        .skill
        .iter()
        .filter_map(|skill| {
            let exported = match skill.handler.as_deref()? {
                "home" => skillgate_example_home::interaction_models().export(),
                _ => return None,
            };
            let (locale, model) = exported
                .get_key_value("en-US")
                .or_else(|| exported.iter().next())?;
            Some(SkillModel::new(&skill.name, locale, model.clone()))
        })
        .collect();
    let options = ConsoleOptions {
        capacity: skillgate_console::DEFAULT_CAPACITY,
        body_cap: skillgate_console::DEFAULT_BODY_CAP,
        models,
        simulator: SimulatorSetup {
            signer,
            trust: TrustOptions {
                extra_certs,
                insecure: false,
                timeout: None,
            },
            mock_dir: Some(paths::mock_api_dir(&globals.data_dir)),
            store: Some(store),
        },
    };
    Ok(Console::new(options)?)
}

/// Hangs the console on the builder.
pub fn wire(console: &Console, builder: ServerBuilder) -> ServerBuilder {
    builder
        .observer(console.observer())
        .admin_routes(console.router())
}

/// Points the simulator at the bound server; returns the URL to open (with the token).
pub async fn attach(console: &Console, report: &StartupReport) -> Option<String> {
    let targets = report
        .skills
        .iter()
        .map(|skill| Target {
            skill: skill.name.clone(),
            url: report.local_url(&skill.path),
            application_id: skill
                .application_ids
                .first()
                .cloned()
                .unwrap_or_else(|| DEFAULT_APP_ID.to_owned()),
        })
        .collect();
    console.attach(targets).await;
    let admin = report.admin_listen?;
    Some(console.url(&format!("http://{admin}")))
}
