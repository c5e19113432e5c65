//! The console JSON as Rust types. Every struct keeps the fields it does not model in `extra`,
//! so a read-then-write round trip loses nothing.

use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::ModelError;

/// Fields this crate does not model, kept as they were read.
pub type Extra = Map<String, Value>;

/// A whole interaction-model file: `{"interactionModel": {...}}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InteractionModelFile {
    /// The model.
    pub interaction_model: InteractionModel,
    /// Other top-level fields (kept).
    #[serde(flatten)]
    pub extra: Extra,
}

impl InteractionModelFile {
    /// Parses the console JSON; a malformed file gives an error naming the JSON path.
    pub fn from_json(text: &str) -> Result<Self, ModelError> {
        let mut de = serde_json::Deserializer::from_str(text);
        let model: Self = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let path = e.path().to_string();
            ModelError::Json {
                path,
                source: e.into_inner(),
            }
        })?;
        de.end().map_err(|source| ModelError::Json {
            path: ".".to_owned(),
            source,
        })?;
        Ok(model)
    }

    /// Reads and parses a model file.
    pub fn from_path(path: &Path) -> Result<Self, ModelError> {
        let text = std::fs::read_to_string(path).map_err(|source| ModelError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_json(&text)
    }

    /// The console JSON, pretty-printed with two-space indentation (as the console writes it).
    pub fn to_json_pretty(&self) -> String {
        // Serializing these types cannot fail: every map key is a string.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The language model.
    pub fn language_model(&self) -> &LanguageModel {
        &self.interaction_model.language_model
    }
}

/// `interactionModel`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InteractionModel {
    /// `languageModel`: invocation name, intents, slot types.
    pub language_model: LanguageModel,
    /// `dialog`: delegation, elicitation, confirmation, validation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dialog: Option<Dialog>,
    /// `prompts`: what Alexa says while running the dialog.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompts: Option<Vec<Prompt>>,
    /// Other fields (kept).
    #[serde(flatten)]
    pub extra: Extra,
}

/// `languageModel`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LanguageModel {
    /// What users say to open the skill.
    #[serde(default)]
    pub invocation_name: String,
    /// Intents with slots and samples.
    #[serde(default)]
    pub intents: Vec<Intent>,
    /// Custom slot types.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub types: Option<Vec<SlotType>>,
    /// `modelConfiguration` (e.g. `fallbackIntentSensitivity`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_configuration: Option<ModelConfiguration>,
    /// Other fields (kept).
    #[serde(flatten)]
    pub extra: Extra,
}

impl LanguageModel {
    /// The intent with this name.
    pub fn intent(&self, name: &str) -> Option<&Intent> {
        self.intents.iter().find(|i| i.name == name)
    }

    /// The custom slot type with this name.
    pub fn slot_type(&self, name: &str) -> Option<&SlotType> {
        self.types.iter().flatten().find(|t| t.name == name)
    }
}

/// `modelConfiguration`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelConfiguration {
    /// `fallbackIntentSensitivity.level`: `LOW`, `MEDIUM` or `HIGH`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback_intent_sensitivity: Option<FallbackIntentSensitivity>,
    /// Other fields (kept).
    #[serde(flatten)]
    pub extra: Extra,
}

/// `fallbackIntentSensitivity`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FallbackIntentSensitivity {
    /// `LOW`, `MEDIUM` or `HIGH`.
    #[serde(default)]
    pub level: String,
    /// Other fields (kept).
    #[serde(flatten)]
    pub extra: Extra,
}

/// One intent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Intent {
    /// `TurnOnIntent`, `AMAZON.StopIntent`.
    pub name: String,
    /// Its slots.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slots: Option<Vec<IntentSlot>>,
    /// Sample utterances with `{slot}` references.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub samples: Option<Vec<String>>,
    /// Other fields (kept).
    #[serde(flatten)]
    pub extra: Extra,
}

impl Intent {
    /// The slots (empty when none are declared).
    pub fn slots(&self) -> &[IntentSlot] {
        self.slots.as_deref().unwrap_or(&[])
    }

    /// The samples (empty when none are declared).
    pub fn samples(&self) -> &[String] {
        self.samples.as_deref().unwrap_or(&[])
    }

    /// The slot with this name.
    pub fn slot(&self, name: &str) -> Option<&IntentSlot> {
        self.slots().iter().find(|s| s.name == name)
    }
}

/// One slot of an intent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IntentSlot {
    /// The slot name used in `{braces}`.
    pub name: String,
    /// A custom type name or a built-in one (`AMAZON.NUMBER`).
    #[serde(rename = "type", default)]
    pub type_name: String,
    /// Slot-filling samples (what users say when Alexa elicits this slot).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub samples: Option<Vec<String>>,
    /// Other fields (kept), e.g. `multipleValues`.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A custom slot type.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SlotType {
    /// The type name.
    pub name: String,
    /// Its values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<SlotTypeValue>>,
    /// Other fields (kept), e.g. `valueSupplier`.
    #[serde(flatten)]
    pub extra: Extra,
}

impl SlotType {
    /// The values (empty when none are declared).
    pub fn values(&self) -> &[SlotTypeValue] {
        self.values.as_deref().unwrap_or(&[])
    }
}

/// One value of a custom slot type.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SlotTypeValue {
    /// The id entity resolution reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The canonical value and its synonyms.
    #[serde(default)]
    pub name: SlotValueName,
    /// Other fields (kept).
    #[serde(flatten)]
    pub extra: Extra,
}

/// `name` of a slot type value.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SlotValueName {
    /// The canonical value.
    #[serde(default)]
    pub value: String,
    /// Other ways to say it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub synonyms: Option<Vec<String>>,
    /// Other fields (kept).
    #[serde(flatten)]
    pub extra: Extra,
}

impl SlotValueName {
    /// The synonyms (empty when none are declared).
    pub fn synonyms(&self) -> &[String] {
        self.synonyms.as_deref().unwrap_or(&[])
    }
}

/// `dialog`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Dialog {
    /// `ALWAYS` or `SKILL_RESPONSE` (auto-delegation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delegation_strategy: Option<String>,
    /// Per-intent dialog rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intents: Option<Vec<DialogIntent>>,
    /// Other fields (kept).
    #[serde(flatten)]
    pub extra: Extra,
}

impl Dialog {
    /// The dialog rules of this intent.
    pub fn intent(&self, name: &str) -> Option<&DialogIntent> {
        self.intents.iter().flatten().find(|i| i.name == name)
    }
}

/// The dialog rules of one intent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DialogIntent {
    /// The intent.
    pub name: String,
    /// Overrides the model-level strategy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delegation_strategy: Option<String>,
    /// Whether Alexa confirms the whole intent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmation_required: Option<bool>,
    /// `{"confirmation": "<prompt id>"}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompts: Option<DialogPrompts>,
    /// Per-slot rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slots: Option<Vec<DialogSlot>>,
    /// Other fields (kept).
    #[serde(flatten)]
    pub extra: Extra,
}

impl DialogIntent {
    /// The slot rules (empty when none).
    pub fn slots(&self) -> &[DialogSlot] {
        self.slots.as_deref().unwrap_or(&[])
    }
}

/// Prompt references of a dialog intent or slot.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DialogPrompts {
    /// The elicitation prompt id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elicitation: Option<String>,
    /// The confirmation prompt id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmation: Option<String>,
    /// Other fields (kept).
    #[serde(flatten)]
    pub extra: Extra,
}

/// The dialog rules of one slot.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DialogSlot {
    /// The slot.
    pub name: String,
    /// Its type.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub type_name: Option<String>,
    /// Whether Alexa confirms the value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmation_required: Option<bool>,
    /// Whether Alexa elicits the slot when it is empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elicitation_required: Option<bool>,
    /// Prompt ids.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompts: Option<DialogPrompts>,
    /// Validation rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validations: Option<Vec<Validation>>,
    /// Other fields (kept).
    #[serde(flatten)]
    pub extra: Extra,
}

impl DialogSlot {
    /// The validations (empty when none).
    pub fn validations(&self) -> &[Validation] {
        self.validations.as_deref().unwrap_or(&[])
    }
}

/// One slot validation rule (`isInSet`, `isNotInSet`, `hasEntityResolutionMatch`,
/// `isGreaterThan`, `isLessThan`, `isInDuration`…).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Validation {
    /// The rule.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// The prompt id Alexa says when the rule fails.
    #[serde(default)]
    pub prompt: String,
    /// The set for `isInSet`/`isNotInSet`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<String>>,
    /// The bound for `isGreaterThan`, `isLessThan`… (kept as given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    /// Other fields (kept), e.g. `start`/`end` of `isInDuration`.
    #[serde(flatten)]
    pub extra: Extra,
}

/// One prompt: an id and what Alexa may say.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Prompt {
    /// The id dialog rules refer to.
    pub id: String,
    /// Alternatives Alexa chooses from.
    #[serde(default)]
    pub variations: Vec<PromptVariation>,
    /// Other fields (kept).
    #[serde(flatten)]
    pub extra: Extra,
}

/// One wording of a prompt.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PromptVariation {
    /// `PlainText` or `SSML`.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// The text, with `{slot}` references.
    #[serde(default)]
    pub value: String,
    /// Other fields (kept).
    #[serde(flatten)]
    pub extra: Extra,
}
