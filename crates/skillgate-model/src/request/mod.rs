//! The request envelope Alexa POSTs to a custom skill, and every request type a custom skill
//! receives.
//!
//! Field names and shapes follow Amazon's "Request and Response JSON Reference"
//! (<https://developer.amazon.com/en-US/docs/alexa/custom-skills/request-and-response-json-reference.html>)
//! and "Request Types Reference". Everything Amazon may omit is an `Option`; every main struct
//! keeps unknown fields in `extra`.

mod context;
mod envelope;
mod event;
mod intent;
mod interaction;
mod kind;
mod session;
mod standard;

pub use context::{
    AudioPlayerState, Context, Device, Person, PlayerActivity, SystemContext, Unit, Viewport,
};
pub use envelope::RequestEnvelope;
pub use event::{
    AudioPlayerEvent, AudioPlayerEventKind, ExceptionCause, ExceptionEncounteredRequest,
    MessageReceivedRequest, PlaybackControllerEvent, PlaybackControllerKind, PlaybackState,
    SkillEvent, SkillEventKind,
};
pub use intent::{
    ConfirmationStatus, DialogState, Intent, ListSlotValue, Resolution, ResolutionStatus,
    ResolutionStatusCode, Resolutions, ResolvedValue, ResolvedValueWrapper, SimpleSlotValue, Slot,
    SlotValue,
};
pub use interaction::{
    ApiRequest, AplUserEvent, ConnectionsResponse, ConnectionsStatus, DialogApiInvokedRequest,
};
pub use kind::{Request, UnknownRequest};
pub use session::{Application, Permissions, Session, User};
pub use standard::{
    CanFulfillIntentRequest, IntentRequest, LaunchRequest, RequestError, SessionEndedReason,
    SessionEndedRequest,
};
