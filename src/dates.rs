//! Dates as each language writes them: "2 noiembrie 2024", "5. Oktober", "October 8, 2023",
//! "12.03.2024", "2024-03-12", "in September", "last month", "Anfang dieses Jahres". Month
//! names and relative phrases come from the language's `[dates]`; relative dates and years
//! left out are resolved against the publication date, and need it.

use std::sync::OnceLock;

use regex::Regex;

use crate::lexicon::{DateWord, Language};
use crate::text::Folded;

/// A relative date phrase's meaning: an offset from the publication date, at a precision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offset {
    Day(i32),
    Month(i32),
    Year(i32),
}

impl Offset {
    /// Parses "day-1", "month+0", "year-2".
    pub fn parse(s: &str) -> Result<Offset, String> {
        let bad = || format!("{s:?} is not an offset like \"day-1\", \"month+0\" or \"year-1\"");
        let split = s.find(['+', '-']).ok_or_else(bad)?;
        let n: i32 = s[split..].trim_start_matches('+').parse().map_err(|_| bad())?;
        match &s[..split] {
            "day" => Ok(Offset::Day(n)),
            "month" => Ok(Offset::Month(n)),
            "year" => Ok(Offset::Year(n)),
            _ => Err(bad()),
        }
    }
}

/// Days since 1970-01-01 of a civil date (proleptic Gregorian).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn valid(y: i64, m: u32, d: u32) -> bool {
    (1..=12).contains(&m) && d >= 1 && civil_from_days(days_from_civil(y, m, d)) == (y, m, d)
}

/// A parsed `YYYY-MM-DD`.
pub fn parse_iso(s: &str) -> Option<(i64, u32, u32)> {
    let (y, rest) = s.split_once('-')?;
    let (m, d) = rest.split_once('-')?;
    let (y, m, d) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    valid(y, m, d).then_some((y, m, d))
}

/// Applies an offset to a publication date; the result has the offset's precision.
pub fn resolve(offset: Offset, published: (i64, u32, u32)) -> String {
    let (y, m, d) = published;
    match offset {
        Offset::Day(n) => {
            let (y, m, d) = civil_from_days(days_from_civil(y, m, d) + i64::from(n));
            format!("{y:04}-{m:02}-{d:02}")
        }
        Offset::Month(n) => {
            let total = y * 12 + i64::from(m) - 1 + i64::from(n);
            format!("{:04}-{:02}", total.div_euclid(12), total.rem_euclid(12) + 1)
        }
        Offset::Year(n) => format!("{:04}", y + i64::from(n)),
    }
}

fn numeric_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"\b(?:(?P<iy>(?:19|20)\d\d)-(?P<im>\d\d)-(?P<id>\d\d)|(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>(?:19|20)\d\d))\b")
            .expect("valid regex")
    })
}

fn year_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"(?:^|[^\w-])(?P<y>(?:199|20[0-4])\d)(?:$|[^\w-])").expect("valid regex"))
}

/// False when `sentence` cannot hold a match of `numeric_regex`: each needs an ASCII digit and
/// a `-` or `.` between two digits.
fn may_hold_numeric_date(sentence: &str) -> bool {
    if !has_ascii_digit(sentence) {
        return false;
    }
    let mut previous = None;
    let mut chars = sentence.chars().peekable();
    while let Some(c) = chars.next() {
        if matches!(c, '-' | '.')
            && previous.is_some_and(char::is_numeric)
            && chars.peek().copied().is_some_and(char::is_numeric)
        {
            return true;
        }
        previous = Some(c);
    }
    false
}

fn has_ascii_digit(text: &str) -> bool {
    text.bytes().any(|b| b.is_ascii_digit())
}

/// The first date a sentence states, as `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
pub fn find_date(lang: &Language, sentence: &str, published: Option<(i64, u32, u32)>) -> Option<String> {
    let folded = Folded::new(sentence);
    let mut found: Vec<(usize, String)> = Vec::new();
    let numeric = may_hold_numeric_date(sentence).then(|| numeric_regex().captures_iter(sentence));
    for c in numeric.into_iter().flatten() {
        let (y, m, d) = match (c.name("iy"), c.name("y")) {
            (Some(y), _) => (y.as_str(), &c["im"], &c["id"]),
            (None, Some(y)) => (y.as_str(), &c["m"], &c["d"]),
            _ => continue,
        };
        let (y, m, d): (i64, u32, u32) = (y.parse().unwrap_or(0), m.parse().unwrap_or(0), d.parse().unwrap_or(0));
        if valid(y, m, d) {
            found.push((c.get(0).map_or(0, |g| g.start()), format!("{y:04}-{m:02}-{d:02}")));
        }
    }
    let words = lang.dates.words.find_all(sentence, &folded);
    for hit in &words {
        let DateWord::Month(month) = lang.dates.words.entry(hit.entry).target else { continue };
        let month = u32::from(month) + 1;
        let (start, end) = (folded.to_original(hit.start), folded.to_original(hit.end));
        let before = sentence[..start].trim_end();
        let after = &sentence[end..];
        let day_before = before
            .trim_end_matches('.')
            .rsplit(|c: char| !c.is_ascii_digit())
            .next()
            .filter(|d| {
                (1..=2).contains(&d.len())
                    && before.len() - before.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.').len() <= 3
            })
            .and_then(|d| d.parse::<u32>().ok());
        let tail = after.trim_start();
        let (day_after, tail) = match tail.split_once(|c: char| !c.is_ascii_digit()) {
            Some((d, rest)) if (1..=2).contains(&d.len()) && (rest.starts_with(',') || rest.starts_with(' ')) => {
                (d.parse::<u32>().ok(), rest.trim_start_matches(',').trim_start())
            }
            _ => (None, tail),
        };
        let year: Option<i64> = tail
            .get(..4)
            .filter(|y| {
                y.chars().all(|c| c.is_ascii_digit()) && tail[4..].chars().next().is_none_or(|c| !c.is_alphanumeric())
            })
            .and_then(|y| y.parse().ok());
        // A short month name alone ("mai" is also "more", "May" also "may") needs a day or year.
        if year.is_none() && day_before.or(day_after).is_none() && sentence[start..end].chars().count() < 4 {
            continue;
        }
        let year = year.or_else(|| published.map(|(py, pm, _)| if month > pm { py - 1 } else { py }));
        let Some(year) = year else { continue };
        let value = match day_before.or(day_after) {
            Some(d) if valid(year, month, d) => format!("{year:04}-{month:02}-{d:02}"),
            _ => format!("{year:04}-{month:02}"),
        };
        found.push((start, value));
    }
    if let Some(p) = published {
        for hit in &words {
            let DateWord::Relative(offset) = lang.dates.words.entry(hit.entry).target else { continue };
            found.push((folded.to_original(hit.start), resolve(offset, p)));
        }
    }
    if found.is_empty() && has_ascii_digit(sentence) {
        for c in year_regex().captures_iter(sentence) {
            if let Some(y) = c.name("y") {
                found.push((y.start(), y.as_str().to_string()));
            }
        }
    }
    // Of dates at the same place, the most precise.
    found.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.len().cmp(&a.1.len())));
    found.into_iter().next().map(|(_, v)| v)
}

/// A publication date standing alone on one of the first lines ("Sâmbătă, 2 noiembrie 2024").
pub fn dateline(lang: &Language, text: &str, sentences: &[std::ops::Range<usize>]) -> Option<String> {
    sentences.iter().take(3).find_map(|r| {
        let line = &text[r.clone()];
        let words = line.split_whitespace().count();
        (words <= 5).then(|| find_date(lang, line, None)).flatten().filter(|d| d.len() == 10)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(civil_from_days(days_from_civil(2024, 2, 29)), (2024, 2, 29));
        assert!(!valid(2023, 2, 29));
        assert_eq!(resolve(Offset::Day(-1), (2024, 3, 1)), "2024-02-29");
        assert_eq!(resolve(Offset::Month(-1), (2024, 1, 15)), "2023-12");
        assert_eq!(resolve(Offset::Year(-1), (2024, 1, 15)), "2023");
        assert_eq!(Offset::parse("month+0"), Ok(Offset::Month(0)));
        assert!(Offset::parse("week-1").is_err());
        assert_eq!(parse_iso("2024-11-02"), Some((2024, 11, 2)));
        assert_eq!(parse_iso("2024-02-30"), None);
    }

    #[test]
    fn prefilters_hide_no_date() {
        let templates = crate::generate::bundled().unwrap();
        let mut texts: Vec<String> = (0..200).map(|i| crate::generate::article(&templates, 5, i).text).collect();
        texts.extend(
            [
                "am 12.03.2024 und 2024-03-12",
                "١٢.03.2024 and 2024-٠٣-12",
                "5-6 times in 2019, 1.5 million",
                "x12.3.2020y 2020-1-2 ２０２４-03-12",
                "Year 1999. Then 2001-",
            ]
            .map(String::from),
        );
        let mut numeric = 0;
        for text in &texts {
            for piece in text.split_inclusive(['\n', '!', '?']).flat_map(|l| l.split_inclusive(". ")) {
                let found = numeric_regex().is_match(piece);
                assert!(may_hold_numeric_date(piece) || !found, "{piece:?}");
                numeric += usize::from(found);
                assert!(has_ascii_digit(piece) || !year_regex().is_match(piece), "{piece:?}");
            }
        }
        assert!(numeric > 0);
    }
}
