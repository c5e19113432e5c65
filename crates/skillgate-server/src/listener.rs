//! The accept loop: TCP, optional TLS (rustls, TLS 1.2/1.3 only), HTTP/1.1 and HTTP/2
//! (hyper-util; chosen by ALPN, never by sniffing), a connection cap overall and per client
//! address, a handshake deadline, header and idle deadlines, and graceful shutdown.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tokio_rustls::TlsAcceptor;

use crate::cert_store::CertStore;
use crate::idle::{Activity, Tracked};
use crate::per_ip::PerIp;

/// Builds the rustls server configuration: aws-lc-rs, TLS 1.3 and 1.2 only, certificates
/// from `store`, ALPN http/1.1 (and h2 first when `http2`).
///
/// HTTP/2 is off by default: Alexa calls skills over HTTP/1.1, and over HTTP/1.1 a client
/// that sends `Expect: 100-continue` gets a 413 for an oversized body without uploading it,
/// while over HTTP/2 the unread stream must be reset, which some clients (curl 7.x) report
/// as a stream error instead of showing the 413.
pub fn tls_config(
    store: Arc<CertStore>,
    http2: bool,
) -> Result<rustls::ServerConfig, rustls::Error> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])?
        .with_no_client_auth()
        .with_cert_resolver(store);
    config.alpn_protocols = if http2 {
        vec![b"h2".to_vec(), b"http/1.1".to_vec()]
    } else {
        vec![b"http/1.1".to_vec()]
    };
    Ok(config)
}

/// How one listener serves its connections.
#[derive(Clone)]
pub(crate) struct ListenerOptions {
    /// TLS, or `None` for plain HTTP.
    pub tls: Option<TlsAcceptor>,
    pub handshake_timeout: Duration,
    pub header_read_timeout: Duration,
    /// A connection with no request in flight for this long is closed (HTTP/1.1 and 2).
    pub idle_timeout: Duration,
    pub max_connections: usize,
    /// Most simultaneous connections from one client address.
    pub max_connections_per_ip: usize,
    pub shutdown_grace: Duration,
}

/// Serves `router` on `listener` until `shutdown` turns true, then stops accepting and
/// waits up to the grace period for in-flight requests.
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    options: ListenerOptions,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(options.header_read_timeout)
        .keep_alive(true);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_concurrent_streams(64);
    // The protocol is chosen before hyper sees the connection: by ALPN over TLS, HTTP/1.1
    // for plain HTTP. Auto-detection reads the first bytes with no deadline, so a client
    // that connects and says nothing (or sends half of the HTTP/2 preface) would hold a
    // connection slot forever; HTTP/1's header read timeout covers idle and keep-alive
    // connections from the first byte they fail to send, and the idle timeout covers
    // HTTP/2 connections (whose PINGs are not requests).
    let http1 = Arc::new(builder.clone().http1_only());
    let http2 = Arc::new(builder.http2_only());
    let max_connections = options.max_connections.min(Semaphore::MAX_PERMITS);
    let slots = Arc::new(Semaphore::new(max_connections));
    let per_ip = PerIp::new(options.max_connections_per_ip);
    loop {
        let accepted = tokio::select! {
            changed = shutdown.changed() => {
                if changed.is_err() || *shutdown.borrow() {
                    break;
                }
                continue;
            }
            accepted = listener.accept() => accepted,
        };
        let (stream, peer) = match accepted {
            Ok(pair) => pair,
            Err(error) => {
                // Out of file descriptors and the like: back off instead of spinning.
                tracing::warn!(%error, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Some(ip_slot) = per_ip.take(peer.ip()) else {
            crate::metrics::connection_refused();
            tracing::warn!(
                %peer,
                max = options.max_connections_per_ip,
                "per-address connection cap reached; closing"
            );
            drop(stream);
            continue;
        };
        let Ok(permit) = Arc::clone(&slots).try_acquire_owned() else {
            crate::metrics::connection_refused();
            tracing::warn!(%peer, max = options.max_connections, "connection cap reached; closing");
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let (http1, http2) = (Arc::clone(&http1), Arc::clone(&http2));
        let activity = Activity::new();
        let service = Tracked::new(
            TowerToHyperService::new(router.clone()),
            Arc::clone(&activity),
        );
        let tls = options.tls.clone();
        let handshake_timeout = options.handshake_timeout;
        let idle_timeout = options.idle_timeout;
        let mut stop = shutdown.clone();
        tokio::spawn(async move {
            let _permit = (permit, ip_slot);
            let result = match tls {
                None => {
                    let conn = http1
                        .serve_connection(TokioIo::new(stream), service)
                        .into_owned();
                    drive(conn, &activity, idle_timeout, stop).await
                }
                Some(acceptor) => {
                    // A handshake still running at shutdown is abandoned, not waited for.
                    let handshake = tokio::select! {
                        result = tokio::time::timeout(handshake_timeout, acceptor.accept(stream)) => result,
                        _ = stop.wait_for(|stopping| *stopping) => return,
                    };
                    match handshake {
                        Ok(Ok(tls))
                            if skillgate_acme::is_acme_validation(
                                tls.get_ref().1.alpn_protocol(),
                            ) =>
                        {
                            // An ACME tls-alpn-01 validation: the handshake was all of it.
                            return;
                        }
                        Ok(Ok(tls)) => {
                            let h2 = tls.get_ref().1.alpn_protocol() == Some(b"h2".as_slice());
                            let builder = if h2 { http2 } else { http1 };
                            let conn = builder
                                .serve_connection(TokioIo::new(tls), service)
                                .into_owned();
                            drive(conn, &activity, idle_timeout, stop).await
                        }
                        Ok(Err(error)) => {
                            tracing::debug!(%peer, %error, "TLS handshake failed");
                            return;
                        }
                        Err(_) => {
                            tracing::debug!(%peer, "TLS handshake timed out");
                            return;
                        }
                    }
                }
            };
            if let Err(error) = result {
                tracing::debug!(%peer, %error, "connection ended with an error");
            }
        });
    }
    drop(listener);
    // Every connection task holds a slot until it ends: all slots back means all closed.
    let all = u32::try_from(max_connections).unwrap_or(u32::MAX);
    tokio::select! {
        _ = slots.acquire_many(all) => tracing::debug!("all connections closed"),
        () = tokio::time::sleep(options.shutdown_grace) => {
            tracing::warn!(grace = ?options.shutdown_grace, "grace period over; dropping open connections");
        }
    }
}

/// One served connection.
type Conn<I> =
    auto::Connection<'static, TokioIo<I>, Tracked<TowerToHyperService<Router>>, TokioExecutor>;

/// Runs one connection until it ends. When it has been idle for `idle_timeout`, or the
/// server stops, it is asked to finish gracefully (HTTP/2 GOAWAY; HTTP/1.1 closes after
/// the response in flight) and runs on until it does.
async fn drive<I>(
    conn: Conn<I>,
    activity: &Activity,
    idle_timeout: Duration,
    mut stop: watch::Receiver<bool>,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>>
where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let mut conn = std::pin::pin!(conn);
    tokio::select! {
        result = conn.as_mut() => return result,
        () = activity.idle_for(idle_timeout) => {
            tracing::debug!(?idle_timeout, "closing an idle connection");
        }
        _ = stop.wait_for(|stopping| *stopping) => {}
    }
    conn.as_mut().graceful_shutdown();
    // A client that ignores GOAWAY cannot keep the connection past the idle timeout.
    match tokio::time::timeout(idle_timeout, conn).await {
        Ok(result) => result,
        Err(_) => Ok(()),
    }
}
