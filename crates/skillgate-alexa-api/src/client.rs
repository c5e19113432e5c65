//! [`AlexaApi`]: the client bound to one request (its endpoint, token, device and deadline).
//! The calls themselves live next to their models (`address.rs`, `reminders.rs`, …).

use std::time::{Duration, Instant};

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::Method;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::ApiError;
use crate::scope::Scope;
use crate::token::ApiToken;
use crate::transport::{Answer, Call, Transport};

/// What may stay unescaped in one path segment (RFC 3986 unreserved).
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A client for Alexa's service APIs, bound to one request: the regional endpoint
/// (`context.System.apiEndpoint`), the request's token (`context.System.apiAccessToken`),
/// the device id and the instant by which every call must be done. Cheap to clone.
///
/// ```no_run
/// # async fn demo() -> Result<(), skillgate_alexa_api::ApiError> {
/// use std::time::{Duration, Instant};
/// use skillgate_alexa_api::{AlexaApi, Transport};
///
/// let transport = Transport::new()?; // one per process
/// let api = AlexaApi::new(
///     transport,
///     "https://api.amazonalexa.com",
///     "token-from-the-request",
///     Instant::now() + Duration::from_secs(4),
/// )
/// .with_device_id("amzn1.ask.device.1");
/// let zone = api.time_zone().await?;
/// # let _ = zone; Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct AlexaApi {
    transport: Transport,
    endpoint: String,
    token: ApiToken,
    device_id: Option<String>,
    locale: Option<String>,
    deadline: Instant,
}

impl AlexaApi {
    /// A client for `endpoint` with `token`, whose calls must finish by `deadline`.
    pub fn new(
        transport: Transport,
        endpoint: impl Into<String>,
        token: impl Into<ApiToken>,
        deadline: Instant,
    ) -> Self {
        Self {
            transport,
            endpoint: endpoint.into().trim_end_matches('/').to_owned(),
            token: token.into(),
            device_id: None,
            locale: None,
            deadline,
        }
    }

    /// Sets the device id (`context.System.device.deviceId`) for the device calls.
    pub fn with_device_id(mut self, device_id: impl Into<String>) -> Self {
        self.device_id = Some(device_id.into());
        self
    }

    /// Sets the locale sent as `Accept-Language` (in-skill products are localized).
    pub fn with_locale(mut self, locale: impl Into<String>) -> Self {
        self.locale = Some(locale.into());
        self
    }

    /// Moves the deadline.
    pub fn with_deadline(mut self, deadline: Instant) -> Self {
        self.deadline = deadline;
        self
    }

    /// The instant by which every call must be done.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// The time left before the deadline.
    pub fn remaining(&self) -> Duration {
        self.deadline.saturating_duration_since(Instant::now())
    }

    /// The endpoint (without a trailing slash).
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The device id, if set.
    pub fn device_id(&self) -> Option<&str> {
        self.device_id.as_deref()
    }

    pub(crate) fn device_segment(&self) -> Result<String, ApiError> {
        match self.device_id.as_deref() {
            Some(id) if !id.is_empty() => Ok(segment(id)),
            _ => Err(ApiError::NoApiAccess("deviceId")),
        }
    }

    pub(crate) fn url(&self, path: &str) -> Result<String, ApiError> {
        if self.endpoint.is_empty() {
            return Err(ApiError::NoApiAccess("apiEndpoint"));
        }
        Ok(format!("{}{path}", self.endpoint))
    }

    pub(crate) async fn exchange(
        &self,
        method: Method,
        path: &str,
        scope: Option<Scope>,
        body: Option<&(dyn ErasedBody + Sync)>,
    ) -> Result<Answer, ApiError> {
        let mut call = Call::new(method, self.url(path)?, &self.token);
        call.scope = scope;
        call.accept_language = self.locale.as_deref();
        if let Some(body) = body {
            call.body = Some(body.to_json()?);
        }
        self.transport.send(call, self.deadline).await
    }

    /// `GET path` → `T`.
    pub(crate) async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        scope: Option<Scope>,
    ) -> Result<T, ApiError> {
        self.exchange(Method::GET, path, scope, None).await?.json()
    }

    /// `GET path` → `T`, or `None` for 204.
    pub(crate) async fn get_opt<T: DeserializeOwned>(
        &self,
        path: &str,
        scope: Option<Scope>,
    ) -> Result<Option<T>, ApiError> {
        self.exchange(Method::GET, path, scope, None)
            .await?
            .json_or_none()
    }

    /// `method path` with a JSON body → `T`.
    pub(crate) async fn send_json<B: Serialize + Sync, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        scope: Option<Scope>,
        body: &B,
    ) -> Result<T, ApiError> {
        self.exchange(method, path, scope, Some(&Json(body)))
            .await?
            .json()
    }

    /// `method path` (optionally with a body), ignoring whatever 2xx body comes back.
    pub(crate) async fn send_unit(
        &self,
        method: Method,
        path: &str,
        scope: Option<Scope>,
        body: Option<&(dyn ErasedBody + Sync)>,
    ) -> Result<(), ApiError> {
        self.exchange(method, path, scope, body).await.map(drop)
    }
}

/// A body that can be turned into JSON bytes (object-safe `Serialize`).
pub(crate) trait ErasedBody {
    fn to_json(&self) -> Result<Vec<u8>, ApiError>;
}

/// Wraps a `Serialize` value as an [`ErasedBody`].
pub(crate) struct Json<'a, B: Serialize>(pub(crate) &'a B);

impl<B: Serialize> ErasedBody for Json<'_, B> {
    fn to_json(&self) -> Result<Vec<u8>, ApiError> {
        serde_json::to_vec(self.0).map_err(|e| ApiError::InvalidCall(e.to_string()))
    }
}

/// One path segment, percent-encoded (ids come from the network or the user).
pub(crate) fn segment(raw: &str) -> String {
    utf8_percent_encode(raw, SEGMENT).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_cannot_escape_their_segment() {
        assert_eq!(segment("a/../b?c#d"), "a%2F..%2Fb%3Fc%23d");
        assert_eq!(
            segment("amzn1.ask.device.AB-c_d~"),
            "amzn1.ask.device.AB-c_d~"
        );
    }

    #[test]
    fn missing_access_is_reported_before_any_io() {
        let api = AlexaApi::new(
            Transport::new().unwrap(),
            "",
            "t",
            Instant::now() + Duration::from_secs(1),
        );
        assert!(matches!(
            api.url("/x"),
            Err(ApiError::NoApiAccess("apiEndpoint"))
        ));
        assert!(matches!(
            api.device_segment(),
            Err(ApiError::NoApiAccess("deviceId"))
        ));
    }
}
