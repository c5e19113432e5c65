//! Spoken numbers and ordinals per language: words ("twenty three", "dreiundzwanzig",
//! "treinta y cinco") and digits, up to the billions.

use crate::Lang;

/// Largest number accepted (keeps arithmetic far from overflow).
const MAX: i64 = 999_999_999_999;

/// The value of `words` when the whole span is one spoken number.
pub fn parse_number(words: &[&str], lang: Lang) -> Option<i64> {
    match words {
        [] => None,
        [w] if is_digits(w) => w.parse::<i64>().ok().filter(|n| *n <= MAX),
        _ => match lang {
            Lang::En => parse_en(words),
            Lang::Es => parse_es(words),
            Lang::De => parse_de(&words.concat()),
        },
    }
}

/// The value of an ordinal (`third`, `21st`, `tercero`, `dritte`), as a number.
pub fn parse_ordinal(words: &[&str], lang: Lang) -> Option<i64> {
    if let [w] = words {
        let trimmed = w.trim_end_matches(|c: char| c.is_alphabetic() || c == '.');
        let suffix = &w[trimmed.len()..];
        if !trimmed.is_empty()
            && is_digits(trimmed)
            && matches!(
                suffix,
                "st" | "nd" | "rd" | "th" | "." | "o" | "a" | "º" | "ª" | "te" | "ter" | "ten"
            )
        {
            return trimmed.parse().ok().filter(|n| *n <= MAX);
        }
    }
    match lang {
        Lang::En => {
            let (last, init) = words.split_last()?;
            let base = ORDINALS_EN
                .iter()
                .find(|(w, _)| w == last)
                .map(|(_, v)| *v)?;
            if init.is_empty() {
                return Some(base);
            }
            // "twenty first", "one hundred and second"
            let head = parse_en(init)?;
            (head % 10 == 0 && base < 10 || head % 100 == 0 && base < 100).then_some(head + base)
        }
        Lang::Es => match words {
            [w] => ORDINALS_ES.iter().find(|(o, _)| o == w).map(|(_, v)| *v),
            _ => None,
        },
        Lang::De => match words {
            [w] => {
                let stem = w
                    .strip_suffix("ster")
                    .or_else(|| w.strip_suffix("sten"))
                    .or_else(|| w.strip_suffix("stes"))
                    .or_else(|| w.strip_suffix("ste"))
                    .or_else(|| w.strip_suffix("ter"))
                    .or_else(|| w.strip_suffix("ten"))
                    .or_else(|| w.strip_suffix("tes"))
                    .or_else(|| w.strip_suffix("te"))?;
                match stem {
                    "ers" => Some(1),
                    "drit" => Some(3),
                    "sieb" => Some(7),
                    "ach" => Some(8),
                    _ => parse_de(stem),
                }
            }
            _ => None,
        },
    }
}

fn is_digits(w: &str) -> bool {
    !w.is_empty() && w.len() <= 15 && w.chars().all(|c| c.is_ascii_digit())
}

const UNITS_EN: [(&str, i64); 20] = [
    ("zero", 0),
    ("one", 1),
    ("two", 2),
    ("three", 3),
    ("four", 4),
    ("five", 5),
    ("six", 6),
    ("seven", 7),
    ("eight", 8),
    ("nine", 9),
    ("ten", 10),
    ("eleven", 11),
    ("twelve", 12),
    ("thirteen", 13),
    ("fourteen", 14),
    ("fifteen", 15),
    ("sixteen", 16),
    ("seventeen", 17),
    ("eighteen", 18),
    ("nineteen", 19),
];
const TENS_EN: [(&str, i64); 8] = [
    ("twenty", 20),
    ("thirty", 30),
    ("forty", 40),
    ("fifty", 50),
    ("sixty", 60),
    ("seventy", 70),
    ("eighty", 80),
    ("ninety", 90),
];
const ORDINALS_EN: [(&str, i64); 29] = [
    ("first", 1),
    ("second", 2),
    ("third", 3),
    ("fourth", 4),
    ("fifth", 5),
    ("sixth", 6),
    ("seventh", 7),
    ("eighth", 8),
    ("ninth", 9),
    ("tenth", 10),
    ("eleventh", 11),
    ("twelfth", 12),
    ("thirteenth", 13),
    ("fourteenth", 14),
    ("fifteenth", 15),
    ("sixteenth", 16),
    ("seventeenth", 17),
    ("eighteenth", 18),
    ("nineteenth", 19),
    ("twentieth", 20),
    ("thirtieth", 30),
    ("fortieth", 40),
    ("fiftieth", 50),
    ("sixtieth", 60),
    ("seventieth", 70),
    ("eightieth", 80),
    ("ninetieth", 90),
    ("hundredth", 100),
    ("thousandth", 1000),
];
const ORDINALS_ES: [(&str, i64); 16] = [
    ("primero", 1),
    ("primera", 1),
    ("primer", 1),
    ("segundo", 2),
    ("segunda", 2),
    ("tercero", 3),
    ("tercera", 3),
    ("tercer", 3),
    ("cuarto", 4),
    ("quinto", 5),
    ("sexto", 6),
    ("séptimo", 7),
    ("octavo", 8),
    ("noveno", 9),
    ("décimo", 10),
    ("cuarta", 4),
];

/// Accumulates "group" values under multipliers: `current` below a thousand, `total` above.
#[derive(Default)]
struct Acc {
    total: i64,
    current: i64,
    /// What the last token was, to refuse "five five" or "twenty thirty".
    last: Last,
    any: bool,
}

#[derive(Default, PartialEq, Clone, Copy)]
enum Last {
    #[default]
    None,
    Unit,
    Teen,
    Tens,
    Hundred,
    Big,
    And,
}

impl Acc {
    fn unit(&mut self, v: i64) -> Option<()> {
        let teen = v >= 10;
        match self.last {
            Last::Unit | Last::Teen => return None,
            Last::Tens if teen => return None,
            _ => {}
        }
        if self.current % 100 != 0 && self.last != Last::Tens {
            return None;
        }
        self.current += v;
        self.last = if teen { Last::Teen } else { Last::Unit };
        self.any = true;
        Some(())
    }
    fn tens(&mut self, v: i64) -> Option<()> {
        if matches!(self.last, Last::Unit | Last::Teen | Last::Tens) || self.current % 100 != 0 {
            return None;
        }
        self.current += v;
        self.last = Last::Tens;
        self.any = true;
        Some(())
    }
    fn hundreds(&mut self, v: i64) -> Option<()> {
        // an explicit hundreds value ("doscientos")
        if self.current != 0 || matches!(self.last, Last::And) {
            return None;
        }
        self.current = v;
        self.last = Last::Hundred;
        self.any = true;
        Some(())
    }
    fn hundred(&mut self) -> Option<()> {
        if self.current >= 100 || matches!(self.last, Last::Hundred | Last::And) {
            return None;
        }
        self.current = self.current.max(1) * 100;
        self.last = Last::Hundred;
        self.any = true;
        Some(())
    }
    fn big(&mut self, m: i64) -> Option<()> {
        if matches!(self.last, Last::And) {
            return None;
        }
        let group = self.current.max(1);
        if self.total != 0 && self.total % (m * 1000) != 0 {
            return None;
        }
        self.total = self.total.checked_add(group.checked_mul(m)?)?;
        self.current = 0;
        self.last = Last::Big;
        self.any = true;
        (self.total <= MAX).then_some(())
    }
    fn and(&mut self) -> Option<()> {
        if !matches!(self.last, Last::Hundred | Last::Big | Last::Tens) {
            return None;
        }
        self.last = Last::And;
        Some(())
    }
    fn finish(self) -> Option<i64> {
        (self.any && self.last != Last::And).then_some(self.total + self.current)
    }
}

fn parse_en(words: &[&str]) -> Option<i64> {
    let mut acc = Acc::default();
    for (k, w) in words.iter().enumerate() {
        if let Some((_, v)) = UNITS_EN.iter().find(|(u, _)| u == w) {
            acc.unit(*v)?;
        } else if let Some((_, v)) = TENS_EN.iter().find(|(t, _)| t == w) {
            acc.tens(*v)?;
        } else if *w == "hundred" {
            acc.hundred()?;
        } else if *w == "thousand" {
            acc.big(1000)?;
        } else if *w == "million" {
            acc.big(1_000_000)?;
        } else if *w == "billion" {
            acc.big(1_000_000_000)?;
        } else if *w == "and" {
            acc.and()?;
        } else if *w == "a" && k == 0 && words.len() > 1 {
            // "a hundred", "a thousand"
        } else if is_digits(w) && k == 0 && words.len() > 1 {
            acc.current = w.parse::<i64>().ok().filter(|n| *n < 1000)?;
            acc.last = Last::Teen;
            acc.any = true;
        } else {
            return None;
        }
    }
    acc.finish()
}

const UNITS_ES: [(&str, i64); 42] = [
    ("cero", 0),
    ("uno", 1),
    ("una", 1),
    ("un", 1),
    ("dos", 2),
    ("tres", 3),
    ("cuatro", 4),
    ("cinco", 5),
    ("seis", 6),
    ("siete", 7),
    ("ocho", 8),
    ("nueve", 9),
    ("diez", 10),
    ("once", 11),
    ("doce", 12),
    ("trece", 13),
    ("catorce", 14),
    ("quince", 15),
    ("dieciséis", 16),
    ("dieciseis", 16),
    ("diecisiete", 17),
    ("dieciocho", 18),
    ("diecinueve", 19),
    ("veinte", 20),
    ("veintiuno", 21),
    ("veintiún", 21),
    ("veintiuna", 21),
    ("veintidós", 22),
    ("veintidos", 22),
    ("veintitrés", 23),
    ("veintitres", 23),
    ("veinticuatro", 24),
    ("veinticinco", 25),
    ("veintiséis", 26),
    ("veintiseis", 26),
    ("veintisiete", 27),
    ("veintiocho", 28),
    ("veintinueve", 29),
    ("treinta", 30),
    ("cuarenta", 40),
    ("cincuenta", 50),
    ("sesenta", 60),
];
const MORE_ES: [(&str, i64); 3] = [("setenta", 70), ("ochenta", 80), ("noventa", 90)];
const HUNDREDS_ES: [(&str, i64); 18] = [
    ("cien", 100),
    ("ciento", 100),
    ("doscientos", 200),
    ("doscientas", 200),
    ("trescientos", 300),
    ("trescientas", 300),
    ("cuatrocientos", 400),
    ("cuatrocientas", 400),
    ("quinientos", 500),
    ("quinientas", 500),
    ("seiscientos", 600),
    ("seiscientas", 600),
    ("setecientos", 700),
    ("setecientas", 700),
    ("ochocientos", 800),
    ("ochocientas", 800),
    ("novecientos", 900),
    ("novecientas", 900),
];

fn parse_es(words: &[&str]) -> Option<i64> {
    let mut acc = Acc::default();
    for w in words {
        let unit = UNITS_ES
            .iter()
            .chain(MORE_ES.iter())
            .find(|(u, _)| u == w)
            .map(|(_, v)| *v);
        if let Some(v) = unit {
            if v >= 30 && v % 10 == 0 {
                acc.tens(v)?;
            } else if acc.last == Last::And {
                // "treinta y cinco"
                acc.last = Last::Tens;
                acc.unit(v)?;
            } else {
                acc.unit(v)?;
            }
        } else if let Some((_, v)) = HUNDREDS_ES.iter().find(|(h, _)| h == w) {
            acc.hundreds(*v)?;
        } else if *w == "mil" {
            acc.big(1000)?;
        } else if *w == "millón" || *w == "millones" || *w == "millon" {
            acc.big(1_000_000)?;
        } else if *w == "y" {
            if acc.last != Last::Tens {
                return None;
            }
            acc.last = Last::And;
        } else {
            return None;
        }
    }
    acc.finish()
}

const UNITS_DE: [(&str, i64); 22] = [
    ("null", 0),
    ("eins", 1),
    ("ein", 1),
    ("eine", 1),
    ("zwei", 2),
    ("zwo", 2),
    ("drei", 3),
    ("vier", 4),
    ("fünf", 5),
    ("sechs", 6),
    ("sieben", 7),
    ("acht", 8),
    ("neun", 9),
    ("zehn", 10),
    ("elf", 11),
    ("zwölf", 12),
    ("dreizehn", 13),
    ("vierzehn", 14),
    ("fünfzehn", 15),
    ("sechzehn", 16),
    ("siebzehn", 17),
    ("achtzehn", 18),
];
const TENS_DE: [(&str, i64); 10] = [
    ("neunzehn", 19),
    ("zwanzig", 20),
    ("dreißig", 30),
    ("dreissig", 30),
    ("vierzig", 40),
    ("fünfzig", 50),
    ("sechzig", 60),
    ("siebzig", 70),
    ("achtzig", 80),
    ("neunzig", 90),
];

/// German numbers are written as one compound word ("zweihundertdreiundzwanzig"); the
/// words of a span are joined and decomposed around the multipliers.
fn parse_de(s: &str) -> Option<i64> {
    if s.is_empty() || s.len() > 120 {
        return None;
    }
    for (word, m) in [
        ("millionen", 1_000_000),
        ("million", 1_000_000),
        ("tausend", 1000),
        ("hundert", 100),
    ] {
        if let Some(at) = s.find(word) {
            let (left, right) = (&s[..at], &s[at + word.len()..]);
            let head = if left.is_empty() { 1 } else { parse_de(left)? };
            if head >= m.min(1000) && m != 1_000_000 {
                return None;
            }
            let tail = if right.is_empty() {
                0
            } else {
                let right = right
                    .strip_prefix("und")
                    .filter(|r| !r.is_empty())
                    .unwrap_or(right);
                parse_de(right)?
            };
            if tail >= m {
                return None;
            }
            return Some(head * m + tail);
        }
    }
    if let Some((_, v)) = UNITS_DE.iter().chain(TENS_DE.iter()).find(|(u, _)| *u == s) {
        return Some(*v);
    }
    let at = s.find("und")?;
    let unit = UNITS_DE
        .iter()
        .find(|(u, _)| *u == &s[..at])
        .map(|(_, v)| *v)
        .filter(|v| (1..10).contains(v))?;
    let tens = TENS_DE
        .iter()
        .find(|(t, _)| *t == &s[at + 3..])
        .map(|(_, v)| *v)
        .filter(|v| *v >= 20)?;
    Some(tens + unit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn en(s: &str) -> Option<i64> {
        parse_number(&s.split(' ').collect::<Vec<_>>(), Lang::En)
    }

    #[test]
    fn english() {
        assert_eq!(en("twenty three"), Some(23));
        assert_eq!(en("one hundred"), Some(100));
        assert_eq!(en("a hundred and five"), Some(105));
        assert_eq!(en("one million"), Some(1_000_000));
        assert_eq!(
            en("two million three hundred thousand and twelve"),
            Some(2_300_012)
        );
        assert_eq!(
            en("nine hundred ninety nine thousand nine hundred ninety nine"),
            Some(999_999)
        );
        assert_eq!(en("1200"), Some(1200));
        assert_eq!(en("five five"), None);
        assert_eq!(en("twenty thirty"), None);
        assert_eq!(en("and"), None);
        assert_eq!(en("a"), None);
        assert_eq!(en("five and"), None);
        assert_eq!(en("thousand thousand thousand thousand thousand"), None);
    }

    #[test]
    fn spanish_and_german() {
        let es = |s: &str| parse_number(&s.split(' ').collect::<Vec<_>>(), Lang::Es);
        assert_eq!(es("treinta y cinco"), Some(35));
        assert_eq!(es("veintitrés"), Some(23));
        assert_eq!(es("doscientos cuarenta y dos"), Some(242));
        assert_eq!(es("mil"), Some(1000));
        assert_eq!(es("dos mil veinte"), Some(2020));
        assert_eq!(es("un millón"), Some(1_000_000));
        assert_eq!(es("y"), None);
        let de = |s: &str| parse_number(&s.split(' ').collect::<Vec<_>>(), Lang::De);
        assert_eq!(de("dreiundzwanzig"), Some(23));
        assert_eq!(de("zweihundertdreiundzwanzig"), Some(223));
        assert_eq!(de("eine million"), Some(1_000_000));
        assert_eq!(de("tausendeins"), Some(1001));
        assert_eq!(de("hundert"), Some(100));
        assert_eq!(de("undund"), None);
    }

    #[test]
    fn ordinals() {
        let o = |s: &str, l| parse_ordinal(&s.split(' ').collect::<Vec<_>>(), l);
        assert_eq!(o("third", Lang::En), Some(3));
        assert_eq!(o("twenty first", Lang::En), Some(21));
        assert_eq!(o("21st", Lang::En), Some(21));
        assert_eq!(o("tercero", Lang::Es), Some(3));
        assert_eq!(o("dritte", Lang::De), Some(3));
        assert_eq!(o("zwanzigste", Lang::De), Some(20));
        assert_eq!(o("first first", Lang::En), None);
    }
}
