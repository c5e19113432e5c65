//! Word comparison: weights (fillers and function words weigh little), accent and apostrophe
//! folding, a light stemmer, and near-synonym groups.

use std::collections::{HashMap, HashSet};

use crate::{Lang, lexicon};

/// Weight of a filler word ("please", "can", "you").
pub const FILLER_WEIGHT: f32 = 0.2;
/// Weight of a function word ("the", "to", "my").
pub const FUNCTION_WEIGHT: f32 = 0.35;

/// Similarity credit of two words with the same accent/apostrophe-folded form.
const FOLDED: f32 = 0.95;
/// Credit of two words with the same stem ("topics"/"topic").
const STEMMED: f32 = 0.85;
/// Credit of two near-synonyms ("ahead"/"forward").
const SYNONYM: f32 = 0.7;

/// Everything the matcher needs to compare one word.
#[derive(Debug, Clone)]
pub struct WordInfo {
    /// The word.
    pub text: String,
    /// Lower-cased, accents and apostrophes removed.
    pub folded: String,
    /// A light stem of `folded` (plural and verb endings cut).
    pub stem: String,
    /// Its near-synonym group.
    pub group: Option<u16>,
    /// How much it counts.
    pub weight: f32,
}

/// The language's word lists, ready for lookups.
#[derive(Debug)]
pub struct Lexicon {
    lang: Lang,
    fillers: HashSet<&'static str>,
    function: HashSet<&'static str>,
    groups: HashMap<&'static str, u16>,
}

impl Lexicon {
    /// The word lists of `lang`.
    pub fn new(lang: Lang) -> Self {
        let mut groups = HashMap::new();
        for (g, words) in lexicon::synonym_groups(lang).iter().enumerate() {
            for w in *words {
                groups
                    .entry(*w)
                    .or_insert(u16::try_from(g).unwrap_or(u16::MAX));
            }
        }
        Self {
            lang,
            fillers: lexicon::fillers(lang).iter().copied().collect(),
            function: lexicon::function_words(lang).iter().copied().collect(),
            groups,
        }
    }

    /// The language.
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// Whether `word` is a filler.
    pub fn is_filler(&self, word: &str) -> bool {
        self.fillers.contains(word)
    }

    /// The weight of `word`.
    pub fn weight(&self, word: &str) -> f32 {
        if self.fillers.contains(word) {
            FILLER_WEIGHT
        } else if self.function.contains(word) {
            FUNCTION_WEIGHT
        } else {
            1.0
        }
    }

    /// Everything about `word`.
    pub fn info(&self, word: &str) -> WordInfo {
        let folded = fold(word);
        let stem = stem(&folded, self.lang);
        WordInfo {
            text: word.to_owned(),
            group: self.groups.get(word).copied(),
            weight: self.weight(word),
            folded,
            stem,
        }
    }
}

/// Removes accents and apostrophes ("cómo" → "como", "what's" → "whats").
pub fn fold(word: &str) -> String {
    word.chars()
        .filter(|c| *c != '\'')
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' => 'o',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            'ñ' => 'n',
            'ß' => 's',
            c => c,
        })
        .collect()
}

fn stem(folded: &str, lang: Lang) -> String {
    let suffixes: &[&str] = match lang {
        Lang::En => &["ing", "ies", "es", "ed", "s"],
        Lang::Es => &["es", "s", "a", "o"],
        Lang::De => &["en", "e", "n", "s"],
    };
    for suffix in suffixes {
        if let Some(base) = folded.strip_suffix(suffix) {
            if base.chars().count() >= 3 {
                return base.to_owned();
            }
        }
    }
    folded.to_owned()
}

/// How alike two words are: 1 for equal, less for folded, stemmed or synonymous, 0 otherwise.
pub fn similarity(a: &WordInfo, b: &WordInfo) -> f32 {
    if a.text == b.text {
        1.0
    } else if a.folded == b.folded {
        FOLDED
    } else if a.stem == b.stem && a.stem.chars().count() >= 3 {
        STEMMED
    } else if a.group.is_some() && a.group == b.group {
        SYNONYM
    } else {
        0.0
    }
}

/// English contractions and their long forms: both sides of a comparison are expanded, so
/// "doesn't bother me" matches "does not bother me" and "what is on" matches "what's on".
const CONTRACTIONS: [(&str, &str); 44] = [
    ("can't", "can not"),
    ("cant", "can not"),
    ("cannot", "can not"),
    ("won't", "will not"),
    ("don't", "do not"),
    ("dont", "do not"),
    ("doesn't", "does not"),
    ("doesnt", "does not"),
    ("didn't", "did not"),
    ("didnt", "did not"),
    ("isn't", "is not"),
    ("isnt", "is not"),
    ("aren't", "are not"),
    ("wasn't", "was not"),
    ("weren't", "were not"),
    ("haven't", "have not"),
    ("hasn't", "has not"),
    ("couldn't", "could not"),
    ("wouldn't", "would not"),
    ("shouldn't", "should not"),
    ("i'm", "i am"),
    ("im", "i am"),
    ("you're", "you are"),
    ("we're", "we are"),
    ("they're", "they are"),
    ("what's", "what is"),
    ("whats", "what is"),
    ("it's", "it is"),
    ("that's", "that is"),
    ("thats", "that is"),
    ("there's", "there is"),
    ("who's", "who is"),
    ("where's", "where is"),
    ("how's", "how is"),
    ("i'll", "i will"),
    ("you'll", "you will"),
    ("we'll", "we will"),
    ("i've", "i have"),
    ("you've", "you have"),
    ("we've", "we have"),
    ("i'd", "i would"),
    ("you'd", "you would"),
    ("we'd", "we would"),
    ("let's", "let us"),
];

/// Expands contractions (English only). Returns the words and, for each, the index of the
/// word it came from.
pub fn expand(words: &[String], lang: Lang) -> (Vec<String>, Vec<usize>) {
    let mut out = Vec::with_capacity(words.len() + 2);
    let mut origin = Vec::with_capacity(words.len() + 2);
    for (k, word) in words.iter().enumerate() {
        let long = match lang {
            Lang::En => CONTRACTIONS
                .iter()
                .find(|(short, _)| short == word)
                .map(|(_, long)| *long),
            _ => None,
        };
        match long {
            Some(long) => {
                for part in long.split(' ') {
                    out.push(part.to_owned());
                    origin.push(k);
                }
            }
            None => {
                out.push(word.clone());
                origin.push(k);
            }
        }
    }
    (out, origin)
}
