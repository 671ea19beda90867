//! Blobs in memory, for tests of the library API.

use std::collections::BTreeMap;
use std::sync::Mutex;

use super::{BlobBackend, Listing, Put};
use crate::error::{Error, Result};
use crate::id::BlobId;

/// A blob store that lives and dies with the process.
#[derive(Debug, Default)]
pub struct MemBackend {
    blobs: Mutex<BTreeMap<BlobId, Vec<u8>>>,
}

impl MemBackend {
    /// An empty store.
    pub fn new() -> MemBackend {
        MemBackend::default()
    }

    fn map(&self) -> Result<std::sync::MutexGuard<'_, BTreeMap<BlobId, Vec<u8>>>> {
        self.blobs
            .lock()
            .map_err(|_| Error::Corrupt("memory blob store lock poisoned".into()))
    }
}

impl BlobBackend for MemBackend {
    fn put(&self, bytes: &[u8]) -> Result<(BlobId, Put)> {
        let id = BlobId::of(bytes);
        let mut map = self.map()?;
        let put = match map.get(&id) {
            Some(b) if BlobId::of(b) == id => return Ok((id, Put::AlreadyPresent)),
            Some(_) => Put::Repaired,
            None => Put::Stored,
        };
        map.insert(id, bytes.to_vec());
        Ok((id, put))
    }

    fn sync(&self) -> Result<()> {
        Ok(())
    }

    fn get(&self, id: &BlobId) -> Result<Vec<u8>> {
        self.map()?
            .get(id)
            .cloned()
            .ok_or_else(|| Error::NotFound(format!("blob {id} is not stored")))
    }

    fn contains(&self, id: &BlobId) -> bool {
        self.map().is_ok_and(|m| m.contains_key(id))
    }

    fn remove(&self, id: &BlobId) -> Result<()> {
        self.map()?.remove(id);
        Ok(())
    }

    fn ids(&self) -> Result<Listing> {
        Ok(Listing {
            ids: self.map()?.keys().copied().collect(),
            strays: Vec::new(),
        })
    }
}
