//! The index: sled trees derived from the journal. The only module that touches sled.
//!
//! Nothing here is the truth — every tree can be rebuilt by replaying the journal — so sled's
//! lack of fsync (0.34 `flush` uses `sync_file_range`) loses nothing: `applied_seq` is written in
//! the same transaction as the records it covers, and events past it are replayed on open.
//!
//! Trees and keys (ids are raw 32 bytes, integers big-endian so keys sort):
//! - `meta`: `schema`, `applied_seq` (u64), `applied_offset` (journal byte offset, u64)
//! - `photos`: id → Photo JSON
//! - `history`: id ‖ seq → Event JSON
//! - `idx_added`: order → (), where order = added_at (ns, i128 sign-flipped) ‖ id: the order
//!   `list` answers in, so a page starts with a seek, not a sort
//! - `idx_agency`, `idx_creator`: normalised name ‖ 0 ‖ order → ()
//! - `idx_year`: year (i32, sign-flipped) ‖ order → ()
//! - `idx_word`: word ‖ 0 ‖ order → () (caption, headline, keywords and the other text fields)
//! - `idx_incomplete`: order → ()
//! - `idx_fingerprint`: dHash (u64) ‖ id → ()
//! - `renditions`: rendition key → Rendition JSON, where rendition key = rendition id ‖ photo ‖
//!   spec (max side u32, format u8, quality u8): two presets can give the same bytes (a small
//!   original is never upscaled), and each keeps its own record;
//!   `idx_rendition_photo`: photo ‖ rendition key → ()
//! - `uses`: ledger number (u64) → Use JSON; `idx_use_photo`: photo ‖ ledger number
//! - `tokens`: token name → Token JSON (hashes only)

mod key;
mod read;
mod write;

pub use key::words;

use std::path::Path;

use sled::Tree;
use sled::transaction::{ConflictableTransactionError, TransactionError};

use crate::error::{Error, Result};
use crate::id::BlobId;
use crate::model::{Event, Photo};

/// Version of the tree layout above; an index of another version is rebuilt on open.
pub(crate) const SCHEMA: u32 = 3;

/// The sled index of a store. Cloning is cheap and gives another handle on the same index
/// (sled is safe to read from many threads while one writes).
#[derive(Clone)]
pub struct Db {
    db: sled::Db,
    meta: Tree,
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
    /// Open (or create) the index at `dir`. Fails with [`Error::Db`] if sled cannot read it;
    /// the caller then rebuilds from the journal.
    pub fn open(dir: &Path) -> Result<Db> {
        let db = sled::Config::new().path(dir).open().map_err(|e| {
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
        Db::from_sled(db)
    }

    /// A throw-away index in memory, for tests.
    pub fn temporary() -> Result<Db> {
        let db = sled::Config::new().temporary(true).open().map_err(db_err)?;
        Db::from_sled(db)
    }

    fn from_sled(db: sled::Db) -> Result<Db> {
        let tree = |name: &str| db.open_tree(name).map_err(db_err);
        let out = Db {
            meta: tree("meta")?,
            photos: tree("photos")?,
            history: tree("history")?,
            added: tree("idx_added")?,
            agency: tree("idx_agency")?,
            creator: tree("idx_creator")?,
            year: tree("idx_year")?,
            word: tree("idx_word")?,
            incomplete: tree("idx_incomplete")?,
            fingerprint: tree("idx_fingerprint")?,
            renditions: tree("renditions")?,
            rendition_photo: tree("idx_rendition_photo")?,
            uses: tree("uses")?,
            use_photo: tree("idx_use_photo")?,
            tokens: tree("tokens")?,
            db,
        };
        match out.meta_u64("schema")? {
            None if out.photos.is_empty() => {
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

    /// Number of photos.
    pub fn len(&self) -> usize {
        self.photos.len()
    }

    /// Whether the index holds no photos.
    pub fn is_empty(&self) -> bool {
        self.photos.is_empty()
    }

    /// first seven are the ones `index_keys` numbers.
    fn trees(&self) -> [&Tree; 15] {
        [
            &self.agency,
            &self.creator,
            &self.year,
            &self.word,
            &self.incomplete,
            &self.fingerprint,
            &self.added,
            &self.meta,
            &self.photos,
            &self.history,
            &self.renditions,
            &self.rendition_photo,
            &self.uses,
            &self.use_photo,
            &self.tokens,
        ]
    }

    /// Empty every tree, for a rebuild from the journal. Other handles on the index see it
    /// empty until the replay has been applied.
    pub fn clear(&self) -> Result<()> {
        for tree in self.trees() {
            tree.clear().map_err(db_err)?;
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
