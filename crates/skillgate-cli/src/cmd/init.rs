//! `skillgate init`: writes a fully commented example configuration; with `--acme` its
//! certificate comes from Let's Encrypt (`[tls.acme]`) and it listens on 443.

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
    /// Get the certificate automatically from Let's Encrypt (`[tls.acme]`, tls-alpn-01 on
    /// port 443) for the `--domain` names.
    #[arg(long, requires = "domain")]
    pub acme: bool,
    /// With `--acme`: a name of your endpoint (repeat for more), e.g. skill.example.com.
    #[arg(long, value_name = "NAME", requires = "acme")]
    pub domain: Vec<String>,
    /// With `--acme`: the account contact, e.g. mailto:you@example.com (expiry mail).
    #[arg(long, value_name = "URL", requires = "acme")]
    pub contact: Vec<String>,
}

/// The example configuration with a `[tls.acme]` block for `domains` and `contact`,
/// listening on 0.0.0.0:443.
pub fn acme_config(domains: &[String], contact: &[String]) -> anyhow::Result<String> {
    let base = skillgate_server::config::EXAMPLE_TOML;
    let listen = "listen = \"0.0.0.0:8443\"";
    anyhow::ensure!(
        base.contains(listen) && base.contains("\n[limits]\n"),
        "the example configuration changed shape; cannot add [tls.acme]"
    );
    // JSON strings are valid TOML basic strings.
    let list = |items: &[String]| -> anyhow::Result<String> {
        let quoted = items
            .iter()
            .map(serde_json::to_string)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(format!("[{}]", quoted.join(", ")))
    };
    let contact_line = if contact.is_empty() {
        "# contact = [\"mailto:you@example.com\"]  # recommended: Let's Encrypt's expiry mail"
            .to_owned()
    } else {
        format!("contact = {}", list(contact)?)
    };
    let block = format!(
        "# The certificate comes from Let's Encrypt, renewed automatically (state in\n\
         # <data>/acme). tls-alpn-01: port 443 of every domain must reach this listener.\n\
         # Try directory = \"letsencrypt-staging\" first if you are experimenting.\n\
         [tls.acme]\n\
         domains = {}\n\
         {contact_line}\n\
         directory = \"letsencrypt\"\n\
         challenge = \"tls-alpn-01\"\n\
         # challenge = \"http-01\" with http_listen = \"0.0.0.0:80\" answers on port 80 instead\n\
         # (and redirects every other request there to https://).\n\n\
         [limits]\n",
        list(domains)?
    );
    Ok(base
        .replacen(listen, "listen = \"0.0.0.0:443\"", 1)
        .replacen("\n[limits]\n", &format!("\n{block}"), 1))
}

/// Runs the subcommand.
pub fn run(args: Args, _globals: &Globals) -> anyhow::Result<ExitCode> {
    let text = if args.acme {
        acme_config(&args.domain, &args.contact)?
    } else {
        skillgate_server::config::EXAMPLE_TOML.to_owned()
    };
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
    if args.acme {
        println!(
            "wrote {path} (certificate from Let's Encrypt for {domains}, listening on 443)\n\
             next: put your skill id (Alexa developer console > Build > Endpoint) in application_ids,\n\
             \x20     point the DNS of {domains} at this machine and open port 443,\n\
             \x20     then: skillgate check-config {path} && skillgate serve --config {path}",
            path = args.output.display(),
            domains = args.domain.join(", ")
        );
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "wrote {path}\n\
         next: put your skill id (Alexa developer console > Build > Endpoint) in application_ids,\n\
         \x20     set tls.cert/tls.key to your certificate (e.g. certbot's fullchain.pem/privkey.pem),\n\
         \x20     then: skillgate check-config {path} && skillgate serve --config {path}",
        path = args.output.display()
    );
    Ok(ExitCode::SUCCESS)
}
