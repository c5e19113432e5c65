//! The model pane: a skill's interaction model (intents, samples, slot types), the
//! `model check` findings, and how the offline matcher understands a sentence.

use std::collections::BTreeMap;

use maud::{Markup, html};
use skillgate_interaction_model::InteractionModelFile;
use skillgate_interaction_model::check::{Finding, Severity, check};
use skillgate_nlu::{MatchResult, Matcher, Resolution};

/// A skill's model, its matcher and its findings (computed once).
pub struct SkillModel {
    /// The skill name.
    pub name: String,
    /// The locale of the model.
    pub locale: String,
    /// The model.
    pub model: InteractionModelFile,
    /// The matcher built from it.
    pub matcher: Matcher,
    /// `model check` findings.
    pub findings: Vec<Finding>,
}

impl std::fmt::Debug for SkillModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SkillModel")
            .field("name", &self.name)
            .field("locale", &self.locale)
            .finish_non_exhaustive()
    }
}

impl SkillModel {
    /// Builds the matcher and runs the checks.
    pub fn new(
        name: impl Into<String>,
        locale: impl Into<String>,
        model: InteractionModelFile,
    ) -> Self {
        let locale = locale.into();
        Self {
            name: name.into(),
            matcher: Matcher::new(&model, &locale),
            findings: check(&model),
            locale,
            model,
        }
    }
}

/// The model pane for `selected` (or the first skill with a model).
pub fn page(models: &BTreeMap<String, SkillModel>, selected: Option<&str>) -> Markup {
    let chosen = selected
        .and_then(|s| models.get(s))
        .or_else(|| models.values().next());
    let Some(model) = chosen else {
        return html! { p.empty { "No skill of this server has an interaction model the console knows." } };
    };
    let lm = model.model.language_model();
    html! {
        section #model-pane {
            @if models.len() > 1 {
                nav.skills {
                    @for name in models.keys() {
                        a href={ "/console/model?skill=" (name) } aria-current=[(name == &model.name).then_some("page")] { (name) }
                    }
                }
            }
            h2 { (model.name) " — invocation \"" (lm.invocation_name) "\" (" (model.locale) ")" }
            section.match-box {
                h3 { "How is a sentence matched?" }
                form #match-form data-post="/console/model/match" data-target="match-result" {
                    input type="hidden" name="skill" value=(model.name);
                    input #match-text type="text" name="text" placeholder="turn on the kitchen light"
                        aria-label="sentence" autocomplete="off";
                    button type="submit" { "Match" }
                }
                div #match-result {}
            }
            h3 { "model check" }
            @if model.findings.is_empty() {
                p.ok #findings { "No findings." }
            } @else {
                ul #findings {
                    @for f in &model.findings {
                        li.(if f.severity == Severity::Error { "error" } else { "warning" }) {
                            code { (f.code) } " " (f.path) ": " (f.message)
                        }
                    }
                }
            }
            h3 { "Intents (" (lm.intents.len()) ")" }
            div.intents {
                @for intent in &lm.intents {
                    details.intent {
                        summary {
                            strong { (intent.name) }
                            " — " (intent.samples().len()) " samples"
                            @for slot in intent.slots() { " " span.slot { (slot.name) ": " (slot.type_name) } }
                        }
                        ul.samples { @for sample in intent.samples() { li { (sample) } } }
                    }
                }
            }
            h3 { "Slot types" }
            div.types {
                @for t in lm.types.as_deref().unwrap_or_default() {
                    details {
                        summary { strong { (t.name) } " — " (t.values().len()) " values" }
                        ul {
                            @for v in t.values() {
                                li {
                                    (v.name.value)
                                    @if let Some(id) = &v.id { " (id " (id) ")" }
                                    @if !v.name.synonyms().is_empty() {
                                        " — synonyms: " (v.name.synonyms().join(", "))
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The match box's answer.
pub fn matched(result: &MatchResult) -> Markup {
    html! {
        dl.match {
            dt { "heard" } dd { (result.utterance) }
            dt { "intent" } dd #matched-intent { (result.intent.as_deref().unwrap_or("(none)")) }
            dt { "outcome" } dd { (format!("{:?}", result.outcome)) " / " (format!("{:?}", result.invocation)) }
            dt { "confidence" } dd { (format!("{:.2}", result.confidence)) }
            dt { "alternatives" } dd {
                @match &result.runner_up {
                    Some((name, score)) => { (name) " (" (format!("{score:.2}")) ")" }
                    None => { "none" }
                }
            }
        }
        @if !result.slots.is_empty() {
            table.slots {
                thead { tr { th { "slot" } th { "spoken" } th { "value" } th { "resolution" } } }
                tbody {
                    @for s in &result.slots {
                        tr {
                            td { (s.name) } td { (s.spoken) } td { (s.value) }
                            td {
                                @match &s.resolution {
                                    Some(Resolution::Match { value, id }) => {
                                        "match: " (value) @if let Some(id) = id { " (" (id) ")" }
                                    }
                                    Some(Resolution::NoMatch) => { "no match" }
                                    None => { "—" }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
