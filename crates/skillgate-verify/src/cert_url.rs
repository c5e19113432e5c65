//! The `SignatureCertChainUrl` header: parsed once, checked, normalized.
//!
//! Amazon's rule, applied after dot segments are normalized: scheme `https` (any case), host
//! `s3.amazonaws.com` (any case), port 443 if one is given, path starting with `/echo.api/`
//! (case-sensitive). On top of that, everything ambiguous is rejected *before* the URL is
//! parsed, so the string checked here is exactly the string downloaded (see
//! `docs/verification.md`):
//!
//! - only printable ASCII; no percent-encoding at all (`%2e`, `%2f`, …), no backslash;
//! - no userinfo (`@`), no query (`?`), no fragment (`#`);
//! - the authority is exactly `s3.amazonaws.com` or `s3.amazonaws.com:443` (any case): no
//!   trailing dot, no IP literal, no empty port, no `:0443`;
//! - path characters limited to RFC 3986 "unreserved" (`A-Z a-z 0-9 - . _ ~`) and `/`;
//! - after dot-segment normalization, no empty path segments (`//`).

use std::fmt;

use url::{Host, Url};

/// The only host chain URLs may name.
pub const CERT_URL_HOST: &str = "s3.amazonaws.com";
/// The path prefix chain URLs must start with (case-sensitive, after normalization).
pub const CERT_URL_PATH_PREFIX: &str = "/echo.api/";
/// Longest accepted header value; Amazon's URLs are about 60 characters.
pub const CERT_URL_MAX_LEN: usize = 512;

/// Why a `SignatureCertChainUrl` value was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CertUrlError {
    /// Longer than [`CERT_URL_MAX_LEN`].
    #[error("cert URL is longer than {CERT_URL_MAX_LEN} bytes")]
    TooLong,
    /// A byte outside printable ASCII (control, space, non-ASCII).
    #[error("cert URL contains a byte outside printable ASCII")]
    NonPrintable,
    /// Not of the form `scheme://authority/path`.
    #[error("cert URL is not an absolute URL with an authority and a path")]
    Malformed,
    /// The scheme is not `https`.
    #[error("cert URL scheme is not https")]
    NotHttps,
    /// The authority holds userinfo (`user@host`).
    #[error("cert URL contains userinfo ('@')")]
    Userinfo,
    /// The host is not exactly `s3.amazonaws.com` (includes trailing dots and IP literals).
    #[error("cert URL host is not s3.amazonaws.com")]
    Host,
    /// A `:` with no port after it.
    #[error("cert URL has an empty port")]
    EmptyPort,
    /// A port other than `443` (written exactly so).
    #[error("cert URL port is not 443")]
    Port,
    /// A percent sign anywhere (percent-encoded dots or slashes are ambiguous).
    #[error("cert URL contains percent-encoding")]
    PercentEncoded,
    /// A backslash anywhere (some parsers read it as a slash).
    #[error("cert URL contains a backslash")]
    Backslash,
    /// A query string.
    #[error("cert URL contains a query")]
    Query,
    /// A fragment.
    #[error("cert URL contains a fragment")]
    Fragment,
    /// A path character outside `A-Z a-z 0-9 - . _ ~ /`.
    #[error("cert URL path contains a character outside A-Z a-z 0-9 - . _ ~ /")]
    PathCharacter,
    /// The normalized path has an empty segment (`//`).
    #[error("cert URL path contains an empty segment")]
    EmptySegment,
    /// The normalized path does not start with `/echo.api/`.
    #[error("cert URL path does not start with /echo.api/ after normalization")]
    Path,
}

impl CertUrlError {
    /// A stable snake_case label for logs and metrics.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::TooLong => "cert_url_too_long",
            Self::NonPrintable => "cert_url_non_printable",
            Self::Malformed => "cert_url_malformed",
            Self::NotHttps => "cert_url_not_https",
            Self::Userinfo => "cert_url_userinfo",
            Self::Host => "cert_url_host",
            Self::EmptyPort => "cert_url_empty_port",
            Self::Port => "cert_url_port",
            Self::PercentEncoded => "cert_url_percent_encoded",
            Self::Backslash => "cert_url_backslash",
            Self::Query => "cert_url_query",
            Self::Fragment => "cert_url_fragment",
            Self::PathCharacter => "cert_url_path_character",
            Self::EmptySegment => "cert_url_empty_segment",
            Self::Path => "cert_url_path",
        }
    }
}

/// A checked, normalized chain URL. Its [`as_str`](Self::as_str) is the cache key and the
/// exact URL that is downloaded.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CertChainUrl {
    url: Url,
}

impl CertChainUrl {
    /// Parses and checks a `SignatureCertChainUrl` header value.
    pub fn parse(raw: &str) -> Result<CertChainUrl, CertUrlError> {
        if raw.len() > CERT_URL_MAX_LEN {
            return Err(CertUrlError::TooLong);
        }
        if raw.bytes().any(|b| !(0x21..=0x7e).contains(&b)) {
            return Err(CertUrlError::NonPrintable);
        }
        if raw.contains('%') {
            return Err(CertUrlError::PercentEncoded);
        }
        if raw.contains('\\') {
            return Err(CertUrlError::Backslash);
        }
        if raw.contains('@') {
            return Err(CertUrlError::Userinfo);
        }
        if raw.contains('#') {
            return Err(CertUrlError::Fragment);
        }
        if raw.contains('?') {
            return Err(CertUrlError::Query);
        }
        let (scheme, rest) = raw.split_once("://").ok_or(CertUrlError::Malformed)?;
        if !scheme.eq_ignore_ascii_case("https") {
            return Err(CertUrlError::NotHttps);
        }
        let slash = rest.find('/').ok_or(CertUrlError::Malformed)?;
        let (authority, path) = rest.split_at(slash);
        check_authority(authority)?;
        if !path
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/'))
        {
            return Err(CertUrlError::PathCharacter);
        }
        // The raw text is now plain: parse it to normalize dot segments and case, then check
        // the *normalized* URL, which is what is downloaded.
        let url = Url::parse(raw).map_err(|_| CertUrlError::Malformed)?;
        check_normalized(&url)?;
        Ok(CertChainUrl { url })
    }

    /// The normalized URL (lower-case scheme and host, no default port, dot segments
    /// resolved): the cache key and exactly what is downloaded.
    pub fn as_str(&self) -> &str {
        self.url.as_str()
    }

    /// The normalized URL as a [`url::Url`].
    pub fn as_url(&self) -> &Url {
        &self.url
    }
}

fn check_authority(authority: &str) -> Result<(), CertUrlError> {
    let (host, port) = match authority.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    };
    if !host.eq_ignore_ascii_case(CERT_URL_HOST) {
        return Err(CertUrlError::Host);
    }
    match port {
        None => Ok(()),
        Some("") => Err(CertUrlError::EmptyPort),
        Some("443") => Ok(()),
        Some(_) => Err(CertUrlError::Port),
    }
}

fn check_normalized(url: &Url) -> Result<(), CertUrlError> {
    if url.scheme() != "https" {
        return Err(CertUrlError::NotHttps);
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(CertUrlError::Userinfo);
    }
    match url.host() {
        Some(Host::Domain(CERT_URL_HOST)) => {}
        _ => return Err(CertUrlError::Host),
    }
    if url.port_or_known_default() != Some(443) {
        return Err(CertUrlError::Port);
    }
    if url.query().is_some() {
        return Err(CertUrlError::Query);
    }
    if url.fragment().is_some() {
        return Err(CertUrlError::Fragment);
    }
    let path = url.path();
    if !path.starts_with(CERT_URL_PATH_PREFIX) {
        return Err(CertUrlError::Path);
    }
    if path.contains("//") {
        return Err(CertUrlError::EmptySegment);
    }
    Ok(())
}

impl fmt::Display for CertChainUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for CertChainUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("CertChainUrl").field(&self.as_str()).finish()
    }
}

impl std::str::FromStr for CertChainUrl {
    type Err = CertUrlError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(raw: &str) -> String {
        match CertChainUrl::parse(raw) {
            Ok(url) => url.as_str().to_owned(),
            Err(e) => panic!("{raw} rejected: {e}"),
        }
    }

    fn err(raw: &str) -> CertUrlError {
        match CertChainUrl::parse(raw) {
            Ok(url) => panic!("{raw} accepted as {url}"),
            Err(e) => e,
        }
    }

    const CANONICAL: &str = "https://s3.amazonaws.com/echo.api/echo-api-cert.pem";

    #[test]
    fn amazon_documented_valid_examples() {
        assert_eq!(
            ok("https://s3.amazonaws.com/echo.api/echo-api-cert.pem"),
            CANONICAL
        );
        assert_eq!(
            ok("https://s3.amazonaws.com:443/echo.api/echo-api-cert.pem"),
            CANONICAL
        );
        assert_eq!(
            ok("https://s3.amazonaws.com/echo.api/../echo.api/echo-api-cert.pem"),
            CANONICAL
        );
    }

    #[test]
    fn amazon_documented_invalid_examples() {
        assert_eq!(
            err("http://s3.amazonaws.com/echo.api/echo-api-cert.pem"),
            CertUrlError::NotHttps
        );
        assert_eq!(
            err("https://notamazon.com/echo.api/echo-api-cert.pem"),
            CertUrlError::Host
        );
        assert_eq!(
            err("https://s3.amazonaws.com/EcHo.aPi/echo-api-cert.pem"),
            CertUrlError::Path
        );
        assert_eq!(
            err("https://s3.amazonaws.com/invalid.path/echo-api-cert.pem"),
            CertUrlError::Path
        );
        assert_eq!(
            err("https://s3.amazonaws.com:563/echo.api/echo-api-cert.pem"),
            CertUrlError::Port
        );
    }

    #[test]
    fn scheme_and_host_are_case_insensitive_and_normalized() {
        assert_eq!(
            ok("HTTPS://S3.AmazonAWS.com/echo.api/echo-api-cert.pem"),
            CANONICAL
        );
        assert_eq!(
            ok("hTtPs://s3.amazonaws.com:443/echo.api/echo-api-cert.pem"),
            CANONICAL
        );
    }

    #[test]
    fn dot_segments_are_resolved_before_the_path_check() {
        // The attack two public verifiers miss: the raw path starts with /echo.api/ but the
        // URL that is fetched is another bucket.
        assert_eq!(
            err("https://s3.amazonaws.com/echo.api/../evil-bucket/cert.pem"),
            CertUrlError::Path
        );
        assert_eq!(
            err("https://s3.amazonaws.com/echo.api/./../evil/cert.pem"),
            CertUrlError::Path
        );
        assert_eq!(
            ok("https://s3.amazonaws.com/echo.api/./echo-api-cert.pem"),
            CANONICAL
        );
        assert_eq!(
            ok("https://s3.amazonaws.com/./echo.api/echo-api-cert.pem"),
            CANONICAL
        );
        assert_eq!(
            ok("https://s3.amazonaws.com/x/../echo.api/echo-api-cert.pem"),
            CANONICAL
        );
        assert_eq!(
            err("https://s3.amazonaws.com/echo.api/.."),
            CertUrlError::Path
        );
    }

    #[test]
    fn percent_encoding_is_rejected() {
        for raw in [
            "https://s3.amazonaws.com/echo.api/%2e%2e/evil/cert.pem",
            "https://s3.amazonaws.com/echo.api/%2E%2E/evil/cert.pem",
            "https://s3.amazonaws.com/echo.api/..%2fevil/cert.pem",
            "https://s3.amazonaws.com/echo.api%2F../evil/cert.pem",
            "https://s3.amazonaws.com/echo%2eapi/echo-api-cert.pem",
            "https://s3.amazonaws.com/echo.api/echo-api-cert%2epem",
            "https://s3%2eamazonaws.com/echo.api/echo-api-cert.pem",
        ] {
            assert_eq!(err(raw), CertUrlError::PercentEncoded, "{raw}");
        }
    }

    #[test]
    fn userinfo_is_rejected() {
        for raw in [
            "https://s3.amazonaws.com@evil.example/echo.api/echo-api-cert.pem",
            "https://evil.example@s3.amazonaws.com/echo.api/echo-api-cert.pem",
            "https://user:pass@s3.amazonaws.com/echo.api/echo-api-cert.pem",
            "https://s3.amazonaws.com/echo.api/@evil.example/cert.pem",
        ] {
            assert_eq!(err(raw), CertUrlError::Userinfo, "{raw}");
        }
    }

    #[test]
    fn host_tricks_are_rejected() {
        for raw in [
            "https://s3.amazonaws.com./echo.api/echo-api-cert.pem",
            "https://s3.amazonaws.com.evil.example/echo.api/echo-api-cert.pem",
            "https://evil-s3.amazonaws.com/echo.api/echo-api-cert.pem",
            "https://52.216.0.1/echo.api/echo-api-cert.pem",
            "https://[::1]/echo.api/echo-api-cert.pem",
            "https://0x34d80001/echo.api/echo-api-cert.pem",
            "https:///echo.api/echo-api-cert.pem",
        ] {
            assert_eq!(err(raw), CertUrlError::Host, "{raw}");
        }
    }

    #[test]
    fn port_tricks_are_rejected() {
        assert_eq!(
            err("https://s3.amazonaws.com:/echo.api/echo-api-cert.pem"),
            CertUrlError::EmptyPort
        );
        for raw in [
            "https://s3.amazonaws.com:0443/echo.api/echo-api-cert.pem",
            "https://s3.amazonaws.com:80/echo.api/echo-api-cert.pem",
            "https://s3.amazonaws.com:443:443/echo.api/echo-api-cert.pem",
            "https://s3.amazonaws.com:+443/echo.api/echo-api-cert.pem",
        ] {
            assert_eq!(err(raw), CertUrlError::Port, "{raw}");
        }
        assert_eq!(
            err("http://s3.amazonaws.com:443/echo.api/echo-api-cert.pem"),
            CertUrlError::NotHttps
        );
    }

    #[test]
    fn backslashes_are_rejected() {
        for raw in [
            "https://s3.amazonaws.com\\echo.api\\echo-api-cert.pem",
            "https://s3.amazonaws.com/echo.api\\..\\evil/cert.pem",
            "https:\\\\s3.amazonaws.com/echo.api/echo-api-cert.pem",
        ] {
            assert_eq!(err(raw), CertUrlError::Backslash, "{raw}");
        }
    }

    #[test]
    fn path_case_query_fragment_and_odd_characters_are_rejected() {
        assert_eq!(
            err("https://s3.amazonaws.com/ECHO.API/echo-api-cert.pem"),
            CertUrlError::Path
        );
        assert_eq!(
            err("https://s3.amazonaws.com/echo.api/echo-api-cert.pem?versionId=1"),
            CertUrlError::Query
        );
        assert_eq!(
            err("https://s3.amazonaws.com/echo.api/echo-api-cert.pem#x"),
            CertUrlError::Fragment
        );
        assert_eq!(
            err("https://s3.amazonaws.com/echo.api/echo api.pem"),
            CertUrlError::NonPrintable
        );
        assert_eq!(
            err(" https://s3.amazonaws.com/echo.api/echo-api-cert.pem"),
            CertUrlError::NonPrintable
        );
        assert_eq!(
            err("https://s3.amazonaws.com/echo.api/echo-api-cert.pem\n"),
            CertUrlError::NonPrintable
        );
        assert_eq!(
            err("https://s3.amazonaws.com/echo.api/ä.pem"),
            CertUrlError::NonPrintable
        );
        assert_eq!(
            err("https://s3.amazonaws.com/echo.api/a;b.pem"),
            CertUrlError::PathCharacter
        );
        assert_eq!(
            err("https://s3.amazonaws.com//echo.api/echo-api-cert.pem"),
            CertUrlError::Path
        );
        assert_eq!(
            err("https://s3.amazonaws.com/echo.api//echo-api-cert.pem"),
            CertUrlError::EmptySegment
        );
        assert_eq!(err("https://s3.amazonaws.com"), CertUrlError::Malformed);
        assert_eq!(
            err("s3.amazonaws.com/echo.api/x.pem"),
            CertUrlError::Malformed
        );
        assert_eq!(
            err("ftp://s3.amazonaws.com/echo.api/x.pem"),
            CertUrlError::NotHttps
        );
        assert_eq!(err(""), CertUrlError::Malformed);
        let long = format!("https://s3.amazonaws.com/echo.api/{}", "a".repeat(600));
        assert_eq!(err(&long), CertUrlError::TooLong);
    }

    #[test]
    fn every_real_chain_url_is_accepted_unchanged() {
        for name in ["4", "5", "6-ats", "7", "8", "9", "10", "11", "12"] {
            let raw = format!("https://s3.amazonaws.com/echo.api/echo-api-cert-{name}.pem");
            assert_eq!(ok(&raw), raw);
        }
    }

    #[test]
    fn reasons_are_distinct() {
        let all = [
            CertUrlError::TooLong,
            CertUrlError::NonPrintable,
            CertUrlError::Malformed,
            CertUrlError::NotHttps,
            CertUrlError::Userinfo,
            CertUrlError::Host,
            CertUrlError::EmptyPort,
            CertUrlError::Port,
            CertUrlError::PercentEncoded,
            CertUrlError::Backslash,
            CertUrlError::Query,
            CertUrlError::Fragment,
            CertUrlError::PathCharacter,
            CertUrlError::EmptySegment,
            CertUrlError::Path,
        ];
        let mut reasons: Vec<_> = all.iter().map(CertUrlError::reason).collect();
        reasons.sort_unstable();
        reasons.dedup();
        assert_eq!(reasons.len(), all.len());
    }
}
