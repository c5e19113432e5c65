//! `skillgate sign`: pre-signed request bodies and their headers, for load tools.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use skillgate_devtools::envelope::{self, Session};

use super::Globals;
use super::invoke::{DetailArgs, IdentityArgs, RequestArgs, build_envelope, dev_signer};

/// Options of `skillgate sign`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Writes DIR/body-0001.json (the exact bytes to POST) and DIR/headers-0001.txt
(`Name: value` lines: Content-Type, SignatureCertChainUrl, Signature, Signature-256), … for
each request, each with its own requestId and session. Timestamps are now: Alexa's rules
accept a request for 150 seconds, so sign right before the load run.

Example: skillgate sign --count 1000 --out /tmp/bodies --intent DeviceStatusIntent --slot device=light"
)]
pub struct Args {
    /// How many requests to write.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub count: u32,
    /// The directory to write into (created if needed).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    #[command(flatten)]
    pub request: RequestArgs,
    #[command(flatten)]
    pub details: DetailArgs,
    #[command(flatten)]
    pub identity: IdentityArgs,
}

/// Runs `skillgate sign`.
pub fn run(args: Args, globals: &Globals) -> anyhow::Result<ExitCode> {
    let signer = dev_signer(globals)?;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    let width = args.count.to_string().len().max(4);
    for i in 1..=args.count {
        let envelope = build_envelope(
            &args.request,
            &args.details,
            &args.identity,
            &Session::fresh(),
        )?;
        let body = envelope::to_body(&envelope);
        let headers = signer.sign(&body)?;
        let body_path = args.out.join(format!("body-{i:0width$}.json"));
        let headers_path = args.out.join(format!("headers-{i:0width$}.txt"));
        std::fs::write(&body_path, &body)
            .with_context(|| format!("writing {}", body_path.display()))?;
        std::fs::write(&headers_path, headers.to_text())
            .with_context(|| format!("writing {}", headers_path.display()))?;
    }
    eprintln!(
        "wrote {} signed request(s) to {} (timestamps accepted for 150 s)",
        args.count,
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
