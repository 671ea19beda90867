//! An audit's findings, spilled to an unnamed temporary file as they are found and read back
//! in report order, so an audit of any size holds a small key per finding (24 bytes for a
//! finding about a use) rather than the findings, and its report is written as it is read.

use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};

use jiff::Timestamp;
use serde::ser::{Error as _, SerializeSeq, SerializeStruct};
use serde::{Serialize, Serializer};

use crate::audit::{AuditReport, Finding, Kind, Severity, Summary};
use crate::error::{Error, Result};
use crate::id::BlobId;

/// What the spill file is called in error messages (it has no name on disk).
const SPILL: &str = "the audit's temporary findings file";

/// Where a finding about a use lies in the spill file, and what orders it.
struct UseKey {
    offset: u64,
    use_id: u64,
    len: u32,
    rank: u8,
}

/// Where any other finding (about a photo's own metadata, or an unknown image) lies.
struct OtherKey {
    offset: u64,
    photo: Option<BlobId>,
    len: u32,
    rank: u8,
}

/// A finding's place in the report's order: violations first, then by kind.
fn rank(kind: Kind) -> u8 {
    (u8::from(!kind.is_violation()) << 5) | kind as u8
}

/// Findings being gathered: each is written to the spill file as it is found and counted.
pub(super) struct Spill {
    out: BufWriter<File>,
    at: u64,
    line: Vec<u8>,
    uses: Vec<UseKey>,
    others: Vec<OtherKey>,
    summary: Summary,
}

impl Spill {
    pub(super) fn new() -> Result<Spill> {
        let file = tempfile::tempfile().map_err(|e| Error::io(SPILL, e))?;
        Ok(Spill {
            out: BufWriter::with_capacity(1 << 16, file),
            at: 0,
            line: Vec::new(),
            uses: Vec::new(),
            others: Vec::new(),
            summary: Summary::default(),
        })
    }

    /// Write a finding out and count it.
    pub(super) fn push(&mut self, f: Finding) -> Result<()> {
        self.line.clear();
        serde_json::to_writer(&mut self.line, &f)
            .map_err(|e| Error::Corrupt(format!("a finding could not be written: {e}")))?;
        self.out
            .write_all(&self.line)
            .map_err(|e| Error::io(SPILL, e))?;
        let len = u32::try_from(self.line.len())
            .map_err(|_| Error::InvalidInput("a finding longer than 4 GB".into()))?;
        let (offset, rank) = (self.at, rank(f.kind));
        self.at += u64::from(len);
        match f.use_id {
            Some(use_id) => self.uses.push(UseKey {
                offset,
                use_id,
                len,
                rank,
            }),
            None => self.others.push(OtherKey {
                offset,
                photo: f.photo,
                len,
                rank,
            }),
        }
        match f.severity {
            Severity::Violation => self.summary.violations += 1,
            Severity::Warning => self.summary.warnings += 1,
        }
        *self
            .summary
            .by_kind
            .entry(f.kind.as_str().to_string())
            .or_default() += 1;
        Ok(())
    }

    /// Put the keys in report order and hand the findings over for reading.
    pub(super) fn finish(
        mut self,
        generated_at: Timestamp,
        outlet: Option<String>,
        since: Option<Timestamp>,
        photos_checked: usize,
        uses_checked: usize,
    ) -> Result<AuditStream> {
        let file = self
            .out
            .into_inner()
            .map_err(|e| Error::io(SPILL, e.into_error()))?;
        // Stable sorts: findings with the same key (the parts of one wrong credit) keep the
        // order they were found in. A use belongs to one photo, so its ledger number orders
        // it fully.
        self.uses.sort_by_key(|k| (k.rank, k.use_id));
        self.others.sort_by_key(|k| (k.rank, k.photo));
        self.summary.photos_checked = photos_checked;
        self.summary.uses_checked = uses_checked;
        Ok(AuditStream {
            generated_at,
            outlet,
            since,
            summary: self.summary,
            file,
            uses: self.uses,
            others: self.others,
        })
    }
}

/// A finished audit: its head, and its findings read back one at a time in the order of
/// [`AuditReport::new`] (violations first, then by kind, ledger number and photo).
/// Serialises exactly as the [`AuditReport`] it stands for (schema/audit.schema.json).
pub struct AuditStream {
    /// When the audit ran.
    pub generated_at: Timestamp,
    /// The outlet filter, if any.
    pub outlet: Option<String>,
    /// The date filter, if any.
    pub since: Option<Timestamp>,
    /// Counts.
    pub summary: Summary,
    file: File,
    uses: Vec<UseKey>,
    others: Vec<OtherKey>,
}

impl AuditStream {
    /// Whether any finding fails the audit.
    pub fn has_violations(&self) -> bool {
        self.summary.violations > 0
    }

    /// How many findings there are.
    pub fn len(&self) -> usize {
        self.uses.len() + self.others.len()
    }

    /// Whether nothing was found.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The findings in report order, read from the spill file one at a time. A finding
    /// about a photo sorts before one about a use of the same kind (it has no ledger number).
    pub fn findings(&self) -> impl Iterator<Item = Result<Finding>> + '_ {
        let mut uses = self.uses.iter().peekable();
        let mut others = self.others.iter().peekable();
        let mut buf = Vec::new();
        std::iter::from_fn(move || {
            let take_other = match (others.peek(), uses.peek()) {
                (Some(o), Some(u)) => o.rank <= u.rank,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (None, None) => return None,
            };
            let (offset, len) = if take_other {
                others.next().map(|o| (o.offset, o.len))?
            } else {
                uses.next().map(|u| (u.offset, u.len))?
            };
            Some(self.read(offset, len, &mut buf))
        })
    }

    fn read(&self, offset: u64, len: u32, buf: &mut Vec<u8>) -> Result<Finding> {
        let mut file = &self.file;
        buf.resize(len as usize, 0);
        file.seek(SeekFrom::Start(offset))
            .and_then(|_| file.read_exact(buf))
            .map_err(|e| Error::io(SPILL, e))?;
        serde_json::from_slice(buf).map_err(|e| Error::Corrupt(format!("{SPILL} is damaged: {e}")))
    }

    /// The whole report in memory (for the HTTP API and small audits).
    pub fn into_report(self) -> Result<AuditReport> {
        let findings = self.findings().collect::<Result<Vec<_>>>()?;
        Ok(AuditReport {
            generated_at: self.generated_at,
            outlet: self.outlet,
            since: self.since,
            summary: self.summary,
            findings,
        })
    }
}

/// The findings as a JSON array, read as they are written.
struct Findings<'a>(&'a AuditStream);

impl Serialize for Findings<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for f in self.0.findings() {
            seq.serialize_element(&f.map_err(S::Error::custom)?)?;
        }
        seq.end()
    }
}

impl Serialize for AuditStream {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut r = s.serialize_struct("AuditReport", 5)?;
        r.serialize_field("generated_at", &self.generated_at)?;
        r.serialize_field("outlet", &self.outlet)?;
        r.serialize_field("since", &self.since)?;
        r.serialize_field("summary", &self.summary)?;
        r.serialize_field("findings", &Findings(self))?;
        r.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::finding;

    /// Findings of several kinds, about uses and photos and neither, several for one use and
    /// several for one photo, in a scrambled order.
    fn scrambled() -> Vec<Finding> {
        let kinds = [
            Kind::CreditWrong,
            Kind::Incomplete,
            Kind::CreditMissing,
            Kind::UnknownImage,
            Kind::Embargo,
            Kind::CreditYear,
            Kind::BlocksDisagree,
            Kind::Territory,
        ];
        let mut out = Vec::new();
        let mut x: u64 = 7;
        for i in 0..400u64 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let kind = kinds[(x >> 33) as usize % kinds.len()];
            let photo = BlobId::of(&((x >> 40) % 50).to_le_bytes());
            let mut f = finding(kind, Some(photo), format!("finding {i}"));
            match kind {
                Kind::UnknownImage => f.photo = None,
                Kind::CreditYear | Kind::Incomplete | Kind::BlocksDisagree => {}
                _ => {
                    // A use is of one photo.
                    let use_id = (x >> 20) % 90;
                    f.use_id = Some(use_id);
                    f.photo = Some(BlobId::of(&use_id.to_be_bytes()));
                }
            }
            out.push(f);
        }
        out
    }

    #[test]
    fn spilled_findings_read_back_as_the_in_memory_report_orders_and_prints_them() {
        let now: Timestamp = "2026-01-02T03:04:05Z".parse().expect("time");
        let findings = scrambled();
        let mut spill = Spill::new().expect("spill");
        for f in findings.clone() {
            spill.push(f).expect("push");
        }
        let stream = spill
            .finish(now, Some("Le Soir".into()), None, 50, 90)
            .expect("finish");
        let report = AuditReport::new(now, Some("Le Soir".into()), None, 50, 90, findings);
        assert_eq!(stream.len(), report.findings.len());
        assert_eq!(
            serde_json::to_string_pretty(&stream).expect("stream json"),
            serde_json::to_string_pretty(&report).expect("report json"),
            "the streamed report prints exactly as the in-memory one"
        );
        assert_eq!(stream.into_report().expect("read back"), report);
    }

    #[test]
    fn an_empty_audit_streams_an_empty_array() {
        let now: Timestamp = "2026-01-02T03:04:05Z".parse().expect("time");
        let stream = Spill::new()
            .expect("spill")
            .finish(now, None, None, 0, 0)
            .expect("finish");
        assert!(stream.is_empty() && !stream.has_violations());
        let report = AuditReport::new(now, None, None, 0, 0, Vec::new());
        assert_eq!(
            serde_json::to_string_pretty(&stream).expect("json"),
            serde_json::to_string_pretty(&report).expect("json")
        );
    }
}
