//! Usage terms read from free text: IIM 2:40 Special Instructions and
//! `xmpRights:UsageTerms` ("may only be used for 14 days", "CHINA OUT", "NO ARCHIVES").
//!
//! Pure: it reads phrases, not dates; turning `max_days` into an expiry needs the
//! transmission time, which the caller has.

use jiff::{Span, Timestamp};
use serde::{Deserialize, Serialize};

use crate::model::Rights;

/// What the instructions allow.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Terms {
    /// "may only be used for 14 days from the time of transmission" → 14.
    pub max_days: Option<u32>,
    /// ISO 3166 codes where the photo must not appear ("CHINA OUT" → `CN`).
    pub restricted_territories: Vec<String>,
    /// Editorial use only: no commercial use, advertising or marketing.
    pub editorial_only: bool,
    /// The credit must be printed ("MANDATORY CREDIT").
    pub mandatory_credit: bool,
    /// The photo must not be kept in an archive ("NO ARCHIVES", "no archiving").
    pub no_archiving: bool,
}

impl Terms {
    /// When a licence of `max_days` ends, counted from `sent`, the transmission time
    /// (the caller's; this module never reads the clock).
    pub fn expires(&self, sent: Timestamp) -> Option<Timestamp> {
        let hours = i64::from(self.max_days?) * 24;
        sent.checked_add(Span::new().try_hours(hours).ok()?).ok()
    }

    /// Fold these terms into a record's rights: editorial-only and territories add to what
    /// is there; the expiry becomes the earlier of the stored one and `max_days` from `sent`.
    pub fn merge_into(&self, rights: &mut Rights, sent: Option<Timestamp>) {
        rights.editorial_only |= self.editorial_only;
        for code in &self.restricted_territories {
            push(&mut rights.restricted_territories, code);
        }
        if let Some(end) = sent.and_then(|s| self.expires(s)) {
            rights.expires = Some(rights.expires.map_or(end, |e| e.min(end)));
        }
    }
}

/// Read the terms from the special instructions and the usage terms together.
pub fn read(instructions: &str, usage_terms: &str) -> Terms {
    let text = format!("{instructions} . {usage_terms}").to_uppercase();
    let has = |phrases: &[&str]| phrases.iter().any(|p| text.contains(p));
    // Punctuation becomes a word of its own so "JAPAN OUT." and "NO SALES IN UK," read
    // as words, and a full stop still ends a list of countries.
    let spaced: String = text
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == ' ' {
                c
            } else {
                ' '
            }
        })
        .collect();
    let words: Vec<&str> = spaced.split_whitespace().collect();
    let mut restricted = Vec::new();
    for (i, w) in words.iter().enumerate() {
        match *w {
            "OUT" => countries_back(&words, i, &mut restricted),
            // "NO SALES IN UK", "NOT FOR USE IN FRANCE": a negation shortly before.
            "IN" if words.get(i.saturating_sub(5)..i).is_some_and(|ws| {
                ws.iter()
                    .any(|x| matches!(*x, "NO" | "NOT" | "NEITHER" | "NOR"))
            }) =>
            {
                countries_forward(&words, i + 1, &mut restricted)
            }
            _ => {}
        }
    }
    Terms {
        max_days: max_days(&words),
        restricted_territories: restricted,
        editorial_only: has(&[
            "EDITORIAL USE ONLY",
            "RESTRICTED TO EDITORIAL",
            "EDITORIAL PURPOSES ONLY",
            "FOR EDITORIAL USE",
            "EDITORIAL ONLY",
            "NO COMMERCIAL",
            "NOT FOR COMMERCIAL",
            "NO ADVERTISING",
            "NO MARKETING",
        ]),
        mandatory_credit: has(&[
            "MANDATORY CREDIT",
            "MUST CREDIT",
            "CREDIT REQUIRED",
            "CREDIT MANDATORY",
        ]),
        no_archiving: has(&[
            "NO ARCHIV",
            "NOT FOR ARCHIV",
            "DO NOT ARCHIVE",
            "NOT BE ARCHIVED",
            "MUST NOT BE STORED",
        ]),
    }
}

/// The smallest "N DAYS" near a word of use ("may only be used for 14 days",
/// "for use within 30 days").
fn max_days(words: &[&str]) -> Option<u32> {
    words
        .iter()
        .enumerate()
        .filter(|(_, w)| matches!(**w, "DAYS" | "DAY"))
        .filter_map(|(i, _)| {
            let n: u32 = words.get(i.checked_sub(1)?)?.parse().ok()?;
            let near = words.get(i.saturating_sub(8)..i)?;
            near.iter()
                .any(|w| matches!(*w, "USE" | "USED" | "PUBLISHED" | "PUBLICATION" | "VALID"))
                .then_some(n)
        })
        .min()
}

/// Country names and the ISO 3166-1 codes they stand for, longest names first where one
/// contains another.
const COUNTRIES: &[(&str, &str)] = &[
    ("NORTH KOREA", "KP"),
    ("SOUTH KOREA", "KR"),
    ("KOREA", "KR"),
    ("HONG KONG", "HK"),
    ("MACAU", "MO"),
    ("MACAO", "MO"),
    ("MAINLAND CHINA", "CN"),
    ("CHINA", "CN"),
    ("TAIWAN", "TW"),
    ("JAPAN", "JP"),
    ("UNITED KINGDOM", "GB"),
    ("GREAT BRITAIN", "GB"),
    ("BRITAIN", "GB"),
    ("ENGLAND", "GB"),
    ("UK", "GB"),
    ("UNITED STATES", "US"),
    ("USA", "US"),
    ("US", "US"),
    ("UNITED ARAB EMIRATES", "AE"),
    ("UAE", "AE"),
    ("SAUDI ARABIA", "SA"),
    ("SOUTH AFRICA", "ZA"),
    ("NEW ZEALAND", "NZ"),
    ("CZECH REPUBLIC", "CZ"),
    ("FRANCE", "FR"),
    ("GERMANY", "DE"),
    ("ITALY", "IT"),
    ("SPAIN", "ES"),
    ("PORTUGAL", "PT"),
    ("CANADA", "CA"),
    ("AUSTRALIA", "AU"),
    ("RUSSIA", "RU"),
    ("UKRAINE", "UA"),
    ("ISRAEL", "IL"),
    ("INDIA", "IN"),
    ("PAKISTAN", "PK"),
    ("TURKEY", "TR"),
    ("IRAN", "IR"),
    ("IRAQ", "IQ"),
    ("SWITZERLAND", "CH"),
    ("AUSTRIA", "AT"),
    ("NETHERLANDS", "NL"),
    ("HOLLAND", "NL"),
    ("BELGIUM", "BE"),
    ("LUXEMBOURG", "LU"),
    ("SWEDEN", "SE"),
    ("NORWAY", "NO"),
    ("DENMARK", "DK"),
    ("FINLAND", "FI"),
    ("ICELAND", "IS"),
    ("POLAND", "PL"),
    ("HUNGARY", "HU"),
    ("ROMANIA", "RO"),
    ("BULGARIA", "BG"),
    ("GREECE", "GR"),
    ("SERBIA", "RS"),
    ("CROATIA", "HR"),
    ("MEXICO", "MX"),
    ("BRAZIL", "BR"),
    ("ARGENTINA", "AR"),
    ("CHILE", "CL"),
    ("COLOMBIA", "CO"),
    ("IRELAND", "IE"),
    ("SINGAPORE", "SG"),
    ("MALAYSIA", "MY"),
    ("PHILIPPINES", "PH"),
    ("THAILAND", "TH"),
    ("INDONESIA", "ID"),
    ("VIETNAM", "VN"),
    ("EGYPT", "EG"),
    ("QATAR", "QA"),
    ("LEBANON", "LB"),
    ("JORDAN", "JO"),
    ("MONACO", "MC"),
];

/// The country whose name ends at word `end` (exclusive), and how many words it takes.
fn country_ending(words: &[&str], end: usize) -> Option<(&'static str, usize)> {
    (1..=3).rev().find_map(|n| {
        let name = words.get(end.checked_sub(n)?..end)?.join(" ");
        COUNTRIES
            .iter()
            .find(|(c, _)| *c == name)
            .map(|(_, code)| (*code, n))
    })
}

/// The country whose name starts at word `start`.
fn country_starting(words: &[&str], start: usize) -> Option<(&'static str, usize)> {
    (1..=3).rev().find_map(|n| {
        let name = words.get(start..start + n)?.join(" ");
        COUNTRIES
            .iter()
            .find(|(c, _)| *c == name)
            .map(|(_, code)| (*code, n))
    })
}

fn push(list: &mut Vec<String>, code: &str) {
    if !list.iter().any(|c| c == code) {
        list.push(code.to_string());
    }
}

/// "CHINA OUT", "CHINA AND HONG KONG OUT": countries listed before `OUT` at `at`.
fn countries_back(words: &[&str], at: usize, out: &mut Vec<String>) {
    let mut end = at;
    while let Some((code, n)) = country_ending(words, end) {
        push(out, code);
        end -= n;
        if end > 0 && matches!(words.get(end - 1), Some(&"AND" | &"OR")) {
            end -= 1;
        }
    }
}

/// "NO SALES IN UK OR IRELAND": countries listed after `IN`.
fn countries_forward(words: &[&str], mut at: usize, out: &mut Vec<String>) {
    while let Some((code, n)) = country_starting(words, at) {
        push(out, code);
        at += n;
        if matches!(words.get(at), Some(&"AND" | &"OR")) {
            at += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_of_countries_are_read_both_ways() {
        assert_eq!(
            read("CHINA AND HONG KONG OUT", "").restricted_territories,
            ["HK", "CN"]
        );
        assert_eq!(
            read("", "No sales in UK or Ireland").restricted_territories,
            ["GB", "IE"]
        );
        assert!(
            read("CUT OUT AND KEEP", "")
                .restricted_territories
                .is_empty()
        );
    }

    #[test]
    fn max_days_become_an_expiry_and_merge_into_rights() {
        let sent: Timestamp = "2024-03-01T12:00:00Z".parse().expect("valid timestamp");
        let t = read(
            "may only be used for 14 days from the time of transmission. CHINA OUT",
            "",
        );
        let end: Timestamp = "2024-03-15T12:00:00Z".parse().expect("valid timestamp");
        assert_eq!(t.expires(sent), Some(end));
        let mut rights = Rights {
            restricted_territories: vec!["CN".into()],
            ..Rights::default()
        };
        t.merge_into(&mut rights, Some(sent));
        assert_eq!(rights.expires, Some(end));
        assert_eq!(rights.restricted_territories, ["CN"]);
        let huge = Terms {
            max_days: Some(u32::MAX),
            ..Terms::default()
        };
        assert_eq!(huge.expires(sent), None);
    }

    #[test]
    fn days_need_a_word_of_use() {
        assert_eq!(read("may only be used for 14 days", "").max_days, Some(14));
        assert_eq!(read("taken over 3 days", "").max_days, None);
    }
}
