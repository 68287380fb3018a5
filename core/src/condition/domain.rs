//! Email and web domains: normalisation, subdomain matching and the free-mail provider list.
//!
//! The condition helpers `email_domain` and `free_mail` use these, and so does lead-to-account
//! routing, so that "the domain of this lead" means one thing everywhere. Nothing here
//! allocates on the paths conditions evaluate (except for non-ASCII domains) and nothing panics.

use std::cmp::Ordering;

/// Common consumer (free) mail providers, sorted (byte order) and lowercase, so lookups are a
/// binary search. Hand-compiled from the providers' own published mail domains and from the
/// free-mail lists CRMs ship for lead qualification; it holds the large webmail services and
/// their main country variants, plus the few ISP mailboxes with a large share of B2B form fills.
/// It is deliberately not exhaustive: a longer list belongs in a config, not in code.
pub const FREE_MAIL_DOMAINS: &[&str] = &[
    "126.com",
    "163.com",
    "aol.com",
    "att.net",
    "bk.ru",
    "btinternet.com",
    "comcast.net",
    "daum.net",
    "fastmail.com",
    "free.fr",
    "freenet.de",
    "gmail.com",
    "gmx.at",
    "gmx.ch",
    "gmx.com",
    "gmx.de",
    "gmx.net",
    "googlemail.com",
    "hanmail.net",
    "hey.com",
    "hotmail.co.uk",
    "hotmail.com",
    "hotmail.de",
    "hotmail.es",
    "hotmail.fr",
    "hotmail.it",
    "icloud.com",
    "inbox.ru",
    "interia.pl",
    "laposte.net",
    "libero.it",
    "list.ru",
    "live.co.uk",
    "live.com",
    "live.fr",
    "mac.com",
    "mail.com",
    "mail.ru",
    "me.com",
    "msn.com",
    "naver.com",
    "o2.pl",
    "orange.fr",
    "outlook.com",
    "outlook.de",
    "outlook.fr",
    "pm.me",
    "proton.me",
    "protonmail.com",
    "qq.com",
    "rambler.ru",
    "rediffmail.com",
    "rocketmail.com",
    "sbcglobal.net",
    "seznam.cz",
    "sina.com",
    "t-online.de",
    "tuta.io",
    "tutanota.com",
    "verizon.net",
    "web.de",
    "wp.pl",
    "ya.ru",
    "yahoo.ca",
    "yahoo.co.in",
    "yahoo.co.jp",
    "yahoo.co.uk",
    "yahoo.com",
    "yahoo.com.au",
    "yahoo.com.br",
    "yahoo.de",
    "yahoo.es",
    "yahoo.fr",
    "yahoo.it",
    "yandex.com",
    "yandex.ru",
    "yeah.net",
    "ymail.com",
    "zoho.com",
    "zohomail.com",
];

/// The lowercased domain of an email address (`Ann <ann@Sub.Acme.com>` -> `sub.acme.com`), a URL
/// (`https://www.acme.com:8080/about` -> `acme.com`) or a bare domain (`Acme.COM` -> `acme.com`).
/// A leading `www.` is dropped; `None` when nothing that looks like a domain is left.
pub fn email_domain(s: &str) -> Option<String> {
    domain_part(s).map(lowercase)
}

/// [`email_domain`] without allocating when the domain is already lowercase ASCII.
pub fn email_domain_cow(s: &str) -> Option<std::borrow::Cow<'_, str>> {
    use std::borrow::Cow;
    domain_part(s).map(|d| {
        if d.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase()) {
            Cow::Borrowed(d)
        } else {
            Cow::Owned(lowercase(d))
        }
    })
}

/// Whether `domain` belongs to a free-mail provider (exact match, ASCII case-insensitive).
pub fn is_free_mail(domain: &str) -> bool {
    let domain = domain.strip_suffix('.').unwrap_or(domain);
    FREE_MAIL_DOMAINS
        .binary_search_by(|known| cmp_ascii_lower(known, domain))
        .is_ok()
}

/// Whether `domain` is `wanted` or one of its subdomains (`eu.acme.com` matches `acme.com`,
/// `notacme.com` does not), case-insensitive. Both are bare domains (see [`email_domain`]).
pub fn domain_matches(domain: &str, wanted: &str) -> bool {
    if wanted.is_empty() {
        return false;
    }
    if domain.is_ascii() && wanted.is_ascii() {
        let (d, w) = (domain.as_bytes(), wanted.as_bytes());
        if d.len() < w.len() {
            return false;
        }
        let cut = d.len() - w.len();
        d[cut..].eq_ignore_ascii_case(w) && (cut == 0 || d[cut - 1] == b'.')
    } else {
        let (d, w) = (lowercase(domain), lowercase(wanted));
        d == w
            || d.strip_suffix(w.as_str())
                .is_some_and(|rest| rest.ends_with('.'))
    }
}

/// The domain inside `s`, not lowercased: a borrowed slice, so evaluation does not allocate.
pub(crate) fn domain_part(s: &str) -> Option<&str> {
    let host = host_part(s);
    let dots = labels_joined_by_dots(host)?;
    match host.get(..4) {
        Some(www)
            if dots >= 2 && www.eq_ignore_ascii_case("www.") && !host[4..].starts_with('-') =>
        {
            Some(&host[4..])
        }
        _ if dots >= 1 => Some(host),
        _ => None,
    }
}

/// `email_domain(s)` is a free-mail provider: `domain_part(s).is_some_and(is_free_mail)`
/// without checking the host's labels. That check can be skipped because it cannot change
/// the answer: every listed provider is valid labels with a dot (a test holds the list to
/// that), so a host equal to one, or `www.` and one, passes it and comes out of
/// [`domain_part`] as that provider; and whatever `domain_part` returns is the host or the
/// host after `www.`. No provider starts with `www.`, and a trailing dot is not dropped a
/// second time here (`domain_part` refuses `gmail.com..`).
pub(crate) fn is_free_mail_address(s: &str) -> bool {
    let host = host_part(s);
    is_listed_free_mail(host)
        || host
            .get(..4)
            .is_some_and(|www| www.eq_ignore_ascii_case("www.") && is_listed_free_mail(&host[4..]))
}

/// The longest provider in [`FREE_MAIL_DOMAINS`], in bytes (a test keeps it in step).
const FREE_MAIL_MAX_LEN: usize = 14;

/// `host` is in [`FREE_MAIL_DOMAINS`] exactly (ASCII case-insensitive, no dot dropped): its
/// bytes, lowercased a word at a time, looked up in [`FREE_MAIL_TABLE`]. A host with a
/// non-ASCII byte is in no list of ASCII names (ignoring ASCII case leaves such a byte as it is).
fn is_listed_free_mail(host: &str) -> bool {
    let bytes = host.as_bytes();
    let n = bytes.len();
    if n == 0 || n > FREE_MAIL_MAX_LEN {
        return false;
    }
    let mut buf = [0u8; 16];
    buf[..n].copy_from_slice(bytes);
    let word = |at: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&buf[at..at + 8]);
        u64::from_le_bytes(w)
    };
    let (w0, w1) = (word(0), word(8));
    if (w0 | w1) & (ONES * 0x80) != 0 {
        return false;
    }
    let key = [ascii_lowercase_word(w0), ascii_lowercase_word(w1)];
    let mut at = free_mail_slot(key, n);
    loop {
        let slot = &FREE_MAIL_TABLE[at];
        if slot.len == 0 {
            return false;
        }
        if usize::from(slot.len) == n && slot.key == key {
            return true;
        }
        at = (at + 1) % FREE_MAIL_SLOTS;
    }
}

const ONES: u64 = 0x0101_0101_0101_0101;

/// `word` with its bytes ASCII-lowercased; every byte must be below 0x80.
fn ascii_lowercase_word(word: u64) -> u64 {
    let at_least_a = word.wrapping_add(ONES * u64::from(0x80 - b'A'));
    let above_z = word.wrapping_add(ONES * u64::from(0x80 - b'Z' - 1));
    word | ((at_least_a & !above_z & (ONES * 0x80)) >> 2)
}

/// A provider in [`FREE_MAIL_TABLE`]: its bytes as two little-endian words, zero-padded, and
/// its length (0 for an empty slot).
#[derive(Clone, Copy)]
struct FreeMailSlot {
    len: u8,
    key: [u64; 2],
}

/// Slots of [`FREE_MAIL_TABLE`]: a power of two, over three times the providers, so a lookup
/// probes one or two slots.
const FREE_MAIL_SLOTS: usize = 256;

/// [`FREE_MAIL_DOMAINS`] in an open-addressing table (linear probing), built at compile time.
static FREE_MAIL_TABLE: [FreeMailSlot; FREE_MAIL_SLOTS] = free_mail_table();

/// The first slot to probe for a key of `len` bytes.
const fn free_mail_slot(key: [u64; 2], len: usize) -> usize {
    let mixed = (key[0] ^ key[1].rotate_left(29) ^ len as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (mixed >> 56) as usize % FREE_MAIL_SLOTS
}

const fn free_mail_table() -> [FreeMailSlot; FREE_MAIL_SLOTS] {
    let mut table = [FreeMailSlot {
        len: 0,
        key: [0, 0],
    }; FREE_MAIL_SLOTS];
    let mut i = 0;
    while i < FREE_MAIL_DOMAINS.len() {
        let name = FREE_MAIL_DOMAINS[i].as_bytes();
        let mut key = [0u64; 2];
        let mut j = 0;
        while j < name.len() {
            key[j / 8] |= (name[j] as u64) << (8 * (j % 8));
            j += 1;
        }
        let mut at = free_mail_slot(key, name.len());
        while table[at].len != 0 {
            at = (at + 1) % FREE_MAIL_SLOTS;
        }
        table[at] = FreeMailSlot {
            len: name.len() as u8,
            key,
        };
        i += 1;
    }
    table
}

/// The host part of `s` (an email, a URL or a bare domain), trailing dot dropped, not yet
/// checked to be a domain.
fn host_part(s: &str) -> &str {
    // Usually both ends are letters or digits: nothing to trim there, nor at the end of the
    // host after an `@` (checked below without going through `char`s).
    let plain_ends = match (s.bytes().next(), s.bytes().last()) {
        (Some(f), Some(l)) => f.is_ascii_graphic() && l.is_ascii_alphanumeric(),
        _ => false,
    };
    let s = if plain_ends { s } else { trim_ends(s) };
    // One pass for the last `@` and the first `:` (both ASCII, so byte offsets are boundaries).
    let (at, colon) = last_at_first_colon(s.as_bytes());
    let host = match (colon, at) {
        // Only a scheme puts `://` in a domain-bearing value, before any other `:`.
        (Some(i), _) if s[i..].starts_with("://") => url_host(&s[i + 3..]),
        // An email, possibly in a display form (`Ann <ann@acme.com>`).
        (_, Some(a)) if plain_ends => &s[a + 1..],
        (_, Some(a)) => s[a + 1..].trim_end_matches(|c: char| c == '>' || c.is_whitespace()),
        _ => url_host(s),
    };
    host.strip_suffix('.').unwrap_or(host)
}

/// `s` without whitespace at either end (ASCII, and Unicode at an end that is not ASCII).
fn trim_ends(s: &str) -> &str {
    let s = s.trim_ascii();
    // Unicode whitespace can only be left at an end that is not ASCII.
    match (s.bytes().next(), s.bytes().last()) {
        (Some(f), Some(l)) if !f.is_ascii() || !l.is_ascii() => s.trim(),
        _ => s,
    }
}

/// The index of the last `@` and of the first `:` in `bytes`, eight bytes at a time.
fn last_at_first_colon(bytes: &[u8]) -> (Option<usize>, Option<usize>) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const LOW: u64 = ONES * 0x7f;
    // The top bit of each byte of `x` that is zero, and no other bit: exact, since no
    // addition carries across bytes.
    let zero_bytes = |x: u64| !((x & LOW).wrapping_add(LOW) | x | LOW);
    let (mut at, mut colon) = (None, None);
    let mut chunks = bytes.chunks_exact(8);
    let mut base = 0;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let word = u64::from_le_bytes(word);
        let ats = zero_bytes(word ^ (ONES * u64::from(b'@')));
        if ats != 0 {
            at = Some(base + (63 - ats.leading_zeros() as usize) / 8);
        }
        if colon.is_none() {
            let colons = zero_bytes(word ^ (ONES * u64::from(b':')));
            if colons != 0 {
                colon = Some(base + colons.trailing_zeros() as usize / 8);
            }
        }
        base += 8;
    }
    for (i, &b) in chunks.remainder().iter().enumerate() {
        if b == b'@' {
            at = Some(base + i);
        } else if b == b':' && colon.is_none() {
            colon = Some(base + i);
        }
    }
    (at, colon)
}

/// The number of dots when `host` is labels of letters, digits, `-` and `_` joined by single
/// dots, not starting or ending with `.` or `-`; `None` otherwise. One pass, no allocation.
fn labels_joined_by_dots(host: &str) -> Option<usize> {
    let bytes = host.as_bytes();
    let (first, last) = (*bytes.first()?, *bytes.last()?);
    if matches!(first, b'.' | b'-') || matches!(last, b'.' | b'-') {
        return None;
    }
    let mut dots = 0;
    let mut previous_dot = false;
    if host.is_ascii() {
        for &b in bytes {
            let dot = b == b'.';
            if dot {
                if previous_dot {
                    return None;
                }
                dots += 1;
            } else if !(b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
                return None;
            }
            previous_dot = dot;
        }
    } else {
        for c in host.chars() {
            let dot = c == '.';
            if dot {
                if previous_dot {
                    return None;
                }
                dots += 1;
            } else if !(c.is_alphanumeric() || c == '-' || c == '_') {
                return None;
            }
            previous_dot = dot;
        }
    }
    Some(dots)
}

/// [`domain_matches`] for an ASCII `domain` and an ASCII, already lowercase `wanted`: the
/// shape evaluation sees almost always, compared without re-checking either side.
pub(crate) fn ascii_domain_matches(domain: &[u8], wanted_lower: &[u8]) -> bool {
    let Some(cut) = domain.len().checked_sub(wanted_lower.len()) else {
        return false;
    };
    !wanted_lower.is_empty()
        && (cut == 0 || domain[cut - 1] == b'.')
        && domain[cut..]
            .iter()
            .zip(wanted_lower)
            .all(|(d, w)| d.to_ascii_lowercase() == *w)
}

/// The host of a URL without its scheme: up to the path, without user info and port.
fn url_host(s: &str) -> &str {
    let s = match s.find(['/', '?', '#']) {
        Some(i) => &s[..i],
        None => s,
    };
    let s = match s.rfind('@') {
        Some(i) => &s[i + 1..],
        None => s,
    };
    match s.rfind(':') {
        Some(i) if s[i + 1..].bytes().all(|b| b.is_ascii_digit()) => &s[..i],
        _ => s,
    }
}

/// Compares `known` (lowercase ASCII) with `other` lowercased, byte by byte.
fn cmp_ascii_lower(known: &str, other: &str) -> Ordering {
    known
        .bytes()
        .cmp(other.bytes().map(|b| b.to_ascii_lowercase()))
}

fn lowercase(s: &str) -> String {
    s.chars().flat_map(char::to_lowercase).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_mail_list_is_sorted_lowercase_and_unique() {
        assert!(FREE_MAIL_DOMAINS.len() >= 60);
        for pair in FREE_MAIL_DOMAINS.windows(2) {
            assert!(pair[0] < pair[1], "{} before {}", pair[0], pair[1]);
        }
        for d in FREE_MAIL_DOMAINS {
            assert_eq!(d.to_ascii_lowercase(), *d);
            assert_eq!(email_domain(d).as_deref(), Some(*d));
        }
    }

    #[test]
    fn domains_come_out_of_emails_urls_and_bare_domains() {
        let cases = [
            ("ann@acme.com", Some("acme.com")),
            ("Ann.Lee@Sub.ACME.com", Some("sub.acme.com")),
            ("Ann Lee <ann@acme.com>", Some("acme.com")),
            ("mailto:ann@acme.com", Some("acme.com")),
            ("acme.com", Some("acme.com")),
            (" WWW.Acme.com ", Some("acme.com")),
            ("https://www.acme.com/path?q=1#x", Some("acme.com")),
            ("http://acme.com:8080", Some("acme.com")),
            ("https://user:pw@eu.acme.com:443/x", Some("eu.acme.com")),
            ("acme.com/about", Some("acme.com")),
            ("acme.com.", Some("acme.com")),
            ("www.com", Some("www.com")),
            ("münchen.de", Some("münchen.de")),
            ("", None),
            ("acme", None),
            ("ann@", None),
            ("not a domain.com", None),
            ("a..b.com", None),
            ("@", None),
            ("https://", None),
        ];
        for (input, want) in cases {
            assert_eq!(email_domain(input).as_deref(), want, "{input:?}");
        }
    }

    #[test]
    fn free_mail_providers_are_plain_domains_the_fast_check_can_hold() {
        let longest = FREE_MAIL_DOMAINS.iter().map(|d| d.len()).max();
        assert_eq!(longest, Some(FREE_MAIL_MAX_LEN));
        for d in FREE_MAIL_DOMAINS {
            assert!(
                labels_joined_by_dots(d).is_some_and(|dots| dots >= 1),
                "{d}"
            );
            assert!(!d.starts_with("www."), "{d}");
        }
    }

    /// The general reading of a free-mail address: the domain, then the list.
    /// [`host_part`] as it was before the plain-ends shortcut: always trimming.
    fn host_part_trimming(s: &str) -> &str {
        let s = s.trim_ascii();
        let s = match (s.bytes().next(), s.bytes().last()) {
            (Some(f), Some(l)) if !f.is_ascii() || !l.is_ascii() => s.trim(),
            _ => s,
        };
        let (at, colon) = last_at_first_colon(s.as_bytes());
        let host = match (colon, at) {
            (Some(i), _) if s[i..].starts_with("://") => url_host(&s[i + 3..]),
            (_, Some(a)) => s[a + 1..].trim_end_matches(|c: char| c == '>' || c.is_whitespace()),
            _ => url_host(s),
        };
        host.strip_suffix('.').unwrap_or(host)
    }

    fn free_mail_by_domain(s: &str) -> bool {
        domain_part(s).is_some_and(is_free_mail)
    }

    #[test]
    fn the_free_mail_fast_check_agrees_on_tricky_values() {
        let values = [
            "ann@gmail.com",
            "Ann <ANN@GMail.COM>",
            "ann@gmail.com.",
            "ann@gmail.com..",
            "ann@.gmail.com",
            "ann@www.gmail.com",
            "ann@WWW.gmail.com",
            "ann@www.-gmail.com",
            "ann@www.www.gmail.com",
            "www.gmail.com",
            "https://www.gmail.com:443/x",
            "https://gmail.com:x",
            "mailto:ann@gmail.com",
            "gmail.com",
            "gmail",
            "ann@mail.gmail.com",
            "ann@gmail.com.evil.io",
            "ann@gmail..com",
            "ann@gmail.com>",
            "ann@gmail.com >",
            "  ann@gmail.com\u{2003}",
            "\u{2003}ann@gmail.com\u{2003}",
            "ann@gmaıl.com",
            "ann@gmail.com/",
            "@gmail.com",
            "ann@gmail.com@acme.com",
            "ann@acme.com@gmail.com",
            "pm.me",
            "ann@ya.ru",
            "ann@protonmail.com",
            "ann@protonmail.comx",
            "",
            "@",
            "www.",
        ];
        for v in values {
            assert_eq!(is_free_mail_address(v), free_mail_by_domain(v), "{v:?}");
        }
        assert!(is_free_mail_address("Ann <ann@www.GMAIL.com>"));
        assert!(!is_free_mail_address("ann@gmail.com.."));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(500))]

        /// The word-at-a-time scan finds the last `@` and the first `:` that a byte-by-byte
        /// scan finds, at every length and position, next to bytes one bit away from them.
        #[test]
        fn at_and_colon_are_found_at_every_position(
            bytes in proptest::collection::vec(proptest::sample::select(vec![
                b'@', b':', b'a', b'A', b'`', b'\x80', b'\xc0', 0u8, b'B', b';', b'z', 0xff,
            ]), 0..40),
        ) {
            let (mut at, mut colon) = (None, None);
            for (i, &b) in bytes.iter().enumerate() {
                if b == b'@' {
                    at = Some(i);
                } else if b == b':' && colon.is_none() {
                    colon = Some(i);
                }
            }
            proptest::prop_assert_eq!(last_at_first_colon(&bytes), (at, colon));
        }

        /// Values built from pieces of addresses, providers and junk: the fast check and the
        /// general reading always agree.
        #[test]
        fn free_mail_fast_check_never_disagrees(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "ann", "@", "gmail.com", "GMAIL.COM", "www.", "WwW.", ".", "..", "-", "_", ":",
                "://", "https", "/", ">", "<", " ", "\u{2003}", "é", "ya.ru", "pm.me", "mail",
                "com", "yahoo.co.uk", ":443", "?q", "#x",
            ]), 0..7),
        ) {
            let v: String = parts.concat();
            proptest::prop_assert_eq!(is_free_mail_address(&v), free_mail_by_domain(&v), "{:?}", v);
        }

        /// Skipping the trims when both ends are plain (an ASCII graphic first byte, an ASCII
        /// letter or digit last) reads the host the trimming reading reads, on addresses,
        /// URLs and junk with whitespace (ASCII and not), `>` and non-ASCII letters at the ends.
        #[test]
        fn host_reading_with_plain_ends_is_the_trimming_reading(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "ann", "@", "gmail.com", "WwW.", ".", "-", ":", "://", "https", "/", ">", "<",
                " ", "\t", "\u{2003}", "é", "a", "7", ":443", "?q", "#x", "\u{85}", "Z",
            ]), 0..8),
        ) {
            let v: String = parts.concat();
            proptest::prop_assert_eq!(host_part(&v), host_part_trimming(&v), "{:?}", v);
        }

        /// The hashed table answers what a binary search of the sorted list answers (ASCII
        /// case ignored): on every provider mixed-cased, cut short, lengthened, with one byte
        /// changed (to another letter, a zero, a non-ASCII character) and on random text.
        #[test]
        fn the_free_mail_table_is_the_list(
            pick in 0..FREE_MAIL_DOMAINS.len(),
            edit in 0usize..6,
            at in proptest::prelude::any::<proptest::sample::Index>(),
            upper in proptest::prelude::any::<u16>(),
            other in "[a-z.0-9\\x00é]{0,16}",
        ) {
            let listed = |h: &str| {
                FREE_MAIL_DOMAINS
                    .binary_search_by(|known| known.as_bytes().cmp(h.to_ascii_lowercase().as_bytes()))
                    .is_ok()
            };
            let name = FREE_MAIL_DOMAINS[pick];
            let mixed: String = name
                .chars()
                .enumerate()
                .map(|(i, c)| if upper >> (i % 16) & 1 == 1 { c.to_ascii_uppercase() } else { c })
                .collect();
            let i = at.index(name.len());
            let edited = match edit {
                0 => mixed.clone(),
                1 => mixed[..i].to_string(),
                2 => format!("{mixed}x"),
                3 => format!("{}{}{}", &mixed[..i], if &mixed[i..=i] == "q" { "z" } else { "q" }, &mixed[i + 1..]),
                4 => format!("{}\u{0}{}", &mixed[..i], &mixed[i + 1..]),
                _ => format!("{}é{}", &mixed[..i], &mixed[i + 1..]),
            };
            for h in [&*mixed, &*edited, &*other] {
                proptest::prop_assert_eq!(is_listed_free_mail(h), listed(h), "{:?}", h);
            }
            proptest::prop_assert!(is_listed_free_mail(&mixed));
        }
    }

    #[test]
    fn free_mail_is_exact_and_case_insensitive() {
        assert!(is_free_mail("gmail.com"));
        assert!(is_free_mail("GMail.COM"));
        assert!(is_free_mail("yahoo.co.uk"));
        assert!(is_free_mail("proton.me"));
        assert!(!is_free_mail("acme.com"));
        assert!(!is_free_mail("mail.gmail.com.evil.io"));
        assert!(!is_free_mail(""));
    }

    #[test]
    fn subdomains_match_their_parent_only() {
        assert!(domain_matches("acme.com", "acme.com"));
        assert!(domain_matches("eu.Acme.com", "acme.COM"));
        assert!(domain_matches("a.b.acme.com", "b.acme.com"));
        assert!(!domain_matches("notacme.com", "acme.com"));
        assert!(!domain_matches("acme.com", "eu.acme.com"));
        assert!(!domain_matches("acme.com.evil.io", "acme.com"));
        assert!(!domain_matches("acme.com", ""));
        assert!(domain_matches("eu.MÜNCHEN.de", "münchen.de"));
        assert!(!domain_matches("xmünchen.de", "münchen.de"));
    }
}
