//! Certificate expiry: the server's own TLS certificates (files or ACME) and the Alexa
//! signing chains its verifiers use.
//!
//! - `skillgate_tls_certificate_expiry_seconds{name}`: seconds until each served
//!   certificate's notAfter (negative once expired), set at start, after every reload
//!   (SIGHUP, file change) and ACME renewal, and at every periodic check.
//! - A warning when a served certificate has 30, 7 or 1 day(s) left, one per threshold
//!   crossed (an error once it has expired); a new certificate starts over.
//! - The signing chains: [`ChainWatch::check_expiry`] at every periodic check (the
//!   per-URL gauge `skillgate_signing_chain_expiry_seconds` is computed at each scrape).
//!
//! [`run`] does the periodic check (hourly) until shutdown.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rustls_pki_types::CertificateDer;
use skillgate_verify::ChainWatch;
use skillgate_verify::trust_failure::format_unix;

use crate::cert_store::CertStore;

/// How often the expiry of served certificates and signing chains is checked.
pub const CHECK_INTERVAL: Duration = Duration::from_secs(3600);

/// Days before a served certificate's expiry at which a warning is logged.
pub const WARNING_DAYS: [i64; 3] = [30, 7, 1];

const DAY: i64 = 86_400;

/// One served certificate: its name (first DNS name, else subject) and notAfter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServedCertificate {
    /// The first DNS subject alternative name, else the subject DN.
    pub name: String,
    /// notAfter, seconds since the Unix epoch.
    pub not_after: i64,
}

impl ServedCertificate {
    /// Reads a leaf certificate; `None` if it does not parse.
    pub fn read(der: &CertificateDer<'_>) -> Option<ServedCertificate> {
        use x509_parser::extensions::GeneralName;
        let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
        let dns = cert
            .subject_alternative_name()
            .ok()
            .flatten()
            .and_then(|san| {
                san.value.general_names.iter().find_map(|n| match n {
                    GeneralName::DNSName(d) => Some((*d).to_owned()),
                    _ => None,
                })
            });
        Some(ServedCertificate {
            name: dns.unwrap_or_else(|| cert.subject().to_string()),
            not_after: cert.validity().not_after.timestamp(),
        })
    }
}

/// The most severe threshold `left` seconds has crossed: its index in [`WARNING_DAYS`], or
/// `WARNING_DAYS.len()` once expired.
fn level(left: i64) -> Option<usize> {
    if left <= 0 {
        return Some(WARNING_DAYS.len());
    }
    WARNING_DAYS.iter().rposition(|days| left <= days * DAY)
}

#[derive(Debug)]
struct Tracked {
    not_after: i64,
    /// The most severe level already warned about.
    warned: Option<usize>,
}

/// Watches the expiry of what the server serves and verifies with (see the module docs).
pub struct ExpiryWatch {
    certs: Option<Arc<CertStore>>,
    acme: Option<skillgate_acme::Acme>,
    chains: Arc<ChainWatch>,
    tracked: Mutex<HashMap<String, Tracked>>,
}

impl std::fmt::Debug for ExpiryWatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExpiryWatch").finish_non_exhaustive()
    }
}

fn unix_now() -> i64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(_) => 0,
    }
}

impl ExpiryWatch {
    /// Watches the certificates of `certs` (files) or `acme`, and the chains of `chains`.
    pub fn new(
        certs: Option<Arc<CertStore>>,
        acme: Option<skillgate_acme::Acme>,
        chains: Arc<ChainWatch>,
    ) -> ExpiryWatch {
        ExpiryWatch {
            certs,
            acme,
            chains,
            tracked: Mutex::new(HashMap::new()),
        }
    }

    /// The certificates served now.
    pub fn served(&self) -> Vec<ServedCertificate> {
        let mut out: Vec<ServedCertificate> = self
            .certs
            .as_ref()
            .map(|store| store.leaves())
            .unwrap_or_default()
            .iter()
            .filter_map(ServedCertificate::read)
            .collect();
        if let Some(issued) = self.acme.as_ref().and_then(|a| a.current()) {
            out.extend(
                issued
                    .certified
                    .cert
                    .first()
                    .and_then(ServedCertificate::read),
            );
        }
        out
    }

    /// Re-reads the served certificates, updates the gauges and warns; checks the signing
    /// chains too. Returns the warnings given (for tests).
    pub fn check(&self) -> Vec<String> {
        let now = unix_now();
        self.chains.check_expiry(now);
        self.check_served(&self.served(), now)
    }

    fn check_served(&self, served: &[ServedCertificate], now: i64) -> Vec<String> {
        let mut warnings = Vec::new();
        let mut tracked = self
            .tracked
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        tracked.retain(|name, _| served.iter().any(|c| &c.name == name));
        for cert in served {
            let left = cert.not_after.saturating_sub(now);
            crate::metrics::tls_certificate_expiry(&cert.name, left);
            let entry = tracked.entry(cert.name.clone()).or_insert(Tracked {
                not_after: cert.not_after,
                warned: None,
            });
            if entry.not_after != cert.not_after {
                *entry = Tracked {
                    not_after: cert.not_after,
                    warned: None,
                };
            }
            let Some(level) = level(left) else { continue };
            if entry.warned.is_some_and(|warned| warned >= level) {
                continue;
            }
            entry.warned = Some(level);
            let not_after = format_unix(cert.not_after);
            let message = match WARNING_DAYS.get(level) {
                Some(days) => {
                    tracing::warn!(
                        name = %cert.name,
                        not_after = %not_after,
                        days_left = left / DAY,
                        threshold_days = days,
                        "TLS certificate expires in less than {days} day(s): renew it \
                         (ACME renews by itself; check its log lines) or Alexa will stop calling"
                    );
                    format!("{} {days}-day warning", cert.name)
                }
                None => {
                    tracing::error!(
                        name = %cert.name,
                        not_after = %not_after,
                        "TLS certificate has expired: Alexa refuses to call this endpoint"
                    );
                    format!("{} expired", cert.name)
                }
            };
            warnings.push(message);
        }
        warnings
    }
}

/// Whether a `SIGHUP` should make ACME order now: no certificate is served, or the served
/// one has less than the first warning threshold (30 days) left. A certificate with more
/// left keeps its schedule (a `SIGHUP` from log rotation must not spend the directory's
/// rate limit).
pub fn acme_renewal_due(not_after: Option<i64>, now: i64) -> bool {
    match not_after {
        None => true,
        Some(not_after) => not_after.saturating_sub(now) < WARNING_DAYS[0] * DAY,
    }
}

impl ExpiryWatch {
    /// `SIGHUP` with `[tls.acme]`: orders a certificate now when [`acme_renewal_due`], and
    /// says so in the log. Returns whether an order was started (false without ACME).
    pub fn acme_renewal_check(&self) -> bool {
        let Some(acme) = &self.acme else {
            return false;
        };
        let not_after =
            acme.current()
                .map(|issued| match issued.not_after.duration_since(UNIX_EPOCH) {
                    Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
                    Err(_) => 0,
                });
        let now = unix_now();
        if acme_renewal_due(not_after, now) {
            tracing::info!(
                "SIGHUP: ordering an ACME certificate now (none served, or less than 30 days left)"
            );
            acme.renew_now();
            true
        } else {
            tracing::info!(
                not_after = %not_after.map(format_unix).unwrap_or_default(),
                "SIGHUP: the ACME certificate has more than 30 days left; renewal stays scheduled"
            );
            false
        }
    }
}

/// Checks at start, on every ACME certificate, and every [`CHECK_INTERVAL`], until
/// `shutdown` turns true.
pub(crate) async fn run(
    watch: Arc<ExpiryWatch>,
    interval: Duration,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    let mut issued = watch.acme.as_ref().map(|acme| acme.watch());
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let acme_changed = async {
            match issued.as_mut() {
                Some(rx) => {
                    if rx.changed().await.is_err() {
                        std::future::pending::<()>().await;
                    }
                }
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = shutdown.wait_for(|stopping| *stopping) => break,
            _ = ticker.tick() => {}
            () = acme_changed => {}
        }
        watch.check();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_and_one_warning_per_threshold() {
        assert_eq!(level(40 * DAY), None);
        assert_eq!(level(30 * DAY), Some(0));
        assert_eq!(level(8 * DAY), Some(0));
        assert_eq!(level(5 * DAY), Some(1));
        assert_eq!(level(DAY / 2), Some(2));
        assert_eq!(level(0), Some(3));

        let watch = ExpiryWatch::new(None, None, Arc::new(ChainWatch::new()));
        let now = 1_000 * DAY;
        let cert = |not_after| ServedCertificate {
            name: "skill.example.com".to_owned(),
            not_after,
        };
        let expiry = now + 20 * DAY;
        assert_eq!(
            watch.check_served(&[cert(expiry)], now),
            ["skill.example.com 30-day warning"]
        );
        assert!(watch.check_served(&[cert(expiry)], now + DAY).is_empty());
        assert_eq!(
            watch.check_served(&[cert(expiry)], now + 14 * DAY),
            ["skill.example.com 7-day warning"]
        );
        assert_eq!(
            watch.check_served(&[cert(expiry)], now + 20 * DAY + 1),
            ["skill.example.com expired"]
        );
        // SIGHUP with ACME orders only when a renewal is needed.
        assert!(acme_renewal_due(None, now));
        assert!(acme_renewal_due(Some(now + 29 * DAY), now));
        assert!(!acme_renewal_due(Some(now + 60 * DAY), now));
        // A renewed certificate starts over.
        assert!(
            watch
                .check_served(&[cert(now + 90 * DAY)], now + 21 * DAY)
                .is_empty()
        );
    }
}
