//! `check`: lints an interaction model against Amazon's documented rules and finds conflicts
//! (two intents, or two slot readings of one intent, that can produce the same sentence).
//!
//! Every [`Finding`] names the JSON path it is about, in the form serde errors use:
//! `interactionModel.languageModel.intents[3].samples[2]`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

use crate::sample::{Part, SampleProblem, normalize, normalize_joined, parse_sample};
use crate::{InteractionModelFile, LanguageModel};

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The console would reject the model, or Alexa cannot route a sentence.
    Error,
    /// Allowed, but against Amazon's guidance or likely to misroute.
    Warning,
}

/// One problem in a model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Error or warning.
    pub severity: Severity,
    /// A stable identifier of the rule (`sample-unknown-slot`).
    pub code: &'static str,
    /// The JSON path of the offending value.
    pub path: String,
    /// What is wrong, in words.
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{level}[{}] {}: {}", self.code, self.path, self.message)
    }
}

/// Maximum number of intents in a model.
pub const MAX_INTENTS: usize = 250;
/// Maximum characters of one sample utterance.
pub const MAX_SAMPLE_CHARS: usize = 200;
/// Maximum values (with synonyms not counted) of one custom slot type.
pub const MAX_TYPE_VALUES: usize = 50_000;
/// Maximum characters of an invocation name.
pub const MAX_INVOCATION_CHARS: usize = 50;
/// Most sample pairs compared for conflicts (bounds the time on huge models).
const MAX_CONFLICT_PAIRS: usize = 1_000_000;

const LM: &str = "interactionModel.languageModel";

/// Built-in intents every custom skill must declare.
pub const REQUIRED_INTENTS: [&str; 4] = [
    "AMAZON.CancelIntent",
    "AMAZON.HelpIntent",
    "AMAZON.StopIntent",
    "AMAZON.NavigateHomeIntent",
];

/// Lints `model`. Findings come in model order, errors and warnings mixed.
pub fn check(model: &InteractionModelFile) -> Vec<Finding> {
    let lm = model.language_model();
    let mut out = Findings::default();
    invocation(lm, &mut out);
    intents(lm, &mut out);
    types(lm, &mut out);
    dialog(model, &mut out);
    conflicts(lm, &mut out);
    out.0
}

#[derive(Default)]
struct Findings(Vec<Finding>);

impl Findings {
    fn error(&mut self, code: &'static str, path: String, message: String) {
        self.0.push(Finding {
            severity: Severity::Error,
            code,
            path,
            message,
        });
    }
    fn warn(&mut self, code: &'static str, path: String, message: String) {
        self.0.push(Finding {
            severity: Severity::Warning,
            code,
            path,
            message,
        });
    }
}

fn invocation(lm: &LanguageModel, out: &mut Findings) {
    let path = format!("{LM}.invocationName");
    let name = lm.invocation_name.as_str();
    if name.trim().is_empty() {
        out.error(
            "invocation-empty",
            path,
            "the invocation name is empty".into(),
        );
        return;
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_lowercase() || *c == ' ' || *c == '\'' || *c == '.'))
    {
        out.error(
            "invocation-characters",
            path.clone(),
            format!(
                "{c:?}: an invocation name may contain only lower-case letters, spaces, apostrophes and periods (spell numbers out)"
            ),
        );
    }
    let chars = name.chars().count();
    if !(2..=MAX_INVOCATION_CHARS).contains(&chars) {
        out.error(
            "invocation-length",
            path.clone(),
            format!("{chars} characters; an invocation name has 2 to {MAX_INVOCATION_CHARS}"),
        );
    }
    let words = normalize(name);
    if words.len() == 1 {
        out.warn(
            "invocation-one-word",
            path.clone(),
            "one-word invocation names are allowed only for a brand you own".into(),
        );
    }
    const LAUNCH: [&str; 12] = [
        "ask", "tell", "open", "launch", "start", "begin", "load", "run", "enable", "use",
        "resume", "play",
    ];
    const WAKE: [&str; 7] = [
        "alexa", "amazon", "echo", "computer", "ziggy", "skill", "app",
    ];
    for w in &words {
        if WAKE.contains(&w.as_str()) {
            out.error(
                "invocation-wake-word",
                path.clone(),
                format!("{w:?}: wake words and \"skill\"/\"app\" may not be in an invocation name"),
            );
        }
    }
    if let Some(first) = words.first().filter(|w| LAUNCH.contains(&w.as_str())) {
        out.error(
            "invocation-launch-phrase",
            path.clone(),
            format!("{first:?}: an invocation name may not contain a launch phrase"),
        );
    }
    const CONNECTING: [&str; 11] = [
        "to", "from", "by", "if", "and", "whether", "for", "about", "with", "the", "of",
    ];
    if words.len() == 2 && words.iter().any(|w| CONNECTING.contains(&w.as_str())) {
        out.error(
            "invocation-connecting-word",
            path,
            "a two-word invocation name may not contain articles or connecting words".into(),
        );
    }
}

fn is_builtin(name: &str) -> bool {
    name.starts_with("AMAZON.")
}

fn valid_intent_name(name: &str) -> bool {
    let base = name.strip_prefix("AMAZON.").unwrap_or(name);
    !base.is_empty() && base.chars().all(|c| c.is_ascii_alphabetic() || c == '_')
}

fn valid_slot_name(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn intents(lm: &LanguageModel, out: &mut Findings) {
    if lm.intents.len() > MAX_INTENTS {
        out.error(
            "limit-intents",
            format!("{LM}.intents"),
            format!("{} intents; the limit is {MAX_INTENTS}", lm.intents.len()),
        );
    }
    let custom_types: BTreeSet<&str> = lm.types.iter().flatten().map(|t| t.name.as_str()).collect();
    let mut names = HashMap::new();
    for (i, intent) in lm.intents.iter().enumerate() {
        let path = format!("{LM}.intents[{i}]");
        if let Some(first) = names.insert(intent.name.as_str(), i) {
            out.error(
                "intent-duplicate",
                format!("{path}.name"),
                format!("{:?} is already declared at intents[{first}]", intent.name),
            );
        }
        if !valid_intent_name(&intent.name) {
            out.error(
                "intent-name",
                format!("{path}.name"),
                format!(
                    "{:?}: intent names contain only letters and underscores",
                    intent.name
                ),
            );
        }
        let custom = !is_builtin(&intent.name);
        if custom && intent.samples().is_empty() {
            out.error(
                "intent-no-samples",
                format!("{path}.samples"),
                format!("custom intent {:?} has no sample utterances", intent.name),
            );
        }
        let mut slot_names = HashMap::new();
        let mut used = BTreeSet::new();
        for (s, slot) in intent.slots().iter().enumerate() {
            let spath = format!("{path}.slots[{s}]");
            if slot_names.insert(slot.name.as_str(), s).is_some() {
                out.error(
                    "slot-duplicate",
                    format!("{spath}.name"),
                    format!("slot {:?} is declared twice", slot.name),
                );
            }
            if !valid_slot_name(&slot.name) {
                out.error(
                    "slot-name",
                    format!("{spath}.name"),
                    format!(
                        "{:?}: slot names start with a letter and contain only letters, digits and underscores",
                        slot.name
                    ),
                );
            }
            if slot.type_name.is_empty() {
                out.error(
                    "slot-type-missing",
                    format!("{spath}.type"),
                    "no slot type".into(),
                );
            } else if !is_builtin(&slot.type_name)
                && !custom_types.contains(slot.type_name.as_str())
            {
                out.error(
                    "slot-type-unknown",
                    format!("{spath}.type"),
                    format!("slot type {:?} is not defined in types", slot.type_name),
                );
            }
            for (k, sample) in slot.samples.iter().flatten().enumerate() {
                let (parts, problems) = parse_sample(sample);
                let kpath = format!("{spath}.samples[{k}]");
                sample_problems(&problems, &kpath, out);
                if !parts
                    .iter()
                    .any(|p| matches!(p, Part::Slot(n) if *n == slot.name))
                {
                    out.error(
                        "slot-sample-without-slot",
                        kpath,
                        format!("a slot-filling sample must contain {{{}}}", slot.name),
                    );
                }
            }
        }
        let mut seen = HashMap::new();
        for (k, sample) in intent.samples().iter().enumerate() {
            let kpath = format!("{path}.samples[{k}]");
            if sample.chars().count() > MAX_SAMPLE_CHARS {
                out.error(
                    "limit-sample-length",
                    kpath.clone(),
                    format!("longer than {MAX_SAMPLE_CHARS} characters"),
                );
            }
            let (parts, problems) = parse_sample(sample);
            sample_problems(&problems, &kpath, out);
            if parts.is_empty() {
                out.error("sample-empty", kpath.clone(), "an empty sample".into());
                continue;
            }
            let key = normalize_joined(sample);
            if let Some(first) = seen.insert(key, k) {
                out.warn(
                    "sample-duplicate",
                    kpath.clone(),
                    format!("the same sample as samples[{first}]"),
                );
            }
            let mut in_sample = BTreeSet::new();
            for part in &parts {
                if let Part::Slot(name) = part {
                    used.insert(name.clone());
                    if !in_sample.insert(name.clone()) {
                        out.error(
                            "sample-slot-twice",
                            kpath.clone(),
                            format!("{{{name}}} appears more than once"),
                        );
                    }
                    match intent.slot(name) {
                        None => out.error(
                            "sample-unknown-slot",
                            kpath.clone(),
                            format!("{{{name}}} is not a slot of {}", intent.name),
                        ),
                        Some(slot) if slot.type_name == "AMAZON.SearchQuery" => {
                            if parts.iter().all(|p| matches!(p, Part::Slot(_))) {
                                out.error(
                                    "searchquery-carrier-phrase",
                                    kpath.clone(),
                                    format!(
                                        "{{{name}}} is an AMAZON.SearchQuery slot: its sample needs a carrier phrase"
                                    ),
                                );
                            }
                            if parts.iter().filter(|p| matches!(p, Part::Slot(_))).count() > 1 {
                                out.error(
                                    "searchquery-other-slot",
                                    kpath.clone(),
                                    "a sample with an AMAZON.SearchQuery slot may contain no other slot".into(),
                                );
                            }
                        }
                        Some(_) => {}
                    }
                }
            }
            if parts
                .windows(2)
                .any(|w| matches!((&w[0], &w[1]), (Part::Slot(_), Part::Slot(_))))
            {
                out.warn(
                    "sample-adjacent-slots",
                    kpath,
                    "two slots side by side: Alexa may split the words between them wrongly".into(),
                );
            }
        }
        if custom {
            for (s, slot) in intent.slots().iter().enumerate() {
                let elicited = slot.samples.as_ref().is_some_and(|v| !v.is_empty());
                if !used.contains(&slot.name) && !elicited {
                    out.warn(
                        "slot-unused",
                        format!("{path}.slots[{s}]"),
                        format!("slot {:?} appears in no sample", slot.name),
                    );
                }
            }
        }
    }
    for required in REQUIRED_INTENTS {
        if !names.contains_key(required) {
            let (code, sev) = if required == "AMAZON.NavigateHomeIntent" {
                ("intent-required-navigate-home", Severity::Warning)
            } else {
                ("intent-required", Severity::Error)
            };
            out.0.push(Finding {
                severity: sev,
                code,
                path: format!("{LM}.intents"),
                message: format!("{required} is required in every custom skill"),
            });
        }
    }
}

fn sample_problems(problems: &[SampleProblem], path: &str, out: &mut Findings) {
    for problem in problems {
        match problem {
            SampleProblem::UnbalancedBrace => {
                out.error("sample-braces", path.to_owned(), "unbalanced { or }".into())
            }
            SampleProblem::BadSlotReference(name) => out.error(
                "sample-slot-reference",
                path.to_owned(),
                format!("{{{name}}} is not a valid slot reference"),
            ),
            SampleProblem::SlotNotDelimited(name) => out.error(
                "sample-slot-delimited",
                path.to_owned(),
                format!("{{{name}}} must be separated from words by spaces"),
            ),
            SampleProblem::ForbiddenCharacter(c) => out.error(
                "sample-characters",
                path.to_owned(),
                format!(
                    "{c:?}: samples contain only letters, spaces, apostrophes, periods and hyphens"
                ),
            ),
            SampleProblem::Digit => out.error(
                "sample-digits",
                path.to_owned(),
                "numbers in samples must be spelled out (\"twenty two\", not \"22\")".into(),
            ),
        }
    }
}

fn types(lm: &LanguageModel, out: &mut Findings) {
    let mut names = HashMap::new();
    for (t, ty) in lm.types.iter().flatten().enumerate() {
        let path = format!("{LM}.types[{t}]");
        if names.insert(ty.name.as_str(), t).is_some() {
            out.error(
                "type-duplicate",
                format!("{path}.name"),
                format!("type {:?} is declared twice", ty.name),
            );
        }
        if is_builtin(&ty.name)
            || !ty.name.chars().all(|c| c.is_ascii_alphabetic() || c == '_')
            || ty.name.is_empty()
        {
            out.error(
                "type-name",
                format!("{path}.name"),
                format!("{:?}: custom slot type names contain only letters and underscores and do not start with AMAZON.", ty.name),
            );
        }
        let values = ty.values();
        if values.len() > MAX_TYPE_VALUES {
            out.error(
                "limit-type-values",
                format!("{path}.values"),
                format!("{} values; the limit is {MAX_TYPE_VALUES}", values.len()),
            );
        }
        if values.is_empty() && !ty.extra.contains_key("valueSupplier") {
            out.warn(
                "type-empty",
                format!("{path}.values"),
                format!("type {:?} has no values", ty.name),
            );
        }
        let mut spoken: HashMap<String, (usize, String)> = HashMap::new();
        let mut ids = HashMap::new();
        for (v, value) in values.iter().enumerate() {
            let vpath = format!("{path}.values[{v}]");
            if let Some(id) = value.id.as_deref().filter(|id| !id.is_empty()) {
                if let Some(first) = ids.insert(id, v) {
                    out.warn(
                        "type-id-duplicate",
                        format!("{vpath}.id"),
                        format!("id {id:?} is also used by values[{first}]"),
                    );
                }
            }
            if normalize(&value.name.value).is_empty() {
                out.error(
                    "type-value-empty",
                    format!("{vpath}.name.value"),
                    "an empty value".into(),
                );
            }
            let all = std::iter::once((format!("{vpath}.name.value"), &value.name.value)).chain(
                value
                    .name
                    .synonyms()
                    .iter()
                    .enumerate()
                    .map(|(k, s)| (format!("{vpath}.name.synonyms[{k}]"), s)),
            );
            for (p, text) in all {
                let key = normalize_joined(text);
                if key.is_empty() {
                    continue;
                }
                match spoken.get(&key) {
                    Some((first, _)) if *first != v => out.warn(
                        "type-value-ambiguous",
                        p,
                        format!("{text:?} is also a value or synonym of values[{first}]: entity resolution cannot tell them apart"),
                    ),
                    _ => {
                        spoken.insert(key, (v, p));
                    }
                }
            }
        }
    }
}

fn dialog(model: &InteractionModelFile, out: &mut Findings) {
    let im = &model.interaction_model;
    let lm = &im.language_model;
    let prompt_ids: BTreeSet<&str> = im.prompts.iter().flatten().map(|p| p.id.as_str()).collect();
    let Some(dialog) = &im.dialog else { return };
    if let Some(strategy) = &dialog.delegation_strategy {
        if strategy != "ALWAYS" && strategy != "SKILL_RESPONSE" {
            out.error(
                "dialog-delegation-strategy",
                "interactionModel.dialog.delegationStrategy".into(),
                format!("{strategy:?}: expected ALWAYS or SKILL_RESPONSE"),
            );
        }
    }
    let check_prompt = |id: &Option<String>, path: String, out: &mut Findings| {
        if let Some(id) = id {
            if !prompt_ids.contains(id.as_str()) {
                out.error(
                    "dialog-prompt-unknown",
                    path,
                    format!("prompt {id:?} is not in prompts"),
                );
            }
        }
    };
    for (i, di) in dialog.intents.iter().flatten().enumerate() {
        let path = format!("interactionModel.dialog.intents[{i}]");
        let Some(intent) = lm.intent(&di.name) else {
            out.error(
                "dialog-intent-unknown",
                format!("{path}.name"),
                format!("{:?} is not an intent of the language model", di.name),
            );
            continue;
        };
        if let Some(p) = &di.prompts {
            check_prompt(&p.confirmation, format!("{path}.prompts.confirmation"), out);
            if di.confirmation_required == Some(true) && p.confirmation.is_none() {
                out.error(
                    "dialog-confirmation-prompt",
                    format!("{path}.prompts"),
                    "confirmation is required but no confirmation prompt is given".into(),
                );
            }
        }
        for (s, ds) in di.slots().iter().enumerate() {
            let spath = format!("{path}.slots[{s}]");
            let Some(slot) = intent.slot(&ds.name) else {
                out.error(
                    "dialog-slot-unknown",
                    format!("{spath}.name"),
                    format!("{:?} is not a slot of {}", ds.name, intent.name),
                );
                continue;
            };
            if let Some(t) = &ds.type_name {
                if *t != slot.type_name {
                    out.error(
                        "dialog-slot-type",
                        format!("{spath}.type"),
                        format!(
                            "{t:?} differs from the language model's {:?}",
                            slot.type_name
                        ),
                    );
                }
            }
            let prompts = ds.prompts.as_ref();
            check_prompt(
                &prompts.and_then(|p| p.elicitation.clone()),
                format!("{spath}.prompts.elicitation"),
                out,
            );
            check_prompt(
                &prompts.and_then(|p| p.confirmation.clone()),
                format!("{spath}.prompts.confirmation"),
                out,
            );
            if ds.elicitation_required == Some(true)
                && prompts.and_then(|p| p.elicitation.as_ref()).is_none()
            {
                out.error(
                    "dialog-elicitation-prompt",
                    format!("{spath}.prompts"),
                    "elicitation is required but no elicitation prompt is given".into(),
                );
            }
            if ds.confirmation_required == Some(true)
                && prompts.and_then(|p| p.confirmation.as_ref()).is_none()
            {
                out.error(
                    "dialog-confirmation-prompt",
                    format!("{spath}.prompts"),
                    "confirmation is required but no confirmation prompt is given".into(),
                );
            }
            for (v, validation) in ds.validations().iter().enumerate() {
                check_prompt(
                    &Some(validation.prompt.clone()),
                    format!("{spath}.validations[{v}].prompt"),
                    out,
                );
            }
        }
    }
}

/// What a slot can stand for, for conflict detection.
#[derive(Debug)]
enum SlotRange {
    /// A finite set of normalized phrases (custom type values and synonyms).
    Phrases(BTreeSet<Vec<String>>),
    /// Numbers, spoken as words or digits.
    Number,
    /// Dates, times, durations, ordinals: phrases that do not start with a preposition.
    Typed,
    /// Any non-empty phrase (free text and other built-in types).
    Any,
}

const PREPOSITIONS: [&str; 10] = [
    "on", "in", "at", "for", "to", "from", "by", "of", "with", "about",
];

#[derive(Debug)]
enum Elem<'a> {
    Word(String),
    Slot(&'a str, &'a SlotRange),
}

fn slot_range(lm: &LanguageModel, type_name: &str) -> SlotRange {
    match type_name {
        "AMAZON.NUMBER" | "AMAZON.FOUR_DIGIT_NUMBER" => SlotRange::Number,
        "AMAZON.DATE" | "AMAZON.TIME" | "AMAZON.DURATION" | "AMAZON.Ordinal" => SlotRange::Typed,
        t => match lm.slot_type(t) {
            Some(ty) if !ty.values().is_empty() && !is_builtin(t) => SlotRange::Phrases(
                ty.values()
                    .iter()
                    .flat_map(|v| std::iter::once(&v.name.value).chain(v.name.synonyms()))
                    .map(|s| normalize(s))
                    .filter(|w| !w.is_empty())
                    .collect(),
            ),
            _ => SlotRange::Any,
        },
    }
}

const NUMBER_WORDS: [&str; 32] = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
    "thirty",
    "forty",
    "fifty",
    "sixty",
    "seventy",
    "eighty",
    "ninety",
    "hundred",
    "thousand",
    "million",
    "and",
];

fn phrase_in(range: &SlotRange, words: &[&str]) -> bool {
    if words.is_empty() {
        return false;
    }
    match range {
        SlotRange::Any => true,
        SlotRange::Typed => !PREPOSITIONS.contains(&words[0]),
        SlotRange::Number => words
            .iter()
            .all(|w| NUMBER_WORDS.contains(w) || w.chars().all(|c| c.is_ascii_digit())),
        SlotRange::Phrases(set) => set.contains(
            &words
                .iter()
                .map(|w| (*w).to_owned())
                .collect::<Vec<String>>(),
        ),
    }
}

fn ranges_overlap(a: &SlotRange, b: &SlotRange) -> bool {
    match (a, b) {
        (SlotRange::Any, _) | (_, SlotRange::Any) | (SlotRange::Number, SlotRange::Number) => true,
        (SlotRange::Typed, SlotRange::Typed)
        | (SlotRange::Typed, SlotRange::Number)
        | (SlotRange::Number, SlotRange::Typed) => true,
        (SlotRange::Typed, SlotRange::Phrases(p)) | (SlotRange::Phrases(p), SlotRange::Typed) => p
            .iter()
            .any(|x| !x.is_empty() && !PREPOSITIONS.contains(&x[0].as_str())),
        (SlotRange::Phrases(p), SlotRange::Phrases(q)) => p.iter().any(|x| q.contains(x)),
        (SlotRange::Phrases(p), SlotRange::Number) | (SlotRange::Number, SlotRange::Phrases(p)) => {
            p.iter().any(|x| {
                phrase_in(
                    &SlotRange::Number,
                    &x.iter().map(String::as_str).collect::<Vec<_>>(),
                )
            })
        }
    }
}

/// Whether some sentence can be produced by both templates (slots expanding to their ranges).
/// Slot-to-slot alignment is one slot to one slot, or a free-text slot to several elements.
fn unify(a: &[Elem<'_>], b: &[Elem<'_>], budget: &mut usize) -> bool {
    if *budget == 0 {
        return false;
    }
    *budget -= 1;
    match (a.first(), b.first()) {
        (None, None) => true,
        (None, Some(_)) | (Some(_), None) => false,
        (Some(Elem::Word(x)), Some(Elem::Word(y))) => x == y && unify(&a[1..], &b[1..], budget),
        (Some(Elem::Slot(_, r)), Some(Elem::Word(_))) => slot_vs(r, &a[1..], b, budget, false),
        (Some(Elem::Word(_)), Some(Elem::Slot(_, r))) => slot_vs(r, &b[1..], a, budget, true),
        (Some(Elem::Slot(_, r)), Some(Elem::Slot(_, q))) => {
            (ranges_overlap(r, q) && unify(&a[1..], &b[1..], budget))
                || slot_vs(r, &a[1..], b, budget, false)
                || slot_vs(q, &b[1..], a, budget, true)
        }
    }
}

/// A slot of range `r` (followed by `rest`) takes a prefix of the words of `other`.
fn slot_vs(
    r: &SlotRange,
    rest: &[Elem<'_>],
    other: &[Elem<'_>],
    budget: &mut usize,
    swapped: bool,
) -> bool {
    let mut words = Vec::new();
    for (k, e) in other.iter().enumerate() {
        match e {
            Elem::Word(w) => words.push(w.as_str()),
            Elem::Slot(..) if matches!(r, SlotRange::Any) => {
                // Free text swallows the other template's slot too.
                let ok = if swapped {
                    unify(&other[k + 1..], rest, budget)
                } else {
                    unify(rest, &other[k + 1..], budget)
                };
                if ok {
                    return true;
                }
                continue;
            }
            Elem::Slot(..) => break,
        }
        if phrase_in(r, &words) {
            let ok = if swapped {
                unify(&other[k + 1..], rest, budget)
            } else {
                unify(rest, &other[k + 1..], budget)
            };
            if ok {
                return true;
            }
        }
    }
    false
}

fn conflicts(lm: &LanguageModel, out: &mut Findings) {
    // Ranges of every (intent, slot).
    let mut ranges: BTreeMap<(usize, &str), SlotRange> = BTreeMap::new();
    for (i, intent) in lm.intents.iter().enumerate() {
        for slot in intent.slots() {
            ranges.insert((i, slot.name.as_str()), slot_range(lm, &slot.type_name));
        }
    }
    let any = SlotRange::Any;
    let mut templates = Vec::new();
    for (i, intent) in lm.intents.iter().enumerate() {
        for (k, sample) in intent.samples().iter().enumerate() {
            let (parts, _) = parse_sample(sample);
            let elems: Vec<Elem<'_>> = parts
                .into_iter()
                .map(|p| match p {
                    Part::Word(w) => Elem::Word(w),
                    Part::Slot(name) => {
                        let range = ranges
                            .iter()
                            .find(|((ii, n), _)| *ii == i && *n == name)
                            .map(|(_, r)| r)
                            .unwrap_or(&any);
                        let static_name: &str =
                            intent.slot(&name).map(|s| s.name.as_str()).unwrap_or("");
                        Elem::Slot(static_name, range)
                    }
                })
                .collect();
            if !elems.is_empty() {
                templates.push((i, k, elems));
            }
        }
    }
    let mut pairs = 0usize;
    for (x, (ia, ka, ea)) in templates.iter().enumerate() {
        for (ib, kb, eb) in &templates[x + 1..] {
            pairs += 1;
            if pairs > MAX_CONFLICT_PAIRS {
                return;
            }
            let plain = |e: &[Elem<'_>]| {
                e.iter()
                    .map(|e| match e {
                        Elem::Word(w) => w.clone(),
                        Elem::Slot(n, _) => format!("{{{n}}}"),
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            let (pa, pb) = (plain(ea), plain(eb));
            if ia == ib && pa == pb {
                continue; // duplicates are reported as such
            }
            let mut budget = 2_000;
            if !unify(ea, eb, &mut budget) {
                continue;
            }
            let (na, nb) = (&lm.intents[*ia].name, &lm.intents[*ib].name);
            let path = format!("{LM}.intents[{ib}].samples[{kb}]");
            if ia != ib {
                let exact = pa == pb;
                let message = format!(
                    "{pb:?} of {nb} and {pa:?} of {na} (intents[{ia}].samples[{ka}]) can be the same sentence"
                );
                if exact {
                    out.error("conflict-intents", path, message);
                } else {
                    out.warn("conflict-intents", path, message);
                }
            } else {
                out.warn(
                    "conflict-slot-readings",
                    path,
                    format!("{pb:?} and {pa:?} (samples[{ka}]) of {na} can be the same sentence with different slots"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(json: &str) -> InteractionModelFile {
        InteractionModelFile::from_json(json).unwrap()
    }

    #[test]
    fn unification() {
        let num = SlotRange::Number;
        let set = SlotRange::Phrases([vec!["light".to_string()]].into_iter().collect());
        let w = |s: &str| Elem::Word(s.into());
        let mut b = 1000;
        assert!(unify(
            &[w("turn"), Elem::Slot("d", &set)],
            &[w("turn"), w("light")],
            &mut b
        ));
        assert!(!unify(
            &[w("turn"), Elem::Slot("d", &set)],
            &[w("turn"), w("lamp")],
            &mut b
        ));
        assert!(!unify(
            &[w("is"), Elem::Slot("n", &num)],
            &[w("is"), w("it")],
            &mut b
        ));
        assert!(unify(
            &[Elem::Slot("n", &SlotRange::Any)],
            &[w("is"), Elem::Slot("n", &num)],
            &mut b
        ));
    }

    #[test]
    fn finds_rule_violations() {
        let m = model(
            r#"{"interactionModel":{"languageModel":{"invocationName":"Ask Alexa","intents":[
            {"name":"Bad Name","samples":["turn {x}"]},
            {"name":"A","slots":[{"name":"q","type":"AMAZON.SearchQuery"}],"samples":["{q}","play 5 songs"]},
            {"name":"B","samples":["play five songs"]}]}}}"#,
        );
        let found = check(&m);
        let codes: Vec<&str> = found.iter().map(|f| f.code).collect();
        for code in [
            "invocation-characters",
            "invocation-launch-phrase",
            "invocation-wake-word",
            "intent-name",
            "sample-unknown-slot",
            "searchquery-carrier-phrase",
            "sample-digits",
            "intent-required",
        ] {
            assert!(codes.contains(&code), "{code} missing from {found:#?}");
        }
        let unknown = found
            .iter()
            .find(|f| f.code == "sample-unknown-slot")
            .unwrap();
        assert_eq!(
            unknown.path,
            "interactionModel.languageModel.intents[0].samples[0]"
        );
    }

    #[test]
    fn finds_conflicts() {
        let m = model(
            r#"{"interactionModel":{"languageModel":{"invocationName":"home gate","intents":[
            {"name":"AMAZON.CancelIntent","samples":[]},{"name":"AMAZON.HelpIntent","samples":[]},
            {"name":"AMAZON.StopIntent","samples":[]},{"name":"AMAZON.NavigateHomeIntent","samples":[]},
            {"name":"OnIntent","slots":[{"name":"d","type":"DEV"}],"samples":["turn on the {d}"]},
            {"name":"LampIntent","samples":["turn on the lamp", "turn on the radio"]},
            {"name":"NumIntent","slots":[{"name":"n","type":"AMAZON.NUMBER"}],"samples":["turn on the {n}"]}
            ],"types":[{"name":"DEV","values":[{"name":{"value":"light","synonyms":["lamp"]}}]}]}}}"#,
        );
        let found = check(&m);
        let conflicts: Vec<&Finding> = found
            .iter()
            .filter(|f| f.code == "conflict-intents")
            .collect();
        assert_eq!(conflicts.len(), 1, "{found:#?}");
        assert_eq!(
            conflicts[0].path,
            "interactionModel.languageModel.intents[5].samples[0]"
        );
        assert!(
            found
                .iter()
                .all(|f| f.severity == Severity::Warning || f.code == "conflict-intents"),
            "{found:#?}"
        );
    }
}
