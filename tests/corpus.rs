//! Golden corpus: every `tests/corpus/<lang>-<phenomenon>/` case is extracted and checked two
//! ways, with one report of every failing case:
//!
//! - against `expect.toml`, what a careful reader takes from the text (flows with modality,
//!   source, quantity; exchanges; flows that must be absent). A case whose `meta.toml` has
//!   `xfail = "why"` is a known gap: it must still fail, so that a fix is noticed.
//! - against `expected.nq`, the whole graph, compared as datasets (sophia's isomorphism).
//!   `ARMSGRAPH_BLESS=1 cargo test --release --test corpus` rewrites these files.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use armsgraph::document::Document;
use armsgraph::export::{write_quads, ExportFormat};
use armsgraph::flows::Extraction;
use armsgraph::lexicon::Lexicon;
use armsgraph::pipeline::{analyse, analyse_explained, to_quads};
use armsgraph::vocab::Category;
use serde::Deserialize;
use sophia::api::prelude::*;
use sophia::inmem::dataset::LightDataset;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Meta {
    lang: String,
    published: Option<String>,
    xfail: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Expect {
    #[serde(default)]
    flow: Vec<ExpectFlow>,
    #[serde(default)]
    exchange: Vec<ExpectExchange>,
    #[serde(default)]
    absent: Vec<ExpectFlow>,
}

#[derive(Deserialize)]
struct ExpectFlow {
    supplier: String,
    recipient: String,
    category: String,
    modality: Option<String>,
    source: Option<String>,
    quantity: Option<f64>,
    date: Option<String>,
    via: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct ExpectExchange {
    gives: [String; 3],
    returns: [String; 3],
}

fn cases() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut dirs: Vec<PathBuf> =
        fs::read_dir(&root).unwrap().filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_dir()).collect();
    dirs.sort();
    dirs
}

/// (supplier id, recipient id, category) -> (strongest modality, sources, quantities, dates,
/// route places)
type Flows = BTreeMap<(String, String, String), (String, Vec<String>, Vec<f64>, Vec<String>, Vec<String>)>;

fn flows(lexicon: &Lexicon, ex: &Extraction) -> Flows {
    let mut out: Flows = BTreeMap::new();
    for a in &ex.attestations {
        let key = (
            lexicon.entity(a.flow.supplier).id.clone(),
            lexicon.entity(a.flow.recipient).id.clone(),
            a.flow.category.notation().to_string(),
        );
        let e = out
            .entry(key)
            .or_insert_with(|| (a.modality.notation().to_string(), Vec::new(), Vec::new(), Vec::new(), Vec::new()));
        let current: armsgraph::vocab::Modality = e.0.parse().unwrap();
        if a.modality.rank() > current.rank() {
            e.0 = a.modality.notation().to_string();
        }
        e.1.extend(a.source.map(|s| match s {
            armsgraph::flows::Source::Known(e) => lexicon.entity(e).id.clone(),
            armsgraph::flows::Source::Found(i) => format!("found:{}", ex.found[i]),
        }));
        e.2.extend(a.quantity.as_ref().map(|q| q.value));
        e.3.extend(a.date.clone());
        e.4.extend(a.via.iter().map(|&v| lexicon.entity(v).id.clone()));
    }
    out
}

fn check_expectations(lexicon: &Lexicon, ex: &Extraction, expect: &Expect) -> Vec<String> {
    let got = flows(lexicon, ex);
    let mut problems = Vec::new();
    let shown = || got.iter().map(|((s, r, c), (m, ..))| format!("{s}->{r}:{c}({m})")).collect::<Vec<_>>().join(", ");
    for f in &expect.flow {
        let key = (f.supplier.clone(), f.recipient.clone(), f.category.clone());
        match got.get(&key) {
            None => {
                problems.push(format!("missing flow {}->{}:{} (got: {})", f.supplier, f.recipient, f.category, shown()))
            }
            Some((m, sources, quantities, dates, via)) => {
                for want in f.via.iter().flatten() {
                    if !via.contains(want) {
                        problems.push(format!(
                            "flow {}->{}:{}: route {via:?}, expected {want}",
                            f.supplier, f.recipient, f.category
                        ));
                    }
                }
                if let Some(want) = &f.date {
                    if !dates.contains(want) {
                        problems.push(format!(
                            "flow {}->{}:{}: dates {dates:?}, expected {want}",
                            f.supplier, f.recipient, f.category
                        ));
                    }
                }
                if let Some(want) = &f.modality {
                    if want != m {
                        problems.push(format!(
                            "flow {}->{}:{}: modality {m}, expected {want}",
                            f.supplier, f.recipient, f.category
                        ));
                    }
                }
                if let Some(want) = &f.source {
                    if !sources.contains(want) {
                        problems.push(format!(
                            "flow {}->{}:{}: sources {sources:?}, expected {want}",
                            f.supplier, f.recipient, f.category
                        ));
                    }
                }
                if let Some(want) = f.quantity {
                    if !quantities.iter().any(|q| (q - want).abs() <= want.abs() * 0.01) {
                        problems.push(format!(
                            "flow {}->{}:{}: quantities {quantities:?}, expected {want}",
                            f.supplier, f.recipient, f.category
                        ));
                    }
                }
            }
        }
    }
    // Anything else extracted is spurious, except a broader category of an expected flow.
    for (s, r, c) in got.keys() {
        let expected = expect.flow.iter().any(|f| {
            &f.supplier == s && &f.recipient == r && {
                let (have, want): (Category, Category) = (c.parse().unwrap(), f.category.parse().unwrap());
                have.covers(want)
            }
        });
        if !expected {
            problems.push(format!("unexpected flow {s}->{r}:{c}"));
        }
    }
    for a in &expect.absent {
        if got.contains_key(&(a.supplier.clone(), a.recipient.clone(), a.category.clone())) {
            problems.push(format!("spurious flow {}->{}:{}", a.supplier, a.recipient, a.category));
        }
    }
    for x in &expect.exchange {
        let found = ex.exchanges.iter().any(|e| {
            let key = |k: armsgraph::flows::FlowKey| {
                [
                    lexicon.entity(k.supplier).id.clone(),
                    lexicon.entity(k.recipient).id.clone(),
                    k.category.notation().to_string(),
                ]
            };
            (key(e.gives) == x.gives && key(e.returns) == x.returns)
                || (key(e.gives) == x.returns && key(e.returns) == x.gives)
        });
        if !found {
            problems.push(format!("missing exchange {:?} for {:?}", x.gives, x.returns));
        }
    }
    problems
}

fn parse_nq(text: &str) -> LightDataset {
    sophia::turtle::parser::nq::parse_str(text).collect_quads().expect("valid N-Quads")
}

#[test]
fn golden_corpus() {
    let lexicon = Lexicon::bundled().unwrap();
    let bless = std::env::var_os("ARMSGRAPH_BLESS").is_some();
    let mut failures = Vec::new();
    let mut per_lang: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let all = cases();
    assert!(all.len() >= 12, "expected golden cases under tests/corpus, found {}", all.len());
    for dir in &all {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let meta: Meta = toml::from_str(&fs::read_to_string(dir.join("meta.toml")).unwrap())
            .unwrap_or_else(|e| panic!("{name}/meta.toml: {e}"));
        let expect: Expect = toml::from_str(&fs::read_to_string(dir.join("expect.toml")).unwrap())
            .unwrap_or_else(|e| panic!("{name}/expect.toml: {e}"));
        assert!(!expect.flow.is_empty() || !expect.absent.is_empty(), "{name}: expect.toml states nothing");
        let text = fs::read_to_string(dir.join("input.txt")).unwrap();
        let doc = Document {
            id: Some(name.clone()),
            lang: Some(meta.lang.clone()),
            published: meta.published.clone(),
            origin: name.clone(),
            ..Document::from_text(text)
        };
        let explained = analyse_explained(&lexicon, doc.clone());
        let analysis = analyse(&lexicon, doc);
        // Explaining the decisions must not change them, and must explain something.
        if to_quads(&lexicon, &explained) != to_quads(&lexicon, &analysis) {
            failures.push(format!("{name}: the graph differs when the rules explain themselves"));
        }
        if explained.extraction.explain.is_empty() || !analysis.extraction.explain.is_empty() {
            failures.push(format!("{name}: explanations written when not asked for, or missing when asked"));
        }
        let problems = check_expectations(&lexicon, &analysis.extraction, &expect);
        let entry = per_lang.entry(meta.lang.clone()).or_default();
        entry.1 += 1;
        match (&meta.xfail, problems.is_empty()) {
            (None, true) => entry.0 += 1,
            (None, false) => failures.push(format!("{name}: {}", problems.join("; "))),
            (Some(_), true) => failures.push(format!("{name}: passes now; remove its xfail")),
            (Some(_), false) => {}
        }
        let mut nq = Vec::new();
        write_quads(to_quads(&lexicon, &analysis).iter(), ExportFormat::Nq, &mut nq).unwrap();
        let nq = String::from_utf8(nq).unwrap();
        let expected_path = dir.join("expected.nq");
        if bless {
            fs::write(&expected_path, &nq).unwrap();
        } else {
            match fs::read_to_string(&expected_path) {
                Err(_) => failures.push(format!("{name}: no expected.nq (run with ARMSGRAPH_BLESS=1 and review it)")),
                Ok(expected) => {
                    let same = sophia::isomorphism::isomorphic_datasets(&parse_nq(&expected), &parse_nq(&nq)).unwrap();
                    if !same {
                        failures.push(format!(
                            "{name}: graph differs from expected.nq (review, then bless with ARMSGRAPH_BLESS=1)"
                        ));
                    }
                }
            }
        }
    }
    for (lang, (ok, n)) in &per_lang {
        eprintln!("golden corpus {lang}: {ok}/{n} cases meet their expectations");
    }
    assert!(failures.is_empty(), "{} failing golden case(s):\n{}", failures.len(), failures.join("\n"));
}
