//! Sample utterances as templates, and the text normalization Alexa's speech recognition
//! applies (lower case, no punctuation, apostrophes inside words kept).

/// One element of a sample: a literal word or a `{slot}` reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// A literal word (normalized).
    Word(String),
    /// A slot reference (the name between braces).
    Slot(String),
}

/// A problem in the syntax of one sample.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SampleProblem {
    /// `{` without `}` or `}` without `{`.
    UnbalancedBrace,
    /// `{}` or `{ name }`.
    BadSlotReference(String),
    /// A slot glued to a word (`{item}s`); Alexa requires spaces around slots.
    SlotNotDelimited(String),
    /// A character samples may not contain.
    ForbiddenCharacter(char),
    /// A digit (numbers must be spelled out).
    Digit,
}

/// Lower-cases `text` and splits it into words the way Alexa's speech recognition writes them:
/// `&` is spoken "and", apostrophes inside words are kept ("what's"), every other punctuation
/// character separates words (`b. b. q.` is `b b q`).
pub fn normalize(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let flush = |current: &mut String, words: &mut Vec<String>| {
        let trimmed = current.trim_matches('\'');
        if !trimmed.is_empty() {
            words.push(trimmed.to_owned());
        }
        current.clear();
    };
    for c in text.chars() {
        if c == '&' {
            flush(&mut current, &mut words);
            words.push("and".to_owned());
        } else if c.is_alphanumeric() {
            current.extend(c.to_lowercase());
        } else if c == '\'' || c == '\u{2019}' {
            current.push('\'');
        } else {
            flush(&mut current, &mut words);
        }
    }
    flush(&mut current, &mut words);
    words
}

/// [`normalize`] joined with single spaces.
pub fn normalize_joined(text: &str) -> String {
    normalize(text).join(" ")
}

/// Parses a sample (`turn on the {device} please`) into parts, normalizing literal words.
/// Problems are reported, never fatal: the parts are the best reading of the text.
pub fn parse_sample(sample: &str) -> (Vec<Part>, Vec<SampleProblem>) {
    let mut parts = Vec::new();
    let mut problems = Vec::new();
    let mut rest = sample;
    while !rest.is_empty() {
        match rest.find(['{', '}']) {
            None => {
                literal(rest, &mut parts, &mut problems);
                break;
            }
            Some(at) => {
                let (before, after) = rest.split_at(at);
                literal(before, &mut parts, &mut problems);
                if let Some(stripped) = after.strip_prefix('}') {
                    problems.push(SampleProblem::UnbalancedBrace);
                    rest = stripped;
                    continue;
                }
                let inner_and_rest = &after[1..];
                match inner_and_rest.find(['{', '}']) {
                    Some(end) if inner_and_rest[end..].starts_with('}') => {
                        let name = &inner_and_rest[..end];
                        let glued_before =
                            before.chars().last().is_some_and(|c| !c.is_whitespace());
                        let after_close = &inner_and_rest[end + 1..];
                        let glued_after = after_close
                            .chars()
                            .next()
                            .is_some_and(|c| !c.is_whitespace() && c != '{');
                        if name.is_empty()
                            || name.trim() != name
                            || name.contains(char::is_whitespace)
                        {
                            problems.push(SampleProblem::BadSlotReference(name.to_owned()));
                        } else {
                            if glued_before || glued_after {
                                problems.push(SampleProblem::SlotNotDelimited(name.to_owned()));
                            }
                            parts.push(Part::Slot(name.to_owned()));
                        }
                        rest = after_close;
                    }
                    _ => {
                        problems.push(SampleProblem::UnbalancedBrace);
                        literal(inner_and_rest, &mut parts, &mut problems);
                        break;
                    }
                }
            }
        }
    }
    (parts, problems)
}

fn literal(text: &str, parts: &mut Vec<Part>, problems: &mut Vec<SampleProblem>) {
    for c in text.chars() {
        if c.is_ascii_digit() {
            if !problems.contains(&SampleProblem::Digit) {
                problems.push(SampleProblem::Digit);
            }
        } else if !(c.is_alphabetic()
            || c.is_whitespace()
            || matches!(c, '\'' | '\u{2019}' | '.' | '-' | ',' | '?' | '!'))
        {
            let p = SampleProblem::ForbiddenCharacter(c);
            if !problems.contains(&p) {
                problems.push(p);
            }
        }
    }
    parts.extend(normalize(text).into_iter().map(Part::Word));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_like_asr() {
        assert_eq!(
            normalize("What's up, B. B. Q.?"),
            ["what's", "up", "b", "b", "q"]
        );
        assert_eq!(
            normalize("salt & pepper x-y"),
            ["salt", "and", "pepper", "x", "y"]
        );
        assert_eq!(normalize("  "), Vec::<String>::new());
        assert_eq!(normalize("Cómo"), ["cómo"]);
    }

    #[test]
    fn parses_samples() {
        let (parts, problems) = parse_sample("turn on the {device} in {room}");
        assert!(problems.is_empty());
        assert_eq!(parts.len(), 6);
        assert_eq!(parts[3], Part::Slot("device".into()));
        let (_, problems) = parse_sample("{item}s and {");
        assert!(problems.contains(&SampleProblem::SlotNotDelimited("item".into())));
        assert!(problems.contains(&SampleProblem::UnbalancedBrace));
        let (_, problems) = parse_sample("play 5 songs #");
        assert!(problems.contains(&SampleProblem::Digit));
        assert!(problems.contains(&SampleProblem::ForbiddenCharacter('#')));
    }
}
