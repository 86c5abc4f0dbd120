//! Stage 4: an analysed document -> RDF quads in the document's named graph.
//!
//! The output is self-contained (rdf-contract): it carries the types and labels of every
//! entity, category and modality it uses. IRIs come from gazetteer ids, the flow key and the
//! document key, never from counters shared between documents, so the same input always gives
//! the same quads in the same order. Byte offsets become code point offsets here, and only here.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::{BuildHasherDefault, Hash, Hasher};

use oxigraph::model::{GraphName, GraphNameRef, Literal, NamedNode, NamedOrBlankNode, Quad, QuadRef, Term, Triple};

use crate::flows::{Extraction, FlowKey, Source};
use crate::lexicon::{Lexicon, UNDETERMINED};
use crate::pipeline::Analysis;
use crate::text::CharCounter;
use crate::vocab::{self, Category, Modality, AG, AGR, NIF, OWL, PROV, RDF, RDFS, SCHEMA, SKOS, WD, XSD};

fn iri(s: impl Into<String>) -> NamedNode {
    NamedNode::new_unchecked(s)
}

/// `ns` + `local` as an IRI (without the formatting machinery: this runs for every quad).
fn join(ns: &str, local: &str) -> NamedNode {
    let mut s = String::with_capacity(ns.len() + local.len());
    s.push_str(ns);
    s.push_str(local);
    NamedNode::new_unchecked(s)
}

fn ag(local: &str) -> NamedNode {
    join(AG, local)
}

/// The IRI of a gazetteer entity.
pub fn entity_iri(lexicon: &Lexicon, e: u32) -> NamedNode {
    join(AGR, &lexicon.entity(e).id)
}

/// The IRI of a source: a gazetteer entity, or `found/<slug of the name>`.
pub fn source_iri(lexicon: &Lexicon, found: &[String], s: Source) -> NamedNode {
    match s {
        Source::Known(e) => entity_iri(lexicon, e),
        Source::Found(i) => iri(format!("{AGR}found/{}", crate::document::slug(&found[i]))),
    }
}

/// The IRI of a flow: deterministic from (supplier, recipient, category).
pub fn flow_iri(lexicon: &Lexicon, k: FlowKey) -> NamedNode {
    iri([
        AGR,
        "flow/",
        &lexicon.entity(k.supplier).id,
        "--",
        &lexicon.entity(k.recipient).id,
        "--",
        k.category.notation(),
    ]
    .concat())
}

pub fn document_iri(key: &str) -> NamedNode {
    iri([AGR, "doc/", key].concat())
}

/// The IRI of the `i`th attestation or exchange of a document: `<kind><key>-<i>`.
fn numbered(key: &str, kind: &str, i: usize) -> NamedNode {
    iri([AGR, kind, key, "-", &i.to_string()].concat())
}

fn typed(value: impl Into<String>, datatype: &str) -> Literal {
    Literal::new_typed_literal(value, join(XSD, datatype))
}

fn decimal(v: f64) -> Literal {
    let mut s = format!("{v}");
    if s.contains('e') || s.contains("inf") || s.contains("NaN") {
        s = "0".into();
    }
    typed(s, "decimal")
}

fn text_literal(value: &str, lang: &str) -> Literal {
    if lang == UNDETERMINED {
        Literal::new_simple_literal(value)
    } else {
        Literal::new_language_tagged_literal_unchecked(value, lang)
    }
}

/// A fast hash for de-duplicating quads (the keys are ours, nothing adversarial), word by word.
#[derive(Default)]
struct FxHasher(u64);

impl Hasher for FxHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // A longer text is told apart by its length and its last 16 bytes (IRIs share their
        // beginnings): quads that hash the same are still compared whole.
        let bytes = match bytes.len().checked_sub(16) {
            Some(skip) if skip > 0 => {
                self.mix(bytes.len() as u64);
                &bytes[skip..]
            }
            _ => bytes,
        };
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.mix(u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.mix(u64::from_le_bytes(word));
        }
    }
}

impl FxHasher {
    fn mix(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

/// A hasher for keys that are already hashes.
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut hasher = FxHasher(self.0);
        hasher.write(bytes);
        self.0 = hasher.0;
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// Collects triples in order, once each. It remembers the hash of each triple and the position
/// of the first triple with that hash (not a copy): a triple whose hash is known is compared with
/// that triple, and with all the others in the rare case that two triples share a hash.
#[derive(Default)]
struct Sink {
    triples: Vec<Triple>,
    seen: HashMap<u64, u32, BuildHasherDefault<Prehashed>>,
}

impl Sink {
    fn with_capacity(triples: usize) -> Sink {
        Sink {
            triples: Vec::with_capacity(triples),
            seen: HashMap::with_capacity_and_hasher(triples, Default::default()),
        }
    }

    fn add(&mut self, s: impl Into<NamedOrBlankNode>, p: NamedNode, o: impl Into<Term>) {
        let (s, o) = (s.into(), o.into());
        let mut hasher = FxHasher::default();
        (&s, &p, &o).hash(&mut hasher);
        let same = |t: &Triple| t.subject == s && t.predicate == p && t.object == o;
        let index = self.triples.len() as u32;
        match self.seen.entry(hasher.finish()) {
            Entry::Vacant(v) => {
                v.insert(index);
            }
            Entry::Occupied(first) => {
                if same(&self.triples[*first.get() as usize]) || self.triples.iter().any(same) {
                    return;
                }
            }
        }
        self.triples.push(Triple { subject: s, predicate: p, object: o });
    }

    /// Adds a triple the caller knows to be new, without looking: one no other triple given to
    /// the sink (by `add` or `push`) can equal.
    fn push(&mut self, s: impl Into<NamedOrBlankNode>, p: NamedNode, o: impl Into<Term>) {
        self.triples.push(Triple { subject: s.into(), predicate: p, object: o.into() });
    }
}

/// The quads of one document's graph, in order: what the document says, then (when the graph
/// stands alone) the descriptions of the gazetteer entities it uses, then of the categories
/// and modalities. An entity's description is built once per lexicon and shared by every graph
/// that uses it, not copied: a writer reads the quads as references (`iter`).
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentGraph<'l> {
    graph: GraphName,
    said: Vec<Triple>,
    entities: Vec<&'l [Triple]>,
    concepts: Vec<Triple>,
}

impl<'l> DocumentGraph<'l> {
    pub fn len(&self) -> usize {
        self.said.len() + self.entities.iter().map(|d| d.len()).sum::<usize>() + self.concepts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every quad, in order.
    pub fn iter(&self) -> impl Iterator<Item = QuadRef<'_>> {
        let graph = self.graph.as_ref();
        let entities = self.entities.iter().flat_map(|d| d.iter());
        self.said.iter().chain(entities).chain(&self.concepts).map(move |t| in_graph(t, graph))
    }

    /// Every quad, owned.
    pub fn into_quads(self) -> Vec<Quad> {
        let graph = self.graph;
        let entities = self.entities.into_iter().flat_map(|d| d.iter().cloned());
        self.said.into_iter().chain(entities).chain(self.concepts).map(|t| t.in_graph(graph.clone())).collect()
    }
}

fn in_graph<'a>(t: &'a Triple, graph: GraphNameRef<'a>) -> QuadRef<'a> {
    QuadRef::new(t.subject.as_ref(), t.predicate.as_ref(), t.object.as_ref(), graph)
}

fn rdf_type() -> NamedNode {
    join(RDF, "type")
}

/// How much a document's graph says about the entities and concepts it uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Descriptions {
    /// Types and labels of every entity, category and modality used: the graph stands alone
    /// (what `extract` prints).
    Include,
    /// Only what the document says: in a store the gazetteer and ontology graphs describe
    /// entities and concepts once, instead of once per document.
    Omit,
}

/// Every quad of one analysed document, in its named graph.
pub fn build_graph<'l>(lexicon: &'l Lexicon, a: &Analysis, descriptions: Descriptions) -> DocumentGraph<'l> {
    let key = a.document.key();
    let doc = document_iri(&key);
    let ex = &a.extraction;
    let described = match descriptions {
        Descriptions::Include => Some(entity_descriptions(lexicon)),
        Descriptions::Omit => None,
    };
    let mut sink = Sink::with_capacity(expected_triples(ex));
    let lang = a.lang.as_str();

    // What only this document's own nodes state (the document, its numbered attestations and
    // exchanges), each predicate once or each object once, is new by construction (`push`);
    // what may repeat (a flow's statements and items, exchange links, names the gazetteer does
    // not know, whose slugs may coincide) is checked (`add`).
    sink.push(doc.clone(), rdf_type(), join(SCHEMA, "NewsArticle"));
    sink.push(doc.clone(), join(SCHEMA, "inLanguage"), Literal::new_simple_literal(lang));
    sink.push(doc.clone(), ag("languageConfidence"), decimal(a.confidence));
    if let Some(id) = &a.document.id {
        sink.push(doc.clone(), join(SCHEMA, "identifier"), Literal::new_simple_literal(id));
    }
    if let Some(p) = &a.document.published {
        sink.push(doc.clone(), join(SCHEMA, "datePublished"), typed(p.clone(), "date"));
    }
    if let Some(u) = a.document.url.as_deref().and_then(|u| NamedNode::new(u).ok()) {
        sink.push(doc.clone(), join(SCHEMA, "url"), u);
    }
    if let Some(t) = &a.document.title {
        sink.push(doc.clone(), join(SCHEMA, "headline"), text_literal(t, lang));
    }
    sink.push(doc.clone(), ag("text"), Literal::new_simple_literal(&a.document.text));

    for &e in &ex.mentioned {
        sink.push(doc.clone(), join(SCHEMA, "mentions"), entity_iri(lexicon, e));
    }
    let mut categories: BTreeSet<Category> = BTreeSet::new();
    let mut modalities: BTreeSet<Modality> = BTreeSet::new();

    // Flows, in key order, each with its attestations in text order.
    let mut flows: BTreeMap<FlowKey, Vec<usize>> = BTreeMap::new();
    for (i, at) in ex.attestations.iter().enumerate() {
        flows.entry(at.flow).or_default().push(i);
    }
    for x in &ex.exchanges {
        for k in [x.gives, x.returns] {
            flows.entry(k).or_default();
        }
    }
    let mut counter = CharCounter::new(&a.document.text);
    let offsets: Vec<(usize, usize)> = ex
        .sentences
        .iter()
        .map(|r| {
            let b = counter.at(r.start);
            (b, counter.at(r.end))
        })
        .collect();
    for (k, atts) in &flows {
        let f = flow_iri(lexicon, *k);
        categories.insert(k.category);
        sink.add(f.clone(), rdf_type(), ag("Transfer"));
        sink.add(f.clone(), ag("supplier"), entity_iri(lexicon, k.supplier));
        sink.add(f.clone(), ag("recipient"), entity_iri(lexicon, k.recipient));
        sink.add(f.clone(), ag("category"), iri(k.category.iri()));
        sink.add(
            f.clone(),
            join(RDFS, "label"),
            Literal::new_language_tagged_literal_unchecked(
                format!(
                    "{} → {}: {}",
                    lexicon.entity(k.supplier).label,
                    lexicon.entity(k.recipient).label,
                    k.category.label()
                ),
                "en",
            ),
        );
        for &i in atts {
            let at = &ex.attestations[i];
            for &w in &at.items {
                sink.add(f.clone(), ag("item"), entity_iri(lexicon, w));
            }
            for &v in &at.via {
                sink.add(f.clone(), ag("via"), entity_iri(lexicon, v));
            }
            let node = numbered(&key, "att/", i);
            sink.push(f.clone(), ag("attestedBy"), node.clone());
            sink.push(node.clone(), rdf_type(), ag("Attestation"));
            sink.push(node.clone(), join(PROV, "wasDerivedFrom"), doc.clone());
            sink.push(node.clone(), ag("modality"), iri(at.modality.iri()));
            modalities.insert(at.modality);
            if let Some(s) = at.source {
                sink.push(node.clone(), ag("accordingTo"), source_iri(lexicon, &ex.found, s));
            }
            if let Some(d) = &at.date {
                let datatype = match d.len() {
                    4 => "gYear",
                    7 => "gYearMonth",
                    _ => "date",
                };
                sink.push(node.clone(), ag("date"), typed(d.clone(), datatype));
            }
            if let Some(q) = &at.quantity {
                sink.push(node.clone(), ag("quantity"), decimal(q.value));
                sink.push(node.clone(), ag("quantityText"), text_literal(&q.text, lang));
            }
            let r = &ex.sentences[at.sentence];
            let (b, e) = offsets[at.sentence];
            sink.push(node.clone(), ag("evidence"), text_literal(&a.document.text[r.clone()], lang));
            sink.push(node.clone(), join(NIF, "beginIndex"), typed(b.to_string(), "nonNegativeInteger"));
            sink.push(node.clone(), join(NIF, "endIndex"), typed(e.to_string(), "nonNegativeInteger"));
            sink.push(node, ag("rule"), Literal::new_simple_literal(&at.rule));
        }
    }
    for (i, x) in ex.exchanges.iter().enumerate() {
        let (g, r) = (flow_iri(lexicon, x.gives), flow_iri(lexicon, x.returns));
        sink.add(g.clone(), ag("inExchangeFor"), r.clone());
        sink.add(r.clone(), ag("inExchangeFor"), g.clone());
        let node = numbered(&key, "exchange/", i);
        sink.push(node.clone(), rdf_type(), ag("Exchange"));
        sink.add(node.clone(), ag("exchangeFlow"), g);
        sink.add(node.clone(), ag("exchangeFlow"), r);
        sink.push(node.clone(), join(PROV, "wasDerivedFrom"), doc.clone());
        sink.push(node.clone(), ag("modality"), iri(x.modality.iri()));
        modalities.insert(x.modality);
        let range = &ex.sentences[x.sentence];
        let (b, e) = offsets[x.sentence];
        sink.push(node.clone(), ag("evidence"), text_literal(&a.document.text[range.clone()], lang));
        sink.push(node.clone(), join(NIF, "beginIndex"), typed(b.to_string(), "nonNegativeInteger"));
        sink.push(node.clone(), join(NIF, "endIndex"), typed(e.to_string(), "nonNegativeInteger"));
        sink.push(node, ag("rule"), Literal::new_simple_literal(&x.rule));
    }

    // Names the gazetteer does not know are described here, in any mode: typed, and labelled
    // in the document's language.
    for (i, name) in ex.found.iter().enumerate() {
        let node = source_iri(lexicon, &ex.found, Source::Found(i));
        sink.add(node.clone(), rdf_type(), ag("Actor"));
        sink.add(node.clone(), join(RDFS, "label"), text_literal(name, lang));
        sink.add(doc.clone(), join(SCHEMA, "mentions"), node);
    }
    let said = sink.triples;
    let (mut described_entities, mut concepts) = (Vec::new(), Vec::new());
    if let Some(cache) = described {
        // No triple of them can be among those above (their subjects are gazetteer entities,
        // which nothing above describes), nor among the concepts'.
        let entities = used_entities(ex);
        described_entities = entities.iter().map(|&e| cache[e as usize].as_slice()).collect();
        categories.extend(entities.iter().filter_map(|&e| lexicon.entity(e).category));
        let mut sink = Sink::default();
        describe_concepts(&mut sink, &categories, &modalities);
        concepts = sink.triples;
    }
    DocumentGraph { graph: GraphName::NamedNode(doc), said, entities: described_entities, concepts }
}

/// Every gazetteer entity a document's statements use, in order, once each.
fn used_entities(ex: &Extraction) -> Vec<u32> {
    let mut entities: Vec<u32> = ex.mentioned.iter().copied().collect();
    for at in &ex.attestations {
        entities.extend([at.flow.supplier, at.flow.recipient]);
        if let Some(Source::Known(e)) = at.source {
            entities.push(e);
        }
        entities.extend(at.items.iter().copied());
        entities.extend(at.via.iter().copied());
    }
    entities.sort_unstable();
    entities.dedup();
    entities
}

/// The triples describing each gazetteer entity: built once per lexicon, copied into each graph.
fn entity_descriptions(lexicon: &Lexicon) -> &[Vec<Triple>] {
    lexicon.descriptions.get_or_init(|| {
        (0..lexicon.entities.len() as u32)
            .map(|e| {
                let mut own = Sink::default();
                describe_entity(lexicon, e, &mut own, false);
                own.triples
            })
            .collect()
    })
}

/// About how many triples a document says (enough that the list rarely grows): its own, per
/// mentioned entity, attestation, exchange and found name.
fn expected_triples(ex: &Extraction) -> usize {
    16 + ex.mentioned.len() + 20 * ex.attestations.len() + 16 * ex.exchanges.len() + 3 * ex.found.len()
}

/// Types, labels and links of a gazetteer entity. `all_forms` adds every inflected form.
fn describe_entity(lexicon: &Lexicon, e: u32, sink: &mut Sink, all_forms: bool) {
    let ent = lexicon.entity(e);
    let node = entity_iri(lexicon, e);
    sink.add(node.clone(), rdf_type(), ag(ent.kind.class()));
    sink.add(node.clone(), join(RDFS, "label"), Literal::new_language_tagged_literal_unchecked(&ent.label, "en"));
    for (code, forms) in &ent.names {
        let usable = forms.iter().filter(|f| !f.contains('*')).map(|f| f.trim_start_matches('='));
        for form in usable.take(if all_forms { usize::MAX } else { 1 }) {
            if !(code == "en" && form == ent.label) {
                sink.add(
                    node.clone(),
                    join(SKOS, "altLabel"),
                    Literal::new_language_tagged_literal_unchecked(form, code),
                );
            }
        }
    }
    for a in ent.aliases.iter().filter(|a| !a.contains('*')) {
        sink.add(node.clone(), join(SKOS, "altLabel"), Literal::new_simple_literal(a.trim_start_matches('=')));
    }
    if let Some(q) = &ent.wikidata {
        sink.add(node.clone(), join(OWL, "sameAs"), iri(format!("{WD}{q}")));
    }
    if let Some(c) = ent.category {
        sink.add(node.clone(), ag("category"), iri(c.iri()));
    }
    if let Some(m) = ent.metonym_of {
        sink.add(node.clone(), ag("metonymOf"), entity_iri(lexicon, m));
    }
    if let Some(r) = &ent.role {
        sink.add(node, ag("role"), Literal::new_language_tagged_literal_unchecked(r, "en"));
    }
}

/// Types and labels of the categories (with the broader ones) and modalities; each concept once,
/// each of its statements once.
fn describe_concepts(sink: &mut Sink, categories: &BTreeSet<Category>, modalities: &BTreeSet<Modality>) {
    let concept = join(SKOS, "Concept");
    let mut all: BTreeSet<Category> = BTreeSet::new();
    for &c in categories {
        let mut x = Some(c);
        while let Some(y) = x {
            all.insert(y);
            x = y.broader();
        }
    }
    for c in all {
        let node = iri(c.iri());
        sink.push(node.clone(), rdf_type(), concept.clone());
        sink.push(node.clone(), rdf_type(), ag("ItemCategory"));
        sink.push(node.clone(), join(SKOS, "inScheme"), ag("ItemCategories"));
        sink.push(node.clone(), join(SKOS, "notation"), Literal::new_simple_literal(c.notation()));
        sink.push(
            node.clone(),
            join(SKOS, "prefLabel"),
            Literal::new_language_tagged_literal_unchecked(c.label(), "en"),
        );
        if let Some(b) = c.broader() {
            sink.push(node, join(SKOS, "broader"), iri(b.iri()));
        }
    }
    for &m in modalities {
        let node = iri(m.iri());
        sink.push(node.clone(), rdf_type(), concept.clone());
        sink.push(node.clone(), rdf_type(), ag("Modality"));
        sink.push(node.clone(), join(SKOS, "inScheme"), ag("Modalities"));
        sink.push(node.clone(), join(SKOS, "notation"), Literal::new_simple_literal(m.notation()));
        sink.push(
            node.clone(),
            join(SKOS, "prefLabel"),
            Literal::new_language_tagged_literal_unchecked(m.notation(), "en"),
        );
        sink.push(node, ag("rank"), typed(m.rank().to_string(), "integer"));
    }
}

/// The whole gazetteer with every form of every name, for the store's gazetteer graph.
pub fn gazetteer_quads(lexicon: &Lexicon) -> Vec<Quad> {
    let mut sink = Sink::default();
    for e in 0..lexicon.entities.len() as u32 {
        describe_entity(lexicon, e, &mut sink, true);
    }
    let graph = GraphName::NamedNode(iri(vocab::GAZETTEER_GRAPH));
    sink.triples.into_iter().map(|t| t.in_graph(graph.clone())).collect()
}
