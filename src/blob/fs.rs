//! Blobs on disk: `BLOBS/ab/<64 hex>`, staged first in `STAGING/<64 hex>`. Every write is
//! temp file, fsync, rename; directories are fsynced once per batch, not once per blob.

use std::collections::{BTreeMap, BTreeSet};
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
    /// Blobs staged since the last publish, with the open file of those not yet fsynced.
    staged: Mutex<BTreeMap<BlobId, Option<File>>>,
    /// Shard directories renamed into but not yet fsynced (see `publish`).
    unsynced_dirs: Mutex<BTreeSet<PathBuf>>,
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
            staged: Mutex::new(BTreeMap::new()),
            unsynced_dirs: Mutex::new(BTreeSet::new()),
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

    fn staged_map(&self) -> Result<MutexGuard<'_, BTreeMap<BlobId, Option<File>>>> {
        self.staged
            .lock()
            .map_err(|_| Error::Corrupt("blob store lock poisoned".into()))
    }

    fn dirs(&self) -> Result<MutexGuard<'_, BTreeSet<PathBuf>>> {
        self.unsynced_dirs
            .lock()
            .map_err(|_| Error::Corrupt("blob store lock poisoned".into()))
    }

    /// Move staged blobs into place. The shard directories are fsynced by `sync_published`
    /// (once per command, not once per batch): until then a power cut can only undo a rename,
    /// which leaves the blob in the fsynced staging folder, where `recover` finds it.
    fn publish_ids(&self, ids: impl IntoIterator<Item = BlobId>) -> Result<()> {
        let mut dirs = self.dirs()?;
        for id in ids {
            let dest = self.path_of(&id);
            let dir = dest.parent().unwrap_or(&self.root).to_path_buf();
            if !dir.is_dir() {
                fs::create_dir_all(&dir).at(&dir)?;
                dirs.insert(self.root.clone());
            }
            let from = self.staging.join(id.to_hex());
            fs::rename(&from, &dest).at(&dest)?;
            dirs.insert(dir);
            dirs.insert(self.staging.clone());
        }
        Ok(())
    }

    /// What staging `id` will do, from the file at its name.
    fn outcome(&self, id: BlobId) -> Result<Put> {
        let dest = self.path_of(&id);
        match fs::read(&dest) {
            Ok(existing) if BlobId::of(&existing) == id => Ok(Put::AlreadyPresent),
            // A file at the right name with the wrong bytes: a crash left it torn. Repair it.
            Ok(_) => Ok(Put::Repaired),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Put::Stored),
            Err(e) => Err(Error::io(dest, e)),
        }
    }

    /// Fsync every directory that blobs were published into.
    fn sync_published(&self) -> Result<()> {
        let dirs = std::mem::take(&mut *self.dirs()?);
        fsync_all(dirs.into_iter().map(|d| (File::open(&d), d)).collect())
    }
}

impl Drop for FsBackend {
    fn drop(&mut self) {
        // Best effort; recovery covers a failure here.
        let _ = self.sync_published();
    }
}

/// Fsync files concurrently: the file system folds concurrent syncs into shared journal
/// commits, which makes a batch of 64 small files several times faster than one by one.
fn fsync_all(files: Vec<(std::io::Result<File>, PathBuf)>) -> Result<()> {
    const THREADS: usize = 16;
    if files.is_empty() {
        return Ok(());
    }
    let chunk = files.len().div_ceil(THREADS);
    std::thread::scope(|scope| {
        let workers: Vec<_> = files
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || -> Result<()> {
                    for (file, path) in part {
                        match file {
                            Ok(f) => f.sync_all().at(path)?,
                            Err(e) => {
                                return Err(Error::io(
                                    path,
                                    std::io::Error::new(e.kind(), e.to_string()),
                                ));
                            }
                        }
                    }
                    Ok(())
                })
            })
            .collect();
        workers.into_iter().try_for_each(|w| {
            w.join()
                .unwrap_or_else(|_| Err(Error::Corrupt("fsync thread panicked".into())))
        })
    })
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

fn write_new(path: &Path, bytes: &[u8]) -> Result<File> {
    let mut f = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)
        .at(path)?;
    f.write_all(bytes).at(path)?;
    Ok(f)
}

impl BlobBackend for FsBackend {
    fn stage(&self, bytes: &[u8]) -> Result<(BlobId, Put)> {
        let id = BlobId::of(bytes);
        Ok((id, self.stage_hashed(id, bytes)?))
    }

    fn stage_hashed(&self, id: BlobId, bytes: &[u8]) -> Result<Put> {
        let outcome = self.outcome(id)?;
        if outcome == Put::AlreadyPresent {
            return Ok(outcome);
        }
        let mut staged = self.staged_map()?;
        if let std::collections::btree_map::Entry::Vacant(slot) = staged.entry(id) {
            slot.insert(Some(write_new(&self.staging.join(id.to_hex()), bytes)?));
        }
        Ok(outcome)
    }

    fn stage_file(&self, id: BlobId, bytes: &[u8], file: &Path) -> Result<Put> {
        if file.parent() != Some(self.staging.as_path()) {
            return self.stage_hashed(id, bytes);
        }
        let outcome = self.outcome(id)?;
        if outcome == Put::AlreadyPresent {
            return Ok(outcome);
        }
        let mut staged = self.staged_map()?;
        if let std::collections::btree_map::Entry::Vacant(slot) = staged.entry(id) {
            let name = self.staging.join(id.to_hex());
            fs::rename(file, &name).at(&name)?;
            // The bytes were fsynced by the file's writer; its new name is made durable now,
            // before the journal can name the blob.
            sync_dir(&self.staging)?;
            slot.insert(None);
        }
        Ok(outcome)
    }

    fn prepare(&self) -> Result<()> {
        let mut staged = self.staged_map()?;
        let files: Vec<_> = staged
            .iter_mut()
            .filter_map(|(id, f)| Some((Ok(f.take()?), self.staging.join(id.to_hex()))))
            .collect();
        if files.is_empty() {
            return Ok(());
        }
        fsync_all(files)?;
        sync_dir(&self.staging)
    }

    fn publish(&self) -> Result<()> {
        let ids = std::mem::take(&mut *self.staged_map()?);
        self.publish_ids(ids.into_keys())
    }

    fn recover(&self, keep: &dyn Fn(&BlobId) -> Result<bool>) -> Result<(usize, usize)> {
        let mut publish = BTreeSet::new();
        let mut discarded = 0;
        for name in read_dir_names(&self.staging)? {
            let path = self.staging.join(&name);
            let journalled = match name.parse::<BlobId>() {
                Ok(id) if keep(&id)? => Some(id),
                _ => None,
            };
            // Only bytes that re-hash to their name are ever published.
            let sound =
                journalled.filter(|id| fs::read(&path).is_ok_and(|b| BlobId::of(&b) == *id));
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
        let published = publish.len();
        self.publish_ids(publish)?;
        self.sync_published()?;
        if discarded > 0 {
            sync_dir(&self.staging)?;
        }
        Ok((published, discarded))
    }

    fn get(&self, id: &BlobId) -> Result<Vec<u8>> {
        let p = self.path_of(id);
        fs::read(&p).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Error::NotFound(format!("blob {id} is not stored")),
            _ => Error::io(p, e),
        })
    }

    fn path(&self, id: &BlobId) -> Option<PathBuf> {
        Some(self.path_of(id))
    }

    fn contains(&self, id: &BlobId) -> bool {
        self.path_of(id).is_file()
    }

    fn remove(&self, id: &BlobId) -> Result<()> {
        let path = self.path_of(id);
        match std::fs::remove_file(&path) {
            Ok(()) => path.parent().map_or(Ok(()), sync_dir),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(Error::io(path, e)),
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
        out.staged = read_dir_names(&self.staging)?
            .into_iter()
            .filter(|n| !n.starts_with(super::UPLOAD_PREFIX))
            .collect();
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

    // See: #15 (upload bytes are written once: the staged upload is renamed, not copied)
    #[cfg(unix)]
    #[test]
    fn a_staged_file_becomes_the_blob_without_a_copy() -> Result<()> {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().map_err(|e| Error::io("tempdir", e))?;
        let b = backend(dir.path())?;
        let bytes = b"an upload streamed to the staging folder";
        let id = BlobId::of(bytes);
        let upload = dir.path().join("incoming").join("upload-1");
        fs::write(&upload, bytes).at("upload")?;
        let inode = fs::metadata(&upload).at("upload")?.ino();
        assert_eq!(b.stage_file(id, bytes, &upload)?, Put::Stored);
        assert!(!upload.exists(), "the file was moved, not copied");
        b.prepare()?;
        b.publish()?;
        assert_eq!(b.get(&id)?, bytes);
        assert_eq!(fs::metadata(b.path_of(&id)).at("blob")?.ino(), inode);
        // Already stored: nothing is staged and the caller's file stays for it to delete.
        fs::write(&upload, bytes).at("upload")?;
        assert_eq!(b.stage_file(id, bytes, &upload)?, Put::AlreadyPresent);
        assert!(upload.exists());
        // A file elsewhere is copied: it may be on another file system.
        let outside = dir.path().join("elsewhere");
        fs::write(&outside, b"other").at("outside")?;
        assert_eq!(
            b.stage_file(BlobId::of(b"other"), b"other", &outside)?,
            Put::Stored
        );
        assert!(outside.exists());
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
        assert_eq!(b.recover(&|id| Ok(*id == kept))?, (1, 2));
        assert!(b.contains(&kept) && !b.contains(&dropped));
        let listing = b.ids()?;
        assert_eq!((listing.ids, listing.staged.len()), (vec![kept], 0));
        Ok(())
    }

    #[test]
    fn recovery_deletes_nothing_when_it_cannot_ask_the_journal() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| Error::io("tempdir", e))?;
        let b = backend(dir.path())?;
        b.stage(b"maybe journalled")?;
        drop(b);
        let b = backend(dir.path())?;
        let failing = |_: &BlobId| Err(Error::Db("index unreadable".into()));
        assert!(b.recover(&failing).is_err());
        assert_eq!(b.ids()?.staged.len(), 1, "the staged blob is still there");
        Ok(())
    }
}
