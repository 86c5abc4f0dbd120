//! The `armsgraph` command line. Only this file prints.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use rayon::prelude::*;

use armsgraph::batch::{self, note};
use armsgraph::export::{self, ExportFormat};
use armsgraph::input::{self, Input, ReadOptions};
use armsgraph::lexicon::{Lexicon, Target};
use armsgraph::mentions::Found;
use armsgraph::pipeline::{self, Analysis};
use armsgraph::query::{self, ResultFormat};
use armsgraph::store::{self, GraphStore};
use armsgraph::{dot, graph};

/// Exit code when the command ran but some inputs were skipped.
const EXIT_SKIPPED: u8 = 3;

#[derive(Parser)]
#[command(
    name = "armsgraph",
    version,
    about = "Turns news articles in many languages into a knowledge graph of arms transfers",
    after_help = "Exit codes: 0 success; 1 error; 2 bad command line; 3 done, but some inputs were skipped (each is named on stderr)."
)]
struct Cli {
    /// Load the lexicon from this folder instead of the bundled one (same layout as lexicon/).
    #[arg(long, global = true, env = "ARMSGRAPH_LEXICON", value_name = "DIR")]
    lexicon: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct StoreArg {
    /// The on-disk store [default: $XDG_DATA_HOME/armsgraph/store or ~/.local/share/armsgraph/store].
    #[arg(long, env = "ARMSGRAPH_STORE", value_name = "PATH")]
    store: Option<PathBuf>,
}

impl StoreArg {
    fn path(&self) -> PathBuf {
        self.store.clone().unwrap_or_else(store::default_path)
    }

    /// Opens an existing store (for reading commands), first completing its summary if an
    /// interrupted ingest left it behind the documents.
    fn open_existing(&self) -> Result<GraphStore> {
        let path = self.path();
        if !path.exists() {
            bail!("no store at {}: run `armsgraph ingest FILES --store {}` first", path.display(), path.display());
        }
        let gs = GraphStore::open(&path)?;
        let started = Instant::now();
        let refreshed = gs.refresh_summary()?;
        if refreshed > 0 {
            eprintln!(
                "armsgraph: completed the summary of {} ({refreshed} flows and sources, {:.2} s)",
                path.display(),
                started.elapsed().as_secs_f64()
            );
        }
        Ok(gs)
    }
}

#[derive(Args, Clone)]
struct ReadArgs {
    /// Declare the language of every document (ISO 639-1 code); detected when absent.
    #[arg(long, value_name = "CODE")]
    lang: Option<String>,
    /// Publication date (YYYY-MM-DD) for documents that do not carry one.
    #[arg(long, value_name = "DATE")]
    published: Option<String>,
    /// Skip text files (and JSON lines) larger than this many bytes.
    #[arg(long, default_value_t = 16 * 1024 * 1024, value_name = "BYTES")]
    max_bytes: u64,
}

impl ReadArgs {
    fn options(&self) -> Result<ReadOptions> {
        if let Some(p) = &self.published {
            if !input::is_date(p) {
                bail!("--published {p:?} is not a date in the form YYYY-MM-DD");
            }
        }
        Ok(ReadOptions { max_bytes: self.max_bytes, lang: self.lang.clone(), published: self.published.clone() })
    }
}

#[derive(Subcommand)]
enum Command {
    /// Ingest the bundled sample corpus and answer the prepared questions (in memory unless --store).
    Demo {
        /// Keep the demo graph in this on-disk store.
        #[arg(long, value_name = "PATH")]
        store: Option<PathBuf>,
    },
    /// Extract one or more articles to RDF on stdout, without a store.
    Extract {
        /// Text files, folders, JSON Lines files, or - for stdin.
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ExportFormat::Ttl)]
        format: ExportFormat,
        /// Instead of RDF: per sentence, the mentions found and why each rule fired.
        #[arg(long)]
        explain: bool,
        #[command(flatten)]
        read: ReadArgs,
    },
    /// Extract articles into the on-disk store; re-ingesting a document replaces its graph.
    Ingest {
        /// Text files, folders (recursively), JSON Lines files, or - for stdin.
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        #[command(flatten)]
        store: StoreArg,
        #[command(flatten)]
        read: ReadArgs,
        /// Documents per transaction.
        #[arg(long, default_value_t = 500)]
        batch: usize,
    },
    /// Run a prepared query from the catalogue (queries/*.rq).
    Query {
        /// The query's name (see --list).
        name: Option<String>,
        /// List the catalogue with each query's parameters.
        #[arg(long)]
        list: bool,
        /// A parameter, NAME=VALUE (an IRI, an id or a label in any language; a date).
        #[arg(long = "param", short = 'p', value_name = "NAME=VALUE")]
        params: Vec<String>,
        #[command(flatten)]
        store: StoreArg,
        #[arg(long, value_enum, default_value_t = ResultFormat::Table)]
        format: ResultFormat,
        /// At most this many rows.
        #[arg(long)]
        limit: Option<usize>,
        /// Labels in this language (ISO 639-1 code) where known, English otherwise.
        #[arg(long, value_name = "CODE")]
        lang: Option<String>,
    },
    /// Run any SPARQL 1.1 query over the store (the default graph is the union of all graphs):
    /// SELECT and ASK print as results (--format); CONSTRUCT and DESCRIBE print Turtle.
    Sparql {
        /// The query text (or use --file).
        query: Option<String>,
        /// Read the query from this file.
        #[arg(long, value_name = "FILE")]
        file: Option<PathBuf>,
        #[command(flatten)]
        store: StoreArg,
        #[arg(long, value_enum, default_value_t = ResultFormat::Table)]
        format: ResultFormat,
        #[arg(long)]
        limit: Option<usize>,
    },
    /// Write the store (or one document's graph) as RDF.
    Export {
        #[command(flatten)]
        store: StoreArg,
        #[arg(long, value_enum, default_value_t = ExportFormat::Ttl)]
        format: ExportFormat,
        /// Only this document's graph (its IRI, or the key after agr:doc/).
        #[arg(long, value_name = "DOCUMENT")]
        graph: Option<String>,
    },
    /// Write a deterministic benchmark corpus: N articles from the template files of every language
    /// (samples/generator), as JSON Lines on stdout or one .txt (+ .json metadata) per article.
    Generate {
        /// How many articles.
        #[arg(long, default_value_t = 1000)]
        articles: u64,
        /// The seed: the same seed writes the same corpus, and article i depends only on (seed, i).
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Only these languages (codes, comma-separated); every language with templates by default.
        #[arg(long, value_delimiter = ',', value_name = "CODES")]
        languages: Vec<String>,
        /// Write <DIR>/<lang>/<id>.txt and <id>.json (its metadata) instead of JSON Lines on stdout.
        #[arg(long, value_name = "DIR")]
        files: Option<PathBuf>,
        /// Read the template files from this folder instead of the bundled ones.
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
    },
    /// Benchmark on a generated corpus: raw alias scan, extraction (1 thread and all), ingest into
    /// an on-disk store, prepared-query latency. Prints a report (see BENCHMARKS.md).
    Bench {
        /// Articles in the generated corpus.
        #[arg(long, default_value_t = 1000)]
        articles: u64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Work folder for the corpus and the store (emptied first).
        #[arg(long, value_name = "DIR", default_value = "armsgraph-bench")]
        dir: PathBuf,
        /// Threads for the parallel measurements (default: all cores).
        #[arg(long)]
        threads: Option<usize>,
        /// Timed runs of each prepared query.
        #[arg(long, default_value_t = 5)]
        query_runs: usize,
        /// Documents per ingest transaction.
        #[arg(long, default_value_t = 500)]
        batch: usize,
        /// Stop after the extraction measurements.
        #[arg(long)]
        no_ingest: bool,
    },
    /// Draw the flow map as Graphviz DOT.
    Dot {
        #[command(flatten)]
        store: StoreArg,
        /// Only what is within --depth steps of this entity (IRI, id or label in any language).
        #[arg(long, value_name = "ENTITY")]
        focus: Option<String>,
        /// Steps from --focus.
        #[arg(long, default_value_t = 2)]
        depth: usize,
        /// Only flows of this item category (notation or a label in any language) or a narrower one.
        #[arg(long, value_name = "CATEGORY")]
        category: Option<String>,
        /// Only flows whose strongest modality is at least this: asserted, reported, likely, speculative, denied.
        #[arg(long, value_name = "MODALITY")]
        min_modality: Option<String>,
        /// Only flows with an attestation dated (or published) on or after this day (YYYY-MM-DD).
        #[arg(long, value_name = "DATE")]
        since: Option<String>,
        /// Output: Graphviz DOT, or SVG/PNG rendered with graphviz's `dot`.
        #[arg(long, value_enum, default_value_t = DotFormat::Dot)]
        format: DotFormat,
        /// Draw only the flows this prepared query returns (with its --param values).
        #[arg(long, value_name = "QUERY")]
        query: Option<String>,
        /// A parameter of --query, NAME=VALUE.
        #[arg(long = "param", short = 'p', value_name = "NAME=VALUE", requires = "query")]
        params: Vec<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum DotFormat {
    Dot,
    Svg,
    Png,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            if e.chain().any(|c| c.downcast_ref::<io::Error>().is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe))
            {
                return ExitCode::SUCCESS;
            }
            eprintln!("armsgraph: error: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn load_lexicon(dir: Option<&Path>) -> Result<Lexicon> {
    Ok(match dir {
        Some(d) => Lexicon::load_dir(d).with_context(|| format!("loading the lexicon from {}", d.display()))?,
        None => Lexicon::bundled().context("loading the bundled lexicon")?,
    })
}

fn run(cli: Cli) -> Result<u8> {
    let lexicon = load_lexicon(cli.lexicon.as_deref())?;
    let mut out = io::stdout().lock();
    match cli.command {
        Command::Demo { store } => demo(&lexicon, store.as_deref(), &mut out),
        Command::Generate { articles, seed, languages, files, templates } => {
            generate(articles, seed, &languages, files.as_deref(), templates.as_deref(), &mut out)
        }
        Command::Bench { articles, seed, dir, threads, query_runs, batch, no_ingest } => {
            let cfg = armsgraph::bench::BenchConfig {
                articles,
                seed,
                dir,
                threads: threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
                query_runs: query_runs.max(1),
                batch: batch.max(1),
                skip_ingest: no_ingest,
            };
            armsgraph::bench::run(&lexicon, &cfg, &mut out)?;
            Ok(0)
        }
        Command::Extract { inputs, format, explain, read } => {
            extract(&lexicon, &inputs, format, explain, &read.options()?, &mut out)
        }
        Command::Ingest { inputs, store, read, batch } => {
            let path = store.path();
            let gs = GraphStore::open(&path)?;
            let started = Instant::now();
            let totals = batch::ingest(&lexicon, &gs, &inputs, &read.options()?, batch)?;
            eprintln!(
                "armsgraph: ingested {} into {} (with the summary of {} flows and sources, {:.2} s); the store holds {} documents, {} quads",
                totals.summary(started.elapsed()),
                path.display(),
                totals.summarized,
                totals.summary_time.as_secs_f64(),
                gs.document_count()?,
                gs.len()?
            );
            Ok(if totals.skipped > 0 { EXIT_SKIPPED } else { 0 })
        }
        Command::Query { name, list, params, store, format, limit, lang } => {
            if list || name.is_none() {
                print_catalogue(&mut out)?;
                return Ok(0);
            }
            let q = query::find(name.as_deref().unwrap_or_default())?;
            let gs = store.open_existing()?;
            let pairs = parse_params(&q, &params)?;
            let bindings = query::bind(&gs.store, &lexicon, &q, &pairs)?;
            let mut table = query::collect(query::run(&gs.store, &q.text, &bindings)?, limit)?;
            if let Some(code) = &lang {
                query::localize(&mut table, code, &gs.store, &lexicon)?;
            }
            query::write_table(&table, format, terminal_width(), &mut out)?;
            Ok(0)
        }
        Command::Sparql { query: text, file, store, format, limit } => {
            let text = match (text, file) {
                (Some(t), None) => t,
                (None, Some(f)) => std::fs::read_to_string(&f).with_context(|| format!("reading {}", f.display()))?,
                _ => bail!("give the query as an argument or with --file, not both"),
            };
            let gs = store.open_existing()?;
            match query::run(&gs.store, &text, &[])? {
                // CONSTRUCT and DESCRIBE answer with RDF: Turtle with the armsgraph prefixes.
                oxigraph::sparql::QueryResults::Graph(triples) => {
                    let mut w = export::serializer(ExportFormat::Ttl).for_writer(io::BufWriter::new(&mut out));
                    for t in triples.take(limit.unwrap_or(usize::MAX)) {
                        w.serialize_triple(&t.context("query evaluation failed")?)?;
                    }
                    w.finish()?.flush()?;
                }
                results => {
                    let table = query::collect(results, limit)?;
                    query::write_table(&table, format, terminal_width(), &mut out)?;
                }
            }
            Ok(0)
        }
        Command::Export { store, format, graph: g } => {
            let gs = store.open_existing()?;
            let graph = g.map(|g| {
                if g.starts_with("http") {
                    oxigraph::model::NamedNode::new(g).context("--graph is not a valid IRI")
                } else {
                    Ok(graph::document_iri(&armsgraph::document::slug(&g)))
                }
            });
            let graph = graph.transpose()?;
            if let Some(g) = &graph {
                if !gs.store.contains_named_graph(g)? {
                    bail!("the store has no document graph {g}");
                }
            }
            let mut buffered = io::BufWriter::new(&mut out);
            export::export(&gs.store, format, graph.as_ref(), &mut buffered).map_err(|e| anyhow::anyhow!(e))?;
            buffered.flush()?;
            Ok(0)
        }
        Command::Dot { store, focus, depth, category, min_modality, since, format, query: from_query, params } => {
            let gs = store.open_existing()?;
            let focus = match focus {
                None => None,
                Some(f) => Some(query::resolve_entity(&gs.store, &lexicon, &f).with_context(|| {
                    format!("--focus {f:?} is not a known entity (IRI, id or label in any language)")
                })?),
            };
            let category = match category {
                None => None,
                Some(c) => Some(
                    query::resolve_category(&lexicon, &c)
                        .and_then(|iri| iri.as_str().rsplit('/').next().and_then(|n| n.parse().ok()))
                        .with_context(|| format!("--category {c:?} is not an item category (notation or label)"))?,
                ),
            };
            let min_modality = min_modality
                .map(|m| m.parse())
                .transpose()
                .map_err(|e: String| anyhow::anyhow!("--min-modality: {e}"))?;
            if let Some(d) = &since {
                if !input::is_date(d) {
                    bail!("--since {d:?} is not a date in the form YYYY-MM-DD");
                }
            }
            // The flows a prepared query returns: every flow IRI in any of its columns.
            let flows = match from_query {
                None => None,
                Some(name) => {
                    let q = query::find(&name)?;
                    let pairs = parse_params(&q, &params)?;
                    let bindings = query::bind(&gs.store, &lexicon, &q, &pairs)?;
                    let table = query::collect(query::run(&gs.store, &q.text, &bindings)?, None)?;
                    let prefix = format!("{}flow/", armsgraph::vocab::AGR);
                    let set: std::collections::BTreeSet<String> = table
                        .rows
                        .iter()
                        .flat_map(|r| r.values().iter().flatten().cloned().collect::<Vec<_>>())
                        .filter_map(|t| match t {
                            oxigraph::model::Term::NamedNode(n) if n.as_str().starts_with(&prefix) => {
                                Some(n.as_str().to_string())
                            }
                            _ => None,
                        })
                        .collect();
                    if set.is_empty() {
                        bail!("query {name} returned no flows to draw");
                    }
                    Some(set)
                }
            };
            let opts = dot::DotOptions { focus, depth, category, min_modality, since, flows };
            let g = dot::flow_graph(&gs.store, &opts)?;
            let text = dot::render(&g);
            match format {
                DotFormat::Dot => out.write_all(text.as_bytes())?,
                DotFormat::Svg => {
                    out.write_all(&dot::render_with_graphviz(&text, "svg").map_err(anyhow::Error::msg)?)?
                }
                DotFormat::Png => {
                    out.write_all(&dot::render_with_graphviz(&text, "png").map_err(anyhow::Error::msg)?)?
                }
            }
            Ok(0)
        }
    }
}

/// `--param NAME=VALUE` pairs, with what the query accepts when one is malformed.
fn parse_params(q: &query::PreparedQuery, params: &[String]) -> Result<Vec<(String, String)>> {
    params
        .iter()
        .map(|p| {
            p.split_once('=')
                .map(|(k, v)| (k.trim().to_string(), v.to_string()))
                .with_context(|| format!("--param {p:?} is not NAME=VALUE; query {} accepts: {}", q.name, q.usage()))
        })
        .collect()
}

fn terminal_width() -> Option<usize> {
    if let Some(c) = std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()) {
        return Some(c);
    }
    if !io::stdout().is_terminal() {
        return None;
    }
    Some(terminal_size::terminal_size().map_or(120, |(terminal_size::Width(w), _)| usize::from(w)))
}

fn print_catalogue(out: &mut dyn Write) -> Result<()> {
    for q in query::catalogue()? {
        writeln!(out, "{:<16} {}", q.name, q.title)?;
        if !q.description.is_empty() {
            writeln!(out, "{:<16} {}", "", q.description)?;
        }
        for p in &q.params {
            writeln!(
                out,
                "{:<16}   --param {}=<{}> ({}) {}",
                "",
                p.name,
                p.kind.name(),
                if p.required { "required" } else { "optional" },
                p.description
            )?;
        }
        for e in &q.examples {
            writeln!(out, "{:<16}   e.g. {e}", "")?;
        }
    }
    Ok(())
}

/// Reports a skipped input or a note on stderr.
/// Documents analysed together (in parallel) before their output is written, in input order.
const EXTRACT_BATCH: usize = 256;

fn extract(
    lexicon: &Lexicon,
    inputs: &[PathBuf],
    format: ExportFormat,
    explain: bool,
    opts: &ReadOptions,
    out: &mut dyn Write,
) -> Result<u8> {
    let started = Instant::now();
    let totals = if explain {
        let mut out = io::BufWriter::new(out);
        let totals = batch::extract(
            lexicon,
            inputs,
            opts,
            EXTRACT_BATCH,
            true,
            |a| {
                let mut text = Vec::new();
                write_explanation(lexicon, a, &mut text).map(|()| text)
            },
            |_, text| {
                out.write_all(&text?)?;
                Ok(0)
            },
        )?;
        out.flush()?;
        totals
    } else if format == ExportFormat::Nq {
        // N-Quads has no shared state (no prefixes, no merging): each document is serialized
        // in parallel and the bytes are written in input order.
        let mut out = io::BufWriter::new(out);
        let totals = batch::extract(
            lexicon,
            inputs,
            opts,
            EXTRACT_BATCH,
            false,
            |a| {
                let quads = pipeline::to_quads(lexicon, a);
                let mut bytes = Vec::with_capacity(quads.len() * 160);
                export::write_quads(quads.iter(), format, &mut bytes).map(|()| (bytes, quads.len()))
            },
            |_, made| {
                let (bytes, n) = made?;
                out.write_all(&bytes)?;
                Ok(n)
            },
        )?;
        out.flush()?;
        totals
    } else {
        let mut writer = export::QuadWriter::new(format, io::BufWriter::new(out));
        let totals = batch::extract(
            lexicon,
            inputs,
            opts,
            EXTRACT_BATCH,
            false,
            |a| pipeline::to_quads(lexicon, a),
            |_, quads| {
                writer.write(quads.iter())?;
                Ok(quads.len())
            },
        )?;
        writer.finish()?.flush()?;
        totals
    };
    if !explain {
        eprintln!("armsgraph: extracted {}", totals.summary(started.elapsed()));
    }
    Ok(if totals.skipped > 0 { EXIT_SKIPPED } else { 0 })
}

fn generate(
    articles: u64,
    seed: u64,
    languages: &[String],
    files: Option<&Path>,
    templates: Option<&Path>,
    out: &mut dyn Write,
) -> Result<u8> {
    use armsgraph::generate::{self, Templates};
    let mut all = match templates {
        None => generate::bundled()?,
        Some(dir) => {
            let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
                .with_context(|| format!("reading the template folder {}", dir.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "toml"))
                .collect();
            paths.sort();
            let mut all = Vec::new();
            for p in paths {
                let text = std::fs::read_to_string(&p).with_context(|| format!("reading {}", p.display()))?;
                all.push(Templates::parse(&p.display().to_string(), &text)?);
            }
            all
        }
    };
    if !languages.is_empty() {
        for l in languages {
            if !all.iter().any(|t| &t.lang == l) {
                let known: Vec<&str> = all.iter().map(|t| t.lang.as_str()).collect();
                bail!("no generator templates for language {l:?} (there are: {})", known.join(", "));
            }
        }
        all.retain(|t| languages.contains(&t.lang));
    }
    if all.is_empty() {
        bail!("no generator templates found");
    }
    let mut jsonl = io::BufWriter::new(out);
    for i in 0..articles {
        let a = generate::article(&all, seed, i);
        match files {
            None => {
                serde_json::to_writer(&mut jsonl, &a)?;
                jsonl.write_all(b"\n")?;
            }
            Some(dir) => {
                let folder = dir.join(&a.lang);
                std::fs::create_dir_all(&folder).with_context(|| format!("creating {}", folder.display()))?;
                let path = folder.join(format!("{}.txt", a.id));
                std::fs::write(&path, &a.text).with_context(|| format!("writing {}", path.display()))?;
                let meta = serde_json::json!({
                    "id": a.id, "lang": a.lang, "published": a.published, "title": a.title, "url": a.url,
                });
                let path = path.with_extension("json");
                std::fs::write(&path, meta.to_string()).with_context(|| format!("writing {}", path.display()))?;
            }
        }
    }
    jsonl.flush()?;
    Ok(0)
}

fn write_explanation(lexicon: &Lexicon, a: &Analysis, out: &mut dyn Write) -> Result<()> {
    let lang = lexicon.language(&a.lang).expect("analysed in a known language");
    writeln!(out, "# {} — language {} (confidence {:.2})", a.document.origin, a.lang, a.confidence)?;
    let ex = &a.extraction;
    for (i, s) in ex.sentences.iter().enumerate() {
        let mentions: Vec<_> = ex.mentions.iter().filter(|m| m.span.start >= s.start && m.span.end <= s.end).collect();
        let notes: Vec<_> = ex.explain.iter().filter(|(si, _)| *si == i).collect();
        if mentions.is_empty() && notes.is_empty() {
            continue;
        }
        writeln!(out, "\n[{i}] {}", a.document.text[s.clone()].replace('\n', " "))?;
        for m in mentions {
            let what = match m.target {
                Target::Entity(e) => format!("entity {} ({})", lexicon.entity(e).id, lexicon.entity(e).kind),
                Target::Demonym(e) => format!("demonym of {}", lexicon.entity(e).id),
                Target::Category(c) => format!("category {c}"),
                Target::Cue(c) => format!("cue {}", c.name()),
            };
            let rule = match m.found {
                Found::Entry(e) => {
                    let entry = lang.matcher.entry(e);
                    format!("{:?} in {}", entry.text, entry.file)
                }
                Found::Pattern(p) => format!("pattern {} in lexicon/patterns.toml", lexicon.patterns[p as usize].name),
            };
            writeln!(out, "    {:?} → {what}  [{rule}]", &a.document.text[m.span.clone()])?;
        }
        for (_, n) in notes {
            writeln!(out, "    ⇒ {n}")?;
        }
    }
    writeln!(out)?;
    Ok(())
}

fn demo(lexicon: &Lexicon, store_path: Option<&Path>, out: &mut dyn Write) -> Result<u8> {
    let started = Instant::now();
    let gs = match store_path {
        Some(p) => GraphStore::open(p)?,
        None => GraphStore::in_memory()?,
    };
    gs.ensure_vocabulary(lexicon)?;
    let mut docs = Vec::new();
    let mut skipped = 0;
    input::read_jsonl(
        armsgraph::bundled::DEMO_CORPUS.as_bytes(),
        "samples/demo.jsonl",
        &ReadOptions::default(),
        &mut |i| match i {
            Input::Document { document, .. } => docs.push(document),
            Input::Skipped { origin, reason } => {
                note(&origin, &format!("skipped: {reason}"));
                skipped += 1;
            }
        },
    );
    let analysed: Vec<_> = docs
        .into_par_iter()
        .map(|d| {
            let a = pipeline::analyse(lexicon, d);
            let q = pipeline::to_store_quads(lexicon, &a);
            (graph::document_iri(&a.document.key()), q, a.lang.clone(), a.extraction.attestations.len())
        })
        .collect();
    let mut langs: Vec<&str> = analysed.iter().map(|a| a.2.as_str()).collect();
    langs.sort_unstable();
    langs.dedup();
    let statements: usize = analysed.iter().map(|a| a.3).sum();
    let docs: Vec<_> = analysed.iter().map(|(g, q, ..)| (g.clone(), q.clone())).collect();
    gs.replace_documents(&docs)?;
    gs.refresh_summary()?;
    writeln!(
        out,
        "armsgraph demo: {} sample articles in {} languages ({}) → {} flow statements, {} quads, in {:.2} s\n",
        docs.len(),
        langs.len(),
        langs.join(", "),
        statements,
        gs.len()?,
        started.elapsed().as_secs_f64()
    )?;
    for (name, params, title) in [
        ("flows", vec![], "Every flow, strongest modality first"),
        ("exchanged-for", vec![], "What was exchanged for what"),
        ("actor", vec![("actor".to_string(), "Iran".to_string())], "Everything Iran supplied or received"),
    ] {
        let q = query::find(name)?;
        let b = query::bind(&gs.store, lexicon, &q, &params)?;
        let table = query::collect(query::run(&gs.store, &q.text, &b)?, Some(25))?;
        writeln!(
            out,
            "== {title}  (armsgraph query {name}{})",
            params.iter().map(|(k, v)| format!(" --param {k}={v:?}")).collect::<String>()
        )?;
        query::write_table(&table, ResultFormat::Table, Some(terminal_width().unwrap_or(120)), out)?;
        writeln!(out)?;
    }
    writeln!(out, "done in {:.2} s", started.elapsed().as_secs_f64())?;
    Ok(if skipped > 0 { EXIT_SKIPPED } else { 0 })
}

/// glibc's allocator spends a third of extraction in malloc/free for the many small strings of
/// RDF terms; mimalloc's thread-local free lists make the same work markedly cheaper. It is built
/// without transparent huge pages (Cargo.toml, `no_thp`): with them, memory freed in small
/// pieces stayed resident in 2 MB pages, and an ingest's peak was about 50 MB higher.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
