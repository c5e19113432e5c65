//! Intents and slots: what the user said, as the interaction model understood it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

string_enum! {
    /// The state of a multi-turn dialog (`request.dialogState`).
    pub enum DialogState {
        /// The first turn of a dialog.
        Started = "STARTED",
        /// A later turn.
        InProgress = "IN_PROGRESS",
        /// Every required slot is filled and confirmed.
        Completed = "COMPLETED",
    }
}

string_enum! {
    /// Whether the user confirmed an intent or slot (`confirmationStatus`).
    pub enum ConfirmationStatus {
        /// Not asked, or no answer yet.
        None = "NONE",
        /// The user said yes.
        Confirmed = "CONFIRMED",
        /// The user said no.
        Denied = "DENIED",
    }
}

string_enum! {
    /// The outcome of entity resolution for one authority.
    pub enum ResolutionStatusCode {
        /// The spoken value matched a value or synonym of the slot type.
        SuccessMatch = "ER_SUCCESS_MATCH",
        /// The spoken value matched nothing.
        SuccessNoMatch = "ER_SUCCESS_NO_MATCH",
        /// Resolution timed out.
        ErrorTimeout = "ER_ERROR_TIMEOUT",
        /// Resolution failed.
        ErrorException = "ER_ERROR_EXCEPTION",
    }
}

/// An intent: its name, confirmation and slots.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Intent {
    /// The intent name, e.g. `TurnOnIntent` or `AMAZON.HelpIntent`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Whether the user confirmed the whole intent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmation_status: Option<ConfirmationStatus>,
    /// Slots by name. An empty map is omitted when serialized.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub slots: BTreeMap<String, Slot>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Intent {
    /// An intent with this name and no slots.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ..Self::default()
        }
    }

    /// Adds or replaces a slot with this spoken value (for `updatedIntent` in dialog
    /// directives).
    pub fn with_slot(mut self, name: impl Into<String>, value: Option<String>) -> Self {
        let name = name.into();
        self.slots.insert(
            name.clone(),
            Slot {
                name,
                value,
                confirmation_status: Some(ConfirmationStatus::None),
                ..Slot::default()
            },
        );
        self
    }

    /// The slot with this name.
    pub fn slot(&self, name: &str) -> Option<&Slot> {
        self.slots.get(name)
    }

    /// The spoken value of the slot with this name, if it is filled.
    pub fn slot_value(&self, name: &str) -> Option<&str> {
        self.slot(name).and_then(Slot::spoken_value)
    }
}

/// A slot of an intent.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Slot {
    /// The slot name (may contain dots for built-in action intents).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// What the user said, if the slot is filled and single-valued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Whether the user confirmed the slot value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmation_status: Option<ConfirmationStatus>,
    /// Where the value came from, e.g. `USER`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Entity-resolution results for `value`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolutions: Option<Resolutions>,
    /// The structured value (single or multiple values), sent to skills that opted in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slot_value: Option<SlotValue>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Slot {
    /// What the user said: `value`, or the value of a `Simple` `slotValue`.
    pub fn spoken_value(&self) -> Option<&str> {
        self.value.as_deref().or(match &self.slot_value {
            Some(SlotValue::Simple(simple)) => simple.value.as_deref(),
            _ => None,
        })
    }

    /// The first entity-resolution match (`ER_SUCCESS_MATCH`), if any.
    pub fn resolved_value(&self) -> Option<&ResolvedValue> {
        self.resolutions
            .as_ref()
            .and_then(Resolutions::first_match)
            .or(match &self.slot_value {
                Some(SlotValue::Simple(simple)) => simple
                    .resolutions
                    .as_ref()
                    .and_then(Resolutions::first_match),
                _ => None,
            })
    }

    /// Every spoken value: one for a single-valued slot, all of them for a multi-value
    /// (`List`) slot, none for an empty slot.
    pub fn values(&self) -> Vec<&str> {
        match &self.slot_value {
            Some(slot_value) => slot_value.values(),
            None => self.value.as_deref().into_iter().collect(),
        }
    }
}

type_tagged! {
    /// `slotValue`: a slot's structured value, tagged by `"type"`.
    pub enum SlotValue {
        /// A slot-value type this version does not know, as sent.
        raw Other,
        /// A single value.
        "Simple" => Simple(SimpleSlotValue),
        /// Several values (multi-value slots).
        "List" => List(ListSlotValue),
    }
}

impl SlotValue {
    /// Every spoken value inside, in order.
    pub fn values(&self) -> Vec<&str> {
        match self {
            Self::Simple(simple) => simple.value.as_deref().into_iter().collect(),
            Self::List(list) => list.values.iter().flat_map(SlotValue::values).collect(),
            Self::Other(_) => Vec::new(),
        }
    }
}

/// A `Simple` slot value.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SimpleSlotValue {
    /// What the user said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Entity-resolution results for this value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolutions: Option<Resolutions>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A `List` slot value: the values of a multi-value slot.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListSlotValue {
    /// The values, each usually `Simple`.
    #[serde(default)]
    pub values: Vec<SlotValue>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Entity-resolution results (`resolutions`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Resolutions {
    /// One result per authority (the skill's slot type, dynamic entities, Alexa entities).
    #[serde(default)]
    pub resolutions_per_authority: Vec<Resolution>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Resolutions {
    /// The first value of the first authority whose status is `ER_SUCCESS_MATCH`.
    pub fn first_match(&self) -> Option<&ResolvedValue> {
        self.resolutions_per_authority
            .iter()
            .filter(|r| r.status.code == ResolutionStatusCode::SuccessMatch)
            .find_map(|r| r.values.as_ref().and_then(|v| v.first()))
            .map(|wrapper| &wrapper.value)
    }
}

/// Entity-resolution result of one authority.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Resolution {
    /// The authority, e.g. `amzn1.er-authority.echo-sdk.<skill-id>.<SlotType>`.
    #[serde(default)]
    pub authority: String,
    /// Whether it matched.
    pub status: ResolutionStatus,
    /// The matched values (absent when nothing matched).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<ResolvedValueWrapper>>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `status` of an entity-resolution result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResolutionStatus {
    /// The outcome.
    pub code: ResolutionStatusCode,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `{"value": {...}}`: one matched value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResolvedValueWrapper {
    /// The matched value.
    pub value: ResolvedValue,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A matched slot-type value: its canonical name and id.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ResolvedValue {
    /// The canonical value.
    #[serde(default)]
    pub name: String,
    /// The value's id from the interaction model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

lenient_deserialize!(Intent {
    confirmation_status: "confirmationStatus",
} defaults {
    name: "name",
    slots: "slots",
});

lenient_deserialize!(Slot {
    value: "value",
    confirmation_status: "confirmationStatus",
    source: "source",
    resolutions: "resolutions",
    slot_value: "slotValue",
} defaults {
    name: "name",
});
