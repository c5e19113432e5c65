//! What each slot type accepts, and the table of every span of a sentence a slot type can fill.

use std::collections::HashMap;

use skillgate_interaction_model::{SlotType, sample::normalize};
use time::Date;

use crate::datetime::{parse_date, parse_duration, parse_time};
use crate::number::{parse_number, parse_ordinal};
use crate::words::fold;
use crate::{Lang, Resolution};

/// Longest phrase a free-text slot (AMAZON.SearchQuery, names…) takes.
pub const MAX_FREE_WORDS: usize = 12;
/// Longest out-of-list phrase a custom slot takes.
const MAX_UNLISTED_WORDS: usize = 4;
/// Quality of a custom slot filled with words not in its type (ER_SUCCESS_NO_MATCH).
const UNLISTED_QUALITY: f32 = 0.3;
/// Quality of a custom slot value found only after folding accents or plurals.
const FOLDED_QUALITY: f32 = 0.9;
/// Quality of free text: a little below a listed value, so a listed reading wins a tie.
const FREE_QUALITY: f32 = 0.85;

/// How a slot type is matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SlotKind {
    /// A custom type (index into the matcher's types).
    Custom(usize),
    /// AMAZON.NUMBER.
    Number,
    /// AMAZON.FOUR_DIGIT_NUMBER.
    FourDigit,
    /// AMAZON.Ordinal.
    Ordinal,
    /// AMAZON.DATE.
    Date,
    /// AMAZON.TIME.
    Time,
    /// AMAZON.DURATION.
    Duration,
    /// Any phrase: AMAZON.SearchQuery, names, cities, and every other built-in type.
    FreeText,
}

impl SlotKind {
    /// The kind of a built-in type name; unknown `AMAZON.*` types are free text.
    pub fn builtin(type_name: &str) -> Self {
        match type_name {
            "AMAZON.NUMBER" => SlotKind::Number,
            "AMAZON.FOUR_DIGIT_NUMBER" => SlotKind::FourDigit,
            "AMAZON.Ordinal" | "AMAZON.ORDINAL" => SlotKind::Ordinal,
            "AMAZON.DATE" => SlotKind::Date,
            "AMAZON.TIME" => SlotKind::Time,
            "AMAZON.DURATION" => SlotKind::Duration,
            _ => SlotKind::FreeText,
        }
    }

    /// The longest span this kind takes.
    pub fn max_words(self, types: &[CustomType]) -> usize {
        match self {
            SlotKind::Custom(t) => types
                .get(t)
                .map_or(1, |t| t.max_words.max(MAX_UNLISTED_WORDS)),
            SlotKind::Number => 12,
            SlotKind::FourDigit => 4,
            SlotKind::Ordinal => 4,
            SlotKind::Date => 8,
            SlotKind::Time => 6,
            SlotKind::Duration => 10,
            SlotKind::FreeText => MAX_FREE_WORDS,
        }
    }
}

/// A custom slot type prepared for lookups.
#[derive(Debug)]
pub struct CustomType {
    /// Canonical value and id of each value.
    pub values: Vec<(String, Option<String>)>,
    /// Normalized phrase (value or synonym) → value index.
    phrases: HashMap<String, usize>,
    /// Folded phrase → value index.
    folded: HashMap<String, usize>,
    /// Longest phrase in words.
    pub max_words: usize,
}

impl CustomType {
    /// Prepares a console slot type.
    pub fn new(ty: &SlotType, lang: Lang) -> Self {
        let mut phrases = HashMap::new();
        let mut folded = HashMap::new();
        let mut values = Vec::new();
        let mut max_words = 1;
        for (v, value) in ty.values().iter().enumerate() {
            values.push((value.name.value.clone(), value.id.clone()));
            for text in std::iter::once(&value.name.value).chain(value.name.synonyms()) {
                let words = crate::words::expand(&normalize(text), lang).0;
                if words.is_empty() {
                    continue;
                }
                max_words = max_words.max(words.len());
                let key = words.join(" ");
                folded.entry(fold_phrase(&key)).or_insert(v);
                phrases.entry(key).or_insert(v);
            }
        }
        Self {
            values,
            phrases,
            folded,
            max_words: max_words.min(20),
        }
    }

    fn lookup(&self, phrase: &str) -> Option<(usize, f32)> {
        if let Some(v) = self.phrases.get(phrase) {
            return Some((*v, 1.0));
        }
        let f = fold_phrase(phrase);
        if let Some(v) = self.folded.get(&f) {
            return Some((*v, FOLDED_QUALITY));
        }
        // plural / singular
        let alt = f
            .strip_suffix('s')
            .map(str::to_owned)
            .unwrap_or_else(|| format!("{f}s"));
        self.folded.get(&alt).map(|v| (*v, FOLDED_QUALITY * 0.95))
    }
}

/// [`fold`] of every word of `phrase`. `fold` maps character by character and keeps spaces,
/// so the whole phrase is folded at once (no list of words, one allocation).
fn fold_phrase(phrase: &str) -> String {
    fold(phrase)
}

/// One way a slot can be filled from a span of the sentence.
#[derive(Debug, Clone)]
pub struct Fill {
    /// 1 for a listed value or a parsed number/date; less for looser readings.
    pub quality: f32,
    /// The value Alexa sends (`slot.value` after number/date handling).
    pub value: String,
    /// Entity resolution.
    pub resolution: Option<Resolution>,
}

/// Every fill of every span, for one slot kind and one sentence.
#[derive(Debug)]
pub struct SpanTable {
    n: usize,
    max: usize,
    cells: Vec<Option<Fill>>,
    best: f32,
}

impl SpanTable {
    /// Computes the table of `kind` over `words`.
    pub fn new(
        kind: SlotKind,
        words: &[&str],
        lang: Lang,
        today: Date,
        types: &[CustomType],
        fillers: &dyn Fn(&str) -> bool,
    ) -> Self {
        let n = words.len();
        let max = kind.max_words(types).min(n.max(1));
        let mut cells = vec![None; n * max];
        for i in 0..n {
            for len in 1..=max.min(n - i) {
                let span = &words[i..i + len];
                cells[i * max + len - 1] = fill(kind, span, lang, today, types, fillers);
            }
        }
        let best = cells
            .iter()
            .flatten()
            .map(|f| f.quality)
            .fold(0.0, f32::max);
        Self {
            n,
            max,
            cells,
            best,
        }
    }

    /// The best quality of any span (0 when the type fits nowhere in the sentence).
    pub fn best(&self) -> f32 {
        self.best
    }

    /// The fill of words `i..j`.
    pub fn get(&self, i: usize, j: usize) -> Option<&Fill> {
        if j <= i || j > self.n || j - i > self.max {
            return None;
        }
        self.cells.get(i * self.max + (j - i) - 1)?.as_ref()
    }

    /// The longest span.
    pub fn max(&self) -> usize {
        self.max
    }
}

fn plain(quality: f32, value: String) -> Option<Fill> {
    Some(Fill {
        quality,
        value,
        resolution: None,
    })
}

fn fill(
    kind: SlotKind,
    span: &[&str],
    lang: Lang,
    today: Date,
    types: &[CustomType],
    fillers: &dyn Fn(&str) -> bool,
) -> Option<Fill> {
    match kind {
        SlotKind::Custom(t) => {
            let ty = types.get(t)?;
            let phrase = span.join(" ");
            if let Some((v, quality)) = ty.lookup(&phrase) {
                let (value, id) = ty.values.get(v)?.clone();
                return Some(Fill {
                    quality,
                    value: phrase,
                    resolution: Some(Resolution::Match { value, id }),
                });
            }
            // Out-of-list words: allowed, but they must not start or end with filler words.
            if span.len() > MAX_UNLISTED_WORDS || fillers(span[0]) || fillers(span[span.len() - 1])
            {
                return None;
            }
            Some(Fill {
                quality: UNLISTED_QUALITY,
                value: phrase,
                resolution: Some(Resolution::NoMatch),
            })
        }
        SlotKind::Number => parse_number(span, lang)
            .map(|n| n.to_string())
            .and_then(|v| plain(1.0, v)),
        SlotKind::FourDigit => {
            let digits: Option<String> = if let [w] = span {
                (w.len() == 4 && w.chars().all(|c| c.is_ascii_digit())).then(|| (*w).to_owned())
            } else {
                // "one two three four", "twenty twenty"
                let each: Option<Vec<i64>> = span
                    .iter()
                    .map(|w| parse_number(&[w], lang).filter(|n| *n < 10))
                    .collect();
                match each {
                    Some(d) if d.len() == 4 => Some(d.iter().map(|n| n.to_string()).collect()),
                    _ => (1..span.len()).find_map(|split| {
                        let a =
                            parse_number(&span[..split], lang).filter(|n| (10..=99).contains(n))?;
                        let b =
                            parse_number(&span[split..], lang).filter(|n| (0..=99).contains(n))?;
                        Some(format!("{a:02}{b:02}"))
                    }),
                }
            };
            digits.and_then(|v| plain(1.0, v))
        }
        SlotKind::Ordinal => parse_ordinal(span, lang)
            .map(|n| n.to_string())
            .and_then(|v| plain(1.0, v)),
        SlotKind::Date => {
            // A bare number read as a year is a weak reading: a NUMBER slot wins a tie.
            let bare = parse_number(span, lang).is_some();
            parse_date(span, lang, today).and_then(|v| plain(if bare { 0.9 } else { 1.0 }, v))
        }
        SlotKind::Time => parse_time(span, lang).and_then(|v| plain(1.0, v)),
        SlotKind::Duration => parse_duration(span, lang).and_then(|v| plain(1.0, v)),
        SlotKind::FreeText => {
            if span.len() > MAX_FREE_WORDS {
                return None;
            }
            plain(FREE_QUALITY, span.join(" "))
        }
    }
}
