//! The page's wrapping around a credit: labels (`Photo:`, `Bild:`, `Image copyright`),
//! brackets, `©`, editors' trailers, prose around the credit, Creative Commons attribution
//! sentences. Everything here turns a printed line into the bare chain; nothing classifies
//! an element.

use super::*;

/// Braces typed for brackets (`(Photo by Name/AP Photo}`) read as brackets, a backslash
/// typed for a slash (`Court\\TASS`) as a slash, the full-width forms of Chinese and
/// Japanese type (`（`, `：`, `／`) as their ASCII kin, the ideographic comma `、` as a comma
/// and full stop `。` as a stop, and Markdown emphasis (`[**Unsplash**](…)`, `_Photo: X_`)
/// and a cut name's expander (`NAME ... [+] NAME`) dropped.
pub(super) fn even_brackets(line: &str) -> String {
    // Forbes cuts a long name with an expander (`NAME ... [+] NAME`).
    let line = &line.replace(" ... [+] ", " ").replace(" … [+] ", " ");
    let mut out = String::with_capacity(line.len());
    let chars: Vec<char> = line.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '{' | '（' => out.push('('),
            '}' | '）' => out.push(')'),
            '［' => out.push('['),
            '］' => out.push(']'),
            '\\' | '／' => out.push('/'),
            '：' => out.push(':'),
            '，' => out.push(','),
            '、' => out.push_str(", "),
            '。' => out.push('.'),
            '＝' => out.push('='),
            '*' => {}
            // An underscore at a word's edge is emphasis; inside a word (`user_name`) it
            // is part of the name.
            '_' => {
                let word = |j: Option<&char>| j.is_some_and(|c| c.is_alphanumeric());
                let inside =
                    word(i.checked_sub(1).and_then(|j| chars.get(j))) && word(chars.get(i + 1));
                if inside {
                    out.push(c);
                }
            }
            c => out.push(c),
        }
    }
    out
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
        // A copyright sentence's close after the agency's name.
        "All Rights Reserved",
        "ALL RIGHTS RESERVED",
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
    if let Some(i) = trailing_date(line) {
        cut = Some(cut.map_or(i, |c| c.min(i)));
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

/// Where a date printed after the credit starts (`Name/TPS on 14 August, 2016`, `…, March 3,
/// 2020`): ` on ` or a comma, then a day and a month name in either order and a year, and
/// nothing after. A month name alone, without day and year, is not a date.
fn trailing_date(line: &str) -> Option<usize> {
    let tail_is_date = |t: &str| {
        let words: Vec<String> = t
            .trim()
            .trim_end_matches('.')
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect();
        let day = |w: &str| w.len() <= 2 && w.chars().all(|c| c.is_ascii_digit());
        let year = |w: &str| w.len() == 4 && w.chars().all(|c| c.is_ascii_digit());
        let month = |w: &str| crate::credit::check::MONTH_NAMES.contains(&w);
        match words.as_slice() {
            [a, b, y] => year(y) && (day(a) && month(b) || month(a) && day(b)),
            _ => false,
        }
    };
    let lower = line.to_ascii_lowercase();
    [" on ", ", "].iter().find_map(|sep| {
        lower
            .match_indices(sep)
            .map(|(i, _)| i)
            .find(|&i| i > 0 && line.get(i + sep.len()..).is_some_and(tail_is_date))
    })
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

/// `s` split around the earliest of `phrases` (ASCII, lower-case), found whatever its case:
/// the text before it and the text after it. The search runs in an ASCII lower-cased copy,
/// whose byte offsets are the line's own (full lower-casing changes `İ`'s length).
pub(super) fn split_at_first_ci<'a>(s: &'a str, phrases: &[&str]) -> Option<(&'a str, &'a str)> {
    let lower = s.to_ascii_lowercase();
    let (at, len) = phrases
        .iter()
        .filter_map(|p| lower.find(p).map(|i| (i, p.len())))
        .min()?;
    Some((s.get(..at)?, s.get(at + len..)?))
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
        "all photos by",
        "all photographs by",
        "all pictures by",
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
        "fot. ",
        // Russian `автор фото` (the photo's author).
        "автор фото",
        // A byline opening the line (Wikimedia Commons' `By Name - Own work, …`).
        "by ",
    ];
    let mut s = drop_caption_before_copyright(body.trim());
    loop {
        let before = s.clone();
        // A camera or other pictograph as the label (`📷 Name`, as Instagram captions print it).
        s = s
            .trim()
            .trim_start_matches(is_pictograph)
            .trim()
            .to_string();
        let mut led = false;
        let shapes: [fn(&str) -> Option<String>; 13] = [
            leading_date,
            prose_before_by,
            caption_before_agency,
            permission_clause,
            outer_brackets,
            no_data_placeholder,
            notice_after_bracket,
            odd_label_punctuation,
            agency_hashtag,
            outlet_before_by,
            label_after_caption,
            mid_line_label,
            label_after_dash,
        ];
        for shape in shapes {
            if let Some(t) = shape(&s) {
                s = t;
            }
        }
        // The BBC's `IMAGE SOURCE,` label, in the languages its services print it.
        for lead in SOURCE_LEADS {
            if let Some(rest) = strip_prefix_ci(&s, lead)
                && rest.starts_with([',', ':', '،'])
            {
                s = rest.trim_start_matches([',', ':', '،', ' ']).to_string();
                led = true;
            }
        }
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
                    led = true;
                    break;
                }
            }
        }
        // A request to credit, or a photo word in any language with its `by` word.
        if !led && let Some(rest) = strip_request(&s).or_else(|| strip_photo_label(&s)) {
            s = rest.to_string();
        }
        s = close_brackets(&s);
        if let Some(rest) = s.strip_prefix(['(', '[']) {
            s = rest.to_string();
            if s.ends_with([')', ']']) && !s.contains(['(', '[']) {
                s.pop();
            }
        } else if s.ends_with([')', ']']) {
            s = unwrap_tail_bracket(&s, seen);
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

/// A pictograph (emoji) used as a label: the Misc Symbols, Dingbats and emoji blocks.
fn is_pictograph(c: char) -> bool {
    ('\u{1F300}'..='\u{1FAFF}').contains(&c) || ('\u{2600}'..='\u{27BF}').contains(&c)
}

/// A bracket at the end: drop a supplier reference (`(16507315bs)`), turn `Name (AFP)` into
/// `Name/AFP`, keep what a marker in it says (`Name/AP (File)`), and drop a bracket left
/// unbalanced.
pub(super) fn unwrap_tail_bracket(s: &str, seen: &mut Seen) -> String {
    let open = s.rfind(['(', '[']);
    let Some(open) = open else {
        return s.get(..s.len() - 1).unwrap_or(s).to_string();
    };
    let head = s.get(..open).unwrap_or("").trim_end();
    let mut inner = s.get(open + 1..s.len() - 1).unwrap_or("").trim();
    // `Name (nguồn Reuters)`, `Name (source: AFP)`: a source label before the agency.
    if let Some((label, rest)) = inner.split_once(' ')
        && is_label_word(label)
        && org_alias(rest.trim()).is_some()
    {
        inner = rest.trim();
    }
    // `新華社發(NAME 攝)`: the photographer in brackets after the agency.
    if org_alias(inner).is_some() || is_shot_credit(inner) {
        format!("{head}/{inner}")
    } else {
        // A reference, licence, place or affiliation, not part of the chain.
        for piece in inner.split([',', '/']) {
            if let Some(kind) = marker(piece) {
                seen.kinds.extend(kind);
            }
        }
        head.to_string()
    }
}

/// Brackets paired: a closing one that opens nothing goes, and one left open is closed
/// at the end of the line (`Name (AFP`, `(Photo by Name/AFP via Getty Images`).
pub(super) fn close_brackets(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    let mut open: Vec<char> = Vec::new();
    for c in s.chars() {
        match c {
            '(' | '[' => {
                open.push(c);
                out.push(c);
            }
            ')' | ']' => {
                let pair = if c == ')' { '(' } else { '[' };
                if open.last() == Some(&pair) {
                    open.pop();
                    out.push(c);
                } else if !open.contains(&pair) {
                    // Opens nothing: dropped.
                } else {
                    out.push(c);
                }
            }
            c => out.push(c),
        }
    }
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    for c in open.iter().rev() {
        out.push(if *c == '(' { ')' } else { ']' });
    }
    out
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

/// Prose around the credit, told apart by commas and semicolons: a place before a "by"
/// word (`Düsseldorf, von Name/Reuters`), a clause in lower case after it (`…/AFP,
/// publiziert am 31. März`, `…, and reused here with permission`, `…; used with
/// permission`), and a sentence after a full stop (`…/Reuters. The picture was taken …`).
pub(super) fn drop_prose(s: &str) -> String {
    let s = drop_sentence(s);
    // Pieces and the separator before each.
    let mut pieces: Vec<(&str, &str)> = Vec::new();
    let mut rest = s.as_str();
    let mut sep = "";
    while let Some(at) = [", ", "; "].iter().filter_map(|d| rest.find(d)).min() {
        pieces.push((sep, rest.get(..at).unwrap_or("")));
        sep = rest.get(at..at + 2).unwrap_or(", ");
        rest = rest.get(at + 2..).unwrap_or("");
    }
    pieces.push((sep, rest));
    if pieces.len() < 2 {
        return s;
    }
    let by_at = pieces.iter().position(|(_, p)| {
        p.split_once(' ')
            .is_some_and(|(w, rest)| CLAUSE_BY_WORDS.contains(&w) && !rest.is_empty())
    });
    let start = by_at.unwrap_or(0);
    let mut end = pieces.len();
    while end > start + 1 {
        let last = pieces.get(end - 1).map_or("", |p| p.1);
        let prose = last.chars().next().is_some_and(char::is_lowercase)
            && last.split_whitespace().count() >= 2
            && marker(last).is_none()
            && !VIA_WORDS.iter().any(|v| last.starts_with(v))
            && !last.contains('/');
        if !prose {
            break;
        }
        end -= 1;
    }
    let mut out = String::new();
    for (n, (sep, piece)) in pieces
        .get(start..end)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        if n == 0 {
            let piece = match by_at {
                Some(_) => piece.split_once(' ').map_or(*piece, |(_, rest)| rest),
                None => piece,
            };
            out.push_str(piece);
        } else {
            out.push_str(sep);
            out.push_str(piece);
        }
    }
    out
}

/// The line up to a full stop that a sentence follows: three words or more, two of them
/// in lower case, no slash (`Jane Doe/Reuters. The picture was taken on Monday.`). The
/// stop of an initial or abbreviation (`J. Scott`, `Jr.`) does not end the credit.
fn drop_sentence(s: &str) -> String {
    for (at, _) in s.match_indices(". ") {
        let head = s.get(..at).unwrap_or("");
        let tail = s.get(at + 2..).unwrap_or("");
        let last = head.rsplit([' ', '/']).next().unwrap_or("");
        let words: Vec<&str> = tail.split_whitespace().collect();
        let lower = words
            .iter()
            .filter(|w| w.chars().next().is_some_and(char::is_lowercase))
            .count();
        let sentence = words.len() >= 3
            && lower >= 2
            && !tail.contains('/')
            && tail.chars().next().is_some_and(char::is_uppercase);
        if sentence && last.chars().filter(|c| c.is_alphabetic()).count() >= 3 && !head.is_empty() {
            return head.to_string();
        }
    }
    s.to_string()
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
    // A longer label ends in a photo or source word (`Sursa articol si foto:`).
    let labelled = words
        .last()
        .is_some_and(|w| is_photo_word(w) || is_label_word(w));
    if words.is_empty() || words.len() > 3 && !(labelled && words.len() <= 6) {
        return s.to_string();
    }
    // A slash joins two label words (`Foto/Quelle:`), else it is the chain's.
    let double = label.split('/').count() == 2
        && label
            .split('/')
            .all(|w| is_photo_word(w) || is_label_word(w));
    if label.contains(['(', '.']) || label.contains('/') && !double {
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
        // `Reuters: 16 May 2020`: a date after the agency, not a chain element.
        if rest.split_whitespace().any(is_year) {
            return name;
        }
        return format!("{name}/{}", rest.trim());
    }
    if let Some(kind) = marker(&name) {
        seen.kinds.extend(kind);
    }
    rest.trim().to_string()
}

/// Drop a closing full stop, but not the one of an initial or abbreviation (`U.S.`).
pub(super) fn strip_full_stop(s: &str) -> String {
    let Some(head) = s.trim_end().strip_suffix('.').map(str::trim_end) else {
        return s.to_string();
    };
    let last = head.rsplit([' ', '/']).next().unwrap_or("");
    if last.chars().count() >= 3 && !last.contains('.') {
        head.to_string()
    } else {
        s.to_string()
    }
}

/// The BBC's `Image source,` label before a credit, in English and in the languages of its
/// world services (Punjabi, Hindi, Spanish, Indonesian, Vietnamese, Russian, Arabic).
const SOURCE_LEADS: &[&str] = &[
    "image source",
    "ਤਸਵੀਰ ਸਰੋਤ",
    "तस्वीर का स्रोत",
    "fuente de la imagen",
    "sumber gambar",
    "nguồn hình ảnh",
    "автор фото",
    "صدر الصورة",
];

/// A caption or label printed before a copyright sign (`Il Castello di Siracusa © Ansa`,
/// `Portada ©Name`, `Photo Credit © Name`): the credit is what the sign opens. Kept when
/// the text before it is itself a chain (`AFP 2013 / Name ©`) or nothing follows the sign.
fn drop_caption_before_copyright(s: &str) -> String {
    let Some(at) = s.find('©').filter(|&i| i > 0) else {
        return s.to_string();
    };
    let head = s.get(..at).unwrap_or("").trim();
    let tail = s.get(at..).unwrap_or("");
    let credit = tail.trim_start_matches('©').trim();
    let chain = head.contains('/') || agency::lookup(head.trim_matches(['(', '['])).is_some();
    // Only a closing bracket after the sign (`(photo by Name©)`): the sign ends the credit.
    let nothing = !credit.chars().any(char::is_alphanumeric);
    if chain || nothing || head.is_empty() {
        return s.to_string();
    }
    // A bracket opened in the caption stays open around the credit.
    let open = head.chars().filter(|c| *c == '(').count();
    let close = head.chars().filter(|c| *c == ')').count();
    let lead = if open > close { "(" } else { "" };
    format!("{lead}{tail}")
}
