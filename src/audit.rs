//! The attribution audit: photos, their recorded uses and the outlets' styles → an
//! [`AuditReport`] of every wrong or missing credit, rights breach and metadata problem.
//!
//! Pure: the library gathers the records and passes `now`; formatting the report (table, CSV,
//! HTML) is the CLI's job. Violations make `byline audit` exit 1; warnings are listed but do not.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::credit::{self, Part, Style};
use crate::id::BlobId;
use crate::model::{Photo, Use};

/// What kind of problem a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Published with no credit at all.
    CreditMissing,
    /// Published with a credit that differs from the one the style requires.
    CreditWrong,
    /// Published before the embargo ended.
    Embargo,
    /// Published after the licence expired.
    Expired,
    /// Commercial use of an editorial-only photo.
    CommercialUse,
    /// Published in a territory where the photo is restricted.
    Territory,
    /// The photo's own credit names a year other than the year it was taken.
    CreditYear,
    /// The caption dates the photo differently from its date created.
    CaptionDate,
    /// A handout or screen grab that names no source.
    NoSource,
    /// The stored credit is cut at IIM 2:110's 32 bytes.
    CreditCut,
    /// The metadata blocks (EXIF, IIM, XMP) disagree on a field.
    BlocksDisagree,
    /// The photo lacks what publishing needs (caption, creator or agency, year).
    Incomplete,
    /// An image on a checked page that is not a stored photo.
    UnknownImage,
}

impl Kind {
    /// Whether this kind makes the audit fail (exit 1); the others are warnings.
    pub fn is_violation(self) -> bool {
        !matches!(
            self,
            Kind::BlocksDisagree | Kind::Incomplete | Kind::UnknownImage
        )
    }

    /// The snake_case name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::CreditMissing => "credit_missing",
            Kind::CreditWrong => "credit_wrong",
            Kind::Embargo => "embargo",
            Kind::Expired => "expired",
            Kind::CommercialUse => "commercial_use",
            Kind::Territory => "territory",
            Kind::CreditYear => "credit_year",
            Kind::CaptionDate => "caption_date",
            Kind::NoSource => "no_source",
            Kind::CreditCut => "credit_cut",
            Kind::BlocksDisagree => "blocks_disagree",
            Kind::Incomplete => "incomplete",
            Kind::UnknownImage => "unknown_image",
        }
    }
}

/// One problem found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// What kind of problem.
    pub kind: Kind,
    /// `violation` or `warning`.
    pub severity: Severity,
    /// The photo concerned (none for an unknown image on a page).
    pub photo: Option<BlobId>,
    /// The ledger number of the use, for findings about a publication.
    pub use_id: Option<u64>,
    /// The outlet that published it.
    pub outlet: Option<String>,
    /// Where it was published (a URL, or the checked page file).
    pub url: Option<String>,
    /// For wrong credits: the part that is wrong.
    pub part: Option<Part>,
    /// What was required.
    pub expected: Option<String>,
    /// What was printed or stored.
    pub found: Option<String>,
    /// One sentence an auditor can act on.
    pub message: String,
}

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Makes the audit fail.
    Violation,
    /// Listed, does not fail the audit.
    Warning,
}

/// The whole audit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditReport {
    /// When the audit ran.
    pub generated_at: Timestamp,
    /// The outlet filter, if any.
    pub outlet: Option<String>,
    /// The date filter, if any.
    pub since: Option<Timestamp>,
    /// Counts.
    pub summary: Summary,
    /// Every finding, violations first.
    pub findings: Vec<Finding>,
}

/// Counts for the report's head.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Photos whose own metadata was checked.
    pub photos_checked: usize,
    /// Uses (ledger entries or page figures) whose credit and rights were checked.
    pub uses_checked: usize,
    /// Findings that fail the audit.
    pub violations: usize,
    /// Findings that do not.
    pub warnings: usize,
    /// Findings per kind.
    pub by_kind: BTreeMap<String, usize>,
}

impl AuditReport {
    /// Put findings in order and count them.
    pub fn new(
        generated_at: Timestamp,
        outlet: Option<String>,
        since: Option<Timestamp>,
        photos_checked: usize,
        uses_checked: usize,
        mut findings: Vec<Finding>,
    ) -> AuditReport {
        findings.sort_by(|a, b| {
            (b.kind.is_violation(), a.kind, a.use_id, a.photo).cmp(&(
                a.kind.is_violation(),
                b.kind,
                b.use_id,
                b.photo,
            ))
        });
        let mut summary = Summary {
            photos_checked,
            uses_checked,
            ..Summary::default()
        };
        for f in &findings {
            match f.severity {
                Severity::Violation => summary.violations += 1,
                Severity::Warning => summary.warnings += 1,
            }
            *summary
                .by_kind
                .entry(f.kind.as_str().to_string())
                .or_default() += 1;
        }
        AuditReport {
            generated_at,
            outlet,
            since,
            summary,
            findings,
        }
    }

    /// Whether any finding fails the audit.
    pub fn has_violations(&self) -> bool {
        self.summary.violations > 0
    }
}

/// A finding about a photo, before the use context is filled in.
pub fn finding(kind: Kind, photo: Option<BlobId>, message: String) -> Finding {
    Finding {
        kind,
        severity: if kind.is_violation() {
            Severity::Violation
        } else {
            Severity::Warning
        },
        photo,
        use_id: None,
        outlet: None,
        url: None,
        part: None,
        expected: None,
        found: None,
        message,
    }
}

/// Check a photo's own metadata: credit year, caption date, handout source, cut credit,
/// blocks that disagree, missing fields.
pub fn check_photo(photo: &Photo) -> Vec<Finding> {
    let mut out = Vec::new();
    let id = Some(photo.id);
    for f in credit::check_photo(&photo.fields) {
        let kind = match f {
            credit::Finding::CreditYear { .. } => Kind::CreditYear,
            credit::Finding::CaptionDate { .. } => Kind::CaptionDate,
            credit::Finding::NoSource { .. } => Kind::NoSource,
            credit::Finding::CreditCut { .. } => Kind::CreditCut,
        };
        let mut x = finding(kind, id, f.message());
        if let credit::Finding::CreditCut { credit, .. } = &f {
            x.found = Some(credit.clone());
        }
        out.push(x);
    }
    for w in photo
        .warnings
        .iter()
        .filter(|w| w.contains("blocks disagree"))
    {
        out.push(finding(Kind::BlocksDisagree, id, w.clone()));
    }
    if !photo.missing.is_empty() {
        out.push(finding(
            Kind::Incomplete,
            id,
            format!("missing {}", photo.missing.join(", ")),
        ));
    }
    out
}

/// Check one publication's printed credit against the line `style` requires, part by part
/// ([`credit::judge`]): a wrong or missing part, or anything printed that the required line
/// lacks (`extra`), is a violation.
pub fn check_credit(photo: &Photo, printed: Option<&str>, style: &Style) -> Vec<Finding> {
    let required = credit::parts_of(&photo.fields);
    let expected = credit::render(&required, photo.fields.year, style);
    let id = Some(photo.id);
    let Some(printed) = printed.map(str::trim).filter(|p| !p.is_empty()) else {
        let mut f = finding(
            Kind::CreditMissing,
            id,
            format!(
                "published with no credit; {} style requires '{expected}'",
                style.name()
            ),
        );
        f.expected = Some(expected);
        return vec![f];
    };
    if expected.is_empty() {
        // Nothing to require: the record itself is incomplete (reported by check_photo).
        return Vec::new();
    }
    credit::judge(&required, photo.fields.year, style, printed)
        .into_iter()
        .map(|m| {
            let part = m.part;
            let what = match part {
                Part::Extra => format!("extra '{}' printed", m.printed),
                _ => format!(
                    "wrong {}: expected '{}', printed '{}'",
                    part_name(part),
                    m.expected,
                    m.printed
                ),
            };
            let mut f = finding(
                if part == Part::Missing {
                    Kind::CreditMissing
                } else {
                    Kind::CreditWrong
                },
                id,
                format!("{what} (whole line: expected '{expected}', printed '{printed}')"),
            );
            f.part = Some(part);
            f.expected = Some(expected.clone());
            f.found = Some(printed.to_string());
            f
        })
        .collect()
}

fn part_name(p: Part) -> &'static str {
    match p {
        Part::Agency => "agency",
        Part::Creator => "creator",
        Part::Year => "year",
        Part::Via => "via",
        Part::Misspelling => "spelling",
        Part::Extra => "extra",
        Part::Missing => "credit",
        Part::Other => "form",
    }
}

/// Check a recorded use: its credit in the outlet's style and its rights.
pub fn check_use(photo: &Photo, usage: &Use, style: &Style) -> Vec<Finding> {
    let mut out = check_credit(photo, usage.printed_credit.as_deref(), style);
    let r = &photo.rights;
    let at = usage.published;
    if let Some(until) = r.embargo_until
        && at < until
    {
        out.push(finding(
            Kind::Embargo,
            Some(photo.id),
            format!("published {at}, before the embargo ended at {until}"),
        ));
    }
    if let Some(end) = r.expires
        && at > end
    {
        out.push(finding(
            Kind::Expired,
            Some(photo.id),
            format!("published {at}, after the licence expired at {end}"),
        ));
    }
    if usage.commercial && r.editorial_only {
        out.push(finding(
            Kind::CommercialUse,
            Some(photo.id),
            "commercial use of a photo licensed for editorial use only".into(),
        ));
    }
    if let Some(t) = &usage.territory
        && r.restricted_territories
            .iter()
            .any(|c| c.eq_ignore_ascii_case(t))
    {
        out.push(finding(
            Kind::Territory,
            Some(photo.id),
            format!("published in {t}, where the photo may not be used"),
        ));
    }
    for f in &mut out {
        f.use_id = Some(usage.id);
        f.outlet = Some(usage.outlet.clone());
        f.url = Some(usage.url.clone());
    }
    out
}
