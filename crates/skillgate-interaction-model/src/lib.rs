//! The Alexa interaction model: the JSON the developer console takes
//! (`skill-package/interactionModels/custom/<locale>.json`) as Rust types.
//!
//! - [`InteractionModelFile`] reads and writes that JSON without losing anything: every field
//!   this crate does not model is kept (`extra`) and written back.
//! - [`declare`] builds the same JSON from Rust declarations (intents, slots, samples, slot types
//!   with values, ids and synonyms, per locale).
//! - [`check`] lints a model against Amazon's documented rules and finds conflicts; every
//!   [`Finding`] names the JSON path it is about.

#![warn(missing_docs)]

pub mod check;
pub mod declare;
mod error;
mod model;
pub mod sample;

pub use check::{Finding, Severity, check};
pub use declare::{IntentDecl, ModelDecl, SkillModels, SlotTypeDecl};
pub use error::ModelError;
pub use model::*;
