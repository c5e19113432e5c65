//! Prometheus metrics: names, labels, and the process-wide recorder.
//!
//! The recorder is installed once per process ([`install`]); every metric is registered at
//! start-up so `/metrics` lists its `# TYPE` before the first Alexa request.

use std::sync::OnceLock;
use std::time::Duration;

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

/// Requests answered, by skill and outcome.
pub const REQUESTS: &str = "skillgate_requests_total";
pub use skillgate_axum::metrics::{
    CHAIN_CACHE, SIGNING_CHAIN_EXPIRY, VERIFICATION_FAILURES, record_chain_cache,
    record_chain_watch, verification_failure,
};
/// Seconds until each served TLS certificate expires (gauge, label `name`: its first DNS
/// name; negative once expired).
pub const TLS_CERT_EXPIRY: &str = "skillgate_tls_certificate_expiry_seconds";
/// Request latency, from the head received to the answer ready.
pub const REQUEST_DURATION: &str = "skillgate_request_duration_seconds";
/// Upstream (gateway) failures, by skill and kind.
pub const UPSTREAM_FAILURES: &str = "skillgate_upstream_failures_total";
/// Connections refused because the connection cap was reached.
pub const CONNECTIONS_REFUSED: &str = "skillgate_connections_refused_total";
/// TLS certificate reloads, by result.
pub const CERT_RELOADS: &str = "skillgate_tls_reloads_total";

static HANDLE: OnceLock<Result<PrometheusHandle, String>> = OnceLock::new();

/// Installs the Prometheus recorder (once per process; later calls return the same
/// handle) and registers and describes every skillgate metric.
pub fn install() -> Result<PrometheusHandle, String> {
    let handle = HANDLE
        .get_or_init(|| {
            PrometheusBuilder::new()
                .set_buckets_for_metric(
                    metrics_exporter_prometheus::Matcher::Full(REQUEST_DURATION.to_owned()),
                    &[
                        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 8.0,
                    ],
                )
                .map_err(|e| e.to_string())?
                .install_recorder()
                .map_err(|e| e.to_string())
        })
        .clone()?;
    start_upkeep(&handle);
    describe();
    Ok(handle)
}

/// How often histogram samples are folded into their buckets.
const UPKEEP_INTERVAL: std::time::Duration = std::time::Duration::from_secs(5);

/// The exporter keeps every histogram sample until it is folded into the buckets, which
/// only happens on a scrape or an upkeep: without a Prometheus scraping `/metrics`, memory
/// grew by every request's latency sample (found by `scripts/soak`). One thread per process
/// does the upkeep.
fn start_upkeep(handle: &PrometheusHandle) {
    static STARTED: OnceLock<()> = OnceLock::new();
    STARTED.get_or_init(|| {
        let handle = handle.clone();
        let spawned = std::thread::Builder::new()
            .name("metrics-upkeep".to_owned())
            .spawn(move || {
                loop {
                    std::thread::sleep(UPKEEP_INTERVAL);
                    handle.run_upkeep();
                }
            });
        if let Err(error) = spawned {
            tracing::warn!(%error, "cannot start the metrics upkeep thread");
        }
    });
}

fn describe() {
    metrics::describe_counter!(REQUESTS, "Alexa requests answered, by skill and outcome.");
    skillgate_axum::metrics::describe();
    metrics::describe_histogram!(
        REQUEST_DURATION,
        metrics::Unit::Seconds,
        "Time from request head to answer."
    );
    metrics::describe_counter!(UPSTREAM_FAILURES, "Gateway upstream failures by kind.");
    metrics::describe_counter!(
        CONNECTIONS_REFUSED,
        "Connections closed because the connection cap was reached."
    );
    metrics::describe_counter!(CERT_RELOADS, "TLS certificate reloads by result.");
    metrics::describe_gauge!(
        TLS_CERT_EXPIRY,
        metrics::Unit::Seconds,
        "Seconds until the served TLS certificate expires, by name."
    );
    // Register (without changing any value) so the families appear before the first
    // request.
    metrics::counter!(CONNECTIONS_REFUSED).increment(0);
}

/// Registers the per-skill series of `skill` (at start-up, so they are listed at 0).
pub fn register_skill(skill: &str) {
    requests_counter(skill, "answered").increment(0);
    let _ = duration_histogram(skill);
}

/// The series counting `skill`'s requests that ended with `outcome`.
fn requests_counter(skill: &str, outcome: &'static str) -> metrics::Counter {
    metrics::counter!(REQUESTS, "skill" => skill.to_owned(), "outcome" => outcome)
}

/// The latency histogram of `skill`'s requests.
fn duration_histogram(skill: &str) -> metrics::Histogram {
    metrics::histogram!(REQUEST_DURATION, "skill" => skill.to_owned())
}

/// The request metrics of one skill, looked up once.
///
/// [`request`] builds the label set and finds its series in the recorder on every call;
/// a skill's series are fixed, so this finds them on the skill's first request and keeps the
/// handles. Handles found before a recorder is installed would count nowhere, which is why
/// the lookup waits for the first request rather than the skill's creation.
#[derive(Debug)]
pub(crate) struct SkillMetrics {
    skill: String,
    handles: OnceLock<SkillHandles>,
}

#[derive(Debug)]
struct SkillHandles {
    duration: metrics::Histogram,
    /// The counter of each of [`ROUTED_OUTCOMES`], in its order.
    outcomes: [metrics::Counter; ROUTED_OUTCOMES.len()],
}

/// The outcomes of a request that reached a skill (`endpoint::dispatch`).
const ROUTED_OUTCOMES: [&str; 5] = [
    "answered",
    "rejected",
    "skill_error",
    "timeout",
    "upstream_error",
];

impl SkillMetrics {
    /// The metrics of the skill named `skill`.
    pub(crate) fn new(skill: &str) -> SkillMetrics {
        SkillMetrics {
            skill: skill.to_owned(),
            handles: OnceLock::new(),
        }
    }

    /// Counts one request of this skill, as [`request`] does.
    pub(crate) fn request(&self, outcome: &'static str, elapsed: Duration) {
        let handles = self.handles.get_or_init(|| SkillHandles {
            duration: duration_histogram(&self.skill),
            outcomes: ROUTED_OUTCOMES.map(|known| requests_counter(&self.skill, known)),
        });
        match ROUTED_OUTCOMES.iter().position(|&known| known == outcome) {
            Some(at) => handles.outcomes[at].increment(1),
            None => requests_counter(&self.skill, outcome).increment(1),
        }
        handles.duration.record(elapsed);
    }
}

/// Counts one answered request.
pub fn request(skill: &str, outcome: &'static str, elapsed: Duration) {
    requests_counter(skill, outcome).increment(1);
    duration_histogram(skill).record(elapsed);
}

/// Counts one gateway failure.
pub fn upstream_failure(skill: &str, kind: &'static str) {
    metrics::counter!(UPSTREAM_FAILURES, "skill" => skill.to_owned(), "kind" => kind).increment(1);
}

/// Counts one connection refused at the cap.
pub fn connection_refused() {
    metrics::counter!(CONNECTIONS_REFUSED).increment(1);
}

/// Counts one certificate reload.
pub fn cert_reload(result: &'static str) {
    metrics::counter!(CERT_RELOADS, "result" => result).increment(1);
}

/// Sets the expiry gauge of the served certificate `name`.
pub fn tls_certificate_expiry(name: &str, seconds_left: i64) {
    metrics::gauge!(TLS_CERT_EXPIRY, "name" => name.to_owned()).set(seconds_left as f64);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_skills_kept_handles_count_the_same_series_as_a_lookup() {
        let handle = install().unwrap();
        let kept = SkillMetrics::new("kept-handles");
        kept.request("answered", Duration::from_millis(2));
        kept.request("answered", Duration::from_millis(4));
        request("kept-handles", "answered", Duration::from_millis(1));
        // An outcome outside the known list still counts.
        kept.request("unlisted", Duration::from_millis(1));
        let text = handle.render();
        let count = |outcome: &str| {
            let series = format!("{REQUESTS}{{skill=\"kept-handles\",outcome=\"{outcome}\"}} ");
            text.lines()
                .find_map(|line| line.strip_prefix(series.as_str()))
                .unwrap_or_else(|| panic!("no {series}in {text}"))
                .to_owned()
        };
        assert_eq!(count("answered"), "3");
        assert_eq!(count("unlisted"), "1");
        let samples = format!("{REQUEST_DURATION}_count{{skill=\"kept-handles\"}} ");
        assert!(
            text.lines().any(|line| line == format!("{samples}4")),
            "{text}"
        );
    }

    #[test]
    fn families_are_listed_before_any_request() {
        let handle = install().unwrap();
        let again = install().unwrap();
        register_skill("t");
        let text = again.render();
        let _ = handle;
        for name in [REQUESTS, CHAIN_CACHE, CONNECTIONS_REFUSED] {
            assert!(text.contains(&format!("# TYPE {name} counter")), "{text}");
        }
        request("t", "verified", Duration::from_millis(3));
        assert!(install().unwrap().render().contains(REQUEST_DURATION));
    }

    #[test]
    fn a_replaced_issuer_series_reads_nan() {
        use skillgate_verify::{ChainCert, ChainIdentity};
        let handle = install().unwrap();
        let cache = skillgate_verify::ChainCache::new(std::sync::Arc::new(
            skillgate_verify::StaticChainSource::new(),
        ));
        let identity = |issuer: &str, not_after: i64| ChainIdentity {
            subject: "CN=echo-api.amazon.com".to_owned(),
            issuer: issuer.to_owned(),
            key_sha256: issuer.to_owned(),
            not_after,
            expires_first: ChainCert {
                index: 0,
                subject: "CN=echo-api.amazon.com".to_owned(),
            },
        };
        let url = "https://s3.amazonaws.com/echo.api/metrics-test.pem";
        let now = std::time::UNIX_EPOCH + Duration::from_secs(1_000_000);
        cache
            .watch()
            .observe(url, &identity("CN=Old", 1_000_000 + 3_600), 1_000_000);
        record_chain_watch(&cache, now);
        let series = |issuer: &str| {
            let text = handle.render();
            text.lines()
                .find(|l| {
                    l.starts_with(SIGNING_CHAIN_EXPIRY)
                        && l.contains(url)
                        && l.contains(&format!("issuer=\"{issuer}\""))
                })
                .and_then(|l| l.rsplit(' ').next())
                .map(str::to_owned)
        };
        assert_eq!(series("CN=Old").as_deref(), Some("3600"));
        cache
            .watch()
            .observe(url, &identity("CN=New", 1_000_000 + 7_200), 1_000_000);
        record_chain_watch(&cache, now);
        assert_eq!(series("CN=Old").as_deref(), Some("NaN"));
        assert_eq!(series("CN=New").as_deref(), Some("7200"));
    }
}
