//! Fuzzy caption matching: words as tokens, a score for a printed caption against a stored
//! one, and the local alignment that finds a stored caption inside a page's text.
//!
//! Pure and total. It knows nothing of HTML or of credit lines: `html` and `text` cut the
//! caption out, this only says how alike two captions are and where one sits in a text.

use strsim::damerau_levenshtein;

/// The score from [`caption_similarity`] at or above which a printed caption is taken to
/// print the stored one.
///
/// Set from the tests: edited, cut and outlet-suffixed printings of the sample captions score
/// 0.85 or more, while every pair of different captions among the samples and the shared
/// corpus scores under 0.5.
pub const CAPTION_THRESHOLD: f32 = 0.7;

/// A printed caption cut short still has to carry this many letters' worth of the stored one
/// (about eight words) to count as a full match: "The NATO" alone is not evidence.
const MIN_CUT_WEIGHT: u32 = 40;

/// A word (or number) of a text, with its byte span and its lower-cased form.
#[derive(Debug, Clone)]
pub(crate) struct Token {
    pub start: usize,
    pub end: usize,
    pub norm: String,
}

/// Split `s` into runs of letters and digits. A run also splits where a lower-case letter
/// meets a capital and where letters meet digits, because scraped text glues the credit to
/// the caption (`FenechHandout via REUTERS`, `2013AFP`); both sides of a comparison are cut
/// the same way, so `McKay` → `mc`, `kay` costs nothing.
pub(crate) fn tokens(s: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut run: Option<(usize, char)> = None;
    let push = |start: usize, end: usize, out: &mut Vec<Token>| {
        if let Some(word) = s.get(start..end) {
            out.push(Token {
                start,
                end,
                norm: word.to_lowercase(),
            });
        }
    };
    for (i, c) in s.char_indices() {
        if !c.is_alphanumeric() {
            if let Some((start, _)) = run.take() {
                push(start, i, &mut out);
            }
            continue;
        }
        run = match run {
            Some((start, prev)) if splits(prev, c) => {
                push(start, i, &mut out);
                Some((i, c))
            }
            Some((start, _)) => Some((start, c)),
            None => Some((i, c)),
        };
    }
    if let Some((start, _)) = run {
        push(start, s.len(), &mut out);
    }
    out
}

/// Whether a word boundary falls between `prev` and `c` inside one alphanumeric run.
pub(crate) fn splits(prev: char, c: char) -> bool {
    (prev.is_lowercase() && c.is_uppercase()) || (prev.is_numeric() != c.is_numeric())
}

/// How much a word counts: its length, capped so one long word cannot outweigh a phrase.
/// Short words (`a`, `of`, `the`) count little, which keeps two unrelated captions that
/// share only those apart.
pub(crate) fn weight(t: &Token) -> u32 {
    t.norm.chars().count().clamp(1, 10) as u32
}

/// Whether two lower-cased words are the same word, allowing a typo in longer ones. Numbers
/// must match exactly: a caption's `2013` printed as `2023` is a different date.
pub(crate) fn same(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let (la, lb) = (a.chars().count(), b.chars().count());
    let letters = |s: &str| s.chars().all(char::is_alphabetic);
    if la.min(lb) < 5 || la.abs_diff(lb) > 2 || !letters(a) || !letters(b) {
        return false;
    }
    let allowed = if la.min(lb) >= 9 { 2 } else { 1 };
    damerau_levenshtein(a, b) <= allowed
}

/// How alike a printed caption is to a stored one, in 0..=1.
///
/// It tolerates a printed caption cut short (a prefix of the stored one, with or without
/// `…`), light edits (a word changed, added or dropped, a typo), a trailing ` - Outlet Name`
/// and any difference in case, punctuation and spacing. Compare with [`CAPTION_THRESHOLD`].
pub fn caption_similarity(printed: &str, stored: &str) -> f32 {
    let stored = tokens(stored);
    let whole = score(&tokens(printed), &stored);
    match strip_outlet(printed) {
        Some(caption) => whole.max(score(&tokens(caption), &stored)),
        None => whole,
    }
}

/// `printed` without a trailing ` - Outlet Name` (` – `, ` — `, ` | ` too) of at most six
/// words, or `None` when it has none.
pub(crate) fn strip_outlet(printed: &str) -> Option<&str> {
    let trimmed = printed.trim_end();
    let (at, sep) = [" - ", " – ", " — ", " | "]
        .iter()
        .filter_map(|sep| trimmed.rfind(sep).map(|at| (at, sep.len())))
        .max()?;
    let outlet = trimmed.get(at + sep..)?;
    let words = outlet.split_whitespace().count();
    ((1..=6).contains(&words))
        .then(|| trimmed.get(..at))
        .flatten()
}

/// The F1 of a weighted longest common subsequence, where the stored caption may have been
/// cut: recall is measured against the best prefix of it (but at least [`MIN_CUT_WEIGHT`]).
fn score(printed: &[Token], stored: &[Token]) -> f32 {
    let printed_weight: u32 = printed.iter().map(weight).sum();
    let stored_weight: u32 = stored.iter().map(weight).sum();
    if printed_weight == 0 || stored_weight == 0 {
        return 0.0;
    }
    // One row of the LCS table per printed word; the last row holds, for every prefix of
    // the stored caption, how much of the printed one it explains.
    let mut row = vec![0u32; stored.len() + 1];
    for p in printed {
        let mut next = vec![0u32; stored.len() + 1];
        for (j, s) in stored.iter().enumerate() {
            let diagonal = if same(&p.norm, &s.norm) {
                row[j] + weight(p).min(weight(s))
            } else {
                0
            };
            next[j + 1] = diagonal.max(row[j + 1]).max(next[j]);
        }
        row = next;
    }
    let min_cut = stored_weight.min(MIN_CUT_WEIGHT);
    let mut prefix_weight = 0;
    let mut best = 0.0f32;
    for (j, s) in stored.iter().enumerate() {
        prefix_weight += weight(s);
        let common = row[j + 1] as f32;
        let precision = common / printed_weight as f32;
        let recall = common / prefix_weight.max(min_cut) as f32;
        if precision + recall > 0.0 {
            best = best.max(2.0 * precision * recall / (precision + recall));
        }
    }
    best.min(1.0)
}

/// Where a caption's words best line up with a stretch of a text's words (Smith–Waterman
/// over tokens): `(first, end)` token indices of the text, end exclusive, or `None` if no
/// word matches. `matches(i, j)` says whether caption word `i` is text word `j`.
pub(crate) fn locate(
    caption: &[Token],
    text_len: usize,
    matches: impl Fn(usize, usize) -> bool,
) -> Option<(usize, usize)> {
    const MISMATCH: i32 = -4;
    const GAP: i32 = -3;
    // Each cell keeps its score and the text index its alignment started at.
    let mut row = vec![(0i32, 0usize); text_len + 1];
    let mut best = (0i32, 0usize, 0usize);
    for (i, word) in caption.iter().enumerate() {
        let mut next = vec![(0i32, 0usize); text_len + 1];
        for j in 0..text_len {
            let (up_left, start) = row[j];
            let start = if up_left == 0 { j } else { start };
            let diagonal = if matches(i, j) {
                up_left + weight(word) as i32
            } else {
                up_left + MISMATCH
            };
            let mut cell = (diagonal, start);
            // A caption word missing from the print, or a printed word not in the caption.
            for (score, start) in [row[j + 1], next[j]] {
                if score + GAP > cell.0 {
                    cell = (score + GAP, start);
                }
            }
            if cell.0 <= 0 {
                cell = (0, j + 1);
            }
            // Only a match can raise the score, so the best cell always ends on one.
            if cell.0 > best.0 {
                best = (cell.0, cell.1, j + 1);
            }
            next[j + 1] = cell;
        }
        row = next;
    }
    (best.0 > 0).then_some((best.1, best.2))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norms(s: &str) -> Vec<String> {
        tokens(s).into_iter().map(|t| t.norm).collect()
    }

    #[test]
    fn glued_words_split_at_case_and_digits() {
        assert_eq!(norms("FenechHandout via"), ["fenech", "handout", "via"]);
        assert_eq!(norms("2013.© AFP 2023"), ["2013", "afp", "2023"]);
        assert_eq!(norms("2013AFP"), ["2013", "afp"]);
        assert_eq!(norms("Zürich, 24"), ["zürich", "24"]);
    }

    #[test]
    fn typos_match_but_numbers_do_not() {
        assert!(same("ministers", "minsters"));
        assert!(same("brussels", "brussel"));
        assert!(!same("2013", "2023"));
        assert!(!same("the", "she"));
    }

    #[test]
    fn outlet_suffix_is_found_only_when_short() {
        assert_eq!(
            strip_outlet("A caption. - Sputnik International"),
            Some("A caption.")
        );
        assert_eq!(strip_outlet("No suffix here."), None);
        assert_eq!(
            strip_outlet("Left - and then a long clause that goes on and on for ages"),
            None
        );
    }

    #[test]
    fn locate_finds_the_stretch() {
        let caption = tokens("the NATO emblem is seen");
        let text = tokens("Intro words. The NATO emblem is seen here. More.");
        let (first, end) = locate(&caption, text.len(), |i, j| {
            same(&caption[i].norm, &text[j].norm)
        })
        .expect("the words are there");
        assert_eq!(text[first].norm, "the");
        assert_eq!(text[end - 1].norm, "seen");
    }
}
