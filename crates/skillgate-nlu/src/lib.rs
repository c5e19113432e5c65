//! An offline Alexa utterance matcher ("NLU").
//!
//! Given an interaction model ([`skillgate_interaction_model::InteractionModelFile`]) and a
//! sentence as Alexa's speech recognition writes it (lower case, no punctuation), [`Matcher`]
//! says what Alexa would send: the intent, each slot's spoken value, entity resolution for custom
//! slot types, and the values of built-in types (numbers, dates, times, durations).
//!
//! Matching is strict first — samples as templates, slot values and synonyms, numbers — and
//! tolerant after: fillers ("please", "can you"), small word-order and wording changes, unseen
//! phrasings close to an intent's samples. Every answer has a confidence; when two intents fit
//! equally well the answer is no intent rather than a guess, and when nothing fits it is
//! `AMAZON.FallbackIntent` if the model has it. See `docs/interaction-model.md`.

#![warn(missing_docs)]

mod datetime;
pub mod delegate;
pub mod eval;
mod lexicon;
mod matcher;
mod number;
mod result;
mod slots;
mod words;

pub use matcher::{Matcher, MatcherOptions};
pub use result::{Invocation, MatchResult, Outcome, Resolution, SlotFill};

/// The language of a locale: which number words, fillers and built-in phrases apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Lang {
    /// English (en-US, en-GB, en-AU, en-CA, en-IN…), also used for locales without their own.
    En,
    /// German (de-DE, de-AT…).
    De,
    /// Spanish (es-ES, es-MX, es-US).
    Es,
}

impl Lang {
    /// The language of a locale such as `en-US`; unknown languages use English word lists.
    pub fn from_locale(locale: &str) -> Self {
        let lower = locale.to_ascii_lowercase();
        if lower.starts_with("de") {
            Lang::De
        } else if lower.starts_with("es") {
            Lang::Es
        } else {
            Lang::En
        }
    }
}
