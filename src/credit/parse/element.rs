//! One element of the chain → person, organisation or marker: the agency table, org words,
//! `Name for Outlet`, `AP by Name`, video-grab words, and name case for what was printed in
//! capitals. Nothing here sees the whole line.

use super::*;

/// Classify one element (it may yield two: `Name for Outlet`, `AP by Name`, `Name NYT`).
pub(super) fn classify(raw: &str, after_via: bool, may_be_cut: bool, seen: &mut Seen) -> Vec<Elem> {
    let elem = |text: &str, class: Class| Elem::new(text, class, after_via);
    let mut t = raw
        .trim()
        .trim_matches(|c: char| c.is_whitespace() || ":;\"'“”".contains(c))
        .trim_start_matches('.')
        .to_string();
    // A closing stop goes unless it ends an abbreviation (`Jr.`, `J.`).
    t = strip_full_stop(&t).trim_end_matches(':').to_string();
    t = undouble(&t);
    // An e-mail address on its own (`Name, name@paper.com`) says how to reach the
    // photographer, not who made or sent the picture.
    if is_email(&t) {
        return Vec::new();
    }
    // Malaysian papers glue `PIC` to the agency (`BERNAMAPIC`).
    if let Some(alias) = t
        .strip_suffix("PIC")
        .filter(|stem| stem.chars().count() >= 3 && stem.chars().all(char::is_uppercase))
        .and_then(agency::lookup)
    {
        return vec![elem(
            alias.name,
            Class::Org {
                alias: Some(alias),
                canonical: alias.canonical.to_string(),
                fuzzy: false,
            },
        )];
    }
    // A number that is not a year is a reference or billing code (`TT kod 444`), never a
    // name: it goes with its code word, and what is left is read.
    let code = |w: &str| w.len() >= 2 && w.chars().all(|c| c.is_ascii_digit()) && !is_year(w);
    // An agency whose name holds a number (`Flash 90`) keeps it.
    if t.split_whitespace().any(code) && agency::lookup(&t).is_none() {
        let words: Vec<&str> = t.split_whitespace().collect();
        let kept: Vec<&str> = words
            .iter()
            .enumerate()
            .filter(|(i, w)| {
                let next_is_code = words.get(i + 1).is_some_and(|n| code(n));
                let code_word = ["kod", "code", "nr", "no"].contains(&w.to_lowercase().as_str());
                !(code(w) || next_is_code && code_word)
            })
            .map(|(_, w)| *w)
            .collect();
        if kept.len() == words.len() || kept.iter().any(|w| w.chars().any(|c| c.is_ascii_digit())) {
            return Vec::new();
        }
        t = kept.join(" ");
        if t.is_empty() {
            return Vec::new();
        }
    }
    // A copyright sign or year is the photo's, not part of a name
    // (`© AFP 2013 / JOHN THYS`, `Satellite image ©2022 Maxar Technologies`).
    // `© Copyright 2026. The Associated Press`: a year closing a sentence is one too.
    let year = |w: &str| {
        let w = w.trim_end_matches(['.', ',']);
        is_year(w) || w.strip_suffix('年').is_some_and(is_year)
    };
    if t.contains('©') || t.split_whitespace().any(year) {
        t = t
            .replace('©', " ")
            .split_whitespace()
            .filter(|w| !year(w))
            .collect::<Vec<_>>()
            .join(" ");
    }
    // AFP prints `-` for an unnamed photographer (`- / AFP`).
    if !t.chars().any(char::is_alphanumeric) {
        return Vec::new();
    }
    if let Some(rest) = person::tidy(&t).filter(|r| r.len() < t.len()) {
        return classify(&rest, after_via, may_be_cut, seen);
    }
    if let Some(out) = shaped(&t, after_via, may_be_cut, seen) {
        return out;
    }
    if let Some(kind) = marker(&t) {
        let k = agency::key(&t);
        if ["stringer", "str", "staff"].contains(&k.as_str()) {
            seen.role = true;
        }
        seen.kinds.extend(kind);
        return vec![elem(&t, Class::Marker)];
    }
    // A label inside the chain (`Izvor: Pixsell / Autor: Name/PIXSELL`).
    if let Some((label, rest)) = t.split_once(':')
        && !label.contains(' ')
        && (is_label_word(label) || is_photo_word(label))
        && !rest.trim().is_empty()
    {
        return classify(rest, after_via, may_be_cut, seen);
    }
    // An archive word before an organisation's name (`Archivo Newspaper`, `Archive
    // Agency`): the picture is from that organisation's archive.
    if let Some((first, rest)) = t.split_once(' ')
        && marker(first) == Some(Some(Kind::Archive))
        && agency::lookup(&t).is_none()
        && rest.chars().next().is_some_and(char::is_uppercase)
    {
        seen.kinds.push(Kind::Archive);
        let rest = rest.trim();
        return match agency::lookup(rest) {
            Some(_) => classify(rest, after_via, may_be_cut, seen),
            None => vec![elem(rest, org(org_case(rest)))],
        };
    }
    if let Some(elems) = classify_unspaced(&t, after_via, seen) {
        return elems;
    }
    for lead in COURTESY_LEADS {
        if let Some(rest) = strip_prefix_ci(&t, lead) {
            seen.kinds.push(Kind::Handout);
            // One word in capitals (`COURTESY OF PERHILITAN`) is a body's acronym or name:
            // a person is credited by given and family name.
            let rest = rest.trim();
            if !rest.contains(' ')
                && rest.chars().filter(|c| c.is_alphabetic()).count() >= 3
                && !rest.chars().any(char::is_lowercase)
                && agency::lookup(rest).is_none()
            {
                return vec![elem(rest, org(org_case(rest)))];
            }
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
    if let Some(out) = phrase(&t, &lower, after_via, may_be_cut, seen) {
        return out;
    }
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
        // Who posted it there made it, whatever they are (`Photo by NASA on Unsplash`).
        let mut own = Seen::default();
        let mut l: Vec<Elem> = classify(t.get(..i).unwrap_or(""), after_via, false, &mut own)
            .into_iter()
            .map(|mut e| {
                e.class = Class::Person;
                e
            })
            .collect();
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
    // `PHOTO POOL Name`, `POOL Name`: the pool marker before the photographer.
    for lead in ["photo pool ", "pool photo ", "pool "] {
        if let Some(rest) = strip_prefix_ci(&t, lead)
            && rest.split_whitespace().count() >= 2
            && !rest.to_lowercase().starts_with("by ")
        {
            seen.kinds.push(Kind::Pool);
            return classify(rest, after_via, may_be_cut, seen);
        }
    }
    // `PA Wire Press Association`: two known names printed side by side.
    if org_alias(&t).is_none() {
        let words: Vec<&str> = t.split_whitespace().collect();
        for k in 1..words.len() {
            let (l, r) = (words[..k].join(" "), words[k..].join(" "));
            if agency::lookup(&l).is_some() && agency::lookup(&r).is_some() {
                let mut out = classify(&l, after_via, false, seen);
                out.extend(classify(&r, after_via, may_be_cut, seen));
                return out;
            }
        }
    }
    // `Navy handout`: the handout marker glued to the issuer it follows.
    if let Some((head, last)) = t.rsplit_once(' ')
        && last.eq_ignore_ascii_case("handout")
        && !head.trim().is_empty()
    {
        seen.kinds.push(Kind::Handout);
        let mut out = classify(head, after_via, may_be_cut, seen);
        for e in &mut out {
            if matches!(e.class, Class::Person) {
                e.class = org(org_case(&e.text));
            }
        }
        return out;
    }
    // `AP File`, `REUTERS File`: the file marker glued to the element it follows.
    if let Some(head) = strip_suffix_marker(&t, Kind::Archive) {
        seen.kinds.push(Kind::Archive);
        return classify(head, after_via, may_be_cut, seen);
    }
    // `AFP-Yonhap` (Korean papers): origin and distributing agency joined by a hyphen.
    if let Some((l, r)) = t.split_once('-')
        && let (Some(_), Some(_)) = (agency::lookup(l.trim()), agency::lookup(r.trim()))
    {
        let mut out = classify(l, after_via, false, seen);
        out.extend(classify(r, after_via, may_be_cut, seen));
        return out;
    }
    if let Some(d) = agency::domain(&t) {
        if agency::is_issuer(&d) {
            seen.kinds.push(Kind::Handout);
        }
        // A brand's own domain says what the brand does (`Colourbox.de` is stock).
        seen.kinds.extend(
            d.split('.')
                .next()
                .and_then(agency::lookup)
                .and_then(|a| a.kind),
        );
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
    // `DGDImages/Alamy Live News`: a contributor's handle, not an organisation.
    if person::is_handle(&t) {
        return vec![elem(&t, Class::Person)];
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
        // `Official White House`: the adjective is not part of the issuer's name.
        let t = match strip_prefix_ci(&t, "official ") {
            Some(rest) if agency::is_issuer(rest) => rest.trim().to_string(),
            _ => t,
        };
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
    if acronym_led(&t) {
        return vec![elem(&t, org(t.clone()))];
    }
    // `Alessandro Di Mao e Giuseppe Lami`: two names joined by "and" in any language.
    if let Some((l, r)) = split_conjunction(&t) {
        let mut second = elem(r, Class::Person);
        second.joined = true;
        return vec![elem(l, Class::Person), second];
    }
    vec![elem(&t, Class::Person)]
}

/// The element before a trailing `File` marker of `kind` (`AP File` → `AP`), when what is left
/// is not itself a known name (`PA Archive` is PA's archive brand).
fn strip_suffix_marker(t: &str, kind: Kind) -> Option<&str> {
    if agency::lookup(t).is_some() {
        return None;
    }
    let words: Vec<(usize, &str)> = t
        .split_whitespace()
        .map(|w| (w.as_ptr() as usize - t.as_ptr() as usize, w))
        .collect();
    (1..=2.min(words.len().saturating_sub(1))).find_map(|n| {
        let at = words.get(words.len() - n)?.0;
        let tail = t.get(at..)?;
        // Only the `File` words: `Archive(s)` ends names (`United Archives`).
        let file = agency::key(tail).starts_with("file");
        (file && marker(tail) == Some(Some(kind))).then(|| t.get(..at).map(str::trim))?
    })
}

pub(super) fn is_year(w: &str) -> bool {
    w.len() == 4 && w.parse::<u16>().is_ok_and(|y| (1826..=2099).contains(&y))
}

pub(super) fn org(canonical: String) -> Class {
    Class::Org {
        alias: None,
        canonical,
        fuzzy: false,
    }
}

/// The alias `t` is, exactly, with a trailing `Photo` (`AFP PHOTO`, `AA Photo`, `APPhoto`),
/// or misspelt; the flag says misspelt.
pub(super) fn org_alias(t: &str) -> Option<(&'static Alias, bool)> {
    if let Some(a) = agency::lookup(t) {
        return Some((a, false));
    }
    if let Some(a) = photo_label_head(t).and_then(agency::lookup) {
        return Some((a, false));
    }
    // Misspellings are looked for in capitals, as agencies print their name, or in
    // names long enough (7 letters) that a surname one letter off is unlikely.
    let caps = t.chars().all(|c| !c.is_lowercase());
    if caps || t.chars().count() >= 7 {
        return agency::lookup_fuzzy(t).map(|a| (a, true));
    }
    None
}

/// The name before an agency's `Photo` label: `AFP PHOTO`, `AA Photo`, glued `APPhoto`, and
/// the label misspelt by one letter (`AFP Phoot`, `AP Phtoo`).
fn photo_label_head(t: &str) -> Option<&str> {
    let lower = t.to_ascii_lowercase();
    // `Foto` is the word in Spanish, Portuguese, Italian and German (`AP Foto`).
    for suffix in ["photos", "photo", " fotos", " foto"] {
        if let Some(head) = lower.strip_suffix(suffix)
            && !head.trim().is_empty()
        {
            return t.get(..head.len()).map(str::trim_end);
        }
    }
    let (head, last) = t.rsplit_once(' ')?;
    let last = last.to_lowercase();
    let near = ["photo", "photos", "foto"]
        .iter()
        .any(|w| strsim::osa_distance(&last, w) == 1);
    (near && last.chars().count() >= 4 && !head.trim().is_empty()).then_some(head.trim_end())
}

/// `AFP PHOTO`, `AP Photo`, `AA Photo`: an agency name with `Photo` added, the agencies'
/// own label for their pictures (not a brand such as `Alamy Stock Photo`).
pub(super) fn is_photo_label(t: &str) -> bool {
    agency::lookup(t).is_none() && photo_label_head(t).is_some_and(|h| agency::lookup(h).is_some())
}

/// A glued repeat (`CHRISTOF STACHECHRISTOF STACHE`, two credit forms joined) halved,
/// and a repeated word (`HANDOUT HANDOUT HANDOUT`) said once.
pub(super) fn undouble(t: &str) -> String {
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
pub(super) fn screen_grab(t: &str) -> Option<String> {
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
pub(super) fn is_org(t: &str) -> bool {
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
    // A name opened by an article is a newspaper's (`El Deber`, `DER SPIEGEL`, `La
    // Tercera`): a person's name starts with a given name.
    let titled = t.split_once(' ').is_some_and(|(first, _)| {
        const ARTICLES: &[&str] = &[
            "el", "la", "los", "las", "le", "les", "il", "der", "die", "das", "het", "the",
        ];
        ARTICLES.contains(&first.to_lowercase().as_str())
    });
    inner_dot || acronym || described || titled
}

/// `Lynsey Addario NYT`: a name with an agency glued on after a space.
pub(super) fn split_suffix_alias(t: &str) -> Option<(&str, &'static Alias)> {
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
        if let Some(alias) = agency::lookup(&tail).filter(|a| !a.platform && !a.generated) {
            let cut = t.rfind(words.get(words.len() - take)?)?;
            return Some((t.get(..cut)?.trim(), alias));
        }
    }
    None
}

/// One word that is an e-mail address (`name@paper.co.uk`).
fn is_email(t: &str) -> bool {
    !t.contains(char::is_whitespace)
        && t.split_once('@').is_some_and(|(user, host)| {
            !user.is_empty() && host.contains('.') && !host.starts_with('.')
        })
}
