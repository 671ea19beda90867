//! Outlet templates: `© {agency} {year} / {CREATOR}` split into text and placeholders, and
//! filled from the parts, a placeholder with nothing to fill leaving with its separator.

use super::*;

/// A piece of a template.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Token<'a> {
    Text(&'a str),
    Slot(Slot),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Slot {
    Agency,
    AgencyUpper,
    Creator,
    CreatorUpper,
    Via,
    ViaUpper,
    Year,
}

/// Split a template into text and placeholders.
pub(super) fn tokens(t: &str) -> std::result::Result<Vec<Token<'_>>, String> {
    let mut out = Vec::new();
    let mut rest = t;
    while let Some(open) = rest.find('{') {
        if let Some(text) = rest.get(..open).filter(|s| !s.is_empty()) {
            if text.contains('}') {
                return Err("'}' without '{'".into());
            }
            out.push(Token::Text(text));
        }
        let after = rest.get(open + 1..).unwrap_or("");
        let close = after.find('}').ok_or("'{' without '}'")?;
        let name = after.get(..close).unwrap_or("");
        let slot = match name {
            "agency" => Slot::Agency,
            "AGENCY" => Slot::AgencyUpper,
            "creator" => Slot::Creator,
            "CREATOR" => Slot::CreatorUpper,
            "via" => Slot::Via,
            "VIA" => Slot::ViaUpper,
            "year" => Slot::Year,
            other => {
                return Err(format!(
                    "unknown placeholder '{{{other}}}' (use agency, AGENCY, creator, CREATOR, via, VIA, year)"
                ));
            }
        };
        out.push(Token::Slot(slot));
        rest = after.get(close + 1..).unwrap_or("");
    }
    if rest.contains('}') {
        return Err("'}' without '{'".into());
    }
    if !rest.is_empty() {
        out.push(Token::Text(rest));
    }
    Ok(out)
}

pub(super) fn is_separator(c: char) -> bool {
    c.is_whitespace() || "/,-–—:;|·".contains(c)
}

/// Fill a template; a placeholder with no value goes, with the separator before it (or,
/// at the start, after it): `© {agency} {year} / {creator}` without a year is
/// `© AFP / Name`. A template whose placeholders are all empty gives "".
pub(super) fn fill(template: &str, parts: &CreditParts, year: &str) -> String {
    // Templates were validated when the style was made; a bad one renders as nothing
    // rather than as a wrong credit.
    let Ok(toks) = tokens(template) else {
        return String::new();
    };
    let agency_name = parts.agency.clone().unwrap_or_default();
    let creators = parts.creators.join(", ");
    let via = parts.via.join("/");
    let mut out = String::new();
    let mut any = false;
    let mut dropped = false;
    for tok in toks {
        match tok {
            Token::Text(text) => {
                if dropped && out.trim_matches(is_separator).is_empty() {
                    out.push_str(text.trim_start_matches(is_separator));
                } else {
                    out.push_str(text);
                }
                dropped = false;
            }
            Token::Slot(slot) => {
                let value = match slot {
                    Slot::Agency => agency_name.clone(),
                    Slot::AgencyUpper => agency_name.to_uppercase(),
                    Slot::Creator => creators.clone(),
                    Slot::CreatorUpper => creators.to_uppercase(),
                    Slot::Via => via.clone(),
                    Slot::ViaUpper => via.to_uppercase(),
                    Slot::Year => year.to_string(),
                };
                if value.is_empty() {
                    let kept = out.trim_end_matches(is_separator).len();
                    out.truncate(kept);
                    dropped = true;
                } else {
                    out.push_str(&value);
                    any = true;
                }
            }
        }
    }
    if any { out } else { String::new() }
}
