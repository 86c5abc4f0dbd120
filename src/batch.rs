//! Streaming a corpus through the pipeline (I/O edge): documents are read in input order,
//! analysed in parallel a batch at a time, and handed on in input order, so the output is the
//! same bytes at any thread count and the corpus is never held whole. Long runs report their
//! progress on a terminal; every run ends with a one-line summary.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use crate::document::Document;
use crate::graph;
use crate::input::{self, Input, ReadOptions};
use crate::lexicon::Lexicon;
use crate::pipeline::{self, Analysis};
use crate::store::GraphStore;
use crate::summary;

/// Prints what armsgraph has to say about one input on stderr.
pub fn note(origin: &str, what: &str) {
    let mut err = std::io::stderr().lock();
    Progress::clear_line(&mut err);
    let _ = writeln!(err, "armsgraph: {origin}: {what}");
}

/// Counts of a run, for its summary line.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Totals {
    pub documents: usize,
    /// Attestations (flow statements) extracted.
    pub flows: usize,
    pub quads: usize,
    pub skipped: usize,
    /// Bytes of article text analysed.
    pub bytes: usize,
    /// Flows and sources whose summary the run recomputed (ingest), and how long that took.
    pub summarized: usize,
    pub summary_time: Duration,
}

impl Totals {
    fn add(&mut self, a: &Analysis, quads: usize) {
        self.documents += 1;
        self.flows += a.extraction.attestations.len();
        self.quads += quads;
        self.bytes += a.document.text.len();
    }

    /// `1234 articles, 456 flows, 7890 quads, 0 skipped, 1.23 s (2.9 MB/s, 1003 articles/s)`;
    /// "flows" counts flow statements (attestations).
    pub fn summary(&self, elapsed: Duration) -> String {
        let s = elapsed.as_secs_f64();
        format!(
            "{} articles, {} flows, {} quads, {} skipped, {:.2} s ({:.1} MB/s, {:.0} articles/s)",
            self.documents,
            self.flows,
            self.quads,
            self.skipped,
            s,
            self.bytes as f64 / 1e6 / s.max(1e-9),
            self.documents as f64 / s.max(1e-9)
        )
    }
}

/// A progress line on stderr, redrawn at most five times a second, only when stderr is a
/// terminal. The ETA compares the article text read so far with the size of the inputs.
pub struct Progress {
    enabled: bool,
    verb: &'static str,
    total_bytes: u64,
    started: Instant,
    last: Instant,
}

impl Progress {
    pub fn new(verb: &'static str, inputs: &[PathBuf]) -> Progress {
        let enabled = std::io::stderr().is_terminal() && std::env::var_os("ARMSGRAPH_NO_PROGRESS").is_none();
        let total_bytes = if enabled { inputs.iter().map(|p| size_of(p)).sum() } else { 0 };
        let now = Instant::now();
        Progress {
            enabled,
            verb,
            total_bytes,
            started: now,
            last: now.checked_sub(Duration::from_secs(1)).unwrap_or(now),
        }
    }

    pub fn update(&mut self, t: &Totals) {
        if !self.enabled || self.last.elapsed() < Duration::from_millis(200) {
            return;
        }
        self.last = Instant::now();
        let secs = self.started.elapsed().as_secs_f64().max(1e-3);
        let rate = t.bytes as f64 / secs;
        let mut line = format!(
            "{} {} articles · {} flows · {:.1} MB/s · {:.0} articles/s",
            self.verb,
            t.documents,
            t.flows,
            rate / 1e6,
            t.documents as f64 / secs
        );
        if self.total_bytes > 0 {
            let done = (t.bytes as f64 / self.total_bytes as f64).min(1.0);
            let width = 24;
            let filled = (done * width as f64) as usize;
            let eta = (self.total_bytes as f64 - t.bytes as f64).max(0.0) / rate.max(1.0);
            line = format!(
                "[{}{}] {:>3.0}% {line} · ETA {}",
                "#".repeat(filled),
                "-".repeat(width - filled),
                done * 100.0,
                clock(eta)
            );
        }
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[2K{line}");
        let _ = err.flush();
    }

    /// Erases the progress line (before a message or the summary).
    pub fn finish(&self) {
        if self.enabled {
            Progress::clear_line(&mut std::io::stderr().lock());
        }
    }

    fn clear_line(err: &mut impl Write) {
        if std::io::stderr().is_terminal() {
            let _ = write!(err, "\r\x1b[2K");
        }
    }
}

fn clock(secs: f64) -> String {
    let s = secs.round() as u64;
    if s >= 3600 {
        format!("{}h{:02}m", s / 3600, s / 60 % 60)
    } else {
        format!("{}m{:02}s", s / 60, s % 60)
    }
}

/// Bytes in a file, or in every file under a folder (inputs for the ETA, a store's size).
pub fn size_of(path: &Path) -> u64 {
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => {
            std::fs::read_dir(path).map(|rd| rd.filter_map(|e| e.ok()).map(|e| size_of(&e.path())).sum()).unwrap_or(0)
        }
        Ok(m) => m.len(),
        Err(_) => 0,
    }
}

/// Reads every input, naming each skipped one on stderr, and hands the documents (with the notes
/// made while reading them) to `on_batch` in batches of `batch`, in input order: the corpus is
/// never held whole. Stops at the first error; returns how many inputs were skipped.
pub fn in_batches(
    inputs: &[PathBuf],
    opts: &ReadOptions,
    batch: usize,
    mut on_batch: impl FnMut(Vec<(Document, Vec<String>)>) -> Result<()>,
) -> Result<usize> {
    let mut skipped = 0;
    let mut pending = Vec::new();
    let mut failure: Option<anyhow::Error> = None;
    input::read_inputs(inputs, opts, &mut |item| {
        if failure.is_some() {
            return;
        }
        match item {
            Input::Skipped { origin, reason } => {
                note(&origin, &format!("skipped: {reason}"));
                skipped += 1;
            }
            Input::Document { document, notes } => {
                pending.push((document, notes));
                if pending.len() >= batch {
                    if let Err(e) = on_batch(std::mem::take(&mut pending)) {
                        failure = Some(e);
                    }
                }
            }
        }
    });
    if let Some(e) = failure {
        return Err(e);
    }
    if !pending.is_empty() {
        on_batch(pending)?;
    }
    Ok(skipped)
}

fn print_notes(a: &Analysis, notes: &[String]) {
    for n in notes.iter().chain(&a.diagnostics) {
        note(&a.document.origin, n);
    }
}

/// Reads, analyses (in parallel, a batch at a time) and stores documents; each batch is written
/// atomically, so an error leaves every earlier batch complete and no part of the failing one.
/// Writing a batch (one thread) overlaps with analysing the next (the other cores): at most
/// two batches are in memory at once. At the end the summary graph is brought up to date with
/// what the run wrote.
pub fn ingest(
    lexicon: &Lexicon,
    gs: &GraphStore,
    inputs: &[PathBuf],
    opts: &ReadOptions,
    batch: usize,
) -> Result<Totals> {
    gs.ensure_vocabulary(lexicon)?;
    // A run adds to the summary as it was: first complete what an interrupted run left.
    gs.refresh_summary()?;
    let mut totals = Totals::default();
    let mut progress = Progress::new("ingest", inputs);
    type Docs = Vec<(oxigraph::model::NamedNode, Vec<oxigraph::model::Quad>)>;
    let outcome = std::thread::scope(|scope| -> Result<summary::Tally> {
        let (send, receive) = std::sync::mpsc::sync_channel::<Docs>(1);
        let writer = scope.spawn(move || -> Result<summary::Tally> {
            let mut tally = summary::Tally::default();
            for docs in receive {
                gs.write_documents(docs, &mut tally)
                    .context("ingest stopped; every document written before this point is complete in the store")?;
            }
            Ok(tally)
        });
        let read = in_batches(inputs, opts, batch.max(1), |pending| {
            let (docs, analysed): (Docs, Vec<_>) = pipeline::map_by_language(
                pending,
                |(doc, _)| doc,
                |(doc, notes)| {
                    let a = pipeline::analyse(lexicon, doc);
                    let quads = pipeline::to_store_quads(lexicon, &a);
                    let n = quads.len();
                    ((graph::document_iri(&a.document.key()), quads), (a, notes, n))
                },
            )
            .into_iter()
            .unzip();
            if send.send(docs).is_err() {
                // The writer stopped on an error, which its join below reports.
                anyhow::bail!("the store writer stopped");
            }
            for (a, notes, n) in &analysed {
                print_notes(a, notes);
                totals.add(a, *n);
            }
            progress.update(&totals);
            Ok(())
        });
        drop(send);
        let written = writer.join().map_err(|_| anyhow::anyhow!("the store writer panicked"))?;
        let tally = written?;
        totals.skipped = read?;
        Ok(tally)
    });
    progress.finish();
    let tally = outcome?;
    let started = Instant::now();
    totals.summarized = gs.finish_summary(tally)?;
    totals.summary_time = started.elapsed();
    gs.flush()?;
    Ok(totals)
}

/// Reads and analyses documents (in parallel, a batch at a time; with the rules' explanations
/// when `explain`), turns each analysis into a `T` with `make` (also in parallel), and hands
/// both, in input order, to `each`, which returns how many quads it wrote.
pub fn extract<T: Send>(
    lexicon: &Lexicon,
    inputs: &[PathBuf],
    opts: &ReadOptions,
    batch: usize,
    explain: bool,
    make: impl Fn(&Analysis) -> T + Sync,
    mut each: impl FnMut(&Analysis, T) -> Result<usize>,
) -> Result<Totals> {
    let mut totals = Totals::default();
    let mut progress = Progress::new("extract", inputs);
    totals.skipped = in_batches(inputs, opts, batch.max(1), |pending| {
        let analyses: Vec<(Analysis, Vec<String>, T)> = pipeline::map_by_language(
            pending,
            |(d, _)| d,
            |(d, notes)| {
                let a = if explain { pipeline::analyse_explained(lexicon, d) } else { pipeline::analyse(lexicon, d) };
                let made = make(&a);
                (a, notes, made)
            },
        );
        for (a, notes, made) in analyses {
            print_notes(&a, &notes);
            let n = each(&a, made)?;
            totals.add(&a, n);
        }
        progress.update(&totals);
        Ok(())
    })?;
    progress.finish();
    Ok(totals)
}
