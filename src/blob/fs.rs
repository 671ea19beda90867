//! Blobs on disk: `BLOBS/ab/<64 hex>`, staged first in `STAGING/<64 hex>`. Every write is
//! temp file, fsync, rename; directories are fsynced once per batch, not once per blob.

use std::collections::BTreeSet;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use super::{BlobBackend, Listing, Put};
use crate::error::{Error, IoContext, Result};
use crate::id::BlobId;

/// A blob directory on the local file system.
#[derive(Debug)]
pub struct FsBackend {
    root: PathBuf,
    staging: PathBuf,
    /// Blobs staged since the last publish.
    staged: Mutex<BTreeSet<BlobId>>,
}

impl FsBackend {
    /// Use (and create) `root` for blobs and `staging` for blobs not yet published. Both must
    /// be on one file system so that publishing is a rename.
    pub fn open(root: impl Into<PathBuf>, staging: impl Into<PathBuf>) -> Result<FsBackend> {
        let (root, staging) = (root.into(), staging.into());
        fs::create_dir_all(&root).at(&root)?;
        fs::create_dir_all(&staging).at(&staging)?;
        Ok(FsBackend {
            root,
            staging,
            staged: Mutex::new(BTreeSet::new()),
        })
    }

    /// Whether blobs are waiting in the staging area (a writer crashed mid-batch).
    pub fn has_staged(staging: &Path) -> bool {
        fs::read_dir(staging).is_ok_and(|mut d| d.next().is_some())
    }

    /// Where a blob lives.
    pub fn path_of(&self, id: &BlobId) -> PathBuf {
        let hex = id.to_hex();
        self.root.join(&hex[..2]).join(hex)
    }

    fn staged_set(&self) -> Result<MutexGuard<'_, BTreeSet<BlobId>>> {
        self.staged
            .lock()
            .map_err(|_| Error::Corrupt("blob store lock poisoned".into()))
    }

    /// Move staged blobs into place and fsync every directory touched.
    fn publish_ids(&self, ids: &BTreeSet<BlobId>) -> Result<()> {
        let mut dirs = BTreeSet::new();
        for id in ids {
            let dest = self.path_of(id);
            let dir = dest.parent().unwrap_or(&self.root).to_path_buf();
            if !dir.is_dir() {
                fs::create_dir_all(&dir).at(&dir)?;
                dirs.insert(self.root.clone());
            }
            let from = self.staging.join(id.to_hex());
            fs::rename(&from, &dest).at(&dest)?;
            dirs.insert(dir);
        }
        if !ids.is_empty() {
            dirs.insert(self.staging.clone());
        }
        for dir in &dirs {
            sync_dir(dir)?;
        }
        Ok(())
    }
}

fn read_dir_names(dir: &Path) -> Result<Vec<String>> {
    let mut names = Vec::new();
    for entry in fs::read_dir(dir).at(dir)? {
        let entry = entry.at(dir)?;
        names.push(entry.file_name().to_string_lossy().into_owned());
    }
    names.sort();
    Ok(names)
}

fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir).and_then(|d| d.sync_all()).at(dir)
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut f = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)
        .at(path)?;
    f.write_all(bytes).at(path)?;
    f.sync_all().at(path)
}

impl BlobBackend for FsBackend {
    fn stage(&self, bytes: &[u8]) -> Result<(BlobId, Put)> {
        let id = BlobId::of(bytes);
        let dest = self.path_of(&id);
        let outcome = match fs::read(&dest) {
            Ok(existing) if BlobId::of(&existing) == id => return Ok((id, Put::AlreadyPresent)),
            // A file at the right name with the wrong bytes: a crash left it torn. Repair it.
            Ok(_) => Put::Repaired,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Put::Stored,
            Err(e) => return Err(Error::io(dest, e)),
        };
        let mut staged = self.staged_set()?;
        if !staged.contains(&id) {
            write_synced(&self.staging.join(id.to_hex()), bytes)?;
            staged.insert(id);
        }
        Ok((id, outcome))
    }

    fn prepare(&self) -> Result<()> {
        if self.staged_set()?.is_empty() {
            return Ok(());
        }
        sync_dir(&self.staging)
    }

    fn publish(&self) -> Result<()> {
        let ids = std::mem::take(&mut *self.staged_set()?);
        self.publish_ids(&ids)
    }

    fn recover(&self, keep: &dyn Fn(&BlobId) -> bool) -> Result<(usize, usize)> {
        let mut publish = BTreeSet::new();
        let mut discarded = 0;
        for name in read_dir_names(&self.staging)? {
            let path = self.staging.join(&name);
            let sound = name.parse::<BlobId>().ok().filter(|id| {
                // Only bytes that re-hash to their name are ever published.
                keep(id) && fs::read(&path).is_ok_and(|b| BlobId::of(&b) == *id)
            });
            match sound {
                Some(id) => {
                    publish.insert(id);
                }
                None => {
                    fs::remove_file(&path).at(&path)?;
                    discarded += 1;
                }
            }
        }
        self.publish_ids(&publish)?;
        if discarded > 0 {
            sync_dir(&self.staging)?;
        }
        Ok((publish.len(), discarded))
    }

    fn get(&self, id: &BlobId) -> Result<Vec<u8>> {
        let p = self.path_of(id);
        fs::read(&p).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Error::NotFound(format!("blob {id} is not stored")),
            _ => Error::io(p, e),
        })
    }

    fn contains(&self, id: &BlobId) -> bool {
        self.path_of(id).is_file()
    }

    fn remove(&self, id: &BlobId) -> Result<()> {
        let p = self.path_of(id);
        match fs::remove_file(&p) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::io(p, e)),
            _ => Ok(()),
        }
    }

    fn ids(&self) -> Result<Listing> {
        let mut out = Listing::default();
        for shard in read_dir_names(&self.root)? {
            let dir = self.root.join(&shard);
            if !dir.is_dir() {
                out.strays.push(shard);
                continue;
            }
            for name in read_dir_names(&dir)? {
                match name.parse::<BlobId>() {
                    Ok(id) if name.starts_with(&shard) && name == id.to_hex() => out.ids.push(id),
                    _ => out.strays.push(format!("{shard}/{name}")),
                }
            }
        }
        out.staged = read_dir_names(&self.staging)?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn backend(dir: &Path) -> Result<FsBackend> {
        FsBackend::open(dir.join("blobs"), dir.join("incoming"))
    }

    #[test]
    fn staged_blobs_appear_only_when_published() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| Error::io("tempdir", e))?;
        let b = backend(dir.path())?;
        let (id, put) = b.stage(b"photo bytes")?;
        assert_eq!(put, Put::Stored);
        assert!(!b.contains(&id));
        b.prepare()?;
        b.publish()?;
        assert_eq!(b.get(&id)?, b"photo bytes");
        assert_eq!(b.stage(b"photo bytes")?.1, Put::AlreadyPresent);
        // A crash left a zero-length file at the right name: it is repaired.
        fs::write(b.path_of(&id), b"").at("blob")?;
        assert_eq!(b.stage(b"photo bytes")?.1, Put::Repaired);
        b.publish()?;
        assert_eq!(b.get(&id)?, b"photo bytes");
        Ok(())
    }

    #[test]
    fn recovery_publishes_what_the_journal_knows_and_drops_the_rest() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| Error::io("tempdir", e))?;
        let b = backend(dir.path())?;
        let (kept, _) = b.stage(b"journalled")?;
        let (dropped, _) = b.stage(b"never journalled")?;
        fs::write(dir.path().join("incoming").join("junk"), b"x").at("junk")?;
        drop(b); // the crash
        let b = backend(dir.path())?;
        assert_eq!(b.ids()?.staged.len(), 3);
        assert_eq!(b.recover(&|id| *id == kept)?, (1, 2));
        assert!(b.contains(&kept) && !b.contains(&dropped));
        let listing = b.ids()?;
        assert_eq!((listing.ids, listing.staged.len()), (vec![kept], 0));
        Ok(())
    }
}
