//! Phrases inside one element that say who made the picture and who sent it: a title or a
//! label before ` by Name`, an agency commissioned ` for ` a client, a name with a trailing
//! `PHOTO` or `Pool`, a handle ` on ` a platform, two names joined by "and", and an
//! organisation's name opened by an acronym. Nothing here sees the whole line.

use super::*;

/// Read `t` when it is one of the phrases above; `None` leaves it to the other rules.
/// `lower` is `t` in ASCII lower case.
pub(super) fn phrase(
    t: &str,
    lower: &str,
    after_via: bool,
    may_be_cut: bool,
    seen: &mut Seen,
) -> Option<Vec<Elem>> {
    let elem = |text: &str, class: Class| Elem::new(text, class, after_via);
    if let Some(name) = name_before(t, &["photo", "photos"]) {
        return Some(vec![elem(name, Class::Person)]);
    }
    if let Some(name) = name_before(t, &["pool"]) {
        seen.kinds.push(Kind::Pool);
        return Some(vec![elem(name, Class::Person)]);
    }
    // `@account on X`: whoever runs the account posted it on the platform.
    if let Some(i) = lower.find(" on ")
        && t.starts_with('@')
        && !t.get(..i)?.contains(' ')
    {
        let mut out = vec![elem(t.get(..i)?, Class::Person)];
        out.extend(classify(t.get(i + 4..)?, after_via, may_be_cut, seen));
        return Some(out);
    }
    // `AFP PHOTO POOL NAME`, `AFP PHOTO NAME`: the agency's label, then the rest, unslashed.
    if let Some(p) = lower.find(" photo ")
        && let (Some(label), Some(rest)) =
            (t.get(..p + " photo".len()), t.get(p + " photo ".len()..))
        && org_alias(label).is_some()
        && rest.split_whitespace().count() >= 2
        && rest.chars().next().is_some_and(char::is_uppercase)
    {
        let mut out = classify(label, after_via, false, seen);
        out.extend(classify(rest, after_via, may_be_cut, seen));
        return Some(out);
    }
    if let Some(out) = titled_by(t, lower, after_via, seen) {
        return Some(out);
    }
    commissioned_agency(t, lower, after_via, seen)
}

/// `ZOË DUCKLOW PHOTO`, `Kim Min-Hee Pool`: a photographer's name of two or three words
/// with a trailing word the paper or agency adds. Not an agency's own label (`AP Photo`,
/// `AP Pool`), a named pool (`Kremlin Pool`, `White House Pool`) or an organisation.
fn name_before<'a>(t: &'a str, words: &[&str]) -> Option<&'a str> {
    let (head, last) = t.trim().rsplit_once(' ')?;
    let head = head.trim();
    if !words.contains(&last.to_lowercase().as_str()) {
        return None;
    }
    person_like(head).then_some(head)
}

/// Two to four words that each begin with a capital (or a letter of a script without case),
/// with no digit, no organisation word and no known name: a person's name.
fn person_like(s: &str) -> bool {
    let words: Vec<&str> = s.split_whitespace().collect();
    (2..=4).contains(&words.len())
        && words.iter().all(|w| {
            w.chars()
                .next()
                .is_some_and(|c| c.is_uppercase() || c.is_alphabetic() && !c.is_lowercase())
                && !w.chars().any(|c| c.is_ascii_digit())
        })
        && !is_org(s)
        && org_alias(s).is_none()
        && words.iter().all(|w| agency::lookup(w).is_none())
}

/// `Swedish dads by Name`, `Photo and comments by Name`, `Official White House Photo by
/// Name`, `Photo for The Washington Post by Name`: what comes before ` by ` is a work's
/// title, a label, the issuer's label or the commissioning outlet; after it, the maker.
fn titled_by(t: &str, lower: &str, after_via: bool, seen: &mut Seen) -> Option<Vec<Elem>> {
    let i = lower.rfind(" by ")?;
    let (left, right) = (t.get(..i)?.trim(), t.get(i + 4..)?.trim());
    // An agency's own label (`AFP photo of Kuwait by Name`) is read by `classify`.
    let own_label = lower
        .find(" photo ")
        .filter(|&p| p < i)
        .and_then(|p| t.get(..p + " photo".len()))
        .unwrap_or(left);
    if !person_like(right) || org_alias(own_label).is_some() {
        return None;
    }
    let person = Elem::new(right, Class::Person, after_via);
    // `Photo for OUTLET by Name`: the outlet's own commission.
    if let Some(j) = left.to_ascii_lowercase().find("for ")
        && left
            .get(..j)
            .is_some_and(|h| h.trim().is_empty() || h.trim().split(' ').all(is_photo_word))
    {
        let mut out = classify(left.get(j + 4..)?, after_via, false, seen);
        out.retain(|e| matches!(e.class, Class::Org { .. }));
        out.push(person);
        return Some(out);
    }
    // The issuer's label: `Official White House Photo`.
    let mut label = left;
    for photo in [" photo", " photograph", " picture", " pic"] {
        if let Some(h) = strip_suffix_ci(label, photo) {
            label = h.trim();
        }
    }
    if let Some(rest) = strip_prefix_ci(label, "official ") {
        label = rest.trim();
    }
    let mut out = Vec::new();
    if org_alias(label).is_some() || is_org(label) {
        out = classify(label, after_via, false, seen);
    }
    out.push(person);
    Some(out)
}

/// `s` without the suffix `p`, whatever its case.
fn strip_suffix_ci<'a>(s: &'a str, p: &str) -> Option<&'a str> {
    let at = s.len().checked_sub(p.len())?;
    let tail = s.get(at..)?;
    tail.eq_ignore_ascii_case(p).then(|| s.get(..at)).flatten()
}

/// `Paragon for Aftenposten`, `Magnum for The New Yorker`: one capitalised word (a person is
/// credited by given and family name) commissioned for an outlet is the photographer's
/// agency, and commissioned work is a handout; the client is not part of the credit.
fn commissioned_agency(
    t: &str,
    lower: &str,
    after_via: bool,
    seen: &mut Seen,
) -> Option<Vec<Elem>> {
    let i = lower.find(" for ")?;
    let left = t.get(..i)?.trim();
    let right = t.get(i + 5..)?.trim();
    let one_word = !left.contains(' ')
        && left.chars().next().is_some_and(char::is_uppercase)
        && left.chars().any(char::is_lowercase)
        && !left.starts_with('@');
    if !one_word || agency::lookup(left).is_some() {
        return None;
    }
    let mut own = Seen::default();
    let client = classify(right, after_via, false, &mut own);
    if !client.iter().any(|e| matches!(e.class, Class::Org { .. })) {
        return None;
    }
    seen.kinds.push(Kind::Handout);
    Some(vec![Elem::new(left, org(left.to_string()), after_via)])
}

/// `OKC Thunder`, `SFR Sport`: an acronym of three letters or more, then one word in name
/// case. A person's name never opens with one (initials are one or two letters: `CJ Name`).
pub(super) fn acronym_led(t: &str) -> bool {
    let mut words = t.split_whitespace();
    let (Some(first), Some(second), None) = (words.next(), words.next(), words.next()) else {
        return false;
    };
    (3..=5).contains(&first.chars().count())
        && first.chars().all(|c| c.is_ascii_uppercase())
        && second.chars().next().is_some_and(char::is_uppercase)
        && second.chars().skip(1).any(char::is_lowercase)
}

/// "And" between two photographers' names, in the languages credits are printed in. The
/// one- and two-letter words (`e`, `y`, `i`, `og`) join only names of two words or more.
pub(super) fn split_conjunction(t: &str) -> Option<(&str, &str)> {
    AND_WORDS.iter().find_map(|w| {
        // As printed, in lower case (`Dan` in a name is no Indonesian "and"), but the
        // English, German and Nordic words also in capitals (`NAME AND NAME`).
        let word = format!(" {w} ");
        let i = t.find(&word).or_else(|| {
            ["and", "und", "och", "og"]
                .contains(w)
                .then(|| t.to_ascii_lowercase().find(&word))
                .flatten()
        })?;
        let (l, r) = (t.get(..i)?.trim(), t.get(i + w.len() + 2..)?.trim());
        let long = |s: &str| s.split_whitespace().count() >= 2;
        // A capital, or a letter of a script without case (Gujarati, Arabic, Hangul).
        let named = |s: &str| {
            s.chars()
                .next()
                .is_some_and(|c| c.is_uppercase() || c.is_alphabetic() && !c.is_lowercase())
        };
        (named(l) && named(r) && (w.chars().count() > 2 || long(l) && long(r))).then_some((l, r))
    })
}
