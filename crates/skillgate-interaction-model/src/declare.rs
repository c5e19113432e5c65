//! Declaring an interaction model in Rust, next to the handlers.
//!
//! ```
//! use skillgate_interaction_model::{IntentDecl, ModelDecl, SkillModels, SlotTypeDecl};
//!
//! let models = SkillModels::new().locale(
//!     "en-US",
//!     ModelDecl::new("home control")
//!         .standard_intents()
//!         .intent(
//!             IntentDecl::new("TurnOnIntent")
//!                 .slot("device", "DeviceType")
//!                 .samples(["turn on the {device}", "switch the {device} on"]),
//!         )
//!         .slot_type(SlotTypeDecl::new("DeviceType").value_with("light", Some("LIGHT"), ["lamp"])),
//! );
//! let json = models.export();
//! assert!(json["en-US"].to_json_pretty().contains("\"lamp\""));
//! ```

use std::collections::BTreeMap;

use crate::{
    Dialog, DialogIntent, DialogPrompts, DialogSlot, Intent, IntentSlot, InteractionModel,
    InteractionModelFile, LanguageModel, Prompt, PromptVariation, SlotType, SlotTypeValue,
    SlotValueName,
};

/// The models of a skill, one per locale.
#[derive(Debug, Clone, Default)]
pub struct SkillModels {
    locales: BTreeMap<String, ModelDecl>,
}

impl SkillModels {
    /// No locales yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) the model of `locale` (`en-US`).
    pub fn locale(mut self, locale: impl Into<String>, model: ModelDecl) -> Self {
        self.locales.insert(locale.into(), model);
        self
    }

    /// The declared locales.
    pub fn locales(&self) -> impl Iterator<Item = &str> {
        self.locales.keys().map(String::as_str)
    }

    /// The console JSON of every locale.
    pub fn export(&self) -> BTreeMap<String, InteractionModelFile> {
        self.locales
            .iter()
            .map(|(locale, decl)| (locale.clone(), decl.build()))
            .collect()
    }
}

/// The model of one locale.
#[derive(Debug, Clone, Default)]
pub struct ModelDecl {
    invocation_name: String,
    intents: Vec<IntentDecl>,
    types: Vec<SlotTypeDecl>,
    dialog: Option<Dialog>,
    prompts: Option<Vec<Prompt>>,
    delegation_strategy: Option<String>,
}

impl ModelDecl {
    /// A model with this invocation name.
    pub fn new(invocation_name: impl Into<String>) -> Self {
        Self {
            invocation_name: invocation_name.into(),
            ..Self::default()
        }
    }

    /// Adds an intent (replacing one with the same name).
    pub fn intent(mut self, intent: IntentDecl) -> Self {
        self.intents.retain(|i| i.name != intent.name);
        self.intents.push(intent);
        self
    }

    /// Adds the built-in intents every custom skill must have: `AMAZON.CancelIntent`,
    /// `AMAZON.HelpIntent`, `AMAZON.StopIntent` and `AMAZON.NavigateHomeIntent`.
    pub fn standard_intents(mut self) -> Self {
        for name in [
            "AMAZON.CancelIntent",
            "AMAZON.HelpIntent",
            "AMAZON.StopIntent",
            "AMAZON.NavigateHomeIntent",
        ] {
            self = self.intent(IntentDecl::new(name));
        }
        self
    }

    /// Adds a custom slot type (replacing one with the same name).
    pub fn slot_type(mut self, slot_type: SlotTypeDecl) -> Self {
        self.types.retain(|t| t.name != slot_type.name);
        self.types.push(slot_type);
        self
    }

    /// Sets the model-level `dialog.delegationStrategy` (`ALWAYS` or `SKILL_RESPONSE`).
    pub fn delegation_strategy(mut self, strategy: impl Into<String>) -> Self {
        self.delegation_strategy = Some(strategy.into());
        self
    }

    /// Sets the `dialog` section and its `prompts` (as console JSON types), replacing what
    /// [`IntentDecl::elicit`] would generate.
    pub fn dialog(mut self, dialog: Dialog, prompts: Vec<Prompt>) -> Self {
        self.dialog = Some(dialog);
        self.prompts = Some(prompts);
        self
    }

    /// The console JSON.
    pub fn build(&self) -> InteractionModelFile {
        let intents = self.intents.iter().map(IntentDecl::build).collect();
        let types =
            (!self.types.is_empty()).then(|| self.types.iter().map(SlotTypeDecl::build).collect());
        let (mut dialog, mut prompts) = (self.dialog.clone(), self.prompts.clone());
        if dialog.is_none() {
            let rules: Vec<(DialogIntent, Vec<Prompt>)> = self
                .intents
                .iter()
                .filter_map(IntentDecl::build_dialog)
                .collect();
            if !rules.is_empty() || self.delegation_strategy.is_some() {
                let mut all_prompts = Vec::new();
                let mut intents = Vec::new();
                for (intent, p) in rules {
                    intents.push(intent);
                    all_prompts.extend(p);
                }
                dialog = Some(Dialog {
                    delegation_strategy: self.delegation_strategy.clone(),
                    intents: Some(intents),
                    ..Dialog::default()
                });
                prompts = Some(all_prompts);
            }
        }
        InteractionModelFile {
            interaction_model: InteractionModel {
                language_model: LanguageModel {
                    invocation_name: self.invocation_name.clone(),
                    intents,
                    types,
                    ..LanguageModel::default()
                },
                dialog,
                prompts,
                ..InteractionModel::default()
            },
            ..InteractionModelFile::default()
        }
    }
}

/// One intent: its slots and samples.
#[derive(Debug, Clone, Default)]
pub struct IntentDecl {
    name: String,
    slots: Vec<(String, String, Vec<String>)>,
    samples: Vec<String>,
    /// Slot name → elicitation prompt text (Alexa asks when the slot is empty).
    elicit: Vec<(String, String)>,
}

impl IntentDecl {
    /// An intent named `name` (`TurnOnIntent`, `AMAZON.StopIntent`).
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ..Self::default()
        }
    }

    /// The intent name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Adds a slot of type `type_name` (custom or `AMAZON.*`).
    pub fn slot(mut self, name: impl Into<String>, type_name: impl Into<String>) -> Self {
        self.slots.push((name.into(), type_name.into(), Vec::new()));
        self
    }

    /// Adds a slot with slot-filling samples (what users answer when Alexa elicits it).
    pub fn slot_with_samples<S: Into<String>>(
        mut self,
        name: impl Into<String>,
        type_name: impl Into<String>,
        samples: impl IntoIterator<Item = S>,
    ) -> Self {
        self.slots.push((
            name.into(),
            type_name.into(),
            samples.into_iter().map(Into::into).collect(),
        ));
        self
    }

    /// Adds sample utterances (`turn on the {device}`).
    pub fn samples<S: Into<String>>(mut self, samples: impl IntoIterator<Item = S>) -> Self {
        self.samples.extend(samples.into_iter().map(Into::into));
        self
    }

    /// Makes Alexa elicit `slot` with `prompt` when it is empty (a dialog rule; the prompt id is
    /// `Elicit.Slot.<Intent>.<slot>`).
    pub fn elicit(mut self, slot: impl Into<String>, prompt: impl Into<String>) -> Self {
        self.elicit.push((slot.into(), prompt.into()));
        self
    }

    fn prompt_id(&self, slot: &str) -> String {
        format!("Elicit.Slot.{}.{slot}", self.name)
    }

    /// The dialog rules and prompts of this intent, when it has any.
    fn build_dialog(&self) -> Option<(DialogIntent, Vec<Prompt>)> {
        if self.elicit.is_empty() {
            return None;
        }
        let mut prompts = Vec::new();
        let slots = self
            .slots
            .iter()
            .map(|(name, type_name, _)| {
                let elicit = self.elicit.iter().find(|(s, _)| s == name);
                if let Some((_, text)) = elicit {
                    prompts.push(Prompt {
                        id: self.prompt_id(name),
                        variations: vec![PromptVariation {
                            kind: "PlainText".into(),
                            value: text.clone(),
                            ..PromptVariation::default()
                        }],
                        ..Prompt::default()
                    });
                }
                DialogSlot {
                    name: name.clone(),
                    type_name: Some(type_name.clone()),
                    confirmation_required: Some(false),
                    elicitation_required: Some(elicit.is_some()),
                    prompts: Some(DialogPrompts {
                        elicitation: elicit.map(|_| self.prompt_id(name)),
                        ..DialogPrompts::default()
                    }),
                    ..DialogSlot::default()
                }
            })
            .collect();
        let intent = DialogIntent {
            name: self.name.clone(),
            confirmation_required: Some(false),
            prompts: Some(DialogPrompts::default()),
            slots: Some(slots),
            ..DialogIntent::default()
        };
        Some((intent, prompts))
    }

    fn build(&self) -> Intent {
        let slots: Vec<IntentSlot> = self
            .slots
            .iter()
            .map(|(name, type_name, samples)| IntentSlot {
                name: name.clone(),
                type_name: type_name.clone(),
                samples: (!samples.is_empty()).then(|| samples.clone()),
                ..IntentSlot::default()
            })
            .collect();
        Intent {
            name: self.name.clone(),
            slots: (!slots.is_empty()).then_some(slots),
            samples: Some(self.samples.clone()),
            ..Intent::default()
        }
    }
}

/// A custom slot type: values with optional ids and synonyms.
#[derive(Debug, Clone, Default)]
pub struct SlotTypeDecl {
    name: String,
    values: Vec<(String, Option<String>, Option<Vec<String>>)>,
}

impl SlotTypeDecl {
    /// A type named `name`.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            values: Vec::new(),
        }
    }

    /// Adds a value without id or synonyms.
    pub fn value(mut self, value: impl Into<String>) -> Self {
        self.values.push((value.into(), None, None));
        self
    }

    /// Adds a value with an id and synonyms (written even when empty, as the console does).
    pub fn value_with<S: Into<String>>(
        mut self,
        value: impl Into<String>,
        id: Option<impl Into<String>>,
        synonyms: impl IntoIterator<Item = S>,
    ) -> Self {
        self.values.push((
            value.into(),
            id.map(Into::into),
            Some(synonyms.into_iter().map(Into::into).collect()),
        ));
        self
    }

    fn build(&self) -> SlotType {
        SlotType {
            name: self.name.clone(),
            values: Some(
                self.values
                    .iter()
                    .map(|(value, id, synonyms)| SlotTypeValue {
                        id: id.clone(),
                        name: SlotValueName {
                            value: value.clone(),
                            synonyms: synonyms.clone(),
                            ..SlotValueName::default()
                        },
                        ..SlotTypeValue::default()
                    })
                    .collect(),
            ),
            ..SlotType::default()
        }
    }
}
