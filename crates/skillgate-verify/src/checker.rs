//! The synchronous core: [`Checker`] runs every check of [`Check::ALL`](crate::Check::ALL)
//! on a request, given the chain (already validated, or its PEM), without I/O, async or a
//! runtime. The async `Verifier` (feature `fetch`) adds the download and cache in front and
//! the replay guard after, and calls the same two steps, so the order of the checks is
//! written once: [`Checker::read_headers`], then the chain, then [`Checker::check_body`].
//!
//! ```
//! # fn demo(headers: &http::HeaderMap, body: &[u8], pem: &[u8]) -> Result<(), Box<dyn std::error::Error>> {
//! use skillgate_verify::{Checker, VerifierConfig};
//!
//! let checker = Checker::new(VerifierConfig::for_skills(["amzn1.ask.skill.1"]))?;
//! let request = checker.verify_with_pem(headers, body, pem, std::time::SystemTime::now())?;
//! println!("{} {}", request.request_type, request.request_id);
//! # Ok(()) }
//! ```

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use http::HeaderMap;
use rustls_pki_types::{CertificateDer, UnixTime};
use time::OffsetDateTime;

use crate::application_id::{self, ApplicationIds};
use crate::cache_config::ChainCacheConfig;
use crate::cert_url::CertChainUrl;
use crate::chain::parse_pem;
use crate::envelope::MinimalEnvelope;
use crate::error::{BodyError, ConfigError, VerifyError};
use crate::limits::MAX_REQUEST_ID_LEN;
use crate::replay::{REPLAY_MARGIN, ReplayGuard};
use crate::signature::{
    SIGNATURE_256_HEADER, SIGNATURE_SHA1_HEADER, SignatureAlgorithm, decode_signature,
};
use crate::timestamp::{self, DEFAULT_TOLERANCE};
use crate::trust::{TrustStore, ValidatedChain};

/// The header naming the chain URL.
pub const CERT_URL_HEADER: &str = "SignatureCertChainUrl";

/// What a [`Checker`] (and a `Verifier`) accepts.
#[derive(Debug, Clone)]
pub struct VerifierConfig {
    /// The skills this verifier serves. `Only(vec![])` (the `Default`) is rejected by
    /// [`Checker::new`]; use [`VerifierConfig::for_skills`] or [`VerifierConfig::any_skill`].
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
    /// Cache sizing, used by `Verifier::new` (with `Verifier::with_cache` the shared cache's
    /// own settings apply; unused by [`Checker`]).
    pub cache: ChainCacheConfig,
    /// Replay protection for the async `Verifier`: when set, a request id that already
    /// passed verification within its timestamp window is refused
    /// ([`VerifyError::Replayed`]). `None` (the default) checks nothing, e.g. for the offline
    /// `skillgate verify` command. [`Checker`] never consults it: a synchronous caller checks
    /// [`VerifiedRequest::request_id`] until [`VerifiedRequest::replay_expires_at`] itself.
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
    /// Checks the configuration without building anything: what [`Checker::new`] refuses,
    /// this refuses (an empty application-id list, a tolerance over 150 s without
    /// `dev_loose_timestamp`, an extra trust anchor that is not a certificate). The
    /// server's plan step calls it.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.trust_store().map(drop)
    }

    /// The checks of [`validate`](Self::validate), in its order, ending with the trust
    /// store they build: [`Checker::new`] keeps it rather than building it again.
    fn trust_store(&self) -> Result<TrustStore, ConfigError> {
        if self.application_ids == ApplicationIds::Only(Vec::new()) {
            return Err(ConfigError::NoApplicationIds);
        }
        if self.timestamp_tolerance > DEFAULT_TOLERANCE && !self.dev_loose_timestamp {
            return Err(ConfigError::ToleranceTooLarge(self.timestamp_tolerance));
        }
        TrustStore::new(&self.extra_trust_anchors)
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

/// A request that passed every check, with the fields a per-request log line and routing
/// need (read by the verifier's one minimal parse, so a server needs no other parse).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifiedRequest {
    /// The (allowed) application id.
    pub application_id: String,
    /// The signature that was verified.
    pub algorithm: SignatureAlgorithm,
    /// `request.type`.
    pub request_type: String,
    /// `request.requestId` (at most [`MAX_REQUEST_ID_LEN`] bytes).
    pub request_id: String,
    /// `request.timestamp`.
    pub timestamp: OffsetDateTime,
    /// The normalized chain URL.
    pub cert_url: CertChainUrl,
    /// `request.locale`, if present (for logs).
    pub locale: Option<String>,
    /// `request.intent.name` of an IntentRequest or CanFulfillIntentRequest, if a string.
    pub intent_name: Option<String>,
    /// `session.sessionId`, if present and a string.
    pub session_id: Option<String>,
    /// `session.new`, if present and a boolean.
    pub new_session: Option<bool>,
    /// `session.user.userId`, else `context.System.user.userId`, if a string (unmasked: mask
    /// it before logging).
    pub user_id: Option<String>,
    /// The timestamp tolerance that applied (150 s, or one hour for skill events).
    pub tolerance: Duration,
}

impl VerifiedRequest {
    /// When this request's id may be forgotten by a replay guard: once its timestamp is
    /// stale under [`tolerance`](Self::tolerance), plus [`REPLAY_MARGIN`] for clock
    /// differences between instances.
    pub fn replay_expires_at(&self) -> SystemTime {
        let end = self.tolerance.saturating_add(REPLAY_MARGIN);
        let secs = self.timestamp.unix_timestamp();
        let base = if secs >= 0 {
            std::time::UNIX_EPOCH + Duration::new(secs.unsigned_abs(), self.timestamp.nanosecond())
        } else {
            std::time::UNIX_EPOCH
        };
        base.checked_add(end).unwrap_or(base)
    }
}

/// The verification headers of a request, read and checked (steps `headers`, `cert_url`,
/// `signature_encoding`): what is needed to find the chain.
#[derive(Debug, Clone)]
pub struct SignedHeaders {
    /// The normalized chain URL: fetch exactly this.
    pub cert_url: CertChainUrl,
    /// The signature header that will be checked.
    pub algorithm: SignatureAlgorithm,
    signature: Vec<u8>,
}

/// The synchronous verifier: a validated configuration and its trust store. `Send + Sync`;
/// cheap to share in an `Arc`.
#[derive(Debug)]
pub struct Checker {
    config: VerifierConfig,
    trust: Arc<TrustStore>,
}

impl Checker {
    /// Checks `config` (an allowlist, the tolerance, the extra anchors) and builds the trust
    /// store.
    pub fn new(config: VerifierConfig) -> Result<Checker, ConfigError> {
        let trust = Arc::new(config.trust_store()?);
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
        Ok(Checker { config, trust })
    }

    /// The configuration.
    pub fn config(&self) -> &VerifierConfig {
        &self.config
    }

    /// The trust store chains are validated against.
    pub fn trust(&self) -> &Arc<TrustStore> {
        &self.trust
    }

    /// Steps `headers`, `cert_url` and `signature_encoding`: the chain URL and the
    /// signature, checked before anything is fetched.
    pub fn read_headers(&self, headers: &HeaderMap) -> Result<SignedHeaders, VerifyError> {
        let (raw_url, algorithm, raw_signature) = read_headers(headers, self.config.allow_sha1)?;
        let cert_url = CertChainUrl::parse(raw_url)?;
        let signature = decode_signature(raw_signature)?;
        Ok(SignedHeaders {
            cert_url,
            algorithm,
            signature,
        })
    }

    /// Steps `chain_parse` … `subject_name` for a chain's PEM bytes at `now`.
    pub fn validate_chain(
        &self,
        pem: &[u8],
        now: SystemTime,
    ) -> Result<ValidatedChain, VerifyError> {
        let certs = parse_pem(pem)?;
        let unix = UnixTime::since_unix_epoch(
            now.duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default(),
        );
        ValidatedChain::validate(&certs, &self.trust, unix)
    }

    /// The steps after the chain: its dates again at `now` (a chain held for a while may
    /// have expired), `signature` over the exact body bytes, then `body_json` (the JSON
    /// rules and the minimal parse), `timestamp` and `application_id`. No replay check.
    pub fn check_body(
        &self,
        signed: SignedHeaders,
        chain: &ValidatedChain,
        body: &[u8],
        now: SystemTime,
    ) -> Result<VerifiedRequest, VerifyError> {
        let now_time = to_datetime(now)?;
        chain.check_dates(now_time.unix_timestamp())?;
        // Signature over the exact bytes received, before any parsing.
        chain
            .key()
            .verify(signed.algorithm, body, &signed.signature)?;
        // Body JSON.
        let envelope = MinimalEnvelope::parse(body)?;
        let request_id_len = envelope.request.request_id.len();
        if request_id_len > MAX_REQUEST_ID_LEN {
            return Err(VerifyError::BodyJson(BodyError::RequestIdTooLong {
                len: request_id_len,
                max: MAX_REQUEST_ID_LEN,
            }));
        }
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
        let timestamp = timestamp::check(envelope.request.timestamp, now_time, tolerance)?;
        // Application id.
        let application_id = application_id::check(&envelope, &self.config.application_ids)?;
        Ok(VerifiedRequest {
            application_id,
            algorithm: signed.algorithm,
            intent_name: envelope.intent_name().map(|s| s.into_owned()),
            session_id: envelope.session_id().map(|s| s.into_owned()),
            new_session: envelope.new_session(),
            user_id: envelope.user_id().map(|s| s.into_owned()),
            request_type: envelope.request.request_type.into_owned(),
            request_id: envelope.request.request_id.into_owned(),
            timestamp,
            cert_url: signed.cert_url,
            locale: envelope.request.locale.map(|l| l.into_owned()),
            tolerance,
        })
    }

    /// Every check but the download and the replay guard, against a chain you hold (already
    /// validated, e.g. from your own cache). The chain is the one for the request's
    /// `SignatureCertChainUrl`: the caller vouches for that mapping.
    pub fn verify_with_chain(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        chain: &ValidatedChain,
        now: SystemTime,
    ) -> Result<VerifiedRequest, VerifyError> {
        let signed = self.read_headers(headers)?;
        self.check_body(signed, chain, body, now)
    }

    /// Every check but the download and the replay guard, with the chain's PEM bytes (the
    /// offline `skillgate verify --chain`, fuzz targets): the chain is parsed and validated
    /// at `now`.
    pub fn verify_with_pem(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        pem: &[u8],
        now: SystemTime,
    ) -> Result<VerifiedRequest, VerifyError> {
        let signed = self.read_headers(headers)?;
        let chain = self.validate_chain(pem, now)?;
        self.check_body(signed, &chain, body, now)
    }
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
    use http::HeaderValue;

    #[test]
    fn checker_is_send_and_sync() {
        fn send_sync<T: Send + Sync>(_: &T) {}
        send_sync(&Checker::new(VerifierConfig::any_skill()).unwrap());
    }

    #[test]
    fn config_rules() {
        assert_eq!(
            Checker::new(VerifierConfig::default()).err(),
            Some(ConfigError::NoApplicationIds)
        );
        let mut config = VerifierConfig::any_skill();
        config.timestamp_tolerance = Duration::from_secs(151);
        assert!(matches!(
            Checker::new(config.clone()),
            Err(ConfigError::ToleranceTooLarge(_))
        ));
        config.dev_loose_timestamp = true;
        assert!(Checker::new(config).is_ok());
        let mut config = VerifierConfig::for_skills(["a"]);
        config.extra_trust_anchors = vec![CertificateDer::from(vec![1, 2, 3])];
        assert_eq!(
            Checker::new(config).err(),
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
