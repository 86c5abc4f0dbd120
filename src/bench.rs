//! `armsgraph bench`: one run, one generated corpus, every speed that matters.
//!
//! 1. writes a seeded corpus (`generate.rs`) as JSON Lines into the work folder;
//! 2. reads it back a chunk at a time (never whole), once per measure, and times on the same
//!    texts: the raw alias scan (one Aho-Corasick pass with every alias of every language,
//!    nothing else), extraction to quads on one thread and on all threads (checking that both
//!    give the same quads), and the stages of extraction on one thread;
//! 3. ingests the corpus file into a fresh on-disk store exactly as `armsgraph ingest` does,
//!    with the peak memory of that phase (the measures before it have let go of their memory);
//! 4. runs every prepared query of the catalogue on that store (with its documented example
//!    parameters) and reports p50/p95 latency.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use aho_corasick::{AhoCorasick, MatchKind};
use anyhow::{Context, Result};

use crate::document::{fnv1a, Document};
use crate::input::ReadOptions;
use crate::lexicon::Lexicon;
use crate::pipeline;
use crate::store::GraphStore;
use crate::text::{fold, split_sentences, Folded};

pub struct BenchConfig {
    pub articles: u64,
    pub seed: u64,
    /// Where the corpus and the store go (emptied first).
    pub dir: PathBuf,
    /// Threads for the parallel measurements (all cores by default).
    pub threads: usize,
    /// Timed runs of each prepared query (after one warm-up run).
    pub query_runs: usize,
    /// Documents per ingest transaction.
    pub batch: usize,
    pub skip_ingest: bool,
}

/// Documents read from the corpus file at a time.
const CHUNK: usize = 2000;

#[derive(Default)]
struct Stages {
    detect: Duration,
    fold: Duration,
    sentences: Duration,
    mentions: Duration,
    flows: Duration,
    quads: Duration,
    nquads: Duration,
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

fn rate(bytes: u64, d: Duration) -> f64 {
    mb(bytes) / d.as_secs_f64().max(1e-9)
}

/// The peak resident memory of this process so far (VmHWM), in MB, if the kernel says.
pub fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Resets the peak resident memory counter (Linux: `echo 5 > /proc/self/clear_refs`).
fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// Every alias of every language (and every pattern-free entry), folded, deduplicated: the
/// automaton any lexicon-driven extractor has to run over the text at least once.
pub fn alias_scanner(lexicon: &Lexicon) -> Result<(AhoCorasick, usize)> {
    let mut aliases: Vec<String> = lexicon
        .languages()
        .iter()
        .flat_map(|l| l.matcher.entries().iter().map(|e| fold(e.text.trim_start_matches('=').replace('*', "").trim())))
        .filter(|a| !a.is_empty())
        .collect();
    aliases.sort();
    aliases.dedup();
    let n = aliases.len();
    let ac = AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostLongest)
        .ascii_case_insensitive(true)
        .build(&aliases)
        .context("building the alias scanner")?;
    Ok((ac, n))
}

/// Percentile (0–100) of sorted durations.
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// The `--param NAME=VALUE` pairs of a catalogue example line.
fn example_params(example: &str) -> Vec<(String, String)> {
    example
        .split("--param ")
        .skip(1)
        .filter_map(|p| {
            let p = p.trim();
            let (name, value) = p.split_once('=')?;
            let value = value.trim();
            let value = value
                .strip_prefix('"')
                .and_then(|v| v.split_once('"'))
                .map_or_else(|| value.split_whitespace().next().unwrap_or("").to_string(), |(v, _)| v.to_string());
            Some((name.to_string(), value))
        })
        .collect()
}

/// Reads the corpus file a chunk at a time, with the reader `ingest` and `extract` use.
fn chunks(path: &Path, mut each: impl FnMut(Vec<Document>) -> Result<()>) -> Result<()> {
    let inputs = [path.to_path_buf()];
    crate::batch::in_batches(&inputs, &ReadOptions::default(), CHUNK, |pending| {
        each(pending.into_iter().map(|(document, _)| document).collect())
    })?;
    Ok(())
}

pub fn run(lexicon: &Lexicon, cfg: &BenchConfig, out: &mut dyn Write) -> Result<()> {
    let threads = cfg.threads.max(1);
    if cfg.dir.exists() {
        std::fs::remove_dir_all(&cfg.dir).with_context(|| format!("emptying {}", cfg.dir.display()))?;
    }
    std::fs::create_dir_all(&cfg.dir).with_context(|| format!("creating {}", cfg.dir.display()))?;
    let corpus = cfg.dir.join("corpus.jsonl");

    writeln!(
        out,
        "armsgraph bench: {} articles, seed {}, {} threads, work folder {}",
        cfg.articles,
        cfg.seed,
        threads,
        cfg.dir.display()
    )?;
    writeln!(
        out,
        "machine: {} logical cores, {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|c| c.lines().find(|l| l.starts_with("model name")).map(|l| l
                .split(':')
                .nth(1)
                .unwrap_or("")
                .trim()
                .to_string()))
            .unwrap_or_else(|| "unknown CPU".into())
    )?;

    // 1. The corpus.
    let started = Instant::now();
    let templates = crate::generate::bundled()?;
    {
        let mut w = std::io::BufWriter::new(
            std::fs::File::create(&corpus).with_context(|| format!("creating {}", corpus.display()))?,
        );
        for i in 0..cfg.articles {
            serde_json::to_writer(&mut w, &crate::generate::article(&templates, cfg.seed, i))?;
            w.write_all(b"\n")?;
        }
        w.flush()?;
    }
    let file_bytes = std::fs::metadata(&corpus)?.len();
    writeln!(
        out,
        "corpus: {} ({:.1} MB of JSON Lines, {} languages) written in {:.2} s",
        corpus.display(),
        mb(file_bytes),
        templates.len(),
        started.elapsed().as_secs_f64()
    )?;

    // 2. Scan and extraction, chunk by chunk, on the same texts.
    measure_extraction(lexicon, &corpus, threads, out)?;
    if cfg.skip_ingest {
        return Ok(());
    }

    // 3. Ingest into a fresh on-disk store, as `armsgraph ingest` does: on a thread pool of its
    // own, with the scanner and the extraction pools gone, so the peak memory is the ingest's.
    let store_path = cfg.dir.join("store");
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build()?;
    ingest_and_query(lexicon, cfg, &corpus, &store_path, &pool, out)
}

/// Times, on the same texts, the raw alias scan, extraction on one thread and on `threads`, and
/// the stages of extraction on one thread; prints the table and the stages. Each measure is a
/// pass of its own over the corpus (read again, untimed, a chunk at a time), as in a real run:
/// interleaved chunk by chunk, each measure started with the processor's caches full of the
/// previous one's data (the scan's automaton, the other pool's work), and both the scan and the
/// extraction measured about a tenth slower than they run.
fn measure_extraction(lexicon: &Lexicon, corpus: &Path, threads: usize, out: &mut dyn Write) -> Result<()> {
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build()?;
    let all = rayon::ThreadPoolBuilder::new().num_threads(threads).build()?;

    // The raw alias scan.
    let (scanner, aliases) = alias_scanner(lexicon)?;
    let mut text_bytes = 0u64;
    let mut docs = 0u64;
    let mut scan = Duration::ZERO;
    let mut scan_hits = 0u64;
    chunks(corpus, |chunk| {
        docs += chunk.len() as u64;
        text_bytes += chunk.iter().map(|d| d.text.len() as u64).sum::<u64>();
        let t = Instant::now();
        for d in &chunk {
            scan_hits += scanner.find_iter(d.text.as_str()).count() as u64;
        }
        scan += t.elapsed();
        Ok(())
    })?;
    drop(scanner);

    // Extraction, analysed as `extract` and `ingest` do: a language at a time, results in input
    // order. Each document's quad and flow counts, to compare the two pools' results.
    let extract = |docs: Vec<Document>| -> Vec<u64> {
        pipeline::map_by_language(
            docs,
            |d| d,
            |d| {
                let a = pipeline::analyse(lexicon, d);
                let q = pipeline::to_quads(lexicon, &a);
                q.len() as u64 | (a.extraction.attestations.len() as u64) << 32
            },
        )
    };
    let mut same = true;
    let mut first_chunk = true;
    let mut ex1 = Duration::ZERO;
    let mut counts = Vec::with_capacity(docs as usize);
    chunks(corpus, |chunk| {
        if first_chunk {
            // Untimed: the whole quads of the first chunk, 1 thread against all threads.
            let full = |docs: Vec<Document>| -> Vec<crate::graph::DocumentGraph> {
                pipeline::map_by_language(docs, |d| d, |d| pipeline::to_quads(lexicon, &pipeline::analyse(lexicon, d)))
            };
            same &= one.install(|| full(chunk.clone())) == all.install(|| full(chunk.clone()));
            first_chunk = false;
        }
        let t = Instant::now();
        let r1 = one.install(|| extract(chunk));
        ex1 += t.elapsed();
        counts.extend(r1);
        Ok(())
    })?;
    let mut exn = Duration::ZERO;
    let mut compared = 0;
    chunks(corpus, |chunk| {
        let t = Instant::now();
        let rn = all.install(|| extract(chunk));
        exn += t.elapsed();
        same &= counts.get(compared..compared + rn.len()) == Some(&rn[..]);
        compared += rn.len();
        Ok(())
    })?;
    same &= compared == counts.len();
    let quads: u64 = counts.iter().map(|f| f & 0xffff_ffff).sum();
    let flows: u64 = counts.iter().map(|f| f >> 32).sum();

    // Stages, one thread, in the same order.
    let mut st = Stages::default();
    chunks(corpus, |mut chunk| {
        chunk.sort_by(pipeline::by_language);
        for d in chunk {
            let t = Instant::now();
            std::hint::black_box(crate::langid::detect(lexicon, &d.text));
            st.detect += t.elapsed();
            let lang = lexicon.language(d.lang.as_deref().unwrap_or("en")).unwrap_or(&lexicon.languages()[0]);
            let t = Instant::now();
            let folded = Folded::new(&d.text);
            st.fold += t.elapsed();
            let t = Instant::now();
            let sentences = split_sentences(&d.text, &lang.abbreviations);
            st.sentences += t.elapsed();
            let t = Instant::now();
            let mentions = crate::mentions::find_mentions(lexicon, lang, &d.text, &folded);
            st.mentions += t.elapsed();
            let t = Instant::now();
            std::hint::black_box(crate::flows::extract_flows(
                lexicon,
                lang,
                &d.text,
                d.published.as_deref(),
                sentences,
                mentions,
                false,
            ));
            st.flows += t.elapsed();
            let a = pipeline::analyse(lexicon, d);
            let t = Instant::now();
            let q = pipeline::to_quads(lexicon, &a);
            st.quads += t.elapsed();
            let t = Instant::now();
            let mut bytes = Vec::with_capacity(q.len() * 160);
            crate::export::write_quads(q.iter(), crate::export::ExportFormat::Nq, &mut bytes)?;
            st.nquads += t.elapsed();
            std::hint::black_box(fnv1a(&bytes[..bytes.len().min(64)]));
        }
        Ok(())
    })?;
    let per_doc = |d: Duration| d.as_secs_f64() * 1e6 / docs.max(1) as f64;
    writeln!(
        out,
        "text: {docs} articles, {:.1} MB of article text ({:.0} bytes per article)",
        mb(text_bytes),
        text_bytes as f64 / docs.max(1) as f64
    )?;
    writeln!(out)?;
    writeln!(out, "| measure | time | MB/s | articles/s |")?;
    writeln!(out, "| --- | ---: | ---: | ---: |")?;
    let row = |out: &mut dyn Write, name: &str, d: Duration| -> std::io::Result<()> {
        writeln!(
            out,
            "| {name} | {:.2} s | {:.1} | {:.0} |",
            d.as_secs_f64(),
            rate(text_bytes, d),
            docs as f64 / d.as_secs_f64().max(1e-9)
        )
    };
    row(out, &format!("raw alias scan ({aliases} aliases, 1 thread, {scan_hits} hits)"), scan)?;
    row(out, "extraction to quads, 1 thread", ex1)?;
    row(out, &format!("extraction to quads, {threads} threads"), exn)?;
    writeln!(out)?;
    writeln!(
        out,
        "extraction ÷ raw scan: {:.1}; scaling 1 → {threads} threads: {:.2}×; {flows} flow statements, {quads} quads; same quads at 1 and {threads} threads (first chunk compared whole, the rest by counts): {}",
        ex1.as_secs_f64() / scan.as_secs_f64().max(1e-9),
        ex1.as_secs_f64() / exn.as_secs_f64().max(1e-9),
        if same { "yes" } else { "NO" }
    )?;
    writeln!(out)?;
    writeln!(out, "stages, 1 thread (µs per article): language detection {:.1} (skipped when declared), fold {:.1}, sentences {:.1}, mentions {:.1}, flows {:.1}, quads {:.1}; N-Quads serialization {:.1}", per_doc(st.detect), per_doc(st.fold), per_doc(st.sentences), per_doc(st.mentions), per_doc(st.flows), per_doc(st.quads), per_doc(st.nquads))?;

    Ok(())
}

/// Ingests the corpus into a fresh store at `store_path` on `pool` (with the peak memory of
/// that phase), then times every prepared query on it.
fn ingest_and_query(
    lexicon: &Lexicon,
    cfg: &BenchConfig,
    corpus: &Path,
    store_path: &Path,
    pool: &rayon::ThreadPool,
    out: &mut dyn Write,
) -> Result<()> {
    let reset = reset_peak_rss();
    let started = Instant::now();
    let gs = GraphStore::open(store_path)?;
    let totals = pool
        .install(|| crate::batch::ingest(lexicon, &gs, &[corpus.to_path_buf()], &ReadOptions::default(), cfg.batch))?;
    let ingest_time = started.elapsed();
    let peak = if reset { peak_rss_mb() } else { None };
    let stored = gs.len()?;
    drop(gs);
    let size = crate::batch::size_of(store_path);
    writeln!(out)?;
    writeln!(
        out,
        "ingest: {} articles, {} quads written ({} in the store with the vocabulary and the summary) in {:.1} s, of which {:.1} s the summary of {} flows and sources: {:.0} quads/s, {:.0} articles/s; peak memory {}; store {:.0} MB on disk",
        totals.documents,
        totals.quads,
        stored,
        ingest_time.as_secs_f64(),
        totals.summary_time.as_secs_f64(),
        totals.summarized,
        totals.quads as f64 / ingest_time.as_secs_f64().max(1e-9),
        totals.documents as f64 / ingest_time.as_secs_f64().max(1e-9),
        peak.map_or("unknown".into(), |p| format!("{p:.0} MB")),
        mb(size)
    )?;

    // 4. Prepared queries on that store.
    let gs = GraphStore::open(store_path)?;
    writeln!(out)?;
    writeln!(out, "| query | parameters | rows | p50 ms | p95 ms |")?;
    writeln!(out, "| --- | --- | ---: | ---: | ---: |")?;
    let mut every = Vec::new();
    for q in crate::query::catalogue()? {
        let params = q.examples.first().map(|e| example_params(e)).unwrap_or_default();
        let mut times = Vec::with_capacity(cfg.query_runs);
        let mut rows = 0;
        for run in 0..=cfg.query_runs {
            let t = Instant::now();
            let bindings = crate::query::bind(&gs.store, lexicon, &q, &params)?;
            let table = crate::query::collect(crate::query::run(&gs.store, &q.text, &bindings)?, None)?;
            let d = t.elapsed();
            rows = table.rows.len();
            if run > 0 {
                times.push(d);
            }
        }
        times.sort();
        every.extend(times.iter().copied());
        let shown: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
        writeln!(
            out,
            "| {} | {} | {rows} | {:.1} | {:.1} |",
            q.name,
            shown.join(" "),
            ms(percentile(&times, 50.0)),
            ms(percentile(&times, 95.0))
        )?;
    }
    every.sort();
    writeln!(out)?;
    writeln!(
        out,
        "all prepared queries: p50 {:.1} ms, p95 {:.1} ms over {} runs",
        ms(percentile(&every, 50.0)),
        ms(percentile(&every, 95.0)),
        every.len()
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_parameters_are_read_from_catalogue_lines() {
        assert_eq!(
            example_params(r#"armsgraph query actor --param actor="North Korea" --param since=2023-01-01"#),
            vec![("actor".to_string(), "North Korea".to_string()), ("since".to_string(), "2023-01-01".to_string())]
        );
        assert!(example_params("armsgraph query flows").is_empty());
    }

    #[test]
    fn percentiles() {
        let d: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&d, 50.0), Duration::from_millis(51));
        assert_eq!(percentile(&d, 95.0), Duration::from_millis(95));
        assert_eq!(percentile(&[], 50.0), Duration::ZERO);
    }
}
