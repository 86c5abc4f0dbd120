//! The unit of input: one article's text and what is known about it.

/// One article. Built by `input.rs` (files, JSON Lines, stdin) or by a library caller.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Document {
    /// The caller's identifier (JSON Lines `id`); when present it names the document's IRI.
    pub id: Option<String>,
    pub text: String,
    /// Declared language code; detected when `None`.
    pub lang: Option<String>,
    /// Publication date, `YYYY-MM-DD`.
    pub published: Option<String>,
    pub url: Option<String>,
    pub title: Option<String>,
    /// Where it came from, for messages: a path, `path:line` or `<stdin>`.
    pub origin: String,
}

impl Document {
    pub fn from_text(text: impl Into<String>) -> Document {
        Document { text: text.into(), origin: "<text>".into(), ..Document::default() }
    }

    /// The stable last segment of the document's IRI: its id as a slug, or a hash of its text.
    pub fn key(&self) -> String {
        match self.id.as_deref().map(slug) {
            Some(id) if !id.is_empty() => id,
            _ => format!("{:016x}", fnv1a(self.text.as_bytes())),
        }
    }
}

/// FNV-1a, 64 bits: a stable hash (the same on every platform and release).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// A lower-case IRI segment: letters and digits of any script, runs of anything else as `-`.
pub fn slug(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_stable() {
        assert_eq!(slug("Wall Street Journal!"), "wall-street-journal");
        assert_eq!(slug("Korea Północna"), "korea-północna");
        assert_eq!(slug("--"), "");
        let a = Document::from_text("same text");
        assert_eq!(a.key(), Document::from_text("same text").key());
        assert_ne!(a.key(), Document::from_text("other text").key());
        let b = Document { id: Some("Demo 1".into()), ..a };
        assert_eq!(b.key(), "demo-1");
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
    }
}
