//! Labels written in other shapes than `Photo: …` at the head of a line: a semicolon or a
//! spaced dash for the colon (`Photo; Agency`, `Foto – Agency`), an agency's photo hashtag
//! (`#AgencyPhoto Name`), an outlet before `photograph by` (`Outlet photograph by Name`),
//! a second label in the middle of the line (`Photo by Name. Picture: Supplied`), and the
//! wrapping around them: one bracket round the whole line with a bracket inside it, a
//! copyright notice after a bracketed credit, a label phrase after a closing dash.

use super::*;

/// Dashes written between a label and what it labels, or before a closing phrase.
const DASHES: &[&str] = &["-", "–", "—"];

/// Whether `w` is a photo word or a source label word (`Photo`, `Picture`, `Credit`).
fn is_any_label(w: &str) -> bool {
    is_photo_word(w) || is_label_word(w)
}

/// A label word followed by a semicolon or a spaced dash instead of a colon (`Photo; PTI`,
/// `Foto – Name`): the label goes. A dash after a bare name is left alone (`Name - Place`).
pub(super) fn odd_label_punctuation(s: &str) -> Option<String> {
    let (first, rest) = s.split_once(char::is_whitespace)?;
    if let Some(word) = first.strip_suffix(';')
        && is_any_label(word)
    {
        return Some(rest.trim_start().to_string());
    }
    let rest = rest.trim_start();
    let (dash, after) = rest.split_once(char::is_whitespace)?;
    (is_any_label(first) && (DASHES.contains(&dash) || dash == "|"))
        .then(|| after.trim_start().to_string())
}

/// Spanish `S/D` (*sin datos*, "no data"), alone or as `S/D de autor`, where the
/// photographer's name would stand: no one is named, and the slash is not the chain's.
pub(super) fn no_data_placeholder(s: &str) -> Option<String> {
    let rest = strip_prefix_ci(s, "s/d")?;
    let rest = strip_prefix_ci(rest.trim_start(), "de autor").unwrap_or(rest);
    let rest = rest.trim_start();
    if !(rest.is_empty() || rest.starts_with(['/', ',', '|'])) {
        return None;
    }
    Some(rest.trim_start_matches(['/', ',', '|', ' ']).to_string())
}

/// An agency's photo hashtag glued to its name (`APPhoto Name` once the `#` went, `AFPFoto
/// Name`): the agency, then the name, as a chain.
pub(super) fn agency_hashtag(s: &str) -> Option<String> {
    let (first, rest) = s.split_once(' ')?;
    let head = ["Photo", "Foto", "Pic"]
        .iter()
        .find_map(|w| first.strip_suffix(w))
        .filter(|h| !h.is_empty())?;
    let alias = agency::lookup(head)?;
    let rest = rest.trim();
    // With or without its `by` (`APPhoto by Name`).
    let rest = match rest.split_once(' ') {
        Some((w, after)) if BY_WORDS.contains(&w.to_lowercase().as_str()) => after.trim(),
        _ => rest,
    };
    Some(format!("{}/{rest}", alias.canonical))
}

/// An outlet or platform before `photograph by` / `photo by` (`Outlet Times photograph by
/// Name`): the name, then the outlet, as a chain. The head must be one to four words,
/// each capitalised, so a sentence before the credit is not read as an outlet.
pub(super) fn outlet_before_by(s: &str) -> Option<String> {
    const BY: &[&str] = &[
        " photograph by ",
        " photographs by ",
        " photo by ",
        " photos by ",
        " picture by ",
        " image by ",
    ];
    let (head, name) = split_at_first_ci(s, BY)?;
    let (head, name) = (head.trim(), name.trim());
    let words: Vec<&str> = head.split_whitespace().collect();
    // Not a label, a marker (`Pool photo by`), `All photos by`, or an agency (its own
    // `Agency photo by Name` form is read elsewhere).
    // A marker there says what the picture is (`Pool photo by Name`: the name may end in
    // the marker's word, `… Pool`).
    if marker(head).is_some_and(|k| k.is_some()) && !name.is_empty() {
        return Some(format!("{name}/{head}"));
    }
    let worded = words
        .iter()
        .any(|w| is_any_label(w) || w.eq_ignore_ascii_case("all"))
        || marker(head).is_some()
        || agency::lookup(head).is_some_and(|a| !a.platform && !a.generated);
    let outlet = !worded
        && (1..=4).contains(&words.len())
        && words.iter().all(|w| {
            w.chars()
                .next()
                .is_some_and(|c| c.is_uppercase() || c.is_numeric())
        })
        && !head.contains(['/', ',', '(', ')', ':']);
    (outlet && !name.is_empty()).then(|| format!("{name}/{head}"))
}

/// A second label in the middle of the line (`Photo by Name Picture: Supplied`, `Photo by
/// Name. Picture: Supplied`): it starts a new element of the chain.
pub(super) fn mid_line_label(s: &str) -> Option<String> {
    let words: Vec<&str> = s.split(' ').collect();
    let at = words
        .iter()
        .enumerate()
        .skip(1)
        .find(|(_, w)| w.ends_with(':') && is_any_label(w))
        .map(|(i, _)| i)?;
    let head = words.get(..at)?.join(" ");
    let head = head.trim_end_matches('.').trim();
    // The head must hold a name (two capitalised words that are not labels), so a longer
    // label (`Mandatory Credit:`, `Sursa articol si foto:`) is left to `strip_label`.
    let named = head
        .split_whitespace()
        .filter(|w| w.chars().next().is_some_and(char::is_uppercase) && !is_any_label(w))
        .count();
    if named < 2 {
        return None;
    }
    let tail = words.get(at + 1..)?.join(" ");
    let tail = tail.trim();
    if head.is_empty() || tail.is_empty() {
        return None;
    }
    Some(format!("{head}/{tail}"))
}

/// One bracket round the whole line with another inside it (`( Label: NAME (AGENCY) )`):
/// the outer pair goes and the inner one is kept.
pub(super) fn outer_brackets(s: &str) -> Option<String> {
    let inner = s.strip_prefix(['(', '['])?.strip_suffix([')', ']'])?;
    let mut depth = 0i32;
    for c in inner.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => {
                depth -= 1;
                if depth < 0 {
                    return None;
                }
            }
            _ => {}
        }
    }
    (depth == 0 && inner.contains(['(', '['])).then(|| inner.trim().to_string())
}

/// A copyright notice after a bracketed credit (`(Agency Photo/Name) Copyright 2023 The
/// Agency. All rights reserved.`): the notice repeats the rights holder, so the credit in
/// the bracket is what is read.
pub(super) fn notice_after_bracket(s: &str) -> Option<String> {
    if !s.starts_with(['(', '[']) {
        return None;
    }
    let close = s.find([')', ']'])?;
    let tail = s.get(close + 1..)?.trim();
    let lower = tail.to_lowercase();
    let notice = (lower.starts_with("copyright") || lower.starts_with('©'))
        && lower.contains("rights reserved");
    notice.then(|| s.get(..=close).unwrap_or(s).to_string())
}

/// Label words after a closing spaced dash (`Agency - image credit`): they say what the
/// line is, not who made the picture.
pub(super) fn label_after_dash(s: &str) -> Option<String> {
    let inner_end = s.trim_end_matches([')', ']']);
    let closing = s.get(inner_end.len()..).unwrap_or("");
    let (head, tail) = DASHES
        .iter()
        .filter_map(|d| inner_end.rsplit_once(&format!(" {d} ")))
        .next()?;
    let words: Vec<&str> = tail.split_whitespace().collect();
    let labels = !words.is_empty()
        && words
            .iter()
            .all(|w| w.chars().next().is_some_and(char::is_lowercase) && is_any_label(w));
    labels.then(|| format!("{}{closing}", head.trim_end()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_shapes() {
        assert_eq!(
            odd_label_punctuation("Photo; Agency"),
            Some("Agency".into())
        );
        assert_eq!(
            odd_label_punctuation("Foto – Jane Doe"),
            Some("Jane Doe".into())
        );
        assert_eq!(odd_label_punctuation("Jane Doe - Paris"), None);
        assert_eq!(
            agency_hashtag("AFPPhoto Jane Doe"),
            Some("AFP/Jane Doe".into())
        );
        assert_eq!(
            agency_hashtag("AFPPhoto by Jane Doe"),
            Some("AFP/Jane Doe".into())
        );
        assert_eq!(agency_hashtag("Grandphoto Jane"), None);
        assert_eq!(
            outlet_before_by("Daily Post photograph by Jane Doe"),
            Some("Jane Doe/Daily Post".into())
        );
        assert_eq!(outlet_before_by("the picture was taken by Jane"), None);
        assert_eq!(
            mid_line_label("Photo by Jane Doe. Picture: Supplied"),
            Some("Photo by Jane Doe/Supplied".into())
        );
        assert_eq!(
            outer_brackets("( Foto: JANE DOE (AFP) )"),
            Some("Foto: JANE DOE (AFP)".into())
        );
        assert_eq!(outer_brackets("(Jane) (AFP)"), None);
        assert_eq!(
            notice_after_bracket("(AP Photo/Jane Doe) Copyright 2020 AP. All rights reserved"),
            Some("(AP Photo/Jane Doe)".into())
        );
        assert_eq!(
            label_after_dash("(File/AFP - image credit)"),
            Some("(File/AFP)".into())
        );
        assert_eq!(label_after_dash("Jane Doe - Paris"), None);
        assert_eq!(
            no_data_placeholder("S/D de autor / AFP"),
            Some("AFP".into())
        );
        assert_eq!(no_data_placeholder("S/Dante Doe"), None);
    }
}
