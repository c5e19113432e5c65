//! The entry point: [`Verifier::verify`] runs every check, in the order of [`Check::ALL`](crate::Check::ALL).

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use http::HeaderMap;
use rustls_pki_types::CertificateDer;
use time::OffsetDateTime;

use crate::application_id::{self, ApplicationIds};
use crate::cache::{ChainCache, ChainCacheConfig};
use crate::cert_url::CertChainUrl;
use crate::envelope::MinimalEnvelope;
use crate::error::{ConfigError, VerifyError};
use crate::fetch::ChainSource;
use crate::replay::{REPLAY_MARGIN, ReplayGuard, Seen};
use crate::signature::{
    SIGNATURE_256_HEADER, SIGNATURE_SHA1_HEADER, SignatureAlgorithm, decode_signature,
};
use crate::timestamp::{self, DEFAULT_TOLERANCE};
use crate::trust::TrustStore;

/// The header naming the chain URL.
pub const CERT_URL_HEADER: &str = "SignatureCertChainUrl";

/// What a [`Verifier`] accepts.
#[derive(Debug, Clone)]
pub struct VerifierConfig {
    /// The skills this verifier serves. `Only(vec![])` (the `Default`) is rejected by
    /// [`Verifier::new`]; use [`VerifierConfig::for_skills`] or [`VerifierConfig::any_skill`].
    pub application_ids: ApplicationIds,
    /// Accept the legacy SHA-1 `Signature` header when `Signature-256` is absent (default
    /// false).
    pub allow_sha1: bool,
    /// Timestamp tolerance, both directions (default and maximum 150 s; skill events always
    /// get one hour).
    pub timestamp_tolerance: Duration,
    /// Development only: allow a tolerance above 150 s (logs a warning).
    pub dev_loose_timestamp: bool,
    /// Trust anchors added to the Mozilla roots (never instead of them): tests, a local dev
    /// CA, or the intermediates of retired Amazon chains.
    pub extra_trust_anchors: Vec<CertificateDer<'static>>,
    /// Cache sizing, used by [`Verifier::new`] (with [`Verifier::with_cache`] the shared
    /// cache's own settings apply).
    pub cache: ChainCacheConfig,
    /// Replay protection: when set, a request id that already passed verification within
    /// its timestamp window is refused ([`VerifyError::Replayed`]). `None` (the default)
    /// checks nothing, e.g. for the offline `skillgate verify` command.
    pub replay: Option<Arc<dyn ReplayGuard>>,
}

impl Default for VerifierConfig {
    fn default() -> Self {
        VerifierConfig {
            application_ids: ApplicationIds::Only(Vec::new()),
            allow_sha1: false,
            timestamp_tolerance: DEFAULT_TOLERANCE,
            dev_loose_timestamp: false,
            extra_trust_anchors: Vec::new(),
            cache: ChainCacheConfig::default(),
            replay: None,
        }
    }
}

impl VerifierConfig {
    /// Checks the configuration without building a verifier: what [`Verifier::new`] refuses,
    /// this refuses (an empty application-id list, a tolerance over 150 s without
    /// `dev_loose_timestamp`, an extra trust anchor that is not a certificate).
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.application_ids == ApplicationIds::Only(Vec::new()) {
            return Err(ConfigError::NoApplicationIds);
        }
        if self.timestamp_tolerance > DEFAULT_TOLERANCE && !self.dev_loose_timestamp {
            return Err(ConfigError::ToleranceTooLarge(self.timestamp_tolerance));
        }
        TrustStore::new(&self.extra_trust_anchors)?;
        Ok(())
    }

    /// Accepts requests for these application ids, with every other setting at its default.
    pub fn for_skills<I, S>(ids: I) -> VerifierConfig
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        VerifierConfig {
            application_ids: ApplicationIds::Only(ids.into_iter().map(Into::into).collect()),
            ..VerifierConfig::default()
        }
    }

    /// Accepts any application id (demo mode), every other setting at its default.
    pub fn any_skill() -> VerifierConfig {
        VerifierConfig {
            application_ids: ApplicationIds::Any,
            ..VerifierConfig::default()
        }
    }
}

/// A request that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedRequest {
    /// The (allowed) application id.
    pub application_id: String,
    /// The signature that was verified.
    pub algorithm: SignatureAlgorithm,
    /// `request.type`.
    pub request_type: String,
    /// `request.requestId`.
    pub request_id: String,
    /// `request.timestamp`.
    pub timestamp: OffsetDateTime,
    /// The normalized chain URL.
    pub cert_url: CertChainUrl,
    /// `request.locale`, if present (for logs).
    pub locale: Option<String>,
}

/// Verifies Alexa requests. `Send + Sync`; share it in an `Arc`.
#[derive(Debug)]
pub struct Verifier {
    config: VerifierConfig,
    trust: Arc<TrustStore>,
    cache: Arc<ChainCache>,
}

impl Verifier {
    /// A verifier with its own [`ChainCache`] (sized by `config.cache`) in front of `source`.
    pub fn new(
        config: VerifierConfig,
        source: Arc<dyn ChainSource>,
    ) -> Result<Verifier, ConfigError> {
        let cache = Arc::new(ChainCache::with_config(source, config.cache.clone()));
        Verifier::with_cache(config, cache)
    }

    /// A verifier sharing `cache` (and its source) with others, e.g. one per skill path.
    pub fn with_cache(
        config: VerifierConfig,
        cache: Arc<ChainCache>,
    ) -> Result<Verifier, ConfigError> {
        config.validate()?;
        if config.timestamp_tolerance > DEFAULT_TOLERANCE {
            tracing::warn!(
                tolerance = ?config.timestamp_tolerance,
                "dev_loose_timestamp: accepting request timestamps beyond Amazon's 150 s; never use this in production"
            );
        }
        if config.allow_sha1 {
            tracing::info!(
                "accepting legacy SHA-1 `Signature` headers when `Signature-256` is absent"
            );
        }
        let trust = Arc::new(TrustStore::new(&config.extra_trust_anchors)?);
        Ok(Verifier {
            config,
            trust,
            cache,
        })
    }

    /// The cache this verifier uses.
    pub fn cache(&self) -> &Arc<ChainCache> {
        &self.cache
    }

    /// The configuration.
    pub fn config(&self) -> &VerifierConfig {
        &self.config
    }

    /// Verifies one request: `headers` as received, `body` the exact raw bytes, `now` the
    /// current time (the clock is injected). Runs the steps of [`Check::ALL`](crate::Check::ALL) in order and
    /// stops at the first failure.
    pub async fn verify(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: SystemTime,
    ) -> Result<VerifiedRequest, VerifyError> {
        // Headers.
        let (raw_url, algorithm, raw_signature) = read_headers(headers, self.config.allow_sha1)?;
        // Cert URL.
        let cert_url = CertChainUrl::parse(raw_url)?;
        // Signature encoding.
        let signature = decode_signature(raw_signature)?;
        // Download, parse, dates, trust, SAN (or a cache hit, dates re-checked).
        let chain = self.cache.get(&self.trust, &cert_url, now).await?;
        // Signature over the exact bytes received, before any parsing.
        chain.key().verify(algorithm, body, &signature)?;
        // Body JSON.
        let envelope = MinimalEnvelope::parse(body)?;
        if envelope.context_application_id().is_none()
            && envelope.session_application_id().is_none()
        {
            return Err(VerifyError::MissingApplicationId);
        }
        // Timestamp.
        let tolerance = timestamp::tolerance_for(
            &envelope.request.request_type,
            self.config.timestamp_tolerance,
        );
        let timestamp = timestamp::check(envelope.request.timestamp, to_datetime(now)?, tolerance)?;
        // Application id.
        let application_id = application_id::check(&envelope, &self.config.application_ids)?;
        // Replay: only now, so that only genuine requests are recorded.
        if let Some(guard) = &self.config.replay {
            let expires_at = replay_expiry(timestamp, tolerance);
            match guard
                .check_and_record(&envelope.request.request_id, now, expires_at)
                .await
            {
                Ok(Seen::Fresh) => {}
                Ok(Seen::Replayed) => return Err(VerifyError::Replayed),
                Err(error) => return Err(VerifyError::ReplayStoreUnavailable(error.to_string())),
            }
        }
        Ok(VerifiedRequest {
            application_id,
            algorithm,
            request_type: envelope.request.request_type.into_owned(),
            request_id: envelope.request.request_id.into_owned(),
            timestamp,
            cert_url,
            locale: envelope.request.locale.map(|l| l.into_owned()),
        })
    }
}

/// When a request id may be forgotten: once `timestamp` is stale under `tolerance`, plus
/// [`REPLAY_MARGIN`] for clock differences between instances.
fn replay_expiry(timestamp: OffsetDateTime, tolerance: Duration) -> SystemTime {
    let end = tolerance.saturating_add(REPLAY_MARGIN);
    let secs = timestamp.unix_timestamp();
    let base = if secs >= 0 {
        std::time::UNIX_EPOCH + Duration::new(secs.unsigned_abs(), timestamp.nanosecond())
    } else {
        std::time::UNIX_EPOCH
    };
    base.checked_add(end).unwrap_or(base)
}

/// `now` as an `OffsetDateTime`, without the panic of `From<SystemTime>` for instants
/// beyond year 9999.
fn to_datetime(now: SystemTime) -> Result<OffsetDateTime, VerifyError> {
    let nanos = match now.duration_since(std::time::UNIX_EPOCH) {
        Ok(after) => after.as_nanos() as i128,
        Err(before) => -(before.duration().as_nanos() as i128),
    };
    OffsetDateTime::from_unix_timestamp_nanos(nanos).map_err(|_| VerifyError::TimestampFormat)
}

fn single_header<'h>(
    headers: &'h HeaderMap,
    name: &'static str,
) -> Result<Option<&'h str>, VerifyError> {
    let mut values = headers.get_all(name).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(VerifyError::DuplicateHeader(name));
    }
    value
        .to_str()
        .map(Some)
        .map_err(|_| VerifyError::InvalidHeaderValue(name))
}

/// Reads the chain URL and the signature to use. `Signature-256` wins whenever present;
/// `Signature` (SHA-1) is used only if it is alone and `allow_sha1` is set.
fn read_headers(
    headers: &HeaderMap,
    allow_sha1: bool,
) -> Result<(&str, SignatureAlgorithm, &str), VerifyError> {
    let url = single_header(headers, CERT_URL_HEADER)?.ok_or(VerifyError::MissingCertUrl)?;
    if let Some(sig) = single_header(headers, SIGNATURE_256_HEADER)? {
        return Ok((url, SignatureAlgorithm::Sha256, sig));
    }
    match single_header(headers, SIGNATURE_SHA1_HEADER)? {
        Some(sig) if allow_sha1 => Ok((url, SignatureAlgorithm::Sha1, sig)),
        Some(_) => Err(VerifyError::Sha1NotAllowed),
        None => Err(VerifyError::MissingSignature),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fetch::StaticChainSource;
    use http::HeaderValue;

    fn source() -> Arc<dyn ChainSource> {
        Arc::new(StaticChainSource::new())
    }

    #[test]
    fn verifier_and_its_future_are_send_and_sync() {
        fn send_sync<T: Send + Sync>(_: &T) {}
        fn send<T: Send>(_: &T) {}
        let v = Verifier::new(VerifierConfig::any_skill(), source()).unwrap();
        send_sync(&v);
        let headers = HeaderMap::new();
        let fut = v.verify(&headers, b"", SystemTime::UNIX_EPOCH);
        send(&fut);
    }

    #[test]
    fn config_rules() {
        assert_eq!(
            Verifier::new(VerifierConfig::default(), source()).err(),
            Some(ConfigError::NoApplicationIds)
        );
        let mut config = VerifierConfig::any_skill();
        config.timestamp_tolerance = Duration::from_secs(151);
        assert!(matches!(
            Verifier::new(config.clone(), source()),
            Err(ConfigError::ToleranceTooLarge(_))
        ));
        config.dev_loose_timestamp = true;
        assert!(Verifier::new(config, source()).is_ok());
        let mut config = VerifierConfig::for_skills(["a"]);
        config.extra_trust_anchors = vec![CertificateDer::from(vec![1, 2, 3])];
        assert_eq!(
            Verifier::new(config, source()).err(),
            Some(ConfigError::TrustAnchor { index: 0 })
        );
    }

    #[test]
    fn header_rules() {
        let url = "https://s3.amazonaws.com/echo.api/x.pem";
        let mut h = HeaderMap::new();
        assert_eq!(read_headers(&h, true), Err(VerifyError::MissingCertUrl));
        h.insert("signaturecertchainurl", HeaderValue::from_static(url));
        assert_eq!(read_headers(&h, true), Err(VerifyError::MissingSignature));
        h.insert("signature", HeaderValue::from_static("AAAA"));
        assert_eq!(read_headers(&h, false), Err(VerifyError::Sha1NotAllowed));
        assert_eq!(
            read_headers(&h, true),
            Ok((url, SignatureAlgorithm::Sha1, "AAAA"))
        );
        h.insert("SIGNATURE-256", HeaderValue::from_static("BBBB"));
        assert_eq!(
            read_headers(&h, false),
            Ok((url, SignatureAlgorithm::Sha256, "BBBB"))
        );
        h.append("signature-256", HeaderValue::from_static("CCCC"));
        assert_eq!(
            read_headers(&h, true),
            Err(VerifyError::DuplicateHeader(SIGNATURE_256_HEADER))
        );
        let mut h = HeaderMap::new();
        h.insert(
            "signaturecertchainurl",
            HeaderValue::from_bytes(b"https://s3.amazonaws.com/echo.api/\xff").unwrap(),
        );
        assert_eq!(
            read_headers(&h, true),
            Err(VerifyError::InvalidHeaderValue(CERT_URL_HEADER))
        );
    }
}
