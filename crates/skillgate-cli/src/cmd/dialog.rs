//! `skillgate dialog`: an interactive (or scripted) multi-turn session with a skill.

use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use skillgate_devtools::dialog::{Command, Conversation, parse_line};
use skillgate_devtools::envelope;

use super::Globals;
use super::invoke::{ConnectionArgs, IdentityArgs, dev_signer, runtime};
use super::mock_api::MockApi;

/// Options of `skillgate dialog`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Each line is one command:
  launch                               a LaunchRequest
  TurnOnIntent device=light room=hall  an IntentRequest with slots (\"…\" around values with spaces)
  AMAZON.HelpIntent                    an intent without slots
  device=light                         re-send the pending intent with this slot filled
  =light                               fill the slot the last Dialog.ElicitSlot asked for
  yes | no                             answer a Dialog.ConfirmIntent (CONFIRMED / DENIED)
  end [REASON]                         a SessionEndedRequest (default USER_INITIATED)
  new                                  start a new session
  expect speech contains TEXT          assertion (also reprompt/card, `not contains`)
  expect directive Dialog.ElicitSlot   assertion on the returned directives
  expect session ends|open             assertion on the session
  expect status 400                    assertion on the HTTP status
  turn on the kitchen light            with --model: a plain sentence, understood offline
  # comment                            ignored
  mock grant|deny SCOPE|all            the mock Alexa API: the user grants or denies a permission
  mock slow MS|off, mock fail|expired|ratelimit on|off
                                       the mock Alexa API misbehaves (see `mock help`)
  quit                                 stop

The session id and the session attributes carry over between turns; a new session starts
after the skill ends one. A failed `expect` makes the command exit with status 1.

Unless --no-mock-api, a local mock of Alexa's service APIs runs for the dialog: requests carry
its apiEndpoint and a token it issued, and each call the skill makes is printed
(`→ POST /v1/alerts/reminders 200`). Its state lives in DATA_DIR/mock-alexa-api; a skill server
started with `serve --dev-ca` trusts its certificate.")]
pub struct Args {
    /// The skill endpoint, e.g. https://127.0.0.1:8443/alexa.
    pub url: String,
    /// Read commands from this file instead of standard input.
    #[arg(long, value_name = "FILE")]
    pub script: Option<PathBuf>,
    /// Stop at the first failed expectation or refused request.
    #[arg(long)]
    pub fail_fast: bool,
    /// Keep Amazon's apiEndpoint in requests instead of starting the local mock API.
    #[arg(long)]
    pub no_mock_api: bool,
    /// An interaction model file, or the name of a native skill (`home`) for its declared
    /// model: plain sentences are understood with it (in the request's `--locale`); intent
    /// syntax still works.
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
    #[command(flatten)]
    pub identity: IdentityArgs,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// `TurnOnIntent device=light room=kitchen`.
fn describe_intent(intent: &skillgate_devtools::envelope::Intent) -> String {
    let mut text = intent.name.clone();
    for (name, value) in &intent.slots {
        text.push_str(&format!(" {name}={value}"));
    }
    text
}

/// Runs `skillgate dialog`.
pub fn run(args: Args, globals: &Globals) -> anyhow::Result<ExitCode> {
    let signer = dev_signer(globals)?;
    let client = args.connection.client(globals)?;
    let rt = runtime()?;
    let mut conversation = Conversation::new(args.identity.identity());
    let mock = if args.no_mock_api {
        None
    } else {
        Some(MockApi::start(&rt, globals)?)
    };
    let sentences = match &args.model {
        Some(path) => Some(super::dialog_nlu::SentenceReader::load(
            path,
            Some(&args.identity.locale),
        )?),
        None => None,
    };

    let interactive = args.script.is_none() && std::io::stdin().is_terminal();
    let lines: Box<dyn Iterator<Item = std::io::Result<String>>> = match &args.script {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            Box::new(
                text.lines()
                    .map(|l| Ok(l.to_string()))
                    .collect::<Vec<_>>()
                    .into_iter(),
            )
        }
        None => Box::new(std::io::stdin().lock().lines()),
    };
    let mut out = std::io::stdout().lock();
    let mut failures = 0usize;
    if interactive {
        writeln!(
            out,
            "Talking to {} (type `quit` to stop; see --help for the syntax)",
            args.url
        )?;
        if let Some(mock) = &mock {
            writeln!(out, "Mock Alexa API at {} (`mock help`)", mock.endpoint())?;
        }
        write!(out, "you> ")?;
        out.flush()?;
    }
    let mut delegation: Option<super::dialog_nlu::Delegation> = None;
    let mut pending_command: Option<Command> = None;
    for (index, line) in lines.enumerate() {
        let line = line.context("reading input")?;
        let number = index + 1;
        let prompt_next = |out: &mut std::io::StdoutLock<'_>| -> std::io::Result<()> {
            if interactive {
                write!(out, "you> ")?;
                out.flush()?;
            }
            Ok(())
        };
        if let Some(result) = mock.as_ref().and_then(|m| m.command(&line)) {
            if !interactive {
                writeln!(out, "> {}", line.trim())?;
            }
            match result {
                Ok(done) => writeln!(out, "  (mock) {done}")?,
                Err(why) if interactive => writeln!(out, "?? {why}")?,
                Err(why) => anyhow::bail!("line {number}: {why}"),
            }
            prompt_next(&mut out)?;
            continue;
        }
        let mut echoed = false;
        // Playing Alexa's part of a delegated dialog: the line answers Alexa's question.
        let answering = !line.trim().is_empty()
            && !line.trim_start().starts_with('#')
            && !matches!(
                line.split_whitespace().next(),
                Some("expect" | "quit" | "exit")
            );
        if let (Some(reader), true) = (sentences.as_ref(), answering) {
            if let Some(current) = delegation.take() {
                if !interactive {
                    writeln!(out, "> {}", line.trim())?;
                    echoed = true;
                }
                let today = time::OffsetDateTime::now_utc().date();
                match reader.answer(current, &line, today) {
                    super::dialog_nlu::AlexaTurn::Asks(next, prompt) => {
                        writeln!(out, "Alexa: {prompt}")?;
                        delegation = Some(next);
                        prompt_next(&mut out)?;
                        continue;
                    }
                    super::dialog_nlu::AlexaTurn::Send(command) => {
                        if let Command::Intent(intent) = &command {
                            writeln!(out, "→ {} (COMPLETED)", describe_intent(intent))?;
                        }
                        pending_command = Some(command);
                    }
                }
            }
        }
        let understood = sentences
            .as_ref()
            .filter(|_| pending_command.is_none())
            .map(|reader| {
                let today = time::OffsetDateTime::now_utc().date();
                reader.understand(&line, conversation.elicited_slot(), today)
            });
        let parsed = match pending_command.take() {
            Some(command) => Ok(Some(command)),
            None => match understood {
                Some(super::dialog_nlu::Understood::Command { command, shown }) => {
                    if !interactive {
                        writeln!(out, "> {}", line.trim())?;
                    }
                    writeln!(out, "{shown}")?;
                    Ok(Some(command))
                }
                Some(super::dialog_nlu::Understood::Nothing(shown)) => {
                    if !interactive {
                        writeln!(out, "> {}", line.trim())?;
                    }
                    writeln!(out, "{shown}")?;
                    Ok(None)
                }
                _ => parse_line(&line),
            },
        };
        let mut command = match parsed {
            Ok(Some(c)) => c,
            Ok(None) => {
                prompt_next(&mut out)?;
                continue;
            }
            Err(e) => {
                if interactive {
                    writeln!(out, "?? {e}")?;
                    prompt_next(&mut out)?;
                    continue;
                }
                anyhow::bail!("line {number}: {e}: `{}`", line.trim());
            }
        };
        if !interactive && !echoed && sentences.as_ref().is_none_or(|r| r.is_syntax_line(&line)) {
            writeln!(out, "> {}", line.trim())?;
        }
        // Auto-delegation: Alexa runs the intent's dialog before the skill sees it.
        if let (Some(reader), Command::Intent(intent)) = (sentences.as_ref(), &command) {
            let completed =
                intent.dialog_state == Some(skillgate_devtools::envelope::DialogState::Completed);
            if !completed && reader.auto_delegates(&intent.name) {
                match reader.delegate(intent) {
                    super::dialog_nlu::AlexaTurn::Asks(next, prompt) => {
                        writeln!(out, "Alexa: {prompt}")?;
                        delegation = Some(next);
                        prompt_next(&mut out)?;
                        continue;
                    }
                    super::dialog_nlu::AlexaTurn::Send(done) => command = done,
                }
            }
        }
        match &command {
            Command::Quit => break,
            Command::Expect(expectation) => {
                match conversation.check(expectation) {
                    Ok(()) => writeln!(out, "  ok")?,
                    Err(why) => {
                        failures += 1;
                        writeln!(out, "  FAILED (line {number}): {why}")?;
                        if args.fail_fast {
                            break;
                        }
                    }
                }
                prompt_next(&mut out)?;
                continue;
            }
            _ => {}
        }
        let envelope = match conversation.request_for(&command, time::OffsetDateTime::now_utc()) {
            Ok(Some(mut e)) => {
                if let Some(mock) = &mock {
                    mock.inject(&mut e);
                }
                e
            }
            Ok(None) => {
                if matches!(command, Command::NewSession) {
                    writeln!(out, "  (new session {})", conversation.session().id)?;
                }
                prompt_next(&mut out)?;
                continue;
            }
            Err(e) => {
                if interactive {
                    writeln!(out, "?? {e}")?;
                    prompt_next(&mut out)?;
                    continue;
                }
                anyhow::bail!("line {number}: {e}");
            }
        };
        let body = envelope::to_body(&envelope);
        let headers = signer.sign(&body)?;
        let reply = match rt.block_on(client.send(&args.url, body, &headers)) {
            Ok(r) => r,
            Err(e) if interactive => {
                writeln!(out, "!! {e}")?;
                conversation.absorb(0, None);
                prompt_next(&mut out)?;
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        let json = reply.json();
        if let Some(mock) = &mock {
            for call in mock.new_calls() {
                writeln!(out, "  {call}")?;
            }
        }
        match conversation.absorb(reply.status, json.as_ref()) {
            Some(answer) => {
                for l in answer.lines() {
                    writeln!(out, "{l}")?;
                }
                let delegated = answer
                    .directives
                    .iter()
                    .find(|d| d.kind == "Dialog.Delegate")
                    .cloned();
                if let Some(slot) = conversation.elicited_slot() {
                    writeln!(out, "  (answer with `=…` or `{slot}=…`)")?;
                }
                if let (Some(reader), Some(directive)) = (sentences.as_ref(), delegated) {
                    let intent = directive
                        .updated_intent
                        .clone()
                        .or_else(|| conversation.pending().cloned());
                    if let Some(intent) = intent {
                        match reader.delegate(&intent) {
                            super::dialog_nlu::AlexaTurn::Asks(next, prompt) => {
                                writeln!(out, "Alexa: {prompt}")?;
                                delegation = Some(next);
                            }
                            super::dialog_nlu::AlexaTurn::Send(done) => {
                                if let Command::Intent(i) = &done {
                                    writeln!(
                                        out,
                                        "→ {} (COMPLETED; send it with the next line)",
                                        describe_intent(i)
                                    )?;
                                }
                            }
                        }
                    }
                }
            }
            None => {
                writeln!(
                    out,
                    "HTTP {}: {}",
                    reply.status,
                    if reply.status == 200 {
                        "the body is not a JSON envelope"
                    } else {
                        "refused"
                    }
                )?;
                if args.fail_fast && !interactive {
                    failures += 1;
                    break;
                }
            }
        }
        prompt_next(&mut out)?;
    }
    if interactive {
        writeln!(out)?;
    }
    if failures > 0 {
        writeln!(out, "{failures} expectation(s) failed")?;
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}
