//! Gateway mode: verified requests forwarded to a skill written in any language.
//!
//! The body goes out byte for byte with headers that say it was verified; the answer is
//! read under a size cap and a deadline and must pass [`crate::answer::check`]. Whatever
//! goes wrong becomes an [`UpstreamError`] the caller turns into a spoken error answer.

use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue};

use skillgate_verify::SignatureAlgorithm;

use crate::answer::{self, MAX_RESPONSE_BYTES};

/// Header set on every forwarded request: the request passed verification.
pub const VERIFIED_HEADER: &str = "x-skillgate-verified";
/// Header carrying the verified application (skill) id.
pub const APPLICATION_ID_HEADER: &str = "x-skillgate-application-id";
/// Header carrying the Alexa request id.
pub const REQUEST_ID_HEADER: &str = "x-skillgate-request-id";
/// Client headers passed through unchanged, so an upstream that keeps its SDK's own
/// signature check on still works: the chain URL and the one signature header that was
/// verified (`Signature-256`, or `Signature` when only the legacy SHA-1 one was checked).
/// Nothing else from the client is forwarded.
pub const PASSED_THROUGH: &[&str] = &["signaturecertchainurl", "signature-256", "signature"];

/// Why an upstream produced no usable answer.
#[derive(Debug, thiserror::Error)]
pub enum UpstreamError {
    /// Nothing answered at the address (refused, unreachable, TLS failure).
    #[error("cannot reach the upstream: {0}")]
    Connect(String),
    /// The upstream did not answer in time.
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    /// The upstream answered with a status other than 200.
    #[error("upstream answered status {0}")]
    Status(u16),
    /// The answer is larger than Alexa accepts.
    #[error("answer over {MAX_RESPONSE_BYTES} bytes")]
    TooLarge,
    /// The answer is not a valid Alexa response envelope.
    #[error("invalid answer: {0}")]
    Invalid(String),
    /// Reading the answer failed midway.
    #[error("reading the answer failed: {0}")]
    Read(String),
}

impl UpstreamError {
    /// Stable label for logs and metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Connect(_) => "connect",
            Self::Timeout(_) => "timeout",
            Self::Status(_) => "status",
            Self::TooLarge => "too_large",
            Self::Invalid(_) => "invalid",
            Self::Read(_) => "read",
        }
    }
}

/// An upstream skill reachable over HTTP(S).
#[derive(Debug, Clone)]
pub struct Upstream {
    url: reqwest::Url,
    client: reqwest::Client,
    timeout: Duration,
}

/// What the gateway tells the upstream about a verified request.
#[derive(Debug, Clone, Copy)]
pub struct Forwarded<'a> {
    /// The verified application id.
    pub application_id: &'a str,
    /// The Alexa request id.
    pub request_id: &'a str,
    /// The signature that was verified: only its header is forwarded, never an
    /// unverified one sent alongside it.
    pub signature: SignatureAlgorithm,
    /// The client's headers (only [`PASSED_THROUGH`] ones are forwarded).
    pub client_headers: &'a HeaderMap,
}

impl Upstream {
    /// An upstream at `url` with a total deadline (connect, send, answer) of `timeout`.
    /// Redirects are not followed and no proxy is used.
    pub fn new(url: &str, timeout: Duration) -> Result<Self, String> {
        let url = reqwest::Url::parse(url).map_err(|e| format!("upstream {url:?}: {e}"))?;
        let tls = client_tls()?;
        let client = reqwest::Client::builder()
            .use_preconfigured_tls(tls)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .connect_timeout(timeout.min(Duration::from_secs(2)))
            .timeout(timeout)
            .pool_idle_timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| format!("upstream client: {e}"))?;
        Ok(Self {
            url,
            client,
            timeout,
        })
    }

    /// The URL requests go to.
    pub fn url(&self) -> &reqwest::Url {
        &self.url
    }

    /// Forwards `body` and returns the upstream's answer once it has been checked.
    pub async fn forward(&self, body: Bytes, info: Forwarded<'_>) -> Result<Bytes, UpstreamError> {
        match tokio::time::timeout(self.timeout, self.exchange(body, info)).await {
            Ok(result) => result,
            Err(_) => Err(UpstreamError::Timeout(self.timeout)),
        }
    }

    async fn exchange(&self, body: Bytes, info: Forwarded<'_>) -> Result<Bytes, UpstreamError> {
        let mut headers = HeaderMap::new();
        headers.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        headers.insert(VERIFIED_HEADER, HeaderValue::from_static("1"));
        if let Ok(v) = HeaderValue::from_str(info.application_id) {
            headers.insert(APPLICATION_ID_HEADER, v);
        }
        if let Ok(v) = HeaderValue::from_str(info.request_id) {
            headers.insert(REQUEST_ID_HEADER, v);
        }
        let verified = info.signature.header().to_ascii_lowercase();
        let forwarded = PASSED_THROUGH
            .iter()
            .filter(|name| **name == "signaturecertchainurl" || **name == verified);
        for name in forwarded {
            if let Some(v) = info.client_headers.get(*name) {
                headers.insert(HeaderName::from_static(name), v.clone());
            }
        }
        let mut response = self
            .client
            .post(self.url.clone())
            .headers(headers)
            .body(body)
            .send()
            .await
            .map_err(|e| classify(e, self.timeout))?;
        let status = response.status();
        if status != reqwest::StatusCode::OK {
            return Err(UpstreamError::Status(status.as_u16()));
        }
        if response
            .content_length()
            .is_some_and(|n| n > MAX_RESPONSE_BYTES as u64)
        {
            return Err(UpstreamError::TooLarge);
        }
        let mut answer = Vec::new();
        while let Some(chunk) =
            response
                .chunk()
                .await
                .map_err(|e| match classify(e, self.timeout) {
                    UpstreamError::Connect(m) => UpstreamError::Read(m),
                    other => other,
                })?
        {
            if answer.len() + chunk.len() > MAX_RESPONSE_BYTES {
                return Err(UpstreamError::TooLarge);
            }
            answer.extend_from_slice(&chunk);
        }
        answer::check(&answer).map_err(UpstreamError::Invalid)?;
        Ok(Bytes::from(answer))
    }
}

fn classify(error: reqwest::Error, timeout: Duration) -> UpstreamError {
    if error.is_timeout() {
        UpstreamError::Timeout(timeout)
    } else {
        // Include the source chain: "error sending request" alone says nothing.
        let mut message = error.to_string();
        let mut source = std::error::Error::source(&error);
        while let Some(s) = source {
            message.push_str(": ");
            message.push_str(&s.to_string());
            source = s.source();
        }
        UpstreamError::Connect(message)
    }
}

fn client_tls() -> Result<rustls::ClientConfig, String> {
    let provider = std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth())
}
