//! Creative Commons attribution read as title, author, source and licence (TASL): the
//! licence named as a sentence (`is licensed under CC BY 2.0`) or as an element
//! (`, CC BY-SA 4.0,`, `(CC BY 2.0)`), the title quoted or before `by`, and links, which name
//! the source when they point at a platform (`https://www.flickr.com/photos/…` is Flickr).
//! What is left is the chain, read like any other credit.

use super::*;

/// What an attribution says besides the chain.
#[derive(Debug, Default)]
pub(super) struct Attribution {
    pub title: Option<String>,
    pub licence: Option<String>,
    /// The platform a link points at, credited when the chain names no agency.
    pub platform: Option<&'static Alias>,
}

/// Take the title, licence and links out of `s`; gives the chain left and what was taken.
pub(super) fn attribution(s: &str) -> (String, Attribution) {
    let mut found = Attribution::default();
    // `Creative Commons - Attribution 2.0 Generic`: a dash inside the licence's name.
    let s = unmark_links(s).replace("Creative Commons - ", "Creative Commons ");
    let mut t = drop_links(&s, &mut found);
    if let Some((start, end)) = licence_span(&t) {
        found.licence = t
            .get(start..end)
            .map(|l| l.trim().trim_end_matches(['.', ',']).to_string());
        let head = t.get(..start).unwrap_or("");
        let head = strip_licence_verb(head);
        let tail = t.get(end..).unwrap_or("");
        // A sentence after the licence (`To view a copy of this license, visit …`) goes too.
        let tail = if tail.trim_start().starts_with(". ") || tail.trim_start() == "." {
            ""
        } else {
            tail
        };
        t = format!("{head} {tail}");
    }
    let t = tidy(&t);
    let t = take_title(&t, found.licence.is_some(), &mut found);
    (t, found)
}

/// Markdown links as plain text: `[text](url)` → `text url` (the link is read, and
/// dropped, by [`drop_links`]), `[text][ref]` → `text`. Other brackets stay.
fn unmark_links(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(open) = rest.find('[') {
        let (head, tail) = rest.split_at(open);
        out.push_str(head);
        let Some(close) = tail.find(']') else {
            out.push_str(tail);
            return out;
        };
        let text = tail.get(1..close).unwrap_or("");
        let after = tail.get(close + 1..).unwrap_or("");
        let target = match after.chars().next() {
            Some('(') => after
                .find(')')
                .map(|e| (after.get(1..e).unwrap_or(""), e + 1)),
            Some('[') => after.find(']').map(|e| ("", e + 1)),
            _ => None,
        };
        match target {
            Some((url, used)) if !text.contains('[') => {
                // A link's own word (`[link](…)`, `[source](…)`) is not part of the credit.
                let bare = ["link", "source", "here", "original", "photo", "image"]
                    .contains(&text.trim().to_lowercase().as_str());
                if !bare {
                    out.push_str(text);
                }
                if !url.is_empty() {
                    out.push(' ');
                    out.push_str(url);
                }
                rest = after.get(used..).unwrap_or("");
            }
            _ => {
                out.push('[');
                rest = tail.get(1..).unwrap_or("");
            }
        }
    }
    out.push_str(rest);
    out
}

/// Drop links, remembering a platform one points at. A link is a word that starts with
/// `http://`, `https://` or `www.` and has a path; `<…>` round it goes too.
fn drop_links(s: &str, found: &mut Attribution) -> String {
    let mut out = Vec::new();
    for word in s.split(' ') {
        let bare = word.trim_matches(|c: char| "<>()[],;".contains(c));
        let scheme = bare.starts_with("http://") || bare.starts_with("https://");
        let www_path = bare.starts_with("www.") && bare.contains('/');
        if scheme || www_path {
            let host = bare
                .split("://")
                .last()
                .unwrap_or("")
                .split(['/', '?', '#'])
                .next()
                .unwrap_or("");
            if found.platform.is_none() {
                found.platform = platform_of(host);
            }
            // Keep the punctuation that joined the link to the chain.
            let lead: String = word.chars().take_while(|c| "([".contains(*c)).collect();
            let trail: String = word
                .chars()
                .rev()
                .take_while(|c| ",;)]".contains(*c))
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            out.push(format!("{lead}{trail}"));
        } else {
            out.push(word.to_string());
        }
    }
    out.join(" ")
}

/// Hosts of the platforms credits link to, and the platform each is.
const PLATFORM_HOSTS: &[(&str, &str)] = &[
    ("flickr.com", "Flickr"),
    ("flic.kr", "Flickr"),
    ("wikimedia.org", "Wikimedia Commons"),
    ("wikipedia.org", "Wikipedia"),
    ("youtube.com", "YouTube"),
    ("youtu.be", "YouTube"),
    ("facebook.com", "Facebook"),
    ("twitter.com", "Twitter"),
    ("x.com", "Twitter"),
    ("instagram.com", "Instagram"),
    ("t.me", "Telegram"),
    ("tiktok.com", "TikTok"),
    ("vk.com", "VK"),
    ("unsplash.com", "Unsplash"),
    ("pexels.com", "Pexels"),
    ("pixabay.com", "Pixabay"),
];

/// The platform a link's host belongs to (`commons.wikimedia.org` → Wikimedia Commons).
fn platform_of(host: &str) -> Option<&'static Alias> {
    let host = host.to_ascii_lowercase();
    PLATFORM_HOSTS
        .iter()
        .find(|(h, _)| host == *h || host.ends_with(&format!(".{h}")))
        .and_then(|(_, name)| agency::lookup(name))
}

/// Where a licence is named in `s` (byte range): `CC BY-SA 4.0`, `CC-BY-2.0`, `CC0 1.0`,
/// `Creative Commons Attribution-ShareAlike 3.0 Unported`, `Public domain`, `GFDL`.
pub(super) fn licence_span(s: &str) -> Option<(usize, usize)> {
    let lower = s.to_ascii_lowercase();
    // After `licensed under` when the line says so, and never inside a quoted title
    // (`"Creative Commons 10th Birthday" by …`).
    let from = ["licensed under", "licenced under"]
        .iter()
        .filter_map(|v| lower.find(v))
        .min()
        .or_else(|| quoted_title_end(s))
        .unwrap_or(0);
    let start = [
        "cc by",
        "cc-by",
        "cc0",
        "creative commons",
        "public domain",
        "gfdl",
    ]
    .iter()
    .filter_map(|k| lower.get(from..).and_then(|rest| find_word(rest, k)))
    .min()?
        + from;
    // Extend over the words a licence name is made of.
    let mut end = start;
    let mut at = start;
    for word in s.get(start..)?.split(' ') {
        let bare = word.trim_end_matches([',', ';', ')', ']', '.']);
        let closes = bare.len() < word.len();
        let lw = bare.to_lowercase();
        let licence_word = at == start
            || lw.split(['-', '/']).all(|p| {
                p.is_empty()
                    || p.chars().all(|c| c.is_ascii_digit() || c == '.')
                    || LICENCE_WORDS.contains(&p)
                    || p.len() == 2 && bare.chars().all(|c| c.is_ascii_uppercase() || c == '-')
            });
        if !licence_word || bare.is_empty() {
            break;
        }
        end = at + bare.len();
        at += word.len() + 1;
        if closes {
            break;
        }
    }
    Some((start, end))
}

/// Where a title quoted at the start of `s` ends (after its closing quote).
fn quoted_title_end(s: &str) -> Option<usize> {
    QUOTES.iter().find_map(|&(open, close)| {
        let inner = s.strip_prefix(open)?;
        inner
            .find(close)
            .map(|end| open.len_utf8() + end + close.len_utf8())
    })
}

/// Quote pairs a title is printed in.
const QUOTES: &[(char, char)] = &[('"', '"'), ('“', '”'), ('„', '“'), ('«', '»')];

/// Words licence names are made of (lower case).
const LICENCE_WORDS: &[&str] = &[
    "cc",
    "by",
    "sa",
    "nc",
    "nd",
    "cc0",
    "creative",
    "commons",
    "attribution",
    "sharealike",
    "share",
    "alike",
    "noncommercial",
    "noderivs",
    "noderivatives",
    "generic",
    "unported",
    "international",
    "license",
    "licence",
    "public",
    "domain",
    "dedication",
    "universal",
    "mark",
    "gfdl",
    "deed",
];

/// `head` without the words that introduce a licence (`is licensed under`, `under a`,
/// German `lizenziert unter`) and the comma before them.
fn strip_licence_verb(head: &str) -> &str {
    let mut h = head.trim_end();
    loop {
        let before = h.len();
        for verb in [
            "licensed under the",
            "licensed under a",
            "licensed under",
            "licenced under",
            // `… is in the public domain`, `… in the Public Domain`.
            "in the",
            "is",
            "lizenziert unter",
            "under",
            "released under",
            "available under",
            "license:",
            "licence:",
            "license",
            "licence",
        ] {
            let lower = h.to_ascii_lowercase();
            if lower.ends_with(verb)
                && (lower.len() == verb.len()
                    || lower.as_bytes().get(lower.len() - verb.len() - 1) == Some(&b' '))
            {
                h = h.get(..h.len() - verb.len()).unwrap_or("").trim_end();
            }
        }
        h = h.trim_end_matches([',', ';', ' ', '-', '–', '.']);
        if h.len() == before {
            return h;
        }
    }
}

/// Spaces collapsed, empty brackets and doubled separators left by what was taken out
/// removed, and separators trimmed from both ends.
fn tidy(s: &str) -> String {
    let mut t = s.split_whitespace().collect::<Vec<_>>().join(" ");
    loop {
        let before = t.len();
        for (from, to) in [
            ("()", ""),
            ("[]", ""),
            ("( )", ""),
            ("<>", ""),
            (" ,", ","),
            (",,", ","),
            (", ,", ","),
            (" ;", ";"),
            ("  ", " "),
            ("/ /", "/"),
            ("//", "/"),
        ] {
            t = t.replace(from, to);
        }
        t = t
            .trim_matches(|c: char| c.is_whitespace() || ",;/-–".contains(c))
            .to_string();
        if t.len() == before {
            return t;
        }
    }
}

/// Take a title off the front: quoted (`"Harbour at dusk" by …`, `“…” (link) by …`), or,
/// in a line that named a licence, the words before `by` (`Harbour at dusk by Jane Doe`).
/// What remains starts with `by`, which the wrapper rules strip.
fn take_title(s: &str, licensed: bool, found: &mut Attribution) -> String {
    for &(open, close) in QUOTES {
        let Some(inner) = s.strip_prefix(open) else {
            continue;
        };
        let Some(end) = inner.find(close) else {
            continue;
        };
        let rest = tidy(inner.get(end + close.len_utf8()..).unwrap_or(""));
        if strip_prefix_ci(&rest, "by ").is_some() || licensed {
            found.title = inner.get(..end).map(|t| t.trim().to_string());
            return rest;
        }
    }
    if licensed && let Some(i) = s.to_ascii_lowercase().rfind(" by ") {
        let title = s.get(..i).unwrap_or("").trim();
        let generic = title.is_empty()
            || marker(title).is_some()
            || title.split_whitespace().all(is_photo_word)
            || title.contains('/');
        if !generic {
            found.title = Some(title.to_string());
            return s.get(i + 1..).unwrap_or("").to_string();
        }
    }
    s.to_string()
}
