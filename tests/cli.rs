//! The real binary, every subcommand: output, exit codes, bad input, the store lock.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_armsgraph");

const ARTICLE_EN: &str = "Pyongyang ships artillery shells to Russia by rail, according to Ukrainian intelligence. \
In return, Moscow is expected to give North Korea food and fuel.\n";

const ARTICLE_DE: &str =
    "Laut dem südkoreanischen Geheimdienst hat Nordkorea Russland mit ballistischen Raketen beliefert. \
Die Lieferungen sollen über den Hafen Rajin laufen.\n";

struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("armsgraph-cli-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.0.join(name);
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent).unwrap();
        }
        fs::write(&p, bytes).unwrap();
        p
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env_remove("ARMSGRAPH_STORE")
        .env_remove("ARMSGRAPH_LEXICON")
        .output()
        .expect("run armsgraph")
}

fn run_stdin(args: &[&str], input: &str) -> Output {
    pipe(BIN, args, input)
}

/// Runs a program with `input` on its standard input.
fn pipe(program: &str, args: &[&str], input: &str) -> Output {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn extract_turtle_has_flows_and_prefixes() {
    let dir = Scratch::new("extract");
    let f = dir.file("a.txt", ARTICLE_EN.as_bytes());
    let o = run(&["extract", s(&f), "--format", "ttl"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("@prefix ag:"), "{out}");
    assert!(out.contains("agf:north-korea--russia--artillery-ammunition a ag:Transfer"), "{out}");
    assert!(out.contains("agf:russia--north-korea--food"), "{out}");
    assert!(out.contains("ag:inExchangeFor"), "{out}");
}

#[test]
fn extract_is_deterministic_and_each_format_parses() {
    let dir = Scratch::new("formats");
    let f = dir.file("a.txt", ARTICLE_DE.as_bytes());
    let first = stdout(&run(&["extract", s(&f), "--format", "nq"]));
    assert_eq!(first, stdout(&run(&["extract", s(&f), "--format", "nq"])));
    assert!(first.contains("flow/north-korea--russia--ballistic-missiles"), "{first}");
    for format in ["ttl", "nt", "nq", "trig", "jsonld", "rdfxml"] {
        let o = run(&["extract", s(&f), "--format", format]);
        assert!(o.status.success(), "{format}: {}", stderr(&o));
        assert!(o.stdout.len() > 500, "{format}: too little output");
    }
}

#[test]
fn extract_reads_stdin_and_explains() {
    let o = run_stdin(&["extract", "-", "--lang", "en", "--explain"], ARTICLE_EN);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("entity north-korea"), "{out}");
    assert!(out.contains("cue supply"), "{out}");
    assert!(out.contains("flows North Korea -> Russia: artillery-ammunition"), "{out}");
}

#[test]
fn bad_inputs_are_named_and_the_batch_goes_on() {
    let dir = Scratch::new("bad");
    let good = dir.file("in/good.txt", ARTICLE_EN.as_bytes());
    dir.file("in/empty.txt", b"");
    dir.file("in/binary.txt", b"\x00\x01\x02PNG\x00\x00");
    dir.file("in/latin1.txt", b"North Korea sent shells to Russia, caf\xe9 owners said.\n");
    dir.file("in/notes.pdf", b"%PDF-1.4");
    let o = run(&["extract", s(&dir.path("in")), "--format", "nq"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("empty.txt: skipped: empty"), "{err}");
    assert!(err.contains("binary.txt: skipped: binary"), "{err}");
    assert!(err.contains("latin1.txt: invalid UTF-8 at byte"), "{err}");
    assert!(err.contains("notes.pdf: skipped"), "{err}");
    assert!(stdout(&o).contains("north-korea--russia--artillery-ammunition"));
    // A missing file is skipped too.
    let o = run(&["extract", s(&good), s(&dir.path("missing.txt"))]);
    assert_eq!(o.status.code(), Some(3));
    assert!(stderr(&o).contains("missing.txt: skipped: cannot open"), "{}", stderr(&o));
}

#[test]
fn unknown_language_is_reported() {
    let o = run_stdin(&["extract", "-"], "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod.");
    assert!(o.status.success());
    assert!(stderr(&o).contains("language not recognised"), "{}", stderr(&o));
}

#[test]
fn ingest_query_export_dot_round_trip() {
    let dir = Scratch::new("store");
    let store = dir.path("kg.db");
    let corpus = dir.file(
        "corpus.jsonl",
        format!(
            "{}\n{}\n",
            serde_json::json!({"id": "en-1", "text": ARTICLE_EN, "published": "2024-10-01", "title": "Shells by rail"}),
            serde_json::json!({"id": "de-1", "text": ARTICLE_DE, "lang": "de"})
        )
        .as_bytes(),
    );
    let o = run(&["ingest", s(&corpus), "--store", s(&store)]);
    assert!(o.status.success(), "{}", stderr(&o));
    // The one-line summary: articles, flows, quads, skipped, time.
    let summary = stderr(&o);
    assert!(summary.contains("ingested 2 articles, "), "{summary}");
    assert!(summary.contains(" 0 skipped, ") && summary.contains("the store holds 2 documents"), "{summary}");
    let flows: usize = summary.split(" flows").next().unwrap().rsplit(' ').next().unwrap().parse().unwrap();
    assert!(flows >= 4, "{summary}");

    let o = run(&["query", "flows", "--store", s(&store), "--param", "supplier=Korea Północna", "--format", "csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let csv = stdout(&o);
    assert!(csv.contains("artillery-ammunition") || csv.contains("artillery ammunition"), "{csv}");
    assert!(csv.contains("ballistic"), "{csv}");
    assert!(!csv.contains("food"), "supplier filter ignored: {csv}");

    let o = run(&["query", "exchanged-for", "--store", s(&store)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("food"), "{}", stdout(&o));

    let o = run(&["query", "actor", "--store", s(&store), "--param", "actor=Nordkorea", "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(json["results"]["bindings"].as_array().unwrap().len() >= 3, "{json}");

    let flow = "north-korea--russia--artillery-ammunition";
    let o = run(&["query", "evidence", "--store", s(&store), "--param", &format!("flow={flow}"), "--format", "tsv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("rail"), "{}", stdout(&o));

    let o = run(&[
        "sparql",
        "SELECT (COUNT(*) AS ?n) WHERE { ?f a <https://w3id.org/armsgraph/ontology#Transfer> }",
        "--store",
        s(&store),
        "--format",
        "csv",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let n: usize = stdout(&o).lines().nth(1).unwrap().trim().parse().unwrap();
    assert!(n >= 4, "{}", stdout(&o));

    let rq = dir.file("q.rq", b"SELECT ?doc WHERE { ?doc a <http://schema.org/NewsArticle> } ORDER BY ?doc");
    let o = run(&["sparql", "--file", s(&rq), "--store", s(&store), "--format", "tsv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o).lines().count(), 3, "a header and two documents: {}", stdout(&o));
    let construct = "CONSTRUCT { ?f <https://w3id.org/armsgraph/ontology#supplier> ?s } WHERE { ?f <https://w3id.org/armsgraph/ontology#supplier> ?s }";
    let o = run(&["sparql", construct, "--store", s(&store)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let turtle = stdout(&o);
    let triples: Vec<_> = oxigraph::io::RdfParser::from_format(oxigraph::io::RdfFormat::Turtle)
        .for_slice(turtle.as_bytes())
        .collect::<Result<_, _>>()
        .expect("CONSTRUCT prints Turtle");
    assert!(triples.len() >= 4 && turtle.contains("ag:supplier agr:north-korea"), "{turtle}");
    let ask = "ASK { ?f <https://w3id.org/armsgraph/ontology#recipient> <https://w3id.org/armsgraph/resource/russia> }";
    let o = run(&["sparql", ask, "--store", s(&store), "--format", "csv"]);
    assert_eq!(stdout(&o).lines().nth(1), Some("true"), "{}", stdout(&o));
    let o = run(&["sparql", "SELECT WHERE {", "--store", s(&store)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("SPARQL syntax error"), "{}", stderr(&o));

    let o = run(&["export", "--store", s(&store), "--format", "ttl"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("@prefix agr:"));
    let o = run(&["export", "--store", s(&store), "--format", "nq", "--graph", "en-1"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).lines().all(|l| l.ends_with("<https://w3id.org/armsgraph/resource/doc/en-1> .")));
    let o = run(&["export", "--store", s(&store), "--graph", "nope"]);
    assert_eq!(o.status.code(), Some(1));

    let o = run(&["dot", "--store", s(&store), "--focus", "Iran", "--depth", "1"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&["dot", "--store", s(&store), "--focus", "North Korea"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let dot = stdout(&o);
    assert!(dot.starts_with("digraph {"), "{dot}");
    assert!(dot.contains("\"North Korea\"") && dot.contains("exchange"), "{dot}");
}

#[test]
fn query_parameters_are_checked() {
    let dir = Scratch::new("params");
    let store = dir.path("kg.db");
    let f = dir.file("a.txt", ARTICLE_EN.as_bytes());
    assert!(run(&["ingest", s(&f), "--store", s(&store)]).status.success());
    let o = run(&["query", "actor", "--store", s(&store)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("missing required parameter actor"), "{}", stderr(&o));
    let o = run(&["query", "flows", "--store", s(&store), "--param", "colour=red"]);
    assert!(stderr(&o).contains("unknown parameter \"colour\"") && stderr(&o).contains("supplier"), "{}", stderr(&o));
    // SPARQL syntax in a value is just a strange label.
    let o = run(&["query", "actor", "--store", s(&store), "--param", "actor=x> } ; DROP ALL ; #"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("is not a known entity"), "{}", stderr(&o));
    let o = run(&["query", "nope", "--store", s(&store)]);
    assert!(stderr(&o).contains("unknown query"), "{}", stderr(&o));
    let o = run(&["query", "--list"]);
    assert!(stdout(&o).contains("exchanged-for") && stdout(&o).contains("--param supplier="), "{}", stdout(&o));
}

#[test]
fn missing_store_and_locked_store_are_clear_errors() {
    let dir = Scratch::new("lock");
    let o = run(&["query", "flows", "--store", s(&dir.path("none.db"))]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no store at"), "{}", stderr(&o));

    let store = dir.path("kg.db");
    let f = dir.file("a.txt", ARTICLE_EN.as_bytes());
    assert!(run(&["ingest", s(&f), "--store", s(&store)]).status.success());
    // Hold the store open from another process (an ingest reading a stdin that stays open).
    let mut holder = Command::new(BIN)
        .args(["ingest", "-", "--store", s(&store)])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let o = run(&["ingest", s(&f), "--store", s(&store)]);
    drop(holder.stdin.take());
    let _ = holder.wait();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("in use by another process"), "{}", stderr(&o));
}

#[test]
fn demo_answers() {
    let o = run(&["demo"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("6 languages"), "{out}");
    assert!(out.contains("What was exchanged for what"), "{out}");
    assert!(out.contains("Shahed"), "{out}");
}

#[test]
fn published_date_is_validated() {
    let o = run_stdin(&["extract", "-", "--published", "next week"], ARTICLE_EN);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("--published"), "{}", stderr(&o));
}

#[test]
fn dot_output_renders_with_graphviz() {
    let dir = Scratch::new("dot");
    let store = dir.path("kg.db");
    assert!(run(&["demo", "--store", s(&store)]).status.success());
    let o = run(&["dot", "--store", s(&store)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let dot = stdout(&o);
    assert!(dot.contains("shape=box") && dot.contains("cluster_legend") && dot.contains("exchange:"), "{dot}");
    // Deterministic.
    assert_eq!(dot, stdout(&run(&["dot", "--store", s(&store)])));
    if Command::new("dot").arg("-V").output().is_err() {
        eprintln!("skipped the render check: graphviz `dot` is not installed");
        return;
    }
    let rendered = pipe("dot", &["-Tsvg"], &dot);
    assert!(rendered.status.success(), "graphviz rejected the DOT: {}", String::from_utf8_lossy(&rendered.stderr));
    let svg = String::from_utf8_lossy(&rendered.stdout);
    assert!(svg.contains("<svg") && svg.contains("North Korea"), "{svg}");
}

#[test]
fn dot_renders_svg_or_says_how_to_get_graphviz() {
    let dir = Scratch::new("svg");
    let store = dir.path("kg.db");
    assert!(run(&["demo", "--store", s(&store)]).status.success());
    let without = Command::new(BIN)
        .args(["dot", "--store", s(&store), "--format", "png"])
        .env("PATH", s(&dir.path("no-bin")))
        .env_remove("ARMSGRAPH_STORE")
        .output()
        .unwrap();
    assert_eq!(without.status.code(), Some(1));
    assert!(stderr(&without).contains("apt-get install graphviz"), "{}", stderr(&without));
    // One query's result: only Iran's flows (and the actors at their other end).
    let o = run(&["dot", "--store", s(&store), "--query", "actor", "--param", "actor=Iran"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let dot = stdout(&o);
    assert!(dot.contains("\"Iran\"") && !dot.contains("South Korea"), "{dot}");
    let o = run(&["dot", "--store", s(&store), "--query", "actor", "--param", "actor=Atlantis"]);
    assert_eq!(o.status.code(), Some(1));
    if Command::new("dot").arg("-V").output().is_err() {
        eprintln!("skipped the SVG check: graphviz `dot` is not installed");
        return;
    }
    let o = run(&["dot", "--store", s(&store), "--format", "svg", "--category", "drones"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let svg = stdout(&o);
    assert!(svg.contains("<svg") && svg.contains("Iran") && !svg.contains("food"), "{svg}");
}

fn run_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(BIN);
    c.args(args).env_remove("ARMSGRAPH_STORE").env_remove("ARMSGRAPH_LEXICON");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run armsgraph")
}

#[test]
fn generate_is_seeded_prefix_stable_and_extractable() {
    let a = run(&["generate", "--articles", "40", "--seed", "5"]);
    assert!(a.status.success(), "{}", stderr(&a));
    let text = stdout(&a);
    assert_eq!(text, stdout(&run(&["generate", "--articles", "40", "--seed", "5"])));
    assert_ne!(text, stdout(&run(&["generate", "--articles", "40", "--seed", "6"])));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 40);
    // Article i depends only on (seed, i): a smaller corpus is a prefix of a larger one.
    let small = stdout(&run(&["generate", "--articles", "10", "--seed", "5"]));
    assert_eq!(small.lines().collect::<Vec<_>>(), lines[..10]);
    let mut langs = std::collections::BTreeSet::new();
    for l in &lines {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        assert!(v["text"].as_str().unwrap().len() > 800, "short article: {l}");
        assert!(v["published"].as_str().unwrap().len() == 10);
        langs.insert(v["lang"].as_str().unwrap().to_string());
    }
    assert!(langs.len() >= 5, "{langs:?}");

    // The generated articles state flows, and extraction finds them, the same at any thread count.
    let dir = Scratch::new("generate");
    let corpus = dir.file("g.jsonl", text.as_bytes());
    let one = run_env(&["extract", "--format", "nq", s(&corpus)], &[("RAYON_NUM_THREADS", "1")]);
    let two = run_env(&["extract", "--format", "nq", s(&corpus)], &[("RAYON_NUM_THREADS", "2")]);
    assert!(one.status.success(), "{}", stderr(&one));
    assert_eq!(one.stdout, two.stdout, "output differs between 1 and 2 threads");
    let summary = stderr(&one);
    assert!(summary.contains("extracted 40 articles, "), "{summary}");
    let flows: usize = summary.split(" flows").next().unwrap().rsplit(' ').next().unwrap().parse().unwrap();
    assert!(flows > 40, "{summary}");
    let ttl = run_env(&["extract", "--format", "ttl", s(&corpus)], &[("RAYON_NUM_THREADS", "1")]);
    assert_eq!(ttl.stdout, run_env(&["extract", "--format", "ttl", s(&corpus)], &[("RAYON_NUM_THREADS", "2")]).stdout);

    let o = run(&["generate", "--articles", "1", "--languages", "xx"]);
    assert!(!o.status.success() && stderr(&o).contains("no generator templates for language \"xx\""), "{}", stderr(&o));
}

#[test]
fn generated_files_carry_their_metadata_into_the_graph() {
    let dir = Scratch::new("genfiles");
    let folder = dir.path("corpus");
    let o = run(&["generate", "--articles", "6", "--seed", "2", "--files", s(&folder)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&["extract", "--format", "nq", s(&folder)]);
    assert!(o.status.success(), "metadata files must not be reported as skipped: {}", stderr(&o));
    let nq = stdout(&o);
    for i in 0..6 {
        assert!(nq.contains(&format!("resource/doc/gen-2-000000{i}>")), "document {i} lost its id");
    }
    assert!(nq.contains("http://schema.org/datePublished"), "published date not read from the .json");
}

#[test]
fn bulk_ingest_then_re_ingest_replaces_and_keeps_the_rest() {
    let dir = Scratch::new("bulk");
    let store = dir.path("kg.db");
    let corpus = dir.file("g.jsonl", &run(&["generate", "--articles", "30", "--seed", "9"]).stdout);
    // New documents go in through the bulk loader.
    let o = run(&["ingest", s(&corpus), "--store", s(&store), "--batch", "7"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let count = |store: &Path| -> String {
        let o = run(&[
            "sparql",
            "--store",
            s(store),
            "--format",
            "csv",
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
        ]);
        stdout(&o)
    };
    let first = count(&store);
    // The summary graph counts exactly the attestations the document graphs state.
    let attestations = |store: &Path, graph: &str| -> u64 {
        let q = match graph {
            "summary" => "SELECT (SUM(?n) AS ?total) WHERE { GRAPH <https://w3id.org/armsgraph/summary> { ?f <https://w3id.org/armsgraph/ontology#supplier> ?x ; <https://w3id.org/armsgraph/ontology#attestationCount> ?n } }",
            _ => "SELECT (COUNT(*) AS ?total) WHERE { GRAPH ?g { ?f <https://w3id.org/armsgraph/ontology#attestedBy> ?a } }",
        };
        let out = stdout(&run(&["sparql", "--store", s(store), "--format", "csv", q]));
        out.lines().last().and_then(|l| l.trim().parse().ok()).unwrap_or_else(|| panic!("{out}"))
    };
    assert!(stderr(&o).contains("with the summary of"), "{}", stderr(&o));
    assert_eq!(attestations(&store, "summary"), attestations(&store, "documents"));
    assert!(attestations(&store, "documents") > 0);
    // Ingesting again (documents already there) replaces their graphs: same statements, no duplicates.
    let o = run(&["ingest", s(&corpus), "--store", s(&store), "--batch", "7"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("the store holds 30 documents"), "{}", stderr(&o));
    assert_eq!(first, count(&store));
    // A changed document replaces exactly its own graph.
    let one = dir.file("one.jsonl", br#"{"id": "gen-9-0000000", "lang": "en", "text": "Nothing to see here today."}"#);
    let o = run(&["ingest", s(&one), "--store", s(&store)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("the store holds 30 documents"), "{}", stderr(&o));
    assert_ne!(first, count(&store));
    assert_eq!(attestations(&store, "summary"), attestations(&store, "documents"));
}

#[test]
fn bench_reports_every_measure() {
    let dir = Scratch::new("bench");
    let work = dir.path("work");
    let o = run(&["bench", "--articles", "60", "--dir", s(&work), "--query-runs", "1"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let report = stdout(&o);
    for needle in [
        "text: 60 articles",
        "| raw alias scan (",
        "| extraction to quads, 1 thread |",
        "same quads at 1 and",
        "ingest: 60 articles,",
        "| flows |",
        "| actor | actor=North Korea |",
        "all prepared queries: p50",
    ] {
        assert!(report.contains(needle), "missing {needle:?} in\n{report}");
    }
    assert!(report.contains("threads (first chunk compared whole, the rest by counts): yes"), "{report}");
}

#[test]
fn a_reading_command_completes_the_summary_an_interrupted_ingest_left() {
    use armsgraph::{document::Document, graph, lexicon::Lexicon, pipeline, store::GraphStore, summary::Tally};
    let dir = Scratch::new("interrupted");
    let store = dir.path("kg.db");
    {
        // Documents written as an ingest writes them, but the run ends before its summary.
        let lexicon = Lexicon::bundled().unwrap();
        let gs = GraphStore::open(&store).unwrap();
        gs.ensure_vocabulary(&lexicon).unwrap();
        let doc = Document {
            id: Some("cut-short".into()),
            lang: Some("en".into()),
            ..Document::from_text("Iran delivered Shahed-136 drones to Russia, Kyiv said.")
        };
        let a = pipeline::analyse(&lexicon, doc.clone());
        let quads = pipeline::to_store_quads(&lexicon, &a);
        gs.write_documents(vec![(graph::document_iri(&doc.key()), quads)], &mut Tally::default()).unwrap();
    }
    let o = run(&["query", "flows", "--store", s(&store), "--format", "csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("completed the summary"), "{}", stderr(&o));
    assert!(stdout(&o).contains("https://w3id.org/armsgraph/resource/flow/iran--russia--drones"), "{}", stdout(&o));
    // Once complete, nothing is left to do.
    let o = run(&["query", "flows", "--store", s(&store), "--format", "csv"]);
    assert!(!stderr(&o).contains("completed the summary"), "{}", stderr(&o));
}
