//! The looser forms an agency's name is printed in: without its accents (`Agencia Brasil`),
//! with its spaces and hyphens moved (`Flash90`, `ITAR TASS`), and wrapped in the words
//! agencies put around their names (`Russian News Agency TASS`, `dpa-Zentralbild`,
//! `Agencia EFE`, `Yonhap News Agency`). Pure string functions; the index that uses them is
//! in `agency.rs`.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// `s` lower-cased, its accents dropped and its spaces collapsed: the key two spellings of a
/// name meet under when they differ only in diacritics (`Agência`/`Agencia`, `Télam`/`Telam`).
/// Letters that are not a base letter plus a mark are spelt out (`ø` → `o`, `ß` → `ss`).
pub(super) fn fold(s: &str) -> String {
    if s.is_ascii() {
        return super::key(s);
    }
    let lower = super::lower(s);
    let mut out = String::with_capacity(lower.len());
    for c in lower.nfd().filter(|c| !is_combining_mark(*c)) {
        match c {
            'ø' => out.push('o'),
            'ł' => out.push('l'),
            'đ' | 'ð' => out.push('d'),
            'ß' => out.push_str("ss"),
            'æ' => out.push_str("ae"),
            'œ' => out.push_str("oe"),
            'ı' => out.push('i'),
            _ => out.push(c),
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// [`fold`] with everything but letters and digits dropped, so `Flash90` meets `Flash 90`
/// and `ITAR TASS` meets `ITAR-TASS`. Keys under five characters are not used: two short
/// words run together (`Lu Sa`) would meet a short agency (`Lusa`).
pub(super) fn compact(s: &str) -> Option<String> {
    compact_folded(&fold(s))
}

/// [`compact`] of text already folded.
pub(super) fn compact_folded(f: &str) -> Option<String> {
    let k: String = f.chars().filter(|c| c.is_alphanumeric()).collect();
    (k.chars().count() >= 5).then_some(k)
}

/// Words agencies print after their own name (`Yonhap News Agency`, `dpa-Zentralbild`,
/// `Anadolu Ajansı`), folded, longest first.
const SUFFIXES: &[&str] = &[
    " news agency",
    " press agency",
    " photo agency",
    " news service",
    " agency",
    " ajansi",
    " nachrichtenagentur",
    " bildagentur",
    " haber ajansi",
    " news",
    "-zentralbild",
    " zentralbild",
    " foto",
    " photo",
];

/// Words printed before an agency's own name (`Agencia EFE`, `Agência Lusa`, `Agence
/// France-Presse` is listed whole), folded.
const PREFIXES: &[&str] = &[
    "agencia ",
    "agence ",
    "agenzia ",
    "agencja ",
    "agentstvo ",
    "agentia ",
    "the ",
];

/// Words that, ending a description, introduce the agency's own name after them
/// (`Russian News Agency TASS`, `China's state news agency Xinhua`).
const INTRODUCERS: &[&str] = &[" news agency ", " press agency ", " agency "];

/// The cores a printed name may stand for once the words around an agency's name are taken
/// away, folded: `Russian News Agency TASS` gives `tass`, `dpa-Zentralbild` gives `dpa`,
/// `Agencia Brasil` gives `brasil` (which is not a name, so nothing comes of it). Only
/// agency words are taken away, never a person's, so a name is never cut to an agency.
/// The text must be folded already ([`fold`]).
pub(super) fn cores_folded(f: &str) -> Vec<String> {
    let mut out = Vec::new();
    // Only a name that holds an agency word can lose one.
    if !f.contains("agen")
        && !f.contains("news")
        && !f.contains("zentralbild")
        && !f.contains("foto")
        && !f.contains("photo")
        && !f.starts_with("the ")
        && !f.contains("ajans")
        && !f.contains("agentur")
    {
        return out;
    }
    // One name, not a chain or a sentence: `Name/Russian News Agency TASS` is two elements.
    if f.contains(['/', ',', ';', '(', ')', '|']) || f.split(' ').count() > 6 {
        return out;
    }
    for suffix in SUFFIXES {
        if let Some(core) = f.strip_suffix(suffix) {
            out.push(core.trim().to_string());
        }
    }
    for prefix in PREFIXES {
        if let Some(core) = f.strip_prefix(prefix) {
            out.push(core.trim().to_string());
        }
    }
    for word in INTRODUCERS {
        if let Some(i) = f.rfind(word) {
            out.push(f[i + word.len()..].trim().to_string());
        }
    }
    out.retain(|c| c.chars().filter(|c| c.is_alphanumeric()).count() >= 2);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_accents_and_letters() {
        assert_eq!(fold("Agência  Brasil"), "agencia brasil");
        assert_eq!(fold("TÉLAM"), "telam");
        assert_eq!(fold("Nyhetsbyrån Østlandet"), "nyhetsbyran ostlandet");
        assert_eq!(fold("Anadolu Ajansı"), "anadolu ajansi");
    }

    #[test]
    fn compact_forms_meet() {
        assert_eq!(compact("Flash90"), compact("Flash 90"));
        assert_eq!(compact("ITAR TASS"), compact("ITAR-TASS"));
        assert_eq!(compact("Lu Sa"), None);
    }

    #[test]
    fn cores_strip_agency_words_only() {
        assert!(cores_folded(&fold("Russian News Agency TASS")).contains(&"tass".to_string()));
        assert!(cores_folded(&fold("dpa-Zentralbild")).contains(&"dpa".to_string()));
        assert!(cores_folded(&fold("Yonhap News Agency")).contains(&"yonhap".to_string()));
        assert!(cores_folded(&fold("Agencia EFE")).contains(&"efe".to_string()));
        assert!(cores_folded(&fold("Jane Doe")).is_empty());
        assert!(cores_folded(&fold("Jane Doe/Russian News Agency TASS")).is_empty());
        assert!(cores_folded(&fold("Maria Newsome")).is_empty());
    }
}
