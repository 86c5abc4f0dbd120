//! The lexicon: the gazetteer and every language's words, loaded from `lexicon/` (bundled, or a
//! folder given at run time through the same code), validated once, compiled into matchers.
//!
//! Nothing here names a language: a language is whatever folder is there.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::path::Path;

use serde::Deserialize;

use crate::dates::Offset;
use crate::matcher::Matcher;
use crate::text::fold;
use crate::vocab::{Category, Kind};

/// The language code used for text whose language is not recognised.
pub const UNDETERMINED: &str = "und";

/// An invalid data file: which file, where, and what is wrong.
#[derive(Debug, thiserror::Error)]
#[error("{file}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
#[non_exhaustive]
pub struct LexiconError {
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

/// What a cue word signals (the `[cues]` kinds of `lang.toml`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Cue {
    Supply,
    Receive,
    Passive,
    Transfer,
    From,
    To,
    By,
    Exchange,
    ExchangeFor,
    Source,
    Says,
    Reported,
    Likely,
    Speculative,
    Denied,
    Negation,
    Clause,
    At,
    And,
    Prohibition,
    Via,
    Production,
}

impl Cue {
    pub fn name(self) -> &'static str {
        use Cue::*;
        match self {
            Supply => "supply",
            Receive => "receive",
            Passive => "passive",
            Transfer => "transfer",
            From => "from",
            To => "to",
            By => "by",
            Exchange => "exchange",
            ExchangeFor => "exchange-for",
            Source => "source",
            Says => "says",
            Reported => "reported",
            Likely => "likely",
            Speculative => "speculative",
            Denied => "denied",
            Negation => "negation",
            Clause => "clause",
            At => "at",
            And => "and",
            Prohibition => "prohibition",
            Via => "via",
            Production => "production",
        }
    }
}

/// What a lexicon entry stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    Entity(u32),
    Demonym(u32),
    Category(Category),
    Cue(Cue),
}

impl Target {
    /// Overlap priority: lower wins at equal length.
    pub fn priority(self) -> u8 {
        match self {
            Target::Entity(_) => 0,
            Target::Demonym(_) => 1,
            Target::Category(_) => 2,
            Target::Cue(_) => 3,
        }
    }
}

/// A gazetteer entity.
#[derive(Debug, Clone)]
pub struct Entity {
    pub id: String,
    pub kind: Kind,
    /// English label.
    pub label: String,
    pub wikidata: Option<String>,
    /// Spellings used in every language.
    pub aliases: Vec<String>,
    /// A capital standing for its state.
    pub metonym_of: Option<u32>,
    /// Weapon systems: their category.
    pub category: Option<Category>,
    pub role: Option<String>,
    /// Per language code: the forms that language writes (first = its label).
    pub names: BTreeMap<String, Vec<String>>,
}

/// Number words and separators of a language (the scale and number words folded, once loaded).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Numbers {
    pub thousand: Vec<String>,
    pub million: Vec<String>,
    pub billion: Vec<String>,
    pub decimal_separator: Option<String>,
    pub group_separators: Vec<String>,
    pub approximate: Vec<String>,
    pub words: BTreeMap<String, f64>,
}

/// Month names and relative date phrases of a language, as written in `[dates]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct DatesSection {
    months: Vec<Vec<String>>,
    relative: BTreeMap<String, String>,
}

/// What a word of `[dates]` stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateWord {
    /// A month name: the month's index (0–11).
    Month(u8),
    /// A relative date phrase.
    Relative(Offset),
}

/// Month names and relative phrases, compiled into one matcher (month names first), so a
/// sentence is read once for both.
pub struct DateRules {
    pub words: Matcher<DateWord>,
}

/// One language: its detection words, sentence rules and compiled matcher.
pub struct Language {
    pub code: String,
    pub name: String,
    pub native: String,
    pub detect: HashSet<String>,
    pub abbreviations: HashSet<String>,
    pub numbers: Numbers,
    pub dates: DateRules,
    pub grammar: Grammar,
    pub matcher: Matcher<Target>,
}

/// A language-independent pattern (`patterns.toml`): calibres and the like.
#[derive(Debug, Clone)]
pub struct Pattern {
    pub name: String,
    pub regex: regex::Regex,
    pub category: Option<Category>,
}

pub struct Lexicon {
    pub entities: Vec<Entity>,
    by_id: HashMap<String, u32>,
    languages: Vec<Language>,
    /// For text in no known language: every language's entity names, no cues.
    undetermined: Language,
    pub patterns: Vec<Pattern>,
    /// Each entity's description triples (type, labels, links), built once when first needed.
    pub(crate) descriptions: std::sync::OnceLock<Vec<Vec<oxigraph::model::Triple>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntitiesFile {
    entity: Vec<EntityRecord>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntityRecord {
    id: String,
    kind: String,
    label: String,
    wikidata: Option<String>,
    #[serde(default)]
    aliases: Vec<String>,
    metonym_of: Option<String>,
    category: Option<String>,
    role: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LangFile {
    code: String,
    name: String,
    #[serde(default)]
    native: String,
    #[serde(default)]
    detect: DetectSection,
    #[serde(default)]
    sentences: SentenceSection,
    #[serde(default)]
    cues: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    dates: DatesSection,
    #[serde(default)]
    numbers: Numbers,
    #[serde(default)]
    grammar: Grammar,
}

/// Word-order facts the rules need.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Grammar {
    /// Clauses may put the verb last, after subject and object ("dass Nordkorea Russland
    /// Raketen geliefert habe"): with no actor after the verb, the first actor is the subject.
    pub verb_final: bool,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct DetectSection {
    words: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct SentenceSection {
    abbreviations: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct LangEntitiesFile {
    #[serde(default)]
    names: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    demonyms: BTreeMap<String, Vec<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct PatternsFile {
    #[serde(default)]
    pattern: Vec<PatternRecord>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PatternRecord {
    name: String,
    regex: String,
    category: Option<String>,
    #[allow(dead_code)]
    example: Option<String>,
}

/// The text of one data file and the name errors should use for it.
pub struct Source<'a> {
    pub name: String,
    pub text: std::borrow::Cow<'a, str>,
}

/// A lexicon folder's files: the shared ones and, per language, (file name, text).
pub struct Sources<'a> {
    pub entities: Source<'a>,
    pub patterns: Option<Source<'a>>,
    pub languages: Vec<(String, Vec<Source<'a>>)>,
}

fn err(file: &str, text: &str, needle: Option<&str>, message: String) -> LexiconError {
    let line = needle.and_then(|n| text.lines().position(|l| l.contains(n)).map(|i| i + 1));
    LexiconError { file: file.to_string(), line, message }
}

fn parse_toml<T: serde::de::DeserializeOwned>(src: &Source) -> Result<T, LexiconError> {
    toml::from_str(&src.text).map_err(|e| LexiconError {
        file: src.name.clone(),
        line: e.span().map(|s| src.text[..s.start].lines().count().max(1)),
        message: e.message().to_string(),
    })
}

impl Lexicon {
    /// The lexicon compiled into the binary.
    pub fn bundled() -> Result<Lexicon, LexiconError> {
        let b = crate::bundled::LANGUAGES;
        Lexicon::from_sources(Sources {
            entities: Source { name: "lexicon/entities.toml".into(), text: crate::bundled::ENTITIES.into() },
            patterns: Some(Source { name: "lexicon/patterns.toml".into(), text: crate::bundled::PATTERNS.into() }),
            languages: b
                .iter()
                .map(|(code, files)| {
                    let sources = files
                        .iter()
                        .map(|(f, t)| Source { name: format!("lexicon/{code}/{f}"), text: (*t).into() })
                        .collect();
                    (code.to_string(), sources)
                })
                .collect(),
        })
    }

    /// Loads a lexicon folder of the bundled shape from disk.
    pub fn load_dir(dir: &Path) -> Result<Lexicon, LexiconError> {
        let read = |p: &Path| -> Result<Source<'static>, LexiconError> {
            let text = fs::read_to_string(p).map_err(|e| LexiconError {
                file: p.display().to_string(),
                line: None,
                message: e.to_string(),
            })?;
            Ok(Source { name: p.display().to_string(), text: text.into() })
        };
        let entities = read(&dir.join("entities.toml"))?;
        let patterns_path = dir.join("patterns.toml");
        let patterns = if patterns_path.exists() { Some(read(&patterns_path)?) } else { None };
        let mut languages = Vec::new();
        let mut dirs: Vec<_> = fs::read_dir(dir)
            .map_err(|e| LexiconError { file: dir.display().to_string(), line: None, message: e.to_string() })?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_dir())
            .collect();
        dirs.sort();
        for d in dirs {
            let code = d.file_name().unwrap_or_default().to_string_lossy().into_owned();
            let mut files: Vec<_> = fs::read_dir(&d)
                .map_err(|e| LexiconError { file: d.display().to_string(), line: None, message: e.to_string() })?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect();
            files.sort();
            let sources = files.iter().map(|f| read(f)).collect::<Result<Vec<_>, _>>()?;
            languages.push((code, sources));
        }
        Lexicon::from_sources(Sources { entities, patterns, languages })
    }

    pub fn from_sources(sources: Sources) -> Result<Lexicon, LexiconError> {
        let file: EntitiesFile = parse_toml(&sources.entities)?;
        let esrc = &sources.entities;
        let mut entities = Vec::new();
        let mut by_id = HashMap::new();
        for r in &file.entity {
            let e = |m: String| err(&esrc.name, &esrc.text, Some(&format!("\"{}\"", r.id)), m);
            let kind: Kind = r.kind.parse().map_err(|m| e(format!("entity {}: {m}", r.id)))?;
            let category = r
                .category
                .as_deref()
                .map(|c| c.parse::<Category>())
                .transpose()
                .map_err(|m| e(format!("entity {}: {m}", r.id)))?;
            if kind == Kind::WeaponSystem && category.is_none() {
                return Err(e(format!("weapon system {} has no category", r.id)));
            }
            if r.id.is_empty() || !r.id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
                return Err(e(format!("entity id {:?} must be lower-case ASCII letters, digits and '-'", r.id)));
            }
            if by_id.insert(r.id.clone(), entities.len() as u32).is_some() {
                return Err(e(format!("entity id {} is defined twice", r.id)));
            }
            entities.push(Entity {
                id: r.id.clone(),
                kind,
                label: r.label.clone(),
                wikidata: r.wikidata.clone(),
                aliases: r.aliases.clone(),
                metonym_of: None,
                category,
                role: r.role.clone(),
                names: BTreeMap::new(),
            });
        }
        for r in &file.entity {
            if let Some(m) = &r.metonym_of {
                let target = *by_id.get(m).ok_or_else(|| {
                    err(
                        &esrc.name,
                        &esrc.text,
                        Some(m),
                        format!("entity {}: metonym_of {m:?} is not an entity id", r.id),
                    )
                })?;
                entities[by_id[&r.id] as usize].metonym_of = Some(target);
            }
        }

        let patterns = match &sources.patterns {
            None => Vec::new(),
            Some(src) => {
                let f: PatternsFile = parse_toml(src)?;
                f.pattern
                    .into_iter()
                    .map(|p| {
                        let e = |m: String| err(&src.name, &src.text, Some(&p.name), m);
                        Ok(Pattern {
                            regex: regex::Regex::new(&p.regex).map_err(|x| e(format!("pattern {}: {x}", p.name)))?,
                            category: p.category.as_deref().map(str::parse).transpose().map_err(|m: String| e(m))?,
                            name: p.name,
                        })
                    })
                    .collect::<Result<_, LexiconError>>()?
            }
        };

        let mut langs = Vec::new();
        let mut all_names: Vec<(String, Target, String)> = Vec::new();
        for (code, files) in &sources.languages {
            let lang = load_language(code, files, &by_id, &mut entities, &mut all_names)?;
            langs.push(lang);
        }
        let universal = universal_entries(&entities);
        all_names.extend(universal);
        let undetermined = Language {
            code: UNDETERMINED.to_string(),
            name: "undetermined".to_string(),
            native: String::new(),
            detect: HashSet::new(),
            abbreviations: HashSet::new(),
            numbers: Numbers::default(),
            dates: DateRules { words: Matcher::new(Vec::new()).expect("empty") },
            grammar: Grammar::default(),
            matcher: Matcher::new(all_names).map_err(|m| LexiconError {
                file: "lexicon".into(),
                line: None,
                message: m,
            })?,
        };
        Ok(Lexicon { entities, by_id, languages: langs, undetermined, patterns, descriptions: Default::default() })
    }

    pub fn entity(&self, id: u32) -> &Entity {
        &self.entities[id as usize]
    }

    pub fn entity_id(&self, id: &str) -> Option<u32> {
        self.by_id.get(id).copied()
    }

    /// The supported languages, ordered by code.
    pub fn languages(&self) -> &[Language] {
        &self.languages
    }

    /// The language with this code; `und` gives the entity-only fallback.
    pub fn language(&self, code: &str) -> Option<&Language> {
        if code == UNDETERMINED {
            return Some(&self.undetermined);
        }
        self.languages.iter().find(|l| l.code == code)
    }

    /// Finds an entity by id or by any of its labels in any language (case and accents folded).
    pub fn find_entity(&self, name: &str) -> Option<u32> {
        if let Some(&i) = self.by_id.get(name) {
            return Some(i);
        }
        let key = fold(name.trim());
        self.entities
            .iter()
            .position(|e| {
                fold(&e.label) == key
                    || e.aliases.iter().any(|a| fold(a.trim_start_matches('=')) == key)
                    || e.names.values().flatten().any(|n| !n.contains('*') && fold(n.trim_start_matches('=')) == key)
            })
            .map(|i| i as u32)
    }
}

/// The entries every language shares: entity aliases and English labels.
fn universal_entries(entities: &[Entity]) -> Vec<(String, Target, String)> {
    let mut out = Vec::new();
    for (i, e) in entities.iter().enumerate() {
        for a in &e.aliases {
            out.push((a.clone(), Target::Entity(i as u32), "lexicon/entities.toml".to_string()));
        }
    }
    out
}

fn load_language(
    code: &str,
    files: &[Source],
    by_id: &HashMap<String, u32>,
    entities: &mut [Entity],
    all_names: &mut Vec<(String, Target, String)>,
) -> Result<Language, LexiconError> {
    let find = |name: &str| files.iter().find(|s| s.name.ends_with(&format!("/{name}")));
    let known = ["lang.toml", "entities.toml", "categories.toml"];
    if let Some(extra) = files.iter().find(|s| !known.iter().any(|k| s.name.ends_with(&format!("/{k}")))) {
        return Err(LexiconError {
            file: extra.name.clone(),
            line: None,
            message: format!("unknown file in a language folder; expected {}", known.join(", ")),
        });
    }
    let lang_src = find("lang.toml").ok_or_else(|| LexiconError {
        file: format!("lexicon/{code}/lang.toml"),
        line: None,
        message: "missing: every language folder needs a lang.toml".into(),
    })?;
    let lang: LangFile = parse_toml(lang_src)?;
    if lang.code != code {
        return Err(err(
            &lang_src.name,
            &lang_src.text,
            Some("code"),
            format!("code {:?} does not match its folder {code:?}", lang.code),
        ));
    }
    let mut entries: Vec<(String, Target, String)> = Vec::new();
    for (kind, words) in &lang.cues {
        let cue: Cue = toml::Value::String(kind.clone())
            .try_into()
            .map_err(|_| err(&lang_src.name, &lang_src.text, Some(kind), format!("unknown cue kind {kind:?}")))?;
        for w in words {
            entries.push((w.clone(), Target::Cue(cue), lang_src.name.clone()));
        }
    }
    if let Some(src) = find("categories.toml") {
        let cats: BTreeMap<String, Vec<String>> = parse_toml(src)?;
        for (notation, words) in cats {
            let c: Category = notation.parse().map_err(|m| err(&src.name, &src.text, Some(&notation), m))?;
            for w in words {
                entries.push((w, Target::Category(c), src.name.clone()));
            }
        }
    }
    if let Some(src) = find("entities.toml") {
        let f: LangEntitiesFile = parse_toml(src)?;
        for (table, demonym) in [(&f.names, false), (&f.demonyms, true)] {
            for (id, forms) in table {
                let i = *by_id.get(id).ok_or_else(|| {
                    err(&src.name, &src.text, Some(id), format!("{id:?} is not an entity id of lexicon/entities.toml"))
                })?;
                for form in forms {
                    let target = if demonym { Target::Demonym(i) } else { Target::Entity(i) };
                    entries.push((form.clone(), target, src.name.clone()));
                    if !demonym {
                        all_names.push((form.clone(), target, src.name.clone()));
                    }
                }
                if !demonym {
                    entities[i as usize].names.insert(code.to_string(), forms.clone());
                }
            }
        }
    }
    entries.extend(universal_entries(entities));
    let matcher =
        Matcher::new(entries).map_err(|m| LexiconError { file: format!("lexicon/{code}"), line: None, message: m })?;
    let months = &lang.dates.months;
    if !months.is_empty() && months.len() != 12 {
        return Err(err(
            &lang_src.name,
            &lang_src.text,
            Some("months"),
            format!("[dates] months has {} entries, expected 12", months.len()),
        ));
    }
    let date_error = |m: String| LexiconError { file: lang_src.name.clone(), line: None, message: m };
    let mut date_words: Vec<(String, DateWord, String)> = months
        .iter()
        .enumerate()
        .flat_map(|(i, forms)| forms.iter().map(move |f| (f.clone(), DateWord::Month(i as u8), lang_src.name.clone())))
        .collect();
    for (phrase, spec) in &lang.dates.relative {
        let offset = Offset::parse(spec).map_err(|m| {
            err(&lang_src.name, &lang_src.text, Some(phrase), format!("[dates] relative {phrase:?}: {m}"))
        })?;
        date_words.push((phrase.clone(), DateWord::Relative(offset), lang_src.name.clone()));
    }
    let dates = DateRules { words: Matcher::new(date_words).map_err(date_error)? };
    Ok(Language {
        code: code.to_string(),
        name: lang.name,
        native: lang.native,
        detect: lang.detect.words.iter().map(|w| fold(w)).collect(),
        abbreviations: lang.sentences.abbreviations.iter().map(|w| fold(w)).collect(),
        // Number and scale words are looked up in folded text: fold them once here.
        numbers: Numbers {
            thousand: lang.numbers.thousand.iter().map(|w| fold(w)).collect(),
            million: lang.numbers.million.iter().map(|w| fold(w)).collect(),
            billion: lang.numbers.billion.iter().map(|w| fold(w)).collect(),
            words: lang.numbers.words.iter().map(|(k, v)| (fold(k), *v)).collect(),
            ..lang.numbers
        },
        dates,
        grammar: lang.grammar,
        matcher,
    })
}
