//! The names agencies, their sub-brands and platforms go by, and their canonical short names.
//!
//! A lookup table plus word lists; nothing here parses a whole credit line or knows a style.
//! Canonical names follow `tests/data/credit-lines.md` ("agency"): `AP`, `Reuters`, `AFP`,
//! `Getty Images`, `EPA`, `PA`, `Sputnik`, `RIA Novosti`, `TASS`, `Anadolu`, …

use super::Kind;

mod org;
mod table;

pub(crate) use org::{domain, has_org_word, is_issuer};
use table::ALIASES;
pub(crate) use table::Alias;

/// Every printed form in the agency table (agencies, sub-brands, platforms), for callers
/// that need names a credit may carry (property tests, the crawl).
pub fn names() -> impl Iterator<Item = &'static str> {
    ALIASES.iter().map(|a| a.name)
}

/// Collapse spaces and lower-case, so `GETTY  IMAGES` and `Getty Images` meet.
pub(crate) fn key(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Whether `name` (single-spaced, as the table writes it) lower-cased is `k`, without
/// allocating: lookups run for every element of every credit an audit reads.
fn same_lower(name: &str, k: &str) -> bool {
    name.chars().flat_map(char::to_lowercase).eq(k.chars())
}

/// The alias printed exactly as `s` (case and spacing aside).
pub(crate) fn lookup(s: &str) -> Option<&'static Alias> {
    let k = key(s);
    if k.is_empty() {
        return None;
    }
    ALIASES.iter().find(|a| same_lower(a.name, &k))
}

/// Whether `s` is the canonical name of an agency, brand or platform (`ZUMA`), which need
/// not itself be a printed form in the table.
pub(crate) fn is_canonical(s: &str) -> bool {
    let k = key(s);
    !k.is_empty() && ALIASES.iter().any(|a| same_lower(a.canonical, &k))
}

/// The alias `s` misspells: one letter dropped, added, changed, or two neighbours swapped
/// (`RETUERS`, `REUETRS`, `REUTRS`, all seen in IIM 2:110 by the Guardian's grid), and up
/// to two such slips in a name of twelve letters or more (`Assocaited Prses`). Only names
/// of six letters or more are tried, so short names are left alone; the nearest wins.
pub(crate) fn lookup_fuzzy(s: &str) -> Option<&'static Alias> {
    let k = key(s);
    let letters = |k: &str| k.chars().all(|c| c.is_alphabetic() || c == ' ');
    let n = k.chars().count();
    if n < 5 || !letters(&k) {
        return None;
    }
    let budget = |m: usize| if m >= 12 { 2 } else { 1 };
    ALIASES
        .iter()
        .filter(|a| {
            let m = a.name.chars().count();
            // Each edit changes the length by at most one.
            m >= 6 && m.abs_diff(n) <= budget(m) && letters(a.name)
        })
        .filter_map(|a| {
            let d = strsim::osa_distance(&key(a.name), &k);
            (d >= 1 && d <= budget(a.name.chars().count())).then_some((d, a))
        })
        .min_by_key(|(d, _)| *d)
        .map(|(_, a)| a)
}

/// The alias `s` is the start of, for a credit cut at the IIM 2:110 limit
/// (`Press Association Ima`, `the Gua`).
pub(crate) fn lookup_prefix(s: &str) -> Option<&'static Alias> {
    let k = key(s);
    if k.chars().count() < 3 {
        return None;
    }
    ALIASES
        .iter()
        .find(|a| key(a.name).starts_with(&k) && key(a.name) != k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_forms_case_insensitively() {
        assert_eq!(
            lookup("GETTY  IMAGES").map(|a| a.canonical),
            Some("Getty Images")
        );
        assert_eq!(lookup("epa-efe").map(|a| a.canonical), Some("EPA"));
        assert!(lookup("Alexei Druzhinin").is_none());
    }

    #[test]
    fn canonical_names_are_known() {
        assert!(lookup("ZUMA").is_none());
        assert!(is_canonical("ZUMA"));
        assert!(is_canonical("Getty Images"));
        assert!(!is_canonical("Alexei Druzhinin"));
        assert!(!is_canonical(" "));
    }

    #[test]
    fn misspellings_from_grid_map_to_reuters() {
        for s in ["RETUERS", "REUETRS", "REUTRS"] {
            assert_eq!(lookup_fuzzy(s).map(|a| a.canonical), Some("Reuters"), "{s}");
        }
        assert!(lookup_fuzzy("Ryder").is_none());
    }

    #[test]
    fn truncated_names_complete() {
        assert_eq!(
            lookup_prefix("Press Association Ima").map(|a| a.canonical),
            Some("PA")
        );
        assert_eq!(
            lookup_prefix("the Gua").map(|a| a.canonical),
            Some("The Guardian")
        );
    }

    #[test]
    fn issuers_and_domains() {
        assert!(is_issuer("Russian Defence Ministry Press Service"));
        assert!(is_issuer("20.kremlin.ru"));
        assert!(!is_issuer("Kyodo News Images"));
        assert_eq!(domain("20.kremlin.ru").as_deref(), Some("kremlin.ru"));
        assert_eq!(domain("Prod.DB"), None);
        assert_eq!(domain("J. Scott"), None);
    }
}
