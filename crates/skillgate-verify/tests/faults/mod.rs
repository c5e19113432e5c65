//! A misbehaving chain server for the download fault tests: real TLS on 127.0.0.1 with a
//! certificate for `s3.amazonaws.com` from its own CA, one fault per path, plus a raw TCP
//! listener that accepts and never says a word.

#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderValue, Request, Response, StatusCode};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt as _, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use rustls_pki_types::CertificateDer;

type Body = BoxBody<Bytes, std::io::Error>;

/// What the fault server does for each path under `/echo.api/`:
///
/// - a path registered with [`FaultServer::serve`]: 200 with those bytes;
/// - `hang.pem`: headers never come (the handler sleeps for an hour);
/// - `trickle.pem`: 200 at once, then the registered `good.pem` one byte per 100 ms;
/// - `moved.pem` / `found.pem`: 301 / 302 to `good.pem`;
/// - `error.pem`: 500; anything else: 404;
/// - `huge-declared.pem`: 200 with `Content-Length: 10 MB` and a 10 MB body;
/// - `endless.pem`: 200, chunked, 16 KiB chunks for up to 1 GiB (it stops only when the
///   client hangs up), counting the bytes it managed to hand to the socket.
///
/// While [`broken`](FaultServer::set_broken) is set, every path answers 500.
pub struct FaultServer {
    pub addr: SocketAddr,
    pub tls_root: CertificateDer<'static>,
    hits: Arc<AtomicUsize>,
    broken: Arc<AtomicBool>,
    chains: Arc<Mutex<HashMap<String, Bytes>>>,
    pub endless_sent: Arc<AtomicUsize>,
}

impl FaultServer {
    /// Requests that reached the HTTP handler.
    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }

    /// Serves `pem` with 200 at `/echo.api/{name}`.
    pub fn serve(&self, name: &str, pem: Vec<u8>) {
        self.chains
            .lock()
            .unwrap()
            .insert(format!("/echo.api/{name}"), Bytes::from(pem));
    }

    /// Makes every path answer 500 (or heals it).
    pub fn set_broken(&self, broken: bool) {
        self.broken.store(broken, Ordering::SeqCst);
    }

    /// `https://s3.amazonaws.com/echo.api/{name}`.
    pub fn url(name: &str) -> String {
        format!("https://s3.amazonaws.com/echo.api/{name}")
    }
}

/// Starts the fault server.
pub async fn fault_server() -> FaultServer {
    let (tls, ca) = skillgate_verify::testing::chain_host_tls();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(tls));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = FaultServer {
        addr,
        tls_root: ca,
        hits: Arc::new(AtomicUsize::new(0)),
        broken: Arc::new(AtomicBool::new(false)),
        chains: Arc::new(Mutex::new(HashMap::new())),
        endless_sent: Arc::new(AtomicUsize::new(0)),
    };
    let state = State {
        hits: Arc::clone(&server.hits),
        broken: Arc::clone(&server.broken),
        chains: Arc::clone(&server.chains),
        endless_sent: Arc::clone(&server.endless_sent),
    };
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            let acceptor = acceptor.clone();
            let state = state.clone();
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let service = service_fn(move |req: Request<Incoming>| {
                    let state = state.clone();
                    async move { Ok::<_, std::convert::Infallible>(state.respond(req).await) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(tls), service)
                    .await;
            });
        }
    });
    server
}

#[derive(Clone)]
struct State {
    hits: Arc<AtomicUsize>,
    broken: Arc<AtomicBool>,
    chains: Arc<Mutex<HashMap<String, Bytes>>>,
    endless_sent: Arc<AtomicUsize>,
}

fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into())
        .map_err(|never| match never {})
        .boxed()
}

fn status(code: StatusCode) -> Response<Body> {
    let mut response = Response::new(full(Bytes::new()));
    *response.status_mut() = code;
    response
}

impl State {
    async fn respond(&self, req: Request<Incoming>) -> Response<Body> {
        self.hits.fetch_add(1, Ordering::SeqCst);
        if self.broken.load(Ordering::SeqCst) {
            return status(StatusCode::INTERNAL_SERVER_ERROR);
        }
        let path = req.uri().path().to_owned();
        let registered = self.chains.lock().unwrap().get(&path).cloned();
        if let Some(pem) = registered {
            return Response::new(full(pem));
        }
        match path.as_str() {
            "/echo.api/hang.pem" => {
                tokio::time::sleep(Duration::from_secs(3600)).await;
                status(StatusCode::OK)
            }
            "/echo.api/trickle.pem" => {
                let pem = self
                    .chains
                    .lock()
                    .unwrap()
                    .get("/echo.api/good.pem")
                    .cloned()
                    .unwrap_or_else(|| Bytes::from_static(b"-----BEGIN CERTIFICATE-----\n"));
                let stream = futures_util::stream::unfold((pem, 0usize), |(pem, i)| async move {
                    if i >= pem.len() {
                        return None;
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    let frame = Frame::data(pem.slice(i..i + 1));
                    Some((Ok::<_, std::io::Error>(frame), (pem, i + 1)))
                });
                Response::new(BoxBody::new(StreamBody::new(stream)))
            }
            "/echo.api/moved.pem" | "/echo.api/found.pem" => {
                let mut response = status(if path.ends_with("moved.pem") {
                    StatusCode::MOVED_PERMANENTLY
                } else {
                    StatusCode::FOUND
                });
                response.headers_mut().insert(
                    http::header::LOCATION,
                    HeaderValue::from_static("/echo.api/good.pem"),
                );
                response
            }
            "/echo.api/error.pem" => status(StatusCode::INTERNAL_SERVER_ERROR),
            "/echo.api/huge-declared.pem" => Response::new(full(vec![b'A'; 10 * 1024 * 1024])),
            "/echo.api/endless.pem" => {
                let sent = Arc::clone(&self.endless_sent);
                let chunk = Bytes::from(vec![b'A'; 16 * 1024]);
                let stream = futures_util::stream::unfold(0usize, move |i| {
                    let sent = Arc::clone(&sent);
                    let chunk = chunk.clone();
                    async move {
                        if i >= 65_536 {
                            return None;
                        }
                        sent.fetch_add(chunk.len(), Ordering::SeqCst);
                        Some((Ok::<_, std::io::Error>(Frame::data(chunk)), i + 1))
                    }
                });
                Response::new(BoxBody::new(StreamBody::new(stream)))
            }
            _ => status(StatusCode::NOT_FOUND),
        }
    }
}

/// A TCP listener on 127.0.0.1 that accepts connections and never sends or reads a byte
/// (the TLS handshake never completes). Returns its address and how many it accepted.
pub async fn silent_listener() -> (SocketAddr, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = Arc::clone(&accepted);
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((tcp, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            held.push(tcp);
        }
    });
    (addr, accepted)
}

/// An address on 127.0.0.1 where nothing listens (connections are refused).
pub fn closed_port() -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    addr
}
