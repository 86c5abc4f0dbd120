//! The data folders and the code agree: every lexicon folder and query file is bundled and
//! valid, the ontology defines every term the code writes, and any text in any language is
//! extracted without a panic, with spans on character boundaries, deterministically.

use std::collections::BTreeSet;
use std::path::Path;

use armsgraph::document::Document;
use armsgraph::lexicon::Lexicon;
use armsgraph::pipeline::{analyse, to_quads};
use armsgraph::vocab::{Category, Kind, Modality, AG, AGC, AGM, SKOS};
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{Literal, NamedNode, Quad, Term};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every `ontology/*.ttl` (the vocabulary and labels in more languages), as the scorer loads
/// it; and the bundled copy must hold the same.
fn ontology() -> Vec<Quad> {
    let mut quads = Vec::new();
    for entry in std::fs::read_dir(root().join("ontology")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "ttl") {
            let text = std::fs::read_to_string(&path).unwrap();
            let parsed: Vec<Quad> = RdfParser::from_format(RdfFormat::Turtle)
                .for_slice(text.as_bytes())
                .collect::<Result<_, _>>()
                .unwrap_or_else(|e| panic!("{} does not parse: {e}", path.display()));
            quads.extend(parsed);
        }
    }
    let bundled: Vec<Quad> = RdfParser::from_format(RdfFormat::Turtle)
        .for_slice(armsgraph::bundled::ONTOLOGY.as_bytes())
        .collect::<Result<_, _>>()
        .expect("the bundled ontology parses");
    assert_eq!(bundled.len(), quads.len(), "every ontology/*.ttl is bundled");
    quads
}

#[test]
fn every_data_file_is_bundled_and_valid() {
    let mut on_disk: Vec<String> = std::fs::read_dir(root().join("lexicon"))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let bundled: Vec<String> = armsgraph::bundled::LANGUAGES.iter().map(|(c, _)| c.to_string()).collect();
    assert_eq!(on_disk, bundled);
    let lexicon = Lexicon::bundled().expect("the bundled lexicon is valid");
    assert_eq!(
        Lexicon::load_dir(&root().join("lexicon")).expect("the lexicon folder loads").entities.len(),
        lexicon.entities.len()
    );
    for lang in lexicon.languages() {
        assert!(lang.detect.len() >= 30, "{}: too few detection words", lang.code);
        assert!(lang.matcher.len() >= 100, "{}: only {} entries", lang.code, lang.matcher.len());
    }
    let queries: BTreeSet<String> = std::fs::read_dir(root().join("queries"))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "rq"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    let catalogue = armsgraph::query::catalogue().expect("every query has a valid header and parses");
    assert_eq!(queries, catalogue.iter().map(|q| q.name.clone()).collect());
    for name in ["exchanged-for", "flows", "evidence", "actor"] {
        assert!(queries.contains(name), "missing query {name}");
    }
}

#[test]
fn invalid_lexicon_data_names_file_and_line() {
    let dir = std::env::temp_dir().join(format!("armsgraph-badlex-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("xx")).unwrap();
    std::fs::write(dir.join("entities.toml"), "[[entity]]\nid = \"a\"\nkind = \"state\"\nlabel = \"A\"\n").unwrap();
    std::fs::write(
        dir.join("xx/lang.toml"),
        "code = \"xx\"\nname = \"X\"\n\n[cues]\nsupply = [\"gives\"]\nwhisper = [\"psst\"]\n",
    )
    .unwrap();
    let err = Lexicon::load_dir(&dir).err().expect("an unknown cue kind is an error").to_string();
    assert!(err.contains("xx/lang.toml:6") && err.contains("whisper"), "{err}");
    std::fs::write(dir.join("xx/lang.toml"), "code = \"xx\"\nname = \"X\"\n").unwrap();
    std::fs::write(dir.join("xx/entities.toml"), "[names]\nnowhere = [\"Nowhere\"]\n").unwrap();
    let err = Lexicon::load_dir(&dir).err().expect("an unknown entity id is an error").to_string();
    assert!(err.contains("xx/entities.toml:2") && err.contains("nowhere"), "{err}");
    std::fs::write(dir.join("xx/entities.toml"), "[names]\na = [\"Ay\"]\n").unwrap();
    let lexicon = Lexicon::load_dir(&dir).expect("a seventh language needs no code");
    assert!(lexicon.language("xx").is_some());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn ontology_defines_every_term_the_code_writes() {
    let quads = ontology();
    let subjects: BTreeSet<String> = quads.iter().map(|q| q.subject.to_string()).collect();
    let has = |iri: &str| subjects.contains(&format!("<{iri}>"));
    for t in armsgraph::vocab::AG_TERMS {
        assert!(has(&format!("{AG}{t}")), "ontology lacks ag:{t}");
    }
    for k in Kind::ALL {
        assert!(has(&format!("{AG}{}", k.class())), "ontology lacks ag:{}", k.class());
    }
    let lexicon = Lexicon::bundled().unwrap();
    let langs: Vec<String> = lexicon.languages().iter().map(|l| l.code.clone()).collect();
    let labels = |node: &str| -> BTreeSet<String> {
        quads
            .iter()
            .filter(|q| q.subject.to_string() == format!("<{node}>"))
            .filter(|q| {
                q.predicate.as_str() == format!("{SKOS}prefLabel") || q.predicate.as_str() == format!("{SKOS}altLabel")
            })
            .filter_map(|q| match &q.object {
                Term::Literal(l) => l.language().map(str::to_string),
                _ => None,
            })
            .collect()
    };
    let notation = |node: &str| {
        quads.iter().any(|q| {
            q.subject.to_string() == format!("<{node}>")
                && q.predicate.as_str() == format!("{SKOS}notation")
                && q.object == Term::from(Literal::new_simple_literal(node.rsplit('/').next().unwrap()))
        })
    };
    for c in Category::ALL {
        let node = format!("{AGC}{}", c.notation());
        assert!(notation(&node), "ontology lacks the notation of {c}");
        let l = labels(&node);
        for code in &langs {
            assert!(l.contains(code), "category {c} has no {code} label");
        }
        if let Some(b) = c.broader() {
            let broader = Quad::new(
                NamedNode::new(&node).unwrap(),
                NamedNode::new(format!("{SKOS}broader")).unwrap(),
                NamedNode::new(b.iri()).unwrap(),
                oxigraph::model::GraphName::DefaultGraph,
            );
            assert!(quads.contains(&broader), "{c} should be narrower than {b}");
        }
    }
    for m in Modality::ALL {
        let node = format!("{AGM}{}", m.notation());
        assert!(notation(&node), "ontology lacks the notation of {m}");
        for code in &langs {
            assert!(labels(&node).contains(code), "modality {m} has no {code} label");
        }
    }
}

/// A small deterministic generator of awkward text (no external crates).
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn text(&mut self, len: usize) -> String {
        const PIECES: &[&str] = &[
            "Korea Północna",
            "Rosji",
            "dostarcza",
            "pociski",
            "kal.",
            "152 mm",
            "w zamian",
            " ",
            ".",
            "\n",
            "Nordkorea",
            "liefert",
            "an",
            "Russland",
            "según",
            "Ş",
            "ţ",
            "İ",
            "—",
            "\u{a0}",
            "\u{200b}",
            "🇺🇦",
            "e\u{301}",
            "Ⅻ",
            "ß",
            "ǅ",
            "ΐ",
            "Su-35",
            "10 000",
            "Phenianul",
            "în schimbul",
            "according to",
            "North Korea",
            "shells",
            "Russia",
            "\"",
            "„",
            "?",
            "!",
            "…",
            "KN-23",
            "\r\n",
            "ﬃ",
            "ẞ",
            "Ꙭ",
            "ℌ",
            "𝔄",
            "\u{fffd}",
            "x",
            "1,5",
            "mln",
        ];
        (0..len)
            .map(|_| PIECES[(self.next() % PIECES.len() as u64) as usize])
            .collect::<Vec<_>>()
            .join(if self.next() % 3 == 0 { "" } else { " " })
    }
}

#[test]
fn any_text_in_any_language_extracts_safely_and_deterministically() {
    let lexicon = Lexicon::bundled().unwrap();
    let mut noise = Noise(0x5eed_1234_abcd_0001);
    let mut codes: Vec<Option<String>> = lexicon.languages().iter().map(|l| Some(l.code.clone())).collect();
    codes.push(None);
    for round in 0..60 {
        let text = noise.text(5 + round * 3);
        for code in &codes {
            let doc = Document { lang: code.clone(), ..Document::from_text(text.clone()) };
            let a = analyse(&lexicon, doc.clone());
            for s in &a.extraction.sentences {
                assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end), "{text:?}");
            }
            for m in &a.extraction.mentions {
                assert!(
                    text.is_char_boundary(m.span.start)
                        && text.is_char_boundary(m.span.end)
                        && m.span.start < m.span.end,
                    "{text:?}"
                );
            }
            let again = analyse(&lexicon, doc);
            assert_eq!(to_quads(&lexicon, &a), to_quads(&lexicon, &again), "not deterministic on {text:?}");
        }
    }
}
