//! The answer to a `CanFulfillIntentRequest`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

string_enum! {
    /// Whether the skill can fulfill the intent or a slot (`canFulfill`).
    pub enum CanFulfill {
        /// Yes.
        Yes = "YES",
        /// No.
        No = "NO",
        /// Possibly (e.g. after account linking).
        Maybe = "MAYBE",
    }
}

string_enum! {
    /// Whether the skill understands a slot value (`canUnderstand`).
    pub enum CanUnderstand {
        /// Yes.
        Yes = "YES",
        /// No.
        No = "NO",
        /// Possibly.
        Maybe = "MAYBE",
    }
}

/// Per-slot answer of a `canFulfillIntent`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CanFulfillSlot {
    /// Whether the skill understands the value.
    pub can_understand: CanUnderstand,
    /// Whether the skill can act on the value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub can_fulfill: Option<CanFulfill>,
}

/// `response.canFulfillIntent`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CanFulfillIntent {
    /// Whether the skill can fulfill the intent.
    pub can_fulfill: CanFulfill,
    /// Per-slot answers by slot name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub slots: BTreeMap<String, CanFulfillSlot>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
