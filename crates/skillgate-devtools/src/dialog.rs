//! The dialog script language and the state of a multi-turn conversation. Sans-IO: the
//! caller sends the envelopes this module builds and feeds the answers back.
//!
//! # Syntax (one command per line)
//!
//! | line | meaning |
//! |---|---|
//! | `launch` | a `LaunchRequest` |
//! | `TurnOnIntent device=light room="living room"` | an `IntentRequest` with slots (`"…"` for spaces) |
//! | `AMAZON.HelpIntent` | an intent without slots |
//! | `device=light` | re-send the pending intent (the last one, or the skill's `updatedIntent`) with this slot filled |
//! | `=light` | fill the slot the last `Dialog.ElicitSlot` asked for |
//! | `yes` / `no` | answer a `Dialog.ConfirmIntent`: re-send the pending intent `CONFIRMED` / `DENIED` |
//! | `end [REASON]` | a `SessionEndedRequest` (default `USER_INITIATED`) |
//! | `new` | start a new session (fresh id, no attributes) without telling the skill |
//! | `expect speech contains TEXT` | assertion (also `reprompt`, `card`; `not contains`) |
//! | `expect directive Dialog.ElicitSlot` | assertion: a directive of that type was returned |
//! | `expect session ends` / `expect session open` | assertion on the session |
//! | `expect status 400` | assertion on the HTTP status of the last answer |
//! | `# …` or an empty line | ignored |
//! | `quit` / `exit` | stop |

use serde_json::Value;
use time::OffsetDateTime;

use crate::envelope::{self, DialogState, Identity, Intent, RequestKind, Session};
use crate::render::Answer;

/// A field an expectation looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// The output speech.
    Speech,
    /// The reprompt.
    Reprompt,
    /// The card title and text.
    Card,
}

/// An assertion on the last answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expectation {
    /// The field contains (or, `negated`, does not contain) the text, case-insensitively.
    Contains {
        /// Which field.
        field: Field,
        /// The text looked for.
        text: String,
        /// `not contains`.
        negated: bool,
    },
    /// A directive of this type was returned.
    Directive(String),
    /// The session ends (`true`) or stays open (`false`).
    SessionEnds(bool),
    /// The HTTP status of the last answer.
    Status(u16),
}

/// One parsed line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `launch`.
    Launch,
    /// `IntentName slot=value …`.
    Intent(Intent),
    /// `slot=value …` or `=value`: fill slots of the pending intent (`None` = the slot
    /// the skill asked for).
    Fill(Vec<(Option<String>, String)>),
    /// `yes` / `no`.
    Confirm(bool),
    /// `end [REASON]`.
    End(String),
    /// `new`.
    NewSession,
    /// `expect …`.
    Expect(Expectation),
    /// `quit` / `exit`.
    Quit,
}

/// A line that could not be understood or a command that cannot be sent now.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DialogError(pub String);

fn err(s: impl Into<String>) -> DialogError {
    DialogError(s.into())
}

/// Splits on whitespace, keeping `"…"` together (quotes removed, `\"` for a quote).
fn tokens(line: &str) -> Result<Vec<String>, DialogError> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_quotes = false;
    let mut started = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' if in_quotes => match chars.next() {
                Some(n) => cur.push(n),
                None => return Err(err("a backslash ends the line")),
            },
            '"' => {
                in_quotes = !in_quotes;
                started = true;
            }
            c if c.is_whitespace() && !in_quotes => {
                if started {
                    out.push(std::mem::take(&mut cur));
                    started = false;
                }
            }
            c => {
                cur.push(c);
                started = true;
            }
        }
    }
    if in_quotes {
        return Err(err("unclosed quote"));
    }
    if started {
        out.push(cur);
    }
    Ok(out)
}

fn slot_pair(token: &str) -> Result<(String, String), DialogError> {
    match token.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => Err(err(format!("expected slot=value, got `{token}`"))),
    }
}

fn parse_expect(rest: &[String]) -> Result<Expectation, DialogError> {
    let usage = "expect speech|reprompt|card [not] contains TEXT | expect directive TYPE | expect session ends|open | expect status CODE";
    let Some(what) = rest.first() else {
        return Err(err(usage));
    };
    match what.as_str() {
        "speech" | "reprompt" | "card" => {
            let field = match what.as_str() {
                "speech" => Field::Speech,
                "reprompt" => Field::Reprompt,
                _ => Field::Card,
            };
            let (negated, at) = match rest.get(1).map(String::as_str) {
                Some("not") => (true, 2),
                _ => (false, 1),
            };
            if rest.get(at).map(String::as_str) != Some("contains") || rest.len() <= at + 1 {
                return Err(err(usage));
            }
            Ok(Expectation::Contains {
                field,
                text: rest[at + 1..].join(" "),
                negated,
            })
        }
        "directive" => match rest.get(1) {
            Some(kind) if rest.len() == 2 => Ok(Expectation::Directive(kind.clone())),
            _ => Err(err(usage)),
        },
        "session" => match rest.get(1).map(String::as_str) {
            Some("ends") | Some("ended") => Ok(Expectation::SessionEnds(true)),
            Some("open") | Some("stays") => Ok(Expectation::SessionEnds(false)),
            _ => Err(err(usage)),
        },
        "status" => rest
            .get(1)
            .and_then(|s| s.parse().ok())
            .map(Expectation::Status)
            .ok_or_else(|| err(usage)),
        _ => Err(err(usage)),
    }
}

/// Parses one line; `Ok(None)` for blank lines and comments.
pub fn parse_line(line: &str) -> Result<Option<Command>, DialogError> {
    let trimmed = line.trim();
    if trimmed.is_empty() || trimmed.starts_with('#') {
        return Ok(None);
    }
    let toks = tokens(trimmed)?;
    let Some(first) = toks.first() else {
        return Ok(None);
    };
    let rest = &toks[1..];
    let no_args = |cmd: Command| {
        if rest.is_empty() {
            Ok(Some(cmd))
        } else {
            Err(err(format!("`{first}` takes no arguments")))
        }
    };
    match first.as_str() {
        "launch" => no_args(Command::Launch),
        "new" => no_args(Command::NewSession),
        "quit" | "exit" => no_args(Command::Quit),
        "yes" => no_args(Command::Confirm(true)),
        "no" => no_args(Command::Confirm(false)),
        "end" => match rest {
            [] => Ok(Some(Command::End("USER_INITIATED".into()))),
            [reason] => Ok(Some(Command::End(reason.clone()))),
            _ => Err(err(
                "usage: end [USER_INITIATED|ERROR|EXCEEDED_MAX_REPROMPTS]",
            )),
        },
        "expect" => parse_expect(rest).map(|e| Some(Command::Expect(e))),
        _ if first.contains('=') => {
            let mut fills = Vec::new();
            for t in &toks {
                if let Some(value) = t.strip_prefix('=') {
                    fills.push((None, value.to_string()));
                } else {
                    let (k, v) = slot_pair(t)?;
                    fills.push((Some(k), v));
                }
            }
            Ok(Some(Command::Fill(fills)))
        }
        name => {
            let mut intent = Intent::named(name);
            for t in rest {
                let (k, v) = slot_pair(t)?;
                intent.set_slot(&k, &v);
            }
            Ok(Some(Command::Intent(intent)))
        }
    }
}

/// The state carried between turns: session id and attributes, the pending intent and
/// the slot the skill asked for, the last answer.
#[derive(Debug, Clone)]
pub struct Conversation {
    identity: Identity,
    session: Session,
    pending: Option<Intent>,
    elicited: Option<String>,
    last_status: Option<u16>,
    last: Option<Answer>,
}

impl Conversation {
    /// A conversation for `identity`, starting a new session.
    pub fn new(identity: Identity) -> Self {
        Self {
            identity,
            session: Session::fresh(),
            pending: None,
            elicited: None,
            last_status: None,
            last: None,
        }
    }

    /// The current session (id, `new`, attributes).
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// The slot the skill asked for last turn, if any.
    pub fn elicited_slot(&self) -> Option<&str> {
        self.elicited.as_deref()
    }

    /// The intent the next slot fill or confirmation applies to, if any.
    pub fn pending(&self) -> Option<&Intent> {
        self.pending.as_ref()
    }

    /// The last answer, if the last request got one.
    pub fn last_answer(&self) -> Option<&Answer> {
        self.last.as_ref()
    }

    fn restart(&mut self) {
        self.session = Session::fresh();
        self.pending = None;
        self.elicited = None;
    }

    fn pending_intent(&self) -> Result<Intent, DialogError> {
        self.pending
            .clone()
            .ok_or_else(|| err("no pending intent to fill: send an intent first"))
    }

    /// The request envelope for a sending command (`launch`, an intent, a fill, `yes`/`no`,
    /// `end`); `Ok(None)` for commands that send nothing (`new`, `expect`, `quit`).
    pub fn request_for(
        &mut self,
        command: &Command,
        now: OffsetDateTime,
    ) -> Result<Option<Value>, DialogError> {
        let kind = match command {
            Command::Launch => RequestKind::Launch,
            Command::Intent(intent) => {
                let mut intent = intent.clone();
                // A completed intent (after a delegated dialog) keeps its state.
                if intent.dialog_state != Some(DialogState::Completed) {
                    intent.dialog_state = Some(DialogState::Started);
                }
                RequestKind::Intent(intent)
            }
            Command::Fill(fills) => {
                let mut intent = self.pending_intent()?;
                for (slot, value) in fills {
                    let name = match slot {
                        Some(s) => s.clone(),
                        None => self.elicited.clone().ok_or_else(|| {
                            err("`=value` fills the slot the skill asked for, but it asked for none")
                        })?,
                    };
                    intent.set_slot(&name, value);
                }
                intent.dialog_state = Some(DialogState::InProgress);
                RequestKind::Intent(intent)
            }
            Command::Confirm(yes) => {
                let mut intent = self.pending_intent()?;
                intent.confirmation = if *yes { "CONFIRMED" } else { "DENIED" }.into();
                intent.dialog_state = Some(DialogState::InProgress);
                RequestKind::Intent(intent)
            }
            Command::End(reason) => RequestKind::SessionEnded {
                reason: reason.clone(),
            },
            Command::NewSession => {
                self.restart();
                return Ok(None);
            }
            Command::Expect(_) | Command::Quit => return Ok(None),
        };
        if let RequestKind::Intent(intent) = &kind {
            self.pending = Some(intent.clone());
            self.elicited = None;
        }
        let envelope = envelope::build(&kind, &self.identity, &self.session, now);
        if matches!(kind, RequestKind::SessionEnded { .. }) {
            // Alexa sends nothing more in this session; the next line starts a new one.
            self.restart();
        }
        Ok(Some(envelope))
    }

    /// Takes the answer to the last request: HTTP status and, for a JSON body, the
    /// response envelope. Carries `sessionAttributes` over, remembers what a dialog
    /// directive asks for, and starts a new session when this one ends.
    pub fn absorb(&mut self, status: u16, body: Option<&Value>) -> Option<&Answer> {
        self.last_status = Some(status);
        self.last = None;
        let envelope = body.filter(|_| status == 200)?;
        let answer = Answer::from_envelope(envelope);
        self.session.new = false;
        self.session.attributes = answer.session_attributes.clone();
        for d in &answer.directives {
            if let Some(updated) = &d.updated_intent {
                let mut intent = updated.clone();
                intent.dialog_state = Some(DialogState::InProgress);
                self.pending = Some(intent);
            }
            if d.kind == "Dialog.ElicitSlot" {
                self.elicited = d.slot.clone();
            }
        }
        if answer.session_ends() {
            self.restart();
        }
        self.last = Some(answer);
        self.last.as_ref()
    }

    /// Checks an expectation against the last answer; `Err` says what was found instead.
    pub fn check(&self, expectation: &Expectation) -> Result<(), String> {
        if let Expectation::Status(want) = expectation {
            return match self.last_status {
                Some(s) if s == *want => Ok(()),
                Some(s) => Err(format!("expected status {want}, got {s}")),
                None => Err(format!("expected status {want}, but nothing was sent yet")),
            };
        }
        let Some(answer) = &self.last else {
            return Err(match self.last_status {
                Some(s) => format!("the last request got no answer envelope (status {s})"),
                None => "nothing was sent yet".into(),
            });
        };
        match expectation {
            Expectation::Contains {
                field,
                text,
                negated,
            } => {
                let (label, value) = match field {
                    Field::Speech => ("speech", answer.speech.clone()),
                    Field::Reprompt => ("reprompt", answer.reprompt.clone()),
                    Field::Card => (
                        "card",
                        answer.card.as_ref().map(|c| {
                            format!(
                                "{} {}",
                                c.title.as_deref().unwrap_or(""),
                                c.text.as_deref().unwrap_or("")
                            )
                        }),
                    ),
                };
                let found = value.clone().unwrap_or_default();
                let contains = found.to_lowercase().contains(&text.to_lowercase());
                if contains != *negated {
                    Ok(())
                } else {
                    let verb = if *negated {
                        "not to contain"
                    } else {
                        "to contain"
                    };
                    Err(format!(
                        "expected {label} {verb} \"{text}\", got {}",
                        value.map_or("nothing".into(), |v| format!("\"{v}\""))
                    ))
                }
            }
            Expectation::Directive(kind) => {
                if answer.directives.iter().any(|d| &d.kind == kind) {
                    Ok(())
                } else {
                    let got: Vec<&str> =
                        answer.directives.iter().map(|d| d.kind.as_str()).collect();
                    Err(format!(
                        "expected directive {kind}, got [{}]",
                        got.join(", ")
                    ))
                }
            }
            Expectation::SessionEnds(want) => {
                let ends = answer.session_ends();
                if ends == *want {
                    Ok(())
                } else {
                    Err(format!(
                        "expected the session to {}, but it {}",
                        if *want { "end" } else { "stay open" },
                        if ends { "ends" } else { "stays open" }
                    ))
                }
            }
            Expectation::Status(_) => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-22 02:00:00 UTC);

    fn parse(line: &str) -> Command {
        parse_line(line).unwrap().unwrap()
    }

    #[test]
    fn syntax() {
        assert_eq!(parse_line("  ").unwrap(), None);
        assert_eq!(parse_line("# comment").unwrap(), None);
        assert_eq!(parse("launch"), Command::Launch);
        assert_eq!(parse("quit"), Command::Quit);
        assert_eq!(parse("end"), Command::End("USER_INITIATED".into()));
        assert_eq!(parse("end ERROR"), Command::End("ERROR".into()));
        let Command::Intent(i) = parse(r#"TurnOnIntent device=light room="living room""#) else {
            panic!("not an intent");
        };
        assert_eq!(i.name, "TurnOnIntent");
        assert_eq!(
            i.slots,
            vec![
                ("device".into(), "light".into()),
                ("room".into(), "living room".into())
            ]
        );
        assert_eq!(
            parse("AMAZON.HelpIntent"),
            Command::Intent(Intent::named("AMAZON.HelpIntent"))
        );
        assert_eq!(parse("=light"), Command::Fill(vec![(None, "light".into())]));
        assert_eq!(
            parse("device=light room=hall"),
            Command::Fill(vec![
                (Some("device".into()), "light".into()),
                (Some("room".into()), "hall".into())
            ])
        );
        assert_eq!(parse("yes"), Command::Confirm(true));
        assert_eq!(
            parse("expect speech contains turned on"),
            Command::Expect(Expectation::Contains {
                field: Field::Speech,
                text: "turned on".into(),
                negated: false
            })
        );
        assert_eq!(
            parse("expect card not contains x"),
            Command::Expect(Expectation::Contains {
                field: Field::Card,
                text: "x".into(),
                negated: true
            })
        );
        assert_eq!(
            parse("expect directive Dialog.ElicitSlot"),
            Command::Expect(Expectation::Directive("Dialog.ElicitSlot".into()))
        );
        assert_eq!(
            parse("expect session ends"),
            Command::Expect(Expectation::SessionEnds(true))
        );
        assert_eq!(
            parse("expect status 400"),
            Command::Expect(Expectation::Status(400))
        );
    }

    #[test]
    fn syntax_errors_are_reported() {
        for bad in [
            "TurnOnIntent device",
            "TurnOnIntent =x",
            "launch now",
            r#"TurnOnIntent device="light"#,
            "expect",
            "expect speech light",
            "expect status abc",
            "expect weather sunny",
            "end a b",
        ] {
            assert!(parse_line(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn elicit_fill_flow_carries_session_and_slots() {
        let mut conv = Conversation::new(Identity::default());
        let first_session = conv.session().id.clone();
        let req = conv.request_for(&parse("launch"), NOW).unwrap().unwrap();
        assert_eq!(req["session"]["new"], true);
        conv.absorb(200, Some(&json!({"sessionAttributes": {"turn": 1},
            "response": {"outputSpeech": {"type": "PlainText", "text": "Welcome"}, "shouldEndSession": false}})));
        assert!(
            conv.check(&Expectation::Contains {
                field: Field::Speech,
                text: "welcome".into(),
                negated: false
            })
            .is_ok()
        );

        let req = conv
            .request_for(&parse("TurnOnIntent room=kitchen"), NOW)
            .unwrap()
            .unwrap();
        assert_eq!(req["session"]["sessionId"], first_session.as_str());
        assert_eq!(req["session"]["new"], false);
        assert_eq!(req["session"]["attributes"]["turn"], 1);
        assert_eq!(req["request"]["dialogState"], "STARTED");
        conv.absorb(
            200,
            Some(&json!({"response": {
            "outputSpeech": {"type": "PlainText", "text": "Which device?"},
            "directives": [{"type": "Dialog.ElicitSlot", "slotToElicit": "device"}],
            "shouldEndSession": false}})),
        );
        assert_eq!(conv.elicited_slot(), Some("device"));
        assert!(
            conv.check(&Expectation::Directive("Dialog.ElicitSlot".into()))
                .is_ok()
        );
        assert!(
            conv.check(&Expectation::Directive("Dialog.Delegate".into()))
                .is_err()
        );

        let req = conv.request_for(&parse("=light"), NOW).unwrap().unwrap();
        assert_eq!(req["request"]["intent"]["name"], "TurnOnIntent");
        assert_eq!(
            req["request"]["intent"]["slots"]["device"]["value"],
            "light"
        );
        assert_eq!(
            req["request"]["intent"]["slots"]["room"]["value"],
            "kitchen"
        );
        assert_eq!(req["request"]["dialogState"], "IN_PROGRESS");
        assert_eq!(conv.elicited_slot(), None);
        conv.absorb(
            200,
            Some(&json!({"response": {
            "outputSpeech": {"type": "PlainText", "text": "Done"}, "shouldEndSession": true}})),
        );
        assert!(conv.check(&Expectation::SessionEnds(true)).is_ok());
        assert!(conv.check(&Expectation::SessionEnds(false)).is_err());

        // The session ended: the next request starts a new one with no attributes.
        let req = conv
            .request_for(&parse("AMAZON.HelpIntent"), NOW)
            .unwrap()
            .unwrap();
        assert_ne!(req["session"]["sessionId"], first_session.as_str());
        assert_eq!(req["session"]["new"], true);
        assert_eq!(req["session"]["attributes"], json!({}));
    }

    #[test]
    fn updated_intent_becomes_pending_and_confirm_sets_status() {
        let mut conv = Conversation::new(Identity::default());
        assert!(conv.request_for(&parse("device=x"), NOW).is_err());
        conv.request_for(&parse("OrderIntent"), NOW).unwrap();
        conv.absorb(
            200,
            Some(
                &json!({"response": {"directives": [{"type": "Dialog.ConfirmIntent",
            "updatedIntent": {"name": "OrderIntent", "confirmationStatus": "NONE",
                "slots": {"size": {"name": "size", "value": "large"}}}}]}}),
            ),
        );
        assert!(
            conv.request_for(&parse("=x"), NOW).is_err(),
            "no slot was elicited"
        );
        let req = conv.request_for(&parse("yes"), NOW).unwrap().unwrap();
        assert_eq!(req["request"]["intent"]["confirmationStatus"], "CONFIRMED");
        assert_eq!(req["request"]["intent"]["slots"]["size"]["value"], "large");
    }

    #[test]
    fn errors_and_status_expectations() {
        let mut conv = Conversation::new(Identity::default());
        assert!(conv.check(&Expectation::Status(200)).is_err());
        conv.request_for(&parse("launch"), NOW).unwrap();
        assert!(conv.absorb(400, None).is_none());
        assert!(conv.check(&Expectation::Status(400)).is_ok());
        let e = conv
            .check(&Expectation::Contains {
                field: Field::Speech,
                text: "x".into(),
                negated: false,
            })
            .unwrap_err();
        assert!(e.contains("400"), "{e}");
        // `end` sends a SessionEndedRequest and starts afresh.
        let before = conv.session().id.clone();
        let req = conv.request_for(&parse("end"), NOW).unwrap().unwrap();
        assert_eq!(req["request"]["type"], "SessionEndedRequest");
        assert_eq!(req["session"]["sessionId"], before.as_str());
        assert_ne!(conv.session().id, before);
        assert!(conv.request_for(&parse("new"), NOW).unwrap().is_none());
    }
}
