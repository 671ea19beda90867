//! Name case: a person's name or an organisation's printed in capitals re-cased, as
//! credit-lines.md gives them; anything printed in mixed case is kept as printed.

/// Name case for a person: words printed in capitals are re-cased (`KLIMENTYEV` →
/// `Klimentyev`, `SUNG-JUN` → `Sung-Jun`); other words stay as printed.
pub(crate) fn name_case(s: &str) -> String {
    s.split_whitespace()
        .map(|w| {
            let letters = w.chars().filter(|c| c.is_alphabetic()).count();
            // Initials and abbreviations (`U.S.`, `J.R.`) keep their capitals.
            let dotted = w.trim_end_matches('.').contains('.');
            if letters >= 2 && !dotted && w.chars().all(|c| !c.is_lowercase()) {
                capitalise(w)
            } else {
                w.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Capitalise each piece of a word split at hyphens and apostrophes.
pub(super) fn capitalise(w: &str) -> String {
    let mut out = String::new();
    let mut start = true;
    for c in w.chars() {
        if start {
            out.extend(c.to_uppercase());
        } else if c == 'İ' {
            // Only Turkic alphabets have the dotted capital, and there it pairs with a
            // plain `i` (Unicode's default adds a combining dot: `İSMAİL` → `İsmai̇l`).
            out.push('i');
        } else {
            out.extend(c.to_lowercase());
        }
        start = c == '-' || c == '\'' || c == '’';
    }
    out
}

/// Name case for an organisation printed wholly in capitals with several words
/// (`RUSSIAN DEFENCE MINISTRY PRESS SERVICE`); acronyms and mixed case stay.
pub(super) fn org_case(s: &str) -> String {
    let words: Vec<&str> = s.split_whitespace().collect();
    if words.len() < 2 || s.chars().any(char::is_lowercase) {
        return words.join(" ");
    }
    words
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let lw = w.to_lowercase();
            if i > 0 && ["of", "and", "the", "for", "de", "in", "on"].contains(&lw.as_str()) {
                lw
            } else {
                capitalise(w)
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}
