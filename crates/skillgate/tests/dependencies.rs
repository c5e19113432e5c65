//! A skill that never calls Alexa's APIs takes the framework without its `alexa-api` feature
//! and, with it, no HTTP client and no TLS stack. Checked on the real dependency graph; the
//! default build must still bring the API client.

use std::process::Command;

/// The crate names of `skillgate`'s normal dependency graph with the given extra arguments.
fn graph(extra: &[&str]) -> Vec<String> {
    let out = Command::new(env!("CARGO"))
        .args([
            "tree",
            "-p",
            "skillgate",
            "--edges",
            "normal",
            "--prefix",
            "none",
            "--offline",
        ])
        .args(extra)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| line.split_whitespace().next().map(str::to_owned))
        .collect()
}

const HTTP_AND_TLS: [&str; 6] = [
    "skillgate-alexa-api",
    "reqwest",
    "hyper",
    "rustls",
    "webpki-roots",
    "aws-lc-rs",
];

#[test]
fn without_alexa_api_the_framework_has_no_http_client() {
    let crates = graph(&["--no-default-features"]);
    assert!(crates.iter().any(|c| c == "skillgate-model"), "{crates:?}");
    for forbidden in HTTP_AND_TLS {
        assert!(
            !crates.iter().any(|c| c == forbidden),
            "skillgate --no-default-features depends on {forbidden}: {crates:?}"
        );
    }
}

#[test]
fn the_default_build_brings_the_alexa_api_client() {
    let crates = graph(&[]);
    for needed in ["skillgate-alexa-api", "reqwest", "rustls"] {
        assert!(
            crates.iter().any(|c| c == needed),
            "the default skillgate build lacks {needed}: {crates:?}"
        );
    }
}
