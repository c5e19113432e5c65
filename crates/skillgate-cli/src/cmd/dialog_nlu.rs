//! `dialog --model FILE`: plain sentences ("turn on the kitchen light") become the request
//! Alexa would send, through the offline matcher; intent syntax still works.

use std::path::Path;

use skillgate_devtools::dialog::Command;
use skillgate_devtools::envelope::{DialogState, Intent};
use skillgate_interaction_model::InteractionModelFile;
use skillgate_nlu::delegate::{DelegatedIntent, DialogStep, auto_delegates, next_step};
use skillgate_nlu::{MatchResult, Matcher, Outcome};

/// The words of the `dialog` line syntax that are never sentences.
const KEYWORDS: [&str; 8] = [
    "launch", "new", "quit", "exit", "yes", "no", "end", "expect",
];

/// The declared model of the native skill named `path` (when no file has that name).
fn native_model(path: &Path, locale: Option<&str>) -> Option<InteractionModelFile> {
    if path.exists() {
        return None;
    }
    let models = match path.to_str()? {
        "home" => skillgate_example_home::interaction_models(),
        _ => return None,
    };
    let mut exported = models.export();
    let wanted = locale.unwrap_or("en-US");
    exported
        .remove(wanted)
        .or_else(|| exported.into_values().next())
}

/// A model loaded for `dialog`.
pub struct SentenceReader {
    matcher: Matcher,
    model: InteractionModelFile,
    intents: Vec<String>,
}

/// Alexa's side of a delegated dialog in progress: the intent so far and the question asked.
pub struct Delegation {
    intent: DelegatedIntent,
    step: DialogStep,
}

/// What playing Alexa's part produced.
pub enum AlexaTurn {
    /// Alexa asks something (print it, read the next line as the answer).
    Asks(Delegation, String),
    /// The dialog is complete: send this intent (`dialogState: COMPLETED`).
    Send(Command),
}

/// What a line became.
pub enum Understood {
    /// Not a sentence: parse it as dialog syntax.
    Syntax,
    /// A sentence, understood as this command; `shown` is what to print (`→ …`).
    Command { command: Command, shown: String },
    /// A sentence nothing in the model fits.
    Nothing(String),
}

impl SentenceReader {
    /// Loads `path`; the locale comes from `locale`, else from the file name, else en-US.
    /// `path` may also name a native skill (`home`) when no such file exists: its declared
    /// model for the locale is used.
    pub fn load(path: &Path, locale: Option<&str>) -> anyhow::Result<Self> {
        let model = match native_model(path, locale) {
            Some(model) => model,
            None => InteractionModelFile::from_path(path)?,
        };
        let locale = locale
            .map(str::to_owned)
            .or_else(|| super::nlu::locale_from_path(path))
            .unwrap_or_else(|| "en-US".to_owned());
        let intents = model
            .language_model()
            .intents
            .iter()
            .map(|i| i.name.clone())
            .collect();
        Ok(Self {
            matcher: Matcher::new(&model, &locale),
            model,
            intents,
        })
    }

    /// Whether Alexa runs this intent's dialog itself (`delegationStrategy: ALWAYS`).
    pub fn auto_delegates(&self, intent: &str) -> bool {
        auto_delegates(&self.model, intent)
    }

    /// Starts playing Alexa's part for `intent` (after `Dialog.Delegate`, or auto-delegation).
    pub fn delegate(&self, intent: &Intent) -> AlexaTurn {
        let delegated = DelegatedIntent {
            name: intent.name.clone(),
            slots: intent.slots.clone(),
            confirmed_slots: Vec::new(),
            confirmation: intent.confirmation.clone(),
        };
        self.advance(delegated)
    }

    fn advance(&self, mut intent: DelegatedIntent) -> AlexaTurn {
        let step = next_step(&self.model, &mut intent);
        let prompt = match &step {
            DialogStep::Complete => {
                let mut done = Intent::named(intent.name.clone());
                done.slots = intent.slots;
                done.confirmation = intent.confirmation;
                done.dialog_state = Some(DialogState::Completed);
                return AlexaTurn::Send(Command::Intent(done));
            }
            DialogStep::Elicit { prompt, .. }
            | DialogStep::ConfirmSlot { prompt, .. }
            | DialogStep::ConfirmIntent { prompt } => prompt.clone(),
        };
        AlexaTurn::Asks(Delegation { intent, step }, prompt)
    }

    /// The user's answer to Alexa's question in a delegated dialog.
    pub fn answer(&self, mut delegation: Delegation, line: &str, today: time::Date) -> AlexaTurn {
        match &delegation.step {
            DialogStep::Elicit { slot, .. } => {
                let value = self
                    .matcher
                    .match_slot_answer(line, slot, today)
                    .map(|fill| fill.value)
                    .unwrap_or_else(|| skillgate_interaction_model::sample::normalize_joined(line));
                if !value.is_empty() {
                    delegation.intent.set_slot(slot, &value);
                }
            }
            DialogStep::ConfirmSlot { slot, .. } => match self.yes_no(line, today) {
                Some(true) => delegation.intent.confirmed_slots.push(slot.clone()),
                Some(false) => delegation.intent.clear_slot(slot),
                None => {}
            },
            DialogStep::ConfirmIntent { .. } => {
                if let Some(yes) = self.yes_no(line, today) {
                    delegation.intent.confirmation =
                        if yes { "CONFIRMED" } else { "DENIED" }.into();
                }
            }
            DialogStep::Complete => {}
        }
        if delegation.intent.confirmation == "DENIED" {
            let mut denied = Intent::named(delegation.intent.name.clone());
            denied.slots = delegation.intent.slots;
            denied.confirmation = "DENIED".into();
            denied.dialog_state = Some(DialogState::Completed);
            return AlexaTurn::Send(Command::Intent(denied));
        }
        self.advance(delegation.intent)
    }

    fn yes_no(&self, line: &str, today: time::Date) -> Option<bool> {
        let result = self.matcher.match_sentence(line, today);
        match result.intent.as_deref() {
            Some("AMAZON.YesIntent") => return Some(true),
            Some("AMAZON.NoIntent") => return Some(false),
            _ => {}
        }
        let words = skillgate_interaction_model::sample::normalize(line);
        match words.first().map(String::as_str) {
            Some("yes" | "yeah" | "yep" | "sure" | "ja" | "sí" | "si" | "correct") => Some(true),
            Some("no" | "nope" | "nein") => Some(false),
            _ => None,
        }
    }

    /// Whether `line` is dialog syntax rather than a sentence.
    pub fn is_syntax_line(&self, line: &str) -> bool {
        self.is_syntax(line)
    }

    fn is_syntax(&self, line: &str) -> bool {
        let trimmed = line.trim();
        let mut tokens = trimmed.split_whitespace();
        let Some(first) = tokens.next() else {
            return true;
        };
        trimmed.starts_with('#')
            || trimmed.contains('=')
            || KEYWORDS.contains(&first)
            || self.intents.iter().any(|i| i == first)
            || (first.contains(|c: char| c.is_ascii_uppercase() || c == '.')
                && tokens.next().is_none())
    }

    /// Understands `line`; `elicited` is the slot the skill asked for, if any.
    pub fn understand(&self, line: &str, elicited: Option<&str>, today: time::Date) -> Understood {
        if self.is_syntax(line) {
            return Understood::Syntax;
        }
        if let Some(slot) = elicited {
            if let Some(fill) = self.matcher.match_slot_answer(line, slot, today) {
                let shown = format!("→ {}={}", fill.name, fill.value);
                return Understood::Command {
                    command: Command::Fill(vec![(Some(fill.name), fill.value)]),
                    shown,
                };
            }
        }
        let result = self.matcher.match_sentence(line, today);
        if result.outcome == Outcome::Launch {
            return Understood::Command {
                command: Command::Launch,
                shown: "→ LaunchRequest".into(),
            };
        }
        let Some(name) = result.intent.clone() else {
            let why = if result.outcome == Outcome::Ambiguous {
                "ambiguous"
            } else {
                "no intent"
            };
            return Understood::Nothing(format!("→ ({why})"));
        };
        let shown = format!("→ {}", describe(&name, &result));
        if elicited.is_some_and(|s| result.slot(s).is_some()) {
            // An answer to the skill's question: fill the pending intent.
            let fills = result
                .slots
                .iter()
                .map(|s| (Some(s.name.clone()), s.value.clone()))
                .collect();
            return Understood::Command {
                command: Command::Fill(fills),
                shown,
            };
        }
        let mut intent = Intent::named(name);
        for slot in &result.slots {
            intent.set_slot(&slot.name, &slot.value);
        }
        Understood::Command {
            command: Command::Intent(intent),
            shown,
        }
    }
}

fn describe(name: &str, result: &MatchResult) -> String {
    let mut text = name.to_owned();
    for slot in &result.slots {
        if slot.value.contains(' ') {
            text.push_str(&format!(" {}=\"{}\"", slot.name, slot.value));
        } else {
            text.push_str(&format!(" {}={}", slot.name, slot.value));
        }
    }
    text
}
