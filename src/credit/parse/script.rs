//! Credits in scripts written without spaces between words (Japanese, Chinese, Korean,
//! Thai): agencies glued to each other or to a name (`AP연합뉴스`, `新华社记者殷博古摄`),
//! the `origin=distributor` form (`[REUTERS=연합뉴스/Name]`, `(ゲッティ=共同)`), the "shot by"
//! words after a name (`=NAME撮影`, `NAME 摄`, `(NAME 攝)`), the reporter and release words
//! after an agency (`记者`, `發`, `配信`), the courtesy word after an issuer (`제공`, `提供`),
//! and the Korean dateline before the agencies (`비아리츠/AFP연합뉴스`).

use super::*;

/// Whether `c` belongs to a script written without spaces between words.
fn unspaced(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30ff}'   // Hiragana, Katakana
        | '\u{3400}'..='\u{4dbf}' // CJK extension A
        | '\u{4e00}'..='\u{9fff}' // CJK ideographs
        | '\u{f900}'..='\u{faff}'
        | '\u{ac00}'..='\u{d7af}' // Hangul syllables
        | '\u{1100}'..='\u{11ff}'
        | '\u{0e00}'..='\u{0e7f}' // Thai
    )
}

/// Whether `s` has a character of a script written without spaces.
pub(super) fn has_unspaced(s: &str) -> bool {
    s.chars().any(unspaced)
}

/// "Shot (by)" after a photographer's name: Japanese `撮影`, Chinese `摄`/`攝`/`摄影`.
const SHOT_WORDS: &[&str] = &["撮影", "摄影", "攝影", "摄", "攝"];

/// Whether `s` ends in a "shot (by)" word (`NAME 攝`, `NAME撮影`).
pub(super) fn is_shot_credit(s: &str) -> bool {
    SHOT_WORDS.iter().any(|w| s.trim().ends_with(w))
}

/// Words after an agency's name saying who or how, not naming anyone: Chinese "reporter"
/// (`记者`), "released" (`发`/`發`), Japanese "distributed" (`配信`), "special
/// correspondent" (`特派員`), Korean "reporter" (`기자`), "correspondent" (`특파원`).
const ROLE_WORDS: &[&str] = &[
    "摄影记者",
    "攝影記者",
    "记者",
    "記者",
    "发",
    "發",
    "配信",
    "特派員",
    "特派员",
    "기자",
    "특파원",
];

/// The role words that say the agency released or distributed a picture it did not take.
const RELEASE_WORDS: &[&str] = &["发", "發", "配信"];

/// "Provided (by)" after the issuer: Korean `제공`, Chinese and Japanese `提供`.
const COURTESY_WORDS: &[&str] = &["제공", "提供"];

/// Name endings of newspapers and broadcasters in Chinese, Japanese and Korean.
const ORG_ENDINGS: &[&str] = &[
    "新聞",
    "新闻",
    "日報",
    "日报",
    "报",
    "報",
    "通信",
    "放送",
    "电视台",
    "電視台",
    "신문",
    "일보",
    "방송",
    "뉴스",
];

/// The Korean agencies that print an origin agency before their own name.
const KOREAN_DISTRIBUTORS: &[&str] = &["Yonhap", "Newsis", "News1"];

/// `origin=distributor`, Korean and Japanese: the part before `=` is an agency (kept as
/// its own element) or a dateline or label (`도쿄=`, `사진=`, `写真@=`), which goes.
pub(super) fn split_equals(part: &str) -> Vec<String> {
    let Some((head, tail)) = part.split_once('=') else {
        return vec![part.to_string()];
    };
    let head = head.trim();
    let tail = tail.trim();
    let agency_head =
        agency::lookup(head).is_some() || segments(head).iter().all(|s| s.1.is_some());
    if agency_head && !head.is_empty() {
        vec![head.to_string(), tail.to_string()]
    } else {
        vec![tail.to_string()]
    }
}

/// Pieces of an unspaced element: known agencies (with their alias) and the text between.
fn segments(t: &str) -> Vec<(String, Option<&'static Alias>)> {
    let chars: Vec<(usize, char)> = t.char_indices().collect();
    let mut out: Vec<(String, Option<&'static Alias>)> = Vec::new();
    let mut text = String::new();
    let mut i = 0;
    let latin = |c: char| c.is_alphanumeric() && !unspaced(c);
    while i < chars.len() {
        let start = chars[i].0;
        // The longest alias starting here; a Latin one must not sit inside a Latin word.
        let found = (i + 1..=chars.len().min(i + 16)).rev().find_map(|j| {
            let end = chars.get(j).map_or(t.len(), |c| c.0);
            let sub = t.get(start..end)?;
            let alias = agency::lookup(sub)?;
            let before = i.checked_sub(1).and_then(|k| chars.get(k)).map(|c| c.1);
            let after = chars.get(j).map(|c| c.1);
            let first = chars[i].1;
            let last = chars.get(j - 1).map_or(first, |c| c.1);
            let glued = latin(first) && before.is_some_and(latin)
                || latin(last) && after.is_some_and(latin);
            (!glued).then_some((j, alias))
        });
        match found {
            Some((j, alias)) => {
                if !text.trim().is_empty() {
                    out.push((text.trim().to_string(), None));
                }
                text.clear();
                let end = chars.get(j).map_or(t.len(), |c| c.0);
                out.push((t.get(start..end).unwrap_or("").to_string(), Some(alias)));
                i = j;
            }
            None => {
                text.push(chars[i].1);
                i += 1;
            }
        }
    }
    if !text.trim().is_empty() {
        out.push((text.trim().to_string(), None));
    }
    out
}

/// Read an element in an unspaced script, or `None` to leave it to the general rules.
pub(super) fn classify_unspaced(t: &str, after_via: bool, seen: &mut Seen) -> Option<Vec<Elem>> {
    if !has_unspaced(t) {
        return None;
    }
    let elem = |text: &str, class: Class| Elem::new(text, class, after_via);
    let mut t = t.trim().trim_start_matches('=').trim();
    // `撮影者は` ("the photographers are") opens a list of names.
    let mut shot = false;
    for lead in ["撮影者は", "撮影者", "撮影:"] {
        if let Some(rest) = t.strip_prefix(lead) {
            t = rest.trim();
            shot = true;
        }
    }
    for w in SHOT_WORDS {
        if let Some(head) = t.strip_suffix(w) {
            t = head.trim();
            shot = true;
            break;
        }
    }
    let mut courtesy = false;
    for w in COURTESY_WORDS {
        if let Some(head) = t.strip_suffix(w) {
            t = head.trim();
            courtesy = true;
            break;
        }
    }
    let pieces = segments(t);
    let mut out = Vec::new();
    for (text, alias) in &pieces {
        if let Some(alias) = alias {
            seen.kinds.extend(alias.kind);
            out.push(elem(
                text,
                Class::Org {
                    alias: Some(alias),
                    canonical: alias.canonical.to_string(),
                    fuzzy: false,
                },
            ));
            continue;
        }
        let mut rest = text.trim().to_string();
        for w in ROLE_WORDS {
            let before = rest.len();
            if let Some(r) = rest.strip_prefix(w) {
                rest = r.trim().to_string();
            }
            if let Some(r) = rest.strip_suffix(w) {
                rest = r.trim().to_string();
            }
            if rest.len() != before && RELEASE_WORDS.contains(w) {
                seen.released = true;
            }
        }
        // A year (`2019年`) is the photo's, not a name.
        rest = rest
            .split_whitespace()
            .filter(|w| !w.strip_suffix('年').is_some_and(is_year))
            .collect::<Vec<_>>()
            .join(" ");
        // A photo word glued before an agency is its label, with any date before it
        // (Thai `วันที่ 5 พ.ค ภาพรอยเตอร์`).
        let label_before_agency = alias.is_none()
            && PHOTO_WORDS.iter().any(|w| rest.ends_with(w))
            && pieces.iter().any(|p| p.1.is_some());
        if rest.is_empty() || label_before_agency || is_photo_word(&rest) {
            continue;
        }
        let org_name = courtesy || ORG_ENDINGS.iter().any(|e| rest.ends_with(e));
        let class = if org_name {
            org(rest.clone())
        } else {
            Class::Person
        };
        out.push(elem(&rest, class));
    }
    let any_agency = pieces.iter().any(|p| p.1.is_some());
    if !(any_agency || shot || courtesy) && out.iter().all(|e| matches!(e.class, Class::Person)) {
        // Nothing here for these rules: an unspaced newspaper's name still is one.
        return out
            .iter()
            .any(|e| matches!(e.class, Class::Org { .. }))
            .then_some(out);
    }
    if courtesy {
        seen.kinds.push(Kind::Handout);
    }
    Some(out)
}

/// Korean agencies print a dateline before the agencies (`비아리츠/AFP연합뉴스`,
/// `[도쿄=AP/뉴시스]`) and the photographer after them: a Hangul-only name before the first
/// agency of a Korean distributor's chain is a place.
pub(super) fn drop_korean_dateline(elems: &mut Vec<Elem>) {
    let korean = elems.iter().any(|e| {
        matches!(&e.class, Class::Org { alias: Some(a), .. } if KOREAN_DISTRIBUTORS.contains(&a.canonical))
    });
    let Some(first_org) = elems
        .iter()
        .position(|e| matches!(e.class, Class::Org { .. }))
    else {
        return;
    };
    if !korean {
        return;
    }
    let hangul = |s: &str| {
        s.chars()
            .all(|c| ('\u{ac00}'..='\u{d7af}').contains(&c) || c.is_whitespace())
    };
    let mut i = 0;
    elems.retain(|e| {
        let keep = !(i < first_org && matches!(e.class, Class::Person) && hangul(&e.text));
        i += 1;
        keep
    });
}
