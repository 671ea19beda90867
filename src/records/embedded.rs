//! [`Embedded`]: the records of a local store — the fsynced journal file (the truth) plus the
//! sled index that points into it — and their recovery: an index that is missing, unreadable,
//! of another layout or that does not fit the journal is rebuilt from it on open, and one a
//! crash left behind is caught up.
//!
//! One writer at a time (the store lock, held by `library`): a commit appends and fsyncs,
//! then applies to sled, so nothing here has to arbitrate between writers.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

use super::{Committed, Fill, PhotoPages, PhotosWithUses, Records, UsePages};
use crate::db::{After, Db, Derived, Query};
use crate::edit;
use crate::error::{Error, IoContext, Result};
use crate::id::BlobId;
use crate::journal::{Journal, Span};
use crate::model::{Change, Event, Photo, Rendition, Token, Use};

/// Events per sled transaction when applying journalled events. A transaction holds its
/// writes in memory and pins the log segments it touches until it commits, so smaller ones
/// use less memory and let sled clean sooner: at 10,000 photos a rebuild in transactions of
/// 4,096 events peaked at 310 MB RSS against 165 MB at 512, and an import's index came out up
/// to a fifth larger; below 512 neither changed much.
const EVENTS_PER_TRANSACTION: usize = 512;

/// The file, beside the journal, that keeps what rebuilds derived from originals
/// (`db::Derived`).
pub const DERIVED: &str = "derived.run";

/// The journal file and the sled index of one store.
pub struct Embedded {
    journal: Mutex<Journal>,
    db: Db,
    writable: bool,
    /// Events this handle has committed (an import or a bulk add commits thousands).
    written: AtomicU64,
}

impl Embedded {
    /// Open the journal `root/journal.jsonl` (created when `writable`) and the index
    /// `root/index`, and bring the index up to the journal. `fresh` throws the index away
    /// first (`byline reindex`, under the writer's lock); `fill` adjusts replayed events.
    /// Warnings (a torn last record dropped, an index rebuilt) go to `warnings`.
    pub fn open(
        root: &Path,
        writable: bool,
        fresh: bool,
        fill: &Fill,
        warnings: &mut Vec<String>,
    ) -> Result<Embedded> {
        let mut journal = Journal::open(root.join("journal.jsonl"), writable)?;
        let index = root.join("index");
        if fresh && index.exists() {
            fs::remove_dir_all(&index).at(&index)?;
        }
        let db = open_index(&index, fill, &mut journal, writable, warnings)?;
        Ok(Embedded {
            journal: Mutex::new(journal),
            db,
            writable,
            written: AtomicU64::new(0),
        })
    }

    fn journal(&self) -> Result<MutexGuard<'_, Journal>> {
        self.journal.lock().map_err(|_| {
            Error::Corrupt("an earlier write to the journal failed; open the store again".into())
        })
    }

    fn journal_path(&self) -> Result<PathBuf> {
        Ok(self.journal()?.path().to_path_buf())
    }
}

impl Records for Embedded {
    fn commit(&self, events: Vec<Event>, expect: &[(BlobId, u64)]) -> Result<Committed> {
        let mut journal = self.journal()?;
        for (id, revision) in expect {
            let now = self.db.photo(id)?.map(|p| p.revision);
            if now != Some(*revision) {
                return Err(super::stale(id, *revision, now));
            }
        }
        let mut out = Committed::default();
        let mut seen = std::collections::HashSet::new();
        let mut seq = journal.last_seq();
        for mut e in events {
            if let Change::PhotoAdded { photo } = &e.change
                && (!seen.insert(photo.id) || self.db.has_photo(&photo.id)?)
            {
                out.duplicates.push(photo.id);
                continue;
            }
            seq += 1;
            super::number(&mut e, seq);
            out.events.push(e);
        }
        if out.events.is_empty() {
            return Ok(out);
        }
        let spans = journal.append(&out.events)?;
        let applied: Vec<(Span, Event)> = spans.into_iter().zip(out.events).collect();
        apply_to_index(&self.db, &applied)?;
        self.written
            .fetch_add(applied.len() as u64, Ordering::Relaxed);
        out.events = applied.into_iter().map(|(_, e)| e).collect();
        Ok(out)
    }

    fn next_seq(&self) -> Result<u64> {
        Ok(self.journal()?.last_seq() + 1)
    }

    fn reindex(&self, fill: &Fill) -> Result<Vec<String>> {
        let mut journal = self.journal()?;
        self.db.clear()?;
        rebuild(&self.db, &mut journal, fill)
    }

    fn check_events(&self, mismatch: &mut dyn FnMut(String)) -> Result<()> {
        // A reader of its own: the writer's handle stays where appends continue.
        let mut journal = Journal::open(self.journal_path()?, false)?;
        let db = &self.db;
        journal.replay_from(0, 1, |events| {
            for (span, event) in events {
                let Some(id) = event.change.photo_id() else {
                    continue;
                };
                if !db.has_event(&id, event.seq, *span)? {
                    mismatch(match db.has_photo(&id)? {
                        true => format!("{id}: journal event {} is not in the index", event.seq),
                        false => format!("{id}: in the journal but not in the index"),
                    });
                }
            }
            Ok(())
        })?;
        let (applied, _) = db.applied()?;
        if applied != journal.last_seq() {
            mismatch(format!(
                "index has applied event {applied}, the journal ends at {}",
                journal.last_seq()
            ));
        }
        Ok(())
    }

    fn flush(&self) -> Result<()> {
        // The end of a writer's work (a command, a batch): a delta past a small threshold is
        // merged now, so the next command opens a small sled. A merge rewrites the whole
        // base, so the threshold grows with the store (a twentieth of its photos, up to the
        // regular one): a small edit on a large store never ends in minutes of rewriting.
        // A bulk write (this handle committed at least a fiftieth of the regular threshold:
        // an import, a folder added) ends with the index in runs only, whatever the delta
        // holds, so a freshly built store opens without a large sled.
        if self.writable {
            let every = self.db.compact_every();
            let floor = match self.written.load(Ordering::Relaxed) >= every / 50 {
                true => 1,
                false => (self.db.len()? / 20).min(every).max(every / 50),
            };
            self.db.compact_if_over(floor)?;
        }
        self.db.flush()
    }

    fn has_photo(&self, id: &BlobId) -> Result<bool> {
        self.db.has_photo(id)
    }

    fn photo(&self, id: &BlobId) -> Result<Option<Photo>> {
        self.db.photo(id)
    }

    fn ids_with_prefix(&self, prefix: &str, limit: usize) -> Result<Vec<BlobId>> {
        self.db.ids_with_prefix(prefix, limit)
    }

    fn history(&self, id: &BlobId) -> Result<Vec<Event>> {
        self.db.history(id)
    }

    fn pages(&self, q: &Query, after: Option<After>) -> Result<PhotoPages> {
        Ok(Box::new(self.db.pages(q, after)?))
    }

    fn all(&self) -> Result<PhotoPages> {
        Ok(Box::new(self.db.all()?))
    }

    fn all_with_uses(&self) -> Result<PhotosWithUses<'_>> {
        Ok(Box::new(self.db.all_with_uses()?))
    }

    fn len(&self) -> Result<u64> {
        self.db.len()
    }

    fn is_empty(&self) -> Result<bool> {
        self.db.is_empty()
    }

    fn rendition(&self, id: &BlobId) -> Result<Option<Rendition>> {
        self.db.rendition(id)
    }

    fn has_rendition(&self, id: &BlobId) -> Result<bool> {
        self.db.has_rendition(id)
    }

    fn renditions_with_prefix(&self, prefix: &str, limit: usize) -> Result<Vec<Rendition>> {
        self.db.renditions_with_prefix(prefix, limit)
    }

    fn renditions_of(&self, photo: &BlobId) -> Result<Vec<Rendition>> {
        self.db.renditions_of(photo)
    }

    fn photos_sharing_words(&self, words: &[String]) -> Result<Vec<(BlobId, usize)>> {
        self.db.photos_sharing_words(words)
    }

    fn uses<'a>(
        &'a self,
        photo: Option<&BlobId>,
        outlet: Option<&str>,
        after: Option<u64>,
    ) -> Result<UsePages<'a>> {
        self.db.uses(photo, outlet, after)
    }

    fn page_uses(&self, photo: &BlobId, outlet: &str, url: &str) -> Result<Vec<Use>> {
        self.db.page_uses(photo, outlet, url)
    }

    fn similar(&self, fp: u64, bits: u32, limit: usize) -> Result<Vec<(BlobId, u32)>> {
        self.db.similar(fp, bits, limit)
    }

    fn tokens(&self) -> Result<Vec<Token>> {
        self.db.tokens()
    }
}

/// Open the index at `dir` and catch it up with the journal. An index sled cannot read, of
/// another layout, or that does not fit the journal is thrown away and rebuilt from it.
/// A reader opens the runs alone when the delta is empty and nothing is to be caught up
/// (`Db::open_runs_only`). Only a writer (`writable`) merges the delta into new runs while
/// catching up: a reader
/// applies the events it finds past the index to the delta and leaves merging to the next
/// writer, so a read-only command never spends minutes rewriting runs.
fn open_index(
    dir: &Path,
    fill: &Fill,
    journal: &mut Journal,
    writable: bool,
    warnings: &mut Vec<String>,
) -> Result<Db> {
    // A reader of an index whose delta is empty and that is not behind the journal needs only
    // the runs: sled is not opened (nor written to). Anything else, or any doubt, opens sled.
    if !writable && let Ok(Some(db)) = Db::open_runs_only(dir, journal.path()) {
        return Ok(db);
    }
    let why = match open_db_waiting(dir, journal.path()) {
        // A new index (or one `reindex` threw away) is built straight into runs.
        Ok(db)
            if db.applied()?.0 == 0
                && fs::metadata(journal.path()).at(journal.path())?.len() > 0 =>
        {
            warnings.extend(rebuild(&db, journal, fill)?);
            return Ok(db);
        }
        Ok(db) => {
            let (seq, offset) = db.applied()?;
            let next = seq.saturating_add(1);
            match journal.replay_from(offset, next, |events| replay(&db, events, fill, writable)) {
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
    warnings.extend(rebuild(&db, journal, fill)?);
    Ok(db)
}

/// Replay the whole journal into the empty index `db`, straight into runs (`db::Bulk`).
/// What `fill` derives from originals comes from the cache [`DERIVED`] beside the journal
/// when it is there, and is added to it when it is not.
fn rebuild(db: &Db, journal: &mut Journal, fill: &Fill) -> Result<Vec<String>> {
    let path = journal.path().with_file_name(DERIVED);
    let mut derived = Derived::open(&path);
    let mut bulk = db.bulk()?;
    let mut warnings = journal.replay_from(0, 1, |events| {
        let filled = filled_cached(events, fill, &mut derived);
        bulk.apply(filled.as_deref().unwrap_or(events), &edit::apply)
    })?;
    bulk.finish()?;
    db.flush()?;
    // Only a cache: the next rebuild decodes again.
    if let Err(e) = derived.save() {
        warnings.push(format!("the cache of crop fingerprints was not saved: {e}"));
    }
    Ok(warnings)
}

/// As [`filled`] for a rebuild, where `fill` is expected to change only added photos with a
/// whole-picture fingerprint and no crop fingerprints (by computing those from the original):
/// their crop fingerprints come from `derived` when it holds them, and are otherwise
/// computed by `fill` on every core and kept in `derived` (8 bytes each, big-endian).
fn filled_cached(
    events: &[(Span, Event)],
    fill: &Fill,
    derived: &mut Derived,
) -> Option<Vec<(Span, Event)>> {
    let mut filled: Option<Vec<(Span, Event)>> = None;
    let mut misses = Vec::new();
    for (i, (_, e)) in events.iter().enumerate() {
        let Change::PhotoAdded { photo } = &e.change else {
            continue;
        };
        let o = &photo.original;
        if o.fingerprint.is_none() || !o.crop_fingerprints.is_empty() {
            continue;
        }
        match derived.get(photo.id.as_bytes()) {
            Some(packed) => {
                if packed.is_empty() {
                    continue;
                }
                let mut new = e.clone();
                if let Change::PhotoAdded { photo } = &mut new.change {
                    photo.original.crop_fingerprints = packed
                        .chunks_exact(8)
                        .map(|c| {
                            format!(
                                "{:016x}",
                                u64::from_be_bytes(c.try_into().unwrap_or([0; 8]))
                            )
                        })
                        .collect();
                }
                filled.get_or_insert_with(|| events.to_vec())[i].1 = new;
            }
            None => misses.push(i),
        }
    }
    for (i, new) in fill_parallel(events, &misses, fill) {
        let Some(new) = new else { continue };
        if let Change::PhotoAdded { photo } = &new.change {
            let packed: Option<Vec<u8>> = photo
                .original
                .crop_fingerprints
                .iter()
                .map(|c| u64::from_str_radix(c, 16).ok().map(u64::to_be_bytes))
                .collect::<Option<Vec<_>>>()
                .map(|words| words.concat());
            if let Some(packed) = packed {
                derived.put(photo.id.as_bytes(), &packed);
            }
        }
        filled.get_or_insert_with(|| events.to_vec())[i].1 = new;
    }
    filled
}

/// `fill` of the events at `which`, split between the machine's cores (it decodes pixels).
fn fill_parallel(
    events: &[(Span, Event)],
    which: &[usize],
    fill: &Fill,
) -> Vec<(usize, Option<Event>)> {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get().min(8));
    if which.len() < 2 || cores < 2 {
        return which.iter().map(|&i| (i, fill(&events[i].1))).collect();
    }
    let per = which.len().div_ceil(cores);
    std::thread::scope(|s| {
        let parts: Vec<_> = which
            .chunks(per)
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .map(|&i| (i, fill(&events[i].1)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        parts
            .into_iter()
            // A panicking decoder loses only its photos' crop fingerprints.
            .flat_map(|p| p.join().unwrap_or_default())
            .collect()
    })
}

/// Apply events replayed from the journal to the index, each first offered to `fill`;
/// merging the delta into runs when it is due only if `compact`.
fn replay(db: &Db, events: &[(Span, Event)], fill: &Fill, compact: bool) -> Result<()> {
    let filled = filled(events, fill);
    let events = filled.as_deref().unwrap_or(events);
    match compact {
        true => apply_to_index(db, events),
        false => events
            .chunks(EVENTS_PER_TRANSACTION)
            .try_for_each(|chunk| db.apply(chunk, &edit::apply)),
    }
}

/// The events as `fill` adjusts them, or `None` when it changes none.
fn filled(events: &[(Span, Event)], fill: &Fill) -> Option<Vec<(Span, Event)>> {
    let mut filled: Option<Vec<(Span, Event)>> = None;
    for (i, (_, e)) in events.iter().enumerate() {
        if let Some(new) = fill(e) {
            filled.get_or_insert_with(|| events.to_vec())[i].1 = new;
        }
    }
    filled
}

/// Apply journalled events to the index, [`EVENTS_PER_TRANSACTION`] per sled transaction,
/// merging the index's delta into new runs whenever it has grown past its threshold.
fn apply_to_index(db: &Db, events: &[(Span, Event)]) -> Result<()> {
    for chunk in events.chunks(EVENTS_PER_TRANSACTION) {
        db.apply(chunk, &edit::apply)?;
        db.compact_if_due()?;
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
