//! The entry syntax of `lexicon/README.md`, compiled: one Aho-Corasick automaton over the
//! first word of every entry, then a check of the rest of the entry at each hit.
//!
//! Entries: words separated by spaces; `word*` is a stem, `*word` ends a longer word, an
//! all-capitals entry or one written `=Entry` matches with exact case. Matching runs on the
//! folded text (see `text.rs`); the exact-case check looks at the original characters.

use aho_corasick::{AhoCorasick, MatchKind};

use crate::text::{fold, fold_typography, is_word_char, next_non_ascii, Folded};

/// One word of an entry, as parsed.
#[derive(Debug, Clone)]
struct ParsedPiece {
    /// The literal part, folded.
    core: String,
    /// The literal part as written (typography folded, case kept), for exact-case entries.
    exact: String,
    /// `word*`: more letters may follow.
    stem: bool,
    /// `*word`: the word may be the end of a longer word.
    suffix: bool,
}

/// Where a text is in a string of texts put one after another.
#[derive(Debug, Clone, Copy)]
struct TextSpan {
    start: u32,
    len: u32,
}

/// One word of an entry, its texts in `Pieces::text`.
#[derive(Debug, Clone, Copy)]
struct Piece {
    core: TextSpan,
    exact: TextSpan,
    stem: bool,
    suffix: bool,
    /// The core is letters and digits only: where the automaton found it as a first word (whose
    /// pattern is then the core itself, after a space unless a suffix), it is there.
    word_only: bool,
}

/// The pieces of every entry, packed into three arrays (all the texts one after another, the
/// pieces, each entry's run of pieces): what the check at every hit reads stays close together
/// instead of in strings spread over the heap.
#[derive(Debug, Clone, Default)]
struct Pieces {
    text: String,
    pieces: Vec<Piece>,
    /// Per entry: its first piece, how many, and whether it matches with exact case.
    of_entry: Vec<(u32, u32, bool)>,
}

impl TextSpan {
    fn of(self, text: &str) -> &str {
        &text[self.start as usize..(self.start + self.len) as usize]
    }
}

impl Pieces {
    fn push(&mut self, parsed: &[ParsedPiece], exact_case: bool) {
        self.of_entry.push((self.pieces.len() as u32, parsed.len() as u32, exact_case));
        for p in parsed {
            let core = self.add_text(&p.core);
            // (The written form is only ever compared for exact-case entries.)
            let exact = if exact_case { self.add_text(&p.exact) } else { TextSpan { start: 0, len: 0 } };
            let word_only = p.core.chars().all(is_word_char);
            self.pieces.push(Piece { core, exact, stem: p.stem, suffix: p.suffix, word_only });
        }
    }

    fn add_text(&mut self, text: &str) -> TextSpan {
        let span = TextSpan { start: self.text.len() as u32, len: text.len() as u32 };
        self.text.push_str(text);
        span
    }

    /// The pieces of entry `e`, and whether it matches with exact case.
    fn of(&self, e: u32) -> (&[Piece], bool) {
        let (first, count, exact_case) = self.of_entry[e as usize];
        (&self.pieces[first as usize..(first + count) as usize], exact_case)
    }

    fn text(&self, span: TextSpan) -> &str {
        span.of(&self.text)
    }
}

/// A compiled entry and what it stands for.
#[derive(Debug, Clone)]
pub struct Entry<T> {
    /// The entry as written in the data file.
    pub text: String,
    pub target: T,
    /// The file it comes from (for explanations).
    pub file: String,
    /// The characters of `text` other than `*` and `=`.
    literal_chars: usize,
}

impl<T> Entry<T> {
    /// How many characters of the entry are literal (not `*` or `=`): the longer, the more specific.
    pub fn literal_chars(&self) -> usize {
        self.literal_chars
    }
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
    first_words: FirstWords,
}

/// The entries that share one automaton pattern, indexed by what must follow their first word,
/// so that a hit tries only the entries that can match there. The index only narrows the
/// choice: `try_entry` still checks every entry it names. (Built as this, then packed into
/// `FirstWords`.)
#[derive(Default)]
struct FirstWord {
    /// One per distinct first word (its folded core and whether it is a stem).
    variants: Vec<FirstPiece>,
}

/// The entries whose first word is one folded core, stem or not.
struct FirstPiece {
    core: String,
    stem: bool,
    /// Entries of this one word.
    alone: Vec<u32>,
    /// Entries of several words, by the first character of their second word (sorted by it).
    by_next: Vec<(char, Vec<u32>)>,
}

/// The `FirstWord` of every pattern of a scanner, packed into a few arrays.
struct FirstWords {
    /// Per pattern, where its first pieces start in `variants` (the next pattern's start ends
    /// them).
    starts: Vec<u32>,
    variants: Vec<PackedFirstPiece>,
    /// The lists of entries, one after another.
    entries: Vec<u32>,
    /// The second-word characters of each first piece, with their lists of entries.
    next: Vec<(char, Run)>,
    /// The cores of the first pieces, one after another.
    cores: String,
}

/// A run of one of the arrays of `FirstWords`.
#[derive(Clone, Copy)]
struct Run {
    start: u32,
    end: u32,
}

impl Run {
    fn of<X>(self, items: &[X]) -> &[X] {
        &items[self.start as usize..self.end as usize]
    }
}

struct PackedFirstPiece {
    core: TextSpan,
    /// The core is letters and digits only (see `Piece::word_only`).
    word_only: bool,
    stem: bool,
    alone: Run,
    by_next: Run,
}

impl FirstWords {
    fn pack(first_words: Vec<FirstWord>) -> FirstWords {
        let mut packed = FirstWords {
            starts: Vec::new(),
            variants: Vec::new(),
            entries: Vec::new(),
            next: Vec::new(),
            cores: String::new(),
        };
        for first_word in first_words {
            packed.starts.push(packed.variants.len() as u32);
            for v in first_word.variants {
                let alone = packed.add_entries(&v.alone);
                let next_start = packed.next.len() as u32;
                for (c, list) in &v.by_next {
                    let run = packed.add_entries(list);
                    packed.next.push((*c, run));
                }
                let by_next = Run { start: next_start, end: packed.next.len() as u32 };
                let core = TextSpan { start: packed.cores.len() as u32, len: v.core.len() as u32 };
                packed.cores.push_str(&v.core);
                let word_only = v.core.chars().all(is_word_char);
                packed.variants.push(PackedFirstPiece { core, word_only, stem: v.stem, alone, by_next });
            }
        }
        packed.starts.push(packed.variants.len() as u32);
        packed
    }

    fn add_entries(&mut self, list: &[u32]) -> Run {
        let start = self.entries.len() as u32;
        self.entries.extend_from_slice(list);
        Run { start, end: self.entries.len() as u32 }
    }

    fn variants(&self, pattern: usize) -> &[PackedFirstPiece] {
        &self.variants[self.starts[pattern] as usize..self.starts[pattern + 1] as usize]
    }

    /// Appends to `out`, in entry order, every entry of `pattern` that may match with its first
    /// word's core at `at` of the folded text: those of one word, and those whose second word
    /// starts with the character after the first word and the whitespace that follows it.
    fn candidates(&self, pattern: usize, text: &str, at: usize, out: &mut Vec<u32>) {
        let from = out.len();
        let variants = self.variants(pattern);
        for variant in variants {
            if !variant.word_only
                && (!text.is_char_boundary(at) || !text[at..].starts_with(variant.core.of(&self.cores)))
            {
                continue;
            }
            out.extend_from_slice(variant.alone.of(&self.entries));
            let by_next = variant.by_next.of(&self.next);
            if by_next.is_empty() {
                continue;
            }
            let mut cursor = at + variant.core.len as usize;
            if variant.stem {
                cursor += text[cursor..].find(|c| !is_word_char(c)).unwrap_or(text.len() - cursor);
            }
            let gap = whitespace_at(text, cursor);
            if gap == 0 {
                continue;
            }
            if let Some(next) = text[cursor + gap..].chars().next() {
                if let Ok(i) = by_next.binary_search_by_key(&next, |(c, _)| *c) {
                    out.extend_from_slice(by_next[i].1.of(&self.entries));
                }
            }
        }
        if variants.len() > 1 || out.len() - from > 1 {
            out[from..].sort_unstable();
        }
    }

    /// Every entry of `pattern`, in entry order (what a hit would try without the index).
    #[cfg(test)]
    fn all(&self, pattern: usize) -> Vec<u32> {
        let mut all: Vec<u32> = self
            .variants(pattern)
            .iter()
            .flat_map(|v| {
                let next = v.by_next.of(&self.next).iter().flat_map(|(_, run)| run.of(&self.entries));
                v.alone.of(&self.entries).iter().chain(next)
            })
            .copied()
            .collect();
        all.sort_unstable();
        all
    }
}

impl FirstWord {
    fn add(&mut self, entry: u32, pieces: &[ParsedPiece]) {
        let first = &pieces[0];
        let at = match self.variants.iter().position(|v| v.core == first.core && v.stem == first.stem) {
            Some(at) => at,
            None => {
                let variant =
                    FirstPiece { core: first.core.clone(), stem: first.stem, alone: Vec::new(), by_next: Vec::new() };
                self.variants.push(variant);
                self.variants.len() - 1
            }
        };
        let variant = &mut self.variants[at];
        match pieces.get(1).and_then(|second| second.core.chars().next()) {
            None => variant.alone.push(entry),
            Some(next) => match variant.by_next.binary_search_by_key(&next, |(c, _)| *c) {
                Ok(i) => variant.by_next[i].1.push(entry),
                Err(i) => variant.by_next.insert(i, (next, vec![entry])),
            },
        }
    }
}

pub struct Matcher<T> {
    entries: Vec<Entry<T>>,
    pieces: Pieces,
    /// Entries whose first word starts with a letter or digit, over the *word text* (see
    /// `word_text`): a pattern is ` core` (a space, then the core), so it can only match where a
    /// word starts, or `core` for `*suffix` entries, which may end a longer word.
    words: Option<Scanner>,
    /// Entries that start with punctuation (`, die`), over the folded text.
    punctuation: Option<Scanner>,
}

/// Each byte as the word text has it: ASCII letters and digits kept, other ASCII a space, and
/// the bytes of other characters kept (for `word_text` to check whole characters).
const ASCII_AS_WORD_TEXT: [u8; 256] = {
    let mut table = [b' '; 256];
    let mut b = 0;
    while b < 256 {
        let byte = b as u8;
        if byte >= 0x80 || byte.is_ascii_alphanumeric() {
            table[b] = byte;
        }
        b += 1;
    }
    table
};

/// The folded text with every character that is not a letter or digit replaced by as many
/// spaces as its UTF-8 length, after one leading space: byte `i + 1` of it is byte `i` of the
/// folded text, and a word start is exactly a space followed by a word character.
fn word_text(folded: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(folded.len() + 1);
    out.push(b' ');
    out.extend_from_slice(folded.as_bytes());
    for b in &mut out {
        *b = ASCII_AS_WORD_TEXT[usize::from(*b)];
    }
    // Then the characters that are not ASCII and not letters or digits.
    let mut at = 0;
    while let Some(next) = next_non_ascii(folded.as_bytes(), at) {
        at = next;
        let c = folded[at..].chars().next().expect("a char starts at a non-ASCII byte here");
        if !is_word_char(c) {
            out[at + 1..at + 1 + c.len_utf8()].fill(b' ');
        }
        at += c.len_utf8();
    }
    out
}

fn build_scanner(patterns: Vec<Vec<u8>>, first_words: Vec<FirstWord>) -> Result<Option<Scanner>, String> {
    if patterns.is_empty() {
        return Ok(None);
    }
    let automaton = AhoCorasick::builder()
        .match_kind(MatchKind::Standard)
        .build(&patterns)
        .map_err(|e| format!("cannot build the matcher: {e}"))?;
    Ok(Some(Scanner { automaton, first_words: FirstWords::pack(first_words) }))
}

/// Parses an entry; the error says what is wrong with it.
fn parse_entry(text: &str) -> Result<(Vec<ParsedPiece>, bool), String> {
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
        let exact = literal.chars().map(fold_typography).collect();
        pieces.push(ParsedPiece { core: fold(literal), exact, stem, suffix });
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
        let mut parsed = Vec::new();
        let mut pieces = Pieces::default();
        for (text, target, file) in items {
            let (entry_pieces, exact_case) = parse_entry(&text).map_err(|e| format!("{file}: {e}"))?;
            pieces.push(&entry_pieces, exact_case);
            parsed.push(entry_pieces);
            let literal_chars = text.chars().filter(|c| *c != '*' && *c != '=').count();
            entries.push(Entry { text, target, file, literal_chars });
        }
        // Distinct first words, by where they are looked for.
        let mut index: std::collections::HashMap<(bool, Vec<u8>), usize> = std::collections::HashMap::new();
        let (mut word_patterns, mut word_entries) = (Vec::new(), Vec::<FirstWord>::new());
        let (mut punct_patterns, mut punct_entries) = (Vec::new(), Vec::<FirstWord>::new());
        for (i, entry_pieces) in parsed.iter().enumerate() {
            let first = &entry_pieces[0];
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
                lists.push(FirstWord::default());
                patterns.len() - 1
            });
            lists[p].add(i as u32, entry_pieces);
        }
        let words = build_scanner(word_patterns, word_entries)?;
        let punctuation = build_scanner(punct_patterns, punct_entries)?;
        Ok(Matcher { entries, pieces, words, punctuation })
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
    ///
    /// In three passes, each reading one kind of data (the automaton, the first-word index, the
    /// entries), so that the memory reads of one pass do not wait on those of another.
    pub fn find_all(&self, original: &str, folded: &Folded) -> Vec<Hit> {
        let mut tries: Vec<(u32, usize)> = Vec::with_capacity(expected_hits(&folded.text));
        let mut candidates = Vec::new();
        for (first_words, pattern, at) in self.first_words(folded) {
            candidates.clear();
            first_words.candidates(pattern, &folded.text, at, &mut candidates);
            tries.extend(candidates.iter().map(|&e| (e, at)));
        }
        self.try_all(tries, original, folded)
    }

    /// Where a first word of an entry stands in `folded`: its scanner's index, the pattern and
    /// the place.
    fn first_words(&self, folded: &Folded) -> Vec<(&FirstWords, usize, usize)> {
        let mut found = Vec::with_capacity(expected_hits(&folded.text));
        if let Some(words) = &self.words {
            let text = word_text(&folded.text);
            found.extend(words.automaton.find_overlapping_iter(&text[..]).map(|m| {
                // ` core` patterns start one byte before the word; `core` (suffix) ones at it.
                let at = if text[m.start()] == b' ' { m.start() } else { m.start() - 1 };
                (&words.first_words, m.pattern().as_usize(), at)
            }));
        }
        if let Some(punct) = &self.punctuation {
            found.extend(
                punct
                    .automaton
                    .find_overlapping_iter(folded.text.as_str())
                    .map(|m| (&punct.first_words, m.pattern().as_usize(), m.start())),
            );
        }
        found
    }

    /// `find_all` without the first-word index: every entry of a hit's first word is tried.
    #[cfg(test)]
    fn find_all_unindexed(&self, original: &str, folded: &Folded) -> Vec<Hit> {
        let tries = self
            .first_words(folded)
            .into_iter()
            .flat_map(|(first_words, pattern, at)| first_words.all(pattern).into_iter().map(move |e| (e, at)));
        self.try_all(tries, original, folded)
    }

    /// The entries that match, of those tried at each place.
    fn try_all(&self, tries: impl IntoIterator<Item = (u32, usize)>, original: &str, folded: &Folded) -> Vec<Hit> {
        let mut hits = Vec::with_capacity(expected_hits(&folded.text));
        hits.extend(tries.into_iter().filter_map(|(e, at)| {
            let (start, end) = try_entry(&self.pieces, e, original, folded, at)?;
            Some(Hit { start, end, entry: e })
        }));
        hits
    }
}

/// About how many places of a text a matcher tries (one per ten bytes: enough that the lists of
/// an article's hits rarely grow).
fn expected_hits(text: &str) -> usize {
    text.len() / 10
}

/// The length in bytes of the whitespace at `at` of `text` (0 when there is none). Mostly one
/// space before an ASCII character, which is answered without decoding.
fn whitespace_at(text: &str, at: usize) -> usize {
    let bytes = text.as_bytes();
    if bytes.get(at) == Some(&b' ')
        && bytes.get(at + 1).is_some_and(|&b| b.is_ascii() && !char::from(b).is_whitespace())
    {
        return 1;
    }
    let rest = &text[at..];
    rest.len() - rest.trim_start().len()
}

fn char_before(text: &str, at: usize) -> Option<char> {
    text[..at].chars().next_back()
}

fn char_at(text: &str, at: usize) -> Option<char> {
    text[at..].chars().next()
}

/// Checks the whole entry `e` at `at`, where the automaton found its first word's pattern;
/// returns the span.
fn try_entry(pieces: &Pieces, e: u32, original: &str, folded: &Folded, at: usize) -> Option<(usize, usize)> {
    let text = folded.text.as_str();
    let (entry_pieces, exact_case) = pieces.of(e);
    let first = &entry_pieces[0];
    // The automaton saw the word text (punctuation as spaces): check the real characters, unless
    // they are all letters and digits (then the word text has them as they are, at a word start).
    if !first.word_only {
        let first_core = pieces.text(first.core);
        if !text.is_char_boundary(at) || !text[at..].starts_with(first_core) {
            return None;
        }
        if !first.suffix && first_core.starts_with(is_word_char) && char_before(text, at).is_some_and(is_word_char) {
            return None;
        }
    }
    let mut start = at;
    if first.suffix {
        // The match covers the whole word the suffix ends.
        while let Some(c) = char_before(text, start).filter(|&c| is_word_char(c)) {
            start -= c.len_utf8();
        }
    }
    let mut cursor = at;
    for (i, piece) in entry_pieces.iter().enumerate() {
        if i > 0 {
            let gap = whitespace_at(text, cursor);
            if gap == 0 {
                return None;
            }
            cursor += gap;
            if !text[cursor..].starts_with(pieces.text(piece.core)) {
                return None;
            }
        }
        if exact_case && !exact_matches(original, folded, cursor, pieces.text(piece.exact)) {
            return None;
        }
        cursor += piece.core.len as usize;
        if piece.stem {
            while let Some(c) = char_at(text, cursor).filter(|&c| is_word_char(c)) {
                cursor += c.len_utf8();
            }
        } else if char_at(text, cursor).is_some_and(is_word_char)
            && (piece.word_only || pieces.text(piece.core).ends_with(is_word_char))
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

    /// Texts of every language, and the same texts with their spaces and punctuation varied.
    fn texts_of_every_language() -> Vec<String> {
        let templates = crate::generate::bundled().unwrap();
        let mut texts: Vec<String> = (0..60).map(|i| crate::generate::article(&templates, 3, i).text).collect();
        texts.extend(crate::bundled::DEMO_CORPUS.lines().map(String::from));
        let cases = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
        for case in std::fs::read_dir(cases).unwrap() {
            if let Ok(text) = std::fs::read_to_string(case.unwrap().path().join("input.txt")) {
                texts.push(text);
            }
        }
        let varied: Vec<String> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let gap = ["  ", "\n", " \u{a0}", ",", "-"][i % 5];
                t.split(' ')
                    .enumerate()
                    .map(|(j, w)| if j % 3 == 1 { format!("{gap}{w}") } else { format!(" {w}") })
                    .collect()
            })
            .collect();
        texts.extend(varied);
        texts
    }

    #[test]
    fn the_first_word_index_drops_no_match() {
        let lexicon = crate::lexicon::Lexicon::bundled().unwrap();
        let texts = texts_of_every_language();
        let mut checked = 0;
        for lang in lexicon.languages().iter().chain([lexicon.language(crate::lexicon::UNDETERMINED).unwrap()]) {
            for text in &texts {
                let folded = Folded::new(text);
                let hits = lang.matcher.find_all(text, &folded);
                assert_eq!(hits, lang.matcher.find_all_unindexed(text, &folded), "{} on {text:?}", lang.code);
                assert_eq!(
                    lang.dates.words.find_all(text, &folded),
                    lang.dates.words.find_all_unindexed(text, &folded)
                );
                checked += hits.len();
            }
        }
        assert!(checked > 10_000, "{checked} hits checked");
    }

    #[test]
    fn whitespace_is_what_trimming_removes() {
        let text = "a b  c\td \u{b}e \u{a0}f \né  \u{2009}g h\u{b}";
        for at in (0..=text.len()).filter(|&i| text.is_char_boundary(i)) {
            assert_eq!(whitespace_at(text, at), text[at..].len() - text[at..].trim_start().len(), "at {at}");
        }
    }

    #[test]
    fn invalid_entries() {
        for bad in ["", "a*b", "x *y", "*"] {
            assert!(Matcher::new([(bad.to_string(), (), "f".to_string())]).is_err(), "{bad:?}");
        }
    }
}
