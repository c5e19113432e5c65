//! Alexa's part of a delegated dialog (`Dialog.Delegate`, or `delegationStrategy: ALWAYS`):
//! from the model's `dialog` rules and the slots filled so far, what Alexa does next — elicit a
//! required slot, re-elicit after a failed validation, confirm a slot or the intent, or send the
//! completed intent to the skill.

use skillgate_interaction_model::{DialogIntent, InteractionModelFile, Validation};

/// What Alexa does next in a delegated dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DialogStep {
    /// Ask for `slot` with `prompt`.
    Elicit {
        /// The slot.
        slot: String,
        /// What Alexa says (slot references filled in).
        prompt: String,
    },
    /// Ask the user to confirm the value of `slot`.
    ConfirmSlot {
        /// The slot.
        slot: String,
        /// What Alexa says.
        prompt: String,
    },
    /// Ask the user to confirm the whole intent.
    ConfirmIntent {
        /// What Alexa says.
        prompt: String,
    },
    /// Everything required is there: send the intent with `dialogState: COMPLETED`.
    Complete,
}

/// The state of a delegated intent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DelegatedIntent {
    /// The intent.
    pub name: String,
    /// Filled slots: name and value.
    pub slots: Vec<(String, String)>,
    /// Slots the user confirmed.
    pub confirmed_slots: Vec<String>,
    /// `NONE`, `CONFIRMED` or `DENIED`.
    pub confirmation: String,
}

impl DelegatedIntent {
    /// The value of a slot.
    pub fn slot(&self, name: &str) -> Option<&str> {
        self.slots
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Sets (or replaces) a slot value.
    pub fn set_slot(&mut self, name: &str, value: &str) {
        match self.slots.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = value.to_owned(),
            None => self.slots.push((name.to_owned(), value.to_owned())),
        }
    }

    /// Empties a slot (after a failed validation or a denied confirmation).
    pub fn clear_slot(&mut self, name: &str) {
        self.slots.retain(|(n, _)| n != name);
        self.confirmed_slots.retain(|n| n != name);
    }
}

/// Whether Alexa runs the dialog of `intent` without asking the skill (auto-delegation): the
/// intent's or else the model's `delegationStrategy` is `ALWAYS`, and the intent has rules.
pub fn auto_delegates(model: &InteractionModelFile, intent: &str) -> bool {
    let Some(dialog) = &model.interaction_model.dialog else {
        return false;
    };
    let Some(rules) = dialog.intent(intent) else {
        return false;
    };
    let strategy = rules
        .delegation_strategy
        .as_deref()
        .or(dialog.delegation_strategy.as_deref());
    strategy == Some("ALWAYS") && has_rules(rules)
}

fn has_rules(rules: &DialogIntent) -> bool {
    rules.confirmation_required == Some(true)
        || rules.slots().iter().any(|s| {
            s.elicitation_required == Some(true)
                || s.confirmation_required == Some(true)
                || !s.validations().is_empty()
        })
}

/// The prompt `id`'s first variation with `{slot}` references filled from `intent`.
pub fn prompt_text(
    model: &InteractionModelFile,
    id: Option<&str>,
    intent: &DelegatedIntent,
) -> String {
    let text = id
        .and_then(|id| {
            model
                .interaction_model
                .prompts
                .iter()
                .flatten()
                .find(|p| p.id == id)
        })
        .and_then(|p| p.variations.first())
        .map(|v| v.value.clone())
        .unwrap_or_else(|| format!("(no prompt {})", id.unwrap_or("given")));
    let mut out = text;
    for (name, value) in &intent.slots {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    // SSML prompts: keep the words.
    let mut plain = String::new();
    let mut in_tag = false;
    for c in out.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => plain.push(c),
            _ => {}
        }
    }
    plain.trim().to_owned()
}

/// Whether `value` passes `rule` (the rules Alexa checks without entity data: `isInSet`,
/// `isNotInSet`, `isGreaterThan`, `isGreaterThanOrEqualTo`, `isLessThan`,
/// `isLessThanOrEqualTo`; others pass).
pub fn passes(rule: &Validation, value: &str) -> bool {
    let set = || {
        rule.values
            .iter()
            .flatten()
            .any(|v| v.eq_ignore_ascii_case(value))
    };
    let bound = || {
        rule.value
            .as_ref()
            .and_then(|v| {
                v.as_str()
                    .map(str::to_owned)
                    .or_else(|| Some(v.to_string()))
            })
            .and_then(|v| v.trim().parse::<f64>().ok())
    };
    let number = value.trim().parse::<f64>().ok();
    match rule.kind.as_str() {
        "isInSet" => set(),
        "isNotInSet" => !set(),
        "isGreaterThan" => matches!((number, bound()), (Some(n), Some(b)) if n > b),
        "isGreaterThanOrEqualTo" => matches!((number, bound()), (Some(n), Some(b)) if n >= b),
        "isLessThan" => matches!((number, bound()), (Some(n), Some(b)) if n < b),
        "isLessThanOrEqualTo" => matches!((number, bound()), (Some(n), Some(b)) if n <= b),
        _ => true,
    }
}

/// Alexa's next step for `intent`. A slot that fails a validation is emptied and elicited
/// again with the validation's prompt.
pub fn next_step(model: &InteractionModelFile, intent: &mut DelegatedIntent) -> DialogStep {
    let rules = model
        .interaction_model
        .dialog
        .as_ref()
        .and_then(|d| d.intent(&intent.name));
    let Some(rules) = rules else {
        return DialogStep::Complete;
    };
    for slot in rules.slots() {
        let prompts = slot.prompts.as_ref();
        match intent.slot(&slot.name).map(str::to_owned) {
            None if slot.elicitation_required == Some(true) => {
                let prompt = prompt_text(
                    model,
                    prompts.and_then(|p| p.elicitation.as_deref()),
                    intent,
                );
                return DialogStep::Elicit {
                    slot: slot.name.clone(),
                    prompt,
                };
            }
            None => {}
            Some(value) => {
                if let Some(failed) = slot.validations().iter().find(|v| !passes(v, &value)) {
                    let prompt = prompt_text(model, Some(&failed.prompt), intent);
                    intent.clear_slot(&slot.name);
                    return DialogStep::Elicit {
                        slot: slot.name.clone(),
                        prompt,
                    };
                }
                if slot.confirmation_required == Some(true)
                    && !intent.confirmed_slots.contains(&slot.name)
                {
                    let prompt = prompt_text(
                        model,
                        prompts.and_then(|p| p.confirmation.as_deref()),
                        intent,
                    );
                    return DialogStep::ConfirmSlot {
                        slot: slot.name.clone(),
                        prompt,
                    };
                }
            }
        }
    }
    if rules.confirmation_required == Some(true) && intent.confirmation == "NONE" {
        let id = rules
            .prompts
            .as_ref()
            .and_then(|p| p.confirmation.as_deref());
        return DialogStep::ConfirmIntent {
            prompt: prompt_text(model, id, intent),
        };
    }
    DialogStep::Complete
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> InteractionModelFile {
        InteractionModelFile::from_json(
            r#"{"interactionModel":{"languageModel":{"invocationName":"pizza shop","intents":[
            {"name":"OrderIntent","slots":[{"name":"size","type":"SIZE"},{"name":"count","type":"AMAZON.NUMBER"}],
             "samples":["order a {size} pizza"]}]},
            "dialog":{"delegationStrategy":"ALWAYS","intents":[{"name":"OrderIntent","confirmationRequired":true,
              "prompts":{"confirmation":"Confirm.Order"},
              "slots":[{"name":"size","type":"SIZE","elicitationRequired":true,"prompts":{"elicitation":"Elicit.Size"},
                        "validations":[{"type":"isInSet","prompt":"Bad.Size","values":["small","large"]}]},
                       {"name":"count","type":"AMAZON.NUMBER","elicitationRequired":true,"confirmationRequired":true,
                        "prompts":{"elicitation":"Elicit.Count","confirmation":"Confirm.Count"},
                        "validations":[{"type":"isLessThan","prompt":"Bad.Count","value":"10"}]}]}]},
            "prompts":[
              {"id":"Elicit.Size","variations":[{"type":"PlainText","value":"What size?"}]},
              {"id":"Bad.Size","variations":[{"type":"PlainText","value":"Small or large?"}]},
              {"id":"Elicit.Count","variations":[{"type":"SSML","value":"<speak>How many {size} pizzas?</speak>"}]},
              {"id":"Bad.Count","variations":[{"type":"PlainText","value":"At most nine."}]},
              {"id":"Confirm.Count","variations":[{"type":"PlainText","value":"{count}, right?"}]},
              {"id":"Confirm.Order","variations":[{"type":"PlainText","value":"{count} {size} pizzas?"}]}]}}"#,
        )
        .unwrap()
    }

    #[test]
    fn walks_elicitation_validation_and_confirmation() {
        let m = model();
        assert!(auto_delegates(&m, "OrderIntent"));
        assert!(!auto_delegates(&m, "Other"));
        let mut intent = DelegatedIntent {
            name: "OrderIntent".into(),
            confirmation: "NONE".into(),
            ..Default::default()
        };
        assert_eq!(
            next_step(&m, &mut intent),
            DialogStep::Elicit {
                slot: "size".into(),
                prompt: "What size?".into()
            }
        );
        intent.set_slot("size", "medium");
        assert_eq!(
            next_step(&m, &mut intent),
            DialogStep::Elicit {
                slot: "size".into(),
                prompt: "Small or large?".into()
            }
        );
        assert_eq!(
            intent.slot("size"),
            None,
            "a failed validation empties the slot"
        );
        intent.set_slot("size", "large");
        assert_eq!(
            next_step(&m, &mut intent),
            DialogStep::Elicit {
                slot: "count".into(),
                prompt: "How many large pizzas?".into()
            }
        );
        intent.set_slot("count", "12");
        assert_eq!(
            next_step(&m, &mut intent),
            DialogStep::Elicit {
                slot: "count".into(),
                prompt: "At most nine.".into()
            }
        );
        intent.set_slot("count", "3");
        assert_eq!(
            next_step(&m, &mut intent),
            DialogStep::ConfirmSlot {
                slot: "count".into(),
                prompt: "3, right?".into()
            }
        );
        intent.confirmed_slots.push("count".into());
        assert_eq!(
            next_step(&m, &mut intent),
            DialogStep::ConfirmIntent {
                prompt: "3 large pizzas?".into()
            }
        );
        intent.confirmation = "CONFIRMED".into();
        assert_eq!(next_step(&m, &mut intent), DialogStep::Complete);
    }
}
