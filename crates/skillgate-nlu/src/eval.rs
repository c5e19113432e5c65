//! Labelled cases (`testdata/nlu/README.md` format) and accuracy per kind.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;
use serde_json::Value;
use time::Date;

use crate::{MatchResult, Matcher};

/// One labelled utterance.
#[derive(Debug, Clone, Deserialize)]
pub struct Case {
    /// The sentence.
    pub utterance: String,
    /// The expected intent (`null`: no intent).
    pub intent: Option<String>,
    /// Expected spoken slot values.
    #[serde(default)]
    pub slots: HashMap<String, String>,
    /// `sample`, `heldout`, `human`…
    #[serde(default)]
    pub kind: String,
    /// Expected resolved values (digits for numbers).
    #[serde(default)]
    pub resolved: HashMap<String, Value>,
    /// Other readings that count as right.
    #[serde(default)]
    pub alt: Vec<AltReading>,
}

/// Another acceptable reading of a case.
#[derive(Debug, Clone, Deserialize)]
pub struct AltReading {
    /// The intent.
    pub intent: Option<String>,
    /// The slots.
    #[serde(default)]
    pub slots: HashMap<String, String>,
}

/// Why parsing a cases file failed.
#[derive(Debug, thiserror::Error)]
#[error("line {line}: {source}")]
pub struct CaseError {
    /// 1-based line number.
    pub line: usize,
    /// The JSON error.
    #[source]
    pub source: serde_json::Error,
}

/// Parses JSON Lines of cases (blank lines skipped).
pub fn parse_cases(text: &str) -> Result<Vec<Case>, CaseError> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|source| CaseError {
                line: i + 1,
                source,
            })
        })
        .collect()
}

/// Whether `result` gets the intent right, and exactly right (intent and every slot).
pub fn score_case(case: &Case, result: &MatchResult) -> (bool, bool) {
    let readings = std::iter::once((&case.intent, &case.slots))
        .chain(case.alt.iter().map(|a| (&a.intent, &a.slots)));
    let mut intent_ok = false;
    for (intent, slots) in readings {
        if *intent != result.intent {
            continue;
        }
        intent_ok = true;
        let exact = result.slots.len() == slots.len()
            && result.slots.iter().all(|s| {
                slots.get(&s.name).is_some_and(|want| {
                    want.eq_ignore_ascii_case(&s.spoken)
                        || want.to_lowercase() == s.spoken.to_lowercase()
                        || case
                            .resolved
                            .get(&s.name)
                            .and_then(Value::as_str)
                            .is_some_and(|digits| digits == s.value)
                })
            });
        if exact {
            return (true, true);
        }
    }
    (intent_ok, false)
}

/// Counts of one kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Cases.
    pub total: usize,
    /// Intent right.
    pub intent: usize,
    /// Intent and all slots right.
    pub exact: usize,
}

impl Tally {
    /// Intent accuracy, 0..=1 (1 when empty).
    pub fn intent_rate(&self) -> f64 {
        if self.total == 0 {
            1.0
        } else {
            self.intent as f64 / self.total as f64
        }
    }
    /// Exact accuracy, 0..=1 (1 when empty).
    pub fn exact_rate(&self) -> f64 {
        if self.total == 0 {
            1.0
        } else {
            self.exact as f64 / self.total as f64
        }
    }
    fn add(&mut self, intent: bool, exact: bool) {
        self.total += 1;
        self.intent += usize::from(intent);
        self.exact += usize::from(exact);
    }
}

/// The outcome of running cases: per kind, overall, and the misses.
#[derive(Debug, Default)]
pub struct Report {
    /// Per `kind`.
    pub kinds: BTreeMap<String, Tally>,
    /// All cases.
    pub overall: Tally,
    /// Cases not exactly right: the case and what the matcher said.
    pub misses: Vec<(Case, MatchResult)>,
}

/// Runs every case through `matcher`.
pub fn run_cases(matcher: &Matcher, cases: &[Case], today: Date) -> Report {
    let mut report = Report::default();
    for case in cases {
        let result = matcher.match_sentence(&case.utterance, today);
        let (intent, exact) = score_case(case, &result);
        report
            .kinds
            .entry(case.kind.clone())
            .or_default()
            .add(intent, exact);
        report.overall.add(intent, exact);
        if !exact {
            report.misses.push((case.clone(), result));
        }
    }
    report
}
