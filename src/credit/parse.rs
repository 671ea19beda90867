//! Printed credit lines → [`CreditParts`]: strip the page's wrapper and the editors' trailer,
//! split the chain into elements, and read each as agency, person, organisation or marker.
//!
//! Pure and total: every input gives parts (possibly empty), never an error or a panic.
//! It does not correct names; it only name-cases ones printed in capitals.

use super::agency::{self, Alias};
use super::{CreditParts, IIM_CREDIT_MAX, Kind};
use crate::model::Fields;

/// Longest prefix of a line that is read: IIM 2:110 holds 32 bytes and no real credit is
/// near this, but a stored one may be any length (XMP upload, PATCH) and reading is
/// quadratic in the number of ` for ` / `courtesy of ` it holds.
const PARSE_MAX: usize = 512;

/// Read a credit line into its parts, keeping the line itself in `original`.
pub fn parse(line: &str) -> CreditParts {
    let mut parts = CreditParts {
        original: Some(line.to_string()),
        ..CreditParts::default()
    };
    let mut end = PARSE_MAX.min(line.len());
    while !line.is_char_boundary(end) {
        end -= 1;
    }
    let line = even_brackets(line.get(..end).unwrap_or(""));
    let line = line.as_str();
    let (body, trailer) = split_trailer(line);
    parts.trailer = trailer;
    let mut seen = Seen::default();
    let core = unwrap(body, &mut seen);
    if let Some((title, author, licence)) = tasl(&core) {
        parts.title = title;
        parts.creators.extend(author);
        parts.licence = Some(licence);
        return parts;
    }
    // A line of 28–32 bytes may have been cut at the IIM 2:110 limit: let its last element
    // complete to a known name (`Press Association Ima`).
    let may_be_cut = (IIM_CREDIT_MAX - 4..=IIM_CREDIT_MAX).contains(&line.trim().len());
    parts.licence = licence_in(line);
    let (before, after) = split_via(&core);
    let mut elems = Vec::new();
    let at = Segment {
        after_via: false,
        line_end: after.is_none(),
        may_be_cut: may_be_cut && after.is_none(),
    };
    push_segment(before, at, &mut elems, &mut seen);
    if let Some(after) = after {
        let at = Segment {
            after_via: true,
            line_end: true,
            may_be_cut,
        };
        push_segment(after, at, &mut elems, &mut seen);
    }
    promote_lone_words(&mut elems);
    assemble(&elems, &seen, parts)
}

/// A single word after a person's name is an organisation, not a second photographer
/// (`Kobe Li/Nexpher via ZUMA Press Wire`): agencies print the name first.
fn promote_lone_words(elems: &mut [Elem]) {
    let mut person_seen = false;
    for e in elems.iter_mut() {
        if matches!(e.class, Class::Person) {
            if person_seen && !e.text.contains(' ') {
                e.class = org(org_case(&e.text));
            }
            person_seen = true;
        }
    }
}

/// Braces typed for brackets (`(Photo by Name/AP Photo}`) read as brackets, and a
/// backslash typed for a slash (`Court\\TASS`) as a slash.
fn even_brackets(line: &str) -> String {
    line.chars()
        .map(|c| match c {
            '{' => '(',
            '}' => ')',
            '\\' => '/',
            c => c,
        })
        .collect()
}

/// The credit alone: the line without its wrapper, labels and trailer.
pub(crate) fn core(line: &str) -> String {
    let line = even_brackets(line);
    let (body, _) = split_trailer(&line);
    unwrap(body, &mut Seen::default())
}

/// Kinds and facts noticed while reading the elements.
#[derive(Debug, Default)]
struct Seen {
    kinds: Vec<Kind>,
    /// `Stringer` or `Staff`: an unnamed photographer, which still makes a staff photo.
    role: bool,
    truncated: bool,
}

/// What one element of the chain is.
#[derive(Debug, Clone)]
enum Class {
    Person,
    Org {
        alias: Option<&'static Alias>,
        canonical: String,
        fuzzy: bool,
    },
    Marker,
}

#[derive(Debug, Clone)]
struct Elem {
    text: String,
    class: Class,
    after_via: bool,
}

/// Split off editors' notes and restrictions printed after the credit, which agencies put
/// in capitals (`… via REUTERS ATTENTION EDITORS - …`, `… EDITORIAL USE ONLY/NO SALES`).
fn split_trailer(line: &str) -> (&str, Option<String>) {
    const KEYS: &[&str] = &[
        "ATTENTION EDITORS",
        "ATTENTION EDITOR",
        "SEARCH \"",
        "SEARCH '",
        "SEARCH “",
        "EDITORIAL USE ONLY",
        "FOR EDITORIAL USE",
        "NO SALES",
        "NO RESALES",
        "NO ARCHIVES",
        "NO ARCHIVING",
        "MANDATORY CREDIT",
        "MUST CREDIT",
        "MUST COURTESY",
        "NOT FOR SALE",
        "NO COMMERCIAL",
        "NO THIRD PARTY",
        "NO MARKETING",
        "NO ADVERTISING",
        "THIS IMAGE HAS",
        "THIS PICTURE WAS",
        "TPX IMAGES",
        "REFILE",
        // The BBC's label after a credit (`REUTERS/Name Image copyright Reuters`).
        "Image copyright",
    ];
    let mut cut = KEYS
        .iter()
        .filter_map(|k| find_word(line, k))
        .filter(|&i| i > 0)
        .min();
    // "CHINA OUT", "NO USE IN JAPAN OUT": a capitalised word followed by OUT.
    if let Some(i) = find_word(line, "OUT") {
        let head = line.get(..i).unwrap_or("").trim_end();
        let start = head.rfind(' ').map_or(0, |s| s + 1);
        let word = head.get(start..).unwrap_or("");
        if start > 0 && word.len() > 1 && word.chars().all(|c| c.is_uppercase()) {
            cut = Some(cut.map_or(start, |c| c.min(start)));
        }
    }
    match cut {
        Some(i) => {
            let body = line.get(..i).unwrap_or(line);
            let trailer = line.get(i..).unwrap_or("").trim();
            let body = body.trim_end_matches(|c: char| c.is_whitespace() || "-–—.,;:".contains(c));
            (body, (!trailer.is_empty()).then(|| trailer.to_string()))
        }
        None => (line, None),
    }
}

/// The byte offset of `word` in `s` where it starts a word (case-sensitive).
fn find_word(s: &str, word: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(rel) = s.get(from..).and_then(|rest| rest.find(word)) {
        let i = from + rel;
        let before_ok = s
            .get(..i)
            .and_then(|h| h.chars().next_back())
            .is_none_or(|c| !c.is_alphanumeric());
        let after_ok = s
            .get(i + word.len()..)
            .and_then(|t| t.chars().next())
            .is_none_or(|c| !c.is_alphanumeric() || word.ends_with(['"', '\'', '“']));
        if before_ok && after_ok {
            return Some(i);
        }
        from = i + word.len();
    }
    None
}

/// `s` without its ASCII prefix `p`, compared case-insensitively.
fn strip_prefix_ci<'a>(s: &'a str, p: &str) -> Option<&'a str> {
    let head = s.get(..p.len())?;
    head.eq_ignore_ascii_case(p)
        .then(|| s.get(p.len()..))
        .flatten()
}

/// Remove the page's wrapper: brackets, `©`, labels (`Photo:`, `Bild:`, `Credit:`,
/// `Image copyright`), `Photo by`, a supplier reference `(16507315bs)`, a closing full stop.
fn unwrap(body: &str, seen: &mut Seen) -> String {
    const LEADS: &[&str] = &[
        "image copyright",
        "copyright ©",
        "copyright",
        "(c)",
        "©",
        "#",
        "photo by",
        "photos by",
        "photograph by",
        "photographs by",
        "picture by",
        "pictures by",
        "pic by",
        "image by",
        "images by",
        "foto von",
        "photo illustration by",
        "illustration by",
        "photographed by",
        "satellite image",
        "satellite imagery",
        "satellite photo",
        "credit as",
        "photography by",
        "foto di",
        "photo de",
        "photo:",
        // A label without a colon: Italian `Foto ANSA/…`, French `Photo AFP`, Polish `Fot.`.
        "foto ",
        "photo ",
        "fot. ",
    ];
    let mut s = body.trim().to_string();
    loop {
        let before = s.clone();
        s = s.trim().to_string();
        for lead in LEADS {
            if let Some(rest) = strip_prefix_ci(&s, lead) {
                // A word label must end at a word boundary ("Photo by", not "Photobymann").
                let glued_ok =
                    lead.ends_with([' ', ':', '©', '#', ')']) || *lead == "image copyright";
                if glued_ok
                    || rest.starts_with([' ', ':'])
                    || lead.ends_with("by") && rest.starts_with(' ')
                {
                    s = rest.trim_start_matches([' ', ':']).to_string();
                    break;
                }
            }
        }
        if let Some(rest) = s.strip_prefix(['(', '[']) {
            s = rest.to_string();
            if s.ends_with([')', ']']) && !s.contains(['(', '[']) {
                s.pop();
            }
        } else if s.ends_with([')', ']']) {
            s = unwrap_tail_bracket(&s);
        }
        s = strip_label(&s, seen);
        s = strip_full_stop(&s);
        s = drop_inner_brackets(&s, seen);
        s = drop_prose(&s);
        if s == before {
            return s;
        }
    }
}

/// A bracket at the end: drop a supplier reference (`(16507315bs)`), turn `Name (AFP)` into
/// `Name/AFP`, and drop a bracket left unbalanced.
fn unwrap_tail_bracket(s: &str) -> String {
    let open = s.rfind(['(', '[']);
    let Some(open) = open else {
        return s.get(..s.len() - 1).unwrap_or(s).to_string();
    };
    let head = s.get(..open).unwrap_or("").trim_end();
    let inner = s.get(open + 1..s.len() - 1).unwrap_or("").trim();
    if org_alias(inner).is_some() {
        format!("{head}/{inner}")
    } else {
        // A reference, licence, place or affiliation, not part of the chain.
        head.to_string()
    }
}

/// Drop bracketed asides inside the line (`Michael Wong (Space Telescope Science
/// Institute, Baltimore, MD), …`): affiliations and places, not chain elements.
fn drop_inner_brackets(s: &str, seen: &mut Seen) -> String {
    let mut out = s.to_string();
    while let Some(open) = out.find('(').filter(|&i| i > 0) {
        let Some(close) = out.get(open..).and_then(|r| r.find(')')).map(|c| open + c) else {
            break;
        };
        if close + 1 >= out.len() {
            break;
        }
        // A marker in brackets still says what the picture is (`Name (Archiv), via dts`).
        if let Some(kind) = out.get(open + 1..close).and_then(marker) {
            seen.kinds.extend(kind);
        }
        out.replace_range(open..=close, "");
    }
    out.split(' ')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Words that say "by" before a photographer's name, in the languages credits are seen in.
const BY_WORDS: &[&str] = &["by", "von", "par", "door", "av", "af", "di", "por", "fra"];

/// Prose around the credit, told apart by commas: a place before a "by" word
/// (`Düsseldorf, von Name/Reuters`) and a clause in lower case after it (`…/AFP, publiziert am
/// 31. März`, `…, and reused here with permission`).
fn drop_prose(s: &str) -> String {
    let pieces: Vec<&str> = s.split(", ").collect();
    if pieces.len() < 2 {
        return s.to_string();
    }
    let by_at = pieces.iter().position(|p| {
        p.split_once(' ')
            .is_some_and(|(w, rest)| BY_WORDS.contains(&w) && !rest.is_empty())
    });
    let start = by_at.unwrap_or(0);
    let mut end = pieces.len();
    while end > start + 1 {
        let last = pieces.get(end - 1).copied().unwrap_or("");
        let prose = last.chars().next().is_some_and(char::is_lowercase)
            && last.split_whitespace().count() >= 2
            && marker(last).is_none()
            && !last.starts_with("via ")
            && !last.contains('/');
        if !prose {
            break;
        }
        end -= 1;
    }
    let mut kept: Vec<&str> = pieces.get(start..end).unwrap_or_default().to_vec();
    if by_at.is_some()
        && let Some(first) = kept.first_mut()
    {
        *first = first.split_once(' ').map_or(*first, |(_, rest)| rest);
    }
    kept.join(", ")
}

/// A leading `Label:` of up to three words. A label naming an agency or platform
/// (`Flickr CC:`) becomes the first element; a marker (`FILE PHOTO:`) counts; others
/// (`Photo:`, `Bild:`, `Fotó:`, `Credit:`, `Source:`, `Mandatory Credit:`) go.
fn strip_label(s: &str, seen: &mut Seen) -> String {
    let Some(colon) = s.find(':') else {
        return s.to_string();
    };
    let label = s.get(..colon).unwrap_or("");
    let rest = s.get(colon + 1..).unwrap_or("");
    let words: Vec<&str> = label.split_whitespace().collect();
    if words.is_empty() || words.len() > 3 || label.contains(['/', '(', '.']) {
        return s.to_string();
    }
    // Licence words in a label are not part of the name (`Flickr CC:`).
    let name: Vec<&str> = words
        .iter()
        .copied()
        .filter(|w| !w.eq_ignore_ascii_case("cc"))
        .collect();
    let name = name.join(" ");
    if agency::lookup(&name).is_some() {
        return format!("{name}/{}", rest.trim());
    }
    if let Some(kind) = marker(&name) {
        seen.kinds.extend(kind);
    }
    rest.trim().to_string()
}

/// Drop a closing full stop, but not the one of an initial or abbreviation (`U.S.`).
fn strip_full_stop(s: &str) -> String {
    let Some(head) = s.strip_suffix('.') else {
        return s.to_string();
    };
    let last = head.rsplit([' ', '/']).next().unwrap_or("");
    if last.chars().count() >= 3 && !last.contains('.') {
        head.to_string()
    } else {
        s.to_string()
    }
}

/// Creative Commons attribution (TASL): `"Title" by Author is licensed under CC BY 2.0`.
/// Gives (title, author, licence).
fn tasl(s: &str) -> Option<(Option<String>, Option<String>, String)> {
    let lower = s.to_ascii_lowercase();
    let at = lower.find(" licensed under ")?;
    // The licence ends the sentence; a link or note may follow (`… CC BY-NC 2.0. To view
    // a copy of this license, visit …`).
    let tail = s.get(at + " licensed under ".len()..)?.trim();
    let end = [". ", ", ", " (", "; "]
        .iter()
        .filter_map(|sep| tail.find(sep))
        .min()
        .unwrap_or(tail.len());
    let licence = tail.get(..end)?.trim().trim_end_matches('.');
    let mut head = s.get(..at)?.trim();
    head = head
        .strip_suffix(" is")
        .unwrap_or(head)
        .trim_end_matches(',');
    let (title, rest) = match head.strip_prefix(['"', '“']) {
        Some(quoted) => match quoted.char_indices().find(|&(_, c)| c == '"' || c == '”') {
            Some((end, close)) => (
                Some(quoted.get(..end)?.to_string()),
                quoted.get(end + close.len_utf8()..)?.trim(),
            ),
            None => (None, head),
        },
        None => match head.to_ascii_lowercase().rfind(" by ") {
            // `Photo by Jane Doe, licensed under …` names no title.
            Some(i) => {
                let t = head.get(..i)?.trim();
                let generic = t.is_empty() || marker(t).is_some();
                ((!generic).then(|| t.to_string()), head.get(i..)?.trim())
            }
            None => (None, head),
        },
    };
    let author = strip_prefix_ci(rest, "by ").unwrap_or(rest).trim();
    let author = (!author.is_empty()).then(|| author.to_string());
    Some((title, author, licence.to_string()))
}

/// A Creative Commons licence named anywhere in the line (`(CC BY-SA 4.0)`, `CC0`).
fn licence_in(line: &str) -> Option<String> {
    let at = line.find("CC BY").or_else(|| line.find("CC0"))?;
    let rest = line.get(at..)?;
    let end = rest.find([')', ',', ';', ']']).unwrap_or(rest.len());
    let l = rest.get(..end)?.trim().trim_end_matches('.');
    Some(l.to_string())
}

/// Split at the first ` via `: what comes after names the distributor.
fn split_via(s: &str) -> (&str, Option<&str>) {
    let lower = s.to_ascii_lowercase();
    // `via` as a word, after a space or a slash (`Social Media/via REUTERS`).
    let at = lower.match_indices("via ").map(|(i, _)| i).find(|&i| {
        i > 0
            && lower
                .get(..i)
                .and_then(|h| h.chars().next_back())
                .is_some_and(|c| c == ' ' || c == '/')
    });
    match at {
        Some(i) => (
            s.get(..i).unwrap_or(s).trim_end_matches([' ', '/']),
            s.get(i + 4..),
        ),
        None => (s, None),
    }
}

/// Where a segment sits in the line.
#[derive(Debug, Clone, Copy)]
struct Segment {
    /// After ` via `: it names the distributor.
    after_via: bool,
    /// It ends the line.
    line_end: bool,
    /// The line may be cut at the IIM limit, so its last element may be a cut name.
    may_be_cut: bool,
}

/// Split one side of ` via ` into elements and classify them.
fn push_segment(seg: &str, at: Segment, out: &mut Vec<Elem>, seen: &mut Seen) {
    let Segment {
        after_via,
        line_end,
        may_be_cut,
    } = at;
    // Dashes between elements: em dash glued (TIME's `Name—Agency`), spaced hyphen or
    // en dash (`AFP - HANDOUT`). A hyphen inside a name (`Sung-Jun`, `epa-efe`) stays.
    let seg = seg
        .replace('—', "/")
        .replace(" – ", "/")
        .replace(" - ", "/")
        .replace(" | ", "/");
    let mut slash: Vec<String> = seg.split('/').map(|p| p.trim().to_string()).collect();
    // One brand split by a slash (`EPA/EFE`, `Rex/Shutterstock`).
    let mut i = 0;
    while i + 1 < slash.len() {
        let joined = format!("{}/{}", slash[i], slash[i + 1]);
        if agency::lookup(&joined).is_some() {
            slash[i] = joined;
            slash.remove(i + 1);
        }
        i += 1;
    }
    while slash.last().is_some_and(|s| s.is_empty()) {
        slash.pop();
    }
    let n = slash.len();
    for (si, part) in slash.iter().enumerate() {
        let mut group_has_org = false;
        for (ci, piece) in part.split(',').enumerate() {
            let last = si + 1 == n && !part.contains(',');
            let mut elems = classify(piece, after_via, may_be_cut && last, seen);
            // `TASS, ISS`: at the very end of the line, an unknown organisation after
            // another in one comma group is a place or desk suffix, not a chain element.
            if line_end && si + 1 == n && ci > 0 && group_has_org {
                elems.retain(|e| {
                    !matches!(e.class, Class::Org { alias: None, .. })
                        || agency::is_issuer(&e.text)
                        || agency::key(&e.text).contains("pool")
                });
            }
            group_has_org |= elems.iter().any(|e| matches!(e.class, Class::Org { .. }));
            out.extend(elems);
        }
    }
}

/// What a marker element says about the kind; `Some(None)` for markers that say nothing
/// (`Photo`). Markers are never listed as creators or `via` (credit-lines.md).
fn marker(s: &str) -> Option<Option<Kind>> {
    let k = agency::key(s);
    let kind = match k.as_str() {
        "pool" | "pool photo" | "pool photos" => Some(Kind::Pool),
        "handout" | "handout photo" | "ho" | "courtesy" | "handout picture" => Some(Kind::Handout),
        // Agencies' archive markers in several languages (AFP's `AFP/Archives`, dpa's
        // `dpa/Archiv`, EFE's `EFE/Archivo`).
        "file" | "file photo" | "file picture" | "file pic" | "archive" | "archive photo"
        | "archives" | "archiv" | "archivo" | "archivio" | "arquivo" => Some(Kind::Archive),
        "video grab" | "screen grab" | "screengrab" | "video still" | "tv grab" | "videograb"
        | "screenshot" | "screen shot" | "screencap" | "video screenshot" | "tv still" | "grab" => {
            Some(Kind::ScreenGrab)
        }
        "stock photo" => Some(Kind::Stock),
        "photo" | "photos" | "foto" | "photograph" | "picture" | "stringer" | "str" | "staff"
        | "illustration" | "photo illustration" | "image" | "images" | "pic" | "pictures" => None,
        _ => return None,
    };
    Some(kind)
}

/// Classify one element (it may yield two: `Name for Outlet`, `AP by Name`, `Name NYT`).
fn classify(raw: &str, after_via: bool, may_be_cut: bool, seen: &mut Seen) -> Vec<Elem> {
    let elem = |text: &str, class: Class| Elem {
        text: text.to_string(),
        class,
        after_via,
    };
    let mut t = raw
        .trim()
        .trim_matches(|c: char| c.is_whitespace() || ":;\"'“”".contains(c))
        .trim_start_matches('.')
        .to_string();
    // A closing stop goes unless it ends an abbreviation (`Jr.`, `J.`).
    t = strip_full_stop(&t).trim_end_matches(':').to_string();
    t = undouble(&t);
    // A number that is not a year is a reference or billing code (`kod 444`), never a name.
    if t
        .split_whitespace()
        .any(|w| w.len() >= 2 && w.chars().all(|c| c.is_ascii_digit()) && !is_year(w))
    {
        return Vec::new();
    }
    // A copyright sign or year is the photo's, not part of a name
    // (`© AFP 2013 / JOHN THYS`, `Satellite image ©2022 Maxar Technologies`).
    if t.contains('©') || t.split_whitespace().any(is_year) {
        t = t
            .replace('©', " ")
            .split_whitespace()
            .filter(|w| !is_year(w))
            .collect::<Vec<_>>()
            .join(" ");
    }
    // AFP prints `-` for an unnamed photographer (`- / AFP`).
    if !t.chars().any(char::is_alphanumeric) {
        return Vec::new();
    }
    if let Some(kind) = marker(&t) {
        let k = agency::key(&t);
        if ["stringer", "str", "staff"].contains(&k.as_str()) {
            seen.role = true;
        }
        seen.kinds.extend(kind);
        return vec![elem(&t, Class::Marker)];
    }
    for lead in [
        "courtesy of ",
        "courtesy ",
        "photo courtesy of ",
        "photo courtesy ",
        "image courtesy of ",
        "picture courtesy of ",
        "handout from ",
        "handout photo from ",
        "provided by ",
        "supplied by ",
        "released by ",
        "issued by ",
    ] {
        if let Some(rest) = strip_prefix_ci(&t, lead) {
            seen.kinds.push(Kind::Handout);
            return classify(rest, after_via, may_be_cut, seen);
        }
    }
    // `Video obtained by Reuters`: who obtained it is not who made it.
    if let Some(rest) = strip_prefix_ci(&t, "obtained by ") {
        return classify(rest, after_via, may_be_cut, seen);
    }
    if let Some(rest) = screen_grab(&t) {
        seen.kinds.push(Kind::ScreenGrab);
        return classify(&rest, after_via, may_be_cut, seen);
    }
    let lower = t.to_ascii_lowercase();
    // `Getty Images for Apple` is commissioned work (a handout); `Name for the Guardian`
    // is the outlet's own commission.
    if let Some(i) = lower.find(" for ") {
        let left = t.get(..i).unwrap_or("");
        let right = t.get(i + 5..).unwrap_or("");
        let mut l = classify(left, after_via, false, seen);
        if l.iter().any(|e| matches!(e.class, Class::Org { .. })) {
            seen.kinds.push(Kind::Handout);
            return l;
        }
        let r = classify(right, after_via, may_be_cut, seen);
        l.extend(
            r.into_iter()
                .filter(|e| matches!(e.class, Class::Org { .. })),
        );
        return l;
    }
    // `Jane Doe on Unsplash`: a platform after ` on `.
    if let Some(i) = lower.find(" on ")
        && let Some(alias) = t
            .get(i + 4..)
            .and_then(agency::lookup)
            .filter(|a| a.platform)
    {
        let mut l = classify(t.get(..i).unwrap_or(""), after_via, false, seen);
        l.push(elem(
            alias.name,
            Class::Org {
                alias: Some(alias),
                canonical: alias.canonical.to_string(),
                fuzzy: false,
            },
        ));
        return l;
    }
    // `#APPhoto by J. Scott Applewhite`: an agency label, then the photographer.
    if let Some(i) = lower.find(" by ") {
        let left = t.get(..i).unwrap_or("");
        // `AFP photo of Kuwait by Name`: the label ends at `photo`.
        let label = lower
            .find(" photo ")
            .filter(|&p| p < i)
            .and_then(|p| t.get(..p + " photo".len()))
            .unwrap_or(left);
        if org_alias(label).is_some() {
            let left = label;
            let mut l = classify(left, after_via, false, seen);
            l.extend(classify(
                t.get(i + 4..).unwrap_or(""),
                after_via,
                may_be_cut,
                seen,
            ));
            return l;
        }
    }
    if let Some((alias, fuzzy)) = org_alias(&t) {
        if let Some(kind) = alias.kind {
            seen.kinds.push(kind);
        }
        if agency::is_issuer(alias.canonical) {
            seen.kinds.push(Kind::Handout);
        }
        return vec![elem(
            &t,
            Class::Org {
                alias: Some(alias),
                canonical: alias.canonical.to_string(),
                fuzzy,
            },
        )];
    }
    if let Some(d) = agency::domain(&t) {
        if agency::is_issuer(&d) {
            seen.kinds.push(Kind::Handout);
        }
        return vec![elem(&t, org(d))];
    }
    if may_be_cut && let Some(alias) = agency::lookup_prefix(&t) {
        seen.truncated = true;
        let canonical = alias.canonical.to_string();
        return vec![elem(
            &t,
            Class::Org {
                alias: Some(alias),
                canonical,
                fuzzy: false,
            },
        )];
    }
    if is_org(&t) {
        let words: Vec<&str> = lower.split_whitespace().collect();
        if words.contains(&"pool") || words == ["kremlin"] {
            // A named pool (`Kremlin Pool`) or Reuters' bare `Kremlin` (credit-lines.md).
            seen.kinds.push(Kind::Pool);
        }
        if words
            .iter()
            .any(|w| matches!(*w, "archive" | "archives" | "collection"))
        {
            seen.kinds.push(Kind::Archive);
        }
        // `Kremlin Pool Photo` is listed as `Kremlin Pool`.
        let t = match lower.strip_suffix(" photo") {
            Some(head) => t.get(..head.len()).unwrap_or(&t).to_string(),
            None => t,
        };
        if agency::is_issuer(&t) {
            seen.kinds.push(Kind::Handout);
        }
        let canonical = org_case(&t);
        return vec![elem(&t, org(canonical))];
    }
    if let Some((person, alias)) = split_suffix_alias(&t) {
        return vec![
            elem(person, Class::Person),
            elem(
                alias.name,
                Class::Org {
                    alias: Some(alias),
                    canonical: alias.canonical.to_string(),
                    fuzzy: false,
                },
            ),
        ];
    }
    vec![elem(&t, Class::Person)]
}

fn is_year(w: &str) -> bool {
    w.len() == 4 && w.parse::<u16>().is_ok_and(|y| (1826..=2099).contains(&y))
}

fn org(canonical: String) -> Class {
    Class::Org {
        alias: None,
        canonical,
        fuzzy: false,
    }
}

/// The alias `t` is, exactly, with a trailing `Photo` (`AFP PHOTO`, `AA Photo`, `APPhoto`),
/// or misspelt; the flag says misspelt.
fn org_alias(t: &str) -> Option<(&'static Alias, bool)> {
    if let Some(a) = agency::lookup(t) {
        return Some((a, false));
    }
    let lower = t.to_ascii_lowercase();
    for suffix in ["photos", "photo"] {
        if let Some(head) = lower.strip_suffix(suffix)
            && let Some(a) = t.get(..head.len()).and_then(agency::lookup)
        {
            return Some((a, false));
        }
    }
    // Misspellings are looked for in capitals, as agencies print their name, or in
    // names long enough (7 letters) that a surname one letter off is unlikely.
    let caps = t.chars().all(|c| !c.is_lowercase());
    if caps || t.chars().count() >= 7 {
        return agency::lookup_fuzzy(t).map(|a| (a, true));
    }
    None
}

/// `AFP PHOTO`, `AP Photo`, `AA Photo`: an agency name with `Photo` added, the agencies'
/// own label for their pictures (not a brand such as `Alamy Stock Photo`).
fn is_photo_label(t: &str) -> bool {
    let lower = t.to_ascii_lowercase();
    (lower.ends_with("photo") || lower.ends_with("photos")) && agency::lookup(t).is_none()
}

/// A glued repeat (`CHRISTOF STACHECHRISTOF STACHE`, two credit forms joined) halved,
/// and a repeated word (`HANDOUT HANDOUT HANDOUT`) said once.
fn undouble(t: &str) -> String {
    let half = t.len() / 2;
    if t.len() >= 6
        && t.len().is_multiple_of(2)
        && let (Some(a), Some(b)) = (t.get(..half), t.get(half..))
        && a == b
    {
        return a.trim().to_string();
    }
    let words: Vec<&str> = t.split_whitespace().collect();
    if words.len() > 1 && words.iter().all(|w| w.eq_ignore_ascii_case(words[0])) {
        return words[0].to_string();
    }
    t.to_string()
}

/// `Photo from Lawrence Langner video`: the element with the video words removed.
fn screen_grab(t: &str) -> Option<String> {
    const VIDEO: &[&str] = &[
        "video",
        "screengrab",
        "videograb",
        "grab",
        "footage",
        "screenshot",
    ];
    const FILLER: &[&str] = &[
        "photo",
        "image",
        "still",
        "from",
        "a",
        "screen",
        "video",
        "screengrab",
        "videograb",
        "grab",
        "footage",
        "taken",
        "screenshot",
    ];
    let words: Vec<&str> = t.split_whitespace().collect();
    if !words
        .iter()
        .any(|w| VIDEO.contains(&w.to_lowercase().as_str()))
    {
        return None;
    }
    let rest: Vec<&str> = words
        .into_iter()
        .filter(|w| !FILLER.contains(&w.to_lowercase().as_str()))
        .collect();
    Some(rest.join(" "))
}

/// An element that names an organisation rather than a person.
fn is_org(t: &str) -> bool {
    if agency::has_org_word(t) || agency::is_issuer(t) {
        return true;
    }
    // A dot inside a word (`Prod.DB`), unlike an initial (`J. Scott`).
    let inner_dot = t.char_indices().any(|(i, c)| {
        c == '.'
            && t.get(i + 1..)
                .and_then(|r| r.chars().next())
                .is_some_and(char::is_alphanumeric)
            && t.get(..i)
                .and_then(|h| h.chars().next_back())
                .is_some_and(|p| p.is_alphanumeric())
            && t.get(..i).is_some_and(|h| {
                // `U.S.` is an abbreviation in an organisation's name, so counts too.
                h.rsplit(' ')
                    .next()
                    .is_some_and(|w| w.len() > 1 || w == "U")
            })
    });
    // A lone acronym (`NYT`, `KCNA`, `ISS`), or one word with one inside (`JPL-Caltech`).
    let caps_run = t
        .chars()
        .collect::<Vec<_>>()
        .windows(2)
        .any(|w| w.iter().all(|c| c.is_uppercase()));
    let acronym = !t.contains(' ')
        && ((2..=5).contains(&t.chars().count())
            && t.chars().all(|c| c.is_uppercase() || c.is_ascii_digit())
            || caps_run && t.chars().any(char::is_lowercase));
    // `the artist`, `the family`: a description, not a name.
    let described = t.starts_with("the ");
    inner_dot || acronym || described
}

/// `Lynsey Addario NYT`: a name with an agency glued on after a space.
fn split_suffix_alias(t: &str) -> Option<(&str, &'static Alias)> {
    // `Kirby Lee-USA TODAY Sports`: glued with a hyphen.
    for (i, _) in t.match_indices('-') {
        let (Some(name), Some(tail)) = (t.get(..i), t.get(i + 1..)) else {
            continue;
        };
        if let Some(alias) = agency::lookup(tail).filter(|a| !a.platform && tail.len() > 2)
            && name.contains(' ')
        {
            return Some((name.trim(), alias));
        }
    }
    let words: Vec<&str> = t.split_whitespace().collect();
    for take in (1..=3).rev() {
        if words.len() < take + 2 {
            continue;
        }
        let tail = words.get(words.len() - take..)?.join(" ");
        if let Some(alias) = agency::lookup(&tail).filter(|a| !a.platform) {
            let cut = t.rfind(words.get(words.len() - take)?)?;
            return Some((t.get(..cut)?.trim(), alias));
        }
    }
    None
}

/// Put the parts together from the classified elements.
fn assemble(elems: &[Elem], seen: &Seen, mut parts: CreditParts) -> CreditParts {
    let orgs: Vec<(usize, &Elem)> = elems
        .iter()
        .enumerate()
        .filter(|(_, e)| matches!(e.class, Class::Org { .. }))
        .collect();
    // The distributor: the last organisation after ` via ` (`KCNA via KNS/AP`), else the
    // last one printed.
    // An issuer printed after a known agency is the origin, not the distributor
    // (`EPA-EFE/RUSSIAN DEFENCE MINISTRY PRESS SERVICE/HANDOUT`).
    let known = |e: &Elem| matches!(e.class, Class::Org { alias: Some(a), .. } if !a.platform);
    let issuer = |e: &Elem| agency::is_issuer(&e.text);
    let any_known = orgs.iter().any(|(_, e)| known(e));
    // An agency's own photo label (`AFP PHOTO / HO / SANA`) names the distributor unless
    // a known agency follows it (`AFP PHOTO / NAME/AFP/Getty Images`).
    let labelled = orgs
        .iter()
        .find(|(_, e)| known(e) && is_photo_label(&e.text))
        .filter(|(li, _)| !orgs.iter().any(|(i, e)| i > li && known(e)));
    let chosen = orgs
        .iter()
        .rfind(|(_, e)| e.after_via)
        .or(labelled)
        .or_else(|| {
            orgs.iter()
                .rev()
                .find(|(_, e)| !(e.after_via || any_known && issuer(e) && !known(e)))
        })
        .or_else(|| orgs.iter().rev().find(|(_, e)| !e.after_via))
        .map(|(i, _)| *i);
    let mut platform = false;
    if let Some(Elem {
        class: Class::Org {
            alias,
            canonical,
            fuzzy,
        },
        text,
        ..
    }) = chosen.and_then(|i| elems.get(i))
    {
        parts.agency = Some(canonical.clone());
        platform = alias.is_some_and(|a| a.platform);
        if *fuzzy {
            parts.misspelling = Some(text.clone());
        }
    }
    for (i, e) in elems.iter().enumerate() {
        // After the distributor only people count (`Action Images via Reuters/John
        // Sibley`); organisations there are desks or places.
        let after_chosen = e.after_via && Some(i) > chosen;
        if Some(i) == chosen || after_chosen && !matches!(e.class, Class::Person) {
            continue;
        }
        match &e.class {
            Class::Person => push_unique(&mut parts.creators, name_case(&e.text)),
            Class::Org {
                alias,
                canonical,
                fuzzy,
            } => {
                if *fuzzy && parts.misspelling.is_none() {
                    parts.misspelling = Some(e.text.clone());
                }
                let same_agency = parts.agency.as_deref() == Some(canonical.as_str());
                let shown = match alias {
                    // A sub-brand of the distributor is listed under its own name.
                    // A sub-brand is listed under its own name (`PA Wire`, `Hulton Archive`).
                    Some(a) if a.sub_brand => a.name.to_string(),
                    Some(_) if same_agency => continue,
                    _ => canonical.clone(),
                };
                push_unique(&mut parts.via, shown);
            }
            Class::Marker => {}
        }
    }
    parts.truncated = seen.truncated;
    parts.kind = kind_of(seen, &parts, platform);
    parts
}

/// The one kind recorded, by precedence: a video still or handout says most about the
/// picture; pool and archive markers can occur together (credit-lines.md keeps one).
fn kind_of(seen: &Seen, parts: &CreditParts, platform: bool) -> Kind {
    const ORDER: [Kind; 5] = [
        Kind::ScreenGrab,
        Kind::Handout,
        Kind::Pool,
        Kind::Archive,
        Kind::Stock,
    ];
    if let Some(k) = ORDER.iter().find(|k| seen.kinds.contains(k)) {
        return *k;
    }
    let named = !parts.creators.is_empty() || seen.role;
    if named && parts.agency.is_some() && !platform {
        Kind::Staff
    } else {
        Kind::Unknown
    }
}

fn push_unique(list: &mut Vec<String>, value: String) {
    if !value.is_empty() && !list.iter().any(|v| v.eq_ignore_ascii_case(&value)) {
        list.push(value);
    }
}

/// Name case for a person: words printed in capitals are re-cased (`KLIMENTYEV` →
/// `Klimentyev`, `SUNG-JUN` → `Sung-Jun`); other words stay as printed.
pub(crate) fn name_case(s: &str) -> String {
    s.split_whitespace()
        .map(|w| {
            let letters = w.chars().filter(|c| c.is_alphabetic()).count();
            if letters >= 2 && w.chars().all(|c| !c.is_lowercase()) {
                capitalise(w)
            } else {
                w.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Capitalise each piece of a word split at hyphens and apostrophes.
fn capitalise(w: &str) -> String {
    let mut out = String::new();
    let mut start = true;
    for c in w.chars() {
        if start {
            out.extend(c.to_uppercase());
        } else {
            out.extend(c.to_lowercase());
        }
        start = c == '-' || c == '\'' || c == '’';
    }
    out
}

/// Name case for an organisation printed wholly in capitals with several words
/// (`RUSSIAN DEFENCE MINISTRY PRESS SERVICE`); acronyms and mixed case stay.
fn org_case(s: &str) -> String {
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

/// The parts a stored record implies: its credit line parsed, its own creators and agency,
/// its source for a handout, and IPTC's digital source type for a screen capture.
pub fn parts_of(fields: &Fields) -> CreditParts {
    let mut parts = fields.credit_line.as_deref().map(parse).unwrap_or_default();
    let own: Vec<String> = fields
        .creators
        .iter()
        .map(|c| c.trim())
        .filter(|c| !c.is_empty() && marker(c).is_none())
        .map(name_case)
        .collect();
    if !own.is_empty() {
        parts.creators = own;
    }
    if let Some(a) = agency_of(
        fields.agency.as_deref().or(fields.credit_line.as_deref()),
        fields.source.as_deref(),
        fields.copyright.as_deref(),
    ) {
        parts.agency = Some(a);
    }
    // Iptc4xmpExt:DigitalSourceType `…/digitalsourcetype/screenCapture` (also the older
    // `virtualRecording`) marks a still taken from a screen or video.
    if fields
        .digital_source_type
        .as_deref()
        .is_some_and(|t| t.ends_with("screenCapture") || t.ends_with("virtualRecording"))
    {
        parts.kind = Kind::ScreenGrab;
    }
    // IIM 2:115 Source names the origin; a handout's issuer belongs in the chain.
    if let Some(src) = fields
        .source
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        && matches!(parts.kind, Kind::Handout | Kind::ScreenGrab)
        && agency::lookup(src).is_none_or(|a| Some(a.canonical) != parts.agency.as_deref())
    {
        push_unique(&mut parts.via, src.to_string());
    }
    if parts.kind == Kind::Unknown && !parts.creators.is_empty() && parts.agency.is_some() {
        parts.kind = Kind::Staff;
    }
    parts
}

/// The canonical agency a record names: in its credit line (IIM 2:110), else its source
/// (IIM 2:115), else its copyright notice (IIM 2:116). Source and copyright count only
/// when they name a known agency.
pub fn agency_of(
    credit_line: Option<&str>,
    source: Option<&str>,
    copyright: Option<&str>,
) -> Option<String> {
    if let Some(a) = credit_line.and_then(|l| parse(l).agency) {
        return Some(a);
    }
    [source, copyright]
        .into_iter()
        .flatten()
        .find_map(known_agency)
}

/// The canonical name of a known agency that `s` names, tolerating `©`, years and
/// `Copyright … All rights reserved` around it.
fn known_agency(s: &str) -> Option<String> {
    let known = |p: CreditParts| {
        let a = p.agency?;
        let listed = agency::lookup(&a).is_some() || agency::is_canonical(&a);
        (listed || p.misspelling.is_some()).then_some(a)
    };
    if let Some(a) = known(parse(s)) {
        return Some(a);
    }
    let mut cleaned: String = s.chars().filter(|c| !c.is_ascii_digit()).collect();
    for noise in ["all rights reserved", "copyright", "(c)"] {
        if let Some(i) = cleaned.to_ascii_lowercase().find(noise) {
            cleaned.replace_range(i..i + noise.len(), " ");
        }
    }
    let cleaned = cleaned.replace('©', " ");
    let cleaned = cleaned.trim_matches(|c: char| c.is_whitespace() || ".,;".contains(c));
    known(parse(cleaned))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailer_is_split_off() {
        let (body, trailer) = split_trailer("REUTERS/Jane Doe CHINA OUT");
        assert_eq!(body, "REUTERS/Jane Doe");
        assert_eq!(trailer.as_deref(), Some("CHINA OUT"));
        assert_eq!(split_trailer("Mandatory Credit: Photo by X").1, None);
    }

    #[test]
    fn name_case_only_recases_capitals() {
        assert_eq!(name_case("ERIK S. LESSER"), "Erik S. Lesser");
        assert_eq!(name_case("Chung Sung-Jun"), "Chung Sung-Jun");
        assert_eq!(name_case("CHUNG SUNG-JUN"), "Chung Sung-Jun");
        assert_eq!(name_case("Hannah McKay"), "Hannah McKay");
    }

    #[test]
    fn record_fields_fill_the_parts() {
        let fields = Fields {
            credit_line: Some("Handout via REUTERS".into()),
            source: Some("Ukrainian Presidential Press Service".into()),
            ..Fields::default()
        };
        let p = parts_of(&fields);
        assert_eq!(p.agency.as_deref(), Some("Reuters"));
        assert_eq!(p.via, ["Ukrainian Presidential Press Service"]);
        assert_eq!(p.kind, Kind::Handout);

        let fields = Fields {
            creators: vec!["Evan Vucci".into()],
            copyright: Some("Copyright 2023 The Associated Press".into()),
            digital_source_type: Some(
                "http://cv.iptc.org/newscodes/digitalsourcetype/screenCapture".into(),
            ),
            ..Fields::default()
        };
        let p = parts_of(&fields);
        assert_eq!(p.agency.as_deref(), Some("AP"));
        assert_eq!(p.kind, Kind::ScreenGrab);
    }

    #[test]
    fn agency_of_falls_back_to_source_and_copyright() {
        assert_eq!(agency_of(None, Some("AFP"), None).as_deref(), Some("AFP"));
        assert_eq!(
            agency_of(None, None, Some("© 2013 AFP")).as_deref(),
            Some("AFP")
        );
        assert_eq!(agency_of(None, Some("Jane Doe"), None), None);
    }

    #[test]
    fn zuma_is_a_known_agency() {
        assert_eq!(
            agency_of(None, Some("ZUMA Press Wire"), None).as_deref(),
            Some("ZUMA")
        );
        assert_eq!(
            agency_of(None, None, Some("© 2024 ZUMA Press")).as_deref(),
            Some("ZUMA")
        );
    }

    #[test]
    fn tasl_title_in_curly_quotes() {
        let p = parse("“Title” by tvol is licensed under CC BY 2.0");
        assert_eq!(p.title.as_deref(), Some("Title"));
        assert_eq!(p.creators, ["tvol"]);
        assert_eq!(p.licence.as_deref(), Some("CC BY 2.0"));
    }

    #[test]
    fn very_long_line_is_read_quickly() {
        let line = "a for ".repeat(100_000 / 6);
        let start = std::time::Instant::now();
        let p = parse(&line);
        assert!(start.elapsed() < std::time::Duration::from_secs(2));
        assert_eq!(p.original.as_deref(), Some(line.as_str()));
        // A cut inside a multi-byte character still gives parts.
        let _ = parse(&"é".repeat(PARSE_MAX));
    }
}
