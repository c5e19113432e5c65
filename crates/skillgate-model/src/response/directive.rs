//! Directives: actions beyond speech (dialog management, audio, video, APL, connections).
//!
//! Each typed directive serializes to exactly the JSON shape of Amazon's reference for that
//! directive, with `"type"` first. Directives this model does not type (APL-A, Tasks,
//! Dialog.DelegateRequest, …) travel as [`Directive::Raw`].

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::speech::PlayBehavior;
use crate::request::Intent;

type_tagged! {
    /// A directive in `response.directives`.
    pub enum Directive {
        /// Any other directive, as raw JSON (it must carry its own `"type"`).
        raw Raw,
        /// `Dialog.Delegate`: let Alexa run the next dialog turn.
        "Dialog.Delegate" => DialogDelegate(DialogDelegate),
        /// `Dialog.ElicitSlot`: ask the user for a slot value.
        "Dialog.ElicitSlot" => DialogElicitSlot(DialogElicitSlot),
        /// `Dialog.ConfirmSlot`: ask the user to confirm a slot value.
        "Dialog.ConfirmSlot" => DialogConfirmSlot(DialogConfirmSlot),
        /// `Dialog.ConfirmIntent`: ask the user to confirm the whole intent.
        "Dialog.ConfirmIntent" => DialogConfirmIntent(DialogConfirmIntent),
        /// `Dialog.UpdateDynamicEntities`: replace or clear dynamic slot values.
        "Dialog.UpdateDynamicEntities" => DialogUpdateDynamicEntities(DialogUpdateDynamicEntities),
        /// `AudioPlayer.Play`.
        "AudioPlayer.Play" => AudioPlayerPlay(AudioPlayerPlay),
        /// `AudioPlayer.Stop`.
        "AudioPlayer.Stop" => AudioPlayerStop(AudioPlayerStop),
        /// `AudioPlayer.ClearQueue`.
        "AudioPlayer.ClearQueue" => AudioPlayerClearQueue(AudioPlayerClearQueue),
        /// `VideoApp.Launch`.
        "VideoApp.Launch" => VideoAppLaunch(VideoAppLaunch),
        /// `Alexa.Presentation.APL.RenderDocument`.
        "Alexa.Presentation.APL.RenderDocument" => AplRenderDocument(AplRenderDocument),
        /// `Alexa.Presentation.APL.ExecuteCommands`.
        "Alexa.Presentation.APL.ExecuteCommands" => AplExecuteCommands(AplExecuteCommands),
        /// `Connections.SendRequest` (in-skill purchases).
        "Connections.SendRequest" => ConnectionsSendRequest(ConnectionsSendRequest),
        /// `Connections.StartConnection` (tasks such as `AMAZON.PrintPDF`).
        "Connections.StartConnection" => ConnectionsStartConnection(ConnectionsStartConnection),
        /// `Hint` (legacy Display interface).
        "Hint" => Hint(HintDirective),
    }
}

impl Directive {
    /// Whether this is a `Dialog.*` directive (dialog management).
    pub fn is_dialog(&self) -> bool {
        self.type_name().is_some_and(|t| t.starts_with("Dialog."))
    }
}

/// `Dialog.Delegate`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DialogDelegate {
    /// The intent with slot values the skill changed, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_intent: Option<Intent>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `Dialog.ElicitSlot`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DialogElicitSlot {
    /// The slot to ask for (required by Alexa).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slot_to_elicit: Option<String>,
    /// The intent with slot values the skill changed, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_intent: Option<Intent>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `Dialog.ConfirmSlot`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DialogConfirmSlot {
    /// The slot to confirm (required by Alexa).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slot_to_confirm: Option<String>,
    /// The intent with slot values the skill changed, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_intent: Option<Intent>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `Dialog.ConfirmIntent`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DialogConfirmIntent {
    /// The intent with slot values the skill changed, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_intent: Option<Intent>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

string_enum! {
    /// `updateBehavior` of `Dialog.UpdateDynamicEntities`.
    pub enum UpdateBehavior {
        /// Replace the dynamic entities with `types`.
        Replace = "REPLACE",
        /// Remove every dynamic entity.
        Clear = "CLEAR",
    }
}

/// `Dialog.UpdateDynamicEntities`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DialogUpdateDynamicEntities {
    /// Replace or clear.
    pub update_behavior: UpdateBehavior,
    /// The slot types and their values (for `REPLACE`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub types: Vec<DynamicEntityType>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A slot type and its dynamic values.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DynamicEntityType {
    /// The slot type name.
    pub name: String,
    /// Its values.
    #[serde(default)]
    pub values: Vec<DynamicEntityValue>,
}

/// One dynamic slot value.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DynamicEntityValue {
    /// Its id (returned in entity resolution).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Its value and synonyms.
    pub name: DynamicEntityValueName,
}

/// The value and synonyms of a dynamic slot value.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DynamicEntityValueName {
    /// The canonical value.
    pub value: String,
    /// Synonyms.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub synonyms: Vec<String>,
}

/// `AudioPlayer.Play`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AudioPlayerPlay {
    /// `REPLACE_ALL`, `ENQUEUE` or `REPLACE_ENQUEUED`.
    pub play_behavior: PlayBehavior,
    /// What to play.
    pub audio_item: AudioItem,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `audioItem` of `AudioPlayer.Play`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AudioItem {
    /// The stream.
    pub stream: AudioStream,
    /// Title, subtitle, art and background image for screens, kept as JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `audioItem.stream` of `AudioPlayer.Play`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AudioStream {
    /// The HTTPS URL of the audio (at most 8000 characters).
    pub url: String,
    /// An opaque token for this stream (at most 1024 characters).
    pub token: String,
    /// The token of the stream this one follows (required with `ENQUEUE`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_previous_token: Option<String>,
    /// Where to start, in milliseconds.
    #[serde(default)]
    pub offset_in_milliseconds: u64,
    /// Fields this version does not know (`captionData`, …).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `AudioPlayer.Stop`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AudioPlayerStop {
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

string_enum! {
    /// `clearBehavior` of `AudioPlayer.ClearQueue`.
    pub enum ClearBehavior {
        /// Clear the queue but keep playing the current stream.
        ClearEnqueued = "CLEAR_ENQUEUED",
        /// Clear the queue and stop the current stream.
        ClearAll = "CLEAR_ALL",
    }
}

/// `AudioPlayer.ClearQueue`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AudioPlayerClearQueue {
    /// What to clear.
    pub clear_behavior: ClearBehavior,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `VideoApp.Launch`. Must not be combined with `shouldEndSession`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VideoAppLaunch {
    /// The video.
    pub video_item: VideoItem,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `videoItem` of `VideoApp.Launch`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VideoItem {
    /// The HTTPS URL of the video.
    pub source: String,
    /// Title and subtitle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<VideoMetadata>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `videoItem.metadata`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VideoMetadata {
    /// The title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The subtitle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtitle: Option<String>,
}

/// `Alexa.Presentation.APL.RenderDocument`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AplRenderDocument {
    /// A token identifying the document (used by ExecuteCommands and user events).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// The APL document, inline or `{"type": "Link", "src": …}`.
    pub document: Value,
    /// Data sources bound into the document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datasources: Option<Value>,
    /// Additional sources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sources: Option<Value>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `Alexa.Presentation.APL.ExecuteCommands`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AplExecuteCommands {
    /// The token of the rendered document.
    pub token: String,
    /// The APL commands.
    #[serde(default)]
    pub commands: Vec<Value>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `Connections.SendRequest` (`Buy`, `Upsell`, `Cancel`, …).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionsSendRequest {
    /// The request name, e.g. `Buy`.
    pub name: String,
    /// The payload, e.g. `{"InSkillProduct": {"productId": …}}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<Value>,
    /// A token returned in the `Connections.Response`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `Connections.StartConnection`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionsStartConnection {
    /// The connection URI, e.g. `connection://AMAZON.PrintPDF/1`.
    pub uri: String,
    /// The task input.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<Value>,
    /// A token returned with the result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// `RESUME_SESSION` or `SEND_ERRORS_ONLY`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_completion: Option<String>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The `hint` of a `Hint` directive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Hint {
    /// `{"type": "PlainText", "text": …}`.
    PlainText {
        /// The hint text.
        text: String,
    },
}

/// `Hint`: a suggestion shown on screen devices (legacy Display interface).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HintDirective {
    /// The hint.
    pub hint: Hint,
}
