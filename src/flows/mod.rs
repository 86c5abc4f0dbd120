//! Stage 3: mentions -> flows, attestations and exchanges (the extraction rules).
//!
//! The rules work on one sentence at a time, over its *units*: the actors, places, items,
//! demonyms and cue words the lexicon found, in text order. They are rules of how sentences
//! state transfers, written once for every language; the words (which verb means "supply",
//! which preposition marks the recipient, how a language hedges) come from its `lang.toml`, and
//! word order from its `[grammar]`.
//!
//! 1. **Units.** A capital stands for its state; a state or capital right after a locative or
//!    route cue ("in Kyiv", "via Iran") is a place; a name that modifies a compound
//!    ("US-Geheimdienste") reads like a demonym.
//! 2. **Source** (`sources.rs`), for the whole sentence. The phrase a source cue opens ends at
//!    the first comma: an actor after it is a party, not the source.
//! 3. **Clauses.** Each group of transfer triggers (`supply`, `receive`, `passive`, `transfer`
//!    cues) separated by `clause` cues is one clause; the trigger nearest to an item governs
//!    it. A clause with no items reaches back to its antecedent ("…drones, which Tehran
//!    delivered"). A prohibition before the trigger ("the ban on deliveries") states no flow.
//! 4. **Roles.** An actor right after a `from`/`by` cue supplies, after a `to` cue receives; a
//!    state located right after the goods or the trigger is the destination ("sent troops in
//!    Russia") or, after a `receive` trigger, the seller. The actor before a `says` verb that
//!    precedes the trigger speaks and takes no role. The unmarked actors fill the rest: the
//!    subject of a `supply` verb supplies, of a `receive` verb receives; a `transfer` noun reads
//!    supplier then recipient; a passive's bare actors are recipient then agent; a participle
//!    right after the goods reads as a passive; in verb-final clauses the first actor is the
//!    subject; with verb-second order the subject may follow the verb. A demonym next to an
//!    item names its origin; elsewhere it may stand for its state. Coordinated actors ("from
//!    Iran and North Korea") share a role. A side still missing comes from the document's
//!    previous flow between the same actors; a clause naming no actor continues that flow.
//! 5. **Items.** Each item category is one flow; named weapon systems join their category's
//!    flow. "X for Y" keeps X (generic technology "for the satellite programme" becomes space
//!    technology); a calibre describes the noun it stands by.
//! 6. **Modality.** A denial, or a negated trigger, makes it denied; else the strongest hedge
//!    near the trigger (speculative, then likely); else hearsay, a named source, or a source
//!    cue naming no one the rules know ("according to a Western diplomat") make it
//!    reported; else asserted.
//! 7. **Exchanges.** Items inside an `exchange-for` phrase ("in exchange for shells") flow the
//!    other way and pay for the clause's flows; a bare `exchange` cue ("in return") links the
//!    clause's flows to the document's latest flows in the opposite direction.
//! 8. **Quantities, dates, routes** attach to the attestation: a number just before an item;
//!    the first date of the sentence; route places and what follows `via`. A sentence that
//!    names a route but states no flow ("The cargo left from the port of Rajin") gives it to
//!    the flows of the neighbouring sentence (of the same goods, when it names goods).
//!
//! When asked, every decision is written to `Extraction::explain`, which `extract --explain`
//! prints.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::ops::Range;

use crate::dates::find_date;
use crate::lexicon::{Cue, Language, Lexicon, Target};
use crate::mentions::{Found, Mention};
use crate::numbers::{find_quantity, Quantity};
use crate::text::is_word_char;
use crate::vocab::{Category, Kind, Modality};

mod sources;

/// An actor of a flow: a gazetteer entity.
pub type Actor = u32;

/// Whom a statement is attributed to: a gazetteer entity, or a name the text gives that the
/// gazetteer does not know (an index into `Extraction::found`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Source {
    Known(Actor),
    Found(usize),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FlowKey {
    pub supplier: Actor,
    pub recipient: Actor,
    pub category: Category,
}

/// One document's statement of one flow.
#[derive(Debug, Clone, PartialEq)]
pub struct Attestation {
    pub flow: FlowKey,
    /// Named weapon systems (entity indices).
    pub items: Vec<u32>,
    /// Route places (entity indices).
    pub via: Vec<u32>,
    pub modality: Modality,
    pub source: Option<Source>,
    /// Index into `Extraction::sentences`.
    pub sentence: usize,
    pub quantity: Option<Quantity>,
    /// When it happened, as the sentence states it: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    pub date: Option<String>,
    /// The rule that produced it (also written to the graph as `ag:rule`).
    pub rule: String,
}

/// One document's statement that two flows pay for each other.
#[derive(Debug, Clone, PartialEq)]
pub struct Exchange {
    pub gives: FlowKey,
    pub returns: FlowKey,
    pub modality: Modality,
    pub sentence: usize,
    pub rule: String,
}

/// Everything extracted from one document.
#[derive(Debug, Clone, Default)]
pub struct Extraction {
    pub sentences: Vec<Range<usize>>,
    pub mentions: Vec<Mention>,
    /// Every known entity the text names (metonyms resolved), sorted.
    pub mentioned: BTreeSet<u32>,
    /// Names of speakers the gazetteer does not know, as the text writes them.
    pub found: Vec<String>,
    pub attestations: Vec<Attestation>,
    pub exchanges: Vec<Exchange>,
    /// Per sentence, why each rule fired or did not (for `extract --explain`; empty unless
    /// asked for).
    pub explain: Vec<(usize, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Unit {
    Actor(u32),
    Place(u32),
    Item(Category, Option<u32>),
    Demonym(u32),
    Cue(Cue),
}

#[derive(Debug, Clone)]
struct Placed<'l> {
    unit: Unit,
    span: Range<usize>,
    /// The matched entry, for explanations.
    entry: Cow<'l, str>,
}

/// Reads units out of a sentence's mentions, resolving metonyms: a capital stands for its
/// state, unless a locative cue puts it (or a state) on the map ("in Moscow", "in der Ukraine").
/// A name that modifies a compound ("US-Geheimdienst", "NATO-Staaten") is read like a demonym.
fn units<'l, 'm>(
    lexicon: &'l Lexicon,
    lang: &'l Language,
    text: &str,
    mentions: impl IntoIterator<Item = &'m Mention>,
) -> Vec<Placed<'l>> {
    let mut out: Vec<Placed> = Vec::new();
    for m in mentions {
        let entry = match m.found {
            Found::Entry(i) => Cow::Borrowed(lang.matcher.entry(i).text.as_str()),
            Found::Pattern(i) => Cow::Owned(format!("pattern {}", lexicon.patterns[i as usize].name)),
        };
        let located = out.last().is_some_and(|p| {
            matches!(p.unit, Unit::Cue(Cue::At | Cue::Via)) && words_between(text, p.span.end, m.span.start) == 0
        });
        let compound = {
            let mut rest = text[m.span.end..].chars();
            rest.next() == Some('-') && rest.next().is_some_and(char::is_alphabetic)
        };
        let unit = match m.target {
            Target::Cue(c) => Unit::Cue(c),
            Target::Category(c) => Unit::Item(c, None),
            Target::Demonym(e) => Unit::Demonym(e),
            Target::Entity(e) => {
                let ent = lexicon.entity(e);
                if ent.kind == Kind::WeaponSystem {
                    Unit::Item(ent.category.unwrap_or(Category::WeaponsUnspecified), Some(e))
                } else if ent.kind.is_place() && ent.metonym_of.is_none() || located {
                    Unit::Place(e)
                } else if compound {
                    Unit::Demonym(ent.metonym_of.unwrap_or(e))
                } else {
                    Unit::Actor(ent.metonym_of.unwrap_or(e))
                }
            }
        };
        out.push(Placed { unit, span: m.span.clone(), entry });
    }
    out
}

/// Number of words between two byte offsets.
fn words_between(text: &str, from: usize, to: usize) -> usize {
    if to <= from {
        return 0;
    }
    // A word starts at each word character that follows none.
    let mut words = 0;
    let mut in_word = false;
    for c in text[from..to].chars() {
        let word_char = is_word_char(c);
        words += usize::from(word_char && !in_word);
        in_word = word_char;
    }
    words
}

/// Explanations of the rules' decisions in one clause, written only when asked for.
#[derive(Clone)]
struct Notes {
    keep: bool,
    list: Vec<String>,
}

impl Notes {
    fn push(&mut self, note: impl FnOnce() -> String) {
        if self.keep {
            self.list.push(note());
        }
    }
}

/// What the previous flow of the document was, for filling a missing side.
#[derive(Default)]
struct Context {
    /// Whether the rules explain their decisions.
    explain: bool,
    last_pair: Option<(Actor, Actor)>,
    /// The latest source a sentence named.
    last_source: Option<Source>,
    /// The latest source named before the current sentence.
    previous_source: Option<Source>,
    /// The sentence that named `last_source`, and the current sentence and where it starts.
    last_source_sentence: usize,
    sentence: usize,
    sentence_start: usize,
    sentence_end: usize,
    /// The publication date, for relative dates.
    published: Option<(i64, u32, u32)>,
    /// The date the current sentence states, once a clause has asked (see `Context::date`).
    date: Option<Option<String>>,
    /// Flows of the latest sentence per (supplier, recipient).
    recent: Vec<(Actor, Actor, Vec<FlowKey>, Modality)>,
}

impl Context {
    /// The first date the current sentence states: looked for when a clause first needs it,
    /// then kept for the sentence's other clauses.
    fn date(&mut self, lang: &Language, text: &str) -> Option<String> {
        if self.date.is_none() {
            let sentence = &text[self.sentence_start..self.sentence_end];
            self.date = Some(find_date(lang, sentence, self.published));
        }
        self.date.clone().flatten()
    }
}

/// The flows `mentions` state; with `explain`, also why (`Extraction::explain`).
pub fn extract_flows(
    lexicon: &Lexicon,
    lang: &Language,
    text: &str,
    published: Option<&str>,
    sentences: Vec<Range<usize>>,
    mentions: Vec<Mention>,
    explain: bool,
) -> Extraction {
    let mut ex = Extraction { sentences, ..Extraction::default() };
    let mut pending_route: Option<Route> = None;
    let mut ctx = Context { explain, published: published.and_then(crate::dates::parse_iso), ..Context::default() };
    let mut cursor = 0;
    // Every entity the units name, in any order (sorted into `ex.mentioned` at the end).
    let mut mentioned: Vec<u32> = Vec::new();
    for (si, sentence) in ex.sentences.clone().iter().enumerate() {
        let first = cursor;
        while cursor < mentions.len() && mentions[cursor].span.start < sentence.end {
            cursor += 1;
        }
        let inside =
            mentions[first..cursor].iter().filter(|m| m.span.start >= sentence.start && m.span.end <= sentence.end);
        let placed = units(lexicon, lang, text, inside);
        mentioned.extend(placed.iter().filter_map(|p| match p.unit {
            Unit::Actor(e) | Unit::Place(e) | Unit::Demonym(e) | Unit::Item(_, Some(e)) => Some(e),
            _ => None,
        }));
        ctx.date = None;
        ctx.sentence_start = sentence.start;
        ctx.sentence_end = sentence.end;
        let before = ex.attestations.len();
        let named = sentence_flows(lexicon, lang, text, si, &placed, &mut ctx, &mut ex);
        attach_routes(lexicon, si, &placed, before, &mut pending_route, &mut ex, explain);
        // "…shells to Russia." He told reporters, John Kirby said: a sentence that names a
        // speaker and states no flow attributes the previous sentence's unattributed flows.
        if let (Some(speaker), true, Some(previous)) = (named, ex.attestations.len() == before, si.checked_sub(1)) {
            let mut attributed = false;
            for a in ex.attestations.iter_mut().filter(|a| a.sentence == previous && a.source.is_none()) {
                if Source::Known(a.flow.supplier) != speaker && Source::Known(a.flow.recipient) != speaker {
                    a.source = Some(speaker);
                    if a.modality == Modality::Asserted {
                        a.modality = Modality::Reported;
                    }
                    attributed = true;
                }
            }
            if attributed && explain {
                let name = describe_source(lexicon, &ex.found, speaker).to_string();
                ex.explain.push((previous, format!("source {name} (named in the next sentence)")));
            }
        }
    }
    ex.mentioned = mentioned.into_iter().collect();
    ex.mentions = mentions;
    ex
}

fn describe(lexicon: &Lexicon, e: Actor) -> &str {
    &lexicon.entity(e).label
}

fn describe_source<'a>(lexicon: &'a Lexicon, found: &'a [String], s: Source) -> &'a str {
    match s {
        Source::Known(e) => describe(lexicon, e),
        Source::Found(i) => &found[i],
    }
}

fn is_trigger(u: &Placed) -> bool {
    matches!(u.unit, Unit::Cue(Cue::Supply | Cue::Receive | Cue::Passive | Cue::Transfer))
}

/// Route places a sentence names without stating a flow, and the categories it speaks of.
struct Route {
    sentence: usize,
    places: Vec<u32>,
    categories: Vec<Category>,
}

/// Stations, ports and crossings a sentence names, and places right after a `via` cue.
fn route_places(lexicon: &Lexicon, units: &[Placed]) -> Vec<u32> {
    let mut via = Vec::new();
    for (i, u) in units.iter().enumerate() {
        let Unit::Place(e) = u.unit else { continue };
        let after_via = i > 0 && units[i - 1].unit == Unit::Cue(Cue::Via);
        let route_kind = matches!(lexicon.entity(e).kind, Kind::RailStation | Kind::Port | Kind::BorderCrossing);
        if (after_via || route_kind) && !via.contains(&e) {
            via.push(e);
        }
    }
    via
}

/// "…delivered to Russia. The cargo went through the port of Rajin.": a sentence that names a
/// route but states no flow gives it to the flows of the neighbouring sentence that states them
/// (the one before, else the next one); when it names goods, only to flows of those goods.
fn attach_routes(
    lexicon: &Lexicon,
    si: usize,
    units: &[Placed],
    before: usize,
    pending: &mut Option<Route>,
    ex: &mut Extraction,
    explain: bool,
) {
    let give = |route: &Route, ex: &mut Extraction, target: usize| {
        let mut given = false;
        for a in ex.attestations.iter_mut().filter(|a| a.sentence == target) {
            if route.categories.is_empty()
                || route.categories.iter().any(|&c| c.covers(a.flow.category) || a.flow.category.covers(c))
            {
                for &p in &route.places {
                    if !a.via.contains(&p) {
                        a.via.push(p);
                        given = true;
                    }
                }
            }
        }
        if given && explain {
            let names: Vec<&str> = route.places.iter().map(|&p| describe(lexicon, p)).collect();
            ex.explain.push((target, format!("via {} (named in sentence {})", names.join(", "), route.sentence)));
        }
        given
    };
    if ex.attestations.len() > before {
        // This sentence states flows: a route named just before it is theirs.
        if let Some(route) = pending.take().filter(|r| r.sentence + 1 == si) {
            give(&route, ex, si);
        }
        return;
    }
    let places = route_places(lexicon, units);
    if places.is_empty() {
        return;
    }
    let categories = units.iter().filter_map(|u| if let Unit::Item(c, _) = u.unit { Some(c) } else { None }).collect();
    let route = Route { sentence: si, places, categories };
    let previous = ex.attestations.last().map(|a| a.sentence).filter(|&s| s + 1 == si);
    if !previous.is_some_and(|p| give(&route, ex, p)) {
        *pending = Some(route);
    }
}

/// Splits a sentence's units into clauses, one per group of transfer triggers. A `clause` cue
/// between two triggers separates them; after the last trigger, a `clause` cue ends its clause
/// (what follows describes something else); before the first, one starts it when the clause
/// has its own actor ("…in Moscow, which asked Minsk, and Belarus delivered…" keeps Belarus).
fn clauses(units: &[Placed]) -> Vec<(Range<usize>, usize, usize)> {
    let is_clause = |i: usize| units[i].unit == Unit::Cue(Cue::Clause);
    let triggers: Vec<usize> = (0..units.len()).filter(|&i| is_trigger(&units[i])).collect();
    let mut out: Vec<(Range<usize>, usize, usize)> = Vec::new();
    let mut start = 0;
    for (k, &t) in triggers.iter().enumerate() {
        if out.last().is_some_and(|(r, ..)| r.end > t) {
            continue; // same clause as the previous trigger
        }
        if k == 0 {
            if let Some(c) = (0..t).rev().find(|&i| is_clause(i)) {
                if units[c + 1..t].iter().any(|u| matches!(u.unit, Unit::Actor(_))) {
                    start = c;
                }
            }
        }
        let next = triggers.get(k + 1).copied().unwrap_or(units.len());
        let end = match (t + 1..next).find(|&i| is_clause(i)) {
            Some(b) => b,
            // No clause cue before the next trigger: both triggers share this clause, which
            // ends at the first clause cue after them.
            None => triggers[k + 1..]
                .iter()
                .find_map(|&n| {
                    let after = triggers.iter().find(|&&x| x > n).copied().unwrap_or(units.len());
                    (n + 1..after).find(|&i| is_clause(i))
                })
                .unwrap_or(units.len()),
        };
        out.push((start..end, t, end));
        start = end;
    }
    // After the last trigger a clause cue ends the clause's items ("…, which the army fired at
    // Kharkiv"), but its actors may still fill roles ("…, indem es Munition aus Nordkorea sucht").
    if let Some(last) = out.last_mut() {
        last.0.end = units.len();
    }
    out
}

/// Extracts one sentence's flows; returns the speaker it names, if any.
fn sentence_flows(
    lexicon: &Lexicon,
    lang: &Language,
    text: &str,
    si: usize,
    units: &[Placed],
    ctx: &mut Context,
    ex: &mut Extraction,
) -> Option<Source> {
    let mut notes = Notes { keep: ctx.explain, list: Vec::new() };
    ctx.previous_source = ctx.last_source;
    ctx.sentence = si;
    let source = sources::find_source(lexicon, lang, text, units, ctx, &mut ex.found, &mut notes);
    if let Some((e, true)) = source {
        ctx.last_source = Some(e);
        ctx.last_source_sentence = si;
    }
    let named = source.filter(|&(_, named)| named).map(|(e, _)| e);
    let source = source.map(|(e, _)| e);
    if !units.iter().any(|u| matches!(u.unit, Unit::Item(..))) {
        return named;
    }
    let mut parts = clauses(units);
    if parts.is_empty() {
        match units.iter().position(|u| matches!(u.unit, Unit::Cue(Cue::Exchange | Cue::ExchangeFor))) {
            Some(x) => parts.push((0..units.len(), x, units.len())),
            None => {
                if ctx.explain {
                    ex.explain.push((si, "items but no transfer trigger: no flow".into()));
                }
                return named;
            }
        }
    }
    for (range, trigger, items_end) in parts {
        let mut clause_notes = notes.clone();
        clause_flows(lexicon, lang, text, si, units, range, trigger, items_end, source, ctx, ex, &mut clause_notes);
        if ctx.explain {
            ex.explain.push((si, clause_notes.list.join("; ")));
        }
    }
    named
}

#[allow(clippy::too_many_arguments, clippy::too_many_lines)]
fn clause_flows(
    lexicon: &Lexicon,
    lang: &Language,
    text: &str,
    si: usize,
    all: &[Placed],
    range: Range<usize>,
    t_index: usize,
    items_end: usize,
    source: Option<Source>,
    ctx: &mut Context,
    ex: &mut Extraction,
    notes: &mut Notes,
) {
    // A relative clause with no items of its own ("…Shahed drones, which Tehran delivered")
    // reaches back to its antecedent: the run of items right before it, else the sentence.
    let own_start = range.start;
    let range = if range.start > 0 && !all[range.start..items_end].iter().any(|u| matches!(u.unit, Unit::Item(..))) {
        // (Skipping a verb-final infinitive: "Raketen und Drohnen zu beschaffen, die …".)
        let mut j = range.start;
        while j > 0 && (matches!(all[j - 1].unit, Unit::Item(..) | Unit::Cue(Cue::And)) || is_trigger(&all[j - 1])) {
            j -= 1;
        }
        if all[j..range.start].iter().any(|u| matches!(u.unit, Unit::Item(..))) {
            j..range.end
        } else {
            0..range.end
        }
    } else {
        range
    };
    let antecedent = range.start < own_start && range.start > 0;
    let units = &all[range.clone()];
    // "the ban on deliveries of arms": a prohibited transfer is not stated to happen.
    if let Some(p) = units.iter().find(|u| {
        u.unit == Unit::Cue(Cue::Prohibition)
            && u.span.end <= all[t_index].span.start
            && words_between(text, u.span.end, all[t_index].span.start) <= 2
    }) {
        notes.push(|| format!("no flow: the transfer is prohibited ({:?})", p.entry));
        return;
    }
    // Of several triggers in one clause, the one nearest to an item governs it.
    let t_index = if is_trigger(&all[t_index]) {
        range
            .clone()
            .filter(|&i| is_trigger(&all[i]))
            .min_by_key(|&i| {
                units
                    .iter()
                    .filter(|u| matches!(u.unit, Unit::Item(..)))
                    .map(|u| {
                        let t = &all[i].span;
                        if u.span.start >= t.end {
                            words_between(text, t.end, u.span.start)
                        } else {
                            words_between(text, u.span.end, t.start) + 1
                        }
                    })
                    .min()
                    .unwrap_or(usize::MAX)
            })
            .unwrap_or(t_index)
    } else {
        t_index
    };
    let items: Vec<usize> =
        (0..units.len()).filter(|&i| range.start + i < items_end && matches!(units[i].unit, Unit::Item(..))).collect();
    if items.is_empty() {
        notes.push(|| format!("trigger {:?}: no item in its clause", all[t_index].entry));
        return;
    }
    let mut t_kind = if is_trigger(&all[t_index]) { all[t_index].unit } else { Unit::Cue(Cue::Supply) };
    // "drones, delivered to Russia by Tehran": a supply verb right after the goods, with no
    // actor before it, is a participle: read it as a passive.
    let no_actor_before =
        !units.iter().any(|u| matches!(u.unit, Unit::Actor(_)) && u.span.start < all[t_index].span.start);
    let after_item = t_index > 0
        && matches!(all[t_index - 1].unit, Unit::Item(..))
        && words_between(text, all[t_index - 1].span.end, all[t_index].span.start) <= 1;
    if t_kind == Unit::Cue(Cue::Supply) && no_actor_before && after_item {
        t_kind = Unit::Cue(Cue::Passive);
        notes.push(|| "a participle after the goods: read as a passive".into());
    }
    let t_pos = all[t_index].span.start;
    notes.push(|| format!("trigger {:?} ({})", all[t_index].entry, cue_name(all[t_index].unit)));

    // Roles: actors right after a from/by/to cue are marked.
    let near_trigger_or_item = |pos: usize| {
        units.iter().any(|u| {
            (is_trigger(u) || matches!(u.unit, Unit::Item(..))) && {
                let (a, b) = if u.span.start < pos { (u.span.end, pos) } else { (pos, u.span.start) };
                words_between(text, a, b) <= 3
            }
        })
    };
    // An exchange-for phrase ("in exchange for the rockets it sent to Russia") names the other
    // side of the deal: its items flow the other way, and its actors play no role here.
    // (Only the clause's own cue: an antecedent's exchange belongs to the main clause.)
    let exchange_cue = units.iter().enumerate().position(|(i, u)| {
        range.start + i >= own_start && matches!(u.unit, Unit::Cue(Cue::Exchange | Cue::ExchangeFor))
    });
    let phrase = exchange_cue.filter(|&i| units[i].unit == Unit::Cue(Cue::ExchangeFor)).map(|i| {
        let start = units[i].span.end;
        let limit = text[start..].find([',', ';', ':']).map_or(usize::MAX, |p| start + p);
        let stop = units[i + 1..]
            .iter()
            .find(|u| {
                u.span.start > start
                    && (matches!(u.unit, Unit::Cue(Cue::Clause)) || (is_trigger(u) && u.span.start >= t_pos))
            })
            .map_or(usize::MAX, |u| u.span.start);
        start..limit.min(stop).min(text.len())
    });
    let in_phrase = |u: &Placed| phrase.as_ref().is_some_and(|p| p.contains(&u.span.start));
    // "according to Washington, …": the actor a source cue introduces speaks, it is no party.
    let cited: Option<usize> = units.iter().position(|u| u.unit == Unit::Cue(Cue::Source)).and_then(|c| {
        let phrase_end = sources::source_phrase_end(text, units[c].span.end, ctx.sentence_end);
        (c + 1..units.len()).find(|&i| {
            matches!(units[i].unit, Unit::Actor(_))
                && units[i].span.start < phrase_end
                && words_between(text, units[c].span.end, units[i].span.start) <= 7
        })
    });
    let mut supplier: Option<Actor> = None;
    let mut recipient: Option<Actor> = None;
    let mut unmarked: Vec<(usize, Actor)> = Vec::new();
    for (i, u) in units.iter().enumerate() {
        let Unit::Actor(e) = u.unit else { continue };
        if in_phrase(u) || cited == Some(i) {
            continue;
        }
        // Persons, agencies and outlets speak; they do not trade (a speaking state may do both).
        if !lexicon.entity(e).kind.can_trade() {
            continue;
        }
        let marker = units[..i]
            .iter()
            .rev()
            .take_while(|p| !matches!(p.unit, Unit::Actor(_) | Unit::Item(..)))
            .find_map(|p| match p.unit {
                Unit::Cue(c @ (Cue::From | Cue::To | Cue::By))
                    if words_between(text, p.span.end, u.span.start) <= 2 =>
                {
                    Some((c, p.entry.clone()))
                }
                _ => None,
            })
            .filter(|(c, _)| *c != Cue::From || near_trigger_or_item(u.span.start));
        match marker {
            Some((Cue::From | Cue::By, w)) if supplier.is_none() => {
                notes.push(|| format!("supplier {} marked by {w:?}", describe(lexicon, e)));
                supplier = Some(e);
            }
            Some((Cue::To, w)) if recipient.is_none() => {
                notes.push(|| format!("recipient {} marked by {w:?}", describe(lexicon, e)));
                recipient = Some(e);
            }
            Some(_) => {}
            // Past the clause's end only a marked actor takes part.
            None if range.start + i >= items_end => {}
            None => unmarked.push((i, e)),
        }
    }
    // "buys shells in North Korea": a state located right after the trigger or the goods sells.
    if supplier.is_none() && t_kind == Unit::Cue(Cue::Receive) {
        if let Some(e) = units.iter().enumerate().find_map(|(i, u)| match u.unit {
            Unit::Place(e)
                if lexicon.entity(e).kind == Kind::State
                    && i > 0
                    && (is_trigger(&units[i - 1])
                        || matches!(units[i - 1].unit, Unit::Item(..) | Unit::Cue(Cue::At)))
                    && words_between(text, units[i - 1].span.end, u.span.start) <= 1 =>
            {
                Some(e)
            }
            _ => None,
        }) {
            notes.push(|| format!("supplier {} (where the goods were bought)", describe(lexicon, e)));
            supplier = Some(e);
        }
    }
    // "sent in Russia", "spedito in Russia": a state located right after the trigger is where
    // the goods went.
    if recipient.is_none() && matches!(t_kind, Unit::Cue(Cue::Supply | Cue::Passive | Cue::Transfer)) {
        let trigger_end = all[t_index].span.end;
        if let Some(e) = units.iter().find_map(|u| match u.unit {
            Unit::Place(e)
                if lexicon.entity(e).kind == Kind::State
                    && u.span.start > trigger_end
                    && (words_between(text, trigger_end, u.span.start) <= 1
                        || units.iter().any(|it| {
                            matches!(it.unit, Unit::Item(..))
                                && it.span.end <= u.span.start
                                && it.span.start > trigger_end
                                && words_between(text, it.span.end, u.span.start) <= 1
                        })) =>
            {
                Some(e)
            }
            _ => None,
        }) {
            notes.push(|| format!("recipient {} (located right after the trigger)", describe(lexicon, e)));
            recipient = Some(e);
        }
    }
    unmarked.retain(|&(_, e)| Some(e) != supplier && Some(e) != recipient);
    // "X said that A supplies B", "X accuses A of supplying B": the actors before a says-verb
    // that precedes the trigger speak; the parties come after it.
    if let Some(says) =
        units.iter().rposition(|u| matches!(u.unit, Unit::Cue(Cue::Says | Cue::Source)) && u.span.end <= t_pos)
    {
        let cut = units[says].span.start;
        // When parties follow the verb, everyone before it speaks ("Washington and Seoul accuse
        // North Korea of…"); otherwise only the first ("Washington hat Russland vorgeworfen").
        let parties_after = unmarked.iter().any(|&(i, _)| units[i].span.start > cut);
        let speakers: Vec<usize> = if parties_after {
            (0..unmarked.len()).filter(|&k| units[unmarked[k].0].span.start < cut).collect()
        } else {
            unmarked.iter().position(|&(i, _)| units[i].span.start < cut).into_iter().collect()
        };
        if !speakers.is_empty() && (unmarked.len() > speakers.len() || supplier.is_some() || recipient.is_some()) {
            let names: Vec<&str> = speakers.iter().map(|&k| describe(lexicon, unmarked[k].1)).collect();
            notes.push(|| {
                format!("{} speak(s) (before {:?}); the parties come after", names.join(" + "), units[says].entry)
            });
            for k in speakers.into_iter().rev() {
                unmarked.remove(k);
            }
        }
    }
    let mut before: Vec<Actor> =
        unmarked.iter().filter(|(i, _)| units[*i].span.start < t_pos).map(|&(_, e)| e).collect();
    let after: Vec<Actor> = unmarked.iter().filter(|(i, _)| units[*i].span.start > t_pos).map(|&(_, e)| e).collect();
    // A clause opened by a relative pronoun ("…, which supplies") takes its antecedent as the
    // subject of its verb (a transfer noun has no subject: "that these deliveries include…").
    if before.is_empty()
        && t_kind != Unit::Cue(Cue::Transfer)
        && units.first().is_some_and(|u| u.unit == Unit::Cue(Cue::Clause))
        && range.start > 0
    {
        if let Some(e) = all[..range.start].iter().rev().find_map(|u| match u.unit {
            Unit::Actor(e) if lexicon.entity(e).kind.can_trade() && source != Some(Source::Known(e)) => Some(e),
            _ => None,
        }) {
            notes.push(|| format!("subject {} taken from before the clause", describe(lexicon, e)));
            before.push(e);
        }
    }
    let (subject_supplies, rule) = match t_kind {
        Unit::Cue(Cue::Receive) => (false, "receive-active"),
        Unit::Cue(Cue::Passive) => (false, "passive"),
        Unit::Cue(Cue::Transfer) => (true, "transfer-noun"),
        _ => (true, "supply-active"),
    };
    {
        // The subject: the nearest unmarked actor before the trigger; but a noun reads left to
        // right, and when every actor precedes the verb (verb-final clauses) the first is the
        // subject and the next its object.
        before.dedup();
        let verb_final = lang.grammar.verb_final && after.is_empty() && before.len() >= 2;
        let mut subject = if t_kind == Unit::Cue(Cue::Transfer) || verb_final {
            before.first().copied()
        } else {
            before.last().copied()
        };
        // The object: after the verb first; before it only when nothing follows (verb-final
        // clauses, clitics: "…e l'Iran glieli ha forniti").
        let mut rest: Vec<Actor> = after.iter().chain(before.iter()).copied().filter(|&e| Some(e) != subject).collect();
        let object_marked = if subject_supplies { recipient.is_some() } else { supplier.is_some() };
        if subject.is_none()
            && t_kind != Unit::Cue(Cue::Passive)
            && (rest.len() >= 2 || (object_marked && !rest.is_empty()))
        {
            // Verb-second order ("Under hösten levererade Ryssland … till Nordkorea").
            subject = Some(rest.remove(0));
        }
        if t_kind == Unit::Cue(Cue::Passive) {
            // The grammatical subject of a passive is the item; a bare actor is the recipient,
            // and a second one the agent.
            let mut bare = subject.into_iter().chain(rest.iter().copied()).filter(|&e| Some(e) != supplier);
            if recipient.is_none() {
                if let Some(e) = bare.next() {
                    recipient = Some(e);
                    notes.push(|| format!("recipient {} (unmarked actor of a passive)", describe(lexicon, e)));
                }
            }
            if supplier.is_none() {
                if let Some(e) = bare.find(|&e| Some(e) != recipient) {
                    supplier = Some(e);
                    notes.push(|| format!("supplier {} (second unmarked actor of a passive)", describe(lexicon, e)));
                }
            }
        } else {
            let (subject_slot, object_slot) =
                if subject_supplies { (&mut supplier, &mut recipient) } else { (&mut recipient, &mut supplier) };
            let (subject_role, object_role) =
                if subject_supplies { ("supplier", "recipient") } else { ("recipient", "supplier") };
            if subject_slot.is_none() {
                if let Some(e) = subject.filter(|&e| Some(e) != *object_slot) {
                    *subject_slot = Some(e);
                    notes.push(|| format!("{subject_role} {} (subject of the trigger)", describe(lexicon, e)));
                }
            }
            if object_slot.is_none() {
                if let Some(&e) = rest.iter().find(|&&e| Some(e) != *subject_slot) {
                    *object_slot = Some(e);
                    notes.push(|| format!("{object_role} {} (object of the trigger)", describe(lexicon, e)));
                }
            }
        }
    }
    // Demonyms: next to an item they name its origin ("North Korean shells"); elsewhere, when
    // no actor fills a role, they stand for their state ("supplies the Russian war").
    let mut weak: Vec<(usize, Actor)> = Vec::new();
    for (i, u) in units.iter().enumerate() {
        let Unit::Demonym(e) = u.unit else { continue };
        let next_to_item = [i.wrapping_sub(1), i + 1].iter().any(|&j| {
            units.get(j).is_some_and(|n| matches!(n.unit, Unit::Item(..)))
                && words_between(text, u.span.end.min(units[j].span.end), u.span.start.max(units[j].span.start)) <= 1
        });
        let next_to_actor = units
            .get(i + 1)
            .is_some_and(|n| matches!(n.unit, Unit::Actor(_)) && words_between(text, u.span.end, n.span.start) <= 1);
        if next_to_item && supplier.is_none() && recipient != Some(e) {
            supplier = Some(e);
            notes.push(|| format!("supplier {} (demonym {:?} on the item)", describe(lexicon, e), u.entry));
        } else if !next_to_item && !next_to_actor && lexicon.entity(e).kind.can_trade() && range.start + i < items_end {
            weak.push((i, e));
        }
    }
    // The demonym nearest to the trigger first.
    weak.sort_by_key(|&(i, _)| {
        let u = &units[i].span;
        if u.start < t_pos {
            words_between(text, u.end, t_pos)
        } else {
            words_between(text, all[t_index].span.end, u.start)
        }
    });
    if t_kind != Unit::Cue(Cue::Passive) {
        let (subject_slot, object_slot) =
            if subject_supplies { (&mut supplier, &mut recipient) } else { (&mut recipient, &mut supplier) };
        for &(i, e) in &weak {
            if Some(e) == *subject_slot || Some(e) == *object_slot {
                continue;
            }
            let role = if units[i].span.start < t_pos && subject_slot.is_none() {
                Some(subject_slot as &mut Option<Actor>)
            } else if object_slot.is_none() && subject_slot.is_some() {
                Some(object_slot as &mut Option<Actor>)
            } else {
                None
            };
            if let Some(slot) = role {
                *slot = Some(e);
                notes
                    .push(|| format!("{} (demonym {:?} standing for its state)", describe(lexicon, e), units[i].entry));
            }
        }
    }
    // A side still missing: the document's previous flow between the same actors.
    if let Some((s, r)) = ctx.last_pair {
        match (supplier, recipient) {
            (Some(x), None) if x == s || x == r => {
                let other = if x == s { r } else { s };
                recipient = Some(other);
                notes.push(|| format!("recipient {} from the previous flow", describe(lexicon, other)));
            }
            (None, Some(x)) if x == s || x == r => {
                let other = if x == s { r } else { s };
                supplier = Some(other);
                notes.push(|| format!("supplier {} from the previous flow", describe(lexicon, other)));
            }
            _ => {}
        }
    }
    // "…rockets, which it already buys from Iran": a relative clause about the previous
    // clause's goods shares that clause's missing party.
    if antecedent {
        if let Some((s, r)) = ctx.last_pair {
            if recipient.is_none() && supplier.is_some_and(|x| x != r) {
                notes.push(|| format!("recipient {} (the main clause's, for its goods)", describe(lexicon, r)));
                recipient = Some(r);
            } else if supplier.is_none() && recipient.is_some_and(|x| x != s) {
                notes.push(|| format!("supplier {} (the main clause's, for its goods)", describe(lexicon, s)));
                supplier = Some(s);
            }
        }
    }
    // A transfer sentence that names nobody ("the deliveries continued") goes on about the
    // document's previous flow.
    if supplier.is_none()
        && recipient.is_none()
        && !units[..items_end.saturating_sub(range.start).min(units.len())]
            .iter()
            .any(|u| matches!(u.unit, Unit::Actor(_) | Unit::Demonym(_)))
    {
        if let Some((s, r)) = ctx.last_pair {
            notes.push(|| {
                format!(
                    "{} -> {}: the previous flow (the clause names no actor)",
                    describe(lexicon, s),
                    describe(lexicon, r)
                )
            });
            (supplier, recipient) = (Some(s), Some(r));
        }
    }
    let (Some(supplier), Some(recipient)) = (supplier, recipient) else {
        notes.push(|| "no flow: supplier or recipient not found".into());
        return;
    };
    if supplier == recipient {
        notes.push(|| "no flow: supplier and recipient are the same".into());
        return;
    }

    // Modality: denials and hearsay frame the whole sentence; hedges belong to the clause and
    // stand near the trigger.
    let trigger_end = all[t_index].span.end;
    let has_anywhere = |cue: Cue| all.iter().any(|u| u.unit == Unit::Cue(cue));
    let has_near = |cue: Cue| {
        units.iter().any(|u| {
            u.unit == Unit::Cue(cue)
                && if u.span.start < t_pos {
                    words_between(text, u.span.end, t_pos) <= 12
                } else {
                    words_between(text, trigger_end, u.span.start) <= 6
                }
        })
    };
    // In a verb-final clause the negation stands before the objects ("habe nie Waffen an
    // Russland geliefert").
    let reach = if lang.grammar.verb_final { 8 } else { 2 };
    let negated = units.iter().any(|u| {
        u.unit == Unit::Cue(Cue::Negation)
            && ((u.span.end <= t_pos
                && words_between(text, u.span.end, t_pos) <= reach
                && !text[u.span.end..t_pos].contains([',', ';']))
                || (u.span.start >= trigger_end && words_between(text, trigger_end, u.span.start) == 0))
    });
    // A party may deny its own deal; otherwise a source is someone else: when the name found
    // is a party ("according to the agency, Pyongyang sent…"), the claim is the previous source's.
    let denial = has_anywhere(Cue::Denied) || negated;
    let is_party = |s: Source| matches!(s, Source::Known(e) if e == supplier || e == recipient);
    // "According to a Western diplomat, …": attributed, to no one the rules can name.
    let unnamed_source = source.is_none() && has_anywhere(Cue::Source);
    let source = match source {
        Some(e) if denial || !is_party(e) => Some(e),
        Some(_) => ctx.previous_source.filter(|&e| !is_party(e)),
        None => None,
    };
    let (modality, why) = if has_anywhere(Cue::Denied) {
        (Modality::Denied, "a denial cue")
    } else if negated {
        (Modality::Denied, "a negated trigger")
    } else if has_near(Cue::Speculative) {
        (Modality::Speculative, "a speculative cue near the trigger")
    } else if has_near(Cue::Likely) {
        (Modality::Likely, "a likely cue near the trigger")
    } else if has_anywhere(Cue::Reported) {
        (Modality::Reported, "a hearsay cue")
    } else if source.is_some_and(|e| !is_party(e)) {
        (Modality::Reported, "a named source")
    } else if unnamed_source {
        (Modality::Reported, "a source cue with no name the rules know")
    } else {
        (Modality::Asserted, "no hedge")
    };
    notes.push(|| format!("modality {modality} ({why})"));

    // Items.
    // Route: stations, ports and crossings the clause names, and whatever follows "via".
    let via: Vec<u32> = route_places(lexicon, units).into_iter().filter(|&e| e != supplier && e != recipient).collect();
    if !via.is_empty() {
        notes.push(|| format!("via {}", via.iter().map(|&e| describe(lexicon, e)).collect::<Vec<_>>().join(", ")));
    }
    let mut main: Vec<(Category, Vec<u32>, Option<Quantity>)> = Vec::new();
    let mut counter: Vec<(Category, Vec<u32>)> = Vec::new();
    let close = |a: &Placed, b: &Placed| words_between(text, a.span.end, b.span.start) <= 1;
    let mut purpose = false;
    for &i in &items {
        // Items right after a purpose phrase's first item belong to it too.
        if purpose && i >= 1 && matches!(units[i - 1].unit, Unit::Item(..)) && close(&units[i - 1], &units[i]) {
            continue;
        }
        purpose = false;
        let Unit::Item(category, weapon) = units[i].unit else { continue };
        // "rockets for Grad launchers": the item after a for-word only says what the first is
        // for; but generic technology "for the satellite programme" is that kind of technology.
        if i >= 2
            && matches!(units[i - 2].unit, Unit::Item(..))
            && units[i - 1].unit == Unit::Cue(Cue::To)
            && close(&units[i - 2], &units[i - 1])
            && close(&units[i - 1], &units[i])
        {
            if matches!(units[i - 2].unit, Unit::Item(Category::MilitaryTechnology, None))
                && matches!(category, Category::SpaceTechnology | Category::NuclearTechnology)
            {
                main.retain(|(c, ..)| *c != Category::MilitaryTechnology);
            } else {
                purpose = true;
                continue;
            }
        }
        // "technology for the production of ballistic missiles": what is made is not what moves
        // (generic technology for nuclear or space work is that kind of technology).
        let made = (0..i).rev().take(2).any(|j| {
            units[j].unit == Unit::Cue(Cue::Production)
                && words_between(text, units[j].span.end, units[i].span.start) <= 1
        });
        if made && items.len() > 1 {
            if matches!(category, Category::SpaceTechnology | Category::NuclearTechnology)
                && main.iter().any(|(c, ..)| *c == Category::MilitaryTechnology)
            {
                main.retain(|(c, ..)| *c != Category::MilitaryTechnology);
            } else {
                continue;
            }
        }
        let is_calibre = units[i].entry.starts_with("pattern ");
        // "122 mm rockets": a calibre before a noun defers to the noun.
        if is_calibre && units.get(i + 1).is_some_and(|n| matches!(n.unit, Unit::Item(..)) && close(&units[i], n)) {
            continue;
        }
        // "howitzers of 170 mm" describes the gun; "projectiles of 152 mm" are artillery shells.
        let previous_item = (0..i).rev().take(2).find(|&j| !matches!(units[j].unit, Unit::Cue(_)));
        if let Some(j) =
            previous_item.filter(|&j| is_calibre && words_between(text, units[j].span.end, units[i].span.start) <= 1)
        {
            if let Unit::Item(previous, _) = units[j].unit {
                if previous != Category::AmmunitionUnspecified {
                    continue;
                }
            }
        }
        if in_phrase(&units[i]) {
            add_item(&mut counter, category, weapon);
            continue;
        }
        let prev_end = if i == 0 { all[..range.start].last().map_or(0, |u| u.span.end) } else { units[i - 1].span.end };
        let from = prev_end.max(ctx.sentence_start).max(units[i].span.start.saturating_sub(60));
        let from = (from..=units[i].span.start).find(|&b| text.is_char_boundary(b)).unwrap_or(units[i].span.start);
        let quantity = find_quantity(lang, &text[from..units[i].span.start]);
        match main.iter_mut().find(|(c, ..)| *c == category) {
            Some((_, weapons, q)) => {
                weapons.extend(weapon);
                if q.is_none() {
                    *q = quantity;
                }
            }
            None => main.push((category, weapon.into_iter().collect(), quantity)),
        }
    }
    let date = ctx.date(lang, text);
    if let Some(d) = &date {
        notes.push(|| format!("date {d}"));
    }
    // Actors coordinated with a party ("from Iran and North Korea") share its role.
    let partners = |who: Actor| -> Vec<Actor> {
        let mut out = vec![who];
        let Some(mut i) = units.iter().position(|u| u.unit == Unit::Actor(who)) else { return out };
        while let (Some(and), Some(next)) = (units.get(i + 1), units.get(i + 2)) {
            match (and.unit, next.unit) {
                (Unit::Cue(Cue::And), Unit::Actor(e))
                    if lexicon.entity(e).kind.can_trade()
                        && words_between(text, units[i].span.end, next.span.start) <= 3
                        && e != supplier
                        && e != recipient
                        && source != Some(Source::Known(e)) =>
                {
                    out.push(e);
                    i += 2;
                }
                _ => break,
            }
        }
        out
    };
    let (suppliers, recipients) = (partners(supplier), partners(recipient));
    if suppliers.len() + recipients.len() > 2 {
        notes.push(|| "coordinated actors share the role".into());
    }
    let rule = format!("{}/{rule}", lang.code);
    let mut keys = Vec::new();
    for (category, weapons, quantity) in main {
        for &s in &suppliers {
            for &r in &recipients {
                let flow = FlowKey { supplier: s, recipient: r, category };
                keys.push(flow);
                ex.attestations.push(Attestation {
                    flow,
                    items: weapons.clone(),
                    via: via.clone(),
                    modality,
                    source,
                    sentence: si,
                    quantity: quantity.clone(),
                    date: date.clone(),
                    rule: rule.clone(),
                });
            }
        }
    }
    notes.push(|| {
        format!(
            "flows {} -> {}: {}",
            suppliers.iter().map(|&e| describe(lexicon, e)).collect::<Vec<_>>().join(" + "),
            recipients.iter().map(|&e| describe(lexicon, e)).collect::<Vec<_>>().join(" + "),
            main_categories(&keys).join(", ")
        )
    });
    let mut counter_keys = Vec::new();
    for (category, weapons) in counter {
        let flow = FlowKey { supplier: recipient, recipient: supplier, category };
        counter_keys.push(flow);
        ex.attestations.push(Attestation {
            flow,
            items: weapons,
            via: via.clone(),
            modality,
            source,
            sentence: si,
            quantity: None,
            date: date.clone(),
            rule: format!("{}/exchange-for", lang.code),
        });
    }
    if let Some(x) = exchange_cue {
        let partners: Vec<FlowKey> = if !counter_keys.is_empty() {
            notes.push(|| format!("exchange: the items after {:?} flow the other way", units[x].entry));
            counter_keys.clone()
        } else if let Some((_, _, flows, _)) =
            ctx.recent.iter().rev().find(|(s, r, ..)| *s == recipient && *r == supplier)
        {
            notes.push(|| "exchange: linked to the latest flows the other way".into());
            flows.clone()
        } else {
            notes.push(|| "exchange cue, but no flow the other way to link".into());
            Vec::new()
        };
        for &a in &keys {
            for &b in &partners {
                ex.exchanges.push(Exchange {
                    gives: b,
                    returns: a,
                    modality,
                    sentence: si,
                    rule: format!("{}/exchange", lang.code),
                });
            }
        }
    }
    if !keys.is_empty() {
        ctx.last_pair = Some((supplier, recipient));
        ctx.recent.retain(|(s, r, ..)| !(*s == supplier && *r == recipient));
        ctx.recent.push((supplier, recipient, keys, modality));
    }
    if !counter_keys.is_empty() {
        ctx.recent.retain(|(s, r, ..)| !(*s == recipient && *r == supplier));
        ctx.recent.push((recipient, supplier, counter_keys, modality));
    }
}

fn main_categories(keys: &[FlowKey]) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for k in keys {
        if !out.contains(&k.category.notation()) {
            out.push(k.category.notation());
        }
    }
    out
}

fn add_item(list: &mut Vec<(Category, Vec<u32>)>, category: Category, weapon: Option<u32>) {
    match list.iter_mut().find(|(c, _)| *c == category) {
        Some((_, w)) => w.extend(weapon),
        None => list.push((category, weapon.into_iter().collect())),
    }
}

fn cue_name(u: Unit) -> &'static str {
    match u {
        Unit::Cue(c) => c.name(),
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_between_counts_runs_of_letters_and_digits() {
        let text = " Iran, and   North-Korea's 152-mm… «shells»;x y Україна";
        let places: Vec<usize> = (0..=text.len()).filter(|&i| text.is_char_boundary(i)).collect();
        for &from in &places {
            for &to in &places {
                let expected = if to <= from {
                    0
                } else {
                    text[from..to].split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).count()
                };
                assert_eq!(words_between(text, from, to), expected, "{from}..{to}");
            }
        }
    }
}
