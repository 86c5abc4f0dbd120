//! The pipeline, in one place: document -> language -> sentences -> mentions -> flows -> quads.
//!
//! Every stage here is pure: no I/O, no printing, no global state, and no failure on odd
//! text. What a stage wants to say about a document goes into `Analysis::diagnostics`.

use std::cmp::Ordering;

use oxigraph::model::Quad;
use rayon::prelude::*;

use crate::document::Document;
use crate::flows::{extract_flows, Extraction};
use crate::graph::DocumentGraph;
use crate::langid::detect;
use crate::lexicon::{Lexicon, UNDETERMINED};
use crate::mentions::find_mentions;
use crate::text::{split_sentences, Folded};

/// One document after extraction.
#[derive(Debug, Clone)]
pub struct Analysis {
    pub document: Document,
    /// The language the rules ran in (`und` when none was recognised).
    pub lang: String,
    /// 1.0 when declared, the detector's confidence otherwise.
    pub confidence: f64,
    pub extraction: Extraction,
    /// What the reader should know about this document (language choices, fallbacks).
    pub diagnostics: Vec<String>,
}

/// One document through stages 1–3.
pub fn analyse(lexicon: &Lexicon, document: Document) -> Analysis {
    analyse_with(lexicon, document, false)
}

/// `analyse`, with the rules' explanation of each decision (`Extraction::explain`).
pub fn analyse_explained(lexicon: &Lexicon, document: Document) -> Analysis {
    analyse_with(lexicon, document, true)
}

fn analyse_with(lexicon: &Lexicon, document: Document, explain: bool) -> Analysis {
    let mut diagnostics = Vec::new();
    let declared = document.lang.as_deref().filter(|l| !l.is_empty());
    let (code, confidence) = match declared {
        Some(l) if lexicon.language(l).is_some() => (l.to_string(), 1.0),
        _ => {
            let d = detect(lexicon, &document.text);
            if let Some(l) = declared {
                diagnostics.push(format!("declared language {l:?} is not supported; detected {:?} instead", d.code));
            }
            if d.code == UNDETERMINED {
                diagnostics.push(match &d.best_guess {
                    Some(g) => format!(
                        "language not recognised (closest: {g}, too few of its words): entity names only, no flows"
                    ),
                    None => "language not recognised: entity names only, no flows".to_string(),
                });
            }
            (d.code, d.confidence)
        }
    };
    let lang = lexicon.language(&code).expect("a detected or declared language exists");
    let mut document = document;
    let folded = Folded::new(&document.text);
    let sentences = split_sentences(&document.text, &lang.abbreviations);
    if document.published.is_none() {
        if let Some(date) = crate::dates::dateline(lang, &document.text, &sentences) {
            diagnostics.push(format!("publication date {date} read from the dateline"));
            document.published = Some(date);
        }
    }
    let mentions = find_mentions(lexicon, lang, &document.text, &folded);
    let extraction =
        extract_flows(lexicon, lang, &document.text, document.published.as_deref(), sentences, mentions, explain);
    Analysis { document, lang: code, confidence, extraction, diagnostics }
}

/// The order in which documents are analysed together: by declared language (each language's
/// matcher and rules then stay in the processor's cache from one document to the next).
pub fn by_language(a: &Document, b: &Document) -> Ordering {
    a.lang.cmp(&b.lang)
}

/// `f` of every item, computed on the current rayon pool with the items' documents in
/// `by_language` order, returned in input order (the same results at any thread count).
pub fn map_by_language<I, O>(
    items: Vec<I>,
    document: impl Fn(&I) -> &Document + Sync,
    f: impl Fn(I) -> O + Sync + Send,
) -> Vec<O>
where
    I: Send,
    O: Send,
{
    let mut ordered: Vec<(usize, I)> = items.into_iter().enumerate().collect();
    ordered.sort_by(|(_, a), (_, b)| by_language(document(a), document(b)));
    let mut done: Vec<(usize, O)> = ordered.into_par_iter().map(|(i, item)| (i, f(item))).collect();
    done.sort_unstable_by_key(|&(i, _)| i);
    done.into_iter().map(|(_, o)| o).collect()
}

/// The quads of one analysed document, in the document's named graph, self-contained.
pub fn to_quads<'l>(lexicon: &'l Lexicon, analysis: &Analysis) -> DocumentGraph<'l> {
    crate::graph::build_graph(lexicon, analysis, crate::graph::Descriptions::Include)
}

/// The quads a store keeps for one document: what it says, without the descriptions of
/// entities and concepts that the store's gazetteer and ontology graphs hold once.
pub fn to_store_quads(lexicon: &Lexicon, analysis: &Analysis) -> Vec<Quad> {
    crate::graph::build_graph(lexicon, analysis, crate::graph::Descriptions::Omit).into_quads()
}
