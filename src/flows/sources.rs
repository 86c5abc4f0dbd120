//! Who says so: the source a sentence attributes its claims to.
//!
//! In order: the actor after a `source` cue ("according to X"); a demonym there ("according
//! to Ukrainian intelligence" speaks for Ukraine); an unknown name there; the speaker of a
//! `says` or `denied` verb (before the verb: the person heading an apposition, else an
//! organisation, else the subject; after it: the nearest); an unknown name beside the verb;
//! and, for a cue with no named speaker ("the think tank wrote"), the document's latest named
//! source within five sentences.

use super::{describe, describe_source, words_between, Actor, Context, Cue, Kind, Notes, Placed, Source, Unit};
use crate::lexicon::{Language, Lexicon};
use crate::text::{fold, is_word_char};

/// The longest run of capitalised words (or one acronym) counted as a name.
const MAX_NAME_WORDS: usize = 4;

/// The first `max` words of `text[from..to]` with their byte ranges, punctuation trimmed; the
/// flag says the word was followed by punctuation (a name cannot run past it).
fn words(text: &str, from: usize, to: usize, max: usize) -> Vec<(usize, usize, bool)> {
    let mut out = Vec::new();
    let slice = &text[from..to];
    for raw in slice.split_whitespace() {
        // (`raw` is a piece of `slice`: its offset is the distance between their starts.)
        let start = raw.as_ptr() as usize - slice.as_ptr() as usize;
        let trimmed_start = raw.len() - raw.trim_start_matches(|c: char| !is_word_char(c)).len();
        let core = raw.trim_matches(|c: char| !is_word_char(c));
        if !core.is_empty() && out.len() == max {
            break;
        }
        if core.is_empty() {
            if let Some(last) = out.last_mut() {
                let (_, _, ref mut stop): &mut (usize, usize, bool) = last;
                *stop = true;
            }
            continue;
        }
        let s = from + start + trimmed_start;
        // Punctuation after a word ends a name, but an initial's dot ("J. Smith") does not.
        let initial = core.chars().count() == 1 && raw.ends_with('.');
        let stop = raw.ends_with(|c: char| !is_word_char(c)) && !initial;
        out.push((s, s + core.len(), stop));
    }
    out
}

fn is_capitalised(lang: &Language, word: &str) -> bool {
    word.chars().next().is_some_and(char::is_uppercase) && !lang.detect.contains(&fold(word))
}

fn is_acronym(word: &str) -> bool {
    let n = word.chars().count();
    (2..=6).contains(&n) && word.chars().all(|c| c.is_uppercase() && c.is_alphabetic())
}

fn accept(text: &str, run: &[(usize, usize, bool)]) -> Option<String> {
    match run {
        [] => None,
        [(s, e, _)] if is_acronym(&text[*s..*e]) => Some(text[*s..*e].to_string()),
        [_] => None,
        _ => Some(text[run[0].0..run[run.len() - 1].1].to_string()),
    }
}

/// A name starting within six words after `from` (descriptors such as "military analyst" may
/// come first), before `to` and before any punctuation.
fn name_after(lang: &Language, text: &str, from: usize, to: usize) -> Option<String> {
    let ws = words(text, from, to, 6 + MAX_NAME_WORDS);
    let mut run: Vec<(usize, usize, bool)> = Vec::new();
    for &(s, e, stop) in &ws {
        if is_capitalised(lang, &text[s..e]) {
            run.push((s, e, stop));
            if stop || run.len() == MAX_NAME_WORDS {
                break;
            }
        } else if !run.is_empty() || stop {
            break;
        }
    }
    accept(text, &run)
}

/// A name ending right before `to` (a says-verb), not reaching back past `from`.
fn name_before(lang: &Language, text: &str, from: usize, to: usize) -> Option<String> {
    let ws = words(text, from, to, usize::MAX);
    let mut run: Vec<(usize, usize, bool)> = Vec::new();
    for &(s, e, stop) in ws.iter().rev() {
        if stop && !run.is_empty() {
            break;
        }
        if !is_capitalised(lang, &text[s..e]) || run.len() == MAX_NAME_WORDS {
            break;
        }
        run.insert(0, (s, e, stop));
    }
    // The name must end where the verb begins (only spaces between).
    let ends_at_verb = run.last().is_some_and(|&(_, e, _)| text[e..to].trim().is_empty());
    if ends_at_verb {
        accept(text, &run)
    } else {
        None
    }
}

/// Where the phrase a source cue opens ends: at the first comma, semicolon or colon after the
/// cue ("According to a Western diplomat, Russia delivered…": Russia is past it), else at the
/// end of the sentence. Not at a full stop, which abbreviations use ("according to U.S.
/// officials"); the units looked at are the sentence's anyway.
pub(super) fn source_phrase_end(text: &str, cue_end: usize, sentence_end: usize) -> usize {
    text[cue_end..sentence_end].find([',', ';', ':']).map_or(sentence_end, |p| cue_end + p)
}

/// Finds whom the sentence attributes its claims to: the actor after a `source` cue, else the
/// speaker nearest to a `says` verb (a person or organisation before a state). A cue with no
/// named speaker ("the think tank wrote") refers to the document's latest named source.
pub(super) fn find_source(
    lexicon: &Lexicon,
    lang: &Language,
    text: &str,
    units: &[Placed],
    ctx: &Context,
    found: &mut Vec<String>,
    notes: &mut Notes,
) -> Option<(Source, bool)> {
    let mut name = |n: String| -> Source {
        let i = found.iter().position(|f| *f == n).unwrap_or_else(|| {
            found.push(n);
            found.len() - 1
        });
        Source::Found(i)
    };
    let source_cue = units.iter().position(|u| u.unit == Unit::Cue(Cue::Source));
    if let Some(ci) = source_cue {
        // The source phrase ends at the first comma, semicolon or colon after the cue: in
        // "According to a Western diplomat, Russia delivered…" Russia is the supplier, not
        // the source.
        let cue_end = units[ci].span.end;
        let phrase_end = source_phrase_end(text, cue_end, ctx.sentence_end);
        // The first unit of a kind within `reach` words after the cue, in its phrase.
        let after_cue = |reach: usize, pick: fn(Unit) -> Option<Actor>| {
            units[ci + 1..]
                .iter()
                .filter(|u| u.span.start < phrase_end && words_between(text, cue_end, u.span.start) <= reach)
                .find_map(|u| pick(u.unit))
        };
        let after = after_cue(7, |u| if let Unit::Actor(e) = u { Some(e) } else { None });
        if let Some(e) = after {
            notes.push(|| format!("source {} after {:?}", describe(lexicon, e), units[ci].entry));
            return Some((Source::Known(e), true));
        }
        // "according to Ukrainian intelligence": an unnamed body of a state speaks for it.
        let demonym = after_cue(2, |u| if let Unit::Demonym(e) = u { Some(e) } else { None });
        if let Some(e) = demonym {
            notes.push(|| {
                format!("source {} (a body of that state, after {:?})", describe(lexicon, e), units[ci].entry)
            });
            return Some((Source::Known(e), true));
        }
        // "according to analyst Ivan Petrenko": a name the gazetteer does not know.
        let limit = units[ci + 1..].first().map_or(ctx.sentence_end, |u| u.span.start.max(units[ci].span.end));
        if let Some(n) = name_after(lang, text, units[ci].span.end, limit.max(units[ci].span.end)) {
            notes.push(|| format!("source {n:?} (a name after {:?}, not in the gazetteer)", units[ci].entry));
            return Some((name(n), true));
        }
    }
    let says: Vec<usize> =
        (0..units.len()).filter(|&i| matches!(units[i].unit, Unit::Cue(Cue::Says | Cue::Denied))).collect();
    for &s in &says {
        // Who can speak: actors within 8 words, but not the object of "to" or "in" (an agent
        // after "by" speaks: "reported by Beyond Parallel").
        let candidates: Vec<(usize, Actor)> = units
            .iter()
            .enumerate()
            .filter_map(|(i, u)| {
                let Unit::Actor(e) = u.unit else { return None };
                let governed = i > 0
                    && matches!(units[i - 1].unit, Unit::Cue(Cue::To | Cue::At))
                    && words_between(text, units[i - 1].span.end, u.span.start) <= 1;
                let d = if i < s {
                    words_between(text, u.span.end, units[s].span.start)
                } else {
                    words_between(text, units[s].span.end, u.span.start)
                };
                (!governed && d <= 8).then_some((i, e))
            })
            .collect();
        let is_person = |e: Actor| lexicon.entity(e).kind == Kind::Person;
        let before: Vec<&(usize, Actor)> = candidates.iter().filter(|c| c.0 < s).collect();
        let after: Vec<&(usize, Actor)> = candidates.iter().filter(|c| c.0 > s).collect();
        // Before the verb: the person heading an apposition ("John Kirby, spokesman of the
        // council, said"), else an organisation, else the subject (the first actor). After
        // it: the nearest person, else the nearest actor.
        // ", said John Kirby", ", a déclaré X", ", skriver Yonhap": after a comma or a closing
        // quote the speaker follows the verb.
        // (Not after an apposition: "John Kirby, spokesman of the council, said".)
        let speaker_before = before.iter().any(|c| !lexicon.entity(c.1).kind.can_trade());
        let inverted =
            !speaker_before && text[..units[s].span.start].trim_end().ends_with([',', '"', '\u{201d}', '\u{bb}', '\'']);
        if inverted {
            let after_known = after.iter().find(|c| is_person(c.1)).or_else(|| after.first()).map(|c| c.1);
            if let Some(e) = after_known {
                notes.push(|| format!("source {} (named after {:?})", describe(lexicon, e), units[s].entry));
                return Some((Source::Known(e), true));
            }
            let ceiling = units.get(s + 1).map_or(ctx.sentence_end, |u| u.span.start);
            if let Some(n) = name_after(lang, text, units[s].span.end, ceiling) {
                notes.push(|| format!("source {n:?} (named after {:?}, not in the gazetteer)", units[s].entry));
                return Some((name(n), true));
            }
        }
        // Right before the verb: a known actor, else an unknown name ("…, Maria Lindqvist told").
        let floor = units[..s].last().map_or(ctx.sentence_start, |u| u.span.end);
        let ceiling = units.get(s + 1).map_or(ctx.sentence_end, |u| u.span.start);
        // (Not in verb-final clauses: "Washington hat Russland vorgeworfen" puts the object there.)
        let adjacent = before
            .iter()
            .rev()
            .find(|c| words_between(text, units[c.0].span.end, units[s].span.start) == 0)
            .filter(|_| !lang.grammar.verb_final);
        if adjacent.is_none() {
            if let Some(n) = name_before(lang, text, floor, units[s].span.start) {
                notes.push(|| format!("source {n:?} (the speaker of {:?}, not in the gazetteer)", units[s].entry));
                return Some((name(n), true));
            }
        }
        let chosen = adjacent
            .or_else(|| before.iter().rev().find(|c| is_person(c.1)))
            .or_else(|| before.iter().rev().find(|c| !lexicon.entity(c.1).kind.can_trade()))
            .or_else(|| before.first())
            .or_else(|| after.iter().find(|c| is_person(c.1)))
            .or_else(|| after.first())
            .map(|c| c.1);
        // "US-Geheimdienste berichteten": a compound naming a state just before the verb.
        let chosen = chosen.or_else(|| {
            units[..s].last().and_then(|u| match u.unit {
                Unit::Demonym(e) if words_between(text, u.span.end, units[s].span.start) <= 1 => Some(e),
                _ => None,
            })
        });
        if let Some(e) = chosen {
            notes.push(|| format!("source {} (the speaker of {:?})", describe(lexicon, e), units[s].entry));
            return Some((Source::Known(e), true));
        }
        // "said Oleh Kovalenko": a name the gazetteer does not know, after the verb.
        if let Some(n) = name_after(lang, text, units[s].span.end, ceiling) {
            notes.push(|| format!("source {n:?} (the speaker of {:?}, not in the gazetteer)", units[s].entry));
            return Some((name(n), true));
        }
    }
    if source_cue.is_some() || !says.is_empty() {
        if let Some(e) = ctx.last_source.filter(|_| ctx.sentence.saturating_sub(ctx.last_source_sentence) <= 5) {
            notes
                .push(|| format!("source {} (the document's latest named source)", describe_source(lexicon, found, e)));
            return Some((e, false));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, after: Option<&str>, before: Option<&str>) {
        let lexicon = Lexicon::bundled().unwrap();
        let lang = lexicon.language("en").unwrap();
        let cue = text.find('|').expect("a | marks the cue");
        let text = text.replace('|', "");
        assert_eq!(name_after(lang, &text, cue, text.len()).as_deref(), after, "after in {text:?}");
        assert_eq!(name_before(lang, &text, 0, cue).as_deref(), before, "before in {text:?}");
    }

    #[test]
    fn the_first_words_are_those_of_all_words() {
        let text = "said, military analyst \u{201c}Oleh\u{201d} Kovalenko (of the -- institute) , J. R. Hartley: yes";
        let all = words(text, 4, text.len(), usize::MAX);
        for max in 0..all.len() + 2 {
            assert_eq!(words(text, 4, text.len(), max), all[..max.min(all.len())], "{max} words");
        }
    }

    #[test]
    fn unknown_names() {
        check("according to| military analyst Oleh Kovalenko. Iran sent", Some("Oleh Kovalenko"), None);
        check("Maria Lindqvist |told reporters", None, Some("Maria Lindqvist"));
        check("it was |reported by the OSCE", Some("OSCE"), None);
        check("The |report", None, None);
        check("according to| officials, Kyiv", None, None);
        check("said| J. R. Hartley yesterday", Some("J. R. Hartley"), None);
    }
}
