//! The on-disk store: ingest, close, reopen, count; re-ingest replaces; the vocabulary once.

use std::path::PathBuf;

use armsgraph::document::Document;
use armsgraph::graph::document_iri;
use armsgraph::lexicon::Lexicon;
use armsgraph::pipeline::{analyse, to_store_quads};
use armsgraph::store::GraphStore;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("armsgraph-store-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn docs() -> Vec<Document> {
    [
        ("one", "en", "Iran delivered Shahed-136 drones to Russia, Kyiv said."),
        ("two", "pl", "Korea Północna dostarczyła Rosji pociski artyleryjskie."),
        ("three", "it", "La Russia ha fornito petrolio alla Corea del Nord."),
    ]
    .into_iter()
    .map(|(id, lang, text)| Document { id: Some(id.into()), lang: Some(lang.into()), ..Document::from_text(text) })
    .collect()
}

fn ingest(store: &GraphStore, lexicon: &Lexicon, docs: &[Document]) {
    store.ensure_vocabulary(lexicon).unwrap();
    let graphs: Vec<_> = docs
        .iter()
        .map(|d| {
            let a = analyse(lexicon, d.clone());
            (document_iri(&d.key()), to_store_quads(lexicon, &a))
        })
        .collect();
    store.replace_documents(&graphs).unwrap();
}

#[test]
fn ingest_close_reopen_count_and_reingest() {
    let lexicon = Lexicon::bundled().unwrap();
    let path = scratch("reopen");
    let (count, vocabulary_only) = {
        let store = GraphStore::open(&path).unwrap();
        assert!(store.ensure_vocabulary(&lexicon).unwrap(), "a new store loads the vocabulary");
        let vocabulary_only = store.len().unwrap();
        ingest(&store, &lexicon, &docs());
        store.flush().unwrap();
        (store.len().unwrap(), vocabulary_only)
    };
    assert!(count > vocabulary_only + 60, "{count} quads after ingest, {vocabulary_only} before");
    let store = GraphStore::open(&path).unwrap();
    assert_eq!(store.len().unwrap(), count, "reopened store has the same quads");
    assert_eq!(store.document_count().unwrap(), 3);
    assert!(!store.ensure_vocabulary(&lexicon).unwrap(), "the vocabulary is loaded once");
    ingest(&store, &lexicon, &docs());
    assert_eq!(store.len().unwrap(), count, "ingesting the same corpus twice changes nothing");

    // Re-ingesting a changed document replaces exactly its own statements.
    let mut changed = docs();
    changed[2].text = "La Russia ha fornito grano alla Corea del Nord.".into();
    ingest(&store, &lexicon, &changed[2..]);
    let flows = |s: &GraphStore| -> Vec<String> {
        let q = "SELECT ?f WHERE { ?f a <https://w3id.org/armsgraph/ontology#Transfer> } ORDER BY ?f";
        let t = armsgraph::query::collect(armsgraph::query::run(&s.store, q, &[]).unwrap(), None).unwrap();
        t.rows.iter().map(|r| r.get("f").unwrap().to_string()).collect()
    };
    let now = flows(&store);
    assert!(now.iter().any(|f| f.ends_with("russia--north-korea--food>")), "{now:?}");
    assert!(!now.iter().any(|f| f.ends_with("russia--north-korea--fuel-energy>")), "{now:?}");
    assert!(now.iter().any(|f| f.ends_with("iran--russia--drones>")), "{now:?}");
    assert_eq!(store.document_count().unwrap(), 3);
    drop(store);
    let _ = std::fs::remove_dir_all(&path);
}

#[test]
fn flows_merge_across_documents() {
    let lexicon = Lexicon::bundled().unwrap();
    let store = GraphStore::in_memory().unwrap();
    let same_flow = [
        ("a", "en", "North Korea supplied artillery shells to Russia."),
        ("b", "de", "Nordkorea lieferte Artilleriegranaten an Russland."),
    ]
    .map(|(id, lang, text)| Document { id: Some(id.into()), lang: Some(lang.into()), ..Document::from_text(text) });
    ingest(&store, &lexicon, &same_flow);
    let q = "SELECT ?f (COUNT(DISTINCT ?a) AS ?n) WHERE { ?f a <https://w3id.org/armsgraph/ontology#Transfer> ; <https://w3id.org/armsgraph/ontology#attestedBy> ?a } GROUP BY ?f";
    let t = armsgraph::query::collect(armsgraph::query::run(&store.store, q, &[]).unwrap(), None).unwrap();
    assert_eq!(t.rows.len(), 1, "one flow node");
    assert_eq!(t.rows[0].get("n").unwrap().to_string(), "\"2\"^^<http://www.w3.org/2001/XMLSchema#integer>");
}
