//! The checks a request passes before verification: method, content type, declared size,
//! then reading the body under a size cap and a deadline.
//!
//! Each refusal is a [`Rejection`]: a status for the client (with an empty body) and a
//! stable reason for logs and metrics.

use std::time::Duration;

use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use skillgate_verify::{Check, VerifyError};

/// A request refused before any skill code ran.
#[derive(Debug, Clone)]
pub struct Rejection {
    /// The status sent to the client.
    pub status: StatusCode,
    /// Stable snake_case label for logs and metrics.
    pub reason: &'static str,
    /// Details for the log only (never sent to the client).
    pub detail: String,
    /// The verifier's step that refused the request ([`VerifyError::check`]); `None` for the
    /// intake checks here, which run before verification.
    pub check: Option<Check>,
}

impl Rejection {
    /// A rejection by the intake checks with the given status, reason and log detail.
    pub fn new(status: StatusCode, reason: &'static str, detail: impl Into<String>) -> Self {
        Self {
            status,
            reason,
            detail: detail.into(),
            check: None,
        }
    }

    /// A rejection by the verifier with the given status: `error`'s reason, text and step.
    pub fn verification(status: StatusCode, error: &VerifyError) -> Self {
        Self {
            status,
            reason: error.reason(),
            detail: error.to_string(),
            check: Some(error.check()),
        }
    }
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.status, self.reason, self.detail)
    }
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        let mut response = self.status.into_response();
        if self.status == StatusCode::METHOD_NOT_ALLOWED {
            response
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("POST"));
        }
        if self.status == StatusCode::PAYLOAD_TOO_LARGE {
            // The body was not read: do not try to reuse the connection.
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        response
    }
}

pin_project_lite::pin_project! {
    /// A response body that keeps the unread request body alive until the response has
    /// been sent. Dropping an unread HTTP/2 request body first would reset the stream
    /// (CANCEL) before the 413/415/405 reached the client; dropped after, it is NO_ERROR.
    pub struct HoldingBody<B, H> {
        #[pin]
        inner: B,
        held: Option<H>,
    }
}

impl<B: http_body::Body, H> http_body::Body for HoldingBody<B, H> {
    type Data = B::Data;
    type Error = B::Error;
    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        self.project().inner.poll_frame(cx)
    }
    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }
    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

/// Answers `rejection` while holding the unread request `body` until the answer is sent.
pub fn refuse_unread<H: Send + 'static>(rejection: Rejection, body: H) -> Response {
    let (parts, inner) = rejection.into_response().into_parts();
    Response::from_parts(
        parts,
        axum::body::Body::new(HoldingBody {
            inner,
            held: Some(body),
        }),
    )
}

/// Checks the request head: POST only (405), `application/json` (415), a declared length
/// that is present-or-chunked, non-zero and at most `max_body` (400 / 413).
pub fn check_head(method: &Method, headers: &HeaderMap, max_body: usize) -> Result<(), Rejection> {
    if method != Method::POST {
        return Err(Rejection::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            format!("method {method}"),
        ));
    }
    check_content_type(headers)?;
    if let Some(value) = headers.get(header::CONTENT_LENGTH) {
        let length = value
            .to_str()
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
            .ok_or_else(|| {
                Rejection::new(
                    StatusCode::BAD_REQUEST,
                    "bad_content_length",
                    format!("Content-Length {value:?}"),
                )
            })?;
        if length == 0 {
            return Err(Rejection::new(
                StatusCode::BAD_REQUEST,
                "empty_body",
                "Content-Length: 0",
            ));
        }
        if length > max_body as u64 {
            return Err(too_large(format!(
                "Content-Length {length} over the cap of {max_body}"
            )));
        }
    }
    Ok(())
}

fn check_content_type(headers: &HeaderMap) -> Result<(), Rejection> {
    let unsupported = |detail: String| {
        Rejection::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            detail,
        )
    };
    let mut values = headers.get_all(header::CONTENT_TYPE).iter();
    let Some(value) = values.next() else {
        return Err(unsupported("no Content-Type".to_owned()));
    };
    if values.next().is_some() {
        return Err(unsupported("several Content-Type headers".to_owned()));
    }
    let text = value
        .to_str()
        .map_err(|_| unsupported("Content-Type is not ASCII".to_owned()))?;
    let mut parts = text.split(';');
    let essence = parts.next().unwrap_or_default().trim();
    if !essence.eq_ignore_ascii_case("application/json") {
        return Err(unsupported(format!("Content-Type {text:?}")));
    }
    for param in parts {
        let Some((name, value)) = param.split_once('=') else {
            continue;
        };
        let value = value.trim().trim_matches('"');
        if name.trim().eq_ignore_ascii_case("charset")
            && !value.eq_ignore_ascii_case("utf-8")
            && !value.eq_ignore_ascii_case("utf8")
        {
            return Err(unsupported(format!("charset {value:?}")));
        }
    }
    Ok(())
}

fn too_large(detail: String) -> Rejection {
    Rejection::new(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", detail)
}

/// Reads the whole body, refusing it with 413 as soon as it passes `max_body` bytes, with
/// 408 if it does not arrive within `timeout`, and with 400 if it is empty.
pub async fn read_body<B>(body: B, max_body: usize, timeout: Duration) -> Result<Bytes, Rejection>
where
    B: http_body::Body<Data = Bytes>,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let limited = Limited::new(body, max_body);
    let collected = match tokio::time::timeout(timeout, limited.collect()).await {
        Err(_) => {
            return Err(Rejection::new(
                StatusCode::REQUEST_TIMEOUT,
                "body_timeout",
                format!("body not received within {timeout:?}"),
            ));
        }
        Ok(Err(error)) => {
            if error.downcast_ref::<LengthLimitError>().is_some() {
                return Err(too_large(format!("body over the cap of {max_body}")));
            }
            return Err(Rejection::new(
                StatusCode::BAD_REQUEST,
                "body_read_error",
                error.to_string(),
            ));
        }
        Ok(Ok(collected)) => collected.to_bytes(),
    };
    if collected.is_empty() {
        return Err(Rejection::new(
            StatusCode::BAD_REQUEST,
            "empty_body",
            "empty body",
        ));
    }
    Ok(collected)
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::{Full, StreamBody};

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn head_checks_in_order() {
        let json = headers(&[("content-type", "application/json; charset=UTF-8")]);
        assert_eq!(
            check_head(&Method::GET, &json, 10).unwrap_err().status,
            StatusCode::METHOD_NOT_ALLOWED
        );
        let resp = check_head(&Method::PUT, &json, 10)
            .unwrap_err()
            .into_response();
        assert_eq!(resp.headers()[header::ALLOW], "POST");
        assert!(check_head(&Method::POST, &json, 10).is_ok());
        for bad in [
            "text/plain",
            "application/jsonx",
            "application/json; charset=latin1",
        ] {
            let h = headers(&[("content-type", bad)]);
            assert_eq!(
                check_head(&Method::POST, &h, 10).unwrap_err().status,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "{bad}"
            );
        }
        assert_eq!(
            check_head(&Method::POST, &HeaderMap::new(), 10)
                .unwrap_err()
                .reason,
            "unsupported_media_type"
        );
        let big = headers(&[
            ("content-type", "application/json"),
            ("content-length", "11"),
        ]);
        assert_eq!(
            check_head(&Method::POST, &big, 10).unwrap_err().status,
            StatusCode::PAYLOAD_TOO_LARGE
        );
        let zero = headers(&[
            ("content-type", "application/json"),
            ("content-length", "0"),
        ]);
        assert_eq!(
            check_head(&Method::POST, &zero, 10).unwrap_err().reason,
            "empty_body"
        );
        let junk = headers(&[
            ("content-type", "application/json"),
            ("content-length", "x"),
        ]);
        assert_eq!(
            check_head(&Method::POST, &junk, 10).unwrap_err().status,
            StatusCode::BAD_REQUEST
        );
    }

    #[tokio::test]
    async fn body_cap_timeout_and_empty() {
        let t = Duration::from_secs(5);
        let ok = read_body(Full::new(Bytes::from_static(b"{}")), 10, t)
            .await
            .unwrap();
        assert_eq!(&ok[..], b"{}");
        let err = read_body(Full::new(Bytes::from(vec![b' '; 11])), 10, t)
            .await
            .unwrap_err();
        assert_eq!(err.status, StatusCode::PAYLOAD_TOO_LARGE);
        let err = read_body(Full::new(Bytes::new()), 10, t).await.unwrap_err();
        assert_eq!(err.reason, "empty_body");

        // A body that never finishes hits the deadline.
        let (_tx, rx) =
            tokio::sync::mpsc::channel::<Result<http_body::Frame<Bytes>, std::io::Error>>(1);
        let stream = futures_util::stream::unfold(rx, |mut rx| async move {
            rx.recv().await.map(|item| (item, rx))
        });
        let err = read_body(StreamBody::new(stream), 10, Duration::from_millis(50))
            .await
            .unwrap_err();
        assert_eq!(err.status, StatusCode::REQUEST_TIMEOUT);
    }
}
