//! The summary graph against the document graphs: on a generated corpus in every language,
//! written in batches (new documents through the bulk loader, then changed documents replacing
//! their graphs), each query that reads the summary answers exactly what the same question asked
//! of every document graph answers (`tests/reference/*.rq`, which scan them); the summary kept
//! up to date batch by batch equals one rebuilt from scratch; and marks left by an interrupted
//! run are completed by the next refresh.

use std::collections::BTreeSet;

use armsgraph::document::Document;
use armsgraph::generate;
use armsgraph::graph::document_iri;
use armsgraph::lexicon::Lexicon;
use armsgraph::pipeline::{analyse, to_store_quads};
use armsgraph::query::{self, PreparedQuery};
use armsgraph::store::GraphStore;
use armsgraph::summary;
use armsgraph::vocab::SUMMARY_GRAPH;
use oxigraph::model::{GraphNameRef, NamedNode, Quad};

/// Article `i` of seed 11, or with `changed`, the text of another article under the same id.
fn document(templates: &[generate::Templates], i: u64, changed: bool) -> Document {
    let a = generate::article(templates, 11, i);
    let text = if changed { generate::article(templates, 12, i).text } else { a.text };
    Document { id: Some(a.id), lang: None, published: Some(a.published), ..Document::from_text(text) }
}

fn graphs(lexicon: &Lexicon, docs: &[Document]) -> Vec<(NamedNode, Vec<Quad>)> {
    docs.iter().map(|d| (document_iri(&d.key()), to_store_quads(lexicon, &analyse(lexicon, d.clone())))).collect()
}

/// Every row of a query, each as sorted "column=value" cells; lists joined by ", " are compared
/// as sets, since their order is not part of the answer.
fn answer(store: &GraphStore, lexicon: &Lexicon, q: &PreparedQuery, params: &[(&str, &str)]) -> BTreeSet<Vec<String>> {
    let pairs: Vec<(String, String)> = params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let bindings = query::bind(&store.store, lexicon, q, &pairs).unwrap();
    let table = query::collect(query::run(&store.store, &q.text, &bindings).unwrap(), None).unwrap();
    table
        .rows
        .iter()
        .map(|r| {
            table
                .variables
                .iter()
                .map(|v| {
                    let cell = query::cell(r.get(v));
                    let mut parts: Vec<&str> = cell.split(", ").collect();
                    parts.sort_unstable();
                    format!("{}={}", v.as_str(), parts.join(", "))
                })
                .collect()
        })
        .collect()
}

fn summary_quads(store: &GraphStore) -> BTreeSet<String> {
    store
        .store
        .quads_for_pattern(
            None,
            None,
            None,
            Some(GraphNameRef::NamedNode(NamedNode::new_unchecked(SUMMARY_GRAPH).as_ref())),
        )
        .map(|q| q.unwrap().to_string())
        .collect()
}

fn setup() -> (Lexicon, Vec<generate::Templates>, GraphStore) {
    let lexicon = Lexicon::bundled().unwrap();
    let store = GraphStore::in_memory().unwrap();
    store.ensure_vocabulary(&lexicon).unwrap();
    (lexicon, generate::bundled().unwrap(), store)
}

#[test]
fn summary_queries_answer_what_a_scan_of_every_document_answers() {
    let (lexicon, templates, store) = setup();

    // Two batches of new documents, then a batch where a third of them change and some are new.
    let first: Vec<Document> = (0..120).map(|i| document(&templates, i, false)).collect();
    let second: Vec<Document> = (120..240).map(|i| document(&templates, i, false)).collect();
    let third: Vec<Document> = (0..240).step_by(3).chain(240..260).map(|i| document(&templates, i, i < 240)).collect();
    // A first run: new documents, tallied as they are written.
    let mut tally = summary::Tally::default();
    store.write_documents(graphs(&lexicon, &first), &mut tally).unwrap();
    store.write_documents(graphs(&lexicon, &second), &mut tally).unwrap();
    assert!(summary::is_stale(&store.store).unwrap(), "writes mark what they change");
    assert!(store.finish_summary(tally).unwrap() > 50);
    assert!(!summary::is_stale(&store.store).unwrap());
    // A second run adds to that summary: changed documents (recomputed from the store) and new
    // ones (tallied), in one batch and then in a batch of new ones alone.
    let mut tally = summary::Tally::default();
    store.write_documents(graphs(&lexicon, &third), &mut tally).unwrap();
    let fourth: Vec<Document> = (260..300).map(|i| document(&templates, i, false)).collect();
    store.write_documents(graphs(&lexicon, &fourth), &mut tally).unwrap();
    assert!(store.finish_summary(tally).unwrap() > 20);

    let cases: &[(&str, &[(&str, &str)])] = &[
        ("flows", &[]),
        ("flows", &[("category", "weapons-unspecified")]),
        ("flows", &[("supplier", "Russia")]),
        ("actor", &[("actor", "Russia")]),
        ("actor", &[("actor", "Iran")]),
        ("weapons", &[]),
        ("weapons", &[("recipient", "Russia")]),
        ("single-source", &[]),
        ("new-since", &[("since", "2024-06-01")]),
        ("sources", &[]),
        ("find-entity", &[("text", "korea")]),
        ("find-entity", &[("text", "ministry")]),
    ];
    for (name, params) in cases {
        let prepared = query::find(name).unwrap();
        let reference_text =
            std::fs::read_to_string(format!("{}/tests/reference/{name}.rq", env!("CARGO_MANIFEST_DIR"))).unwrap();
        let reference = PreparedQuery::parse(name, &reference_text).unwrap();
        let got = answer(&store, &lexicon, &prepared, params);
        let expected = answer(&store, &lexicon, &reference, params);
        assert!(!expected.is_empty(), "{name} {params:?}: the corpus gives the reference no rows");
        let extra: Vec<_> = got.difference(&expected).take(3).collect();
        let missing: Vec<_> = expected.difference(&got).take(3).collect();
        assert!(extra.is_empty() && missing.is_empty(), "{name} {params:?}: extra {extra:?}, missing {missing:?}");
    }

    // Kept up to date batch by batch, the summary is the one rebuilt from the documents alone.
    let incremental = summary_quads(&store);
    store.rebuild_summary().unwrap();
    assert_eq!(summary_quads(&store), incremental);
}

#[test]
fn an_interrupted_run_is_completed_by_the_next_refresh() {
    let (lexicon, templates, store) = setup();
    let docs: Vec<Document> = (0..60).map(|i| document(&templates, i, false)).collect();
    store.write_documents(graphs(&lexicon, &docs[..30]), &mut summary::Tally::default()).unwrap();
    store.refresh_summary().unwrap();
    // The run stops after writing two more batches, before finishing the summary. The second
    // batch states flows the first one marked, and writes no second mark for them.
    let mut tally = summary::Tally::default();
    store.write_documents(graphs(&lexicon, &docs[30..45]), &mut tally).unwrap();
    store.write_documents(graphs(&lexicon, &docs[45..]), &mut tally).unwrap();
    let behind = summary_quads(&store);
    assert!(summary::is_stale(&store.store).unwrap());
    assert!(store.refresh_summary().unwrap() > 0);
    let completed = summary_quads(&store);
    assert_ne!(completed, behind);
    store.rebuild_summary().unwrap();
    assert_eq!(summary_quads(&store), completed);
}

#[test]
fn a_flow_no_document_states_any_more_leaves_the_summary() {
    let lexicon = Lexicon::bundled().unwrap();
    let store = GraphStore::in_memory().unwrap();
    store.ensure_vocabulary(&lexicon).unwrap();
    let doc = |text: &str| Document { id: Some("only".into()), lang: Some("en".into()), ..Document::from_text(text) };
    let mut tally = summary::Tally::default();
    store
        .write_documents(graphs(&lexicon, &[doc("Iran delivered Shahed-136 drones to Russia, Kyiv said.")]), &mut tally)
        .unwrap();
    store.finish_summary(tally).unwrap();
    let flows = query::find("flows").unwrap();
    let before = answer(&store, &lexicon, &flows, &[]);
    assert_eq!(before.len(), 1, "{before:?}");
    let mut tally = summary::Tally::default();
    store
        .write_documents(graphs(&lexicon, &[doc("The weather in Tehran was mild for the season.")]), &mut tally)
        .unwrap();
    store.finish_summary(tally).unwrap();
    assert!(answer(&store, &lexicon, &flows, &[]).is_empty());
    assert!(summary_quads(&store).is_empty(), "{:?}", summary_quads(&store));
}
