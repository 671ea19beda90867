//! The parts a stored record implies (its credit line read, its own fields over it), the
//! agency a record names, and recently read lines remembered by their text.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use super::*;
use crate::model::Fields;

/// The parts a stored record implies: its credit line parsed, its own creators and agency,
/// its source for a handout, and IPTC's digital source type for a screen capture.
pub fn parts_of(fields: &Fields) -> CreditParts {
    let mut parts = fields
        .credit_line
        .as_deref()
        .map(parse_remembered)
        .unwrap_or_default();
    let own: Vec<String> = fields
        .creators
        .iter()
        .map(|c| c.trim())
        .filter(|c| !c.is_empty() && marker(c).is_none())
        .map(name_case)
        .collect();
    if !own.is_empty() {
        parts.creators = own;
    }
    // The agency: the record's own agency field, else the credit line's (already read),
    // else a known agency its source or copyright notice names (as [`agency_of`]).
    let named = match fields.agency.as_deref() {
        Some(a) => parse_remembered(a).agency,
        None => parts.agency.clone(),
    };
    if let Some(a) = named.or_else(|| {
        [fields.source.as_deref(), fields.copyright.as_deref()]
            .into_iter()
            .flatten()
            .find_map(known_agency)
    }) {
        parts.agency = Some(a);
    }
    // Iptc4xmpExt:DigitalSourceType `…/digitalsourcetype/screenCapture` (also the older
    // `virtualRecording`) marks a still taken from a screen or video.
    if fields
        .digital_source_type
        .as_deref()
        .is_some_and(|t| t.ends_with("screenCapture") || t.ends_with("virtualRecording"))
    {
        parts.kind = Kind::ScreenGrab;
    }
    // IIM 2:115 Source names the origin; a handout's issuer belongs in the chain.
    if let Some(src) = fields
        .source
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        && matches!(parts.kind, Kind::Handout | Kind::ScreenGrab)
        && agency::lookup(src).is_none_or(|a| Some(a.canonical) != parts.agency.as_deref())
    {
        push_unique(&mut parts.via, src.to_string());
    }
    if parts.kind == Kind::Unknown && !parts.creators.is_empty() && parts.agency.is_some() {
        parts.kind = Kind::Staff;
    }
    parts
}

/// Lines [`parse_remembered`] keeps at most; it forgets them all when full.
const REMEMBERED: usize = 4096;
/// Longest line [`parse_remembered`] keeps (a real credit line is under 100 bytes).
const REMEMBERED_LEN: usize = 200;

/// [`parse`], remembering recent answers by the line's text. A store's records repeat a few
/// thousand credit lines and agency names, and reading one was a quarter of the CPU an HTTP
/// credit lookup took; [`parse`] is pure, so a remembered answer is never stale.
fn parse_remembered(line: &str) -> CreditParts {
    type Seen = Mutex<HashMap<String, CreditParts>>;
    static SEEN: OnceLock<Seen> = OnceLock::new();
    if line.len() > REMEMBERED_LEN {
        return parse(line);
    }
    let seen = SEEN.get_or_init(Seen::default);
    // A poisoned lock only means another thread panicked mid-insert: parse afresh.
    if let Some(p) = seen.lock().ok().and_then(|m| m.get(line).cloned()) {
        return p;
    }
    let parts = parse(line);
    if let Ok(mut m) = seen.lock() {
        if m.len() >= REMEMBERED {
            m.clear();
        }
        m.insert(line.to_string(), parts.clone());
    }
    parts
}

/// The canonical agency a record names: in its credit line (IIM 2:110), else its source
/// (IIM 2:115), else its copyright notice (IIM 2:116). Source and copyright count only
/// when they name a known agency.
pub fn agency_of(
    credit_line: Option<&str>,
    source: Option<&str>,
    copyright: Option<&str>,
) -> Option<String> {
    if let Some(a) = credit_line.and_then(|l| parse(l).agency) {
        return Some(a);
    }
    [source, copyright]
        .into_iter()
        .flatten()
        .find_map(known_agency)
}

/// The canonical name of a known agency that `s` names, tolerating `©`, years and
/// `Copyright … All rights reserved` around it.
fn known_agency(s: &str) -> Option<String> {
    let known = |p: CreditParts| {
        let a = p.agency?;
        let listed = agency::lookup(&a).is_some() || agency::is_canonical(&a);
        (listed || p.misspelling.is_some()).then_some(a)
    };
    if let Some(a) = known(parse(s)) {
        return Some(a);
    }
    let mut cleaned: String = s.chars().filter(|c| !c.is_ascii_digit()).collect();
    for noise in ["all rights reserved", "copyright", "(c)"] {
        if let Some(i) = cleaned.to_ascii_lowercase().find(noise) {
            cleaned.replace_range(i..i + noise.len(), " ");
        }
    }
    let cleaned = cleaned.replace('©', " ");
    let cleaned = cleaned.trim_matches(|c: char| c.is_whitespace() || ".,;".contains(c));
    known(parse(cleaned))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembered_parses_equal_fresh_ones() {
        let corpus = include_str!("../../../tests/data/credit-lines.tsv");
        let lines: Vec<&str> = corpus
            .lines()
            .filter_map(|l| l.split('\t').next())
            .collect();
        assert!(lines.len() > 50);
        // Twice over: the second pass answers from what the first remembered.
        for line in lines.iter().chain(&lines) {
            assert_eq!(parse_remembered(line), parse(line), "{line}");
        }
    }

    #[test]
    fn record_fields_fill_the_parts() {
        let fields = Fields {
            credit_line: Some("Handout via REUTERS".into()),
            source: Some("Ukrainian Presidential Press Service".into()),
            ..Fields::default()
        };
        let p = parts_of(&fields);
        assert_eq!(p.agency.as_deref(), Some("Reuters"));
        assert_eq!(p.via, ["Ukrainian Presidential Press Service"]);
        assert_eq!(p.kind, Kind::Handout);

        let fields = Fields {
            creators: vec!["Evan Vucci".into()],
            copyright: Some("Copyright 2023 The Associated Press".into()),
            digital_source_type: Some(
                "http://cv.iptc.org/newscodes/digitalsourcetype/screenCapture".into(),
            ),
            ..Fields::default()
        };
        let p = parts_of(&fields);
        assert_eq!(p.agency.as_deref(), Some("AP"));
        assert_eq!(p.kind, Kind::ScreenGrab);
    }

    #[test]
    fn agency_of_falls_back_to_source_and_copyright() {
        assert_eq!(agency_of(None, Some("AFP"), None).as_deref(), Some("AFP"));
        assert_eq!(
            agency_of(None, None, Some("© 2013 AFP")).as_deref(),
            Some("AFP")
        );
        assert_eq!(agency_of(None, Some("Jane Doe"), None), None);
    }

    #[test]
    fn zuma_is_a_known_agency() {
        assert_eq!(
            agency_of(None, Some("ZUMA Press Wire"), None).as_deref(),
            Some("ZUMA")
        );
        assert_eq!(
            agency_of(None, None, Some("© 2024 ZUMA Press")).as_deref(),
            Some("ZUMA")
        );
    }
}
