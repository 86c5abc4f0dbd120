//! The summary graph (derived data, kept in the store): for each flow and each source, the counts
//! and extremes the ranking queries ask for, so that they read a few statements per flow instead
//! of every attestation in every document graph.
//!
//! For a flow: its supplier, recipient and category, its numbers of attestations and documents,
//! its strongest modality, its first date (the earlier of an attestation's stated date and its
//! document's publication date, least over the attestations) and, per named item, the number of
//! attestations in the documents that name the item on the flow (an `ag:itemTally`). For a
//! source: its numbers of flows, attestations and documents, the attestations per modality (an
//! `ag:modalityTally`), and for a name the gazetteer does not know, the labels and type the
//! documents give it.
//!
//! Invariants: every write of document graphs (`store.rs`) marks, in the same atomic step, the
//! flows and sources that the new graphs state and the replaced ones stated (the pending graph).
//! Two ways bring a marked resource up to date, and its mark is removed only once its summary
//! is written:
//! - a [`Tally`] of the documents a run adds (new to the store), merged at the end of the run
//!   into the summary as it was before the run: counts add up, the strongest modality and the
//!   first date are a maximum and a minimum, so nothing is read back from the document graphs;
//! - [`refresh`], which recomputes a resource from the document graphs alone: for what a
//!   replacing write touched (what the old graph said cannot be subtracted), and for marks an
//!   interrupted run left behind.
//!
//! After either, the summary is exactly what a scan of every document graph gives
//! (`tests/summary.rs` compares the two, and every query that reads the summary with a query
//! that scans the documents).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use oxigraph::model::{
    GraphName, GraphNameRef, Literal, NamedNode, NamedNodeRef, NamedOrBlankNode, NamedOrBlankNodeRef, Quad, QuadRef,
    Term, TermRef,
};
use oxigraph::store::{StorageError, Store};
use rayon::prelude::*;

use crate::vocab::{Modality, AG, GAZETTEER_GRAPH, PENDING_GRAPH, PROV, RDF, RDFS, SCHEMA, SUMMARY_GRAPH, XSD};

/// Resources recomputed per transaction.
const CHUNK: usize = 1000;
/// The bulk loader's memory target when it writes summaries (a chunk is a few MB).
const BULK_LOAD_MEMORY_MB: usize = 16;

/// The IRIs this module reads and writes, built once per call.
struct Terms {
    summary: NamedNode,
    pending: NamedNode,
    gazetteer: NamedNode,
    marked: NamedNode,
    yes: Literal,
    attested_by: NamedNode,
    according_to: NamedNode,
    derived_from: NamedNode,
    modality: NamedNode,
    date: NamedNode,
    published: NamedNode,
    supplier: NamedNode,
    recipient: NamedNode,
    category: NamedNode,
    item: NamedNode,
    label: NamedNode,
    rdf_type: NamedNode,
    attestations: NamedNode,
    documents: NamedNode,
    flows: NamedNode,
    strongest: NamedNode,
    first_date: NamedNode,
    item_tally: NamedNode,
    modality_tally: NamedNode,
    cited_source: NamedNode,
}

impl Terms {
    fn new() -> Terms {
        let n = |ns: &str, local: &str| NamedNode::new_unchecked(format!("{ns}{local}"));
        Terms {
            summary: NamedNode::new_unchecked(SUMMARY_GRAPH),
            pending: NamedNode::new_unchecked(PENDING_GRAPH),
            gazetteer: NamedNode::new_unchecked(GAZETTEER_GRAPH),
            marked: n(AG, "pendingSummary"),
            yes: Literal::new_typed_literal("true", n(XSD, "boolean")),
            attested_by: n(AG, "attestedBy"),
            according_to: n(AG, "accordingTo"),
            derived_from: n(PROV, "wasDerivedFrom"),
            modality: n(AG, "modality"),
            date: n(AG, "date"),
            published: n(SCHEMA, "datePublished"),
            supplier: n(AG, "supplier"),
            recipient: n(AG, "recipient"),
            category: n(AG, "category"),
            item: n(AG, "item"),
            label: n(RDFS, "label"),
            rdf_type: n(RDF, "type"),
            attestations: n(AG, "attestationCount"),
            documents: n(AG, "documentCount"),
            flows: n(AG, "flowCount"),
            strongest: n(AG, "strongestModality"),
            first_date: n(AG, "firstDate"),
            item_tally: n(AG, "itemTally"),
            modality_tally: n(AG, "modalityTally"),
            cited_source: n(AG, "citedSource"),
        }
    }

    fn pending_mark(&self, resource: NamedNode) -> Quad {
        Quad::new(resource, self.marked.clone(), self.yes.clone(), self.pending.clone())
    }

    fn in_summary(&self, s: NamedNode, p: &NamedNode, o: impl Into<Term>) -> Quad {
        Quad::new(s, p.clone(), o, self.summary.clone())
    }
}

/// The pending marks for these statements of documents: the flows they attest and the sources
/// they cite. Each resource is marked once.
pub fn marks<'a>(statements: impl IntoIterator<Item = QuadRef<'a>>) -> Vec<Quad> {
    let t = Terms::new();
    let mut seen: HashSet<NamedNode> = HashSet::new();
    for q in statements {
        let resource = if q.predicate == t.attested_by.as_ref() {
            match q.subject {
                NamedOrBlankNodeRef::NamedNode(n) => Some(n),
                _ => None,
            }
        } else if q.predicate == t.according_to.as_ref() {
            match q.object {
                TermRef::NamedNode(n) => Some(n),
                _ => None,
            }
        } else {
            None
        };
        if let Some(n) = resource {
            seen.insert(n.into_owned());
        }
    }
    let mut marked: Vec<NamedNode> = seen.into_iter().collect();
    marked.sort_unstable();
    marked.into_iter().map(|n| t.pending_mark(n)).collect()
}

/// The pending marks for what a document graph now in the store states (before it is replaced).
pub fn marks_of_graph(store: &Store, graph: NamedNodeRef<'_>) -> Result<Vec<Quad>, StorageError> {
    let t = Terms::new();
    let g = GraphNameRef::NamedNode(graph);
    let mut found = Vec::new();
    for p in [&t.attested_by, &t.according_to] {
        for q in store.quads_for_pattern(None, Some(p.as_ref()), None, Some(g)) {
            found.push(q?);
        }
    }
    Ok(marks(found.iter().map(Quad::as_ref)))
}

/// Whether any resource awaits its summary.
pub fn is_stale(store: &Store) -> Result<bool, StorageError> {
    let t = Terms::new();
    Ok(store.quads_for_pattern(None, None, None, Some(GraphNameRef::NamedNode(t.pending.as_ref()))).next().is_some())
}

/// Recomputes the summary of every marked resource and unmarks it, a chunk per transaction.
/// Returns how many resources it recomputed.
pub fn refresh(store: &Store) -> Result<usize, StorageError> {
    let t = Terms::new();
    let pending = GraphNameRef::NamedNode(t.pending.as_ref());
    let mut done = 0;
    loop {
        let mut chunk = Vec::with_capacity(CHUNK);
        for q in store.quads_for_pattern(None, Some(t.marked.as_ref()), None, Some(pending)).take(CHUNK) {
            chunk.push(q?);
        }
        if chunk.is_empty() {
            return Ok(done);
        }
        // Resources are read in parallel (reads do not block each other), written in one step.
        let recomputed: Vec<(Vec<Quad>, Vec<Quad>)> = chunk
            .par_iter()
            .filter_map(|mark| match mark.subject.as_ref() {
                NamedOrBlankNodeRef::NamedNode(resource) => Some(resource),
                _ => None,
            })
            .map(|resource| -> Result<_, StorageError> {
                let stale = summary_of(store, &t, resource)?;
                let mut fresh = summarize_flow(store, &t, resource)?.quads(&t, resource);
                fresh.extend(summarize_source(store, &t, resource)?.quads(&t, resource));
                Ok((stale, fresh))
            })
            .collect::<Result<_, _>>()?;
        let mut tx = store.start_transaction()?;
        for q in recomputed.iter().flat_map(|(stale, _)| stale).chain(&chunk) {
            tx.remove(q);
        }
        for q in recomputed.iter().flat_map(|(_, fresh)| fresh) {
            tx.insert(q);
        }
        tx.commit()?;
        done += chunk.len();
    }
}

/// Marks every flow and source stated in any document graph, then refreshes: for a store whose
/// document graphs were written without the marks (loaded by another tool).
pub fn rebuild(store: &Store) -> Result<usize, StorageError> {
    let t = Terms::new();
    let mut statements = Vec::new();
    for p in [&t.attested_by, &t.according_to] {
        for q in store.quads_for_pattern(None, Some(p.as_ref()), None, None) {
            let q = q?;
            if q.graph_name.is_named_node() {
                statements.push(q);
            }
        }
    }
    let marks = marks(statements.iter().map(Quad::as_ref));
    let mut tx = store.start_transaction()?;
    tx.clear_graph(GraphNameRef::NamedNode(t.summary.as_ref()))?;
    for m in &marks {
        tx.insert(m);
    }
    tx.commit()?;
    refresh(store)
}

/// Writes what a run's new documents add to the summary (`tally`), then refreshes what its
/// replacing writes marked. Marks are removed only once the summaries they ask for are written.
/// Returns how many flows and sources it brought up to date.
pub fn finish(store: &Store, tally: Tally) -> Result<usize, StorageError> {
    let t = &tally.terms;
    let summary_graph = GraphNameRef::NamedNode(t.summary.as_ref());
    let mut done = 0;
    // The resources that have a summary already, read in one pass over the summary graph (a
    // look-up per resource costs more on a large store).
    let mut summarized: HashSet<NamedNode> = HashSet::new();
    for q in store.quads_for_pattern(None, None, None, Some(summary_graph)) {
        if let NamedOrBlankNode::NamedNode(n) = q?.subject {
            summarized.insert(n);
        }
    }
    let stale_of = |resource: &NamedNode| -> Result<Vec<Quad>, StorageError> {
        if summarized.contains(resource) {
            summary_of(store, t, resource.as_ref())
        } else {
            Ok(Vec::new())
        }
    };
    // Flows. For the sources' flow counts, note which of the tallied (flow, source) pairs each
    // flow's summary had before this run.
    let mut counted: HashSet<(u32, NamedNode)> = HashSet::new();
    // The sources each flow's new attestations cite (kept per source while tallying).
    let mut cited: Vec<Vec<&NamedNode>> = vec![Vec::new(); tally.flows.len()];
    for (s, (_, flows)) in &tally.sources {
        for &id in flows {
            cited[id as usize].push(s);
        }
    }
    let flows: Vec<(u32, &(NamedNode, FlowSummary))> =
        (0u32..).zip(&tally.flows).filter(|(_, (f, _))| !tally.replaced.contains(f)).collect();
    for chunk in flows.chunks(CHUNK) {
        let updated: Vec<(&NamedNode, Vec<Quad>, Vec<Quad>)> = chunk
            .par_iter()
            .map(|(id, (f, add))| -> Result<_, StorageError> {
                let stale = stale_of(f)?;
                let mut summary = FlowSummary::parse(t, f.as_ref(), &stale);
                summary.merge(add);
                summary.sources.extend(cited[*id as usize].iter().map(|s| Term::NamedNode((*s).clone())));
                Ok((f, stale, summary.quads(t, f.as_ref())))
            })
            .collect::<Result<_, _>>()?;
        for ((id, _), (_, stale, _)) in chunk.iter().zip(&updated) {
            for q in stale.iter().filter(|q| q.predicate == t.cited_source) {
                if let Term::NamedNode(s) = &q.object {
                    if cited[*id as usize].contains(&s) {
                        counted.insert((*id, s.clone()));
                    }
                }
            }
        }
        done += write_summaries(store, updated)?;
    }
    // Sources: a flow adds to a source's count unless its summary cited the source before.
    let sources: Vec<(&NamedNode, &(SourceSummary, HashSet<u32>))> =
        tally.sources.iter().filter(|(s, _)| !tally.replaced.contains(*s)).collect();
    for chunk in sources.chunks(CHUNK) {
        let updated: Vec<(&NamedNode, Vec<Quad>, Vec<Quad>)> = chunk
            .par_iter()
            .map(|(s, (add, flows))| -> Result<_, StorageError> {
                let stale = stale_of(s)?;
                let mut summary = SourceSummary::parse(t, s.as_ref(), &stale);
                summary.merge(add);
                for &id in flows {
                    let flow = &tally.flows[id as usize].0;
                    let before = if tally.replaced.contains(flow) {
                        // Not rewritten yet: its summary is still the one before this run.
                        store.contains(QuadRef::new(flow, &t.cited_source, s.as_ref(), summary_graph))?
                    } else {
                        counted.contains(&(id, (*s).clone()))
                    };
                    if !before {
                        summary.flows += 1;
                    }
                }
                if in_gazetteer(store, t, s.as_ref())? {
                    summary.described.clear();
                }
                Ok((*s, stale, summary.quads(t, s.as_ref())))
            })
            .collect::<Result<_, _>>()?;
        done += write_summaries(store, updated)?;
    }
    // The marks: when the run replaced nothing, every mark is one of its own, and the pending
    // graph is cleared in one pass; otherwise each is removed, and `refresh` does the rest.
    let pending = GraphNameRef::NamedNode(t.pending.as_ref());
    let mut tx = store.start_transaction()?;
    if tally.replaced.is_empty() {
        tx.clear_graph(pending)?;
    } else {
        for resource in tally.flows.iter().map(|(f, _)| f).chain(tally.sources.keys()) {
            if !tally.replaced.contains(resource) {
                tx.remove(&t.pending_mark(resource.clone()));
            }
        }
    }
    tx.commit()?;
    Ok(done + refresh(store)?)
}

/// Replaces the summaries of these resources: the old ones are removed in one transaction, the
/// new ones added through the bulk loader (a transaction reads the store before each insert,
/// which dominates on a large store). Their marks stay until the caller removes them, so a stop
/// in between leaves them to the next refresh.
fn write_summaries(store: &Store, updated: Vec<(&NamedNode, Vec<Quad>, Vec<Quad>)>) -> Result<usize, StorageError> {
    if updated.iter().any(|(_, stale, _)| !stale.is_empty()) {
        let mut tx = store.start_transaction()?;
        for q in updated.iter().flat_map(|(_, stale, _)| stale) {
            tx.remove(q);
        }
        tx.commit()?;
    }
    let done = updated.len();
    let mut loader = store.bulk_loader().with_num_threads(1).with_max_memory_size_in_megabytes(BULK_LOAD_MEMORY_MB);
    loader.load_quads(updated.into_iter().flat_map(|(_, _, fresh)| fresh))?;
    loader.commit()?;
    Ok(done)
}

/// The summary statements of a resource now in the store, with those of its tallies.
fn summary_of(store: &Store, t: &Terms, resource: NamedNodeRef<'_>) -> Result<Vec<Quad>, StorageError> {
    let g = GraphNameRef::NamedNode(t.summary.as_ref());
    let mut found = Vec::new();
    for q in store.quads_for_pattern(Some(resource.into()), None, None, Some(g)) {
        let q = q?;
        if q.predicate == t.item_tally || q.predicate == t.modality_tally {
            if let Term::NamedNode(tally) = &q.object {
                for tq in store.quads_for_pattern(Some(tally.as_ref().into()), None, None, Some(g)) {
                    found.push(tq?);
                }
            }
        }
        found.push(q);
    }
    Ok(found)
}

/// One value of `p` on `s` in graph `g`.
fn value(store: &Store, s: NamedNodeRef<'_>, p: &NamedNode, g: GraphNameRef<'_>) -> Result<Option<Term>, StorageError> {
    store
        .quads_for_pattern(Some(s.into()), Some(p.as_ref()), None, Some(g))
        .next()
        .transpose()
        .map(|q| q.map(|q| q.object))
}

/// The first ten characters of a date's text: the key dates are compared by.
fn date_key(term: &Term) -> Option<String> {
    match term {
        Term::Literal(l) => Some(l.value().chars().take(10).collect()),
        _ => None,
    }
}

/// A date key as a literal typed by its precision.
fn date_literal(key: &str) -> Literal {
    let datatype = match key.len() {
        4 => "gYear",
        7 => "gYearMonth",
        10 => "date",
        _ => return Literal::new_simple_literal(key),
    };
    Literal::new_typed_literal(key, NamedNode::new_unchecked(format!("{XSD}{datatype}")))
}

fn count(n: u64) -> Literal {
    Literal::from(i64::try_from(n).unwrap_or(i64::MAX))
}

fn rank(modality: &Term) -> i32 {
    Modality::ALL
        .iter()
        .find(|m| matches!(modality, Term::NamedNode(n) if n.as_str() == m.iri()))
        .map_or(-1, |m| i32::from(m.rank()))
}

/// A tally's IRI: the counted resource's IRI, then what is tallied and the local name of the item.
fn tally_iri(of: NamedNodeRef<'_>, kind: &str, item: &Term) -> NamedNode {
    let local = match item {
        Term::NamedNode(n) => n.as_str().rsplit('/').next().unwrap_or_default().to_string(),
        other => crate::document::slug(&other.to_string()),
    };
    NamedNode::new_unchecked(format!("{}/{kind}/{local}", of.as_str()))
}

fn number(term: &Term) -> u64 {
    match term {
        Term::Literal(l) => l.value().parse().unwrap_or(0),
        _ => 0,
    }
}

/// Whether a statement is about this resource.
fn is_about(q: &Quad, resource: NamedNodeRef<'_>) -> bool {
    matches!(&q.subject, NamedOrBlankNode::NamedNode(n) if n.as_ref() == resource)
}

/// A tally among summary statements: what it counts (its `what` property) and how many.
fn read_tally(t: &Terms, quads: &[Quad], tally: &Term, what: &NamedNode) -> Option<(Term, u64)> {
    let Term::NamedNode(tally) = tally else { return None };
    let field = |p: &NamedNode| quads.iter().find(|q| is_about(q, tally.as_ref()) && q.predicate == *p);
    Some((field(what)?.object.clone(), number(&field(&t.attestations)?.object)))
}

/// What the summary says of one flow.
#[derive(Debug, Default, Clone, PartialEq)]
struct FlowSummary {
    /// Supplier, recipient and category, as (property, value).
    ends: Vec<(NamedNode, Term)>,
    attestations: u64,
    documents: u64,
    strongest: Option<Term>,
    /// The least date key (see `date_key`).
    first: Option<String>,
    /// Per named item, the attestations of the documents that name it on the flow.
    items: HashMap<Term, u64>,
    /// The sources its attestations cite.
    sources: HashSet<Term>,
}

impl FlowSummary {
    fn is_empty(&self) -> bool {
        self.attestations == 0
    }

    fn note_modality(&mut self, m: Term) {
        if self.strongest.as_ref().is_none_or(|s| rank(&m) > rank(s)) {
            self.strongest = Some(m);
        }
    }

    fn note_date(&mut self, key: String) {
        if self.first.as_ref().is_none_or(|f| key < *f) {
            self.first = Some(key);
        }
    }

    /// Adds what other documents say of the same flow (none of them counted here before).
    fn merge(&mut self, other: &FlowSummary) {
        if self.ends.is_empty() {
            self.ends = other.ends.clone();
        }
        self.attestations += other.attestations;
        self.documents += other.documents;
        if let Some(m) = &other.strongest {
            self.note_modality(m.clone());
        }
        if let Some(f) = &other.first {
            self.note_date(f.clone());
        }
        for (item, n) in &other.items {
            *self.items.entry(item.clone()).or_default() += n;
        }
        self.sources.extend(other.sources.iter().cloned());
    }

    /// Reads a flow's summary statements back.
    fn parse(t: &Terms, flow: NamedNodeRef<'_>, quads: &[Quad]) -> FlowSummary {
        let mut f = FlowSummary::default();
        for q in quads.iter().filter(|q| is_about(q, flow)) {
            let p = &q.predicate;
            if *p == t.supplier || *p == t.recipient || *p == t.category {
                f.ends.push((p.clone(), q.object.clone()));
            } else if *p == t.attestations {
                f.attestations = number(&q.object);
            } else if *p == t.documents {
                f.documents = number(&q.object);
            } else if *p == t.strongest {
                f.strongest = Some(q.object.clone());
            } else if *p == t.first_date {
                f.first = date_key(&q.object);
            } else if *p == t.cited_source {
                f.sources.insert(q.object.clone());
            } else if *p == t.item_tally {
                if let Some((item, n)) = read_tally(t, quads, &q.object, &t.item) {
                    f.items.insert(item, n);
                }
            }
        }
        f.ends.sort_by(|a, b| a.0.cmp(&b.0));
        f
    }

    fn quads(&self, t: &Terms, flow: NamedNodeRef<'_>) -> Vec<Quad> {
        if self.is_empty() {
            return Vec::new();
        }
        let own = flow.into_owned();
        let mut out: Vec<Quad> = self.ends.iter().map(|(p, v)| t.in_summary(own.clone(), p, v.clone())).collect();
        out.push(t.in_summary(own.clone(), &t.attestations, count(self.attestations)));
        out.push(t.in_summary(own.clone(), &t.documents, count(self.documents)));
        if let Some(m) = &self.strongest {
            out.push(t.in_summary(own.clone(), &t.strongest, m.clone()));
        }
        if let Some(f) = &self.first {
            out.push(t.in_summary(own.clone(), &t.first_date, date_literal(f)));
        }
        for s in &self.sources {
            out.push(t.in_summary(own.clone(), &t.cited_source, s.clone()));
        }
        for (item, n) in &self.items {
            let tally = tally_iri(flow, "item", item);
            out.push(t.in_summary(own.clone(), &t.item_tally, tally.clone()));
            out.push(t.in_summary(tally.clone(), &t.item, item.clone()));
            out.push(t.in_summary(tally, &t.attestations, count(*n)));
        }
        out
    }
}

/// What the summary says of one source.
#[derive(Debug, Default, Clone, PartialEq)]
struct SourceSummary {
    flows: u64,
    attestations: u64,
    documents: u64,
    modalities: HashMap<Term, u64>,
    /// For a name the gazetteer does not know: its labels and types, as (property, value).
    described: HashSet<(NamedNode, Term)>,
}

impl SourceSummary {
    /// Adds what other documents say of the same source; `flows` is left to the caller, since
    /// a flow may already be counted.
    fn merge(&mut self, other: &SourceSummary) {
        self.attestations += other.attestations;
        self.documents += other.documents;
        for (m, n) in &other.modalities {
            *self.modalities.entry(m.clone()).or_default() += n;
        }
        self.described.extend(other.described.iter().cloned());
    }

    fn parse(t: &Terms, source: NamedNodeRef<'_>, quads: &[Quad]) -> SourceSummary {
        let mut s = SourceSummary::default();
        for q in quads.iter().filter(|q| is_about(q, source)) {
            let p = &q.predicate;
            if *p == t.flows {
                s.flows = number(&q.object);
            } else if *p == t.attestations {
                s.attestations = number(&q.object);
            } else if *p == t.documents {
                s.documents = number(&q.object);
            } else if *p == t.label || *p == t.rdf_type {
                s.described.insert((p.clone(), q.object.clone()));
            } else if *p == t.modality_tally {
                if let Some((m, n)) = read_tally(t, quads, &q.object, &t.modality) {
                    s.modalities.insert(m, n);
                }
            }
        }
        s
    }

    fn quads(&self, t: &Terms, source: NamedNodeRef<'_>) -> Vec<Quad> {
        if self.attestations == 0 {
            return Vec::new();
        }
        let own = source.into_owned();
        let mut out = vec![
            t.in_summary(own.clone(), &t.flows, count(self.flows)),
            t.in_summary(own.clone(), &t.attestations, count(self.attestations)),
            t.in_summary(own.clone(), &t.documents, count(self.documents)),
        ];
        for (m, n) in &self.modalities {
            let tally = tally_iri(source, "modality", m);
            out.push(t.in_summary(own.clone(), &t.modality_tally, tally.clone()));
            out.push(t.in_summary(tally.clone(), &t.modality, m.clone()));
            out.push(t.in_summary(tally, &t.attestations, count(*n)));
        }
        for (p, o) in &self.described {
            out.push(t.in_summary(own.clone(), p, o.clone()));
        }
        out
    }
}

fn in_gazetteer(store: &Store, t: &Terms, resource: NamedNodeRef<'_>) -> Result<bool, StorageError> {
    let g = GraphNameRef::NamedNode(t.gazetteer.as_ref());
    Ok(store.quads_for_pattern(Some(resource.into()), None, None, Some(g)).next().transpose()?.is_some())
}

/// The summary of a flow, from the document graphs that attest it (empty when none does).
fn summarize_flow(store: &Store, t: &Terms, flow: NamedNodeRef<'_>) -> Result<FlowSummary, StorageError> {
    // Attestations, by the document graph that states them.
    let mut by_graph: BTreeMap<NamedNode, Vec<NamedNode>> = BTreeMap::new();
    for q in store.quads_for_pattern(Some(flow.into()), Some(t.attested_by.as_ref()), None, None) {
        let q = q?;
        if let (GraphName::NamedNode(g), Term::NamedNode(a)) = (q.graph_name, q.object) {
            by_graph.entry(g).or_default().push(a);
        }
    }
    let mut f = FlowSummary::default();
    let Some(first_graph) = by_graph.keys().next().cloned() else {
        return Ok(f);
    };
    let g0 = GraphNameRef::NamedNode(first_graph.as_ref());
    for p in [&t.supplier, &t.recipient, &t.category] {
        if let Some(v) = value(store, flow, p, g0)? {
            f.ends.push((p.clone(), v));
        }
    }
    f.ends.sort_by(|a, b| a.0.cmp(&b.0));
    let mut documents = HashSet::new();
    let mut published: HashMap<Term, Option<String>> = HashMap::new();
    for (graph, atts) in &by_graph {
        let g = GraphNameRef::NamedNode(graph.as_ref());
        for a in atts {
            f.attestations += 1;
            if let Some(m) = value(store, a.as_ref(), &t.modality, g)? {
                f.note_modality(m);
            }
            if let Some(s) = value(store, a.as_ref(), &t.according_to, g)? {
                f.sources.insert(s);
            }
            let stated = value(store, a.as_ref(), &t.date, g)?.as_ref().and_then(date_key);
            let mut keys: Vec<String> = stated.into_iter().collect();
            if let Some(doc) = value(store, a.as_ref(), &t.derived_from, g)? {
                if !published.contains_key(&doc) {
                    let date = match &doc {
                        Term::NamedNode(d) => value(store, d.as_ref(), &t.published, g)?.as_ref().and_then(date_key),
                        _ => None,
                    };
                    published.insert(doc.clone(), date);
                }
                keys.extend(published[&doc].clone());
                documents.insert(doc);
            }
            if let Some(k) = keys.into_iter().min() {
                f.note_date(k);
            }
        }
    }
    f.documents = documents.len() as u64;
    // Per item: the attestations of the documents that name it on this flow.
    for q in store.quads_for_pattern(Some(flow.into()), Some(t.item.as_ref()), None, None) {
        let q = q?;
        if let GraphName::NamedNode(g) = &q.graph_name {
            if let Some(atts) = by_graph.get(g) {
                *f.items.entry(q.object).or_default() += atts.len() as u64;
            }
        }
    }
    Ok(f)
}

/// The summary of a source, from the attestations that cite it (empty when none does).
fn summarize_source(store: &Store, t: &Terms, source: NamedNodeRef<'_>) -> Result<SourceSummary, StorageError> {
    let mut s = SourceSummary::default();
    let mut flows = HashSet::new();
    let mut documents = HashSet::new();
    let mut graphs = BTreeSet::new();
    for q in store.quads_for_pattern(None, Some(t.according_to.as_ref()), Some(source.into()), None) {
        let q = q?;
        let (GraphName::NamedNode(graph), NamedOrBlankNodeRef::NamedNode(a)) = (&q.graph_name, q.subject.as_ref())
        else {
            continue;
        };
        let g = GraphNameRef::NamedNode(graph.as_ref());
        // Only the attestations of a flow count, as in the flows' own summary.
        let Some(flow) =
            store.quads_for_pattern(None, Some(t.attested_by.as_ref()), Some(a.into()), Some(g)).next().transpose()?
        else {
            continue;
        };
        s.attestations += 1;
        flows.insert(flow.subject);
        if let Some(m) = value(store, a, &t.modality, g)? {
            *s.modalities.entry(m).or_default() += 1;
        }
        if let Some(d) = value(store, a, &t.derived_from, g)? {
            documents.insert(d);
        }
        graphs.insert(graph.clone());
    }
    s.flows = flows.len() as u64;
    s.documents = documents.len() as u64;
    if s.attestations > 0 && !in_gazetteer(store, t, source)? {
        for graph in &graphs {
            let g = GraphNameRef::NamedNode(graph.as_ref());
            for p in [&t.label, &t.rdf_type] {
                for q in store.quads_for_pattern(Some(source.into()), Some(p.as_ref()), None, Some(g)) {
                    s.described.insert((p.clone(), q?.object));
                }
            }
        }
    }
    Ok(s)
}

/// What the documents new to the store in one run add to the summary, gathered as each batch is
/// written, so that at the end of the run a flow's summary is its summary before the run plus
/// this, with no document graph read back. A resource that a replacing write touched is left
/// to [`refresh`], which reads the store, because what the replaced graph said cannot be
/// subtracted.
pub struct Tally {
    terms: Terms,
    flow_ids: HashMap<NamedNode, u32>,
    flows: Vec<(NamedNode, FlowSummary)>,
    /// Per source: what it adds, and the flows (ids) it is cited for in the new documents.
    sources: HashMap<NamedNode, (SourceSummary, HashSet<u32>)>,
    replaced: HashSet<NamedNode>,
    /// The resources this run has marked pending: a mark is written once per run, not once per
    /// batch that touches the resource.
    marked: HashSet<NamedNode>,
}

impl Default for Tally {
    fn default() -> Tally {
        Tally {
            terms: Terms::new(),
            flow_ids: HashMap::new(),
            flows: Vec::new(),
            sources: HashMap::new(),
            replaced: HashSet::new(),
            marked: HashSet::new(),
        }
    }
}

impl Tally {
    /// Adds the statements of a document graph new to the store.
    pub fn add(&mut self, quads: &[Quad]) {
        let t = &self.terms;
        let mut atts: BTreeMap<&NamedNode, Vec<&Term>> = BTreeMap::new();
        // Each statement by (subject IRI, property IRI), so look-ups borrow and allocate nothing.
        let mut fields: HashMap<(&str, &str), Vec<&Term>> = HashMap::new();
        for q in quads {
            let NamedOrBlankNode::NamedNode(subject) = &q.subject else { continue };
            if q.predicate == t.attested_by {
                atts.entry(subject).or_default().push(&q.object);
            } else {
                fields.entry((subject.as_str(), q.predicate.as_str())).or_default().push(&q.object);
            }
        }
        let field = |s: &Term, p: &NamedNode| -> Option<&Term> {
            let Term::NamedNode(s) = s else { return None };
            fields.get(&(s.as_str(), p.as_str())).and_then(|v| v.first().copied())
        };
        let fields_of = |s: &NamedNode, p: &NamedNode| -> Vec<&Term> {
            fields.get(&(s.as_str(), p.as_str())).cloned().unwrap_or_default()
        };
        // Per source: what this document adds, and the flows it is cited for.
        let mut per_source: HashMap<NamedNode, (SourceSummary, HashSet<u32>)> = HashMap::new();
        for (flow, list) in atts {
            let id = match self.flow_ids.get(flow) {
                Some(&id) => id,
                None => {
                    let id = self.flows.len() as u32;
                    self.flow_ids.insert(flow.clone(), id);
                    self.flows.push((flow.clone(), FlowSummary::default()));
                    id
                }
            };
            let mut add = FlowSummary::default();
            for p in [&t.supplier, &t.recipient, &t.category] {
                if let Some(v) = fields_of(flow, p).first() {
                    add.ends.push((p.clone(), (*v).clone()));
                }
            }
            add.ends.sort_by(|a, b| a.0.cmp(&b.0));
            let mut documents: HashSet<&Term> = HashSet::new();
            for a in list.iter().copied() {
                add.attestations += 1;
                let modality = field(a, &t.modality);
                if let Some(m) = modality {
                    add.note_modality(m.clone());
                }
                let mut keys: Vec<String> = field(a, &t.date).and_then(date_key).into_iter().collect();
                if let Some(d) = field(a, &t.derived_from) {
                    documents.insert(d);
                    keys.extend(field(d, &t.published).and_then(date_key));
                }
                if let Some(k) = keys.into_iter().min() {
                    add.note_date(k);
                }
                if let Some(Term::NamedNode(s)) = field(a, &t.according_to) {
                    let (summary, flows) = per_source.entry(s.clone()).or_default();
                    summary.attestations += 1;
                    if let Some(m) = modality {
                        *summary.modalities.entry(m.clone()).or_default() += 1;
                    }
                    // The attestations of a document graph all derive from its one document.
                    summary.documents = 1;
                    for p in [&t.label, &t.rdf_type] {
                        for o in fields_of(s, p) {
                            summary.described.insert((p.clone(), o.clone()));
                        }
                    }
                    flows.insert(id);
                }
            }
            add.documents = documents.len() as u64;
            let mut items: Vec<&Term> = fields_of(flow, &t.item);
            items.sort_unstable_by_key(|i| i.to_string());
            items.dedup();
            for item in items {
                add.items.insert(item.clone(), add.attestations);
            }
            self.flows[id as usize].1.merge(&add);
        }
        for (s, (add, flows)) in per_source {
            let (summary, all) = self.sources.entry(s).or_default();
            summary.merge(&add);
            all.extend(flows);
        }
    }

    /// Marks these resources (a replacing write's marks) as left to [`refresh`].
    /// Of these marks, the ones this run has not written yet, now noted as written. The caller
    /// writes them in the same atomic step as the documents that need them.
    pub fn unwritten_marks(&mut self, marks: Vec<Quad>) -> Vec<Quad> {
        marks
            .into_iter()
            .filter(|m| match &m.subject {
                NamedOrBlankNode::NamedNode(n) => self.marked.insert(n.clone()),
                NamedOrBlankNode::BlankNode(_) => true,
            })
            .collect()
    }

    pub fn exclude(&mut self, marks: &[Quad]) {
        for m in marks {
            if let NamedOrBlankNode::NamedNode(n) = &m.subject {
                self.replaced.insert(n.clone());
            }
        }
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_keep_their_precision() {
        assert_eq!(date_literal("2024").datatype().as_str(), format!("{XSD}gYear"));
        assert_eq!(date_literal("2024-03").datatype().as_str(), format!("{XSD}gYearMonth"));
        assert_eq!(date_literal("2024-03-09").datatype().as_str(), format!("{XSD}date"));
        let key = date_key(&Term::from(Literal::new_simple_literal("2024-03-09T10:00:00Z")));
        assert_eq!(key.as_deref(), Some("2024-03-09"));
    }

    #[test]
    fn modalities_rank_and_unknown_ones_rank_last() {
        let m = |x: Modality| Term::from(NamedNode::new_unchecked(x.iri()));
        assert!(rank(&m(Modality::Asserted)) > rank(&m(Modality::Reported)));
        assert!(rank(&m(Modality::Denied)) > rank(&Term::from(NamedNode::new_unchecked("https://example.org/x"))));
    }

    #[test]
    fn marks_name_each_flow_and_source_once() {
        let n = |s: &str| NamedNode::new_unchecked(format!("https://example.org/{s}"));
        let g = n("doc");
        let t = Terms::new();
        let quads = [
            Quad::new(n("f"), t.attested_by.clone(), n("a1"), g.clone()),
            Quad::new(n("f"), t.attested_by.clone(), n("a2"), g.clone()),
            Quad::new(n("a1"), t.according_to.clone(), n("s"), g.clone()),
            Quad::new(n("a1"), t.modality.clone(), n("m"), g.clone()),
        ];
        let marked: Vec<String> = marks(quads.iter().map(Quad::as_ref)).iter().map(|q| q.subject.to_string()).collect();
        assert_eq!(marked, ["<https://example.org/f>", "<https://example.org/s>"]);
    }
}
