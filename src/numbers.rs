//! Quantities as each language writes them: "10 000", "5,2 mln", "1.5 million", "about 73",
//! "kilkaset". Digit grouping and the decimal mark come from the language's `[numbers]`.

use std::sync::OnceLock;

use regex::Regex;

use crate::lexicon::Language;
use crate::text::{is_word_char, Folded};

/// A number a text states, and the words it was read from.
#[derive(Debug, Clone, PartialEq)]
pub struct Quantity {
    pub value: f64,
    pub text: String,
}

fn number_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"\d{1,3}(?:[ \u{a0}\u{202f}.,'’]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?").expect("valid regex")
    })
}

/// Reads a number written with the language's decimal mark; other separators group digits.
pub fn parse_number(lang: &Language, digits: &str) -> Option<f64> {
    let mark = lang.numbers.decimal_separator.as_deref().and_then(|s| s.chars().next()).unwrap_or('.');
    let (int, frac) = match digits.rfind(mark) {
        Some(i) => (&digits[..i], &digits[i + mark.len_utf8()..]),
        None => (digits, ""),
    };
    let int: String = int.chars().filter(char::is_ascii_digit).collect();
    if frac.is_empty() {
        int.parse().ok()
    } else {
        format!("{int}.{frac}").parse().ok()
    }
}

/// Finds the quantity stated right before an item, in `before` (the text from the previous
/// mention to the item). At most three words may stand between the number and the item.
pub fn find_quantity(lang: &Language, before: &str) -> Option<Quantity> {
    let folding = Folded::new(before);
    let folded = folding.text.as_str();
    let original =
        |from: usize, to: usize| before[folding.to_original(from)..folding.to_original(to)].trim().to_string();
    let mut best = None;
    for m in number_regex().find_iter(folded) {
        // "Su-35", "T72", "KN-23": digits glued to a designation are not a count.
        if folded[..m.start()].chars().next_back().is_some_and(|c| c == '-' || is_word_char(c)) {
            continue;
        }
        let rest = &folded[m.end()..];
        let words: Vec<&str> = rest.split(|c: char| !is_word_char(c) && c != '.').filter(|w| !w.is_empty()).collect();
        if words.len() > 3 {
            continue;
        }
        let Some(mut value) = parse_number(lang, m.as_str()) else { continue };
        let is_year = !m.as_str().contains(|c: char| !c.is_ascii_digit()) && (1900.0..=2100.0).contains(&value);
        let mut end = m.end();
        if let Some(w) = words.first() {
            let scale = [(&lang.numbers.thousand, 1e3), (&lang.numbers.million, 1e6), (&lang.numbers.billion, 1e9)]
                .into_iter()
                .find(|(list, _)| list.iter().any(|e| word_matches(e, w)))
                .map(|(_, s)| s);
            if let Some(s) = scale {
                value *= s;
                end = m.end() + rest.find(w).unwrap_or(0) + w.len();
            } else if is_year {
                continue;
            }
        } else if is_year {
            continue;
        }
        best = Some(Quantity { value, text: original(m.start(), end.min(folded.len())) });
    }
    if best.is_none() {
        // Number words ("kilkaset", "Tausende"): whole words, the longest phrase wins.
        let mut found: Option<(usize, usize, f64)> = None;
        for (key, value) in &lang.numbers.words {
            let Some(p) = rfind_word(folded, key) else { continue };
            if folded[p + key.len()..].split_whitespace().count() <= 3
                && found.is_none_or(|(_, len, _)| key.len() > len)
            {
                found = Some((p, key.len(), *value));
            }
        }
        best = found.map(|(p, len, value)| Quantity { value, text: original(p, p + len) });
    }
    best
}

/// Whether a folded word of the text is the folded scale word `entry` (`word*`: a stem).
fn word_matches(entry: &str, word: &str) -> bool {
    match entry.strip_suffix('*') {
        Some(stem) => word.starts_with(stem),
        None => word == entry || word.trim_end_matches('.') == entry.trim_end_matches('.'),
    }
}

/// The start of the last occurrence of `needle` that ends by `end` in `text`. The texts searched
/// here are a few words long: comparing at each place costs less than setting up `str::rfind`.
fn rfind_before(text: &str, end: usize, needle: &str) -> Option<usize> {
    let (hay, needle) = (&text.as_bytes()[..end], needle.as_bytes());
    let last = hay.len().checked_sub(needle.len())?;
    let Some(&first) = needle.first() else { return Some(hay.len()) };
    (0..=last).rev().find(|&p| hay[p] == first && hay[p..].starts_with(needle))
}

/// The last occurrence of `word` in `text` standing as whole words.
fn rfind_word(text: &str, word: &str) -> Option<usize> {
    let mut end = text.len();
    while let Some(p) = rfind_before(text, end, word) {
        let before_ok = text[..p].chars().next_back().is_none_or(|c| !is_word_char(c));
        let after_ok = text[p + word.len()..].chars().next().is_none_or(|c| !is_word_char(c));
        if before_ok && after_ok {
            return Some(p);
        }
        end = p;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfind_before_is_rfind() {
        let text = "około 1,5 mln, kilkaset i kilkaset tysięcy, ąą";
        for needle in ["kilkaset", "mln", "ą", "ąą", "x", "około", "y", "", text] {
            for end in (0..=text.len()).filter(|&e| text.is_char_boundary(e)) {
                assert_eq!(rfind_before(text, end, needle), text[..end].rfind(needle), "{needle:?} before {end}");
            }
        }
    }
}
