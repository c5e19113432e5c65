//! Home cards: what the Alexa app shows for a response.

use serde::{Deserialize, Serialize};

/// Card images (`image`): both should be HTTPS URLs of at most 2000 characters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Image {
    /// 720 × 480 pixels recommended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub small_image_url: Option<String>,
    /// 1200 × 800 pixels recommended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub large_image_url: Option<String>,
}

/// `card`: tagged by `"type"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all_fields = "camelCase")]
pub enum Card {
    /// `{"type": "Simple", "title": …, "content": …}`.
    Simple {
        /// The title.
        #[serde(default)]
        title: String,
        /// The body text.
        #[serde(default)]
        content: String,
    },
    /// `{"type": "Standard", "title": …, "text": …, "image": {…}}`.
    Standard {
        /// The title.
        #[serde(default)]
        title: String,
        /// The body text (`text`, not `content`, for this card type).
        #[serde(default)]
        text: String,
        /// The image.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        image: Option<Image>,
    },
    /// `{"type": "LinkAccount"}`: asks the user to link their account in the Alexa app.
    LinkAccount,
    /// `{"type": "AskForPermissionsConsent", "permissions": […]}`: asks for permission
    /// scopes such as `read::alexa:device:all:address`.
    AskForPermissionsConsent {
        /// The scopes.
        #[serde(default)]
        permissions: Vec<String>,
    },
}
