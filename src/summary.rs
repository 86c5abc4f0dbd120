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
//! [`refresh`] recomputes each marked resource from the document graphs alone and unmarks it, one
//! chunk per transaction. After a refresh the summary is exactly what a scan of every document
//! graph gives; an interrupted run leaves marks that the next refresh completes.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use oxigraph::model::{
    GraphNameRef, Literal, NamedNode, NamedNodeRef, NamedOrBlankNodeRef, Quad, QuadRef, Term, TermRef,
};
use oxigraph::store::{StorageError, Store};
use rayon::prelude::*;

use crate::vocab::{Modality, AG, GAZETTEER_GRAPH, PENDING_GRAPH, PROV, RDF, RDFS, SCHEMA, SUMMARY_GRAPH, XSD};

/// Resources recomputed per transaction.
const CHUNK: usize = 1000;

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
                let mut fresh = summarize_flow(store, &t, resource)?;
                fresh.extend(summarize_source(store, &t, resource)?);
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

fn count(n: usize) -> Literal {
    Literal::from(n as i64)
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

/// The summary of a flow, from the document graphs that attest it (none when no graph does).
fn summarize_flow(store: &Store, t: &Terms, flow: NamedNodeRef<'_>) -> Result<Vec<Quad>, StorageError> {
    // Attestations, by the document graph that states them.
    let mut by_graph: BTreeMap<NamedNode, Vec<NamedNode>> = BTreeMap::new();
    for q in store.quads_for_pattern(Some(flow.into()), Some(t.attested_by.as_ref()), None, None) {
        let q = q?;
        if let (oxigraph::model::GraphName::NamedNode(g), Term::NamedNode(a)) = (q.graph_name, q.object) {
            by_graph.entry(g).or_default().push(a);
        }
    }
    let Some(first_graph) = by_graph.keys().next().cloned() else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    let own = flow.into_owned();
    let g0 = GraphNameRef::NamedNode(first_graph.as_ref());
    for p in [&t.supplier, &t.recipient, &t.category] {
        if let Some(v) = value(store, flow, p, g0)? {
            out.push(t.in_summary(own.clone(), p, v));
        }
    }
    let (mut attestations, mut documents) = (0, HashSet::new());
    let mut strongest: Option<Term> = None;
    let mut first: Option<String> = None;
    let mut published: HashMap<Term, Option<String>> = HashMap::new();
    for (graph, atts) in &by_graph {
        let g = GraphNameRef::NamedNode(graph.as_ref());
        for a in atts {
            attestations += 1;
            if let Some(m) = value(store, a.as_ref(), &t.modality, g)? {
                if strongest.as_ref().is_none_or(|s| rank(&m) > rank(s)) {
                    strongest = Some(m);
                }
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
                if first.as_ref().is_none_or(|f| k < *f) {
                    first = Some(k);
                }
            }
        }
    }
    out.push(t.in_summary(own.clone(), &t.attestations, count(attestations)));
    out.push(t.in_summary(own.clone(), &t.documents, count(documents.len())));
    if let Some(m) = strongest {
        out.push(t.in_summary(own.clone(), &t.strongest, m));
    }
    if let Some(f) = first {
        out.push(t.in_summary(own.clone(), &t.first_date, date_literal(&f)));
    }
    // Per item: the attestations of the documents that name it on this flow.
    let mut items: HashMap<Term, usize> = HashMap::new();
    for q in store.quads_for_pattern(Some(flow.into()), Some(t.item.as_ref()), None, None) {
        let q = q?;
        if let oxigraph::model::GraphName::NamedNode(g) = &q.graph_name {
            if let Some(atts) = by_graph.get(g) {
                *items.entry(q.object).or_default() += atts.len();
            }
        }
    }
    for (item, n) in items {
        let tally = tally_iri(flow, "item", &item);
        out.push(t.in_summary(own.clone(), &t.item_tally, tally.clone()));
        out.push(t.in_summary(tally.clone(), &t.item, item));
        out.push(t.in_summary(tally, &t.attestations, count(n)));
    }
    Ok(out)
}

/// The summary of a source, from the attestations that cite it (none when none does).
fn summarize_source(store: &Store, t: &Terms, source: NamedNodeRef<'_>) -> Result<Vec<Quad>, StorageError> {
    let mut flows = HashSet::new();
    let mut documents = HashSet::new();
    let mut graphs = BTreeSet::new();
    let mut per_modality: HashMap<Term, usize> = HashMap::new();
    let mut attestations = 0;
    for q in store.quads_for_pattern(None, Some(t.according_to.as_ref()), Some(source.into()), None) {
        let q = q?;
        let (oxigraph::model::GraphName::NamedNode(graph), NamedOrBlankNodeRef::NamedNode(a)) =
            (&q.graph_name, q.subject.as_ref())
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
        attestations += 1;
        flows.insert(flow.subject);
        if let Some(m) = value(store, a, &t.modality, g)? {
            *per_modality.entry(m).or_default() += 1;
        }
        if let Some(d) = value(store, a, &t.derived_from, g)? {
            documents.insert(d);
        }
        graphs.insert(graph.clone());
    }
    if attestations == 0 {
        return Ok(Vec::new());
    }
    let own = source.into_owned();
    let mut out = vec![
        t.in_summary(own.clone(), &t.flows, count(flows.len())),
        t.in_summary(own.clone(), &t.attestations, count(attestations)),
        t.in_summary(own.clone(), &t.documents, count(documents.len())),
    ];
    for (m, n) in per_modality {
        let tally = tally_iri(source, "modality", &m);
        out.push(t.in_summary(own.clone(), &t.modality_tally, tally.clone()));
        out.push(t.in_summary(tally.clone(), &t.modality, m));
        out.push(t.in_summary(tally, &t.attestations, count(n)));
    }
    // A name the gazetteer does not know: the labels and types its documents give it.
    let known = store
        .quads_for_pattern(Some(source.into()), None, None, Some(GraphNameRef::NamedNode(t.gazetteer.as_ref())))
        .next()
        .is_some();
    if !known {
        let mut described = HashSet::new();
        for graph in &graphs {
            let g = GraphNameRef::NamedNode(graph.as_ref());
            for p in [&t.label, &t.rdf_type] {
                for q in store.quads_for_pattern(Some(source.into()), Some(p.as_ref()), None, Some(g)) {
                    described.insert((p.clone(), q?.object));
                }
            }
        }
        for (p, o) in described {
            out.push(t.in_summary(own.clone(), &p, o));
        }
    }
    Ok(out)
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
