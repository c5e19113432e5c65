//! `skillgate verify --fetch URL`: download a live signing chain with the verifier's own URL
//! rules and downloader, and explain it.
//!
//! ```text
//! skillgate verify --fetch https://s3.amazonaws.com/echo.api/echo-api-cert-12.pem \
//!     [--at RFC3339] [--json] [--ca root.pem]… [--resolve s3.amazonaws.com:127.0.0.1:8443] \
//!     [--download-ca tls-root.pem]…
//! ```
//!
//! Prints every certificate (subject, issuer, serial, notBefore/notAfter, days left, key,
//! DNS names of the signing certificate) and whether the chain is valid for Alexa request
//! signing against the Mozilla roots (plus any `--ca`, said in the output) now and in 30
//! days, with the first failure (which certificate, why) when not.
//!
//! Exit codes: 0 trusted now and in 30 days; 1 not trusted now or in 30 days (or the
//! download is not a PEM chain); 2 usage error (bad URL, unreadable file); 3 the download
//! failed.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::SystemTime;

use serde_json::json;
use skillgate_verify::chain::parse_pem;
use skillgate_verify::trust_failure::format_unix;
use skillgate_verify::{
    CertChainUrl, ChainReport, ChainSource, HttpsChainSource, HttpsChainSourceConfig, TrustStore,
    Verdict,
};

use super::verify::{Args, Usage, read_certs};

/// Exit code: not trusted now or in 30 days.
const EXIT_UNTRUSTED: u8 = 1;
/// Exit code: usage error.
const EXIT_USAGE: u8 = 2;
/// Exit code: the download failed.
const EXIT_DOWNLOAD: u8 = 3;

/// Runs `verify --fetch URL`.
pub fn run(url: &str, args: &Args) -> anyhow::Result<ExitCode> {
    let prepared = match prepare(url, args) {
        Ok(p) => p,
        Err(Usage(message)) => {
            eprintln!("error: {message}");
            return Ok(ExitCode::from(EXIT_USAGE));
        }
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let pem = match runtime.block_on(prepared.source.fetch(&prepared.url)) {
        Ok(pem) => pem,
        Err(error) => {
            eprintln!("error: cannot download {}: {error}", prepared.url.as_str());
            return Ok(ExitCode::from(EXIT_DOWNLOAD));
        }
    };
    let certs = match parse_pem(&pem) {
        Ok(certs) => certs,
        Err(error) => {
            eprintln!(
                "error: {} is not a PEM chain: {error} ({})",
                prepared.url.as_str(),
                error.reason()
            );
            return Ok(ExitCode::from(EXIT_UNTRUSTED));
        }
    };
    let report = ChainReport::inspect(&certs, &prepared.trust, prepared.now);
    if args.json {
        println!("{:#}", to_json(&prepared, &report));
    } else {
        for line in lines(&prepared, &report) {
            println!("{line}");
        }
    }
    Ok(if report.trusted_now_and_later() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_UNTRUSTED)
    })
}

struct Prepared {
    url: CertChainUrl,
    source: HttpsChainSource,
    trust: TrustStore,
    extra_anchors: usize,
    now: i64,
}

/// `HOST:ADDR`: HOST must be the chain host; ADDR an `IP:PORT`.
fn parse_resolve(text: &str) -> Result<(String, SocketAddr), Usage> {
    let (host, addr) = text
        .split_once(':')
        .ok_or_else(|| Usage(format!("--resolve {text:?} is not HOST:ADDR")))?;
    let addr: SocketAddr = addr.parse().map_err(|_| {
        Usage(format!(
            "--resolve {text:?}: {addr:?} is not IP:PORT (e.g. 127.0.0.1:8443)"
        ))
    })?;
    if !host.eq_ignore_ascii_case(skillgate_verify::cert_url::CERT_URL_HOST) {
        return Err(Usage(format!(
            "--resolve {text:?}: chain URLs are on {} only",
            skillgate_verify::cert_url::CERT_URL_HOST
        )));
    }
    Ok((host.to_owned(), addr))
}

fn prepare(url: &str, args: &Args) -> Result<Prepared, Usage> {
    let url = CertChainUrl::parse(url)
        .map_err(|e| Usage(format!("--fetch {url:?} breaks the chain URL rules: {e}")))?;
    let connect_to = match &args.resolve {
        Some(text) => Some(parse_resolve(text)?.1),
        None => None,
    };
    let extra_tls_roots = read_certs(&args.download_ca, "--download-ca")?;
    let source = HttpsChainSource::new(HttpsChainSourceConfig {
        connect_to,
        extra_tls_roots,
        ..HttpsChainSourceConfig::default()
    })
    .map_err(|e| Usage(format!("cannot set up downloads: {e}")))?;
    let anchors = read_certs(&args.trust_anchors, "--ca")?;
    let trust = TrustStore::new(&anchors).map_err(|e| Usage(format!("--ca: {e}")))?;
    let now = args
        .at
        .map(SystemTime::from)
        .unwrap_or_else(SystemTime::now);
    let now = match now.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(_) => 0,
    };
    Ok(Prepared {
        url,
        source,
        trust,
        extra_anchors: anchors.len(),
        now,
    })
}

fn days(seconds: i64) -> i64 {
    seconds.div_euclid(86_400)
}

fn anchors_text(extra: usize) -> String {
    if extra == 0 {
        "Mozilla roots (webpki-roots)".to_owned()
    } else {
        format!(
            "Mozilla roots (webpki-roots) + {extra} extra anchor(s) from --ca (added for \
             testing: Alexa verifiers trust the Mozilla roots only)"
        )
    }
}

fn verdict_line(label: &str, verdict: &Verdict) -> String {
    match &verdict.result {
        Ok(()) => format!("{label} ({}): TRUSTED", format_unix(verdict.at)),
        Err(error) => format!(
            "{label} ({}): NOT TRUSTED: {error} ({})",
            format_unix(verdict.at),
            error.reason()
        ),
    }
}

fn lines(p: &Prepared, report: &ChainReport) -> Vec<String> {
    let mut out = vec![
        format!(
            "chain {} ({} certificate(s))",
            p.url.as_str(),
            report.certificates.len()
        ),
        format!("trust anchors: {}", anchors_text(p.extra_anchors)),
    ];
    for cert in &report.certificates {
        let role = if cert.index == 0 {
            " (signing certificate)"
        } else {
            ""
        };
        out.push(format!("certificate {}{role}", cert.index));
        out.push(format!("  subject:    {}", cert.subject));
        out.push(format!("  issuer:     {}", cert.issuer));
        out.push(format!("  serial:     {}", cert.serial));
        out.push(format!("  not before: {}", format_unix(cert.not_before)));
        let left = cert.not_after.saturating_sub(p.now);
        let left_text = if left < 0 {
            format!("EXPIRED {} day(s) ago", days(-left))
        } else {
            format!("{} day(s) left", days(left))
        };
        out.push(format!(
            "  not after:  {} ({left_text})",
            format_unix(cert.not_after)
        ));
        out.push(format!("  key:        {}", cert.key));
        if cert.index == 0 {
            out.push(format!("  DNS names:  {}", cert.dns_names.join(", ")));
        }
    }
    out.push(verdict_line("now", &report.now));
    out.push(verdict_line("in 30 days", &report.later));
    out.push(
        if report.trusted_now_and_later() {
            "verdict: trusted now and in 30 days"
        } else if report.now.result.is_ok() {
            "verdict: trusted now, NOT in 30 days: Amazon should serve a renewed chain before then"
        } else {
            "verdict: NOT trusted now: requests signed with this chain are refused"
        }
        .to_owned(),
    );
    out
}

fn verdict_json(verdict: &Verdict) -> serde_json::Value {
    match &verdict.result {
        Ok(()) => json!({"at": format_unix(verdict.at), "trusted": true}),
        Err(error) => json!({
            "at": format_unix(verdict.at),
            "trusted": false,
            "reason": error.reason(),
            "error": error.to_string(),
        }),
    }
}

fn to_json(p: &Prepared, report: &ChainReport) -> serde_json::Value {
    let certificates: Vec<_> = report
        .certificates
        .iter()
        .map(|c| {
            json!({
                "index": c.index,
                "subject": c.subject,
                "issuer": c.issuer,
                "serial": c.serial,
                "not_before": format_unix(c.not_before),
                "not_after": format_unix(c.not_after),
                "not_after_unix": c.not_after,
                "days_left": days(c.not_after.saturating_sub(p.now)),
                "key": c.key,
                "dns_names": c.dns_names,
            })
        })
        .collect();
    json!({
        "url": p.url.as_str(),
        "trust_anchors": {"mozilla": true, "extra": p.extra_anchors},
        "certificates": certificates,
        "now": verdict_json(&report.now),
        "in_30_days": verdict_json(&report.later),
        "trusted": report.trusted_now_and_later(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_is_host_colon_ip_port_for_the_chain_host_only() {
        let (host, addr) = parse_resolve("s3.amazonaws.com:127.0.0.1:8443")
            .ok()
            .unwrap();
        assert_eq!(host, "s3.amazonaws.com");
        assert_eq!(addr, "127.0.0.1:8443".parse().unwrap());
        assert!(parse_resolve("s3.amazonaws.com:[::1]:443").is_ok());
        assert!(parse_resolve("example.com:127.0.0.1:443").is_err());
        assert!(parse_resolve("s3.amazonaws.com:127.0.0.1").is_err());
        assert!(parse_resolve("nothing").is_err());
    }
}
