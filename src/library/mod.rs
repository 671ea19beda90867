//! The `Library` facade: the one place that coordinates blobs, the journal and the index.
//!
//! Every change is an event: blobs are made durable first, then the event is appended to the
//! journal and fsynced, and only then applied to the index. So the journal never names a blob
//! that is not on disk, and the index can always be rebuilt from the journal. The library
//! never reads the clock or the environment: `now` and the actor are passed in.
//!
//! Reads live on [`Reader`] (`read.rs`, `audit.rs`), which a `Library` derefs to and hands out
//! for other threads; this file holds opening, recovery and every write.

mod audit;
mod crawl;
mod findings;
mod migrate;
mod postgres;
mod read;
mod recover;
mod relocate;
mod transfer;
mod write;

pub use crate::records::{Changed, Committed, OnChange, Watch};
pub use findings::AuditStream;
pub use migrate::MigrateReport;
pub use postgres::{PgStore, Serving};
pub use read::{Identified, RESEMBLES, Reader, SIMILAR_BITS, UseQuery};
pub use relocate::{MoveProgress, MoveReport, Step};
pub use transfer::{ExportLine, ImportSummary, VerifyReport};
pub use write::{Prepared, RenderedSet, new_token_secret};

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use jiff::Timestamp;

use crate::blob::{BlobBackend, FsBackend, S3Backend};
use crate::config::{Config, DEFAULT_TOML};
use crate::error::{Error, IoContext, Result};
use crate::id::BlobId;
use crate::lock::StoreLock;
use crate::model::{Event, Photo};
use crate::records::{Embedded, Records};

/// Whether a store is opened to change it or only to read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Shared with other readers; fails while a writer holds the store.
    Read,
    /// Exclusive; fails while anyone else holds the store.
    Write,
    /// As `Write`, with the index thrown away and rebuilt from the journal (`byline reindex`).
    /// Faster than [`Library::rebuild_index`], which empties the trees key by key because
    /// other handles may be reading them.
    Reindex,
}

/// The outcome of adding one file.
#[derive(Debug, Clone)]
pub enum Added {
    /// A new photo; its record as it will be stored once the batch commits.
    New(Box<Photo>),
    /// These bytes are already stored under this id.
    Duplicate(BlobId),
}

/// An open store: its [`Reader`] (every read method, through `Deref`) plus, when opened to
/// write, the changes staged for the next commit.
pub struct Library {
    reader: Reader,
    root: PathBuf,
    writable: bool,
    pending: Vec<Event>,
    pending_ids: HashSet<BlobId>,
    /// `(photo, revision)` the staged changes were made on, checked when they commit.
    expect: Vec<(BlobId, u64)>,
    warnings: Vec<String>,
    /// The store lock of a local store (`None` for records in PostgreSQL, which takes
    /// several writers at once).
    lock: Option<StoreLock>,
    /// The database of a store in PostgreSQL, for what is not records: the servers using it.
    pg: Option<crate::records::Postgres>,
}

/// A library reads like its [`Reader`]: `lib.photo(id)`, `lib.list(q)`, `lib.audit(…)`.
impl std::ops::Deref for Library {
    type Target = Reader;

    fn deref(&self) -> &Reader {
        &self.reader
    }
}

/// A publication to record in the ledger (`byline use`).
#[derive(Debug, Clone, Default)]
pub struct NewUse {
    /// Who published it.
    pub outlet: String,
    /// Where.
    pub url: String,
    /// When.
    pub published: Option<Timestamp>,
    /// The credit as printed; `None` when printed without one.
    pub printed_credit: Option<String>,
    /// The caption as printed.
    pub printed_caption: Option<String>,
    /// ISO country code of the territory.
    pub territory: Option<String>,
    /// Commercial rather than editorial use.
    pub commercial: bool,
    /// The rendition published, when known.
    pub rendition: Option<BlobId>,
    /// How a crawl found it (none for uses recorded by hand).
    pub found: Option<crate::model::Found>,
}

impl Library {
    /// Open the store at `root`. A writer creates the store on first use; `holder` names the
    /// process for "store in use" messages.
    pub fn open(root: &Path, access: Access, holder: &str) -> Result<Library> {
        Library::open_with_settings(root, access, holder, &[])
    }

    /// [`Library::open`], for a store whose blobs may be remote: they live where its config
    /// says, on disk under `root/blobs` (the default) or in an S3-compatible bucket
    /// (`[blobs] url`), reached with `remote` settings (object_store keys such as
    /// `aws_access_key_id`, which the CLI takes from the environment).
    pub fn open_with_settings(
        root: &Path,
        access: Access,
        holder: &str,
        remote: &[(String, String)],
    ) -> Result<Library> {
        let fs = |config: &Config| -> Result<Box<dyn BlobBackend>> {
            match &config.blobs.url {
                Some(url) => Ok(Box::new(S3Backend::open(url, remote)?)),
                None => Ok(Box::new(FsBackend::open(
                    root.join("blobs"),
                    root.join("incoming"),
                )?)),
            }
        };
        if access == Access::Read && FsBackend::has_staged(&root.join("incoming")) {
            // A writer crashed mid-batch. Settle its staged blobs now if nobody else holds the
            // store (opening as a writer recovers); otherwise read as things are.
            match Library::open_inner(root, Access::Write, holder, fs) {
                Ok(lib) => drop(lib),
                Err(Error::Locked { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Library::open_inner(root, access, holder, fs)
    }

    /// Open the store at `root` with another blob backend (e.g. `MemBackend` in tests).
    pub fn open_with_blobs(
        root: &Path,
        access: Access,
        holder: &str,
        blobs: Box<dyn BlobBackend>,
    ) -> Result<Library> {
        Library::open_inner(root, access, holder, move |_| Ok(blobs))
    }

    fn open_inner(
        root: &Path,
        access: Access,
        holder: &str,
        blobs: impl FnOnce(&Config) -> Result<Box<dyn BlobBackend>>,
    ) -> Result<Library> {
        let writable = access != Access::Read;
        if writable {
            fs::create_dir_all(root).at(root)?;
        } else if !root.join("journal.jsonl").is_file() {
            return Err(Error::NotFound(format!(
                "no store at {}: add photos first (byline add PATH)",
                root.display()
            )));
        }
        let lock = StoreLock::acquire(root, writable, holder)?;
        let config_path = root.join("config.toml");
        if writable && !config_path.exists() {
            fs::write(&config_path, DEFAULT_TOML).at(&config_path)?;
        }
        let config = match fs::read_to_string(&config_path) {
            Ok(text) => Config::parse(&text)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Config::default(),
            Err(e) => return Err(Error::io(config_path, e)),
        };
        let blobs = blobs(&config)?;
        let mut warnings = Vec::new();
        // Under the store lock; `Reindex` throws the index away and rebuilds it.
        let fresh = access == Access::Reindex;
        let fill = |e: &Event| recover::with_crops(&*blobs, e);
        let records = Embedded::open(root, writable, fresh, &fill, &mut warnings)?;
        let lib = Library::assemble(
            root,
            Arc::new(records),
            Arc::from(blobs),
            config,
            Some(lock),
            writable,
            warnings,
        )?;
        Ok(lib)
    }

    /// A library over opened records and blobs; a writer settles blobs a crashed writer
    /// left staged.
    fn assemble(
        root: &Path,
        records: Arc<dyn Records>,
        blobs: Arc<dyn BlobBackend>,
        config: Config,
        lock: Option<StoreLock>,
        writable: bool,
        warnings: Vec<String>,
    ) -> Result<Library> {
        let mut lib = Library {
            reader: Reader {
                db: records,
                blobs,
                config: Arc::new(config),
                looks: Arc::new(read::look_cache()),
            },
            root: root.to_path_buf(),
            writable,
            pending: Vec::new(),
            pending_ids: HashSet::new(),
            expect: Vec::new(),
            warnings,
            lock,
            pg: None,
        };
        if writable {
            lib.recover_blobs()?;
        }
        Ok(lib)
    }

    /// A handle for reading this store from other threads, which never waits for this
    /// library's writes (`byline serve` answers reads on it during uploads).
    pub fn reader(&self) -> Reader {
        self.reader.clone()
    }

    /// Check that the blob store answers and accepts the credentials given (`byline serve`
    /// does at start, so a wrong key is a clear error then rather than at the first upload).
    ///
    /// # Errors
    /// [`Error::Config`] when the store refuses the credentials; [`Error::Unavailable`] when
    /// it cannot be reached.
    pub fn check_blobs(&self) -> Result<()> {
        self.reader.blobs.check()
    }

    /// Warnings gathered while opening (a torn journal record dropped, an index rebuilt).
    pub fn take_warnings(&mut self) -> Vec<String> {
        std::mem::take(&mut self.warnings)
    }

    /// The store's directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn require_writer(&self) -> Result<()> {
        if self.writable {
            Ok(())
        } else {
            Err(Error::InvalidInput("the store was opened read-only".into()))
        }
    }

    /// A provisional number for the next staged event (the records give the final one
    /// when it commits; for a local store they are the same).
    fn next_seq(&self) -> u64 {
        // An unreadable journal fails the commit itself; a provisional number cannot.
        self.reader.db.next_seq().unwrap_or(1) + self.pending.len() as u64
    }
}

impl Drop for Library {
    fn drop(&mut self) {
        // Best effort: staged but uncommitted events are simply not saved (never reported).
        let _ = self.reader.db.flush();
    }
}
