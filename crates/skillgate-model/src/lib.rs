//! Serde types for Alexa custom-skill request and response envelopes, a fluent response
//! builder, SSML helpers and Alexa's documented response limits.
//!
//! This crate does no I/O. It is the "model" layer of skillgate, in the spirit of Amazon's
//! `ask-sdk-model`: a skill author, a test harness or a gateway can use it alone.
//!
//! Parsing is tolerant by design: Amazon adds request types and fields all the time, and an
//! unknown field or request type must never break a live skill.
//!
//! - every main struct keeps the fields it does not know in a flattened `extra` map, so a
//!   parsed envelope re-serializes without losing them;
//! - request-side structs read each field leniently: a value that does not fit its type (a
//!   number where a string belongs, an array where an object belongs) stays in `extra` as
//!   sent and its accessor answers `None`, instead of failing the request;
//! - a request type the model does not know becomes [`request::Request::Unknown`] with its raw
//!   JSON (so does a known type without its required `intent`), and a directive it does not
//!   know becomes [`response::Directive::Raw`];
//! - enumerations such as [`request::DialogState`] have an `Other(String)` catch-all;
//! - numbers that some sources send as strings are [`NumberLike`].
//!
//! Round trips are exact except for documented normalizations: in response-side structs a
//! `null` in a typed position is omitted; an empty intent `slots` object is omitted; a
//! `session` without `new` gains `"new": false`.
#![warn(missing_docs)]

#[macro_use]
mod macros;

pub mod builder;
pub mod json;
pub mod limits;
mod number;
pub mod request;
pub mod response;
pub mod ssml;

pub use builder::ResponseBuilder;
pub use number::NumberLike;
pub use request::{Request, RequestEnvelope};
pub use response::{Directive, OutputSpeech, Response, ResponseEnvelope};

/// The README's example, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
