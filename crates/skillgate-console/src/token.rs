//! The console's access token: random at start-up, shown once in the URL to open, then kept
//! in an HttpOnly, SameSite=Strict cookie. Compared in constant time.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use http::{HeaderValue, StatusCode, header};

/// The cookie that carries the token after the first visit.
pub const COOKIE: &str = "skillgate_console";

/// The query parameter of the URL printed at start-up.
pub const QUERY: &str = "token";

/// A secret token (256 random bits, base64url).
#[derive(Clone)]
pub struct Token(String);

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(…)")
    }
}

/// What a request presented.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presented {
    /// No token at all: 401.
    Missing,
    /// A token that is not this one: 403.
    Wrong,
    /// The right token in the cookie.
    Cookie,
    /// The right token in the query string: set the cookie and redirect to the clean URL.
    Query,
}

impl Token {
    /// A fresh random token.
    pub fn generate() -> Result<Self, crate::ConsoleError> {
        let mut bytes = [0u8; 32];
        aws_lc_rs::rand::fill(&mut bytes).map_err(|_| crate::ConsoleError::Random)?;
        Ok(Self(
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes),
        ))
    }

    /// A token with this value (tests).
    pub fn from_value(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The token text (goes into the URL printed at start-up).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `candidate` is this token, in time independent of where they differ.
    pub fn matches(&self, candidate: &str) -> bool {
        aws_lc_rs::constant_time::verify_slices_are_equal(self.0.as_bytes(), candidate.as_bytes())
            .is_ok()
    }

    /// Classifies what `request` presents: the `token` query parameter wins over the cookie.
    pub fn check(&self, query: Option<&str>, cookies: &[&str]) -> Presented {
        if let Some(candidate) = query.and_then(token_in_query) {
            return if self.matches(&candidate) {
                Presented::Query
            } else {
                Presented::Wrong
            };
        }
        let mut found = false;
        for header in cookies {
            for pair in header.split(';') {
                if let Some((name, value)) = pair.trim().split_once('=')
                    && name == COOKIE
                {
                    found = true;
                    if self.matches(value) {
                        return Presented::Cookie;
                    }
                }
            }
        }
        if found {
            Presented::Wrong
        } else {
            Presented::Missing
        }
    }

    /// The `Set-Cookie` value that keeps this token for the console's paths.
    pub fn cookie(&self) -> String {
        format!(
            "{COOKIE}={}; HttpOnly; SameSite=Strict; Path=/console",
            self.0
        )
    }
}

fn token_in_query(query: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (name, value) = pair.split_once('=')?;
        (name == QUERY).then(|| value.to_owned())
    })
}

/// The query without its `token` parameter (what the redirect keeps).
fn without_token(query: &str) -> String {
    query
        .split('&')
        .filter(|pair| !pair.is_empty() && pair.split('=').next() != Some(QUERY))
        .collect::<Vec<_>>()
        .join("&")
}

/// The axum middleware: 401 without a token, 403 with a wrong one; a right one in the query
/// sets the cookie and redirects to the same URL without it.
pub async fn require(State(token): State<Token>, request: Request, next: Next) -> Response {
    let cookies: Vec<&str> = request
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    match token.check(request.uri().query(), &cookies) {
        Presented::Cookie => next.run(request).await,
        Presented::Missing => plain(
            StatusCode::UNAUTHORIZED,
            "401: open the console with the URL `skillgate serve --console` printed (it holds the token)\n",
        ),
        Presented::Wrong => plain(StatusCode::FORBIDDEN, "403: wrong console token\n"),
        Presented::Query => {
            let rest = without_token(request.uri().query().unwrap_or_default());
            let path = request.uri().path();
            let location = if rest.is_empty() {
                path.to_owned()
            } else {
                format!("{path}?{rest}")
            };
            let mut response = Response::new(Body::empty());
            *response.status_mut() = StatusCode::SEE_OTHER;
            let headers = response.headers_mut();
            if let Ok(v) = HeaderValue::from_str(&location) {
                headers.insert(header::LOCATION, v);
            }
            if let Ok(v) = HeaderValue::from_str(&token.cookie()) {
                headers.insert(header::SET_COOKIE, v);
            }
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
    }
}

fn plain(status: StatusCode, text: &'static str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        text,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_long() {
        let (a, b) = (Token::generate().unwrap(), Token::generate().unwrap());
        assert_ne!(a.as_str(), b.as_str());
        assert_eq!(a.as_str().len(), 43);
        assert!(a.matches(a.as_str()));
        assert!(!a.matches(b.as_str()));
        assert!(!a.matches(""));
        assert!(!a.matches(&a.as_str()[..42]));
        assert!(!format!("{a:?}").contains(a.as_str()));
    }

    #[test]
    fn query_and_cookie_are_classified() {
        let t = Token::from_value("s3cret");
        assert_eq!(t.check(None, &[]), Presented::Missing);
        assert_eq!(t.check(Some("a=1"), &["other=x"]), Presented::Missing);
        assert_eq!(t.check(Some("token=s3cret"), &[]), Presented::Query);
        assert_eq!(t.check(Some("a=1&token=nope"), &[]), Presented::Wrong);
        assert_eq!(
            t.check(None, &["x=1; skillgate_console=s3cret"]),
            Presented::Cookie
        );
        assert_eq!(
            t.check(None, &["skillgate_console=s3cre"]),
            Presented::Wrong
        );
        // A wrong token in the query is refused even with a right cookie.
        assert_eq!(
            t.check(Some("token=x"), &["skillgate_console=s3cret"]),
            Presented::Wrong
        );
        assert!(t.cookie().contains("HttpOnly") && t.cookie().contains("SameSite=Strict"));
        assert_eq!(without_token("token=a&x=1"), "x=1");
        assert_eq!(without_token("token=a"), "");
    }
}
