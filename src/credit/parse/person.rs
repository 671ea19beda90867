//! An element tidied before it is read as a name: a service rank before a photographer's
//! name (`Sgt Rupert Frere`), a Korean reporter word after it and the dateline place before
//! it (`항저우 오장환 기자`), an e-mail address after it (`NAME 기자 name@paper.co.kr`), a
//! dateline glued to an agency by a hyphen (`DÜZCE-Anadolu Agency`), and a contributor's
//! handle with an organisation word glued on (`DGDImages`), which is a person's account.

use super::*;

/// Ranks printed before a service photographer's name (armed forces' own pictures:
/// `Sgt Rupert Frere`, `Staff Sgt. Name`, `Petty Officer 2nd Class Name`), lower-cased,
/// longest first so `staff sgt` wins over `sgt`.
const RANKS: &[&str] = &[
    "petty officer 1st class",
    "petty officer 2nd class",
    "petty officer 3rd class",
    "mass communication specialist",
    "master sergeant",
    "staff sergeant",
    "senior airman",
    "lance corporal",
    "lance cpl",
    "staff sgt",
    "master sgt",
    "tech. sgt",
    "tech sgt",
    "petty officer",
    "sergeant",
    "corporal",
    "lieutenant",
    "captain",
    "airman",
    "private",
    "ssgt",
    "sgt",
    "cpl",
    "pte",
    "pvt",
    "pfc",
    "spc",
    "capt",
    "lt",
    "maj",
    "col",
    "cpo",
    "po",
];

/// Korean words for a newspaper's reporter after the name (`NAME 기자`): reporter, senior,
/// photo, staff, visiting and trainee reporter, correspondent, and the "(by) reporter"
/// compounds.
const KOREAN_REPORTER: &[&str] = &[
    "기자",
    "선임기자",
    "사진기자",
    "전문기자",
    "객원기자",
    "수습기자",
    "인턴기자",
    "대기자",
    "특파원",
    "통신원",
];

/// The element without what is not the name, or `None` when there is nothing to take away.
pub(super) fn tidy(t: &str) -> Option<String> {
    without_email(t)
        .or_else(|| korean_reporter(t))
        .or_else(|| without_rank(t).map(str::to_string))
        .or_else(|| dateline_before_agency(t).map(str::to_string))
}

/// `NAME 선임기자 name@paper.co.kr`: an e-mail address beside a name goes.
fn without_email(t: &str) -> Option<String> {
    let email = |w: &str| {
        w.split_once('@')
            .is_some_and(|(user, host)| !user.is_empty() && host.contains('.'))
    };
    let words: Vec<&str> = t.split_whitespace().collect();
    if words.len() < 2 || !words.iter().any(|w| email(w)) {
        return None;
    }
    let kept: Vec<&str> = words.into_iter().filter(|w| !email(w)).collect();
    Some(kept.join(" "))
}

/// `2023.9.21 항저우 오장환 기자` (date, place, NAME, reporter): the name is the Hangul
/// word before the reporter word; the words before it are the dateline.
fn korean_reporter(t: &str) -> Option<String> {
    let words: Vec<&str> = t.split_whitespace().collect();
    let (last, head) = words.split_last()?;
    if !KOREAN_REPORTER.contains(last) {
        return None;
    }
    let name = head.last()?;
    let hangul = name.chars().all(|c| ('\u{ac00}'..='\u{d7af}').contains(&c));
    hangul.then(|| name.to_string())
}

/// `Sgt Rupert Frere`: the name after a rank, when a given name and surname follow.
fn without_rank(t: &str) -> Option<&str> {
    let lower = t.to_lowercase();
    RANKS.iter().find_map(|rank| {
        let rest = lower.strip_prefix(rank)?;
        let rest = rest.strip_prefix('.').unwrap_or(rest);
        if !rest.starts_with(' ') {
            return None;
        }
        let name = t.get(t.len() - rest.len()..)?.trim();
        let words: Vec<&str> = name.split_whitespace().collect();
        let capitalised = words
            .iter()
            .all(|w| w.chars().next().is_some_and(char::is_uppercase));
        (words.len() >= 2 && capitalised).then_some(name)
    })
}

/// `DÜZCE-Anadolu Agency`: a dateline in capitals glued by a hyphen to a known agency.
fn dateline_before_agency(t: &str) -> Option<&str> {
    let (place, rest) = t.split_once('-')?;
    let place = place.trim();
    let rest = rest.trim();
    let capitals = place.chars().count() >= 3
        && place.chars().all(|c| c.is_uppercase() || c == ' ')
        && agency::lookup(place).is_none();
    (capitals && agency::lookup(rest).is_some()).then_some(rest)
}

/// `DGDImages`, `JaneDoePhoto`: one word, not a known name, with an organisation word glued
/// to its end in camel case. A stock library's contributors sign with such handles; an
/// organisation writes its word apart (`Solent News`) or all in capitals (`NEWSPIX`).
pub(super) fn is_handle(t: &str) -> bool {
    if t.contains(char::is_whitespace) || agency::lookup(t).is_some() {
        return false;
    }
    let chars: Vec<char> = t.chars().collect();
    // The last capital that follows a lower-case letter or another capital starts the
    // glued word (`DGD|Images`, `Jane|Photo`).
    let Some(start) = (1..chars.len())
        .rev()
        .find(|&i| chars[i].is_uppercase() && chars.get(i + 1).is_some_and(|c| c.is_lowercase()))
    else {
        return false;
    };
    let tail: String = chars[start..].iter().collect();
    let head: String = chars[..start].iter().collect();
    head.chars().count() >= 2
        && head.chars().all(char::is_alphanumeric)
        && agency::has_org_word(&tail)
        && !agency::has_org_word(&head)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_reporters_and_addresses_go() {
        assert_eq!(tidy("Sgt Jane Roe").as_deref(), Some("Jane Roe"));
        assert_eq!(tidy("Staff Sgt. Jane Roe").as_deref(), Some("Jane Roe"));
        // A rank alone, or a surname that starts like one, stays.
        assert_eq!(tidy("Sgt Roe"), None);
        assert_eq!(tidy("Colin Roe"), None);
        assert_eq!(tidy("2024.1.2 부산 김가나 기자").as_deref(), Some("김가나"));
        assert_eq!(
            tidy("김가나 선임기자 kim@paper.co.kr").as_deref(),
            Some("김가나 선임기자")
        );
        assert_eq!(
            tidy("ANKARA-Anadolu Agency").as_deref(),
            Some("Anadolu Agency")
        );
        assert_eq!(tidy("Jean-Luc Roe"), None);
    }

    #[test]
    fn handles_are_people() {
        assert!(is_handle("ABCImages"));
        assert!(is_handle("JaneRoePhoto"));
        assert!(!is_handle("NurPhoto"));
        assert!(!is_handle("Harbour Images"));
        assert!(!is_handle("NEWSPIX"));
        assert!(!is_handle("McDonald"));
    }
}
