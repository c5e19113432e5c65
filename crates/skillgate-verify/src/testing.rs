//! Test helpers (feature `testing`, off by default): real RSA-2048 chains made with rcgen
//! (root → intermediate → leaf with the SAN `echo-api.amazon.com`) and real signatures made
//! with aws-lc-rs.
//!
//! ```ignore
//! use skillgate_verify::testing::{TestChain, TEST_CHAIN_URL, envelope};
//!
//! let chain = TestChain::generate();                 // ~0.3 s: three RSA-2048 keys
//! let verifier = chain.verifier(["amzn1.ask.skill.test"]);
//! let body = envelope("amzn1.ask.skill.test", "LaunchRequest", time::OffsetDateTime::now_utc());
//! let headers = chain.headers(&body);
//! verifier.verify(&headers, &body, std::time::SystemTime::now()).await?;
//! ```
//!
//! The helpers panic on failure (they are for tests).

#[cfg(feature = "fetch")]
use std::sync::Arc;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
use base64::Engine as _;
use http::{HeaderMap, HeaderValue};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose, PKCS_RSA_SHA256,
};
use rustls_pki_types::CertificateDer;
use time::OffsetDateTime;
use time::macros::datetime;

#[cfg(feature = "fetch")]
use crate::cert_url::CertChainUrl;
use crate::checker::{CERT_URL_HEADER, Checker, VerifierConfig};
#[cfg(feature = "fetch")]
use crate::fetch::StaticChainSource;
use crate::signature::SignatureAlgorithm;
#[cfg(feature = "fetch")]
use crate::verifier::Verifier;

/// The chain URL test helpers use: passes every cert URL rule.
pub const TEST_CHAIN_URL: &str = "https://s3.amazonaws.com/echo.api/skillgate-test-cert.pem";

/// A test root and intermediate that issue signing certificates.
pub struct TestCa {
    root: CertifiedIssuer<'static, KeyPair>,
    intermediate: CertifiedIssuer<'static, KeyPair>,
    intermediate_signer: RsaKeyPair,
}

/// What the signing (leaf) certificate looks like.
#[derive(Debug, Clone)]
pub struct LeafOptions {
    /// DNS SANs (default `["echo-api.amazon.com"]`).
    pub subject_alt_names: Vec<String>,
    /// notBefore (default 2020-01-01).
    pub not_before: OffsetDateTime,
    /// notAfter (default 2045-01-01).
    pub not_after: OffsetDateTime,
    /// Whether to include the serverAuth EKU (default true, as Amazon's certificates do);
    /// false puts clientAuth alone in the extension.
    pub server_auth: bool,
    /// Whether the certificate has an extendedKeyUsage extension at all (default true).
    pub extended_key_usage: bool,
    /// Whether keyUsage includes digitalSignature (default true; false leaves
    /// keyEncipherment alone).
    pub digital_signature: bool,
    /// The signing key's SubjectPublicKeyInfo algorithm (default `rsaEncryption`).
    pub key_algorithm: LeafKeyAlgorithm,
}

/// How the signing certificate labels its (always RSA-2048) key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LeafKeyAlgorithm {
    /// `rsaEncryption`, as Amazon's certificates do.
    #[default]
    RsaEncryption,
    /// `id-RSASSA-PSS` (issue 15, item 7: must be refused).
    RsaPss,
}

/// DER of the OID rsaEncryption (1.2.840.113549.1.1.1) and of id-RSASSA-PSS
/// (1.2.840.113549.1.1.10): the same length, so one can replace the other in place.
const RSA_ENCRYPTION_OID: &[u8] = &[
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01,
];
const RSASSA_PSS_OID: &[u8] = &[
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a,
];

/// Relabels the leaf's key as id-RSASSA-PSS and signs the changed certificate again with
/// the intermediate's key (sha256WithRSAEncryption, as before, so the signature keeps its
/// length and the DER its layout).
fn relabel_as_pss(leaf: &[u8], issuer: &RsaKeyPair) -> Vec<u8> {
    let (_, cert) = x509_parser::parse_x509_certificate(leaf).expect("parse leaf");
    let tbs = cert.tbs_certificate.as_ref();
    let start = leaf
        .windows(tbs.len())
        .position(|w| w == tbs)
        .expect("tbs inside the certificate");
    let mut out = leaf.to_vec();
    let oid_at = start
        + tbs
            .windows(RSA_ENCRYPTION_OID.len())
            .position(|w| w == RSA_ENCRYPTION_OID)
            .expect("rsaEncryption in the SPKI");
    out[oid_at..oid_at + RSASSA_PSS_OID.len()].copy_from_slice(RSASSA_PSS_OID);
    let mut signature = vec![0u8; issuer.public_modulus_len()];
    issuer
        .sign(
            &RSA_PKCS1_SHA256,
            &SystemRandom::new(),
            &out[start..start + tbs.len()],
            &mut signature,
        )
        .expect("sign leaf");
    let sig_at = out.len() - signature.len();
    out[sig_at..].copy_from_slice(&signature);
    out
}

impl Default for LeafOptions {
    fn default() -> Self {
        LeafOptions {
            subject_alt_names: vec!["echo-api.amazon.com".to_owned()],
            not_before: datetime!(2020-01-01 00:00 UTC),
            not_after: datetime!(2045-01-01 00:00 UTC),
            server_auth: true,
            extended_key_usage: true,
            digital_signature: true,
            key_algorithm: LeafKeyAlgorithm::RsaEncryption,
        }
    }
}

fn rsa_key() -> KeyPair {
    KeyPair::generate_for(&PKCS_RSA_SHA256).expect("generate RSA-2048 key")
}

fn ca_params(common_name: &str) -> CertificateParams {
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, common_name);
    params.distinguished_name = dn;
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params.not_before = datetime!(2000-01-01 00:00 UTC);
    params.not_after = datetime!(2090-01-01 00:00 UTC);
    params
}

/// What the test root and intermediate look like (for chain-watch and trust-failure tests:
/// another issuer name, an intermediate that expires).
#[derive(Debug, Clone)]
pub struct CaOptions {
    /// The root's common name (default `skillgate test root`).
    pub root_name: String,
    /// The intermediate's common name (default `skillgate test intermediate`).
    pub intermediate_name: String,
    /// The intermediate's notBefore (default 2000-01-01).
    pub intermediate_not_before: OffsetDateTime,
    /// The intermediate's notAfter (default 2090-01-01).
    pub intermediate_not_after: OffsetDateTime,
}

impl Default for CaOptions {
    fn default() -> Self {
        CaOptions {
            root_name: "skillgate test root".to_owned(),
            intermediate_name: "skillgate test intermediate".to_owned(),
            intermediate_not_before: datetime!(2000-01-01 00:00 UTC),
            intermediate_not_after: datetime!(2090-01-01 00:00 UTC),
        }
    }
}

impl TestCa {
    /// Generates a root and an intermediate (two RSA-2048 keys).
    pub fn generate() -> TestCa {
        TestCa::generate_with(&CaOptions::default())
    }

    /// Generates a root and an intermediate as `options` say (two RSA-2048 keys).
    pub fn generate_with(options: &CaOptions) -> TestCa {
        let root = CertifiedIssuer::self_signed(ca_params(&options.root_name), rsa_key())
            .expect("self-sign root");
        let key = rsa_key();
        let intermediate_signer =
            RsaKeyPair::from_pkcs8(&key.serialize_der()).expect("intermediate key as PKCS#8");
        let mut params = ca_params(&options.intermediate_name);
        params.not_before = options.intermediate_not_before;
        params.not_after = options.intermediate_not_after;
        let intermediate =
            CertifiedIssuer::signed_by(params, key, &root).expect("sign intermediate");
        TestCa {
            root,
            intermediate,
            intermediate_signer,
        }
    }

    /// The root certificate (use it as an extra trust anchor).
    pub fn root_der(&self) -> CertificateDer<'static> {
        self.root.der().clone()
    }

    /// The intermediate certificate.
    pub fn intermediate_der(&self) -> CertificateDer<'static> {
        self.intermediate.der().clone()
    }

    /// Issues a signing certificate (a new RSA-2048 key) under the intermediate.
    pub fn issue(&self, options: &LeafOptions) -> TestChain {
        let key = rsa_key();
        let mut params =
            CertificateParams::new(options.subject_alt_names.clone()).expect("leaf params");
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, "echo-api.amazon.com");
        params.distinguished_name = dn;
        params.not_before = options.not_before;
        params.not_after = options.not_after;
        params.key_usages = if options.digital_signature {
            vec![
                KeyUsagePurpose::DigitalSignature,
                KeyUsagePurpose::KeyEncipherment,
            ]
        } else {
            vec![KeyUsagePurpose::KeyEncipherment]
        };
        params.extended_key_usages = match (options.extended_key_usage, options.server_auth) {
            (false, _) => Vec::new(),
            (true, true) => vec![ExtendedKeyUsagePurpose::ServerAuth],
            (true, false) => vec![ExtendedKeyUsagePurpose::ClientAuth],
        };
        let leaf = params
            .signed_by(&key, &self.intermediate)
            .expect("sign leaf");
        let leaf_der = match options.key_algorithm {
            LeafKeyAlgorithm::RsaEncryption => leaf.der().clone(),
            LeafKeyAlgorithm::RsaPss => {
                CertificateDer::from(relabel_as_pss(leaf.der(), &self.intermediate_signer))
            }
        };
        let signer = RsaKeyPair::from_pkcs8(&key.serialize_der()).expect("leaf key as PKCS#8");
        TestChain {
            leaf: leaf_der,
            intermediate: self.intermediate_der(),
            root: self.root_der(),
            signer,
        }
    }
}

/// A signing certificate, its chain and its private key.
pub struct TestChain {
    leaf: CertificateDer<'static>,
    intermediate: CertificateDer<'static>,
    root: CertificateDer<'static>,
    signer: RsaKeyPair,
}

fn pem_block(der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}

impl TestChain {
    /// A fresh CA and a default signing certificate (three RSA-2048 keys).
    pub fn generate() -> TestChain {
        TestCa::generate().issue(&LeafOptions::default())
    }

    /// The chain as Amazon serves it: signing certificate, then intermediate.
    pub fn pem(&self) -> Vec<u8> {
        self.pem_of(&[&self.leaf, &self.intermediate])
    }

    /// PEM of the given certificates in the given order (for malformed-chain tests).
    pub fn pem_of(&self, certs: &[&CertificateDer<'static>]) -> Vec<u8> {
        certs
            .iter()
            .map(|c| pem_block(c))
            .collect::<String>()
            .into_bytes()
    }

    /// The signing certificate.
    pub fn leaf_der(&self) -> &CertificateDer<'static> {
        &self.leaf
    }

    /// The intermediate certificate.
    pub fn intermediate_der(&self) -> &CertificateDer<'static> {
        &self.intermediate
    }

    /// The root certificate (an extra trust anchor for the verifier).
    pub fn root_der(&self) -> &CertificateDer<'static> {
        &self.root
    }

    /// The base64 RSA-PSS (SHA-256) signature of `body`: what a PSS-labelled key would
    /// verify if its label were honoured (issue 15, item 7).
    pub fn sign_pss(&self, body: &[u8]) -> String {
        let mut signature = vec![0u8; self.signer.public_modulus_len()];
        self.signer
            .sign(
                &aws_lc_rs::signature::RSA_PSS_SHA256,
                &SystemRandom::new(),
                body,
                &mut signature,
            )
            .expect("sign body");
        base64::engine::general_purpose::STANDARD.encode(signature)
    }

    /// The base64 `Signature-256` value for `body` (RSA PKCS#1 v1.5 over SHA-256).
    ///
    /// aws-lc-rs does not sign with SHA-1, so there is no SHA-1 counterpart: SHA-1 is tested
    /// with the real Alexa captures in the fixtures.
    pub fn sign(&self, body: &[u8]) -> String {
        let mut signature = vec![0u8; self.signer.public_modulus_len()];
        self.signer
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                body,
                &mut signature,
            )
            .expect("sign body");
        base64::engine::general_purpose::STANDARD.encode(signature)
    }

    /// Headers for `body`: `SignatureCertChainUrl` = [`TEST_CHAIN_URL`] and `Signature-256`.
    pub fn headers(&self, body: &[u8]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(CERT_URL_HEADER, HeaderValue::from_static(TEST_CHAIN_URL));
        headers.insert(
            SignatureAlgorithm::Sha256.header(),
            HeaderValue::try_from(self.sign(body)).expect("base64 is a header value"),
        );
        headers
    }

    /// A [`StaticChainSource`] serving [`pem`](Self::pem) at [`TEST_CHAIN_URL`].
    #[cfg(feature = "fetch")]
    pub fn source(&self) -> StaticChainSource {
        let url = CertChainUrl::parse(TEST_CHAIN_URL).expect("test URL is valid");
        StaticChainSource::new().with_chain(&url, self.pem())
    }

    /// A config for `ids` that trusts this chain's root.
    pub fn config<I, S>(&self, ids: I) -> VerifierConfig
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut config = VerifierConfig::for_skills(ids);
        config.extra_trust_anchors = vec![self.root.clone()];
        config
    }

    /// A synchronous [`Checker`] for `ids` trusting this chain's root.
    pub fn checker<I, S>(&self, ids: I) -> Checker
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Checker::new(self.config(ids)).expect("valid config")
    }

    /// A verifier for `ids` trusting this chain's root and serving it from [`source`](Self::source).
    #[cfg(feature = "fetch")]
    pub fn verifier<I, S>(&self, ids: I) -> Verifier
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Verifier::new(self.config(ids), Arc::new(self.source())).expect("valid config")
    }
}

/// A TLS server configuration (aws-lc-rs) presenting a certificate for `s3.amazonaws.com`
/// issued by a CA of its own, and that CA's certificate: a local stand-in for the host that
/// serves Amazon's chains, which an [`HttpsChainSource`](crate::HttpsChainSource) reaches
/// with `connect_to` and the CA in `extra_tls_roots`.
#[cfg(feature = "fetch")]
pub fn chain_host_tls() -> (rustls::ServerConfig, CertificateDer<'static>) {
    let ca_key = KeyPair::generate().expect("generate the CA key");
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(ca_params, ca_key).expect("self-sign the CA");
    let key = KeyPair::generate().expect("generate the host key");
    let params = CertificateParams::new(vec!["s3.amazonaws.com".to_owned()]).expect("host params");
    let cert = params
        .signed_by(&key, &ca)
        .expect("sign the host certificate");
    let tls = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("the default protocol versions")
    .with_no_client_auth()
    .with_single_cert(
        vec![cert.der().clone()],
        rustls_pki_types::PrivateKeyDer::Pkcs8(rustls_pki_types::PrivatePkcs8KeyDer::from(
            key.serialize_der(),
        )),
    )
    .expect("a usable host certificate");
    (tls, ca.der().clone())
}

/// A reqwest client for plain-HTTP test servers on loopback (an app under test, an admin
/// listener): no proxy from the environment, no trusted roots.
#[cfg(feature = "fetch")]
pub fn plain_client() -> reqwest::Client {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("the default protocol versions")
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_no_client_auth();
    reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .no_proxy()
        .build()
        .expect("a reqwest client")
}

/// One [`TestChain`] for the whole test binary, generated on first use (RSA key
/// generation is the slow part, so tests share it).
pub fn shared_chain() -> &'static TestChain {
    static CHAIN: std::sync::OnceLock<TestChain> = std::sync::OnceLock::new();
    CHAIN.get_or_init(TestChain::generate)
}

/// A request signed over `chain` as an HTTP client sends it: a fresh [`envelope`] for
/// `application_id` and `request_type` timestamped now, and its headers
/// ([`TestChain::headers`] plus `Content-Type: application/json; charset=utf-8`).
pub fn signed_request(
    chain: &TestChain,
    application_id: &str,
    request_type: &str,
) -> (HeaderMap, Vec<u8>) {
    let body = envelope(application_id, request_type, OffsetDateTime::now_utc());
    let mut headers = chain.headers(&body);
    headers.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    (headers, body)
}

/// A minimal request envelope as Alexa sends it (compact JSON), with a request id unique to
/// this call (`amzn1.echo-api.request.test-<pid>-<n>`), as Alexa's are: a verifier with
/// replay protection accepts each envelope once.
pub fn envelope(application_id: &str, request_type: &str, timestamp: OffsetDateTime) -> Vec<u8> {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let id = format!("amzn1.echo-api.request.test-{}-{n}", std::process::id());
    envelope_with_id(application_id, request_type, timestamp, &id)
}

/// [`envelope`] with the given `request.requestId`.
pub fn envelope_with_id(
    application_id: &str,
    request_type: &str,
    timestamp: OffsetDateTime,
    request_id: &str,
) -> Vec<u8> {
    let ts = timestamp
        .format(&time::format_description::well_known::Rfc3339)
        .expect("format timestamp");
    serde_json::json!({
        "version": "1.0",
        "session": {
            "new": true,
            "sessionId": "amzn1.echo-api.session.test",
            "application": { "applicationId": application_id },
            "user": { "userId": "amzn1.ask.account.test" }
        },
        "context": {
            "System": {
                "application": { "applicationId": application_id },
                "user": { "userId": "amzn1.ask.account.test" },
                "device": { "deviceId": "amzn1.ask.device.test", "supportedInterfaces": {} },
                "apiEndpoint": "https://api.amazonalexa.com"
            }
        },
        "request": {
            "type": request_type,
            "requestId": request_id,
            "timestamp": ts,
            "locale": "en-US"
        }
    })
    .to_string()
    .into_bytes()
}
