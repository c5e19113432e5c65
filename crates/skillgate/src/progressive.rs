//! Progressive responses: something for the user to hear while a slow handler works.
//!
//! Alexa's Progressive Response API takes a `VoicePlayer.Speak` directive at
//! `POST {apiEndpoint}/v1/directives`, authorized with the request's `apiAccessToken` and tied
//! to the request by its `requestId`. [`DirectiveCall`] builds that call without I/O;
//! [`ProgressiveClient`] sends it over HTTPS (rustls with the aws-lc-rs provider and Mozilla's
//! roots, so no system certificate store is needed).

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

/// How long a progressive call may take before it is given up (it must never eat the budget
/// of the real answer).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(2500);

/// Why a progressive response could not be sent.
#[derive(Debug, thiserror::Error)]
pub enum ProgressiveError {
    /// The request carries no `apiEndpoint` or no `apiAccessToken`.
    #[error("the request has no API endpoint or API access token")]
    NoApiAccess,
    /// The request has no request id to tie the directive to.
    #[error("the request has no request id")]
    NoRequestId,
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
    /// The call failed (connection, TLS, timeout).
    #[error("progressive response call failed: {0}")]
    Http(#[from] reqwest::Error),
    /// Alexa's API answered with a status other than 2xx.
    #[error("progressive response refused with HTTP status {0}")]
    Status(u16),
}

/// One Directive API call, ready to send: the sans-IO half of a progressive response.
#[derive(Debug, Clone, PartialEq)]
pub struct DirectiveCall {
    /// `{apiEndpoint}/v1/directives`.
    pub url: String,
    /// The `Authorization` header value: `Bearer {apiAccessToken}`.
    pub authorization: String,
    /// The JSON body.
    pub body: serde_json::Value,
}

impl DirectiveCall {
    /// The call that makes Alexa say `speech` (plain text or SSML) while the skill works.
    pub fn speak(
        api_endpoint: &str,
        api_access_token: &str,
        request_id: &str,
        speech: &str,
    ) -> Result<Self, ProgressiveError> {
        if api_endpoint.is_empty() || api_access_token.is_empty() {
            return Err(ProgressiveError::NoApiAccess);
        }
        if request_id.is_empty() {
            return Err(ProgressiveError::NoRequestId);
        }
        Ok(Self {
            url: format!("{}/v1/directives", api_endpoint.trim_end_matches('/')),
            authorization: format!("Bearer {api_access_token}"),
            body: json!({
                "header": { "requestId": request_id },
                "directive": { "type": "VoicePlayer.Speak", "speech": speech },
            }),
        })
    }
}

/// Sends [`DirectiveCall`]s. Cheap to clone; one per [`crate::Skill`].
#[derive(Debug, Clone)]
pub struct ProgressiveClient {
    http: reqwest::Client,
}

impl ProgressiveClient {
    /// A client with the [`DEFAULT_TIMEOUT`].
    pub fn new() -> Result<Self, ProgressiveError> {
        Self::with_timeout(DEFAULT_TIMEOUT)
    }

    /// A client whose calls give up after `timeout`.
    pub fn with_timeout(timeout: Duration) -> Result<Self, ProgressiveError> {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| ProgressiveError::Client(e.to_string()))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let http = reqwest::Client::builder()
            .use_preconfigured_tls(tls)
            .timeout(timeout)
            .connect_timeout(timeout)
            .build()
            .map_err(|e| ProgressiveError::Client(e.to_string()))?;
        Ok(Self { http })
    }

    /// Sends one call; success is any 2xx answer (Alexa answers 204).
    pub async fn send(&self, call: &DirectiveCall) -> Result<(), ProgressiveError> {
        let response = self
            .http
            .post(&call.url)
            .header(reqwest::header::AUTHORIZATION, &call.authorization)
            .json(&call.body)
            .send()
            .await?;
        let status = response.status();
        if status.is_success() {
            Ok(())
        } else {
            Err(ProgressiveError::Status(status.as_u16()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn call_shape() {
        let call = DirectiveCall::speak(
            "https://api.amazonalexa.com/",
            "tok",
            "amzn1.echo-api.request.1",
            "One moment",
        )
        .unwrap();
        assert_eq!(call.url, "https://api.amazonalexa.com/v1/directives");
        assert_eq!(call.authorization, "Bearer tok");
        assert_eq!(
            call.body,
            json!({
                "header": {"requestId": "amzn1.echo-api.request.1"},
                "directive": {"type": "VoicePlayer.Speak", "speech": "One moment"}
            })
        );
    }

    #[test]
    fn missing_access_is_an_error() {
        assert!(matches!(
            DirectiveCall::speak("", "tok", "r", "x"),
            Err(ProgressiveError::NoApiAccess)
        ));
        assert!(matches!(
            DirectiveCall::speak("https://a", "", "r", "x"),
            Err(ProgressiveError::NoApiAccess)
        ));
        assert!(matches!(
            DirectiveCall::speak("https://a", "t", "", "x"),
            Err(ProgressiveError::NoRequestId)
        ));
    }

    #[tokio::test]
    async fn refused_connection_is_an_error_not_a_hang() {
        // Bind then drop a listener: the port is (very likely) closed now.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        let client = ProgressiveClient::with_timeout(Duration::from_secs(2)).unwrap();
        let call = DirectiveCall::speak(&format!("http://{addr}"), "t", "r", "x").unwrap();
        assert!(matches!(
            client.send(&call).await,
            Err(ProgressiveError::Http(_))
        ));
    }
}
