//! The store (I/O edge): an on-disk Oxigraph (RocksDB) store where each document's statements
//! live in the named graph of the document's IRI.
//!
//! Invariants: a document is written in one transaction that first clears its graph, so it is
//! either wholly in the store or not at all, and re-ingesting it replaces exactly its own
//! statements. The ontology and the gazetteer live in their own graphs, reloaded only when the
//! bundled data changed (a hash recorded in the store says which version is there). The
//! summary graph is derived from the document graphs: each write marks what it changes, and
//! `refresh_summary` recomputes the marked flows and sources (`summary.rs`).

use std::path::{Path, PathBuf};

use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{GraphName, GraphNameRef, Literal, NamedNode, NamedOrBlankNode, Quad};
use oxigraph::store::{StorageError, Store};

use crate::document::fnv1a;
use crate::lexicon::Lexicon;
use crate::summary;
use crate::vocab::{AG, GAZETTEER_GRAPH, ONTOLOGY_GRAPH, PENDING_GRAPH, SUMMARY_GRAPH};

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    #[error("the store {path} is in use by another process (only one process may open it at a time); wait for it to finish or use another --store")]
    Locked { path: PathBuf },
    #[error("cannot open the store {path}: {source}")]
    Open { path: PathBuf, source: StorageError },
    #[error("store error: {0}")]
    Storage(#[from] StorageError),
    #[error("the bundled ontology does not parse: {0}")]
    Ontology(String),
}

/// The bulk loader's memory target for one batch of documents (RocksDB's own use comes on top).
const BULK_LOAD_MEMORY_MB: usize = 100;

pub struct GraphStore {
    pub store: Store,
}

/// Where the store lives when neither `--store` nor `ARMSGRAPH_STORE` says.
pub fn default_path() -> PathBuf {
    if let Some(d) = std::env::var_os("XDG_DATA_HOME").filter(|d| !d.is_empty()) {
        return PathBuf::from(d).join("armsgraph").join("store");
    }
    if let Some(h) = std::env::var_os("HOME").filter(|d| !d.is_empty()) {
        return PathBuf::from(h).join(".local/share/armsgraph/store");
    }
    PathBuf::from("armsgraph-store")
}

impl GraphStore {
    /// Opens (creating if needed) the on-disk store at `path`.
    pub fn open(path: &Path) -> Result<GraphStore, StoreError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| StoreError::Open { path: path.into(), source: e.into() })?;
        }
        match Store::open(path) {
            Ok(store) => Ok(GraphStore { store }),
            Err(e) => {
                let text = e.to_string().to_lowercase();
                if text.contains("lock") {
                    Err(StoreError::Locked { path: path.into() })
                } else {
                    Err(StoreError::Open { path: path.into(), source: e })
                }
            }
        }
    }

    /// A store in memory (the demo, tests).
    pub fn in_memory() -> Result<GraphStore, StoreError> {
        Ok(GraphStore { store: Store::new()? })
    }

    /// Loads the ontology and the gazetteer into their graphs unless this version is there.
    /// Returns true when it (re)loaded them.
    pub fn ensure_vocabulary(&self, lexicon: &Lexicon) -> Result<bool, StoreError> {
        let gazetteer = crate::graph::gazetteer_quads(lexicon);
        let mut hash_input = crate::bundled::ONTOLOGY.as_bytes().to_vec();
        for q in &gazetteer {
            hash_input.extend_from_slice(q.to_string().as_bytes());
        }
        let version = format!("{:016x}", fnv1a(&hash_input));
        let graph = NamedNode::new_unchecked(ONTOLOGY_GRAPH);
        let marker = Quad::new(
            graph.clone(),
            NamedNode::new_unchecked(format!("{AG}dataVersion")),
            Literal::new_simple_literal(&version),
            graph.clone(),
        );
        if self.store.contains(&marker)? {
            return Ok(false);
        }
        let ontology: Vec<Quad> = RdfParser::from_format(RdfFormat::Turtle)
            .with_default_graph(graph.clone())
            .for_slice(crate::bundled::ONTOLOGY.as_bytes())
            .collect::<Result<_, _>>()
            .map_err(|e| StoreError::Ontology(e.to_string()))?;
        let mut t = self.store.start_transaction()?;
        t.clear_graph(GraphNameRef::NamedNode(graph.as_ref()))?;
        t.clear_graph(GraphNameRef::NamedNode(NamedNode::new_unchecked(GAZETTEER_GRAPH).as_ref()))?;
        for q in ontology.iter().chain(&gazetteer).chain([&marker]) {
            t.insert(q);
        }
        t.commit()?;
        Ok(true)
    }

    /// Replaces the graphs of these documents, all in one transaction, which also marks for the
    /// summary the flows and sources that the old and the new graphs state.
    pub fn replace_documents(&self, docs: &[(NamedNode, Vec<Quad>)]) -> Result<(), StoreError> {
        self.replace_marking(docs).map(|_| ())
    }

    /// [`GraphStore::replace_documents`], returning the marks it wrote.
    fn replace_marking(&self, docs: &[(NamedNode, Vec<Quad>)]) -> Result<Vec<Quad>, StoreError> {
        let mut marks = summary::marks(docs.iter().flat_map(|(_, quads)| quads.iter().map(Quad::as_ref)));
        for (graph, _) in docs {
            marks.extend(summary::marks_of_graph(&self.store, graph.as_ref())?);
        }
        let mut t = self.store.start_transaction()?;
        for (graph, quads) in docs {
            t.clear_graph(GraphNameRef::NamedNode(graph.as_ref()))?;
            for q in quads {
                debug_assert_eq!(q.graph_name, GraphName::NamedNode(graph.clone()));
                t.insert(q);
            }
        }
        for m in &marks {
            t.insert(m);
        }
        t.commit()?;
        Ok(marks)
    }

    /// Writes the graphs of these documents, atomically, with the summary marks of what they
    /// state (those the run has not written before), and adds them to the run's `tally` (see
    /// `summary.rs`). When every document is new
    /// to the store (and none repeats), they go in through the bulk loader: sorted files are
    /// built aside and added to the store in one step, several times faster than a transaction.
    /// Otherwise the batch is one transaction that replaces the graphs of the documents already
    /// there, and what it touches is left to the summary's refresh.
    pub fn write_documents(
        &self,
        docs: Vec<(NamedNode, Vec<Quad>)>,
        tally: &mut summary::Tally,
    ) -> Result<(), StoreError> {
        let mut seen = std::collections::HashSet::with_capacity(docs.len());
        let mut fresh = true;
        for (graph, _) in &docs {
            if !seen.insert(graph.as_str()) || self.store.contains_named_graph(graph)? {
                fresh = false;
                break;
            }
        }
        if !fresh {
            let marks = self.replace_marking(&docs)?;
            tally.exclude(&marks);
            return Ok(());
        }
        let marks =
            tally.unwritten_marks(summary::marks(docs.iter().flat_map(|(_, quads)| quads.iter().map(Quad::as_ref))));
        // Tallied first (the tally is dropped, unused, if the write fails).
        for (_, quads) in &docs {
            tally.add(quads);
        }
        let mut loader =
            self.store.bulk_loader().with_num_threads(2).with_max_memory_size_in_megabytes(BULK_LOAD_MEMORY_MB);
        loader.load_quads(docs.into_iter().flat_map(|(_, quads)| quads).chain(marks))?;
        loader.commit()?;
        Ok(())
    }

    /// Brings the summary up to date after a run of [`GraphStore::write_documents`]: adds what
    /// its new documents tallied, then recomputes what its replacing writes marked. Returns how
    /// many flows and sources it updated.
    pub fn finish_summary(&self, tally: summary::Tally) -> Result<usize, StoreError> {
        Ok(summary::finish(&self.store, tally)?)
    }

    /// Brings the summary up to date with the document graphs (see `summary.rs`); returns how
    /// many flows and sources it recomputed.
    pub fn refresh_summary(&self) -> Result<usize, StoreError> {
        Ok(summary::refresh(&self.store)?)
    }

    /// Recomputes the whole summary from the document graphs, for a store whose graphs were
    /// written by other means than these methods.
    pub fn rebuild_summary(&self) -> Result<usize, StoreError> {
        Ok(summary::rebuild(&self.store)?)
    }

    /// Number of quads in the store.
    pub fn len(&self) -> Result<usize, StoreError> {
        Ok(self.store.len()?)
    }

    pub fn is_empty(&self) -> Result<bool, StoreError> {
        Ok(self.store.is_empty()?)
    }

    /// Number of documents (named graphs other than the vocabulary's and the summary's).
    pub fn document_count(&self) -> Result<usize, StoreError> {
        let mut n = 0;
        for g in self.store.named_graphs() {
            let g = g?;
            let vocabulary = [ONTOLOGY_GRAPH, GAZETTEER_GRAPH, SUMMARY_GRAPH, PENDING_GRAPH]
                .iter()
                .any(|v| matches!(&g, NamedOrBlankNode::NamedNode(n) if n.as_str() == *v));
            if !vocabulary {
                n += 1;
            }
        }
        Ok(n)
    }

    pub fn flush(&self) -> Result<(), StoreError> {
        Ok(self.store.flush()?)
    }
}
