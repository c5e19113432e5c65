//! Login with Amazon client credentials: the token for calls made outside a request
//! (Proactive Events, Skill Messaging). Tokens are cached until shortly before they expire;
//! concurrent callers share one refresh.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::Method;
use serde::Deserialize;

use crate::error::ApiError;
use crate::token::ApiToken;
use crate::transport::{Call, Transport};

/// Amazon's token endpoint.
pub const DEFAULT_TOKEN_URL: &str = "https://api.amazon.com/auth/o2/token";
/// A cached token is refreshed when less than this is left (ask-sdk uses the same minute).
pub const EXPIRY_MARGIN: Duration = Duration::from_secs(60);
/// The scope for Skill Messaging.
pub const SCOPE_SKILL_MESSAGING: &str = "alexa:skill_messaging";
/// The scope for Proactive Events.
pub const SCOPE_PROACTIVE_EVENTS: &str = "alexa::proactive_events";

/// `lwa.AccessTokenResponse`.
#[derive(Debug, Clone, Deserialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(default)]
    expires_in: Option<u64>,
}

#[derive(Debug, Clone)]
struct Cached {
    token: ApiToken,
    expires: Instant,
}

/// A client-credentials token client. Share one (`Arc`) per skill.
#[derive(Debug)]
pub struct LwaClient {
    transport: Transport,
    token_url: String,
    client_id: String,
    client_secret: ApiToken,
    cache: tokio::sync::Mutex<HashMap<String, Cached>>,
    fetches: std::sync::atomic::AtomicU64,
}

impl LwaClient {
    /// A client for the skill's `client_id` and `client_secret` (from the developer
    /// console's Permissions page), talking to [`DEFAULT_TOKEN_URL`].
    pub fn new(transport: Transport, client_id: &str, client_secret: &str) -> Self {
        Self::with_token_url(transport, DEFAULT_TOKEN_URL, client_id, client_secret)
    }

    /// The same with another token URL (a local mock).
    pub fn with_token_url(
        transport: Transport,
        token_url: &str,
        client_id: &str,
        client_secret: &str,
    ) -> Self {
        Self {
            transport,
            token_url: token_url.to_owned(),
            client_id: client_id.to_owned(),
            client_secret: ApiToken::new(client_secret),
            cache: tokio::sync::Mutex::new(HashMap::new()),
            fetches: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// How many tokens were fetched from the network so far.
    pub fn fetch_count(&self) -> u64 {
        self.fetches.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// A token for `scope`: the cached one while it has more than [`EXPIRY_MARGIN`] left,
    /// else a fresh one. Callers arriving during a refresh wait for it instead of fetching
    /// their own.
    pub async fn token(&self, scope: &str, deadline: Instant) -> Result<ApiToken, ApiError> {
        let mut cache = match tokio::time::timeout_at(
            tokio::time::Instant::from_std(deadline),
            self.cache.lock(),
        )
        .await
        {
            Ok(guard) => guard,
            Err(_) => return Err(ApiError::Deadline),
        };
        if let Some(cached) = cache.get(scope) {
            if cached.expires > Instant::now() + EXPIRY_MARGIN {
                return Ok(cached.token.clone());
            }
        }
        let fresh = self.fetch(scope, deadline).await?;
        let token = fresh.token.clone();
        cache.insert(scope.to_owned(), fresh);
        Ok(token)
    }

    async fn fetch(&self, scope: &str, deadline: Instant) -> Result<Cached, ApiError> {
        self.fetches
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let form = format!(
            "grant_type=client_credentials&client_id={}&client_secret={}&scope={}",
            form_encode(&self.client_id),
            form_encode(self.client_secret.expose()),
            form_encode(scope)
        );
        let none = ApiToken::new("");
        let mut call = Call::new(Method::POST, self.token_url.clone(), &none);
        call.authorize = false;
        call.content_type = "application/x-www-form-urlencoded";
        call.body = Some(form.into_bytes());
        let asked = Instant::now();
        let answer = match self.transport.send(call, deadline).await {
            Ok(answer) => answer,
            // LWA says 400/401 for a wrong client id or secret: not a token to refresh.
            Err(ApiError::TokenExpired { details }) => {
                return Err(ApiError::Rejected {
                    status: 401,
                    details,
                });
            }
            Err(e) => return Err(e),
        };
        let parsed: TokenAnswer = answer.json()?;
        if parsed.access_token.is_empty() {
            return Err(ApiError::InvalidCall("LWA answered an empty token".into()));
        }
        let lifetime = Duration::from_secs(parsed.expires_in.unwrap_or(3600));
        Ok(Cached {
            token: ApiToken::new(parsed.access_token),
            expires: asked + lifetime,
        })
    }
}

fn form_encode(raw: &str) -> String {
    utf8_percent_encode(raw, NON_ALPHANUMERIC).to_string()
}
