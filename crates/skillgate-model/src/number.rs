//! A number that some sources send as a JSON string.

use serde::{Deserialize, Serialize};

/// A number Alexa sends as a JSON number, but that some sources (and some request types, such
/// as `Connections.Response`'s `status.code`) send as a string. Kept exactly as sent, so a
/// round trip changes nothing; read it with [`NumberLike::as_u64`] or [`NumberLike::as_i64`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum NumberLike {
    /// A JSON number.
    Number(serde_json::Number),
    /// A JSON string (that usually holds a number).
    Text(String),
}

impl NumberLike {
    /// The value as an unsigned integer, if it is one (or a string holding one).
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Self::Number(n) => n.as_u64(),
            Self::Text(t) => t.trim().parse().ok(),
        }
    }

    /// The value as a signed integer, if it is one (or a string holding one).
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Self::Number(n) => n.as_i64(),
            Self::Text(t) => t.trim().parse().ok(),
        }
    }

    /// The value as a float, if it is a number (or a string holding one).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Self::Number(n) => n.as_f64(),
            Self::Text(t) => t.trim().parse().ok(),
        }
    }
}

impl From<u64> for NumberLike {
    fn from(n: u64) -> Self {
        Self::Number(n.into())
    }
}

impl From<i64> for NumberLike {
    fn from(n: i64) -> Self {
        Self::Number(n.into())
    }
}

impl From<u32> for NumberLike {
    fn from(n: u32) -> Self {
        Self::Number(n.into())
    }
}
