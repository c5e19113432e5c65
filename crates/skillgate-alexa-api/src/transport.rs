//! The one HTTPS client every call goes through: rustls, no redirects, a cap on answer
//! bodies, and the caller's deadline over the whole exchange (connect, headers, body).

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::header::{
    ACCEPT, ACCEPT_LANGUAGE, AUTHORIZATION, CONTENT_TYPE, LOCATION, RETRY_AFTER,
};
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, ProtocolError};
use crate::scope::Scope;
use crate::token::ApiToken;

/// The default cap on an answer body: Alexa's answers are a few kilobytes; a reminder list
/// of the maximum size is well under this.
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

/// The HTTPS client shared by every call of a skill. Cheap to clone (an `Arc` inside);
/// build one per process.
#[derive(Clone, Debug)]
pub struct Transport {
    http: reqwest::Client,
    body_limit: usize,
}

/// Builds a [`Transport`].
#[derive(Debug)]
pub struct TransportBuilder {
    extra_roots: Vec<CertificateDer<'static>>,
    body_limit: usize,
    allow_http: bool,
    connect_timeout: Duration,
}

impl Default for TransportBuilder {
    fn default() -> Self {
        Self {
            extra_roots: Vec::new(),
            body_limit: DEFAULT_BODY_LIMIT,
            allow_http: false,
            connect_timeout: Duration::from_secs(3),
        }
    }
}

impl TransportBuilder {
    /// Trusts the certificates of a PEM bundle too (a local mock's CA), besides Mozilla's
    /// roots.
    pub fn add_root_pem(mut self, pem: &[u8]) -> Result<Self, ApiError> {
        for cert in CertificateDer::pem_slice_iter(pem) {
            let cert = cert.map_err(|e| ApiError::Client(format!("root certificate: {e}")))?;
            self.extra_roots.push(cert);
        }
        Ok(self)
    }

    /// Sets the cap on answer bodies (default [`DEFAULT_BODY_LIMIT`]).
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// Allows plain `http://` endpoints (tests only; Alexa's endpoints are HTTPS).
    pub fn allow_http(mut self, allow: bool) -> Self {
        self.allow_http = allow;
        self
    }

    /// Sets the connect timeout (default 3 s; every call is also bounded by its deadline).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The transport.
    pub fn build(self) -> Result<Transport, ApiError> {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let mut roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        for cert in self.extra_roots {
            roots
                .add(cert)
                .map_err(|e| ApiError::Client(format!("root certificate: {e}")))?;
        }
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| ApiError::Client(e.to_string()))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let http = reqwest::Client::builder()
            .use_preconfigured_tls(tls)
            .https_only(!self.allow_http)
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(self.connect_timeout)
            .user_agent(concat!("skillgate-alexa-api/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ApiError::Client(e.to_string()))?;
        Ok(Transport {
            http,
            body_limit: self.body_limit,
        })
    }
}

/// One call, ready to send.
#[derive(Debug)]
pub(crate) struct Call<'a> {
    pub(crate) method: reqwest::Method,
    pub(crate) url: String,
    pub(crate) token: &'a ApiToken,
    pub(crate) body: Option<Vec<u8>>,
    /// `application/json` unless set (LWA's token call is a form).
    pub(crate) content_type: &'static str,
    pub(crate) scope: Option<Scope>,
    pub(crate) accept_language: Option<&'a str>,
    pub(crate) authorize: bool,
}

impl<'a> Call<'a> {
    pub(crate) fn new(method: reqwest::Method, url: String, token: &'a ApiToken) -> Self {
        Self {
            method,
            url,
            token,
            body: None,
            content_type: "application/json",
            scope: None,
            accept_language: None,
            authorize: true,
        }
    }

    pub(crate) fn json<B: serde::Serialize>(mut self, body: &B) -> Result<Self, ApiError> {
        self.body =
            Some(serde_json::to_vec(body).map_err(|e| ApiError::InvalidCall(e.to_string()))?);
        Ok(self)
    }
}

/// A 2xx answer, read whole.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) content_type: Option<String>,
    pub(crate) body: Bytes,
}

impl Answer {
    /// The body as `T`: JSON content type, non-empty, the expected shape.
    pub(crate) fn json<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        if self.body.is_empty() {
            return Err(ProtocolError::EmptyBody.into());
        }
        let json = self.content_type.as_deref().is_some_and(|t| {
            let essence = t.split(';').next().unwrap_or("").trim();
            essence.eq_ignore_ascii_case("application/json")
                || essence.to_ascii_lowercase().ends_with("+json")
        });
        if !json {
            return Err(ProtocolError::ContentType(self.content_type.clone()).into());
        }
        serde_json::from_slice(&self.body).map_err(|e| ProtocolError::Json(e).into())
    }

    /// The body as `T`, or `None` for 204 / an empty body.
    pub(crate) fn json_or_none<T: DeserializeOwned>(&self) -> Result<Option<T>, ApiError> {
        if self.status == 204 || self.body.is_empty() {
            Ok(None)
        } else {
            self.json().map(Some)
        }
    }
}

impl Transport {
    /// A transport trusting Mozilla's roots (what a skill in production needs).
    pub fn new() -> Result<Self, ApiError> {
        TransportBuilder::default().build()
    }

    /// Starts building a transport.
    pub fn builder() -> TransportBuilder {
        TransportBuilder::default()
    }

    /// The cap on answer bodies.
    pub fn body_limit(&self) -> usize {
        self.body_limit
    }

    /// Sends a call and reads the whole answer before `deadline`; non-2xx answers become
    /// the matching [`ApiError`].
    pub(crate) async fn send(&self, call: Call<'_>, deadline: Instant) -> Result<Answer, ApiError> {
        let started = Instant::now();
        if started >= deadline {
            return Err(ApiError::Deadline);
        }
        let method = call.method.clone();
        let path = path_of(&call.url).to_owned();
        let scope = call.scope.clone();
        let exchange = self.exchange(call);
        let outcome = tokio::time::timeout_at(tokio::time::Instant::from_std(deadline), exchange)
            .await
            .unwrap_or(Err(ApiError::Deadline));
        let elapsed_ms = started.elapsed().as_millis() as u64;
        match &outcome {
            Ok(answer) => {
                tracing::debug!(%method, %path, status = answer.0, elapsed_ms, "Alexa API call")
            }
            Err(error) => {
                tracing::debug!(%method, %path, reason = error.reason(), elapsed_ms, "Alexa API call failed")
            }
        }
        let (status, retry_after, location, content_type, body) = outcome?;
        if (200..300).contains(&status) {
            return Ok(Answer {
                status,
                content_type,
                body,
            });
        }
        Err(ApiError::from_status(
            status,
            scope,
            retry_after,
            location,
            &body,
        ))
    }

    #[allow(clippy::type_complexity)]
    async fn exchange(
        &self,
        call: Call<'_>,
    ) -> Result<(u16, Option<Duration>, Option<String>, Option<String>, Bytes), ApiError> {
        let mut request = self
            .http
            .request(call.method, &call.url)
            .header(ACCEPT, "application/json");
        if call.authorize {
            if call.token.is_empty() {
                return Err(ApiError::NoApiAccess("apiAccessToken"));
            }
            request = request.header(AUTHORIZATION, call.token.bearer());
        }
        if let Some(language) = call.accept_language {
            request = request.header(ACCEPT_LANGUAGE, language);
        }
        if let Some(body) = call.body {
            request = request.header(CONTENT_TYPE, call.content_type).body(body);
        }
        let mut response = request.send().await.map_err(ApiError::Connect)?;
        let status = response.status().as_u16();
        let header = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
                .map(str::to_owned)
        };
        let retry_after = header(RETRY_AFTER)
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let location = header(LOCATION);
        let content_type = header(CONTENT_TYPE);
        let limit = self.body_limit;
        if response.content_length().is_some_and(|n| n > limit as u64) {
            return Err(ProtocolError::TooLarge { limit }.into());
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(ApiError::Connect)? {
            if body.len() + chunk.len() > limit {
                return Err(ProtocolError::TooLarge { limit }.into());
            }
            body.extend_from_slice(&chunk);
        }
        Ok((
            status,
            retry_after,
            location,
            content_type,
            Bytes::from(body),
        ))
    }
}

/// The path of a URL, for logs (no query: it may carry ids).
fn path_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let path = rest.find('/').map_or("/", |i| &rest[i..]);
    path.split('?').next().unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_for_logs() {
        assert_eq!(
            path_of("https://api.amazonalexa.com/v1/alerts/reminders?x=1"),
            "/v1/alerts/reminders"
        );
        assert_eq!(path_of("https://h"), "/");
    }

    #[test]
    fn json_needs_a_json_content_type() {
        let answer = Answer {
            status: 200,
            content_type: Some("text/html".into()),
            body: Bytes::from_static(b"\"x\""),
        };
        assert!(matches!(
            answer.json::<String>(),
            Err(ApiError::Protocol(ProtocolError::ContentType(_)))
        ));
        let answer = Answer {
            status: 200,
            content_type: Some("application/json; charset=UTF-8".into()),
            body: Bytes::from_static(b"\"x\""),
        };
        assert_eq!(answer.json::<String>().unwrap(), "x");
    }
}
