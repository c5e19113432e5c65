//! Placeholder: being built (`skillgate dev-ca`).

use std::process::ExitCode;

use rustls_pki_types::CertificateDer;

use super::Globals;

/// Subcommands (placeholder).
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Placeholder.
    Placeholder,
}

/// Runs the subcommand.
pub fn run(_command: Command, _globals: &Globals) -> anyhow::Result<ExitCode> {
    anyhow::bail!("not implemented yet")
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
pub fn server_overrides(_globals: &Globals) -> anyhow::Result<ServerOverrides> {
    anyhow::bail!("not implemented yet")
}
