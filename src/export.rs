//! Writing RDF (I/O edge): Turtle with prefixes, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML.
//! Quad formats keep each document's named graph; triple formats merge all graphs, each triple
//! once.

use std::collections::HashSet;
use std::io::Write;

use oxigraph::io::{JsonLdProfileSet, RdfFormat, RdfSerializer};
use oxigraph::model::{GraphNameRef, NamedNode, QuadRef, Triple, TripleRef};
use oxigraph::store::Store;

use crate::vocab::PREFIXES;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// Turtle, with the armsgraph prefixes (graphs merged).
    Ttl,
    /// N-Triples (graphs merged).
    Nt,
    /// N-Quads (one named graph per document).
    Nq,
    /// TriG (one named graph per document).
    Trig,
    /// JSON-LD (one named graph per document).
    Jsonld,
    /// RDF/XML (graphs merged).
    Rdfxml,
}

impl ExportFormat {
    pub fn rdf_format(self) -> RdfFormat {
        match self {
            ExportFormat::Ttl => RdfFormat::Turtle,
            ExportFormat::Nt => RdfFormat::NTriples,
            ExportFormat::Nq => RdfFormat::NQuads,
            ExportFormat::Trig => RdfFormat::TriG,
            ExportFormat::Jsonld => RdfFormat::JsonLd { profile: JsonLdProfileSet::empty() },
            ExportFormat::Rdfxml => RdfFormat::RdfXml,
        }
    }
}

/// A serializer for the format, with the armsgraph prefixes where the format has prefixes.
pub fn serializer(format: ExportFormat) -> RdfSerializer {
    let mut s = RdfSerializer::from_format(format.rdf_format());
    if matches!(format, ExportFormat::Ttl | ExportFormat::Trig | ExportFormat::Rdfxml | ExportFormat::Jsonld) {
        for (p, iri) in PREFIXES {
            s = s.with_prefix(*p, *iri).expect("the built-in prefixes are valid IRIs");
        }
    }
    s
}

/// Writes batches of quads to one output as they come (streaming); triple formats drop graph
/// names, each triple once within a batch.
pub struct QuadWriter<W: Write> {
    inner: oxigraph::io::WriterQuadSerializer<W>,
    dataset: bool,
}

impl<W: Write> QuadWriter<W> {
    pub fn new(format: ExportFormat, out: W) -> Self {
        QuadWriter { inner: serializer(format).for_writer(out), dataset: format.rdf_format().supports_datasets() }
    }

    pub fn write<'a>(&mut self, quads: impl IntoIterator<Item = impl Into<QuadRef<'a>>>) -> std::io::Result<()> {
        if self.dataset {
            for q in quads {
                self.inner.serialize_quad(q)?;
            }
        } else {
            let mut seen: HashSet<TripleRef<'a>> = HashSet::new();
            for q in quads {
                let t = TripleRef::from(q.into());
                if seen.insert(t) {
                    self.inner.serialize_triple(t)?;
                }
            }
        }
        Ok(())
    }

    pub fn finish(self) -> std::io::Result<W> {
        self.inner.finish()
    }
}

/// Writes quads; triple formats drop graph names (each triple once).
pub fn write_quads<'a>(
    quads: impl IntoIterator<Item = impl Into<QuadRef<'a>>>,
    format: ExportFormat,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let mut w = QuadWriter::new(format, out);
    w.write(quads)?;
    w.finish()?;
    Ok(())
}

/// Exports the whole store, or one named graph.
pub fn export(
    store: &Store,
    format: ExportFormat,
    graph: Option<&NamedNode>,
    out: &mut dyn Write,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let graph_ref = graph.map(|g| GraphNameRef::NamedNode(g.as_ref()));
    let quads = store.quads_for_pattern(None, None, None, graph_ref);
    let mut w = serializer(format).for_writer(out);
    if format.rdf_format().supports_datasets() {
        for q in quads {
            w.serialize_quad(&q?)?;
        }
    } else {
        let mut seen: HashSet<Triple> = HashSet::new();
        for q in quads {
            let t = Triple::from(q?);
            if seen.insert(t.clone()) {
                w.serialize_triple(&t)?;
            }
        }
    }
    w.finish()?;
    Ok(())
}
