//! The index: trees derived from the journal. The only module that touches sled.
//!
//! Each tree is in two tiers (`tier.rs`): the bulk in an immutable sorted run per tree
//! (`run.rs`: prefix-compressed blocks, a block index read on first use, positioned reads),
//! and in sled only what changed since the runs were written, with tombstones for removals.
//! Every read merges the delta over the base. So opening costs the same at any size (sled
//! holds a bounded delta; opening sled costs time in proportion to its pages). When the delta
//! holds [`COMPACT_EVERY`] events, and after a rebuild, base and delta are merged into a new
//! generation of runs behind an atomically replaced pointer (`generation.rs`); a rebuild from
//! the journal writes runs directly (`bulk.rs`). A reader of an index whose delta is empty
//! (a marker beside `CURRENT` says so, written before the delta is first touched) and that
//! is not behind the journal opens the runs alone ([`Db::open_runs_only`]): sled is neither
//! read nor written.
//!
//! Nothing here is the truth — every tree can be rebuilt by replaying the journal — so sled's
//! lack of fsync (0.34 `flush` uses `sync_file_range`) loses nothing: `applied_seq` is written in
//! the same transaction as the records it covers, and events past it are replayed on open.
//! Runs and the pointer are fsynced.
//!
//! Trees and keys (integers big-endian so keys sort; `pn` is a photo's number in the index,
//! 8 bytes, given in journal order; `order` = added_at (12 bytes) ‖ pn, see `key.rs`):
//! - `meta`: `applied_seq`, `applied_offset` (journal byte offset), `next_pn`,
//!   `photos` (count)
//! - `ids`: id (32) → pn; `photos`: pn → id ‖ record, where the record is the journal span of
//!   its `PhotoAdded` event while it is unedited, else deflated JSON
//! - `history`: pn ‖ seq → journal span of the event (never a copy of it)
//! - `idx_added`: order → (): the order `list` answers in, so a page starts with a seek
//! - `idx_agency`, `idx_creator`: normalised name ‖ 0 ‖ order → ()
//! - `idx_year`: year (i32, sign-flipped) ‖ order → ()
//! - `idx_word`: word ‖ 0 ‖ order → () (caption, headline, keywords and the other text fields)
//! - `idx_incomplete`: order → ()
//! - `fingerprints`: pn / 64 → the fingerprints (dHash, u64: whole picture and standard
//!   crops) of those 64 photos, packed (`prints.rs`)
//! - `renditions`: rendition key → Rendition JSON, where rendition key = rendition id ‖ photo ‖
//!   spec (max side u32, format u8, quality u8): two presets can give the same bytes (a small
//!   original is never upscaled), and each keeps its own record;
//!   `idx_rendition_photo`: photo ‖ rendition key → ()
//! - `uses`: ledger number → journal span; `idx_use_photo`: pn ‖ ledger number;
//!   `idx_use_outlet`: normalised outlet ‖ 0 ‖ ledger number; `idx_use_page`: pn ‖ hash of
//!   outlet and URL (16) ‖ ledger number, so a crawl finds a page's earlier use of a photo
//!   without reading the photo's other uses
//! - `tokens`: token name → Token JSON (hashes only)
//!
//! Besides these, sled's plain `meta` tree (not tiered) holds `schema` and which generation
//! each delta set belongs to (`generation.rs`).
//!
//! A filtered page is a merge: each filter is a sorted range of order keys, and the ranges
//! are walked together by seeking each to the largest key any other has reached (a leapfrog
//! join), so the first page of any query reads a few keys per result, never every match.

mod bulk;
mod derived;
mod generation;
mod key;
mod prints;
mod read;
mod run;
mod tier;
mod write;

pub use bulk::Bulk;
pub use derived::Derived;
pub use key::{indexed_words, normal_name, words};
pub use prints::prints_of;
pub use read::{COMMON_WORD, Pages, UsePages};

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use sled::Tree;
use sled::transaction::{ConflictableTransactionError, TransactionError};

use crate::error::{Error, Result};
use crate::id::BlobId;
use crate::journal::EventReader;
use crate::model::{Event, Photo};
use generation::Gen;
use tier::T;

/// Version of the tree layout above; an index of another version is rebuilt on open.
/// 4: photo numbers, journal spans instead of copied events, the outlet index.
/// 5: fingerprints packed in blocks of photos rather than one key each.
/// 6: the page index of uses.
/// 7: two tiers: sorted runs under a sled delta with tombstones (`generation.rs`).
pub const SCHEMA: u32 = 7;

/// sled's page cache. Small on purpose: reads are by key, and `verify` and `audit` stream
/// the whole index through it under a 300 MB budget.
const CACHE_BYTES: u64 = 64 << 20;

/// How often sled's background thread writes its buffers out and then moves live pages out
/// of mostly-dead log segments so they can be reused. At sled's default (500 ms) a bulk write
/// (`import`, a rebuild) outruns that cleaning and the log file grows to several times the live
/// data, and sled never shrinks it: at 10,000 photos an import left 3.7 KB a photo and a
/// rebuild 5.0 KB; at 10 ms, 1.4 KB and 1.8 KB (README, "A store of many photos"). When
/// nothing was written a round costs an fsync of an unchanged file.
const FLUSH_EVERY_MS: u64 = 10;

/// Journal events the delta may hold before the writer compacts it into new runs. Opening
/// sled costs time in proportion to what it holds (it rebuilds its page table), so the delta
/// stays small enough to open in a few milliseconds; each compaction rewrites the whole base.
/// A file `compact-every` in the index folder (a number) overrides it: tests set 1 to merge
/// after every commit.
pub const COMPACT_EVERY: u64 = 50_000;

/// The index of a store. Cloning is cheap and gives another handle on the same index (it is
/// safe to read from many threads while one writes; a compaction switches every handle).
#[derive(Clone)]
pub struct Db {
    shared: Arc<Shared>,
}

struct Shared {
    /// With the plain `meta` tree (not tiered: the layout version and the generation each delta
    /// set belongs to); `None` when opened from the runs alone ([`Db::open_runs_only`]).
    sled: Option<(sled::Db, Tree)>,
    dir: PathBuf,
    events: EventReader,
    current: RwLock<Arc<Gen>>,
    /// Journal events applied to the delta since the base was written.
    delta_events: AtomicU64,
    /// Whether the marker (`generation.rs`) already says the current delta is not empty.
    marked_dirty: AtomicBool,
    compact_every: u64,
}

/// Gives the record after an event from the record before it (`edit::apply`).
pub type Reducer = dyn Fn(Option<Photo>, &Event) -> Result<Option<Photo>>;

/// Where a page of [`Db::list`] starts: just after the photo added at this time (ns since
/// the epoch) with this id.
pub type After = (i128, BlobId);

/// Filters for [`Db::list`]; every given filter must match.
#[derive(Debug, Clone, Default)]
pub struct Query {
    /// Agency name, case-insensitive.
    pub agency: Option<String>,
    /// A creator's full name, case-insensitive.
    pub creator: Option<String>,
    /// The photo's year.
    pub year: Option<i32>,
    /// Words that must all appear (as word prefixes) in the photo's text fields.
    pub text: Option<String>,
    /// Only photos with missing fields.
    pub incomplete: bool,
}

fn db_err(e: sled::Error) -> Error {
    Error::Db(e.to_string())
}

fn abort(e: Error) -> ConflictableTransactionError<Error> {
    ConflictableTransactionError::Abort(e)
}

fn tx_err(e: TransactionError<Error>) -> Error {
    match e {
        TransactionError::Abort(e) => e,
        TransactionError::Storage(e) => db_err(e),
    }
}

/// Whether every delta tree of `g` is empty.
fn empty_delta(g: &Gen) -> Result<bool> {
    for t in T::ALL {
        if let Some(d) = &g.tier(t).delta
            && !d.is_empty()
        {
            return Ok(false);
        }
    }
    Ok(true)
}

impl Db {
    /// Open (or create) the index at `dir` over the journal at `journal` (whose events it
    /// points into). Fails with [`Error::Db`] if it cannot be read or has another layout;
    /// the caller then rebuilds from the journal.
    pub fn open(dir: &Path, journal: &Path) -> Result<Db> {
        let db = sled::Config::new()
            .path(dir)
            .cache_capacity(CACHE_BYTES)
            .mode(sled::Mode::LowSpace)
            .flush_every_ms(Some(FLUSH_EVERY_MS))
            .open()
            .map_err(|e| {
                // sled holds its own exclusive file lock; another process has the index open.
                if e.to_string().contains("could not acquire lock") {
                    Error::Locked {
                        path: dir.to_path_buf(),
                        holder: "another byline command".into(),
                    }
                } else {
                    db_err(e)
                }
            })?;
        let plain_meta = db.open_tree("meta").map_err(db_err)?;
        let schema = match plain_meta.get("schema").map_err(db_err)? {
            Some(v) => Some(key::u64_at(&v, 0)?),
            None => None,
        };
        let first = match (schema, generation::read_pointer(dir)?) {
            // A fresh index (sled made its default tree and `meta` only).
            (None, None) if db.tree_names().len() <= 2 => {
                plain_meta
                    .insert("schema", &u64::from(SCHEMA).to_be_bytes())
                    .map_err(db_err)?;
                generation::create(&db, &plain_meta, dir)?
            }
            (Some(v), Some((number, set))) if v == u64::from(SCHEMA) => {
                generation::load(&db, &plain_meta, dir, number, set)?
            }
            (Some(v), None) if v == u64::from(SCHEMA) => {
                return Err(Error::Db(
                    "its generation pointer (CURRENT) is missing".into(),
                ));
            }
            (other, _) => {
                let found = other.map_or("none".into(), |v| v.to_string());
                return Err(Error::Db(format!(
                    "it was made by another version of byline (layout {found}; this version \
                     uses {SCHEMA})"
                )));
            }
        };
        let mut marked_dirty = !generation::marked_empty(dir, first.number);
        // An index the marker does not call empty (made before the marker, or whose delta
        // a compaction or a lost write emptied): say so when it is, for the next reader. Only
        // a hint, so a failure to write it leaves the marker as it was.
        if marked_dirty
            && empty_delta(&first)?
            && generation::write_marker(dir, first.number, true).is_ok()
        {
            marked_dirty = false;
        }
        let out = Db::assemble(dir, journal, Some((db, plain_meta)), first, marked_dirty)?;
        let base = match out
            .current()
            .tier(T::Meta)
            .base
            .get(b"applied_seq")?
            .flatten()
        {
            Some(v) => key::u64_at(&v, 0)?,
            None => 0,
        };
        let (applied, _) = out.applied()?;
        out.shared
            .delta_events
            .store(applied.saturating_sub(base), Ordering::Relaxed);
        Ok(out)
    }

    /// Open the index at `dir` from its runs alone, without opening sled, if the marker says the
    /// current generation's delta is empty and the index is not behind the journal at
    /// `journal` (nothing to replay); otherwise `None`, and the caller opens it with
    /// [`Db::open`]. Only for reading: writes fail. Opening sled costs time in proportion to
    /// what it holds and writes to its files even to read; the runs are what a cold read-only
    /// command needs.
    pub fn open_runs_only(dir: &Path, journal: &Path) -> Result<Option<Db>> {
        let Some((number, set)) = generation::read_pointer(dir)? else {
            return Ok(None);
        };
        if !generation::marked_empty(dir, number) {
            return Ok(None);
        }
        let db = Db::assemble(
            dir,
            journal,
            None,
            generation::load_runs(dir, number, set)?,
            false,
        )?;
        // A writer may have compacted between the reads above: then open with sled.
        if generation::read_pointer(dir)? != Some((number, set))
            || !generation::marked_empty(dir, number)
        {
            return Ok(None);
        }
        let (_, offset) = db.applied()?;
        let journal_len = std::fs::metadata(journal).map(|m| m.len()).unwrap_or(0);
        Ok((journal_len == offset).then_some(db))
    }

    fn assemble(
        dir: &Path,
        journal: &Path,
        sled: Option<(sled::Db, Tree)>,
        first: Gen,
        marked_dirty: bool,
    ) -> Result<Db> {
        let compact_every = std::fs::read_to_string(dir.join("compact-every"))
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(COMPACT_EVERY);
        Ok(Db {
            shared: Arc::new(Shared {
                events: EventReader::open(journal)?,
                sled,
                dir: dir.to_path_buf(),
                current: RwLock::new(Arc::new(first)),
                delta_events: AtomicU64::new(0),
                marked_dirty: AtomicBool::new(marked_dirty),
                compact_every,
            }),
        })
    }

    /// sled and its plain `meta` tree, which a [`Db::open_runs_only`] handle does not have.
    fn sled(&self) -> Result<(&sled::Db, &Tree)> {
        match &self.shared.sled {
            Some((db, meta)) => Ok((db, meta)),
            None => Err(Error::Db(
                "the index was opened from its runs alone, for reading".into(),
            )),
        }
    }

    /// Make the marker say the delta is not empty, before the first write to it.
    fn mark_dirty(&self, number: u64) -> Result<()> {
        if !self.shared.marked_dirty.load(Ordering::SeqCst) {
            generation::write_marker(&self.shared.dir, number, false)?;
            self.shared.marked_dirty.store(true, Ordering::SeqCst);
        }
        Ok(())
    }

    /// The current generation (a compaction replaces it; readers keep the one they took).
    fn current(&self) -> Arc<Gen> {
        match self.shared.current.read() {
            Ok(g) => g.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn meta_u64(&self, key: &str) -> Result<Option<u64>> {
        let Some(v) = self.current().tier(T::Meta).get(key.as_bytes())? else {
            return Ok(None);
        };
        let bytes: [u8; 8] = v
            .as_slice()
            .try_into()
            .map_err(|_| Error::Db(format!("index meta '{key}' is damaged")))?;
        Ok(Some(u64::from_be_bytes(bytes)))
    }

    /// `(last applied journal seq, journal byte offset just past it)`.
    pub fn applied(&self) -> Result<(u64, u64)> {
        Ok((
            self.meta_u64("applied_seq")?.unwrap_or(0),
            self.meta_u64("applied_offset")?.unwrap_or(0),
        ))
    }

    /// Number of photos (kept as a count rather than walking a tree).
    pub fn len(&self) -> Result<u64> {
        Ok(self.meta_u64("photos")?.unwrap_or(0))
    }

    /// Whether the index holds no photos.
    pub fn is_empty(&self) -> Result<bool> {
        self.current().tier(T::Ids).is_empty()
    }

    /// Empty the index, for a rebuild from the journal: a new generation with nothing in it.
    /// Other handles on the index see it empty until the replay has been applied.
    pub fn clear(&self) -> Result<()> {
        self.next_generation(true)
    }

    /// Merge the delta into new runs now (at the end of a bulk write), if it holds anything.
    pub fn compact(&self) -> Result<()> {
        match self.shared.delta_events.load(Ordering::Relaxed) {
            0 => Ok(()),
            _ => self.next_generation(false),
        }
    }

    /// Merge the delta into new runs if it has grown past the threshold ([`COMPACT_EVERY`]).
    pub fn compact_if_due(&self) -> Result<()> {
        self.compact_if_over(self.shared.compact_every)
    }

    /// Merge the delta into new runs if it holds at least `events` (and at least one) events.
    pub fn compact_if_over(&self, events: u64) -> Result<()> {
        match self.shared.delta_events.load(Ordering::Relaxed) >= events.max(1) {
            true => self.next_generation(false),
            false => Ok(()),
        }
    }

    /// The compaction threshold, in events.
    pub fn compact_every(&self) -> u64 {
        self.shared.compact_every
    }

    /// Ask sled to write its caches out. Not a durability point (the journal is).
    pub fn flush(&self) -> Result<()> {
        match &self.shared.sled {
            Some((db, _)) => db.flush().map(|_| ()).map_err(db_err),
            None => Ok(()),
        }
    }
}
