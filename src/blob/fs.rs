//! Blobs on disk: `ROOT/ab/<64 hex>`. Every write is temp file, fsync, rename; the
//! directories renamed into are fsynced by `sync` (one pass per batch, not per blob).

use std::collections::BTreeSet;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::{BlobBackend, Listing, Put};
use crate::error::{Error, IoContext, Result};
use crate::id::BlobId;

const TMP_PREFIX: &str = ".tmp-";

/// A blob directory on the local file system.
#[derive(Debug)]
pub struct FsBackend {
    root: PathBuf,
    /// Shard directories with renames not yet made durable.
    dirty: Mutex<BTreeSet<PathBuf>>,
}

impl FsBackend {
    /// Use (and create) `root` as the blob directory.
    pub fn open(root: impl Into<PathBuf>) -> Result<FsBackend> {
        let root = root.into();
        fs::create_dir_all(&root).at(&root)?;
        Ok(FsBackend {
            root,
            dirty: Mutex::new(BTreeSet::new()),
        })
    }

    /// Where a blob lives.
    pub fn path_of(&self, id: &BlobId) -> PathBuf {
        let hex = id.to_hex();
        self.root.join(&hex[..2]).join(hex)
    }

    /// Delete temp files left by a crashed writer. Call only while holding the write lock.
    pub fn sweep_temp_files(&self) -> Result<usize> {
        let mut removed = 0;
        for shard in read_dir_names(&self.root)? {
            let dir = self.root.join(&shard);
            if !dir.is_dir() {
                continue;
            }
            for name in read_dir_names(&dir)? {
                if name.starts_with(TMP_PREFIX) {
                    let p = dir.join(&name);
                    fs::remove_file(&p).at(&p)?;
                    removed += 1;
                }
            }
        }
        Ok(removed)
    }

    fn write_new(&self, id: &BlobId, bytes: &[u8], dest: &Path) -> Result<()> {
        let dir = dest.parent().unwrap_or(&self.root);
        fs::create_dir_all(dir).at(dir)?;
        let tmp = dir.join(format!(
            "{TMP_PREFIX}{}-{}",
            id.to_hex(),
            std::process::id()
        ));
        let mut f = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&tmp)
            .at(&tmp)?;
        f.write_all(bytes).at(&tmp)?;
        f.sync_all().at(&tmp)?;
        drop(f);
        fs::rename(&tmp, dest).at(dest)?;
        self.dirty
            .lock()
            .map_err(|_| Error::Corrupt("blob store lock poisoned".into()))?
            .insert(dir.to_path_buf());
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

impl BlobBackend for FsBackend {
    fn put(&self, bytes: &[u8]) -> Result<(BlobId, Put)> {
        let id = BlobId::of(bytes);
        let dest = self.path_of(&id);
        let outcome = match fs::read(&dest) {
            Ok(existing) if BlobId::of(&existing) == id => return Ok((id, Put::AlreadyPresent)),
            // A file at the right name with the wrong bytes: a crash left it torn. Repair it.
            Ok(_) => Put::Repaired,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Put::Stored,
            Err(e) => return Err(Error::io(dest, e)),
        };
        self.write_new(&id, bytes, &dest)?;
        Ok((id, outcome))
    }

    fn sync(&self) -> Result<()> {
        let dirs = std::mem::take(
            &mut *self
                .dirty
                .lock()
                .map_err(|_| Error::Corrupt("blob store lock poisoned".into()))?,
        );
        if dirs.is_empty() {
            return Ok(());
        }
        for dir in &dirs {
            sync_dir(dir)?;
        }
        // New shard directories are themselves entries in the root.
        sync_dir(&self.root)
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
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_is_idempotent_and_repairs_torn_files() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| Error::io("tempdir", e))?;
        let b = FsBackend::open(dir.path().join("blobs"))?;
        let (id, put) = b.put(b"photo bytes")?;
        assert_eq!(put, Put::Stored);
        assert_eq!(b.put(b"photo bytes")?.1, Put::AlreadyPresent);
        // Simulate a crash that left a zero-length file at the right name.
        fs::write(b.path_of(&id), b"").at("blob")?;
        assert_eq!(b.put(b"photo bytes")?.1, Put::Repaired);
        assert_eq!(b.get(&id)?, b"photo bytes");
        b.sync()?;
        fs::write(b.path_of(&id).with_file_name(".tmp-x-1"), b"junk").at("tmp")?;
        let listing = b.ids()?;
        assert_eq!(listing.ids, vec![id]);
        assert_eq!(listing.strays.len(), 1);
        assert_eq!(b.sweep_temp_files()?, 1);
        Ok(())
    }
}
