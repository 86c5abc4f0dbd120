//! Bundles the data folders into the binary: every `lexicon/<lang>/` folder, every
//! `queries/*.rq`, the ontology and the demo corpus. Listing them here (not in Rust source)
//! is what makes "adding a language is adding a folder" true.

use std::fmt::Write as _;
use std::path::Path;
use std::{env, fs};

fn main() {
    let root = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let root = Path::new(&root);
    let mut out = String::new();

    out.push_str("/// Bundled language folders: (code, [(file name, contents)]).\n");
    out.push_str("pub static LANGUAGES: &[(&str, &[(&str, &str)])] = &[\n");
    for dir in sorted_entries(&root.join("lexicon")) {
        if !dir.is_dir() {
            continue;
        }
        let code = dir.file_name().unwrap().to_string_lossy().into_owned();
        write!(out, "    ({code:?}, &[").unwrap();
        for file in sorted_entries(&dir) {
            if file.extension().is_some_and(|e| e == "toml") {
                let name = file.file_name().unwrap().to_string_lossy().into_owned();
                write!(out, "({name:?}, include_str!({:?})), ", file.display().to_string()).unwrap();
            }
        }
        out.push_str("]),\n");
    }
    out.push_str("];\n\n");

    // The ontology: armsgraph.ttl, then every other ontology/*.ttl (labels in more languages),
    // as one Turtle text (each file repeats its own prefixes, which Turtle allows).
    out.push_str(
        "/// The ontology: every `ontology/*.ttl`, armsgraph.ttl first.\npub static ONTOLOGY: &str = concat!(",
    );
    let mut ttl: Vec<_> = sorted_entries(&root.join("ontology"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "ttl"))
        .collect();
    ttl.sort_by_key(|p| p.file_name().is_none_or(|n| n != "armsgraph.ttl"));
    for file in &ttl {
        write!(out, "include_str!({:?}), \"\\n\", ", file.display().to_string()).unwrap();
    }
    out.push_str(");\n");
    for (name, rel) in [
        ("ENTITIES", "lexicon/entities.toml"),
        ("PATTERNS", "lexicon/patterns.toml"),
        ("DEMO_CORPUS", "samples/demo.jsonl"),
    ] {
        let path = root.join(rel);
        writeln!(out, "pub static {name}: &str = include_str!({:?});", path.display().to_string()).unwrap();
        println!("cargo:rerun-if-changed={}", path.display());
    }

    out.push_str("\n/// Bundled prepared queries: (name, text).\n");
    out.push_str("pub static QUERIES: &[(&str, &str)] = &[\n");
    for file in sorted_entries(&root.join("queries")) {
        if file.extension().is_some_and(|e| e == "rq") {
            let name = file.file_stem().unwrap().to_string_lossy().into_owned();
            writeln!(out, "    ({name:?}, include_str!({:?})),", file.display().to_string()).unwrap();
        }
    }
    out.push_str("];\n");

    out.push_str("\n/// Bundled corpus generator templates: (file name, text).\n");
    out.push_str("pub static GENERATOR_TEMPLATES: &[(&str, &str)] = &[\n");
    for file in sorted_entries(&root.join("samples/generator")) {
        if file.extension().is_some_and(|e| e == "toml") {
            let name = file.file_name().unwrap().to_string_lossy().into_owned();
            writeln!(out, "    ({name:?}, include_str!({:?})),", file.display().to_string()).unwrap();
        }
    }
    out.push_str("];\n");
    println!("cargo:rerun-if-changed={}", root.join("samples/generator").display());

    for dir in ["lexicon", "queries", "samples", "ontology"] {
        println!("cargo:rerun-if-changed={}", root.join(dir).display());
    }
    for dir in sorted_entries(&root.join("lexicon")) {
        println!("cargo:rerun-if-changed={}", dir.display());
    }
    let dest = Path::new(&env::var("OUT_DIR").unwrap()).join("bundled.rs");
    fs::write(dest, out).expect("write bundled.rs");
}

fn sorted_entries(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut entries: Vec<_> =
        fs::read_dir(dir).map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect()).unwrap_or_default();
    entries.sort();
    entries
}
