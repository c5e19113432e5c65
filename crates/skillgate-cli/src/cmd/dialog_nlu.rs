//! `dialog --model FILE`: plain sentences ("turn on the kitchen light") become the request
//! Alexa would send, through the offline matcher; intent syntax still works.

use std::path::Path;

use skillgate_devtools::dialog::Command;
use skillgate_devtools::envelope::Intent;
use skillgate_interaction_model::InteractionModelFile;
use skillgate_nlu::{MatchResult, Matcher, Outcome};

/// The words of the `dialog` line syntax that are never sentences.
const KEYWORDS: [&str; 8] = [
    "launch", "new", "quit", "exit", "yes", "no", "end", "expect",
];

/// A model loaded for `dialog`.
pub struct SentenceReader {
    matcher: Matcher,
    intents: Vec<String>,
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
    pub fn load(path: &Path, locale: Option<&str>) -> anyhow::Result<Self> {
        let model = InteractionModelFile::from_path(path)?;
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
            intents,
        })
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
