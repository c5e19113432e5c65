//! `skillgate verify`: check one captured request offline and explain every step.
//!
//! ```text
//! skillgate verify --body body.json --header 'SignatureCertChainUrl: https://…' \
//!     --header 'Signature-256: …' [--chain chain.pem] [--at 2018-07-03T12:37:50Z] \
//!     [--app-id amzn1.ask.skill.…]… [--allow-sha1] [--trust-anchor root.pem]…
//! ```
//!
//! Prints one line per check (`PASS name`, `FAIL name: reason`, `SKIP name`), then exits 0
//! if every check passed, 1 if one failed, 2 on a usage error (including unreadable files).
//! A chain that is not trusted says which certificate failed and why (expired intermediate
//! and its date, unknown issuer and its name).
//!
//! `skillgate verify --fetch URL` downloads a live chain instead and explains it (see
//! [`super::verify_fetch`]).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::SystemTime;

use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use skillgate_verify::http::{HeaderMap, HeaderName, HeaderValue};
use skillgate_verify::{
    ApplicationIds, CERT_URL_HEADER, CertChainUrl, ChainSource, Check, HttpsChainSource,
    StaticChainSource, Verifier, VerifierConfig,
};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::Globals;

/// Exit code for a failed check.
const EXIT_FAILED: u8 = 1;
/// Exit code for a usage error.
const EXIT_USAGE: u8 = 2;

/// Check one captured request offline and explain every verification step.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The raw request body, byte for byte as received.
    #[arg(long, value_name = "FILE", required_unless_present = "fetch")]
    pub body: Option<PathBuf>,

    /// Download the chain at this SignatureCertChainUrl (the verifier's URL rules apply)
    /// and explain it: every certificate, and whether it is trusted now and in 30 days.
    /// Exit 0 only when it is trusted at both; 1 when not; 2 on a usage error; 3 when the
    /// download failed.
    #[arg(long, value_name = "URL", conflicts_with_all = ["body", "headers", "chain"])]
    pub fetch: Option<String>,

    /// With --fetch: connect to ADDR (IP:PORT) for HOST (s3.amazonaws.com), e.g. a local
    /// chain server; TLS still checks the name HOST.
    #[arg(long, value_name = "HOST:ADDR", requires = "fetch")]
    pub resolve: Option<String>,

    /// With --fetch: a PEM file of extra roots trusted for the download's own HTTPS
    /// (development; the Mozilla roots are always trusted).
    #[arg(long = "download-ca", value_name = "PEM", requires = "fetch")]
    pub download_ca: Vec<PathBuf>,

    /// With --fetch: print the explanation as JSON.
    #[arg(long, requires = "fetch")]
    pub json: bool,

    /// A request header as 'Name: value' (repeatable), e.g. the SignatureCertChainUrl and
    /// Signature-256 (or Signature) headers.
    #[arg(long = "header", value_name = "'NAME: VALUE'")]
    pub headers: Vec<String>,

    /// PEM chain to use for the URL in the SignatureCertChainUrl header instead of downloading
    /// it (the URL itself is still checked).
    #[arg(long, value_name = "FILE")]
    pub chain: Option<PathBuf>,

    /// Verify as of this instant (RFC 3339): certificate dates and request timestamp.
    /// Defaults to now.
    #[arg(long, value_name = "RFC3339", value_parser = parse_rfc3339)]
    pub at: Option<OffsetDateTime>,

    /// An accepted application id (repeatable). Without any, every id is accepted and shown.
    #[arg(long = "app-id", value_name = "ID")]
    pub app_ids: Vec<String>,

    /// Accept the legacy SHA-1 `Signature` header when `Signature-256` is absent.
    #[arg(long)]
    pub allow_sha1: bool,

    /// A PEM file of extra trust anchors, added to the Mozilla roots (repeatable; `--ca`
    /// is the same).
    #[arg(long = "trust-anchor", visible_alias = "ca", value_name = "PEM")]
    pub trust_anchors: Vec<PathBuf>,
}

fn parse_rfc3339(s: &str) -> Result<OffsetDateTime, String> {
    OffsetDateTime::parse(s, &Rfc3339)
        .map_err(|e| format!("not an RFC 3339 instant (e.g. 2018-07-03T12:37:50Z): {e}"))
}

/// A usage problem: reported on stderr, exit code 2.
pub(crate) struct Usage(pub(crate) String);

/// Runs the subcommand.
pub fn run(args: Args, _globals: &Globals) -> anyhow::Result<ExitCode> {
    if let Some(url) = &args.fetch {
        return super::verify_fetch::run(url, &args);
    }
    let prepared = match prepare(&args) {
        Ok(prepared) => prepared,
        Err(Usage(message)) => {
            eprintln!("error: {message}");
            return Ok(ExitCode::from(EXIT_USAGE));
        }
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let now = prepared.now;
    let result = runtime.block_on(
        prepared
            .verifier
            .verify(&prepared.headers, &prepared.body, now),
    );
    let failed = result.as_ref().err().map(|e| e.check());
    // The offline command keeps no replay cache: that check is never run here.
    let replay_checked = prepared.verifier.config().replay.is_some();
    for check in Check::ALL {
        match failed {
            _ if *check == Check::Replay && !replay_checked => {
                println!("SKIP {} (no replay cache offline)", check.name())
            }
            Some(f) if *check == f => {
                if let Err(error) = &result {
                    println!("FAIL {}: {error} ({})", check.name(), error.reason());
                }
            }
            Some(f) if *check > f => println!("SKIP {}", check.name()),
            _ => println!("PASS {}", check.name()),
        }
    }
    match result {
        Ok(request) => {
            println!(
                "verified: {} {} for {} ({} signature, chain {}, timestamp {})",
                request.request_type,
                request.request_id,
                request.application_id,
                request.algorithm,
                request.cert_url,
                request
                    .timestamp
                    .format(&Rfc3339)
                    .unwrap_or_else(|_| request.timestamp.to_string()),
            );
            if args.app_ids.is_empty() {
                println!("note: no --app-id given, so any application id was accepted");
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(_) => Ok(ExitCode::from(EXIT_FAILED)),
    }
}

struct Prepared {
    verifier: Verifier,
    headers: HeaderMap,
    body: Vec<u8>,
    now: SystemTime,
}

pub(crate) fn read(path: &Path, what: &str) -> Result<Vec<u8>, Usage> {
    std::fs::read(path).map_err(|e| Usage(format!("cannot read {what} {}: {e}", path.display())))
}

fn parse_header(line: &str) -> Result<(HeaderName, HeaderValue), Usage> {
    let (name, value) = line
        .split_once(':')
        .ok_or_else(|| Usage(format!("--header {line:?} is not 'Name: value'")))?;
    let name = HeaderName::from_bytes(name.trim().as_bytes())
        .map_err(|_| Usage(format!("--header {line:?}: invalid header name")))?;
    let value = HeaderValue::from_str(value.trim_matches([' ', '\t']))
        .map_err(|_| Usage(format!("--header {line:?}: invalid header value")))?;
    Ok((name, value))
}

fn prepare(args: &Args) -> Result<Prepared, Usage> {
    let body_path = args
        .body
        .as_ref()
        .ok_or_else(|| Usage("--body is required".to_owned()))?;
    let body = read(body_path, "--body")?;
    let mut headers = HeaderMap::new();
    for line in &args.headers {
        let (name, value) = parse_header(line)?;
        headers.append(name, value);
    }
    let extra_trust_anchors = read_certs(&args.trust_anchors, "--trust-anchor")?;
    let source: Arc<dyn ChainSource> = match &args.chain {
        Some(path) => {
            let pem = read(path, "--chain")?;
            let mut source = StaticChainSource::new();
            // Map the header's URL (if it passes the URL rules) to the file. A bad or missing
            // URL is reported by the verifier's own checks; no fallback means nothing is
            // ever downloaded.
            let url = headers
                .get(CERT_URL_HEADER)
                .and_then(|v| v.to_str().ok())
                .and_then(|raw| CertChainUrl::parse(raw).ok());
            if let Some(url) = url {
                source.insert(&url, pem);
            }
            Arc::new(source)
        }
        None => Arc::new(
            HttpsChainSource::with_defaults()
                .map_err(|e| Usage(format!("cannot set up downloads: {e}")))?,
        ),
    };
    let config = VerifierConfig {
        application_ids: if args.app_ids.is_empty() {
            ApplicationIds::Any
        } else {
            ApplicationIds::Only(args.app_ids.clone())
        },
        allow_sha1: args.allow_sha1,
        extra_trust_anchors,
        ..VerifierConfig::default()
    };
    let verifier = Verifier::new(config, source).map_err(|e| Usage(e.to_string()))?;
    let now = args
        .at
        .map(SystemTime::from)
        .unwrap_or_else(SystemTime::now);
    Ok(Prepared {
        verifier,
        headers,
        body,
        now,
    })
}

/// Every certificate of the PEM files `paths` (each must hold at least one).
pub(crate) fn read_certs(
    paths: &[PathBuf],
    flag: &str,
) -> Result<Vec<CertificateDer<'static>>, Usage> {
    let mut certs = Vec::new();
    for path in paths {
        let pem = read(path, flag)?;
        let mut found = 0;
        for cert in CertificateDer::pem_slice_iter(&pem) {
            let cert = cert.map_err(|e| Usage(format!("{flag} {}: {e}", path.display())))?;
            certs.push(cert);
            found += 1;
        }
        if found == 0 {
            return Err(Usage(format!(
                "{flag} {}: no PEM certificate found",
                path.display()
            )));
        }
    }
    Ok(certs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_lines() {
        let (n, v) = parse_header("Signature-256:  abc= ").ok().unwrap();
        assert_eq!(n.as_str(), "signature-256");
        assert_eq!(v, "abc=");
        assert!(parse_header("no colon").is_err());
        assert!(parse_header("bad name: x").is_err());
        assert!(parse_header("X: a\u{7f}b").is_err());
    }

    #[test]
    fn at_is_rfc3339() {
        assert!(parse_rfc3339("2018-07-03T12:37:50Z").is_ok());
        assert!(parse_rfc3339("2018-07-03").is_err());
    }
}
