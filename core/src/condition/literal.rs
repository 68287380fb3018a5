//! A fast path for `matches` patterns that are nothing but an alternation of plain literals,
//! such as `(?i)vp|head|chief`: the common shape of title and keyword rules, where the regex
//! engine's fixed cost per search dwarfs the work on a short value.
//!
//! It must give exactly the regex's answer or no answer at all. An unanchored search for
//! `a|b|c` matches when one of the literals occurs in the value, so only patterns made of
//! characters that are literal in every position of the `regex` crate's syntax are taken
//! (ASCII letters, digits, space, `_`, `-`, `/`, `@`, `,`), with no empty branch; anything
//! else (`a.b`, anchors, `\b`, classes, groups, other flags) is left to the regex. With `(?i)`
//! the regex folds case by Unicode simple case folding, so `k` also matches the Kelvin sign
//! U+212A and `s` matches U+017F: an ASCII comparison ignoring case is only exact on an ASCII
//! value, and a value with any non-ASCII byte gets no answer here (the caller asks the regex).
//! Without `(?i)` the literals are compared byte for byte, which is exact on any UTF-8 value
//! (an ASCII byte never occurs inside a multi-byte character).
//!
//! The same search serves bound `contains` leaves ([`Literals::of_text`]): one text, searched
//! as written, or folded on an ASCII value; the caller answers every other case.

/// The literals of a pattern `lit|lit|...` or `(?i)lit|lit|...`.
#[derive(Debug, Clone)]
pub(crate) struct Literals {
    /// Lowercase when `ignore_case`, as written otherwise; none is empty. Sorted, so the
    /// needles starting with one byte sit together.
    needles: Vec<Box<[u8]>>,
    /// Per needle, its first bytes (at most 8) as a little-endian word and the mask of those
    /// bytes: a needle of up to 8 bytes is found with one masked compare.
    heads: Vec<(u64, u64)>,
    ignore_case: bool,
    /// For each byte a value position can hold, the range of `needles` that start with it
    /// (with its lowercase form when `ignore_case`); empty for most bytes, so most positions
    /// are passed over after one lookup.
    starting: [(u8, u8); 256],
    /// When every needle has at least [`MIN_SKIP_WINDOW`] bytes: how far a window of that
    /// many bytes (at most [`MAX_SKIP_WINDOW`]) may move on, by the byte at its end.
    skip: Option<Box<Skip>>,
}

/// The Horspool shifts of the needles' first `window` bytes (a set Horspool search): only the
/// positions it stops at are checked for a needle. Moving a window that starts at `i` on by
/// `shift[c]`, `c` the byte at `i + window - 1`, passes over no position where a needle
/// starts: such a needle's prefix would hold `c` at an index below `window - 1` that is at
/// least `window - shift[c]`, and `shift[c]` is the smallest distance from such an index to
/// the end of the window, over every needle (the window's length when `c` is in none).
#[derive(Debug, Clone)]
struct Skip {
    window: usize,
    shift: [u8; 256],
}

/// Shifts pay off from windows of this many bytes: even `vp|ceo` passes over every byte no
/// needle starts with two at a time (a needle of one byte is scanned position by position).
const MIN_SKIP_WINDOW: usize = 2;
/// Shifts are bytes.
const MAX_SKIP_WINDOW: usize = 255;

/// At most this many literals (the `starting` ranges are bytes); longer alternations are
/// left to the regex, which handles them well.
const MAX_NEEDLES: usize = 64;

/// Characters that stand for themselves anywhere in a `regex` pattern outside a class, with
/// or without `(?i)` (and without the `x` flag, which a pattern taken here cannot set).
fn is_plain(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b' ' | b'_' | b'-' | b'/' | b'@' | b',')
}

impl Literals {
    /// The literals of `pattern`, or `None` when it is anything but a plain alternation.
    pub(crate) fn of(pattern: &str) -> Option<Literals> {
        let (ignore_case, body) = match pattern.strip_prefix("(?i)") {
            Some(rest) => (true, rest),
            None => (false, pattern),
        };
        let mut needles: Vec<Box<[u8]>> = Vec::new();
        for branch in body.split('|') {
            let bytes = branch.as_bytes();
            if bytes.is_empty() || !bytes.iter().all(|&b| is_plain(b)) {
                return None;
            }
            needles.push(if ignore_case {
                bytes.to_ascii_lowercase().into()
            } else {
                bytes.into()
            });
        }
        Literals::from_needles(needles, ignore_case)
    }

    /// One text searched for as it is (`contains`): a substring test, exact on any value when
    /// case counts, and on ASCII values when it is ignored (the text must be ASCII then).
    /// `None` for an empty text or one holding a zero byte (the search pads with zeros).
    pub(crate) fn of_text(text: &str, ignore_case: bool) -> Option<Literals> {
        let bytes = text.as_bytes();
        if bytes.is_empty() || bytes.contains(&0) || (ignore_case && !text.is_ascii()) {
            return None;
        }
        let needle: Box<[u8]> = if ignore_case {
            bytes.to_ascii_lowercase().into()
        } else {
            bytes.into()
        };
        Literals::from_needles(vec![needle], ignore_case)
    }

    /// Needles that are not empty and hold no zero byte, lowercase ASCII when `ignore_case`.
    fn from_needles(mut needles: Vec<Box<[u8]>>, ignore_case: bool) -> Option<Literals> {
        needles.sort_unstable();
        needles.dedup();
        if needles.len() > MAX_NEEDLES {
            return None;
        }
        let mut starting = [(0u8, 0u8); 256];
        let mut i = 0;
        while i < needles.len() {
            let first = needles[i][0];
            let end = i + needles[i..].iter().take_while(|n| n[0] == first).count();
            // Both fit in a byte: at most MAX_NEEDLES needles.
            let range = (i as u8, end as u8);
            starting[usize::from(first)] = range;
            if ignore_case {
                starting[usize::from(first.to_ascii_uppercase())] = range;
            }
            i = end;
        }
        let heads = needles
            .iter()
            .map(|n| {
                let mut word = [0u8; 8];
                let k = n.len().min(8);
                word[..k].copy_from_slice(&n[..k]);
                let mask = if k == 8 {
                    u64::MAX
                } else {
                    (1u64 << (8 * k)) - 1
                };
                (u64::from_le_bytes(word), mask)
            })
            .collect();
        let shortest = needles.iter().map(|n| n.len()).min().unwrap_or(0);
        let skip = (shortest >= MIN_SKIP_WINDOW).then(|| {
            let window = shortest.min(MAX_SKIP_WINDOW);
            let mut shift = [window as u8; 256];
            for needle in &needles {
                for (j, &b) in needle[..window - 1].iter().enumerate() {
                    let d = (window - 1 - j) as u8;
                    for c in [b, b.to_ascii_uppercase()] {
                        if ignore_case || c == b {
                            let at = &mut shift[usize::from(c)];
                            *at = (*at).min(d);
                        }
                    }
                }
            }
            Box::new(Skip { window, shift })
        });
        Some(Literals {
            needles,
            heads,
            ignore_case,
            starting,
            skip,
        })
    }

    /// The length of the shortest needle, in bytes.
    pub(crate) fn shortest(&self) -> usize {
        self.needles.iter().map(|n| n.len()).min().unwrap_or(0)
    }

    /// Whether the needles are compared ignoring ASCII case.
    pub(crate) fn ignores_case(&self) -> bool {
        self.ignore_case
    }

    /// Whether one of the literals occurs in `value`; `None` when only the regex can tell
    /// (a case-insensitive pattern on a value that is not ASCII).
    pub(crate) fn is_match(&self, value: &str) -> Option<bool> {
        let hay = value.as_bytes();
        if self.ignore_case && !value.is_ascii() {
            return None;
        }
        Some(self.search(hay))
    }

    /// Positions are visited one by one, or by the Horspool shifts of [`Skip`] when every
    /// needle is long enough. Each position where a needle may start (one table lookup for
    /// the others) is read as one word, lowercased when ignoring case (the value is ASCII then), and compared with
    /// the head of each needle starting with that byte; a needle longer than a word compares
    /// its rest too. Near the end the word is zero-padded: no needle holds a zero byte, so the
    /// padding never completes a match.
    fn search(&self, hay: &[u8]) -> bool {
        let n = hay.len();
        if let Some(skip) = &self.skip {
            let mut i = 0;
            while i + skip.window <= n {
                if self.starts_at(hay, i) {
                    return true;
                }
                // Every shift is at least 1.
                i += usize::from(skip.shift[usize::from(hay[i + skip.window - 1])]);
            }
            return false;
        }
        (0..n).any(|i| self.starts_at(hay, i))
    }

    /// Whether a needle starts at `hay[i]` (`i < hay.len()`).
    #[inline(always)]
    fn starts_at(&self, hay: &[u8], i: usize) -> bool {
        let (from, to) = self.starting[usize::from(hay[i])];
        if from == to {
            return false;
        }
        let mut word = [0u8; 8];
        match hay.get(i..i + 8) {
            Some(full) => word.copy_from_slice(full),
            None => word.iter_mut().zip(&hay[i..]).for_each(|(w, b)| *w = *b),
        }
        let mut word = u64::from_le_bytes(word);
        if self.ignore_case {
            word = ascii_lowercase_word(word);
        }
        for k in usize::from(from)..usize::from(to) {
            let (head, mask) = self.heads[k];
            if word & mask != head {
                continue;
            }
            let needle = &self.needles[k];
            if needle.len() <= 8 {
                return true;
            }
            let rest = &needle[8..];
            let found = match hay.get(i + 8..i + needle.len()) {
                Some(window) if self.ignore_case => window.eq_ignore_ascii_case(rest),
                Some(window) => window == rest,
                None => false,
            };
            if found {
                return true;
            }
        }
        false
    }
}

/// Several literal searches over one text answered in one pass: a lead's title is searched
/// by two `matches` alternations and a `contains` in the sample model, and reading it three
/// times cost more than the rest of the rules together. The value is copied once (lowercased,
/// when case is ignored) into a zero-padded buffer; each position is passed over after one
/// lookup of its two bytes unless a needle starts with a pair of the same bucket, where the
/// word at the position is compared with those needles' heads (and rests).
///
/// It gives exactly what each search's [`Literals::is_match`] gives, or no answer: every
/// needle has at least two bytes, so a needle occurs in the value exactly when it occurs at a
/// position whose two bytes fall in its bucket, and that is where it is compared; the padding
/// is zeros, which no needle holds. No answer for a value that is not ASCII when case is
/// ignored (where [`Literals::is_match`] has none either) or longer than
/// [`SHARED_MAX_VALUE`] bytes (the caller then asks each search).
#[derive(Debug, Clone)]
pub(crate) struct SharedSearch {
    ignore_case: bool,
    /// Every needle of every search once, with the bits of the searches holding it.
    needles: Vec<SharedNeedle>,
    /// By [`pair_bucket`] of a position's two bytes: 0 when no needle starts with a pair of
    /// that bucket, else 1 + an index into `candidates`.
    buckets: Box<[u8; PAIR_BUCKETS]>,
    /// Bits of the `needles` starting with a pair of one bucket (at most 255 distinct sets).
    candidates: Vec<u64>,
    /// The bits of every search.
    all: u64,
}

#[derive(Debug, Clone)]
struct SharedNeedle {
    bytes: Box<[u8]>,
    /// The first (up to) 8 bytes as a little-endian word, and the mask of those bytes.
    head: u64,
    mask: u64,
    /// Bit `i` set when search `i` holds this needle.
    searches: u64,
}

const PAIR_BUCKETS: usize = 4096;

/// Values up to this many bytes are searched in one pass; longer ones get no answer.
pub(crate) const SHARED_MAX_VALUE: usize = 120;

/// The bucket of two adjacent bytes: the low six bits of each (distinct for the ASCII
/// letters of one case; collisions only cost a comparison).
#[inline(always)]
fn pair_bucket(b0: u8, b1: u8) -> usize {
    (usize::from(b0 & 63) << 6) | usize::from(b1 & 63)
}

impl SharedSearch {
    /// One pass for `searches` (search `i` is bit `i` of [`SharedSearch::find`]'s answer), or
    /// `None` when they cannot share one: not all ignoring case alike, more than 64 of them or
    /// of their needles, a needle of one byte, more than 255 distinct bucket sets.
    pub(crate) fn new(searches: &[&Literals]) -> Option<SharedSearch> {
        let ignore_case = searches.first()?.ignore_case;
        if searches.len() > 64 || searches.iter().any(|s| s.ignore_case != ignore_case) {
            return None;
        }
        let mut needles: Vec<SharedNeedle> = Vec::new();
        for (i, search) in searches.iter().enumerate() {
            for bytes in &search.needles {
                if bytes.len() < 2 {
                    return None;
                }
                match needles.iter_mut().find(|n| n.bytes == *bytes) {
                    Some(n) => n.searches |= 1 << i,
                    None => {
                        let mut word = [0u8; 8];
                        let k = bytes.len().min(8);
                        word[..k].copy_from_slice(&bytes[..k]);
                        needles.push(SharedNeedle {
                            bytes: bytes.clone(),
                            head: u64::from_le_bytes(word),
                            mask: if k == 8 {
                                u64::MAX
                            } else {
                                (1u64 << (8 * k)) - 1
                            },
                            searches: 1 << i,
                        });
                    }
                }
            }
        }
        if needles.len() > 64 {
            return None;
        }
        let mut sets = vec![0u64; PAIR_BUCKETS];
        for (k, n) in needles.iter().enumerate() {
            // Needles are lowercase when case is ignored, and so is the buffer searched.
            sets[pair_bucket(n.bytes[0], n.bytes[1])] |= 1 << k;
        }
        let mut candidates: Vec<u64> = Vec::new();
        let mut buckets = Box::new([0u8; PAIR_BUCKETS]);
        for (b, &set) in sets.iter().enumerate() {
            if set == 0 {
                continue;
            }
            let at = match candidates.iter().position(|&c| c == set) {
                Some(at) => at,
                None => {
                    candidates.push(set);
                    candidates.len() - 1
                }
            };
            buckets[b] = u8::try_from(at + 1).ok()?;
        }
        let all = if searches.len() == 64 {
            u64::MAX
        } else {
            (1u64 << searches.len()) - 1
        };
        Some(SharedSearch {
            ignore_case,
            needles,
            buckets,
            candidates,
            all,
        })
    }

    /// How many searches share the pass.
    pub(crate) fn len(&self) -> usize {
        self.all.count_ones() as usize
    }

    /// The bits of the searches that find one of their needles in `value`; `None` when only
    /// each search can tell (see [`SharedSearch`]).
    pub(crate) fn find(&self, value: &str) -> Option<u64> {
        let bytes = value.as_bytes();
        let n = bytes.len();
        if n > SHARED_MAX_VALUE || (self.ignore_case && !value.is_ascii()) {
            return None;
        }
        let mut buf = [0u8; SHARED_MAX_VALUE + 8];
        buf[..n].copy_from_slice(bytes);
        if self.ignore_case {
            // ASCII and zero bytes only: lowercase a word at a time.
            for chunk in buf[..n.div_ceil(8) * 8].chunks_exact_mut(8) {
                let mut w = [0u8; 8];
                w.copy_from_slice(chunk);
                chunk.copy_from_slice(&ascii_lowercase_word(u64::from_le_bytes(w)).to_le_bytes());
            }
        }
        let mut found = 0u64;
        for i in 0..n.saturating_sub(1) {
            let bucket = self.buckets[pair_bucket(buf[i], buf[i + 1])];
            if bucket == 0 {
                continue;
            }
            let mut w = [0u8; 8];
            w.copy_from_slice(&buf[i..i + 8]);
            let word = u64::from_le_bytes(w);
            let mut cands = self.candidates[usize::from(bucket - 1)];
            while cands != 0 {
                let k = cands.trailing_zeros() as usize;
                cands &= cands - 1;
                let needle = &self.needles[k];
                if needle.searches & !found == 0 || word & needle.mask != needle.head {
                    continue;
                }
                let len = needle.bytes.len();
                if len <= 8 || buf.get(i + 8..i + len) == Some(&needle.bytes[8..]) {
                    found |= needle.searches;
                }
            }
            if found == self.all {
                break;
            }
        }
        Some(found)
    }
}

/// `word` with its bytes ASCII-lowercased, all at once; every byte must be ASCII (below 0x80),
/// so no addition carries into the next byte.
pub(crate) fn ascii_lowercase_word(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    // A byte's top bit is set when it is at least `A`, and when it is above `Z`.
    let at_least_a = word.wrapping_add(ONES * u64::from(0x80 - b'A'));
    let above_z = word.wrapping_add(ONES * u64::from(0x80 - b'Z' - 1));
    let upper = at_least_a & !above_z & (ONES * 0x80);
    word | (upper >> 2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use regex::Regex;

    fn agree(pattern: &str, value: &str) {
        let regex = Regex::new(pattern).expect("a valid pattern");
        if let Some(lits) = Literals::of(pattern) {
            if let Some(fast) = lits.is_match(value) {
                assert_eq!(
                    fast,
                    regex.is_match(value),
                    "pattern {pattern:?} on {value:?}"
                );
            }
        }
    }

    #[test]
    fn words_lowercase_like_bytes() {
        for b in 0u8..0x80 {
            let word = u64::from_le_bytes([b, 0, b'Z', b, b'@', b'[', b'`', b'{']);
            let want = u64::from_le_bytes(
                [b, 0, b'Z', b, b'@', b'[', b'`', b'{'].map(|c| c.to_ascii_lowercase()),
            );
            assert_eq!(ascii_lowercase_word(word), want, "{b:#x}");
        }
    }

    #[test]
    fn only_plain_alternations_are_taken() {
        let many = vec!["x"; MAX_NEEDLES + 1].join("|");
        assert!(Literals::of(&many).is_some(), "duplicates collapse");
        let many: Vec<String> = (0..=MAX_NEEDLES).map(|i| format!("x{i}")).collect();
        assert!(Literals::of(&many.join("|")).is_none());
        for taken in [
            "(?i)vp|head|chief|ceo|founder|director",
            "sales|revenue",
            "a",
            "(?i)Sales Ops|rev-ops|a/b|x@y,z",
        ] {
            assert!(Literals::of(taken).is_some(), "{taken:?}");
        }
        for left in [
            "",
            "(?i)",
            "a||b",
            "a|",
            "|a",
            "a.b",
            "^ceo",
            "ceo$",
            r"\bceo\b",
            "c[e]o",
            "(ceo)",
            "ce?o",
            "ce*o",
            "ce+o",
            "ce{2}o",
            "(?i:ceo)",
            "(?-i)ceo",
            "(?x)c eo",
            "(?is)ceo",
            "(?i)(?i)ceo",
            "ké",
            r"\x41",
            "a#b",
            "a&&b",
            "a~b",
        ] {
            assert!(Literals::of(left).is_none(), "{left:?}");
        }
    }

    #[test]
    fn the_fast_path_agrees_with_the_regex_on_tricky_values() {
        let patterns = [
            "(?i)vp|head|chief|ceo|founder|director",
            "(?i)sales|revenue|operations",
            "(?i)k|s",
            "(?i)ks",
            "Sales|VP",
            "ab|abc|bc",
            "(?i)aa|aaa",
        ];
        let values = [
            "",
            "VP of Sales",
            "Head of RevOps",
            "vice president",
            "Chief Executive",
            "CEO",
            "ceo",
            "sALES",
            "Operations",
            "\u{212A}",
            "\u{017F}",
            "pa\u{017F}s",
            "Directeur général",
            "Kelvin \u{212A}s",
            "abc",
            "xxabcxx",
            "aAa",
            "bc",
            "ab",
            "a b c",
            "ſales",
            "Ärger head",
        ];
        for p in patterns {
            for v in values {
                agree(p, v);
            }
        }
        // Non-ASCII values of a case-insensitive pattern go to the regex.
        let lits = Literals::of("(?i)k").expect("plain");
        assert_eq!(lits.is_match("\u{212A}"), None);
        assert_eq!(lits.is_match("ok"), Some(true));
        // Case-sensitive literals answer on any value.
        let lits = Literals::of("VP").expect("plain");
        assert_eq!(lits.is_match("Ärger VP"), Some(true));
        assert_eq!(lits.is_match("Ärger vp"), Some(false));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        /// Any pattern over a small alphabet (literal characters and metacharacters), on any
        /// value over an alphabet with case variants, look-alikes and non-ASCII letters: the
        /// fast path, when it answers, says what the regex says.
        #[test]
        fn fast_path_never_disagrees(
            prefix in prop::sample::select(vec!["", "(?i)", "(?-i)", "(?i:"]),
            body in "[aAbBkKsS _|.^$*+?()\\\\]{0,8}",
            value in "[aAbBkKsS _.|\u{212A}\u{017F}éÉ]{0,12}",
        ) {
            let pattern = format!("{prefix}{body}");
            if Regex::new(&pattern).is_ok() {
                agree(&pattern, &value);
            } else {
                // A pattern the regex rejects never parses here either: parse.rs builds the
                // regex first, but the fast path must not make an invalid pattern look valid.
                prop_assert!(Literals::of(&pattern).is_none());
            }
        }

        /// Needles longer and shorter than a word, long values and their prefixes, needles at
        /// the very end of a value (a zero-padded word): the same answer.
        #[test]
        fn word_compares_agree_at_every_length(
            ignore_case in any::<bool>(),
            branches in prop::collection::vec("[abAB0-9 -]{1,12}", 1..4),
            pieces in prop::collection::vec("[abAB0-9 -]{1,12}|\u{e9}|\u{212A}", 0..12),
            tail in 0usize..3,
        ) {
            let pattern = format!("{}{}", if ignore_case { "(?i)" } else { "" }, branches.join("|"));
            let lits = Literals::of(&pattern).expect("a plain alternation");
            let regex = Regex::new(&pattern).expect("valid");
            let mut value = pieces.concat();
            // Sometimes end the value with a needle, to test the last positions.
            if tail > 0 {
                value.push_str(&branches[tail % branches.len()]);
            }
            let mut cut = value.len().min(20);
            while !value.is_char_boundary(cut) {
                cut -= 1;
            }
            for v in [value.as_str(), &value[..cut]] {
                match lits.is_match(v) {
                    Some(fast) => prop_assert_eq!(fast, regex.is_match(v), "{:?} on {:?}", pattern, v),
                    None => prop_assert!(ignore_case && !v.is_ascii()),
                }
            }
        }

        /// The Horspool shifts never pass over a match: on periodic values and overlapping
        /// needles (the hard cases for skipping), the search with shifts finds a needle exactly
        /// when checking every position does, and agrees with the regex.
        #[test]
        fn skipping_never_passes_over_a_match(
            ignore_case in any::<bool>(),
            branches in prop::collection::vec("[abA]{2,10}", 1..4),
            value in "[abAB]{0,40}",
        ) {
            let pattern = format!("{}{}", if ignore_case { "(?i)" } else { "" }, branches.join("|"));
            let lits = Literals::of(&pattern).expect("a plain alternation");
            prop_assert!(lits.skip.is_some());
            let hay = value.as_bytes();
            let every = (0..hay.len()).any(|i| lits.starts_at(hay, i));
            prop_assert_eq!(lits.search(hay), every);
            let regex = Regex::new(&pattern).expect("valid");
            prop_assert_eq!(every, regex.is_match(&value));
        }

        /// Plain alternations always take the fast path on ASCII values and agree.
        #[test]
        fn plain_alternations_agree(
            ignore_case in any::<bool>(),
            branches in prop::collection::vec("[a-zA-Z0-9 _/@,-]{1,4}", 1..5),
            value in "[a-zA-Z0-9 _/@,-]{0,16}",
        ) {
            let pattern = format!("{}{}", if ignore_case { "(?i)" } else { "" }, branches.join("|"));
            let lits = Literals::of(&pattern).expect("a plain alternation");
            let regex = Regex::new(&pattern).expect("valid");
            prop_assert_eq!(lits.is_match(&value), Some(regex.is_match(&value)));
        }

        /// One shared pass answers what each search answers, whenever it answers: patterns
        /// and `contains` texts that overlap and share prefixes, on values in mixed case, with
        /// non-ASCII letters (the Kelvin sign, the long s), zero bytes, empty, and longer than
        /// the pass takes. It answers every ASCII value up to its length limit.
        #[test]
        fn a_shared_search_answers_as_each_search(
            ignore_case in any::<bool>(),
            searches in prop::collection::vec(prop::collection::vec("[a-dA-D ]{2,10}", 1..4), 1..5),
            value in "[a-dA-D \\x00]{0,24}|[a-dA-Dé\u{212A}\u{17F}]{0,12}|[abAB]{100,130}",
        ) {
            let lits: Vec<Literals> = searches
                .iter()
                .map(|branches| {
                    let pattern = format!("{}{}", if ignore_case { "(?i)" } else { "" }, branches.join("|"));
                    Literals::of(&pattern).expect("a plain alternation")
                })
                .collect();
            let refs: Vec<&Literals> = lits.iter().collect();
            let shared = SharedSearch::new(&refs).expect("two-byte needles share a pass");
            match shared.find(&value) {
                Some(bits) => {
                    for (i, l) in lits.iter().enumerate() {
                        prop_assert_eq!(Some(bits >> i & 1 == 1), l.is_match(&value), "search {} on {:?}", i, value);
                    }
                }
                None => prop_assert!(
                    value.len() > SHARED_MAX_VALUE || (ignore_case && !value.is_ascii()),
                    "no answer on {:?}", value
                ),
            }
        }
    }

    #[test]
    fn searches_that_cannot_share_a_pass_are_refused() {
        let one_byte = Literals::of("(?i)a|bc").expect("valid");
        let two = Literals::of("(?i)ab|bc").expect("valid");
        let cased = Literals::of("ab|bc").expect("valid");
        assert!(SharedSearch::new(&[&one_byte, &two]).is_none());
        assert!(SharedSearch::new(&[&two, &cased]).is_none());
        assert!(SharedSearch::new(&[]).is_none());
        let text = Literals::of_text("student", true).expect("valid");
        let shared = SharedSearch::new(&[&two, &text]).expect("shareable");
        assert_eq!(shared.find("STUDENT of ABc"), Some(0b11));
        assert_eq!(shared.find("a student"), Some(0b10));
        assert_eq!(shared.find("\u{212A}"), None);
    }
}
