//! Lead-to-account matching (docs/routing.md step 1): by email or website domain through a
//! domain -> account map (the lead's domain, then its parent domains, so the most specific
//! account wins), else by normalised company name (exact map lookup, then optionally
//! Jaro-Winkler similarity).

use super::territory::{word_of, FxBuild};
use crate::condition::domain::{email_domain, email_domain_cow, is_free_mail, FREE_MAIL_DOMAINS};
use crate::model::{Account, Lead};
use std::borrow::Cow;
use std::collections::HashMap;

/// Legal-form words dropped from the end of company names: what [`is_legal_suffix`] matches
/// (a test checks they agree).
#[cfg(test)]
const LEGAL_SUFFIXES: &[&str] = &[
    "ab",
    "ag",
    "as",
    "bv",
    "co",
    "company",
    "corp",
    "corporation",
    "gmbh",
    "inc",
    "kk",
    "limited",
    "llc",
    "ltd",
    "nv",
    "oy",
    "plc",
    "pty",
    "sa",
    "sarl",
    "se",
    "spa",
    "srl",
];

/// How an account was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchedBy {
    Domain,
    CompanyName,
}

/// The outcome of matching one lead.
#[derive(Debug, Clone, PartialEq)]
pub enum AccountMatch {
    Matched(usize, MatchedBy),
    /// The lead's domain is a free-mail provider (and its company name matched nothing).
    FreeMail(String),
    None,
}

/// Whether `word` is a legal-form word dropped from the end of company names (docs/routing.md
/// step 1), by a `match` on the text rather than a scan of a list.
fn is_legal_suffix(word: &[u8]) -> bool {
    matches!(
        word,
        b"ab"
            | b"ag"
            | b"as"
            | b"bv"
            | b"co"
            | b"company"
            | b"corp"
            | b"corporation"
            | b"gmbh"
            | b"inc"
            | b"kk"
            | b"limited"
            | b"llc"
            | b"ltd"
            | b"nv"
            | b"oy"
            | b"plc"
            | b"pty"
            | b"sa"
            | b"sarl"
            | b"se"
            | b"spa"
            | b"srl"
    )
}

/// What a domain is to the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Domain {
    Account(usize),
    /// A free-mail domain: never an account's (accounts with one are not indexed by it).
    FreeMail,
}

/// The longest company name normalised on the stack ([`normalize_ascii`]); longer names
/// take [`normalize_company`].
const NAME_STACK: usize = 96;

/// The accounts of a router, indexed for matching. The maps hash with FxHash rather than
/// SipHash: their keys are the router's own accounts, and a lookup hashes one short text.
#[derive(Debug, Default)]
pub struct AccountIndex {
    /// The accounts' domains and the free-mail domains (so one look-up tells both).
    by_domain: HashMap<String, Domain, FxBuild>,
    /// Normalised names as bytes (the ASCII path builds them as bytes).
    by_name: HashMap<Box<[u8]>, usize, FxBuild>,
    names: Vec<String>,
}

impl AccountIndex {
    pub fn new(accounts: &[Account]) -> AccountIndex {
        let mut by_domain: HashMap<String, Domain, FxBuild> = FREE_MAIL_DOMAINS
            .iter()
            .map(|d| (d.to_string(), Domain::FreeMail))
            .collect();
        let mut by_name = HashMap::default();
        let mut names = Vec::with_capacity(accounts.len());
        for (i, a) in accounts.iter().enumerate() {
            let domain = a
                .domain
                .as_deref()
                .and_then(email_domain)
                .or_else(|| a.website.as_deref().and_then(email_domain));
            if let Some(d) = domain {
                if !is_free_mail(&d) {
                    by_domain.entry(d).or_insert(Domain::Account(i));
                }
            }
            let name = normalize_company(&a.name);
            if !name.is_empty() {
                by_name.entry(Box::from(name.as_bytes())).or_insert(i);
            }
            names.push(name);
        }
        AccountIndex {
            by_domain,
            by_name,
            names,
        }
    }

    pub fn find(
        &self,
        lead: &Lead,
        by_domain: bool,
        by_company_name: bool,
        similarity: Option<f64>,
    ) -> AccountMatch {
        let mut free = None;
        if by_domain {
            let domain = lead
                .email
                .as_deref()
                .and_then(domain_of)
                .or_else(|| lead.website.as_deref().and_then(domain_of));
            if let Some(d) = domain {
                // The domain itself (free mail or an account), then its parent domains while
                // they still have two labels or more (accounts only: `x.gmail.com` is no
                // free-mail address and `gmail.com` no account).
                match self.by_domain.get(&*d) {
                    Some(&Domain::FreeMail) => free = Some(d.into_owned()),
                    Some(&Domain::Account(i)) => {
                        return AccountMatch::Matched(i, MatchedBy::Domain)
                    }
                    None => {
                        let mut rest: &str = &d;
                        while let Some(i) = rest.as_bytes().iter().position(|&b| b == b'.') {
                            if !rest.as_bytes()[i + 1..].contains(&b'.') {
                                break;
                            }
                            rest = &rest[i + 1..];
                            if let Some(&Domain::Account(i)) = self.by_domain.get(rest) {
                                return AccountMatch::Matched(i, MatchedBy::Domain);
                            }
                        }
                    }
                }
            }
        }
        if by_company_name {
            if let Some(company) = lead.company.as_deref() {
                let mut stack = [0u8; NAME_STACK];
                let name: Cow<'_, [u8]> = match normalize_ascii(company, &mut stack) {
                    Some(name) => Cow::Borrowed(name),
                    None => Cow::Owned(normalize_company(company).into_bytes()),
                };
                if !name.is_empty() {
                    if let Some(&i) = self.by_name.get(&*name) {
                        return AccountMatch::Matched(i, MatchedBy::CompanyName);
                    }
                    // Built from a `str` (ASCII bytes or a `String`): never fails.
                    let text = || std::str::from_utf8(&name).ok();
                    if let Some((threshold, name)) = similarity.and_then(|t| Some((t, text()?))) {
                        let mut best: Option<(f64, usize)> = None;
                        for (i, n) in self.names.iter().enumerate() {
                            if n.is_empty() {
                                continue;
                            }
                            let score = strsim::jaro_winkler(name, n);
                            if score >= threshold && best.is_none_or(|(b, _)| score > b) {
                                best = Some((score, i));
                            }
                        }
                        if let Some((_, i)) = best {
                            return AccountMatch::Matched(i, MatchedBy::CompanyName);
                        }
                    }
                }
            }
        }
        match free {
            Some(d) => AccountMatch::FreeMail(d),
            None => AccountMatch::None,
        }
    }
}

/// Byte classes for [`domain_of`].
const BAD: u8 = 1; // not printable ASCII, or `:` (the general reader's shapes)
const UPPER: u8 = 2;
const OTHER: u8 = 4; // printable, but not a host's letter, digit, `-`, `_` or `.`

static CLASS: [u8; 256] = {
    let mut t = [BAD; 256];
    let mut b = 0x21;
    while b < 0x7f {
        t[b] = if (b as u8).is_ascii_lowercase()
            || (b as u8).is_ascii_digit()
            || matches!(b as u8, b'-' | b'_' | b'.')
        {
            0
        } else if (b as u8).is_ascii_uppercase() {
            UPPER
        } else if b == b':' as usize {
            BAD
        } else {
            OTHER
        };
        b += 1;
    }
    t
};

/// [`email_domain_cow`] (the same domain, or none, for every input) with a shortcut for the
/// usual shape of a lead's email, `name@host` in printable ASCII with a host of letters,
/// digits, `-`, `_` and dots. The last `@` is found eight bytes at a time ([`last_at`]), the
/// classes of the host's bytes and of the rest are or-ed together (no dependence from byte to byte,
/// so the loops unroll), and the dots counted and two dots in a row found eight bytes at a
/// time ([`dots_of`]). Anything else takes [`domain_of_checked`].
fn domain_of(s: &str) -> Option<Cow<'_, str>> {
    let bytes = s.as_bytes();
    let Some(at) = last_at(bytes) else {
        return domain_of_checked(s);
    };
    let host_all = &bytes[at + 1..];
    let classes = |part: &[u8]| part.iter().fold(0u8, |c, &b| c | CLASS[usize::from(b)]);
    let host = classes(host_all);
    if host & (BAD | OTHER) != 0 || classes(&bytes[..at]) & BAD != 0 {
        return domain_of_checked(s);
    }
    let (mut dots, double_dot) = dots_of(host_all);
    let mut host_bytes = host_all;
    if let Some(stripped) = host_bytes.strip_suffix(b".") {
        host_bytes = stripped;
        dots -= 1;
    }
    let (&first, &last) = (host_bytes.first()?, host_bytes.last()?);
    if double_dot || matches!(first, b'.' | b'-') || matches!(last, b'.' | b'-') {
        return None;
    }
    let start = at + 1;
    let host_text = &s[start..start + host_bytes.len()];
    let host_text = match host_text.get(..4) {
        Some(www)
            if dots >= 2
                && www.eq_ignore_ascii_case("www.")
                && !host_text[4..].starts_with('-') =>
        {
            &host_text[4..]
        }
        _ if dots >= 1 => host_text,
        _ => return None,
    };
    Some(if host & UPPER != 0 {
        Cow::Owned(host_text.to_ascii_lowercase())
    } else {
        Cow::Borrowed(host_text)
    })
}

/// The number of dots in `host` and whether two follow each other, eight bytes at a time: a
/// word's dots are marked exactly (no borrow crosses bytes), counted by one multiplication,
/// and compared with the marks one byte on (the last byte's mark carried into the next word).
/// The last word is zero-padded; zero is no dot.
fn dots_of(host: &[u8]) -> (usize, bool) {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const ONES: u64 = 0x0101_0101_0101_0101;
    const DOTS: u64 = 0x2e2e_2e2e_2e2e_2e2e;
    let (mut dots, mut double, mut carry) = (0u64, 0u64, 0u64);
    for chunk in host.chunks(8) {
        let x = word_of(chunk) ^ DOTS;
        let marks = !(((x & LOW7) + LOW7) | x | LOW7);
        // One bit per dot at the bottom of its byte; their sum lands in the top byte.
        dots += ((marks >> 7).wrapping_mul(ONES)) >> 56;
        double |= marks & ((marks << 8) | carry);
        carry = marks >> 56;
    }
    (dots as usize, double != 0)
}

/// The position of the last `@` in `bytes`: eight bytes at a time from the end, each word's
/// `@` bytes marked exactly (no borrow runs from byte to byte, so the highest mark is the
/// last `@`), then byte by byte for the first few. `rfind` and `memrchr` spend more than this
/// on a short text aligning their loads.
fn last_at(bytes: &[u8]) -> Option<usize> {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const AT: u64 = 0x4040_4040_4040_4040;
    let mut end = bytes.len();
    while let Some(chunk) = end.checked_sub(8).and_then(|start| bytes.get(start..end)) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        // Bytes equal to `@` are zero in `x`; `marks` has the high bit of exactly those.
        let x = u64::from_le_bytes(word) ^ AT;
        let marks = !(((x & LOW7) + LOW7) | x | LOW7);
        if marks != 0 {
            let last = (63 - marks.leading_zeros() as usize) / 8;
            return Some(end - 8 + last);
        }
        end -= 8;
    }
    bytes[..end].iter().rposition(|&b| b == b'@')
}

/// The shortcut of [`domain_of`] checked byte by byte, for hosts with other characters
/// (a `>` closing a display form, characters that make the host invalid).
fn domain_of_checked(s: &str) -> Option<Cow<'_, str>> {
    let bytes = s.as_bytes();
    // The shortcut's shape: printable ASCII without `:` (no scheme, port or trimming) and
    // with an `@`; the host is what follows the last `@`, unless it has a `>` to trim.
    if !bytes
        .iter()
        .all(|&b| (0x21..0x7f).contains(&b) && b != b':')
    {
        return email_domain_cow(s);
    }
    let Some(at) = bytes.iter().rposition(|&b| b == b'@') else {
        return email_domain_cow(s);
    };
    let host = &bytes[at + 1..];
    let host = host.strip_suffix(b".").unwrap_or(host);
    let (&first, &last) = (host.first()?, host.last()?);
    if matches!(first, b'.' | b'-') || matches!(last, b'.' | b'-' | b'>') {
        // `>` closes a display form (`Ann <ann@acme.com>`): the general reader trims it.
        return if last == b'>' {
            email_domain_cow(s)
        } else {
            None
        };
    }
    let (mut dots, mut previous_dot, mut upper) = (0, false, false);
    for &b in host {
        let dot = b == b'.';
        if dot {
            if previous_dot {
                return None;
            }
            dots += 1;
        } else if b.is_ascii_uppercase() {
            upper = true;
        } else if !(b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
            return if b == b'>' { email_domain_cow(s) } else { None };
        }
        previous_dot = dot;
    }
    let start = at + 1;
    let host = &s[start..start + host.len()];
    let host = match host.get(..4) {
        Some(www)
            if dots >= 2 && www.eq_ignore_ascii_case("www.") && !host[4..].starts_with('-') =>
        {
            &host[4..]
        }
        _ if dots >= 1 => host,
        _ => return None,
    };
    Some(if upper {
        Cow::Owned(host.to_ascii_lowercase())
    } else {
        Cow::Borrowed(host)
    })
}

/// Lowercase, accents folded (`ß` -> `ss`, `æ` -> `ae`, `œ` -> `oe`), punctuation dropped, trailing legal suffixes removed (never the
/// first word), whitespace collapsed: `"Société Générale S.A."` -> `"societe generale"`.
pub fn normalize_company(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    // Words are joined by one space as they are written, so no word list is built.
    let push = |out: &mut String, c: char| match c {
        'ß' => out.push_str("ss"),
        'æ' => out.push_str("ae"),
        'œ' => out.push_str("oe"),
        c if c.is_alphanumeric() => out.push(c),
        c if c.is_whitespace() && !out.is_empty() && !out.ends_with(' ') => out.push(' '),
        _ => {} // other punctuation and symbols are dropped
    };
    for c in name.chars() {
        if c.is_ascii() {
            push(&mut out, c.to_ascii_lowercase());
        } else {
            for lower in c.to_lowercase() {
                push(&mut out, fold_accent(lower));
            }
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    // Legal suffixes go from the end, never the first word.
    while let Some(cut) = out.rfind(' ') {
        if !is_legal_suffix(&out.as_bytes()[cut + 1..]) {
            break;
        }
        out.truncate(cut);
    }
    out
}

/// [`normalize_company`] of an ASCII name of at most [`NAME_STACK`] bytes, as bytes written
/// into `buf` without allocating; `None` for other names.
fn normalize_ascii<'b>(name: &str, buf: &'b mut [u8; NAME_STACK]) -> Option<&'b [u8]> {
    let bytes = name.as_bytes();
    if bytes.len() > NAME_STACK || !bytes.is_ascii() {
        return None;
    }
    let mut n = 0;
    for &b in bytes {
        if b.is_ascii_alphanumeric() {
            buf[n] = b.to_ascii_lowercase();
            n += 1;
        } else if (b.is_ascii_whitespace() || b == 0x0b) && n > 0 && buf[n - 1] != b' ' {
            // `char::is_whitespace` on ASCII: the ASCII whitespace plus vertical tab.
            buf[n] = b' ';
            n += 1;
        }
    }
    if n > 0 && buf[n - 1] == b' ' {
        n -= 1;
    }
    let mut out = &buf[..n];
    // A plain loop rather than `rfind`'s call: only the last word is scanned.
    while let Some(cut) = out.iter().rposition(|&b| b == b' ') {
        if !is_legal_suffix(&out[cut + 1..]) {
            break;
        }
        out = &out[..cut];
    }
    Some(out)
}

/// The base letter of a lowercase accented Latin letter (the common European ones).
fn fold_accent(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => 'a',
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => 'c',
        'ď' | 'đ' => 'd',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => 'e',
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => 'g',
        'ĥ' | 'ħ' => 'h',
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => 'i',
        'ĵ' => 'j',
        'ķ' => 'k',
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => 'l',
        'ñ' | 'ń' | 'ņ' | 'ň' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => 'o',
        'ŕ' | 'ŗ' | 'ř' => 'r',
        'ś' | 'ŝ' | 'ş' | 'š' | 'ș' => 's',
        'ţ' | 'ť' | 'ŧ' | 'ț' => 't',
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => 'u',
        'ŵ' => 'w',
        'ý' | 'ÿ' | 'ŷ' => 'y',
        'ź' | 'ż' | 'ž' => 'z',
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        /// The shortcut reads the domain the general reader reads, for any text.
        #[test]
        fn domain_of_agrees_with_email_domain(
            s in prop::collection::vec(prop::sample::select(vec![
                "a", "B", "@", ".", "-", "_", "w", "W", "ww", "www.", ":", "//", "/", ">", "<",
                " ", "\t", "é", "K", "1", "acme", "Gmail.com", "x", "?", "#", "+", "..", ".com",
            ]), 0..12),
        ) {
            let s: String = s.concat();
            prop_assert_eq!(domain_of(&s), email_domain_cow(&s), "{:?}", s);
            if let Some(d) = domain_of(&s) {
                let free = AccountIndex::new(&[]).by_domain.get(&*d) == Some(&Domain::FreeMail);
                prop_assert_eq!(free, is_free_mail(&d), "{:?}", s);
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1_000))]

        /// The stack normaliser gives what the general one gives for any ASCII name it takes.
        #[test]
        fn ascii_names_normalise_as_the_general_way(
            s in prop::collection::vec(prop::sample::select(vec![
                "a", "B", "Acme", " ", "  ", "\t", "\u{b}", "\u{c}", "\n", "\r", ".", ",", "&",
                "-", "9", "inc", "Inc.", " co", " ltd", "LLC", "sa", " S.A.", "gmbh", "x",
                "corporation", "company", "\u{1f}", "\u{7f}",
            ]), 0..10),
        ) {
            let s: String = s.concat();
            let mut buf = [0u8; NAME_STACK];
            let fast = normalize_ascii(&s, &mut buf).map(<[u8]>::to_vec);
            prop_assert_eq!(fast, Some(normalize_company(&s).into_bytes()), "{:?}", s);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        /// The word-at-a-time search finds the last `@` that a byte-by-byte search finds, at
        /// any length and position, among bytes one away from `@` and with the high bit set.
        #[test]
        fn last_at_agrees_with_rposition(
            bytes in prop::collection::vec(prop::sample::select(vec![
                b'@', b'?', b'A', b'a', 0u8, 0x80, 0xc0, 0xff, 0x3f, 0x41, 0x7f, 0x01, b'.',
            ]), 0..40),
        ) {
            prop_assert_eq!(last_at(&bytes), bytes.iter().rposition(|&b| b == b'@'));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        /// The word-at-a-time dot count and `..` search agree with byte-by-byte ones, at any
        /// length, with dots in a row across words and bytes one bit away from a dot.
        #[test]
        fn dots_of_agrees_with_bytewise(
            bytes in prop::collection::vec(prop::sample::select(vec![
                b'.', b'.', b'.', b'a', 0u8, 0x2f, 0x2d, 0xae, 0x6e, 0xff, 0x80,
            ]), 0..40),
        ) {
            let dots = bytes.iter().filter(|&&b| b == b'.').count();
            let double = bytes.windows(2).any(|w| w == b"..");
            prop_assert_eq!(dots_of(&bytes), (dots, double), "{:?}", bytes);
        }
    }

    #[test]
    fn legal_suffixes_are_matched_as_listed() {
        for w in LEGAL_SUFFIXES {
            assert!(is_legal_suffix(w.as_bytes()), "{w}");
        }
        for w in [
            "",
            "a",
            "in",
            "incc",
            "Inc",
            "corporations",
            "s",
            "gmb",
            "company ",
        ] {
            assert!(!is_legal_suffix(w.as_bytes()), "{w:?}");
        }
        let mut buf = [0u8; NAME_STACK];
        assert_eq!(
            normalize_ascii(&"a".repeat(NAME_STACK), &mut buf).map(<[u8]>::len),
            Some(NAME_STACK)
        );
        assert_eq!(normalize_ascii(&"a".repeat(NAME_STACK + 1), &mut buf), None);
        assert_eq!(normalize_ascii("Müller GmbH", &mut buf), None);
    }

    #[test]
    fn domain_of_reads_the_usual_shapes() {
        for (s, want) in [
            ("ann@acme.com", Some("acme.com")),
            ("Ann.Lee@Sub.ACME.com", Some("sub.acme.com")),
            ("ann@www.acme.com", Some("acme.com")),
            ("ann@www.com", Some("www.com")),
            ("ann@www.-x.com", Some("www.-x.com")),
            ("ann@acme.com.", Some("acme.com")),
            ("Ann <ann@acme.com>", Some("acme.com")),
            ("<ann@acme.com>", Some("acme.com")),
            ("ann@gmail.com", Some("gmail.com")),
            ("ann@acme", None),
            ("ann@", None),
            ("ann@a..com", None),
            ("ann@-a.com", None),
            ("a+b@x.acme.com", Some("x.acme.com")),
            ("ann@Acme.com>", Some("acme.com")),
            ("ann@acme.com..", None),
            ("ann@a.b..c", None),
            ("ann@WWW.Acme.com", Some("acme.com")),
            ("ann@acme.com.", Some("acme.com")),
            ("ann@.", None),
            ("a@b@acme.com", Some("acme.com")),
        ] {
            assert_eq!(domain_of(s).as_deref(), want, "{s:?}");
            assert_eq!(domain_of(s), email_domain_cow(s), "{s:?}");
        }
        let index = AccountIndex::new(&[]);
        assert_eq!(index.by_domain.get("gmail.com"), Some(&Domain::FreeMail));
        assert_eq!(index.by_domain.get("acme.com"), None);
    }

    #[test]
    fn company_names_normalise() {
        assert_eq!(
            normalize_company("Société Générale S.A."),
            "societe generale"
        );
        assert_eq!(normalize_company("  ACME,  Inc. "), "acme");
        assert_eq!(normalize_company("Acme Co Ltd"), "acme");
        assert_eq!(normalize_company("Company"), "company");
        assert_eq!(normalize_company("Müller GmbH"), "muller");
        assert_eq!(
            normalize_company("Straße & Æther Œuvre SA"),
            "strasse aether oeuvre"
        );
        assert_eq!(normalize_company(" \u{b}Acme\t\n Inc ,  "), "acme");
        assert_eq!(normalize_company("Ltd"), "ltd");
        assert_eq!(normalize_company("..."), "");
    }

    /// The normalisation agrees with a plain reference on arbitrary text.
    #[test]
    fn company_names_agree_with_reference() {
        fn reference(name: &str) -> String {
            let mut cleaned = String::new();
            for c in name.chars().flat_map(char::to_lowercase) {
                match fold_accent(c) {
                    'ß' => cleaned.push_str("ss"),
                    'æ' => cleaned.push_str("ae"),
                    'œ' => cleaned.push_str("oe"),
                    c if c.is_alphanumeric() => cleaned.push(c),
                    c if c.is_whitespace() => cleaned.push(' '),
                    _ => {}
                }
            }
            let mut words: Vec<&str> = cleaned.split_whitespace().collect();
            while words.len() > 1 && words.last().is_some_and(|w| LEGAL_SUFFIXES.contains(w)) {
                words.pop();
            }
            words.join(" ")
        }
        let samples = [
            "Société Générale S.A.",
            "ACME INC",
            "İstanbul Ltd",
            "ẞig Co",
            "a  b\u{2003}c inc ltd",
            "Ǆemal LLC",
            " co ",
            "Œuf & Fils S.A.R.L.",
            "x\u{85}y",
        ];
        for name in samples {
            assert_eq!(normalize_company(name), reference(name), "{name:?}");
        }
    }
}
