//! A cache, beside the index, of what a rebuild derives from originals rather than from the
//! journal (a photo's crop fingerprints: see `records::embedded`), so that a rebuild decodes
//! each original once in the store's life, not once per rebuild: at a million photos the
//! decoding was three quarters of a rebuild's time.
//!
//! One sorted run (`run.rs`) keyed by photo id. Originals are immutable and named by their
//! hash, so an entry never goes stale; the file is not the truth and not part of the index
//! (a `reindex` keeps it). A missing or unreadable cache is an empty one: a miss costs a
//! decode, never a wrong answer, because what it holds is only a hint that `identify`
//! confirms against the original's pixels.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::run::{Run, RunWriter};
use crate::error::{IoContext, Result};

/// The cache file and what this rebuild added to it.
pub struct Derived {
    path: PathBuf,
    run: Option<Arc<Run>>,
    added: Vec<(Vec<u8>, Vec<u8>)>,
}

impl Derived {
    /// Open the cache at `path` (missing or damaged: empty).
    pub fn open(path: &Path) -> Derived {
        Derived {
            path: path.to_path_buf(),
            run: Run::open(path).ok().map(Arc::new),
            added: Vec::new(),
        }
    }

    /// The value kept for `key`, if any (a damaged block is a miss).
    pub fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        self.run.as_ref()?.get(key).ok().flatten().flatten()
    }

    /// Keep `value` for `key` (written by [`Derived::save`]).
    pub fn put(&mut self, key: &[u8], value: &[u8]) {
        self.added.push((key.to_vec(), value.to_vec()));
    }

    /// Write the old entries and the added ones as a new cache file (temp file, fsync,
    /// rename); nothing when nothing was added.
    pub fn save(mut self) -> Result<()> {
        if self.added.is_empty() {
            return Ok(());
        }
        self.added.sort_unstable();
        self.added.dedup_by(|a, b| a.0 == b.0);
        let tmp = self.path.with_extension("tmp");
        if tmp.exists() {
            fs::remove_file(&tmp).at(&tmp)?;
        }
        let mut w = RunWriter::create(&tmp)?;
        let mut old = match &self.run {
            Some(run) => Some(run.range_from(&[])?),
            None => None,
        }
        .into_iter()
        .flatten()
        // A damaged old cache ends where it is damaged: what follows is decoded again.
        .map_while(|e| e.ok())
        .peekable();
        for (key, value) in &self.added {
            while let Some((k, v)) = old.next_if(|(k, _)| k < key) {
                if let Some(v) = v {
                    w.push(&k, Some(&v))?;
                }
            }
            old.next_if(|(k, _)| k == key);
            w.push(key, Some(value))?;
        }
        for (k, v) in old {
            if let Some(v) = v {
                w.push(&k, Some(&v))?;
            }
        }
        w.finish()?;
        fs::rename(&tmp, &self.path).at(&self.path)?;
        if let Some(dir) = self.path.parent() {
            fs::File::open(dir).and_then(|d| d.sync_all()).at(dir)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_survive_a_save_and_new_ones_merge_with_old_ones() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| crate::Error::io("tempdir", e))?;
        let path = dir.path().join("derived.run");
        let mut d = Derived::open(&path);
        assert_eq!(d.get(b"b"), None);
        d.put(b"b", b"2");
        d.put(b"d", b"");
        d.save()?;
        let mut d = Derived::open(&path);
        assert_eq!(d.get(b"b").as_deref(), Some(&b"2"[..]));
        assert_eq!(d.get(b"d").as_deref(), Some(&b""[..]));
        d.put(b"a", b"1");
        d.put(b"c", b"3");
        d.save()?;
        let d = Derived::open(&path);
        for (k, v) in [(b"a", &b"1"[..]), (b"b", b"2"), (b"c", b"3"), (b"d", b"")] {
            assert_eq!(d.get(k).as_deref(), Some(v));
        }
        // A damaged cache is an empty one, not an error.
        fs::write(&path, b"not a run").map_err(|e| crate::Error::io("write", e))?;
        assert_eq!(Derived::open(&path).get(b"a"), None);
        Ok(())
    }
}
