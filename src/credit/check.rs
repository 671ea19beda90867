//! Checks of the photo itself that the audit wraps: a credit year that is not the photo's,
//! a caption date that contradicts the date created, a handout or screen grab with no
//! source, a credit cut at the IIM 2:110 limit.
//!
//! Pure: each returns findings; none reads the clock, the store or the outlet's style.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::compare::years;
use super::{CreditParts, IIM_CREDIT_MAX, Kind, parse, parts_of};
use crate::model::Fields;

/// Something wrong with a photo's own metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "finding", rename_all = "snake_case")]
pub enum Finding {
    /// The credit prints a year other than the year the photo was taken.
    CreditYear {
        /// The year in the credit.
        credit_year: i32,
        /// The year of the date created.
        year_created: i32,
    },
    /// The caption dates the photo differently from its date created.
    CaptionDate {
        /// The date as the caption writes it.
        caption_date: String,
        /// That date, ISO 8601.
        caption_iso: String,
        /// The date created, ISO 8601.
        date_created: String,
    },
    /// A handout or screen grab that names no source: no issuer, no photographer.
    NoSource {
        /// `handout` or `screen_grab`.
        kind: Kind,
    },
    /// The credit is exactly as long as IIM 2:110 allows, or ends in a cut-off name.
    CreditCut {
        /// The credit as stored.
        credit: String,
        /// Its length in bytes.
        bytes: usize,
    },
}

impl Finding {
    /// One line for the audit report.
    pub fn message(&self) -> String {
        match self {
            Finding::CreditYear {
                credit_year,
                year_created,
            } => format!("credit says {credit_year} but the photo was taken in {year_created}"),
            Finding::CaptionDate {
                caption_date,
                date_created,
                ..
            } => format!("caption says '{caption_date}' but the photo was taken {date_created}"),
            Finding::NoSource { kind } => {
                format!("{} with no source named", kind.as_str().replace('_', " "))
            }
            Finding::CreditCut { credit, bytes } => {
                format!("credit '{credit}' ({bytes} bytes) looks cut at the IIM 32-byte limit")
            }
        }
    }
}

/// A year printed in the credit that is not the year the photo was taken.
pub fn check_year(credit_line: &str, year_created: Option<i32>) -> Option<Finding> {
    let created = year_created?;
    years(credit_line)
        .iter()
        .filter_map(|y| y.parse::<i32>().ok())
        .find(|&y| y != created)
        .map(|credit_year| Finding::CreditYear {
            credit_year,
            year_created: created,
        })
}

/// The first full date in the caption (`on October 22, 2013`, `22 October 2013`,
/// `2013-10-22`) when it is more than a day from the date created (time zones allow one).
pub fn check_caption_date(caption: &str, date_created: &str) -> Option<Finding> {
    let created = iso_date(date_created)?;
    let (written, date) = first_date(caption)?;
    if days_apart(created, date)?.abs() <= 1 {
        return None;
    }
    Some(Finding::CaptionDate {
        caption_date: written,
        caption_iso: format!("{:04}-{:02}-{:02}", date.year(), date.month(), date.day()),
        date_created: date_created.to_string(),
    })
}

/// A handout or screen grab whose credit and source name neither issuer nor photographer
/// (CREDITS.md: "publishing one with none is a violation").
pub fn check_source(parts: &CreditParts, source: Option<&str>) -> Option<Finding> {
    if !matches!(parts.kind, Kind::Handout | Kind::ScreenGrab) {
        return None;
    }
    let named = !parts.via.is_empty() || !parts.creators.is_empty();
    // A source that only repeats the distributing agency names no issuer.
    let source_names = source
        .map(str::trim)
        .is_some_and(|s| !s.is_empty() && parse(s).agency.is_none_or(|a| Some(a) != parts.agency));
    (!named && !source_names).then_some(Finding::NoSource { kind: parts.kind })
}

/// A credit exactly at the IIM 2:110 limit, or one whose last name is cut
/// (`PA Archive/Press Association Ima`).
pub fn check_cut(credit_line: &str) -> Option<Finding> {
    let bytes = credit_line.len();
    (bytes == IIM_CREDIT_MAX || parse(credit_line).truncated).then(|| Finding::CreditCut {
        credit: credit_line.to_string(),
        bytes,
    })
}

/// Every check above on a stored record.
pub fn check_photo(fields: &Fields) -> Vec<Finding> {
    let mut out = Vec::new();
    let credit = fields.credit_line.as_deref().unwrap_or("");
    out.extend(check_year(credit, fields.year));
    if let (Some(caption), Some(created)) = (&fields.caption, &fields.date_created) {
        out.extend(check_caption_date(caption, created));
    }
    out.extend(check_source(&parts_of(fields), fields.source.as_deref()));
    out.extend(check_cut(credit));
    out
}

type Ymd = (i32, u32, u32);

/// `YYYY-MM-DD…` or EXIF's `YYYY:MM:DD…`.
fn iso_date(s: &str) -> Option<Date> {
    let y = s.get(..4)?.parse().ok()?;
    let m = s.get(5..7)?.parse().ok()?;
    let d = s.get(8..10)?.parse().ok()?;
    valid((y, m, d))
}

/// The date, if it exists (no 31 February) and falls in photography's years.
fn valid((y, m, d): Ymd) -> Option<Date> {
    if !(1826..=2099).contains(&y) {
        return None;
    }
    let m = i8::try_from(m).ok()?;
    let d = i8::try_from(d).ok()?;
    Date::new(i16::try_from(y).ok()?, m, d).ok()
}

/// Whole days from `a` to `b`.
fn days_apart(a: Date, b: Date) -> Option<i64> {
    Some(i64::from(a.until(b).ok()?.get_days()))
}

/// English month names in lower case, January first (also read by the parser, which takes
/// a date after a credit for a trailer).
pub(super) const MONTH_NAMES: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

fn month(word: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let w = word.trim_end_matches('.').to_lowercase();
    if w.len() < 3 {
        return None;
    }
    let i = MONTH_NAMES
        .iter()
        .position(|f| *f == w)
        .or_else(|| MONTHS.iter().position(|m| *m == w))
        .or_else(|| (w == "sept").then_some(8))?;
    u32::try_from(i + 1).ok()
}

/// The first full date written in `text`, as written and as a date.
fn first_date(text: &str) -> Option<(String, Date)> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let clean = |w: &str| w.trim_matches(|c: char| ",.;:()".contains(c)).to_string();
    let num = |w: &str| {
        clean(w)
            .trim_end_matches(['s', 't', 'n', 'd', 'r', 'h'])
            .parse::<u32>()
            .ok()
    };
    let year = |w: &str| clean(w).parse::<i32>().ok().filter(|_| clean(w).len() == 4);
    for i in 0..words.len() {
        let w0 = words.get(i).copied().unwrap_or("");
        if let Some(date) = iso_date(&clean(w0)) {
            return Some((clean(w0), date));
        }
        let (Some(w1), Some(w2)) = (words.get(i + 1), words.get(i + 2)) else {
            continue;
        };
        // `October 22, 2013` / `Oct. 22 2013`
        if let (Some(m), Some(d), Some(y)) = (month(&clean(w0)), num(w1), year(w2))
            && let Some(date) = valid((y, m, d))
        {
            return Some((format!("{} {} {}", clean(w0), clean(w1), clean(w2)), date));
        }
        // `22 October 2013`
        if let (Some(d), Some(m), Some(y)) = (num(w0), month(&clean(w1)), year(w2))
            && let Some(date) = valid((y, m, d))
        {
            return Some((format!("{} {} {}", clean(w0), clean(w1), clean(w2)), date));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    use jiff::civil::date;

    #[test]
    fn day_numbers_match_the_unix_epoch() {
        let epoch = date(1970, 1, 1);
        assert_eq!(days_apart(epoch, date(1970, 1, 1)), Some(0));
        assert_eq!(days_apart(epoch, date(2000, 3, 1)), Some(11_017));
    }

    #[test]
    fn impossible_dates_are_not_dates() {
        assert_eq!(iso_date("2023-02-31"), None);
        assert_eq!(iso_date("2023-04-31T10:00:00"), None);
        assert_eq!(iso_date("2024:02:29 10:00:00"), Some(date(2024, 2, 29)));
        assert_eq!(first_date("on February 31, 2023 in"), None);
        assert_eq!(first_date("on 31 April 2023 in"), None);
        assert_eq!(
            check_caption_date("on 30 February 2023", "2023-03-09"),
            None
        );
    }

    #[test]
    fn dates_are_found_in_three_forms() {
        assert_eq!(
            first_date("in Moscow on October 22, 2013.").map(|d| d.1),
            Some(date(2013, 10, 22))
        );
        assert_eq!(
            first_date("on 22 October 2013 in").map(|d| d.1),
            Some(date(2013, 10, 22))
        );
        assert_eq!(
            first_date("taken 2013-10-22 in").map(|d| d.1),
            Some(date(2013, 10, 22))
        );
        assert_eq!(first_date("in May 2013"), None);
    }
}
