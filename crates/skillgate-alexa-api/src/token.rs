//! Bearer tokens that never show up in logs: `Debug` and `Display` print a masked form.

use std::fmt;

/// A bearer token (`context.System.apiAccessToken`, an LWA access token). Its `Debug` and
/// `Display` show only its length, so it can sit in structs that are logged.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiToken(String);

impl ApiToken {
    /// Wraps a token.
    pub fn new(token: impl Into<String>) -> Self {
        Self(token.into())
    }

    /// The token itself, for the `Authorization` header. Never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the token is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The `Authorization` header value.
    pub(crate) fn bearer(&self) -> String {
        format!("Bearer {}", self.0)
    }
}

impl fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiToken(***{} chars)", self.0.len())
    }
}

impl fmt::Display for ApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "***")
    }
}

impl From<&str> for ApiToken {
    fn from(token: &str) -> Self {
        Self::new(token)
    }
}

impl From<String> for ApiToken {
    fn from(token: String) -> Self {
        Self(token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_hide_the_token() {
        let token = ApiToken::new("eyJhbGciOiJSUzI1NiJ9.secret");
        assert!(!format!("{token:?}").contains("secret"));
        assert!(!format!("{token}").contains("secret"));
        assert_eq!(token.expose(), "eyJhbGciOiJSUzI1NiJ9.secret");
        assert_eq!(token.bearer(), "Bearer eyJhbGciOiJSUzI1NiJ9.secret");
    }
}
