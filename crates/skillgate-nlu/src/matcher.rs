//! The matcher: templates from samples, a weighted alignment of each template against the
//! sentence, and the decision (strict, tolerant, fallback, ambiguous).

use std::collections::{HashMap, HashSet};

use skillgate_interaction_model::InteractionModelFile;
use skillgate_interaction_model::sample::{Part, normalize, parse_sample};
use time::Date;

use crate::lexicon;
use crate::slots::{CustomType, Fill, SlotKind, SpanTable};
use crate::words::{Lexicon, WordInfo, expand, similarity};
use crate::{Invocation, Lang, MatchResult, Outcome, SlotFill};

/// Tuning of the decision. The defaults are what the test corpus is measured with.
#[derive(Debug, Clone, Copy)]
pub struct MatcherOptions {
    /// Lowest score accepted as a match.
    pub threshold: f64,
    /// Smallest lead of the best intent over the runner-up; closer is ambiguous.
    pub margin: f64,
}

impl Default for MatcherOptions {
    fn default() -> Self {
        Self {
            threshold: 0.6,
            margin: 0.02,
        }
    }
}

/// Words of a sentence longer than this are ignored (bounds the work per sentence).
const MAX_WORDS: usize = 40;
/// Credit of a template word found in the sentence out of order.
const REORDER: f32 = 0.7;
/// Credit of a sentence word that is not aligned but is in the intent's vocabulary.
const VOCAB: f32 = 0.4;
/// Share of a template's literal weight that must be found in the sentence.
const MIN_COVERAGE: f32 = 0.5;
/// Score factor of the built-in phrases of `AMAZON.*` intents (the model's samples win ties).
const BUILTIN_PHRASE: f32 = 0.97;
/// Score factor of slot-filling samples (`intents[].slots[].samples`).
const SLOT_SAMPLE: f32 = 0.95;

#[derive(Debug)]
enum TPart {
    Word(usize),
    /// Index into the intent's slots.
    Slot(usize),
}

#[derive(Debug)]
struct Template {
    intent: usize,
    parts: Vec<TPart>,
    factor: f32,
    literal_weight: f32,
}

#[derive(Debug)]
struct IntentInfo {
    name: String,
    slots: Vec<(String, SlotKind)>,
    /// Interned ids of the words of its samples, sorted.
    vocab: Vec<usize>,
}

/// A model prepared for matching. Build once, match many sentences.
#[derive(Debug)]
pub struct Matcher {
    lexicon: Lexicon,
    options: MatcherOptions,
    invocation: Vec<String>,
    intents: Vec<IntentInfo>,
    templates: Vec<Template>,
    types: Vec<CustomType>,
    /// Interned template words.
    words: Vec<WordInfo>,
    word_ids: HashMap<String, usize>,
    fallback: Option<usize>,
    kinds: Vec<SlotKind>,
    /// Interned words by folded form, stem and synonym group (to find similar words fast).
    by_folded: HashMap<String, Vec<usize>>,
    by_stem: HashMap<String, Vec<usize>>,
    by_group: HashMap<u16, Vec<usize>>,
}

/// What one sentence's words are to the model's words.
struct SentenceView {
    tokens: Vec<WordInfo>,
    /// Interned id of each token, when the model uses the word.
    ids: Vec<Option<usize>>,
    /// (model word id, token index, similarity) for every similar pair, sorted by id.
    sims: Vec<(usize, usize, f32)>,
    total_weight: f32,
}

impl Matcher {
    /// Prepares `model` for `locale` (`en-US`, `de-DE`, `es-ES`…) with default options.
    pub fn new(model: &InteractionModelFile, locale: &str) -> Self {
        Self::with_options(model, locale, MatcherOptions::default())
    }

    /// Prepares `model` with explicit options.
    pub fn with_options(
        model: &InteractionModelFile,
        locale: &str,
        options: MatcherOptions,
    ) -> Self {
        let lang = Lang::from_locale(locale);
        let lm = model.language_model();
        let mut m = Matcher {
            lexicon: Lexicon::new(lang),
            options,
            invocation: normalize(&lm.invocation_name),
            intents: Vec::new(),
            templates: Vec::new(),
            types: Vec::new(),
            words: Vec::new(),
            word_ids: HashMap::new(),
            fallback: None,
            kinds: Vec::new(),
            by_folded: HashMap::new(),
            by_stem: HashMap::new(),
            by_group: HashMap::new(),
        };
        let mut type_index = HashMap::new();
        for ty in lm.types.iter().flatten() {
            type_index.entry(ty.name.clone()).or_insert_with(|| {
                m.types.push(CustomType::new(ty, lang));
                m.types.len() - 1
            });
        }
        let mut kinds = HashSet::new();
        for intent in &lm.intents {
            let index = m.intents.len();
            if intent.name == "AMAZON.FallbackIntent" {
                m.fallback = Some(index);
            }
            let slots: Vec<(String, SlotKind)> = intent
                .slots()
                .iter()
                .map(|s| {
                    let kind = match type_index.get(&s.type_name) {
                        Some(t) if !s.type_name.starts_with("AMAZON.") => SlotKind::Custom(*t),
                        _ => SlotKind::builtin(&s.type_name),
                    };
                    kinds.insert(kind);
                    (s.name.clone(), kind)
                })
                .collect();
            m.intents.push(IntentInfo {
                name: intent.name.clone(),
                slots,
                vocab: Vec::new(),
            });
            let mut seen = HashSet::new();
            for sample in intent.samples() {
                if seen.insert(sample.to_lowercase()) {
                    m.add_template(index, sample, 1.0);
                }
            }
            if intent.name.starts_with("AMAZON.") {
                for phrase in lexicon::builtin_phrases(lang, &intent.name) {
                    if seen.insert((*phrase).to_owned()) {
                        m.add_template(index, phrase, BUILTIN_PHRASE);
                    }
                }
            }
            for slot in intent.slots() {
                for sample in slot.samples.iter().flatten() {
                    if seen.insert(sample.to_lowercase()) {
                        m.add_template(index, sample, SLOT_SAMPLE);
                    }
                }
            }
        }
        m.kinds.extend(kinds);
        m.kinds.sort_by_key(|k| format!("{k:?}"));
        m.kinds.dedup();
        m.specialize_weights();
        m
    }

    /// A word many intents use tells little about which one is meant: its weight is divided
    /// by the square root of the number of intents using it (never below 40 %).
    fn specialize_weights(&mut self) {
        let mut df = vec![0usize; self.words.len()];
        for intent in &self.intents {
            for id in &intent.vocab {
                if let Some(d) = df.get_mut(*id) {
                    *d += 1;
                }
            }
        }
        for (word, d) in self.words.iter_mut().zip(df) {
            word.weight *= (1.0 / (d.max(1) as f32).sqrt()).max(0.4);
        }
        for (id, word) in self.words.iter().enumerate() {
            self.by_folded
                .entry(word.folded.clone())
                .or_default()
                .push(id);
            self.by_stem.entry(word.stem.clone()).or_default().push(id);
            if let Some(g) = word.group {
                self.by_group.entry(g).or_default().push(id);
            }
        }
        for template in &mut self.templates {
            template.literal_weight = template
                .parts
                .iter()
                .map(|p| match p {
                    TPart::Word(id) => self.words[*id].weight,
                    TPart::Slot(_) => 0.0,
                })
                .sum();
        }
    }

    /// A sentence word as the matcher sees it: model words carry their specialized weight.
    fn token(&self, word: &str) -> WordInfo {
        match self.word_ids.get(word) {
            Some(id) => self.words[*id].clone(),
            None => self.lexicon.info(word),
        }
    }

    fn intern(&mut self, word: &str) -> usize {
        if let Some(id) = self.word_ids.get(word) {
            return *id;
        }
        let id = self.words.len();
        self.words.push(self.lexicon.info(word));
        self.word_ids.insert(word.to_owned(), id);
        id
    }

    fn add_template(&mut self, intent: usize, sample: &str, factor: f32) {
        let (parts, _) = parse_sample(sample);
        let mut tparts = Vec::with_capacity(parts.len());
        let mut literal_weight = 0.0;
        let lang = self.lexicon.lang();
        let parts = parts.into_iter().flat_map(|part| match part {
            Part::Word(w) => expand(&[w], lang).0.into_iter().map(Part::Word).collect(),
            slot => vec![slot],
        });
        for part in parts {
            match part {
                Part::Word(w) => {
                    let id = self.intern(&w);
                    literal_weight += self.words[id].weight;
                    if let Some(info) = self.intents.get_mut(intent) {
                        if let Err(at) = info.vocab.binary_search(&id) {
                            info.vocab.insert(at, id);
                        }
                    }
                    tparts.push(TPart::Word(id));
                }
                Part::Slot(name) => {
                    let Some(info) = self.intents.get_mut(intent) else {
                        return;
                    };
                    let slot = match info.slots.iter().position(|(n, _)| *n == name) {
                        Some(s) => s,
                        None => {
                            // A sample names a slot the intent does not declare: free text.
                            info.slots.push((name, SlotKind::FreeText));
                            self.kinds.push(SlotKind::FreeText);
                            info.slots.len() - 1
                        }
                    };
                    tparts.push(TPart::Slot(slot));
                }
            }
        }
        if !tparts.is_empty() {
            self.templates.push(Template {
                intent,
                parts: tparts,
                factor,
                literal_weight,
            });
        }
    }

    /// The language the matcher uses.
    pub fn lang(&self) -> Lang {
        self.lexicon.lang()
    }

    /// Matches one sentence; `today` anchors relative dates ("tomorrow").
    pub fn match_sentence(&self, sentence: &str, today: Date) -> MatchResult {
        let mut words = normalize(sentence);
        words.truncate(MAX_WORDS);
        if words.first().is_some_and(|w| w == "alexa") {
            words.remove(0);
        }
        let (invocation, rest) = self.strip_invocation(&words);
        let utterance = words.join(" ");
        if invocation == Invocation::Launch {
            return MatchResult {
                utterance,
                intent: None,
                slots: Vec::new(),
                confidence: 1.0,
                outcome: Outcome::Launch,
                invocation,
                runner_up: None,
            };
        }
        let mut result = self.match_words(rest, today);
        result.utterance = utterance;
        result.invocation = invocation;
        result
    }

    /// Recognizes "open X", "ask X to …", "tell X …" for the model's invocation name X.
    fn strip_invocation<'a>(&self, words: &'a [String]) -> (Invocation, &'a [String]) {
        if self.invocation.is_empty() {
            return (Invocation::InSession, words);
        }
        let lang = self.lexicon.lang();
        for launch in lexicon::launch_words(lang) {
            let lw: Vec<&str> = launch.split(' ').collect();
            if words.len() < lw.len() + self.invocation.len()
                || !words.iter().zip(&lw).all(|(a, b)| a == b)
            {
                continue;
            }
            let after = &words[lw.len()..];
            if !after.iter().zip(&self.invocation).all(|(a, b)| a == b) {
                continue;
            }
            let mut rest = &after[self.invocation.len()..];
            if rest.is_empty() {
                return (Invocation::Launch, rest);
            }
            if let Some(first) = rest.first() {
                if lexicon::connecting_words(lang).contains(&first.as_str()) && rest.len() > 1 {
                    rest = &rest[1..];
                }
            }
            return (Invocation::OneShot, rest);
        }
        (Invocation::InSession, words)
    }

    /// Reads `sentence` as the answer to Alexa's question for `slot` (a slot elicitation):
    /// only samples of intents with that slot count, and the intent does not matter. The fill
    /// of the best sample that fills `slot`, when it scores above the threshold.
    pub fn match_slot_answer(&self, sentence: &str, slot: &str, today: Date) -> Option<SlotFill> {
        let mut original = normalize(sentence);
        original.truncate(MAX_WORDS);
        let (words, origin) = expand(&original, self.lexicon.lang());
        let tokens: Vec<WordInfo> = words.iter().map(|w| self.token(w)).collect();
        let refs: Vec<&str> = words.iter().map(String::as_str).collect();
        let fillers = |w: &str| self.lexicon.is_filler(w) || self.lexicon.weight(w) < 1.0;
        let tables = Tables(
            self.kinds
                .iter()
                .map(|k| {
                    (
                        *k,
                        SpanTable::new(
                            *k,
                            &refs,
                            self.lexicon.lang(),
                            today,
                            &self.types,
                            &fillers,
                        ),
                    )
                })
                .collect(),
        );
        let view = self.view(tokens);
        let mut scratch = Scratch::default();
        let mut best: Option<(f32, SlotFill)> = None;
        for template in &self.templates {
            let intent = &self.intents[template.intent];
            let Some(index) = intent.slots.iter().position(|(n, _)| n == slot) else {
                continue;
            };
            let Some(reading) = self.align(template, &view, &tables, &mut scratch) else {
                continue;
            };
            let Some(&(_, i, j, fill)) = reading.fills.iter().find(|f| f.0 == index) else {
                continue;
            };
            if f64::from(reading.score) >= self.options.threshold
                && best.as_ref().is_none_or(|b| reading.score > b.0)
            {
                let kind = intent.slots[index].1;
                let answer = slot_fill(slot, kind, fill, &original, &origin, i, j);
                best = Some((reading.score, answer));
            }
        }
        best.map(|(_, fill)| fill)
    }

    fn match_words(&self, original: &[String], today: Date) -> MatchResult {
        let utterance = original.join(" ");
        let (words, origin) = expand(original, self.lexicon.lang());
        let tokens: Vec<WordInfo> = words.iter().map(|w| self.token(w)).collect();
        let mut scratch = Scratch::default();
        let refs: Vec<&str> = words.iter().map(String::as_str).collect();
        let fillers = |w: &str| self.lexicon.is_filler(w) || self.lexicon.weight(w) < 1.0;
        let tables = Tables(
            self.kinds
                .iter()
                .map(|k| {
                    (
                        *k,
                        SpanTable::new(
                            *k,
                            &refs,
                            self.lexicon.lang(),
                            today,
                            &self.types,
                            &fillers,
                        ),
                    )
                })
                .collect(),
        );
        let view = self.view(tokens);

        // Best reading per intent.
        let mut best: Vec<Option<Reading>> = (0..self.intents.len()).map(|_| None).collect();
        for template in &self.templates {
            let Some(reading) = self.align(template, &view, &tables, &mut scratch) else {
                continue;
            };
            let slot = &mut best[template.intent];
            if slot.as_ref().is_none_or(|b| reading.score > b.score) {
                *slot = Some(reading);
            }
        }
        let mut ranked: Vec<(usize, Reading)> = best
            .into_iter()
            .enumerate()
            .filter_map(|(i, r)| r.map(|r| (i, r)))
            .collect();
        ranked.sort_by(|a, b| b.1.score.total_cmp(&a.1.score));
        let runner_up = ranked
            .get(1)
            .map(|(i, r)| (self.intents[*i].name.clone(), f64::from(r.score)));
        let no_match = |outcome: Outcome, confidence: f64| {
            let intent = match outcome {
                Outcome::NoMatch => self.fallback.map(|f| self.intents[f].name.clone()),
                _ => None,
            };
            MatchResult {
                utterance: utterance.clone(),
                intent,
                slots: Vec::new(),
                confidence,
                outcome,
                invocation: Invocation::InSession,
                runner_up: runner_up.clone(),
            }
        };
        let Some((top, reading)) = ranked.first() else {
            return no_match(Outcome::NoMatch, 1.0);
        };
        let score = f64::from(reading.score);
        if score < self.options.threshold {
            return no_match(Outcome::NoMatch, 1.0 - score);
        }
        if let Some((_, second)) = ranked.get(1) {
            if score - f64::from(second.score) < self.options.margin {
                return no_match(Outcome::Ambiguous, score);
            }
        }
        let intent = &self.intents[*top];
        let mut slots: Vec<SlotFill> = reading
            .fills
            .iter()
            .map(|&(slot, i, j, fill)| {
                let (name, kind) = &intent.slots[slot];
                slot_fill(name, *kind, fill, original, &origin, i, j)
            })
            .collect();
        slots.sort_by_key(|s| intent.slots.iter().position(|(n, _)| *n == s.name));
        MatchResult {
            utterance,
            intent: Some(intent.name.clone()),
            slots,
            confidence: score,
            outcome: if reading.score >= 0.999 {
                Outcome::Strict
            } else {
                Outcome::Tolerant
            },
            invocation: Invocation::InSession,
            runner_up,
        }
    }

    fn view(&self, tokens: Vec<WordInfo>) -> SentenceView {
        let mut sims: Vec<(usize, usize, f32)> = Vec::new();
        let mut ids = Vec::with_capacity(tokens.len());
        for (k, token) in tokens.iter().enumerate() {
            ids.push(self.word_ids.get(&token.text).copied());
            let candidates = self
                .by_folded
                .get(&token.folded)
                .into_iter()
                .chain(self.by_stem.get(&token.stem))
                .chain(token.group.and_then(|g| self.by_group.get(&g)))
                .flatten();
            for id in candidates {
                let sim = similarity(&self.words[*id], token);
                if sim <= 0.0 {
                    continue;
                }
                if !sims.iter().any(|(i, t, _)| i == id && *t == k) {
                    sims.push((*id, k, sim));
                }
            }
        }
        sims.sort_by_key(|(id, k, _)| (*id, *k));
        let total_weight = tokens.iter().map(|t| t.weight).sum();
        SentenceView {
            tokens,
            ids,
            sims,
            total_weight,
        }
    }

    /// Aligns one template with the sentence: a dynamic programme over (template parts used,
    /// sentence words used) maximizing the matched weight.
    fn align<'t>(
        &self,
        template: &Template,
        view: &SentenceView,
        tables: &'t Tables,
        scratch: &mut Scratch<'t>,
    ) -> Option<Reading<'t>> {
        let tokens = &view.tokens;
        let total_weight = view.total_weight;
        let m = template.parts.len();
        let n = tokens.len();
        let width = n + 1;
        let intent = self.intents.get(template.intent)?;
        // Upper bound of the evidence this template can find: skip hopeless templates early.
        let mut possible = 0.0;
        let mut typed_slots = 0.0;
        scratch.sim.clear();
        scratch.sim.resize(m * n, 0.0);
        scratch.tables.clear();
        for (p, part) in template.parts.iter().enumerate() {
            match part {
                TPart::Word(id) => {
                    let start = view.sims.partition_point(|(i, _, _)| i < id);
                    let mut any = false;
                    for (_, k, sim) in view.sims[start..].iter().take_while(|(i, _, _)| i == id) {
                        scratch.sim[p * n + k] = *sim;
                        any = true;
                    }
                    if any {
                        possible += self.words[*id].weight;
                    }
                    scratch.tables.push(None);
                }
                TPart::Slot(s) => {
                    let kind = intent.slots.get(*s).map(|(_, k)| *k);
                    let table = kind.and_then(|k| tables.get(&k));
                    if kind.is_some_and(|k| k != SlotKind::FreeText) {
                        typed_slots += 1.0;
                        possible += table.map_or(0.0, SpanTable::best);
                    }
                    scratch.tables.push(table);
                }
            }
        }
        if template.literal_weight > 0.0
            && possible < MIN_COVERAGE * (template.literal_weight + typed_slots)
        {
            return None;
        }
        let score = &mut scratch.score;
        score.clear();
        score.resize((m + 1) * width, f32::NEG_INFINITY);
        let back = &mut scratch.back;
        back.clear();
        back.resize((m + 1) * width, Step::None);
        let sim_row = &scratch.sim;
        let part_tables = &scratch.tables;
        score[0] = 0.0;
        for a in 0..=m {
            for b in 0..=n {
                let here = score[a * width + b];
                if here == f32::NEG_INFINITY {
                    continue;
                }
                let mut relax = |a2: usize, b2: usize, value: f32, step: Step| {
                    let cell = a2 * width + b2;
                    if value > score[cell] {
                        score[cell] = value;
                        back[cell] = step;
                    }
                };
                if b < n {
                    relax(a, b + 1, here, Step::SkipWord);
                }
                if a == m {
                    continue;
                }
                relax(a + 1, b, here, Step::SkipPart);
                match template.parts[a] {
                    TPart::Word(id) => {
                        if b < n {
                            let w = &self.words[id];
                            let sim = sim_row[a * n + b];
                            if sim > 0.0 {
                                relax(
                                    a + 1,
                                    b + 1,
                                    here + sim * (w.weight + tokens[b].weight),
                                    Step::Match(sim),
                                );
                            }
                        }
                    }
                    TPart::Slot(_) => {
                        let Some(table) = part_tables[a] else {
                            continue;
                        };
                        let mut span_weight = 0.0;
                        for c in b + 1..=n.min(b + table.max()) {
                            span_weight += tokens[c - 1].weight;
                            if let Some(fill) = table.get(b, c) {
                                relax(
                                    a + 1,
                                    c,
                                    here + fill.quality * (span_weight + 1.0),
                                    Step::Fill(c - b),
                                );
                            }
                        }
                    }
                }
            }
        }
        let mut numerator = score[m * width + n];
        if numerator == f32::NEG_INFINITY {
            return None;
        }
        // Walk back: which parts and words were matched, and the slot fills.
        let mut fills = Vec::new();
        let mut part_used = vec![false; m];
        let mut word_used = vec![false; n];
        let mut matched_literal = 0.0;
        let (mut a, mut b) = (m, n);
        let mut guard = 0;
        while (a, b) != (0, 0) && guard <= (m + 1) * (n + 1) {
            guard += 1;
            match back[a * width + b] {
                Step::None => break,
                Step::SkipWord => b -= 1,
                Step::SkipPart => a -= 1,
                Step::Match(sim) => {
                    a -= 1;
                    b -= 1;
                    part_used[a] = true;
                    word_used[b] = true;
                    if let TPart::Word(id) = template.parts[a] {
                        matched_literal += self.words[id].weight * sim;
                    }
                }
                Step::Fill(len) => {
                    a -= 1;
                    let start = b - len;
                    part_used[a] = true;
                    for used in &mut word_used[start..b] {
                        *used = true;
                    }
                    if let TPart::Slot(s) = template.parts[a] {
                        let kind = intent.slots.get(s)?.1;
                        let fill = tables.get(&kind)?.get(start, b)?;
                        fills.push((s, start, b, fill));
                    }
                    b = start;
                }
            }
        }
        // Template words found out of order.
        for (p, part) in template.parts.iter().enumerate() {
            let TPart::Word(id) = part else { continue };
            if part_used[p] {
                continue;
            }
            let w = &self.words[*id];
            let found = (0..n)
                .filter(|k| !word_used[*k])
                .map(|k| (k, sim_row[p * n + k]))
                .filter(|(_, s)| *s > 0.0)
                .max_by(|x, y| x.1.total_cmp(&y.1));
            if let Some((k, sim)) = found {
                word_used[k] = true;
                part_used[p] = true;
                numerator += REORDER * sim * (w.weight + tokens[k].weight);
                matched_literal += REORDER * sim * w.weight;
            }
        }
        // Typed slots found out of order: an unused span that is a listed value or a number.
        for (p, part) in template.parts.iter().enumerate() {
            let TPart::Slot(s) = part else { continue };
            if part_used[p] {
                continue;
            }
            let Some((_, kind)) = intent.slots.get(*s) else {
                continue;
            };
            if *kind == SlotKind::FreeText || fills.iter().any(|f| f.0 == *s) {
                continue;
            }
            let Some(table) = tables.get(kind) else {
                continue;
            };
            let mut found: Option<(usize, usize, &Fill)> = None;
            for i in 0..n {
                for j in (i + 1..=n.min(i + table.max())).rev() {
                    if word_used[i..j].iter().any(|u| *u) {
                        continue;
                    }
                    if let Some(fill) = table.get(i, j).filter(|f| f.quality >= 0.9) {
                        if found.is_none_or(|(a, b, _)| j - i > b - a) {
                            found = Some((i, j, fill));
                        }
                    }
                }
            }
            if let Some((i, j, fill)) = found {
                let span_weight: f32 = tokens[i..j].iter().map(|t| t.weight).sum();
                numerator += REORDER * fill.quality * (span_weight + 1.0);
                for used in &mut word_used[i..j] {
                    *used = true;
                }
                part_used[p] = true;
                fills.push((*s, i, j, fill));
            }
        }
        // Evidence: literal words found, and typed slots filled (free text proves nothing).
        let slot_parts = template
            .parts
            .iter()
            .filter(|p| matches!(p, TPart::Slot(_)))
            .count() as f32;
        let slot_evidence: f32 = fills
            .iter()
            .filter(|f| {
                intent
                    .slots
                    .get(f.0)
                    .is_some_and(|(_, k)| *k != SlotKind::FreeText)
            })
            .map(|f| f.3.quality)
            .sum();
        let evidence_total = template.literal_weight + typed_slots;
        if template.literal_weight > 0.0
            && matched_literal + slot_evidence < MIN_COVERAGE * evidence_total
        {
            return None;
        }
        // Unaligned sentence words the intent uses elsewhere count as evidence too.
        for (k, token) in tokens.iter().enumerate() {
            if !word_used[k]
                && view.ids[k].is_some_and(|id| intent.vocab.binary_search(&id).is_ok())
            {
                numerator += VOCAB * 2.0 * token.weight;
            }
        }
        let denominator = total_weight + template.literal_weight + slot_parts;
        if denominator <= 0.0 {
            return None;
        }
        let score = (numerator / denominator).clamp(0.0, 1.0) * template.factor;
        Some(Reading { score, fills })
    }
}

/// A slot's answer: the spoken words are the original words (before contractions were
/// expanded) behind expanded tokens `i..j`; custom and free-text values are those words.
fn slot_fill(
    name: &str,
    kind: SlotKind,
    fill: &Fill,
    original: &[String],
    origin: &[usize],
    i: usize,
    j: usize,
) -> SlotFill {
    let from = origin.get(i).copied().unwrap_or(0);
    let to = origin
        .get(j.saturating_sub(1))
        .copied()
        .map_or(from, |t| t + 1)
        .max(from);
    let spoken = original
        .get(from..to)
        .map(|w| w.join(" "))
        .unwrap_or_default();
    let value = match kind {
        SlotKind::Custom(_) | SlotKind::FreeText => spoken.clone(),
        _ => fill.value.clone(),
    };
    SlotFill {
        name: name.to_owned(),
        spoken,
        value,
        resolution: fill.resolution.clone(),
    }
}

/// Buffers reused from one template to the next.
#[derive(Default)]
struct Scratch<'t> {
    /// The span table of each template part (None for words).
    tables: Vec<Option<&'t SpanTable>>,
    score: Vec<f32>,
    back: Vec<Step>,
    /// Similarity of template part `p` to token `k` at `p * n + k`.
    sim: Vec<f32>,
}

#[derive(Debug, Clone, Copy)]
enum Step {
    None,
    SkipWord,
    SkipPart,
    Match(f32),
    Fill(usize),
}

#[derive(Debug)]
struct Reading<'t> {
    score: f32,
    fills: Vec<(usize, usize, usize, &'t Fill)>,
}

/// The span tables of one sentence, one per slot kind the model uses.
struct Tables(Vec<(SlotKind, SpanTable)>);

impl Tables {
    fn get(&self, kind: &SlotKind) -> Option<&SpanTable> {
        self.0.iter().find(|(k, _)| k == kind).map(|(_, t)| t)
    }
}
