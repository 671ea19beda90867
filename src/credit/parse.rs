//! Printed credit lines → [`CreditParts`]: strip the page's wrapper and the editors' trailer,
//! split the chain into elements, and read each as agency, person, organisation or marker.
//!
//! Pure and total: every input gives parts (possibly empty), never an error or a panic.
//! It does not correct names; it only name-cases ones printed in capitals.

use super::agency::{self, Alias};
use super::{CreditParts, IIM_CREDIT_MAX, Kind};

mod case;
mod chain;
mod element;
mod labels;
mod lexicon;
mod licence;
mod person;
mod phrase;
mod record;
mod script;
mod shape;
mod wrapper;

use case::*;
use chain::*;
use element::*;
use labels::*;
use lexicon::*;
use licence::attribution;
use phrase::{acronym_led, phrase, split_conjunction};
use script::*;
use shape::*;
use wrapper::*;

pub(crate) use case::name_case;
pub use record::{agency_of, parts_of};
pub(crate) use wrapper::core;

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
    let line = one_credit_form(&line);
    let line = line.as_str();
    let (body, trailer) = split_trailer(line);
    parts.trailer = trailer;
    let mut seen = Seen::default();
    let (body, found) = attribution(body);
    parts.title = found.title;
    parts.licence = found.licence;
    let core = unwrap(&body, &mut seen);
    // A line of 28–32 bytes may have been cut at the IIM 2:110 limit: let its last element
    // complete to a known name (`Press Association Ima`).
    let may_be_cut = (IIM_CREDIT_MAX - 4..=IIM_CREDIT_MAX).contains(&line.trim().len());
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
    drop_korean_dateline(&mut elems);
    handout_issuer(&mut elems);
    fuzzy_distributor(&mut elems);
    promote_lone_words(&mut elems);
    org_word_before_name(&mut elems);
    lone_name_is_org(&mut elems, line);
    name_after_agency_is_org(&mut elems);
    let mut parts = assemble(&elems, &seen, parts);
    issued_via_agency(&elems, &mut parts);
    // A link to a platform names the source when the chain names no agency.
    if parts.agency.is_none()
        && let Some(p) = found.platform
    {
        parts.agency = Some(p.canonical.to_string());
        if parts.kind == Kind::Staff {
            parts.kind = Kind::Unknown;
        }
    }
    parts
}

/// `Party via Agency`, `@account via Agency`: where only a body no agency table knows, or a
/// social-media account, is printed before ` via ` and a known agency after it, the body
/// issued the picture and the agency passed it on: a handout.
fn issued_via_agency(elems: &[Elem], parts: &mut CreditParts) {
    let (before, after): (Vec<&Elem>, Vec<&Elem>) = elems.iter().partition(|e| !e.after_via);
    // A generic source (`Social Media/via REUTERS`) names no issuer.
    let generic = |t: &str| {
        let t = t.to_lowercase();
        t.contains("social media") || ["internet", "web", "online"].contains(&t.as_str())
    };
    let issuer = |e: &&Elem| match &e.class {
        Class::Org { alias: None, .. } => !generic(&e.text),
        Class::Person => e.text.starts_with('@'),
        _ => false,
    };
    let known = |e: &&Elem| matches!(e.class, Class::Org { alias: Some(a), .. } if !a.platform);
    if !before.is_empty()
        && before.iter().all(issuer)
        && after.iter().any(known)
        && matches!(parts.kind, Kind::Staff | Kind::Unknown)
    {
        parts.kind = Kind::Handout;
    }
}

/// Kinds and facts noticed while reading the elements.
#[derive(Debug, Default)]
struct Seen {
    kinds: Vec<Kind>,
    /// `Stringer` or `Staff`: an unnamed photographer, which still makes a staff photo.
    role: bool,
    truncated: bool,
    /// Released or distributed by the agency (`新華社發`, `配信`), not its own staff's.
    released: bool,
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
    /// Joined to the name before it by "and" (`Name y Name`): a second photographer.
    joined: bool,
}

impl Elem {
    /// An element read on its own (not joined to the one before by "and").
    fn new(text: &str, class: Class, after_via: bool) -> Elem {
        Elem {
            text: text.to_string(),
            class,
            after_via,
            joined: false,
        }
    }
}

/// Split at the first ` via ` (Spanish ` vía `): what comes after names the distributor.
fn split_via(s: &str) -> (&str, Option<&str>) {
    let lower = s.to_ascii_lowercase();
    // `via` as a word, after a space or a slash (`Social Media/via REUTERS`).
    let at = VIA_WORDS
        .iter()
        .flat_map(|v| lower.match_indices(v).map(|(i, w)| (i, w.len())))
        .filter(|&(i, _)| {
            i > 0
                && lower
                    .get(..i)
                    .and_then(|h| h.chars().next_back())
                    .is_some_and(|c| c == ' ' || c == '/')
        })
        .min();
    match at {
        Some((i, len)) => (
            s.get(..i).unwrap_or(s).trim_end_matches([' ', '/']),
            s.get(i + len..),
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
    let seg = drop_place_after_dash(seg, line_end);
    let seg = seg
        .replace('—', "/")
        .replace(" – ", "/")
        .replace(" - ", "/")
        .replace(" | ", "/");
    let mut slash: Vec<String> = seg
        .split('/')
        .flat_map(|p| match has_unspaced(p) {
            true => split_equals(p.trim()),
            false => vec![p.trim().to_string()],
        })
        .collect();
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
    // Antara's editor's initials and day after the name (`ANTARA FOTO/Name/pras/17.`):
    // lower-case initials or a day's number closing the line name nobody.
    let mut codes = 0;
    while line_end && slash.len() >= 3 && slash.last().is_some_and(|s| editor_code(s, codes)) {
        slash.pop();
        codes += 1;
    }
    let n = slash.len();
    for (si, part) in slash.iter().enumerate() {
        let mut group_has_org = false;
        // NTB's surname first (`Larsen, Håkon Mosvold`): one name, as printed.
        let mut pieces: Vec<&str> = match surname_first(part) {
            true => vec![part.as_str()],
            false => part.split(',').collect(),
        };
        // `DATE、PLACE、NAME撮影`: the clauses before a "shot by" one are the caption's.
        if let Some(last) = pieces.last().copied()
            && pieces.len() > 1
            && is_shot_credit(last)
            && has_unspaced(last)
        {
            pieces = vec![last];
        }
        for (ci, piece) in pieces.into_iter().enumerate() {
            // `Name, CLA intern`, `Name, staff photographer`: a role, not a name.
            if ci > 0 && is_role(piece) {
                continue;
            }
            let last = si + 1 == n && (!part.contains(',') || surname_first(part));
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

/// `pras`, `foc.`, `17`: an editor's lower-case initials or a day of the month, and not a
/// known name (`dpa`); once one such code has closed the line, a capitalised one of two or
/// three letters before it is another (`ss/Spt/14`).
fn editor_code(s: &str, after: usize) -> bool {
    let s = s.trim().trim_end_matches('.');
    let n = s.chars().count();
    let initials = (2..=5).contains(&n) && s.chars().all(|c| c.is_ascii_lowercase());
    let day = (1..=2).contains(&n) && s.chars().all(|c| c.is_ascii_digit());
    let capitalised = after > 0
        && (2..=3).contains(&n)
        && s.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && s.chars().skip(1).all(|c| c.is_ascii_lowercase());
    (initials || day || capitalised) && agency::lookup(s).is_none()
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
    // A newspaper from the generated list is an outlet, not a known agency: an unknown
    // body printed after it still distributes (`Name / Dziennik Polski / Polska Press`).
    let known = |e: &Elem| matches!(e.class, Class::Org { alias: Some(a), .. } if !a.platform && !a.generated);
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
        .or_else(|| agency_first(elems, &orgs))
        // A known agency distributes rather than an unknown body printed after it
        // (`Reuters/China Daily`, `KEYSTONE/Ti-Press/Name`).
        // Not when an unknown body starts with an agency's name (`Xinhua / Kyodo News
        // Images` names Kyodo's own brand last).
        .or_else(|| {
            let brand = |e: &Elem| {
                !known(e)
                    && e.text
                        .split_whitespace()
                        .next()
                        .and_then(agency::lookup)
                        .is_some()
            };
            if orgs.iter().any(|(_, e)| brand(e)) {
                return None;
            }
            orgs.iter().rev().find(|(_, e)| !e.after_via && known(e))
        })
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
                    // A sub-brand of the distributor is listed under its own name (`PA
                    // Wire/PA Images`, `Hulton Archive/Getty Images`); distributed by
                    // another agency it stands for its agency (`PA Wire via AP` → `PA`).
                    Some(a) if a.sub_brand && (same_agency || parts.agency.is_none()) => {
                        a.name.to_string()
                    }
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
    if named && parts.agency.is_some() && !platform && !seen.released {
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
