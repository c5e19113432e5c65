//! `skillgate serve` with `[tls.acme]`, for real: Debian's `pebble` (ACME server) with
//! `pebble-challtestsrv` as its DNS (every name → 127.0.0.1) validates tls-alpn-01 by
//! connecting to the served port; a client trusting pebble's root checks the name; with
//! 24-second certificates the renewal is served. A directory that is down leaves the server
//! up. `skillgate init --acme` writes a configuration `check-config` accepts.
//!
//! Without pebble (`scripts/pebble install`) the pebble test prints SKIPPED and passes,
//! unless SKILLGATE_REQUIRE_PEBBLE=1 (scripts/test).

mod server_common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use rustls_pki_types::CertificateDer;
use server_common::{free_port, serve, skillgate};
use skillgate_acme::testing::{Pebble, PebbleOptions, have_pebble, https_request, wait_listening};

const DOMAIN: &str = "skill.test";

fn plain_get(port: u16, path: &str) -> String {
    let mut tcp = TcpStream::connect(("127.0.0.1", port)).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    tcp.write_all(
        format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .unwrap();
    let mut out = String::new();
    let _ = tcp.read_to_string(&mut out);
    out
}

fn config(listen: u16, acme: &str) -> String {
    format!(
        "listen = \"127.0.0.1:{listen}\"\n{acme}\n\
         [[skill]]\nname = \"hello\"\napplication_ids = [\"amzn1.ask.skill.test\"]\nhandler = \"hello\"\n"
    )
}

#[test]
fn serve_gets_a_certificate_from_pebble_and_serves_its_renewal() {
    if !have_pebble() {
        return;
    }
    let port = free_port();
    let pebble = Pebble::start(&PebbleOptions::new(port, free_port(), 24));
    let data = tempfile::tempdir().unwrap();
    let file = data.path().join("skillgate.toml");
    std::fs::write(
        &file,
        config(
            port,
            &format!(
                "[tls.acme]\ndomains = [\"{DOMAIN}\"]\ncontact = [\"mailto:ops@{DOMAIN}\"]\n\
                 directory = \"https://127.0.0.1:{}/dir\"\nextra_roots = \"{}\"\n\
                 retry_initial_secs = 1\nretry_max_secs = 2\n",
                pebble.port(),
                pebble.api_ca_path().display()
            ),
        ),
    )
    .unwrap();
    let check = skillgate(data.path(), &["check-config", file.to_str().unwrap()]);
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let served = serve(data.path(), &["--config", file.to_str().unwrap()], port);
    let root = pebble.issuing_root();
    let addr = ("127.0.0.1", port);

    // The first certificate: handshakes fail until it is there, then /healthz answers.
    let start = Instant::now();
    let first = loop {
        match https_request(addr, DOMAIN, &root, "/healthz") {
            Ok((leaf, body)) => {
                assert_eq!(body.trim_end(), "ok");
                break leaf;
            }
            Err(error) => assert!(
                start.elapsed() < Duration::from_secs(40),
                "no certificate served: {error}\n{}",
                served.log_text()
            ),
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    // The name is checked: the certificate is not valid for another name.
    let other = https_request(addr, "other.test", &root, "/healthz").unwrap_err();
    assert!(other.contains("not valid for name"), "{other}");

    // Account key and certificate files: 0600.
    let acme_dir = data.path().join("acme");
    let mut files = 0;
    for entry in std::fs::read_dir(&acme_dir).unwrap() {
        let entry = entry.unwrap();
        use std::os::unix::fs::PermissionsExt as _;
        let mode = entry.metadata().unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", entry.path().display());
        files += 1;
    }
    assert!(
        files >= 3,
        "account, certificate and key in {}",
        acme_dir.display()
    );

    // Renewal at two thirds of 24 s: a new certificate, served to new connections.
    let start = Instant::now();
    loop {
        let (leaf, body) = https_request(addr, DOMAIN, &root, "/healthz")
            .unwrap_or_else(|e| panic!("{e}\n{}", served.log_text()));
        assert_eq!(body.trim_end(), "ok");
        if leaf != first {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(40),
            "no renewal served: {}",
            served.log_text()
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    let log = served.log_text();
    assert!(log.contains("ACME certificate issued"), "{log}");

    // Each certificate (24 s: less than a day left) got its expiry warning when it arrived:
    // the expiry watch follows ACME renewals.
    let start = Instant::now();
    loop {
        let log = served.log_text();
        let warned = log
            .lines()
            .filter(|l| l.contains("expires in less than 1 day(s)") && l.contains(DOMAIN))
            .count();
        if warned >= 2 {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{warned} expiry warning(s): {log}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn a_directory_that_is_down_leaves_the_server_up() {
    let (port, admin, down) = (free_port(), free_port(), free_port());
    let data = tempfile::tempdir().unwrap();
    let file = data.path().join("skillgate.toml");
    std::fs::write(
        &file,
        config(
            port,
            &format!(
                "admin_listen = \"127.0.0.1:{admin}\"\n[tls.acme]\ndomains = [\"{DOMAIN}\"]\n\
                 directory = \"https://127.0.0.1:{down}/dir\"\nretry_initial_secs = 1\nretry_max_secs = 1\n"
            ),
        ),
    )
    .unwrap();
    let mut served = serve(data.path(), &["--config", file.to_str().unwrap()], port);
    wait_listening(admin, "admin listener", &served.log);
    // Failed orders are retried and counted while the server keeps answering.
    let start = Instant::now();
    loop {
        let metrics = plain_get(admin, "/metrics");
        let failures = metrics
            .lines()
            .find(|l| l.starts_with("skillgate_acme_consecutive_failures"))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0);
        if failures >= 2.0 {
            assert!(
                metrics.contains("skillgate_acme_orders_total{result=\"error\""),
                "{metrics}"
            );
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "no failed orders counted: {metrics}\n{}",
            served.log_text()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(plain_get(admin, "/healthz").ends_with("ok\n"));
    // No certificate yet: the handshake fails cleanly, the process stays.
    let self_signed = CertificateDer::from(
        rcgen::generate_simple_self_signed(vec![DOMAIN.to_owned()])
            .unwrap()
            .cert
            .der()
            .to_vec(),
    );
    assert!(https_request(("127.0.0.1", port), DOMAIN, &self_signed, "/healthz").is_err());
    assert!(served.child.try_wait().unwrap().is_none(), "server exited");
    let log = served.log_text();
    assert!(log.contains("ACME order failed"), "{log}");
    assert!(
        log.contains("no ACME certificate for skill.test yet"),
        "{log}"
    );
    // The renewal loop (sleeping in its backoff) does not hold the shutdown up.
    served.signal("TERM");
    let status = served.wait_exit(Duration::from_secs(10));
    assert!(status.success(), "{status}: {}", served.log_text());
}

#[test]
fn init_acme_writes_a_config_that_check_config_accepts() {
    let data = tempfile::tempdir().unwrap();
    let file = data.path().join("skillgate.toml");
    let out = skillgate(
        data.path(),
        &[
            "init",
            "--acme",
            "--domain",
            "skill.example.com",
            "--contact",
            "mailto:you@example.com",
            "-o",
            file.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.contains(
            "[tls.acme]\ndomains = [\"skill.example.com\"]\ncontact = [\"mailto:you@example.com\"]"
        ),
        "{text}"
    );
    assert!(text.contains("listen = \"0.0.0.0:443\""), "{text}");
    let check = skillgate(data.path(), &["check-config", file.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&check.stdout);
    assert!(
        check.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&check.stderr)
    );
    assert!(
        stdout.contains("no ACME certificate for skill.example.com yet"),
        "{stdout}"
    );
    // Planning made the state directory, offline; nothing was ordered.
    assert!(data.path().join("acme").is_dir());

    // --domain without --acme, and [tls.acme] with tls.cert, are refused.
    let out = skillgate(
        data.path(),
        &["init", "--domain", "a.example.com", "-o", "-"],
    );
    assert!(!out.status.success());
    let both = data.path().join("both.toml");
    std::fs::write(
        &both,
        text.replacen(
            "\n[tls.acme]\n",
            "\ncert = \"/x/c.pem\"\nkey = \"/x/k.pem\"\n[tls.acme]\n",
            1,
        ),
    )
    .unwrap();
    let check = skillgate(data.path(), &["check-config", both.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&check.stderr);
    assert!(!check.status.success());
    assert!(
        stderr.contains("tls.cert: tls.cert/tls.key and [tls.acme] exclude each other"),
        "{stderr}"
    );
}
