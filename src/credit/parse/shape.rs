//! Shapes of credits seen in the seventh round of real lines: an organisation glued to the
//! kind of picture it gave (`OUTLET FILE PHOTOS`, `Divulgação Issuer`), a publisher's
//! initials glued to the photographer's name in scraped text (`Name SurnameACME`), a date
//! or a sentence before the credit, a label printed after a caption with a spaced colon
//! (`CAPTION. PHOTO : Name`), and a role where a name would be (`courtesy of the artist`).

use super::*;

/// Words naming a role or a relation, not a person: what is printed where a name would be
/// (`Image courtesy of artist`, `courtesy of the family`).
const ROLE_NOUNS: &[&str] = &[
    "artist",
    "the artist",
    "family",
    "the family",
    "author",
    "the author",
    "owner",
    "the owner",
    "photographer",
    "the photographer",
    "künstler",
    "artista",
    "l'artiste",
    "familia",
    "família",
];

/// Read an element of one of this file's shapes, or `None` to read it the usual way.
pub(super) fn shaped(
    t: &str,
    after_via: bool,
    may_be_cut: bool,
    seen: &mut Seen,
) -> Option<Vec<Elem>> {
    let elem = |text: &str, class: Class| Elem::new(text, class, after_via);
    if ROLE_NOUNS.contains(&t.to_lowercase().as_str()) || is_date(t) {
        return Some(Vec::new());
    }
    // `OUTLET FILE PHOTOS`: one word glued to the file marker is the outlet whose archive
    // the picture is from; a person is credited `Name/File`. Offsets found in an ASCII
    // lower-cased copy index `t` too (full lower-casing changes `İ`'s length).
    let lower = t.to_ascii_lowercase();
    for tail in [
        " file photos",
        " file photo",
        " file pictures",
        " file picture",
        " file pics",
    ] {
        if let Some(head) = lower.strip_suffix(tail).and_then(|h| t.get(..h.len()))
            && !head.trim().contains(' ')
            && head.trim().chars().count() >= 2
        {
            seen.kinds.push(Kind::Archive);
            let head = head.trim();
            let mut out = classify(head, after_via, may_be_cut, seen);
            for e in &mut out {
                if matches!(e.class, Class::Person) {
                    e.class = org(org_case(&e.text));
                }
            }
            return Some(out);
        }
    }
    // `Divulgação Issuer`: Brazilian papers' word for a picture given out for publicity,
    // glued to the body that gave it: that body is an organisation, never a photographer.
    if let Some((first, rest)) = t.split_once(' ')
        && matches!(first.to_lowercase().as_str(), "divulgação" | "divulgacao")
        && rest.chars().next().is_some_and(char::is_uppercase)
    {
        seen.kinds.push(Kind::Handout);
        let rest = rest.trim();
        return Some(match org_alias(rest) {
            Some(_) => classify(rest, after_via, may_be_cut, seen),
            None => vec![elem(rest, org(org_case(rest)))],
        });
    }
    // `the Minnesota Zoo` in running text: the article is the sentence's, the name the body's.
    if let Some(rest) = t.strip_prefix("the ")
        && rest.chars().next().is_some_and(char::is_uppercase)
        && is_org(rest)
    {
        return Some(classify(rest, after_via, may_be_cut, seen));
    }
    if let Some((person, initials)) = glued_initials(t) {
        return Some(vec![
            elem(person, Class::Person),
            elem(initials, org(initials.to_string())),
        ]);
    }
    None
}

/// `Martin NovakACME`: a publisher's initials glued to the name before them when a page's
/// text was scraped without the line break. The capitals (three to six) follow a word of
/// two lower-case letters or more, so `McDONALD` and `DeMARCO` stay names.
fn glued_initials(t: &str) -> Option<(&str, &str)> {
    if !t.contains(' ') {
        return None;
    }
    let last = t.rsplit(' ').next()?;
    let caps = last.chars().rev().take_while(|c| c.is_uppercase()).count();
    let chars: Vec<char> = last.chars().collect();
    let head = chars.get(..chars.len().checked_sub(caps)?)?;
    let lower_run = head.iter().rev().take_while(|c| c.is_lowercase()).count();
    if !(3..=6).contains(&caps) || lower_run < 2 || !head.first()?.is_uppercase() {
        return None;
    }
    let split = t.len()
        - last
            .chars()
            .rev()
            .take(caps)
            .map(char::len_utf8)
            .sum::<usize>();
    Some((t.get(..split)?, t.get(split..)?))
}

/// A date alone (`2021年12月19日`, `2021.1.3`, `2021-01-03`), which a page prints before
/// the credit: never a name.
pub(super) fn is_date(t: &str) -> bool {
    leading_date_len(t).is_some_and(|n| t.get(n..).is_some_and(|r| r.trim().is_empty()))
}

/// The length of a date opening `t`: digits of a year, then month and day, joined by
/// `年 月 日` or by dots, hyphens or slashes, with a time after CJK dates (`午後0時41分`).
fn leading_date_len(t: &str) -> Option<usize> {
    let digits = |s: &str| s.chars().take_while(char::is_ascii_digit).count();
    let year = digits(t);
    if year != 4 {
        return None;
    }
    let mut at = year;
    let rest = t.get(at..)?;
    let cjk = rest.starts_with('年');
    let sep = rest.chars().next()?;
    if !(cjk || ".-/".contains(sep)) {
        return None;
    }
    at += sep.len_utf8();
    let month = digits(t.get(at..)?);
    if !(1..=2).contains(&month) {
        return None;
    }
    at += month;
    let next = t.get(at..)?.chars().next()?;
    let wanted = if cjk { '月' } else { sep };
    if next != wanted {
        return None;
    }
    at += next.len_utf8();
    let day = digits(t.get(at..)?);
    if !(1..=2).contains(&day) {
        return None;
    }
    at += day;
    if cjk {
        at += t
            .get(at..)?
            .strip_prefix('日')
            .map_or(0, |_| '日'.len_utf8());
        // A time after the date: `午前`/`午後` and hours and minutes.
        let rest = t.get(at..)?;
        if let Some(r) = rest
            .strip_prefix("午前")
            .or_else(|| rest.strip_prefix("午後"))
        {
            let h = digits(r);
            let r2 = r.get(h..)?;
            if h > 0 && r2.starts_with('時') {
                let m = digits(r2.get('時'.len_utf8()..)?);
                let mut len = "午後".len() + h + '時'.len_utf8() + m;
                if r2.get('時'.len_utf8() + m..)?.starts_with('分') {
                    len += '分'.len_utf8();
                }
                at += len;
            }
        }
    } else if t.get(at..)?.starts_with('.') {
        at += 1;
    }
    Some(at)
}

/// A date opening the line, glued to the credit or set off by a comma (`2021.1.3Agency`,
/// `2021年12月19日、Name撮影`): the credit is what follows.
pub(super) fn leading_date(s: &str) -> Option<String> {
    let n = leading_date_len(s)?;
    let rest = s.get(n..)?.trim_start_matches(['、', ',', ' ', '=']);
    (!rest.is_empty() && rest.chars().next().is_some_and(char::is_alphanumeric))
        .then(|| rest.to_string())
}

/// A sentence that says who took the picture before the credit (`The photograph above is
/// by Name/Agency`, `This picture was taken by Name`): the credit is what the verb opens.
pub(super) fn prose_before_by(s: &str) -> Option<String> {
    const VERBS: &[&str] = &[
        " is by ",
        " are by ",
        " was taken by ",
        " were taken by ",
        " was shot by ",
        " was made by ",
    ];
    let (head, tail) = split_at_first_ci(s, VERBS)?;
    let tail = tail.trim();
    let sentence = head.split_whitespace().count() >= 2
        && head.chars().next().is_some_and(char::is_uppercase)
        && !head.contains(['/', ':', '(']);
    (sentence && !tail.is_empty()).then(|| tail.to_string())
}

/// A caption, a full stop and a photo label with the colon set off by spaces, as French
/// typography prints it (`LA UNE : Caption. PHOTO : Name`): the caption goes, and the
/// label is read with its colon closed up.
pub(super) fn label_after_caption(s: &str) -> Option<String> {
    let (at, _) = s.match_indices(". ").find(|(i, _)| {
        s.get(i + 2..).is_some_and(|r| {
            r.split_once(" : ")
                .is_some_and(|(w, _)| !w.contains(' ') && is_photo_word(w))
        })
    })?;
    let head = s.get(..at)?;
    // `Photo by Name. Picture: Supplied` credits in both halves: left to `mid_line_label`.
    let first = head.split_whitespace().next()?;
    if is_photo_word(first.trim_end_matches(':')) || head.contains('/') {
        return None;
    }
    let tail = s.get(at + 2..)?;
    Some(tail.replacen(" : ", ": ", 1))
}

/// A closing clause granting use, with no comma before it (`Photographs by the Zoo and used
/// with permission`, `Name, used with permission`): the permission is not a name.
pub(super) fn permission_clause(s: &str) -> Option<String> {
    const CLAUSES: &[&str] = &[
        " and used with permission",
        " and reused with permission",
        " and reproduced with permission",
        " used with permission",
        " reproduced with permission",
        " used by permission",
    ];
    let lower = s.to_ascii_lowercase();
    let lower = lower.trim_end_matches(['.', ' ']);
    CLAUSES.iter().find_map(|c| {
        let head = lower.strip_suffix(c)?;
        let head = s.get(..head.len())?.trim_end_matches([',', ' ']);
        (!head.is_empty()).then(|| head.to_string())
    })
}

/// Words of a caption saying the picture is an archive one (`En la imagen de archivo, …`,
/// `File picture of …`).
const ARCHIVE_CAPTION_WORDS: &[&str] = &[
    "imagen de archivo",
    "foto de archivo",
    "fotografía de archivo",
    "foto de arquivo",
    "imagem de arquivo",
    "file photo",
    "file picture",
    "file image",
    "archive photo",
    "archive picture",
    "archivbild",
    "archivfoto",
    "arkivbild",
    "arkivfoto",
    "photo d'archives",
    "foto d'archivio",
];

/// A caption of a sentence or more before an agency's credit (`Caption (Place). AGENCY/Name`,
/// as EFE and Spanish-language papers print it): the credit is what follows the last full
/// stop; a caption that calls the picture an archive one makes it a file picture.
pub(super) fn caption_before_agency(s: &str) -> Option<String> {
    let (at, _) = s.rmatch_indices(". ").next()?;
    let head = s.get(..at)?;
    let tail = s.get(at + 2..)?.trim();
    let first = tail.split('/').next()?.trim();
    let caption = head.split_whitespace().count() >= 4 && !head.contains('/');
    if !caption || agency::lookup(first).is_none() || !tail.contains('/') {
        return None;
    }
    let lower = head.to_lowercase();
    let archive = ARCHIVE_CAPTION_WORDS.iter().any(|w| lower.contains(w));
    Some(if archive {
        format!("{tail}/File")
    } else {
        tail.to_string()
    })
}
