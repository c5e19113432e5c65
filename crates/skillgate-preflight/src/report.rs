//! The result of a preflight run: one [`Check`] per TLS property and per request case, for a
//! person ([`Report::render`]) or a script (`serde` JSON).

use std::fmt::Write as _;

use serde::Serialize;

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// As Amazon expects.
    Pass,
    /// Not a certification failure, but worth a look (e.g. a certificate expiring soon).
    Warn,
    /// Certification would fail here.
    Fail,
    /// Not run because an earlier check failed (e.g. no TLS connection at all).
    Skipped,
}

impl Outcome {
    fn label(self) -> &'static str {
        match self {
            Self::Pass => "PASS",
            Self::Warn => "WARN",
            Self::Fail => "FAIL",
            Self::Skipped => "SKIP",
        }
    }
}

/// Which part of the run a check belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    /// The TLS listener and certificate.
    Tls,
    /// Hostile requests that must be answered with HTTP 400.
    Rejection,
    /// Correctly signed requests that must be accepted (development CA mode only).
    Acceptance,
}

/// One check and its result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// Stable snake_case identifier (e.g. `tls_legacy_refused`, `cert_url_port`).
    pub id: &'static str,
    /// Which part of the run it belongs to.
    pub group: Group,
    /// One line: what is checked.
    pub title: &'static str,
    /// The result.
    pub outcome: Outcome,
    /// What was observed (status code, TLS version, days left, error).
    pub detail: String,
    /// True when a server that checks nothing but the signature also passes this case:
    /// without Amazon's key (or a trusted development CA) the request cannot be signed
    /// validly, so rejecting it on the signature is as good as rejecting it for its fault.
    pub indistinguishable: bool,
    /// What a failure means.
    pub meaning: &'static str,
    /// How to fix a failure.
    pub fix: &'static str,
}

impl Check {
    /// True unless the check failed or was skipped.
    pub fn ok(&self) -> bool {
        matches!(self.outcome, Outcome::Pass | Outcome::Warn)
    }
}

/// Everything a run found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The endpoint URL.
    pub url: String,
    /// The address dialed.
    pub connect: String,
    /// `amazon` (requests carry signatures nobody can verify) or `dev_ca` (requests signed
    /// by the local development CA, which the server trusts).
    pub mode: &'static str,
    /// Every check, TLS first, in the order run.
    pub checks: Vec<Check>,
    /// True when every check passed (warnings allowed): the exit status is 0 exactly then.
    pub passed: bool,
}

impl Report {
    /// Builds a report; `passed` is derived from the checks.
    pub fn new(url: String, connect: String, mode: &'static str, checks: Vec<Check>) -> Self {
        let passed = checks.iter().all(Check::ok);
        Self {
            url,
            connect,
            mode,
            checks,
            passed,
        }
    }

    /// The check with this id, if it ran.
    pub fn check(&self, id: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.id == id)
    }

    /// The ids of the checks that failed or were skipped.
    pub fn failed(&self) -> Vec<&'static str> {
        self.checks
            .iter()
            .filter(|c| !c.ok())
            .map(|c| c.id)
            .collect()
    }

    /// The report as a person reads it.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "preflight {} (connecting to {})",
            self.url, self.connect
        );
        if self.mode == "dev_ca" {
            let _ = writeln!(
                out,
                "mode: requests signed by the local development CA (the server must run with it)"
            );
        }
        for (group, heading) in [
            (Group::Tls, "TLS"),
            (
                Group::Rejection,
                "Requests certification sends; each must get HTTP 400",
            ),
            (
                Group::Acceptance,
                "Correctly signed requests; each must be accepted",
            ),
        ] {
            let checks: Vec<&Check> = self.checks.iter().filter(|c| c.group == group).collect();
            if checks.is_empty() {
                continue;
            }
            let _ = writeln!(out, "\n{heading}");
            let width = checks.iter().map(|c| c.id.len()).max().unwrap_or(0);
            for c in checks {
                let star = if c.indistinguishable { "*" } else { " " };
                let _ = writeln!(
                    out,
                    "  {} {star}{:width$} {}: {}",
                    c.outcome.label(),
                    c.id,
                    c.title,
                    c.detail
                );
                if !c.ok() && c.outcome != Outcome::Skipped {
                    let _ = writeln!(out, "          means: {}", c.meaning);
                    let _ = writeln!(out, "          fix:   {}", c.fix);
                }
            }
        }
        if self.checks.iter().any(|c| c.indistinguishable) {
            let _ = writeln!(
                out,
                "\n* cannot be told apart from a bad signature without Amazon's key: a server that\n  \
                 rejects these on the signature alone also passes them. Run with --dev-ca against a\n  \
                 server that trusts the development CA to test those rules for real."
            );
        }
        let failed = self.failed();
        let total = self.checks.len();
        if failed.is_empty() {
            let _ = writeln!(out, "\nresult: all {total} checks passed");
        } else {
            let _ = writeln!(
                out,
                "\nresult: {} of {total} checks did not pass: {}",
                failed.len(),
                failed.join(", ")
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(id: &'static str, outcome: Outcome, indistinguishable: bool) -> Check {
        Check {
            id,
            group: Group::Rejection,
            title: "t",
            outcome,
            detail: "d".into(),
            indistinguishable,
            meaning: "the meaning",
            fix: "the fix",
        }
    }

    #[test]
    fn passes_only_when_every_check_is_ok() {
        let ok = Report::new(
            "u".into(),
            "a".into(),
            "amazon",
            vec![
                check("a", Outcome::Pass, false),
                check("b", Outcome::Warn, true),
            ],
        );
        assert!(ok.passed);
        assert!(ok.render().contains("all 2 checks passed"));
        assert!(ok.render().contains("* cannot be told apart"));
        for bad in [Outcome::Fail, Outcome::Skipped] {
            let r = Report::new(
                "u".into(),
                "a".into(),
                "amazon",
                vec![check("a", Outcome::Pass, false), check("b", bad, false)],
            );
            assert!(!r.passed);
            assert_eq!(r.failed(), ["b"]);
            assert!(r.render().contains("did not pass: b"));
        }
    }

    #[test]
    fn a_failure_says_what_it_means_and_how_to_fix_it() {
        let r = Report::new(
            "u".into(),
            "a".into(),
            "amazon",
            vec![check("x", Outcome::Fail, false)],
        );
        let text = r.render();
        assert!(text.contains("FAIL  x"), "{text}");
        assert!(text.contains("means: the meaning"), "{text}");
        assert!(text.contains("fix:   the fix"), "{text}");
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["checks"][0]["outcome"], "fail");
        assert_eq!(json["passed"], false);
    }
}
