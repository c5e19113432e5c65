//! The response envelope a skill returns, with every output Alexa accepts from a custom
//! skill: speech, reprompt, cards, directives and the CanFulfillIntent answer.
//!
//! Shapes follow Amazon's "Request and Response JSON Reference"
//! (<https://developer.amazon.com/en-US/docs/alexa/custom-skills/request-and-response-json-reference.html>):
//! camelCase keys, `"type"` tags, `shouldEndSession` omitted when `None`.

mod can_fulfill;
mod card;
mod directive;
mod envelope;
mod speech;

pub use can_fulfill::{CanFulfill, CanFulfillIntent, CanFulfillSlot, CanUnderstand};
pub use card::{Card, Image};
pub use directive::{
    AplExecuteCommands, AplRenderDocument, AudioItem, AudioPlayerClearQueue, AudioPlayerPlay,
    AudioPlayerStop, AudioStream, ClearBehavior, ConnectionsSendRequest,
    ConnectionsStartConnection, DialogConfirmIntent, DialogConfirmSlot, DialogDelegate,
    DialogElicitSlot, DialogUpdateDynamicEntities, Directive, DynamicEntityType,
    DynamicEntityValue, DynamicEntityValueName, Hint, HintDirective, UpdateBehavior,
    VideoAppLaunch, VideoItem, VideoMetadata,
};
pub use envelope::{Response, ResponseEnvelope};
pub use speech::{OutputSpeech, PlayBehavior, Reprompt};
