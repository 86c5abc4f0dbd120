//! Stage 2: folded text -> mentions (lexicon entries and patterns found in the text).
//!
//! Every entry of the language's matcher is looked for at once; where matches overlap, the
//! longest wins, then the more specific kind (entity, demonym, category, cue). Patterns
//! (calibres, designations) claim their spans first, so "152 mm" or "Su-35" is never read as
//! anything else. Spans are byte ranges into the original text.

use std::cmp::Reverse;
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
        candidates.push(Candidate {
            start: hit.start,
            end: hit.end,
            core: entry.literal_chars(),
            target: entry.target,
            found: Found::Entry(hit.entry),
        });
    }
    // Longest first; then patterns, longer literal entries, more specific kinds, earlier; then
    // in the order found.
    let mut order: Vec<_> = candidates
        .iter()
        .enumerate()
        .map(|(i, c)| (Reverse(c.end - c.start), Reverse(c.core), c.target.priority(), c.start, i))
        .collect();
    order.sort_unstable();
    let mut claimed = Claimed::new(folded.text.len());
    let mut chosen = Vec::new();
    for c in order.into_iter().map(|(.., i)| &candidates[i]) {
        if claimed.overlaps(c.start..c.end) {
            continue;
        }
        claimed.claim(c.start..c.end);
        chosen.push(Mention {
            span: folded.to_original(c.start)..folded.to_original(c.end),
            target: c.target,
            found: c.found,
        });
    }
    chosen.sort_by_key(|m| (m.span.start, m.span.end));
    chosen
}

/// Spans chosen so far (they never overlap), and which bytes of the text they cover: a span
/// overlaps a chosen one when it covers a covered byte.
struct Claimed {
    covered: Vec<bool>,
    spans: Vec<Range<usize>>,
    /// Whether an empty span was chosen (only a pattern can match nothing).
    any_empty: bool,
}

impl Claimed {
    fn new(text_len: usize) -> Claimed {
        Claimed { covered: vec![false; text_len], spans: Vec::new(), any_empty: false }
    }

    fn overlaps(&self, span: Range<usize>) -> bool {
        if span.is_empty() || self.any_empty {
            // An empty span has no byte to look at: compare with every span.
            return self.spans.iter().any(|t| t.start < span.end && span.start < t.end);
        }
        self.covered[span].contains(&true)
    }

    fn claim(&mut self, span: Range<usize>) {
        self.covered[span.clone()].fill(true);
        self.any_empty |= span.is_empty();
        self.spans.push(span);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::Category;

    /// The mentions of `text` in `lang`, as (text, what).
    fn mentions(lang: &str, text: &str) -> Vec<(String, Target)> {
        let lexicon = Lexicon::bundled().unwrap();
        let l = lexicon.language(lang).unwrap();
        find_mentions(&lexicon, l, text, &Folded::new(text))
            .into_iter()
            .map(|m| (text[m.span].to_string(), m.target))
            .collect()
    }

    #[test]
    fn claimed_spans_overlap_as_ranges_do() {
        let spans = [3..7, 7..9, 0..2, 5..5, 12..20, 9..9, 2..3, 8..13, 1..1, 14..14];
        for empty_first in [false, true] {
            let mut claimed = Claimed::new(24);
            let mut chosen: Vec<Range<usize>> = Vec::new();
            let order: Vec<&Range<usize>> =
                if empty_first { spans.iter().rev().collect() } else { spans.iter().collect() };
            for span in order {
                let overlaps = chosen.iter().any(|t| t.start < span.end && span.start < t.end);
                assert_eq!(claimed.overlaps(span.clone()), overlaps, "{span:?} after {chosen:?}");
                if !overlaps {
                    claimed.claim(span.clone());
                    chosen.push(span.clone());
                }
            }
        }
    }

    #[test]
    fn longest_match_and_patterns() {
        let lexicon = Lexicon::bundled().unwrap();
        let nk = lexicon.entity_id("north-korea").unwrap();
        let found = mentions("pl", "Korea Północna dostarcza pociski kal. 152 mm i rakiety.");
        assert_eq!(found[0], ("Korea Północna".to_string(), Target::Entity(nk)));
        assert!(
            found.contains(&("kal. 152 mm".to_string(), Target::Category(Category::ArtilleryAmmunition))),
            "{found:?}"
        );
        // A designation is a weapon system, not a number or a date.
        let su35 = lexicon.entity_id("su-35").unwrap();
        let found = mentions("en", "Russia may deliver Su-35 jets.");
        assert!(found.contains(&("Su-35".to_string(), Target::Entity(su35))), "{found:?}");
    }

    #[test]
    fn designations_and_calibres_are_not_dates_or_quantities() {
        let lexicon = Lexicon::bundled().unwrap();
        let en = lexicon.language("en").unwrap();
        assert_eq!(crate::dates::find_date(en, "Su-35 jets and KN-23 missiles with 152 mm shells", None), None);
        assert_eq!(crate::dates::find_date(en, "Su-57 jets arrived in 2023", None).as_deref(), Some("2023"));
        assert_eq!(crate::numbers::find_quantity(en, "Su-35 "), None);
        assert_eq!(crate::numbers::find_quantity(en, "about 1.5 million ").map(|q| q.value), Some(1_500_000.0));
    }
}
