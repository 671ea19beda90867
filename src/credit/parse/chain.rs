//! The chain's grammar across its elements: which element names the distributor when the
//! table does not say (misspelt agencies, lone words, bodies between a photographer and an
//! agency, a handout's issuer, agencies printed before the photographer), and what in a
//! chain is not an element (a second credit form of the same photo, a place after a closing
//! dash, a role after a comma).

use super::*;

/// Where the chain names no known agency, its distributor's place (the last element, or
/// the last after ` via `) is tried against the agency table by edit distance, whatever
/// its case (`Jane Doe/Xinhau`): an agency misspelt there is likelier than a second name.
pub(super) fn fuzzy_distributor(elems: &mut [Elem]) {
    let known = |e: &Elem| matches!(e.class, Class::Org { alias: Some(_), .. });
    if elems.iter().any(known) {
        return;
    }
    let Some(last) = elems.last_mut() else {
        return;
    };
    let loose = matches!(last.class, Class::Person | Class::Org { alias: None, .. });
    if let Some(alias) = agency::lookup_fuzzy(&last.text).filter(|_| loose) {
        last.class = Class::Org {
            alias: Some(alias),
            canonical: alias.canonical.to_string(),
            fuzzy: true,
        };
    }
}

/// After a person's name, a single word is an organisation, not a second photographer
/// (`Kobe Li/Nexpher via ZUMA Press Wire`): agencies print the name first; so is any name
/// printed between the photographer and a chain of known agencies (`Name/Project
/// Possible/AFP/Getty Images`), where agencies put the body that lent the picture. Names in scripts written
/// without spaces are single words.
pub(super) fn promote_lone_words(elems: &mut [Elem]) {
    let known = |e: &Elem| matches!(e.class, Class::Org { alias: Some(_), .. });
    let mut person_seen = false;
    for i in 0..elems.len() {
        // Two agencies after it, or one after `via`, make a distribution chain, which a
        // lending body or the photographer's own agency opens (`Name/Icon Sportswire via
        // Getty Images`); before one agency alone two names are two photographers
        // (`Name/Name/Getty Images`).
        let agency_after = elems.get(i + 1..).is_some_and(|r| {
            let n = r.iter().filter(|e| known(e)).count();
            n >= 2 || r.iter().any(|e| known(e) && e.after_via)
        });
        let Some(e) = elems.get_mut(i) else { break };
        if matches!(e.class, Class::Person) {
            let lone = !e.text.contains(' ') && !has_unspaced(&e.text);
            if person_seen && (lone || agency_after && !e.after_via && !e.joined) {
                e.class = org(org_case(&e.text));
            }
            person_seen = true;
        }
    }
}

/// `WORD/Given Family`: of two names with no agency, one word before a name of two words
/// or more is the newspaper or outlet whose photographer it is (`DAILY/JANE M DOE`); a
/// person is credited by given and family name.
pub(super) fn org_word_before_name(elems: &mut [Elem]) {
    let [first, second] = elems else {
        return;
    };
    let person = |e: &Elem| matches!(e.class, Class::Person) && !has_unspaced(&e.text);
    let word = !first.text.contains(' ')
        && first.text.chars().count() >= 3
        && first.text.chars().next().is_some_and(char::is_uppercase);
    if person(first) && person(second) && word && second.text.split_whitespace().count() >= 2 {
        first.class = org(org_case(&first.text));
    }
}

/// `Issuer/Name/Handout via Agency`: of two names before a handout marker with no
/// organisation among them, the first is the issuer and the second the photographer
/// (`Mattel/Name/Handout via Reuters`); one name alone stays the photographer's.
pub(super) fn handout_issuer(elems: &mut [Elem]) {
    let handout = |e: &Elem| {
        matches!(e.class, Class::Marker)
            && matches!(agency::key(&e.text).as_str(), "handout" | "ho")
    };
    let known = |e: &Elem| matches!(e.class, Class::Org { alias: Some(_), .. });
    let Some(h) = elems.iter().position(handout) else {
        return;
    };
    let before = elems.get(..h).unwrap_or_default();
    if !elems.get(h..).is_some_and(|r| r.iter().any(known))
        || before.iter().any(|e| matches!(e.class, Class::Org { .. }))
    {
        return;
    }
    if before
        .iter()
        .filter(|e| matches!(e.class, Class::Person))
        .count()
        < 2
    {
        return;
    }
    if let Some(e) = elems
        .get_mut(..h)
        .and_then(|b| b.iter_mut().find(|e| matches!(e.class, Class::Person)))
    {
        e.class = org(org_case(&e.text));
    }
}

/// A line that credits one word alone, under a label and with no "by" (`Image Credits:
/// Octopus`, `Foto: Fosphotos`), credits a company, an outlet or an agency: a person is
/// credited by given and family name.
pub(super) fn lone_name_is_org(elems: &mut [Elem], line: &str) {
    let [e] = elems else {
        return;
    };
    let lower = format!(" {} ", line.to_lowercase());
    let by = BY_WORDS.iter().any(|w| lower.contains(&format!(" {w} ")));
    // Brands print short names in lower case (`dts`, `ddp`): a name is never so printed.
    let lower_brand =
        (3..=4).contains(&e.text.len()) && e.text.chars().all(|c| c.is_ascii_lowercase());
    let word = !e.text.contains(' ')
        && e.text.chars().count() >= 3
        && (e.text.chars().next().is_some_and(char::is_uppercase) || lower_brand)
        && !has_unspaced(&e.text);
    // A label's colon, not a link's (`https://`).
    let label = line
        .match_indices(':')
        .any(|(i, _)| !line.get(i + 1..).is_some_and(|r| r.starts_with("//")));
    if matches!(e.class, Class::Person) && word && !by && label {
        e.class = org(e.text.clone());
    }
}

/// Two credit forms of one photo printed together, each in brackets (`(Photo by Name /
/// AFP) (Photo by NAME/AFP via Getty Images)`): the one naming more of the chain is read.
pub(super) fn one_credit_form(line: &str) -> String {
    let t = line.trim();
    let groups: Vec<&str> = t
        .split_inclusive(')')
        .map(str::trim)
        .filter(|g| !g.is_empty())
        .collect();
    let credit = |g: &str| g.starts_with('(') && g.ends_with(')') && g.contains('/');
    if groups.len() != 2 || !groups.iter().all(|g| credit(g)) {
        return line.to_string();
    }
    let weight = |g: &str| g.matches('/').count() + 2 * g.to_lowercase().matches(" via ").count();
    let best = groups
        .iter()
        .max_by_key(|g| weight(g))
        .copied()
        .unwrap_or(t);
    best.to_string()
}

/// A place printed after the photographer with a dash at the end of the line (`Name -
/// Lisboa`, `AFP photo by Name - Mauritania`): one capitalised word that names no agency
/// and no organisation. Agencies print their name there in capitals or as a known name.
pub(super) fn drop_place_after_dash(seg: &str, line_end: bool) -> String {
    let Some((head, tail)) = seg.rsplit_once(" - ").filter(|_| line_end) else {
        return seg.to_string();
    };
    let tail = tail.trim();
    let last_piece = head.rsplit('/').next().unwrap_or(head);
    let place = !tail.contains(' ')
        && tail.chars().next().is_some_and(char::is_uppercase)
        && tail.chars().skip(1).all(char::is_lowercase)
        && tail.chars().count() >= 3
        && org_alias(tail).is_none()
        && marker(tail).is_none()
        && !is_org(tail)
        && last_piece.split_whitespace().count() >= 2;
    if place {
        head.to_string()
    } else {
        seg.to_string()
    }
}

/// Words that make a comma piece a role (`CLA intern`, `staff photographer`,
/// `fotógrafo`), in the languages credits are printed in.
pub(super) fn is_role(piece: &str) -> bool {
    const ROLES: &[&str] = &[
        "intern",
        "photographer",
        "photojournalist",
        "contributor",
        "contributing",
        "freelance",
        "freelancer",
        "correspondent",
        "fotógrafo",
        "fotografo",
        "fotógrafa",
        "fotografa",
        "photographe",
        "fotograf",
        "fotoreporter",
        "фотограф",
    ];
    piece
        .split_whitespace()
        .any(|w| ROLES.contains(&w.to_lowercase().as_str()))
}

/// `Surname, Given Names` (NTB's order): one capitalised word, a comma, and one to three
/// capitalised words, none of them an agency or an organisation.
pub(super) fn surname_first(part: &str) -> bool {
    let Some((surname, given)) = part.split_once(',') else {
        return false;
    };
    let (surname, given) = (surname.trim(), given.trim());
    let capital = |w: &str| w.chars().next().is_some_and(char::is_uppercase);
    let name = |s: &str| org_alias(s).is_none() && !is_org(s) && marker(s).is_none();
    !surname.contains(' ')
        && surname.chars().skip(1).any(char::is_lowercase)
        && capital(surname)
        && (1..=3).contains(&given.split_whitespace().count())
        && given.split_whitespace().all(capital)
        && !given.contains(',')
        && name(surname)
        && name(given)
}

/// Known agencies all printed before the one photographer (`KEYSTONE/EPA/Name`): the first
/// credits the picture and the others are where it came from, as national agencies print
/// their partners' pictures (`Agency/Partner/Name`).
pub(super) fn agency_first<'a>(
    elems: &[Elem],
    orgs: &'a [(usize, &'a Elem)],
) -> Option<&'a (usize, &'a Elem)> {
    let known = |e: &Elem| matches!(e.class, Class::Org { alias: Some(a), .. } if !a.platform);
    // Korean papers print the origin before the distributor (`[AGENCY=연합뉴스/Name]`).
    let latin = |e: &Elem| {
        e.text
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
    };
    let last = elems.len().checked_sub(1)?;
    let person_last = matches!(elems.get(last)?.class, Class::Person)
        && elems
            .iter()
            .filter(|e| matches!(e.class, Class::Person))
            .count()
            == 1;
    let all_before = orgs.len() >= 2
        && orgs
            .iter()
            .all(|(i, e)| *i < last && known(e) && !e.after_via && latin(e))
        && elems.first().is_some_and(known);
    (person_last && all_before).then(|| orgs.first()).flatten()
}

/// `Name/AFP/Harbour Desk`, `Name / Alamy / Afripics`: once a photographer and then a known
/// agency have been printed, a further name is an organisation of the chain (a partner,
/// reseller or desk), not a second photographer; agencies print one photographer per
/// credit, and a second is joined by "and" (kept) or printed before the agency.
pub(super) fn name_after_agency_is_org(elems: &mut [Elem]) {
    let known = |e: &Elem| matches!(e.class, Class::Org { alias: Some(a), .. } if !a.platform);
    let Some(p) = elems
        .iter()
        .position(|e| matches!(e.class, Class::Person) && !e.after_via)
    else {
        return;
    };
    let Some(a) = elems
        .iter()
        .skip(p + 1)
        .position(|e| known(e) && !e.after_via)
        .map(|i| i + p + 1)
    else {
        return;
    };
    for e in elems.iter_mut().skip(a + 1) {
        let capitalised = e.text.chars().next().is_some_and(char::is_uppercase);
        if matches!(e.class, Class::Person) && !e.after_via && !e.joined && capitalised {
            e.class = org(org_case(&e.text));
        }
    }
}
