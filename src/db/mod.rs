//! The index: sled trees derived from the journal. The only module that touches sled.
//!
//! Nothing here is the truth — every tree can be rebuilt by replaying the journal — so sled's
//! lack of fsync (0.34 `flush` uses `sync_file_range`) loses nothing: `applied_seq` is written in
//! the same transaction as the records it covers, and events past it are replayed on open.
//!
//! Trees and keys (integers big-endian so keys sort; `pn` is a photo's number in the index,
//! 8 bytes, given in journal order; `order` = added_at (12 bytes) ‖ pn, see `key.rs`):
//! - `meta`: `schema`, `applied_seq`, `applied_offset` (journal byte offset), `next_pn`,
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
//! A filtered page is a merge: each filter is a sorted range of order keys, and the ranges
//! are walked together by seeking each to the largest key any other has reached (a leapfrog
//! join), so the first page of any query reads a few keys per result, never every match.

mod key;
mod prints;
mod read;
mod write;

pub use key::words;
pub use read::{Pages, UsePages};

use std::path::Path;

use sled::Tree;
use sled::transaction::{ConflictableTransactionError, TransactionError};

use crate::error::{Error, Result};
use crate::id::BlobId;
use crate::journal::EventReader;
use crate::model::{Event, Photo};

/// Version of the tree layout above; an index of another version is rebuilt on open.
/// 4: photo numbers, journal spans instead of copied events, the outlet index.
/// 5: fingerprints packed in blocks of photos rather than one key each.
/// 6: the page index of uses.
pub const SCHEMA: u32 = 6;

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

/// The sled index of a store. Cloning is cheap and gives another handle on the same index
/// (sled is safe to read from many threads while one writes).
#[derive(Clone)]
pub struct Db {
    db: sled::Db,
    events: EventReader,
    meta: Tree,
    ids: Tree,
    photos: Tree,
    history: Tree,
    added: Tree,
    agency: Tree,
    creator: Tree,
    year: Tree,
    word: Tree,
    incomplete: Tree,
    fingerprint: Tree,
    renditions: Tree,
    rendition_photo: Tree,
    uses: Tree,
    use_photo: Tree,
    use_outlet: Tree,
    use_page: Tree,
    tokens: Tree,
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

impl Db {
    /// Open (or create) the index at `dir` over the journal at `journal` (whose events it
    /// points into). Fails with [`Error::Db`] if sled cannot read it or it has another
    /// layout; the caller then rebuilds from the journal.
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
        Db::from_sled(db, journal)
    }

    fn from_sled(db: sled::Db, journal: &Path) -> Result<Db> {
        let tree = |name: &str| db.open_tree(name).map_err(db_err);
        let out = Db {
            events: EventReader::open(journal)?,
            meta: tree("meta")?,
            ids: tree("ids")?,
            photos: tree("photos")?,
            history: tree("history")?,
            added: tree("idx_added")?,
            agency: tree("idx_agency")?,
            creator: tree("idx_creator")?,
            year: tree("idx_year")?,
            word: tree("idx_word")?,
            incomplete: tree("idx_incomplete")?,
            fingerprint: tree("fingerprints")?,
            renditions: tree("renditions")?,
            rendition_photo: tree("idx_rendition_photo")?,
            uses: tree("uses")?,
            use_photo: tree("idx_use_photo")?,
            use_outlet: tree("idx_use_outlet")?,
            use_page: tree("idx_use_page")?,
            tokens: tree("tokens")?,
            db,
        };
        match out.meta_u64("schema")? {
            // A fresh index (sled made its default tree only).
            None if out.photos.is_empty() && out.ids.is_empty() => {
                out.meta
                    .insert("schema", &u64::from(SCHEMA).to_be_bytes())
                    .map_err(db_err)?;
            }
            Some(v) if v == u64::from(SCHEMA) => {}
            other => {
                let found = other.map_or("none".into(), |v| v.to_string());
                return Err(Error::Db(format!(
                    "it was made by another version of byline (layout {found}; this version \
                     uses {SCHEMA})"
                )));
            }
        }
        Ok(out)
    }

    fn meta_u64(&self, key: &str) -> Result<Option<u64>> {
        let Some(v) = self.meta.get(key).map_err(db_err)? else {
            return Ok(None);
        };
        let bytes: [u8; 8] = v
            .as_ref()
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

    /// Number of photos (kept as a count: sled's `len` walks the whole tree).
    pub fn len(&self) -> Result<u64> {
        Ok(self.meta_u64("photos")?.unwrap_or(0))
    }

    /// Whether the index holds no photos.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Every tree. More than sled's tuple transactions take, so `apply` uses a slice: the
    /// first seven are the [`key::Index`] trees and the fingerprint blocks, in `apply`'s order.
    fn trees(&self) -> [&Tree; 18] {
        [
            &self.agency,
            &self.creator,
            &self.year,
            &self.word,
            &self.incomplete,
            &self.fingerprint,
            &self.added,
            &self.meta,
            &self.ids,
            &self.photos,
            &self.history,
            &self.renditions,
            &self.rendition_photo,
            &self.uses,
            &self.use_photo,
            &self.use_outlet,
            &self.use_page,
            &self.tokens,
        ]
    }

    /// Empty every tree, for a rebuild from the journal. Other handles on the index see it
    /// empty until the replay has been applied.
    pub fn clear(&self) -> Result<()> {
        for tree in self.trees() {
            tree.clear().map_err(db_err)?;
        }
        // Trees an older layout had and this one does not (`idx_fingerprint` before 5).
        let ours: Vec<sled::IVec> = self.trees().iter().map(|t| t.name()).collect();
        let default = self.db.name();
        for name in self.db.tree_names() {
            if name != default && !ours.contains(&name) {
                self.db.drop_tree(&name).map_err(db_err)?;
            }
        }
        self.meta
            .insert("schema", &u64::from(SCHEMA).to_be_bytes())
            .map_err(db_err)?;
        Ok(())
    }

    /// Ask sled to write its caches out. Not a durability point (the journal is).
    pub fn flush(&self) -> Result<()> {
        self.db.flush().map(|_| ()).map_err(db_err)
    }
}
