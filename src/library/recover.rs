//! Recovery: blobs a crashed writer left staged settled, and the index rebuilt from the
//! events (giving old photos what a rebuild can now derive from their originals).

use super::Library;
use crate::blob::BlobBackend;
use crate::error::Result;
use crate::id::BlobId;
use crate::model::{Change, Event};
use crate::rendition;

impl Library {
    /// Publish blobs a crashed writer staged and journalled; delete the ones it never
    /// journalled (they were never reported as stored).
    pub(super) fn recover_blobs(&mut self) -> Result<()> {
        let db = &self.reader.db;
        // Existence only (no record decoded); an index error stops the recovery.
        let known = |id: &BlobId| Ok(db.has_photo(id)? || db.has_rendition(id)?);
        let (published, discarded) = self.reader.blobs.recover(&known)?;
        if published + discarded > 0 {
            self.warnings.push(format!(
                "an interrupted write was settled: {published} journalled blobs put in place, \
                 {discarded} unjournalled staged files removed"
            ));
        }
        Ok(())
    }

    /// Empty the index and replay every event into it (`byline reindex`).
    pub fn rebuild_index(&mut self) -> Result<()> {
        self.require_writer()?;
        let blobs = &*self.reader.blobs;
        let warnings = self.reader.db.reindex(&|e| with_crops(blobs, e))?;
        self.warnings.extend(warnings);
        Ok(())
    }
}

/// A replayed `PhotoAdded` of a photo added before byline kept crop fingerprints
/// (`Original::crop_fingerprints`), with them computed from the original's pixels: so
/// `byline reindex`, or any rebuild, lets `identify` find crops of old photos too. The blob
/// is immutable and named by its hash, so this is as repeatable as the events themselves.
/// `None` for every other event, and when the blob is missing or does not decode (`verify`
/// reports it; the photo keeps its whole-picture fingerprint only).
pub(super) fn with_crops(blobs: &dyn BlobBackend, event: &Event) -> Option<Event> {
    let Change::PhotoAdded { photo } = &event.change else {
        return None;
    };
    if photo.original.fingerprint.is_none() || !photo.original.crop_fingerprints.is_empty() {
        return None;
    }
    let prints = blobs
        .get(&photo.id)
        .and_then(|b| rendition::prints(&b))
        .ok()?;
    let mut filled = event.clone();
    if let Change::PhotoAdded { photo } = &mut filled.change {
        photo.original.crop_fingerprints =
            prints.crops.iter().map(|c| format!("{c:016x}")).collect();
    }
    Some(filled)
}
