//! Moving a store's blobs to another place (`byline migrate --blobs`): from the store's
//! `blobs/` folder to an S3-compatible bucket, or back. Every blob the records name is copied
//! and checked on both ends, several at a time; a killed migration is simply run again (what
//! is already there is checked and kept); only when every blob has been read back from the
//! new place does the store's config point at it. The old copies are left where they were.

use std::path::Path;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::Serialize;

use super::Library;
use crate::blob::{BlobBackend, FsBackend, Put, S3Backend};
use crate::error::{Error, IoContext, Result};
use crate::id::BlobId;

/// Blobs copied between two checkpoints (stage, make durable, publish): bounds the files a
/// local target holds open.
const CHUNK: usize = 512;

/// What a migration did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct MigrateReport {
    /// Where the blobs live now: a bucket URL, or `local`.
    pub to: String,
    /// Blobs the records name.
    pub blobs: usize,
    /// Copied in this run.
    pub copied: usize,
    /// Already at the new place with the right bytes (an earlier, interrupted run).
    pub already_there: usize,
    /// Damaged copies at the new place, replaced.
    pub repaired: usize,
    /// Named by a record but missing at the old place too (`verify` lists them); the
    /// migration goes on without them.
    pub missing: Vec<BlobId>,
}

impl Library {
    /// Copy every blob the records name to `to` (`Some(s3://BUCKET/PREFIX)`, or `None` for
    /// the store's own `blobs/` folder), `jobs` at a time, check each one read back from
    /// there, then point `config.toml` at it. `remote` holds the object store settings;
    /// `progress` is called with (done, total).
    pub fn migrate_blobs(
        &mut self,
        to: Option<&str>,
        remote: &[(String, String)],
        jobs: usize,
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> Result<MigrateReport> {
        self.require_writer()?;
        if self.is_shared() {
            return Err(Error::InvalidInput(
                "a store in PostgreSQL keeps its blobs where its database says; moving them \
                 is not supported yet"
                    .into(),
            ));
        }
        let from = self.reader.config.blobs.url.as_deref();
        if from == to {
            return Err(Error::InvalidInput(format!(
                "the blobs already live at {}",
                to.unwrap_or("the store's blobs/ folder")
            )));
        }
        let target: Arc<dyn BlobBackend> = match to {
            Some(url) => Arc::new(S3Backend::open(url, remote)?),
            None => Arc::new(FsBackend::open(
                self.root.join("blobs"),
                self.root.join("incoming"),
            )?),
        };
        let mut report = self.copy_blobs(&*target, jobs, progress)?;
        report.to = to.unwrap_or("local").to_owned();
        self.check_blobs_at(&*target, &report, jobs, progress)?;
        write_blob_url(&self.root.join("config.toml"), to)?;
        let mut config = (*self.reader.config).clone();
        config.blobs.url = to.map(str::to_owned);
        self.reader.config = Arc::new(config);
        self.reader.blobs = target;
        Ok(report)
    }

    /// Copy every blob the records name to `target`, `jobs` at a time (what is there
    /// already is checked and kept); `progress` is called with (done, total).
    pub(super) fn copy_blobs(
        &self,
        target: &dyn BlobBackend,
        jobs: usize,
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> Result<MigrateReport> {
        let ids = self.recorded_blobs()?;
        let mut report = MigrateReport {
            blobs: ids.len(),
            ..MigrateReport::default()
        };
        let source = Arc::clone(&self.reader.blobs);
        let done = AtomicUsize::new(0);
        for chunk in ids.chunks(CHUNK) {
            let outcomes = copy_all(&*source, target, chunk, jobs, &done, ids.len(), progress)?;
            for (id, outcome) in chunk.iter().zip(outcomes) {
                match outcome {
                    Some(Put::Stored) => report.copied += 1,
                    Some(Put::AlreadyPresent) => report.already_there += 1,
                    Some(Put::Repaired) => report.repaired += 1,
                    None => report.missing.push(*id),
                }
            }
            target.prepare()?;
            target.publish()?;
        }
        Ok(report)
    }

    /// Read every blob `report` copied back from `target` (each read re-hashes it), before
    /// a store depends on it.
    pub(super) fn check_blobs_at(
        &self,
        target: &dyn BlobBackend,
        report: &MigrateReport,
        jobs: usize,
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> Result<()> {
        let present: Vec<BlobId> = self
            .recorded_blobs()?
            .into_iter()
            .filter(|id| !report.missing.contains(id))
            .collect();
        let checked = AtomicUsize::new(0);
        for_each_parallel(&present, jobs, |id| {
            target.get(id)?;
            progress(checked.fetch_add(1, Ordering::Relaxed) + 1, present.len());
            Ok(())
        })
    }

    /// Every blob a record names (originals and renditions), sorted, each once.
    fn recorded_blobs(&self) -> Result<Vec<BlobId>> {
        let db = &self.reader.db;
        let mut ids = Vec::new();
        for photo in db.all()? {
            let photo = photo?;
            ids.push(photo.id);
            ids.extend(db.renditions_of(&photo.id)?.into_iter().map(|r| r.id));
        }
        ids.sort_unstable();
        ids.dedup();
        Ok(ids)
    }
}

/// Copy `ids` from `source` to `target`, `jobs` at a time; `None` for a blob the source
/// does not have.
fn copy_all(
    source: &dyn BlobBackend,
    target: &dyn BlobBackend,
    ids: &[BlobId],
    jobs: usize,
    done: &AtomicUsize,
    total: usize,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Vec<Option<Put>>> {
    let outcomes = Mutex::new(vec![None; ids.len()]);
    let indices: Vec<usize> = (0..ids.len()).collect();
    for_each_parallel(&indices, jobs, |&i| {
        let id = &ids[i];
        let outcome = match source.get(id) {
            Ok(bytes) if BlobId::of(&bytes) == *id => Some(target.stage_hashed(*id, &bytes)?),
            Ok(_) => {
                return Err(Error::Corrupt(format!(
                    "blob {id} is damaged at its old place; run `byline verify` and re-add the \
                     file before migrating"
                )));
            }
            Err(Error::NotFound(_)) => None,
            Err(e) => return Err(e),
        };
        if let Ok(mut all) = outcomes.lock() {
            all[i] = outcome;
        }
        progress(done.fetch_add(1, Ordering::Relaxed) + 1, total);
        Ok(())
    })?;
    outcomes
        .into_inner()
        .map_err(|_| Error::Corrupt("a migration worker failed".into()))
}

/// Run `f` on every item on `jobs` threads; the first error stops the rest and is returned.
pub(super) fn for_each_parallel<T: Sync>(
    items: &[T],
    jobs: usize,
    f: impl Fn(&T) -> Result<()> + Sync,
) -> Result<()> {
    let next = AtomicUsize::new(0);
    let failed: Mutex<Option<Error>> = Mutex::new(None);
    std::thread::scope(|s| {
        for _ in 0..jobs.clamp(1, 64) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    if let Err(e) = f(item) {
                        next.store(items.len(), Ordering::Relaxed);
                        if let Ok(mut slot) = failed.lock() {
                            slot.get_or_insert(e);
                        }
                        break;
                    }
                }
            });
        }
    });
    match failed.into_inner() {
        Ok(Some(e)) => Err(e),
        Ok(None) => Ok(()),
        Err(_) => Err(Error::Corrupt("a migration worker failed".into())),
    }
}

/// Set (or remove) `[blobs] url` in the store's config file, keeping its comments; written
/// to a temp file, fsynced and renamed over the old one.
pub(super) fn write_blob_url(path: &Path, url: Option<&str>) -> Result<()> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(Error::io(path, e)),
    };
    let text = with_blob_url(&text, url)?;
    let tmp = path.with_extension("toml.tmp");
    std::fs::write(&tmp, text).at(&tmp)?;
    std::fs::File::open(&tmp)
        .and_then(|f| f.sync_all())
        .at(&tmp)?;
    std::fs::rename(&tmp, path).at(path)?;
    if let Some(dir) = path.parent() {
        std::fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .at(dir)?;
    }
    Ok(())
}

/// A config's text with `[blobs] url` set (or removed), keeping its comments.
pub(super) fn with_blob_url(text: &str, url: Option<&str>) -> Result<String> {
    let mut doc: toml_edit::DocumentMut = text
        .parse()
        .map_err(|e| Error::Config(format!("config.toml: {e}")))?;
    match url {
        Some(url) => {
            let blobs = doc
                .entry("blobs")
                .or_insert_with(toml_edit::table)
                .as_table_mut()
                .ok_or_else(|| Error::Config("config.toml: [blobs] is not a table".into()))?;
            blobs["url"] = toml_edit::value(url);
        }
        None => {
            if let Some(blobs) = doc.get_mut("blobs").and_then(|b| b.as_table_mut()) {
                blobs.remove("url");
            }
        }
    }
    Ok(doc.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_blob_url_is_set_and_removed_keeping_comments() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| Error::io("tempdir", e))?;
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "# my presets\n[server]\nupload_limit_mb = 20\n").at(&path)?;
        write_blob_url(&path, Some("s3://bucket/news"))?;
        let text = std::fs::read_to_string(&path).at(&path)?;
        assert!(text.contains("# my presets"), "{text}");
        let config = crate::config::Config::parse(&text)?;
        assert_eq!(config.blobs.url.as_deref(), Some("s3://bucket/news"));
        assert_eq!(config.server.upload_limit_mb, 20);
        write_blob_url(&path, None)?;
        let text = std::fs::read_to_string(&path).at(&path)?;
        assert_eq!(crate::config::Config::parse(&text)?.blobs.url, None);
        Ok(())
    }
}
