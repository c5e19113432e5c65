//! Shared helpers for the integration tests: the real Alexa fixtures, a shared test CA and a
//! local HTTPS server that serves chains.

#![allow(dead_code)]

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Request, Response, StatusCode};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use rustls_pki_types::CertificateDer;
use skillgate_verify::testing::{LeafOptions, TestCa, TestChain};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

pub const APP_ID: &str = "amzn1.ask.skill.00000000-0000-0000-0000-000000000001";

/// The fixtures directory (`shared/` sits beside the repository).
pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/alexa")
}

pub fn read_fixture(rel: &str) -> Vec<u8> {
    let path = fixtures().join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A real signed Alexa request from the fixtures.
pub struct Capture {
    pub name: &'static str,
    pub body: Vec<u8>,
    pub headers: HeaderMap,
    pub chain_file: String,
    pub chain: Vec<u8>,
    pub timestamp: OffsetDateTime,
    pub application_id: String,
    /// Extra trust anchors needed (the intermediate of chains whose root was retired).
    pub anchors: Vec<CertificateDer<'static>>,
}

pub const CAPTURES: &[&str] = &[
    "2017-02-intent",
    "2017-04-utf8-intent",
    "2017-11-leading-space",
    "2018-07-launch",
];

pub fn capture(name: &'static str) -> Capture {
    let body = read_fixture(&format!("requests/{name}.body.json"));
    let text = String::from_utf8(read_fixture(&format!("requests/{name}.headers.txt"))).unwrap();
    let mut headers = HeaderMap::new();
    let mut chain_file = String::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let (k, v) = line.split_once(':').unwrap();
        let v = v.trim();
        if k.eq_ignore_ascii_case("SignatureCertChainUrl") {
            chain_file = v.rsplit('/').next().unwrap().to_owned();
        }
        headers.append(
            HeaderName::from_bytes(k.trim().as_bytes()).unwrap(),
            HeaderValue::from_str(v).unwrap(),
        );
    }
    let chain = read_fixture(&format!("chains/{chain_file}"));
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let timestamp =
        OffsetDateTime::parse(json["request"]["timestamp"].as_str().unwrap(), &Rfc3339).unwrap();
    let application_id = json["context"]["System"]["application"]["applicationId"]
        .as_str()
        .or(json["session"]["application"]["applicationId"].as_str())
        .unwrap()
        .to_owned();
    let anchors = if chain_file.contains("-6-ats") {
        Vec::new()
    } else {
        let certs = skillgate_verify::chain::parse_pem(&chain).unwrap();
        vec![certs[1].clone()]
    };
    Capture {
        name,
        body,
        headers,
        chain_file,
        chain,
        timestamp,
        application_id,
        anchors,
    }
}

pub fn system_time(t: OffsetDateTime) -> SystemTime {
    SystemTime::from(t)
}

/// One CA shared by every test in a binary (RSA key generation is the slow part).
pub fn ca() -> &'static TestCa {
    static CA: OnceLock<TestCa> = OnceLock::new();
    CA.get_or_init(TestCa::generate)
}

/// A default chain under [`ca`], shared by every test in a binary.
pub fn chain() -> &'static TestChain {
    static CHAIN: OnceLock<TestChain> = OnceLock::new();
    CHAIN.get_or_init(|| ca().issue(&LeafOptions::default()))
}

/// An instant inside the default leaf's validity.
pub fn now() -> OffsetDateTime {
    time::macros::datetime!(2030-06-01 12:00:00 UTC)
}

/// A local HTTPS server (127.0.0.1, ephemeral port) presenting a certificate for
/// `s3.amazonaws.com` issued by its own CA, serving:
/// `/echo.api/good.pem` (the chain), `/echo.api/missing.pem` (404),
/// `/echo.api/redirect.pem` (301 to good.pem), `/echo.api/huge.pem` (200, 100 KiB),
/// `/echo.api/slow.pem` (answers after 3 s).
pub struct ChainServer {
    pub addr: SocketAddr,
    pub tls_root: CertificateDer<'static>,
    pub hits: Arc<AtomicUsize>,
    /// What `good.pem` serves (replace it to simulate Amazon re-issuing the chain).
    pub pem: Arc<Mutex<Bytes>>,
}

impl ChainServer {
    /// Serves `pem` from now on.
    pub fn set_pem(&self, pem: Vec<u8>) {
        *self.pem.lock().unwrap() = Bytes::from(pem);
    }

    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

pub async fn chain_server(pem: Vec<u8>) -> ChainServer {
    let (tls, ca) = skillgate_verify::testing::chain_host_tls();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(tls));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let hits = Arc::new(AtomicUsize::new(0));
    let pem = Arc::new(Mutex::new(Bytes::from(pem)));
    let served = Arc::clone(&pem);
    let server_hits = Arc::clone(&hits);
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            let acceptor = acceptor.clone();
            let pem = pem.clone();
            let hits = Arc::clone(&server_hits);
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let service = service_fn(move |req: Request<Incoming>| {
                    let pem = pem.lock().unwrap().clone();
                    let hits = Arc::clone(&hits);
                    async move {
                        hits.fetch_add(1, Ordering::SeqCst);
                        Ok::<_, Infallible>(respond(req.uri().path(), pem).await)
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(tls), service)
                    .await;
            });
        }
    });
    ChainServer {
        addr,
        tls_root: ca,
        hits,
        pem: served,
    }
}

async fn respond(path: &str, pem: Bytes) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::new()));
    match path {
        "/echo.api/good.pem" => *response.body_mut() = Full::new(pem),
        "/echo.api/delayed.pem" => {
            tokio::time::sleep(Duration::from_millis(200)).await;
            *response.body_mut() = Full::new(pem);
        }
        "/echo.api/redirect.pem" => {
            *response.status_mut() = StatusCode::MOVED_PERMANENTLY;
            response.headers_mut().insert(
                http::header::LOCATION,
                HeaderValue::from_static("/echo.api/good.pem"),
            );
        }
        "/echo.api/huge.pem" => {
            *response.body_mut() = Full::new(Bytes::from(vec![b'A'; 100 * 1024]))
        }
        "/echo.api/slow.pem" => {
            tokio::time::sleep(Duration::from_secs(3)).await;
            *response.body_mut() = Full::new(pem);
        }
        _ => *response.status_mut() = StatusCode::NOT_FOUND,
    }
    response
}
