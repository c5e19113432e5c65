//! Sends one case's request over its own TLS connection (HTTP/1.1, as Alexa does) and
//! reads the status and body.

use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full, Limited};
use hyper_util::rt::TokioIo;

use crate::cases::Probe;
use crate::target::Endpoint;
use crate::tls::{self, Versions};

/// Largest answer body read.
const MAX_ANSWER_BYTES: usize = 1 << 20;

/// The server's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// HTTP status code.
    pub status: u16,
    /// Body bytes (at most 1 MiB).
    pub body: Vec<u8>,
}

/// POSTs `probe` to `endpoint` at `addr`, within `timeout`.
pub async fn send(
    endpoint: &Endpoint,
    addr: SocketAddr,
    probe: &Probe,
    timeout: Duration,
) -> Result<Answer, String> {
    let name = endpoint.server_name().map_err(|e| e.to_string())?;
    let work = async {
        let hs = tls::handshake(addr, name, Versions::Modern, true, timeout).await?;
        let (mut sender, connection) =
            hyper::client::conn::http1::handshake::<_, Full<Bytes>>(TokioIo::new(hs.stream))
                .await
                .map_err(|e| format!("HTTP/1.1: {e}"))?;
        let driver = tokio::spawn(connection);
        let mut request = hyper::Request::post(endpoint.path_and_query.as_str())
            .header(hyper::header::HOST, endpoint.authority())
            .header(hyper::header::CONTENT_LENGTH, probe.body.len());
        for (name, value) in &probe.headers {
            request = request.header(*name, value.as_str());
        }
        let request = request
            .body(Full::new(Bytes::from(probe.body.clone())))
            .map_err(|e| format!("building the request: {e}"))?;
        let response = sender
            .send_request(request)
            .await
            .map_err(|e| format!("no HTTP answer: {e}"))?;
        let status = response.status().as_u16();
        let body = Limited::new(response.into_body(), MAX_ANSWER_BYTES)
            .collect()
            .await
            .map(|b| b.to_bytes().to_vec())
            .unwrap_or_default();
        driver.abort();
        Ok(Answer { status, body })
    };
    tokio::time::timeout(timeout, work)
        .await
        .unwrap_or_else(|_| Err(format!("no answer within {timeout:?}")))
}
