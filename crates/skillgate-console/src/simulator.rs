//! The simulator pane: a sentence (matched with the skill's model) or an intent with slots
//! becomes a request signed by the dev CA and sent through the real server over HTTPS;
//! the session is carried between turns. Each turn shows what Alexa would say, the session
//! and persistent attributes after it, and the calls the skill made to the mock Alexa APIs.

use std::collections::{BTreeMap, VecDeque};
use std::path::PathBuf;
use std::sync::Arc;

use maud::{Markup, html};
use serde_json::Value;
use skillgate::{AttributesKey, AttributesStore};
use skillgate_alexa_api::Scope;
use skillgate_devtools::client::{Client, TrustOptions};
use skillgate_devtools::dialog::{Command, Conversation, parse_line};
use skillgate_devtools::envelope::{self, Identity, Intent};
use skillgate_devtools::render::Answer;
use skillgate_devtools::sign::Signer;
use skillgate_mock_alexa_api::{MockAlexaApi, MockConfig};
use skillgate_nlu::Outcome;

use crate::model_pane::SkillModel;

/// Turns kept in the transcript.
const TRANSCRIPT: usize = 50;

/// What the simulator needs before the server starts.
pub struct SimulatorSetup {
    /// Signs requests (the dev CA's `echo-api.amazon.com` certificate).
    pub signer: Signer,
    /// How the simulator trusts the server's certificate (the dev certificate).
    pub trust: TrustOptions,
    /// Where the mock Alexa API keeps its state and CA (`<data>/mock-alexa-api`); `None`:
    /// no mock (requests carry no API endpoint).
    pub mock_dir: Option<PathBuf>,
    /// The persistent-attributes store the skills use, to show attributes after a turn.
    pub store: Option<Arc<dyn AttributesStore>>,
}

impl std::fmt::Debug for SimulatorSetup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimulatorSetup")
            .field("mock_dir", &self.mock_dir)
            .finish_non_exhaustive()
    }
}

/// A skill the simulator can talk to, known once the server is bound.
#[derive(Debug, Clone)]
pub struct Target {
    /// The skill name.
    pub skill: String,
    /// Its URL on the running server (`https://127.0.0.1:PORT/alexa`).
    pub url: String,
    /// The application id requests carry.
    pub application_id: String,
}

/// One submitted turn (the simulator's form).
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct TurnForm {
    /// The skill.
    #[serde(default)]
    pub skill: String,
    /// `say`, `intent`, `launch`, `new` or `end`.
    #[serde(default)]
    pub mode: String,
    /// The sentence (`say`).
    #[serde(default)]
    pub text: String,
    /// The intent (`intent`).
    #[serde(default)]
    pub intent: String,
    /// `name=value …` (`intent`; quote values with spaces).
    #[serde(default)]
    pub slots: String,
}

/// The simulator's state: targets, client, mock, the conversation and its transcript.
pub struct Simulator {
    setup: SimulatorSetup,
    client: Option<Client>,
    targets: Vec<Target>,
    mock: Option<(MockAlexaApi, String)>,
    conversation: Option<(String, Conversation)>,
    transcript: VecDeque<String>,
    problem: Option<String>,
}

impl std::fmt::Debug for Simulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulator")
            .field("targets", &self.targets)
            .finish_non_exhaustive()
    }
}

impl Simulator {
    /// A simulator without targets yet.
    pub fn new(setup: SimulatorSetup) -> Self {
        Self {
            setup,
            client: None,
            targets: Vec::new(),
            mock: None,
            conversation: None,
            transcript: VecDeque::new(),
            problem: Some("the server has not started yet".to_owned()),
        }
    }

    /// Points the simulator at the running server, and starts the mock Alexa API.
    pub async fn attach(&mut self, targets: Vec<Target>) {
        self.targets = targets;
        self.problem = None;
        match Client::new(&self.setup.trust) {
            Ok(client) => self.client = Some(client),
            Err(e) => self.problem = Some(format!("cannot build the HTTPS client: {e}")),
        }
        if let Some(dir) = &self.setup.mock_dir {
            match MockAlexaApi::start(MockConfig::new(dir)).await {
                Ok(mock) => {
                    let token = mock.issue_token();
                    self.mock = Some((mock, token));
                }
                Err(e) => {
                    tracing::warn!(error = %e, "the console's mock Alexa API did not start");
                }
            }
        }
    }

    /// The skills that can be simulated.
    pub fn skills(&self) -> Vec<String> {
        self.targets.iter().map(|t| t.skill.clone()).collect()
    }

    /// Runs one turn and returns its rendering (also kept in the transcript).
    pub async fn turn(&mut self, models: &BTreeMap<String, SkillModel>, form: &TurnForm) -> Markup {
        let rendered = self.turn_inner(models, form).await;
        self.transcript.push_front(rendered.clone().into_string());
        self.transcript.truncate(TRANSCRIPT);
        rendered
    }

    async fn turn_inner(
        &mut self,
        models: &BTreeMap<String, SkillModel>,
        form: &TurnForm,
    ) -> Markup {
        if let Some(problem) = &self.problem {
            return failure(&form.text, problem);
        }
        let Some(target) = self
            .targets
            .iter()
            .find(|t| t.skill == form.skill)
            .or_else(|| self.targets.first())
            .cloned()
        else {
            return failure(&form.text, "no skill to talk to");
        };
        if self.conversation.as_ref().map(|(s, _)| s) != Some(&target.skill) {
            let identity = Identity {
                app_id: target.application_id.clone(),
                ..Identity::default()
            };
            self.conversation = Some((target.skill.clone(), Conversation::new(identity)));
        }
        let model = models.get(&target.skill);
        let said = match form.mode.as_str() {
            "say" => form.text.trim().to_owned(),
            "intent" => format!("{} {}", form.intent.trim(), form.slots.trim()),
            other => other.to_owned(),
        };
        let command = match self.command(model, form) {
            Ok(command) => command,
            Err(message) => return failure(&said, &message),
        };
        let Some((_, conversation)) = self.conversation.as_mut() else {
            return failure(&said, "no conversation");
        };
        let now = time::OffsetDateTime::now_utc();
        let mut request = match conversation.request_for(&command, now) {
            Ok(Some(request)) => request,
            Ok(None) => return note(&said, "a new session starts with the next turn"),
            Err(e) => return failure(&said, &e.to_string()),
        };
        if let Some((mock, token)) = &self.mock {
            inject(&mut request, &mock.endpoint(), token);
        }
        let body = envelope::to_body(&request);
        let headers = match self.setup.signer.sign(&body) {
            Ok(h) => h,
            Err(e) => return failure(&said, &format!("cannot sign: {e}")),
        };
        let Some(client) = &self.client else {
            return failure(&said, "no HTTPS client");
        };
        let reply = match client.send(&target.url, body, &headers).await {
            Ok(reply) => reply,
            Err(e) => return failure(&said, &e.to_string()),
        };
        let json = reply.json();
        let answer = conversation.absorb(reply.status, json.as_ref()).cloned();
        let session = conversation.session().attributes.clone();
        let calls: Vec<String> = self
            .mock
            .as_ref()
            .map(|(m, _)| m.drain_calls().iter().map(ToString::to_string).collect())
            .unwrap_or_default();
        let persistent = self.persistent(&target).await;
        render_turn(&Turn {
            said: &said,
            sent: &describe(&command),
            status: reply.status,
            answer: answer.as_ref(),
            session: &Value::Object(session),
            persistent: persistent.as_ref(),
            calls: &calls,
        })
    }

    fn command(&self, model: Option<&SkillModel>, form: &TurnForm) -> Result<Command, String> {
        match form.mode.as_str() {
            "launch" => return Ok(Command::Launch),
            "new" => return Ok(Command::NewSession),
            "end" => return Ok(Command::End("USER_INITIATED".to_owned())),
            "intent" => {
                let line = format!("{} {}", form.intent.trim(), form.slots.trim());
                return match parse_line(&line) {
                    Ok(Some(command @ Command::Intent(_))) => Ok(command),
                    Ok(_) => Err("pick an intent".to_owned()),
                    Err(e) => Err(e.to_string()),
                };
            }
            "say" => {}
            other => return Err(format!("unknown action {other:?}")),
        }
        let text = form.text.trim();
        if text.is_empty() {
            return Err("type a sentence".to_owned());
        }
        let Some(model) = model else {
            // No model: the dialog line syntax (`TurnOnIntent room=kitchen`).
            return match parse_line(text) {
                Ok(Some(command)) => Ok(command),
                Ok(None) => Err("nothing to send".to_owned()),
                Err(e) => Err(format!("this skill has no model; {e}")),
            };
        };
        let today = time::OffsetDateTime::now_utc().date();
        let elicited = self
            .conversation
            .as_ref()
            .and_then(|(_, c)| c.elicited_slot().map(str::to_owned));
        if let Some(slot) = elicited
            && let Some(fill) = model.matcher.match_slot_answer(text, &slot, today)
        {
            return Ok(Command::Fill(vec![(Some(slot), fill.value)]));
        }
        let result = model.matcher.match_sentence(text, today);
        if result.outcome == Outcome::Launch {
            return Ok(Command::Launch);
        }
        match result.intent {
            Some(name) => {
                let mut intent = Intent::named(name);
                for fill in &result.slots {
                    intent.set_slot(&fill.name, &fill.value);
                }
                Ok(Command::Intent(intent))
            }
            None => Err(format!(
                "nothing in the model matches ({:?}); try the Model pane",
                result.outcome
            )),
        }
    }

    async fn persistent(&self, target: &Target) -> Option<Value> {
        let store = self.setup.store.as_ref()?;
        let key = AttributesKey::user(
            target.application_id.clone(),
            Identity::default().user_id.clone(),
        );
        let loaded = tokio::time::timeout(std::time::Duration::from_secs(2), store.load(&key));
        match loaded.await {
            Ok(Ok(Some(stored))) => Some(stored.value),
            Ok(Ok(None)) => Some(Value::Null),
            _ => None,
        }
    }

    /// The simulator pane.
    pub fn page(&self, models: &BTreeMap<String, SkillModel>) -> Markup {
        let skills = self.skills();
        html! {
            section #simulator-pane {
                @if let Some(problem) = &self.problem { p.problem { (problem) } }
                form #say-form data-post="/console/simulator/turn" data-target="transcript"
                    data-mode="prepend" data-clear="text" {
                    input type="hidden" name="mode" value="say";
                    (skill_select(&skills))
                    input #say-text type="text" name="text" placeholder="turn on the kitchen light"
                        aria-label="sentence" autocomplete="off";
                    button type="submit" { "Say" }
                }
                form #intent-form data-post="/console/simulator/turn" data-target="transcript"
                    data-mode="prepend" {
                    input type="hidden" name="mode" value="intent";
                    (skill_select(&skills))
                    select name="intent" aria-label="intent" {
                        @for model in models.values() {
                            @for intent in &model.model.language_model().intents {
                                option value=(intent.name) { (model.name) ": " (intent.name) }
                            }
                        }
                    }
                    input type="text" name="slots" placeholder="room=kitchen" aria-label="slots";
                    button type="submit" { "Send intent" }
                }
                div.buttons {
                    @for (mode, label) in [("launch", "Launch"), ("end", "End session"), ("new", "New session")] {
                        form data-post="/console/simulator/turn" data-target="transcript"
                            data-mode="prepend" {
                            input type="hidden" name="mode" value=(mode);
                            (skill_select(&skills))
                            button type="submit" { (label) }
                        }
                    }
                }
                div #transcript {
                    @for turn in &self.transcript { (maud::PreEscaped(turn)) }
                }
                details #mock-panel open {
                    summary { "Mock Alexa APIs: permissions and switches" }
                    div #mock-state { (self.mock_panel()) }
                }
            }
        }
    }

    /// The mock's permission and failure switches, as a form.
    pub fn mock_panel(&self) -> Markup {
        let Some((mock, _)) = &self.mock else {
            return html! { p { "The mock Alexa API is not running." } };
        };
        let switches = mock.switches();
        html! {
            form #mock-form data-post="/console/simulator/mock" data-target="mock-state" {
                fieldset {
                    legend { "Permissions the user granted" }
                    @for scope in Scope::ALL {
                        label.check {
                            input type="checkbox" name=(format!("scope.{}", scope.as_str()))
                                checked[mock.is_granted(scope.as_str())];
                            (scope.as_str())
                        }
                    }
                }
                fieldset {
                    legend { "Failures" }
                    label.check { input type="checkbox" name="fail" checked[switches.fail]; "500 on every call" }
                    label.check { input type="checkbox" name="expired" checked[switches.expired_token]; "expired token (401)" }
                    label.check { input type="checkbox" name="ratelimit" checked[switches.rate_limited]; "rate limited (429)" }
                    label { "slow (ms) "
                        input type="number" name="slow_ms" min="0" max="60000"
                            value=(switches.slow.map(|d| d.as_millis()).unwrap_or(0));
                    }
                }
                button type="submit" { "Apply" }
            }
        }
    }

    /// Applies the mock panel's form.
    pub fn set_mock(&self, form: &BTreeMap<String, String>) {
        let Some((mock, _)) = &self.mock else { return };
        for scope in Scope::ALL {
            if form.contains_key(&format!("scope.{}", scope.as_str())) {
                mock.grant(scope.as_str());
            } else {
                mock.deny(scope.as_str());
            }
        }
        let mut switches = mock.switches();
        switches.fail = form.contains_key("fail");
        switches.expired_token = form.contains_key("expired");
        switches.rate_limited = form.contains_key("ratelimit");
        switches.slow = form
            .get("slow_ms")
            .and_then(|v| v.trim().parse::<u64>().ok())
            .filter(|ms| *ms > 0)
            .map(|ms| std::time::Duration::from_millis(ms.min(60_000)));
        mock.set_switches(switches);
    }
}

fn skill_select(skills: &[String]) -> Markup {
    html! {
        @if skills.len() > 1 {
            select name="skill" aria-label="skill" {
                @for skill in skills { option value=(skill) { (skill) } }
            }
        } @else {
            input type="hidden" name="skill" value=(skills.first().map(String::as_str).unwrap_or(""));
        }
    }
}

fn inject(request: &mut Value, endpoint: &str, token: &str) {
    if let Some(system) = request
        .pointer_mut("/context/System")
        .and_then(Value::as_object_mut)
    {
        system.insert("apiEndpoint".into(), Value::String(endpoint.to_owned()));
        system.insert("apiAccessToken".into(), Value::String(token.to_owned()));
    }
}

fn describe(command: &Command) -> String {
    match command {
        Command::Launch => "LaunchRequest".to_owned(),
        Command::Intent(intent) => {
            let slots: Vec<String> = intent
                .slots
                .iter()
                .map(|(n, v)| format!("{n}={v:?}"))
                .collect();
            format!("IntentRequest {} {}", intent.name, slots.join(" "))
        }
        Command::Fill(fills) => {
            let slots: Vec<String> = fills
                .iter()
                .map(|(n, v)| format!("{}={v:?}", n.as_deref().unwrap_or("?")))
                .collect();
            format!("IntentRequest (slot answer) {}", slots.join(" "))
        }
        Command::End(reason) => format!("SessionEndedRequest {reason}"),
        other => format!("{other:?}"),
    }
}

/// One turn's results, for [`render_turn`].
struct Turn<'a> {
    said: &'a str,
    sent: &'a str,
    status: u16,
    answer: Option<&'a Answer>,
    session: &'a Value,
    persistent: Option<&'a Value>,
    calls: &'a [String],
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}

fn render_turn(turn: &Turn<'_>) -> Markup {
    html! {
        article.turn {
            p.you { "you: " span.text { (turn.said) } }
            p.sent { "sent: " code { (turn.sent) } " → HTTP " (turn.status) }
            @if let Some(answer) = turn.answer {
                p.speech { "Alexa: " span.alexa-says { (answer.speech.as_deref().unwrap_or("(nothing)")) } }
                @if let Some(reprompt) = &answer.reprompt { p.reprompt { "reprompt: " (reprompt) } }
                @if let Some(card) = &answer.card {
                    div.card { strong { "card (" (card.kind) "): " (card.title.as_deref().unwrap_or("")) } p { (card.text.as_deref().unwrap_or("")) } }
                }
                @if !answer.directives.is_empty() {
                    ul.directives { @for d in &answer.directives { li { (d.describe()) } } }
                }
                p.ends { @if answer.session_ends() { "the session ends" } @else { "the session stays open" } }
            } @else {
                p.problem { "no answer (HTTP " (turn.status) ")" }
            }
            details {
                summary { "session attributes after the turn" }
                pre.json { (pretty(turn.session)) }
            }
            details {
                summary { "persistent attributes" }
                pre.json {
                    @match turn.persistent {
                        Some(v) => { (pretty(v)) }
                        None => { "(store not reachable from the console)" }
                    }
                }
            }
            div.calls {
                "Alexa API calls: "
                @if turn.calls.is_empty() { "none" }
                ul { @for call in turn.calls { li { (call) } } }
            }
        }
    }
}

fn failure(said: &str, message: &str) -> Markup {
    html! {
        article.turn.failed {
            p.you { "you: " span.text { (said) } }
            p.problem { (message) }
        }
    }
}

fn note(said: &str, message: &str) -> Markup {
    html! {
        article.turn {
            p.you { "you: " span.text { (said) } }
            p { (message) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_turn_escapes_what_the_skill_said() {
        let answer = Answer {
            speech: Some("<script>window.pwned=1</script>".into()),
            ..Answer::default()
        };
        let html = render_turn(&Turn {
            said: "<b>hi</b>",
            sent: "IntentRequest X",
            status: 200,
            answer: Some(&answer),
            session: &serde_json::json!({"k": "</pre><script>"}),
            persistent: None,
            calls: &["→ GET /v1/x 200".to_owned()],
        })
        .into_string();
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<b>"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }
}
