//! docs/ARCHITECTURE.md's claims about the crate graph hold on the real one:
//!
//! - every `name -> deps` line of its graph block equals the workspace's normal (and optional)
//!   skillgate dependencies as `cargo metadata` reports them, and every workspace crate has a
//!   line;
//! - what a library user takes alone brings no more than it says (`cargo tree`): the axum Layer
//!   no database client, framework or server; the framework without `alexa-api` no HTTP client.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

/// `model` → `skillgate-model`, `skillgate` → `skillgate`, `examples/home` →
/// `skillgate-example-home`.
fn package_name(short: &str) -> String {
    match short {
        "skillgate" => short.to_owned(),
        _ => match short.strip_prefix("examples/") {
            Some(example) => format!("skillgate-example-{example}"),
            None => format!("skillgate-{short}"),
        },
    }
}

/// The graph block: lines `name -> a, b (note), c`, continuation lines start with spaces.
fn documented() -> BTreeMap<String, BTreeSet<String>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let text = std::fs::read_to_string(root.join("docs/ARCHITECTURE.md")).unwrap();
    let start = text
        .find("<!-- fragment: the crate graph")
        .expect("the graph block is marked");
    let block = &text[start..];
    let body = block.split("```").nth(1).expect("a fenced block follows");
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in body.lines() {
        let (name, deps) = match line.split_once("->") {
            Some((name, deps)) if !line.starts_with(' ') => {
                let name = package_name(name.trim());
                graph.entry(name.clone()).or_default();
                current = Some(name);
                (current.clone(), deps)
            }
            _ => (current.clone(), line),
        };
        let Some(name) = name else { continue };
        // Drop parenthesised notes, then split.
        let mut plain = String::new();
        let mut depth = 0;
        for c in deps.chars() {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                c if depth == 0 => plain.push(c),
                _ => {}
            }
        }
        for dep in plain.split(',').map(str::trim).filter(|d| !d.is_empty()) {
            graph
                .entry(name.clone())
                .or_default()
                .insert(package_name(dep));
        }
    }
    graph
}

/// What `cargo args…` prints (offline, from this crate's directory); it must succeed.
fn cargo(args: &[&str]) -> Vec<u8> {
    let out = Command::new(env!("CARGO"))
        .args(args)
        .arg("--offline")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "cargo {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn actual() -> BTreeMap<String, BTreeSet<String>> {
    let out = cargo(&["metadata", "--format-version", "1", "--no-deps"]);
    let metadata: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let mut graph = BTreeMap::new();
    for package in metadata["packages"].as_array().unwrap() {
        let name = package["name"].as_str().unwrap().to_owned();
        let deps = package["dependencies"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["kind"].is_null())
            .filter_map(|d| d["name"].as_str())
            .filter(|d| d.starts_with("skillgate") && *d != name)
            .map(str::to_owned)
            .collect();
        graph.insert(name, deps);
    }
    graph
}

#[test]
fn the_documented_crate_graph_is_the_real_one() {
    let documented = documented();
    let actual = actual();
    let mut wrong = Vec::new();
    for (name, deps) in &actual {
        match documented.get(name) {
            None => wrong.push(format!(
                "{name}: missing from the graph (it depends on {deps:?})"
            )),
            Some(doc) if doc != deps => {
                wrong.push(format!("{name}: documented {doc:?}, really {deps:?}"))
            }
            Some(_) => {}
        }
    }
    for name in documented.keys().filter(|n| !actual.contains_key(*n)) {
        wrong.push(format!("{name}: documented but not a workspace crate"));
    }
    assert!(
        wrong.is_empty(),
        "docs/ARCHITECTURE.md's crate graph is out of date:\n{}",
        wrong.join("\n")
    );
}

/// Every crate (by name) in `package`'s normal dependency graph, with `extra` arguments.
fn crates_under(package: &str, extra: &[&str]) -> BTreeSet<String> {
    let mut args = vec![
        "tree", "-p", package, "--edges", "normal", "--prefix", "none",
    ];
    args.extend_from_slice(extra);
    String::from_utf8_lossy(&cargo(&args))
        .lines()
        .filter_map(|line| line.split_whitespace().next().map(str::to_owned))
        .collect()
}

/// Fails naming each of `forbidden` that `crates` holds.
fn assert_none_of(what: &str, crates: &BTreeSet<String>, forbidden: &[&str]) {
    let found: Vec<&&str> = forbidden.iter().filter(|f| crates.contains(**f)).collect();
    assert!(found.is_empty(), "{what} depends on {found:?}: {crates:?}");
}

#[test]
fn the_axum_layer_brings_no_database_client_framework_or_server() {
    let crates = crates_under("skillgate-axum", &[]);
    assert!(crates.contains("skillgate-verify"), "{crates:?}");
    assert_none_of(
        "skillgate-axum",
        &crates,
        &[
            "rusqlite",
            "libsqlite3-sys",
            "tokio-postgres",
            "deadpool-postgres",
            "redis",
            "skillgate-store",
            "skillgate-server",
            "skillgate",
            "skillgate-model",
            "metrics-exporter-prometheus",
        ],
    );
}

#[test]
fn the_framework_without_alexa_api_has_no_http_client() {
    let crates = crates_under("skillgate", &["--no-default-features"]);
    assert!(crates.contains("skillgate-model"), "{crates:?}");
    assert_none_of(
        "skillgate --no-default-features",
        &crates,
        &[
            "skillgate-alexa-api",
            "reqwest",
            "hyper",
            "rustls",
            "webpki-roots",
            "aws-lc-rs",
        ],
    );
    // The default build does bring the client (the feature is wired, not dead).
    let default = crates_under("skillgate", &[]);
    for needed in ["skillgate-alexa-api", "reqwest", "rustls"] {
        assert!(default.contains(needed), "default skillgate lacks {needed}");
    }
}
