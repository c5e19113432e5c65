//! The requests Amazon's certification sends to a skill endpoint, built offline.
//!
//! Without Amazon's private key no request can carry a valid Amazon signature, so in the
//! default mode every case after the first two can be rejected by a server for its bad
//! signature alone ([`Case::indistinguishable`]). With the development CA
//! ([`Context::signer`]) the requests are signed validly by a chain the server trusts, so a
//! stale timestamp or a foreign application id really has to be caught by its own rule.

use base64::Engine as _;
use skillgate_devtools::envelope::{self, Identity, RequestKind, Session};
use skillgate_devtools::random;
use skillgate_devtools::sign::{CHAIN_URL_HEADER, SIGNATURE_256_HEADER, SIGNATURE_HEADER, Signer};
use time::OffsetDateTime;

use crate::report::Group;

/// A chain URL Amazon really serves its signing chain from (the server may download it).
pub const AMAZON_CHAIN_URL: &str = "https://s3.amazonaws.com/echo.api/echo-api-cert-12.pem";

/// How far in the past the stale request is dated: twice Amazon's 150-second tolerance.
pub const STALE_SECS: i64 = 300;

/// One request case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Case {
    /// No `SignatureCertChainUrl`, `Signature` or `Signature-256` header.
    NoSignatureHeaders,
    /// Signature headers that are not base64.
    MalformedSignature,
    /// A well-formed signature that does not match, naming Amazon's real chain URL.
    WrongSignature,
    /// A well-formed signature that does not match, by the development CA's key, over a
    /// chain the server trusts (development CA mode only).
    WrongSignatureDevChain,
    /// Chain URL with `http`.
    CertUrlScheme,
    /// Chain URL on another host.
    CertUrlHost,
    /// Chain URL outside `/echo.api/`.
    CertUrlPath,
    /// Chain URL with port 563.
    CertUrlPort,
    /// Chain URL whose `..` leaves `/echo.api/`.
    CertUrlDotSegment,
    /// Chain URL with `/EcHo.aPi/` (the path is case-sensitive).
    CertUrlCase,
    /// A body that is not JSON.
    NotJson,
    /// A timestamp [`STALE_SECS`] old.
    StaleTimestamp,
    /// Another skill's application id.
    ForeignApplicationId,
    /// A correctly signed LaunchRequest (development CA mode only): must be accepted.
    ValidLaunch,
}

impl Case {
    /// The cases of a run, in order.
    pub fn all(dev_ca: bool) -> Vec<Case> {
        let mut cases = vec![
            Self::NoSignatureHeaders,
            Self::MalformedSignature,
            Self::WrongSignature,
        ];
        if dev_ca {
            cases.push(Self::WrongSignatureDevChain);
        }
        cases.extend([
            Self::CertUrlScheme,
            Self::CertUrlHost,
            Self::CertUrlPath,
            Self::CertUrlPort,
            Self::CertUrlDotSegment,
            Self::CertUrlCase,
            Self::NotJson,
            Self::StaleTimestamp,
            Self::ForeignApplicationId,
        ]);
        if dev_ca {
            cases.push(Self::ValidLaunch);
        }
        cases
    }

    /// Stable snake_case id.
    pub fn id(self) -> &'static str {
        match self {
            Self::NoSignatureHeaders => "no_signature_headers",
            Self::MalformedSignature => "malformed_signature",
            Self::WrongSignature => "wrong_signature",
            Self::WrongSignatureDevChain => "wrong_signature_dev_chain",
            Self::CertUrlScheme => "cert_url_scheme",
            Self::CertUrlHost => "cert_url_host",
            Self::CertUrlPath => "cert_url_path",
            Self::CertUrlPort => "cert_url_port",
            Self::CertUrlDotSegment => "cert_url_dot_segment",
            Self::CertUrlCase => "cert_url_case",
            Self::NotJson => "body_not_json",
            Self::StaleTimestamp => "timestamp_outside_150s",
            Self::ForeignApplicationId => "foreign_application_id",
            Self::ValidLaunch => "valid_dev_ca_request",
        }
    }

    /// One line: what is sent.
    pub fn title(self) -> &'static str {
        match self {
            Self::NoSignatureHeaders => "no signature headers",
            Self::MalformedSignature => "signature that is not base64",
            Self::WrongSignature => "wrong signature, Amazon's real chain URL",
            Self::WrongSignatureDevChain => "wrong signature, trusted development chain",
            Self::CertUrlScheme => "chain URL http://",
            Self::CertUrlHost => "chain URL on notamazon.com",
            Self::CertUrlPath => "chain URL outside /echo.api/",
            Self::CertUrlPort => "chain URL on port 563",
            Self::CertUrlDotSegment => "chain URL escaping /echo.api/ with ..",
            Self::CertUrlCase => "chain URL path /EcHo.aPi/",
            Self::NotJson => "body that is not JSON",
            Self::StaleTimestamp => "timestamp 300 s old",
            Self::ForeignApplicationId => "another skill's application id",
            Self::ValidLaunch => "correctly signed LaunchRequest",
        }
    }

    /// The group of the report it belongs to.
    pub fn group(self) -> Group {
        match self {
            Self::ValidLaunch => Group::Acceptance,
            _ => Group::Rejection,
        }
    }

    /// The HTTP status that passes.
    pub fn expected_status(self) -> u16 {
        match self {
            Self::ValidLaunch => 200,
            _ => 400,
        }
    }

    /// The chain URL a case sends, derived from a valid one (`base`).
    pub fn chain_url(self, base: &str) -> String {
        let file = base.rsplit('/').next().unwrap_or("echo-api-cert.pem");
        match self {
            Self::CertUrlScheme => format!("http://s3.amazonaws.com/echo.api/{file}"),
            Self::CertUrlHost => format!("https://notamazon.com/echo.api/{file}"),
            Self::CertUrlPath => format!("https://s3.amazonaws.com/invalid.path/{file}"),
            Self::CertUrlPort => format!("https://s3.amazonaws.com:563/echo.api/{file}"),
            Self::CertUrlDotSegment => {
                format!("https://s3.amazonaws.com/echo.api/../invalid.path/{file}")
            }
            Self::CertUrlCase => format!("https://s3.amazonaws.com/EcHo.aPi/{file}"),
            _ => base.to_string(),
        }
    }

    /// True when a server that rejects every request with a bad signature passes this case
    /// whether or not it implements the rule the case is about.
    pub fn indistinguishable(self, dev_ca: bool) -> bool {
        match self {
            Self::NoSignatureHeaders
            | Self::MalformedSignature
            | Self::WrongSignature
            | Self::WrongSignatureDevChain
            | Self::ValidLaunch => false,
            // The server cannot download a chain from a broken URL, and without the URL
            // check it fails on the download (or the signature) instead: still a 400.
            Self::CertUrlScheme
            | Self::CertUrlHost
            | Self::CertUrlPath
            | Self::CertUrlPort
            | Self::CertUrlDotSegment
            | Self::CertUrlCase => true,
            Self::NotJson | Self::StaleTimestamp | Self::ForeignApplicationId => !dev_ca,
        }
    }

    /// What a failure means.
    pub fn meaning(self) -> &'static str {
        match self {
            Self::NoSignatureHeaders => {
                "the endpoint answers requests that are not signed at all: anyone can call your skill as if they were Alexa"
            }
            Self::MalformedSignature | Self::WrongSignature | Self::WrongSignatureDevChain => {
                "the signature is not verified (or its failure is not turned into a 400): forged requests get through"
            }
            Self::CertUrlScheme
            | Self::CertUrlHost
            | Self::CertUrlPath
            | Self::CertUrlPort
            | Self::CertUrlDotSegment
            | Self::CertUrlCase => {
                "the SignatureCertChainUrl header is not validated: a forger can point it at a chain of their own"
            }
            Self::NotJson => {
                "a body that is not JSON is not answered with 400 (often a crash: 500)"
            }
            Self::StaleTimestamp => {
                "old requests are accepted: a captured request can be replayed later"
            }
            Self::ForeignApplicationId => {
                "requests meant for another skill are answered: the application id is not checked"
            }
            Self::ValidLaunch => {
                "a correctly signed request is refused: the server does not trust the development CA, or --app-id is not the skill's id"
            }
        }
    }

    /// How to fix a failure.
    pub fn fix(self) -> &'static str {
        match self {
            Self::NoSignatureHeaders
            | Self::MalformedSignature
            | Self::WrongSignature
            | Self::WrongSignatureDevChain => {
                "verify Signature-256 (RSA SHA-256 over the raw body) with the key of the downloaded chain before anything else, and answer 400 on any failure; skillgate serve does this in front of any skill"
            }
            Self::CertUrlScheme
            | Self::CertUrlHost
            | Self::CertUrlPath
            | Self::CertUrlPort
            | Self::CertUrlDotSegment
            | Self::CertUrlCase => {
                "accept only https://s3.amazonaws.com[:443]/echo.api/... after resolving dot segments (host case-insensitive, path case-sensitive) and answer 400 otherwise"
            }
            Self::NotJson => "parse the body after verifying it and answer 400 when it is not JSON",
            Self::StaleTimestamp => {
                "compare request.timestamp with the clock and answer 400 beyond 150 seconds; keep the server's clock synchronized (NTP)"
            }
            Self::ForeignApplicationId => {
                "compare context.System.application.applicationId with your skill's id and answer 400 otherwise"
            }
            Self::ValidLaunch => {
                "run the server with the development CA (skillgate serve --dev-ca) and pass --app-id with the skill's id"
            }
        }
    }
}

/// What every case's request is built from.
pub struct Context<'a> {
    /// The instant the requests are dated.
    pub now: OffsetDateTime,
    /// The skill's own application id.
    pub app_id: &'a str,
    /// Amazon's chain URL for the unsigned cases.
    pub amazon_chain_url: &'a str,
    /// The development CA signer, when the server trusts it.
    pub signer: Option<&'a Signer>,
}

/// A request ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    /// Headers besides `Host` and `Content-Length`.
    pub headers: Vec<(&'static str, String)>,
    /// The exact body bytes.
    pub body: Vec<u8>,
}

fn launch(app_id: &str, now: OffsetDateTime) -> Vec<u8> {
    let identity = Identity {
        app_id: app_id.to_string(),
        ..Identity::default()
    };
    envelope::to_body(&envelope::build(
        &RequestKind::Launch,
        &identity,
        &Session::fresh(),
        now,
    ))
}

/// A well-formed RSA-2048 signature value that verifies against nothing.
fn bogus_signature() -> String {
    let hex = random::hex(256);
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .filter_map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect();
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A foreign application id: a fresh one that is not `own`.
fn foreign_app_id(own: &str) -> String {
    loop {
        let id = format!("amzn1.ask.skill.{}", random::uuid());
        if id != own {
            return id;
        }
    }
}

/// Builds the request of `case`.
pub fn build(case: Case, ctx: &Context<'_>) -> Result<Probe, skillgate_devtools::Error> {
    let content_type = (
        "Content-Type",
        "application/json; charset=utf-8".to_string(),
    );
    let mut body = match case {
        Case::StaleTimestamp => launch(ctx.app_id, ctx.now - time::Duration::seconds(STALE_SECS)),
        Case::ForeignApplicationId => launch(&foreign_app_id(ctx.app_id), ctx.now),
        _ => launch(ctx.app_id, ctx.now),
    };
    if case == Case::NotJson {
        body.truncate(body.len() / 2);
    }
    let headers = match (case, ctx.signer) {
        (Case::NoSignatureHeaders, _) => vec![content_type],
        (Case::MalformedSignature, _) => vec![
            content_type,
            (CHAIN_URL_HEADER, ctx.amazon_chain_url.to_string()),
            (SIGNATURE_HEADER, "not base64 !!".into()),
            (SIGNATURE_256_HEADER, "not base64 !!".into()),
        ],
        (Case::WrongSignatureDevChain, Some(signer)) => {
            // Signed over other bytes: valid chain, valid format, wrong signature.
            let signed = signer.sign(&launch(ctx.app_id, ctx.now))?;
            vec![
                content_type,
                (CHAIN_URL_HEADER, signed.cert_chain_url),
                (SIGNATURE_HEADER, signed.signature),
                (SIGNATURE_256_HEADER, signed.signature_256),
            ]
        }
        (Case::WrongSignature, _) | (_, None) => vec![
            content_type,
            (CHAIN_URL_HEADER, case.chain_url(ctx.amazon_chain_url)),
            (SIGNATURE_HEADER, bogus_signature()),
            (SIGNATURE_256_HEADER, bogus_signature()),
        ],
        (_, Some(signer)) => {
            let signed = signer.sign(&body)?;
            vec![
                content_type,
                (CHAIN_URL_HEADER, case.chain_url(&signed.cert_chain_url)),
                (SIGNATURE_HEADER, signed.signature),
                (SIGNATURE_256_HEADER, signed.signature_256),
            ]
        }
    };
    body.shrink_to_fit();
    Ok(Probe { headers, body })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header<'a>(p: &'a Probe, name: &str) -> Option<&'a str> {
        p.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    fn ctx() -> Context<'static> {
        Context {
            now: OffsetDateTime::now_utc(),
            app_id: "amzn1.ask.skill.11111111-2222-4333-8444-555555555555",
            amazon_chain_url: AMAZON_CHAIN_URL,
            signer: None,
        }
    }

    #[test]
    fn every_case_has_a_distinct_id_and_text() {
        let all = Case::all(true);
        let mut ids: Vec<_> = all.iter().map(|c| c.id()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), all.len());
        assert_eq!(Case::all(false).len() + 2, all.len());
        for c in all {
            assert!(!c.meaning().is_empty() && !c.fix().is_empty() && !c.title().is_empty());
        }
    }

    #[test]
    fn broken_chain_urls_break_exactly_one_rule() {
        let base = AMAZON_CHAIN_URL;
        assert_eq!(
            Case::CertUrlScheme.chain_url(base),
            "http://s3.amazonaws.com/echo.api/echo-api-cert-12.pem"
        );
        assert_eq!(
            Case::CertUrlPort.chain_url(base),
            "https://s3.amazonaws.com:563/echo.api/echo-api-cert-12.pem"
        );
        assert_eq!(
            Case::CertUrlDotSegment.chain_url(base),
            "https://s3.amazonaws.com/echo.api/../invalid.path/echo-api-cert-12.pem"
        );
        assert_eq!(Case::NotJson.chain_url(base), base);
    }

    #[test]
    fn unsigned_cases_carry_what_they_claim() {
        let c = ctx();
        let p = build(Case::NoSignatureHeaders, &c).unwrap();
        assert_eq!(p.headers.len(), 1);
        let v: serde_json::Value = serde_json::from_slice(&p.body).unwrap();
        assert_eq!(
            v["context"]["System"]["application"]["applicationId"],
            c.app_id
        );

        let p = build(Case::WrongSignature, &c).unwrap();
        assert_eq!(header(&p, CHAIN_URL_HEADER), Some(AMAZON_CHAIN_URL));
        let sig = header(&p, SIGNATURE_256_HEADER).unwrap();
        assert_eq!(
            base64::engine::general_purpose::STANDARD
                .decode(sig)
                .unwrap()
                .len(),
            256
        );

        let p = build(Case::NotJson, &c).unwrap();
        assert!(serde_json::from_slice::<serde_json::Value>(&p.body).is_err());

        let p = build(Case::ForeignApplicationId, &c).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&p.body).unwrap();
        let id = v["context"]["System"]["application"]["applicationId"]
            .as_str()
            .unwrap();
        assert!(id.starts_with("amzn1.ask.skill.") && id != c.app_id);

        let p = build(Case::StaleTimestamp, &c).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&p.body).unwrap();
        let ts = time::OffsetDateTime::parse(
            v["request"]["timestamp"].as_str().unwrap(),
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap();
        let age = (c.now - ts).whole_seconds();
        assert!((STALE_SECS..STALE_SECS + 2).contains(&age), "{age}");

        let p = build(Case::CertUrlCase, &c).unwrap();
        assert!(header(&p, CHAIN_URL_HEADER).unwrap().contains("/EcHo.aPi/"));
    }

    #[test]
    fn dev_ca_cases_are_validly_signed_except_the_wrong_signature() {
        use aws_lc_rs::signature::{RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey};
        let ca = skillgate_devtools::dev_ca::DevCa::generate(OffsetDateTime::now_utc()).unwrap();
        let signer = ca.signer().unwrap();
        let key = UnparsedPublicKey::new(
            &RSA_PKCS1_2048_8192_SHA256,
            signer.public_key_der().to_vec(),
        );
        let c = Context {
            signer: Some(&signer),
            ..ctx()
        };
        let verifies = |p: &Probe| {
            let sig = base64::engine::general_purpose::STANDARD
                .decode(header(p, SIGNATURE_256_HEADER).unwrap())
                .unwrap();
            key.verify(&p.body, &sig).is_ok()
        };
        for case in [
            Case::NotJson,
            Case::StaleTimestamp,
            Case::ForeignApplicationId,
            Case::ValidLaunch,
        ] {
            let p = build(case, &c).unwrap();
            assert!(verifies(&p), "{case:?}");
            assert_eq!(
                header(&p, CHAIN_URL_HEADER),
                Some(signer.chain_url()),
                "{case:?}"
            );
        }
        let p = build(Case::CertUrlPort, &c).unwrap();
        assert!(verifies(&p));
        assert_eq!(
            header(&p, CHAIN_URL_HEADER),
            Some("https://s3.amazonaws.com:563/echo.api/skillgate-dev-ca.pem")
        );
        let p = build(Case::WrongSignatureDevChain, &c).unwrap();
        assert!(!verifies(&p));
        assert_eq!(header(&p, CHAIN_URL_HEADER), Some(signer.chain_url()));
        let p = build(Case::WrongSignature, &c).unwrap();
        assert!(!verifies(&p));
        assert_eq!(header(&p, CHAIN_URL_HEADER), Some(AMAZON_CHAIN_URL));
    }

    #[test]
    fn only_the_dev_ca_makes_content_cases_distinguishable() {
        for c in [
            Case::NotJson,
            Case::StaleTimestamp,
            Case::ForeignApplicationId,
        ] {
            assert!(c.indistinguishable(false));
            assert!(!c.indistinguishable(true));
        }
        assert!(Case::CertUrlHost.indistinguishable(true));
        assert!(!Case::NoSignatureHeaders.indistinguishable(false));
    }
}
