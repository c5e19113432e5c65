//! Account linking: a guard a handler calls first.
//!
//! ```
//! use skillgate::{Context, HandlerResult};
//!
//! async fn lights(cx: Context) -> HandlerResult {
//!     let token = match cx.linked_account("To control your lights, link your account in the Alexa app.") {
//!         Ok(token) => token.to_owned(),
//!         Err(answer) => return Ok(answer),
//!     };
//!     // … call your service with `token` …
//! #   let _ = token;
//!     Ok(cx.reply().speak("Lights on.").build())
//! }
//! ```

use skillgate_model::Response;

use crate::context::Context;

impl Context {
    /// The account-linking access token (`context.System.user.accessToken`), or the answer
    /// to give without one: `explanation` spoken and a LinkAccount card in the Alexa app,
    /// ending the session.
    // The error is the answer itself, made once per request and returned as is: boxing it
    // would only cost the caller a `*`.
    #[allow(clippy::result_large_err)]
    pub fn linked_account(&self, explanation: &str) -> Result<&str, Response> {
        match self
            .envelope()
            .user()
            .and_then(|u| u.access_token.as_deref())
            .filter(|t| !t.is_empty())
        {
            Some(token) => Ok(token),
            None => Err(self
                .reply()
                .speak(explanation)
                .link_account_card()
                .end_session()
                .build()),
        }
    }
}
