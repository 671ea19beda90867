//! Whole-store operations: export lines, import and verify.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::Library;
use crate::edit;
use crate::error::{Error, Result};
use crate::id::BlobId;
use crate::model::{Change, Event, Photo};

/// One line of `byline export`: a record with its whole history.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExportLine {
    /// The current record.
    pub photo: Photo,
    /// Every event that shaped it, oldest first.
    pub history: Vec<Event>,
}

impl ExportLine {
    /// Replay the line's history to prove it leads to its record, as `import` does before
    /// taking it (in memory; nothing is stored).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when an event concerns another photo or the history does not
    /// lead to the record; [`Error::Corrupt`] when an event cannot follow the ones before it.
    pub fn check(&self) -> Result<()> {
        let id = self.photo.id;
        let mut state = None;
        for e in &self.history {
            if e.change.photo_id() != Some(id) {
                return Err(Error::InvalidInput(format!(
                    "export line for {id} has an event (seq {}) for something else",
                    e.seq
                )));
            }
            state = edit::apply(state, e)?;
        }
        if state.as_ref() != Some(&self.photo) {
            return Err(Error::InvalidInput(format!(
                "export line for {id}: its history does not lead to its record"
            )));
        }
        Ok(())
    }
}

/// What `import` did.
#[derive(Debug, Default, Clone, Serialize)]
pub struct ImportSummary {
    /// Photos added from the file.
    pub imported: usize,
    /// Photos already in the store, left as they are.
    pub already_present: usize,
    /// Imported records whose original is not in this store's blobs.
    pub without_original: Vec<BlobId>,
}

/// What `verify` found; everything empty means the store is sound.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct VerifyReport {
    /// Blobs checked by re-hashing.
    pub blobs_checked: usize,
    /// Records checked against the journal.
    pub records_checked: usize,
    /// Blobs whose bytes do not hash to their name.
    pub corrupt_blobs: Vec<BlobId>,
    /// Records whose original blob is missing.
    pub missing_originals: Vec<BlobId>,
    /// Renditions whose blob is missing.
    pub missing_renditions: Vec<BlobId>,
    /// Blobs no record refers to.
    pub orphan_blobs: Vec<BlobId>,
    /// Files in the blob folder that are not blobs (leftover temp files, strays).
    pub stray_files: Vec<String>,
    /// Records where the index differs from a replay of the journal.
    pub index_mismatches: Vec<String>,
    /// Orphan blobs removed by `verify --repair` (they no longer count as findings).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removed_orphans: Vec<BlobId>,
    /// Orphans `verify --repair` kept because they were stored too recently to be sure no
    /// other server is about to commit their event (shared stores only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub young_orphans: Vec<BlobId>,
}

impl VerifyReport {
    /// Whether nothing is wrong.
    pub fn is_clean(&self) -> bool {
        self.corrupt_blobs.is_empty()
            && self.missing_originals.is_empty()
            && self.missing_renditions.is_empty()
            && self.orphan_blobs.is_empty()
            && self.stray_files.is_empty()
            && self.index_mismatches.is_empty()
    }
}

impl Library {
    /// Add records from an export. Photos already present are left alone, so importing the
    /// same file twice changes nothing. Events keep their original time and actor.
    pub fn import(&mut self, lines: Vec<ExportLine>) -> Result<ImportSummary> {
        self.require_writer()?;
        let mut summary = ImportSummary::default();
        for line in lines {
            let id = line.photo.id;
            if self.pending_ids.contains(&id) || self.reader.db.has_photo(&id)? {
                summary.already_present += 1;
                continue;
            }
            line.check()?;
            for mut e in line.history {
                let seq = self.next_seq();
                // A use's ledger number is the sequence number of the event recording it.
                if let Change::UseRecorded { usage } = &mut e.change {
                    usage.id = seq;
                }
                self.pending.push(Event { seq, ..e });
            }
            self.pending_ids.insert(id);
            if !self.reader.blobs.contains(&id) {
                summary.without_original.push(id);
            }
            summary.imported += 1;
        }
        self.commit()?;
        Ok(summary)
    }

    /// `verify --repair`: remove the orphan blobs `report` lists (bytes no record or
    /// rendition names, such as an upload to an object store whose event was never written),
    /// checking each against the index again first. Moves them from `orphan_blobs` to
    /// `removed_orphans`.
    ///
    /// On a store other writers share (records in PostgreSQL), a blob stored less than
    /// `min_age` ago is kept: it may be an upload whose event another server is about to
    /// commit, and removing it would leave that event without its bytes.
    pub fn remove_orphans(&mut self, report: &mut VerifyReport, min_age: Duration) -> Result<()> {
        self.require_writer()?;
        let db = &self.reader.db;
        let shared = self.is_shared();
        let mut kept = Vec::new();
        for id in std::mem::take(&mut report.orphan_blobs) {
            if self.pending_ids.contains(&id) || db.has_photo(&id)? || db.has_rendition(&id)? {
                kept.push(id);
                continue;
            }
            if shared && self.reader.blobs.age(&id)?.is_some_and(|age| age < min_age) {
                report.young_orphans.push(id);
                kept.push(id);
                continue;
            }
            self.reader.blobs.remove(&id)?;
            report.removed_orphans.push(id);
        }
        report.orphan_blobs = kept;
        Ok(())
    }

    /// Check everything: re-hash every blob, check every record has its original, and
    /// compare the index with the journal both ways: each record must be what its own
    /// journal events make, and each journal event must be in the index. Streams: it holds
    /// the blob listing (32 bytes a blob), never the records.
    pub fn verify(&self) -> Result<VerifyReport> {
        let db = &self.reader.db;
        let mut report = VerifyReport::default();
        let listing = self.reader.blobs.ids()?;
        report.stray_files = listing.strays;
        report.stray_files.extend(
            listing
                .staged
                .iter()
                .map(|n| format!("incoming/{n} (staged by an interrupted writer)")),
        );
        let mut stored = listing.ids;
        stored.sort_unstable();
        stored.dedup();
        for id in &stored {
            report.blobs_checked += 1;
            match self.reader.blobs.get(id) {
                Ok(bytes) if BlobId::of(&bytes) == *id => {}
                _ => report.corrupt_blobs.push(*id),
            }
            if !db.has_photo(id)? && !db.has_rendition(id)? {
                report.orphan_blobs.push(*id);
            }
        }
        let on_disk = |id: &BlobId| stored.binary_search(id).is_ok();
        let mut mismatches = Mismatches::default();
        for photo in db.all()? {
            let photo = photo?;
            report.records_checked += 1;
            if !on_disk(&photo.id) {
                report.missing_originals.push(photo.id);
            }
            for r in db.renditions_of(&photo.id)? {
                if !on_disk(&r.id) && report.missing_renditions.last() != Some(&r.id) {
                    report.missing_renditions.push(r.id);
                }
            }
            // The record must be what its own journal events make.
            let mut state = None;
            let mut why = None;
            for e in db.history(&photo.id)? {
                if e.change.photo_id() != Some(photo.id) {
                    why = Some(format!(
                        "its history holds event {} of something else",
                        e.seq
                    ));
                    break;
                }
                match edit::apply(state, &e) {
                    Ok(next) => state = next,
                    Err(e) => {
                        why = Some(e.to_string());
                        state = None;
                        break;
                    }
                }
            }
            match (why, state) {
                (Some(why), _) => mismatches.push(format!("{}: {why}", photo.id)),
                (None, Some(p)) if p == photo => {}
                (None, _) => mismatches.push(format!(
                    "{}: index record differs from the journal",
                    photo.id
                )),
            }
        }
        // Every event about a photo must be in that photo's indexed history.
        db.check_events(&mut |m| mismatches.push(m))?;
        report.index_mismatches = mismatches.finish();
        Ok(report)
    }
}

/// Index mismatches, kept to a readable number (a wrong index is rebuilt whole by
/// `byline reindex`, so the first thousand say enough).
#[derive(Default)]
struct Mismatches {
    kept: Vec<String>,
    more: usize,
}

impl Mismatches {
    const KEEP: usize = 1000;

    fn push(&mut self, m: String) {
        if self.kept.len() < Self::KEEP {
            self.kept.push(m);
        } else {
            self.more += 1;
        }
    }

    fn finish(mut self) -> Vec<String> {
        if self.more > 0 {
            self.kept
                .push(format!("… and {} more index mismatches", self.more));
        }
        self.kept
    }
}
