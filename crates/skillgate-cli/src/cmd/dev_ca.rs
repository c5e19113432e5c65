//! `skillgate dev-ca`: the local development CA that signs simulated Alexa requests.

use std::process::ExitCode;

use rustls_pki_types::CertificateDer;
use skillgate_devtools::dev_ca::{self, DevCa, DevCaPaths};

use super::Globals;
use crate::paths;

/// `dev-ca` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Create the development CA and an `echo-api.amazon.com` signing certificate in the
    /// data directory (`<data>/dev-ca`). Start the server with `serve --dev-ca` to trust it.
    Init(InitArgs),
    /// Print where the development CA lives and the chain URL dev-signed requests carry.
    Show,
}

/// Options of `dev-ca init`.
#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// Replace an existing development CA (requests signed by the old one stop verifying).
    #[arg(long)]
    pub force: bool,
}

/// Runs a `dev-ca` subcommand.
pub fn run(command: Command, globals: &Globals) -> anyhow::Result<ExitCode> {
    let dir = paths::dev_ca_dir(&globals.data_dir);
    match command {
        Command::Init(args) => {
            let files = DevCaPaths::new(&dir);
            if files.any_exists() && !args.force {
                anyhow::bail!(
                    "a development CA already exists in {} (use `skillgate dev-ca init --force` to replace it)",
                    dir.display()
                );
            }
            let ca = DevCa::generate(time::OffsetDateTime::now_utc())?;
            let files = ca.write(&dir, args.force)?;
            println!("Created the skillgate development CA (local testing only, not Amazon):");
            print_paths(&files);
            println!();
            println!("Next: `skillgate serve --dev-ca` trusts it (in addition to the real roots),");
            println!(
                "then `skillgate invoke https://127.0.0.1:8443/alexa --launch` sends a signed request."
            );
            println!("Servers started without --dev-ca reject these requests like any forgery.");
            Ok(ExitCode::SUCCESS)
        }
        Command::Show => {
            DevCa::load(&dir)?;
            println!("skillgate development CA (local testing only, not Amazon):");
            print_paths(&DevCaPaths::new(&dir));
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn print_paths(files: &DevCaPaths) {
    println!("  CA certificate:  {}", files.ca.display());
    println!("  signing chain:   {}", files.chain.display());
    println!("  signing key:     {}", files.signing_key.display());
    println!("  chain URL:       {}", dev_ca::DEV_CHAIN_URL);
}

/// What `serve --dev-ca` adds to the verifier: the dev CA as an extra trust
/// anchor and one chain URL resolved to the local chain without a download.
#[derive(Debug, Clone)]
pub struct ServerOverrides {
    /// The dev CA certificate, trusted in addition to the Mozilla roots.
    pub trust_anchor: CertificateDer<'static>,
    /// The well-formed `https://s3.amazonaws.com/echo.api/...` URL the dev signer puts in
    /// `SignatureCertChainUrl`.
    pub chain_url: String,
    /// The PEM chain (signing certificate first) that URL resolves to.
    pub chain_pem: Vec<u8>,
}

/// Loads the dev CA from the data directory for `serve --dev-ca`.
pub fn server_overrides(globals: &Globals) -> anyhow::Result<ServerOverrides> {
    let ca = DevCa::load(&paths::dev_ca_dir(&globals.data_dir))?;
    Ok(ServerOverrides {
        trust_anchor: ca.ca_der()?,
        chain_url: dev_ca::DEV_CHAIN_URL.to_string(),
        chain_pem: ca.chain_pem().as_bytes().to_vec(),
    })
}
