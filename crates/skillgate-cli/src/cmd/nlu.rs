//! `skillgate nlu`: what Alexa would understand from sentences, given an interaction model;
//! `skillgate nlu test`: accuracy over labelled cases.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use skillgate_interaction_model::InteractionModelFile;
use skillgate_nlu::eval::{parse_cases, run_cases};
use skillgate_nlu::{MatchResult, Matcher, Outcome};
use time::Date;

use super::Globals;

/// Arguments of `skillgate nlu`.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    model: ModelArgs,
    /// One JSON object per line: utterance, intent, slots, resolved, confidence.
    #[arg(long)]
    json: bool,
}

/// Subcommands of `skillgate nlu`.
#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Run labelled cases (JSON Lines) and print intent and exact accuracy per kind.
    Test(TestArgs),
}

/// The model and how to read it.
#[derive(Debug, clap::Args)]
pub struct ModelArgs {
    /// The interaction model (the console JSON).
    #[arg(long, value_name = "FILE")]
    model: Option<PathBuf>,
    /// Locale of the model (number words, fillers); default: from the file name, else en-US.
    #[arg(long)]
    locale: Option<String>,
    /// The request date relative dates are resolved against (YYYY-MM-DD); default: today (UTC).
    #[arg(long, value_name = "YYYY-MM-DD")]
    date: Option<String>,
}

/// Arguments of `skillgate nlu test`.
#[derive(Debug, clap::Args)]
struct TestArgs {
    #[command(flatten)]
    model: ModelArgs,
    /// Labelled cases, one JSON object per line (testdata/nlu/README.md format).
    #[arg(value_name = "CASES.jsonl")]
    cases: PathBuf,
    /// Fail (exit 1) when the overall intent accuracy is below this (0.95 or 95).
    #[arg(long, value_name = "X")]
    min_intent: Option<f64>,
    /// Fail (exit 1) when the overall exact accuracy is below this (0.90 or 90).
    #[arg(long, value_name = "Y")]
    min_exact: Option<f64>,
    /// Also list every case that was not exactly right.
    #[arg(long)]
    misses: bool,
}

/// Runs the subcommand.
pub fn run(args: Args, _globals: &Globals) -> anyhow::Result<ExitCode> {
    match args.command {
        Some(Command::Test(test)) => run_test(test),
        None => run_stdin(&args.model, args.json),
    }
}

/// Finds a locale such as `en-US` in a file name.
pub(crate) fn locale_from_path(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    let bytes = name.as_bytes();
    (0..bytes.len().saturating_sub(4)).find_map(|i| {
        let w = bytes.get(i..i + 5)?;
        let boundary_before = i == 0 || !bytes[i - 1].is_ascii_alphabetic();
        let boundary_after = bytes.get(i + 5).is_none_or(|b| !b.is_ascii_alphabetic());
        (boundary_before
            && boundary_after
            && w[0].is_ascii_lowercase()
            && w[1].is_ascii_lowercase()
            && (w[2] == b'-' || w[2] == b'_')
            && w[3].is_ascii_uppercase()
            && w[4].is_ascii_uppercase())
        .then(|| format!("{}-{}", &name[i..i + 2], &name[i + 3..i + 5]))
    })
}

fn load(args: &ModelArgs) -> anyhow::Result<(Matcher, Date)> {
    let path = args.model.as_ref().context("--model FILE is required")?;
    let model = InteractionModelFile::from_path(path)?;
    let locale = args
        .locale
        .clone()
        .or_else(|| locale_from_path(path))
        .unwrap_or_else(|| "en-US".to_owned());
    let date = match &args.date {
        Some(text) => {
            let format = time::macros::format_description!("[year]-[month]-[day]");
            Date::parse(text, format)
                .with_context(|| format!("--date {text:?}: expected YYYY-MM-DD"))?
        }
        None => time::OffsetDateTime::now_utc().date(),
    };
    Ok((Matcher::new(&model, &locale), date))
}

/// `TurnOnIntent device=light room=kitchen (0.93)`.
fn describe(result: &MatchResult) -> String {
    let mut line = match (&result.intent, result.outcome) {
        (_, Outcome::Launch) => "LaunchRequest".to_owned(),
        (Some(intent), _) => intent.clone(),
        (None, Outcome::Ambiguous) => "(ambiguous: no intent)".to_owned(),
        (None, _) => "(no intent)".to_owned(),
    };
    for slot in &result.slots {
        line.push_str(&format!(" {}={}", slot.name, slot.spoken));
        if slot.value != slot.spoken {
            line.push_str(&format!(" [{}]", slot.value));
        }
        if let Some(skillgate_nlu::Resolution::Match { value, id }) = &slot.resolution {
            if value != &slot.spoken || id.is_some() {
                line.push_str(&format!(
                    " [{value}{}]",
                    id.as_ref().map(|i| format!(" id={i}")).unwrap_or_default()
                ));
            }
        }
    }
    line.push_str(&format!(" ({:.2})", result.confidence));
    line
}

fn run_stdin(args: &ModelArgs, json: bool) -> anyhow::Result<ExitCode> {
    let (matcher, date) = load(args)?;
    let stdin = std::io::stdin();
    let mut out = std::io::stdout().lock();
    for line in stdin.lock().lines() {
        let line = line.context("reading standard input")?;
        let result = matcher.match_sentence(&line, date);
        let text = if json {
            result.to_line_json()
        } else {
            describe(&result)
        };
        if writeln!(out, "{text}").is_err() {
            break; // the reader went away (a closed pipe)
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn fraction(x: f64) -> f64 {
    if x > 1.0 { x / 100.0 } else { x }
}

fn run_test(args: TestArgs) -> anyhow::Result<ExitCode> {
    let (matcher, date) = load(&args.model)?;
    let text = std::fs::read_to_string(&args.cases)
        .with_context(|| format!("reading {}", args.cases.display()))?;
    let cases = parse_cases(&text).with_context(|| format!("{}", args.cases.display()))?;
    let report = run_cases(&matcher, &cases, date);
    println!(
        "{:<10} {:>5} {:>8} {:>8}",
        "kind", "cases", "intent", "exact"
    );
    for (kind, t) in &report.kinds {
        println!(
            "{:<10} {:>5} {:>7.1}% {:>7.1}%",
            kind,
            t.total,
            100.0 * t.intent_rate(),
            100.0 * t.exact_rate()
        );
    }
    let o = report.overall;
    println!(
        "{:<10} {:>5} {:>7.1}% {:>7.1}%",
        "overall",
        o.total,
        100.0 * o.intent_rate(),
        100.0 * o.exact_rate()
    );
    if args.misses {
        for (case, got) in &report.misses {
            println!(
                "miss [{}] {:?}: want {:?}, got {}",
                case.kind,
                case.utterance,
                case.intent,
                describe(got)
            );
        }
    }
    let mut ok = true;
    if let Some(min) = args.min_intent.map(fraction) {
        if o.intent_rate() < min {
            eprintln!(
                "intent accuracy {:.1}% is below {:.1}%",
                100.0 * o.intent_rate(),
                100.0 * min
            );
            ok = false;
        }
    }
    if let Some(min) = args.min_exact.map(fraction) {
        if o.exact_rate() < min {
            eprintln!(
                "exact accuracy {:.1}% is below {:.1}%",
                100.0 * o.exact_rate(),
                100.0 * min
            );
            ok = false;
        }
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locale_in_file_names() {
        assert_eq!(
            locale_from_path(Path::new("models/en-US.json")).as_deref(),
            Some("en-US")
        );
        assert_eq!(
            locale_from_path(Path::new("fact-de-DE.model.json")).as_deref(),
            Some("de-DE")
        );
        assert_eq!(locale_from_path(Path::new("model.json")), None);
        assert_eq!(locale_from_path(Path::new("é")), None);
    }
}
