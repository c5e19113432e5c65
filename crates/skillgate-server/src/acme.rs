//! `[tls.acme]`: certificates from Let's Encrypt (or any RFC 8555 directory) through
//! `skillgate-acme`, obtained and renewed by the server itself.
//!
//! The plan step checks the settings, reads `extra_roots` and opens the state directory
//! (`<data>/acme`, files mode 0600) without any network call; the stored certificate, if
//! any, is served at once. [`crate::Server::run`] runs the ordering/renewal task (and the
//! http-01 listener) until shutdown.
//!
//! Until the first certificate arrives, TLS handshakes on the main listener fail (the
//! client gets a TLS alert: no certificate is offered, never a self-signed one a client
//! might be told to accept); `/healthz` and `/metrics` on `admin_listen` stay available.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use serde::Deserialize;
use skillgate_acme::{Acme, AcmeConfig, Challenge, LETS_ENCRYPT_PRODUCTION, LETS_ENCRYPT_STAGING};

use crate::config::{Problem, TlsConfig};

/// `[tls.acme]`: automatic certificates.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AcmeSettings {
    /// The names to certify (DNS names, no IP addresses); the first is the subject.
    #[serde(default)]
    pub domains: Vec<String>,
    /// Contact URLs for the account, e.g. `mailto:you@example.com` (expiry mail).
    #[serde(default)]
    pub contact: Vec<String>,
    /// `letsencrypt` (default), `letsencrypt-staging`, or the `https://` URL of an RFC 8555
    /// directory.
    #[serde(default = "default_directory")]
    pub directory: String,
    /// How the directory checks that the domains point here.
    #[serde(default)]
    pub challenge: AcmeChallenge,
    /// http-01 only: the port-80 listener that answers challenges and redirects every other
    /// request to HTTPS.
    #[serde(default)]
    pub http_listen: Option<SocketAddr>,
    /// A PEM file of extra roots trusted for the directory's own HTTPS (a private or test
    /// directory such as pebble); the Mozilla roots are always trusted.
    #[serde(default)]
    pub extra_roots: Option<PathBuf>,
    /// First retry delay after a failed order (seconds); doubled per failure.
    #[serde(default = "default_retry_initial")]
    pub retry_initial_secs: u64,
    /// Longest retry delay (seconds).
    #[serde(default = "default_retry_max")]
    pub retry_max_secs: u64,
}

/// The ACME challenge type.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
pub enum AcmeChallenge {
    /// `tls-alpn-01` (RFC 8737), answered on the main HTTPS listener (which must be what
    /// port 443 of the domains reaches).
    #[default]
    #[serde(rename = "tls-alpn-01")]
    TlsAlpn01,
    /// `http-01`, answered on `http_listen` (port 80 of the domains).
    #[serde(rename = "http-01")]
    Http01,
}

fn default_directory() -> String {
    "letsencrypt".to_owned()
}
fn default_retry_initial() -> u64 {
    60
}
fn default_retry_max() -> u64 {
    6 * 3600
}

impl AcmeSettings {
    /// The directory URL `directory` names, or why it names none.
    pub fn directory_url(&self) -> Result<String, String> {
        match self.directory.as_str() {
            "letsencrypt" => Ok(LETS_ENCRYPT_PRODUCTION.to_owned()),
            "letsencrypt-staging" => Ok(LETS_ENCRYPT_STAGING.to_owned()),
            url if url.starts_with("https://") && url.len() > "https://".len() => {
                Ok(url.to_owned())
            }
            other => Err(format!(
                "tls.acme.directory = {other:?}: use \"letsencrypt\", \"letsencrypt-staging\" \
                 or the https:// URL of an ACME directory"
            )),
        }
    }

    fn problems(&self, out: &mut Vec<Problem>) {
        let mut bad = |key: &str, message: String| {
            out.push(Problem {
                key: key.to_owned(),
                message,
            })
        };
        if self.domains.is_empty() {
            bad(
                "tls.acme.domains",
                "tls.acme.domains is empty: list the name(s) of your skill endpoint, e.g. [\"skill.example.com\"]"
                    .to_owned(),
            );
        }
        for domain in &self.domains {
            if domain.parse::<std::net::IpAddr>().is_ok() {
                bad(
                    "tls.acme.domains",
                    format!(
                        "{domain:?} is an IP address: ACME certificates here are for DNS names \
                         (Alexa needs a name anyway)"
                    ),
                );
            } else if rustls_pki_types::DnsName::try_from(domain.as_str()).is_err()
                || !domain.contains('.')
                || domain.contains('*')
            {
                bad(
                    "tls.acme.domains",
                    format!("{domain:?} is not a fully qualified DNS name (no wildcards)"),
                );
            }
        }
        for contact in &self.contact {
            if !contact.contains(':') {
                bad(
                    "tls.acme.contact",
                    format!("{contact:?} is not a URL; write mailto:{contact}"),
                );
            }
        }
        if let Err(message) = self.directory_url() {
            bad("tls.acme.directory", message);
        }
        match (self.challenge, self.http_listen) {
            (AcmeChallenge::TlsAlpn01, Some(_)) => bad(
                "tls.acme.http_listen",
                "tls.acme.http_listen is for challenge = \"http-01\" (tls-alpn-01 is answered on `listen`)"
                    .to_owned(),
            ),
            (AcmeChallenge::Http01, None) => bad(
                "tls.acme.http_listen",
                "challenge = \"http-01\" needs http_listen (e.g. \"0.0.0.0:80\")".to_owned(),
            ),
            _ => {}
        }
        if self.retry_initial_secs == 0 || self.retry_max_secs < self.retry_initial_secs {
            bad(
                "tls.acme.retry_initial_secs",
                format!(
                    "retry_initial_secs = {} must be positive and at most retry_max_secs = {}",
                    self.retry_initial_secs, self.retry_max_secs
                ),
            );
        }
    }

    /// The `skillgate-acme` configuration, with `state_dir` and the extra roots read.
    /// Problems carry their key.
    pub(crate) fn acme_config(&self, state_dir: &Path) -> Result<AcmeConfig, Problem> {
        let problem = |key: &str, message: String| Problem {
            key: key.to_owned(),
            message,
        };
        let mut config = AcmeConfig::new(self.domains.clone(), state_dir.to_owned());
        config.contact = self.contact.clone();
        config.directory = self
            .directory_url()
            .map_err(|m| problem("tls.acme.directory", m))?;
        config.challenge = match self.challenge {
            AcmeChallenge::TlsAlpn01 => Challenge::TlsAlpn01,
            AcmeChallenge::Http01 => Challenge::Http01,
        };
        config.retry_initial = Duration::from_secs(self.retry_initial_secs);
        config.retry_max = Duration::from_secs(self.retry_max_secs);
        if let Some(path) = &self.extra_roots {
            let roots = CertificateDer::pem_file_iter(path)
                .and_then(|iter| iter.collect::<Result<Vec<_>, _>>())
                .map_err(|e| problem("tls.acme.extra_roots", format!("{}: {e}", path.display())))?;
            if roots.is_empty() {
                return Err(problem(
                    "tls.acme.extra_roots",
                    format!("{}: no certificate in the file", path.display()),
                ));
            }
            config.extra_roots = roots;
        }
        Ok(config)
    }
}

impl TlsConfig {
    /// The problems of `[tls.acme]` (none without it), for [`crate::Config::problems`].
    pub(crate) fn acme_problems(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        let Some(acme) = &self.acme else {
            return out;
        };
        acme.problems(&mut out);
        let conflict = |key: &str, what: &str| Problem {
            key: key.to_owned(),
            message: format!(
                "{what} and [tls.acme] exclude each other: ACME provides the certificate"
            ),
        };
        if self.cert.is_some() || self.key.is_some() {
            out.push(conflict("tls.cert", "tls.cert/tls.key"));
        }
        if !self.certificate.is_empty() {
            out.push(conflict("tls.certificate", "[[tls.certificate]]"));
        }
        if !self.enabled {
            out.push(conflict("tls.enabled", "tls.enabled = false"));
        }
        out
    }
}

/// The ACME state a plan made: the manager (stored certificate already installed) and the
/// http-01 listener address.
#[derive(Debug, Clone)]
pub(crate) struct AcmePlan {
    pub acme: Acme,
    pub http_listen: Option<SocketAddr>,
}

impl AcmePlan {
    /// Checks the settings and opens `state_dir`: no network.
    pub fn new(settings: &AcmeSettings, state_dir: &Path) -> Result<Self, Problem> {
        let config = settings.acme_config(state_dir)?;
        let acme = Acme::new(config).map_err(|e| Problem {
            key: "tls.acme".to_owned(),
            message: format!("ACME state in {}: {e}", state_dir.display()),
        })?;
        Ok(Self {
            acme,
            http_listen: match settings.challenge {
                AcmeChallenge::Http01 => settings.http_listen,
                AcmeChallenge::TlsAlpn01 => None,
            },
        })
    }

    /// The rustls configuration of the main listener: the ACME resolver, ALPN as
    /// [`crate::tls_config`] plus `acme-tls/1` for tls-alpn-01.
    pub fn tls_config(&self, http2: bool) -> Result<rustls::ServerConfig, rustls::Error> {
        let provider = std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])?
            .with_no_client_auth()
            .with_cert_resolver(self.acme.resolver());
        config.alpn_protocols = if http2 {
            vec![b"h2".to_vec(), b"http/1.1".to_vec()]
        } else {
            vec![b"http/1.1".to_vec()]
        };
        if self.http_listen.is_none() {
            config
                .alpn_protocols
                .push(skillgate_acme::ACME_TLS_ALPN.to_vec());
        }
        Ok(config)
    }
}

/// Runs the ACME task (and the http-01 listener, if any) until `shutdown` turns true.
pub(crate) async fn run(
    acme: Acme,
    http01: Option<tokio::net::TcpListener>,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    let tokens = acme.http01_tokens();
    let renewal = acme.run();
    let port80 = async move {
        match http01 {
            Some(listener) => skillgate_acme::challenge::serve_http01(listener, tokens).await,
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        () = renewal => {}
        () = port80 => tracing::error!("the http-01 listener stopped"),
        _ = shutdown.wait_for(|stopping| *stopping) => {
            tracing::debug!("ACME renewal stopped (shutdown)");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tls(text: &str) -> TlsConfig {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Doc {
            tls: TlsConfig,
        }
        toml::from_str::<Doc>(text).unwrap().tls
    }

    fn keys(tls: &TlsConfig) -> Vec<String> {
        tls.acme_problems().into_iter().map(|p| p.key).collect()
    }

    #[test]
    fn a_minimal_block_is_valid_with_lets_encrypt_and_tls_alpn() {
        let t = tls("[tls.acme]\ndomains = [\"skill.example.com\"]\n");
        assert!(keys(&t).is_empty(), "{:?}", t.acme_problems());
        let acme = t.acme.unwrap();
        assert_eq!(acme.directory_url().unwrap(), LETS_ENCRYPT_PRODUCTION);
        assert_eq!(acme.challenge, AcmeChallenge::TlsAlpn01);
    }

    #[test]
    fn each_broken_rule_is_reported_under_its_key() {
        let t = tls(
            "[tls]\ncert = \"c.pem\"\nkey = \"k.pem\"\n[tls.acme]\ndomains = [\"127.0.0.1\", \"*.x.com\"]\n\
             contact = [\"you@example.com\"]\ndirectory = \"http://acme.example/dir\"\n\
             http_listen = \"0.0.0.0:80\"\nretry_initial_secs = 0\n",
        );
        assert_eq!(
            keys(&t),
            [
                "tls.acme.domains",
                "tls.acme.domains",
                "tls.acme.contact",
                "tls.acme.directory",
                "tls.acme.http_listen",
                "tls.acme.retry_initial_secs",
                "tls.cert",
            ]
        );
        let t = tls("[tls.acme]\ndomains = []\nchallenge = \"http-01\"\n");
        assert_eq!(keys(&t), ["tls.acme.domains", "tls.acme.http_listen"]);
        assert!(
            toml::from_str::<AcmeSettings>("domains = [\"a.b\"]\nchallenge = \"dns-01\"").is_err()
        );
    }

    #[test]
    fn staging_and_urls_are_accepted() {
        let t = tls(
            "[tls.acme]\ndomains = [\"a.example.com\"]\ndirectory = \"letsencrypt-staging\"\n\
             challenge = \"http-01\"\nhttp_listen = \"127.0.0.1:8080\"\n",
        );
        assert!(keys(&t).is_empty());
        assert_eq!(
            t.acme.unwrap().directory_url().unwrap(),
            LETS_ENCRYPT_STAGING
        );
    }

    #[test]
    fn the_plan_opens_the_state_directory_without_network() {
        let dir = tempfile::tempdir().unwrap();
        let t = tls("[tls.acme]\ndomains = [\"skill.example.com\"]\n");
        let state = dir.path().join("acme");
        let plan = AcmePlan::new(t.acme.as_ref().unwrap(), &state).unwrap();
        assert!(plan.acme.current().is_none());
        assert!(state.is_dir());
        let config = plan.tls_config(false).unwrap();
        assert!(config.alpn_protocols.contains(&b"acme-tls/1".to_vec()));
        let t = tls(&format!(
            "[tls.acme]\ndomains = [\"skill.example.com\"]\nextra_roots = {:?}\n",
            dir.path().join("missing.pem")
        ));
        let problem = AcmePlan::new(t.acme.as_ref().unwrap(), &state).unwrap_err();
        assert_eq!(problem.key, "tls.acme.extra_roots");
    }
}
