//! Lead-to-account matching (docs/routing.md step 1): by email or website domain through a
//! domain -> account map (the lead's domain, then its parent domains, so the most specific
//! account wins), else by normalised company name (exact map lookup, then optionally
//! Jaro-Winkler similarity).

use crate::condition::domain::{email_domain, email_domain_cow, is_free_mail};
use crate::model::{Account, Lead};
use std::collections::HashMap;

/// Legal-form words dropped from the end of company names.
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

/// The accounts of a router, indexed for matching.
#[derive(Debug, Default)]
pub struct AccountIndex {
    by_domain: HashMap<String, usize>,
    by_name: HashMap<String, usize>,
    names: Vec<String>,
}

impl AccountIndex {
    pub fn new(accounts: &[Account]) -> AccountIndex {
        let mut by_domain = HashMap::new();
        let mut by_name = HashMap::new();
        let mut names = Vec::with_capacity(accounts.len());
        for (i, a) in accounts.iter().enumerate() {
            let domain = a
                .domain
                .as_deref()
                .and_then(email_domain)
                .or_else(|| a.website.as_deref().and_then(email_domain));
            if let Some(d) = domain {
                if !is_free_mail(&d) {
                    by_domain.entry(d).or_insert(i);
                }
            }
            let name = normalize_company(&a.name);
            if !name.is_empty() {
                by_name.entry(name.clone()).or_insert(i);
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
                .and_then(email_domain_cow)
                .or_else(|| lead.website.as_deref().and_then(email_domain_cow));
            if let Some(d) = domain {
                if is_free_mail(&d) {
                    free = Some(d.into_owned());
                } else {
                    let mut rest: &str = &d;
                    loop {
                        if let Some(&i) = self.by_domain.get(rest) {
                            return AccountMatch::Matched(i, MatchedBy::Domain);
                        }
                        // The parent domain, while it still has two labels or more.
                        match rest.as_bytes().iter().position(|&b| b == b'.') {
                            Some(i) if rest.as_bytes()[i + 1..].contains(&b'.') => {
                                rest = &rest[i + 1..]
                            }
                            _ => break,
                        }
                    }
                }
            }
        }
        if by_company_name {
            if let Some(company) = lead.company.as_deref() {
                let name = normalize_company(company);
                if !name.is_empty() {
                    if let Some(&i) = self.by_name.get(&name) {
                        return AccountMatch::Matched(i, MatchedBy::CompanyName);
                    }
                    if let Some(threshold) = similarity {
                        let mut best: Option<(f64, usize)> = None;
                        for (i, n) in self.names.iter().enumerate() {
                            if n.is_empty() {
                                continue;
                            }
                            let score = strsim::jaro_winkler(&name, n);
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
        if !LEGAL_SUFFIXES.contains(&&out[cut + 1..]) {
            break;
        }
        out.truncate(cut);
    }
    out
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
