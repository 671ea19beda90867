//! Blobs in memory, for tests of the library API.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

use super::{BlobBackend, Listing, Put};
use crate::error::{Error, Result};
use crate::id::BlobId;

/// A blob store that lives and dies with the process.
#[derive(Debug, Default)]
pub struct MemBackend {
    blobs: Mutex<BTreeMap<BlobId, Vec<u8>>>,
    staged: Mutex<BTreeMap<BlobId, Vec<u8>>>,
}

impl MemBackend {
    /// An empty store.
    pub fn new() -> MemBackend {
        MemBackend::default()
    }

    fn map(&self) -> Result<MutexGuard<'_, BTreeMap<BlobId, Vec<u8>>>> {
        lock(&self.blobs)
    }
}

fn lock(m: &Mutex<BTreeMap<BlobId, Vec<u8>>>) -> Result<MutexGuard<'_, BTreeMap<BlobId, Vec<u8>>>> {
    m.lock()
        .map_err(|_| Error::Corrupt("memory blob store lock poisoned".into()))
}

impl BlobBackend for MemBackend {
    fn stage(&self, bytes: &[u8]) -> Result<(BlobId, Put)> {
        let id = BlobId::of(bytes);
        let put = match self.map()?.get(&id) {
            Some(b) if BlobId::of(b) == id => return Ok((id, Put::AlreadyPresent)),
            Some(_) => Put::Repaired,
            None => Put::Stored,
        };
        lock(&self.staged)?.insert(id, bytes.to_vec());
        Ok((id, put))
    }

    fn prepare(&self) -> Result<()> {
        Ok(())
    }

    fn publish(&self) -> Result<()> {
        let staged = std::mem::take(&mut *lock(&self.staged)?);
        self.map()?.extend(staged);
        Ok(())
    }

    fn recover(&self, keep: &dyn Fn(&BlobId) -> Result<bool>) -> Result<(usize, usize)> {
        let staged = std::mem::take(&mut *lock(&self.staged)?);
        let total = staged.len();
        let mut kept = BTreeMap::new();
        for (id, bytes) in staged {
            if keep(&id)? {
                kept.insert(id, bytes);
            }
        }
        let n = kept.len();
        self.map()?.extend(kept);
        Ok((n, total - n))
    }

    fn get(&self, id: &BlobId) -> Result<Vec<u8>> {
        self.map()?
            .get(id)
            .cloned()
            .ok_or_else(|| Error::NotFound(format!("blob {id} is not stored")))
    }

    fn path(&self, _: &BlobId) -> Option<std::path::PathBuf> {
        None
    }

    fn remove(&self, id: &BlobId) -> Result<()> {
        self.map()?.remove(id);
        Ok(())
    }

    fn contains(&self, id: &BlobId) -> bool {
        self.map().is_ok_and(|m| m.contains_key(id))
    }

    fn ids(&self) -> Result<Listing> {
        Ok(Listing {
            ids: self.map()?.keys().copied().collect(),
            strays: Vec::new(),
            staged: lock(&self.staged)?.keys().map(BlobId::to_hex).collect(),
        })
    }
}
