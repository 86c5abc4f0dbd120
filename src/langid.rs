//! Language identification from each language's `[detect] words` (frequent function words).
//!
//! A text's score for a language is the share of its words found in that language's list. The
//! best language wins when at least 3 of its words and 4 % of the text's words were seen; the
//! confidence is the winner's share of the two best scores (0.5 = a tie, 1.0 = no rival).

use crate::lexicon::{Lexicon, UNDETERMINED};
use crate::text::{fold, is_word_char};

/// How many words of a text are looked at.
const SAMPLE_WORDS: usize = 2000;

#[derive(Debug, Clone, PartialEq)]
pub struct Detection {
    /// A supported language code, or `und`.
    pub code: String,
    /// 0–1; 0 when undetermined.
    pub confidence: f64,
    /// The best candidate even when it was not sure enough (for messages).
    pub best_guess: Option<String>,
}

pub fn detect(lexicon: &Lexicon, text: &str) -> Detection {
    let words: Vec<String> = text
        .split(|c: char| !is_word_char(c) && c != '\'')
        .filter(|w| !w.is_empty())
        .take(SAMPLE_WORDS)
        .map(fold)
        .collect();
    let mut scores: Vec<(usize, &str)> = lexicon
        .languages()
        .iter()
        .map(|l| (words.iter().filter(|w| l.detect.contains(w.as_str())).count(), l.code.as_str()))
        .collect();
    scores.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    let (best, code) = scores.first().copied().unwrap_or((0, UNDETERMINED));
    let second = scores.get(1).map_or(0, |s| s.0);
    let enough = best >= 3 && best * 25 >= words.len();
    let confidence = if best == 0 { 0.0 } else { best as f64 / (best + second) as f64 };
    if enough && best > second {
        Detection {
            code: code.to_string(),
            confidence: (confidence * 100.0).round() / 100.0,
            best_guess: Some(code.to_string()),
        }
    } else {
        Detection { code: UNDETERMINED.to_string(), confidence: 0.0, best_guess: (best > 0).then(|| code.to_string()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expected: &str) {
        let lexicon = Lexicon::bundled().unwrap();
        let d = detect(&lexicon, text);
        assert_eq!(d.code, expected, "{text:?} detected as {d:?}");
        if expected != UNDETERMINED {
            assert!(d.confidence > 0.5, "{d:?}");
        }
    }

    #[test]
    fn languages() {
        check("The shipments arrived at the port in the night and were loaded onto trains for the front.", "en");
        check("Według ministerstwa transport dotarł do portu w nocy i został przeładowany na pociągi.", "pl");
        check(
            "Secondo il ministero il carico è arrivato al porto durante la notte ed è stato caricato sui treni.",
            "it",
        );
        check("Enligt ministeriet kom lasten till hamnen under natten och lastades om till tåg mot fronten.", "sv");
        check("Laut dem Ministerium kam die Ladung in der Nacht im Hafen an und wurde auf Züge verladen.", "de");
        check("Potrivit ministerului, încărcătura a ajuns în port în timpul nopții și a fost pusă pe trenuri.", "ro");
        check(
            "Selon le ministère, la cargaison est arrivée au port pendant la nuit et a été chargée sur des trains.",
            "fr",
        );
        check("Según el ministerio, el cargamento llegó al puerto durante la noche y fue cargado en trenes.", "es");
        check("По данным министерства, груз прибыл в порт ночью и был перегружен на поезда.", "ru");
        check("За даними міністерства, вантаж прибув до порту вночі і був перевантажений на потяги.", "uk");
        check("Lorem ipsum dolor sit amet, consectetur adipiscing elit.", UNDETERMINED);
        check("", UNDETERMINED);
    }
}
