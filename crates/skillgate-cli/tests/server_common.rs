//! Helpers for the tests that run the real `skillgate` binary as a server.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_skillgate");

/// `skillgate --data-dir DATA ARGS…`, run to completion.
pub fn skillgate(data: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("SKILLGATE_CONFIG")
        .output()
        .unwrap()
}

/// A free port on 127.0.0.1 (bound and released; tests retry nothing).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A `skillgate serve` child process, killed on drop.
pub struct Served {
    pub child: Child,
    pub log: PathBuf,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Served {
    pub fn pid(&self) -> String {
        self.child.id().to_string()
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Sends `signal` (e.g. "HUP", "TERM") with kill(1).
    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.pid())
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits (bounded) for the process to exit.
    pub fn wait_exit(&mut self, limit: Duration) -> std::process::ExitStatus {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                start.elapsed() < limit,
                "server did not exit: {}",
                self.log_text()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// Starts `skillgate --data-dir DATA serve ARGS…` and waits (bounded) until `port` accepts.
pub fn serve(data: &Path, args: &[&str], port: u16) -> Served {
    std::fs::create_dir_all(data).unwrap();
    let log = data.join(format!("serve-{port}.log"));
    let file = std::fs::File::create(&log).unwrap();
    let child = Command::new(BIN)
        .arg("--data-dir")
        .arg(data)
        .arg("serve")
        .args(args)
        .env_remove("SKILLGATE_CONFIG")
        .env_remove("SKILLGATE_LISTEN")
        .env("NO_COLOR", "1")
        .stdout(Stdio::from(file.try_clone().unwrap()))
        .stderr(Stdio::from(file))
        .spawn()
        .unwrap();
    let mut served = Served { child, log };
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Some(status) = served.child.try_wait().unwrap() {
            panic!("server exited ({status}): {}", served.log_text());
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "not listening: {}",
            served.log_text()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    served
}

/// A tiny real upstream skill on 127.0.0.1 (HTTP/1.1, one thread per connection) that
/// answers every POST after `delay` with speech `text`. Returns its address and the number
/// of requests it has received so far.
pub fn slow_upstream(
    delay: Duration,
    text: &'static str,
) -> (SocketAddr, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let received = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = std::sync::Arc::clone(&received);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let counter = std::sync::Arc::clone(&counter);
            std::thread::spawn(move || answer_one(stream, delay, text, &counter));
        }
    });
    (addr, received)
}

fn answer_one(
    stream: TcpStream,
    delay: Duration,
    text: &str,
    received: &std::sync::atomic::AtomicUsize,
) {
    let mut reader = BufReader::new(stream);
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let lower = line.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
        if line == "\r\n" {
            break;
        }
    }
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    received.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    std::thread::sleep(delay);
    let answer = format!(
        r#"{{"version":"1.0","response":{{"outputSpeech":{{"type":"PlainText","text":"{text}"}},"shouldEndSession":true}}}}"#
    );
    let mut stream = reader.into_inner();
    let _ = write!(
        stream,
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
        answer.len()
    );
}
