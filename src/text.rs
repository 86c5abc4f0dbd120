//! Stage 1: document text -> folded text + sentences.
//!
//! Matching works on a *folded* copy of the text (lower case, one typographic form of quotes,
//! dashes, spaces and Romanian comma letters). Folding maps every character to exactly one
//! character, so a folded offset always maps back to one original character: every span the
//! later stages produce is a byte range into the original text, and no stage may change it.

use std::collections::HashSet;
use std::ops::Range;
use std::sync::OnceLock;

/// Folds one character for case-insensitive matching.
pub fn fold_char(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    let t = fold_typography(c);
    t.to_lowercase().next().unwrap_or(t)
}

/// Folds typography only (quotes, dashes, spaces, Romanian cedilla letters), keeping case.
pub fn fold_typography(c: char) -> char {
    match c {
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{02BC}' | '\u{00B4}' | '`' => '\'',
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{00AB}' | '\u{00BB}' => '"',
        '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}' | '\u{2212}' => '-',
        '\u{00A0}' | '\u{202F}' | '\u{2009}' | '\u{2007}' | '\u{200A}' => ' ',
        '\u{015E}' => '\u{0218}',
        '\u{015F}' => '\u{0219}',
        '\u{0162}' => '\u{021A}',
        '\u{0163}' => '\u{021B}',
        c => c,
    }
}

/// `fold_char` of a character that is not ASCII: two-byte characters (U+0080 to U+07FF: Latin,
/// Greek, Cyrillic) from a table computed once.
fn fold_non_ascii(c: char) -> char {
    static TWO_BYTE: OnceLock<Vec<char>> = OnceLock::new();
    let table = TWO_BYTE.get_or_init(|| (0x80..0x800).filter_map(char::from_u32).map(fold_char).collect());
    table.get((c as usize).wrapping_sub(0x80)).copied().unwrap_or_else(|| fold_char(c))
}

/// The offset of the first byte at or after `from` that is not ASCII.
pub fn next_non_ascii(bytes: &[u8], from: usize) -> Option<usize> {
    // Near by in text of other scripts, where most characters are not ASCII...
    let near = bytes.len().min(from + 8);
    if let Some(i) = bytes.get(from..near)?.iter().position(|b| !b.is_ascii()) {
        return Some(from + i);
    }
    // ...else a block at a time: a block is checked a word at a time.
    let mut at = near;
    for block in bytes[near..].chunks(32) {
        if !block.is_ascii() {
            return block.iter().position(|b| !b.is_ascii()).map(|i| at + i);
        }
        at += block.len();
    }
    None
}

/// Folds a whole string (for lookups: labels, parameters, lexicon entries).
pub fn fold(s: &str) -> String {
    s.chars().map(fold_char).collect()
}

/// The folded copy of a text, with the way back to original byte offsets.
#[derive(Debug, Clone)]
pub struct Folded {
    pub text: String,
    /// For each byte of `text`, the original byte offset of its character; `None` when the
    /// folded text has the same byte layout as the original (the common case).
    map: Option<Vec<u32>>,
    original_len: usize,
}

impl Folded {
    pub fn new(original: &str) -> Folded {
        let mut text = original.to_ascii_lowercase();
        // The other characters fold in place while each keeps its length (the common case).
        let mut at = 0;
        while let Some(next) = next_non_ascii(text.as_bytes(), at) {
            at = next;
            let c = text[at..].chars().next().expect("a char starts at a non-ASCII byte here");
            let f = fold_non_ascii(c);
            if f != c {
                if f.len_utf8() != c.len_utf8() {
                    text.truncate(at);
                    return Folded::mapped(original, text);
                }
                text.replace_range(at..at + c.len_utf8(), f.encode_utf8(&mut [0; 4]));
            }
            at += c.len_utf8();
        }
        Folded { text, map: None, original_len: original.len() }
    }

    /// Folds the rest of `original` after `folded`, its folded start up to the first character
    /// whose folded form has another length, and keeps the map back.
    fn mapped(original: &str, mut folded: String) -> Folded {
        let start = folded.len();
        let mut map: Vec<u32> = (0..start as u32).collect();
        for (i, c) in original[start..].char_indices() {
            let f = if c.is_ascii() { c.to_ascii_lowercase() } else { fold_non_ascii(c) };
            map.extend(std::iter::repeat_n((start + i) as u32, f.len_utf8()));
            folded.push(f);
        }
        map.push(original.len() as u32);
        Folded { text: folded, map: Some(map), original_len: original.len() }
    }

    /// Maps a byte offset of the folded text (on a char boundary) to the original text.
    pub fn to_original(&self, folded: usize) -> usize {
        match &self.map {
            None => folded,
            Some(map) => map.get(folded).map_or(self.original_len, |&o| o as usize),
        }
    }

    /// Maps an original byte offset (on a char boundary) into the folded text.
    pub fn to_folded(&self, original: usize) -> usize {
        match &self.map {
            None => original,
            Some(map) => map.partition_point(|&o| (o as usize) < original),
        }
    }
}

/// A word character: a letter or a digit in any script (`char::is_alphanumeric`, faster).
pub fn is_word_char(c: char) -> bool {
    // The same as `char::is_alphanumeric`, with the scripts of the bundled languages answered
    // without a table lookup (this runs for every character of every article).
    match c as u32 {
        0..=0x7f => c.is_ascii_alphanumeric(),
        0xc0..=0x24f => c != '\u{d7}' && c != '\u{f7}',
        0x400..=0x481 | 0x48a..=0x52f => true,
        _ => c.is_alphanumeric(),
    }
}

/// The bytes at which a sentence may end: line breaks, sentence punctuation, and the first byte
/// of '…' (and of other characters from U+2000 to U+2FFF, which the splitter then passes over).
const MAY_END_SENTENCE: [bool; 256] = {
    let mut table = [false; 256];
    table[b'\n' as usize] = true;
    table[b'.' as usize] = true;
    table[b'!' as usize] = true;
    table[b'?' as usize] = true;
    table[0xE2] = true;
    table
};

/// Splits a text into sentences: byte ranges into `text`, trimmed, never empty.
///
/// A sentence ends at `.`, `!`, `?` or `…` followed by a space and a capital, digit or quote,
/// or directly by a capital (`word.Next`); at a line break unless the next line starts in
/// lower case (a hard-wrapped sentence); and never after an abbreviation of the language
/// (`abbreviations`, folded, with the dot) or a single capital initial (`W. Putin`).
pub fn split_sentences(text: &str, abbreviations: &HashSet<String>) -> Vec<Range<usize>> {
    let longest = abbreviations.iter().map(|a| a.chars().count()).max().unwrap_or(0);
    let abbreviations = Abbreviations { set: abbreviations, longest };
    let mut out = Vec::new();
    let mut start = 0;
    let mut pos = 0;
    while let Some(skip) = text.as_bytes()[pos..].iter().position(|&b| MAY_END_SENTENCE[usize::from(b)]) {
        pos += skip;
        let c = text[pos..].chars().next().expect("a char starts at a byte found above");
        let next_pos = pos + c.len_utf8();
        let mut resume = next_pos;
        let mut cut = None;
        if c == '\n' {
            let following = text[next_pos..].chars().find(|n| !n.is_whitespace());
            if following.is_none_or(|n| !n.is_lowercase()) {
                cut = Some(pos);
            }
        } else if matches!(c, '.' | '!' | '?' | '…') {
            let next = text[next_pos..].chars().next();
            // Extend over a run of closing punctuation: "...", ".”", "?!"
            let run: usize = text[next_pos..]
                .chars()
                .take_while(|&n| matches!(n, '.' | '!' | '?' | '…' | '"' | '\'' | '”' | '’' | '»' | ')'))
                .map(char::len_utf8)
                .sum();
            let end = next_pos + run;
            let after = text[end..].chars().find(|n| !n.is_whitespace() || *n == '\n');
            let spaced = next.is_some_and(char::is_whitespace) || run > 0;
            let starts_new = match after {
                None => true,
                Some(n) => {
                    n == '\n'
                        || n.is_uppercase()
                        || (spaced
                            && (n.is_numeric() || matches!(n, '"' | '„' | '“' | '«' | '\'' | '(' | '-' | '–' | '—')))
                }
            };
            let directly_capital = !spaced && next.is_some_and(char::is_uppercase);
            if (spaced || directly_capital || after.is_none())
                && starts_new
                && !(c == '.' && is_abbreviation(text, pos, &abbreviations))
            {
                cut = Some(end);
                resume = end;
            }
        }
        if let Some(end) = cut {
            push_trimmed(text, start..end, &mut out);
            start = end;
        }
        pos = resume;
    }
    push_trimmed(text, start..text.len(), &mut out);
    out
}

/// True when the `.` at `dot` closes an abbreviation or an initial.
fn is_abbreviation(text: &str, dot: usize, abbreviations: &Abbreviations) -> bool {
    let word_start = text[..dot]
        .char_indices()
        .rev()
        .find(|&(_, c)| c.is_whitespace() || matches!(c, '(' | '"' | '„' | '“'))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let word = &text[word_start..dot];
    let mut letters = word.chars();
    if let (Some(first), None) = (letters.next(), letters.next()) {
        if first.is_uppercase() {
            return true;
        }
    }
    if !word.is_empty() && word.chars().all(|c| c.is_ascii_digit()) {
        // "am 12. März", "5. října": a day number with a dot is an ordinal.
        return word.len() <= 2;
    }
    // (Folding keeps the number of characters: a longer word is none of them.)
    let candidate = &text[word_start..dot + 1];
    candidate.chars().count() <= abbreviations.longest && abbreviations.set.contains(&fold(candidate))
}

/// A language's abbreviations (folded, with their dot), and the length of the longest in
/// characters.
struct Abbreviations<'a> {
    set: &'a HashSet<String>,
    longest: usize,
}

fn push_trimmed(text: &str, range: Range<usize>, out: &mut Vec<Range<usize>>) {
    let s = &text[range.clone()];
    let lead = s.len() - s.trim_start().len();
    let trail = s.len() - s.trim_end().len();
    if lead + trail < s.len() {
        out.push(range.start + lead..range.end - trail);
    }
}

/// Converts byte offsets to Unicode code point offsets, for offsets given in increasing order.
pub struct CharCounter<'a> {
    text: &'a str,
    byte: usize,
    chars: usize,
}

impl<'a> CharCounter<'a> {
    pub fn new(text: &'a str) -> Self {
        CharCounter { text, byte: 0, chars: 0 }
    }

    /// The code point offset of byte offset `byte` (which must be on a char boundary).
    pub fn at(&mut self, byte: usize) -> usize {
        if byte < self.byte {
            self.byte = 0;
            self.chars = 0;
        }
        self.chars += self.text[self.byte..byte].chars().count();
        self.byte = byte;
        self.chars
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_chars_are_the_alphanumeric_chars() {
        for c in (0..0x3000u32).filter_map(char::from_u32) {
            assert_eq!(is_word_char(c), c.is_alphanumeric(), "{c:?} U+{:04X}", c as u32);
        }
    }

    fn check(text: &str, expected: &[&str]) {
        let abbr: HashSet<String> = ["kal.", "np.", "z.b."].iter().map(|s| s.to_string()).collect();
        let got: Vec<&str> = split_sentences(text, &abbr).into_iter().map(|r| &text[r]).collect();
        assert_eq!(got, expected, "splitting {text:?}");
    }

    /// The splitting rules applied one character at a time, with no skipping ahead: the former
    /// `split_sentences`, kept whole (not sharing its rules) as the reference the faster one is
    /// checked against.
    fn split_sentences_by_chars(text: &str, abbreviations: &HashSet<String>) -> Vec<Range<usize>> {
        // (Every abbreviation looked up, whatever its length.)
        let abbreviations = &Abbreviations { set: abbreviations, longest: usize::MAX };
        let mut out = Vec::new();
        let mut start = 0;
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        let mut i = 0;
        while i < chars.len() {
            let (pos, c) = chars[i];
            let next = chars.get(i + 1).map(|&(_, n)| n);
            let mut cut = None;
            if c == '\n' {
                let following = chars[i + 1..].iter().map(|&(_, n)| n).find(|n| !n.is_whitespace());
                if following.is_none_or(|n| !n.is_lowercase()) {
                    cut = Some(pos);
                }
            } else if matches!(c, '.' | '!' | '?' | '…') {
                // Extend over a run of closing punctuation: "...", ".”", "?!"
                let mut j = i + 1;
                while j < chars.len()
                    && matches!(chars[j].1, '.' | '!' | '?' | '…' | '"' | '\'' | '”' | '’' | '»' | ')')
                {
                    j += 1;
                }
                let end = chars.get(j).map_or(text.len(), |&(p, _)| p);
                let after = chars[j..].iter().map(|&(_, n)| n).find(|n| !n.is_whitespace() || *n == '\n');
                let spaced = next.is_some_and(char::is_whitespace) || j > i + 1;
                let starts_new = match after {
                    None => true,
                    Some(n) => {
                        n == '\n'
                            || n.is_uppercase()
                            || (spaced
                                && (n.is_numeric()
                                    || matches!(n, '"' | '„' | '“' | '«' | '\'' | '(' | '-' | '–' | '—')))
                    }
                };
                let directly_capital = !spaced && next.is_some_and(char::is_uppercase);
                if (spaced || directly_capital || after.is_none())
                    && starts_new
                    && !(c == '.' && is_abbreviation(text, pos, abbreviations))
                {
                    cut = Some(end);
                    i = j.saturating_sub(1);
                }
            }
            if let Some(end) = cut {
                push_trimmed(text, start..end, &mut out);
                start = end;
            }
            i += 1;
        }
        push_trimmed(text, start..text.len(), &mut out);
        out
    }

    #[test]
    fn skipping_ahead_splits_as_char_by_char() {
        let lexicon = crate::lexicon::Lexicon::bundled().unwrap();
        let templates = crate::generate::bundled().unwrap();
        let mut texts: Vec<String> = (0..100).map(|i| crate::generate::article(&templates, 9, i).text).collect();
        texts.extend(crate::bundled::DEMO_CORPUS.lines().map(String::from));
        texts.extend(
            ["a…B", "Wait…\nthen.", "x.”Y", "Ok?!\n\nno", "“Quote.” «Next»", "end.", "1. 2. Drei", "…", "a\n"]
                .map(String::from),
        );
        for lang in lexicon.languages() {
            for text in &texts {
                assert_eq!(
                    split_sentences(text, &lang.abbreviations),
                    split_sentences_by_chars(text, &lang.abbreviations),
                    "{text:?}"
                );
            }
        }
    }

    #[test]
    fn sentences() {
        check("One ship sailed. Two more followed.", &["One ship sailed.", "Two more followed."]);
        check(
            "Dostarczono pociski kal. 152 mm do Rosji. Potem rakiety.",
            &["Dostarczono pociski kal. 152 mm do Rosji.", "Potem rakiety."],
        );
        check("W. Putin met Kim. They talked.", &["W. Putin met Kim.", "They talked."]);
        check("Headline\nBody starts here.", &["Headline", "Body starts here."]);
        check("a wrapped\nline goes on.", &["a wrapped\nline goes on."]);
        check("It ended.Then it began.", &["It ended.", "Then it began."]);
        check("He said: \"No.\" Then left.", &["He said: \"No.\"", "Then left."]);
        check("Am 5. Oktober kamen sie.", &["Am 5. Oktober kamen sie."]);
        check("Sie kamen am 12. März. Dann gingen sie.", &["Sie kamen am 12. März.", "Dann gingen sie."]);
        check("", &[]);
        check("   \n  ", &[]);
    }

    #[test]
    fn folding_keeps_one_char_per_char() {
        let original = "Ş—İ\u{a0}Rosji’s";
        let folded = Folded::new(original);
        assert_eq!(folded.text, "ș-i rosji's");
        assert_eq!(folded.text.chars().count(), original.chars().count());
        for ((f, _), (o, _)) in folded.text.char_indices().zip(original.char_indices()) {
            assert_eq!(folded.to_original(f), o);
            assert_eq!(folded.to_folded(o), f);
        }
        assert_eq!(folded.to_original(folded.text.len()), original.len());
    }

    #[test]
    fn folded_text_is_every_char_folded() {
        let every_char: String = (0..0x3000u32).filter_map(char::from_u32).collect();
        for original in
            ["", "ABC def", "Ünïcödé ÀÉÎ x", "Ş—İ\u{a0}Rosji’s", "ЗСУ та Україна", "«Großes» ΣΑΣ ǅ 12 ﬀ Ⱥ", &every_char]
        {
            let folded = Folded::new(original);
            assert_eq!(folded.text, original.chars().map(fold_char).collect::<String>());
            // The way back: each folded character to its original character.
            let mut expected: Vec<usize> = original.char_indices().map(|(i, _)| i).collect();
            expected.push(original.len());
            let boundaries = (0..=folded.text.len()).filter(|&f| folded.text.is_char_boundary(f));
            let mapped: Vec<usize> = boundaries.map(|f| folded.to_original(f)).collect();
            assert_eq!(mapped, expected, "{original:?}");
        }
    }

    #[test]
    fn next_non_ascii_finds_the_first() {
        let text = "a".repeat(70) + "é" + &"b".repeat(40) + "ł";
        let bytes = text.as_bytes();
        for from in 0..=bytes.len() {
            let expected = bytes[from..].iter().position(|b| !b.is_ascii()).map(|i| from + i);
            assert_eq!(next_non_ascii(bytes, from), expected, "from {from}");
        }
    }

    #[test]
    fn char_counter() {
        let text = "łódź ok";
        let mut counter = CharCounter::new(text);
        assert_eq!(counter.at(0), 0);
        assert_eq!(counter.at("łódź".len()), 4);
        assert_eq!(counter.at(text.len()), 7);
    }
}
