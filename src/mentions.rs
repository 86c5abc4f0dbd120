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

/// A span that may become a mention: a pattern's or an entry's match.
struct Candidate {
    start: usize,
    end: usize,
    core: usize,
    target: Target,
    found: Found,
}

impl Candidate {
    /// Which of two overlapping candidates wins: the lesser key (longest first; then patterns,
    /// longer literal entries, more specific kinds, earlier; then in the order found, `i`).
    fn rank(&self, i: usize) -> (Reverse<usize>, Reverse<usize>, u8, usize, usize) {
        (Reverse(self.end - self.start), Reverse(self.core), self.target.priority(), self.start, i)
    }

    fn overlaps(&self, other: &Candidate) -> bool {
        other.start < self.end && self.start < other.end
    }
}

pub fn find_mentions(lexicon: &Lexicon, lang: &Language, text: &str, folded: &Folded) -> Vec<Mention> {
    let hits = lang.matcher.find_all(text, folded);
    let mut candidates = Vec::with_capacity(hits.len() + 8);
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
    for hit in hits {
        let entry = lang.matcher.entry(hit.entry);
        candidates.push(Candidate {
            start: hit.start,
            end: hit.end,
            core: entry.literal_chars(),
            target: entry.target,
            found: Found::Entry(hit.entry),
        });
    }
    let mut mentions: Vec<Mention> = choose(&candidates)
        .into_iter()
        .map(|i| {
            let c = &candidates[i];
            Mention { span: folded.to_original(c.start)..folded.to_original(c.end), target: c.target, found: c.found }
        })
        .collect();
    mentions.sort_by_key(|m| (m.span.start, m.span.end));
    mentions
}

/// The candidates that become mentions (indices into `candidates`). Where candidates overlap,
/// the best ranked wins, then the best of those it does not overlap, and so on. Only
/// candidates in one run of overlapping spans compete: each run is decided alone.
fn choose(candidates: &[Candidate]) -> Vec<usize> {
    let mut by_start: Vec<usize> = (0..candidates.len()).collect();
    by_start.sort_by_key(|&i| candidates[i].start);
    let mut chosen = Vec::new();
    let mut run: Vec<usize> = Vec::new();
    let mut run_end = 0;
    for i in by_start {
        if !run.is_empty() && candidates[i].start >= run_end {
            choose_in_run(candidates, &mut run, &mut chosen);
        }
        run_end = if run.is_empty() { candidates[i].end } else { run_end.max(candidates[i].end) };
        run.push(i);
    }
    choose_in_run(candidates, &mut run, &mut chosen);
    chosen
}

/// Chooses among one run of overlapping candidates (indices into `candidates`), best ranked
/// first, each one that overlaps none chosen before it; empties the run.
fn choose_in_run(candidates: &[Candidate], run: &mut Vec<usize>, chosen: &mut Vec<usize>) {
    if run.len() > 1 {
        run.sort_unstable_by_key(|&i| candidates[i].rank(i));
    }
    let first_of_run = chosen.len();
    for &i in run.iter() {
        if !chosen[first_of_run..].iter().any(|&t| candidates[t].overlaps(&candidates[i])) {
            chosen.push(i);
        }
    }
    run.clear();
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
    fn choosing_run_by_run_is_choosing_among_all() {
        let mut rng = crate::generate::Rng::new(11);
        for round in 0..300 {
            let candidates: Vec<Candidate> = (0..rng.between(1, 40))
                .map(|_| {
                    let start = rng.below(60);
                    let end = start + rng.below(if round % 3 == 0 { 3 } else { 12 });
                    let core = rng.below(4);
                    let target = Target::Category(Category::ALL[rng.below(3)]);
                    Candidate { start, end, core, target, found: Found::Pattern(0) }
                })
                .collect();
            // Among all at once, best ranked first.
            let mut order: Vec<usize> = (0..candidates.len()).collect();
            order.sort_by_key(|&i| candidates[i].rank(i));
            let mut expected: Vec<usize> = Vec::new();
            for i in order {
                if !expected.iter().any(|&t| candidates[t].overlaps(&candidates[i])) {
                    expected.push(i);
                }
            }
            let mut got = choose(&candidates);
            got.sort_unstable();
            expected.sort_unstable();
            assert_eq!(got, expected, "round {round}");
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
