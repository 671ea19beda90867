//! The page's wrapping around a credit: labels (`Photo:`, `Bild:`, `Image copyright`),
//! brackets, `©`, editors' trailers, prose around the credit, Creative Commons attribution
//! sentences. Everything here turns a printed line into the bare chain; nothing classifies
//! an element.

use super::*;

/// Braces typed for brackets (`(Photo by Name/AP Photo}`) read as brackets, and a
/// backslash typed for a slash (`Court\\TASS`) as a slash.
pub(super) fn even_brackets(line: &str) -> String {
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

/// Split off editors' notes and restrictions printed after the credit, which agencies put
/// in capitals (`… via REUTERS ATTENTION EDITORS - …`, `… EDITORIAL USE ONLY/NO SALES`).
pub(super) fn split_trailer(line: &str) -> (&str, Option<String>) {
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
pub(super) fn find_word(s: &str, word: &str) -> Option<usize> {
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
pub(super) fn strip_prefix_ci<'a>(s: &'a str, p: &str) -> Option<&'a str> {
    let head = s.get(..p.len())?;
    head.eq_ignore_ascii_case(p)
        .then(|| s.get(p.len()..))
        .flatten()
}

/// Remove the page's wrapper: brackets, `©`, labels (`Photo:`, `Bild:`, `Credit:`,
/// `Image copyright`), `Photo by`, a supplier reference `(16507315bs)`, a closing full stop.
pub(super) fn unwrap(body: &str, seen: &mut Seen) -> String {
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
pub(super) fn unwrap_tail_bracket(s: &str) -> String {
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
pub(super) fn drop_inner_brackets(s: &str, seen: &mut Seen) -> String {
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
pub(super) const BY_WORDS: &[&str] = &["by", "von", "par", "door", "av", "af", "di", "por", "fra"];

/// Prose around the credit, told apart by commas: a place before a "by" word
/// (`Düsseldorf, von Name/Reuters`) and a clause in lower case after it (`…/AFP, publiziert am
/// 31. März`, `…, and reused here with permission`).
pub(super) fn drop_prose(s: &str) -> String {
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
pub(super) fn strip_label(s: &str, seen: &mut Seen) -> String {
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
pub(super) fn strip_full_stop(s: &str) -> String {
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
pub(super) fn tasl(s: &str) -> Option<(Option<String>, Option<String>, String)> {
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
pub(super) fn licence_in(line: &str) -> Option<String> {
    let at = line.find("CC BY").or_else(|| line.find("CC0"))?;
    let rest = line.get(at..)?;
    let end = rest.find([')', ',', ';', ']']).unwrap_or(rest.len());
    let l = rest.get(..end)?.trim().trim_end_matches('.');
    Some(l.to_string())
}
