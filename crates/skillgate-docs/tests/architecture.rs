//! docs/ARCHITECTURE.md's crate graph is the real one: every `name -> deps` line of its graph
//! block equals the workspace's normal (and optional) skillgate dependencies as `cargo
//! metadata` reports them, and every workspace crate has a line.

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

fn actual() -> BTreeMap<String, BTreeSet<String>> {
    let out = Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let metadata: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
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
