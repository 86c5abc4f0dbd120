//! Prepared queries: the `queries/*.rq` catalogue, parameter binding and result output.
//!
//! A parameter is resolved to an IRI or a typed literal first (an unknown entity, category or
//! date is an error), and only that term is bound, in a `VALUES` block that the RDF model's own
//! serializer writes (see `with_values`): user text never becomes query syntax, so a parameter
//! value can never change a query's shape.

use std::fmt::Write as _;
use std::io::Write;

use oxigraph::model::{Literal, NamedNode, Term, Variable};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use oxigraph::sparql::{QueryResults, QuerySolution, SparqlEvaluator};
use oxigraph::store::Store;

use crate::lexicon::Lexicon;
use crate::text::fold;
use crate::vocab::{Category, Modality, AGR, PREFIXES, XSD};

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum QueryError {
    #[error("unknown query {0:?}; `armsgraph query --list` shows the catalogue")]
    Unknown(String),
    #[error("{0}")]
    Parameter(String),
    #[error("query {name}: {message}")]
    Invalid { name: String, message: String },
    #[error("SPARQL syntax error: {0}")]
    Syntax(String),
    #[error("query evaluation failed: {0}")]
    Evaluation(String),
    #[error("cannot write results: {0}")]
    Io(#[from] std::io::Error),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    Entity,
    Category,
    Modality,
    Date,
    Flow,
    Document,
    Text,
}

impl ParamKind {
    fn parse(s: &str) -> Option<ParamKind> {
        Some(match s {
            "entity" => ParamKind::Entity,
            "category" => ParamKind::Category,
            "modality" => ParamKind::Modality,
            "date" => ParamKind::Date,
            "flow" => ParamKind::Flow,
            "document" => ParamKind::Document,
            "text" => ParamKind::Text,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            ParamKind::Entity => "entity",
            ParamKind::Category => "category",
            ParamKind::Modality => "modality",
            ParamKind::Date => "date",
            ParamKind::Flow => "flow",
            ParamKind::Document => "document",
            ParamKind::Text => "text",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Param {
    pub name: String,
    pub kind: ParamKind,
    pub required: bool,
    pub description: String,
}

#[derive(Debug, Clone)]
pub struct PreparedQuery {
    pub name: String,
    pub title: String,
    pub description: String,
    pub params: Vec<Param>,
    pub examples: Vec<String>,
    pub text: String,
}

impl PreparedQuery {
    /// Reads a query file's header (`# name:`, `# title:`, `# param:` … lines).
    pub fn parse(name: &str, text: &str) -> Result<PreparedQuery, QueryError> {
        let invalid = |message: String| QueryError::Invalid { name: name.to_string(), message };
        let mut q = PreparedQuery {
            name: name.to_string(),
            title: String::new(),
            description: String::new(),
            params: Vec::new(),
            examples: Vec::new(),
            text: text.to_string(),
        };
        for line in text.lines().take_while(|l| l.starts_with('#')) {
            let body = line.trim_start_matches('#').trim();
            let Some((key, value)) = body.split_once(':') else { continue };
            let value = value.trim();
            match key.trim() {
                "name" if value != name => {
                    return Err(invalid(format!("header names it {value:?}, its file {name:?}")))
                }
                "title" => q.title = value.to_string(),
                "description" => q.description = value.to_string(),
                "example" => q.examples.push(value.to_string()),
                "param" => {
                    let mut parts = value.splitn(4, ' ');
                    let (Some(pname), Some(kind), Some(req)) = (parts.next(), parts.next(), parts.next()) else {
                        return Err(invalid(format!(
                            "bad param line {value:?}: expected `name type required|optional description`"
                        )));
                    };
                    let kind = ParamKind::parse(kind)
                        .ok_or_else(|| invalid(format!("param {pname}: unknown type {kind:?}")))?;
                    let required = match req {
                        "required" => true,
                        "optional" => false,
                        other => {
                            return Err(invalid(format!("param {pname}: {other:?} is neither required nor optional")))
                        }
                    };
                    q.params.push(Param {
                        name: pname.to_string(),
                        kind,
                        required,
                        description: parts.next().unwrap_or("").to_string(),
                    });
                }
                _ => {}
            }
        }
        if q.title.is_empty() {
            return Err(invalid("its header has no `# title:` line".into()));
        }
        let _parsed = SparqlEvaluator::new().parse_query(text).map_err(|e| invalid(format!("does not parse: {e}")))?;
        Ok(q)
    }

    /// The parameters, as `--param` help lists them.
    pub fn usage(&self) -> String {
        if self.params.is_empty() {
            return "no parameters".into();
        }
        self.params
            .iter()
            .map(|p| {
                format!(
                    "{}={} ({}{})",
                    p.name,
                    p.kind.name(),
                    if p.required { "required" } else { "optional" },
                    if p.description.is_empty() { String::new() } else { format!(": {}", p.description) }
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// The bundled catalogue, in name order.
pub fn catalogue() -> Result<Vec<PreparedQuery>, QueryError> {
    crate::bundled::QUERIES.iter().map(|(n, t)| PreparedQuery::parse(n, t)).collect()
}

pub fn find(name: &str) -> Result<PreparedQuery, QueryError> {
    catalogue()?.into_iter().find(|q| q.name == name).ok_or_else(|| QueryError::Unknown(name.to_string()))
}

fn named(s: &str) -> Option<NamedNode> {
    let s = s.trim();
    if let Some(inner) = s.strip_prefix('<').and_then(|x| x.strip_suffix('>')) {
        return NamedNode::new(inner).ok();
    }
    if let Some((prefix, local)) = s.split_once(':') {
        if let Some((_, ns)) = PREFIXES.iter().find(|(p, _)| *p == prefix) {
            return NamedNode::new(format!("{ns}{local}")).ok();
        }
        if prefix == "http" || prefix == "https" || prefix == "urn" {
            return NamedNode::new(s).ok();
        }
    }
    None
}

/// Finds an entity IRI by IRI, gazetteer id or label in any language; then in the store.
pub fn resolve_entity(store: &Store, lexicon: &Lexicon, value: &str) -> Option<NamedNode> {
    if let Some(n) = named(value) {
        return Some(n);
    }
    if let Some(e) = lexicon.find_entity(value) {
        return Some(crate::graph::entity_iri(lexicon, e));
    }
    // Names found in texts, which the summary graph keeps: compare folded labels.
    let q = SparqlEvaluator::new()
        .parse_query("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> SELECT DISTINCT ?e ?l WHERE { GRAPH <https://w3id.org/armsgraph/summary> { ?e rdfs:label ?l } }")
        .ok()?;
    let key = fold(value.trim());
    if let Ok(QueryResults::Solutions(rows)) = q.on_store(store).execute() {
        for row in rows.flatten() {
            if let (Some(Term::NamedNode(e)), Some(Term::Literal(l))) = (row.get("e"), row.get("l")) {
                if fold(l.value()) == key {
                    return Some(e.clone());
                }
            }
        }
    }
    None
}

/// Finds an item category by notation, IRI or a word for it in any language.
pub fn resolve_category(lexicon: &Lexicon, value: &str) -> Option<NamedNode> {
    if let Some(n) = named(value) {
        return Some(n);
    }
    let key = fold(value.trim());
    if let Some(c) = Category::ALL.iter().find(|c| c.notation() == key || fold(&c.label()) == key) {
        return Some(NamedNode::new_unchecked(c.iri()));
    }
    // A category word of any language ("rakiety", "Drohnen").
    for lang in lexicon.languages() {
        let folded = crate::text::Folded::new(value.trim());
        let hits = lang.matcher.find_all(value.trim(), &folded);
        for h in hits {
            if h.start == 0 && h.end == folded.text.len() {
                if let crate::lexicon::Target::Category(c) = lang.matcher.entry(h.entry).target {
                    return Some(NamedNode::new_unchecked(c.iri()));
                }
            }
        }
    }
    None
}

/// Turns `--param name=value` pairs into variable bindings, checking them against the query.
pub fn bind(
    store: &Store,
    lexicon: &Lexicon,
    query: &PreparedQuery,
    values: &[(String, String)],
) -> Result<Vec<(Variable, Term)>, QueryError> {
    let accepted = || format!("query {} accepts: {}", query.name, query.usage());
    let mut out = Vec::new();
    for (name, value) in values {
        let Some(p) = query.params.iter().find(|p| &p.name == name) else {
            return Err(QueryError::Parameter(format!("unknown parameter {name:?}; {}", accepted())));
        };
        let bad =
            |what: &str| QueryError::Parameter(format!("parameter {name}: {value:?} is not {what}; {}", accepted()));
        let term: Term = match p.kind {
            ParamKind::Entity => resolve_entity(store, lexicon, value)
                .ok_or_else(|| bad("a known entity (IRI, id or label in any language)"))?
                .into(),
            ParamKind::Category => {
                resolve_category(lexicon, value).ok_or_else(|| bad("an item category (notation, IRI or label)"))?.into()
            }
            ParamKind::Modality => {
                let m: Modality = value
                    .trim()
                    .parse()
                    .map_err(|_| bad("a modality (asserted, reported, likely, speculative, denied)"))?;
                NamedNode::new_unchecked(m.iri()).into()
            }
            ParamKind::Date => {
                if !crate::input::is_date(value.trim()) {
                    return Err(bad("a date (YYYY-MM-DD)"));
                }
                Literal::new_typed_literal(value.trim(), NamedNode::new_unchecked(format!("{XSD}date"))).into()
            }
            ParamKind::Flow => match named(value) {
                Some(n) => n.into(),
                None if !value.trim().is_empty() && value.trim().chars().all(|c| c.is_alphanumeric() || c == '-') => {
                    NamedNode::new(format!("{AGR}flow/{}", value.trim())).map_err(|_| bad("a flow"))?.into()
                }
                None => return Err(bad("a flow (IRI or supplier--recipient--category)")),
            },
            ParamKind::Document => match named(value) {
                Some(n) => n.into(),
                None => NamedNode::new(format!("{AGR}doc/{}", crate::document::slug(value)))
                    .map_err(|_| bad("a document"))?
                    .into(),
            },
            ParamKind::Text => Literal::new_simple_literal(value).into(),
        };
        let var = Variable::new(name.as_str()).map_err(|_| bad("a valid parameter name"))?;
        out.push((var, term));
    }
    for p in query.params.iter().filter(|p| p.required) {
        if !values.iter().any(|(n, _)| n == &p.name) {
            return Err(QueryError::Parameter(format!("missing required parameter {}; {}", p.name, accepted())));
        }
    }
    Ok(out)
}

/// Rows of a SELECT query, with its variables.
pub struct Table {
    pub variables: Vec<Variable>,
    pub rows: Vec<QuerySolution>,
}

/// Runs SPARQL over the union of all graphs, with bound variables.
pub fn run(store: &Store, text: &str, bindings: &[(Variable, Term)]) -> Result<QueryResults<'static>, QueryError> {
    let text = with_values(text, bindings)?;
    let mut prepared = SparqlEvaluator::new().parse_query(&text).map_err(|e| QueryError::Syntax(e.to_string()))?;
    prepared.dataset_mut().set_default_graph_as_union();
    prepared.on_store(store).execute().map_err(|e| QueryError::Evaluation(e.to_string()))
}

/// The query with its parameters bound by a `VALUES` block opening the main `WHERE` group.
///
/// The terms are written by the RDF model's own serializer (an IRI checked when it was built, a
/// literal with its quotes and backslashes escaped), so a value can never become query syntax.
/// A VALUES block, unlike a binding given beside the query, is seen by the query planner: it
/// starts every join from the bound entity instead of scanning the store for all of them.
pub fn with_values(text: &str, bindings: &[(Variable, Term)]) -> Result<String, QueryError> {
    if bindings.is_empty() {
        return Ok(text.to_string());
    }
    let mut offset = 0;
    let mut open = None;
    for line in text.split_inclusive('\n') {
        if !line.trim_start().starts_with('#') {
            let upper = line.to_ascii_uppercase();
            if let Some(w) = upper.find("WHERE") {
                if let Some(b) = line[w..].find('{') {
                    open = Some(offset + w + b + 1);
                    break;
                }
            }
        }
        offset += line.len();
    }
    let Some(at) = open else {
        return Err(QueryError::Syntax("the query has no WHERE { … } to bind parameters in".into()));
    };
    let vars: Vec<String> = bindings.iter().map(|(v, _)| v.to_string()).collect();
    let terms: Vec<String> = bindings.iter().map(|(_, t)| t.to_string()).collect();
    Ok(format!("{}\n  VALUES ({}) {{ ({}) }}\n{}", &text[..at], vars.join(" "), terms.join(" "), &text[at..]))
}

/// Collects a SELECT result into a table.
pub fn collect(results: QueryResults<'_>, limit: Option<usize>) -> Result<Table, QueryError> {
    match results {
        QueryResults::Solutions(s) => {
            let variables = s.variables().to_vec();
            let mut rows = Vec::new();
            for row in s {
                if limit.is_some_and(|l| rows.len() >= l) {
                    break;
                }
                rows.push(row.map_err(|e| QueryError::Evaluation(e.to_string()))?);
            }
            Ok(Table { variables, rows })
        }
        QueryResults::Boolean(b) => {
            let v = Variable::new_unchecked("result");
            let row = QuerySolution::from((vec![v.clone()], vec![Some(Literal::from(b).into())]));
            Ok(Table { variables: vec![v], rows: vec![row] })
        }
        QueryResults::Graph(_) => {
            Err(QueryError::Evaluation("CONSTRUCT and DESCRIBE answer with RDF, not a table".into()))
        }
    }
}

/// Rewrites each `xLabel` column in `lang` where the store or the gazetteer knows a label in that
/// language for the IRI in column `x`; other labels stay (English).
pub fn localize(table: &mut Table, lang: &str, store: &Store, lexicon: &Lexicon) -> Result<(), QueryError> {
    let pairs: Vec<(Variable, Variable)> = table
        .variables
        .iter()
        .filter_map(|v| {
            let base = v.as_str().strip_suffix("Label")?;
            table.variables.iter().find(|b| b.as_str() == base).map(|b| (b.clone(), v.clone()))
        })
        .collect();
    if pairs.is_empty() {
        return Ok(());
    }
    let mut lookup = SparqlEvaluator::new()
        .parse_query(
            "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> \
             SELECT ?label ?thing ?lang WHERE { ?thing skos:prefLabel|skos:altLabel ?label FILTER(LANGMATCHES(LANG(?label), ?lang)) } \
             ORDER BY ?label LIMIT 1",
        )
        .map_err(|e| QueryError::Syntax(e.to_string()))?;
    lookup.dataset_mut().set_default_graph_as_union();
    let mut cache: std::collections::HashMap<String, Option<String>> = std::collections::HashMap::new();
    let mut label_of = |iri: &NamedNode| -> Result<Option<String>, QueryError> {
        if let Some(hit) = cache.get(iri.as_str()) {
            return Ok(hit.clone());
        }
        // A gazetteer entity: the first form its language writes.
        let from_lexicon = iri.as_str().strip_prefix(AGR).and_then(|id| lexicon.entity_id(id)).and_then(|e| {
            lexicon.entity(e).names.get(lang).and_then(|forms| {
                forms.iter().find(|f| !f.contains('*')).map(|f| f.trim_start_matches('=').to_string())
            })
        });
        let found = match from_lexicon {
            Some(l) => Some(l),
            None => {
                let results = lookup
                    .clone()
                    .substitute_variable(Variable::new_unchecked("thing"), iri.clone())
                    .substitute_variable(Variable::new_unchecked("lang"), Literal::new_simple_literal(lang))
                    .on_store(store)
                    .execute()
                    .map_err(|e| QueryError::Evaluation(e.to_string()))?;
                match results {
                    QueryResults::Solutions(mut rows) => {
                        rows.next().transpose().map_err(|e| QueryError::Evaluation(e.to_string()))?.and_then(
                            |r| match r.get("label") {
                                Some(Term::Literal(l)) => Some(l.value().to_string()),
                                _ => None,
                            },
                        )
                    }
                    _ => None,
                }
            }
        };
        cache.insert(iri.as_str().to_string(), found.clone());
        Ok(found)
    };
    let variables = table.variables.clone();
    for row in &mut table.rows {
        let mut values: Vec<Option<Term>> = variables.iter().map(|v| row.get(v).cloned()).collect();
        for (base, label) in &pairs {
            let b = variables.iter().position(|v| v == base).expect("paired from the variables");
            let l = variables.iter().position(|v| v == label).expect("paired from the variables");
            if let Some(Term::NamedNode(iri)) = &values[b] {
                if let Some(text) = label_of(iri)? {
                    values[l] = Some(Literal::new_language_tagged_literal_unchecked(text, lang).into());
                }
            }
        }
        *row = QuerySolution::from((variables.clone(), values));
    }
    Ok(())
}

/// Output formats for results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ResultFormat {
    /// An aligned table (labels and short IRIs).
    Table,
    Csv,
    Tsv,
    Json,
    Xml,
}

/// A term as a table cell: literals by value, IRIs with a known prefix shortened.
pub fn cell(term: Option<&Term>) -> String {
    match term {
        None => String::new(),
        Some(Term::Literal(l)) => l.value().replace(['\n', '\t'], " "),
        Some(Term::NamedNode(n)) => {
            let s = n.as_str();
            PREFIXES
                .iter()
                .find(|(_, ns)| s.starts_with(ns))
                .map_or_else(|| s.to_string(), |(p, ns)| format!("{p}:{}", &s[ns.len()..]))
        }
        Some(other) => other.to_string(),
    }
}

/// Writes a table in the chosen format; `width` bounds table columns (terminal width).
pub fn write_table(
    table: &Table,
    format: ResultFormat,
    width: Option<usize>,
    out: &mut dyn Write,
) -> Result<(), QueryError> {
    let results_format = match format {
        ResultFormat::Table => return write_aligned(table, width, out),
        ResultFormat::Csv => QueryResultsFormat::Csv,
        ResultFormat::Tsv => QueryResultsFormat::Tsv,
        ResultFormat::Json => QueryResultsFormat::Json,
        ResultFormat::Xml => QueryResultsFormat::Xml,
    };
    let mut w = QueryResultsSerializer::from_format(results_format)
        .serialize_solutions_to_writer(out, table.variables.clone())?;
    for row in &table.rows {
        w.serialize(row)?;
    }
    w.finish()?;
    Ok(())
}

fn write_aligned(table: &Table, width: Option<usize>, out: &mut dyn Write) -> Result<(), QueryError> {
    // A column `x` with a `xLabel` beside it shows as the label alone (CSV and JSON keep both).
    let shown: Vec<&Variable> = table
        .variables
        .iter()
        .filter(|v| !table.variables.iter().any(|l| l.as_str() == format!("{}Label", v.as_str())))
        .collect();
    let headers: Vec<String> =
        shown.iter().map(|v| v.as_str().strip_suffix("Label").unwrap_or(v.as_str()).to_string()).collect();
    let rows: Vec<Vec<String>> = table.rows.iter().map(|r| shown.iter().map(|v| cell(r.get(*v))).collect()).collect();
    let n = headers.len();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for r in &rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    if let Some(total) = width {
        // Shrink the widest columns until the table fits (each keeps at least 8 columns).
        let budget = total.saturating_sub(2 * n.saturating_sub(1));
        while widths.iter().sum::<usize>() > budget {
            let (i, &w) = widths.iter().enumerate().max_by_key(|(_, w)| **w).unwrap_or((0, &0));
            if w <= 8 {
                break;
            }
            widths[i] = w - 1;
        }
    }
    let fit = |s: &str, w: usize| -> String {
        let len = s.chars().count();
        if len <= w {
            format!("{s}{}", " ".repeat(w - len))
        } else {
            let cut: String = s.chars().take(w.saturating_sub(1)).collect();
            format!("{cut}…")
        }
    };
    let mut text = String::new();
    let line = |cells: &[String], text: &mut String| {
        let parts: Vec<String> = cells.iter().enumerate().map(|(i, c)| fit(c, widths[i])).collect();
        let _ = writeln!(text, "{}", parts.join("  ").trim_end());
    };
    line(&headers, &mut text);
    let _ = writeln!(text, "{}", widths.iter().map(|w| "─".repeat(*w)).collect::<Vec<_>>().join("  "));
    for r in &rows {
        line(r, &mut text);
    }
    let _ = writeln!(text, "({} row{})", rows.len(), if rows.len() == 1 { "" } else { "s" });
    out.write_all(text.as_bytes())?;
    Ok(())
}
