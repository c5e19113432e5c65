//! AMAZON.DATE, AMAZON.TIME and AMAZON.DURATION: spoken phrases to the ISO-8601 values Alexa
//! sends, relative to the request time.

use time::{Date, Duration, Month, Weekday};

use crate::Lang;
use crate::number::{parse_number, parse_ordinal};

const WEEKDAYS_EN: [(&str, Weekday); 7] = [
    ("monday", Weekday::Monday),
    ("tuesday", Weekday::Tuesday),
    ("wednesday", Weekday::Wednesday),
    ("thursday", Weekday::Thursday),
    ("friday", Weekday::Friday),
    ("saturday", Weekday::Saturday),
    ("sunday", Weekday::Sunday),
];
const WEEKDAYS_ES: [(&str, Weekday); 9] = [
    ("lunes", Weekday::Monday),
    ("martes", Weekday::Tuesday),
    ("miércoles", Weekday::Wednesday),
    ("miercoles", Weekday::Wednesday),
    ("jueves", Weekday::Thursday),
    ("viernes", Weekday::Friday),
    ("sábado", Weekday::Saturday),
    ("sabado", Weekday::Saturday),
    ("domingo", Weekday::Sunday),
];
const WEEKDAYS_DE: [(&str, Weekday); 7] = [
    ("montag", Weekday::Monday),
    ("dienstag", Weekday::Tuesday),
    ("mittwoch", Weekday::Wednesday),
    ("donnerstag", Weekday::Thursday),
    ("freitag", Weekday::Friday),
    ("samstag", Weekday::Saturday),
    ("sonntag", Weekday::Sunday),
];
const MONTHS_EN: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];
const MONTHS_ES: [&str; 12] = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
];
const MONTHS_DE: [&str; 12] = [
    "januar",
    "februar",
    "märz",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "dezember",
];

fn weekday(word: &str, lang: Lang) -> Option<Weekday> {
    let table: &[(&str, Weekday)] = match lang {
        Lang::En => &WEEKDAYS_EN,
        Lang::Es => &WEEKDAYS_ES,
        Lang::De => &WEEKDAYS_DE,
    };
    table.iter().find(|(w, _)| *w == word).map(|(_, d)| *d)
}

fn month(word: &str, lang: Lang) -> Option<Month> {
    let table = match lang {
        Lang::En => &MONTHS_EN,
        Lang::Es => &MONTHS_ES,
        Lang::De => &MONTHS_DE,
    };
    let index = table.iter().position(|m| *m == word)?;
    Month::try_from(u8::try_from(index + 1).ok()?).ok()
}

fn iso(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

fn iso_week(date: Date) -> String {
    let (year, week, _) = date.to_iso_week_date();
    format!("{year:04}-W{week:02}")
}

/// The next date on `wd`, today excluded.
fn next_weekday(today: Date, wd: Weekday) -> Date {
    let mut d = today;
    for _ in 0..7 {
        d = d.next_day().unwrap_or(d);
        if d.weekday() == wd {
            break;
        }
    }
    d
}

fn prev_weekday(today: Date, wd: Weekday) -> Date {
    let mut d = today;
    for _ in 0..7 {
        d = d.previous_day().unwrap_or(d);
        if d.weekday() == wd {
            break;
        }
    }
    d
}

/// A year spoken as digits, "twenty twenty six" or "two thousand twenty six".
fn year(words: &[&str], lang: Lang) -> Option<i32> {
    let n = match words {
        [w] if w.len() == 4 => w.parse::<i64>().ok(),
        _ if lang == Lang::En && words.len() >= 2 => {
            // "nineteen ninety nine", "twenty twenty six"
            let first = parse_number(&words[..1], lang).filter(|n| (10..=99).contains(n));
            match (first, parse_number(&words[1..], lang)) {
                (Some(a), Some(b)) if (10..=99).contains(&b) => Some(a * 100 + b),
                _ => parse_number(words, lang),
            }
        }
        _ => parse_number(words, lang),
    }?;
    (1000..=2999)
        .contains(&n)
        .then(|| i32::try_from(n).ok())
        .flatten()
}

fn day_of_month(words: &[&str], lang: Lang) -> Option<u8> {
    let words = match words {
        ["the", rest @ ..] if lang == Lang::En => rest,
        ["el", rest @ ..] if lang == Lang::Es => rest,
        ["der" | "den" | "am", rest @ ..] if lang == Lang::De => rest,
        _ => words,
    };
    let n = parse_ordinal(words, lang).or_else(|| parse_number(words, lang))?;
    (1..=31)
        .contains(&n)
        .then(|| u8::try_from(n).ok())
        .flatten()
}

/// `month day [year]`, `day of month`, `the day of month`, in the future unless a year is given.
fn calendar_date(words: &[&str], lang: Lang, today: Date) -> Option<String> {
    let (m, day, yr): (Month, u8, Option<i32>) = 'found: {
        if let Some(m) = words.first().and_then(|w| month(w, lang)) {
            // month day [year]
            for split in (2..=words.len()).rev() {
                if let Some(d) = day_of_month(&words[1..split], lang) {
                    if split == words.len() {
                        break 'found (m, d, None);
                    }
                    if let Some(y) = year(&words[split..], lang) {
                        break 'found (m, d, Some(y));
                    }
                }
            }
            return None;
        }
        let of = match lang {
            Lang::En => "of",
            Lang::Es => "de",
            Lang::De => "",
        };
        let at = words
            .iter()
            .position(|w| *w == of || (lang == Lang::De && month(w, lang).is_some()))?;
        let (day_words, rest) = words.split_at(at);
        let rest = if lang == Lang::De { rest } else { &rest[1..] };
        let m = rest.first().and_then(|w| month(w, lang))?;
        let d = day_of_month(day_words, lang)?;
        let yr = match &rest[1..] {
            [] => None,
            [de, y @ ..] if *de == "de" => Some(year(y, lang)?),
            y => Some(year(y, lang)?),
        };
        (m, d, yr)
    };
    let y = match yr {
        Some(y) => y,
        None => {
            let this = Date::from_calendar_date(today.year(), m, day).ok()?;
            if this < today {
                today.year() + 1
            } else {
                today.year()
            }
        }
    };
    Date::from_calendar_date(y, m, day).ok().map(iso)
}

/// The value Alexa sends for an AMAZON.DATE phrase, relative to `today`.
pub fn parse_date(words: &[&str], lang: Lang, today: Date) -> Option<String> {
    if words.is_empty() || words.len() > 8 {
        return None;
    }
    let joined = words.join(" ");
    let relative = match (lang, joined.as_str()) {
        (Lang::En, "today") | (Lang::Es, "hoy") | (Lang::De, "heute") => Some(0),
        (Lang::En, "tomorrow") | (Lang::Es, "mañana") | (Lang::De, "morgen") => Some(1),
        (Lang::En, "yesterday") | (Lang::Es, "ayer") | (Lang::De, "gestern") => Some(-1),
        (Lang::En, "the day after tomorrow")
        | (Lang::Es, "pasado mañana")
        | (Lang::De, "übermorgen") => Some(2),
        (Lang::En, "the day before yesterday")
        | (Lang::Es, "anteayer")
        | (Lang::De, "vorgestern") => Some(-2),
        _ => None,
    };
    if let Some(days) = relative {
        return today.checked_add(Duration::days(days)).map(iso);
    }
    let (modifier, rest) = match (lang, words) {
        (Lang::En, ["this" | "the", "coming", rest @ ..]) => ("this", rest),
        (Lang::En, ["this" | "coming" | "upcoming", rest @ ..]) => ("this", rest),
        (Lang::En, ["next", rest @ ..]) => ("next", rest),
        (Lang::En, ["last" | "past" | "previous", rest @ ..]) => ("last", rest),
        (Lang::En, ["the", rest @ ..]) if rest.first().is_some_and(|w| *w == "weekend") => {
            ("this", rest)
        }
        (Lang::Es, ["el" | "este" | "esta", rest @ ..]) => ("this", rest),
        (Lang::De, ["am" | "diesen" | "diese" | "dieses", rest @ ..]) => ("this", rest),
        (Lang::De, ["nächsten" | "nächste" | "kommenden", rest @ ..]) => ("next", rest),
        _ => ("", words),
    };
    let rest = match (lang, rest) {
        (Lang::Es, [w, "que", "viene"]) => std::slice::from_ref(w),
        (Lang::Es, [w, "próximo" | "proximo"]) => std::slice::from_ref(w),
        _ => rest,
    };
    if let [w] = rest {
        if let Some(wd) = weekday(w, lang) {
            let d = match modifier {
                "last" => prev_weekday(today, wd),
                _ => next_weekday(today, wd),
            };
            return Some(iso(d));
        }
        let shift = match modifier {
            "next" => 1,
            "last" => -1,
            _ => 0,
        };
        let word = *w;
        let is = |en: &str, es: &str, de: &str| match lang {
            Lang::En => word == en,
            Lang::Es => word == es,
            Lang::De => word == de,
        };
        if is("week", "semana", "woche") && !modifier.is_empty() {
            return today.checked_add(Duration::weeks(shift)).map(iso_week);
        }
        if is("weekend", "fin_de_semana", "wochenende") {
            return today
                .checked_add(Duration::weeks(shift))
                .map(|d| format!("{}-WE", iso_week(d)));
        }
        if is("month", "mes", "monat") && !modifier.is_empty() {
            let index = i32::from(u8::from(today.month())) - 1 + shift as i32;
            let y = today.year() + index.div_euclid(12);
            return Some(format!("{y:04}-{:02}", index.rem_euclid(12) + 1));
        }
        if is("year", "año", "jahr") && !modifier.is_empty() {
            return Some(format!("{:04}", today.year() + shift as i32));
        }
        if let Some(m) = month(w, lang) {
            let y = match modifier {
                "next" => today.year() + 1,
                "last" => today.year() - 1,
                _ if m < today.month() && modifier.is_empty() => today.year() + 1,
                _ => today.year(),
            };
            return Some(format!("{y:04}-{:02}", u8::from(m)));
        }
    }
    if lang == Lang::Es && matches!(rest, ["fin", "de", "semana"]) {
        let shift = if modifier == "next" { 1 } else { 0 };
        return today
            .checked_add(Duration::weeks(shift))
            .map(|d| format!("{}-WE", iso_week(d)));
    }
    // "in three days", "three days from now"
    if lang == Lang::En && modifier.is_empty() {
        let (count, unit) = match words {
            ["in", n @ .., unit] => (n, *unit),
            [n @ .., unit, "from", "now"] => (n, *unit),
            _ => (&[][..], ""),
        };
        if !count.is_empty() {
            let n = if count == ["a"] {
                Some(1)
            } else {
                parse_number(count, lang)
            };
            if let Some(n) = n.filter(|n| *n <= 3650) {
                let days = match unit {
                    "day" | "days" => Some(n),
                    "week" | "weeks" => Some(n * 7),
                    _ => None,
                };
                if let Some(days) = days {
                    return today.checked_add(Duration::days(days)).map(iso);
                }
            }
        }
    }
    if modifier.is_empty() {
        if let Some(date) = calendar_date(words, lang, today) {
            return Some(date);
        }
        if let Some(y) = year(words, lang) {
            if words.len() >= 2 || words[0].len() == 4 {
                return Some(format!("{y:04}"));
            }
        }
    }
    None
}

/// The value Alexa sends for an AMAZON.TIME phrase (`07:30`, `19:00`, `MO`, `AF`, `EV`, `NI`).
pub fn parse_time(words: &[&str], lang: Lang) -> Option<String> {
    if words.is_empty() || words.len() > 6 {
        return None;
    }
    let named = match (lang, words.join(" ").as_str()) {
        (Lang::En, "noon" | "midday") | (Lang::Es, "mediodía") | (Lang::De, "mittag") => {
            Some("12:00")
        }
        (Lang::En, "midnight") | (Lang::Es, "medianoche") | (Lang::De, "mitternacht") => {
            Some("00:00")
        }
        (Lang::En, "morning" | "this morning")
        | (Lang::Es, "mañana por la mañana")
        | (Lang::De, "morgens") => Some("MO"),
        (Lang::En, "afternoon" | "this afternoon")
        | (Lang::Es, "tarde" | "por la tarde")
        | (Lang::De, "nachmittags") => Some("AF"),
        (Lang::En, "evening" | "this evening") | (Lang::De, "abends") => Some("EV"),
        (Lang::En, "night" | "tonight")
        | (Lang::Es, "noche" | "por la noche")
        | (Lang::De, "nachts") => Some("NI"),
        _ => None,
    };
    if let Some(t) = named {
        return Some(t.to_owned());
    }
    let mut words = words;
    let mut offset = None;
    if lang == Lang::En {
        match words {
            [init @ .., "a", "m"] | [init @ .., "am"] => {
                offset = Some(0);
                words = init;
            }
            [init @ .., "p", "m"] | [init @ .., "pm"] => {
                offset = Some(12);
                words = init;
            }
            [init @ .., "o'clock"] => words = init,
            _ => {}
        }
    }
    let hour = |w: &[&str]| parse_number(w, lang).filter(|h| (0..=23).contains(h));
    let (h, m) = match (lang, words) {
        (Lang::En, ["half", "past", rest @ ..]) => (hour(rest)?, 30),
        (Lang::En, ["quarter", "past", rest @ ..]) => (hour(rest)?, 15),
        (Lang::En, ["quarter", "to", rest @ ..]) => ((hour(rest)? + 23) % 24, 45),
        _ => {
            let mut found = None;
            if let Some(h) = hour(words) {
                found = Some((h, 0));
            } else {
                for split in 1..words.len() {
                    let (hw, mw) = words.split_at(split);
                    let mw = match mw {
                        ["oh", rest @ ..] => rest,
                        _ => mw,
                    };
                    if let (Some(h), Some(m)) = (
                        hour(hw),
                        parse_number(mw, lang).filter(|m| (0..60).contains(m)),
                    ) {
                        found = Some((h, m));
                        break;
                    }
                }
            }
            found?
        }
    };
    let h = match offset {
        Some(12) if h < 12 => h + 12,
        Some(0) if h == 12 => 0,
        _ => h,
    };
    Some(format!("{h:02}:{m:02}"))
}

/// The value Alexa sends for an AMAZON.DURATION phrase (`PT5M`, `P2D`, `PT1H30M`).
pub fn parse_duration(words: &[&str], lang: Lang) -> Option<String> {
    if words.is_empty() || words.len() > 10 {
        return None;
    }
    if lang == Lang::En && words == ["half", "an", "hour"] {
        return Some("PT30M".into());
    }
    // Split on "and" between parts: "one hour and thirty minutes"
    let mut date_part = String::new();
    let mut time_part = String::new();
    let mut rest = words;
    let mut any = false;
    while !rest.is_empty() {
        let unit_at = rest.iter().position(|w| unit(w, lang).is_some())?;
        let (count, after) = rest.split_at(unit_at);
        let (u, time) = unit(after[0], lang)?;
        let n = match count {
            ["a" | "an" | "one" | "un" | "una" | "ein" | "eine" | "einen"] => 1,
            _ => parse_number(count, lang).filter(|n| *n <= 100_000)?,
        };
        if time {
            time_part.push_str(&format!("{n}{u}"))
        } else {
            date_part.push_str(&format!("{n}{u}"))
        }
        any = true;
        rest = &after[1..];
        if let [first, tail @ ..] = rest {
            if matches!(*first, "and" | "y" | "und") {
                if tail == ["a", "half"] && u == 'H' && time_part.ends_with('H') {
                    time_part.push_str("30M");
                    rest = &[];
                    continue;
                }
                rest = tail;
                if rest.is_empty() {
                    return None;
                }
            }
        }
    }
    if !any {
        return None;
    }
    let mut out = format!("P{date_part}");
    if !time_part.is_empty() {
        out.push('T');
        out.push_str(&time_part);
    }
    Some(out)
}

fn unit(word: &str, lang: Lang) -> Option<(char, bool)> {
    let u = match lang {
        Lang::En => match word {
            "second" | "seconds" | "sec" | "secs" => ('S', true),
            "minute" | "minutes" | "min" | "mins" => ('M', true),
            "hour" | "hours" => ('H', true),
            "day" | "days" => ('D', false),
            "week" | "weeks" => ('W', false),
            "month" | "months" => ('M', false),
            "year" | "years" => ('Y', false),
            _ => return None,
        },
        Lang::Es => match word {
            "segundo" | "segundos" => ('S', true),
            "minuto" | "minutos" => ('M', true),
            "hora" | "horas" => ('H', true),
            "día" | "días" | "dia" | "dias" => ('D', false),
            "semana" | "semanas" => ('W', false),
            "mes" | "meses" => ('M', false),
            "año" | "años" => ('Y', false),
            _ => return None,
        },
        Lang::De => match word {
            "sekunde" | "sekunden" => ('S', true),
            "minute" | "minuten" => ('M', true),
            "stunde" | "stunden" => ('H', true),
            "tag" | "tage" | "tagen" => ('D', false),
            "woche" | "wochen" => ('W', false),
            "monat" | "monate" | "monaten" => ('M', false),
            "jahr" | "jahre" | "jahren" => ('Y', false),
            _ => return None,
        },
    };
    Some(u)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn d(s: &str) -> Option<String> {
        // Monday 30 November 2026
        parse_date(
            &s.split(' ').collect::<Vec<_>>(),
            Lang::En,
            date!(2026 - 11 - 30),
        )
    }

    #[test]
    fn dates() {
        assert_eq!(d("today").as_deref(), Some("2026-11-30"));
        assert_eq!(d("tomorrow").as_deref(), Some("2026-12-01"));
        assert_eq!(d("friday").as_deref(), Some("2026-12-04"));
        assert_eq!(d("next monday").as_deref(), Some("2026-12-07"));
        assert_eq!(d("this weekend").as_deref(), Some("2026-W49-WE"));
        assert_eq!(d("next week").as_deref(), Some("2026-W50"));
        assert_eq!(d("december fifth").as_deref(), Some("2026-12-05"));
        assert_eq!(d("the fifth of december").as_deref(), Some("2026-12-05"));
        assert_eq!(d("january first").as_deref(), Some("2027-01-01"));
        assert_eq!(
            d("march third twenty twenty five").as_deref(),
            Some("2025-03-03")
        );
        assert_eq!(d("december").as_deref(), Some("2026-12"));
        assert_eq!(d("next month").as_deref(), Some("2026-12"));
        assert_eq!(d("in three days").as_deref(), Some("2026-12-03"));
        assert_eq!(d("twenty twenty six").as_deref(), Some("2026"));
        assert_eq!(d("banana"), None);
        assert_eq!(d("seven"), None);
        let es = parse_date(&["el", "viernes"], Lang::Es, date!(2026 - 11 - 30));
        assert_eq!(es.as_deref(), Some("2026-12-04"));
    }

    #[test]
    fn times_and_durations() {
        let t = |s: &str| parse_time(&s.split(' ').collect::<Vec<_>>(), Lang::En);
        assert_eq!(t("seven").as_deref(), Some("07:00"));
        assert_eq!(t("seven thirty p m").as_deref(), Some("19:30"));
        assert_eq!(t("half past six").as_deref(), Some("06:30"));
        assert_eq!(t("noon").as_deref(), Some("12:00"));
        assert_eq!(t("seven oh five").as_deref(), Some("07:05"));
        assert_eq!(t("sixty"), None);
        let p = |s: &str| parse_duration(&s.split(' ').collect::<Vec<_>>(), Lang::En);
        assert_eq!(p("five minutes").as_deref(), Some("PT5M"));
        assert_eq!(p("an hour and thirty minutes").as_deref(), Some("PT1H30M"));
        assert_eq!(p("two days").as_deref(), Some("P2D"));
        assert_eq!(p("three weeks").as_deref(), Some("P3W"));
        assert_eq!(p("minutes"), None);
        assert_eq!(p("five"), None);
    }
}
