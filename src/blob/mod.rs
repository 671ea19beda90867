//! Content-addressed blobs: originals and renditions, named by the blake3 hash of their bytes.
//!
//! Knows nothing of photos or the index. Writing is two-phase so that the journal decides
//! what exists: `stage` writes (temp file, fsync) into a staging area, `prepare` makes the
//! staged files durable, the caller fsyncs its journal, then `publish` renames them to their
//! names and fsyncs the directories. After a crash, `recover` publishes the staged blobs the
//! journal knows and deletes the rest — so no blob is ever orphaned and none is ever missing.
//! A blob's name is only ever trusted after its bytes re-hash to it.

mod fs;
mod mem;
mod s3;

pub use fs::FsBackend;
pub use mem::MemBackend;
pub use s3::S3Backend;

use crate::error::Result;
use crate::id::BlobId;

/// Names of the files `byline serve` streams uploads into, in the staging folder, before they
/// are read and staged as blobs. Not blobs: [`Listing::staged`] leaves them out (an upload
/// in progress is not an interrupted writer), and `recover` deletes one a killed server left.
pub const UPLOAD_PREFIX: &str = "upload-";

/// What `stage` found and did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Put {
    /// The blob was new; it is staged and appears at `publish`.
    Stored,
    /// A blob with these bytes is already stored and re-hashes correctly; nothing staged.
    AlreadyPresent,
    /// A file sat at the name with the wrong bytes (e.g. zero-length after a crash); the right
    /// bytes are staged and replace it at `publish`.
    Repaired,
}

/// A blob store. Small and synchronous, after rustic's backends.
pub trait BlobBackend: Send + Sync {
    /// Stage `bytes` under their hash (written and fsynced, not yet visible).
    fn stage(&self, bytes: &[u8]) -> Result<(BlobId, Put)>;
    /// Stage `bytes` that the caller has just hashed to `id` (from the bytes in hand, never
    /// a name read elsewhere), so they are not hashed a second time. Backends that do not
    /// override it hash again and refuse a mismatch.
    fn stage_hashed(&self, id: BlobId, bytes: &[u8]) -> Result<Put> {
        let (got, put) = self.stage(bytes)?;
        if got != id {
            return Err(crate::error::Error::InvalidInput(format!(
                "bytes staged as {id} hash to {got}"
            )));
        }
        Ok(put)
    }
    /// Stage the bytes of `file`, a file the caller wrote and fsynced in the staging folder,
    /// which holds `bytes` (hashed to `id`). A backend on that file system renames it into
    /// the staging area, so the bytes are written once; the others stage `bytes` and leave
    /// `file` to the caller, who deletes it in either case if it is still there.
    fn stage_file(&self, id: BlobId, bytes: &[u8], file: &std::path::Path) -> Result<Put> {
        let _ = file;
        self.stage_hashed(id, bytes)
    }
    /// Make every staged blob durable in the staging area (call before the journal fsync).
    fn prepare(&self) -> Result<()>;
    /// Move every staged blob to its name, durably (call after the journal fsync).
    fn publish(&self) -> Result<()>;
    /// After a crash: publish staged blobs for which `keep` is true, delete the others.
    /// Returns `(published, discarded)`. An error from `keep` stops the recovery with nothing
    /// deleted: a blob is only discarded when the journal surely does not name it.
    fn recover(&self, keep: &dyn Fn(&BlobId) -> Result<bool>) -> Result<(usize, usize)>;
    /// The bytes of a blob.
    fn get(&self, id: &BlobId) -> Result<Vec<u8>>;
    /// Where a blob's file is, for backends that keep files (to show the user).
    fn path(&self, id: &BlobId) -> Option<std::path::PathBuf>;
    /// Whether a blob is stored (its bytes are not checked).
    fn contains(&self, id: &BlobId) -> bool;
    /// Remove a stored blob, durably; removing one that is not there is not an error. Only
    /// `verify --repair` calls it, for orphans no record names, under the writer's lock.
    fn remove(&self, id: &BlobId) -> Result<()>;
    /// Every stored blob's id, plus files that are not blobs, for `verify`.
    fn ids(&self) -> Result<Listing>;
    /// Check that the store can be reached with the credentials given (one request for a
    /// remote store; nothing to check on disk or in memory), so a server fails at start
    /// rather than at its first upload.
    fn check(&self) -> Result<()> {
        Ok(())
    }
    /// How long ago a blob was stored, where the store keeps that (an object store); `None`
    /// elsewhere or when it is not stored.
    fn age(&self, _id: &BlobId) -> Result<Option<std::time::Duration>> {
        Ok(None)
    }
}

/// The contents of a blob store.
#[derive(Debug, Default)]
pub struct Listing {
    /// Blobs with valid names.
    pub ids: Vec<BlobId>,
    /// Files that are not blobs.
    pub strays: Vec<String>,
    /// Blobs staged but not yet published (left by a crash; `recover` settles them).
    pub staged: Vec<String>,
}
