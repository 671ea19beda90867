//! Printed credit vs required credit, judged by parts and strictly: after removing only
//! what is wrapping (labels such as `Photo:`, brackets round the whole line, `©`/`(c)`/
//! `Copyright`, a closing full stop, spacing, dash and quote forms, and case unless the
//! style is case sensitive) the printed line must say exactly what the required line
//! says. Every word printed that the required line lacks is an `extra`; every word it
//! lacks is a missing or wrong part, named by the role it plays in the required credit.
//!
//! Pure: it judges strings and parts and says nothing about the photo or the page around
//! them. [`judge`] is the entry point for callers that hold the required parts (the audit,
//! the crawl); [`compare`] judges two lines.

use serde::{Deserialize, Serialize};

use super::{CreditParts, Style, agency, parse, render};

/// Which part of a printed credit is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    /// The agency's name is misspelt (`RETUERS`).
    Misspelling,
    /// The distributing agency differs or is missing.
    Agency,
    /// The photographers differ or one is missing.
    Creator,
    /// The year differs or is missing (it must be the photo's year).
    Year,
    /// The chain between creator and agency differs or lacks an element.
    Via,
    /// Something the required line does not have: an agency, creator, year, `via`
    /// element or outlet name printed before, after or inside it.
    Extra,
    /// Nothing was printed.
    Missing,
    /// Same parts, different form (order, a marker such as `Pool`, case in a
    /// case-sensitive style).
    Other,
}

/// One difference between the required and the printed credit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mismatch {
    /// The part that is wrong.
    pub part: Part,
    /// What the style requires for that part ("" for an extra).
    pub expected: String,
    /// What was printed for it: for an extra, the extra text itself.
    pub printed: String,
}

/// Judge a printed credit against the `required` parts as `style` prints them in the
/// photo's `year`. An empty list means the line is right. This is the API the audit and the
/// crawl use: the parts name each word's role, so nothing is guessed from the rendered line.
pub fn judge(
    required: &CreditParts,
    year: Option<i32>,
    style: &Style,
    printed: &str,
) -> Vec<Mismatch> {
    let expected = render(required, year, style);
    diff(&expected, printed, style.case_sensitive(), || {
        required.clone()
    })
}

/// Compare the printed credit with the required line; an empty list means it is right.
/// The roles of the required line's words are read by parsing it, only when the lines
/// differ.
pub fn compare(expected: &str, printed: &str, style: &Style) -> Vec<Mismatch> {
    diff(expected, printed, style.case_sensitive(), || {
        parse(expected)
    })
}

/// The role a word of the required line plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Agency,
    Creator,
    Year,
    Via,
    /// Markers and connectors (`Photo`, `Pool`, `via`, `Handout`).
    Form,
}

impl Role {
    fn part(self) -> Part {
        match self {
            Role::Agency => Part::Agency,
            Role::Creator => Part::Creator,
            Role::Year => Part::Year,
            Role::Via => Part::Via,
            Role::Form => Part::Other,
        }
    }
}

/// The words of each required part, lower-cased.
#[derive(Debug, Default)]
struct Roles {
    agency: Vec<Vec<String>>,
    creators: Vec<Vec<String>>,
    via: Vec<Vec<String>>,
}

impl Roles {
    fn of(parts: &CreditParts) -> Roles {
        let words = |list: &[String]| -> Vec<Vec<String>> {
            list.iter()
                .map(|s| {
                    tokens(&s.to_lowercase())
                        .into_iter()
                        .map(|t| t.key)
                        .collect()
                })
                .collect()
        };
        Roles {
            agency: words(parts.agency.as_slice()),
            creators: words(&parts.creators),
            via: words(&parts.via),
        }
    }

    /// The role of each word of the required line: where a part's words stand together,
    /// they play its role (creators first, then via, then the agency), so a word two parts
    /// share (`Navy` in `Navy Visual News Service … U.S. Navy`) is read by its place.
    fn assign(&self, toks: &[Token]) -> Vec<Role> {
        let mut roles: Vec<Option<Role>> = vec![None; toks.len()];
        let groups = [
            (&self.creators, Role::Creator),
            (&self.via, Role::Via),
            (&self.agency, Role::Agency),
        ];
        for (list, role) in groups {
            for words in list.iter().filter(|w| !w.is_empty()) {
                for start in 0..toks.len().saturating_sub(words.len() - 1) {
                    let span = start..start + words.len();
                    let free = roles
                        .get(span.clone())
                        .is_some_and(|r| r.iter().all(Option::is_none));
                    let same = toks
                        .get(span.clone())
                        .is_some_and(|t| t.iter().zip(words).all(|(t, w)| t.key == *w));
                    if free && same {
                        roles[span].iter_mut().for_each(|r| *r = Some(role));
                    }
                }
            }
        }
        toks.iter()
            .zip(roles)
            .map(|(t, r)| {
                r.unwrap_or(if is_year(&t.key) {
                    Role::Year
                } else if agency::lookup_exact(&t.key).is_some() {
                    // The agency as the style prints it (`REUTERS`, `AP Photo`).
                    Role::Agency
                } else {
                    Role::Form
                })
            })
            .collect()
    }
}

/// One word of a line: its lower-cased key and where it stands in the unwrapped line.
#[derive(Debug, Clone)]
struct Token {
    key: String,
    start: usize,
    end: usize,
}

fn diff<F: FnOnce() -> CreditParts>(
    expected: &str,
    printed: &str,
    case: bool,
    roles: F,
) -> Vec<Mismatch> {
    let mismatch = |part, e: &str, p: &str| Mismatch {
        part,
        expected: e.to_string(),
        printed: p.to_string(),
    };
    // Only signs and punctuation (`©`, `-`) is no credit at all.
    let has_words = |s: &str| s.chars().any(char::is_alphanumeric);
    if !has_words(printed) && (has_words(expected) || printed.trim().is_empty()) {
        return vec![mismatch(Part::Missing, expected.trim(), printed.trim())];
    }
    let e = unwrap(expected);
    let p = unwrap(printed);
    let same = if case {
        e == p
    } else {
        e.to_lowercase() == p.to_lowercase()
    };
    if same {
        return Vec::new();
    }
    let (et, pt) = (tokens(&e), tokens(&p));
    let required = roles();
    let roles = Roles::of(&required).assign(&et);
    let mut out = Vec::new();
    let pairs = align(&et, &pt);
    // Case counts only for names: agencies print their own name in capitals or not.
    if case {
        for &(i, j) in &pairs {
            let (a, b) = (&et[i], &pt[j]);
            if e.get(a.start..a.end) != p.get(b.start..b.end) && roles[i] == Role::Creator {
                out.push(mismatch(
                    Part::Creator,
                    text(&e, &et, i, i + 1),
                    text(&p, &pt, j, j + 1),
                ));
            }
        }
    }
    // Runs between aligned words: (expected range, printed range).
    let mut hunks = Vec::new();
    let (mut ei, mut pj) = (0, 0);
    for &(i, j) in pairs.iter().chain(std::iter::once(&(et.len(), pt.len()))) {
        if i > ei || j > pj {
            hunks.push((ei..i, pj..j));
        }
        (ei, pj) = (i + 1, j + 1);
    }
    // Words printed in another place than required: the parts are right, the order is not.
    let moved = |key: &str, deleted: bool| {
        hunks.iter().any(|(er, pr)| {
            if deleted {
                pr.clone().any(|j| pt[j].key == key)
            } else {
                er.clone().any(|i| et[i].key == key)
            }
        })
    };
    let mut order_wrong = false;
    let mut deleted: Vec<(Role, usize)> = Vec::new();
    let mut inserted: Vec<std::ops::Range<usize>> = Vec::new();
    for (er, pr) in &hunks {
        let (all_e, all_p) = (er.len(), pr.len());
        let er: Vec<usize> = er.clone().filter(|&i| !moved(&et[i].key, true)).collect();
        let pr: Vec<usize> = pr.clone().filter(|&j| !moved(&pt[j].key, false)).collect();
        order_wrong |= er.len() < all_e || pr.len() < all_p;
        let printed_text = match (pr.first(), pr.last()) {
            (Some(&a), Some(&b)) => text(&p, &pt, a, b + 1),
            _ => "",
        };
        if er.is_empty() {
            if !pr.is_empty() {
                inserted.push(pr[0]..pr[pr.len() - 1] + 1);
            }
            continue;
        }
        let mut named: Vec<Role> = Vec::new();
        for &i in &er {
            let r = roles[i];
            if r != Role::Form && !named.contains(&r) {
                named.push(r);
            }
        }
        if named.is_empty() {
            named.push(Role::Form);
        }
        if pr.is_empty() {
            deleted.extend(named.iter().map(|&r| (r, out.len())));
        }
        for r in named {
            let expected_text = role_text(&e, &et, &er, r, &roles);
            let part = if r == Role::Agency && misspells(printed_text, &expected_text) {
                Part::Misspelling
            } else {
                r.part()
            };
            out.push(mismatch(part, &expected_text, printed_text));
        }
    }
    // An inserted run that names what a deletion lacks replaces it in another place
    // (`Evan Vucci/AFP` for `AP Photo/Evan Vucci`); anything else is extra.
    for range in inserted {
        let t = text(&p, &pt, range.start, range.end);
        let role = if range.len() == 1 && is_year(&pt[range.start].key) {
            Some(Role::Year)
        } else if agency::lookup_exact(t).is_some() {
            Some(Role::Agency)
        } else {
            None
        };
        let replaces = role.and_then(|r| deleted.iter().find(|(d, _)| *d == r).map(|&(_, at)| at));
        match replaces.and_then(|at| out.get_mut(at)) {
            Some(m) if m.printed.is_empty() => m.printed = t.to_string(),
            _ => out.push(mismatch(Part::Extra, "", trim_connectors(t))),
        }
    }
    // Only words moved, added or left out that change no part (`AP Photo/Name, Pool` for
    // `© Name / Pool via AP`): the same credit in another form.
    let form_only = out.iter().all(|m| match m.part {
        Part::Extra => tokens(&m.printed)
            .iter()
            .all(|t| FORM_WORDS.contains(&t.key.as_str())),
        part => part == Part::Other,
    }) && (order_wrong || out.iter().any(|m| m.part == Part::Extra))
        && years(expected) == years(printed)
        && same_parts(&required, &parse(printed));
    if out.is_empty() || form_only {
        out.clear();
        out.push(mismatch(Part::Other, expected.trim(), printed.trim()));
    }
    out.sort_by_key(|m| m.part);
    out.dedup_by_key(|m| m.part);
    out
}

/// Words that mark a credit's form or kind, never a part of their own.
const FORM_WORDS: &[&str] = &[
    "photo", "photos", "foto", "picture", "pic", "image", "pool", "handout", "file", "via", "by",
    "courtesy", "staff", "stringer",
];

/// Whether two readings name the same agency, creators, via chain and kind.
fn same_parts(a: &CreditParts, b: &CreditParts) -> bool {
    let low = |v: &[String]| v.iter().map(|x| x.to_lowercase()).collect::<Vec<_>>();
    let agency_key = |p: &CreditParts| p.agency.as_deref().map(agency::key);
    agency_key(a) == agency_key(b)
        && low(&a.creators) == low(&b.creators)
        && low(&a.via) == low(&b.via)
        && a.kind == b.kind
}

/// The words of `range` in the required line that play `role`, as printed there.
fn role_text(line: &str, toks: &[Token], range: &[usize], role: Role, roles: &[Role]) -> String {
    let of_role: Vec<usize> = range
        .iter()
        .copied()
        .filter(|&i| roles[i] == role || role == Role::Form)
        .collect();
    match (of_role.first(), of_role.last()) {
        (Some(&a), Some(&b)) => text(line, toks, a, b + 1).to_string(),
        _ => String::new(),
    }
}

/// The text of tokens `a..b` of `line`, from the first's start to the last's end.
fn text<'a>(line: &'a str, toks: &[Token], a: usize, b: usize) -> &'a str {
    match (toks.get(a), b.checked_sub(1).and_then(|l| toks.get(l))) {
        (Some(first), Some(last)) if first.start <= last.end => {
            line.get(first.start..last.end).unwrap_or("")
        }
        _ => "",
    }
}

/// An extra named without the connector that joined it (`and Jane Doe` → `Jane Doe`).
fn trim_connectors(s: &str) -> &str {
    let mut s = s.trim();
    for c in ["and ", "& ", "with ", "und ", "et "] {
        if let Some(rest) = strip_prefix_ci(s, c) {
            s = rest.trim();
        }
    }
    s
}

/// Whether `printed` is the required agency's name misspelt (`RETUERS` for `REUTERS`).
fn misspells(printed: &str, expected: &str) -> bool {
    if printed.is_empty() || printed.eq_ignore_ascii_case(expected) {
        return false;
    }
    let want = agency::lookup_exact(expected).map(|a| a.canonical);
    agency::lookup_fuzzy(printed).is_some_and(|a| Some(a.canonical) == want)
        || strsim::osa_distance(&printed.to_lowercase(), &expected.to_lowercase()) == 1
            && expected.chars().count() >= 3
}

/// The longest common subsequence of the two word lists, as index pairs in order. Lines
/// are a few words long, so the quadratic table is cheap.
fn align(a: &[Token], b: &[Token]) -> Vec<(usize, usize)> {
    let (n, m) = (a.len(), b.len());
    let mut table = vec![0u16; (n + 1) * (m + 1)];
    let at = |i: usize, j: usize| i * (m + 1) + j;
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            table[at(i, j)] = if a[i].key == b[j].key {
                table[at(i + 1, j + 1)] + 1
            } else {
                table[at(i + 1, j)].max(table[at(i, j + 1)])
            };
        }
    }
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n && j < m {
        // On a tie, match a word to its later occurrence in the required line: a word printed
        // once that the line holds twice (`PA` of `PA Wire/PA`) is the later part, the agency.
        if a[i].key == b[j].key && table[at(i + 1, j)] < table[at(i, j)] {
            out.push((i, j));
            i += 1;
            j += 1;
        } else if table[at(i + 1, j)] >= table[at(i, j + 1)] {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

/// Labels a page puts before a credit: `Photo:`, `Foto:`, `Credit:`, `Picture:`, `Bild:`,
/// and the same followed by `by` or `©` (`Photo by …`, `Foto © …`).
const LABELS: &[&str] = &[
    "photo credit",
    "photo credits",
    "image credit",
    "picture credit",
    "credit",
    "credits",
    "photo",
    "photos",
    "photograph",
    "photography",
    "picture",
    "pictures",
    "pic",
    "image",
    "foto",
    "fotos",
    "fotó",
    "fot.",
    "bild",
    "crédit photo",
    "crédit",
    "фото",
];

/// The line without its wrapping, in one form: spacing, dash and quote forms evened out,
/// `(c)` and `Copyright` read as `©` and then dropped with it, labels and a bracket round
/// the whole line removed, no closing full stop. Case is kept.
fn unwrap(s: &str) -> String {
    let mut t = form(s);
    loop {
        let before = t.len();
        for label in LABELS {
            let Some(rest) = t
                .get(..label.len())
                .filter(|h| h.to_lowercase() == *label)
                .and_then(|_| t.get(label.len()..))
            else {
                continue;
            };
            let rest = rest.trim_start();
            let stripped = rest
                .strip_prefix(':')
                .or_else(|| rest.strip_prefix('©'))
                .or_else(|| strip_prefix_ci(rest, "by "));
            if let Some(r) = stripped {
                t = r.trim().to_string();
                break;
            }
        }
        if let Some(r) = t.strip_prefix('©') {
            t = r.trim().to_string();
        }
        for (open, close) in [('(', ')'), ('[', ']')] {
            if t.starts_with(open)
                && t.ends_with(close)
                && balanced(&t[1..t.len() - 1], open, close)
            {
                t = t[1..t.len() - 1].trim().to_string();
            }
        }
        if let Some(r) = t.strip_suffix('.') {
            t = r.trim_end().to_string();
        }
        if t.len() == before {
            break;
        }
    }
    // A `©` inside the line (`Name / © AFP`) is wrapping too.
    let t = t.replace('©', " ");
    let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
    t.replace(" /", "/").replace("/ ", "/")
}

/// Whether no bracket in `s` closes one it did not open, so the outer pair wraps the whole
/// line (`(AP) Name (Pool)` is not wrapped; an inner bracket left open may be).
fn balanced(s: &str, open: char, close: char) -> bool {
    let mut depth = 0i32;
    for c in s.chars() {
        if c == open {
            depth += 1;
        } else if c == close {
            depth -= 1;
            if depth < 0 {
                return false;
            }
        }
    }
    true
}

fn strip_prefix_ci<'a>(s: &'a str, p: &str) -> Option<&'a str> {
    s.get(..p.len())
        .filter(|h| h.eq_ignore_ascii_case(p))
        .and_then(|_| s.get(p.len()..))
}

/// Spaces collapsed and removed around `/`, a dash between elements (`—`, ` - `) a
/// slash and any other dash a hyphen, `(c)` and `Copyright` as `©`, curly quotes straight.
fn form(s: &str) -> String {
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
        if t.contains(sign) {
            t = t.replace(sign, "©");
        }
    }
    let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
    t.replace(" /", "/").replace("/ ", "/")
}

/// The words of an unwrapped line, split at spaces and chain punctuation; pieces with no
/// letter or digit (`-` for an unnamed photographer, `&`) are not words.
fn tokens(s: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut start = None;
    let sep = |c: char| c.is_whitespace() || "/,;|()[]\"':·".contains(c);
    for (i, c) in s.char_indices().chain(std::iter::once((s.len(), ' '))) {
        match (start, sep(c)) {
            (None, false) => start = Some(i),
            (Some(a), true) => {
                let w = s.get(a..i).unwrap_or("");
                if w.chars().any(char::is_alphanumeric) {
                    out.push(Token {
                        key: w.to_lowercase(),
                        start: a,
                        end: i,
                    });
                }
                start = None;
            }
            _ => {}
        }
    }
    out
}

fn is_year(w: &str) -> bool {
    w.len() == 4 && w.parse::<i32>().is_ok_and(|y| (1826..=2099).contains(&y))
}

/// Four-digit years (1826–2099) printed in `s`.
pub(crate) fn years(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_ascii_digit())
        .filter(|w| is_year(w))
        .map(String::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unwrapping_evens_out_signs_dashes_labels_and_brackets() {
        assert_eq!(unwrap("(c) AFP  2013 – JOHN THYS."), "AFP 2013/JOHN THYS");
        assert_eq!(
            unwrap("Photo: © AFP 2013 - JOHN THYS"),
            "AFP 2013/JOHN THYS"
        );
        assert_eq!(unwrap("(AP Photo/Evan Vucci)"), "AP Photo/Evan Vucci");
        assert_eq!(unwrap("Bild: Sputnik / Name"), "Sputnik/Name");
        // A bracket that does not wrap the whole line stays.
        assert_eq!(unwrap("(AP) Name (Pool)"), "(AP) Name (Pool)");
    }

    #[test]
    fn words_keep_their_place_in_the_line() {
        let t = tokens("AFP 2013/John Thys");
        let keys: Vec<&str> = t.iter().map(|t| t.key.as_str()).collect();
        assert_eq!(keys, ["afp", "2013", "john", "thys"]);
        assert_eq!(text("AFP 2013/John Thys", &t, 2, 4), "John Thys");
    }
}
