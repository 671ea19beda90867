//! Printed credit vs required credit: equal after normalising spaces, dashes, `(c)`/`©`
//! and (unless the style is case sensitive) case; otherwise which parts differ.
//!
//! Pure: it judges two strings and says nothing about the photo or the page around them.

use serde::{Deserialize, Serialize};

use super::{CreditParts, Style, agency, parse};

/// Which part of a printed credit is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    /// The distributing agency differs.
    Agency,
    /// The photographers differ.
    Creator,
    /// The year differs (it must be the photo's year).
    Year,
    /// The chain between creator and agency differs.
    Via,
    /// The agency's name is misspelt (`RETUERS`).
    Misspelling,
    /// Nothing was printed.
    Missing,
    /// Same parts, different form (order, punctuation, case in a case-sensitive style).
    Other,
}

/// One difference between the required and the printed credit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mismatch {
    /// The part that is wrong.
    pub part: Part,
    /// What the style requires for that part.
    pub expected: String,
    /// What was printed for it.
    pub printed: String,
}

/// Compare the printed credit with the required one; an empty list means it is right. A
/// printed line that merely wraps the credit (`Photo: …`, `(…)`) matches.
pub fn compare(expected: &str, printed: &str, style: &Style) -> Vec<Mismatch> {
    let mismatch = |part, e: &str, p: &str| Mismatch {
        part,
        expected: e.to_string(),
        printed: p.to_string(),
    };
    if printed.trim().is_empty() {
        return vec![mismatch(Part::Missing, expected.trim(), "")];
    }
    let case = style.case_sensitive();
    let e = normalise(expected, case);
    let p = normalise(printed, case);
    if e == p || (!e.is_empty() && contains_unit(&p, &e)) {
        return Vec::new();
    }
    let pe = parse(expected);
    let pp = parse(printed);
    let mut out = Vec::new();
    if let Some(wrong) = &pp.misspelling {
        let right = pp.agency.clone().unwrap_or_default();
        out.push(mismatch(Part::Misspelling, &right, wrong));
    }
    let agency_key = |p: &CreditParts| p.agency.as_deref().map(agency::key);
    if agency_key(&pe) != agency_key(&pp) {
        out.push(mismatch(
            Part::Agency,
            pe.agency.as_deref().unwrap_or(""),
            pp.agency.as_deref().unwrap_or(""),
        ));
    }
    let names =
        |list: &[String]| -> Vec<String> { list.iter().map(|n| normalise(n, case)).collect() };
    if names(&pe.creators) != names(&pp.creators) {
        out.push(mismatch(
            Part::Creator,
            &pe.creators.join(", "),
            &pp.creators.join(", "),
        ));
    }
    let (ye, yp) = (years(expected), years(printed));
    if ye != yp {
        out.push(mismatch(Part::Year, &ye.join(", "), &yp.join(", ")));
    }
    // Via names are compared without case: the chain is right even if a partner's name
    // is printed in capitals (AFP prints `SPUTNIK`).
    let vias =
        |list: &[String]| -> Vec<String> { list.iter().map(|n| normalise(n, false)).collect() };
    if vias(&pe.via) != vias(&pp.via) {
        out.push(mismatch(Part::Via, &pe.via.join("/"), &pp.via.join("/")));
    }
    if out.is_empty() {
        out.push(mismatch(Part::Other, expected.trim(), printed.trim()));
    }
    out
}

/// Spaces collapsed and removed around `/`, a dash between elements (`—`, ` - `) a
/// slash and any other dash a hyphen, `(c)` and `Copyright` as `©`, curly quotes
/// straight, no closing full stop, and lower case unless `case`.
fn normalise(s: &str, case: bool) -> String {
    let mut t: String = s
        .replace('—', "/")
        .replace(" – ", "/")
        .replace(" - ", "/")
        .chars()
        .map(|c| match c {
            '–' | '‐' | '‑' | '−' => '-',
            '“' | '”' | '„' => '"',
            '‘' | '’' => '\'',
            c if c.is_whitespace() => ' ',
            c => c,
        })
        .collect();
    for sign in ["(c)", "(C)", "Copyright", "COPYRIGHT", "copyright"] {
        t = t.replace(sign, "©");
    }
    if !case {
        t = t.to_lowercase();
    }
    let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
    let t = t.replace(" /", "/").replace("/ ", "/").replace("© ", "©");
    t.trim_end_matches('.').trim().to_string()
}

/// Whether `needle` occurs in `hay` as a whole unit, not inside a longer word.
fn contains_unit(hay: &str, needle: &str) -> bool {
    hay.match_indices(needle).any(|(i, m)| {
        let before = hay.get(..i).and_then(|h| h.chars().next_back());
        let after = hay.get(i + m.len()..).and_then(|t| t.chars().next());
        before.is_none_or(|c| !c.is_alphanumeric()) && after.is_none_or(|c| !c.is_alphanumeric())
    })
}

/// Four-digit years (1826–2099) printed in `s`.
pub(crate) fn years(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_ascii_digit())
        .filter(|w| w.len() == 4)
        .filter(|w| w.parse::<i32>().is_ok_and(|y| (1826..=2099).contains(&y)))
        .map(String::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalising_evens_out_signs_dashes_and_spaces() {
        assert_eq!(
            normalise("(c) AFP  2013 – JOHN THYS.", false),
            normalise("© afp 2013 - john thys", false)
        );
        assert_ne!(normalise("JOHN THYS", true), normalise("John Thys", true));
    }

    #[test]
    fn a_wrapped_credit_still_matches_but_a_longer_name_does_not() {
        assert!(contains_unit(
            "photo: ©afp 2013/john thys",
            "©afp 2013/john thys"
        ));
        assert!(!contains_unit(
            "©afp 2013/john thyssen",
            "©afp 2013/john thys"
        ));
    }
}
