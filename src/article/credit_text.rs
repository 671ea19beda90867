//! Where a credit line begins and ends in scraped text, and the ` - Outlet` suffix a page
//! prints after a caption: the signs (`©`, `Photo:`, …), glued boundaries (`2013.AFP`) and
//! the shape of a credit (short, no sentence inside, a known agency or handout source).
//!
//! Pure and total, like [`super::text`], which finds the captions these lines sit beside.

use crate::credit::{self, Kind};

/// `line` if all of it reads as a credit line.
pub(super) fn whole_credit(line: &str) -> Option<String> {
    (strong_at(line, 0) || looks_like_credit(line)).then(|| line.to_string())
}

/// Read a ` - Outlet Name` at the start of `rest` (what follows a caption on its line):
/// the outlet, and the byte offset in `rest` where the outlet ends (and a credit may begin).
/// A credit glued to the outlet (`- Sputnik International© AFP 2023 / JOHN THYS`) is cut off
/// at its first sign; a dash followed by a credit itself (`- AP Photo/Evan Vucci`) is no
/// outlet. An outlet named like an agency (`- Sputnik`, `- AFP`) counts as an outlet.
pub(crate) fn split_outlet(rest: &str) -> Option<(&str, usize)> {
    let trimmed = rest.trim_start();
    let lead = rest.len() - trimmed.len();
    let sep = ['-', '–', '—', '|']
        .into_iter()
        .find(|&c| trimmed.starts_with(c))?;
    let after_sep = trimmed.get(sep.len_utf8()..)?;
    if !after_sep.starts_with(char::is_whitespace) {
        return None;
    }
    let body_at = lead + sep.len_utf8() + (after_sep.len() - after_sep.trim_start().len());
    let body = rest.get(body_at..).unwrap_or("");
    let credit_at = split_credit(body, 1);
    if credit_at.is_none() && structural(body) && looks_like_credit(body) {
        return None;
    }
    let outlet_len = credit_at.unwrap_or(body.len());
    let outlet = body.get(..outlet_len).unwrap_or("").trim();
    let words = outlet.split_whitespace().count();
    (1..=6)
        .contains(&words)
        .then_some((outlet, body_at + outlet_len))
}

/// The credit line that starts in `s` at or after byte `from`, cut where it ends.
pub(crate) fn credit_in(s: &str, from: usize) -> Option<String> {
    let at = split_credit(s, from)?;
    let credit = s.get(at..)?;
    let credit = tidy(credit.get(..credit_end(credit)).unwrap_or(credit));
    (!credit.is_empty()).then_some(credit)
}

/// A credit without the separators a page puts before it (`| Photo: AFP`).
pub(super) fn tidy(credit: &str) -> String {
    credit
        .trim()
        .trim_start_matches(['|', '/', '-', '–', '—'])
        .trim()
        .to_string()
}

/// Where the credit line printed in `s` begins (a byte offset at or after `from`), or `None`.
///
/// A credit starts at a sign (`©`, `Photo:`, `(Photo by`, `Credit:`, …), or at a sentence end,
/// a dash or a glued boundary (`FenechHandout`, `2013.AFP`) or a capitalised agency name or
/// handout word, when what follows reads as a credit: short, no sentence inside, naming a
/// known agency (as `credit::agency_of` knows them) or a handout, pool or courtesy source.
/// The earliest such start wins, so `Handout via REUTERS` is kept whole.
pub fn split_credit(s: &str, from: usize) -> Option<usize> {
    let mut prev: Option<char> = None;
    for (i, c) in s.char_indices() {
        let start = i >= from;
        let candidate = match prev {
            None => Some(Why::Start),
            Some(p) if strong_at(s, i) && (!p.is_alphanumeric() || glued(p, c) || c == '©') => {
                Some(Why::Sign)
            }
            Some(p) if p.is_whitespace() && !c.is_whitespace() => {
                let before = s.get(..i).unwrap_or("").trim_end();
                let last = before.split_whitespace().next_back().unwrap_or("");
                if ["-", "–", "—", "|"].contains(&last) {
                    Some(Why::Dash)
                } else if before.ends_with(['.', '!', '?', '…']) {
                    Some(Why::Boundary)
                } else if c.is_uppercase() && opener(s.get(i..).unwrap_or("")) {
                    Some(Why::Opener)
                } else {
                    None
                }
            }
            Some(p) if glued(p, c) => Some(Why::Boundary),
            _ => None,
        };
        prev = Some(c);
        let (Some(why), true) = (candidate, start) else {
            continue;
        };
        let rest = s.get(i..).unwrap_or("");
        let accept = match why {
            Why::Sign => return Some(i),
            Why::Dash => structural(rest) && looks_like_credit(rest),
            Why::Start | Why::Boundary | Why::Opener => {
                strong_at(rest, 0) || looks_like_credit(rest)
            }
        };
        if accept {
            // A credit glued to the caption's last word is surer evidence than a sentence
            // end before it: `Picture taken by Jane FenechHandout via REUTERS`.
            let glued_at = rest
                .char_indices()
                .zip(rest.chars().skip(1))
                .filter(|&((_, a), b)| a.is_lowercase() && b.is_uppercase())
                .map(|((q, a), _)| q + a.len_utf8())
                .find(|&q| {
                    // Only an agency or handout word glued on: `NurPhoto/Shutterstock` and
                    // `McKay` are names, not a second credit.
                    rest.get(q..)
                        .is_some_and(|r| opener(r) && looks_like_credit(r))
                });
            return Some(i + glued_at.unwrap_or(0));
        }
    }
    None
}

/// Why a position might start a credit.
#[derive(Debug, Clone, Copy)]
enum Why {
    Start,
    Sign,
    Dash,
    Boundary,
    Opener,
}

/// A word boundary inside a run of text with no space: `FenechHandout`, `2013.AFP`,
/// `2013.(AP Photo/…)`, `2013AFP`, `International©`.
fn glued(prev: char, c: char) -> bool {
    (prev.is_lowercase() && c.is_uppercase())
        || (".!?…".contains(prev)
            && !c.is_whitespace()
            && !c.is_numeric()
            && !".,;:!?…)]".contains(c))
        || (prev.is_numeric() && c.is_uppercase())
        || (prev.is_alphanumeric() && c == '©')
}

/// Signs that start a credit wherever they stand (compared case-insensitively).
const SIGNS: &[&str] = &[
    "©",
    "(c) ",
    "(photo",
    "(credit",
    "(image",
    "photo:",
    "photos:",
    "photo by ",
    "photo credit",
    "photograph:",
    "photograph by ",
    "photography:",
    "picture:",
    "pictures:",
    "image:",
    "images:",
    "credit:",
    "credits:",
    "foto:",
    "fotos:",
    "bild:",
    "copyright ",
    "image copyright",
];

/// Whether a credit sign starts at byte `i` of `s`.
fn strong_at(s: &str, i: usize) -> bool {
    let Some(rest) = s.get(i..) else {
        return false;
    };
    SIGNS.iter().any(|sign| {
        rest.get(..sign.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(sign))
    })
}

/// Words that open a credit with no agency in it (`Handout`, `Courtesy of …`, `Pool`).
const OPENERS: &[&str] = &[
    "handout",
    "courtesy",
    "supplied",
    "pool",
    "stringer",
    "screengrab",
];

/// Whether `s` begins with an agency's name (one to three words before any `/` or `,`,
/// letters only) or a handout word.
fn opener(s: &str) -> bool {
    let head = s.split(['/', ',', '(', ')']).next().unwrap_or("");
    let words: Vec<&str> = head.split_whitespace().take(3).collect();
    let Some(first) = words.first() else {
        return false;
    };
    if OPENERS.contains(&first.to_lowercase().as_str()) {
        return true;
    }
    (1..=words.len()).any(|n| {
        let name = words[..n].join(" ");
        name.chars()
            .all(|c| c.is_alphabetic() || " -.&".contains(c))
            && known_agency(&name)
    })
}

/// Whether `s` names an agency that `credit` knows (misspellings included).
fn known_agency(s: &str) -> bool {
    credit::agency_of(None, Some(s), None).is_some()
}

/// Whether `s` has the marks of a credit rather than a name: a sign, a slash, `via`, or a
/// photo, handout, pool or courtesy word.
fn structural(s: &str) -> bool {
    let lower = s.to_lowercase();
    strong_at(s, 0)
        || lower.contains('/')
        || lower.contains('©')
        || lower.contains(" via ")
        || ["photo", "handout", "pool", "courtesy", "getty images"]
            .iter()
            .any(|w| lower.contains(w))
}

/// Whether all of `s` reads as a credit line: a sign first; or short, no sentence inside,
/// and naming a known agency or opening with a handout word.
pub(crate) fn looks_like_credit(s: &str) -> bool {
    let s = s.trim();
    if s.is_empty() {
        return false;
    }
    if strong_at(s, 0) {
        return s.chars().count() <= 200;
    }
    let parts = credit::parse(s);
    // A Creative Commons attribution (TASL) is a credit however long its title.
    if parts.licence.is_some() && s.chars().count() <= 200 && !sentence_inside(s) {
        return true;
    }
    // Editors' notes after the credit (`… SEARCH "WIDER IMAGE" FOR ALL STORIES.`) do not
    // make it a sentence; judge the credit without them.
    let body = match &parts.trailer {
        Some(trailer) => s.strip_suffix(trailer.as_str()).unwrap_or(s).trim(),
        None => s,
    };
    // A chain of names (`A/Press Service of …/Handout via REUTERS`) runs longer than a
    // bare credit; a sentence that happens to name an agency does not hold slashes.
    let (max_words, max_chars) = if body.contains('/') || body.contains(" via ") {
        (24, 200)
    } else {
        (10, 120)
    };
    if body.split_whitespace().count() > max_words
        || body.chars().count() > max_chars
        || sentence_inside(body)
    {
        return false;
    }
    let first = s
        .split(|c: char| c.is_whitespace() || c == '/')
        .next()
        .unwrap_or("")
        .to_lowercase();
    if OPENERS.contains(&first.as_str()) {
        return true;
    }
    let chain = body.contains('/') || body.contains(" via ");
    known_agency(s)
        || opener(s)
        || (matches!(parts.kind, Kind::Handout | Kind::Pool | Kind::ScreenGrab)
            && (chain || parts.agency.is_some()))
}

/// Whether `s` holds a sentence break: a full stop, `!` or `?` after a word of four or more
/// letters that is not all capitals or after a number, followed by more text
/// (`Brussels. REUTERS/…`, `2025. AP Photo/…`), or an ending in a lower-case word and a full
/// stop. Initials (`J. Scott`) and `AFP.` pass.
pub(super) fn sentence_inside(s: &str) -> bool {
    let words: Vec<&str> = s.split_whitespace().collect();
    words.iter().enumerate().any(|(n, w)| {
        let Some(stem) = w.strip_suffix(['.', '!', '?']) else {
            return false;
        };
        let letters: Vec<char> = stem.chars().filter(|c| c.is_alphabetic()).collect();
        let lower_word = letters.len() >= 4 && letters.iter().any(|c| c.is_lowercase());
        // A caption's date ends its sentence: `June 12, 2025. AP Photo/…`.
        let number = stem.len() >= 2 && stem.chars().all(|c| c.is_ascii_digit());
        let last = n + 1 == words.len();
        (lower_word || number) && (!last || letters.iter().all(|c| c.is_lowercase()))
    })
}

/// Where a credit line that starts `s` ends: all of `s` if it reads as one, else at the
/// first sentence end or glued boundary before which it does (scraped text may run the
/// credit into the next paragraph: `JOHN THYS BRUSSELS (Sputnik) — …`).
fn credit_end(s: &str) -> usize {
    if s.split_whitespace().count() <= 12 || whole_credit_ok(s) {
        return s.len();
    }
    let mut prev: Option<char> = None;
    for (i, c) in s.char_indices() {
        if let Some(p) = prev {
            let boundary = glued(p, c)
                || (p.is_whitespace()
                    && s.get(..i)
                        .unwrap_or("")
                        .trim_end()
                        .ends_with(['.', '!', '?', '…']));
            if boundary && s.get(..i).is_some_and(whole_credit_ok) {
                return i;
            }
        }
        prev = Some(c);
    }
    s.len()
}

fn whole_credit_ok(s: &str) -> bool {
    strong_at(s.trim(), 0) || looks_like_credit(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glued_credits_split_where_the_credit_starts() {
        let s = "on October 22, 2013.© AFP 2023 / JOHN THYS";
        assert_eq!(
            s.get(split_credit(s, 1).unwrap_or(0)..),
            Some("© AFP 2023 / JOHN THYS")
        );
        let s = "in Valletta. Picture taken by Jane FenechHandout via REUTERS";
        assert_eq!(
            s.get(split_credit(s, 1).unwrap_or(0)..),
            Some("Handout via REUTERS")
        );
    }

    #[test]
    fn captions_alone_have_no_credit() {
        for s in [
            "Leaders pose for a family photo at the summit in Geneva, Switzerland.",
            "The NATO emblem is seen at the entrance of NATO headquarters.",
        ] {
            assert_eq!(split_credit(s, 1), None, "{s}");
        }
    }

    #[test]
    fn outlet_is_read_before_a_glued_credit() {
        let rest = " - Sputnik International© AFP 2023 / JOHN THYS";
        let (outlet, at) = split_outlet(rest).expect("an outlet");
        assert_eq!(outlet, "Sputnik International");
        assert_eq!(rest.get(at..), Some("© AFP 2023 / JOHN THYS"));
        assert_eq!(split_outlet(" - AP Photo/Evan Vucci"), None);
        assert_eq!(split_outlet(" - Sputnik").map(|o| o.0), Some("Sputnik"));
    }

    #[test]
    fn sentences_are_not_credits() {
        assert!(sentence_inside("in Brussels. REUTERS/Yves Herman"));
        assert!(!sentence_inside("J. Scott Applewhite/AP"));
        assert!(!looks_like_credit(
            "Reuters reported that the talks failed."
        ));
    }
}
