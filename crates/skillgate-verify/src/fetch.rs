//! Where chains come from: the only module that does I/O.
//!
//! [`HttpsChainSource`] downloads over HTTPS (no redirects, short timeouts, a size cap, 200
//! only); [`StaticChainSource`] serves configured PEM bytes (tests, `skillgate verify
//! --chain`, the development CA) and can fall back to another source.

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use rustls_pki_types::CertificateDer;

use crate::cert_url::{CERT_URL_HOST, CertChainUrl};
use crate::error::{ConfigError, FetchError, TransportError};
use crate::limits;

/// The future a [`ChainSource`] returns: the raw PEM bytes.
pub type FetchFuture<'a> = Pin<Box<dyn Future<Output = Result<Bytes, FetchError>> + Send + 'a>>;

/// A source of raw chain bytes for checked URLs. Implementations must fetch exactly
/// `url.as_str()`.
pub trait ChainSource: Send + Sync + 'static {
    /// Fetches the PEM bytes for `url`.
    fn fetch<'a>(&'a self, url: &'a CertChainUrl) -> FetchFuture<'a>;

    /// Whether fetching `url` goes to the network (and so counts against the download rate
    /// limit and the failure memory). Defaults to `true`.
    fn is_remote(&self, url: &CertChainUrl) -> bool {
        let _ = url;
        true
    }
}

/// Settings for [`HttpsChainSource`].
#[derive(Debug, Clone)]
pub struct HttpsChainSourceConfig {
    /// TCP + TLS connect timeout (default 2 s).
    pub connect_timeout: Duration,
    /// Whole-download timeout, body included (default 4 s; Alexa waits 8 s for the answer).
    pub total_timeout: Duration,
    /// Largest accepted chain (default 64 KiB; Amazon's are about 4 KiB).
    pub max_size: usize,
    /// Development/tests only: connect to this address instead of resolving
    /// `s3.amazonaws.com` (TLS still checks the name `s3.amazonaws.com`).
    pub connect_to: Option<SocketAddr>,
    /// Extra TLS roots for the download (added to webpki-roots; development/tests).
    pub extra_tls_roots: Vec<CertificateDer<'static>>,
}

impl Default for HttpsChainSourceConfig {
    fn default() -> Self {
        HttpsChainSourceConfig {
            connect_timeout: limits::DOWNLOAD_CONNECT_TIMEOUT,
            total_timeout: limits::DOWNLOAD_TIMEOUT,
            max_size: limits::MAX_CHAIN_BYTES,
            connect_to: None,
            extra_tls_roots: Vec::new(),
        }
    }
}

/// Downloads chains over HTTPS: rustls with the aws-lc-rs provider and the Mozilla roots, no
/// redirects, no proxies, connect and total timeouts, a size cap, and only status 200.
#[derive(Debug, Clone)]
pub struct HttpsChainSource {
    client: reqwest::Client,
    config: HttpsChainSourceConfig,
}

impl HttpsChainSource {
    /// A source with the given settings.
    pub fn new(config: HttpsChainSourceConfig) -> Result<HttpsChainSource, ConfigError> {
        let mut roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        for root in &config.extra_tls_roots {
            roots
                .add(root.clone())
                .map_err(|e| ConfigError::HttpClient(TransportError::new(e)))?;
        }
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| ConfigError::HttpClient(TransportError::new(e)))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let mut builder = reqwest::Client::builder()
            .use_preconfigured_tls(tls)
            .redirect(reqwest::redirect::Policy::none())
            .https_only(true)
            .no_proxy()
            .connect_timeout(config.connect_timeout)
            .timeout(config.total_timeout)
            .user_agent(concat!("skillgate-verify/", env!("CARGO_PKG_VERSION")));
        if let Some(addr) = config.connect_to {
            builder = builder.resolve(CERT_URL_HOST, addr);
        }
        let client = builder
            .build()
            .map_err(|e| ConfigError::HttpClient(TransportError::new(e)))?;
        Ok(HttpsChainSource { client, config })
    }

    /// A source with the default settings.
    pub fn with_defaults() -> Result<HttpsChainSource, ConfigError> {
        HttpsChainSource::new(HttpsChainSourceConfig::default())
    }

    async fn download(&self, url: &CertChainUrl) -> Result<Bytes, FetchError> {
        let mut response = self
            .client
            .get(url.as_str())
            .send()
            .await
            .map_err(map_reqwest_error)?;
        let status = response.status().as_u16();
        if status != 200 {
            return Err(FetchError::Status(status));
        }
        let max = self.config.max_size;
        if response
            .content_length()
            .is_some_and(|len| len > max as u64)
        {
            return Err(FetchError::TooLarge(max));
        }
        let mut body = BytesMut::new();
        while let Some(chunk) = response.chunk().await.map_err(map_reqwest_error)? {
            if body.len() + chunk.len() > max {
                return Err(FetchError::TooLarge(max));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body.freeze())
    }
}

impl ChainSource for HttpsChainSource {
    fn fetch<'a>(&'a self, url: &'a CertChainUrl) -> FetchFuture<'a> {
        Box::pin(async move {
            // reqwest's timeout covers the body too; this outer one is a backstop.
            match tokio::time::timeout(self.config.total_timeout, self.download(url)).await {
                Ok(result) => result,
                Err(_) => Err(FetchError::Timeout),
            }
        })
    }
}

fn map_reqwest_error(error: reqwest::Error) -> FetchError {
    if error.is_timeout() {
        return FetchError::Timeout;
    }
    FetchError::Transport(TransportError::new(error))
}

/// Serves configured PEM bytes for exact (normalized) URLs, optionally falling back to
/// another source for other URLs. Without a fallback, an unknown URL is
/// [`FetchError::NotFound`].
#[derive(Clone, Default)]
pub struct StaticChainSource {
    chains: HashMap<String, Bytes>,
    fallback: Option<Arc<dyn ChainSource>>,
}

impl StaticChainSource {
    /// An empty source with no fallback.
    pub fn new() -> StaticChainSource {
        StaticChainSource::default()
    }

    /// Adds (or replaces) the chain served for `url`.
    pub fn with_chain(mut self, url: &CertChainUrl, pem: impl Into<Bytes>) -> StaticChainSource {
        self.insert(url, pem);
        self
    }

    /// Adds (or replaces) the chain served for `url`.
    pub fn insert(&mut self, url: &CertChainUrl, pem: impl Into<Bytes>) {
        self.chains.insert(url.as_str().to_owned(), pem.into());
    }

    /// Sends URLs that are not configured here to `fallback`.
    pub fn with_fallback(mut self, fallback: Arc<dyn ChainSource>) -> StaticChainSource {
        self.fallback = Some(fallback);
        self
    }
}

impl std::fmt::Debug for StaticChainSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StaticChainSource")
            .field("urls", &self.chains.keys().collect::<Vec<_>>())
            .field("fallback", &self.fallback.is_some())
            .finish()
    }
}

impl ChainSource for StaticChainSource {
    fn fetch<'a>(&'a self, url: &'a CertChainUrl) -> FetchFuture<'a> {
        if let Some(pem) = self.chains.get(url.as_str()) {
            let pem = pem.clone();
            return Box::pin(async move { Ok(pem) });
        }
        match &self.fallback {
            Some(fallback) => fallback.fetch(url),
            None => Box::pin(async { Err(FetchError::NotFound) }),
        }
    }

    fn is_remote(&self, url: &CertChainUrl) -> bool {
        if self.chains.contains_key(url.as_str()) {
            return false;
        }
        self.fallback
            .as_ref()
            .is_some_and(|fallback| fallback.is_remote(url))
    }
}
