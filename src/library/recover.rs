//! Recovery: the index opened and caught up with the journal, rebuilt when it does not fit,
//! and blobs a crashed writer left staged settled.

use std::fs;
use std::path::Path;

use super::Library;
use crate::blob::BlobBackend;
use crate::db::Db;
use crate::edit;
use crate::error::{Error, IoContext, Result};
use crate::id::BlobId;
use crate::journal::{Journal, Span};
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

    /// Empty the index and replay the whole journal into it (`byline reindex`).
    pub fn rebuild_index(&mut self) -> Result<()> {
        self.require_writer()?;
        self.reader.db.clear()?;
        let db = &self.reader.db;
        let blobs = &*self.reader.blobs;
        let warnings = self
            .journal
            .replay_from(0, 1, |events| replay_to_index(db, blobs, events))?;
        self.warnings.extend(warnings);
        db.flush()
    }
}

/// Open the index at `dir` and catch it up with the journal. An index sled cannot read, of
/// another layout, or that does not fit the journal is thrown away and rebuilt from it.
pub(super) fn open_index(
    dir: &Path,
    blobs: &dyn BlobBackend,
    journal: &mut Journal,
    warnings: &mut Vec<String>,
) -> Result<Db> {
    let why = match open_db_waiting(dir, journal.path()) {
        Ok(db) => {
            let (seq, offset) = db.applied()?;
            let next = seq.saturating_add(1);
            match journal.replay_from(offset, next, |events| replay_to_index(&db, blobs, events)) {
                Ok(dropped) => {
                    warnings.extend(dropped);
                    return Ok(db);
                }
                // The index does not fit this journal (journal damage is `Corrupt`, which
                // a rebuild cannot mend: it goes to the user).
                Err(Error::Db(why)) => format!("index does not fit the journal ({why})"),
                Err(e) => return Err(e),
            }
            // `db` is dropped here, closing sled before its folder is removed.
        }
        Err(e @ Error::Locked { .. }) => return Err(e),
        // The inner message only: the rebuild that `Error::Db` suggests happens right here.
        Err(Error::Db(why)) => format!("index unreadable: {why}"),
        Err(e) => format!("index unreadable: {e}"),
    };
    warnings.push(format!("{why}; rebuilding it from the journal"));
    if dir.exists() {
        fs::remove_dir_all(dir).at(dir)?;
    }
    let db = open_db_waiting(dir, journal.path())?;
    warnings.extend(journal.replay_from(0, 1, |events| replay_to_index(&db, blobs, events))?);
    db.flush()?;
    Ok(db)
}

/// Apply events replayed from the journal to the index, giving photos added before byline
/// kept crop fingerprints theirs from the original's pixels (`Original::crop_fingerprints`):
/// so `byline reindex`, or any rebuild, lets `identify` find crops of old photos too. The
/// blob is immutable and named by its hash, so this is as repeatable as the journal itself.
fn replay_to_index(db: &Db, blobs: &dyn BlobBackend, events: &[(Span, Event)]) -> Result<()> {
    let lacks_crops = |e: &Event| match &e.change {
        Change::PhotoAdded { photo } => {
            photo.original.fingerprint.is_some() && photo.original.crop_fingerprints.is_empty()
        }
        _ => false,
    };
    if !events.iter().any(|(_, e)| lacks_crops(e)) {
        return apply_to_index(db, events);
    }
    let mut filled = events.to_vec();
    for (_, e) in &mut filled {
        if let Change::PhotoAdded { photo } = &mut e.change
            && photo.original.fingerprint.is_some()
            && photo.original.crop_fingerprints.is_empty()
            // A missing or undecodable blob keeps its whole-picture fingerprint only
            // (`verify` reports the blob).
            && let Ok(prints) = blobs.get(&photo.id).and_then(|b| rendition::prints(&b))
        {
            photo.original.crop_fingerprints =
                prints.crops.iter().map(|c| format!("{c:016x}")).collect();
        }
    }
    apply_to_index(db, &filled)
}

/// Events per sled transaction when applying journalled events. A transaction holds its
/// writes in memory and pins the log segments it touches until it commits, so smaller ones
/// use less memory and let sled clean sooner: at 10,000 photos a rebuild in transactions of
/// 4,096 events peaked at 310 MB RSS against 165 MB at 512, and an import's index came out up
/// to a fifth larger; below 512 neither changed much.
const EVENTS_PER_TRANSACTION: usize = 512;

/// Apply journalled events to the index, [`EVENTS_PER_TRANSACTION`] per sled transaction.
pub(super) fn apply_to_index(db: &Db, events: &[(Span, Event)]) -> Result<()> {
    for chunk in events.chunks(EVENTS_PER_TRANSACTION) {
        db.apply(chunk, &edit::apply)?;
    }
    Ok(())
}

/// Open sled, waiting briefly while another reader has it open (sled allows one process).
fn open_db_waiting(dir: &Path, journal: &Path) -> Result<Db> {
    let mut tries = 0;
    loop {
        match Db::open(dir, journal) {
            Err(Error::Locked { .. }) if tries < 250 => {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            other => return other,
        }
    }
}
