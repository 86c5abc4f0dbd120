//! The benchmark corpus generator: seeded, deterministic articles in every language that has a
//! template file (`samples/generator/<lang>.toml`, format documented in `en.toml`).
//!
//! Article `i` of seed `s` depends only on `(s, i)`: a corpus of 1 000 articles is the first
//! thousand of a corpus of 100 000, and the same seed writes the same bytes on every machine.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// A small, fast, well-mixed generator (SplitMix64). Not for secrets; for repeatable corpora.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// Uniform in `lo..=hi`.
    pub fn between(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
}

/// A slot filler: one string, or its forms by name (grammatical cases, contractions).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Item {
    Plain(String),
    Forms(BTreeMap<String, String>),
}

impl Item {
    fn form(&self, name: Option<&str>) -> Option<&str> {
        match (self, name) {
            (Item::Plain(s), _) => Some(s),
            (Item::Forms(f), Some(n)) => f.get(n).map(String::as_str),
            (Item::Forms(f), None) => f.get("nom").or_else(|| f.values().next()).map(String::as_str),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
struct ArticleTemplates {
    titles: Vec<String>,
    news: Vec<String>,
    arms: Vec<String>,
}

/// One language's templates.
#[derive(Debug, Clone, Deserialize)]
pub struct Templates {
    pub lang: String,
    lists: BTreeMap<String, Vec<Item>>,
    article: ArticleTemplates,
}

/// A template file that cannot be used, with the file and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    pub file: String,
    pub message: String,
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file, self.message)
    }
}

impl std::error::Error for TemplateError {}

/// One slot of a template: `{var:list.form}`, `{var:list}`, `{var}` or `{var.form}`.
struct Slot<'a> {
    var: &'a str,
    list: Option<&'a str>,
    form: Option<&'a str>,
}

/// Splits a template into literal text and slots.
fn parse_template(t: &str) -> Result<Vec<Result<&str, Slot<'_>>>, String> {
    let mut parts = Vec::new();
    let mut rest = t;
    while let Some(open) = rest.find('{') {
        if open > 0 {
            parts.push(Ok(&rest[..open]));
        }
        let close = rest[open..].find('}').ok_or_else(|| format!("unclosed '{{' in {t:?}"))? + open;
        let inner = &rest[open + 1..close];
        let (var, spec) = match inner.split_once(':') {
            Some((v, s)) => (v, Some(s)),
            None => (inner, None),
        };
        let slot = match spec {
            Some(s) => {
                let (list, form) = match s.split_once('.') {
                    Some((l, f)) => (l, Some(f)),
                    None => (s, None),
                };
                Slot { var, list: Some(list), form }
            }
            None => {
                let (v, form) = match var.split_once('.') {
                    Some((v, f)) => (v, Some(f)),
                    None => (var, None),
                };
                Slot { var: v, list: None, form }
            }
        };
        if slot.var.is_empty() || slot.list.is_some_and(str::is_empty) || slot.form.is_some_and(str::is_empty) {
            return Err(format!("malformed slot {{{inner}}} in {t:?}"));
        }
        parts.push(Err(slot));
        rest = &rest[close + 1..];
    }
    if !rest.is_empty() {
        parts.push(Ok(rest));
    }
    Ok(parts)
}

impl Templates {
    /// Parses and checks a template file: every slot names a known list, every repeated
    /// variable was bound before, and every item has every form a template asks of its list.
    pub fn parse(file: &str, text: &str) -> Result<Templates, TemplateError> {
        let err = |message: String| TemplateError { file: file.to_string(), message };
        let t: Templates = toml::from_str(text).map_err(|e| err(e.to_string()))?;
        let a = &t.article;
        for (name, group) in [("titles", &a.titles), ("news", &a.news), ("arms", &a.arms)] {
            if group.is_empty() {
                return Err(err(format!("[article] {name} is empty")));
            }
            for template in group {
                let mut bound: BTreeMap<&str, &str> = BTreeMap::new();
                for part in parse_template(template).map_err(err)? {
                    let Err(slot) = part else { continue };
                    let list = match slot.list {
                        Some(l) => {
                            bound.insert(slot.var, l);
                            l
                        }
                        None => bound.get(slot.var).copied().ok_or_else(|| {
                            err(format!("{{{}}} is used before it is bound in {template:?}", slot.var))
                        })?,
                    };
                    let items =
                        t.lists.get(list).ok_or_else(|| err(format!("no list [lists].{list} (in {template:?})")))?;
                    if items.is_empty() {
                        return Err(err(format!("[lists].{list} is empty")));
                    }
                    if let Some(item) = items.iter().find(|i| i.form(slot.form).is_none()) {
                        return Err(err(format!(
                            "an item of [lists].{list} ({item:?}) has no form {:?}, which {template:?} asks for",
                            slot.form.unwrap_or("nom")
                        )));
                    }
                }
            }
        }
        Ok(t)
    }

    /// Fills one template.
    fn fill(&self, template: &str, rng: &mut Rng) -> String {
        let mut out = String::with_capacity(template.len() + 64);
        let mut bound: Vec<(&str, &str, usize)> = Vec::new();
        let parts = parse_template(template).expect("templates are checked when parsed");
        for part in parts {
            match part {
                Ok(text) => out.push_str(text),
                Err(slot) => {
                    let (list, index) = match slot.list {
                        Some(list) => {
                            let n = self.lists[list].len();
                            let taken: Vec<usize> =
                                bound.iter().filter(|b| b.1 == list && b.0 != slot.var).map(|b| b.2).collect();
                            let mut i = rng.below(n);
                            // Different variables over one list get different items when it has enough.
                            for _ in 0..n {
                                if !taken.contains(&i) {
                                    break;
                                }
                                i = (i + 1) % n;
                            }
                            bound.retain(|b| b.0 != slot.var);
                            bound.push((slot.var, list, i));
                            (list, i)
                        }
                        None => {
                            let b = bound.iter().find(|b| b.0 == slot.var).expect("checked when parsed");
                            (b.1, b.2)
                        }
                    };
                    out.push_str(self.lists[list][index].form(slot.form).expect("checked when parsed"));
                }
            }
        }
        capitalise_first(&mut out);
        out
    }
}

fn capitalise_first(s: &mut String) {
    if let Some(c) = s.chars().next().filter(|c| c.is_lowercase()) {
        let upper: String = c.to_uppercase().collect();
        s.replace_range(..c.len_utf8(), &upper);
    }
}

/// The bundled template files, parsed (the tests check that they all parse).
pub fn bundled() -> Result<Vec<Templates>, TemplateError> {
    crate::bundled::GENERATOR_TEMPLATES.iter().map(|(file, text)| Templates::parse(file, text)).collect()
}

/// One generated article, in the shape `armsgraph` reads from JSON Lines.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct GeneratedArticle {
    pub id: String,
    pub lang: String,
    pub published: String,
    pub title: String,
    pub url: String,
    pub text: String,
}

/// Share of sentences that report a transfer.
const ARMS_SHARE: f64 = 0.2;

/// Article `index` of the corpus of `seed`, in one of `languages` (chosen by the generator).
pub fn article(languages: &[Templates], seed: u64, index: u64) -> GeneratedArticle {
    let mut rng = Rng::new(seed ^ index.wrapping_mul(0xa076_1d64_78bd_642f));
    rng.next_u64();
    let t = &languages[rng.below(languages.len())];
    let title = t.fill(&t.article.titles[rng.below(t.article.titles.len())], &mut rng);
    let mut text = String::with_capacity(4096);
    text.push_str(&title);
    text.push_str("\n\n");
    let paragraphs = rng.between(4, 9);
    for p in 0..paragraphs {
        if p > 0 {
            text.push_str("\n\n");
        }
        for s in 0..rng.between(2, 6) {
            if s > 0 {
                text.push(' ');
            }
            let group = if rng.chance(ARMS_SHARE) { &t.article.arms } else { &t.article.news };
            text.push_str(&t.fill(&group[rng.below(group.len())], &mut rng));
        }
    }
    text.push('\n');
    let year = rng.between(2022, 2026);
    let month = rng.between(1, if year == 2026 { 10 } else { 12 });
    let day = rng.between(1, 28);
    let id = format!("gen-{seed}-{index:07}");
    GeneratedArticle {
        url: format!("https://example.org/{}/{year}/{month:02}/{id}", t.lang),
        id,
        lang: t.lang.clone(),
        published: format!("{year:04}-{month:02}-{day:02}"),
        title,
        text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_article_and_prefix_stable() {
        let langs = bundled().unwrap();
        assert_eq!(article(&langs, 7, 3), article(&langs, 7, 3));
        assert_ne!(article(&langs, 7, 3).text, article(&langs, 8, 3).text);
        assert_ne!(article(&langs, 7, 3).text, article(&langs, 7, 4).text);
    }

    #[test]
    fn slots_bind_repeat_and_differ() {
        let file = r#"
lang = "xx"
[lists]
c = [{ nom = "A", gen = "of A" }, { nom = "B", gen = "of B" }]
[article]
titles = ["{x:c} then {x.gen}"]
news = ["{x:c} and {y:c}"]
arms = ["{x:c}"]
"#;
        let t = Templates::parse("xx.toml", file).unwrap();
        let mut rng = Rng::new(1);
        for _ in 0..20 {
            let s = t.fill("{x:c} then {x.gen}", &mut rng);
            assert!(s == "A then of A" || s == "B then of B", "{s}");
            let s = t.fill("{x:c} and {y:c}", &mut rng);
            assert!(s == "A and B" || s == "B and A", "{s}");
        }
    }

    #[test]
    fn missing_forms_and_lists_are_named() {
        let base = "lang = \"xx\"\n[lists]\nc = [{ nom = \"A\" }]\n[article]\ntitles = [\"t\"]\nnews = [\"n\"]\n";
        let e = Templates::parse("xx.toml", &format!("{base}arms = [\"{{x:c.gen}}\"]\n")).unwrap_err();
        assert!(e.to_string().starts_with("xx.toml: an item of [lists].c"), "{e}");
        let e = Templates::parse("xx.toml", &format!("{base}arms = [\"{{x:d}}\"]\n")).unwrap_err();
        assert!(e.to_string().contains("no list [lists].d"), "{e}");
        let e = Templates::parse("xx.toml", &format!("{base}arms = [\"{{y}}\"]\n")).unwrap_err();
        assert!(e.to_string().contains("used before it is bound"), "{e}");
        let e = Templates::parse("xx.toml", &format!("{base}arms = [\"{{x:c\"]\n")).unwrap_err();
        assert!(e.to_string().contains("unclosed"), "{e}");
    }

    #[test]
    fn rng_is_uniform_enough() {
        let mut rng = Rng::new(42);
        let mut counts = [0usize; 10];
        for _ in 0..100_000 {
            counts[rng.below(10)] += 1;
        }
        assert!(counts.iter().all(|&c| (9_000..11_000).contains(&c)), "{counts:?}");
    }
}
