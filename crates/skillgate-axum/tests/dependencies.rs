//! Adding verification to an existing axum app must not pull in the rest of skillgate: no
//! database client, no skill framework, no TLS server. Checked on the real dependency graph.

use std::process::Command;

#[test]
fn the_layer_compiles_no_database_client_and_no_server() {
    let out = Command::new(env!("CARGO"))
        .args([
            "tree",
            "-p",
            "skillgate-axum",
            "--edges",
            "normal",
            "--prefix",
            "none",
            "--offline",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tree = String::from_utf8_lossy(&out.stdout);
    let crates: Vec<&str> = tree
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .collect();
    assert!(crates.contains(&"skillgate-verify"), "{tree}");
    for forbidden in [
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
    ] {
        assert!(
            !crates.contains(&forbidden),
            "skillgate-axum depends on {forbidden}:\n{tree}"
        );
    }
}
