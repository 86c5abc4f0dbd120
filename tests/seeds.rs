//! The seed articles in ../shared/seeds (when present): every one loads and yields flows.

use std::path::Path;

use armsgraph::document::Document;
use armsgraph::export::{write_quads, ExportFormat};
use armsgraph::lexicon::Lexicon;
use armsgraph::pipeline::{analyse, to_quads};

#[test]
fn seed_articles_yield_flows() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/seeds");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("skipped: {} is absent", dir.display());
        return;
    };
    let lexicon = Lexicon::bundled().unwrap();
    let mut files: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no seed articles in {}", dir.display());
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let a = analyse(&lexicon, Document::from_text(text));
        assert_ne!(a.lang, "und", "{}: language not recognised", f.display());
        assert!(
            a.extraction.attestations.len() >= 2,
            "{}: {} flow statements",
            f.display(),
            a.extraction.attestations.len()
        );
        let mut nq = Vec::new();
        write_quads(to_quads(&lexicon, &a).iter(), ExportFormat::Nq, &mut nq).unwrap();
        let parsed: Result<Vec<_>, _> =
            oxigraph::io::RdfParser::from_format(oxigraph::io::RdfFormat::NQuads).for_slice(&nq).collect();
        assert!(parsed.is_ok(), "{}: output does not parse", f.display());
    }
}
