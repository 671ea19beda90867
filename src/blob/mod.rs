//! Content-addressed blobs: originals and renditions, named by the blake3 hash of their bytes.
//!
//! Knows nothing of photos or the index. `FsBackend` is the store on disk; `MemBackend`
//! serves tests. A blob's name is only ever trusted after its bytes re-hash to it.

mod fs;
mod mem;

pub use fs::FsBackend;
pub use mem::MemBackend;

use crate::error::Result;
use crate::id::BlobId;

/// What `put` found and did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Put {
    /// The blob was new and is now stored.
    Stored,
    /// A blob with these bytes was already stored and re-hashes correctly.
    AlreadyPresent,
    /// A file sat at the name but its bytes were wrong (e.g. zero-length after a crash); it
    /// was replaced with the right bytes.
    Repaired,
}

/// A blob store. Small and synchronous, after rustic's backends.
pub trait BlobBackend: Send + Sync {
    /// Store `bytes` under their hash. The blob is durable once [`BlobBackend::sync`] returns.
    fn put(&self, bytes: &[u8]) -> Result<(BlobId, Put)>;
    /// Make every blob put so far durable (directory entries included).
    fn sync(&self) -> Result<()>;
    /// The bytes of a blob.
    fn get(&self, id: &BlobId) -> Result<Vec<u8>>;
    /// Whether a blob is stored (its bytes are not checked).
    fn contains(&self, id: &BlobId) -> bool;
    /// Delete a blob; deleting a missing one is not an error.
    fn remove(&self, id: &BlobId) -> Result<()>;
    /// Every stored blob's id, plus names that are not valid ids (strays), for `verify`.
    fn ids(&self) -> Result<Listing>;
}

/// The contents of a blob store.
#[derive(Debug, Default)]
pub struct Listing {
    /// Blobs with valid names.
    pub ids: Vec<BlobId>,
    /// Files that are not blobs: leftover temp files and anything else.
    pub strays: Vec<String>,
}
