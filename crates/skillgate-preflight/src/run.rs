//! One preflight run: the TLS checks, then every request case, into a [`Report`].

use std::net::SocketAddr;
use std::time::{Duration, SystemTime};

use rustls_pki_types::UnixTime;
use skillgate_devtools::sign::Signer;
use time::OffsetDateTime;

use crate::cases::{self, Case, Context};
use crate::error::Error;
use crate::http;
use crate::legacy::{self, LegacyVersion};
use crate::report::{Check, Group, Outcome, Report};
use crate::target::{self, ALEXA_PORT, Endpoint};
use crate::tls::{self, Trust, Versions};

/// Certificates with fewer days left than this get a warning.
pub const EXPIRY_WARN_DAYS: i64 = 14;

/// What to check and how.
#[derive(Debug)]
pub struct Options {
    /// The endpoint URL, e.g. `https://skill.example.com/alexa`.
    pub url: String,
    /// `HOST:ADDR`: dial ADDR (IP or IP:PORT) for the URL's host.
    pub resolve: Option<String>,
    /// Which certificate the endpoint must present.
    pub trust: Trust,
    /// The skill's application id (the other cases carry it; one case carries another).
    pub app_id: String,
    /// Sign requests with the development CA (the server must trust it).
    pub signer: Option<Signer>,
    /// The chain URL of the unsigned cases.
    pub amazon_chain_url: String,
    /// Limit for each connection and request.
    pub timeout: Duration,
    /// Only the TLS checks, no requests.
    pub tls_only: bool,
}

impl Options {
    /// Options for `url` with the defaults: Mozilla trust, the default application id, no
    /// development CA, Amazon's chain URL, 10 s per request.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            resolve: None,
            trust: Trust::Mozilla,
            app_id: skillgate_devtools::envelope::DEFAULT_APP_ID.into(),
            signer: None,
            amazon_chain_url: cases::AMAZON_CHAIN_URL.into(),
            timeout: Duration::from_secs(10),
            tls_only: false,
        }
    }
}

struct Meta {
    id: &'static str,
    title: &'static str,
    meaning: &'static str,
    fix: &'static str,
}

fn tls_check(meta: &Meta, outcome: Outcome, detail: impl Into<String>) -> Check {
    Check {
        id: meta.id,
        group: Group::Tls,
        title: meta.title,
        outcome,
        detail: detail.into(),
        indistinguishable: false,
        meaning: meta.meaning,
        fix: meta.fix,
    }
}

const PORT: Meta = Meta {
    id: "tls_port_443",
    title: "endpoint on port 443",
    meaning: "Alexa only calls HTTPS endpoints on port 443",
    fix: "serve on 443 (or forward 443 to the server) and register the URL without a port",
};
const REACHABLE: Meta = Meta {
    id: "tls_reachable",
    title: "TLS 1.2+ handshake",
    meaning: "Alexa cannot open a TLS 1.2 or 1.3 connection to the endpoint",
    fix: "check DNS, the firewall, that the server listens on this address, and that it offers TLS 1.2 or 1.3",
};
const TLS12: Meta = Meta {
    id: "tls_1_2",
    title: "TLS 1.2 accepted",
    meaning: "only TLS 1.3 is offered; Alexa's endpoint requirements are written for TLS 1.2, so a 1.3-only endpoint is a risk",
    fix: "enable TLS 1.2 (with ECDHE and AES-GCM suites) next to 1.3",
};
const LEGACY: Meta = Meta {
    id: "tls_legacy_refused",
    title: "TLS 1.0 and 1.1 refused",
    meaning: "the server still speaks TLS 1.0 or 1.1, which certification rejects",
    fix: "set the minimum protocol to TLS 1.2 (nginx: ssl_protocols TLSv1.2 TLSv1.3; skillgate and rustls never speak older versions)",
};
const CHAIN: Meta = Meta {
    id: "tls_chain",
    title: "certificate chain trusted",
    meaning: "Alexa does not trust the certificate (or it is not the self-signed certificate uploaded in the console)",
    fix: "serve the full chain from a public CA (certbot's fullchain.pem, or [tls.acme]); for the self-signed development option pass the uploaded file with --self-signed",
};
const NAME: Meta = Meta {
    id: "tls_name",
    title: "certificate valid for the host",
    meaning: "the certificate does not name the endpoint's host",
    fix: "get a certificate whose subject alternative names include the host of the endpoint URL",
};
const EXPIRY: Meta = Meta {
    id: "tls_expiry",
    title: "certificate within its validity",
    meaning: "the certificate has expired or is not valid yet",
    fix: "renew the certificate (certbot renew, or let [tls.acme] do it) and check the server's clock",
};

fn unix_now() -> (UnixTime, i64) {
    let now = SystemTime::now();
    let secs = now
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0);
    (
        UnixTime::since_unix_epoch(Duration::from_secs(secs.max(0).unsigned_abs())),
        secs,
    )
}

async fn tls_checks(
    endpoint: &Endpoint,
    addr: SocketAddr,
    options: &Options,
) -> (Vec<Check>, bool) {
    let mut checks = Vec::new();
    checks.push(if endpoint.port == ALEXA_PORT {
        tls_check(&PORT, Outcome::Pass, "443")
    } else {
        tls_check(
            &PORT,
            Outcome::Fail,
            format!("the URL names port {}", endpoint.port),
        )
    });
    let name = match endpoint.server_name() {
        Ok(n) => n,
        Err(e) => {
            checks.push(tls_check(&REACHABLE, Outcome::Fail, e.to_string()));
            return (checks, false);
        }
    };
    let modern = tls::handshake(addr, name.clone(), Versions::Modern, true, options.timeout).await;
    let chain = match &modern {
        Ok(hs) => {
            checks.push(tls_check(
                &REACHABLE,
                Outcome::Pass,
                format!("negotiated {}", hs.version),
            ));
            Some(hs.chain.clone())
        }
        Err(e) => {
            checks.push(tls_check(&REACHABLE, Outcome::Fail, e.clone()));
            None
        }
    };
    drop(modern);
    let reachable = chain.is_some();
    if reachable {
        match tls::handshake(
            addr,
            name.clone(),
            Versions::Tls12Only,
            true,
            options.timeout,
        )
        .await
        {
            Ok(_) => checks.push(tls_check(
                &TLS12,
                Outcome::Pass,
                "TLS 1.2 handshake completed",
            )),
            Err(e) => checks.push(tls_check(&TLS12, Outcome::Warn, e)),
        }
    } else {
        checks.push(tls_check(&TLS12, Outcome::Skipped, "no TLS connection"));
    }

    let sni = match &name {
        rustls_pki_types::ServerName::DnsName(d) => Some(d.as_ref()),
        _ => None,
    };
    let mut accepted = Vec::new();
    let mut answers = Vec::new();
    let mut unreachable = false;
    for version in [LegacyVersion::Tls10, LegacyVersion::Tls11] {
        let answer = legacy::probe(addr, sni, version, options.timeout).await;
        if answer.accepted() {
            accepted.push(version.name());
        }
        unreachable |= matches!(answer, legacy::LegacyAnswer::Unreachable(_));
        answers.push(format!("{}: {}", version.name(), answer.describe()));
    }
    let outcome = if !accepted.is_empty() {
        Outcome::Fail
    } else if unreachable {
        Outcome::Skipped
    } else {
        Outcome::Pass
    };
    checks.push(tls_check(&LEGACY, outcome, answers.join("; ")));

    let (now, now_secs) = unix_now();
    match &chain {
        None => {
            for meta in [&CHAIN, &NAME, &EXPIRY] {
                checks.push(tls_check(meta, Outcome::Skipped, "no TLS connection"));
            }
        }
        Some(chain) => {
            checks.push(match tls::check_chain(chain, &options.trust, now) {
                Ok(d) => tls_check(&CHAIN, Outcome::Pass, d),
                Err(d) => tls_check(&CHAIN, Outcome::Fail, d),
            });
            checks.push(match tls::check_name(chain, &name) {
                Ok(d) => tls_check(&NAME, Outcome::Pass, d),
                Err(d) => tls_check(&NAME, Outcome::Fail, d),
            });
            checks.push(match tls::validity(chain) {
                Err(d) => tls_check(&EXPIRY, Outcome::Fail, d),
                Ok((not_before, _)) if not_before > now_secs => tls_check(
                    &EXPIRY,
                    Outcome::Fail,
                    format!("not valid for another {} s", not_before - now_secs),
                ),
                Ok((_, not_after)) => {
                    let days = tls::days_left(not_after, now_secs);
                    if not_after < now_secs {
                        tls_check(
                            &EXPIRY,
                            Outcome::Fail,
                            format!("expired {} days ago", -days),
                        )
                    } else if days < EXPIRY_WARN_DAYS {
                        tls_check(
                            &EXPIRY,
                            Outcome::Warn,
                            format!("{days} days left: renew soon"),
                        )
                    } else {
                        tls_check(&EXPIRY, Outcome::Pass, format!("{days} days left"))
                    }
                }
            });
        }
    }
    (checks, reachable)
}

fn case_check(case: Case, dev_ca: bool, outcome: Outcome, detail: String) -> Check {
    Check {
        id: case.id(),
        group: case.group(),
        title: case.title(),
        outcome,
        detail,
        indistinguishable: case.indistinguishable(dev_ca),
        meaning: case.meaning(),
        fix: case.fix(),
    }
}

fn judge(case: Case, answer: &http::Answer) -> (Outcome, String) {
    let expected = case.expected_status();
    let status = answer.status;
    if status == expected {
        if expected == 200 && serde_json::from_slice::<serde_json::Value>(&answer.body).is_err() {
            return (Outcome::Fail, "200 but the body is not JSON".into());
        }
        return (Outcome::Pass, status.to_string());
    }
    let why = match status {
        200..=299 if expected == 400 => "accepted",
        500..=599 => "server error",
        400..=499 if expected == 400 => "Amazon expects exactly 400",
        _ => "unexpected status",
    };
    (
        Outcome::Fail,
        format!("{status} ({why}; expected {expected})"),
    )
}

/// Runs every check against the endpoint. Endpoint problems are failed checks in the
/// report; only unusable options are errors.
pub async fn run(options: &Options) -> Result<Report, Error> {
    let endpoint = Endpoint::parse(&options.url)?;
    let addr = target::connect_address(&endpoint, options.resolve.as_deref()).await?;
    let dev_ca = options.signer.is_some();
    let (mut checks, reachable) = tls_checks(&endpoint, addr, options).await;

    let now = OffsetDateTime::now_utc();
    let ctx = Context {
        now,
        app_id: &options.app_id,
        amazon_chain_url: &options.amazon_chain_url,
        signer: options.signer.as_ref(),
    };
    let cases = if options.tls_only {
        Vec::new()
    } else {
        Case::all(dev_ca)
    };
    for case in cases {
        if !reachable {
            checks.push(case_check(
                case,
                dev_ca,
                Outcome::Skipped,
                "no TLS connection".into(),
            ));
            continue;
        }
        let probe = cases::build(case, &ctx)?;
        let check = match http::send(&endpoint, addr, &probe, options.timeout).await {
            Ok(answer) => {
                let (outcome, detail) = judge(case, &answer);
                case_check(case, dev_ca, outcome, detail)
            }
            Err(e) => case_check(case, dev_ca, Outcome::Fail, e),
        };
        checks.push(check);
    }
    Ok(Report::new(
        endpoint.url.clone(),
        addr.to_string(),
        if dev_ca { "dev_ca" } else { "amazon" },
        checks,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: &str) -> http::Answer {
        http::Answer {
            status,
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn judges_statuses() {
        assert_eq!(judge(Case::NotJson, &answer(400, "")).0, Outcome::Pass);
        let (o, d) = judge(Case::NotJson, &answer(200, "{}"));
        assert_eq!(o, Outcome::Fail);
        assert!(d.contains("accepted"), "{d}");
        let (_, d) = judge(Case::NotJson, &answer(500, ""));
        assert!(d.contains("server error"), "{d}");
        let (_, d) = judge(Case::NotJson, &answer(403, ""));
        assert!(d.contains("exactly 400"), "{d}");
        assert_eq!(
            judge(Case::ValidLaunch, &answer(200, "{}")).0,
            Outcome::Pass
        );
        assert_eq!(
            judge(Case::ValidLaunch, &answer(200, "<html>")).0,
            Outcome::Fail
        );
        assert_eq!(judge(Case::ValidLaunch, &answer(400, "")).0, Outcome::Fail);
    }
}
