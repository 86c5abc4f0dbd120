//! Reading documents (I/O edge): `.txt` files, folders (recursively, in sorted order), JSON
//! Lines, and `-` for standard input. Nothing here fails a batch: every file or line that
//! cannot be read becomes an `Input::Skipped` that says what and why, and reading goes on.

use std::fs;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::document::Document;

/// Options for reading.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// Files larger than this are skipped (JSON Lines files are streamed; this limits a line).
    pub max_bytes: u64,
    /// Language to declare for every document (overrides JSON Lines `lang`).
    pub lang: Option<String>,
    /// Publication date for documents that do not carry one.
    pub published: Option<String>,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions { max_bytes: 16 * 1024 * 1024, lang: None, published: None }
    }
}

/// One thing read: a document (with notes about how it was read) or something skipped.
#[derive(Debug)]
pub enum Input {
    Document { document: Document, notes: Vec<String> },
    Skipped { origin: String, reason: String },
}

#[derive(Deserialize)]
struct JsonArticle {
    id: Option<serde_json::Value>,
    text: Option<String>,
    lang: Option<String>,
    published: Option<String>,
    url: Option<String>,
    title: Option<String>,
}

/// True for `YYYY-MM-DD` with a plausible month and day.
pub fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && s.chars().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        && (1..=12).contains(&s[5..7].parse::<u32>().unwrap_or(0))
        && (1..=31).contains(&s[8..10].parse::<u32>().unwrap_or(0))
}

fn is_jsonl(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "jsonl" || e == "ndjson")
}

fn is_text(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "txt" || e == "text" || e == "md")
}

/// Reads every input, calling `sink` for each document or skip, in a deterministic order.
pub fn read_inputs(paths: &[PathBuf], opts: &ReadOptions, sink: &mut dyn FnMut(Input)) {
    for path in paths {
        if path.as_os_str() == "-" {
            read_stdin(opts, sink);
        } else if path.is_dir() {
            read_dir(path, opts, sink);
        } else {
            read_file(path, opts, sink);
        }
    }
}

fn read_dir(dir: &Path, opts: &ReadOptions, sink: &mut dyn FnMut(Input)) {
    let mut entries: Vec<PathBuf> = match fs::read_dir(dir) {
        Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        Err(e) => {
            return sink(Input::Skipped {
                origin: dir.display().to_string(),
                reason: format!("cannot read folder: {e}"),
            })
        }
    };
    entries.sort();
    for p in entries {
        if p.is_dir() {
            read_dir(&p, opts, sink);
        } else if is_text(&p) || is_jsonl(&p) {
            read_file(&p, opts, sink);
        } else if is_sidecar(&p) {
            // Read with its text file.
        } else {
            sink(Input::Skipped {
                origin: p.display().to_string(),
                reason: "not a .txt, .text, .md, .jsonl or .ndjson file".into(),
            });
        }
    }
}

fn read_file(path: &Path, opts: &ReadOptions, sink: &mut dyn FnMut(Input)) {
    let origin = path.display().to_string();
    let file = match fs::File::open(path) {
        Ok(f) => f,
        Err(e) => return sink(Input::Skipped { origin, reason: format!("cannot open: {e}") }),
    };
    if is_jsonl(path) {
        return read_jsonl(BufReader::new(file), &origin, opts, sink);
    }
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    if size > opts.max_bytes {
        return sink(Input::Skipped {
            origin,
            reason: format!("too large: {size} bytes, more than --max-bytes {}", opts.max_bytes),
        });
    }
    let mut bytes = Vec::with_capacity(size as usize);
    if let Err(e) = file.take(opts.max_bytes + 1).read_to_end(&mut bytes) {
        return sink(Input::Skipped { origin, reason: format!("cannot read: {e}") });
    }
    match text_input(bytes, origin, opts) {
        Input::Document { mut document, mut notes } => {
            apply_sidecar(path, &mut document, &mut notes, opts);
            sink(Input::Document { document, notes })
        }
        skipped => sink(skipped),
    }
}

/// The metadata file of a text file: `article.txt` -> `article.json`.
fn sidecar_of(text: &Path) -> PathBuf {
    text.with_extension("json")
}

/// A `.json` file beside a text file of the same name is that file's metadata.
fn is_sidecar(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "json")
        && ["txt", "text", "md"].iter().any(|e| path.with_extension(e).is_file())
}

/// Takes `id`, `lang`, `published`, `url` and `title` from the text file's `.json` sidecar,
/// when there is one (the shape of a JSON Lines record, without `text`).
fn apply_sidecar(text: &Path, document: &mut Document, notes: &mut Vec<String>, opts: &ReadOptions) {
    let path = sidecar_of(text);
    let Ok(bytes) = fs::read(&path) else { return };
    let meta: JsonArticle = match serde_json::from_slice(&bytes) {
        Ok(m) => m,
        Err(e) => {
            notes.push(format!("metadata {} ignored: invalid JSON: {e}", path.display()));
            return;
        }
    };
    document.id = meta.id.map(|v| match v {
        serde_json::Value::String(s) => s,
        other => other.to_string(),
    });
    if opts.lang.is_none() {
        document.lang = meta.lang.filter(|l| !l.is_empty());
    }
    if let Some(p) = meta.published {
        if is_date(&p) {
            document.published = Some(p);
        } else {
            notes.push(format!("metadata {}: published {p:?} is not YYYY-MM-DD; ignored", path.display()));
        }
    }
    document.url = meta.url;
    document.title = meta.title;
}

fn read_stdin(opts: &ReadOptions, sink: &mut dyn FnMut(Input)) {
    let mut bytes = Vec::new();
    if let Err(e) = io::stdin().lock().take(opts.max_bytes + 1).read_to_end(&mut bytes) {
        return sink(Input::Skipped { origin: "<stdin>".into(), reason: format!("cannot read: {e}") });
    }
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
        return read_jsonl(&bytes[..], "<stdin>", opts, sink);
    }
    if bytes.len() as u64 > opts.max_bytes {
        return sink(Input::Skipped {
            origin: "<stdin>".into(),
            reason: format!("too large: more than --max-bytes {}", opts.max_bytes),
        });
    }
    sink(text_input(bytes, "<stdin>".into(), opts));
}

/// Why bytes are not text, if they are not.
fn binary_reason(bytes: &[u8]) -> Option<String> {
    let head = &bytes[..bytes.len().min(8192)];
    if head.contains(&0) {
        return Some("binary: contains NUL bytes".into());
    }
    let control = head.iter().filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c)).count();
    (control * 10 > head.len()).then(|| format!("binary: {control} control bytes in the first {}", head.len()))
}

/// Decodes a text file's bytes into a document, or says why not.
pub fn text_input(bytes: Vec<u8>, origin: String, opts: &ReadOptions) -> Input {
    if let Some(reason) = binary_reason(&bytes) {
        return Input::Skipped { origin, reason };
    }
    let mut notes = Vec::new();
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            notes.push(format!("invalid UTF-8 at byte {at}: decoded lossily (bad bytes became U+FFFD)"));
            String::from_utf8_lossy(e.as_bytes()).into_owned()
        }
    };
    let text = text.strip_prefix('\u{feff}').map(str::to_string).unwrap_or(text);
    if text.trim().is_empty() {
        return Input::Skipped { origin, reason: "empty: no text".into() };
    }
    let document = Document {
        id: None,
        text,
        lang: opts.lang.clone(),
        published: opts.published.clone(),
        url: None,
        title: None,
        origin,
    };
    Input::Document { document, notes }
}

pub fn read_jsonl(reader: impl BufRead, origin: &str, opts: &ReadOptions, sink: &mut dyn FnMut(Input)) {
    let mut any = false;
    for (n, line) in reader.split(b'\n').enumerate() {
        let here = format!("{origin}:{}", n + 1);
        let line = match line {
            Ok(l) => l,
            Err(e) => return sink(Input::Skipped { origin: here, reason: format!("cannot read: {e}") }),
        };
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        any = true;
        if line.len() as u64 > opts.max_bytes {
            sink(Input::Skipped {
                origin: here,
                reason: format!("line too large: {} bytes, more than --max-bytes {}", line.len(), opts.max_bytes),
            });
            continue;
        }
        let line = match String::from_utf8(line) {
            Ok(l) => l,
            Err(e) => {
                sink(Input::Skipped {
                    origin: here,
                    reason: format!("invalid UTF-8 at byte {}", e.utf8_error().valid_up_to()),
                });
                continue;
            }
        };
        let article: JsonArticle = match serde_json::from_str(&line) {
            Ok(a) => a,
            Err(e) => {
                sink(Input::Skipped { origin: here, reason: format!("invalid JSON: {e}") });
                continue;
            }
        };
        let Some(text) = article.text.filter(|t| !t.trim().is_empty()) else {
            sink(Input::Skipped { origin: here, reason: "no \"text\" (or it is empty)".into() });
            continue;
        };
        let mut notes = Vec::new();
        let published = match article.published.filter(|p| !p.is_empty()) {
            Some(p) if is_date(&p) => Some(p),
            Some(p) => {
                notes.push(format!("ignored \"published\": {p:?} is not YYYY-MM-DD"));
                opts.published.clone()
            }
            None => opts.published.clone(),
        };
        let id = article.id.map(|v| match v {
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        });
        let document = Document {
            id,
            text,
            lang: opts.lang.clone().or(article.lang.filter(|l| !l.is_empty())),
            published,
            url: article.url,
            title: article.title,
            origin: here,
        };
        sink(Input::Document { document, notes });
    }
    if !any {
        sink(Input::Skipped { origin: origin.to_string(), reason: "empty: no JSON lines".into() });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_json_beside_a_text_file_is_its_metadata() {
        let dir = std::env::temp_dir().join(format!("armsgraph-sidecar-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("a.txt"), "Text A.").unwrap();
        fs::write(dir.join("a.json"), r#"{"id": "art-1", "lang": "en", "published": "2024-03-05", "title": "T"}"#)
            .unwrap();
        fs::write(dir.join("b.txt"), "Text B.").unwrap();
        fs::write(dir.join("b.json"), "{not json").unwrap();
        fs::write(dir.join("c.json"), "{}").unwrap();
        let mut got = Vec::new();
        read_inputs(std::slice::from_ref(&dir), &ReadOptions::default(), &mut |i| got.push(i));
        fs::remove_dir_all(&dir).unwrap();
        assert_eq!(got.len(), 3, "{got:?}");
        let Input::Document { document: a, notes } = &got[0] else { panic!("{got:?}") };
        assert_eq!(
            (a.id.as_deref(), a.lang.as_deref(), a.published.as_deref(), a.title.as_deref()),
            (Some("art-1"), Some("en"), Some("2024-03-05"), Some("T"))
        );
        assert!(notes.is_empty());
        let Input::Document { document: b, notes } = &got[1] else { panic!("{got:?}") };
        assert!(b.id.is_none() && notes[0].contains("b.json ignored: invalid JSON"), "{notes:?}");
        // A .json without a text file beside it is not metadata: it is reported as skipped.
        assert!(matches!(&got[2], Input::Skipped { origin, .. } if origin.ends_with("c.json")));
    }

    #[test]
    fn dates() {
        assert!(is_date("2024-11-02"));
        for bad in ["2024-13-02", "2024-1-02", "yesterday", "2024-11-00", ""] {
            assert!(!is_date(bad), "{bad}");
        }
    }

    #[test]
    fn text_inputs() {
        let opts = ReadOptions::default();
        assert!(
            matches!(text_input(b"".to_vec(), "e".into(), &opts), Input::Skipped { reason, .. } if reason.starts_with("empty"))
        );
        assert!(
            matches!(text_input(b"ab\0cd".to_vec(), "b".into(), &opts), Input::Skipped { reason, .. } if reason.starts_with("binary"))
        );
        match text_input(b"caf\xe9 ok".to_vec(), "u".into(), &opts) {
            Input::Document { document, notes } => {
                assert_eq!(document.text, "caf\u{fffd} ok");
                assert!(notes[0].contains("byte 3"), "{notes:?}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn json_lines() {
        let data = b"{\"id\": \"a\", \"text\": \"One.\", \"published\": \"2024-01-02\"}\nnot json\n{\"id\": 7}\n\n{\"text\": \"Two\", \"published\": \"soon\"}\n";
        let mut got = Vec::new();
        read_jsonl(&data[..], "f.jsonl", &ReadOptions::default(), &mut |i| got.push(i));
        assert_eq!(got.len(), 4);
        assert!(
            matches!(&got[0], Input::Document { document, .. } if document.id.as_deref() == Some("a") && document.published.as_deref() == Some("2024-01-02"))
        );
        assert!(
            matches!(&got[1], Input::Skipped { origin, reason } if origin == "f.jsonl:2" && reason.starts_with("invalid JSON"))
        );
        assert!(matches!(&got[2], Input::Skipped { origin, .. } if origin == "f.jsonl:3"));
        assert!(
            matches!(&got[3], Input::Document { document, notes } if document.published.is_none() && notes.len() == 1)
        );
    }
}
