//! The real binary: SIGHUP reloads the TLS certificate without a restart; SIGTERM lets a
//! request in flight finish, then the process exits 0.

mod server_common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use server_common::*;
use skillgate_server::dev_cert;

fn config(port: u16, dir: &std::path::Path, extra: &str) -> std::path::PathBuf {
    let path = dir.join("skillgate.toml");
    let text = format!(
        r#"
listen = "127.0.0.1:{port}"

[tls]
reload_interval_secs = 0
cert = "{cert}"
key = "{key}"

[dev]
any_application_id = true

{extra}
"#,
        cert = dir.join("live.crt").display(),
        key = dir.join("live.key").display(),
    );
    std::fs::write(&path, text).unwrap();
    path
}

fn write_cert(dir: &std::path::Path, name: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    let g = dev_cert::generate(dev_cert::DEV_HOSTS).unwrap();
    let (cert, key) = (
        dir.join(format!("{name}.crt")),
        dir.join(format!("{name}.key")),
    );
    std::fs::write(&cert, g.cert_pem).unwrap();
    std::fs::write(&key, g.key_pem).unwrap();
    (cert, key)
}

/// `skillgate invoke URL --launch` trusting only `cacert`; returns success and output.
fn invoke(data: &std::path::Path, url: &str, cacert: &std::path::Path) -> (bool, String) {
    let out = skillgate(
        data,
        &[
            "invoke",
            url,
            "--launch",
            "--cacert",
            cacert.to_str().unwrap(),
        ],
    );
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn sighup_reloads_the_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert!(skillgate(&data, &["dev-ca", "init"]).status.success());
    let (a_cert, a_key) = write_cert(dir.path(), "a");
    let (b_cert, b_key) = write_cert(dir.path(), "b");
    std::fs::copy(&a_cert, dir.path().join("live.crt")).unwrap();
    std::fs::copy(&a_key, dir.path().join("live.key")).unwrap();
    let port = free_port();
    let cfg = config(
        port,
        dir.path(),
        "[[skill]]\nname = \"home\"\nhandler = \"home\"\n",
    );
    let server = serve(
        &data,
        &["--dev-ca", "--config", cfg.to_str().unwrap()],
        port,
    );
    let url = format!("https://127.0.0.1:{port}/alexa");

    let (ok, out) = invoke(&data, &url, &a_cert);
    assert!(ok, "certificate A is served: {out}");

    // New files on disk; polling is off, so nothing changes until SIGHUP.
    std::fs::copy(&b_cert, dir.path().join("live.crt")).unwrap();
    std::fs::copy(&b_key, dir.path().join("live.key")).unwrap();
    let (ok, _) = invoke(&data, &url, &b_cert);
    assert!(!ok, "still certificate A before SIGHUP");

    server.signal("HUP");
    let start = Instant::now();
    loop {
        let (ok, out) = invoke(&data, &url, &b_cert);
        if ok {
            assert!(out.split_whitespace().count() >= 3, "{out}");
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "certificate B never served: {out}\n{}",
            server.log_text()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        server.log_text().contains("TLS certificate reloaded"),
        "{}",
        server.log_text()
    );
}

#[test]
fn sigterm_finishes_the_request_in_flight_then_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert!(skillgate(&data, &["dev-ca", "init"]).status.success());
    let (cert, key) = write_cert(dir.path(), "a");
    std::fs::copy(&cert, dir.path().join("live.crt")).unwrap();
    std::fs::copy(&key, dir.path().join("live.key")).unwrap();
    let (upstream, received) =
        slow_upstream(Duration::from_millis(1500), "Finished after the signal.");
    let port = free_port();
    let cfg = config(
        port,
        dir.path(),
        &format!(
            "[[skill]]\nname = \"slow\"\nupstream = \"http://{upstream}/alexa\"\nupstream_timeout_ms = 6000\n"
        ),
    );
    let mut server = serve(
        &data,
        &["--dev-ca", "--config", cfg.to_str().unwrap()],
        port,
    );
    let url = format!("https://127.0.0.1:{port}/alexa");
    let in_flight = Command::new(BIN)
        .arg("--data-dir")
        .arg(&data)
        .args([
            "invoke",
            &url,
            "--launch",
            "--cacert",
            cert.to_str().unwrap(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Once the request is in flight at the upstream, ask the server to stop.
    let start = Instant::now();
    while received.load(std::sync::atomic::Ordering::SeqCst) == 0 {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the request never reached the upstream: {}",
            server.log_text()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    server.signal("TERM");
    let out = in_flight.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("Finished after the signal."),
        "{text}{}\n{}",
        String::from_utf8_lossy(&out.stderr),
        server.log_text()
    );
    let status = server.wait_exit(Duration::from_secs(15));
    assert!(
        status.success(),
        "exit status {status}: {}",
        server.log_text()
    );
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err());
}

/// A self-signed certificate for localhost valid for `days` more days, written as live.crt
/// and live.key in `dir`.
fn write_cert_expiring_in(dir: &std::path::Path, days: u64) {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - Duration::from_secs(86_400);
    params.not_after = now + Duration::from_secs(days * 86_400);
    let cert = params.self_signed(&key).unwrap();
    std::fs::write(dir.join("live.crt"), cert.pem()).unwrap();
    std::fs::write(dir.join("live.key"), key.serialize_pem()).unwrap();
}

/// `skillgate_tls_certificate_expiry_seconds{name="localhost"}` from a real scrape of the
/// admin listener, in days.
fn expiry_days(admin: u16) -> Option<f64> {
    use std::io::{Read, Write};
    let mut tcp = std::net::TcpStream::connect(("127.0.0.1", admin)).ok()?;
    tcp.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    tcp.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .ok()?;
    let mut text = String::new();
    let _ = tcp.read_to_string(&mut text);
    text.lines()
        .find(|l| {
            l.starts_with("skillgate_tls_certificate_expiry_seconds{")
                && l.contains("name=\"localhost\"")
        })
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse::<f64>().ok())
        .map(|secs| secs / 86_400.0)
}

#[test]
fn own_certificate_expiry_is_a_metric_with_warnings_updated_on_sighup() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    write_cert_expiring_in(dir.path(), 5);
    let (port, admin) = (free_port(), free_port());
    let file = config(
        port,
        dir.path(),
        "[[skill]]\nname = \"home\"\nhandler = \"home\"\n",
    );
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &file,
        format!("admin_listen = \"127.0.0.1:{admin}\"\n{text}"),
    )
    .unwrap();
    let server = serve(&data, &["--config", file.to_str().unwrap()], port);

    // At start: about 5 days, and the 7-day warning (not also the 30-day one).
    let wait_for = |lo: f64, hi: f64| {
        let start = Instant::now();
        loop {
            let days = expiry_days(admin);
            if days.is_some_and(|d| (lo..=hi).contains(&d)) {
                return;
            }
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "expiry {days:?} not in {lo}..{hi}: {}",
                server.log_text()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    wait_for(4.99, 5.0);
    let log = server.log_text();
    assert!(
        log.lines()
            .any(|l| l.contains("expires in less than 7 day(s)") && l.contains("localhost")),
        "{log}"
    );
    assert!(!log.contains("expires in less than 30 day(s)"), "{log}");

    // Renewed on disk (20 days), SIGHUP: the gauge follows and the 30-day warning is given.
    write_cert_expiring_in(dir.path(), 20);
    server.signal("HUP");
    wait_for(19.99, 20.0);
    let log = server.log_text();
    assert!(
        log.lines()
            .any(|l| l.contains("expires in less than 30 day(s)") && l.contains("localhost")),
        "{log}"
    );
}
