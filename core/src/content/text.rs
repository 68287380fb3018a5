//! Text analysis for content search (docs/content.md, "Tokenisation"): the one place that turns
//! titles, descriptions, bodies and queries into search terms, so an asset and a query can never
//! be analysed differently.
//!
//! A word is a run of letters, digits and combining marks; an apostrophe between two letters
//! stays inside the word (`customer's` is one word). Each word is folded (NFKD, combining marks
//! dropped, lower-cased: `Café` -> `cafe`), stop words are dropped, and what is left is stemmed
//! with the Snowball English stemmer (`routing`, `routed` -> `rout`). Words longer than
//! [`MAX_WORD_CHARS`] after folding are not terms (they are never words a person types).
//!
//! Must never allocate per word beyond the term it returns, and never panic on any text.

use rust_stemmers::{Algorithm, Stemmer};
use std::sync::OnceLock;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Longer folded words are not indexed nor searched.
pub const MAX_WORD_CHARS: usize = 40;

/// The Snowball project's English stop-word list without its contractions (125 words that
/// carry no topic), folded and sorted.
const STOP_WORDS: &[&str] = &[
    "a",
    "about",
    "above",
    "after",
    "again",
    "against",
    "all",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "by",
    "can",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "down",
    "during",
    "each",
    "few",
    "for",
    "from",
    "further",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "herself",
    "him",
    "himself",
    "his",
    "how",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "me",
    "more",
    "most",
    "my",
    "myself",
    "no",
    "nor",
    "not",
    "of",
    "off",
    "on",
    "once",
    "only",
    "or",
    "other",
    "ought",
    "our",
    "ours",
    "ourselves",
    "out",
    "over",
    "own",
    "same",
    "she",
    "should",
    "so",
    "some",
    "such",
    "than",
    "that",
    "the",
    "their",
    "theirs",
    "them",
    "themselves",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "to",
    "too",
    "under",
    "until",
    "up",
    "very",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "why",
    "will",
    "with",
    "would",
    "you",
    "your",
    "yours",
    "yourself",
    "yourselves",
];

fn stemmer() -> &'static Stemmer {
    static STEMMER: OnceLock<Stemmer> = OnceLock::new();
    STEMMER.get_or_init(|| Stemmer::create(Algorithm::English))
}

/// Whether a folded word is a stop word.
pub fn is_stop_word(folded: &str) -> bool {
    STOP_WORDS.binary_search(&folded).is_ok()
}

/// A word of a text: where it sits (byte offsets into the original) and its search term, if it
/// has one (stop words and over-long words have none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub start: usize,
    pub end: usize,
    pub term: Option<String>,
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || is_combining_mark(c)
}

fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '\u{2019}'
}

/// Calls `each(start, end)` for every word of `text`, in order.
pub(crate) fn for_each_span(text: &str, mut each: impl FnMut(usize, usize)) {
    let mut start: Option<usize> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if is_word_char(c) {
            start.get_or_insert(i);
            continue;
        }
        let inside = start.is_some()
            && is_apostrophe(c)
            && chars.peek().is_some_and(|&(_, n)| n.is_alphanumeric());
        if inside {
            continue;
        }
        if let Some(s) = start.take() {
            each(s, i);
        }
    }
    if let Some(s) = start {
        each(s, text.len());
    }
}

/// Folds a word into `out` (cleared first): NFKD, combining marks and apostrophes dropped,
/// lower case, and only letters and digits kept.
pub fn fold_into(word: &str, out: &mut String) {
    out.clear();
    if word.is_ascii() {
        fold_ascii(word, out);
    } else {
        fold_unicode(word, out);
    }
}

/// [`fold_unicode`] for ASCII text, without the NFKD iterator (ASCII decomposes to itself and
/// has no combining marks): most words of most libraries take this path.
fn fold_ascii(word: &str, out: &mut String) {
    for b in word.bytes() {
        let l = b.to_ascii_lowercase();
        if l.is_ascii_alphanumeric() {
            out.push(char::from(l));
        }
    }
}

fn fold_unicode(word: &str, out: &mut String) {
    for c in word.nfkd() {
        if is_combining_mark(c) || is_apostrophe(c) {
            continue;
        }
        for l in c.to_lowercase() {
            if l.is_alphanumeric() {
                out.push(l);
            }
        }
    }
}

/// The term of one word (a slice of text that [`words`] found), reusing `scratch`.
pub(crate) fn term_of(word: &str, scratch: &mut String) -> Option<String> {
    fold_into(word, scratch);
    if scratch.is_empty() || scratch.chars().count() > MAX_WORD_CHARS || is_stop_word(scratch) {
        return None;
    }
    Some(stemmer().stem(scratch).into_owned())
}

/// Every word of `text` with its position and term.
pub fn words(text: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut scratch = String::new();
    for_each_span(text, |start, end| {
        out.push(Word {
            start,
            end,
            term: term_of(&text[start..end], &mut scratch),
        })
    });
    out
}

/// Calls `each(word)` for every word of `text`, in order, before any folding: an index can
/// look a word it has seen before up in a cache instead of folding and stemming it again.
pub(crate) fn for_each_word<'t>(text: &'t str, mut each: impl FnMut(&'t str)) {
    for_each_span(text, |start, end| each(&text[start..end]));
}

/// Calls `each(term)` for every term of `text`, in order (stop words and over-long words left out).
pub fn for_each_term(text: &str, mut each: impl FnMut(String)) {
    let mut scratch = String::new();
    for_each_span(text, |start, end| {
        if let Some(t) = term_of(&text[start..end], &mut scratch) {
            each(t)
        }
    });
}

/// The terms of `text`, in order.
pub fn terms(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for_each_term(text, |t| out.push(t));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_words_are_sorted_for_binary_search() {
        assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn folds_accents_case_and_stems() {
        assert_eq!(terms("Café RÉSUMÉ"), ["cafe", "resum"]);
        assert_eq!(terms("routing routed routes"), ["rout", "rout", "rout"]);
        // A decomposed accent (e + combining acute) folds like the composed one.
        assert_eq!(terms("cafe\u{301}"), ["cafe"]);
    }

    #[test]
    fn drops_stop_words_and_punctuation() {
        assert_eq!(
            terms("the \"pricing\" -objection: *and* more"),
            ["price", "object"]
        );
        assert!(terms("").is_empty());
        assert!(terms("*** \" : -").is_empty());
    }

    #[test]
    fn apostrophes_stay_inside_words() {
        assert_eq!(terms("customer's team’s"), ["custom", "team"]);
        assert_eq!(terms("'quoted'"), ["quot"]);
    }

    #[test]
    fn words_keep_their_positions() {
        let text = "Ünïcode, the café";
        let w = words(text);
        assert_eq!(w.len(), 3);
        assert_eq!(&text[w[0].start..w[0].end], "Ünïcode");
        assert_eq!(w[1].term, None);
        assert_eq!(&text[w[2].start..w[2].end], "café");
    }

    #[test]
    fn the_ascii_fold_is_the_unicode_fold() {
        let all: String = (0u8..128).map(char::from).collect();
        for start in 0..all.len() {
            let word = &all[start..(start + 7).min(all.len())];
            let (mut fast, mut general) = (String::new(), String::new());
            fold_ascii(word, &mut fast);
            fold_unicode(word, &mut general);
            assert_eq!(fast, general, "{word:?}");
        }
        let (mut fast, mut general) = (String::new(), String::new());
        fold_ascii(&all, &mut fast);
        fold_unicode(&all, &mut general);
        assert_eq!(fast, general);
    }

    #[test]
    fn over_long_words_are_not_terms() {
        let long = "a".repeat(MAX_WORD_CHARS + 1);
        assert!(terms(&long).is_empty());
        assert_eq!(terms(&"b".repeat(MAX_WORD_CHARS)).len(), 1);
    }
}
