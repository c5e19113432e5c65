//! Directive Service: the progressive response (`VoicePlayer.Speak` while the skill works).

use reqwest::Method;
use serde_json::json;

use crate::client::{AlexaApi, Json};
use crate::error::ApiError;

impl AlexaApi {
    /// Makes Alexa say `speech` (text or SSML) now, while the skill goes on working on the
    /// request `request_id`.
    pub async fn progressive_response(
        &self,
        request_id: &str,
        speech: &str,
    ) -> Result<(), ApiError> {
        if request_id.is_empty() {
            return Err(ApiError::InvalidCall("no request id".into()));
        }
        let body = json!({
            "header": { "requestId": request_id },
            "directive": { "type": "VoicePlayer.Speak", "speech": speech },
        });
        self.send_unit(Method::POST, "/v1/directives", None, Some(&Json(&body)))
            .await
    }
}
