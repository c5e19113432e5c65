//! `skillgate cert`: TLS certificates for the server.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use skillgate_server::dev_cert;

use super::Globals;

/// Subcommands of `skillgate cert`.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Write a certificate for Alexa's "I will upload a self-signed certificate" option
    /// (development only) and print how to upload it.
    SelfSigned {
        /// The fully qualified domain name of your endpoint (e.g. skill.example.com).
        #[arg(long, value_name = "NAME")]
        domain: String,
        /// Directory for `cert.pem` and `key.pem`.
        #[arg(long, value_name = "DIR", default_value = ".")]
        out: PathBuf,
        /// Overwrite existing files.
        #[arg(long)]
        force: bool,
    },
}

/// Runs the subcommand.
pub fn run(command: Command, _globals: &Globals) -> anyhow::Result<ExitCode> {
    match command {
        Command::SelfSigned { domain, out, force } => {
            let cert_path = out.join("cert.pem");
            let key_path = out.join("key.pem");
            if !force && (cert_path.exists() || key_path.exists()) {
                anyhow::bail!(
                    "{} or {} exists (use --force to overwrite)",
                    cert_path.display(),
                    key_path.display()
                );
            }
            let generated = dev_cert::alexa_self_signed(&domain)
                .with_context(|| format!("--domain {domain:?} must be a DNS name"))?;
            let files = dev_cert::write(&out, &generated)?;
            println!(
                "wrote {cert} (RSA 2048, CN and DNS name {domain}, valid 2 years)\n\
                 and   {key} (private key, mode 0600: keep it secret)\n\
                 SHA-256 fingerprint: {fp}\n\n\
                 Upload it (development and testing only; certification needs a trusted certificate):\n\
                 \x20 1. Alexa developer console > your skill > Build > Endpoint > HTTPS.\n\
                 \x20 2. Default Region: https://{domain}/alexa (your path).\n\
                 \x20 3. SSL certificate type: \"I will upload a self-signed certificate in X.509 format\".\n\
                 \x20 4. Paste the whole content of {cert}, BEGIN and END lines included. Save Endpoints.\n\n\
                 Serve it (skillgate.toml):\n\
                 \x20 [tls]\n\
                 \x20 cert = \"{cert}\"\n\
                 \x20 key = \"{key}\"",
                cert = files.cert.display(),
                key = files.key.display(),
                fp = files.fingerprint,
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
