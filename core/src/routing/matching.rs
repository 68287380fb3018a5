//! Lead-to-account matching (docs/routing.md step 1): by email or website domain through a
//! domain -> account map (the lead's domain, then its parent domains, so the most specific
//! account wins), else by normalised company name (exact map lookup, then optionally
//! Jaro-Winkler similarity).

use crate::condition::domain::{email_domain, is_free_mail};
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
                .and_then(email_domain)
                .or_else(|| lead.website.as_deref().and_then(email_domain));
            if let Some(d) = domain {
                if is_free_mail(&d) {
                    free = Some(d);
                } else {
                    let mut rest: &str = &d;
                    loop {
                        if let Some(&i) = self.by_domain.get(rest) {
                            return AccountMatch::Matched(i, MatchedBy::Domain);
                        }
                        match rest.split_once('.') {
                            Some((_, parent)) if parent.contains('.') => rest = parent,
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

/// Lowercase, accents folded, punctuation dropped, trailing legal suffixes removed (never the
/// first word), whitespace collapsed: `"Société Générale S.A."` -> `"societe generale"`.
pub fn normalize_company(name: &str) -> String {
    let mut cleaned = String::with_capacity(name.len());
    for c in name.chars().flat_map(char::to_lowercase) {
        let c = fold_accent(c);
        if c.is_alphanumeric() {
            cleaned.push(c);
        } else if c.is_whitespace() {
            cleaned.push(' ');
        } else if matches!(c, 'ß') {
            cleaned.push_str("ss");
        } else if matches!(c, 'æ') {
            cleaned.push_str("ae");
        } else if matches!(c, 'œ') {
            cleaned.push_str("oe");
        }
        // other punctuation and symbols are dropped
    }
    let mut words: Vec<&str> = cleaned.split_whitespace().collect();
    while words.len() > 1 && words.last().is_some_and(|w| LEGAL_SUFFIXES.contains(w)) {
        words.pop();
    }
    words.join(" ")
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
    }
}
