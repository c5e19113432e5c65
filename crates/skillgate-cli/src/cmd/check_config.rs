//! `skillgate check-config FILE`: validates a configuration without starting the server.

use std::path::PathBuf;
use std::process::ExitCode;

use skillgate_server::cert_store::CertStore;
use skillgate_server::config::SkillTarget;

use super::Globals;

/// The native skill names this binary registers (see `serve::register_native_skills`).
const NATIVE_SKILLS: &[&str] = &["home", "hello"];

/// Arguments of `skillgate check-config`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The configuration file.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

/// Runs the subcommand: exit 0 when the file would start, 1 with the precise error.
pub fn run(args: Args, _globals: &Globals) -> anyhow::Result<ExitCode> {
    let config = super::serve::load_config(Some(&args.file))?;
    for skill in &config.skill {
        if let SkillTarget::Handler(name) = skill.target()?
            && !NATIVE_SKILLS.contains(&name)
        {
            anyhow::bail!(
                "skill {:?}: no native skill named {name:?} in this binary (available: {})",
                skill.name,
                NATIVE_SKILLS.join(", ")
            );
        }
    }
    let certificates = config.tls.certificates();
    if config.tls.enabled && !certificates.is_empty() {
        let store = CertStore::load(certificates.clone())?;
        for (files, fp) in certificates.iter().zip(store.fingerprints()) {
            println!("certificate {} (SHA-256 {fp})", files.cert.display());
        }
    }
    for path in &config.dev.extra_trust_anchors {
        std::fs::metadata(path)
            .map_err(|e| anyhow::anyhow!("extra trust anchor {}: {e}", path.display()))?;
    }
    for warning in config.dev.warnings() {
        println!("warning: {warning}");
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
    Ok(ExitCode::SUCCESS)
}
