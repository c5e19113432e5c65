//! One error enum whose variants say exactly which rule failed, and the list of checks.

use std::sync::Arc;
use std::time::Duration;

use crate::cert_url::CertUrlError;
use crate::json_rules::JsonRuleError;
use crate::replay::ReplayError;
use crate::signature::SignatureAlgorithm;
use crate::trust_failure::{ChainCert, TrustFailure, format_unix};

/// `certificate 1 (CN=…)` or, when the certificate is not known, `certificate`.
fn cert_or(cert: &Option<Box<ChainCert>>) -> String {
    match cert {
        Some(cert) => cert.to_string(),
        None => "certificate".to_owned(),
    }
}

/// The verification steps, in the order [`Checker`](crate::Checker) (and so the async
/// `Verifier`) runs them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Check {
    /// `SignatureCertChainUrl` and `Signature-256` (or, if allowed, `Signature`) are present,
    /// once each, and are visible ASCII.
    Headers,
    /// The chain URL passes Amazon's rule after normalization.
    CertUrl,
    /// The signature header is strict base64.
    SignatureEncoding,
    /// The chain was obtained (cache or download).
    ChainDownload,
    /// The chain is PEM certificates, signing certificate first, with an RSA key.
    ChainParse,
    /// The signing certificate (and every intermediate used) is within its dates.
    ChainDates,
    /// The chain leads to a trusted root.
    ChainTrust,
    /// `echo-api.amazon.com` is in the signing certificate's Subject Alternative Names.
    SubjectName,
    /// The signature over the raw body verifies with the signing certificate's key.
    Signature,
    /// The body is a JSON request envelope with the fields the verifier needs.
    BodyJson,
    /// `request.timestamp` is within the tolerance of now.
    Timestamp,
    /// The application id is one of the configured skills.
    ApplicationId,
    /// The request id was not seen before within its timestamp window (only with a
    /// [`ReplayGuard`](crate::ReplayGuard) configured).
    Replay,
}

impl Check {
    /// Every check, in the order they run.
    pub const ALL: &'static [Check] = &[
        Check::Headers,
        Check::CertUrl,
        Check::SignatureEncoding,
        Check::ChainDownload,
        Check::ChainParse,
        Check::ChainDates,
        Check::ChainTrust,
        Check::SubjectName,
        Check::Signature,
        Check::BodyJson,
        Check::Timestamp,
        Check::ApplicationId,
        Check::Replay,
    ];

    /// A stable snake_case name.
    pub fn name(&self) -> &'static str {
        match self {
            Check::Headers => "headers",
            Check::CertUrl => "cert_url",
            Check::SignatureEncoding => "signature_encoding",
            Check::ChainDownload => "chain_download",
            Check::ChainParse => "chain_parse",
            Check::ChainDates => "chain_dates",
            Check::ChainTrust => "chain_trust",
            Check::SubjectName => "subject_name",
            Check::Signature => "signature",
            Check::BodyJson => "body_json",
            Check::Timestamp => "timestamp",
            Check::ApplicationId => "application_id",
            Check::Replay => "replay",
        }
    }
}

impl std::fmt::Display for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a chain download failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// The server answered something other than 200 (redirects are not followed).
    #[error("chain server answered HTTP {0}, not 200")]
    Status(u16),
    /// The body exceeded the size cap.
    #[error("chain is larger than {0} bytes")]
    TooLarge(usize),
    /// Connect or total timeout.
    #[error("chain download timed out")]
    Timeout,
    /// No chain is configured for this URL (static sources).
    #[error("no chain configured for this URL")]
    NotFound,
    /// Connection, TLS or protocol failure.
    #[error("chain download failed: {0}")]
    Transport(#[source] TransportError),
}

/// A connection, TLS or protocol failure of a chain download: the underlying error (kept as
/// [`source`](std::error::Error::source)) and its whole chain of causes as text, for logs.
#[derive(Debug, Clone)]
pub struct TransportError {
    text: String,
    source: Option<Arc<dyn std::error::Error + Send + Sync>>,
}

impl TransportError {
    /// Wraps `error`, remembering the text of its whole cause chain.
    pub fn new(error: impl std::error::Error + Send + Sync + 'static) -> TransportError {
        let mut text = error.to_string();
        let mut cause = error.source();
        while let Some(inner) = cause {
            text.push_str(": ");
            text.push_str(&inner.to_string());
            cause = inner.source();
        }
        TransportError {
            text,
            source: Some(Arc::new(error)),
        }
    }

    /// A failure described only by text (no underlying error value).
    pub fn message(text: impl Into<String>) -> TransportError {
        TransportError {
            text: text.into(),
            source: None,
        }
    }
}

impl std::fmt::Display for TransportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        let inner = self.source.as_deref()?;
        Some(inner)
    }
}

/// Two transport errors are equal when their texts are (the underlying values are not
/// comparable).
impl PartialEq for TransportError {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for TransportError {}

/// Why the body is not a request envelope.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum BodyError {
    /// The body broke one of the [JSON rules](crate::json_rules) every body must follow.
    #[error("{0}")]
    Rules(#[source] JsonRuleError),
    /// Valid JSON, but not an envelope with the fields the verifier needs.
    #[error("not a request envelope")]
    Shape(#[source] Arc<serde_json::Error>),
    /// `request.requestId` is longer than [`MAX_REQUEST_ID_LEN`](crate::MAX_REQUEST_ID_LEN)
    /// bytes (Alexa's are about 70).
    #[error("request.requestId is {len} bytes long, more than {max}")]
    RequestIdTooLong {
        /// Its length in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
}

/// Equal when of the same kind and, for JSON errors, with the same text.
impl PartialEq for BodyError {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (BodyError::Rules(a), BodyError::Rules(b)) => a == b,
            (BodyError::Shape(a), BodyError::Shape(b)) => a.to_string() == b.to_string(),
            (
                BodyError::RequestIdTooLong { len, max },
                BodyError::RequestIdTooLong {
                    len: len2,
                    max: max2,
                },
            ) => len == len2 && max == max2,
            _ => false,
        }
    }
}

impl Eq for BodyError {}

impl FetchError {
    fn reason(&self) -> &'static str {
        match self {
            FetchError::Status(_) => "chain_download_status",
            FetchError::TooLarge(_) => "chain_download_too_large",
            FetchError::Timeout => "chain_download_timeout",
            FetchError::NotFound => "chain_not_found",
            FetchError::Transport(_) => "chain_download_failed",
        }
    }
}

/// A failed verification: one variant per rule. The server answers 400 for every one and
/// logs [`reason`](Self::reason) and the `Display` text (which never goes to the client).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// No `SignatureCertChainUrl` header.
    #[error("missing SignatureCertChainUrl header")]
    MissingCertUrl,
    /// Neither `Signature-256` nor `Signature`.
    #[error("missing Signature-256 header")]
    MissingSignature,
    /// Only the legacy SHA-1 `Signature` header, and SHA-1 is not allowed.
    #[error(
        "only a legacy SHA-1 Signature header, and SHA-1 is not allowed (Signature-256 required)"
    )]
    Sha1NotAllowed,
    /// A verification header appears more than once.
    #[error("header {0} appears more than once")]
    DuplicateHeader(&'static str),
    /// A verification header is not visible ASCII.
    #[error("header {0} is not visible ASCII")]
    InvalidHeaderValue(&'static str),
    /// The chain URL was rejected.
    #[error("{0}")]
    CertUrl(#[from] CertUrlError),
    /// The signature is not strict base64 (standard alphabet, padding, no whitespace) or has
    /// an impossible length.
    #[error("signature header is not strict base64 of an RSA signature")]
    SignatureEncoding,
    /// The chain could not be downloaded.
    #[error(transparent)]
    Download(FetchError),
    /// A download for this URL failed moments ago; not retried yet.
    #[error("chain download for this URL failed recently; not retried yet")]
    DownloadRecentlyFailed,
    /// The download rate limit is exhausted.
    #[error("chain download rate limit exhausted")]
    DownloadRateLimited,
    /// The chain is not PEM certificates only.
    #[error("chain is not valid PEM certificates: {0}")]
    ChainPem(String),
    /// The chain holds no certificate.
    #[error("chain holds no certificate")]
    ChainEmpty,
    /// A certificate in the chain is not valid DER X.509.
    #[error("chain certificate {index} is not a valid X.509 certificate")]
    ChainCertificate {
        /// Position in the PEM (0 = signing certificate).
        index: usize,
    },
    /// The signing certificate's key is not an `rsaEncryption` key of 2048 to 8192 bits (an
    /// RSA-PSS, EC or smaller RSA key is refused).
    #[error("signing certificate key is not rsaEncryption 2048..8192 bits")]
    UnsupportedKey,
    /// The signing certificate may not sign: its keyUsage lacks digitalSignature, or its
    /// extendedKeyUsage lacks serverAuth.
    #[error("signing certificate key usage does not allow signing: {0}")]
    KeyUsage(&'static str),
    /// The signing certificate (or an intermediate) has expired.
    #[error("{} expired on {} (unix {not_after})", cert_or(cert), format_unix(*not_after))]
    CertExpired {
        /// notAfter, seconds since the Unix epoch.
        not_after: i64,
        /// Which certificate, when known (a chain validated moments ago names it).
        cert: Option<Box<ChainCert>>,
    },
    /// The signing certificate (or an intermediate) is not valid yet.
    #[error("{} is not valid before {} (unix {not_before})", cert_or(cert), format_unix(*not_before))]
    CertNotYetValid {
        /// notBefore, seconds since the Unix epoch.
        not_before: i64,
        /// Which certificate, when known.
        cert: Option<Box<ChainCert>>,
    },
    /// No path to a trusted root (unknown issuer, missing intermediate, wrong order, bad
    /// certificate signature, wrong key usage, …): which certificate and why.
    #[error("chain is not trusted: {0}")]
    Untrusted(TrustFailure),
    /// `echo-api.amazon.com` is not in the signing certificate's SANs.
    #[error("signing certificate is not valid for echo-api.amazon.com")]
    SubjectName,
    /// The signature does not match the body.
    #[error("{algorithm} signature does not match the body")]
    SignatureMismatch {
        /// The algorithm that was tried.
        algorithm: SignatureAlgorithm,
    },
    /// The body is not a JSON request envelope.
    #[error("body is not a JSON request envelope: {0}")]
    BodyJson(#[source] BodyError),
    /// The body has no application id in `context.System.application` nor in
    /// `session.application`.
    #[error("body has no applicationId")]
    MissingApplicationId,
    /// `request.timestamp` is not an RFC 3339 string.
    #[error("request.timestamp is not an RFC 3339 timestamp")]
    TimestampFormat,
    /// `request.timestamp` is older than the tolerance.
    #[error("request.timestamp is {age:?} old, tolerance {tolerance:?}")]
    TimestampTooOld {
        /// How old it is.
        age: Duration,
        /// The tolerance that applied.
        tolerance: Duration,
    },
    /// `request.timestamp` is further in the future than the tolerance.
    #[error("request.timestamp is {ahead:?} in the future, tolerance {tolerance:?}")]
    TimestampInFuture {
        /// How far ahead it is.
        ahead: Duration,
        /// The tolerance that applied.
        tolerance: Duration,
    },
    /// The application id is not one of the configured skills.
    #[error("application id {0} is not configured")]
    UnknownApplicationId(String),
    /// `context.System.application` and `session.application` name different skills.
    #[error("context and session name different application ids")]
    ApplicationIdMismatch,
    /// `request.requestId` already passed verification within its timestamp window.
    #[error("request id was already seen: replayed request")]
    Replayed,
    /// The replay store did not answer; the request is refused (fail closed). The server
    /// answers 503 for this one.
    #[error(transparent)]
    ReplayStoreUnavailable(ReplayError),
}

impl VerifyError {
    /// The step that failed.
    pub fn check(&self) -> Check {
        use VerifyError::*;
        match self {
            MissingCertUrl
            | MissingSignature
            | Sha1NotAllowed
            | DuplicateHeader(_)
            | InvalidHeaderValue(_) => Check::Headers,
            CertUrl(_) => Check::CertUrl,
            SignatureEncoding => Check::SignatureEncoding,
            Download(_) | DownloadRecentlyFailed | DownloadRateLimited => Check::ChainDownload,
            ChainPem(_) | ChainEmpty | ChainCertificate { .. } | UnsupportedKey => {
                Check::ChainParse
            }
            KeyUsage(_) => Check::ChainTrust,
            CertExpired { .. } | CertNotYetValid { .. } => Check::ChainDates,
            Untrusted(_) => Check::ChainTrust,
            SubjectName => Check::SubjectName,
            SignatureMismatch { .. } => Check::Signature,
            BodyJson(_) | MissingApplicationId => Check::BodyJson,
            TimestampFormat | TimestampTooOld { .. } | TimestampInFuture { .. } => Check::Timestamp,
            UnknownApplicationId(_) | ApplicationIdMismatch => Check::ApplicationId,
            Replayed | ReplayStoreUnavailable(_) => Check::Replay,
        }
    }

    /// A stable snake_case label for logs and metrics (never includes request data).
    pub fn reason(&self) -> &'static str {
        use VerifyError::*;
        match self {
            MissingCertUrl => "missing_cert_url_header",
            MissingSignature => "missing_signature_header",
            Sha1NotAllowed => "sha1_signature_not_allowed",
            DuplicateHeader(_) => "duplicate_header",
            InvalidHeaderValue(_) => "invalid_header_value",
            CertUrl(e) => e.reason(),
            SignatureEncoding => "signature_not_base64",
            Download(e) => e.reason(),
            DownloadRecentlyFailed => "chain_download_recently_failed",
            DownloadRateLimited => "chain_download_rate_limited",
            ChainPem(_) => "chain_pem_invalid",
            ChainEmpty => "chain_empty",
            ChainCertificate { .. } => "chain_certificate_invalid",
            UnsupportedKey => "chain_key_unsupported",
            KeyUsage(_) => "cert_key_usage",
            CertExpired { .. } => "cert_expired",
            CertNotYetValid { .. } => "cert_not_yet_valid",
            Untrusted(_) => "chain_untrusted",
            SubjectName => "cert_subject_name",
            SignatureMismatch { .. } => "signature_mismatch",
            BodyJson(BodyError::RequestIdTooLong { .. }) => "request_id_too_long",
            BodyJson(_) => "body_not_envelope",
            MissingApplicationId => "body_missing_application_id",
            TimestampFormat => "timestamp_invalid",
            TimestampTooOld { .. } => "timestamp_too_old",
            TimestampInFuture { .. } => "timestamp_in_future",
            UnknownApplicationId(_) => "unknown_application_id",
            ApplicationIdMismatch => "application_id_mismatch",
            Replayed => "replay",
            ReplayStoreUnavailable(_) => "replay_store_unavailable",
        }
    }
}

/// A [`VerifierConfig`](crate::VerifierConfig) that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// Timestamp tolerance above 150 s without `dev_loose_timestamp`.
    #[error("timestamp tolerance {0:?} exceeds 150 s (set dev_loose_timestamp for development)")]
    ToleranceTooLarge(Duration),
    /// `ApplicationIds::Only` with an empty list accepts nothing.
    #[error("no application id configured (use ApplicationIds::Any for demo mode)")]
    NoApplicationIds,
    /// An extra trust anchor is not a usable certificate.
    #[error("extra trust anchor {index} is not a valid certificate")]
    TrustAnchor {
        /// Position in `extra_trust_anchors`.
        index: usize,
    },
    /// The HTTPS client could not be built.
    #[error("cannot build the HTTPS client: {0}")]
    HttpClient(#[source] TransportError),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_names_are_distinct_and_ordered() {
        let mut names: Vec<_> = Check::ALL.iter().map(Check::name).collect();
        let n = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), n);
        assert!(Check::ALL.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn every_error_maps_to_a_check_in_all() {
        let samples = [
            VerifyError::MissingCertUrl,
            VerifyError::SignatureEncoding,
            VerifyError::DownloadRateLimited,
            VerifyError::ChainEmpty,
            VerifyError::CertExpired {
                not_after: 0,
                cert: None,
            },
            VerifyError::Untrusted(TrustFailure {
                cert: None,
                reason: crate::trust_failure::TrustFailureReason::InvalidSignature,
            }),
            VerifyError::SubjectName,
            VerifyError::SignatureMismatch {
                algorithm: SignatureAlgorithm::Sha256,
            },
            VerifyError::BodyJson(BodyError::Rules(JsonRuleError::NotAnObject)),
            VerifyError::TimestampFormat,
            VerifyError::UnknownApplicationId(String::new()),
            VerifyError::Replayed,
        ];
        for e in &samples {
            assert!(Check::ALL.contains(&e.check()));
            assert!(
                e.reason()
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'_' || b.is_ascii_digit())
            );
        }
        let mut checks: Vec<_> = samples.iter().map(VerifyError::check).collect();
        checks.dedup();
        assert_eq!(checks.len(), samples.len());
    }
}
