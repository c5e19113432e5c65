//! What the network can do to a call: each case is a real TLS server on 127.0.0.1 that
//! answers with scripted bytes (slow, truncated, mislabelled, huge, redirecting, failing).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair, SanType};
use skillgate_alexa_api::lists::UpdateListItem;
use skillgate_alexa_api::{AlexaApi, ApiError, ProtocolError, Scope, Transport};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// What the scripted server does with one connection after reading the request head.
#[derive(Clone)]
enum Script {
    /// Writes these bytes and closes.
    Raw(Vec<u8>),
    /// Waits before writing anything.
    SlowHeaders(Duration),
    /// Writes the head and part of the body, then waits.
    SlowBody(Duration),
    /// Writes a chunked body of this many bytes (no content length).
    ChunkedHuge(usize),
}

struct Scripted {
    endpoint: String,
    ca_pem: String,
    heads: Arc<Mutex<Vec<String>>>,
}

fn tls_material() -> (String, rustls::ServerConfig) {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::default();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, ca_key);
    let key = KeyPair::generate().unwrap();
    let mut leaf = CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
    leaf.subject_alt_names
        .push(SanType::IpAddress("127.0.0.1".parse().unwrap()));
    let cert = leaf.signed_by(&key, &issuer).unwrap();
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone()],
            rustls_pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
        )
        .unwrap();
    (ca_cert.pem(), config)
}

/// Starts a server that answers each connection with the next script (the last one
/// repeats); it stops when the test's runtime ends.
async fn scripted(scripts: Vec<Script>) -> Scripted {
    let (ca_pem, config) = tls_material();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let heads = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&heads);
    tokio::spawn(async move {
        for i in 0..32 {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let script = scripts[i.min(scripts.len() - 1)].clone();
            let acceptor = acceptor.clone();
            let seen = Arc::clone(&seen);
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(stream).await else {
                    return;
                };
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 65536 {
                    match tls.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                seen.lock()
                    .unwrap()
                    .push(String::from_utf8_lossy(&head).into_owned());
                match script {
                    Script::Raw(bytes) => {
                        let _ = tls.write_all(&bytes).await;
                    }
                    Script::SlowHeaders(wait) => {
                        tokio::time::sleep(wait).await;
                        let _ = tls.write_all(&ok_json("\"UTC\"")).await;
                    }
                    Script::SlowBody(wait) => {
                        let _ = tls
                            .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 20\r\n\r\n\"Europe")
                            .await;
                        let _ = tls.flush().await;
                        tokio::time::sleep(wait).await;
                    }
                    Script::ChunkedHuge(size) => {
                        let _ = tls
                            .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n")
                            .await;
                        let chunk = vec![b' '; 16 * 1024];
                        let mut sent = 0;
                        while sent < size {
                            let head = format!("{:x}\r\n", chunk.len());
                            if tls.write_all(head.as_bytes()).await.is_err()
                                || tls.write_all(&chunk).await.is_err()
                                || tls.write_all(b"\r\n").await.is_err()
                            {
                                return;
                            }
                            sent += chunk.len();
                        }
                        let _ = tls.write_all(b"0\r\n\r\n").await;
                    }
                }
                let _ = tls.shutdown().await;
            });
        }
    });
    Scripted {
        endpoint: format!("https://127.0.0.1:{}", addr.port()),
        ca_pem,
        heads,
    }
}

fn answer(status: &str, content_type: Option<&str>, extra: &str, body: &str) -> Vec<u8> {
    let mut head = format!("HTTP/1.1 {status}\r\ncontent-length: {}\r\n", body.len());
    if let Some(t) = content_type {
        head.push_str(&format!("content-type: {t}\r\n"));
    }
    head.push_str(extra);
    head.push_str("connection: close\r\n\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body.as_bytes());
    bytes
}

fn ok_json(body: &str) -> Vec<u8> {
    answer("200 OK", Some("application/json"), "", body)
}

const TOKEN: &str = "secret-request-token";

fn api(server: &Scripted, within: Duration) -> AlexaApi {
    let transport = Transport::builder()
        .add_root_pem(server.ca_pem.as_bytes())
        .unwrap()
        .body_limit(64 * 1024)
        .build()
        .unwrap();
    AlexaApi::new(transport, &server.endpoint, TOKEN, Instant::now() + within)
        .with_device_id("amzn1.ask.device.X")
}

async fn one(script: Script) -> (Scripted, AlexaApi) {
    let server = scripted(vec![script]).await;
    let api = api(&server, Duration::from_secs(5));
    (server, api)
}

#[tokio::test]
async fn success_sends_the_token_and_tolerates_unknown_fields() {
    let (server, api) = one(Script::Raw(ok_json(
        r#"{"countryCode":"DE","postalCode":"10115","brandNew":{"x":1}}"#,
    )))
    .await;
    let short = api.country_and_postal_code().await.unwrap().unwrap();
    assert_eq!(short.postal_code.as_deref(), Some("10115"));
    assert_eq!(short.extra["brandNew"]["x"], 1);
    let heads = server.heads.lock().unwrap();
    let head = heads[0].to_ascii_lowercase();
    assert!(head.starts_with(
        "get /v1/devices/amzn1.ask.device.x/settings/address/countryandpostalcode http/1.1"
    ));
    assert!(head.contains(&format!(
        "authorization: bearer {}",
        TOKEN.to_ascii_lowercase()
    )));
}

#[tokio::test]
async fn no_content_is_none() {
    let (_server, api) = one(Script::Raw(answer("204 No Content", None, "", ""))).await;
    assert!(api.device_address().await.unwrap().is_none());
}

#[tokio::test]
async fn connection_refused() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let api = AlexaApi::new(
        Transport::new().unwrap(),
        format!("https://127.0.0.1:{port}"),
        TOKEN,
        Instant::now() + Duration::from_secs(3),
    )
    .with_device_id("d");
    let started = Instant::now();
    let error = api.time_zone().await.unwrap_err();
    assert!(matches!(error, ApiError::Connect(_)), "{error:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn slow_headers_hit_the_deadline() {
    let server = scripted(vec![Script::SlowHeaders(Duration::from_secs(5))]).await;
    let api = api(&server, Duration::from_millis(300));
    let started = Instant::now();
    let error = api.time_zone().await.unwrap_err();
    assert!(matches!(error, ApiError::Deadline), "{error:?}");
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(250) && took < Duration::from_secs(2),
        "{took:?}"
    );
}

#[tokio::test]
async fn slow_body_hits_the_deadline() {
    let server = scripted(vec![Script::SlowBody(Duration::from_secs(5))]).await;
    let api = api(&server, Duration::from_millis(400));
    let started = Instant::now();
    assert!(matches!(api.time_zone().await, Err(ApiError::Deadline)));
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn a_passed_deadline_sends_nothing() {
    let server = scripted(vec![Script::Raw(ok_json("\"UTC\""))]).await;
    let api = api(&server, Duration::ZERO);
    assert!(matches!(api.time_zone().await, Err(ApiError::Deadline)));
    assert!(server.heads.lock().unwrap().is_empty());
}

#[tokio::test]
async fn truncated_json() {
    let (_s, api) = one(Script::Raw(ok_json(r#"{"countryCode":"US","postal"#))).await;
    let error = api.country_and_postal_code().await.unwrap_err();
    assert!(
        matches!(error, ApiError::Protocol(ProtocolError::Json(_))),
        "{error:?}"
    );
}

#[tokio::test]
async fn body_shorter_than_its_length() {
    let mut bytes =
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n"
            .to_vec();
    bytes.extend_from_slice(br#"{"countryCode":"US""#);
    let (_s, api) = one(Script::Raw(bytes)).await;
    let error = api.country_and_postal_code().await.unwrap_err();
    assert!(matches!(error, ApiError::Connect(_)), "{error:?}");
}

#[tokio::test]
async fn wrong_content_type() {
    let (_s, api) = one(Script::Raw(answer(
        "200 OK",
        Some("text/html"),
        "",
        "\"Europe/Berlin\"",
    )))
    .await;
    let error = api.time_zone().await.unwrap_err();
    assert!(
        matches!(error, ApiError::Protocol(ProtocolError::ContentType(Some(ref t))) if t == "text/html"),
        "{error:?}"
    );
}

#[tokio::test]
async fn shape_mismatch_is_a_protocol_error() {
    let (_s, api) = one(Script::Raw(ok_json(r#"{"timeZone": "UTC"}"#))).await;
    assert!(matches!(
        api.time_zone().await,
        Err(ApiError::Protocol(ProtocolError::Json(_)))
    ));
}

#[tokio::test]
async fn huge_declared_body_is_refused_unread() {
    let bytes =
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 10000000\r\n\r\n\"x"
            .to_vec();
    let (_s, api) = one(Script::Raw(bytes)).await;
    assert!(matches!(
        api.time_zone().await,
        Err(ApiError::Protocol(ProtocolError::TooLarge { limit: 65536 }))
    ));
}

#[tokio::test]
async fn huge_chunked_body_is_capped() {
    let (_s, api) = one(Script::ChunkedHuge(4 * 1024 * 1024)).await;
    let started = Instant::now();
    assert!(matches!(
        api.time_zone().await,
        Err(ApiError::Protocol(ProtocolError::TooLarge { .. }))
    ));
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let server = scripted(vec![Script::Raw(answer(
        "302 Found",
        None,
        "location: https://127.0.0.1:1/elsewhere\r\n",
        "",
    ))])
    .await;
    let api = api(&server, Duration::from_secs(5));
    let error = api.time_zone().await.unwrap_err();
    match error {
        ApiError::Protocol(ProtocolError::Redirect { status, location }) => {
            assert_eq!(status, 302);
            assert_eq!(location.as_deref(), Some("https://127.0.0.1:1/elsewhere"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(server.heads.lock().unwrap().len(), 1);
}

/// Each status, with and without Amazon's error JSON, sorted by what the author must do.
#[tokio::test]
async fn error_statuses_with_and_without_amazon_json() {
    let json = Some("application/json");
    let cases: Vec<(&str, &str, &str)> = vec![
        ("401 Unauthorized", "", "token_expired"),
        (
            "401 Unauthorized",
            r#"{"code":"INVALID_TOKEN","message":"The access token has expired"}"#,
            "token_expired",
        ),
        ("403 Forbidden", "", "permission_not_granted"),
        (
            "403 Forbidden",
            r#"{"type":"FORBIDDEN","message":"The authentication token does not have access"}"#,
            "permission_not_granted",
        ),
        (
            "403 Forbidden",
            r#"{"code":"PERMISSION_NOT_REQUESTED","message":"not in the manifest"}"#,
            "permission_not_requested",
        ),
        ("404 Not Found", "", "not_found"),
        (
            "404 Not Found",
            r#"{"type":"NOT_FOUND","message":"no"}"#,
            "not_found",
        ),
        ("409 Conflict", "", "conflict"),
        ("429 Too Many Requests", "", "rate_limited"),
        (
            "429 Too Many Requests",
            r#"{"message":"slow down"}"#,
            "rate_limited",
        ),
        ("500 Internal Server Error", "", "unavailable"),
        (
            "503 Service Unavailable",
            r#"{"code":503,"message":"down"}"#,
            "unavailable",
        ),
        ("400 Bad Request", r#"{"code":"INVALID_VALUE"}"#, "rejected"),
    ];
    for (status, body, expected) in cases {
        let content_type = if body.is_empty() { None } else { json };
        let (_s, api) = one(Script::Raw(answer(status, content_type, "", body))).await;
        let error = api.device_address().await.unwrap_err();
        assert_eq!(error.reason(), expected, "{status} {body}: {error:?}");
        assert!(!format!("{error:?} {error}").contains(TOKEN));
        if expected == "permission_not_granted" {
            assert_eq!(error.missing_permission(), Some(&Scope::ADDRESS_FULL));
        }
    }
}

#[tokio::test]
async fn reminders_say_no_consent_with_401() {
    let (_s, api) = one(Script::Raw(answer(
        "401 Unauthorized",
        Some("application/json"),
        "",
        r#"{"code":"UNAUTHORIZED","message":"User has not granted permission"}"#,
    )))
    .await;
    let error = api.reminders().await.unwrap_err();
    assert_eq!(
        error.missing_permission(),
        Some(&Scope::REMINDERS),
        "{error:?}"
    );
}

#[tokio::test]
async fn retry_after_is_read() {
    let (_s, api) = one(Script::Raw(answer(
        "429 Too Many Requests",
        None,
        "retry-after: 7\r\n",
        "",
    )))
    .await;
    match api.endpoints().await.unwrap_err() {
        ApiError::RateLimited { retry_after, .. } => {
            assert_eq!(retry_after, Some(Duration::from_secs(7)))
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn stale_list_item_version_is_a_conflict() {
    let (server, api) = one(Script::Raw(answer(
        "409 Conflict",
        Some("application/json"),
        "",
        r#"{"type":"CONFLICT","message":"version mismatch"}"#,
    )))
    .await;
    let update = UpdateListItem {
        value: Some("milk".into()),
        version: Some(1),
        ..UpdateListItem::default()
    };
    let error = api
        .update_list_item("list/1", "item 2", &update)
        .await
        .unwrap_err();
    assert!(matches!(error, ApiError::Conflict { .. }), "{error:?}");
    let heads = server.heads.lock().unwrap();
    assert!(heads[0].starts_with("PUT /v2/householdlists/list%2F1/items/item%202 HTTP/1.1"));
}

#[tokio::test]
async fn plain_http_is_refused_by_default() {
    let api = AlexaApi::new(
        Transport::new().unwrap(),
        "http://127.0.0.1:9",
        TOKEN,
        Instant::now() + Duration::from_secs(1),
    );
    assert!(matches!(api.endpoints().await, Err(ApiError::Connect(_))));
}

#[tokio::test]
async fn an_untrusted_certificate_is_refused() {
    let server = scripted(vec![Script::Raw(ok_json("\"UTC\""))]).await;
    let api = AlexaApi::new(
        Transport::new().unwrap(),
        &server.endpoint,
        TOKEN,
        Instant::now() + Duration::from_secs(3),
    )
    .with_device_id("d");
    assert!(matches!(api.time_zone().await, Err(ApiError::Connect(_))));
}
