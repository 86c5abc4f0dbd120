//! The entry syntax of `lexicon/README.md`, compiled: one Aho-Corasick automaton over the
//! first word of every entry, then a check of the rest of the entry at each hit.
//!
//! Entries: words separated by spaces; `word*` is a stem, `*word` ends a longer word, an
//! all-capitals entry or one written `=Entry` matches with exact case. Matching runs on the
//! folded text (see `text.rs`); the exact-case check looks at the original characters.

use aho_corasick::{AhoCorasick, MatchKind};

use crate::text::{fold, fold_typography, is_word_char, Folded};

/// One word of an entry.
#[derive(Debug, Clone)]
struct Piece {
    /// The literal part, folded.
    core: String,
    /// The literal part as written (typography folded, case kept), for exact-case entries.
    exact: String,
    /// `word*`: more letters may follow.
    stem: bool,
    /// `*word`: the word may be the end of a longer word.
    suffix: bool,
}

/// A compiled entry and what it stands for.
#[derive(Debug, Clone)]
pub struct Entry<T> {
    /// The entry as written in the data file.
    pub text: String,
    pub target: T,
    /// The file it comes from (for explanations).
    pub file: String,
    pieces: Vec<Piece>,
    exact_case: bool,
}

/// A match: a byte range of the folded text and the entry that matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub start: usize,
    pub end: usize,
    pub entry: u32,
}

/// One automaton and, for each of its patterns, the entries whose first word it stands for.
struct Scanner {
    automaton: AhoCorasick,
    by_first: Vec<Vec<u32>>,
}

pub struct Matcher<T> {
    entries: Vec<Entry<T>>,
    /// Entries whose first word starts with a letter or digit, over the *word text* (see
    /// `word_text`): a pattern is ` core` (a space, then the core), so it can only match where a
    /// word starts, or `core` for `*suffix` entries, which may end a longer word.
    words: Option<Scanner>,
    /// Entries that start with punctuation (`, die`), over the folded text.
    punctuation: Option<Scanner>,
}

/// The folded text with every character that is not a letter or digit replaced by as many
/// spaces as its UTF-8 length, after one leading space: byte `i + 1` of it is byte `i` of the
/// folded text, and a word start is exactly a space followed by a word character.
fn word_text(folded: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(folded.len() + 1);
    out.push(b' ');
    for c in folded.chars() {
        if c.is_ascii() {
            out.push(if c.is_ascii_alphanumeric() { c as u8 } else { b' ' });
        } else if is_word_char(c) {
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        } else {
            out.extend(std::iter::repeat_n(b' ', c.len_utf8()));
        }
    }
    out
}

fn build_scanner(patterns: Vec<Vec<u8>>, by_first: Vec<Vec<u32>>) -> Result<Option<Scanner>, String> {
    if patterns.is_empty() {
        return Ok(None);
    }
    let automaton = AhoCorasick::builder()
        .match_kind(MatchKind::Standard)
        .build(&patterns)
        .map_err(|e| format!("cannot build the matcher: {e}"))?;
    Ok(Some(Scanner { automaton, by_first }))
}

/// Parses an entry; the error says what is wrong with it.
fn parse_entry(text: &str) -> Result<(Vec<Piece>, bool), String> {
    let (body, forced) = match text.strip_prefix('=') {
        Some(rest) => (rest, true),
        None => (text, false),
    };
    let letters: Vec<char> = body.chars().filter(|c| c.is_alphabetic()).collect();
    let all_caps = letters.len() >= 2 && letters.iter().all(|c| c.is_uppercase());
    let mut pieces = Vec::new();
    for (i, word) in body.split_whitespace().enumerate() {
        let suffix = word.starts_with('*');
        let stem = word.ends_with('*') && word.len() > 1;
        let literal = word.trim_matches('*');
        if literal.is_empty() {
            return Err(format!("entry {text:?} has a word with no letters"));
        }
        if literal.contains('*') {
            return Err(format!("entry {text:?}: '*' may only start or end a word"));
        }
        if suffix && i > 0 {
            return Err(format!("entry {text:?}: only the first word may start with '*'"));
        }
        pieces.push(Piece { core: fold(literal), exact: literal.chars().map(fold_typography).collect(), stem, suffix });
    }
    if pieces.is_empty() {
        return Err("empty entry".to_string());
    }
    Ok((pieces, forced || all_caps))
}

impl<T: Copy> Matcher<T> {
    /// Compiles entries `(text, target, file)`; returns the first invalid entry as an error.
    pub fn new(items: impl IntoIterator<Item = (String, T, String)>) -> Result<Self, String> {
        let mut entries = Vec::new();
        for (text, target, file) in items {
            let (pieces, exact_case) = parse_entry(&text).map_err(|e| format!("{file}: {e}"))?;
            entries.push(Entry { text, target, file, pieces, exact_case });
        }
        // Distinct first words, by where they are looked for.
        let mut index: std::collections::HashMap<(bool, Vec<u8>), usize> = std::collections::HashMap::new();
        let (mut word_patterns, mut word_entries) = (Vec::new(), Vec::<Vec<u32>>::new());
        let (mut punct_patterns, mut punct_entries) = (Vec::new(), Vec::<Vec<u32>>::new());
        for (i, entry) in entries.iter().enumerate() {
            let first = &entry.pieces[0];
            let word_led = first.core.chars().next().is_some_and(is_word_char);
            let pattern = if !word_led {
                first.core.as_bytes().to_vec()
            } else {
                let w = word_text(&first.core);
                if first.suffix {
                    w[1..].to_vec()
                } else {
                    w
                }
            };
            let (patterns, lists) = if word_led {
                (&mut word_patterns, &mut word_entries)
            } else {
                (&mut punct_patterns, &mut punct_entries)
            };
            let p = *index.entry((word_led, pattern.clone())).or_insert_with(|| {
                patterns.push(pattern);
                lists.push(Vec::new());
                patterns.len() - 1
            });
            lists[p].push(i as u32);
        }
        let words = build_scanner(word_patterns, word_entries)?;
        let punctuation = build_scanner(punct_patterns, punct_entries)?;
        Ok(Matcher { entries, words, punctuation })
    }

    /// Every entry, in the order they were given.
    pub fn entries(&self) -> &[Entry<T>] {
        &self.entries
    }

    pub fn entry(&self, i: u32) -> &Entry<T> {
        &self.entries[i as usize]
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every entry match in `folded` (overlapping; the caller chooses among them), in order of
    /// where the automaton found them.
    pub fn find_all(&self, original: &str, folded: &Folded) -> Vec<Hit> {
        let mut hits = Vec::new();
        if let Some(words) = &self.words {
            let text = word_text(&folded.text);
            for m in words.automaton.find_overlapping_iter(&text[..]) {
                // ` core` patterns start one byte before the word; `core` (suffix) ones at it.
                let at = if text[m.start()] == b' ' { m.start() } else { m.start() - 1 };
                self.try_all(&words.by_first[m.pattern().as_usize()], original, folded, at, &mut hits);
            }
        }
        if let Some(punct) = &self.punctuation {
            for m in punct.automaton.find_overlapping_iter(folded.text.as_str()) {
                self.try_all(&punct.by_first[m.pattern().as_usize()], original, folded, m.start(), &mut hits);
            }
        }
        hits
    }

    fn try_all(&self, entries: &[u32], original: &str, folded: &Folded, at: usize, hits: &mut Vec<Hit>) {
        for &e in entries {
            let entry = &self.entries[e as usize];
            if let Some((start, end)) = try_entry(entry, original, folded, at) {
                hits.push(Hit { start, end, entry: e });
            }
        }
    }
}

fn char_before(text: &str, at: usize) -> Option<char> {
    text[..at].chars().next_back()
}

fn char_at(text: &str, at: usize) -> Option<char> {
    text[at..].chars().next()
}

/// Checks the whole entry at a hit of its first word's core at `at`; returns the span.
fn try_entry<T>(entry: &Entry<T>, original: &str, folded: &Folded, at: usize) -> Option<(usize, usize)> {
    let text = folded.text.as_str();
    let first = &entry.pieces[0];
    // The automaton saw the word text (punctuation as spaces): check the real characters.
    if !text.is_char_boundary(at) || !text[at..].starts_with(first.core.as_str()) {
        return None;
    }
    let mut start = at;
    if first.suffix {
        // The match covers the whole word the suffix ends.
        while let Some(c) = char_before(text, start).filter(|&c| is_word_char(c)) {
            start -= c.len_utf8();
        }
    } else if first.core.chars().next().is_some_and(is_word_char) && char_before(text, at).is_some_and(is_word_char) {
        return None;
    }
    let mut cursor = at;
    for (i, piece) in entry.pieces.iter().enumerate() {
        if i > 0 {
            let gap = text[cursor..].len() - text[cursor..].trim_start().len();
            if gap == 0 || !text[cursor..].starts_with(char::is_whitespace) {
                return None;
            }
            cursor += gap;
            if !text[cursor..].starts_with(piece.core.as_str()) {
                return None;
            }
        }
        if entry.exact_case && !exact_matches(original, folded, cursor, &piece.exact) {
            return None;
        }
        cursor += piece.core.len();
        if piece.stem {
            while let Some(c) = char_at(text, cursor).filter(|&c| is_word_char(c)) {
                cursor += c.len_utf8();
            }
        } else if char_at(text, cursor).is_some_and(is_word_char)
            && piece.core.chars().next_back().is_some_and(is_word_char)
        {
            return None;
        }
    }
    Some((start, cursor))
}

/// Compares the original characters at folded offset `at` with `exact`.
fn exact_matches(original: &str, folded: &Folded, at: usize, exact: &str) -> bool {
    let from = folded.to_original(at);
    let mut chars = original[from..].chars().map(fold_typography);
    exact.chars().all(|e| chars.next() == Some(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(entries: &[&str], text: &str, expected: &[&str]) {
        let matcher = Matcher::new(entries.iter().map(|e| (e.to_string(), (), "test".to_string()))).unwrap();
        let folded = Folded::new(text);
        let mut got: Vec<String> = matcher
            .find_all(text, &folded)
            .into_iter()
            .map(|h| text[folded.to_original(h.start)..folded.to_original(h.end)].to_string())
            .collect();
        got.sort();
        let mut expected: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
        expected.sort();
        assert_eq!(got, expected, "entries {entries:?} on {text:?}");
    }

    #[test]
    fn entry_syntax() {
        check(&["rakiet*"], "Rakiety i rakietami, nie prakiety.", &["Rakiety", "rakietami"]);
        check(&["*munition"], "Artilleriemunition und Munition", &["Artilleriemunition", "Munition"]);
        check(
            &["korea północna"],
            "KOREA  Północna i Korea\u{a0}Północna",
            &["KOREA  Północna", "Korea\u{a0}Północna"],
        );
        check(&["US"], "the US and us", &["US"]);
        check(&["=Grad"], "Grad rockets, 5 grad", &["Grad"]);
        check(&["pocisk* kal."], "pociski kal. 122", &["pociski kal."]);
        check(&["iran"], "Iranian", &[]);
        check(&["rusia"], "Rusiei, Rusia", &["Rusia"]);
        check(&["ş"], "Ș", &["Ș"]);
        check(&[", die"], "Raketen, die es", &[", die"]);
    }

    #[test]
    fn invalid_entries() {
        for bad in ["", "a*b", "x *y", "*"] {
            assert!(Matcher::new([(bad.to_string(), (), "f".to_string())]).is_err(), "{bad:?}");
        }
    }
}
