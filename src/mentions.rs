//! Stage 2: folded text -> mentions (lexicon entries and patterns found in the text).
//!
//! Every entry of the language's matcher is looked for at once; where matches overlap, the
//! longest wins, then the more specific kind (entity, demonym, category, cue). Patterns
//! (calibres, designations) claim their spans first, so "152 mm" or "Su-35" is never read as
//! anything else. Spans are byte ranges into the original text.

use std::ops::Range;

use crate::lexicon::{Language, Lexicon, Target};
use crate::text::Folded;

/// Which rule of the lexicon found a mention.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    /// An entry of the language's matcher (index into it).
    Entry(u32),
    /// A pattern of `patterns.toml` (index).
    Pattern(u32),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    /// Byte range in the original text.
    pub span: Range<usize>,
    pub target: Target,
    pub found: Found,
}

pub fn find_mentions(lexicon: &Lexicon, lang: &Language, text: &str, folded: &Folded) -> Vec<Mention> {
    struct Candidate {
        start: usize,
        end: usize,
        core: usize,
        target: Target,
        found: Found,
    }
    let mut candidates = Vec::new();
    for (i, p) in lexicon.patterns.iter().enumerate() {
        let Some(category) = p.category else { continue };
        for m in p.regex.find_iter(text) {
            candidates.push(Candidate {
                start: folded.to_folded(m.start()),
                end: folded.to_folded(m.end()),
                core: usize::MAX,
                target: Target::Category(category),
                found: Found::Pattern(i as u32),
            });
        }
    }
    for hit in lang.matcher.find_all(text, folded) {
        let entry = lang.matcher.entry(hit.entry);
        let core = entry.text.chars().filter(|c| *c != '*' && *c != '=').count();
        candidates.push(Candidate {
            start: hit.start,
            end: hit.end,
            core,
            target: entry.target,
            found: Found::Entry(hit.entry),
        });
    }
    // Longest first; then patterns, longer literal entries, more specific kinds, earlier.
    candidates.sort_by(|a, b| {
        (b.end - b.start)
            .cmp(&(a.end - a.start))
            .then(b.core.cmp(&a.core))
            .then(a.target.priority().cmp(&b.target.priority()))
            .then(a.start.cmp(&b.start))
    });
    let mut taken: Vec<Range<usize>> = Vec::new();
    let mut chosen = Vec::new();
    for c in candidates {
        if taken.iter().any(|t| t.start < c.end && c.start < t.end) {
            continue;
        }
        taken.push(c.start..c.end);
        chosen.push(Mention {
            span: folded.to_original(c.start)..folded.to_original(c.end),
            target: c.target,
            found: c.found,
        });
    }
    chosen.sort_by_key(|m| (m.span.start, m.span.end));
    chosen
}
